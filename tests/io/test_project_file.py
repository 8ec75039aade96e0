from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.errors import ProjectFileError
from planner.io import project_file
from planner.io.project_file import load_project, read_schema_version, save_project
from planner.model.nodes import Camera, Link, RadioSite, StorageCentre, Stream
from planner.model.project import Parameters, Raster
from planner.model.results import CoverageRecord, DocumentRecord, RadioMapRecord

V1 = Path(__file__).resolve().parents[1] / "data" / "projects" / "v1" / "small_v1.gpkg"


def assert_same_project(a, b) -> None:
    assert a.name == b.name
    assert a.crs == b.crs
    assert a.parameters == b.parameters
    assert a.study_area.equals_exact(b.study_area, 0.0)
    assert list(a.districts.columns) == list(b.districts.columns)
    assert a.districts[["name", "code", "level"]].astype(str).values.tolist() == \
        b.districts[["name", "code", "level"]].astype(str).values.tolist()
    assert all(g1.equals_exact(g2, 0.0) for g1, g2 in zip(a.districts.geometry, b.districts.geometry, strict=True))
    for kind in ("camera", "radio_site", "storage_centre", "command_centre"):
        assert a.nodes(kind) == b.nodes(kind)  # exact values, in order within each kind
    assert a.links() == b.links()
    assert sorted(a.layers) == sorted(b.layers)
    for name in a.layers:
        la, lb = a.layers[name], b.layers[name]
        assert len(la) == len(lb)
        assert all(g1.equals_exact(g2, 0.0) for g1, g2 in zip(la.geometry, lb.geometry, strict=True))
    assert (a.dem is None) == (b.dem is None)
    if a.dem is not None:
        assert a.dem.equals(b.dem) and a.dem.nodata == b.dem.nodata
    assert a.metadata == b.metadata
    assert sorted(a.results) == sorted(b.results)
    for kind in a.results:
        assert a.results[kind] == b.results[kind], kind


def _enrich(p) -> None:
    p.add_nodes([
        RadioSite(id="site-0001", name="Tour", x=692900.0, y=4796900.0, sector_azimuths_deg=(10.0, 130.0)),
        Camera(id="cam-0003", name="<script>alert(1)</script> l'été", x=692123.456789, y=4796987.654321,
               streams=(Stream(), Stream(kind="live", resolution="720p", codec="h265", bitrate_mbps=1.5)),
               connection="wireless", radio_site_id="site-0001", storage_centre_id="store-0001",
               status="existing", cost=1234.5, notes="ligne 1\nligne 2"),
        StorageCentre(id="store-0002", x=692200.0, y=4796200.0, role="central", copy_of=("store-0001",)),
    ])
    p.add_links([Link(id="link-0001", from_id="site-0001", to_id="store-0001", kind="microwave", freq_ghz=18.0)])
    p.layers["priority_sites"] = gpd.GeoDataFrame({"name": ["École"], "kind": ["school"]},
                                                  geometry=[shapely.Point(692700.0, 4796300.0)], crs=p.crs)
    arr = np.arange(12, dtype="float32").reshape(3, 4) * 10.5
    p.dem = Raster(array=arr, transform=(500.0, 0.0, 691900.0, 0.0, -500.0, 4798100.0), crs=p.crs,
                   nodata=-9999.0, source="test.tif")
    p.parameters = Parameters(jurisdiction="FR", retention_target_days=8.0)
    p.metadata = {"attribution": "test", "notes": ["a", "b"]}
    # a network document with the non-finite numbers real results hold (NaN SINR of fibre cameras,
    # unbounded retention of a centre that records nothing)
    p.set_result(DocumentRecord.of("network", {
        "cameras": [{"id": "cam-0001", "sinr_db": float("nan")}, {"id": "cam-0003", "sinr_db": 12.5}],
        "storage": [{"retention_days": 6.94, "idle_days": float("inf")}], "per_centre": (1, np.int64(2))}))
    p.set_result(RadioMapRecord.of(Raster(array=np.full((2, 3), 4.5, dtype="float32"),
                                          transform=(100.0, 0.0, 692000.0, 0.0, -100.0, 4798000.0), crs=p.crs,
                                          source="radio coverage (throughput)"), {"area_km2_at_min_rate": 0.06}))
    p.set_result(CoverageRecord.of({"city": {"monitor": {"day_km2": 0.01}}}, gpd.GeoDataFrame(
        {"level": ["monitor"], "level_index": [1], "period": ["day"], "ppm": [12.5]},
        geometry=[shapely.box(692100, 4796100, 692200, 4796200)], crs=p.crs)))


