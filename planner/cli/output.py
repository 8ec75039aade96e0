"""How CLI commands print: one JSON document with ``--json``, text otherwise."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from planner.io.jsonable import jsonable


@dataclass
class Report:
    """What a command returns: JSON-able ``data`` and the human text for it."""

    data: dict[str, Any]
    text: str = ""
    exit_code: int = 0
    warnings: list[str] = field(default_factory=list)


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)


def print_report(report: Report, *, as_json: bool) -> None:
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if as_json:
        sys.stdout.write(to_json(report.data) + "\n")
    else:
        text = report.text or to_json(report.data)
        sys.stdout.write(text.rstrip("\n") + "\n")
