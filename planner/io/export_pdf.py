"""PDF report for a bid or an audit, drawn with matplotlib (``PdfPages``), no Qt.

The writer lays out a document prepared by :func:`planner.workflows.export.report_document`:
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
import shapely

from planner import style as palette
from planner.io.atomic import atomic_path

__all__ = ["write_pdf_report"]

PAGE_W, PAGE_H = 8.27, 11.69  # inches, A4
ML, MR, MT, MB = 0.8, 0.8, 0.85, 0.85
TEXT_W = PAGE_W - ML - MR
INK = "#1d2733"
ACCENT = "#1f4e79"
#: Stacked-bar colours of the CAPEX chart (groups of the bill of materials), not a map meaning.
GROUP_COLOURS = ("#1f4e79", "#4f81bd", "#9bbb59", "#f79646", "#8064a2", "#4bacc6", "#c0504d", "#7f7f7f")


def _lit(s: Any) -> str:
    """User text for a matplotlib artist that parses ``$...$`` as mathtext (legend labels, titles): literal."""
    return str(s).replace("$", r"\$")


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

    def __init__(self, pdf: Any, *, footer: str, dry: bool = False,
                 toc: Sequence[tuple[str, int]] = ()) -> None:
        self.pdf, self.footer = pdf, footer
        self.fig: Any = None
        self.page = 0
        self.y = MT
        #: A dry run lays the pages out (to number the table of contents) without drawing maps or charts.
        self.dry = dry
        #: ``(heading, page)`` of each h1, filled as the document is laid out; ``toc`` is the last run's.
        self.headings: list[tuple[str, int]] = []
        self.toc = list(toc)
        self.figures = 0

    # -- pages
    def new_page(self, *, footer: bool = True) -> None:
        # a bare Figure (no pyplot state machine): safe to build off the GUI thread
        from matplotlib.figure import Figure

        self.close_page()
        self.fig = Figure(figsize=(PAGE_W, PAGE_H))
        _canvas_class()(self.fig)
        self.page += 1
        self.y = MT
        if footer:
            self.fig.text(ML / PAGE_W, 0.45 / PAGE_H, self.footer, fontsize=7, color="#666666", parse_math=False)
            self.fig.text(1 - MR / PAGE_W, 0.45 / PAGE_H, f"page {self.page}", fontsize=7, color="#666666",
                          ha="right")
            self.fig.add_artist(_hline(0.62, ML, PAGE_W - MR, "#bbbbbb", 0.5))

    def close_page(self) -> None:
        if self.fig is not None:
            for ax in self.fig.axes:  # GeoPandas labels projected axes "Easting [metre]"; maps need none
                if ax.get_xlabel().startswith("Easting") or ax.get_ylabel().startswith("Northing"):
                    ax.set_xlabel("")
                    ax.set_ylabel("")
            if not self.dry:
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
        """Text at the cursor; literal unless ``math`` (a project name with ``$`` is not mathtext)."""
        self.fig.text(x / PAGE_W, 1 - self.y / PAGE_H, s, fontsize=size, weight=weight, color=color, ha=ha,
                      va="top", style=style, parse_math=math)

    def h1(self, s: str) -> None:
        self.need(0.9)
        self.headings.append((s, self.page))
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

        def wrap(cells: Sequence[Any], *, bold: bool = False) -> list[list[str]]:
            out = []
            for c, w in zip(cells, widths, strict=True):
                # DejaVu Sans averages about 0.55 em per character, bold 0.63 em, digits 0.64 em
                chars = max(4, int((w - 2 * pad) * 72 / (size * (0.66 if bold else 0.58))))
                out.append(textwrap.wrap(str(c), chars, break_on_hyphens=False) or [""])
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
                                  ha="left" if a == "l" else "right", parse_math=False)
                x += w
            self.y += h

        head = wrap(header, bold=True)
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

    def figure(self, height_in: float, draw: Callable[[Any], None], *, width_in: float = TEXT_W,
               x: float = ML) -> None:
        """A map or chart of ``height_in`` at the cursor, drawn by ``draw(ax)`` (skipped in a dry run)."""
        ax = self.axes(height_in, width_in=width_in, x=x)
        if not self.dry:
            draw(ax)
        self.space(height_in + 0.1)

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
            if not self.dry:
                draw(ax)
        self.space(cell_h + 0.1)

    def caption(self, s: str) -> None:
        self.para(s, size=8, color="#555555", style="italic")

    def fig_caption(self, s: str) -> None:
        """``Figure n. s``, numbered in order of appearance."""
        self.figures += 1
        self.caption(f"Figure {self.figures}. {s}")


def _canvas_class() -> type:
    """An Agg canvas whose ``draw_idle`` does nothing: GeoPandas calls it after every plot, and each call
    rendered the whole page (15 of the 45 s of the Marseille report)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class _Canvas(FigureCanvasAgg):
        def draw_idle(self, *args: Any, **kwargs: Any) -> None:
            pass

    return _Canvas


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
              streets: bool = True, extent: tuple[float, float, float, float] | None = None) -> None:
    area = layers["study_area"]
    minx, miny, maxx, maxy = extent if extent is not None else area.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny) if extent is None else 0.0
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


def _legend_below(ax: Any, handles: Sequence[Any], *, ncol: int = 3) -> None:
    """The legend under the map, outside the study area."""
    if handles:
        ax.legend(handles=list(handles), loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=min(ncol, len(handles)),
                  fontsize=6.5, frameon=False, handletextpad=0.4, columnspacing=1.2, borderaxespad=0.2)


