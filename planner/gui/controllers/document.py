"""The document: open, save, save as, autosave and recovery of the window's project file.

A save that fails (a disk error, a result the file format refuses) is never
silent: the banner names the file and the error, the project stays unsaved,
and whatever asked for the save (closing the window, opening another project)
does not go on. Autosave writes ``<project>.recovery.gpkg`` in the background
every minute while there are unsaved changes; when it fails, the status bar
says so, in red, until a save or an autosave succeeds.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from planner import workflows
from planner.errors import AnalysisCancelled, PlannerError, ProjectChangedError
from planner.gui.controllers.analysis import Job
from planner.gui.edits import ImportCommand
from planner.gui.preferences import config_dir, save_preferences
from planner.gui.workers import AnalysisRunner
from planner.model.project import Project

if TYPE_CHECKING:  # pragma: no cover
    from planner.gui.main_window import MainWindow


PROJECT_FILTER = "Planner projects (*.gpkg)"


def recovery_path(path: str | os.PathLike[str] | None) -> Path:
    """Where autosave writes: ``<project>.recovery.gpkg`` beside the file, or the config folder."""
    if path is None:
        return config_dir() / "recovery" / "untitled.recovery.gpkg"
    p = Path(path)
    return p.with_name(p.stem + ".recovery.gpkg")


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, (PlannerError, OSError)) else f"{type(exc).__name__}: {exc}"


class DocumentController(QObject):
    """File operations of one window (its project, stack and path live on the window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self._autosaved_at: int | None = None
        self.autosave_error = ""
        self.autosave_label = QLabel("")
        self.autosave_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.autosave_label.hide()
        self._autosave_runner = AnalysisRunner(self)  # not in the status bar's progress
        self._autosave_runner.done.connect(lambda _n, path: self._autosave_ok(path))
        self._autosave_runner.failed.connect(lambda _n, exc, _tb: self._autosave_failed(exc))
        window.analyses.register(Job("new-project", "New project", self._build_new_project,
                                     lambda r: self._on_new_project_done(*r)))

    def reset(self) -> None:
        self._autosaved_at = None
        self._autosave_runner.cancel()

    # ------------------------------------------------------------ open
    def open_path(self, path: str | os.PathLike[str], *, check_recovery: bool = True) -> bool:
        """Open a project file; errors appear in the message bar. Returns True on success."""
        w = self.w
        path = Path(path)
        rec = recovery_path(path)
        source = path
        restored = False
        if check_recovery and rec.exists() and path.exists() and rec.stat().st_mtime > path.stat().st_mtime:
            if w.ask_restore_recovery(rec):
                source, restored = rec, True
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                project = workflows.open_project(source)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except Exception as exc:  # a corrupt file must not crash the app
            w.show_error(f"Could not open {path.name}: {_describe(exc)}")
            return False
        w.set_project(project, path)
        if restored:
            assert w.stack is not None
            w.stack.mark_unsaved()  # the restored work is not in the project file yet
            w.messages.show_message(f"Restored unsaved work from {rec.name}. Save to keep it.", error=False)
        w.prefs.add_recent(path)
        w.prefs.last_dir = str(path.parent)
        save_preferences(w.prefs)
        w.refresh_recent()
        w.statusBar().showMessage(f"Opened {path.name}", 5000)
        return True

    # ------------------------------------------------------------ save
    def save(self) -> bool:
        if self.w.project is None:
            return False
        if self.w.path is None:
            return self.save_as()
        return self._write(self.w.path)

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        w = self.w
        if w.project is None:
            return False
        p = path or w.ask_save_path()
        if not p:
            return False
        p = Path(p)
        if p.suffix.lower() != ".gpkg":
            p = p.with_suffix(".gpkg")
        ok = self._write(p)
        if ok:
            w.path = p
            w.prefs.add_recent(p)
            save_preferences(w.prefs)
            w.refresh_recent()
            w.refresh_title()
        return ok

    def _write(self, path: Path) -> bool:
        w = self.w
        assert w.project is not None and w.stack is not None
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                try:
                    workflows.save(w.project, path)
                except ProjectChangedError:
                    # the file changed on disk since it was opened (another program, another planner): ask,
                    # never clobber
                    QGuiApplication.restoreOverrideCursor()
                    if not w.ask_overwrite_changed(path):
                        w.statusBar().showMessage(f"Not saved: {path.name} changed on disk", 10000)
                        return False
                    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                    workflows.save(w.project, path, overwrite_changed=True)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except Exception as exc:  # any failure is reported; the work stays open and unsaved
            text = f"Could not save {path.name}: {_describe(exc)}. The project is not saved; it stays open."
            w.show_error(text, source="save")
            w.statusBar().showMessage(f"Could not save {path.name}", 10000)
            return False
        w.stack.set_clean()
        for rec in {recovery_path(path), recovery_path(w.path)}:
            rec.unlink(missing_ok=True)
        self._clear_autosave_error()
        if w.messages.source == "save":
            w.messages.hide()
        w.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def maybe_discard_changes(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or no changes); a save
        that fails answers False (the message says why)."""
        w = self.w
        if w.stack is None or w.stack.is_clean:
            return True
        answer = w.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def can_close(self) -> bool:
        """Whether the window may close; any error while asking or saving keeps it open."""
        try:
            ok = self.maybe_discard_changes()
        except Exception as exc:  # never lose the work to an error while closing
            self.w.show_error(f"Could not close: {_describe(exc)}. The project stays open.")
            return False
        if ok and self.w.stack is not None and self.w.stack.is_clean:
            recovery_path(self.w.path).unlink(missing_ok=True)
        return ok

    # ------------------------------------------------------------ autosave
    def autosave(self, *, wait: bool = False) -> Path | None:
        """Write the recovery file when there are unsaved changes (every minute by the timer).

        Returns the recovery path when a write was started (``wait``: done), None when nothing needed
        writing or (``wait``) the write failed; a failure shows in the status bar.
        """
        w = self.w
        if w.project is None or w.stack is None or w.stack.is_clean:
            return None
        marker = w.stack.state_id
        if marker == self._autosaved_at and not wait:
            return None
        self._autosaved_at = marker
        rec = recovery_path(w.path)
        snap = w.project.snapshot()

        def job(progress: Any = None) -> Path:
            rec.parent.mkdir(parents=True, exist_ok=True)
            return workflows.save(snap, rec)

        if not wait:
            self._autosave_runner.start("autosave", job)
            return rec
        try:
            job()
        except Exception as exc:  # reported, never raised
            self._autosave_failed(exc)
            return None
        self._autosave_ok(rec)
        return rec

    def _autosave_ok(self, _path: Any) -> None:
        self._clear_autosave_error()

    def _autosave_failed(self, exc: BaseException) -> None:
        self._autosaved_at = None  # the next tick tries again
        self.autosave_error = _describe(exc)
        self.autosave_label.setText(f"⚠ Autosave failed: {self.autosave_error}")
        self.autosave_label.setToolTip("Unsaved work is not protected by a recovery file until a save or an "
                                       "autosave succeeds.")
        self.autosave_label.show()

    def _clear_autosave_error(self) -> None:
        self.autosave_error = ""
        self.autosave_label.hide()

    # ------------------------------------------------------------ new project
    def new_project_dialog(self) -> None:
        """File ▸ New…: ask for a name, a boundary and optional districts, create the project, save it."""
        if not self.maybe_discard_changes():
            return
        request = self.w.ask_new_project()
        if request is not None:
            self.w.create_project(request)

    def ask_new_project(self) -> Any:
        from planner.gui.dialogs.new_project import NewProjectDialog

        dlg = NewProjectDialog(self.w, start_dir=self.w.prefs.last_dir)
        if dlg.exec() != NewProjectDialog.DialogCode.Accepted:
            return None
        return dlg.request()

    def _build_new_project(self, request: Any) -> Any:
        def fn(progress: Any) -> Any:
            progress(0.1, f"reading {Path(request.boundary).name}")
            notes: list[str] = []
            project = workflows.new_project(request.name, boundary=request.boundary, districts=request.districts,
                                            name_field=request.name_field, notes=notes, guess_locale=True)
            progress(1.0, "done")
            return project, notes, request

        return fn

    def _on_new_project_done(self, project: Project, notes: list[str], request: Any) -> None:
        w = self.w
        w.set_project(project, None)
        assert w.stack is not None
        w.stack.mark_unsaved()  # not saved anywhere yet: closing asks
        w.prefs.last_dir = str(Path(request.boundary).parent)
        where = f" from {Path(request.boundary).name}"
        if request.districts is not None:
            where += f" with {len(project.districts)} districts from {Path(request.districts).name}"
        text = f"Created {project.name}{where} (CRS {project.crs.name}, {project.area_km2():,.1f} km²)"
        if notes:
            text += "; " + "; ".join(notes)
        if self.save_as():
            text += f"; saved as {w.path}"
        elif w.messages.source == "save":
            return  # the banner shows why the save failed
        else:
            text += ". Not saved yet: File ▸ Save As."
        w.messages.show_message(text, error=False)

    # ------------------------------------------------------------ unexpected errors
    def handle_unexpected(self, exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        """Excepthook: keep the work (recovery file), then show the error in a dialog."""
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.w.last_error = text
        saved = None
        try:
            saved = self.autosave(wait=True)
        except Exception:  # an excepthook must not raise
            saved = None
        if isinstance(exc, AnalysisCancelled):
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                          f"{exc_type.__name__}: {exc}\n\nThe application keeps running."
                          + (f" Your unsaved work was written to {saved}." if saved else ""), parent=self.w)
        box.setDetailedText(text)
        if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            box.exec()

    # ------------------------------------------------------------ prompts
    def ask_save_changes(self) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes to {self.w.path.name if self.w.path else 'this project'}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.w)
        r = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(r), "cancel")

    def ask_overwrite_changed(self, path: Path) -> bool:
        r = QMessageBox.question(self.w, "File changed on disk",
                                 f"{path.name} has changed on disk since it was opened (another program or "
                                 "another planner saved it). Overwrite it with this project? Choose No to keep "
                                 "the file on disk; you can then save this project under another name.",
                                 QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                 QMessageBox.StandardButton.No)
        return bool(r == QMessageBox.StandardButton.Yes)

    def ask_restore_recovery(self, rec: Path) -> bool:
        r = QMessageBox.question(self.w, "Recover unsaved work?",
                                 f"{rec.name} is newer than the project file: the app closed with unsaved changes."
                                 " Restore them?")
        return r == QMessageBox.StandardButton.Yes

    def ask_open_path(self) -> str:
        p, _ = QFileDialog.getOpenFileName(self.w, "Open project", self.w.prefs.last_dir, PROJECT_FILTER)
        return p

    def ask_save_path(self) -> str:
        start = str(self.w.path) if self.w.path else self.w.prefs.last_dir
        p, _ = QFileDialog.getSaveFileName(self.w, "Save project as", start, PROJECT_FILTER)
        return p

    # ------------------------------------------------------------ import
    def import_file(self, kind: str, path: str | os.PathLike[str], **options: Any) -> bool:
        if self.w.project is None:
            self.w.show_error("Open a project first (File ▸ Open), or create one (File ▸ New).")
            return False
        cmd = ImportCommand(kind, str(path), **options)
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                ok = self.w.push(cmd)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except Exception as exc:  # unreadable files raise GDAL/pandas errors
            self.w.show_error(f"Could not import {Path(path).name}: {exc}")
            return False
        if ok and cmd.summary is not None:
            notes = "; ".join(cmd.summary.notes)
            self.w.messages.show_message(f"Imported {cmd.summary.count:,} {kind.replace('_', ' ')} from "
                                         f"{Path(path).name}" + (f" ({notes})" if notes else ""), error=False)
        return ok

    def import_dialog(self, kind: str) -> None:
        filt = "GeoTIFF / SRTM (*.tif *.tiff *.hgt *.zip);;All files (*)" if kind == "dem" else \
            "Vector files (*.gpkg *.geojson *.json *.shp *.csv *.kml *.zip);;All files (*)"
        p, _ = QFileDialog.getOpenFileName(self.w, f"Import {kind.replace('_', ' ')}", self.w.prefs.last_dir, filt)
        if p:
            self.import_file(kind, p)
