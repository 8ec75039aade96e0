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
``result_*``           results: the coverage level raster (tiles), polygon layers (audit) or
                       rasters (radio maps)
=====================  =========================================================

Results (:mod:`planner.model.results`) are stored under the metadata key
``results`` as ``{kind: {"document": {...}, "non_finite": {path: marker}}}``:
strict JSON, with every NaN or infinity written as ``null`` and listed in
``non_finite`` (what each marker means is saved beside it, under
``non_finite_meaning``). Coverage is its level raster (:class:`planner.model.coverage_grid.LevelGrid`):
the attributes table ``result_coverage_levels`` holds one row per period and
tile (``period``, ``tile_row``, ``tile_col``, ``cells``: the tile's uint8 levels,
row-major, zlib-compressed) and the metadata key ``coverage_grid`` its grid
(origin, resolution, tile size, levels). Polygons are made from it when needed;
files of schema 3 and older hold the layer ``result_coverage_polygons``
instead, which is still read (and kept when such a project is saved again
without new coverage). The radio rate map is the raster ``result_radio_throughput``.

Saving is atomic: everything is written to a temporary file beside the
target, flushed, then renamed over it; a failure leaves the old file intact.
Loading never unpickles or evaluates anything: values are JSON, geometries
WKB, rasters TIFF tiles or zlib streams of bytes (decompressed to a known
size, never more), all parsed by GDAL/SQLite/json/zlib. Older schema versions
are migrated forward by :data:`MIGRATIONS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import os
import re
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from planner import __version__
from planner.errors import InvalidInputError, PlannerError, ProjectChangedError, ProjectFileError
from planner.io.atomic import atomic_path, check_target, project_lock
from planner.model.coverage_grid import PERIODS, LevelGrid
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

SCHEMA_VERSION = 4
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
COVERAGE_GRID_TABLE = "coverage_levels"
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


def _v3_to_v4(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 4 stores coverage as its level raster (``result_coverage_levels``); a schema-3 file's
    ``result_coverage_polygons`` layer is still read as the coverage's polygons, unchanged."""
    doc["meta"]["schema_version"] = 4
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


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
        try:
            if f.name in JSON_FIELDS:
                v = _row_json(v, where=f"{where}: field `{f.name}`")
            elif isinstance(f.default, bool):
                v = bool(v)
            elif isinstance(f.default, int):
                v = int(v)
            elif isinstance(f.default, float) or f.type in ("float", "float | None"):
                v = float(v)
            elif isinstance(f.default, str):
                v = str(v)
                if "\x00" in v:
                    raise ProjectFileError(f"{where}: field `{f.name}` holds a NUL character")
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProjectFileError(f"{where}: field `{f.name}` has an unusable value {str(v)[:40]!r} "
                                   f"({_one_line(exc)})") from None
        kwargs[f.name] = v
    try:
        return cls(**kwargs)
    except (InvalidInputError, TypeError, ValueError, AttributeError) as exc:
        raise ProjectFileError(f"{where}: {exc}") from None


def _row_json(v: Any, *, where: str) -> tuple[Any, ...]:
    if not isinstance(v, str):
        raise ProjectFileError(f"{where} is not JSON text")
    try:
        parsed = json.loads(v, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"{c} is not allowed")))
    except RecursionError:
        raise ProjectFileError(f"{where} is nested too deeply") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise ProjectFileError(f"{where} is not valid JSON ({_one_line(exc)})") from None
    check_json_shape(parsed, where=where, max_depth=4, max_items=100_000)
    if not isinstance(parsed, list):
        raise ProjectFileError(f"{where} must be a JSON list; got {type(parsed).__name__}")
    return tuple(parsed)


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
def save_project(project: Project, path: str | os.PathLike[str], *, overwrite_changed: bool = False) -> Path:
    """Write ``project`` to ``path`` atomically and return the path.

    The write holds the project's advisory lock (:func:`planner.io.atomic.project_lock`).
    When ``project`` was opened from (or last saved to) the same file and that
    file has changed on disk since, :class:`ProjectChangedError` is raised and
    nothing is written, unless ``overwrite_changed`` (the user said so).
    A symbolic link is followed: the file it points to is replaced.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InvalidInputError(f"`{path}`: a project file must end in .gpkg")
    if not path.parent.exists():
        raise InvalidInputError(f"`{path}`: folder {str(path.parent)!r} does not exist")
    check_target(path)
    with project_lock(path):
        if not overwrite_changed:
            check_unchanged(project, path)
        # GDAL wants to create the file itself: the temporary path does not exist yet
        with atomic_path(path, suffix=".gpkg", create=False) as tmp, _no_sqlite_sync():
            _write(project, tmp)
        remember_file(project, path)
    return path


@contextlib.contextmanager
def _no_sqlite_sync() -> Iterator[None]:
    """No fsync per SQLite transaction while the temporary file is written: it is synced once, whole,
    before the rename (:func:`planner.io.atomic.atomic_path`), which is what makes the save durable."""
    import pyogrio

    old = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": old})


# ------------------------------------------------------- changed on disk?
@dataclasses.dataclass(frozen=True)
class FileFingerprint:
    """What a file looked like when it was read: size, modification time and SHA-256."""

    path: str
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> FileFingerprint:
        import hashlib

        real = os.path.realpath(path)
        h = hashlib.sha256()
        with open(real, "rb") as fh:
            st = os.fstat(fh.fileno())
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return cls(path=real, size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=h.hexdigest())


_OPENED: weakref.WeakKeyDictionary[Project, FileFingerprint] = weakref.WeakKeyDictionary()


def remember_file(project: Project, path: str | os.PathLike[str],
                  fingerprint: FileFingerprint | None = None) -> FileFingerprint | None:
    """Record what ``path`` looks like now as the file ``project`` was read from or saved to."""
    try:
        fp = fingerprint or FileFingerprint.of(path)
    except OSError:
        return None
    _OPENED[project] = fp
    return fp


def opened_fingerprint(project: Project) -> FileFingerprint | None:
    """The fingerprint recorded when ``project`` was loaded or last saved (None for a new project)."""
    return _OPENED.get(project)


def changed_on_disk(project: Project, path: str | os.PathLike[str] | None = None) -> bool:
    """True when the file ``project`` was opened from has changed (or vanished) since.

    ``path`` restricts the question to that file: a project saved elsewhere
    (save as) has nothing to compare with and gives False.
    """
    fp = _OPENED.get(project)
    if fp is None:
        return False
    if path is not None and os.path.realpath(path) != fp.path:
        return False
    try:
        st = os.stat(fp.path)
    except FileNotFoundError:
        return True
    if (st.st_size, st.st_mtime_ns) == (fp.size, fp.mtime_ns):
        return False
    try:
        return FileFingerprint.of(fp.path).sha256 != fp.sha256
    except OSError:
        return True


def check_unchanged(project: Project, path: str | os.PathLike[str] | None = None) -> None:
    """Raise :class:`ProjectChangedError` when the project's file changed on disk since it was opened.

    The app calls this before overwriting a project (and asks the user);
    :func:`save_project` calls it unless told to overwrite.
    """
    if changed_on_disk(project, path):
        fp = _OPENED[project]
        raise ProjectChangedError(
            f"`{path or fp.path}`: the file changed on disk since it was opened (another program or planner "
            "process wrote it); saving now would overwrite those changes: reopen it, or save under another name")


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
    results, grid = _results_to_meta(project, path)
    meta: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "application": "planner",
        "app_version": __version__,
        "saved_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "name": project.name,
        "crs_wkt": crs.to_wkt(),
        "epsg": project.epsg,
        "parameters": project.parameters.to_dict(),
        "metadata": project.metadata,
        "results": results,
        "non_finite_meaning": NON_FINITE_MEANING,
    }
    if grid is not None:
        meta["coverage_grid"] = _write_grid(grid, path)
    if project.dem is not None:
        _write_raster(project.dem, path, DEM_TABLE)
        meta["dem"] = {"nodata": project.dem.nodata, "source": project.dem.source}
    radio = project.result(ResultKind.RADIO)
    meta["raster_results"] = {}
    if radio is not None:
        _write_raster(radio.raster, path, RESULT_LAYER_PREFIX + RADIO_RASTER)
        meta["raster_results"][RADIO_RASTER] = {"nodata": radio.raster.nodata, "source": radio.raster.source}
    _write_meta(path, meta)


def _results_to_meta(project: Project, path: Path) -> tuple[dict[str, Any], LevelGrid | None]:
    """Write the result layers; return the JSON part of every result (strict JSON by construction)
    and the coverage level raster to store (None: none)."""
    out: dict[str, Any] = {}
    grid = None
    for kind, record in project.results.items():
        out[str(kind)] = {"document": record.document, "non_finite": record.non_finite}
        if kind == ResultKind.COVERAGE:
            grid = record.grid
            if grid is None and record.polygons is not None:  # an older file's polygons, kept as they are
                _write_layer(record.polygons, path, RESULT_LAYER_PREFIX + COVERAGE_LAYER)
        if kind == ResultKind.AUDIT:
            for layer, gdf in ((AUDIT_COVERAGE_LAYER, record.coverage), (AUDIT_CAMERAS_LAYER, record.cameras)):
                if gdf is not None:
                    _write_layer(gdf, path, RESULT_LAYER_PREFIX + layer)
    return out, grid


def _write_grid(grid: LevelGrid, path: Path) -> dict[str, Any]:
    """Write the coverage level raster (one zlib stream per period and tile); return its metadata."""
    import zlib
    from concurrent.futures import ThreadPoolExecutor

    keys = sorted(grid.tiles)
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:  # zlib releases the GIL
        blobs = list(pool.map(lambda k: zlib.compress(np.ascontiguousarray(grid.tiles[k], dtype=np.uint8)
                                                      .tobytes(), 1), keys))
    table = RESULT_LAYER_PREFIX + COVERAGE_GRID_TABLE
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, period TEXT NOT NULL, '
                        "tile_row INTEGER NOT NULL, tile_col INTEGER NOT NULL, cells BLOB NOT NULL)")
            con.executemany(f'INSERT INTO "{table}" (period, tile_row, tile_col, cells) VALUES (?, ?, ?, ?)',
                            [(p, int(i), int(j), b) for (p, i, j), b in zip(keys, blobs, strict=True)])
            con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                        "VALUES (?, 'attributes', ?, ?)",
                        (table, table, "coverage: best detail level per cell (0 none, k the k-th level), "
                         "per period and tile; uint8 row-major, zlib"))
    finally:
        con.close()
    return {"origin_x": grid.origin_x, "origin_y": grid.origin_y, "resolution_m": grid.resolution_m,
            "tile_size": grid.tile_size, "encoding": GRID_ENCODING,
            "levels": [{"name": n, "ppm": p} for n, p in zip(grid.level_names, grid.level_ppm, strict=True)]}


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
#: Keys of ``planner_metadata`` and the JSON type of each value. Anything else is refused
#: (a save would drop it).
META_KEYS: dict[str, tuple[type, ...]] = {
    "schema_version": (int,), "application": (str,), "app_version": (str,), "saved_at": (str,),
    "name": (str,), "crs_wkt": (str,), "epsg": (int, type(None)), "parameters": (dict,),
    "metadata": (dict,), "results": (dict,), "dem": (dict,), "raster_results": (dict,),
    "non_finite_meaning": (dict,), "coverage_grid": (dict,),
}
#: Limits on each metadata value: JSON nesting depth, number of values, text size.
MAX_JSON_DEPTH = 64
MAX_JSON_ITEMS = 5_000_000
MAX_JSON_BYTES = 512 * 1024 * 1024
#: Largest raster (DEM, radio map) read from a project: 400 million float32 cells, 1.6 GB.
MAX_RASTER_CELLS = 400_000_000
#: How the coverage level raster's tiles are written (``coverage_grid.encoding``).
GRID_ENCODING = "uint8 row-major, zlib"
#: Tile sizes a coverage level raster may have.
GRID_TILE_SIZES = (64, 128, 256, 512, 1024, 2048)
#: Work allowed to SQLite while a project is inspected (wall-clock seconds).
SQLITE_DEADLINE_S = 60.0
#: Tables every GeoPackage may hold besides the layers (GeoPackage 1.3 and GDAL's own).
GPKG_SYSTEM_TABLES = frozenset({
    "gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_ogr_contents", "gpkg_geometry_columns",
    "gpkg_tile_matrix_set", "gpkg_tile_matrix", "gpkg_extensions", "gpkg_metadata",
    "gpkg_metadata_reference", "gpkg_2d_gridded_coverage_ancillary", "gpkg_2d_gridded_tile_ancillary",
    "gpkg_data_columns", "gpkg_data_column_constraints", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4",
})
_RTREE_SUFFIXES = ("", "_rowid", "_node", "_parent")


def owned_layer(name: str) -> bool:
    """Whether ``name`` is a layer a planner project may hold."""
    return (name in ("study_area", "districts", "links", DEM_TABLE) or name in REFERENCE_LAYERS
            or name in NODE_LAYERS.values() or (name.startswith(RESULT_LAYER_PREFIX) and len(name) > 7))


def _trigger_ok(name: str, table: str, layers: set[str]) -> bool:
    """GDAL's own triggers (constraints, R-tree upkeep, feature counts) on tables the planner owns."""
    if table in ("gpkg_tile_matrix", "gpkg_metadata", "gpkg_metadata_reference"):
        return name.startswith(table + "_")
    if table not in layers:
        return False
    if name in (f"trigger_insert_feature_count_{table}", f"trigger_delete_feature_count_{table}"):
        return True
    if name.startswith(f"{table}_") and name[len(table) + 1:] in (
            "zoom_insert", "zoom_update", "tile_column_insert", "tile_column_update",
            "tile_row_insert", "tile_row_update"):
        return True
    return bool(re.fullmatch(rf"rtree_{re.escape(table)}_\w+_(insert|update\d*|delete)", name))


def _deadline_handler(deadline: float) -> Callable[[], int]:
    import time

    def handler() -> int:
        return 1 if time.monotonic() > deadline else 0

    return handler


def _json_value(path: Path, key: str, text: Any) -> Any:
    """Parse one metadata value strictly: finite numbers only, bounded depth, size and count."""
    if not isinstance(text, str):
        raise ProjectFileError(f"`{path}`: metadata {key!r} is not JSON text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProjectFileError(f"`{path}`: metadata {key!r} is not valid UTF-8 text") from None
    if len(text) > MAX_JSON_BYTES:
        raise ProjectFileError(f"`{path}`: metadata {key!r} is {len(text):,} characters, over the "
                               f"{MAX_JSON_BYTES:,} limit")

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        value = json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise ProjectFileError(f"`{path}`: metadata {key!r} is nested too deeply") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise ProjectFileError(f"`{path}`: metadata {key!r} is not valid JSON ({_one_line(exc)})") from None
    check_json_shape(value, where=f"`{path}`: metadata {key!r}")
    return value


def check_json_shape(value: Any, *, where: str, max_depth: int = MAX_JSON_DEPTH,
                     max_items: int = MAX_JSON_ITEMS) -> None:
    """Raise :class:`ProjectFileError` when ``value`` nests deeper than ``max_depth`` or holds too many values.

    Iterative (no recursion), so hostile depth cannot exhaust the stack; also
    refuses non-finite floats and text holding a NUL character.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        v, depth = stack.pop()
        count += 1
        if count > max_items:
            raise ProjectFileError(f"{where} holds more than {max_items:,} values")
        if isinstance(v, dict):
            if depth > max_depth:
                raise ProjectFileError(f"{where} is nested deeper than {max_depth} levels")
            for k, x in v.items():
                if "\x00" in k:
                    raise ProjectFileError(f"{where}: a key holds a NUL character")
                stack.append((x, depth + 1))
        elif isinstance(v, list):
            if depth > max_depth:
                raise ProjectFileError(f"{where} is nested deeper than {max_depth} levels")
            stack.extend((x, depth + 1) for x in v)
        elif isinstance(v, float):
            if not np.isfinite(v):
                raise ProjectFileError(f"{where} holds a non-finite number ({v})")
        elif isinstance(v, str):
            if "\x00" in v:
                raise ProjectFileError(f"{where}: text holds a NUL character")


def _one_line(exc: BaseException) -> str:
    t = str(exc).strip()
    return t.splitlines()[0][:200] if t else type(exc).__name__


def _inspect(con: sqlite3.Connection, path: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Check the schema of an open project database; return its metadata rows and contents."""
    objects = con.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
    tables = {r[1] for r in objects if r[0] == "table"}
    if "gpkg_contents" not in tables:
        raise ProjectFileError(f"`{path}`: not a GeoPackage (no gpkg_contents table)")
    if META_TABLE not in tables:
        raise ProjectFileError(f"`{path}`: a GeoPackage but not a planner project (no {META_TABLE} table)")
    views = sorted(r[1] for r in objects if r[0] == "view")
    if views:
        raise ProjectFileError(f"`{path}`: holds SQL view(s) {', '.join(map(repr, views[:5]))}; a planner project "
                               "never has views, so the file is refused (views run queries when read)")
    rows = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    contents: dict[str, str] = {}
    for name, kind in rows:
        if not isinstance(name, str) or not isinstance(kind, str):
            raise ProjectFileError(f"`{path}`: gpkg_contents holds a malformed row ({name!r}, {kind!r})")
        contents[name] = kind
    unknown = sorted(n for n in contents if n != META_TABLE and not owned_layer(n))
    if unknown:
        raise ProjectFileError(
            f"`{path}`: holds layer(s) {', '.join(map(repr, unknown[:5]))} that a planner project does not have; "
            "the planner would drop them at the next save, so it refuses the file (move them to another "
            "GeoPackage)")
    for name, kind in contents.items():
        expected = ("attributes",) if name in (META_TABLE, RESULT_LAYER_PREFIX + COVERAGE_GRID_TABLE) else (
            ("2d-gridded-coverage",) if name == DEM_TABLE else
            ("features", "2d-gridded-coverage") if name.startswith(RESULT_LAYER_PREFIX) else ("features",))
        if kind not in expected:
            raise ProjectFileError(f"`{path}`: layer {name!r} has data type {kind!r}; expected {expected[0]!r}")
        if name not in tables:
            raise ProjectFileError(f"`{path}`: layer {name!r} is listed in gpkg_contents but has no table")
    layers = set(contents)
    allowed = set(GPKG_SYSTEM_TABLES) | layers
    geom_cols = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall() \
        if "gpkg_geometry_columns" in tables else []
    for t, c in geom_cols:
        allowed.update(f"rtree_{t}_{c}{sfx}" for sfx in _RTREE_SUFFIXES)
    extra = sorted(tables - allowed)
    if extra:
        unregistered = [t for t in extra if owned_layer(t)]
        if unregistered:
            raise ProjectFileError(
                f"`{path}`: table(s) {', '.join(map(repr, unregistered[:5]))} are not registered in gpkg_contents, "
                "so their data would be ignored and then lost at the next save; register them (QGIS: "
                "re-export the layer) or remove them")
        raise ProjectFileError(
            f"`{path}`: holds table(s) {', '.join(map(repr, extra[:5]))} that a planner project does not have; "
            "the planner would drop them at the next save, so it refuses the file")
    bad_triggers = sorted(r[1] for r in objects if r[0] == "trigger" and not _trigger_ok(r[1], r[2], layers))
    if bad_triggers:
        raise ProjectFileError(f"`{path}`: holds SQL trigger(s) {', '.join(map(repr, bad_triggers[:5]))} that a "
                               "planner project does not have; the file is refused")
    meta_rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    _check_node_columns(con, path, contents)
    return meta_rows, contents


def _numeric_fields(cls: type) -> set[str]:
    out = set()
    for f in dataclasses.fields(cls):
        if f.name in ("x", "y"):
            continue
        if (isinstance(f.default, (int, float)) and not isinstance(f.default, (bool, str))) \
                or f.type in ("float", "float | None", "int"):
            out.add(f.name)
    return out


def _check_node_columns(con: sqlite3.Connection, path: Path, contents: dict[str, str]) -> None:
    """Node and link tables: numeric fields hold numbers (SQLite lets text in; GDAL would read it as 0)."""
    tables: dict[str, type] = {layer: NODE_CLASSES[kind] for kind, layer in NODE_LAYERS.items()}
    tables["links"] = Link
    for table, cls in tables.items():
        if contents.get(table) != "features":
            continue
        cols = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
        for name in sorted(_numeric_fields(cls) & cols):
            bad = con.execute(
                f'SELECT rowid, "{name}" FROM "{table}" WHERE typeof("{name}") NOT IN '
                "('integer', 'real', 'null') LIMIT 1").fetchone()
            if bad is not None:
                raise ProjectFileError(f"`{path}`: layer {table!r} feature {bad[0]}: `{name}` is not a number: "
                                       f"{str(bad[1])[:40]!r}")


def _read_meta(path: Path) -> dict[str, Any]:
    import time

    if not path.exists():
        raise ProjectFileError(f"`{path}`: no such project file")
    if not path.is_file():
        raise ProjectFileError(f"`{path}`: not a project file (a folder or a special file)")
    if path.stat().st_size == 0:
        raise ProjectFileError(f"`{path}`: the file is empty")
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise ProjectFileError(f"`{path}`: cannot be read ({exc.strerror or exc})") from None
    if head != b"SQLite format 3\x00":
        raise ProjectFileError(f"`{path}`: not a GeoPackage (not an SQLite database)")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProjectFileError(f"`{path}`: cannot open ({exc})") from None
    try:
        # names and text that are not UTF-8 must not raise from inside sqlite3: keep their bytes
        # (surrogate escapes) and refuse them where they matter (_json_value)
        con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        con.set_progress_handler(_deadline_handler(time.monotonic() + SQLITE_DEADLINE_S), 1000)
        con.execute("PRAGMA trusted_schema = OFF")
        check = con.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            report = str(check[0]).strip().splitlines() if check else ["no answer"]
            first = next((ln for ln in report if not ln.startswith("***")), report[0] if report else "")
            more = f"; {len(report) - 1} more problem(s)" if len(report) > 1 else ""
            raise ProjectFileError(f"`{path}`: the GeoPackage is corrupt ({first.strip()[:160]}{more})")
        rows, contents = _inspect(con, path)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise ProjectFileError(f"`{path}`: reading the file took over {SQLITE_DEADLINE_S:g} s; refused "
                                   "(a damaged or hostile GeoPackage?)") from None
        raise ProjectFileError(f"`{path}`: the GeoPackage is truncated or corrupt ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"`{path}`: the GeoPackage is truncated or corrupt ({exc})") from None
    except UnicodeDecodeError:  # SQLite's own error text quoting bytes of a damaged schema
        raise ProjectFileError(f"`{path}`: the GeoPackage is corrupt (its schema holds bytes that are not "
                               "UTF-8 text)") from None
    finally:
        con.close()
    meta: dict[str, Any] = {}
    for key, value in rows:
        if not isinstance(key, str):
            raise ProjectFileError(f"`{path}`: metadata key {key!r} is not text")
        if key not in META_KEYS:
            raise ProjectFileError(f"`{path}`: unknown metadata {key!r} (a newer planner, or edited by hand); "
                                   "the planner would drop it at the next save, so it refuses the file")
        meta[key] = _json_value(path, key, value)
        if not isinstance(meta[key], META_KEYS[key]) or isinstance(meta[key], bool):
            names = " or ".join("null" if t is type(None) else {"int": "integer", "str": "text", "dict": "object"}
                                .get(t.__name__, t.__name__) for t in META_KEYS[key])
            raise ProjectFileError(f"`{path}`: metadata {key!r} must be {names}; got "
                                   f"{type(meta[key]).__name__} {str(meta[key])[:40]!r}")
    version = meta.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ProjectFileError(f"`{path}`: missing or invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"`{path}`: schema_version {version} is newer than this planner supports ({SCHEMA_VERSION}); "
            "upgrade the planner")
    _check_sections(path, meta)
    meta["_contents"] = contents
    return meta


def _check_sections(path: Path, meta: dict[str, Any]) -> None:
    """Types inside ``parameters``, ``dem`` and ``raster_results``."""
    params = meta.get("parameters", {})
    if params:
        fields = {f.name: f for f in dataclasses.fields(Parameters)}
        known = set(fields) | ({"retention_days"} if meta["schema_version"] < 2 else set())
        unknown = sorted(set(params) - known)
        if unknown:
            raise ProjectFileError(f"`{path}`: unknown parameter(s) {', '.join(map(repr, unknown))}; the planner "
                                   "would drop them at the next save, so it refuses the file")
        for k, v in params.items():
            f = fields.get(k)
            default = f.default if f is not None else 0.0
            if isinstance(default, str):
                ok = isinstance(v, str)
            elif isinstance(default, bool):
                ok = isinstance(v, bool)
            elif isinstance(default, (int, float)):
                ok = isinstance(v, (int, float)) and not isinstance(v, bool)
            else:
                ok = True
            if not ok:
                raise ProjectFileError(f"`{path}`: parameter {k!r} has the wrong type "
                                       f"({type(v).__name__} {str(v)[:40]!r})")
    for info in [meta.get("dem")] + list((meta.get("raster_results") or {}).values()):
        if info is None:
            continue
        if not isinstance(info, dict):
            raise ProjectFileError(f"`{path}`: raster metadata must be objects; got {type(info).__name__}")
        nd = info.get("nodata")
        if nd is not None and (isinstance(nd, bool) or not isinstance(nd, (int, float))):
            raise ProjectFileError(f"`{path}`: raster `nodata` must be a number or null; got {nd!r}")
        if not isinstance(info.get("source", ""), str):
            raise ProjectFileError(f"`{path}`: raster `source` must be text")


def _read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # GDAL raises many types; report them uniformly
        raise ProjectFileError(f"`{path}`: cannot read layer {layer!r} ({exc})") from None


def _check_columns(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Node and link layers hold only the fields the planner knows (a save would drop any other)."""
    tables: dict[str, type] = {layer: NODE_CLASSES[kind] for kind, layer in NODE_LAYERS.items()}
    tables["links"] = Link
    for table, cls in tables.items():
        gdf = layers.get(table)
        if gdf is None:
            continue
        known = {f.name for f in dataclasses.fields(cls)} - {"x", "y"}
        extra = sorted(str(c) for c in gdf.columns if c != gdf.geometry.name and c not in known)
        if extra:
            raise ProjectFileError(
                f"`{path}`: layer {table!r} has column(s) {', '.join(map(repr, extra[:8]))} that the planner does "
                "not know; it would drop them at the next save, so it refuses the file (remove or rename them)")
        if len(gdf) and (gdf.geometry.isna().any() or (gdf.geometry.geom_type != (
                "LineString" if table == "links" else "Point")).any()):
            raise ProjectFileError(f"`{path}`: layer {table!r} has missing or wrong-type geometries")


def load_project(path: str | os.PathLike[str]) -> Project:
    """Open a project file. Raises :class:`ProjectFileError` for a bad file.

    Only the tables a planner project owns are read; views, foreign triggers,
    unknown tables, columns, metadata keys or parameters make the file refused
    (the planner would otherwise drop them at the next save). What the file
    looked like is remembered (:func:`check_unchanged`).
    """
    path = Path(path)
    try:
        fingerprint: FileFingerprint | None = FileFingerprint.of(path)
    except OSError:
        fingerprint = None
    try:
        project = _load(path)
    except RecursionError:
        raise ProjectFileError(f"`{path}`: a value is nested too deeply") from None
    if fingerprint is not None:
        remember_file(project, path, fingerprint)
    return project


def _load(path: Path) -> Project:
    meta = _read_meta(path)
    contents = meta.pop("_contents")
    layers = {name: _read_layer(path, name) for name, kind in contents.items()
              if kind == "features" and owned_layer(name)}
    try:
        doc = upgrade({"meta": meta, "layers": layers})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProjectFileError(f"`{path}`: cannot migrate the file forward ({_one_line(exc)})") from None
    meta, layers = doc["meta"], doc["layers"]
    _check_columns(path, layers)
    try:
        crs = pyproj.CRS.from_wkt(meta["crs_wkt"])
    except (KeyError, pyproj.exceptions.CRSError) as exc:
        raise ProjectFileError(f"`{path}`: invalid project CRS ({exc})") from None
    if not crs.is_projected:
        raise ProjectFileError(f"`{path}`: the project CRS {crs.name!r} is not a projected (metric) CRS")
    if "study_area" not in layers or len(layers["study_area"]) != 1:
        raise ProjectFileError(f"`{path}`: the study_area layer is missing or has no single feature")
    area_geom = layers["study_area"].geometry.iloc[0]
    if area_geom is None or area_geom.is_empty or area_geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ProjectFileError(f"`{path}`: the study area is not a polygon")
    try:
        parameters = Parameters.from_dict(meta.get("parameters", {}))
    except (InvalidInputError, TypeError, ValueError, AttributeError) as exc:
        raise ProjectFileError(f"`{path}`: invalid parameters ({exc})") from None
    districts = layers.get("districts")
    if districts is None:
        districts = empty_districts(crs)
    try:
        project = Project(name=str(meta.get("name", path.stem)), crs=crs,
                          study_area=area_geom,
                          districts=_with_crs(districts, crs), parameters=parameters)
    except PlannerError as exc:
        raise ProjectFileError(f"`{path}`: {exc}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise ProjectFileError(f"`{path}`: unusable districts or study area ({_one_line(exc)})") from None
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
        try:
            project.add_links(links)
        except InvalidInputError as exc:
            raise ProjectFileError(f"`{path}`: {exc}") from None
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
            grid = _read_grid(path, meta, contents, crs)
            record: Any = CoverageRecord.from_parts(doc, marks, grid=grid, engine=None, crs=crs,
                                                    polygons=None if gdf is None else _with_crs(gdf, crs))
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
    # A result layer that no stored result owns would be dropped by the next save: refuse it.
    owned = {RESULT_LAYER_PREFIX + RADIO_RASTER}
    if ResultKind.COVERAGE in stored:
        owned |= {RESULT_LAYER_PREFIX + COVERAGE_LAYER, RESULT_LAYER_PREFIX + COVERAGE_GRID_TABLE}
    elif "coverage_grid" in meta:
        raise ProjectFileError(f"`{path}`: the metadata holds a coverage grid but the file no coverage result")
    if ResultKind.AUDIT in stored:
        owned |= {RESULT_LAYER_PREFIX + AUDIT_COVERAGE_LAYER, RESULT_LAYER_PREFIX + AUDIT_CAMERAS_LAYER}
    stray = sorted(n for n in contents if n.startswith(RESULT_LAYER_PREFIX) and n not in owned)
    if stray:
        raise ProjectFileError(f"`{path}`: result table(s) {', '.join(map(repr, stray))} belong to no stored "
                               "result; the planner would drop them on the next save")
    return records


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and bool(np.isfinite(v))


def _read_grid(path: Path, meta: dict[str, Any], contents: dict[str, str], crs: pyproj.CRS) -> LevelGrid | None:
    """The coverage level raster (None when the file has none), every value checked: the grid's
    metadata, each row's period and tile, each stream decompressed to exactly one tile and no more."""
    import time
    import zlib

    table = RESULT_LAYER_PREFIX + COVERAGE_GRID_TABLE
    info = meta.get("coverage_grid")
    if info is None and table not in contents:
        return None
    where = f"`{path}`: coverage grid"
    if info is None or table not in contents:
        raise ProjectFileError(f"{where}: the metadata `coverage_grid` and the table {table!r} come together; "
                               "the file has only one of them")
    want = {"origin_x", "origin_y", "resolution_m", "tile_size", "encoding", "levels"}
    if set(info) != want:
        raise ProjectFileError(f"{where}: `coverage_grid` must have exactly the keys {sorted(want)}")
    if not all(_finite(info[k]) for k in ("origin_x", "origin_y", "resolution_m")) or info["resolution_m"] <= 0:
        raise ProjectFileError(f"{where}: origin and resolution must be finite numbers (resolution > 0)")
    n = info["tile_size"]
    if n not in GRID_TILE_SIZES or isinstance(n, bool):
        raise ProjectFileError(f"{where}: tile_size {n!r} is not one of {list(GRID_TILE_SIZES)}")
    if info["encoding"] != GRID_ENCODING:
        raise ProjectFileError(f"{where}: unknown encoding {str(info['encoding'])[:40]!r} "
                               f"(this planner reads {GRID_ENCODING!r})")
    levels = info["levels"]
    if (not isinstance(levels, list) or not 1 <= len(levels) <= 32
            or not all(isinstance(lv, dict) and set(lv) == {"name", "ppm"} and isinstance(lv["name"], str)
                       and _finite(lv["ppm"]) for lv in levels)):
        raise ProjectFileError(f"{where}: `levels` must be 1 to 32 objects {{name: text, ppm: number}}")
    cells = n * n
    max_rows = max(1, 2 * MAX_RASTER_CELLS // cells)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.set_progress_handler(_deadline_handler(time.monotonic() + SQLITE_DEADLINE_S), 1000)
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        if cols != ["id", "period", "tile_row", "tile_col", "cells"]:
            raise ProjectFileError(f"{where}: table {table!r} has columns {cols[:8]}; expected "
                                   "id, period, tile_row, tile_col, cells")
        (count,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        if count > max_rows:
            raise ProjectFileError(f"{where}: {count:,} tiles; at most {max_rows:,} are read")
        rows = con.execute(f'SELECT period, tile_row, tile_col, cells FROM "{table}"').fetchall()
    except sqlite3.OperationalError as exc:
        raise ProjectFileError(f"{where}: cannot read table {table!r} ({_one_line(exc)})") from None
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"{where}: the table {table!r} is corrupt ({_one_line(exc)})") from None
    finally:
        con.close()
    tiles: dict[tuple[str, int, int], np.ndarray] = {}
    for period, ti, tj, blob in rows:
        at = f"{where}: tile ({ti!r}, {tj!r}, {str(period)[:12]!r})"
        if period not in PERIODS or not all(isinstance(v, int) and not isinstance(v, bool) and abs(v) < 1 << 24
                                            for v in (ti, tj)):
            raise ProjectFileError(f"{at}: period must be one of {list(PERIODS)} and tile_row/tile_col integers")
        if not isinstance(blob, bytes):
            raise ProjectFileError(f"{at}: `cells` is {type(blob).__name__}, not bytes")
        if (period, ti, tj) in tiles:
            raise ProjectFileError(f"{at}: appears twice")
        d = zlib.decompressobj()
        try:
            raw = d.decompress(blob, cells + 1)
        except zlib.error as exc:
            raise ProjectFileError(f"{at}: the cells cannot be decompressed ({exc})") from None
        if len(raw) != cells or not d.eof or d.unused_data:
            raise ProjectFileError(f"{at}: the cells are not exactly one {n} x {n} tile of bytes")
        arr = np.frombuffer(raw, dtype=np.uint8).reshape(n, n)
        if int(arr.max()) > len(levels):
            raise ProjectFileError(f"{at}: level {int(arr.max())} but the grid has {len(levels)} levels")
        tiles[(period, ti, tj)] = arr
    return LevelGrid(origin_x=float(info["origin_x"]), origin_y=float(info["origin_y"]),
                     resolution_m=float(info["resolution_m"]), tile_size=n,
                     level_names=tuple(lv["name"] for lv in levels),
                     level_ppm=tuple(float(lv["ppm"]) for lv in levels), tiles=tiles, crs=crs)


def _with_crs(gdf: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    if gdf.crs is None or pyproj.CRS.from_user_input(gdf.crs) != crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


def _read_raster(path: Path, table: str, crs: pyproj.CRS, info: dict[str, Any]) -> Raster:
    import rasterio

    try:
        with rasterio.open(f"GPKG:{path}:{table}") as ds:
            if ds.count < 1 or ds.width * ds.height > MAX_RASTER_CELLS:
                raise ProjectFileError(f"`{path}`: raster {table!r} is {ds.width} x {ds.height} cells "
                                       f"({ds.count} bands); at most {MAX_RASTER_CELLS:,} cells are read")
            arr = ds.read(1)
            transform = tuple(ds.transform)[:6]
    except (rasterio.errors.RasterioError, MemoryError, ValueError) as exc:
        raise ProjectFileError(f"`{path}`: cannot read raster {table!r} ({exc})") from None
    return Raster(array=arr, transform=transform, crs=crs,
                  nodata=info.get("nodata"), source=str(info.get("source", "")))


def read_schema_version(path: str | os.PathLike[str]) -> int:
    return int(_read_meta(Path(path))["schema_version"])
