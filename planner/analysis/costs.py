"""Bill of materials and costs by phase: CAPEX per phase, cumulative CAPEX, OPEX per year.

A pure function of the project and a unit-price table. Quantities come from the
project's nodes and links, phase by phase (a node's ``phase``); prices come
from ``resources/unit_prices.json`` merged with the project's own overrides in
``project.metadata["unit_prices"]`` (``{key: number}`` or
``{key: {"value": number, "source": text}}``) and, for camera hardware, from
the camera-type library (``unit_cost_eur``) unless a ``camera:<type id>``
price is given.

Rules (each one is stated in the report's methodology):

* **Cameras** by type; a camera whose ``cost`` field is set (> 0) is priced at
  that figure instead of the catalogue. Each planned camera also carries an
  installation cost, a field switch port (fibre) or a CPE (wireless).
* **Poles**: one per distinct camera position (cameras within 1 m share it).
* **Radio sites** by kind; ``cost`` > 0 replaces the catalogue price.
* **Fibre**: backbone = straight length of the fibre links x route factor;
  access = length of the Euclidean minimum spanning tree over the fibre
  cameras and the centres and sites present after the phase, x route factor,
  minus the same tree before the phase (an estimate: a Steiner tree along
  streets is shorter than the MST, street detours make it longer).
* **Microwave** hops: one per microwave link.
* **Storage**: per centre, ``ceil(capacity_tb / disk_tb) + hot_spares`` disks,
  one storage server per N disk bays and a fit-out; recording servers and VMS
  licences follow the cumulative camera count.
* **Command centres**: fit-out, operator seats and video-wall tiles.
* Nodes with ``status == "existing"`` cost no CAPEX but count in OPEX.
* **OPEX per year** after each phase, for everything installed so far:
  maintenance (a share of equipment CAPEX; fibre per km), rental (radio sites,
  poles, microwave licences), power (W x 8 760 h x price, x PUE in centres)
  and connectivity (leased lines per centre, LTE subscriptions).

Amounts are in the project currency: EUR prices x ``fx_per_eur``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from planner.errors import InvalidInputError
from planner.model.nodes import (
    Camera,
    CommandCentre,
    Connection,
    LinkKind,
    Node,
    RadioKind,
    RadioSite,
    Status,
    StorageCentre,
)
from planner.model.project import Project
from planner.resources import load_json_resource

RESOURCE_NAME = "unit_prices.json"
HOURS_PER_YEAR = 8760.0
UNPHASED = "(no phase)"

__all__ = ["BomLine", "CostResult", "UnitPrice", "bill_of_materials", "cost_by_phase", "fibre_tree_length_m",
           "unit_prices"]


@dataclass(frozen=True)
class UnitPrice:
    """One unit price (EUR) or planning parameter with its source."""

    key: str
    value: float
    label: str
    unit: str
    category: str  # capex | opex | parameter
    group: str
    source: str
    assumption: bool = True
    overridden: bool = False


@dataclass(frozen=True)
class BomLine:
    """One line of the bill of materials (amount = quantity x unit price, project currency)."""

    phase: str
    category: str  # "capex" or "opex" (per year, installed base after the phase)
    group: str
    item: str
    description: str
    quantity: float
    unit: str
    unit_price: float
    amount: float
    source: str
    assumption: bool


@dataclass(frozen=True)
class CostResult:
    """Bill of materials and cost totals by phase."""

    currency: str
    fx_per_eur: float
    phases: tuple[str, ...]
    lines: tuple[BomLine, ...]
    capex_by_phase: dict[str, float]
    capex_cumulative: dict[str, float]
    opex_per_year: dict[str, float]
    capex_total: float
    quantities: dict[str, dict[str, float]] = field(default_factory=dict)
    prices: dict[str, UnitPrice] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def capex_lines(self, phase: str | None = None) -> list[BomLine]:
        return [ln for ln in self.lines if ln.category == "capex" and (phase is None or ln.phase == phase)]

    def opex_lines(self, phase: str | None = None) -> list[BomLine]:
        return [ln for ln in self.lines if ln.category == "opex" and (phase is None or ln.phase == phase)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "fx_per_eur": self.fx_per_eur,
            "phases": list(self.phases),
            "capex_by_phase": dict(self.capex_by_phase),
            "capex_cumulative": dict(self.capex_cumulative),
            "opex_per_year": dict(self.opex_per_year),
            "capex_total": self.capex_total,
            "quantities": {k: dict(v) for k, v in self.quantities.items()},
            "lines": [asdict(ln) for ln in self.lines],
            "prices": {k: asdict(p) for k, p in self.prices.items()},
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------ prices
def _default_doc() -> dict[str, Any]:
    return load_json_resource(RESOURCE_NAME)  # type: ignore[no-any-return]


def unit_prices(overrides: Mapping[str, Any] | None = None, *,
                camera_types: Mapping[str, Any] | None = None) -> dict[str, UnitPrice]:
    """The default unit prices merged with ``overrides`` (``project.metadata["unit_prices"]``).

    Camera hardware prices ``camera:<type id>`` are added from ``camera_types``
    (id -> object with ``unit_cost_eur`` and ``source``) where the library has
    one. An override is a number or ``{"value": number, "source": text}``; an
    override of an unknown key other than ``camera:*`` raises.

    Raises
    ------
    InvalidInputError
        An override that is not a finite number >= 0, or an unknown key.
    """
    doc = _default_doc()
    prices: dict[str, UnitPrice] = {}
    for key, e in doc["prices"].items():
        prices[key] = UnitPrice(key=key, value=float(e["value"]), label=e["label"], unit=e["unit"],
                                category=e["category"], group=e["group"], source=e["source"],
                                assumption=bool(e.get("assumption", False)))
    for tid, ct in (camera_types or {}).items():
        cost = getattr(ct, "unit_cost_eur", None)
        if cost is None:
            continue
        src = dict(getattr(ct, "source", {}) or {}).get("unit_cost_eur", "camera-type library")
        prices[f"camera:{tid}"] = UnitPrice(
            key=f"camera:{tid}", value=float(cost), label=f"Camera {getattr(ct, 'name', tid)}", unit="camera",
            category="capex", group="cameras", source=f"camera-type library (camera_types.json): {src}",
            assumption="unverified" in src or "order-of-magnitude" in src)
    for key, raw in (overrides or {}).items():
        key = str(key)
        if isinstance(raw, Mapping):
            value, source = raw.get("value"), str(raw.get("source") or "project override")
        else:
            value, source = raw, "project override (project.metadata['unit_prices'])"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InvalidInputError(f"unit price `{key}` must be a finite number >= 0; got {value!r}")
        base = prices.get(key)
        if base is None:
            if not key.startswith(("camera:", "radio_site:")):
                raise InvalidInputError(f"unknown unit price `{key}`; known keys: {', '.join(sorted(prices))}")
            base = UnitPrice(key=key, value=0.0, label=key, unit="camera" if key.startswith("camera:") else "site",
                             category="capex", group="cameras" if key.startswith("camera:") else "radio",
                             source="")
        prices[key] = UnitPrice(key=key, value=float(value), label=base.label, unit=base.unit,
                                category=base.category, group=base.group, source=source, assumption=False,
                                overridden=True)
    return prices


def fx_rate(currency: str, overrides: Mapping[str, Any] | None = None) -> tuple[float, str, bool]:
    """``(units of currency per EUR, source, known)``; unknown currencies fall back to 1 with a note."""
    over = (overrides or {}).get(f"fx:{currency}")
    if over is not None:
        v = over.get("value") if isinstance(over, Mapping) else over
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0:
            return float(v), "project override", True
        raise InvalidInputError(f"unit price `fx:{currency}` must be a number > 0; got {v!r}")
    table = _default_doc()["fx_per_eur"]
    if currency in table:
        return float(table[currency]["value"]), str(table[currency]["source"]), True
    return 1.0, "no exchange rate known: amounts are EUR", False


# ------------------------------------------------------------------ geometry
def fibre_tree_length_m(xy: np.ndarray) -> float:
    """Length of the Euclidean minimum spanning tree over points ``xy`` (n x 2, metres)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay, QhullError

    pts = np.unique(np.asarray(xy, dtype=float).reshape(-1, 2), axis=0)
    n = len(pts)
    if n < 2:
        return 0.0
    if n <= 3:
        i, j = np.triu_indices(n, 1)
    else:
        try:
            tri = Delaunay(pts)
            s = tri.simplices
            e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
            e.sort(axis=1)
            e = np.unique(e, axis=0)
            i, j = e[:, 0], e[:, 1]
        except QhullError:  # collinear points
            order = np.lexsort((pts[:, 1], pts[:, 0]))
            i, j = order[:-1], order[1:]
    w = np.hypot(*(pts[i] - pts[j]).T)
    w = np.where(w <= 0, 1e-9, w)
    g = coo_matrix((w, (i, j)), shape=(n, n)).tocsr()
    return float(minimum_spanning_tree(g).sum())


