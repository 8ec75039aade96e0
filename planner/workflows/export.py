"""Export use-cases shared by the CLI (``planner export``) and the GUI's File menu.

:func:`export_all` gathers what every format needs once (layers in the project
CRS, the network and storage sizing, the bill of materials, the coverage
results when present) and hands it to the writers in :mod:`planner.io`. Each
writer writes to a temporary file beside its target and renames it at the
end, so a failed export leaves no half-written file behind, and nothing is
written anywhere but the chosen path (or, for ``all``, inside the chosen
folder under fixed names).

Formats: ``gpkg`` (all layers and results, project CRS), ``geojson`` (nodes,
OSM surveillance tags, WGS 84), ``kml`` / ``kmz`` (Google Earth), ``csv``
(bill of materials and costs by phase), ``html`` (offline folium map),
``pdf`` (report). Unit prices: defaults in ``resources/unit_prices.json``,
overridden per project by ``project.metadata["unit_prices"]``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from planner.errors import InvalidInputError
from planner.model.nodes import CommandCentre, RadioSite, StorageCentre
from planner.model.project import Project

FORMATS: tuple[str, ...] = ("gpkg", "geojson", "kml", "kmz", "csv", "html", "pdf")
EXTENSIONS: dict[str, str] = {"gpkg": ".gpkg", "geojson": ".geojson", "kml": ".kml", "kmz": ".kmz",
                              "csv": ".csv", "html": ".html", "pdf": ".pdf"}
#: File name stems used inside the folder of ``all`` (besides the project slug).
SUFFIXES: dict[str, str] = {"gpkg": "", "geojson": "-nodes", "kml": "", "kmz": "", "csv": "-bom",
                            "html": "-map", "pdf": "-report"}
COVERAGE_MISSING = "coverage not computed (run `planner coverage` first)"

__all__ = ["COVERAGE_MISSING", "EXTENSIONS", "ExportData", "FORMATS", "check_out_path", "export_all",
           "export_one", "prepare", "slug"]


@dataclass
class ExportData:
    """Everything the writers need, computed once per export run."""

    project: Project
    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    bom: dict[str, Any]
    network: dict[str, Any] | None
    coverage: dict[str, Any] | None
    generated: _dt.datetime
    assumptions: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ paths
def slug(name: str) -> str:
    """A safe file stem from a project name (no separators, no dots at the start)."""
    s = re.sub(r"[^\w\-]+", "-", name.strip().lower(), flags=re.UNICODE).strip("-._")
    return s[:60] or "project"


def check_out_path(out: str | os.PathLike[str], *, folder: bool = False,
                   protect: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Validate ``--out``: a file whose parent exists (or, with ``folder``, a folder to create or reuse).

    Raises
    ------
    InvalidInputError
        A directory where a file is expected, a missing parent, a file where a
        folder is expected, or a path that would overwrite a protected file
        (the project file being exported).
    """
    p = Path(out).expanduser()
    if str(out).strip() == "":
        raise InvalidInputError("`--out` is empty")
    if folder:
        if p.exists() and not p.is_dir():
            raise InvalidInputError(f"`{out}` is a file; `--format all` needs a folder")
        if not p.exists() and not p.parent.is_dir():
            raise InvalidInputError(f"`{out}`: the parent folder `{p.parent}` does not exist")
        return p
    if p.is_dir():
        raise InvalidInputError(f"`{out}` is a folder; give a file path")
    if not p.parent.is_dir():
        raise InvalidInputError(f"`{out}`: the parent folder `{p.parent}` does not exist")
    from planner.io.atomic import check_target

    check_target(p)  # devices, FIFOs, sockets, read-only files: refused before any work
    rp = p.resolve()
    for q in protect:
        if Path(q).resolve() == rp:
            raise InvalidInputError(f"`{out}` is the project file itself; choose another path")
    return p


