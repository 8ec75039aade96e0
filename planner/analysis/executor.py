"""One interface to run batches of independent work: in-process, local processes, or dask.distributed.

Analyses call :meth:`BatchExecutor.map_batches` with a picklable function
``fn(items, *shared) -> list`` and never care where it runs:

* :class:`InProcessExecutor`: the calling thread (small jobs, tests, the GUI's
  incremental updates).
* :class:`ThreadExecutor`: local threads, for work whose compiled kernels
  release the GIL (the coverage engine's default for large deployments: no
  process start, nothing pickled; measured faster than processes on the
  Marseille sample).
* :class:`ProcessExecutor`: local worker processes (``--workers N``, and the
  default for large optimiser candidate sets, whose batches are Python-heavy);
  ``shared`` is sent once per worker, not once per batch.
* :class:`DaskExecutor`: an existing dask.distributed cluster (``--scheduler
  tcp://host:8786``), so a national deployment runs on many machines with the
  same code; ``shared`` is scattered to the workers once.

Results come back in input order, flattened. Progress is reported per batch;
raising :class:`planner.errors.AnalysisCancelled` from the callback cancels the
remaining batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from planner.analysis.progress import ProgressFn, no_progress
from planner.errors import InvalidInputError

BatchFn = Callable[..., list[Any]]


class BatchExecutor(Protocol):
    """Runs ``fn`` over batches of ``items``; yields the results in input order."""

    def map_batches(self, fn: BatchFn, items: Sequence[Any], *shared: Any,
                    progress: ProgressFn = no_progress) -> Iterator[Any]: ...


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class InProcessExecutor:
    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def map_batches(self, fn: BatchFn, items: Sequence[Any], *shared: Any,
                    progress: ProgressFn = no_progress) -> Iterator[Any]:
        batches = _batches(items, self.batch_size)
        for i, b in enumerate(batches):
            progress(i / max(len(batches), 1), f"batch {i + 1}/{len(batches)}")
            yield from fn(b, *shared)
        progress(1.0, "done")


def _in_order(futures: Sequence[Any], progress: ProgressFn) -> Iterator[Any]:
    """The futures' results flattened in submission order, with progress; a failure or a cancel from
    ``progress`` cancels the batches not started yet."""
    try:
        for i, fut in enumerate(futures):
            progress(i / len(futures), f"batch {i + 1}/{len(futures)}")
            yield from fut.result()
    except BaseException:
        for f in futures:
            f.cancel()
        raise


class ThreadExecutor:
    """Local threads (``workers`` defaults to the CPU count); results in input order."""

    def __init__(self, workers: int | None = None, batch_size: int = 64) -> None:
        self.workers = workers or max(os.cpu_count() or 1, 1)
        self.batch_size = batch_size

    def map_batches(self, fn: BatchFn, items: Sequence[Any], *shared: Any,
                    progress: ProgressFn = no_progress) -> Iterator[Any]:
        from concurrent.futures import ThreadPoolExecutor

        batches = _batches(items, self.batch_size)
        if not batches:
            return
        with ThreadPoolExecutor(max_workers=min(self.workers, len(batches)),
                                thread_name_prefix="planner-batch") as pool:
            futures = [pool.submit(fn, b, *shared) for b in batches]
            yield from _in_order(futures, progress)
        progress(1.0, "done")


_WORKER_SHARED: tuple[Any, ...] = ()


def _init_worker(shared: tuple[Any, ...]) -> None:
    global _WORKER_SHARED
    _WORKER_SHARED = shared


def _run_with_shared(fn: BatchFn, batch: Sequence[Any]) -> list[Any]:
    return fn(batch, *_WORKER_SHARED)


class ProcessExecutor:
    """Local worker processes (``workers`` defaults to the CPU count)."""

    def __init__(self, workers: int | None = None, batch_size: int = 64) -> None:
        self.workers = workers or max(os.cpu_count() or 1, 1)
        self.batch_size = batch_size

    def map_batches(self, fn: BatchFn, items: Sequence[Any], *shared: Any,
                    progress: ProgressFn = no_progress) -> Iterator[Any]:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        batches = _batches(items, self.batch_size)
        if not batches:
            return
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=min(self.workers, len(batches)), mp_context=ctx,
                                 initializer=_init_worker, initargs=(shared,)) as pool:
            futures = [pool.submit(_run_with_shared, fn, b) for b in batches]
            yield from _in_order(futures, progress)
        progress(1.0, "done")


class DaskExecutor:
    """Batches on an existing dask.distributed cluster (or a ``distributed.Client``)."""

    def __init__(self, scheduler: Any, batch_size: int = 64) -> None:
        self.scheduler = scheduler
        self.batch_size = batch_size

    def _client(self) -> Any:
        try:
            from distributed import Client
        except ImportError:
            raise InvalidInputError("`--scheduler` needs dask.distributed: pip install 'planner[distributed]'") from None
        if isinstance(self.scheduler, Client):
            return self.scheduler, False
        try:
            return Client(self.scheduler, timeout="10s"), True  # type: ignore[no-untyped-call]  # distributed is untyped
        except (OSError, TimeoutError) as exc:
            raise InvalidInputError(f"cannot reach the dask scheduler {self.scheduler!r} ({exc})") from None

    def map_batches(self, fn: BatchFn, items: Sequence[Any], *shared: Any,
                    progress: ProgressFn = no_progress) -> Iterator[Any]:
        from distributed import as_completed

        client, own = self._client()
        try:
            batches = _batches(items, self.batch_size)
            scattered = [client.scatter(s, broadcast=True) for s in shared]
            futures = [client.submit(fn, b, *scattered, pure=False) for b in batches]
            done = 0
            results: dict[Any, list[Any]] = {}
            try:
                for fut in as_completed(futures):  # type: ignore[no-untyped-call]  # distributed is untyped
                    results[fut.key] = fut.result()
                    done += 1
                    progress(done / len(futures), f"batch {done}/{len(futures)}")
            except BaseException:
                client.cancel(futures)
                raise
            for fut in futures:
                yield from results[fut.key]
        finally:
            if own:
                client.close()


def default_executor(n_items: int, *, scheduler: Any = None, workers: int | None = None,
                     threads: bool = False) -> BatchExecutor:
    """Dask when a scheduler is given; ``workers`` local processes when given (0: in-process); otherwise, for
    large jobs, local threads (``threads``: the work releases the GIL) or processes; in-process for small ones."""
    if scheduler:
        return DaskExecutor(scheduler)
    if workers == 0 or (workers is None and (n_items < 200 or (os.cpu_count() or 1) < 2)):
        return InProcessExecutor()
    if workers is None and threads:
        return ThreadExecutor()
    return ProcessExecutor(workers)
