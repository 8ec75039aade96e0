"""The four sample projects: open, round-trip exactly, report their contents, match the build script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planner import workflows
from planner.io.project_file import load_project, save_project
from tests.conftest import ROOT, SAMPLE_NAMES, SAMPLES
from tests.io.test_project_file import assert_same_project


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_round_trip(name: str, tmp_path: Path) -> None:
    project = load_project(SAMPLES / f"{name}.gpkg")
    again = load_project(save_project(project, tmp_path / f"{name}.gpkg"))
    assert_same_project(project, again)
    assert workflows.validate(again) == workflows.validate(project)
    assert not [i for i in workflows.validate(project) if i.severity == "error"]


EXPECTED = {
    "marseille": dict(epsg=32631, districts=127, levels={"arrondissement": 16, "quartier": 111},
                      nodes={"camera": 2000, "radio_site": 0, "storage_centre": 3, "command_centre": 2},
                      storage_tb=600.0, layers={"priority_sites": 113}, dem=True, jurisdiction="FR"),
    "cochabamba": dict(epsg=32719, districts=50, levels={"planning grid (synthetic)": 50},
                       nodes={"camera": 420, "radio_site": 29, "storage_centre": 1, "command_centre": 1},
                       storage_tb=300.0, layers={"priority_sites": 42}, dem=False, jurisdiction="BO"),
    "montevideo": dict(epsg=32721, districts=63, levels={"barrio": 63},
                       nodes={"camera": 103, "radio_site": 0, "storage_centre": 1, "command_centre": 1},
                       storage_tb=150.0, layers={"priority_sites": 8, "streets": 28513}, dem=False,
                       jurisdiction="UY"),
    "santiago": dict(epsg=32719, districts=32, levels={"comuna": 32},
                     nodes={"camera": 0, "radio_site": 0, "storage_centre": 0, "command_centre": 0},
                     storage_tb=0, layers={"streets": 5512, "buildings": 1783}, dem=False, jurisdiction="CL"),
}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_info_json(name: str, capsys) -> None:
    import json

    from planner.cli.main import main

    assert main(["info", str(SAMPLES / f"{name}.gpkg"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    exp = EXPECTED[name]
    assert doc["crs"]["epsg"] == exp["epsg"]
    assert doc["districts"] == exp["districts"]
    assert doc["districts_by_level"] == exp["levels"]
    assert doc["nodes"] == exp["nodes"]
    assert doc["storage_capacity_tb"] == exp["storage_tb"]
    for layer, n in exp["layers"].items():
        assert doc["layers"][layer] == n
    assert (doc["dem"] is not None) == exp["dem"]
    assert doc["parameters"]["jurisdiction"] == exp["jurisdiction"]
    assert doc["attribution"]


def test_marseille_phases_and_published_design() -> None:
    p = load_project(SAMPLES / "marseille.gpkg")
    doc = workflows.info(p)
    assert doc["phases"]["2016"]["camera"] == 1000 and doc["phases"]["2020"]["camera"] == 1000
    stores = {s.id: s for s in p.nodes("storage_centre")}
    assert sorted((s.role.value, s.capacity_tb) for s in stores.values()) == [
        ("central", 300.0), ("distributed", 150.0), ("distributed", 150.0)]
    per_store = {}
    for c in p.cameras():
        if c.phase == "2016":
            per_store[c.storage_centre_id] = per_store.get(c.storage_centre_id, 0) + 1
    assert sorted(per_store.values()) == [500, 500]
    assert {c.streams[0].bitrate_mbps for c in p.cameras()} == {4.0}
    # the DEM: Marseille spans sea level to ~650 m inside the commune, SRTM 3" resampled to 30 m
    assert p.dem is not None and p.dem.resolution_m == (30.0, 30.0)
    assert -10 < float(p.dem.array[p.dem.array == p.dem.array].min()) < 5
    assert 600 < float(p.dem.array[p.dem.array == p.dem.array].max()) < 800


def test_cochabamba_cameras_are_wireless_to_existing_sites() -> None:
    p = load_project(SAMPLES / "cochabamba.gpkg")
    sites = {s.id for s in p.nodes("radio_site")}
    assert all(c.connection == "wireless" and c.radio_site_id in sites for c in p.cameras())
    per_site = {}
    for c in p.cameras():
        per_site[c.radio_site_id] = per_site.get(c.radio_site_id, 0) + 1
    assert len(per_site) == 29 and sum(per_site.values()) == 420  # ~14.5 cameras per site


def test_cochabamba_cameras_stand_at_osm_schools_and_hospitals_are_priority_sites() -> None:
    """The deployment prioritised schools: every camera is at an OSM school, the hospitals are the sites."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from scipy.spatial import cKDTree

    p = load_project(SAMPLES / "cochabamba.gpkg")
    data = ROOT / "sample_projects" / "data" / "cochabamba"
    schools = gpd.read_file(data / "schools_osm.geojson").to_crs(p.crs)
    pts = shapely.point_on_surface(schools.geometry.values)
    xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
    dist, _ = cKDTree(xy).query(np.array([c.xy for c in p.cameras()]))
    assert len(dist) == 420 and float(dist.max()) < 0.01  # on the school's own point
    assert all(c.name.startswith("School camera: ") for c in p.cameras())
    hospitals = gpd.read_file(data / "hospitals_osm.geojson").to_crs(p.crs)
    inside = shapely.contains(p.study_area, shapely.point_on_surface(hospitals.geometry.values))
    sites = p.layers["priority_sites"]
    assert len(sites) == int(inside.sum()) == 42
    assert "Complejo Hospitalario Viedma" in set(sites["name"])
    assert sites["name"].is_unique
    # the radio sites come with the cameras they serve: no phase of wireless cameras without a site
    assert {s.phase for s in p.nodes("radio_site")} == {c.phase for c in p.cameras()} == {"stage 1"}
    assert not [i for i in workflows.validate(p) if i.code == "wireless_without_site"]


@pytest.mark.slow
def test_build_script_reproduces_committed_samples(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_samples.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=ROOT)
    for name in SAMPLE_NAMES:
        assert_same_project(load_project(SAMPLES / f"{name}.gpkg"), load_project(tmp_path / f"{name}.gpkg"))


@pytest.mark.parametrize("name", ["marseille", "cochabamba", "montevideo"])
def test_samples_report_coverage_per_district(name: str) -> None:
    from planner.analysis.coverage import CoverageParams

    project = load_project(SAMPLES / f"{name}.gpkg")
    phases = ("2016",) if name == "marseille" else None
    _, doc, text = workflows.coverage_report(project, CoverageParams(phases=phases))
    assert len(doc["districts"]) == len(project.districts)
    assert doc["cameras"] == (1000 if name == "marseille" else len(project.cameras()))
    monitor = doc["city"]["monitor"]
    assert 0 < monitor["night_km2"] <= monitor["day_km2"] < doc["study_area_km2"]
    covered = [d for d in doc["districts"] if d["day_pct"]["monitor"] > 0]
    assert covered and all(d["day_pct"]["detect"] <= d["day_pct"]["monitor"] for d in doc["districts"])
    # district areas add up to the city figure for one level of districts
    level = project.districts["level"].iloc[-1]
    total = sum(d["day_km2"]["monitor"] for d in doc["districts"] if d["level"] == level)
    assert total == pytest.approx(monitor["day_km2"], rel=0.01)
    if name == "montevideo":
        assert any("approximation" in n for n in doc["approximation_notes"])
    assert "Coverage of" in text
