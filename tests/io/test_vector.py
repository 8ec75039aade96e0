"""Imports: every format, every kind of bad input gets a one-line error naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from planner.errors import CRSError, GeometryError, InvalidInputError
from planner.io import vector

UTM = 32631
X0, Y0 = 692000.0, 4796000.0


def _squares(crs=UTM) -> gpd.GeoDataFrame:
    polys = [shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)]
    return gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=polys, crs=UTM).to_crs(crs)


def _one_line(exc: pytest.ExceptionInfo, path: Path) -> None:
    msg = str(exc.value)
    assert "\n" not in msg
    assert path.name in msg


def test_geojson_without_crs_is_wgs84(square_geojson: Path) -> None:
    assert '"crs"' not in square_geojson.read_text()
    rep = vector.ReadReport(str(square_geojson))
    gdf = vector.read_vector(square_geojson, family="polygon", report=rep)
    assert gdf.crs.to_epsg() == 4326
    utm = vector.to_project_crs(gdf, gpd.GeoSeries(crs=UTM).crs)
    assert utm.geometry.iloc[0].area == pytest.approx(2_000_000, rel=1e-6)


def test_geopackage_layer_choice(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(_squares(), path, layer="quartiers")
    pyogrio.write_dataframe(_squares().assign(name=["c", "d"]), path, layer="other")
    with pytest.raises(InvalidInputError, match="choose one") as exc:
        vector.read_vector(path, family="polygon")
    _one_line(exc, path)
    assert vector.read_vector(path, layer="other")["name"].tolist() == ["c", "d"]
    with pytest.raises(InvalidInputError, match="no layer 'x'"):
        vector.read_vector(path, layer="x")


def test_shapefile_plain_and_zipped(tmp_path: Path) -> None:
    shp = tmp_path / "q.shp"
    _squares(2154).to_file(shp)  # Lambert-93
    gdf = vector.read_vector(shp, family="polygon")
    assert gdf.crs.to_epsg() == 2154
    z = tmp_path / "q.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for part in tmp_path.glob("q.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    assert len(vector.read_vector(z, family="polygon")) == 2


def test_shapefile_without_prj_is_refused(tmp_path: Path) -> None:
    shp = tmp_path / "noprj.shp"
    _squares().to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"no \.prj") as exc:
        vector.read_vector(shp)
    _one_line(exc, shp)
    z = tmp_path / "noprj.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for part in tmp_path.glob("noprj.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    with pytest.raises(CRSError, match=r"no \.prj"):
        vector.read_vector(z)


def test_kml(tmp_path: Path) -> None:
    path = tmp_path / "area.kml"
    _squares(4326).to_file(path, driver="KML")
    gdf = vector.read_vector(path, family="polygon")
    assert len(gdf) == 2 and gdf.crs.to_epsg() == 4326


def test_invalid_polygon_is_repaired_and_reported(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    assert not bowtie.is_valid
    path = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[bowtie], crs=UTM).to_file(path)
    rep = vector.ReadReport(str(path))
    gdf = vector.read_vector(path, family="polygon", report=rep)
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry.iloc[0].area == pytest.approx(500_000, rel=1e-9)  # two triangles
    assert rep.notes == ["repaired 1 invalid polygon(s)"]


def test_points_as_boundary_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(5.4, 43.3)], crs=4326).to_file(path)
    with pytest.raises(GeometryError, match="expected polygon geometries, found Point") as exc:
        vector.read_vector(path, family="polygon")
    _one_line(exc, path)


@pytest.mark.parametrize(("content", "match"), [
    (b"", "empty"),
    (b"{ not json", "not a readable vector file|cannot read"),
    (b'{"type": "FeatureCollection", "features": []}', "no features|no layers"),
])
def test_broken_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "broken.geojson"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=match) as exc:
        vector.read_vector(path)
    _one_line(exc, path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no such file"):
        vector.read_vector(tmp_path / "ghost.geojson")


def test_truncated_geopackage_input(tmp_path: Path) -> None:
    path = tmp_path / "t.gpkg"
    _squares().to_file(path)
    data = path.read_bytes()
    path.write_bytes(data[:4096])
    with pytest.raises(InvalidInputError) as exc:
        vector.read_vector(path)
    _one_line(exc, path)


def test_latitude_out_of_range_and_swapped(tmp_path: Path) -> None:
    path = tmp_path / "swapped.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                    '"geometry":{"type":"Polygon","coordinates":[[[43.2,5.3],[43.3,5.3],[43.3,175.4],[43.2,175.4],[43.2,5.3]]]}}]}')
    with pytest.raises(GeometryError, match="latitude out of range"):
        vector.read_vector(path, family="polygon")
    path2 = tmp_path / "swapped2.geojson"
    path2.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                     '"geometry":{"type":"Point","coordinates":[43.3,95.4]}}]}')
    with pytest.raises(GeometryError, match="swapped"):
        vector.read_vector(path2)


def test_unknown_crs(tmp_path: Path) -> None:
    path = tmp_path / "weird.geojson"
    path.write_text('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:999999"}},'
                    '"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}')
    with pytest.raises(CRSError, match="unknown CRS") as exc:
        vector.read_vector(path)
    _one_line(exc, path)


# ------------------------------------------------------------------- CSV
def test_csv_semicolon_latin1_lonlat(tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_bytes("Nom;Longitude;Latitude;Hauteur\nPlace d'Armes été;5,3698;43,2965;6\nCours;5.38;43.29;8\n"
                     .encode("cp1252"))
    rep = vector.ReadReport(str(path))
    gdf = vector.read_points(path, report=rep)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.x.tolist() == [5.3698, 5.38]
    assert gdf["Nom"].iloc[0] == "Place d'Armes été"


def test_csv_xy_needs_crs(tmp_path: Path) -> None:
    path = tmp_path / "xy.csv"
    path.write_text("id,x,y\n1,692500,4796500\n")
    with pytest.raises(CRSError, match="--crs"):
        vector.read_points(path)
    gdf = vector.read_points(path, crs=UTM)
    assert gdf.geometry.iloc[0].x == 692500


def test_csv_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,lat,lon\na,43.3,5.4\nb,north,5.4\n")
    with pytest.raises(InvalidInputError, match=r"row 3 column 'lat' value 'north': not a number") as exc:
        vector.read_points(path)
    _one_line(exc, path)
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("name,where\na,here\n")
    with pytest.raises(InvalidInputError, match="no coordinate columns"):
        vector.read_points(nocols)
    header_only = tmp_path / "header.csv"
    header_only.write_text("name,lat,lon\n")
    with pytest.raises(InvalidInputError, match="no rows"):
        vector.read_points(header_only)


def test_csv_swapped_lat_lon(tmp_path: Path) -> None:
    path = tmp_path / "swap.csv"
    path.write_text("name,lat,lon\na,143.3,5.4\nb,143.2,5.3\n")
    with pytest.raises(GeometryError, match="latitude out of range"):
        vector.read_points(path)
