"""``planner check-claim``: is a published claim about a camera system consistent, implausible or impossible?"""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "check-claim"
HELP = ("check claims about camera systems (coverage, retention, radio): verdict consistent / implausible / "
        "impossible, with the computation, the assumptions and their sources, and the implied figure")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("claims", help="claim file (YAML or JSON): one claim or a list under `claims`")
    p.add_argument("--project", help="project file (.gpkg): districts, radio sites, jurisdiction")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows
    from planner.audit.claims import check_claims, format_claims, load_claims

    claims = load_claims(args.claims)
    project = workflows.open_project(args.project) if args.project else None
    results = check_claims(claims, project=project)
    return Report({"claims": results}, text=format_claims(results))
