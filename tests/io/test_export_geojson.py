"""GeoJSON of nodes: RFC 7946 (WGS 84) and OSM surveillance tags."""

from __future__ import annotations

import json

from planner.workflows.export import export_all


def test_geojson_tags(small_project, tmp_path):
    out = export_all(small_project, tmp_path / "nodes.geojson", "geojson")[0]
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    feats = {f["id"]: f for f in fc["features"]}
    assert set(feats) == {"cam-0001", "cam-0002", "store-0001", "cmd-0001"}
    cam = feats["cam-0001"]["properties"]
    assert cam["man_made"] == "surveillance"
    assert cam["surveillance:type"] == "camera"
    assert cam["camera:type"] == "fixed"
    assert cam["camera:direction"] == "45"
    assert cam["camera:mount"] == "pole"
    assert cam["height"] == "6"
    assert cam["name"] == "A"
    assert cam["planner:phase"] == "1"
    lon, lat = feats["cam-0001"]["geometry"]["coordinates"]
    assert 5.0 < lon < 6.0 and 43.0 < lat < 44.0  # Marseille, lon/lat order
    assert "man_made" not in feats["store-0001"]["properties"]


def test_geojson_sample_ptz_is_dome(tmp_path):
    from planner.workflows import open_project
    from tests.conftest import SAMPLES

    p = open_project(SAMPLES / "montevideo.gpkg")
    fc = json.loads(export_all(p, tmp_path / "m.geojson", "geojson")[0].read_text(encoding="utf-8"))
    cams = [f for f in fc["features"] if f["properties"].get("man_made") == "surveillance"]
    assert len(cams) == 103
    kinds = {f["properties"]["planner:camera_type"]: f["properties"]["camera:type"] for f in cams}
    assert kinds["ptz-1080p-25x"] == "dome" and kinds["bullet-1080p-4"] == "fixed"
