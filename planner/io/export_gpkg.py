"""GeoPackage of every layer and result, for QGIS / ArcGIS, in the project CRS.

One vector layer per entry of ``layers`` (study area, districts, nodes, links,
camera assignments, field-of-view wedges, coverage per level and period,
reference layers) and one attribute table per entry of ``tables`` (bill of
materials, storage per centre, coverage per district, unit prices...).
Written into a private temporary folder beside the target, then renamed
over it: a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner.io.atomic import atomic_path

__all__ = ["write_gpkg"]

_NAME_RE = re.compile(r"[^A-Za-z0-9_]+")


def _layer_name(name: str) -> str:
    return _NAME_RE.sub("_", name).strip("_")[:60] or "layer"


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c == getattr(out, "_geometry_column_name", None):
            continue
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))
    return out


def write_gpkg(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame],
               tables: Mapping[str, pd.DataFrame] | None = None) -> Path:
    """Write ``layers`` (GeoDataFrames) and ``tables`` (DataFrames) to one GeoPackage at ``path``."""
    import pyogrio

    target = Path(path)
    # atomic_path: a regular-file target only, a recognisable temporary file, fsync, rename, one-line
    # disk-full error; GDAL creates the file itself, so the temporary path does not exist yet
    with atomic_path(target, suffix=".gpkg", create=False) as tmp:
        written = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for name, gdf in layers.items():
                if gdf is None or len(gdf) == 0:
                    continue
                pyogrio.write_dataframe(_prepare(gdf), tmp, layer=_layer_name(name), driver="GPKG")
                written += 1
            for name, df in (tables or {}).items():
                if df is None or len(df) == 0:
                    continue
                pyogrio.write_dataframe(_prepare(pd.DataFrame(df)), tmp, layer=_layer_name(name), driver="GPKG")
                written += 1
        if not written:
            raise ValueError("nothing to write")
    return target
