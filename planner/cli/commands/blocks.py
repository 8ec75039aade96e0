"""``planner blocks``: approximate buildings from the street network when no footprints exist."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "blocks"
HELP = ("derive city blocks from the project's streets (faces of the network inset by a setback) and store "
        "them as the buildings layer, flagged as an approximation")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg); rewritten atomically")
    p.add_argument("--setback-m", type=float, default=6.0, help="inset from the street centre line (default 6)")
    p.add_argument("--height-m", type=float, default=12.0, help="height given to every block (default 12)")
    p.add_argument("--max-area-m2", type=float, default=30_000.0,
                   help="faces larger than this are parks or open land, not blocks (default 30,000 = 3 ha)")
    p.add_argument("--force", action="store_true", help="replace real building footprints already imported")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows

    project = workflows.open_project(args.project)
    n = workflows.derive_blocks(project, setback_m=args.setback_m, height_m=args.height_m,
                                max_area_m2=args.max_area_m2, force=args.force)
    workflows.save(project, args.project)
    doc = {"blocks": n, "approximate": True, "setback_m": args.setback_m, "height_m": args.height_m,
           "max_area_m2": args.max_area_m2}
    return Report(doc, text=f"derived {n} city blocks from the streets of {args.project} "
                            "(an approximation, not real footprints)")
