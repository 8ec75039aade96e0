"""Architecture rules: Qt only under planner/gui, the core imports without a display, no pickle/eval."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "planner"
LAYERS = {"model": 0, "analysis": 1, "io": 1, "workflows": 2, "cli": 3, "gui": 3}
#: The CLI commands that open the window import the GUI's entry point lazily, inside the function.
ENTRY_POINTS = {("planner/cli/commands/gui.py", "planner.gui.app"), ("planner/cli/commands/run.py", "planner.gui.app")}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
    return out


def test_qt_only_in_gui() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        if "gui" in path.relative_to(PKG).parts:
            continue
        for mod in _imports(path):
            if mod.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                offenders.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert offenders == []


def test_layers_depend_downwards_only() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG).parts
        layer = parts[0].removesuffix(".py")
        if layer not in LAYERS:
            continue
        for mod in _imports(path):
            bits = mod.split(".")
            if bits[0] != "planner" or len(bits) < 2 or bits[1] not in LAYERS:
                continue
            if (str(path.relative_to(ROOT)), mod) in ENTRY_POINTS:
                continue
            if LAYERS[bits[1]] > LAYERS[layer] or (LAYERS[bits[1]] == LAYERS[layer] and bits[1] != layer):
                offenders.append(f"{path.relative_to(ROOT)} ({layer}) imports {mod}")
    assert offenders == []


def test_no_pickle_or_eval_in_the_package() -> None:
    bad = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                bad.append(f"{path.relative_to(ROOT)}: {node.func.id}()")
        if "pickle" in _imports(path):
            bad.append(f"{path.relative_to(ROOT)}: imports pickle")
    assert bad == []


def test_core_runs_without_qt() -> None:
    """The CLI and the analyses import and run with PySide6 blocked (a machine without Qt)."""
    code = ("import sys; sys.modules['PySide6'] = None; "
            "from planner.cli.main import main; "
            "sys.exit(main(['info', 'sample_projects/santiago.gpkg', '--json']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert '"epsg": 32719' in out.stdout


def test_jsonable_makes_strict_json() -> None:
    import json

    import numpy as np

    from planner.io.jsonable import jsonable

    doc = jsonable({"a": np.float32(1.5), "b": [np.int64(3), float("nan")], 4: (float("inf"), "x")})
    assert doc == {"a": 1.5, "b": [3, None], "4": [None, "x"]}
    json.dumps(doc, allow_nan=False)
