"""The map canvas: a QGraphicsView over project-CRS metres (y flipped), with tools.

Tools: select (click, shift/ctrl-click, rubber band; drag selected nodes to
move them; drag a camera's round white handle to rotate it, and the square
handle at the tip of a zoom camera's detect wedge to change its focal
length, so its range), pan, and place
camera / radio site / storage centre / command centre. The canvas never edits
the project: it emits ``edit_requested`` / ``place_requested`` /
``selection_requested`` and the main window turns them into commands.

Overlays drawn in screen space: scale bar, north arrow, legend, attribution
and the rubber band.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from planner.gui.map import style
from planner.gui.map.layers import LegendEntry, _symbol_path
from planner.gui.map.lens import focal_for_detect_range
from planner.gui.map.node_layer import NodeLayerItem
from planner.model.nodes import Camera, Node


class Tool(StrEnum):
    SELECT = "select"
    PAN = "pan"
    PLACE_CAMERA = "camera"
    PLACE_RADIO = "radio_site"
    PLACE_STORAGE = "storage_centre"
    PLACE_COMMAND = "command_centre"
    #: Clicks add candidate sites to the open optimiser dialog (not nodes of the project).
    PLACE_CANDIDATE = "candidate_site"


def nice_length(target_m: float) -> float:
    """The 1-2-5 × 10^k length closest below ``target_m``."""
    if target_m <= 0:
        return 1.0
    k = math.floor(math.log10(target_m))
    for m in (5, 2, 1):
        if m * 10**k <= target_m:
            return float(m * 10**k)
    return float(10**k)


class MapCanvas(QGraphicsView):
    """Signals: ``cursor_moved(x, y)`` in map metres, ``place_requested(kind, x, y)``,
    ``edit_requested(list[Node], text)``, ``selection_requested(list[str], additive)``,
    ``view_changed()``."""

    cursor_moved = Signal(float, float)
    place_requested = Signal(str, float, float)
    edit_requested = Signal(object, str)
    selection_requested = Signal(object, bool)
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(style.BACKGROUND)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.tool = Tool.SELECT
        self.node_layers: list[NodeLayerItem] = []
        self.legend_provider: Callable[[], list[LegendEntry]] = lambda: []
        self.attribution = ""
        self.show_legend = True
        self._mode = ""
        self._press_scene = QPointF()
        self._press_pos = QPoint()
        self._last_pos = QPoint()
        self._rubber: QRectF | None = None
        self._drag_ids: list[str] = []
        self._rotate_id = ""
        self._extent = QRectF()
        self.last_map_pos = (0.0, 0.0)

    # ----------------------------------------------------------- geometry
    def set_extent(self, rect: QRectF) -> None:
        """Remember the data extent and allow panning well beyond it."""
        self._extent = QRectF(rect)
        w, h = max(rect.width(), 1000.0), max(rect.height(), 1000.0)
        self.setSceneRect(rect.adjusted(-5 * w, -5 * h, 5 * w, 5 * h))

    def px_per_m(self) -> float:
        return float(self.transform().m11()) or 1.0

    def map_pos(self, pos: QPoint | QPointF) -> tuple[float, float]:
        p = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        return float(p.x()), float(-p.y())

    def zoom_to_rect(self, rect: QRectF, margin: float = 0.05) -> None:
        if rect.isNull() or rect.width() <= 0 and rect.height() <= 0:
            rect = QRectF(rect.center().x() - 250, rect.center().y() - 250, 500, 500)
        r = rect.adjusted(-rect.width() * margin - 20, -rect.height() * margin - 20,
                          rect.width() * margin + 20, rect.height() * margin + 20)
        self.fitInView(r, Qt.AspectRatioMode.KeepAspectRatio)
        self.view_changed.emit()

    def zoom_to_extent(self) -> None:
        """Fit the study area in the part of the view the legend leaves free (the legend never covers it)."""
        if self._extent.isNull():
            return
        vp = self.viewport().rect()
        legend = self.legend_rect(vp.width(), vp.height())
        free_w = (legend.left() if legend is not None else vp.width()) - 12.0
        r = self._extent.adjusted(-self._extent.width() * 0.02, -self._extent.height() * 0.02,
                                  self._extent.width() * 0.02, self._extent.height() * 0.02)
        if free_w < 0.4 * vp.width() or r.width() <= 0 or r.height() <= 0:
            self.zoom_to_rect(self._extent, 0.02)  # a narrow view: the whole width, legend or not
            return
        scale = min((free_w - 12.0) / r.width(), (vp.height() - 24.0) / r.height())
        self.resetTransform()
        self.scale(scale, scale)
        # the study area's centre goes to the centre of the free part, left of the legend
        self.centerOn(r.center() + QPointF((vp.width() - free_w) / 2.0 / scale, 0.0))
        self.view_changed.emit()

    def legend_rect(self, width: int, height: int) -> QRectF | None:
        """Where the legend is drawn in a viewport of ``width`` x ``height`` pixels (None: no legend)."""
        entries = self.legend_provider() if self.show_legend else []
        if not entries:
            return None
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        fm = QFontMetricsF(f)
        row = max(fm.height(), 16) + 2
        w = max(fm.horizontalAdvance(t) for _, _, t in entries) + 44
        h = row * len(entries) + 28
        return QRectF(width - w - 12, height - h - (22 if self.attribution else 12), w, h)

    def zoom(self, factor: float, anchor: QPoint | None = None) -> None:
        s = self.px_per_m() * factor
        if s > 200 or s < 1e-4:
            return
        if anchor is None:
            anchor = self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self.scale(factor, factor)
        self._recentre_on(before, anchor)
        self.view_changed.emit()

    def _recentre_on(self, scene_pt: QPointF, anchor: QPoint) -> None:
        # keep ``scene_pt`` under ``anchor`` using the scroll bars (translate() is a no-op without anchors)
        now = self.mapFromScene(scene_pt)
        delta = now - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + delta.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + delta.y())

    def pan_pixels(self, dx: int, dy: int) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)
        self.view_changed.emit()

    def centre_on_map(self, x: float, y: float) -> None:
        self.centerOn(QPointF(x, -y))
        self.view_changed.emit()

    # ----------------------------------------------------------- hit tests
    def node_at(self, pos: QPoint, tol_px: float = 7.0) -> str | None:
        x, y = self.map_pos(pos)
        tol = tol_px / self.px_per_m()
        best: tuple[str, float] | None = None
        for layer in reversed(self.node_layers):
            hit = layer.nearest(x, y, tol)
            if hit and (best is None or hit[1] < best[1]):
                best = hit
        return best[0] if best else None

    def handle_at(self, pos: QPoint, tol_px: float = 8.0) -> str | None:
        """The id of a selected camera whose rotate handle is under ``pos``."""
        s = self.px_per_m()
        for layer in self.node_layers:
            if not layer.isVisible() or len(layer.selected) > 50:
                continue
            for nid in layer.selected:
                node = layer.nodes[nid]
                if not isinstance(node, Camera):
                    continue
                length = layer.handle_length_m(node, s)
                a = math.radians(node.azimuth_deg)
                h = self.mapFromScene(QPointF(node.x + length * math.sin(a), -(node.y + length * math.cos(a))))
                if math.hypot(h.x() - pos.x(), h.y() - pos.y()) <= tol_px:
                    return nid
        return None

    def range_handle_at(self, pos: QPoint, tol_px: float = 8.0) -> str | None:
        """The id of a selected zoom camera whose range handle (tip of the detect wedge) is under ``pos``."""
        s = self.px_per_m()
        for layer in self.node_layers:
            if not layer.isVisible() or len(layer.selected) > 50:
                continue
            for nid in layer.selected:
                node = layer.nodes[nid]
                length = layer.range_handle_length_m(node, s)
                if length is None:
                    continue
                a = math.radians(node.azimuth_deg)  # type: ignore[attr-defined]
                h = self.mapFromScene(QPointF(node.x + length * math.sin(a), -(node.y + length * math.cos(a))))
                if math.hypot(h.x() - pos.x(), h.y() - pos.y()) <= tol_px:
                    return nid
        return None

    def _node(self, nid: str) -> Node | None:
        for layer in self.node_layers:
            if nid in layer.nodes:
                return layer.nodes[nid]
        return None

    def _selected(self) -> list[str]:
        out: list[str] = []
        for layer in self.node_layers:
            out.extend(layer.selected)
        return out

    def _set_preview(self, preview: dict[str, Node]) -> None:
        for layer in self.node_layers:
            layer.set_preview(preview)

    # ----------------------------------------------------------- events
    def set_tool(self, tool: Tool | str) -> None:
        self.tool = Tool(tool)
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self.tool == Tool.PAN else
                                  Qt.CursorShape.ArrowCursor if self.tool == Tool.SELECT else
                                  Qt.CursorShape.CrossCursor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.25 ** steps, event.position().toPoint())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        k = event.key()
        if k in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif k in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom(0.8)
        elif k == Qt.Key.Key_Left:
            self.pan_pixels(80, 0)
        elif k == Qt.Key.Key_Right:
            self.pan_pixels(-80, 0)
        elif k == Qt.Key.Key_Up:
            self.pan_pixels(0, 80)
        elif k == Qt.Key.Key_Down:
            self.pan_pixels(0, -80)
        elif k == Qt.Key.Key_Home:
            self.zoom_to_extent()
        elif k == Qt.Key.Key_Escape:
            self._cancel_drag()
            self.set_tool(Tool.SELECT)
        else:
            super().keyPressEvent(event)

    def _cancel_drag(self) -> None:
        self._mode = ""
        self._rubber = None
        self._set_preview({})
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        self._press_pos = self._last_pos = pos
        self._press_scene = self.mapToScene(pos)
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self.tool == Tool.PAN):
            self._mode = "pan"
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.tool not in (Tool.SELECT, Tool.PAN):
            x, y = self.map_pos(pos)
            self.place_requested.emit(str(self.tool), x, y)
            return
        additive = bool(event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier))
        handle = self.range_handle_at(pos)
        if handle and not additive:
            self._mode = "range"
            self._rotate_id = handle
            return
        handle = self.handle_at(pos)
        if handle and not additive:
            self._mode = "rotate"
            self._rotate_id = handle
            return
        nid = self.node_at(pos)
        if nid is not None:
            if additive:
                self.selection_requested.emit([nid], True)
                self._mode = ""
                return
            if nid not in self._selected():
                self.selection_requested.emit([nid], False)
            self._mode = "move"
            self._drag_ids = self._selected() or [nid]
            return
        self._mode = "rubber"
        self._rubber_additive = additive
        self._rubber = QRectF(QPointF(pos), QPointF(pos))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        x, y = self.map_pos(pos)
        self.last_map_pos = (x, y)
        self.cursor_moved.emit(x, y)
        if self._mode == "pan":
            d = pos - self._last_pos
            self.pan_pixels(d.x(), d.y())
        elif self._mode == "move":
            cur = self.mapToScene(pos)
            dx, dy = cur.x() - self._press_scene.x(), -(cur.y() - self._press_scene.y())
            if (pos - self._press_pos).manhattanLength() >= 3:
                preview = {}
                for nid in self._drag_ids:
                    n = self._node(nid)
                    if n is not None:
                        preview[nid] = n.moved(n.x + dx, n.y + dy)
                self._set_preview(preview)
        elif self._mode == "rotate":
            n = self._node(self._rotate_id)
            if isinstance(n, Camera):
                az = math.degrees(math.atan2(x - n.x, y - n.y)) % 360.0
                self._set_preview({n.id: n.with_changes(azimuth_deg=round(az, 1))})
        elif self._mode == "range":
            n = self._node(self._rotate_id)
            if isinstance(n, Camera):
                a = math.radians(n.azimuth_deg)
                along = (x - n.x) * math.sin(a) + (y - n.y) * math.cos(a)  # distance along the optical axis
                focal = focal_for_detect_range(n.camera_type, n.focal_mm, along)
                self._set_preview({} if focal == n.focal_mm else {n.id: n.with_changes(focal_mm=focal)})
        elif self._mode == "rubber" and self._rubber is not None:
            self._rubber = QRectF(QPointF(self._press_pos), QPointF(pos)).normalized()
            self.viewport().update()
        self._last_pos = pos

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        mode, self._mode = self._mode, ""
        pos = event.position().toPoint()
        if mode == "pan":
            self.set_tool(self.tool)
        elif mode in ("move", "rotate", "range"):
            preview = {}
            for layer in self.node_layers:
                preview.update(layer.preview)
            self._set_preview({})
            if preview:
                nodes = list(preview.values())
                if mode == "rotate":
                    text = f"Rotate {nodes[0].id}"
                elif mode == "range":
                    text = f"Set focal length on {nodes[0].id}"
                else:
                    text = f"Move {nodes[0].id}" if len(nodes) == 1 else f"Move {len(nodes)} nodes"
                self.edit_requested.emit(nodes, text)
        elif mode == "rubber":
            rect = self._rubber
            self._rubber = None
            self.viewport().update()
            if rect is None or (pos - self._press_pos).manhattanLength() < 4:
                if not getattr(self, "_rubber_additive", False):
                    self.selection_requested.emit([], False)
                return
            a = self.map_pos(rect.topLeft().toPoint())
            b = self.map_pos(rect.bottomRight().toPoint())
            ids: list[str] = []
            for layer in self.node_layers:
                ids.extend(layer.ids_in_rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
            self.selection_requested.emit(ids, bool(getattr(self, "_rubber_additive", False)))

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewport().update()

    # ----------------------------------------------------------- overlays
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        vp = self.viewport().rect()
        self._draw_scale_bar(painter, vp.height())
        self._draw_north_arrow(painter, vp.width())
        if self.show_legend:
            self._draw_legend(painter, vp.width(), vp.height())
        if self.attribution:
            f = QFont(painter.font())
            f.setPointSizeF(7.5)
            painter.setFont(f)
            fm = QFontMetricsF(f)
            w = fm.horizontalAdvance(self.attribution) + 8
            r = QRectF(vp.width() - w, vp.height() - fm.height() - 2, w, fm.height() + 2)
            painter.fillRect(r, QColor(255, 255, 255, 200))
            painter.setPen(QColor("#333333"))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, self.attribution)
        if self._rubber is not None:
            painter.setPen(QPen(style.SELECTION, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(255, 176, 0, 40))
            painter.drawRect(self._rubber)
        painter.restore()

    def _draw_scale_bar(self, painter: QPainter, height: int) -> None:
        mpp = 1.0 / self.px_per_m()
        length = nice_length(140 * mpp)
        px = length / mpp
        x0, y0 = 16.0, height - 24.0
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        box = QRectF(x0 - 8, y0 - 26, px + 60, 38)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QPen(QColor("#222222"), 1))
        for i in range(4):
            painter.setBrush(QColor("#222222") if i % 2 == 0 else QColor("white"))
            painter.drawRect(QRectF(x0 + i * px / 4, y0, px / 4, 6))
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        painter.setFont(f)
        painter.drawText(QPointF(x0, y0 - 6), "0")
        fm = QFontMetricsF(f)
        painter.drawText(QPointF(x0 + px - fm.horizontalAdvance(label) / 2, y0 - 6), label)
        scale_den = mpp / 0.000264583  # 96 dpi screen pixel = 0.2646 mm
        painter.drawText(QPointF(x0 + px + 10, y0 + 7), f"1:{nice_round(scale_den):,}")

    def _draw_north_arrow(self, painter: QPainter, width: int) -> None:
        cx, cy = width - 34.0, 40.0
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawEllipse(QPointF(cx, cy + 2), 22, 22)
        painter.setPen(QPen(QColor("#222222"), 1))
        painter.setBrush(QColor("#222222"))
        painter.drawPolygon(QPolygonF([QPointF(cx, cy - 14), QPointF(cx + 7, cy + 10), QPointF(cx, cy + 5)]))
        painter.setBrush(QColor("white"))
        painter.drawPolygon(QPolygonF([QPointF(cx, cy - 14), QPointF(cx - 7, cy + 10), QPointF(cx, cy + 5)]))
        f = QFont(painter.font())
        f.setPointSizeF(8)
        f.setBold(True)
        painter.setFont(f)
        painter.drawText(QRectF(cx - 10, cy + 9, 20, 14), Qt.AlignmentFlag.AlignCenter, "N")

    def _draw_legend(self, painter: QPainter, width: int, height: int) -> None:
        entries = self.legend_provider()
        if not entries:
            return
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        painter.setFont(f)
        fm = QFontMetricsF(f)
        row = max(fm.height(), 16) + 2
        box = self.legend_rect(width, height)
        assert box is not None
        x0, y0, w, h = box.left(), box.top(), box.width(), box.height()
        painter.setPen(QPen(QColor(0, 0, 0, 60), 1))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(QRectF(x0, y0, w, h), 5, 5)
        bold = QFont(f)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#222222"))
        painter.drawText(QPointF(x0 + 10, y0 + 17), "Legend")
        painter.setFont(f)
        y = y0 + 26
        for symbol, colour, text in entries:
            cy = y + row / 2
            sx = x0 + 19
            painter.setPen(QPen(QColor("#444444"), 0.8))
            painter.setBrush(colour)
            if symbol == "fill":
                painter.drawRect(QRectF(sx - 8, cy - 6, 16, 12))
            elif symbol == "ramp":  # the radio rate colour ramp, low (left) to high
                grad = QLinearGradient(sx - 8, cy, sx + 8, cy)
                stops = style.RADIO_RATE_STOPS
                for i, (_v, c) in enumerate(stops):
                    grad.setColorAt(i / max(len(stops) - 1, 1), c)
                painter.setBrush(grad)
                painter.drawRect(QRectF(sx - 8, cy - 6, 16, 12))
            elif symbol == "line":
                painter.setPen(QPen(colour, 2.5))
                painter.drawLine(QPointF(sx - 8, cy), QPointF(sx + 8, cy))
            elif symbol == "outline":
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(colour, 1.6))
                painter.drawRect(QRectF(sx - 8, cy - 6, 16, 12))
            elif symbol == "wedge":
                path = QPainterPath(QPointF(sx - 8, cy + 6))
                path.arcTo(QRectF(sx - 8 - 16, cy + 6 - 16, 32, 32), 90 - 35 + 0, 70)
                path.closeSubpath()
                c = QColor(colour)
                c.setAlpha(90)
                painter.setBrush(c)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawPath(path.translated(0, 0))
            elif symbol == "dot":
                painter.setPen(QPen(QColor("white"), 1))
                painter.drawEllipse(QPointF(sx, cy), 4.5, 4.5)
            else:
                painter.setPen(QPen(QColor("white"), 1))
                painter.drawPath(_symbol_path(symbol, 5.0).translated(sx, cy))
            painter.setPen(QColor("#222222"))
            painter.drawText(QPointF(x0 + 34, cy + fm.ascent() / 2 - 1), text)
            y += row


def nice_round(value: float) -> int:
    if value <= 0:
        return 0
    k = 10 ** max(int(math.log10(value)) - 1, 0)
    return int(round(value / k) * k)
