"""``planner gui``: open the desktop application (``--screenshot FILE.png`` renders it and exits)."""

from __future__ import annotations

import argparse

NAME = "gui"
HELP = "open the desktop application; with --screenshot FILE.png render the window to a PNG and exit"
REPORTS = False


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", nargs="?", help="project file (.gpkg) to open")
    p.add_argument("--screenshot", metavar="FILE.png", help="render the window with the project loaded, then exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot (default 1600x1000)")
    p.add_argument("--analyse", action="store_true",
                   help="run the coverage analysis on open (with --screenshot: coverage and network first)")
    p.add_argument("--panel", choices=("map", "results", "coverage", "network", "nodes"), default="map",
                   help="with --screenshot: the bottom panel to show")
    p.add_argument("--zoom", type=float, default=1.0, help="with --screenshot: zoom factor")


def run(args: argparse.Namespace) -> int:
    from planner.errors import InvalidInputError

    try:
        from planner.gui.app import main
    except ImportError as exc:  # PySide6 missing: the gui extra is not installed
        raise InvalidInputError(f"the desktop app needs PySide6 (pip install 'planner[gui]'): {exc}") from None
    argv = [args.project] if args.project else []
    if args.analyse:
        argv.append("--analyse")
    if args.screenshot:
        argv += ["--screenshot", args.screenshot, "--size", args.size, "--panel", args.panel,
                 "--zoom", str(args.zoom)]
    return main(argv)