# ------------------------------------------------------------------ main
class _Lines:
    def __init__(self, prices: dict[str, UnitPrice], fx: float) -> None:
        self.prices, self.fx = prices, fx
        self.lines: list[BomLine] = []

    def add(self, phase: str, key: str, quantity: float, *, description: str | None = None,
            unit_price_eur: float | None = None, source: str | None = None, category: str | None = None,
            item: str | None = None, unit: str | None = None, convert: bool = True) -> None:
        if quantity <= 0:
            return
        p = self.prices[key] if key in self.prices else None
        price = (unit_price_eur if unit_price_eur is not None else (p.value if p else 0.0)) * (self.fx if convert else 1.0)
        self.lines.append(BomLine(
            phase=phase, category=category or (p.category if p else "capex"), group=p.group if p else "other",
            item=item or key, description=description or (p.label if p else key), quantity=float(quantity),
            unit=unit or (p.unit if p else "unit"), unit_price=float(price), amount=float(price * quantity),
            source=source if source is not None else (p.source if p else ""),
            assumption=bool(p.assumption) if p and source is None else False))


def _phase_label(ph: str) -> str:
    return ph if ph else UNPHASED


def bill_of_materials(project: Project, *, overrides: Mapping[str, Any] | None = None,
                      camera_types: Mapping[str, Any] | None = None) -> CostResult:
    """Bill of materials, CAPEX per phase, cumulative CAPEX and OPEX per year (see the module docs).

    ``overrides`` default to ``project.metadata["unit_prices"]``; ``camera_types``
    default to the built-in library plus nothing else.
    """
    if camera_types is None:
        from planner.analysis.camera_types import builtin_camera_types

        camera_types = dict(builtin_camera_types())
    if overrides is None:
        overrides = project.metadata.get("unit_prices") or {}
        if not isinstance(overrides, Mapping):
            raise InvalidInputError("project metadata `unit_prices` must be a mapping of key to price")
    prices = unit_prices({k: v for k, v in overrides.items() if not str(k).startswith("fx:")},
                         camera_types=camera_types)
    currency = project.parameters.currency
    fx, fx_source, fx_known = fx_rate(currency, overrides)
    notes: list[str] = []
    if not fx_known:
        notes.append(f"no exchange rate for {currency}: amounts are in EUR")
        currency = "EUR"
    elif currency != "EUR":
        notes.append(f"prices converted from EUR at {fx:g} {currency} per EUR ({fx_source})")
    P = {k: v.value for k, v in prices.items()}
    phases = project.phases() or [""]
    out = _Lines(prices, fx)
    route = P["fibre_route_factor"]
    bays = max(1.0, P["disks_per_storage_server"])
    per_rec = max(1.0, P["cameras_per_recording_server"])
    quantities: dict[str, dict[str, float]] = {}
    capex_by_phase: dict[str, float] = {}
    capex_cum: dict[str, float] = {}
    opex: dict[str, float] = {}
    running = 0.0
    prev_tree_m = 0.0
    prev_cams = 0
    installed: list[Node] = []
    installed_links: list[Any] = []
    pos_seen: set[tuple[int, int]] = set()
    equipment_cum = 0.0
    fibre_km_cum = 0.0
    poles_cum = 0
    stats = {"disks": 0, "servers": 0}
    types_known = set(camera_types)
    unknown_types: Counter[str] = Counter()

    for ph in phases:
        label = _phase_label(ph)
        new_nodes = [n for n in project.iter_nodes() if n.phase == ph]
        new_links = [lk for lk in project.links() if lk.phase == ph]
        installed.extend(new_nodes)
        installed_links.extend(new_links)
        planned = [n for n in new_nodes if n.status != Status.EXISTING]
        q: dict[str, float] = {}
        start = len(out.lines)
        # cameras
        cams = [n for n in planned if isinstance(n, Camera)]
        by_type: Counter[str] = Counter(c.camera_type for c in cams if c.cost <= 0)
        for tid, cnt in sorted(by_type.items()):
            key = f"camera:{tid}"
            if key not in prices:
                if tid not in types_known:
                    unknown_types[tid] += cnt
                out.add(label, "camera_default", cnt, item=key,
                        description=f"Camera type {tid} (no library price)")
            else:
                out.add(label, key, cnt, description=f"Camera {tid}")
        hand = [c for c in cams if c.cost > 0]
        if hand:
            total = sum(c.cost for c in hand)
            out.add(label, "camera_default", len(hand), item="camera:project-priced",
                    description="Cameras priced in the project (node cost field)",
                    unit_price_eur=total / len(hand) / fx if fx else 0.0,
                    source="node `cost` fields in the project (project currency)")
        out.add(label, "camera_installation", len(cams))
        fibre_cams = [c for c in cams if c.connection == Connection.FIBRE]
        wireless_cams = [c for c in cams if c.connection == Connection.WIRELESS]
        out.add(label, "fibre_camera_port", len(fibre_cams))
        out.add(label, "wireless_cpe", len(wireless_cams))
        new_poles = 0
        for c in cams:
            k = (round(c.x), round(c.y))
            if k not in pos_seen:
                pos_seen.add(k)
                new_poles += 1
        out.add(label, "pole", new_poles)
        poles_cum += new_poles
        q.update(cameras=len(cams), fibre_cameras=len(fibre_cams), wireless_cameras=len(wireless_cams),
                 poles=new_poles)
        # radio sites
        sites = [n for n in planned if isinstance(n, RadioSite)]
        for kind in RadioKind:
            ks = [s for s in sites if s.site_kind == kind]
            std = [s for s in ks if s.cost <= 0]
            out.add(label, f"radio_site:{kind.value}", len(std))
            if len(ks) > len(std):
                hs = [s for s in ks if s.cost > 0]
                out.add(label, f"radio_site:{kind.value}", len(hs), item=f"radio_site:{kind.value}:project-priced",
                        description=f"{prices[f'radio_site:{kind.value}'].label} (priced in the project)",
                        unit_price_eur=sum(s.cost for s in hs) / len(hs) / fx,
                        source="node `cost` fields in the project (project currency)")
        q["radio_sites"] = len(sites)
        # links
        coords = {n.id: n.xy for n in project.iter_nodes()}
        fib = [lk for lk in new_links if lk.kind == LinkKind.FIBRE and lk.from_id in coords and lk.to_id in coords]
        fib_std = [lk for lk in fib if lk.cost <= 0]
        bb_km = sum(math.dist(coords[lk.from_id], coords[lk.to_id]) for lk in fib_std) / 1000.0 * route
        out.add(label, "fibre_backbone_km", round(bb_km, 3))
        for lk in (lk for lk in fib if lk.cost > 0):
            out.add(label, "fibre_backbone_km", 1, item=f"link:{lk.id}", description=f"Fibre link {lk.id} (priced in the project)",
                    unit_price_eur=lk.cost / fx, source="link `cost` field in the project (project currency)")
        mw = [lk for lk in new_links if lk.kind == LinkKind.MICROWAVE]
        mw_std = [lk for lk in mw if lk.cost <= 0]
        out.add(label, "microwave_link", len(mw_std))
        for lk in (lk for lk in mw if lk.cost > 0):
            out.add(label, "microwave_link", 1, item=f"link:{lk.id}", description=f"Microwave hop {lk.id} (priced in the project)",
                    unit_price_eur=lk.cost / fx, source="link `cost` field in the project (project currency)")
        # access fibre: MST over fibre cameras + centres + sites installed so far
        pts = [n.xy for n in installed if (isinstance(n, Camera) and n.connection == Connection.FIBRE)]
        hubs = [n.xy for n in installed if isinstance(n, (StorageCentre, CommandCentre, RadioSite))]
        tree_m = fibre_tree_length_m(np.array(pts + hubs)) if pts else 0.0
        access_km = max(0.0, tree_m - prev_tree_m) / 1000.0 * route if pts else 0.0
        if pts:
            prev_tree_m = max(tree_m, prev_tree_m)
        # existing fibre cameras need no new trench: scale by the planned share
        n_fibre_new = len([n for n in new_nodes if isinstance(n, Camera) and n.connection == Connection.FIBRE])
        if n_fibre_new:
            access_km *= len(fibre_cams) / n_fibre_new
        elif not fibre_cams:
            access_km = 0.0
        out.add(label, "fibre_access_km", round(access_km, 3))
        fibre_km_cum += bb_km + access_km
        q.update(fibre_backbone_km=bb_km, fibre_access_km=access_km, microwave_links=len(mw))
        # storage
        disks_new = servers_new = 0
        for sc in (n for n in planned if isinstance(n, StorageCentre)):
            disks = math.ceil(sc.capacity_tb / sc.disk_tb - 1e-9) + sc.hot_spares
            servers = math.ceil(disks / bays)
            out.add(label, "disk_per_tb", disks * sc.disk_tb, item=f"disks:{sc.id}",
                    description=f"{disks} disks of {sc.disk_tb:g} TB ({sc.hot_spares} hot spare(s)), {sc.name or sc.id}")
            out.add(label, "storage_server", servers, item=f"storage_server:{sc.id}",
                    description=f"Storage servers ({bays:g} bays), {sc.name or sc.id}")
            if sc.cost > 0:
                out.add(label, "storage_centre_fitout", 1, item=f"fitout:{sc.id}",
                        description=f"Storage centre {sc.name or sc.id} (cost entered in the project)",
                        unit_price_eur=sc.cost / fx, source="node `cost` field in the project (project currency)")
            else:
                out.add(label, "storage_centre_fitout", 1, item=f"fitout:{sc.id}",
                        description=f"{prices['storage_centre_fitout'].label}, {sc.name or sc.id}")
            disks_new += disks
            servers_new += servers
        cams_cum = sum(1 for n in installed if isinstance(n, Camera))
        rec_new = math.ceil(cams_cum / per_rec) - math.ceil(prev_cams / per_rec)
        planned_cams_cum_delta = len(cams)
        out.add(label, "recording_server", rec_new)
        out.add(label, "vms_licence", planned_cams_cum_delta)
        prev_cams = cams_cum
        stats["disks"] += disks_new
        stats["servers"] += servers_new + max(rec_new, 0)
        q.update(disks=disks_new, storage_servers=servers_new, recording_servers=max(rec_new, 0))
        # command centres
        seats = tiles = 0
        for cc in (n for n in planned if isinstance(n, CommandCentre)):
            if cc.cost > 0:
                out.add(label, "command_centre_fitout", 1, item=f"fitout:{cc.id}",
                        description=f"Command centre {cc.name or cc.id} (cost entered in the project)",
                        unit_price_eur=cc.cost / fx, source="node `cost` field in the project (project currency)")
            else:
                out.add(label, "command_centre_fitout", 1, item=f"fitout:{cc.id}",
                        description=f"{prices['command_centre_fitout'].label}, {cc.name or cc.id}")
            out.add(label, "operator_seat", cc.operators, item=f"seats:{cc.id}",
                    description=f"Operator seats, {cc.name or cc.id}")
            out.add(label, "video_wall_tile", cc.video_wall_tiles, item=f"wall:{cc.id}",
                    description=f"Video-wall tiles, {cc.name or cc.id}")
            seats += cc.operators
            tiles += cc.video_wall_tiles
        q.update(operator_seats=seats, video_wall_tiles=tiles)
        phase_capex = sum(ln.amount for ln in out.lines[start:])
        fibre_capex = sum(ln.amount for ln in out.lines[start:] if ln.item.startswith("fibre_")
                          or (ln.item.startswith("link:") and ln.group == "network"))
        equipment_cum += phase_capex - fibre_capex
        capex_by_phase[label] = phase_capex
        running += phase_capex
        capex_cum[label] = running
        quantities[label] = q

        # ---- OPEX per year for the installed base after this phase
        o0 = len(out.lines)
        out.add(label, "maintenance_rate", round(equipment_cum, 2), category="opex", item="maintenance",
                description="Maintenance of equipment (rate x cumulative equipment CAPEX)",
                unit=f"{currency} of equipment", convert=False)
        out.add(label, "fibre_maintenance_km_year", round(fibre_km_cum, 3), category="opex")
        all_sites = [n for n in installed if isinstance(n, RadioSite)]
        out.add(label, "radio_site_rental_year",
                sum(1 for s in all_sites if s.site_kind != RadioKind.FIBRE_POP), category="opex")
        out.add(label, "pole_rental_year", poles_cum, category="opex")
        mw_cum = sum(1 for lk in installed_links if lk.kind == LinkKind.MICROWAVE)
        out.add(label, "microwave_licence_year", mw_cum, category="opex")
        all_cams = [n for n in installed if isinstance(n, Camera)]
        ptz = sum(1 for c in all_cams if _is_ptz(c, camera_types))
        centres = [n for n in installed if isinstance(n, (StorageCentre, CommandCentre))]
        disks_cum = sum(math.ceil(s.capacity_tb / s.disk_tb - 1e-9) + s.hot_spares
                        for s in installed if isinstance(s, StorageCentre))
        servers_cum = sum(math.ceil((math.ceil(s.capacity_tb / s.disk_tb - 1e-9) + s.hot_spares) / bays)
                          for s in installed if isinstance(s, StorageCentre)) + math.ceil(len(all_cams) / per_rec)
        seats_cum = sum(c.operators for c in installed if isinstance(c, CommandCentre))
        tiles_cum = sum(c.video_wall_tiles for c in installed if isinstance(c, CommandCentre))
        field_w = (len(all_cams) - ptz) * P["power_w:camera"] + ptz * P["power_w:camera_ptz"] \
            + sum(1 for s in all_sites if s.site_kind != RadioKind.FIBRE_POP) * P["power_w:radio_site"]
        centre_w = (disks_cum * P["power_w:disk"] + servers_cum * P["power_w:server"]
                    + seats_cum * P["power_w:seat"] + tiles_cum * P["power_w:wall_tile"]) * P["pue"]
        kwh = (field_w + centre_w) * HOURS_PER_YEAR / 1000.0
        out.add(label, "electricity_kwh", round(kwh, 1), category="opex", item="power",
                description=(f"Electricity: field {field_w / 1000:.1f} kW (cameras, radio sites) + centres "
                             f"{centre_w / 1000:.1f} kW incl. PUE {P['pue']:g}, x 8 760 h"),
                source=prices["electricity_kwh"].source + "; device powers: see the power_w:* prices")
        out.add(label, "leased_line_year", len(centres), category="opex")
        lte_ids = {s.id for s in all_sites if s.site_kind == RadioKind.LTE_MACRO}
        out.add(label, "lte_subscription_year",
                sum(1 for c in all_cams if c.connection == Connection.WIRELESS and c.radio_site_id in lte_ids),
                category="opex")
        opex[label] = sum(ln.amount for ln in out.lines[o0:])
        q["power_kw"] = (field_w + centre_w) / 1000.0

    if unknown_types:
        notes.append("camera types not in the library, priced at camera_default: "
                     + ", ".join(f"{t} ({n})" for t, n in sorted(unknown_types.items())))
    existing = sum(1 for n in project.iter_nodes() if n.status == Status.EXISTING)
    if existing:
        notes.append(f"{existing} existing node(s) carry no CAPEX; they count in OPEX")
    notes.append("OPEX excludes staff (operators, police), insurance and software subscriptions")
    notes.append("access fibre is estimated from a minimum spanning tree over fibre cameras and centres, "
                 f"x route factor {route:g}")
    return CostResult(currency=currency, fx_per_eur=fx, phases=tuple(_phase_label(p) for p in phases),
                      lines=tuple(out.lines), capex_by_phase=capex_by_phase, capex_cumulative=capex_cum,
                      opex_per_year=opex, capex_total=running, quantities=quantities, prices=prices,
                      notes=tuple(notes))


