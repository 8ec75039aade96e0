"""Map layers: one QGraphicsItem per model layer, each drawing itself natively.

* :class:`PathLayerItem` - polygons or lines as a few big styled paths
  (study area, districts, buildings, streets, coverage, links);
* :class:`ImageLayerItem` - a georeferenced image (DEM hillshade, GeoTIFF overlays);
* :class:`PointLayerItem` - point symbols at a fixed pixel size (priority sites);
* :class:`LabelLayerItem` - district labels, level-of-detail and collision aware;
* :class:`NodeLayerItem` - cameras / radio sites / centres: one item per node
  kind with its own vectorised spatial index, so 10,000+ nodes stay fast.

Every item carries ``key`` and ``title`` (for the layer panel) and
``legend()`` entries ``(symbol, colour, text)`` for the map legend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPixmap, \
    QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QStyleOptionGraphicsItem, QWidget

from planner.gui.map import style
from planner.gui.map.geometry import polygon_from_xy
from planner.model.nodes import Camera, Node, NodeKind, RadioSite

LegendEntry = tuple[str, QColor, str]  # (symbol: fill|line|dot|square|diamond|triangle|wedge|star, colour, text)


def cosmetic_pen(colour: QColor | str, width: float = 1.0, style_: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour), width, style_)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


class LayerMixin:
    key = ""
    title = ""
    legend_entries: list[LegendEntry]

    def legend(self) -> list[LegendEntry]:
        return list(getattr(self, "legend_entries", []))


# ----------------------------------------------------------------- paths
@dataclass
class StyledPath:
    path: QPainterPath
    pen: QPen | None
    brush: QBrush | None
    min_px_per_m: float = 0.0  # draw only when zoomed in at least this much
    coarse: QPainterPath | None = None  # simplified version drawn when zoomed out
    coarse_below_px_per_m: float = 0.2


class PathLayerItem(LayerMixin, QGraphicsItem):
    """A handful of styled paths drawn in order (one per class or level)."""

    def __init__(self, key: str, title: str, paths: Iterable[StyledPath] = (),
                 legend: list[LegendEntry] | None = None) -> None:
        super().__init__()
        self.key, self.title = key, title
        self.legend_entries = legend or []
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._paths: list[StyledPath] = []
        self._rect = QRectF()
        self.set_paths(paths)

    def set_paths(self, paths: Iterable[StyledPath]) -> None:
        self.prepareGeometryChange()
        self._paths = list(paths)
        rect = QRectF()
        for sp in self._paths:
            rect = rect.united(sp.path.boundingRect())
        self._rect = rect.adjusted(-1, -1, 1, 1)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        scale = painter.worldTransform().m11()
        exposed = option.exposedRect  # type: ignore[attr-defined]
        for sp in self._paths:
            if scale < sp.min_px_per_m or not sp.path.boundingRect().intersects(exposed):
                continue
            painter.setPen(sp.pen if sp.pen is not None else Qt.PenStyle.NoPen)
            painter.setBrush(sp.brush if sp.brush is not None else Qt.BrushStyle.NoBrush)
            path = sp.coarse if sp.coarse is not None and scale < sp.coarse_below_px_per_m else sp.path
            painter.drawPath(path)


# ----------------------------------------------------------------- images
class ImageLayerItem(LayerMixin, QGraphicsPixmapItem):
    """A georeferenced image; ``transform`` is the raster's affine (a, b, c, d, e, f)."""

    def __init__(self, key: str, title: str, image: QImage, transform: tuple[float, ...], *,
                 opacity: float = 1.0, legend: list[LegendEntry] | None = None) -> None:
        super().__init__(QPixmap.fromImage(image))
        self.key, self.title = key, title
        self.legend_entries = legend or []
        a, b, c, d, e, f = transform[:6]
        # pixel (col, row) -> map (a*col + b*row + c, d*col + e*row + f) -> scene y flipped
        self.setTransform(QTransform(a, -d, b, -e, c, -f))
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.setOpacity(opacity)
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)


