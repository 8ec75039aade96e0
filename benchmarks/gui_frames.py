"""GUI benchmark: time to open each sample into the window, pan/zoom frame times, edit costs (offscreen).

Run: ``.venv/bin/python benchmarks/gui_frames.py`` (sets QT_QPA_PLATFORM=offscreen
unless a display is set) on a quiet machine. A frame is a synchronous
``viewport().repaint()`` of the map in a 1600x1000 window: the paint event a
user waits for, with the view's antialiasing. (``QGraphicsView.render`` into
an image, which this script used before, skips the view's render hints, so it
drew without antialiasing and measured about a third of the real cost.)
``--render`` measures that way too, for comparison with older figures.
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


RENDER = "--render" in sys.argv


def frame_ms(window, action, n: int = 30) -> tuple[float, float]:
    from PySide6.QtGui import QImage, QPainter

    vp = window.canvas.viewport()
    img = QImage(vp.size(), QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for i in range(n):
        action(i)
        t = time.perf_counter()
        if RENDER:
            p = QPainter(img)
            window.canvas.render(p)
            p.end()
        else:
            vp.repaint()
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
    how = "QGraphicsView.render, no antialiasing" if RENDER else "viewport repaint"
    print(f"\nMarseille ({w.project.count_by_kind()['camera']:,} cameras), frame times ({how}) at "
          f"{c.viewport().width()}x{c.viewport().height()} px, median / p95 (ms):")

    def report(label: str, action) -> None:
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
    c.zoom_to_extent()
    c.zoom(8.0)
    cam = w.project.cameras()[len(w.project.cameras()) // 2]
    c.centre_on_map(cam.x, cam.y)
    w.set_selection([cam.id])
    layer = w.layer_items["cameras"]
    report("centre x8, dragging a camera (preview frames)",
           lambda i: layer.set_preview({cam.id: cam.moved(cam.x + 5 * i, cam.y + 3 * i)}))
    layer.set_preview({})
    w.set_selection([])

    t = time.perf_counter()
    frames_while_running(w, "coverage")  # in the background runner, as from the Analysis menu
    print(f"\nCoverage for the overlay computed in {time.perf_counter() - t:.1f} s "
          f"({len(w.project.results['coverage'].polygons):,} polygons)")
    c.zoom_to_extent()
    report("whole city with coverage overlay, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 0))
    c.zoom(8.0)
    report("centre x8 with coverage overlay, pan", lambda i: c.pan_pixels(40 if i % 2 else -40, 25))
    move_costs(w)
    w.stack.set_clean()
    w.close()


def frames_while_running(w, name: str) -> None:
    """Pan and repaint the map continuously while ``name`` runs in the background runner.

    Prints the repaint time (the frame) and the gap between the starts of two frames (what a user
    sees as smoothness: it includes the event processing and any wait for the GIL held by a worker).
    """
    from PySide6.QtWidgets import QApplication

    c = w.canvas
    c.zoom_to_extent()
    c.zoom(8.0)
    QApplication.processEvents()
    for i in range(3):  # warm the view's caches (label sprites) as any pan would, before the run starts
        c.pan_pixels(40 if i % 2 else -40, 25)
        c.viewport().repaint()
    QApplication.processEvents()
    frames, gaps = [], []
    w.run_analysis(name)
    t0 = last = time.perf_counter()
    i = 0
    while w.runner.running and time.perf_counter() - t0 < 300:
        QApplication.processEvents()
        t = time.perf_counter()
        c.pan_pixels(40 if i % 2 else -40, 25)
        c.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
        gaps.append((t - last) * 1000)
        last = t
        i += 1
    QApplication.processEvents()
    if not frames:
        print(f"\n{name} finished before a frame could be drawn")
        return
    frames.sort()
    gaps = sorted(gaps[1:]) or [0.0]
    p95 = lambda v: v[int(0.95 * (len(v) - 1))]  # noqa: E731
    slow = sum(g > 33.0 for g in gaps)
    print(f"\nWhile {name} runs in the background ({time.perf_counter() - t0:.1f} s, {len(frames)} frames, "
          f"centre x8, pan): frame {statistics.median(frames):.1f} ms median / {p95(frames):.1f} ms p95 / "
          f"{frames[-1]:.0f} ms max; frame-to-frame {statistics.median(gaps):.1f} ms median / "
          f"{p95(gaps):.1f} ms p95 / {gaps[-1]:.0f} ms max; {slow} frame gap(s) over 33 ms")


def move_costs(w) -> None:
    """GUI-thread cost of moving one camera, then the longest freeze while its coverage is recomputed."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from planner.model.commands import move_node

    c = w.canvas
    cam = w.project.cameras()[0]
    w.set_selection([cam.id])
    QApplication.processEvents()
    pushes, totals = [], []
    for k in range(7):
        t = time.perf_counter()
        w.push(move_node(w.project, cam.id, cam.x + 30 * (k + 1), cam.y))
        pushes.append(time.perf_counter() - t)
        c.viewport().repaint()
        totals.append(time.perf_counter() - t)
    print(f"\nMove one camera on the GUI thread, median of 7: command + map/table/inspector refresh "
          f"{statistics.median(pushes) * 1000:.0f} ms; with the map repaint {statistics.median(totals) * 1000:.0f} ms")
    # the coverage update and the redrawn coverage layer arrive from workers: how long is the GUI frozen?
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    tick = QTimer()
    tick.setInterval(5)
    tick.timeout.connect(lambda: gaps.append(clock.restart()))
    done: list[str] = []
    w.update_runner.done.connect(lambda name, _r: done.append(name))
    tick.start()
    t = time.perf_counter()
    while "coverage-polygons" not in done and time.perf_counter() - t < 120:
        QApplication.processEvents()
        time.sleep(0.001)
    tick.stop()
    print(f"Coverage refreshed in the background {time.perf_counter() - t:.1f} s after the edits; longest GUI "
          f"freeze meanwhile {max(gaps, default=0):.0f} ms")


if __name__ == "__main__":
    main()
