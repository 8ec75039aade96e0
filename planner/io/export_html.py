"""Interactive HTML map (folium) that works with no network at all.

Leaflet 1.9.4 is vendored in ``resources/leaflet/`` and inlined into the
page (CSS images as data URIs); folium's CDN defaults (jQuery, Bootstrap,
Font Awesome...) are dropped and no folium plugin is used, so the page makes
no request to any server. There is no tile layer: districts, the study area
and, where the project has them, simplified streets are the base map.

Popups are data (title and rows) that a small script turns into DOM nodes
with ``textContent``: user text is never parsed as HTML. In the page, folium
writes the GeoJSON with ``<``, ``>`` and ``&`` as ``\\u003c``..., so no name
can close the ``<script>`` element. Layer names (which Leaflet's layer
control inserts as HTML), the title and the legend go through
:func:`html.escape`. A camera named ``<script>`` stays text.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from planner import style as palette
from planner.io.atomic import atomic_write_text
from planner.resources import resource_path

__all__ = ["REMOTE_URL_RE", "at_least_levels", "build_map", "offline_assets", "write_html_map"]

#: What the no-remote-URL test looks for: a ``src``/``href`` attribute pointing at http(s).
REMOTE_URL_RE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

NODE_STYLE = {
    "radio_sites": (palette.RADIO, 7, "Radio sites"),
    "storage_centres": (palette.STORAGE, 9, "Storage centres"),
    "command_centres": (palette.COMMAND, 9, "Command centres"),
}
#: Camera symbol radius (px) by zoom: small at city scale, larger close up (set again on every zoom).
CAMERA_RADIUS_JS = "Math.max(1.5, Math.min(8, 1.5 * Math.pow(1.45, z - 11)))"
#: Minor district labels (e.g. quartiers) appear from this zoom; the coarsest level is always labelled.
MINOR_LABEL_ZOOM = 14
#: A district level with more polygons than this is labelled only when zoomed in.
MAJOR_LABELS_MAX = 30


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def offline_assets() -> tuple[str, str, str]:
    """``(css, js, icon_js)`` of the vendored Leaflet, ready to inline (no remote URL left)."""
    css = resource_path("leaflet/leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        css = css.replace(f"url(images/{name})", f"url({_data_uri(resource_path('leaflet/images/' + name))})")
    js = resource_path("leaflet/leaflet.js").read_text(encoding="utf-8")
    js = js.replace('<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">',
                    '<a title="Leaflet, a JavaScript library for interactive maps (BSD-2-Clause)">')
    if "</script" in js.lower():  # pragma: no cover - guards a future Leaflet update
        raise RuntimeError("leaflet.js contains '</script' and cannot be inlined")
    icon = {k: _data_uri(resource_path(f"leaflet/images/{v}")) for k, v in
            (("iconUrl", "marker-icon.png"), ("iconRetinaUrl", "marker-icon-2x.png"),
             ("shadowUrl", "marker-shadow.png"))}
    icon_js = f"L.Icon.Default.mergeOptions({json.dumps({'imagePath': '', **icon})});"
    return css, js, icon_js


def _esc(v: Any) -> str:
    if isinstance(v, float):
        v = f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return html.escape(str(v))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def _popup(title: str, rows: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Popup content as data: the page builds it with ``textContent``, never parsed as HTML.

    In the page the data sits in JSON where folium writes ``<``, ``>`` and ``&``
    as ``\\u003c`` etc., so user text can neither close the ``<script>`` nor
    become markup.
    """
    return {"t": str(title),
            "r": [[str(k), _fmt(v)] for k, v in rows
                  if v is not None and v != "" and not (isinstance(v, float) and v != v)]}


