"""Camera-type files: a user's JSON file of camera types, read safely (moved here from analysis).

Reading is io's job (strict UTF-8 JSON, finite numbers, bounded nesting and size, one-line
errors naming the file); validating the entries is
:func:`planner.analysis.camera_types.parse_camera_types`, which the callers (workflows, CLI)
apply to what this returns.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from planner.errors import InvalidInputError
from planner.io.vector import read_json_file

#: Camera-type documents nest little: ``{"types": [{"sensor": {...}, "source": {...}}]}``.
MAX_DEPTH = 16


def read_camera_type_file(path: str | os.PathLike[str]) -> tuple[Any, str]:
    """``(document, origin)``: the parsed JSON of a camera-type file and the name errors should use."""
    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"`{p}` does not exist")
    return read_json_file(p, max_depth=MAX_DEPTH), p.name


__all__ = ["MAX_DEPTH", "read_camera_type_file"]
