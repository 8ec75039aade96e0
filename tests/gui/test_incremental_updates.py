"""Edits refresh only what changed: the moved camera's rows and wedge, the table row; drawing helpers."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from planner.model.commands import UpdateNodes, move_node


def test_moving_a_camera_updates_its_rows_in_place(window, qtbot):
    w = window
    layer = w.layer_items["cameras"]
    other_wedge = layer._wd[layer._index["cam-0002"]].copy()
    resets = []
    w.table.model.modelReset.connect(lambda: resets.append(1))
    rows_changed = []
    w.table.model.dataChanged.connect(lambda a, b: rows_changed.append(a.row()))
    calls = []
    real = layer.set_nodes
    layer.set_nodes = lambda *a: (calls.append(1), real(*a))
    cam = w.project.node("cam-0001")
    w.push(move_node(w.project, "cam-0001", cam.x + 100, cam.y + 50))
    assert calls == [] and resets == []  # no rebuild, no table reset
    i = layer._index["cam-0001"]
    assert (layer.xs[i], layer.ys[i]) == (cam.x + 100, cam.y + 50)
    assert layer._wd[i][0].tolist() == [cam.x + 100, cam.y + 50]  # the wedge apex moved with it
    assert np.array_equal(layer._wd[layer._index["cam-0002"]], other_wedge)  # the others did not
    assert rows_changed and w.table.model.rows[rows_changed[-1]].x == cam.x + 100
    assert layer.nearest(cam.x + 100, cam.y + 50, 1.0)[0] == "cam-0001"
    # adding a node still rebuilds
    w._on_place_requested("camera", cam.x, cam.y)
    assert calls == [1] and len(layer.ids) == 3


def test_table_sorted_by_a_column_stays_sorted_after_an_edit(window):
    w = window
    t = w.table
    col = t.model.columns.index("height_m")
    t.view.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    w.push(UpdateNodes([w.project.node("cam-0001").with_changes(height_m=3.0),
                        w.project.node("cam-0002").with_changes(height_m=20.0)], text="heights"))
    first = t.proxy.index(0, col).data()
    w.push(UpdateNodes([w.project.node("cam-0001").with_changes(height_m=30.0)], text="height"))
    assert t.proxy.index(0, col).data() != first
    assert [t.proxy.index(r, col).data() for r in range(2)] == ["20", "30"]


def test_cost_table_refreshes_off_the_gui_thread(window, qtbot):
    w = window
    before = w.results.cost_table.rowCount()
    with qtbot.waitSignal(w.cost_runner.done, timeout=20000):
        w._on_place_requested("camera", 692100.0, 4796100.0)
    cams = {w.results.cost_table.item(r, 0).text(): w.results.cost_table.item(r, 1).text()
            for r in range(w.results.cost_table.rowCount())}
    assert w.results.cost_table.rowCount() >= before
    assert sum(int(v) for v in cams.values()) == 3
    assert not w.progress.isVisible()  # the cost refresh shows no progress bar


def test_wide_cosmetic_lines_cover_their_width():
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter, QPainterPath

    from planner.gui.map.layers import cosmetic_pen, stroke_path

    img = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = QPainterPath(QPointF(5, 20.5))
    path.lineTo(35, 20.5)
    stroke_path(p, path, cosmetic_pen("#000000", 2.2))
    p.end()
    column = [img.pixelColor(20, y).alpha() for y in range(40)]
    covered = sum(a for a in column) / 255
    assert covered == pytest.approx(2.2, abs=0.5)


def test_map_renders_at_every_zoom_with_labels_and_wedges(window):
    w = window
    from PySide6.QtGui import QImage, QPainter

    c = w.canvas
    for factor in (1.0, 4.0, 16.0):
        c.zoom_to_extent()
        c.zoom(factor)
        img = QImage(c.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
        p = QPainter(img)
        c.render(p)
        p.end()
        assert not img.isNull()
    assert c.px_per_m() > 0.08  # zoomed in enough for wedges: drawn without error
