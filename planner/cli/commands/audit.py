"""``planner audit``: what a register of existing cameras can see, as an envelope of three capability scenarios."""

from __future__ import annotations

import argparse

from planner.cli.output import Report

NAME = "audit"
HELP = ("audit a register of existing cameras (CSV, GeoJSON, OpenStreetMap): coverage envelope low/median/high "
        "per district and along streets, rejected rows, availability, sensitive sites, claims")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("register", nargs="+", help="register(s) of cameras: CSV, GeoJSON, .osm or .osm.pbf")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--boundary", help="study area polygon(s); several polygons are the districts")
    where.add_argument("--project", help="project file (.gpkg): its area, districts, streets, buildings and DEM")
    p.add_argument("--districts", help="district polygons (default: the boundary's polygons, or the project's)")
    p.add_argument("--name-field", help="districts: field holding the name")
    p.add_argument("--crs", help="CRS of the register's coordinates (default WGS 84)")
    p.add_argument("--sites", help="sensitive sites (points, or an OSM extract: schools, worship, health)")
    p.add_argument("--claims", help="claims to check (YAML or JSON), reported with the audit")
    p.add_argument("--out", help="folder for audit.json, the PDF report and the HTML map")
    p.add_argument("--save", action="store_true", help="with --project: keep the audit in the project "
                   "(then `planner export --format audit-pdf`)")
    p.add_argument("--out-of-service", metavar="S", help="availability: a share out of service (0.47) or camera ids")
    p.add_argument("--draws", type=int, default=50, help="availability: random draws (default 50)")
    p.add_argument("--seed", type=int, default=1, help="availability: random seed (default 1)")
    p.add_argument("--resolution-m", type=float, default=2.0, help="grid cell in metres (default 2)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (0 = in-process)")


def run(args: argparse.Namespace) -> Report:
    from pathlib import Path

    from planner import workflows
    from planner.audit.availability import AvailabilityParams, parse_out_of_service
    from planner.audit.claims import load_claims
    from planner.audit.run import AuditParams, format_audit, run_audit
    from planner.errors import InvalidInputError

    avail = None
    if args.out_of_service is not None:
        share, ids = parse_out_of_service(args.out_of_service)
        avail = AvailabilityParams(share=share, ids=ids, draws=args.draws, seed=args.seed)
    claims = load_claims(args.claims) if args.claims else None
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise InvalidInputError(f"`--out`: {out} is a file, not a folder")
    if args.save and not args.project:
        raise InvalidInputError("`--save` needs `--project`")
    project = workflows.open_project(args.project) if args.project else None
    res = run_audit(args.register, project=project, boundary=args.boundary, districts=args.districts,
                    name_field=args.name_field, crs=args.crs, sites=args.sites, claims=claims,
                    params=AuditParams(resolution_m=args.resolution_m, out_of_service=avail, workers=args.workers))
    doc = res.doc
    text = format_audit(doc)
    if out is not None:
        from planner.audit.outputs import write_outputs

        files = write_outputs(res, out)
        doc = {**doc, "files": [str(f) for f in files]}
        text += "\nwrote " + ", ".join(str(f) for f in files)
    if args.save:
        from planner.audit.outputs import store_in_project

        assert project is not None  # `--save` without `--project` is refused above
        store_in_project(res, project)
        workflows.save(project, args.project)
        text += f"\naudit kept in {args.project}"
    return Report(doc, text=text)
