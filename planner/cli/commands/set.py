"""``planner set PROJECT key=value ...``: change project settings (without pairs: show them)."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "set"
HELP = "change project settings: name, jurisdiction, currency, video defaults, retention and coverage targets, " \
       "unit prices (planner set PROJECT key=value ...; no pairs: show them)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from planner.project_settings import KEYS, UNIT_PRICE

    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("assignments", nargs="*", metavar="key=value",
                   help="settings to change: " + "; ".join(f"{k}: {v}" for k, v in KEYS.items())
                   + f"; {UNIT_PRICE}<key>=<number> overrides a unit price (empty value: back to the default), "
                   f"e.g. {UNIT_PRICE}pole=1500 or {UNIT_PRICE}fx:CLP=1000")


def run(args: argparse.Namespace) -> Report:
    from planner import project_settings as ps
    from planner import workflows
    from planner.model.commands import SetProjectSettings

    project = workflows.open_project(args.project)
    before = ps.settings_of(project)
    if not args.assignments:
        return Report({"project": str(args.project), "settings": before.to_dict()}, text=ps.format_settings(before))
    changes = ps.parse_assignments(args.assignments)
    after = ps.changed_settings(before, changes)  # every value checked before anything is written
    SetProjectSettings(after.name, after.parameters, after.unit_prices).do(project)
    workflows.save(project, args.project)
    changed = sorted(k for k, v in after.to_dict().items() if before.to_dict().get(k) != v)
    return Report({"project": str(args.project), "changed": changed, "settings": after.to_dict()},
                  text=f"updated {args.project}: {', '.join(changed) or 'nothing changed'}\n"
                  + ps.format_settings(after))
