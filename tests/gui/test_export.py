"""File ▸ Export: every format through the background runner, with the result or the error in the banner."""

from __future__ import annotations

from planner.workflows.export import EXTENSIONS


def _export(w, qtbot, fmt, out, monkeypatch):
    monkeypatch.setattr(w, "ask_export_path", lambda f: str(out))
    with qtbot.waitSignal(w.export_runner.done, timeout=60000):
        w.export_actions[fmt].trigger()
        assert w.progress.isVisible() and w.cancel_button.isVisible()
    assert not w.progress.isVisible()


def test_export_menu_lists_every_format(window):
    w = window
    texts = [a.text() for a in w.export_menu.actions() if a.text()]
    assert len(texts) == 8 and "All formats" in texts[-1].replace("&", "")
    assert set(w.export_actions) == set(EXTENSIONS) | {"all"}


def test_export_one_format_of_a_small_project(window, qtbot, tmp_path, monkeypatch):
    w = window
    out = tmp_path / "plan"  # no extension: the dialog path adds it
    _export(w, qtbot, "kmz", out, monkeypatch)
    written = tmp_path / "plan.kmz"
    assert written.exists() and written.stat().st_size > 0
    assert str(written) in w.messages.label.text() and not w.messages.isHidden()
    assert w.stack.is_clean  # exporting is not an edit


def test_export_all_formats_to_a_folder(window, qtbot, tmp_path, monkeypatch):
    w = window
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "small-bom.csv").write_text("old")
    asked = []
    monkeypatch.setattr(w, "ask_overwrite", lambda paths: asked.append(paths) or True)
    _export(w, qtbot, "all", folder, monkeypatch)
    assert [p.name for p in asked[0]] == ["small-bom.csv"]
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(["small.gpkg", "small-nodes.geojson", "small.kml", "small.kmz", "small-bom.csv",
                            "small-map.html", "small-report.pdf"])
    assert all((folder / f).stat().st_size > 0 for f in files)
    assert "7 files" in w.messages.label.text()


def test_export_all_declined_overwrite_writes_nothing(window, tmp_path, monkeypatch):
    w = window
    (tmp_path / "small.kml").write_text("old")
    monkeypatch.setattr(w, "ask_export_path", lambda f: str(tmp_path))
    monkeypatch.setattr(w, "ask_overwrite", lambda paths: False)
    w.export_actions["all"].trigger()
    assert not w.export_runner.running
    assert (tmp_path / "small.kml").read_text() == "old"


def test_export_montevideo_sample_csv_and_geojson(open_sample, qtbot, tmp_path, monkeypatch):
    import csv
    import json

    w = open_sample("montevideo")
    for fmt in ("csv", "geojson"):
        out = tmp_path / f"montevideo{EXTENSIONS[fmt]}"
        _export(w, qtbot, fmt, out, monkeypatch)
        assert out.exists() and out.stat().st_size > 1000
        assert str(out) in w.messages.label.text()
    doc = json.loads((tmp_path / "montevideo.geojson").read_text())
    assert len(doc["features"]) >= w.project.count_by_kind()["camera"]
    with open(tmp_path / "montevideo.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) > 5


def test_export_to_a_missing_folder_shows_the_error(window, tmp_path, monkeypatch):
    w = window
    monkeypatch.setattr(w, "ask_export_path", lambda f: str(tmp_path / "missing" / "plan.csv"))
    w.export_actions["csv"].trigger()
    assert not w.export_runner.running
    assert not w.messages.isHidden()
    assert "does not exist" in w.messages.label.text() and "Export failed" in w.messages.label.text()
    assert not (tmp_path / "missing").exists()


def test_export_refuses_to_overwrite_the_project_file(window):
    w = window
    assert not w.export("gpkg", w.path)
    assert "project file itself" in w.last_error


def test_error_while_writing_shows_in_the_banner(window, qtbot, tmp_path, monkeypatch):
    w = window
    from planner.errors import InvalidInputError
    from planner.workflows import export as exports

    def broken(data, fmt, out):
        raise InvalidInputError("`disk` is full; got 0 bytes free")

    monkeypatch.setattr(exports, "export_one", broken)
    with qtbot.waitSignal(w.export_runner.failed, timeout=30000):
        assert w.export("pdf", tmp_path / "r.pdf")
    assert "Export failed" in w.messages.label.text() and "`disk` is full" in w.messages.label.text()
    assert not (tmp_path / "r.pdf").exists()
    assert not w.progress.isVisible()


def test_export_can_be_cancelled(window, qtbot, tmp_path, monkeypatch):
    w = window
    from planner.workflows import export as exports

    real = exports.prepare

    def slow_prepare(project, *, progress=None):
        import time

        for i in range(100):
            progress(i / 100, "preparing")
            time.sleep(0.01)
        return real(project, progress=progress)

    monkeypatch.setattr(exports, "prepare", slow_prepare)
    with qtbot.waitSignal(w.export_runner.cancelled, timeout=10000):
        assert w.export("csv", tmp_path / "b.csv")
        qtbot.wait(50)
        w.cancel_button.click()
    assert w.export_runner.wait(10000)
    assert not (tmp_path / "b.csv").exists()
