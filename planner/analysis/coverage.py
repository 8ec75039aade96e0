"""Camera and deployment coverage: optics × line of sight × pixel density, per detail level, day and night.

For every camera (docs/reference.md §R1–§R2, §R10.4):

1. **Optics** from its camera type: horizontal/vertical field of view and the
   focal length in pixels ``f_px = W_px / (2 tan(HFOV/2))``.
2. **Surface**: a window of the digital surface model around the camera, on
   the project grid (``resolution_m``, default 2 m): the DEM sampled
   bilinearly, plus building heights (real footprints, or city blocks derived
   from the street network, labelled as an approximation).
3. **Line of sight**: our viewshed kernel (:mod:`planner.analysis.viewshed`)
   from the lens (ground + mount height) to a target ``target_height_m`` above
   the ground (1.6 m: faces), with Earth curvature and refraction (k = 1/7).
4. **Frustum**: a target point ``v`` (relative to the lens) is in the image
   when ``Z = v·a > 0``, ``|v·r| <= Z tan(HFOV/2)`` and ``|v·u| <= Z tan(VFOV/2)``
   with ``a`` the optical axis (azimuth, tilt below horizontal), ``r`` the
   image right and ``u`` the image up vectors. PTZ domes and 360° fisheyes
   cover all azimuths (their guaranteed wide-angle view).
5. **Pixel density** per ray from the lens's angle mapping
   (:func:`planner.analysis.optics.ray_pixel_density`): ``PPM = f_px / Z`` (depth
   along the optical axis) for a rectilinear lens; for a wide lens fitted to its
   datasheet HFOV and VFOV, the image scale at the ray's angle over the distance,
   and the frustum test in image coordinates; the cell's level is the highest detail level whose
   threshold it meets (DORI: monitor 12.5, detect 25, observe 62.5,
   recognise 125, identify 250 px/m).
6. **Night**: with an infrared illuminator the night view is the day view
   within the IR range; a camera without IR relies on street lighting, taken
   as lit within ``street_light_radius_m`` of a street (everywhere when the
   project has no street layer, which is then reported).
7. **Privacy masks** (a ``privacy_masks`` polygon layer) are removed; cells
   inside buildings are not public space and are never counted.

Deployment results accumulate the per-camera windows into sparse tiles (only
tiles a camera touches exist, so memory follows the deployment, not the city
area): best level per cell day and night, cameras per cell (overlap), and
"blind spots" (cells within ``blind_spot_radius_m`` of a camera seen at less
than the detect level). Statistics are kept per tile, so moving one camera
recomputes only the tiles its old and new windows touch
(:func:`update_cameras`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numba import njit

from planner.analysis.camera_types import CameraType, builtin_camera_types, parse_camera_types
from planner.analysis.optics import DORI_LEVELS, DetailLevel, lens_constants, ray_density
from planner.analysis.progress import ProgressFn, no_progress, sub_progress
from planner.analysis.viewshed import REFRACTION_LIGHT, viewshed_array
from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.coverage_grid import (
    PERIODS,
    SUB,
    LevelGrid,
    polygons_frame,
    quiet_georeference_warning,
    vectorise_block,
)
from planner.model.nodes import Camera
from planner.model.project import Project

TILE = 512  # cells per tile side


@dataclass(frozen=True, kw_only=True)
class CoverageParams:
    """Inputs of the coverage analysis, with their defaults' sources.

    Attributes
    ----------
    resolution_m
        Grid cell (m); 2 m resolves street-level occlusion (docs/reference.md §R10.3).
    target_height_m
        Height of the target above the ground: 1.6 m, a face (docs/reference.md §R1.4).
    levels
        Detail levels, ascending px/m; IEC EN 62676-4 DORI by default.
    max_range_m
        Cap on any camera's analysed radius (bounds time and memory for long lenses).
    refraction_coeff
        Refraction for light, k = 1/7 (GDAL viewshed docs, docs/reference.md §R10.1).
    street_light_radius_m
        Street lighting reaches this far from a street centre line at night.
    blind_spot_radius_m
        Cells this close to a camera but seen at less than "detect" are blind spots.
    phases
        Phases to include (cumulative, as in the network analysis); None = all.
    """

    resolution_m: float = 2.0
    target_height_m: float = 1.6
    levels: tuple[DetailLevel, ...] = DORI_LEVELS
    max_range_m: float = 400.0
    refraction_coeff: float = REFRACTION_LIGHT
    street_light_radius_m: float = 25.0
    blind_spot_radius_m: float = 50.0
    phases: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 0.25 <= self.resolution_m <= 50:
            raise OutOfRangeError(f"`resolution_m` must be in [0.25, 50]; got {self.resolution_m}")
        if not 0 <= self.target_height_m <= 10:
            raise OutOfRangeError(f"`target_height_m` must be in [0, 10]; got {self.target_height_m}")
        if not 10 <= self.max_range_m <= 5000:
            raise OutOfRangeError(f"`max_range_m` must be in [10, 5000]; got {self.max_range_m}")
        if not self.levels:
            raise InvalidInputError("`levels` must hold at least one detail level")
        ppms = [lv.ppm for lv in self.levels]
        if ppms != sorted(ppms) or len(set(ppms)) != len(ppms):
            raise InvalidInputError(f"`levels` must be in strictly ascending px/m; got {ppms}")


# ----------------------------------------------------------------- cameras
@dataclass(frozen=True)
class CameraGeometry:
    """What the kernel needs of one camera (picklable, no project)."""

    id: str
    x: float
    y: float
    height_m: float
    azimuth_deg: float
    tilt_deg: float
    hfov_deg: float
    vfov_deg: float
    px_per_rad: float
    pan_360: bool
    ir_range_m: float  # > 0: IR; 0: relies on street lighting
    radius_m: float
    projection_k: float = 1.0  # lens mapping (optics.LensProjection.k): 1 rectilinear, < 1 barrel-distorted


def camera_types_for(project: Project) -> dict[str, CameraType]:
    """The library plus the project's own types (``metadata['camera_types']``)."""
    types = dict(builtin_camera_types())
    own = project.metadata.get("camera_types")
    if own:
        types.update(parse_camera_types({"schema_version": 1, "types": own}, origin="project metadata"))
    return types


def camera_geometry(cam: Camera, ctype: CameraType, params: CoverageParams) -> CameraGeometry:
    """Resolve a camera's optics (widest focal length) into a :class:`CameraGeometry`."""
    try:
        opt = ctype.optics(focal_mm=cam.focal_mm) if cam.focal_mm is not None and ctype.hfov_deg is None \
            else ctype.optics()
    except OutOfRangeError as exc:
        raise OutOfRangeError(f"camera {cam.id}: {exc}") from None
    hfov = opt.hfov_deg
    if not 0 < hfov < 360:
        raise OutOfRangeError(f"camera {cam.id}: HFOV must be in (0, 360); got {hfov}")
    vfov = opt.vfov_deg if opt.vfov_deg else hfov * ctype.height_px / ctype.width_px
    monitor = opt.px_per_rad / params.levels[0].ppm  # on-axis range of the first level
    if not ctype.pan_360 and hfov < 180 and (opt.projection is None or opt.projection.k > 0):
        # off-axis points at the same depth lie farther away: up to Z / (cos(HFOV/2) cos(tilt));
        # a lens with k <= 0 (equidistant or more barrel) never images more than f_px / distance
        monitor /= max(math.cos(math.radians(hfov / 2)) * math.cos(math.radians(min(abs(cam.tilt_deg), 80))), 0.2)
    return CameraGeometry(
        id=cam.id, x=cam.x, y=cam.y, height_m=cam.height_m, azimuth_deg=cam.azimuth_deg, tilt_deg=cam.tilt_deg,
        hfov_deg=hfov, vfov_deg=float(vfov), px_per_rad=opt.px_per_rad, pan_360=bool(ctype.pan_360),
        ir_range_m=float(ctype.ir_range_m or 0.0), radius_m=float(min(monitor, params.max_range_m)),
        projection_k=float(opt.projection.k) if opt.projection is not None else 1.0)


# ----------------------------------------------------------------- surface
@dataclass(frozen=True)
class Surface:
    """Terrain, buildings, streets and masks for the kernel, in the project CRS (picklable).

    Geometries are kept as WKB so a worker process or a dask worker can
    rebuild them; ``origin`` is the top-left corner of the project grid.
    """

    origin_x: float
    origin_y: float
    resolution_m: float
    dem: np.ndarray | None
    dem_transform: tuple[float, ...] | None
    dem_nodata: float | None
    buildings_wkb: tuple[bytes, ...]
    building_heights: np.ndarray
    streets_wkb: tuple[bytes, ...]
    masks_wkb: tuple[bytes, ...]
    buildings_approximate: bool
    notes: tuple[str, ...]

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        return (int(math.floor((self.origin_y - y) / self.resolution_m)),
                int(math.floor((x - self.origin_x) / self.resolution_m)))


