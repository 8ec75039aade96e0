"""Analysis results owned by the project: one frozen type per kind.

A project keeps at most one result of each :class:`ResultKind`. Results go
in through :meth:`planner.model.project.Project.set_result` and out through
:meth:`~planner.model.project.Project.clear_result`; those two are the only
places that emit ``changed("results")``. Analyses never store results
themselves: workflows return them and the caller applies them (the app
through an undoable command, the CLI with an explicit ``apply``).

JSON documents are normalised when a result is made, so what is in memory is
exactly what the project file holds and reads back:

* numpy scalars become Python numbers, tuples become lists, keys strings;
* non-finite numbers become ``null``, and the result lists where they were
  and what they meant (:attr:`DocumentRecord.non_finite`): ``"nan"`` is a
  quantity that is not defined there (the radio SINR of a camera on fibre),
  ``"inf"``/``"-inf"`` one that is unbounded (the retention of a centre that
  records nothing). Strict JSON has no NaN or infinity; a reader that sees
  ``null`` knows from this list which of the three it was.

A document that cannot be written as strict JSON (an object that is not a
number, string, bool, None, list or dict) is refused when the result is
made, not when the project is saved.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

import geopandas as gpd

from planner.errors import InvalidInputError
from planner.model.coverage_grid import LevelGrid
from planner.model.project import Raster

#: What each non-finite marker means (saved with every document that has one).
NON_FINITE_MEANING: dict[str, str] = {
    "nan": "not defined here (for instance the radio SINR of a camera on fibre)",
    "inf": "unbounded above (for instance the retention of a centre that records nothing)",
    "-inf": "unbounded below",
}

#: Deepest nesting a result document may have (the project-file reader applies the same limit).
MAX_DEPTH = 64


class ResultKind(StrEnum):
    """The kinds of result a project can hold (one of each)."""

    COVERAGE = "coverage"
    NETWORK = "network"
    RADIO = "radio"
    OPTIMISE = "optimise"
    AUDIT = "audit"


def _marker(x: float) -> str:
    if math.isnan(x):
        return "nan"
    return "inf" if x > 0 else "-inf"


def normalise_document(doc: Any, *, where: str = "result") -> tuple[dict[str, Any], dict[str, str]]:
    """``doc`` as strict-JSON data plus the non-finite markers (``{path pattern: marker}``).

    Paths are JSON pointers with list indices written ``*`` (``/cameras/*/sinr_db``),
    so a per-camera field that is NaN for 2,000 fibre cameras is one entry.
    """
    marks: dict[str, str] = {}

    def walk(v: Any, path: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise InvalidInputError(f"{where}: nested deeper than {MAX_DEPTH} levels at {path or '/'}")
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            if math.isfinite(v):
                return float(v)
            mark = _marker(v)
            prev = marks.get(path)
            marks[path] = mark if prev in (None, mark) else "mixed"
            return None
        if isinstance(v, dict):
            return {str(k): walk(x, f"{path}/{_escape(str(k))}", depth + 1) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x, f"{path}/*", depth + 1) for x in v]
        if hasattr(v, "item") and hasattr(v, "dtype"):  # numpy scalar
            return walk(v.item(), path, depth)
        raise InvalidInputError(f"{where}: {path or '/'} holds a {type(v).__name__}, which is not JSON data")

    clean = walk(doc, "", 0)
    if not isinstance(clean, dict):
        raise InvalidInputError(f"{where}: a result document must be a JSON object; got {type(doc).__name__}")
    # Proves the document is strict JSON now, so a save can never fail on it later.
    json.dumps(clean, allow_nan=False)
    return clean, marks


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


_MARKERS = {*NON_FINITE_MEANING, "mixed"}
_PATH = re.compile(r"^(/[^/]*)*$")


def check_non_finite(marks: Any, *, where: str) -> dict[str, str]:
    if not isinstance(marks, dict) or not all(
            isinstance(k, str) and _PATH.match(k) and v in _MARKERS for k, v in marks.items()):
        raise InvalidInputError(f"{where}: `non_finite` must map JSON paths to one of {sorted(_MARKERS)}")
    return dict(marks)


@dataclass(frozen=True, eq=False)
class DocumentRecord:
    """A result that is one JSON document (network, optimise)."""

    kind: ResultKind
    document: dict[str, Any]
    non_finite: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: ResultKind | str, doc: Any) -> DocumentRecord:
        kind = ResultKind(kind)
        clean, marks = normalise_document(doc, where=f"{kind} result")
        return cls(kind, clean, marks)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, DocumentRecord) and self.kind == other.kind
                and self.document == other.document and self.non_finite == other.non_finite)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class CoverageRecord:
    """Coverage: the summary document and the level raster (:class:`LevelGrid`).

    The grid is what the project file stores. Polygons (:attr:`polygons`) are
    made from it, or from the engine, the first time a map or an export asks,
    and kept; a record may also be given polygons (a file of an older schema
    holds only those, and the app hands over the polygons it has drawn).

    ``engine`` is the analysis' own result (tiles, per-camera footprints) that
    makes incremental updates after an edit fast; when the record has no grid
    of its own, the grid is the engine's. The engine lives only in memory: it
    is not saved and not compared, and a reopened project has none.
    """

    document: dict[str, Any]
    own_grid: LevelGrid | None = None
    non_finite: dict[str, str] = field(default_factory=dict)
    engine: Any = None
    crs: Any = None
    kind: ResultKind = ResultKind.COVERAGE
    _made: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, doc: Any, polygons: gpd.GeoDataFrame | None = None, *, grid: LevelGrid | None = None,
           engine: Any = None, crs: Any = None) -> CoverageRecord:
        clean, marks = normalise_document(doc, where="coverage result")
        return cls.from_parts(clean, marks, grid=grid, engine=engine, crs=crs, polygons=polygons)

    @classmethod
    def from_parts(cls, doc: dict[str, Any], marks: dict[str, str], *, grid: LevelGrid | None, engine: Any,
                   crs: Any, polygons: gpd.GeoDataFrame | None) -> CoverageRecord:
        """A record from an already normalised document and its markers (the project-file reader's path)."""
        rec = cls(doc, grid, marks, engine, crs)
        if polygons is not None:
            rec._made["polygons"] = polygons
        return rec

    @property
    def grid(self) -> LevelGrid | None:
        """The level raster: the record's own, else the engine's (made once), else None."""
        if self.own_grid is not None:
            return self.own_grid
        if self.engine is None:
            return None
        with self._lock:
            if "grid" not in self._made:
                self._made["grid"] = self.engine.level_grid(self.crs)
            return self._made["grid"]  # type: ignore[no-any-return]

    @property
    def polygons(self) -> gpd.GeoDataFrame | None:
        """Polygons coloured by the best level, per period (made on first use, then kept; thread-safe)."""
        made = self._made.get("polygons")
        if made is not None or not self.can_draw:
            return made
        with self._lock:
            if "polygons" not in self._made:
                if self.engine is not None:
                    gdf = self.engine.polygons()
                    self._made["polygons"] = gdf.set_crs(self.crs, allow_override=True) if self.crs else gdf
                else:
                    assert self.own_grid is not None
                    self._made["polygons"] = self.own_grid.polygons()
            return self._made["polygons"]

    @property
    def can_draw(self) -> bool:
        """Whether the record has (or can make) polygons."""
        return "polygons" in self._made or self.own_grid is not None or self.engine is not None

    @property
    def has_polygons(self) -> bool:
        """Whether the polygons are made already (reading :attr:`polygons` costs nothing then)."""
        return "polygons" in self._made

    @property
    def cached_polygons(self) -> gpd.GeoDataFrame | None:
        """The polygons if made already, else None (never makes them)."""
        return self._made.get("polygons")

    def with_polygons(self, polygons: gpd.GeoDataFrame | None, *, engine: Any = None,
                      document: dict[str, Any] | None = None) -> CoverageRecord:
        """The same result with polygons to show (None: made when asked), a new engine state and
        summary when given. A new engine brings its own grid."""
        engine = self.engine if engine is None else engine
        grid = self.own_grid if engine is self.engine else None
        if document is None:
            return CoverageRecord.from_parts(self.document, self.non_finite, grid=grid, engine=engine, crs=self.crs,
                                        polygons=polygons)
        return CoverageRecord.of(document, polygons, grid=grid, engine=engine, crs=self.crs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoverageRecord):
            return False
        if self.document != other.document or self.non_finite != other.non_finite:
            return False
        a, b = self.grid, other.grid
        if a is not None and b is not None:
            return a.equals(b)
        return _same_gdf(self.polygons, other.polygons)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class RadioMapRecord:
    """The best-server uplink rate map (Mb/s per cell, NaN out of reach) and its summary."""

    raster: Raster
    document: dict[str, Any] = field(default_factory=dict)
    non_finite: dict[str, str] = field(default_factory=dict)
    kind: ResultKind = ResultKind.RADIO

    @classmethod
    def of(cls, raster: Raster, doc: Any = None) -> RadioMapRecord:
        clean, marks = normalise_document(doc or {}, where="radio result")
        return cls(raster, clean, marks)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RadioMapRecord) and self.document == other.document
                and self.non_finite == other.non_finite and self.raster.equals(other.raster))

    __hash__ = None  # type: ignore[assignment]


def _same_gdf(a: gpd.GeoDataFrame | None, b: gpd.GeoDataFrame | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return len(a) == len(b) and bool(
        (a.drop(columns=a.geometry.name).reset_index(drop=True)
         .equals(b.drop(columns=b.geometry.name).reset_index(drop=True)))
        and a.geometry.reset_index(drop=True).geom_equals_exact(
            b.geometry.reset_index(drop=True), tolerance=1e-6).all())


@dataclass(frozen=True, eq=False)
class AuditRecord:
    """An audit of a camera register: the audit document, the coverage polygons per scenario
    (``level``, ``scenario``) and the register's cameras as points."""

    document: dict[str, Any]
    coverage: gpd.GeoDataFrame | None = None
    cameras: gpd.GeoDataFrame | None = None
    non_finite: dict[str, str] = field(default_factory=dict)
    kind: ResultKind = ResultKind.AUDIT

    @classmethod
    def of(cls, doc: Any, coverage: gpd.GeoDataFrame | None = None,
           cameras: gpd.GeoDataFrame | None = None) -> AuditRecord:
        clean, marks = normalise_document(doc, where="audit result")
        return cls(clean, coverage, cameras, marks)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AuditRecord) and self.document == other.document
                and self.non_finite == other.non_finite and _same_gdf(self.coverage, other.coverage)
                and _same_gdf(self.cameras, other.cameras))

    __hash__ = None  # type: ignore[assignment]


ResultRecord = CoverageRecord | DocumentRecord | RadioMapRecord | AuditRecord

#: The type each kind must have.
RESULT_TYPES: dict[ResultKind, type] = {
    ResultKind.COVERAGE: CoverageRecord,
    ResultKind.NETWORK: DocumentRecord,
    ResultKind.RADIO: RadioMapRecord,
    ResultKind.OPTIMISE: DocumentRecord,
    ResultKind.AUDIT: AuditRecord,
}


def document_of(project: Any, kind: ResultKind | str) -> dict[str, Any] | None:
    """The JSON document of ``project``'s result of ``kind``, or None when there is none."""
    record = project.result(kind)
    return record.document if record is not None else None


def check_result(result: Any) -> ResultRecord:
    """``result`` if it is a result of a known kind with the right type, else a one-line error."""
    kind = getattr(result, "kind", None)
    if not isinstance(kind, ResultKind) or not isinstance(result, RESULT_TYPES[kind]):
        raise InvalidInputError(f"not a project result: {type(result).__name__}")
    return cast(ResultRecord, result)


__all__ = ["AuditRecord", "CoverageRecord", "DocumentRecord", "MAX_DEPTH", "NON_FINITE_MEANING", "RESULT_TYPES",
           "RadioMapRecord", "ResultKind", "ResultRecord", "check_non_finite", "check_result", "document_of",
           "normalise_document"]
