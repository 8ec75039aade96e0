"""Radio coverage maps: received power and achievable camera uplink rate per radio site, on the DEM.

For every cell of a grid (default 100 m) within ``max_distance_m`` of a site,
and for the best sector of that site (sector azimuth ± half the beamwidth):

``PL = PL_model(f, d, h_site, h_cpe) + J(v)``

* ``PL_model``: Okumura-Hata (150–1500 MHz), COST-231 Hata (1500–2000 MHz) or
  3GPP TR 38.901 UMa NLOS above, as in the network analysis
  (:func:`planner.analysis.network.path_loss_matrix`), with the urban clutter
  environment of the project;
* ``J(v)``: terrain diffraction over the DEM profile between the site and the
  cell, the single dominant knife edge of ITU-R P.526 §4.1:
  ``v = h √(2 d / (λ d1 d2))`` with ``h`` the height of the terrain (plus the
  Earth bulge ``d1 d2 / (2 k R)``, k = 4/3) above the straight line, and
  ``J(v) = 6.9 + 20 log10(√((v − 0.1)² + 1) + v − 0.1)`` for ``v > −0.78``,
  else 0. Without a DEM the ground is flat and ``J = 0``.

Uplink (camera CPE → sector): received power ``Rx = EIRP_cpe + G_sector −
L_feeder − PL − margins`` and throughput ``SE(SINR) × B`` on the allocation the
network analysis uses (:func:`planner.analysis.radio.uplink_throughput`).
The result holds one raster per site and the best-server raster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from planner.analysis import network as netk
from planner.analysis import radio
from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import InvalidInputError
from planner.model.checks import require_in_range
from planner.model.nodes import RadioSite
from planner.model.project import Project, Raster

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True, kw_only=True)
class RadioCoverageParams:
    """Grid and radio inputs; defaults as in the network analysis."""

    resolution_m: float = 100.0
    max_distance_m: float = 15_000.0
    cpe_height_m: float = 6.0
    environment: str = "urban"
    allocation_prbs: int = 25
    k_factor: float = 4.0 / 3.0

    def __post_init__(self) -> None:
        require_in_range("resolution_m", self.resolution_m, 5, 2000, unit="m")
        require_in_range("max_distance_m", self.max_distance_m, 100, 100_000, unit="m")
        require_in_range("cpe_height_m", self.cpe_height_m, 0, 100, low_open=True, unit="m")


@dataclass(frozen=True)
class RadioCoverage:
    """Per-site and best-server rasters (NaN outside reach) in the project CRS."""

    site_ids: tuple[str, ...]
    rx_power_dbm: np.ndarray  # (sites, rows, cols)
    throughput_mbps: np.ndarray  # (sites, rows, cols)
    transform: tuple[float, float, float, float, float, float]
    best_site: np.ndarray  # index into site_ids, -1 where no site reaches
    params: RadioCoverageParams

    def best_throughput(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            best: np.ndarray = np.nanmax(np.where(np.isnan(self.throughput_mbps), -np.inf, self.throughput_mbps), axis=0)
        return best

    def as_raster(self, crs: object, *, what: str = "throughput") -> Raster:
        """The best-server raster (``throughput`` Mb/s or ``rx_power`` dBm) as a :class:`Raster`."""
        if what == "throughput":
            arr = self.best_throughput()
        elif what == "rx_power":
            arr = np.nanmax(np.where(np.isnan(self.rx_power_dbm), -np.inf, self.rx_power_dbm), axis=0)
        else:
            raise InvalidInputError(f"`what` must be 'throughput' or 'rx_power'; got {what!r}")
        arr = np.where(np.isfinite(arr), arr, np.nan).astype("float32")
        return Raster(array=arr, transform=self.transform, crs=crs, nodata=None,  # type: ignore[arg-type]
                      source=f"radio coverage ({what})")

    def summary(self, *, min_rate_mbps: float = 2.0) -> dict[str, object]:
        cell_km2 = (self.params.resolution_m / 1000) ** 2
        best = self.best_throughput()
        per_site = []
        for k, sid in enumerate(self.site_ids):
            t = self.throughput_mbps[k]
            per_site.append({"site_id": sid,
                             "area_km2_at_min_rate": float(np.count_nonzero(t >= min_rate_mbps) * cell_km2),
                             "max_rx_power_dbm": float(np.nanmax(self.rx_power_dbm[k]))
                             if np.isfinite(self.rx_power_dbm[k]).any() else None})
        return {"min_rate_mbps": min_rate_mbps, "resolution_m": self.params.resolution_m,
                "area_km2_at_min_rate": float(np.count_nonzero(best >= min_rate_mbps) * cell_km2),
                "sites": per_site}


@njit(cache=True)
def _knife_edge_db(dem: np.ndarray, a: float, b: float, c: float, e: float, f: float,
                   sx: float, sy: float, sz: float, xs: np.ndarray, ys: np.ndarray, zt: np.ndarray,
                   wavelength: float, k_r: float, step: float) -> np.ndarray:
    """ITU-R P.526 single knife-edge loss J(v) of the dominant edge, per target cell (NaN-safe)."""
    n = xs.shape[0]
    out = np.zeros(n)
    rows, cols = dem.shape
    for i in range(n):
        dx = xs[i] - sx
        dy = ys[i] - sy
        d = math.sqrt(dx * dx + dy * dy)
        if d < 2 * step:
            continue
        m = int(d / step)
        vmax = -1e9
        for j in range(1, m):
            t = j / m
            x = sx + dx * t
            y = sy + dy * t
            col = (x - c) / a - 0.5
            row = (y - f) / e - 0.5
            c0 = int(math.floor(col))
            r0 = int(math.floor(row))
            if c0 < 0 or r0 < 0 or c0 + 1 >= cols or r0 + 1 >= rows:
                continue
            fc = col - c0
            fr = row - r0
            z = (dem[r0, c0] * (1 - fc) * (1 - fr) + dem[r0, c0 + 1] * fc * (1 - fr)
                 + dem[r0 + 1, c0] * (1 - fc) * fr + dem[r0 + 1, c0 + 1] * fc * fr)
            if z != z:  # NaN
                continue
            d1 = d * t
            d2 = d - d1
            bulge = d1 * d2 / (2.0 * k_r)
            line = sz + (zt[i] - sz) * t
            h = z + bulge - line
            v = h * math.sqrt(2.0 * d / (wavelength * d1 * d2))
            if v > vmax:
                vmax = v
        if vmax > -0.78:
            out[i] = 6.9 + 20.0 * math.log10(math.sqrt((vmax - 0.1) ** 2 + 1.0) + vmax - 0.1)
    return out


def _ground(project: Project, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    from planner.analysis.network_plan import sample_raster

    if project.dem is None:
        return np.zeros_like(xs)
    z = sample_raster(project.dem, xs, ys)
    return np.where(np.isfinite(z), z, 0.0)


def run_radio_coverage(project: Project, params: RadioCoverageParams | None = None, *,
                       sites: list[RadioSite] | None = None, progress: ProgressFn = no_progress) -> RadioCoverage:
    """Received power and uplink rate from camera CPEs to each radio site (see the module docs)."""
    params = params or RadioCoverageParams()
    sites = sites if sites is not None else [s for s in project.iter_nodes()
                                             if isinstance(s, RadioSite) and s.has_sectors]
    if not sites:
        raise InvalidInputError("the project has no radio site with sectors to map")
    res = params.resolution_m
    minx, miny, maxx, maxy = project.study_area.bounds
    x0, y1 = math.floor(minx / res) * res, math.ceil(maxy / res) * res
    ncol = int(math.ceil((maxx - x0) / res))
    nrow = int(math.ceil((y1 - miny) / res))
    gx, gy = np.meshgrid(x0 + (np.arange(ncol) + 0.5) * res, y1 - (np.arange(nrow) + 0.5) * res)
    cells = np.column_stack([gx.ravel(), gy.ravel()])
    zc = _ground(project, cells[:, 0], cells[:, 1])
    rx_all = np.full((len(sites), nrow, ncol), np.nan)
    tp_all = np.full((len(sites), nrow, ncol), np.nan)
    bw = params.allocation_prbs * radio.PRB_HZ
    dem = project.dem
    for k, s in enumerate(sites):
        progress(k / len(sites), f"radio coverage {s.id}")
        d = np.hypot(cells[:, 0] - s.x, cells[:, 1] - s.y)
        near = d <= params.max_distance_m
        idx = np.flatnonzero(near)
        if idx.size == 0:
            continue
        model = radio.model_for_frequency(s.freq_mhz).value
        env = params.environment if model != "uma" else "nlos"
        pl = netk.path_loss_matrix(cells[idx], np.array([s.xy]), freq_mhz=s.freq_mhz,
                                   camera_height_m=params.cpe_height_m, sector_height_m=s.height_m,
                                   model=model, environment=env)[:, 0]
        if dem is not None:
            sz = float(_ground(project, np.array([s.x]), np.array([s.y]))[0]) + s.height_m
            a, _, c, _, e, f = dem.transform
            arr = np.asarray(dem.array, dtype=np.float64)
            if dem.nodata is not None:
                arr = np.where(arr == dem.nodata, np.nan, arr)
            pl = pl + _knife_edge_db(arr, a, 0.0, c, e, f, s.x, s.y, sz, cells[idx, 0], cells[idx, 1],
                                     zc[idx] + params.cpe_height_m, 299.792458 / s.freq_mhz,
                                     params.k_factor * EARTH_RADIUS_M, min(abs(a), abs(e)))
        if s.sectors > 1:  # sectored site: the best sector's beam; one azimuth = omni
            bearing = np.degrees(np.arctan2(cells[idx, 0] - s.x, cells[idx, 1] - s.y)) % 360.0
            beam = max(360.0 / s.sectors, 120.0) if s.sectors > 1 else 360.0
            diffs = np.min([np.abs((bearing - az + 180.0) % 360.0 - 180.0) for az in s.sector_azimuths_deg], axis=0)
            in_beam = diffs <= beam / 2 + 1e-9
        else:
            in_beam = np.ones(idx.size, dtype=bool)
        budget = radio.LinkBudget(rx_antenna_gain_dbi=s.antenna_gain_dbi)
        thr = radio.uplink_throughput(pl, bandwidth_hz=bw, budget=budget)
        rx = np.where(in_beam, thr.rx_power_dbm, np.nan)
        tp = np.where(in_beam, thr.throughput_mbps, np.nan)
        rx_all[k].reshape(-1)[idx] = rx
        tp_all[k].reshape(-1)[idx] = tp
    progress(1.0, "done")
    masked = np.where(np.isnan(tp_all), -np.inf, tp_all)
    best = np.where(np.isfinite(masked).any(axis=0), np.argmax(masked, axis=0), -1)
    return RadioCoverage(site_ids=tuple(s.id for s in sites), rx_power_dbm=rx_all, throughput_mbps=tp_all,
                         transform=(res, 0.0, x0, 0.0, -res, y1), best_site=best, params=params)


__all__ = ["RadioCoverage", "RadioCoverageParams", "run_radio_coverage"]