def _fc(gdf: gpd.GeoDataFrame, popups: Sequence[dict[str, Any]] | None, colours: Sequence[str] | str,
        *, precision: float = 1e-6) -> dict[str, Any]:
    wgs = gdf.to_crs(4326)
    geoms = shapely.set_precision(wgs.geometry.values, precision, mode="pointwise")
    feats = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        props: dict[str, Any] = {"c": colours if isinstance(colours, str) else colours[i]}
        if popups is not None:
            props.update(popups[i])
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _records(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    return records


class _TextPopup:
    """Binds a popup to a GeoJson layer, built from the feature's ``t``/``r`` with DOM text nodes."""

    def __new__(cls) -> Any:
        from branca.element import MacroElement
        from jinja2 import Template

        class TextPopup(MacroElement):
            _template = Template(
                "{% macro script(this, kwargs) %}"
                "{{ this._parent.get_name() }}.bindPopup(function (layer) "
                "{ return plannerPopup(layer.feature.properties); }, {maxWidth: 360});"
                "{% endmacro %}")

            def __init__(self) -> None:
                super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement is untyped
                self._name = "TextPopup"

        return TextPopup()


_POPUP_JS = """<script>
function plannerPopup(p) {
  var div = document.createElement('div'); div.className = 'pl-pop';
  var b = document.createElement('b'); b.textContent = String(p.t || ''); div.appendChild(b);
  var table = document.createElement('table');
  (p.r || []).forEach(function (kv) {
    var tr = document.createElement('tr'), th = document.createElement('th'), td = document.createElement('td');
    th.textContent = String(kv[0]); td.textContent = String(kv[1]);
    tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
  });
  div.appendChild(table); return div;
}
</script>"""


def _popup_layer(folium: Any, fc: dict[str, Any], *, name: str, show: bool = True, point_radius: float | None = None,
                 weight: float = 1.0, fill_opacity: float = 0.3, popup: bool = True, dash: str | None = None) -> Any:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        c = feature["properties"]["c"]
        st = {"color": c, "weight": weight, "fillColor": c, "fillOpacity": fill_opacity, "opacity": 0.9}
        if dash:
            st["dashArray"] = dash
        return st

    kwargs: dict[str, Any] = {}
    if point_radius is not None:
        kwargs["marker"] = folium.CircleMarker(radius=point_radius, fill=True, weight=1)
    layer = folium.GeoJson(fc, name=html.escape(name), show=show, style_function=style, **kwargs)
    if popup:
        _TextPopup().add_to(layer)
    return layer


def at_least_levels(cov: gpd.GeoDataFrame, period: str,
                    coverage_levels: Sequence[Mapping[str, Any]] | None = None) -> list[tuple[str, int, Any]]:
    """``(level, index, geometry)`` of the area seen **at least** at each level in ``period``.

    The coverage layer holds bands (each cell at its best level, see
    :meth:`planner.analysis.coverage.CoverageEngine.polygons`); the area seen at
    least at level L is the union of the bands of L and every finer level, so a
    camera's monitor layer has no hole where it also sees at detect.
    ``index`` is the level's 1-based rank, widest first.
    """
    part = cov[cov["period"] == period] if "period" in cov.columns else cov
    if not len(part):
        return []
    order = {str(lv.get("name")): i + 1 for i, lv in enumerate(coverage_levels or [])}
    idx = part["level_index"].astype(int).to_numpy() if "level_index" in part.columns else \
        part["level"].astype(str).map(order).fillna(0).astype(int).to_numpy()
    names: dict[int, str] = {}
    for k, lv in zip(idx, part["level"].astype(str), strict=True):
        names.setdefault(int(k), lv)
    out = []
    acc = None  # built from the finest level outwards: each step adds one level's bands to the finer area
    for k in sorted(names, reverse=True):
        band = shapely.union_all(part.geometry.values[idx == k])
        acc = band if acc is None else shapely.union(acc, band)
        out.append((names[k], k, acc))
    return out[::-1]


class _ZoomScript:
    """Resizes camera symbols with the zoom and shows minor district labels only when zoomed in."""

    def __new__(cls, camera_layers: Sequence[str]) -> Any:
        from branca.element import MacroElement
        from jinja2 import Template

        class ZoomScript(MacroElement):
            _template = Template(
                "{% macro script(this, kwargs) %}"
                "(function () { var map = {{ this._parent.get_name() }};"
                " var cams = [{{ this.cams }}];"
                " function restyle() { var z = map.getZoom(), r = " + CAMERA_RADIUS_JS + ";"
                "  cams.forEach(function (g) { g.eachLayer(function (m) { if (m.setRadius) m.setRadius(r); }); });"
                "  var c = map.getContainer(); c.classList.toggle('pl-minor-off', z < " + str(MINOR_LABEL_ZOOM) + ");"
                "  c.classList.toggle('pl-labels-off', z < 11.5); c.classList.toggle('pl-small', z < 13); }"
                " map.on('zoomend', restyle); map.whenReady(restyle); })();"
                "{% endmacro %}")

            def __init__(self) -> None:
                super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement is untyped
                self._name = "ZoomScript"
                self.cams = ", ".join(camera_layers)

        return ZoomScript()


def _legend_html(entries: Sequence[tuple[str, str, str]]) -> str:
    """The colour legend: ``(symbol, colour, text)`` rows, symbol one of fill/dot/line/star/square/tri."""
    rows = []
    for sym, colour, text in entries:
        c = html.escape(colour)
        if sym == "head":
            rows.append(f"<div class='pl-lh'>{_esc(text)}</div>")
            continue
        shape = {"fill": f"<span class='pl-sw' style='background:{c}'></span>",
                 "dot": f"<span class='pl-sw pl-dot' style='background:{c}'></span>",
                 "line": f"<span class='pl-sw pl-line' style='background:{c}'></span>",
                 "square": f"<span class='pl-sw pl-sq' style='background:{c}'></span>",
                 "star": f"<span class='pl-sym' style='color:{c}'>&#9733;</span>",
                 "tri": f"<span class='pl-sym' style='color:{c}'>&#9650;</span>"}[sym]
        rows.append(f"<div class='pl-lr'>{shape}<span>{_esc(text)}</span></div>")
    return "<div class='pl-legend'>" + "".join(rows) + "</div>"
COVERAGE_MAX_PX = 3000
"""Longest side of a coverage overlay image; cells are at least :data:`COVERAGE_MIN_CELL_M` (Web Mercator m)."""
COVERAGE_MIN_CELL_M = 8.0


def _coverage_overlays(cov: gpd.GeoDataFrame, coverage_levels: Sequence[Mapping[str, Any]] | None,
                       ppm: Mapping[str, Any]) -> list[tuple[str, str, int, str, bool, str, list[list[float]]]]:
    """``(layer name, colour, level index, level, shown, PNG data URI, [[south, west], [north, east]])``
    per period and level: the area seen **at least** at that level (its band and every finer one).

    The band polygons are burnt (cell centres inside) into one grid in Web
    Mercator, the projection Leaflet stretches an image overlay in; a cell is
    ``COVERAGE_MIN_CELL_M`` (8 m, about 5.8 m on the ground at 43° N, under
    a screen pixel up to zoom 14) or coarser for very large areas, so the page
    stays a few hundred kB of palette PNGs whatever the polygon count.
    """
    import io

    import numpy as np
    from affine import Affine
    from PIL import Image
    from pyproj import Transformer
    from rasterio.features import rasterize

    merc = cov.to_crs(3857)
    minx, miny, maxx, maxy = merc.total_bounds
    cell = max(COVERAGE_MIN_CELL_M, max(maxx - minx, maxy - miny) / COVERAGE_MAX_PX)
    w = max(int(np.ceil((maxx - minx) / cell)), 1)
    h = max(int(np.ceil((maxy - miny) / cell)), 1)
    maxx, miny = minx + w * cell, maxy - h * cell
    tr = Affine(cell, 0, minx, 0, -cell, maxy)
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    west, south = to_ll.transform(minx, miny)
    east, north = to_ll.transform(maxx, maxy)
    bounds = [[float(south), float(west)], [float(north), float(east)]]
    order = {str(lv.get("name")): i + 1 for i, lv in enumerate(coverage_levels or [])}
    out = []
    for period in ("day", "night"):
        part = merc[merc["period"] == period] if "period" in merc.columns else merc
        if not len(part):
            continue
        idx = part["level_index"].astype(int).to_numpy() if "level_index" in part.columns else \
            part["level"].astype(str).map(order).fillna(0).astype(int).to_numpy()
        names: dict[int, str] = {}
        for k, lv in zip(idx, part["level"].astype(str), strict=True):
            names.setdefault(int(k), lv)
        # ranks 1..n, widest first, whatever base the stored indices use
        rank = {k: i + 1 for i, k in enumerate(sorted(names))}
        idx = np.array([rank[int(k)] for k in idx], dtype=np.int64)
        names = {rank[k]: v for k, v in names.items()}
        grid = np.zeros((h, w), dtype=np.uint8)  # each cell's best level rank
        for k in sorted(names):
            geoms = [g for g in part.geometry.values[idx == k] if g is not None and not g.is_empty]
            if geoms:
                band = rasterize(((g, 1) for g in geoms), out_shape=(h, w), transform=tr, fill=0, dtype="uint8")
                grid = np.where(band > 0, np.maximum(grid, k), grid)
        for k in sorted(names):
            lvl = names[k]
            colour = palette.level_colour(lvl, k - 1)
            img = Image.fromarray((grid >= k).astype(np.uint8), mode="P")
            img.putpalette([0, 0, 0, *(int(colour[i:i + 2], 16) for i in (1, 3, 5))])
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True, transparency=0, bits=1)
            uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
            out.append((f"Coverage: seen at least at {lvl} ({_fmt(ppm.get(lvl, '?'))} px/m), {period}", colour, k,
                        lvl, period == "day", uri, bounds))
    return out