def _centres(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], *, legend: list[Any]) -> None:
    from matplotlib.lines import Line2D

    for key, colour, marker, label in (("storage_centres", palette.STORAGE, "s", "storage centre"),
                                       ("command_centres", palette.COMMAND, "*", "command centre")):
        g = layers.get(key)
        if g is not None and len(g):
            ax.scatter(g.geometry.x, g.geometry.y, s=55 if marker == "*" else 30, c=colour, marker=marker,
                       edgecolors="white", linewidths=0.6, zorder=6)
            legend.append(Line2D([], [], color=colour, marker=marker, lw=0, label=palette.plural(len(g), label)))


def _map_overview(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        phases = sorted({str(p) for p in cams["phase"]})
        for ph in phases:
            part = cams[cams["phase"].astype(str) == ph]
            c = palette.phase_colour(phases, ph)
            ax.scatter(part.geometry.x, part.geometry.y, s=2.5, c=c, lw=0, zorder=4)
            legend.append(Line2D([], [], color=c, marker="o", lw=0, ms=4,
                                 label=_lit(f"cameras, phase {ph or '(none)'} ({len(part):,})")))
    sites = layers.get("radio_sites")
    if sites is not None and len(sites):
        ax.scatter(sites.geometry.x, sites.geometry.y, s=22, c=palette.RADIO, marker="^", zorder=5)
        legend.append(Line2D([], [], color=palette.RADIO, marker="^", lw=0, label=palette.plural(len(sites), "radio site")))
    _centres(ax, layers, legend=legend)
    _legend_below(ax, legend)


def _map_network(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    asg = layers.get("assignments")
    if asg is not None and len(asg):
        st = asg[asg["kind"] == "storage"]
        if len(st):
            st.plot(ax=ax, color="#9a9a9a", lw=0.15, alpha=0.6, zorder=3)
            legend.append(Line2D([], [], color="#9a9a9a", lw=1, label="camera → storage centre"))
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        ax.scatter(cams.geometry.x, cams.geometry.y, s=1.5, c="#555555", lw=0, zorder=4)
    lk = layers.get("links")
    if lk is not None and len(lk):
        for kind, colour, ls in (("fibre", palette.LINK_FIBRE, "-"), ("microwave", palette.LINK_MICROWAVE, "--")):
            part = lk[lk["kind"] == kind]
            if len(part):
                part.plot(ax=ax, color=colour, lw=1.6, ls=ls, zorder=5)
                legend.append(Line2D([], [], color=colour, lw=2, ls=ls,
                                     label=palette.plural(len(part), f"{kind} link")))
        if "overloaded" in lk.columns and lk["overloaded"].fillna(False).astype(bool).any():
            over = lk[lk["overloaded"].fillna(False).astype(bool)]
            over.plot(ax=ax, color=palette.LINK_OVERLOADED, lw=2.2, zorder=5)
            legend.append(Line2D([], [], color=palette.LINK_OVERLOADED, lw=2,
                                 label=palette.plural(len(over), "overloaded link")))
    _centres(ax, layers, legend=legend)
    _legend_below(ax, legend)


def _map_radio(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], dem: Any,
               sector_load: Mapping[tuple[str, int], float] | None = None) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, dem=dem)
    legend: list[Any] = []
    asg = layers.get("assignments")
    if asg is not None and len(asg):
        rd = asg[asg["kind"] == "radio"]
        if len(rd):
            rd.plot(ax=ax, color="#b9b9b9", lw=0.3, zorder=3)
            legend.append(Line2D([], [], color="#b9b9b9", lw=1, label="camera → serving site"))
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        wl = cams[cams["connection"] == "wireless"]
        unserved = wl[wl["unserved_reason"].astype(str) != ""] if "unserved_reason" in wl else wl.iloc[:0]
        ax.scatter(wl.geometry.x, wl.geometry.y, s=3, c="#444444", lw=0, zorder=4)
        legend.append(Line2D([], [], color="#444444", marker="o", lw=0, ms=3,
                             label=palette.plural(len(wl), "wireless camera")))
        if len(unserved):
            ax.scatter(unserved.geometry.x, unserved.geometry.y, s=10, c=palette.LOAD_FULL, marker="x", lw=0.8,
                       zorder=5)
            legend.append(Line2D([], [], color=palette.LOAD_FULL, marker="x", lw=0, label=f"unserved ({len(unserved)})"))
    sites = layers.get("radio_sites")
    loads = dict(sector_load or {})
    if sites is not None and len(sites):
        x0, x1 = ax.get_xlim()
        r = 0.025 * (x1 - x0)
        for rec, g in zip(sites.drop(columns=sites.geometry.name).to_dict("records"), sites.geometry, strict=True):
            for k, a in enumerate(x for x in str(rec.get("sector_azimuths_deg") or "").split(",") if x):
                t = math.radians(float(a))
                u = loads.get((str(rec.get("id")), k))
                ax.plot([g.x, g.x + r * math.sin(t)], [g.y, g.y + r * math.cos(t)], solid_capstyle="butt",
                        color=palette.RADIO if u is None else palette.load_colour(u), lw=0.7 if u is None else 1.6,
                        zorder=5)
        ax.scatter(sites.geometry.x, sites.geometry.y, s=26, c=palette.RADIO, marker="^", zorder=6)
        legend.append(Line2D([], [], color=palette.RADIO, marker="^", lw=0,
                             label=palette.plural(len(sites), "radio site") + " (ticks: sectors)"))
        if loads:
            legend += [Line2D([], [], color=c, lw=2, label=f"sector {text}") for _lo, c, text in palette.LOAD_STOPS]
    lk = layers.get("links")
    if lk is not None and len(lk):
        mw = lk[lk["kind"] == "microwave"]
        if len(mw):
            # dashed: a radio hop, and told apart from the amber of a busy sector
            mw.plot(ax=ax, color=palette.LINK_MICROWAVE, lw=1.2, ls="--", zorder=5)
            legend.append(Line2D([], [], color=palette.LINK_MICROWAVE, lw=1.6, ls="--", label="microwave hops"))
    _centres(ax, layers, legend=legend)
    _legend_below(ax, legend)