# ------------------------------------------------------------------ data
def _camera_types(project: Project) -> dict[str, Any]:
    from planner.analysis.camera_types import builtin_camera_types, parse_camera_types

    types = dict(builtin_camera_types())
    user = project.metadata.get("camera_types")
    if user:
        try:
            types.update(parse_camera_types({"schema_version": 1, "types": list(user)}, origin="project"))
        except Exception:  # validation reports broken user types; exports use the library
            pass
    return types


def _node_layers(project: Project, network: dict[str, Any] | None, types: dict[str, Any]) -> dict[str, gpd.GeoDataFrame]:
    crs = project.crs
    assigned = {c["id"]: c for c in (network or {}).get("cameras", [])}
    store = {s["id"]: s for s in (network or {}).get("storage", [])}
    cams = project.cameras()
    out: dict[str, gpd.GeoDataFrame] = {}
    if cams:
        rows = []
        for c in cams:
            ct = types.get(c.camera_type)
            a = assigned.get(c.id, {})
            rows.append({"id": c.id, "name": c.name, "phase": c.phase, "status": str(c.status), "notes": c.notes,
                         "camera_type": c.camera_type, "camera_kind": str(getattr(ct, "kind", "") or ""),
                         "pan_360": bool(getattr(ct, "pan_360", False)),
                         "height_m": c.height_m, "azimuth_deg": c.azimuth_deg, "tilt_deg": c.tilt_deg,
                         "connection": str(c.connection),
                         "storage_centre_id": a.get("storage_centre_id") or c.storage_centre_id,
                         "radio_site_id": a.get("radio_site_id") or c.radio_site_id,
                         "recorded_mbps": a.get("recorded_mbps"), "unserved_reason": a.get("unserved_reason", ""),
                         "cost": c.cost})
        out["cameras"] = gpd.GeoDataFrame(rows, geometry=shapely.points([c.xy for c in cams]), crs=crs)
    sites = [n for n in project.iter_nodes() if isinstance(n, RadioSite)]
    if sites:
        rows = [{"id": s.id, "name": s.name, "phase": s.phase, "status": str(s.status), "notes": s.notes,
                 "site_kind": str(s.site_kind), "height_m": s.height_m, "freq_mhz": s.freq_mhz,
                 "channel_mhz": s.channel_mhz, "sectors": s.sectors,
                 "sector_azimuths_deg": ",".join(f"{a:g}" for a in s.sector_azimuths_deg), "cost": s.cost}
                for s in sites]
        out["radio_sites"] = gpd.GeoDataFrame(rows, geometry=shapely.points([s.xy for s in sites]), crs=crs)
    centres = [n for n in project.iter_nodes() if isinstance(n, StorageCentre)]
    if centres:
        rows = []
        for s in centres:
            st = store.get(s.id, {})
            rows.append({"id": s.id, "name": s.name, "phase": s.phase, "status": str(s.status), "notes": s.notes,
                         "role": str(s.role), "capacity_tb": s.capacity_tb, "raid_level": s.raid_level,
                         "disk_tb": s.disk_tb, "copy_of": ",".join(s.copy_of),
                         "cameras": st.get("cameras"), "daily_tb": st.get("daily_tb"),
                         "retention_days": st.get("retention_days"), "legal_status": st.get("legal_status", ""),
                         "cost": s.cost})
        out["storage_centres"] = gpd.GeoDataFrame(rows, geometry=shapely.points([s.xy for s in centres]), crs=crs)
    cmds = [n for n in project.iter_nodes() if isinstance(n, CommandCentre)]
    if cmds:
        rows = [{"id": c.id, "name": c.name, "phase": c.phase, "status": str(c.status), "notes": c.notes,
                 "operators": c.operators, "video_wall_tiles": c.video_wall_tiles,
                 "remote_viewers": c.remote_viewers, "multicast": c.multicast, "cost": c.cost} for c in cmds]
        out["command_centres"] = gpd.GeoDataFrame(rows, geometry=shapely.points([c.xy for c in cmds]), crs=crs)
    return out


