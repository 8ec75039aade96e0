"""One palette for every map the planner draws: the app's map, the PDF report and the HTML map.

Plain ``#rrggbb`` strings, no Qt: the app wraps them in ``QColor``
(:mod:`planner.gui.map.style`), matplotlib and Leaflet take them as they are.

The colours are allotted by meaning so that no two meanings share a hue
family:

* **coverage levels** (an area seen at least at a detail level) run from pale
  blue (monitor, the widest) to deep purple (validate, the finest): a
  sequential ramp, darker = more detail (ColorBrewer "BuPu", Brewer & Harrower
  2003, https://colorbrewer2.org);
* **phases** (the colour of camera symbols) are a qualitative set with no blue
  or purple (ColorBrewer "Dark2" without its purple);
* **sector and link loads** are the usual traffic light: green within the
  planning load, amber above 70 %, red when full (ColorBrewer "RdYlGn" ends).

:func:`delta_e2000` (CIEDE2000, Sharma, Wu & Dalal 2005, *Color Research &
Application* 30(1), 21-30) measures how far apart two colours look; the tests
hold the sets at least :data:`MIN_SET_DISTANCE` apart.
"""

from __future__ import annotations

import math

__all__ = [
    "COVERAGE_LEVELS", "LEVEL_COLOURS", "LOAD_BUSY", "LOAD_FULL", "LOAD_OK", "LOAD_STOPS", "MIN_SET_DISTANCE",
    "NOT_SEEN", "NO_PHASE", "PHASE_COLOURS", "colour_distance", "delta_e2000", "level_colour", "load_colour",
    "phase_colour", "plural", "plural_noun", "srgb_to_lab",
]

# ------------------------------------------------------------------ coverage
#: The detail levels in order, widest (monitor) to finest (validate) (IEC 62676-4 DORI plus monitor/validate).
COVERAGE_LEVELS = ("monitor", "detect", "observe", "recognise", "identify", "validate")
#: Coverage colours by detail level: ColorBrewer BuPu, pale blue to deep purple.
LEVEL_COLOURS: dict[str, str] = {
    "monitor": "#bfd3e6",
    "detect": "#9ebcda",
    "observe": "#8c96c6",
    "recognise": "#8c6bb1",
    "identify": "#88419d",
    "validate": "#6e016b",
}
#: Priority sites that no camera sees (a warning red, away from the coverage ramp).
NOT_SEEN = "#d62728"

# ------------------------------------------------------------------ phases
#: Camera colours by phase (cycled): ColorBrewer Dark2 without its purple, then a dark grey.
PHASE_COLOURS = ("#1b9e77", "#d95f02", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
#: Cameras of an unnamed phase.
NO_PHASE = "#2b2b2b"

# ------------------------------------------------------------------ loads
LOAD_OK = "#1a9641"      # within 70 % of the plannable capacity
LOAD_BUSY = "#fdae61"    # above 70 %
LOAD_FULL = "#d7191c"    # at or above 100 %
#: ``(lowest utilisation, colour, legend text)``, low to high.
LOAD_STOPS = ((0.0, LOAD_OK, "load under 70 %"), (0.7, LOAD_BUSY, "load 70-100 %"), (1.0, LOAD_FULL, "full"))

# ------------------------------------------------------------------ nodes, links, base map
RADIO = "#1f3a93"
STORAGE = "#4d4d4d"
COMMAND = "#b15928"
LINK_FIBRE = "#2b8cbe"
LINK_MICROWAVE = "#e08214"
LINK_OVERLOADED = LOAD_FULL
STUDY_AREA_EDGE = "#3c3c3c"
DISTRICT_EDGE = "#9a9a9a"
DISTRICT_MAJOR_EDGE = "#5a5a5a"
STREETS = "#b9b4aa"
LABEL_INK = "#222222"

#: The smallest CIEDE2000 difference between a coverage colour and any phase or load colour.
MIN_SET_DISTANCE = 20.0


def level_colour(name: str | None, index: int = 0) -> str:
    """Colour of coverage level ``name``; an unknown name takes the ramp's ``index``-th colour."""
    if name in LEVEL_COLOURS:
        return LEVEL_COLOURS[str(name)]
    ramp = list(LEVEL_COLOURS.values())
    return ramp[min(max(index, 0), len(ramp) - 1)]


def phase_colour(phases: list[str] | tuple[str, ...], phase: str) -> str:
    """Colour of ``phase`` among ``phases`` (the named ones, in order); no phase is dark grey."""
    if not phase:
        return NO_PHASE
    named = [p for p in phases if p]
    i = named.index(phase) if phase in named else len(named)
    return PHASE_COLOURS[i % len(PHASE_COLOURS)]


def load_colour(utilisation: float) -> str:
    """Traffic-light colour of a sector or link load (a fraction of its plannable capacity)."""
    colour = LOAD_OK
    for lo, c, _ in LOAD_STOPS:
        if utilisation >= lo:
            colour = c
    return colour


def plural(n: int, noun: str) -> str:
    """``"1 camera"``, ``"1,000 cameras"``, ``"3 storage centres"``; a qualifier in brackets stays last.

    >>> plural(1000, "camera"), plural(1, "storage centre"), plural(2, "planning grid (synthetic)")
    ('1,000 cameras', '1 storage centre', '2 planning grids (synthetic)')
    """
    return f"{n:,} {noun if n == 1 else plural_noun(noun)}"


def plural_noun(noun: str) -> str:
    """The plural of a label: ``"district"`` -> ``"districts"``, ``"grid (synthetic)"`` -> ``"grids (synthetic)"``."""
    head, sep, tail = noun.partition(" (")
    if not head:
        return noun
    if head.endswith(("s", "x", "ch", "sh")):
        head += "es" if not head.endswith("s") else ""
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        head = head[:-1] + "ies"
    else:
        head += "s"
    return head + sep + tail


# ------------------------------------------------------------------ colour difference
def srgb_to_lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB ``#rrggbb`` colour (IEC 61966-2-1 transfer, CIE 15 Lab)."""
    h = colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"`colour` must be #rrggbb; got {colour!r}")
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x / 0.95047), f(y / 1.0), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference of two L*a*b* colours (Sharma, Wu & Dalal 2005, equations 1-17)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    cb = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cb ** 7 / (cb ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if (a1p or b1) else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if (a2p or b2) else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hbp = (h1p + h2p + 360) / 2
    else:
        hbp = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp ** 7 / (cbp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc = 1 + 0.045 * cbp
    sh = 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhh / sh) ** 2 + rt * (dcp / sc) * (dhh / sh))


def colour_distance(c1: str, c2: str) -> float:
    """CIEDE2000 difference of two ``#rrggbb`` colours."""
    return delta_e2000(srgb_to_lab(c1), srgb_to_lab(c2))
