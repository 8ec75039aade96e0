"""Read vector files (boundaries, districts, reference layers, node lists).

Every reader checks its input and raises a one-line
:class:`planner.errors.InvalidInputError` naming the file and the problem:
missing or empty file, unreadable format, missing or unknown CRS, wrong
geometry type, coordinates out of range or swapped, non-numeric values.
Readers return data in the file's CRS (WGS 84 when a GeoJSON has none, as RFC
7946 says); :func:`to_project_crs` reprojects.
"""

from __future__ import annotations

import csv
import io
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from planner.errors import BadRowsError, CRSError, GeometryError, InvalidInputError, RowProblem

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
LINE_TYPES = {"LineString", "MultiLineString"}
POINT_TYPES = {"Point", "MultiPoint"}
FAMILY_TYPES = {"polygon": POLYGON_TYPES, "line": LINE_TYPES, "point": POINT_TYPES}

LON_NAMES = ("lon", "lng", "long", "longitude", "x_wgs84", "lon_wgs84")
LAT_NAMES = ("lat", "latitude", "y_wgs84", "lat_wgs84")
X_NAMES = ("x", "easting", "east", "x_m", "coord_x")
Y_NAMES = ("y", "northing", "north", "y_m", "coord_y")
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: Byte-order marks and the codec each one announces (UTF-32 first: its LE mark starts like UTF-16's).
BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig"))
#: Column holding the file row (CSV line, header = 1) or feature number of each imported record.
SOURCE_ROW = "_source_row"


@dataclass
class ReadReport:
    """What a reader did besides returning data: repairs, reprojection, notes."""

    path: str
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.notes.append(message)


def _require_file(path: Path) -> None:
    if not path.exists():
        raise InvalidInputError(f"`{path}`: no such file")
    if path.is_dir():
        raise InvalidInputError(f"`{path}`: is a folder, not a file")
    if path.stat().st_size == 0:
        raise InvalidInputError(f"`{path}`: the file is empty")


def read_json_file(path: str | os.PathLike[str], *, max_depth: int = 32,
                   max_bytes: int = 64 * 1024 * 1024) -> Any:
    """Parse a JSON file strictly: UTF-8, finite numbers only, bounded nesting and size, no NUL in text.

    Raises :class:`InvalidInputError` naming the file and the problem.
    """
    import json

    path = Path(path)
    _require_file(path)
    if path.stat().st_size > max_bytes:
        raise InvalidInputError(f"`{path}`: {path.stat().st_size:,} bytes, over the {max_bytes:,} limit for JSON")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"`{path}`: not UTF-8 text ({_short(exc)})") from None

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        doc = json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise InvalidInputError(f"`{path}`: JSON nested too deeply") from None
    except ValueError as exc:
        raise InvalidInputError(f"`{path}`: not valid JSON ({_short(exc)})") from None
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (dict, list)):
            if depth > max_depth:
                raise InvalidInputError(f"`{path}`: JSON nested deeper than {max_depth} levels")
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
            if isinstance(v, dict) and any("\x00" in k for k in v):
                raise InvalidInputError(f"`{path}`: a JSON key holds a NUL character")
        elif isinstance(v, str) and "\x00" in v:
            raise InvalidInputError(f"`{path}`: a JSON text holds a NUL character")
        elif isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**15:
            raise InvalidInputError(f"`{path}`: the number {str(v)[:20]}... is out of any plausible range")
    return doc


