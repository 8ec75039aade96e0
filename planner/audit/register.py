"""Read registers of existing cameras: CSV (any delimiter, common encodings), GeoJSON and OpenStreetMap.

A register is whatever a city, a police force or a volunteer map publishes:
one row per camera (or per monitored approach), a position, sometimes a
direction and a type. :func:`read_register` reads any of them into a
:class:`Register`: the cameras it could use, in WGS 84, and every row it could
not use with its row number and the reason (no coordinates, unparseable
direction, duplicate; "outside the study area" is added by the audit), so
nothing is dropped silently.

CSV
    * encoding: a UTF-16 or UTF-8 byte-order mark decides; otherwise UTF-8 if
      the bytes are valid UTF-8, else cp1252 (Windows Western), else Latin-1;
    * delimiter: the one of ``, ; TAB |`` that splits the header and the first
      rows into the same number of fields (ties to the most fields);
    * coordinates: columns found by name in several languages (``lon``/``lat``,
      ``lng``, ``longitude``/``latitude``, ``longitud``/``latitud``, ``x``/``y``,
      ``easting``/``northing``, ``laenge``/``breite`` ...), or one column holding
      both (``location``, ``coordonnées``, ``coordinates``, ``geo_point_2d``,
      ``the_geom``): ``"lat, lon"``, ``"(lat, lon)"``, ``POINT (lon lat)`` or
      ``{"lon": .., "lat": ..}``; decimal commas are accepted. WGS 84 unless
      ``crs`` is given (projected x/y need it);
    * direction: columns named like ``direction``, ``azimuth``, ``bearing``,
      ``heading``, ``orientation``, ``camera:direction`` (the way the camera
      looks) or ``approach``, ``bound``, ``sens de circulation`` (the traffic
      it watches; several ``FIRST/SECOND APPROACH`` columns add up); values as
      :func:`planner.io.osm.parse_direction` reads them (degrees, compass
      letters and words, ranges ``90-270``, ``NB/SB/EB/WB``, ``NORTHBOUND``,
      ``N/S``);
    * type: ``type``, ``camera_type``, ``camera:type``, ``kind``, ``model``,
      ``tipo`` ... read as fixed / dome / panning (:func:`planner.io.osm.mount_kind`);
      height from ``height``, ``height_m``, ``hauteur``, ``altura``.

GeoJSON (and any other vector file GDAL reads) use the same column rules on
their properties; OpenStreetMap extracts (``.osm``, ``.osm.pbf``) use the
``man_made=surveillance`` nodes and their tags (``camera:direction``,
``camera:type``, ``camera:angle``, ``height``, ``surveillance:type``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyproj

from planner.errors import CRSError, InvalidInputError
from planner.io import osm

#: Column names (normalised: accents removed, lower case, non-alphanumerics as ``_``).
LON_NAMES = ("lon", "lng", "long", "longitude", "longitud", "longitudine", "laenge", "lange", "laengengrad",
             "x_wgs84", "lon_wgs84", "wgs84_lon", "wgs84_x", "lon_dd", "longitude_dd", "coord_lon", "geo_lon")
LAT_NAMES = ("lat", "latitude", "latitud", "latitudine", "breite", "breitengrad", "y_wgs84", "lat_wgs84",
             "wgs84_lat", "wgs84_y", "lat_dd", "latitude_dd", "coord_lat", "geo_lat")
X_NAMES = ("x", "easting", "east", "x_m", "coord_x", "coordx", "x_coord", "xcoord", "x_lambert93", "est")
Y_NAMES = ("y", "northing", "north", "y_m", "coord_y", "coordy", "y_coord", "ycoord", "y_lambert93", "nord")
POINT_NAMES = ("location", "coordonnees", "coordinates", "coordenadas", "coordinate", "coords", "geo_point_2d",
               "geo_point", "geopoint", "point", "position", "the_geom", "geom", "wkt", "geometry", "latlon",
               "lat_lon", "latlng", "lat_long", "localisation", "ubicacion", "coordonnees_gps", "gps")
DIRECTION_NAMES = ("camera_direction", "direction", "azimuth", "azimuth_deg", "azimut", "bearing", "heading",
                   "orientation", "sens", "view_direction", "viewing_direction", "richtung", "direccion", "angle_de_vue")
APPROACH_HINTS = ("approach", "bound", "sens_de_circulation", "sentido", "traffic_direction", "direction_of_travel",
                  "fahrtrichtung")
TYPE_NAMES = ("camera_type", "type", "kind", "model", "tipo", "typ", "type_de_camera", "type_camera",
              "camera_model", "mount", "camera_mount")
HEIGHT_NAMES = ("height_m", "height", "mount_height", "mount_height_m", "hauteur", "altura", "hoehe")
ID_NAMES = ("id", "camera_id", "location_id", "cam_id", "code", "identifiant", "ref", "osm_id", "objectid", "fid")
NAME_NAMES = ("name", "nom", "nombre", "intersection", "address", "adresse", "direccion_postal", "location_name",
              "street", "rue", "calle", "site", "label", "description")

DUPLICATE_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class RegisterCamera:
    """One usable camera of a register (WGS 84).

    ``directions_deg`` are the directions it looks (several for a camera that
    watches several approaches; empty when unknown); ``width_deg`` is the
    width of a range such as ``90-270``; ``mount_kind`` is fixed, dome,
    panning or unknown; ``row`` is the CSV line (header = 1), the feature
    number (from 1) or the OSM node id.
    """

    row: str
    id: str
    name: str
    lon: float
    lat: float
    directions_deg: tuple[float, ...] = ()
    width_deg: float | None = None
    mount_kind: str = "unknown"
    height_m: float | None = None
    tilt_deg: float | None = None
    surveillance_type: str = ""
    direction_source: str = ""


@dataclass(frozen=True)
class Rejected:
    """A register row that could not be used, and why."""

    row: str
    reason: str
    id: str = ""


@dataclass(frozen=True)
class Register:
    """What :func:`read_register` read."""

    path: str
    format: str
    rows: int
    cameras: tuple[RegisterCamera, ...]
    rejected: tuple[Rejected, ...]
    columns: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------- helpers
def normalise_name(name: str) -> str:
    t = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def _find(cols: dict[str, str], names: tuple[str, ...], *, prefix: bool = False) -> str | None:
    """The column named one of ``names``; with ``prefix`` also ``latitude_wgs84``, ``lon_deg`` (a name
    of three letters or more followed by ``_`` and a qualifier)."""
    for n in names:
        if n in cols:
            return cols[n]
    if prefix:  # longest names first, and never "long" (long_name, long_description ...)
        for n in sorted(names, key=len, reverse=True):
            if len(n) >= 3 and n != "long":
                for k, c in cols.items():
                    if k.startswith(n + "_"):
                        return c
    return None


def decode_text(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)``: BOM first (UTF-16/UTF-8), then UTF-8, cp1252, Latin-1."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 always decodes")  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the first lines consistently into the most fields."""
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    best, best_score = ",", (-1, -1)
    for d in (",", ";", "\t", "|"):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=d))
        except csv.Error:
            continue
        if not rows:
            continue
        n = len(rows[0])
        if n < 2:
            continue
        consistent = sum(1 for r in rows[1:] if len(r) == n)
        score = (consistent, n)
        if score > best_score:
            best, best_score = d, score
    return best