def test_round_trip_is_exact(small_project, tmp_path: Path) -> None:
    _enrich(small_project)
    path = save_project(small_project, tmp_path / "p.gpkg")
    again = load_project(path)
    assert_same_project(small_project, again)
    net = again.results["network"]
    assert net.document == {"cameras": [{"id": "cam-0001", "sinr_db": None}, {"id": "cam-0003", "sinr_db": 12.5}],
                            "storage": [{"retention_days": 6.94, "idle_days": None}], "per_centre": [1, 2]}
    assert net.non_finite == {"/cameras/*/sinr_db": "nan", "/storage/*/idle_days": "inf"}
    assert again.results["radio"].raster.equals(small_project.results["radio"].raster)
    assert again.results["radio"].raster.source == "radio coverage (throughput)"
    polys = again.results["coverage"].polygons
    assert polys["level"].tolist() == ["monitor"] and polys.geometry.iloc[0].area == 10_000.0
    assert read_schema_version(path) == project_file.SCHEMA_VERSION
    # saving the reopened project gives the same project again
    path2 = save_project(again, tmp_path / "p2.gpkg")
    assert_same_project(again, load_project(path2))


def test_file_is_a_plain_geopackage(small_project, tmp_path: Path) -> None:
    import pyogrio

    path = save_project(small_project, tmp_path / "p.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert layers["cameras"] == "Point" and layers["study_area"] == "Polygon"
    con = sqlite3.connect(path)
    kinds = dict(con.execute("select table_name, data_type from gpkg_contents"))
    assert kinds["planner_metadata"] == "attributes"
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
    con.close()


def test_save_is_atomic(small_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    before = path.read_bytes()
    small_project.add_nodes([Camera(id="cam-0009", x=692300.0, y=4796300.0)])

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(project_file, "_write_meta", boom)
    with pytest.raises(OSError, match="disk full"):
        save_project(small_project, path)
    assert path.read_bytes() == before  # old file intact
    assert sorted(p.name for p in tmp_path.glob("*gpkg*")) == ["p.gpkg"]  # no temp file left behind
    assert "cam-0009" not in load_project(path)


def test_truncated_file_is_a_project_error(small_project, tmp_path: Path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    data = path.read_bytes()
    bad = tmp_path / "truncated.gpkg"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(ProjectFileError, match="truncated.gpkg"):
        load_project(bad)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"this is not sqlite at all, just text" * 10, "not a GeoPackage"),
])
def test_not_a_project(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(content)
    with pytest.raises(ProjectFileError, match=message):
        load_project(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="no such project file"):
        load_project(tmp_path / "nope.gpkg")


def test_plain_geopackage_is_not_a_project(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326), path)
    with pytest.raises(ProjectFileError, match="not a planner project"):
        load_project(path)