def _gdal_path(path: Path) -> str:
    """Path for GDAL: zipped shapefiles go through /vsizip/."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            raise InvalidInputError(f"`{path}`: not a valid zip archive") from None
        shps = [n for n in names if n.lower().endswith(".shp")]
        if not shps:
            raise InvalidInputError(f"`{path}`: the zip archive holds no .shp file")
        if len(shps) > 1:
            raise InvalidInputError(f"`{path}`: the zip archive holds several shapefiles: {', '.join(shps)}")
        stem = shps[0][:-4]
        if not any(n.lower() == f"{stem.lower()}.prj" for n in names):
            raise CRSError(f"`{path}`: shapefile {shps[0]!r} has no .prj file, so its CRS is unknown; "
                           "add the .prj or reproject it in your GIS")
        return f"/vsizip/{path}/{shps[0]}"
    if path.suffix.lower() == ".shp":
        if not path.with_suffix(".prj").exists() and not path.with_suffix(".PRJ").exists():
            raise CRSError(f"`{path}`: shapefile has no .prj file, so its CRS is unknown; "
                           "add the .prj or reproject it in your GIS")
    return str(path)


def list_layers(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``(name, geometry type)`` for each layer of a vector file."""
    import pyogrio

    path = Path(path)
    _require_file(path)
    try:
        return [(str(n), str(g)) for n, g in pyogrio.list_layers(_gdal_path(path))]
    except InvalidInputError:
        raise
    except Exception as exc:  # GDAL errors come in many classes
        raise InvalidInputError(f"`{path}`: not a readable vector file ({_short(exc)})") from None


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def read_vector(path: str | os.PathLike[str], *, layer: str | None = None,
                family: str | None = None, report: ReadReport | None = None,
                keep_feature_numbers: bool = False) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, Shapefile (also zipped) or KML layer.

    Parameters
    ----------
    path
        The file.
    layer
        Layer name for multi-layer files (GeoPackage, KML); required when the
        file has more than one layer of the wanted geometry family.
    family
        ``"polygon"``, ``"line"`` or ``"point"``: refuse other geometry types.
    report
        Collects notes (repairs, dropped empty geometries).
    """
    import pyogrio

    path = Path(path)
    report = report or ReadReport(str(path))
    _require_file(path)
    gpath = _gdal_path(path)
    suffix = path.suffix.lower()
    try:
        layers = pyogrio.list_layers(gpath)
    except Exception as exc:
        raise InvalidInputError(f"`{path}`: not a readable vector file ({_short(exc)})") from None
    if len(layers) == 0:
        raise InvalidInputError(f"`{path}`: the file has no layers")
    names = [str(n) for n, _ in layers]
    if layer is None and len(layers) > 1:
        candidates = names
        if family:
            candidates = [str(n) for n, g in layers if _family_of(str(g)) in (family, None)]
        if len(candidates) != 1:
            raise InvalidInputError(f"`{path}`: has {len(layers)} layers ({', '.join(names)}); choose one with --layer-name")
        layer = candidates[0]
    if layer is not None and layer not in names:
        raise InvalidInputError(f"`{path}`: no layer {layer!r}; layers are {', '.join(names)}")
    import warnings

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gdf = pyogrio.read_dataframe(gpath, layer=layer)
    except Exception as exc:
        raise InvalidInputError(f"`{path}`: cannot read ({_short(exc)})") from None
    for w in caught:  # GDAL's remarks (a column left as text, ...) become notes, not noise
        report.note(f"GDAL: {str(w.message).strip().splitlines()[0][:160]}")
    if len(gdf) == 0:
        raise InvalidInputError(f"`{path}`: the layer has no features")
    if keep_feature_numbers and isinstance(gdf, gpd.GeoDataFrame):
        gdf[SOURCE_ROW] = np.arange(1, len(gdf) + 1)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
        raise GeometryError(f"`{path}`: the layer has no geometries")
    declared = _declared_geojson_crs(path) if suffix in (".geojson", ".json") else None
    if declared is not None:
        try:
            pyproj.CRS.from_user_input(declared)
        except pyproj.exceptions.CRSError:
            raise CRSError(f"`{path}`: declares an unknown CRS {declared!r}; "
                           "reproject it to WGS 84 or a known EPSG code") from None
    if gdf.crs is None:
        if suffix in (".geojson", ".json", ".kml", ".kmz"):
            gdf = gdf.set_crs("EPSG:4326")  # RFC 7946 / KML: WGS 84
            report.note("no CRS declared: WGS 84 assumed (RFC 7946)")
        else:
            raise CRSError(f"`{path}`: the layer has no CRS; set one in your GIS before importing")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        report.note(f"dropped {int(empty.sum())} feature(s) with empty geometry")
        gdf = gdf[~empty].reset_index(drop=True)
    if family:
        wanted = FAMILY_TYPES[family]
        types = set(gdf.geom_type.unique())
        if not types <= wanted:
            bad = ", ".join(sorted(types - wanted))
            raise GeometryError(f"`{path}`: expected {family} geometries, found {bad}")
    _check_coordinates(gdf, path)
    if family == "polygon":
        try:
            gdf = _repair(gdf, report)
        except shapely.errors.GEOSException as exc:
            raise GeometryError(f"`{path}`: the polygons cannot be repaired ({_short(exc)})") from None
    return safe_columns(_plain_columns(gdf, report), report)


def _declared_geojson_crs(path: Path) -> str | None:
    """The name in a GeoJSON's legacy ``crs`` member, if it has one.

    Raises :class:`CRSError` for a ``crs`` member that names nothing usable
    (``{"properties": "name"}``, a number, a list) and
    :class:`InvalidInputError` for JSON nested too deeply to read safely.
    """
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except RecursionError:
        raise InvalidInputError(f"`{path}`: the JSON is nested too deeply") from None
    except (ValueError, OSError):
        return None
    if not isinstance(doc, dict) or doc.get("crs") is None:
        return None
    crs = doc["crs"]
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") or props.get("href") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise CRSError(f"`{path}`: the `crs` member names no CRS ({json.dumps(crs)[:80]}); remove it (RFC 7946: "
                       "WGS 84) or give `{{\"type\": \"name\", \"properties\": {{\"name\": \"EPSG:...\"}}}}`")
    return name


def _family_of(geom_type: str) -> str | None:
    g = geom_type.replace(" Z", "").replace("25D", "").replace("3D ", "")
    for fam, types in FAMILY_TYPES.items():
        if g in types:
            return fam
    return None


def _check_coordinates(gdf: gpd.GeoDataFrame, path: Path) -> None:
    coords = shapely.get_coordinates(gdf.geometry.values, include_z=True)
    if coords.size and not np.isfinite(coords[:, :2]).all():
        raise GeometryError(f"`{path}`: coordinates are not finite numbers (NaN or infinity)")
    xmin, ymin, xmax, ymax = gdf.total_bounds
    if not all(map(math.isfinite, (xmin, ymin, xmax, ymax))):
        raise GeometryError(f"`{path}`: coordinates are not finite numbers")
    crs = pyproj.CRS.from_user_input(gdf.crs)
    if crs.is_geographic:
        if abs(ymin) > 90 or abs(ymax) > 90:
            hint = " (latitude and longitude look swapped)" if max(abs(xmin), abs(xmax)) <= 90 else ""
            raise GeometryError(f"`{path}`: latitude out of range [-90, 90]: {ymin:g}..{ymax:g}{hint}")
        if abs(xmin) > 180 or abs(xmax) > 180:
            raise GeometryError(f"`{path}`: longitude out of range [-180, 180]: {xmin:g}..{xmax:g}")
    else:
        area = crs.area_of_use
        if area is not None:
            try:
                t = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
                lon, lat = t.transform(np.array([xmin, xmax]), np.array([ymin, ymax]))
            except pyproj.exceptions.ProjError:
                return
            if not np.all(np.isfinite(lon)) or not np.all(np.isfinite(lat)):
                raise GeometryError(f"`{path}`: coordinates fall outside the valid area of {crs.name}")


def _repair(gdf: gpd.GeoDataFrame, report: ReadReport) -> gpd.GeoDataFrame:
    valid = gdf.geometry.is_valid
    if valid.all():
        return gdf
    n = int((~valid).sum())
    fixed = shapely.make_valid(gdf.geometry.values[~valid.values])
    # make_valid can return collections; keep their polygonal part
    polys = []
    for g in fixed:
        if g.geom_type in POLYGON_TYPES:
            polys.append(g)
        else:
            parts = [p for p in getattr(g, "geoms", []) if p.geom_type in POLYGON_TYPES]
            polys.append(shapely.union_all(parts) if parts else shapely.Polygon())
    gdf = gdf.copy()
    geoms = gdf.geometry.values.copy()
    geoms[~valid.values] = polys
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs, index=gdf.index))
    still_empty = gdf.geometry.is_empty
    report.note(f"repaired {n} invalid polygon(s)" +
                (f"; {int(still_empty.sum())} had no area left and were dropped" if still_empty.any() else ""))
    return gdf[~still_empty].reset_index(drop=True)


def _plain_columns(gdf: gpd.GeoDataFrame, report: ReadReport | None = None) -> gpd.GeoDataFrame:
    """Turn lists/dicts/datetimes into text so every value round-trips through a GeoPackage.

    NUL characters (which SQLite would cut a text at) are removed, with a note.
    """
    gdf = gdf.copy()
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        s = gdf[col]
        if s.dtype == object:
            nul = s.map(lambda v: isinstance(v, str) and "\x00" in v)
            if nul.any():
                gdf[col] = s = s.map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v)
                if report is not None:
                    report.note(f"removed NUL characters from {int(nul.sum())} value(s) of column {col!r}")
        if s.dtype == object and s.map(lambda v: isinstance(v, (list, dict, tuple))).any():
            import json

            gdf[col] = s.map(lambda v: json.dumps(v, ensure_ascii=False, default=str)
                             if isinstance(v, (list, dict, tuple)) else v)
        elif pd.api.types.is_datetime64_any_dtype(s):
            gdf[col] = s.astype(str)
    return gdf


#: Plausible study areas: at least this many square metres, at most this span in degrees.
MIN_STUDY_AREA_M2 = 100.0
MAX_STUDY_SPAN_DEG = 60.0
#: UTM is defined between these latitudes (polar areas use UPS, which a project does not support).
UTM_LAT_RANGE = (-80.0, 84.0)


def union_polygons(geoms: Any, *, path: str) -> shapely.Geometry:
    """The union of polygons, repaired; a topology failure in GEOS becomes a one-line error."""
    geoms = np.asarray(geoms, dtype=object)
    try:
        area = shapely.union_all(geoms)
    except shapely.errors.GEOSException:
        try:  # a side-location conflict from nearly coincident edges: snap to a fine grid and retry
            area = shapely.union_all(shapely.make_valid(shapely.set_precision(geoms, 1e-9)))
        except shapely.errors.GEOSException as exc:
            raise GeometryError(f"`{path}`: the polygons cannot be merged ({_short(exc)})") from None
    try:
        area = shapely.make_valid(area)
    except shapely.errors.GEOSException as exc:
        raise GeometryError(f"`{path}`: the merged polygon cannot be repaired ({_short(exc)})") from None
    if area.geom_type not in POLYGON_TYPES:
        parts = [g for g in getattr(area, "geoms", []) if g.geom_type in POLYGON_TYPES]
        area = shapely.union_all(parts) if parts else shapely.Polygon()
    return area


def check_study_area_wgs84(area: shapely.Geometry, *, path: str) -> None:
    """Refuse study areas no city plan can have: polar, antimeridian-crossing, continent-sized, empty."""
    if area.is_empty:
        raise GeometryError(f"`{path}`: the boundary has no area")
    xmin, ymin, xmax, ymax = area.bounds
    if not all(map(math.isfinite, (xmin, ymin, xmax, ymax))):
        raise GeometryError(f"`{path}`: the boundary's coordinates are not finite")
    lo, hi = UTM_LAT_RANGE
    if ymin < lo or ymax > hi:
        raise GeometryError(f"`{path}`: the study area reaches latitude {ymin:.2f}..{ymax:.2f}; a project uses a "
                            f"UTM zone, defined from {lo:g} to {hi:g} degrees (polar areas are not supported, "
                            "or latitude and longitude are swapped)")
    if xmax - xmin > MAX_STUDY_SPAN_DEG or ymax - ymin > MAX_STUDY_SPAN_DEG:
        hint = " (it crosses the 180th meridian: split it or use one side)" if xmax - xmin > 180 else ""
        raise GeometryError(f"`{path}`: the study area spans {xmax - xmin:.1f} x {ymax - ymin:.1f} degrees, more "
                            f"than the {MAX_STUDY_SPAN_DEG:g} degrees one project (one UTM zone) can hold{hint}")


def check_study_area_projected(area: shapely.Geometry, *, path: str, declared_crs: Any = None) -> None:
    """Refuse a study area with no usable area in the project CRS (a degenerate or mis-declared file)."""
    a = float(area.area) if not area.is_empty else 0.0
    if not math.isfinite(a) or a < MIN_STUDY_AREA_M2:
        hint = ""
        if declared_crs is not None:
            try:
                if pyproj.CRS.from_user_input(declared_crs).is_projected:
                    hint = (f"; the file declares {pyproj.CRS.from_user_input(declared_crs).name}, but if its "
                            "coordinates are degrees that declaration is wrong")
            except pyproj.exceptions.CRSError:
                pass
        raise GeometryError(f"`{path}`: the study area is {a:.3g} m², too small to plan (at least "
                            f"{MIN_STUDY_AREA_M2:g} m²){hint}")


def parse_crs(value: Any, *, what: str = "--crs") -> pyproj.CRS:
    """A CRS from user text (``EPSG:32631``, WKT, PROJ); an unknown one is a one-line error."""
    try:
        crs = pyproj.CRS.from_user_input(value)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise CRSError(f"`{what}`: unknown CRS {str(value)[:60]!r} ({_short(exc)})") from None
    return crs


def to_project_crs(gdf: gpd.GeoDataFrame, crs: pyproj.CRS, *, path: str = "") -> gpd.GeoDataFrame:
    """Reproject into the project CRS; fails cleanly if coordinates do not transform."""
    try:
        out = gdf.to_crs(crs)
    except Exception as exc:  # pyproj raises several classes
        raise CRSError(f"`{path}`: cannot reproject to {crs.name} ({_short(exc)})") from None
    xmin, ymin, xmax, ymax = out.total_bounds
    if not all(map(math.isfinite, (xmin, ymin, xmax, ymax))):
        raise CRSError(f"`{path}`: coordinates do not transform to {crs.name} (outside its area?)")
    return out


def find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first column whose normalised name is one of ``candidates``."""
    norm = {c.strip().lower().replace(" ", "_").replace("-", "_"): c for c in columns}
    for cand in candidates:
        if cand in norm:
            return norm[cand]
    return None


