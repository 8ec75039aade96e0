"""File ▸ Export: ask where, check the path, write a snapshot of the project in the background."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from planner.errors import PlannerError
from planner.gui.controllers.analysis import Job

if TYPE_CHECKING:  # pragma: no cover
    from planner.gui.main_window import MainWindow

#: File ▸ Export entries: (format, menu text, file-dialog filter); ``all`` writes every format into a folder.
EXPORT_FORMATS: list[tuple[str, str, str]] = [
    ("gpkg", "&GeoPackage (all layers and results)…", "GeoPackage (*.gpkg)"),
    ("geojson", "Geo&JSON (nodes, OpenStreetMap tags)…", "GeoJSON (*.geojson)"),
    ("kml", "&KML (Google Earth)…", "KML (*.kml)"),
    ("kmz", "KM&Z (Google Earth, zipped)…", "KMZ (*.kmz)"),
    ("csv", "&CSV bill of materials…", "CSV (*.csv)"),
    ("html", "&HTML map (offline)…", "HTML (*.html)"),
    ("pdf", "&PDF report…", "PDF (*.pdf)"),
]
EXPORT_TITLES = {"gpkg": "GeoPackage", "geojson": "GeoJSON", "kml": "KML", "kmz": "KMZ",
                 "csv": "CSV bill of materials", "html": "HTML map", "pdf": "PDF report", "all": "all formats"}


class ExportController:
    """Registers the ``export`` job on the window's analysis controller (the export runner)."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window
        window.analyses.register(Job("export", "Export", self._build, lambda r: self._done(*r), runner="export"))

    def export_dialog(self, fmt: str) -> None:
        w = self.w
        if w.project is None:
            w.show_error("Open a project first.")
            return
        from planner.workflows.export import EXTENSIONS, SUFFIXES, slug

        chosen = w.ask_export_path(fmt)
        if not chosen:
            return
        out = Path(chosen)
        if fmt != "all" and out.suffix.lower() != EXTENSIONS[fmt]:
            out = out.with_name(out.name + EXTENSIONS[fmt])
        if fmt == "all" and out.is_dir():
            stem = slug(w.project.name)
            existing = [out / f"{stem}{SUFFIXES[f]}{EXTENSIONS[f]}" for f in EXTENSIONS]
            existing = [e for e in existing if e.exists()]
            if existing and not w.ask_overwrite(existing):
                return
        w.prefs.last_dir = str(out if fmt == "all" else out.parent)
        self.export(fmt, out)

    def export(self, fmt: str, out: str | os.PathLike[str]) -> bool:
        """Export a snapshot of the project in the background (``fmt``: a format of
        :data:`planner.workflows.export.FORMATS` or ``all``; ``out``: the file, or the folder for ``all``).

        A bad path is reported at once in the message bar; errors while writing
        arrive there too (through the runner), and success names the written path.
        Returns True when the export started.
        """
        from planner.workflows import export as exports

        w = self.w
        if w.project is None:
            w.show_error("Open a project first.")
            return False
        protect = [w.path] if w.path is not None else []
        try:
            if fmt != "all" and fmt not in exports.FORMATS:
                raise PlannerError(f"unknown export format {fmt!r}")
            target = exports.check_out_path(out, folder=(fmt == "all"), protect=protect)
        except PlannerError as exc:
            w.show_error(f"Export failed: {exc}")
            return False
        return w.analyses.run("export", fmt=fmt, target=target, protect=protect)

    def _build(self, fmt: str, target: Path, protect: list[Path]) -> Any:
        from planner.workflows import export as exports

        assert self.w.project is not None
        snap = self.w.project.snapshot()

        def fn(progress: Any) -> Any:
            return fmt, target, exports.export_all(snap, target, fmt, protect=protect, progress=progress)

        return fn

    def _done(self, fmt: str, target: Path, written: list[Path]) -> None:
        if fmt == "all" or len(written) != 1:
            names = ", ".join(p.name for p in written)
            text = f"Exported {len(written)} files to {target}: {names}"
        else:
            text = f"Exported the {EXPORT_TITLES.get(fmt, fmt)} to {written[0]}"
        self.w.messages.show_message(text, error=False)
        self.w.statusBar().showMessage(text, 8000)

    def ask_export_path(self, fmt: str) -> str:
        from planner.workflows.export import EXTENSIONS, SUFFIXES, slug

        w = self.w
        assert w.project is not None
        start = w.prefs.last_dir or (str(w.path.parent) if w.path else "")
        if fmt == "all":
            return QFileDialog.getExistingDirectory(w, "Export all formats to a folder", start)
        name = slug(w.project.name) + SUFFIXES[fmt] + EXTENSIONS[fmt]
        filt = next(f for k, _t, f in EXPORT_FORMATS if k == fmt)
        p, _ = QFileDialog.getSaveFileName(w, f"Export {EXPORT_TITLES[fmt]}", str(Path(start) / name),
                                           f"{filt};;All files (*)")
        return p
