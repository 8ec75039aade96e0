"""The main window: map, layer panel, inspector, node table, results dashboard, analyses.

The window holds one project and its :class:`~planner.model.commands.CommandStack`
and wires the views to three controllers: :class:`~planner.gui.controllers.analysis.AnalysisController`
(jobs off the GUI thread, results applied as commands),
:class:`~planner.gui.controllers.document.DocumentController` (open, save, autosave, recovery) and
:class:`~planner.gui.controllers.layers.LayerManager` (the map's layers). Views subscribe to the
project's ``changed``/``nodes_changed`` events; every edit (map tools, inspector, table, menus,
imports, applying results) is a command pushed on the stack.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

import pyproj
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QGraphicsItem,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.errors import PlannerError
from planner.gui.controllers.analysis import AnalysisController, camera_ids
from planner.gui.controllers.document import DocumentController, recovery_path
from planner.gui.controllers.export import EXPORT_FORMATS, ExportController
from planner.gui.controllers.layers import LayerManager
from planner.gui.map.canvas import MapCanvas, Tool
from planner.gui.map.layers import LegendEntry, extent_rect
from planner.gui.map.node_layer import NodeLayerItem
from planner.gui.message_bar import MessageBar
from planner.gui.panels.inspector import InspectorPanel
from planner.gui.panels.layers_panel import LayersPanel
from planner.gui.panels.node_table import NodeTablePanel
from planner.gui.panels.results import ResultsPanel
from planner.gui.preferences import Preferences, cache_dir, load_preferences, save_preferences
from planner.gui.undo import UndoActions, UndoShortcutFilter
from planner.gui.workers import AnalysisRunner
from planner.model.commands import AddNodes, CommandStack, RemoveNodes, UpdateNodes
from planner.model.nodes import NODE_CLASSES, Node, NodeKind
from planner.model.project import Project

__all__ = ["MainWindow", "MessageBar", "recovery_path"]

PROJECT_FILTER = "Planner projects (*.gpkg)"
PROJECT_FILTER = "Planner projects (*.gpkg)"
IMPORT_KINDS = [("boundary", "Study area boundary…"), ("districts", "Districts…"), ("dem", "DEM (GeoTIFF, SRTM)…"),
                ("buildings", "Buildings…"), ("streets", "Streets…"), ("priority_sites", "Priority sites…"),
                ("cameras", "Cameras (CSV, GeoJSON, GPKG)…"), ("radio_sites", "Radio sites…"),
                ("storage_centres", "Storage centres…"), ("command_centres", "Command centres…")]



class MainWindow(QMainWindow):
    def __init__(self, prefs: Preferences | None = None) -> None:
        super().__init__()
        self.prefs = prefs or load_preferences()
        self.project: Project | None = None
        self.stack: CommandStack | None = None
        self.path: Path | None = None
        self.selection: list[str] = []
        self.clipboard: list[Node] = []
        self.last_error = ""
        # prompts, replaceable in tests

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

        self.layers = LayerManager(self.canvas, self.layers_panel, self.show_error,
                                   draw_later=lambda rec: self.analyses.draw_stored(rec))
        self.analyses = AnalysisController(self)
        self.document = DocumentController(self)
        # prompts, replaceable in tests
        self.ask_save_changes = self.document.ask_save_changes
        self.ask_overwrite_changed = self.document.ask_overwrite_changed
        self.ask_restore_recovery = self.document.ask_restore_recovery
        self.ask_open_path = self.document.ask_open_path
        self.ask_save_path = self.document.ask_save_path
        self.ask_new_project = self.document.ask_new_project
        self.ask_overwrite = self._ask_overwrite
        self.ask_properties = self._ask_properties
        self.exporter = ExportController(self)
        self.ask_export_path = self.exporter.ask_export_path

        self._build_actions()
        self._build_status_bar()
        self._connect()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(int(self.prefs.autosave_seconds * 1000))
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.refresh_title()

    # ---------------------------------------------------------------- controllers' state, by name
    @property
    def runner(self) -> AnalysisRunner:
        return self.analyses.runners["main"]

    @property
    def update_runner(self) -> AnalysisRunner:
        return self.analyses.runners["update"]

    @property
    def export_runner(self) -> AnalysisRunner:
        return self.analyses.runners["export"]

    @property
    def cost_runner(self) -> AnalysisRunner:
        return self.analyses.runners["cost"]

    @property
    def runners(self) -> tuple[AnalysisRunner, ...]:
        """The runners whose work shows in the status bar (progress and cancel)."""
        return self.analyses.visible_runners

    @property
    def coverage_result(self) -> Any:
        """The coverage engine state behind the project's coverage results (None: none)."""
        return self.analyses.coverage_engine()

    @property
    def layer_items(self) -> dict[str, QGraphicsItem]:
        return self.layers.items

    @property
    def hidden_layers(self) -> set[str]:
        return self.layers.hidden


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
        self.act_audit = A("Audit a &register…", lambda: self.audit_dialog(),
                           tip="Coverage envelope, availability and claims for existing cameras (planner audit)")
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
        m.addAction(self.act_audit)
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
        m = mb.addMenu("&Project")
        self.act_properties = A("&Properties…", lambda: self.edit_properties(),
                                tip="Name, jurisdiction, currency, video defaults, targets, unit prices (undoable)")
        m.addAction(self.act_properties)
        m = mb.addMenu("&Analysis")
        m.addAction(self.act_run_cov)
        m.addAction(self.act_run_net)
        m.addAction(self.act_run_radio)
        m.addAction(A("&Optimise placement…", self.open_optimise_dialog))
        m.addAction(A("Optimise radio and &storage sites…", self.open_sites_dialog,
                      tip="Fewest radio sites within sector capacity; storage centres within capacity"))
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
        self.refresh_recent()

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
        sb.addPermanentWidget(self.document.autosave_label)
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
        lp.zoom_requested.connect(self.zoom_to_layer)
        lp.phases_changed.connect(self._on_phases_changed)
        self.undo_filter = UndoShortcutFilter(self.undo_actions, [self.inspector, self.table])


    # ================================================================ project
    def set_project(self, project: Project, path: str | os.PathLike[str] | None = None) -> None:
        self.analyses.reset()
        self.document.reset()
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
        self._to_lonlat = pyproj.Transformer.from_crs(project.crs, 4326, always_xy=True)
        self.layers.set_project(project)
        self._update_nodes()
        self.layers_panel.set_phases(project.phases(), set())
        self.canvas.set_extent(extent_rect(project.study_area.bounds))
        self.canvas.zoom_to_extent()
        if self.act_basemap.isChecked():
            self.layers.enable_basemap(True, cache_dir() / "tiles")
        self.inspector.set_phases(project.phases())
        self.inspector.set_nodes([])
        self.table.set_nodes(project.nodes())
        self.results.refresh(project, shown=self.analyses.scope())
        self.messages.hide()
        self.refresh_title()

    # ---------------------------------------------------------------- export (see ExportController)
    def export_dialog(self, fmt: str) -> None:
        """File ▸ Export ▸ *format*: ask where (a folder for ``all``), then :meth:`export`."""
        self.exporter.export_dialog(fmt)

    def export(self, fmt: str, out: str | os.PathLike[str]) -> bool:
        """Export a snapshot of the project in the background; True when the export started."""
        return self.exporter.export(fmt, out)

    def _ask_overwrite(self, paths: list[Path]) -> bool:
        names = "\n".join(p.name for p in paths)
        r = QMessageBox.question(self, "Replace files?",
                                 f"{len(paths)} file(s) in {paths[0].parent} will be replaced:\n{names}")
        return r == QMessageBox.StandardButton.Yes

    # ---------------------------------------------------------------- document (see DocumentController)
    def open_path(self, path: str | os.PathLike[str], *, check_recovery: bool = True) -> bool:
        """Open a project file; errors appear in the message bar. Returns True on success."""
        return self.document.open_path(path, check_recovery=check_recovery)

    def save(self) -> bool:
        return self.document.save()

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        return self.document.save_as(path)

    def maybe_discard_changes(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or no changes)."""
        return self.document.maybe_discard_changes()

    def autosave(self, *, wait: bool = False) -> Path | None:
        return self.document.autosave(wait=wait)

    # ---------------------------------------------------------------- new project (see DocumentController)
    def audit_dialog(self) -> Any:
        """File ▸ Audit a register… (planner/gui/dialogs/audit.py); non-modal, kept while open."""
        from planner.gui.dialogs.audit import AuditDialog

        self._audit = AuditDialog(self)
        self._audit.show()
        return self._audit

    def new_project_dialog(self) -> None:
        """File ▸ New…: ask for a name, a boundary and optional districts, create the project, save it."""
        self.document.new_project_dialog()

    def create_project(self, request: Any) -> None:
        """Create a project from a :class:`~planner.gui.dialogs.new_project.NewProjectRequest` off the GUI
        thread; it then replaces the open one and "Save as" asks where to keep it."""
        self.analyses.run("new-project", request=request)

    def open_dialog(self) -> None:
        if not self.maybe_discard_changes():
            return
        p = self.ask_open_path()
        if p:
            self.open_path(p)

    def refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.prefs.recent_files:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _c=False, p=p: self.maybe_discard_changes() and self.open_path(p))
        self.recent_menu.setEnabled(bool(self.prefs.recent_files))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.document.can_close():
            event.ignore()
            return
        self.analyses.cancel_all()
        self.autosave_timer.stop()
        save_preferences(self.prefs)
        event.accept()

    # ================================================================ layers (see LayerManager)
    def _on_layer_order(self, keys: list[str]) -> None:
        self.layers.on_order(keys)

    def _on_phases_changed(self, hidden: set[str]) -> None:
        self.layers.set_hidden_phases(hidden)
        self.set_selection([i for i in self.selection if self._node_visible(i)], False)
        if self.project is not None:
            self.results.refresh(self.project, cost=False, shown=self._scope_or_none())

    def _scope_or_none(self) -> Any:
        try:
            return self.analyses.scope()
        except PlannerError:
            return None

    def _node_visible(self, nid: str) -> bool:
        if self.project is None or nid not in self.project:
            return False
        return self.project.node(nid).phase not in self.layers_panel.hidden_phases()

    def set_layer_visible(self, key: str, visible: bool) -> None:
        self.layers_panel.set_checked(key, visible)
        self.layers.on_visibility(key, visible)

    def legend_entries(self) -> list[LegendEntry]:
        return self.layers.legend_entries()

    def add_overlay(self, path: str | os.PathLike[str]) -> bool:
        return self.layers.add_overlay(path)

    def add_overlay_dialog(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "Add raster overlay", self.prefs.last_dir,
                                           "GeoTIFF (*.tif *.tiff);;All files (*)")
        if p:
            self.add_overlay(p)

    def _on_basemap_toggled(self, on: bool) -> None:
        self.prefs.basemap = bool(on)
        save_preferences(self.prefs)
        self.layers.enable_basemap(on, cache_dir() / "tiles")

    def _on_legend_toggled(self, on: bool) -> None:
        self.canvas.show_legend = on
        self.canvas.viewport().update()

    # ================================================================ nodes & edits
    def _update_nodes(self, changed: list[Node] | None = None) -> bool:
        """Refresh the node layers: in place for ``changed`` nodes when they only changed (a move, a
        field edit), else rebuilt. Returns True when the update was in place."""
        p = self.project
        assert p is not None
        phases = p.phases()
        layers = self.layers.node_layers()
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
            self.layers.rebuild()
            self.canvas.set_extent(extent_rect(self.project.study_area.bounds))
        elif what == "links":
            self.layers.rebuild_some(["links"])
        elif what == "results":
            self.layers.rebuild_some(["coverage", "links", "priority_sites", "radio_throughput"], if_changed=True)
            self.layers.apply_network_overlay()
            self.results.refresh(self.project, cost=False, shown=self._scope_or_none())
        elif what == "nodes":
            self.results.refresh_headline(self.project)
        elif what in ("parameters", "all"):
            self.results.refresh(self.project, shown=self._scope_or_none())
            self.refresh_title()

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
            self.layers.rebuild_some(["links"])
        known = set(p.phases())
        if set(self.layers_panel._phase_checks) != known:
            self.layers_panel.set_phases(p.phases(), self.layers_panel.hidden_phases() & known)
        self.selection = [i for i in self.selection if i in p]
        if in_place:
            self.inspector.refresh({n.id: n for n in changed} | {i: p.node(i) for i in self.selection})
        else:
            self.inspector.refresh({n.id: n for n in p.iter_nodes()})
            self.table.show_selection(self.selection)
        self.inspector.set_phases(p.phases())
        self.analyses.schedule_cost()
        self.analyses.cameras_changed(camera_ids(p, ids))

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
        if kind == Tool.PLACE_CANDIDATE:
            dlg = getattr(self, "optimise_dialog", None)
            if dlg is not None and dlg.isVisible():
                dlg.add_drawn_site(x, y)
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
        action = self.tool_actions.get(Tool(tool))
        if action is not None:
            action.setChecked(True)
        else:  # a dialog's own tool (drawing candidate sites): no toolbar button is current
            for a in self.tool_actions.values():
                a.setChecked(False)

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
        for layer in self.layers.node_layers():
            layer.set_selected(self.selection)
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
        item = self.layers.item(key)
        if isinstance(item, NodeLayerItem) and item.ids:
            rect = extent_rect((item.xs.min(), item.ys.min(), item.xs.max(), item.ys.max()))
        elif item is not None:
            rect = item.mapRectToScene(item.boundingRect())
        else:
            return
        self.canvas.zoom_to_rect(QRectF(rect))

    # ================================================================ import (see DocumentController)
    def import_file(self, kind: str, path: str | os.PathLike[str], **options: Any) -> bool:
        return self.document.import_file(kind, path, **options)

    def import_dialog(self, kind: str) -> None:
        self.document.import_dialog(kind)

    # ================================================================ analyses (see AnalysisController)
    def run_analysis(self, name: str) -> bool:
        """Start an analysis (``coverage``, ``network``, ``radio`` or a registered job) on a snapshot of
        the phases shown, off the GUI thread."""
        if self.project is None:
            self.show_error("Open a project first.")
            return False
        return self.analyses.run(name)

    def cancel_analysis(self) -> None:
        self.analyses.cancel()

    # ================================================================ project properties
    def edit_properties(self) -> bool:
        """Project ▸ Properties…: edit the settings (:mod:`planner.project_settings`), one undoable step."""
        if self.project is None:
            self.show_error("Open a project first.")
            return False
        from planner.model.commands import SetProjectSettings
        from planner.project_settings import settings_of

        new = self.ask_properties(settings_of(self.project))
        if new is None or new == settings_of(self.project):
            return False
        return self.push(SetProjectSettings(new.name, new.parameters, new.unit_prices))

    def _ask_properties(self, current: Any) -> Any:
        from planner.gui.dialogs.properties import ProjectPropertiesDialog

        dlg = ProjectPropertiesDialog(current, self)
        return dlg.settings() if dlg.exec() == ProjectPropertiesDialog.DialogCode.Accepted else None

    # ================================================================ misc
    def show_error(self, text: str, *, source: str = "") -> None:
        self.last_error = text
        self.messages.show_message(text, error=True, source=source)

    def handle_unexpected(self, exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        """Excepthook: keep the work (recovery file), then show the error in a dialog."""
        self.document.handle_unexpected(exc_type, exc, tb)

    def _on_stack_changed(self) -> None:
        self.refresh_title()

    def refresh_title(self) -> None:
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

    def open_sites_dialog(self) -> Any:
        """Analysis ▸ Optimise radio and storage sites… (accepted sites go on this window's undo stack)."""
        from planner.gui.dialogs.optimise_sites import SitesDialog

        if self.project is None or self.stack is None:
            return None
        self.sites_dialog = SitesDialog(self.project, self.stack, self)
        self.sites_dialog.show()
        return self.sites_dialog

    def _about(self) -> None:
        from planner import __version__

        QMessageBox.about(self, "About Planner", f"Planner {__version__}\nPlan and audit city-scale "
                          "video-surveillance deployments.\nMap data © their sources; "
                          "basemap © OpenStreetMap contributors.")
