from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def window(qtbot, small_project, tmp_path):
    from planner import workflows
    from planner.gui.main_window import MainWindow

    path = tmp_path / "small.gpkg"
    workflows.save(small_project, path)
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    w.ask_restore_recovery = lambda rec: False
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert w.open_path(path)
    qtbot.waitExposed(w)
    yield w
    for r in w.runners:
        r.cancel()
    w.runner.wait(20000)


@pytest.fixture
def open_sample(qtbot):
    """Open ``sample_projects/<name>.gpkg`` in a fresh window (closed and cleaned up after the test)."""
    from planner.gui.main_window import MainWindow

    windows = []

    def _open(name: str) -> MainWindow:
        from tests.conftest import SAMPLES

        w = MainWindow()
        w.ask_save_changes = lambda: "discard"
        w.ask_restore_recovery = lambda rec: False
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        assert w.open_path(SAMPLES / f"{name}.gpkg", check_recovery=False)
        windows.append(w)
        return w

    yield _open
    for w in windows:
        for r in w.runners:
            r.cancel()
        w.runner.wait(20000)
