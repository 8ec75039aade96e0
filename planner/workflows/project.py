"""Project use-cases shared by the CLI and the GUI: create, open, import, inspect, save.

Each workflow either succeeds completely or raises a
:class:`planner.errors.PlannerError` before changing anything: imports build
the new layer or nodes first and only then touch the project, and the file
is only ever replaced atomically by :func:`planner.io.project_file.save_project`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from planner.errors import BadRowsError, InvalidInputError, ProjectFileError, RowProblem
from planner.io import osm, vector
from planner.io.project_file import load_project, read_schema_version, save_project
from planner.model.nodes import NODE_CLASSES, Node, NodeKind
from planner.model.project import REFERENCE_LAYERS, Parameters, Project, Raster, empty_districts, utm_crs_for

#: ``planner import --layer KIND`` choices.
LAYER_KINDS = ("boundary", "districts", *REFERENCE_LAYERS, "dem",
               "cameras", "radio_sites", "storage_centres", "command_centres", "camera_types")


NODE_LAYER_KINDS: dict[str, NodeKind] = {
    "cameras": NodeKind.CAMERA,
    "radio_sites": NodeKind.RADIO_SITE,
    "storage_centres": NodeKind.STORAGE_CENTRE,
    "command_centres": NodeKind.COMMAND_CENTRE,
}


NAME_FIELDS = ("name", "nom", "nombre", "nom_com", "nom_qua", "label", "title", "intersection", "address")


CODE_FIELDS = ("code", "codigo", "cod_comuna", "insee", "depco", "id")


#: Column aliases for node attributes in imported tables (normalised lower-case).
NODE_ALIASES: dict[str, tuple[str, ...]] = {
    "name": NAME_FIELDS + ("location", "site"),
    "height_m": ("height_m", "height", "mount_height", "mount_height_m", "elevation_agl"),
    "azimuth_deg": ("azimuth_deg", "azimuth", "direction", "camera:direction", "bearing", "heading"),
    "tilt_deg": ("tilt_deg", "tilt"),
    "camera_type": ("camera_type", "type", "model"),
    "phase": ("phase", "stage"),
    "cost": ("cost", "price", "unit_cost"),
    "status": ("status",),
    "capacity_tb": ("capacity_tb", "capacity"),
    "site_kind": ("site_kind", "kind"),
    "freq_mhz": ("freq_mhz", "frequency_mhz", "frequency"),
}


@dataclass
class ImportSummary:
    """What an import did, for the CLI and the GUI to show."""

    kind: str
    path: str
    count: int
    notes: list[str] = field(default_factory=list)
    #: rows left out by ``skip_bad_rows``: ``{row, column, value, reason}``
    skipped: list[dict[str, Any]] = field(default_factory=list)


#: Nodes farther than this from the study area are refused at import unless kept on purpose.
OUTSIDE_LIMIT_M = 1000.0


# ------------------------------------------------------------------ create
def read_boundary(path: str | os.PathLike[str], *, layer: str | None = None,
                  report: vector.ReadReport | None = None) -> gpd.GeoDataFrame:
    return vector.read_vector(path, layer=layer, family="polygon", report=report)


def _texts(s: pd.Series) -> list[str]:
    """Values as text, missing ones as "" (pandas 3 keeps NaN through ``astype(str)``)."""
    return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in s.tolist()]


def districts_from(gdf: gpd.GeoDataFrame, *, path: str, name_field: str | None = None,
                   code_field: str | None = None, level: str = "district") -> gpd.GeoDataFrame:
    """Normalise a polygon layer into the ``name``/``code``/``level`` districts schema."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is not None and name_field not in cols:
        raise InvalidInputError(f"`{path}`: no field {name_field!r}; fields are {', '.join(cols)}")
    if code_field is not None and code_field not in cols:
        raise InvalidInputError(f"`{path}`: no field {code_field!r}; fields are {', '.join(cols)}")
    nf = name_field or vector.find_column(cols, NAME_FIELDS)
    cf = code_field or vector.find_column([c for c in cols if c != nf], CODE_FIELDS)
    n = len(gdf)
    names = _texts(gdf[nf]) if nf else [f"{level.title()} {i + 1}" for i in range(n)]
    codes = _texts(gdf[cf]) if cf else [str(i + 1) for i in range(n)]
    return gpd.GeoDataFrame({"name": names, "code": codes, "level": [level] * n},
                            geometry=gdf.geometry.values, crs=gdf.crs)