def test_newer_schema_is_refused(small_project, tmp_path: Path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    con = sqlite3.connect(path)
    with con:
        con.execute("update planner_metadata set value='99' where key='schema_version'")
    con.close()
    with pytest.raises(ProjectFileError, match="newer than this planner"):
        load_project(path)


def test_metadata_is_data_not_code(small_project, tmp_path: Path) -> None:
    """A hostile file cannot make the loader run code: values are JSON, unknown stream keys refused."""
    path = save_project(small_project, tmp_path / "p.gpkg")
    con = sqlite3.connect(path)
    with con:
        for (trigger,) in con.execute("select name from sqlite_master where type='trigger'").fetchall():
            con.execute(f'drop trigger "{trigger}"')  # GDAL's rtree triggers need SpatiaLite functions
        con.execute("update cameras set streams=? where id='cam-0001'",
                    ('[{"kind": "record", "__reduce__": "os.system"}]',))
    con.close()
    with pytest.raises(ProjectFileError, match="unknown field"):
        load_project(path)


def test_schema_1_migrates_forward(tmp_path: Path) -> None:
    copy = tmp_path / "old.gpkg"
    shutil.copy(V1, copy)
    assert read_schema_version(copy) == 1
    p = load_project(copy)
    assert p.parameters.retention_target_days == 14
    cams = p.cameras()
    assert [c.streams[0].bitrate_mbps for c in cams] == [4.0, None]
    assert cams[1].status == "existing"
    save_project(p, copy)
    assert read_schema_version(copy) == project_file.SCHEMA_VERSION
    assert load_project(copy).cameras() == cams


def test_saved_files_get_normal_permissions(small_project, tmp_path: Path) -> None:
    import os
    import stat

    path = save_project(small_project, tmp_path / "p.gpkg")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not the 0600 of a temporary file
    os.chmod(path, 0o640)
    save_project(small_project, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # a re-save keeps the file's mode


V2 = Path(__file__).resolve().parents[1] / "data" / "projects" / "v2" / "small_v2.gpkg"


def test_schema_2_migrates_forward(tmp_path: Path) -> None:
    """Schema-2 results (bare documents, free-form keys) open as typed results and save as schema 3."""
    copy = tmp_path / "old.gpkg"
    shutil.copy(V2, copy)
    assert read_schema_version(copy) == 2
    p = load_project(copy)
    assert sorted(p.results) == ["coverage", "network"]
    net = p.results["network"]
    assert net.document == {"totals": {"daily_tb": 0.04}, "storage": [{"id": "store-0001", "retention_days": 230.5}]}
    cov = p.results["coverage"]
    assert cov.engine is None and len(cov.polygons) == 8
    assert {"day", "night"} == set(cov.polygons["period"])
    save_project(p, copy)
    assert read_schema_version(copy) == project_file.SCHEMA_VERSION == 4
    assert load_project(copy).results["coverage"] == cov


def test_results_view_is_read_only_and_strict(small_project) -> None:
    from planner.model.results import DocumentRecord

    with pytest.raises(TypeError):
        small_project.results["network"] = {}  # type: ignore[index]
    with pytest.raises(KeyError, match="not a result kind"):
        small_project.results.get("coverage_polygons")
    assert small_project.results.get("network") is None
    events = []
    small_project.changed.connect(events.append)
    old = small_project.set_result(DocumentRecord.of("network", {"a": 1}))
    assert old is None and events == ["results"]
    assert small_project.clear_result("network").document == {"a": 1}
    assert small_project.clear_result("network") is None and events == ["results", "results"]


def test_result_documents_are_strict_json_when_made() -> None:
    """A document that could not be saved is refused when the result is made, not at save time."""
    from planner.errors import InvalidInputError
    from planner.model.results import DocumentRecord, normalise_document

    with pytest.raises(InvalidInputError, match="holds a set"):
        DocumentRecord.of("network", {"ids": {1, 2}})
    deep: dict = {}
    cur = deep
    for _ in range(100):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(InvalidInputError, match="nested deeper"):
        DocumentRecord.of("network", deep)
    clean, marks = normalise_document({"a": [float("inf"), 1.0, float("-inf")], "b/c": float("nan")})
    assert clean == {"a": [None, 1.0, None], "b/c": None}
    assert marks == {"/a/*": "mixed", "/b~1c": "nan"}


@pytest.mark.parametrize("bad, match", [
    ({"results": {"storage": {"document": {}, "non_finite": {}}}}, "no known kind"),
    ({"results": {"network": {"document": {}}}}, "`document` and `non_finite`"),
    ({"results": {"network": {"document": {}, "non_finite": {"/a": "huge"}}}}, "non_finite"),
    ({"results": {"network": {"document": [1], "non_finite": {}}}}, "JSON object"),
    ({"results": [1, 2]}, "must be object"),
])
def test_bad_stored_results_are_refused(small_project, tmp_path: Path, bad, match) -> None:
    import json

    path = save_project(small_project, tmp_path / "p.gpkg")
    con = sqlite3.connect(path)
    with con:
        for key, value in bad.items():
            con.execute("update planner_metadata set value=? where key=?", (json.dumps(value), key))
    con.close()
    with pytest.raises(ProjectFileError, match=match):
        load_project(path)