def read_points_table(path: str | os.PathLike[str], *, crs: str | int | pyproj.CRS | None = None,
                      report: ReadReport | None = None,
                      problems: list[RowProblem] | None = None) -> gpd.GeoDataFrame:
    """Read a CSV of points: any delimiter, common encodings, lon/lat or x/y columns by name.

    Lon/lat columns are WGS 84 unless ``crs`` says otherwise; x/y columns need
    ``crs`` (they default to WGS 84 only if their values look like degrees).
    Rows whose coordinates are not numbers raise one :class:`BadRowsError`
    listing all of them, or, when ``problems`` is a list, are appended to it
    and left out. Each record keeps its file row in :data:`SOURCE_ROW`.
    """
    path = Path(path)
    report = report or ReadReport(str(path))
    _require_file(path)
    text = decode_text(path.read_bytes(), path=path, report=report)
    if not text.strip():
        raise InvalidInputError(f"`{path}`: the file is empty")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInputError(f"`{path}`: not a readable CSV ({_short(exc)})") from None
    if len(df) == 0:
        raise InvalidInputError(f"`{path}`: the CSV has a header but no rows")
    cols = list(df.columns)
    xcol, ycol = find_column(cols, LON_NAMES), find_column(cols, LAT_NAMES)
    geographic = xcol is not None and ycol is not None
    if not geographic:
        xcol, ycol = find_column(cols, X_NAMES), find_column(cols, Y_NAMES)
    if xcol is None or ycol is None:
        raise InvalidInputError(f"`{path}`: no coordinate columns found (looked for lon/lat, longitude/latitude, "
                                f"x/y, easting/northing); columns are {', '.join(cols)}")
    df[SOURCE_ROW] = np.arange(2, len(df) + 2)
    found: list[RowProblem] = []
    xs, badx = _numeric(df[xcol], xcol, found)
    ys, bady = _numeric(df[ycol], ycol, found)
    if found:
        if problems is None:
            raise BadRowsError(str(path), sorted(found, key=lambda p: p.row), total_rows=len(df))
        problems.extend(found)
        keep = ~(badx | bady)
        if not keep.any():
            raise BadRowsError(str(path), sorted(found, key=lambda p: p.row), total_rows=len(df))
        df, xs, ys = df[keep].reset_index(drop=True), xs[keep], ys[keep]
    if crs is None:
        crs = 4326 if geographic or (np.abs(xs).max() <= 180 and np.abs(ys).max() <= 90) else None
        if crs is None:
            raise CRSError(f"`{path}`: columns {xcol!r}/{ycol!r} are projected coordinates; give their CRS with --crs")
    else:
        crs = parse_crs(crs)
    if problems is not None and pyproj.CRS.from_user_input(crs).is_geographic:
        out = (np.abs(ys) > 90) | (np.abs(xs) > 180)
        if out.any() and not out.all():  # all out of range: the file-level error below says why
            for i in np.flatnonzero(out):
                problems.append(RowProblem(int(df[SOURCE_ROW].iloc[i]), f"{xcol}/{ycol}",
                                           f"{xs[i]:g}, {ys[i]:g}", "longitude/latitude out of range"))
            keep = ~out
            df, xs, ys = df[keep].reset_index(drop=True), xs[keep], ys[keep]
    gdf = gpd.GeoDataFrame(df.drop(columns=[xcol, ycol]), geometry=shapely.points(xs, ys), crs=crs)
    _check_coordinates(gdf, path)
    return safe_columns(gdf, report)