def _links_layer(project: Project, network: dict[str, Any] | None) -> gpd.GeoDataFrame | None:
    links = [lk for lk in project.links() if lk.from_id in project and lk.to_id in project]
    if not links:
        return None
    load = {lk["id"]: lk for lk in (network or {}).get("links", [])}
    rows, geoms = [], []
    for lk in links:
        a, b = project.node(lk.from_id).xy, project.node(lk.to_id).xy
        ld = load.get(lk.id, {})
        rows.append({"id": lk.id, "name": lk.name, "kind": str(lk.kind), "from_id": lk.from_id, "to_id": lk.to_id,
                     "capacity_mbps": lk.capacity_mbps, "freq_ghz": lk.freq_ghz, "phase": lk.phase,
                     "length_m": float(shapely.distance(shapely.Point(a), shapely.Point(b))),
                     "design_mbps": ld.get("design_mbps"), "utilisation": ld.get("utilisation"),
                     "overloaded": ld.get("overloaded"), "fresnel_clear": ld.get("fresnel_clear"), "cost": lk.cost})
        geoms.append(shapely.LineString([a, b]))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=project.crs)


def _assignments_layer(project: Project, network: dict[str, Any] | None) -> gpd.GeoDataFrame | None:
    if not network:
        return None
    rows, geoms = [], []
    for c in network.get("cameras", []):
        if c["id"] not in project:
            continue
        cxy = project.node(c["id"]).xy
        for kind, key in (("storage", "storage_centre_id"), ("radio", "radio_site_id")):
            tid = c.get(key)
            if tid and tid in project:
                rows.append({"camera_id": c["id"], "target_id": tid, "kind": kind,
                             "sector": c.get("sector", -1) if kind == "radio" else -1})
                geoms.append(shapely.LineString([cxy, project.node(tid).xy]))
    if not rows:
        return None
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=project.crs)


def _assumptions(project: Project, network: dict[str, Any] | None, bom: dict[str, Any]) -> list[dict[str, str]]:
    from planner.analysis.optics import DORI_LEVELS

    p = project.parameters
    rows = [
        {"topic": "Video", "assumption": f"default stream {p.default_resolution} {p.default_codec} at "
         f"{p.default_bitrate_mbps:g} Mb/s (cameras may set their own streams)",
         "source": "project parameters; docs/reference.md §R3.2"},
        {"topic": "Retention", "assumption": f"target {p.retention_target_days:g} days",
         "source": f"project parameters; legal table for {p.jurisdiction or 'no jurisdiction'} "
         "(resources/legal_retention.json)"},
    ]
    for lv in DORI_LEVELS:
        rows.append({"topic": "Detail level", "assumption": f"{lv.label}: {lv.ppm:g} px/m", "source": lv.source})
    if network:
        prm = network["params"]
        rows += [
            {"topic": "Network", "assumption": f"link design load = carried x (1 + {prm['overhead']:g} overhead) x "
             f"{prm['peak_factor']:g} peak factor; microwave limit {100 * prm['microwave_utilisation_limit']:.0f} %",
             "source": "planner defaults (docs/reference.md §R6.3, §R9)"},
            {"topic": "Radio", "assumption": f"sector planning load {100 * prm['planning_load']:.0f} %, "
             f"{prm['spectral_efficiency_bps_hz']:g} b/s/Hz, {prm['duplex'].upper()}, path loss model "
             f"{prm['pathloss_model']} ({prm['environment']})",
             "source": "planner defaults (docs/reference.md §R7, §R8.5)"},
            {"topic": "Storage", "assumption": f"usable = RAID efficiency x (1 - {prm['fs_reserve']:g} file-system "
             f"reserve) x (1 - {prm['growth_margin']:g} growth margin)",
             "source": "planner defaults (docs/reference.md §R4.4)"},
        ]
    for key in ("fibre_route_factor", "maintenance_rate", "electricity_kwh", "cameras_per_recording_server"):
        pr = bom["prices"].get(key)
        if pr:
            rows.append({"topic": "Costs", "assumption": f"{pr['label']}: {pr['value']:g} {pr['unit']}",
                         "source": pr["source"]})
    return rows


