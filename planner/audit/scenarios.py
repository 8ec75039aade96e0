"""Capability scenarios (low / median / high) and the camera views a register implies under each.

Registers rarely say which lens or resolution a camera has, nor always where
it looks. Each scenario of ``resources/audit_scenarios.json`` fixes a camera
type of the library, a lens setting, a mount height, a tilt and an IR range,
each with its source; the coverage engine (:mod:`planner.analysis.coverage`)
then computes what the register sees under each, and the three results are an
envelope.

Where a camera looks (:func:`views_for`):

* **known direction(s)** (a bearing, a compass point, a monitored approach):
  one view per direction; a range such as ``90-270`` wider than the lens is
  filled with views side by side;
* **dome or panning camera, direction unknown**: 360° (the camera can be
  turned any way; the disc of its range);
* **fixed or unknown camera on a street** (within ``street_snap_m`` of a
  street line), direction unknown: two views along the street axis, both ways;
* **otherwise**: a disc of the lens's range, labelled as an **upper bound**.

Each view is tagged with the rule that made it, so the report can count them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from planner.audit.register import RegisterCamera
from planner.errors import InvalidInputError
from planner.model.nodes import Camera
from planner.model.project import Project
from planner.resources import load_json_resource

SCENARIO_NAMES = ("low", "median", "high")
RULE_KNOWN = "direction from the register"
RULE_DOME = "360° (dome or panning camera, direction unknown)"
RULE_STREET = "along the street axis, both ways (fixed camera on a street, direction unknown)"
RULE_DISC = "disc of the lens range (direction unknown): an upper bound"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    camera_type: str
    focal_mm: float | None
    mount_height_m: float
    tilt_deg: float
    ir_range_m: float
    source: dict[str, str]


def load_scenarios() -> tuple[dict[str, Scenario], dict[str, Any]]:
    """The scenarios and the shared assumptions of ``resources/audit_scenarios.json``."""
    doc = load_json_resource("audit_scenarios.json")
    out = {}
    for name in SCENARIO_NAMES:
        s = doc["scenarios"][name]
        out[name] = Scenario(name=name, label=s["label"], camera_type=s["camera_type"], focal_mm=s.get("focal_mm"),
                             mount_height_m=float(s["mount_height_m"]), tilt_deg=float(s["tilt_deg"]),
                             ir_range_m=float(s["ir_range_m"]), source=dict(s["source"]))
    return out, dict(doc["assumptions"])


def scenario_type_entries(s: Scenario) -> list[dict[str, Any]]:
    """Two camera-type entries for a scenario: the fixed lens and its 360° variant (same optics)."""
    lib = load_json_resource("camera_types.json")
    base = next((t for t in lib["types"] if t["id"] == s.camera_type), None)
    if base is None:
        raise InvalidInputError(f"audit scenario {s.name!r}: unknown camera type {s.camera_type!r}")
    fixed = copy.deepcopy(base)
    fixed["id"] = f"audit-{s.name}"
    fixed["name"] = f"Audit scenario {s.name}"
    fixed["ir_range_m"] = s.ir_range_m
    if s.focal_mm is not None:
        fixed.pop("focal_min_mm", None)
        fixed.pop("focal_max_mm", None)
        fixed["focal_mm"] = s.focal_mm
        fixed["source"] = {k: v for k, v in fixed.get("source", {}).items() if k not in ("focal_min_mm", "focal_max_mm")}
        fixed["source"]["focal_mm"] = s.source.get("focal_mm", "audit scenario")
    fixed["source"] = dict(fixed.get("source", {}), ir_range_m=s.source.get("ir_range_m", "audit scenario"))
    disc = copy.deepcopy(fixed)
    disc["id"] = f"audit-{s.name}-360"
    disc["name"] = f"Audit scenario {s.name}, 360°"
    disc["pan_360"] = True
    disc["source"]["pan_360"] = "audit assumption: direction unknown"
    return [fixed, disc]


def _street_axis(x: float, y: float, lines: Any, tree: Any, snap_m: float) -> float | None:
    """Bearing (degrees from north, 0-180) of the street nearest ``(x, y)`` within ``snap_m``, or None."""
    if tree is None:
        return None
    p = shapely.Point(x, y)
    idx = tree.query(p.buffer(snap_m))
    if not len(idx):
        return None
    cand = lines[idx]
    d = shapely.distance(cand, p)
    k = int(np.argmin(d))
    if d[k] > snap_m:
        return None
    line = cand[k]
    s = line.project(p)
    a = line.interpolate(max(s - 5.0, 0.0))
    b = line.interpolate(min(s + 5.0, line.length))
    dx, dy = b.x - a.x, b.y - a.y
    if dx == 0 and dy == 0:
        return None
    return math.degrees(math.atan2(dx, dy)) % 180.0


def views_for(cams: Sequence[RegisterCamera], xy: np.ndarray, scenario: Scenario, *, streets: Any = None,
              street_snap_m: float = 15.0, hfov_deg: float = 70.0) -> tuple[list[Camera], dict[str, str], dict[str, int]]:
    """Camera views (nodes) for register cameras under ``scenario``.

    Returns ``(nodes, view id -> register camera id, rule -> count of register cameras)``.
    ``xy`` are the cameras' positions in the project CRS.
    """
    lines = shapely.get_parts(np.asarray(streets, dtype=object)) if streets is not None and len(streets) else None
    tree = shapely.STRtree(lines) if lines is not None and len(lines) else None
    fixed_t, disc_t = f"audit-{scenario.name}", f"audit-{scenario.name}-360"
    nodes: list[Camera] = []
    owner: dict[str, str] = {}
    rules = {RULE_KNOWN: 0, RULE_DOME: 0, RULE_STREET: 0, RULE_DISC: 0}
    k = 0
    for i, c in enumerate(cams):
        x, y = float(xy[i, 0]), float(xy[i, 1])
        h = c.height_m if c.height_m is not None else scenario.mount_height_m
        tilt = c.tilt_deg if c.tilt_deg is not None else scenario.tilt_deg
        looks: list[tuple[float, str]] = []
        if c.directions_deg:
            rule = RULE_KNOWN
            for d in c.directions_deg:
                if c.width_deg is not None and c.width_deg > hfov_deg and len(c.directions_deg) == 1:
                    n = int(math.ceil(c.width_deg / hfov_deg))
                    start = d - c.width_deg / 2 + c.width_deg / (2 * n)
                    looks += [((start + j * c.width_deg / n) % 360.0, fixed_t) for j in range(n)]
                else:
                    looks.append((d, fixed_t))
        elif c.mount_kind in ("dome", "panning"):
            rule = RULE_DOME
            looks.append((0.0, disc_t))
        else:
            axis = _street_axis(x, y, lines, tree, street_snap_m)
            if axis is not None:
                rule = RULE_STREET
                looks += [(axis, fixed_t), ((axis + 180.0) % 360.0, fixed_t)]
            else:
                rule = RULE_DISC
                looks.append((0.0, disc_t))
        rules[rule] += 1
        for az, t in looks:
            k += 1
            vid = f"cam-{k:05d}"
            nodes.append(Camera(id=vid, name=c.name[:80], x=x, y=y, height_m=float(h), azimuth_deg=float(az),
                                tilt_deg=float(tilt), camera_type=t))
            owner[vid] = c.id
    return nodes, owner, rules


def scenario_project(base: Project, nodes: Sequence[Camera], scenario: Scenario, *, masks: bool = True) -> Project:
    """A throw-away project: ``base``'s area, districts, layers and DEM with ``nodes`` as its cameras."""
    p = Project(name=f"{base.name} ({scenario.name})", crs=base.crs, study_area=base.study_area,
                districts=base.districts, parameters=base.parameters)
    for name, gdf in base.layers.items():
        if name == "privacy_masks" and not masks:
            continue
        p.layers[name] = gdf
    p.dem = base.dem
    p.metadata = {"camera_types": scenario_type_entries(scenario)}
    p.add_nodes(nodes)
    return p


__all__ = ["RULE_DISC", "RULE_DOME", "RULE_KNOWN", "RULE_STREET", "SCENARIO_NAMES", "Scenario", "load_scenarios",
           "scenario_project", "scenario_type_entries", "views_for"]