def _coverage_raster(cov: gpd.GeoDataFrame, period: str, extent: tuple[float, float, float, float], *,
                     levels: Sequence[Mapping[str, Any]] = (),
                     pixels: int = 900) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The best level seen in each pixel of ``extent`` (0: none), about ``pixels`` across.

    Every pixel a coverage cell touches takes its level (``all_touched``): at city scale a pixel is
    20-30 m, so cells of a few metres are enlarged to one pixel instead of vanishing.
    """
    from affine import Affine
    from rasterio.features import rasterize

    minx, miny, maxx, maxy = extent
    res = max(maxx - minx, maxy - miny) / pixels
    w, h = max(1, math.ceil((maxx - minx) / res)), max(1, math.ceil((maxy - miny) / res))
    part = cov[cov["period"] == period] if "period" in cov.columns else cov
    part = part[part.geometry.intersects(shapely.box(*extent))]
    arr = np.zeros((h, w), dtype=np.uint8)
    if len(part):
        rank = {str(lv["name"]): i + 1 for i, lv in enumerate(levels)}
        idx = (part["level"].astype(str).map(rank).fillna(0).astype(int).to_numpy() if rank
               else part["level_index"].astype(int).to_numpy())
        order = np.argsort(idx, kind="stable")  # finer levels burnt last, over wider ones
        arr = rasterize(zip(part.geometry.values[order], idx[order], strict=True), out_shape=(h, w),
                        transform=Affine(res, 0, minx, 0, -res, maxy), fill=0, all_touched=True, dtype="uint8")
    return arr, (minx, minx + w * res, maxy - h * res, maxy)


def _densest_window(r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[str, Any] | None:
    """The district of the finest level (e.g. a quartier, not an arrondissement) with the most area covered by
    day at the widest level, and a square window around it."""
    cov = r.get("coverage") or {}
    levels = [lv["name"] for lv in cov.get("levels") or []]
    d = layers.get("districts")
    if not levels or d is None or not len(d):
        return None
    rows = list(cov.get("districts") or [])
    counts: dict[str, int] = {}
    for x in rows:
        counts[str(x.get("level"))] = counts.get(str(x.get("level")), 0) + 1
    finest = max(counts, key=lambda k: counts[k]) if counts else None
    best = max((x for x in rows if str(x.get("level")) == finest),
               key=lambda x: (x.get("day_km2") or {}).get(levels[0], 0.0), default=None)
    if not best or not (best.get("day_km2") or {}).get(levels[0]):
        return None
    hit = d[d["name"].astype(str) == str(best.get("name"))]
    if not len(hit):
        return None
    minx, miny, maxx, maxy = hit.total_bounds
    half = max(maxx - minx, maxy - miny) / 2 * 1.15 + 100
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return str(best.get("name")), (cx - half, cy - half, cx + half, cy + half)


def _draw_coverage(ax: Any, cov: gpd.GeoDataFrame, levels: Sequence[Mapping[str, Any]], *,
                   only: int | None = None) -> None:
    """Coverage by day over the axes' extent: each pixel in the colour of its best level, or, with ``only``
    (a 1-based level rank), the area seen at least at that level in its colour."""
    from matplotlib.colors import ListedColormap

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    arr, ext = _coverage_raster(cov, "day", (x0, y0, x1, y1), levels=levels)
    n = max(len(levels), int(arr.max()) if arr.size else 0, 1)
    colours = [palette.level_colour(str(levels[i]["name"]) if i < len(levels) else None, i) for i in range(n)]
    if only is not None:
        arr = np.where(arr >= only, only, 0).astype(np.uint8)
    img = np.ma.masked_equal(arr, 0)
    ax.imshow(img, extent=ext, origin="upper", cmap=ListedColormap(colours), vmin=0.5, vmax=n + 0.5,
              interpolation="nearest", zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _map_coverage(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], levels: Sequence[Mapping[str, Any]],
                  title: str, *, only: int | None = None, window: tuple[float, float, float, float] | None = None,
                  mark: tuple[float, float, float, float] | None = None) -> None:
    from matplotlib.patches import Rectangle

    _base_map(ax, layers, districts=True, streets=window is not None, extent=window)
    _draw_coverage(ax, layers["coverage"], levels, only=only)
    if mark is not None:
        ax.add_patch(Rectangle((mark[0], mark[1]), mark[2] - mark[0], mark[3] - mark[1], fill=False,
                               ec="#222222", lw=0.8, ls="--", zorder=8))
    ax.set_title(_lit(title), fontsize=8)


def _map_fov(ax: Any, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    _base_map(ax, layers)
    fov = layers.get("fov")
    if fov is not None and len(fov):
        fov.plot(ax=ax, color="#ff8c0a", alpha=0.55, lw=0, zorder=3)


def _retention_chart(ax: Any, storage: Sequence[Mapping[str, Any]], *, target_days: float,
                     legal: Mapping[str, Any] | None = None) -> None:
    """Days of retention per storage centre (bars to scale), with the target and the legal limits as lines."""
    names = [_lit(s["name"]) for s in storage]
    days = [float(s["retention_days"]) if s.get("retention_days") is not None and
            math.isfinite(float(s["retention_days"])) else 0.0 for s in storage]
    y = np.arange(len(storage))[::-1]
    colours = [palette.LOAD_OK if d >= target_days else palette.LOAD_FULL for d in days]
    ax.barh(y, days, height=0.55, color=colours, zorder=2)
    for yy, d in zip(y, days, strict=True):
        ax.text(d, yy, f" {d:,.1f} d", va="center", ha="left", fontsize=7, parse_math=False)
    ax.axvline(target_days, color=INK, lw=1.2, ls="--", zorder=3, label=f"target {target_days:g} days")
    top = max([target_days, *days])
    for key, text in (("max_days", "legal maximum"), ("min_days", "legal minimum")):
        v = (legal or {}).get(key)
        if v is not None:
            ax.axvline(float(v), color=ACCENT, lw=1.2, zorder=3, label=f"{text} {float(v):g} days")
            top = max(top, float(v))
    ax.set_xlim(0, top * 1.15)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlabel("days of recordings kept (usable capacity)", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    # above the bars, right-aligned: clear of the axis label whatever the chart's height
    ax.legend(fontsize=6.5, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False,
              borderaxespad=0.1)
    for sp in ("top", "right"):
        ax.spines[sp].set_visible(False)


# ------------------------------------------------------------------ sections
def _counts_text(cnt: Mapping[str, int]) -> str:
    return ", ".join(palette.plural(n, k.replace("_", " ")) for k, n in cnt.items() if n)


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
        ("Study area", f"{r['area_km2']:,.1f} km², {palette.plural(r['districts'], 'district')}; "
                       f"coordinates {r['crs']}"),
        ("Deployment", f"{palette.plural(c['camera'], 'camera')}, {palette.plural(c['radio_site'], 'radio site')}, "
                       f"{palette.plural(c['storage_centre'], 'storage centre')}, "
                       f"{palette.plural(c['command_centre'], 'command centre')}; "
                       f"{palette.plural(r['links']['fibre'], 'fibre link')} and "
                       f"{palette.plural(r['links']['microwave'], 'microwave link')}"),
        ("Phases", "; ".join(f"{ph}: {_counts_text(cnt)}" for ph, cnt in r["phase_counts"].items()) or "none"),
        ("Investment (CAPEX)", "; ".join(f"{ph} {_money(bom['capex_by_phase'][ph], cur)}" for ph in phases)
         + f"; total {_money(bom['capex_total'], cur)}"),
        ("Running cost (OPEX)", f"{_money(bom['opex_per_year'][phases[-1]], cur) if phases else '–'} per year once "
                                "every phase is installed (staff excluded)"),
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


def _contents(doc: _Doc) -> None:
    """The table of contents: one page, numbered from the dry run's headings."""
    doc.new_page()
    doc.h1("Contents")
    for title, page in doc.toc:
        if title == "Contents":
            continue
        doc.need(0.3)
        doc.text(title, size=10.5)
        doc.text(str(page), x=PAGE_W - MR, size=10.5, ha="right")
        doc.fig.add_artist(_hline(doc.y + 0.13, ML + 0.1 + 0.075 * len(title), PAGE_W - MR - 0.3, "#c8c8c8", 0.5))
        doc.space(0.3)