def hillshade_image(dem: np.ndarray, *, res_x: float, res_y: float, azimuth_deg: float = 315.0,
                    altitude_deg: float = 45.0, nodata: float | None = None) -> QImage:
    """A grey hillshade of ``dem`` as an ARGB image: shadows dark, lit slopes light, flat transparent-ish."""
    z = np.asarray(dem, dtype=np.float64)
    bad = ~np.isfinite(z)
    if nodata is not None:
        bad |= z == nodata
    if bad.any():
        z = np.where(bad, np.nanmean(np.where(bad, np.nan, z)) if (~bad).any() else 0.0, z)
    dzdy, dzdx = np.gradient(z, res_y, res_x)
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, dzdy)
    az = math.radians(360.0 - azimuth_deg + 90.0)
    alt = math.radians(altitude_deg)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    shade = np.clip(shade, 0.0, 1.0)
    flat = math.sin(alt)
    # darker than flat ground -> black with alpha, lighter -> white with alpha
    dark = np.clip((flat - shade) / flat, 0, 1)
    light = np.clip((shade - flat) / (1 - flat), 0, 1)
    h, w = z.shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    grey = np.where(dark > 0, 0, 255).astype(np.uint8)
    rgba[..., 0] = rgba[..., 1] = rgba[..., 2] = grey
    rgba[..., 3] = np.clip(np.maximum(dark * 230, light * 150), 0, 255).astype(np.uint8)
    rgba[bad, 3] = 0
    return rgba_image(rgba)


def rgba_image(rgba: np.ndarray) -> QImage:
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = rgba.shape[:2]
    img = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return img.copy()  # own the memory


# ----------------------------------------------------------------- points
def _symbol_path(symbol: str, r: float) -> QPainterPath:
    p = QPainterPath()
    if symbol == "square":
        p.addRect(QRectF(-r, -r, 2 * r, 2 * r))
    elif symbol == "diamond":
        p.addPolygon(QPolygonF([QPointF(0, -r * 1.3), QPointF(r * 1.3, 0), QPointF(0, r * 1.3), QPointF(-r * 1.3, 0)]))
        p.closeSubpath()
    elif symbol == "triangle":
        p.addPolygon(QPolygonF([QPointF(0, -r * 1.3), QPointF(r * 1.2, r), QPointF(-r * 1.2, r)]))
        p.closeSubpath()
    elif symbol == "star":
        pts = []
        for i in range(10):
            ang = math.pi / 2 + i * math.pi / 5
            rr = r * 1.5 if i % 2 == 0 else r * 0.65
            pts.append(QPointF(rr * math.cos(ang), -rr * math.sin(ang)))
        p.addPolygon(QPolygonF(pts))
        p.closeSubpath()
    else:
        p.addEllipse(QPointF(0, 0), r, r)
    return p


_TEXT_CACHE: dict[tuple[str, str], QPainterPath] = {}


def text_path(text: str, font: QFont) -> QPainterPath:
    """The outline of ``text`` at the origin (baseline), cached: glyph outlines are costly."""
    key = (text, font.toString())
    p = _TEXT_CACHE.get(key)
    if p is None:
        if len(_TEXT_CACHE) > 5000:
            _TEXT_CACHE.clear()
        p = QPainterPath()
        p.addText(QPointF(0, 0), font, text)
        _TEXT_CACHE[key] = p
    return p


