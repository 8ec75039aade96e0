"""Analysis ▸ Optimise placement…: background run, proposal list, accept ticked cameras as one undo step."""

from __future__ import annotations


def test_optimise_dialog_runs_and_accepts_undoably(window, qtbot) -> None:
    from PySide6.QtCore import Qt

    before = len(window.project.cameras())
    dlg = window.open_optimise_dialog()
    dlg.cameras.setValue(4)
    dlg.spacing.setValue(250.0)
    dlg.district.setCurrentIndex(dlg.district.findData("Ouest"))
    assert dlg.sources.text() == "grid" and dlg.demand.currentText() == "cells"  # the small project has no streets
    dlg.time_limit.setValue(10.0)
    dlg.run()
    assert dlg.cancel_btn.isEnabled()
    qtbot.waitUntil(lambda: dlg.placement is not None, timeout=120_000)
    r = dlg.placement.result
    assert dlg.proposals.count() == 4 == r.cameras
    assert "before" in dlg.status.text() and ("proven optimal" in dlg.status.text()) == r.optimal
    assert r.coverage_after > r.coverage_before
    dlg.proposals.item(0).setCheckState(Qt.CheckState.Unchecked)
    dlg.accept_proposal(selected_only=True)
    assert len(window.project.cameras()) == before + 3
    assert {c.phase for c in window.project.cameras()[-3:]} == {"optimised"}
    assert window.stack.undo_text.startswith("Add 3 optimised cameras")
    window.stack.undo()
    assert len(window.project.cameras()) == before
    dlg.close()


def test_optimise_dialog_cancel(window, qtbot) -> None:
    dlg = window.open_optimise_dialog()
    dlg.spacing.setValue(100.0)
    dlg.run()
    dlg.runner.cancel()
    qtbot.waitUntil(lambda: dlg.run_btn.isEnabled(), timeout=10_000)
    assert dlg.status.text() == "Cancelled." and dlg.placement is None
    dlg.runner.wait(60_000)
    dlg.close()


def _run(dlg, qtbot, cameras: int) -> None:
    n = len(dlg.runs)
    dlg.cameras.setValue(cameras)
    dlg.run()
    qtbot.waitUntil(lambda: len(dlg.runs) == n + 1, timeout=120_000)


def test_proposals_on_the_map_and_runs_compared_side_by_side(window, qtbot) -> None:
    from PySide6.QtCore import Qt

    from planner.gui.dialogs.optimise import OVERLAY_KEY, PROPOSED, UNTICKED

    cams_before = len(window.project.cameras())
    undo_before = window.stack.undo_text
    dlg = window.open_optimise_dialog()
    dlg.spacing.setValue(250.0)
    dlg.district.setCurrentIndex(dlg.district.findData("Ouest"))
    dlg.time_limit.setValue(10.0)
    assert OVERLAY_KEY not in window.layers.overlays
    _run(dlg, qtbot, 2)
    # the proposal is drawn on the map, in the layer list, without touching the project or the undo stack
    item = window.layers.overlays[OVERLAY_KEY]
    assert item.isVisible() and window.layers.order[0] == OVERLAY_KEY
    assert item.zValue() > max(window.layers.items[k].zValue() for k in ("cameras", "study_area"))  # drawn on top
    assert len(item.xs) == 2 and len(window.project.cameras()) == cams_before
    assert window.stack.undo_text == undo_before
    # inside the 2 km x 2 km study area of tests/conftest.py (x0 692000, y0 4796000), west district
    assert all(692000 <= x <= 693000 and 4796000 <= y <= 4798000 for x, y in zip(item.xs, item.ys, strict=True))
    assert any(t == "proposed camera (not yet accepted)" for _s, _c, t in window.legend_entries())
    _run(dlg, qtbot, 4)
    # two runs side by side: the second (4 cameras) is shown, the first kept in the table
    t = dlg.runs_table
    assert t.rowCount() == 2 and [t.item(i, 3).text() for i in range(2)] == ["2", "4"]
    a, b = (dlg.runs[i].result for i in range(2))
    for i, r in enumerate((a, b)):
        assert t.item(i, 6).text() == f"{100 * r.coverage_after:.1f} %"
        assert t.item(i, 8).text() == ("proven" if r.optimal is True else "not proven")
    if a.optimal and b.optimal:  # with both proven, the optimum cannot fall with more cameras
        assert b.objective >= a.objective - 1e-9
    item = window.layers.overlays[OVERLAY_KEY]
    assert len(item.xs) == 4 == dlg.proposals.count()
    # selecting the first run shows its proposal, list and map
    t.selectRow(0)
    assert dlg.placement is dlg.runs[0] and dlg.proposals.count() == 2
    item = window.layers.overlays[OVERLAY_KEY]
    c0 = dlg.runs[0].candidates.candidate(dlg.runs[0].result.chosen_sites[0])
    assert (item.xs[0], item.ys[0]) == (c0.x, c0.y)
    dlg.proposals.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert item.colours == [UNTICKED, PROPOSED]
    # accepting the ticked camera of run 1: one camera added, the overlay and the stale runs are gone
    dlg.accept_proposal(selected_only=True)
    assert len(window.project.cameras()) == cams_before + 1
    assert OVERLAY_KEY not in window.layers.overlays and item.scene() is None
    assert dlg.runs == [] and t.rowCount() == 0
    window.stack.undo()
    assert len(window.project.cameras()) == cams_before
    dlg.close()