def _priority(r: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """``(seen, not_seen)`` priority sites by day (from the coverage result)."""
    sites = list((r.get("coverage") or {}).get("priority_sites") or [])
    return [s for s in sites if s.get("best_level_day")], [s for s in sites if not s.get("best_level_day")]


def _verb(n: int, noun: str, one: str, many: str) -> str:
    """``"1 centre falls"``, ``"3 centres fall"``."""
    return f"{palette.plural(n, noun)} {one if n == 1 else many}"


def findings(r: Mapping[str, Any]) -> list[str]:
    """The executive summary's findings, one sentence each, from the report document."""
    out: list[str] = []
    cov = r.get("coverage") or {}
    levels = [lv["name"] for lv in cov.get("levels") or []]
    city = cov.get("city") or {}
    if levels and city:
        key = "detect" if "detect" in city else levels[0]
        v = city.get(key, {})
        out.append(f"Cameras see {_num(v.get('day_pct'), '{:.1f}')} % of the study area at least at {key} level by "
                   f"day ({_num(v.get('day_km2'), '{:,.1f}')} km²) and {_num(v.get('night_pct'), '{:.1f}')} % at "
                   "night.")
    elif not cov:
        note = str(r["coverage_note"])
        out.append(note[:1].upper() + note[1:] + ".")
    o = r.get("optimise")
    if o:
        before, after = o.get("coverage_before"), o.get("coverage_after")
        out.append(f"The optimiser ({o.get('model')}) added {palette.plural(int(o.get('cameras_added') or 0), 'camera')} "
                   f"in phase {o.get('phase')}: the demand seen at least at {o.get('level')} level by "
                   f"{o.get('period')} goes from {_num(None if before is None else 100 * before, '{:.1f}')} % to "
                   f"{_num(None if after is None else 100 * after, '{:.1f}')} %; {optimality_text(o)}; see section 3b.")
    seen, unseen = _priority(r)
    if seen or unseen:
        n = len(seen) + len(unseen)
        out.append(f"{len(seen)} of {palette.plural(n, 'priority site')} are seen by day; "
                   f"{len(unseen)} {'is' if len(unseen) == 1 else 'are'} seen by no camera"
                   + (f" ({', '.join(str(s['name']) for s in unseen[:3])}"
                      + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "") + ")" if unseen else "")
                   + "; see section 3.")
    net = r.get("network") or {}
    target = r["parameters"]["retention_target_days"]
    legal = r.get("legal") or {}
    if net.get("storage"):
        days = [s["retention_days"] for s in net["storage"] if s.get("retention_days") is not None]
        if days:
            mn = min(days)
            law = []
            if legal.get("max_days") is not None:
                law.append(f"the legal maximum is {legal['max_days']:g} days")
            if legal.get("min_days") is not None:
                law.append(f"the legal minimum is {legal['min_days']:g} days")
            over = [s for s in net["storage"] if s.get("legal_status") in ("exceeds_maximum", "below_minimum")]
            out.append(f"The storage keeps {mn:,.1f} days of recordings at the least-provisioned centre against a "
                       f"target of {target:g} days" + (f"; {' and '.join(law)}" if law else "") + ". "
                       + ("Every centre reaches the target." if mn >= target else
                          _verb(sum(1 for d in days if d < target), "centre", "falls", "fall")
                          + " short of the target.")
                       + (" " + _verb(len(over), "centre", "breaches", "breach") + " the legal rule." if over else ""))
    t = net.get("totals") or {}
    if t.get("unserved_cameras"):
        out.append(f"{palette.plural(int(t['unserved_cameras']), 'wireless camera')} cannot be served by any radio "
                   "sector (section 4).")
    over_links = [lk for lk in net.get("links") or [] if lk.get("overloaded")]
    if over_links:
        out.append(f"{palette.plural(len(over_links), 'backbone link')} would be overloaded (section 5).")
    bom = r["bom"]
    cur = bom["currency"]
    if bom["phases"]:
        out.append(f"The investment is {_money(bom['capex_total'], cur)} over "
                   f"{palette.plural(len(bom['phases']), 'phase')}; running the whole system costs "
                   f"{_money(bom['opex_per_year'][bom['phases'][-1]], cur)} a year (staff excluded).")
    return out


