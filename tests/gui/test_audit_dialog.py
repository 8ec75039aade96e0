"""File ▸ Audit a register…: runs in the background, scenario layers with a switch, claims form, availability."""

from __future__ import annotations

import os
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def _wait(qtbot, dlg, timeout=120000):
    qtbot.waitUntil(lambda: not dlg.runner.running, timeout=timeout)


def test_audit_from_the_app(window, qtbot, tmp_path):
    w = window
    n_undo = w.stack.index() if hasattr(w.stack, "index") else None
    dlg = w.audit_dialog()
    qtbot.addWidget(dlg)
    assert dlg.use_project.isChecked()
    dlg.register_edit.setText(str(DATA / "osm" / "city.osm.pbf"))
    dlg.claim_kind.setCurrentText("retention")
    for k, v in {"cameras": "500", "capacity_tb": "150", "days": "30", "resolution": "1080p"}.items():
        dlg.claim_edits[k].setText(v)
    assert dlg.add_claim_from_form() == {"kind": "retention", "cameras": 500.0, "capacity_tb": 150.0, "days": 30.0,
                                         "resolution": "1080p"}
    dlg.share.setValue(50)
    dlg.draws.setValue(5)
    dlg.start()
    assert dlg.runner.running and dlg.cancel_button.isEnabled()
    _wait(qtbot, dlg)
    doc = dlg.result.doc
    assert doc["cameras_used"] == 6 and doc["study_area"]["source"] == "project"
    assert doc["claims"][0]["verdict"] == "impossible"
    assert doc["availability"]["out_of_service_count"] == 3
    assert "IMPOSSIBLE" in dlg.output.toPlainText()
    # the three scenarios are layers; the switch shows one at a time
    keys = {f"audit_{s}" for s in ("low", "median", "high")}
    assert keys <= set(w.layers.overlays)
    assert w.layers.overlays["audit_median"].isVisible() and not w.layers.overlays["audit_high"].isVisible()
    dlg.scenario.setCurrentText("high")
    assert w.layers.overlays["audit_high"].isVisible() and not w.layers.overlays["audit_median"].isVisible()
    # the availability slider recomputes in the background
    dlg.share.setValue(20)
    dlg._availability_again()
    _wait(qtbot, dlg)
    assert dlg.result.doc["availability"]["out_of_service"] == 0.2
    # the audit never edits the project
    if n_undo is not None:
        assert w.stack.index() == n_undo
    files = dlg.save(tmp_path / "out")
    assert sorted(f.name for f in files) == ["audit-map.html", "audit-report.pdf", "audit.json"]
    shots = os.environ.get("PLANNER_AUDIT_SHOTS")
    if shots:
        w.canvas.zoom_to_extent()
        qtbot.wait(200)
        w.grab().save(str(Path(shots) / "audit-window.png"))
        dlg.grab().save(str(Path(shots) / "audit-dialog.png"))


def test_cancel_audit(window, qtbot):
    dlg = window.audit_dialog()
    qtbot.addWidget(dlg)
    dlg.register_edit.setText(str(DATA / "chicago" / "red_light_camera_locations.csv"))
    dlg.use_project.setChecked(False)
    dlg.start()
    dlg.runner.cancel()
    assert "Cancelled" in dlg.output.toPlainText()
    assert dlg.run_button.isEnabled()
    dlg.runner.wait(60000)


def test_bad_register_is_a_message(window, qtbot, tmp_path):
    dlg = window.audit_dialog()
    qtbot.addWidget(dlg)
    bad = tmp_path / "x.csv"
    bad.write_text("name,street\nA,Main\n", encoding="utf-8")
    dlg.register_edit.setText(str(bad))
    dlg.start()
    _wait(qtbot, dlg)
    assert "no coordinate columns" in dlg.output.toPlainText()
