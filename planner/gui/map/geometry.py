"""Shapely geometries to Qt paths, fast (numpy straight into QPolygonF memory).

Scene coordinates are project-CRS metres with y flipped (``scene = (x, -y)``)
so north is up on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath, QPolygonF


def polygon_from_xy(xy: np.ndarray, *, flip: bool = True) -> QPolygonF:
    """A QPolygonF holding ``xy`` (n×2 map coordinates), y flipped for the scene."""
    n = int(len(xy))
    poly = QPolygonF()
    if n == 0:
        return poly
    poly.resize(n)
    buf = np.frombuffer(shiboken6.VoidPtr(poly.data(), n * 16, True), np.float64).reshape(n, 2)
    buf[:, 0] = xy[:, 0]
    buf[:, 1] = -xy[:, 1] if flip else xy[:, 1]
    return poly


def _split(coords: np.ndarray, index: np.ndarray) -> list[np.ndarray]:
    if len(coords) == 0:
        return []
    cuts = np.flatnonzero(np.diff(index)) + 1
    return np.split(coords, cuts)


def polygons_path(geoms: Sequence[shapely.Geometry] | np.ndarray) -> QPainterPath:
    """One odd-even-filled path for all (multi)polygons in ``geoms`` (holes stay holes)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return path
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]
    if len(parts) == 0:
        return path
    all_rings = shapely.get_rings(parts)  # exterior and interior rings; odd-even fill makes holes
    coords, index = shapely.get_coordinates(all_rings, return_index=True)
    for xy in _split(coords, index):
        path.addPolygon(polygon_from_xy(xy))
        path.closeSubpath()
    return path


def lines_path(geoms: Sequence[shapely.Geometry] | np.ndarray) -> QPainterPath:
    """One path for all (multi)linestrings (open polylines)."""
    path = QPainterPath()
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return path
    parts = shapely.get_parts(geoms)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    for xy in _split(coords, index):
        path.addPolygon(polygon_from_xy(xy))
    return path


def geometry_path(geom: shapely.Geometry) -> QPainterPath:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return polygons_path([geom])
    return lines_path([geom])
