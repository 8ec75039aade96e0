"""A dismissable banner above the map for errors and notices (never a crash)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class MessageBar(QFrame):
    """``source`` names what the shown message is about (``"save"``, a job's name, or ""), so that a
    later success of the same thing can take its failure away."""

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
        self.source = ""
        self.error = False
        self.hide()

    def show_message(self, text: str, *, error: bool = True, source: str = "") -> None:
        colour = "#fdecea; color: #8a1c1c; border: 1px solid #f5c2c0" if error else \
            "#e8f4fd; color: #0b3d66; border: 1px solid #b6dcf7"
        self.setStyleSheet(f"MessageBar {{ background: {colour}; border-radius: 3px; }}")
        self.label.setText(text)
        self.source = source
        self.error = error
        self.show()

    def clear(self, source: str) -> None:
        """Hide the banner if it shows an error about ``source``."""
        if self.error and self.source == source and not self.isHidden():
            self.hide()

    def hide(self) -> None:
        self.source = ""
        super().hide()