def new_project(name: str, *, boundary: str | os.PathLike[str], districts: str | os.PathLike[str] | None = None,
                name_field: str | None = None, code_field: str | None = None,
                boundary_layer: str | None = None, districts_layer: str | None = None,
                parameters: Parameters | None = None, crs: str | int | None = None,
                notes: list[str] | None = None, jurisdiction: str | None = None, currency: str | None = None,
                guess_locale: bool = False) -> Project:
    """Create a project from a boundary file (its union is the study area).

    ``jurisdiction``/``currency`` set those parameters; with ``guess_locale``, the ones not given are
    guessed from the study area's country (:func:`planner.project_settings.guess_locale`), said in
    ``notes``.
    """
    from planner import project_settings

    jurisdiction = project_settings.check_jurisdiction(jurisdiction) if jurisdiction is not None else None
    currency = project_settings.check_currency(currency) if currency is not None else None
    report = vector.ReadReport(str(boundary))
    bnd = read_boundary(boundary, layer=boundary_layer, report=report)
    area_wgs = vector.union_polygons(vector.to_project_crs(bnd, pyproj.CRS.from_epsg(4326),
                                                           path=str(boundary)).geometry.values, path=str(boundary))
    vector.check_study_area_wgs84(area_wgs, path=str(boundary))
    project_crs = vector.parse_crs(crs) if crs is not None else utm_crs_for(area_wgs)
    bnd_p = vector.to_project_crs(bnd, project_crs, path=str(boundary))
    study_area = vector.union_polygons(bnd_p.geometry.values, path=str(boundary))
    vector.check_study_area_projected(study_area, path=str(boundary), declared_crs=bnd.crs)
    dist = empty_districts(project_crs)
    if districts is not None:
        drep = vector.ReadReport(str(districts))
        dgdf = vector.read_vector(districts, layer=districts_layer, family="polygon", report=drep)
        dgdf = vector.to_project_crs(dgdf, project_crs, path=str(districts))
        dist = districts_from(dgdf, path=str(districts), name_field=name_field, code_field=code_field)
        report.notes.extend(f"{Path(districts).name}: {n}" for n in drep.notes)
    params = parameters or Parameters()
    missing = [k for k, v in (("jurisdiction", jurisdiction), ("currency", currency)) if v is None]
    if guess_locale and missing:
        guess = project_settings.guess_locale(study_area, project_crs)
        if guess is None:
            report.notes.append(f"no country found for the study area: {' and '.join(missing)} left at "
                                f"{params.jurisdiction or '(none)'}/{params.currency}; set them with "
                                "`planner set PROJECT jurisdiction=.. currency=..`")
        else:
            jurisdiction = guess.country_code if jurisdiction is None else jurisdiction
            currency = guess.currency if currency is None else currency
            report.notes.append(guess.note(missing))
    if jurisdiction is not None:
        params = dataclasses.replace(params, jurisdiction=jurisdiction)
    if currency is not None:
        params = dataclasses.replace(params, currency=currency)
    project = Project(name=name, crs=project_crs, study_area=study_area, districts=dist, parameters=params)
    if notes is not None:
        notes.extend(report.notes)
    return project


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


# -------------------------------------------------------------- open / save
def open_project(path: str | os.PathLike[str]) -> Project:
    """Load a project and check what only the analyses understand (camera types, unit prices).

    A project whose own camera types or unit prices are invalid is a bad
    project file (:class:`ProjectFileError`, exit 3), found on open rather
    than in the middle of an analysis or export.
    """
    project = load_project(path)
    check_project_metadata(project, where=f"`{path}`")
    return project


