"""GeoJSON (RFC 7946) of the project's nodes, cameras tagged the OpenStreetMap way.

Coordinates are WGS 84 longitude/latitude (no ``crs`` member, 7 decimals,
about 1 cm). Cameras carry the OSM surveillance tags (docs/reference.md
§R12.1): ``man_made=surveillance``, ``surveillance=public``,
``surveillance:type=camera``, ``surveillance:zone=town``, ``camera:type``
(``fixed`` for bullets and fixed fisheyes, ``dome`` for domes, PTZ and 360°
fisheyes), ``camera:direction`` (degrees clockwise from north, the planned
or preset direction), ``camera:angle`` (tilt below the horizontal),
``camera:mount`` (``pole``: the planner places cameras on poles) and
``height`` (metres). Everything else the planner knows is under
``planner:*`` keys so the OSM keys stay clean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from planner.io.atomic import atomic_write_text
from planner.io.jsonable import jsonable

__all__ = ["NODE_LAYERS", "camera_osm_tags", "nodes_feature_collection", "write_nodes_geojson"]

NODE_LAYERS = ("cameras", "radio_sites", "storage_centres", "command_centres")
_OSM_CAMERA_TYPE = {"bullet": "fixed", "dome": "dome", "ptz": "dome", "fisheye": "fixed"}


def _fmt_num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def camera_osm_tags(row: Mapping[str, Any]) -> dict[str, str]:
    """OSM tags of one camera row (``camera_kind``, ``pan_360``, ``azimuth_deg``, ``tilt_deg``, ``height_m``, ``name``)."""
    kind = str(row.get("camera_kind") or "")
    ctype = "dome" if row.get("pan_360") else _OSM_CAMERA_TYPE.get(kind, "fixed")
    tags = {
        "man_made": "surveillance",
        "surveillance": "public",
        "surveillance:type": "camera",
        "surveillance:zone": "town",
        "camera:type": ctype,
        "camera:mount": "pole",
        "camera:direction": str(int(round(float(row.get("azimuth_deg", 0.0)))) % 360),
        "camera:angle": _fmt_num(float(row.get("tilt_deg", 15.0))),
        "height": _fmt_num(float(row.get("height_m", 6.0))),
    }
    name = row.get("name")
    if name:
        tags["name"] = str(name)
    if row.get("id"):
        tags["ref"] = str(row["id"])
    return tags


def nodes_feature_collection(layers: Mapping[str, gpd.GeoDataFrame], *, name: str = "") -> dict[str, Any]:
    """A FeatureCollection dict of every node layer present in ``layers`` (any CRS; output WGS 84)."""
    features: list[dict[str, Any]] = []
    for lname in NODE_LAYERS:
        gdf = layers.get(lname)
        if gdf is None or len(gdf) == 0:
            continue
        wgs = gdf.to_crs(4326)
        cols = [c for c in wgs.columns if c != wgs.geometry.name]
        xs, ys = wgs.geometry.x.to_numpy(), wgs.geometry.y.to_numpy()
        recs = wgs[cols].to_dict("records")
        for i, rec in enumerate(recs):
            props: dict[str, Any] = {}
            if lname == "cameras":
                props.update(camera_osm_tags(rec))
            elif rec.get("name"):
                props["name"] = str(rec["name"])
            props["planner:layer"] = lname
            for k, v in rec.items():
                if k in ("pan_360",):
                    continue
                props[f"planner:{k}"] = jsonable(v)
            features.append({
                "type": "Feature",
                "id": str(rec.get("id", f"{lname}-{i}")),
                "geometry": {"type": "Point", "coordinates": [round(float(xs[i]), 7), round(float(ys[i]), 7)]},
                "properties": props,
            })
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if name:
        fc["name"] = name
    return fc


def write_nodes_geojson(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *,
                        name: str = "") -> Path:
    """Write the nodes as RFC 7946 GeoJSON to ``path`` (atomically)."""
    fc = nodes_feature_collection(layers, name=name)
    return atomic_write_text(path, json.dumps(fc, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
