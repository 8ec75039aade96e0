"""Map layers: one QGraphicsItem per model layer, each drawing itself natively.

* :class:`PathLayerItem` - polygons or lines as a few big styled paths
  (study area, districts, buildings, streets, coverage, links);
* :class:`ImageLayerItem` - a georeferenced image (DEM hillshade, GeoTIFF overlays);
* :class:`PointLayerItem` - point symbols at a fixed pixel size (priority sites);
* :class:`LabelLayerItem` - district labels, level-of-detail and collision aware;
* :class:`~planner.gui.map.node_layer.NodeLayerItem` (in its own module) -
  cameras / radio sites / centres.

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
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QStyleOptionGraphicsItem, QWidget

from planner.gui.map import style

LegendEntry = tuple[str, QColor, str]  # (symbol: fill|line|dot|square|diamond|triangle|wedge|star, colour, text)


def cosmetic_pen(colour: QColor | str, width: float = 1.0, style_: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen of ``width`` screen pixels. Bevel joins and flat caps: with round ones, Qt's antialiased
    stroker spends 30-100 times longer on long outlines (see :func:`stroke_path`)."""
    pen = QPen(QColor(colour), width, style_)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def stroke_path(painter: QPainter, path: QPainterPath, pen: QPen) -> None:
    """Stroke ``path`` with ``pen``, fast for wide opaque cosmetic pens.

    Qt draws antialiased cosmetic lines up to 1 px wide with a dedicated
    stroker; wider ones go through the general stroker and an antialiased fill,
    about 30 times slower on a city's district outlines (33 ms instead of 1 ms).
    A solid, opaque pen wider than 1 px is drawn as four 1 px strokes offset
    by ``(width - 1) / 2`` px up, down, left and right, which covers the same
    pixels.
    """
    w = pen.widthF()
    if (w <= 1.05 or not pen.isCosmetic() or pen.style() != Qt.PenStyle.SolidLine or pen.color().alpha() < 255
            or not painter.testRenderHint(QPainter.RenderHint.Antialiasing)):
        painter.strokePath(path, pen)
        return
    thin = QPen(pen)
    thin.setWidthF(1.0)
    d = (w - 1.0) / 2.0
    t = painter.transform()
    for ox, oy in ((-d, 0.0), (d, 0.0), (0.0, -d), (0.0, d)):
        painter.setTransform(t * QTransform.fromTranslate(ox, oy))
        painter.strokePath(path, thin)
    painter.setTransform(t)


class LayerMixin:
    key = ""
    title = ""
    legend_entries: list[LegendEntry]

    def legend(self) -> list[LegendEntry]:
        return list(getattr(self, "legend_entries", []))


# ----------------------------------------------------------------- paths
@dataclass
class StyledPath:
    """One styled path of a :class:`PathLayerItem`, with optional level-of-detail and culling.

    ``pieces`` (and ``coarse_pieces`` for ``coarse``) cut the path into
    spatial groups: scene bounding boxes ``(k, 4)`` ``x0, y0, x1, y1`` and one
    path per group. When present they are drawn instead of the whole path,
    only those in view, and ``path`` may be empty (``rect`` then gives the extent).
    """

    path: QPainterPath
    pen: QPen | None
    brush: QBrush | None
    min_px_per_m: float = 0.0  # draw only when zoomed in at least this much
    coarse: QPainterPath | None = None  # simplified version drawn when zoomed out
    coarse_below_px_per_m: float = 0.2
    pieces: tuple[np.ndarray, list[QPainterPath]] | None = None
    coarse_pieces: tuple[np.ndarray, list[QPainterPath]] | None = None
    #: antialiased fill (the outline, if any, is always antialiased); fills of thousands of small
    #: polygons cost about eight times more with it
    antialias: bool = True
    rect: QRectF | None = None

    def bounds(self) -> QRectF:
        if self.rect is not None:
            return self.rect
        if self.pieces is not None and len(self.pieces[0]):
            b = self.pieces[0]
            x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
            self.rect = QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
            return self.rect
        return self.path.boundingRect()


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
            rect = rect.united(sp.bounds())
        self._rect = rect.adjusted(-1, -1, 1, 1)
        self.update()

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        scale = painter.worldTransform().m11()
        exposed = option.exposedRect
        for sp in self._paths:
            if scale < sp.min_px_per_m or not sp.bounds().intersects(exposed):
                continue
            coarse = sp.coarse is not None and scale < sp.coarse_below_px_per_m
            split = sp.coarse_pieces if coarse else sp.pieces
            if split is not None:
                b, pieces = split
                keep = ((b[:, 2] >= exposed.left()) & (b[:, 0] <= exposed.right()) & (b[:, 3] >= exposed.top())
                        & (b[:, 1] <= exposed.bottom()))
                paths = [pieces[i] for i in np.flatnonzero(keep)]
            else:
                paths = [sp.coarse if coarse and sp.coarse is not None else sp.path]
            if sp.brush is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(sp.brush)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, sp.antialias)
                for path in paths:
                    painter.drawPath(path)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if sp.pen is not None:
                for path in paths:
                    stroke_path(painter, path, sp.pen)


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


