"""The inspector: every field of the selected node(s), edited through commands with validation.

One widget per dataclass field: a camera-type picker from the library, combo
boxes for choices, number fields, a phase picker, a small table for the streams.
Editing a field builds the new node(s) with ``with_changes`` (which validates)
and emits ``edit_requested(nodes, text)``.

* A value that does not parse or is out of range is refused, never rewritten:
  the field keeps what was typed, is outlined in red, and the message under
  the form says why; the project is unchanged.
* The phase picker offers the project's phases; typing a new one asks first.
* With several nodes selected, fields whose values differ show "mixed" and
  are left alone unless edited; a change applies to all of them. x and y are
  not bulk-editable (17 cameras on one vertical line is never the intent):
  "Move by" shifts the selection by an offset instead. Nodes of different
  kinds show the fields they share.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.errors import InvalidInputError, OutOfRangeError, PlannerError
from planner.model.nodes import Codec, Node, Stream, StreamKind

#: (min, max, decimals, unit) for numeric fields by name; azimuths are in [0, 360) (360 is refused, not
#: wrapped to 0).
NUMERIC: dict[str, tuple[float, float, int, str]] = {
    "x": (-1e8, 1e8, 2, "m"), "y": (-1e8, 1e8, 2, "m"),
    "cost": (0, 1e12, 2, ""), "height_m": (0.1, 500, 2, "m"), "azimuth_deg": (0, 360, 1, "°"),
    "tilt_deg": (-90, 90, 1, "°"), "freq_mhz": (0.1, 100000, 1, "MHz"), "channel_mhz": (0.1, 2000, 1, "MHz"),
    "tx_power_dbm": (-30, 80, 1, "dBm"), "antenna_gain_dbi": (-10, 60, 1, "dBi"),
    "capacity_tb": (0.001, 1e6, 1, "TB"), "disk_tb": (0.01, 1000, 2, "TB"),
}
HALF_OPEN = {"azimuth_deg"}  # [lo, hi)
INVALID_STYLE = "border: 2px solid #b00020; background: #fdecea;"
HIDDEN = {"id"}
STREAM_COLUMNS = ["kind", "resolution", "codec", "fps", "duty_cycle", "bitrate_mbps"]


def with_field(node: Node, name: str, value: Any) -> Node:
    """``node.with_changes(name=value)``; a new camera type drops a focal length its lens cannot take,
    and a focal length must fit the camera's lens (the coverage analysis refuses it otherwise)."""
    if name == "focal_mm" and value is not None:
        from planner.gui.map.lens import zoom_range_mm

        ctype = getattr(node, "camera_type", "")
        rng = zoom_range_mm(ctype)
        if rng is None:
            raise InvalidInputError(f"{node.id}: `focal_mm` needs a varifocal or PTZ lens; camera type "
                                    f"`{ctype}` has a fixed lens (got {value:g})")
        if not rng[0] - 1e-9 <= value <= rng[1] + 1e-9:
            raise InvalidInputError(f"{node.id}: `focal_mm` must be in [{rng[0]:g}, {rng[1]:g}] for camera type "
                                    f"`{ctype}`; got {value:g}")
    if name == "camera_type" and getattr(node, "focal_mm", None) is not None:
        from planner.gui.map.lens import fit_focal

        focal = fit_focal(value, node.focal_mm)  # type: ignore[attr-defined]
        return node.with_changes(camera_type=value, focal_mm=focal)
    return node.with_changes(**{name: value})


class StreamsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(STREAM_COLUMNS))
        self.table.setHorizontalHeaderLabels(["kind", "res.", "codec", "fps", "duty", "Mb/s"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMaximumHeight(110)
        self.table.itemChanged.connect(lambda _it: None if self._loading else self.changed.emit())
        lay.addWidget(self.table)
        row = QHBoxLayout()
        add = QPushButton("Add stream")
        add.clicked.connect(self._add)
        rm = QPushButton("Remove")
        rm.clicked.connect(self._remove)
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        lay.addLayout(row)
        self._loading: bool = False

    def set_streams(self, streams: tuple[Stream, ...]) -> None:
        self._loading = True
        self.table.setRowCount(0)
        for s in streams:
            self._append(s)
        self._loading = False

    def _append(self, s: Stream) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        vals = [str(s.kind), s.resolution, str(s.codec), f"{s.fps:g}", f"{s.duty_cycle:g}",
                "" if s.bitrate_mbps is None else f"{s.bitrate_mbps:g}"]
        for c, v in enumerate(vals):
            self.table.setItem(r, c, QTableWidgetItem(v))

    def streams(self) -> tuple[Stream, ...]:
        out = []
        for r in range(self.table.rowCount()):
            vals = [(item.text().strip() if (item := self.table.item(r, c)) else "")
                    for c in range(len(STREAM_COLUMNS))]
            try:
                d: dict[str, Any] = {"kind": vals[0] or "record", "resolution": vals[1] or "1080p",
                                     "codec": vals[2] or "h264", "fps": float(vals[3] or 25),
                                     "duty_cycle": float(vals[4] or 1),
                                     "bitrate_mbps": float(vals[5]) if vals[5] else None}
            except ValueError as exc:
                raise PlannerError(f"stream {r + 1}: not a number ({exc})") from None
            out.append(Stream(**d))
        return tuple(out)

    def _add(self) -> None:
        self._append(Stream(kind=StreamKind.LIVE, codec=Codec.H264))
        self.changed.emit()

    def _remove(self) -> None:
        r = self.table.currentRow()
        if r >= 0 and self.table.rowCount() > 1:
            self.table.removeRow(r)
            self.changed.emit()


class NumberField(QLineEdit):
    """A number typed as text: parsed on Enter or focus-out, refused (not rewritten) when it does not
    parse or is out of ``[lo, hi]`` (``[lo, hi)`` with ``half_open``). ``setValue`` sets and commits,
    like a spin box."""

    committed = Signal()

    def __init__(self, name: str, lo: float, hi: float, decimals: int, unit: str, *, integer: bool = False,
                 half_open: bool = False) -> None:
        super().__init__()
        self.name, self.lo, self.hi, self.decimals, self.unit = name, lo, hi, decimals, unit
        self.integer, self.half_open = integer, half_open
        self.setToolTip(f"{name.replace('_', ' ')}: {self.range_text()}" + (f" {unit}" if unit else ""))
        self.editingFinished.connect(self._on_finished)

    def range_text(self) -> str:
        return f"[{self.lo:g}, {self.hi:g}{')' if self.half_open else ']'}"

    def show_value(self, value: float | None) -> None:
        """Display ``value`` (None: mixed), without committing."""
        if value is None:
            self.setText("")
            self.setPlaceholderText("mixed")
        else:
            text = f"{int(value)}" if self.integer else f"{value:.{self.decimals}f}"
            self.setText(text.rstrip("0").rstrip(".") if "." in text else text)
            self.setPlaceholderText("")
        self.setModified(False)

    def parse(self) -> float | int:
        """The typed value; raises :class:`PlannerError` with the reason when it is refused."""
        label = f"`{self.name}`"
        text = self.text().strip()
        if self.unit and text.endswith(self.unit):
            text = text[: -len(self.unit)].strip()
        try:
            value = float(text.replace(" ", ""))
        except ValueError:
            raise InvalidInputError(f"{label}: not a number: {self.text()!r}") from None
        if not math.isfinite(value):
            raise OutOfRangeError(f"{label} must be a finite number; got {self.text()!r}")
        if self.integer:
            if value != int(value):
                raise InvalidInputError(f"{label} must be a whole number; got {self.text()!r}")
            value = int(value)
        above = value >= self.hi if self.half_open else value > self.hi
        if value < self.lo or above:
            unit = "" if not self.unit else self.unit if self.unit == "°" else " " + self.unit
            raise OutOfRangeError(f"{label} must be in {self.range_text()}{unit}; got {value:g}")
        return value

    def value(self) -> float | int:
        return self.parse()

    def setValue(self, value: float) -> None:  # the spin-box API
        self.setText(f"{value:g}")
        self.setModified(True)
        self.committed.emit()

    def _on_finished(self) -> None:
        if self.isModified():
            self.committed.emit()


class FocalField(NumberField):
    """The focal length of a zoom lens, in the range the selected lenses share; empty is the widest
    setting (stored as None). ``minimum``/``maximum``/``value`` as a spin box's."""

    def __init__(self) -> None:
        super().__init__("focal_mm", 0.0, 0.0, 1, "mm")
        self.setToolTip("Focal length of a varifocal or PTZ lens (sets the field of view and the ranges; empty: "
                        "the widest); drag the square handle at the tip of the camera's wedge on the map to change it")

    def minimum(self) -> float:
        return self.lo

    def maximum(self) -> float:
        return self.hi

    def value(self) -> float:
        return self.parse() if self.text().strip() else self.lo


class PhaseField(QComboBox):
    """An editable list of the project's phases; a name not in it is a new phase (the panel asks)."""

    committed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.activated.connect(lambda _i: self.committed.emit())
        self._line().editingFinished.connect(self._on_finished)
        self._shown = ""

    def _line(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # the combo box is editable
        return line

    def set_phases(self, phases: list[str]) -> None:
        text = self.currentText()
        self.blockSignals(True)
        self.clear()
        for ph in phases:
            self.addItem(ph or "(no phase)", ph)
        self.setEditText(text)
        self.blockSignals(False)

    def show_value(self, value: str | None) -> None:
        self._shown = value if value is not None else ""
        self.blockSignals(True)
        i = self.findData(value) if value is not None else -1
        self.setCurrentIndex(i)
        self.setEditText("" if value is None else value)
        self._line().setPlaceholderText("mixed" if value is None else "")
        self._line().setModified(False)
        self.blockSignals(False)

    def phase(self) -> str:
        i = self.findText(self.currentText())
        if i >= 0 and self.itemData(i) is not None and self.currentText() == self.itemText(i):
            return str(self.itemData(i))
        return self.currentText().strip()

    def _on_finished(self) -> None:
        if self._line().isModified():
            self._line().setModified(False)
            self.committed.emit()


class InspectorPanel(QScrollArea):
    """Signals: ``edit_requested(list[Node], str)``. ``ask_new_phase(name) -> bool`` is replaceable."""

    edit_requested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._body = QWidget()
        self.setWidget(self._body)
        self._lay = QVBoxLayout(self._body)
        self.title = QLabel("Nothing selected")
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.title.setWordWrap(True)
        self._lay.addWidget(self.title)
        # refusals show at the top, where they are seen without scrolling
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self._lay.addWidget(self.message)
        # move a multiple selection by an offset (x/y are not bulk-editable)
        self.move_box = QWidget()
        ml = QHBoxLayout(self.move_box)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(QLabel("Move by"))
        self.move_dx = NumberField("dx", -1e5, 1e5, 2, "m")
        self.move_dy = NumberField("dy", -1e5, 1e5, 2, "m")
        self.move_dx.setPlaceholderText("dx (m, east)")
        self.move_dy.setPlaceholderText("dy (m, north)")
        self.move_button = QPushButton("Move")
        self.move_button.clicked.connect(self._move_by)
        for x in (self.move_dx, self.move_dy, self.move_button):
            ml.addWidget(x)
        self.move_box.hide()
        self._lay.addWidget(self.move_box)
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._lay.addWidget(self._form_host)
        self._lay.addStretch(1)
        self.nodes: list[Node] = []
        self.fields: dict[str, QWidget] = {}
        self.phases: list[str] = []
        self.ask_new_phase = self._ask_new_phase
        self._classes: tuple[type, ...] = ()
        self._invalid: dict[str, str] = {}  # refused fields and their message
        self._loading = False

    # -- public
    def set_nodes(self, nodes: list[Node]) -> None:
        """Show ``nodes``; with several kinds, the fields they share."""
        classes = tuple(dict.fromkeys(type(n) for n in nodes))
        if [n.id for n in nodes] != [n.id for n in self.nodes]:
            self._invalid = {}
        rebuild = classes != self._classes
        self.nodes = list(nodes)
        self._classes = classes
        if rebuild:
            self._build()
        self._load()

    def refresh(self, lookup: dict[str, Node]) -> None:
        """Reload after a model change (nodes replaced or removed)."""
        nodes = [lookup[n.id] for n in self.nodes if n.id in lookup]
        self.set_nodes(nodes)

    def set_phases(self, phases: list[str]) -> None:
        """The project's phases (offered by the phase field)."""
        self.phases = list(phases)
        w = self.fields.get("phase")
        if isinstance(w, PhaseField):
            w.set_phases(self.phases)

    def show_error(self, text: str) -> None:
        self.message.setText(text)

    # -- building
    def _shared_fields(self) -> list[dataclasses.Field[Any]]:
        if not self._classes:
            return []
        names = set.intersection(*({f.name for f in dataclasses.fields(c)} for c in self._classes))
        return [f for f in dataclasses.fields(self._classes[0]) if f.name in names and f.name not in HIDDEN]

    def _build(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {}
        if not self.nodes:
            return
        from planner.analysis.camera_types import builtin_camera_types

        for f in self._shared_fields():
            w = self._widget_for(f, builtin_camera_types())
            self.fields[f.name] = w
            self._form.addRow(f.name.replace("_", " "), w)

    def _widget_for(self, f: dataclasses.Field[Any], types: Any) -> QWidget:
        name = f.name
        default = f.default if f.default is not dataclasses.MISSING else None
        if name == "camera_type":
            cb = QComboBox()
            for tid, ct in sorted(types.items()):
                cb.addItem(f"{tid} ({ct.name})", tid)
            cb.setEditable(False)
            cb.setPlaceholderText("mixed")
            # long type names must not widen the inspector past its dock (the full name is in the list)
            cb.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            cb.setMinimumContentsLength(14)
            cb.currentIndexChanged.connect(lambda _i, n=name: self._commit(n))
            return cb
        if name == "focal_mm":
            ff = FocalField()
            ff.committed.connect(lambda n=name: self._commit(n))
            return ff
        if name == "streams":
            se = StreamsEditor()
            se.changed.connect(lambda n=name: self._commit(n))
            return se
        if name == "phase":
            ph = PhaseField()
            ph.set_phases(self.phases)
            ph.committed.connect(lambda n=name: self._commit(n))
            return ph
        if isinstance(default, enum.Enum):
            cb = QComboBox()
            for e in type(default):
                cb.addItem(str(e.value), e.value)
            cb.setPlaceholderText("mixed")
            cb.currentIndexChanged.connect(lambda _i, n=name: self._commit(n))
            return cb
        if isinstance(default, bool):
            ch = QCheckBox()
            ch.clicked.connect(lambda _v, n=name: self._commit(n))
            return ch
        if isinstance(default, int) and not isinstance(default, bool):
            nf = NumberField(name, 0, 100_000, 0, "", integer=True)
            nf.committed.connect(lambda n=name: self._commit(n))
            return nf
        if isinstance(default, float) or name in ("x", "y"):
            lo, hi, dec, unit = NUMERIC.get(name, (-1e12, 1e12, 3, ""))
            nf = NumberField(name, lo, hi, dec, unit, half_open=name in HALF_OPEN)
            nf.committed.connect(lambda n=name: self._commit(n))
            return nf
        le = QLineEdit()

        def finished(n: str = name, le: QLineEdit = le) -> None:
            if le.isModified():
                self._commit(n)

        le.editingFinished.connect(finished)
        return le

    def _load(self) -> None:
        self._loading = True
        try:
            many = len(self.nodes) > 1
            if not self.nodes:
                self.title.setText("Nothing selected")
            elif not many:
                n = self.nodes[0]
                self.title.setText(f"{n.kind.value.replace('_', ' ').title()} {n.id}" + (f": {n.name}" if n.name else ""))
            else:
                kinds = dict.fromkeys(n.kind.value.replace("_", " ") for n in self.nodes)
                what = f"{next(iter(kinds))}s" if len(kinds) == 1 else "nodes (" + ", ".join(kinds) + ": shared fields)"
                self.title.setText(f"{len(self.nodes)} {what} selected: an edit applies to all; fields marked "
                                   "mixed differ and are left alone unless edited")
            self.move_box.setVisible(many)
            self.message.setText("; ".join(self._invalid.values()))
            if not self.nodes:
                return
            n = self.nodes[0]
            for name, w in self.fields.items():
                if name in self._invalid:
                    continue  # keep what was typed (refused) until it is corrected or the selection changes
                w.setStyleSheet("")
                v = getattr(n, name)
                mixed = any(getattr(o, name) != v for o in self.nodes[1:])
                if name in ("x", "y"):
                    w.setEnabled(not many)
                    w.setToolTip("Several nodes: use Move by to shift them" if many else "")
                if name == "focal_mm":
                    self._load_focal(w)  # type: ignore[arg-type]
                elif isinstance(w, PhaseField):
                    w.set_phases(self.phases)
                    w.show_value(None if mixed else v)
                elif isinstance(w, QComboBox):
                    if mixed:
                        w.setCurrentIndex(-1)
                        continue
                    i = w.findData(v.value if isinstance(v, enum.Enum) else v)
                    if i < 0 and name == "camera_type":
                        w.addItem(f"{v} (not in library)", v)
                        i = w.count() - 1
                    w.setCurrentIndex(i)
                elif isinstance(w, StreamsEditor):
                    w.set_streams(v)
                    w.setEnabled(not mixed)
                    w.setToolTip("mixed: the selected cameras have different streams; select one to edit them"
                                 if mixed else "")
                elif isinstance(w, QCheckBox):
                    w.setTristate(mixed)
                    w.setCheckState(Qt.CheckState.PartiallyChecked if mixed else
                                    Qt.CheckState.Checked if v else Qt.CheckState.Unchecked)
                elif isinstance(w, NumberField):
                    w.show_value(None if mixed else v)
                elif isinstance(w, QLineEdit):
                    text = ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) \
                        if isinstance(v, tuple) else str(v)
                    w.setText("" if mixed else text)
                    w.setPlaceholderText("mixed" if mixed else "")
                    w.setModified(False)
        finally:
            self._loading = False

    def _focal_range(self) -> tuple[float, float] | None:
        """The focal range all selected cameras' lenses share; None when one of them does not zoom."""
        from planner.gui.map.lens import zoom_range_mm

        ranges = [zoom_range_mm(getattr(n, "camera_type", "")) for n in self.nodes]
        if not ranges or any(r is None for r in ranges):
            return None
        lo, hi = max(r[0] for r in ranges), min(r[1] for r in ranges)  # type: ignore[index]
        return (lo, hi) if lo < hi else None

    def _load_focal(self, w: FocalField) -> None:
        rng = self._focal_range()
        if rng is None:
            w.lo, w.hi = 0.0, 0.0
            w.show_value(None)
            w.setPlaceholderText("fixed lens")
            w.setEnabled(False)
            return
        w.lo, w.hi = rng
        w.setEnabled(True)
        values = {getattr(n, "focal_mm", None) for n in self.nodes}
        if len(values) > 1:
            w.show_value(None)  # mixed
        elif (v := values.pop()) is None:
            w.show_value(None)
            w.setPlaceholderText(f"widest ({w.lo:g} mm)")
        else:
            w.show_value(v)

    def _value(self, name: str) -> Any:
        w = self.fields[name]
        if name == "focal_mm":
            assert isinstance(w, FocalField)
            if not w.isEnabled() or not w.text().strip():
                return None  # the widest setting
            v = w.parse()
            return None if v <= w.lo + 1e-9 else round(float(v), 1)
        if isinstance(w, PhaseField):
            return w.phase()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, StreamsEditor):
            return w.streams()
        if isinstance(w, QCheckBox):
            w.setTristate(False)
            return w.isChecked()
        if isinstance(w, NumberField):
            return w.parse()
        text = w.text()  # type: ignore[attr-defined]
        current = getattr(self.nodes[0], name)
        if isinstance(current, tuple):
            parts = [p.strip() for p in text.split(",") if p.strip()]
            if name == "sector_azimuths_deg":
                try:
                    return tuple(float(p) for p in parts)
                except ValueError:
                    raise PlannerError(f"`{name}`: enter numbers separated by commas; got {text!r}") from None
            return tuple(parts)
        return text

    def _refuse(self, name: str, text: str) -> None:
        self._invalid[name] = f"{text}: not applied"
        w = self.fields.get(name)
        if w is not None:
            w.setStyleSheet(INVALID_STYLE)
        self.message.setText("; ".join(self._invalid.values()))

    def _accept(self, name: str) -> None:
        self._invalid.pop(name, None)
        w = self.fields.get(name)
        if w is not None:
            w.setStyleSheet("")
        self.message.setText("; ".join(self._invalid.values()))

    def _commit(self, name: str) -> None:
        if self._loading or not self.nodes:
            return
        if name in ("x", "y") and len(self.nodes) > 1:
            return  # not bulk-editable (the field is disabled; Move by shifts the selection)
        try:
            value = self._value(name)
            new = [with_field(n, name, value) for n in self.nodes if getattr(n, name) != value]
        except (PlannerError, ValueError, TypeError) as exc:
            self._refuse(name, str(exc))
            return
        if name == "phase" and value not in self.phases and new:
            if not self.ask_new_phase(value):
                self._accept(name)
                self._load()
                self.message.setText(f"Phase not changed: “{value}” is not a phase of the project.")
                return
        self._accept(name)
        if new:
            who = new[0].id if len(new) == 1 else f"{len(new)} nodes"
            self.edit_requested.emit(new, f"Set {name.replace('_', ' ')} on {who}")

    def _move_by(self) -> None:
        if not self.nodes:
            return
        try:
            dx = self.move_dx.parse() if self.move_dx.text().strip() else 0.0
            dy = self.move_dy.parse() if self.move_dy.text().strip() else 0.0
            new = [n.moved(n.x + dx, n.y + dy) for n in self.nodes] if (dx or dy) else []
        except (PlannerError, ValueError) as exc:
            self.message.setText(f"Move by: {exc}: not applied")
            return
        self.message.setText("")
        if new:
            self.edit_requested.emit(new, f"Move {len(new)} nodes by ({dx:g}, {dy:g}) m")
            self.move_dx.clear()
            self.move_dy.clear()

    def _ask_new_phase(self, name: str) -> bool:
        known = ", ".join(p or "(no phase)" for p in self.phases) or "none"
        r = QMessageBox.question(self, "New phase?", f"“{name}” is not a phase of this project (phases: {known}). "
                                 "Create it?")
        return r == QMessageBox.StandardButton.Yes
