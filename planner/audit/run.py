"""One audit: a register, a study area, three capability scenarios, availability, sites, masks, claims.

:func:`run_audit` is what ``planner audit`` and the app call. The study area
is, in order: the project's (``project``: its districts, streets, buildings,
privacy masks, priority sites and DEM are used), a boundary file
(``boundary``: several polygons become the districts unless ``districts`` is
given), or the register's extent (the convex hull of the cameras buffered by
``hull_buffer_m``, and the report says so). Cameras outside the study area
are rejected with that reason.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from planner.analysis.coverage import CoverageParams, CoverageResult, run_coverage
from planner.analysis.progress import ProgressFn, no_progress, sub_progress
from planner.audit import scenarios as scn
from planner.audit.availability import AvailabilityParams, availability
from planner.audit.register import Register, Rejected, read_registers
from planner.errors import InvalidInputError
from planner.model.project import Project, utm_crs_for


@dataclass(frozen=True)
class AuditParams:
    resolution_m: float = 2.0
    target_height_m: float = 1.6
    out_of_service: AvailabilityParams | None = None
    availability_scenario: str = "median"
    workers: int | None = None


@dataclass(frozen=True)
class AuditResult:
    """The audit document and what the exports need (coverage results per scenario, the study project)."""

    doc: dict[str, Any]
    project: Project
    results: dict[str, CoverageResult] = field(default_factory=dict)
    register: Register | None = None
    owners: dict[str, dict[str, str]] = field(default_factory=dict)  # scenario -> view id -> register camera id


def _register_title(register: Register) -> str:
    names = [os.path.splitext(os.path.basename(p.strip()))[0] for p in register.path.split(", ")]
    return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more register(s)"


def _study_area(register: Register, *, project: Project | None, boundary: str | None, districts: str | None,
                name_field: str | None, buffer_m: float) -> tuple[Project, str, list[str]]:
    from planner import workflows
    from planner.io import vector

    notes: list[str] = []
    if project is not None:
        base = project
        source = "project"
        if districts:
            gdf = vector.to_project_crs(vector.read_vector(districts, family="polygon"), base.crs, path=districts)
            base = base.snapshot()
            base.districts = workflows.districts_from(gdf, path=districts, name_field=name_field)
        return base, source, notes
    if boundary:
        b = workflows.read_boundary(boundary)
        area_ll = shapely.make_valid(shapely.union_all(b.to_crs(4326).geometry.values))
        crs = utm_crs_for(area_ll)
        bp = vector.to_project_crs(b, crs, path=boundary)
        area = shapely.union_all(bp.geometry.values)
        area = shapely.make_valid(area)
        if area.geom_type == "GeometryCollection":
            area = shapely.union_all([g for g in area.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        base = Project(name=_register_title(register), crs=crs, study_area=area)
        if districts:
            dg = vector.to_project_crs(vector.read_vector(districts, family="polygon"), crs, path=districts)
            base.districts = workflows.districts_from(dg, path=districts, name_field=name_field)
        elif len(bp) > 1:
            base.districts = workflows.districts_from(bp, path=boundary, name_field=name_field)
            notes.append(f"the {len(bp)} polygons of {os.path.basename(boundary)} are the districts")
        return base, f"boundary {os.path.basename(boundary)}", notes
    ll = np.array([[c.lon, c.lat] for c in register.cameras])
    if not len(ll):
        raise InvalidInputError(f"`{register.path}`: no usable camera in the register")
    pts = shapely.multipoints(ll)
    crs = utm_crs_for(pts)
    t = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = t.transform(ll[:, 0], ll[:, 1])
    area = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y]))).buffer(buffer_m)
    notes.append(f"no boundary given: the study area is the convex hull of the cameras buffered by {buffer_m:g} m")
    base = Project(name=_register_title(register), crs=crs, study_area=area)
    return base, f"register extent (convex hull + {buffer_m:g} m)", notes


def _sites(base: Project, sites: str | None, register_path: str) -> gpd.GeoDataFrame | None:
    """Sensitive sites: the project's priority sites, a file, and the register's OSM amenities."""
    from planner.io import osm, vector

    frames = []
    ps = base.layers.get("priority_sites")
    if ps is not None and len(ps):
        g = ps.copy()
        if "kind" not in g.columns:
            g["kind"] = "priority site"
        if "name" not in g.columns:
            g["name"] = [f"site {i + 1}" for i in range(len(g))]
        frames.append(g[["name", "kind", "geometry"]])
    for path in [p for p in (sites, register_path if osm.is_osm_file(register_path) else None) if p]:
        if osm.is_osm_file(path):
            try:
                g, _ = osm.osm_layer(path, "priority_sites")
            except InvalidInputError:
                if path == sites:
                    raise
                continue
        else:
            g = vector.read_points(path)
            name = vector.find_column(list(g.columns), ("name", "nom", "nombre", "label"))
            kind = vector.find_column(list(g.columns), ("kind", "type", "amenity", "category"))
            g = gpd.GeoDataFrame({"name": g[name].astype(str) if name else [f"site {i + 1}" for i in range(len(g))],
                                  "kind": g[kind].astype(str) if kind else "site"}, geometry=g.geometry, crs=g.crs)
        g = vector.to_project_crs(g, base.crs, path=path)
        frames.append(g[["name", "kind", "geometry"]])
    if not frames:
        return None
    import pandas as pd

    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=base.crs)
    out = out[shapely.intersects(out.geometry.values, base.study_area)]
    key = [(str(n), round(g.x), round(g.y)) for n, g in zip(out["name"], out.geometry.values, strict=True)]
    out = out[~pd.Series(key, index=out.index).duplicated().to_numpy()]  # the same site from two sources, once
    return out.reset_index(drop=True) if len(out) else None


def _site_figures(results: dict[str, CoverageResult], sites: gpd.GeoDataFrame, owners: dict[str, dict[str, str]],
                  radius_m: float) -> list[dict[str, Any]]:
    out = []
    xy = np.column_stack([shapely.get_x(sites.geometry.values), shapely.get_y(sites.geometry.values)])
    for i in range(len(sites)):
        row: dict[str, Any] = {"name": str(sites["name"].iloc[i]), "kind": str(sites["kind"].iloc[i]),
                               "best_level_day": {}, "best_level_night": {}, "cameras": {}}
        for name, r in results.items():
            names = [lv.name for lv in r.levels]
            d = int(r.sample(xy[i:i + 1], period="day", best_within_m=radius_m)[0])
            nt = int(r.sample(xy[i:i + 1], period="night", best_within_m=radius_m)[0])
            row["best_level_day"][name] = names[d - 1] if d else None
            row["best_level_night"][name] = names[nt - 1] if nt else None
            res = r.params.resolution_m
            sr = int(math.floor((r.surface.origin_y - xy[i, 1]) / res))
            sc = int(math.floor((xy[i, 0] - r.surface.origin_x) / res))
            k = int(math.ceil(radius_m / res))
            seen = set()
            for fid, fp in r.footprints.items():
                h, w = fp.shape
                a0, a1 = max(sr - k, fp.row), min(sr + k + 1, fp.row + h)
                b0, b1 = max(sc - k, fp.col), min(sc + k + 1, fp.col + w)
                if a0 >= a1 or b0 >= b1:
                    continue
                if (fp.day[a0 - fp.row:a1 - fp.row, b0 - fp.col:b1 - fp.col] > 0).any():
                    seen.add(owners[name].get(fid, fid))
            row["cameras"][name] = len(seen)
        out.append(row)
    return out


def _mask_figures(base: Project, nodes: list[Any], scenario: scn.Scenario, cparams: CoverageParams,
                  executor: Any) -> list[dict[str, Any]]:
    """Area each privacy mask removes (median scenario): coverage without masks, inside each mask."""
    masks = base.layers.get("privacy_masks")
    if masks is None or not len(masks):
        return []
    r = run_coverage(scn.scenario_project(base, nodes, scenario, masks=False), cparams, executor=executor)
    res = cparams.resolution_m
    out: list[dict[str, Any]] = []
    for i, g in enumerate(masks.geometry.values):
        g = g.intersection(base.study_area)
        if g.is_empty:
            out.append({"name": str(masks["name"].iloc[i]) if "name" in masks.columns else f"mask {i + 1}",
                        "removed_km2": {lv.name: 0.0 for lv in r.levels}})
            continue
        x0, y0, x1, y1 = g.bounds
        xs = np.arange(x0 + res / 2, x1, res)
        ys = np.arange(y0 + res / 2, y1, res)
        gx, gy = np.meshgrid(xs, ys)
        pts = shapely.points(gx.ravel(), gy.ravel())
        inside = shapely.contains(g, pts)
        lv = r.sample(np.column_stack([gx.ravel()[inside], gy.ravel()[inside]]), period="day")
        out.append({"name": str(masks["name"].iloc[i]) if "name" in masks.columns else f"mask {i + 1}",
                    "area_km2": float(g.area) / 1e6,
                    "removed_km2": {level.name: float(np.count_nonzero(lv >= j + 1)) * res * res / 1e6
                                    for j, level in enumerate(r.levels)}})
    return out


def _legal(base: Project, project_given: bool) -> dict[str, Any] | None:
    """The legal retention check of the project's storage (capacity, cameras, default bitrate)."""
    from planner.analysis import storage
    from planner.model.nodes import StorageCentre

    if not project_given:
        return None
    centres = [n for n in base.nodes() if isinstance(n, StorageCentre)]
    cams = base.cameras()
    j = base.parameters.jurisdiction
    if not centres or not cams or not j:
        return {"status": "not checked", "message": "the project has no storage centre, camera or jurisdiction"}
    cap = sum(c.capacity_tb for c in centres if str(c.role) != "central") or sum(c.capacity_tb for c in centres)
    uf = storage.usable_fraction(storage.StorageLayout()).value
    days = storage.retention_days(cap, bitrate_mbps=base.parameters.default_bitrate_mbps, cameras=len(cams),
                                  usable_fraction=uf)
    try:
        lc = storage.legal_retention_check(days, jurisdiction=j)
    except InvalidInputError as exc:
        return {"status": "unknown", "message": str(exc)}
    return {"jurisdiction": lc.jurisdiction, "retention_days": days, "status": str(lc.status),
            "flagged": lc.flagged, "message": lc.message, "rule": lc.rule, "source": lc.source,
            "inputs": {"capacity_tb": cap, "cameras": len(cams), "bitrate_mbps": base.parameters.default_bitrate_mbps,
                       "usable_fraction": uf}}


