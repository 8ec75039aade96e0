"""The desktop app, offscreen: placing, moving, undo, inspector, table, analyses, save and reopen."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt

from planner import workflows
from planner.gui.map.canvas import Tool


def view_point(w, x: float, y: float) -> QPoint:
    from PySide6.QtCore import QPointF

    return w.canvas.mapFromScene(QPointF(x, -y))


def test_opens_with_layers_and_nodes(window):
    w = window
    assert w.project.count_by_kind()["camera"] == 2
    assert {"districts", "cameras", "centres", "study_area"} <= set(w.layer_items)
    assert w.layers_panel.list.count() >= 5
    cams = w.layer_items["cameras"]
    assert sorted(cams.ids) == ["cam-0001", "cam-0002"]
    assert any("Camera" in text for _, _, text in w.legend_entries())
    img = w.canvas.grab().toImage()
    assert img.width() > 100


def test_place_camera_by_clicking_and_undo(window, qtbot):
    w = window
    w.set_tool(Tool.PLACE_CAMERA)
    x0, y0 = 692000.0, 4796000.0
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, x0 + 300, y0 + 1700))
    assert w.project.count_by_kind()["camera"] == 3
    new = w.project.node("cam-0003")
    assert abs(new.x - (x0 + 300)) < 20 and abs(new.y - (y0 + 1700)) < 20
    assert w.selection == ["cam-0003"]
    assert "Add camera" in w.undo_actions.undo.text()
    w.undo_actions.undo.trigger()
    assert "cam-0003" not in w.project
    w.undo_actions.redo.trigger()
    assert "cam-0003" in w.project


def test_move_camera_by_dragging_then_undo(window, qtbot):
    w = window
    cam = w.project.node("cam-0001")
    start = view_point(w, cam.x, cam.y)
    end = start + QPoint(40, -25)
    vp = w.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    for t in (0.3, 0.6, 1.0):
        p = QPointF(start + (end - start) * t)
        ev = QMouseEvent(QMouseEvent.Type.MouseMove, p, p, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(vp, ev)
    assert w.layer_items["cameras"].preview  # ghost shown while dragging
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    moved = w.project.node("cam-0001")
    m_per_px = 1 / w.canvas.px_per_m()
    assert moved.x - cam.x == pytest.approx(40 * m_per_px, rel=0.1)
    assert moved.y - cam.y == pytest.approx(25 * m_per_px, rel=0.1)
    assert not w.stack.is_clean
    assert w.windowTitle().endswith("* — Planner")
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.project.node("cam-0001").xy == cam.xy
    assert w.stack.is_clean


def test_rotate_handle_changes_azimuth(window, qtbot):
    w = window
    w.set_selection(["cam-0001"])
    cam = w.project.node("cam-0001")
    layer = w.layer_items["cameras"]
    import math

    length = layer.handle_length_m(cam, w.canvas.px_per_m())
    a = math.radians(cam.azimuth_deg)
    handle = view_point(w, cam.x + length * math.sin(a), cam.y + length * math.cos(a))
    assert w.canvas.handle_at(handle) == "cam-0001"
    target = view_point(w, cam.x, cam.y - length)  # due south
    vp = w.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=handle)
    qtbot.mouseMove(vp, pos=target)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    ev = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(target), QPointF(target), Qt.MouseButton.NoButton,
                     Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, ev)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=target)
    assert w.project.node("cam-0001").azimuth_deg == pytest.approx(180, abs=3)
    assert "Rotate" in w.stack.undo_text


def test_rubber_band_selects_and_delete_undo(window, qtbot):
    w = window
    x0, y0 = 692000.0, 4796000.0
    a = view_point(w, x0 - 50, y0 + 2050)
    b = view_point(w, x0 + 2050, y0 - 50)
    vp = w.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    ev = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(b), QPointF(b), Qt.MouseButton.NoButton,
                     Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, ev)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)
    assert set(w.selection) == {"cam-0001", "cam-0002", "store-0001", "cmd-0001"}
    w.act_delete.trigger()
    assert w.project.node_count == 0
    w.undo_actions.undo.trigger()
    assert w.project.node_count == 4


def test_copy_paste(window):
    w = window
    w.set_selection(["cam-0001", "cam-0002"])
    w.copy_selection()
    w.paste()
    assert w.project.count_by_kind()["camera"] == 4
    assert len(w.selection) == 2 and not set(w.selection) & {"cam-0001", "cam-0002"}


def test_inspector_edits_with_validation(window, qtbot):
    w = window
    w.set_selection(["cam-0001"])
    insp = w.inspector
    assert "cam-0001" in insp.title.text()
    insp.fields["height_m"].setValue(9.5)
    assert w.project.node("cam-0001").height_m == 9.5
    combo = insp.fields["camera_type"]
    combo.setCurrentIndex(combo.findData("dome-4mp-2.8"))
    assert w.project.node("cam-0001").camera_type == "dome-4mp-2.8"
    # an invalid stream value is refused with a message; the project is unchanged
    streams = insp.fields["streams"]
    streams.table.item(0, 3).setText("500")  # fps out of range
    assert "fps" in insp.message.text()
    assert w.project.node("cam-0001").streams[0].fps != 500
    asked = []
    insp.ask_new_phase = lambda name: asked.append(name) or True  # a new phase is created only when confirmed
    phase = insp.fields["phase"]
    phase.setEditText("3")
    phase.lineEdit().setModified(True)
    phase.lineEdit().editingFinished.emit()
    assert asked == ["3"]
    assert w.project.node("cam-0001").phase == "3"
    assert "3" in w.layers_panel._phase_checks  # the phase filter follows
    w.undo_actions.undo.trigger()
    assert w.project.node("cam-0001").phase == "1"
    assert insp.fields["phase"].currentText() == "1"  # the inspector follows undo


def test_bulk_edit_in_table(window):
    w = window
    w.set_selection(["cam-0001", "cam-0002"])
    assert set(w.table.selected_ids()) == {"cam-0001", "cam-0002"}
    w.table.ask_bulk = lambda cols: ("tilt_deg", "22")
    w.table._on_bulk()
    assert [c.tilt_deg for c in w.project.cameras()] == [22.0, 22.0]
    assert w.stack.undo_text.startswith("Set tilt deg on 2")
    w.table.ask_bulk = lambda cols: ("height_m", "-4")
    w.table._on_bulk()
    assert "height_m" in w.last_error
    # sorting and filtering
    w.table.filter.setText("cam-0002")
    assert w.table.proxy.rowCount() == 1


def test_phase_filter_hides_cameras(window):
    w = window
    w.layers_panel._phase_checks["2"].setChecked(False)
    cams = w.layer_items["cameras"]
    assert cams.hidden_phases == {"2"}
    assert cams.ids_in_rect(0, 0, 1e7, 1e8) == ["cam-0001"]


def test_network_analysis_runs_off_thread_with_progress(window, qtbot):
    w = window
    seen = []
    w.runner.progressed.connect(lambda f, m: seen.append(f))
    with qtbot.waitSignal(w.runner.done, timeout=30000):
        w.act_run_net.trigger()
        assert w.progress.isVisible() and w.cancel_button.isVisible()
    assert seen and max(seen) == pytest.approx(1.0)
    assert "network" in w.project.results
    assert w.results.storage_table.rowCount() == 1
    assert not w.progress.isVisible()
    # applying results is one undoable step
    assert w.stack.undo_text == "Apply network and storage results"
    # clicking a warning that names a node selects it
    w.results.refresh(w.project)
    for i in range(w.results.warnings.count()):
        it = w.results.warnings.item(i)
        if it.data(Qt.ItemDataRole.UserRole):
            w.results._on_warning_clicked(it)
            assert w.selection == [it.data(Qt.ItemDataRole.UserRole)]
            break


def test_cancel_stops_a_running_analysis(window, qtbot):
    w = window
    started = []

    def slow(progress):
        for i in range(200):
            progress(i / 200, "working")
            started.append(i)
            time.sleep(0.01)
        return "finished"

    done = []
    w.runner.done.connect(lambda n, r: done.append(r))
    with qtbot.waitSignal(w.runner.cancelled, timeout=5000):
        w.runner.start("network", slow)
        qtbot.waitUntil(lambda: len(started) > 3, timeout=5000)
        w.cancel_button.click()
    assert w.runner.wait(5000)
    qtbot.wait(50)
    assert done == []
    assert len(started) < 200
    assert not w.progress.isVisible()


def test_analysis_error_shows_message(window, qtbot):
    w = window
    from planner.errors import InvalidInputError

    def bad(progress):
        raise InvalidInputError("`x` is wrong; got 3")

    with qtbot.waitSignal(w.runner.failed, timeout=5000):
        w.runner.start("network", bad)
    assert "`x` is wrong" in w.messages.label.text()
    assert not w.messages.isHidden()


def test_rejected_edit_is_a_message_not_a_crash(window):
    w = window
    from planner.model.commands import AddNodes

    dup = w.project.node("cam-0001")
    assert not w.push(AddNodes([dup]))
    assert "already exists" in w.last_error


def test_coverage_then_incremental_update(window, qtbot):
    w = window
    with qtbot.waitSignal(w.runner.done, timeout=60000):
        w.run_analysis("coverage")
    assert w.project.results["coverage"].polygons is not None and w.coverage_result is not None
    assert "coverage" in w.layer_items
    before = w.project.results["coverage"].document["districts"]
    engine = w.coverage_result
    cam = w.project.node("cam-0002")
    with qtbot.waitSignal(w.update_runner.done, timeout=60000) as blocker:
        # from the east district into the west one: the per-district figures must follow
        w.push(workflows_move(w.project, "cam-0002", cam.x - 1000, cam.y - 400))
    assert blocker.args[0] == "coverage-update"
    after = w.project.results["coverage"].document["districts"]
    assert w.coverage_result is not engine
    share = {d["name"]: d["day_pct"]["monitor"] for d in after}
    old = {d["name"]: d["day_pct"]["monitor"] for d in before}
    assert share["Ouest"] > old["Ouest"] and share["Est"] < old["Est"]
    with qtbot.waitSignal(w.update_runner.done, timeout=60000):
        pass
    assert w.project.results["coverage"].polygons is not None


def workflows_move(project, nid, x, y):
    from planner.model.commands import move_node

    return move_node(project, nid, x, y)


def test_save_and_reopen(window, tmp_path):
    w = window
    w.set_tool(Tool.PLACE_STORAGE)
    w._on_place_requested("storage_centre", 692700.0, 4796700.0)
    w.set_selection(["cam-0001"])
    w.inspector.fields["height_m"].setValue(11.0)
    out = tmp_path / "saved_as.gpkg"
    assert w.save_as(out)
    assert w.stack.is_clean and "*" not in w.windowTitle()
    reopened = workflows.open_project(out)
    assert reopened.node("cam-0001").height_m == 11.0
    assert reopened.count_by_kind()["storage_centre"] == 2
    assert str(out.resolve()) == w.prefs.recent_files[0]
    from planner.gui.preferences import load_preferences

    assert load_preferences().recent_files[0] == str(out.resolve())


def test_autosave_recovery_offered_on_open(window, qtbot, tmp_path):
    w = window
    from planner.gui.main_window import recovery_path

    path = w.path
    w._on_place_requested("camera", 692100.0, 4796100.0)
    rec = w.autosave(wait=True)
    assert rec == recovery_path(path) and rec.exists()
    from planner.gui.main_window import MainWindow

    w2 = MainWindow()
    qtbot.addWidget(w2)
    asked = []
    w2.ask_restore_recovery = lambda r: asked.append(r) or True
    assert w2.open_path(path)
    assert asked and w2.project.count_by_kind()["camera"] == 3
    assert not w2.stack.is_clean
    assert w2.save()
    assert not rec.exists()
    w2.ask_save_changes = lambda: "discard"


def test_unsaved_changes_prompt(window):
    w = window
    w._on_place_requested("camera", 692100.0, 4796100.0)
    w.ask_save_changes = lambda: "cancel"
    assert not w.maybe_discard_changes()
    w.ask_save_changes = lambda: "discard"
    assert w.maybe_discard_changes()


def test_open_bad_file_shows_message(qtbot, tmp_path):
    from planner.gui.main_window import MainWindow

    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    w = MainWindow()
    qtbot.addWidget(w)
    assert not w.open_path(bad)
    assert "bad.gpkg" in w.messages.label.text()


def test_import_is_undoable(window, tmp_path):
    w = window
    import geopandas as gpd
    import shapely

    pts = gpd.GeoDataFrame({"name": ["N1", "N2"]}, geometry=[shapely.Point(692100, 4796100),
                                                             shapely.Point(692200, 4796200)], crs=32631)
    f = tmp_path / "cams.geojson"
    pts.to_crs(4326).to_file(f, driver="GeoJSON")
    assert w.import_file("cameras", f)
    assert w.project.count_by_kind()["camera"] == 4
    w.undo_actions.undo.trigger()
    assert w.project.count_by_kind()["camera"] == 2
    assert not w.import_file("cameras", tmp_path / "missing.csv")
    assert w.last_error


def test_zoom_keyboard_and_scale_bar(window, qtbot):
    w = window
    s0 = w.canvas.px_per_m()
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Plus)
    assert w.canvas.px_per_m() == pytest.approx(s0 * 1.25, rel=1e-3)
    w.act_zoom_full.trigger()
    w.set_selection(["cam-0001"])
    w.act_zoom_sel.trigger()
    assert w.canvas.px_per_m() > s0
    from planner.gui.map.canvas import nice_length

    assert nice_length(740) == 500 and nice_length(0.3) == pytest.approx(0.2)


def test_layer_visibility_and_order(window):
    w = window
    w.set_layer_visible("districts", False)
    assert not w.layer_items["districts"].isVisible()
    keys = w.layers_panel.keys()
    keys.remove("study_area")
    keys.insert(0, "study_area")
    w._on_layer_order(keys)
    assert w.layer_items["study_area"].zValue() > w.layer_items["cameras"].zValue()


def test_screenshot_command(tmp_path, small_project, qapp):
    from planner.gui.app import main

    path = tmp_path / "p.gpkg"
    workflows.save(small_project, path)
    out = tmp_path / "shot.png"
    assert main([str(path), "--screenshot", str(out), "--size", "800x600"]) == 0
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() == 800 and img.height() >= 600  # docks may need a little more height


def test_derived_blocks_are_labelled_approximate(qtbot):
    """Montevideo's buildings are city blocks derived from streets: the app says so."""
    from planner.gui.main_window import MainWindow
    from tests.conftest import SAMPLES

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(SAMPLES / "montevideo.gpkg", check_recovery=False)
    item = w.layer_items["buildings"]
    assert "approximate" in item.title
    assert any("approximate" in text for _, _, text in w.legend_entries())
    w.stack.set_clean()
