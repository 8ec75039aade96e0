"""The worker threads: jobs run on Python threads that keep their thread state between jobs."""

from __future__ import annotations

import threading


def test_consecutive_jobs_using_pyproj_on_the_same_worker_thread(qtbot):
    """Pooled Qt threads lost their Python thread state after each job, which destroyed pyproj's
    per-thread PROJ context while a C thread-local kept pointing at it: the next job on that thread
    crashed in ``proj_create`` (two exports in a row did)."""
    import pyproj

    from planner.gui.workers import AnalysisRunner

    runner = AnalysisRunner()
    crs = pyproj.CRS.from_epsg(32719)
    threads, results = [], []

    def job(progress):
        threads.append(threading.get_ident())
        progress(0.5, "projecting")
        c = pyproj.CRS.from_wkt(crs.to_wkt())
        return c.is_projected, pyproj.Transformer.from_crs(c, 4326, always_xy=True).transform(350000, 6300000)

    for _ in range(4):
        with qtbot.waitSignal(runner.done, timeout=20000) as blocker:
            runner.start("job", job)
        results.append(blocker.args[1])
    assert all(r[0] for r in results) and len({round(r[1][0], 6) for r in results}) == 1
    assert all(isinstance(t, int) for t in threads)
    assert runner.wait(5000)


def test_progress_bursts_are_coalesced_and_the_last_report_arrives(qtbot):
    """A worker reporting thousands of times between two GUI polls costs one progress-bar update, not
    thousands (each Qt call from the GUI thread may wait for the GIL), and the latest report is shown."""
    import time

    from planner.gui.workers import AnalysisRunner

    runner = AnalysisRunner()
    seen: list[float] = []
    runner.progressed.connect(lambda f, m: seen.append(f))

    def job(progress):
        for k in range(1, 2001):
            progress(k / 2000, f"step {k}")
        time.sleep(0.3)  # the GUI polls meanwhile: it must see the last report before the result
        return "done"

    with qtbot.waitSignal(runner.done, timeout=20000):
        runner.start("burst", job)
    assert seen and seen[-1] == 1.0
    assert len(seen) < 200  # the 2,000 reports arrive in a few bursts
    assert runner.wait(5000)


def test_the_collector_is_paused_during_jobs_and_resumed_on_the_gui_thread(qtbot):
    import gc

    from planner.gui import workers
    from planner.gui.workers import AnalysisRunner

    resumed_on: list[int] = []
    real_enable = gc.enable

    def spy_enable() -> None:
        resumed_on.append(threading.get_ident())
        real_enable()

    runner = AnalysisRunner()
    seen: list[bool] = []
    gc.enable = spy_enable  # type: ignore[assignment]
    try:
        for _ in range(3):
            with qtbot.waitSignal(runner.done, timeout=20000):
                runner.start("job", lambda progress: seen.append(gc.isenabled()) or [object() for _ in range(10000)])
            assert runner.wait(5000)
            qtbot.waitUntil(gc.isenabled, timeout=5000)
    finally:
        gc.enable = real_enable  # type: ignore[assignment]
    assert seen == [False, False, False]  # paused while the job ran
    assert resumed_on and set(resumed_on) == {threading.get_ident()}  # resumed by the GUI thread only
    assert workers.resume_gc_if_idle()
