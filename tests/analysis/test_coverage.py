"""Coverage oracles: analytic frustum areas on flat ground, walls, hills, night, masks, incremental updates."""

from __future__ import annotations

import math
import os

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.analysis.coverage import CoverageParams, run_coverage, update_cameras
from planner.analysis.executor import InProcessExecutor, ProcessExecutor, ThreadExecutor
from planner.analysis.optics import DORI_LEVELS
from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.nodes import Camera
from planner.model.project import Project, Raster

X0, Y0 = 500_000.0, 4_800_000.0
SRC = {"width_px": "test", "height_px": "test", "sensor": "test", "hfov_deg": "test", "ir_range_m": "test",
       "bitrate_hint_mbps": "test", "focal_mm": "test"}


def cam_type(tid: str, *, hfov: float = 90.0, width: int = 1920, height: int = 1080, ir: float = 0.0,
             pan: bool = False) -> dict:
    return {"id": tid, "name": tid, "kind": "ptz" if pan else "bullet", "width_px": width, "height_px": height,
            "sensor": {"width_mm": 5.6, "height_mm": 3.15}, "hfov_deg": hfov, "ir_range_m": ir, "pan_360": pan,
            "codec": "H.264", "bitrate_hint_mbps": 4.0, "source": SRC}


def make_project(cams: list[Camera], *, types: list[dict], size_m: float = 1000.0, dem: Raster | None = None,
                 buildings: gpd.GeoDataFrame | None = None) -> Project:
    area = shapely.box(X0, Y0, X0 + size_m, Y0 + size_m)
    d = gpd.GeoDataFrame({"name": ["West", "East"], "code": ["W", "E"], "level": ["district"] * 2},
                         geometry=[shapely.box(X0, Y0, X0 + size_m / 2, Y0 + size_m),
                                   shapely.box(X0 + size_m / 2, Y0, X0 + size_m, Y0 + size_m)], crs=32631)
    p = Project(name="t", crs=32631, study_area=area, districts=d)
    p.metadata["camera_types"] = types
    p.add_nodes(cams)
    p.dem = dem
    if buildings is not None:
        p.layers["buildings"] = buildings
    return p


def level_area(doc: dict, level: str, period: str = "day") -> float:
    return doc["city"][level][f"{period}_km2"] * 1e6


def test_flat_ground_matches_the_analytic_frustum() -> None:
    """Horizontal camera, target at lens height: seen at level L ⇔ depth ≤ r_L inside ±HFOV/2.

    The area is the triangle r_L² tan(HFOV/2); with HFOV 90° and 1920 px, r_L = 960 / PPM_L
    (docs/reference.md §R2.2: 76.8 m monitor, 38.4 m detect, 15.36 m observe).
    """
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=1.6, azimuth_deg=0.0, tilt_deg=0.0,
                 camera_type="t90")
    p = make_project([cam], types=[cam_type("t90")])
    r = run_coverage(p, CoverageParams(resolution_m=0.5, target_height_m=1.6), executor=InProcessExecutor())
    doc = r.summary()
    for lv in DORI_LEVELS[:3]:
        rl = 960.0 / lv.ppm
        expected = rl * rl * math.tan(math.radians(45))
        assert level_area(doc, lv.name) == pytest.approx(expected, rel=0.03), lv.name
    # the optical axis points north: nothing is seen south of the camera
    assert r.sample(np.array([[X0 + 500, Y0 + 450]]))[0] == 0
    assert r.sample(np.array([[X0 + 500, Y0 + 530]]))[0] == 2  # 30 m ahead: 32 px/m, detect
    assert r.sample(np.array([[X0 + 500, Y0 + 510]]))[0] == 3  # 10 m ahead: 96 px/m, observe
    # the district split at x = 500: the symmetric wedge is half in each district
    west, east = doc["districts"]
    assert west["day_km2"]["monitor"] == pytest.approx(east["day_km2"]["monitor"], rel=0.05)


