"""Placement optimisation: which candidate sites to equip so that the most demand is seen, proven good.

A **coverage instance** is a set of demand points ``i`` with weights ``a_i``
(street samples weighted by priority, or rows of a coverage table), a set of
candidate sites ``j`` with costs ``c_j`` (one candidate per camera position and
orientation), and for every candidate the demand points it covers (sparse).
Existing cameras are *fixed* candidates: always in the solution, counted first,
never counted against the number of cameras or the budget.

Models (``N_i`` = candidates covering demand ``i``, ``y_j`` binary):

* **max-coverage** (MCLP, Church & ReVelle 1974, Papers of the Regional Science
  Association 32:101-118): ``max Σ a_i x_i`` s.t. ``x_i <= Σ_{j∈N_i} y_j``,
  ``x_i <= 1``, and ``Σ y_j <= p`` (a number of cameras) or ``Σ c_j y_j <= B``
  (a budget).
* **backup coverage** (Hogan & ReVelle 1986, Management Science 32(11)): each
  demand point counts once per camera that sees it, up to ``depth`` (2: seen
  twice is worth twice), i.e. ``max Σ a_i z_i`` with ``z_i <= Σ_{j∈N_i} y_j``,
  ``z_i <= depth``. Its objective ``Σ a_i min(depth, k_i)`` is monotone
  submodular like MCLP's.
* **min-cameras / min-cost** (LSCP, Toregas et al. 1971, Operations Research
  19(6), and its partial-cover variant): ``min Σ c_j y_j`` (``c_j = 1`` for the
  number of cameras) s.t. ``Σ a_i x_i >= S · Σ a_i`` for a target share ``S``;
  ``S = 1`` is full coverage (``Σ_{j∈N_i} y_j >= 1`` for every point).

Solution path:

1. **Presolve**: demand covered by no candidate is dropped (it is still in the
   total), demand already covered by the fixed cameras lowers its cap, demand
   points with identical covering sets (and cap) are merged into one with the
   summed weight, and for single coverage a candidate whose covered set is
   contained in another's at no lower cost is dropped (dominated). Candidates
   that cover nothing are dropped.
2. **Lazy greedy** (Minoux 1978's accelerated greedy: a priority queue of stale
   gains, re-evaluated on pop). For a number of cameras it is within
   ``1 - 1/e`` of the optimum (Nemhauser, Wolsey & Fisher 1978); for a budget
   the better of the cost-ratio greedy and the best single affordable site
   (Khuller, Moss & Naor 1999).
3. **MILP** with HiGHS (``highspy``), warm-started from the greedy solution,
   under a time limit, with the relative gap tolerance set to 0.

Always reported: the objective of the returned solution (recomputed from the
coverage sets, not taken from the solver), the best bound (the MILP dual bound;
without a MILP run the submodular online bound ``f(S) + Σ top-p marginal gains``
for max-coverage, Minoux 1978), the gap and whether the solution is proven
optimal. ``optimal`` is true only when HiGHS proved it (status *optimal* at a
zero gap tolerance); a time limit, an interrupt or greedy alone never claim it.
"""

from __future__ import annotations

import heapq
import math
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from planner.analysis.progress import ProgressFn, no_progress, sub_progress
from planner.errors import InvalidInputError, OutOfRangeError

MODELS = ("max-coverage", "backup-coverage", "min-cameras", "min-cost")
_EPS = 1e-9