def prepare(project: Project, *, progress: Callable[[float, str], None] | None = None) -> ExportData:
    """Compute what the writers need: layers, tables, network sizing, BoM, coverage if present."""
    from planner.analysis.costs import bill_of_materials
    from planner.analysis.fov import fov_wedges

    progress = progress or (lambda f, m: None)
    progress(0.0, "network and storage sizing")
    network = None
    warnings: list[str] = []
    if project.cameras():
        from planner.workflows.reports import network_report

        try:
            result, network, _text = network_report(project)
            warnings = list(result.warnings)
        except InvalidInputError as exc:  # an inconsistent project still exports its layers
            warnings.append(f"network analysis failed: {exc}")
    progress(0.3, "bill of materials")
    types = _camera_types(project)
    bom = bill_of_materials(project, camera_types=types).to_dict()
    progress(0.4, "layers")
    layers: dict[str, gpd.GeoDataFrame] = {
        "study_area": gpd.GeoDataFrame({"name": [project.name], "area_km2": [project.area_km2()]},
                                       geometry=[project.study_area], crs=project.crs),
    }
    if len(project.districts):
        d = project.districts.copy()
        d["area_km2"] = d.geometry.area / 1e6
        layers["districts"] = d
    layers.update(_node_layers(project, network, types))
    lk = _links_layer(project, network)
    if lk is not None:
        layers["links"] = lk
    asg = _assignments_layer(project, network)
    if asg is not None:
        layers["assignments"] = asg
    if project.cameras():
        layers["fov"] = fov_wedges(project, camera_types=types)
    cov_record = project.result("coverage")
    cov = cov_record.document if cov_record is not None else None
    covpoly = cov_record.polygons if cov_record is not None else None
    if isinstance(covpoly, gpd.GeoDataFrame) and len(covpoly):
        layers["coverage"] = covpoly if covpoly.crs is not None else covpoly.set_crs(project.crs)
    for name, gdf in project.layers.items():
        layers[name] = gdf
    tables: dict[str, pd.DataFrame] = {
        "bom": pd.DataFrame(bom["lines"]),
        "costs_by_phase": pd.DataFrame({"phase": bom["phases"],
                                        "capex": [bom["capex_by_phase"][p] for p in bom["phases"]],
                                        "capex_cumulative": [bom["capex_cumulative"][p] for p in bom["phases"]],
                                        "opex_per_year": [bom["opex_per_year"][p] for p in bom["phases"]],
                                        "currency": [bom["currency"]] * len(bom["phases"])}),
        "unit_prices": pd.DataFrame([{k: v for k, v in pr.items()} for pr in bom["prices"].values()]),
    }
    if network:
        tables["storage"] = pd.DataFrame([{k: v for k, v in s.items() if k != "usable_factors"}
                                          for s in network["storage"]])
        if network["sectors"]:
            tables["radio_sectors"] = pd.DataFrame(network["sectors"])
        if network["viewing"]:
            tables["viewing"] = pd.DataFrame(network["viewing"])
    if isinstance(cov, dict):
        rows = []
        for d in cov.get("districts", []):
            for lvl, pct in (d.get("day_pct") or {}).items():
                rows.append({"name": d.get("name"), "code": d.get("code"), "area_km2": d.get("area_km2"),
                             "level": lvl, "day_pct": pct, "night_pct": (d.get("night_pct") or {}).get(lvl)})
        if rows:
            tables["coverage_districts"] = pd.DataFrame(rows)
        city = cov.get("city") or {}
        if city:
            tables["coverage_city"] = pd.DataFrame([{"level": k, **v} for k, v in city.items()])
    progress(0.5, "ready to write")
    data = ExportData(project=project, layers=layers, tables=tables, bom=bom, network=network,
                      coverage=cov if isinstance(cov, dict) else None, generated=_dt.datetime.now().astimezone(),
                      assumptions=_assumptions(project, network, bom))
    data.extra["warnings"] = warnings
    data.extra["camera_types"] = {k: {"name": getattr(t, "name", k), "kind": str(getattr(t, "kind", ""))}
                                  for k, t in types.items()}
    return data


