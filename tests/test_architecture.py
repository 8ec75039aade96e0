"""Architecture rules: Qt only under planner/gui, the core imports without a display, no pickle/eval."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "planner"


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


def test_import_contracts() -> None:
    """The layer and Qt contracts of pyproject.toml ([tool.importlinter]) hold: run import-linter on them."""
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in out.stdout


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
