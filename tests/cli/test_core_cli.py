from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("planner 0.")


def test_new_info_import_validate(capsys, tmp_path: Path, square_geojson: Path) -> None:
    proj = tmp_path / "demo.gpkg"
    code, out, _ = run_cli(capsys, "new", "Demo", "--boundary", str(square_geojson), "--districts",
                           str(square_geojson), "--name-field", "nom", "--out", str(proj), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["crs"]["epsg"] == 32631 and doc["districts"] == 2
    code, out, err = run_cli(capsys, "new", "Demo", "--boundary", str(square_geojson), "--out", str(proj))
    assert code == 2 and "already exists" in err

    csv = tmp_path / "cams.csv"
    csv.write_text("name;lon;lat\nA;5.375;43.30\nB;5.38;43.302\n")
    code, out, _ = run_cli(capsys, "import", str(proj), "--layer", "cameras", str(csv), "--phase", "1", "--json")
    assert code == 0 and json.loads(out)["imported"]["count"] == 2

    code, out, _ = run_cli(capsys, "info", str(proj), "--json")
    doc = json.loads(out)
    assert doc["nodes"]["camera"] == 2 and doc["file"]["schema_version"] == 4
    code, out, _ = run_cli(capsys, "info", str(proj))
    assert "EPSG:32631" in out and "2 cameras" in out

    code, out, _ = run_cli(capsys, "validate", str(proj), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["valid"] and doc["warnings"] == 1  # no storage centre yet


def test_bad_input_exit_2_and_project_untouched(capsys, tmp_path: Path, square_geojson: Path) -> None:
    proj = tmp_path / "demo.gpkg"
    assert run_cli(capsys, "new", "Demo", "--boundary", str(square_geojson), "--out", str(proj))[0] == 0
    before = proj.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nA,43.30,east\n")
    code, out, err = run_cli(capsys, "import", str(proj), "--layer", "cameras", str(bad))
    assert code == 2
    assert err.count("\n") == 1 and "bad.csv" in err and "not a number" in err
    assert proj.read_bytes() == before
    code, _, err = run_cli(capsys, "new", "X", "--boundary", str(tmp_path / "missing.geojson"),
                           "--out", str(tmp_path / "x.gpkg"))
    assert code == 2 and "missing.geojson" in err and "no such file" in err


def test_bad_project_file_exit_3(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    code, _, err = run_cli(capsys, "info", str(bad))
    assert code == 3 and "broken.gpkg" in err
    code, _, err = run_cli(capsys, "validate", str(tmp_path / "none.gpkg"))
    assert code == 3 and "no such project file" in err


def test_validate_reports_errors_with_exit_2(capsys, tmp_path: Path, small_project) -> None:
    from planner.io.project_file import save_project
    from planner.model.nodes import Camera

    small_project.add_nodes([Camera(id="cam-0009", x=692100.0, y=4796100.0, storage_centre_id="store-404")])
    path = save_project(small_project, tmp_path / "p.gpkg")
    code, out, _ = run_cli(capsys, "validate", str(path), "--json")
    doc = json.loads(out)
    assert code == 2 and not doc["valid"] and doc["issues"][0]["code"] == "camera_storage_missing"


def test_console_script_and_module_entry_points() -> None:
    exe = Path(sys.executable).with_name("planner")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout
    out2 = subprocess.run([sys.executable, "-m", "planner", "--version"], capture_output=True, text=True,
                          check=True).stdout
    assert out == out2 and out.startswith("planner ")


def test_main_job_headless_writes_summary_report_and_map(capsys, tmp_path: Path, monkeypatch) -> None:
    """`planner run` without a display: every analysis, the summary, the PDF report and the map."""
    from tests.conftest import SAMPLES

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", str(SAMPLES / "cochabamba.gpkg"), "--out", str(out), "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["project"]["cameras"] == 420
    assert doc["coverage"]["cameras"] == 420 and len(doc["coverage"]["districts"]) == 50
    assert doc["network"]["totals"]["wireless_cameras"] == 420
    assert len(doc["radio"]["sites"]) == 29
    names = sorted(p.name for p in out.iterdir())
    assert names == ["cochabamba-map.html", "cochabamba-report.pdf", "summary.json", "summary.md"]
    assert (out / "cochabamba-report.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Coverage of 420 cameras" in (out / "summary.md").read_text(encoding="utf-8")


def test_info_text_keeps_a_space_after_long_phase_names_and_plurals_right(capsys) -> None:
    from tests.conftest import SAMPLES

    code, out, _ = run_cli(capsys, "info", str(SAMPLES / "cochabamba.gpkg"))
    assert code == 0
    phase_lines = [ln for ln in out.splitlines() if ln.startswith("Phase")]
    assert phase_lines and all(ln.startswith("Phase stage ") for ln in phase_lines)
    assert not any("stage 1420" in ln or "stage 2" + "29" in ln for ln in phase_lines)
    assert any(ln.startswith("Phase stage 1 ") for ln in phase_lines)
    assert "1 storage centre," in out and "1 storage centres" not in out
    assert "planning grids (synthetic)" in out and "(synthetic))s" not in out