def ramp_image(values: np.ndarray, stops: list[tuple[float, QColor]], *, alpha: int = 170,
               log: bool = True) -> QImage:
    """Colour-ramped image of a float array: colours interpolated between ``(value, colour)`` stops
    (on a log scale with ``log``), clamped at both ends; NaN is transparent."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    xs = np.array([s for s, _ in stops], dtype=np.float64)
    if log:
        xs = np.log(xs)
        v = np.log(np.where(ok, np.maximum(v, stops[0][0]), stops[0][0]))
    h, w = v.shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    for i, channel in enumerate(("red", "green", "blue")):
        ys = np.array([getattr(c, channel)() for _, c in stops], dtype=np.float64)
        rgba[..., i] = np.interp(np.where(ok, v, xs[0]), xs, ys).astype(np.uint8)
    rgba[..., 3] = np.where(ok, alpha, 0)
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


_SPRITES: dict[tuple[Any, ...], QPixmap] = {}


def label_sprite(text: str, font: QFont, colour: QColor, *, halo: QColor | None = None, dpr: float = 1.0,
                 pad: int = 3) -> tuple[QPixmap, float]:
    """A cached pixmap of ``text`` with a white halo, and the baseline's offset from its top.

    Drawing a cached pixmap is about 20 times faster than stroking and
    filling the glyph outlines every frame. The pixmap's logical size includes
    ``pad`` pixels of halo on each side.
    """
    halo = QColor(255, 255, 255, 220) if halo is None else halo
    key = ("label", text, font.key(), colour.rgba(), halo.rgba(), round(dpr, 3), pad)
    hit = _SPRITES.get(key)
    fm = QFontMetricsF(font)
    if hit is None:
        if len(_SPRITES) > 4000:
            _SPRITES.clear()
        w = fm.horizontalAdvance(text) + 2 * pad
        h = fm.height() + 2 * pad
        img = QImage(max(int(math.ceil(w * dpr)), 1), max(int(math.ceil(h * dpr)), 1),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = text_path(text, font).translated(pad, pad + fm.ascent())
        pen = QPen(halo, 3.0)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.strokePath(path, pen)
        p.fillPath(path, colour)
        p.end()
        hit = QPixmap.fromImage(img)
        _SPRITES[key] = hit
    return hit, pad + fm.ascent()


def device_pixel_ratio(painter: QPainter) -> float:
    dev = painter.device()
    return float(dev.devicePixelRatioF()) if dev is not None else 1.0


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

    def boundingRect(self) -> QRectF:
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

    def boundingRect(self) -> QRectF:
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
        dpr = device_pixel_ratio(painter)
        inside = (dx >= 0) & (dx <= vp.width()) & (dy >= 0) & (dy <= vp.height())
        if scale < self.min_minor:
            inside &= self.major
        order = np.flatnonzero(inside)
        order = order[np.argsort(~self.major[order], kind="stable")]  # major labels first
        colours = (QColor("#2b2b2b"), QColor("#555555"))
        for i in order:
            is_major = bool(self.major[i])
            sprite, _base = label_sprite(self.texts[i], big if is_major else small, colours[0 if is_major else 1],
                                         dpr=dpr)
            w, h = sprite.width() / dpr, sprite.height() / dpr
            rect = QRectF(dx[i] - w / 2, dy[i] - h / 2, w, h)
            core = rect.adjusted(3, 3, -3, -3)
            if any(core.intersects(t) for t in taken):
                continue
            taken.append(rect.adjusted(0, 1, 0, -1))
            painter.drawPixmap(QPointF(round(rect.left()), round(rect.top())), sprite)
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
