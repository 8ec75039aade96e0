"""Placement optimisation use-cases shared by the CLI (``planner optimise``) and the app.

* :func:`optimise_table`: a coverage table (CSV) in, chosen sites out.
* :func:`optimise_project`: candidates and demand from a project
  (:mod:`planner.analysis.candidates`), then :func:`planner.analysis.optimise.optimise`.
* :func:`placement_command`: the chosen cameras as one undoable command
  (:class:`planner.model.commands.AddNodes`) in a new phase; the CLI pushes it
  on a command stack and saves with :func:`planner.workflows.save`.
* :func:`radio_sites_report` / :func:`storage_sites_report`: facility
  selection for the project's cameras (:mod:`planner.analysis.facility`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.analysis.candidates import (
    CandidateParams,
    CandidateSet,
    build_candidates,
    cameras_for,
)
from planner.analysis.optimise import CoverageInstance, OptimiseResult, optimise
from planner.analysis.progress import ProgressFn, no_progress, sub_progress
from planner.errors import InvalidInputError
from planner.io.coverage_table import read_coverage_table, write_coverage_table
from planner.model.commands import AddNodes, MacroCommand, SetResult
from planner.model.project import Project
from planner.model.results import DocumentRecord


@dataclass(frozen=True)
class Placement:
    """A placement run: the instance (and candidates when from a project) and the optimiser's result."""

    result: OptimiseResult
    instance: CoverageInstance
    candidates: CandidateSet | None = None

    def doc(self) -> dict[str, Any]:
        """The JSON document of ``planner optimise``."""
        r = self.result
        d = r.to_dict()
        d["coverage_before_pct"] = 100 * r.coverage_before
        d["coverage_after_pct"] = 100 * r.coverage_after
        cs = self.candidates
        if cs is not None:
            d["level"] = cs.params.level
            d["period"] = cs.params.period
            d["candidate_count"] = len(cs.candidates)
            d["existing_cameras"] = len(cs.existing_ids)
            d["demand_points"] = int(cs.instance.n_demand)
            if cs.params.demand == "streets":
                d["demand_street_km"] = cs.demand_length_m / 1000
            else:
                d["demand_area_km2"] = cs.demand_length_m / 1e6
            d["candidate_coverage_time_s"] = cs.coverage_time_s
            d["candidates_time_s"] = cs.time_s
            d["time_s"] = r.time_s + cs.time_s
            d["optimiser_time_s"] = r.time_s
            d["chosen"] = [{"id": c.id, "x": c.x, "y": c.y, "azimuth_deg": c.azimuth_deg, "source": c.source}
                           for c in (cs.candidate(i) for i in r.chosen_sites)]
            d["notes"] = list(r.notes) + list(cs.notes)
        return d

    def text(self) -> str:
        r = self.result
        unit = {"max-coverage": "covered weight", "backup-coverage": "coverage (up to depth)",
                "min-cameras": "cameras", "min-cost": "cost"}[r.model]
        status = "proven optimal" if r.optimal else (f"gap {100 * r.gap:.3g} %, not proven" if r.gap is not None
                                                     else "no bound")
        head = f"{r.model}: {r.cameras} site(s) chosen; {unit} {human_number(r.objective)} "
        head += (f"(bound {human_number(r.bound)}; {status}; {r.method}, {r.solver_status})" if r.bound is not None
                 else f"({status})")
        lines = [head,
                 (f"  coverage of the demand weight: {100 * r.coverage_before:.2f} % before, "
                  f"{100 * r.coverage_after:.2f} % after; seen twice: {100 * r.backup_before:.2f} % -> "
                  f"{100 * r.backup_after:.2f} %"),
                 (f"  greedy {human_number(r.greedy_objective)}; presolve: {r.presolve.get('demand_merged', 0)} merged demand "
                  f"points, {r.presolve.get('candidates_kept', 0)} of {r.presolve.get('candidates', 0)} candidates "
                  f"kept; {r.time_s:.2f} s")]
        cs = self.candidates
        if cs is not None:
            lines.insert(1, f"  {len(cs.candidates)} candidates ({len(cs.existing_ids)} existing cameras fixed), "
                            f"{cs.instance.n_demand} demand points on "
                            + (f"{cs.demand_length_m / 1000:.1f} km of street, " if cs.params.demand == "streets"
                               else f"{cs.demand_length_m / 1e6:.2f} km² of public space, ") +
                            f"level {cs.params.level} by {cs.params.period}; candidate coverage "
                            f"{cs.coverage_time_s:.1f} s")
            for n in cs.notes:
                lines.append(f"  note: {n}")
        for n in r.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)


