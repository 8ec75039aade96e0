"""Undo/redo QActions bound to the project's :class:`~planner.model.commands.CommandStack`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from planner.model.commands import CommandStack


class UndoActions:
    """Two actions whose text and enabled state follow one command stack."""

    def __init__(self, parent: QWidget) -> None:
        self.undo = QAction("&Undo", parent)
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = QAction("&Redo", parent)
        self.redo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")])
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


class UndoShortcutFilter(QObject):
    """Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y in an editing field of ``panels`` undo and redo the project's last
    edit, never the field's own text: a text field would otherwise take the key for itself, and the
    same keys would mean two things depending on where the focus is. Typing not yet committed in the
    field is dropped (the field then shows the value after the undo)."""

    def __init__(self, actions: UndoActions, panels: list[QWidget]) -> None:
        super().__init__(actions.undo.parent())
        self.actions = actions
        self.panels = panels
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _in_panels(self, widget: QObject | None) -> bool:
        while widget is not None:
            if any(widget is p for p in self.panels):
                return True
            widget = widget.parent()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or \
                not isinstance(event, QKeyEvent) or not isinstance(watched, QWidget):
            return False
        undo = event.matches(QKeySequence.StandardKey.Undo)
        redo = event.matches(QKeySequence.StandardKey.Redo) or \
            (event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier)
        if not (undo or redo) or not self._in_panels(watched):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            return True  # not accepted: the window's Undo/Redo shortcut runs instead of the field's
        action = self.actions.undo if undo else self.actions.redo
        if action.isEnabled():  # a key press still reached the field (no shortcut): do the same
            action.trigger()
        return True
