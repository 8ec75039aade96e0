"""The app's map: shared palette, legend clear of the study area, labels above symbols, sector loads."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from planner import style


def test_opening_view_keeps_the_study_area_clear_of_the_legend(open_sample, qtbot):
    w = open_sample("marseille")
    w.canvas.zoom_to_extent()
    qtbot.wait(10)
    vp = w.canvas.viewport().rect()
    legend = w.canvas.legend_rect(vp.width(), vp.height())
    assert legend is not None
    minx, miny, maxx, maxy = w.project.study_area.bounds
    tl = w.canvas.mapFromScene(minx, -maxy)
    br = w.canvas.mapFromScene(maxx, -miny)
    area = QRectF(tl.x(), tl.y(), br.x() - tl.x(), br.y() - tl.y())
    assert area.right() < legend.left(), (area, legend)  # the legend lies beside the area, not over it
    assert area.left() >= 0 and area.top() >= 0 and area.bottom() <= vp.height()
    assert area.width() > 0.4 * vp.width() or area.height() > 0.8 * vp.height()  # still fills the view


def test_labels_and_centres_draw_above_the_cameras(open_sample):
    w = open_sample("marseille")
    z = {k: item.zValue() for k, item in w.layer_items.items()}
    assert z["district_labels"] > z["centres"] > z["cameras"]
    assert z["district_labels"] > z["priority_sites"]


def test_sector_loads_appear_in_the_legend_in_the_load_colours(open_sample):
    w = open_sample("cochabamba")
    radio = w.layer_items["radio_sites"]
    assert not any(t.startswith("Sector load") or t == "Sector full" for _, _, t in radio.legend())
    radio.sector_load = {("site-0001", 0): 0.2, ("site-0001", 1): 0.8, ("site-0001", 2): 1.0}
    entries = {t: c.name() for _, c, t in radio.legend()}
    assert entries["Sector load under 70 %"] == style.LOAD_OK
    assert entries["Sector load 70-100 %"] == style.LOAD_BUSY
    assert entries["Sector full"] == style.LOAD_FULL
