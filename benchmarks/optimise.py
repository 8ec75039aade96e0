"""Benchmark of the placement optimiser on random maximum-coverage instances (prints figures).

Instances (``make_instance``; seed 2026 unless ``--seed``): ``m`` demand points
and ``n`` candidate sites drawn uniformly in a 10 km × 10 km square, demand
weights uniform integers 1..9, and a candidate covers the demand points within
``R`` metres, with ``R`` chosen so that a candidate covers ``k`` = 25 points on
average (``m π R² / L² = k``). ``p`` cameras: 10 % of the candidates. Two
sizes: 2,000 × 500 (p = 50) and 10,000 × 2,000 (p = 200).

Solvers compared:

* **greedy**: our lazy greedy alone (``optimise(..., use_milp=False)``);
* **ours**: presolve + greedy + HiGHS MILP warm-started, 10 s limit;
* **HiGHS to optimality**: the plain MCLP written independently here with
  ``scipy.optimize.milp`` (HiGHS inside), no time limit short of 600 s: the
  reference optimum;
* **spopt MCLP** (PySAL spopt 0.7.0, the last release for Python 3.11; PuLP + CBC): run in its own environment,
  because spopt pulls PuLP, pandas and scikit-learn versions we do not want
  in the app's. Create it once with::

      python3 -m venv /work/venv-spopt
      /work/venv-spopt/bin/pip install spopt==0.7.0 pulp

  and point ``--spopt-python`` (default ``/work/venv-spopt/bin/python``) at it;
  the benchmark is skipped for spopt when that interpreter is missing. spopt
  builds a dense PuLP model from a full cost matrix, which is the cost the
  sparse formulation avoids.

Run from the repository root::

    .venv/bin/python benchmarks/optimise.py            # both sizes
    .venv/bin/python benchmarks/optimise.py --small    # 2,000 x 500 only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIDE_M = 10_000.0
MEAN_COVER = 25


def make_instance(m: int, n: int, seed: int) -> dict[str, np.ndarray | float]:
    """Demand xy, weights, candidate xy, radius and the covering pairs (see the module docs)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    dxy = rng.random((m, 2)) * SIDE_M
    w = rng.integers(1, 10, m).astype(float)
    cxy = rng.random((n, 2)) * SIDE_M
    r = SIDE_M * math.sqrt(MEAN_COVER / (math.pi * m))
    hits = cKDTree(dxy).query_ball_point(cxy, r)
    ps = np.concatenate([np.full(len(h), j) for j, h in enumerate(hits)]).astype(np.int64)
    pd_ = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
    return {"dxy": dxy, "w": w, "cxy": cxy, "r": r, "ps": ps, "pd": pd_}


def run_ours(inst_d: dict, p: int, *, milp: bool, time_limit_s: float) -> dict:
    from planner.analysis.optimise import CoverageInstance, optimise

    m, n = len(inst_d["w"]), len(inst_d["cxy"])
    t0 = time.perf_counter()
    inst = CoverageInstance.from_pairs([f"s{j}" for j in range(n)], [f"d{i}" for i in range(m)], inst_d["ps"],
                                       inst_d["pd"], demand_weight=inst_d["w"])
    r = optimise(inst, cameras=p, time_limit_s=time_limit_s, use_milp=milp)
    return {"objective": r.objective, "bound": r.bound, "gap": r.gap, "optimal": r.optimal,
            "time_s": time.perf_counter() - t0, "status": r.solver_status}