def _parse_types(doc: Any, *, origin: str) -> dict[str, Any]:
    """:func:`parse_camera_types`, with values of the wrong JSON type reported, not raised as bugs."""
    import json

    from planner.analysis.camera_types import parse_camera_types

    entries = doc.get("types") if isinstance(doc, dict) else doc
    for i, e in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(e, dict):
            for key in ("id", "name", "kind", "codec"):
                if key in e and not isinstance(e[key], str):
                    raise InvalidInputError(f"`{origin}`: types[{i}]: `{key}` must be text; got "
                                            f"{type(e[key]).__name__} {json.dumps(e[key])[:40]}")
    try:
        return parse_camera_types(doc, origin=origin)
    except InvalidInputError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise InvalidInputError(f"`{origin}`: a camera type has a value of the wrong type ({exc})") from None


def check_project_metadata(project: Project, *, where: str) -> None:
    from planner.analysis.camera_types import builtin_camera_types
    from planner.analysis.costs import fx_rate, unit_prices

    md = project.metadata
    types = md.get("camera_types")
    if types is not None:
        if not isinstance(types, list):
            raise ProjectFileError(f"{where}: metadata `camera_types` must be a list; got {type(types).__name__}")
        try:
            parsed = _parse_types({"schema_version": 1, "types": types}, origin="metadata camera_types")
        except InvalidInputError as exc:
            raise ProjectFileError(f"{where}: {exc}") from None
        clash = sorted(set(parsed) & set(builtin_camera_types()))
        if clash:
            raise ProjectFileError(f"{where}: project camera type id(s) {', '.join(clash)} redefine built-in types")
    prices = md.get("unit_prices")
    if prices is not None:
        if not isinstance(prices, dict):
            raise ProjectFileError(f"{where}: metadata `unit_prices` must be an object; got {type(prices).__name__}")
        try:
            unit_prices({k: v for k, v in prices.items() if not str(k).startswith("fx:")})
            for k in prices:
                if str(k).startswith("fx:"):  # an exchange rate (units of that currency per EUR)
                    fx_rate(str(k)[3:], prices)
        except InvalidInputError as exc:
            raise ProjectFileError(f"{where}: metadata `unit_prices`: {exc}") from None
    for key in ("attribution", "generator"):
        if key in md and not isinstance(md[key], str):
            raise ProjectFileError(f"{where}: metadata `{key}` must be text; got {type(md[key]).__name__}")


def save(project: Project, path: str | os.PathLike[str], *, overwrite_changed: bool = False) -> Path:
    """Save atomically; refuses (``ProjectChangedError``) when the file changed on disk since it was
    opened, unless ``overwrite_changed`` (the user chose to overwrite)."""
    return save_project(project, path, overwrite_changed=overwrite_changed)


