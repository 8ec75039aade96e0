"""Optics: docs/reference.md §R1–§R2 and test vectors T24–T29 (§R13.1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.analysis import optics as op
from planner.errors import InvalidInputError, OutOfRangeError


def test_t24_hfov_1_2_8_inch_2_8_mm() -> None:
    assert op.hfov_deg(sensor_width_mm=5.6, focal_mm=2.8) == pytest.approx(90.0, abs=0.1)


def test_t25_hfov_4_8_mm_4_mm() -> None:
    assert op.hfov_deg(sensor_width_mm=4.8, focal_mm=4.0) == pytest.approx(61.93, abs=0.05)


def test_t26_identify_range() -> None:
    assert op.range_for_ppm_m(width_px=1920, hfov_deg=90.0, ppm=250.0) == pytest.approx(3.84, abs=0.01)


def test_t27_detect_range_4k_30_deg() -> None:
    assert op.range_for_ppm_m(width_px=3840, hfov_deg=30.0, ppm=25.0) == pytest.approx(286.6, abs=0.1)


def test_t28_ppm_panopticity() -> None:
    fpx = 1920 * 25.0 / 4.8
    assert fpx == pytest.approx(op.focal_px(width_px=1920, hfov_deg=op.hfov_deg(sensor_width_mm=4.8, focal_mm=25.0)))
    assert op.ppm_at_depth(focal_px=fpx, depth_m=10.0) == pytest.approx(1000.0, rel=0.005)


def test_t29_footprint() -> None:
    fp = op.ground_footprint(height_m=6.0, tilt_deg=30.0, vfov_deg=42.98, target_height_m=1.6)
    assert fp.near_m == pytest.approx(3.50, abs=0.01)
    assert fp.far_m == pytest.approx(29.41, abs=0.01)
    assert not fp.horizon_in_view


def test_footprint_second_example_and_horizon() -> None:
    # docs/reference.md §R1.4 (T29b): theta = 25 deg -> 4.2 m ... 71.8 m
    fp = op.ground_footprint(height_m=6.0, tilt_deg=25.0, vfov_deg=43.0, target_height_m=1.6)
    assert fp.near_m == pytest.approx(4.2, abs=0.05)
    assert fp.far_m == pytest.approx(71.8, abs=0.2)
    fp2 = op.ground_footprint(height_m=6.0, tilt_deg=10.0, vfov_deg=43.0)
    assert fp2.horizon_in_view and math.isinf(fp2.far_m)
    assert op.ground_footprint(height_m=6.0, tilt_deg=80.0, vfov_deg=40.0).near_m == 0.0


@pytest.mark.parametrize(
    ("kwargs", "err"),
    [
        ({"height_m": 6, "tilt_deg": 30, "vfov_deg": 40, "target_height_m": 7}, OutOfRangeError),
        ({"height_m": 0, "tilt_deg": 30, "vfov_deg": 40}, OutOfRangeError),
        ({"height_m": 6, "tilt_deg": -30, "vfov_deg": 40}, OutOfRangeError),
        ({"height_m": 6, "tilt_deg": 30, "vfov_deg": 0}, OutOfRangeError),
    ],
)
def test_footprint_bad_input(kwargs: dict[str, float], err: type[Exception]) -> None:
    with pytest.raises(err):
        op.ground_footprint(**kwargs)


# r_max table of §2.2: (W_px, HFOV) -> monitor / detect / observe / recognise / identify / validate
RMAX = {
    (1280, 90): (51.2, 25.6, 10.2, 5.1, 2.6, 1.3),
    (1920, 90): (76.8, 38.4, 15.4, 7.7, 3.8, 1.9),
    (1920, 60): (133, 66.5, 26.6, 13.3, 6.7, 3.3),
    (2560, 30): (382, 191, 76.4, 38.2, 19.1, 9.6),
    (3840, 30): (573, 287, 115, 57.3, 28.7, 14.3),
    (1280, 10): (585, 293, 117, 58.5, 29.3, 14.6),
    (3840, 10): (1756, 878, 351, 176, 87.8, 43.9),
}


@pytest.mark.parametrize(("w_px", "hfov"), list(RMAX))
def test_rmax_table(w_px: int, hfov: float) -> None:
    ranges = op.ranges_by_level_m(width_px=w_px, hfov_deg=hfov)
    names = ["monitor", "detect", "observe", "recognise", "identify", "validate"]
    assert list(ranges) == names
    for name, expected in zip(names, RMAX[(w_px, hfov)], strict=True):
        assert ranges[name] == pytest.approx(expected, rel=0.006, abs=0.05), (w_px, hfov, name)


@pytest.mark.parametrize(
    ("of", "aspect", "width", "height"),
    [('1/3"', "4:3", 4.8, 3.6), ('1/2.8"', "16:9", 5.6, 3.15), ('1/2.7"', "16:9", 5.8, 3.3), ('1/1.8"', "16:9", 7.75, 4.4)],
)
def test_sensor_from_optical_format(of: str, aspect: str, width: float, height: float) -> None:
    s = op.sensor_size_mm(optical_format=of, aspect=aspect)
    assert s.width_mm == pytest.approx(width, abs=0.02)
    assert s.height_mm == pytest.approx(height, abs=0.05)  # doc rounds to 0.1 mm


@pytest.mark.parametrize(
    ("of", "aspect", "f", "hfov"),
    [('1/3"', "4:3", 2.8, 81.2), ('1/3"', "4:3", 12, 22.6), ('1/2.8"', "16:9", 4, 70.0), ('1/2.8"', "16:9", 8, 38.6),
     ('1/2.7"', "16:9", 6, 51.7), ('1/2.7"', "16:9", 12, 27.2), ('1/1.8"', "16:9", 2.8, 108.3), ('1/1.8"', "16:9", 12, 35.8)],
)
def test_hfov_table(of: str, aspect: str, f: float, hfov: float) -> None:
    w = op.sensor_size_mm(optical_format=of, aspect=aspect).width_mm
    assert op.hfov_deg(sensor_width_mm=w, focal_mm=f) == pytest.approx(hfov, abs=0.1)


def test_hfov_uses_width_not_diagonal() -> None:
    """Regression against TheJosh/cctv's diagonal bug (6.4 mm -> 97.6 deg), Part C §10.4."""
    s = op.sensor_size_mm(optical_format='1/2.8"', aspect="16:9")
    assert op.hfov_deg(sensor_width_mm=s.width_mm, focal_mm=2.8) == pytest.approx(90.0, abs=0.1)
    assert s.diagonal_mm == pytest.approx(6.43, abs=0.01)
    assert op.hfov_deg(sensor_width_mm=6.4, focal_mm=2.8) == pytest.approx(97.6, abs=0.1)  # the bug's value


