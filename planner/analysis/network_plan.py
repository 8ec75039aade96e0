"""Network and storage plan of a whole deployment: from each camera's streams to links and retention days.

The project-level analysis behind ``planner network`` and the app's network
panel. It adapts the project model to the numeric kernels:

1. **Streams** (:mod:`planner.analysis.bitrate`): per camera, the peak uplink
   (all streams) and the recorded average (record + alarm x duty cycle).
2. **Radio** (:mod:`planner.analysis.network`, :mod:`planner.analysis.radio`):
   wireless cameras are assigned to the sectors of the radio sites by best SINR
   within each sector's plannable uplink capacity; cameras that cannot be
   served are listed with the reason (out of range, sector full).
3. **Storage** (:mod:`planner.analysis.storage`): cameras go to storage
   centres by hand (``storage_centre_id``), by proximity or by district, within
   capacity; a central centre with ``copy_of`` also holds a copy of those
   centres' cameras. Per centre: TB written per day, retention days on raw and
   on usable capacity (RAID, hot spares, file-system reserve and growth margin
   as separate factors), the capacity the retention target needs, the implied
   mean bitrate for the target (for claims), and the legal check.
4. **Backhaul**: traffic is routed over the project's fibre and microwave
   links along shortest paths: wireless cameras' recorded streams from their
   radio site to their storage centre, copies from distributed to central
   centres, and live viewing to each command centre (unicast: one copy per
   viewer; multicast: one copy per distinct stream). Each link's design load is
   ``carried x (1 + overhead) x peak_factor``; links above their utilisation
   limit (fibre 100 %, microwave 75 %) are flagged. Microwave hops are checked
   for 0.6 F1 Fresnel clearance over the DEM.

Phases are cumulative: ``phases=("2016",)`` analyses the deployment as it
stands after phase 2016; ``None`` takes every node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.analysis import network as netk
from planner.analysis import radio, storage
from planner.analysis.bitrate import camera_uplink
from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import InvalidInputError
from planner.model.nodes import (
    Camera,
    CommandCentre,
    Connection,
    Link,
    LinkKind,
    Node,
    RadioSite,
    StorageCentre,
    StorageRole,
)
from planner.model.project import Project

ASSIGN_MODES = ("hand", "proximity", "district")


@dataclass(frozen=True, kw_only=True)
class NetworkParams:
    """Inputs of :func:`run_network` beyond the project, with their sources.

    Attributes
    ----------
    phases
        Phases to include (cumulative); None = all.
    storage_assignment
        ``hand`` (the cameras' ``storage_centre_id``, nearest centre when empty),
        ``proximity`` (nearest distributed centre with room) or ``district``.
    overhead
        Protocol/TCP overhead on links, 5 % (3-7 %, Freedom VMS; docs/reference.md §R6.3).
    peak_factor
        Link sizing for peaks, 1.5 (moonfire data; docs/reference.md §R6.3).
    microwave_utilisation_limit
        Keep radio links at most 75 % utilised (70-80 % rule of thumb).
    planning_load
        Sector planning load limit, 70 % (docs/reference.md §R8.5).
    spectral_efficiency_bps_hz
        Sector-average uplink spectral efficiency, 1.0 b/s/Hz (0.7-1.5 SIMO macro).
    duplex, tdd_config
        Sector duplex mode; TDD uses the uplink share of the configuration.
    pathloss_model, environment
        Camera-to-sector model (Hata urban by default; COST-231 above 1.5 GHz).
    allocation_prbs
        PRBs one camera may use (25 = 5 MHz).
    live_stream_mbps
        Live-view sub-stream for video walls and remote viewers, 1 Mb/s
        (docs/reference.md §R6.2: a 48-tile wall on 1 Mb/s sub-streams).
    fs_reserve, growth_margin
        Storage file-system reserve 5 % and growth margin 10 % (docs/reference.md §R4.4).
    """

    phases: tuple[str, ...] | None = None
    storage_assignment: str = "hand"
    overhead: float = 0.05
    peak_factor: float = 1.5
    microwave_utilisation_limit: float = 0.75
    planning_load: float = 0.7
    spectral_efficiency_bps_hz: float = 1.0
    duplex: str = "fdd"
    tdd_config: int = 1
    pathloss_model: str = "auto"
    environment: str = "urban"
    allocation_prbs: int = 25
    live_stream_mbps: float = 1.0
    fs_reserve: float = 0.05
    growth_margin: float = 0.10

    def __post_init__(self) -> None:
        if self.storage_assignment not in ASSIGN_MODES:
            raise InvalidInputError(f"`storage_assignment` must be one of {', '.join(ASSIGN_MODES)}; "
                                    f"got {self.storage_assignment!r}")
        if not 0 <= self.overhead < 1:
            raise InvalidInputError(f"`overhead` must be in [0, 1); got {self.overhead}")
        if self.peak_factor < 1:
            raise InvalidInputError(f"`peak_factor` must be >= 1; got {self.peak_factor}")
        if not 0 < self.live_stream_mbps <= 100:
            raise InvalidInputError(f"`live_stream_mbps` must be in (0, 100]; got {self.live_stream_mbps}")


@dataclass(frozen=True)
class CameraLoad:
    id: str
    connection: str
    peak_mbps: float
    recorded_mbps: float
    storage_centre_id: str
    radio_site_id: str = ""
    sector: int = -1
    sinr_db: float = math.nan
    throughput_mbps: float = math.nan
    unserved_reason: str = ""


@dataclass(frozen=True)
class SectorLoad:
    site_id: str
    sector: int
    azimuth_deg: float
    cameras: int
    load_mbps: float
    capacity_mbps: float
    utilisation: float


@dataclass(frozen=True)
class LinkLoad:
    id: str
    kind: str
    from_id: str
    to_id: str
    carried_mbps: float
    design_mbps: float
    capacity_mbps: float
    utilisation: float
    limit: float
    overloaded: bool
    fresnel_clear: bool | None = None
    fresnel_min_ratio: float | None = None


@dataclass(frozen=True)
class StorageLoad:
    id: str
    name: str
    role: str
    cameras: int
    copied_cameras: int
    daily_tb: float
    capacity_tb: float
    usable_fraction: float
    usable_factors: dict[str, float]
    retention_days_raw: float
    retention_days: float
    target_days: float
    capacity_needed_raw_tb: float
    disks_needed: int
    implied_bitrate_mbps_for_target: float
    legal_status: str
    legal_message: str
    flagged: bool


@dataclass(frozen=True)
class ViewingLoad:
    id: str
    name: str
    multicast: bool
    streams: int
    viewers: int
    load_mbps: float
    unicast_mbps: float
    multicast_mbps: float


@dataclass(frozen=True)
class NetworkResult:
    """Frozen result of :func:`run_network` (all rates in Mb/s, capacities in TB, SI)."""

    phases: tuple[str, ...] | None
    cameras: tuple[CameraLoad, ...]
    sectors: tuple[SectorLoad, ...]
    links: tuple[LinkLoad, ...]
    storage: tuple[StorageLoad, ...]
    viewing: tuple[ViewingLoad, ...]
    warnings: tuple[str, ...]
    params: NetworkParams = field(default_factory=NetworkParams)

    @property
    def unserved(self) -> list[CameraLoad]:
        return [c for c in self.cameras if c.unserved_reason]

    def totals(self) -> dict[str, Any]:
        cams = self.cameras
        return {
            "cameras": len(cams),
            "wireless_cameras": sum(1 for c in cams if c.connection == Connection.WIRELESS),
            "unserved_cameras": len(self.unserved),
            "unserved_by_reason": _count_by(c.unserved_reason for c in self.unserved),
            "uplink_peak_mbps": sum(c.peak_mbps for c in cams),
            "recorded_mbps": sum(c.recorded_mbps for c in cams),
            "daily_tb": sum(s.daily_tb for s in self.storage if s.role != StorageRole.CENTRAL or not s.copied_cameras),
            "storage_capacity_tb": sum(s.capacity_tb for s in self.storage),
            "overloaded_links": sum(1 for lk in self.links if lk.overloaded),
            "full_sectors": self.full_sectors(),
            "min_retention_days": min((s.retention_days for s in self.storage if s.cameras + s.copied_cameras),
                                      default=None),
            "flagged_storage": sum(1 for s in self.storage if s.flagged),
        }

    def full_sectors(self) -> int:
        """Sectors with no room left for the smallest wireless camera's uplink."""
        rates = [c.peak_mbps for c in self.cameras if c.connection == Connection.WIRELESS]
        if not rates:
            return 0
        smallest = min(rates)
        return sum(1 for s in self.sectors if s.capacity_mbps - s.load_mbps < smallest - 1e-9)

    def to_dict(self) -> dict[str, Any]:
        import dataclasses

        return {
            "phases": list(self.phases) if self.phases else None,
            "totals": self.totals(),
            "storage": [dataclasses.asdict(s) for s in self.storage],
            "links": [dataclasses.asdict(lk) for lk in self.links],
            "sectors": [dataclasses.asdict(s) for s in self.sectors],
            "viewing": [dataclasses.asdict(v) for v in self.viewing],
            "cameras": [dataclasses.asdict(c) for c in self.cameras],
            "warnings": list(self.warnings),
            "params": dataclasses.asdict(self.params),
        }


def _count_by(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for it in items:
        out[it] = out.get(it, 0) + 1
    return out


def select_phases(project: Project, phases: tuple[str, ...] | None) -> list[Node]:
    """Nodes present after ``phases`` (cumulative: every phase up to the last named)."""
    nodes = project.nodes()
    if not phases:
        return nodes
    known = project.phases()
    missing = [p for p in phases if p not in known]
    if missing:
        raise InvalidInputError(f"unknown phase(s) {', '.join(map(repr, missing))}; "
                                f"the project has {', '.join(map(repr, known))}")
    last = max(known.index(p) for p in phases)
    keep = set(known[: last + 1])
    return [n for n in nodes if n.phase in keep]


def run_network(project: Project, params: NetworkParams | None = None, *,
                progress: ProgressFn = no_progress) -> NetworkResult:
    """Analyse bandwidth, radio, backhaul and storage of ``project`` (see the module docs)."""
    params = params or NetworkParams()
    nodes = select_phases(project, params.phases)
    cams = [n for n in nodes if isinstance(n, Camera)]
    sites = [n for n in nodes if isinstance(n, RadioSite)]
    centres = [n for n in nodes if isinstance(n, StorageCentre)]
    commands = [n for n in nodes if isinstance(n, CommandCentre)]
    present = {n.id for n in nodes}
    links = [lk for lk in project.links() if lk.from_id in present and lk.to_id in present]
    warnings: list[str] = []

    progress(0.0, "camera streams")
    peak = np.zeros(len(cams))
    rec = np.zeros(len(cams))
    for i, c in enumerate(cams):
        up = camera_uplink(c.streams)
        peak[i], rec[i] = up.peak_mbps, up.recorded_mbps
        if i % 500 == 0:
            progress(0.2 * i / max(len(cams), 1), "camera streams")

    progress(0.2, "radio sectors")
    radio_res = _assign_radio(cams, sites, peak, params, warnings)
    for i, r in radio_res.items():  # an unserved wireless camera reaches no recorder: it records nothing
        if isinstance(i, int) and r.get("reason"):
            rec[i] = 0.0
    progress(0.5, "storage")
    store_of = _assign_storage(project, cams, centres, rec, params, warnings)
    store_of = {i: sid for i, sid in store_of.items() if not radio_res.get(i, {}).get("reason")}
    storage_loads = _storage_loads(project, cams, centres, rec, store_of, params, warnings)
    progress(0.7, "backhaul")
    viewing = _viewing(commands, params)
    link_loads = _route(project, links, cams, sites, centres, commands, rec, store_of, radio_res, viewing,
                        params, warnings)
    camera_loads = []
    for i, c in enumerate(cams):
        r = radio_res.get(i, {})
        camera_loads.append(CameraLoad(
            id=c.id, connection=str(c.connection), peak_mbps=float(peak[i]), recorded_mbps=float(rec[i]),
            storage_centre_id=store_of.get(i, ""), radio_site_id=r.get("site", c.radio_site_id),
            sector=r.get("sector", -1), sinr_db=r.get("sinr", math.nan), throughput_mbps=r.get("tput", math.nan),
            unserved_reason=r.get("reason", "")))
    progress(1.0, "done")
    return NetworkResult(phases=params.phases, cameras=tuple(camera_loads),
                         sectors=tuple(radio_res.get("sectors", ())), links=tuple(link_loads),
                         storage=tuple(storage_loads), viewing=tuple(viewing), warnings=tuple(warnings),
                         params=params)


# ------------------------------------------------------------------ radio
def _model_for(freq_mhz: float, requested: str) -> str:
    if requested != "auto":
        return requested
    return radio.model_for_frequency(freq_mhz).value


def _assign_radio(cams: list[Camera], sites: list[RadioSite], peak: np.ndarray, params: NetworkParams,
                  warnings: list[str]) -> dict[Any, Any]:
    wireless = [i for i, c in enumerate(cams) if c.connection == Connection.WIRELESS]
    out: dict[Any, Any] = {"sectors": []}
    if not wireless:
        return out
    radio_sites = [s for s in sites if s.has_sectors and s.sectors]
    if not radio_sites:
        warnings.append(f"{len(wireless)} wireless camera(s) but no radio site with sectors")
        for i in wireless:
            out[i] = {"reason": netk.OUT_OF_RANGE, "site": ""}
        return out
    sec_xy, sec_az, sec_h, sec_site, sec_idx = [], [], [], [], []
    for s in radio_sites:
        for k, az in enumerate(s.sector_azimuths_deg):
            sec_xy.append(s.xy)
            sec_az.append(az)
            sec_h.append(s.height_m)
            sec_site.append(s)
            sec_idx.append(k)
    cap = np.array([radio.sector_uplink_capacity(
        s.channel_mhz, spectral_efficiency_bps_hz=params.spectral_efficiency_bps_hz, duplex=params.duplex,
        tdd_config=params.tdd_config, planning_load=params.planning_load).plannable_mbps for s in sec_site])
    cam_xy = np.array([cams[i].xy for i in wireless])
    freqs = sorted({s.freq_mhz for s in radio_sites})
    if len(freqs) > 1:
        warnings.append(f"radio sites use several frequencies {freqs}; path loss computed per site frequency")
    pl = np.empty((len(wireless), len(sec_xy)))
    for f in freqs:
        cols = [j for j, s in enumerate(sec_site) if s.freq_mhz == f]
        model = _model_for(f, params.pathloss_model)
        env = params.environment if model in ("hata", "cost231") else ("nlos" if params.environment not in (
            "los", "nlos") else params.environment)
        pl[:, cols] = netk.path_loss_matrix(
            cam_xy, np.array(sec_xy)[cols], freq_mhz=f,
            camera_height_m=np.array([cams[i].height_m for i in wireless]),
            sector_height_m=np.array(sec_h)[cols], model=model, environment=env)
    gains = {s.antenna_gain_dbi for s in radio_sites}
    budget = radio.LinkBudget(rx_antenna_gain_dbi=float(np.mean(list(gains))))
    beam = 360.0 / max(max(s.sectors for s in radio_sites), 1)
    res = netk.assign_cameras_to_sectors(
        cam_xy, np.array(sec_xy), camera_bitrate_mbps=peak[wireless], sector_capacity_mbps=cap,
        sector_azimuth_deg=np.array(sec_az), sector_beamwidth_deg=max(beam, 120.0) if beam < 360 else 360.0,
        path_loss_db=pl, budget=budget, allocation_prbs=params.allocation_prbs)
    reasons = dict(res.unserved)
    for k, i in enumerate(wireless):
        j = int(res.sector[k])
        out[i] = {"site": sec_site[j].id if j >= 0 else "", "sector": sec_idx[j] if j >= 0 else -1,
                  "sinr": float(res.sinr_db[k]), "tput": float(res.throughput_mbps[k]),
                  "reason": reasons.get(k, "")}
    counts = np.bincount(res.sector[res.sector >= 0], minlength=len(sec_xy))
    out["sectors"] = [SectorLoad(site_id=sec_site[j].id, sector=sec_idx[j], azimuth_deg=float(sec_az[j]),
                                 cameras=int(counts[j]), load_mbps=float(res.sector_load_mbps[j]),
                                 capacity_mbps=float(cap[j]), utilisation=float(res.sector_utilisation[j]))
                      for j in range(len(sec_xy))]
    if res.unserved:
        warnings.append(f"{len(res.unserved)} wireless camera(s) unserved: "
                        + ", ".join(f"{v} {k}" for k, v in _count_by(r for _, r in res.unserved).items()))
    return out


# ---------------------------------------------------------------- storage
def _layout(sc: StorageCentre, params: NetworkParams) -> storage.StorageLayout:
    return storage.StorageLayout(raid_level=sc.raid_level, raid_group_size=sc.raid_group_size, disk_tb=sc.disk_tb,
                                 hot_spares=0, fs_reserve=params.fs_reserve, growth_margin=params.growth_margin)


def _assign_storage(project: Project, cams: list[Camera], centres: list[StorageCentre], rec: np.ndarray,
                    params: NetworkParams, warnings: list[str]) -> dict[int, str]:
    if not centres:
        if cams:
            warnings.append("no storage centre: recordings are not stored anywhere")
        return {}
    primaries = [s for s in centres if s.role == StorageRole.DISTRIBUTED] or list(centres)
    pxy = np.array([s.xy for s in primaries])
    ids = {s.id for s in centres}
    out: dict[int, str] = {}
    if params.storage_assignment == "hand":
        for i, c in enumerate(cams):
            if c.storage_centre_id in ids:
                out[i] = c.storage_centre_id
            else:
                j = int(np.argmin(np.hypot(*(pxy - np.array(c.xy)).T)))
                out[i] = primaries[j].id
        return out
    if params.storage_assignment == "district":
        if not len(project.districts):
            raise InvalidInputError("`storage_assignment` 'district' needs districts in the project")
        import shapely

        d = project.districts
        level = d["level"].value_counts().idxmin()  # the coarsest level (fewest districts)
        d = d[d["level"] == level]
        cxy = shapely.points([c.xy for c in cams])
        tree = shapely.STRtree(d.geometry.values)
        hit = tree.query(cxy, predicate="within")
        district_of = dict(zip(hit[0].tolist(), hit[1].tolist(), strict=True))
        centroids = {k: g.representative_point() for k, g in enumerate(d.geometry.values)}
        for i, c in enumerate(cams):
            k = district_of.get(i)
            p = np.array(c.xy) if k is None else np.array([centroids[k].x, centroids[k].y])
            out[i] = primaries[int(np.argmin(np.hypot(*(pxy - p).T)))].id
        return out
    # proximity within capacity: fill nearest centres first up to the retention target
    per_day = np.array([storage.bytes_per_camera_day(r) if r > 0 else 0.0 for r in rec]) / 1e12
    budget = {s.id: s.capacity_tb * storage.usable_fraction(_layout(s, params)).value
              / project.parameters.retention_target_days for s in primaries}
    order = np.argsort(-per_day, kind="stable")
    used = {s.id: 0.0 for s in primaries}
    overflow = 0
    for i in order:
        d = np.hypot(*(pxy - np.array(cams[i].xy)).T)
        for j in np.argsort(d, kind="stable"):
            sid = primaries[int(j)].id
            if used[sid] + per_day[i] <= budget[sid] + 1e-12:
                out[int(i)] = sid
                used[sid] += per_day[i]
                break
        else:
            sid = primaries[int(np.argmin(d))].id
            out[int(i)] = sid
            used[sid] += per_day[i]
            overflow += 1
    if overflow:
        warnings.append(f"{overflow} camera(s) did not fit any storage centre at the "
                        f"{project.parameters.retention_target_days:g}-day target; put on the nearest")
    return out


def _storage_loads(project: Project, cams: list[Camera], centres: list[StorageCentre], rec: np.ndarray,
                   store_of: dict[int, str], params: NetworkParams, warnings: list[str]) -> list[StorageLoad]:
    daily = (np.array([storage.bytes_per_camera_day(r) if r > 0 else 0.0 for r in rec]) if len(rec)
             else np.zeros(0))  # an unserved camera records nothing
    by_centre: dict[str, list[int]] = {s.id: [] for s in centres}
    for i, sid in store_of.items():
        by_centre[sid].append(i)
    target = project.parameters.retention_target_days
    jur = project.parameters.jurisdiction
    out = []
    for s in centres:
        own = by_centre[s.id]
        copied: list[int] = []
        for other in s.copy_of:
            copied.extend(by_centre.get(other, []))
        if s.role == StorageRole.CENTRAL and not s.copy_of and not own and len(centres) > 1:
            warnings.append(f"central storage {s.id} holds no camera and copies no centre")
        idx = own + copied
        day_tb = float(daily[idx].sum()) / 1e12 if idx else 0.0
        layout = _layout(s, params)
        uf = storage.usable_fraction(layout)
        factors = {"raid_efficiency": uf.raid_efficiency, "hot_spare_share": uf.hot_spare_share,
                   "fs_reserve": uf.fs_reserve, "growth_margin": uf.growth_margin}
        if idx:
            raw_days = s.capacity_tb / day_tb
            days = raw_days * uf.value
            mean_rate = float(rec[idx].mean())
            need = storage.capacity_for_retention(target, bitrate_mbps=mean_rate, cameras=len(idx), layout=layout)
            implied = storage.implied_bitrate_mbps(s.capacity_tb, cameras=len(idx), retention_days=target,
                                                   usable_fraction=uf.value)
            need_tb, disks = need.raw_tb, need.disks
        else:
            raw_days = days = math.inf
            need_tb, disks, implied = 0.0, 0, math.inf
        status, message, flagged = "", "", False
        if jur and idx:
            try:
                chk = storage.legal_retention_check(days, jurisdiction=jur)
                status, message, flagged = str(chk.status), chk.message, chk.flagged
            except InvalidInputError:
                status, message = "unknown", f"{jur}: no retention rule on file"
        if idx and days < target - 1e-9:
            flagged = True
            message = (message + "; " if message else "") + \
                f"{days:.1f} days is short of the {target:g}-day retention target"
        out.append(StorageLoad(
            id=s.id, name=s.name, role=str(s.role), cameras=len(own), copied_cameras=len(copied), daily_tb=day_tb,
            capacity_tb=s.capacity_tb, usable_fraction=uf.value, usable_factors=factors,
            retention_days_raw=raw_days, retention_days=days, target_days=target,
            capacity_needed_raw_tb=float(need_tb), disks_needed=int(disks),
            implied_bitrate_mbps_for_target=float(implied), legal_status=status, legal_message=message,
            flagged=flagged))
    return out


# ----------------------------------------------------------------- viewing
def _viewing(commands: list[CommandCentre], params: NetworkParams) -> list[ViewingLoad]:
    out = []
    b = params.live_stream_mbps
    for c in commands:
        streams = c.video_wall_tiles + c.remote_viewers
        # wall tiles are watched by the room (one viewer each); remote viewers each pull a stream,
        # and under unicast every operator desk also pulls what it shows on its own screens
        viewers = np.ones(streams) if streams else np.zeros(0)
        if streams:
            viewers[: c.video_wall_tiles] = max(c.operators, 1)
        uni = netk.live_viewing_load(viewers, stream_bitrate_mbps=b, multicast=False).shared_link_mbps if streams else 0
        multi = netk.live_viewing_load(viewers, stream_bitrate_mbps=b, multicast=True).shared_link_mbps if streams else 0
        out.append(ViewingLoad(id=c.id, name=c.name, multicast=c.multicast, streams=int(streams),
                               viewers=int(viewers.sum()) if streams else 0,
                               load_mbps=float(multi if c.multicast else uni),
                               unicast_mbps=float(uni), multicast_mbps=float(multi)))
    return out


# ------------------------------------------------------------------ routing
def _route(project: Project, links: list[Link], cams: list[Camera], sites: list[RadioSite],
           centres: list[StorageCentre], commands: list[CommandCentre], rec: np.ndarray, store_of: dict[int, str],
           radio_res: dict[Any, Any], viewing: list[ViewingLoad], params: NetworkParams,
           warnings: list[str]) -> list[LinkLoad]:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import shortest_path

    if not links:
        return []
    ids = sorted({lk.from_id for lk in links} | {lk.to_id for lk in links})
    pos = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    rows, cols, w = [], [], []
    for lk in links:
        a, b = project.node(lk.from_id), project.node(lk.to_id)
        length = max(math.hypot(a.x - b.x, a.y - b.y), 1.0)
        rows += [pos[lk.from_id], pos[lk.to_id]]
        cols += [pos[lk.to_id], pos[lk.from_id]]
        w += [length, length]
    graph = csr_matrix((w, (rows, cols)), shape=(n, n))
    edge_of = {}
    for k, lk in enumerate(links):
        edge_of[(pos[lk.from_id], pos[lk.to_id])] = k
        edge_of[(pos[lk.to_id], pos[lk.from_id])] = k
    flows: dict[tuple[str, str], float] = {}

    def add(src: str, dst: str, mbps: float) -> None:
        if src == dst or mbps <= 0:
            return
        flows[(src, dst)] = flows.get((src, dst), 0.0) + mbps

    for i, c in enumerate(cams):
        sid = store_of.get(i)
        if not sid:
            continue
        if c.connection == Connection.WIRELESS:
            site = radio_res.get(i, {}).get("site", "")
            if site:
                add(site, sid, float(rec[i]))
        elif c.id in pos:
            add(c.id, sid, float(rec[i]))
    per_centre: dict[str, float] = {}
    for i, sid in store_of.items():
        per_centre[sid] = per_centre.get(sid, 0.0) + float(rec[i])
    for s in centres:
        for other in s.copy_of:
            add(other, s.id, per_centre.get(other, 0.0))
    central = [s for s in centres if s.role == StorageRole.CENTRAL]
    for v in viewing:
        cmd = project.node(v.id)
        src = central or centres
        if not src or cmd.id not in pos:
            continue
        dists = [math.hypot(s.x - cmd.x, s.y - cmd.y) for s in src]
        add(src[int(np.argmin(dists))].id, cmd.id, v.load_mbps)

    carried = np.zeros(len(links))
    sources = sorted({pos[s] for s, _ in flows if s in pos})
    if sources:
        _, pred = shortest_path(graph, directed=False, indices=sources, return_predecessors=True)
        row_of = {src: r for r, src in enumerate(sources)}
        unrouted = 0
        for (src_id, dst_id), mbps in flows.items():
            if src_id not in pos or dst_id not in pos:
                unrouted += 1
                continue
            r = row_of[pos[src_id]]
            cur = pos[dst_id]
            if pred[r, cur] < 0 and cur != pos[src_id]:
                unrouted += 1
                continue
            while cur != pos[src_id]:
                prev = int(pred[r, cur])
                carried[edge_of[(prev, cur)]] += mbps
                cur = prev
        if unrouted:
            warnings.append(f"{unrouted} traffic flow(s) have no path over the project's links")
    out = []
    for k, lk in enumerate(links):
        design = carried[k] * (1 + params.overhead) * params.peak_factor
        limit = params.microwave_utilisation_limit if lk.kind == LinkKind.MICROWAVE else 1.0
        util = design / lk.capacity_mbps
        fres = _fresnel(project, lk) if lk.kind == LinkKind.MICROWAVE else None
        out.append(LinkLoad(id=lk.id, kind=str(lk.kind), from_id=lk.from_id, to_id=lk.to_id,
                            carried_mbps=float(carried[k]), design_mbps=float(design),
                            capacity_mbps=float(lk.capacity_mbps), utilisation=float(util), limit=limit,
                            overloaded=bool(util > limit + 1e-12),
                            fresnel_clear=None if fres is None else fres.clear,
                            fresnel_min_ratio=None if fres is None else fres.min_clearance_ratio))
        if fres is not None and not fres.clear:
            warnings.append(f"microwave link {lk.id}: 0.6 F1 Fresnel clearance not met over the DEM "
                            f"(min clearance {fres.min_clearance_ratio:.2f} F1)")
    over = [lk.id for lk in out if lk.overloaded]
    if over:
        warnings.append(f"{len(over)} overloaded link(s): {', '.join(over[:10])}")
    return out


def _node_height(node: Node) -> float:
    return float(getattr(node, "height_m", 20.0))


def _fresnel(project: Project, lk: Link) -> radio.FresnelClearance | None:
    """0.6 F1 clearance of a microwave hop over the project DEM (None without a DEM or frequency)."""
    dem = project.dem
    if dem is None or lk.freq_ghz <= 0:
        return None
    a, b = project.node(lk.from_id), project.node(lk.to_id)
    length = math.hypot(a.x - b.x, a.y - b.y)
    if length < 1.0:
        return None
    step = max(min(dem.resolution_m) / 2.0, 1.0)
    n = max(int(length // step) + 1, 3)
    t = np.linspace(0.0, 1.0, n)
    xs, ys = a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t
    z = sample_raster(dem, xs, ys)
    if not np.all(np.isfinite(z)):
        return None
    return radio.fresnel_clearance(t * length, z, tx_height_m=_node_height(a), rx_height_m=_node_height(b),
                                   freq_mhz=lk.freq_ghz * 1000.0)


def sample_raster(r: Any, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Bilinear samples of a :class:`planner.model.project.Raster` at map coordinates (NaN outside)."""
    from planner.analysis.raster import bilinear_sample

    return bilinear_sample(r.array, r.transform, xs, ys, nodata=r.nodata)


__all__ = ["NetworkParams", "NetworkResult", "run_network", "sample_raster", "select_phases"]
