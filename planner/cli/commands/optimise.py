"""``planner optimise``: where to put cameras, radio sites and storage centres (greedy + HiGHS MILP, with proof)."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "optimise"
HELP = ("choose camera sites (max coverage for N cameras or a budget, min cameras for a target share, backup "
        "coverage), radio sites or storage centres; report objective, bound, gap and proven optimality")

OBJECTIVES = ("max-coverage", "backup-coverage", "min-cameras", "min-cost", "radio-sites", "storage-sites")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", nargs="?", help="project file (.gpkg); omit with --coverage-table")
    p.add_argument("--coverage-table", metavar="FILE.csv",
                   help="optimise a CSV site_id,demand_id[,demand_weight][,site_cost] instead of a project")
    p.add_argument("--objective", choices=OBJECTIVES, default="max-coverage", help="model (default max-coverage)")
    p.add_argument("--cameras", type=int, help="number of new cameras (max-coverage, backup-coverage)")
    p.add_argument("--budget", type=float, help="budget for new cameras, in site-cost units (instead of --cameras)")
    p.add_argument("--target-share", type=float,
                   help="share of the demand weight to cover, in (0, 1] (min-cameras, min-cost); 1 = full coverage")
    p.add_argument("--depth", type=int, default=2, help="backup coverage: count each point up to this many cameras")
    p.add_argument("--level", default="detect", help="detail level to cover (default detect)")
    p.add_argument("--period", choices=("day", "night"), default="day", help="day or night coverage (default day)")
    p.add_argument("--candidates", default="intersections,streets",
                   help="comma list of intersections, streets, grid, corners, facades, a project point layer or a point file "
                        "(default intersections,streets)")
    p.add_argument("--spacing-m", type=float, default=50.0, help="pole spacing along streets (default 50 m)")
    p.add_argument("--azimuths", choices=("streets", "every"), default="streets",
                   help="fixed-camera orientations: along the streets (default) or every --azimuth-step-deg")
    p.add_argument("--azimuth-step-deg", type=float, default=45.0, help="orientation step (default 45°)")
    p.add_argument("--camera-type", default="bullet-1080p-4",
                   help="camera type of new cameras, or a comma list of the types allowed at each site (the optimiser "
                        "picks one per site; default bullet-1080p-4); a point layer's camera_types column overrides it")
    p.add_argument("--height-m", type=float, default=6.0, help="mount height of new cameras (default 6 m)")
    p.add_argument("--tilt-deg", type=float, default=10.0, help="tilt below horizontal (default 10°)")
    p.add_argument("--district", action="append", default=None,
                   help="demand only in this district (name or code; repeatable), e.g. Santiago")
    p.add_argument("--district-weight", action="append", default=None, metavar="NAME=W",
                   help="weight of the demand in a district (repeatable; default 1)")
    p.add_argument("--demand", choices=("streets", "cells"), default="streets",
                   help="demand: street samples (default) or area cells of public space")
    p.add_argument("--demand-spacing-m", type=float, default=10.0, help="street demand sample spacing (default 10 m)")
    p.add_argument("--site-radius-m", type=float, default=200.0,
                   help="priority sites weight the demand within this radius (default 200 m)")
    p.add_argument("--incidents", metavar="LAYER|FILE",
                   help="incident / heat-map points (project layer or point file; optional `weight` or `count` "
                        "column) that raise the demand weight near them")
    p.add_argument("--incident-radius-m", type=float, default=150.0,
                   help="incident kernel radius (quartic kernel, as QGIS's heat map; default 150 m)")
    p.add_argument("--incident-weight", type=float, default=1.0,
                   help="demand weight multiplier per unit of incident density: w × (1 + W × density) (default 1)")
    p.add_argument("--camera-cost", type=float, default=1.0, help="cost of one camera (default 1)")
    p.add_argument("--pole-cost", type=float, default=0.0, help="extra cost of a new street pole (default 0)")
    p.add_argument("--resolution-m", type=float, default=2.0, help="coverage grid cell (default 2 m)")
    p.add_argument("--phase", action="append", default=None, dest="phases",
                   help="existing deployment after this phase (cumulative; default all)")
    p.add_argument("--new-phase", default="optimised", help="phase of the added nodes with --apply (default optimised)")
    p.add_argument("--time-limit-s", type=float, default=60.0, help="solver time limit (default 60 s)")
    p.add_argument("--fixed-sites", default="", help="coverage table: comma list of existing (fixed) site ids")
    p.add_argument("--export-table", metavar="FILE.csv", help="also write the project's coverage table")
    p.add_argument("--apply", action="store_true",
                   help="add the chosen cameras / sites to the project (one undoable step) and save it")
    p.add_argument("--sites", help="radio-sites / storage-sites: candidate points (project layer or point file); "
                                   "default a grid over the cameras")
    p.add_argument("--site-spacing-m", type=float, default=None,
                   help="grid spacing of candidate sites (default 800 m radio, 3000 m storage)")
    p.add_argument("--site-cost", type=float, default=None,
                   help="cost of a new radio site (default 1) or storage centre (default 100000)")
    p.add_argument("--all-cameras", action="store_true", help="radio-sites: plan radio for every camera")
    p.add_argument("--storage-capacity-tb", type=float, default=150.0, help="raw capacity of a new storage centre")
    p.add_argument("--backhaul-cost-per-km", type=float, default=1000.0,
                   help="storage-sites: backhaul cost per camera-km (default 1000)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (0 = in-process)")
    p.add_argument("--scheduler", help="address of a dask.distributed scheduler")


def _weights(items: list[str] | None) -> dict[str, float]:
    from planner.errors import InvalidInputError

    out: dict[str, float] = {}
    for it in items or []:
        name, sep, val = it.rpartition("=")
        try:
            w = float(val)
        except ValueError:
            w = -1.0
        if not sep or not name.strip() or not w >= 0:
            raise InvalidInputError(f"`--district-weight` must be NAME=W with W >= 0; got {it!r}")
        out[name.strip()] = w
    return out


def _types(text: str) -> tuple[str, ...]:
    from planner.errors import InvalidInputError

    out = tuple(t.strip() for t in str(text).split(",") if t.strip())
    if not out:
        raise InvalidInputError(f"`--camera-type` must name at least one camera type; got {text!r}")
    return out


def run(args: argparse.Namespace) -> Report:
    from planner import placement, workflows
    from planner.analysis.candidates import CandidateParams
    from planner.analysis.executor import default_executor
    from planner.errors import InvalidInputError
    from planner.model.commands import CommandStack

    obj = args.objective
    if args.coverage_table and args.project:
        raise InvalidInputError("give a project or `--coverage-table`, not both")
    if not args.coverage_table and not args.project:
        raise InvalidInputError("give a project file or `--coverage-table FILE.csv`")
    if args.time_limit_s < 0:
        raise InvalidInputError(f"`--time-limit-s` must be >= 0; got {args.time_limit_s}")
    if obj in ("max-coverage", "backup-coverage"):
        if (args.cameras is None) == (args.budget is None):
            raise InvalidInputError(f"`--objective {obj}` needs exactly one of `--cameras N` and `--budget X`")
        if args.cameras is not None and args.cameras < 1:
            raise InvalidInputError(f"`--cameras` must be >= 1; got {args.cameras}")
    elif obj in ("min-cameras", "min-cost"):
        if args.target_share is None:
            raise InvalidInputError(f"`--objective {obj}` needs `--target-share S` (0 < S <= 1)")
        if not 0 < args.target_share <= 1:
            raise InvalidInputError(f"`--target-share` must be in (0, 1]; got {args.target_share}")
    if args.coverage_table:
        if obj in ("radio-sites", "storage-sites"):
            raise InvalidInputError(f"`--objective {obj}` needs a project, not a coverage table")
        if args.apply:
            raise InvalidInputError("`--apply` needs a project (a coverage table has no positions)")
        pl = placement.optimise_table(args.coverage_table, model=obj, cameras=args.cameras, budget=args.budget,
                                      target_share=args.target_share, depth=args.depth,
                                      time_limit_s=args.time_limit_s,
                                      fixed=tuple(s for s in args.fixed_sites.split(",") if s.strip()))
        return Report(pl.doc(), text=pl.text())
    project = workflows.open_project(args.project)
    phases = tuple(args.phases) if args.phases else None
    if obj in ("radio-sites", "storage-sites"):
        if obj == "radio-sites":
            plan = placement.radio_sites_report(
                project, sites=args.sites, site_spacing_m=args.site_spacing_m or 800.0, all_cameras=args.all_cameras,
                site_cost=1.0 if args.site_cost is None else args.site_cost, phases=phases,
                time_limit_s=args.time_limit_s)
        else:
            plan = placement.storage_sites_report(
                project, sites=args.sites, site_spacing_m=args.site_spacing_m or 3000.0,
                capacity_tb=args.storage_capacity_tb,
                site_cost=100_000.0 if args.site_cost is None else args.site_cost,
                cost_per_km=args.backhaul_cost_per_km, phases=phases, time_limit_s=args.time_limit_s)
        doc = plan.doc()
        text = plan.text()
        if args.apply:
            CommandStack(project).push(plan.command(args.new_phase))
            workflows.save(project, args.project)
            doc["applied"] = True
            text += f"\n  applied: {len(plan.new_sites)} site(s) added in phase {args.new_phase}; saved {args.project}"
        return Report(doc, text=text)
    params = CandidateParams(
        sources=tuple(s.strip() for s in args.candidates.split(",") if s.strip()), spacing_m=args.spacing_m,
        camera_type=_types(args.camera_type)[0], camera_types=_types(args.camera_type), height_m=args.height_m, tilt_deg=args.tilt_deg, azimuths=args.azimuths,
        azimuth_step_deg=args.azimuth_step_deg, level=args.level, period=args.period,
        demand_spacing_m=args.demand_spacing_m, demand=args.demand, districts=tuple(args.district) if args.district else None,
        district_weights=_weights(args.district_weight), site_radius_m=args.site_radius_m,
        incidents=args.incidents, incident_radius_m=args.incident_radius_m, incident_weight=args.incident_weight,
        resolution_m=args.resolution_m, camera_cost=args.camera_cost, pole_cost=args.pole_cost, phases=phases)
    executor = default_executor(2000, scheduler=args.scheduler, workers=args.workers)
    pl = placement.optimise_project(project, params, model=obj, cameras=args.cameras, budget=args.budget,
                                    target_share=args.target_share, depth=args.depth,
                                    time_limit_s=args.time_limit_s, executor=executor,
                                    export_table=args.export_table)
    doc = pl.doc()
    text = pl.text()
    if args.apply:
        cmd = placement.placement_command(project, pl, phase=args.new_phase)
        CommandStack(project).push(cmd)
        workflows.save(project, args.project)
        doc["applied"] = True
        doc["added_cameras"] = [n.id for n in cmd.nodes]
        text += f"\n  applied: {len(cmd.nodes)} camera(s) added in phase {args.new_phase}; saved {args.project}"
    return Report(doc, text=text)
