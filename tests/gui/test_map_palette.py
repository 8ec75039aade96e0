"""The app's map: shared palette, legend clear of the study area, labels above symbols, sector loads."""

from __future__ import annotations

import pytest
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


def test_retention_chart_bars_to_scale_with_a_target_line(qtbot):
    """Two centres of 2.5 days against an 8-day target: bars end at 2.5/8 of the way to the target line."""
    from PySide6.QtGui import QColor

    from planner.gui.panels.results import BarChart

    chart = BarChart("Retention", " d")
    qtbot.addWidget(chart)
    chart.resize(600, 120)
    red = QColor(style.LOAD_FULL)
    chart.set_bars([("North", 2.5, red), ("South", 5.0, red)], targets=[8.0, 8.0], target_label="target 8 d")
    img = chart.grab().toImage()

    def red_span(y: int) -> tuple[int, int]:
        xs = [x for x in range(img.width()) if QColor(img.pixel(x, y)).name() == style.LOAD_FULL]
        return min(xs), max(xs)

    y1, y2 = 28 + 9, 28 + 22 + 9  # the middle of each bar row
    a0, a1 = red_span(y1)
    b0, b1 = red_span(y2)
    assert a0 == b0  # bars start together
    assert (b1 - b0) == pytest.approx(2 * (a1 - a0), rel=0.03)  # 5 days is twice 2.5 days, not both full length
    # the dashed target line: dark pixels in a column right of the bars, below the title
    def dark_rows(x: int) -> int:
        return sum(1 for y in range(26, y2 + 8) if QColor(img.pixel(x, y)).lightness() < 90)

    dark = [x for x in range(b1 + 2, img.width()) if dark_rows(x) >= 12]  # a vertical dashed line
    assert dark, "no target line"
    assert (dark[0] - a0) == pytest.approx((a1 - a0) * 8.0 / 2.5, rel=0.03)
