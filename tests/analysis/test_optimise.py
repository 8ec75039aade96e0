"""Placement optimiser: hand-solved instances, brute force, LP bounds, the greedy guarantee, proofs only when proven."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from planner.analysis.optimise import CoverageInstance, optimise
from planner.errors import AnalysisCancelled, InvalidInputError, OutOfRangeError


def _inst(cover: dict[str, list[str]], weights: dict[str, float], costs: dict[str, float] | None = None,
          fixed: tuple[str, ...] = ()) -> CoverageInstance:
    sites = list(cover)
    dem = list(weights)
    ps, pd_ = [], []
    for j, s in enumerate(sites):
        for d in cover[s]:
            ps.append(j)
            pd_.append(dem.index(d))
    return CoverageInstance.from_pairs(sites, dem, ps, pd_, demand_weight=[weights[d] for d in dem],
                                       site_cost=None if costs is None else [costs[s] for s in sites],
                                       fixed=[s in fixed for s in sites])


# The classic trap for greedy: the big site first, then only one side (Nemhauser et al. 1978 style).
TRAP_COVER = {"big": ["a", "b", "c", "d"], "left": ["a", "b", "e"], "right": ["c", "d", "f"]}
TRAP_W = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.5, "f": 1.5}


def test_hand_solved_trap_greedy_vs_optimum() -> None:
    inst = _inst(TRAP_COVER, TRAP_W)
    # by hand: greedy takes big (4.0) then left or right (+1.5) = 5.5; the optimum left+right = 3.5 + 3.5 = 7.0
    g = optimise(inst, cameras=2, use_milp=False)
    assert g.greedy_objective == pytest.approx(5.5)
    assert g.objective == pytest.approx(5.5) and not g.optimal
    r = optimise(inst, cameras=2, time_limit_s=10)
    assert set(r.chosen_sites) == {"left", "right"}
    assert r.objective == pytest.approx(7.0)
    assert r.optimal and r.bound == pytest.approx(7.0) and r.gap == 0.0
    assert r.coverage_before == 0.0 and r.coverage_after == pytest.approx(1.0)


def test_backup_coverage_hand_solved() -> None:
    # a (w 3) seen by s1 and s2, b (w 1) by s1, c (w 2) by s3; depth 2, two cameras:
    # {s1,s2}: 3*2 + 1 = 7; {s1,s3}: 3 + 1 + 2 = 6; {s2,s3}: 3 + 2 = 5  -> {s1,s2}
    inst = _inst({"s1": ["a", "b"], "s2": ["a"], "s3": ["c"]}, {"a": 3.0, "b": 1.0, "c": 2.0})
    r = optimise(inst, model="backup-coverage", cameras=2, depth=2)
    assert set(r.chosen_sites) == {"s1", "s2"} and r.objective == pytest.approx(7.0) and r.optimal
    assert r.backup_after == pytest.approx(3 / 6) and r.coverage_after == pytest.approx(4 / 6)


def test_fixed_cameras_are_counted_first_and_free() -> None:
    inst = _inst(TRAP_COVER, TRAP_W, fixed=("big",))
    r = optimise(inst, cameras=1)
    # big is there already (4.0 of 7.0); one more camera adds e or f (1.5): 5.5
    assert r.coverage_before == pytest.approx(4 / 7)
    assert r.objective == pytest.approx(5.5) and r.optimal and r.cameras == 1
    assert r.chosen_sites[0] in ("left", "right") and r.fixed_sites == ("big",)


def test_budget_with_costs() -> None:
    # costs: big 2, left 1, right 1; budget 2 -> left+right (7.0) beats big (4.0)
    inst = _inst(TRAP_COVER, TRAP_W, costs={"big": 2.0, "left": 1.0, "right": 1.0})
    r = optimise(inst, budget=2.0)
    assert set(r.chosen_sites) == {"left", "right"} and r.cost == pytest.approx(2.0) and r.optimal
    # budget 1.9: only one of left/right (3.5)
    r = optimise(inst, budget=1.9)
    assert r.objective == pytest.approx(3.5) and r.cameras == 1


def test_min_cameras_and_full_coverage() -> None:
    inst = _inst(TRAP_COVER, TRAP_W)
    full = optimise(inst, model="min-cameras", target_share=1.0)
    assert full.objective == 2 and set(full.chosen_sites) == {"left", "right"} and full.optimal
    # 4/7 of the weight: big alone (4.0) or left alone (3.5 < 4) -> one camera
    part = optimise(inst, model="min-cameras", target_share=4 / 7)
    assert part.objective == 1 and part.chosen_sites == ("big",)
    with pytest.raises(InvalidInputError, match="cannot be reached"):
        optimise(_inst({"s": ["a"]}, {"a": 1.0, "b": 1.0}), model="min-cameras", target_share=0.9)


def _random_instance(rng: np.random.Generator, n_sites: int, n_dem: int, density: float) -> CoverageInstance:
    m = rng.random((n_sites, n_dem)) < density
    ps, pd_ = np.nonzero(m)
    return CoverageInstance.from_pairs([f"s{j}" for j in range(n_sites)], [f"d{i}" for i in range(n_dem)], ps, pd_,
                                       demand_weight=rng.integers(1, 10, n_dem).astype(float),
                                       site_cost=rng.integers(1, 4, n_sites).astype(float))


def _brute_max(inst: CoverageInstance, p: int, depth: int = 1) -> float:
    best = 0.0
    for combo in itertools.combinations(range(inst.n_sites), p):
        mask = np.zeros(inst.n_sites, bool)
        mask[list(combo)] = True
        best = max(best, inst.covered_weight(mask, depth=depth))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_brute_force_optimum_and_greedy_guarantee(seed: int) -> None:
    rng = np.random.default_rng(seed)
    inst = _random_instance(rng, 12, 40, 0.15)
    for p in (2, 3, 4):
        opt = _brute_max(inst, p)
        r = optimise(inst, cameras=p, time_limit_s=10)
        assert r.optimal and r.objective == pytest.approx(opt)
        assert r.bound == pytest.approx(opt)
        # Nemhauser, Wolsey & Fisher 1978: greedy >= (1 - 1/e) OPT
        assert r.greedy_objective >= (1 - 1 / math.e) * opt - 1e-9
        assert r.greedy_objective <= opt + 1e-9
        plain = optimise(inst, cameras=p, presolve=False, time_limit_s=10)
        assert plain.objective == pytest.approx(opt)


@pytest.mark.parametrize("seed", range(4))
def test_brute_force_backup_and_min_cost(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    inst = _random_instance(rng, 10, 30, 0.2)
    opt2 = _brute_max(inst, 3, depth=2)
    r = optimise(inst, model="backup-coverage", cameras=3, depth=2)
    assert r.optimal and r.objective == pytest.approx(opt2)
    # min-cost to reach 70 % of the weight, by enumeration of all subsets
    total = inst.demand_weight.sum()
    best = math.inf
    for mask_int in range(1, 2 ** inst.n_sites):
        mask = np.array([(mask_int >> j) & 1 for j in range(inst.n_sites)], bool)
        if inst.covered_weight(mask) >= 0.7 * total - 1e-9:
            best = min(best, inst.site_cost[mask].sum())
    if math.isfinite(best):
        r = optimise(inst, model="min-cost", target_share=0.7)
        assert r.optimal and r.objective == pytest.approx(best)
        assert r.coverage_after >= 0.7 - 1e-9


def test_disjoint_sites_certified_by_lp_bound() -> None:
    # Sites with disjoint coverage: the LP relaxation is integral and the optimum is the p heaviest sites.
    rng = np.random.default_rng(7)
    n_sites, per = 30, 5
    w = rng.integers(1, 20, n_sites * per).astype(float)
    ps = np.repeat(np.arange(n_sites), per)
    pd_ = np.arange(n_sites * per)
    inst = CoverageInstance.from_pairs([f"s{j}" for j in range(n_sites)], [f"d{i}" for i in range(len(w))], ps, pd_,
                                       demand_weight=w)
    p = 7
    site_w = w.reshape(n_sites, per).sum(axis=1)
    expected = np.sort(site_w)[::-1][:p].sum()
    # the LP relaxation, written independently here: max Σ a x  s.t. x_i <= y_site(i), Σ y <= p, 0 <= x, y <= 1
    m = len(w)
    c = -np.concatenate([np.zeros(n_sites), w])
    a_ub = np.zeros((m + 1, n_sites + m))
    a_ub[np.arange(m), n_sites + np.arange(m)] = 1
    a_ub[np.arange(m), ps] = -1
    a_ub[m, :n_sites] = 1
    b_ub = np.concatenate([np.zeros(m), [p]])
    lp = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    assert -lp.fun == pytest.approx(expected)
    r = optimise(inst, cameras=p)
    assert r.objective == pytest.approx(expected) and r.optimal
    assert r.objective == pytest.approx(-lp.fun)  # objective meets the LP bound: certified optimal


def test_optimal_never_claimed_without_proof() -> None:
    # A hard instance (many overlapping sites) with a tiny time limit: the MILP cannot finish, so no claim.
    rng = np.random.default_rng(11)
    inst = _random_instance(rng, 400, 3000, 0.02)
    r = optimise(inst, cameras=40, time_limit_s=0.05)
    assert not r.optimal
    # our own stop at the limit is reported as the time limit (HiGHS itself would say "Interrupted by user")
    assert r.solver_status == "Time limit reached"
    assert r.bound is not None and r.bound >= r.objective - 1e-9
    assert r.gap is not None and r.gap > 0
    g = optimise(inst, cameras=40, use_milp=False)
    assert not g.optimal and g.solver_status == "greedy only"
    # the online bound of greedy is a valid upper bound: it is at least the (slow) MILP's objective
    assert g.bound >= optimise(inst, cameras=40, time_limit_s=5).objective - 1e-9


def test_presolve_merges_identical_demand_and_drops_dominated_sites() -> None:
    # d1 and d2 are seen by the same sites; s_small's set is inside s_big's at the same cost
    inst = _inst({"s_big": ["d1", "d2", "d3"], "s_small": ["d1", "d2"], "s_other": ["d4"]},
                 {"d1": 1.0, "d2": 2.0, "d3": 1.0, "d4": 5.0})
    r = optimise(inst, cameras=1)
    assert r.presolve["demand_merged"] == 3  # {d1,d2}, d3, d4
    assert r.presolve["candidates_dominated"] == 1
    assert r.chosen_sites == ("s_other",) and r.objective == 5.0 and r.optimal


def test_cancel_from_progress() -> None:
    inst = _inst(TRAP_COVER, TRAP_W)

    def stop(fraction: float, message: str = "") -> None:
        raise AnalysisCancelled("stop")

    with pytest.raises(AnalysisCancelled):
        optimise(inst, cameras=2, progress=stop)


def test_bad_input() -> None:
    inst = _inst(TRAP_COVER, TRAP_W)
    with pytest.raises(OutOfRangeError, match="larger than the number of candidate sites"):
        optimise(inst, cameras=4)
    with pytest.raises(InvalidInputError, match="exactly one"):
        optimise(inst, cameras=2, budget=3.0)
    with pytest.raises(OutOfRangeError, match="target_share"):
        optimise(inst, model="min-cameras", target_share=1.5)
    with pytest.raises(InvalidInputError, match="weights must be finite and >= 0"):
        _inst({"s": ["a"]}, {"a": -1.0})
    with pytest.raises(InvalidInputError, match="no candidate site"):
        CoverageInstance.from_pairs([], ["d"], [], [])
    with pytest.raises(InvalidInputError, match="model"):
        optimise(inst, model="p-median", cameras=1)


def test_cancel_during_the_milp() -> None:
    rng = np.random.default_rng(11)
    inst = _random_instance(rng, 400, 3000, 0.02)
    seen: list[str] = []

    def stop_in_milp(fraction: float, message: str = "") -> None:
        seen.append(message)
        if message == "MILP":
            raise AnalysisCancelled("stop")

    with pytest.raises(AnalysisCancelled):
        optimise(inst, cameras=40, time_limit_s=30, progress=stop_in_milp)
    assert "MILP" in seen and "done" not in seen