def instance_from_table(path: str | os.PathLike[str], *, fixed: tuple[str, ...] = ()) -> CoverageInstance:
    t = read_coverage_table(path, fixed=fixed)
    return CoverageInstance.from_pairs(t.site_ids, t.demand_ids, t.pair_site, t.pair_demand,
                                       demand_weight=t.demand_weight, site_cost=t.site_cost, fixed=t.fixed)


def _check_counts(inst: CoverageInstance, cameras: int | None, where: str) -> None:
    free = int((~inst.fixed).sum())
    if cameras is not None and cameras > free:
        raise InvalidInputError(f"`--cameras` {cameras} is larger than the number of candidate sites ({free}) "
                                f"in {where}")


def optimise_table(path: str | os.PathLike[str], *, model: str = "max-coverage", cameras: int | None = None,
                   budget: float | None = None, target_share: float | None = None, depth: int = 2,
                   time_limit_s: float = 60.0, fixed: tuple[str, ...] = (),
                   progress: ProgressFn = no_progress) -> Placement:
    inst = instance_from_table(path, fixed=fixed)
    _check_counts(inst, cameras, f"`{path}`")
    res = optimise(inst, model=model, cameras=cameras, budget=budget, target_share=target_share, depth=depth,
                   time_limit_s=time_limit_s, progress=progress)
    return Placement(result=res, instance=inst)


def human_number(v: float) -> str:
    """A figure for people: thousands separated, no exponent (1,605,041 rather than 1.60504e+06)."""
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:,.6g}"


def run_cells(index: int, placement: Placement) -> tuple[str, ...]:
    """One optimiser run as the text of a comparison row: run, model, level, cameras, objective, coverage
    before and after, gap, and ``proven`` only with the solver's proof (the dialog's and the dashboard's)."""
    r = placement.result
    cs = placement.candidates
    level = f"{cs.params.level} by {cs.params.period}" if cs is not None else "–"
    return (str(index + 1), r.model, level, f"{r.cameras:,}", human_number(r.objective),
            f"{100 * r.coverage_before:.1f} %", f"{100 * r.coverage_after:.1f} %",
            "–" if r.gap is None else f"{100 * r.gap:.2f} %", "proven" if r.optimal is True else "not proven")


def read_point_layers(project: Project, sources: tuple[str, ...], *, option: str = "`--candidates`") -> dict[str, Any]:
    """Point files named in ``sources`` (not built-in sources nor project layers), read in the project CRS."""
    from planner.analysis.candidates import SOURCES
    from planner.io import vector

    out: dict[str, Any] = {}
    for s in sources:
        if s in SOURCES or s in project.layers:
            continue
        if not Path(s).exists():
            raise InvalidInputError(f"{option}: {s!r} is neither intersections, streets, corners, "
                                    f"a project layer ({', '.join(sorted(project.layers)) or 'none'}) nor a file")
        out[s] = vector.read_vector(s, family="point").to_crs(project.crs)
    return out


