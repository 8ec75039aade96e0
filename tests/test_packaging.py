"""The wheel ships its resources: an installed planner finds them without the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_resources_and_runs(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("planner-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    for res in ("bitrates.json", "camera_types.json", "legal_retention.json", "unit_prices.json",
                "leaflet/leaflet.js", "leaflet/LICENSE"):
        assert f"planner/_resources/{res}" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = next(zf_name for zf_name in names if zf_name.endswith(".dist-info/METADATA"))
    metadata = (site / meta).read_text()
    assert "License-Expression: MIT" in metadata and "Classifier: Topic :: Scientific/Engineering :: GIS" in metadata
    code = ("import sys, planner, planner.resources as r; "
            "p = r.resource_path('leaflet/leaflet.js'); print(planner.__file__); print(p); "
            "from planner.cli.main import main; "
            f"sys.exit(main(['validate', {str(ROOT / 'sample_projects' / 'montevideo.gpkg')!r}]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    module_file, leaflet = out.stdout.splitlines()[:2]
    assert module_file.startswith(str(site)) and leaflet.startswith(str(site))
