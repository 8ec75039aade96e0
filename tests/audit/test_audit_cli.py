"""``planner audit``: the JSON document, rejected rows, the study area, outputs, and the Chicago registers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.io.export_html import REMOTE_URL_RE

DATA = Path(__file__).resolve().parents[1] / "data"
KEYS = {"cameras_read", "cameras_used", "rejected", "study_area", "scenarios", "assumptions"}
LEVELS = ("monitor", "detect", "observe", "recognise", "identify")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main(["audit", *argv, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_osm_register_on_a_boundary(capsys: pytest.CaptureFixture[str], square_geojson: Path, tmp_path: Path) -> None:
    doc = _run(capsys, str(DATA / "osm" / "city.osm.pbf"), "--boundary", str(square_geojson),
               "--out", str(tmp_path / "out"), "--out-of-service", "0.5", "--draws", "5")
    assert KEYS <= set(doc)
    assert doc["cameras_read"] == 10 and doc["cameras_used"] == 6
    reasons = {r["row"]: r["reason"] for r in doc["rejected"]}
    assert reasons["407"] == "outside the study area"
    assert "unparseable direction" in reasons["405"] and "duplicate" in reasons["406"] and "not a camera" in reasons["408"]
    assert doc["study_area"]["source"] == "boundary square.geojson"
    assert doc["study_area"]["km2"] == pytest.approx(4.0, rel=1e-3)
    assert doc["study_area"]["districts"] == 2
    for name in ("low", "median", "high"):
        s = doc["scenarios"][name]
        assert set(s["area_km2"]) == set(LEVELS) == set(s["area_pct"])
        assert [d["name"] for d in s["districts"]] == ["Ouest", "Est"]
        # district areas add up to the city's (the two halves tile the square)
        for lv in LEVELS:
            assert sum(d["area_km2"][lv] for d in s["districts"]) == pytest.approx(s["area_km2"][lv], abs=1e-9)
            assert s["area_pct"][lv] == pytest.approx(100 * s["area_km2"][lv] / doc["study_area"]["km2"])
    # the envelope is ordered: more capability, more area at the monitor level
    a = [doc["scenarios"][n]["area_km2"]["monitor"] for n in ("low", "median", "high")]
    assert a[0] < a[1] < a[2]
    # the panning camera (node 402, no direction) is a 360° disc, the others are views along their directions
    assert doc["direction_rules"]["360° (dome or panning camera, direction unknown)"] == 1
    sites = {s["name"]: s for s in doc["sensitive_sites"]}
    assert set(sites) == {"Église Test", "Hôpital Test", "Clinique Test", "École Test"}
    assert set(sites["Église Test"]["best_level_day"]) == {"low", "median", "high"}
    assert doc["availability"]["devices"] == 6 and doc["availability"]["out_of_service_count"] == 3
    files = sorted(Path(f).name for f in doc["files"])
    assert files == ["audit-map.html", "audit-report.pdf", "audit.json"]
    html = (tmp_path / "out" / "audit-map.html").read_text(encoding="utf-8")
    assert REMOTE_URL_RE.search(html) is None
    for name in ("low", "median", "high"):
        assert f"Scenario {name}: coverage by day" in html
    assert (tmp_path / "out" / "audit-report.pdf").read_bytes()[:5] == b"%PDF-"


def test_no_boundary_uses_the_register_extent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("name;lat;lon;type\nA;43.2965;5.3698;dome\nB;43.2990;5.3720;\n", encoding="utf-8")
    doc = _run(capsys, str(f))
    assert doc["study_area"]["source"].startswith("register extent")
    assert any("convex hull" in a for a in doc["assumptions"])
    # hull of two points d apart buffered by r = 0.5 km: a stadium of area pi r² + 2 r d (d on the ellipsoid)
    import math

    import pyproj

    d_km = pyproj.Geod(ellps="WGS84").inv(5.3698, 43.2965, 5.3720, 43.2990)[2] / 1000
    assert doc["study_area"]["km2"] == pytest.approx(math.pi * 0.25 + 2 * 0.5 * d_km, rel=0.003)
    rules = doc["direction_rules"]
    assert rules["360° (dome or panning camera, direction unknown)"] == 1
    assert rules["disc of the lens range (direction unknown): an upper bound"] == 1


def test_bad_inputs_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["audit", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    f = tmp_path / "reg.csv"
    f.write_text("name,street\nA,Main\n", encoding="utf-8")
    assert main(["audit", str(f)]) == 2
    assert "no coordinate columns" in capsys.readouterr().err
    g = tmp_path / "g.csv"
    g.write_text("name,lat,lon\nA,43.3,5.37\n", encoding="utf-8")
    assert main(["audit", str(g), "--out-of-service", "1.5"]) == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_chicago_registers_per_neighbourhood(capsys: pytest.CaptureFixture[str]) -> None:
    c = DATA / "chicago"
    doc = _run(capsys, str(c / "red_light_camera_locations.csv"), str(c / "speed_camera_locations.csv"),
               "--boundary", str(c / "neighborhoods_98.geojson"))
    assert doc["cameras_read"] == 149 + 160
    assert doc["cameras_used"] + len(doc["rejected"]) == 309
    assert doc["study_area"]["districts"] == 98
    med = doc["scenarios"]["median"]
    assert len(med["districts"]) == 98
    assert sum(d["area_km2"]["monitor"] for d in med["districts"]) == pytest.approx(med["area_km2"]["monitor"],
                                                                                      rel=1e-6)
    # every camera has an approach, so every view follows the register: one per monitored approach
    assert doc["direction_rules"]["direction from the register"] == doc["cameras_used"]
    assert med["views"] >= doc["cameras_used"]
