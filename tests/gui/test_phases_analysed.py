"""The phases shown are the phases analysed (issue 10, item 8)."""

from __future__ import annotations

import re

import pytest

from planner.gui.controllers.analysis import Scope, scope_for


def run(w, qtbot, name: str, timeout: int = 60000) -> None:
    with qtbot.waitSignal(w.runner.done, timeout=timeout):
        assert w.run_analysis(name)


def plain(label) -> str:
    return re.sub(r"<[^>]+>", "", label.text())


def raw_days(capacity_tb: float, cameras: int, mbps: float) -> float:
    """Retention on raw capacity: capacity / (cameras × bitrate × 86 400 s / 8 bit per byte)."""
    return capacity_tb * 1e12 / (cameras * mbps * 1e6 / 8 * 86400)


def test_scope_of_the_phase_filter(small_project):
    p = small_project  # phases "", "1", "2"
    assert scope_for(p, set()) == Scope(None, None)
    assert scope_for(p, {"2"}) == Scope(("", "1"), ("1",))  # a prefix: cumulative, like `--phase 1`
    assert scope_for(p, {"1"}) == Scope(("", "2"), ("", "2"))  # not a prefix: exactly those
    from planner.errors import PlannerError

    with pytest.raises(PlannerError, match="every phase is hidden"):
        scope_for(p, {"", "1", "2"})


def test_network_runs_on_the_phases_shown(window, qtbot):
    w = window
    run(w, qtbot, "network")
    assert w.project.results["network"].document["totals"]["cameras"] == 2
    w.layers_panel._phase_checks["2"].setChecked(False)  # the map now shows phase 1 (and unphased nodes)
    # the old result says it is for other phases than those shown
    assert "Network (all phases; the map shows phases (no phase), 1: run it again" in plain(w.results.headline)
    run(w, qtbot, "network")
    doc = w.project.results["network"].document
    assert doc["phases"] == ["1"] and doc["totals"]["cameras"] == 1
    assert doc["storage"][0]["retention_days_raw"] == pytest.approx(raw_days(10.0, 1, 4.0), rel=1e-9)  # 231.48
    assert "run it again" not in plain(w.results.headline)
    assert "Network (phase 1): 1 cameras" in plain(w.results.headline)
    # a filter that is not a prefix of the phases analyses exactly what is shown
    w.layers_panel._phase_checks["2"].setChecked(True)
    w.layers_panel._phase_checks["1"].setChecked(False)
    run(w, qtbot, "network")
    doc = w.project.results["network"].document
    assert doc["phases"] == ["", "2"] and [c["id"] for c in doc["cameras"]] == ["cam-0002"]


def test_every_phase_hidden_is_a_message(window):
    w = window
    for cb in w.layers_panel._phase_checks.values():
        cb.setChecked(False)
    assert not w.run_analysis("network")
    assert "every phase is hidden" in w.messages.label.text()


def test_coverage_runs_on_the_phases_shown(window, qtbot):
    w = window
    w.layers_panel._phase_checks["2"].setChecked(False)
    run(w, qtbot, "coverage")
    doc = w.project.results["coverage"].document
    assert doc["cameras"] == 1 and doc["phases"] == ["1"]
    assert "phase 1" in plain(w.results.coverage_note)


@pytest.mark.slow
def test_readme_2016_retention_is_reachable_in_the_app(open_sample, qtbot):
    """README: 1,000 cameras of 2016 at 4 Mb/s on two 150 TB distributed centres (500 each) hold 6.94 days."""
    w = open_sample("marseille")
    w.layers_panel._phase_checks["2020"].setChecked(False)
    run(w, qtbot, "network", timeout=120000)
    doc = w.project.results["network"].document
    assert doc["phases"] == ["2016"] and doc["totals"]["cameras"] == 1000
    distributed = [s for s in doc["storage"] if s["role"] == "distributed"]
    assert len(distributed) == 2
    for s in distributed:
        assert s["cameras"] == 500
        assert s["retention_days_raw"] == pytest.approx(raw_days(150.0, 500, 4.0), abs=0.005)  # 6.94
        assert round(s["retention_days_raw"], 2) == 6.94
    # and the user reads it in the dashboard: the storage table and the summary
    table = w.results.storage_table
    col = next(c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text() == "days (raw)")
    assert [table.item(r, col).text() for r in range(table.rowCount())] == ["6.94", "6.94", "6.94"]
    assert "Network (phase 2016): 1,000 cameras" in plain(w.results.headline)
    assert "6.94 days raw" in plain(w.results.headline)
