"""Capability scenarios and where cameras look when the register does not say."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from planner.analysis.camera_types import parse_camera_types
from planner.audit import scenarios as scn
from planner.audit.register import RegisterCamera


def _cam(**kw):
    base = {"row": "2", "id": "c1", "name": "c1", "lon": 0.0, "lat": 0.0}
    return RegisterCamera(**{**base, **kw})


@pytest.fixture
def median():
    return scn.load_scenarios()[0]["median"]


def test_scenarios_have_sources_and_valid_types() -> None:
    scenarios, shared = scn.load_scenarios()
    assert tuple(scenarios) == ("low", "median", "high")
    for s in scenarios.values():
        assert {"camera_type", "mount_height_m", "ir_range_m"} <= set(s.source)
        types = parse_camera_types({"schema_version": 1, "types": scn.scenario_type_entries(s)}, origin="t")
        fixed, disc = types[f"audit-{s.name}"], types[f"audit-{s.name}-360"]
        assert not fixed.pan_360 and disc.pan_360 and fixed.ir_range_m == s.ir_range_m
    # high at 8 mm on 1/1.8" (7.75 mm wide): HFOV = 2 atan(7.75 / 16) = 51.7°
    high = parse_camera_types({"schema_version": 1, "types": scn.scenario_type_entries(scenarios["high"])},
                              origin="t")["audit-high"]
    assert high.optics().hfov_deg == pytest.approx(2 * math.degrees(math.atan(high.sensor_width_mm / 16)))
    assert shared["street_snap_m"] == 15.0


def test_direction_rules(median) -> None:
    street = [shapely.LineString([(0, -500), (0, 500)])]  # a north-south street along x = 0
    cams = [_cam(id="known", directions_deg=(90.0,)),
            _cam(id="dome", mount_kind="dome"),
            _cam(id="on-street", mount_kind="fixed"),
            _cam(id="off-street"),
            _cam(id="range", directions_deg=(180.0,), width_deg=180.0)]
    xy = np.array([[5, 0], [5, 10], [8, 20], [200, 0], [5, 30]], dtype=float)
    nodes, owner, rules = scn.views_for(cams, xy, median, streets=street, street_snap_m=15.0, hfov_deg=70.0)
    by = {}
    for n in nodes:
        by.setdefault(owner[n.id], []).append(n)
    assert [n.azimuth_deg for n in by["known"]] == [90.0] and by["known"][0].camera_type == "audit-median"
    assert by["dome"][0].camera_type == "audit-median-360"
    assert sorted(n.azimuth_deg for n in by["on-street"]) == pytest.approx([0.0, 180.0])  # along the axis, both ways
    assert by["off-street"][0].camera_type == "audit-median-360"  # a disc: the upper bound
    # 90-270 is 180° wide: ceil(180 / 70) = 3 views centred at 120, 180 and 240
    assert [n.azimuth_deg for n in by["range"]] == pytest.approx([120.0, 180.0, 240.0])
    assert rules == {scn.RULE_KNOWN: 2, scn.RULE_DOME: 1, scn.RULE_STREET: 1, scn.RULE_DISC: 1}
    assert all(n.height_m == median.mount_height_m and n.tilt_deg == median.tilt_deg for n in nodes)


def test_register_height_and_tilt_win(median) -> None:
    nodes, _, _ = scn.views_for([_cam(directions_deg=(0.0,), height_m=9.0, tilt_deg=30.0)], np.zeros((1, 2)), median)
    assert (nodes[0].height_m, nodes[0].tilt_deg) == (9.0, 30.0)
