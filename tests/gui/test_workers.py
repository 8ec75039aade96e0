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
