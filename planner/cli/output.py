"""How CLI commands print: one JSON document with ``--json``, text otherwise."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """What a command returns: JSON-able ``data`` and the human text for it."""

    data: dict[str, Any]
    text: str = ""
    exit_code: int = 0
    warnings: list[str] = field(default_factory=list)


def _clean(value: Any) -> Any:
    """Make ``value`` strict-JSON friendly (NaN/inf become null, numpy to Python)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(_clean(data), indent=2, ensure_ascii=False, allow_nan=False)


def print_report(report: Report, *, as_json: bool) -> None:
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if as_json:
        sys.stdout.write(to_json(report.data) + "\n")
    else:
        text = report.text or to_json(report.data)
        sys.stdout.write(text.rstrip("\n") + "\n")
