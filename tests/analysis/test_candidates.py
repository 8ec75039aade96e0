"""Candidates and demand from a project: street grid geometry, weights, and the per-site fast path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.analysis import candidates as cmod
from planner.analysis.candidates import CandidateParams, build_candidates
from planner.analysis.coverage import build_surface
from planner.analysis.executor import InProcessExecutor
from planner.model.nodes import Camera

X0, Y0 = 692000.0, 4796000.0


@pytest.fixture
def grid(square_geojson):
    """The 2 km square with a street grid every 200 m (segments split at the crossings) and derived blocks."""
    from planner import workflows

    project = workflows.new_project("Grid", boundary=square_geojson, districts=square_geojson)
    xs = X0 + np.arange(100.0, 2000.0, 200.0)
    ys = Y0 + np.arange(100.0, 2000.0, 200.0)
    segs = [shapely.LineString([(x, ys[k]), (x, ys[k + 1])]) for x in xs for k in range(len(ys) - 1)]
    segs += [shapely.LineString([(xs[k], y), (xs[k + 1], y)]) for y in ys for k in range(len(xs) - 1)]
    project.layers["streets"] = gpd.GeoDataFrame(geometry=segs, crs=project.crs)
    workflows.derive_blocks(project, setback_m=6.0, height_m=12.0)
    return project


def test_intersections_and_street_azimuths(grid) -> None:
    cs = build_candidates(grid, CandidateParams(sources=("intersections",)), executor=InProcessExecutor())
    # 10 x 10 crossings: 64 interior (4 streets), 32 on the edges (3), 4 corners (2: not intersections)
    assert len({c.site for c in cs.candidates}) == 96
    assert len(cs.candidates) == 64 * 4 + 32 * 3
    interior = [c for c in cs.candidates if abs(c.x - (X0 + 900)) < 1e-6 and abs(c.y - (Y0 + 900)) < 1e-6]
    assert sorted(c.azimuth_deg for c in interior) == [0.0, 90.0, 180.0, 270.0]
    # demand: 180 segments of 200 m, clipped to the study area (the grid lies inside): 36 km at 10 m
    assert cs.demand_length_m == pytest.approx(180 * 200.0)
    assert cs.instance.n_demand == 180 * 20


def test_poles_every_spacing_and_every_azimuth(grid) -> None:
    cs = build_candidates(grid, CandidateParams(sources=("streets",), spacing_m=100.0, azimuths="every",
                                                azimuth_step_deg=90.0), executor=InProcessExecutor())
    # each 200 m segment gets 2 interior poles (at 50 m and 150 m), 4 azimuths each
    assert len({c.site for c in cs.candidates}) == 180 * 2
    assert len(cs.candidates) == 180 * 2 * 4


def test_site_fast_path_matches_camera_footprint(grid) -> None:
    """The one-viewshed-per-site path gives exactly the demand cells of camera_footprint per azimuth."""
    params = CandidateParams(sources=("intersections",), azimuths="every", azimuth_step_deg=30.0)
    cp = params.coverage_params()
    surface = build_surface(grid, cp)
    dxy, _ = cmod._street_demand(cmod._street_lines(grid, grid.study_area), grid.study_area, 5.0)
    res = surface.resolution_m
    drow = np.floor((surface.origin_y - dxy[:, 1]) / res).astype(np.int64)
    dcol = np.floor((dxy[:, 0] - surface.origin_x) / res).astype(np.int64)
    order = np.argsort(drow, kind="stable")
    from planner.analysis.camera_types import builtin_camera_types
    from planner.analysis.coverage import camera_geometry

    ctype = builtin_camera_types()["bullet-1080p-4"]
    geoms = []
    for az in range(0, 360, 30):
        for tilt in (5.0, 20.0):
            cam = Camera(id=f"c{az}-{tilt}", x=X0 + 902.0, y=Y0 + 898.0, height_m=6.0, azimuth_deg=az, tilt_deg=tilt)
            geoms.append(camera_geometry(cam, ctype, cp))
    for g_set in (geoms[0::2], geoms[1::2]):  # one tilt per site
        ref = cmod._coverage_batch(list(enumerate(g_set)), surface, cp, drow, dcol, order, drow[order], "day")
        fast = cmod._site_batch([(tuple(range(len(g_set))), tuple(g_set))], surface, cp, drow, dcol, order,
                                drow[order], "day")
        total = 0
        for (j1, a), (j2, b) in zip(ref, fast, strict=True):
            assert j1 == j2 and np.array_equal(np.sort(a), np.sort(b))
            total += len(a)
        assert total > 0


def test_existing_cameras_are_fixed_and_weights(grid) -> None:
    grid.add_nodes([Camera(id="cam-0001", x=X0 + 900.0, y=Y0 + 900.0, azimuth_deg=90.0, height_m=6.0)])
    ps = gpd.GeoDataFrame({"name": ["school"], "weight": [4.0]},
                          geometry=[shapely.Point(X0 + 1100.0, Y0 + 1100.0)], crs=grid.crs)
    grid.layers["priority_sites"] = ps
    cs = build_candidates(grid, CandidateParams(sources=("intersections",), site_radius_m=150.0),
                          executor=InProcessExecutor())
    inst = cs.instance
    assert inst.site_ids[0] == "cam-0001" and inst.fixed[0] and inst.fixed.sum() == 1
    assert inst.site_cost[0] == 0.0
    # demand within 150 m of the school weighs 10 m x (1 + 4) = 50; elsewhere 10
    d = np.hypot(cs.demand_xy[:, 0] - (X0 + 1100.0), cs.demand_xy[:, 1] - (Y0 + 1100.0))
    assert np.allclose(inst.demand_weight[d <= 149.0], 50.0)
    assert np.allclose(inst.demand_weight[d > 151.0], 10.0)


def test_night_coverage_is_the_day_coverage_within_ir_range(grid) -> None:
    day = build_candidates(grid, CandidateParams(sources=("intersections",)), executor=InProcessExecutor())
    night = build_candidates(grid, CandidateParams(sources=("intersections",), period="night"),
                             executor=InProcessExecutor())
    # bullet-1080p-4 has a 30 m IR illuminator and a 55 m detect range: by night each candidate sees the part of
    # its day coverage within 30 m (horizontal), and nothing beyond
    d, n = day.instance, night.instance
    xy = day.demand_xy
    for j in range(0, d.n_sites, 17):
        ds = set(d.indices[d.indptr[j]:d.indptr[j + 1]].tolist())
        ns = set(n.indices[n.indptr[j]:n.indptr[j + 1]].tolist())
        assert ns <= ds
        c = day.candidates[j]
        far = [i for i in ns if np.hypot(xy[i, 0] - c.x, xy[i, 1] - c.y) > 30.0 + 2.0]
        assert far == []
    assert len(n.indices) < len(d.indices)


def test_incident_layer_weights_demand_with_the_quartic_kernel(grid) -> None:
    """w = 10 m x (1 + W x sum_i c_i (1 - (d_i/r)^2)^2) within r of each incident (QGIS heat-map kernel)."""
    inc = [(X0 + 1100.0, Y0 + 1000.0, 3.0), (X0 + 1100.0, Y0 + 1080.0, 1.0), (X0 + 300.0, Y0 + 300.0, float("nan"))]
    grid.layers["incidents"] = gpd.GeoDataFrame({"weight": [c for *_, c in inc]},
                                                geometry=[shapely.Point(x, y) for x, y, _ in inc], crs=grid.crs)
    r, big_w = 100.0, 2.0
    cs = build_candidates(grid, CandidateParams(sources=("intersections",), incidents="incidents",
                                                incident_radius_m=r, incident_weight=big_w),
                          executor=InProcessExecutor())
    xy = cs.demand_xy
    dens = np.zeros(len(xy))
    for x, y, c in inc:
        c = 1.0 if not np.isfinite(c) else c  # a missing weight counts as one incident
        u = np.hypot(xy[:, 0] - x, xy[:, 1] - y) / r
        dens += np.where(u < 1, c * (1 - u * u) ** 2, 0.0)
    assert np.allclose(cs.instance.demand_weight, 10.0 * (1 + big_w * dens))
    # hand values: the sample 5 m from the first incident (75 m from the second) weighs
    # 10 x (1 + 2 x (3 x (1 - 0.05^2)^2 + (1 - 0.75^2)^2)) ~= 73.53
    k = int(np.argmin(np.hypot(xy[:, 0] - (X0 + 1100.0), xy[:, 1] - (Y0 + 1005.0))))
    d0 = np.hypot(xy[k, 0] - (X0 + 1100.0), xy[k, 1] - (Y0 + 1000.0))
    assert d0 == pytest.approx(5.0)  # street samples every 10 m from the segment's start, at 995 and 1005
    assert cs.instance.demand_weight[k] == pytest.approx(10 * (1 + 2 * (3 * 0.9975 ** 2 + (1 - 0.75 ** 2) ** 2)))
    far = np.hypot(xy[:, 0] - (X0 + 1100.0), xy[:, 1] - (Y0 + 1040.0)) > 200
    far &= np.hypot(xy[:, 0] - (X0 + 300.0), xy[:, 1] - (Y0 + 300.0)) > 100
    assert np.allclose(cs.instance.demand_weight[far], 10.0)
    # weight 0 switches it off; a line layer is refused
    cs0 = build_candidates(grid, CandidateParams(sources=("intersections",), incidents="incidents",
                                                 incident_weight=0.0), executor=InProcessExecutor())
    assert np.allclose(cs0.instance.demand_weight, 10.0)
    with pytest.raises(cmod.InvalidInputError, match="points only"):
        build_candidates(grid, CandidateParams(sources=("intersections",), incidents="streets"),
                         executor=InProcessExecutor())
    with pytest.raises(cmod.InvalidInputError, match="neither a project layer"):
        build_candidates(grid, CandidateParams(sources=("intersections",), incidents="nope"),
                         executor=InProcessExecutor())
    with pytest.raises(cmod.OutOfRangeError):
        CandidateParams(incident_radius_m=float("nan"))
    with pytest.raises(cmod.OutOfRangeError):
        CandidateParams(incident_weight=-1.0)


def test_facade_mounts_every_spacing_facing_away_from_the_wall(square_geojson) -> None:
    from planner import workflows

    project = workflows.new_project("Walls", boundary=square_geojson, districts=square_geojson)
    # one real 40 m x 20 m building (clockwise ring on purpose: the outward side must not depend on it)
    b = shapely.Polygon([(X0 + 1000, Y0 + 1000), (X0 + 1000, Y0 + 1020), (X0 + 1040, Y0 + 1020), (X0 + 1040, Y0 + 1000)])
    project.layers["buildings"] = gpd.GeoDataFrame({"height_m": [12.0]}, geometry=[b], crs=project.crs)
    sites = cmod._sites_from_facades(project, project.study_area, 10.0)
    # 40 m walls: 4 mounts each, 20 m walls: 2 each -> 12; each 1 m out of its wall
    assert len(sites) == 12
    south = sorted((x - X0, y - Y0, az) for src, x, y, az in sites if abs(y - (Y0 + 999.0)) < 1e-6)
    assert [round(x) for x, _, _ in south] == [1005, 1015, 1025, 1035]
    assert all(az == [180.0, 135.0, 225.0] for *_, az in south)  # facing south, and 45° either side
    east = [az[0] for src, x, y, az in sites if abs(x - (X0 + 1041.0)) < 1e-6]
    assert east == [90.0, 90.0]
    assert not any(b.buffer(0.5).contains(shapely.Point(x, y)) for _, x, y, _ in sites)
    # end to end: a street south of the building; a fixed bullet per mount and orientation (12 x 3)
    project.layers["streets"] = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(X0 + 900, Y0 + 985), (X0 + 1140, Y0 + 985)])], crs=project.crs)
    cs = build_candidates(project, CandidateParams(sources=("facades",), spacing_m=10.0),
                          executor=InProcessExecutor())
    assert len(cs.candidates) == 36 and {c.source for c in cs.candidates} == {"facades"}
    seen = np.diff(cs.instance.indptr)
    south_ids = [j for j, c in enumerate(cs.candidates) if abs(c.y - (Y0 + 999.0)) < 1e-6 and c.azimuth_deg == 180.0]
    north_ids = [j for j, c in enumerate(cs.candidates) if abs(c.y - (Y0 + 1021.0)) < 1e-6]
    assert all(seen[j] > 0 for j in south_ids) and all(seen[j] == 0 for j in north_ids)  # facing away, behind the building
    # derived (approximate) blocks give no façades
    project.layers["buildings"]["approximate"] = True
    assert cmod._sites_from_facades(project, project.study_area, 10.0) == []


def test_layer_sites_carry_their_height_and_allowed_camera_types(grid) -> None:
    pts = gpd.GeoDataFrame({"height_m": [9.0, np.nan], "camera_types": ["ptz-1080p-25x,bullet-4mp-4", None]},
                           geometry=[shapely.Point(X0 + 902, Y0 + 900), shapely.Point(X0 + 1102, Y0 + 900)],
                           crs=grid.crs)
    grid.layers["masts"] = pts
    cs = build_candidates(grid, CandidateParams(sources=("masts",), azimuths="every", azimuth_step_deg=90.0),
                          executor=InProcessExecutor())
    by_site: dict[str, list] = {}
    for c in cs.candidates:
        by_site.setdefault(c.site, []).append(c)
    a, b = by_site["pt-00001"], by_site["pt-00002"]
    # site 1: a PTZ (one candidate, 360°) and a 4 mm 4 MP bullet (4 azimuths), all at 9 m
    assert sorted(c.camera_type for c in a) == ["bullet-4mp-4"] * 4 + ["ptz-1080p-25x"]
    assert {c.height_m for c in a} == {9.0} and {c.id for c in a if c.camera_type.startswith("ptz")} == {
        "pt-00001:ptz-1080p-25x@000"}
    # site 2: the defaults (one type, 6 m)
    assert {c.camera_type for c in b} == {"bullet-1080p-4"} and {c.height_m for c in b} == {6.0} and len(b) == 4
    # each candidate's coverage is camera_footprint's for that type, height and lens (cell for cell)
    from planner.analysis.camera_types import builtin_camera_types
    from planner.analysis.coverage import camera_footprint, camera_geometry

    params = CandidateParams(sources=("masts",))
    cp = params.coverage_params()
    surface = build_surface(grid, cp)
    res = surface.resolution_m
    drow = np.floor((surface.origin_y - cs.demand_xy[:, 1]) / res).astype(np.int64)
    dcol = np.floor((cs.demand_xy[:, 0] - surface.origin_x) / res).astype(np.int64)
    order = np.argsort(drow, kind="stable")
    inst = cs.instance
    lib = builtin_camera_types()
    for j, c in enumerate(cs.candidates):
        cam = Camera(id=c.id, x=c.x, y=c.y, height_m=c.height_m, azimuth_deg=c.azimuth_deg, tilt_deg=c.tilt_deg,
                     camera_type=c.camera_type)
        fp = camera_footprint(camera_geometry(cam, lib[c.camera_type], cp), surface, cp)
        ref = np.sort(cmod._seen_in(fp, drow, dcol, order, drow[order], "day"))
        assert np.array_equal(np.sort(inst.indices[inst.indptr[j]:inst.indptr[j + 1]]), ref), c.id
    grid.layers["masts"] = pts.assign(camera_types=["nope", None])
    with pytest.raises(cmod.InvalidInputError, match="unknown camera type 'nope'"):
        build_candidates(grid, CandidateParams(sources=("masts",)), executor=InProcessExecutor())
    grid.layers["masts"] = pts.assign(height_m=[0.0, 5.0])
    with pytest.raises(cmod.OutOfRangeError, match="height_m"):
        build_candidates(grid, CandidateParams(sources=("masts",)), executor=InProcessExecutor())
