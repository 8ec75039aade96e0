"""Run slow work off the GUI thread: one adapter for every analysis (house style P4).

:class:`AnalysisRunner` runs ``fn(snapshot, progress=token)`` on a worker
thread. Progress arrives on the GUI thread as queued signals; cancel sets a
:class:`~planner.analysis.progress.CancelToken` whose next progress call
raises :class:`~planner.errors.AnalysisCancelled`. Starting a new run cancels
the previous one; results of a superseded run are dropped. The caller applies
``done``'s result on the GUI thread (through a command).

Workers never touch Qt: they put events on a :class:`queue.SimpleQueue` that a
timer on the GUI thread drains (every 30 ms while a job runs). Emitting Qt
signals that carry Python objects from a Python thread, while the GUI thread
ran Qt's event loop, crashed the interpreter now and then (seen in the test
suite in both the worker and the GUI thread); with the queue, only the GUI
thread calls Qt.

The worker threads are Python threads (:func:`submit`), not ``QThreadPool``
ones. While any job runs, Python's cyclic garbage collector is paused (and resumed
on the GUI thread once the last job has ended), and the modules workers use
are imported on the GUI thread first (:func:`preload`): the GUI thread
collecting garbage inside Qt's event loop while a worker imported a module
crashed the interpreter (seen three times in the test suite; the worker was
always importing). Reference counting still frees memory while paused.

A pooled Qt thread gets a fresh Python thread state for every job and
loses it afterwards, which frees whatever C libraries keep in Python
thread-locals: pyproj destroys its per-thread PROJ context but keeps the
pointer in a C thread-local, so the next job on that thread crashed inside
``proj_create`` (seen exporting twice in a row). A Python thread keeps one
thread state for its whole life.
"""

from __future__ import annotations

import concurrent.futures
import gc
import importlib
import os
import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from planner.analysis.kernels import warm_up
from planner.analysis.progress import CancelToken
from planner.errors import AnalysisCancelled

_POOL: concurrent.futures.ThreadPoolExecutor | None = None
_PENDING: set[concurrent.futures.Future[Any]] = set()
_LOCK = threading.Lock()


#: Imported on the GUI thread before the first job: what analyses and exports use.
PRELOAD = (
    "planner.analysis.coverage", "planner.analysis.network_plan", "planner.analysis.radio_coverage",
    "planner.analysis.costs", "planner.analysis.fov", "planner.workflows.export", "planner.io.export_csv",
    "planner.io.export_geojson", "planner.io.export_gpkg", "planner.io.export_html", "planner.io.export_kml",
    "planner.io.export_pdf", "planner.io.project_file", "planner.workflows", "scipy.sparse.csgraph",
    "scipy.spatial", "rasterio", "rasterio.features", "pyogrio", "folium", "branca.element", "jinja2",
    "jinja2.nodes", "jinja2.compiler", "matplotlib", "matplotlib.figure", "matplotlib.text",
    "matplotlib.backends.backend_agg", "matplotlib.backends.backend_pdf", "matplotlib.font_manager",
    "matplotlib.patches", "matplotlib.colors",
)
_preloaded = False
_running = 0


def preload() -> None:
    """Import :data:`PRELOAD` and load the numba kernels, on the calling (GUI) thread, once."""
    global _preloaded
    if _preloaded:
        return
    for name in PRELOAD:
        importlib.import_module(name)
    warm_up()
    _preloaded = True


def _job_started() -> None:
    global _running
    with _LOCK:
        _running += 1
        gc.disable()


def _job_ended() -> None:
    global _running
    with _LOCK:
        _running -= 1  # the collector is resumed on the GUI thread (resume_gc_if_idle), never here: a worker
        # that re-enabled it went on allocating (the future's result) and collected Qt objects on its own
        # thread, which crashed the test suite once


def resume_gc_if_idle() -> bool:
    """On the GUI thread: resume the cyclic garbage collector once no job runs; True when none runs."""
    with _LOCK:
        idle = _running == 0
    if idle and not gc.isenabled():
        gc.enable()
    return idle


def submit(fn: Callable[[], Any]) -> concurrent.futures.Future[Any]:
    """Run ``fn()`` on a worker thread (a Python thread; see the module notes)."""
    global _POOL
    preload()
    _job_started()

    def job() -> Any:
        try:
            return fn()
        finally:
            _job_ended()

    with _LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1),
                                                          thread_name_prefix="planner-worker")
        future = _POOL.submit(job)
        _PENDING.add(future)
    future.add_done_callback(_forget)
    return future