def build_surface(project: Project, params: CoverageParams) -> Surface:
    """Collect the surface inputs from the project; derive blocks if needed (labelled)."""
    res = params.resolution_m
    minx, _, _, maxy = project.study_area.bounds
    ox = math.floor((minx - params.max_range_m) / res) * res
    oy = math.ceil((maxy + params.max_range_m) / res) * res
    notes: list[str] = []
    dem = tr = None
    nod = None
    if project.dem is not None:
        dem = np.asarray(project.dem.array, dtype=np.float32)
        tr = tuple(project.dem.transform)
        nod = project.dem.nodata
        notes.append(f"terrain: DEM {project.dem.source or ''} at {project.dem.resolution_m[0]:g} m".replace("  ", " "))
    else:
        notes.append("terrain: no DEM, flat ground assumed")
    approx = False
    b = project.layers.get("buildings")
    if b is not None and len(b):
        heights = np.asarray(b["height_m"] if "height_m" in b.columns else np.full(len(b), 10.0), dtype=float)
        geoms = b.geometry.values
        approx = bool("approximate" in b.columns and b["approximate"].astype(bool).any())
        if approx:
            notes.append("buildings: city blocks derived from the street network (an approximation, "
                         "not real footprints)")
        else:
            notes.append(f"buildings: {len(b)} footprints with heights")
    else:
        heights = np.zeros(0)
        geoms = np.array([], dtype=object)
        notes.append("buildings: none in the project; occlusion by terrain only")
    s = project.layers.get("streets")
    streets = tuple(shapely.to_wkb(s.geometry.values)) if s is not None and len(s) else ()
    if not streets:
        notes.append("night: no street layer, street lighting assumed everywhere for cameras without IR")
    m = project.layers.get("privacy_masks")
    masks = tuple(shapely.to_wkb(m.geometry.values)) if m is not None and len(m) else ()
    if masks:
        notes.append(f"privacy masks: {len(masks)} polygon(s) removed from coverage")
    order = np.argsort(heights, kind="stable")  # taller buildings burnt last win
    return Surface(origin_x=ox, origin_y=oy, resolution_m=res, dem=dem, dem_transform=tr, dem_nodata=nod,
                   buildings_wkb=tuple(shapely.to_wkb(np.asarray(geoms)[order])) if len(geoms) else (),
                   building_heights=heights[order], streets_wkb=streets, masks_wkb=masks,
                   buildings_approximate=approx, notes=tuple(notes))


