"""A failed save never lets the window close; a failing autosave says so until a save succeeds
(issue 10, item 1)."""

from __future__ import annotations

from planner import workflows
from planner.gui.controllers.document import recovery_path

JSON_ERROR = "Out of range float values are not JSON compliant"


def failing_save(monkeypatch):
    real = workflows.save
    calls = []

    def save(project, path):
        calls.append(path)
        raise ValueError(JSON_ERROR)  # what json.dumps(..., allow_nan=False) raised on a NaN result

    monkeypatch.setattr(workflows, "save", save)
    return calls, lambda: monkeypatch.setattr(workflows, "save", real)


def test_quit_then_save_with_a_failing_save_keeps_the_window_open(window, qtbot, monkeypatch):
    w = window
    w._on_place_requested("camera", 692100.0, 4796100.0)
    assert not w.stack.is_clean
    calls, restore = failing_save(monkeypatch)
    w.ask_save_changes = lambda: "save"
    w.act_quit.trigger()  # File ▸ Quit ▸ Save
    qtbot.wait(50)
    assert calls == [w.path]
    assert w.isVisible()  # not closed: the work is still there
    assert w.project.count_by_kind()["camera"] == 3 and not w.stack.is_clean
    assert not w.messages.isHidden()
    assert f"Could not save {w.path.name}: ValueError: {JSON_ERROR}" in w.messages.label.text()
    assert "*" in w.windowTitle()
    # once saving works, Save clears the error and the window can close
    restore()
    assert w.save()
    assert w.messages.isHidden() and w.stack.is_clean
    assert w.close()


def test_failing_autosave_says_so_until_a_save_succeeds(window, qtbot, monkeypatch):
    w = window
    label = w.document.autosave_label
    assert label.isHidden()
    w._on_place_requested("camera", 692100.0, 4796100.0)
    _calls, restore = failing_save(monkeypatch)
    with qtbot.waitSignal(w.document._autosave_runner.failed, timeout=10000):
        w.autosave()  # the timer's call: in the background
    assert label.isVisible()
    assert label.text() == f"⚠ Autosave failed: ValueError: {JSON_ERROR}"
    # persistent: still shown after other status messages and further edits
    w.statusBar().showMessage("something else", 100)
    w._on_place_requested("camera", 692200.0, 4796200.0)
    qtbot.wait(200)
    assert label.isVisible()
    # synchronous autosave (used before an error dialog) reports instead of raising
    assert w.autosave(wait=True) is None and label.isVisible()
    restore()
    rec = w.autosave(wait=True)
    assert rec == recovery_path(w.path) and rec.exists()
    assert label.isHidden()
    assert w.save() and not rec.exists()


def test_new_project_with_failing_save_keeps_the_error(window, qtbot, monkeypatch, tmp_path):
    w = window
    _calls, _restore = failing_save(monkeypatch)
    assert not w.save_as(tmp_path / "elsewhere.gpkg")
    assert "Could not save elsewhere.gpkg" in w.messages.label.text()
    assert w.path.name == "small.gpkg"  # the project still points at its own file


def test_a_file_changed_on_disk_is_never_clobbered_without_asking(window, qtbot):
    """Another planner saved the project since it was opened: Save asks; No keeps the other file."""
    from planner.io.project_file import load_project, save_project
    from planner.model.nodes import Camera

    w = window
    other = load_project(w.path)  # a second writer adds a camera and saves
    other.add_nodes([Camera(id="cam-0099", name="theirs", x=692300.0, y=4796300.0)])
    save_project(other, w.path)
    w._on_place_requested("camera", 692100.0, 4796100.0)  # our own edit
    asked = []
    w.ask_overwrite_changed = lambda path: asked.append(path) or False
    assert not w.save()
    assert asked == [w.path] and not w.stack.is_clean
    assert "cam-0099" in load_project(w.path)  # their camera is still on disk
    w.ask_overwrite_changed = lambda path: asked.append(path) or True
    assert w.save()
    again = load_project(w.path)
    assert "cam-0099" not in again and again.count_by_kind()["camera"] == 3  # the user chose to overwrite
    assert w.save()  # and the next save needs no question: the file is ours again
    assert len(asked) == 2
