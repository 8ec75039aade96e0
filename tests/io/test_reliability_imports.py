"""Imports: every bad row at once, --skip-bad-rows, refusals by default, and the fuzz classes as reproducers."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner import workflows
from planner.cli.main import main
from planner.errors import BadRowsError, CRSError, GeometryError, InvalidInputError
from planner.io.project_file import load_project, save_project

# the small project's square: x 692000..694000, y 4796000..4798000 in UTM 31N (lon 5.367..5.392, lat 43.292..43.310)
GOOD = "5.375,43.300"


def _csv(tmp_path: Path, text: str, name: str = "cams.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


# ------------------------------------------------------------ 10.6 every bad row, skip, refuse outside
def test_every_bad_row_is_reported_at_once(small_project, tmp_path) -> None:
    p = _csv(tmp_path, "name,lon,lat,height_m,azimuth_deg\n"
                       f"ok,{GOOD},6,10\n"
                       "bad1,5.375,north,6,10\n"          # row 3: latitude
                       f"bad2,{GOOD},tall,10\n"            # row 4: height
                       f"bad3,{GOOD},6,1e999\n"            # row 5: azimuth not finite
                       f"bad4,{GOOD},-3,10\n")             # row 6: height out of range
    before = small_project.node_count
    with pytest.raises(BadRowsError) as exc:
        workflows.import_layer(small_project, "cameras", p)
    e = exc.value
    assert e.rows == [3, 4, 5, 6]
    by_row = {q.row: q for q in e.problems}
    assert (by_row[3].column, by_row[3].value, by_row[3].reason) == ("lat", "north", "not a number")
    assert (by_row[4].column, by_row[4].value) == ("height_m", "tall")
    assert by_row[5].column == "azimuth_deg" and "finite" in by_row[5].reason
    assert by_row[6].column == "height_m" and "must be in" in by_row[6].reason
    assert "4 of 5 row(s)" in str(e) and "\n" not in str(e)
    assert small_project.node_count == before


def test_skip_bad_rows_imports_the_good_ones_and_lists_the_rest(small_project, tmp_path, capsys) -> None:
    p = _csv(tmp_path, f"name,lon,lat,height_m\nok1,{GOOD},6\nbad,5.375,x,6\nok2,5.376,43.301,7\nbad2,{GOOD},-1\n")
    proj = save_project(small_project, tmp_path / "p.gpkg")
    assert main(["import", str(proj), "--layer", "cameras", str(p)]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "row 5" in err and len(err.strip().splitlines()) == 1
    assert main(["import", str(proj), "--layer", "cameras", str(p), "--skip-bad-rows", "--json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["imported"]["count"] == 2
    assert [(s["row"], s["column"]) for s in doc["imported"]["skipped"]] == [(3, "lat"), (5, "height_m")]
    assert "skipped 2 bad row(s)" in err
    assert sorted(c.name for c in load_project(proj).cameras())[-2:] == ["ok1", "ok2"]


def test_a_camera_far_outside_the_area_is_refused_unless_kept(small_project, tmp_path) -> None:
    p = _csv(tmp_path, f"name,lon,lat\nin,{GOOD}\nfar,6.30,43.30\n")  # 6.30 E is about 75 km east
    with pytest.raises(BadRowsError, match="km outside the study area") as exc:
        workflows.import_layer(small_project, "cameras", p)
    (q,) = exc.value.problems
    assert q.row == 3 and 70 < float(q.reason.split(" km")[0]) < 80
    s = workflows.import_layer(small_project, "cameras", p, keep_outside=True)
    assert s.count == 2 and any("kept: --keep-outside" in n for n in s.notes)


def test_unknown_camera_type_is_refused_at_import(small_project, tmp_path) -> None:
    p = _csv(tmp_path, f"name,lon,lat,camera_type\na,{GOOD},bullet-1080p-4\nb,{GOOD},no-such-camera\n")
    with pytest.raises(BadRowsError, match="unknown camera type") as exc:
        workflows.import_layer(small_project, "cameras", p)
    assert [(q.row, q.value) for q in exc.value.problems] == [(3, "no-such-camera")]


def test_duplicate_ids_are_replaced_with_a_note(small_project, tmp_path) -> None:
    p = _csv(tmp_path, f"id,lon,lat\nx1,{GOOD}\nx1,{GOOD}\n")
    s = workflows.import_layer(small_project, "cameras", p)
    assert any("repeat within the file" in n and "generated ids" in n for n in s.notes)
    assert [c.id for c in small_project.cameras()][-2:] == ["cam-0003", "cam-0004"]


def test_nul_byte_in_a_name_is_a_bad_row_not_a_truncated_name(small_project, tmp_path) -> None:
    p = tmp_path / "nul.csv"
    p.write_bytes(f"name,lon,lat\nRue\x00Secret,{GOOD}\nok,{GOOD}\n".encode())
    with pytest.raises(BadRowsError, match="NUL") as exc:
        workflows.import_layer(small_project, "cameras", p)
    assert exc.value.rows == [2]


def test_utf16_csv_with_a_bom_reads_its_headers(small_project, tmp_path) -> None:
    p = _csv(tmp_path, f"name,lon,lat\nPlace de l'Hôtel,{GOOD}\n", encoding="utf-16")
    assert p.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    s = workflows.import_layer(small_project, "cameras", p)
    assert s.count == 1 and small_project.cameras()[-1].name == "Place de l'Hôtel"


def test_name_and_NAME_fid_and_geom_properties_survive_a_save(small_project, tmp_path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["a"], "NAME": ["b"], "fid": [7], "geom": ["g"]},
                           geometry=[shapely.LineString([(5.37, 43.30), (5.38, 43.301)])], crs=4326)
    p = tmp_path / "streets.geojson"
    p.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    s = workflows.import_layer(small_project, "streets", p)
    assert any("renamed column" in n for n in s.notes)
    out = save_project(small_project, tmp_path / "p.gpkg")
    streets = load_project(out).layers["streets"]
    assert {"name", "NAME_2", "fid_2", "geom_2"} <= set(streets.columns)
    assert streets["NAME_2"].iloc[0] == "b" and int(streets["fid_2"].iloc[0]) == 7


# ------------------------------------------------------------ 11.9 fuzz classes (one reproducer each)
def test_truncated_geotiff_dem_exits_2(small_project, tmp_path) -> None:
    import rasterio
    from affine import Affine

    tif = tmp_path / "dem.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=200, height=200, count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.001, 0.0, 5.30, 0.0, -0.001, 43.35)) as ds:
        ds.write(np.random.default_rng(0).random((200, 200), dtype="float32") * 100, 1)
    data = tif.read_bytes()
    tif.write_bytes(data[: len(data) // 8])
    with pytest.raises(InvalidInputError, match="DEM"):
        workflows.import_layer(small_project, "dem", tif)


def test_dem_in_an_engineering_crs_exits_2(small_project, tmp_path) -> None:
    import rasterio
    from affine import Affine

    tif = tmp_path / "local.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                       crs=rasterio.crs.CRS.from_wkt('LOCAL_CS["local",UNIT["metre",1]]'),
                       transform=Affine(10.0, 0.0, 0.0, 0.0, -10.0, 100.0)) as ds:
        ds.write(np.ones((10, 10), dtype="float32"), 1)
    with pytest.raises(InvalidInputError, match="engineering or local CRS"):
        workflows.import_layer(small_project, "dem", tif)


def test_boundary_union_topology_exception_is_one_line(tmp_path, monkeypatch) -> None:
    """GEOS's "side location conflict" in the union: retried on a fine grid, else a one-line error."""
    import planner.io.vector as vector

    calls = {"n": 0}
    real = shapely.union_all

    def flaky(geoms, *a, **k):
        calls["n"] += 1
        if calls["n"] == 1:
            raise shapely.errors.GEOSException("TopologyException: side location conflict at 1 2")
        return real(geoms, *a, **k)

    monkeypatch.setattr(vector.shapely, "union_all", flaky)
    a = vector.union_polygons([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], path="b.geojson")
    assert a.area == pytest.approx(2.0)

    def always(geoms, *a, **k):
        raise shapely.errors.GEOSException("TopologyException: side location conflict at 1 2")

    monkeypatch.setattr(vector.shapely, "union_all", always)
    with pytest.raises(GeometryError, match="cannot be merged"):
        vector.union_polygons([shapely.box(0, 0, 1, 1)], path="b.geojson")


