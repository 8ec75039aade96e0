"""``planner coverage``: what every camera sees, per detail level, day and night; stored in the project."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "coverage"
HELP = ("compute camera coverage per detail level (optics × line of sight × pixel density), day and night, "
        "for the city and each district; store it in the project")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--level", help="report this detail level only (monitor, detect, observe, recognise, identify)")
    p.add_argument("--phase", action="append", default=None, help="deployment after this phase (cumulative)")
    p.add_argument("--resolution-m", type=float, default=2.0, help="grid cell in metres (default 2)")
    p.add_argument("--target-height-m", type=float, default=None,
                   help="target height above ground (default: the project's target_height_m, 1.6 unless set)")
    p.add_argument("--levels", choices=("dori", "dori+validate"), default="dori",
                   help="detail-level table (default IEC EN 62676-4 DORI)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (0 = in-process)")
    p.add_argument("--scheduler", help="address of a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--no-save", action="store_true", help="do not store the results in the project file")
    p.add_argument("--out-of-service", metavar="S", help="availability: a share of cameras out of service "
                   "(e.g. 0.47, drawn at random) or a comma-separated list of camera ids")
    p.add_argument("--draws", type=int, default=50, help="availability: random draws (default 50)")
    p.add_argument("--seed", type=int, default=1, help="availability: random seed (default 1)")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows
    from planner.analysis.coverage import CoverageParams
    from planner.analysis.executor import default_executor
    from planner.analysis.optics import ALL_LEVELS, DORI_LEVELS
    from planner.errors import InvalidInputError

    project = workflows.open_project(args.project)
    levels = DORI_LEVELS if args.levels == "dori" else ALL_LEVELS
    if args.level and args.level not in {lv.name for lv in levels}:
        raise InvalidInputError(f"`--level` must be one of {', '.join(lv.name for lv in levels)}; got {args.level!r}")
    target = args.target_height_m if args.target_height_m is not None else project.parameters.target_height_m
    params = CoverageParams(resolution_m=args.resolution_m, target_height_m=target, levels=levels,
                            phases=tuple(args.phase) if args.phase else None)
    n = len(project.cameras())
    executor = default_executor(n, scheduler=args.scheduler, workers=args.workers, threads=True)
    avail = None
    if args.out_of_service is not None:  # availability (planner.audit.availability), checked before the run
        from planner.audit.availability import (
            AvailabilityParams,
            availability,
            format_availability,
            parse_out_of_service,
        )

        share, ids = parse_out_of_service(args.out_of_service)
        avail = AvailabilityParams(share=share, ids=ids, draws=args.draws, seed=args.seed)
    result, doc, text = workflows.coverage_report(project, params, executor=executor)
    if avail is not None:
        doc = {**doc, "availability": availability(result, avail)}
        text += "\n" + format_availability(doc["availability"], level=args.level)
    if not args.no_save:
        workflows.apply_result(project, workflows.coverage_record(project, result, doc))
        workflows.save(project, args.project)
    if args.level:
        lv = args.level
        doc = {**doc, "selected_level": lv,
               "city": {lv: doc["city"][lv]},
               "districts": [{**d, "day_pct": {lv: d["day_pct"][lv]}, "night_pct": {lv: d["night_pct"][lv]},
                              "day_km2": {lv: d["day_km2"][lv]}} for d in doc["districts"]]}
    return Report(doc, text=text)
