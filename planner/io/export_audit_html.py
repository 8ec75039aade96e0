"""Offline HTML map of an audit: the study area, districts, register cameras and one coverage layer per scenario.

Built on :func:`planner.io.export_html.build_map` (vendored Leaflet inlined, no
tiles, popups built as text); the three capability scenarios (low, median,
high) are extra layers coloured by the best detail level seen by day, the
median one shown at first, so the envelope can be switched in the layer
control.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import shapely

from planner.io.atomic import atomic_write_text
from planner.io.export_html import (
    REMOTE_URL_RE,
    _fc,
    _popup,
    _popup_layer,
    build_map,
)
from planner.style import level_colour

SCENARIOS = ("low", "median", "high")


def write_audit_html(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *, title: str,
                     summary: Sequence[tuple[str, str]] = (), levels: Sequence[str] = (), attribution: str = "") -> Path:
    """``layers``: ``study_area``, ``districts``, ``cameras`` and ``coverage_<scenario>`` (level bands, day)."""
    import folium

    base = {k: v for k, v in layers.items() if not k.startswith("coverage")}
    m = build_map(base, title=title, summary=summary, attribution=attribution)
    for name in SCENARIOS:
        cov = layers.get(f"coverage_{name}")
        if cov is None or not len(cov):
            continue
        geoms, cols, pops = [], [], []
        for i, lv in enumerate(levels):
            part = cov[cov["level"] == lv]
            if not len(part):
                continue
            geoms.append(shapely.simplify(shapely.union_all(part.geometry.values), 1.0))
            cols.append(level_colour(lv, i))
            pops.append(_popup(f"{name} scenario: {lv}", [("best level by day", lv)]))
        g = gpd.GeoDataFrame(geometry=geoms, crs=cov.crs)
        _popup_layer(folium, _fc(g, pops, cols), name=f"Scenario {name}: coverage by day", show=(name == "median"),
                     weight=0.0, fill_opacity=0.5).add_to(m)
    # the layer control must come after every layer it lists (its script names them): move it to the end
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl) or type(child).__name__ == "FitBounds":
            del m._children[key]
    folium.LayerControl(collapsed=False).add_to(m)
    area = layers["study_area"].to_crs(4326)
    minx, miny, maxx, maxy = area.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    text = m.get_root().render()
    bad = REMOTE_URL_RE.search(text)
    if bad:  # pragma: no cover
        raise RuntimeError(f"the HTML map would load a remote resource near {text[bad.start():bad.start() + 80]!r}")
    return atomic_write_text(path, text)


__all__ = ["write_audit_html"]