def run_audit(register_path: str | list[str], *, project: Project | None = None, boundary: str | None = None,
              districts: str | None = None, name_field: str | None = None, crs: Any = None,
              sites: str | None = None, claims: list[dict[str, Any]] | None = None,
              params: AuditParams | None = None, progress: ProgressFn = no_progress) -> AuditResult:
    """Audit a register (see the module docs); the document has the keys of ``planner audit --json``."""
    from planner.analysis.executor import default_executor
    from planner.analysis.optics import DORI_LEVELS

    params = params or AuditParams()
    if project is not None and boundary:
        raise InvalidInputError("`--boundary` and `--project` exclude each other; give one")
    progress(0.0, "reading the register")
    paths = [register_path] if isinstance(register_path, (str, os.PathLike)) else list(register_path)
    reg = read_registers(paths, crs=crs)
    register_path = str(paths[0])
    scenarios, shared = scn.load_scenarios()
    base, source, notes = _study_area(reg, project=project, boundary=boundary, districts=districts,
                                      name_field=name_field, buffer_m=float(shared["hull_buffer_m"]))
    t = pyproj.Transformer.from_crs(4326, base.crs, always_xy=True)
    ll = np.array([[c.lon, c.lat] for c in reg.cameras]).reshape(-1, 2)
    x, y = t.transform(ll[:, 0], ll[:, 1]) if len(ll) else (np.zeros(0), np.zeros(0))
    xy = np.column_stack([x, y])
    shapely.prepare(base.study_area)
    inside = shapely.contains_xy(base.study_area, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)
    rejected = list(reg.rejected) + [Rejected(c.row, "outside the study area", c.id)
                                     for c, ok in zip(reg.cameras, inside, strict=True) if not ok]
    cams = [c for c, ok in zip(reg.cameras, inside, strict=True) if ok]
    xy = xy[inside]
    if not cams:
        raise InvalidInputError(f"`{register_path}`: none of the {reg.rows} register rows is a usable camera "
                                "inside the study area (wrong file, CRS or boundary?)")
    cparams = CoverageParams(resolution_m=params.resolution_m, target_height_m=params.target_height_m)
    streets = base.layers.get("streets")
    street_geoms = streets.geometry.values if streets is not None and len(streets) else None
    level_names = [lv.name for lv in DORI_LEVELS]
    results: dict[str, CoverageResult] = {}
    owners: dict[str, dict[str, str]] = {}
    sdoc: dict[str, Any] = {}
    rules_doc: dict[str, int] = {}
    nodes_by: dict[str, list[Any]] = {}
    for k, name in enumerate(scn.SCENARIO_NAMES):
        s = scenarios[name]
        sub = sub_progress(progress, 0.05 + 0.25 * k, 0.05 + 0.25 * (k + 1))
        sub(0.0, f"scenario {name}")
        from planner.analysis.camera_types import parse_camera_types

        ftype = parse_camera_types({"schema_version": 1, "types": scn.scenario_type_entries(s)},
                                   origin="audit scenarios")[f"audit-{name}"]
        hfov = ftype.optics(focal_mm=s.focal_mm).hfov_deg if s.focal_mm else ftype.optics().hfov_deg
        nodes, owner, rules = scn.views_for(cams, xy, s, streets=street_geoms,
                                            street_snap_m=float(shared["street_snap_m"]), hfov_deg=hfov)
        rules_doc = rules
        nodes_by[name] = nodes
        sp = scn.scenario_project(base, nodes, s)
        ex = default_executor(len(nodes), workers=params.workers, threads=True)
        r = run_coverage(sp, cparams, progress=sub, executor=ex)
        results[name] = r
        owners[name] = owner
        summ = r.summary()
        entry: dict[str, Any] = {
            "label": s.label, "views": len(nodes),
            "area_km2": {lv: summ["city"][lv]["day_km2"] for lv in level_names},
            "area_pct": {lv: summ["city"][lv]["day_pct"] for lv in level_names},
            "night_area_km2": {lv: summ["city"][lv]["night_km2"] for lv in level_names},
            "districts": [{"name": d["name"], "area_km2": dict(d["day_km2"]), "area_pct": dict(d["day_pct"]),
                           "night_pct": dict(d["night_pct"]), "district_km2": d["area_km2"]}
                          for d in summ["districts"]],
            "source": s.source,
        }
        if summ["streets"]:
            entry["street_km"] = {lv: summ["streets"]["levels"][lv]["day_km"] for lv in level_names}
            entry["street_pct"] = {lv: summ["streets"]["levels"][lv]["day_pct"] for lv in level_names}
            entry["streets_total_km"] = summ["streets"]["total_km"]
        sdoc[name] = entry
    assumptions = list(notes)
    assumptions += [f"{s.label} ({'; '.join(f'{k}: {v}' for k, v in s.source.items())})" for s in scenarios.values()]
    assumptions.append(f"where cameras look: {rules_doc[scn.RULE_KNOWN]} from the register, "
                       f"{rules_doc[scn.RULE_DOME]} {scn.RULE_DOME}, {rules_doc[scn.RULE_STREET]} {scn.RULE_STREET}, "
                       f"{rules_doc[scn.RULE_DISC]} {scn.RULE_DISC}")
    assumptions.append("a monitored approach (NB, SB, EB, WB, NORTHBOUND ...) names the traffic's direction of travel; "
                       "the camera is taken to face that traffic (NB: looking south)")
    assumptions.append(f"coverage on a {params.resolution_m:g} m grid for a target {params.target_height_m:g} m above "
                       "the ground; detail levels IEC EN 62676-4 (DORI) by pixel density")
    assumptions.append(f"a sensitive site is seen when coverage reaches within {shared['site_radius_m']:g} m of it")
    for n in results["median"].notes:
        assumptions.append(n)
    doc: dict[str, Any] = {
        "register": {"file": reg.path, "format": reg.format, "columns": reg.columns, "notes": list(reg.notes)},
        "cameras_read": reg.rows,
        "cameras_used": len(cams),
        "rejected": [{"row": r.row, "reason": r.reason, "id": r.id} for r in rejected],
        "study_area": {"source": source, "km2": base.area_km2(), "crs": base.crs.to_string(),
                       "districts": len(base.districts)},
        "scenarios": sdoc,
        "direction_rules": rules_doc,
        "assumptions": assumptions,
    }
    progress(0.8, "sensitive sites")
    site_gdf = _sites(base, sites, register_path)
    doc["sensitive_sites"] = (_site_figures(results, site_gdf, owners, float(shared["site_radius_m"]))
                              if site_gdf is not None else [])
    doc["privacy_masks"] = _mask_figures(base, nodes_by["median"], scenarios["median"], cparams,
                                         default_executor(len(nodes_by["median"]), workers=params.workers, threads=True))
    doc["legal_retention"] = _legal(base, project is not None)
    if params.out_of_service is not None:
        progress(0.85, "availability")
        sname = params.availability_scenario
        doc["availability"] = {"scenario": sname, **availability(results[sname], params.out_of_service,
                                                                  groups=owners[sname])}
    if claims:
        from planner.audit.claims import check_claims

        doc["claims"] = check_claims(claims, project=project, districts=base.districts if len(base.districts) else None)
        for c in doc["claims"]:  # a coverage claim on a district: what this register covers there, per scenario
            cl = c["claim"]
            if str(cl.get("kind")).lower() == "coverage" and cl.get("district") is not None:
                from planner.audit.claims import _norm

                lv = c["computed"].get("level")
                c["computed"]["register_share"] = {
                    n: next((d["area_pct"].get(lv, 0.0) / 100 for d in sdoc[n]["districts"]
                             if _norm(d["name"]) == _norm(cl["district"])), None) for n in scn.SCENARIO_NAMES}
    progress(1.0, "done")
    return AuditResult(doc=doc, project=base, results=results, register=reg, owners=owners)