def test_tilted_camera_near_limit() -> None:
    """Footprint of a tilted camera (T29 geometry): nothing nearer than (h − t)/tan(θ + VFOV/2)."""
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=6.0, azimuth_deg=90.0, tilt_deg=30.0,
                 camera_type="t")
    vfov = 42.98
    hfov = 2 * math.degrees(math.atan(math.tan(math.radians(vfov / 2)) * 16 / 9))
    p = make_project([cam], types=[cam_type("t", hfov=hfov)])
    r = run_coverage(p, CoverageParams(resolution_m=0.25), executor=InProcessExecutor())
    near = (6.0 - 1.6) / math.tan(math.radians(30 + vfov / 2))  # 3.50 m
    far = (6.0 - 1.6) / math.tan(math.radians(30 - vfov / 2))  # 29.41 m
    assert near == pytest.approx(3.50, abs=0.01) and far == pytest.approx(29.41, abs=0.01)
    xs = np.arange(0.5, 40, 0.25)
    seen = r.sample(np.column_stack([X0 + 500 + xs, np.full(xs.size, Y0 + 500.1)])) > 0
    first, last = xs[seen][0], xs[seen][-1]
    assert first == pytest.approx(near, abs=0.3)
    assert last == pytest.approx(far, abs=0.3)


def test_wall_occludes_and_building_cells_are_not_public() -> None:
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=4.0, azimuth_deg=0.0, tilt_deg=5.0, camera_type="t")
    wall = gpd.GeoDataFrame({"height_m": [20.0]}, geometry=[shapely.box(X0 + 450, Y0 + 520, X0 + 550, Y0 + 524)],
                            crs=32631)
    open_p = make_project([cam], types=[cam_type("t")])
    walled = make_project([cam], types=[cam_type("t")], buildings=wall)
    a = run_coverage(open_p, CoverageParams(resolution_m=1.0), executor=InProcessExecutor())
    b = run_coverage(walled, CoverageParams(resolution_m=1.0), executor=InProcessExecutor())
    behind = np.array([[X0 + 500, Y0 + 540], [X0 + 495, Y0 + 560]])
    assert (a.sample(behind) > 0).all() and (b.sample(behind) == 0).all()
    assert b.sample(np.array([[X0 + 500, Y0 + 510]]))[0] > 0  # in front of the wall
    assert b.sample(np.array([[X0 + 500, Y0 + 522]]))[0] == 0  # inside the building
    assert level_area(b.summary(), "monitor") < level_area(a.summary(), "monitor") * 0.5


def test_hill_occludes_on_a_dem() -> None:
    arr = np.zeros((100, 100), dtype="float32")
    arr[40:44, :] = 30.0  # an east-west ridge 30 m high, 200-220 m north of the bottom edge... in rows
    dem = Raster(array=arr, transform=(10.0, 0.0, X0, 0.0, -10.0, Y0 + 1000.0), crs=None)
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=6.0, azimuth_deg=0.0, tilt_deg=2.0, camera_type="t")
    p = make_project([cam], types=[cam_type("t", hfov=30.0)], dem=dem)
    r = run_coverage(p, CoverageParams(resolution_m=2.0), executor=InProcessExecutor())
    # the ridge occupies y = Y0+560..Y0+600; beyond it the camera sees nothing
    assert r.sample(np.array([[X0 + 500, Y0 + 540]]))[0] > 0
    assert r.sample(np.array([[X0 + 500, Y0 + 640]]))[0] == 0


def test_night_ir_range_and_privacy_mask() -> None:
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=1.6, tilt_deg=0.0, camera_type="ir20")
    p = make_project([cam], types=[cam_type("ir20", ir=20.0)])
    r = run_coverage(p, CoverageParams(resolution_m=0.5), executor=InProcessExecutor())
    doc = r.summary()
    # at night only cells within 20 m of the camera: a quarter disc of radius 20 m (HFOV 90°)
    assert level_area(doc, "monitor", "night") == pytest.approx(math.pi * 20 ** 2 / 4, rel=0.04)
    assert level_area(doc, "monitor", "day") > 10 * level_area(doc, "monitor", "night")
    p.layers["privacy_masks"] = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 400, Y0 + 520, X0 + 600, Y0 + 600)],
                                                 crs=32631)
    masked = run_coverage(p, CoverageParams(resolution_m=0.5), executor=InProcessExecutor()).summary()
    assert level_area(masked, "monitor") == pytest.approx(20 * 20, rel=0.05)  # only the first 20 m remain


