"""PDF report for a bid or an audit, drawn with matplotlib (``PdfPages``), no Qt.

The writer lays out a document prepared by :func:`planner.exports.report_document`:
cover, study area, assumptions with sources, coverage per level and per
district (when computed), radio, network and storage sizing, retention and
the legal check, bill of materials and costs by phase with cumulative totals,
and a methodology section with the formulas. Fonts: DejaVu Sans shipped with
matplotlib, embedded as TrueType (``pdf.fonttype = 42``). A4 portrait.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from planner.io.atomic import atomic_path

__all__ = ["write_pdf_report"]

PAGE_W, PAGE_H = 8.27, 11.69  # inches, A4
ML, MR, MT, MB = 0.8, 0.8, 0.85, 0.85
TEXT_W = PAGE_W - ML - MR
INK = "#1d2733"
ACCENT = "#1f4e79"
PHASE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
COVERAGE_COLOURS = ("#fde0a0", "#fdb863", "#f08a3e", "#d6562b", "#a52626", "#6b1a33")


def _money(v: float | None, cur: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:,.0f}".replace(",", "\u202f") + (f" {cur}" if cur else "")


def _num(v: Any, fmt: str = "{:,.1f}") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, (int, float)):
        return fmt.format(v).replace(",", "\u202f")
    return str(v)


class _Doc:
    """A tiny flow layout over matplotlib figures: headings, paragraphs, tables, maps."""

    def __init__(self, pdf: Any, *, footer: str) -> None:
        self.pdf, self.footer = pdf, footer
        self.fig: Any = None
        self.page = 0
        self.y = MT

    # -- pages
    def new_page(self, *, footer: bool = True) -> None:
        # a bare Figure (no pyplot state machine): safe to build off the GUI thread
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.close_page()
        self.fig = Figure(figsize=(PAGE_W, PAGE_H))
        FigureCanvasAgg(self.fig)
        self.page += 1
        self.y = MT
        if footer:
            self.fig.text(ML / PAGE_W, 0.45 / PAGE_H, self.footer, fontsize=7, color="#666666")
            self.fig.text(1 - MR / PAGE_W, 0.45 / PAGE_H, f"page {self.page}", fontsize=7, color="#666666",
                          ha="right")
            self.fig.add_artist(_hline(0.62, ML, PAGE_W - MR, "#bbbbbb", 0.5))

    def close_page(self) -> None:
        if self.fig is not None:
            for ax in self.fig.axes:  # GeoPandas labels projected axes "Easting [metre]"; maps need none
                if ax.get_xlabel().startswith("Easting") or ax.get_ylabel().startswith("Northing"):
                    ax.set_xlabel("")
                    ax.set_ylabel("")
            self.pdf.savefig(self.fig)
            self.fig = None

    def section(self, *, min_free_in: float = 4.5) -> None:
        """Start a section: on a new page unless at least ``min_free_in`` inches remain on this one."""
        if self.fig is None or self.y > PAGE_H - MB - min_free_in:
            self.new_page()
        else:
            self.space(0.25)

    def need(self, h: float) -> None:
        if self.fig is None or self.y + h > PAGE_H - MB:
            self.new_page()

    def space(self, h: float) -> None:
        self.y += h

    # -- text
    def text(self, s: str, *, x: float = ML, size: float = 9.5, weight: str = "normal", color: str = INK,
             ha: str = "left", style: str = "normal", math: bool = False) -> None:
        """Literal text (a `$` in a project or district name stays a dollar sign); ``math`` for formulas."""
        self.fig.text(x / PAGE_W, 1 - self.y / PAGE_H, s, fontsize=size, weight=weight, color=color, ha=ha,
                      va="top", style=style, parse_math=math)

    def h1(self, s: str) -> None:
        self.need(0.9)
        self.space(0.1)
        self.text(s, size=15, weight="bold", color=ACCENT)
        self.space(0.3)
        self.fig.add_artist(_hline(self.y, ML, PAGE_W - MR, ACCENT, 1.0))
        self.space(0.15)

    def h2(self, s: str) -> None:
        self.need(0.6)
        self.space(0.08)
        self.text(s, size=11.5, weight="bold", color=ACCENT)
        self.space(0.3)

    def para(self, s: str, *, size: float = 9.5, width_in: float = TEXT_W, x: float = ML, color: str = INK,
             style: str = "normal") -> None:
        chars = max(20, int(width_in * 72 / (size * 0.56)))
        lh = size * 1.42 / 72
        for block in s.split("\n"):
            lines = textwrap.wrap(block, chars) or [""]
            if len(lines) <= 4:
                self.need(lh * len(lines))  # a short paragraph is never split across pages
            for ln in lines:
                self.need(lh)
                self.text(ln, x=x, size=size, color=color, style=style)
                self.space(lh)
        self.space(lh * 0.4)

    def bullets(self, items: Sequence[str], *, size: float = 9.5) -> None:
        chars = max(20, int((TEXT_W - 0.2) * 72 / (size * 0.56)))
        lh = size * 1.42 / 72
        for it in items:
            wrapped = textwrap.wrap(it, chars) or [""]
            if len(wrapped) <= 4:
                self.need(lh * len(wrapped))  # keep a bullet's lines together
            for i, ln in enumerate(wrapped):
                self.need(lh)
                if i == 0:
                    self.text("•", size=size)
                self.text(ln, x=ML + 0.2, size=size)
                self.space(lh)
        self.space(lh * 0.4)

    def formula(self, tex: str, note: str = "", *, size: float = 11) -> None:
        tall = any(k in tex for k in ("\\frac", "\\dfrac", "\\sum"))  # limits above and below the line
        self.need(0.42 + (0.25 if tall else 0.0))
        if tall:
            self.space(0.08)
        self.text(tex, x=ML + 0.25, size=size, math=True)
        self.space(size * 1.6 / 72 + (0.14 if tall else 0.0))
        if note:
            self.para(note, size=8.5, x=ML + 0.25, width_in=TEXT_W - 0.25, color="#444444")

    # -- tables
    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
              align: str | None = None, size: float = 8.0, bold_rows: Sequence[int] = (),
              shade_rows: Sequence[int] = ()) -> None:
        from matplotlib.patches import Rectangle

        total = sum(widths)
        widths = [w * TEXT_W / total for w in widths]
        align = align or "l" * len(header)
        lh = size * 1.35 / 72
        pad = 0.05

        def wrap(cells: Sequence[Any]) -> list[list[str]]:
            out = []
            for c, w in zip(cells, widths, strict=True):
                chars = max(4, int((w - 2 * pad) * 72 / (size * 0.56)))
                out.append(textwrap.wrap(str(c), chars) or [""])
            return out

        def draw_row(cells: list[list[str]], *, bold: bool, fill: str | None) -> None:
            n = max(len(c) for c in cells)
            h = n * lh + 0.06
            if fill:
                self.fig.add_artist(Rectangle((ML / PAGE_W, 1 - (self.y + h) / PAGE_H), TEXT_W / PAGE_W,
                                              h / PAGE_H, transform=self.fig.transFigure, color=fill, lw=0,
                                              zorder=0))
            x = ML
            for lines, w, a in zip(cells, widths, align, strict=True):
                for k, ln in enumerate(lines):
                    xx = x + pad if a == "l" else x + w - pad
                    self.fig.text(xx / PAGE_W, 1 - (self.y + 0.03 + k * lh) / PAGE_H, ln, fontsize=size,
                                  weight="bold" if bold else "normal", color=INK, va="top",
                                  ha="left" if a == "l" else "right")
                x += w
            self.y += h

        head = wrap(header)
        hh = max(len(c) for c in head) * lh + 0.06
        self.need(hh + lh * 2)
        draw_row(head, bold=True, fill="#dde6f0")
        wrapped = [wrap(r) for r in rows]
        heights = [max(len(c) for c in cells) * lh + 0.06 for cells in wrapped]
        for i, cells in enumerate(wrapped):
            h = heights[i]
            rest = sum(heights[i:])
            if 0 < i and len(rows) - i <= 3 and self.y + rest > PAGE_H - MB:
                # no widow rows: the last few rows go to the next page together
                self.new_page()
                draw_row(head, bold=True, fill="#dde6f0")
            elif self.y + h > PAGE_H - MB:
                self.new_page()
                draw_row(head, bold=True, fill="#dde6f0")
            fill = "#eef2e6" if i in shade_rows else ("#f5f7fa" if i % 2 else None)
            draw_row(cells, bold=i in bold_rows, fill=fill)
        self.fig.add_artist(_hline(self.y, ML, PAGE_W - MR, "#999999", 0.5))
        self.space(0.15)

    # -- figures
    def axes(self, height_in: float, *, width_in: float = TEXT_W, x: float = ML) -> Any:
        self.need(height_in)
        ax = self.fig.add_axes([x / PAGE_W, 1 - (self.y + height_in) / PAGE_H, width_in / PAGE_W,
                                height_in / PAGE_H])
        return ax

    def grid_maps(self, draws: Sequence[Callable[[Any], None]], *, cols: int = 2, cell_h: float = 3.2) -> None:
        """Small multiples: each cell is drawn at once, before a page break can close its figure."""
        gap = 0.2
        w = (TEXT_W - gap * (cols - 1)) / cols
        for i, draw in enumerate(draws):
            c = i % cols
            if c == 0:
                if i:
                    self.space(cell_h + 0.1)
                self.need(cell_h)
            ax = self.fig.add_axes([(ML + c * (w + gap)) / PAGE_W, 1 - (self.y + cell_h) / PAGE_H, w / PAGE_W,
                                    (cell_h - 0.25) / PAGE_H])
            draw(ax)
        self.space(cell_h + 0.1)

    def caption(self, s: str) -> None:
        self.para(s, size=8, color="#555555", style="italic")


def _hline(y_in: float, x0: float, x1: float, color: str, lw: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0 / PAGE_W, x1 / PAGE_W], [1 - y_in / PAGE_H] * 2, color=color, lw=lw)


# ------------------------------------------------------------------ maps
def _hillshade(dem: Any) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
    if dem is None:
        return None
    z = np.asarray(dem.array, dtype=float)
    if dem.nodata is not None:
        z = np.where(z == dem.nodata, np.nan, z)
    if z.size == 0 or not np.isfinite(z).any():
        return None
    step = max(1, int(max(z.shape) / 900))
    z = z[::step, ::step]
    rx, ry = dem.resolution_m
    gy, gx = np.gradient(np.nan_to_num(z, nan=float(np.nanmean(z))), ry * step, rx * step)
    slope = np.pi / 2 - np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, gy)
    az, alt = np.radians(315), np.radians(45)
    hs = np.sin(alt) * np.sin(slope) + np.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    b = dem.bounds
    return np.clip(hs, 0, 1), (b[0], b[2], b[1], b[3])


def _base_map(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], *, dem: Any = None, districts: bool = True,
              streets: bool = True) -> None:
    area = layers["study_area"]
    minx, miny, maxx, maxy = area.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    hs = _hillshade(dem)
    if hs is not None:
        ax.imshow(hs[0], extent=hs[1], cmap="Greys_r", alpha=0.35, origin="upper", zorder=0, vmin=0, vmax=1)
    d = layers.get("districts")
    if districts and d is not None and len(d):
        d.boundary.plot(ax=ax, color="#8a8a8a", lw=0.3, zorder=1)
    s = layers.get("streets") if streets else None
    if s is not None and len(s):
        s.plot(ax=ax, color="#c4c4c4", lw=0.25, zorder=1)
    area.boundary.plot(ax=ax, color="#222222", lw=0.9, zorder=2)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for sp in ax.spines.values():
        sp.set_color("#bbbbbb")
        sp.set_linewidth(0.5)
    _scale_bar(ax)


def _scale_bar(ax: Any) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = (x1 - x0) / 5
    nice = 10 ** math.floor(math.log10(span))
    for m in (5, 2, 1):
        if m * nice <= span:
            length = m * nice
            break
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([bx, bx + length], [by, by], color="black", lw=2, solid_capstyle="butt", zorder=10)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + 0.012 * (y1 - y0), label, ha="center", va="bottom", fontsize=6.5, zorder=10)
    ax.annotate("N", xy=(x1 - 0.05 * (x1 - x0), y1 - 0.05 * (y1 - y0)),
                xytext=(x1 - 0.05 * (x1 - x0), y1 - 0.13 * (y1 - y0)), ha="center", fontsize=7, weight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 0.8}, zorder=10)


def _centres(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], *, legend: list[Any]) -> None:
    from matplotlib.lines import Line2D

    for key, colour, marker, label in (("storage_centres", "#1b7a1f", "s", "storage centre"),
                                       ("command_centres", "#c80c0c", "*", "command centre")):
        g = layers.get(key)
        if g is not None and len(g):
            ax.scatter(g.geometry.x, g.geometry.y, s=55 if marker == "*" else 30, c=colour, marker=marker,
                       edgecolors="white", linewidths=0.6, zorder=6)
            legend.append(Line2D([], [], color=colour, marker=marker, lw=0, label=label))


def _map_overview(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        for i, ph in enumerate(sorted({str(p) for p in cams["phase"]})):
            part = cams[cams["phase"].astype(str) == ph]
            c = PHASE_COLOURS[i % len(PHASE_COLOURS)]
            ax.scatter(part.geometry.x, part.geometry.y, s=2.5, c=c, lw=0, zorder=4)
            legend.append(Line2D([], [], color=c, marker="o", lw=0, ms=4,
                                 label=f"cameras, phase {ph or '(none)'} ({len(part)})"))
    sites = layers.get("radio_sites")
    if sites is not None and len(sites):
        ax.scatter(sites.geometry.x, sites.geometry.y, s=22, c="#7b2cbf", marker="^", zorder=5)
        legend.append(Line2D([], [], color="#7b2cbf", marker="^", lw=0, label=f"radio sites ({len(sites)})"))
    _centres(ax, layers, legend=legend)
    if legend:
        ax.legend(handles=legend, loc="upper left", fontsize=6.5, frameon=True, framealpha=0.9)


def _map_network(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    asg = layers.get("assignments")
    if asg is not None and len(asg):
        st = asg[asg["kind"] == "storage"]
        if len(st):
            st.plot(ax=ax, color="#7fb77e", lw=0.15, alpha=0.6, zorder=3)
            legend.append(Line2D([], [], color="#7fb77e", lw=1, label="camera → storage centre"))
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        ax.scatter(cams.geometry.x, cams.geometry.y, s=1.5, c="#555555", lw=0, zorder=4)
    lk = layers.get("links")
    if lk is not None and len(lk):
        for kind, colour in (("fibre", "#1e8ad0"), ("microwave", "#e09e2d")):
            part = lk[lk["kind"] == kind]
            if len(part):
                part.plot(ax=ax, color=colour, lw=1.6, zorder=5)
                legend.append(Line2D([], [], color=colour, lw=2, label=f"{kind} links ({len(part)})"))
    _centres(ax, layers, legend=legend)
    if legend:
        ax.legend(handles=legend, loc="upper left", fontsize=6.5, frameon=True, framealpha=0.9)


def _map_radio(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    asg = layers.get("assignments")
    if asg is not None and len(asg):
        rd = asg[asg["kind"] == "radio"]
        if len(rd):
            rd.plot(ax=ax, color="#b48ad6", lw=0.3, zorder=3)
            legend.append(Line2D([], [], color="#b48ad6", lw=1, label="camera → serving site"))
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        wl = cams[cams["connection"] == "wireless"]
        unserved = wl[wl["unserved_reason"].astype(str) != ""] if "unserved_reason" in wl else wl.iloc[:0]
        ax.scatter(wl.geometry.x, wl.geometry.y, s=3, c="#444444", lw=0, zorder=4)
        legend.append(Line2D([], [], color="#444444", marker="o", lw=0, ms=3, label=f"wireless cameras ({len(wl)})"))
        if len(unserved):
            ax.scatter(unserved.geometry.x, unserved.geometry.y, s=10, c="red", marker="x", lw=0.8, zorder=5)
            legend.append(Line2D([], [], color="red", marker="x", lw=0, label=f"unserved ({len(unserved)})"))
    sites = layers.get("radio_sites")
    if sites is not None and len(sites):
        x0, x1 = ax.get_xlim()
        r = 0.025 * (x1 - x0)
        for rec, g in zip(sites.drop(columns=sites.geometry.name).to_dict("records"), sites.geometry, strict=True):
            for a in str(rec.get("sector_azimuths_deg") or "").split(","):
                if a:
                    t = math.radians(float(a))
                    ax.plot([g.x, g.x + r * math.sin(t)], [g.y, g.y + r * math.cos(t)], color="#7b2cbf", lw=0.7,
                            zorder=5)
        ax.scatter(sites.geometry.x, sites.geometry.y, s=26, c="#7b2cbf", marker="^", zorder=6)
        legend.append(Line2D([], [], color="#7b2cbf", marker="^", lw=0, label=f"radio sites with sectors ({len(sites)})"))
    lk = layers.get("links")
    if lk is not None and len(lk):
        mw = lk[lk["kind"] == "microwave"]
        if len(mw):
            mw.plot(ax=ax, color="#e09e2d", lw=1.2, zorder=5)
            legend.append(Line2D([], [], color="#e09e2d", lw=2, label="microwave hops"))
    _centres(ax, layers, legend=legend)
    ax.legend(handles=legend, loc="upper left", fontsize=6.5, frameon=True, framealpha=0.9)


def _map_coverage(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], level: str, idx: int, period: str,
                  title: str) -> None:
    _base_map(ax, layers, districts=True, streets=False)
    cov = layers["coverage"]
    part = cov[(cov["level"].astype(str) == level) & (cov["period"] == period)]
    if len(part):
        part.plot(ax=ax, color=COVERAGE_COLOURS[min(idx, len(COVERAGE_COLOURS) - 1)], alpha=0.85, lw=0, zorder=3)
    ax.set_title(title, fontsize=8)


def _map_fov(ax: Any, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    _base_map(ax, layers)
    fov = layers.get("fov")
    if fov is not None and len(fov):
        fov.plot(ax=ax, color="#ff8c0a", alpha=0.55, lw=0, zorder=3)


# ------------------------------------------------------------------ sections
def _cover(doc: _Doc, r: Mapping[str, Any]) -> None:
    from matplotlib.patches import Rectangle

    doc.new_page(footer=False)
    doc.fig.add_artist(Rectangle((0, 1 - 3.2 / PAGE_H), 1, 3.2 / PAGE_H, transform=doc.fig.transFigure,
                                 color=ACCENT, lw=0))
    doc.y = 1.0
    doc.text("VIDEO-SURVEILLANCE DEPLOYMENT REPORT", size=10, color="#cfe0f1", weight="bold")
    doc.y = 1.4
    doc.text(r["title"], size=28, weight="bold", color="white")
    doc.y = 2.15
    doc.text(r["subtitle"], size=12.5, color="white")
    doc.y = 2.6
    doc.text(f"Issued {r['generated']}", size=9.5, color="#cfe0f1")
    doc.y = 3.6
    doc.h2("Scope")
    c = r["counts"]
    bom = r["bom"]
    cur = bom["currency"]
    phases = bom["phases"]
    scope = [
        ("Jurisdiction", r["jurisdiction"] or "not set"),
        ("Study area", f"{r['area_km2']:,.1f} km², {r['districts']} districts; coordinates {r['crs']}"),
        ("Deployment", f"{c['camera']:,} cameras, {c['radio_site']} radio sites, {c['storage_centre']} storage "
                       f"centres, {c['command_centre']} command centres; {r['links']['fibre']} fibre and "
                       f"{r['links']['microwave']} microwave links"),
        ("Phases", ", ".join(f"{ph}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in cnt.items())
                            for ph, cnt in r["phase_counts"].items()) or "none"),
        ("Investment (CAPEX)", "; ".join(f"{ph} {_money(bom['capex_by_phase'][ph], cur)}" for ph in phases)
         + f"; total {_money(bom['capex_total'], cur)}"),
        ("Running cost (OPEX)", f"{_money(bom['opex_per_year'][phases[-1]], cur)} per year once every phase "
                                "is installed (staff excluded)"),
    ]
    net = r.get("network")
    if net and net["storage"]:
        mn = net["totals"].get("min_retention_days")
        scope.append(("Recording retention", f"{_num(mn, '{:.1f}')} days on usable capacity (target "
                                              f"{r['parameters']['retention_target_days']:g} days)"))
    scope.append(("Coverage", "computed, see section 3" if r.get("coverage") else r["coverage_note"]))
    doc.table(["Item", "Summary"], scope, [1.3, 4.2], size=9)
    if r.get("description"):
        doc.h2("Project description")
        doc.para(r["description"])
    doc.h2("About this document")
    doc.para("This report was produced by the planner from the project file. Every figure can be traced to the "
             "project's data, to a formula in the methodology section, or to a stated assumption with its "
             "source. Unit prices marked as assumptions are order-of-magnitude planning figures: replace them "
             "with quotations before relying on the costs.", size=9)
    if r.get("attribution"):
        doc.para("Data: " + r["attribution"], size=8, color="#555555")


def _section_area(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    doc.new_page()
    doc.h1("1. Study area and deployment")
    doc.para(f"The study area covers {r['area_km2']:,.1f} km² in {r['districts']} districts. The map shows every "
             "planned node coloured by phase" + (", over a shaded relief of the terrain model" if dem is not None
                                                 else "") + ".")
    ax = doc.axes(6.3)
    _map_overview(ax, layers, dem)
    doc.space(6.4)
    doc.caption(f"Figure 1. {r['title']}: study area, districts and nodes by phase. Coordinates {r['crs']}.")
    rows = []
    for ph, cnt in r["phase_counts"].items():
        rows.append([ph, cnt.get("camera", 0), cnt.get("radio_site", 0), cnt.get("storage_centre", 0),
                     cnt.get("command_centre", 0)])
    if rows:
        cum = np.cumsum(np.array([x[1:] for x in rows], dtype=int), axis=0)
        rows = [[*row, int(cum[i][0])] for i, row in enumerate(rows)]
        doc.table(["Phase", "Cameras", "Radio sites", "Storage centres", "Command centres", "Cameras (cumulative)"],
                  rows, [1.2, 1, 1, 1.2, 1.2, 1.4], align="lrrrrr")
    for n in r.get("metadata_notes", []):
        doc.para("Note: " + n, size=8.5, color="#555555")


def _section_assumptions(doc: _Doc, r: Mapping[str, Any]) -> None:
    doc.section()
    doc.h1("2. Assumptions and sources")
    doc.para("The analysis rests on the following assumptions. Each one names its source; change them in the "
             "project (parameters, camera streams, unit prices) and export again to see their effect.")
    doc.table(["Topic", "Assumption", "Source"],
              [[a["topic"], a["assumption"], a["source"]] for a in r["assumptions"]], [0.9, 2.6, 2.6], size=7.5)
    doc.h2("Unit prices")
    bom = r["bom"]
    used = {ln["item"].split(":")[0] if ln["item"].startswith(("disks:", "storage_server:", "fitout:", "seats:",
                                                               "wall:")) else ln["item"] for ln in bom["lines"]}
    rows = []
    for k, p in bom["prices"].items():
        if p["category"] == "parameter" and not k.startswith(("power_w", "pue", "electricity")):
            continue
        if k.startswith("camera:") and k not in used:
            continue
        if k.startswith("radio_site:") and k not in used:
            continue
        val = f"{p['value']:,.2f}".rstrip("0").rstrip(".") if p["value"] < 10 else f"{p['value']:,.0f}"
        rows.append([p["label"], f"{val.replace(',', ' ')} {'EUR' if p['category'] != 'parameter' else ''} / "
                     f"{p['unit']}".replace(" / ratio", "").replace("  ", " "),
                     ("ASSUMPTION. " if p["assumption"] else "") + p["source"]])
    doc.para(f"Prices in EUR excluding VAT; amounts in this report are in {bom['currency']}"
             + (f" at {bom['fx_per_eur']:g} {bom['currency']} per EUR." if bom["currency"] != "EUR" else ".")
             + " Figures marked ASSUMPTION are order-of-magnitude planning values, not quotations.", size=8.5)
    doc.table(["Item", "Price / value", "Source"], rows, [2.3, 1.2, 2.9], size=7)


def _section_coverage(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    doc.section()
    doc.h1("3. Coverage")
    cov = r.get("coverage")
    if not cov or "coverage" not in layers:
        doc.para(f"Status: {r['coverage_note']}. The map below shows each camera's horizontal field of view out "
                 "to its detection range (25 px/m), without terrain or buildings: it is a drawing symbol, not a "
                 "coverage result.")
        if "fov" in layers:
            ax = doc.axes(6.0)
            _map_fov(ax, layers)
            doc.space(6.1)
            doc.caption("Figure 2. Fields of view at detection range (no occlusion).")
        return
    levels = cov.get("levels") or []
    city = cov.get("city") or {}
    doc.para("Coverage is the ground area where a camera sees a person with at least the pixel density of each "
             "detail level, in daylight and at night (infrared range), accounting for terrain and buildings "
             "where the project has them.")
    rows = [[lv["name"], f"{lv.get('ppm', 0):g}", _num(city.get(lv["name"], {}).get("day_km2"), "{:,.2f}"),
             _num(city.get(lv["name"], {}).get("day_pct"), "{:.2f} %"),
             _num(city.get(lv["name"], {}).get("night_km2"), "{:,.2f}"),
             _num(city.get(lv["name"], {}).get("night_pct"), "{:.2f} %")] for lv in levels]
    doc.table(["Level", "px/m", "Day km²", "Day % of area", "Night km²", "Night % of area"], rows,
              [1.3, 0.7, 1, 1.1, 1, 1.1], align="lrrrrr")
    def draw(i: int, lv: Mapping[str, Any]) -> Callable[[Any], None]:
        return lambda ax: _map_coverage(ax, layers, str(lv["name"]), i, "day",
                                        f"{lv['name']} ({lv.get('ppm', 0):g} px/m), day: "
                                        f"{_num(city.get(lv['name'], {}).get('day_pct'), '{:.2f}')} %")

    doc.grid_maps([draw(i, lv) for i, lv in enumerate(levels)], cols=2, cell_h=3.3)
    doc.caption("Figure 2. Coverage per detail level, daytime.")
    dist = cov.get("districts") or []
    if dist:
        doc.h2("Coverage per district (daytime, % of district area)")
        names = [lv["name"] for lv in levels][:5]
        rows = [[d.get("name", ""), _num(d.get("area_km2"), "{:,.2f}")]
                + [_num((d.get("day_pct") or {}).get(n), "{:.2f}") for n in names] for d in dist]
        doc.table(["District", "km²", *names], rows, [2.2, 0.7] + [0.8] * len(names), align="lr" + "r" * len(names),
                  size=7)
    notes = cov.get("approximation_notes") or []
    if notes:
        doc.h2("Approximations")
        doc.bullets([str(n) for n in notes], size=8.5)


def _section_radio(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    net = r.get("network")
    if "radio_sites" not in layers:
        doc.h1("4. Radio access")
        doc.para("The project has no radio sites: every camera is connected by fibre.")
        return
    doc.section()
    doc.h1("4. Radio access")
    t = net["totals"] if net else {}
    doc.para(f"{r['counts']['radio_site']} radio sites serve {t.get('wireless_cameras', 0)} wireless cameras; "
             f"{t.get('unserved_cameras', 0)} cannot be served"
             + (" (" + ", ".join(f"{v} {k}" for k, v in t.get("unserved_by_reason", {}).items()) + ")"
                if t.get("unserved_by_reason") else "") + ". Each camera is assigned to the sector with the best "
             "signal-to-interference ratio that still has uplink capacity within the planning load.")
    ax = doc.axes(5.6)
    _map_radio(ax, layers, dem)
    doc.space(5.7)
    doc.caption("Figure 3. Radio sites, sector azimuths, camera assignments and microwave hops.")
    if net and net["sectors"]:
        secs = sorted(net["sectors"], key=lambda s: -s["utilisation"])
        loads = [s["utilisation"] for s in secs]
        doc.para(f"{len(secs)} sectors: mean load {100 * np.mean(loads):.0f} % of plannable capacity, highest "
                 f"{100 * max(loads):.0f} %, {t.get('full_sectors', 0)} full. The busiest sectors:", size=9)
        rows = [[s["site_id"], s["sector"], f"{s['azimuth_deg']:.0f}°", s["cameras"], _num(s["load_mbps"]),
                 _num(s["capacity_mbps"]), f"{100 * s['utilisation']:.0f} %"] for s in secs[:12]]
        doc.table(["Site", "Sector", "Azimuth", "Cameras", "Load Mb/s", "Capacity Mb/s", "Utilisation"], rows,
                  [1.2, 0.7, 0.8, 0.8, 1, 1.1, 1], align="lrrrrrr")


def _section_network(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    if doc.y > 2.5:
        doc.new_page()
    doc.h1("5. Network and storage sizing")
    net = r.get("network")
    if not net:
        doc.para("The project has no cameras yet: there is no traffic or storage to size.")
        return
    t = net["totals"]
    doc.para(f"{t['cameras']:,} cameras send {_num(t['uplink_peak_mbps'], '{:,.0f}')} Mb/s at peak and record "
             f"{_num(t['recorded_mbps'], '{:,.0f}')} Mb/s on average, i.e. {_num(t['daily_tb'])} TB written per day "
             "(before copies).")
    ax = doc.axes(5.2)
    _map_network(ax, layers, dem)
    doc.space(5.3)
    doc.caption("Figure 4. Backbone links, storage and command centres, and the storage centre of each camera.")
    if net["storage"]:
        doc.h2("Storage per centre")
        rows = [[s["name"], s["role"], s["cameras"], s["copied_cameras"], _num(s["daily_tb"], "{:,.2f}"),
                 _num(s["capacity_tb"], "{:,.0f}"), f"{100 * s['usable_fraction']:.1f} %",
                 _num(s["retention_days_raw"], "{:.2f}"), _num(s["retention_days"], "{:.2f}"),
                 _num(s["capacity_needed_raw_tb"], "{:,.0f}")] for s in net["storage"]]
        doc.table(["Centre", "Role", "Cams", "Copies", "TB/day", "Raw TB", "Usable", "Days raw", "Days usable",
                   "Raw TB for target"], rows, [1.9, 0.9, 0.55, 0.6, 0.65, 0.65, 0.65, 0.6, 0.7, 0.8],
                  align="llrrrrrrrr", size=7)
    if net["links"]:
        doc.h2("Backbone links")
        rows = [[lk["id"], lk["kind"], f"{lk['from_id']} → {lk['to_id']}", _num(lk["design_mbps"], "{:,.0f}"),
                 _num(lk["capacity_mbps"], "{:,.0f}"), f"{100 * lk['utilisation']:.0f} %",
                 ("OVERLOADED" if lk["overloaded"] else "ok")
                 + ("" if lk["fresnel_clear"] is None else (", Fresnel ok" if lk["fresnel_clear"] else
                                                            ", Fresnel blocked"))] for lk in net["links"]]
        doc.table(["Link", "Kind", "From → to", "Design Mb/s", "Capacity Mb/s", "Load", "Status"], rows,
                  [0.8, 0.8, 1.9, 0.9, 1, 0.6, 1.3], align="lllrrrl", size=7)
    if net["viewing"]:
        doc.h2("Live viewing")
        rows = [[v["name"], v["streams"], v["viewers"], "multicast" if v["multicast"] else "unicast",
                 _num(v["load_mbps"], "{:,.0f}"), _num(v["unicast_mbps"], "{:,.0f}")] for v in net["viewing"]]
        doc.table(["Centre", "Streams", "Viewers", "Mode", "Load Mb/s", "Unicast would be"], rows,
                  [2.4, 0.7, 0.7, 0.9, 0.9, 1.1], align="lrrlrr", size=7.5)
    if net["warnings"] or r.get("warnings"):
        doc.h2("Warnings")
        doc.bullets(list(dict.fromkeys([*net["warnings"], *r.get("warnings", [])]))[:20], size=8.5)


def _section_legal(doc: _Doc, r: Mapping[str, Any]) -> None:
    doc.h1("6. Retention and the legal check")
    net = r.get("network")
    legal = r.get("legal")
    target = r["parameters"]["retention_target_days"]
    if legal:
        lim = []
        if legal.get("max_days") is not None:
            lim.append(f"at most {legal['max_days']} days")
        if legal.get("min_days") is not None:
            lim.append(f"at least {legal['min_days']} days")
        doc.para(f"{legal.get('name', r['jurisdiction'])}: recordings must be kept {' and '.join(lim) or 'as the law sets'}. "
                 f"{legal.get('rule', '')}")
        doc.para("Source: " + legal.get("source", ""), size=8, color="#555555")
    else:
        doc.para(f"No legal retention rule is recorded for jurisdiction {r['jurisdiction'] or '(not set)'}; "
                 "the check below compares retention with the project's target only.")
    doc.para(f"The project's retention target is {target:g} days.")
    if net and net["storage"]:
        rows = [[s["name"], _num(s["retention_days"], "{:.1f}"), f"{target:g}",
                 s["legal_status"] or "–", s["legal_message"]] for s in net["storage"]]
        doc.table(["Centre", "Days usable", "Target", "Legal", "Finding"], rows, [1.8, 0.7, 0.6, 0.6, 3.0],
                  align="lrrll", size=7.5)
        short = [s for s in net["storage"] if s["retention_days"] is not None and s["retention_days"] < target]
        if short:
            s = max(short, key=lambda s: s["capacity_needed_raw_tb"] - s["capacity_tb"])
            doc.para(f"Finding: {len(short)} centre(s) keep less than the target. {s['name']} would need "
                     f"{_num(s['capacity_needed_raw_tb'], '{:,.0f}')} TB raw ({s['disks_needed']} disks) instead of "
                     f"{_num(s['capacity_tb'], '{:,.0f}')} TB, or a mean recorded bitrate of "
                     f"{_num(s['implied_bitrate_mbps_for_target'], '{:.2f}')} Mb/s per camera, to reach "
                     f"{target:g} days.", size=9.5)
        else:
            doc.para("Finding: every centre reaches the retention target.")


def _section_costs(doc: _Doc, r: Mapping[str, Any]) -> None:
    import matplotlib.ticker as mt

    doc.section()
    doc.h1("7. Bill of materials and costs by phase")
    bom = r["bom"]
    cur = bom["currency"]
    phases = bom["phases"]
    rows = [[ph, _money(bom["capex_by_phase"][ph], cur), _money(bom["capex_cumulative"][ph], cur),
             _money(bom["opex_per_year"][ph], cur)] for ph in phases]
    rows.append(["Total", _money(bom["capex_total"], cur), "", ""])
    doc.table(["Phase", "CAPEX of the phase", "Cumulative CAPEX", "OPEX per year after the phase"], rows,
              [1, 1.6, 1.6, 1.9], align="lrrr", size=9, bold_rows=[len(rows) - 1])
    groups = sorted({ln["group"] for ln in bom["lines"] if ln["category"] == "capex"})
    if phases and bom["capex_total"] > 0:
        ax = doc.axes(2.5, width_in=TEXT_W * 0.9, x=ML + 0.5)
        bottom = np.zeros(len(phases))
        cmap = ["#1f4e79", "#4f81bd", "#9bbb59", "#f79646", "#8064a2", "#4bacc6", "#c0504d", "#7f7f7f"]
        for gi, g in enumerate(groups):
            vals = np.array([sum(ln["amount"] for ln in bom["lines"] if ln["category"] == "capex"
                                 and ln["phase"] == ph and ln["group"] == g) for ph in phases])
            ax.bar(phases, vals / 1e6, bottom=bottom, color=cmap[gi % len(cmap)], label=g, width=0.5)
            bottom += vals / 1e6
        ax.plot(phases, [bom["capex_cumulative"][p] / 1e6 for p in phases], color="black", marker="o", lw=1,
                label="cumulative")
        ax.set_ylabel(f"million {cur}", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(mt.FormatStrFormatter("%.1f"))
        ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        for sp in ("top", "right"):
            ax.spines[sp].set_visible(False)
        doc.space(2.95)
        doc.caption("Figure 5. CAPEX per phase by group, and the cumulative CAPEX.")
    for ph in phases:
        lines = [ln for ln in bom["lines"] if ln["phase"] == ph and ln["category"] == "capex"]
        if not lines:
            continue
        doc.h2(f"Phase {ph}: investment")
        rows = [[ln["group"], ln["description"], _num(ln["quantity"], "{:,.1f}" if ln["quantity"] % 1 else "{:,.0f}"),
                 ln["unit"], _money(ln["unit_price"]), _money(ln["amount"])] for ln in lines]
        rows.append(["", f"CAPEX of phase {ph}", "", "", "", _money(bom["capex_by_phase"][ph], cur)])
        rows.append(["", f"Cumulative CAPEX after phase {ph}", "", "", "", _money(bom["capex_cumulative"][ph], cur)])
        doc.table(["Group", "Item", "Qty", "Unit", f"Unit price {cur}", f"Amount {cur}"], rows,
                  [0.9, 2.9, 0.6, 0.6, 0.9, 1.0], align="llrlrr", size=7,
                  bold_rows=[len(rows) - 2, len(rows) - 1])
        ol = [ln for ln in bom["lines"] if ln["phase"] == ph and ln["category"] == "opex"]
        if ol:
            doc.h2(f"Phase {ph}: running cost per year of everything installed")
            rows = [[ln["group"], ln["description"], _num(ln["quantity"], "{:,.0f}"), ln["unit"],
                     f"{ln['unit_price']:,.2f}" if ln["unit_price"] < 10 else _money(ln["unit_price"]),
                     _money(ln["amount"])] for ln in ol]
            rows.append(["", "OPEX per year", "", "", "", _money(bom["opex_per_year"][ph], cur)])
            doc.table(["Group", "Item", "Qty", "Unit", "Rate", f"{cur} / year"], rows,
                      [0.9, 2.9, 0.8, 0.9, 0.6, 0.9], align="llrlrr", size=7, bold_rows=[len(rows) - 1])
    if bom.get("notes"):
        doc.h2("Notes")
        doc.bullets(list(bom["notes"]), size=8.5)


def _section_method(doc: _Doc, r: Mapping[str, Any]) -> None:
    doc.section()
    doc.h1("8. Methodology")
    doc.h2("Video storage")
    doc.formula(r"$S_{\mathrm{day}}\,[\mathrm{TB}] = \sum_{\mathrm{cameras}} b\,[\mathrm{Mb/s}] \times 86\,400"
                r" / 8 / 10^{6} \times d$",
                "Bytes written per day by recorded streams of bitrate b (record plus alarm x duty cycle); "
                "storage for d days of retention = daily volume x d.")
    doc.formula(r"$C_{\mathrm{usable}} = C_{\mathrm{raw}} \times \eta_{\mathrm{RAID}} \times (1 - r_{\mathrm{FS}})"
                r" \times (1 - m_{\mathrm{growth}}),\quad \eta_{\mathrm{RAID6}} = (n-2)/n$",
                "RAID 6 in groups of n disks loses two disks per group; a file-system reserve and a growth margin "
                "are held back. Retention = usable capacity / TB written per day.")
    doc.h2("Pixel density and detail levels (DORI)")
    doc.formula(r"$r_{\max} = \dfrac{W}{2\,\mathrm{PPM}\,\tan(\mathrm{HFOV}/2)},\quad "
                r"\mathrm{HFOV} = 2\arctan\dfrac{w_{\mathrm{sensor}}}{2f}$",
                "W: horizontal pixels; PPM: required pixels per metre (IEC EN 62676-4: detection 25, observation "
                "62.5, recognition 125, identification 250); w_sensor: sensor width; f: focal length.")
    doc.h2("Radio")
    doc.para("Path loss by frequency: Okumura-Hata (150-1500 MHz, includes eLTE at 1.4 GHz), COST-231 Hata "
             "(1500-2000 MHz), 3GPP TR 38.901 UMa/UMi above; microwave hops checked for 60 % clearance of the "
             "first Fresnel zone over the terrain model:", size=9)
    doc.formula(r"$L_{\mathrm{Hata}} = 69.55 + 26.16\log_{10} f - 13.82\log_{10} h_b - a(h_m)"
                r" + (44.9 - 6.55\log_{10} h_b)\log_{10} d$",
                "f in MHz, base and mobile heights h_b, h_m in m, d in km.")
    doc.formula(r"$F_1 = 17.32\,\sqrt{d_1 d_2 / (f\,d)}$",
                "First Fresnel radius in m; d1, d2, d in km, f in GHz; microwave hops need 0.6 F1 clear.")
    doc.formula(r"$C_{\mathrm{sector}} = B \times \eta \times \ell_{\mathrm{plan}}$",
                "Plannable uplink capacity per sector: bandwidth x spectral efficiency x planning load.")
    doc.h2("Backhaul")
    doc.formula(r"$L_{\mathrm{design}} = L_{\mathrm{carried}} \times (1 + o) \times k_{\mathrm{peak}}$",
                "Traffic routed on shortest paths over the links; a link is overloaded above its utilisation "
                "limit (fibre 100 %, microwave 75 %). Multicast viewing carries one copy per distinct stream.")
    doc.h2("Costs")
    doc.formula(r"$\mathrm{CAPEX}_{p} = \sum_i q_{i,p}\,u_i,\quad \mathrm{CAPEX}_{\leq p} = \sum_{k \leq p}"
                r" \mathrm{CAPEX}_{k}$",
                "Quantities q of each phase p (nodes and links carry their phase) times unit prices u. Access fibre "
                "= minimum spanning tree over fibre cameras and centres x route factor, counted as the growth of "
                "the tree in each phase; poles = distinct camera positions.")
    doc.formula(r"$\mathrm{OPEX}_{\mathrm{year}} = \rho\,E + \sum_j n_j\,c_j + P\,[\mathrm{kW}] \times 8\,760"
                r" \times c_{\mathrm{kWh}}$",
                "Maintenance rate x equipment CAPEX, rentals and subscriptions per unit, and energy (centres x PUE), "
                "for everything installed after the phase.")
    doc.h2("Limits")
    doc.bullets(["Locations of storage and command centres may be indicative; see the project notes.",
                 "Costs are planning estimates; a bid needs quotations for each line.",
                 "Coverage, when computed, depends on the terrain and building data in the project; "
                 "without buildings it is an upper bound."], size=8.5)


def write_pdf_report(path: str | os.PathLike[str], report: Mapping[str, Any],
                     layers: Mapping[str, gpd.GeoDataFrame], *, dem: Any = None,
                     sections: Sequence[Callable[..., None]] | None = None) -> Path:
    """Lay out ``report`` (see :func:`planner.exports.report_document`) into an A4 PDF at ``path``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_pdf import PdfPages

    # all user text is literal: names with `$` never go through mathtext (only formulas ask for it)
    rc = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "axes.titlesize": 8, "pdf.compression": 6,
          "text.parse_math": False}
    with matplotlib.rc_context(rc), atomic_path(path) as tmp:
        with PdfPages(tmp, metadata={"Title": f"{report['title']}: video-surveillance deployment report",
                                     "Subject": report["subtitle"], "Creator": "planner"}) as pdf:
            doc = _Doc(pdf, footer=f"{report['title']} · deployment report · {report['generated']}")
            _cover(doc, report)
            _section_area(doc, report, layers, dem)
            _section_assumptions(doc, report)
            _section_coverage(doc, report, layers)
            _section_radio(doc, report, layers, dem)
            _section_network(doc, report, layers, dem)
            _section_legal(doc, report)
            _section_costs(doc, report)
            _section_method(doc, report)
            doc.close_page()
    return Path(path)