def decode_text(raw: bytes, *, path: Path, report: ReadReport) -> str:
    """Text of a table: a byte-order mark decides (UTF-8/16/32); otherwise UTF-8, then cp1252, then Latin-1."""
    for bom, enc in BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError as exc:
                raise InvalidInputError(f"`{path}`: starts with a {enc.upper()} byte-order mark but is not "
                                        f"{enc.upper()} ({_short(exc)})") from None
            if enc != "utf-8-sig":
                report.note(f"read as {enc.upper()} (byte-order mark)")
            return text.lstrip("\ufeff")
    if raw[:4000].count(b"\x00") > len(raw[:4000]) // 4 and len(raw) >= 4:  # UTF-16 without a mark
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text[:2000]):
                report.note(f"read as {enc.upper()} (no byte-order mark)")
                return text
    for enc in ENCODINGS:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc != "utf-8-sig":
            report.note(f"read as {enc}")
        return text
    raise AssertionError("latin-1 always decodes")  # pragma: no cover


def safe_columns(gdf: gpd.GeoDataFrame, report: ReadReport) -> gpd.GeoDataFrame:
    """Rename columns a GeoPackage cannot hold beside the others, with a note (never dropped).

    SQLite column names are case-insensitive (``name`` and ``NAME`` clash), and
    ``fid``/``geom`` are the GeoPackage's own key and geometry columns.
    """
    geom = gdf.geometry.name
    taken: set[str] = {"fid", "geom", geom.lower(), "ogc_fid"}
    renames: dict[str, str] = {}
    for col in gdf.columns:
        if col == geom:
            continue
        name = str(col).replace("\x00", "")
        if not name.strip():
            name = "field"
        base, k = name, 1
        while name.lower() in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name.lower())
        if name != col:
            renames[col] = name
    if renames:
        report.note("renamed column(s) a GeoPackage cannot hold as they were: "
                    + ", ".join(f"{a!r} -> {b!r}" for a, b in renames.items()))
        gdf = gdf.rename(columns=renames)
    return gdf


