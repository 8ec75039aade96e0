"""Write an audit's files: ``audit.json``, ``audit-report.pdf`` and ``audit-map.html``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from planner.audit.run import AuditResult
from planner.io.atomic import atomic_write_text
from planner.io.jsonable import jsonable

LEVELS = ("monitor", "detect", "observe", "recognise", "identify")


def audit_layers(res: AuditResult) -> dict[str, gpd.GeoDataFrame]:
    """Map layers (project CRS): study area, districts, streets, register cameras, coverage per scenario (day)."""
    p = res.project
    layers: dict[str, gpd.GeoDataFrame] = {"study_area": gpd.GeoDataFrame(geometry=[p.study_area], crs=p.crs)}
    if len(p.districts):
        layers["districts"] = p.districts
    if "streets" in p.layers:
        layers["streets"] = p.layers["streets"]
    r = res.results.get("median")
    if r is not None and r.geometries:
        g = list(r.geometries.values())
        # one point per register camera (views share a position)
        seen: dict[tuple[float, float], Any] = {}
        for c in g:
            seen.setdefault((round(c.x, 2), round(c.y, 2)), c)
        layers["cameras"] = gpd.GeoDataFrame(
            {"id": [c.id for c in seen.values()], "name": ["" for _ in seen], "phase": ["register"] * len(seen)},
            geometry=shapely.points([k[0] for k in seen], [k[1] for k in seen]), crs=p.crs)
    for name, r in res.results.items():
        polys = r.polygons(periods=("day",))
        layers[f"coverage_{name}"] = polys.set_crs(p.crs, allow_override=True)
    return layers


def store_in_project(res: AuditResult, project: Any) -> None:
    """Keep the audit in the project (an :class:`~planner.model.results.AuditRecord`: the document, the
    coverage per scenario and the register's cameras), so ``planner export --format audit-pdf`` can lay it
    out again later."""
    import pandas as pd

    from planner.model.results import AuditRecord

    layers = audit_layers(res)
    parts = []
    for name in ("low", "median", "high"):
        g = layers.get(f"coverage_{name}")
        if g is not None and len(g):
            g = g[["level", "geometry"]].copy()
            g["scenario"] = name
            parts.append(g)
    coverage = (gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=project.crs)
                if parts else None)
    cameras = layers["cameras"][["id", "geometry"]].copy() if "cameras" in layers else None
    project.set_result(AuditRecord.of(jsonable(res.doc), coverage, cameras))


def export_audit_pdf(project: Any, out: str | os.PathLike[str]) -> Path:
    """The audit report of a project in audit mode (``planner audit REGISTER --project P --save``)."""
    from planner.errors import InvalidInputError
    from planner.io.export_audit_pdf import write_audit_pdf

    record = project.result("audit")
    doc = record.document if record is not None else None
    if not doc:
        raise InvalidInputError("the project has no audit; run `planner audit REGISTER --project PROJECT --save` first")
    out = Path(out)
    if out.is_dir():
        raise InvalidInputError(f"`--out`: {out} is a folder; give a file name")
    if not out.parent.exists():
        raise InvalidInputError(f"`--out`: the folder {out.parent} does not exist")
    layers: dict[str, gpd.GeoDataFrame] = {"study_area": gpd.GeoDataFrame(geometry=[project.study_area], crs=project.crs)}
    if len(project.districts):
        layers["districts"] = project.districts
    cov = record.coverage
    if isinstance(cov, gpd.GeoDataFrame):
        for name in ("low", "median", "high"):
            layers[f"coverage_{name}"] = cov[cov["scenario"] == name]
    cams = record.cameras
    if isinstance(cams, gpd.GeoDataFrame):
        layers["cameras"] = cams
    return write_audit_pdf(out, doc, layers, title=project.name)


def write_outputs(res: AuditResult, out: str | os.PathLike[str]) -> list[Path]:
    from planner.io.export_audit_html import write_audit_html
    from planner.io.export_audit_pdf import write_audit_pdf

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    doc = res.doc
    files = [atomic_write_text(folder / "audit.json",
                               json.dumps(jsonable(doc), indent=2, ensure_ascii=False, allow_nan=False) + "\n")]
    layers = audit_layers(res)
    title = res.project.name
    files.append(write_audit_pdf(folder / "audit-report.pdf", doc, layers, title=title))
    s = doc["scenarios"]
    summary = [("cameras used", f"{doc['cameras_used']} of {doc['cameras_read']}"),
               ("study area", f"{doc['study_area']['km2']:.2f} km² ({doc['study_area']['source']})")]
    summary += [(f"{n}: monitor / detect", f"{s[n]['area_km2']['monitor']:.2f} / {s[n]['area_km2']['detect']:.2f} km²")
                for n in ("low", "median", "high")]
    files.append(write_audit_html(folder / "audit-map.html", layers, title=f"Audit: {title}", summary=summary,
                                  levels=LEVELS, attribution="; ".join(n for n in doc["register"].get("notes", []) if "©" in n)))
    return files


__all__ = ["audit_layers", "export_audit_pdf", "store_in_project", "write_outputs"]
