"""Analyses as jobs: what each one computes off the GUI thread, and how its result is applied.

A :class:`Job` is ``(name, title, build, apply)``: ``build(**options)`` runs on
the GUI thread, takes a snapshot of the project and returns the function the
worker runs (``fn(progress) -> result``); ``apply(result)`` runs on the GUI
thread with what it returned. The controller keeps a registry of jobs by name
(:meth:`AnalysisController.register` adds one, e.g. a new analysis dialog's),
starts them on the right runner and dispatches the runners' ``done`` to the
job's ``apply``.

Results reach the project only through :meth:`AnalysisController.store`,
which wraps each typed result (:mod:`planner.model.results`) in a
:class:`~planner.model.commands.SetResult` command: an
analysis the user ran is its own undo step; a result derived from an edit (the
incremental coverage update) is folded into that edit's undo step
(:meth:`~planner.model.commands.CommandStack.amend`).

Analyses run on the phases the map shows (the layer panel's phase filter): the
snapshot keeps the nodes of those phases only, and the result names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from planner import workflows
from planner.analysis.progress import ProgressFn
from planner.errors import PlannerError
from planner.gui.map import project_layers as pl
from planner.gui.workers import AnalysisRunner
from planner.model.commands import Command, MacroCommand, SetResult
from planner.model.nodes import Camera
from planner.model.project import Project
from planner.model.results import ResultKind

if TYPE_CHECKING:  # pragma: no cover
    from planner.gui.main_window import MainWindow

WorkFn = Callable[[ProgressFn], Any]


@dataclass(frozen=True)
class Job:
    """One kind of background work: ``build(**options) -> fn(progress)`` (GUI thread; None: nothing
    to do), ``apply(result)`` (GUI thread). ``runner``: ``main`` (analyses; a new one cancels the
    running one), ``update`` (incremental updates), ``export`` or ``cost`` (no progress bar)."""

    name: str
    title: str
    build: Callable[..., WorkFn | None]
    apply: Callable[[Any], None]
    runner: str = "main"


@dataclass(frozen=True)
class Scope:
    """The phases an analysis covers: ``shown`` (None: every phase) and the ``phases`` parameter the
    analyses take (cumulative: ``("2016",)`` is the plan as it stands after 2016)."""

    shown: tuple[str, ...] | None
    phases: tuple[str, ...] | None

    def label(self) -> str:
        if self.shown is None:
            return "all phases"
        return "phase" + ("s " if len(self.shown) > 1 else " ") + ", ".join(p or "(no phase)" for p in self.shown)


def scope_for(project: Project, hidden: set[str]) -> Scope:
    """The scope of the phases not ``hidden``; refuses when every phase is hidden."""
    known = project.phases()
    hidden = hidden & set(known)
    if not hidden:
        return Scope(None, None)
    shown = tuple(p for p in known if p not in hidden)
    if not shown:
        raise PlannerError("every phase is hidden: tick a phase under “Phases shown” to analyse it")
    prefix = tuple(known[: len(shown)]) == shown
    return Scope(shown, (shown[-1],) if prefix else shown)


def scoped_snapshot(project: Project, scope: Scope) -> Project:
    """A snapshot holding only the nodes (and links) of ``scope``'s phases."""
    snap = project.snapshot()
    if scope.shown is None:
        return snap
    keep = set(scope.shown)
    gone = [n.id for n in snap.iter_nodes() if n.phase not in keep]
    if gone:
        gone_set = set(gone)
        links = [lk.id for lk in snap.links() if lk.phase not in keep or lk.from_id in gone_set
                 or lk.to_id in gone_set]
        if links:
            snap.remove_links(links)
        snap.remove_nodes(gone)
    return snap


