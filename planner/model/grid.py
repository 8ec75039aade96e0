"""Raster grids and layers in a projected CRS: the data types the analyses and the raster I/O share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.errors import CRSError, OutOfRangeError

if TYPE_CHECKING:
    from affine import Affine
    from numpy.typing import NDArray
    from rasterio.crs import CRS


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid: transform, size and CRS."""

    transform: Affine
    width: int
    height: int
    crs: CRS

    @classmethod
    def from_bounds(
        cls,
        bounds: tuple[float, float, float, float],
        *,
        resolution_m: float,
        crs: Any,
    ) -> Grid:
        """Grid covering ``(left, bottom, right, top)`` with square cells.

        The bounds are snapped outwards to multiples of ``resolution_m`` so
        grids built for the same CRS and resolution align.

        Raises
        ------
        OutOfRangeError
            ``resolution_m`` not > 0, or empty bounds.
        """
        from affine import Affine
        from rasterio.crs import CRS as RioCRS

        res = float(resolution_m)
        if not (math.isfinite(res) and res > 0):
            raise OutOfRangeError(f"`resolution_m` must be > 0; got {resolution_m}")
        left, bottom, right, top = (float(b) for b in bounds)
        if not all(math.isfinite(b) for b in (left, bottom, right, top)) or right <= left or top <= bottom:
            raise OutOfRangeError(f"`bounds` must be (left, bottom, right, top) with area; got {bounds}")
        left = math.floor(left / res) * res
        bottom = math.floor(bottom / res) * res
        right = math.ceil(right / res) * res
        top = math.ceil(top / res) * res
        width = round((right - left) / res)
        height = round((top - bottom) / res)
        return cls(Affine(res, 0.0, left, 0.0, -res, top), width, height, RioCRS.from_user_input(crs))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return (self.height, self.width)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` in CRS units."""
        t = self.transform
        return (t.c, t.f + t.e * self.height, t.c + t.a * self.width, t.f)

    @property
    def resolution(self) -> tuple[float, float]:
        """Cell size ``(x, y)`` in CRS units (positive)."""
        return (abs(self.transform.a), abs(self.transform.e))


@dataclass(frozen=True, eq=False)
class RasterLayer:
    """A single-band raster in memory.

    Attributes
    ----------
    array
        2-D array, row 0 at the top. Elevation layers are float32 with NaN
        for unknown cells (``nodata`` NaN).
    transform
        Affine pixel-to-CRS transform.
    crs
        Raster CRS.
    nodata
        Value marking unknown cells (NaN for elevation layers).
    approximate
        True when the content is an approximation (e.g. blocks from streets).
    note
        Provenance, one line.
    """

    array: NDArray[Any]
    transform: Affine
    crs: CRS | None
    nodata: float | None = math.nan
    approximate: bool = False
    note: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return (int(self.array.shape[0]), int(self.array.shape[1]))

    @property
    def grid(self) -> Grid:
        """The layer's :class:`Grid`."""
        return Grid(self.transform, self.shape[1], self.shape[0], self.crs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` in CRS units."""
        return self.grid.bounds

    @property
    def resolution(self) -> tuple[float, float]:
        """Cell size ``(x, y)`` in CRS units (positive)."""
        return (abs(self.transform.a), abs(self.transform.e))

    def value_at(self, x: float, y: float) -> float:
        """Cell value at ``(x, y)`` (nearest cell; NaN outside the raster)."""
        col, row = ~self.transform @ (x, y)
        r, c = int(math.floor(row)), int(math.floor(col))
        if 0 <= r < self.shape[0] and 0 <= c < self.shape[1]:
            return float(self.array[r, c])
        return math.nan


def as_crs(value: Any, *, name: str) -> CRS:
    from rasterio.crs import CRS as RioCRS
    from rasterio.errors import CRSError as RioCRSError

    try:
        return RioCRS.from_user_input(value)
    except (RioCRSError, ValueError, TypeError):
        raise CRSError(f"`{name}` is not a CRS GDAL understands; got {value!r}") from None
