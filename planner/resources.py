"""Look up files shipped in the top-level ``resources/`` folder.

Every lookup goes through :func:`resource_path` (house style §6.1): it first
tries the installed copy (``importlib.resources.files("planner") / "_resources"``:
in the checkout ``planner/_resources`` is a symlink to the top-level
``resources/`` folder, which the wheel build copies into the package) and falls
back to the checkout's top-level ``resources/`` folder next to ``planner/``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as _ilr
from pathlib import Path
from typing import Any

__all__ = ["load_json_resource", "resource_path"]

_CHECKOUT_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    """Return the path of the resource file ``name`` (e.g. ``"bitrates.json"``).

    Parameters
    ----------
    name
        File name relative to the ``resources/`` folder; may contain ``/``.

    Returns
    -------
    pathlib.Path
        An existing file.

    Raises
    ------
    FileNotFoundError
        If neither the installed copy nor the checkout has the file.
    """
    try:
        installed = _ilr.files("planner").joinpath("_resources", *name.split("/"))
        if installed.is_file():
            return Path(str(installed))
    except (ModuleNotFoundError, NotADirectoryError, FileNotFoundError):  # pragma: no cover
        pass
    local = _CHECKOUT_RESOURCES.joinpath(*name.split("/"))
    if local.is_file():
        return local
    msg = f"resource `{name}` not found in the installed package nor in {_CHECKOUT_RESOURCES}"
    raise FileNotFoundError(msg)


@lru_cache(maxsize=32)
def _load_json_cached(name: str) -> str:
    return resource_path(name).read_text(encoding="utf-8")


def load_json_resource(name: str) -> Any:
    """Parse and return the JSON resource ``name`` (a fresh object on every call)."""
    return json.loads(_load_json_cached(name))
