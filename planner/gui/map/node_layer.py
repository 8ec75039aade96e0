"""Cameras, radio sites and centres on the map: one item per group of node kinds.

:class:`NodeLayerItem` keeps its nodes in numpy arrays (positions, phases,
kinds and, for cameras, the field-of-view wedges) so that hit tests, culling
and drawing are vectorised, and so that an edit to a few nodes
(:meth:`NodeLayerItem.replace_nodes`) rewrites only their rows instead of
rebuilding 2,000 cameras.

Drawing, per frame, for the nodes in view only:

* wedges (monitor range light, detect range darker) in scene coordinates once
  50 m is 4 px, filled without antialiasing, the whole wedge outlined with a
  1 px antialiased line (antialiased fills of a few hundred overlapping
  wedges cost ten times more and look the same at these alphas);
* camera dots as cached sprites, white halos first, then one disc per phase
  colour (blitting 2,000 pixmaps costs about 2 ms, drawing round points
  about 20 ms);
* other nodes as symbols, with their names from the label sprite cache.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from planner import style as _palette
from planner.gui.map import style
from planner.gui.map.geometry import polygon_from_xy
from planner.gui.map.layers import (
    LayerMixin,
    LegendEntry,
    _symbol_path,
    cosmetic_pen,
    device_pixel_ratio,
    device_xy,
    label_sprite,
    text_path,
)
from planner.gui.map.lens import CameraGeometry, camera_geometry, zoom_range_mm
from planner.model.nodes import Camera, Node, NodeKind, RadioSite

SECTOR_BEAM_DEG = 65.0
SECTOR_RADIUS_M = {"elte_macro": 1500.0, "lte_macro": 1500.0, "small_cell": 400.0,
                   "microwave_hub": 800.0, "fibre_pop": 300.0}
#: Wedges are drawn once 50 m is at least 4 px on screen.
WEDGE_MIN_PX_PER_M = 4.0 / 50.0
N_ARC = 9
_KINDS = list(NodeKind)
_KIND_INDEX = {k: i for i, k in enumerate(_KINDS)}
_CAMERA_K = _KIND_INDEX[NodeKind.CAMERA]


def wedge_polygons(xs: np.ndarray, ys: np.ndarray, az_deg: np.ndarray, hfov_deg: np.ndarray,
                   r_m: np.ndarray, *, n_arc: int = N_ARC) -> np.ndarray:
    """Vertices (n, n_arc + 1, 2) of field-of-view wedges (azimuth clockwise from north)."""
    n = len(xs)
    t = np.linspace(-0.5, 0.5, n_arc)
    ang = np.radians(az_deg[:, None] + hfov_deg[:, None] * t[None, :])
    out = np.empty((n, n_arc + 1, 2))
    out[:, 0, 0], out[:, 0, 1] = xs, ys
    out[:, 1:, 0] = xs[:, None] + r_m[:, None] * np.sin(ang)
    out[:, 1:, 1] = ys[:, None] + r_m[:, None] * np.cos(ang)
    return out


_DOTS: dict[tuple[Any, ...], tuple[QPixmap, int]] = {}


def dot_sprite(colour: QColor, radius_px: float, dpr: float) -> tuple[QPixmap, int]:
    """A cached antialiased disc of ``colour``, and the offset from its top-left corner to its centre."""
    key = (colour.rgba(), radius_px, round(dpr, 3))
    hit = _DOTS.get(key)
    if hit is None:
        half = int(math.ceil(radius_px + 1.0))
        size = int(math.ceil(2 * half * dpr))
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(QPointF(half, half), radius_px, radius_px)
        p.end()
        hit = (QPixmap.fromImage(img), half)
        _DOTS[key] = hit
    return hit


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
        self._index: dict[str, int] = {}
        self.xs = np.empty(0)
        self.ys = np.empty(0)
        self.phase_idx = np.empty(0, dtype=int)
        self.kind_idx = np.empty(0, dtype=int)
        self.phases: list[str] = []
        self.hidden_phases: set[str] = set()
        self.selected: set[str] = set()
        self.preview: dict[str, Node] = {}
        self.legend_entries: list[LegendEntry] = []
        self._sector_load: dict[tuple[str, int], float] = {}
        self.show_wedges = True
        self._rect = QRectF()
        self._max_reach = 0.0
        self._radios: list[int] = []
        self._geometry: dict[str, CameraGeometry] = {}
        self._reach = np.empty(0)
        self._wm = np.empty((0, N_ARC + 1, 2))
        self._wd = np.empty((0, N_ARC + 1, 2))
        self._polys: dict[tuple[int, int], QPolygonF] = {}

    # -- data
    def set_nodes(self, nodes: list[Node], phases: list[str]) -> None:
        """Replace all nodes (those of other kinds are ignored)."""
        nodes = [n for n in nodes if n.KIND in self.kinds]
        self.nodes = {n.id: n for n in nodes}
        self.ids = [n.id for n in nodes]
        self._index = {nid: i for i, nid in enumerate(self.ids)}
        self.phases = list(phases)
        n = len(nodes)
        self.xs = np.fromiter((nd.x for nd in nodes), float, n)
        self.ys = np.fromiter((nd.y for nd in nodes), float, n)
        pidx = {p: i for i, p in enumerate(self.phases)}
        self.phase_idx = np.fromiter((pidx.get(nd.phase, -1) for nd in nodes), int, n)
        self.kind_idx = np.fromiter((_KIND_INDEX[nd.KIND] for nd in nodes), int, n)
        self._radios = [i for i, nd in enumerate(nodes) if isinstance(nd, RadioSite)]
        self.selected &= set(self.ids)
        self.preview = {k: v for k, v in self.preview.items() if k in self.nodes}
        self._geometry = {}
        self._reach = np.zeros(n)
        self._wm = np.zeros((n, N_ARC + 1, 2))
        self._wd = np.zeros((n, N_ARC + 1, 2))
        self._polys = {}
        cams = [i for i, nd in enumerate(nodes) if isinstance(nd, Camera)]
        if cams:
            self._set_wedges(np.asarray(cams))
        self._refresh_rect()
        self._update_legend()
        self.update()

    def replace_nodes(self, nodes: Iterable[Node]) -> bool:
        """Update nodes already in the layer in place (moves, rotations, field edits).

        Returns False, changing nothing, when a node is new, of another class
        or in a phase the layer does not know: the caller then calls
        :meth:`set_nodes`. Only the changed nodes' rows and wedges are rebuilt.
        """
        mine = [n for n in nodes if n.KIND in self.kinds]
        if not mine:
            return True
        pidx = {p: i for i, p in enumerate(self.phases)}
        for n in mine:
            old = self.nodes.get(n.id)
            if old is None or type(old) is not type(n) or n.phase not in pidx:
                return False
        rows = []
        for n in mine:
            i = self._index[n.id]
            rows.append(i)
            self.nodes[n.id] = n
            self.xs[i], self.ys[i] = n.x, n.y
            self.phase_idx[i] = pidx[n.phase]
            self._polys.pop((i, 0), None)
            self._polys.pop((i, 1), None)
        cams = [i for i in rows if isinstance(self.nodes[self.ids[i]], Camera)]
        if cams:
            self._set_wedges(np.asarray(cams))
        self._refresh_rect()
        self._update_legend()
        self.update()
        return True

    def _set_wedges(self, rows: np.ndarray) -> None:
        cams = [self.nodes[self.ids[i]] for i in rows]
        geos = [camera_geometry(c.camera_type, c.focal_mm) for c in cams]  # type: ignore[attr-defined]
        for c, g in zip(cams, geos, strict=True):
            self._geometry[c.id] = g
        xs, ys = self.xs[rows], self.ys[rows]
        az = np.array([c.azimuth_deg for c in cams])  # type: ignore[attr-defined]
        hf = np.array([g.hfov_deg for g in geos])
        mon = np.array([g.monitor_m for g in geos])
        self._reach[rows] = mon
        self._wm[rows] = wedge_polygons(xs, ys, az, hf, mon)
        self._wd[rows] = wedge_polygons(xs, ys, az, hf, np.array([g.detect_m for g in geos]))

    def _refresh_rect(self) -> None:
        radios = [self.nodes[self.ids[i]] for i in self._radios]
        reach = max([float(self._reach.max()) if len(self._reach) else 0.0]
                    + [SECTOR_RADIUS_M.get(str(r.site_kind), 1000.0) for r in radios])  # type: ignore[attr-defined]
        self._max_reach = reach
        if len(self.ids):
            pad = reach + 50.0
            rect = QRectF(self.xs.min() - pad, -self.ys.max() - pad, np.ptp(self.xs) + 2 * pad,
                          np.ptp(self.ys) + 2 * pad)
        else:
            rect = QRectF()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def _polygon(self, i: int, which: int) -> QPolygonF:
        """The (cached) monitor (0) or detect (1) wedge of row ``i`` as a scene polygon."""
        poly = self._polys.get((i, which))
        if poly is None:
            poly = polygon_from_xy((self._wm if which == 0 else self._wd)[i])
            self._polys[(i, which)] = poly
        return poly

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
                if self.sector_load:
                    entries += [("wedge", style.load_colour(lo), f"Sector {text}")
                                for lo, _c, text in _palette.LOAD_STOPS]
            elif kind == NodeKind.STORAGE_CENTRE:
                entries.append(("square", style.STORAGE, "Storage centre"))
            elif kind == NodeKind.COMMAND_CENTRE:
                entries.append(("diamond", style.COMMAND, "Command centre"))
        self.legend_entries = entries

    @property
    def sector_load(self) -> dict[tuple[str, int], float]:
        """Utilisation of each ``(site id, sector)``; setting it updates the legend (load colours)."""
        return self._sector_load

    @sector_load.setter
    def sector_load(self, value: dict[tuple[str, int], float]) -> None:
        self._sector_load = dict(value)
        self._update_legend()

    def wedge_geometry(self, nid: str) -> CameraGeometry | None:
        """The field of view and ranges the map draws for camera ``nid``."""
        return self._geometry.get(nid)

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
        """Distance of a camera's rotate handle from the camera: the tip of the monitor wedge, at least
        40 px out and 24 px beyond the range handle."""
        if not isinstance(node, Camera):
            return 0.0
        g = camera_geometry(node.camera_type, node.focal_mm)
        px = max(px_per_m, 1e-9)
        return max(g.monitor_m, g.detect_m + 24.0 / px, 40.0 / px)

    def range_handle_length_m(self, node: Node, px_per_m: float) -> float | None:
        """Distance of a zoom camera's range handle (the tip of the detect wedge); None when the lens
        does not zoom or the wedge is under 12 px long."""
        if not isinstance(node, Camera) or zoom_range_mm(node.camera_type) is None:
            return None
        d = camera_geometry(node.camera_type, node.focal_mm).detect_m
        return d if d * px_per_m >= 12.0 else None

    # -- Qt
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self.ids):
            return
        scale = painter.worldTransform().m11()  # px per metre
        dx, dy = device_xy(painter, self.xs, self.ys)
        vp = painter.viewport()
        w, h = vp.width(), vp.height()
        shown = self.visible_mask()
        if self.preview:
            shown[[self._index[i] for i in self.preview]] = False
        is_cam = self.kind_idx == _CAMERA_K
        if self.show_wedges and scale >= WEDGE_MIN_PX_PER_M and is_cam.any():
            r = self._reach * scale
            on = shown & is_cam & (dx + r >= 0) & (dx - r <= w) & (dy + r >= 0) & (dy - r <= h)
            self._paint_wedges(painter, np.flatnonzero(on))
        self._paint_sectors(painter, scale)
        on = shown & (dx > -30) & (dy > -30) & (dx < w + 30) & (dy < h + 30)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        dpr = device_pixel_ratio(painter)
        cams_on = on & is_cam
        if cams_on.any():
            # all the white halos first, then the discs: dense clusters read as one patch per phase
            cam_r = 2.2 if scale < 0.05 else (3.0 if scale < 0.3 else 4.5)
            halo = 0.8 if scale < 0.05 else 1.2
            ix = np.round(dx).astype(int)
            iy = np.round(dy).astype(int)
            rows = np.flatnonzero(cams_on)
            sprite, k = dot_sprite(QColor(255, 255, 255, 230), cam_r + halo, dpr)
            for x, y in zip((ix[rows] - k).tolist(), (iy[rows] - k).tolist(), strict=True):
                painter.drawPixmap(x, y, sprite)
            for pi in np.unique(self.phase_idx[rows]):
                sprite, k = dot_sprite(self._phase_colour(self.phases[pi] if pi >= 0 else ""), cam_r, dpr)
                sel = rows[self.phase_idx[rows] == pi]
                for x, y in zip((ix[sel] - k).tolist(), (iy[sel] - k).tolist(), strict=True):
                    painter.drawPixmap(x, y, sprite)
        others = np.flatnonzero(on & ~is_cam)
        if len(others):
            self._paint_symbols(painter, others, dx, dy, scale, dpr)
        painter.restore()
        self._paint_selection_and_preview(painter, scale)

    def _paint_wedges(self, painter: QPainter, rows: np.ndarray) -> None:
        if not len(rows):
            return
        painter.save()
        phases = self.phase_idx[rows]
        for pi in np.unique(phases):
            sel = rows[phases == pi]
            colour = self._phase_colour(self.phases[pi] if pi >= 0 else "")
            for which, alpha in ((0, 40), (1, 85)):
                c = QColor(colour)
                c.setAlpha(alpha)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(c)
                polys = [self._polygon(int(i), which) for i in sel]
                for poly in polys:
                    painter.drawPolygon(poly)
                if which == 0:
                    # a 1 px antialiased outline of the whole wedge smooths its aliased edges (Qt's fast
                    # path for thin lines; outlining the detect wedges too would double the cost)
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                    c.setAlpha(alpha + 45)
                    painter.setPen(cosmetic_pen(c, 1.0))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    for poly in polys:
                        painter.drawPolygon(poly)
        painter.restore()

    def _paint_symbols(self, painter: QPainter, rows: np.ndarray, dx: np.ndarray, dy: np.ndarray, scale: float,
                       dpr: float) -> None:
        outline = QPen(QColor(255, 255, 255, 230), 0.8 if scale < 0.05 else 1.2)
        painter.setPen(outline)
        colours = {NodeKind.RADIO_SITE: style.RADIO, NodeKind.STORAGE_CENTRE: style.STORAGE,
                   NodeKind.COMMAND_CENTRE: style.COMMAND}
        for i in rows:
            k = _KINDS[self.kind_idx[i]]
            painter.setBrush(colours.get(k, style.NO_PHASE))
            painter.drawPath(_symbol_path(self.SYMBOLS[k], 6.5).translated(dx[i], dy[i]))
        if scale <= 0.02:
            return
        f = QFont(painter.font())
        f.setPointSizeF(8)
        f.setBold(True)
        ink = QColor("#3b2050")
        for i in rows:
            name = self.nodes[self.ids[i]].name
            if name:
                sprite, base = label_sprite(name, f, ink, dpr=dpr)
                painter.drawPixmap(QPointF(round(dx[i] + 10 - 3), round(dy[i] + 4 - base)), sprite)

    def _paint_sectors(self, painter: QPainter, scale: float) -> None:
        if not self._radios or scale * 300 < 4:
            return
        radios = [self.nodes[self.ids[i]] for i in self._radios]
        radios = [r for r in radios if r.phase not in self.hidden_phases and r.id not in self.preview]
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
                    c = style.load_colour(load)
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
                g = camera_geometry(node.camera_type, node.focal_mm)
                for r, alpha in ((g.monitor_m, 50), (g.detect_m, 70)):
                    v = wedge_polygons(np.array([node.x]), np.array([node.y]), np.array([node.azimuth_deg]),
                                       np.array([g.hfov_deg]), np.array([r]))[0]
                    painter.setPen(cosmetic_pen(style.SELECTION, 1.5, Qt.PenStyle.DashLine))
                    painter.setBrush(QColor(255, 176, 0, alpha))
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
                rl = self.range_handle_length_m(node, scale)
                if rl is not None:  # zoom lens: a square handle at the tip of the detect wedge
                    tip = t.map(QPointF(node.x + rl * math.sin(a), -(node.y + rl * math.cos(a))))
                    painter.setBrush(style.SELECTION)
                    painter.drawRect(QRectF(tip.x() - 4.5, tip.y() - 4.5, 9, 9))
                    old = self.nodes.get(node.id)
                    if node.id in self.preview and isinstance(old, Camera) and old.focal_mm != node.focal_mm:
                        rng = zoom_range_mm(node.camera_type)
                        f = node.focal_mm if node.focal_mm is not None else (rng[0] if rng else 0.0)
                        label = f"{f:g} mm · detect {rl:,.0f} m"
                        path = text_path(label, painter.font()).translated(tip.x() + 10, tip.y() + 4)
                        painter.strokePath(path, QPen(QColor(255, 255, 255, 230), 3))
                        painter.fillPath(path, QColor("#202020"))
        painter.restore()
