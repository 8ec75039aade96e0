"""Check published claims about camera systems: coverage, retention, radio.

A claim is a mapping (from YAML or JSON: one claim, or a list under
``claims``). Each gets a verdict:

* ``consistent``: true under assumptions inside the usual ranges;
* ``implausible``: true only with an assumption outside the usual ranges
  (named in ``needs``);
* ``impossible``: no assumption in range makes it true;

with the computation (``computed``), every assumption and its source
(``assumptions``), and the figure that would make it true (``implied``).

Kinds
-----
``retention`` — ``{cameras, capacity_tb, days, resolution, codec?, fps?, duty?, jurisdiction?}``.
    The implied mean bitrate per camera is
    ``capacity_tb * 1e12 * usable * 8 / (cameras * duty * 86 400 * days) / 1e6``
    (SI units). The usual usable share of raw capacity is 0.65-0.75 (RAID 6
    in 12-disk groups = 10/12 = 0.833, less a 5 % file-system reserve and a
    10 % growth margin = 0.7125, the planner's default layout); the
    plausible bitrates are the range of ``resources/bitrates.json`` for the
    resolution and codec (H.264 when the claim names none, the codec of most
    installed city systems), or the default times the scene factors 0.5-2.0
    where the table gives no range. Consistent when the implied bitrate at
    0.75 reaches the bottom of the range; implausible when only a usable
    share above 0.75 (no reserve, no growth margin, up to no RAID at all)
    gets there; impossible otherwise.
``coverage`` — ``{cameras, district | area_km2, level, share}``.
    The most one camera can see at a level, on flat open ground with no
    overlap, is its wedge ``Z**2 * tan(HFOV/2)`` with ``Z = f_px / ppm`` (the
    depth at which the pixel density falls to the level's threshold, IEC EN
    62676-4), capped by the analysis radius. Consistent when the cameras
    under the median scenario could cover the share; implausible when only
    the high scenario could; impossible when even the high scenario cannot.
``radio`` — ``{site | (channel_mhz, sectors), cameras, bitrate_mbps}``.
    The offered load ``cameras * bitrate`` against the site's uplink:
    sectors x channel x spectral efficiency x planning load (1.0 b/s/Hz and
    70 %, the planner's defaults); implausible up to 1.4 b/s/Hz at full load
    (ITU-R M.2134 minimum uplink cell spectral efficiency, urban base
    coverage); impossible beyond.
"""

from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path
from typing import Any

from planner.analysis import radio, storage
from planner.analysis.optics import DORI_LEVELS
from planner.errors import InvalidInputError
from planner.resources import load_json_resource

USUAL_USABLE = (0.65, 0.75)
USABLE_SOURCE = ("RAID 6 in 12-disk groups keeps 10/12 = 0.833 of raw (QNAP/LaCie RAID capacity formulas); with a "
                 "5 % file-system reserve and a 10 % growth margin 0.7125; usual planning range 0.65-0.75")
SE_USUAL = 1.0
SE_MAX = 1.4
SE_SOURCE = ("sector-average uplink spectral efficiency 1.0 b/s/Hz (planner default, SIMO macro cells 0.7-1.5); "
             "ITU-R M.2134 minimum uplink cell spectral efficiency 1.4 b/s/Hz (base coverage urban)")
PLANNING_LOAD = 0.7
VERDICTS = ("consistent", "implausible", "impossible")