# ------------------------------------------------------------------ instance
@dataclass(frozen=True, eq=False)
class CoverageInstance:
    """Demand points, candidate sites and who covers what (immutable).

    ``indptr``/``indices`` hold, CSR style, the demand indices each candidate
    covers: candidate ``j`` covers ``indices[indptr[j]:indptr[j+1]]``.
    ``fixed`` marks existing cameras (always chosen, free). ``group`` (or -1)
    ties candidates sharing one physical site (orientations of one pole);
    ``max_per_group`` then caps the cameras per site.
    """

    site_ids: tuple[str, ...]
    site_cost: np.ndarray
    demand_ids: tuple[str, ...]
    demand_weight: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    fixed: np.ndarray
    group: np.ndarray | None = None
    max_per_group: int | None = None

    def __post_init__(self) -> None:
        n, m = len(self.site_ids), len(self.demand_ids)
        if n == 0:
            raise InvalidInputError("the coverage instance has no candidate site")
        if m == 0:
            raise InvalidInputError("the coverage instance has no demand point")
        if len(set(self.site_ids)) != n:
            raise InvalidInputError("candidate site ids are not unique")
        if len(set(self.demand_ids)) != m:
            raise InvalidInputError("demand ids are not unique")
        w = np.asarray(self.demand_weight, dtype=float)
        c = np.asarray(self.site_cost, dtype=float)
        if w.shape != (m,) or c.shape != (n,):
            raise InvalidInputError("demand weights / site costs do not match the ids")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise InvalidInputError(f"demand weights must be finite and >= 0; got {float(w.min()):g}")
        if not np.all(np.isfinite(c)) or (c < 0).any():
            raise InvalidInputError(f"site costs must be finite and >= 0; got {float(c.min()):g}")
        ip = np.asarray(self.indptr, dtype=np.int64)
        ix = np.asarray(self.indices, dtype=np.int64)
        if ip.shape != (n + 1,) or ip[0] != 0 or ip[-1] != len(ix) or (np.diff(ip) < 0).any():
            raise InvalidInputError("malformed coverage sets (indptr)")
        if len(ix) and (ix.min() < 0 or ix.max() >= m):
            raise InvalidInputError("coverage sets refer to unknown demand points")
        fx = np.asarray(self.fixed, dtype=bool)
        if fx.shape != (n,):
            raise InvalidInputError("`fixed` does not match the candidate sites")
        object.__setattr__(self, "demand_weight", w)
        object.__setattr__(self, "site_cost", c)
        object.__setattr__(self, "indptr", ip)
        object.__setattr__(self, "indices", ix)
        object.__setattr__(self, "fixed", fx)
        if self.group is not None:
            g = np.asarray(self.group, dtype=np.int64)
            if g.shape != (n,):
                raise InvalidInputError("`group` does not match the candidate sites")
            object.__setattr__(self, "group", g)
        if self.max_per_group is not None and self.max_per_group < 1:
            raise OutOfRangeError(f"`max_per_group` must be >= 1; got {self.max_per_group}")

    @classmethod
    def from_pairs(cls, site_ids: Sequence[str], demand_ids: Sequence[str], pair_site: ArrayLike,
                   pair_demand: ArrayLike, *, demand_weight: ArrayLike | None = None,
                   site_cost: ArrayLike | None = None, fixed: ArrayLike | None = None,
                   group: ArrayLike | None = None, max_per_group: int | None = None) -> CoverageInstance:
        """Build from (site index, demand index) pairs; duplicate pairs count once."""
        n, m = len(site_ids), len(demand_ids)
        ps = np.asarray(pair_site, dtype=np.int64)
        pd_ = np.asarray(pair_demand, dtype=np.int64)
        if ps.shape != pd_.shape:
            raise InvalidInputError("pair arrays differ in length")
        if len(ps) and (ps.min() < 0 or ps.max() >= max(n, 1) or pd_.min() < 0 or pd_.max() >= max(m, 1)):
            raise InvalidInputError("coverage pairs refer to unknown sites or demand points")
        mat = sp.csr_matrix((np.ones(len(ps), dtype=np.int8), (ps, pd_)), shape=(n, m))
        mat.sum_duplicates()
        mat.sort_indices()
        return cls(site_ids=tuple(map(str, site_ids)),
                   site_cost=np.ones(n) if site_cost is None else np.asarray(site_cost, dtype=float),
                   demand_ids=tuple(map(str, demand_ids)),
                   demand_weight=np.ones(m) if demand_weight is None else np.asarray(demand_weight, dtype=float),
                   indptr=mat.indptr.astype(np.int64), indices=mat.indices.astype(np.int64),
                   fixed=np.zeros(n, bool) if fixed is None else np.asarray(fixed, dtype=bool),
                   group=None if group is None else np.asarray(group, dtype=np.int64), max_per_group=max_per_group)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_demand(self) -> int:
        return len(self.demand_ids)

    def matrix(self) -> sp.csr_matrix:
        """Sites × demand 0/1 matrix."""
        return sp.csr_matrix((np.ones(len(self.indices), dtype=np.int32), self.indices, self.indptr),
                             shape=(self.n_sites, self.n_demand))

    def counts(self, chosen: np.ndarray) -> np.ndarray:
        """Cameras seeing each demand point when the sites ``chosen`` (bool mask) are equipped."""
        sel = np.flatnonzero(np.asarray(chosen, dtype=bool))
        out = np.zeros(self.n_demand, dtype=np.int64)
        if len(sel):
            idx = np.concatenate([self.indices[self.indptr[j]:self.indptr[j + 1]] for j in sel])
            out += np.bincount(idx, minlength=self.n_demand)
        return out

    def covered_weight(self, chosen: np.ndarray, *, depth: int = 1) -> float:
        """``Σ a_i min(depth, k_i)``: the coverage objective of a selection."""
        return float(self.demand_weight @ np.minimum(self.counts(chosen), depth))


