"""PDF report: a document with embedded fonts; Marseille reads as a report."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from planner.workflows.export import export_all
from tests.io._export_helpers import add_fake_coverage, add_fake_priority_sites, hostile


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
    # poppler-utils comes with scripts/setup.sh: the page, font and text checks always run
    for tool in ("pdfinfo", "pdffonts", "pdftotext"):
        assert shutil.which(tool), f"{tool} missing: run scripts/setup.sh (it installs poppler-utils)"
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


def _pdftotext(path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _small_with_sites(project):
    return add_fake_priority_sites(project)


def test_contents_summary_priority_sites_and_plurals(small_project, tmp_path):
    _small_with_sites(small_project)
    out = export_all(small_project, tmp_path / "r.pdf", "pdf")[0]
    text = _pdftotext(out)
    assert "Contents" in text and "Executive summary" in text and "Key figures" in text and "Findings" in text
    # the contents give each section's page, and the heading is on that page
    contents = _pdftotext(out, 2)
    entries = re.findall(r"^\s*(\S.*?)\s*_*\s+(\d+)\s*$", contents, re.MULTILINE)
    entries = [(t.rstrip("_ "), int(p)) for t, p in entries if t.strip() != "Contents"]
    titles = [t for t, _ in entries]
    assert "Executive summary" in titles and "3. Coverage" in titles and "8. Methodology" in titles
    for title, page in entries:
        assert title in _pdftotext(out, page), (title, page)
    # priority sites: the one no camera sees is listed; the summary counts them
    assert "Priority site not seen by day" in text and "Old church" in text
    assert "1 of 2 priority sites are seen by day" in text
    # the fake coverage says 1.1 % at detect by day (tests/io/_export_helpers.py)
    assert "Cameras see 1.1 % of the study area at least at detect level by day" in text
    assert "1 is seen by no camera (Old church)" in text
    # plurals: one camera per phase, the centres have no phase (tests/conftest.py)
    assert "1: 1 camera; 2: 1" in text and "(no phase): 1 storage centre, 1 command centre" in text
    assert "1 cameras" not in text and "1 storage centres" not in text


def test_user_text_is_literal_not_mathtext(small_project, tmp_path):
    small_project.name = "Budget $5 to $10 a head"
    cam = small_project.node("cam-0002")
    small_project.replace_nodes([cam.with_changes(phase="$x^2$")])  # a phase is a legend label
    out = export_all(small_project, tmp_path / "r.pdf", "pdf")[0]
    text = _pdftotext(out)
    assert "Budget $5 to $10 a head" in text
    assert "$x^2$" in text
    # nowhere rendered as mathtext: no artist of any page has an unescaped user '$' left to parse
    from matplotlib.figure import Figure

    from planner.io import export_pdf

    seen: list[str] = []
    parsed: list[str] = []
    original = Figure.savefig

    def spy(fig, *a, **k):
        for t in fig.findobj(lambda o: hasattr(o, "get_text") and hasattr(o, "get_parse_math")):
            txt = t.get_text()
            if "x^2" in txt or "$5" in txt:
                seen.append(txt)
                if t.get_parse_math() and r"\$" not in txt:  # would be drawn as mathtext
                    parsed.append(txt)
        return original(fig, *a, **k)

    Figure.savefig = spy
    try:
        export_pdf.write_pdf_report(tmp_path / "again.pdf", *_report_and_layers(small_project))
    finally:
        Figure.savefig = original
    assert len(seen) > 5 and parsed == []  # tables, headings, footers, legends, tick labels: all literal


def _report_and_layers(project):
    from planner.workflows.export import prepare, report_document

    data = prepare(project)
    return report_document(data), data.layers


def _text_overlaps(fig) -> list[str]:
    """Pairs of figure texts on one line closer than 3 px (about 2 pt): two table cells run together."""
    r = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in fig.texts if t.get_text().strip()]
    bad = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            ox = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            oy = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if ox > -3.0 and oy > 1.0:
                bad.append(f"{a!r} overlaps {b!r}")
    return bad


def test_no_text_runs_into_another_and_legends_stay_on_the_page(small_project, tmp_path, monkeypatch):
    """'Storage centresCommand centres' (two header cells touching) and a legend cut at 'command cen'."""
    from planner.io import export_pdf

    _small_with_sites(small_project)
    _with_optimise(small_project)  # and the optimised-placement section
    problems: list[str] = []
    original = export_pdf._Doc.close_page

    def check(self):
        if self.fig is not None and not getattr(self, "dry", False):
            problems.extend(f"page {self.page}: {p}" for p in _text_overlaps(self.fig))
            r = self.fig.canvas.get_renderer()
            fw, fh = self.fig.bbox.width, self.fig.bbox.height
            for ax in self.fig.axes:
                leg = ax.get_legend()
                if leg is not None:
                    b = leg.get_window_extent(r)
                    if b.x0 < 0 or b.x1 > fw or b.y0 < 0 or b.y1 > fh:
                        problems.append(f"page {self.page}: legend outside the page {b}")
        original(self)

    monkeypatch.setattr(export_pdf._Doc, "close_page", check)
    export_all(small_project, tmp_path / "r.pdf", "pdf")
    assert problems == []


def test_retention_chart_bars_to_scale_with_target_and_legal_lines():
    from matplotlib.figure import Figure

    from planner import style
    from planner.io.export_pdf import _retention_chart

    ax = Figure().add_subplot()
    storage = [{"name": "North", "retention_days": 2.5}, {"name": "South", "retention_days": 10.0}]
    _retention_chart(ax, storage, target_days=8.0, legal={"max_days": 30})
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [2.5, 10.0]  # each bar as long as its retention, not all full length
    vlines = sorted(ln.get_xdata()[0] for ln in ax.lines)
    assert vlines == [8.0, 30.0]  # the target and the legal maximum are drawn
    colours = {p.get_width(): p.get_facecolor() for p in ax.patches}
    from matplotlib.colors import to_rgba

    assert colours[2.5] == to_rgba(style.LOAD_FULL) and colours[10.0] == to_rgba(style.LOAD_OK)
    assert ax.get_xlim()[1] > 30.0


@pytest.mark.slow
def test_marseille_report_lists_the_priority_sites_not_seen(tmp_path):
    """With coverage computed, the Marseille report names the 17 priority sites no camera sees."""
    from planner.workflows import apply_result, coverage_record, coverage_report, open_project
    from tests.conftest import SAMPLES

    project = open_project(SAMPLES / "marseille.gpkg")
    result, doc, _ = coverage_report(project)
    apply_result(project, coverage_record(project, result, doc))
    unseen = [s["name"] for s in project.results["coverage"].document["priority_sites"] if not s["best_level_day"]]
    out = export_all(project, tmp_path / "marseille.pdf", "pdf")[0]
    text = _pdftotext(out)
    flat = " ".join(text.split())
    assert len(unseen) == 17 and "Notre-Dame de la Garde" in unseen
    assert "96 of 113 priority sites are seen by day" in flat
    assert "17 sites are seen by no camera" in flat
    for name in unseen:
        assert name in text, name
    assert "2016: 1,000 cameras, 3 storage centres, 2 command centres; 2020: 1,000 cameras" in flat


def test_coverage_cells_stay_visible_at_city_scale_and_the_zoom_picks_the_most_covered_district():
    import geopandas as gpd
    import shapely

    from planner.io.export_pdf import _coverage_raster, _densest_window

    levels = [{"name": "monitor"}, {"name": "detect"}]
    # one 2 m cell seen at detect and one 2 m cell at monitor, in a 20 km wide city
    cov = gpd.GeoDataFrame({"level": ["detect", "monitor"], "level_index": [2, 1], "period": ["day", "day"]},
                           geometry=[shapely.box(5000, 5000, 5002, 5002), shapely.box(15000, 9000, 15002, 9002)],
                           crs=32631)
    arr, ext = _coverage_raster(cov, "day", (0.0, 0.0, 20000.0, 10000.0), levels=levels, pixels=900)
    assert arr.shape == (450, 900)  # 22.2 m pixels: a 2 m cell is a tenth of one
    assert (arr == 2).sum() >= 1 and (arr == 1).sum() >= 1  # enlarged to whole pixels, not lost
    assert ext == (0.0, 20000.0, 0.0, 10000.0)
    # the zoom: among the finest districts (quartiers), the one with the most area seen
    d = gpd.GeoDataFrame({"name": ["Arr 1", "Q a", "Q b"], "level": ["arr", "quartier", "quartier"]},
                         geometry=[shapely.box(0, 0, 20000, 10000), shapely.box(0, 0, 1000, 1000),
                                   shapely.box(4000, 4000, 6000, 6000)], crs=32631)
    r = {"coverage": {"levels": levels, "districts": [
        {"name": "Arr 1", "level": "arr", "day_km2": {"monitor": 9.0}},
        {"name": "Q a", "level": "quartier", "day_km2": {"monitor": 0.1}},
        {"name": "Q b", "level": "quartier", "day_km2": {"monitor": 0.4}}]}}
    name, window = _densest_window(r, {"districts": d})
    assert name == "Q b"
    minx, miny, maxx, maxy = window
    assert maxx - minx == pytest.approx(maxy - miny)  # square
    assert minx < 4000 and maxx > 6000 and (minx + maxx) / 2 == pytest.approx(5000)


def _with_optimise(project, **over):
    from planner.model.results import DocumentRecord

    summary = {"model": "max-coverage", "phase": "bid $1", "cameras_added": 3, "cameras_proposed": 4,
               "objective": 812.5, "bound": 830.0, "gap": (830.0 - 812.5) / 830.0, "optimal": False,
               "solver_status": "time limit reached", "coverage_before": 0.25, "coverage_after": 0.655,
               "level": "detect", "period": "night", "demand": "cells", "districts": ["Ouest"],
               "candidate_count": 120, "time_s": 4.2}
    summary.update(over)
    project.set_result(DocumentRecord.of("optimise", summary))
    return project


def test_report_has_an_optimised_placement_section_in_the_contents(small_project, tmp_path):
    _with_optimise(small_project)
    out = export_all(small_project, tmp_path / "r.pdf", "pdf")[0]
    contents = _pdftotext(out, 2)
    entries = dict((t.rstrip("_ ").strip(), int(p)) for t, p in
                   re.findall(r"^\s*(\S.*?)\s*_*\s+(\d+)\s*$", contents, re.MULTILINE))
    title = next(t for t in entries if t.endswith("Optimised placement"))
    page = _pdftotext(out, entries[title])
    assert title in page
    flat = " ".join(page.split())
    # gap (830 - 812.5) / 830 = 2.108 %; coverage 25 % -> 65.5 % of the demand weight
    for needle in ("max-coverage", "detect by night", "3 of 4 proposed", "phase bid $1", "812.5", "830",
                   "2.11 %", "not proven optimal", "25.0 %", "65.5 %", "time limit reached", "120",
                   "cells in Ouest"):
        assert needle in flat, needle
    summary = " ".join(_pdftotext(out, 3).split())
    assert ("The optimiser (max-coverage) added 3 cameras in phase bid $1: the demand seen at least at detect level "
            "by night goes from 25.0 % to 65.5 %; not proven optimal (gap 2.11 %); see section 3b.") in summary
    # the other sections keep their pages in the contents
    for t, p in entries.items():
        assert t in _pdftotext(out, p), (t, p)


def test_report_says_proven_optimal_only_with_the_proof(small_project, tmp_path):
    _with_optimise(small_project, optimal=True, bound=812.5, gap=0.0, solver_status="optimal")
    flat = " ".join(_pdftotext(export_all(small_project, tmp_path / "a.pdf", "pdf")[0]).split())
    assert "proven optimal" in flat and "not proven optimal" not in flat
    _with_optimise(small_project, optimal=None, bound=None, gap=None, solver_status="greedy only")
    flat = " ".join(_pdftotext(export_all(small_project, tmp_path / "b.pdf", "pdf")[0]).split())
    assert "not proven optimal" in flat and "no bound" in flat


def test_report_without_optimise_result_has_no_such_section(small_project, tmp_path):
    out = export_all(small_project, tmp_path / "r.pdf", "pdf")[0]
    assert "Optimised placement" not in _pdftotext(out)
