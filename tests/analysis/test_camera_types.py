"""Camera-type library: built-in resource, validation, user merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.analysis.camera_types import (
    CameraKind,
    builtin_camera_types,
    get_camera_type,
    load_camera_types,
    merge_camera_types,
    parse_camera_types,
)
from planner.errors import InvalidInputError, OutOfRangeError


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
                    "hfov_deg", "ir_range_m", "bitrate_hint_mbps", "unit_cost_eur"):
            if entry.get(key) is not None:
                assert entry["source"].get(key), (entry["id"], key)


def test_builtin_optics_match_reference() -> None:
    t = get_camera_type("bullet-1080p-2.8")
    o = t.optics()
    assert o.hfov_deg == pytest.approx(90.0, abs=0.1)  # T24 for the 1/2.8" 2.8 mm class
    assert o.range_m(250.0) == pytest.approx(3.84, abs=0.02)
    vf = get_camera_type("bullet-1080p-vf-2.8-12")
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
    merged = merge_camera_types(p)
    assert "my-cam" in merged and len(merged) == len(builtin_camera_types()) + 1
    assert merged["bullet-1080p-2.8"].focal_min_mm == 3.6
    assert builtin_camera_types()["bullet-1080p-2.8"].focal_min_mm == 2.8  # built-ins untouched
    with pytest.raises(InvalidInputError, match="redefines"):
        merge_camera_types(p, allow_override=False)


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
        load_camera_types(p)
    msg = str(info.value)
    assert "`bad.json`" in msg and "6 problem(s)" in msg
    assert "focal_mm" in msg and "drone" in msg and "hfov_deg" in msg


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_camera_types(tmp_path / "missing.json")
    p = tmp_path / "x.json"
    p.write_text("{not json")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        load_camera_types(p)
    with pytest.raises(InvalidInputError, match="schema_version"):
        parse_camera_types({"schema_version": 99, "types": []}, origin="x.json")
