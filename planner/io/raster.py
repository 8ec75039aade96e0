"""DEM and GeoTIFF files: read a DEM (GeoTIFF, SRTM ``.hgt``/``.hgt.zip``) onto a grid, write a GeoTIFF atomically-ready.

Moved here from :mod:`planner.analysis.raster` (disk formats live in ``io``); the grid types are
:mod:`planner.model.grid`.
"""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import CRSError, InvalidInputError, OutOfRangeError

if TYPE_CHECKING:
    from affine import Affine
    from numpy.typing import NDArray
from planner.model.grid import Grid, RasterLayer, as_crs

#: File suffixes read as DEMs (inside a zip too).
DEM_SUFFIXES = (".tif", ".tiff", ".hgt", ".dem", ".asc", ".bil", ".img", ".vrt")

__all__ = ["DEM_SUFFIXES", "dem_dataset_path", "read_dem", "write_geotiff"]


def dem_dataset_path(path: str | os.PathLike[str]) -> str:
    """GDAL path for a DEM file; ``.zip`` archives open their first raster member.

    Raises
    ------
    InvalidInputError
        Missing file, unreadable zip, or a zip without a raster member.
    """
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"`{p}` does not exist or is not a file")
    if p.suffix.lower() != ".zip":
        return str(p)
    try:
        with zipfile.ZipFile(p) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(DEM_SUFFIXES)]
    except zipfile.BadZipFile:
        raise InvalidInputError(f"`{p.name}` is not a valid zip archive") from None
    if not names:
        raise InvalidInputError(
            f"`{p.name}` contains no raster ({', '.join(DEM_SUFFIXES)}) to read"
        )
    return f"/vsizip/{p.resolve()}/{names[0]}"