def test_nan_vertex_in_districts_exits_2(small_project, tmp_path) -> None:
    p = tmp_path / "d.geojson"
    p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
                 '"geometry":{"type":"Polygon","coordinates":[[[5.37,43.30],[5.38,NaN],[5.38,43.31],'
                 '[5.37,43.30]]]}}]}', encoding="utf-8")
    with pytest.raises(InvalidInputError):
        workflows.import_layer(small_project, "districts", p)


@pytest.mark.parametrize("entry", [
    {"kind": ["bullet"]}, {"width_px": {"a": 1}}, {"name": ["x"]}, {"sensor": ["1/3\""]},
    {"sensor": {"optical_format": ["1/3\""]}}, {"focal_mm": "4"}, {"source": ["x"]},
])
def test_camera_types_with_lists_or_dicts_where_values_belong_exit_2(small_project, tmp_path, entry) -> None:
    base = json.loads((Path(__file__).resolve().parents[2] / "resources" / "camera_types.json")
                      .read_text(encoding="utf-8"))["types"][0]
    t = {**base, "id": "mine", **entry}
    p = tmp_path / "types.json"
    p.write_text(json.dumps({"schema_version": 1, "types": [t]}), encoding="utf-8")
    with pytest.raises(InvalidInputError):
        workflows.import_layer(small_project, "camera_types", p)


