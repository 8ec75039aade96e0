"""Analysis ▸ Run radio coverage map: the uplink rate raster as a map layer, with a legend entry."""

from __future__ import annotations

import numpy as np


def test_radio_coverage_map_layer_on_cochabamba(open_sample, qtbot):
    w = open_sample("cochabamba")
    assert w.project.count_by_kind()["radio_site"] == 29
    assert "radio_throughput" not in w.layer_items
    with qtbot.waitSignal(w.runner.done, timeout=60000):
        w.act_run_radio.trigger()
        assert w.progress.isVisible()
    raster = w.project.results["radio"].raster
    assert raster.array.ndim == 2 and np.isfinite(raster.array).any()
    assert w.stack.undo_text == "Apply radio coverage map"
    item = w.layer_items["radio_throughput"]
    assert item.isVisible() and 0 < item.opacity() < 1
    assert "radio_throughput" in w.layers_panel.keys()
    # drawn below the coverage and nodes, above the study area
    assert w.layer_items["cameras"].zValue() > item.zValue() > w.layer_items["study_area"].zValue()
    legend = [text for _, _, text in w.legend_entries()]
    assert any(t.startswith("Radio uplink rate, Mb/s") for t in legend)
    # the image covers the raster's extent, transparent where the rate is NaN
    img = item.pixmap().toImage()
    assert (img.width(), img.height()) == (raster.array.shape[1], raster.array.shape[0])
    rect = item.mapRectToScene(item.boundingRect())
    x0, y0, x1, y1 = raster.bounds
    assert abs(rect.left() - x0) < 1 and abs(rect.top() + y1) < 1 and abs(rect.width() - (x1 - x0)) < 1
    # toggled in the layer panel
    w.set_layer_visible("radio_throughput", False)
    assert not item.isVisible()
    assert not any(t.startswith("Radio uplink") for _, _, t in w.legend_entries())
    w.set_layer_visible("radio_throughput", True)
    assert w.layer_items["radio_throughput"].isVisible()
    # undo removes it
    w.undo_actions.undo.trigger()
    assert "radio" not in w.project.results and "radio_throughput" not in w.layer_items


def test_radio_map_without_sites_is_a_message(window, qtbot):
    w = window
    with qtbot.waitSignal(w.runner.failed, timeout=30000):
        w.act_run_radio.trigger()
    assert "Radio coverage map failed" in w.messages.label.text()


def test_ramp_image_colours_and_transparency():
    from planner.gui.map import style
    from planner.gui.map.layers import ramp_image

    a = np.array([[np.nan, 0.0, 4.0, 100.0]])
    img = ramp_image(a, style.RADIO_RATE_STOPS, alpha=200)
    assert img.pixelColor(0, 0).alpha() == 0
    assert img.pixelColor(1, 0).rgb() == style.RADIO_RATE_STOPS[0][1].rgb()  # clamped low
    assert img.pixelColor(2, 0).rgb() == style.RADIO_RATE_STOPS[2][1].rgb()
    assert img.pixelColor(3, 0).rgb() == style.RADIO_RATE_STOPS[-1][1].rgb()  # clamped high
    assert img.pixelColor(3, 0).alpha() == 200