# ------------------------------------------------------------------- presolve
@dataclass(frozen=True)
class _Reduced:
    """The instance after presolve: free candidates × merged demand with caps."""

    cand: np.ndarray           # original site index of each free candidate kept
    weight: np.ndarray         # merged demand weight
    cap: np.ndarray            # coverage still worth having per merged point (depth - fixed count)
    mat: sp.csr_matrix         # candidates × merged demand, 0/1
    offset: float              # objective already secured by the fixed cameras
    stats: dict[str, int]


def _presolve(inst: CoverageInstance, depth: int, *, dominance: bool) -> _Reduced:
    fixed_counts = inst.counts(inst.fixed)
    w = inst.demand_weight
    offset = float(w @ np.minimum(fixed_counts, depth))
    cap = np.maximum(depth - fixed_counts, 0)
    free = np.flatnonzero(~inst.fixed)
    full = inst.matrix()[free]
    live = (cap > 0) & (w > 0)
    cols = np.flatnonzero(live)
    sub = full[:, cols].tocsc()
    covered = np.diff(sub.indptr) > 0
    cols = cols[covered]
    sub = sub[:, covered]
    # merge demand points with identical covering sets and caps
    keys: dict[bytes, int] = {}
    group_of = np.empty(len(cols), dtype=np.int64)
    ind, ptr = sub.indices, sub.indptr
    for k in range(len(cols)):
        key = int(cap[cols[k]]).to_bytes(4, "little") + ind[ptr[k]:ptr[k + 1]].astype(np.int32).tobytes()
        group_of[k] = keys.setdefault(key, len(keys))
    n_merged = len(keys)
    agg = sp.csr_matrix((np.ones(len(cols)), (np.arange(len(cols)), group_of)), shape=(len(cols), n_merged))
    mweight = np.asarray(agg.T @ w[cols]).ravel()
    mcap = np.zeros(n_merged, dtype=np.int64)
    mcap[group_of] = cap[cols]
    first = np.full(n_merged, -1, dtype=np.int64)
    first[group_of[::-1]] = np.arange(len(cols))[::-1]
    mat = sub[:, first].tocsr()
    mat.data[:] = 1
    sizes = np.diff(mat.indptr)
    keep = sizes > 0
    n_dominated = 0
    if dominance and keep.sum() > 1:
        cost = inst.site_cost[free]
        overlap = (mat @ mat.T).tocoo()
        r, c, v = overlap.row, overlap.col, overlap.data
        sel = (r != c) & (v == sizes[r]) & keep[r] & keep[c]
        if inst.group is not None and inst.max_per_group is not None:
            g = inst.group[free]
            sel &= g[r] == g[c]
        r, c = r[sel], c[sel]
        better = (cost[c] < cost[r] - _EPS) | ((np.abs(cost[c] - cost[r]) <= _EPS) & ((sizes[c] > sizes[r]) | (c < r)))
        dom = np.zeros(len(free), dtype=bool)
        dom[r[better]] = True
        n_dominated = int((dom & keep).sum())
        keep &= ~dom
    kept = np.flatnonzero(keep)
    stats = {"demand_points": inst.n_demand, "demand_uncoverable_or_secured": int(inst.n_demand - len(cols)),
             "demand_merged": n_merged, "candidates": len(free), "fixed": int(inst.fixed.sum()),
             "candidates_dominated": n_dominated, "candidates_empty": int((sizes == 0).sum()),
             "candidates_kept": len(kept)}
    return _Reduced(cand=free[kept], weight=mweight, cap=mcap, mat=mat[kept], offset=offset, stats=stats)


# --------------------------------------------------------------------- greedy
def _gain(red: _Reduced, j: int, count: np.ndarray) -> float:
    lo, hi = red.mat.indptr[j], red.mat.indptr[j + 1]
    idx = red.mat.indices[lo:hi]
    return float(red.weight[idx][count[idx] < red.cap[idx]].sum())


