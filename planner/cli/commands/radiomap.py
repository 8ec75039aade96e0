"""``planner radiomap``: received power and camera uplink rate around each radio site, on the DEM."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.cli.output import Report

NAME = "radiomap"
HELP = "map the uplink rate a camera CPE gets from the best radio site (Hata/COST-231 + terrain diffraction)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--resolution-m", type=float, default=100.0, help="grid cell (default 100 m)")
    p.add_argument("--max-distance-km", type=float, default=15.0, help="reach of each site (default 15 km)")
    p.add_argument("--cpe-height-m", type=float, default=6.0, help="camera CPE height (default 6 m)")
    p.add_argument("--min-rate-mbps", type=float, default=2.0, help="rate counted as served (default 2 Mb/s)")
    p.add_argument("--out", help="also write the best-server uplink rate as a GeoTIFF")
    p.add_argument("--no-save", action="store_true", help="do not store the map in the project file")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows
    from planner.analysis.radio_coverage import RadioCoverageParams

    project = workflows.open_project(args.project)
    params = RadioCoverageParams(resolution_m=args.resolution_m, max_distance_m=args.max_distance_km * 1000,
                                 cpe_height_m=args.cpe_height_m)
    cov, doc, text = workflows.radio_map_report(project, params, min_rate_mbps=args.min_rate_mbps)
    record = workflows.radio_record(project, cov, doc)
    if args.out:
        workflows.write_raster(record.raster, Path(args.out))
        doc["file"] = args.out
    if not args.no_save:
        workflows.apply_result(project, record)
        workflows.save(project, args.project)
    return Report(doc, text=text)
