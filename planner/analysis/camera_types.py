"""Library of generic camera types (``resources/camera_types.json``) and user additions.

A camera type is a resolution, a sensor (optical format and/or size in mm),
a lens (fixed ``focal_mm`` or a ``focal_min_mm``..``focal_max_mm`` range for
varifocal and PTZ zoom lenses, or a datasheet ``hfov_deg`` for fisheyes), an
infrared illuminator range (0 = relies on street lighting), a 360° pan flag,
a codec and bitrate hint, a unit cost estimate, and a ``source`` string for
every figure. The built-in types are generic datasheet classes, not vendor
models (no camera catalogue can be redistributed).

User files use the same schema (``{"schema_version": 1, "types": [...]}``);
:func:`merge_camera_types` validates them, collecting every problem, and
adds them to (or overrides) the built-in library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from planner.analysis.optics import (
    LensProjection,
    Optics,
    lens_optics,
    optics_from_projection,
    sensor_size_mm,
)
from planner.errors import InvalidInputError
from planner.model.checks import require_in_range

__all__ = [
    "CameraKind",
    "CameraType",
    "builtin_camera_types",
    "get_camera_type",
    "merge_camera_types",
    "parse_camera_types",
]

SCHEMA_VERSION = 1
RESOURCE_NAME = "camera_types.json"


class CameraKind(StrEnum):
    """Housing / lens family."""

    BULLET = "bullet"
    DOME = "dome"
    PTZ = "ptz"
    FISHEYE = "fisheye"


@dataclass(frozen=True)
class CameraType:
    """One camera type (immutable).

    Lengths in mm on the sensor side, metres in the scene. Angles come from
    the datasheet where it gives them: ``hfov_deg`` and ``vfov_deg`` for a fixed
    lens (or a fisheye), ``hfov_wide_deg``/``vfov_wide_deg`` and
    ``hfov_tele_deg``/``vfov_tele_deg`` at the two ends of a zoom lens; the lens
    mapping is then fitted to both angles (wide lenses are not rectilinear).
    Without them the pinhole formula applies to the sensor and focal length.
    ``source`` maps each figure's field name to where it comes from.
    """

    id: str
    name: str
    kind: CameraKind
    width_px: int
    height_px: int
    sensor_width_mm: float
    sensor_height_mm: float
    optical_format: str | None
    focal_min_mm: float | None
    focal_max_mm: float | None
    hfov_deg: float | None
    ir_range_m: float
    pan_360: bool
    codec: str
    bitrate_hint_mbps: float
    unit_cost_eur: float | None
    source: Mapping[str, str] = field(default_factory=dict)
    vfov_deg: float | None = None
    hfov_wide_deg: float | None = None
    vfov_wide_deg: float | None = None
    hfov_tele_deg: float | None = None
    vfov_tele_deg: float | None = None

    @property
    def has_zoom_angles(self) -> bool:
        """True when a zoom lens carries datasheet angles at both ends."""
        return None not in (self.hfov_wide_deg, self.vfov_wide_deg, self.hfov_tele_deg, self.vfov_tele_deg)

    @property
    def is_zoom(self) -> bool:
        """True for varifocal and PTZ lenses (a focal range)."""
        return self.focal_min_mm is not None and self.focal_max_mm != self.focal_min_mm

    def optics(self, *, focal_mm: float | None = None) -> Optics:
        """Optics at ``focal_mm`` (default: the widest setting).

        Raises
        ------
        OutOfRangeError
            ``focal_mm`` outside the lens range.
        """
        if self.hfov_deg is not None:
            return lens_optics(width_px=self.width_px, height_px=self.height_px, hfov_deg=self.hfov_deg,
                               vfov_deg=self.vfov_deg)
        f = self.focal_min_mm if focal_mm is None else float(focal_mm)
        lo, hi = self.focal_min_mm, self.focal_max_mm
        assert lo is not None and hi is not None and f is not None
        if not (lo - 1e-9 <= f <= hi + 1e-9):
            require_in_range("focal_mm", f, lo, hi, unit="mm", what=f"for camera type `{self.id}`")
        if self.has_zoom_angles:
            return self._zoom_optics(f)
        return lens_optics(
            width_px=self.width_px,
            height_px=self.height_px,
            sensor_width_mm=self.sensor_width_mm,
            sensor_height_mm=self.sensor_height_mm,
            focal_mm=f,
        )

    def _zoom_optics(self, focal_mm: float) -> Optics:
        """Optics of a zoom lens at ``focal_mm`` from its datasheet angles at both ends.

        The lens mapping is fitted at each end (:meth:`LensProjection.from_fov`);
        in between, its parameter ``k`` and centre scale (proportional to the focal
        length for a fixed sensor) are interpolated linearly in focal length.
        """
        assert self.focal_min_mm is not None and self.focal_max_mm is not None
        wide = LensProjection.from_fov(hfov_deg=float(self.hfov_wide_deg), vfov_deg=float(self.vfov_wide_deg),  # type: ignore[arg-type]
                                       width_px=self.width_px, height_px=self.height_px)
        tele = LensProjection.from_fov(hfov_deg=float(self.hfov_tele_deg), vfov_deg=float(self.vfov_tele_deg),  # type: ignore[arg-type]
                                       width_px=self.width_px, height_px=self.height_px)
        span = self.focal_max_mm - self.focal_min_mm
        t = 0.0 if span <= 0 else min(1.0, max(0.0, (focal_mm - self.focal_min_mm) / span))
        proj = LensProjection(wide.k + t * (tele.k - wide.k), wide.px_per_rad + t * (tele.px_per_rad - wide.px_per_rad),
                              f"datasheet angles at {self.focal_min_mm:g} and {self.focal_max_mm:g} mm, "
                              f"interpolated at {focal_mm:g} mm")
        return optics_from_projection(proj, width_px=self.width_px, height_px=self.height_px, focal_mm=focal_mm,
                                      vfov_basis=proj.basis)

    def hfov_range_deg(self) -> tuple[float, float]:
        """``(widest, narrowest)`` horizontal field of view in degrees."""
        if self.hfov_deg is not None:
            return (self.hfov_deg, self.hfov_deg)
        return (self.optics().hfov_deg, self.optics(focal_mm=self.focal_max_mm).hfov_deg)


_REQUIRED = ("id", "name", "kind", "width_px", "height_px", "sensor", "codec", "bitrate_hint_mbps")
_ANGLE_KEYS = ("hfov_deg", "vfov_deg", "hfov_wide_deg", "vfov_wide_deg", "hfov_tele_deg", "vfov_tele_deg")
_NUMERIC_SOURCED = (
    "width_px",
    "height_px",
    "focal_mm",
    "focal_min_mm",
    "focal_max_mm",
    *_ANGLE_KEYS,
    "ir_range_m",
    "bitrate_hint_mbps",
    "unit_cost_eur",
)


def _num(problems: list[str], where: str, key: str, value: Any, *, low: float, strict: bool, high: float = math.inf) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where}: `{key}` must be a number; got {value!r}")
        return None
    v = float(value)
    ok = math.isfinite(v) and (v > low if strict else v >= low) and v < high
    if not ok:
        rng = f"{'(' if strict else '['}{low:g}, {high:g})"
        problems.append(f"{where}: `{key}` must be in {rng}; got {value!r}")
        return None
    return v


def _parse_one(entry: Any, where: str, problems: list[str]) -> CameraType | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: must be an object; got {type(entry).__name__}")
        return None
    n0 = len(problems)
    for key in _REQUIRED:
        if key not in entry:
            problems.append(f"{where}: missing `{key}`")
    if len(problems) > n0:
        return None
    cid = entry["id"]
    if not isinstance(cid, str) or not cid.strip():
        problems.append(f"{where}: `id` must be a non-empty string; got {cid!r}")
        return None
    where = f"{where} (`{cid}`)"
    try:
        kind = CameraKind(entry["kind"])
    except ValueError:
        problems.append(f"{where}: `kind` must be one of {[k.value for k in CameraKind]}; got {entry['kind']!r}")
        kind = CameraKind.BULLET
    wpx = _num(problems, where, "width_px", entry["width_px"], low=0, strict=True)
    hpx = _num(problems, where, "height_px", entry["height_px"], low=0, strict=True)
    angles: dict[str, float | None] = {}
    for key in _ANGLE_KEYS:
        angles[key] = None
        if entry.get(key) is not None:
            angles[key] = _num(problems, where, key, entry[key], low=0, strict=True, high=360.0)
    hfov = angles["hfov_deg"]
    if angles["vfov_deg"] is not None and hfov is None:
        problems.append(f"{where}: `vfov_deg` needs `hfov_deg` (the datasheet pair)")
    zoom_given = [k for k in _ANGLE_KEYS[2:] if entry.get(k) is not None]
    if zoom_given and len(zoom_given) != 4:
        missing_z = [k for k in _ANGLE_KEYS[2:] if entry.get(k) is None]
        problems.append(f"{where}: zoom angles need all four of {', '.join(_ANGLE_KEYS[2:])}; missing "
                        f"{', '.join(missing_z)}")
    if zoom_given and (entry.get("focal_min_mm") is None or entry.get("focal_max_mm") is None):
        problems.append(f"{where}: zoom angles need `focal_min_mm` and `focal_max_mm`")
    f_fixed = entry.get("focal_mm")
    f_min, f_max = entry.get("focal_min_mm"), entry.get("focal_max_mm")
    fmin = fmax = None
    if f_fixed is not None:
        fmin = fmax = _num(problems, where, "focal_mm", f_fixed, low=0, strict=True)
    elif f_min is not None or f_max is not None:
        fmin = _num(problems, where, "focal_min_mm", f_min, low=0, strict=True)
        fmax = _num(problems, where, "focal_max_mm", f_max, low=0, strict=True)
        if fmin is not None and fmax is not None and fmax < fmin:
            problems.append(f"{where}: `focal_max_mm` {fmax:g} is below `focal_min_mm` {fmin:g}")
    elif hfov is None:
        problems.append(f"{where}: give `focal_mm`, `focal_min_mm`/`focal_max_mm`, or `hfov_deg`")
    sensor = entry["sensor"]
    sw = sh = None
    of = None
    if not isinstance(sensor, Mapping):
        problems.append(f"{where}: `sensor` must be an object with `optical_format` and/or `width_mm`")
    else:
        of = sensor.get("optical_format")
        try:
            size = sensor_size_mm(
                width_mm=sensor.get("width_mm"),
                height_mm=sensor.get("height_mm"),
                optical_format=of,
                aspect=sensor.get("aspect"),
                width_px=int(wpx) if wpx else None,
                height_px=int(hpx) if hpx else None,
            )
            sw, sh = size.width_mm, size.height_mm
        except InvalidInputError as exc:
            problems.append(f"{where}: `sensor`: {exc}")
    ir = 0.0
    if entry.get("ir_range_m") is not None:
        ir = _num(problems, where, "ir_range_m", entry["ir_range_m"], low=0, strict=False) or 0.0
    br = _num(problems, where, "bitrate_hint_mbps", entry["bitrate_hint_mbps"], low=0, strict=True)
    cost = None
    if entry.get("unit_cost_eur") is not None:
        cost = _num(problems, where, "unit_cost_eur", entry["unit_cost_eur"], low=0, strict=False)
    pan = entry.get("pan_360", False)
    if not isinstance(pan, bool):
        problems.append(f"{where}: `pan_360` must be true or false; got {pan!r}")
    codec = entry["codec"]
    if not isinstance(codec, str) or not codec:
        problems.append(f"{where}: `codec` must be a string like \"H.265\"; got {codec!r}")
    source = entry.get("source")
    if not isinstance(source, Mapping) or not all(isinstance(v, str) and v for v in source.values()):
        problems.append(f"{where}: `source` must map each figure to a non-empty string")
        source = {}
    else:
        missing = [
            k for k in (*_NUMERIC_SOURCED, "sensor")
            if entry.get(k) is not None and k not in source
        ]
        if missing:
            problems.append(f"{where}: `source` has no entry for {', '.join(missing)}")
    if len(problems) > n0:
        return None
    assert wpx is not None and hpx is not None and sw is not None and sh is not None and br is not None
    return CameraType(
        id=cid,
        name=str(entry["name"]),
        kind=kind,
        width_px=int(wpx),
        height_px=int(hpx),
        sensor_width_mm=sw,
        sensor_height_mm=sh,
        optical_format=str(of) if of is not None else None,
        focal_min_mm=fmin,
        focal_max_mm=fmax,
        hfov_deg=hfov,
        ir_range_m=ir,
        pan_360=bool(pan),
        codec=str(codec),
        bitrate_hint_mbps=br,
        unit_cost_eur=cost,
        source=MappingProxyType(dict(source)),
        vfov_deg=angles["vfov_deg"],
        hfov_wide_deg=angles["hfov_wide_deg"],
        vfov_wide_deg=angles["vfov_wide_deg"],
        hfov_tele_deg=angles["hfov_tele_deg"],
        vfov_tele_deg=angles["vfov_tele_deg"],
    )


def parse_camera_types(doc: Any, *, origin: str) -> dict[str, CameraType]:
    """Validate a camera-type document, collecting every problem.

    Parameters
    ----------
    doc
        Parsed JSON: ``{"schema_version": 1, "types": [...]}`` (a bare list is accepted).
    origin
        File name used in error messages.

    Raises
    ------
    InvalidInputError
        One line listing how many problems there are and the first few.
    """
    if isinstance(doc, Mapping):
        version = doc.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InvalidInputError(
                f"`{origin}`: schema_version {version!r} is not supported (expected {SCHEMA_VERSION})"
            )
        entries = doc.get("types")
    else:
        entries = doc
    if not isinstance(entries, list):
        raise InvalidInputError(f"`{origin}`: expected a `types` list of camera types")
    problems: list[str] = []
    out: dict[str, CameraType] = {}
    for i, entry in enumerate(entries):
        ct = _parse_one(entry, f"types[{i}]", problems)
        if ct is None:
            continue
        if ct.id in out:
            problems.append(f"types[{i}]: duplicate id `{ct.id}`")
            continue
        out[ct.id] = ct
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InvalidInputError(f"`{origin}`: {len(problems)} problem(s): {shown}{more}")
    return out


@lru_cache(maxsize=1)
def _builtin() -> MappingProxyType[str, CameraType]:
    from planner.resources import load_json_resource

    return MappingProxyType(parse_camera_types(load_json_resource(RESOURCE_NAME), origin=RESOURCE_NAME))


def builtin_camera_types() -> Mapping[str, CameraType]:
    """The built-in library (read-only mapping ``id -> CameraType``)."""
    return _builtin()


def merge_camera_types(
    user: Any,
    *,
    origin: str = "user camera types",
    base: Mapping[str, CameraType] | None = None,
    allow_override: bool = True,
) -> dict[str, CameraType]:
    """Validate a user document (see :func:`planner.io.camera_types.read_camera_type_file`) and merge it
    into ``base``.

    User types with an id already in ``base`` replace it when
    ``allow_override`` is true; otherwise that is an error.

    Raises
    ------
    InvalidInputError
        Invalid user entries or a forbidden override.
    """
    new = parse_camera_types(user, origin=origin)
    merged = dict(builtin_camera_types() if base is None else base)
    if not allow_override:
        clash = sorted(set(merged) & set(new))
        if clash:
            raise InvalidInputError(f"`{origin}` redefines built-in camera type(s) {', '.join(clash)}")
    merged.update(new)
    return merged


def get_camera_type(type_id: str, *, types: Mapping[str, CameraType] | None = None) -> CameraType:
    """Look up a camera type by id.

    Raises
    ------
    InvalidInputError
        Unknown id (the message lists a few known ids).
    """
    lib = builtin_camera_types() if types is None else types
    try:
        return lib[type_id]
    except KeyError:
        known = ", ".join(sorted(lib)[:8])
        raise InvalidInputError(f"unknown camera type `{type_id}`; known: {known}, ...") from None
