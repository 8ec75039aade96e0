"""Network loads: cameras to radio sectors, link loads over a tree, live viewing.

Pure numpy kernels (docs/reference.md §R6, §R8.5); the project model
is adapted to them elsewhere.

* :func:`assign_cameras_to_sectors`: greedy admission. Cameras are taken in
  order of their best SINR (strongest first) and given to the best-SINR sector
  that still has room; a camera whose link cannot carry its bitrate to any
  sector is ``"out of range"``, one that could but found every such sector
  full is ``"sector full"``.
* :func:`aggregate_link_loads`: load of each link of a tree (camera -> ... ->
  centre) = sum of the loads below it; design load =
  ``carried * (1 + overhead) * peak_factor`` (protocol/TCP overhead 3-7 %,
  5 % default; peaks 1.5x per moonfire data).
* :func:`live_viewing_load`: unicast sends one copy per viewer (and recorder),
  multicast one copy per distinct viewed stream (48 viewers of one 4 Mb/s
  camera: 192 Mb/s unicast vs 4 Mb/s multicast).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.analysis.progress import ProgressFn, no_progress
from planner.analysis.radio import (
    PRB_HZ,
    LinkBudget,
    PathLossModel,
    cost231_loss_db,
    fspl_db,
    hata_loss_db,
    tr38901_loss_db,
    uplink_throughput,
)
from planner.errors import InvalidInputError

__all__ = [
    "OUT_OF_RANGE",
    "SECTOR_FULL",
    "LinkLoads",
    "LiveViewingLoad",
    "SectorAssignment",
    "aggregate_link_loads",
    "assign_cameras_to_sectors",
    "live_viewing_load",
    "path_loss_matrix",
]

OUT_OF_RANGE = "out of range"
SECTOR_FULL = "sector full"


def _xy(name: str, xy: ArrayLike) -> NDArray[np.float64]:
    a = np.asarray(xy, dtype=float)
    if a.ndim != 2 or a.shape[1] != 2 or not np.all(np.isfinite(a)):
        msg = f"`{name}` must be a finite (n, 2) array of x, y in metres; got shape {a.shape}"
        raise InvalidInputError(msg)
    return a


def _per(name: str, value: ArrayLike, n: int, *, positive: bool = True) -> NDArray[np.float64]:
    a = np.broadcast_to(np.asarray(value, dtype=float), (n,)).astype(float) if np.ndim(value) == 0 else np.asarray(
        value, dtype=float
    )
    if a.shape != (n,):
        msg = f"`{name}` must be a scalar or have length {n}; got shape {a.shape}"
        raise InvalidInputError(msg)
    ok = np.isfinite(a) & ((a > 0) if positive else (a >= 0))
    if not np.all(ok):
        msg = f"`{name}` must be {'positive' if positive else '>= 0'} and finite; got {a[~ok][0]}"
        raise InvalidInputError(msg)
    return a


def path_loss_matrix(
    camera_xy: ArrayLike,
    sector_xy: ArrayLike,
    *,
    freq_mhz: float,
    camera_height_m: ArrayLike = 6.0,
    sector_height_m: ArrayLike = 30.0,
    model: PathLossModel | str = PathLossModel.HATA,
    environment: str | None = None,
    extrapolate: bool = True,
    min_distance_m: float = 10.0,
) -> NDArray[np.float64]:
    """Path loss (dB) from every camera to every sector, shape ``(n_cameras, n_sectors)``.

    Distances are planar (projected CRS, metres), floored at ``min_distance_m``.
    ``extrapolate`` defaults to True because city camera links are often shorter
    than Hata's 1 km; ITM needs terrain profiles and is not offered here (pass a
    precomputed ``path_loss_db`` to :func:`assign_cameras_to_sectors`).
    """
    cam = _xy("camera_xy", camera_xy)
    sec = _xy("sector_xy", sector_xy)
    hm = _per("camera_height_m", camera_height_m, len(cam))[:, None]
    hb = _per("sector_height_m", sector_height_m, len(sec))[None, :]
    d_m = np.hypot(cam[:, None, 0] - sec[None, :, 0], cam[:, None, 1] - sec[None, :, 1])
    d_m = np.maximum(d_m, float(min_distance_m))
    m = PathLossModel(str(model).strip().lower())
    if m is PathLossModel.FSPL:
        return np.asarray(fspl_db(freq_mhz, d_m / 1e3))
    if m in (PathLossModel.HATA, PathLossModel.COST231):
        fn = hata_loss_db if m is PathLossModel.HATA else cost231_loss_db
        return np.asarray(
            fn(freq_mhz, d_m / 1e3, base_height_m=hb, mobile_height_m=hm, environment=environment or "urban",
               extrapolate=extrapolate)
        )
    if m in (PathLossModel.UMA, PathLossModel.UMI):
        env = (environment or "nlos").lower()
        if env not in ("los", "nlos"):
            msg = f"`environment` must be 'los' or 'nlos' for {m.value}; got {environment!r}"
            raise InvalidInputError(msg)
        return np.asarray(
            tr38901_loss_db(freq_mhz, d_m, scenario=m.value, los=env == "los", bs_height_m=hb, ut_height_m=hm,
                            extrapolate=extrapolate)
        )
    msg = f"`model` must be fspl, hata, cost231, uma or umi for a matrix; got {m.value!r}"
    raise InvalidInputError(msg)


@dataclass(frozen=True)
class SectorAssignment:
    """Cameras assigned to radio sectors.

    Attributes
    ----------
    sector
        Sector index per camera, -1 when unserved.
    sinr_db
        SINR to the assigned sector (best sector for unserved cameras).
    throughput_mbps
        Achievable throughput on the allocation to the assigned (or best) sector.
    sector_load_mbps
        Sum of assigned cameras' bitrates per sector.
    sector_capacity_mbps
        Plannable capacity per sector.
    sector_utilisation
        ``load / capacity``.
    unserved
        ``(camera index, reason)`` with reason ``"out of range"`` or ``"sector full"``.
    """

    sector: NDArray[np.int64]
    sinr_db: NDArray[np.float64]
    throughput_mbps: NDArray[np.float64]
    sector_load_mbps: NDArray[np.float64]
    sector_capacity_mbps: NDArray[np.float64]
    sector_utilisation: NDArray[np.float64]
    unserved: tuple[tuple[int, str], ...]

    @property
    def served_count(self) -> int:
        """Cameras with a sector."""
        return int(np.sum(self.sector >= 0))


def _in_sector(
    camera_xy: NDArray[np.float64], sector_xy: NDArray[np.float64], azimuth_deg: ArrayLike | None, beamwidth_deg: float
) -> NDArray[np.bool_]:
    n, m = len(camera_xy), len(sector_xy)
    if azimuth_deg is None:
        return np.ones((n, m), dtype=bool)
    az = _per("sector_azimuth_deg", azimuth_deg, m, positive=False)
    if not 0 < beamwidth_deg <= 360:
        msg = f"`sector_beamwidth_deg` must be in (0, 360]; got {beamwidth_deg}"
        raise InvalidInputError(msg)
    dx = camera_xy[:, None, 0] - sector_xy[None, :, 0]
    dy = camera_xy[:, None, 1] - sector_xy[None, :, 1]
    bearing = np.degrees(np.arctan2(dx, dy)) % 360.0  # clockwise from north (y up)
    diff = np.abs((bearing - az[None, :] + 180.0) % 360.0 - 180.0)
    return diff <= beamwidth_deg / 2.0 + 1e-9


def assign_cameras_to_sectors(
    camera_xy: ArrayLike,
    sector_xy: ArrayLike,
    *,
    camera_bitrate_mbps: ArrayLike,
    sector_capacity_mbps: ArrayLike,
    freq_mhz: float = 1447.0,
    camera_height_m: ArrayLike = 6.0,
    sector_height_m: ArrayLike = 30.0,
    sector_azimuth_deg: ArrayLike | None = None,
    sector_beamwidth_deg: float = 120.0,
    model: PathLossModel | str = PathLossModel.HATA,
    environment: str | None = None,
    path_loss_db: ArrayLike | None = None,
    budget: LinkBudget | None = None,
    allocation_prbs: int = 25,
    progress: ProgressFn = no_progress,
) -> SectorAssignment:
    """Assign wireless cameras to radio sectors within capacity (greedy by best SINR).

    For every camera-sector pair the uplink SINR and throughput on an allocation of
    ``allocation_prbs`` PRBs follow :func:`planner.analysis.radio.uplink_throughput`
    (link budget ``budget``); the link is usable when it lies in the sector's
    azimuth wedge and its throughput covers the camera's bitrate. Cameras are
    processed from the highest best-SINR down; each takes its best usable sector
    whose ``load + bitrate <= sector_capacity_mbps`` (e.g.
    :attr:`planner.analysis.radio.SectorCapacity.plannable_mbps`).

    Parameters
    ----------
    camera_xy, sector_xy
        ``(n, 2)`` / ``(m, 2)`` projected coordinates, metres. A three-sector
        site appears three times with different azimuths.
    camera_bitrate_mbps
        Uplink bitrate per camera (scalar or ``(n,)``).
    sector_capacity_mbps
        Plannable uplink capacity per sector (scalar or ``(m,)``).
    freq_mhz, camera_height_m, sector_height_m, model, environment
        Path-loss inputs for :func:`path_loss_matrix` (ignored with ``path_loss_db``).
    sector_azimuth_deg, sector_beamwidth_deg
        Sector pointing (clockwise from north) and width; None = omni.
    path_loss_db
        Precomputed ``(n, m)`` path-loss matrix (e.g. from ITM over terrain).
    budget
        Link budget; defaults of :class:`LinkBudget`.
    allocation_prbs
        PRBs one camera may use.
    progress
        Progress callback.
    """
    cam = _xy("camera_xy", camera_xy)
    sec = _xy("sector_xy", sector_xy)
    n, m = len(cam), len(sec)
    if m == 0:
        msg = "`sector_xy` must contain at least one sector; got none"
        raise InvalidInputError(msg)
    rate = _per("camera_bitrate_mbps", camera_bitrate_mbps, n)
    cap = _per("sector_capacity_mbps", sector_capacity_mbps, m)
    if int(allocation_prbs) < 1:
        msg = f"`allocation_prbs` must be >= 1; got {allocation_prbs}"
        raise InvalidInputError(msg)
    progress(0.0, "path loss")
    if path_loss_db is None:
        pl = path_loss_matrix(
            cam, sec, freq_mhz=freq_mhz, camera_height_m=camera_height_m, sector_height_m=sector_height_m,
            model=model, environment=environment,
        )
    else:
        pl = np.asarray(path_loss_db, dtype=float)
        if pl.shape != (n, m) or not np.all(np.isfinite(pl)):
            msg = f"`path_loss_db` must be a finite ({n}, {m}) array; got shape {pl.shape}"
            raise InvalidInputError(msg)
    bw = int(allocation_prbs) * PRB_HZ
    thr = uplink_throughput(pl.ravel(), bandwidth_hz=bw, budget=budget)
    sinr = thr.sinr_db.reshape(n, m)
    tput = thr.throughput_mbps.reshape(n, m)
    usable = _in_sector(cam, sec, sector_azimuth_deg, sector_beamwidth_deg) & (tput >= rate[:, None] - 1e-12)
    progress(0.5, "assigning")
    ranked_sinr = np.where(usable, sinr, -np.inf)
    best = np.max(np.where(usable, sinr, -np.inf), axis=1) if m else np.full(n, -np.inf)
    order = np.argsort(-np.where(np.isfinite(best), best, np.max(sinr, axis=1) - 1e6), kind="stable")
    load = np.zeros(m)
    sector = np.full(n, -1, dtype=np.int64)
    unserved: list[tuple[int, str]] = []
    for k, i in enumerate(order):
        cands = np.flatnonzero(usable[i])
        if cands.size == 0:
            unserved.append((int(i), OUT_OF_RANGE))
            continue
        cands = cands[np.argsort(-ranked_sinr[i, cands], kind="stable")]
        fits = cands[load[cands] + rate[i] <= cap[cands] + 1e-9]
        if fits.size == 0:
            unserved.append((int(i), SECTOR_FULL))
            continue
        j = int(fits[0])
        sector[i] = j
        load[j] += rate[i]
        if k % 1024 == 0:
            progress(0.5 + 0.5 * k / max(n, 1), "assigning")
    pick = np.where(sector >= 0, sector, np.argmax(sinr, axis=1))
    rows = np.arange(n)
    progress(1.0, "done")
    return SectorAssignment(
        sector=sector,
        sinr_db=sinr[rows, pick] if n else np.zeros(0),
        throughput_mbps=tput[rows, pick] if n else np.zeros(0),
        sector_load_mbps=load,
        sector_capacity_mbps=cap,
        sector_utilisation=load / cap,
        unserved=tuple(sorted(unserved)),
    )


@dataclass(frozen=True)
class LinkLoads:
    """Loads of the links of a tree (one link per non-root node, to its parent).

    Attributes
    ----------
    carried_mbps
        Sum of node loads in the subtree below each link (0 for roots).
    design_mbps
        ``carried * (1 + overhead) * peak_factor``.
    capacity_mbps
        Link capacities (inf where not given).
    utilisation
        ``design / capacity``.
    overloaded
        ``utilisation > utilisation_limit``.
    overhead, peak_factor, utilisation_limit
        Inputs.
    """

    carried_mbps: NDArray[np.float64]
    design_mbps: NDArray[np.float64]
    capacity_mbps: NDArray[np.float64]
    utilisation: NDArray[np.float64]
    overloaded: NDArray[np.bool_]
    overhead: float
    peak_factor: float
    utilisation_limit: float


def aggregate_link_loads(
    parent: ArrayLike,
    *,
    node_load_mbps: ArrayLike,
    link_capacity_mbps: ArrayLike | None = None,
    overhead: float = 0.05,
    peak_factor: float = 1.5,
    utilisation_limit: float = 1.0,
) -> LinkLoads:
    """Aggregate loads up a tree of links (vectorised by depth).

    ``carried[i] = node_load[i] + sum(carried[c] for children c of i)`` is what the
    link from node ``i`` to ``parent[i]`` carries; ``design = carried * (1 + overhead) *
    peak_factor`` (protocol/TCP overhead 3-7 %, Freedom VMS; 1.5x peaks, moonfire).
    Radio links should be planned with ``utilisation_limit`` 0.7-0.8.

    Parameters
    ----------
    parent
        Parent index per node, -1 for roots (storage/control centres).
    node_load_mbps
        Load generated at each node (cameras' uplink; 0 for relays).
    link_capacity_mbps
        Capacity of each node's link to its parent (inf or None = unconstrained).
    overhead, peak_factor, utilisation_limit
        See above.
    """
    par = np.asarray(parent)
    if par.ndim != 1 or not np.issubdtype(par.dtype, np.integer):
        msg = f"`parent` must be a 1-D integer array; got dtype {par.dtype} shape {par.shape}"
        raise InvalidInputError(msg)
    n = par.size
    if np.any((par < -1) | (par >= n)) or np.any(par == np.arange(n)):
        bad = par[(par < -1) | (par >= n) | (par == np.arange(n))][0]
        msg = f"`parent` must hold -1 or another node index in [0, {n}); got {bad}"
        raise InvalidInputError(msg)
    load = _per("node_load_mbps", node_load_mbps, n, positive=False)
    if link_capacity_mbps is None:
        cap = np.full(n, np.inf)
    else:
        cap = np.asarray(link_capacity_mbps, dtype=float)
        if cap.shape != (n,) or np.any(np.isnan(cap)) or np.any(cap <= 0):
            msg = f"`link_capacity_mbps` must be ({n},) positive values (inf allowed)"
            raise InvalidInputError(msg)
    if overhead < 0 or overhead >= 1:
        msg = f"`overhead` must be in [0, 1); got {overhead}"
        raise InvalidInputError(msg)
    if peak_factor < 1:
        msg = f"`peak_factor` must be >= 1; got {peak_factor}"
        raise InvalidInputError(msg)
    if not 0 < utilisation_limit <= 1:
        msg = f"`utilisation_limit` must be in (0, 1]; got {utilisation_limit}"
        raise InvalidInputError(msg)
    # depth by pointer jumping; a cycle never reaches a root
    depth = np.zeros(n, dtype=np.int64)
    cur = par.copy()
    for _ in range(n + 1):
        active = cur >= 0
        if not np.any(active):
            break
        depth[active] += 1
        cur[active] = par[cur[active]]
    else:
        msg = "`parent` contains a cycle; links must form a tree rooted at -1"
        raise InvalidInputError(msg)
    carried = load.copy()
    for lvl in range(int(depth.max(initial=0)), 0, -1):
        idx = np.flatnonzero(depth == lvl)
        np.add.at(carried, par[idx], carried[idx])
    is_root = par < 0
    link_carried = np.where(is_root, 0.0, carried)
    design = link_carried * (1.0 + overhead) * peak_factor
    util = np.divide(design, cap, out=np.zeros(n), where=np.isfinite(cap))
    return LinkLoads(
        carried_mbps=link_carried,
        design_mbps=design,
        capacity_mbps=cap,
        utilisation=util,
        overloaded=util > utilisation_limit + 1e-12,
        overhead=float(overhead),
        peak_factor=float(peak_factor),
        utilisation_limit=float(utilisation_limit),
    )


@dataclass(frozen=True)
class LiveViewingLoad:
    """Live-viewing load on camera uplinks and on the shared backhaul.

    Attributes
    ----------
    camera_uplink_mbps
        Per stream: what leaves the camera for viewers (and unicast recorders).
    shared_link_mbps
        What the shared link toward the viewing centre carries.
    multicast
        Mode used.
    """

    camera_uplink_mbps: NDArray[np.float64]
    shared_link_mbps: float
    multicast: bool


def live_viewing_load(
    viewers: ArrayLike,
    *,
    stream_bitrate_mbps: ArrayLike,
    multicast: bool,
    recorders: int = 0,
) -> LiveViewingLoad:
    """Live-viewing load under unicast or multicast (docs/reference.md §R6.2, T35).

    Unicast: each viewer gets its own copy, so a camera sends ``b * (recorders +
    viewers)`` and the shared link carries ``sum(b * viewers)``. Multicast: one
    copy per link toward any subscribed receiver, so the camera sends ``b`` (if
    anyone watches or records) and the shared link carries ``sum(b)`` over the
    **distinct** streams viewed. 48 viewers of one 4 Mb/s camera: 192 vs 4 Mb/s.

    Parameters
    ----------
    viewers
        Viewers per stream (``(k,)`` whole numbers >= 0).
    stream_bitrate_mbps
        Bitrate per stream (scalar or ``(k,)``).
    multicast
        True for multicast (IGMP/PIM configured on the routers).
    recorders
        Recorders pulling each stream (add to the camera uplink only).
    """
    v = np.atleast_1d(np.asarray(viewers, dtype=float))
    if v.ndim != 1 or np.any(~np.isfinite(v)) or np.any(v < 0) or np.any(v != np.round(v)):
        msg = f"`viewers` must be whole numbers >= 0; got {viewers!s}"
        raise InvalidInputError(msg)
    b = _per("stream_bitrate_mbps", stream_bitrate_mbps, v.size)
    if int(recorders) < 0:
        msg = f"`recorders` must be >= 0; got {recorders}"
        raise InvalidInputError(msg)
    if multicast:
        watched = (v > 0) | (int(recorders) > 0)
        uplink = np.where(watched, b, 0.0)
        shared = float(np.sum(b[v > 0]))
    else:
        uplink = b * (v + int(recorders))
        shared = float(np.sum(b * v))
    return LiveViewingLoad(camera_uplink_mbps=uplink, shared_link_mbps=shared, multicast=bool(multicast))