# ----------------------------------------------------------------- imports
def import_layer(project: Project, kind: str, path: str | os.PathLike[str], *,
                 layer: str | None = None, name_field: str | None = None, code_field: str | None = None,
                 crs: str | int | None = None, phase: str | None = None, level: str = "district",
                 replace: bool = False, skip_bad_rows: bool = False, keep_outside: bool = False) -> ImportSummary:
    """Import a file into ``project``; the project is unchanged if this raises.

    Node tables: every bad row is reported at once (:class:`BadRowsError`);
    ``skip_bad_rows`` imports the good ones and lists the others in the notes
    and ``skipped``. Nodes more than :data:`OUTSIDE_LIMIT_M` outside the study
    area are bad rows unless ``keep_outside``.
    """
    if kind not in LAYER_KINDS:
        raise InvalidInputError(f"unknown layer kind {kind!r}; expected one of {', '.join(LAYER_KINDS)}")
    p = str(path)
    report = vector.ReadReport(p)
    if kind in osm.OSM_KINDS and osm.is_osm_file(path):  # OpenStreetMap extract (.osm, .osm.pbf)
        return ImportSummary(kind, p, *osm.import_osm(project, kind, path, phase=phase, replace=replace))
    if kind == "boundary":
        raw = read_boundary(path, layer=layer, report=report)
        vector.check_study_area_wgs84(vector.union_polygons(
            vector.to_project_crs(raw, pyproj.CRS.from_epsg(4326), path=p).geometry.values, path=p), path=p)
        gdf = vector.to_project_crs(raw, project.crs, path=p)
        area = vector.union_polygons(gdf.geometry.values, path=p)
        vector.check_study_area_projected(area, path=p, declared_crs=raw.crs)
        project.set_study_area(area)
        return ImportSummary(kind, p, len(gdf), report.notes)
    if kind == "districts":
        gdf = vector.read_vector(path, layer=layer, family="polygon", report=report)
        gdf = vector.to_project_crs(gdf, project.crs, path=p)
        new = districts_from(gdf, path=p, name_field=name_field, code_field=code_field, level=level)
        _check_overlaps_area(new, project, p)
        if not replace and len(project.districts):
            new = pd.concat([project.districts, new], ignore_index=True)
            new = gpd.GeoDataFrame(new, geometry="geometry", crs=project.crs)
        project.set_districts(new)
        return ImportSummary(kind, p, len(gdf), report.notes)
    if kind in REFERENCE_LAYERS:
        gdf = vector.read_vector(path, layer=layer, family=REFERENCE_LAYERS[kind], report=report)
        gdf = vector.to_project_crs(gdf, project.crs, path=p)
        if kind == "buildings":
            gdf = _normalise_buildings(gdf, p, report)
        if not replace and kind in project.layers:
            gdf = gpd.GeoDataFrame(pd.concat([project.layers[kind], gdf], ignore_index=True),
                                   geometry="geometry", crs=project.crs)
        project.set_layer(kind, gdf)
        return ImportSummary(kind, p, len(gdf), report.notes)
    if kind == "camera_types":
        n = import_camera_types(project, path)
        return ImportSummary(kind, p, n, [])
    if kind == "dem":
        dem = read_dem_for_project(project, path)
        project.set_dem(dem)
        r, c = dem.shape
        return ImportSummary(kind, p, r * c, [f"DEM resampled to {dem.resolution_m[0]:g} m on the project grid"])
    nk = NODE_LAYER_KINDS[kind]
    problems: list[RowProblem] = []  # rows the reader left out (coordinates that are not numbers)
    gdf = vector.read_points(path, layer=layer, crs=crs, report=report, problems=problems)
    gdf = vector.to_project_crs(gdf, project.crs, path=p)
    found: list[RowProblem] = []
    row_by_id: dict[str, int] = {}
    nodes = nodes_from_table(project, nk, gdf, path=p, phase=phase, problems=found, notes=report.notes,
                             node_rows=row_by_id)
    near = _near_area(project, [n.xy for n in nodes], OUTSIDE_LIMIT_M) if nodes else np.zeros(0, dtype=bool)
    if nodes and not near.any() and not keep_outside:
        raise InvalidInputError(f"`{p}`: none of the {len(nodes)} points lies in or near the study area "
                                "(wrong CRS, or swapped coordinates?)")
    if not near.all():
        far = [n for n, ok in zip(nodes, near, strict=True) if not ok]
        if keep_outside:
            report.note(f"{len(far)} point(s) lie more than {OUTSIDE_LIMIT_M / 1000:g} km outside the study area "
                        "(kept: --keep-outside)")
        else:
            dist = shapely.distance(project.study_area, shapely.points([n.xy for n in far]))
            found.extend(RowProblem(row_by_id.get(n.id, 0), "", f"{n.x:.0f}, {n.y:.0f}",
                                    f"{d / 1000:.1f} km outside the study area (keep such nodes with "
                                    "--keep-outside)") for n, d in zip(far, dist, strict=True))
            nodes = [n for n, ok in zip(nodes, near, strict=True) if ok]
    bad = sorted(problems + found, key=lambda q: q.row)
    if bad and (not skip_bad_rows or not nodes):
        raise BadRowsError(p, bad, total_rows=len(gdf) + len({q.row for q in problems}))
    skipped = bad
    if skipped:
        shown = "; ".join(q.describe() for q in skipped[:50])
        more = f"; and {len(skipped) - 50} more" if len(skipped) > 50 else ""
        report.note(f"skipped {len({q.row for q in skipped})} bad row(s) (--skip-bad-rows): {shown}{more}")
    project.add_nodes(nodes)
    return ImportSummary(kind, p, len(nodes), report.notes, skipped=[q.to_dict() for q in skipped])


