"""CSV bill of materials and costs by phase (UTF-8 with BOM so spreadsheet programs read accents).

Layout: one row per BoM line (phase, CAPEX or OPEX per year, group, item,
description, quantity, unit, unit price, amount, source, assumption), then a
summary block: CAPEX of each phase, cumulative CAPEX after each phase, OPEX
per year after each phase, and the CAPEX total. Amounts are in the project
currency, rounded to cents; the rows of a phase sum to its subtotal.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.io.atomic import atomic_write_with

__all__ = ["COLUMNS", "bom_csv_text", "write_bom_csv"]

COLUMNS = ("phase", "kind", "group", "item", "description", "quantity", "unit", "unit_price", "amount",
           "currency", "source", "assumption")


def _safe(text: Any) -> Any:
    """Neutralise spreadsheet formulas in user text (CSV injection): prefix ``'`` to = + - @."""
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def bom_csv_text(bom: Mapping[str, Any]) -> str:
    cur = bom["currency"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for ln in bom["lines"]:
        w.writerow([_safe(ln["phase"]), "CAPEX" if ln["category"] == "capex" else "OPEX per year",
                    ln["group"], _safe(ln["item"]), _safe(ln["description"]), f"{ln['quantity']:.3f}".rstrip("0").rstrip("."),
                    ln["unit"], f"{ln['unit_price']:.2f}", f"{ln['amount']:.2f}", cur, _safe(ln["source"]),
                    "yes" if ln["assumption"] else "no"])
    w.writerow([])
    for ph in bom["phases"]:
        w.writerow([_safe(ph), "CAPEX subtotal", "", "", f"CAPEX of phase {ph}", "", "", "",
                    f"{bom['capex_by_phase'][ph]:.2f}", cur, "", ""])
        w.writerow([_safe(ph), "CAPEX cumulative", "", "", f"Cumulative CAPEX after phase {ph}", "", "", "",
                    f"{bom['capex_cumulative'][ph]:.2f}", cur, "", ""])
        w.writerow([_safe(ph), "OPEX per year", "", "", f"OPEX per year once phase {ph} is installed", "", "", "",
                    f"{bom['opex_per_year'][ph]:.2f}", cur, "", ""])
    w.writerow(["all", "CAPEX total", "", "", "CAPEX of all phases", "", "", "", f"{bom['capex_total']:.2f}", cur,
                "", ""])
    for note in bom.get("notes", []):
        w.writerow(["", "note", "", "", _safe(note), "", "", "", "", "", "", ""])
    return buf.getvalue()


def write_bom_csv(path: str | os.PathLike[str], bom: Mapping[str, Any]) -> Path:
    """Write the bill of materials (``CostResult.to_dict()``) as CSV to ``path``, atomically."""
    text = bom_csv_text(bom)
    return atomic_write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline=""))
