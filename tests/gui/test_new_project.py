"""File ▸ New…: a project from the Santiago comunas file, then Save As; the dialog's checks."""

from __future__ import annotations

from planner import workflows
from planner.gui.dialogs.new_project import NewProjectDialog, NewProjectRequest
from tests.conftest import SAMPLES

COMUNAS = SAMPLES / "data" / "santiago" / "provincia_santiago_comunas.geojson"


def _new_window(qtbot):
    from planner.gui.main_window import MainWindow

    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.show()
    return w


def test_new_project_from_santiago_comunas_then_save_as(qtbot, tmp_path, monkeypatch):
    w = _new_window(qtbot)
    assert w.project is None
    out = tmp_path / "santiago-new"
    monkeypatch.setattr(w, "ask_new_project", lambda: NewProjectRequest(
        name="Santiago comunas", boundary=COMUNAS, districts=COMUNAS))
    monkeypatch.setattr(w, "ask_save_path", lambda: str(out))
    with qtbot.waitSignal(w.runner.done, timeout=30000):
        w.act_new.trigger()
    p = w.project
    assert p is not None and p.name == "Santiago comunas"
    assert len(p.districts) == 32 and p.epsg == 32719  # UTM 19S
    assert "districts" in w.layer_items and "study_area" in w.layer_items
    saved = tmp_path / "santiago-new.gpkg"
    assert w.path == saved and saved.exists() and w.stack.is_clean
    assert "saved as" in w.messages.label.text() and "32 districts" in w.messages.label.text()
    # jurisdiction and currency from the study area's country, and the banner says so (issue 10, item 7)
    assert (p.parameters.jurisdiction, p.parameters.currency) == ("CL", "CLP")
    assert "jurisdiction CL and currency CLP guessed from the study area's country (Chile" in w.messages.label.text()
    reopened = workflows.open_project(saved)
    assert reopened.name == "Santiago comunas" and len(reopened.districts) == 32
    assert "Independencia" in set(reopened.districts["name"])


def test_new_project_not_saved_stays_dirty(qtbot, monkeypatch):
    w = _new_window(qtbot)
    monkeypatch.setattr(w, "ask_new_project", lambda: NewProjectRequest(name="Draft", boundary=COMUNAS))
    monkeypatch.setattr(w, "ask_save_path", lambda: "")  # Save As cancelled
    with qtbot.waitSignal(w.runner.done, timeout=30000):
        w.act_new.trigger()
    assert w.project.name == "Draft" and w.path is None
    assert len(w.project.districts) == 0
    assert not w.stack.is_clean and "*" in w.windowTitle()
    assert "Not saved yet" in w.messages.label.text()
    asked = []
    w.ask_save_changes = lambda: asked.append(1) or "cancel"
    assert not w.maybe_discard_changes() and asked


def test_new_project_with_a_bad_file_is_a_message(qtbot, tmp_path, monkeypatch):
    w = _new_window(qtbot)
    bad = tmp_path / "points.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                   '"geometry": {"type": "Point", "coordinates": [-70.6, -33.4]}}]}')
    monkeypatch.setattr(w, "ask_new_project", lambda: NewProjectRequest(name="Bad", boundary=bad))
    with qtbot.waitSignal(w.runner.failed, timeout=30000):
        w.act_new.trigger()
    assert w.project is None
    assert "New project failed" in w.messages.label.text() and "expected polygon" in w.messages.label.text()


def test_new_project_dialog_checks_its_fields(qtbot, tmp_path):
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    dlg.accept()
    assert dlg.result() != NewProjectDialog.DialogCode.Accepted and "name" in dlg.message.text()
    dlg.boundary_edit.setText(str(COMUNAS))
    assert dlg.name_edit.text() == "Provincia santiago comunas"  # suggested from the file name
    dlg.districts_edit.setText(str(tmp_path / "missing.geojson"))
    dlg.accept()
    assert "does not exist" in dlg.message.text()
    dlg.districts_edit.setText(str(COMUNAS))
    dlg.name_field_edit.setText("name")
    dlg.name_edit.setText("Santiago")
    dlg.accept()
    assert dlg.result() == NewProjectDialog.DialogCode.Accepted
    req = dlg.request()
    assert req == NewProjectRequest(name="Santiago", boundary=COMUNAS, districts=COMUNAS, name_field="name")