def _forget(future: concurrent.futures.Future[Any]) -> None:
    with _LOCK:
        _PENDING.discard(future)


def wait_all(msecs: int = 30000) -> bool:
    """Wait until every submitted job has finished; False on time-out."""
    with _LOCK:
        pending = list(_PENDING)
    _done, not_done = concurrent.futures.wait(pending, timeout=msecs / 1000.0)
    if not not_done:
        resume_gc_if_idle()
    return not not_done


class _Job:
    """Runs on a worker thread; reports only through the queue (never Qt)."""

    def __init__(self, generation: int, fn: Callable[..., Any], token: CancelToken,
                 events: queue.SimpleQueue[tuple[Any, ...]]) -> None:
        self._gen = generation
        self._fn = fn
        self._token = token
        self._events = events

    def run(self) -> None:
        try:
            result = self._fn(progress=self._token)
        except AnalysisCancelled:
            self._events.put(("cancelled", self._gen))
        except BaseException as exc:  # reported to the GUI thread, never swallowed
            self._events.put(("failed", self._gen, exc, traceback.format_exc()))
        else:
            self._events.put(("finished", self._gen, result))


class AnalysisRunner(QObject):
    """Runs one analysis at a time off the GUI thread.

    Signals
    -------
    started(str name)
    progressed(float fraction, str message)
    done(str name, object result)
    failed(str name, object exception, str traceback)
    cancelled(str name)
    """

    started = Signal(str)
    progressed = Signal(float, str)
    done = Signal(str, object)
    failed = Signal(str, object, str)
    cancelled = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self._drain)
        self._generation = 0
        self._token: CancelToken | None = None
        self._name = ""

    @property
    def running(self) -> bool:
        return self._token is not None

    @property
    def name(self) -> str:
        return self._name

    def start(self, name: str, fn: Callable[..., Any]) -> None:
        """Run ``fn(progress=callback)``; ``fn`` must only read data it owns (a snapshot)."""
        # modules and numba kernels are loaded on the GUI thread before a worker uses them
        preload()
        self.cancel()
        self._generation += 1
        gen = self._generation
        events = self._events

        def report(fraction: float, message: str = "") -> None:
            events.put(("progress", gen, float(fraction), str(message)))

        self._token = CancelToken(report)
        self._name = name
        self.started.emit(name)
        self._timer.start()
        submit(_Job(gen, fn, self._token, events).run)

    def cancel(self) -> None:
        """Ask the running job to stop at its next progress report."""
        if self._token is not None:
            self._token.cancel()
            self._token = None
            name, self._name = self._name, ""
            self.cancelled.emit(name)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every worker job (this runner's and the others'); False on time-out."""
        return wait_all(msecs)

    # -- events (GUI thread)
    def _drain(self) -> None:
        """Deliver what the workers queued; stop polling once nothing runs and the queue is empty."""
        handlers: dict[str, Callable[..., None]] = {"progress": self._on_progress, "finished": self._on_finished, "failed": self._on_failed,
                    "cancelled": self._on_cancelled}
        pending: tuple[Any, ...] | None = None  # progress reports coalesced: only the latest of a burst is shown
        while True:
            try:
                kind, *args = self._events.get_nowait()
            except queue.Empty:
                break
            if kind == "progress":
                pending = tuple(args)
                continue
            if pending is not None:
                self._on_progress(*pending)
                pending = None
            handlers[kind](*args)
        if pending is not None:
            self._on_progress(*pending)
        if self._token is None and self._events.empty() and resume_gc_if_idle():
            self._timer.stop()  # (polls on while any job, e.g. a cancelled one, still runs)

    def _on_progress(self, gen: int, fraction: float, message: str) -> None:
        if gen == self._generation and self._token is not None:
            self.progressed.emit(fraction, message)

    def _on_finished(self, gen: int, result: object) -> None:
        if gen != self._generation or self._token is None:
            return
        self._token = None
        name, self._name = self._name, ""
        self.done.emit(name, result)

    def _on_failed(self, gen: int, exc: object, tb: str) -> None:
        if gen != self._generation or self._token is None:
            return
        self._token = None
        name, self._name = self._name, ""
        self.failed.emit(name, exc, tb)

    def _on_cancelled(self, gen: int) -> None:  # the job noticed; cancel() already reported it
        return