def _section_summary(doc: _Doc, r: Mapping[str, Any]) -> None:
    doc.new_page()
    doc.h1("Executive summary")
    c = r["counts"]
    bom = r["bom"]
    cur = bom["currency"]
    cov = r.get("coverage") or {}
    city = cov.get("city") or {}
    net = r.get("network") or {}
    target = r["parameters"]["retention_target_days"]
    legal = r.get("legal") or {}
    rows: list[list[str]] = [
        ["Study area", f"{r['area_km2']:,.1f} km², {palette.plural(r['districts'], 'district')}"],
        ["Cameras", palette.plural(c["camera"], "camera") + (
            " (" + "; ".join(f"{ph}: {cnt.get('camera', 0):,}" for ph, cnt in r["phase_counts"].items()
                             if cnt.get("camera")) + ")" if len(r["phase_counts"]) > 1 else "")],
        ["Radio, storage, command", f"{palette.plural(c['radio_site'], 'radio site')}, "
                                    f"{palette.plural(c['storage_centre'], 'storage centre')}, "
                                    f"{palette.plural(c['command_centre'], 'command centre')}"],
    ]
    for lv in cov.get("levels") or []:
        v = city.get(lv["name"], {})
        rows.append([f"Coverage, at least {lv['name']}", f"day {_num(v.get('day_pct'), '{:.1f}')} % "
                     f"({_num(v.get('day_km2'), '{:,.2f}')} km²), night {_num(v.get('night_pct'), '{:.1f}')} %"])
    if not cov:
        rows.append(["Coverage", r["coverage_note"]])
    seen, unseen = _priority(r)
    if seen or unseen:
        rows.append(["Priority sites seen", f"{len(seen)} of {len(seen) + len(unseen)} by day; "
                                            f"{len(unseen)} not seen"])
    if net.get("storage"):
        mn = net["totals"].get("min_retention_days")
        law = ", ".join(x for x in (f"legal max {legal['max_days']:g} days" if legal.get("max_days") is not None
                                    else "", f"legal min {legal['min_days']:g} days"
                                    if legal.get("min_days") is not None else "") if x)
        rows.append(["Retention", f"{_num(mn, '{:.1f}')} days (target {target:g} days"
                                  + (f"; {law})" if law else ")")])
    rows.append(["Investment (CAPEX)", _money(bom["capex_total"], cur) + (
        " (" + "; ".join(f"{ph}: {_money(bom['capex_by_phase'][ph], cur)}" for ph in bom["phases"]) + ")"
        if len(bom["phases"]) > 1 else "")])
    if bom["phases"]:
        rows.append(["Running cost (OPEX)", f"{_money(bom['opex_per_year'][bom['phases'][-1]], cur)} per year"])
    doc.h2("Key figures")
    doc.table(["Figure", "Value"], rows, [1.6, 4.0], size=8.5)
    doc.h2("Findings")
    doc.bullets(findings(r), size=9)
    if net.get("storage"):
        doc.h2("Retention against the target and the law")
        h = 0.45 + 0.28 * len(net["storage"])
        doc.space(0.2)  # room for the legend above the bars
        doc.figure(h, lambda ax: _retention_chart(ax, net["storage"], target_days=target, legal=legal),
                   width_in=TEXT_W - 1.9, x=ML + 1.8)
        doc.space(0.45)
        doc.fig_caption("Days of recordings kept per storage centre (bars to scale), with the target"
                        + (" and the legal limits." if legal.get("max_days") is not None or
                           legal.get("min_days") is not None else "."))


