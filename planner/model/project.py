"""The project: the document every view and analysis works on.

A project has one projected, metric CRS (a UTM zone chosen from its study
area), a study area, districts, optional reference layers, a DEM, nodes and
links, and parameters. The model knows nothing of disks or Qt: see
:mod:`planner.io.project_file` for the file and :mod:`planner.model.commands`
for edits with undo.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
from shapely.geometry.base import BaseGeometry

from planner.errors import CRSError, InvalidInputError, OutOfRangeError
from planner.model.events import Signal
from planner.model.nodes import NODE_CLASSES, Camera, Codec, Link, Node, NodeKind

#: Reference layers a project may hold, with the geometry family each accepts.
REFERENCE_LAYERS: dict[str, str] = {
    "streets": "line",
    "priority_sites": "point",
    "buildings": "polygon",
    "privacy_masks": "polygon",
}


@dataclass(frozen=True, kw_only=True)
class Parameters:
    """Project-wide parameters (stored in the project file).

    Defaults: 1080p H.264 at 4 Mb/s (docs/reference.md §R3.2, bold value);
    retention target 30 days (the French legal maximum, CSI art. L252-5);
    coverage target height 1.6 m above ground (the coverage analysis default).
    """

    jurisdiction: str = ""
    default_resolution: str = "1080p"
    default_codec: Codec = Codec.H264
    default_bitrate_mbps: float = 4.0
    retention_target_days: float = 30.0
    currency: str = "EUR"
    target_height_m: float = 1.6
    description: str = ""
    attribution: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.default_bitrate_mbps <= 1000:
            raise OutOfRangeError(
                f"parameters: `default_bitrate_mbps` must be in (0, 1000]; got {self.default_bitrate_mbps}")
        if not 0 < self.retention_target_days <= 3650:
            raise OutOfRangeError(
                f"parameters: `retention_target_days` must be in (0, 3650]; got {self.retention_target_days}")
        if not 0 <= self.target_height_m <= 10:
            raise OutOfRangeError(f"parameters: `target_height_m` must be in [0, 10]; got {self.target_height_m}")
        object.__setattr__(self, "default_codec", Codec.parse(self.default_codec))
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise InvalidInputError(f"parameters: `currency` must be an ISO 4217 code like EUR; got {self.currency!r}")
        object.__setattr__(self, "jurisdiction", self.jurisdiction.upper())

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["default_codec"] = str(self.default_codec)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Parameters:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class Raster:
    """A single-band raster in the project CRS (a DEM, for instance)."""

    array: np.ndarray
    transform: tuple[float, float, float, float, float, float]  # affine a, b, c, d, e, f
    crs: pyproj.CRS
    nodata: float | None = None
    source: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.array.shape[0]), int(self.array.shape[1]))

    @property
    def resolution_m(self) -> tuple[float, float]:
        return (abs(self.transform[0]), abs(self.transform[4]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        a, _, c, _, e, f = self.transform
        rows, cols = self.shape
        xs = (c, c + a * cols)
        ys = (f, f + e * rows)
        return (min(xs), min(ys), max(xs), max(ys))

    def equals(self, other: Raster) -> bool:
        return (
            self.shape == other.shape
            and np.allclose(self.transform, other.transform)
            and self.crs == other.crs
            and np.array_equal(self.array, other.array, equal_nan=True)
        )


def utm_crs_for(geometry: BaseGeometry, crs: pyproj.CRS | str = "EPSG:4326") -> pyproj.CRS:
    """The WGS 84 / UTM zone CRS of ``geometry``'s centroid (osmnx-style)."""
    gs = gpd.GeoSeries([geometry], crs=crs)
    utm = gs.estimate_utm_crs(datum_name="WGS 84")
    if utm is None:  # pragma: no cover - pyproj always finds one on Earth
        raise CRSError("no UTM zone found for the study area")
    return pyproj.CRS.from_user_input(utm)


def require_projected_metric(crs: pyproj.CRS) -> None:
    if not crs.is_projected:
        raise CRSError(f"project CRS must be projected; got {crs.to_string()}")
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        raise CRSError(f"project CRS must be in metres; got unit {unit!r}")


