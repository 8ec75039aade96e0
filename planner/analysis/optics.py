"""Camera optics: sensor size, field of view, pixel density and DORI ranges.

Pinhole model, no lens distortion (fisheye lenses need the datasheet angle).
All lengths are in millimetres on the sensor side (``*_mm``), metres in the
scene (``*_m``), angles in degrees (``*_deg``) and pixel densities in pixels
per metre (``ppm``, px/m).

Formulas (engineering.md Part A §2.1, Part C §10.4):

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

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planner.errors import InvalidInputError, OutOfRangeError

__all__ = [
    "ALL_LEVELS",
    "DORI_LEVELS",
    "VALIDATE_2025",
    "DetailLevel",
    "Footprint",
    "Optics",
    "SensorSize",
    "detail_levels",
    "focal_px",
    "ground_footprint",
    "hfov_deg",
    "lens_optics",
    "parse_aspect",
    "parse_optical_format",
    "ppm_at_depth",
    "range_for_ppm_m",
    "ranges_by_level_m",
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


_IEC = "IEC EN 62676-4:2015 via engineering.md Part A §2.2 / Part C §7.4"
DORI_LEVELS: tuple[DetailLevel, ...] = (
    DetailLevel("monitor", 12.5, "Monitor", "DIN EN 62676-4 via cctv-check.de (engineering.md §2.2)"),
    DetailLevel("detect", 25.0, "Detection", _IEC),
    DetailLevel("observe", 62.5, "Observation", _IEC),
    DetailLevel("recognise", 125.0, "Recognition", _IEC),
    DetailLevel("identify", 250.0, "Identification", _IEC),
)
"""Default detail-level table: IEC EN 62676-4 DORI plus the DIN "monitor" level."""

VALIDATE_2025 = DetailLevel(
    "validate", 500.0, "Validate (2025)", "IEC 62676-4:2025 via JVSG (engineering.md §2.2)"
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
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise OutOfRangeError(f"`{name}` must be > 0; got {value}")
    return v


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
    v = float(value)
    if not (math.isfinite(v) and 0.0 < v < upper):
        raise OutOfRangeError(f"`{name}` must be in (0, {upper:g}) degrees; got {value}")
    return v


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


# --------------------------------------------------------------------------- lens


@dataclass(frozen=True)
class Optics:
    """Resolved optics of one camera at one focal length.

    ``vfov_deg`` is ``None`` when the image height is unknown. ``focal_px``
    is ``None`` for panoramic/fisheye images (``hfov_deg >= 180``).
    """

    width_px: int
    height_px: int | None
    hfov_deg: float
    vfov_deg: float | None
    focal_px: float | None
    focal_mm: float | None
    sensor: SensorSize | None

    @property
    def px_per_rad(self) -> float:
        """Angular pixel density at the image centre (px/rad).

        ``f_px`` for a rectilinear lens; ``W_px / HFOV_rad`` for a panoramic
        (fisheye, HFOV >= 180°) image, the equidistant-projection approximation.
        """
        if self.focal_px is not None:
            return self.focal_px
        return self.width_px / math.radians(self.hfov_deg)

    def range_m(self, ppm: float) -> float:
        """Range (m) at which the density falls to ``ppm``: ``px_per_rad / PPM``.

        On-axis and exact for rectilinear lenses; an equidistant-projection
        approximation for fisheye images (check against the datasheet).
        """
        return self.px_per_rad / _positive("ppm", ppm)

    def ranges_m(self, levels: Iterable[DetailLevel] = ALL_LEVELS) -> dict[str, float]:
        """``{level name: range}`` in metres."""
        return {lvl.name: self.range_m(lvl.ppm) for lvl in levels}


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
    """Resolve HFOV, VFOV and ``f_px`` from a sensor + lens or a datasheet angle.

    A datasheet ``hfov_deg`` (0 < HFOV < 360; fisheye lenses) takes precedence
    over the pinhole angle from ``sensor_width_mm`` and ``focal_mm``. The
    VFOV comes, in order, from ``vfov_deg``, the sensor height and focal
    length, or ``tan(V/2) = tan(H/2) H_px/W_px`` for rectilinear images.

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
    if vfov_deg is not None:
        v = _check_fov("vfov_deg", vfov_deg, upper=360.0)
    elif hfov_deg is None and sensor is not None and f_mm is not None and (
        sensor_height_mm is not None or hpx is not None
    ):
        v = math.degrees(2.0 * math.atan(sensor.height_mm / (2.0 * f_mm)))
    elif hpx is not None and h < 180.0:
        v = vfov_from_hfov_deg(hfov_deg=h, width_px=wpx, height_px=hpx)
    else:
        v = None
    fpx = focal_px(width_px=wpx, hfov_deg=h) if h < 180.0 else None
    return Optics(wpx, hpx, h, v, fpx, f_mm, sensor)


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
    h = float(height_m)
    t = float(target_height_m)
    if not math.isfinite(h) or h <= 0:
        raise OutOfRangeError(f"`height_m` must be > 0; got {height_m}")
    if not math.isfinite(t) or t < 0 or t >= h:
        raise OutOfRangeError(
            f"`target_height_m` must be in [0, height_m={h:g}); got {target_height_m}"
        )
    phi = _check_fov("vfov_deg", vfov_deg)
    theta = float(tilt_deg)
    if not (math.isfinite(theta) and -90.0 < theta <= 90.0):
        raise OutOfRangeError(f"`tilt_deg` must be in (-90, 90]; got {tilt_deg}")
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
