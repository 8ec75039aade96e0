"""File ▸ Audit a register…: audit existing cameras from the app.

The dialog gathers the inputs of :func:`planner.audit.run.run_audit` (register
files, the open project or a boundary file, the share of cameras out of
service, claims entered in a small form), runs the audit off the GUI thread
with a progress bar and Cancel, shows the envelope, availability and claim
verdicts, and puts the three capability scenarios on the map as layers
(``audit: low`` / ``median`` / ``high``) with a switch. The availability
slider recomputes the remaining coverage from the footprints already
computed (a few seconds, also in the background). Nothing here edits the
project: the scenario layers are map overlays, so the undo stack is untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.gui.workers import AnalysisRunner

if TYPE_CHECKING:
    from planner.gui.main_window import MainWindow

REGISTER_FILTER = "Registers (*.csv *.txt *.tsv *.geojson *.json *.gpkg *.osm *.pbf);;All files (*)"
VECTOR_FILTER = "Vector files (*.gpkg *.geojson *.json *.shp *.kml *.zip);;All files (*)"
CLAIM_FIELDS = {
    "retention": ("cameras", "capacity_tb", "days", "resolution", "codec"),
    "coverage": ("cameras", "district", "level", "share"),
    "radio": ("site", "cameras", "bitrate_mbps"),
}
SCENARIOS = ("low", "median", "high")


def _file_row(parent: QWidget, edit: QLineEdit, caption: str, filt: str, *, many: bool = False) -> QWidget:
    w = QWidget(parent)
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    b = QPushButton("Browse…", w)

    def pick() -> None:
        if many:
            paths, _ = QFileDialog.getOpenFileNames(parent, caption, "", filt)
            if paths:
                edit.setText("; ".join(paths))
        else:
            p, _ = QFileDialog.getOpenFileName(parent, caption, "", filt)
            if p:
                edit.setText(p)

    b.clicked.connect(pick)
    h.addWidget(b)
    return w


class AuditDialog(QDialog):
    """Non-modal audit panel bound to a main window (for its project, canvas and layer list)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main_window = window
        self.setWindowTitle("Audit a register")
        self.resize(720, 760)
        self.result: Any = None
        self.claims: list[dict[str, Any]] = []
        self.runner = AnalysisRunner(self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.done.connect(self._on_done)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(lambda _n: self._finish("Cancelled."))

        v = QVBoxLayout(self)
        form = QFormLayout()
        self.register_edit = QLineEdit(self)
        self.register_edit.setPlaceholderText("one or more files, separated by ;")
        form.addRow("Register(s)", _file_row(self, self.register_edit, "Camera register", REGISTER_FILTER, many=True))
        self.use_project = QCheckBox("Use the open project (area, districts, streets, buildings, DEM)", self)
        self.use_project.setChecked(window.project is not None)
        self.use_project.setEnabled(window.project is not None)
        form.addRow("", self.use_project)
        self.boundary_edit = QLineEdit(self)
        self.boundary_edit.setPlaceholderText("empty: the register's extent (convex hull + 500 m)")
        form.addRow("Boundary", _file_row(self, self.boundary_edit, "Study area", VECTOR_FILTER))
        self.share = QSlider(Qt.Orientation.Horizontal, self)
        self.share.setRange(0, 90)
        self.share_label = QLabel("0 % out of service", self)
        self.share.valueChanged.connect(lambda x: self.share_label.setText(f"{x} % out of service"))
        self.share.sliderReleased.connect(self._availability_again)
        row = QWidget(self)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.share, 1)
        h.addWidget(self.share_label)
        self.draws = QSpinBox(self)
        self.draws.setRange(1, 1000)
        self.draws.setValue(50)
        h.addWidget(QLabel("draws", self))
        h.addWidget(self.draws)
        form.addRow("Availability", row)
        v.addLayout(form)

        box = QGroupBox("Claims", self)
        bl = QVBoxLayout(box)
        top = QHBoxLayout()
        self.claim_kind = QComboBox(box)
        self.claim_kind.addItems(list(CLAIM_FIELDS))
        self.claim_kind.currentTextChanged.connect(self._claim_form)
        top.addWidget(self.claim_kind)
        self.claim_form = QFormLayout()
        self.claim_edits: dict[str, QLineEdit] = {}
        add = QPushButton("Add claim", box)
        add.clicked.connect(self.add_claim_from_form)
        top.addWidget(add)
        top.addStretch(1)
        bl.addLayout(top)
        self.claim_form_host = QWidget(box)
        self.claim_form_host.setLayout(self.claim_form)
        bl.addWidget(self.claim_form_host)
        self.claim_list = QListWidget(box)
        self.claim_list.setMaximumHeight(80)
        bl.addWidget(self.claim_list)
        v.addWidget(box)
        self._claim_form("retention")

        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run audit", self)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        v.addLayout(buttons)

        sw = QHBoxLayout()
        sw.addWidget(QLabel("Scenario on the map:", self))
        self.scenario = QComboBox(self)
        self.scenario.addItems(["none", *SCENARIOS])
        self.scenario.setCurrentText("median")
        self.scenario.setEnabled(False)
        self.scenario.currentTextChanged.connect(self.show_scenario)
        sw.addWidget(self.scenario)
        self.save_button = QPushButton("Save report (JSON, PDF, HTML)…", self)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_dialog)
        sw.addStretch(1)
        sw.addWidget(self.save_button)
        v.addLayout(sw)
        self.output = QPlainTextEdit(self)
        self.output.setReadOnly(True)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        v.addWidget(self.output, 1)

    # ------------------------------------------------------------ claims form
    def _claim_form(self, kind: str) -> None:
        while self.claim_form.rowCount():
            self.claim_form.removeRow(0)
        self.claim_edits = {}
        for f in CLAIM_FIELDS[kind]:
            e = QLineEdit(self.claim_form_host)
            self.claim_edits[f] = e
            self.claim_form.addRow(f, e)

    def add_claim_from_form(self) -> dict[str, Any] | None:
        kind = self.claim_kind.currentText()
        claim: dict[str, Any] = {"kind": kind}
        for k, e in self.claim_edits.items():
            t = e.text().strip()
            if not t:
                continue
            try:
                claim[k] = float(t) if k not in ("resolution", "codec", "district", "level", "site") else t
            except ValueError:
                self.output.setPlainText(f"Claim field `{k}` must be a number; got {t!r}")
                return None
        self.add_claim(claim)
        return claim

    def add_claim(self, claim: dict[str, Any]) -> None:
        self.claims.append(claim)
        self.claim_list.addItem(", ".join(f"{k}={v}" for k, v in claim.items()))

    # ------------------------------------------------------------------- run
    def registers(self) -> list[str]:
        return [p.strip() for p in self.register_edit.text().split(";") if p.strip()]

    def start(self) -> None:
        """Run the audit in the background (progress bar, Cancel)."""
        from planner.audit.availability import AvailabilityParams
        from planner.audit.run import AuditParams, run_audit

        regs = self.registers()
        if not regs:
            self.output.setPlainText("Choose a register file first.")
            return
        current = self.main_window.project
        project = current.snapshot() if self.use_project.isChecked() and current else None
        boundary = self.boundary_edit.text().strip() or None if project is None else None
        share = self.share.value() / 100.0
        avail = AvailabilityParams(share=share, draws=self.draws.value()) if share > 0 else None
        claims = list(self.claims) or None

        def fn(progress: Any) -> Any:
            return run_audit(regs, project=project, boundary=boundary, claims=claims,
                             params=AuditParams(out_of_service=avail, workers=0), progress=progress)

        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.output.setPlainText("Running the audit…")
        self.runner.start("audit", fn)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(message[:60])

    def _finish(self, text: str) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if text:
            self.output.setPlainText(text)

    def _on_failed(self, name: str, exc: object, tb: str) -> None:
        from planner.errors import PlannerError

        self._finish(str(exc) if isinstance(exc, PlannerError) else f"Unexpected error: {exc}\n{tb}")

    def _on_done(self, name: str, result: Any) -> None:
        from planner.audit.run import format_audit

        if name == "availability":
            self.result.doc["availability"] = {"scenario": "median", **result}
        else:
            self.result = result
            self._add_layers()
        self._finish(format_audit(self.result.doc))
        self.progress.setValue(1000)
        self.save_button.setEnabled(True)

    def _availability_again(self) -> None:
        """Slider released after an audit: recompute the remaining coverage (median scenario)."""
        from planner.audit.availability import AvailabilityParams, availability

        if self.result is None or self.runner.running:
            return
        share = self.share.value() / 100.0
        r = self.result.results["median"]
        owners = self.result.owners["median"]
        params = AvailabilityParams(share=share, draws=self.draws.value())
        self.cancel_button.setEnabled(True)
        self.runner.start("availability", lambda progress: availability(r, params, groups=owners, progress=progress))

    # ---------------------------------------------------------------- layers
    def _add_layers(self) -> None:
        """The three scenario coverages as map layers (overlays), when the audit area is the open project's."""
        from planner.gui.map.layers import PathLayerItem
        from planner.gui.map.project_layers import coverage_paths

        w = self.main_window
        if w.project is None:
            w.set_project(self.result.project, None)  # the audit's study area and districts, not saved
        assert w.project is not None  # set_project just opened one
        if w.project.crs != self.result.project.crs:
            self.scenario.setEnabled(False)
            return
        scene = w.canvas.scene()
        for name in SCENARIOS:
            key = f"audit_{name}"
            old = w.layers.overlays.pop(key, None)
            if old is not None:
                scene.removeItem(old)
            gdf = self.result.results[name].polygons(periods=("day",))
            built = coverage_paths(gdf, "day")
            if built is None:
                continue
            paths, legend = built
            item = PathLayerItem(key, f"Audit scenario {name} (day)", paths,
                                 legend=[(k, c, f"{name}: {t.split(': ', 1)[-1]}") for k, c, t in legend])
            w.layers.overlays[key] = item
            scene.addItem(item)
        w.layers.apply_state()
        self.scenario.setEnabled(True)
        self.show_scenario(self.scenario.currentText())

    def show_scenario(self, name: str) -> None:
        """The scenario switch: show one scenario's layer, hide the other two."""
        w = self.main_window
        for s in SCENARIOS:
            key = f"audit_{s}"
            if key in w.layers.overlays:
                w.set_layer_visible(key, s == name)

    # ------------------------------------------------------------------ save
    def _save_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the audit files")
        if folder:
            self.save(folder)

    def save(self, folder: str | Path) -> list[Path]:
        from planner.audit.outputs import write_outputs

        files = write_outputs(self.result, folder)
        self.output.appendPlainText("\nwrote " + ", ".join(str(f) for f in files))
        return files


__all__ = ["AuditDialog"]
