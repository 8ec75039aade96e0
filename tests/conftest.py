"""Shared fixtures. Qt runs offscreen; user config goes to a temp dir; no network."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import geopandas as gpd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_projects"
SAMPLE_NAMES = ("marseille", "cochabamba", "montevideo", "santiago")


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("PLANNER_CONFIG_DIR", str(cfg))


@pytest.fixture
def square_geojson(tmp_path: Path) -> Path:
    """A 2 km × 2 km square near Marseille split into two districts (WGS 84 GeoJSON, no CRS member)."""
    utm = 32631
    x0, y0 = 692000.0, 4796000.0
    polys = [shapely.box(x0, y0, x0 + 1000, y0 + 2000), shapely.box(x0 + 1000, y0, x0 + 2000, y0 + 2000)]
    gdf = gpd.GeoDataFrame({"nom": ["Ouest", "Est"], "code": ["W", "E"]}, geometry=polys, crs=utm).to_crs(4326)
    path = tmp_path / "square.geojson"
    text = gdf.to_json(drop_id=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_project(square_geojson: Path):
    from planner import workflows
    from planner.model.nodes import Camera, CommandCentre, StorageCentre

    project = workflows.new_project("Small", boundary=square_geojson, districts=square_geojson)
    x0, y0 = 692000.0, 4796000.0
    project.add_nodes([
        Camera(id="cam-0001", name="A", x=x0 + 500, y=y0 + 500, azimuth_deg=45, phase="1"),
        Camera(id="cam-0002", name="B", x=x0 + 1500, y=y0 + 1500, azimuth_deg=200, phase="2"),
        StorageCentre(id="store-0001", name="S", x=x0 + 1000, y=y0 + 1000, capacity_tb=10.0),
        CommandCentre(id="cmd-0001", name="C", x=x0 + 1010, y=y0 + 1000),
    ])
    return project