_NUM = r"[-+]?\d+(?:[.,]\d+)?"


def parse_point(text: Any) -> tuple[float, float] | None:
    """``(lon, lat)`` from a one-column position, or None when there is none.

    ``"lat, lon"`` and ``"(lat, lon)"`` are read latitude first (the usual
    order of such columns); ``POINT (lon lat)`` (WKT) and GeoJSON-like
    ``{"lon": .., "lat": ..}`` or ``{"coordinates": [lon, lat]}`` by their
    own conventions. A pair whose first value cannot be a latitude is swapped.
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s or s.lower() in ("nan", "none", "null"):
        return None
    if s.startswith("{"):
        try:
            d = json.loads(s)
        except json.JSONDecodeError:
            return None
        if isinstance(d, dict):
            if "lon" in d and "lat" in d:
                return float(d["lon"]), float(d["lat"])
            c = d.get("coordinates")
            if isinstance(c, list) and len(c) >= 2:
                return float(c[0]), float(c[1])
        return None
    m = re.match(r"^\s*(?:SRID=\d+;)?\s*POINT\s*Z?\s*\(\s*(" + _NUM + r")\s+(" + _NUM + r")", s, re.IGNORECASE)
    if m:
        return float(m.group(1)), float(m.group(2))
    nums = re.findall(r"[-+]?\d+\.\d+|[-+]?\d+", s.replace(";", ","))
    if "," in s and len(nums) > 2:  # decimal commas: "41,88 ; -87,63" or "41,88, -87,63"
        parts = [p for p in re.split(r"\s*[;|]\s*|\s+", s.strip("()[] ")) if p]
        if len(parts) == 2:
            nums = [p.strip(",").replace(",", ".") for p in parts]
    if len(nums) != 2:
        return None
    a, b = float(nums[0]), float(nums[1])
    if abs(a) > 90 >= abs(b) or (abs(a) > 180 and abs(b) > 180):
        return a, b  # written lon, lat (or projected x, y)
    return b, a


_DMS = re.compile(r"^\s*([NSEW])?\s*(\d+(?:[.,]\d+)?)\s*[°º:d ]\s*(?:(\d+(?:[.,]\d+)?)\s*['′m: ]\s*)?"
                  r"(?:(\d+(?:[.,]\d+)?)\s*(?:\"|″|''|s)?\s*)?([NSEW])?\s*$", re.I)


def parse_dms(text: str) -> float | None:
    """Degrees, minutes, seconds (``41°55'30"N``, ``N 41 55 30``, ``87°40.5'W``) to decimal degrees; None if not."""
    m = _DMS.match(str(text))
    if not m or not (m.group(3) or m.group(4) or m.group(1) or m.group(5) or "°" in str(text)):
        return None
    d, mi, se = (float(g.replace(",", ".")) if g else 0.0 for g in m.group(2, 3, 4))
    if mi >= 60 or se >= 60:
        return None
    v = d + mi / 60 + se / 3600
    hemi = (m.group(1) or m.group(5) or "").upper()
    return -v if hemi in ("S", "W") else v


def _num(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str) and re.search(r"[°º'′″\"NSEWnsew]", value):
        return parse_dms(value)
    s = str(value).strip().replace(",", ".").rstrip("m").strip()
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _dedupe(cams: list[RegisterCamera], rejected: list[Rejected]) -> list[RegisterCamera]:
    """Drop rows at the same place (within 1 m) looking the same way as an earlier row."""
    out: list[RegisterCamera] = []
    seen: dict[tuple[int, int], list[RegisterCamera]] = {}
    for c in cams:
        # ~1 m cells in latitude; longitude scaled by cos(lat)
        ky = int(round(c.lat * 111_320 / DUPLICATE_TOLERANCE_M))
        kx = int(round(c.lon * 111_320 * math.cos(math.radians(c.lat)) / DUPLICATE_TOLERANCE_M))
        dup = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for o in seen.get((kx + dx, ky + dy), []):
                    if tuple(round(d, 1) for d in o.directions_deg) == tuple(round(d, 1) for d in c.directions_deg) \
                            and o.mount_kind == c.mount_kind:
                        dup = o
        if dup is not None:
            rejected.append(Rejected(c.row, f"duplicate of row {dup.row} (same position and direction)", c.id))
            continue
        seen.setdefault((kx, ky), []).append(c)
        out.append(c)
    return out


# ---------------------------------------------------------------- readers
def _from_records(records: list[tuple[str, dict[str, Any], tuple[float, float] | None]], *, path: str, fmt: str,
                  crs: Any, notes: list[str]) -> Register:
    """Common column logic for CSV rows and vector-file properties."""
    if not records:
        raise InvalidInputError(f"`{path}`: the register has no rows")
    columns = list(records[0][1].keys())
    cols: dict[str, str] = {}
    for c in columns:
        cols.setdefault(normalise_name(c), c)
    used: dict[str, str] = {}
    lon_c, lat_c = _find(cols, LON_NAMES, prefix=True), _find(cols, LAT_NAMES, prefix=True)
    projected = False
    if lon_c is None or lat_c is None:
        lon_c, lat_c = _find(cols, X_NAMES), _find(cols, Y_NAMES)
        projected = lon_c is not None and lat_c is not None
    pt_c = _find(cols, POINT_NAMES)
    has_geom = any(g is not None for _, _, g in records)
    if (lon_c is None or lat_c is None) and pt_c is None and not has_geom:
        raise InvalidInputError(f"`{path}`: no coordinate columns found (looked for lon/lat, longitude/latitude, "
                                f"x/y, or one column like location or coordonnées); columns are {', '.join(columns)}")
    if lon_c and lat_c:
        used["lon"], used["lat"] = lon_c, lat_c
    if pt_c:
        used["position"] = pt_c
    dir_cols = [(c, False) for n, c in cols.items() if n in DIRECTION_NAMES]
    dir_cols += [(c, True) for n, c in cols.items() if any(h in n for h in APPROACH_HINTS)
                 and (c, False) not in dir_cols]
    if dir_cols:
        used["direction"] = ", ".join(c for c, _ in dir_cols)
    type_c = _find(cols, TYPE_NAMES)
    height_c = _find(cols, HEIGHT_NAMES)
    id_c = _find(cols, ID_NAMES)
    name_c = _find(cols, NAME_NAMES)
    for k, col in (("type", type_c), ("height", height_c), ("id", id_c), ("name", name_c)):
        if col:
            used[k] = col
    src_crs = None
    if crs is not None:
        try:
            src_crs = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError:
            raise CRSError(f"`--crs`: unknown CRS {crs!r}") from None
    to_wgs = None
    if projected and src_crs is None and lon_c is not None and lat_c is not None:
        # x/y columns: degrees only if every value looks like degrees
        raw = [(_num(r[lon_c]), _num(r[lat_c])) for _, r, _ in records]
        vals = [(x, y) for x, y in raw if x is not None and y is not None]
        if vals and all(abs(x) <= 180 and abs(y) <= 90 for x, y in vals):
            notes.append(f"columns {lon_c!r}/{lat_c!r} read as longitude/latitude (values look like degrees)")
        else:
            raise CRSError(f"`{path}`: columns {lon_c!r}/{lat_c!r} hold projected coordinates; give their CRS "
                           "with --crs")
    swapped = False
    if lon_c and lat_c and not projected and src_crs is None:
        raw = [(_num(r.get(lon_c)), _num(r.get(lat_c))) for _, r, _ in records]
        vals = [(x, y) for x, y in raw if x is not None and y is not None and (x, y) != (0, 0)]
        if vals and all(abs(y) > 90 >= abs(x) for x, y in vals):
            swapped = True
            notes.append(f"columns {lon_c!r} and {lat_c!r} look swapped (every latitude beyond 90°): read the other "
                         "way round")
    if src_crs is not None and not src_crs.equals(pyproj.CRS.from_epsg(4326)):
        to_wgs = pyproj.Transformer.from_crs(src_crs, 4326, always_xy=True)
        notes.append(f"coordinates read in {src_crs.name} and converted to WGS 84")
    cams: list[RegisterCamera] = []
    rejected: list[Rejected] = []
    for row, rec, geom in records:
        rid = str(rec.get(id_c, "") or "").strip() if id_c else ""
        name = str(rec.get(name_c, "") or "").strip() if name_c else ""
        xy = None
        if lon_c and lat_c:
            x, y = _num(rec.get(lon_c)), _num(rec.get(lat_c))
            if x is not None and y is not None:
                xy = (y, x) if swapped else (x, y)
        if xy is None and pt_c:
            xy = parse_point(rec.get(pt_c))
        if xy is None and geom is not None:
            xy = geom
        if xy is None:
            rejected.append(Rejected(row, "no coordinates", rid))
            continue
        if to_wgs is not None:
            x, y = to_wgs.transform(xy[0], xy[1])
            xy = (float(x), float(y))
        lon, lat = xy
        if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lat) > 90 or abs(lon) > 180:
            rejected.append(Rejected(row, f"coordinates out of range ({lon:g}, {lat:g})", rid))
            continue
        if lon == 0 and lat == 0:
            rejected.append(Rejected(row, "no coordinates (0, 0)", rid))
            continue
        looks: list[float] = []
        width = None
        bad = None
        sources = []
        for c, travel in dir_cols:
            try:
                d, w = osm.parse_direction(rec.get(c), travel=travel)
            except ValueError as exc:
                bad = f"{c}: {exc}"
                break
            if d:
                sources.append(f"{c}={str(rec.get(c)).strip()}")
            looks += [a for a in d if a not in looks]
            width = w if w is not None else width
        if bad:
            rejected.append(Rejected(row, f"unparseable direction ({bad})", rid))
            continue
        kind = osm.mount_kind(rec.get(type_c)) if type_c else "unknown"
        h = _num(rec.get(height_c)) if height_c else None
        if h is not None and not 0 < h <= 300:
            h = None
        cams.append(RegisterCamera(row=row, id=rid or f"row {row}", name=name or rid or f"row {row}", lon=lon,
                                   lat=lat, directions_deg=tuple(looks), width_deg=width, mount_kind=kind,
                                   height_m=h, direction_source="; ".join(sources)))
    cams = _dedupe(cams, rejected)
    return Register(path=path, format=fmt, rows=len(records), cameras=tuple(cams), rejected=tuple(rejected),
                    columns=used, notes=tuple(notes))


def read_csv_register(path: str | os.PathLike[str], *, crs: Any = None) -> Register:
    p = Path(path)
    raw = p.read_bytes()
    text, enc = decode_text(raw)
    notes = [f"read as {enc}"]
    if not text.strip():
        raise InvalidInputError(f"`{p}`: the file is empty")
    delim = sniff_delimiter(text)
    notes.append(f"delimiter {delim!r}")
    first = text.lstrip("\ufeff").split("\n", 1)
    if first[0].strip().lower().startswith("sep=") and len(first[0].strip()) == 5:  # Excel's "sep=;" line
        delim = first[0].strip()[4]
        text = first[1] if len(first) > 1 else ""
        notes[-1] = f"delimiter {delim!r} (from the sep= line)"
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInputError(f"`{p}`: not a readable CSV ({exc})") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise InvalidInputError(f"`{p}`: the CSV has a header but no rows")
    header = [h.strip() for h in rows[0]]
    # csv line numbers: count physical lines so the row numbers match a spreadsheet
    records: list[tuple[str, dict[str, Any], tuple[float, float] | None]] = []
    line = 1
    for r in rows[1:]:
        line += 1
        rec = {h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(header) if h}
        records.append((str(line), rec, None))
    return _from_records(records, path=str(p), fmt="csv", crs=crs, notes=notes)


def read_vector_register(path: str | os.PathLike[str], *, crs: Any = None) -> Register:
    """GeoJSON, GeoPackage, Shapefile or KML: point features (others by a point on their surface)."""
    import pyogrio

    p = Path(path)
    try:
        gdf = pyogrio.read_dataframe(str(p))
    except Exception as exc:  # GDAL errors come in many classes
        msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(f"`{p}`: not a readable vector file ({msg})") from None
    if gdf.crs is None:
        gdf = gdf.set_crs(crs or "EPSG:4326")
    gdf = gdf.to_crs(4326)
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    records = []
    for i in range(len(gdf)):
        g = gdf.geometry.iloc[i]
        xy = None
        if g is not None and not g.is_empty:
            pt = g if g.geom_type == "Point" else g.representative_point()
            xy = (float(pt.x), float(pt.y))
        rec = {c: (None if _missing(gdf[c].iloc[i]) else gdf[c].iloc[i]) for c in props}
        records.append((str(i + 1), rec, xy))
    return _from_records(records, path=str(p), fmt=p.suffix.lower().lstrip("."), crs=None, notes=[])


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def cameras_from_osm(path: str | os.PathLike[str]) -> Register:
    """The ``man_made=surveillance`` nodes of an OSM extract as a register."""
    g = osm.read_osm(path, "points")
    cams: list[RegisterCamera] = []
    rejected: list[Rejected] = []
    rows = 0
    for oid, t, geom in zip(g["osm_id"], g["tags"], g.geometry.values, strict=True):
        if t.get("man_made") != "surveillance":
            continue
        rows += 1
        st = t.get("surveillance:type", "camera")
        if st.lower() not in osm.CAMERA_TYPES:
            rejected.append(Rejected(str(oid), f"surveillance:type={st} is not a camera", str(oid)))
            continue
        if geom is None or geom.is_empty:
            rejected.append(Rejected(str(oid), "no coordinates", str(oid)))
            continue
        f = osm.camera_fields(t)
        if f.get("error"):
            rejected.append(Rejected(str(oid), f"unparseable direction ({f['error']})", str(oid)))
            continue
        raw = t.get("camera:direction", t.get("direction", ""))
        cams.append(RegisterCamera(row=str(oid), id=str(oid), name=t.get("name", "") or f"node {oid}",
                                   lon=float(geom.x), lat=float(geom.y), directions_deg=f["directions_deg"],
                                   width_deg=f["width_deg"], mount_kind=f["mount_kind"], height_m=f["height_m"],
                                   tilt_deg=f["tilt_deg"], surveillance_type=st,
                                   direction_source=f"camera:direction={raw}" if raw else ""))
    cams = _dedupe(cams, rejected)
    return Register(path=str(path), format="osm", rows=rows, cameras=tuple(cams), rejected=tuple(rejected),
                    columns={"position": "node", "direction": "camera:direction", "type": "camera:type",
                             "height": "height", "tilt": "camera:angle"},
                    notes=("© OpenStreetMap contributors (ODbL 1.0)",))


def read_register(path: str | os.PathLike[str], *, crs: Any = None) -> Register:
    """Read a register of existing cameras (see the module docs); bad files raise a one-line error."""
    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"`{p}`: no such file")
    if p.is_dir():
        raise InvalidInputError(f"`{p}`: is a folder, not a file")
    if p.stat().st_size == 0:
        raise InvalidInputError(f"`{p}`: the file is empty")
    if osm.is_osm_file(p):
        return cameras_from_osm(p)
    if p.suffix.lower() in (".csv", ".txt", ".tsv"):
        return read_csv_register(p, crs=crs)
    return read_vector_register(p, crs=crs)


def read_registers(paths: Sequence[str | os.PathLike[str]], *, crs: Any = None) -> Register:
    """Several registers read as one; with more than one file, rows are named ``file:row``."""
    regs = [read_register(p, crs=crs) for p in paths]
    if len(regs) == 1:
        return regs[0]
    cams: list[RegisterCamera] = []
    rej: list[Rejected] = []
    notes: list[str] = []
    for r in regs:
        tag = Path(r.path).name
        cams += [dataclasses.replace(c, row=f"{tag}:{c.row}", id=f"{tag}:{c.id}") for c in r.cameras]
        rej += [dataclasses.replace(x, row=f"{tag}:{x.row}") for x in r.rejected]
        notes += [f"{tag}: {n}" for n in r.notes]
    return Register(path=", ".join(r.path for r in regs), format="+".join(r.format for r in regs),
                    rows=sum(r.rows for r in regs), cameras=tuple(cams), rejected=tuple(rej),
                    columns={Path(r.path).name: ", ".join(f"{k}={v}" for k, v in r.columns.items()) for r in regs},
                    notes=tuple(notes))


def register_lonlat(reg: Register) -> np.ndarray:
    return np.array([[c.lon, c.lat] for c in reg.cameras], dtype=float).reshape(-1, 2)


__all__ = ["Register", "RegisterCamera", "Rejected", "cameras_from_osm", "decode_text", "parse_point",
           "read_register", "read_registers", "sniff_delimiter"]
