"""Project ▸ Properties…: the project settings of :mod:`planner.project_settings` in a form.

The dialog checks its values with the same workflow as ``planner set``
(:func:`planner.project_settings.changed_settings`): a value that is refused
keeps the dialog open, its field outlined and the reason shown; OK returns the
new settings, which the window applies as one undoable command.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.errors import PlannerError
from planner.project_settings import KEYS, UNIT_PRICE, ProjectSettings, changed_settings

INVALID_STYLE = "border: 2px solid #b00020; background: #fdecea;"
TEXT_KEYS = ("name", "default_bitrate_mbps", "retention_target_days", "target_height_m", "description",
             "attribution")


def _known_jurisdictions() -> list[str]:
    from planner.resources import load_json_resource

    return sorted(load_json_resource("legal_retention.json")["jurisdictions"])


def _known_currencies() -> list[str]:
    from planner.resources import load_json_resource

    return sorted(load_json_resource("unit_prices.json")["fx_per_eur"])


class ProjectPropertiesDialog(QDialog):
    """Edits a :class:`~planner.project_settings.ProjectSettings`; :meth:`settings` after OK."""

    def __init__(self, current: ProjectSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Project properties")
        self.setMinimumWidth(560)
        self.current = current
        self._result: ProjectSettings | None = None
        p = current.parameters
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        values = {"name": current.name, "default_bitrate_mbps": f"{p.default_bitrate_mbps:g}",
                  "retention_target_days": f"{p.retention_target_days:g}", "target_height_m": f"{p.target_height_m:g}",
                  "description": p.description, "attribution": p.attribution}
        for key in ("name", "jurisdiction", "currency", "default_resolution", "default_codec", "default_bitrate_mbps",
                    "retention_target_days", "target_height_m", "description", "attribution"):
            if key in TEXT_KEYS:
                w: QLineEdit | QComboBox = QLineEdit(values[key])
            else:
                w = self._combo(key, p)
            w.setToolTip(KEYS[key])
            self.fields[key] = w
            form.addRow(key.replace("_", " ").capitalize(), w)
        lay.addLayout(form)
        lay.addWidget(QLabel("Unit-price overrides (keys as in resources/unit_prices.json, camera:<type>, "
                             "fx:<currency>):"))
        self.prices = QTableWidget(0, 2)
        self.prices.setHorizontalHeaderLabels(["key", "value"])
        self.prices.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.prices.verticalHeader().setVisible(False)
        self.prices.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.prices.setMaximumHeight(140)
        for k, v in sorted(current.unit_prices.items()):
            self.add_price(k, f"{v.get('value') if isinstance(v, dict) else v}")
        lay.addWidget(self.prices)
        row = QHBoxLayout()
        add = QPushButton("Add override")
        add.clicked.connect(lambda: self.add_price("", ""))
        rm = QPushButton("Remove")
        rm.clicked.connect(lambda: self.prices.removeRow(self.prices.currentRow()))
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        lay.addLayout(row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _combo(self, key: str, p: Any) -> QComboBox:
        cb = QComboBox()
        if key == "jurisdiction":
            cb.setEditable(True)
            cb.addItem("")
            cb.addItems(_known_jurisdictions())
            cb.setEditText(p.jurisdiction)
        elif key == "currency":
            cb.setEditable(True)
            cb.addItems(_known_currencies())
            cb.setEditText(p.currency)
        elif key == "default_resolution":
            from planner.analysis.bitrate import load_bitrate_table

            cb.setEditable(True)
            cb.addItems(sorted(load_bitrate_table().default_mbps))
            cb.setEditText(p.default_resolution)
        else:  # default_codec
            from planner.model.nodes import Codec

            cb.addItems([c.value for c in Codec])
            cb.setCurrentText(str(p.default_codec))
        return cb

    def add_price(self, key: str, value: str) -> None:
        r = self.prices.rowCount()
        self.prices.insertRow(r)
        self.prices.setItem(r, 0, QTableWidgetItem(key))
        self.prices.setItem(r, 1, QTableWidgetItem(value))

    def changes(self) -> dict[str, str]:
        """The form as ``key=value`` changes (unit prices removed from the table are cleared)."""
        out: dict[str, str] = {}
        for key, w in self.fields.items():
            out[key] = w.text() if isinstance(w, QLineEdit) else w.currentText()
        kept = set()
        for r in range(self.prices.rowCount()):
            key_item, value_item = self.prices.item(r, 0), self.prices.item(r, 1)
            k = (key_item.text() if key_item else "").strip()
            v = (value_item.text() if value_item else "").strip()
            if k:
                out[UNIT_PRICE + k] = v
                kept.add(k)
        for k in self.current.unit_prices:
            if k not in kept:
                out[UNIT_PRICE + k] = ""
        return out

    def try_accept(self) -> None:
        for w in self.fields.values():
            w.setStyleSheet("")
        try:
            self._result = changed_settings(self.current, self.changes())
        except PlannerError as exc:
            text = str(exc)
            for key, w in self.fields.items():
                if f"`{key}`" in text:
                    w.setStyleSheet(INVALID_STYLE)
            self.message.setText(f"{text}. Nothing was changed.")
            return
        self.accept()

    def settings(self) -> ProjectSettings | None:
        return self._result
