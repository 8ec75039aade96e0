"""KML / KMZ: structure, WGS 84 and escaping of user text."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

from planner.workflows.export import COVERAGE_MISSING, export_all
from tests.io._export_helpers import add_fake_coverage, hostile

NS = {"k": "http://www.opengis.net/kml/2.2"}


def test_kml_escapes_and_folders(small_project, tmp_path):
    hostile(small_project)
    out = export_all(small_project, tmp_path / "p.kml", "kml")[0]
    raw = out.read_text(encoding="utf-8")
    assert "<script>" not in raw and "<img" not in raw
    root = ET.fromstring(raw.encode("utf-8"))
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", NS)]
    assert "<script>alert('x')</script>" in names  # the text survives, as text
    descs = [e.text for e in root.iterfind(".//k:Placemark/k:description", NS)]
    assert any("&lt;script&gt;" in d for d in descs)  # HTML-escaped inside the balloon
    assert not any("<script" in d for d in descs)
    folders = [e.text for e in root.iterfind(".//k:Folder/k:name", NS)]
    for f in ("Cameras", "Fields of view (detection range, no terrain)", "Storage centres", "Coverage"):
        assert f in folders
    assert COVERAGE_MISSING in raw
    coords = root.find(".//k:Point/k:coordinates", NS).text
    lon, lat, _ = (float(v) for v in coords.split(","))
    assert 5 < lon < 6 and 43 < lat < 44
    assert "http://" not in raw.replace("http://www.opengis.net/kml/2.2", "")


def test_kmz_with_coverage(small_project, tmp_path):
    add_fake_coverage(small_project)
    out = export_all(small_project, tmp_path / "p.kmz", "kmz")[0]
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["doc.kml"]
        root = ET.fromstring(zf.read("doc.kml"))
    folders = [e.text for e in root.iterfind(".//k:Folder/k:name", NS)]
    assert "Coverage, day" in folders and "Coverage, night" in folders


def test_kml_coverage_colours_come_from_the_shared_palette(small_project, tmp_path):
    """A detect polygon is filled with the palette's detect colour, in KML's aabbggrr order."""
    from planner import style
    from planner.io.export_kml import kml_colour

    assert kml_colour("#9ebcda", 0x66) == "66dabc9e"  # rr=9e gg=bc bb=da, reversed after the alpha
    add_fake_coverage(small_project)
    out = export_all(small_project, tmp_path / "p.kml", "kml")[0]
    root = ET.fromstring(out.read_bytes())
    fills = {}
    for st in root.iterfind(".//k:Style", NS):
        poly = st.find("k:PolyStyle/k:color", NS)
        if poly is not None:
            fills[st.get("id")] = poly.text
    for pm in root.iterfind(".//k:Placemark", NS):
        name = pm.find("k:name", NS).text
        if name in ("detect (day)", "recognise (night)"):
            lvl = name.split()[0]
            assert fills[pm.find("k:styleUrl", NS).text[1:]] == kml_colour(style.LEVEL_COLOURS[lvl], 0x66), name
