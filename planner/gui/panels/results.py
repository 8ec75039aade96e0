"""The results dashboard: coverage, network, storage, warnings and cost, from ``project.results``.

Everything shown comes from the JSON documents the analyses store in
``project.results`` (``coverage``, ``network``), so a reopened project shows
the same dashboard. Clicking a warning or a row that names a node emits
``node_requested(id)``.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.analysis.costs import cost_by_phase
from planner.errors import PlannerError
from planner.gui.map import style
from planner.model.nodes import NodeKind
from planner.model.project import Project
from planner.model.results import ResultKind, document_of


class BarChart(QWidget):
    """A small horizontal bar chart drawn with QPainter (no matplotlib).

    Bars scale to ``max_value`` or to the largest of the values and targets; a bar's ``target`` (e.g.
    a retention target) is drawn as a dark tick across its row, and named in the title line.
    """

    def __init__(self, title: str = "", unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.unit = title, unit
        self.bars: list[tuple[str, float, QColor]] = []
        self.targets: list[float | None] = []
        self.target_label = ""
        self.max_value: float | None = None
        self.target: float | None = None
        self.setMinimumHeight(120)

    def set_bars(self, bars: list[tuple[str, float, QColor]], *, max_value: float | None = None,
                 targets: list[float | None] | None = None, target_label: str = "") -> None:
        self.bars = bars
        self.max_value = max_value
        self.targets = list(targets) if targets is not None else [None] * len(bars)
        self.target_label = target_label
        self.setMinimumHeight(34 + 22 * max(len(bars), 1))
        self.update()

    def scale_max(self) -> float:
        """The value drawn at full length."""
        if self.max_value:
            return self.max_value
        values = [v for _, v, _ in self.bars if math.isfinite(v)] + \
            [t for t in self.targets if t is not None and math.isfinite(t)]
        top = max(values, default=1.0)
        return top if top > 0 else 1.0

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        f = QFont(self.font())
        p.setFont(f)
        fm = QFontMetricsF(f)
        bold = QFont(f)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(QColor("#222222"))
        p.drawText(QPointF(8, 18), self.title)
        p.setFont(f)
        if not self.bars:
            p.setPen(QColor("#777777"))
            p.drawText(QPointF(8, 40), "No results yet.")
            return
        if self.target_label and any(t is not None for t in self.targets):
            tw = fm.horizontalAdvance(self.target_label)
            x = self.width() - tw - 8
            p.setPen(QPen(QColor("#222222"), 2))
            p.drawLine(QPointF(x - 10, 8), QPointF(x - 10, 20))
            p.drawText(QPointF(x, 18), self.target_label)
        label_w = max(fm.horizontalAdvance(b[0]) for b in self.bars) + 16
        vmax = self.scale_max()
        avail = max(self.width() - label_w - 90, 20)
        y = 28.0
        for (label, value, colour), target in zip(self.bars, self.targets, strict=True):
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(4, y, label_w - 8, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       label)
            w = avail * max(min(value / vmax, 1.0), 0.0) if math.isfinite(value) else 0
            p.setPen(QPen(colour.darker(130), 0.8))
            p.setBrush(colour)
            p.drawRect(QRectF(label_w, y + 2, w, 14))
            if target is not None and math.isfinite(target):
                tx = label_w + avail * max(min(target / vmax, 1.0), 0.0)
                p.setPen(QPen(QColor("#222222"), 2))
                p.drawLine(QPointF(tx, y), QPointF(tx, y + 18))
            p.setPen(QColor("#222222"))
            text = f"{value:,.1f}{self.unit}" if math.isfinite(value) else "–"
            p.drawText(QPointF(label_w + w + 6, y + 14), text)
            y += 22
        if self.target is not None and self.target > 0:
            x = label_w + avail * min(self.target / vmax, 1.0)
            p.setPen(QPen(QColor("#222222"), 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, 24), QPointF(x, y + 2))
            p.setPen(QColor("#222222"))
            p.drawText(QPointF(x + 4, y + 14), f"target {self.target:g}{self.unit}")
        p.end()


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.setSortingEnabled(True)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(21)
    # columns are fitted once per fill (_fill): ResizeToContents re-measures a whole column on every
    # setItem, which took 4 s to refill the 127-district coverage table
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the analysis' order until clicked
    return t


class _Num(QTableWidgetItem):
    def __init__(self, value: float | None, fmt: str = "{:,.1f}", *, text: str | None = None) -> None:
        ok = value is not None and isinstance(value, (int, float)) and math.isfinite(value)
        super().__init__(text if text is not None else fmt.format(value) if ok else "–")
        self.value = float(value) if ok else -math.inf  # type: ignore[arg-type]
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < getattr(other, "value", -math.inf)


def _fill(table: QTableWidget, rows: list[list[Any]], node_ids: list[str] | None = None) -> None:
    table.setSortingEnabled(False)
    table.setUpdatesEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            item = v if isinstance(v, QTableWidgetItem) else QTableWidgetItem("" if v is None else str(v))
            if node_ids is not None:
                item.setData(Qt.ItemDataRole.UserRole, node_ids[r])
            table.setItem(r, c, item)
    table.setSortingEnabled(True)
    table.resizeColumnsToContents()
    table.setUpdatesEnabled(True)


class ResultsPanel(QTabWidget):
    """Signals: ``node_requested(str id)``."""

    node_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # summary
        summary = QWidget()
        sl = QVBoxLayout(summary)
        self.headline = QLabel("Open a project and run the analyses (Analysis menu).")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        sl.addWidget(self.headline)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.cost_table = _table(["phase", "cameras", "CAPEX", "cumulative CAPEX", "OPEX / year", "largest items"])
        split.addWidget(self.cost_table)
        self.cost_chart = BarChart("Cost by phase", "")
        split.addWidget(self.cost_chart)
        sl.addWidget(split, 1)
        self.addTab(summary, "Summary")
        # coverage
        cov = QWidget()
        cl = QGridLayout(cov)
        self.city_table = _table(["level", "px/m", "day km²", "day %", "night km²", "night %"])
        self.city_chart = BarChart("City area covered by day, per detail level", " %")
        self.district_table = _table(["district", "code", "level", "area km²"])
        self.sites_table = _table(["priority site", "best level (day)", "best level (night)"])
        self.coverage_note = QLabel("")
        self.coverage_note.setWordWrap(True)
        self.coverage_note.setTextFormat(Qt.TextFormat.RichText)
        cl.addWidget(self.coverage_note, 0, 0, 1, 2)
        cl.addWidget(self.city_table, 1, 0)
        cl.addWidget(self.city_chart, 1, 1)
        cl.addWidget(self.district_table, 2, 0)
        cl.addWidget(self.sites_table, 2, 1)
        cl.setRowStretch(2, 1)
        self.addTab(cov, "Coverage")
        # network & storage
        net = QWidget()
        nl = QGridLayout(net)
        self.storage_table = _table(["storage centre", "role", "cameras", "copies", "TB/day", "capacity TB",
                                     "days (raw)", "days (usable)", "target days", "TB needed", "legal"])
        self.retention_chart = BarChart("Retention per centre (days, usable capacity)", " d")
        self.links_table = _table(["link", "kind", "from", "to", "design Mb/s", "capacity Mb/s", "use %", "status"])
        self.sectors_table = _table(["radio site", "sector", "azimuth°", "cameras", "load Mb/s", "capacity Mb/s",
                                     "use %"])
        self.unserved_table = _table(["unserved camera", "connection", "radio site", "reason"])
        self.network_note = QLabel("")
        self.network_note.setWordWrap(True)
        self.network_note.setTextFormat(Qt.TextFormat.RichText)
        nl.addWidget(self.network_note, 0, 0, 1, 2)
        nl.addWidget(self.storage_table, 1, 0)
        nl.addWidget(self.retention_chart, 1, 1)
        nl.addWidget(self.links_table, 2, 0)
        nl.addWidget(self.sectors_table, 2, 1)
        nl.addWidget(self.unserved_table, 3, 0, 1, 2)
        self.addTab(net, "Network && storage")
        # warnings
        self.warnings = QListWidget()
        self.warnings.itemClicked.connect(self._on_warning_clicked)
        self.warnings.itemActivated.connect(self._on_warning_clicked)
        self.addTab(self.warnings, "Warnings")
        # optimiser scenarios: every run of this session side by side, and the applied one
        opt = QWidget()
        ol = QGridLayout(opt)
        self.optimise_note = QLabel("No optimiser run yet (Analysis ▸ Optimise placement…).")
        self.optimise_note.setWordWrap(True)
        self.optimise_note.setTextFormat(Qt.TextFormat.RichText)
        self.scenario_table = _table(["run", "model", "level", "cameras", "objective", "coverage before",
                                      "coverage after", "gap", "optimal"])
        self.scenario_chart = BarChart("Coverage of the demand after each run", " %")
        ol.addWidget(self.optimise_note, 0, 0, 1, 2)
        ol.addWidget(self.scenario_table, 1, 0)
        ol.addWidget(self.scenario_chart, 1, 1)
        ol.setRowStretch(1, 1)
        ol.setColumnStretch(0, 3)
        ol.setColumnStretch(1, 2)
        self.scenario_chart.setMinimumWidth(260)
        self.optimise_tab = opt
        self._n_runs = 0  # optimiser runs shown (set_scenarios)
        self.addTab(opt, "Optimiser")
        for t in (self.storage_table, self.links_table, self.sectors_table, self.unserved_table):
            t.itemClicked.connect(self._on_row_clicked)
        self.currentChanged.connect(self._on_tab_changed)

    # -- optimiser scenarios
    def set_scenarios(self, runs: list[Any]) -> None:
        """The optimiser runs of the session (``placement.Placement``s), side by side: table and chart."""
        from planner.placement import run_cells

        rows: list[list[Any]] = []
        bars = []
        for i, pl in enumerate(runs):
            r = pl.result
            cells: list[Any] = list(run_cells(i, pl))
            # numeric columns sort by value
            for k, v in ((0, i + 1), (3, r.cameras), (4, r.objective), (5, 100 * r.coverage_before),
                         (6, 100 * r.coverage_after)):
                cells[k] = _Num(v, text=cells[k])
            rows.append(cells)
            bars.append((f"run {i + 1}: {r.cameras:,} cameras", 100 * r.coverage_after, style.PHASE_COLOURS[
                i % len(style.PHASE_COLOURS)]))
        _fill(self.scenario_table, rows)
        self.scenario_chart.set_bars(bars, max_value=100.0)
        self._n_runs = len(runs)
        project = getattr(self, "_project", None)
        if project is not None:
            self._refresh_optimise(project)

    def _refresh_optimise(self, project: Project) -> None:
        doc = document_of(project, ResultKind.OPTIMISE)
        parts = []
        n = self._n_runs
        if n:
            parts.append(f"{n} optimiser run(s) this session, side by side (accept one in Analysis ▸ Optimise "
                         "placement…).")
        if doc:
            parts.append(self._applied_text(doc))
        self.optimise_note.setText(" ".join(parts) or "No optimiser run yet (Analysis ▸ Optimise placement…).")

    @staticmethod
    def _applied_text(doc: dict[str, Any]) -> str:
        gap = doc.get("gap")
        return (
            f"Applied: {doc.get('model', '?')} added {doc.get('cameras_added', 0):,} camera(s) in phase "
            f"{doc.get('phase', '?')}; coverage of the demand {100 * float(doc.get('coverage_before') or 0):.1f} % "
            f"→ {100 * float(doc.get('coverage_after') or 0):.1f} %; "
            + ("proven optimal." if doc.get("optimal") is True else
               (f"not proven optimal (gap {100 * float(gap):.2f} %)." if isinstance(gap, (int, float))
                else "not proven optimal.")))

    # -- update
    def refresh(self, project: Project | None, *, cost: bool = True, shown: Any = None) -> None:
        """Show ``project``'s results; ``cost=False`` keeps the cost table (it depends on the nodes and
        parameters only, and takes about 70 ms on 2,000 cameras). ``shown``: the
        :class:`~planner.gui.controllers.analysis.Scope` of the phases the map shows (None: all), so
        results of other phases say so."""
        if project is None:
            return
        self._project = project
        self._shown = shown
        self._validation_stale = True
        if cost:
            self._refresh_cost(project)
        cov, net = self._docs(project)
        self._refresh_coverage(cov)
        self._refresh_network(net)
        self._refresh_warnings(project, cov, net)
        self._refresh_optimise(project)
        self.refresh_headline(project)

    @staticmethod
    def _docs(project: Project) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        return document_of(project, ResultKind.COVERAGE), document_of(project, ResultKind.NETWORK)

    def _phase_note(self, doc: dict[str, Any]) -> str:
        """"(phase 2016)" for a result of some phases, with a warning when the map shows others."""
        phases = list(doc.get("phases") or [])
        label = ("phases " if len(phases) > 1 else "phase ") + ", ".join(p or "(no phase)" for p in phases) \
            if phases else "all phases"
        shown = getattr(self, "_shown", None)
        shown_phases = list(shown.phases or []) if shown is not None else []
        if shown is not None and shown_phases != phases:
            return (f" ({label}; <span style='color:#b05a00'>the map shows {shown.label()}: run it again "
                    "to analyse those</span>)")
        return f" ({label})"

    def refresh_headline(self, project: Project) -> None:
        """The summary line: counts now, and the last results (the counts follow every edit)."""
        cov, net = self._docs(project)
        counts = project.count_by_kind()
        parts = [f"<b>{project.name}</b>: {counts['camera']:,} cameras, {counts['radio_site']} radio sites, "
                 f"{counts['storage_centre']} storage and {counts['command_centre']} command centres."]
        if cov and cov.get("city"):
            bits = [f"{name} {v.get('day_pct', 0):.1f} %" for name, v in cov["city"].items()]
            parts.append(f"Coverage by day{self._phase_note(cov)}: " + ", ".join(bits) + ".")
        else:
            parts.append("Coverage: not computed yet (Analysis ▸ Run coverage, F5).")
        if net:
            t = net.get("totals", {})
            md = t.get("min_retention_days")
            raws = [s.get("retention_days_raw") for s in net.get("storage", [])
                    if s.get("cameras") or s.get("copied_cameras")]
            raws = [r for r in raws if isinstance(r, (int, float)) and math.isfinite(r)]
            retention = (f"; shortest retention {md:.2f} days usable" if isinstance(md, (int, float)) else "") + \
                (f", {min(raws):.2f} days raw" if raws else "")
            parts.append(f"Network{self._phase_note(net)}: {t.get('cameras', 0):,} cameras, "
                         f"{t.get('uplink_peak_mbps', 0):,.0f} Mb/s peak uplink, "
                         f"{t.get('daily_tb', 0):,.1f} TB/day{retention}.")
            if t.get("flagged_storage"):
                parts.append(f"<span style='color:#b00020'>{t['flagged_storage']} storage centre(s) below the "
                             "retention target.</span>")
        else:
            parts.append("Network and storage: not computed yet (Analysis ▸ Run network & storage, F6).")
        self.headline.setText("<br>".join(parts))

    def refresh_cost(self, project: Project, rows: list[dict[str, Any]] | PlannerError | None = None) -> None:
        self._refresh_cost(project, rows)

    def _refresh_cost(self, project: Project, rows: list[dict[str, Any]] | PlannerError | None = None) -> None:
        """Fill the cost table and chart; ``rows`` from :func:`cost_by_phase` when computed elsewhere
        (the main window computes them off the GUI thread after edits), else computed here."""
        if rows is None:
            try:
                rows = cost_by_phase(project)
            except PlannerError as exc:  # e.g. malformed unit-price overrides in the project metadata
                rows = exc
        if isinstance(rows, PlannerError):
            self.cost_chart.title = f"Cost by phase: {rows}"
            rows = []
        cur = project.parameters.currency
        _fill(self.cost_table, [[r["phase"], _Num(r["cameras"], "{:,.0f}"), _Num(r["capex"], "{:,.0f}"),
                                 _Num(r["cumulative"], "{:,.0f}"), _Num(r["opex"], "{:,.0f}"), r["largest"]]
                                for r in rows])
        if rows:
            self.cost_chart.title = (f"CAPEX by phase ({cur}, excl. VAT; unit prices from the project or "
                                     "resources/unit_prices.json, many are assumptions)")
        self.cost_chart.set_bars([(r["phase"], r["capex"], style.phase_colour(project.phases(), r["phase"]
                                                                              if r["phase"] != "(none)" else ""))
                                  for r in rows])

    def _refresh_coverage(self, cov: dict[str, Any] | None) -> None:
        if not cov:
            self.coverage_note.setText("Coverage has not been computed: Analysis ▸ Run coverage.")
            _fill(self.city_table, [])
            _fill(self.district_table, [])
            _fill(self.sites_table, [])
            self.city_chart.set_bars([])
            return
        levels = [lv["name"] for lv in cov.get("levels", [])]
        ppm = {lv["name"]: lv.get("ppm") for lv in cov.get("levels", [])}
        city = cov.get("city", {})
        self.coverage_note.setText(f"Analysed{self._phase_note(cov)}. Share of the study area seen at each "
                                   "detail level or better (IEC 62676-4 pixel densities).")
        _fill(self.city_table, [[name, _Num(ppm.get(name), "{:g}"), _Num(city.get(name, {}).get("day_km2"), "{:,.2f}"),
                                 _Num(city.get(name, {}).get("day_pct")),
                                 _Num(city.get(name, {}).get("night_km2"), "{:,.2f}"),
                                 _Num(city.get(name, {}).get("night_pct"))] for name in levels])
        self.city_chart.set_bars([(name, float(city.get(name, {}).get("day_pct") or 0.0), style.level_colour(name, i))
                                  for i, name in enumerate(levels)], max_value=100.0)
        dists = cov.get("districts", [])
        headers = ["district", "code", "level", "area km²"] + [f"{n} %" for n in levels]
        self.district_table.setColumnCount(len(headers))
        self.district_table.setHorizontalHeaderLabels(headers)
        _fill(self.district_table, [[d.get("name"), d.get("code"), d.get("level"), _Num(d.get("area_km2"), "{:,.2f}")]
                                    + [_Num((d.get("day_pct") or {}).get(n)) for n in levels] for d in dists])
        _fill(self.sites_table, [[s.get("name"), s.get("best_level_day") or "none", s.get("best_level_night") or "none"]
                                 for s in cov.get("priority_sites", [])])

    def _refresh_network(self, net: dict[str, Any] | None) -> None:
        if not net:
            self.network_note.setText("Network and storage have not been computed: Analysis ▸ Run network & storage (F6).")
            for t in (self.storage_table, self.links_table, self.sectors_table, self.unserved_table):
                _fill(t, [])
            self.retention_chart.set_bars([])
            return
        t = net.get("totals", {})
        self.network_note.setText(
            f"Analysed{self._phase_note(net)}: {t.get('cameras', 0):,} cameras ({t.get('wireless_cameras', 0)} wireless, "
            f"{t.get('unserved_cameras', 0)} unserved); {t.get('uplink_peak_mbps', 0):,.0f} Mb/s peak uplink, "
            f"{t.get('recorded_mbps', 0):,.0f} Mb/s recorded, {t.get('daily_tb', 0):,.1f} TB per day.")
        st = net.get("storage", [])
        _fill(self.storage_table, [[s["name"] or s["id"], s["role"], _Num(s["cameras"], "{:,.0f}"),
                                    _Num(s["copied_cameras"], "{:,.0f}"), _Num(s["daily_tb"], "{:,.2f}"),
                                    _Num(s["capacity_tb"], "{:,.0f}"), _Num(s.get("retention_days_raw"), "{:,.2f}"),
                                    _Num(s["retention_days"], "{:,.2f}"), _Num(s["target_days"], "{:,.0f}"), _Num(s["capacity_needed_raw_tb"], "{:,.0f}"),
                                    s["legal_status"] or "-"] for s in st], [s["id"] for s in st])
        bars, targets = [], []
        for s in st:
            d = s.get("retention_days")
            finite = isinstance(d, (int, float)) and math.isfinite(d)
            target = s.get("target_days")
            ok = finite and d >= (target or 0)
            bars.append((s["name"] or s["id"], float(d) if finite else math.nan,
                         QColor(style.LOAD_OK) if ok else QColor(style.LOAD_FULL)))
            targets.append(float(target) if isinstance(target, (int, float)) else None)
        known = {t for t in targets if t is not None}
        label = f"target {known.pop():g} d" if len(known) == 1 else "target per centre"
        self.retention_chart.set_bars(bars, targets=targets, target_label=label)
        lks = net.get("links", [])
        _fill(self.links_table, [[lk["id"], lk["kind"], lk["from_id"], lk["to_id"], _Num(lk["design_mbps"], "{:,.0f}"),
                                  _Num(lk["capacity_mbps"], "{:,.0f}"), _Num(100 * lk["utilisation"], "{:.0f}"),
                                  "OVERLOADED" if lk["overloaded"] else "ok"] for lk in lks],
              [lk["from_id"] for lk in lks])
        secs = net.get("sectors", [])
        _fill(self.sectors_table, [[s["site_id"], s["sector"] + 1, _Num(s["azimuth_deg"], "{:.0f}"),
                                    _Num(s["cameras"], "{:,.0f}"), _Num(s["load_mbps"]), _Num(s["capacity_mbps"]),
                                    _Num(100 * s["utilisation"], "{:.0f}")] for s in secs],
              [s["site_id"] for s in secs])
        uns = [c for c in net.get("cameras", []) if c.get("unserved_reason")]
        _fill(self.unserved_table, [[c["id"], c["connection"], c.get("radio_site_id", ""), c["unserved_reason"]]
                                    for c in uns], [c["id"] for c in uns])

    def _refresh_warnings(self, project: Project, cov: dict[str, Any] | None, net: dict[str, Any] | None) -> None:
        self.warnings.clear()
        items: list[tuple[str, str]] = []
        if net:
            for s in net.get("storage", []):
                if s.get("flagged") or s.get("legal_message"):
                    items.append((f"Retention: {s['name'] or s['id']}: {s.get('legal_message') or 'below target'}",
                                  s["id"]))
            for lk in net.get("links", []):
                if lk.get("overloaded"):
                    items.append((f"Link {lk['id']} overloaded: {100 * lk['utilisation']:.0f} % of its capacity",
                                  lk["from_id"]))
                if lk.get("fresnel_clear") is False:
                    items.append((f"Link {lk['id']}: Fresnel zone blocked", lk["from_id"]))
            for c in net.get("cameras", []):
                if c.get("unserved_reason"):
                    items.append((f"Camera {c['id']} unserved: {c['unserved_reason']}", c["id"]))
            for w in net.get("warnings", []):
                items.append((str(w), ""))
        if cov:
            for s in cov.get("priority_sites", []):
                if not s.get("best_level_day"):
                    items.append((f"Priority site {s.get('name')} is not covered by day", ""))
        for issue in self._validation(project):
            items.append((f"{issue.severity}: {issue.message}", issue.node_id))
        for text, nid in items:
            it = QListWidgetItem(text + ("   ▸ select" if nid else ""))
            it.setData(Qt.ItemDataRole.UserRole, nid)
            if nid:
                it.setForeground(QColor("#0b57d0"))
            self.warnings.addItem(it)
        self.setTabText(self.indexOf(self.warnings), f"Warnings ({len(items)})")

    def _validation(self, project: Project) -> list[Any]:
        """Validation issues, computed only while the Warnings tab is shown (it can take seconds)."""
        if self.currentWidget() is not self.warnings:
            self._validation_stale = True
            return list(getattr(self, "_issues", []))
        from planner import workflows

        self._issues = workflows.validate(project)[:300]
        self._validation_stale = False
        return list(self._issues)

    def _on_tab_changed(self, _index: int) -> None:
        if self.currentWidget() is self.warnings and getattr(self, "_validation_stale", True) and \
                getattr(self, "_project", None) is not None:
            self._refresh_warnings(self._project, document_of(self._project, ResultKind.COVERAGE),
                                   document_of(self._project, ResultKind.NETWORK))

    def _on_warning_clicked(self, item: QListWidgetItem) -> None:
        nid = item.data(Qt.ItemDataRole.UserRole)
        if nid:
            self.node_requested.emit(str(nid))

    def _on_row_clicked(self, item: QTableWidgetItem) -> None:
        nid = item.data(Qt.ItemDataRole.UserRole)
        if nid:
            self.node_requested.emit(str(nid))


def radio_kinds() -> list[str]:
    return [NodeKind.RADIO_SITE.value]