def run_reference(inst_d: dict, p: int, time_limit_s: float = 600.0) -> dict:
    """Plain MCLP with scipy.optimize.milp (HiGHS), written independently of planner.analysis.optimise."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    m, n = len(inst_d["w"]), len(inst_d["cxy"])
    t0 = time.perf_counter()
    cover = sp.csr_matrix((np.ones(len(inst_d["ps"])), (inst_d["pd"], inst_d["ps"])), shape=(m, n))
    a = sp.vstack([sp.hstack([-cover, sp.identity(m)]), sp.hstack([sp.csr_matrix(np.ones((1, n))),
                                                                   sp.csr_matrix((1, m))])]).tocsr()
    cons = LinearConstraint(a, lb=np.full(m + 1, -np.inf), ub=np.concatenate([np.zeros(m), [p]]))
    c = -np.concatenate([np.zeros(n), inst_d["w"]])
    res = milp(c, constraints=cons, integrality=np.concatenate([np.ones(n), np.zeros(m)]), bounds=Bounds(0, 1),
               options={"time_limit": time_limit_s, "mip_rel_gap": 0.0})
    return {"objective": -res.fun if res.x is not None else math.nan, "optimal": res.status == 0,
            "time_s": time.perf_counter() - t0, "status": res.message}


def spopt_worker(path: str, p: int, out: str) -> None:  # runs inside the spopt environment
    import pulp
    from spopt.locate import MCLP

    d = np.load(path)
    dxy, cxy, w, r = d["dxy"], d["cxy"], d["w"], float(d["r"])
    t0 = time.perf_counter()
    cost = np.hypot(dxy[:, None, 0] - cxy[None, :, 0], dxy[:, None, 1] - cxy[None, :, 1])
    model = MCLP.from_cost_matrix(cost, w, service_radius=r, p_facilities=p, name="mclp")
    t_build = time.perf_counter() - t0
    model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=600))
    sel = [j for j, v in enumerate(model.fac_vars) if v.value() and v.value() > 0.5]
    covered = (cost[:, sel] <= r).any(axis=1)
    Path(out).write_text(json.dumps({"objective": float(w[covered].sum()), "time_s": time.perf_counter() - t0,
                                     "build_s": t_build, "status": pulp.LpStatus[model.problem.status]}))


def run_spopt(inst_d: dict, p: int, python: str) -> dict | None:
    if not Path(python).exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "inst.npz")
        out = os.path.join(tmp, "out.json")
        np.savez(npz, dxy=inst_d["dxy"], cxy=inst_d["cxy"], w=inst_d["w"], r=inst_d["r"])
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([python, __file__, "--spopt-worker", npz, str(p), out], capture_output=True,
                                  text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return {"error": "no answer within 900 s", "time_s": time.perf_counter() - t0}
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed",
                    "time_s": time.perf_counter() - t0}
        return json.loads(Path(out).read_text())


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="only the 2,000 x 500 instance")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--spopt-python", default="/work/venv-spopt/bin/python")
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--spopt-worker", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.spopt_worker:
        spopt_worker(a.spopt_worker[0], int(a.spopt_worker[1]), a.spopt_worker[2])
        return 0
    sizes = [(2000, 500, 50)] + ([] if a.small else [(10_000, 2000, 200)])
    print(f"random MCLP instances, seed {a.seed}, {MEAN_COVER} demand points per candidate on average, "
          f"{os.cpu_count()} CPU(s)")
    for m, n, p in sizes:
        inst = make_instance(m, n, a.seed)
        print(f"\n{m:,} demand x {n:,} candidates, p = {p}, radius {inst['r']:.0f} m, {len(inst['ps']):,} pairs")
        ref = run_reference(inst, p)
        opt = ref["objective"]
        rows = [("greedy", run_ours(inst, p, milp=False, time_limit_s=10)),
                ("ours (greedy + MILP, 10 s)", run_ours(inst, p, milp=True, time_limit_s=10)),
                ("HiGHS MILP to optimality", ref)]
        if not a.no_spopt:
            sp_ = run_spopt(inst, p, a.spopt_python)
            rows.append(("spopt MCLP (PuLP + CBC)", sp_ if sp_ is not None else {"error": "spopt env missing"}))
        print(f"  {'solver':<28} {'objective':>10} {'% of opt':>9} {'bound':>10} {'gap %':>7} {'proven':>6} "
              f"{'time s':>7}")
        for name, r in rows:
            if "error" in r:
                print(f"  {name:<28} {'-':>10} {'-':>9} {'':>10} {'':>7} {'':>6} {r.get('time_s', 0):7.2f}  "
                      f"({r['error']})")
                continue
            pct = 100 * r["objective"] / opt if opt else math.nan
            bound = r.get("bound")
            gap = r.get("gap")
            print(f"  {name:<28} {r['objective']:>10,.0f} {pct:>9.3f} "
                  f"{(f'{bound:,.0f}' if bound is not None else '-'):>10} "
                  f"{(f'{100 * gap:.3f}' if gap is not None else '-'):>7} "
                  f"{('yes' if r.get('optimal') or r.get('status') == 'Optimal' else 'no'):>6} {r['time_s']:7.2f}"
                  + (f"  (build {r['build_s']:.1f} s)" if "build_s" in r else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