def test_ptz_covers_all_azimuths() -> None:
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=1.6, tilt_deg=0.0, camera_type="ptz")
    p = make_project([cam], types=[cam_type("ptz", hfov=60.0, pan=True)])
    r = run_coverage(p, CoverageParams(resolution_m=1.0), executor=InProcessExecutor())
    rm = 1920 / (2 * math.tan(math.radians(30))) / 12.5  # 133 m
    assert level_area(r.summary(), "monitor") == pytest.approx(math.pi * rm ** 2, rel=0.02)


def test_incremental_update_equals_full_rerun() -> None:
    cams = [Camera(id=f"cam-{i}", x=X0 + 100 + 70 * i, y=Y0 + 500 + 10 * i, height_m=6.0, azimuth_deg=30.0 * i,
                   tilt_deg=10.0, camera_type="t") for i in range(10)]
    p = make_project(cams, types=[cam_type("t", hfov=70.0)])
    params = CoverageParams(resolution_m=2.0)
    r = run_coverage(p, params, executor=InProcessExecutor())
    p.replace_nodes([p.node("cam-3").moved(X0 + 800, Y0 + 900)])
    p.remove_nodes(["cam-7"])
    p.add_nodes([Camera(id="cam-new", x=X0 + 300, y=Y0 + 300, camera_type="t", azimuth_deg=200.0)])
    inc = update_cameras(r, p, ["cam-3", "cam-7", "cam-new"])
    full = run_coverage(p, params, executor=InProcessExecutor())
    assert inc.summary() == full.summary()
    assert set(inc.tiles) == set(full.tiles)
    for k in full.tiles:
        assert np.array_equal(inc.tiles[k].day, full.tiles[k].day)
        assert np.array_equal(inc.tiles[k].count, full.tiles[k].count)


def test_executors_agree() -> None:
    cams = [Camera(id=f"cam-{i}", x=X0 + 100 + 80 * i, y=Y0 + 400, azimuth_deg=45.0 * i, camera_type="t")
            for i in range(8)]
    p = make_project(cams, types=[cam_type("t", hfov=70.0)])
    a = run_coverage(p, executor=InProcessExecutor(batch_size=3)).summary()
    b = run_coverage(p, executor=ProcessExecutor(workers=2, batch_size=3)).summary()
    c = run_coverage(p, executor=ThreadExecutor(workers=2, batch_size=3)).summary()
    assert a == b == c


def test_thread_executor_order_progress_and_cancel() -> None:
    from planner.errors import AnalysisCancelled

    seen: list[float] = []
    out = list(ThreadExecutor(workers=2, batch_size=4).map_batches(
        lambda b, k: [x * k for x in b], list(range(19)), 3, progress=lambda f, m="": seen.append(f)))
    assert out == [3 * x for x in range(19)]  # input order, flattened
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) == 6  # 5 batches + done

    def stop(f: float, m: str = "") -> None:
        if f > 0:
            raise AnalysisCancelled("stop")

    import time

    done: list[int] = []

    def slow(b: list[int]) -> list[int]:
        time.sleep(0.01)
        done.extend(b)
        return list(b)

    with pytest.raises(AnalysisCancelled):
        list(ThreadExecutor(workers=1, batch_size=1).map_batches(slow, list(range(50)), progress=stop))
    assert len(done) < 10  # the remaining batches were cancelled (50 would take 0.5 s)
    from planner.analysis.executor import default_executor

    assert isinstance(default_executor(500, threads=True), ThreadExecutor) or (os.cpu_count() or 1) < 2
    assert isinstance(default_executor(500, workers=2, threads=True), ProcessExecutor)
    assert isinstance(default_executor(50, threads=True), InProcessExecutor)


