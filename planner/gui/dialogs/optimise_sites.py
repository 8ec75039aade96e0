"""Analysis ▸ Optimise radio and storage sites…: choose sites for the cameras, in the background, accept undoably.

The dialog gathers the inputs of :func:`planner.placement.radio_sites_report`
(fewest radio sites serving every wireless camera within sector capacity) and
:func:`planner.placement.storage_sites_report` (storage centres chosen and
cameras assigned within capacity, backhaul distance as cost), runs it on a
snapshot of the project through an :class:`~planner.gui.workers.AnalysisRunner`
(progress bar, Cancel), and shows the chosen sites with their loads, the
objective, the bound, the gap and whether the answer is proven optimal (only
with the solver's proof). The proposed new sites are drawn on the map as a
temporary overlay (``site_proposals``) until they are accepted, which adds them
and assigns the cameras as one command on the window's undo stack
(:meth:`planner.placement.FacilityPlan.command`), as ``planner optimise
--objective radio-sites|storage-sites --apply`` does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.gui.dialogs._background import BackgroundRun

OBJECTIVES = (("radio-sites", "Radio sites for the wireless cameras"),
              ("storage-sites", "Storage centres for the cameras"))
#: Key of the map overlay of the proposed sites in the window's layer manager.
OVERLAY_KEY = "site_proposals"
PROPOSED = QColor("#7b2cbf")


def num(v: float) -> str:
    """A figure for people: thousands separated, no exponent (1,605,041 rather than 1.60504e+06)."""
    from planner.placement import human_number

    return human_number(v)


def plan_status(plan: Any) -> str:
    """One paragraph: sites chosen, assignment, objective, bound, gap, proven optimal or not."""
    r = plan.result
    proof = ("proven optimal" if r.optimal is True else
             (f"not proven: gap {100 * r.gap:.2f} % to the bound" if r.gap is not None else "not proven (no bound)"))
    bound = "–" if r.bound is None else num(r.bound)
    return (f"{len(r.chosen_sites)} site(s) chosen, {len(plan.new_sites)} new; {len(r.assignment)} camera(s) "
            f"assigned, {len(r.unserved)} unserved. Objective {num(r.objective)}, bound {bound} ({proof}; "
            f"{r.solver_status}); {r.time_s:.1f} s.")


def load_text(ld: dict[str, Any]) -> str:
    if "max_utilisation" in ld:
        return f"{ld['site']}: {ld['cameras']} cameras, busiest sector {100 * ld['max_utilisation']:.0f} % of capacity"
    return f"{ld['site']}: {ld['cameras']} cameras, {ld['needed_tb']:.1f} of {ld['usable_tb']:.1f} TB usable"


class SitesDialog(BackgroundRun, QDialog):
    """Inputs, background run with progress/cancel, chosen sites and loads, accept as one undoable step."""

    def __init__(self, project: Any, stack: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Optimise radio and storage sites")
        self.setMinimumWidth(520)
        self.project = project
        self.stack = stack
        self.plan: Any = None
        self._init_runner()
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.objective = QComboBox()
        for key, label in OBJECTIVES:
            self.objective.addItem(label, key)
        form.addRow("Objective", self.objective)
        self.spacing = QDoubleSpinBox()
        self.spacing.setRange(50, 50_000)
        self.spacing.setSingleStep(100)
        self.spacing.setToolTip("Candidate sites on a square grid over the cameras, this far apart")
        form.addRow("Candidate grid spacing (m)", self.spacing)
        self.all_cameras = QCheckBox("plan radio for every camera (not only the wireless ones)")
        form.addRow("", self.all_cameras)
        self.capacity = QDoubleSpinBox()
        self.capacity.setRange(1, 100_000)
        self.capacity.setValue(150)
        form.addRow("Raw capacity of a new centre (TB)", self.capacity)
        self.time_limit = QDoubleSpinBox()
        self.time_limit.setRange(0, 3600)
        self.time_limit.setValue(30)
        form.addRow("Solver time limit (s)", self.time_limit)
        self.phase = QLineEdit("optimised")
        form.addRow("Phase of the new sites", self.phase)
        lay.addLayout(form)
        self._add_progress(lay)
        self.loads = QListWidget()
        lay.addWidget(self.loads, 1)
        row = QHBoxLayout()
        self.run_btn = QPushButton("Run")
        self.run_btn.clicked.connect(self.run)
        self.cancel_btn = QPushButton("Cancel run")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.runner.cancel)
        self.accept_btn = QPushButton("Accept")
        self.accept_btn.setEnabled(False)
        self.accept_btn.clicked.connect(self.accept_plan)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for b in (self.run_btn, self.cancel_btn, self.accept_btn, close):
            row.addWidget(b)
        lay.addLayout(row)
        self.objective.currentIndexChanged.connect(self._on_objective)
        self._on_objective()

    def _on_objective(self) -> None:
        radio = self.objective.currentData() == "radio-sites"
        self.spacing.setValue(800.0 if radio else 3000.0)  # the CLI's defaults
        self.all_cameras.setEnabled(radio)
        self.capacity.setEnabled(not radio)

    # ------------------------------------------------------------ running
    def run(self) -> None:
        from planner import placement

        obj = self.objective.currentData()
        snap = self.project.snapshot()
        spacing, limit = self.spacing.value(), self.time_limit.value()
        all_cams, cap = self.all_cameras.isChecked(), self.capacity.value()

        def job(progress: Any) -> Any:
            if obj == "radio-sites":
                return placement.radio_sites_report(snap, site_spacing_m=spacing, all_cameras=all_cams,
                                                    time_limit_s=limit, progress=progress)
            return placement.storage_sites_report(snap, site_spacing_m=spacing, capacity_tb=cap,
                                                  time_limit_s=limit, progress=progress)

        self.plan = None
        self.loads.clear()
        self.remove_overlay()
        self.accept_btn.setEnabled(False)
        self.progress.setValue(0)
        self.status.setText("Link budgets and candidate sites, then solving…" if obj == "radio-sites"
                            else "Candidate centres, then solving…")
        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.runner.start(obj, job)

    def _on_done(self, name: str, plan: Any) -> None:
        self._finish()
        self.progress.setValue(1000)
        self.plan = plan
        self.status.setText(plan_status(plan))
        self.loads.clear()
        for ld in plan.result.loads:
            self.loads.addItem(load_text(ld))
        for note in plan.result.notes:
            self.loads.addItem(f"note: {note}")
        self.show_overlay()
        self.accept_btn.setEnabled(bool(plan.new_sites or plan.camera_updates))

    # ------------------------------------------------------------ map overlay
    def _layers(self) -> Any:
        return getattr(self.parent(), "layers", None)

    def show_overlay(self) -> None:
        import numpy as np

        from planner.gui.map.layers import PointLayerItem

        layers = self._layers()
        self.remove_overlay()
        if layers is None or self.plan is None or not self.plan.new_sites:
            return
        sites = self.plan.new_sites
        radio = self.plan.result.model == "radio-sites"
        what, sym = ("radio site", "triangle") if radio else ("storage centre", "square")
        item = PointLayerItem(OVERLAY_KEY, f"Proposed {what}s (optimiser, {len(sites)})",
                              np.array([s.x for s in sites], float), np.array([s.y for s in sites], float),
                              symbol=sym, colour=PROPOSED, radius_px=6.0,
                              legend=[(sym, PROPOSED, f"proposed {what} (not yet accepted)")])
        layers.overlays[OVERLAY_KEY] = item
        layers.canvas.scene().addItem(item)
        if OVERLAY_KEY not in layers.order:
            layers.order.insert(0, OVERLAY_KEY)
        layers.apply_state()

    def remove_overlay(self) -> None:
        layers = self._layers()
        if layers is None:
            return
        item = layers.overlays.pop(OVERLAY_KEY, None)
        if item is not None:
            layers.canvas.scene().removeItem(item)
            if OVERLAY_KEY in layers.order:
                layers.order.remove(OVERLAY_KEY)
            layers.apply_state()

    # ------------------------------------------------------------ accepting
    def accept_plan(self) -> None:
        """Add the new sites and assign the cameras as one undoable command."""
        from planner.errors import PlannerError

        if self.plan is None:
            return
        phase = self.phase.text().strip()
        if not phase:
            self.status.setText("Error: the phase of the new sites must not be empty")
            return
        try:
            self.stack.push(self.plan.command(phase))
        except PlannerError as exc:
            self.status.setText(f"Error: {exc}")
            return
        self.status.setText(f"{len(self.plan.new_sites)} site(s) added in phase {phase} and "
                            f"{len(self.plan.camera_updates)} camera(s) assigned (Edit ▸ Undo reverts it).")
        self.plan = None
        self.accept_btn.setEnabled(False)
        self.remove_overlay()

    def closeEvent(self, event: Any) -> None:
        self.runner.cancel()
        self.remove_overlay()
        super().closeEvent(event)

    def reject(self) -> None:
        self.runner.cancel()
        self.remove_overlay()
        super().reject()


__all__ = ["SitesDialog"]