def build_map(layers: Mapping[str, gpd.GeoDataFrame], *, title: str,
              summary: Sequence[tuple[str, str]] = (), coverage_levels: Sequence[Mapping[str, Any]] | None = None,
              coverage_note: str | None = None, attribution: str = "",
              priority_sites: Sequence[Mapping[str, Any]] | None = None) -> Any:
    """The folium Map (offline assets inlined).

    ``priority_sites`` is the coverage result's list of ``{"name", "best_level_day", ...}``: each priority
    site is drawn in the colour of the best level it is seen at by day (red when no camera sees it).
    """
    import folium

    area = layers["study_area"].to_crs(4326)
    minx, miny, maxx, maxy = area.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, tiles=None,
                   control_scale=True, prefer_canvas=True, zoomSnap=0.25, zoomDelta=0.5)
    m.default_js = []
    m.default_css = []
    css, js, icon_js = offline_assets()
    root: Any = m.get_root()  # a branca Figure (typed as Element): it has header and html
    hdr = root.header
    hdr.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    hdr.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js_inline")
    hdr.add_child(folium.Element(f"<script>{icon_js}</script>"), name="leaflet_icon_inline")
    hdr.add_child(folium.Element(_CSS), name="planner_css")
    hdr.add_child(folium.Element(_POPUP_JS), name="planner_popup_js")
    legend: list[tuple[str, str, str]] = []

    # base: districts, streets, study area
    d = layers.get("districts")
    if d is not None and len(d):
        pops = [_popup(str(r.get("name") or ""), [("code", r.get("code")), ("level", r.get("level")),
                                                   ("area km²", r.get("area_km2"))]) for r in _records(d)]
        # boundaries simplified by 2 m (well under a screen pixel at city zoom): half the vertices of IRIS-detailed
        # district outlines, which otherwise weigh more than every other layer of a city map together
        if d.crs is not None and d.crs.is_projected:
            d = d.set_geometry(shapely.simplify(d.geometry.values, 2.0, preserve_topology=True))
        _popup_layer(folium, _fc(d, pops, "#555555", precision=1e-5), name="Districts", weight=0.8,
                     fill_opacity=0.04).add_to(m)
    s = layers.get("streets")
    if s is not None and len(s):
        merged = shapely.simplify(shapely.union_all(s.geometry.values), 5.0)
        sg = gpd.GeoDataFrame(geometry=[merged], crs=s.crs)
        _popup_layer(folium, _fc(sg, None, "#9a9a9a", precision=1e-5), name="Streets", weight=0.6,
                     popup=False).add_to(m)
    _popup_layer(folium, _fc(layers["study_area"], None, "#222222", precision=1e-5), name="Study area",
                 weight=2.0, fill_opacity=0.0, popup=False).add_to(m)

    # coverage: the area seen at least at each level, one transparent PNG per period and level (small at any
    # city size, no visible loss at city zoom) on Leaflet's Web Mercator grid; districts and the rest stay vectors
    cov = layers.get("coverage")
    if cov is not None and len(cov):
        ppm = {str(lv.get("name")): lv.get("ppm") for lv in (coverage_levels or [])}
        shown: list[tuple[str, int, str]] = []
        for label, colour, idx, lvl, show, uri, bounds in _coverage_overlays(cov, coverage_levels, ppm):
            folium.raster_layers.ImageOverlay(image=uri, bounds=bounds, opacity=0.45, name=html.escape(label),
                                              show=show, interactive=False, zindex=400).add_to(m)
            if show:
                shown.append((lvl, idx, colour))
        if shown:
            legend.append(("head", "", "Coverage by day, seen at least at"))
            legend += [("fill", colour, f"{lvl} ({_fmt(ppm.get(lvl, '?'))} px/m)") for lvl, _idx, colour in shown]

    # fields of view
    fov = layers.get("fov")
    if fov is not None and len(fov):
        pops = [_popup(f"Field of view: {r.get('name') or r.get('id')}",
                       [("level", r.get("level")), ("range m", r.get("range_m")), ("HFOV °", r.get("hfov_deg")),
                        ("azimuth °", r.get("azimuth_deg"))]) for r in _records(fov)]
        show_fov = len(fov) <= 5000 and cov is None
        _popup_layer(folium, _fc(fov, pops, "#8a8a8a", precision=1e-5), name="Fields of view (detection range)",
                     weight=0.5, fill_opacity=0.12, show=show_fov).add_to(m)

    # links, coloured by kind; an overloaded link in the load colour
    lk = layers.get("links")
    if lk is not None and len(lk):
        recs = _records(lk)
        pops = [_popup(f"Link {r.get('name') or r.get('id')}",
                       [("kind", r.get("kind")), ("from", r.get("from_id")), ("to", r.get("to_id")),
                        ("length m", r.get("length_m")), ("capacity Mb/s", r.get("capacity_mbps")),
                        ("design load Mb/s", r.get("design_mbps")), ("utilisation", r.get("utilisation")),
                        ("phase", r.get("phase"))]) for r in recs]
        over = [bool(r.get("overloaded")) is True for r in recs]
        cols = [palette.LINK_OVERLOADED if o else palette.LINK_MICROWAVE if r.get("kind") == "microwave"
                else palette.LINK_FIBRE for r, o in zip(recs, over, strict=True)]
        _popup_layer(folium, _fc(lk, pops, cols), name="Links", weight=3).add_to(m)
        legend.append(("head", "", "Network"))
        kinds = {str(r.get("kind")) for r in recs}
        legend += [("line", palette.LINK_FIBRE, "fibre link")] if "fibre" in kinds else []
        legend += [("line", palette.LINK_MICROWAVE, "microwave link")] if "microwave" in kinds else []
        legend += [("line", palette.LINK_OVERLOADED, "overloaded link")] if any(over) else []

    # priority sites, coloured by the best level they are seen at
    ps = layers.get("priority_sites")
    if ps is not None and len(ps):
        best = {str(x.get("name")): x for x in (priority_sites or [])}
        recs = _records(ps)
        cols, pops = [], []
        for r in recs:
            b = best.get(str(r.get("name")))
            best_lvl = b.get("best_level_day") if b else None
            cols.append(palette.level_colour(best_lvl) if best_lvl else palette.NOT_SEEN)
            pops.append(_popup(f"Priority site: {r.get('name')}",
                               [("kind", r.get("kind")),
                                ("best level, day", (best_lvl or "not seen") if b else None),
                                ("best level, night", (b.get("best_level_night") or "not seen") if b else None)]))
        _popup_layer(folium, _fc(ps, pops, cols), name=f"Priority sites ({len(ps)})", point_radius=6, weight=2,
                     fill_opacity=0.95).add_to(m)
        legend.append(("head", "", "Priority sites"))
        if best:
            n_seen = sum(1 for r in recs if (best.get(str(r.get("name"))) or {}).get("best_level_day"))
            legend += [("dot", palette.level_colour("detect"), f"seen ({n_seen}; colour = best level)"),
                       ("dot", palette.NOT_SEEN, f"not seen by any camera ({len(recs) - n_seen})")]
        else:
            legend.append(("dot", palette.NOT_SEEN, "priority site (coverage not computed)"))

    # cameras by phase
    cam_layers: list[str] = []
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        phases = sorted({str(p) for p in cams["phase"]})
        legend.append(("head", "", "Cameras by phase"))
        for ph in phases:
            part = cams[cams["phase"].astype(str) == ph]
            pops = [_popup(str(r.get("name") or r.get("id")),
                           [("id", r.get("id")), ("phase", r.get("phase")), ("status", r.get("status")),
                            ("type", r.get("camera_type")), ("height m", r.get("height_m")),
                            ("azimuth °", r.get("azimuth_deg")), ("tilt °", r.get("tilt_deg")),
                            ("connection", r.get("connection")), ("storage", r.get("storage_centre_id")),
                            ("radio site", r.get("radio_site_id")), ("recorded Mb/s", r.get("recorded_mbps")),
                            ("notes", r.get("notes"))]) for r in _records(part)]
            colour = palette.phase_colour(phases, ph)
            layer = _popup_layer(folium, _fc(part, pops, colour), name=f"Cameras, phase {ph or '(none)'} ({len(part)})",
                                 point_radius=3.0, weight=0.5, fill_opacity=0.9)
            layer.add_to(m)
            cam_layers.append(layer.get_name())
            legend.append(("dot", colour, f"phase {ph or '(none)'} ({len(part):,})"))
    node_rows = []
    for key, (colour, radius, label) in NODE_STYLE.items():
        g = layers.get(key)
        if g is None or not len(g):
            continue
        fields = [c for c in g.columns if c not in (g.geometry.name, "name")]
        pops = [_popup(str(r.get("name") or r.get("id")), [(f, r.get(f)) for f in fields]) for r in _records(g)]
        _popup_layer(folium, _fc(g, pops, colour), name=f"{label} ({len(g)})", point_radius=radius, weight=2,
                     fill_opacity=0.9).add_to(m)
        node_rows.append(("dot", colour, f"{label.lower()} ({len(g)})"))
    if node_rows:
        legend += [("head", "", "Centres and sites"), *node_rows]

    # district labels (above every symbol: Leaflet's marker pane is over the vector canvas)
    if d is not None and len(d):
        counts = d["level"].astype(str).value_counts() if "level" in d.columns else None
        # the coarsest level is labelled at every zoom, unless it has so many polygons (a planning grid)
        # that its labels would cover the opening view
        major = str(counts.idxmin()) if counts is not None and len(counts) and counts.min() <= MAJOR_LABELS_MAX else ""
        pts = gpd.GeoSeries(shapely.point_on_surface(d.geometry.values), crs=d.crs).to_crs(4326)
        group = folium.FeatureGroup(name="District labels", show=True)
        for name, lvl, pt in zip(d["name"].astype(str), d["level"].astype(str) if "level" in d.columns
                                 else [""] * len(d), pts, strict=True):
            cls = "pl-lbl pl-major" if lvl == major else "pl-lbl pl-minor"
            folium.Marker([pt.y, pt.x], icon=folium.DivIcon(html=f"<div class='{cls}'>{html.escape(name)}</div>",
                                                            icon_size=(0, 0), icon_anchor=(0, 0)),
                          interactive=False).add_to(group)
        group.add_to(m)
    _ZoomScript(cam_layers).add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    # the panel (left) and the layer list (right) sit beside the study area at the opening view
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding_top_left=(PANEL_W_PX + 20, 10),
                 padding_bottom_right=(LAYERS_W_PX + 20, 10))
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in summary)  # escaped
    note = f"<p class='pl-note'>{_esc(coverage_note)}</p>" if coverage_note else ""
    attr = f"<p class='pl-attr'>{_esc(attribution)}</p>" if attribution else ""
    box = (f"<div class='pl-box'><h3>{_esc(title)}</h3><table>{rows}</table>{_legend_html(legend)}{note}{attr}"
           "<p class='pl-attr'>Map drawn offline with Leaflet (BSD-2-Clause); no tiles, no network.</p></div>")
    root.html.add_child(folium.Element(box))
    root.header.add_child(folium.Element(f"<title>{_esc(title)}</title>"), name="planner_title")
    return m


