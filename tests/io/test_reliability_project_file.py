"""Hostile or damaged project files: refused with exit 3 and one line, never a hang, never silent loss."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from planner import workflows
from planner.cli.main import main
from planner.errors import ProjectFileError
from planner.io.project_file import load_project, save_project
from tests.conftest import ROOT


@pytest.fixture
def saved(small_project, tmp_path) -> Path:
    return save_project(small_project, tmp_path / "p.gpkg")


def gpkg_connect(path: Path) -> sqlite3.Connection:
    """A plain SQLite connection with stand-ins for the SpatiaLite functions GDAL's R-tree triggers call."""
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda g: 0)
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    return con


def _sql(path: Path, *statements: str, params: tuple = ()) -> None:
    con = gpkg_connect(path)
    try:
        for st in statements:
            con.execute(st, params) if params and "?" in st else con.execute(st)
        con.commit()
    finally:
        con.close()


def _set_meta(path: Path, key: str, text: str) -> None:
    con = sqlite3.connect(path)
    con.execute("INSERT OR REPLACE INTO planner_metadata (key, value) VALUES (?, ?)", (key, text))
    con.commit()
    con.close()


def _refused(path: Path, match: str, capsys) -> str:
    with pytest.raises(ProjectFileError, match=match):
        workflows.open_project(path)
    assert main(["info", str(path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


# ------------------------------------------------------------ 11.6 views, triggers, hangs
def test_infinite_recursive_view_is_refused_without_running_it(saved, capsys) -> None:
    _sql(saved, "CREATE VIEW loop AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
         "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('loop', 'features', 'loop')")
    code = ("import sys; from planner.cli.main import main; "
            f"sys.exit(main(['info', {str(saved)!r}]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 3 and "view" in out.stderr and "Traceback" not in out.stderr


def test_unregistered_view_and_foreign_trigger_are_refused(saved, capsys) -> None:
    _sql(saved, "CREATE VIEW v AS SELECT 1")
    _refused(saved, "view", capsys)
    _sql(saved, "DROP VIEW v", "CREATE TRIGGER evil AFTER INSERT ON cameras BEGIN DELETE FROM links; END")
    assert "evil" in _refused(saved, "trigger", capsys)


def test_gdal_triggers_and_rasters_are_accepted(small_project, tmp_path) -> None:
    import numpy as np

    from planner.model.project import Raster

    small_project.dem = Raster(array=np.full((20, 30), 50.0, dtype="float32"),
                               transform=(100.0, 0.0, 691000.0, 0.0, -100.0, 4799000.0), crs=small_project.crs,
                               source="flat")
    from planner.model.results import RadioMapRecord

    small_project.set_result(RadioMapRecord.of(Raster(array=np.ones((5, 5), dtype="float32"),
                                                      transform=(400.0, 0.0, 691000.0, 0.0, -400.0, 4799000.0),
                                                      crs=small_project.crs, source="test")))
    path = save_project(small_project, tmp_path / "r.gpkg")
    p = workflows.open_project(path)
    assert p.dem is not None and p.dem.shape == (20, 30) and p.results["radio"].raster.shape == (5, 5)


def test_sqlite_work_is_bounded(saved, monkeypatch, capsys) -> None:
    """The progress handler stops SQLite when inspecting a file takes too long (here: any time at all)."""
    from planner.io import project_file

    monkeypatch.setattr(project_file, "SQLITE_DEADLINE_S", -1.0)
    with pytest.raises(ProjectFileError, match="took over"):
        load_project(saved)


# ------------------------------------------------------------ 11.7 metadata schema
@pytest.mark.parametrize(("key", "text", "match"), [
    ("metadata", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("metadata", json.dumps({"a": "[" * 70 + "1" + "]" * 70}).replace('"[', "[").replace(']"', "]"), "deeper than"),
    ("metadata", "[1, 2]", "must be object"),
    ("metadata", '"text"', "must be object"),
    ("parameters", "[]", "must be object"),
    ("results", "5", "must be object"),
    ("name", "{}", "must be text"),
    ("metadata", '{"x": NaN}', "not valid JSON"),
    ("parameters", '{"default_bitrate_mbps": Infinity}', "not valid JSON"),
    ("parameters", '{"jurisdiction": 5}', "wrong type"),
    ("parameters", '{"default_bitrate_mbps": "fast"}', "wrong type"),
    ("schema_version", "true", "must be integer"),
    ("dem", '{"nodata": "x"}', "nodata"),
])
def test_bad_metadata_values_exit_3(saved, capsys, key, text, match) -> None:
    _set_meta(saved, key, text)
    _refused(saved, match, capsys)


def test_deep_streams_json_in_a_camera_row_exits_3(saved, capsys) -> None:
    _sql(saved, "UPDATE cameras SET streams = ?", params=("[" * 100_000 + "]" * 100_000,))
    _refused(saved, "nested too deeply", capsys)


def test_text_in_a_numeric_column_is_named_not_read_as_zero(saved, capsys) -> None:
    _sql(saved, "UPDATE cameras SET height_m = 'tall' WHERE id = 'cam-0001'")
    line = _refused(saved, "height_m", capsys)
    assert "'tall'" in line and "got 0" not in line


def test_invalid_camera_types_and_unit_prices_in_a_project_exit_3(saved, capsys) -> None:
    _set_meta(saved, "metadata", json.dumps({"camera_types": [{"id": "x", "kind": ["bullet"]}]}))
    _refused(saved, "camera", capsys)
    _set_meta(saved, "metadata", json.dumps({"unit_prices": {"camera_pole": "cheap"}}))
    _refused(saved, "unit price", capsys)
    _set_meta(saved, "metadata", json.dumps({"unit_prices": {"no_such_price": 5}}))
    _refused(saved, "unknown unit price", capsys)


# ------------------------------------------------------------ 11.8 never drop silently
def test_extra_camera_column_is_refused_not_dropped(saved, capsys) -> None:
    _sql(saved, "ALTER TABLE cameras ADD COLUMN owner TEXT", "UPDATE cameras SET owner = 'police'")
    assert "'owner'" in _refused(saved, "column", capsys)


def test_unknown_parameter_and_metadata_key_are_refused(saved, capsys) -> None:
    _set_meta(saved, "parameters", json.dumps({"currency": "EUR", "secret_knob": 3}))
    _refused(saved, "unknown parameter", capsys)
    _set_meta(saved, "parameters", json.dumps({"currency": "EUR"}))
    workflows.open_project(saved)
    _set_meta(saved, "future_key", "1")
    _refused(saved, "unknown metadata", capsys)


def test_extra_table_and_extra_layer_are_refused(saved, capsys) -> None:
    _sql(saved, "CREATE TABLE notes (t TEXT)")
    assert "'notes'" in _refused(saved, "table", capsys)
    _sql(saved, "DROP TABLE notes")
    workflows.open_project(saved)
    _sql(saved, "CREATE TABLE bus_stops (fid INTEGER PRIMARY KEY, geom BLOB)",
         "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('bus_stops', 'features', 'x')")
    assert "'bus_stops'" in _refused(saved, "layer", capsys)


def test_cameras_missing_from_gpkg_contents_is_refused(saved, capsys, tmp_path) -> None:
    _sql(saved, "DELETE FROM gpkg_contents WHERE table_name = 'cameras'")
    assert "'cameras'" in _refused(saved, "not registered", capsys)
    csv = tmp_path / "c.csv"
    csv.write_text("lon,lat\n5.375,43.30\n", encoding="utf-8")
    before = saved.read_bytes()
    assert main(["import", str(saved), "--layer", "cameras", str(csv)]) == 3
    assert saved.read_bytes() == before  # the import did not "keep 1 camera of 161"


def test_reference_layer_columns_round_trip(small_project, tmp_path) -> None:
    """What the planner keeps as is (reference layers, districts, free metadata) survives a save."""
    import geopandas as gpd
    import shapely

    small_project.set_layer("streets", gpd.GeoDataFrame(
        {"name": ["Rue A"], "surface": ["asphalt"], "lanes": [2]},
        geometry=[shapely.LineString([(692100, 4796100), (692900, 4796900)])], crs=small_project.crs))
    small_project.metadata["my_notes"] = {"deep": {"er": [1, 2, {"x": "y"}]}}
    p = tmp_path / "rt.gpkg"
    save_project(small_project, p)
    q = workflows.open_project(p)
    save_project(q, p)
    r = workflows.open_project(p)
    assert list(r.layers["streets"]["surface"]) == ["asphalt"] and list(r.layers["streets"]["lanes"]) == [2]
    assert r.metadata["my_notes"] == {"deep": {"er": [1, 2, {"x": "y"}]}}
    assert list(r.districts["name"]) == list(small_project.districts["name"])


def test_a_folder_is_not_a_project(tmp_path, capsys) -> None:
    d = tmp_path / "dir.gpkg"
    d.mkdir()
    assert main(["info", str(d)]) == 3
    assert "folder" in capsys.readouterr().err