def test_nan_and_deep_nesting_in_camera_types_exit_2(small_project, tmp_path) -> None:
    p = tmp_path / "types.json"
    p.write_text('{"schema_version": 1, "types": [{"id": "x", "width_px": NaN}]}', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="NaN"):
        workflows.import_layer(small_project, "camera_types", p)
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        workflows.import_layer(small_project, "camera_types", p)


def test_geojson_crs_member_without_a_name_exits_2(small_project, tmp_path) -> None:
    p = tmp_path / "b.geojson"
    p.write_text('{"type":"FeatureCollection","crs":{"properties":"name"},"features":[{"type":"Feature",'
                 '"properties":{},"geometry":{"type":"Point","coordinates":[5.375,43.30]}}]}', encoding="utf-8")
    with pytest.raises(CRSError, match="names no CRS"):
        workflows.import_layer(small_project, "priority_sites", p)


# ------------------------------------------------------------ 11.10 / 11.11 study areas
def _boundary(tmp_path: Path, geoms, crs=4326, name="b.geojson", declare: str | None = None) -> Path:
    gdf = gpd.GeoDataFrame({"n": list(range(len(geoms)))}, geometry=geoms, crs=crs)
    doc = json.loads(gdf.to_json(drop_id=True))
    if declare:
        doc["crs"] = {"type": "name", "properties": {"name": declare}}
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize(("geoms", "declare", "match"), [
    ([shapely.box(-20, 80, 20, 89)], None, "polar"),                          # polar
    ([shapely.box(43.29, 5.36, 43.31, 5.39)], None, None),                    # lat/lon swapped: a valid spot at sea
    ([shapely.box(-180, -85, 180, 85)], None, "latitude"),                    # whole world
    ([shapely.box(-179.9, -40, 179.9, 40)], None, "spans"),                   # whole world in range
    ([shapely.box(5.37, 43.30, 5.37 + 1e-9, 43.30 + 1e-9)], None, "too small"),
    ([shapely.box(179.0, -1, 179.99, 1), shapely.box(-179.99, -1, -179.0, 1)], None, "180th meridian"),
    ([shapely.box(5.37, 43.30, 5.39, 43.32)], "EPSG:3857", "declares"),      # degrees declared as metres
])
def test_degenerate_study_areas_are_refused_with_the_reason(tmp_path, geoms, declare, match) -> None:
    p = _boundary(tmp_path, geoms, declare=declare)
    if match is None:
        workflows.new_project("x", boundary=p)  # an odd but real place: accepted
        return
    with pytest.raises(InvalidInputError, match=match):
        workflows.new_project("x", boundary=p)


