"""Offline HTML map: no remote URL, user text escaped, coverage layers; Chromium check when available."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from planner.exports import COVERAGE_MISSING, export_all
from planner.io.export_html import REMOTE_URL_RE
from tests.io._export_helpers import add_fake_coverage, hostile


def test_no_remote_urls_and_escaping(small_project, tmp_path):
    hostile(small_project)
    cam = small_project.node("cam-0002")
    small_project.replace_nodes([cam.with_changes(phase="<b>2</b>")])  # phases become layer names
    html = export_all(small_project, tmp_path / "m.html", "html")[0].read_text(encoding="utf-8")
    assert REMOTE_URL_RE.search(html) is None
    assert "leaflet.js" not in html.lower() or "<script src" not in html.lower()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>2</b>" not in html and "&lt;b&gt;2&lt;/b&gt;" in html
    assert "L.map(" in html and "L.control.layers" in html
    assert COVERAGE_MISSING in html


def test_remote_url_regex():
    assert REMOTE_URL_RE.search('<script src="https://cdn.example/x.js">')
    assert REMOTE_URL_RE.search("<link href='http://x/y.css'>")
    assert REMOTE_URL_RE.search('<img src="//cdn.example/x.png">')
    assert not REMOTE_URL_RE.search('<a href="#close">')


def test_coverage_layers(small_project, tmp_path):
    add_fake_coverage(small_project)
    html = export_all(small_project, tmp_path / "m.html", "html")[0].read_text(encoding="utf-8")
    assert "Coverage detect (25 px/m), day" in html and "Coverage recognise (125 px/m), night" in html
    assert COVERAGE_MISSING not in html


def _chromium() -> str | None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    return exe if exe and shutil.which("unshare") and os.geteuid() == 0 else None


@pytest.mark.skipif(_chromium() is None, reason="needs chromium and unshare (root) for a network-less check")
def test_renders_offline_in_chromium(small_project, tmp_path):
    hostile(small_project)
    page = export_all(small_project, tmp_path / "m.html", "html")[0]
    dom = subprocess.run(
        ["unshare", "-n", _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
         f"--user-data-dir={tempfile.mkdtemp()}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60).stdout
    assert "leaflet-container" in dom and "leaflet-interactive" in dom  # the map and its vectors were drawn
    assert "leaflet-control-layers" in dom
    assert "<script>alert" not in dom


def test_coverage_overlay_png_burns_the_band_cells():
    """A 800 m x 800 m band square in Web Mercator becomes 100 x 100 opaque 8 m cells of the level's colour."""
    import base64
    import io

    import geopandas as gpd
    import numpy as np
    import shapely
    from PIL import Image

    from planner.io.export_html import COVERAGE_COLOURS, _coverage_overlays

    sq = shapely.box(600_000.0, 5_350_000.0, 600_800.0, 5_350_800.0)
    big = shapely.box(599_200.0, 5_349_200.0, 601_600.0, 5_351_600.0).difference(sq.buffer(80.0))
    cov = gpd.GeoDataFrame({"level": ["detect", "monitor"], "level_index": [2, 1], "period": ["day", "day"]},
                           geometry=[sq, big], crs=3857)
    out = _coverage_overlays(cov, {"monitor": 0, "detect": 1}, {"monitor": 12.5, "detect": 25})
    assert [o[0] for o in out] == ["Coverage monitor (12.5 px/m), day", "Coverage detect (25 px/m), day"]
    _, colour, show, uri, bounds = out[1]
    assert colour == COVERAGE_COLOURS[1] and not show and out[0][2]
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    band = np.asarray(img)
    assert band.shape == (300, 300)  # the 2,400 m extent in 8 m cells
    assert int((band == 1).sum()) == 100 * 100
    rgb = img.getpalette()[3:6]
    assert "#" + "".join(f"{v:02x}" for v in rgb) == COVERAGE_COLOURS[1]
    (s, w), (n, e) = bounds
    assert s < n and w < e and abs((e - w) - 2400 / 6378137 * 180 / np.pi) < 1e-9
