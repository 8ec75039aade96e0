"""PDF audit report (matplotlib ``PdfPages``, A4, DejaVu fonts embedded), no Qt.

Lays out the document of :func:`planner.audit.run.run_audit`: cover and
summary, the coverage envelope chart (low / median / high per detail level),
a map of the median scenario, the per-district table, availability,
sensitive sites, privacy masks, the legal retention check, claims and their
verdicts, rejected register rows, and the assumptions with their sources.
Every user string is drawn literally: dollar signs are escaped so matplotlib
never reads them as mathtext.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from planner.io.atomic import atomic_path
from planner.io.export_pdf import ACCENT, TEXT_W, _Doc
from planner.style import level_colour

LEVELS = ("monitor", "detect", "observe", "recognise", "identify")
SCENARIO_COLOURS = {"low": "#9ecae1", "median": "#3182bd", "high": "#08519c"}


def _lit(v: Any) -> str:
    """Text drawn as is (a ``$`` never starts mathtext)."""
    return str(v).replace("$", r"\$")


def _f(v: Any, fmt: str = "{:,.3f}") -> str:
    if v is None:
        return "–"
    if isinstance(v, (int, float)):
        return fmt.format(v).replace(",", "\u202f")
    return _lit(v)


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v) or "none"
    return _f(v, "{:,.2f}")


def _envelope_chart(ax: Any, doc: Mapping[str, Any]) -> None:
    import numpy as np

    sc = doc["scenarios"]
    x = np.arange(len(LEVELS))
    w = 0.27
    for k, name in enumerate(("low", "median", "high")):
        vals = [sc[name]["area_km2"][lv] for lv in LEVELS]
        ax.bar(x + (k - 1) * w, vals, w, color=SCENARIO_COLOURS[name], label=name)
        for xi, v in zip(x + (k - 1) * w, vals, strict=True):
            ax.text(xi, v, f"{v:.2f}", ha="center", va="bottom", fontsize=6)
    ax.set_xticks(x, LEVELS)
    ax.set_ylabel("km² seen by day (at least this level)", fontsize=8)
    ax.set_title("Coverage envelope: low / median / high capability", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)


def _map(ax: Any, layers: Mapping[str, gpd.GeoDataFrame], scenario: str) -> None:
    area = layers["study_area"]
    area.boundary.plot(ax=ax, color="#222222", linewidth=0.8)
    d = layers.get("districts")
    if d is not None and len(d):
        d.boundary.plot(ax=ax, color="#999999", linewidth=0.3)
    cov = layers.get(f"coverage_{scenario}")
    if cov is not None and len(cov):
        for i, lv in enumerate(LEVELS):
            part = cov[cov["level"] == lv]
            if len(part):
                part.plot(ax=ax, color=level_colour(lv, i), linewidth=0)
    cams = layers.get("cameras")
    if cams is not None and len(cams):
        cams.plot(ax=ax, color="#d62728", markersize=1.5)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(f"Coverage, {scenario} scenario, day (red: cameras)" if cov is not None and len(cov)
                 else "Study area and districts (no coverage layer stored)", fontsize=8)


def write_audit_pdf(path: str | os.PathLike[str], doc: Mapping[str, Any], layers: Mapping[str, gpd.GeoDataFrame],
                    *, title: str = "Audit") -> Path:
    """Write the audit report for ``doc`` (the ``planner audit`` document) to ``path``, atomically."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_pdf import PdfPages

    today = _dt.date.today().isoformat()
    rc: Any = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "axes.titlesize": 8,
                          "pdf.compression": 6, "text.usetex": False}
    with matplotlib.rc_context(rc), atomic_path(path) as tmp:
        with PdfPages(tmp, metadata={"Title": f"{title}: camera register audit", "Creator": "planner"}) as pdf:
            d = _Doc(pdf, footer=f"{_lit(title)} · audit report · {today}")
            d.new_page()
            d.text("Audit of a camera register", size=20, weight="bold", color=ACCENT)
            d.space(0.45)
            d.para(_lit(f"Register: {doc['register']['file']} ({doc['register']['format']})"))
            d.para(_lit(f"{doc['cameras_used']} cameras used of {doc['cameras_read']} rows read; "
                        f"{len(doc['rejected'])} rows rejected (listed at the end with their reason)."))
            sa = doc["study_area"]
            d.para(_lit(f"Study area: {sa['km2']:.2f} km², from the {sa['source']}; {sa['districts']} districts; "
                        f"CRS {sa['crs']}."))
            d.para("Registers rarely say which lens or resolution a camera has. The audit therefore computes an "
                   "envelope: the same cameras under three capability scenarios (low, median, high), each with its "
                   "sources. Figures are the area seen at least at each detail level (IEC EN 62676-4 DORI).")
            d.h2("Envelope (km² seen by day, and % of the study area)")
            rows = []
            for name in ("low", "median", "high"):
                s = doc["scenarios"][name]
                rows.append([name] + [f"{s['area_km2'][lv]:.3f} ({s['area_pct'][lv]:.2f} %)" for lv in LEVELS])
                if "street_km" in s:
                    rows.append([f"{name}, streets km"] + [f"{s['street_km'][lv]:.1f}" for lv in LEVELS])
            d.table(["scenario", *LEVELS], rows, [1.3, 1, 1, 1, 1, 1], align="lrrrrr")
            for name in ("low", "median", "high"):
                d.para(_lit(doc["scenarios"][name]["label"]), size=8.5)
            d.space(0.35)
            ax = d.axes(3.0, width_in=TEXT_W)
            _envelope_chart(ax, doc)
            d.space(3.2)

            d.section(min_free_in=5.5)
            d.h1("Map of the median scenario")
            d.space(0.2)
            ax = d.axes(6.0)
            _map(ax, layers, "median")
            d.space(6.2)

            if doc["scenarios"]["median"]["districts"]:
                d.section()
                d.h1("Per district")
                d.para("Share of each district's area seen by day: monitor level under the three scenarios, then "
                       "detect and recognise under the median one. Sorted by the median monitor share.")
                ds = {n: {x["name"]: x for x in doc["scenarios"][n]["districts"]} for n in ("low", "median", "high")}
                order = sorted(ds["median"].values(), key=lambda x: -x["area_pct"]["monitor"])
                rows = [[_lit(x["name"]), f"{x['district_km2']:.2f}",
                         f"{ds['low'][x['name']]['area_pct']['monitor']:.2f}",
                         f"{x['area_pct']['monitor']:.2f}",
                         f"{ds['high'][x['name']]['area_pct']['monitor']:.2f}",
                         f"{x['area_pct']['detect']:.2f}", f"{x['area_pct']['recognise']:.3f}"] for x in order]
                d.table(["district", "km²", "monitor % low", "monitor % median", "monitor % high",
                         "detect % median", "recognise % median"], rows, [3, 0.8, 1, 1, 1, 1, 1], align="lrrrrrr",
                        size=7.0)

            av = doc.get("availability")
            if av:
                d.section(min_free_in=3)
                d.h1("Availability")
                share = av["out_of_service"]
                what = (f"{share * 100:.0f} % of the {av['devices']} cameras out of service ({av['out_of_service_count']}), "
                        f"drawn at random {av['draws']} times (seed {av['seed']})" if isinstance(share, float)
                        else f"{av['out_of_service_count']} named cameras out of service")
                d.para(_lit(f"{what}; {av['scenario']} scenario. Mean and 5th-95th percentile of the area still seen "
                            "by day."))
                rows = [[lv, _f(c["all_in_service_km2"]), _f(c["mean_km2"]), f"{_f(c['p5_km2'])} – {_f(c['p95_km2'])}",
                         _f(c["remaining_share"], "{:.1%}")] for lv, c in av["city"].items()]
                d.table(["level", "all in service km²", "mean km²", "5–95 % km²", "remaining"], rows,
                        [1.2, 1.2, 1, 1.5, 1], align="lrrrr")
                top = sorted(av["districts"], key=lambda x: -x["levels"]["monitor"]["all_in_service_km2"])[:25]
                if top and top[0]["levels"]["monitor"]["all_in_service_km2"] > 0:
                    rows = [[_lit(x["name"]), _f(x["levels"]["monitor"]["all_in_service_km2"]),
                             _f(x["levels"]["monitor"]["mean_km2"]),
                             f"{_f(x['levels']['monitor']['p5_km2'])} – {_f(x['levels']['monitor']['p95_km2'])}"]
                            for x in top if x["levels"]["monitor"]["all_in_service_km2"] > 0]
                    d.para("Districts with the most coverage (monitor level):", size=8.5)
                    d.table(["district", "all in service km²", "mean km²", "5–95 % km²"], rows, [3, 1.2, 1, 1.5],
                            align="lrrr", size=7.5)

            sites = doc.get("sensitive_sites") or []
            d.section(min_free_in=3)
            d.h1("Sensitive sites, privacy, retention")
            if sites:
                d.para("Best detail level at which any camera sees each site (within the site radius), by day and "
                       "by night, and how many cameras see it, under each scenario.")
                rows = [[_lit(s["name"]), _lit(s["kind"]),
                         " / ".join(str(s["best_level_day"].get(n) or "–") for n in ("low", "median", "high")),
                         " / ".join(str(s["best_level_night"].get(n) or "–") for n in ("low", "median", "high")),
                         " / ".join(str(s["cameras"].get(n, 0)) for n in ("low", "median", "high"))] for s in sites]
                d.table(["site", "kind", "day (low / median / high)", "night", "cameras"], rows, [2.2, 1, 2.2, 2.2, 1],
                        size=7.5)
            else:
                d.para("No sensitive-site layer was given (--sites, the project's priority sites or OSM amenities).")
            masks = doc.get("privacy_masks") or []
            if masks:
                rows = [[_lit(m["name"]), _f(m.get("area_km2"), "{:.4f}"),
                         _f(m["removed_km2"].get("monitor"), "{:.4f}"), _f(m["removed_km2"].get("detect"), "{:.4f}")]
                        for m in masks]
                d.h2("Privacy masks (median scenario)")
                d.table(["mask", "area km²", "removed at monitor km²", "removed at detect km²"], rows, [2, 1, 1.3, 1.3],
                        align="lrrr")
            lr = doc.get("legal_retention")
            d.h2("Legal retention")
            if lr and lr.get("retention_days") is not None:
                d.para(_lit(f"{lr['message']}. Retention from the project's storage: {lr['inputs']['capacity_tb']:g} TB "
                            f"for {lr['inputs']['cameras']} cameras at {lr['inputs']['bitrate_mbps']:g} Mb/s, usable "
                            f"share {lr['inputs']['usable_fraction']:.4f}. Rule: {lr['rule']} Source: {lr['source']}"))
            else:
                d.para(_lit((lr or {}).get("message") or "Not checked: an audit without a project has no storage; "
                            "retention claims are checked below."))
            for c in doc.get("claims") or []:
                if c["computed"].get("legal"):
                    d.para(_lit(f"Claimed retention: {c['computed']['legal']['message']}"), size=8.5)

            claims = doc.get("claims") or []
            if claims:
                d.section(min_free_in=3)
                d.h1("Claims and verdicts")
                for c in claims:
                    cl = c["claim"]
                    d.h2(_lit(f"{cl.get('kind')}: {c['verdict'].upper()}"))
                    d.para(_lit(", ".join(f"{k} = {v}" for k, v in cl.items() if k != "kind")), size=8.5)
                    imp = "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in c["implied"].items())
                    d.para(_lit(f"What would make it true: {imp}"), size=8.5)
                    for nd in c.get("needs") or []:
                        d.para(_lit(f"Needs {nd}"), size=8.5)
                    d.bullets([_lit(f"{a['text']} (source: {a['source']})") for a in c["assumptions"]], size=8)

            d.section(min_free_in=3)
            d.h1("Rejected rows")
            rej = doc["rejected"]
            if rej:
                rows = [[_lit(r["row"]), _lit(r.get("id", "")), _lit(r["reason"])] for r in rej[:150]]
                d.table(["row", "id", "reason"], rows, [1.2, 1.2, 5], size=7.5)
                if len(rej) > 150:
                    d.para(f"... and {len(rej) - 150} more (all in the JSON).")
            else:
                d.para("None: every row of the register was used.")
            d.h1("Assumptions and sources")
            d.bullets([_lit(a) for a in doc["assumptions"]], size=8)
            d.close_page()
    return Path(path)


__all__ = ["write_audit_pdf"]
