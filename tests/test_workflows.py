from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from planner import workflows
from planner.errors import InvalidInputError


def _fingerprint(project):
    return (list(project.iter_nodes()), project.links(), project.study_area.wkb,
            project.districts.to_wkb().values.tolist(), sorted(project.layers), project.dem is None)


def test_new_project_picks_utm_and_districts(small_project) -> None:
    assert small_project.epsg == 32631
    assert small_project.area_km2() == pytest.approx(4.0, rel=1e-4)
    assert small_project.districts["name"].tolist() == ["Ouest", "Est"]
    assert small_project.districts["code"].tolist() == ["W", "E"]


def test_import_cameras_csv_maps_columns(small_project, tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_text("INTERSECTION\tLATITUDE\tLONGITUDE\tdirection\theight\n"
                    "Rue A\t43.30\t5.375\t90\t7.5\n"
                    "Rue B\t43.302\t5.38\t180\t5\n", encoding="utf-8")
    before = small_project.node_count
    summary = workflows.import_layer(small_project, "cameras", path, phase="2026")
    assert summary.count == 2
    cams = small_project.cameras()[-2:]
    assert [c.id for c in cams] == ["cam-0003", "cam-0004"]
    assert [c.name for c in cams] == ["Rue A", "Rue B"]
    assert [c.azimuth_deg for c in cams] == [90.0, 180.0]
    assert [c.height_m for c in cams] == [7.5, 5.0]
    assert {c.phase for c in cams} == {"2026"}
    assert small_project.node_count == before + 2


@pytest.mark.parametrize(("content", "match"), [
    ("name,lat,lon,height\na,43.30,5.375,tall\n", r"row 2 column 'height' value 'tall': not a number"),
    ("name,lat,lon,height\na,43.30,5.375,-4\n", r"row 2 column 'height' value '-4': `height_m` must be in"),
    ("name,lat,lon\na,5.375,43.30\n", "none of the 1 points lies in or near the study area"),
])
def test_bad_node_import_leaves_project_unchanged(small_project, tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = _fingerprint(small_project)
    with pytest.raises(InvalidInputError, match=match) as exc:
        workflows.import_layer(small_project, "cameras", path)
    assert "bad.csv" in str(exc.value) and "\n" not in str(exc.value)
    assert _fingerprint(small_project) == before


def test_import_districts_and_reference_layers(small_project, square_geojson: Path, tmp_path: Path) -> None:
    workflows.import_layer(small_project, "districts", square_geojson, level="arrondissement", name_field="nom")
    assert len(small_project.districts) == 4
    assert small_project.districts["level"].tolist()[-2:] == ["arrondissement"] * 2
    bad = tmp_path / "streets.geojson"
    bad.write_text(square_geojson.read_text())
    before = _fingerprint(small_project)
    with pytest.raises(InvalidInputError, match="expected line geometries"):
        workflows.import_layer(small_project, "streets", bad)
    assert _fingerprint(small_project) == before
    with pytest.raises(InvalidInputError, match="no field 'nope'"):
        workflows.import_layer(small_project, "districts", square_geojson, name_field="nope")


def test_districts_far_away_are_refused(small_project, tmp_path: Path) -> None:
    far = tmp_path / "far.geojson"
    far.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
                   '"geometry":{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}]}')
    with pytest.raises(InvalidInputError, match="no district overlaps"):
        workflows.import_layer(small_project, "districts", far)


def test_validate_collects_every_problem(small_project) -> None:
    from planner.model.nodes import Camera, StorageCentre

    small_project.add_nodes([
        Camera(id="cam-0009", x=0.0, y=0.0, storage_centre_id="store-9999", radio_site_id="site-1"),
        StorageCentre(id="store-0002", x=692500.0, y=4796500.0, copy_of=("store-7",)),
    ])
    codes = sorted(i.code for i in workflows.validate(small_project))
    assert codes == ["camera_site_missing", "camera_storage_missing", "node_outside", "storage_copy_missing"]


def test_info_counts(small_project) -> None:
    doc = workflows.info(small_project)
    assert doc["crs"]["epsg"] == 32631
    assert doc["districts"] == 2
    assert doc["nodes"] == {"camera": 2, "radio_site": 0, "storage_centre": 1, "command_centre": 1}
    assert doc["phases"]["1"]["camera"] == 1 and doc["phases"]["2"]["camera"] == 1
    assert doc["storage_capacity_tb"] == 10.0
    copy.deepcopy(doc)


SRTM = Path(__file__).resolve().parents[1] / "sample_projects" / "data" / "marseille" / "srtm3_N43E005.hgt.zip"


def test_import_dem_reprojects_geographic_srtm(small_project) -> None:
    summary = workflows.import_layer(small_project, "dem", SRTM)
    dem = small_project.dem
    assert dem is not None and dem.resolution_m == (30.0, 30.0)
    assert dem.crs == small_project.crs  # SRTM is in degrees; reprojected to UTM 31N
    minx, miny, maxx, maxy = dem.bounds
    a = small_project.study_area.bounds
    assert minx <= a[0] - 1999 and maxx >= a[2] + 1999  # a 2 km margin around the study area
    assert 0 < float(np.nanmean(dem.array)) < 400  # central Marseille: sea level to the hills
    assert summary.count == dem.shape[0] * dem.shape[1]


def test_dem_that_misses_the_study_area_is_refused(tmp_path: Path) -> None:
    far = tmp_path / "far.geojson"
    far.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
                   '"geometry":{"type":"Polygon","coordinates":[[[-56.2,-34.9],[-56.1,-34.9],[-56.1,-34.8],'
                   '[-56.2,-34.9]]]}}]}')
    p = workflows.new_project("Far", boundary=far)
    with pytest.raises(InvalidInputError) as exc:
        workflows.import_layer(p, "dem", SRTM)
    assert "srtm3_N43E005" in str(exc.value) and "\n" not in str(exc.value)
    assert p.dem is None