def optimise_project(project: Project, params: CandidateParams | None = None, *, model: str = "max-coverage",
                     cameras: int | None = None, budget: float | None = None, target_share: float | None = None,
                     depth: int = 2, time_limit_s: float = 60.0, executor: Any = None,
                     progress: ProgressFn = no_progress, export_table: str | os.PathLike[str] | None = None
                     ) -> Placement:
    """Build candidates and demand from ``project`` and optimise (the project is not changed)."""
    params = params or CandidateParams()
    layers = read_point_layers(project, params.sources + ((params.incidents,) if params.incidents else ()),
                               option="`--candidates`/`--incidents`")
    cset = build_candidates(project, params, executor=executor, progress=sub_progress(progress, 0.0, 0.7),
                            point_layers=layers)
    if export_table is not None:
        write_coverage_table(cset.instance, export_table)
    _check_counts(cset.instance, cameras, "the project's candidates")
    res = optimise(cset.instance, model=model, cameras=cameras, budget=budget, target_share=target_share,
                   depth=depth, time_limit_s=time_limit_s, progress=sub_progress(progress, 0.7, 1.0))
    return Placement(result=res, instance=cset.instance, candidates=cset)


class PlacementCommand(MacroCommand):
    """Add the optimised cameras and record the run's summary in ``results['optimise']`` (one undo step)."""

    def __init__(self, nodes: list[Any], summary: dict[str, Any], text: str) -> None:
        self.nodes = nodes
        super().__init__([AddNodes(nodes, text=text), SetResult(DocumentRecord.of("optimise", summary), text=text)], text=text)


def placement_command(project: Project, placement: Placement, *, phase: str = "optimised",
                      ids: tuple[str, ...] | None = None) -> PlacementCommand:
    """The chosen cameras (or the subset ``ids``) as one undoable command in ``phase``.

    The run's figures (model, objective, bound, gap, optimal, coverage before
    and after) go to ``project.results['optimise']`` with it, for reports.
    """
    if placement.candidates is None:
        raise InvalidInputError("`--apply` needs a project (a coverage table has no camera positions)")
    if not str(phase).strip():
        raise InvalidInputError("`--phase` must not be empty")
    chosen = placement.result.chosen_sites if ids is None else tuple(i for i in placement.result.chosen_sites
                                                                      if i in set(ids))
    cams = cameras_for(placement.candidates, chosen, project, phase=phase)
    r = placement.result
    cs = placement.candidates
    summary = {"model": r.model, "phase": phase, "cameras_added": len(cams), "cameras_proposed": r.cameras,
               "objective": r.objective, "bound": r.bound, "gap": r.gap, "optimal": r.optimal,
               "solver_status": r.solver_status, "coverage_before": r.coverage_before,
               "coverage_after": r.coverage_after, "level": cs.params.level, "period": cs.params.period,
               "demand": cs.params.demand, "districts": list(cs.params.districts or ()),
               "candidate_count": len(cs.candidates), "time_s": r.time_s + cs.time_s}
    return PlacementCommand(cams, summary, text=f"Add {len(cams)} optimised cameras (phase {phase})")


# -------------------------------------------------------------- facilities
def _grid_over(xy: Any, spacing_m: float, margin_m: float) -> Any:
    import numpy as np

    if spacing_m <= 0:
        raise InvalidInputError(f"`--site-spacing-m` must be > 0; got {spacing_m}")
    x0, y0 = xy.min(axis=0) - margin_m
    x1, y1 = xy.max(axis=0) + margin_m
    gx, gy = np.meshgrid(np.arange(x0 + spacing_m / 2, x1, spacing_m), np.arange(y0 + spacing_m / 2, y1, spacing_m))
    g = np.column_stack([gx.ravel(), gy.ravel()])
    if len(g) > 5000:
        raise InvalidInputError(f"{len(g)} grid candidates: raise `--site-spacing-m` (now {spacing_m:g} m)")
    return g


def _fresh_ids(project: Project, prefix: str, n: int) -> list[str]:
    import re

    pat = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    top = 0
    for node in project.iter_nodes():
        m = pat.match(node.id)
        if m:
            top = max(top, int(m.group(1)))
    return [f"{prefix}-{top + k + 1:04d}" for k in range(n)]


def _candidate_points(project: Project, source: str | None) -> Any:
    import numpy as np
    import shapely

    if source is None:
        return None
    gdf = project.layers.get(source)
    if gdf is None:
        gdf = read_point_layers(project, (source,))[source]
    g = shapely.get_parts(gdf.geometry.values)
    g = g[shapely.get_type_id(g) == 0]
    if not len(g):
        raise InvalidInputError(f"`--sites`: {source!r} holds no point")
    return np.column_stack([shapely.get_x(g), shapely.get_y(g)])