def device_xy(painter: QPainter, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map coordinates -> device pixels under the painter's current transform (scene y = -y)."""
    t = painter.worldTransform()
    sy = -ys
    return (t.m11() * xs + t.m21() * sy + t.dx(), t.m12() * xs + t.m22() * sy + t.dy())


class PointLayerItem(LayerMixin, QGraphicsItem):
    """Point symbols of a fixed pixel size, each with its own colour and an optional label."""

    def __init__(self, key: str, title: str, xs: np.ndarray, ys: np.ndarray, *, symbol: str = "star",
                 colours: list[QColor] | None = None, colour: QColor = style.PRIORITY_SITE,
                 labels: list[str] | None = None, radius_px: float = 5.0,
                 legend: list[LegendEntry] | None = None) -> None:
        super().__init__()
        self.key, self.title = key, title
        self.xs = np.asarray(xs, float)
        self.ys = np.asarray(ys, float)
        self.symbol, self.radius_px = symbol, radius_px
        self.colours = colours or [colour] * len(self.xs)
        self.labels = labels or []
        self.legend_entries = legend or [(symbol, colour, title)]
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        if len(self.xs):
            pad = 5000.0
            self._rect = QRectF(self.xs.min() - pad, -self.ys.max() - pad, np.ptp(self.xs) + 2 * pad,
                                np.ptp(self.ys) + 2 * pad)
        else:
            self._rect = QRectF()

    def set_colours(self, colours: list[QColor]) -> None:
        self.colours = colours
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self.xs):
            return
        dx, dy = device_xy(painter, self.xs, self.ys)
        scale = painter.worldTransform().m11()
        vp = painter.viewport()
        vis = np.flatnonzero((dx > -20) & (dy > -20) & (dx < vp.width() + 20) & (dy < vp.height() + 20))
        painter.save()
        painter.resetTransform()
        sym = _symbol_path(self.symbol, self.radius_px)
        painter.setPen(QPen(QColor("white"), 1.2))
        for i in vis:
            painter.setBrush(self.colours[i])
            painter.drawPath(sym.translated(dx[i], dy[i]))
        if self.labels and scale > 0.25:
            painter.setPen(QColor("#7a1010"))
            f = QFont(painter.font())
            f.setPointSizeF(8)
            painter.setFont(f)
            for i in vis:
                painter.drawText(QPointF(dx[i] + self.radius_px + 3, dy[i] + 4), self.labels[i])
        painter.restore()


class LabelLayerItem(LayerMixin, QGraphicsItem):
    """Labels at map points: ``major`` ones always, the others only when zoomed in; no overlaps."""

    def __init__(self, key: str, title: str, xs: np.ndarray, ys: np.ndarray, texts: list[str],
                 major: np.ndarray, *, min_minor_px_per_m: float = 0.12) -> None:
        super().__init__()
        self.key, self.title = key, title
        self.legend_entries = []
        self.xs, self.ys, self.texts = np.asarray(xs, float), np.asarray(ys, float), list(texts)
        self.major = np.asarray(major, bool)
        self.min_minor = min_minor_px_per_m
        self._rect = QRectF(-1e9, -1e9, 2e9, 2e9) if len(self.xs) else QRectF()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self.xs):
            return
        scale = painter.worldTransform().m11()
        dx, dy = device_xy(painter, self.xs, self.ys)
        vp = painter.viewport()
        painter.save()
        painter.resetTransform()
        taken: list[QRectF] = []
        big = QFont(painter.font())
        big.setPointSizeF(9.5)
        big.setBold(True)
        small = QFont(painter.font())
        small.setPointSizeF(7.5)
        order = np.argsort(~self.major, kind="stable")
        halo = QPen(QColor(255, 255, 255, 220), 3.0)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for i in order:
            is_major = bool(self.major[i])
            if not is_major and scale < self.min_minor:
                continue
            if not (0 <= dx[i] <= vp.width() and 0 <= dy[i] <= vp.height()):
                continue
            font = big if is_major else small
            fm = QFontMetricsF(font)
            w = fm.horizontalAdvance(self.texts[i])
            rect = QRectF(dx[i] - w / 2, dy[i] - fm.height() / 2, w, fm.height())
            if any(rect.intersects(t) for t in taken):
                continue
            taken.append(rect.adjusted(-3, -2, 3, 2))
            path = text_path(self.texts[i], font).translated(rect.left(), rect.top() + fm.ascent())
            painter.strokePath(path, halo)
            painter.fillPath(path, QColor("#2b2b2b") if is_major else QColor("#555555"))
        painter.restore()


# ----------------------------------------------------------------- nodes
@dataclass(frozen=True)
class CameraGeometry:
    hfov_deg: float
    monitor_m: float
    detect_m: float


_TYPE_CACHE: dict[str, CameraGeometry] = {}
DEFAULT_GEOMETRY = CameraGeometry(60.0, 100.0, 50.0)


