"""Radio coverage maps: Hata loss on flat ground, knife-edge shadow behind a ridge, sectors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from planner.analysis import radio
from planner.analysis.radio_coverage import RadioCoverageParams, run_radio_coverage
from planner.errors import InvalidInputError
from planner.model.nodes import RadioSite
from planner.model.project import Project, Raster

X0, Y0 = 500_000.0, 4_800_000.0


def project_with(site: RadioSite, dem: Raster | None = None) -> Project:
    p = Project(name="r", crs=32631, study_area=shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000))
    p.add_nodes([site])
    p.dem = dem
    return p


def test_flat_ground_follows_hata() -> None:
    site = RadioSite(id="s", x=X0 + 5000, y=Y0 + 5000, height_m=30.0, freq_mhz=450.0, antenna_gain_dbi=17.0,
                     sector_azimuths_deg=(0.0,))
    p = project_with(site)
    cov = run_radio_coverage(p, RadioCoverageParams(resolution_m=100.0, max_distance_m=5000.0))
    # the cell whose centre is 2,050 m east of the site: Hata urban, 30 m / 6 m
    col = int((5000 + 2050 - 50) / 100)
    row = int((10_000 - 5000 - 50) / 100)
    d_km = math.hypot((col + 0.5) * 100 - 5000, (row + 0.5) * 100 - 5000 - 0) / 1000
    pl = radio.hata_loss_db(450.0, d_km, base_height_m=30.0, mobile_height_m=6.0, environment="urban")
    expected = radio.uplink_throughput(np.array([pl]), bandwidth_hz=25 * radio.PRB_HZ,
                                       budget=radio.LinkBudget(rx_antenna_gain_dbi=17.0))
    assert cov.rx_power_dbm[0, row, col] == pytest.approx(float(expected.rx_power_dbm[0]), abs=1e-6)
    assert cov.throughput_mbps[0, row, col] == pytest.approx(float(expected.throughput_mbps[0]), abs=1e-6)
    # farther is weaker; beyond the radius nothing
    assert cov.rx_power_dbm[0, row, col + 10] < cov.rx_power_dbm[0, row, col]
    assert np.isnan(cov.rx_power_dbm[0, 0, 0])  # the corner is 7 km away
    assert cov.summary()["area_km2_at_min_rate"] > 0


def test_ridge_adds_knife_edge_loss() -> None:
    arr = np.zeros((100, 100), dtype="float32")
    arr[:, 60:62] = 120.0  # a north-south ridge 1 km east of the site
    dem = Raster(array=arr, transform=(100.0, 0.0, X0, 0.0, -100.0, Y0 + 10_000.0), crs=None)
    site = RadioSite(id="s", x=X0 + 5000, y=Y0 + 5000, height_m=30.0, freq_mhz=450.0, sector_azimuths_deg=(0.0,))
    flat = run_radio_coverage(project_with(site), RadioCoverageParams(max_distance_m=5000.0))
    hilly = run_radio_coverage(project_with(site, dem), RadioCoverageParams(max_distance_m=5000.0))
    row = 49
    before, behind = 55, 70
    assert hilly.rx_power_dbm[0, row, before] == pytest.approx(flat.rx_power_dbm[0, row, before], abs=0.5)
    loss = flat.rx_power_dbm[0, row, behind] - hilly.rx_power_dbm[0, row, behind]
    # h ≈ 120 − (36 + (6 − 36)·1/2.05) m above the line 1 km from a 2.05 km path: J(v) well above 15 dB
    assert loss > 15.0
    west = 30
    assert hilly.rx_power_dbm[0, row, west] == pytest.approx(flat.rx_power_dbm[0, row, west], abs=0.5)


def test_three_sectors_cover_all_around_and_one_sector_points() -> None:
    site = RadioSite(id="s", x=X0 + 5000, y=Y0 + 5000, height_m=30.0, freq_mhz=450.0,
                     sector_azimuths_deg=(0.0, 120.0, 240.0))
    cov = run_radio_coverage(project_with(site), RadioCoverageParams(max_distance_m=3000.0))
    t = cov.throughput_mbps[0]
    assert np.isfinite(t[20, 50]) and np.isfinite(t[70, 30]) and np.isfinite(t[70, 70])
    north = RadioSite(id="s", x=X0 + 5000, y=Y0 + 5000, height_m=30.0, freq_mhz=450.0,
                      sector_azimuths_deg=(350.0, 0.0, 10.0))  # three 120° sectors all facing north
    cov2 = run_radio_coverage(project_with(north), RadioCoverageParams(max_distance_m=3000.0))
    assert np.isfinite(cov2.throughput_mbps[0, 30, 50]) and np.isnan(cov2.throughput_mbps[0, 75, 50])
    r = cov.as_raster(32631)
    assert r.array.dtype == np.float32 and r.resolution_m == (100.0, 100.0)


def test_no_sites_is_an_error() -> None:
    p = Project(name="r", crs=32631, study_area=shapely.box(X0, Y0, X0 + 1000, Y0 + 1000))
    with pytest.raises(InvalidInputError, match="no radio site"):
        run_radio_coverage(p)