class Project:
    """A deployment plan.

    Events
    ------
    changed(str what)
        Emitted after any change; ``what`` is ``"nodes"``, ``"links"``,
        ``"layers"``, ``"parameters"``, ``"results"`` or ``"all"``.
    nodes_changed(list[str] ids)
        Emitted with the ids of nodes added, removed or replaced.
    """

    def __init__(
        self,
        *,
        name: str,
        crs: pyproj.CRS | str | int,
        study_area: BaseGeometry,
        districts: gpd.GeoDataFrame | None = None,
        parameters: Parameters | None = None,
    ) -> None:
        self.crs = pyproj.CRS.from_user_input(crs)
        require_projected_metric(self.crs)
        if study_area is None or study_area.is_empty:
            raise InvalidInputError("the study area is empty")
        if study_area.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInputError(f"the study area must be a polygon; got {study_area.geom_type}")
        self.name = name
        self.study_area: BaseGeometry = study_area
        self.districts = districts if districts is not None else empty_districts(self.crs)
        self.parameters = parameters or Parameters()
        self.layers: dict[str, gpd.GeoDataFrame] = {}
        self.dem: Raster | None = None
        self._nodes: dict[str, Node] = {}
        self._links: dict[str, Link] = {}
        self._results: dict[str, Any] = {}  # ResultKind -> result record (planner.model.results)
        self.metadata: dict[str, Any] = {}
        self.changed = Signal()
        self.nodes_changed = Signal()

    # ------------------------------------------------------------------ nodes
    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise InvalidInputError(f"no node with id {node_id!r}") from None

    def nodes(self, kind: NodeKind | None = None) -> list[Node]:
        if kind is None:
            return list(self._nodes.values())
        return [n for n in self._nodes.values() if n.KIND == kind]

    def cameras(self) -> list[Camera]:
        return [n for n in self._nodes.values() if isinstance(n, Camera)]

    def iter_nodes(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    @property
    def node_count(self) -> int:
        return len(self._nodes)

    def count_by_kind(self) -> dict[str, int]:
        counts = {k.value: 0 for k in NodeKind}
        for n in self._nodes.values():
            counts[n.KIND.value] += 1
        return counts

    def new_id(self, kind: NodeKind | str) -> str:
        """A fresh stable id like ``cam-0042`` (never reuses a live id)."""
        prefix = NODE_CLASSES[NodeKind(kind)].ID_PREFIX if kind != "link" else Link.ID_PREFIX
        pool = self._links if kind == "link" else self._nodes
        pat = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
        top = 0
        for key in pool:
            m = pat.match(key)
            if m:
                top = max(top, int(m.group(1)))
        return f"{prefix}-{top + 1:04d}"

    def add_nodes(self, nodes: Iterable[Node], *, index: dict[str, int] | None = None) -> list[str]:
        """Add nodes (ids must be new); ``index`` restores positions on undo."""
        nodes = list(nodes)
        seen = set()
        for n in nodes:
            if n.id in self._nodes or n.id in seen:
                raise InvalidInputError(f"a node with id {n.id!r} already exists")
            seen.add(n.id)
        if index:
            items = list(self._nodes.items())
            for n in sorted(nodes, key=lambda n: index.get(n.id, len(items))):
                items.insert(min(index.get(n.id, len(items)), len(items)), (n.id, n))
            self._nodes = dict(items)
        else:
            for n in nodes:
                self._nodes[n.id] = n
        ids = [n.id for n in nodes]
        self._emit_nodes(ids)
        return ids

    def remove_nodes(self, ids: Iterable[str]) -> tuple[list[Node], dict[str, int]]:
        """Remove nodes; returns them with their positions (for undo)."""
        ids = list(ids)
        positions = {k: i for i, k in enumerate(self._nodes)}
        removed = [self.node(i) for i in ids]
        index = {n.id: positions[n.id] for n in removed}
        for i in ids:
            del self._nodes[i]
        self._emit_nodes(ids)
        return removed, index

    def replace_nodes(self, nodes: Iterable[Node]) -> list[Node]:
        """Replace nodes with the same ids; returns the previous versions."""
        nodes = list(nodes)
        old = [self.node(n.id) for n in nodes]
        for o, n in zip(old, nodes, strict=True):
            if type(o) is not type(n):
                raise InvalidInputError(f"node {n.id!r} cannot change kind")
        for n in nodes:
            self._nodes[n.id] = n
        self._emit_nodes([n.id for n in nodes])
        return old

    def _emit_nodes(self, ids: list[str]) -> None:
        self.nodes_changed.emit(ids)
        self.changed.emit("nodes")

    # ------------------------------------------------------------------ links
    def links(self) -> list[Link]:
        return list(self._links.values())

    def link(self, link_id: str) -> Link:
        try:
            return self._links[link_id]
        except KeyError:
            raise InvalidInputError(f"no link with id {link_id!r}") from None

    def add_links(self, links: Iterable[Link]) -> None:
        links = list(links)
        for lk in links:
            if lk.id in self._links:
                raise InvalidInputError(f"a link with id {lk.id!r} already exists")
        for lk in links:
            self._links[lk.id] = lk
        self.changed.emit("links")

    def remove_links(self, ids: Iterable[str]) -> list[Link]:
        removed = [self.link(i) for i in ids]
        for lk in removed:
            del self._links[lk.id]
        self.changed.emit("links")
        return removed

    # ------------------------------------------------------------- parameters
    def set_parameters(self, parameters: Parameters) -> Parameters:
        old = self.parameters
        self.parameters = parameters
        self.changed.emit("parameters")
        return old

    def set_layer(self, name: str, gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
        if name not in REFERENCE_LAYERS:
            raise InvalidInputError(f"unknown layer {name!r}; expected one of {sorted(REFERENCE_LAYERS)}")
        old = self.layers.get(name)
        if gdf is None or len(gdf) == 0:
            self.layers.pop(name, None)
        else:
            if gdf.crs is None or pyproj.CRS.from_user_input(gdf.crs) != self.crs:
                raise CRSError(f"layer {name!r} must be in the project CRS")
            self.layers[name] = gdf
        self.changed.emit("layers")
        return old

    def set_study_area(self, area: BaseGeometry) -> BaseGeometry:
        """Replace the study area (a non-empty polygon in the project CRS); returns the previous one."""
        if area is None or area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInputError("the study area must be a non-empty polygon")
        old = self.study_area
        self.study_area = area
        self.changed.emit("layers")
        return old

    def set_dem(self, dem: Raster | None) -> Raster | None:
        """Replace the DEM (None removes it); returns the previous one."""
        if dem is not None and dem.crs != self.crs:
            raise CRSError("the DEM must be in the project CRS")
        old = self.dem
        self.dem = dem
        self.changed.emit("layers")
        return old

    def set_metadata(self, key: str, value: Any) -> Any:
        """Set one metadata value (None removes it); returns the previous one."""
        old = self.metadata.get(key)
        if value is None:
            self.metadata.pop(key, None)
        else:
            self.metadata[key] = value
        self.changed.emit("parameters")
        return old

    def restore_layers(self, *, study_area: BaseGeometry, districts: gpd.GeoDataFrame,
                       layers: dict[str, gpd.GeoDataFrame], dem: Raster | None) -> None:
        """Put back a saved state of the area, districts, reference layers and DEM (undo of an import)."""
        self.study_area = study_area
        self.districts = districts
        self.layers = dict(layers)
        self.dem = dem
        self.changed.emit("layers")

    def set_districts(self, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        old = self.districts
        self.districts = districts
        self.changed.emit("layers")
        return old

    # --------------------------------------------------------------- results
    @property
    def results(self) -> Mapping[str, Any]:
        """The stored results by kind, read-only (see :mod:`planner.model.results`)."""
        return _ResultsView(self._results)

    def result(self, kind: str) -> Any:
        """The stored result of ``kind`` (a :class:`~planner.model.results.ResultKind`), or None."""
        from planner.model.results import ResultKind

        return self._results.get(ResultKind(kind))

    def set_result(self, result: Any) -> Any:
        """Store ``result`` (replacing the one of its kind); returns the previous one or None."""
        from planner.model.results import check_result

        result = check_result(result)
        old = self._results.get(result.kind)
        self._results[result.kind] = result
        self.changed.emit("results")
        return old

    def clear_result(self, kind: str) -> Any:
        """Remove the result of ``kind``; returns it (or None when there was none)."""
        from planner.model.results import ResultKind

        old = self._results.pop(ResultKind(kind), None)
        if old is not None:
            self.changed.emit("results")
        return old

    # --------------------------------------------------------------- summary
    @property
    def epsg(self) -> int | None:
        return self.crs.to_epsg()

    def area_km2(self) -> float:
        return float(self.study_area.area) / 1e6

    def phases(self) -> list[str]:
        """Phases in use, sorted (``""`` means no phase)."""
        return sorted({n.phase for n in self._nodes.values()} | {lk.phase for lk in self._links.values()})

    def snapshot(self) -> Project:
        """A copy that analyses can read while the original keeps being edited.

        Nodes and links are immutable, so the copy shares them; GeoDataFrames
        and the DEM are shared too and must be treated as read-only.
        """
        snap = copy.copy(self)
        snap._nodes = dict(self._nodes)
        snap._links = dict(self._links)
        snap.layers = dict(self.layers)
        snap._results = dict(self._results)
        snap.metadata = copy.deepcopy(self.metadata)
        snap.changed = Signal()
        snap.nodes_changed = Signal()
        return snap


class _ResultsView(Mapping[str, Any]):
    """Read-only results by kind; asking for a key that is no result kind is an error, not None."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        from planner.model.results import ResultKind

        try:
            kind = ResultKind(key)
        except ValueError:
            raise KeyError(f"{key!r} is not a result kind; expected one of {[k.value for k in ResultKind]}") from None
        return self._data[kind]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            if "not a result kind" in str(exc):
                raise
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def empty_districts(crs: pyproj.CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [], "code": [], "level": []}, geometry=[], crs=crs)


__all__ = ["Parameters", "Project", "REFERENCE_LAYERS", "Raster", "empty_districts",
           "require_projected_metric", "utm_crs_for"]
