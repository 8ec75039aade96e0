"""Progress reporting and cancellation for long analyses.

An analysis takes ``progress: ProgressFn = no_progress`` and calls it with a
fraction in [0, 1] and a short message. The caller cancels a run by raising
:class:`planner.errors.AnalysisCancelled` from inside the callback (Orange3's
pattern); the analysis lets it propagate and leaves no partial result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from planner.errors import AnalysisCancelled

__all__ = ["AnalysisCancelled", "CancelToken", "ProgressFn", "no_progress", "sub_progress"]


class ProgressFn(Protocol):
    def __call__(self, fraction: float, message: str = "") -> None: ...


def no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores everything."""


def sub_progress(progress: ProgressFn, start: float, stop: float) -> ProgressFn:
    """Map a sub-task's [0, 1] progress onto ``[start, stop]`` of ``progress``."""
    span = stop - start

    def _inner(fraction: float, message: str = "") -> None:
        progress(start + span * min(max(fraction, 0.0), 1.0), message)

    return _inner


class CancelToken:
    """A thread-safe flag turned into a progress callback that raises when set."""

    def __init__(self, progress: ProgressFn | None = None) -> None:
        self._cancelled = False
        self._progress: Callable[[float, str], None] = progress or no_progress

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def __call__(self, fraction: float, message: str = "") -> None:
        if self._cancelled:
            raise AnalysisCancelled("analysis cancelled by the user")
        self._progress(fraction, message)