def import_camera_types(project: Project, path: str | os.PathLike[str]) -> int:
    """Add the camera types of a JSON file (``{"schema_version": 1, "types": [...]}``) to the project.

    Types are validated together (every problem reported in one line); a type
    with the id of an earlier project type replaces it. Built-in ids cannot be
    redefined, so a project never changes what a library id means.
    """
    from planner.analysis.camera_types import builtin_camera_types

    p = Path(path)
    doc = vector.read_json_file(p, max_depth=16)
    parsed = _parse_types(doc, origin=str(p))
    clash = sorted(set(parsed) & set(builtin_camera_types()))
    if clash:
        raise InvalidInputError(f"`{p}`: id(s) {', '.join(clash)} belong to the built-in library; use new ids")
    entries = doc["types"] if isinstance(doc, dict) else doc
    current = [t for t in project.metadata.get("camera_types", []) if t.get("id") not in parsed]
    project.set_metadata("camera_types", current + [e for e in entries if e.get("id") in parsed])
    return len(parsed)


def _check_overlaps_area(gdf: gpd.GeoDataFrame, project: Project, path: str) -> None:
    if not gdf.geometry.intersects(project.study_area).any():
        raise InvalidInputError(f"`{path}`: no district overlaps the study area (wrong file or CRS?)")


def _normalise_buildings(gdf: gpd.GeoDataFrame, path: str, report: vector.ReadReport) -> gpd.GeoDataFrame:
    cols = list(gdf.columns)
    hcol = vector.find_column(cols, ("height_m", "height", "hauteur", "altura", "building:height"))
    lcol = vector.find_column(cols, ("levels", "building:levels", "nb_etages", "floors", "pisos"))
    heights = np.full(len(gdf), np.nan)
    if hcol:
        text = pd.Series(_texts(gdf[hcol]), index=gdf.index).str.replace("m", "").str.strip()
        # a writable float copy (pandas 3 hands out read-only views)
        heights = np.array(pd.to_numeric(text, errors="coerce"), dtype=float)
    if lcol:
        lv = np.array(pd.to_numeric(gdf[lcol], errors="coerce"), dtype=float) * 3.0 + 1.0  # 3 m a storey + roof
        heights = np.where(np.isnan(heights), lv, heights)
    missing = np.isnan(heights)
    if missing.any():
        report.note(f"{int(missing.sum())} building(s) without height or levels: 10 m assumed")
        heights[missing] = 10.0
    if (heights <= 0).any() or (heights > 1000).any():
        raise InvalidInputError(f"`{path}`: building heights out of range (0, 1000] m")
    gdf = gdf.copy()
    gdf["height_m"] = heights
    return gdf


