"""Offline HTML map: no remote URL, user text escaped, coverage layers; Chromium check when available."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from planner.io.export_html import REMOTE_URL_RE
from planner.workflows.export import COVERAGE_MISSING, export_all
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
    assert "Coverage: seen at least at detect (25 px/m), day" in html
    assert "Coverage: seen at least at recognise (125 px/m), night" in html
    assert COVERAGE_MISSING not in html


def test_coverage_layers_are_seen_at_least_not_bands() -> None:
    """A camera's best-level bands (a detect disc inside a monitor ring) give a monitor layer with no hole."""
    import math

    import geopandas as gpd
    import shapely

    from planner.io.export_html import at_least_levels

    c = shapely.Point(0, 0)
    ring = c.buffer(100, 256).difference(c.buffer(50, 256))  # seen at monitor only
    disc = c.buffer(50, 256)                                  # seen at detect (hence at monitor too)
    far = shapely.box(1000, 0, 1010, 10)                      # another camera: 100 m² at monitor
    bands = gpd.GeoDataFrame({"level": ["monitor", "detect", "monitor"], "level_index": [1, 2, 1],
                              "period": ["day"] * 3}, geometry=[ring, disc, far], crs=32631)
    got = {lvl: g for lvl, _, g in at_least_levels(bands, "day")}
    assert list(got) == ["monitor", "detect"]
    # hand calculation: pi r^2 of the outer disc plus the far box; the disc alone at detect
    assert got["monitor"].area == pytest.approx(math.pi * 100 ** 2 + 100, rel=2e-3)
    assert got["detect"].area == pytest.approx(math.pi * 50 ** 2, rel=2e-3)
    assert got["monitor"].contains(c)  # no hole around the camera


def _site_colours(html: str) -> dict[str, str]:
    """``{popup title: fill colour}`` of the priority-site features written into the page."""
    import re

    return {t: c for c, t in re.findall(r'"c": "(#[0-9a-f]{6})"[^{}]*?"t": "(Priority site: [^"]*)"', html)}


def test_legend_priority_sites_labels_and_zoom_sizing(small_project, tmp_path):

    from planner import style
    from tests.io._export_helpers import add_fake_priority_sites

    add_fake_priority_sites(small_project)
    html = export_all(small_project, tmp_path / "m.html", "html")[0].read_text(encoding="utf-8")
    # legend: one swatch per level in the shared palette, phases, not-seen sites
    for lvl in ("detect", "observe", "recognise"):
        assert f"background:{style.LEVEL_COLOURS[lvl]}'></span><span>{lvl} (" in html
    assert "Coverage by day, seen at least at" in html
    assert f"background:{style.phase_colour(['1', '2'], '2')}'></span><span>phase 2 (1)" in html
    assert "not seen by any camera (1)" in html
    # priority sites coloured by the best level seen
    sites = _site_colours(html)
    assert sites == {"Priority site: Town hall": style.LEVEL_COLOURS["observe"],
                     "Priority site: Old church": style.NOT_SEEN}
    # district labels, and camera symbols resized on zoom; the opening view keeps clear of the panels
    assert r"pl-lbl pl-major\u0027\u003eOuest\u003c" in html and r"pl-lbl pl-major\u0027\u003eEst\u003c" in html
    assert "setRadius" in html and "zoomend" in html
    assert "paddingTopLeft" in html and "paddingBottomRight" in html


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


