"""Facility selection for a deployment: which radio sites and which storage centres to build.

**Radio sites** (a capacitated covering model; the coupled radio model of
engineering practice, e.g. Church & ReVelle's MCLP with sector capacities):
candidate sites ``j`` (existing radio sites are fixed), each with sectors
``s``; a wireless camera ``k`` may use sector ``(j, s)`` when the camera lies
in the sector's azimuth wedge and its uplink throughput on its PRB allocation
(the link budget of :func:`planner.analysis.radio.uplink_throughput` over the
path loss of :func:`planner.analysis.network.path_loss_matrix`) covers its peak
bitrate. Sector capacity is the plannable uplink of
:func:`planner.analysis.radio.sector_uplink_capacity`. The MILP::

    min  Σ_j f_j y_j + M Σ_k (1 - u_k)
    s.t. Σ_{(j,s) usable by k} w_kjs = u_k <= 1        (each camera on one sector)
         Σ_k r_k w_kjs <= C_js y_j                     (sector capacity)
         w_kjs <= y_j                                  (strong linking)

with ``M`` larger than the cost of every site, so serving cameras comes first
and then the cheapest set of sites.

**Storage centres** (capacitated facility location with single sourcing,
Pedroso & Kubo's formulation with the strong constraints ``x_kj <= y_j``)::

    min  Σ_j f_j y_j + Σ_k Σ_j c_kj x_kj
    s.t. Σ_j x_kj = 1,   Σ_k d_k x_kj <= M_j y_j,   x_kj <= y_j,   x, y binary

``d_k`` is camera ``k``'s recorded volume for the retention target (TB),
``M_j`` the usable capacity of a centre, ``c_kj`` the backhaul cost
(``cost_per_km × distance``). Only the ``nearest`` closest candidates of each
camera are offered (sparse model). Both models are solved by HiGHS under a
time limit; ``optimal`` is true only with HiGHS's proof.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from planner.analysis import network as netk
from planner.analysis import radio
from planner.analysis.optimise import run_highs, status_text
from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import InvalidInputError, OutOfRangeError


@dataclass(frozen=True)
class FacilityResult:
    """Chosen facility ids, assignment and loads, with objective / bound / gap / optimal."""

    model: str
    chosen_sites: tuple[str, ...]
    assignment: dict[str, str]
    loads: tuple[dict[str, Any], ...]
    unserved: tuple[str, ...]
    objective: float
    bound: float | None
    gap: float | None
    optimal: bool
    solver_status: str
    time_s: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "chosen_sites": list(self.chosen_sites), "assignment": dict(self.assignment),
                "loads": [dict(d) for d in self.loads], "unserved": list(self.unserved),
                "objective": self.objective, "bound": self.bound, "gap": self.gap, "optimal": self.optimal,
                "solver_status": self.solver_status, "time_s": self.time_s, "notes": list(self.notes)}


def _solve(a: sp.csc_matrix, col_cost: np.ndarray, col_lo: np.ndarray, col_up: np.ndarray, integer: np.ndarray,
           row_lo: np.ndarray, row_up: np.ndarray, *, time_limit_s: float, start: np.ndarray | None,
           progress: ProgressFn) -> tuple[np.ndarray | None, float, str, bool]:
    import highspy

    from planner.analysis.optimise import _quiet_highs

    h = _quiet_highs()
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("random_seed", 0)
    lp = highspy.HighsLp()
    n = len(col_cost)
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = col_cost, col_lo, col_up
    lp.row_lower_, lp.row_upper_ = row_lo, row_up
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, a.shape[0]
    lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in integer]
    lp.sense_ = highspy.ObjSense.kMinimize
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start.astype(float))
        h.setSolution(sol)
    timed_out = run_highs(h, time_limit_s=time_limit_s, progress=progress)
    status = h.getModelStatus()
    info = h.getInfo()
    x = None
    if info.primal_solution_status >= 1:
        v = np.asarray(h.getSolution().col_value)
        if len(v) == n:
            x = v
    return (x, float(info.mip_dual_bound), status_text(h, timed_out),
            status == highspy.HighsModelStatus.kOptimal)


def _gap(obj: float, bound: float | None) -> float | None:
    if bound is None or not math.isfinite(bound):
        return None
    return 0.0 if abs(obj - bound) <= 1e-9 else abs(obj - bound) / max(abs(obj), 1e-9)


# ----------------------------------------------------------------- radio sites
@dataclass(frozen=True, kw_only=True)
class RadioSiteCandidate:
    id: str
    x: float
    y: float
    height_m: float = 30.0
    sector_azimuths_deg: tuple[float, ...] = (0.0, 120.0, 240.0)
    channel_mhz: float = 20.0
    freq_mhz: float = 1447.0
    antenna_gain_dbi: float = 17.0
    cost: float = 1.0
    fixed: bool = False


def select_radio_sites(camera_ids: Sequence[str], camera_xy: np.ndarray, camera_height_m: np.ndarray,
                       camera_rate_mbps: np.ndarray, sites: Sequence[RadioSiteCandidate], *,
                       planning_load: float = 0.7, spectral_efficiency_bps_hz: float = 1.0, duplex: str = "fdd",
                       tdd_config: int = 1, allocation_prbs: int = 25, environment: str = "urban",
                       time_limit_s: float = 30.0, max_pairs: int = 60_000,
                       progress: ProgressFn = no_progress) -> FacilityResult:
    """Choose radio sites so that every wireless camera is served within sector capacity (module docs).

    A lazy greedy (open the site that serves most still-unserved cameras per
    unit cost, filling its sectors up to capacity) gives a start; the MILP,
    warm-started from it, runs when the model has at most ``max_pairs``
    camera-sector pairs (larger models stay greedy and say so).
    """
    t0 = time.perf_counter()
    if not len(sites):
        raise InvalidInputError("no candidate radio site")
    if not len(camera_ids):
        raise InvalidInputError("no wireless camera to serve")
    ncam = len(camera_ids)
    sec_site, sec_az, sec_cap = [], [], []
    for j, s in enumerate(sites):
        beam = 360.0 / max(len(s.sector_azimuths_deg), 1)
        cap = radio.sector_uplink_capacity(s.channel_mhz, spectral_efficiency_bps_hz=spectral_efficiency_bps_hz,
                                           duplex=duplex, tdd_config=tdd_config,
                                           planning_load=planning_load).plannable_mbps
        for az in s.sector_azimuths_deg or (0.0,):
            sec_site.append(j)
            sec_az.append((az, max(beam, 120.0) if beam < 360 else 360.0))
            sec_cap.append(cap)
    sec_site_a = np.array(sec_site)
    sxy = np.array([(sites[j].x, sites[j].y) for j in sec_site])
    usable = np.zeros((ncam, len(sec_site)), dtype=bool)
    progress(0.0, "link budgets")
    for f in sorted({s.freq_mhz for s in sites}):
        cols = np.flatnonzero([sites[j].freq_mhz == f for j in sec_site])
        model = "hata" if 150 <= f <= 1500 else ("cost231" if f <= 2000 else "uma")
        env = environment if model != "uma" else "nlos"
        pl = netk.path_loss_matrix(camera_xy, sxy[cols], freq_mhz=f, camera_height_m=camera_height_m,
                                   sector_height_m=np.array([sites[sec_site[c]].height_m for c in cols]),
                                   model=model, environment=env)
        for c_i, c in enumerate(cols):
            budget = radio.LinkBudget(rx_antenna_gain_dbi=sites[sec_site[c]].antenna_gain_dbi)
            thr = radio.uplink_throughput(pl[:, c_i], bandwidth_hz=int(allocation_prbs) * radio.PRB_HZ, budget=budget)
            az, bw = sec_az[c]
            d = camera_xy - sxy[c]
            bearing = np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0
            wedge = np.abs((bearing - az + 180.0) % 360.0 - 180.0) <= bw / 2 + 1e-9
            usable[:, c] = wedge & (thr.throughput_mbps >= camera_rate_mbps - 1e-12)
    kk, ss = np.nonzero(usable)
    nsite, nsec, npair = len(sites), len(sec_site), len(kk)
    cost = np.array([0.0 if s.fixed else s.cost for s in sites])
    progress(0.1, "greedy")
    g_open, g_sector = _radio_greedy(usable, camera_rate_mbps, np.array(sec_cap), sec_site_a, cost,
                                     np.array([s.fixed for s in sites]))
    if npair > max_pairs:
        return _radio_result(camera_ids, sites, sec_site, sec_cap, camera_rate_mbps, usable, cost, g_open, g_sector,
                             bound=_radio_cover_bound(usable, camera_rate_mbps, np.array(sec_cap), sec_site_a, cost,
                                                      int((g_sector >= 0).sum())),
                             status=f"greedy only (model of {npair:,} camera-sector pairs exceeds "
                                                f"{max_pairs:,})", proven=False, t0=t0)
    big = float(cost.sum()) + 1.0
    # columns: y_j (nsite), w_p (npair), u_k (ncam)
    ncol = nsite + npair + ncam
    col_cost = np.concatenate([cost, np.zeros(npair), np.full(ncam, -big)])
    col_lo = np.concatenate([[1.0 if s.fixed else 0.0 for s in sites], np.zeros(npair), np.zeros(ncam)])
    col_up = np.ones(ncol)
    integer = np.concatenate([np.ones(nsite, bool), np.ones(npair, bool), np.zeros(ncam, bool)])
    rows_r: list[int | np.integer[Any]] = []
    rows_c: list[int | np.integer[Any]] = []
    vals: list[float | np.floating[Any]] = []
    r = 0
    # Σ_p w_p - u_k = 0 for each camera
    rows_r += list(kk)
    rows_c += list(nsite + np.arange(npair))
    vals += [1.0] * npair
    rows_r += list(range(ncam))
    rows_c += list(nsite + npair + np.arange(ncam))
    vals += [-1.0] * ncam
    r = ncam
    # Σ r_k w_p - C_s y_j <= 0 per sector
    rows_r += list(r + ss)
    rows_c += list(nsite + np.arange(npair))
    vals += list(camera_rate_mbps[kk])
    rows_r += list(r + np.arange(nsec))
    rows_c += list(sec_site_a)
    vals += [-c for c in sec_cap]
    r += nsec
    # w_p - y_j <= 0
    rows_r += list(r + np.arange(npair)) * 2
    rows_c += list(nsite + np.arange(npair)) + list(sec_site_a[ss])
    vals += [1.0] * npair + [-1.0] * npair
    r += npair
    a = sp.csc_matrix((vals, (rows_r, rows_c)), shape=(r, ncol))
    row_lo = np.concatenate([np.zeros(ncam), np.full(nsec + npair, -np.inf)])
    row_up = np.zeros(r)
    pair_of = {(int(k), int(s_)): p for p, (k, s_) in enumerate(zip(kk, ss, strict=True))}
    start = np.zeros(ncol)
    start[:nsite] = g_open
    for k in np.flatnonzero(g_sector >= 0):
        start[nsite + pair_of[(int(k), int(g_sector[k]))]] = 1.0
        start[nsite + npair + k] = 1.0
    x, bound, status, proven = _solve(a, col_cost, col_lo, col_up, integer, row_lo, row_up,
                                      time_limit_s=time_limit_s, start=start, progress=progress)
    if x is not None:
        g_val = float(cost[g_open].sum()) - big * float((g_sector >= 0).sum())
        if float(col_cost @ (x > 0.5)) > g_val + 1e-9 and not proven:
            x = None  # the greedy start is better: keep it
    if x is None:
        gb = bound + big * float((g_sector >= 0).sum()) if math.isfinite(bound) else None
        if gb is None:
            gb = _radio_cover_bound(usable, camera_rate_mbps, np.array(sec_cap), sec_site_a, cost,
                                    int((g_sector >= 0).sum()))
        gb = None if gb is None else min(gb, float(cost[g_open].sum()))
        return _radio_result(camera_ids, sites, sec_site, sec_cap, camera_rate_mbps, usable, cost, g_open, g_sector,
                             bound=gb, status=status, proven=False, t0=t0)
    opened = x[:nsite] > 0.5
    w = x[nsite:nsite + npair] > 0.5
    sector = np.full(ncam, -1, dtype=np.int64)
    sector[kk[w]] = ss[w]
    n_served = int((sector >= 0).sum())
    # the MILP bound includes -M per served camera; with M above every site cost, the optimum serves at least
    # as many cameras, so bound + M * served is a valid lower bound on the site cost
    site_bound = bound + big * n_served if math.isfinite(bound) else None
    objective = float(cost[opened].sum())
    if site_bound is not None:
        site_bound = min(site_bound, objective)
    return _radio_result(camera_ids, sites, sec_site, sec_cap, camera_rate_mbps, usable, cost, opened, sector,
                         bound=site_bound, status=status, proven=bool(proven), t0=t0)


def _fill(usable: np.ndarray, rate: np.ndarray, cap: np.ndarray, load: np.ndarray, sectors: np.ndarray,
          served: np.ndarray) -> list[tuple[int, int]]:
    """Cameras that the given sectors would take (unserved, usable, within capacity; small rates first)."""
    taken: list[tuple[int, int]] = []
    busy = served.copy()
    for s_ in sectors:
        idx = np.flatnonzero(usable[:, s_] & ~busy)
        if not len(idx):
            continue
        idx = idx[np.argsort(rate[idx], kind="stable")]
        fits = idx[np.cumsum(rate[idx]) <= cap[s_] - load[s_] + 1e-9]
        busy[fits] = True
        taken += [(int(k), int(s_)) for k in fits]
    return taken


def cover_bound(gain: np.ndarray, cost: np.ndarray, need: float) -> float | None:
    """Lower bound on ``min Σ cost_j y_j`` s.t. ``Σ gain_j y_j >= need``, ``y`` binary (relaxes any facility model).

    The LP relaxation of this knapsack cover, solved exactly by taking the
    sites in increasing ``cost / gain`` and the last one fractionally
    (Dantzig 1957); when every site with a cost has the same cost ``c`` the
    number of sites is an integer, so the bound rounds up to a multiple of
    ``c``. Free sites (cost 0) count first. ``None`` when the gains cannot
    reach ``need`` (the model is infeasible at that level).
    """
    gain = np.asarray(gain, dtype=float)
    cost = np.asarray(cost, dtype=float)
    rest = float(need) - float(gain[cost <= 0].sum())
    if rest <= 1e-9:
        return 0.0
    paid = np.flatnonzero((cost > 0) & (gain > 0))
    if float(gain[paid].sum()) < rest - 1e-9:
        return None
    order = paid[np.argsort(cost[paid] / gain[paid], kind="stable")]
    total = 0.0
    for j in order.tolist():
        take = min(1.0, rest / gain[j])
        total += take * cost[j]
        rest -= take * gain[j]
        if rest <= 1e-9:
            break
    c = cost[paid]
    if len(c) and np.allclose(c, c[0]):
        total = c[0] * math.ceil(total / c[0] - 1e-9)
    return total


def _radio_greedy(usable: np.ndarray, rate: np.ndarray, cap: np.ndarray, sec_site: np.ndarray, cost: np.ndarray,
                  fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import heapq

    nsite = len(cost)
    served = np.zeros(usable.shape[0], dtype=bool)
    sector = np.full(usable.shape[0], -1, dtype=np.int64)
    load = np.zeros(len(cap))
    opened = fixed.copy()
    secs = [np.flatnonzero(sec_site == j) for j in range(nsite)]

    def commit(j: int) -> None:
        for k, s_ in _fill(usable, rate, cap, load, secs[j], served):
            served[k] = True
            sector[k] = s_
            load[s_] += rate[k]

    for j_fixed in np.flatnonzero(fixed):
        commit(int(j_fixed))
    heap: list[tuple[float, int]] = [(-len(_fill(usable, rate, cap, load, secs[j], served)) / max(cost[j], 1e-9), j)
            for j in range(nsite) if not opened[j]]
    heapq.heapify(heap)
    while heap:
        _, j = heapq.heappop(heap)
        gain = len(_fill(usable, rate, cap, load, secs[j], served))
        key = gain / max(cost[j], 1e-9)
        if heap and key < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-key, j))
            continue
        if gain == 0:
            break
        opened[j] = True
        commit(j)
    return opened, sector


def _radio_cover_bound(usable: np.ndarray, rate: np.ndarray, cap: np.ndarray, sec_site: np.ndarray,
                       cost: np.ndarray, served: int) -> float | None:
    """A valid lower bound on the site cost without the MILP.

    The optimum serves at least the greedy's ``served`` cameras (serving comes
    first in the model). A site can serve at most ``n_j``: per sector, as many
    of its usable cameras as fit in its capacity taking the lowest rates first,
    summed over the sectors and capped by the site's distinct usable cameras.
    :func:`cover_bound` of those counts is then a lower bound on the cost.
    """
    nsite = len(cost)
    n = np.zeros(nsite)
    for j in range(nsite):
        secs = np.flatnonzero(sec_site == j)
        fit = 0
        for s_ in secs.tolist():
            r = np.sort(rate[usable[:, s_]])
            fit += int(np.searchsorted(np.cumsum(r), cap[s_] + 1e-9, side="right"))
        n[j] = min(fit, int(usable[:, secs].any(axis=1).sum()))
    return cover_bound(n, cost, served)


def _radio_result(camera_ids: Sequence[str], sites: Sequence[RadioSiteCandidate], sec_site: list[int],
                  sec_cap: list[float], rate: np.ndarray, usable: np.ndarray, cost: np.ndarray, opened: np.ndarray,
                  sector: np.ndarray, *, bound: float | None, status: str, proven: bool, t0: float) -> FacilityResult:
    sec_site_a = np.array(sec_site)
    assignment: dict[str, str] = {}
    load = np.zeros(len(sec_site))
    ncams = np.zeros(len(sec_site), dtype=int)
    for k in np.flatnonzero(sector >= 0).tolist():
        s_ = int(sector[k])
        assignment[camera_ids[k]] = f"{sites[sec_site[s_]].id}/{sec_site[:s_].count(sec_site[s_])}"
        load[s_] += rate[k]
        ncams[s_] += 1
    used = opened & np.array([bool(ncams[sec_site_a == j].sum()) or sites[j].fixed for j in range(len(sites))])
    loads = []
    for j in np.flatnonzero(used).tolist():
        secs = np.flatnonzero(sec_site_a == j)
        loads.append({"site": sites[j].id, "fixed": sites[j].fixed, "cameras": int(ncams[secs].sum()),
                      "sector_load_mbps": [float(load[s_]) for s_ in secs],
                      "sector_capacity_mbps": [float(sec_cap[s_]) for s_ in secs],
                      "max_utilisation": float(max(load[s_] / sec_cap[s_] for s_ in secs))})
    unserved = tuple(camera_ids[k] for k in range(len(camera_ids)) if sector[k] < 0)
    notes = []
    if unserved:
        no_link = int((~usable.any(axis=1)).sum())
        notes.append(f"{len(unserved)} camera(s) unserved ({no_link} with no usable sector in range)")
    objective = float(cost[used].sum())
    return FacilityResult(model="radio-sites", chosen_sites=tuple(sites[j].id for j in np.flatnonzero(used).tolist()),
                          assignment=assignment, loads=tuple(loads), unserved=unserved, objective=objective,
                          bound=bound, gap=_gap(objective, bound), optimal=proven, solver_status=status,
                          time_s=time.perf_counter() - t0, notes=tuple(notes))


# --------------------------------------------------------------- storage sites
@dataclass(frozen=True, kw_only=True)
class StorageSiteCandidate:
    id: str
    x: float
    y: float
    capacity_tb: float = 150.0
    cost: float = 100_000.0
    fixed: bool = False


def select_storage_sites(camera_ids: Sequence[str], camera_xy: np.ndarray, demand_tb: np.ndarray,
                         sites: Sequence[StorageSiteCandidate], *, usable_fraction: float = 0.7125,
                         cost_per_km: float = 1000.0, nearest: int = 12, time_limit_s: float = 30.0,
                         max_pairs: int = 60_000, progress: ProgressFn = no_progress) -> FacilityResult:
    """Choose storage centres and assign each camera within capacity (module docs).

    ``demand_tb`` is each camera's recorded volume over the retention target;
    ``usable_fraction`` turns raw capacity into usable space (RAID 6 of 12, 5 %
    file-system reserve, 10 % growth margin: 0.7125).
    """
    t0 = time.perf_counter()
    if not len(sites):
        raise InvalidInputError("no candidate storage site")
    if not len(camera_ids):
        raise InvalidInputError("no camera to store")
    if not 0 < usable_fraction <= 1:
        raise OutOfRangeError(f"`usable_fraction` must be in (0, 1]; got {usable_fraction}")
    from scipy.spatial import cKDTree

    ncam, nsite = len(camera_ids), len(sites)
    sxy = np.array([(s.x, s.y) for s in sites])
    k = min(max(int(nearest), 1), nsite)
    dist, idx = cKDTree(sxy).query(camera_xy, k=k)
    dist = np.asarray(dist).reshape(ncam, k)
    idx = np.asarray(idx).reshape(ncam, k)
    for f in [j for j, s in enumerate(sites) if s.fixed]:  # fixed centres are always offered
        miss = ~(idx == f).any(axis=1)
        if miss.any():
            idx = np.column_stack([idx, np.full(ncam, f)])
            dist = np.column_stack([dist, np.hypot(*(camera_xy - sxy[f]).T)])
            idx[~miss, -1] = idx[~miss, 0]
            dist[~miss, -1] = np.inf
    kk = np.repeat(np.arange(ncam), idx.shape[1])
    jj = idx.ravel()
    dd = dist.ravel()
    ok = np.isfinite(dd)
    kk, jj, dd = kk[ok], jj[ok], dd[ok]
    pairs = np.unique(np.column_stack([kk, jj]), axis=0, return_index=True)[1]
    kk, jj, dd = kk[pairs], jj[pairs], dd[pairs]
    npair = len(kk)
    cap = np.array([s.capacity_tb * usable_fraction for s in sites])
    fcost = np.array([0.0 if s.fixed else s.cost for s in sites])
    ncol = nsite + npair
    col_cost = np.concatenate([fcost, cost_per_km * dd / 1000.0])
    col_lo = np.concatenate([[1.0 if s.fixed else 0.0 for s in sites], np.zeros(npair)])
    col_up = np.ones(ncol)
    integer = np.ones(ncol, dtype=bool)
    rr: list[int | np.integer[Any]] = []
    cc: list[int | np.integer[Any]] = []
    vv: list[float | np.floating[Any]] = []
    rr += list(kk)
    cc += list(nsite + np.arange(npair))
    vv += [1.0] * npair
    r = ncam
    rr += list(r + jj)
    cc += list(nsite + np.arange(npair))
    vv += list(demand_tb[kk])
    rr += list(r + np.arange(nsite))
    cc += list(range(nsite))
    vv += list(-cap)
    r += nsite
    rr += list(r + np.arange(npair)) * 2
    cc += list(nsite + np.arange(npair)) + list(jj)
    vv += [1.0] * npair + [-1.0] * npair
    r += npair
    a = sp.csc_matrix((vv, (rr, cc)), shape=(r, ncol))
    row_lo = np.concatenate([np.ones(ncam), np.full(nsite + npair, -np.inf)])
    row_up = np.concatenate([np.ones(ncam), np.zeros(nsite + npair)])
    if float(demand_tb.sum()) > float(cap.sum()) + 1e-9:
        raise InvalidInputError(f"the cameras need {demand_tb.sum():.1f} TB usable but all candidate sites hold "
                                f"{cap.sum():.1f} TB; add candidates or capacity")
    start = _storage_greedy(ncam, nsite, kk, jj, dd, demand_tb, cap, np.array([s.fixed for s in sites]))
    if npair > max_pairs or time_limit_s <= 0:
        x, proven = start, False
        # without the MILP: the centres must hold the total demand (a knapsack cover of the site costs) and each
        # camera costs at least the backhaul to its nearest candidate; both parts are lower bounds
        sb = cover_bound(cap, fcost, float(demand_tb.sum()))
        near = np.full(ncam, np.inf)
        np.minimum.at(near, kk, cost_per_km * dd / 1000.0)
        bound = math.nan if sb is None or not np.isfinite(near).all() else sb + float(near.sum())
        status = (f"greedy only (model of {npair:,} camera-site pairs exceeds {max_pairs:,})" if npair > max_pairs
                  else "greedy only")
    else:
        x, bound, status, proven = _solve(a, col_cost, col_lo, col_up, integer, row_lo, row_up,
                                          time_limit_s=time_limit_s, start=start, progress=progress)
        if start is not None and (x is None or (not proven and col_cost @ (x > 0.5) > col_cost @ start + 1e-9)):
            x = start
    if x is None:
        return FacilityResult(model="storage-sites", chosen_sites=(), assignment={}, loads=(),
                              unserved=tuple(camera_ids), objective=math.nan, bound=None, gap=None, optimal=False,
                              solver_status=status, time_s=time.perf_counter() - t0,
                              notes=("no feasible assignment (capacity, or the nearest-candidate limit)",))
    y = x[:nsite] > 0.5
    xa = x[nsite:] > 0.5
    assignment = {camera_ids[int(kk[p])]: sites[int(jj[p])].id for p in np.flatnonzero(xa)}
    loads = []
    for j in np.flatnonzero(y).tolist():
        sel = np.flatnonzero(xa & (jj == j))
        used = float(demand_tb[kk[sel]].sum())
        loads.append({"site": sites[j].id, "fixed": sites[j].fixed, "cameras": len(sel), "usable_tb": float(cap[j]),
                      "needed_tb": used, "utilisation": used / cap[j] if cap[j] else 0.0,
                      "mean_distance_m": float(dd[sel].mean()) if len(sel) else 0.0})
    objective = float(col_cost @ (x > 0.5))
    bound_v = min(bound, objective) if math.isfinite(bound) else None
    return FacilityResult(model="storage-sites", chosen_sites=tuple(sites[j].id for j in np.flatnonzero(y).tolist()),
                          assignment=assignment, loads=tuple(loads),
                          unserved=tuple(c for c in camera_ids if c not in assignment), objective=objective,
                          bound=bound_v, gap=_gap(objective, bound_v), optimal=bool(proven), solver_status=status,
                          time_s=time.perf_counter() - t0)


def _storage_greedy(ncam: int, nsite: int, kk: np.ndarray, jj: np.ndarray, dd: np.ndarray, demand: np.ndarray,
                    cap: np.ndarray, fixed: np.ndarray) -> np.ndarray | None:
    """A feasible start: open sites by how many cameras they are nearest to, assign nearest-with-room."""
    npair = len(kk)
    order_pairs = np.lexsort((dd, kk))  # per camera, its candidate pairs nearest first
    first = np.full(ncam, -1)
    first[kk[order_pairs[::-1]]] = order_pairs[::-1]
    popularity = np.bincount(jj[first[first >= 0]], minlength=nsite)
    site_order = [j for j in np.argsort(-popularity, kind="stable") if not fixed[j]]
    opened = fixed.copy()
    need = float(demand.sum())
    k_open = 0
    while cap[opened].sum() < need - 1e-9 and k_open < len(site_order):
        opened[site_order[k_open]] = True
        k_open += 1
    cams_by_demand = np.argsort(-demand, kind="stable")
    starts = np.searchsorted(kk[order_pairs], np.arange(ncam + 1))
    while True:
        room = np.where(opened, cap, 0.0).astype(float)
        x = np.zeros(nsite + npair)
        ok = True
        for k in cams_by_demand:
            for p in order_pairs[starts[k]:starts[k + 1]]:
                j = jj[p]
                if opened[j] and room[j] >= demand[k] - 1e-12:
                    room[j] -= demand[k]
                    x[nsite + p] = 1.0
                    break
            else:
                ok = False
                break
        if ok:
            used = np.zeros(nsite, dtype=bool)
            used[jj[x[nsite:] > 0.5]] = True
            x[:nsite] = used | fixed
            return x
        if k_open >= len(site_order):
            return None
        opened[site_order[k_open]] = True
        k_open += 1


__all__ = ["FacilityResult", "RadioSiteCandidate", "StorageSiteCandidate", "select_radio_sites",
           "select_storage_sites"]