@dataclass(frozen=True)
class FacilityPlan:
    """A radio-site or storage-site selection on a project, with the nodes it would add."""

    result: Any  # planner.analysis.facility.FacilityResult
    new_sites: tuple[Any, ...]  # RadioSite / StorageCentre nodes for the chosen candidates not yet in the project
    camera_updates: tuple[Any, ...]  # cameras with their new radio_site_id / storage_centre_id

    def doc(self) -> dict[str, Any]:
        d: dict[str, Any] = self.result.to_dict()
        d["new_sites"] = [n.id for n in self.new_sites]
        return d

    def text(self) -> str:
        r = self.result
        status = "proven optimal" if r.optimal else (f"gap {100 * r.gap:.3g} %" if r.gap is not None else "no bound")
        lines = [(f"{r.model}: {len(r.chosen_sites)} site(s) chosen ({len(self.new_sites)} new); objective "
                  f"{human_number(r.objective)} ({status}; {r.solver_status}); {len(r.assignment)} camera(s) assigned, "
                  f"{len(r.unserved)} unserved; {r.time_s:.2f} s")]
        for ld in r.loads[:40]:
            extra = (f"max sector utilisation {100 * ld['max_utilisation']:.0f} %" if "max_utilisation" in ld else
                     f"{ld['needed_tb']:.1f} of {ld['usable_tb']:.1f} TB usable")
            lines.append(f"  {ld['site']}: {ld['cameras']} cameras, {extra}")
        for n in r.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)

    def command(self, phase: str) -> Any:
        import dataclasses

        from planner.model.commands import MacroCommand, UpdateNodes

        sites = [dataclasses.replace(n, phase=phase) for n in self.new_sites]
        cmds: list[Any] = []
        if sites:
            cmds.append(AddNodes(sites))
        if self.camera_updates:
            cmds.append(UpdateNodes(list(self.camera_updates), text="Assign cameras"))
        return MacroCommand(cmds, text=f"{self.result.model}: add {len(sites)} site(s), assign cameras")


def radio_sites_report(project: Project, *, sites: str | None = None, site_spacing_m: float = 800.0,
                       all_cameras: bool = False, height_m: float = 30.0, site_cost: float = 1.0,
                       phases: tuple[str, ...] | None = None, time_limit_s: float = 60.0,
                       progress: ProgressFn = no_progress) -> FacilityPlan:
    """Choose radio sites for the wireless cameras (or all cameras) of ``project``."""
    import dataclasses

    import numpy as np

    from planner.analysis.bitrate import camera_uplink
    from planner.analysis.coverage import select_cameras
    from planner.analysis.facility import RadioSiteCandidate, select_radio_sites
    from planner.model.nodes import Connection, RadioSite

    cams = [c for c in select_cameras(project, phases) if all_cameras or c.connection == Connection.WIRELESS]
    if not cams:
        raise InvalidInputError("no wireless camera in the project; use --all-cameras to plan radio for every camera")
    cxy = np.array([c.xy for c in cams])
    existing = [s for s in project.iter_nodes() if isinstance(s, RadioSite)
                and s.site_kind not in ("fibre_pop", "microwave_hub") and s.sectors]
    cands = [RadioSiteCandidate(id=s.id, x=s.x, y=s.y, height_m=s.height_m, sector_azimuths_deg=s.sector_azimuths_deg,
                                channel_mhz=s.channel_mhz, freq_mhz=s.freq_mhz, antenna_gain_dbi=s.antenna_gain_dbi,
                                cost=0.0, fixed=True) for s in existing]
    pts = _candidate_points(project, sites)
    if pts is None:
        pts = _grid_over(cxy, site_spacing_m, site_spacing_m / 2)
    new_ids = _fresh_ids(project, "site", len(pts))
    cands += [RadioSiteCandidate(id=new_ids[i], x=float(x), y=float(y), height_m=height_m, cost=site_cost)
              for i, (x, y) in enumerate(pts)]
    rate = np.array([camera_uplink(c.streams).peak_mbps for c in cams])
    res = select_radio_sites([c.id for c in cams], cxy, np.array([c.height_m for c in cams]), rate, cands,
                             time_limit_s=time_limit_s, progress=progress)
    chosen = set(res.chosen_sites)
    fixed_ids = {s.id for s in existing}
    new_sites = tuple(RadioSite(id=c.id, x=c.x, y=c.y, height_m=c.height_m, name=f"Optimised radio site {c.id}",
                                notes="placed by planner optimise --objective radio-sites")
                      for c in cands if c.id in chosen and c.id not in fixed_ids)
    updates = tuple(dataclasses.replace(c, connection=Connection.WIRELESS, radio_site_id=res.assignment[c.id].split("/")[0])
                    for c in cams if c.id in res.assignment)
    return FacilityPlan(result=res, new_sites=new_sites, camera_updates=updates)