def test_sensor_from_pixel_pitch_and_explicit() -> None:
    s = op.sensor_size_mm(width_px=1920, height_px=1080, pixel_pitch_um=2.9)
    assert s.width_mm == pytest.approx(5.568)
    s2 = op.sensor_size_mm(width_mm=5.6, width_px=1920, height_px=1080)
    assert s2.height_mm == pytest.approx(3.15)
    with pytest.raises(InvalidInputError):
        op.sensor_size_mm()
    with pytest.raises(InvalidInputError):
        op.sensor_size_mm(optical_format="big")


def test_lens_optics_and_vfov() -> None:
    o = op.lens_optics(width_px=1920, height_px=1080, sensor_width_mm=5.6, sensor_height_mm=3.15, focal_mm=4.0)
    assert o.hfov_deg == pytest.approx(70.0, abs=0.05)
    assert o.vfov_deg == pytest.approx(43.0, abs=0.1)  # §2.1: 1/2.8" 4 mm -> 43.0 deg
    assert o.focal_px == pytest.approx(1920 * 4.0 / 5.6)
    o2 = op.lens_optics(width_px=1920, height_px=1080, hfov_deg=90.0)
    assert o2.vfov_deg == pytest.approx(op.vfov_from_hfov_deg(hfov_deg=90, width_px=1920, height_px=1080))
    assert o2.range_m(250.0) == pytest.approx(3.84, abs=0.01)