@pytest.mark.skipif(_chromium() is None, reason="needs chromium and unshare (root) for a network-less check")
def test_opening_view_keeps_the_study_area_clear_of_the_panels(small_project, tmp_path):
    """At the opening view (1280 x 800) the study area lies between the legend panel and the layer list."""
    import json
    import re

    add_fake_coverage(small_project)
    page = export_all(small_project, tmp_path / "m.html", "html")[0]
    minx, miny, maxx, maxy = small_project.study_area_gdf().to_crs(4326).total_bounds \
        if hasattr(small_project, "study_area_gdf") else __import__("geopandas").GeoSeries(
            [small_project.study_area], crs=small_project.crs).to_crs(4326).total_bounds
    probe = ("<script>window.addEventListener('load', function () { setTimeout(function () {"
             "var k = Object.keys(window).find(function (n) { return /^map_[0-9a-f]+$/.test(n); }); var m = window[k];"
             f"var a = m.latLngToContainerPoint([{miny}, {minx}]), b = m.latLngToContainerPoint([{maxy}, {maxx}]);"
             "var r = m.getContainer().getBoundingClientRect();"
             "var box = document.querySelector('.pl-box').getBoundingClientRect();"
             "var lc = document.querySelector('.leaflet-control-layers').getBoundingClientRect();"
             "function camR() { var out = null; m.eachLayer(function (l) { if (l.feature && l.getRadius &&"
             " l.feature.properties.t === 'A') out = l.getRadius(); }); return out; }"
             "var r0 = camR(), z0 = m.getZoom();"
             "m.once('zoomend', function () {"
             "document.body.setAttribute('data-probe', JSON.stringify({area: [a.x + r.left, b.x + r.left, b.y, a.y],"
             "box: [box.left, box.right], layers: [lc.left, lc.right], r0: r0, r1: camR(), z0: z0,"
             " z1: m.getZoom()})); });"
             "m.setZoom(z0 + 3, {animate: false}); }, 500); });</script>")
    probed = tmp_path / "probe.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        ["unshare", "-n", _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
         "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
         f"--user-data-dir={tempfile.mkdtemp()}", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=60).stdout
    got = json.loads(re.search(r"data-probe=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"'))
    left, right, _top, _bottom = got["area"]
    assert left > got["box"][1], got      # the study area starts right of the legend panel
    assert right < got["layers"][0], got  # and ends left of the layer list
    assert right - left > 300, got        # and is not shrunk to a stamp
    # camera symbols grow as the user zooms in (small at city scale so coverage shows between them)
    assert got["z1"] == pytest.approx(got["z0"] + 3)
    assert got["r1"] > got["r0"] > 0, got


def test_coverage_overlay_png_burns_the_band_cells():
    """Bands burnt into 8 m Web Mercator cells, each layer the area seen *at least* at its level.

    An 800 m x 800 m detect square inside a monitor frame (a 2,400 m square less the detect square
    buffered by 80 m): the detect layer is exactly 100 x 100 cells; the monitor layer is the frame plus
    the square, 2,400^2 - (800^2 + 4 x 800 x 80 + pi 80^2) + 800^2 m^2 = 5,379,894 m^2, 84,061 cells.
    """
    import base64
    import io
    import math

    import geopandas as gpd
    import numpy as np
    import shapely
    from PIL import Image

    from planner import style
    from planner.io.export_html import _coverage_overlays

    sq = shapely.box(600_000.0, 5_350_000.0, 600_800.0, 5_350_800.0)
    big = shapely.box(599_200.0, 5_349_200.0, 601_600.0, 5_351_600.0).difference(sq.buffer(80.0))
    cov = gpd.GeoDataFrame({"level": ["detect", "monitor"], "level_index": [2, 1], "period": ["day", "day"]},
                           geometry=[sq, big], crs=3857)
    out = _coverage_overlays(cov, [{"name": "monitor"}, {"name": "detect"}], {"monitor": 12.5, "detect": 25})
    assert [o[0] for o in out] == ["Coverage: seen at least at monitor (12.5 px/m), day",
                                   "Coverage: seen at least at detect (25 px/m), day"]

    def cells(entry):
        img = Image.open(io.BytesIO(base64.b64decode(entry[5].split(",", 1)[1])))
        return img, np.asarray(img)

    _, colour, k, lvl, show, uri, bounds = out[1]
    assert (colour, k, lvl, show) == (style.LEVEL_COLOURS["detect"], 2, "detect", True)
    img, band = cells(out[1])
    assert band.shape == (300, 300)  # the 2,400 m extent in 8 m cells
    assert int((band == 1).sum()) == 100 * 100
    rgb = img.getpalette()[3:6]
    assert "#" + "".join(f"{v:02x}" for v in rgb) == style.LEVEL_COLOURS["detect"]
    _, mon = cells(out[0])
    expected = (2400 ** 2 - (800 ** 2 + 4 * 800 * 80 + math.pi * 80 ** 2) + 800 ** 2) / 64
    assert int((mon == 1).sum()) == pytest.approx(expected, rel=2e-3)
    assert mon[150, 150] == 1  # the detect square is inside the monitor layer: no hole
    (s, w), (n, e) = bounds
    assert s < n and w < e and abs((e - w) - 2400 / 6378137 * 180 / np.pi) < 1e-9


def test_district_outlines_are_simplified_by_two_metres_not_more(small_project, tmp_path):
    """A district edge with a vertex every metre wobbling by 0.5 m keeps its corners and loses the wobble."""
    import re

    import numpy as np
    import shapely

    x0, y0 = 692000.0, 4796000.0
    xs = np.arange(0.0, 1001.0, 1.0)
    south = [(x0 + x, y0 + 0.5 * (k % 2)) for k, x in enumerate(xs)]  # 1,001 vertices on the south edge
    ring = south + [(x0 + 1000.0, y0 + 2000.0), (x0, y0 + 2000.0)]
    d = small_project.districts.iloc[:1].copy()
    d = d.set_geometry([shapely.Polygon(ring)], crs=small_project.crs)
    small_project.set_districts(d)
    html = export_all(small_project, tmp_path / "m.html", "html")[0].read_text(encoding="utf-8")
    k = html.find('"t": "' + str(d["name"].iloc[0]))
    assert k > 0
    start = html.rfind('{"coordinates": ', 0, k)
    coords = re.findall(r"\[(-?\d+\.\d+), (-?\d+\.\d+)\]", html[start:k])
    # the wobble (0.5 m < 2 m) is gone: a handful of vertices, not a thousand; the corners stay
    assert 4 <= len(coords) <= 8
