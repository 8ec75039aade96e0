"""Read OpenStreetMap extracts (``.osm`` XML, ``.osm.pbf``) with GDAL's OSM driver.

GDAL's OSM driver (https://gdal.org/drivers/vector/osm.html) turns an
extract into five layers: ``points`` (tagged nodes), ``lines`` (open ways),
``multilinestrings``, ``multipolygons`` (closed ways and multipolygon
relations) and ``other_relations``. A few keys are columns; every other tag is
in ``other_tags`` as an hstore string (``"k"=>"v","k2"=>"v2"``), which
:func:`parse_hstore` decodes. :func:`read_osm` returns one layer with all its
tags in a ``tags`` column (dicts).

For projects (``planner import PROJECT --layer KIND city.osm.pbf``),
:func:`osm_layer` extracts what each layer kind needs, in WGS 84:

* ``streets``: ``highway=*`` lines (``highway`` and ``name`` kept);
* ``buildings``: ``building=*`` polygons with ``height_m`` from ``height``
  (or ``building:height``), else ``building:levels`` x :data:`STOREY_HEIGHT_M`
  + ``roof:levels`` x the same, flagged ``height_estimated``; buildings with
  neither get :data:`DEFAULT_BUILDING_HEIGHT_M`, also flagged;
* ``priority_sites``: sensitive places (:data:`SENSITIVE_TAGS`: schools,
  places of worship, hospitals and clinics, social facilities and social
  housing), as points (centroids of areas) with ``name`` and ``kind``;
* ``cameras``: ``man_made=surveillance`` nodes, with the camera fields the
  register reader (:mod:`planner.audit.register`) parses from their tags.

:func:`import_osm` puts the result into a project, clipped to its study area.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import InvalidInputError

#: Metres per storey when only ``building:levels`` is known: the value the
#: OSM 3-D renderers use (OSM Buildings, F4 Map: 3 m a level; the Simple 3D
#: Buildings scheme, https://wiki.openstreetmap.org/wiki/Simple_3D_buildings,
#: leaves the factor to the renderer). Heights made this way are flagged
#: ``height_estimated``.
STOREY_HEIGHT_M = 3.0
#: Height given to a building with neither ``height`` nor ``building:levels``
#: (flagged ``height_estimated``): about three storeys.
DEFAULT_BUILDING_HEIGHT_M = 10.0

#: Tags that make a place sensitive (``key``: values), with the kind reported.
SENSITIVE_TAGS: dict[str, dict[str, str]] = {
    "amenity": {"school": "school", "kindergarten": "school", "childcare": "school", "college": "school",
                "university": "school", "place_of_worship": "worship", "hospital": "health",
                "clinic": "health", "doctors": "health", "social_facility": "social"},
    "building": {"school": "school", "church": "worship", "mosque": "worship", "synagogue": "worship",
                 "temple": "worship", "hospital": "health", "social_housing": "social_housing"},
    "social_facility": {"housing": "social_housing", "shelter": "social"},
    "residential": {"social_housing": "social_housing"},
}

#: ``surveillance:type`` values that are cameras (``guard`` is a person, ``outpost`` a booth).
CAMERA_TYPES = ("camera", "alpr", "anpr", "")
OSM_KINDS = ("streets", "buildings", "priority_sites", "cameras")
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def is_osm_file(path: str | os.PathLike[str]) -> bool:
    """True for ``.osm`` and ``.osm.pbf`` (also ``.pbf``) files."""
    name = Path(path).name.lower()
    return name.endswith(".osm") or name.endswith(".pbf")


def parse_hstore(text: Any) -> dict[str, str]:
    """Decode GDAL's ``other_tags`` (``"k"=>"v",...``) into a dict."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return {}
    out = {}
    for k, v in _HSTORE.findall(str(text)):
        out[k.replace('\\"', '"').replace("\\\\", "\\")] = v.replace('\\"', '"').replace("\\\\", "\\")
    return out


