"""``planner network``: bandwidth, radio sectors, backhaul links and storage retention of a project."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "network"
HELP = "analyse streams, radio sectors, backhaul links and storage retention; report per camera, site, link, centre"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--phase", action="append", default=None,
                   help="analyse the deployment as it stands after this phase (cumulative); repeatable")
    p.add_argument("--storage-assignment", choices=("hand", "proximity", "district"), default="hand",
                   help="how cameras go to storage centres (default: hand, nearest when unset)")
    p.add_argument("--duplex", choices=("fdd", "tdd"), default="fdd", help="radio sector duplex mode")
    p.add_argument("--tdd-config", type=int, default=1, help="LTE TDD UL/DL configuration 0-6")
    p.add_argument("--planning-load", type=float, default=0.7, help="sector planning load limit (default 0.7)")
    p.add_argument("--save", action="store_true", help="store the results in the project file")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows
    from planner.analysis.network_plan import NetworkParams

    project = workflows.open_project(args.project)
    params = NetworkParams(phases=tuple(args.phase) if args.phase else None,
                           storage_assignment=args.storage_assignment, duplex=args.duplex,
                           tdd_config=args.tdd_config, planning_load=args.planning_load)
    result, doc, text = workflows.network_report(project, params)
    if args.save:
        workflows.apply_result(project, workflows.network_record(doc))
        workflows.save(project, args.project)
    return Report(doc, text=text, warnings=list(result.warnings))
