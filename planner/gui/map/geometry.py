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
    # the stubs type QPolygonF.data() as QPointF and VoidPtr as VoidPtr(int); at runtime data() is the raw
    # point buffer and VoidPtr(address, size, writable) wraps it
    buf = np.frombuffer(shiboken6.VoidPtr(poly.data(), n * 16, True),  # type: ignore[arg-type, call-arg]
                        np.float64).reshape(n, 2)  # type: ignore[call-overload]
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


def spatial_pieces(geoms: Sequence[shapely.Geometry] | np.ndarray, *, outline: bool = False,
                   lines: bool = False, grid: int = 16, max_vertices: int = 256,
                   ) -> tuple[np.ndarray, list[QPainterPath]]:
    """Cut geometries into spatial groups for culling: scene bounding boxes ``(k, 4)`` (x0, y0, x1, y1,
    y flipped) and one path per group.

    Parts are binned on a ``grid`` x ``grid`` grid over their extent by the
    centre of their bounding box. With ``outline`` (polygons drawn with a pen
    only) or ``lines``, the boundaries are cut into runs of at most
    ``max_vertices`` vertices first, so a long coastline is culled piece by
    piece; otherwise polygons stay whole (holes with their shell).
    """
    geoms = np.asarray(geoms, dtype=object)
    empty: tuple[np.ndarray, list[QPainterPath]] = (np.empty((0, 4)), [])
    if len(geoms) == 0:
        return empty
    parts = shapely.get_parts(geoms)
    if outline or lines:
        if outline:
            parts = shapely.get_parts(shapely.get_rings(parts[shapely.get_type_id(parts) == 3]))
        coords, index = shapely.get_coordinates(parts, return_index=True)
        if len(coords) == 0:
            return empty
        # runs of at most max_vertices vertices, consecutive runs of a part sharing one vertex
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        ends = np.r_[starts[1:], len(coords)]
        step = max_vertices - 1
        n_runs = np.maximum(np.ceil((ends - starts - 1) / step).astype(int), 1)
        first = np.repeat(starts, n_runs)
        k = np.arange(n_runs.sum()) - np.repeat(np.cumsum(n_runs) - n_runs, n_runs)
        run_start = first + k * step
        run_end = np.minimum(run_start + max_vertices, np.repeat(ends, n_runs))
        last = run_end - 1
        boxes = np.column_stack([
            np.minimum(np.minimum.reduceat(coords[:, 0], run_start), coords[last, 0]),
            np.minimum(np.minimum.reduceat(coords[:, 1], run_start), coords[last, 1]),
            np.maximum(np.maximum.reduceat(coords[:, 0], run_start), coords[last, 0]),
            np.maximum(np.maximum.reduceat(coords[:, 1], run_start), coords[last, 1]),
        ])
        items: list[object] = [coords[a:b] for a, b in zip(run_start.tolist(), run_end.tolist(), strict=True)]
    else:
        parts = parts[shapely.get_type_id(parts) == 3]
        if len(parts) == 0:
            return empty
        boxes = shapely.bounds(parts)
        items = list(parts)
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    span = max(boxes[:, 2].max() - x0, boxes[:, 3].max() - y0, 1e-9)
    cell = span / grid
    cx = np.minimum(((boxes[:, 0] + boxes[:, 2]) / 2 - x0) // cell, grid - 1).astype(int)
    cy = np.minimum(((boxes[:, 1] + boxes[:, 3]) / 2 - y0) // cell, grid - 1).astype(int)
    key = cy * grid + cx
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    out_boxes, paths = [], []
    for group in np.split(order, cuts):
        b = boxes[group]
        out_boxes.append((b[:, 0].min(), -b[:, 3].max(), b[:, 2].max(), -b[:, 1].min()))
        if outline or lines:
            path = QPainterPath()
            for i in group:
                path.addPolygon(polygon_from_xy(items[i]))
        else:
            path = polygons_path([items[i] for i in group])
        paths.append(path)
    return np.asarray(out_boxes, dtype=float), paths