# ------------------------------------------------------------------ writers
def export_one(data: ExportData, fmt: str, out: str | os.PathLike[str]) -> Path:
    """Write one format to ``out`` (a file path already checked by :func:`check_out_path`).

    Writers go through :mod:`planner.io.atomic`, which gives the file the
    usual permissions rather than the private mode of its temporary file.
    """
    return _export_one(data, fmt, out)


def approximations(project: Project, coverage: dict[str, Any] | None = None) -> list[str]:
    """What in the plan is an approximation, to be said in every export (e.g. derived city blocks)."""
    notes: list[str] = []
    b = project.layers.get("buildings")
    if b is not None and len(b) and "approximate" in b.columns and b["approximate"].astype(bool).any():
        notes.append("Buildings are city blocks derived from the street network (an approximation, not real "
                     "footprints); occlusion and coverage figures are approximate.")
    for n in (coverage or {}).get("approximation_notes") or []:
        if "approximation" in n or "no DEM" in n or "none in the project" in n:
            notes.append(f"Coverage: {n}.")
    return notes


def _export_one(data: ExportData, fmt: str, out: str | os.PathLike[str]) -> Path:
    project = data.project
    approx = " ".join(approximations(project, data.coverage))
    if fmt == "gpkg":
        from planner.io.export_gpkg import write_gpkg

        meta = pd.DataFrame({"key": ["name", "crs", "generated", "coverage", "approximations"],
                             "value": [project.name, project.crs.to_string(), data.generated.isoformat(),
                                       "present" if data.coverage else COVERAGE_MISSING, approx or "none"]})
        return write_gpkg(out, data.layers, {**data.tables, "export_info": meta})
    if fmt == "geojson":
        from planner.io.export_geojson import write_nodes_geojson

        return write_nodes_geojson(out, data.layers, name=project.name)
    if fmt in ("kml", "kmz"):
        from planner.io.export_kml import write_kml

        return write_kml(out, data.layers, name=project.name,
                         description=" ".join(x for x in (project.parameters.description, approx) if x),
                         kmz=(fmt == "kmz"),
                         coverage_note=" ".join(x for x in (approx, "" if data.coverage else COVERAGE_MISSING) if x))
    if fmt == "csv":
        from planner.io.export_csv import write_bom_csv

        return write_bom_csv(out, data.bom)
    if fmt == "html":
        from planner.io.export_html import write_html_map

        return write_html_map(out, data.layers, title=project.name, summary=_html_summary(data),
                              coverage_levels=(data.coverage or {}).get("levels"),
                              coverage_note=(" ".join(x for x in (approx, None if "coverage" in data.layers
                                                                   else COVERAGE_MISSING) if x) or None),
                              attribution=project.parameters.attribution,
                              priority_sites=(data.coverage or {}).get("priority_sites"))
    if fmt == "pdf":
        from planner.io.export_pdf import write_pdf_report

        return write_pdf_report(out, report_document(data), data.layers, dem=project.dem)
    raise InvalidInputError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)} or all")


def _html_summary(data: ExportData) -> list[tuple[str, str]]:
    p = data.project
    counts = p.count_by_kind()
    bom = data.bom
    rows = [("Study area", f"{p.area_km2():,.1f} km²"),
            ("Cameras", f"{counts['camera']:,}"), ("Radio sites", f"{counts['radio_site']:,}"),
            ("Storage centres", f"{counts['storage_centre']:,}"), ("Command centres", f"{counts['command_centre']:,}")]
    for ph in bom["phases"]:
        rows.append((f"CAPEX {ph}", f"{bom['capex_by_phase'][ph]:,.0f} {bom['currency']} "
                     f"(cumulative {bom['capex_cumulative'][ph]:,.0f})"))
    if data.coverage:
        for lvl, v in (data.coverage.get("city") or {}).items():
            rows.append((f"Coverage {lvl}", f"day {v.get('day_pct', 0):.1f} %, night {v.get('night_pct', 0):.1f} %"))
    return rows