def _greedy(red: _Reduced, *, p: int | None, budget: float | None, need: float | None, cost: np.ndarray,
            group: np.ndarray | None, max_per_group: int | None, progress: ProgressFn) -> np.ndarray:
    """Lazy greedy on the reduced instance; returns a bool mask over its candidates.

    ``p``: at most p picks by gain; ``budget``: cost-ratio picks within the
    budget; ``need``: ratio picks until the covered weight reaches ``need``.
    """
    n = red.mat.shape[0]
    count = np.zeros(red.mat.shape[1], dtype=np.int64)
    chosen = np.zeros(n, dtype=bool)
    ratio = p is None
    heap: list[tuple[float, int]] = []
    for j in range(n):
        g = _gain(red, j, count)
        key = g / max(cost[j], _EPS) if ratio else g
        heap.append((-key, j))
    heapq.heapify(heap)
    spent = 0.0
    got = 0.0
    used: dict[int, int] = {}
    picks = 0
    total = p if p is not None else max(n, 1)
    while heap:
        if p is not None and picks >= p:
            break
        if need is not None and got >= need - _EPS:
            break
        _, j = heapq.heappop(heap)
        if group is not None and max_per_group is not None and used.get(int(group[j]), 0) >= max_per_group:
            continue
        if budget is not None and spent + cost[j] > budget + _EPS:
            continue
        g = _gain(red, j, count)
        key = g / max(cost[j], _EPS) if ratio else g
        if heap and key < -heap[0][0] - _EPS:
            heapq.heappush(heap, (-key, j))  # stale: put back with its fresh gain
            continue
        if g <= _EPS:
            break
        chosen[j] = True
        lo, hi = red.mat.indptr[j], red.mat.indptr[j + 1]
        count[red.mat.indices[lo:hi]] += 1
        spent += cost[j]
        got += g
        picks += 1
        if group is not None:
            used[int(group[j])] = used.get(int(group[j]), 0) + 1
        if picks % 16 == 0:
            progress(min(picks / total, 1.0), f"greedy: {picks} sites")
    if budget is not None:  # Khuller et al.: compare with the best single affordable site
        best_j, best_g = -1, got
        for j in range(n):
            if cost[j] <= budget + _EPS:
                g = float(red.weight[red.mat.indices[red.mat.indptr[j]:red.mat.indptr[j + 1]]].sum())
                if g > best_g + _EPS:
                    best_j, best_g = j, g
        if best_j >= 0:
            chosen[:] = False
            chosen[best_j] = True
    return chosen


def _reduced_value(red: _Reduced, chosen: np.ndarray) -> tuple[float, np.ndarray]:
    sel = np.flatnonzero(chosen)
    count = np.asarray(red.mat[sel].sum(axis=0)).ravel() if len(sel) else np.zeros(red.mat.shape[1])
    return float(red.weight @ np.minimum(count, red.cap)), count


def _online_bound(red: _Reduced, chosen: np.ndarray, p: int) -> float:
    """Upper bound ``f(S) + Σ_{top p} Δ_j(S)`` for max-coverage with p picks (submodularity)."""
    value, count = _reduced_value(red, chosen)
    rem = np.where(count < red.cap, red.weight, 0.0)
    gains = np.asarray(red.mat @ rem).ravel()
    gains[chosen] = 0.0
    top = np.sort(gains)[::-1][:p]
    return value + float(top.sum())


# ----------------------------------------------------------------------- MILP
_BANNER_LOCK = threading.Lock()


def _quiet_highs() -> Any:
    """A silent ``highspy.Highs`` (its constructor prints a banner on the C stdout; keep --json clean)."""
    import highspy

    with _BANNER_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy ships no annotations for Highs()
                h.silent()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    return h


@dataclass(frozen=True)
class _MilpOut:
    chosen: np.ndarray | None
    bound: float
    status: str
    proven: bool
    time_s: float