class _SurfaceIndex:
    """Per-process decoded geometries with spatial indexes (built once per worker)."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.buildings = shapely.from_wkb(np.array(surface.buildings_wkb, dtype=object)) \
            if surface.buildings_wkb else np.array([], dtype=object)
        self.b_tree = shapely.STRtree(self.buildings) if len(self.buildings) else None
        self.streets = shapely.from_wkb(np.array(surface.streets_wkb, dtype=object)) \
            if surface.streets_wkb else np.array([], dtype=object)
        self.s_tree = shapely.STRtree(self.streets) if len(self.streets) else None
        self.masks = shapely.from_wkb(np.array(surface.masks_wkb, dtype=object)) \
            if surface.masks_wkb else np.array([], dtype=object)
        self.m_tree = shapely.STRtree(self.masks) if len(self.masks) else None


_INDEX_CACHE: dict[int, _SurfaceIndex] = {}


def _index(surface: Surface) -> _SurfaceIndex:
    key = id(surface)
    idx = _INDEX_CACHE.get(key)
    if idx is None or idx.surface is not surface:
        _INDEX_CACHE.clear()
        idx = _INDEX_CACHE[key] = _SurfaceIndex(surface)
    return idx


def _ground(surface: Surface, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """DEM bilinear at map coordinates (0 without a DEM; NaN outside it).

    The same arithmetic as :func:`planner.analysis.raster.bilinear_sample`,
    in a compiled loop that reads the DEM in place (no float64 copy of the
    whole DEM per call).
    """
    xs, ys = np.broadcast_arrays(np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))
    if surface.dem is None:
        return np.zeros(xs.shape)
    assert surface.dem_transform is not None  # build_surface sets both or neither
    a, _, c, _, e, f = surface.dem_transform[:6]
    nod = surface.dem_nodata
    nod_value = 0.0 if nod is None else float(nod)
    has_nod = nod is not None and not math.isnan(nod_value)
    out = np.empty(xs.shape, dtype=np.float64)
    _bilinear_points(surface.dem, float(a), float(c), float(e), float(f), np.ascontiguousarray(xs).ravel(),
                     np.ascontiguousarray(ys).ravel(), has_nod, nod_value if has_nod else 0.0, out.ravel())
    return out


@njit(cache=True, nogil=True)
def _bilinear_points(dem: np.ndarray, a: float, c: float, e: float, f: float, xs: np.ndarray, ys: np.ndarray,
                     has_nodata: bool, nodata: float, out: np.ndarray) -> None:
    rows, cols = dem.shape
    cmax = max(cols - 2, 0)
    rmax = max(rows - 2, 0)
    for k in range(xs.size):
        col = (xs[k] - c) / a - 0.5
        row = (ys[k] - f) / e - 0.5
        if col < -0.5 or col > cols - 0.5 or row < -0.5 or row > rows - 0.5 or col != col or row != row:
            out[k] = np.nan
            continue
        c0 = min(max(int(math.floor(col)), 0), cmax)
        r0 = min(max(int(math.floor(row)), 0), rmax)
        c1 = min(c0 + 1, cols - 1)
        r1 = min(r0 + 1, rows - 1)
        fc = min(max(col - c0, 0.0), 1.0)
        fr = min(max(row - r0, 0.0), 1.0)
        z00 = np.float64(dem[r0, c0])
        z01 = np.float64(dem[r0, c1])
        z10 = np.float64(dem[r1, c0])
        z11 = np.float64(dem[r1, c1])
        if has_nodata and (z00 == nodata or z01 == nodata or z10 == nodata or z11 == nodata):
            out[k] = np.nan
            continue
        out[k] = z00 * (1 - fc) * (1 - fr) + z01 * fc * (1 - fr) + z10 * (1 - fc) * fr + z11 * fc * fr


# ------------------------------------------------------------------ kernel
@dataclass(frozen=True)
class Footprint:
    """One camera's coverage window on the project grid.

    ``day``/``night`` hold the level index per cell (0 = not seen, 1 = the
    first level, ...); ``near`` marks cells within the blind-spot radius.
    """

    id: str
    row: int
    col: int
    day: np.ndarray
    night: np.ndarray
    near: np.ndarray
    public: np.ndarray  # cells that are public space (not inside a building)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.day.shape[0]), int(self.day.shape[1]))


def _rasterize(geoms: Sequence[Any], values: Sequence[float] | None, *, x0: float, y0: float, res: float,
               shape: tuple[int, int], fill: float = 0.0, dtype: str = "float32",
               all_touched: bool = False) -> np.ndarray:
    from affine import Affine
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.features import rasterize

    if not len(geoms):
        return np.full(shape, fill, dtype=dtype)
    quiet_georeference_warning(NotGeoreferencedWarning)  # rasterio's scratch dataset, from a worker thread
    shapes = zip(geoms, values, strict=True) if values is not None else ((g, 1) for g in geoms)
    burned: np.ndarray = rasterize(shapes, out_shape=shape, transform=Affine(res, 0, x0, 0, -res, y0), fill=fill,
                                   dtype=dtype, all_touched=all_touched)
    return burned


def camera_footprint(cam: CameraGeometry, surface: Surface, params: CoverageParams) -> Footprint:
    """Coverage of one camera (see the module docs for the model)."""
    idx = _index(surface)
    res = surface.resolution_m
    r, c = surface.cell_of(cam.x, cam.y)
    half = int(math.ceil(cam.radius_m / res))
    n = 2 * half + 1
    row0, col0 = r - half, c - half
    x0 = surface.origin_x + col0 * res
    y0 = surface.origin_y - row0 * res
    centres = x0 + (np.arange(n) + 0.5) * res
    ys = y0 - (np.arange(n) + 0.5) * res
    gx, gy = np.meshgrid(centres, ys)
    ground = _ground(surface, gx, gy)
    cam_ground = float(_ground(surface, np.array([cam.x]), np.array([cam.y]))[0])
    if not math.isfinite(cam_ground):
        raise InvalidInputError(f"camera {cam.id} lies outside the DEM (no terrain height at its position)")
    dsm = ground.astype(np.float64)
    box = shapely.box(x0, y0 - n * res, x0 + n * res, y0)
    building = np.zeros((n, n), dtype=bool)
    if idx.b_tree is not None:
        hit = idx.b_tree.query(box)
        if hit.size:
            hit.sort()  # keep the height order (taller last)
            h = _rasterize(idx.buildings[hit], surface.building_heights[hit], x0=x0, y0=y0, res=res, shape=(n, n))
            building = h > 0
            dsm = dsm + h
    zo = cam_ground + cam.height_m
    vs = viewshed_array(dsm, observer_rc=(half, half), cell_size_m=res, observer_height_m=cam.height_m,
                        target_height_m=params.target_height_m, max_distance_m=cam.radius_m,
                        refraction_coeff=params.refraction_coeff, observer_elevation_m=zo)
    vis = np.zeros((n, n), dtype=np.uint8)
    vis[vs.row_off:vs.row_off + vs.visible.shape[0], vs.col_off:vs.col_off + vs.visible.shape[1]] = vs.visible
    az = math.radians(cam.azimuth_deg)
    th = math.radians(cam.tilt_deg)
    if cam.pan_360:
        mode = 0
    elif cam.hfov_deg >= 180:  # fisheye looking sideways: half-space in front, equidistant projection
        mode = 1
    else:
        mode = 2 if cam.projection_k == 1.0 else 3  # 3: a barrel-distorted lens, per-ray mapping
    masked = np.zeros((1, 1), dtype=bool)
    if idx.m_tree is not None:
        hit = idx.m_tree.query(box)
        if hit.size:
            masked = _rasterize(idx.masks[hit], None, x0=x0, y0=y0, res=res, shape=(n, n), dtype="uint8") > 0
    lit = np.zeros((1, 1), dtype=bool)
    if cam.ir_range_m > 0:
        night_mode = 0
    elif idx.s_tree is not None:
        night_mode = 1
        hit = idx.s_tree.query(box.buffer(params.street_light_radius_m))
        if hit.size:
            lit_geoms = shapely.buffer(idx.streets[hit], params.street_light_radius_m, quad_segs=2)
            lit = _rasterize(lit_geoms, None, x0=x0, y0=y0, res=res, shape=(n, n), dtype="uint8") > 0
        else:
            lit = np.zeros((n, n), dtype=bool)
    else:
        night_mode = 2
    day = np.empty((n, n), dtype=np.uint8)
    night = np.empty((n, n), dtype=np.uint8)
    near = np.empty((n, n), dtype=bool)
    public = np.empty((n, n), dtype=bool)
    ext = np.empty(4, dtype=np.int64)
    _footprint_levels(
        vis, ground, building, x0, y0, res, cam.x, cam.y, zo, params.target_height_m, mode,
        math.sin(az), math.cos(az), math.sin(th), math.cos(th),
        math.tan(math.radians(cam.hfov_deg) / 2), math.tan(math.radians(cam.vfov_deg) / 2), cam.px_per_rad,
        *_lens(cam.projection_k, cam.hfov_deg, cam.vfov_deg),
        np.array([lv.ppm for lv in params.levels], dtype=np.float64), cam.radius_m, night_mode, cam.ir_range_m,
        lit, masked, masked.shape[0] == n, params.blind_spot_radius_m, day, night, near, public, ext)
    # keep only the bounding box of what the camera contributes (memory follows the footprint)
    if ext[0] < 0:
        return Footprint(id=cam.id, row=r, col=c, day=np.zeros((1, 1), np.uint8), night=np.zeros((1, 1), np.uint8),
                         near=np.zeros((1, 1), bool), public=public[half:half + 1, half:half + 1].copy())
    a, b, e, f = (int(v) for v in ext)
    return Footprint(id=cam.id, row=row0 + a, col=col0 + e, day=day[a:b, e:f].copy(),
                     night=night[a:b, e:f].copy(), near=near[a:b, e:f].copy(), public=public[a:b, e:f].copy())


@functools.lru_cache(maxsize=256)
def _lens(k: float, hfov_deg: float, vfov_deg: float) -> tuple[float, float, float, float, float]:
    """:func:`~planner.analysis.optics.lens_constants` and :func:`_corner_cone` of a lens."""
    consts = lens_constants(k, hfov_deg, vfov_deg)
    return (*consts, _corner_cone(*consts))


def _corner_cone(k: float, g_h: float, g_v: float, theta_max: float) -> float:
    """``tan`` of the largest ray angle that lands in the image (its corners), slightly widened; -1 when
    that angle reaches 90° (no cone test then).

    A ray at angle theta lands at ``g(theta) (x, y) / rho`` in the image, which must lie within
    ``|.| <= (g_h, g_v)``, so ``g(theta) <= hypot(g_h, g_v)``: with ``g`` increasing, every ray in the
    image is inside the cone of half-angle ``g^-1(hypot(g_h, g_v))``.
    """
    g_c = math.hypot(g_h, g_v)
    a = abs(k)
    if k < -1e-9:
        theta_c = theta_max if a * g_c >= 1.0 else math.asin(a * g_c) / a
    elif k > 1e-9:
        theta_c = math.atan(a * g_c) / a
    else:
        theta_c = g_c
    theta_c = min(theta_c, theta_max)
    if theta_c >= math.pi / 2 - 1e-6:
        return -1.0
    return math.tan(theta_c) * (1 + 1e-9) + 1e-12


@njit(cache=True, nogil=True)
def _footprint_levels(vis: np.ndarray, ground: np.ndarray, building: np.ndarray, x0: float, y0: float, res: float,
                      cx: float, cy: float, zo: float, target_h: float, mode: int, sin_az: float, cos_az: float,
                      sin_t: float, cos_t: float, tan_h: float, tan_v: float, px_per_rad: float,
                      lens_k: float, lens_g_h: float, lens_g_v: float, lens_theta_max: float, tan_c: float,
                      thresholds: np.ndarray, radius: float, night_mode: int, ir_range: float, lit: np.ndarray,
                      masked: np.ndarray, has_mask: bool, blind_r: float, day: np.ndarray, night: np.ndarray,
                      near: np.ndarray, public: np.ndarray, ext: np.ndarray) -> None:
    """Frustum, pixel density, levels, night, privacy masks and blind-spot zone of one camera window.

    ``mode`` 0: PTZ / 360° (all azimuths, depth = distance); 1: fisheye of
    180° or more (half-space in front, depth = distance); 2: pinhole frustum
    (depth along the optical axis); 3: a lens with the angle mapping ``lens_k``
    (:class:`~planner.analysis.optics.LensProjection`), whose image position and
    pixel density are computed per ray (:func:`~planner.analysis.optics.ray_density`), after a cheap test
    against the cone round the image's corners (``tan_c``: :func:`_corner_cone`). ``night_mode`` 0: IR within
    ``ir_range``; 1: lit cells only; 2: as by day. ``ext`` receives the
    bounding box ``(row0, row1, col0, col1)`` of cells seen or near (-1 if none).
    """
    n_r, n_c = vis.shape
    ax, ay, azz = sin_az * cos_t, cos_az * cos_t, -sin_t
    ux, uy, uz = sin_az * sin_t, cos_az * sin_t, cos_t
    rx, ry = cos_az, -sin_az
    nt = thresholds.size
    r_lo, r_hi, c_lo, c_hi = n_r, -1, n_c, -1
    r_far = (radius * (1 + 1e-9)) ** 2 + 1e-6  # squared-distance pre-tests, looser than the exact ones
    blind_far = (blind_r * (1 + 1e-9)) ** 2 + 1e-6
    for i in range(n_r):
        gy = y0 - (i + 0.5) * res
        vy = gy - cy
        for j in range(n_c):
            gx = x0 + (j + 0.5) * res
            vx = gx - cx
            g = ground[i, j]
            pub = (not building[i, j]) and math.isfinite(g)
            public[i, j] = pub
            d2 = vx * vx + vy * vy
            dist_h = math.hypot(vx, vy)
            nr_ = pub and d2 <= blind_far and dist_h <= blind_r
            near[i, j] = nr_
            seen = False
            level = 0
            # the frustum and the pixel density only where the cell can be seen at all
            if vis[i, j] == 1 and pub and d2 <= r_far and not (has_mask and masked[i, j]):
                vz = (g + target_h) - zo
                ray_ppm = -1.0
                if mode == 2:
                    depth = vx * ax + vy * ay + vz * azz
                    right = vx * rx + vy * ry
                    up = vx * ux + vy * uy + vz * uz
                    inside = depth > 0 and abs(right) <= depth * tan_h and abs(up) <= depth * tan_v
                elif mode == 3:
                    depth = vx * ax + vy * ay + vz * azz
                    right = vx * rx + vy * ry
                    up = vx * ux + vy * uy + vz * uz
                    if tan_c > 0.0 and (depth <= 0.0 or right * right + up * up > (depth * tan_c) ** 2):
                        inside = False  # outside the cone round the image's corners: outside the image
                    else:
                        ray_ppm = ray_density(lens_k, px_per_rad, lens_g_h, lens_g_v, lens_theta_max, depth, right,
                                              up)
                        inside = ray_ppm >= 0.0
                else:
                    depth = math.sqrt(dist_h ** 2 + vz ** 2)
                    inside = mode == 0 or vx * sin_az + vy * cos_az >= -1e-9
                seen = inside and dist_h <= radius
                if seen:
                    if mode == 3:
                        ppm = ray_ppm
                    else:
                        ppm = px_per_rad / max(depth, 1e-6) if depth > 0 else 0.0
                    while level < nt and thresholds[level] <= ppm:
                        level += 1
            d = level if seen else 0
            day[i, j] = d
            if night_mode == 0:
                night[i, j] = d if d == 0 or dist_h <= ir_range else 0
            elif night_mode == 1:
                night[i, j] = d if lit[i, j] else 0
            else:
                night[i, j] = d
            if d > 0 or nr_:
                r_lo = min(r_lo, i)
                r_hi = max(r_hi, i)
                c_lo = min(c_lo, j)
                c_hi = max(c_hi, j)
    if r_hi < 0:
        ext[0] = -1
        ext[1] = -1
        ext[2] = -1
        ext[3] = -1
    else:
        ext[0] = r_lo
        ext[1] = r_hi + 1
        ext[2] = c_lo
        ext[3] = c_hi + 1


def _footprints_batch(cams: Sequence[CameraGeometry], surface: Surface,
                      params: CoverageParams) -> list[Footprint]:
    return [camera_footprint(c, surface, params) for c in cams]


# ------------------------------------------------------------------- tiles
@dataclass
class _Tile:
    day: np.ndarray
    night: np.ndarray
    count: np.ndarray
    near: np.ndarray
    public: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)
    valid: np.ndarray | None = None  # public space inside the study area
    vday: np.ndarray | None = None  # the levels where they count (valid cells; 0 elsewhere)
    vnight: np.ndarray | None = None
    # polygons of this tile per (period, simplify_m): (level indices, geometries); tiles are never
    # changed once built (update_cameras builds new ones), so the cache stays right
    polys: dict[tuple[str, float, tuple[int, int]], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def _blocks() -> list[tuple[int, int]]:
    return [(r, c) for r in range(0, TILE, SUB) for c in range(0, TILE, SUB)]


def _vectorise_tile(tile: _Tile, key: tuple[int, int], period: str, simplify_m: float,
                    surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of one tile and period (best level per part), built in bulk and simplified once.

    Each ``SUB`` x ``SUB`` block is vectorised on its own and cached on the
    tile; :func:`update_cameras` hands the cache of unchanged blocks to the
    recomposed tile, so moving a camera redraws only the blocks it changed.
    """
    import rasterio

    with rasterio.Env():  # one GDAL environment for the tile's blocks (``shapes`` would set one up per call)
        parts = [_vectorise_block(tile, key, period, simplify_m, surface, b) for b in _blocks()]
    lv = [p[0] for p in parts if len(p[0])]
    g = [p[1] for p in parts if len(p[0])]
    if not lv:
        return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
    return np.concatenate(lv), np.concatenate(g)


