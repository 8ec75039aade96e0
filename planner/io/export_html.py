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

from planner.io.atomic import atomic_write_text
from planner.resources import resource_path

__all__ = ["REMOTE_URL_RE", "build_map", "offline_assets", "write_html_map"]

#: What the no-remote-URL test looks for: a ``src``/``href`` attribute pointing at http(s).
REMOTE_URL_RE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

PHASE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
COVERAGE_COLOURS = ("#fde0a0", "#fdb863", "#f08a3e", "#d6562b", "#a52626", "#6b1a33")
NODE_STYLE = {
    "radio_sites": ("#7b2cbf", 7, "Radio sites"),
    "storage_centres": ("#1b7a1f", 9, "Storage centres"),
    "command_centres": ("#c80c0c", 9, "Command centres"),
}


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
    return gdf.drop(columns=gdf.geometry.name).to_dict("records")


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
                super().__init__()
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


COVERAGE_MAX_PX = 3000
"""Longest side of a coverage overlay image; cells are at least :data:`COVERAGE_MIN_CELL_M` (Web Mercator m)."""
COVERAGE_MIN_CELL_M = 8.0


def _coverage_overlays(cov: gpd.GeoDataFrame, order: Mapping[str, int],
                       ppm: Mapping[str, Any]) -> list[tuple[str, str, bool, str, list[list[float]]]]:
    """``(layer name, colour, shown, PNG data URI, [[south, west], [north, east]])`` per period and level.

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
    out = []
    for period in ("day", "night"):
        part = merc[merc["period"] == period] if "period" in merc.columns else merc
        if not len(part):
            continue
        lv_idx: dict[str, int] = {}
        for name, li in zip(part["level"].astype(str), part.get("level_index", [0] * len(part)), strict=True):
            lv_idx.setdefault(name, int(li or 0))
        for lvl in sorted(lv_idx, key=lambda k: (order.get(k, lv_idx[k]), k)):
            geoms = part.geometry.values[(part["level"].astype(str) == lvl).to_numpy()]
            geoms = [g for g in geoms if g is not None and not g.is_empty]
            if not geoms:
                continue
            idx = order.get(lvl, lv_idx[lvl])
            colour = COVERAGE_COLOURS[min(idx, len(COVERAGE_COLOURS) - 1)]
            band = rasterize(((g, 1) for g in geoms), out_shape=(h, w), transform=tr, fill=0, dtype="uint8")
            img = Image.fromarray(band, mode="P")
            rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
            img.putpalette([0, 0, 0, *rgb])
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True, transparency=0, bits=1)
            uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
            out.append((f"Coverage {lvl} ({ppm.get(lvl, '?')} px/m), {period}", colour,
                        period == "day" and idx == 0, uri, bounds))
    return out


def build_map(layers: Mapping[str, gpd.GeoDataFrame], *, title: str,
              summary: Sequence[tuple[str, str]] = (), coverage_levels: Sequence[Mapping[str, Any]] | None = None,
              coverage_note: str | None = None, attribution: str = "") -> Any:
    """The folium Map (offline assets inlined)."""
    import folium

    area = layers["study_area"].to_crs(4326)
    minx, miny, maxx, maxy = area.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, tiles=None,
                   control_scale=True, prefer_canvas=True)
    m.default_js = []
    m.default_css = []
    css, js, icon_js = offline_assets()
    hdr = m.get_root().header
    hdr.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    hdr.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js_inline")
    hdr.add_child(folium.Element(f"<script>{icon_js}</script>"), name="leaflet_icon_inline")
    hdr.add_child(folium.Element(_CSS), name="planner_css")
    hdr.add_child(folium.Element(_POPUP_JS), name="planner_popup_js")

    # base: districts, streets, study area
    d = layers.get("districts")
    if d is not None and len(d):
        pops = [_popup(str(r.get("name") or ""), [("code", r.get("code")), ("level", r.get("level")),
                                                   ("area km²", r.get("area_km2"))]) for r in _records(d)]
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

    # coverage: one transparent PNG per period and level band (small at any city size, no visible loss at
    # city zoom), placed on Leaflet's Web Mercator grid; districts and the rest stay vectors
    cov = layers.get("coverage")
    if cov is not None and len(cov):
        order = {str(lv.get("name")): i for i, lv in enumerate(coverage_levels or [])}
        ppm = {str(lv.get("name")): lv.get("ppm") for lv in (coverage_levels or [])}
        for label, colour, show, uri, bounds in _coverage_overlays(cov, order, ppm):
            folium.raster_layers.ImageOverlay(image=uri, bounds=bounds, opacity=0.45, name=html.escape(label),
                                              show=show, interactive=False, zindex=400).add_to(m)

    # fields of view
    fov = layers.get("fov")
    if fov is not None and len(fov):
        pops = [_popup(f"Field of view: {r.get('name') or r.get('id')}",
                       [("level", r.get("level")), ("range m", r.get("range_m")), ("HFOV °", r.get("hfov_deg")),
                        ("azimuth °", r.get("azimuth_deg"))]) for r in _records(fov)]
        _popup_layer(folium, _fc(fov, pops, "#ff8c0a", precision=1e-5), name="Fields of view (detection range)", weight=0.5,
                     fill_opacity=0.18, show=len(fov) <= 5000).add_to(m)

    # links
    lk = layers.get("links")
    if lk is not None and len(lk):
        recs = _records(lk)
        pops = [_popup(f"Link {r.get('name') or r.get('id')}",
                       [("kind", r.get("kind")), ("from", r.get("from_id")), ("to", r.get("to_id")),
                        ("length m", r.get("length_m")), ("capacity Mb/s", r.get("capacity_mbps")),
                        ("design load Mb/s", r.get("design_mbps")), ("utilisation", r.get("utilisation")),
                        ("phase", r.get("phase"))]) for r in recs]
        cols = ["#e09e2d" if r.get("kind") == "microwave" else "#1e8ad0" for r in recs]
        _popup_layer(folium, _fc(lk, pops, cols), name="Links (fibre blue, microwave orange)", weight=3).add_to(m)

    # cameras by phase
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        phases = sorted({str(p) for p in cams["phase"]})
        for i, ph in enumerate(phases):
            part = cams[cams["phase"].astype(str) == ph]
            pops = [_popup(str(r.get("name") or r.get("id")),
                           [("id", r.get("id")), ("phase", r.get("phase")), ("status", r.get("status")),
                            ("type", r.get("camera_type")), ("height m", r.get("height_m")),
                            ("azimuth °", r.get("azimuth_deg")), ("tilt °", r.get("tilt_deg")),
                            ("connection", r.get("connection")), ("storage", r.get("storage_centre_id")),
                            ("radio site", r.get("radio_site_id")), ("recorded Mb/s", r.get("recorded_mbps")),
                            ("notes", r.get("notes"))]) for r in _records(part)]
            colour = PHASE_COLOURS[i % len(PHASE_COLOURS)]
            _popup_layer(folium, _fc(part, pops, colour), name=f"Cameras, phase {ph or '(none)'} ({len(part)})",
                         point_radius=3.5, weight=1, fill_opacity=0.85).add_to(m)
    for key, (colour, radius, label) in NODE_STYLE.items():
        g = layers.get(key)
        if g is None or not len(g):
            continue
        fields = [c for c in g.columns if c not in (g.geometry.name, "name")]
        pops = [_popup(str(r.get("name") or r.get("id")), [(f, r.get(f)) for f in fields]) for r in _records(g)]
        _popup_layer(folium, _fc(g, pops, colour), name=f"{label} ({len(g)})", point_radius=radius, weight=2,
                     fill_opacity=0.9).add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in summary)  # escaped
    note = f"<p class='pl-note'>{_esc(coverage_note)}</p>" if coverage_note else ""
    attr = f"<p class='pl-attr'>{_esc(attribution)}</p>" if attribution else ""
    box = (f"<div class='pl-box'><h3>{_esc(title)}</h3><table>{rows}</table>{note}{attr}"
           "<p class='pl-attr'>Map drawn offline with Leaflet (BSD-2-Clause); no tiles, no network.</p></div>")
    m.get_root().html.add_child(folium.Element(box))
    m.get_root().header.add_child(folium.Element(f"<title>{_esc(title)}</title>"), name="planner_title")
    return m


_CSS = """<style>
.pl-box{position:fixed;left:10px;bottom:52px;z-index:1000;background:rgba(255,255,255,.93);padding:6px 10px;
 border:1px solid #888;border-radius:4px;font:12px/1.35 'DejaVu Sans',Arial,sans-serif;max-width:340px}
.pl-box h3{margin:2px 0 4px;font-size:14px}.pl-box th{text-align:left;padding-right:8px;font-weight:600}
.pl-note{color:#a52626;margin:4px 0}.pl-attr{color:#555;font-size:10px;margin:3px 0}
.pl-pop{font:12px/1.3 'DejaVu Sans',Arial,sans-serif}.pl-pop th{text-align:left;padding-right:6px;color:#444}
.leaflet-container{background:#f4f2ee}
</style>"""


def write_html_map(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *, title: str,
                   summary: Sequence[tuple[str, str]] = (), coverage_levels: Sequence[Mapping[str, Any]] | None = None,
                   coverage_note: str | None = None, attribution: str = "") -> Path:
    """Render the offline map and write it to ``path`` atomically."""
    m = build_map(layers, title=title, summary=summary, coverage_levels=coverage_levels,
                  coverage_note=coverage_note, attribution=attribution)
    text = m.get_root().render()
    bad = REMOTE_URL_RE.search(text)
    if bad:  # pragma: no cover - a folium update adding a CDN asset must not ship silently
        raise RuntimeError(f"the HTML map would load a remote resource near {text[bad.start():bad.start() + 80]!r}")
    return atomic_write_text(path, text)