def read_osm(path: str | os.PathLike[str], layer: str) -> gpd.GeoDataFrame:
    """One layer of an OSM extract, WGS 84, with ``osm_id`` and all tags as a dict in ``tags``.

    Raises :class:`InvalidInputError` naming the file when GDAL cannot read it.
    """
    import pyogrio

    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"`{p}`: no such file")
    if p.is_dir():
        raise InvalidInputError(f"`{p}`: is a folder, not a file")
    if p.stat().st_size == 0:
        raise InvalidInputError(f"`{p}`: the file is empty")
    try:
        gdf = pyogrio.read_dataframe(str(p), layer=layer)
    except Exception as exc:  # GDAL errors come in many classes
        msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(f"`{p}`: not a readable OpenStreetMap extract ({msg})") from None
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    skip = {"osm_id", "osm_way_id", "other_tags", gdf.geometry.name}
    tags = []
    fixed = [c for c in gdf.columns if c not in skip]
    other = gdf["other_tags"] if "other_tags" in gdf.columns else pd.Series([None] * len(gdf))
    for i in range(len(gdf)):
        t = {c: str(gdf[c].iloc[i]) for c in fixed
             if gdf[c].iloc[i] is not None and not (isinstance(gdf[c].iloc[i], float) and math.isnan(gdf[c].iloc[i]))
             and str(gdf[c].iloc[i]) != ""}
        t.pop("z_order", None)
        t.update(parse_hstore(other.iloc[i]))
        tags.append(t)
    ids = gdf["osm_id"] if "osm_id" in gdf.columns else pd.Series([None] * len(gdf))
    if "osm_way_id" in gdf.columns:
        ids = ids.where(ids.notna(), "w" + gdf["osm_way_id"].astype(str))
    return gpd.GeoDataFrame({"osm_id": ids.astype(str).to_numpy(), "tags": tags},
                            geometry=gdf.geometry.values, crs=gdf.crs)


