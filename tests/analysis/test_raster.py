"""DEM reading/reprojection, DSM building and street-block approximation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine

from planner.analysis.raster import (
    Grid,
    RasterLayer,
    blocks_from_streets,
    build_dsm,
    rasterize_building_heights,
)
from planner.errors import AnalysisCancelled, CRSError, GeometryError, InvalidInputError
from planner.io.raster import read_dem, write_geotiff

SRTM = Path(__file__).resolve().parents[2] / "sample_projects" / "data" / "marseille" / "srtm3_N43E005.hgt.zip"
# Vieux-Port de Marseille in UTM 31N
MARSEILLE_XY = (692_280.0, 4_795_740.0)


def test_read_hgt_zip_geographic() -> None:
    dem = read_dem(SRTM)
    assert dem.shape == (1201, 1201)
    assert dem.crs.to_epsg() == 4326
    assert dem.array.dtype == np.float32


def test_read_hgt_zip_reprojected_to_utm() -> None:
    x, y = MARSEILLE_XY
    dem = read_dem(SRTM, crs="EPSG:32631", resolution_m=30.0, bounds=(x - 3000, y - 3000, x + 3000, y + 3000))
    assert dem.crs.to_epsg() == 32631
    assert dem.resolution == (30.0, 30.0)
    assert dem.shape == (200, 200)
    assert not np.isnan(dem.array).any()
    assert -20 < np.nanmin(dem.array) < 50 < np.nanmax(dem.array) < 400
    assert np.nanmin(dem.array) < 5  # the sea is in the window


def test_area_outside_dem_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="does not cover"):
        read_dem(SRTM, crs="EPSG:32631", resolution_m=30.0, bounds=(600_000, 4_700_000, 610_000, 4_710_000))
    with pytest.raises(CRSError, match="projected"):
        read_dem(SRTM, crs="EPSG:4326", resolution_m=30.0)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_dem(tmp_path / "none.tif")
    junk = tmp_path / "junk.tif"
    junk.write_text("hello")
    with pytest.raises(InvalidInputError, match="not a raster"):
        read_dem(junk)
    z = tmp_path / "empty.zip"
    import zipfile

    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(InvalidInputError, match="no raster"):
        read_dem(z)


def _flat_dem(value: float = 10.0) -> RasterLayer:
    from rasterio.crs import CRS

    arr = np.full((50, 50), value, dtype=np.float32)
    return RasterLayer(arr, Affine(20.0, 0, 500_000.0, 0, -20.0, 4_800_000.0), CRS.from_epsg(32631))


def test_geotiff_roundtrip(tmp_path: Path) -> None:
    dem = _flat_dem()
    dem.array[3, 4] = np.nan
    p = write_geotiff(tmp_path / "d.tif", dem.array, transform=dem.transform, crs=dem.crs, nodata=float("nan"))
    back = read_dem(p)
    assert back.transform == dem.transform
    assert np.isnan(back.array[3, 4]) and back.array[0, 0] == 10.0
    with pytest.raises(InvalidInputError):
        write_geotiff(tmp_path / "no" / "d.tif", dem.array, transform=dem.transform, crs=dem.crs, nodata=None)


def test_build_dsm_adds_buildings_max_merge_and_tiles() -> None:
    dem = _flat_dem(10.0)
    a = shapely.box(500_100, 4_799_500, 500_200, 4_799_600)
    b = shapely.box(500_150, 4_799_550, 500_250, 4_799_650)
    buildings = [(b, 30.0), (a, 12.0)]
    bounds = (500_000.0, 4_799_200.0, 500_400.0, 4_800_000.0)
    progress_calls: list[float] = []
    dsm = build_dsm(dem, buildings, resolution_m=2.0, bounds=bounds, tile_size_px=64,
                    progress=lambda f, m="": progress_calls.append(f))
    assert dsm.resolution == (2.0, 2.0) and dsm.shape == (400, 200)
    assert dsm.value_at(500_120, 4_799_520) == pytest.approx(22.0)   # only a
    assert dsm.value_at(500_175, 4_799_575) == pytest.approx(40.0)   # overlap: tallest wins
    assert dsm.value_at(500_230, 4_799_630) == pytest.approx(40.0)   # only b
    assert dsm.value_at(500_350, 4_799_900) == pytest.approx(10.0)   # street
    assert progress_calls[-1] == 1.0 and len(progress_calls) > 5
    one_tile = build_dsm(dem, buildings, resolution_m=2.0, bounds=bounds, tile_size_px=4096)
    np.testing.assert_array_equal(dsm.array, one_tile.array)
    heights = rasterize_building_heights(buildings, dsm.grid, tile_size_px=50)
    np.testing.assert_allclose(heights.array + 10.0, dsm.array)


def test_build_dsm_geodataframe_and_errors() -> None:
    import geopandas as gpd

    dem = _flat_dem(0.0)
    gdf = gpd.GeoDataFrame({"height_m": [8.0]}, geometry=[shapely.box(500_100, 4_799_500, 500_200, 4_799_600)], crs=32631)
    dsm = build_dsm(dem, gdf.to_crs(4326), resolution_m=5.0)
    assert dsm.value_at(500_150, 4_799_550) == pytest.approx(8.0)
    with pytest.raises(InvalidInputError, match="height"):
        build_dsm(dem, [(shapely.box(500_100, 4_799_500, 500_200, 4_799_600), -3.0)])
    with pytest.raises(InvalidInputError, match="column"):
        build_dsm(dem, gdf.rename(columns={"height_m": "h"}))
    with pytest.raises(GeometryError):
        build_dsm(dem, [(shapely.Point(500_100, 4_799_500), 3.0)])
    with pytest.raises(InvalidInputError, match="does not cover"):
        build_dsm(dem, [], bounds=(400_000, 4_799_000, 400_100, 4_799_100))

    def cancel(fraction: float, message: str = "") -> None:
        raise AnalysisCancelled("stop")

    with pytest.raises(AnalysisCancelled):
        build_dsm(dem, [], progress=cancel)


def test_grid_snaps_bounds() -> None:
    g = Grid.from_bounds((1.0, 1.0, 9.0, 7.0), resolution_m=2.0, crs=32631)
    assert g.bounds == (0.0, 0.0, 10.0, 8.0) and g.shape == (4, 5)


def test_blocks_from_streets() -> None:
    import geopandas as gpd

    xs = [0.0, 100.0, 200.0, 300.0]
    lines = [shapely.LineString([(x, -10), (x, 310)]) for x in xs] + [
        shapely.LineString([(-10, y), (310, y)]) for y in xs
    ]
    streets = gpd.GeoDataFrame(geometry=lines, crs=32631)
    blocks = blocks_from_streets(streets, setback_m=6.0, default_height_m=15.0)
    assert len(blocks) == 9
    assert blocks.attrs["approximate"] and blocks["approximate"].all()
    np.testing.assert_allclose(blocks.area, (100 - 12) ** 2)
    assert (blocks["height_m"] == 15.0).all()
    # an open network closed by a boundary ring
    open_lines = [shapely.LineString([(x, -100), (x, 400)]) for x in (0.0, 100.0)] + [
        shapely.LineString([(-100, y), (400, y)]) for y in (0.0, 100.0)
    ]
    closed = blocks_from_streets(open_lines, crs=32631, setback_m=0.0, boundary=shapely.box(-50, -50, 350, 350))
    assert len(closed) == 9 and math.isclose(closed.area.sum(), 400 * 400, rel_tol=1e-6)
    with pytest.raises(CRSError):
        blocks_from_streets(streets.to_crs(4326))
    with pytest.raises(GeometryError):
        blocks_from_streets([shapely.box(0, 0, 1, 1)], crs=32631)


def test_bilinear_sample_matches_a_plane_and_marks_outside() -> None:
    from planner.analysis.raster import bilinear_sample

    # z = 2x + 3y on cell centres of a 4×5 grid with 10 m cells, origin (100, 240)
    rows, cols = 4, 5
    cx = 100 + (np.arange(cols) + 0.5) * 10
    cy = 240 - (np.arange(rows) + 0.5) * 10
    gx, gy = np.meshgrid(cx, cy)
    arr = 2 * gx + 3 * gy
    xs = np.array([112.0, 133.3, 141.0, 99.0])
    ys = np.array([228.0, 211.7, 226.0, 230.0])
    v = bilinear_sample(arr, (10.0, 0.0, 100.0, 0.0, -10.0, 240.0), xs, ys)
    assert np.allclose(v[:3], 2 * xs[:3] + 3 * ys[:3])
    assert np.isnan(v[3])  # west of the raster
    arr2 = arr.copy()
    arr2[0, 0] = -9999
    assert np.isnan(bilinear_sample(arr2, (10.0, 0.0, 100.0, 0.0, -10.0, 240.0), np.array([106.0]),
                                    np.array([234.0]), nodata=-9999)[0])
