"""Camera-type library: built-in resource, validation, user merge."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.analysis.camera_types import (
    CameraKind,
    builtin_camera_types,
    get_camera_type,
    merge_camera_types,
    parse_camera_types,
)
from planner.errors import InvalidInputError, OutOfRangeError
from planner.io.camera_types import read_camera_type_file


def _entry(**over: object) -> dict[str, object]:
    e: dict[str, object] = {
        "id": "my-cam",
        "name": "My camera",
        "kind": "bullet",
        "width_px": 1920,
        "height_px": 1080,
        "sensor": {"width_mm": 5.6, "height_mm": 3.15},
        "focal_mm": 2.8,
        "ir_range_m": 30,
        "pan_360": False,
        "codec": "H.265",
        "bitrate_hint_mbps": 2.2,
        "unit_cost_eur": 100,
        "source": {k: "my datasheet" for k in
                   ("width_px", "height_px", "sensor", "focal_mm", "ir_range_m", "bitrate_hint_mbps", "unit_cost_eur")},
    }
    e.update(over)
    return e


def test_builtin_library_contents() -> None:
    lib = builtin_camera_types()
    assert len(lib) >= 15
    kinds = {t.kind for t in lib.values()}
    assert kinds == set(CameraKind)
    widths = {t.width_px for t in lib.values()}
    assert {1280, 1920, 2560, 3840} <= widths
    assert any(t.is_zoom and t.kind is CameraKind.BULLET for t in lib.values())  # varifocal
    ptz = [t for t in lib.values() if t.kind is CameraKind.PTZ]
    assert ptz and all(t.pan_360 and t.is_zoom for t in ptz)
    fisheye = [t for t in lib.values() if t.kind is CameraKind.FISHEYE]
    assert fisheye and all(t.hfov_deg == 180.0 for t in fisheye)
    assert any(t.ir_range_m == 0 for t in lib.values())  # one relies on street lighting


def test_every_figure_has_a_source() -> None:
    from planner.resources import load_json_resource

    doc = load_json_resource("camera_types.json")
    for entry in doc["types"]:
        for key in ("width_px", "height_px", "sensor", "focal_mm", "focal_min_mm", "focal_max_mm",
                    "hfov_deg", "vfov_deg", "hfov_wide_deg", "vfov_wide_deg", "hfov_tele_deg", "vfov_tele_deg",
                    "ir_range_m", "bitrate_hint_mbps", "unit_cost_eur"):
            if entry.get(key) is not None:
                assert entry["source"].get(key), (entry["id"], key)


def test_builtin_optics_match_reference() -> None:
    t = get_camera_type("bullet-1080p-2.8")
    o = t.optics()
    # datasheet angles (Hikvision DS-2CD1023G2-LIU 2.8 mm: 103° x 56°), not the pinhole 90° of T24
    assert (o.hfov_deg, o.vfov_deg) == pytest.approx((103.0, 56.0), abs=1e-6)
    # its datasheet DORI "D: 45 m" (25 px/m) matches the fitted centre scale; the pinhole 90° would say 38.4 m
    assert o.range_m(25.0) == pytest.approx(45.0, rel=0.05)
    vf = get_camera_type("bullet-1080p-vf-2.8-12")  # no datasheet angle: pinhole, T24 for 1/2.8" 2.8 mm
    wide, tele = vf.hfov_range_deg()
    assert wide == pytest.approx(90.0, abs=0.1)
    assert tele == pytest.approx(26.3, abs=0.1)
    with pytest.raises(OutOfRangeError):
        vf.optics(focal_mm=20.0)
    with pytest.raises(InvalidInputError, match="unknown camera type"):
        get_camera_type("nope")


def test_user_file_merges_and_overrides(tmp_path: Path) -> None:
    p = tmp_path / "mine.json"
    p.write_text(json.dumps({"schema_version": 1, "types": [_entry(), _entry(id="bullet-1080p-2.8", focal_mm=3.6)]}))
    doc, origin = read_camera_type_file(p)
    merged = merge_camera_types(doc, origin=origin)
    assert "my-cam" in merged and len(merged) == len(builtin_camera_types()) + 1
    assert merged["bullet-1080p-2.8"].focal_min_mm == 3.6
    assert builtin_camera_types()["bullet-1080p-2.8"].focal_min_mm == 2.8  # built-ins untouched
    with pytest.raises(InvalidInputError, match="redefines"):
        merge_camera_types(doc, origin=origin, allow_override=False)


def test_invalid_user_file_lists_all_problems(tmp_path: Path) -> None:
    bad = [
        _entry(id="a", focal_mm=0),
        _entry(id="b", kind="drone"),
        _entry(id="c", hfov_deg=400, focal_mm=None),
        _entry(id="a"),
        _entry(id="d", source={"width_px": "x"}),
    ]
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"types": bad}))
    with pytest.raises(InvalidInputError) as info:
        parse_camera_types(*read_camera_type_file(p)[:1], origin=p.name)
    msg = str(info.value)
    assert "`bad.json`" in msg and "6 problem(s)" in msg
    assert "focal_mm" in msg and "drone" in msg and "hfov_deg" in msg


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_camera_type_file(tmp_path / "missing.json")
    p = tmp_path / "x.json"
    p.write_text("{not json")
    with pytest.raises(InvalidInputError, match="x.json"):
        read_camera_type_file(p)
    with pytest.raises(InvalidInputError, match="schema_version"):
        parse_camera_types({"schema_version": 99, "types": []}, origin="x.json")


def test_wide_builtin_types_carry_datasheet_hfov_and_vfov() -> None:
    lib = builtin_camera_types()
    for tid, (h, v) in {"bullet-4mp-2.8": (98, 54), "bullet-4mp-4": (78, 42), "bullet-1080p-4": (83, 44),
                        "bullet-4k-2.8": (102, 52), "dome-4k-2.8-noir": (109, 56)}.items():
        o = lib[tid].optics()
        assert (o.hfov_deg, o.vfov_deg) == pytest.approx((h, v), abs=1e-6), tid
        assert "datasheet" in lib[tid].source["vfov_deg"].lower() and "p. 2" in lib[tid].source["vfov_deg"]
        # a rectilinear derivation from the HFOV would overstate the VFOV by > 9°
        rect = 2 * math.degrees(math.atan(math.tan(math.radians(h / 2)) * lib[tid].height_px / lib[tid].width_px))
        assert rect - v > 6.9, tid


def test_zoom_lens_keeps_both_datasheet_ends() -> None:
    # Hikvision DS-2CD2746G2-IZS datasheet: 2.8-12 mm, horizontal 108° to 30°, vertical 56° to 17°
    t = get_camera_type("bullet-4mp-vf-2.8-12")
    w, te = t.optics(focal_mm=2.8), t.optics(focal_mm=12.0)
    assert (w.hfov_deg, w.vfov_deg) == pytest.approx((108.0, 56.0), abs=1e-6)
    assert (te.hfov_deg, te.vfov_deg) == pytest.approx((30.0, 17.0), abs=1e-6)
    mid = t.optics(focal_mm=6.0)
    assert 30.0 < mid.hfov_deg < 108.0 and 17.0 < mid.vfov_deg < 56.0
    assert w.px_per_rad < mid.px_per_rad < te.px_per_rad
    assert t.hfov_range_deg() == pytest.approx((108.0, 30.0))


def test_user_type_angle_rules(tmp_path: Path) -> None:
    base = {"id": "u", "name": "u", "kind": "bullet", "width_px": 2560, "height_px": 1440,
            "sensor": {"optical_format": '1/2.7"'}, "codec": "H.265", "bitrate_hint_mbps": 3.3,
            "source": {k: "test" for k in ("width_px", "height_px", "sensor", "bitrate_hint_mbps", "hfov_deg",
                                            "vfov_deg", "focal_mm", "hfov_wide_deg")}}
    with pytest.raises(InvalidInputError, match="vfov_deg"):
        merge_camera_types({"types": [{**base, "focal_mm": 2.8, "vfov_deg": 57.9}]})
    with pytest.raises(InvalidInputError, match="zoom angles"):
        merge_camera_types({"types": [{**base, "focal_min_mm": 2.8, "focal_max_mm": 12, "hfov_wide_deg": 100}]})
    ok = merge_camera_types({"types": [{**base, "focal_mm": 2.8, "hfov_deg": 106.4, "vfov_deg": 57.9}]})["u"]
    assert ok.optics().vfov_deg == pytest.approx(57.9)