def format_audit(doc: dict[str, Any]) -> str:
    lv = ("monitor", "detect", "recognise", "identify")
    lines = [f"Audit of {doc['register']['file']}: {doc['cameras_used']} of {doc['cameras_read']} rows used, "
             f"{len(doc['rejected'])} rejected",
             f"study area: {doc['study_area']['km2']:.2f} km² ({doc['study_area']['source']})",
             "scenario   " + "".join(f"{x:>18}" for x in lv) + "   (km² seen by day, % of the area)"]
    for name, s in doc["scenarios"].items():
        lines.append(f"{name:<10} " + "".join(f"{s['area_km2'][x]:>9.3f} {s['area_pct'][x]:>6.2f} %" for x in lv))
        if "street_km" in s:
            lines.append(f"{'':<10} streets: " + ", ".join(f"{x} {s['street_km'][x]:.1f} km" for x in lv))
    reasons: dict[str, int] = {}
    for r in doc["rejected"]:
        key = r["reason"].split(" (")[0].split(" of row")[0]
        reasons[key] = reasons.get(key, 0) + 1
    if reasons:
        lines.append("rejected: " + ", ".join(f"{v} {k}" for k, v in reasons.items()))
    if doc.get("availability"):
        from planner.audit.availability import format_availability

        lines.append(format_availability(doc["availability"]))
    if doc.get("sensitive_sites"):
        seen = sum(1 for s in doc["sensitive_sites"] if s["best_level_day"].get("median"))
        lines.append(f"sensitive sites seen (median scenario): {seen} of {len(doc['sensitive_sites'])}")
    if doc.get("legal_retention"):
        lines.append(f"legal retention: {doc['legal_retention'].get('message')}")
    if doc.get("claims"):
        from planner.audit.claims import format_claims

        lines.append(format_claims(doc["claims"]))
    return "\n".join(lines)


__all__ = ["AuditParams", "AuditResult", "format_audit", "run_audit"]