def _number(value: str | None) -> float | None:
    """A tag value in metres (``"12"``, ``"12 m"``, ``"12,5"``); None if not a plain number."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*(m|metres|meters)?\s*", str(value))
    return float(m.group(1).replace(",", ".")) if m else None


def building_height(tags: dict[str, str]) -> tuple[float, bool]:
    """``(height_m, estimated)`` of a building from its tags (see the module docs)."""
    h = _number(tags.get("height")) or _number(tags.get("building:height"))
    if h is not None and h > 0:
        return h, False
    levels = _number(tags.get("building:levels"))
    if levels is not None and levels > 0:
        roof = _number(tags.get("roof:levels")) or 0.0
        return (levels + roof) * STOREY_HEIGHT_M, True
    return DEFAULT_BUILDING_HEIGHT_M, True


def sensitive_kind(tags: dict[str, str]) -> str | None:
    """The sensitive-site kind of a feature (school, worship, health, social, social_housing) or None."""
    for key, values in SENSITIVE_TAGS.items():
        v = tags.get(key)
        if v in values:
            return values[v]
    return None


_POINTS16 = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
CARDINAL_DEG: dict[str, float] = {c: i * 22.5 for i, c in enumerate(_POINTS16)}
#: Compass words in English, French, Spanish/Portuguese, German and Italian (accents and separators removed).
COMPASS_WORDS: dict[str, float] = {
    "north": 0, "northnortheast": 22.5, "northeast": 45, "eastnortheast": 67.5, "east": 90, "eastsoutheast": 112.5,
    "southeast": 135, "southsoutheast": 157.5, "south": 180, "southsouthwest": 202.5, "southwest": 225,
    "westsouthwest": 247.5, "west": 270, "westnorthwest": 292.5, "northwest": 315, "northnorthwest": 337.5,
    "nord": 0, "nordest": 45, "est": 90, "sudest": 135, "sud": 180, "sudouest": 225, "ouest": 270, "nordouest": 315,
    "norte": 0, "noreste": 45, "nordeste": 45, "este": 90, "sureste": 135, "sudeste": 135, "sur": 180,
    "suroeste": 225, "sudoeste": 225, "oeste": 270, "noroeste": 315, "leste": 90,
    "ost": 90, "sued": 180, "nordost": 45, "suedost": 135, "suedwest": 225, "nordwest": 315,
    "ovest": 270, "nordovest": 315, "sudovest": 225,
}
_BOUND = re.compile(r"^(n|s|e|w|ne|nw|se|sw|nne|ene|ese|sse|ssw|wsw|wnw|nnw)\s*(?:/\s*b|b|bound)$")


def _norm_word(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_\-.]+", "", t)


def _one_direction(token: str) -> tuple[float, float | None, bool]:
    """``(azimuth, width or None, is_travel_direction)`` of one token; ValueError if unparseable."""
    t = token.strip().rstrip("°º").strip()
    m = re.fullmatch(r"(-?\d+(?:[.,]\d+)?)", t)
    if m:
        return float(m.group(1).replace(",", ".")) % 360.0, None, False
    m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*°?\s*-\s*(\d+(?:[.,]\d+)?)\s*°?", t)
    if m:  # a range, clockwise from the first to the second bearing
        a, b = (float(g.replace(",", ".")) % 360.0 for g in m.groups())
        width = (b - a) % 360.0 or 360.0
        return (a + width / 2) % 360.0, width, False
    up = t.upper().replace(" ", "")
    if up in CARDINAL_DEG:
        return CARDINAL_DEG[up], None, False
    low = t.lower().strip()
    bound = _BOUND.match(low)
    if bound:
        return CARDINAL_DEG[bound.group(1).upper()], None, True
    w = _norm_word(t)
    if w.endswith("bound") and w[:-5] in COMPASS_WORDS:
        return COMPASS_WORDS[w[:-5]], None, True
    if w in COMPASS_WORDS:
        return COMPASS_WORDS[w], None, False
    raise ValueError(f"unparseable direction {token.strip()!r}")


def parse_direction(text: Any, *, travel: bool = False) -> tuple[tuple[float, ...], float | None]:
    """Viewing azimuths (degrees clockwise from north) and the width of a range, from a direction value.

    Accepts degrees (``90``, ``90°``), 16-point compass letters (``N``, ``NNE``),
    compass words in several languages (``north-east``, ``nord``, ``sur``),
    ranges (``90-270``: clockwise from 90 to 270, so centred on 180 and 180°
    wide), lists (``N;S``, ``N/S``, ``0,180``) and monitored approaches
    (``NB``, ``N/B``, ``NORTHBOUND``). An approach names the **traffic's**
    direction of travel; the camera is taken to face that traffic, so it looks
    the opposite way (``NB``: looking south, 180°). With ``travel=True``
    (an "approach" column) plain directions are read as traffic directions too.
    Returns ``((), None)`` for an empty value; raises ``ValueError`` with the
    reason when the value cannot be read.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return (), None
    s = str(text).strip()
    if not s or s.lower() in ("nan", "none", "null", "n/a", "na", "-", "unknown", "?"):
        return (), None
    if _BOUND.match(s.lower()):
        tokens = [s]
    else:
        tokens = [x for x in re.split(r"\s*(?:;|,(?!\d)|/|\||&|\band\b|\bet\b|\by\b)\s*", s) if x.strip()]
        if re.fullmatch(r"\d+,\d+", s):  # "0,180" is a list, "12,5" a decimal comma: read as a list of bearings
            tokens = s.split(",")
    looks: list[float] = []
    width = None
    for tok in tokens:
        az, w, is_travel = _one_direction(tok)
        if is_travel or travel:
            az = (az + 180.0) % 360.0
        looks.append(az)
        if w is not None:
            width = w if width is None else max(width, w)
    return tuple(looks), width


def mount_kind(value: Any) -> str:
    """``fixed``, ``dome`` or ``panning`` (OSM ``camera:type`` values, plus common synonyms), else ``unknown``."""
    w = _norm_word(str(value or ""))
    if not w or w in ("nan", "none", "unknown"):
        return "unknown"
    if any(k in w for k in ("ptz", "pan", "speeddome", "360", "fisheye", "rotat", "giratoria", "mobile")):
        return "panning"
    if any(k in w for k in ("dome", "domo", "domo", "kuppel", "cupula")):
        return "dome"
    if any(k in w for k in ("fixed", "fixe", "fija", "fijo", "fissa", "bullet", "box", "tube", "static", "alpr", "lpr",
                            "anpr", "speed", "redlight", "fest")):
        return "fixed"
    return "unknown"


