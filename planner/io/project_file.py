"""The project file: one GeoPackage holding layers, the DEM and metadata.

Layout (all in the project CRS):

=====================  =========================================================
``planner_metadata``   attributes table ``key``/``value`` (JSON text): ``schema_version``,
                       ``name``, ``crs_wkt``, ``parameters``, ``metadata``, ``results``, ...
``study_area``         one (multi)polygon
``districts``          ``name``, ``code``, ``level`` + polygon
``streets`` ...        reference layers (:data:`planner.model.project.REFERENCE_LAYERS`)
``cameras`` ...        one point layer per node kind; tuple fields as JSON text
``links``              line layer; ``from_id``/``to_id`` name the nodes
``dem``                raster (GeoPackage 2D gridded coverage, float32)
``result_*``           results: polygon layers (coverage) or rasters (radio maps)
=====================  =========================================================

Results (:mod:`planner.model.results`) are stored under the metadata key
``results`` as ``{kind: {"document": {...}, "non_finite": {path: marker}}}``:
strict JSON, with every NaN or infinity written as ``null`` and listed in
``non_finite`` (what each marker means is saved beside it, under
``non_finite_meaning``). Coverage polygons are the layer
``result_coverage_polygons``, the radio rate map the raster
``result_radio_throughput``.

Saving is atomic: everything is written to a temporary file beside the
target, flushed, then renamed over it; a failure leaves the old file intact.
Loading never unpickles or evaluates anything: values are JSON, geometries
WKB, rasters TIFF tiles, all parsed by GDAL/SQLite/json. Older schema versions
are migrated forward by :data:`MIGRATIONS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from planner import __version__
from planner.errors import InvalidInputError, PlannerError, ProjectFileError
from planner.io.atomic import publish
from planner.model.nodes import NODE_CLASSES, Link, Node, NodeKind
from planner.model.project import REFERENCE_LAYERS, Parameters, Project, Raster, empty_districts
from planner.model.results import (
    NON_FINITE_MEANING,
    AuditRecord,
    CoverageRecord,
    DocumentRecord,
    RadioMapRecord,
    ResultKind,
    check_non_finite,
    normalise_document,
)

SCHEMA_VERSION = 3
META_TABLE = "planner_metadata"
NODE_LAYERS: dict[NodeKind, str] = {
    NodeKind.CAMERA: "cameras",
    NodeKind.RADIO_SITE: "radio_sites",
    NodeKind.STORAGE_CENTRE: "storage_centres",
    NodeKind.COMMAND_CENTRE: "command_centres",
}
JSON_FIELDS = {"streams", "sector_azimuths_deg", "copy_of"}
DEM_TABLE = "dem"
#: Result layers and rasters are named ``result_<name>``.
RESULT_LAYER_PREFIX = "result_"
COVERAGE_LAYER = "coverage_polygons"
RADIO_RASTER = "radio_throughput"
AUDIT_COVERAGE_LAYER = "audit_coverage"
AUDIT_CAMERAS_LAYER = "audit_cameras"


# ---------------------------------------------------------------- migrations
def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 kept one ``bitrate_mbps`` per camera and ``retention_days``.

    Schema 2 has a list of streams per camera (JSON ``streams``) and names the
    parameter ``retention_target_days``.
    """
    params = dict(doc["meta"].get("parameters", {}))
    if "retention_days" in params:
        params["retention_target_days"] = params.pop("retention_days")
    doc["meta"]["parameters"] = params
    cams = doc["layers"].get("cameras")
    if cams is not None and "bitrate_mbps" in cams.columns:
        cams = cams.copy()
        res = params.get("default_resolution", "1080p")
        codec = params.get("default_codec", "h264")
        cams["streams"] = [
            json.dumps([{"kind": "record", "resolution": res, "codec": codec,
                         "bitrate_mbps": None if pd.isna(b) else float(b)}])
            for b in cams.pop("bitrate_mbps")
        ]
        doc["layers"]["cameras"] = cams
    doc["meta"]["schema_version"] = 2
    return doc


