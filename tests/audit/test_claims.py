"""Claims checker: verdicts and implied figures against hand arithmetic (SI units)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.audit.claims import check_claim, load_claims
from planner.cli.main import main
from planner.errors import InvalidInputError

RET = {"kind": "retention", "cameras": 500, "resolution": "1080p", "capacity_tb": 150}


def test_thirty_days_of_1080p_on_150_tb_is_impossible() -> None:
    r = check_claim({**RET, "days": 30})
    assert r["verdict"] == "impossible"
    # 150 TB x 0.7125 (RAID 6/12, 5 % FS, 10 % growth) x 8 bit / (500 x 86 400 s x 30) = 0.6597 Mb/s
    assert r["implied"]["bitrate_mbps"] == pytest.approx(150e12 * 0.7125 * 8 / (500 * 86400 * 30) / 1e6)
    assert r["implied"]["bitrate_mbps"] == pytest.approx(0.6597, abs=1e-4)
    # even with no RAID at all: 150e12 x 8 / (500 x 86400 x 30) = 0.926 Mb/s, below H.264 1080p's 2 Mb/s floor
    assert r["computed"]["implied_bitrate_mbps_raw"] == pytest.approx(0.9259, abs=1e-4)
    assert r["computed"]["plausible_bitrate_mbps"] == [2.0, 9.0]
    # capacity for 30 days at 2 Mb/s: 500 x 2e6/8 B/s x 86400 x 30 / 0.7125 = 454.7 TB
    assert r["implied"]["capacity_needed_tb"] == pytest.approx(454.74, abs=0.01)


def test_about_a_week_is_consistent() -> None:
    r = check_claim({**RET, "days": 7})
    assert r["verdict"] == "consistent"
    assert r["implied"]["bitrate_mbps"] == pytest.approx(150e12 * 0.7125 * 8 / (500 * 86400 * 7) / 1e6)  # 2.83
    assert 2.0 <= r["implied"]["bitrate_mbps"] <= 9.0


def test_twelve_days_needs_an_unusual_usable_share() -> None:
    # at 0.75 usable: 150e12*0.75*8/(500*86400*12)/1e6 = 1.736 < 2; with no reserve at all: 2.315 >= 2
    r = check_claim({**RET, "days": 12})
    assert r["verdict"] == "implausible"
    assert r["needs"] and "usable share of 0.864" in r["needs"][0]  # 0.75 x 2 / 1.736


def test_h265_codec_changes_the_range() -> None:
    r = check_claim({**RET, "days": 14, "codec": "h265"})  # 1.24 Mb/s at 0.75 usable, H.265 from 1.1
    assert r["verdict"] == "consistent"


def test_legal_check_of_a_claim() -> None:
    r = check_claim({**RET, "days": 30, "jurisdiction": "IT"})
    assert r["computed"]["legal"]["status"] == "exceeds_maximum"


def test_coverage_claim_cameras_needed() -> None:
    # median: the library's 1080p 4 mm bullet, datasheet angles HFOV 83 deg x VFOV 44 deg on 1920 x 1080
    # (Hikvision DS-2CD1023G2-LIU, p. 2). A lens with those angles is barrel-distorted: its on-axis scale
    # (px/rad) lies between the rectilinear value (960 / tan 41.5 deg = 1085.5) and the orthographic one
    # (960 / sin 41.5 deg = 1449.0). Recognise is 125 px/m, so the on-axis depth Z lies between 8.68 and
    # 11.59 m, and the wedge one camera sees is Z^2 tan(HFOV/2).
    r = check_claim({"kind": "coverage", "cameras": 1000, "area_km2": 10, "level": "recognise", "share": 0.8})
    wedge_km2 = r["computed"]["max_km2_per_camera"]["median"]
    lo = (960 / math.tan(math.radians(41.5)) / 125) ** 2 * math.tan(math.radians(41.5)) / 1e6
    hi = (960 / math.sin(math.radians(41.5)) / 125) ** 2 * math.tan(math.radians(41.5)) / 1e6
    assert lo < wedge_km2 < hi
    assert r["implied"]["cameras_needed"]["median"] == math.ceil(0.8 * 10 / wedge_km2)  # 67,000 to 120,000
    assert r["verdict"] == "impossible"
    ok = check_claim({"kind": "coverage", "cameras": 1000, "area_km2": 10, "level": "monitor", "share": 0.1})
    # monitor 12.5 px/m: Z from 86.8 to 115.9 m (capped at 400 m), wedge 6,680 to 11,900 m^2:
    # 1,000 cameras reach 0.67 to 1.19 of 10 km^2 at most, so 10 % is within reach
    assert ok["verdict"] == "consistent"


def test_coverage_claim_by_district_name(small_project) -> None:
    r = check_claim({"kind": "coverage", "cameras": 2, "district": "ouest", "level": "detect", "share": 0.5},
                    project=small_project)
    assert r["computed"]["area_km2"] == pytest.approx(2.0, rel=1e-3)  # 1 km x 2 km
    assert r["verdict"] == "impossible"
    with pytest.raises(InvalidInputError, match="no district"):
        check_claim({"kind": "coverage", "cameras": 2, "district": "Nord", "level": "detect", "share": 0.5},
                    project=small_project)


@pytest.mark.parametrize("cameras, verdict", [(5, "consistent"), (20, "implausible"), (30, "impossible")])
def test_radio_claim(cameras: int, verdict: str) -> None:
    # 3 sectors x 20 MHz x 1.0 b/s/Hz x 70 % = 42 Mb/s plannable; best case 3 x 20 x 1.4 = 84 Mb/s
    r = check_claim({"kind": "radio", "cameras": cameras, "bitrate_mbps": 4})
    assert r["verdict"] == verdict
    assert r["computed"]["site_plannable_mbps"] == pytest.approx(42.0)
    assert r["implied"]["cameras_supportable"] == 3 * math.floor(14.0 / 4)


def test_claims_file_yaml_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "claims.yaml"
    f.write_text("claims:\n"
                 "  - {kind: retention, cameras: 500, resolution: 1080p, capacity_tb: 150, days: 30}\n"
                 "  - {kind: retention, cameras: 500, resolution: 1080p, capacity_tb: 150, days: 7}\n"
                 "  - {kind: radio, site: S, cameras: 20, bitrate_mbps: 4}\n", encoding="utf-8")
    assert len(load_claims(f)) == 3
    assert main(["check-claim", str(f), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in doc["claims"]] == ["impossible", "consistent", "implausible"]
    assert set(doc["claims"][0]) >= {"claim", "verdict", "computed", "implied", "assumptions"}


def test_bad_claim_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "c.json"
    f.write_text('{"kind": "retention", "cameras": "many"}', encoding="utf-8")
    assert main(["check-claim", str(f)]) == 2
    assert "cameras" in capsys.readouterr().err
    f.write_text('{"kind": "weather"}', encoding="utf-8")
    assert main(["check-claim", str(f)]) == 2
