"""The inspector refuses bad input visibly, shows mixed values as mixed, moves by an offset, offers
phases, and Ctrl+Z in a field undoes the last edit (issue 10, items 3-5)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from planner.gui.panels.inspector import INVALID_STYLE


def type_into(qtbot, field, text: str) -> None:
    """Replace a field's text by typing, then press Enter (as a user would)."""
    edit = field.lineEdit() if hasattr(field, "lineEdit") else field
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


@pytest.mark.parametrize(("field", "typed", "reason"), [
    ("azimuth_deg", "400", "[0, 360)"),     # was wrapped to 40°
    ("height_m", "-5", "[0.1, 500]"),        # was turned into 5 m
    ("tilt_deg", "abc", "not a number"),     # was ignored without a word
    ("azimuth_deg", "nan", "finite"),
])
def test_out_of_range_or_unparseable_values_are_refused_not_rewritten(window, qtbot, field, typed, reason):
    w = window
    before = w.project.node("cam-0001")
    w.set_selection(["cam-0001"])
    insp = w.inspector
    state = w.stack.state_id
    type_into(qtbot, insp.fields[field], typed)
    assert w.project.node("cam-0001") == before  # nothing changed in the project
    assert w.stack.state_id == state  # and nothing was pushed
    assert insp.fields[field].text() == typed  # what was typed stays: not rewritten
    assert insp.fields[field].styleSheet() == INVALID_STYLE  # the field is marked
    assert reason in insp.message.text() and field in insp.message.text()
    # correcting the value applies it and clears the mark
    type_into(qtbot, insp.fields[field], "30")
    assert getattr(w.project.node("cam-0001"), field) == 30.0
    assert insp.fields[field].styleSheet() == ""
    assert insp.message.text() == ""


def test_azimuth_upper_bound_is_exclusive(window, qtbot):
    w = window
    w.set_selection(["cam-0001"])
    type_into(qtbot, w.inspector.fields["azimuth_deg"], "360")
    assert w.project.node("cam-0001").azimuth_deg == 45.0  # 360 is refused, not wrapped to 0
    type_into(qtbot, w.inspector.fields["azimuth_deg"], "359.5")
    assert w.project.node("cam-0001").azimuth_deg == 359.5


def test_multi_selection_shows_mixed_and_leaves_mixed_fields_alone(window, qtbot):
    w = window
    a, b = w.project.node("cam-0001"), w.project.node("cam-0002")
    assert (a.azimuth_deg, b.azimuth_deg) == (45.0, 200.0) and a.tilt_deg == b.tilt_deg
    w.set_selection(["cam-0001", "cam-0002"])
    f = w.inspector.fields
    for name in ("x", "y", "azimuth_deg", "name", "phase"):
        widget = f[name]
        text = widget.currentText() if name == "phase" else widget.text()
        placeholder = widget.lineEdit().placeholderText() if name == "phase" else widget.placeholderText()
        assert text == "" and placeholder == "mixed", name
    assert f["tilt_deg"].text() == f"{a.tilt_deg:g}"  # equal values show
    # x and y cannot be typed for several nodes (that put 17 cameras on one vertical line)
    assert not f["x"].isEnabled() and not f["y"].isEnabled()
    # editing one field changes only that field, on both
    type_into(qtbot, f["tilt_deg"], "25")
    a2, b2 = w.project.node("cam-0001"), w.project.node("cam-0002")
    assert (a2.tilt_deg, b2.tilt_deg) == (25.0, 25.0)
    assert (a2.azimuth_deg, b2.azimuth_deg, a2.x, b2.x, a2.phase, b2.phase) == (45.0, 200.0, a.x, b.x, "1", "2")
    # leaving a mixed field without typing changes nothing
    f["azimuth_deg"].setFocus()
    f["name"].setFocus()
    f["name"].editingFinished.emit()
    assert w.project.node("cam-0001") == a2 and w.project.node("cam-0002") == b2


def test_move_selection_by_an_offset(window, qtbot):
    w = window
    a, b = w.project.node("cam-0001"), w.project.node("cam-0002")
    w.set_selection(["cam-0001", "cam-0002"])
    insp = w.inspector
    assert insp.move_box.isVisible()
    insp.move_dx.setText("12.5")
    insp.move_dy.setText("-30")
    insp.move_button.click()
    a2, b2 = w.project.node("cam-0001"), w.project.node("cam-0002")
    assert (a2.x - a.x, a2.y - a.y) == pytest.approx((12.5, -30.0))
    assert (b2.x - b.x, b2.y - b.y) == pytest.approx((12.5, -30.0))
    assert w.stack.undo_text == "Move 2 nodes by (12.5, -30) m"
    w.undo_actions.undo.trigger()
    assert w.project.node("cam-0001").xy == a.xy and w.project.node("cam-0002").xy == b.xy


def test_mixed_kinds_show_their_shared_fields(window, qtbot):
    w = window
    w.set_selection(["cam-0001", "store-0001"])
    f = w.inspector.fields
    assert {"name", "phase", "cost", "status", "notes", "x", "y"} <= set(f)
    assert "azimuth_deg" not in f and "capacity_tb" not in f  # not shared
    assert "2 nodes (camera, storage centre: shared fields) selected" in w.inspector.title.text()
    type_into(qtbot, f["notes"], "survey 2026")
    assert w.project.node("cam-0001").notes == "survey 2026" == w.project.node("store-0001").notes


def test_phase_picker_offers_phases_and_asks_before_a_new_one(window, qtbot):
    w = window
    w.set_selection(["cam-0001"])
    phase = w.inspector.fields["phase"]
    assert [phase.itemData(i) for i in range(phase.count())] == ["", "1", "2"]
    asked = []
    w.inspector.ask_new_phase = lambda name: asked.append(name) or False
    type_into(qtbot, phase, "2O20")  # a typo: not a phase of the project
    assert asked == ["2O20"]
    assert w.project.node("cam-0001").phase == "1"  # declined: nothing created
    assert "2O20" not in w.layers_panel._phase_checks
    assert "not a phase" in w.inspector.message.text()
    # picking an existing phase applies without asking
    phase.setCurrentIndex(phase.findData("2"))
    phase.activated.emit(phase.currentIndex())
    assert w.project.node("cam-0001").phase == "2" and asked == ["2O20"]


def test_ctrl_z_in_a_focused_field_undoes_the_last_edit(window, qtbot):
    w = window
    w.activateWindow()
    w.set_selection(["cam-0001"])
    insp = w.inspector
    type_into(qtbot, insp.fields["height_m"], "9.5")
    assert w.project.node("cam-0001").height_m == 9.5
    name = insp.fields["name"]
    name.setFocus()
    qtbot.keyClicks(name, "typed")  # typing not committed yet
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.project.node("cam-0001").height_m == 6.0  # the edit was undone, not the typing
    assert insp.fields["height_m"].text() == "6"
    assert w.project.node("cam-0001").name == "A"
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.project.node("cam-0001").height_m == 9.5  # and redo redoes it
