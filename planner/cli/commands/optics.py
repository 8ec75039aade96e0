"""``planner optics``: field of view, focal length in pixels and DORI ranges."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from planner.cli.output import Report

NAME = "optics"
HELP = "Field of view, focal length in pixels and pixel-density ranges of a camera."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the optics options."""
    parser.add_argument("--camera-type", metavar="ID", help="start from a library camera type")
    parser.add_argument(
        "--camera-types", metavar="FILE", help="extra camera types (JSON) merged into the library"
    )
    parser.add_argument("--width-px", type=int, help="image width in pixels")
    parser.add_argument("--height-px", type=int, help="image height in pixels")
    parser.add_argument("--sensor-width-mm", type=float, help="active sensor width (mm)")
    parser.add_argument("--sensor-height-mm", type=float, help="active sensor height (mm)")
    parser.add_argument("--optical-format", metavar='1/2.8"', help="sensor optical format (inch)")
    parser.add_argument("--aspect", metavar="16:9", help="sensor aspect ratio for --optical-format")
    parser.add_argument("--focal-mm", type=float, help="focal length (mm)")
    parser.add_argument("--hfov-deg", type=float, help="datasheet horizontal field of view (deg)")
    parser.add_argument(
        "--vfov-deg", type=float,
        help="datasheet vertical field of view (deg), with --hfov-deg: the lens mapping is fitted to both "
        "(wide lenses are not rectilinear); without it the VFOV is derived as for a rectilinear lens",
    )


def run(args: argparse.Namespace) -> Report:
    """Resolve the optics and report HFOV, VFOV, f_px and the range per detail level."""
    from planner.analysis.camera_types import builtin_camera_types, get_camera_type, merge_camera_types
    from planner.analysis.optics import ALL_LEVELS, lens_optics, sensor_size_mm
    from planner.errors import InvalidInputError

    width_px, height_px = args.width_px, args.height_px
    sensor_w, sensor_h = args.sensor_width_mm, args.sensor_height_mm
    focal, hfov, vfov = args.focal_mm, args.hfov_deg, args.vfov_deg
    if vfov is not None and hfov is None:
        raise InvalidInputError("`--vfov-deg` needs `--hfov-deg` (the datasheet pair)")
    extra: dict[str, Any] = {}
    type_optics = None
    if args.camera_type:
        if args.camera_types:
            from planner.io.camera_types import read_camera_type_file

            doc, origin = read_camera_type_file(args.camera_types)
            lib: Mapping[str, Any] = merge_camera_types(doc, origin=origin)
        else:
            lib = builtin_camera_types()
        ct = get_camera_type(args.camera_type, types=lib)
        width_px = width_px or ct.width_px
        height_px = height_px or ct.height_px
        if sensor_w is None and args.optical_format is None:
            sensor_w, sensor_h = ct.sensor_width_mm, ct.sensor_height_mm
        if hfov is None and ct.hfov_deg is not None and focal is None:
            hfov, vfov = ct.hfov_deg, ct.vfov_deg
        elif focal is None and hfov is None:
            focal = ct.focal_min_mm
        if focal is not None and hfov is None and ct.focal_min_mm is not None and ct.focal_max_mm is not None:
            type_optics = ct.optics(focal_mm=focal)  # range check against the lens; datasheet zoom angles
            if not ct.has_zoom_angles:
                type_optics = None
        extra["camera_type"] = {
            "id": ct.id,
            "name": ct.name,
            "kind": ct.kind.value,
            "focal_min_mm": ct.focal_min_mm,
            "focal_max_mm": ct.focal_max_mm,
            "ir_range_m": ct.ir_range_m,
            "pan_360": ct.pan_360,
        }
    if args.optical_format is not None and sensor_w is None:
        size = sensor_size_mm(
            optical_format=args.optical_format,
            aspect=args.aspect,
            width_px=width_px,
            height_px=height_px,
        )
        sensor_w, sensor_h = size.width_mm, size.height_mm
    if width_px is None:
        raise InvalidInputError("`--width-px` is required (or `--camera-type`)")
    optics = type_optics or lens_optics(
        width_px=width_px,
        height_px=height_px,
        sensor_width_mm=sensor_w,
        sensor_height_mm=sensor_h,
        focal_mm=focal if hfov is None else None,
        hfov_deg=hfov,
        vfov_deg=vfov,
    )
    ranges = optics.ranges_m(ALL_LEVELS)
    data: dict[str, Any] = {
        "width_px": optics.width_px,
        "height_px": optics.height_px,
        "sensor_width_mm": optics.sensor.width_mm if optics.sensor else None,
        "sensor_height_mm": optics.sensor.height_mm if optics.sensor else None,
        "focal_mm": focal if hfov is None else None,
        "hfov_deg": optics.hfov_deg,
        "vfov_deg": optics.vfov_deg,
        "vfov_basis": optics.vfov_basis,
        "lens_mapping": None if optics.projection is None else {
            "k": optics.projection.k, "basis": optics.projection.basis,
            "meaning": "r = f g_k(theta): 1 rectilinear, 0.5 stereographic, 0 equidistant, "
                       "-0.5 equisolid-angle, -1 orthographic",
        },
        "focal_px": optics.focal_px,
        "px_per_rad": optics.px_per_rad,
        "range_m": ranges,
        "levels_ppm": {lvl.name: lvl.ppm for lvl in ALL_LEVELS},
        **extra,
    }
    lines = [f"HFOV {optics.hfov_deg:.2f}°"]
    if optics.vfov_deg is not None:
        lines[0] += f", VFOV {optics.vfov_deg:.2f}°"
    if optics.focal_px is not None:
        lines[0] += f", f = {optics.focal_px:.1f} px"
    if optics.vfov_basis:
        lines.append(f"  VFOV: {optics.vfov_basis}")
    if optics.projection is not None and optics.projection.k != 1.0:
        lines.append(f"  lens mapping k = {optics.projection.k:.3f} (1 rectilinear, 0 equidistant, -0.5 equisolid);"
                     " ranges are on the optical axis")
    for lvl in ALL_LEVELS:
        lines.append(f"  {lvl.label:<16} {lvl.ppm:>6g} px/m  -> {ranges[lvl.name]:8.1f} m")
    return Report(data=data, text="\n".join(lines))
