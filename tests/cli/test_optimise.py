"""``planner optimise``: coverage tables, JSON keys, one-line errors, --apply on a project, radio and storage sites."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.cli.main import main

KEYS = {"chosen_sites", "objective", "bound", "gap", "optimal", "coverage_before", "coverage_after", "time_s"}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _trap_table(tmp_path: Path) -> Path:
    # big covers a-d (w 1 each); left a,b,e; right c,d,f (e, f weigh 1.5): optimum for 2 = left+right = 7
    rows = ["site_id,demand_id,demand_weight,site_cost"]
    for s, ds in {"big": "abcd", "left": "abe", "right": "cdf"}.items():
        for d in ds:
            rows.append(f"{s},{d},{1.5 if d in 'ef' else 1},1")
    p = tmp_path / "cov.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_coverage_table_max_coverage_json(capsys, tmp_path: Path) -> None:
    table = _trap_table(tmp_path)
    code, out, err = run_cli(capsys, "optimise", "--coverage-table", str(table), "--objective", "max-coverage",
                             "--cameras", "2", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert KEYS <= set(doc)
    assert sorted(doc["chosen_sites"]) == ["left", "right"]
    assert doc["objective"] == pytest.approx(7.0) and doc["bound"] == pytest.approx(7.0)
    assert doc["optimal"] is True and doc["gap"] == 0.0
    assert doc["coverage_before"] == 0.0 and doc["coverage_after"] == pytest.approx(1.0)
    assert doc["greedy_objective"] == pytest.approx(5.5)


def test_coverage_table_min_cameras_and_fixed(capsys, tmp_path: Path) -> None:
    table = _trap_table(tmp_path)
    code, out, _ = run_cli(capsys, "optimise", "--coverage-table", str(table), "--objective", "min-cameras",
                           "--target-share", "1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["objective"] == 2 and doc["optimal"]
    code, out, _ = run_cli(capsys, "optimise", "--coverage-table", str(table), "--cameras", "1",
                           "--fixed-sites", "big", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["coverage_before"] == pytest.approx(4 / 7)
    assert doc["objective"] == pytest.approx(5.5)
    # the greedy alone (time limit 0) never claims optimality, even when it happens to be optimal
    code, out, _ = run_cli(capsys, "optimise", "--coverage-table", str(table), "--cameras", "1",
                           "--time-limit-s", "0", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["objective"] == pytest.approx(4.0) and doc["optimal"] is False


@pytest.mark.parametrize(("content", "args", "needle"), [
    ("", (), "empty"),
    ("site_id,demand_id\n", (), "no rows"),
    ("site,demand\ns1,d1\n", (), "missing column `site_id`"),
    ("site_id,demand_id,demand_weight\ns1,d1,-2\n", (), "must be a finite number >= 0"),
    ("site_id,demand_id,demand_weight\ns1,d1,abc\n", (), "must be a number"),
    ("site_id,demand_id,demand_weight\ns1,d1,1\ns2,d1,3\n", (), "has weight 3 here and 1 before"),
    ("site_id,demand_id\ns1,d1\ns2,d2\n", ("--fixed-sites", "s9"), "unknown site id 's9'"),
    ("site_id,demand_id\ns1,d1\ns2,d2\n", ("--cameras", "3"), "larger than the number of candidate sites"),
])
def test_coverage_table_bad_input_one_line_exit_2(capsys, tmp_path: Path, content: str, args: tuple[str, ...],
                                                  needle: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    argv = ["optimise", "--coverage-table", str(p), *args]
    if "--cameras" not in args:
        argv += ["--cameras", "1"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2, err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_argument_errors(capsys, tmp_path: Path) -> None:
    table = _trap_table(tmp_path)
    code, _, err = run_cli(capsys, "optimise", "--coverage-table", str(table))
    assert code == 2 and "exactly one of `--cameras N` and `--budget X`" in err
    code, _, err = run_cli(capsys, "optimise", "--coverage-table", str(table), "--objective", "min-cameras")
    assert code == 2 and "--target-share" in err
    code, _, err = run_cli(capsys, "optimise", "--coverage-table", str(table), "--cameras", "1", "--apply")
    assert code == 2 and "needs a project" in err
    code, _, err = run_cli(capsys, "optimise", "--coverage-table", str(tmp_path / "none.csv"), "--cameras", "1")
    assert code == 2 and "no such file" in err


@pytest.fixture
def grid_project(tmp_path: Path, square_geojson: Path) -> Path:
    """The 2 km square with a street grid every 200 m, split into segments at the intersections."""
    from planner import workflows

    project = workflows.new_project("Grid", boundary=square_geojson, districts=square_geojson)
    x0, y0 = 692000.0, 4796000.0
    xs = x0 + np.arange(100.0, 2000.0, 200.0)
    ys = y0 + np.arange(100.0, 2000.0, 200.0)
    segs = []
    for x in xs:
        segs += [shapely.LineString([(x, ys[k]), (x, ys[k + 1])]) for k in range(len(ys) - 1)]
    for y in ys:
        segs += [shapely.LineString([(xs[k], y), (xs[k + 1], y)]) for k in range(len(xs) - 1)]
    project.layers["streets"] = gpd.GeoDataFrame({"name": [f"street {i}" for i in range(len(segs))]},
                                                 geometry=segs, crs=project.crs)
    path = tmp_path / "grid.gpkg"
    workflows.save(project, path)
    return path


def test_project_optimise_apply_adds_a_phase(capsys, grid_project: Path) -> None:
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--objective", "max-coverage", "--cameras", "5",
                             "--level", "detect", "--candidates", "intersections", "--workers", "0",
                             "--apply", "--new-phase", "bid", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert KEYS <= set(doc) and len(doc["chosen_sites"]) == 5 and doc["applied"]
    # 8 x 8 interior grid intersections of degree 4 plus 32 of degree 3 on the edges of the grid
    assert doc["candidate_count"] == 64 * 4 + 32 * 3
    assert doc["coverage_before"] == 0.0 and 0 < doc["coverage_after"] < 1
    assert doc["bound"] >= doc["objective"]
    code, out, _ = run_cli(capsys, "info", str(grid_project), "--json")
    info = json.loads(out)
    assert info["cameras"] == 5 and info["phases"]["bid"]["camera"] == 5
    assert "optimise" in info["results"]
    from planner import workflows

    summary = workflows.open_project(grid_project).results["optimise"].document
    assert summary["cameras_added"] == 5 and summary["objective"] == pytest.approx(doc["objective"])
    assert summary["optimal"] == doc["optimal"] and summary["phase"] == "bid"
    # a second run counts the five as existing and adds coverage on top
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "5", "--candidates", "intersections",
                             "--workers", "0", "--json")
    doc2 = json.loads(out)
    assert code == 0 and doc2["existing_cameras"] == 5
    assert doc2["coverage_before"] == pytest.approx(doc["coverage_after"])
    assert doc2["coverage_after"] > doc2["coverage_before"]


def test_project_errors_leave_the_file_unchanged(capsys, grid_project: Path) -> None:
    before = grid_project.read_bytes()
    code, _, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "5", "--district", "Nowhere",
                           "--apply")
    assert code == 2 and "no district named 'nowhere'" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "5", "--level", "ultra")
    assert code == 2 and "`level`" in err
    code, _, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "100000", "--candidates",
                           "intersections", "--workers", "0", "--apply")
    assert code == 2 and "larger than the number of candidate sites" in err
    assert grid_project.read_bytes() == before


def test_radio_and_storage_sites(capsys, grid_project: Path) -> None:
    assert run_cli(capsys, "optimise", str(grid_project), "--cameras", "6", "--candidates", "intersections",
                   "--workers", "0", "--apply")[0] == 0
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--objective", "radio-sites", "--all-cameras",
                             "--site-spacing-m", "1000", "--apply", "--new-phase", "radio", "--json")
    assert code == 0, err
    doc = radio = json.loads(out)
    # six 2.2-4 Mb/s cameras within 2 km: one three-sector macro site serves them all
    assert len(doc["chosen_sites"]) >= 1 and doc["unserved"] == [] and len(doc["assignment"]) == 6
    assert doc["optimal"] is True and doc["objective"] == len(doc["chosen_sites"])
    assert all(ld["max_utilisation"] <= 1.0 + 1e-9 for ld in doc["loads"])
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--objective", "storage-sites",
                             "--site-spacing-m", "1000", "--apply", "--new-phase", "storage", "--json")
    assert code == 0, err
    doc = json.loads(out)
    # no centre yet: one 150 TB centre holds six cameras for 30 days; the cheapest plan opens one
    assert len(doc["chosen_sites"]) == 1 and len(doc["assignment"]) == 6 and doc["optimal"]
    code, out, _ = run_cli(capsys, "info", str(grid_project), "--json")
    info = json.loads(out)
    assert info["nodes"]["storage_centre"] == 1 and info["phases"]["storage"]["storage_centre"] == 1
    assert info["nodes"]["radio_site"] == len(radio["new_sites"]) == info["phases"]["radio"]["radio_site"]


def test_export_table_round_trip(capsys, grid_project: Path, tmp_path: Path) -> None:
    table = tmp_path / "grid_table.csv"
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "4", "--candidates", "intersections",
                             "--workers", "0", "--export-table", str(table), "--json")
    assert code == 0, err
    from_project = json.loads(out)
    code, out, err = run_cli(capsys, "optimise", "--coverage-table", str(table), "--cameras", "4", "--json")
    assert code == 0, err
    from_table = json.loads(out)
    # the same instance: same optimum, same coverage shares (uncovered demand rows keep the total weight)
    assert from_table["objective"] == pytest.approx(from_project["objective"])
    assert from_table["coverage_after"] == pytest.approx(from_project["coverage_after"])
    assert from_table["optimal"] == from_project["optimal"]


def test_incident_file_moves_the_cameras_to_the_incidents(capsys, grid_project: Path, tmp_path: Path) -> None:
    """One camera: without incidents any best site; with a heavy incident cluster the camera goes next to it."""
    x0, y0 = 692000.0, 4796000.0
    inc = gpd.GeoDataFrame({"count": [50, 50]}, geometry=[shapely.Point(x0 + 1500.0, y0 + 1720.0),
                                                          shapely.Point(x0 + 1500.0, y0 + 1680.0)], crs="EPSG:32631")
    f = tmp_path / "incidents.geojson"
    inc.to_crs(4326).to_file(f, driver="GeoJSON")
    code, out, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "1", "--candidates",
                             "intersections", "--workers", "0", "--incidents", str(f), "--incident-radius-m", "60",
                             "--json")
    assert code == 0, err
    doc = json.loads(out)
    (c,) = doc["chosen"]
    # the chosen camera's field of view must take in the incident street (x = 1500, y 1620..1780)
    assert np.hypot(c["x"] - (x0 + 1500.0), c["y"] - (y0 + 1700.0)) <= 120.0
    code, _, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "1", "--incidents",
                           str(tmp_path / "none.geojson"))
    assert code == 2 and "--incidents" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "optimise", str(grid_project), "--cameras", "1", "--incident-weight", "-2")
    assert code == 2 and "incident_weight" in err
