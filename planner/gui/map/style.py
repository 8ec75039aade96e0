"""Colours and symbols of the map (one place, so the legend and the map agree)."""

from __future__ import annotations

from PySide6.QtGui import QColor

BACKGROUND = QColor("#f4f3ef")
STUDY_AREA_FILL = QColor("#ffffff")
STUDY_AREA_EDGE = QColor("#3c3c3c")
DISTRICT_EDGE = QColor("#9a9a9a")
DISTRICT_MAJOR_EDGE = QColor("#5a5a5a")
STREETS = QColor("#b9b4aa")
BUILDINGS_FILL = QColor(200, 190, 180, 180)
BUILDINGS_EDGE = QColor("#a89f94")
PRIORITY_SITE = QColor("#d62728")
SELECTION = QColor("#ffb000")
STORAGE = QColor("#6a3d9a")
COMMAND = QColor("#b15928")
RADIO = QColor("#1f78b4")
LINK_FIBRE = QColor("#33a02c")
LINK_MICROWAVE = QColor("#1f78b4")
LINK_OVERLOADED = QColor("#e31a1c")

#: Camera colours by phase (cycled); cameras of an unnamed phase are dark grey.
PHASE_COLOURS = [QColor("#1565c0"), QColor("#e65100"), QColor("#2e7d32"), QColor("#6a1b9a"),
                 QColor("#00838f"), QColor("#ad1457"), QColor("#5d4037")]
NO_PHASE = QColor("#37474f")

#: Coverage colours by detail level, widest (monitor) to finest (validate).
LEVEL_COLOURS = {
    "monitor": QColor("#c6dbef"),
    "detect": QColor("#6baed6"),
    "observe": QColor("#fdae6b"),
    "recognise": QColor("#f16913"),
    "identify": QColor("#a50f15"),
    "validate": QColor("#54278f"),
}


def level_colour(name: str, index: int = 0) -> QColor:
    if name in LEVEL_COLOURS:
        return QColor(LEVEL_COLOURS[name])
    ramp = list(LEVEL_COLOURS.values())
    return QColor(ramp[index % len(ramp)])


def phase_colour(phases: list[str], phase: str) -> QColor:
    if not phase:
        return QColor(NO_PHASE)
    named = [p for p in phases if p]
    i = named.index(phase) if phase in named else len(named)
    return QColor(PHASE_COLOURS[i % len(PHASE_COLOURS)])

#: Radio uplink rate ramp (Mb/s, colour), low to high: red where a 1080p stream (about 4 Mb/s) does not fit,
#: green where several do. Values between stops are interpolated on a log scale.
RADIO_RATE_STOPS: list[tuple[float, QColor]] = [
    (0.5, QColor("#d7191c")),
    (2.0, QColor("#fdae61")),
    (4.0, QColor("#ffffbf")),
    (8.0, QColor("#a6d96a")),
    (16.0, QColor("#1a9641")),
]