def camera_fields(tags: dict[str, str]) -> dict[str, Any]:
    """Camera fields from OSM surveillance tags (``camera:direction`` or ``direction``, ``camera:type``,
    ``camera:angle``, ``height``, ``surveillance:type``, ``surveillance``); ``error`` names a tag that
    could not be read."""
    out: dict[str, Any] = {"mount_kind": mount_kind(tags.get("camera:type")),
                           "surveillance_type": tags.get("surveillance:type", ""),
                           "zone": tags.get("surveillance", ""), "directions_deg": (), "width_deg": None,
                           "height_m": _number(tags.get("height")), "tilt_deg": None}
    raw = tags.get("camera:direction", tags.get("direction"))
    try:
        out["directions_deg"], out["width_deg"] = parse_direction(raw)
    except ValueError as exc:
        out["error"] = f"camera:direction: {exc}"
    ang = tags.get("camera:angle")
    if ang is not None:
        try:
            a = abs(float(str(ang).strip().rstrip("°").replace(",", ".")))
            out["tilt_deg"] = min(a, 90.0)
        except ValueError:
            out.setdefault("error", f"camera:angle: not a number {ang!r}")
    return out


def osm_layer(path: str | os.PathLike[str], kind: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """What layer ``kind`` (:data:`OSM_KINDS`) needs from an extract, WGS 84, with notes."""
    notes: list[str] = []
    if kind == "streets":
        g = read_osm(path, "lines")
        keep = [("highway" in t) for t in g["tags"]]
        g = g[keep]
        if not len(g):
            raise InvalidInputError(f"`{path}`: no highway=* lines in the extract")
        out = gpd.GeoDataFrame({"osm_id": g["osm_id"].to_numpy(),
                                "highway": [t["highway"] for t in g["tags"]],
                                "name": [t.get("name", "") for t in g["tags"]]},
                               geometry=g.geometry.values, crs=g.crs)
        return out.reset_index(drop=True), notes
    if kind == "buildings":
        g = read_osm(path, "multipolygons")
        g = g[[("building" in t and t["building"] != "no") for t in g["tags"]]]
        if not len(g):
            raise InvalidInputError(f"`{path}`: no building=* polygons in the extract")
        hs = [building_height(t) for t in g["tags"]]
        out = gpd.GeoDataFrame({"osm_id": g["osm_id"].to_numpy(),
                                "building": [t["building"] for t in g["tags"]],
                                "name": [t.get("name", "") for t in g["tags"]],
                                "height_m": [h for h, _ in hs],
                                "height_estimated": [e for _, e in hs]},
                               geometry=g.geometry.values, crs=g.crs)
        n_est = int(sum(e for _, e in hs))
        if n_est:
            notes.append(f"{n_est} of {len(out)} building height(s) estimated: building:levels x "
                         f"{STOREY_HEIGHT_M:g} m a storey, or {DEFAULT_BUILDING_HEIGHT_M:g} m without levels")
        return out.reset_index(drop=True), notes
    if kind == "priority_sites":
        rows: list[tuple[str, str, str, Any]] = []
        for layer in ("points", "multipolygons"):
            g = read_osm(path, layer)
            for oid, t, geom in zip(g["osm_id"], g["tags"], g.geometry.values, strict=True):
                k = sensitive_kind(t)
                if k is None or geom is None or geom.is_empty:
                    continue
                pt = geom if geom.geom_type == "Point" else geom.representative_point()
                rows.append((oid, t.get("name", "") or f"{k} {oid}", k, pt))
        if not rows:
            raise InvalidInputError(f"`{path}`: no sensitive sites (amenity=school, place_of_worship, "
                                    "hospital, clinic, social_facility ...) in the extract")
        out = gpd.GeoDataFrame({"osm_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                                "kind": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs="EPSG:4326")
        return out, notes
    if kind == "cameras":
        g = read_osm(path, "points")
        cam_rows: list[tuple[Any, ...]] = []
        for oid, t, geom in zip(g["osm_id"], g["tags"], g.geometry.values, strict=True):
            if t.get("man_made") != "surveillance" or geom is None or geom.is_empty:
                continue
            if t.get("surveillance:type", "camera").lower() not in CAMERA_TYPES:
                notes.append(f"node {oid}: surveillance:type={t['surveillance:type']} is not a camera; left out")
                continue
            f = camera_fields(t)
            if f.get("error"):
                notes.append(f"node {oid}: {f['error']}; direction left unknown")
            dirs = f.get("directions_deg") or ()
            cam_rows.append((oid, t.get("name", "") or t.get("ref", ""), dirs[0] if dirs else np.nan,
                         f.get("height_m") if f.get("height_m") is not None else np.nan,
                         f.get("tilt_deg") if f.get("tilt_deg") is not None else np.nan,
                         f.get("mount_kind", "unknown"), geom))
        if not cam_rows:
            raise InvalidInputError(f"`{path}`: no man_made=surveillance nodes in the extract")
        out = gpd.GeoDataFrame({"osm_id": [r[0] for r in cam_rows], "name": [r[1] for r in cam_rows],
                                "azimuth_deg": [r[2] for r in cam_rows], "height_m": [r[3] for r in cam_rows],
                                "tilt_deg": [r[4] for r in cam_rows], "mount_kind": [r[5] for r in cam_rows]},
                               geometry=[r[6] for r in cam_rows], crs="EPSG:4326")
        return out, notes
    raise InvalidInputError(f"`{path}`: an OpenStreetMap extract can fill {', '.join(OSM_KINDS)}; not {kind!r}")


def _clip(gdf: gpd.GeoDataFrame, area: Any, kind: str) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.values
    if kind == "streets":
        clipped = shapely.intersection(geoms, area)
        keep = ~shapely.is_empty(clipped)
        gdf = gdf[keep].copy()
        parts = clipped[keep]
        # keep line parts only (an intersection can add stray points)
        lines = [shapely.line_merge(shapely.union_all([p for p in shapely.get_parts(g)
                                                       if p.geom_type in ("LineString", "MultiLineString")]))
                 for g in parts]
        gdf = gdf.set_geometry(gpd.GeoSeries(lines, crs=gdf.crs, index=gdf.index))
        return gdf[~gdf.geometry.is_empty & gdf.geom_type.isin(["LineString", "MultiLineString"])]
    if kind == "buildings":
        return gdf[shapely.intersects(geoms, area)]
    return gdf[shapely.intersects(geoms, area)]  # points: inside or on the boundary


def import_osm(project: Any, kind: str, path: str | os.PathLike[str], *, phase: str | None = None,
               replace: bool = False) -> tuple[int, list[str]]:
    """Put layer ``kind`` of an OSM extract into ``project``, clipped to its study area.

    Returns ``(count, notes)``; the project is unchanged if this raises.
    """
    from planner.io.vector import to_project_crs
    from planner.model.nodes import Camera

    p = str(path)
    gdf, notes = osm_layer(path, kind)
    gdf = to_project_crs(gdf, project.crs, path=p)
    n0 = len(gdf)
    gdf = _clip(gdf, project.study_area, kind).reset_index(drop=True)
    if n0 - len(gdf):
        notes.append(f"{n0 - len(gdf)} of {n0} feature(s) outside the study area left out")
    if not len(gdf):
        raise InvalidInputError(f"`{p}`: none of the {n0} {kind} of the extract lies in the study area")
    notes.append("© OpenStreetMap contributors (ODbL 1.0)")
    if kind == "cameras":
        start = int(project.new_id("camera").rsplit("-", 1)[1])
        nodes = []
        for i, row in enumerate(gdf.itertuples()):
            kw: dict[str, Any] = {"id": f"cam-{start + i:04d}", "x": float(row.geometry.x), "y": float(row.geometry.y),
                                  "name": str(row.name) or f"OSM node {row.osm_id}"}
            if not math.isnan(row.azimuth_deg):
                kw["azimuth_deg"] = float(row.azimuth_deg)
            if not math.isnan(row.height_m):
                kw["height_m"] = float(row.height_m)
            if not math.isnan(row.tilt_deg):
                kw["tilt_deg"] = float(row.tilt_deg)
            if row.mount_kind in ("dome", "panning"):
                kw["camera_type"] = "ptz-1080p-25x" if row.mount_kind == "panning" else "dome-1080p-2.8"
            if phase is not None:
                kw["phase"] = phase
            nodes.append(Camera(**kw))
        unknown = int(gdf["azimuth_deg"].isna().sum())
        if unknown:
            notes.append(f"{unknown} camera(s) without camera:direction: azimuth 0 (north) set; check them")
        project.add_nodes(nodes)
        return len(nodes), notes
    if not replace and kind in project.layers:
        gdf = gpd.GeoDataFrame(pd.concat([project.layers[kind], gdf], ignore_index=True),
                               geometry="geometry", crs=project.crs)
    project.set_layer(kind, gdf)
    return len(gdf), notes


__all__ = ["DEFAULT_BUILDING_HEIGHT_M", "OSM_KINDS", "SENSITIVE_TAGS", "STOREY_HEIGHT_M", "building_height",
           "import_osm", "is_osm_file", "osm_layer", "parse_hstore", "read_osm", "sensitive_kind"]
