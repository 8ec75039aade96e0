"""A project's stored coverage (its level raster) is drawn off the GUI thread when the project opens."""

from __future__ import annotations

import threading

from planner import workflows
from planner.analysis.coverage import CoverageParams, run_coverage
from planner.model.coverage_grid import LevelGrid


def test_stored_coverage_is_drawn_in_the_background(qtbot, small_project, tmp_path, monkeypatch) -> None:
    from planner.gui.main_window import MainWindow

    record = workflows.coverage_record(small_project, run_coverage(small_project, CoverageParams()))
    small_project.set_result(record)
    path = tmp_path / "cov.gpkg"
    workflows.save(small_project, path)
    threads = []
    original = LevelGrid.polygons

    def spy(self, **kw):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(self, **kw)

    monkeypatch.setattr(LevelGrid, "polygons", spy)
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.show()
    assert w.open_path(path, check_recovery=False)
    qtbot.waitUntil(lambda: "coverage" in w.layers.items, timeout=60_000)
    rec = w.project.result("coverage")
    assert rec.engine is None and rec.has_polygons
    assert threads == [False]  # made once, on a worker thread
    legend = [e[2] for e in w.layers.items["coverage"].legend()]
    assert legend and all(t.startswith("Coverage: ") for t in legend)
    # the layer holds the stored levels: one fill per level present in the raster
    present = {record.grid.level_names[i - 1] for a in record.grid.tiles.values() for i in set(a.ravel()) if i}
    assert {t.removeprefix("Coverage: ") for t in legend} == present
    w.update_runner.wait(20_000)
