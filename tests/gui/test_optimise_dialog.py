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
