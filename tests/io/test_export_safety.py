"""Export safety: path checks, no half-written files, CLI, every format on a sample."""

from __future__ import annotations

import pytest

from planner.cli.main import main
from planner.errors import InvalidInputError
from planner.workflows import export as exports


def test_out_is_a_directory(small_project, tmp_path):
    with pytest.raises(InvalidInputError, match="is a folder"):
        exports.export_all(small_project, tmp_path, "pdf")


def test_parent_missing(small_project, tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        exports.export_all(small_project, tmp_path / "no" / "x.kml", "kml")


def test_all_needs_a_folder(small_project, tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("keep")
    with pytest.raises(InvalidInputError, match="needs a folder"):
        exports.export_all(small_project, f, "all")
    assert f.read_text() == "keep"


def test_unknown_format(small_project, tmp_path):
    with pytest.raises(InvalidInputError):
        exports.export_all(small_project, tmp_path / "x.shp", "shp")


def test_slug_cannot_escape():
    for name in ("../../etc/passwd", "/abs/path", "..", "a/b\\c"):
        s = exports.slug(name)
        assert "/" not in s and "\\" not in s and not s.startswith(".")


@pytest.mark.parametrize(("fmt", "target"), [
    ("kml", "planner.io.export_kml.kml_document"),
    ("pdf", "planner.io.export_pdf._section_costs"),
    ("html", "planner.io.export_html.build_map"),
    ("csv", "planner.io.export_csv.bom_csv_text"),
    ("gpkg", "planner.io.export_gpkg._prepare"),
    ("geojson", "planner.io.export_geojson.nodes_feature_collection"),
])
def test_failed_export_leaves_nothing(small_project, tmp_path, monkeypatch, fmt, target):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(target, boom)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(RuntimeError):
        exports.export_all(small_project, folder / f"x.{fmt}", fmt)
    assert list(folder.iterdir()) == []


def test_failure_keeps_previous_file(small_project, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "x.kml"
    out.write_text("old")
    monkeypatch.setattr("planner.io.export_kml.kml_document", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        exports.export_all(small_project, out, "kml")
    assert out.read_text() == "old" and [p.name for p in folder.iterdir()] == ["x.kml"]


def test_cli_errors_exit_2(tmp_path, capsys):
    from tests.conftest import SAMPLES

    sample = str(SAMPLES / "santiago.gpkg")
    assert main(["export", sample, "--format", "pdf", "--out", str(tmp_path)]) == 2
    assert main(["export", sample, "--format", "pdf", "--out", str(tmp_path / "a" / "b.pdf")]) == 2
    assert main(["export", sample, "--format", "gpkg", "--out", sample]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and all(len(ln) < 200 for ln in err.splitlines())


def test_cli_all_formats_on_a_sample(tmp_path, capsys):
    """Cochabamba: radio sites, microwave and two stages; every format from the CLI."""
    from tests.conftest import SAMPLES

    out = tmp_path / "out"
    assert main(["export", str(SAMPLES / "cochabamba.gpkg"), "--format", "all", "--out", str(out), "--json"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["cochabamba.gpkg", "cochabamba-nodes.geojson", "cochabamba.kml", "cochabamba.kmz",
                            "cochabamba-bom.csv", "cochabamba-map.html", "cochabamba-report.pdf"])
    assert all((out / n).stat().st_size > 1000 for n in names)


def test_empty_project_exports(tmp_path):
    """Santiago has no nodes yet: every format still exports."""
    import json
    import sqlite3
    import xml.etree.ElementTree as ET
    import zipfile

    from planner.workflows import open_project
    from tests.conftest import SAMPLES

    files = {p.suffix: p for p in exports.export_all(open_project(SAMPLES / "santiago.gpkg"), tmp_path / "s", "all")}
    assert sorted(files) == [".csv", ".geojson", ".gpkg", ".html", ".kml", ".kmz", ".pdf"]
    con = sqlite3.connect(files[".gpkg"])  # the 32 comunas and the study area, no node layer
    tables = {r[0] for r in con.execute("select table_name from gpkg_contents")}
    assert {"study_area", "districts"} <= tables and "cameras" not in tables
    assert con.execute("select count(*) from districts").fetchone()[0] == 32
    con.close()
    doc = json.loads(files[".geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["features"] == []
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(files[".kml"]).getroot()
    assert root.tag.endswith("kml") and root.findall(".//k:Placemark/k:Point", ns) == []
    with zipfile.ZipFile(files[".kmz"]) as zf:
        assert "doc.kml" in zf.namelist()
    rows = files[".csv"].read_text(encoding="utf-8").splitlines()
    assert rows and "," in rows[0]  # a header, and no camera lines
    assert not [r for r in rows[1:] if r.lower().startswith("camera")]
    page = files[".html"].read_text(encoding="utf-8")
    assert "<html" in page.lower() and "Santiago" in page
    assert files[".pdf"].read_bytes().startswith(b"%PDF")


def test_derived_blocks_are_labelled_an_approximation_in_every_export(tmp_path) -> None:
    """Montevideo's buildings are blocks derived from streets: every export says so."""
    import shutil
    import sqlite3
    import zipfile

    from planner.io.project_file import load_project
    from planner.workflows import export as exports
    from tests.conftest import SAMPLES

    src = tmp_path / "montevideo.gpkg"
    shutil.copy(SAMPLES / "montevideo.gpkg", src)
    project = load_project(src)
    assert exports.approximations(project)
    for fmt, name in (("html", "m.html"), ("kmz", "m.kmz"), ("gpkg", "m.gpkg")):
        out = tmp_path / name
        exports.export_all(project, out, fmt, protect=[src])
        if fmt == "html":
            text = out.read_text(encoding="utf-8")
        elif fmt == "kmz":
            with zipfile.ZipFile(out) as zf:
                text = zf.read(zf.namelist()[0]).decode("utf-8")
        else:
            con = sqlite3.connect(out)
            text = " ".join(v for (v,) in con.execute("select value from export_info"))
            con.close()
        assert "derived from the street network (an approximation" in text, fmt