def _milp(red: _Reduced, *, sense: str, p: int | None, budget: float | None, need: float | None,
          full: bool, cost: np.ndarray, group: np.ndarray | None, max_per_group: int | None,
          start: np.ndarray | None, time_limit_s: float, progress: ProgressFn, threads: int | None) -> _MilpOut:
    import highspy

    n, m = red.mat.shape
    t0 = time.perf_counter()
    h = _quiet_highs()
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.setOptionValue("random_seed", 0)
    if threads:
        h.setOptionValue("threads", int(threads))
    inf = highspy.kHighsInf
    # columns: y_0..y_{n-1} (binary), z_0..z_{m-1} (continuous, [0, cap])
    if sense == "max":
        col_cost = np.concatenate([np.zeros(n), red.weight])
    else:
        col_cost = np.concatenate([cost, np.zeros(m)])
    zlo = red.cap.astype(float) if full else np.zeros(m)
    col_lower = np.concatenate([np.zeros(n), zlo])
    col_upper = np.concatenate([np.ones(n), red.cap.astype(float)])
    # rows: z_i - Σ_{j∈N_i} y_j <= 0, then budget / count / target / group rows
    cover_t = red.mat.T.tocsr().astype(float)
    rows = [sp.hstack([-cover_t, sp.identity(m, format="csr")], format="csr")]
    lo = [np.full(m, -inf)]
    up = [np.zeros(m)]
    if p is not None:
        rows.append(sp.csr_matrix(np.concatenate([np.ones(n), np.zeros(m)])[None, :]))
        lo.append(np.array([-inf]))
        up.append(np.array([float(p)]))
    if budget is not None:
        rows.append(sp.csr_matrix(np.concatenate([cost, np.zeros(m)])[None, :]))
        lo.append(np.array([-inf]))
        up.append(np.array([float(budget)]))
    if need is not None and not full:
        rows.append(sp.csr_matrix(np.concatenate([np.zeros(n), red.weight])[None, :]))
        lo.append(np.array([float(need)]))
        up.append(np.array([inf]))
    if group is not None and max_per_group is not None:
        ug, gi = np.unique(group, return_inverse=True)
        gm = sp.csr_matrix((np.ones(n), (gi, np.arange(n))), shape=(len(ug), n + m))
        multi = np.bincount(gi) > max_per_group
        if multi.any():
            rows.append(gm[np.flatnonzero(multi)])
            lo.append(np.full(int(multi.sum()), -inf))
            up.append(np.full(int(multi.sum()), float(max_per_group)))
    a = sp.vstack(rows, format="csc")
    lp = highspy.HighsLp()
    lp.num_col_ = n + m
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = col_cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = np.concatenate(lo)
    lp.row_upper_ = np.concatenate(up)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_ = n + m
    lp.a_matrix_.num_row_ = a.shape[0]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * m
    lp.sense_ = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        _, count = _reduced_value(red, start)
        z = np.minimum(count, red.cap).astype(float)
        sol.col_value = list(np.concatenate([start.astype(float), z]))
        h.setSolution(sol)
    timed_out = run_highs(h, time_limit_s=time_limit_s, progress=progress)
    status = h.getModelStatus()
    name = status_text(h, timed_out)
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    chosen = None
    if info.primal_solution_status >= 1 or status == highspy.HighsModelStatus.kOptimal:
        vals = np.asarray(h.getSolution().col_value)
        if len(vals) == n + m:
            chosen = vals[:n] > 0.5
    proven = status == highspy.HighsModelStatus.kOptimal and chosen is not None
    if status == highspy.HighsModelStatus.kInfeasible:
        name = "infeasible"
    return _MilpOut(chosen=chosen, bound=bound, status=name, proven=proven, time_s=time.perf_counter() - t0)


def status_text(h: Any, timed_out: bool) -> str:
    """HiGHS's model status in words; our own stop at the time limit reads as such, not as "Interrupted by user"."""
    name = str(h.modelStatusToString(h.getModelStatus()))
    if timed_out and name.lower().startswith("interrupted"):
        return "Time limit reached"
    return name


