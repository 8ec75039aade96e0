"""``planner viewshed``: visibility from one observer on a DEM/DSM GeoTIFF."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from planner.cli.output import Report

NAME = "viewshed"
HELP = "Cells visible from one observer on a DEM/DSM (GeoTIFF, .hgt, .hgt.zip)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the viewshed options."""
    parser.add_argument("--dem", required=True, metavar="FILE", help="DEM or DSM raster")
    parser.add_argument(
        "--at", required=True, metavar="X,Y",
        help="observer position in the DEM's CRS (or in --crs); use --at=X,Y for negative X",
    )
    parser.add_argument("--observer-height-m", type=float, required=True, help="eye height above ground")
    parser.add_argument("--target-height-m", type=float, default=0.0, help="target height above ground (default 0)")
    parser.add_argument("--max-distance-m", type=float, required=True, help="radius of the analysis")
    parser.add_argument(
        "--refraction-coeff", type=float, default=1.0 / 7.0,
        help="refraction coefficient k (default 1/7, visible light; 1 = flat earth)",
    )
    parser.add_argument(
        "--observer-elevation-m", type=float,
        help="absolute eye elevation (overrides ground + observer height; rooftop masts)",
    )
    parser.add_argument(
        "--crs", metavar="EPSG:XXXX",
        help="reproject the DEM to this projected CRS first (needed for geographic DEMs such as SRTM)",
    )
    parser.add_argument("--resolution-m", type=float, help="cell size when reprojecting with --crs")
    parser.add_argument("--method", choices=("fast", "exact"), default="fast", help="kernel (default fast)")
    parser.add_argument("--out", metavar="FILE.tif", help="write uint8 GeoTIFF: 1 visible, 0 hidden, 255 nodata")


def _parse_xy(text: str) -> tuple[float, float]:
    from planner.errors import InvalidInputError

    parts = text.replace(";", ",").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise InvalidInputError(f"`--at` must be X,Y (two numbers); got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InvalidInputError(f"`--at` must be finite; got {text!r}")
    return x, y


def run(args: argparse.Namespace) -> Report:
    """Compute the viewshed, optionally write it, and report the visible area."""
    import time

    from planner.analysis.viewshed import NODATA, viewshed
    from planner.errors import InvalidInputError, OutOfRangeError
    from planner.io.raster import read_dem, write_geotiff

    x, y = _parse_xy(args.at)
    for name in ("observer_height_m", "target_height_m"):
        v = getattr(args, name)
        if not (math.isfinite(v) and v >= 0):
            raise OutOfRangeError(f"`--{name.replace('_', '-')}` must be >= 0; got {v}")
    if not (math.isfinite(args.max_distance_m) and args.max_distance_m > 0):
        raise OutOfRangeError(f"`--max-distance-m` must be > 0; got {args.max_distance_m}")
    dem_path = Path(args.dem)
    if not dem_path.is_file():
        raise InvalidInputError(f"`{dem_path}` does not exist")
    if args.out is not None and not Path(args.out).parent.exists():
        raise InvalidInputError(f"`{args.out}`: folder does not exist")
    if args.out is not None:
        from planner.io.atomic import check_target

        check_target(args.out)  # a device, FIFO or read-only file is refused before the work
    if args.crs is not None:
        margin = args.max_distance_m + 4 * (args.resolution_m or 30.0)
        dem = read_dem(
            dem_path, crs=args.crs, resolution_m=args.resolution_m,
            bounds=(x - margin, y - margin, x + margin, y + margin),
        )
    else:
        dem = read_dem(dem_path)
    t0 = time.perf_counter()
    result = viewshed(
        dem,
        x=x,
        y=y,
        observer_height_m=args.observer_height_m,
        target_height_m=args.target_height_m,
        max_distance_m=args.max_distance_m,
        refraction_coeff=args.refraction_coeff,
        observer_elevation_m=args.observer_elevation_m,
        method=args.method,
    )
    elapsed = time.perf_counter() - t0
    data: dict[str, Any] = {
        "dem": str(dem_path),
        "crs": dem.crs.to_string() if dem.crs else None,
        "observer_xy": [x, y],
        "observer_rc": [result.observer_row, result.observer_col],
        "observer_elevation_m": result.observer_elevation_m,
        "observer_height_m": args.observer_height_m,
        "target_height_m": args.target_height_m,
        "max_distance_m": args.max_distance_m,
        "refraction_coeff": args.refraction_coeff,
        "method": args.method,
        "cell_area_m2": result.cell_area_m2,
        "analysed_cells": result.analysed_cells,
        "visible_cells": result.visible_cells,
        "visible_area_m2": result.visible_area_m2,
        "visible_fraction": result.visible_cells / max(result.analysed_cells, 1),
        "seconds": elapsed,
        "out": None,
    }
    if args.out is not None:
        from planner.io.atomic import atomic_write_with  # atomic, regular files only

        atomic_write_with(args.out, lambda tmp: write_geotiff(tmp, result.to_full(), transform=dem.transform,
                                                              crs=dem.crs, nodata=NODATA))
        data["out"] = str(args.out)
    text = (
        f"{result.visible_cells} of {result.analysed_cells} cells visible "
        f"({result.visible_area_m2 / 1e4:.2f} ha) within {args.max_distance_m:g} m"
        + (f"; written to {args.out}" if args.out else "")
    )
    return Report(data=data, text=text)