def test_fisheye_uses_angular_density() -> None:
    o = op.lens_optics(width_px=2000, height_px=2000, hfov_deg=180.0)
    assert o.focal_px is None and o.vfov_deg is None
    assert o.range_m(25.0) == pytest.approx(2000 / math.pi / 25.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"width_px": 1920, "hfov_deg": 0.0},
        {"width_px": 1920, "hfov_deg": 360.0},
        {"width_px": 1920, "hfov_deg": -10.0},
        {"width_px": 1920, "sensor_width_mm": 5.6, "focal_mm": 0.0},
        {"width_px": 1920, "sensor_width_mm": 5.6, "focal_mm": -2.8},
        {"width_px": 0, "hfov_deg": 90.0},
        {"width_px": 1920, "hfov_deg": float("nan")},
    ],
)
def test_lens_optics_bad_input(kwargs: dict[str, float]) -> None:
    with pytest.raises(OutOfRangeError):
        op.lens_optics(**kwargs)  # type: ignore[arg-type]


def test_rectilinear_functions_reject_180() -> None:
    with pytest.raises(OutOfRangeError):
        op.focal_px(width_px=1920, hfov_deg=180.0)
    with pytest.raises(OutOfRangeError):
        op.range_for_ppm_m(width_px=1920, hfov_deg=90, ppm=0)
    with pytest.raises(OutOfRangeError):
        op.ppm_at_depth(focal_px=1000, depth_m=0)
    with pytest.raises(InvalidInputError):
        op.lens_optics(width_px=1920)


def test_detail_levels_table() -> None:
    assert [lv.ppm for lv in op.DORI_LEVELS] == [12.5, 25.0, 62.5, 125.0, 250.0]
    assert op.VALIDATE_2025.ppm == 500.0
    custom = op.detail_levels({"plate": 200.0, "person": 40.0})
    assert [lv.name for lv in custom] == ["person", "plate"]
    assert op.ranges_by_level_m(width_px=1920, hfov_deg=90, levels=custom)["plate"] == pytest.approx(4.8)
    with pytest.raises(OutOfRangeError):
        op.detail_levels({"x": 0.0})
    with pytest.raises(InvalidInputError):
        op.detail_levels({})


# ------------------------------------------------------------------ lens distortion (issue 10 item 11)


def test_2_8_mm_on_1_2_7_inch_pinhole_vs_datasheet() -> None:
    # pinhole: 1/2.7" 16:9 is 5.8 mm wide -> 2 atan(5.8 / 5.6) = 92.1° (engineering table), but wide CCTV lenses
    # are barrel-distorted: the datasheet of a 2.8 mm 4 MP camera gives ~106° x 57.9°
    pin = op.lens_optics(width_px=2560, height_px=1440, sensor_width_mm=5.8, focal_mm=2.8)
    assert pin.hfov_deg == pytest.approx(92.1, abs=0.1)
    ds = op.lens_optics(width_px=2560, height_px=1440, hfov_deg=106.4, vfov_deg=57.9)
    assert (ds.hfov_deg, ds.vfov_deg) == pytest.approx((106.4, 57.9), abs=1e-9)
    assert ds.vfov_basis == "datasheet"
    # the rectilinear derivation (the old behaviour, still used when only an HFOV is known, and said so):
    # tan(VFOV/2) = tan(53.2°) x 1440 / 2560 = 0.7519 -> 73.9°
    rect = op.lens_optics(width_px=2560, height_px=1440, hfov_deg=106.4)
    assert rect.vfov_deg == pytest.approx(73.9, abs=0.05)
    assert "rectilinear" in rect.vfov_basis
    # the datasheet pair sits close to an equisolid-angle lens (k = -1/2): sin(53.2°/2) / sin(57.9°/4) = 1.79 ~ 16/9
    assert ds.projection is not None and -0.7 < ds.projection.k < -0.45


