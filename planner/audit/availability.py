"""Availability: the coverage that remains when cameras are out of service.

Deployed systems decay (in Cochabamba about 250 of 528 cameras were out of
service in 2024 for lack of maintenance). Given a computed coverage result,
:func:`availability` removes cameras — a list of ids, or a share drawn at
random, ``draws`` times with a fixed ``seed`` — and recomposes the coverage
from the per-camera footprints already computed (no viewshed is recomputed):
per draw, the best level per cell is the maximum over the cameras still in
service, counted over the public cells of the study area (and of each
district) exactly as the full coverage is. It reports, per detail level, the
mean and the 5th and 95th percentiles (numpy's linear interpolation) of the
area seen by day, for the city and each district, next to the figure with
every camera in service.

Cameras are drawn by *group*: a register camera that monitors several
approaches is several views (footprints) but one device, and fails as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from planner.analysis.coverage import TILE, CoverageResult, _Geoms, _rasterize
from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import InvalidInputError, OutOfRangeError


@dataclass(frozen=True)
class AvailabilityParams:
    """``share`` of cameras out of service (drawn ``draws`` times from ``seed``), or explicit ``ids``."""

    share: float | None = None
    ids: tuple[str, ...] = ()
    draws: int = 50
    seed: int = 1

    def __post_init__(self) -> None:
        if self.share is None and not self.ids:
            raise InvalidInputError("`--out-of-service`: give a share in [0, 1) or a list of camera ids")
        if self.share is not None and not 0 <= self.share < 1:
            raise OutOfRangeError(f"`--out-of-service` must be a share in [0, 1); got {self.share:g}")
        if not 1 <= self.draws <= 10000:
            raise OutOfRangeError(f"`--draws` must be in [1, 10000]; got {self.draws}")


def parse_out_of_service(text: str) -> tuple[float | None, tuple[str, ...]]:
    """``"0.47"`` or ``"47%"`` -> a share; ``"cam-0001,cam-0002"`` -> ids."""
    s = str(text).strip()
    try:
        v = float(s.rstrip("%")) / (100.0 if s.endswith("%") else 1.0)
        return v, ()
    except ValueError:
        ids = tuple(x.strip() for x in s.replace(";", ",").split(",") if x.strip())
        if not ids:
            raise InvalidInputError(f"`--out-of-service`: expected a share or camera ids; got {text!r}") from None
        return None, ids


def _tile_masks(result: CoverageResult) -> dict[tuple[int, int], tuple[np.ndarray, list[tuple[int, np.ndarray]]]]:
    """Per tile: the counted cells (public, in the study area) and each district's cells."""
    res = result.params.resolution_m
    zones = result.zones
    _, dg = _Geoms.of(zones)
    nd = len(zones.district_names)
    tree = _Geoms.district_tree(zones) if nd else None
    out = {}
    for (ti, tj), t in result.tiles.items():
        valid = t.valid if t.valid is not None else np.ones((TILE, TILE), bool)
        x0 = result.surface.origin_x + tj * TILE * res
        y0 = result.surface.origin_y - ti * TILE * res
        box = shapely.box(x0, y0 - TILE * res, x0 + TILE * res, y0)
        dm = []
        if tree is not None:
            for k in tree.query(box):
                g = dg[k]
                if g.contains(box):
                    m = valid
                else:
                    part = g.intersection(box)
                    if part.is_empty or part.area == 0:
                        continue
                    m = (_rasterize([part], None, x0=x0, y0=y0, res=res, shape=(TILE, TILE), dtype="uint8") > 0) & valid
                if m.any():
                    dm.append((int(k), m))
        out[(ti, tj)] = (valid, dm)
    return out


def _windows(result: CoverageResult, masks: Mapping[tuple[int, int], Any],
             by_tile: Mapping[tuple[int, int], list[Any]]) -> dict[tuple[int, int], Any]:
    """Per tile, the window its footprints reach and the flat indices of the counted cells in it.

    Cells outside every footprint are never seen, so they only add to "not seen", which no figure uses.
    """
    out = {}
    for key, fps in by_tile.items():
        ti, tj = key
        r0, c0 = ti * TILE, tj * TILE
        a0 = max(min(fp.row for fp in fps), r0) - r0
        a1 = min(max(fp.row + fp.shape[0] for fp in fps), r0 + TILE) - r0
        b0 = max(min(fp.col for fp in fps), c0) - c0
        b1 = min(max(fp.col + fp.shape[1] for fp in fps), c0 + TILE) - c0
        if a0 >= a1 or b0 >= b1:
            continue
        valid, dm = masks[key]
        win = (slice(a0, a1), slice(b0, b1))
        vidx = np.flatnonzero(valid[win])
        didx = [(k, np.flatnonzero(m[win])) for k, m in dm]
        out[key] = (a0, a1, b0, b1, vidx, [(k, i) for k, i in didx if i.size])
    return out


