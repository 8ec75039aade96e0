"""Layer list (visibility, order, opacity, zoom to layer) and phase filter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)


class LayersPanel(QWidget):
    """Top of the list is drawn on top.

    Signals: ``visibility_changed(key, visible)``, ``order_changed(list[str] top-to-bottom)``,
    ``opacity_changed(key, float)``, ``zoom_requested(key)``, ``phases_changed(set[str] hidden)``.
    """

    visibility_changed = Signal(str, bool)
    order_changed = Signal(object)
    opacity_changed = Signal(str, float)
    zoom_requested = Signal(str)
    phases_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.list.currentItemChanged.connect(self._on_current)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Opacity"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.opacity.valueChanged.connect(self._on_opacity)
        row.addWidget(self.opacity, 1)
        self.zoom_button = QPushButton("Zoom to layer")
        self.zoom_button.clicked.connect(self._on_zoom)
        row.addWidget(self.zoom_button)
        lay.addLayout(row)
        self.phase_box = QGroupBox("Phases shown")
        self.phase_layout = QVBoxLayout(self.phase_box)
        lay.addWidget(self.phase_box)
        self._phase_checks: dict[str, QCheckBox] = {}
        self._opacities: dict[str, float] = {}
        self._updating = False

    def set_layers(self, layers: list[tuple[str, str, bool, float]]) -> None:
        """``(key, title, visible, opacity)`` top to bottom."""
        self._updating = True
        self.list.clear()
        for key, title, visible, opacity in layers:
            it = QListWidgetItem(title)
            it.setData(Qt.ItemDataRole.UserRole, key)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            it.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            self.list.addItem(it)
            self._opacities[key] = opacity
        self._updating = False

    def keys(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def set_checked(self, key: str, visible: bool) -> None:
        for i in range(self.list.count()):
            it = self.list.item(i)
            if it.data(Qt.ItemDataRole.UserRole) == key:
                it.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)

    def set_phases(self, phases: list[str], hidden: set[str]) -> None:
        for cb in self._phase_checks.values():
            cb.setParent(None)
            cb.deleteLater()
        self._phase_checks = {}
        for ph in phases:
            cb = QCheckBox(ph or "(no phase)")
            cb.setChecked(ph not in hidden)
            cb.toggled.connect(self._on_phase_toggled)
            self.phase_layout.addWidget(cb)
            self._phase_checks[ph] = cb
        self.phase_box.setVisible(bool(phases))

    def hidden_phases(self) -> set[str]:
        return {ph for ph, cb in self._phase_checks.items() if not cb.isChecked()}

    def _on_phase_toggled(self, _checked: bool) -> None:
        self.phases_changed.emit(self.hidden_phases())

    def _on_item_changed(self, it: QListWidgetItem) -> None:
        if not self._updating:
            self.visibility_changed.emit(it.data(Qt.ItemDataRole.UserRole),
                                         it.checkState() == Qt.CheckState.Checked)

    def _on_rows_moved(self, *args: object) -> None:
        self.order_changed.emit(self.keys())

    def _on_current(self, cur: QListWidgetItem | None, _prev: object) -> None:
        if cur is None:
            return
        key = cur.data(Qt.ItemDataRole.UserRole)
        self.opacity.blockSignals(True)
        self.opacity.setValue(int(round(100 * self._opacities.get(key, 1.0))))
        self.opacity.blockSignals(False)

    def _on_opacity(self, value: int) -> None:
        cur = self.list.currentItem()
        if cur is not None:
            key = cur.data(Qt.ItemDataRole.UserRole)
            self._opacities[key] = value / 100.0
            self.opacity_changed.emit(key, value / 100.0)

    def _on_zoom(self) -> None:
        cur = self.list.currentItem()
        if cur is not None:
            self.zoom_requested.emit(cur.data(Qt.ItemDataRole.UserRole))
