"""Radio-site and storage-site selection on hand-solved instances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.analysis.facility import (
    RadioSiteCandidate,
    StorageSiteCandidate,
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