def read_dem(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    resolution_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    resampling: str = "bilinear",
) -> RasterLayer:
    """Read a DEM as float32 metres with NaN nodata, optionally onto a projected grid.

    Parameters
    ----------
    path
        GeoTIFF, SRTM ``.hgt``, or a ``.zip`` holding one (``.hgt.zip``).
    crs
        Target CRS (anything ``rasterio.crs.CRS.from_user_input`` accepts);
        must be projected. ``None`` keeps the file's CRS (and grid, unless
        ``resolution_m`` or ``bounds`` is given).
    resolution_m
        Target cell size in CRS units (metres). Defaults to GDAL's estimate
        of the native resolution.
    bounds
        ``(left, bottom, right, top)`` in the target CRS. Must lie inside the
        DEM's footprint. Defaults to the whole DEM.
    resampling
        A ``rasterio.enums.Resampling`` name (``bilinear``, ``nearest``, ``cubic``...).

    Returns
    -------
    RasterLayer

    Raises
    ------
    InvalidInputError
        Missing or unreadable file, or a requested area outside the DEM.
    CRSError
        The DEM has no CRS, or the target CRS is unknown or geographic.
    """
    import rasterio
    from affine import Affine
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.warp import calculate_default_transform, reproject, transform_bounds
    from rasterio.windows import from_bounds as window_from_bounds

    name = Path(path).name
    gdal_path = dem_dataset_path(path)
    try:
        method = Resampling[resampling]
    except KeyError:
        raise InvalidInputError(f"`resampling` must be a GDAL resampling name; got {resampling!r}") from None
    try:
        src = rasterio.open(gdal_path)
    except RasterioIOError as exc:
        raise InvalidInputError(f"`{name}` is not a raster GDAL can read ({exc})") from None
    with src:
        if src.crs is None:
            raise CRSError(f"`{name}` has no CRS; set one in your GIS before importing")
        if crs is None and resolution_m is None and bounds is None:
            arr = src.read(1, masked=True).astype(np.float32).filled(np.nan)
            return RasterLayer(arr, src.transform, src.crs, math.nan, note=f"DEM {name}")
        dst_crs = as_crs(crs, name="crs") if crs is not None else src.crs
        if not dst_crs.is_projected:
            raise CRSError(
                f"`crs` must be projected (metres) to resample `{name}`; got {dst_crs.to_string()}"
            )
        if resolution_m is not None and not (math.isfinite(float(resolution_m)) and float(resolution_m) > 0):
            raise OutOfRangeError(f"`resolution_m` must be > 0; got {resolution_m}")
        if bounds is None:
            res = resolution_m
            if res is None:
                _t, _w, _h = calculate_default_transform(
                    src.crs, dst_crs, src.width, src.height, *src.bounds
                )
                res = abs(_t.a)
            bounds = transform_bounds(src.crs, dst_crs, *src.bounds, densify_pts=21)
        else:
            res = resolution_m
            if res is None:
                _t, _w, _h = calculate_default_transform(
                    src.crs, dst_crs, src.width, src.height, *src.bounds
                )
                res = abs(_t.a)
            need = transform_bounds(dst_crs, src.crs, *bounds, densify_pts=21)
            sl, sb, sr, st = src.bounds
            tol_x, tol_y = abs(src.transform.a) * 0.5, abs(src.transform.e) * 0.5
            if need[0] < sl - tol_x or need[1] < sb - tol_y or need[2] > sr + tol_x or need[3] > st + tol_y:
                raise InvalidInputError(
                    f"`{name}` does not cover the requested area {tuple(round(b, 1) for b in bounds)}; "
                    f"it covers ({sl:.4f}, {sb:.4f}, {sr:.4f}, {st:.4f}) in {src.crs.to_string()}"
                )
        grid = Grid.from_bounds(bounds, resolution_m=float(res), crs=dst_crs)
        # read only the source window the grid needs (plus a margin for the kernel)
        need = transform_bounds(dst_crs, src.crs, *grid.bounds, densify_pts=21)
        win = window_from_bounds(*need, transform=src.transform)
        win = win.round_offsets(op="floor").round_lengths(op="ceil")
        col0 = max(0, int(win.col_off) - 2)
        row0 = max(0, int(win.row_off) - 2)
        col1 = min(src.width, int(win.col_off + win.width) + 3)
        row1 = min(src.height, int(win.row_off + win.height) + 3)
        from rasterio.windows import Window

        w = Window(col0, row0, max(col1 - col0, 1), max(row1 - row0, 1))
        data = src.read(1, window=w, masked=True).astype(np.float32).filled(np.nan)
        src_t = src.transform @ Affine.translation(col0, row0)
        src_crs = src.crs
    out = np.full(grid.shape, np.nan, dtype=np.float32)
    reproject(
        data,
        out,
        src_transform=src_t,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=method,
    )
    return RasterLayer(out, grid.transform, grid.crs, math.nan, note=f"DEM {name} -> {grid.crs.to_string()}")


def write_geotiff(
    path: str | Path,
    array: NDArray[Any],
    *,
    transform: Affine,
    crs: Any,
    nodata: float | None,
) -> Path:
    """Write one band as a tiled, deflate-compressed GeoTIFF and return the path.

    Raises
    ------
    InvalidInputError
        The folder does not exist or the file cannot be written.
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    p = Path(path)
    if not p.parent.exists():
        raise InvalidInputError(f"`{p}`: folder `{p.parent}` does not exist")
    arr = np.asarray(array)
    if arr.ndim != 2:
        raise InvalidInputError(f"`array` must be 2-D; got shape {arr.shape}")
    profile = {
        "driver": "GTiff",
        "width": arr.shape[1],
        "height": arr.shape[0],
        "count": 1,
        "dtype": arr.dtype.name,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
    }
    if arr.shape[0] >= 256 and arr.shape[1] >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    try:
        with rasterio.open(p, "w", **profile) as dst:
            dst.write(arr, 1)
    except (RasterioIOError, OSError) as exc:
        raise InvalidInputError(f"`{p}` cannot be written ({exc})") from None
    return p
