"""Undo/redo QActions bound to the project's :class:`~planner.model.commands.CommandStack`."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from planner.model.commands import CommandStack


class UndoActions:
    """Two actions whose text and enabled state follow one command stack."""

    def __init__(self, parent: QWidget) -> None:
        self.undo = QAction("&Undo", parent)
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = QAction("&Redo", parent)
        self.redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        self._stack: CommandStack | None = None
        self.undo.triggered.connect(self._on_undo)
        self.redo.triggered.connect(self._on_redo)
        self.refresh()

    def bind(self, stack: CommandStack | None) -> None:
        if self._stack is not None:
            self._stack.changed.disconnect(self.refresh)
        self._stack = stack
        if stack is not None:
            stack.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        s = self._stack
        self.undo.setEnabled(bool(s and s.can_undo))
        self.redo.setEnabled(bool(s and s.can_redo))
        self.undo.setText(f"&Undo {s.undo_text}" if s and s.can_undo else "&Undo")
        self.redo.setText(f"&Redo {s.redo_text}" if s and s.can_redo else "&Redo")

    def _on_undo(self) -> None:
        if self._stack is not None:
            self._stack.undo()

    def _on_redo(self) -> None:
        if self._stack is not None:
            self._stack.redo()
