"""The inspector: every field of the selected node(s), edited through commands with validation.

One widget per dataclass field: a camera-type picker from the library, combo
boxes for choices, spin boxes for numbers, a small table for the streams.
Editing a field builds the new node(s) with ``with_changes`` (which validates)
and emits ``edit_requested(nodes, text)``; an invalid value shows the model's
message under the form and leaves the project unchanged. With several nodes
of one kind selected, a change applies to all of them (bulk edit).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.errors import InvalidInputError, PlannerError
from planner.model.nodes import Codec, Node, Stream, StreamKind

#: (min, max, decimals, suffix) for numeric fields by name.
NUMERIC: dict[str, tuple[float, float, int, str]] = {
    "x": (-1e8, 1e8, 2, " m"), "y": (-1e8, 1e8, 2, " m"),
    "cost": (0, 1e12, 2, ""), "height_m": (0.1, 500, 2, " m"), "azimuth_deg": (0, 359.9, 1, "°"),
    "tilt_deg": (-90, 90, 1, "°"), "freq_mhz": (0.1, 100000, 1, " MHz"), "channel_mhz": (0.1, 2000, 1, " MHz"),
    "tx_power_dbm": (-30, 80, 1, " dBm"), "antenna_gain_dbi": (-10, 60, 1, " dBi"),
    "capacity_tb": (0.001, 1e6, 1, " TB"), "disk_tb": (0.01, 1000, 2, " TB"),
}
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
        self._loading = False

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
            vals = [(self.table.item(r, c).text().strip() if self.table.item(r, c) else "")
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


class InspectorPanel(QScrollArea):
    """Signals: ``edit_requested(list[Node], str)``."""

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
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._lay.addWidget(self._form_host)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self._lay.addWidget(self.message)
        self._lay.addStretch(1)
        self.nodes: list[Node] = []
        self.fields: dict[str, QWidget] = {}
        self._loading = False

    # -- public
    def set_nodes(self, nodes: list[Node]) -> None:
        """Show ``nodes`` (only nodes of the first one's kind are edited together)."""
        same = [n for n in nodes if type(n) is type(nodes[0])] if nodes else []
        rebuild = not self.nodes or not same or type(self.nodes[0]) is not type(same[0])
        self.nodes = same
        if rebuild:
            self._build()
        self._load()

    def refresh(self, lookup: dict[str, Node]) -> None:
        """Reload after a model change (nodes replaced or removed)."""
        nodes = [lookup[n.id] for n in self.nodes if n.id in lookup]
        self.set_nodes(nodes)

    # -- building
    def _build(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {}
        if not self.nodes:
            return
        cls = type(self.nodes[0])
        from planner.analysis.camera_types import builtin_camera_types

        for f in dataclasses.fields(cls):
            if f.name in HIDDEN:
                continue
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
            cb.currentIndexChanged.connect(lambda _i, n=name: self._commit(n))
            return cb
        if name == "focal_mm":
            ds = QDoubleSpinBox()
            ds.setDecimals(1)
            ds.setSingleStep(0.5)
            ds.setSuffix(" mm")
            ds.setKeyboardTracking(False)
            ds.setToolTip("Focal length of a varifocal or PTZ lens (sets the field of view and the ranges); "
                          "drag the square handle at the tip of the camera's wedge on the map to change it")
            ds.valueChanged.connect(lambda _v, n=name: self._commit(n))
            return ds
        if name == "streams":
            se = StreamsEditor()
            se.changed.connect(lambda n=name: self._commit(n))
            return se
        if isinstance(default, enum.Enum):
            cb = QComboBox()
            for e in type(default):
                cb.addItem(str(e.value), e.value)
            cb.currentIndexChanged.connect(lambda _i, n=name: self._commit(n))
            return cb
        if isinstance(default, bool):
            ch = QCheckBox()
            ch.toggled.connect(lambda _v, n=name: self._commit(n))
            return ch
        if isinstance(default, int) and not isinstance(default, bool):
            sp = QSpinBox()
            sp.setRange(0, 100_000)
            sp.setKeyboardTracking(False)
            sp.valueChanged.connect(lambda _v, n=name: self._commit(n))
            return sp
        if isinstance(default, float) or name in ("x", "y"):
            lo, hi, dec, suffix = NUMERIC.get(name, (-1e12, 1e12, 2, ""))
            ds = QDoubleSpinBox()
            ds.setRange(lo, hi)
            ds.setDecimals(dec)
            ds.setSuffix(suffix)
            ds.setKeyboardTracking(False)
            if name == "azimuth_deg":
                ds.setWrapping(True)
            ds.valueChanged.connect(lambda _v, n=name: self._commit(n))
            return ds
        le = QLineEdit()
        le.editingFinished.connect(lambda n=name: self._commit(n))
        return le

    def _load(self) -> None:
        self._loading = True
        try:
            if not self.nodes:
                self.title.setText("Nothing selected")
            elif len(self.nodes) == 1:
                n = self.nodes[0]
                self.title.setText(f"{n.kind.value.replace('_', ' ').title()} {n.id}" + (f": {n.name}" if n.name else ""))
            else:
                self.title.setText(f"{len(self.nodes)} {self.nodes[0].kind.value.replace('_', ' ')}s selected "
                                   "(changes apply to all)")
            self.message.setText("")
            if not self.nodes:
                return
            n = self.nodes[0]
            for name, w in self.fields.items():
                v = getattr(n, name)
                mixed = any(getattr(o, name) != v for o in self.nodes[1:])
                if name == "focal_mm":
                    self._load_focal(w)  # type: ignore[arg-type]
                elif isinstance(w, QComboBox):
                    i = w.findData(v.value if isinstance(v, enum.Enum) else v)
                    if i < 0 and name == "camera_type":
                        w.addItem(f"{v} (not in library)", v)
                        i = w.count() - 1
                    w.setCurrentIndex(i)
                elif isinstance(w, StreamsEditor):
                    w.set_streams(v)
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(v))
                elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                    w.setValue(v)
                    w.setSpecialValueText("")
                elif isinstance(w, QLineEdit):
                    text = ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) \
                        if isinstance(v, tuple) else str(v)
                    w.setText("" if mixed else text)
                    w.setPlaceholderText("(mixed)" if mixed else "")
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

    def _load_focal(self, w: QDoubleSpinBox) -> None:
        rng = self._focal_range()
        if rng is None:
            w.setRange(0.0, 0.0)
            w.setSpecialValueText("fixed lens")
            w.setEnabled(False)
            return
        lo, hi = rng
        w.setEnabled(True)
        w.setRange(lo, hi)
        w.setSpecialValueText(f"widest ({lo:g} mm)")
        values = {getattr(n, "focal_mm", None) for n in self.nodes}
        v = values.pop() if len(values) == 1 else None
        w.setValue(lo if v is None else v)

    def _value(self, name: str) -> Any:
        w = self.fields[name]
        if name == "focal_mm":
            assert isinstance(w, QDoubleSpinBox)
            return None if not w.isEnabled() or w.value() <= w.minimum() + 1e-9 else round(w.value(), 1)
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, StreamsEditor):
            return w.streams()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, (QSpinBox, QDoubleSpinBox)):
            return w.value()
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

    def _commit(self, name: str) -> None:
        if self._loading or not self.nodes:
            return
        try:
            value = self._value(name)
            new = [with_field(n, name, value) for n in self.nodes if getattr(n, name) != value]
        except (PlannerError, ValueError, TypeError) as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("")
        if new:
            who = new[0].id if len(new) == 1 else f"{len(new)} nodes"
            self.edit_requested.emit(new, f"Set {name.replace('_', ' ')} on {who}")

    def show_error(self, text: str) -> None:
        self.message.setText(text)

    def set_phases(self, phases: list[str]) -> None:
        """The project's phases (offered by the phase field)."""
        self.phases = list(phases)
