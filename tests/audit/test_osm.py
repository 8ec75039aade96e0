"""OpenStreetMap extracts (.osm and its .osm.pbf) for projects: streets, buildings, sensitive sites, cameras."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from planner import workflows
from planner.io import osm

OSM = Path(__file__).resolve().parents[1] / "data" / "osm"
FILES = [OSM / "city.osm", OSM / "city.osm.pbf"]


@pytest.mark.parametrize("path", FILES, ids=["osm", "pbf"])
def test_layers_parse_exactly(path: Path) -> None:
    streets, _ = osm.osm_layer(path, "streets")
    assert sorted(streets["name"]) == ["", "Rue A", "Rue B", "Rue C"]  # the river is not a street
    b, notes = osm.osm_layer(path, "buildings")
    h = dict(zip(b["osm_id"], zip(b["height_m"], b["height_estimated"], strict=True), strict=True))
    assert h == {"w200": (12.0, False), "w201": (15.0, True), "w202": (10.0, True), "w203": (15.0, True)}
    assert "3 of 4" in notes[0]
    sites, _ = osm.osm_layer(path, "priority_sites")
    assert dict(zip(sites["name"], sites["kind"], strict=True)) == {
        "Église Test": "worship", "Hôpital Test": "health", "Clinique Test": "health", "École Test": "school"}
    cams, notes = osm.osm_layer(path, "cameras")
    assert len(cams) == 9 and "408" not in set(cams["osm_id"])  # surveillance:type=guard is a person
    az = dict(zip(cams["osm_id"], cams["azimuth_deg"], strict=True))
    assert az["400"] == 90 and az["401"] == 22.5 and az["403"] == 180 and az["404"] == 270 and az["409"] == 350
    assert any("405" in n and "bogus" in n for n in notes)


def test_parse_hstore() -> None:
    assert osm.parse_hstore('"camera:type"=>"dome","name"=>"a \\"b\\""') == {"camera:type": "dome", "name": 'a "b"'}
    assert osm.parse_hstore(None) == {}


@pytest.mark.parametrize("path", FILES, ids=["osm", "pbf"])
def test_import_into_project_clipped_to_the_study_area(small_project, path: Path) -> None:
    p = small_project
    n_cams = len(p.cameras())
    s = workflows.import_layer(p, "streets", path)
    assert s.count == 3  # the footway at 5.40-5.41 E lies outside the 2 km square
    rue_c = p.layers["streets"][p.layers["streets"]["name"] == "Rue C"].geometry.iloc[0]
    assert shapely.covered_by(rue_c, p.study_area.buffer(0.01))
    assert rue_c.length < 1139  # 0.014° of longitude at 43.3° N is 1 134 m; the part past the edge is cut
    s = workflows.import_layer(p, "buildings", path)
    assert s.count == 4 and sorted(p.layers["buildings"]["height_m"]) == [10.0, 12.0, 15.0, 15.0]
    s = workflows.import_layer(p, "priority_sites", path)
    assert s.count == 4
    s = workflows.import_layer(p, "cameras", path)
    assert s.count == 8  # 9 cameras, one (node 407) outside the area
    assert len(p.cameras()) == n_cams + 8
    by_name = {c.name: c for c in p.cameras()}
    assert by_name["Cam fixed 90"].azimuth_deg == 90 and by_name["Cam fixed 90"].height_m == 5.0
    assert by_name["Cam fixed 90"].tilt_deg == 15.0


def test_cli_import_osm(tmp_path: Path, small_project) -> None:
    from planner.cli.main import main

    f = tmp_path / "p.gpkg"
    workflows.save(small_project, f)
    assert main(["import", str(f), "--layer", "buildings", str(OSM / "city.osm.pbf")]) == 0
    assert len(workflows.open_project(f).layers["buildings"]) == 4
    assert main(["import", str(f), "--layer", "dem", str(OSM / "city.osm")]) == 2  # not an OSM kind: refused
