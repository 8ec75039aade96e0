"""Stale and wrong texts in the dashboard and the map legend (issue 10, item 18)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor

from planner.errors import InvalidInputError


def plain(label) -> str:
    return re.sub(r"<[^>]+>", "", label.text())


def test_menu_names_in_texts_have_no_doubled_ampersand(window):
    w = window
    for text in (plain(w.results.headline), w.results.network_note.text(), w.results.coverage_note.text()):
        assert "&&" not in text
    assert "Analysis ▸ Run network & storage" in plain(w.results.headline)
    assert "Analysis ▸ Run network & storage" in plain(w.results.network_note)


def test_summary_header_follows_edits(window):
    w = window
    assert "Small: 2 cameras" in plain(w.results.headline)
    w._on_place_requested("camera", 692100.0, 4796100.0)
    assert "Small: 3 cameras" in plain(w.results.headline)
    w.undo_actions.undo.trigger()
    assert "Small: 2 cameras" in plain(w.results.headline)


def test_failure_banner_goes_when_the_analysis_later_succeeds(window, qtbot):
    w = window

    def bad(progress):
        raise InvalidInputError("camera type `nope` is not in the library")

    with qtbot.waitSignal(w.runner.failed, timeout=5000):
        w.runner.start("coverage", bad)
    assert not w.messages.isHidden() and "Coverage failed" in w.messages.label.text()
    # another analysis succeeding does not hide it
    with qtbot.waitSignal(w.runner.done, timeout=30000):
        w.run_analysis("network")
    assert not w.messages.isHidden()
    with qtbot.waitSignal(w.runner.done, timeout=60000):
        w.run_analysis("coverage")
    assert w.messages.isHidden()


def test_district_legend_plural_of_a_parenthesised_level(open_sample):
    w = open_sample("cochabamba")
    titles = [text for _kind, _colour, text in w.layer_items["districts"].legend()]
    assert "Planning grids (synthetic)" in titles
    assert not any(t.endswith(")s") for t in titles)


def test_retention_chart_scales_to_the_target_and_draws_it(window, qtbot):
    w = window
    import dataclasses

    from planner.model.commands import SetParameters

    w.push(SetParameters(dataclasses.replace(w.project.parameters, retention_target_days=100.0)))
    with qtbot.waitSignal(w.runner.done, timeout=30000):
        w.run_analysis("network")
    st = w.project.results["network"].document["storage"][0]
    # 10 TB for 2 cameras at 4 Mb/s: 115.74 days raw, × 0.7125 usable (RAID 6 of 12, 5 % reserve, 10 % growth)
    usable = 10e12 / (2 * 4e6 / 8 * 86400) * (10 / 12) * 0.95 * 0.90
    assert st["retention_days"] == pytest.approx(usable, rel=1e-6)  # 82.47 d, below the 100 d target
    chart = w.results.retention_chart
    assert chart.targets == [100.0] and chart.target_label == "target 100 d"
    assert chart.scale_max() == 100.0  # the bar is drawn against the target, not against itself
    w.results_dock.raise_()
    w.results.setCurrentIndex(2)
    chart.resize(600, 120)
    img = chart.grab().toImage()
    y = 28 + 2 + 7  # the middle of the first bar
    red = [x for x in range(img.width()) if QColor(img.pixel(x, y)).name() == "#d7191c"]
    # the target tick spans its whole row; at the row's top edge (above the bar and its text) only it is dark
    dark = [x for x in range(img.width()) if QColor(img.pixel(x, 29)).name() == "#222222" and x > red[0]]
    assert red and dark
    bar = red[-1] - red[0] + 1
    target_x = dark[0] - red[0]
    assert bar / target_x == pytest.approx(usable / 100.0, abs=0.02)  # the bar ends at 82 % of the target line
