"""Build the four sample projects in ``sample_projects/`` from the data in ``sample_projects/data/``.

Deterministic: the same inputs give the same projects (no randomness without a
fixed seed, every ordering is explicit). Run from the repository root::

    .venv/bin/python scripts/build_samples.py            # all four
    .venv/bin/python scripts/build_samples.py marseille  # one

How each starting deployment is generated (documented in the README too):

* **Marseille** (1,000 cameras in phase 2016 + 1,000 in phase 2020). Candidate
  poles are the centroids of the 5,190 named streets of the OSM gazetteer. Each
  candidate is scored by its closeness to the 113 landmarks (priority sites):
  ``score = 1 + Σ_landmarks exp(-d / 400 m)``. Candidates are taken in
  decreasing score with a minimum spacing of 100 m (phase 2016), then the next
  1,000 with the same rule (phase 2020). A camera looks toward the nearest
  landmark when one is within 300 m, otherwise toward its nearest neighbouring
  candidate (a proxy for the street axis). Cameras within 150 m of a landmark
  are PTZ domes. Each phase is split 500/500 between the northern and southern
  distributed storage centres by northing (the published design: two 150 TB
  centres of 500 cameras each); the 300 TB central centre holds a copy of both.
* **Cochabamba** (420 cameras, 29 eLTE sites). The study area is the union of the
  OSM public-transport routes buffered by 500 m with holes filled (no district
  polygons exist offline); districts are a 3 km planning grid clipped to it, and
  say so. The deployment prioritised schools: the cameras stand at the OSM
  schools inside the study area, one pole per school at least 60 m apart (named
  schools first, then by the number of transit routes within 150 m), looking at
  the nearest corridor; schools share campuses, so the poles near the most
  schools take a second camera looking the other way, up to 420. The priority sites are the OSM hospitals
  inside the study area. The 29 radio sites are k-means centres of the cameras
  (seeded), each camera is wireless to its nearest site; sites reach the command
  centre by fibre when within 6 km, else by microwave. Everything is in stage 1
  (the sites serve the stage 1 cameras).
* **Montevideo** (103 cameras). No building footprints exist offline, so the
  buildings layer is city blocks derived from the street network (faces of the
  graph inset by 6 m, 12 m high, faces over 3 ha dropped as parks or open
  land), flagged ``approximate``. A 300 m grid over the central barrios (Ciudad
  Vieja to Parque Batlle), each grid point snapped to the nearest street
  intersection (degree ≥ 3 in the OSM drive graph). The intersection nearest
  each priority site (Centenario stadium, parks, squares) gets a camera first;
  then grid points ranked by closeness to the sites fill up to 103 distinct
  intersections. Each camera looks down the street
  leaving its intersection that points closest to the nearest priority site.
* **Santiago**: the 32 comunas, no deployment (a bid starts here); the streets of
  Santiago centro from an OSMnx drive network (GraphML read as XML), and city
  blocks derived from them, flagged ``approximate`` as for Montevideo.
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from scipy.cluster.vq import kmeans2
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner import workflows  # noqa: E402
from planner.analysis.raster import blocks_from_streets  # noqa: E402
from planner.io.project_file import save_project  # noqa: E402
from planner.model.nodes import (  # noqa: E402
    Camera,
    CommandCentre,
    Connection,
    Link,
    LinkKind,
    RadioKind,
    RadioSite,
    StorageCentre,
    StorageRole,
    Stream,
)
from planner.model.project import Parameters, Project  # noqa: E402

DATA = ROOT / "sample_projects" / "data"
OUT = ROOT / "sample_projects"
OSM = "© OpenStreetMap contributors (ODbL 1.0)"

# Camera types from resources/camera_types.json
FIXED_1080 = "bullet-1080p-4"
PTZ_1080 = "ptz-1080p-25x"


def _points(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([shapely.get_x(gdf.geometry.values), shapely.get_y(gdf.geometry.values)])


def _greedy_spaced(xy: np.ndarray, score: np.ndarray, *, count: int, spacing_m: float,
                   taken: np.ndarray | None = None) -> np.ndarray:
    """Indices of up to ``count`` points in decreasing score, at least ``spacing_m`` apart.

    Ties are broken by index (stable sort), so the result is deterministic.
    """
    order = np.argsort(-score, kind="stable")
    chosen: list[int] = []
    placed = [] if taken is None else [tuple(p) for p in taken]
    tree_pts = list(placed)
    tree = cKDTree(np.array(tree_pts)) if tree_pts else None
    recent: list[tuple[float, float]] = []
    for i in order:
        p = xy[i]
        if tree is not None and tree.query_ball_point(p, spacing_m - 1e-9):
            continue
        if recent and np.min(np.hypot(*(np.array(recent) - p).T)) < spacing_m:
            continue
        chosen.append(int(i))
        recent.append((float(p[0]), float(p[1])))
        if len(recent) > 256:  # fold into the tree now and then
            tree_pts.extend(recent)
            tree = cKDTree(np.array(tree_pts))
            recent = []
        if len(chosen) == count:
            break
    return np.array(chosen, dtype=int)


def _azimuth_deg(frm: np.ndarray, to: np.ndarray) -> np.ndarray:
    d = to - frm
    return (np.degrees(np.arctan2(d[:, 0], d[:, 1])) + 360.0) % 360.0


def _slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")


def _ordinal_fr(n: int) -> str:
    return f"{n}er" if n == 1 else f"{n}e"


# ------------------------------------------------------------------ Marseille
def build_marseille() -> Project:
    d = DATA / "marseille"
    notes: list[str] = []
    project = workflows.new_project("Marseille", boundary=d / "quartiers_111.geojson", notes=notes)
    crs = project.crs
    q = gpd.read_file(d / "quartiers_111.geojson").to_crs(crs)
    q["depco"] = q["depco"].astype(str)
    q = q.sort_values(["depco", "nom_qua"], kind="stable").reset_index(drop=True)
    q["rank"] = q.groupby("depco").cumcount() + 1
    quartiers = gpd.GeoDataFrame(
        {"name": q["nom_qua"].str.title(), "code": [f"{c}-{r:02d}" for c, r in zip(q["depco"], q["rank"], strict=True)],
         "level": "quartier"}, geometry=shapely.make_valid(q.geometry.values), crs=crs)
    arr = q.dissolve(by="depco", as_index=False).sort_values("depco")
    arrond = gpd.GeoDataFrame(
        {"name": [f"Marseille {_ordinal_fr(int(c) - 13200)} arrondissement" for c in arr["depco"]],
         "code": arr["depco"].tolist(), "level": "arrondissement"},
        geometry=shapely.make_valid(arr.geometry.values), crs=crs)
    project.districts = gpd.GeoDataFrame(
        gpd.pd.concat([arrond, quartiers], ignore_index=True), geometry="geometry", crs=crs)

    lm = gpd.read_file(d / "landmarks_113.geojson").to_crs(crs).reset_index(drop=True)
    lm = gpd.GeoDataFrame({"name": lm["name"].astype(str), "kind": "landmark", "weight": 1.0},
                          geometry=lm.geometry.values, crs=crs)
    project.layers["priority_sites"] = lm

    project.dem = workflows.read_dem_for_project(project, d / "srtm3_N43E005.hgt.zip", resolution_m=30.0)

    streets = json.loads((d / "streets_index_osm.json").read_text(encoding="utf-8"))
    lonlat = np.array([s["centroid"] for s in streets], dtype=float)
    cand = gpd.GeoDataFrame({"name": [s["name"] for s in streets]},
                            geometry=shapely.points(lonlat), crs=4326).to_crs(crs)
    inside = cand.geometry.within(project.study_area).to_numpy()
    cand = cand[inside].reset_index(drop=True)
    xy = _points(cand)
    lxy = _points(lm)
    dist = np.hypot(xy[:, None, 0] - lxy[None, :, 0], xy[:, None, 1] - lxy[None, :, 1])
    score = 1.0 + np.exp(-dist / 400.0).sum(axis=1)
    first = _greedy_spaced(xy, score, count=1000, spacing_m=100.0)
    rest = np.setdiff1d(np.arange(len(xy)), first)
    second = rest[_greedy_spaced(xy[rest], score[rest], count=1000, spacing_m=100.0, taken=xy[first])]
    if len(first) < 1000 or len(second) < 1000:
        raise SystemExit(f"Marseille: only {len(first)} + {len(second)} candidate poles")

    tree = cKDTree(xy)
    nearest_lm = dist.argmin(axis=1)
    nearest_lm_d = dist.min(axis=1)
    _, nn = tree.query(xy, k=2)
    target = np.where((nearest_lm_d < 300.0)[:, None], lxy[nearest_lm], xy[nn[:, 1]])
    az = _azimuth_deg(xy, target)

    north = StorageCentre(id="store-0001", name="Stockage réparti Nord (14e)", x=0, y=0, phase="2016",
                          role=StorageRole.DISTRIBUTED, capacity_tb=150.0,
                          notes="published design: 150 TB distributed centre; location indicative")
    south = StorageCentre(id="store-0002", name="Stockage réparti Sud (8e)", x=0, y=0, phase="2016",
                          role=StorageRole.DISTRIBUTED, capacity_tb=150.0,
                          notes="published design: 150 TB distributed centre; location indicative")
    to_utm = gpd.GeoSeries(shapely.points([[5.4010, 43.3430], [5.3900, 43.2640], [5.3760, 43.2990]]),
                           crs=4326).to_crs(crs)
    (nx, ny), (sx, sy), (cx, cy) = [(p.x, p.y) for p in to_utm]
    north = north.moved(nx, ny)
    south = south.moved(sx, sy)
    central = StorageCentre(id="store-0003", name="Stockage central (CSU)", x=cx + 40, y=cy, phase="2016",
                            role=StorageRole.CENTRAL, capacity_tb=300.0, copy_of=("store-0001", "store-0002"),
                            notes="published design: 300 TB central centre holding a copy of all cameras")
    csu = CommandCentre(id="cmd-0001", name="Centre de Supervision Urbain (CSU)", x=cx, y=cy, phase="2016",
                        operators=20, video_wall_tiles=48, remote_viewers=0, multicast=True,
                        notes="about 20 operators around the clock; location indicative")
    police = CommandCentre(id="cmd-0002", name="Police nationale – flux multicast", x=cx - 600, y=cy + 450,
                           phase="2016", operators=6, video_wall_tiles=16, remote_viewers=10, multicast=True,
                           notes="multicast feed to the police (published design)")
    nodes: list = [north, south, central, csu, police]
    cam_no = 0
    for phase, idx in (("2016", first), ("2020", second)):
        order = idx[np.argsort(-xy[idx, 1], kind="stable")]  # north first
        for k, i in enumerate(order):
            cam_no += 1
            ptz = nearest_lm_d[i] < 150.0
            nodes.append(Camera(
                id=f"cam-{cam_no:04d}", name=str(cand["name"].iloc[i]), x=float(xy[i, 0]), y=float(xy[i, 1]),
                phase=phase, height_m=6.0, azimuth_deg=round(float(az[i]), 1), tilt_deg=15.0,
                camera_type=PTZ_1080 if ptz else FIXED_1080,
                streams=(Stream(resolution="1080p", codec="h264", fps=25.0, bitrate_mbps=4.0),),
                connection=Connection.FIBRE,
                storage_centre_id=north.id if k < len(order) // 2 else south.id))
    project.add_nodes(nodes)
    project.add_links([
        Link(id="link-0001", kind=LinkKind.FIBRE, from_id=north.id, to_id=central.id, capacity_mbps=10_000, phase="2016"),
        Link(id="link-0002", kind=LinkKind.FIBRE, from_id=south.id, to_id=central.id, capacity_mbps=10_000, phase="2016"),
        Link(id="link-0003", kind=LinkKind.FIBRE, from_id=central.id, to_id=csu.id, capacity_mbps=10_000, phase="2016"),
        Link(id="link-0004", kind=LinkKind.FIBRE, from_id=csu.id, to_id=police.id, capacity_mbps=1_000, phase="2016"),
    ])
    project.parameters = Parameters(
        jurisdiction="FR", default_resolution="1080p", default_codec="h264", default_bitrate_mbps=4.0,
        retention_target_days=8.0, currency="EUR",
        description="Safe City reference deployment (ZTE, from 2011): ~1,000 cameras by 2016, 2,000 by 2020; "
                    "two 150 TB distributed storage centres and a 300 TB central one; multicast to the police.",
        attribution="Quartiers: Ville de Marseille / data.ampmetropole.fr (Licence Ouverte 2.0, presumed); "
                    f"landmarks and street gazetteer: {OSM}; DEM: NASA SRTM 3″ (public domain)")
    project.metadata = {
        "attribution": project.parameters.attribution,
        "generator": "scripts/build_samples.py",
        "deployment_rule": "street centroids scored by landmark proximity, 100 m spacing; see scripts/build_samples.py",
        "notes": notes + ["storage and command centre locations are indicative, not published"],
    }
    return project


# ----------------------------------------------------------------- Cochabamba
def _osm_points(gdf: gpd.GeoDataFrame, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """One point per OSM feature (a point inside each polygon), inside ``area``, with a unique name."""
    pts = shapely.point_on_surface(gdf.geometry.values)
    keep = shapely.contains(area, pts)
    out = gdf.loc[keep].copy()
    out = out.set_geometry(pts[keep])
    osm_id = out["@id"].astype(str) if "@id" in out.columns else out.index.astype(str)
    names = [str(n) if isinstance(n, str) and n.strip() else f"unnamed ({i})"
             for n, i in zip(out["name"] if "name" in out.columns else [None] * len(out), osm_id, strict=True)]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    out["name"] = [f"{n} ({i})" if seen[n] > 1 else n for n, i in zip(names, osm_id, strict=True)]
    out["osm_id"] = osm_id.to_numpy()
    return out.sort_values("osm_id", kind="stable").reset_index(drop=True)


def build_cochabamba() -> Project:
    d = DATA / "cochabamba"
    routes = gpd.read_file(d / "osm_transit_routes.geojson")
    crs = gpd.GeoSeries([shapely.union_all(routes.geometry.values)], crs=4326).estimate_utm_crs()
    r = routes.to_crs(crs)
    area = shapely.union_all(r.geometry.buffer(500.0, quad_segs=4).values)
    polys = list(getattr(area, "geoms", [area]))
    area = shapely.union_all([shapely.Polygon(p.exterior) for p in polys]).simplify(25.0)
    project = Project(name="Cochabamba", crs=crs, study_area=area)
    # planning grid (synthetic districts)
    xmin, ymin, xmax, ymax = area.bounds
    cells, names, codes = [], [], []
    step = 3000.0
    for j, y in enumerate(np.arange(ymax, ymin, -step)):
        for i, x in enumerate(np.arange(xmin, xmax, step)):
            c = shapely.box(x, y - step, x + step, y).intersection(area)
            if c.area > 0.05 * step * step:
                cells.append(c)
                code = f"{chr(65 + j)}{i + 1}"
                names.append(f"Grid cell {code}")
                codes.append(code)
    project.districts = gpd.GeoDataFrame({"name": names, "code": codes, "level": "planning grid (synthetic)"},
                                         geometry=cells, crs=crs)
    merged = shapely.line_merge(shapely.union_all(r.geometry.values))
    lines = [g for g in getattr(merged, "geoms", [merged]) if g.length > 0]
    project.layers["streets"] = gpd.GeoDataFrame(
        {"name": [""] * len(lines), "source": "OSM public-transport routes (merged corridors)"},
        geometry=lines, crs=crs)
    # priority sites: the OSM hospitals inside the study area
    hospitals = _osm_points(gpd.read_file(d / "hospitals_osm.geojson").to_crs(crs), area)
    kind = hospitals["healthcare"].fillna(hospitals["amenity"]).astype(str) if "healthcare" in hospitals else "hospital"
    project.layers["priority_sites"] = gpd.GeoDataFrame(
        {"name": hospitals["name"], "kind": kind, "weight": 1.0, "osm_id": hospitals["osm_id"]},
        geometry=hospitals.geometry.values, crs=crs)
    # cameras at the OSM schools inside the study area (the deployment prioritised schools): one pole per
    # school, at least 60 m apart (schools sharing a campus share a pole), busy corridors first
    schools = _osm_points(gpd.read_file(d / "schools_osm.geojson").to_crs(crs), area)
    sxy = _points(schools)
    rtree = shapely.STRtree(r.geometry.values)
    pairs = rtree.query(shapely.points(sxy), predicate="dwithin", distance=150.0)
    route_count = np.bincount(pairs[0], minlength=len(sxy)).astype(float)
    named = np.array([not n.startswith("unnamed (") for n in schools["name"]], dtype=float)
    poles = np.sort(_greedy_spaced(sxy, route_count + 1000.0 * named, count=420, spacing_m=60.0))
    # fewer poles than cameras (schools share campuses): the poles serving the most schools take a second
    # camera looking the other way, then the busiest corridors
    campus = np.array([len(x) for x in cKDTree(sxy).query_ball_point(sxy[poles], 60.0)], dtype=float)
    extra = np.argsort(-(1000.0 * campus + route_count[poles]), kind="stable")[: 420 - len(poles)]
    if len(poles) + len(extra) < 420:
        raise SystemExit(f"Cochabamba: only {len(poles)} school poles for 420 cameras")
    second = np.zeros(len(poles) + len(extra), dtype=bool)
    second[len(poles):] = True
    order = np.concatenate([np.arange(len(poles)), np.sort(extra)])
    cam_xy = sxy[poles][order]
    cam_names = schools["name"].to_numpy()[poles][order]
    centres, label = kmeans2(cam_xy, 29, seed=np.random.default_rng(2016), minit="++")
    # nearest site per camera (kmeans labels are nearest-centre already)
    ccx, ccy = gpd.GeoSeries(shapely.points([[-66.1570, -17.3925]]), crs=4326).to_crs(crs).iloc[0].coords[0]
    nodes: list = [
        CommandCentre(id="cmd-0001", name="Centro de despacho (CAD / 911)", x=ccx, y=ccy, phase="stage 1",
                      operators=24, video_wall_tiles=36, remote_viewers=5, notes="location indicative"),
        StorageCentre(id="store-0001", name="Almacenamiento central", x=ccx + 30, y=ccy, phase="stage 1",
                      role=StorageRole.CENTRAL, capacity_tb=300.0, notes="capacity assumed (not published)"),
    ]
    site_nodes = []
    for k, (sx, sy) in enumerate(centres):
        # the eLTE sites serve the stage 1 cameras, so they are built in stage 1 too
        site_nodes.append(RadioSite(id=f"site-{k + 1:04d}", name=f"eLTE site {k + 1}", x=float(sx), y=float(sy),
                                    phase="stage 1", site_kind=RadioKind.ELTE_MACRO, height_m=30.0,
                                    freq_mhz=1447.0, channel_mhz=20.0))
    nodes.extend(site_nodes)
    # each camera looks at the street: toward the nearest point of the nearest corridor
    corridor = shapely.union_all(lines)
    near = shapely.shortest_line(shapely.points(cam_xy), corridor)
    to = np.array([ln.coords[-1] for ln in near])
    far = np.hypot(*(to - cam_xy).T) < 1.0  # on the corridor itself: look along it to the next school
    _, nn = cKDTree(cam_xy).query(cam_xy, k=2)
    to[far] = cam_xy[nn[far, 1]]
    az = (_azimuth_deg(cam_xy, to) + np.where(second, 180.0, 0.0)) % 360.0
    for k in range(len(cam_xy)):
        nodes.append(Camera(
            id=f"cam-{k + 1:04d}", name=f"School camera: {cam_names[k]}", x=float(cam_xy[k, 0]),
            y=float(cam_xy[k, 1]), phase="stage 1", height_m=6.0, azimuth_deg=round(float(az[k]), 1), tilt_deg=15.0,
            camera_type=FIXED_1080,
            streams=(Stream(resolution="1080p", codec="h265", fps=25.0),),
            connection=Connection.WIRELESS, radio_site_id=site_nodes[int(label[k])].id,
            storage_centre_id="store-0001"))
    project.add_nodes(nodes)
    links = []
    for k, s in enumerate(site_nodes):
        far = math.hypot(s.x - ccx, s.y - ccy) > 6000.0
        links.append(Link(id=f"link-{k + 1:04d}", kind=LinkKind.MICROWAVE if far else LinkKind.FIBRE,
                          from_id=s.id, to_id="cmd-0001", capacity_mbps=1000.0 if far else 10_000.0,
                          freq_ghz=18.0 if far else 0.0, phase="stage 1"))
    links.append(Link(id=f"link-{len(site_nodes) + 1:04d}", kind=LinkKind.FIBRE, from_id="cmd-0001",
                      to_id="store-0001", capacity_mbps=10_000.0, phase="stage 1"))
    project.add_links(links)
    project.parameters = Parameters(
        jurisdiction="BO", default_resolution="1080p", default_codec="h265", default_bitrate_mbps=2.2,
        retention_target_days=30.0, currency="EUR",
        description="Safe City reference deployment (Huawei, November 2016): 420 cameras at schools, eLTE "
                    "broadband trunking (29 base sites were built) with their backhaul, and a dispatch centre. "
                    "The published second stage (a fibre network, 4.5 M EUR) is not modelled.",
        attribution=f"Public-transport routes, schools and hospitals: {OSM}")
    project.metadata = {
        "attribution": project.parameters.attribution,
        "generator": "scripts/build_samples.py",
        "study_area_rule": "union of the OSM transit routes buffered by 500 m, holes filled, simplified 25 m",
        "districts_rule": "3 km planning grid clipped to the study area (synthetic: no district polygons offline)",
        "cameras_rule": "one pole per OSM school inside the study area (60 m apart at least, named schools "
                        "on busy corridors first), looking at the nearest corridor; the poles near the most "
                        "schools take a second camera looking the other way, up to 420 cameras",
        "priority_sites_rule": "the OSM hospitals inside the study area",
        "notes": ["camera positions are the OSM schools (Overpass export of July 2023), not the surveyed poles",
                  "storage capacity and command-centre location are assumptions"],
    }
    return project


# ---------------------------------------------------------------- Montevideo
MONTEVIDEO_SITES = [  # approximate, placed by hand from public maps
    ("Estadio Centenario", -56.1528, -34.8945, "stadium", 3.0),
    ("Parque Batlle", -56.1560, -34.8985, "park", 1.5),
    ("Parque Rodó", -56.1675, -34.9120, "park", 1.5),
    ("Plaza Independencia", -56.1990, -34.9065, "square", 2.0),
    ("Palacio Legislativo", -56.1872, -34.8912, "government", 1.5),
    ("Terminal Tres Cruces", -56.1665, -34.8940, "transport", 1.5),
    ("Mercado del Puerto", -56.2125, -34.9065, "market", 1.0),
    ("Plaza Cagancha", -56.1915, -34.9055, "square", 1.0),
]
MONTEVIDEO_CENTRE = ["CIUDAD VIEJA", "CENTRO", "BARRIO SUR", "CORDON", "PALERMO", "PARQUE RODO",
                     "TRES CRUCES", "PQUE BATLLE VILLA DOLORES", "LA COMERCIAL", "AGUADA"]


def build_montevideo() -> Project:
    d = DATA / "montevideo"
    barrios = gpd.read_file(d / "barrios.geojson")
    # the source file lost its Ñ (U+FFFD); both affected names are restored here
    barrios["nombre"] = barrios["nombre"].str.replace("\ufffd", "Ñ", regex=False)
    crs = barrios.estimate_utm_crs()
    b = barrios.to_crs(crs)
    area = shapely.make_valid(shapely.union_all(b.geometry.values))
    project = Project(name="Montevideo", crs=crs, study_area=area)
    project.districts = gpd.GeoDataFrame(
        {"name": b["nombre"].str.title(), "code": b["codigo"].astype(str), "level": "barrio"},
        geometry=shapely.make_valid(b.geometry.values), crs=crs)
    graph = json.loads((d / "osm_drive_graph.json").read_text(encoding="utf-8"))
    nodes_ll = np.array([[n[1], n[2]] for n in graph["nodes"]], dtype=float)
    nodes_xy = _points(gpd.GeoDataFrame(geometry=shapely.points(nodes_ll), crs=4326).to_crs(crs))
    edges = np.array([[e[0], e[1]] for e in graph["edges"]], dtype=int)
    lengths = np.array([e[2] for e in graph["edges"]], dtype=float)
    lines = shapely.linestrings(np.stack([nodes_xy[edges[:, 0]], nodes_xy[edges[:, 1]]], axis=1))
    project.layers["streets"] = gpd.GeoDataFrame({"length_m": lengths, "osm_from": edges[:, 0],
                                                  "osm_to": edges[:, 1]}, geometry=lines, crs=crs)
    # No building footprints offline: derive city blocks from the street network (an approximation,
    # labelled as such). Faces larger than 3 ha are parks, squares or open land, not blocks: dropped.
    blocks = blocks_from_streets(project.layers["streets"], setback_m=6.0, default_height_m=12.0,
                                 boundary=project.study_area)
    blocks = blocks[blocks.area <= 30_000.0].reset_index(drop=True)
    project.layers["buildings"] = blocks
    sites = gpd.GeoDataFrame({"name": [s[0] for s in MONTEVIDEO_SITES], "kind": [s[3] for s in MONTEVIDEO_SITES],
                              "weight": [s[4] for s in MONTEVIDEO_SITES]},
                             geometry=shapely.points([(s[1], s[2]) for s in MONTEVIDEO_SITES]), crs=4326).to_crs(crs)
    project.layers["priority_sites"] = sites
    degree = np.bincount(edges.ravel(), minlength=len(nodes_xy))
    inter = np.flatnonzero(degree >= 3)
    centre = shapely.union_all(b[b["nombre"].isin(MONTEVIDEO_CENTRE)].geometry.values)
    xmin, ymin, xmax, ymax = centre.bounds
    gx, gy = np.meshgrid(np.arange(xmin + 150, xmax, 300.0), np.arange(ymax - 150, ymin, -300.0))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    grid = grid[shapely.contains(centre, shapely.points(grid))]
    sxy = _points(sites)
    w = np.array([s[4] for s in MONTEVIDEO_SITES])
    dist = np.hypot(grid[:, None, 0] - sxy[None, :, 0], grid[:, None, 1] - sxy[None, :, 1])
    score = (w[None, :] * np.exp(-dist / 800.0)).sum(axis=1)
    tree = cKDTree(nodes_xy[inter])
    _, snap = tree.query(grid)
    order = np.argsort(-score, kind="stable")
    # first a camera at the intersection nearest each priority site, then the grid
    _, site_snap = tree.query(sxy)
    chosen: list[int] = []
    for si in site_snap:
        if int(inter[si]) not in chosen:
            chosen.append(int(inter[si]))
    for gi in order:
        node = int(inter[snap[gi]])
        if node not in chosen:
            chosen.append(node)
        if len(chosen) == 103:
            break
    if len(chosen) < 103:
        raise SystemExit(f"Montevideo: only {len(chosen)} grid intersections")
    cam_xy = nodes_xy[chosen]
    near_site = dist[order][: len(chosen)]
    del near_site
    sd = np.hypot(cam_xy[:, None, 0] - sxy[None, :, 0], cam_xy[:, None, 1] - sxy[None, :, 1])
    # look down the street (an incident edge of the intersection) closest to the nearest priority site
    want = _azimuth_deg(cam_xy, sxy[sd.argmin(axis=1)])
    az = np.empty(len(chosen))
    for k, node in enumerate(chosen):
        nbrs = np.concatenate([edges[edges[:, 0] == node, 1], edges[edges[:, 1] == node, 0]])
        bearings = _azimuth_deg(np.repeat(cam_xy[k:k + 1], len(nbrs), axis=0), nodes_xy[nbrs])
        diff = np.abs((bearings - want[k] + 180.0) % 360.0 - 180.0)
        az[k] = bearings[int(np.argmin(diff))]
    ccx, ccy = gpd.GeoSeries(shapely.points([[-56.1900, -34.9040]]), crs=4326).to_crs(crs).iloc[0].coords[0]
    out: list = [
        CommandCentre(id="cmd-0001", name="Centro de Comando Unificado (Ministerio del Interior)", x=ccx, y=ccy,
                      phase="2008", operators=16, video_wall_tiles=32, notes="location indicative"),
        StorageCentre(id="store-0001", name="Almacenamiento central", x=ccx + 30, y=ccy, phase="2008",
                      role=StorageRole.CENTRAL, capacity_tb=150.0, notes="capacity assumed (not published)"),
    ]
    for k, (x, y) in enumerate(cam_xy):
        near = sd[k].min() < 250.0  # PTZ domes near the priority sites
        out.append(Camera(id=f"cam-{k + 1:04d}", name=f"Grid camera {k + 1}", x=float(x), y=float(y),
                          phase="2008", height_m=8.0, azimuth_deg=round(float(az[k]), 1), tilt_deg=12.0,
                          camera_type=PTZ_1080 if near else FIXED_1080,
                          streams=(Stream(resolution="1080p", codec="h264", fps=25.0),),
                          connection=Connection.FIBRE, storage_centre_id="store-0001"))
    project.add_nodes(out)
    project.add_links([Link(id="link-0001", kind=LinkKind.FIBRE, from_id="store-0001", to_id="cmd-0001",
                            capacity_mbps=10_000.0, phase="2008")])
    project.parameters = Parameters(
        jurisdiction="UY", default_resolution="1080p", default_codec="h264", default_bitrate_mbps=4.0,
        retention_target_days=30.0, currency="USD",
        description="Integrated public-safety system (ZTE, January 2008): 103 cameras in a grid over the most "
                    "important places (Centenario stadium, parks, city centre).",
        attribution="Barrios: Intendencia de Montevideo (Licencia de Datos Abiertos del Uruguay, presumed); "
                    f"street network: {OSM}")
    project.metadata = {
        "attribution": project.parameters.attribution,
        "generator": "scripts/build_samples.py",
        "deployment_rule": "300 m grid over the central barrios snapped to street intersections, "
                           "ranked by closeness to priority sites",
        "notes": ["barrio names with a lost Ñ (U+FFFD in the source) were restored",
                  "priority sites are approximate, placed by hand from public maps",
                  "no building footprints: occlusion uses city blocks derived from the street network "
                  "(6 m setback, 12 m high, faces over 3 ha dropped), an approximation"],
    }
    return project


# ------------------------------------------------------------------- Santiago
def _read_graphml_streets(path: Path, crs: object) -> gpd.GeoDataFrame:
    """Undirected street segments of an OSMnx GraphML drive network (plain XML, no networkx).

    OSMnx writes each two-way street twice (u->v and v->u); one segment is kept
    per (node pair, OSM way). Edge geometry is the ``geometry`` WKT when
    present, else the straight line between the nodes. List-valued attributes
    (``"['primary', 'secondary']"``) keep their first value.
    """
    import gzip
    import xml.etree.ElementTree as ET

    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        root = ET.parse(fh).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", ns)}
    nodes: dict[str, tuple[float, float]] = {}
    for n in root.iter(f"{{{ns['g']}}}node"):
        d = {keys[e.get("key")]: e.text for e in n.findall("g:data", ns)}
        nodes[n.get("id")] = (float(d["x"]), float(d["y"]))

    def first(v: str | None) -> str:
        if not v:
            return ""
        v = v.strip()
        if v.startswith("[") and v.endswith("]"):
            v = v[1:-1].split(",")[0].strip().strip("'\"")
        return v

    seen: set[tuple[str, str, str]] = set()
    rows: dict[str, list] = {"name": [], "highway": [], "length_m": [], "osm_from": [], "osm_to": [], "osmid": []}
    geoms = []
    for e in root.iter(f"{{{ns['g']}}}edge"):
        u, v = e.get("source"), e.get("target")
        d = {keys[x.get("key")]: x.text for x in e.findall("g:data", ns)}
        key = (min(u, v), max(u, v), first(d.get("osmid")))
        if key in seen:
            continue
        seen.add(key)
        g = shapely.from_wkt(d["geometry"]) if d.get("geometry") else shapely.LineString([nodes[u], nodes[v]])
        geoms.append(g)
        rows["name"].append(first(d.get("name")))
        rows["highway"].append(first(d.get("highway")))
        rows["length_m"].append(float(d.get("length") or 0.0))
        rows["osm_from"].append(int(u))
        rows["osm_to"].append(int(v))
        rows["osmid"].append(first(d.get("osmid")))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326).to_crs(crs)


def build_santiago() -> Project:
    d = DATA / "santiago"
    src = d / "provincia_santiago_comunas.geojson"
    project = workflows.new_project("Santiago", boundary=src)
    c = gpd.read_file(src).to_crs(project.crs).sort_values("NOM_COM", kind="stable").reset_index(drop=True)
    project.districts = gpd.GeoDataFrame(
        {"name": c["NOM_COM"].astype(str), "code": [_slug(n) for n in c["NOM_COM"]], "level": "comuna"},
        geometry=shapely.make_valid(c.geometry.values), crs=project.crs)
    # Streets of Santiago centro: the OSMnx drive network (3,450 nodes, 6,890 directed edges), undirected.
    streets = _read_graphml_streets(d / "santiago_urbano.graphml.gz", project.crs)
    streets = streets[shapely.intersects(streets.geometry.values, project.study_area)].reset_index(drop=True)
    project.layers["streets"] = streets
    # No building footprints offline: city blocks derived from the street network (an approximation,
    # labelled as such), as for Montevideo; faces over 3 ha are parks, squares or open land: dropped.
    blocks = blocks_from_streets(streets, setback_m=6.0, default_height_m=12.0, boundary=project.study_area)
    blocks = blocks[blocks.area <= 30_000.0].reset_index(drop=True)
    project.layers["buildings"] = blocks
    project.parameters = Parameters(
        jurisdiction="CL", default_resolution="1080p", default_codec="h265", default_bitrate_mbps=2.2,
        retention_target_days=30.0, currency="USD",
        description="Bid starting point: the 32 comunas of the Provincia de Santiago, no deployment yet; "
                    "streets of Santiago centro.",
        attribution="Comunas: Biblioteca del Congreso Nacional de Chile (CC BY 3.0 CL, presumed); "
                    f"street network of Santiago centro: {OSM}")
    project.metadata = {
        "attribution": project.parameters.attribution,
        "generator": "scripts/build_samples.py",
        "notes": ["district codes are slugs of the names: the source COD_COMUNA values are truncated",
                  "streets cover Santiago centro only (the OSMnx drive network of the source file)",
                  "no building footprints: occlusion uses city blocks derived from the street network "
                  "(6 m setback, 12 m high, faces over 3 ha dropped), an approximation"],
    }
    return project


BUILDERS = {"marseille": build_marseille, "cochabamba": build_cochabamba,
            "montevideo": build_montevideo, "santiago": build_santiago}


def main(argv: list[str]) -> int:
    out = OUT
    if "--out" in argv:
        i = argv.index("--out")
        out = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    names = argv or list(BUILDERS)
    for name in names:
        from planner.style import plural

        project = BUILDERS[name]()
        path = save_project(project, out / f"{name}.gpkg")
        counts = project.count_by_kind()
        print(f"{path}: {len(project.districts)} districts, "
              + ", ".join(plural(v, k.replace("_", " ")) for k, v in counts.items())
              + f", {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
