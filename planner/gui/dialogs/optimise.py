"""Analysis ▸ Optimise placement…: propose cameras with the optimiser, in the background, and accept them undoably.

The dialog gathers the inputs of :func:`planner.placement.optimise_project`,
runs it on a snapshot of the project through an
:class:`~planner.gui.workers.AnalysisRunner` (progress bar, Cancel), shows the
proposed cameras with the coverage before and after, the objective, the bound,
the gap and whether the solution is proven optimal, and pushes the accepted
cameras (all, or the ticked ones) on the window's undo stack as one command
(:func:`planner.placement.placement_command`).

Before acceptance the proposed cameras are drawn on the map as a temporary
overlay (``optimise_proposals`` in the window's layer manager; unticked ones
in grey); it goes when the proposal is accepted or the dialog closes, and
never touches the project or the undo stack. Every finished run is kept in a
small comparison table (cameras, objective, coverage before and after, gap,
proven optimal or not), so that e.g. 300 and 500 cameras can be compared side
by side; selecting a row shows that run's proposal (list and map), and the
accept buttons accept the selected run. Accepting changes the project, so the
other runs (computed against the project before) are then dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.gui.dialogs._background import BackgroundRun

OBJECTIVES = (("max-coverage", "Most coverage for N cameras"), ("min-cameras", "Fewest cameras for a target share"),
              ("backup-coverage", "Most coverage seen twice (backup) for N cameras"))
LEVELS = ("monitor", "detect", "observe", "recognise", "identify")
#: Key of the map overlay of the proposed cameras in the window's layer manager.
OVERLAY_KEY = "optimise_proposals"
#: Key of the overlay of the candidate sites drawn on the map.
DRAWN_KEY = "optimise_drawn_sites"
DRAWN = QColor("#e07a00")
#: Proposed (ticked) cameras on the map, and unticked ones: apart from the phase colours of placed cameras.
PROPOSED = QColor("#7b2cbf")
UNTICKED = QColor("#a0a0a0")
#: Columns of the comparison table of runs.
RUN_COLUMNS = ("Run", "Model", "Level", "Cameras", "Objective", "Before", "After", "Gap", "Optimal")
RUN_TIPS = {"Before": "coverage of the demand weight before the run's cameras",
            "After": "coverage of the demand weight with the run's cameras",
            "Gap": "relative gap between the objective and the solver's best bound",
            "Optimal": "'proven' only when the solver proved optimality"}


def incident_layers(project: Any) -> list[str]:
    """The project's point layers (nodes are not layers), which can weight the demand."""
    return [name for name, gdf in sorted(project.layers.items())
            if len(gdf) and bool((gdf.geometry.geom_type == "Point").all())]


