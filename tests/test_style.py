"""The shared palette (planner/style.py): one set of colours for the app's map, the PDF and the HTML."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from planner import style

ROOT = Path(__file__).resolve().parents[1]

#: Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", Table 1: (Lab1, Lab2, dE00).
SHARMA_2005 = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_2005)
def test_ciede2000_matches_the_published_test_pairs(lab1, lab2, expected) -> None:
    assert style.delta_e2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert style.delta_e2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_srgb_to_lab_of_known_colours() -> None:
    # sRGB white is the D65 white point (L* 100, a* b* 0); mid-grey #777777 has L* 50.03 (CIE 15 by hand:
    # 0x77/255 = 0.4667 -> linear 0.1845 -> L* = 116 * 0.1845^(1/3) - 16 = 50.03)
    assert style.srgb_to_lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    L, a, b = style.srgb_to_lab("#777777")
    assert L == pytest.approx(50.03, abs=0.02) and abs(a) < 0.01 and abs(b) < 0.01


def test_coverage_colours_are_distinct_and_far_from_phase_and_load_colours() -> None:
    cov = [style.LEVEL_COLOURS[k] for k in style.COVERAGE_LEVELS]
    loads = [c for _, c, _ in style.LOAD_STOPS]
    assert len(set(cov)) == len(cov) == 6
    assert not set(cov) & set(style.PHASE_COLOURS) and not set(cov) & set(loads)
    worst = min(style.colour_distance(a, b) for a in cov for b in (*style.PHASE_COLOURS, style.NO_PHASE, *loads))
    assert worst >= style.MIN_SET_DISTANCE >= 20.0
    # a ramp: each finer level is visibly darker than the one before (L* falls, dE00 >= 5 between neighbours)
    light = [style.srgb_to_lab(c)[0] for c in cov]
    assert light == sorted(light, reverse=True)
    assert min(style.colour_distance(a, b) for a, b in itertools.pairwise(cov)) >= 5.0
    # phases tell apart from each other
    assert min(style.colour_distance(a, b) for a, b in itertools.combinations(style.PHASE_COLOURS, 2)) >= 10.0


def test_lookups() -> None:
    assert style.level_colour("detect") == "#9ebcda"
    assert style.level_colour("unknown-level", 99) == style.LEVEL_COLOURS["validate"]
    assert style.phase_colour(["2016", "2020"], "2020") == style.PHASE_COLOURS[1]
    assert style.phase_colour(["2016"], "") == style.NO_PHASE
    assert [style.load_colour(u) for u in (0.2, 0.69, 0.7, 0.99, 1.0, 1.4)] == [
        style.LOAD_OK, style.LOAD_OK, style.LOAD_BUSY, style.LOAD_BUSY, style.LOAD_FULL, style.LOAD_FULL]


def test_plural() -> None:
    assert style.plural(1000, "camera") == "1,000 cameras"
    assert style.plural(1, "camera") == "1 camera"
    assert style.plural(3, "storage centre") == "3 storage centres"
    assert style.plural(50, "planning grid (synthetic)") == "50 planning grids (synthetic)"
    assert style.plural_noun("arrondissements") == "arrondissements"
    assert style.plural_noun("city") == "cities"


def test_every_map_takes_its_colours_from_the_shared_palette() -> None:
    """No writer keeps a coverage ramp of its own (the app said #c6dbef for monitor, the PDF #fde0a0)."""
    for rel in ("planner/io/export_pdf.py", "planner/io/export_html.py", "planner/io/export_kml.py",
                "planner/gui/map/style.py"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert "planner.style" in text or "from planner import style" in text, rel
        for old in ("#fde0a0", "#c6dbef", "#fdb863"):
            assert old not in text, (rel, old)


def test_the_app_map_wraps_the_same_colours() -> None:
    pytest.importorskip("PySide6")
    from planner.gui.map import style as qstyle

    assert qstyle.LEVEL_COLOURS["monitor"].name() == style.LEVEL_COLOURS["monitor"]
    assert qstyle.level_colour("identify").name() == style.LEVEL_COLOURS["identify"]
    assert [c.name() for c in qstyle.PHASE_COLOURS] == list(style.PHASE_COLOURS)
    assert qstyle.load_colour(1.2).name() == style.LOAD_FULL
