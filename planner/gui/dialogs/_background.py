"""What the optimiser dialogs share: a background run with a progress bar, a status line, Run and Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from planner.gui.workers import AnalysisRunner


class BackgroundRun:
    """Mixin for a ``QDialog`` with ``run_btn`` and ``cancel_btn``; it defines ``_on_done(name, result)``."""

    runner: AnalysisRunner
    progress: QProgressBar
    status: QLabel
    run_btn: Any
    cancel_btn: Any

    def _init_runner(self) -> None:
        self.runner = AnalysisRunner(self)  # type: ignore[arg-type]  # the mixin sits on a QDialog
        self.runner.progressed.connect(self._on_progress)
        self.runner.done.connect(self._on_done)  # type: ignore[attr-defined]
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)

    def _add_progress(self, lay: Any) -> None:
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        lay.addWidget(self.progress)
        self.status = QLabel("Set the inputs and press Run.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        if message:
            self.status.setText(message)

    def _finish(self) -> None:
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)

    def _on_failed(self, name: str, exc: object, tb: str) -> None:
        self._finish()
        self.status.setText(f"Error: {exc}")

    def _on_cancelled(self, name: str) -> None:
        self._finish()
        self.status.setText("Cancelled.")
        self.progress.setValue(0)
