"""The main window: map, layer panel, inspector, node table, results dashboard, analyses.

The window holds one project and its :class:`~planner.model.commands.CommandStack`.
Views subscribe to the project's ``changed``/``nodes_changed`` events; every
edit (map tools, inspector, table, menus, imports, applying results) is a
command pushed on the stack. Analyses run off the GUI thread on
``project.snapshot()`` through :class:`~planner.gui.workers.AnalysisRunner`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import traceback
from pathlib import Path
from typing import Any

import pyproj
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner import workflows
from planner.errors import AnalysisCancelled, PlannerError
from planner.gui.edits import ImportCommand, MacroCommand
from planner.gui.map import project_layers as pl
from planner.gui.map.canvas import MapCanvas, Tool
from planner.gui.map.layers import LegendEntry, extent_rect
from planner.gui.map.node_layer import NodeLayerItem
from planner.gui.panels.inspector import InspectorPanel
from planner.gui.panels.layers_panel import LayersPanel
from planner.gui.panels.node_table import NodeTablePanel
from planner.gui.panels.results import ResultsPanel
from planner.gui.preferences import Preferences, cache_dir, config_dir, load_preferences, save_preferences
from planner.gui.undo import UndoActions
from planner.gui.workers import AnalysisRunner
from planner.model.commands import AddNodes, CommandStack, RemoveNodes, SetResults, UpdateNodes
from planner.model.nodes import NODE_CLASSES, Camera, Node, NodeKind
from planner.model.project import Project

PROJECT_FILTER = "Planner projects (*.gpkg)"
IMPORT_KINDS = [("boundary", "Study area boundary…"), ("districts", "Districts…"), ("dem", "DEM (GeoTIFF, SRTM)…"),
                ("buildings", "Buildings…"), ("streets", "Streets…"), ("priority_sites", "Priority sites…"),
                ("cameras", "Cameras (CSV, GeoJSON, GPKG)…"), ("radio_sites", "Radio sites…"),
                ("storage_centres", "Storage centres…"), ("command_centres", "Command centres…")]
ANALYSIS_TITLES = {"coverage": "Coverage", "network": "Network and storage", "coverage-update": "Coverage update",
                   "coverage-polygons": "Coverage map update", "export": "Export", "radio": "Radio coverage map",
                   "new-project": "New project"}
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


def recovery_path(path: str | os.PathLike[str] | None) -> Path:
    """Where autosave writes: ``<project>.recovery.gpkg`` beside the file, or the config folder."""
    if path is None:
        return config_dir() / "recovery" / "untitled.recovery.gpkg"
    p = Path(path)
    return p.with_name(p.stem + ".recovery.gpkg")


class MessageBar(QFrame):
    """A dismissable banner above the map for errors and notices (never a crash)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str, *, error: bool = True) -> None:
        colour = "#fdecea; color: #8a1c1c; border: 1px solid #f5c2c0" if error else \
            "#e8f4fd; color: #0b3d66; border: 1px solid #b6dcf7"
        self.setStyleSheet(f"MessageBar {{ background: {colour}; border-radius: 3px; }}")
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, prefs: Preferences | None = None) -> None:
        super().__init__()
        self.prefs = prefs or load_preferences()
        self.project: Project | None = None
        self.stack: CommandStack | None = None
        self.path: Path | None = None
        self.selection: list[str] = []
        self.clipboard: list[Node] = []
        self.layer_items: dict[str, QGraphicsItem] = {}
        self.layer_order: list[str] = []  # top to bottom
        self.hidden_layers: set[str] = set()
        self.opacities: dict[str, float] = {}
        self.overlays: dict[str, QGraphicsItem] = {}
        self.basemap: QGraphicsItem | None = None
        self.coverage_result: Any = None
        self._coverage_paths: list[tuple[Any, Any]] = []
        self._built_from: dict[str, tuple[Any, ...]] = {}
        self._pending_cov_ids: list[str] = []
        self._autosaved_at: int | None = None
        self.last_error = ""
        # prompts, replaceable in tests
        self.ask_save_changes = self._ask_save_changes
        self.ask_restore_recovery = self._ask_restore_recovery
        self.ask_open_path = self._ask_open_path
        self.ask_save_path = self._ask_save_path
        self.ask_export_path = self._ask_export_path
        self.ask_new_project = self._ask_new_project
        self.ask_overwrite = self._ask_overwrite

        self.setWindowTitle("Planner")
        self.resize(1500, 950)
        self.canvas = MapCanvas()
        self.canvas.legend_provider = self.legend_entries
        self.messages = MessageBar()
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.messages)
        cl.addWidget(self.canvas, 1)
        self.setCentralWidget(central)

        self.layers_panel = LayersPanel()
        self.inspector = InspectorPanel()
        self.table = NodeTablePanel()
        self.results = ResultsPanel()
        self.layers_dock = self._dock("Layers", self.layers_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.table_dock = self._dock("Nodes", self.table, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.results_dock = self._dock("Results", self.results, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.table_dock, self.results_dock)
        self.results_dock.raise_()
        self.resizeDocks([self.layers_dock, self.inspector_dock], [250, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.results_dock], [300], Qt.Orientation.Vertical)

        self.runner = AnalysisRunner(self)
        self.update_runner = AnalysisRunner(self)
        self.export_runner = AnalysisRunner(self)  # exports do not cancel a running analysis
        # the cost table after edits: in the background, without the progress bar
        self.cost_runner = AnalysisRunner(self)
        self.cost_runner.done.connect(self._on_cost_done)
        self.cost_runner.failed.connect(self._on_runner_failed)
        for r in self.runners:
            r.progressed.connect(self._on_runner_progress)
            r.done.connect(self._on_runner_done)
            r.failed.connect(self._on_runner_failed)
            r.cancelled.connect(self._on_runner_cancelled)
            r.started.connect(self._on_runner_started)

        self._build_actions()
        self._build_status_bar()
        self._connect()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(int(self.prefs.autosave_seconds * 1000))
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self._cov_timer = QTimer(self)
        self._cov_timer.setSingleShot(True)
        self._cov_timer.setInterval(250)
        self._cov_timer.timeout.connect(self._start_coverage_update)
        # the bill of materials takes ~0.5 s on 2,000 cameras: refresh it once edits pause
        self._cost_timer = QTimer(self)
        self._cost_timer.setSingleShot(True)
        self._cost_timer.setInterval(600)
        self._cost_timer.timeout.connect(self._start_cost_refresh)
        self._refresh_title()

    @property
    def runners(self) -> tuple[AnalysisRunner, ...]:
        """The runners whose work shows in the status bar (progress and cancel)."""
        return (self.runner, self.update_runner, self.export_runner)

    # ================================================================ building
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(title)
        d.setWidget(widget)
        self.addDockWidget(area, d)
        return d

    def _action(self, text: str, slot: Any, shortcut: Any = None, *, tip: str = "", checkable: bool = False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                a.setShortcuts(shortcut)
            else:
                a.setShortcut(shortcut)
        if tip:
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        A = self._action
        K = QKeySequence.StandardKey
        self.act_new = A("&New…", lambda: self.new_project_dialog(), K.New,
                         tip="A project from a boundary file (and districts), then save it")
        self.act_open = A("&Open…", lambda: self.open_dialog(), K.Open)
        self.act_save = A("&Save", lambda: self.save(), K.Save)
        self.act_save_as = A("Save &As…", lambda: self.save_as(), K.SaveAs)
        self.act_overlay = A("Add raster overlay (GeoTIFF)…", lambda: self.add_overlay_dialog())
        self.act_quit = A("&Quit", self.close, K.Quit)
        self.undo_actions = UndoActions(self)
        self.act_copy = A("&Copy", self.copy_selection, K.Copy)
        self.act_paste = A("&Paste", self.paste, K.Paste)
        self.act_delete = A("&Delete", self.delete_selection, [QKeySequence(Qt.Key.Key_Delete),
                                                               QKeySequence(Qt.Key.Key_Backspace)])
        self.act_select_all = A("Select &all cameras", self.select_all, K.SelectAll)
        self.act_zoom_in = A("Zoom &in", lambda: self.canvas.zoom(1.25), [QKeySequence("Ctrl++"),
                                                                          QKeySequence("Ctrl+=")])
        self.act_zoom_out = A("Zoom &out", lambda: self.canvas.zoom(0.8), QKeySequence("Ctrl+-"))
        self.act_zoom_full = A("Zoom to &study area", self.canvas.zoom_to_extent, QKeySequence("Ctrl+0"))
        self.act_zoom_sel = A("Zoom to s&election", self.zoom_to_selection, QKeySequence("Ctrl+E"))
        self.act_legend = A("Show &legend", self._on_legend_toggled, checkable=True)
        self.act_legend.setChecked(True)
        self.act_basemap = A("OpenStreetMap &basemap (online)", self._on_basemap_toggled, checkable=True,
                             tip="Fetch OpenStreetMap tiles (needs network; cached on disk)")
        self.act_basemap.setChecked(self.prefs.basemap)
        self.act_run_cov = A("Run &coverage", lambda: self.run_analysis("coverage"), QKeySequence("F5"))
        self.act_run_net = A("Run &network && storage", lambda: self.run_analysis("network"), QKeySequence("F6"))
        self.act_run_radio = A("Run &radio coverage map", lambda: self.run_analysis("radio"), QKeySequence("F7"),
                               tip="Best-server uplink rate of the radio sites over the study area (a map layer)")
        self.act_cancel = A("&Cancel analysis", self.cancel_analysis, QKeySequence("Ctrl+."))
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[Tool, QAction] = {}
        for tool, text, key in [(Tool.SELECT, "Select / move", "S"), (Tool.PAN, "Pan", "H"),
                                (Tool.PLACE_CAMERA, "Place camera", "C"), (Tool.PLACE_RADIO, "Place radio site", "R"),
                                (Tool.PLACE_STORAGE, "Place storage centre", "T"),
                                (Tool.PLACE_COMMAND, "Place command centre", "M")]:
            a = A(text, lambda _c=False, t=tool: self.set_tool(t), QKeySequence(key), checkable=True)
            self.tool_group.addAction(a)
            self.tool_actions[tool] = a
        self.tool_actions[Tool.SELECT].setChecked(True)

        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_new)
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &recent")
        m.addAction(self.act_save)
        m.addAction(self.act_save_as)
        m.addSeparator()
        imp = m.addMenu("&Import")
        self.import_actions: dict[str, QAction] = {}
        for kind, text in IMPORT_KINDS:
            a = A(text, lambda _c=False, k=kind: self.import_dialog(k))
            imp.addAction(a)
            self.import_actions[kind] = a
        m.addAction(self.act_overlay)
        self.export_menu = m.addMenu("&Export")
        self.export_actions: dict[str, QAction] = {}
        for fmt, text, _filt in EXPORT_FORMATS:
            a = A(text, lambda _c=False, f=fmt: self.export_dialog(f))
            self.export_menu.addAction(a)
            self.export_actions[fmt] = a
        self.export_menu.addSeparator()
        self.export_actions["all"] = A("&All formats to a folder…", lambda: self.export_dialog("all"),
                                       tip="GeoPackage, GeoJSON, KML, KMZ, CSV, HTML and PDF into one folder")
        self.export_menu.addAction(self.export_actions["all"])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        m.addAction(self.undo_actions.undo)
        m.addAction(self.undo_actions.redo)
        m.addSeparator()
        for a in (self.act_copy, self.act_paste, self.act_delete, self.act_select_all):
            m.addAction(a)
        m.addSeparator()
        for a in self.tool_actions.values():
            m.addAction(a)
        m = mb.addMenu("&View")
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_full, self.act_zoom_sel):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_legend)
        m.addAction(self.act_basemap)
        m.addSeparator()
        for d in (self.layers_dock, self.inspector_dock, self.table_dock, self.results_dock):
            m.addAction(d.toggleViewAction())
        m = mb.addMenu("&Analysis")
        m.addAction(self.act_run_cov)
        m.addAction(self.act_run_net)
        m.addAction(self.act_run_radio)
        m.addAction(A("&Optimise placement…", self.open_optimise_dialog))
        m.addSeparator()
        m.addAction(self.act_cancel)
        m = mb.addMenu("&Help")
        m.addAction(A("&About", self._about))

        tb = self.addToolBar("Main")
        tb.setObjectName("main-toolbar")
        tb.addAction(self.act_open)
        tb.addAction(self.act_save)
        tb.addSeparator()
        tb.addAction(self.undo_actions.undo)
        tb.addAction(self.undo_actions.redo)
        tb.addSeparator()
        for a in self.tool_actions.values():
            tb.addAction(a)
        tb.addAction(self.act_delete)
        tb.addSeparator()
        tb.addAction(self.act_zoom_full)
        tb.addAction(self.act_zoom_sel)
        tb.addSeparator()
        tb.addAction(self.act_run_cov)
        tb.addAction(self.act_run_net)
        self.undo_actions.undo.setText("Undo")
        self._refresh_recent()

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.coord_label = QLabel("")
        self.coord_label.setMinimumWidth(330)
        self.scale_label = QLabel("")
        self.count_label = QLabel("")
        self.progress_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_analysis)
        for w in (self.progress_label, self.progress, self.cancel_button):
            w.hide()
            sb.addPermanentWidget(w)
        sb.addPermanentWidget(self.count_label)
        sb.addPermanentWidget(self.scale_label)
        sb.addPermanentWidget(self.coord_label)

    def _connect(self) -> None:
        c = self.canvas
        c.cursor_moved.connect(self._on_cursor_moved)
        c.place_requested.connect(self._on_place_requested)
        c.edit_requested.connect(self._on_edit_requested)
        c.selection_requested.connect(self.set_selection)
        c.view_changed.connect(self._on_view_changed)
        self.inspector.edit_requested.connect(self._on_edit_requested)
        self.table.edit_requested.connect(self._on_edit_requested)
        self.table.selection_requested.connect(lambda ids: self.set_selection(ids, False, from_table=True))
        self.results.node_requested.connect(self.reveal_node)
        lp = self.layers_panel
        lp.visibility_changed.connect(self._on_layer_visibility)
        lp.order_changed.connect(self._on_layer_order)
        lp.opacity_changed.connect(self._on_layer_opacity)
        lp.zoom_requested.connect(self.zoom_to_layer)
        lp.phases_changed.connect(self._on_phases_changed)

    # ================================================================ project
    def set_project(self, project: Project, path: str | os.PathLike[str] | None = None) -> None:
        self.runner.cancel()
        self.update_runner.cancel()
        self.cost_runner.cancel()
        if self.project is not None:
            self.project.changed.disconnect(self._on_project_changed)
            self.project.nodes_changed.disconnect(self._on_nodes_changed)
        self.project = project
        self.path = Path(path) if path else None
        self.stack = CommandStack(project)
        self.stack.changed.connect(self._on_stack_changed)
        self.undo_actions.bind(self.stack)
        project.changed.connect(self._on_project_changed)
        project.nodes_changed.connect(self._on_nodes_changed)
        self.selection = []
        self.coverage_result = None
        self._coverage_paths = []
        self._built_from = {}
        self._autosaved_at = None
        self._to_lonlat = pyproj.Transformer.from_crs(project.crs, 4326, always_xy=True)
        for item in list(self.overlays.values()):
            self.canvas.scene().removeItem(item)
        self.overlays = {}
        if self.basemap is not None:
            self.canvas.scene().removeItem(self.basemap)
            self.basemap = None
        self.layer_order = []
        self.hidden_layers = set()
        self._rebuild_layers()
        self._update_nodes()
        self.layers_panel.set_phases(project.phases(), set())
        self.canvas.set_extent(extent_rect(project.study_area.bounds))
        self.canvas.zoom_to_extent()
        if self.act_basemap.isChecked():
            self._enable_basemap(True)
        self.inspector.set_nodes([])
        self.table.set_nodes(project.nodes())
        self.results.refresh(project)
        self.messages.hide()
        self._refresh_title()

    def open_path(self, path: str | os.PathLike[str], *, check_recovery: bool = True) -> bool:
        """Open a project file; errors appear in the message bar. Returns True on success."""
        path = Path(path)
        rec = recovery_path(path)
        source = path
        restored = False
        if check_recovery and rec.exists() and path.exists() and rec.stat().st_mtime > path.stat().st_mtime:
            if self.ask_restore_recovery(rec):
                source, restored = rec, True
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                project = workflows.open_project(source)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except PlannerError as exc:
            self.show_error(f"Could not open {path.name}: {exc}")
            return False
        except Exception as exc:  # noqa: BLE001 - a corrupt file must not crash the app
            self.show_error(f"Could not open {path.name}: {type(exc).__name__}: {exc}")
            return False
        self.set_project(project, path)
        if restored:
            assert self.stack is not None
            self.stack._clean_index = None  # the restored work is not saved in the project file yet
            self.stack.changed.emit()
            self.messages.show_message(f"Restored unsaved work from {rec.name}. Save to keep it.", error=False)
        self.prefs.add_recent(path)
        self.prefs.last_dir = str(path.parent)
        save_preferences(self.prefs)
        self._refresh_recent()
        self.statusBar().showMessage(f"Opened {path.name}", 5000)
        return True

    # ================================================================ new project
    def new_project_dialog(self) -> None:
        """File ▸ New…: ask for a name, a boundary and optional districts, create the project, save it."""
        if not self.maybe_discard_changes():
            return
        request = self.ask_new_project()
        if request is not None:
            self.create_project(request)

    def _ask_new_project(self) -> Any:
        from planner.gui.dialogs.new_project import NewProjectDialog

        dlg = NewProjectDialog(self, start_dir=self.prefs.last_dir)
        if dlg.exec() != NewProjectDialog.DialogCode.Accepted:
            return None
        return dlg.request()

    def create_project(self, request: Any) -> None:
        """Create a project from a :class:`~planner.gui.dialogs.new_project.NewProjectRequest` off the GUI
        thread; when it is ready it replaces the open one and "Save as" asks where to keep it. Errors
        (unreadable file, no polygons, no CRS, ...) go to the message bar."""

        def fn(progress: Any) -> Any:
            progress(0.1, f"reading {Path(request.boundary).name}")
            notes: list[str] = []
            project = workflows.new_project(request.name, boundary=request.boundary, districts=request.districts,
                                            name_field=request.name_field, notes=notes)
            progress(1.0, "done")
            return project, notes, request

        self.runner.start("new-project", fn)

    def _on_new_project_done(self, project: Project, notes: list[str], request: Any) -> None:
        self.set_project(project, None)
        assert self.stack is not None
        self.stack._clean_index = None  # not saved anywhere yet: closing asks
        self.stack.changed.emit()
        self.prefs.last_dir = str(Path(request.boundary).parent)
        where = f" from {Path(request.boundary).name}"
        if request.districts is not None:
            where += f" with {len(project.districts)} districts from {Path(request.districts).name}"
        text = f"Created {project.name}{where} (CRS {project.crs.name}, {project.area_km2():,.1f} km²)"
        if notes:
            text += "; " + "; ".join(notes)
        if self.save_as():
            text += f"; saved as {self.path}"
        else:
            text += ". Not saved yet: File ▸ Save As."
        self.messages.show_message(text, error=False)

    def open_dialog(self) -> None:
        if not self.maybe_discard_changes():
            return
        p = self.ask_open_path()
        if p:
            self.open_path(p)

    def save(self) -> bool:
        if self.project is None:
            return False
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        if self.project is None:
            return False
        p = path or self.ask_save_path()
        if not p:
            return False
        p = Path(p)
        if p.suffix.lower() != ".gpkg":
            p = p.with_suffix(".gpkg")
        ok = self._write(p)
        if ok:
            self.path = p
            self.prefs.add_recent(p)
            save_preferences(self.prefs)
            self._refresh_recent()
            self._refresh_title()
        return ok

    def _write(self, path: Path) -> bool:
        assert self.project is not None and self.stack is not None
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                workflows.save(self.project, path)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except (PlannerError, OSError) as exc:
            self.show_error(f"Could not save {path.name}: {exc}")
            return False
        self.stack.set_clean()
        for rec in {recovery_path(path), recovery_path(self.path)}:
            rec.unlink(missing_ok=True)
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def maybe_discard_changes(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or no changes)."""
        if self.stack is None or self.stack.is_clean:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _ask_save_changes(self) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes to {self.path.name if self.path else 'this project'}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        r = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(r), "cancel")

    def _ask_restore_recovery(self, rec: Path) -> bool:
        r = QMessageBox.question(self, "Recover unsaved work?",
                                 f"{rec.name} is newer than the project file: the app closed with unsaved changes."
                                 " Restore them?")
        return r == QMessageBox.StandardButton.Yes

    def _ask_open_path(self) -> str:
        p, _ = QFileDialog.getOpenFileName(self, "Open project", self.prefs.last_dir, PROJECT_FILTER)
        return p

    def _ask_save_path(self) -> str:
        start = str(self.path) if self.path else self.prefs.last_dir
        p, _ = QFileDialog.getSaveFileName(self, "Save project as", start, PROJECT_FILTER)
        return p

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.prefs.recent_files:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _c=False, p=p: self.maybe_discard_changes() and self.open_path(p))
        self.recent_menu.setEnabled(bool(self.prefs.recent_files))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_discard_changes():
            event.ignore()
            return
        for r in (*self.runners, self.cost_runner):
            r.cancel()
        self.autosave_timer.stop()
        if self.stack is not None and self.stack.is_clean:
            recovery_path(self.path).unlink(missing_ok=True)
        save_preferences(self.prefs)
        event.accept()

    # ================================================================ autosave
    def autosave(self, *, wait: bool = False) -> Path | None:
        """Write the recovery file when there are unsaved changes (every minute by the timer)."""
        if self.project is None or self.stack is None or self.stack.is_clean:
            return None
        marker = id(self.stack._done[-1]) if self.stack._done else 0
        if marker == self._autosaved_at and not wait:
            return None
        self._autosaved_at = marker
        rec = recovery_path(self.path)
        snap = self.project.snapshot()
        rec.parent.mkdir(parents=True, exist_ok=True)

        def job(progress: Any = None) -> Path:
            return workflows.save(snap, rec)

        if wait:
            job()
        else:
            from planner.gui.workers import submit

            def best_effort() -> None:
                try:
                    job()
                except Exception:  # noqa: BLE001 - autosave is best effort; the next tick retries
                    pass

            submit(best_effort)
        return rec

    # ================================================================ layers
    def _rebuild_layers(self) -> None:
        p = self.project
        assert p is not None
        scene = self.canvas.scene()
        self._built_from = {}
        keep = {"cameras", "radio_sites", "centres"}
        for key, item in list(self.layer_items.items()):
            if key not in keep:
                scene.removeItem(item)
                del self.layer_items[key]
        built: dict[str, QGraphicsItem | None] = {
            "study_area": pl.study_area_item(p),
            "hillshade": pl.hillshade_item(p),
            "buildings": pl.buildings_item(p),
            "streets": pl.streets_item(p),
            "coverage": self._coverage_item(p),
            "radio_throughput": pl.radio_item(p),
            "links": pl.links_item(p),
            "priority_sites": pl.priority_item(p),
        }
        districts, labels = pl.districts_item(p)
        built["districts"] = districts
        built["district_labels"] = labels
        if not self.layer_items.get("cameras"):
            for key, item in pl.node_items().items():
                self.layer_items[key] = item
                scene.addItem(item)
        for key, item in built.items():
            if item is not None:
                self.layer_items[key] = item
                scene.addItem(item)
        self.canvas.node_layers = [self.layer_items[k] for k in ("radio_sites", "centres", "cameras")]  # type: ignore[misc]
        self._apply_layer_state()

    def _coverage_item(self, p: Project) -> QGraphicsItem | None:
        """The coverage layer, from paths built off the GUI thread when the polygons came from a worker."""
        gdf = p.results.get("coverage_polygons")
        built = next((b for g, b in self._coverage_paths if g is gdf), None)
        if built is None and gdf is not None:
            built = pl.coverage_paths(gdf)
            self._remember_coverage_paths(gdf, built)
        return pl.coverage_item(p, built=built) if built is not None else None

    def _remember_coverage_paths(self, gdf: Any, built: Any) -> None:
        # the current and the previous polygons, so undo and redo redraw at once
        self._coverage_paths = [(g, b) for g, b in self._coverage_paths if g is not gdf][-2:] + [(gdf, built)]

    def _layer_inputs(self, key: str, p: Project) -> tuple[Any, ...]:
        """The results a derived layer is drawn from (compared by identity to skip needless rebuilds)."""
        r = p.results
        return {"coverage": (r.get("coverage_polygons"),), "links": (r.get("network"),),
                "priority_sites": (r.get("coverage"),), "radio_throughput": (r.get("radio_throughput"),)}[key]

    def _rebuild_some(self, keys: list[str], *, if_changed: bool = False) -> None:
        """Rebuild derived layers; with ``if_changed``, only those whose results changed (a coverage update
        changes the summary, not the polygons, which come later from their own worker)."""
        p = self.project
        assert p is not None
        builders = {"coverage": self._coverage_item, "links": pl.links_item, "priority_sites": pl.priority_item,
                    "radio_throughput": pl.radio_item}
        scene = self.canvas.scene()
        before = set(self.layer_items)
        for key in keys:
            inputs = self._layer_inputs(key, p)
            built = self._built_from.get(key)
            if if_changed and built is not None and len(built) == len(inputs) and \
                    all(a is b for a, b in zip(built, inputs, strict=True)):
                continue
            self._built_from[key] = inputs
            old = self.layer_items.pop(key, None)
            if old is not None:
                scene.removeItem(old)
            item = builders[key](p)
            if item is not None:
                self.layer_items[key] = item
                scene.addItem(item)
                if set(self.layer_items) == before:  # same layers: place the new item, keep the panel
                    self._place_item(key, item)
        if set(self.layer_items) != before:
            self._apply_layer_state()
        else:
            self.canvas.viewport().update()

    def _place_item(self, key: str, item: QGraphicsItem) -> None:
        n = len(self.layer_order)
        i = self.layer_order.index(key) if key in self.layer_order else n
        item.setZValue(n - i)
        item.setVisible(key not in self.hidden_layers)
        if key in self.opacities:
            item.setOpacity(self.opacities[key])

    def _all_layer_keys(self) -> list[str]:
        keys = [k for k, _ in reversed(pl.LAYER_ORDER) if k in self.layer_items]
        keys = list(self.overlays) + keys if False else keys
        ordered = [k for k in self.layer_order if k in self.layer_items or k in self.overlays or
                   (k == "basemap" and self.basemap is not None)]
        for k in keys + list(self.overlays) + (["basemap"] if self.basemap is not None else []):
            if k not in ordered:
                if k in self.overlays or k == "basemap":
                    ordered.append(k)
                else:
                    # insert at its default position relative to the others
                    default = [d for d, _ in reversed(pl.LAYER_ORDER)]
                    pos = len(ordered)
                    for i, o in enumerate(ordered):
                        if o in default and default.index(o) > default.index(k):
                            pos = i
                            break
                    ordered.insert(pos, k)
        return ordered

    def _item(self, key: str) -> QGraphicsItem | None:
        if key == "basemap":
            return self.basemap
        return self.layer_items.get(key) or self.overlays.get(key)

    def _apply_layer_state(self) -> None:
        self.layer_order = self._all_layer_keys()
        n = len(self.layer_order)
        rows = []
        for i, key in enumerate(self.layer_order):
            item = self._item(key)
            if item is None:
                continue
            item.setZValue(n - i)
            item.setVisible(key not in self.hidden_layers)
            if key in self.opacities:
                item.setOpacity(self.opacities[key])
            rows.append((key, getattr(item, "title", key), key not in self.hidden_layers, item.opacity()))
        self.layers_panel.set_layers(rows)
        self.canvas.viewport().update()

    def _on_layer_visibility(self, key: str, visible: bool) -> None:
        (self.hidden_layers.discard if visible else self.hidden_layers.add)(key)
        item = self._item(key)
        if item is not None:
            item.setVisible(visible)
        self.canvas.viewport().update()

    def _on_layer_order(self, keys: list[str]) -> None:
        self.layer_order = list(keys)
        n = len(keys)
        for i, key in enumerate(keys):
            item = self._item(key)
            if item is not None:
                item.setZValue(n - i)
        self.canvas.viewport().update()

    def _on_layer_opacity(self, key: str, value: float) -> None:
        self.opacities[key] = value
        item = self._item(key)
        if item is not None:
            item.setOpacity(value)

    def _on_phases_changed(self, hidden: set[str]) -> None:
        for key in ("cameras", "radio_sites", "centres"):
            item = self.layer_items.get(key)
            if isinstance(item, NodeLayerItem):
                item.set_hidden_phases(hidden)
        self.set_selection([i for i in self.selection if self._node_visible(i)], False)
        self.canvas.viewport().update()

    def _node_visible(self, nid: str) -> bool:
        if self.project is None or nid not in self.project:
            return False
        return self.project.node(nid).phase not in self.layers_panel.hidden_phases()

    def set_layer_visible(self, key: str, visible: bool) -> None:
        self.layers_panel.set_checked(key, visible)
        self._on_layer_visibility(key, visible)

    def legend_entries(self) -> list[LegendEntry]:
        out: list[LegendEntry] = []
        for key in self.layer_order:
            item = self._item(key)
            if item is None or not item.isVisible() or key in self.hidden_layers:
                continue
            out.extend(getattr(item, "legend", lambda: [])())
        return out

    def add_overlay(self, path: str | os.PathLike[str]) -> bool:
        if self.project is None:
            return False
        from planner.gui.map.overlays import load_raster_overlay

        try:
            item = load_raster_overlay(path, self.project.crs)
        except PlannerError as exc:
            self.show_error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - GDAL errors on odd files
            self.show_error(f"Could not read {Path(path).name}: {exc}")
            return False
        self.overlays[item.key] = item
        self.canvas.scene().addItem(item)
        self._apply_layer_state()
        return True

    def add_overlay_dialog(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "Add raster overlay", self.prefs.last_dir,
                                           "GeoTIFF (*.tif *.tiff);;All files (*)")
        if p:
            self.add_overlay(p)

    def _on_basemap_toggled(self, on: bool) -> None:
        self.prefs.basemap = bool(on)
        save_preferences(self.prefs)
        self._enable_basemap(on)

    def _enable_basemap(self, on: bool) -> None:
        if self.project is None:
            return
        if on and self.basemap is None:
            from planner.gui.map.overlays import ATTRIBUTION, BasemapItem

            self.basemap = BasemapItem(self.project.crs, cache_dir() / "tiles")
            self.canvas.scene().addItem(self.basemap)
            self.canvas.attribution = ATTRIBUTION
            self.opacities.setdefault("basemap", 0.85)
            self.opacities.setdefault("study_area", 0.35)
        elif not on and self.basemap is not None:
            self.canvas.scene().removeItem(self.basemap)
            self.basemap = None
            self.canvas.attribution = ""
            self.opacities.pop("study_area", None)
            sa = self.layer_items.get("study_area")
            if sa is not None:
                sa.setOpacity(1.0)
        self._apply_layer_state()

    def _on_legend_toggled(self, on: bool) -> None:
        self.canvas.show_legend = on
        self.canvas.viewport().update()

    # ================================================================ nodes & edits
    def _node_layers(self) -> list[NodeLayerItem]:
        return [self.layer_items[k] for k in ("cameras", "radio_sites", "centres")]  # type: ignore[misc]

    def _update_nodes(self, changed: list[Node] | None = None) -> bool:
        """Refresh the node layers: in place for ``changed`` nodes when they only changed (a move, a
        field edit), else rebuilt. Returns True when the update was in place."""
        p = self.project
        assert p is not None
        phases = p.phases()
        layers = self._node_layers()
        if changed is not None and all(layer.phases == phases for layer in layers) and \
                all(layer.replace_nodes(changed) for layer in layers):
            return True
        nodes = p.nodes()
        for layer in layers:
            layer.set_nodes(nodes, phases)
            layer.set_selected(self.selection)
        self.count_label.setText(f"{p.count_by_kind()['camera']:,} cameras")
        return False

    def _on_project_changed(self, what: str) -> None:
        if self.project is None:
            return
        if what == "layers":
            self._rebuild_layers()
            self.canvas.set_extent(extent_rect(self.project.study_area.bounds))
        elif what == "links":
            self._rebuild_some(["links"])
        elif what == "results":
            self._rebuild_some(["coverage", "links", "priority_sites", "radio_throughput"], if_changed=True)
            self._apply_network_overlay()
            self.results.refresh(self.project, cost=False)
        elif what in ("parameters", "all"):
            self.results.refresh(self.project)

    def _apply_network_overlay(self) -> None:
        net = (self.project.results.get("network") if self.project else None) or {}
        radio = self.layer_items.get("radio_sites")
        if isinstance(radio, NodeLayerItem):
            radio.sector_load = {(s["site_id"], int(s["sector"])): float(s["utilisation"])
                                 for s in net.get("sectors", [])}
            radio.update()

    def _on_nodes_changed(self, ids: list[str]) -> None:
        p = self.project
        if p is None:
            return
        # a replaced node (move, rotation, field edit) updates its own rows; additions and removals rebuild
        changed = [p.node(i) for i in ids if i in p]
        replaced = len(changed) == len(ids) and self.table.replace_nodes(changed)
        in_place = self._update_nodes(changed if replaced else None)
        if not replaced:
            self.table.set_nodes(p.nodes())
        moved = set(ids)
        if p.links() and (not in_place or any(lk.from_id in moved or lk.to_id in moved for lk in p.links())):
            self._rebuild_some(["links"])
        known = set(p.phases())
        if set(self.layers_panel._phase_checks) != known:
            self.layers_panel.set_phases(p.phases(), self.layers_panel.hidden_phases() & known)
        self.selection = [i for i in self.selection if i in p]
        if in_place:
            self.inspector.refresh({n.id: n for n in changed} | {i: p.node(i) for i in self.selection})
        else:
            self.inspector.refresh({n.id: n for n in p.iter_nodes()})
            self.table.show_selection(self.selection)
        self._cost_timer.start()
        cams = [n.id for n in changed if isinstance(n, Camera)] + [i for i in ids if i not in p and i.startswith("cam")]
        if cams and self.coverage_result is not None:
            self._pending_cov_ids.extend(cams)
            self._cov_timer.start()

    def push(self, command: Any) -> bool:
        """Push a command; a rejected edit shows its message instead of raising."""
        if self.stack is None:
            return False
        try:
            self.stack.push(command)
        except PlannerError as exc:
            self.show_error(str(exc))
            self.inspector.show_error(str(exc))
            return False
        return True

    def _on_edit_requested(self, nodes: Any, text: str) -> None:
        if isinstance(nodes, Exception):
            self.show_error(str(nodes))
            return
        if nodes:
            self.push(UpdateNodes(list(nodes), text=text))

    def new_node(self, kind: str, x: float, y: float) -> Node:
        assert self.project is not None
        nk = NodeKind(kind)
        nid = self.project.new_id(nk)
        phases = [p for p in self.project.phases() if p and p not in self.layers_panel.hidden_phases()]
        phase = phases[-1] if phases else ""
        cls = NODE_CLASSES[nk]
        n = sum(1 for _ in self.project.nodes(nk)) + 1
        label = {NodeKind.CAMERA: "Camera", NodeKind.RADIO_SITE: "Radio site",
                 NodeKind.STORAGE_CENTRE: "Storage centre", NodeKind.COMMAND_CENTRE: "Command centre"}[nk]
        return cls(id=nid, x=x, y=y, name=f"{label} {n}", phase=phase)

    def _on_place_requested(self, kind: str, x: float, y: float) -> None:
        if self.project is None:
            return
        try:
            node = self.new_node(kind, x, y)
        except PlannerError as exc:
            self.show_error(str(exc))
            return
        if self.push(AddNodes([node])):
            self.set_selection([node.id], False)

    def set_tool(self, tool: Tool) -> None:
        self.canvas.set_tool(tool)
        self.tool_actions[Tool(tool)].setChecked(True)

    def set_selection(self, ids: list[str], additive: bool = False, *, from_table: bool = False) -> None:
        if self.project is None:
            return
        ids = [i for i in ids if i in self.project]
        if additive:
            sel = list(self.selection)
            for i in ids:
                if i in sel:
                    sel.remove(i)
                else:
                    sel.append(i)
            ids = sel
        self.selection = list(dict.fromkeys(ids))
        for key in ("cameras", "radio_sites", "centres"):
            item = self.layer_items.get(key)
            if isinstance(item, NodeLayerItem):
                item.set_selected(self.selection)
        self.inspector.set_nodes([self.project.node(i) for i in self.selection])
        if not from_table:
            self.table.show_selection(self.selection)
        self.statusBar().showMessage(f"{len(self.selection)} selected" if self.selection else "", 3000)

    def reveal_node(self, nid: str) -> None:
        """Select a node and centre the map on it (clicking a warning)."""
        if self.project is None or nid not in self.project:
            return
        n = self.project.node(nid)
        if n.phase in self.layers_panel.hidden_phases():
            self.layers_panel._phase_checks[n.phase].setChecked(True)
        self.set_selection([nid], False)
        if self.canvas.px_per_m() < 0.5:
            self.canvas.zoom(0.5 / self.canvas.px_per_m())
        self.canvas.centre_on_map(n.x, n.y)
        self.inspector_dock.raise_()

    def delete_selection(self) -> None:
        if self.selection:
            ids = list(self.selection)
            self.set_selection([], False)
            self.push(RemoveNodes(ids))

    def select_all(self) -> None:
        if self.project is not None:
            self.set_selection([c.id for c in self.project.cameras() if self._node_visible(c.id)], False)

    def copy_selection(self) -> None:
        if self.project is None or not self.selection:
            return
        self.clipboard = [self.project.node(i) for i in self.selection]
        rows = []
        for n in self.clipboard:
            d = dataclasses.asdict(n)
            d["kind"] = n.KIND.value
            rows.append(d)
        QGuiApplication.clipboard().setText(json.dumps(rows, default=str))
        self.statusBar().showMessage(f"Copied {len(self.clipboard)} node(s)", 3000)

    def paste(self) -> None:
        if self.project is None or not self.clipboard:
            return
        cx = sum(n.x for n in self.clipboard) / len(self.clipboard)
        cy = sum(n.y for n in self.clipboard) / len(self.clipboard)
        tx, ty = self.canvas.last_map_pos
        if not (math.isfinite(tx) and self.project.study_area.buffer(5000).bounds[0] <= tx):
            tx, ty = cx + 20, cy - 20
        if abs(tx - cx) < 1 and abs(ty - cy) < 1:
            tx, ty = cx + 20, cy - 20
        new: list[Node] = []
        taken = {n.id for n in self.project.iter_nodes()}
        for n in self.clipboard:
            prefix = type(n).ID_PREFIX
            k = int(self.project.new_id(n.KIND).rsplit("-", 1)[1])
            while f"{prefix}-{k:04d}" in taken:
                k += 1
            nid = f"{prefix}-{k:04d}"
            taken.add(nid)
            new.append(n.with_changes(id=nid, x=n.x - cx + tx, y=n.y - cy + ty))
        if self.push(AddNodes(new, text=f"Paste {len(new)} node(s)")):
            self.set_selection([n.id for n in new], False)

    def zoom_to_selection(self) -> None:
        if self.project is None or not self.selection:
            return
        xs = [self.project.node(i).x for i in self.selection]
        ys = [self.project.node(i).y for i in self.selection]
        rect = extent_rect((min(xs), min(ys), max(xs), max(ys)))
        self.canvas.zoom_to_rect(rect.adjusted(-150, -150, 150, 150))

    def zoom_to_layer(self, key: str) -> None:
        if self.project is None:
            return
        if key in ("district_labels", "districts", "study_area", "basemap"):
            self.canvas.zoom_to_extent()
            return
        item = self._item(key)
        if isinstance(item, NodeLayerItem) and item.ids:
            rect = extent_rect((item.xs.min(), item.ys.min(), item.xs.max(), item.ys.max()))
        elif item is not None:
            rect = item.mapRectToScene(item.boundingRect())
        else:
            return
        self.canvas.zoom_to_rect(QRectF(rect))

    # ================================================================ import
    def import_file(self, kind: str, path: str | os.PathLike[str], **options: Any) -> bool:
        if self.project is None:
            self.show_error("Open a project first (File ▸ Open), or create one (File ▸ New).")
            return False
        cmd = ImportCommand(kind, str(path), **options)
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                ok = self.push(cmd)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except Exception as exc:  # noqa: BLE001 - unreadable files raise GDAL/pandas errors
            self.show_error(f"Could not import {Path(path).name}: {exc}")
            return False
        if ok and cmd.summary is not None:
            notes = "; ".join(cmd.summary.notes)
            self.messages.show_message(f"Imported {cmd.summary.count:,} {kind.replace('_', ' ')} from "
                                       f"{Path(path).name}" + (f" ({notes})" if notes else ""), error=False)
        return ok

    def import_dialog(self, kind: str) -> None:
        filt = "GeoTIFF / SRTM (*.tif *.tiff *.hgt *.zip);;All files (*)" if kind == "dem" else \
            "Vector files (*.gpkg *.geojson *.json *.shp *.csv *.kml *.zip);;All files (*)"
        p, _ = QFileDialog.getOpenFileName(self, f"Import {kind.replace('_', ' ')}", self.prefs.last_dir, filt)
        if p:
            self.import_file(kind, p)

    # ================================================================ export
    def export_dialog(self, fmt: str) -> None:
        """File ▸ Export ▸ *format*: ask where (a folder for ``all``), then :meth:`export`."""
        if self.project is None:
            self.show_error("Open a project first.")
            return
        from planner.exports import EXTENSIONS, SUFFIXES, slug

        out = self.ask_export_path(fmt)
        if not out:
            return
        out = Path(out)
        if fmt != "all" and out.suffix.lower() != EXTENSIONS[fmt]:
            out = out.with_name(out.name + EXTENSIONS[fmt])
        if fmt == "all" and out.is_dir():
            stem = slug(self.project.name)
            existing = [out / f"{stem}{SUFFIXES[f]}{EXTENSIONS[f]}" for f in EXTENSIONS]
            existing = [e for e in existing if e.exists()]
            if existing and not self.ask_overwrite(existing):
                return
        self.prefs.last_dir = str(out if fmt == "all" else out.parent)
        self.export(fmt, out)

    def export(self, fmt: str, out: str | os.PathLike[str]) -> bool:
        """Export a snapshot of the project in the background (``fmt``: a format of
        :data:`planner.exports.FORMATS` or ``all``; ``out``: the file, or the folder for ``all``).

        A bad path is reported at once in the message bar; errors while writing
        arrive there too (through the runner), and success names the written path.
        Returns True when the export started.
        """
        from planner import exports

        if self.project is None:
            self.show_error("Open a project first.")
            return False
        protect = [self.path] if self.path is not None else []
        try:
            if fmt != "all" and fmt not in exports.FORMATS:
                raise PlannerError(f"unknown export format {fmt!r}")
            target = exports.check_out_path(out, folder=(fmt == "all"), protect=protect)
        except PlannerError as exc:
            self.show_error(f"Export failed: {exc}")
            return False
        snap = self.project.snapshot()

        def fn(progress: Any) -> Any:
            return fmt, target, exports.export_all(snap, target, fmt, protect=protect, progress=progress)

        self.export_runner.start("export", fn)
        return True

    def _on_export_done(self, fmt: str, target: Path, written: list[Path]) -> None:
        if fmt == "all" or len(written) != 1:
            names = ", ".join(p.name for p in written)
            text = f"Exported {len(written)} files to {target}: {names}"
        else:
            text = f"Exported the {EXPORT_TITLES.get(fmt, fmt)} to {written[0]}"
        self.messages.show_message(text, error=False)
        self.statusBar().showMessage(text, 8000)

    def _ask_export_path(self, fmt: str) -> str:
        from planner.exports import EXTENSIONS, SUFFIXES, slug

        assert self.project is not None
        start = self.prefs.last_dir or (str(self.path.parent) if self.path else "")
        if fmt == "all":
            return QFileDialog.getExistingDirectory(self, "Export all formats to a folder", start)
        name = slug(self.project.name) + SUFFIXES[fmt] + EXTENSIONS[fmt]
        filt = next(f for k, _t, f in EXPORT_FORMATS if k == fmt)
        p, _ = QFileDialog.getSaveFileName(self, f"Export {EXPORT_TITLES[fmt]}", str(Path(start) / name),
                                           f"{filt};;All files (*)")
        return p

    def _ask_overwrite(self, paths: list[Path]) -> bool:
        names = "\n".join(p.name for p in paths)
        r = QMessageBox.question(self, "Replace files?",
                                 f"{len(paths)} file(s) in {paths[0].parent} will be replaced:\n{names}")
        return r == QMessageBox.StandardButton.Yes

    # ================================================================ analyses
    def run_analysis(self, name: str) -> None:
        """Start an analysis on a snapshot, off the GUI thread."""
        if self.project is None:
            self.show_error("Open a project first.")
            return
        snap = self.project.snapshot()
        if name == "network":
            from planner.analysis.network_plan import run_network

            def fn(progress: Any) -> Any:
                return run_network(snap, progress=progress)
        elif name == "coverage":
            crs = snap.crs

            def fn(progress: Any) -> Any:
                from planner.analysis.progress import sub_progress

                result, doc, _text = workflows.coverage_report(snap, progress=sub_progress(progress, 0, 0.75),
                                                               store=False)
                progress(0.8, "coverage polygons")
                polys = result.polygons().set_crs(crs, allow_override=True)
                progress(0.9, "drawing")
                built = pl.coverage_paths(polys)
                progress(1.0, "done")
                return result, doc, polys, built
        elif name == "radio":

            def fn(progress: Any) -> Any:
                _radio, doc, _text = workflows.radio_map_report(snap, progress=progress)
                return snap.results["radio_throughput"], doc  # the workflow stored it on the snapshot
        else:
            raise ValueError(name)
        self.runner.start(name, fn)

    def cancel_analysis(self) -> None:
        for r in self.runners:
            r.cancel()

    def _start_coverage_update(self) -> None:
        if self.project is None or self.coverage_result is None or not self._pending_cov_ids:
            return
        from planner.analysis.coverage import update_cameras

        ids, self._pending_cov_ids = list(dict.fromkeys(self._pending_cov_ids)), []
        base = self.coverage_result
        snap = self.project.snapshot()

        def fn(progress: Any) -> Any:
            progress(0.0, "updating coverage")
            r = update_cameras(base, snap, ids)
            progress(0.9, "totals")
            return r, r.summary()

        self.update_runner.start("coverage-update", fn)

    def _start_cost_refresh(self) -> None:
        """Recompute the cost by phase (about 50 ms on 2,000 cameras) on a snapshot, off the GUI thread."""
        if self.project is None:
            return
        from planner.gui.panels.results import cost_by_phase

        snap = self.project.snapshot()

        def fn(progress: Any) -> Any:
            try:
                return snap, cost_by_phase(snap)
            except PlannerError as exc:
                return snap, exc

        self.cost_runner.start("cost", fn)

    def _on_cost_done(self, _name: str, result: Any) -> None:
        snap, rows = result
        if self.project is not None:
            self.results._refresh_cost(snap, rows)

    def _on_runner_started(self, name: str) -> None:
        self.progress_label.setText(ANALYSIS_TITLES.get(name, name) + "…")
        self.progress.setValue(0)
        for w in (self.progress_label, self.progress, self.cancel_button):
            w.show()

    def _on_runner_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        runner = self.sender()
        name = runner.name if isinstance(runner, AnalysisRunner) else ""
        self.progress_label.setText(f"{ANALYSIS_TITLES.get(name, name)}: {message}" if message else
                                    ANALYSIS_TITLES.get(name, name))

    def _idle_progress(self) -> None:
        if not any(r.running for r in self.runners):
            for w in (self.progress_label, self.progress, self.cancel_button):
                w.hide()

    def _on_runner_done(self, name: str, result: Any) -> None:
        self._idle_progress()
        if name == "new-project":
            self._on_new_project_done(*result)
            return
        p = self.project
        if p is None:
            return
        if name == "network":
            doc = result.to_dict()
            self.push(SetResults("network", doc, text="Apply network and storage results"))
            t = doc["totals"]
            self.statusBar().showMessage(
                f"Network and storage: {t['daily_tb']:,.1f} TB/day; {t['flagged_storage']} centre(s) flagged", 8000)
        elif name == "coverage":
            cov, doc, polys, built = result
            self.coverage_result = cov
            self._remember_coverage_paths(polys, built)
            self.push(MacroCommand([SetResults("coverage", doc), SetResults("coverage_polygons", polys)],
                                   "Apply coverage results"))
            self.statusBar().showMessage("Coverage computed", 5000)
        elif name == "coverage-update":
            cov, doc = result
            self.coverage_result = cov
            # derived data follows the edit that caused it: applied without a separate undo step
            SetResults("coverage", doc).do(p)
            if self._pending_cov_ids:
                self._cov_timer.start()
                return
            crs = p.crs
            previous = p.results.get("coverage_polygons")

            def polys(progress: Any) -> Any:
                from planner.analysis.coverage import patch_polygons

                progress(0.1, "redrawing coverage")
                if previous is None:
                    gdf = cov.polygons().set_crs(crs, allow_override=True)
                else:
                    gdf = patch_polygons(previous, cov)
                progress(0.6, "drawing")
                return gdf, pl.coverage_paths(gdf)

            def start_polys() -> None:
                # after this result's repaint: the worker's Python-heavy path building competes for the GIL
                if self.coverage_result is cov and not self.update_runner.running and not self._pending_cov_ids:
                    self.update_runner.start("coverage-polygons", polys)

            QTimer.singleShot(60, start_polys)
        elif name == "coverage-polygons":
            gdf, built = result
            self._remember_coverage_paths(gdf, built)
            SetResults("coverage_polygons", gdf).do(p)
        elif name == "radio":
            raster, doc = result
            self.push(SetResults("radio_throughput", raster, text="Apply radio coverage map"))
            self.hidden_layers.discard("radio_throughput")
            self.set_layer_visible("radio_throughput", True)
            self.statusBar().showMessage(str(doc.get("text", "Radio coverage map computed")), 8000)
        elif name == "export":
            self._on_export_done(*result)

    def _on_runner_failed(self, name: str, exc: Any, tb: str) -> None:
        self._idle_progress()
        if isinstance(exc, PlannerError) or (name == "export" and isinstance(exc, OSError)):
            self.show_error(f"{ANALYSIS_TITLES.get(name, name)} failed: {exc}")
        else:
            self.show_error(f"{ANALYSIS_TITLES.get(name, name)} failed unexpectedly: {type(exc).__name__}: {exc}")
            self.last_error = tb

    def _on_runner_cancelled(self, name: str) -> None:
        self._idle_progress()
        if name:
            self.statusBar().showMessage(f"{ANALYSIS_TITLES.get(name, name)} cancelled", 5000)

    # ================================================================ misc
    def show_error(self, text: str) -> None:
        self.last_error = text
        self.messages.show_message(text, error=True)

    def handle_unexpected(self, exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        """Excepthook: keep the work (recovery file), then show the error in a dialog."""
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.last_error = text
        saved = None
        try:
            saved = self.autosave(wait=True)
        except Exception:  # noqa: BLE001
            saved = None
        if isinstance(exc, AnalysisCancelled):
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                          f"{exc_type.__name__}: {exc}\n\nThe application keeps running."
                          + (f" Your unsaved work was written to {saved}." if saved else ""), parent=self)
        box.setDetailedText(text)
        if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            box.exec()

    def _on_stack_changed(self) -> None:
        self._refresh_title()

    def _refresh_title(self) -> None:
        if self.project is None:
            self.setWindowTitle("Planner")
            return
        dirty = "" if self.stack is None or self.stack.is_clean else " *"
        where = f" — {self.path.name}" if self.path else ""
        self.setWindowTitle(f"{self.project.name}{where}{dirty} — Planner")
        self.act_save.setEnabled(True)

    def _on_cursor_moved(self, x: float, y: float) -> None:
        if self.project is None:
            return
        lon, lat = self._to_lonlat.transform(x, y)
        epsg = self.project.epsg
        self.coord_label.setText(f"E {x:,.1f}  N {y:,.1f} (EPSG:{epsg})   {lat:.5f}°, {lon:.5f}°")

    def _on_view_changed(self) -> None:
        from planner.gui.map.canvas import nice_round

        den = (1.0 / self.canvas.px_per_m()) / 0.000264583
        self.scale_label.setText(f"1:{nice_round(den):,}")

    def open_optimise_dialog(self) -> Any:
        """Analysis ▸ Optimise placement… (the dialog pushes accepted cameras on this window's undo stack)."""
        from planner.gui.dialogs.optimise import OptimiseDialog

        if self.project is None or self.stack is None:
            return None
        self.optimise_dialog = OptimiseDialog(self.project, self.stack, self)
        self.optimise_dialog.show()
        return self.optimise_dialog

    def _about(self) -> None:
        from planner import __version__

        QMessageBox.about(self, "About Planner", f"Planner {__version__}\nPlan and audit city-scale "
                          "video-surveillance deployments.\nMap data © their sources; "
                          "basemap © OpenStreetMap contributors.")
