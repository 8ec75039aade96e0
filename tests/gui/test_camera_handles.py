"""The range handle of zoom cameras (focal length) and the inspector's focal length field."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from planner.model.commands import UpdateNodes

VARIFOCAL = "bullet-1080p-vf-2.8-12"


def view_point(w, x: float, y: float) -> QPoint:
    return w.canvas.mapFromScene(QPointF(x, -y))


def drag(qtbot, w, start: QPoint, end: QPoint) -> None:
    vp = w.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for t in (0.5, 1.0):
        p = QPointF(start + (end - start) * t)
        QApplication.sendEvent(vp, QMouseEvent(QMouseEvent.Type.MouseMove, p, p, Qt.MouseButton.NoButton,
                                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)


def zoom_on(w, nid: str, px_per_m: float = 1.5) -> None:
    n = w.project.node(nid)
    w.canvas.zoom(px_per_m / w.canvas.px_per_m())
    w.canvas.centre_on_map(n.x, n.y)


def test_range_handle_sets_focal_length_and_undo_restores(window, qtbot):
    w = window
    cam = w.project.node("cam-0001")
    w.push(UpdateNodes([cam.with_changes(camera_type=VARIFOCAL)], text="Set camera type"))
    zoom_on(w, "cam-0001")
    w.set_selection(["cam-0001"])
    cam = w.project.node("cam-0001")
    layer = w.layer_items["cameras"]
    wide = layer.wedge_geometry("cam-0001")
    s = w.canvas.px_per_m()
    rl = layer.range_handle_length_m(cam, s)
    assert rl == pytest.approx(wide.detect_m)
    # the rotate handle sits further out, at the tip of the monitor wedge
    assert layer.handle_length_m(cam, s) >= wide.monitor_m > rl
    a = math.radians(cam.azimuth_deg)
    handle = view_point(w, cam.x + rl * math.sin(a), cam.y + rl * math.cos(a))
    assert w.canvas.range_handle_at(handle) == "cam-0001"
    assert w.canvas.handle_at(handle) is None
    target = view_point(w, cam.x + 2 * rl * math.sin(a), cam.y + 2 * rl * math.cos(a))
    drag(qtbot, w, handle, target)
    cam2 = w.project.node("cam-0001")
    assert cam2.focal_mm == pytest.approx(5.6, abs=0.15)  # twice the range, twice the widest 2.8 mm
    assert (cam2.x, cam2.y, cam2.azimuth_deg) == (cam.x, cam.y, cam.azimuth_deg)
    assert w.stack.undo_text == "Set focal length on cam-0001"
    # the wedge is redrawn with the new range; the inspector follows
    tele = layer.wedge_geometry("cam-0001")
    assert tele.detect_m == pytest.approx(2 * wide.detect_m, rel=0.05)
    assert tele.hfov_deg < wide.hfov_deg
    assert w.inspector.fields["focal_mm"].value() == pytest.approx(cam2.focal_mm)
    w.undo_actions.undo.trigger()
    assert w.project.node("cam-0001").focal_mm is None
    assert layer.wedge_geometry("cam-0001") == wide
    # dragging far beyond the lens clamps to its longest focal length
    far = view_point(w, cam.x + 20 * rl * math.sin(a), cam.y + 20 * rl * math.cos(a))
    drag(qtbot, w, handle, far)
    assert w.project.node("cam-0001").focal_mm == pytest.approx(12.0)


def test_fixed_lens_has_no_range_handle(window):
    w = window
    zoom_on(w, "cam-0001")
    w.set_selection(["cam-0001"])
    cam = w.project.node("cam-0001")
    layer = w.layer_items["cameras"]
    assert layer.range_handle_length_m(cam, w.canvas.px_per_m()) is None
    d = layer.wedge_geometry("cam-0001").detect_m
    a = math.radians(cam.azimuth_deg)
    assert w.canvas.range_handle_at(view_point(w, cam.x + d * math.sin(a), cam.y + d * math.cos(a))) is None
    assert not w.inspector.fields["focal_mm"].isEnabled()


def test_inspector_focal_length_field(window):
    w = window
    w.set_selection(["cam-0001"])
    insp = w.inspector
    combo = insp.fields["camera_type"]
    combo.setCurrentIndex(combo.findData(VARIFOCAL))
    field = insp.fields["focal_mm"]
    assert field.isEnabled() and (field.minimum(), field.maximum()) == (2.8, 12.0)
    assert field.text() == "" and "widest (2.8 mm)" in field.placeholderText()
    field.setValue(20.0)  # beyond the lens: refused with the lens' range, not clamped
    assert w.project.node("cam-0001").focal_mm is None and "[2.8, 12] mm" in insp.message.text()
    field.setValue(8.0)
    assert w.project.node("cam-0001").focal_mm == 8.0
    assert w.stack.undo_text == "Set focal mm on cam-0001"
    field.setValue(field.minimum())  # back to the widest setting: stored as None
    assert w.project.node("cam-0001").focal_mm is None
    field.setValue(6.0)
    # a fixed-lens type drops the focal length its lens cannot take
    combo.setCurrentIndex(combo.findData("bullet-1080p-4"))
    cam = w.project.node("cam-0001")
    assert cam.camera_type == "bullet-1080p-4" and cam.focal_mm is None
    assert not insp.fields["focal_mm"].isEnabled()
    # the table refuses a focal length the lens cannot take
    from planner.errors import InvalidInputError
    from planner.gui.panels.inspector import with_field
    from planner.gui.panels.node_table import parse_value

    with pytest.raises(InvalidInputError, match="`bullet-1080p-4` has a fixed lens"):
        with_field(cam, "focal_mm", parse_value(cam, "focal_mm", "8"))
