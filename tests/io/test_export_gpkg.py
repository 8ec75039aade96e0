"""GeoPackage export: every layer and table, project CRS; CSV bill of materials."""

from __future__ import annotations

import csv
import math

import pyogrio

from planner.workflows.export import export_all
from tests.io._export_helpers import add_fake_coverage


def test_gpkg_layers(small_project, tmp_path):
    add_fake_coverage(small_project)
    out = export_all(small_project, tmp_path / "x.gpkg", "gpkg")[0]
    layers = dict(pyogrio.list_layers(out))
    for name in ("study_area", "districts", "cameras", "storage_centres", "command_centres", "fov", "coverage",
                 "assignments", "bom", "costs_by_phase", "unit_prices", "storage", "coverage_districts"):
        assert name in layers, name
    info = pyogrio.read_info(out, layer="cameras")
    assert info["crs"] == "EPSG:32631"
    cov = pyogrio.read_dataframe(out, layer="coverage")
    assert set(cov["period"]) == {"day", "night"}
    assert not list(tmp_path.glob(".*"))  # no temporary left


def test_bom_csv_adds_up(small_project, tmp_path):
    out = export_all(small_project, tmp_path / "bom.csv", "csv")[0]
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lines = [r for r in rows if r["kind"] == "CAPEX"]
    subtotal = {r["phase"]: float(r["amount"]) for r in rows if r["kind"] == "CAPEX subtotal"}
    cumulative = {r["phase"]: float(r["amount"]) for r in rows if r["kind"] == "CAPEX cumulative"}
    total = next(float(r["amount"]) for r in rows if r["kind"] == "CAPEX total")
    for ph, v in subtotal.items():
        assert math.isclose(sum(float(r["amount"]) for r in lines if r["phase"] == ph), v, abs_tol=0.05)
    assert math.isclose(sum(subtotal.values()), total, abs_tol=0.05)
    assert math.isclose(cumulative[list(cumulative)[-1]], total, abs_tol=0.05)
    assert all(r["source"] for r in lines)
    assert {r["currency"] for r in lines} == {"EUR"}


def test_csv_neutralises_formulas(small_project, tmp_path):
    cam = small_project.node("cam-0002")
    small_project.replace_nodes([cam.with_changes(phase="=HYPERLINK(\"x\")")])
    text = export_all(small_project, tmp_path / "bom.csv", "csv")[0].read_text(encoding="utf-8-sig")
    assert "\n=HYPERLINK" not in text and "'=HYPERLINK" in text
