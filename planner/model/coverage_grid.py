"""Coverage as its level raster: the best detail level of each grid cell, by period, in tiles.

This is what a coverage result *is* once computed: per period (``day``,
``night``) a grid of small integers, 0 where the cell is not covered (or is not
public space inside the study area) and ``k`` where the best level seen is the
``k``-th of :attr:`LevelGrid.level_names` (coarsest first). Only tiles with a
covered cell are kept. The project file stores this grid (a few MB for a city)
instead of polygons; polygons are made from it when a map or an export needs
them (:meth:`LevelGrid.polygons`, made once and cached), each ``SUB`` x ``SUB``
block vectorised on its own exactly as the coverage engine does, so polygons
from a reopened project are those the engine drew.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

PERIODS = ("day", "night")
#: Polygons are vectorised per ``SUB`` x ``SUB`` block of a tile (the coverage engine patches blocks).
SUB = 256


def vectorise_block(arr: np.ndarray, x0: float, y0: float, res: float,
                    simplify_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of one block of level cells (0: none): ``(level of each polygon, polygons)``.

    ``(x0, y0)`` is the block's top-left corner. 4-connected parts of one level
    become one polygon each (GDAL's polygonize through ``rasterio.features.shapes``),
    simplified by ``simplify_m`` with their topology kept.
    """
    from affine import Affine
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.features import shapes

    arr = np.ascontiguousarray(arr)
    mask = arr > 0
    levels: list[int] = []
    coords: list[Any] = []
    ring_of_coord: list[int] = []
    poly_of_ring: list[int] = []
    if mask.any():
        tr = Affine(res, 0, x0, 0, -res, y0)
        n_ring = 0
        quiet_georeference_warning(NotGeoreferencedWarning)
        for geom, value in shapes(arr, mask=mask, transform=tr, connectivity=4):
            for ring in geom["coordinates"]:
                coords.extend(ring)
                ring_of_coord.extend([n_ring] * len(ring))
                poly_of_ring.append(len(levels))
                n_ring += 1
            levels.append(int(value))
    if not levels:
        return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
    rings = shapely.linearrings(np.asarray(coords, dtype=np.float64), indices=np.asarray(ring_of_coord))
    geoms = shapely.polygons(rings, indices=np.asarray(poly_of_ring))
    if simplify_m:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    return np.asarray(levels, dtype=np.int64), geoms


_QUIET: list[bool] = []


def quiet_georeference_warning(category: type[Warning]) -> None:
    """rasterio wraps the mask of ``shapes`` (and the output of ``rasterize``) in a dataset without a
    transform and warns about it; one targeted filter, installed once (``catch_warnings`` is not thread-safe)."""
    if not _QUIET:
        warnings.filterwarnings("ignore", message="Dataset has no geotransform", category=category)
        _QUIET.append(True)


def polygons_frame(parts: Iterable[tuple[str, tuple[int, int], np.ndarray, np.ndarray]],
                   level_names: tuple[str, ...], level_ppm: tuple[float, ...], crs: Any) -> Any:
    """A GeoDataFrame of polygon parts ``(period, (tile_row, tile_col), levels, geometries)``."""
    import geopandas as gpd

    names = np.array(level_names, dtype=object)
    ppms = np.array(level_ppm, dtype=float)
    lv_parts, g_parts, per_parts, tr_parts, tc_parts = [], [], [], [], []
    for period, (ti, tj), lv, g in parts:
        if not len(lv):
            continue
        lv_parts.append(lv)
        g_parts.append(g)
        per_parts.append(np.full(len(lv), period, dtype=object))
        tr_parts.append(np.full(len(lv), ti, dtype=np.int64))
        tc_parts.append(np.full(len(lv), tj, dtype=np.int64))

    def cat(p: list[np.ndarray], dt: Any) -> np.ndarray:
        return np.concatenate(p) if p else np.array([], dtype=dt)

    lvl = cat(lv_parts, np.int64)
    cols = {"level": names[lvl - 1] if len(lvl) else np.array([], dtype=object), "level_index": lvl,
            "period": cat(per_parts, object), "ppm": ppms[lvl - 1] if len(lvl) else np.array([], dtype=float),
            "tile_row": cat(tr_parts, np.int64), "tile_col": cat(tc_parts, np.int64)}
    return gpd.GeoDataFrame(cols, geometry=cat(g_parts, object), crs=crs)