class AnalysisController(QObject):
    """Runs the window's jobs and applies their results (see the module notes)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.runners: dict[str, AnalysisRunner] = {k: AnalysisRunner(self) for k in ("main", "update", "export",
                                                                                      "cost")}
        self.jobs: dict[str, Job] = {}
        #: (coverage document, engine state, scope): the runtime state behind each coverage document the
        #: project held lately, so undo and redo find the engine that matches the document they restore
        self._engines: list[tuple[Any, Any, Scope]] = []
        self._pending_cov_ids: list[str] = []
        self._drawing: Any = None  # the stored coverage record whose polygons are being made
        for key, r in self.runners.items():
            r.done.connect(self._on_done)
            r.failed.connect(self._on_failed)
            if key != "cost":
                r.progressed.connect(self._on_progress)
                r.cancelled.connect(self._on_cancelled)
                r.started.connect(self._on_started)
        self._cov_timer = QTimer(self)
        self._cov_timer.setSingleShot(True)
        self._cov_timer.setInterval(250)
        self._cov_timer.timeout.connect(lambda: self.run("coverage-update"))
        # the bill of materials takes ~0.5 s on 2,000 cameras: refresh it once edits pause
        self._cost_timer = QTimer(self)
        self._cost_timer.setSingleShot(True)
        self._cost_timer.setInterval(600)
        self._cost_timer.timeout.connect(lambda: self.run("cost"))
        for job in (
            Job("coverage", "Coverage", self._build_coverage, self._apply_coverage),
            Job("network", "Network and storage", self._build_network, self._apply_network),
            Job("radio", "Radio coverage map", self._build_radio, self._apply_radio),
            Job("coverage-update", "Coverage update", self._build_coverage_update, self._apply_coverage_update,
                runner="update"),
            Job("coverage-polygons", "Coverage map update", self._build_polygons, self._apply_polygons,
                runner="update"),
            Job("coverage-draw", "Drawing coverage", self._build_draw, self._apply_draw, runner="update"),
            Job("cost", "Cost by phase", self._build_cost, self._apply_cost, runner="cost"),
        ):
            self.register(job)

    # ------------------------------------------------------------ registry
    def register(self, job: Job) -> None:
        self.jobs[job.name] = job

    def title(self, name: str) -> str:
        job = self.jobs.get(name)
        return job.title if job else name

    @property
    def visible_runners(self) -> tuple[AnalysisRunner, ...]:
        """The runners whose work shows in the status bar (progress and cancel)."""
        return (self.runners["main"], self.runners["update"], self.runners["export"])

    def run(self, name: str, **options: Any) -> bool:
        """Build job ``name`` on the GUI thread and start it; False when there was nothing to run or
        it was refused (the message says why)."""
        job = self.jobs[name]
        try:
            fn = job.build(**options)
        except PlannerError as exc:
            self.w.show_error(f"{job.title}: {exc}", source=self._family(name))
            return False
        if fn is None:
            return False
        self.runners[job.runner].start(name, fn)
        return True

    def cancel(self) -> None:
        for r in self.visible_runners:
            r.cancel()

    def cancel_all(self) -> None:
        for r in self.runners.values():
            r.cancel()

    # ------------------------------------------------------------ storing results
    def store(self, records: list[Any], text: str, *, derived: bool = False) -> bool:
        """Put analysis results in the project: the one place the GUI writes them (through commands).

        ``derived``: the results follow from the last edit and join its undo step.
        """
        cmds: list[Command] = [SetResult(r, text=text) for r in records]
        cmd: Command = cmds[0] if len(cmds) == 1 else MacroCommand(cmds, text)
        if not derived:
            return self.w.push(cmd)
        stack = self.w.stack
        if stack is None:
            return False
        try:
            stack.amend(cmd)
        except PlannerError as exc:
            self.w.show_error(str(exc))
            return False
        return True

    # ------------------------------------------------------------ phases
    def scope(self) -> Scope:
        assert self.w.project is not None
        return scope_for(self.w.project, self.w.layers_panel.hidden_phases())

    def _snapshot(self) -> tuple[Project, Scope]:
        if self.w.project is None:
            raise PlannerError("open a project first")
        scope = self.scope()
        return scoped_snapshot(self.w.project, scope), scope

    # ------------------------------------------------------------ coverage
    def coverage_engine(self) -> Any:
        """The coverage engine state behind the project's current coverage document (None: none)."""
        entry = self._engine_entry()
        return entry[1] if entry else None

    def _engine_entry(self) -> tuple[Any, Any, Scope] | None:
        rec = self.w.project.result(ResultKind.COVERAGE) if self.w.project is not None else None
        return next((e for e in reversed(self._engines) if e[0] is rec), None) if rec is not None else None

    def _remember_engine(self, record: Any, engine: Any, scope: Scope) -> None:
        """The engine state and phases behind a coverage result (kept for undo/redo to find again)."""
        self._engines = [e for e in self._engines if e[0] is not record][-7:] + [(record, engine, scope)]

    def reset(self) -> None:
        """A new project: forget engine states and pending updates."""
        self.cancel_all()
        self._engines = []
        self._pending_cov_ids = []

    def _build_coverage(self) -> WorkFn:
        from planner.analysis.coverage import CoverageParams

        snap, scope = self._snapshot()
        crs = snap.crs
        params = CoverageParams(phases=scope.phases, target_height_m=snap.parameters.target_height_m)

        def fn(progress: ProgressFn) -> Any:
            from planner.analysis.progress import sub_progress

            result, doc, _text = workflows.coverage_report(snap, params, progress=sub_progress(progress, 0, 0.75))
            progress(0.8, "coverage polygons")
            polys = result.polygons().set_crs(crs, allow_override=True)
            progress(0.9, "drawing")
            built = pl.coverage_paths(polys)
            progress(1.0, "done")
            return result, doc, polys, built, scope

        return fn

    def _apply_coverage(self, result: Any) -> None:
        cov, doc, polys, built, scope = result
        assert self.w.project is not None
        record = workflows.coverage_record(self.w.project, cov, doc, polygons=polys)
        self._remember_engine(record, cov, scope)
        self.w.layers.remember_coverage_paths(polys, built)
        self.store([record], "Apply coverage results")
        self.w.statusBar().showMessage(f"Coverage computed ({scope.label()})", 5000)

    def cameras_changed(self, ids: list[str]) -> None:
        """Cameras were edited: update the coverage of those cameras soon (when coverage exists)."""
        if ids and self.coverage_engine() is not None:
            self._pending_cov_ids.extend(ids)
            self._cov_timer.start()

    def _build_coverage_update(self) -> WorkFn | None:
        entry = self._engine_entry()
        if self.w.project is None or entry is None or not self._pending_cov_ids:
            return None
        from planner.analysis.coverage import update_cameras

        ids, self._pending_cov_ids = list(dict.fromkeys(self._pending_cov_ids)), []
        _doc, base, scope = entry
        snap = scoped_snapshot(self.w.project, scope)
        state = self.w.stack.state_id if self.w.stack is not None else 0

        def fn(progress: ProgressFn) -> Any:
            progress(0.0, "updating coverage")
            r = update_cameras(base, snap, ids)
            progress(0.9, "totals")
            return r, r.summary(), ids, scope, state

        return fn

    def _stale(self, state: int, ids: list[str]) -> bool:
        """The project changed since the job took its snapshot: queue its cameras again."""
        if self.w.stack is not None and self.w.stack.state_id == state:
            return False
        self._pending_cov_ids = list(ids) + self._pending_cov_ids
        self._cov_timer.start()
        return True

    def _apply_coverage_update(self, result: Any) -> None:
        cov, doc, ids, scope, state = result
        p = self.w.project
        if p is None or self._stale(state, ids):
            return
        current = p.result(ResultKind.COVERAGE)
        if current is None:
            return
        base = current.engine
        if base is not None and all(base.geometries.get(i) == cov.geometries.get(i) for i in ids):
            return  # the stored result already reflects these cameras (e.g. undo restored it with its engine)
        record = current.with_polygons(current.cached_polygons, engine=cov, document=doc)
        self._remember_engine(record, cov, scope)
        self.store([record], "Update coverage", derived=True)
        if self._pending_cov_ids:
            self._cov_timer.start()
            return
        # after this result's repaint: the worker's Python-heavy path building competes for the GIL
        QTimer.singleShot(60, lambda: self._start_polygons(cov))

    def _start_polygons(self, cov: Any) -> None:
        if self.coverage_engine() is cov and not self.runners["update"].running and not self._pending_cov_ids:
            self.run("coverage-polygons", engine=cov)

    def _build_polygons(self, engine: Any) -> WorkFn | None:
        p = self.w.project
        if p is None:
            return None
        crs = p.crs
        current = p.result(ResultKind.COVERAGE)
        previous = current.cached_polygons if current is not None else None
        state = self.w.stack.state_id if self.w.stack is not None else 0

        def fn(progress: ProgressFn) -> Any:
            from planner.analysis.coverage import patch_polygons

            progress(0.1, "redrawing coverage")
            gdf = engine.polygons().set_crs(crs, allow_override=True) if previous is None else \
                patch_polygons(previous, engine)
            progress(0.6, "drawing")
            return gdf, pl.coverage_paths(gdf), engine, state

        return fn

    def _apply_polygons(self, result: Any) -> None:
        gdf, built, engine, state = result
        stack = self.w.stack
        if self.w.project is None or stack is None or stack.state_id != state or self.coverage_engine() is not engine:
            return  # superseded: the next update redraws
        entry = self._engine_entry()
        current = self.w.project.result(ResultKind.COVERAGE)
        if entry is None or current is None:
            return
        record = current.with_polygons(gdf, engine=engine)
        self._remember_engine(record, engine, entry[2])
        self.w.layers.remember_coverage_paths(gdf, built)
        self.store([record], "Update coverage map", derived=True)

    def draw_stored(self, record: Any) -> None:
        """Make a stored coverage result's polygons and map paths in the background (once per record)."""
        if self._drawing is record and self.runners["update"].running:
            return
        if self.runners["update"].running:  # an update or redraw is on: try again when it is done
            QTimer.singleShot(200, lambda: self._draw_if_current(record))
            return
        self._drawing = record
        self.run("coverage-draw", record=record)

    def _draw_if_current(self, record: Any) -> None:
        p = self.w.project
        if p is not None and p.result(ResultKind.COVERAGE) is record and not record.has_polygons:
            self.draw_stored(record)

    def _build_draw(self, record: Any) -> WorkFn:
        def fn(progress: ProgressFn) -> Any:
            progress(0.1, "drawing the stored coverage")
            gdf = record.polygons
            progress(0.7, "drawing")
            return record, gdf, pl.coverage_paths(gdf)

        return fn

    def _apply_draw(self, result: Any) -> None:
        record, gdf, built = result
        self._drawing = None
        self.w.layers.remember_coverage_paths(gdf, built)
        p = self.w.project
        if p is not None and p.result(ResultKind.COVERAGE) is record:
            self.w.layers.rebuild_some(["coverage"])

    # ------------------------------------------------------------ network, radio
    def _build_network(self) -> WorkFn:
        from planner.analysis.network_plan import NetworkParams, run_network

        snap, scope = self._snapshot()
        params = NetworkParams(phases=scope.phases)

        def fn(progress: ProgressFn) -> Any:
            return run_network(snap, params, progress=progress), scope

        return fn

    def _apply_network(self, result: Any) -> None:
        net, scope = result
        record = workflows.network_record(net.to_dict())
        doc = record.document
        self.store([record], "Apply network and storage results")
        t = doc["totals"]
        self.w.statusBar().showMessage(
            f"Network and storage ({scope.label()}): {t['cameras']:,} cameras, {t['daily_tb']:,.1f} TB/day; "
            f"{t['flagged_storage']} centre(s) flagged", 8000)

    def _build_radio(self) -> WorkFn:
        snap, scope = self._snapshot()

        def fn(progress: ProgressFn) -> Any:
            radio, doc, _text = workflows.radio_map_report(snap, progress=progress)
            return workflows.radio_record(snap, radio, doc), doc, scope

        return fn

    def _apply_radio(self, result: Any) -> None:
        record, doc, _scope = result
        self.store([record], "Apply radio coverage map")
        self.w.layers.set_visible("radio_throughput", True)
        self.w.statusBar().showMessage(str(doc.get("text", "Radio coverage map computed")), 8000)

    # ------------------------------------------------------------ cost
    def schedule_cost(self) -> None:
        self._cost_timer.start()

    def _build_cost(self) -> WorkFn | None:
        """The cost by phase (about 50 ms on 2,000 cameras) on a snapshot."""
        if self.w.project is None:
            return None
        from planner.analysis.costs import cost_by_phase

        snap = self.w.project.snapshot()

        def fn(progress: ProgressFn) -> Any:
            try:
                return snap, cost_by_phase(snap)
            except PlannerError as exc:
                return snap, exc

        return fn

    def _apply_cost(self, result: Any) -> None:
        snap, rows = result
        if self.w.project is not None:
            self.w.results.refresh_cost(snap, rows)

    # ------------------------------------------------------------ runner events
    def _family(self, name: str) -> str:
        return {"coverage-update": "coverage", "coverage-polygons": "coverage"}.get(name, name)

    def _on_done(self, name: str, result: Any) -> None:
        self._idle_progress()
        job = self.jobs.get(name)
        if job is None:
            return
        self.w.messages.clear(self._family(name))  # a later success takes away the failure it reported
        job.apply(result)

    def _on_failed(self, name: str, exc: Any, tb: str) -> None:
        self._idle_progress()
        title = self.title(name)
        source = self._family(name)
        if isinstance(exc, PlannerError) or (name == "export" and isinstance(exc, OSError)):
            self.w.show_error(f"{title} failed: {exc}", source=source)
        else:
            self.w.show_error(f"{title} failed unexpectedly: {type(exc).__name__}: {exc}", source=source)
            self.w.last_error = tb

    def _on_cancelled(self, name: str) -> None:
        self._idle_progress()
        if name:
            self.w.statusBar().showMessage(f"{self.title(name)} cancelled", 5000)

    def _on_started(self, name: str) -> None:
        w = self.w
        w.progress_label.setText(self.title(name) + "…")
        w.progress.setValue(0)
        for x in (w.progress_label, w.progress, w.cancel_button):
            x.show()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.w.progress.setValue(int(1000 * fraction))
        runner = self.sender()
        title = self.title(runner.name if isinstance(runner, AnalysisRunner) else "")
        self.w.progress_label.setText(f"{title}: {message}" if message else title)

    def _idle_progress(self) -> None:
        if not any(r.running for r in self.visible_runners):
            for x in (self.w.progress_label, self.w.progress, self.w.cancel_button):
                x.hide()


def camera_ids(project: Project, ids: list[str]) -> list[str]:
    """The cameras among edited node ids (deleted ones included: their coverage goes)."""
    return [i for i in ids if (i in project and isinstance(project.node(i), Camera))
            or (i not in project and i.startswith("cam"))]