def report_document(data: ExportData) -> dict[str, Any]:
    """The JSON-able content of the PDF report (the writer only lays it out)."""
    p = data.project
    from planner.analysis.storage import load_legal_retention

    legal = load_legal_retention().get(p.parameters.jurisdiction or "", None)
    return {
        "title": p.name,
        "subtitle": "Video-surveillance deployment: plan, sizing and costs",
        "generated": data.generated.strftime("%d %B %Y, %H:%M %Z").strip(),
        "description": p.parameters.description,
        "attribution": p.parameters.attribution,
        "jurisdiction": p.parameters.jurisdiction,
        "legal": legal,
        "crs": f"{p.crs.name} (EPSG:{p.epsg})" if p.epsg else p.crs.name,
        "area_km2": p.area_km2(),
        "districts": int(len(p.districts)),
        "counts": p.count_by_kind(),
        "phase_counts": _phase_counts(p),
        "links": {k: sum(1 for lk in p.links() if str(lk.kind) == k) for k in ("fibre", "microwave")},
        "parameters": p.parameters.to_dict(),
        "assumptions": data.assumptions,
        "network": data.network,
        "bom": data.bom,
        "coverage": data.coverage,
        "coverage_note": COVERAGE_MISSING,
        "optimise": _optimise_document(p),
        "warnings": data.extra.get("warnings", []),
        "metadata_notes": [str(n) for n in (p.metadata.get("notes") or [])],
    }


def _optimise_document(p: Project) -> dict[str, Any] | None:
    """The summary of the last placement run applied to the project (``planner optimise --apply``), if any."""
    record = p.result("optimise")
    return dict(record.document) if record is not None else None


def _phase_counts(p: Project) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for n in p.iter_nodes():
        d = out.setdefault(n.phase or "(no phase)", {})
        d[n.KIND.value] = d.get(n.KIND.value, 0) + 1
    return dict(sorted(out.items()))


def export_all(project: Project, out: str | os.PathLike[str], formats: Iterable[str] | str = "all", *,
               stem: str | None = None, protect: Iterable[str | os.PathLike[str]] = (),
               progress: Callable[[float, str], None] | None = None) -> list[Path]:
    """Export ``project`` in ``formats``; returns the files written.

    ``formats`` is ``"all"``, one format, or several. With one format, ``out``
    is the file; with several (or ``all``), ``out`` is a folder (created if its
    parent exists) and files are named ``<stem><suffix>.<ext>`` inside it.
    """
    fmts = list(FORMATS) if formats == "all" else [formats] if isinstance(formats, str) else list(formats)
    for f in fmts:
        if f not in FORMATS:
            raise InvalidInputError(f"unknown export format {f!r}; expected one of {', '.join(FORMATS)} or all")
    if not fmts:
        raise InvalidInputError("no export format given")
    progress = progress or (lambda f, m: None)
    many = formats == "all" or len(fmts) > 1
    if many:
        folder = check_out_path(out, folder=True)
        base = slug(stem or project.name)
        targets = [(f, folder / f"{base}{SUFFIXES[f]}{EXTENSIONS[f]}") for f in fmts]
        if folder.exists():
            for _, t in targets:
                check_out_path(t, protect=protect)
    else:
        targets = [(fmts[0], check_out_path(out, protect=protect))]
    data = prepare(project, progress=lambda f, m: progress(0.3 * f, m))
    if many:
        targets[0][1].parent.mkdir(exist_ok=True)
    written = []
    for i, (fmt, target) in enumerate(targets):
        progress(0.3 + 0.7 * i / len(targets), f"writing {fmt}")
        written.append(export_one(data, fmt, target))
    progress(1.0, "done")
    return written