def test_dask_local_cluster_agrees() -> None:
    distributed = pytest.importorskip("distributed")
    from planner.analysis.executor import DaskExecutor

    cams = [Camera(id=f"cam-{i}", x=X0 + 100 + 80 * i, y=Y0 + 400, azimuth_deg=45.0 * i, camera_type="t")
            for i in range(6)]
    p = make_project(cams, types=[cam_type("t", hfov=70.0)])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        d = run_coverage(p, executor=DaskExecutor(client, batch_size=2)).summary()
    assert d == run_coverage(p, executor=InProcessExecutor()).summary()


def test_bad_inputs() -> None:
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, camera_type="nope")
    with pytest.raises(InvalidInputError, match="unknown camera type 'nope'"):
        run_coverage(make_project([cam], types=[]))
    with pytest.raises(InvalidInputError):
        run_coverage(make_project([Camera(id="c", x=X0, y=Y0, camera_type="bad")],
                                  types=[cam_type("bad", hfov=0.0)]))
    with pytest.raises(OutOfRangeError, match="resolution_m"):
        CoverageParams(resolution_m=0.0)
    dem = Raster(array=np.zeros((10, 10), dtype="float32"), transform=(10.0, 0.0, X0, 0.0, -10.0, Y0 + 100.0),
                 crs=None)
    far = Camera(id="cam-far", x=X0 + 900, y=Y0 + 900, camera_type="t")
    with pytest.raises(InvalidInputError, match="outside the DEM"):
        run_coverage(make_project([far], types=[cam_type("t")], dem=dem))


def test_polygons_are_bands_that_add_up() -> None:
    cam = Camera(id="cam-1", x=X0 + 500, y=Y0 + 500, height_m=1.6, tilt_deg=0.0, camera_type="t90")
    p = make_project([cam], types=[cam_type("t90")])
    r = run_coverage(p, CoverageParams(resolution_m=1.0), executor=InProcessExecutor())
    g = r.polygons()
    assert g.is_valid.all()
    day = g[g.period == "day"]
    doc = r.summary()
    assert day.area.sum() == pytest.approx(level_area(doc, "monitor"), rel=1e-3)
    assert day[day.level_index >= 2].area.sum() == pytest.approx(level_area(doc, "detect"), rel=2e-2)


def test_patch_polygons_after_an_update_equals_a_full_redraw() -> None:
    from planner.analysis.coverage import patch_polygons

    cams = [Camera(id=f"cam-{i}", x=X0 + 100 + 150 * i, y=Y0 + 500, azimuth_deg=40.0 * i, camera_type="t")
            for i in range(6)]
    p = make_project(cams, types=[cam_type("t", hfov=70.0)], size_m=2000.0)
    r = run_coverage(p, CoverageParams(resolution_m=2.0), executor=InProcessExecutor())
    before = r.polygons()
    p.replace_nodes([p.node("cam-2").moved(X0 + 1500, Y0 + 1500)])
    r2 = update_cameras(r, p, ["cam-2"])
    assert r2.touched and len(r2.touched) < len(r2.tiles) + 2
    patched = patch_polygons(before, r2)
    full = r2.polygons()
    key = ["period", "level_index", "tile_row", "tile_col"]
    a = patched.dissolve(by=key).area.sort_index()
    b = full.dissolve(by=key).area.sort_index()
    assert a.index.equals(b.index) and np.allclose(a.values, b.values)


def test_zoomed_varifocal_reaches_farther() -> None:
    """A varifocal lens set to 12 mm instead of 2.8 mm: ranges scale with the focal length."""
    wide = Camera(id="a", x=X0 + 300, y=Y0 + 300, height_m=1.6, tilt_deg=0.0, camera_type="bullet-1080p-vf-2.8-12")
    tele = Camera(id="b", x=X0 + 700, y=Y0 + 300, height_m=1.6, tilt_deg=0.0, camera_type="bullet-1080p-vf-2.8-12",
                  focal_mm=12.0)
    p = make_project([wide, tele], types=[])
    r = run_coverage(p, CoverageParams(resolution_m=1.0, target_height_m=1.6), executor=InProcessExecutor())
    ratio = r.geometries["b"].px_per_rad / r.geometries["a"].px_per_rad
    assert ratio == pytest.approx(12.0 / 2.8, rel=1e-6)
    assert r.sample(np.array([[X0 + 700, Y0 + 300 + 200]]))[0] >= 1  # 200 m ahead, seen at 12 mm
    assert r.sample(np.array([[X0 + 300, Y0 + 300 + 200]]))[0] == 0  # not at 2.8 mm
    with pytest.raises(OutOfRangeError, match="focal_mm"):
        run_coverage(make_project([Camera(id="c", x=X0, y=Y0, camera_type="bullet-1080p-vf-2.8-12", focal_mm=50.0)],
                                  types=[]))


