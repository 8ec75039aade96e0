"""The analyses as reports: each returns ``(result, document, text)`` and stores nothing.

A ``*_record`` function turns a report into a typed project result
(:mod:`planner.model.results`); :func:`apply_result` stores it (the CLI's
explicit apply; the app pushes a ``SetResult`` command instead).
:data:`ANALYSES` is the main job's order of analyses (:func:`run_all`).
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

if TYPE_CHECKING:  # the analyses are imported where they run (the CLI starts faster)
    from planner.analysis.coverage import CoverageParams, CoverageResult
    from planner.analysis.executor import BatchExecutor
    from planner.analysis.network_plan import NetworkParams, NetworkResult
    from planner.analysis.progress import ProgressFn
    from planner.analysis.radio_coverage import RadioCoverage, RadioCoverageParams
    from planner.model.results import CoverageRecord, DocumentRecord, RadioMapRecord, ResultRecord
from planner.errors import InvalidInputError
from planner.model.nodes import NodeKind
from planner.model.project import Project, Raster
from planner.workflows.project import format_info, info
from planner.workflows.validate import validate


# ------------------------------------------------------------- main job
def run_all(project: Project, *, path: str | os.PathLike[str] | None = None,
            progress: ProgressFn | None = None) -> dict[str, Any]:
    """Run every analysis the project supports and return one JSON-able summary.

    This is ``planner run`` headless and the app's "Run all analyses".
    """
    from planner.analysis.progress import no_progress

    progress = progress or no_progress
    progress(0.0, "summarising the project")
    summary: dict[str, Any] = {"project": info(project, path=path)}
    issues = validate(project)
    summary["validation"] = {
        "errors": sum(1 for i in issues if i.severity == "error"),
        "warnings": sum(1 for i in issues if i.severity == "warning"),
        "issues": [dataclasses.asdict(i) for i in issues[:200]],
    }
    for i, (key, fn) in enumerate(ANALYSES):
        progress(0.1 + 0.9 * i / len(ANALYSES), f"{key} analysis")
        out = fn(project)
        if out is not None:
            record, doc = out
            apply_result(project, record)
            summary[key] = doc
    progress(1.0, "done")
    return summary


def apply_result(project: Project, record: ResultRecord) -> ResultRecord | None:
    """Store an analysis result in the project (the CLI's explicit apply; the app pushes a command);
    returns the result of the same kind it replaced, if any."""
    old: ResultRecord | None = project.set_result(record)
    return old


def write_summary(summary: dict[str, Any], out: str | os.PathLike[str]) -> list[Path]:
    """Write ``summary.json`` and ``summary.md`` into ``out`` (created if needed), atomically."""
    import json

    from planner.io.atomic import atomic_write_text
    from planner.io.jsonable import jsonable

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    j = atomic_write_text(out / "summary.json", json.dumps(jsonable(summary), indent=2, ensure_ascii=False))
    m = atomic_write_text(out / "summary.md", "# " + summary["project"]["name"] + "\n\n```\n"
                          + format_summary(summary) + "\n```\n")
    return [j, m]


def format_summary(summary: dict[str, Any]) -> str:
    lines = [format_info(summary["project"])]
    v = summary["validation"]
    lines.append(f"Validation   {v['errors']} error(s), {v['warnings']} warning(s)")
    for key, _ in ANALYSES:
        if key in summary and isinstance(summary[key], dict) and "text" in summary[key]:
            lines.append(summary[key]["text"])
    return "\n".join(lines)


def network_report(project: Project, params: NetworkParams | None = None, *,
                   progress: ProgressFn | None = None) -> tuple[NetworkResult, dict[str, Any], str]:
    """Run the network/storage analysis; return ``(result, JSON document, text)``."""
    from planner.analysis.network_plan import NetworkParams, run_network
    from planner.analysis.progress import no_progress

    result = run_network(project, params or NetworkParams(), progress=progress or no_progress)
    doc = result.to_dict()
    return result, doc, format_network(doc)


def format_network(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    ph = ", ".join(doc["phases"]) if doc["phases"] else "all phases"
    lines = [f"Network and storage ({ph})",
             f"  cameras {t['cameras']} ({t['wireless_cameras']} wireless, {t['unserved_cameras']} unserved"
             + (": " + ", ".join(f"{v} {k}" for k, v in t["unserved_by_reason"].items()) if t["unserved_by_reason"]
                else "") + ")",
             f"  uplink {t['uplink_peak_mbps']:,.0f} Mb/s peak, {t['recorded_mbps']:,.0f} Mb/s recorded, "
             f"{t['daily_tb']:,.1f} TB written per day"]
    if doc["storage"]:
        lines.append("  storage centre                     role         cams  copies  TB/day  capacity  "
                     "days raw  days usable  legal")
        for s in doc["storage"]:
            raw = s["retention_days_raw"]
            use = s["retention_days"]
            lines.append(f"  {s['name'][:34]:<34} {s['role']:<12} {s['cameras']:>4}  {s['copied_cameras']:>6}  "
                         f"{s['daily_tb']:>6.2f}  {s['capacity_tb']:>6.0f} TB  "
                         f"{(f'{raw:8.2f}' if raw is not None and math.isfinite(raw) else '       -')}  "
                         f"{(f'{use:11.2f}' if use is not None and math.isfinite(use) else '          -')}  "
                         f"{s['legal_status'] or '-'}")
            if s["flagged"] and s["legal_message"]:
                lines.append(f"    ! {s['legal_message']}")
        uf = doc["storage"][0]["usable_factors"]
        lines.append(f"  usable = RAID {uf['raid_efficiency']:.3f} × (1 − FS reserve {uf['fs_reserve']:.2f}) × "
                     f"(1 − growth {uf['growth_margin']:.2f}) = {doc['storage'][0]['usable_fraction']:.4f} of raw")
    if doc["sectors"]:
        loads = [s["utilisation"] for s in doc["sectors"]]
        lines.append(f"  radio sectors {len(loads)}: mean {100 * sum(loads) / len(loads):.0f} % of plannable "
                     f"capacity, max {100 * max(loads):.0f} %, {t['full_sectors']} full "
                     f"(plannable = {doc['sectors'][0]['capacity_mbps']:.1f} Mb/s per sector at "
                     f"{100 * doc['params']['planning_load']:.0f} % load)")
    for lk in doc["links"]:
        fres = "" if lk["fresnel_clear"] is None else (" Fresnel ok" if lk["fresnel_clear"] else " Fresnel BLOCKED")
        lines.append(f"  link {lk['id']:<10} {lk['kind']:<9} {lk['from_id']:>10} → {lk['to_id']:<10} "
                     f"{lk['design_mbps']:>8,.0f} / {lk['capacity_mbps']:,.0f} Mb/s "
                     f"({100 * lk['utilisation']:.0f} %){' OVERLOADED' if lk['overloaded'] else ''}{fres}")
    for v in doc["viewing"]:
        lines.append(f"  viewing {v['name'][:40]}: {v['streams']} streams, "
                     f"{'multicast' if v['multicast'] else 'unicast'} {v['load_mbps']:,.0f} Mb/s "
                     f"(unicast would be {v['unicast_mbps']:,.0f})")
    for w in doc["warnings"]:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def network_record(doc: dict[str, Any]) -> DocumentRecord:
    """The network/storage document as a project result."""
    from planner.model.results import DocumentRecord, ResultKind

    return DocumentRecord.of(ResultKind.NETWORK, doc)


def _network_summary(project: Project) -> tuple[Any, dict[str, Any]] | None:
    if not project.cameras():
        return None
    _, doc, text = network_report(project)
    record = network_record(doc)
    out = {k: v for k, v in record.document.items() if k != "cameras"}
    out["text"] = text
    return record, out


def coverage_report(project: Project, params: CoverageParams | None = None, *, progress: ProgressFn | None = None,
                    executor: BatchExecutor | None = None) -> tuple[CoverageResult, dict[str, Any], str]:
    """Run the coverage analysis; return ``(result, summary document, text)``. Stores nothing."""
    from planner.analysis.coverage import CoverageParams, format_coverage, run_coverage
    from planner.analysis.progress import no_progress, sub_progress

    progress = progress or no_progress
    params = params or CoverageParams(target_height_m=project.parameters.target_height_m)
    result = run_coverage(project, params, progress=sub_progress(progress, 0.0, 0.95),
                          executor=executor)
    doc = result.summary()
    progress(1.0, "done")
    return result, doc, format_coverage(doc)


def coverage_record(project: Project, result: Any, doc: dict[str, Any] | None = None, *,
                    polygons: gpd.GeoDataFrame | None = None) -> CoverageRecord:
    """A coverage result for the project: the summary and the engine state, whose level raster the
    project stores; polygons are made when a map or an export first asks (or given, already drawn)."""
    from planner.model.results import CoverageRecord

    return CoverageRecord.of(doc if doc is not None else result.summary(), polygons, engine=result, crs=project.crs)


def _coverage_summary(project: Project) -> tuple[Any, dict[str, Any]] | None:
    if not project.cameras():
        return None
    result, doc, text = coverage_report(project)
    record = coverage_record(project, result, doc)
    out = dict(record.document)
    out["text"] = text
    return record, out


def radio_map_report(project: Project, params: RadioCoverageParams | None = None, *, min_rate_mbps: float = 2.0,
                     progress: ProgressFn | None = None) -> tuple[RadioCoverage, dict[str, Any], str]:
    """Radio coverage map; returns ``(result, doc, text)``. Stores nothing (see :func:`radio_record`)."""
    from planner.analysis.progress import no_progress
    from planner.analysis.radio_coverage import run_radio_coverage

    cov = run_radio_coverage(project, params, progress=progress or no_progress)
    doc = cov.summary(min_rate_mbps=min_rate_mbps)
    text = (f"Radio coverage of {len(cov.site_ids)} site(s) at {doc['resolution_m']:g} m: "
            f"{doc['area_km2_at_min_rate']:.1f} km² where a camera gets ≥ {min_rate_mbps:g} Mb/s uplink"
            + ("" if project.dem is not None else " (no DEM: flat terrain)"))
    doc["text"] = text
    return cov, doc, text


def radio_record(project: Project, cov: RadioCoverage, doc: dict[str, Any]) -> RadioMapRecord:
    """The radio rate map and its summary as a project result."""
    from planner.model.results import RadioMapRecord

    return RadioMapRecord.of(cov.as_raster(project.crs), doc)


def write_raster(raster: Raster, path: Path) -> Path:
    """Write a project raster as a GeoTIFF, atomically."""
    from affine import Affine

    from planner.io.atomic import atomic_write_with
    from planner.io.raster import write_geotiff

    if path.suffix.lower() not in (".tif", ".tiff"):
        raise InvalidInputError(f"`{path}`: the output must be a .tif file")
    if not path.parent.exists():
        raise InvalidInputError(f"`{path}`: folder {str(path.parent)!r} does not exist")

    def write(tmp: Path) -> None:
        write_geotiff(tmp, raster.array, transform=Affine(*raster.transform), crs=raster.crs, nodata=raster.nodata)

    return atomic_write_with(path, write)


def _radio_summary(project: Project) -> tuple[Any, dict[str, Any]] | None:
    sites = [s for s in project.nodes(NodeKind.RADIO_SITE) if s.has_sectors]  # type: ignore[attr-defined]
    if not sites:
        return None
    cov, doc, _ = radio_map_report(project)
    record = radio_record(project, cov, doc)
    return record, record.document


#: The analyses of the main job, in the order :func:`run_all` runs them:
#: ``(name, fn(project) -> (result record, JSON summary) or None)``.
ANALYSES: tuple[tuple[str, Any], ...] = (
    ("coverage", _coverage_summary),
    ("network", _network_summary),
    ("radio", _radio_summary),
)
