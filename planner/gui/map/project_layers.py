"""Build the map's layer items from a project (one function per model layer type)."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from PySide6.QtGui import QBrush, QColor

from planner.gui.map import style
from planner.gui.map.geometry import lines_path, polygons_path
from planner.gui.map.layers import (
    ImageLayerItem,
    LabelLayerItem,
    NodeLayerItem,
    PathLayerItem,
    PointLayerItem,
    StyledPath,
    cosmetic_pen,
    hillshade_image,
)
from planner.model.nodes import NodeKind
from planner.model.project import Project

#: Default drawing order, bottom to top, and the layer titles.
LAYER_ORDER: list[tuple[str, str]] = [
    ("study_area", "Study area"),
    ("hillshade", "Hillshade (DEM)"),
    ("buildings", "Buildings"),
    ("streets", "Streets"),
    ("coverage", "Coverage (day)"),
    ("districts", "Districts"),
    ("links", "Links"),
    ("district_labels", "District labels"),
    ("priority_sites", "Priority sites"),
    ("radio_sites", "Radio sites"),
    ("centres", "Storage & command centres"),
    ("cameras", "Cameras"),
]
TITLES = dict(LAYER_ORDER)


def _lod(geoms, *, fine_m: float = 1.0, coarse_m: float = 15.0, lines: bool = False):  # noqa: ANN001, ANN202
    """(fine, coarse) paths: geometry simplified for drawing (a few pixels at most at each zoom)."""
    build = lines_path if lines else polygons_path
    geoms = np.asarray(geoms, dtype=object)
    return (build(shapely.simplify(geoms, fine_m, preserve_topology=True)),
            build(shapely.simplify(geoms, coarse_m, preserve_topology=True)))


def study_area_item(project: Project) -> PathLayerItem:
    fine, coarse = _lod([project.study_area])
    return PathLayerItem("study_area", TITLES["study_area"], [
        StyledPath(fine, None, QBrush(style.STUDY_AREA_FILL), coarse=coarse),
    ], legend=[])


def districts_item(project: Project) -> tuple[PathLayerItem, LabelLayerItem]:
    d = project.districts
    paths: list[StyledPath] = []
    legend: list[tuple[str, QColor, str]] = []
    major_level = _major_level(project)
    xs = np.empty(0)
    ys = np.empty(0)
    texts: list[str] = []
    major = np.empty(0, bool)
    if len(d):
        levels = d["level"].astype(str).to_numpy()
        minor_sel = levels != major_level
        if minor_sel.any():
            fine, coarse = _lod(d.geometry.values[minor_sel])
            paths.append(StyledPath(fine, cosmetic_pen(style.DISTRICT_EDGE, 0.7), None, coarse=coarse))
            legend.append(("outline", style.DISTRICT_EDGE, _plural(sorted(set(levels[minor_sel]))[0])))
        fine, coarse = _lod(d.geometry.values[~minor_sel])
        paths.append(StyledPath(fine, cosmetic_pen(style.DISTRICT_MAJOR_EDGE, 1.4), None, coarse=coarse))
        legend.append(("outline", style.DISTRICT_MAJOR_EDGE, _plural(major_level)))
        pts = shapely.point_on_surface(d.geometry.values)
        xs, ys = shapely.get_x(pts), shapely.get_y(pts)
        texts = d["name"].astype(str).tolist()
        major = ~minor_sel
    fine, coarse = _lod([project.study_area])
    paths.append(StyledPath(fine, cosmetic_pen(style.STUDY_AREA_EDGE, 2.2), None, coarse=coarse))
    legend.append(("outline", style.STUDY_AREA_EDGE, "Study area"))
    labels = LabelLayerItem("district_labels", TITLES["district_labels"], xs, ys, texts, major)
    return PathLayerItem("districts", TITLES["districts"], paths, legend=legend), labels


def _plural(level: str) -> str:
    level = level or "district"
    return level[:1].upper() + level[1:] + ("s" if not level.endswith("s") else "")


def _major_level(project: Project) -> str:
    """The coarsest district level (the one with the fewest polygons)."""
    d = project.districts
    if not len(d):
        return ""
    counts = d["level"].astype(str).value_counts()
    return str(counts.idxmin())


def streets_item(project: Project) -> PathLayerItem | None:
    gdf = project.layers.get("streets")
    if gdf is None or not len(gdf):
        return None
    return PathLayerItem("streets", TITLES["streets"], [
        StyledPath(lines_path(gdf.geometry.values), cosmetic_pen(style.STREETS, 0.8), None)],
        legend=[("line", style.STREETS, "Streets")])


def buildings_item(project: Project) -> PathLayerItem | None:
    gdf = project.layers.get("buildings")
    if gdf is None or not len(gdf):
        return None
    return PathLayerItem("buildings", TITLES["buildings"], [
        StyledPath(polygons_path(gdf.geometry.values), cosmetic_pen(style.BUILDINGS_EDGE, 0.5),
                   QBrush(style.BUILDINGS_FILL), min_px_per_m=0.0)],
        legend=[("fill", style.BUILDINGS_FILL, "Buildings")])


def hillshade_item(project: Project) -> ImageLayerItem | None:
    dem = project.dem
    if dem is None:
        return None
    rx, ry = dem.resolution_m
    img = hillshade_image(dem.array, res_x=rx, res_y=ry, nodata=dem.nodata)
    return ImageLayerItem("hillshade", TITLES["hillshade"], img, dem.transform, opacity=0.55)


def coverage_item(project: Project, period: str = "day") -> PathLayerItem | None:
    gdf = project.results.get("coverage_polygons")
    if gdf is None or not hasattr(gdf, "geometry") or not len(gdf):
        return None
    sub = gdf[gdf["period"].astype(str) == period] if "period" in gdf.columns else gdf
    if not len(sub):
        return None
    order = sorted(set(zip(sub["level_index"].astype(int), sub["level"].astype(str), strict=True)))
    paths, legend = [], []
    for idx, name in order:
        c = style.level_colour(name, idx)
        fill = QColor(c)
        fill.setAlpha(150)
        geoms = sub.geometry.values[(sub["level"].astype(str) == name).to_numpy()]
        fine, coarse = _lod(geoms, fine_m=0.5, coarse_m=6.0)
        paths.append(StyledPath(fine, None, QBrush(fill), coarse=coarse, coarse_below_px_per_m=0.5))
        legend.append(("fill", fill, f"Coverage: {name}"))
    return PathLayerItem("coverage", f"Coverage ({period})", paths, legend=legend)


def links_item(project: Project) -> PathLayerItem | None:
    links = project.links()
    if not links:
        return None
    net = project.results.get("network") or {}
    overloaded = {lk["id"] for lk in net.get("links", []) if lk.get("overloaded")}
    groups: dict[str, list[Any]] = {"fibre": [], "microwave": [], "overloaded": []}
    for lk in links:
        if lk.from_id not in project or lk.to_id not in project:
            continue
        a, b = project.node(lk.from_id), project.node(lk.to_id)
        g = shapely.LineString([a.xy, b.xy])
        key = "overloaded" if lk.id in overloaded else str(lk.kind)
        groups.setdefault(key, []).append(g)
    colours = {"fibre": style.LINK_FIBRE, "microwave": style.LINK_MICROWAVE, "overloaded": style.LINK_OVERLOADED}
    paths, legend = [], []
    for key, geoms in groups.items():
        if not geoms:
            continue
        paths.append(StyledPath(lines_path(geoms), cosmetic_pen(colours[key], 2.0), None))
        legend.append(("line", colours[key], {"fibre": "Fibre link", "microwave": "Microwave link",
                                              "overloaded": "Overloaded link"}[key]))
    return PathLayerItem("links", TITLES["links"], paths, legend=legend)


LEVEL_RANK = ["none", "monitor", "detect", "observe", "recognise", "identify", "validate"]


def priority_item(project: Project) -> PointLayerItem | None:
    gdf = project.layers.get("priority_sites")
    if gdf is None or not len(gdf):
        return None
    pts = gdf.geometry.values
    names = gdf["name"].astype(str).tolist() if "name" in gdf.columns else []
    colours = [style.PRIORITY_SITE] * len(gdf)
    legend = [("star", style.PRIORITY_SITE, "Priority site")]
    cov = project.results.get("coverage") or {}
    best = {str(s.get("name")): s.get("best_level_day") for s in cov.get("priority_sites", [])}
    if best and names:
        colours = []
        for n in names:
            lvl = best.get(n)
            colours.append(style.level_colour(lvl, LEVEL_RANK.index(lvl) if lvl in LEVEL_RANK else 0)
                           if lvl else QColor("#d62728"))
        legend = [("star", QColor("#d62728"), "Priority site, not covered"),
                  ("star", style.level_colour("detect"), "Priority site, covered (colour = level)")]
    return PointLayerItem("priority_sites", TITLES["priority_sites"], shapely.get_x(pts), shapely.get_y(pts),
                          symbol="star", colours=colours, labels=names, legend=legend)


def node_items() -> dict[str, NodeLayerItem]:
    return {
        "radio_sites": NodeLayerItem("radio_sites", TITLES["radio_sites"], (NodeKind.RADIO_SITE,)),
        "centres": NodeLayerItem("centres", TITLES["centres"], (NodeKind.STORAGE_CENTRE, NodeKind.COMMAND_CENTRE)),
        "cameras": NodeLayerItem("cameras", TITLES["cameras"], (NodeKind.CAMERA,)),
    }
