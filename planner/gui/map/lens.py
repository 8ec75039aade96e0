"""Camera lenses as the map draws them: field of view and ranges, and the focal length of zoom lenses.

The wedge of a camera spans its horizontal field of view; its inner (darker)
part reaches the *detect* range (25 px/m) and the outer part the *monitor*
range (12.5 px/m), both from :meth:`CameraType.optics` at the camera's
``focal_mm`` (``None``: the widest setting). For a rectilinear lens the range
of a pixel density is ``f_px / PPM`` with ``f_px = W_px * f / w``, so ranges
grow in proportion to the focal length: the map's range handle uses that to
turn a dragged range into a focal length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MONITOR_PPM = 12.5
DETECT_PPM = 25.0


@dataclass(frozen=True)
class CameraGeometry:
    hfov_deg: float
    monitor_m: float
    detect_m: float


DEFAULT_GEOMETRY = CameraGeometry(60.0, 100.0, 50.0)
_CACHE: dict[tuple[str, float | None], CameraGeometry] = {}


def camera_type(type_id: str) -> Any:
    """The library's :class:`~planner.analysis.camera_types.CameraType` for ``type_id``, or None."""
    from planner.analysis.camera_types import builtin_camera_types

    return builtin_camera_types().get(type_id)


def zoom_range_mm(type_id: str) -> tuple[float, float] | None:
    """``(focal_min_mm, focal_max_mm)`` of a varifocal or PTZ lens; None for fixed lenses and fisheyes."""
    ct = camera_type(type_id)
    if ct is None or ct.hfov_deg is not None or not ct.is_zoom:
        return None
    return float(ct.focal_min_mm), float(ct.focal_max_mm)


def fit_focal(type_id: str, focal_mm: float | None) -> float | None:
    """``focal_mm`` if the lens of ``type_id`` can take it, else None (widest), e.g. after a type change."""
    if focal_mm is None:
        return None
    rng = zoom_range_mm(type_id)
    if rng is None or not rng[0] - 1e-9 <= focal_mm <= rng[1] + 1e-9:
        return None
    return focal_mm


def camera_geometry(type_id: str, focal_mm: float | None = None) -> CameraGeometry:
    """HFOV and the monitor and detect ranges of a camera type at ``focal_mm`` (clamped to the lens)."""
    rng = zoom_range_mm(type_id) if focal_mm is not None else None
    if rng is None:
        focal_mm = None
    else:
        focal_mm = min(max(float(focal_mm), rng[0]), rng[1])  # type: ignore[arg-type]
    key = (type_id, focal_mm)
    geo = _CACHE.get(key)
    if geo is None:
        ct = camera_type(type_id)
        if ct is None:
            geo = DEFAULT_GEOMETRY
        else:
            opt = ct.optics(focal_mm=focal_mm)
            geo = CameraGeometry(min(opt.hfov_deg, 359.0), opt.range_m(MONITOR_PPM), opt.range_m(DETECT_PPM))
        if len(_CACHE) > 20000:
            _CACHE.clear()
        _CACHE[key] = geo
    return geo


def focal_for_detect_range(type_id: str, current_mm: float | None, detect_m: float) -> float | None:
    """The focal length (0.1 mm steps, clamped to the lens) whose detect range is ``detect_m``.

    Returns None (the widest setting) at the short end and for lenses that do not zoom.
    """
    rng = zoom_range_mm(type_id)
    if rng is None:
        return None
    lo, hi = rng
    f0 = lo if current_mm is None else min(max(current_mm, lo), hi)
    r0 = camera_geometry(type_id, f0).detect_m
    f = f0 * max(detect_m, 0.0) / r0 if r0 > 0 else f0  # range is proportional to the focal length
    f = round(min(max(f, lo), hi), 1)
    f = min(max(f, lo), hi)
    return None if f <= lo + 1e-9 else f
