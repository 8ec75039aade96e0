"""Colours and symbols of the map (one place, so the legend and the map agree).

The palette itself is Qt-free and shared with the PDF and HTML exports
(:mod:`planner.style`); this module only wraps it in ``QColor``.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from planner import style as _palette

BACKGROUND = QColor("#f4f3ef")
STUDY_AREA_FILL = QColor("#ffffff")
STUDY_AREA_EDGE = QColor(_palette.STUDY_AREA_EDGE)
DISTRICT_EDGE = QColor(_palette.DISTRICT_EDGE)
DISTRICT_MAJOR_EDGE = QColor(_palette.DISTRICT_MAJOR_EDGE)
STREETS = QColor(_palette.STREETS)
BUILDINGS_FILL = QColor(200, 190, 180, 180)
BUILDINGS_EDGE = QColor("#a89f94")
PRIORITY_SITE = QColor(_palette.NOT_SEEN)
SELECTION = QColor("#ffb000")
STORAGE = QColor(_palette.STORAGE)
COMMAND = QColor(_palette.COMMAND)
RADIO = QColor(_palette.RADIO)
LINK_FIBRE = QColor(_palette.LINK_FIBRE)
LINK_MICROWAVE = QColor(_palette.LINK_MICROWAVE)
LINK_OVERLOADED = QColor(_palette.LINK_OVERLOADED)
LOAD_OK = QColor(_palette.LOAD_OK)
LOAD_BUSY = QColor(_palette.LOAD_BUSY)
LOAD_FULL = QColor(_palette.LOAD_FULL)

#: Camera colours by phase (cycled); cameras of an unnamed phase are dark grey.
PHASE_COLOURS = [QColor(c) for c in _palette.PHASE_COLOURS]
NO_PHASE = QColor(_palette.NO_PHASE)

#: Coverage colours by detail level, widest (monitor) to finest (validate).
LEVEL_COLOURS = {k: QColor(v) for k, v in _palette.LEVEL_COLOURS.items()}


def level_colour(name: str, index: int = 0) -> QColor:
    return QColor(_palette.level_colour(name, index))


def phase_colour(phases: list[str], phase: str) -> QColor:
    return QColor(_palette.phase_colour(phases, phase))


def load_colour(utilisation: float) -> QColor:
    """Traffic-light colour of a sector or link load (fraction of its plannable capacity)."""
    return QColor(_palette.load_colour(utilisation))

#: Radio uplink rate ramp (Mb/s, colour), low to high: red where a 1080p stream (about 4 Mb/s) does not fit,
#: green where several do. Values between stops are interpolated on a log scale.
RADIO_RATE_STOPS: list[tuple[float, QColor]] = [
    (0.5, QColor("#d7191c")),
    (2.0, QColor("#fdae61")),
    (4.0, QColor("#ffffbf")),
    (8.0, QColor("#a6d96a")),
    (16.0, QColor("#1a9641")),
]
