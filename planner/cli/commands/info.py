"""``planner info``: summarise a project file."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "info"
HELP = "summarise a project: CRS, study area, districts, layers, nodes by kind and phase"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows

    project = workflows.open_project(args.project)
    doc = workflows.info(project, path=args.project)
    return Report(doc, text=workflows.format_info(doc))
