"""Helpers shared by the export tests."""

from __future__ import annotations

import geopandas as gpd
import shapely

from planner.model.results import CoverageRecord


def add_fake_coverage(project) -> None:
    """Give ``project`` coverage results shaped like ``planner coverage`` writes them."""
    x0, y0 = 692000.0, 4796000.0
    polys, levels, idx, periods = [], [], [], []
    for period, scale in (("day", 1.0), ("night", 0.6)):
        for i, lvl in enumerate(("detect", "observe", "recognise")):
            r = (120 - 35 * i) * scale
            polys.append(shapely.Point(x0 + 500, y0 + 500).buffer(r))
            levels.append(lvl)
            idx.append(i)
            periods.append(period)
    gdf = gpd.GeoDataFrame({"level": levels, "level_index": idx, "period": periods}, geometry=polys, crs=project.crs)
    project.set_result(CoverageRecord.of({
        "levels": [{"name": "detect", "ppm": 25}, {"name": "observe", "ppm": 62.5}, {"name": "recognise", "ppm": 125}],
        "city": {"detect": {"day_km2": 0.045, "day_pct": 1.1, "night_km2": 0.016, "night_pct": 0.4},
                 "observe": {"day_km2": 0.023, "day_pct": 0.6, "night_km2": 0.008, "night_pct": 0.2},
                 "recognise": {"day_km2": 0.008, "day_pct": 0.2, "night_km2": 0.003, "night_pct": 0.1}},
        "districts": [{"name": "Ouest", "code": "W", "level": "district", "area_km2": 2.0,
                       "day_pct": {"detect": 2.2, "observe": 1.2, "recognise": 0.4},
                       "night_pct": {"detect": 0.8, "observe": 0.4, "recognise": 0.1}}],
        "priority_sites": [],
        "approximation_notes": ["fake coverage for tests"],
    }, gdf))


def add_fake_priority_sites(project):
    """Fake coverage plus two priority sites: the town hall seen (observe by day), the old church not seen."""
    add_fake_coverage(project)
    x0, y0 = 692000.0, 4796000.0
    project.layers["priority_sites"] = gpd.GeoDataFrame(
        {"name": ["Town hall", "Old church"], "kind": ["civic", "heritage"]},
        geometry=[shapely.Point(x0 + 500, y0 + 500), shapely.Point(x0 + 1900, y0 + 100)], crs=project.crs)
    cov = project.results["coverage"]
    project.set_result(CoverageRecord.of({**cov.document, "priority_sites": [
        {"name": "Town hall", "best_level_day": "observe", "best_level_night": "detect"},
        {"name": "Old church", "best_level_day": None, "best_level_night": None}]}, cov.polygons))
    return project


def hostile(project) -> None:
    """Rename the first camera to a script tag and give it hostile notes."""
    cam = project.cameras()[0]
    project.replace_nodes([cam.with_changes(name="<script>alert('x')</script>", notes="<img src=x onerror=alert(1)>")])