#: Schema-2 result keys and the kinds they became in schema 3.
_V2_RESULT_KEYS = {"coverage": "coverage", "network": "network"}


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 kept results as bare documents under free-form keys.

    Schema 3 keeps one typed result per kind, each ``{"document", "non_finite"}``
    (schema-2 files could not hold a non-finite number, so ``non_finite`` is empty).
    The layer ``result_coverage_polygons`` and the raster ``radio_throughput``
    keep their names.
    """
    old = doc["meta"].get("results") or {}
    if not isinstance(old, dict):
        raise ProjectFileError("`results` in the project metadata must be an object")
    new: dict[str, Any] = {}
    for key, value in old.items():
        if key not in _V2_RESULT_KEYS:
            raise ProjectFileError(f"unknown stored result {key!r} (schema 2 knew {sorted(_V2_RESULT_KEYS)})")
        new[_V2_RESULT_KEYS[key]] = {"document": value, "non_finite": {}}
    doc["meta"]["results"] = new
    doc["meta"]["schema_version"] = 3
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Apply migrations until the document is at :data:`SCHEMA_VERSION`."""
    while doc["meta"]["schema_version"] < SCHEMA_VERSION:
        version = doc["meta"]["schema_version"]
        doc = MIGRATIONS[version](doc)
        if doc["meta"]["schema_version"] <= version:  # pragma: no cover - programming error
            raise RuntimeError(f"migration from schema {version} did not advance")
    return doc


# ---------------------------------------------------------------- node <-> row
def _encode_value(name: str, value: Any) -> Any:
    if name in JSON_FIELDS:
        if name == "streams":
            return json.dumps([s.to_dict() for s in value])
        return json.dumps(list(value))
    if isinstance(value, str):  # StrEnum included
        return str(value)
    return value


def nodes_to_gdf(nodes: list[Node] | list[Link], cls: type, crs: pyproj.CRS,
                 geometries: list[Any] | None = None) -> gpd.GeoDataFrame:
    fields = [f.name for f in dataclasses.fields(cls) if f.name not in ("x", "y")]
    data = {name: [_encode_value(name, getattr(n, name)) for n in nodes] for name in fields}
    if geometries is None:
        geometries = shapely.points([n.x for n in nodes], [n.y for n in nodes]) if nodes else []  # type: ignore[union-attr]
    return gpd.GeoDataFrame(data, geometry=list(geometries), crs=crs)


def _decode_row(cls: type, row: dict[str, Any], *, where: str) -> Any:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in row:
            continue
        v = row[f.name]
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue  # keep the default
        if f.name in JSON_FIELDS:
            try:
                v = json.loads(v)
            except (TypeError, json.JSONDecodeError) as exc:
                raise ProjectFileError(f"{where}: field `{f.name}` is not valid JSON ({exc})") from None
            v = tuple(v)
        elif isinstance(f.default, bool):
            v = bool(v)
        elif isinstance(f.default, int):
            v = int(v)
        elif isinstance(f.default, float) or f.type in ("float", "float | None"):
            v = float(v)
        elif isinstance(f.default, str):
            v = str(v)
        kwargs[f.name] = v
    try:
        return cls(**kwargs)
    except (InvalidInputError, TypeError) as exc:
        raise ProjectFileError(f"{where}: {exc}") from None


def gdf_to_nodes(gdf: gpd.GeoDataFrame, kind: NodeKind, *, where: str) -> list[Node]:
    cls = NODE_CLASSES[kind]
    out: list[Node] = []
    xs = shapely.get_x(gdf.geometry.values)
    ys = shapely.get_y(gdf.geometry.values)
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    for i, row in enumerate(records):
        row["x"] = float(xs[i])
        row["y"] = float(ys[i])
        out.append(_decode_row(cls, row, where=f"{where} layer {NODE_LAYERS[kind]!r} row {i + 1}"))
    return out