def test_derive_blocks_from_streets(small_project, capsys, tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely

    from planner.cli.main import main
    from planner.io.project_file import load_project, save_project

    with pytest.raises(InvalidInputError, match="no streets layer"):
        workflows.derive_blocks(small_project)
    x0, y0 = 692000.0, 4796000.0
    lines = [shapely.LineString([(x0, y0 + k), (x0 + 2000, y0 + k)]) for k in (0, 100, 200)] + \
            [shapely.LineString([(x0 + k, y0), (x0 + k, y0 + 2000)]) for k in (0, 100, 200)]
    small_project.layers["streets"] = gpd.GeoDataFrame(geometry=lines, crs=small_project.crs)
    path = save_project(small_project, tmp_path / "b.gpkg")
    assert main(["blocks", str(path), "--setback-m", "5", "--json"]) == 0
    doc = __import__("json").loads(capsys.readouterr().out)
    assert doc["blocks"] == 4  # the 100 m squares between the streets; the big faces are open land
    b = load_project(path).layers["buildings"]
    assert b["approximate"].all() and (b["height_m"] == 12.0).all()
    assert b.area.round().tolist() == [90 * 90.0] * 4  # inset by 5 m on each side


def test_import_user_camera_types(small_project, tmp_path: Path) -> None:
    import json

    from planner.analysis.coverage import camera_types_for

    good = {"schema_version": 1, "types": [{
        "id": "city-lpr-8mm", "name": "City LPR 8 mm", "kind": "bullet", "width_px": 2560, "height_px": 1440,
        "sensor": {"optical_format": '1/2.8"', "aspect": "16:9"}, "focal_mm": 8.0, "ir_range_m": 40,
        "pan_360": False, "codec": "H.265", "bitrate_hint_mbps": 3.3,
        "source": {"width_px": "datasheet", "height_px": "datasheet", "sensor": "datasheet", "focal_mm": "datasheet",
                   "ir_range_m": "datasheet", "bitrate_hint_mbps": "docs/reference.md §R3.2"}}]}
    path = tmp_path / "types.json"
    path.write_text(json.dumps(good))
    assert workflows.import_layer(small_project, "camera_types", path).count == 1
    assert "city-lpr-8mm" in camera_types_for(small_project)
    assert "city-lpr-8mm" in workflows.project_camera_type_ids(small_project)
    bad = json.loads(json.dumps(good))
    bad["types"][0].update(id="bad", focal_mm=-1)
    path.write_text(json.dumps(bad))
    with pytest.raises(InvalidInputError, match="types.json.*problem"):
        workflows.import_layer(small_project, "camera_types", path)
    clash = json.loads(json.dumps(good))
    clash["types"][0]["id"] = "bullet-1080p-4"
    path.write_text(json.dumps(clash))
    with pytest.raises(InvalidInputError, match="built-in library"):
        workflows.import_layer(small_project, "camera_types", path)
    assert [t["id"] for t in small_project.metadata["camera_types"]] == ["city-lpr-8mm"]


def test_validate_warns_when_wireless_cameras_have_no_radio_site_yet(small_project) -> None:
    """Cameras of phase 1 are wireless but the only radio site comes in phase 2 (the old Cochabamba sample)."""
    from planner.model.nodes import Camera, RadioSite

    x0, y0 = 692000.0, 4796000.0
    small_project.add_nodes([
        Camera(id="cam-0101", x=x0 + 300, y=y0 + 300, phase="1", connection="wireless"),
        Camera(id="cam-0102", x=x0 + 400, y=y0 + 300, phase="1", connection="wireless"),
        Camera(id="cam-0103", x=x0 + 400, y=y0 + 900, phase="2", connection="wireless"),
        RadioSite(id="site-0001", x=x0 + 1000, y=y0 + 1000, phase="2"),
    ])
    issues = [i for i in workflows.validate(small_project) if i.code == "wireless_without_site"]
    assert len(issues) == 1 and issues[0].severity == "warning"
    assert "2 wireless camera(s) in phase '1'" in issues[0].message and "phase '2'" in issues[0].message
    # a radio site in phase 1 clears it
    small_project.replace_nodes([small_project.node("site-0001").with_changes(phase="1")])
    assert not [i for i in workflows.validate(small_project) if i.code == "wireless_without_site"]
    # a site with no sectors (a microwave hub) serves no camera
    small_project.replace_nodes([small_project.node("site-0001").with_changes(site_kind="microwave_hub")])
    assert [i for i in workflows.validate(small_project) if i.code == "wireless_without_site"]
