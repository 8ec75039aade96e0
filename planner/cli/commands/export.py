"""``planner export``: write a project as GeoPackage, GeoJSON, KML/KMZ, CSV bill of materials, HTML map or PDF report."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "export"
HELP = ("export a project: gpkg (all layers and results), geojson (nodes, OSM tags), kml/kmz, csv (bill of "
        "materials and costs by phase), html (offline map), pdf (report), or all")

FORMAT_CHOICES = ("gpkg", "geojson", "kml", "kmz", "csv", "html", "pdf", "audit-pdf", "all")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--format", "-f", dest="format", choices=FORMAT_CHOICES, required=True,
                   help="output format, or `all` for every format into a folder")
    p.add_argument("--out", "-o", required=True,
                   help="output file (its folder must exist); with --format all, a folder (created if needed)")


def run(args: argparse.Namespace) -> Report:
    import os
    from pathlib import Path

    from planner import workflows
    from planner.workflows import export as exports

    project = workflows.open_project(args.project)
    if args.format == "audit-pdf":  # a project in audit mode (planner audit REGISTER --project P --save)
        from planner.audit.outputs import export_audit_pdf

        f = export_audit_pdf(project, args.out)
        return Report({"project": project.name, "format": args.format,
                       "files": [{"path": str(f), "bytes": os.path.getsize(f)}]}, text=f"wrote {f}")
    files = exports.export_all(project, args.out, args.format, protect=[args.project],
                               stem=Path(args.project).stem)
    data = {"project": project.name, "format": args.format,
            "files": [{"path": str(f), "bytes": os.path.getsize(f)} for f in files]}
    text = "\n".join(f"wrote {f} ({os.path.getsize(f) / 1024:,.0f} KiB)" for f in files)
    return Report(data, text=text)
