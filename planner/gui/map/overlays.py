"""Background layers: georeferenced raster overlays (GeoTIFF) and the optional OSM basemap.

The basemap is off by default (and in tests). It fetches OpenStreetMap tiles
with ``QNetworkAccessManager`` through a disk cache and falls back silently:
a tile that fails is simply not drawn; the map never depends on it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pyproj
from PySide6.QtCore import QPointF, QRectF, QUrl
from PySide6.QtGui import QImage, QPainter, QPolygonF, QTransform
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkDiskCache, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from planner import __version__
from planner.errors import InvalidInputError
from planner.gui.map.layers import ImageLayerItem, LayerMixin, rgba_image

MAX_OVERLAY_PX = 4096
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = "© OpenStreetMap contributors"


def load_raster_overlay(path: str | os.PathLike[str], project_crs: pyproj.CRS, *, key: str | None = None) -> ImageLayerItem:
    """Read a GeoTIFF (RGB(A) or single band), warp it to the project CRS, and make a map layer."""
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    path = Path(path)
    try:
        src = rasterio.open(path)
    except Exception as exc:  # rasterio raises its own error types for unreadable files
        raise InvalidInputError(f"`{path.name}` is not a readable raster: {exc}") from None
    with src:
        if src.crs is None:
            raise InvalidInputError(f"`{path.name}` has no CRS; georeference it before adding it as an overlay")
        with WarpedVRT(src, crs=project_crs.to_wkt(), resampling=Resampling.bilinear) as vrt:
            scale = max(vrt.width / MAX_OVERLAY_PX, vrt.height / MAX_OVERLAY_PX, 1.0)
            w, h = max(int(vrt.width / scale), 1), max(int(vrt.height / scale), 1)
            bands = min(vrt.count, 4)
            data = vrt.read(indexes=list(range(1, bands + 1)), out_shape=(bands, h, w),
                            resampling=Resampling.bilinear, masked=True)
            t = vrt.transform * vrt.transform.scale(vrt.width / w, vrt.height / h)
    rgba = np.zeros((h, w, 4), np.uint8)
    mask = np.ma.getmaskarray(data).any(axis=0)
    arr = np.ma.filled(data.astype(float), np.nan)
    if bands >= 3:
        for i in range(3):
            rgba[..., i] = _stretch(arr[i], data.dtype)
        rgba[..., 3] = 255 if bands == 3 else _stretch(arr[3], data.dtype)
    else:
        g = _stretch(arr[0], data.dtype)
        rgba[..., 0] = rgba[..., 1] = rgba[..., 2] = g
        rgba[..., 3] = 255
    rgba[mask, 3] = 0
    return ImageLayerItem(key or f"overlay:{path.name}", f"Overlay: {path.name}", rgba_image(rgba),
                          (t.a, t.b, t.c, t.d, t.e, t.f), opacity=0.8)


def _stretch(band: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.dtype(dtype) == np.uint8:
        as_bytes: np.ndarray = np.nan_to_num(band, nan=0).astype(np.uint8)
        return as_bytes
    finite = band[np.isfinite(band)]
    if not finite.size:
        return np.zeros(band.shape, np.uint8)
    lo, hi = np.percentile(finite, [2, 98])
    out = (band - lo) / max(hi - lo, 1e-9) * 255
    stretched: np.ndarray = np.clip(np.nan_to_num(out, nan=0), 0, 255).astype(np.uint8)
    return stretched


def _lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def _tile_to_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2**z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


class BasemapItem(LayerMixin, QGraphicsItem):
    """OpenStreetMap tiles warped (per tile, by its corners) into the project CRS."""

    MAX_TILES = 80

    def __init__(self, project_crs: pyproj.CRS, cache_dir: Path, *, enabled_network: bool = True) -> None:
        super().__init__()
        self.key, self.title = "basemap", "OpenStreetMap basemap"
        self.legend_entries = []
        self._to_ll = pyproj.Transformer.from_crs(project_crs, 4326, always_xy=True)
        self._from_ll = pyproj.Transformer.from_crs(4326, project_crs, always_xy=True)
        self._tiles: dict[tuple[int, int, int], QImage] = {}
        self._pending: set[tuple[int, int, int]] = set()
        self._failed: set[tuple[int, int, int]] = set()
        self.net = QNetworkAccessManager()
        if enabled_network:
            cache = QNetworkDiskCache(self.net)
            cache_dir.mkdir(parents=True, exist_ok=True)
            cache.setCacheDirectory(str(cache_dir))
            cache.setMaximumCacheSize(200 * 1024 * 1024)
            self.net.setCache(cache)
        self.net.finished.connect(self._on_reply)
        self.enabled_network = enabled_network

    def boundingRect(self) -> QRectF:
        return QRectF(-1e8, -1e8, 2e8, 2e8)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        exposed = option.exposedRect
        vp_w = max(painter.viewport().width(), 1)
        x0, x1 = exposed.left(), exposed.right()
        y0, y1 = -exposed.bottom(), -exposed.top()
        try:
            lons, lats = self._to_ll.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
        except Exception:  # outside the projection's domain: draw nothing
            return
        lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
        if not all(map(math.isfinite, (lon0, lon1, lat0, lat1))):
            return
        span = max(lon1 - lon0, 1e-9)
        z = int(max(0, min(19, math.floor(math.log2(360.0 * vp_w / 256.0 / span)))))
        tx0, ty0 = _lonlat_to_tile(lon0, lat1, z)
        tx1, ty1 = _lonlat_to_tile(lon1, lat0, z)
        keys = [(z, tx, ty) for tx in range(int(tx0), int(tx1) + 1) for ty in range(int(ty0), int(ty1) + 1)]
        if len(keys) > self.MAX_TILES:
            return
        for key in keys:
            img = self._tiles.get(key)
            if img is None:
                self._request(key)
                continue
            zz, tx, ty = key
            corners = [_tile_to_lonlat(tx, ty, zz), _tile_to_lonlat(tx + 1, ty, zz),
                       _tile_to_lonlat(tx + 1, ty + 1, zz), _tile_to_lonlat(tx, ty + 1, zz)]
            xs, ys = self._from_ll.transform([c[0] for c in corners], [c[1] for c in corners])
            dst = QPolygonF([QPointF(x, -y) for x, y in zip(xs, ys, strict=True)])
            src = QPolygonF([QPointF(0, 0), QPointF(256, 0), QPointF(256, 256), QPointF(0, 256)])
            t = QTransform()
            if QTransform.quadToQuad(src, dst, t):
                painter.save()
                painter.setTransform(t, True)
                painter.drawImage(QPointF(0, 0), img)
                painter.restore()

    def _request(self, key: tuple[int, int, int]) -> None:
        if not self.enabled_network or key in self._pending or key in self._failed:
            return
        z, x, y = key
        req = QNetworkRequest(QUrl(TILE_URL.format(z=z, x=x, y=y)))
        req.setHeader(QNetworkRequest.KnownHeaders.UserAgentHeader, f"planner/{__version__} (desktop GIS)")
        req.setAttribute(QNetworkRequest.Attribute.CacheLoadControlAttribute,
                         QNetworkRequest.CacheLoadControl.PreferCache)
        req.setAttribute(QNetworkRequest.Attribute.User, key)
        self._pending.add(key)
        self.net.get(req)

    def _on_reply(self, reply: QNetworkReply) -> None:
        key = reply.request().attribute(QNetworkRequest.Attribute.User)
        if key is not None:
            key = tuple(key)
        self._pending.discard(key)
        if reply.error() == QNetworkReply.NetworkError.NoError:
            img = QImage()
            if img.loadFromData(reply.readAll().data()):
                self._tiles[key] = img
                self.update()
        else:  # offline, refused, ...: silently fall back to no basemap tile
            self._failed.add(key)
        reply.deleteLater()