def _section_area(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    doc.new_page()
    doc.h1("1. Study area and deployment")
    doc.para(f"The study area covers {r['area_km2']:,.1f} km² in {palette.plural(r['districts'], 'district')}. The "
             "map shows every planned node coloured by phase" + (", over a shaded relief of the terrain model"
                                                                 if dem is not None else "") + ".")
    doc.figure(5.9, lambda ax: _map_overview(ax, layers, dem))
    doc.space(0.35)
    doc.fig_caption(f"{r['title']}: study area, districts and nodes by phase. Coordinates {r['crs']}.")
    rows = []
    for ph, cnt in r["phase_counts"].items():
        rows.append([ph, cnt.get("camera", 0), cnt.get("radio_site", 0), cnt.get("storage_centre", 0),
                     cnt.get("command_centre", 0)])
    if rows:
        cum = np.cumsum(np.array([x[1:] for x in rows], dtype=int), axis=0)
        rows = [[*(f"{v:,}" if isinstance(v, int) else v for v in row), f"{int(cum[i][0]):,}"]
                for i, row in enumerate(rows)]
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
    from matplotlib.patches import Patch

    doc.section()
    doc.h1("3. Coverage")
    cov = r.get("coverage")
    if not cov or "coverage" not in layers:
        doc.para(f"Status: {r['coverage_note']}. The map below shows each camera's horizontal field of view out "
                 "to its detection range (25 px/m), without terrain or buildings: it is a drawing symbol, not a "
                 "coverage result.")
        if "fov" in layers:
            doc.figure(6.0, lambda ax: _map_fov(ax, layers))
            doc.fig_caption("Fields of view at detection range (no occlusion).")
        _priority_sites(doc, r, layers)
        return
    levels = cov.get("levels") or []
    city = cov.get("city") or {}
    doc.para("Coverage is the ground area where a camera sees a person with at least the pixel density of each "
             "detail level, in daylight and at night (infrared range), accounting for terrain and buildings "
             "where the project has them. An area seen at a finer level is also seen at every wider one: the "
             "figures and maps give the area seen at least at each level.")
    rows = [[lv["name"], f"{lv.get('ppm', 0):g}", _num(city.get(lv["name"], {}).get("day_km2"), "{:,.2f}"),
             _num(city.get(lv["name"], {}).get("day_pct"), "{:.2f} %"),
             _num(city.get(lv["name"], {}).get("night_km2"), "{:,.2f}"),
             _num(city.get(lv["name"], {}).get("night_pct"), "{:.2f} %")] for lv in levels]
    doc.table(["Seen at least at", "px/m", "Day km²", "Day % of area", "Night km²", "Night % of area"], rows,
              [1.3, 0.7, 1, 1.1, 1, 1.1], align="lrrrrr")
    dense = _densest_window(r, layers)
    window = dense[1] if dense else None
    handles = [Patch(color=palette.level_colour(lv["name"], i), label=f"{lv['name']} ({lv.get('ppm', 0):g} px/m)")
               for i, lv in enumerate(levels)]

    def city_map(ax: Any) -> None:
        _map_coverage(ax, layers, levels, "whole study area", mark=window)
        _legend_below(ax, handles, ncol=2)

    draws = [city_map]
    if dense:
        draws.append(lambda ax: _map_coverage(ax, layers, levels, f"zoom: {dense[0]}", window=window))
    doc.grid_maps(draws, cols=2, cell_h=3.9)
    doc.space(0.3)
    doc.fig_caption("Coverage by day, seen at least at each level (finer levels drawn over wider ones)"
                    + (f"; the dashed square is the district with the most coverage, {dense[0]}, enlarged on the "
                       "right." if dense else "."))

    def one(i: int, lv: Mapping[str, Any]) -> Callable[[Any], None]:
        def draw(ax: Any) -> None:
            _map_coverage(ax, layers, levels, only=i + 1, title=f"{lv['name']} ({lv.get('ppm', 0):g} px/m): "
                          f"{_num(city.get(lv['name'], {}).get('day_pct'), '{:.2f}')} % of the city", window=window)
        return draw

    doc.grid_maps([one(i, lv) for i, lv in enumerate(levels)], cols=3, cell_h=2.5)
    doc.fig_caption("Seen at least at each level, daytime" + (f", in {dense[0]}." if dense else "."))
    _priority_sites(doc, r, layers)
    dist = cov.get("districts") or []
    if dist:
        doc.h2("Coverage per district (daytime, % of district area seen at least at each level)")
        names = [lv["name"] for lv in levels][:5]
        rows = [[d.get("name", ""), _num(d.get("area_km2"), "{:,.2f}")]
                + [_num((d.get("day_pct") or {}).get(n), "{:.2f}") for n in names] for d in dist]
        doc.table(["District", "km²", *names], rows, [2.2, 0.7] + [0.8] * len(names), align="lr" + "r" * len(names),
                  size=7)
    notes = cov.get("approximation_notes") or []
    if notes:
        doc.h2("Approximations")
        doc.bullets([str(n) for n in notes], size=8.5)


def _priority_sites(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Priority sites: how many are seen, at which best level, and every site no camera sees."""
    ps = layers.get("priority_sites")
    seen, unseen = _priority(r)
    if ps is None or not len(ps):
        return
    doc.h2("Priority sites")
    if not seen and not unseen:
        doc.para(f"The project lists {palette.plural(len(ps), 'priority site')}; compute the coverage to see which "
                 "of them the cameras see.")
        return
    kinds = dict(zip(ps["name"].astype(str), ps["kind"].astype(str), strict=False)) if "kind" in ps.columns else {}
    levels = [lv["name"] for lv in (r.get("coverage") or {}).get("levels") or []]
    by_level = {lv: sum(1 for s in seen if s.get("best_level_day") == lv) for lv in levels}
    doc.para(f"{len(seen)} of {palette.plural(len(seen) + len(unseen), 'priority site')} are seen by day, by best "
             "level: " + ", ".join(f"{lv} {n}" for lv, n in by_level.items() if n) + ". "
             + (f"{palette.plural(len(unseen), 'site')} {'is' if len(unseen) == 1 else 'are'} seen by no camera:"
                if unseen else "Every priority site is seen."), size=9)
    if unseen:
        rows = [[str(s.get("name")), kinds.get(str(s.get("name")), ""), s.get("best_level_night") or "not seen"]
                for s in sorted(unseen, key=lambda s: str(s.get("name")))]
        doc.table(["Priority site not seen by day", "Kind", "At night"], rows, [3.6, 1.2, 1.0], size=7.5)


def _section_radio(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    net = r.get("network")
    if "radio_sites" not in layers:
        doc.h1("4. Radio access")
        doc.para("The project has no radio sites: every camera is connected by fibre.")
        return
    doc.section()
    doc.h1("4. Radio access")
    t = net["totals"] if net else {}
    doc.para(f"{palette.plural(r['counts']['radio_site'], 'radio site')} serve "
             f"{palette.plural(t.get('wireless_cameras', 0), 'wireless camera')}; "
             f"{t.get('unserved_cameras', 0):,} cannot be served"
             + (" (" + ", ".join(f"{v} {k}" for k, v in t.get("unserved_by_reason", {}).items()) + ")"
                if t.get("unserved_by_reason") else "") + ". Each camera is assigned to the sector with the best "
             "signal-to-interference ratio that still has uplink capacity within the planning load.")
    sector_load = {(str(s["site_id"]), int(s["sector"])): float(s["utilisation"])
                   for s in (net or {}).get("sectors") or []}
    doc.figure(5.3, lambda ax: _map_radio(ax, layers, dem, sector_load))
    doc.space(0.45)
    doc.fig_caption("Radio sites, sectors coloured by load, camera assignments and microwave hops.")
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
    doc.para(f"{palette.plural(t['cameras'], 'camera')} send {_num(t['uplink_peak_mbps'], '{:,.0f}')} Mb/s at peak and record "
             f"{_num(t['recorded_mbps'], '{:,.0f}')} Mb/s on average, i.e. {_num(t['daily_tb'])} TB written per day "
             "(before copies).")
    doc.figure(5.0, lambda ax: _map_network(ax, layers, dem))
    doc.space(0.35)
    doc.fig_caption("Backbone links, storage and command centres, and the storage centre of each camera.")
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
        h = 0.45 + 0.28 * len(net["storage"])
        doc.space(0.2)  # room for the legend above the bars
        doc.figure(h, lambda ax: _retention_chart(ax, net["storage"], target_days=target, legal=legal),
                   width_in=TEXT_W - 1.9, x=ML + 1.8)
        doc.space(0.45)
        doc.fig_caption("Days of recordings kept per storage centre (bars to scale), the target (dashed) and the "
                        "legal limits.")
        short = [s for s in net["storage"] if s["retention_days"] is not None and s["retention_days"] < target]
        if short:
            s = max(short, key=lambda s: s["capacity_needed_raw_tb"] - s["capacity_tb"])
            doc.para(f"Finding: {_verb(len(short), 'centre', 'keeps', 'keep')} less than the target. {s['name']} would need "
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
    def chart(ax: Any) -> None:
        bottom = np.zeros(len(phases))
        cmap = GROUP_COLOURS
        for gi, g in enumerate(groups):
            vals = np.array([sum(ln["amount"] for ln in bom["lines"] if ln["category"] == "capex"
                                 and ln["phase"] == ph and ln["group"] == g) for ph in phases])
            ax.bar(phases, vals / 1e6, bottom=bottom, color=cmap[gi % len(cmap)], label=_lit(g), width=0.5)
            bottom += vals / 1e6
        ax.plot(phases, [bom["capex_cumulative"][p] / 1e6 for p in phases], color="black", marker="o", lw=1,
                label="cumulative")
        ax.set_xticks(range(len(phases)), [_lit(p) for p in phases])  # phase names are text, not mathtext
        ax.set_ylabel(f"million {cur}", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(mt.FormatStrFormatter("%.1f"))
        # the legend sits right of the bars, inside the page (the axes leave it 1.7 inches)
        ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        for sp in ("top", "right"):
            ax.spines[sp].set_visible(False)

    if phases and bom["capex_total"] > 0:
        doc.figure(2.5, chart, width_in=TEXT_W - 2.2, x=ML + 0.5)
        doc.space(0.3)
        doc.fig_caption("CAPEX per phase by group, and the cumulative CAPEX.")
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


#: What the objective of each placement model counts (``planner optimise``).
OBJECTIVE_UNITS = {"max-coverage": "covered demand weight", "backup-coverage": "demand weight seen, counted up to "
                   "the backup depth", "min-cameras": "cameras", "min-cost": "cost of the cameras"}


def optimality_text(doc: Mapping[str, Any]) -> str:
    """``proven optimal`` only when the solver proved it (``optimal`` is true); else ``not proven optimal``."""
    if doc.get("optimal") is True:
        return "proven optimal"
    gap = doc.get("gap")
    return "not proven optimal" + (f" (gap {100 * float(gap):.2f} %)" if gap is not None else " (no bound)")


def _optimised_window(layers: Mapping[str, gpd.GeoDataFrame], phase: str,
                      districts: Sequence[str]) -> tuple[float, float, float, float] | None:
    """A square around the demand districts of the run, or around its cameras when it had none."""
    d = layers.get("districts")
    cams = layers.get("cameras")
    if districts and d is not None and len(d) and "name" in d.columns:
        part = d[d["name"].astype(str).isin([str(x) for x in districts])]
    elif cams is not None and len(cams):
        part = cams[cams["phase"].astype(str) == phase]
    else:
        return None
    if not len(part):
        return None
    minx, miny, maxx, maxy = part.total_bounds
    half = max(maxx - minx, maxy - miny) / 2 * 1.15 + 100
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - half, cy - half, cx + half, cy + half


def _map_optimised(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], phase: str,
                   window: tuple[float, float, float, float] | None = None) -> None:
    from matplotlib.lines import Line2D

    _base_map(ax, layers, extent=window)
    legend: list[Any] = []
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        new = cams["phase"].astype(str) == phase
        old, added = cams[~new], cams[new]
        if len(old):
            ax.scatter(old.geometry.x, old.geometry.y, s=6, c="#6f6f6f", lw=0, zorder=4)
            legend.append(Line2D([], [], color="#6f6f6f", marker="o", lw=0, ms=3,
                                 label=_lit(f"cameras before ({len(old):,})")))
        if len(added):
            ax.scatter(added.geometry.x, added.geometry.y, s=14, c=ACCENT, marker="D", edgecolors="white",
                       linewidths=0.4, zorder=5)
            legend.append(Line2D([], [], color=ACCENT, marker="D", lw=0, ms=4,
                                 label=_lit(f"placed by the optimiser, phase {phase} ({len(added):,})")))
    _legend_below(ax, legend, ncol=2)


def _pct(v: Any) -> str:
    """A share (0-1) as a percentage with one decimal, or a dash."""
    return "–" if v is None else f"{100 * float(v):.1f} %"


def _section_optimise(doc: _Doc, r: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """The placement run applied to the project: model, figures, proof status, before/after coverage."""
    o = r.get("optimise")
    if not o:
        return
    doc.section()
    doc.h1("3b. Optimised placement")
    model = str(o.get("model", ""))
    level, period = o.get("level") or "–", o.get("period") or "–"
    phase = str(o.get("phase") or "")
    added, proposed = o.get("cameras_added"), o.get("cameras_proposed")
    before, after = o.get("coverage_before"), o.get("coverage_after")
    districts = ", ".join(str(d) for d in o.get("districts") or []) or "the whole study area"
    doc.para(f"Cameras were placed by the optimiser (planner optimise, model {model}) over {districts}, for "
             f"the {level} level by {period}. Existing cameras were kept and their coverage counted first; the "
             "coverage below is the share of the demand weight (street samples or area cells) seen at that level. "
             "A solution is called optimal only when the solver proved it; otherwise the gap to the best bound "
             "is the most that a better placement could gain.")
    unit = OBJECTIVE_UNITS.get(model, "objective")
    gap = o.get("gap")
    cams = (f"{_num(added, '{:,}')} of {_num(proposed, '{:,}')} proposed" if proposed not in (None, added)
            else _num(added, "{:,}"))
    rows = [["Model", model],
            ["Level and period", f"{level} by {period}"],
            ["Demand", f"{o.get('demand') or '–'} in {districts}"],
            ["Cameras added", f"{cams}, in phase {phase}"],
            ["Objective", f"{_num(o.get('objective'), '{:,.6g}')} ({unit})"],
            ["Best bound", _num(o.get("bound"), "{:,.6g}") if o.get("bound") is not None else "no bound"],
            ["Gap", "–" if gap is None else f"{100 * float(gap):.2f} %"],
            ["Optimality", optimality_text(o)],
            ["Solver status", str(o.get("solver_status") or "–")],
            ["Coverage of the demand before", _pct(before)],
            ["Coverage of the demand after", _pct(after)],
            ["Candidate sites", _num(o.get("candidate_count"), "{:,}")],
            ["Run time", _num(o.get("time_s"), "{:,.1f} s")]]
    doc.table(["Figure", "Value"], rows, [1.8, 3.8], size=8.5)
    cams_layer = layers.get("cameras")
    if cams_layer is not None and len(cams_layer) and (cams_layer["phase"].astype(str) == phase).any():
        window = _optimised_window(layers, phase, [str(x) for x in o.get("districts") or []])
        doc.figure(4.2, lambda ax: _map_optimised(ax, layers, phase, window))
        doc.space(0.35)
        doc.fig_caption(f"Cameras placed by the optimiser (phase {phase}) and the cameras before them, over "
                        f"{districts}.")


def _layout(doc: _Doc, report: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame], dem: Any) -> None:
    _cover(doc, report)
    _contents(doc)
    _section_summary(doc, report)
    _section_area(doc, report, layers, dem)
    _section_assumptions(doc, report)
    _section_coverage(doc, report, layers)
    _section_optimise(doc, report, layers)
    _section_radio(doc, report, layers, dem)
    _section_network(doc, report, layers, dem)
    _section_legal(doc, report)
    _section_costs(doc, report)
    _section_method(doc, report)
    doc.close_page()


def write_pdf_report(path: str | os.PathLike[str], report: Mapping[str, Any],
                     layers: Mapping[str, gpd.GeoDataFrame], *, dem: Any = None) -> Path:
    """Lay out ``report`` (see :func:`planner.workflows.export.report_document`) into an A4 PDF at ``path``.

    The layout runs twice: a dry run (no map or chart drawn, nothing written) finds the page of every
    section for the table of contents, then the real run draws and writes the pages.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_pdf import PdfPages

    rc: Any = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "axes.titlesize": 8,
                          "pdf.compression": 6}
    footer = f"{report['title']} · deployment report · {report['generated']}"
    with matplotlib.rc_context(rc):
        dry = _Doc(None, footer=footer, dry=True)
        _layout(dry, report, layers, dem)
        with atomic_path(path) as tmp, PdfPages(tmp, metadata={
                "Title": f"{report['title']}: video-surveillance deployment report",
                "Subject": report["subtitle"], "Creator": "planner"}) as pdf:
            doc = _Doc(pdf, footer=footer, toc=dry.headings)
            _layout(doc, report, layers, dem)
            if doc.headings != dry.headings:  # pragma: no cover - the dry run lays out exactly as the real one
                raise RuntimeError("the table of contents does not match the pages")
    return Path(path)
