"""Candidate camera sites and demand points from a project, and who sees what (a coverage instance).

* **Candidate sites**: street intersections (segment end points shared by three
  or more street segments), points every ``spacing_m`` along the streets
  (poles), a square grid of poles (``grid``, for projects without streets), building corners (real footprints only; the camera sits 1 m outside
  the corner, on the façade), façades (``facades``: wall mounts every
  ``spacing_m`` along real building walls, 1 m out, facing away from the wall
  and 45° to either side), and the points of an imported layer (a project
  layer or a vector file). Each site has a mount height and a camera type.
* **Orientation** is part of the decision: a fixed camera at a site becomes
  several candidates, one per azimuth: along each street leaving an
  intersection and both ways along a street (``azimuths="streets"``), or every
  ``azimuth_step_deg`` (``azimuths="every"``; building corners and imported
  points always use this). A PTZ dome or 360° camera is one candidate.
* **Demand**: points every ``demand_spacing_m`` along the streets inside the
  demand area (or, with ``demand="cells"``, the centres of a square grid of
  that spacing over the public space of the area, each weighted by its area), (the chosen districts, or the study area), each weighted by the
  street length it stands for (m) × its district's weight × (1 + the weight of
  each priority site within ``site_radius_m``; the site layer's ``weight``
  column, else ``site_factor``) × (1 + ``incident_weight`` × the incident
  density at the point), when an incident/heat-map point layer is given: each
  incident contributes its ``weight`` (or ``count``) column, else 1, times the
  quartic kernel ``(1 - (d/r)²)²`` within ``incident_radius_m`` ``r`` (the
  kernel of QGIS's heat-map tool), so a point on top of one incident counts
  ``1 + incident_weight`` times.
* **Coverage**: a candidate covers a demand point when the coverage engine
  (:func:`planner.analysis.coverage.camera_footprint`: terrain, buildings,
  optics, privacy masks) sees that point's cell at the chosen detail level or
  better, by day or by night. Footprints are computed in batches on a
  :class:`planner.analysis.executor.BatchExecutor` (in-process, local
  processes or dask) with progress and cancel; only the covered demand indices
  come back. Existing cameras (of the chosen phases) are fixed candidates.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from planner.analysis.coverage import (
    CameraGeometry,
    CoverageParams,
    Surface,
    build_surface,
    camera_footprint,
    camera_geometry,
    camera_types_for,
    select_cameras,
)
from planner.analysis.optics import ALL_LEVELS
from planner.analysis.optimise import CoverageInstance
from planner.analysis.progress import ProgressFn, no_progress, sub_progress
from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.nodes import Camera
from planner.model.project import Project

SOURCES = ("intersections", "streets", "corners", "facades", "grid")
DEMANDS = ("streets", "cells")
PERIODS = ("day", "night")


@dataclass(frozen=True, kw_only=True)
class CandidateParams:
    """How candidates and demand are generated (see the module docs)."""

    sources: tuple[str, ...] = ("intersections", "streets")
    spacing_m: float = 50.0
    camera_type: str = "bullet-1080p-4"
    #: Camera types allowed at every site (the optimiser picks one per site); empty: ``camera_type`` alone.
    camera_types: tuple[str, ...] = ()
    height_m: float = 6.0
    tilt_deg: float = 10.0
    azimuths: str = "streets"
    azimuth_step_deg: float = 45.0
    level: str = "detect"
    period: str = "day"
    demand_spacing_m: float = 10.0
    demand: str = "streets"
    districts: tuple[str, ...] | None = None
    district_weights: Mapping[str, float] = field(default_factory=dict)
    site_radius_m: float = 200.0
    site_factor: float = 2.0
    incidents: str | None = None
    incident_radius_m: float = 150.0
    incident_weight: float = 1.0
    resolution_m: float = 2.0
    target_height_m: float = 1.6
    camera_cost: float = 1.0
    pole_cost: float = 0.0
    phases: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.sources:
            raise InvalidInputError("`candidates` must name at least one source")
        if not 5 <= self.spacing_m <= 1000:
            raise OutOfRangeError(f"`spacing_m` must be in [5, 1000]; got {self.spacing_m}")
        if not 1 <= self.demand_spacing_m <= 200:
            raise OutOfRangeError(f"`demand_spacing_m` must be in [1, 200]; got {self.demand_spacing_m}")
        if self.demand not in DEMANDS:
            raise InvalidInputError(f"`demand` must be streets or cells; got {self.demand!r}")
        if self.azimuths not in ("streets", "every"):
            raise InvalidInputError(f"`azimuths` must be 'streets' or 'every'; got {self.azimuths!r}")
        if not 5 <= self.azimuth_step_deg <= 180:
            raise OutOfRangeError(f"`azimuth_step_deg` must be in [5, 180]; got {self.azimuth_step_deg}")
        if self.period not in PERIODS:
            raise InvalidInputError(f"`period` must be day or night; got {self.period!r}")
        if self.level not in {lv.name for lv in ALL_LEVELS}:
            raise InvalidInputError(f"`level` must be one of {', '.join(lv.name for lv in ALL_LEVELS)}; "
                                    f"got {self.level!r}")
        if not 0 < self.height_m <= 100:
            raise OutOfRangeError(f"`height_m` must be in (0, 100]; got {self.height_m}")
        if self.camera_cost < 0 or self.pole_cost < 0:
            raise OutOfRangeError("`camera_cost` and `pole_cost` must be >= 0")
        if not (math.isfinite(self.incident_radius_m) and 1 <= self.incident_radius_m <= 5000):
            raise OutOfRangeError(f"`incident_radius_m` must be in [1, 5000]; got {self.incident_radius_m}")
        if not (math.isfinite(self.incident_weight) and self.incident_weight >= 0):
            raise OutOfRangeError(f"`incident_weight` must be >= 0; got {self.incident_weight}")
        if self.incidents is not None and not str(self.incidents).strip():
            raise InvalidInputError("`incidents` must name a point layer or file")

    @property
    def allowed_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.camera_types)) if self.camera_types else (self.camera_type,)

    def coverage_params(self) -> CoverageParams:
        lv = next(v for v in ALL_LEVELS if v.name == self.level)
        # only the chosen level: each footprint's window is that level's range (not the monitor range)
        return CoverageParams(resolution_m=self.resolution_m, target_height_m=self.target_height_m, levels=(lv,),
                              phases=self.phases)


@dataclass(frozen=True)
class Candidate:
    """One candidate camera (a site and an orientation)."""

    id: str
    site: str
    source: str
    x: float
    y: float
    azimuth_deg: float
    height_m: float
    tilt_deg: float
    camera_type: str
    cost: float


@dataclass(frozen=True)
class CandidateSet:
    """A coverage instance built from a project, with what is needed to turn a choice into cameras.

    Sites of the instance are the existing cameras (fixed, ids = camera ids)
    followed by the candidates (ids = :attr:`Candidate.id`).
    """

    instance: CoverageInstance
    candidates: tuple[Candidate, ...]
    existing_ids: tuple[str, ...]
    demand_xy: np.ndarray
    demand_length_m: float
    params: CandidateParams
    time_s: float
    coverage_time_s: float
    notes: tuple[str, ...] = ()

    def candidate(self, site_id: str) -> Candidate:
        return self._by_id()[site_id]

    def _by_id(self) -> dict[str, Candidate]:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = {c.id: c for c in self.candidates}
            object.__setattr__(self, "_cache", cache)
        return cache


# ------------------------------------------------------------------ helpers
def _bearing(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    bearing: np.ndarray = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0
    return bearing


def _dedupe_angles(angles: Sequence[float], tol: float = 20.0) -> list[float]:
    out: list[float] = []
    for a in sorted(angles):
        if all(abs((a - b + 180.0) % 360.0 - 180.0) > tol for b in out):
            out.append(float(round(a, 1)))
    return out


def demand_area(project: Project, districts: Sequence[str] | None) -> Any:
    """The study area, or the union of the named districts (names or codes, case-insensitive)."""
    if not districts:
        return project.study_area
    d = project.districts
    if not len(d):
        raise InvalidInputError("`--district`: the project has no districts")
    want = {s.strip().lower() for s in districts}
    hit = d[d["name"].astype(str).str.lower().isin(want) | d["code"].astype(str).str.lower().isin(want)]
    found = set(hit["name"].astype(str).str.lower()) | set(hit["code"].astype(str).str.lower())
    missing = sorted(want - found)
    if missing:
        raise InvalidInputError(f"`--district`: no district named {missing[0]!r} "
                                f"(e.g. {', '.join(map(str, d['name'].head(5)))})")
    return shapely.intersection(shapely.union_all(hit.geometry.values), project.study_area)


def _street_lines(project: Project, area: Any) -> np.ndarray:
    s = project.layers.get("streets")
    if s is None or not len(s):
        return np.array([], dtype=object)
    lines = shapely.get_parts(s.geometry.values)
    lines = lines[(shapely.get_type_id(lines) == 1) & ~shapely.is_empty(lines)]
    inside: np.ndarray = lines[shapely.intersects(lines, area)]
    return inside


def _street_demand(lines: np.ndarray, area: Any, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``spacing`` along the street parts inside ``area``, with the length each stands for."""
    if not len(lines):
        return np.zeros((0, 2)), np.zeros(0)
    shapely.prepare(area)
    inside = shapely.contains(area, lines)
    parts = np.concatenate([lines[inside], shapely.get_parts(shapely.intersection(lines[~inside], area))])
    parts = parts[(shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)]
    lengths = shapely.length(parts)
    parts, lengths = parts[lengths > 0.01], lengths[lengths > 0.01]
    counts = np.maximum(np.ceil(lengths / spacing).astype(np.int64), 1)
    idx = np.repeat(np.arange(len(parts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(idx.size) - starts
    pts = shapely.line_interpolate_point(parts[idx], (k + 0.5) / counts[idx], normalized=True)
    return np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]), (lengths / counts)[idx]


def _sites_from_streets(lines: np.ndarray, area: Any, params: CandidateParams,
                        want: set[str]) -> list[tuple[str, float, float, list[float]]]:
    """(source, x, y, street azimuths) for intersections and poles along the streets."""
    out: list[tuple[str, float, float, list[float]]] = []
    if not len(lines):
        return out
    shapely.prepare(area)
    coords_a = shapely.get_point(lines, 0)
    coords_b = shapely.get_point(lines, -1)
    a = np.column_stack([shapely.get_x(coords_a), shapely.get_y(coords_a)])
    b = np.column_stack([shapely.get_x(coords_b), shapely.get_y(coords_b)])
    lengths = shapely.length(lines)
    probe = np.minimum(15.0, lengths / 2)
    pa = shapely.line_interpolate_point(lines, probe)
    pb = shapely.line_interpolate_point(lines, lengths - probe)
    ends: dict[tuple[int, int], list[tuple[float, float, float]]] = {}
    for k in range(len(lines)):
        for (x, y), p in ((a[k], pa[k]), (b[k], pb[k])):
            key = (round(x * 2), round(y * 2))  # 0.5 m snapping
            ends.setdefault(key, []).append((x, y, float(_bearing(np.array(p.x - x), np.array(p.y - y)))))
    inter_xy = []
    if "intersections" in want:
        for items in ends.values():
            if len(items) >= 3:
                x, y = items[0][0], items[0][1]
                if area.contains(shapely.Point(x, y)):
                    out.append(("intersections", x, y, _dedupe_angles([it[2] for it in items])))
                    inter_xy.append((x, y))
    if "streets" in want:
        sp_ = params.spacing_m
        n = np.floor(lengths / sp_).astype(np.int64)  # interior poles: every spacing, not at the ends
        idx = np.repeat(np.arange(len(lines)), np.maximum(n, 0))
        starts = np.repeat(np.cumsum(n) - n, np.maximum(n, 0))
        k = np.arange(idx.size) - starts
        d = (k + 0.5) * (lengths[idx] / np.maximum(n[idx], 1))
        pts = shapely.line_interpolate_point(lines[idx], d)
        ahead = shapely.line_interpolate_point(lines[idx], np.minimum(d + 5.0, lengths[idx]))
        xs, ys = shapely.get_x(pts), shapely.get_y(pts)
        brg = _bearing(shapely.get_x(ahead) - xs, shapely.get_y(ahead) - ys)
        inside = shapely.contains_xy(area, xs, ys)
        tree = None
        if inter_xy:
            from scipy.spatial import cKDTree

            tree = cKDTree(np.array(inter_xy))
        for x, y, bb, ok in zip(xs, ys, brg, inside, strict=True):
            if not ok:
                continue
            if tree is not None and tree.query([x, y])[0] < sp_ / 2:
                continue  # an intersection is close by: it stands for this pole
            out.append(("streets", float(x), float(y), [float(round(bb, 1)), float(round((bb + 180) % 360, 1))]))
    return out


def _grid_points(area: Any, spacing: float) -> np.ndarray:
    x0, y0, x1, y1 = area.bounds
    gx, gy = np.meshgrid(np.arange(x0 + spacing / 2, x1, spacing), np.arange(y1 - spacing / 2, y0, -spacing))
    xs, ys = gx.ravel(), gy.ravel()
    if xs.size > 2_000_000:
        raise OutOfRangeError(f"{xs.size} grid points: raise the spacing ({spacing:g} m) or narrow the area")
    shapely.prepare(area)
    inside = shapely.contains_xy(area, xs, ys)
    return np.column_stack([xs[inside], ys[inside]])


def _outside_buildings(project: Project, xy: np.ndarray) -> np.ndarray:
    b = project.layers.get("buildings")
    if b is None or not len(b) or not len(xy):
        return np.ones(len(xy), dtype=bool)
    tree = shapely.STRtree(b.geometry.values)
    hit = tree.query(shapely.points(xy), predicate="within")[0]
    keep = np.ones(len(xy), dtype=bool)
    keep[hit] = False
    return keep


def _real_buildings(project: Project, area: Any) -> np.ndarray:
    b = project.layers.get("buildings")
    if b is None or not len(b):
        return np.array([], dtype=object)
    if "approximate" in b.columns and b["approximate"].astype(bool).any():
        return np.array([], dtype=object)  # derived blocks have no real walls
    polys = shapely.get_parts(b.geometry.values)
    polys = polys[shapely.get_type_id(polys) == 3]
    inside: np.ndarray = polys[shapely.intersects(polys, area)]
    return inside


def _sites_from_facades(project: Project, area: Any, spacing_m: float) -> list[tuple[str, float, float, list[float]]]:
    """Wall mounts every ``spacing_m`` along real building walls, 1 m out, facing out (normal and ± 45°)."""
    out: list[tuple[str, float, float, list[float]]] = []
    for g in _real_buildings(project, area):
        ring = np.asarray(shapely.orient_polygons(shapely.simplify(g, 2.0)).exterior.coords)
        for a, b in zip(ring[:-1], ring[1:], strict=True):
            d = b - a
            length = float(np.hypot(*d))
            if length < 4.0:
                continue
            nx, ny = d[1] / length, -d[0] / length  # outward normal of a counter-clockwise exterior
            az = math.degrees(math.atan2(nx, ny)) % 360.0
            n = max(1, int(length // spacing_m))
            for k in range(n):
                q = a + d * ((k + 0.5) / n) + np.array([nx, ny])
                if area.contains(shapely.Point(*q)):
                    out.append(("facades", float(q[0]), float(q[1]),
                                [az, (az - 45.0) % 360.0, (az + 45.0) % 360.0]))
    return out


def _sites_from_corners(project: Project, area: Any) -> list[tuple[str, float, float, list[float]]]:
    polys = _real_buildings(project, area)
    out: list[tuple[str, float, float, list[float]]] = []
    for g in polys:
        ring = shapely.simplify(g, 2.0).exterior
        pts = np.asarray(ring.coords)[:-1]
        if len(pts) < 3:
            continue
        c = np.asarray(g.centroid.coords[0])
        for p in pts:
            v = p - c
            nv = np.hypot(*v)
            if nv < 1e-6:
                continue
            q = p + v / nv * 1.0  # 1 m outside the corner
            if area.contains(shapely.Point(*q)):
                out.append(("corners", float(q[0]), float(q[1]), []))
    return out


def _sites_from_layer(project: Project, source: str, area: Any,
                      extra: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Points of a layer; its ``height_m`` and ``camera_types`` (or ``camera_type``) columns, when present,
    set each site's mount height and the camera types allowed there (a comma list)."""
    gdf = extra.get(source, project.layers.get(source))
    if gdf is None:
        raise InvalidInputError(f"`--candidates`: {source!r} is neither intersections, streets, corners, "
                                "a project layer nor a point file")
    gdf = gdf[~gdf.geometry.isna()]
    geoms = np.asarray(gdf.geometry.values)
    ok = shapely.get_type_id(geoms) == 0
    if not ok.any():
        raise InvalidInputError(f"`--candidates`: {source!r} holds no point")
    gdf, geoms = gdf[ok], geoms[ok]
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
    heights = (_numeric(gdf["height_m"]) if "height_m" in gdf.columns else np.full(len(gdf), np.nan))
    tcol = "camera_types" if "camera_types" in gdf.columns else ("camera_type" if "camera_type" in gdf.columns
                                                                 else None)
    out: list[tuple[Any, ...]] = []
    for k in range(len(gdf)):
        x, y = float(xs[k]), float(ys[k])
        if not (math.isfinite(x) and math.isfinite(y)) or not area.contains(shapely.Point(x, y)):
            continue
        h = float(heights[k])
        if not math.isnan(h) and not 0 < h <= 100:
            raise OutOfRangeError(f"`--candidates` {source!r}, point {k + 1}: height_m must be in (0, 100]; got {h:g}")
        types: tuple[str, ...] = ()
        if tcol is not None:
            v = gdf[tcol].iloc[k]
            if isinstance(v, str):
                types = tuple(t.strip() for t in v.split(",") if t.strip())
        out.append(("layer", x, y, [], None if math.isnan(h) else h, types))
    return out


def incident_density(xy: np.ndarray, incidents: Any, radius_m: float, *, name: str = "the incident layer"
                     ) -> np.ndarray:
    """Quartic-kernel density of ``incidents`` (points) at ``xy``: ``sum_i c_i (1 - (d_i/r)^2)^2`` for ``d_i < r``.

    ``c_i`` is the layer's ``weight`` column (else ``count``, else 1);
    missing, negative or non-finite values count as 1.
    """
    from scipy.spatial import cKDTree

    geoms = shapely.get_parts(incidents.geometry.values)
    pts_ok = shapely.get_type_id(incidents.geometry.values) == 0
    if len(geoms) != len(incidents) or not pts_ok.all():
        raise InvalidInputError(f"{name} must hold points only")
    ixy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    col = "weight" if "weight" in incidents.columns else ("count" if "count" in incidents.columns else None)
    if col is None:
        c = np.ones(len(ixy))
    else:
        c = np.asarray(_numeric(incidents[col]), dtype=float)
        c = np.where(np.isfinite(c) & (c >= 0), c, 1.0)
    ok = np.isfinite(ixy).all(axis=1)
    ixy, c = ixy[ok], c[ok]
    dens = np.zeros(len(xy))
    if not len(ixy) or not len(xy):
        return dens
    tree = cKDTree(xy)
    for k, hits in enumerate(tree.query_ball_point(ixy, radius_m)):
        if not hits:
            continue
        h = np.asarray(hits)
        u2 = ((xy[h] - ixy[k]) ** 2).sum(axis=1) / (radius_m * radius_m)
        dens[h] += c[k] * np.clip(1.0 - u2, 0.0, None) ** 2
    return dens


def _numeric(values: Any) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)


def _demand_weights(project: Project, xy: np.ndarray, base: np.ndarray, params: CandidateParams,
                    incidents: Any = None) -> np.ndarray:
    w = base.astype(float).copy()
    d = project.districts
    if params.district_weights and len(d):
        pts = shapely.points(xy)
        tree = shapely.STRtree(d.geometry.values)
        pi, di = tree.query(pts, predicate="within")
        mult = np.ones(len(xy))
        for k, name in enumerate(d["name"].astype(str)):
            code = str(d["code"].iloc[k])
            f = params.district_weights.get(name, params.district_weights.get(code,
                                            params.district_weights.get(name.lower())))
            if f is not None:
                if f < 0:
                    raise OutOfRangeError(f"district weight for {name!r} must be >= 0; got {f}")
                mult[pi[di == k]] = f
        w *= mult
    ps = project.layers.get("priority_sites")
    if ps is not None and len(ps) and params.site_radius_m > 0:
        from scipy.spatial import cKDTree

        sxy = np.column_stack([shapely.get_x(ps.geometry.values), shapely.get_y(ps.geometry.values)])
        sw = (np.asarray(ps["weight"], dtype=float) if "weight" in ps.columns
              else np.full(len(sxy), params.site_factor))
        sw = np.where(np.isfinite(sw) & (sw >= 0), sw, params.site_factor)
        bonus = np.zeros(len(xy))
        tree = cKDTree(xy)
        for k, hits in enumerate(tree.query_ball_point(sxy, params.site_radius_m)):
            bonus[hits] += sw[k]
        w *= 1.0 + bonus
    if incidents is not None and params.incident_weight > 0:
        w *= 1.0 + params.incident_weight * incident_density(xy, incidents, params.incident_radius_m,
                                                             name=f"`--incidents` {params.incidents!r}")
    return w


# ---------------------------------------------------------- coverage batches
def _coverage_batch(items: Sequence[tuple[int, CameraGeometry]], surface: Surface, params: CoverageParams,
                    drow: np.ndarray, dcol: np.ndarray, order: np.ndarray, rows_sorted: np.ndarray,
                    period: str) -> list[tuple[int, np.ndarray]]:
    """For each candidate, the indices of the demand points it sees at the (only) level of ``params``.

    Straight from :func:`camera_footprint` (the reference path; used for the
    existing cameras and by the tests).
    """
    out = []
    for j, g in items:
        fp = camera_footprint(g, surface, params)
        out.append((j, _seen_in(fp, drow, dcol, order, rows_sorted, period)))
    return out


def _window_points(fp: Any, drow: np.ndarray, dcol: np.ndarray, order: np.ndarray,
                   rows_sorted: np.ndarray) -> np.ndarray:
    h, w = fp.shape
    lo, hi = np.searchsorted(rows_sorted, fp.row), np.searchsorted(rows_sorted, fp.row + h)
    sel = order[lo:hi]
    c = dcol[sel]
    window: np.ndarray = sel[(c >= fp.col) & (c < fp.col + w)]
    return window


def _seen_in(fp: Any, drow: np.ndarray, dcol: np.ndarray, order: np.ndarray, rows_sorted: np.ndarray,
             period: str) -> np.ndarray:
    sel = _window_points(fp, drow, dcol, order, rows_sorted)
    arr = fp.day if period == "day" else fp.night
    seen: np.ndarray = sel[arr[drow[sel] - fp.row, dcol[sel] - fp.col] >= 1].astype(np.int32)
    return seen


def _site_batch(items: Sequence[tuple[tuple[int, ...], tuple[CameraGeometry, ...]]], surface: Surface,
                params: CoverageParams, drow: np.ndarray, dcol: np.ndarray, order: np.ndarray,
                rows_sorted: np.ndarray, period: str) -> list[tuple[int, np.ndarray]]:
    """Candidates sharing one site (same position, height, optics; several azimuths) in one pass.

    Line of sight, public space, privacy masks, range and night lighting do not
    depend on the azimuth: they come from one :func:`camera_footprint` of a
    360° camera with the same position, range and IR (its level test made
    void with an enormous focal length). The frustum and the pixel density
    along the optical axis are then applied per azimuth at the demand cells,
    with the same formulas as :func:`camera_footprint` (cell centres, ground
    from the DEM), so the result is the same cell for cell.
    """
    from planner.analysis.coverage import _ground
    from planner.analysis.optics import LensProjection, ray_pixel_density

    out = []
    thr = params.levels[0].ppm
    res = surface.resolution_m
    for js, gs in items:
        g0 = gs[0]
        if g0.pan_360 or len(gs) == 1:
            for j, g in zip(js, gs, strict=True):
                out.append((j, _seen_in(camera_footprint(g, surface, params), drow, dcol, order, rows_sorted,
                                        period)))
            continue
        pan = CameraGeometry(id=g0.id, x=g0.x, y=g0.y, height_m=g0.height_m, azimuth_deg=0.0, tilt_deg=g0.tilt_deg,
                             hfov_deg=g0.hfov_deg, vfov_deg=g0.vfov_deg, px_per_rad=1e12, pan_360=True,
                             ir_range_m=g0.ir_range_m, radius_m=g0.radius_m)
        fp = camera_footprint(pan, surface, params)
        sel = _window_points(fp, drow, dcol, order, rows_sorted)
        arr = fp.day if period == "day" else fp.night
        sel = sel[arr[drow[sel] - fp.row, dcol[sel] - fp.col] >= 1]
        if not len(sel):
            out.extend((j, np.zeros(0, np.int32)) for j in js)
            continue
        cx = surface.origin_x + (dcol[sel] + 0.5) * res
        cy = surface.origin_y - (drow[sel] + 0.5) * res
        ground = _ground(surface, cx, cy)
        cam_ground = float(_ground(surface, np.array([g0.x]), np.array([g0.y]))[0])
        vx, vy = cx - g0.x, cy - g0.y
        vz = (ground + params.target_height_m) - (cam_ground + g0.height_m)
        for j, g in zip(js, gs, strict=True):
            az = math.radians(g.azimuth_deg)
            if g.hfov_deg >= 180:
                depth = np.sqrt(vx ** 2 + vy ** 2 + vz ** 2)
                inside = vx * math.sin(az) + vy * math.cos(az) >= -1e-9
            else:
                th = math.radians(g.tilt_deg)
                ax, ay, azz = math.sin(az) * math.cos(th), math.cos(az) * math.cos(th), -math.sin(th)
                ux, uy, uz = math.sin(az) * math.sin(th), math.cos(az) * math.sin(th), math.cos(th)
                rx, ry = math.cos(az), -math.sin(az)
                depth = vx * ax + vy * ay + vz * azz
                right = vx * rx + vy * ry
                up = vx * ux + vy * uy + vz * uz
                # the lens's own angle mapping (datasheet angles), as camera_footprint does it
                inside, ppm = ray_pixel_density(LensProjection(g.projection_k, g.px_per_rad, ""),
                                                hfov_deg=g.hfov_deg, vfov_deg=g.vfov_deg,
                                                depth=depth, right=right, up=up)
                ok = inside & (ppm >= thr)
                out.append((j, sel[ok].astype(np.int32)))
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                ppm = np.where(depth > 0, g.px_per_rad / np.maximum(depth, 1e-6), 0.0)
            ok = inside & (ppm >= thr)
            out.append((j, sel[ok].astype(np.int32)))
    return out


def build_candidates(project: Project, params: CandidateParams | None = None, *, executor: Any = None,
                     progress: ProgressFn = no_progress, max_candidates: int | None = None,
                     point_layers: Mapping[str, Any] | None = None) -> CandidateSet:
    """Candidates, demand and the coverage instance for ``project`` (see the module docs).

    ``point_layers`` maps source names of :attr:`CandidateParams.sources` to
    point GeoDataFrames in the project CRS (e.g. read from a file by the caller).
    """
    from planner.analysis.executor import default_executor

    t0 = time.perf_counter()
    params = params or CandidateParams()
    notes: list[str] = []
    types = camera_types_for(project)
    for t in params.allowed_types:
        if t not in types:
            raise InvalidInputError(f"`--camera-type`: unknown camera type {t!r}")
    cparams = params.coverage_params()
    area = demand_area(project, params.districts)
    if area.is_empty:
        raise InvalidInputError("the demand area is empty (the districts do not overlap the study area)")
    progress(0.0, "candidates and demand")
    lines = _street_lines(project, area.buffer(cparams.max_range_m))
    if params.demand == "streets":
        dxy, dlen = _street_demand(_street_lines(project, area), area, params.demand_spacing_m)
        if not len(dxy):
            raise InvalidInputError("no demand: the project has no streets in the demand area; import a streets "
                                    "layer or use `--demand cells`")
    else:  # area cells: public space (outside buildings) on a grid; each stands for its area (m²)
        dxy = _grid_points(area, params.demand_spacing_m)
        dxy = dxy[_outside_buildings(project, dxy)]
        if not len(dxy):
            raise InvalidInputError("no demand cell in the demand area")
        dlen = np.full(len(dxy), params.demand_spacing_m ** 2)
    incidents = None
    if params.incidents is not None:
        incidents = (point_layers or {}).get(params.incidents, project.layers.get(params.incidents))
        if incidents is None:
            raise InvalidInputError(f"`--incidents`: {params.incidents!r} is neither a project layer nor a point file")
        if not len(incidents):
            notes.append(f"the incident layer {params.incidents!r} is empty: no incident weighting")
    weights = _demand_weights(project, dxy, dlen, params, incidents)
    want = {s for s in params.sources if s in SOURCES}
    sites: list[tuple[Any, ...]] = _sites_from_streets(lines, area, params, want)
    if "grid" in want:
        g = _grid_points(area, params.spacing_m)
        g = g[_outside_buildings(project, g)]
        sites += [("grid", float(x), float(y), []) for x, y in g]
    if "facades" in want:
        facades = _sites_from_facades(project, area, params.spacing_m)
        if not facades:
            notes.append("no façade: the project has no real building footprints in the demand area")
        sites += facades
    if "corners" in want:
        corners = _sites_from_corners(project, area)
        if not corners:
            notes.append("no building corners: the project has no real building footprints in the demand area")
        sites += corners
    for src in params.sources:
        if src not in SOURCES:
            sites += _sites_from_layer(project, src, area, point_layers or {})
    if not sites:
        raise InvalidInputError("no candidate site: the chosen sources give no point in the demand area")
    cands: list[Candidate] = []
    step = params.azimuth_step_deg
    every = [float(a) for a in np.arange(0.0, 360.0 - 1e-9, step)]
    counters: dict[str, int] = {}
    for site_t in sites:
        src, x, y, az = site_t[:4]
        height = site_t[4] if len(site_t) > 4 and site_t[4] is not None else params.height_m
        own = site_t[5] if len(site_t) > 5 else ()  # a layer point's camera_types column
        allowed = own or params.allowed_types
        prefix = {"intersections": "int", "streets": "pole", "corners": "corner", "facades": "facade", "layer": "pt",
                  "grid": "grid"}[src]
        counters[prefix] = counters.get(prefix, 0) + 1
        site = f"{prefix}-{counters[prefix]:05d}"
        for t in own:
            if t not in types:
                raise InvalidInputError(f"candidate site {site}: unknown camera type {t!r}")
        cost = params.camera_cost + (params.pole_cost if src in ("intersections", "streets", "grid") else 0.0)
        for t in allowed:
            if types[t].pan_360:
                azs = [0.0]
            elif params.azimuths == "streets" and az:
                azs = az
            else:
                azs = every
            tag = f"{site}:{t}" if len(allowed) > 1 else site
            for a in azs:
                cands.append(Candidate(id=f"{tag}@{round(a) % 360:03d}", site=site, source=src, x=x, y=y,
                                       azimuth_deg=float(a), height_m=float(height), tilt_deg=params.tilt_deg,
                                       camera_type=t, cost=cost))
    if max_candidates is not None and len(cands) > max_candidates:
        raise OutOfRangeError(f"{len(cands)} candidates exceed `max_candidates` {max_candidates}; "
                              "raise the spacing or narrow the area")
    existing = select_cameras(project, params.phases)
    geoms: list[CameraGeometry] = []
    for c in existing:
        ct = types.get(c.camera_type)
        if ct is None:
            raise InvalidInputError(f"camera {c.id}: unknown camera type {c.camera_type!r}")
        geoms.append(camera_geometry(c, ct, cparams))
    bases: dict[tuple[str, float], CameraGeometry] = {}
    for cand in cands:
        key = (cand.camera_type, cand.height_m)
        base = bases.get(key)
        if base is None:
            proto = Camera(id="candidate", x=0.0, y=0.0, height_m=cand.height_m, tilt_deg=params.tilt_deg,
                           camera_type=cand.camera_type)
            base = bases[key] = camera_geometry(proto, types[cand.camera_type], cparams)
        geoms.append(CameraGeometry(id=cand.id, x=cand.x, y=cand.y, height_m=cand.height_m,
                                    azimuth_deg=cand.azimuth_deg, tilt_deg=cand.tilt_deg, hfov_deg=base.hfov_deg,
                                    vfov_deg=base.vfov_deg, px_per_rad=base.px_per_rad, pan_360=base.pan_360,
                                    ir_range_m=base.ir_range_m, radius_m=base.radius_m,
                                    projection_k=base.projection_k))
    if project.dem is not None:
        minx, miny, maxx, maxy = project.dem.bounds
        outside = [g.id for g in geoms if not (minx <= g.x <= maxx and miny <= g.y <= maxy)]
        if outside:
            raise InvalidInputError(f"{len(outside)} camera(s)/candidate(s) lie outside the DEM "
                                    f"(e.g. {outside[0]}); import a DEM that covers the demand area")
    surface = build_surface(project, cparams)
    res = surface.resolution_m
    drow = np.floor((surface.origin_y - dxy[:, 1]) / res).astype(np.int64)
    dcol = np.floor((dxy[:, 0] - surface.origin_x) / res).astype(np.int64)
    order = np.argsort(drow, kind="stable")
    rows_sorted = drow[order]
    ex = executor or default_executor(len(geoms))
    t1 = time.perf_counter()
    pair_site: list[np.ndarray] = []
    pair_dem: list[np.ndarray] = []
    # group the candidates of one site (same position and optics, several azimuths): one line-of-sight pass each
    groups_of: dict[tuple[str, str], list[int]] = {}
    for k, cand in enumerate(cands):
        groups_of.setdefault((cand.site, cand.camera_type), []).append(len(existing) + k)
    work: list[tuple[tuple[int, ...], tuple[CameraGeometry, ...]]] = [((j,), (geoms[j],))
                                                                     for j in range(len(existing))]
    work += [(tuple(js), tuple(geoms[j] for j in js)) for js in groups_of.values()]
    for j, idx in ex.map_batches(_site_batch, work, surface, cparams, drow, dcol, order,
                                 rows_sorted, params.period, progress=sub_progress(progress, 0.05, 1.0)):
        pair_site.append(np.full(len(idx), j, dtype=np.int64))
        pair_dem.append(idx.astype(np.int64))
    t_cov = time.perf_counter() - t1
    ids = [c.id for c in existing] + [c.id for c in cands]
    groups = np.concatenate([np.arange(len(existing)) * -1 - 1,
                             np.unique([c.site for c in cands], return_inverse=True)[1]]) if cands else None
    inst = CoverageInstance.from_pairs(
        ids, [f"d{i}" for i in range(len(dxy))],
        np.concatenate(pair_site) if pair_site else np.zeros(0, np.int64),
        np.concatenate(pair_dem) if pair_dem else np.zeros(0, np.int64),
        demand_weight=weights, site_cost=[0.0] * len(existing) + [c.cost for c in cands],
        fixed=[True] * len(existing) + [False] * len(cands), group=groups)
    notes.extend(n for n in surface.notes if not n.startswith("night") or params.period == "night")
    progress(1.0, "done")
    return CandidateSet(instance=inst, candidates=tuple(cands), existing_ids=tuple(c.id for c in existing),
                        demand_xy=dxy, demand_length_m=float(dlen.sum()), params=params,
                        time_s=time.perf_counter() - t0, coverage_time_s=t_cov, notes=tuple(notes))


def cameras_for(cset: CandidateSet, chosen: Sequence[str], project: Project, *, phase: str,
                name_prefix: str = "Optimised") -> list[Camera]:
    """New :class:`Camera` nodes for the chosen candidate ids (fresh ids, one phase).

    Each records one stream at the project's default resolution, codec and bitrate.
    """
    from planner.model.nodes import Stream

    pp = project.parameters
    streams = (Stream(resolution=pp.default_resolution, codec=pp.default_codec, bitrate_mbps=pp.default_bitrate_mbps),)
    start = 0
    for n in project.cameras():
        if n.id.startswith("cam-") and n.id[4:].isdigit():
            start = max(start, int(n.id[4:]))
    out = []
    for k, cid in enumerate(chosen):
        c = cset.candidate(cid)
        out.append(Camera(id=f"cam-{start + k + 1:04d}", name=f"{name_prefix} {c.site}", x=c.x, y=c.y,
                          phase=phase, height_m=c.height_m, azimuth_deg=c.azimuth_deg, tilt_deg=c.tilt_deg,
                          camera_type=c.camera_type, cost=0.0, streams=streams,
                          notes=f"placed by planner optimise (candidate {c.id}, {c.source})"))
    return out


__all__ = ["Candidate", "CandidateParams", "CandidateSet", "build_candidates", "cameras_for", "demand_area"]
