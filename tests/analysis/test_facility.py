"""Radio-site and storage-site selection on hand-solved instances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.analysis.facility import (
    RadioSiteCandidate,
    StorageSiteCandidate,
    cover_bound,
    select_radio_sites,
    select_storage_sites,
)


def _ring() -> tuple[list[str], np.ndarray]:
    # ten cameras 300 m around a site at bearings 10 + 36 k degrees: 3 fall in the 0° sector's wedge
    # [-60, 60], 3 in the 120° one, 4 in the 240° one
    b = np.radians(10 + 36 * np.arange(10))
    return [f"c{k}" for k in range(10)], np.column_stack([300 * np.sin(b), 300 * np.cos(b)])


@pytest.mark.parametrize("max_pairs", [60_000, 0])
def test_radio_sites_sector_capacity(max_pairs: int) -> None:
    ids, xy = _ring()
    sites = [RadioSiteCandidate(id="A", x=0.0, y=0.0), RadioSiteCandidate(id="far", x=50_000.0, y=0.0)]
    # 20 MHz FDD x 1.0 b/s/Hz x 70 % planning load = 14 Mb/s per sector: three 4 Mb/s cameras each
    r = select_radio_sites(ids, xy, np.full(10, 6.0), np.full(10, 4.0), sites, max_pairs=max_pairs)
    assert r.chosen_sites == ("A",)
    assert len(r.assignment) == 9 and len(r.unserved) == 1
    assert r.loads[0]["sector_load_mbps"] == [12.0, 12.0, 12.0]
    assert r.loads[0]["sector_capacity_mbps"] == [pytest.approx(14.0)] * 3
    assert r.optimal == (max_pairs > 0)
    if max_pairs == 0:
        assert r.solver_status.startswith("greedy only")
        # without the MILP: site A can serve at most 3 + 3 + 3 cameras (capacity), the far one none, so the 9 served
        # need at least one site: bound 1 = the objective (gap 0, still not claimed optimal without the solver)
        assert r.bound == 1.0 and r.gap == 0.0


def test_storage_sites_hand_solved() -> None:
    ids = ["a", "b", "c", "d"]
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [10_000.0, 0.0], [10_100.0, 0.0]])
    sites = [StorageSiteCandidate(id="west", x=50.0, y=0.0), StorageSiteCandidate(id="east", x=10_050.0, y=0.0),
             StorageSiteCandidate(id="middle", x=5_000.0, y=0.0)]
    # by hand (site 100,000, 1,000 per km): middle 100,000 + 20 km = 120,000; west alone 120,100;
    # west + east 200,200 -> middle
    r = select_storage_sites(ids, xy, np.full(4, 10.0), sites)
    assert r.chosen_sites == ("middle",) and r.objective == pytest.approx(120_000.0) and r.optimal
    assert set(r.assignment.values()) == {"middle"}
    # 150 TB x 0.7125 = 106.9 TB usable: two 50 TB cameras per centre -> west + east (200,200)
    r = select_storage_sites(ids, xy, np.full(4, 50.0), sites)
    assert set(r.chosen_sites) == {"west", "east"} and r.objective == pytest.approx(200_200.0) and r.optimal
    assert all(ld["needed_tb"] <= ld["usable_tb"] for ld in r.loads)
    g = select_storage_sites(ids, xy, np.full(4, 50.0), sites, max_pairs=0)
    assert not g.optimal and len(g.assignment) == 4 and math.isfinite(g.objective)


def test_cover_bound_hand_solved() -> None:
    # gains 5, 3, 4 at cost 1 for a need of 8: LP takes 5 then 3/4 of 4 (1.75 sites); equal costs round up to 2
    assert cover_bound(np.array([5.0, 3.0, 4.0]), np.ones(3), 8.0) == 2.0
    # costs 2, 1, 3 for gains 4, 1, 6, need 7: ratios 0.5, 1, 0.5 -> site 0 whole (2) + half of site 2 (1.5) = 3.5;
    # the integer optimum is sites 1 + 2 (cost 4), which the bound does not exceed
    assert cover_bound(np.array([4.0, 1.0, 6.0]), np.array([2.0, 1.0, 3.0]), 7.0) == pytest.approx(3.5)
    assert cover_bound(np.array([10.0, 4.0]), np.array([0.0, 1.0]), 5.0) == 0.0  # a free (fixed) site suffices
    assert cover_bound(np.array([1.0, 2.0]), np.ones(2), 4.0) is None  # cannot reach the need


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bounds_without_the_milp_never_exceed_the_proven_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    xy = rng.uniform(0, 6000, (n, 2))
    ids = [f"c{k}" for k in range(n)]
    rsites = [RadioSiteCandidate(id=f"r{j}", x=float(x), y=float(y)) for j, (x, y) in
              enumerate(rng.uniform(0, 6000, (12, 2)))]
    rate = rng.uniform(2.0, 6.0, n)
    exact = select_radio_sites(ids, xy, np.full(n, 6.0), rate, rsites, time_limit_s=60)
    quick = select_radio_sites(ids, xy, np.full(n, 6.0), rate, rsites, max_pairs=0)
    assert exact.optimal and quick.bound is not None and 0 < quick.bound <= exact.objective + 1e-9
    assert quick.objective >= exact.objective - 1e-9 or len(quick.unserved) > len(exact.unserved)
    ssites = [StorageSiteCandidate(id=f"s{j}", x=float(x), y=float(y), capacity_tb=100.0) for j, (x, y) in
              enumerate(rng.uniform(0, 6000, (8, 2)))]
    demand = rng.uniform(5.0, 20.0, n)
    exact_s = select_storage_sites(ids, xy, demand, ssites, time_limit_s=60)
    quick_s = select_storage_sites(ids, xy, demand, ssites, max_pairs=0)
    assert exact_s.optimal and quick_s.bound is not None
    # the bound holds the centres' cost (enough capacity for the total demand) plus each camera's nearest backhaul
    assert exact_s.bound <= exact_s.objective + 1e-6
    assert quick_s.bound <= exact_s.objective + 1e-6 and quick_s.bound >= 100_000 * math.ceil(
        demand.sum() / (100 * 0.7125))