def run_highs(h: Any, *, time_limit_s: float, progress: ProgressFn) -> bool:
    """Run the HiGHS model ``h`` with progress, cancel and a wall-clock limit (every MILP here goes through it).

    HiGHS calls no callback inside the LP relaxation of a MIP node (the root LP of a large model can run for
    minutes past the limit): the solver runs on its own thread while this one keeps reporting progress and
    watching for cancel. A cancel or the time limit sets the stop flag; the solver stops at its next
    callback (simplex, IPM or MIP, whichever comes first) and is always joined (a C++ solver thread left
    running at exit would abort the process). Returns whether the time limit stopped it.
    """
    stop = threading.Event()
    timed_out = threading.Event()
    t_run = time.perf_counter()

    def _tick(e: Any) -> None:
        if stop.is_set():
            e.interrupt()
        elif time.perf_counter() - t_run > time_limit_s:
            timed_out.set()
            e.interrupt()

    h.cbMipInterrupt.subscribe(_tick)
    h.cbSimplexInterrupt.subscribe(_tick)
    h.cbIpmInterrupt.subscribe(_tick)
    finished = threading.Event()

    def _solve() -> None:
        try:
            h.run()
        finally:
            finished.set()

    solver = threading.Thread(target=_solve, name="planner-highs", daemon=True)
    solver.start()
    try:
        while not finished.wait(0.1):
            now = time.perf_counter() - t_run
            progress(min(now / max(time_limit_s, 1e-3), 1.0),
                     "MILP" if now <= time_limit_s else "MILP: time limit reached, stopping the solver")
    except BaseException:  # cancelled (AnalysisCancelled, Ctrl-C): stop the solver, wait for it, re-raise
        stop.set()
        solver.join()
        raise
    solver.join()
    return timed_out.is_set()


# --------------------------------------------------------------------- result
@dataclass(frozen=True)
class OptimiseResult:
    """What :func:`optimise` returns (all JSON-able through :meth:`to_dict`).

    ``objective`` is the covered demand weight (max-coverage, counting each
    point once; backup-coverage: ``Σ a_i min(depth, k_i)``) or the number /
    cost of the new cameras (min-cameras / min-cost). ``bound`` is the best
    proven bound on it (upper for maximisation, lower for minimisation) and
    ``gap = |bound - objective| / max(|objective|, 1e-9)``. ``optimal`` is
    true only when HiGHS proved the solution optimal.
    """

    model: str
    chosen_sites: tuple[str, ...]
    fixed_sites: tuple[str, ...]
    objective: float
    bound: float | None
    gap: float | None
    optimal: bool
    method: str
    solver_status: str
    greedy_objective: float
    total_weight: float
    coverage_before: float
    coverage_after: float
    backup_before: float
    backup_after: float
    cameras: int
    cost: float
    time_s: float
    presolve: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "chosen_sites": list(self.chosen_sites), "fixed_sites": len(self.fixed_sites),
            "objective": self.objective, "bound": self.bound, "gap": self.gap, "optimal": self.optimal,
            "method": self.method, "solver_status": self.solver_status, "greedy_objective": self.greedy_objective,
            "total_weight": self.total_weight, "coverage_before": self.coverage_before,
            "coverage_after": self.coverage_after, "backup_before": self.backup_before,
            "backup_after": self.backup_after, "cameras": self.cameras, "cost": self.cost, "time_s": self.time_s,
            "presolve": dict(self.presolve), "notes": list(self.notes),
        }


def _gap(objective: float, bound: float | None) -> float | None:
    if bound is None or not math.isfinite(bound):
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9) if abs(bound - objective) > 1e-9 else 0.0