class OptimiseDialog(BackgroundRun, QDialog):
    """Inputs, background run with progress/cancel, proposal list, accept as one undoable step."""

    def __init__(self, project: Any, stack: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Optimise camera placement")
        self.setMinimumWidth(560)
        self.project = project
        self.stack = stack
        self.placement: Any = None
        #: Every finished run since the dialog opened (or since the last acceptance): ``Placement``s.
        self.runs: list[Any] = []
        self._init_runner()
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.objective = QComboBox()
        for key, label in OBJECTIVES:
            self.objective.addItem(label, key)
        form.addRow("Objective", self.objective)
        self.cameras = QSpinBox()
        self.cameras.setRange(1, 100_000)
        self.cameras.setValue(50)
        form.addRow("New cameras", self.cameras)
        self.share = QDoubleSpinBox()
        self.share.setRange(0.01, 1.0)
        self.share.setSingleStep(0.05)
        self.share.setValue(0.5)
        form.addRow("Target share of demand", self.share)
        self.level = QComboBox()
        self.level.addItems(LEVELS)
        self.level.setCurrentText("detect")
        form.addRow("Detail level", self.level)
        self.period = QComboBox()
        self.period.addItems(("day", "night"))
        form.addRow("Period", self.period)
        self.district = QComboBox()
        self.district.addItem("(whole study area)", "")
        d = project.districts
        for name in (d["name"].astype(str).tolist() if len(d) else []):
            self.district.addItem(name, name)
        form.addRow("Demand area", self.district)
        has_streets = "streets" in project.layers and len(project.layers["streets"])
        self.sources = QLineEdit("intersections,streets" if has_streets else "grid")
        form.addRow("Candidate sites", self.sources)
        #: Candidate sites clicked on the map (x, y): the source ``drawn``; they are not part of the project.
        self.drawn: list[tuple[float, float]] = []
        draw_row = QHBoxLayout()
        self.draw_btn = QPushButton("Draw sites on the map")
        self.draw_btn.setCheckable(True)
        self.draw_btn.setToolTip("While pressed, each click on the map adds a candidate site (source 'drawn')")
        self.draw_btn.toggled.connect(self._on_draw_toggled)
        self.clear_drawn_btn = QPushButton("Clear drawn")
        self.clear_drawn_btn.clicked.connect(self.clear_drawn)
        self.drawn_label = QLabel("no site drawn")
        for w in (self.draw_btn, self.clear_drawn_btn, self.drawn_label):
            draw_row.addWidget(w)
        form.addRow("", draw_row)
        self.demand = QComboBox()
        self.demand.addItems(("streets", "cells"))
        self.demand.setCurrentText("streets" if has_streets else "cells")
        form.addRow("Demand", self.demand)
        self.incidents = QComboBox()
        self.incidents.addItem("(none)", "")
        for name in incident_layers(project):
            self.incidents.addItem(name, name)
        self.incidents.setToolTip("Incident / heat-map points: the demand weight near them is raised "
                                  "(quartic kernel, weight or count column)")
        form.addRow("Incident layer", self.incidents)
        self.incident_radius = QDoubleSpinBox()
        self.incident_radius.setRange(1, 5000)
        self.incident_radius.setValue(150)
        form.addRow("Incident radius (m)", self.incident_radius)
        self.spacing = QDoubleSpinBox()
        self.spacing.setRange(5, 1000)
        self.spacing.setValue(50)
        form.addRow("Pole spacing (m)", self.spacing)
        self.time_limit = QDoubleSpinBox()
        self.time_limit.setRange(0, 3600)
        self.time_limit.setValue(30)
        form.addRow("Solver time limit (s)", self.time_limit)
        self.phase = QLineEdit("optimised")
        form.addRow("Phase of the new cameras", self.phase)
        lay.addLayout(form)
        self._add_progress(lay)
        self.runs_table = QTableWidget(0, len(RUN_COLUMNS))
        self.runs_table.setHorizontalHeaderLabels(list(RUN_COLUMNS))
        for k, name in enumerate(RUN_COLUMNS):
            head = self.runs_table.horizontalHeaderItem(k)
            if head is not None and name in RUN_TIPS:
                head.setToolTip(RUN_TIPS[name])
        self.runs_table.verticalHeader().setVisible(False)
        self.runs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs_table.setMaximumHeight(170)
        self.runs_table.setToolTip("Each finished run; select one to show its proposal and accept it")
        self.runs_table.itemSelectionChanged.connect(self._on_run_selected)
        lay.addWidget(QLabel("Runs (compare, then select one to accept):"))
        lay.addWidget(self.runs_table)
        self.proposals = QListWidget()
        self.proposals.itemChanged.connect(lambda _it: self._update_overlay_colours())
        lay.addWidget(self.proposals, 1)
        row = QHBoxLayout()
        self.run_btn = QPushButton("Run")
        self.run_btn.clicked.connect(self.run)
        self.cancel_btn = QPushButton("Cancel run")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.runner.cancel)
        self.accept_all_btn = QPushButton("Accept all")
        self.accept_all_btn.clicked.connect(lambda: self.accept_proposal(selected_only=False))
        self.accept_sel_btn = QPushButton("Accept ticked")
        self.accept_sel_btn.clicked.connect(lambda: self.accept_proposal(selected_only=True))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for b in (self.run_btn, self.cancel_btn, self.accept_all_btn, self.accept_sel_btn, close):
            row.addWidget(b)
        lay.addLayout(row)
        self._set_accept(False)
        self.objective.currentIndexChanged.connect(self._on_objective)
        self._on_objective()

    # ------------------------------------------------------------ drawn candidate sites
    def _on_draw_toggled(self, on: bool) -> None:
        from planner.gui.map.canvas import Tool

        win = self.parent()
        if win is not None and hasattr(win, "set_tool"):
            win.set_tool(Tool.PLACE_CANDIDATE if on else Tool.SELECT)

    def add_drawn_site(self, x: float, y: float) -> None:
        """A candidate site clicked on the map; ``drawn`` joins the candidate sources."""
        self.drawn.append((float(x), float(y)))
        srcs = [s.strip() for s in self.sources.text().split(",") if s.strip()]
        if "drawn" not in srcs:
            self.sources.setText(",".join([*srcs, "drawn"]))
        self._show_drawn()

    def clear_drawn(self) -> None:
        self.drawn = []
        self.sources.setText(",".join(s.strip() for s in self.sources.text().split(",")
                                      if s.strip() and s.strip() != "drawn"))
        self._show_drawn()

    def _show_drawn(self) -> None:
        import numpy as np

        from planner.gui.map.layers import PointLayerItem

        n = len(self.drawn)
        self.drawn_label.setText(f"{n} site(s) drawn" if n else "no site drawn")
        layers = self._layers()
        if layers is None:
            return
        old = layers.overlays.pop(DRAWN_KEY, None)
        if old is not None:
            layers.canvas.scene().removeItem(old)
        if n:
            item = PointLayerItem(DRAWN_KEY, f"Drawn candidate sites ({n})", np.array([p[0] for p in self.drawn]),
                                  np.array([p[1] for p in self.drawn]), symbol="square", colour=DRAWN, radius_px=4.0,
                                  legend=[("square", DRAWN, "candidate site drawn for the optimiser")])
            layers.overlays[DRAWN_KEY] = item
            layers.canvas.scene().addItem(item)
            if DRAWN_KEY not in layers.order:
                layers.order.insert(0, DRAWN_KEY)
        elif DRAWN_KEY in layers.order:
            layers.order.remove(DRAWN_KEY)
        layers.apply_state()

    def _drawn_layer(self) -> Any:
        import geopandas as gpd
        import shapely

        return gpd.GeoDataFrame(geometry=[shapely.Point(x, y) for x, y in self.drawn], crs=self.project.crs)

    def _on_objective(self) -> None:
        share = self.objective.currentData() == "min-cameras"
        self.share.setEnabled(share)
        self.cameras.setEnabled(not share)

    # ------------------------------------------------------------ running
    def _set_accept(self, on: bool) -> None:
        self.accept_all_btn.setEnabled(on)
        self.accept_sel_btn.setEnabled(on)

    def run(self) -> None:
        from planner import placement
        from planner.analysis.candidates import CandidateParams
        from planner.analysis.executor import InProcessExecutor
        from planner.errors import PlannerError

        model = self.objective.currentData()
        district = self.district.currentData()
        try:
            params = CandidateParams(
                sources=tuple(s.strip() for s in self.sources.text().split(",") if s.strip()),
                spacing_m=self.spacing.value(), level=self.level.currentText(), period=self.period.currentText(),
                demand=self.demand.currentText(), districts=(district,) if district else None,
                incidents=self.incidents.currentData() or None, incident_radius_m=self.incident_radius.value())
        except PlannerError as exc:
            self.status.setText(f"Error: {exc}")
            return
        snap = self.project.snapshot()
        if "drawn" in params.sources:
            if not self.drawn:
                self.status.setText("Error: no site drawn: press 'Draw sites on the map' and click, or remove 'drawn'")
                return
            snap.layers["drawn"] = self._drawn_layer()  # on the snapshot only: the project is not changed
        cameras = self.cameras.value() if model != "min-cameras" else None
        share = self.share.value() if model == "min-cameras" else None
        limit = self.time_limit.value()

        def job(progress: Any) -> Any:
            return placement.optimise_project(snap, params, model=model, cameras=cameras, target_share=share,
                                              time_limit_s=limit, executor=InProcessExecutor(), progress=progress)

        self.placement = None
        self.proposals.clear()
        self.remove_overlay()
        self._set_accept(False)
        self.progress.setValue(0)
        self.status.setText("Computing candidate coverage, then solving…")
        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.runner.start("optimise", job)

    def _on_done(self, name: str, pl: Any) -> None:
        self._finish()
        self.runs.append(pl)
        self._add_run_row(len(self.runs) - 1, pl)
        panel = getattr(self.parent(), "results", None)
        if panel is not None and hasattr(panel, "set_scenarios"):
            panel.set_scenarios(self.runs)  # the dashboard compares the runs side by side too
        self.progress.setValue(1000)
        self.runs_table.selectRow(len(self.runs) - 1)  # shows it (list, status, map)
        if self.placement is not pl:
            self.show_run(len(self.runs) - 1)

    def _add_run_row(self, i: int, pl: Any) -> None:
        from planner.placement import run_cells

        cells = run_cells(i, pl)
        self.runs_table.insertRow(i)
        for k, text in enumerate(cells):
            it = QTableWidgetItem(text)
            if k not in (1, 2):
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.runs_table.setItem(i, k, it)
        self.runs_table.resizeColumnsToContents()

    def _on_run_selected(self) -> None:
        rows = self.runs_table.selectionModel().selectedRows()
        if rows:
            self.show_run(rows[0].row())

    def show_run(self, i: int) -> None:
        """Make run ``i`` the current proposal: its status, its list of cameras and its map overlay."""
        from planner.placement import human_number

        pl = self.runs[i]
        self.placement = pl
        r = pl.result
        proof = "proven optimal" if r.optimal else (f"not proven: gap {100 * r.gap:.2f} %" if r.gap is not None
                                                    else "not proven (no bound)")
        self.status.setText(
            f"Run {i + 1}: {r.cameras} camera(s) proposed; coverage of the demand {100 * r.coverage_before:.1f} % "
            f"before → {100 * r.coverage_after:.1f} % after. Objective {human_number(r.objective)}, bound "
            f"{'-' if r.bound is None else human_number(r.bound)} ({proof}; {r.solver_status}). "
            f"{len(pl.candidates.candidates)} candidates, {len(pl.candidates.existing_ids)} existing cameras kept.")
        self.proposals.blockSignals(True)
        self.proposals.clear()
        for cid in r.chosen_sites:
            c = pl.candidates.candidate(cid)
            it = QListWidgetItem(f"{cid}  ({c.source}, azimuth {c.azimuth_deg:.0f}°, {c.x:.0f}, {c.y:.0f})")
            it.setData(Qt.ItemDataRole.UserRole, cid)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked)
            self.proposals.addItem(it)
        self.proposals.blockSignals(False)
        self.show_overlay()
        self._set_accept(bool(r.chosen_sites))

    # ------------------------------------------------------------ map overlay
    def _layers(self) -> Any:
        """The window's layer manager (None when the dialog has no main window as parent)."""
        return getattr(self.parent(), "layers", None)

    def show_overlay(self) -> None:
        """The current proposal's cameras as a temporary map overlay (not part of the project)."""
        import numpy as np

        from planner.gui.map.layers import PointLayerItem

        layers = self._layers()
        self.remove_overlay()
        if layers is None or self.placement is None or self.placement.candidates is None:
            return
        cs = self.placement.candidates
        chosen = [cs.candidate(cid) for cid in self.placement.result.chosen_sites]
        item = PointLayerItem(OVERLAY_KEY, f"Proposed cameras (optimiser, {len(chosen)})",
                              np.array([c.x for c in chosen], float), np.array([c.y for c in chosen], float),
                              symbol="diamond", colour=PROPOSED, radius_px=4.5,
                              legend=[("diamond", PROPOSED, "proposed camera (not yet accepted)")])
        layers.overlays[OVERLAY_KEY] = item
        layers.canvas.scene().addItem(item)
        if OVERLAY_KEY not in layers.order:
            layers.order.insert(0, OVERLAY_KEY)  # on top of every layer (overlays otherwise go to the bottom)
        layers.apply_state()
        self._update_overlay_colours()

    def _update_overlay_colours(self) -> None:
        layers = self._layers()
        item = layers.overlays.get(OVERLAY_KEY) if layers is not None else None
        if item is None:
            return
        item.set_colours([PROPOSED if self.proposals.item(i).checkState() == Qt.CheckState.Checked else UNTICKED
                          for i in range(self.proposals.count())])
        layers.canvas.viewport().update()

    def remove_overlay(self) -> None:
        layers = self._layers()
        if layers is None:
            return
        item = layers.overlays.pop(OVERLAY_KEY, None)
        if item is not None:
            layers.canvas.scene().removeItem(item)
            layers.apply_state()

    # ------------------------------------------------------------ accepting
    def ticked(self) -> tuple[str, ...]:
        return tuple(self.proposals.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.proposals.count())
                     if self.proposals.item(i).checkState() == Qt.CheckState.Checked)

    def accept_proposal(self, *, selected_only: bool) -> None:
        """Add the proposed (or ticked) cameras to the project as one undoable command."""
        from planner import placement
        from planner.errors import PlannerError

        if self.placement is None:
            return
        ids = self.ticked() if selected_only else None
        try:
            cmd = placement.placement_command(self.project, self.placement, phase=self.phase.text().strip(), ids=ids)
            self.stack.push(cmd)
        except PlannerError as exc:
            self.status.setText(f"Error: {exc}")
            return
        self.status.setText(f"{len(cmd.nodes)} camera(s) added in phase {self.phase.text().strip()} "
                            "(Edit ▸ Undo removes them). The runs were computed on the project before: run "
                            "again to compare further.")
        self._set_accept(False)
        self.placement = None
        self.remove_overlay()
        self.proposals.clear()
        self.runs = []
        self.runs_table.blockSignals(True)
        self.runs_table.setRowCount(0)
        self.runs_table.blockSignals(False)

    def _leave(self) -> None:
        self.runner.cancel()
        self.remove_overlay()
        if self.draw_btn.isChecked():
            self.draw_btn.setChecked(False)
        layers = self._layers()
        item = layers.overlays.pop(DRAWN_KEY, None) if layers is not None else None
        if item is not None:
            layers.canvas.scene().removeItem(item)
            if DRAWN_KEY in layers.order:
                layers.order.remove(DRAWN_KEY)
            layers.apply_state()

    def closeEvent(self, event: Any) -> None:
        self._leave()
        super().closeEvent(event)

    def reject(self) -> None:
        self._leave()
        super().reject()


__all__ = ["OptimiseDialog"]