def _numeric(s: pd.Series, col: str, problems: list[RowProblem]) -> tuple[np.ndarray, np.ndarray]:
    """Values of a coordinate column and which rows are bad (not a finite number); problems appended."""
    cleaned = s.astype(str).str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    for i in np.flatnonzero(bad):
        problems.append(RowProblem(int(i) + 2, col, s.iloc[i], "not a number"))
    return values, bad


def read_points(path: str | os.PathLike[str], *, layer: str | None = None,
                crs: str | int | pyproj.CRS | None = None, report: ReadReport | None = None,
                problems: list[RowProblem] | None = None) -> gpd.GeoDataFrame:
    """Read points from CSV, GeoJSON, GeoPackage, Shapefile or KML (:data:`SOURCE_ROW`: row or feature number)."""
    p = Path(path)
    if p.suffix.lower() in (".csv", ".txt", ".tsv"):
        return read_points_table(p, crs=crs, report=report, problems=problems)
    gdf = read_vector(p, layer=layer, family="point", report=report, keep_feature_numbers=True)
    if (gdf.geom_type == "MultiPoint").any():
        gdf = gdf.explode(index_parts=False).reset_index(drop=True)
    return gdf


def coerce_number(value: Any, *, path: str, row: int, column: str) -> float:
    try:
        v = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise InvalidInputError(f"`{path}`: column {column!r} row {row} is not a number: {value!r}") from None
    if not math.isfinite(v):
        raise InvalidInputError(f"`{path}`: column {column!r} row {row} is not finite: {value!r}")
    return v
