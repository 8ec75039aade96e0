"""A table of all nodes of one kind: sortable, filterable, editable, with bulk edit."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.errors import PlannerError
from planner.gui.panels.inspector import with_field
from planner.model.nodes import NODE_CLASSES, Node, NodeKind

Index = QModelIndex | QPersistentModelIndex


def _display(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, enum.Enum):
        return str(v.value)
    if isinstance(v, float):
        return f"{v:.6g}" if abs(v) < 1e5 else f"{v:.2f}"
    if isinstance(v, tuple):
        if v and dataclasses.is_dataclass(v[0]):
            return "; ".join(f"{s.kind} {s.resolution} {s.codec}" for s in v)
        return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)
    return str(v)


def parse_value(node: Node, name: str, text: str) -> Any:
    """Turn cell text into a field value of the right type (the model then validates it)."""
    current = getattr(node, name)
    text = text.strip()
    if name == "focal_mm":  # optional: empty means the widest setting
        if text.lower() in ("", "none", "widest"):
            return None
        try:
            return float(text)
        except ValueError:
            raise PlannerError(f"`focal_mm` must be a number in mm (empty: widest); got {text!r}") from None
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes", "y", "on")
    if isinstance(current, int) and not isinstance(current, bool):
        try:
            return int(float(text))
        except ValueError:
            raise PlannerError(f"`{name}` must be a whole number; got {text!r}") from None
    if isinstance(current, float):
        try:
            return float(text)
        except ValueError:
            raise PlannerError(f"`{name}` must be a number; got {text!r}") from None
    if isinstance(current, tuple):
        if name == "streams":
            raise PlannerError("edit streams in the inspector")
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if name == "sector_azimuths_deg":
            return tuple(float(p) for p in parts)
        return tuple(parts)
    return text


class NodeTableModel(QAbstractTableModel):
    edit_requested = Signal(object, str)

    def __init__(self, kind: NodeKind = NodeKind.CAMERA) -> None:
        super().__init__()
        self.kind = kind
        self.columns = [f.name for f in dataclasses.fields(NODE_CLASSES[kind])]
        self.rows: list[Node] = []
        self._row_of: dict[str, int] = {}

    def set_nodes(self, kind: NodeKind, nodes: list[Node]) -> None:
        self.beginResetModel()
        self.kind = kind
        self.columns = [f.name for f in dataclasses.fields(NODE_CLASSES[kind])]
        self.rows = [n for n in nodes if n.KIND == kind]
        self._row_of = {n.id: r for r, n in enumerate(self.rows)}
        self.endResetModel()

    def replace_rows(self, nodes: list[Node]) -> None:
        """New versions of listed nodes: only their rows change (no model reset, no full re-sort)."""
        last = len(self.columns) - 1
        for n in nodes:
            r = self._row_of.get(n.id)
            if r is not None:
                self.rows[r] = n
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        v = getattr(self.rows[index.row()], self.columns[index.column()])
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return _display(v)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return v if isinstance(v, (int, float)) and not isinstance(v, bool) else _display(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, (int, float)) and not isinstance(v, bool):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].replace("_", " ")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.columns[index.column()] not in ("id", "streams"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        node = self.rows[index.row()]
        name = self.columns[index.column()]
        try:
            new = with_field(node, name, parse_value(node, name, str(value)))
        except (PlannerError, ValueError, TypeError) as exc:
            self.edit_requested.emit(exc, "")
            return False
        if new != node:
            self.edit_requested.emit([new], f"Set {name.replace('_', ' ')} on {node.id}")
        return True


class _Proxy(QSortFilterProxyModel):
    def lessThan(self, a: Index, b: Index) -> bool:
        va, vb = a.data(Qt.ItemDataRole.UserRole), b.data(Qt.ItemDataRole.UserRole)
        try:
            return bool(va < vb)
        except TypeError:
            return str(va) < str(vb)


class NodeTablePanel(QWidget):
    """Signals: ``edit_requested(list[Node] | Exception, text)``, ``selection_requested(list[str])``."""

    edit_requested = Signal(object, str)
    selection_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.kind_box = QComboBox()
        for k in NodeKind:
            self.kind_box.addItem(k.value.replace("_", " "), k.value)
        self.kind_box.currentIndexChanged.connect(self._on_kind)
        bar.addWidget(self.kind_box)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter (any column)…")
        self.filter.textChanged.connect(self._on_filter)
        bar.addWidget(self.filter, 1)
        self.bulk = QPushButton("Set field on selected…")
        self.bulk.clicked.connect(self._on_bulk)
        bar.addWidget(self.bulk)
        self.count = QLabel("")
        bar.addWidget(self.count)
        lay.addLayout(bar)
        self.model = NodeTableModel()
        self.model.edit_requested.connect(self.edit_requested)
        self.proxy = _Proxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
        lay.addWidget(self.view, 1)
        self._nodes: list[Node] = []
        self._position: dict[str, int] = {}
        self._syncing = False
        self.ask_bulk = self._ask_bulk  # replaceable in tests

    def set_nodes(self, nodes: list[Node]) -> None:
        self._nodes = list(nodes)
        self._position = {n.id: i for i, n in enumerate(self._nodes)}
        self._reload()

    def replace_nodes(self, nodes: list[Node]) -> bool:
        """Show new versions of nodes already listed, row by row (a 2,000-row reset and re-sort costs
        about 0.3 s). Returns False, changing nothing, when a node is not listed yet."""
        if any(n.id not in self._position or self._nodes[self._position[n.id]].KIND != n.KIND for n in nodes):
            return False
        for n in nodes:
            self._nodes[self._position[n.id]] = n
        self.model.replace_rows(nodes)
        return True

    def _reload(self) -> None:
        kind = NodeKind(self.kind_box.currentData())
        self.model.set_nodes(kind, self._nodes)
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()}")

    def _on_kind(self, _i: int) -> None:
        self._reload()

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()}")

    def selected_ids(self) -> list[str]:
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return [self.model.rows[r].id for r in sorted(rows)]

    def _on_view_selection(self, *_a: object) -> None:
        if not self._syncing:
            self.selection_requested.emit(self.selected_ids())

    def show_selection(self, ids: list[str]) -> None:
        """Mirror the map selection (switching to the first node's kind)."""
        self._syncing = True
        try:
            sel = set(ids)
            self.view.clearSelection()
            if not sel:
                return
            if self.model.rows and not any(n.id in sel for n in self.model.rows):
                kinds = {n.id: n.KIND for n in self._nodes}
                k = next((kinds[i] for i in ids if i in kinds), None)
                if k is not None:
                    self.kind_box.setCurrentIndex(self.kind_box.findData(k.value))
            from PySide6.QtCore import QItemSelection, QItemSelectionModel

            selection = QItemSelection()
            for r, n in enumerate(self.model.rows):
                if n.id in sel:
                    idx = self.proxy.mapFromSource(self.model.index(r, 0))
                    if idx.isValid():
                        selection.select(idx, idx)
            self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select
                                              | QItemSelectionModel.SelectionFlag.Rows)
            if not selection.isEmpty():
                self.view.scrollTo(selection.indexes()[0])
        finally:
            self._syncing = False

    def _ask_bulk(self, columns: list[str]) -> tuple[str, str] | None:
        col, ok = QInputDialog.getItem(self, "Bulk edit", "Field:", columns, 0, False)
        if not ok:
            return None
        text, ok = QInputDialog.getText(self, "Bulk edit", f"New value of {col} for the selected nodes:")
        return (col, text) if ok else None

    def _on_bulk(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.edit_requested.emit(PlannerError("select rows in the table first"), "")
            return
        cols = [c for c in self.model.columns if c not in ("id", "streams", "x", "y")]
        answer = self.ask_bulk(cols)
        if answer is None:
            return
        col, text = answer
        rows = {n.id: n for n in self.model.rows}
        try:
            new = [with_field(rows[i], col, parse_value(rows[i], col, text)) for i in ids]
        except (PlannerError, ValueError, TypeError) as exc:
            self.edit_requested.emit(exc, "")
            return
        self.edit_requested.emit(new, f"Set {col.replace('_', ' ')} on {len(new)} nodes")