def _vectorise_block(tile: _Tile, key: tuple[int, int], period: str, simplify_m: float, surface: Surface,
                     block: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    hit = tile.polys.get((period, simplify_m, block))
    if hit is not None:
        return hit
    res = surface.resolution_m
    ti, tj = key
    br, bc = block
    out = vectorise_block(_levels_block(tile, period, block), surface.origin_x + (tj * TILE + bc) * res,
                          surface.origin_y - (ti * TILE + br) * res, res, simplify_m)
    tile.polys[(period, simplify_m, block)] = out
    return out


def _levels_block(tile: _Tile, period: str, block: tuple[int, int] | None = None) -> np.ndarray:
    """The levels of a tile (or of one block) where they count: public space inside the study area."""
    arr = tile.vday if period == "day" else tile.vnight
    assert arr is not None, "tile statistics not computed"
    if block is not None:
        br, bc = block
        arr = arr[br:br + SUB, bc:bc + SUB]
    return arr


def _carry_polygons(old: _Tile, new: _Tile) -> None:
    """Give ``new`` the cached polygons of the blocks whose levels and validity did not change."""
    if not old.polys:
        return
    for br, bc in _blocks():
        sl = (slice(br, br + SUB), slice(bc, bc + SUB))
        same = all(a is not None and b is not None and np.array_equal(a[sl], b[sl])
                   for a, b in ((old.vday, new.vday), (old.vnight, new.vnight)))
        if same:
            for k, v in old.polys.items():
                if k[2] == (br, bc):
                    new.polys[k] = v


@dataclass(frozen=True)
class _Zones:
    """Per-project lookups on the grid: study area, districts, streets, priority sites."""

    area_wkb: bytes
    district_names: tuple[str, ...]
    district_codes: tuple[str, ...]
    district_levels: tuple[str, ...]
    district_wkb: tuple[bytes, ...]
    district_area_km2: tuple[float, ...]
    street_wkb: tuple[bytes, ...]  # street lines clipped to the study area
    street_total_km: float
    site_names: tuple[str, ...]
    site_xy: np.ndarray


def _zones(project: Project, params: CoverageParams) -> _Zones:
    d = project.districts
    s = project.layers.get("streets")
    streets: tuple[bytes, ...] = ()
    total = 0.0
    area = project.study_area
    shapely.prepare(area)
    if s is not None and len(s):
        lines = shapely.get_parts(s.geometry.values)
        inside = shapely.contains(area, lines)
        lines = np.concatenate([lines[inside], shapely.get_parts(shapely.intersection(lines[~inside], area))])
        lines = lines[(shapely.get_type_id(lines) == 1) & ~shapely.is_empty(lines)]
        streets = tuple(shapely.to_wkb(lines))
        total = float(shapely.length(lines).sum()) / 1000
    ps = project.layers.get("priority_sites")
    names = tuple(str(v) for v in ps["name"]) if ps is not None and len(ps) and "name" in ps.columns else ()
    sxy = (np.column_stack([shapely.get_x(ps.geometry.values), shapely.get_y(ps.geometry.values)])
           if ps is not None and len(ps) else np.zeros((0, 2)))
    if len(sxy) and not names:
        names = tuple(f"site {i + 1}" for i in range(len(sxy)))
    return _Zones(
        area_wkb=shapely.to_wkb(project.study_area),
        district_names=tuple(d["name"].astype(str)) if len(d) else (),
        district_codes=tuple(d["code"].astype(str)) if len(d) else (),
        district_levels=tuple(d["level"].astype(str)) if len(d) else (),
        district_wkb=tuple(shapely.to_wkb(d.geometry.values)) if len(d) else (),
        district_area_km2=_areas_within(d.geometry.values, area) if len(d) else (),
        street_wkb=streets, street_total_km=total, site_names=names, site_xy=sxy)


def _areas_within(geoms: Any, area: Any) -> tuple[float, ...]:
    """Area (km²) of each geometry inside ``area`` (prepared), intersecting only where needed."""
    inside = shapely.covered_by(geoms, area)
    out = shapely.area(geoms)
    if (~inside).any():
        out[~inside] = shapely.area(shapely.intersection(geoms[~inside], area))
    return tuple((out / 1e6).tolist())


@dataclass(frozen=True)
class CoverageResult:
    """Frozen result of :func:`run_coverage`; see :meth:`summary` for the figures.

    The tiles are private state used by :func:`update_cameras`; treat them as
    read-only.
    """

    params: CoverageParams
    surface: Surface
    zones: _Zones
    geometries: dict[str, CameraGeometry]
    footprints: dict[str, Footprint]
    tiles: dict[tuple[int, int], _Tile]
    study_area_km2: float
    notes: tuple[str, ...]
    touched: frozenset[tuple[int, int]] = frozenset()  # tiles the last update_cameras() recomposed

    @property
    def levels(self) -> tuple[DetailLevel, ...]:
        return self.params.levels

    @property
    def cell_area_m2(self) -> float:
        return self.params.resolution_m ** 2

    # ---- figures
    def summary(self) -> dict[str, Any]:
        """JSON-able figures: city and district coverage per level, streets, sites, overlap, blind spots."""
        nlev = len(self.levels)
        names = [lv.name for lv in self.levels]
        ca = self.cell_area_m2 / 1e6
        nd = len(self.zones.district_names)
        day = np.zeros(nlev + 1)
        night = np.zeros(nlev + 1)
        dday = np.zeros((nd, nlev + 1))
        dnight = np.zeros((nd, nlev + 1))
        overlap = np.zeros(6)
        blind = 0.0
        for t in self.tiles.values():
            st = t.stats
            day += st["day"]
            night += st["night"]
            if nd:
                dday += st["dday"]
                dnight += st["dnight"]
            overlap += st["overlap"]
            blind += st["blind"]

        def cum(h: np.ndarray) -> np.ndarray:  # cells at level >= L, for L = 1..n
            return np.cumsum(h[::-1])[::-1][1:]

        area = self.study_area_km2
        city = {}
        dc, nc = cum(day) * ca, cum(night) * ca
        for i, nm in enumerate(names):
            city[nm] = {"day_km2": float(dc[i]), "day_pct": float(100 * dc[i] / area) if area else 0.0,
                        "night_km2": float(nc[i]), "night_pct": float(100 * nc[i] / area) if area else 0.0}
        districts = []
        for k in range(nd):
            a = self.zones.district_area_km2[k]
            dk, nk = cum(dday[k]) * ca, cum(dnight[k]) * ca
            districts.append({
                "name": self.zones.district_names[k], "code": self.zones.district_codes[k],
                "level": self.zones.district_levels[k], "area_km2": a,
                "day_km2": {nm: float(dk[i]) for i, nm in enumerate(names)},
                "day_pct": {nm: float(100 * dk[i] / a) if a else 0.0 for i, nm in enumerate(names)},
                "night_pct": {nm: float(100 * nk[i] / a) if a else 0.0 for i, nm in enumerate(names)},
            })
        streets: dict[str, Any] | None = None
        if self.zones.street_wkb:
            sd_ = np.zeros(nlev + 1)
            sn_ = np.zeros(nlev + 1)
            for key in sorted(self.tiles):  # a fixed order: the same sums after an update as after a full run
                st = self.tiles[key].stats
                if "street_day" in st:
                    sd_ += st["street_day"]
                    sn_ += st["street_night"]
            total = self.zones.street_total_km
            street_levels: dict[str, dict[str, float]] = {}
            streets = {"total_km": total, "levels": street_levels}
            kds, kns = cum(sd_) / 1000, cum(sn_) / 1000
            for i, nm in enumerate(names):
                kd, kn = float(kds[i]), float(kns[i])
                street_levels[nm] = {"day_km": kd, "day_pct": 100 * kd / total if total else 0.0,
                                     "night_km": kn, "night_pct": 100 * kn / total if total else 0.0}
        sites = []
        if len(self.zones.site_xy):
            sd = self.sample(self.zones.site_xy, period="day", best_within_m=5.0)
            sn = self.sample(self.zones.site_xy, period="night", best_within_m=5.0)
            for i, nm in enumerate(self.zones.site_names):
                sites.append({"name": nm, "best_level_day": names[sd[i] - 1] if sd[i] else None,
                              "best_level_night": names[sn[i] - 1] if sn[i] else None})
        seen = int(sum(1 for s in sites if s["best_level_day"]))
        return {
            "levels": [{"name": lv.name, "ppm": lv.ppm, "label": lv.label} for lv in self.levels],
            "resolution_m": self.params.resolution_m,
            "target_height_m": self.params.target_height_m,
            "study_area_km2": area,
            "cameras": len(self.footprints),
            "phases": list(self.params.phases) if self.params.phases else None,
            "city": city,
            "districts": districts,
            "streets": streets,
            "priority_sites": sites,
            "priority_sites_seen": seen,
            "overlap_km2": {("5+" if k == 5 else str(k)): float(overlap[k] * ca) for k in range(1, 6)},
            "blind_spots_km2": float(blind * ca),
            "blind_spot_radius_m": self.params.blind_spot_radius_m,
            "approximation_notes": list(self.notes),
        }

    def sample(self, xy: np.ndarray, *, period: str = "day", best_within_m: float = 0.0) -> np.ndarray:
        """Level index at points (0 = not covered); optionally the best within a radius."""
        res = self.params.resolution_m
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        rad = int(math.ceil(best_within_m / res))
        rows = np.floor((self.surface.origin_y - xy[:, 1]) / res).astype(np.int64)
        cols = np.floor((xy[:, 0] - self.surface.origin_x) / res).astype(np.int64)
        offs = [(dr, dc) for dr in range(-rad, rad + 1) for dc in range(-rad, rad + 1)
                if not (rad and (dr * dr + dc * dc) * res * res > best_within_m ** 2)]
        dr = np.array([o[0] for o in offs], dtype=np.int64)
        dc = np.array([o[1] for o in offs], dtype=np.int64)
        r = (rows[:, None] + dr[None, :]).ravel()
        c = (cols[:, None] + dc[None, :]).ravel()
        vals = np.zeros(r.size, dtype=np.int64)
        if r.size:
            ti, tj = r // TILE, c // TILE
            keys = (ti - ti.min()) * (int(tj.max() - tj.min()) + 1) + (tj - tj.min())
            order = np.argsort(keys, kind="stable")
            for grp in np.split(order, np.flatnonzero(np.diff(keys[order])) + 1):
                t = self.tiles.get((int(ti[grp[0]]), int(tj[grp[0]])))
                if t is None:
                    continue
                arr = t.day if period == "day" else t.night
                vals[grp] = arr[r[grp] % TILE, c[grp] % TILE]
        out = vals.reshape(len(xy), len(offs)).max(axis=1) if len(xy) else np.zeros(0, dtype=np.int64)
        return out

    def camera_areas_m2(self, camera_id: str) -> dict[str, float]:
        """Area each camera sees on its own, per level (day), m²."""
        fp = self.footprints[camera_id]
        return {lv.name: float(np.count_nonzero(fp.day >= i + 1) * self.cell_area_m2)
                for i, lv in enumerate(self.levels)}

    def polygons(self, *, periods: Iterable[str] = ("day", "night"), simplify_m: float | None = None,
                 tiles: Iterable[tuple[int, int]] | None = None) -> Any:
        """Coverage as polygons coloured by the **best** level seen (a GeoDataFrame, project CRS).

        One row per polygon part: ``level`` is the best level of its cells
        (a band: the area seen at least at level L is the union of the bands
        of L and above), ``period`` is ``day`` or ``night``. Parts are
        vectorised per tile (``tile_row``/``tile_col``), so they are valid and
        never overlap; ``tiles`` limits the work to some tiles, e.g. the
        :attr:`touched` tiles after :func:`update_cameras`, to patch a map.
        """
        res = self.params.resolution_m
        simplify_m = float(res / 2 if simplify_m is None else simplify_m)
        wanted = None if tiles is None else set(tiles)
        keys = [k for k in sorted(self.tiles) if wanted is None or k in wanted]
        periods = list(periods)
        todo = [(k, p) for p in periods for k in keys
                if any((p, simplify_m, b) not in self.tiles[k].polys for b in _blocks())]
        if len(todo) > 8:  # GEOS releases the GIL: two cores vectorise two tiles at once
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
                list(pool.map(lambda kp: _vectorise_tile(self.tiles[kp[0]], kp[0], kp[1], simplify_m,
                                                         self.surface), todo))
        parts = ((period, k, *_vectorise_tile(self.tiles[k], k, period, simplify_m, self.surface))
                 for period in periods for k in keys)
        return polygons_frame(parts, tuple(lv.name for lv in self.levels), tuple(lv.ppm for lv in self.levels), None)

    def level_grid(self, crs: Any = None) -> LevelGrid:
        """The result's level raster (:class:`planner.model.coverage_grid.LevelGrid`): what a project stores."""
        tiles: dict[tuple[str, int, int], np.ndarray] = {}
        for k in sorted(self.tiles):
            for period in PERIODS:
                a = _levels_block(self.tiles[k], period)
                if a.any():  # a copy: the grid's arrays are read-only, the engine's tiles stay as they are
                    tiles[(period, *k)] = a.copy()
        return LevelGrid(origin_x=self.surface.origin_x, origin_y=self.surface.origin_y,
                         resolution_m=self.params.resolution_m, tile_size=TILE,
                         level_names=tuple(lv.name for lv in self.levels),
                         level_ppm=tuple(float(lv.ppm) for lv in self.levels), tiles=tiles, crs=crs)


# ------------------------------------------------------------- accumulation
def _tile_keys(fp: Footprint) -> list[tuple[int, int]]:
    h, w = fp.shape
    return [(ti, tj) for ti in range(fp.row // TILE, (fp.row + h - 1) // TILE + 1)
            for tj in range(fp.col // TILE, (fp.col + w - 1) // TILE + 1)]


def _compose_tile(key: tuple[int, int], fps: Iterable[Footprint]) -> _Tile:
    ti, tj = key
    r0, c0 = ti * TILE, tj * TILE
    day = np.zeros((TILE, TILE), dtype=np.uint8)
    night = np.zeros((TILE, TILE), dtype=np.uint8)
    count = np.zeros((TILE, TILE), dtype=np.uint16)
    near = np.zeros((TILE, TILE), dtype=bool)
    public = np.ones((TILE, TILE), dtype=bool)
    for fp in fps:
        h, w = fp.shape
        a0, a1 = max(fp.row, r0), min(fp.row + h, r0 + TILE)
        b0, b1 = max(fp.col, c0), min(fp.col + w, c0 + TILE)
        if a0 >= a1 or b0 >= b1:
            continue
        src = (slice(a0 - fp.row, a1 - fp.row), slice(b0 - fp.col, b1 - fp.col))
        dst = (slice(a0 - r0, a1 - r0), slice(b0 - c0, b1 - c0))
        np.maximum(day[dst], fp.day[src], out=day[dst])
        np.maximum(night[dst], fp.night[src], out=night[dst])
        count[dst] += (fp.day[src] > 0).astype(np.uint16)
        near[dst] |= fp.near[src]
        public[dst] &= fp.public[src]
    return _Tile(day=day, night=night, count=count, near=near, public=public)


@dataclass(frozen=True)
class _TileGeo:
    """Which study-area cells of a tile fall in which districts, rasterised once per zones and grid.

    Cells are labelled with a *zone combination* id: 0 outside the study
    area, ``k >= 1`` a combination of at most one district per group
    (``table[k, g]``: district index in group ``g``, or -1). Districts of one
    ``level`` (arrondissements, quartiers, ...) do not overlap, so each level
    is one group; a level whose districts overlap is split into one group per
    district. ``combo`` is ``None`` when every cell has the combination ``const``.
    """

    combo: np.ndarray | None
    const: int
    table: np.ndarray


@njit(cache=True, nogil=True)
def _combo_hist(day: np.ndarray, night: np.ndarray, count: np.ndarray, near: np.ndarray, public: np.ndarray,
                combo: np.ndarray, const: int, has_combo: bool, hd: np.ndarray, hn: np.ndarray,
                ov: np.ndarray, valid: np.ndarray, vday: np.ndarray, vnight: np.ndarray) -> int:
    """Histograms of one tile per zone combination (public cells only); returns the blind-spot count.
    Writes ``valid`` (public space in the study area) and the levels counted there (``vday``, ``vnight``)."""
    blind = 0
    nr, nc = day.shape
    for r in range(nr):
        for c in range(nc):
            cid = combo[r, c] if has_combo else const
            if not public[r, c] or cid == 0:
                valid[r, c] = False
                vday[r, c] = 0
                vnight[r, c] = 0
                continue
            valid[r, c] = True
            vday[r, c] = day[r, c]
            vnight[r, c] = night[r, c]
            d = day[r, c]
            hd[cid, d] += 1
            hn[cid, night[r, c]] += 1
            ov[min(count[r, c], 5)] += 1
            if near[r, c] and d < 2:
                blind += 1
    return blind


@njit(cache=True, nogil=True)
def _combo_keys(labels: np.ndarray, luts: np.ndarray, mults: np.ndarray, inarea: np.ndarray, has_inarea: bool,
                out: np.ndarray, seen: np.ndarray) -> None:
    """Mixed-radix zone-combination key of each cell (1 + sum of each group's digit; 0 outside the
    study area); ``seen[k]`` marks the keys in use."""
    nr, nc = out.shape
    ng = labels.shape[0]
    for r in range(nr):
        for c in range(nc):
            if has_inarea and not inarea[r, c]:
                out[r, c] = 0
                seen[0] = True
                continue
            k = 1
            for g in range(ng):
                k += luts[g, labels[g, r, c] + 1] * mults[g]
            out[r, c] = k
            seen[k] = True


def _tile_geo(key: tuple[int, int], surface: Surface, zones: _Zones) -> _TileGeo:
    cache = _Geoms.tile_cache(zones, surface)
    geo = cache.get(key)
    if geo is not None:
        return geo
    area_geom, dg = _Geoms.of(zones)
    res = surface.resolution_m
    ti, tj = key
    x0 = surface.origin_x + tj * TILE * res
    y0 = surface.origin_y - ti * TILE * res
    box = shapely.box(x0, y0 - TILE * res, x0 + TILE * res, y0)
    shape = (TILE, TILE)
    if area_geom.contains(box):
        inarea = None
    else:
        part = shapely.clip_by_rect(area_geom, x0 - res, y0 - (TILE + 1) * res, x0 + (TILE + 1) * res, y0 + res)
        inarea = (np.zeros(shape, dtype=bool) if part.is_empty else
                  _rasterize([part], None, x0=x0, y0=y0, res=res, shape=shape, dtype="uint8") > 0)
    hit = set(_Geoms.district_tree(zones).query(box).tolist()) if len(dg) else set()
    labels: list[int | np.ndarray] = []
    for members in _Geoms.groups(zones):
        mem = [k for k in members if k in hit]
        full = [k for k in mem if dg[k].contains(box)]
        if full:
            labels.append(full[0])
        elif not mem:
            labels.append(-1)
        else:
            clipped = shapely.clip_by_rect(dg[mem], x0 - res, y0 - (TILE + 1) * res, x0 + (TILE + 1) * res, y0 + res)
            keep = ~shapely.is_empty(clipped)
            lab = _rasterize(list(clipped[keep]), [k + 1 for k, ok in zip(mem, keep, strict=True) if ok],
                             x0=x0, y0=y0, res=res, shape=shape, dtype="int32")
            labels.append(lab - 1)
    if inarea is None and all(isinstance(v, int) for v in labels):
        table = np.array([[-1] * len(labels), labels], dtype=np.int64).reshape(2, len(labels))
        geo = _TileGeo(combo=None, const=1, table=table)
    else:
        # mixed-radix key over the districts present in the tile (small), then the keys in use, no sorting
        arrays: list[np.ndarray] = []
        luts: list[np.ndarray] = []
        mults: list[int] = []
        radices: list[np.ndarray] = []
        mult = 1
        for v in labels:
            present = np.array([v], dtype=np.int64) if isinstance(v, int) else \
                np.flatnonzero(np.bincount(v.ravel() + 1, minlength=len(dg) + 1)) - 1
            if not isinstance(v, int) and len(present) > 1:
                lut = np.zeros(len(dg) + 1, dtype=np.int64)
                lut[present + 1] = np.arange(len(present))
                arrays.append(v)
                luts.append(lut)
                mults.append(mult)
            radices.append(present)
            mult *= len(present)
        seen = np.zeros(mult + 1, dtype=np.bool_)
        keyarr = np.empty(shape, dtype=np.int64)
        _combo_keys(np.stack(arrays) if arrays else np.zeros((0, 1, 1), dtype=np.int32),
                    np.stack(luts) if luts else np.zeros((0, 1), dtype=np.int64),
                    np.asarray(mults, dtype=np.int64),
                    inarea if inarea is not None else np.zeros((1, 1), dtype=np.bool_), inarea is not None,
                    keyarr, seen)
        used = np.flatnonzero(seen)
        if not len(used) or used[0] != 0:
            used = np.concatenate([[0], used])
        remap = np.zeros(int(used[-1]) + 1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        table = np.full((len(used), len(labels)), -1, dtype=np.int64)
        for row, kv in enumerate(used[1:], start=1):
            rest = int(kv) - 1
            for g, present in enumerate(radices):
                table[row, g] = present[rest % len(present)]
                rest //= len(present)
        combo = remap.astype(np.uint8 if len(used) <= 256 else np.uint16)[keyarr]
        geo = _TileGeo(combo=combo, const=0, table=table)
    cache[key] = geo
    return geo


def _tile_stats(key: tuple[int, int], tile: _Tile, surface: Surface, zones: _Zones, nlev: int) -> dict[str, Any]:
    """Figures of one tile, straight from its arrays and its cached zone labels (one compiled pass)."""
    geo = _tile_geo(key, surface, zones)
    ncombo = len(geo.table)
    hd = np.zeros((ncombo, max(nlev + 1, 256)), dtype=np.int64)
    hn = np.zeros_like(hd)
    ov = np.zeros(6, dtype=np.int64)
    has = geo.combo is not None
    combo = geo.combo if geo.combo is not None else np.zeros((1, 1), dtype=np.uint8)
    tile.valid = np.empty_like(tile.public)
    tile.vday = np.empty_like(tile.day)
    tile.vnight = np.empty_like(tile.night)
    blind = _combo_hist(tile.day, tile.night, tile.count, tile.near, tile.public, combo, geo.const, has, hd, hn, ov,
                        tile.valid, tile.vday, tile.vnight)
    hd = hd[:, : nlev + 1].astype(float)
    hn = hn[:, : nlev + 1].astype(float)
    st: dict[str, Any] = {"day": hd[1:].sum(axis=0), "night": hn[1:].sum(axis=0), "overlap": ov.astype(float),
                          "blind": float(blind)}
    if zones.street_wkb:
        flat, w = _Geoms.street_buckets(zones, surface).get(key, (None, None))
        if flat is None:
            st["street_day"] = st["street_night"] = np.zeros(nlev + 1)
        else:
            st["street_day"] = np.bincount(tile.day.ravel()[flat], weights=w, minlength=nlev + 1)[: nlev + 1]
            st["street_night"] = np.bincount(tile.night.ravel()[flat], weights=w, minlength=nlev + 1)[: nlev + 1]
    nd = len(zones.district_names)
    if nd:
        dday = np.zeros((nd, nlev + 1))
        dnight = np.zeros((nd, nlev + 1))
        for cid in range(1, ncombo):
            for k in geo.table[cid]:
                if k >= 0:
                    dday[k] += hd[cid]
                    dnight[k] += hn[cid]
        st["dday"], st["dnight"] = dday, dnight
    return st


def _same_geometry(a: _Zones, b: _Zones) -> bool:
    """Same study area, districts (and levels) and streets, byte for byte."""
    return (a.area_wkb == b.area_wkb and a.district_wkb == b.district_wkb and a.district_levels == b.district_levels
            and a.street_wkb == b.street_wkb)


class _Geoms:
    """Decoded study-area, district and street geometries of the last zones object used.

    The entry keeps a reference to its zones and is matched by identity, so a
    new zones object can never be served another's geometries (an ``id()`` key
    could be reused once the old object is freed).
    """

    _entry: tuple[_Zones, Any, Any, Any] | None = None

    @classmethod
    def _get(cls, zones: _Zones) -> tuple[_Zones, Any, Any, Any]:
        entry = cls._entry
        if entry is not None and entry[0] is not zones and _same_geometry(entry[0], zones):
            # a new run on the same study area and districts (the GUI's reruns, the optimiser's candidates):
            # keep the decoded geometries and everything cached per tile; only the identity moves on
            entry = cls._entry = (zones, *entry[1:])
            if cls._tree is not None:
                cls._tree = (zones, cls._tree[1])
            if cls._groups is not None:
                cls._groups = (zones, cls._groups[1])
            if cls._tiles is not None:
                cls._tiles = (zones, *cls._tiles[1:])
            if cls._streets is not None:
                cls._streets = (zones, *cls._streets[1:])
        if entry is None or entry[0] is not zones:
            area = shapely.from_wkb(zones.area_wkb)
            shapely.prepare(area)
            dg = shapely.from_wkb(np.array(zones.district_wkb, dtype=object)) if zones.district_wkb else np.array([])
            for g in dg:
                shapely.prepare(g)
            streets = shapely.from_wkb(np.array(zones.street_wkb, dtype=object)) \
                if zones.street_wkb else np.array([], dtype=object)
            entry = cls._entry = (zones, area, dg, streets)
        return entry

    @classmethod
    def of(cls, zones: _Zones) -> tuple[Any, Any]:
        _, area, dg, _ = cls._get(zones)
        return area, dg

    @classmethod
    def streets(cls, zones: _Zones) -> Any:
        return cls._get(zones)[3]

    @classmethod
    def district_tree(cls, zones: _Zones) -> Any:
        """An STRtree of the districts, built once per zones object (not once per tile)."""
        cls._get(zones)  # re-keys the caches to an equal zones object
        if cls._tree is None or cls._tree[0] is not zones:
            cls._tree = (zones, shapely.STRtree(cls._get(zones)[2]))
        return cls._tree[1]

    _tree: tuple[_Zones, Any] | None = None
    _groups: tuple[_Zones, list[list[int]]] | None = None
    _tiles: tuple[_Zones, tuple[float, float, float], dict[tuple[int, int], _TileGeo]] | None = None

    @classmethod
    def groups(cls, zones: _Zones) -> list[list[int]]:
        """District indices per non-overlapping group: one per ``level``, or one per district of a level
        whose districts overlap (interiors sharing more than a millionth of the smaller one's area)."""
        cls._get(zones)  # re-keys the caches to an equal zones object
        if cls._groups is None or cls._groups[0] is not zones:
            _, dg = cls.of(zones)
            by_level: dict[str, list[int]] = {}
            for k, lv in enumerate(zones.district_levels):
                by_level.setdefault(lv, []).append(k)
            groups: list[list[int]] = []
            for members in by_level.values():
                geoms = dg[members]
                tree = shapely.STRtree(geoms)
                a, b = tree.query(geoms, predicate="intersects")
                sel = a < b
                a, b = a[sel], b[sel]
                overl = False
                if len(a):
                    inter = shapely.area(shapely.intersection(geoms[a], geoms[b]))
                    small = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
                    overl = bool((inter > 1e-6 * small).any())
                groups.extend([[k] for k in members] if overl else [members])
            cls._groups = (zones, groups)
        return cls._groups[1]

    _streets: tuple[_Zones, tuple[float, float, float], dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]] | None \
        = None

    @classmethod
    def street_buckets(cls, zones: _Zones, surface: Surface) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
        """Points every cell along the streets, with the length each stands for, grouped by tile
        (flat cell index in the tile, weight in m); built once per zones object and grid."""
        cls._get(zones)  # re-keys the caches to an equal zones object
        grid = (surface.origin_x, surface.origin_y, surface.resolution_m)
        if cls._streets is None or cls._streets[0] is not zones or cls._streets[1] != grid:
            lines = cls.streets(zones)
            out: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
            if len(lines):
                res = surface.resolution_m
                lengths = shapely.length(lines)
                counts = np.maximum(np.ceil(lengths / res).astype(np.int64), 1)
                idx = np.repeat(np.arange(len(lines)), counts)
                starts = np.repeat(np.cumsum(counts) - counts, counts)
                k = np.arange(idx.size) - starts
                frac = (k + 0.5) / counts[idx]
                p = shapely.line_interpolate_point(lines[idx], frac, normalized=True)
                w = (lengths / counts)[idx]
                rows = np.floor((surface.origin_y - shapely.get_y(p)) / res).astype(np.int64)
                cols = np.floor((shapely.get_x(p) - surface.origin_x) / res).astype(np.int64)
                ti, tj = rows // TILE, cols // TILE
                flat = (rows % TILE) * TILE + cols % TILE
                tkey = (ti - ti.min()) * (int(tj.max() - tj.min()) + 1) + (tj - tj.min())
                order = np.argsort(tkey, kind="stable")
                bounds = np.flatnonzero(np.diff(tkey[order])) + 1
                for grp in np.split(order, bounds):
                    if len(grp):
                        out[(int(ti[grp[0]]), int(tj[grp[0]]))] = (flat[grp], w[grp])
            cls._streets = (zones, grid, out)
        return cls._streets[2]

    @classmethod
    def tile_cache(cls, zones: _Zones, surface: Surface) -> dict[tuple[int, int], _TileGeo]:
        """Zone labels per tile for this zones object on this grid (reused by :func:`update_cameras`)."""
        cls._get(zones)  # re-keys the caches to an equal zones object
        grid = (surface.origin_x, surface.origin_y, surface.resolution_m)
        if cls._tiles is None or cls._tiles[0] is not zones or cls._tiles[1] != grid:
            cls._tiles = (zones, grid, {})
        return cls._tiles[2]


def _build_tiles(keys: Iterable[tuple[int, int]], footprints: dict[str, Footprint], surface: Surface,
                 zones: _Zones, nlev: int, progress: ProgressFn = no_progress) -> dict[tuple[int, int], _Tile]:
    allfp = list(footprints.values())
    ext = np.array([(fp.row, fp.col, fp.day.shape[0], fp.day.shape[1]) for fp in allfp],
                   dtype=np.int64).reshape(-1, 4)
    r0, c0 = ext[:, 0], ext[:, 1]
    r1, c1 = r0 + ext[:, 2], c0 + ext[:, 3]
    keys = sorted(set(keys))

    def build(k: tuple[int, int]) -> _Tile | None:
        ti, tj = k
        hit = np.flatnonzero((r0 < (ti + 1) * TILE) & (r1 > ti * TILE) & (c0 < (tj + 1) * TILE) & (c1 > tj * TILE))
        if not hit.size:
            return None
        tile = _compose_tile(k, [allfp[j] for j in hit])
        tile.stats = _tile_stats(k, tile, surface, zones, nlev)
        return tile

    _Geoms.groups(zones)  # decoded once, before two threads could both do it
    from concurrent.futures import ThreadPoolExecutor

    # composing (numpy), rasterising zones (GDAL) and the statistics kernel release the GIL in large part
    pool = ThreadPoolExecutor(max_workers=2) if len(keys) > 4 and (os.cpu_count() or 1) > 1 else None
    out = {}
    try:
        for i, (k, tile) in enumerate(zip(keys, (pool.map if pool else map)(build, keys), strict=True)):
            if tile is not None:
                out[k] = tile
            if i % 8 == 0:
                progress(i / max(len(keys), 1), f"tiles {i}/{len(keys)}")
    finally:  # a cancel (raised by progress) drops the tiles not started
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return out


# -------------------------------------------------------------------- runs
def select_cameras(project: Project, phases: tuple[str, ...] | None) -> list[Camera]:
    from planner.analysis.network_plan import select_phases

    return [n for n in select_phases(project, phases) if isinstance(n, Camera)]


def _geometries(project: Project, cams: Sequence[Camera], params: CoverageParams) -> dict[str, CameraGeometry]:
    types = camera_types_for(project)
    out = {}
    for c in cams:
        t = types.get(c.camera_type)
        if t is None:
            raise InvalidInputError(f"camera {c.id}: unknown camera type {c.camera_type!r}; "
                                    "add it to the project's camera types or pick one from the library")
        out[c.id] = camera_geometry(c, t, params)
    return out


def _check_dem_covers(project: Project, cams: Sequence[Camera]) -> None:
    if project.dem is None or not cams:
        return
    minx, miny, maxx, maxy = project.dem.bounds
    outside = [c.id for c in cams if not (minx <= c.x <= maxx and miny <= c.y <= maxy)]
    if outside:
        raise InvalidInputError(f"{len(outside)} camera(s) lie outside the DEM ({', '.join(outside[:5])}"
                                f"{', ...' if len(outside) > 5 else ''}); import a DEM that covers them")


def run_coverage(project: Project, params: CoverageParams | None = None, *, progress: ProgressFn = no_progress,
                 executor: Any = None) -> CoverageResult:
    """Coverage of every camera and of the deployment (see the module docs).

    Parameters
    ----------
    project
        The project (read only; pass a snapshot when editing continues).
    params
        :class:`CoverageParams`.
    progress
        Progress callback; raising :class:`planner.errors.AnalysisCancelled` stops the run.
    executor
        A :class:`planner.analysis.executor.BatchExecutor` (local processes by
        default for large deployments, in-process for small ones, or dask).
    """
    from planner.analysis.executor import default_executor

    params = params or CoverageParams()
    cams = select_cameras(project, params.phases)
    _check_dem_covers(project, cams)
    progress(0.0, "preparing the surface")
    geoms = _geometries(project, cams, params)
    surface = build_surface(project, params)
    zones = _zones(project, params)
    ex = executor or default_executor(len(cams), threads=True)  # the kernels release the GIL
    items = list(geoms.values())
    footprints: dict[str, Footprint] = {}
    for fp in ex.map_batches(_footprints_batch, items, surface, params,
                             progress=sub_progress(progress, 0.05, 0.8)):
        footprints[fp.id] = fp
    keys = {k for fp in footprints.values() for k in _tile_keys(fp)}
    tiles = _build_tiles(keys, footprints, surface, zones, len(params.levels),
                         progress=sub_progress(progress, 0.8, 1.0))
    progress(1.0, "done")
    return CoverageResult(params=params, surface=surface, zones=zones, geometries=geoms, footprints=footprints,
                          tiles=tiles, study_area_km2=project.area_km2(), notes=surface.notes)


def update_cameras(result: CoverageResult, project: Project, ids: Iterable[str]) -> CoverageResult:
    """Recompute only what the cameras ``ids`` touch (moved, edited, added or deleted).

    The surface (terrain, buildings) and zones are reused; only the tiles
    under the cameras' old and new windows are recomposed.
    """
    ids = list(dict.fromkeys(ids))
    footprints = dict(result.footprints)
    geoms = dict(result.geometries)
    touched: set[tuple[int, int]] = set()
    keep = {c.id for c in select_cameras(project, result.params.phases)}
    new_geoms = _geometries(project, [project.node(i) for i in ids if i in project and i in keep],  # type: ignore[misc]
                            result.params)
    _check_dem_covers(project, [project.node(i) for i in new_geoms])  # type: ignore[misc]
    for i in ids:
        old = footprints.pop(i, None)
        geoms.pop(i, None)
        if old is not None:
            touched.update(_tile_keys(old))
    for i, g in new_geoms.items():
        fp = camera_footprint(g, result.surface, result.params)
        footprints[i] = fp
        geoms[i] = g
        touched.update(_tile_keys(fp))
    tiles = {k: v for k, v in result.tiles.items() if k not in touched}
    fresh = _build_tiles(touched, footprints, result.surface, result.zones, len(result.params.levels))
    for k, t in fresh.items():
        if k in result.tiles:
            _carry_polygons(result.tiles[k], t)
    tiles.update(fresh)
    return dataclasses.replace(result, footprints=footprints, geometries=geoms, tiles=tiles,
                               touched=frozenset(touched))


def patch_polygons(old: Any, result: CoverageResult) -> Any:
    """``old`` polygons (from :meth:`CoverageResult.polygons`) with the touched tiles redrawn."""
    import pandas as pd

    if old is None or "tile_row" not in getattr(old, "columns", ()):
        return result.polygons().set_crs(old.crs if old is not None else None, allow_override=True)
    keys = list(result.touched)
    stale = pd.Series(list(zip(old["tile_row"], old["tile_col"], strict=True)), index=old.index).isin(keys)
    fresh = result.polygons(tiles=keys).set_crs(old.crs, allow_override=True)
    out = pd.concat([old[~stale.to_numpy()], fresh], ignore_index=True)
    return out.__class__(out, geometry="geometry", crs=old.crs)


def format_coverage(doc: dict[str, Any], *, max_districts: int = 12) -> str:
    """Human text of a coverage summary."""
    names = [lv["name"] for lv in doc["levels"]]
    lines = [f"Coverage of {doc['cameras']} cameras at {doc['resolution_m']:g} m, target {doc['target_height_m']:g} m "
             f"(study area {doc['study_area_km2']:.1f} km²)",
             "  level        px/m   day km²   day %   night km²  night %"]
    for lv in doc["levels"]:
        c = doc["city"][lv["name"]]
        lines.append(f"  {lv['name']:<11} {lv['ppm']:>5g}  {c['day_km2']:>8.3f}  {c['day_pct']:>6.2f}  "
                     f"{c['night_km2']:>9.3f}  {c['night_pct']:>6.2f}")
    if doc["streets"]:
        s = doc["streets"]
        lines.append(f"  streets: {s['total_km']:.1f} km; seen at detect {s['levels'][names[min(1, len(names) - 1)]]['day_pct']:.1f} % "
                     f"by day, {s['levels'][names[min(1, len(names) - 1)]]['night_pct']:.1f} % by night")
    if doc["priority_sites"]:
        lines.append(f"  priority sites seen: {doc['priority_sites_seen']} of {len(doc['priority_sites'])}")
    ov = doc["overlap_km2"]
    lines.append("  overlap (cameras per point): " + ", ".join(f"{k}: {v:.3f} km²" for k, v in ov.items()))
    lines.append(f"  blind spots (< detect within {doc['blind_spot_radius_m']:g} m of a camera): "
                 f"{doc['blind_spots_km2']:.3f} km²")
    if doc["districts"]:
        top = sorted(doc["districts"], key=lambda d: -d["day_pct"][names[0]])[:max_districts]
        lines.append(f"  districts, best covered (of {len(doc['districts'])}; % of area at {names[0]} / "
                     f"{names[min(1, len(names) - 1)]} / {names[-1]}, day):")
        for d in top:
            lines.append(f"    {d['name'][:32]:<32} {d['day_pct'][names[0]]:6.2f} "
                         f"{d['day_pct'][names[min(1, len(names) - 1)]]:6.2f} {d['day_pct'][names[-1]]:6.2f}")
    for n in doc["approximation_notes"]:
        lines.append(f"  note: {n}")
    return "\n".join(lines)


__all__ = ["CameraGeometry", "CoverageParams", "CoverageResult", "Footprint", "Surface", "build_surface",
           "camera_footprint", "camera_geometry", "camera_types_for", "format_coverage", "run_coverage",
           "update_cameras"]