def nodes_from_table(project: Project, kind: NodeKind, gdf: gpd.GeoDataFrame, *, path: str,
                     phase: str | None = None, problems: list[RowProblem] | None = None,
                     notes: list[str] | None = None, node_rows: dict[str, int] | None = None) -> list[Node]:
    """Build nodes of ``kind`` from a point table, mapping columns by name.

    Every bad value is found (not only the first): without ``problems`` one
    :class:`BadRowsError` lists them all (row, column, value, reason); with a
    ``problems`` list they are appended to it and their rows left out. Camera
    types must be in the library or the project's own types. Ids from the
    file are kept when they are unique and new; otherwise ids are generated
    and ``notes`` says why.
    """
    cls = NODE_CLASSES[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    cols = [c for c in gdf.columns if c not in (gdf.geometry.name, vector.SOURCE_ROW)]
    mapping: dict[str, str] = {}
    for fname, aliases in NODE_ALIASES.items():
        if fname in fields:
            col = vector.find_column(cols, aliases)
            if col is not None and col not in mapping.values():
                mapping[fname] = col
    rows = (gdf[vector.SOURCE_ROW].astype(int).tolist() if vector.SOURCE_ROW in gdf.columns
            else list(range(2, len(gdf) + 2)))
    id_col = vector.find_column(cols, ("id", "node_id", "camera_id"))
    ids: list[str] = []
    taken = set(n.id for n in project.iter_nodes())
    if id_col is not None:
        raw = [t.strip() for t in _texts(gdf[id_col])]
        dup = len(set(raw)) != len(raw)
        clash = sorted(set(raw) & taken)
        if not dup and not clash and all(raw) and not any("\x00" in r for r in raw):
            ids = raw
        elif notes is not None:
            why = ("repeat within the file" if dup else f"already in the project ({', '.join(clash[:3])})" if clash
                   else "are empty or unusable")
            notes.append(f"ids in column {id_col!r} {why}: generated ids {cls.ID_PREFIX}-NNNN were used instead")
    if not ids:
        start = int(project.new_id(kind).rsplit("-", 1)[1])
        ids = [f"{cls.ID_PREFIX}-{start + i:04d}" for i in range(len(gdf))]
    known_types = project_camera_type_ids(project) if kind == NodeKind.CAMERA else set()
    xs = shapely.get_x(gdf.geometry.values)
    ys = shapely.get_y(gdf.geometry.values)
    out: list[Node] = []
    found: list[RowProblem] = []
    for i in range(len(gdf)):
        row = rows[i]
        n_before = len(found)
        kwargs: dict[str, Any] = {"id": ids[i], "x": float(xs[i]), "y": float(ys[i])}
        for fname, col in mapping.items():
            value = gdf[col].iloc[i]
            if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
                continue
            if "\x00" in str(value):
                found.append(RowProblem(row, col, value, "holds a NUL character"))
                continue
            default = fields[fname].default
            if isinstance(default, (int, float)) and not isinstance(default, bool) and not isinstance(default, str):
                try:
                    value = vector.coerce_number(value, path=path, row=row, column=col)
                    if isinstance(default, int) and not isinstance(default, float):
                        if not value.is_integer():
                            raise InvalidInputError("not a whole number")
                        value = int(value)
                except InvalidInputError as exc:
                    reason = "not a finite number" if "not finite" in str(exc) else (
                        "not a whole number" if "whole" in str(exc) else "not a number")
                    found.append(RowProblem(row, col, value, reason))
                    continue
            else:
                value = str(value).strip()
            kwargs[fname] = value
        if kind == NodeKind.CAMERA:
            ctype = kwargs.get("camera_type", fields["camera_type"].default)
            if ctype not in known_types:
                found.append(RowProblem(row, mapping.get("camera_type", ""), ctype,
                                        "unknown camera type (not in the library or the project's camera types; "
                                        "import them with --layer camera_types)"))
        if len(found) > n_before:
            continue
        if phase is not None:
            kwargs["phase"] = phase
        try:
            out.append(cls(**kwargs))
            if node_rows is not None:
                node_rows[ids[i]] = row
        except InvalidInputError as exc:
            col, value = "", ""
            for fname, c in mapping.items():
                if f"`{fname}`" in str(exc):
                    col, value = c, gdf[c].iloc[i]
            reason = str(exc).split(": ", 1)[-1]
            found.append(RowProblem(row, col, value, reason))
    if found:
        if problems is None:
            raise BadRowsError(path, found, total_rows=len(gdf))
        problems.extend(found)
    return out


def read_dem_for_project(project: Project, path: str | os.PathLike[str], *,
                         resolution_m: float = 30.0, margin_m: float = 2000.0) -> Raster:
    """Read a DEM (GeoTIFF, SRTM .hgt or .hgt.zip), reproject it onto a grid in the project CRS."""
    import rasterio
    from rasterio._err import CPLE_BaseError

    from planner.io.raster import read_dem

    bounds = shapely.box(*project.study_area.bounds).buffer(margin_m, join_style="mitre").bounds
    try:
        grid = read_dem(path, crs=project.crs, resolution_m=resolution_m, bounds=bounds)
    except (rasterio.errors.RasterioError, CPLE_BaseError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "EngineeringCRS" in text or "LOCAL_CS" in text or "coordinate operation" in text:
            raise InvalidInputError(f"`{path}`: the DEM's CRS cannot be placed on the Earth (an engineering or "
                                    "local CRS); reproject it to a geographic or projected CRS") from None
        raise InvalidInputError(f"`{path}`: the DEM cannot be read (truncated or damaged? {text[:160]})") from None
    return Raster(array=grid.array.astype("float32"), transform=tuple(grid.transform)[:6],
                  crs=project.crs, nodata=None if grid.nodata is None or math.isnan(grid.nodata) else grid.nodata,
                  source=Path(path).name)


# --------------------------------------------------------------- inspect
def info(project: Project, *, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """A JSON-able summary of the project (``planner info --json``)."""
    counts = project.count_by_kind()
    levels: dict[str, int] = {}
    if len(project.districts):
        levels = {str(k): int(v) for k, v in project.districts["level"].value_counts(sort=False).items()}
    phases: dict[str, dict[str, int]] = {}
    for n in project.iter_nodes():
        ph = phases.setdefault(n.phase or "(none)", {k.value: 0 for k in NodeKind})
        ph[n.KIND.value] += 1
    links: dict[str, int] = {}
    for lk in project.links():
        links[str(lk.kind)] = links.get(str(lk.kind), 0) + 1
    storage_tb = sum(n.capacity_tb for n in project.nodes(NodeKind.STORAGE_CENTRE))  # type: ignore[attr-defined]
    doc: dict[str, Any] = {
        "name": project.name,
        "crs": {"epsg": project.epsg, "name": project.crs.name},
        "study_area_km2": round(project.area_km2(), 3),
        "districts": int(len(project.districts)),
        "districts_by_level": levels,
        "layers": {name: int(len(gdf)) for name, gdf in sorted(project.layers.items())},
        "nodes": counts,
        "cameras": counts["camera"],
        "links": links,
        "phases": phases,
        "storage_capacity_tb": storage_tb,
        "parameters": project.parameters.to_dict(),
        "dem": None,
        "results": sorted(str(k) for k in project.results),
        "attribution": project.metadata.get("attribution", project.parameters.attribution),
    }
    if project.dem is not None:
        arr = project.dem.array
        valid = arr[np.isfinite(arr)] if project.dem.nodata is None else arr[arr != project.dem.nodata]
        doc["dem"] = {
            "shape": list(project.dem.shape),
            "resolution_m": project.dem.resolution_m[0],
            "bounds": [round(b, 2) for b in project.dem.bounds],
            "min_m": float(valid.min()) if valid.size else None,
            "max_m": float(valid.max()) if valid.size else None,
            "source": project.dem.source,
        }
    if path is not None:
        doc["file"] = {"path": str(path), "size_bytes": Path(path).stat().st_size,
                       "schema_version": read_schema_version(path)}
    return doc


def format_info(doc: dict[str, Any]) -> str:
    from planner.style import plural

    lines = [
        f"Project      {doc['name']}",
        f"CRS          EPSG:{doc['crs']['epsg']} ({doc['crs']['name']})",
        f"Study area   {doc['study_area_km2']:.1f} km²",
        f"Districts    {doc['districts']}" + (
            f"  ({', '.join(plural(v, k) for k, v in doc['districts_by_level'].items())})"
            if doc["districts_by_level"] else ""),
    ]
    for name, n in doc["layers"].items():
        lines.append(f"Layer        {name}: {n} features")
    if doc["dem"]:
        d = doc["dem"]
        lines.append(f"DEM          {d['shape'][1]}×{d['shape'][0]} cells at {d['resolution_m']:g} m, "
                     f"{d['min_m']:.0f}–{d['max_m']:.0f} m ({d['source']})")
    lines.append("Nodes        " + ", ".join(plural(v, k.replace("_", " ")) for k, v in doc["nodes"].items()))
    if doc["links"]:
        lines.append("Links        " + ", ".join(f"{v} {k}" for k, v in doc["links"].items()))
    if len(doc["phases"]) > 1 or "(none)" not in doc["phases"]:
        for ph, c in doc["phases"].items():
            # the label column is 13 characters; a longer phase name still gets a space before the counts
            lines.append(f"{'Phase ' + str(ph):<12} " + ", ".join(plural(v, k.replace("_", " "))
                                                                 for k, v in c.items() if v))
    if doc["storage_capacity_tb"]:
        lines.append(f"Storage      {doc['storage_capacity_tb']:g} TB (raw, SI)")
    p = doc["parameters"]
    lines.append(f"Parameters   {p['default_resolution']} {p['default_codec']} at {p['default_bitrate_mbps']:g} Mb/s, "
                 f"retention target {p['retention_target_days']:g} days, jurisdiction {p['jurisdiction'] or '-'}, "
                 f"currency {p['currency']}")
    if doc.get("attribution"):
        lines.append(f"Data         {doc['attribution']}")
    return "\n".join(lines)


def _near_area(project: Project, xy: list[tuple[float, float]], distance_m: float) -> np.ndarray:
    """Which points lie within ``distance_m`` of the study area (no buffer of a long coastline)."""
    area = project.study_area
    shapely.prepare(area)
    near: np.ndarray = shapely.dwithin(area, shapely.points(np.asarray(xy, dtype=float).reshape(-1, 2)), distance_m)
    return near


def project_camera_type_ids(project: Project) -> set[str]:
    """Ids of the built-in camera types plus the project's own (``metadata['camera_types']``)."""
    from planner.analysis.camera_types import builtin_camera_types

    ids = set(builtin_camera_types())  # plus the project's own, below
    for t in project.metadata.get("camera_types", []) or []:
        if isinstance(t, dict) and "id" in t:
            ids.add(str(t["id"]))
    return ids


def derive_blocks(project: Project, *, setback_m: float = 6.0, height_m: float = 12.0,
                  max_area_m2: float = 30_000.0, force: bool = False) -> int:
    """Replace the buildings layer by city blocks derived from the streets (flagged ``approximate``)."""
    from planner.analysis.raster import blocks_from_streets

    streets = project.layers.get("streets")
    if streets is None or not len(streets):
        raise InvalidInputError("the project has no streets layer to derive blocks from; import one first")
    current = project.layers.get("buildings")
    if current is not None and len(current) and not force and not (
            "approximate" in current.columns and current["approximate"].astype(bool).all()):
        raise InvalidInputError("the project already has real building footprints; use --force to replace them")
    if not 0 < max_area_m2:
        raise InvalidInputError(f"`max_area_m2` must be positive; got {max_area_m2}")
    blocks = blocks_from_streets(streets, setback_m=setback_m, default_height_m=height_m,
                                 boundary=project.study_area)
    blocks = blocks[blocks.area <= max_area_m2].reset_index(drop=True)
    project.set_layer("buildings", gpd.GeoDataFrame(blocks, geometry="geometry", crs=project.crs))
    return len(blocks)