def load_claims(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Claims from a YAML (PyYAML, safe loader) or JSON file: one mapping or a list under ``claims``."""
    import json

    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"`{p}`: no such file")
    text = p.read_text(encoding="utf-8-sig")
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:  # pragma: no cover - pyyaml is a dependency
                raise InvalidInputError(f"`{p}`: YAML needs PyYAML (pip install pyyaml); or write the claim as JSON") \
                    from None
            doc = yaml.safe_load(text)
        else:
            doc = json.loads(text)
    except InvalidInputError:
        raise
    except Exception as exc:  # yaml and json raise different classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(f"`{p}`: not a readable claim file ({first})") from None
    claims = doc.get("claims") if isinstance(doc, dict) and "claims" in doc else doc
    if isinstance(claims, dict):
        claims = [claims]
    if not isinstance(claims, list) or not claims or not all(isinstance(c, dict) for c in claims):
        raise InvalidInputError(f"`{p}`: expected a claim (a mapping with `kind`) or a list of them under `claims`")
    return claims


def _num(claim: dict[str, Any], key: str, *, positive: bool = True, default: Any = None) -> float:
    v = claim.get(key, default)
    if v is None:
        raise InvalidInputError(f"claim {claim.get('kind', '?')}: `{key}` is missing")
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InvalidInputError(f"claim {claim.get('kind', '?')}: `{key}` must be a number; got {v!r}") from None
    if not math.isfinite(f) or (positive and f <= 0):
        raise InvalidInputError(f"claim {claim.get('kind', '?')}: `{key}` must be a positive number; got {v!r}")
    return f


def _norm(s: str) -> str:
    t = unicodedata.normalize("NFKD", str(s)).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in t if ch.isalnum())


# --------------------------------------------------------------- retention
def bitrate_range(resolution: str, codec: str) -> tuple[float, float, float, str]:
    """``(low, default, high, source)`` Mb/s for a resolution and codec (``resources/bitrates.json``)."""
    from planner.model.nodes import Codec

    doc = load_json_resource("bitrates.json")
    res = str(resolution).strip().lower()
    res = doc["resolution_aliases"].get(res, res)
    if res not in doc["table"]:
        raise InvalidInputError(f"claim retention: `resolution` must be one of {', '.join(doc['table'])}; got {resolution!r}")
    c = str(Codec.parse(codec))
    row = doc["table"][res][c]
    d = float(row["default_mbps"])
    if row.get("range_mbps"):
        lo, hi = (float(x) for x in row["range_mbps"])
        return lo, d, hi, f"resources/bitrates.json {res} {c}: {row['source']}"
    sf = doc["scene_factors"]
    lo_f, hi_f = sf["static_indoor"]["factor"], sf["busy_plaza"]["factor"]
    return (d * lo_f, d, d * hi_f, f"resources/bitrates.json {res} {c}: default {d:g} Mb/s ({row['source']}) times "
            f"scene factors {lo_f:g}-{hi_f:g} (no range in the table)")


def check_retention(claim: dict[str, Any], *, project: Any = None) -> dict[str, Any]:
    n = _num(claim, "cameras")
    cap = _num(claim, "capacity_tb")
    days = _num(claim, "days")
    res = str(claim.get("resolution") or (project.parameters.default_resolution if project is not None else "1080p"))
    codec_given = claim.get("codec")
    codec = str(codec_given or "h264")
    fps = float(claim.get("fps", 30.0))
    duty = float(claim.get("duty", claim.get("duty_cycle", 1.0)))
    lo, default, hi, bsrc = bitrate_range(res, codec)
    from planner.analysis.bitrate import fps_factor

    ff = float(fps_factor(fps))
    lo, default, hi = lo * ff, default * ff, hi * ff
    raid = storage.raid_efficiency("6", group_size=12)
    layout_uf = storage.usable_fraction(storage.StorageLayout()).value

    def implied(uf: float) -> float:
        return storage.implied_bitrate_mbps(cap, cameras=int(round(n)), retention_days=days, usable_fraction=uf,
                                            duty_cycle=duty)

    b_typ = implied(layout_uf)
    b_hi = implied(USUAL_USABLE[1])
    b_raid = implied(raid)
    b_raw = implied(1.0)
    needs: list[str] = []
    if b_hi >= lo - 1e-12:
        verdict = "consistent"
    elif b_raw >= lo - 1e-12:
        verdict = "implausible"
        need_uf = USUAL_USABLE[1] * lo / b_hi
        needs.append(f"a usable share of {need_uf:.3f} of raw capacity (usual {USUAL_USABLE[0]}-{USUAL_USABLE[1]}; "
                     f"RAID 6 alone keeps {raid:.3f}" + ("; more than RAID 6 allows: no redundancy" if need_uf > raid
                                                        else ", so no file-system reserve or growth margin") + ")")
    else:
        verdict = "impossible"
    # what would make it true
    per_day_default = storage.daily_bytes(default, cameras=int(round(n)), duty_cycle=duty)
    per_day_lo = storage.daily_bytes(lo, cameras=int(round(n)), duty_cycle=duty)
    alternatives = []
    for alt in ("h264", "h265", "h265_smart"):
        if alt == codec:
            continue
        a_lo, _, _, _ = bitrate_range(res, alt)
        if b_hi >= a_lo * ff:
            alternatives.append(f"{alt} (range from {a_lo * ff:.2f} Mb/s)")
    out: dict[str, Any] = {
        "claim": claim, "verdict": verdict,
        "computed": {
            "implied_bitrate_mbps": b_typ, "implied_bitrate_mbps_usable_0_75": b_hi,
            "implied_bitrate_mbps_raid6_only": b_raid, "implied_bitrate_mbps_raw": b_raw,
            "plausible_bitrate_mbps": [lo, hi], "default_bitrate_mbps": default,
            "retention_days_at_default_bitrate": cap * 1e12 * layout_uf / per_day_default,
            "formula": "implied bitrate = capacity_tb x 1e12 x usable x 8 / (cameras x duty x 86400 x days) / 1e6",
        },
        "implied": {
            "bitrate_mbps": b_typ,
            "capacity_needed_tb": per_day_lo * days / layout_uf / 1e12,
            "capacity_needed_tb_at_default_bitrate": per_day_default * days / layout_uf / 1e12,
            "days_at_lowest_plausible_bitrate": cap * 1e12 * layout_uf / per_day_lo,
            "codecs_that_would_fit": alternatives,
        },
        "needs": needs,
        "assumptions": [
            {"text": f"resolution {res}, codec {codec}" + ("" if codec_given else " (not stated: H.264 assumed)")
                     + f", {fps:g} fps, recording duty {duty:g}", "source": "the claim; defaults of the planner"},
            {"text": f"plausible bitrate {lo:.2f}-{hi:.2f} Mb/s (default {default:.2f})", "source": bsrc},
            {"text": f"usable share of raw capacity {layout_uf:.4f} (usual {USUAL_USABLE[0]}-{USUAL_USABLE[1]})",
             "source": USABLE_SOURCE},
            {"text": "1 TB = 1e12 bytes, 1 Mb/s = 1e6 bit/s, 86 400 s a day", "source": "SI"},
        ],
    }
    j = claim.get("jurisdiction") or (project.parameters.jurisdiction if project is not None else "")
    if j:
        try:
            lc = storage.legal_retention_check(days, jurisdiction=str(j))
            out["computed"]["legal"] = {"jurisdiction": lc.jurisdiction, "status": str(lc.status),
                                        "message": lc.message, "source": lc.source}
        except InvalidInputError:
            out["computed"]["legal"] = {"jurisdiction": str(j), "status": "unknown",
                                        "message": f"no retention rule on file for {j}", "source": ""}
    return out


# ---------------------------------------------------------------- coverage
def camera_wedge_km2(scenario_name: str, level: str, *, max_range_m: float = 400.0) -> tuple[float, float, float]:
    """``(area_km2, depth_m, hfov_deg)``: the most one camera of a scenario sees at ``level``, flat and open."""
    from planner.analysis.camera_types import parse_camera_types
    from planner.analysis.coverage import CoverageParams, camera_geometry
    from planner.audit.scenarios import load_scenarios, scenario_type_entries
    from planner.model.nodes import Camera

    scn = load_scenarios()[0][scenario_name]
    types = parse_camera_types({"schema_version": 1, "types": scenario_type_entries(scn)}, origin="audit scenarios")
    g = camera_geometry(Camera(id="cam-0001", x=0, y=0, focal_mm=None), types[f"audit-{scenario_name}"],
                        CoverageParams())
    ppm = {lv.name: lv.ppm for lv in DORI_LEVELS}
    if level not in ppm:
        raise InvalidInputError(f"claim coverage: `level` must be one of {', '.join(ppm)}; got {level!r}")
    z = min(g.px_per_rad / ppm[level], max_range_m)
    return z * z * math.tan(math.radians(g.hfov_deg / 2)) / 1e6, z, g.hfov_deg


def check_coverage(claim: dict[str, Any], *, project: Any = None, districts: Any = None) -> dict[str, Any]:
    n = _num(claim, "cameras")
    share = _num(claim, "share")
    if share > 1:
        share = share / 100.0  # 80 means 80 %
    level = str(claim.get("level", "detect")).strip().lower()
    level = {"recognize": "recognise", "recognition": "recognise", "identification": "identify",
             "detection": "detect", "observation": "observe"}.get(level, level)
    area = None
    where = ""
    modelled = None
    if claim.get("area_km2") is not None:
        area = _num(claim, "area_km2")
        where = f"{area:g} km² (from the claim)"
    else:
        name = claim.get("district")
        dist = districts if districts is not None else (project.districts if project is not None else None)
        if name is None or dist is None or not len(dist):
            raise InvalidInputError("claim coverage: give `area_km2`, or `district` with --project or --districts")
        hit = [i for i, v in enumerate(dist["name"].astype(str)) if _norm(v) == _norm(name)]
        if not hit:
            raise InvalidInputError(f"claim coverage: no district {name!r} in the project")
        geom = dist.geometry.iloc[hit[0]]
        area = float(geom.area) / 1e6
        where = f"district {dist['name'].iloc[hit[0]]} ({area:.3f} km²)"
        cov_record = project.result("coverage") if project is not None else None
        if cov_record is not None:
            for d in cov_record.document.get("districts", []):
                if _norm(d["name"]) == _norm(name) and level in d.get("day_pct", {}):
                    modelled = d["day_pct"][level] / 100.0
    need = share * area
    med, zm, hm = camera_wedge_km2("median", level)
    high, zh, hh = camera_wedge_km2("high", level)
    n_med = need / med
    n_high = need / high
    if n >= n_med:
        verdict = "consistent"
        needs: list[str] = []
    elif n >= n_high:
        verdict = "implausible"
        needs = ["every camera with high-end optics (the high scenario), on open flat ground, with no overlap"]
    else:
        verdict = "impossible"
        needs = []
    return {
        "claim": claim, "verdict": verdict,
        "computed": {"area_km2": area, "area_needed_km2": need, "level": level,
                     "max_km2_per_camera": {"median": med, "high": high},
                     "max_share": {"median": min(n * med / area, 1.0), "high": min(n * high / area, 1.0)},
                     "modelled_share": modelled,
                     "formula": "area per camera <= Z^2 tan(HFOV/2), Z = f_px / ppm(level)"},
        "implied": {"cameras_needed": {"median": math.ceil(n_med), "high": math.ceil(n_high)}},
        "needs": needs,
        "assumptions": [
            {"text": f"{where}; level {level}", "source": "the claim"},
            {"text": f"median scenario: depth {zm:.1f} m at {level}, HFOV {hm:.1f}°; high: {zh:.1f} m, {hh:.1f}°",
             "source": "resources/audit_scenarios.json; DORI thresholds IEC EN 62676-4"},
            {"text": "no occlusion, no overlap, flat ground: an upper bound on what cameras can see",
             "source": "geometry of the pinhole camera"},
        ],
    }


# ------------------------------------------------------------------- radio
def check_radio(claim: dict[str, Any], *, project: Any = None) -> dict[str, Any]:
    n = _num(claim, "cameras")
    b = _num(claim, "bitrate_mbps")
    site = claim.get("site")
    ch = claim.get("channel_mhz")
    sectors = claim.get("sectors")
    src = "the claim"
    if site is not None and project is not None:
        from planner.model.nodes import RadioSite

        sites = [s for s in project.nodes() if isinstance(s, RadioSite) and (s.id == str(site) or s.name == str(site))]
        if not sites:
            raise InvalidInputError(f"claim radio: no radio site {site!r} in the project")
        s = sites[0]
        ch = ch or s.channel_mhz
        sectors = sectors or len(s.sector_azimuths_deg)
        src = f"project radio site {s.id} ({s.name}): {s.channel_mhz:g} MHz, {len(s.sector_azimuths_deg)} sectors"
    ch = float(ch or 20.0)
    sectors = int(sectors or 3)
    duplex = str(claim.get("duplex", "fdd"))
    cap = radio.sector_uplink_capacity(ch, spectral_efficiency_bps_hz=SE_USUAL, duplex=duplex,
                                       planning_load=PLANNING_LOAD)
    best = radio.sector_uplink_capacity(ch, spectral_efficiency_bps_hz=SE_MAX, duplex=duplex, planning_load=1.0)
    load = n * b
    site_plan = sectors * cap.plannable_mbps
    site_best = sectors * best.plannable_mbps
    if load <= site_plan + 1e-9:
        verdict, needs = "consistent", []
    elif load <= site_best + 1e-9:
        verdict = "implausible"
        needs = [f"spectral efficiency x load of {load / (sectors * ch * cap.uplink_share):.2f} b/s/Hz "
                 f"(usual: {SE_USUAL:g} b/s/Hz at {PLANNING_LOAD:.0%} load = {SE_USUAL * PLANNING_LOAD:.2f})"]
    else:
        verdict, needs = "impossible", []
    return {
        "claim": claim, "verdict": verdict,
        "computed": {"load_mbps": load, "site_plannable_mbps": site_plan, "site_best_case_mbps": site_best,
                     "sector_plannable_mbps": cap.plannable_mbps, "sectors": sectors, "channel_mhz": ch,
                     "formula": "capacity = sectors x channel_MHz x SE x uplink share x planning load"},
        "implied": {"cameras_supportable": sectors * cap.cameras_at(b), "capacity_needed_mbps": load / PLANNING_LOAD,
                    "max_bitrate_mbps": site_plan / n},
        "needs": needs,
        "assumptions": [
            {"text": f"{sectors} sector(s) of {ch:g} MHz {duplex.upper()}", "source": src},
            {"text": f"spectral efficiency {SE_USUAL:g} b/s/Hz usual, {SE_MAX:g} best; planning load {PLANNING_LOAD:.0%}",
             "source": SE_SOURCE},
            {"text": "cameras spread evenly over the sectors", "source": "assumption"},
        ],
    }


def check_claim(claim: dict[str, Any], *, project: Any = None, districts: Any = None) -> dict[str, Any]:
    kind = str(claim.get("kind", "")).strip().lower()
    if kind == "retention":
        return check_retention(claim, project=project)
    if kind == "coverage":
        return check_coverage(claim, project=project, districts=districts)
    if kind == "radio":
        return check_radio(claim, project=project)
    raise InvalidInputError(f"claim: `kind` must be coverage, retention or radio; got {claim.get('kind')!r}")


def check_claims(claims: list[dict[str, Any]], *, project: Any = None, districts: Any = None) -> list[dict[str, Any]]:
    return [check_claim(c, project=project, districts=districts) for c in claims]


def format_claims(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        c = r["claim"]
        imp = r["implied"]
        lines.append(f"{c.get('kind')}: {r['verdict'].upper()}  {', '.join(f'{k}={v}' for k, v in c.items() if k != 'kind')}")
        if c.get("kind") == "retention":
            lines.append(f"  implied mean bitrate {imp['bitrate_mbps']:.2f} Mb/s per camera (plausible "
                         f"{r['computed']['plausible_bitrate_mbps'][0]:.2f}-{r['computed']['plausible_bitrate_mbps'][1]:.2f}); "
                         f"capacity needed {imp['capacity_needed_tb']:.0f} TB at the lowest plausible bitrate")
        elif c.get("kind") == "coverage":
            lines.append(f"  cameras needed: {imp['cameras_needed']['median']} (median optics), "
                         f"{imp['cameras_needed']['high']} (high)")
        else:
            lines.append(f"  load {r['computed']['load_mbps']:.1f} Mb/s against {r['computed']['site_plannable_mbps']:.1f} "
                         f"plannable; cameras supportable {imp['cameras_supportable']}")
        for nd in r["needs"]:
            lines.append(f"  needs {nd}")
    return "\n".join(lines)


__all__ = ["VERDICTS", "bitrate_range", "camera_wedge_km2", "check_claim", "check_claims", "format_claims",
           "load_claims"]
