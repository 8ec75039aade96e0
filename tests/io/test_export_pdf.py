"""PDF report: a document with embedded fonts; Marseille reads as a report."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from planner.exports import export_all
from tests.io._export_helpers import add_fake_coverage, hostile


def _pages(path) -> int:
    data = path.read_bytes()
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page>")


def test_small_pdf_with_coverage(small_project, tmp_path):
    add_fake_coverage(small_project)
    hostile(small_project)
    out = export_all(small_project, tmp_path / "r.pdf", "pdf")[0]
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data
    assert not list(tmp_path.glob(".*"))


@pytest.mark.slow
def test_marseille_report(tmp_path):
    from planner.workflows import open_project
    from tests.conftest import SAMPLES

    out = export_all(open_project(SAMPLES / "marseille.gpkg"), tmp_path / "marseille.pdf", "pdf")[0]
    assert out.stat().st_size > 200_000
    if shutil.which("pdfinfo") and shutil.which("pdffonts") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
        pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
        assert pages >= 10
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert fonts and all(" yes " in ln for ln in fonts)  # every font embedded
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        for needle in ("Marseille", "Assumptions and sources", "Retention and the legal check",
                       "Bill of materials and costs by phase", "Phase 2016", "Phase 2020", "Cumulative CAPEX",
                       "Methodology", "L252-5"):
            assert needle in text, needle
