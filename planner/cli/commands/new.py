"""``planner new``: create a project file from a boundary (and districts)."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.cli.output import Report
from planner.errors import InvalidInputError

NAME = "new"
HELP = "create a project from a boundary file (GeoJSON, GeoPackage, Shapefile/zip, KML)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="project name; the file is NAME.gpkg unless --out is given "
                                "(a NAME ending in .gpkg is the file, its stem the name)")
    p.add_argument("--boundary", required=True, help="polygon file whose union is the study area")
    p.add_argument("--boundary-layer", help="layer of a multi-layer boundary file")
    p.add_argument("--districts", help="polygon file of districts")
    p.add_argument("--districts-layer", help="layer of a multi-layer districts file")
    p.add_argument("--name-field", help="districts field holding the name")
    p.add_argument("--code-field", help="districts field holding the code")
    p.add_argument("--crs", help="project CRS (default: the UTM zone of the study area)")
    p.add_argument("--jurisdiction", help="ISO 3166-1 alpha-2 country code for the legal retention check "
                   "(default: guessed from the study area's country, said in the notes)")
    p.add_argument("--currency", help="ISO 4217 currency of the costs (default: the study area's country's, "
                   "said in the notes; EUR when no country is found)")
    p.add_argument("--out", help="project file to write (.gpkg)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> Report:
    from planner import workflows

    name = args.name
    if args.out:
        out = Path(args.out)
    elif name.lower().endswith(".gpkg"):  # `planner new marseille.gpkg`: the name is the output path
        out = Path(name)
        name = out.stem
    else:
        out = Path(f"{name}.gpkg")
    if out.suffix.lower() != ".gpkg":
        out = out.with_suffix(".gpkg")
    if out.exists() and not args.force:
        raise InvalidInputError(f"`{out}`: already exists; use --force to overwrite")
    notes: list[str] = []
    project = workflows.new_project(
        name, boundary=args.boundary, districts=args.districts, name_field=args.name_field,
        code_field=args.code_field, boundary_layer=args.boundary_layer,
        districts_layer=args.districts_layer, crs=args.crs, notes=notes, jurisdiction=args.jurisdiction,
        currency=args.currency, guess_locale=True)
    workflows.save(project, out)
    doc = workflows.info(project, path=out)
    doc["notes"] = notes
    return Report(doc, text=f"created {out}\n" + workflows.format_info(doc), warnings=notes)
