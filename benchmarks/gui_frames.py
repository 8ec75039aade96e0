"""GUI benchmark: time to open each sample into the window, and pan/zoom frame times (offscreen).

Run: ``.venv/bin/python benchmarks/gui_frames.py`` (sets QT_QPA_PLATFORM=offscreen
unless a display is set). Frames are rendered synchronously with
``QGraphicsView.render`` into a 1600x1000 image, which is what a repaint costs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def frame_ms(window, action, n: int = 30) -> tuple[float, float]:
    from PySide6.QtGui import QImage, QPainter

    vp = window.canvas.viewport()
    img = QImage(vp.size(), QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for i in range(n):
        action(i)
        t = time.perf_counter()
        p = QPainter(img)
        window.canvas.render(p)
        p.end()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from planner.gui.app import make_app
    from planner.gui.main_window import MainWindow

    os.environ.setdefault("PLANNER_CONFIG_DIR", str(Path("/tmp/planner-bench-config")))
    make_app()
    print("Time to open each sample into the window (load + build layers + first paint):")
    for name in ("marseille", "cochabamba", "montevideo", "santiago"):
        w = MainWindow()
        w.ask_restore_recovery = lambda rec: False
        w.resize(1600, 1000)
        w.show()
        QApplication.processEvents()
        t = time.perf_counter()
        w.open_path(ROOT / "sample_projects" / f"{name}.gpkg", check_recovery=False)
        QApplication.processEvents()
        w.canvas.viewport().repaint()
        dt = time.perf_counter() - t
        print(f"  {name:<11} {dt:6.2f} s   ({w.project.node_count:,} nodes, {len(w.project.districts)} districts)")
        w.close()
        w.deleteLater()
        QApplication.processEvents()

    w = MainWindow()
    w.resize(1600, 1000)
    w.show()
    QApplication.processEvents()
    w.open_path(ROOT / "sample_projects" / "marseille.gpkg", check_recovery=False)
    QApplication.processEvents()
    c = w.canvas
    print(f"\nMarseille ({w.project.count_by_kind()['camera']:,} cameras), frame render times at "
          f"{c.viewport().width()}x{c.viewport().height()} px, median / p95 (ms):")

    def report(label: str, action) -> None:  # noqa: ANN001
        med, p95 = frame_ms(w, action)
        print(f"  {label:<46} {med:7.1f} / {p95:7.1f}")

    c.zoom_to_extent()
    report("whole city, pan 40 px per frame", lambda i: c.pan_pixels(40 if i % 2 else -40, 0))
    report("whole city, zoom in/out by 1.25", lambda i: c.zoom(1.25 if i % 2 == 0 else 0.8))
    c.zoom_to_extent()
    c.zoom(8.0)
    report("city centre x8 (wedges drawn), pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 25))
    w.set_selection([n.id for n in w.project.cameras()[:50]])
    report("city centre x8, 50 cameras selected, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 25))
    w.set_selection([])
    c.zoom(6.0)
    report("street level x48, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 25))

    try:
        from planner import workflows

        t = time.perf_counter()
        r, doc, _ = workflows.coverage_report(w.project, store=True)
        print(f"\nCoverage for the overlay computed in {time.perf_counter() - t:.1f} s "
              f"({len(w.project.results['coverage_polygons']):,} polygons)")
        c.zoom_to_extent()
        report("whole city with coverage overlay, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 0))
        c.zoom(8.0)
        report("centre x8 with coverage overlay, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 25))
        cam = w.project.cameras()[0]
        from planner.model.commands import move_node

        t = time.perf_counter()
        w.push(move_node(w.project, cam.id, cam.x + 30, cam.y))
        edit = time.perf_counter() - t
        print(f"\nMove one camera (command + map/table/inspector refresh on the GUI thread): {edit * 1000:.0f} ms")
    except ImportError:
        print("coverage module not available; overlay frames skipped")
    w.stack.set_clean()
    w.close()


if __name__ == "__main__":
    main()
