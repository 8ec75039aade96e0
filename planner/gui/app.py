"""Application bootstrap: ``planner gui [PROJECT] [--screenshot FILE.png]`` and ``planner-gui``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from planner.gui.main_window import MainWindow


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planner gui", description="Open the planner desktop application.")
    p.add_argument("project", nargs="?", help="project file (.gpkg) to open")
    p.add_argument("--screenshot", metavar="FILE.png", help="render the window with the project loaded, then exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot (default 1600x1000)")
    p.add_argument("--analyse", action="store_true",
                   help="run the coverage analysis on open (with --screenshot: coverage and network first)")
    p.add_argument("--panel", choices=("map", "results", "coverage", "network", "nodes"), default="map",
                   help="with --screenshot: the bottom panel to show")
    p.add_argument("--zoom", type=float, default=1.0, help="with --screenshot: zoom factor on the study area centre")
    return p


def make_app(argv: Sequence[str] | None = None) -> QCoreApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or ["planner"]))
        app.setApplicationName("Planner")
        app.setOrganizationName("planner")
        app.setStyle("Fusion")
    return app


def run_sync(window: MainWindow, name: str) -> None:
    """Run an analysis to completion on the GUI thread's event loop (screenshots, scripts)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()

    def quit_(*_args: object) -> None:
        loop.quit()

    window.runner.done.connect(quit_)
    window.runner.failed.connect(quit_)
    try:
        if window.run_analysis(name) and window.runner.running:
            loop.exec()
    finally:
        window.runner.done.disconnect(quit_)
        window.runner.failed.disconnect(quit_)


def wait_for_drawing(window: MainWindow, timeout_s: float = 300.0) -> None:
    """Let background map work (a stored coverage's polygons) finish, processing events meanwhile."""
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout_s
    while window.update_runner.running and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()


def screenshot(window: MainWindow, path: str | os.PathLike[str], *, size: str = "1600x1000", analyse: bool = False,
               panel: str = "map", zoom: float = 1.0) -> Path:
    from PySide6.QtWidgets import QApplication

    w, h = (int(v) for v in size.lower().split("x"))
    window.resize(w, h)
    window.show()
    QApplication.processEvents()
    wait_for_drawing(window)  # a stored coverage is drawn in the background
    if analyse and window.project is not None:
        run_sync(window, "network")
        if window.project.cameras():
            run_sync(window, "coverage")
        if window.stack is not None:
            window.stack.set_clean()
    if panel in ("results", "coverage", "network"):
        window.results_dock.raise_()
        window.results.setCurrentIndex({"results": 0, "coverage": 1, "network": 2}[panel])
    elif panel == "nodes":
        window.table_dock.raise_()
    QApplication.processEvents()
    window.canvas.zoom_to_extent()
    if zoom != 1.0:
        window.canvas.zoom(zoom)
    for _ in range(3):
        QApplication.processEvents()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Start the app (the ``planner-gui`` entry point and ``planner gui``). Returns the exit code."""
    args = build_parser().parse_args(list(argv) if argv is not None else sys.argv[1:])
    if args.screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app(sys.argv[:1])
    from planner.gui.main_window import MainWindow

    window = MainWindow()
    previous_hook = sys.excepthook
    sys.excepthook = window.handle_unexpected
    try:
        if args.project:
            ok = window.open_path(args.project, check_recovery=not args.screenshot)
            if not ok and args.screenshot:
                print(f"planner gui: error: {window.last_error}", file=sys.stderr)
                return 3
        if args.screenshot:
            out = screenshot(window, args.screenshot, size=args.size, analyse=args.analyse, panel=args.panel,
                             zoom=args.zoom)
            print(f"wrote {out}")
            if window.stack is not None:
                window.stack.set_clean()
            window.close()
            return 0
        window.show()
        if args.analyse and window.project is not None and window.project.cameras():
            from PySide6.QtCore import QTimer

            # run the coverage analysis in the background as soon as the window is up
            QTimer.singleShot(0, lambda: window.run_analysis("coverage"))
        return int(app.exec())
    finally:
        sys.excepthook = previous_hook


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
