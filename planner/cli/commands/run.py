"""``planner run``: the main job: open a project in the app, or analyse it headless and write a summary."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from planner.cli.output import Report

NAME = "run"
HELP = ("open a project in the desktop app when a display is available (coverage runs on open); otherwise "
        "run every analysis headless, print the summary and write it, the PDF report and the HTML map to --out")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--out", default=None, help="folder for the summary files (default: out/<project name>)")
    p.add_argument("--headless", action="store_true", help="never open a window")
    p.add_argument("--summary-only", action="store_true",
                   help="headless: write summary.md/json only, not the PDF report and the HTML map")


def _display_available() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "") == "offscreen":
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def run(args: argparse.Namespace) -> Report | int:
    from planner import workflows

    gui_ok = importlib.util.find_spec("planner.gui.app") is not None and importlib.util.find_spec("PySide6")
    if not args.headless and _display_available() and gui_ok:
        from planner.gui.app import main as gui_main

        return gui_main([args.project, "--analyse"])
    project = workflows.open_project(args.project)
    out = Path(args.out) if args.out else Path("out") / Path(args.project).stem
    summary = workflows.run_all(project, path=args.project)
    files = workflows.write_summary(summary, out)
    if not args.summary_only:
        from planner.workflows.export import export_all

        files += export_all(project, out, ["pdf", "html"], protect=[args.project])
    summary["files"] = [str(f) for f in files]
    text = workflows.format_summary(summary) + "\n\nwrote " + ", ".join(str(f) for f in files)
    return Report(summary, text=text)