#: Widths of the left panel (title, summary, legend) and of the layer list, in CSS pixels.
PANEL_W_PX = 300
LAYERS_W_PX = 290

_CSS = """<style>
.pl-box{position:fixed;left:10px;top:10px;bottom:60px;z-index:1000;background:rgba(255,255,255,.95);padding:6px 10px;
 border:1px solid #888;border-radius:4px;font:12px/1.35 'DejaVu Sans',Arial,sans-serif;width:280px;overflow-y:auto}
.pl-box h3{margin:2px 0 4px;font-size:14px}.pl-box th{text-align:left;padding-right:8px;font-weight:600}
.pl-note{color:#a52626;margin:4px 0}.pl-attr{color:#555;font-size:10px;margin:3px 0}
.pl-legend{margin:6px 0 2px;border-top:1px solid #ccc;padding-top:3px}
.pl-lh{font-weight:600;margin:5px 0 1px}.pl-lr{display:flex;align-items:center;gap:6px;margin:1px 0}
.pl-sw{display:inline-block;width:16px;height:11px;border:1px solid rgba(0,0,0,.35);flex:none}
.pl-dot{width:9px;height:9px;border-radius:50%;margin:0 4px}.pl-line{height:3px;border:0}
.pl-sq{width:9px;height:9px;margin:0 4px}.pl-sym{width:16px;text-align:center;flex:none}
.leaflet-top.leaflet-left{left:""" + str(PANEL_W_PX + 14) + """px}
.leaflet-control-layers{max-height:calc(100vh - 40px);overflow-y:auto;max-width:""" + str(LAYERS_W_PX) + """px;font-size:11px}
.pl-lbl{transform:translate(-50%,-50%);white-space:nowrap;font:600 11px 'DejaVu Sans',Arial,sans-serif;color:#222;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none;width:max-content}
.pl-minor{font-weight:400;font-size:9.5px;color:#444}.pl-minor-off .pl-minor{display:none}
.pl-labels-off .pl-lbl{display:none}.pl-small .pl-lbl{font-size:9px}
.pl-pop{font:12px/1.3 'DejaVu Sans',Arial,sans-serif}.pl-pop th{text-align:left;padding-right:6px;color:#444}
.leaflet-container{background:#f4f2ee}
</style>"""


def write_html_map(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *, title: str,
                   summary: Sequence[tuple[str, str]] = (), coverage_levels: Sequence[Mapping[str, Any]] | None = None,
                   coverage_note: str | None = None, attribution: str = "",
                   priority_sites: Sequence[Mapping[str, Any]] | None = None) -> Path:
    """Render the offline map and write it to ``path`` atomically."""
    m = build_map(layers, title=title, summary=summary, coverage_levels=coverage_levels,
                  coverage_note=coverage_note, attribution=attribution, priority_sites=priority_sites)
    text = m.get_root().render()
    bad = REMOTE_URL_RE.search(text)
    if bad:  # pragma: no cover - a folium update adding a CDN asset must not ship silently
        raise RuntimeError(f"the HTML map would load a remote resource near {text[bad.start():bad.start() + 80]!r}")
    return atomic_write_text(path, text)