def optimise(inst: CoverageInstance, *, model: str = "max-coverage", cameras: int | None = None,
             budget: float | None = None, target_share: float | None = None, depth: int = 2,
             time_limit_s: float = 10.0, use_milp: bool = True, presolve: bool = True,
             threads: int | None = None, progress: ProgressFn = no_progress) -> OptimiseResult:
    """Choose candidate sites (see the module docs for models and guarantees).

    Parameters
    ----------
    inst
        The coverage instance.
    model
        ``max-coverage`` (needs ``cameras`` or ``budget``), ``backup-coverage``
        (same, demand counted up to ``depth`` times), ``min-cameras`` or
        ``min-cost`` (need ``target_share`` in (0, 1]).
    time_limit_s
        Wall-clock limit for the whole run; the MILP gets what the greedy left.
    use_milp
        False: greedy only (never proven optimal).
    presolve
        False: skip demand merging and dominance (for tests and benchmarks).
    progress
        Progress callback; raising :class:`planner.errors.AnalysisCancelled` stops the run.
    """
    t0 = time.perf_counter()
    if model not in MODELS:
        raise InvalidInputError(f"`model` must be one of {', '.join(MODELS)}; got {model!r}")
    if not (time_limit_s >= 0 and math.isfinite(time_limit_s)):
        raise OutOfRangeError(f"`time_limit_s` must be >= 0; got {time_limit_s}")
    maximise = model in ("max-coverage", "backup-coverage")
    dep = depth if model == "backup-coverage" else 1
    if model == "backup-coverage" and dep < 2:
        raise OutOfRangeError(f"`depth` must be >= 2 for backup coverage; got {depth}")
    n_free = int((~inst.fixed).sum())
    if maximise:
        if (cameras is None) == (budget is None):
            raise InvalidInputError(f"{model} needs exactly one of `cameras` and `budget`")
        if cameras is not None:
            if cameras < 1:
                raise OutOfRangeError(f"`cameras` must be >= 1; got {cameras}")
            if cameras > n_free:
                raise OutOfRangeError(f"`cameras` ({cameras}) is larger than the number of candidate sites "
                                      f"({n_free})")
        if budget is not None and not (budget > 0 and math.isfinite(budget)):
            raise OutOfRangeError(f"`budget` must be > 0; got {budget}")
    else:
        if target_share is None or not 0 < target_share <= 1:
            raise OutOfRangeError(f"`target_share` must be in (0, 1]; got {target_share}")
    cost_all = inst.site_cost if model != "min-cameras" else np.ones(inst.n_sites)
    progress(0.0, "presolve")
    red = _presolve(inst, dep, dominance=dep == 1) if presolve else _presolve_plain(inst, dep)
    cost = cost_all[red.cand]
    total_weight = float(inst.demand_weight.sum())
    before = inst.covered_weight(inst.fixed, depth=1)
    before2 = float(inst.demand_weight @ (inst.counts(inst.fixed) >= 2))
    notes: list[str] = []
    need = None
    full = False
    if not maximise:
        assert target_share is not None  # checked above for the models that do not maximise
        target = target_share * total_weight
        need = max(target - before, 0.0)
        coverable = before + float(red.weight.sum())
        if target > coverable + 1e-9 * max(total_weight, 1):
            raise InvalidInputError(f"`target_share` {target_share:g} cannot be reached: the candidates cover at "
                                    f"most {100 * coverable / total_weight:.2f} % of the demand weight")
        full = target_share >= 1.0 - 1e-12
    greedy_prog = sub_progress(progress, 0.02, 0.2)
    if need is not None and need <= _EPS:
        start = np.zeros(red.mat.shape[0], dtype=bool)
    else:
        start = _greedy(red, p=cameras if maximise else None, budget=budget if maximise else None,
                        need=need, cost=cost, group=None if inst.group is None else inst.group[red.cand],
                        max_per_group=inst.max_per_group, progress=greedy_prog)
    g_val, _ = _reduced_value(red, start)
    greedy_obj = red.offset + g_val if maximise else float(cost[start].sum())
    chosen = start
    bound: float | None = None
    optimal = False
    status = "greedy only"
    method = "greedy"
    if maximise and cameras is not None:
        bound = red.offset + _online_bound(red, start, cameras)
    elif not maximise and need is not None and need > _EPS:
        bound = _cost_lower_bound(red, cost, need)
        if model == "min-cameras":
            bound = float(math.ceil(bound - 1e-9))
    elif not maximise:
        bound = 0.0
    remaining = time_limit_s - (time.perf_counter() - t0)
    trivially = red.mat.shape[0] == 0 or (not maximise and (need is None or need <= _EPS))
    if trivially:
        bound = greedy_obj
        status = "trivial (nothing left to decide)"
        optimal = True
        method = "presolve"
    elif use_milp and remaining > 0:
        out = _milp(red, sense="max" if maximise else "min", p=cameras if maximise else None,
                    budget=budget if maximise else None, need=need, full=full, cost=cost,
                    group=None if inst.group is None else inst.group[red.cand], max_per_group=inst.max_per_group,
                    start=start, time_limit_s=remaining, progress=sub_progress(progress, 0.2, 0.98),
                    threads=threads)
        status = out.status
        method = "greedy+milp"
        if out.chosen is not None:
            mv, _ = _reduced_value(red, out.chosen)
            m_obj = red.offset + mv if maximise else float(cost[out.chosen].sum())
            feasible = _feasible(red, out.chosen, cameras=cameras if maximise else None,
                                 budget=budget if maximise else None, need=need, cost=cost,
                                 group=None if inst.group is None else inst.group[red.cand],
                                 max_per_group=inst.max_per_group)
            better = (m_obj > greedy_obj + 1e-9) if maximise else (m_obj < greedy_obj - 1e-9)
            if feasible and (better or out.proven):
                chosen = out.chosen
        if math.isfinite(out.bound):
            mb = red.offset + out.bound if maximise else out.bound
            if bound is None:
                bound = mb
            else:
                bound = min(bound, mb) if maximise else max(bound, mb)
        if out.proven:
            v, _ = _reduced_value(red, chosen)
            obj_now = red.offset + v if maximise else float(cost[chosen].sum())
            optimal = bound is not None and abs(bound - obj_now) <= 1e-6 * max(1.0, abs(obj_now))
            if optimal:
                bound = obj_now
    elif use_milp:
        notes.append("time limit reached before the MILP: greedy solution")
    val, _ = _reduced_value(red, chosen)
    objective = red.offset + val if maximise else float(cost[chosen].sum())
    if bound is not None:  # never report a bound on the wrong side of the objective
        bound = max(bound, objective) if maximise else min(bound, objective)
    full_mask = inst.fixed.copy()
    full_mask[red.cand[chosen]] = True
    counts = inst.counts(full_mask)
    after = float(inst.demand_weight @ (counts >= 1))
    after2 = float(inst.demand_weight @ (counts >= 2))
    picked = red.cand[chosen]
    progress(1.0, "done")
    tw = total_weight if total_weight > 0 else 1.0
    return OptimiseResult(
        model=model, chosen_sites=tuple(inst.site_ids[j] for j in picked),
        fixed_sites=tuple(inst.site_ids[j] for j in np.flatnonzero(inst.fixed)), objective=objective,
        bound=bound, gap=_gap(objective, bound), optimal=bool(optimal), method=method, solver_status=status,
        greedy_objective=greedy_obj, total_weight=total_weight, coverage_before=before / tw,
        coverage_after=after / tw, backup_before=before2 / tw, backup_after=after2 / tw, cameras=len(picked),
        cost=float(inst.site_cost[picked].sum()), time_s=time.perf_counter() - t0, presolve=red.stats,
        notes=tuple(notes))


