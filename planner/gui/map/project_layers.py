"""Build the map's layer items from a project (one function per model layer type)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen

from planner.gui.map import style
from planner.gui.map.geometry import lines_path, spatial_pieces
from planner.gui.map.layers import (
    ImageLayerItem,
    LabelLayerItem,
    PathLayerItem,
    PointLayerItem,
    StyledPath,
    cosmetic_pen,
    hillshade_image,
    ramp_image,
)
from planner.gui.map.node_layer import NodeLayerItem
from planner.model.nodes import NodeKind
from planner.model.project import Project
from planner.model.results import ResultKind, document_of
from planner.style import plural_noun

#: Default drawing order, bottom to top, and the layer titles.
LAYER_ORDER: list[tuple[str, str]] = [
    ("study_area", "Study area"),
    ("hillshade", "Hillshade (DEM)"),
    ("buildings", "Buildings"),
    ("streets", "Streets"),
    ("radio_throughput", "Radio uplink rate (Mb/s)"),
    ("coverage", "Coverage (day)"),
    ("districts", "Districts"),
    ("links", "Links"),
    ("priority_sites", "Priority sites"),
    ("cameras", "Cameras"),
    ("radio_sites", "Radio sites"),  # the few sites and centres, and their names, over the many cameras
    ("centres", "Storage & command centres"),
    ("district_labels", "District labels"),  # labels above the node symbols
]
TITLES = dict(LAYER_ORDER)


def _simplify(geoms: np.ndarray, tolerance_m: float, *, batch_vertices: int = 4000) -> np.ndarray:
    """``shapely.simplify`` in batches of about ``batch_vertices`` vertices (a few milliseconds each).

    It holds the GIL: one call on a whole coverage level froze the GUI thread
    for 140 ms while a worker built the layer.
    """
    n = shapely.get_num_coordinates(geoms)
    if len(geoms) == 0 or n.sum() <= batch_vertices:
        whole: np.ndarray = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
        return whole
    cuts = np.flatnonzero(np.diff(np.cumsum(n) // batch_vertices)) + 1
    return np.concatenate([shapely.simplify(g, tolerance_m, preserve_topology=True) for g in np.split(geoms, cuts)])


def _styled(geoms: Sequence[shapely.Geometry] | np.ndarray, pen: QPen | None, brush: QBrush | None, *, fine_m: float = 1.0, coarse_m: float = 15.0,
            lines: bool = False, **kw: Any) -> StyledPath:
    """A :class:`StyledPath` of ``geoms`` in spatial pieces (only those in view are drawn), simplified
    by ``fine_m`` metres and, below ``coarse_below_px_per_m``, by ``coarse_m`` (0: no coarse version)."""
    geoms = np.asarray(geoms, dtype=object)
    outline = brush is None and not lines
    fine = _simplify(geoms, fine_m) if fine_m > 0 else geoms
    coarse = coarse_pieces = None
    if coarse_m > 0:
        coarse = QPainterPath()  # drawn through its pieces
        coarse_pieces = spatial_pieces(_simplify(geoms, coarse_m), outline=outline, lines=lines)
    pieces = spatial_pieces(fine, outline=outline, lines=lines)
    return StyledPath(QPainterPath(), pen, brush, coarse=coarse, pieces=pieces, coarse_pieces=coarse_pieces, **kw)


def study_area_item(project: Project) -> PathLayerItem:
    return PathLayerItem("study_area", TITLES["study_area"], [
        _styled([project.study_area], None, QBrush(style.STUDY_AREA_FILL)),
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
            paths.append(_styled(d.geometry.values[minor_sel], cosmetic_pen(style.DISTRICT_EDGE, 0.7), None))
            legend.append(("outline", style.DISTRICT_EDGE, _plural(sorted(set(levels[minor_sel]))[0])))
        paths.append(_styled(d.geometry.values[~minor_sel], cosmetic_pen(style.DISTRICT_MAJOR_EDGE, 1.4), None))
        legend.append(("outline", style.DISTRICT_MAJOR_EDGE, _plural(major_level)))
        pts = shapely.point_on_surface(d.geometry.values)
        xs, ys = shapely.get_x(pts), shapely.get_y(pts)
        texts = d["name"].astype(str).tolist()
        major = ~minor_sel
    paths.append(_styled([project.study_area], cosmetic_pen(style.STUDY_AREA_EDGE, 2.2), None))
    legend.append(("outline", style.STUDY_AREA_EDGE, "Study area"))
    labels = LabelLayerItem("district_labels", TITLES["district_labels"], xs, ys, texts, major)
    return PathLayerItem("districts", TITLES["districts"], paths, legend=legend), labels


def _plural(level: str) -> str:
    level = plural_noun(level or "district")
    return level[:1].upper() + level[1:]


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
        _styled(gdf.geometry.values, cosmetic_pen(style.STREETS, 0.8), None, fine_m=0.0, coarse_m=0.0, lines=True)],
        legend=[("line", style.STREETS, "Streets")])


def buildings_item(project: Project) -> PathLayerItem | None:
    gdf = project.layers.get("buildings")
    if gdf is None or not len(gdf):
        return None
    approximate = "approximate" in gdf.columns and bool(gdf["approximate"].astype(bool).any())
    # derived city blocks are labelled as the approximation they are, in the layer panel and the legend
    title = "Buildings (approximate: blocks from streets)" if approximate else TITLES["buildings"]
    return PathLayerItem("buildings", title, [
        _styled(gdf.geometry.values, cosmetic_pen(style.BUILDINGS_EDGE, 0.5), QBrush(style.BUILDINGS_FILL),
                fine_m=0.0, coarse_m=0.0)],
        legend=[("fill", style.BUILDINGS_FILL, title)])


def hillshade_item(project: Project) -> ImageLayerItem | None:
    dem = project.dem
    if dem is None:
        return None
    rx, ry = dem.resolution_m
    img = hillshade_image(dem.array, res_x=rx, res_y=ry, nodata=dem.nodata)
    return ImageLayerItem("hillshade", TITLES["hillshade"], img, dem.transform, opacity=0.55)


RADIO_LEGEND = "Radio uplink rate, Mb/s"


def radio_item(project: Project) -> ImageLayerItem | None:
    """The best-server uplink rate map (``results["radio_throughput"]``, NaN out of reach), colour-ramped."""
    rec = project.result(ResultKind.RADIO)
    r = rec.raster if rec is not None else None
    if r is None or not hasattr(r, "array") or r.array.ndim != 2 or not r.array.size:
        return None
    img = ramp_image(r.array, style.RADIO_RATE_STOPS)
    lo, hi = style.RADIO_RATE_STOPS[0][0], style.RADIO_RATE_STOPS[-1][0]
    return ImageLayerItem("radio_throughput", TITLES["radio_throughput"], img, r.transform, opacity=0.7,
                          legend=[("ramp", style.RADIO_RATE_STOPS[-1][1], f"{RADIO_LEGEND} ({lo:g} → {hi:g}+)")])


CoveragePaths = tuple[list[StyledPath], list[tuple[str, QColor, str]]]


def coverage_paths(gdf: Any, period: str = "day") -> CoveragePaths | None:
    """The styled paths and legend of coverage polygons, one fill per detail level.

    Pure and thread-safe (paths, colours and brushes only), so the main window
    builds them in the worker that computed the polygons: on Marseille this
    takes about half a second, which would otherwise stall the map after each edit.
    """
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
        # patches of raster cells: no simplification up close (it removes nothing), 6 m when zoomed out;
        # filled without antialiasing (eight times faster; seams between patches would show with it)
        paths.append(_styled(geoms, None, QBrush(fill), fine_m=0.0, coarse_m=6.0, coarse_below_px_per_m=0.5,
                             antialias=False))
        legend.append(("fill", fill, f"Coverage: {name}"))
    return paths, legend


def coverage_item(project: Project, period: str = "day", *, built: CoveragePaths | None = None) -> PathLayerItem | None:
    """The coverage layer; ``built`` is :func:`coverage_paths` of the project's polygons when already made."""
    if built is None:
        rec = project.result(ResultKind.COVERAGE)
        built = coverage_paths(rec.polygons if rec is not None else None, period)
    if built is None:
        return None
    paths, legend = built
    return PathLayerItem("coverage", f"Coverage ({period})", paths, legend=legend)


def links_item(project: Project) -> PathLayerItem | None:
    links = project.links()
    if not links:
        return None
    net = document_of(project, ResultKind.NETWORK) or {}
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
    cov = document_of(project, ResultKind.COVERAGE) or {}
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