@dataclass(frozen=True, eq=False)
class LevelGrid:
    """The level raster of a coverage result (see the module notes).

    ``tiles`` maps ``(period, tile_row, tile_col)`` to a ``tile_size`` x
    ``tile_size`` uint8 array (read-only); tile ``(i, j)`` has its top-left
    corner at ``(origin_x + j * tile_size * resolution_m, origin_y - i * tile_size
    * resolution_m)``.
    """

    origin_x: float
    origin_y: float
    resolution_m: float
    tile_size: int
    level_names: tuple[str, ...]
    level_ppm: tuple[float, ...]
    tiles: Mapping[tuple[str, int, int], np.ndarray]
    crs: Any = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for a in self.tiles.values():
            a.setflags(write=False)

    @property
    def cell_area_m2(self) -> float:
        return self.resolution_m ** 2

    def area_m2(self, period: str = "day") -> dict[str, float]:
        """Area seen at each level or better (m²), per level name."""
        counts = np.zeros(len(self.level_names) + 1, dtype=np.int64)
        for (p, _, _), a in self.tiles.items():
            if p == period:
                counts += np.bincount(a.ravel(), minlength=len(counts))[: len(counts)]
        cum = np.cumsum(counts[::-1])[::-1][1:]
        return {nm: float(cum[i] * self.cell_area_m2) for i, nm in enumerate(self.level_names)}

    def _block(self, key: tuple[str, int, int], block: tuple[int, int], simplify_m: float,
               ) -> tuple[np.ndarray, np.ndarray]:
        ck = (key, block, simplify_m)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        _, ti, tj = key
        br, bc = block
        res = self.resolution_m
        x0 = self.origin_x + (tj * self.tile_size + bc) * res
        y0 = self.origin_y - (ti * self.tile_size + br) * res
        out = vectorise_block(self.tiles[key][br:br + SUB, bc:bc + SUB], x0, y0, res, simplify_m)
        self._cache[ck] = out
        return out

    def _tile_polygons(self, key: tuple[str, int, int], simplify_m: float) -> tuple[np.ndarray, np.ndarray]:
        import rasterio

        blocks = [(r, c) for r in range(0, self.tile_size, SUB) for c in range(0, self.tile_size, SUB)]
        with rasterio.Env():
            parts = [self._block(key, b, simplify_m) for b in blocks]
        lv = [p[0] for p in parts if len(p[0])]
        if not lv:
            return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
        return np.concatenate(lv), np.concatenate([p[1] for p in parts if len(p[0])])

    def polygons(self, *, periods: Iterable[str] = PERIODS, simplify_m: float | None = None) -> Any:
        """Polygons coloured by the best level (a GeoDataFrame in :attr:`crs`; columns as
        :meth:`planner.analysis.coverage.CoverageResult.polygons`), made once per period and simplification."""
        simplify_m = float(self.resolution_m / 2 if simplify_m is None else simplify_m)
        periods = tuple(periods)
        with self._lock:
            hit = self._cache.get(("frame", periods, simplify_m))
            if hit is not None:
                return hit
            keys = sorted((k for k in self.tiles if k[0] in periods),
                          key=lambda k: (periods.index(k[0]), k[1], k[2]))
            if len(keys) > 8:  # GEOS and GDAL release the GIL in parts: two cores vectorise two tiles at once
                import os
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
                    done = list(pool.map(lambda k: self._tile_polygons(k, simplify_m), keys))
            else:
                done = [self._tile_polygons(k, simplify_m) for k in keys]
            frame = polygons_frame(((k[0], (k[1], k[2]), lv, g) for k, (lv, g) in zip(keys, done, strict=True)),
                                   self.level_names, self.level_ppm, self.crs)
            self._cache[("frame", periods, simplify_m)] = frame
            return frame

    def sample(self, xy: np.ndarray, *, period: str = "day") -> np.ndarray:
        """Level index (0: not covered) of the cells under points ``xy`` (n x 2)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        res, n = self.resolution_m, self.tile_size
        rows = np.floor((self.origin_y - xy[:, 1]) / res).astype(np.int64)
        cols = np.floor((xy[:, 0] - self.origin_x) / res).astype(np.int64)
        out = np.zeros(len(xy), dtype=np.int64)
        for i, (r, c) in enumerate(zip(rows, cols, strict=True)):
            a = self.tiles.get((period, int(r // n), int(c // n)))
            if a is not None:
                out[i] = a[r % n, c % n]
        return out

    def equals(self, other: LevelGrid) -> bool:
        return (isinstance(other, LevelGrid)
                and (self.origin_x, self.origin_y, self.resolution_m, self.tile_size, self.level_names,
                     self.level_ppm) == (other.origin_x, other.origin_y, other.resolution_m, other.tile_size,
                                         other.level_names, other.level_ppm)
                and self.tiles.keys() == other.tiles.keys()
                and all(np.array_equal(a, other.tiles[k]) for k, a in self.tiles.items()))


__all__ = ["LevelGrid", "PERIODS", "SUB", "polygons_frame", "quiet_georeference_warning", "vectorise_block"]