def _presolve_plain(inst: CoverageInstance, depth: int) -> _Reduced:
    fixed_counts = inst.counts(inst.fixed)
    w = inst.demand_weight
    cap = np.maximum(depth - fixed_counts, 0)
    free = np.flatnonzero(~inst.fixed)
    mat = inst.matrix()[free].tocsr()
    live = np.flatnonzero((cap > 0) & (w > 0))
    mat = mat[:, live].tocsr()
    return _Reduced(cand=free, weight=w[live], cap=cap[live], mat=mat, offset=float(w @ np.minimum(fixed_counts, depth)),
                    stats={"demand_points": inst.n_demand, "demand_merged": len(live), "candidates": len(free),
                           "fixed": int(inst.fixed.sum()), "candidates_dominated": 0, "candidates_empty": 0,
                           "candidates_kept": len(free), "demand_uncoverable_or_secured": inst.n_demand - len(live)})


def _feasible(red: _Reduced, chosen: np.ndarray, *, cameras: int | None, budget: float | None, need: float | None,
              cost: np.ndarray, group: np.ndarray | None, max_per_group: int | None) -> bool:
    if cameras is not None and chosen.sum() > cameras:
        return False
    if budget is not None and cost[chosen].sum() > budget + 1e-6:
        return False
    if need is not None:
        v, _ = _reduced_value(red, chosen)
        if v < need - 1e-6 * max(1.0, need):
            return False
    return not (group is not None and max_per_group is not None and chosen.any()
                and np.bincount(group[chosen] - group.min()).max() > max_per_group)


def _cost_lower_bound(red: _Reduced, cost: np.ndarray, need: float) -> float:
    """Lower bound on the cost to cover ``need``: a fractional knapsack on single-site gains (subadditivity)."""
    gains = np.asarray(red.mat @ red.weight).ravel()
    ratio = np.where(cost > 0, gains / np.maximum(cost, _EPS), np.inf)
    order = np.argsort(-ratio, kind="stable")
    got = 0.0
    spent = 0.0
    for j in order:
        if got >= need - _EPS:
            break
        if gains[j] <= 0:
            break
        take = min(1.0, (need - got) / gains[j])
        got += take * gains[j]
        spent += take * cost[j]
    return spent


__all__ = ["MODELS", "CoverageInstance", "OptimiseResult", "optimise"]