def test_ground_footprint_6_m_40_deg_with_datasheet_vfov() -> None:
    # h 6 m, tilt 40°, target on the ground, by hand:
    # datasheet VFOV 57.9°: near 6 / tan(40 + 28.95) = 2.309 m, far 6 / tan(11.05°) = 6 / 0.19529 = 30.72 m
    # rectilinear-derived 73.9°: near 6 / tan(76.95°) = 1.390 m, far 6 / tan(3.05°) = 112.6 m
    fp = op.ground_footprint(height_m=6, tilt_deg=40, vfov_deg=57.9)
    assert (fp.near_m, fp.far_m) == pytest.approx((2.309, 30.72), abs=0.01)
    fp_rect = op.ground_footprint(height_m=6, tilt_deg=40, vfov_deg=73.9)
    assert (fp_rect.near_m, fp_rect.far_m) == pytest.approx((1.390, 112.6), abs=0.1)


@pytest.mark.parametrize(
    ("model", "width", "height", "hfov", "vfov", "detect_m"),
    [
        # datasheet angles and DORI "D" (detection, 25 px/m) as printed on p. 2 of each Hikvision datasheet
        ("DS-2CD1043G2-LIU 2.8 mm", 2560, 1440, 98, 54, 63),
        ("DS-2CD1043G2-LIU 4 mm", 2560, 1440, 78, 42, 78),
        ("DS-2CD1023G2-LIU 2.8 mm", 1920, 1080, 103, 56, 45),
        ("DS-2CD1023G2-LIU 4 mm", 1920, 1080, 83, 44, 56),
        ("DS-2CD2143G2-I 2.8 mm", 2688, 1520, 103, 55, 67),
        ("DS-2CD2143G2-I 4 mm", 2688, 1520, 84, 45, 80),
        ("DS-2CD1327G2H-LIU 2.8 mm", 1920, 1080, 106, 56, 44),
        ("DS-2CD1347G2H-LIU 2.8 mm", 2560, 1440, 96, 52, 63),
    ],
)
def test_fitted_lens_reproduces_datasheet_dori_ranges(model: str, width: int, height: int, hfov: float,
                                                       vfov: float, detect_m: float) -> None:
    """Manufacturers' DORI distances (on-axis detection range) are an independent check of the centre scale.

    The fitted mapping lands within 5 % of them; a pinhole from the HFOV alone is 15-35 % short.
    """
    o = op.lens_optics(width_px=width, height_px=height, hfov_deg=hfov, vfov_deg=vfov)
    assert o.range_m(25.0) == pytest.approx(detect_m, rel=0.05), model
    rect = op.lens_optics(width_px=width, height_px=height, hfov_deg=hfov)
    assert rect.range_m(25.0) < 0.85 * detect_m, model


def test_projection_family_named_mappings() -> None:
    # an equisolid-angle lens (r = 2 f sin(theta/2)) with HFOV 100° on 16:9 has sin(VFOV/4) = sin(25°) x 9/16
    vfov = 4 * math.degrees(math.asin(math.sin(math.radians(25)) * 9 / 16))
    p = op.LensProjection.from_fov(hfov_deg=100, vfov_deg=vfov, width_px=1920, height_px=1080)
    assert p.k == pytest.approx(-0.5, abs=1e-6)
    assert p.px_per_rad == pytest.approx(960 / (2 * math.sin(math.radians(25))), rel=1e-6)
    # equidistant (r = f theta): VFOV = HFOV x 9/16
    q = op.LensProjection.from_fov(hfov_deg=120, vfov_deg=67.5, width_px=1920, height_px=1080)
    assert q.k == pytest.approx(0.0, abs=1e-6) and q.px_per_rad == pytest.approx(960 / math.radians(60), rel=1e-6)
    # the fitted mapping images the datasheet angles back onto the frame edges
    assert p.fov_deg(1920) == pytest.approx(100) and p.fov_deg(1080) == pytest.approx(vfov)


