"""KML / KMZ for Google Earth: cameras, field-of-view wedges, radio sites, centres, links, coverage.

Coordinates are WGS 84 (KML 2.2). Built with :mod:`xml.etree.ElementTree`,
which escapes every text node; balloon descriptions are HTML in Google Earth,
so user text going into them is HTML-escaped first (a camera named
``<script>`` stays text). Every style uses ``$[description]`` as balloon
text so names are never inserted into a balloon as HTML. No icon or link
points to a server. KMZ is the same ``doc.kml`` in a zip archive.
"""

from __future__ import annotations

import html
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd

from planner import style as palette
from planner.io.atomic import atomic_path

__all__ = ["kml_colour", "kml_document", "write_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"



def kml_colour(colour: str, alpha: int = 255) -> str:
    """KML's ``aabbggrr`` for an ``#rrggbb`` colour of the shared palette."""
    h = colour.lstrip("#").lower()
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}"


#: Node and link styles, from the palette shared with the app's map, the PDF and the HTML.
_STYLES = {
    "camera": (kml_colour(palette.PHASE_COLOURS[0]), None, None),
    "radio_site": (kml_colour(palette.RADIO), None, None),
    "storage_centre": (kml_colour(palette.STORAGE), None, None),
    "command_centre": (kml_colour(palette.COMMAND), None, None),
    "fov": (None, "990a8cff", "4d0a8cff"),
    "link_fibre": (None, kml_colour(palette.LINK_FIBRE), None),
    "link_microwave": (None, kml_colour(palette.LINK_MICROWAVE), None),
    "area": (None, "ff333333", "00ffffff"),
    "district": (None, "99666666", "00ffffff"),
}
#: Coverage fill colours by level, widest to finest (the palette's ramp at 40 % opacity).
COVERAGE_COLOURS = tuple(kml_colour(palette.LEVEL_COLOURS[k], 0x66) for k in palette.COVERAGE_LEVELS)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _style(doc: ET.Element, sid: str, *, icon: str | None, line: str | None, poly: str | None) -> None:
    st = _sub(doc, "Style", id=sid)
    if icon:
        ist = _sub(st, "IconStyle")
        _sub(ist, "color", icon)
        _sub(ist, "scale", "0.6")
    if line:
        ls = _sub(st, "LineStyle")
        _sub(ls, "color", line)
        _sub(ls, "width", "2")
    if poly:
        ps = _sub(st, "PolyStyle")
        _sub(ps, "color", poly)
        if poly.startswith("00"):
            _sub(ps, "fill", "0")
    bs = _sub(st, "BalloonStyle")
    _sub(bs, "text", "$[description]")


def _coords(seq: Any) -> str:
    return " ".join(f"{x:.7f},{y:.7f},0" for x, y, *_ in seq)


def _geometry(parent: ET.Element, geom: Any) -> None:
    gt = geom.geom_type
    if gt == "Point":
        p = _sub(parent, "Point")
        _sub(p, "coordinates", _coords([(geom.x, geom.y)]))
    elif gt == "LineString":
        ls = _sub(parent, "LineString")
        _sub(ls, "tessellate", "1")
        _sub(ls, "coordinates", _coords(geom.coords))
    elif gt == "Polygon":
        pg = _sub(parent, "Polygon")
        _sub(pg, "tessellate", "1")
        ob = _sub(_sub(pg, "outerBoundaryIs"), "LinearRing")
        _sub(ob, "coordinates", _coords(geom.exterior.coords))
        for ring in geom.interiors:
            ib = _sub(_sub(pg, "innerBoundaryIs"), "LinearRing")
            _sub(ib, "coordinates", _coords(ring.coords))
    elif gt.startswith("Multi") or gt == "GeometryCollection":
        mg = _sub(parent, "MultiGeometry")
        for g in geom.geoms:
            if not g.is_empty:
                _geometry(mg, g)


