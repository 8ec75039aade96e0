"""Field-of-view wedges of cameras, for maps and exports (KML, HTML, GeoPackage, PDF).

A wedge is the horizontal sector a camera sees out to the range where its
pixel density falls to a detail level (DORI): ``r = f_px / PPM`` with
``f_px = W / (2 tan(HFOV/2))``, i.e. ``r = W / (2 PPM tan(HFOV/2))``, at the
widest focal length of the camera type. It ignores terrain, buildings and
tilt: the coverage analysis does those; the wedge is the drawing symbol.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from planner.analysis.optics import DORI_LEVELS
from planner.model.project import Project

__all__ = ["fov_wedges", "wedge"]


def wedge(x: float, y: float, *, azimuth_deg: float, hfov_deg: float, range_m: float,
          steps: int = 12) -> shapely.Polygon:
    """Sector polygon centred on ``(x, y)``; azimuth clockwise from grid north; a circle when HFOV >= 360."""
    if hfov_deg >= 359.9:
        return shapely.Point(x, y).buffer(range_m, quad_segs=8)
    a0 = math.radians(azimuth_deg - hfov_deg / 2.0)
    a1 = math.radians(azimuth_deg + hfov_deg / 2.0)
    angles = np.linspace(a0, a1, max(2, steps + 1))
    ring = [(x, y)] + [(x + range_m * math.sin(a), y + range_m * math.cos(a)) for a in angles] + [(x, y)]
    return shapely.Polygon(ring)


def fov_wedges(project: Project, *, level: str = "detect", max_range_m: float = 300.0,
               camera_types: Mapping[str, Any] | None = None) -> gpd.GeoDataFrame:
    """One wedge per camera (project CRS), at the range of detail ``level`` (default DORI detection).

    Cameras whose type is unknown get a 60° wedge of 30 m and ``type_known`` False.
    """
    if camera_types is None:
        from planner.analysis.camera_types import builtin_camera_types

        camera_types = dict(builtin_camera_types())
    ppm = {lv.name: lv.ppm for lv in DORI_LEVELS}[level]
    cache: dict[str, tuple[float, float, bool]] = {}
    rows: dict[str, list[Any]] = {k: [] for k in ("id", "name", "phase", "camera_type", "level", "hfov_deg",
                                                   "range_m", "azimuth_deg", "type_known")}
    geoms = []
    for cam in project.cameras():
        if cam.camera_type not in cache:
            ct = camera_types.get(cam.camera_type)
            if ct is None:
                cache[cam.camera_type] = (60.0, 30.0, False)
            else:
                try:
                    opt = ct.optics()
                    cache[cam.camera_type] = (float(opt.hfov_deg), float(opt.range_m(ppm)), True)
                except Exception:  # a broken user type draws as unknown
                    cache[cam.camera_type] = (60.0, 30.0, False)
        hfov, rng, known = cache[cam.camera_type]
        rng = min(rng, max_range_m)
        geoms.append(wedge(cam.x, cam.y, azimuth_deg=cam.azimuth_deg, hfov_deg=min(hfov, 360.0), range_m=rng))
        for k, v in (("id", cam.id), ("name", cam.name), ("phase", cam.phase), ("camera_type", cam.camera_type),
                     ("level", level), ("hfov_deg", hfov), ("range_m", rng), ("azimuth_deg", cam.azimuth_deg),
                     ("type_known", known)):
            rows[k].append(v)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=project.crs)
