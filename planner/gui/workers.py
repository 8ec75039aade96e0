"""Run slow work off the GUI thread: one adapter for every analysis (house style P4).

:class:`AnalysisRunner` runs ``fn(snapshot, progress=token)`` on a worker
thread. Progress arrives on the GUI thread as queued signals; cancel sets a
:class:`~planner.analysis.progress.CancelToken` whose next progress call
raises :class:`~planner.errors.AnalysisCancelled`. Starting a new run cancels
the previous one; results of a superseded run are dropped. The caller applies
``done``'s result on the GUI thread (through a command).

The worker threads are Python threads (:func:`submit`), not ``QThreadPool``
ones. A pooled Qt thread gets a fresh Python thread state for every job and
loses it afterwards, which frees whatever C libraries keep in Python
thread-locals: pyproj destroys its per-thread PROJ context but keeps the
pointer in a C thread-local, so the next job on that thread crashed inside
``proj_create`` (seen exporting twice in a row). A Python thread keeps one
thread state for its whole life.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from planner.analysis.kernels import warm_up
from planner.analysis.progress import CancelToken
from planner.errors import AnalysisCancelled


class _Relay(QObject):
    progressed = Signal(int, float, str)
    finished = Signal(int, object)
    failed = Signal(int, object, str)
    cancelled = Signal(int)


_POOL: concurrent.futures.ThreadPoolExecutor | None = None
_PENDING: set[concurrent.futures.Future[Any]] = set()
_LOCK = threading.Lock()


def submit(fn: Callable[[], Any]) -> concurrent.futures.Future[Any]:
    """Run ``fn()`` on a worker thread (a Python thread; see the module notes)."""
    global _POOL
    with _LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1),
                                                          thread_name_prefix="planner-worker")
        future = _POOL.submit(fn)
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
    return not not_done


class _Job:
    def __init__(self, generation: int, fn: Callable[..., Any], token: CancelToken, relay: _Relay) -> None:
        self._gen = generation
        self._fn = fn
        self._token = token
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn(progress=self._token)
        except AnalysisCancelled:
            self._relay.cancelled.emit(self._gen)
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread, never swallowed
            self._relay.failed.emit(self._gen, exc, traceback.format_exc())
        else:
            self._relay.finished.emit(self._gen, result)


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
        self._relay = _Relay()
        self._relay.progressed.connect(self._on_progress)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._relay.cancelled.connect(self._on_cancelled)
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
        # numba kernels must be loaded on the GUI thread before a worker calls them (kernels.py)
        warm_up()
        self.cancel()
        self._generation += 1
        gen = self._generation
        relay = self._relay

        def report(fraction: float, message: str = "") -> None:
            relay.progressed.emit(gen, float(fraction), str(message))

        self._token = CancelToken(report)
        self._name = name
        self.started.emit(name)
        submit(_Job(gen, fn, self._token, relay).run)

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

    # -- relays (GUI thread)
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