def _compose(result: CoverageResult, keep: set[str], windows: Mapping[tuple[int, int], Any],
             by_tile: Mapping[tuple[int, int], list[Any]], nlev: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells per level (city, and per district) with only the cameras in ``keep``; histograms."""
    nd = len(result.zones.district_names)
    city = np.zeros(nlev + 1)
    dist = np.zeros((nd, nlev + 1))
    for key, (a0, a1, b0, b1, vidx, didx) in windows.items():
        ti, tj = key
        r0, c0 = ti * TILE + a0, tj * TILE + b0  # the window's top-left cell
        h0, w0 = a1 - a0, b1 - b0
        day = np.zeros((h0, w0), dtype=np.uint8)
        for fp in by_tile[key]:
            if fp.id not in keep:
                continue
            h, w = fp.shape
            x0, x1 = max(fp.row, r0), min(fp.row + h, r0 + h0)
            y0, y1 = max(fp.col, c0), min(fp.col + w, c0 + w0)
            if x0 >= x1 or y0 >= y1:
                continue
            dst = (slice(x0 - r0, x1 - r0), slice(y0 - c0, y1 - c0))
            np.maximum(day[dst], fp.day[x0 - fp.row:x1 - fp.row, y0 - fp.col:y1 - fp.col], out=day[dst])
        flat = day.ravel()
        city += np.bincount(flat[vidx], minlength=nlev + 1)[: nlev + 1]
        for k, idx in didx:
            dist[k] += np.bincount(flat[idx], minlength=nlev + 1)[: nlev + 1]
    return city, dist


def _cum(h: np.ndarray) -> np.ndarray:
    """Cells at level >= L for L = 1..n (last axis)."""
    return np.cumsum(h[..., ::-1], axis=-1)[..., ::-1][..., 1:]


def availability(result: CoverageResult, params: AvailabilityParams, *, groups: Mapping[str, str] | None = None,
                 progress: ProgressFn = no_progress) -> dict[str, Any]:
    """Remaining coverage with cameras out of service (see the module docs); a JSON-able document.

    ``groups`` maps each footprint id to the device it belongs to (default:
    each footprint is its own device); ``params.ids`` name devices.
    """
    groups = dict(groups or {fid: fid for fid in result.footprints})
    devices = sorted(set(groups.values()))
    nlev = len(result.levels)
    names = [lv.name for lv in result.levels]
    ca = result.cell_area_m2 / 1e6
    if params.ids:
        unknown = [i for i in params.ids if i not in set(devices)]
        if unknown:
            raise InvalidInputError(f"`--out-of-service`: no camera {unknown[0]!r} (of {len(unknown)} unknown ids)")
    masks = _tile_masks(result)
    by_tile: dict[tuple[int, int], list[Any]] = {}
    from planner.analysis.coverage import _tile_keys

    for fp in result.footprints.values():
        for k in _tile_keys(fp):
            if k in masks:
                by_tile.setdefault(k, []).append(fp)
    windows = _windows(result, masks, by_tile)
    full_city, full_dist = _compose(result, set(result.footprints), windows, by_tile, nlev)
    rng = np.random.default_rng(params.seed)
    if params.ids:
        draws = [set(params.ids)]
    else:
        n_out = int(round(params.share * len(devices)))  # type: ignore[operator]
        draws = [set(rng.choice(devices, size=n_out, replace=False).tolist()) if n_out else set()
                 for _ in range(params.draws)]
    city_runs = []
    dist_runs = []
    for i, out in enumerate(draws):
        keep = {fid for fid, dev in groups.items() if dev not in out}
        c, d = _compose(result, keep, windows, by_tile, nlev)
        city_runs.append(_cum(c) * ca)
        dist_runs.append(_cum(d) * ca)
        progress((i + 1) / len(draws), f"draw {i + 1}/{len(draws)}")
    cr = np.array(city_runs)  # draws x levels
    dr = np.array(dist_runs)  # draws x districts x levels
    area = result.study_area_km2

    def stats(runs: np.ndarray, full: np.ndarray, a: float) -> dict[str, Any]:
        out = {}
        for j, nm in enumerate(names):
            v = runs[:, j]
            mean, p5, p95 = float(v.mean()), float(np.percentile(v, 5)), float(np.percentile(v, 95))
            out[nm] = {"all_in_service_km2": float(full[j]), "mean_km2": mean, "p5_km2": p5, "p95_km2": p95,
                       "mean_pct": 100 * mean / a if a else 0.0, "p5_pct": 100 * p5 / a if a else 0.0,
                       "p95_pct": 100 * p95 / a if a else 0.0,
                       "remaining_share": mean / float(full[j]) if full[j] else None}
        return out

    doc: dict[str, Any] = {
        "devices": len(devices),
        "out_of_service": (list(params.ids) if params.ids else params.share),
        "out_of_service_count": (len(params.ids) if params.ids else int(round(params.share * len(devices)))),  # type: ignore[operator]
        "draws": len(draws), "seed": params.seed if not params.ids else None,
        "period": "day",
        "city": stats(cr, _cum(full_city) * ca, area),
        "districts": [{"name": result.zones.district_names[k], "levels": stats(dr[:, k, :], _cum(full_dist[k]) * ca,
                                                                                 result.zones.district_area_km2[k])}
                      for k in range(len(result.zones.district_names))],
        "method": ("cameras drawn out of service uniformly without replacement, the same number each draw; "
                   "coverage recomposed from the per-camera footprints; percentiles by linear interpolation"),
    }
    return doc


def format_availability(doc: dict[str, Any], *, level: str | None = None) -> str:
    lv = level or next(iter(doc["city"]))
    c = doc["city"][lv]
    share = doc["out_of_service"]
    what = (f"{share * 100:.0f} % of {doc['devices']} cameras out of service ({doc['out_of_service_count']}), "
            f"{doc['draws']} draws, seed {doc['seed']}" if isinstance(share, float)
            else f"{doc['out_of_service_count']} named camera(s) out of service")
    return (f"availability: {what}; {lv} by day: {c['mean_km2']:.3f} km² mean "
            f"(5-95 %: {c['p5_km2']:.3f}-{c['p95_km2']:.3f}) of {c['all_in_service_km2']:.3f} km² with all in service")


__all__ = ["AvailabilityParams", "availability", "format_availability", "parse_out_of_service"]