def test_zero_area_polygon_and_crs_epsg_0_exit_2(tmp_path, capsys) -> None:
    flat = _boundary(tmp_path, [shapely.Polygon([(5.37, 43.30), (5.38, 43.30), (5.39, 43.30)])], name="flat.geojson")
    ok = _boundary(tmp_path, [shapely.box(5.37, 43.30, 5.39, 43.32)], name="ok.geojson")
    assert main(["new", "x", "--boundary", str(flat), "--out", str(tmp_path / "x.gpkg")]) == 2
    assert main(["new", "x", "--boundary", str(ok), "--crs", "EPSG:0", "--out", str(tmp_path / "y.gpkg")]) == 2
    folder = tmp_path / "dir.gpkg"
    folder.mkdir()
    assert main(["new", "x", "--boundary", str(ok), "--out", str(folder), "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "Traceback" not in "".join(err) and "folder" in err[2]


def test_new_with_a_gpkg_name_writes_that_file(tmp_path, monkeypatch, capsys) -> None:
    ok = _boundary(tmp_path, [shapely.box(5.37, 43.30, 5.39, 43.32)], name="ok.geojson")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "marseille.gpkg", "--boundary", str(ok)]) == 0
    assert (tmp_path / "marseille.gpkg").is_file() and not (tmp_path / "marseille.gpkg.gpkg").exists()
    assert load_project(tmp_path / "marseille.gpkg").name == "marseille"


# ------------------------------------------------------------ 11.13 `$` in the PDF
def test_dollar_signs_in_names_are_literal_in_the_pdf(small_project, tmp_path) -> None:
    import shutil
    import subprocess

    import geopandas as gpd_

    from planner.workflows import export as exports

    small_project.name = "Plan $_$ 2026, $5 to $8"
    d = small_project.districts.copy()
    d.loc[0, "name"] = "$\\alpha$ district"
    small_project.set_districts(gpd_.GeoDataFrame(d, geometry="geometry", crs=small_project.crs))
    out = tmp_path / "r.pdf"
    exports.export_all(small_project, out, "pdf")  # crashed in mathtext before
    assert out.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Plan $_$ 2026, $5 to $8" in text and "α" not in text


def test_missing_and_numeric_ids_in_geojson_nodes(small_project, tmp_path) -> None:
    """Fuzz class: an ``id`` property that is null in one feature (pandas 3 keeps NaN through astype(str))."""
    feats = [{"type": "Feature", "properties": {"id": v, "name": f"c{i}"},
              "geometry": {"type": "Point", "coordinates": [5.375 + i * 1e-4, 43.30]}}
             for i, v in enumerate([None, "b", "c"])]
    p = tmp_path / "c.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    s = workflows.import_layer(small_project, "command_centres", p)
    assert s.count == 3 and any("generated ids" in n for n in s.notes)


def test_buildings_with_some_heights_missing(small_project, tmp_path) -> None:
    """Fuzz class: pandas 3 hands out a read-only array, and filling the missing heights crashed."""
    p = tmp_path / "b.geojson"
    gdf = gpd.GeoDataFrame({"height": ["12 m", None]},
                           geometry=[shapely.box(5.371, 43.294, 5.3715, 43.2945),
                                     shapely.box(5.373, 43.296, 5.3738, 43.2966)], crs=4326)
    p.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    s = workflows.import_layer(small_project, "buildings", p)
    assert list(small_project.layers["buildings"]["height_m"]) == [12.0, 10.0]
    assert any("10 m assumed" in n for n in s.notes)
