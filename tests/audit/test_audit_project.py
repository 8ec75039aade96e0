"""Audit on a project: privacy masks (area each removes), legal retention, districts from the project."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from planner.audit.run import run_audit


def _register(tmp_path: Path) -> Path:
    # camera A of the small project (692 500, 4 796 500 in UTM 31N) looking north-east, as a WGS 84 register
    f = tmp_path / "reg.csv"
    f.write_text("name,lon,lat,direction\nA,5.37313097921694,43.29671446730305,45\n", encoding="utf-8")
    return f


def test_privacy_mask_removed_area_and_legal_check(small_project, tmp_path: Path) -> None:
    p = small_project
    p.set_parameters(dataclasses.replace(p.parameters, jurisdiction="FR"))
    reg = _register(tmp_path)
    without = run_audit(str(reg), project=p).doc
    mask = shapely.box(692500, 4796500, 692560, 4796560)  # 60 m x 60 m in front of camera A
    p.set_layer("privacy_masks", gpd.GeoDataFrame({"name": ["garden"]}, geometry=[mask], crs=p.crs))
    with_mask = run_audit(str(reg), project=p).doc
    m = with_mask["privacy_masks"]
    assert [x["name"] for x in m] == ["garden"]
    assert m[0]["area_km2"] == pytest.approx(0.0036)
    for lv in ("monitor", "detect", "observe"):
        lost = without["scenarios"]["median"]["area_km2"][lv] - with_mask["scenarios"]["median"]["area_km2"][lv]
        assert m[0]["removed_km2"][lv] == pytest.approx(lost, abs=1e-9)  # what the mask takes is what is lost
    assert m[0]["removed_km2"]["monitor"] > 0
    lr = with_mask["legal_retention"]
    # 10 TB x 0.7125 / (2 cameras x 4 Mb/s / 8 x 86 400 s) = 82.47 days, over France's 30-day maximum
    assert lr["retention_days"] == pytest.approx(10e12 * 0.7125 / (2 * 4e6 / 8 * 86400))
    assert lr["status"] == "exceeds_maximum" and lr["flagged"]
    assert with_mask["study_area"]["source"] == "project"
    assert [d["name"] for d in with_mask["scenarios"]["low"]["districts"]] == ["Ouest", "Est"]


def test_sites_from_the_project(small_project, tmp_path: Path) -> None:
    p = small_project
    site = shapely.Point(692520, 4796520)  # 28 m in front of camera A, on its axis
    p.set_layer("priority_sites", gpd.GeoDataFrame({"name": ["École"]}, geometry=[site], crs=p.crs))
    doc = run_audit(str(_register(tmp_path)), project=p).doc
    s = doc["sensitive_sites"][0]
    assert s["name"] == "École" and s["cameras"]["median"] == 1
    assert s["best_level_day"]["median"] is not None


def test_audit_kept_in_the_project_and_exported(small_project, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from planner import workflows
    from planner.cli.main import main

    f = tmp_path / "p.gpkg"
    workflows.save(small_project, f)
    assert main(["audit", str(_register(tmp_path)), "--project", str(f), "--save"]) == 0
    p = workflows.open_project(f)
    assert p.results["audit"].document["cameras_used"] == 1
    assert set(p.results["audit"].coverage["scenario"]) == {"low", "median", "high"}
    out = tmp_path / "audit.pdf"
    assert main(["export", str(f), "--format", "audit-pdf", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    g = tmp_path / "q.gpkg"
    workflows.save(small_project, g)
    assert main(["export", str(g), "--format", "audit-pdf", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "no audit" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_street_figures_when_the_project_has_streets(small_project, tmp_path: Path) -> None:
    from planner import workflows

    p = small_project
    workflows.import_layer(p, "streets", Path(__file__).resolve().parents[1] / "data" / "osm" / "city.osm")
    reg = tmp_path / "reg.csv"
    # a fixed camera with no direction 3 m from Rue A (lat 43.295): two views along the street
    reg.write_text("name,lon,lat,type\nA,5.3770,43.29503,fixed\n", encoding="utf-8")
    doc = run_audit(str(reg), project=p).doc
    assert doc["direction_rules"]["along the street axis, both ways (fixed camera on a street, direction unknown)"] == 1
    med = doc["scenarios"]["median"]
    assert med["views"] == 2
    total = med["streets_total_km"]
    assert total == pytest.approx(sum(p.layers["streets"].geometry.length) / 1000, rel=1e-6)
    lv = ["monitor", "detect", "observe", "recognise", "identify"]
    km = [med["street_km"][x] for x in lv]
    assert 0 < km[0] <= total and km == sorted(km, reverse=True)  # at least a level implies every lower one
    # two views along the street see at most twice the monitor depth of street, 2 x 109.7 m (f_px / 12.5)
    assert km[0] <= 2 * 1370.7 / 12.5 / 1000 + 0.01
