"""``planner validate``: every problem of a project at once (errors and warnings)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from planner.model.nodes import Connection, NodeKind, RadioSite, StorageCentre
from planner.model.project import Project
from planner.workflows.project import _near_area, project_camera_type_ids


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" or "warning"
    code: str
    message: str
    node_id: str = ""


def validate(project: Project) -> list[Issue]:
    """Collect every problem in the project (nothing stops at the first)."""
    issues: list[Issue] = []
    area = project.study_area
    if not area.is_valid:
        issues.append(Issue("error", "study_area_invalid", "the study area geometry is invalid"))
    if len(project.districts):
        bad = ~project.districts.geometry.is_valid
        for i in np.flatnonzero(bad.values):
            issues.append(Issue("error", "district_invalid",
                                f"district {project.districts['name'].iloc[i]!r} has an invalid geometry"))
        if not project.districts.geometry.intersects(area).all():
            n = int((~project.districts.geometry.intersects(area)).sum())
            issues.append(Issue("warning", "district_outside", f"{n} district(s) lie outside the study area"))
    if project.node_count:
        nodes = project.nodes()
        inside = _near_area(project, [n.xy for n in nodes], 1000.0)
        for node, ok in zip(nodes, inside, strict=True):
            if not ok:
                issues.append(Issue("warning", "node_outside",
                                    f"{node.kind.value} {node.id} lies more than 1 km outside the study area", node.id))
    centres = {n.id for n in project.nodes(NodeKind.STORAGE_CENTRE)}
    sites = {n.id for n in project.nodes(NodeKind.RADIO_SITE)}
    for cam in project.cameras():
        if cam.storage_centre_id and cam.storage_centre_id not in centres:
            issues.append(Issue("error", "camera_storage_missing",
                                f"camera {cam.id} is assigned to missing storage centre {cam.storage_centre_id!r}",
                                cam.id))
        if cam.radio_site_id and cam.radio_site_id not in sites:
            issues.append(Issue("error", "camera_site_missing",
                                f"camera {cam.id} is assigned to missing radio site {cam.radio_site_id!r}", cam.id))
    for sc in project.nodes(NodeKind.STORAGE_CENTRE):
        assert isinstance(sc, StorageCentre)
        for other in sc.copy_of:
            if other not in centres:
                issues.append(Issue("error", "storage_copy_missing",
                                    f"storage centre {sc.id} copies missing centre {other!r}", sc.id))
    for lk in project.links():
        for end in (lk.from_id, lk.to_id):
            if end not in project:
                issues.append(Issue("error", "link_dangling", f"link {lk.id} refers to missing node {end!r}"))
    if project.dem is not None:
        b = project.dem.bounds
        if not shapely.box(*b).contains(area):
            issues.append(Issue("warning", "dem_partial", "the DEM does not cover the whole study area"))
    known_types = project_camera_type_ids(project)
    unknown: dict[str, int] = {}
    for cam in project.cameras():
        if cam.camera_type not in known_types:
            unknown[cam.camera_type] = unknown.get(cam.camera_type, 0) + 1
    for t, n in sorted(unknown.items()):
        issues.append(Issue("warning", "camera_type_unknown",
                            f"{n} camera(s) use camera type {t!r}, which is not in the library"))
    if project.cameras() and not project.nodes(NodeKind.STORAGE_CENTRE):
        issues.append(Issue("warning", "no_storage", "the project has cameras but no storage centre"))
    issues.extend(_wireless_without_sites(project))
    return issues


def _wireless_without_sites(project: Project) -> list[Issue]:
    """A phase whose wireless cameras have no radio site (with sectors) in that phase or an earlier one.

    Phases are cumulative and in :meth:`Project.phases` order, as the network analysis takes them: the
    cameras of such a phase would all be unserved when that phase is analysed.
    """
    order = project.phases()
    rank = {ph: i for i, ph in enumerate(order)}
    site_ranks = [rank[s.phase] for s in project.nodes(NodeKind.RADIO_SITE)
                  if isinstance(s, RadioSite) and s.sectors and str(s.site_kind) not in ("fibre_pop", "microwave_hub")]
    first_site = min(site_ranks, default=None)
    out: list[Issue] = []
    wireless: dict[str, int] = {}
    for cam in project.cameras():
        if cam.connection == Connection.WIRELESS and (first_site is None or rank[cam.phase] < first_site):
            wireless[cam.phase] = wireless.get(cam.phase, 0) + 1
    for ph in sorted(wireless, key=rank.__getitem__):
        n = wireless[ph]
        where = f"phase {ph!r}" if ph else "no phase"
        out.append(Issue("warning", "wireless_without_site",
                         f"{n} wireless camera(s) in {where} have no radio site in that phase or an earlier one"
                         + (f" (the first radio site comes in phase {order[first_site]!r})" if first_site is not None
                            else " (the project has no radio site with sectors)")
                         + "; they are unserved when that phase is analysed"))
    return out