def camera_geometry(type_id: str) -> CameraGeometry:
    """HFOV (widest) and the monitor (12.5 px/m) and detect (25 px/m) ranges of a camera type."""
    if type_id in _TYPE_CACHE:
        return _TYPE_CACHE[type_id]
    from planner.analysis.camera_types import builtin_camera_types

    ct = builtin_camera_types().get(type_id)
    if ct is None:
        geo = DEFAULT_GEOMETRY
    else:
        opt = ct.optics()
        geo = CameraGeometry(min(opt.hfov_deg, 359.0), opt.range_m(12.5), opt.range_m(25.0))
    _TYPE_CACHE[type_id] = geo
    return geo


SECTOR_BEAM_DEG = 65.0
SECTOR_RADIUS_M = {"elte_macro": 1500.0, "lte_macro": 1500.0, "small_cell": 400.0,
                   "microwave_hub": 800.0, "fibre_pop": 300.0}


def wedge_polygons(xs: np.ndarray, ys: np.ndarray, az_deg: np.ndarray, hfov_deg: np.ndarray,
                   r_m: np.ndarray, *, n_arc: int = 9) -> np.ndarray:
    """Vertices (n, n_arc + 1, 2) of field-of-view wedges (azimuth clockwise from north)."""
    n = len(xs)
    t = np.linspace(-0.5, 0.5, n_arc)
    ang = np.radians(az_deg[:, None] + hfov_deg[:, None] * t[None, :])
    out = np.empty((n, n_arc + 1, 2))
    out[:, 0, 0], out[:, 0, 1] = xs, ys
    out[:, 1:, 0] = xs[:, None] + r_m[:, None] * np.sin(ang)
    out[:, 1:, 1] = ys[:, None] + r_m[:, None] * np.cos(ang)
    return out


def _wedges_path(verts: np.ndarray) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for v in verts:
        path.addPolygon(polygon_from_xy(v))
        path.closeSubpath()
    return path


