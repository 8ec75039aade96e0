"""Camera optics: sensor size, field of view, pixel density and DORI ranges.

Pinhole model unless datasheet angles are given: with a datasheet HFOV and
VFOV the lens's angle mapping is fitted (:class:`LensProjection`), so wide
lenses with barrel distortion keep their published angles and their pixel
density is computed per ray. All lengths are in millimetres on the sensor side (``*_mm``), metres in the
scene (``*_m``), angles in degrees (``*_deg``) and pixel densities in pixels
per metre (``ppm``, px/m).

Formulas (pinhole camera geometry; optical-format sizes after optowiki):

* sensor diagonal from the optical format (inch value ``OF``):
  ``d = 16 mm * OF`` for ``OF >= 1/2``, ``d = 18 mm * OF`` below (optowiki);
  split by the aspect ratio ``a = w/h``: ``w = d * a / sqrt(a**2 + 1)``;
* ``HFOV = 2 atan(w / 2f)``, ``VFOV = 2 atan(h / 2f)``;
* focal length in pixels ``f_px = W_px / (2 tan(HFOV/2)) = W_px * f / w``;
* pixel density at depth ``Z`` along the optical axis: ``PPM = f_px / Z``;
* range for a detail level: ``r = W_px / (2 * PPM * tan(HFOV/2))``;
* ground footprint of a camera at height ``h``, tilt ``theta`` below the
  horizontal, vertical FOV ``phi``, target height ``t``:
  ``near = (h - t) / tan(theta + phi/2)``, ``far = (h - t) / tan(theta - phi/2)``
  when ``theta > phi/2``, otherwise the horizon is in view (``far = inf``).

Examples
--------
>>> round(hfov_deg(sensor_width_mm=5.6, focal_mm=2.8), 1)
90.0
>>> round(range_for_ppm_m(width_px=1920, hfov_deg=90.0, ppm=250.0), 2)
3.84
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit

from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.checks import require_in_range

__all__ = [
    "ALL_LEVELS",
    "DORI_LEVELS",
    "VALIDATE_2025",
    "DetailLevel",
    "Footprint",
    "LensProjection",
    "Optics",
    "SensorSize",
    "detail_levels",
    "focal_px",
    "ground_footprint",
    "hfov_deg",
    "lens_optics",
    "optics_from_projection",
    "parse_aspect",
    "parse_optical_format",
    "ppm_at_depth",
    "range_for_ppm_m",
    "ranges_by_level_m",
    "ray_pixel_density",
    "sensor_size_mm",
    "vfov_from_hfov_deg",
]


# --------------------------------------------------------------------------- levels


@dataclass(frozen=True)
class DetailLevel:
    """One pixel-density requirement.

    Attributes
    ----------
    name
        Machine name used as a key (``"detect"``).
    ppm
        Minimum horizontal pixel density in px/m.
    label
        Human label.
    source
        Where the threshold comes from.
    """

    name: str
    ppm: float
    label: str
    source: str


_IEC = "IEC EN 62676-4:2015 (as tabulated in the Infiniti Optics DORI white paper)"
DORI_LEVELS: tuple[DetailLevel, ...] = (
    DetailLevel("monitor", 12.5, "Monitor", "DIN EN 62676-4 (Überwachen, 80 mm per pixel), as tabulated by cctv-check.de"),
    DetailLevel("detect", 25.0, "Detection", _IEC),
    DetailLevel("observe", 62.5, "Observation", _IEC),
    DetailLevel("recognise", 125.0, "Recognition", _IEC),
    DetailLevel("identify", 250.0, "Identification", _IEC),
)
"""Default detail-level table: IEC EN 62676-4 DORI plus the DIN "monitor" level."""

VALIDATE_2025 = DetailLevel(
    "validate", 500.0, "Validate (2025)", "IEC 62676-4:2025, as tabulated by JVSG"
)
"""The 2025 "validate" level (500 px/m), which replaces identification."""

ALL_LEVELS: tuple[DetailLevel, ...] = (*DORI_LEVELS, VALIDATE_2025)
"""DORI levels followed by the 2025 "validate" level."""


def detail_levels(table: Mapping[str, float] | Iterable[DetailLevel]) -> tuple[DetailLevel, ...]:
    """Validate a user detail-level table.

    Parameters
    ----------
    table
        Either ``{name: ppm}`` or an iterable of :class:`DetailLevel`.

    Returns
    -------
    tuple of DetailLevel
        Sorted by increasing ``ppm``.

    Raises
    ------
    OutOfRangeError
        A threshold is not a finite positive number.
    InvalidInputError
        A name is empty or repeated, or the table is empty.
    """
    if isinstance(table, Mapping):
        items = [DetailLevel(str(k), float(v), str(k), "user table") for k, v in table.items()]
    else:
        items = list(table)
    if not items:
        raise InvalidInputError("`levels` is empty; give at least one detail level")
    seen: set[str] = set()
    for lvl in items:
        if not lvl.name:
            raise InvalidInputError(f"`levels` has an empty name (ppm {lvl.ppm})")
        if lvl.name in seen:
            raise InvalidInputError(f"`levels` repeats the name `{lvl.name}`")
        seen.add(lvl.name)
        if not (math.isfinite(lvl.ppm) and lvl.ppm > 0):
            raise OutOfRangeError(f"`levels[{lvl.name}]` must be > 0 px/m; got {lvl.ppm}")
    return tuple(sorted(items, key=lambda lv: lv.ppm))


# --------------------------------------------------------------------------- sensor

_OF_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*(?:"|″|in(?:ch)?|\'\')?\s*$')


def parse_optical_format(optical_format: str | float) -> float:
    """Return the optical format in inches, e.g. ``'1/2.8"'`` -> 0.357.

    Raises
    ------
    InvalidInputError
        The string is not of the form ``1/x"`` or a positive number.
    """
    if isinstance(optical_format, (int, float)):
        value = float(optical_format)
    else:
        m = _OF_RE.match(optical_format)
        if m is None:
            try:
                value = float(optical_format.strip().rstrip('"″'))
            except ValueError:
                raise InvalidInputError(
                    f'`optical_format` must look like 1/2.8"; got {optical_format!r}'
                ) from None
        else:
            den = float(m.group(2))
            if den == 0:
                raise OutOfRangeError(f"`optical_format` divides by zero: {optical_format!r}")
            value = float(m.group(1)) / den
    if not (math.isfinite(value) and 0 < value < 5):
        raise OutOfRangeError(f"`optical_format` must be in (0, 5) inch; got {optical_format!r}")
    return value


def parse_aspect(aspect: str | float | tuple[float, float]) -> float:
    """Return the aspect ratio width/height from ``"16:9"``, ``(16, 9)`` or ``1.777``."""
    try:
        if isinstance(aspect, str):
            a, _, b = aspect.partition(":")
            value = float(a) / float(b) if b else float(a)
        elif isinstance(aspect, tuple):
            value = float(aspect[0]) / float(aspect[1])
        else:
            value = float(aspect)
    except (ValueError, ZeroDivisionError):
        raise InvalidInputError(f'`aspect` must look like "16:9"; got {aspect!r}') from None
    if not (math.isfinite(value) and value > 0):
        raise OutOfRangeError(f"`aspect` must be > 0; got {aspect!r}")
    return value


@dataclass(frozen=True)
class SensorSize:
    """Active sensor area in millimetres."""

    width_mm: float
    height_mm: float
    basis: str

    @property
    def diagonal_mm(self) -> float:
        """Diagonal ``sqrt(w**2 + h**2)`` in mm."""
        return math.hypot(self.width_mm, self.height_mm)


def _positive(name: str, value: float | None) -> float:
    if value is None:
        raise InvalidInputError(f"`{name}` is required")
    return require_in_range(name, value, 0.0, None, low_open=True)


def sensor_size_mm(
    *,
    width_mm: float | None = None,
    height_mm: float | None = None,
    optical_format: str | float | None = None,
    aspect: str | float | tuple[float, float] | None = None,
    width_px: int | None = None,
    height_px: int | None = None,
    pixel_pitch_um: float | None = None,
) -> SensorSize:
    """Sensor width and height from whatever the datasheet gives.

    Priority: explicit ``width_mm`` (``height_mm`` from the aspect or pixel
    counts when missing); then pixel pitch ``w = W_px * pitch``; then the
    optical format, whose diagonal is ``16 mm * OF`` for ``OF >= 1/2"`` and
    ``18 mm * OF`` below, split by the aspect ratio ``a``:
    ``w = d * a / sqrt(a**2 + 1)`` (16:9 -> ``0.8716 d``; 4:3 -> ``0.8 d``).

    The aspect defaults to ``width_px / height_px`` when both are given, else 16:9.

    Raises
    ------
    InvalidInputError
        Nothing to compute the size from.
    OutOfRangeError
        A value is zero, negative or not finite.

    Examples
    --------
    >>> s = sensor_size_mm(optical_format='1/2.8"', aspect="16:9")
    >>> round(s.width_mm, 2), round(s.height_mm, 2)
    (5.6, 3.15)
    """
    if aspect is not None:
        a = parse_aspect(aspect)
    elif width_px is not None and height_px is not None:
        a = _positive("width_px", width_px) / _positive("height_px", height_px)
    else:
        a = 16.0 / 9.0
    if width_mm is not None:
        w = _positive("width_mm", width_mm)
        h = _positive("height_mm", height_mm) if height_mm is not None else w / a
        return SensorSize(w, h, "width_mm given")
    if pixel_pitch_um is not None:
        pitch = _positive("pixel_pitch_um", pixel_pitch_um) / 1000.0
        wpx = _positive("width_px", width_px)
        w = wpx * pitch
        h = _positive("height_px", height_px) * pitch if height_px is not None else w / a
        return SensorSize(w, h, "pixel pitch x pixel count")
    if optical_format is not None:
        inch = parse_optical_format(optical_format)
        diag = (16.0 if inch >= 0.5 else 18.0) * inch
        w = diag * a / math.sqrt(a * a + 1.0)
        return SensorSize(w, w / a, f"optical format {inch:.4f} in, diagonal {diag:.3f} mm (optowiki rule)")
    raise InvalidInputError(
        "sensor size needs `width_mm`, `pixel_pitch_um` + `width_px`, or `optical_format`"
    )


# --------------------------------------------------------------------------- angles


def hfov_deg(*, sensor_width_mm: float, focal_mm: float) -> float:
    """Field of view ``2 atan(w / 2f)`` in degrees (use the sensor height for the VFOV).

    Raises
    ------
    OutOfRangeError
        ``sensor_width_mm`` or ``focal_mm`` is not > 0.
    """
    w = _positive("sensor_width_mm", sensor_width_mm)
    f = _positive("focal_mm", focal_mm)
    return math.degrees(2.0 * math.atan(w / (2.0 * f)))


def _check_fov(name: str, value: float, *, upper: float = 180.0) -> float:
    return require_in_range(name, value, 0.0, upper, low_open=True, high_open=True, unit="degrees")


def vfov_from_hfov_deg(*, hfov_deg: float, width_px: int, height_px: int) -> float:
    """Vertical FOV of a rectilinear lens with square pixels.

    ``tan(VFOV/2) = tan(HFOV/2) * H_px / W_px``. Not valid for fisheye lenses.
    """
    h = math.radians(_check_fov("hfov_deg", hfov_deg))
    ratio = _positive("height_px", height_px) / _positive("width_px", width_px)
    return math.degrees(2.0 * math.atan(math.tan(h / 2.0) * ratio))


def focal_px(*, width_px: float, hfov_deg: float) -> float:
    """Focal length in pixels ``f_px = W_px / (2 tan(HFOV/2))``.

    Raises
    ------
    OutOfRangeError
        ``hfov_deg`` outside (0, 180) (a rectilinear image has no focal
        length at 180° or more) or ``width_px`` not > 0.
    """
    w = _positive("width_px", width_px)
    h = math.radians(_check_fov("hfov_deg", hfov_deg))
    return w / (2.0 * math.tan(h / 2.0))


def ppm_at_depth(*, focal_px: float, depth_m: float) -> float:
    """Horizontal pixel density ``PPM = f_px / Z`` at depth ``Z`` (m) along the optical axis.

    For off-axis points ``Z`` is the projection on the axis, not the
    Euclidean distance.

    Examples
    --------
    >>> ppm_at_depth(focal_px=1920 * 25 / 4.8, depth_m=10.0)
    1000.0
    """
    return _positive("focal_px", focal_px) / _positive("depth_m", depth_m)


def range_for_ppm_m(*, width_px: float, hfov_deg: float, ppm: float) -> float:
    """On-axis range (m) at which the density falls to ``ppm``: ``W_px / (2 PPM tan(HFOV/2))``.

    Raises
    ------
    OutOfRangeError
        ``hfov_deg`` outside (0, 180), ``width_px`` or ``ppm`` not > 0.
    """
    return focal_px(width_px=width_px, hfov_deg=hfov_deg) / _positive("ppm", ppm)


def ranges_by_level_m(
    *, width_px: float, hfov_deg: float, levels: Iterable[DetailLevel] = ALL_LEVELS
) -> dict[str, float]:
    """``{level name: range_for_ppm_m}`` for each detail level."""
    fpx = focal_px(width_px=width_px, hfov_deg=hfov_deg)
    return {lvl.name: fpx / _positive(f"levels[{lvl.name}].ppm", lvl.ppm) for lvl in levels}


# --------------------------------------------------------------------------- projection
#
# A lens maps a ray at angle theta from the optical axis to the image radius
# r = f * g(theta) (f: the image scale at the centre, px/rad). Named mappings
# (Miyamoto, "Fish eye lens", JOSA 54 (1964) 1060; Kingslake, "A History of the
# Photographic Lens", 1989): rectilinear f tan(theta), stereographic 2f tan(theta/2),
# equidistant f theta, equisolid-angle 2f sin(theta/2), orthographic f sin(theta).
# They are members of one family with a parameter k in [-1, 1]:
#   k > 0: g = tan(k theta) / k   (k = 1 rectilinear, 1/2 stereographic)
#   k = 0: g = theta              (equidistant)
#   k < 0: g = sin(|k| theta)/|k| (k = -1/2 equisolid, -1 orthographic)
# so a datasheet HFOV and VFOV (two angles on the image axes, whose image
# half-widths are W/2 and H/2 pixels) fix k and f: g(HFOV/2) / g(VFOV/2) = W / H.
# Wide CCTV lenses have barrel distortion (k < 1): the datasheet VFOV is well below
# the rectilinear derivation from the HFOV, and the centre scale f is above the
# rectilinear W / (2 tan(HFOV/2)).

_K_MIN, _K_MAX = -1.0, 1.0


def _g(k: float, th: np.ndarray | float) -> np.ndarray:
    t = np.asarray(th, dtype=float)
    if abs(k) < 1e-9:
        return t
    if k > 0:
        return np.tan(np.minimum(k * t, math.pi / 2 - 1e-12)) / k
    a = -k
    return np.sin(np.minimum(a * t, math.pi / 2)) / a


def _g_prime(k: float, th: np.ndarray | float) -> np.ndarray:
    t = np.asarray(th, dtype=float)
    if abs(k) < 1e-9:
        return np.ones_like(t)
    if k > 0:
        return 1.0 / np.cos(np.minimum(k * t, math.pi / 2 - 1e-12)) ** 2
    a = -k
    return np.cos(np.minimum(a * t, math.pi / 2))


def _g_inv(k: float, u: np.ndarray | float) -> np.ndarray:
    v = np.asarray(u, dtype=float)
    if abs(k) < 1e-9:
        return v
    if k > 0:
        return np.arctan(k * v) / k
    a = -k
    return np.arcsin(np.clip(a * v, -1.0, 1.0)) / a


def _theta_max(k: float) -> float:
    """Largest angle the mapping keeps one-to-one (rad)."""
    if k > 1e-9:
        return min(math.pi, math.pi / (2 * k))
    if k < -1e-9:
        return min(math.pi, math.pi / (2 * -k))
    return math.pi


@dataclass(frozen=True)
class LensProjection:
    """Radial mapping of a lens, ``r = px_per_rad * g_k(theta)`` (see the module comments).

    Attributes
    ----------
    k
        Mapping parameter in [-1, 1]: 1 rectilinear (pinhole), 0.5 stereographic,
        0 equidistant, -0.5 equisolid-angle, -1 orthographic.
    px_per_rad
        Image scale at the centre, px/rad (the focal length in pixels).
    basis
        How the mapping was obtained.
    """

    k: float
    px_per_rad: float
    basis: str

    @classmethod
    def rectilinear(cls, px_per_rad: float, basis: str = "rectilinear (pinhole)") -> LensProjection:
        """The pinhole mapping ``r = f tan(theta)``."""
        return cls(1.0, float(px_per_rad), basis)

    @classmethod
    def equidistant(cls, px_per_rad: float, basis: str = "equidistant fisheye") -> LensProjection:
        """The fisheye mapping ``r = f theta``."""
        return cls(0.0, float(px_per_rad), basis)

    @classmethod
    def from_fov(cls, *, hfov_deg: float, vfov_deg: float, width_px: float, height_px: float) -> LensProjection:
        """The mapping through a datasheet HFOV and VFOV on a ``width_px x height_px`` image.

        Solves ``g_k(HFOV/2) / g_k(VFOV/2) = W / H`` for ``k`` (bisection; the ratio
        grows with ``k``), then ``f = (W/2) / g_k(HFOV/2)``. Angle pairs outside the
        family (narrower VFOV than orthographic, wider than rectilinear) are clamped
        to ``k = -1`` or ``1`` and said so in ``basis``.

        Examples
        --------
        >>> p = LensProjection.from_fov(hfov_deg=90.0, vfov_deg=58.7155, width_px=1920, height_px=1080)
        >>> round(p.k, 3), round(p.px_per_rad, 1)
        (1.0, 960.0)
        """
        th_h = math.radians(_check_fov("hfov_deg", hfov_deg, upper=360.0)) / 2.0
        th_v = math.radians(_check_fov("vfov_deg", vfov_deg, upper=360.0)) / 2.0
        target = _positive("width_px", width_px) / _positive("height_px", height_px)

        def ratio(k: float) -> float:
            if max(th_h, th_v) >= _theta_max(k) - 1e-9:
                return math.inf if k > 0 else float(_g(k, th_h) / _g(k, th_v))
            return float(_g(k, th_h) / _g(k, th_v))

        lo, hi = _K_MIN, _K_MAX
        # the range of k whose mapping still holds both angles (|k| theta < pi/2)
        while hi > lo and max(th_h, th_v) >= _theta_max(hi) - 1e-9:
            hi = max(lo, hi - 0.01)
        while lo < hi and max(th_h, th_v) >= _theta_max(lo) - 1e-9:
            lo = min(hi, lo + 0.01)
        note = ""
        if abs(th_h - th_v) < 1e-12 and abs(target - 1.0) < 1e-12:
            k = 0.0 if lo <= 0.0 <= hi else 0.5 * (lo + hi)  # any k fits a square frame: take equidistant
            note = "; square frame with equal angles: equidistant mapping assumed"
        elif ratio(hi) < target:
            k = hi
            note = f"; the angles ask for more than a k = {hi:g} mapping, clamped"
        elif ratio(lo) > target:
            k = lo
            note = "; the angles ask for less than an orthographic mapping, clamped"
        else:
            for _ in range(80):
                mid = 0.5 * (lo + hi)
                if ratio(mid) < target:
                    lo = mid
                else:
                    hi = mid
            k = 0.5 * (lo + hi)
        f = (float(width_px) / 2.0) / float(_g(k, th_h))
        return cls(k, f, f"fitted to datasheet HFOV {hfov_deg:g}° and VFOV {vfov_deg:g}° (k = {k:.3f}){note}")

    def radius_px(self, theta_rad: np.ndarray | float) -> np.ndarray:
        """Image radius (px) of a ray at ``theta_rad`` from the axis."""
        return self.px_per_rad * _g(self.k, theta_rad)

    def angle_rad(self, radius_px: np.ndarray | float) -> np.ndarray:
        """Ray angle (rad) imaged at ``radius_px`` from the centre (inverse of :meth:`radius_px`)."""
        return _g_inv(self.k, np.asarray(radius_px, dtype=float) / self.px_per_rad)

    def fov_deg(self, extent_px: float) -> float:
        """Full angle (deg) across an image extent of ``extent_px`` pixels through the centre."""
        return math.degrees(2.0 * float(self.angle_rad(extent_px / 2.0)))

    def scale_px_per_rad(self, theta_rad: np.ndarray | float) -> np.ndarray:
        """Smallest image scale (px/rad) of a small object perpendicular to a ray at ``theta_rad``.

        ``min(f g'(theta), f g(theta) / sin(theta))``: the radial and the tangential
        scales; ``f`` on the axis. For a rectilinear lens this is ``f / cos(theta)``,
        so the pixel density ``scale / distance`` equals ``f_px / Z`` (Z the depth
        along the axis).
        """
        t = np.asarray(theta_rad, dtype=float)
        radial = _g_prime(self.k, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            tangential = np.where(t > 1e-9, _g(self.k, t) / np.sin(np.maximum(t, 1e-12)), 1.0)
        scale: np.ndarray = self.px_per_rad * np.minimum(radial, tangential)
        return scale


def ray_pixel_density(
    projection: LensProjection,
    *,
    hfov_deg: float,
    vfov_deg: float,
    depth: np.ndarray,
    right: np.ndarray,
    up: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which rays fall inside the image, and the pixel density (px/m) at each, per ray.

    ``depth``, ``right`` and ``up`` are the target's coordinates (m) along the optical
    axis, the image right and the image up vectors. A ray at angle ``theta`` from
    the axis is imaged at radius ``r(theta)``, in the direction ``(right, up)``; it is
    inside when ``|x| <= r(HFOV/2)`` and ``|y| <= r(VFOV/2)``. The density is
    :meth:`LensProjection.scale_px_per_rad` over the Euclidean distance. For a
    rectilinear lens both reduce to the pinhole frustum and ``f_px / Z``.
    """
    if projection.k == 1.0:  # pinhole: the frustum test and f_px / Z directly (same figures, faster)
        th_h = math.tan(math.radians(hfov_deg) / 2)
        th_v = math.tan(math.radians(vfov_deg) / 2)
        inside = (depth > 0) & (np.abs(right) <= depth * th_h) & (np.abs(up) <= depth * th_v)
        with np.errstate(divide="ignore", invalid="ignore"):
            ppm = np.where(inside, projection.px_per_rad / np.maximum(depth, 1e-6), 0.0)
        return inside, ppm
    d = np.ascontiguousarray(depth, dtype=np.float64)
    r = np.ascontiguousarray(np.broadcast_to(right, d.shape), dtype=np.float64)
    u = np.ascontiguousarray(np.broadcast_to(up, d.shape), dtype=np.float64)
    inside = np.zeros(d.shape, dtype=np.bool_)
    ppm = np.zeros(d.shape, dtype=np.float64)
    k = float(projection.k)
    _ray_kernel(k, float(projection.px_per_rad), float(_g(k, math.radians(hfov_deg) / 2.0)),
                float(_g(k, math.radians(vfov_deg) / 2.0)), _theta_max(k) - 1e-9,
                d.reshape(-1), r.reshape(-1), u.reshape(-1), inside.reshape(-1), ppm.reshape(-1))
    return inside, ppm


def lens_constants(k: float, hfov_deg: float, vfov_deg: float) -> tuple[float, float, float, float]:
    """``(k, g_k(HFOV/2), g_k(VFOV/2), largest ray angle)``: what :func:`ray_density` needs of a lens."""
    k = float(k)
    return (k, float(_g(k, math.radians(hfov_deg) / 2.0)), float(_g(k, math.radians(vfov_deg) / 2.0)),
            _theta_max(k) - 1e-9)


@njit(cache=True, nogil=True)
def ray_density(k: float, f: float, g_h: float, g_v: float, theta_max: float, z: float, x: float,
                y: float) -> float:
    """Pixel density (px/m) of the ray to a target at ``(depth z, right x, up y)``, or -1 outside the image.

    The scalar form of :func:`ray_pixel_density` for a mapping ``k`` (the coverage kernel calls it per cell).
    """
    a = -k if k < 0.0 else k
    rho = math.sqrt(x * x + y * y)
    if rho == 0.0:
        return f / z if z > 0.0 else -1.0
    theta = math.atan2(rho, z)
    if theta >= theta_max or (k > 0.0 and z <= 0.0):
        return -1.0
    if k < -1e-9:
        g = math.sin(a * theta) / a
        radial = math.cos(a * theta)
    elif k > 1e-9:
        g = math.tan(a * theta) / a
        radial = 1.0 / math.cos(a * theta) ** 2
    else:
        g = theta
        radial = 1.0
    if g * abs(x) / rho > g_h or g * abs(y) / rho > g_v:
        return -1.0
    tangential = g / math.sin(theta) if theta > 1e-9 else 1.0
    return f * min(radial, tangential) / math.sqrt(z * z + rho * rho)


@njit(cache=True, nogil=True)
def _ray_kernel(k: float, f: float, g_h: float, g_v: float, theta_max: float, depth: np.ndarray,
                right: np.ndarray, up: np.ndarray, inside: np.ndarray, ppm: np.ndarray) -> None:
    """Loop form of :func:`ray_pixel_density` for a non-rectilinear mapping (same formulas)."""
    for i in range(depth.size):
        d = ray_density(k, f, g_h, g_v, theta_max, depth[i], right[i], up[i])
        if d >= 0.0:
            inside[i] = True
            ppm[i] = d


# --------------------------------------------------------------------------- lens


@dataclass(frozen=True)
class Optics:
    """Resolved optics of one camera at one focal length.

    ``vfov_deg`` is ``None`` when the image height is unknown. ``focal_px``
    is ``None`` for panoramic/fisheye images (``hfov_deg >= 180``).
    ``projection`` is the lens's angle mapping (rectilinear unless datasheet
    angles say otherwise); ``vfov_basis`` says where the VFOV comes from.
    """

    width_px: int
    height_px: int | None
    hfov_deg: float
    vfov_deg: float | None
    focal_px: float | None
    focal_mm: float | None
    sensor: SensorSize | None
    projection: LensProjection | None = None
    vfov_basis: str = ""

    @property
    def px_per_rad(self) -> float:
        """Angular pixel density at the image centre (px/rad).

        The centre scale of :attr:`projection`: ``f_px`` for a rectilinear lens,
        the fitted centre scale for a distorted lens with datasheet HFOV and VFOV,
        ``W_px / HFOV_rad`` for a panoramic (fisheye, HFOV >= 180°) image given by
        its HFOV alone (the equidistant projection).
        """
        if self.projection is not None:
            return self.projection.px_per_rad
        if self.focal_px is not None:
            return self.focal_px
        return self.width_px / math.radians(self.hfov_deg)

    def range_m(self, ppm: float) -> float:
        """On-axis range (m) at which the density falls to ``ppm``: ``px_per_rad / PPM``."""
        return self.px_per_rad / _positive("ppm", ppm)

    def ranges_m(self, levels: Iterable[DetailLevel] = ALL_LEVELS) -> dict[str, float]:
        """``{level name: range}`` in metres."""
        return {lvl.name: self.range_m(lvl.ppm) for lvl in levels}


RECTILINEAR_VFOV_NOTE = "derived from the HFOV assuming a rectilinear lens (give the datasheet VFOV)"


def optics_from_projection(
    projection: LensProjection,
    *,
    width_px: int,
    height_px: int | None,
    focal_mm: float | None = None,
    sensor: SensorSize | None = None,
    vfov_basis: str = "",
) -> Optics:
    """:class:`Optics` whose HFOV and VFOV are the angles ``projection`` images across the frame."""
    h = projection.fov_deg(float(width_px))
    v = projection.fov_deg(float(height_px)) if height_px is not None else None
    return Optics(int(width_px), None if height_px is None else int(height_px), h, v,
                  projection.px_per_rad if h < 180.0 else None, focal_mm, sensor, projection,
                  vfov_basis or projection.basis)


@functools.lru_cache(maxsize=4096)
def lens_optics(
    *,
    width_px: int,
    height_px: int | None = None,
    sensor_width_mm: float | None = None,
    sensor_height_mm: float | None = None,
    focal_mm: float | None = None,
    hfov_deg: float | None = None,
    vfov_deg: float | None = None,
) -> Optics:
    """Resolve HFOV, VFOV, the lens mapping and ``f_px`` from a sensor + lens or datasheet angles.

    * Datasheet ``hfov_deg`` **and** ``vfov_deg`` (with ``height_px``): the lens
      mapping is fitted to both (:meth:`LensProjection.from_fov`), so a
      barrel-distorted wide lens keeps its published VFOV and gets its real
      centre scale. 2.8 mm Hikvision DS-2CD1043G2-LIU, 2560 x 1440, datasheet
      98° x 54°: ``f`` = 1,543 px/rad (rectilinear from the HFOV alone: 1,113).
    * Datasheet ``hfov_deg`` alone (0 < HFOV < 360): the VFOV is derived as for a
      rectilinear lens, ``tan(V/2) = tan(H/2) H_px/W_px``, and ``vfov_basis`` says
      so; a panoramic image (HFOV >= 180°) is taken as equidistant.
    * ``sensor_width_mm`` + ``focal_mm``: the pinhole angles ``2 atan(w / 2f)``.

    Raises
    ------
    InvalidInputError
        Neither ``hfov_deg`` nor ``sensor_width_mm`` + ``focal_mm`` given.
    OutOfRangeError
        A value out of range (HFOV 0 or >= 360, focal <= 0, ...).
    """
    wpx = int(_positive("width_px", width_px))
    hpx = int(_positive("height_px", height_px)) if height_px is not None else None
    f_mm = _positive("focal_mm", focal_mm) if focal_mm is not None else None
    sensor: SensorSize | None = None
    if sensor_width_mm is not None:
        sensor = sensor_size_mm(
            width_mm=sensor_width_mm, height_mm=sensor_height_mm, width_px=wpx, height_px=hpx
        )
    if hfov_deg is not None:
        h = _check_fov("hfov_deg", hfov_deg, upper=360.0)
    elif sensor is not None and f_mm is not None:
        h = math.degrees(2.0 * math.atan(sensor.width_mm / (2.0 * f_mm)))
    else:
        raise InvalidInputError(
            "optics need `hfov_deg` or both `sensor_width_mm` and `focal_mm`"
        )
    v: float | None
    projection: LensProjection
    if vfov_deg is not None:
        v = _check_fov("vfov_deg", vfov_deg, upper=360.0)
        if hpx is not None:
            projection = LensProjection.from_fov(hfov_deg=h, vfov_deg=v, width_px=wpx, height_px=hpx)
            basis = "datasheet"
        else:
            projection = (LensProjection.rectilinear(focal_px(width_px=wpx, hfov_deg=h)) if h < 180.0
                          else LensProjection.equidistant(wpx / math.radians(h)))
            basis = "datasheet (no image height: lens mapping not fitted)"
    elif hfov_deg is None and sensor is not None and f_mm is not None:
        projection = LensProjection.rectilinear(wpx * f_mm / sensor.width_mm, "pinhole from sensor and focal length")
        if sensor_height_mm is not None or hpx is not None:
            v = math.degrees(2.0 * math.atan(sensor.height_mm / (2.0 * f_mm)))
            basis = "pinhole from sensor height and focal length"
        else:
            v, basis = None, ""
    elif h < 180.0:
        projection = LensProjection.rectilinear(focal_px(width_px=wpx, hfov_deg=h), "rectilinear from the HFOV")
        if hpx is not None:
            v = vfov_from_hfov_deg(hfov_deg=h, width_px=wpx, height_px=hpx)
            basis = RECTILINEAR_VFOV_NOTE
        else:
            v, basis = None, ""
    else:
        projection = LensProjection.equidistant(wpx / math.radians(h), "equidistant fisheye from the HFOV")
        v, basis = None, ""
    fpx = projection.px_per_rad if h < 180.0 else None
    return Optics(wpx, hpx, h, v, fpx, f_mm, sensor, projection, basis)


# --------------------------------------------------------------------------- footprint


@dataclass(frozen=True)
class Footprint:
    """Ground (target-plane) distances seen by a tilted camera, in metres.

    ``far_m`` is ``inf`` when the upper edge of the image is at or above the
    horizon (``horizon_in_view``): the far limit is then the pixel-density
    range or an obstruction.
    """

    near_m: float
    far_m: float
    horizon_in_view: bool


def ground_footprint(
    *, height_m: float, tilt_deg: float, vfov_deg: float, target_height_m: float = 0.0
) -> Footprint:
    """Near and far horizontal distances where the target plane is in the image.

    ``near = (h - t) / tan(theta + phi/2)`` (0 when the nadir is in view),
    ``far = (h - t) / tan(theta - phi/2)`` if ``theta > phi/2`` else ``inf``.

    Parameters
    ----------
    height_m
        Camera height above ground.
    tilt_deg
        Tilt of the optical axis below the horizontal, in (-90, 90].
    vfov_deg
        Vertical field of view, in (0, 180).
    target_height_m
        Height of the target plane (1.6 m faces, 0 ground); must be below the camera.

    Raises
    ------
    OutOfRangeError
        Bad angles, target not below the camera, or an image that sees no
        part of the target plane.

    Examples
    --------
    >>> fp = ground_footprint(height_m=6, tilt_deg=30, vfov_deg=42.98, target_height_m=1.6)
    >>> round(fp.near_m, 2), round(fp.far_m, 2)
    (3.5, 29.41)
    """
    h = require_in_range("height_m", height_m, 0.0, None, low_open=True)
    t = require_in_range("target_height_m", target_height_m, 0.0, h, high_open=True, what="(below height_m)")
    phi = _check_fov("vfov_deg", vfov_deg)
    theta = require_in_range("tilt_deg", tilt_deg, -90.0, 90.0, low_open=True)
    lower = theta + phi / 2.0
    upper = theta - phi / 2.0
    if lower <= 0.0:
        raise OutOfRangeError(
            f"`tilt_deg`={theta:g} with VFOV {phi:g} looks above the horizon; no target plane in view"
        )
    dh = h - t
    near = 0.0 if lower >= 90.0 else dh / math.tan(math.radians(lower))
    if upper > 0.0:
        return Footprint(near, dh / math.tan(math.radians(upper)), False)
    return Footprint(near, math.inf, True)
