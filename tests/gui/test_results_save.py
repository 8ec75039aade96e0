"""Every analysis, run on every sample in the app's own code path, saves and reopens identically.

This is the guard against a result kind that cannot be saved (the field test lost work when the
network result of a project with fibre cameras held NaN SINRs that strict JSON refused).
"""

from __future__ import annotations

import shutil

import pytest

from planner.io.project_file import load_project
from tests.conftest import SAMPLE_NAMES, SAMPLES


def _run(w, qtbot, name: str) -> None:
    with qtbot.waitSignal(w.runner.done, timeout=180_000) as blocker:
        w.run_analysis(name)
    assert blocker.args[0] == name


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_every_analysis_saves_and_reopens(sample, qtbot, tmp_path) -> None:
    from planner.gui.main_window import MainWindow

    path = tmp_path / f"{sample}.gpkg"
    shutil.copy(SAMPLES / f"{sample}.gpkg", path)
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    w.ask_restore_recovery = lambda rec: False
    qtbot.addWidget(w)
    w.show()
    assert w.open_path(path, check_recovery=False)
    p = w.project
    expected = []
    if p.cameras():
        _run(w, qtbot, "coverage")
        _run(w, qtbot, "network")
        expected += ["coverage", "network"]
    if any(s.has_sectors for s in p.nodes("radio_site")):
        _run(w, qtbot, "radio")
        expected.append("radio")
    assert sorted(p.results) == sorted(expected)
    assert w.save(), w.last_error
    again = load_project(path)
    assert sorted(again.results) == sorted(expected)
    for kind in expected:
        assert again.results[kind] == p.results[kind], kind
    # and the reopened project saves again
    w2 = MainWindow()
    w2.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w2)
    assert w2.open_path(path, check_recovery=False)
    assert w2.save_as(tmp_path / "again.gpkg"), w2.last_error
    third = load_project(tmp_path / "again.gpkg")
    for kind in expected:
        assert third.results[kind] == p.results[kind], kind
    for win in (w, w2):
        for r in win.runners:
            r.cancel()
        win.runner.wait(20000)