def test_closing_the_dialog_removes_the_proposals_from_the_map(window, qtbot) -> None:
    from planner.gui.dialogs.optimise import OVERLAY_KEY

    dlg = window.open_optimise_dialog()
    dlg.spacing.setValue(250.0)
    dlg.district.setCurrentIndex(dlg.district.findData("Ouest"))
    dlg.time_limit.setValue(10.0)
    _run(dlg, qtbot, 2)
    assert OVERLAY_KEY in window.layers.overlays
    dlg.reject()
    assert OVERLAY_KEY not in window.layers.overlays
    assert OVERLAY_KEY not in window.layers.order  # nor in the layer list


def test_incident_layer_pulls_the_proposal_to_the_incidents(window, qtbot) -> None:
    import geopandas as gpd
    import shapely

    x, y = 692700.0, 4797600.0  # west district of the 2 km test square
    window.project.layers["incidents"] = gpd.GeoDataFrame(
        {"count": [500]}, geometry=[shapely.Point(x, y)], crs=window.project.crs)
    dlg = window.open_optimise_dialog()
    assert dlg.incidents.findData("incidents") > 0 and dlg.incidents.currentData() == ""
    dlg.spacing.setValue(100.0)
    dlg.district.setCurrentIndex(dlg.district.findData("Ouest"))
    dlg.time_limit.setValue(10.0)
    dlg.incidents.setCurrentIndex(dlg.incidents.findData("incidents"))
    dlg.incident_radius.setValue(80.0)
    _run(dlg, qtbot, 1)
    cam = dlg.placement.candidates.candidates
    chosen = {c.id: c for c in cam}[dlg.placement.result.chosen_sites[0]]
    assert ((chosen.x - x) ** 2 + (chosen.y - y) ** 2) ** 0.5 <= 150.0
    dlg.close()


def test_candidate_sites_drawn_on_the_map(window, qtbot) -> None:
    from PySide6.QtCore import QPoint, Qt

    from planner.gui.dialogs.optimise import DRAWN_KEY
    from planner.gui.map.canvas import Tool

    layers_before = set(window.project.layers)
    n_cams = len(window.project.cameras())
    dlg = window.open_optimise_dialog()
    dlg.sources.setText("")
    dlg.draw_btn.setChecked(True)
    assert window.canvas.tool == Tool.PLACE_CANDIDATE
    vp = window.canvas.viewport()
    pts = [QPoint(vp.width() // 2 + dx, vp.height() // 2) for dx in (-60, 0, 60)]
    for p in pts:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=p)
    assert len(dlg.drawn) == 3 and dlg.sources.text() == "drawn" and dlg.drawn_label.text() == "3 site(s) drawn"
    assert dlg.drawn[1] == window.canvas.map_pos(pts[1])
    assert len(window.layers.overlays[DRAWN_KEY].xs) == 3
    # clicks drew no node and touched no layer of the project
    assert len(window.project.cameras()) == n_cams and set(window.project.layers) == layers_before
    dlg.draw_btn.setChecked(False)
    assert window.canvas.tool == Tool.SELECT
    dlg.cameras.setValue(1)
    dlg.time_limit.setValue(10.0)
    dlg.district.setCurrentIndex(0)
    _run(dlg, qtbot, 1)
    cands = dlg.placement.candidates.candidates
    assert {c.source for c in cands} == {"layer"} and len({c.site for c in cands}) <= 3
    assert {(round(c.x, 6), round(c.y, 6)) for c in cands} <= {(round(x, 6), round(y, 6)) for x, y in dlg.drawn}
    assert set(window.project.layers) == layers_before
    dlg.clear_drawn()
    assert dlg.sources.text() == "" and DRAWN_KEY not in window.layers.overlays
    dlg.close()


def test_scenarios_side_by_side_in_the_dashboard(window, qtbot) -> None:
    panel = window.results
    assert panel.tabText(panel.indexOf(panel.optimise_tab)) == "Optimiser"
    assert "No optimiser run yet" in panel.optimise_note.text()
    dlg = window.open_optimise_dialog()
    dlg.spacing.setValue(250.0)
    dlg.district.setCurrentIndex(dlg.district.findData("Ouest"))
    dlg.time_limit.setValue(10.0)
    _run(dlg, qtbot, 2)
    _run(dlg, qtbot, 5)
    t = panel.scenario_table
    assert t.rowCount() == 2 and [t.item(i, 3).text() for i in range(2)] == ["2", "5"]
    after = [100 * pl.result.coverage_after for pl in dlg.runs]
    assert [v for _, v, _ in panel.scenario_chart.bars] == after and after[1] >= after[0]
    assert [t.item(i, 8).text() for i in range(2)] == [
        "proven" if pl.result.optimal is True else "not proven" for pl in dlg.runs]
    assert "2 optimiser run(s)" in panel.optimise_note.text()
    dlg.runs_table.selectRow(1)
    dlg.accept_proposal(selected_only=False)
    assert "Applied: max-coverage added 5 camera(s) in phase optimised" in panel.optimise_note.text()
    dlg.close()