def _is_ptz(cam: Camera, camera_types: Mapping[str, Any]) -> bool:
    ct = camera_types.get(cam.camera_type)
    kind = str(getattr(ct, "kind", "")) if ct is not None else ""
    return kind == "ptz" or cam.camera_type.startswith("ptz")


def cost_by_phase(project: Project) -> list[dict[str, Any]]:
    """CAPEX per phase (and cumulative), OPEX per year and the largest CAPEX groups, from the bill of
    materials (the same figures as the CSV and the PDF report)."""
    bom = bill_of_materials(project)
    counts: dict[str, int] = {}
    for n in project.cameras():
        counts[n.phase or "(none)"] = counts.get(n.phase or "(none)", 0) + 1
    rows = []
    for ph in bom.phases:
        groups: dict[str, float] = {}
        for ln in bom.capex_lines(ph):
            groups[ln.group] = groups.get(ln.group, 0.0) + ln.amount
        top = sorted(groups.items(), key=lambda kv: -kv[1])[:3]
        rows.append({"phase": ph or "(none)", "cameras": counts.get(ph or "(none)", 0),
                     "capex": bom.capex_by_phase[ph], "cumulative": bom.capex_cumulative[ph],
                     "opex": bom.opex_per_year[ph], "largest": ", ".join(f"{g} {v:,.0f}" for g, v in top)})
    return rows