def _description(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """Balloon HTML; every value is HTML-escaped here (ElementTree then XML-escapes the whole)."""
    cells = "".join(f"<tr><th align='left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in rows if v not in (None, ""))
    return f"<b>{html.escape(title)}</b><table>{cells}</table>"


def _placemark(folder: ET.Element, *, name: str, style: str, geom: Any, rows: Sequence[tuple[str, Any]],
               title: str | None = None) -> None:
    pm = _sub(folder, "Placemark")
    _sub(pm, "name", name)
    _sub(pm, "styleUrl", f"#{style}")
    _sub(pm, "description", _description(title or name, rows))
    ext = _sub(pm, "ExtendedData")
    for k, v in rows:
        if v in (None, ""):
            continue
        d = _sub(ext, "Data", name=str(k))
        _sub(d, "value", str(v))
    _geometry(pm, geom)


def _folder(parent: ET.Element, name: str, *, visible: bool = True) -> ET.Element:
    f = _sub(parent, "Folder")
    _sub(f, "name", name)
    if not visible:
        _sub(f, "visibility", "0")
    return f


_NODE_FIELDS = {
    "cameras": ("camera", ["id", "phase", "status", "camera_type", "height_m", "azimuth_deg", "tilt_deg",
                           "connection", "storage_centre_id", "radio_site_id", "notes"]),
    "radio_sites": ("radio_site", ["id", "phase", "status", "site_kind", "height_m", "freq_mhz", "sectors", "notes"]),
    "storage_centres": ("storage_centre", ["id", "phase", "status", "role", "capacity_tb", "retention_days",
                                           "legal_status", "notes"]),
    "command_centres": ("command_centre", ["id", "phase", "status", "operators", "video_wall_tiles", "multicast",
                                           "notes"]),
}
_TITLES = {"cameras": "Cameras", "radio_sites": "Radio sites", "storage_centres": "Storage centres",
           "command_centres": "Command centres"}


def _rows(rec: Mapping[str, Any], fields: Sequence[str]) -> list[tuple[str, Any]]:
    out = []
    for f in fields:
        v = rec.get(f)
        if isinstance(v, float):
            v = f"{v:.6g}"
        out.append((f, v))
    return out


def kml_document(layers: Mapping[str, gpd.GeoDataFrame], *, name: str, description: str = "",
                 coverage_note: str = "") -> ET.Element:
    """The KML tree of ``layers`` (any CRS; converted to WGS 84)."""
    ET.register_namespace("", KML_NS)
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", name)
    if description:
        _sub(doc, "description", html.escape(description))
    for sid, (icon, line, poly) in _STYLES.items():
        _style(doc, sid, icon=icon, line=line, poly=poly)
    for i, col in enumerate(COVERAGE_COLOURS):
        _style(doc, f"coverage{i}", icon=None, line="00ffffff", poly=col)

    def wgs(key: str) -> gpd.GeoDataFrame | None:
        g = layers.get(key)
        return None if g is None or len(g) == 0 else g.to_crs(4326)

    area = _folder(doc, "Study area and districts")
    for key, style in (("study_area", "area"), ("districts", "district")):
        g = wgs(key)
        if g is None:
            continue
        for rec, geom in zip(g.drop(columns=g.geometry.name).to_dict("records"), g.geometry, strict=True):
            nm = str(rec.get("name") or key)
            _placemark(area, name=nm, style=style, geom=geom, rows=_rows(rec, ["code", "level"]))
    for key, (style, fields) in _NODE_FIELDS.items():
        g = wgs(key)
        if g is None:
            continue
        folder = _folder(doc, _TITLES[key])
        sub: dict[str, ET.Element] = {}
        for rec, geom in zip(g.drop(columns=g.geometry.name).to_dict("records"), g.geometry, strict=True):
            ph = str(rec.get("phase") or "")
            parent = folder
            if key == "cameras":
                if ph not in sub:
                    sub[ph] = _folder(folder, f"Phase {ph}" if ph else "No phase")
                parent = sub[ph]
            nm = str(rec.get("name") or rec.get("id"))
            _placemark(parent, name=nm, style=style, geom=geom, rows=_rows(rec, fields))
    g = wgs("fov")
    if g is not None:
        folder = _folder(doc, "Fields of view (detection range, no terrain)")
        for rec, geom in zip(g.drop(columns=g.geometry.name).to_dict("records"), g.geometry, strict=True):
            _placemark(folder, name=str(rec.get("name") or rec.get("id")), style="fov", geom=geom,
                       rows=_rows(rec, ["id", "level", "hfov_deg", "range_m", "azimuth_deg"]),
                       title=f"Field of view of {rec.get('name') or rec.get('id')}")
    g = wgs("links")
    if g is not None:
        folder = _folder(doc, "Links")
        for rec, geom in zip(g.drop(columns=g.geometry.name).to_dict("records"), g.geometry, strict=True):
            st = "link_microwave" if rec.get("kind") == "microwave" else "link_fibre"
            _placemark(folder, name=str(rec.get("name") or rec.get("id")), style=st, geom=geom,
                       rows=_rows(rec, ["id", "kind", "from_id", "to_id", "capacity_mbps", "design_mbps",
                                        "utilisation", "phase"]))
    folder = _folder(doc, "Coverage")
    g = wgs("coverage")
    note = coverage_note or ("coverage not computed" if g is None else "")
    if note:
        _sub(folder, "description", html.escape(note))
    if g is not None:
        for period in ("day", "night"):
            part = g[g["period"] == period] if "period" in g.columns else g
            if not len(part):
                continue
            pf = _folder(folder, f"Coverage, {period}", visible=(period == "day"))
            for rec, geom in zip(part.drop(columns=part.geometry.name).to_dict("records"), part.geometry,
                                 strict=True):
                lvl = str(rec.get("level"))
                # level_index is 1-based (monitor = 1); the palette's ramp is 0-based
                idx = (palette.COVERAGE_LEVELS.index(lvl) if lvl in palette.COVERAGE_LEVELS
                       else int(rec.get("level_index", 1) or 1) - 1)
                _placemark(pf, name=f"{rec.get('level')} ({period})",
                           style=f"coverage{min(max(idx, 0), len(COVERAGE_COLOURS) - 1)}", geom=geom,
                           rows=_rows(rec, ["level", "period"]))
    return root


def write_kml(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *, name: str,
              description: str = "", kmz: bool = False, coverage_note: str = "") -> Path:
    """Write KML (or KMZ when ``kmz``) to ``path`` atomically."""
    root = kml_document(layers, name=name, description=description, coverage_note=coverage_note)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with atomic_path(path) as tmp:
        if kmz:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("doc.kml", data)
        else:
            tmp.write_bytes(data)
    return Path(path)


