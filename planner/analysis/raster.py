"""Elevation rasters: read a DEM, reproject it, build a city DSM, approximate blocks.

* :func:`planner.io.raster.read_dem` reads GeoTIFF, SRTM ``.hgt`` and zipped ``.hgt.zip`` files
  (through GDAL's ``/vsizip/``), optionally reprojected to a projected CRS on
  a grid of given resolution and bounds (bilinear). A requested area that the
  DEM does not cover is an error, not a block of zeros.
* :func:`build_dsm` builds ``DSM = DEM + building height`` (max-merge where
  footprints overlap) tile by tile, so a whole city at 2 m fits in memory:
  only the output array is full size (a 10 km x 10 km city at 2 m is 25 M
  float32 cells = 100 MB).
* :func:`blocks_from_streets` derives approximate city blocks from a street
  network (polygonise the street lines, inset by a setback, one default
  height), for cities without building footprints. Flagged ``approximate``.

Method and defaults: docs/reference.md §R10.3 (DSM for city occlusion).
Elevation layers use float32 with NaN for unknown cells.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import CRSError, GeometryError, InvalidInputError, OutOfRangeError
from planner.model.grid import Grid, RasterLayer, as_crs

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray
    from rasterio.crs import CRS

__all__ = [
    "Grid",
    "RasterLayer",
    "blocks_from_streets",
    "build_dsm",
    "rasterize_building_heights",
    "reproject_layer",
]

"""File suffixes looked for inside a ``.zip`` archive."""


# --------------------------------------------------------------------------- data


def bilinear_sample(array: NDArray[Any], transform: Any, xs: NDArray[Any], ys: NDArray[Any], *,
                    nodata: float | None = None) -> NDArray[np.float64]:
    """Bilinear values of a north-up raster at map coordinates (vectorised; NaN outside or on nodata).

    ``transform`` is an affine ``(a, b, c, d, e, f)`` (GDAL order, no rotation):
    cell centres sit at ``c + a (col + 0.5)``, ``f + e (row + 0.5)``.
    """
    a, _, c, _, e, f = tuple(transform)[:6]
    arr = np.asarray(array, dtype=np.float64)
    col = (np.asarray(xs, dtype=float) - c) / a - 0.5
    row = (np.asarray(ys, dtype=float) - f) / e - 0.5
    rows, cols = arr.shape
    c0 = np.clip(np.floor(col).astype(np.int64), 0, max(cols - 2, 0))
    r0 = np.clip(np.floor(row).astype(np.int64), 0, max(rows - 2, 0))
    c1 = np.minimum(c0 + 1, cols - 1)
    r1 = np.minimum(r0 + 1, rows - 1)
    fc = np.clip(col - c0, 0.0, 1.0)
    fr = np.clip(row - r0, 0.0, 1.0)
    z00, z01, z10, z11 = arr[r0, c0], arr[r0, c1], arr[r1, c0], arr[r1, c1]
    v = z00 * (1 - fc) * (1 - fr) + z01 * fc * (1 - fr) + z10 * (1 - fc) * fr + z11 * fc * fr
    if nodata is not None and not math.isnan(nodata):
        bad = (z00 == nodata) | (z01 == nodata) | (z10 == nodata) | (z11 == nodata)
        v = np.where(bad, np.nan, v)
    outside = (col < -0.5) | (col > cols - 0.5) | (row < -0.5) | (row > rows - 0.5)
    return np.where(outside, np.nan, v)


# --------------------------------------------------------------------------- reading


def reproject_layer(layer: RasterLayer, grid: Grid, *, resampling: str = "bilinear") -> RasterLayer:
    """Resample ``layer`` onto ``grid`` (float32, NaN outside the source).

    Raises
    ------
    CRSError
        The layer has no CRS.
    """
    from rasterio.enums import Resampling
    from rasterio.warp import reproject

    if layer.crs is None:
        raise CRSError("`layer` has no CRS; cannot reproject it")
    src = np.asarray(layer.array, dtype=np.float32)
    if layer.nodata is not None and not math.isnan(layer.nodata):
        src = np.where(src == layer.nodata, np.float32(np.nan), src)
    out = np.full(grid.shape, np.nan, dtype=np.float32)
    reproject(
        src,
        out,
        src_transform=layer.transform,
        src_crs=layer.crs,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=Resampling[resampling],
    )
    return RasterLayer(out, grid.transform, grid.crs, math.nan, layer.approximate, layer.note)


# --------------------------------------------------------------------------- DSM


def _buildings_to_pairs(
    buildings: gpd.GeoDataFrame | Iterable[tuple[Any, float]],
    *,
    crs: CRS,
    height_column: str,
) -> tuple[list[Any], NDArray[np.float64]]:
    """Validated ``(geometries, heights)`` in ``crs``, sorted by increasing height."""
    import shapely

    if hasattr(buildings, "geometry") and hasattr(buildings, "columns"):
        gdf = cast("gpd.GeoDataFrame", buildings)
        if gdf.crs is None:
            raise CRSError("`buildings` has no CRS; set one before building the DSM")
        if height_column not in gdf.columns:
            raise InvalidInputError(
                f"`buildings` has no `{height_column}` column; columns are {list(gdf.columns)}"
            )
        gdf = gdf.to_crs(crs)
        geoms = list(gdf.geometry.values)
        heights = np.asarray(gdf[height_column].to_numpy(dtype=float, na_value=np.nan), dtype=float)
        labels = [str(i) for i in gdf.index]
    else:
        pairs = list(buildings)
        geoms = [g for g, _h in pairs]
        heights = np.asarray([float(h) for _g, h in pairs], dtype=float)
        labels = [str(i) for i in range(len(pairs))]
    bad = np.flatnonzero(~np.isfinite(heights) | (heights < 0))
    if bad.size:
        i = int(bad[0])
        raise InvalidInputError(
            f"building `{labels[i]}` has height {heights[i]} m; heights must be finite and >= 0 "
            f"({bad.size} bad in all)"
        )
    keep = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise GeometryError(f"building `{labels[i]}` is a {g.geom_type}; footprints must be polygons")
        keep.append(i)
    order = sorted(keep, key=lambda i: heights[i])
    geoms_sorted = [geoms[i] for i in order]
    shapely.prepare(geoms_sorted)
    return geoms_sorted, heights[order]


def _tiles(shape: tuple[int, int], tile: int) -> list[tuple[int, int, int, int]]:
    rows, cols = shape
    return [
        (r, c, min(tile, rows - r), min(tile, cols - c))
        for r in range(0, rows, tile)
        for c in range(0, cols, tile)
    ]


def rasterize_building_heights(
    buildings: gpd.GeoDataFrame | Iterable[tuple[Any, float]],
    grid: Grid,
    *,
    height_column: str = "height_m",
    tile_size_px: int = 2048,
    progress: ProgressFn = no_progress,
) -> RasterLayer:
    """Building heights above ground on ``grid`` (0 where no building), max-merged.

    A cell belongs to a footprint when its centre is inside it
    (``rasterio.features.rasterize``, ``all_touched=False``). Where footprints
    overlap, the tallest wins (shapes are burnt in increasing height).

    Raises
    ------
    InvalidInputError
        Missing height column, negative or NaN heights.
    GeometryError
        Non-polygon footprints.
    """
    out = np.zeros(grid.shape, dtype=np.float32)
    geoms, heights = _buildings_to_pairs(buildings, crs=grid.crs, height_column=height_column)
    _burn_tiles(out, geoms, heights, grid, tile_size_px=tile_size_px, dem=None, progress=progress)
    return RasterLayer(out, grid.transform, grid.crs, None, note="building heights above ground (m)")


def _burn_tiles(
    out: NDArray[np.float32],
    geoms: Sequence[Any],
    heights: NDArray[np.float64],
    grid: Grid,
    *,
    tile_size_px: int,
    dem: RasterLayer | None,
    progress: ProgressFn,
) -> None:
    import shapely
    from affine import Affine
    from rasterio.features import rasterize

    if int(tile_size_px) < 16:
        raise OutOfRangeError(f"`tile_size_px` must be >= 16; got {tile_size_px}")
    tree = shapely.STRtree(list(geoms)) if len(geoms) else None
    tiles = _tiles(grid.shape, int(tile_size_px))
    for n, (r, c, h, w) in enumerate(tiles):
        progress(n / len(tiles), f"DSM tile {n + 1}/{len(tiles)}")
        tt = grid.transform @ Affine.translation(c, r)
        sub = out[r : r + h, c : c + w]
        if dem is not None:
            tile_grid = Grid(tt, w, h, grid.crs)
            sub[:, :] = reproject_layer(dem, tile_grid).array
        if tree is not None:
            left, top = tt.c, tt.f
            box = shapely.box(left, top + tt.e * h, left + tt.a * w, top)
            idx = np.sort(tree.query(box, predicate="intersects"))
            if idx.size:
                burnt = rasterize(
                    ((geoms[i], float(heights[i])) for i in idx),
                    out_shape=(h, w),
                    transform=tt,
                    fill=0.0,
                    dtype="float32",
                    all_touched=False,
                )
                sub += burnt
    progress(1.0, "DSM done")


def build_dsm(
    dem: RasterLayer,
    buildings: gpd.GeoDataFrame | Iterable[tuple[Any, float]],
    *,
    resolution_m: float = 2.0,
    crs: Any = None,
    bounds: tuple[float, float, float, float] | None = None,
    height_column: str = "height_m",
    tile_size_px: int = 2048,
    progress: ProgressFn = no_progress,
) -> RasterLayer:
    """Digital surface model ``DSM = DEM + building height`` on a metric grid.

    The DEM is resampled bilinearly onto each tile of the output grid and
    the footprints intersecting the tile are burnt in with their heights
    (tallest wins on overlaps), tile by tile (``tile_size_px`` square).

    Parameters
    ----------
    dem
        Terrain layer (any CRS; e.g. from :func:`planner.io.raster.read_dem`).
    buildings
        A GeoDataFrame with a CRS and a ``height_column`` (m above ground), or
        ``(polygon, height_m)`` pairs already in the output CRS.
    resolution_m
        Output cell size (m); 2 m by default (0.5-2 m for cameras, §6.4).
    crs
        Output CRS (projected). Defaults to the DEM's, which must then be projected.
    bounds
        Output ``(left, bottom, right, top)`` in ``crs``; defaults to the DEM's
        extent. Must lie inside the DEM.
    height_column
        Column of building heights in metres.
    tile_size_px
        Side of a processing tile in cells.
    progress
        Progress callback; raise :class:`~planner.errors.AnalysisCancelled` from it to stop.

    Returns
    -------
    RasterLayer
        float32 surface heights (m), NaN where the DEM has no data.

    Raises
    ------
    CRSError
        Output CRS geographic or unknown.
    InvalidInputError
        Bounds outside the DEM, bad building heights.
    """
    from rasterio.warp import transform_bounds

    if dem.crs is None:
        raise CRSError("`dem` has no CRS")
    dst_crs = as_crs(crs, name="crs") if crs is not None else dem.crs
    if not dst_crs.is_projected:
        raise CRSError(
            f"the DSM needs a projected CRS; pass `crs` (the DEM's is {dst_crs.to_string()})"
        )
    dem_bounds_dst = transform_bounds(dem.crs, dst_crs, *dem.bounds, densify_pts=21)
    if bounds is None:
        bounds = dem_bounds_dst
    else:
        need = transform_bounds(dst_crs, dem.crs, *bounds, densify_pts=21)
        dl, db, dr, dt = dem.bounds
        rx, ry = dem.resolution
        if need[0] < dl - rx / 2 or need[1] < db - ry / 2 or need[2] > dr + rx / 2 or need[3] > dt + ry / 2:
            raise InvalidInputError(
                f"the DEM does not cover the requested DSM area {tuple(round(b, 1) for b in bounds)}"
            )
    grid = Grid.from_bounds(bounds, resolution_m=resolution_m, crs=dst_crs)
    geoms, heights = _buildings_to_pairs(buildings, crs=grid.crs, height_column=height_column)
    out = np.empty(grid.shape, dtype=np.float32)
    _burn_tiles(out, geoms, heights, grid, tile_size_px=tile_size_px, dem=dem, progress=progress)
    return RasterLayer(
        out, grid.transform, grid.crs, math.nan,
        note=f"DSM = DEM + {len(geoms)} building heights at {float(resolution_m):g} m",
    )


# --------------------------------------------------------------------------- blocks


def blocks_from_streets(
    streets: gpd.GeoDataFrame | gpd.GeoSeries | Iterable[Any],
    *,
    crs: Any = None,
    setback_m: float = 6.0,
    default_height_m: float = 15.0,
    min_area_m2: float = 100.0,
    boundary: Any = None,
) -> gpd.GeoDataFrame:
    """Approximate city blocks: faces of the street network, inset by a setback.

    ``blocks = polygonize(union(streets [+ boundary ring])).buffer(-setback_m)``,
    keeping blocks of at least ``min_area_m2``, each with ``default_height_m``.
    The setback stands for half the street width plus the pavement. The
    result is an **approximation** (column ``approximate`` is True, and
    ``gdf.attrs["approximate"]``): use real footprints when you have them.

    Parameters
    ----------
    streets
        Street centre lines (LineString/MultiLineString) in a projected CRS;
        a GeoDataFrame/GeoSeries carries its CRS, plain geometries need ``crs``.
    crs
        CRS of plain geometries (ignored for GeoDataFrames).
    setback_m
        Inset distance (m, >= 0).
    default_height_m
        Height given to every block (m, > 0).
    min_area_m2
        Blocks smaller than this after the inset are dropped.
    boundary
        Optional polygon whose ring closes the open faces at the edge of the
        network (e.g. the study area).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``geometry``, ``height_m``, ``approximate``, ``source``.

    Raises
    ------
    CRSError
        No CRS or a geographic one (the setback is in metres).
    GeometryError
        No line geometries.
    OutOfRangeError
        Negative setback, height <= 0.
    """
    import geopandas as gpd
    import shapely
    from shapely.ops import polygonize

    if hasattr(streets, "geometry") and hasattr(streets, "crs"):
        series = cast("gpd.GeoSeries", streets.geometry if hasattr(streets, "columns") else streets)
        out_crs = series.crs
        lines = [g for g in series.values if g is not None and not g.is_empty]
    else:
        out_crs = as_crs(crs, name="crs") if crs is not None else None
        lines = [g for g in streets if g is not None and not g.is_empty]
    if out_crs is None:
        raise CRSError("`streets` has no CRS; the setback is in metres")
    if not as_crs(out_crs, name="crs").is_projected:
        raise CRSError(f"`streets` must be in a projected CRS (metres); got {out_crs}")
    sb = float(setback_m)
    if not (math.isfinite(sb) and sb >= 0):
        raise OutOfRangeError(f"`setback_m` must be >= 0; got {setback_m}")
    hh = float(default_height_m)
    if not (math.isfinite(hh) and hh > 0):
        raise OutOfRangeError(f"`default_height_m` must be > 0; got {default_height_m}")
    bad = [g.geom_type for g in lines if g.geom_type not in ("LineString", "MultiLineString", "LinearRing")]
    if bad:
        raise GeometryError(f"`streets` must be lines; found {bad[0]} ({len(bad)} non-line geometries)")
    if not lines:
        raise GeometryError("`streets` has no line geometries")
    if boundary is not None:
        lines = [*lines, boundary.exterior]
    merged = shapely.union_all(lines)
    faces = list(polygonize(shapely.get_parts(merged)))
    if boundary is not None:
        faces = [f for f in faces if boundary.contains(f.representative_point())]
    blocks = []
    for f in faces:
        g = f.buffer(-sb, join_style="mitre") if sb > 0 else f
        if g.is_empty:
            continue
        for part in shapely.get_parts(g):
            if part.area >= min_area_m2:
                blocks.append(part)
    gdf = gpd.GeoDataFrame(
        {
            "height_m": np.full(len(blocks), hh),
            "approximate": np.ones(len(blocks), dtype=bool),
            "source": ["street-network blocks (approximation)"] * len(blocks),
        },
        geometry=blocks,
        crs=out_crs,
    )
    gdf.attrs["approximate"] = True
    return gdf
