"""Bill of materials and costs by phase."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.analysis.costs import bill_of_materials, fibre_tree_length_m, unit_prices
from planner.errors import InvalidInputError
from planner.model.nodes import Status


def test_phases_add_up(small_project):
    r = bill_of_materials(small_project)
    assert r.phases == ("(no phase)", "1", "2")  # the centres have no phase
    for ph in r.phases:
        assert math.isclose(sum(ln.amount for ln in r.capex_lines(ph)), r.capex_by_phase[ph])
        assert math.isclose(sum(ln.amount for ln in r.opex_lines(ph)), r.opex_per_year[ph])
    running = 0.0
    for ph in r.phases:
        running += r.capex_by_phase[ph]
        assert math.isclose(r.capex_cumulative[ph], running)
    assert math.isclose(r.capex_total, sum(r.capex_by_phase.values()))
    for ln in r.lines:
        assert math.isclose(ln.amount, ln.quantity * ln.unit_price, rel_tol=1e-9)
        assert ln.source, ln
    # OPEX grows with the installed base
    assert r.opex_per_year["2"] > r.opex_per_year["1"] > 0


def test_quantities(small_project):
    r = bill_of_materials(small_project)
    q = r.quantities
    assert q["1"]["cameras"] == 1 and q["2"]["cameras"] == 1
    assert q["1"]["poles"] == 1 and q["2"]["poles"] == 1
    assert q["(no phase)"]["disks"] == math.ceil(10 / 16) + 1  # one 16 TB disk + 1 hot spare
    cams = [ln for ln in r.capex_lines("1") if ln.item == "camera:bullet-1080p-4"]
    assert cams and cams[0].quantity == 1 and cams[0].unit_price == 80.0
    assert q["1"]["fibre_access_km"] > 0


def test_overrides_and_sources(small_project):
    small_project.metadata["unit_prices"] = {"pole": {"value": 5000, "source": "tender 2024 lot 3"},
                                             "camera:bullet-1080p-4": 300}
    r = bill_of_materials(small_project)
    pole = next(ln for ln in r.capex_lines("1") if ln.item == "pole")
    assert pole.unit_price == 5000 and pole.source == "tender 2024 lot 3" and not pole.assumption
    cam = next(ln for ln in r.capex_lines("1") if ln.item == "camera:bullet-1080p-4")
    assert cam.unit_price == 300


@pytest.mark.parametrize("bad", [{"pole": -1}, {"pole": "cheap"}, {"no_such_price": 3}, {"pole": float("nan")}])
def test_bad_overrides(bad):
    with pytest.raises(InvalidInputError):
        unit_prices(bad)


def test_every_default_price_has_a_source():
    for key, p in unit_prices().items():
        assert p.source and p.label and p.unit, key
        assert p.value >= 0


def test_existing_and_hand_priced(small_project):
    cam = small_project.node("cam-0001")
    small_project.replace_nodes([cam.with_changes(status=Status.EXISTING)])
    cam2 = small_project.node("cam-0002")
    small_project.replace_nodes([cam2.with_changes(cost=1234.0)])
    r = bill_of_materials(small_project)
    assert r.quantities["1"]["cameras"] == 0
    hand = next(ln for ln in r.capex_lines("2") if ln.item == "camera:project-priced")
    assert math.isclose(hand.amount, 1234.0)


def test_currency_conversion(small_project):
    from planner.model.project import Parameters

    small_project.set_parameters(Parameters(currency="USD"))
    r = bill_of_materials(small_project)
    assert r.currency == "USD" and r.fx_per_eur > 1
    cam = next(ln for ln in r.capex_lines("1") if ln.item == "camera:bullet-1080p-4")
    assert math.isclose(cam.unit_price, 80.0 * r.fx_per_eur)


def test_mst_length():
    pts = np.array([[0, 0], [100, 0], [200, 0], [200, 100]])
    assert math.isclose(fibre_tree_length_m(pts), 300.0)
    assert fibre_tree_length_m(np.array([[0, 0]])) == 0.0
    assert math.isclose(fibre_tree_length_m(np.array([[0, 0], [0, 50], [0, 100], [0, 150]])), 150.0)


def test_no_nodes(small_project):
    for n in list(small_project.nodes()):
        small_project.remove_nodes([n.id])
    r = bill_of_materials(small_project)
    assert r.capex_total == 0


def test_marseille_phases():
    from planner.workflows import open_project
    from tests.conftest import SAMPLES

    r = bill_of_materials(open_project(SAMPLES / "marseille.gpkg"))
    assert r.phases == ("2016", "2020")
    assert r.quantities["2016"]["cameras"] == 1000 and r.quantities["2020"]["cameras"] == 1000
    assert r.quantities["2020"]["disks"] == 0  # storage is built in 2016
    assert math.isclose(r.capex_cumulative["2020"], r.capex_by_phase["2016"] + r.capex_by_phase["2020"])