def link_geometries(project: Project, links: list[Link]) -> list[Any]:
    geoms = []
    for lk in links:
        a, b = project.node(lk.from_id), project.node(lk.to_id)
        geoms.append(shapely.LineString([a.xy, b.xy]))
    return geoms


# ---------------------------------------------------------------------- save
def save_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write ``project`` to ``path`` atomically and return the path."""
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InvalidInputError(f"`{path}`: a project file must end in .gpkg")
    if not path.parent.exists():
        raise InvalidInputError(f"`{path}`: folder {str(path.parent)!r} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL wants to create the file itself
    try:
        _write(project, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        publish(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def _write_layer(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    import pyogrio

    if len(gdf) == 0:
        return
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", promote_to_multi=False)


def _write(project: Project, path: Path) -> None:
    crs = project.crs
    _write_layer(gpd.GeoDataFrame({"name": [project.name]}, geometry=[project.study_area], crs=crs),
                 path, "study_area")
    if len(project.districts):
        _write_layer(project.districts, path, "districts")
    for name, gdf in project.layers.items():
        _write_layer(gdf, path, name)
    for kind, layer in NODE_LAYERS.items():
        nodes = project.nodes(kind)
        if nodes:
            _write_layer(nodes_to_gdf(nodes, NODE_CLASSES[kind], crs), path, layer)
    links = project.links()
    if links:
        _write_layer(nodes_to_gdf(links, Link, crs, link_geometries(project, links)), path, "links")
    results = _results_to_meta(project, path)
    meta: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "application": "planner",
        "app_version": __version__,
        "saved_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "name": project.name,
        "crs_wkt": crs.to_wkt(),
        "epsg": project.epsg,
        "parameters": project.parameters.to_dict(),
        "metadata": project.metadata,
        "results": results,
        "non_finite_meaning": NON_FINITE_MEANING,
    }
    if project.dem is not None:
        _write_raster(project.dem, path, DEM_TABLE)
        meta["dem"] = {"nodata": project.dem.nodata, "source": project.dem.source}
    radio = project.result(ResultKind.RADIO)
    meta["raster_results"] = {}
    if radio is not None:
        _write_raster(radio.raster, path, RESULT_LAYER_PREFIX + RADIO_RASTER)
        meta["raster_results"][RADIO_RASTER] = {"nodata": radio.raster.nodata, "source": radio.raster.source}
    _write_meta(path, meta)


def _results_to_meta(project: Project, path: Path) -> dict[str, Any]:
    """Write the result layers; return the JSON part of every result (strict JSON by construction)."""
    out: dict[str, Any] = {}
    for kind, record in project.results.items():
        out[str(kind)] = {"document": record.document, "non_finite": record.non_finite}
        if kind == ResultKind.COVERAGE and record.polygons is not None:
            _write_layer(record.polygons, path, RESULT_LAYER_PREFIX + COVERAGE_LAYER)
        if kind == ResultKind.AUDIT:
            for layer, gdf in ((AUDIT_COVERAGE_LAYER, record.coverage), (AUDIT_CAMERAS_LAYER, record.cameras)):
                if gdf is not None:
                    _write_layer(gdf, path, RESULT_LAYER_PREFIX + layer)
    return out


def _write_raster(dem: Raster, path: Path, table: str) -> None:
    import rasterio
    from affine import Affine

    rows, cols = dem.shape
    kwargs: dict[str, Any] = {}
    if path.exists():
        kwargs["APPEND_SUBDATASET"] = "YES"
    with rasterio.open(
        path, "w", driver="GPKG", width=cols, height=rows, count=1, dtype="float32",
        crs=rasterio.crs.CRS.from_wkt(dem.crs.to_wkt()), transform=Affine(*dem.transform),
        RASTER_TABLE=table, TILE_FORMAT="TIFF", **kwargs,
    ) as ds:
        ds.write(dem.array.astype("float32"), 1)


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
            con.executemany(f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?)",
                            [(k, json.dumps(v, ensure_ascii=False, allow_nan=False)) for k, v in meta.items()])
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES (?, 'attributes', ?, ?)",
                (META_TABLE, META_TABLE, "planner project metadata (JSON values)"),
            )
    finally:
        con.close()


# ---------------------------------------------------------------------- load
def _read_meta(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ProjectFileError(f"`{path}`: no such project file")
    if path.stat().st_size == 0:
        raise ProjectFileError(f"`{path}`: the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise ProjectFileError(f"`{path}`: not a GeoPackage (not an SQLite database)")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProjectFileError(f"`{path}`: cannot open ({exc})") from None
    try:
        check = con.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise ProjectFileError(f"`{path}`: the GeoPackage is corrupt ({check[0] if check else 'no answer'})")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "gpkg_contents" not in tables:
            raise ProjectFileError(f"`{path}`: not a GeoPackage (no gpkg_contents table)")
        if META_TABLE not in tables:
            raise ProjectFileError(f"`{path}`: a GeoPackage but not a planner project (no {META_TABLE} table)")
        rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
        contents = {r[0]: r[1] for r in con.execute("SELECT table_name, data_type FROM gpkg_contents")}
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"`{path}`: the GeoPackage is truncated or corrupt ({exc})") from None
    finally:
        con.close()
    meta: dict[str, Any] = {}
    for key, value in rows:
        try:
            meta[key] = json.loads(value)
        except json.JSONDecodeError:
            raise ProjectFileError(f"`{path}`: metadata {key!r} is not valid JSON") from None
    version = meta.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ProjectFileError(f"`{path}`: missing or invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"`{path}`: schema_version {version} is newer than this planner supports ({SCHEMA_VERSION}); "
            "upgrade the planner")
    meta["_contents"] = contents
    return meta


def _read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types; report them uniformly
        raise ProjectFileError(f"`{path}`: cannot read layer {layer!r} ({exc})") from None


def load_project(path: str | os.PathLike[str]) -> Project:
    """Open a project file. Raises :class:`ProjectFileError` for a bad file."""
    path = Path(path)
    meta = _read_meta(path)
    contents = meta.pop("_contents")
    layers = {name: _read_layer(path, name) for name, kind in contents.items()
              if kind == "features"}
    doc = upgrade({"meta": meta, "layers": layers})
    meta, layers = doc["meta"], doc["layers"]
    try:
        crs = pyproj.CRS.from_wkt(meta["crs_wkt"])
    except (KeyError, pyproj.exceptions.CRSError) as exc:
        raise ProjectFileError(f"`{path}`: invalid project CRS ({exc})") from None
    if "study_area" not in layers or len(layers["study_area"]) != 1:
        raise ProjectFileError(f"`{path}`: the study_area layer is missing or has no single feature")
    try:
        parameters = Parameters.from_dict(meta.get("parameters", {}))
    except (InvalidInputError, TypeError) as exc:
        raise ProjectFileError(f"`{path}`: invalid parameters ({exc})") from None
    districts = layers.get("districts")
    if districts is None:
        districts = empty_districts(crs)
    try:
        project = Project(name=str(meta.get("name", path.stem)), crs=crs,
                          study_area=layers["study_area"].geometry.iloc[0],
                          districts=_with_crs(districts, crs), parameters=parameters)
    except PlannerError as exc:
        raise ProjectFileError(f"`{path}`: {exc}") from None
    for name in REFERENCE_LAYERS:
        if name in layers:
            project.layers[name] = _with_crs(layers[name], crs)
    for kind, layer in NODE_LAYERS.items():
        if layer in layers:
            try:
                project.add_nodes(gdf_to_nodes(layers[layer], kind, where=f"`{path}`"))
            except InvalidInputError as exc:
                raise ProjectFileError(f"`{path}`: {exc}") from None
    if "links" in layers:
        gdf = layers["links"].drop(columns="geometry")
        links = [_decode_row(Link, row, where=f"`{path}` layer 'links' row {i + 1}")
                 for i, row in enumerate(gdf.to_dict("records"))]
        for lk in links:
            for end in (lk.from_id, lk.to_id):
                if end not in project:
                    raise ProjectFileError(f"`{path}`: link {lk.id!r} refers to missing node {end!r}")
        project.add_links(links)
    project.metadata = dict(meta.get("metadata", {}))
    if contents.get(DEM_TABLE) == "2d-gridded-coverage":
        project.dem = _read_raster(path, DEM_TABLE, crs, meta.get("dem", {}))
    for record in _results_from_meta(path, meta, layers, contents, crs):
        project.set_result(record)
    return project


def _results_from_meta(path: Path, meta: dict[str, Any], layers: dict[str, gpd.GeoDataFrame],
                       contents: dict[str, str], crs: pyproj.CRS) -> list[Any]:
    """The typed results of a (schema-3) project file."""
    stored = meta.get("results") or {}
    if not isinstance(stored, dict):
        raise ProjectFileError(f"`{path}`: `results` in the project metadata must be an object")
    records: list[Any] = []
    for key, entry in stored.items():
        where = f"`{path}`: stored result {key!r}"
        try:
            kind = ResultKind(key)
        except ValueError:
            raise ProjectFileError(f"{where} is of no known kind {[k.value for k in ResultKind]}") from None
        if not isinstance(entry, dict) or set(entry) != {"document", "non_finite"}:
            raise ProjectFileError(f"{where} must be an object with `document` and `non_finite`")
        try:
            marks = check_non_finite(entry["non_finite"], where=where)
            doc, _ = normalise_document(entry["document"], where=where)
        except InvalidInputError as exc:
            raise ProjectFileError(str(exc)) from None
        if kind == ResultKind.COVERAGE:
            gdf = layers.get(RESULT_LAYER_PREFIX + COVERAGE_LAYER)
            record: Any = CoverageRecord(doc, None if gdf is None else _with_crs(gdf, crs), marks)
        elif kind == ResultKind.RADIO:
            table = RESULT_LAYER_PREFIX + RADIO_RASTER
            if contents.get(table) != "2d-gridded-coverage":
                raise ProjectFileError(f"{where}: the raster {table!r} is missing")
            info = (meta.get("raster_results") or {}).get(RADIO_RASTER) or {}
            record = RadioMapRecord(_read_raster(path, table, crs, info), doc, marks)
        elif kind == ResultKind.AUDIT:
            cov, cams = (layers.get(RESULT_LAYER_PREFIX + n) for n in (AUDIT_COVERAGE_LAYER, AUDIT_CAMERAS_LAYER))
            record = AuditRecord(doc, None if cov is None else _with_crs(cov, crs),
                                 None if cams is None else _with_crs(cams, crs), marks)
        else:
            record = DocumentRecord(kind, doc, marks)
        records.append(record)
    # A schema-2 file may hold a radio map without a document.
    table = RESULT_LAYER_PREFIX + RADIO_RASTER
    if ResultKind.RADIO not in stored and contents.get(table) == "2d-gridded-coverage":
        info = (meta.get("raster_results") or {}).get(RADIO_RASTER) or {}
        records.append(RadioMapRecord(_read_raster(path, table, crs, info)))
    return records


def _with_crs(gdf: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    if gdf.crs is None or pyproj.CRS.from_user_input(gdf.crs) != crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


def _read_raster(path: Path, table: str, crs: pyproj.CRS, info: dict[str, Any]) -> Raster:
    import rasterio

    try:
        with rasterio.open(f"GPKG:{path}:{table}") as ds:
            arr = ds.read(1)
            transform = tuple(ds.transform)[:6]
    except rasterio.errors.RasterioError as exc:
        raise ProjectFileError(f"`{path}`: cannot read raster {table!r} ({exc})") from None
    return Raster(array=arr, transform=transform, crs=crs,  # type: ignore[arg-type]
                  nodata=info.get("nodata"), source=str(info.get("source", "")))


def read_schema_version(path: str | os.PathLike[str]) -> int:
    return int(_read_meta(Path(path))["schema_version"])
