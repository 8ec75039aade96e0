"""Project ▸ Properties (issue 10, item 7): the same checks as ``planner set``, one undoable step."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from planner.gui.dialogs.properties import INVALID_STYLE, ProjectPropertiesDialog
from planner.project_settings import settings_of


def test_properties_dialog_checks_and_returns_settings(window, qtbot):
    w = window
    dlg = ProjectPropertiesDialog(settings_of(w.project), w)
    qtbot.addWidget(dlg)
    f = dlg.fields
    f["jurisdiction"].setEditText("CL")
    f["currency"].setEditText("CLP")
    f["retention_target_days"].setText("-2")  # refused: the dialog stays open, the field marked
    dlg.try_accept()
    assert dlg.result() == 0 and dlg.settings() is None
    assert f["retention_target_days"].styleSheet() == INVALID_STYLE
    assert "`retention_target_days` must be in (0, 3650]" in dlg.message.text()
    f["retention_target_days"].setText("15")
    f["name"].setText("Santiago centro")
    dlg.add_price("pole", "1500")
    dlg.try_accept()
    s = dlg.settings()
    assert s is not None and dlg.result() == 1
    assert (s.name, s.parameters.jurisdiction, s.parameters.currency, s.parameters.retention_target_days) == \
        ("Santiago centro", "CL", "CLP", 15.0)
    assert s.unit_prices == {"pole": 1500.0}


def test_properties_are_applied_as_one_undoable_step(window):
    w = window
    before = settings_of(w.project)
    assert before.parameters.currency == "EUR"

    def ask(current):
        dlg = ProjectPropertiesDialog(current, w)
        dlg.fields["name"].setText("Renamed")
        dlg.fields["currency"].setEditText("USD")
        dlg.fields["target_height_m"].setText("1.2")
        dlg.try_accept()
        return dlg.settings()

    w.ask_properties = ask
    w.act_properties.trigger()
    p = w.project
    assert (p.name, p.parameters.currency, p.parameters.target_height_m) == ("Renamed", "USD", 1.2)
    assert w.stack.undo_text == "Change project properties"
    assert w.windowTitle().startswith("Renamed — small.gpkg *")
    assert "CAPEX by phase (USD" in w.results.cost_chart.title  # the dashboard follows
    w.undo_actions.undo.trigger()
    assert settings_of(w.project) == before
    assert w.windowTitle().startswith("Small — small.gpkg — ")
    assert "CAPEX by phase (EUR" in w.results.cost_chart.title


def test_cancelled_or_unchanged_properties_push_nothing(window):
    w = window
    state = w.stack.state_id
    w.ask_properties = lambda current: None
    assert not w.edit_properties()
    w.ask_properties = lambda current: current
    assert not w.edit_properties()
    assert w.stack.state_id == state
    assert isinstance(ProjectPropertiesDialog(settings_of(w.project), w).fields["name"], QLineEdit)