def storage_sites_report(project: Project, *, sites: str | None = None, site_spacing_m: float = 3000.0,
                         capacity_tb: float = 150.0, site_cost: float = 100_000.0, cost_per_km: float = 1000.0,
                         phases: tuple[str, ...] | None = None, time_limit_s: float = 60.0,
                         progress: ProgressFn = no_progress) -> FacilityPlan:
    """Choose storage centres for the cameras of ``project`` (capacitated facility location)."""
    import dataclasses

    import numpy as np

    from planner.analysis import storage
    from planner.analysis.bitrate import camera_uplink
    from planner.analysis.coverage import select_cameras
    from planner.analysis.facility import StorageSiteCandidate, select_storage_sites
    from planner.model.nodes import StorageCentre

    cams = select_cameras(project, phases)
    if not cams:
        raise InvalidInputError("the project has no camera to store")
    days = project.parameters.retention_target_days
    rec = np.array([camera_uplink(c.streams).recorded_mbps for c in cams])
    need_tb = np.asarray(storage.bytes_per_camera_day(rec)) * days / 1e12
    cxy = np.array([c.xy for c in cams])
    uf = storage.usable_fraction(storage.StorageLayout()).value
    existing = [s for s in project.iter_nodes() if isinstance(s, StorageCentre)]
    cands = [StorageSiteCandidate(id=s.id, x=s.x, y=s.y, capacity_tb=s.capacity_tb, cost=0.0, fixed=True)
             for s in existing]
    pts = _candidate_points(project, sites)
    if pts is None:
        pts = _grid_over(cxy, site_spacing_m, 0.0)
    new_ids = _fresh_ids(project, "store", len(pts))
    cands += [StorageSiteCandidate(id=new_ids[i], x=float(x), y=float(y), capacity_tb=capacity_tb,
                                   cost=site_cost) for i, (x, y) in enumerate(pts)]
    res = select_storage_sites([c.id for c in cams], cxy, need_tb, cands, usable_fraction=uf, cost_per_km=cost_per_km,
                               time_limit_s=time_limit_s, progress=progress)
    chosen = set(res.chosen_sites)
    fixed_ids = {s.id for s in existing}
    new_sites = tuple(StorageCentre(id=c.id, x=c.x, y=c.y, capacity_tb=c.capacity_tb,
                                    name=f"Optimised storage {c.id}",
                                    notes="placed by planner optimise --objective storage-sites")
                      for c in cands if c.id in chosen and c.id not in fixed_ids)
    updates = tuple(dataclasses.replace(c, storage_centre_id=res.assignment[c.id]) for c in cams if c.id in res.assignment)
    return FacilityPlan(result=res, new_sites=new_sites, camera_updates=updates)


__all__ = [
    "FacilityPlan",
    "Placement",
    "PlacementCommand",
    "instance_from_table",
    "optimise_project",
    "optimise_table",
    "placement_command",
    "radio_sites_report",
    "human_number",
    "run_cells",
    "read_point_layers",
    "storage_sites_report",
]
