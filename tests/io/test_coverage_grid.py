"""Coverage stored as its level raster: polygons made lazily, the file round trip, hostile tables."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest
import shapely

from planner import workflows
from planner.analysis.coverage import CoverageParams, run_coverage
from planner.errors import ProjectFileError
from planner.io.project_file import load_project, save_project
from planner.model.coverage_grid import LevelGrid
from planner.model.results import CoverageRecord

TABLE = "result_coverage_levels"


def _grid(crs=None) -> LevelGrid:
    # a 64-cell tile at 2 m whose top-left corner is (1000, 2000): a 5 x 10 cell block at level 2 by day
    # (100 m wide... 10 m wide, 20 m tall), one cell at level 1 at night
    day = np.zeros((64, 64), np.uint8)
    day[0:10, 0:5] = 2
    night = np.zeros((64, 64), np.uint8)
    night[63, 63] = 1
    return LevelGrid(origin_x=1000.0, origin_y=2000.0, resolution_m=2.0, tile_size=64,
                     level_names=("monitor", "detect"), level_ppm=(12.5, 25.0),
                     tiles={("day", 0, 0): day, ("night", 0, 0): night}, crs=crs)


def test_grid_polygons_areas_and_samples_by_hand() -> None:
    g = _grid()
    polys = g.polygons(simplify_m=0.0)
    day = polys[polys["period"] == "day"]
    assert day["level"].tolist() == ["detect"] and day["ppm"].tolist() == [25.0]
    # 5 columns x 10 rows of 2 m cells from the corner (1000, 2000): x 1000..1010, y 1980..2000
    assert day.geometry.iloc[0].area == 200.0 and day.geometry.iloc[0].bounds == (1000.0, 1980.0, 1010.0, 2000.0)
    night = polys[polys["period"] == "night"]
    # the last cell of the tile: x 1126..1128, y 1872..1874
    assert night["level"].tolist() == ["monitor"] and night.geometry.iloc[0].bounds == (1126.0, 1872.0, 1128.0, 1874.0)
    assert g.area_m2("day") == {"monitor": 200.0, "detect": 200.0}
    assert g.area_m2("night") == {"monitor": 4.0, "detect": 0.0}
    assert g.sample(np.array([[1001.0, 1999.0], [1011.0, 1999.0], [1127.0, 1873.0]])).tolist() == [2, 0, 0]
    assert g.sample(np.array([[1127.0, 1873.0]]), period="night").tolist() == [1]
    assert g.polygons(simplify_m=0.0) is polys  # made once


def test_record_makes_polygons_only_when_asked(small_project) -> None:
    result = run_coverage(small_project, CoverageParams())
    rec = workflows.coverage_record(small_project, result)
    assert not rec.has_polygons and rec.can_draw
    polys = rec.polygons
    assert rec.has_polygons and rec.polygons is polys and polys.crs == small_project.crs
    # the grid's polygons are the engine's, cell for cell
    frame = rec.grid.polygons()
    assert len(frame) == len(polys) > 0
    assert frame.geometry.reset_index(drop=True).geom_equals_exact(polys.geometry.reset_index(drop=True), 0).all()
    # the grid holds the levels where they count: its area per level is the summary's city area
    for name, area in rec.grid.area_m2("day").items():
        assert area / 1e6 == pytest.approx(rec.document["city"][name]["day_km2"], abs=1e-12)


def test_stored_grid_round_trip_and_polygons_from_the_file(small_project, tmp_path: Path) -> None:
    result = run_coverage(small_project, CoverageParams())
    rec = workflows.coverage_record(small_project, result)
    small_project.set_result(rec)
    path = save_project(small_project, tmp_path / "p.gpkg")
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert TABLE in tables and "result_coverage_polygons" not in tables  # the raster, not polygons
    assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = ?", (TABLE,)).fetchone() == \
        ("attributes",)
    con.close()
    again = load_project(path)
    back = again.result("coverage")
    assert back.engine is None and not back.has_polygons
    assert back == rec and back.grid.equals(rec.grid)
    a, b = back.polygons, rec.polygons
    assert a.crs == small_project.crs and len(a) == len(b)
    assert a.geometry.reset_index(drop=True).geom_equals_exact(b.geometry.reset_index(drop=True), 0).all()
    assert a["level"].tolist() == b["level"].tolist() and a["period"].tolist() == b["period"].tolist()
    # saved again, the same file contents come back
    path2 = save_project(again, tmp_path / "p2.gpkg")
    assert load_project(path2).result("coverage") == rec


def test_older_polygons_only_result_is_kept(small_project, tmp_path: Path) -> None:
    import geopandas as gpd

    polys = gpd.GeoDataFrame({"level": ["monitor"], "level_index": [1], "period": ["day"], "ppm": [12.5]},
                             geometry=[shapely.box(692100, 4796100, 692200, 4796200)], crs=small_project.crs)
    small_project.set_result(CoverageRecord.of({"city": {}}, polys))
    path = save_project(small_project, tmp_path / "p.gpkg")
    back = load_project(path).result("coverage")
    assert back.grid is None and back.polygons.geometry.iloc[0].area == 10_000.0


@pytest.fixture
def stored(small_project, tmp_path: Path) -> Path:
    small_project.set_result(workflows.coverage_record(small_project, run_coverage(small_project, CoverageParams())))
    return save_project(small_project, tmp_path / "p.gpkg")


def _tamper(path: Path, sql: str, *args) -> str:
    con = sqlite3.connect(path)
    with con:
        con.execute(sql, args)
    con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("sql", "args", "message"), [
    # a decompression bomb: 10 MB of zeros where one 512 x 512 tile (256 KiB) belongs
    (f"UPDATE {TABLE} SET cells = ? WHERE id = 1", (zlib.compress(bytes(10_000_000), 9),), "not exactly one"),
    (f"UPDATE {TABLE} SET cells = ? WHERE id = 1", (zlib.compress(bytes(100), 9),), "not exactly one"),
    (f"UPDATE {TABLE} SET cells = ? WHERE id = 1", (b"not zlib",), "cannot be decompressed"),
    (f"UPDATE {TABLE} SET cells = ? WHERE id = 1", ("text",), "not bytes"),
    (f"UPDATE {TABLE} SET cells = ? WHERE id = 1", (zlib.compress(bytes([9]) * 512 * 512),), "level 9"),
    (f"UPDATE {TABLE} SET period = ? WHERE id = 1", ("dusk",), "period must be one of"),
    (f"UPDATE {TABLE} SET tile_row = ? WHERE id = 1", (1.5,), "integers"),
    (f"UPDATE {TABLE} SET tile_row = ? WHERE id = 1", (1 << 40,), "integers"),
    (f"INSERT INTO {TABLE} (period, tile_row, tile_col, cells) SELECT period, tile_row, tile_col, cells "
     f"FROM {TABLE} WHERE id = 1", (), "appears twice"),
    ("UPDATE planner_metadata SET value = replace(value, '\"tile_size\": 512', '\"tile_size\": 7') "
     "WHERE key = 'coverage_grid'", (), "tile_size 7"),
    ("UPDATE planner_metadata SET value = replace(value, 'zlib', 'lzma') WHERE key = 'coverage_grid'", (),
     "unknown encoding"),
    ("UPDATE planner_metadata SET value = replace(value, '\"resolution_m\": 2.0', '\"resolution_m\": -2') "
     "WHERE key = 'coverage_grid'", (), "resolution"),
    ("DELETE FROM planner_metadata WHERE key = 'coverage_grid'", (), "come together"),
    (f"DELETE FROM gpkg_contents WHERE table_name = '{TABLE}'", (), "not registered"),
])
def test_hostile_grid_is_refused_and_the_file_left_alone(stored: Path, sql: str, args: tuple, message: str) -> None:
    before = _tamper(stored, sql, *args)
    with pytest.raises(ProjectFileError, match=message) as exc:
        load_project(stored)
    assert str(stored) in str(exc.value) and "\n" not in str(exc.value)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == before


def test_export_draws_the_stored_grid(stored: Path, tmp_path: Path) -> None:
    import pyogrio

    from planner.cli.main import main

    out = tmp_path / "export.gpkg"
    assert main(["export", str(stored), "--format", "gpkg", "--out", str(out)]) == 0
    layer = pyogrio.read_dataframe(out, layer="coverage")
    want = load_project(stored).result("coverage").grid
    day = layer[layer["period"] == "day"]
    for name, area in want.area_m2("day").items():  # the bands of each level and above add up to the grid
        rank = list(want.level_names).index(name) + 1
        assert day[day["level_index"] >= rank].geometry.area.sum() == pytest.approx(area, rel=0.02)