class NodeLayerItem(LayerMixin, QGraphicsItem):
    """All nodes of some kinds in one item, with a vectorised spatial index.

    Cameras draw a field-of-view wedge (monitor and detect ranges) once zoomed
    in; radio sites draw their sectors. ``preview`` maps node ids to moved or
    rotated versions shown while dragging, before the edit is committed.
    """

    SYMBOLS = {NodeKind.CAMERA: "dot", NodeKind.RADIO_SITE: "triangle",
               NodeKind.STORAGE_CENTRE: "square", NodeKind.COMMAND_CENTRE: "diamond"}

    def __init__(self, key: str, title: str, kinds: tuple[NodeKind, ...]) -> None:
        super().__init__()
        self.key, self.title = key, title
        self.kinds = kinds
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.nodes: dict[str, Node] = {}
        self.ids: list[str] = []
        self.xs = np.empty(0)
        self.ys = np.empty(0)
        self.phase_idx = np.empty(0, dtype=int)
        self.kind_idx = np.empty(0, dtype=int)
        self.phases: list[str] = []
        self.hidden_phases: set[str] = set()
        self.selected: set[str] = set()
        self.preview: dict[str, Node] = {}
        self.sector_load: dict[tuple[str, int], float] = {}
        self.show_wedges = True
        self.legend_entries = []
        self._wedges: list[tuple[QPainterPath, QPainterPath, QColor, str]] = []
        self._rect = QRectF()
        self._max_reach = 0.0

    # -- data
    def set_nodes(self, nodes: list[Node], phases: list[str]) -> None:
        self.prepareGeometryChange()
        nodes = [n for n in nodes if n.KIND in self.kinds]
        self.nodes = {n.id: n for n in nodes}
        self.ids = [n.id for n in nodes]
        self.phases = list(phases)
        self.xs = np.fromiter((n.x for n in nodes), float, len(nodes))
        self.ys = np.fromiter((n.y for n in nodes), float, len(nodes))
        pidx = {p: i for i, p in enumerate(self.phases)}
        self.phase_idx = np.fromiter((pidx.get(n.phase, -1) for n in nodes), int, len(nodes))
        kidx = {k: i for i, k in enumerate(NodeKind)}
        self.kind_idx = np.fromiter((kidx[n.KIND] for n in nodes), int, len(nodes))
        self.selected &= set(self.ids)
        self._build_wedges()
        if len(nodes):
            pad = self._max_reach + 50.0
            self._rect = QRectF(self.xs.min() - pad, -self.ys.max() - pad,
                                np.ptp(self.xs) + 2 * pad, np.ptp(self.ys) + 2 * pad)
        else:
            self._rect = QRectF()
        self._update_legend()
        self.update()

    def _phase_colour(self, phase: str) -> QColor:
        return style.phase_colour(self.phases, phase)

    def _update_legend(self) -> None:
        entries: list[LegendEntry] = []
        present = {self.nodes[i].KIND for i in self.ids}
        for kind in self.kinds:
            if kind not in present:
                continue
            if kind == NodeKind.CAMERA:
                used = sorted({self.nodes[i].phase for i in self.ids if self.nodes[i].KIND == kind})
                for ph in used:
                    if ph in self.hidden_phases:
                        continue
                    entries.append(("dot", self._phase_colour(ph), f"Camera, phase {ph}" if ph else "Camera"))
                entries.append(("wedge", QColor(90, 90, 90), "Field of view (monitor / detect)"))
            elif kind == NodeKind.RADIO_SITE:
                entries.append(("triangle", style.RADIO, "Radio site (sectors)"))
            elif kind == NodeKind.STORAGE_CENTRE:
                entries.append(("square", style.STORAGE, "Storage centre"))
            elif kind == NodeKind.COMMAND_CENTRE:
                entries.append(("diamond", style.COMMAND, "Command centre"))
        self.legend_entries = entries

    def _build_wedges(self) -> None:
        self._wedges = []
        self._max_reach = 0.0
        cams = [self.nodes[i] for i in self.ids if isinstance(self.nodes[i], Camera)]
        if cams:
            geos = [camera_geometry(c.camera_type) for c in cams]  # type: ignore[attr-defined]
            xs = np.array([c.x for c in cams])
            ys = np.array([c.y for c in cams])
            az = np.array([c.azimuth_deg for c in cams])  # type: ignore[attr-defined]
            hf = np.array([g.hfov_deg for g in geos])
            mon = np.array([g.monitor_m for g in geos])
            det = np.array([g.detect_m for g in geos])
            self._max_reach = float(mon.max())
            phases = np.array([c.phase for c in cams], dtype=object)
            wm = wedge_polygons(xs, ys, az, hf, mon)
            wd = wedge_polygons(xs, ys, az, hf, det)
            for ph in sorted(set(phases.tolist())):
                sel = np.flatnonzero(phases == ph)
                self._wedges.append((_wedges_path(wm[sel]), _wedges_path(wd[sel]), self._phase_colour(ph), ph))
        radios = [self.nodes[i] for i in self.ids if isinstance(self.nodes[i], RadioSite)]
        if radios:
            self._max_reach = max(self._max_reach, max(SECTOR_RADIUS_M.values()))

    def set_hidden_phases(self, hidden: set[str]) -> None:
        self.hidden_phases = set(hidden)
        self._update_legend()
        self.update()

    def set_selected(self, ids: Iterable[str]) -> None:
        self.selected = set(ids) & set(self.nodes)
        self.update()

    def set_preview(self, preview: dict[str, Node]) -> None:
        self.preview = {k: v for k, v in preview.items() if k in self.nodes}
        self.update()

    # -- index
    def visible_mask(self) -> np.ndarray:
        if not self.hidden_phases:
            return np.ones(len(self.ids), bool)
        hidden_idx = [i for i, p in enumerate(self.phases) if p in self.hidden_phases]
        return ~np.isin(self.phase_idx, hidden_idx)

    def ids_in_rect(self, x0: float, y0: float, x1: float, y1: float) -> list[str]:
        """Ids of visible nodes with ``x0 <= x <= x1`` and ``y0 <= y <= y1`` (map coordinates)."""
        if not len(self.ids) or not self.isVisible():
            return []
        m = (self.xs >= x0) & (self.xs <= x1) & (self.ys >= y0) & (self.ys <= y1) & self.visible_mask()
        return [self.ids[i] for i in np.flatnonzero(m)]

    def nearest(self, x: float, y: float, tol_m: float) -> tuple[str, float] | None:
        if not len(self.ids) or not self.isVisible():
            return None
        d2 = (self.xs - x) ** 2 + (self.ys - y) ** 2
        d2[~self.visible_mask()] = np.inf
        i = int(np.argmin(d2))
        if d2[i] <= tol_m * tol_m:
            return self.ids[i], math.sqrt(d2[i])
        return None

    def handle_length_m(self, node: Node, px_per_m: float) -> float:
        """Distance of a camera's rotate handle from the camera (at least 40 px)."""
        if not isinstance(node, Camera):
            return 0.0
        return max(camera_geometry(node.camera_type).detect_m, 40.0 / max(px_per_m, 1e-9))

    # -- Qt
    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self.ids):
            return
        scale = painter.worldTransform().m11()  # px per metre
        vis = self.visible_mask()
        hidden_ph = self.hidden_phases
        # wedges (scene coordinates), once they are a few pixels long
        if self.show_wedges and self._wedges and scale * 50.0 >= 4.0:
            painter.setPen(Qt.PenStyle.NoPen)
            for mon, det, colour, ph in self._wedges:
                if ph in hidden_ph:
                    continue
                c1 = QColor(colour)
                c1.setAlpha(40)
                c2 = QColor(colour)
                c2.setAlpha(85)
                painter.setBrush(c1)
                painter.drawPath(mon)
                painter.setBrush(c2)
                painter.drawPath(det)
        self._paint_sectors(painter, scale)
        dx, dy = device_xy(painter, self.xs, self.ys)
        vp = painter.viewport()
        onscreen = vis & (dx > -30) & (dy > -30) & (dx < vp.width() + 30) & (dy < vp.height() + 30)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        cam_r = 2.2 if scale < 0.05 else (3.0 if scale < 0.3 else 4.5)
        outline = QPen(QColor(255, 255, 255, 230), 0.8 if scale < 0.05 else 1.2)
        kinds = list(NodeKind)
        brushes: dict[tuple[int, int], QColor] = {}
        cam_k = kinds.index(NodeKind.CAMERA)
        is_cam = self.kind_idx == cam_k
        if self.preview:
            onscreen = onscreen & ~np.isin(np.asarray(self.ids, dtype=object), list(self.preview))
        cams_on = onscreen & is_cam
        if cams_on.any():
            # one drawPoints call per phase: a wide round-capped point is a disc
            halo = QPen(QColor(255, 255, 255, 230), 2 * cam_r + (1.6 if scale < 0.05 else 2.4))
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            pts_all = np.column_stack([dx, dy])
            painter.setPen(halo)
            painter.drawPoints(polygon_from_xy(pts_all[cams_on], flip=False))
            for pi in np.unique(self.phase_idx[cams_on]):
                sel = cams_on & (self.phase_idx == pi)
                pen = QPen(self._phase_colour(self.phases[pi] if pi >= 0 else ""), 2 * cam_r)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawPoints(polygon_from_xy(pts_all[sel], flip=False))
        onscreen = onscreen & ~is_cam
        for i in np.flatnonzero(onscreen):
            nid = self.ids[i]
            if nid in self.preview:
                continue
            k = kinds[self.kind_idx[i]]
            key = (int(self.kind_idx[i]), int(self.phase_idx[i]))
            if key not in brushes:
                if k == NodeKind.CAMERA:
                    brushes[key] = self._phase_colour(self.phases[self.phase_idx[i]] if self.phase_idx[i] >= 0 else "")
                else:
                    brushes[key] = {NodeKind.RADIO_SITE: style.RADIO, NodeKind.STORAGE_CENTRE: style.STORAGE,
                                    NodeKind.COMMAND_CENTRE: style.COMMAND}[k]
            painter.setPen(outline)
            painter.setBrush(brushes[key])
            if k == NodeKind.CAMERA:
                painter.drawEllipse(QPointF(dx[i], dy[i]), cam_r, cam_r)
            else:
                painter.drawPath(_symbol_path(self.SYMBOLS[k], 6.5).translated(dx[i], dy[i]))
        # centre names
        if scale > 0.02:
            f = QFont(painter.font())
            f.setPointSizeF(8)
            f.setBold(True)
            painter.setFont(f)
            for i in np.flatnonzero(onscreen & (self.kind_idx != kinds.index(NodeKind.CAMERA))):
                n = self.nodes[self.ids[i]]
                if n.name:
                    path = text_path(n.name, f).translated(dx[i] + 10, dy[i] + 4)
                    painter.strokePath(path, QPen(QColor(255, 255, 255, 220), 3))
                    painter.fillPath(path, QColor("#3b2050"))
        painter.restore()
        self._paint_selection_and_preview(painter, scale)

    def _paint_sectors(self, painter: QPainter, scale: float) -> None:
        radios = [self.nodes[i] for i in self.ids if isinstance(self.nodes[i], RadioSite)
                  and self.nodes[i].phase not in self.hidden_phases]
        if not radios or scale * 300 < 4:
            return
        painter.setPen(cosmetic_pen(QColor(31, 120, 180, 160), 0.8))
        for site in radios:
            assert isinstance(site, RadioSite)
            r = SECTOR_RADIUS_M.get(str(site.site_kind), 1000.0)
            n = max(site.sectors, 1)
            beam = SECTOR_BEAM_DEG if n > 1 else 360.0
            for s, az in enumerate(site.sector_azimuths_deg):
                load = self.sector_load.get((site.id, s))
                if load is None:
                    c = QColor(31, 120, 180, 45)
                else:
                    c = QColor(style.LINK_OVERLOADED if load >= 1 else (QColor("#fdae61") if load > 0.7
                                                                       else QColor("#1a9641")))
                    c.setAlpha(70)
                painter.setBrush(c)
                v = wedge_polygons(np.array([site.x]), np.array([site.y]), np.array([az]),
                                   np.array([beam]), np.array([r]), n_arc=13)[0]
                painter.drawPolygon(polygon_from_xy(v))

    def _paint_selection_and_preview(self, painter: QPainter, scale: float) -> None:
        if not self.selected and not self.preview:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # preview wedges in scene coordinates
        for node in self.preview.values():
            if isinstance(node, Camera):
                g = camera_geometry(node.camera_type)
                v = wedge_polygons(np.array([node.x]), np.array([node.y]), np.array([node.azimuth_deg]),
                                   np.array([g.hfov_deg]), np.array([g.monitor_m]))[0]
                painter.setPen(cosmetic_pen(style.SELECTION, 1.5, Qt.PenStyle.DashLine))
                painter.setBrush(QColor(255, 176, 0, 60))
                painter.drawPolygon(polygon_from_xy(v))
        painter.restore()
        painter.save()
        t = painter.worldTransform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        shown = [self.preview.get(i, self.nodes[i]) for i in self.selected | set(self.preview)]
        for node in shown:
            p = t.map(QPointF(node.x, -node.y))
            painter.setPen(QPen(QColor("#202020"), 1.0))
            painter.setBrush(style.SELECTION)
            painter.drawEllipse(p, 6.5, 6.5)
            if node.id in self.preview:
                painter.setBrush(self._phase_colour(node.phase))
                painter.drawEllipse(p, 3.5, 3.5)
            if isinstance(node, Camera) and len(self.selected) <= 50:
                length = self.handle_length_m(node, scale)
                a = math.radians(node.azimuth_deg)
                h = t.map(QPointF(node.x + length * math.sin(a), -(node.y + length * math.cos(a))))
                painter.setPen(QPen(QColor("#202020"), 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(p, h)
                painter.setPen(QPen(QColor("#202020"), 1.2))
                painter.setBrush(QColor("white"))
                painter.drawEllipse(h, 5.5, 5.5)
        painter.restore()


def extent_rect(bounds: tuple[float, float, float, float]) -> QRectF:
    """Scene rectangle of map bounds ``(minx, miny, maxx, maxy)``."""
    x0, y0, x1, y1 = bounds
    return QRectF(x0, -y1, x1 - x0, y1 - y0)


def any_to_float(v: Any, default: float = 0.0) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default
