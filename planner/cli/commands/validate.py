"""``planner validate``: check a project file and list every problem."""

from __future__ import annotations

import argparse
import dataclasses

from planner.cli.output import Report

NAME = "validate"
HELP = "check a project (file integrity, geometries, references between nodes); exit 2 on errors"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows

    project = workflows.open_project(args.project)
    issues = workflows.validate(project)
    errors = [i for i in issues if i.severity == "error"]
    doc = {"project": args.project, "valid": not errors, "errors": len(errors),
           "warnings": len(issues) - len(errors), "issues": [dataclasses.asdict(i) for i in issues]}
    lines = [f"{i.severity}: {i.message}" for i in issues]
    lines.append(f"{args.project}: {'OK' if not errors else 'INVALID'} "
                 f"({len(errors)} error(s), {len(issues) - len(errors)} warning(s))")
    return Report(doc, text="\n".join(lines), exit_code=2 if errors else 0)
