"""Read and write coverage tables: CSV ``site_id,demand_id[,demand_weight][,site_cost]``.

One row per (candidate site, demand point it covers). ``demand_weight``
defaults to 1 and ``site_cost`` to 1; a demand point's weight (a site's cost)
must be the same on every row that names it. A site or demand point may appear
with an empty partner id to declare it without coverage (``s9,`` is a site
that covers nothing; ``,d7`` a demand point no site covers), so the table can
state the whole demand. Errors are one line naming the file, the row and the
problem.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import InvalidInputError

COLUMNS = ("site_id", "demand_id", "demand_weight", "site_cost")


@dataclass(frozen=True)
class CoverageTable:
    """The parsed table: ids, costs, weights and (site index, demand index) pairs."""

    site_ids: tuple[str, ...]
    site_cost: np.ndarray
    demand_ids: tuple[str, ...]
    demand_weight: np.ndarray
    pair_site: np.ndarray
    pair_demand: np.ndarray
    fixed: np.ndarray


def _num(path: str, row: int, name: str, text: str | None, default: float) -> float:
    if text is None or not text.strip():
        return default
    try:
        v = float(text)
    except ValueError:
        raise InvalidInputError(f"`{path}` row {row}: `{name}` must be a number; got {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise InvalidInputError(f"`{path}` row {row}: `{name}` must be a finite number >= 0; got {text!r}")
    return v


def read_coverage_table(path: str | os.PathLike[str], *, fixed: Iterable[str] = ()) -> CoverageTable:
    """Parse a coverage table; ``fixed`` names existing (always chosen) sites."""
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise InvalidInputError(f"`{name}`: no such file")
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise InvalidInputError(f"`{name}`: the coverage table is empty")
            cols = [h.strip().lower() for h in header]
            for need in COLUMNS[:2]:
                if need not in cols:
                    raise InvalidInputError(f"`{name}`: missing column `{need}` (the header must be "
                                            f"site_id,demand_id[,demand_weight][,site_cost]; got {','.join(header)})")
            unknown = [c for c in cols if c not in COLUMNS]
            if unknown:
                raise InvalidInputError(f"`{name}`: unknown column `{unknown[0]}`; expected {', '.join(COLUMNS)}")
            ci = {c: cols.index(c) for c in COLUMNS if c in cols}
            site_index: dict[str, int] = {}
            dem_index: dict[str, int] = {}
            weight: dict[int, float] = {}
            cost: dict[int, float] = {}
            ps: list[int] = []
            pd_: list[int] = []
            rows = 0
            for rown, rec in enumerate(reader, start=2):
                if not rec or all(not x.strip() for x in rec):
                    continue
                if len(rec) > len(cols):
                    raise InvalidInputError(f"`{name}` row {rown}: {len(rec)} fields, the header has {len(cols)}")
                rec = rec + [""] * (len(cols) - len(rec))
                sid = rec[ci["site_id"]].strip()
                did = rec[ci["demand_id"]].strip()
                if not sid and not did:
                    raise InvalidInputError(f"`{name}` row {rown}: empty `site_id` and `demand_id`")
                rows += 1
                w = _num(name, rown, "demand_weight", rec[ci["demand_weight"]] if "demand_weight" in ci else None, 1.0)
                c = _num(name, rown, "site_cost", rec[ci["site_cost"]] if "site_cost" in ci else None, 1.0)
                j = i = -1
                if sid:
                    j = site_index.setdefault(sid, len(site_index))
                    if j in cost and abs(cost[j] - c) > 1e-12 and "site_cost" in ci and rec[ci["site_cost"]].strip():
                        raise InvalidInputError(f"`{name}` row {rown}: site {sid!r} has cost {c:g} here and "
                                                f"{cost[j]:g} before")
                    if j not in cost or ("site_cost" in ci and rec[ci["site_cost"]].strip()):
                        cost[j] = c
                if did:
                    i = dem_index.setdefault(did, len(dem_index))
                    has_w = "demand_weight" in ci and rec[ci["demand_weight"]].strip()
                    if i in weight and has_w and abs(weight[i] - w) > 1e-12:
                        raise InvalidInputError(f"`{name}` row {rown}: demand {did!r} has weight {w:g} here and "
                                                f"{weight[i]:g} before")
                    if i not in weight or has_w:
                        weight[i] = w
                if i >= 0 and j >= 0:
                    ps.append(j)
                    pd_.append(i)
    except UnicodeDecodeError:
        raise InvalidInputError(f"`{name}`: not a UTF-8 text file") from None
    except csv.Error as exc:
        raise InvalidInputError(f"`{name}`: not a readable CSV file ({exc})") from None
    if rows == 0:
        raise InvalidInputError(f"`{name}`: the coverage table has no rows")
    if not site_index:
        raise InvalidInputError(f"`{name}`: no site_id in the table")
    if not dem_index:
        raise InvalidInputError(f"`{name}`: no demand_id in the table")
    fixed = [f.strip() for f in fixed if f.strip()]
    for f in fixed:
        if f not in site_index:
            raise InvalidInputError(f"`--fixed-sites`: unknown site id {f!r} (not in `{name}`)")
    sites = sorted(site_index, key=site_index.__getitem__)
    dems = sorted(dem_index, key=dem_index.__getitem__)
    fx = set(fixed)
    return CoverageTable(
        site_ids=tuple(sites), site_cost=np.array([cost[j] for j in range(len(sites))], dtype=float),
        demand_ids=tuple(dems), demand_weight=np.array([weight[i] for i in range(len(dems))], dtype=float),
        pair_site=np.array(ps, dtype=np.int64), pair_demand=np.array(pd_, dtype=np.int64),
        fixed=np.array([s in fx for s in sites], dtype=bool))


def write_coverage_table(inst: Any, path: str | os.PathLike[str]) -> Path:
    """Write a coverage instance (``planner.analysis.optimise.CoverageInstance``) as a table, atomically.

    Sites that cover nothing and uncovered demand points get one row each.
    """
    from planner.io.atomic import atomic_write_with

    def _write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            seen = np.zeros(inst.n_demand, dtype=bool)
            for j, sid in enumerate(inst.site_ids):
                idx = inst.indices[inst.indptr[j]:inst.indptr[j + 1]]
                if not len(idx):
                    w.writerow([sid, "", "", f"{inst.site_cost[j]:.12g}"])
                for i in idx:
                    w.writerow([sid, inst.demand_ids[i], f"{inst.demand_weight[i]:.12g}", f"{inst.site_cost[j]:.12g}"])
                seen[idx] = True
            for i in np.flatnonzero(~seen):
                w.writerow(["", inst.demand_ids[i], f"{inst.demand_weight[i]:.12g}", ""])

    return atomic_write_with(Path(path), _write)


__all__ = ["COLUMNS", "CoverageTable", "read_coverage_table", "write_coverage_table"]
