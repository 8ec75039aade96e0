"""Network load kernels against docs/reference.md §R6 (T35) and §R8.5."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis.network import (
    OUT_OF_RANGE,
    SECTOR_FULL,
    aggregate_link_loads,
    assign_cameras_to_sectors,
    live_viewing_load,
    path_loss_matrix,
)
from planner.analysis.radio import hata_loss_db, sector_uplink_capacity, uplink_mapl
from planner.errors import InvalidInputError


def test_t35_unicast_vs_multicast() -> None:
    uni = live_viewing_load([48], stream_bitrate_mbps=4.0, multicast=False)
    multi = live_viewing_load([48], stream_bitrate_mbps=4.0, multicast=True)
    assert uni.shared_link_mbps == 192.0
    assert uni.camera_uplink_mbps[0] == 192.0
    assert multi.shared_link_mbps == 4.0
    assert multi.camera_uplink_mbps[0] == 4.0


def test_video_wall_multicast_counts_distinct_streams() -> None:
    # 48-tile wall on 1 Mb/s sub-streams, each watched by 3 operators: 48 Mb/s multicast
    wall = live_viewing_load(np.full(48, 3), stream_bitrate_mbps=1.0, multicast=True)
    assert wall.shared_link_mbps == pytest.approx(48.0)
    assert live_viewing_load(np.full(48, 3), stream_bitrate_mbps=1.0, multicast=False).shared_link_mbps == 144.0
    rec = live_viewing_load([2, 0], stream_bitrate_mbps=[4.0, 2.0], multicast=False, recorders=1)
    assert rec.camera_uplink_mbps == pytest.approx([12.0, 2.0])
    assert rec.shared_link_mbps == 8.0


def test_link_loads_over_a_tree() -> None:
    # 0 = centre; 1, 2 = relays; 3, 4 under 1; 5 under 2; cameras 4 Mb/s each
    r = aggregate_link_loads(
        np.array([-1, 0, 0, 1, 1, 2]),
        node_load_mbps=[0, 0, 0, 4, 4, 4],
        link_capacity_mbps=[np.inf, 12.0, 100.0, 10.0, 10.0, 5.0],
    )
    assert r.carried_mbps == pytest.approx([0, 8, 4, 4, 4, 4])
    assert r.design_mbps == pytest.approx(np.array([0, 8, 4, 4, 4, 4]) * 1.05 * 1.5)
    assert r.utilisation[1] == pytest.approx(12.6 / 12.0)
    assert r.overloaded.tolist() == [False, True, False, False, False, True]
    r2 = aggregate_link_loads(np.array([-1, 0, 1]), node_load_mbps=[0, 1, 2], overhead=0, peak_factor=1)
    assert r2.carried_mbps == pytest.approx([0, 3, 2])
    assert not r2.overloaded.any()


def test_link_loads_radio_limit() -> None:
    r = aggregate_link_loads(
        np.array([-1, 0]), node_load_mbps=[0, 5.0], link_capacity_mbps=[np.inf, 10.0], utilisation_limit=0.7
    )
    assert r.utilisation[1] == pytest.approx(0.7875)
    assert r.overloaded[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"parent": np.array([-1, 2, 1]), "node_load_mbps": [0, 1, 1]},  # cycle
        {"parent": np.array([-1, 5]), "node_load_mbps": [0, 1]},
        {"parent": np.array([0]), "node_load_mbps": [1]},  # self loop
        {"parent": np.array([-1, 0]), "node_load_mbps": [0, -1]},
        {"parent": np.array([-1, 0]), "node_load_mbps": [0, 1], "overhead": 1.5},
        {"parent": np.array([-1, 0]), "node_load_mbps": [0, 1], "peak_factor": 0.5},
        {"parent": np.array([-1, 0]), "node_load_mbps": [0, 1], "link_capacity_mbps": [1.0, 0.0]},
        {"parent": np.array([-1.0, 0.0]), "node_load_mbps": [0, 1]},
    ],
)
def test_link_loads_bad_input(kwargs) -> None:  # type: ignore[no-untyped-def]
    parent = kwargs.pop("parent")
    with pytest.raises(InvalidInputError, match="`"):
        aggregate_link_loads(parent, **kwargs)


def test_path_loss_matrix_matches_hata() -> None:
    cam = np.array([[0.0, 2000.0], [1000.0, 0.0]])
    sec = np.array([[0.0, 0.0]])
    pl = path_loss_matrix(cam, sec, freq_mhz=400, camera_height_m=1.5, sector_height_m=30, model="hata",
                          environment="urban")
    assert pl.shape == (2, 1)
    assert pl[:, 0] == pytest.approx([127.83, 117.22], abs=0.01)


def _ring(n: int, radius_m: float) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([radius_m * np.sin(a), radius_m * np.cos(a)])


def test_assignment_capacity_and_reasons() -> None:
    cap = sector_uplink_capacity(10, spectral_efficiency_bps_hz=1.5).plannable_mbps  # 10.5 Mb/s
    near = _ring(4, 300.0)
    far = np.array([[0.0, 30_000.0]])
    cams = np.vstack([near, far])
    a = assign_cameras_to_sectors(cams, np.array([[0.0, 0.0]]), camera_bitrate_mbps=2.0, sector_capacity_mbps=cap)
    assert a.served_count == 4
    assert a.sector_load_mbps[0] == pytest.approx(8.0)
    assert a.unserved == ((4, OUT_OF_RANGE),)
    b = assign_cameras_to_sectors(cams, np.array([[0.0, 0.0]]), camera_bitrate_mbps=4.0, sector_capacity_mbps=cap)
    assert b.sector_load_mbps[0] == pytest.approx(8.0)
    reasons = dict(b.unserved)
    assert reasons[4] == OUT_OF_RANGE
    assert sorted(r for r in reasons.values()).count(SECTOR_FULL) == 2


def test_assignment_greedy_order_best_sinr_first_and_sector_wedges() -> None:
    cams = np.array([[0.0, 500.0], [0.0, 200.0], [0.0, -300.0]])
    sectors = np.array([[0.0, 0.0], [0.0, 0.0]])
    a = assign_cameras_to_sectors(
        cams, sectors, camera_bitrate_mbps=2.0, sector_capacity_mbps=[2.0, 2.0],
        sector_azimuth_deg=[0.0, 180.0], sector_beamwidth_deg=120.0,
    )
    # north sector has room for one camera: the nearest (best SINR) wins; the south camera gets the south sector
    assert a.sector.tolist() == [-1, 0, 1]
    assert a.unserved == ((0, SECTOR_FULL),)


def test_assignment_with_precomputed_path_loss_uses_mapl() -> None:
    mapl = uplink_mapl(4.0, prbs=25).mapl_db
    pl = np.array([[mapl - 0.1], [mapl + 0.1]])
    a = assign_cameras_to_sectors(
        np.zeros((2, 2)), np.zeros((1, 2)), camera_bitrate_mbps=4.0, sector_capacity_mbps=100.0, path_loss_db=pl
    )
    assert a.sector.tolist() == [0, -1]
    assert a.unserved == ((1, OUT_OF_RANGE),)
    assert a.throughput_mbps[0] >= 4.0


def test_assignment_progress_is_reported() -> None:
    seen: list[float] = []
    assign_cameras_to_sectors(_ring(10, 500.0), np.zeros((1, 2)), camera_bitrate_mbps=1.0,
                              sector_capacity_mbps=100.0, progress=lambda f, m="": seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_assignment_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="`camera_xy`"):
        assign_cameras_to_sectors(np.zeros(3), np.zeros((1, 2)), camera_bitrate_mbps=1, sector_capacity_mbps=1)
    with pytest.raises(InvalidInputError, match="`camera_bitrate_mbps`"):
        assign_cameras_to_sectors(np.zeros((2, 2)), np.zeros((1, 2)), camera_bitrate_mbps=0, sector_capacity_mbps=1)
    with pytest.raises(InvalidInputError, match="`sector_capacity_mbps`"):
        assign_cameras_to_sectors(np.zeros((2, 2)), np.zeros((1, 2)), camera_bitrate_mbps=1, sector_capacity_mbps=-1)
    with pytest.raises(InvalidInputError, match="`path_loss_db`"):
        assign_cameras_to_sectors(np.zeros((2, 2)), np.zeros((1, 2)), camera_bitrate_mbps=1,
                                  sector_capacity_mbps=1, path_loss_db=np.zeros((3, 1)))
    assert hata_loss_db(400, 1, base_height_m=30, mobile_height_m=1.5) == pytest.approx(117.22, abs=0.01)
