"""``planner import``: add a layer or nodes to a project file."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "import"
HELP = "import a boundary, districts, reference layer, DEM or node list into a project"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from planner.workflows import LAYER_KINDS

    p.add_argument("project", help="project file (.gpkg); rewritten atomically")
    p.add_argument("--layer", required=True, choices=LAYER_KINDS, metavar="KIND",
                   help=f"what the file holds: {', '.join(LAYER_KINDS)}")
    p.add_argument("file", help="GeoJSON, GeoPackage, Shapefile (.shp/.zip), KML, CSV or DEM")
    p.add_argument("--layer-name", help="layer of a multi-layer file")
    p.add_argument("--name-field", help="districts: field holding the name")
    p.add_argument("--code-field", help="districts: field holding the code")
    p.add_argument("--level", default="district", help="districts: level label (e.g. arrondissement)")
    p.add_argument("--crs", help="CRS of CSV x/y columns (default WGS 84 for lon/lat)")
    p.add_argument("--phase", help="phase given to imported nodes")
    p.add_argument("--replace", action="store_true", help="replace the layer instead of appending")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="node tables: import the good rows and list the bad ones (default: refuse the file, "
                        "listing every bad row)")
    p.add_argument("--keep-outside", action="store_true",
                   help="node tables: keep nodes more than 1 km outside the study area (default: bad rows)")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows

    project = workflows.open_project(args.project)
    summary = workflows.import_layer(
        project, args.layer, args.file, layer=args.layer_name, name_field=args.name_field,
        code_field=args.code_field, crs=args.crs, phase=args.phase, level=args.level,
        replace=args.replace, skip_bad_rows=args.skip_bad_rows, keep_outside=args.keep_outside)
    workflows.save(project, args.project)
    doc = {"imported": {"kind": summary.kind, "file": summary.path, "count": summary.count,
                        "notes": summary.notes, "skipped": summary.skipped},
           "project": workflows.info(project, path=args.project)}
    text = f"imported {summary.count} {summary.kind} from {summary.path} into {args.project}"
    return Report(doc, text=text, warnings=summary.notes)