def test_wide_lens_uses_datasheet_vfov_and_per_ray_density() -> None:
    """6 m pole, 40° tilt, 2.8 mm 4 MP lens with datasheet 106.4° x 57.9° (issue 10 item 11), flat ground.

    By hand: along the image's centre column the ground is seen from 6 / tan(40° + 28.95°) = 2.31 m to
    6 / tan(40° - 28.95°) = 30.72 m (a rectilinear VFOV of 73.9° derived from the HFOV would reach
    6 / tan(3.05°) = 112.6 m). The ground line y = 6 / tan 40° = 7.15 m images on the centre row whatever
    the lens mapping, so it is seen out to |x| = 15.58 m x sin 53.2° = 12.48 m, the ray at HFOV/2
    (it reaches the ground after 6 / (cos 53.2° sin 40°) = 15.58 m).
    """
    src = dict(SRC, vfov_deg="test")
    ds = {**cam_type("ds", hfov=106.4, width=2560, height=1440), "vfov_deg": 57.9, "source": src}
    cam = Camera(id="c", x=X0 + 500, y=Y0 + 500, height_m=6.0, azimuth_deg=0.0, tilt_deg=40.0, camera_type="ds")
    p = make_project([cam], types=[ds])
    r = run_coverage(p, CoverageParams(resolution_m=0.25, target_height_m=0.0), executor=InProcessExecutor())
    ys = np.arange(0.125, 120, 0.25)
    seen = ys[r.sample(np.column_stack([np.full(ys.size, X0 + 500.125), Y0 + 500 + ys])) > 0]
    assert seen.min() == pytest.approx(2.31, abs=0.25)
    assert seen.max() == pytest.approx(30.72, abs=0.25)
    y_axis = 6.0 / math.tan(math.radians(40.0))
    x_edge = 6.0 / (math.cos(math.radians(53.2)) * math.sin(math.radians(40.0))) * math.sin(math.radians(53.2))
    assert x_edge == pytest.approx(12.48, abs=0.01)
    row = np.array([[X0 + 500 + dx, Y0 + 500 + y_axis] for dx in (-x_edge - 0.4, -x_edge + 0.4, x_edge - 0.4,
                                                                   x_edge + 0.4)])
    assert list(r.sample(row) > 0) == [False, True, True, False]


def test_cached_zone_labels_follow_the_study_area() -> None:
    """Per-tile zone labels are reused between runs on equal zones, never across different ones."""
    from planner.analysis import coverage as cv

    cams = [Camera(id=f"cam-{i}", x=X0 + 300 + 150 * i, y=Y0 + 500, azimuth_deg=90.0, camera_type="t")
            for i in range(4)]
    small = make_project(cams, types=[cam_type("t", hfov=70.0)], size_m=1000.0)
    big = make_project(cams, types=[cam_type("t", hfov=70.0)], size_m=1200.0)  # West/East split moves
    a1 = run_coverage(small, executor=InProcessExecutor()).summary()
    b1 = run_coverage(big, executor=InProcessExecutor()).summary()
    a2 = run_coverage(small, executor=InProcessExecutor()).summary()
    cv._Geoms._entry = cv._Geoms._tree = cv._Geoms._groups = cv._Geoms._tiles = cv._Geoms._streets = None
    b2 = run_coverage(big, executor=InProcessExecutor()).summary()
    assert a1 == a2 and b1 == b2
    # the East district of the 1,200 m area starts at 600 m: cameras at 300-750 m put more of it in West
    assert a1["districts"][0]["day_km2"] != b1["districts"][0]["day_km2"]