def test_ray_pixel_density_per_ray() -> None:
    f = 1000.0
    # rectilinear: f_px / Z at every ray (T28 form), whatever the off-axis angle
    rect = op.LensProjection.rectilinear(f)
    depth, right, up = np.array([10.0, 10.0]), np.array([0.0, 8.0]), np.array([0.0, -3.0])
    inside, ppm = op.ray_pixel_density(rect, hfov_deg=90, vfov_deg=60, depth=depth, right=right, up=up)
    assert inside.all() and ppm == pytest.approx([100.0, 100.0])
    # equisolid (k = -1/2): radial scale f cos(theta/2) < tangential f / cos(theta/2); at theta = 40°, distance D:
    eq = op.LensProjection(-0.5, f, "equisolid")
    th = math.radians(40)
    d = 20.0
    inside, ppm = op.ray_pixel_density(eq, hfov_deg=120, vfov_deg=90, depth=np.array([d * math.cos(th)]),
                                       right=np.array([d * math.sin(th)]), up=np.array([0.0]))
    assert inside[0] and ppm[0] == pytest.approx(f * math.cos(th / 2) / d, rel=1e-9)
    # image edge: a ray 61° off-axis horizontally is outside a 120° HFOV, 59° inside
    for ang, expect in ((59, True), (61, False)):
        a = math.radians(ang)
        ins, _ = op.ray_pixel_density(eq, hfov_deg=120, vfov_deg=90, depth=np.array([math.cos(a)]),
                                      right=np.array([math.sin(a)]), up=np.array([0.0]))
        assert bool(ins[0]) is expect


def test_square_fisheye_with_equal_angles_is_equidistant() -> None:
    # Dahua IPC-EBW5641-AS datasheet: 1.68 mm, H 185°, V 185° on 2560 x 2560: any mapping fits, take f theta
    p = op.LensProjection.from_fov(hfov_deg=185, vfov_deg=185, width_px=2560, height_px=2560)
    assert p.k == 0.0 and p.px_per_rad == pytest.approx(1280 / math.radians(92.5))
    o = op.lens_optics(width_px=2560, height_px=2560, hfov_deg=185, vfov_deg=185)
    assert o.focal_px is None and o.px_per_rad == pytest.approx(2560 / math.radians(185))


@pytest.mark.parametrize(
    ("model", "width", "height", "hfov", "vfov", "dfov"),
    [
        # horizontal, vertical and diagonal FOV as printed on p. 2 of each datasheet
        ("Hikvision DS-2CD1043G2-LIU 2.8 mm", 2560, 1440, 98, 54, 114),
        ("Hikvision DS-2CD1023G2-LIU 2.8 mm", 1920, 1080, 103, 56, 121),
        ("Hikvision DS-2CD1023G2-LIU 4 mm", 1920, 1080, 83, 44, 99),
        ("Hikvision DS-2CD2143G2-I 2.8 mm", 2688, 1520, 103, 55, 122),
        ("Hikvision DS-2CD2387G2-LSU/SL 2.8 mm", 3840, 2160, 102, 52, 124),
        ("Hikvision DS-2CD2746G2-IZS 2.8 mm", 2688, 1520, 108, 56, 131),
        ("Dahua IPC-HDBW2441E-S 2.8 mm", 2688, 1520, 102, 54, 121),
        ("Dahua IPC-HFW2441S-S 3.6 mm", 2688, 1520, 78, 41, 94),
    ],
)
def test_fitted_lens_predicts_the_datasheet_diagonal(model: str, width: int, height: int, hfov: float, vfov: float,
                                                     dfov: float) -> None:
    """The diagonal FOV is not used by the fit: an independent check of the mapping out to the image corners."""
    p = op.LensProjection.from_fov(hfov_deg=hfov, vfov_deg=vfov, width_px=width, height_px=height)
    assert p.fov_deg(math.hypot(width, height)) == pytest.approx(dfov, abs=3.5), model
    # a rectilinear lens with the same HFOV would be 8-16° short at the corners
    rect = 2 * math.degrees(math.atan(math.hypot(width, height) / width * math.tan(math.radians(hfov / 2))))
    assert dfov - rect > 7.0, model
