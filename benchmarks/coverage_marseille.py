"""Coverage on the Marseille sample: end to end for 1,000 and 2,000 cameras, the CLI, moving one camera.

Prints figures; asserts nothing. Targets (issue 15): 2,000 cameras at 2 m end to end (``planner
coverage``, results stored) <= 3 s on 2 cores; moving one camera (its tiles recomputed, all totals,
the redrawn tiles' polygons) <= 30 ms.

    .venv/bin/python benchmarks/coverage_marseille.py [--no-cli]

Stages printed for each run: footprints (viewsheds and levels, worker processes for large
deployments), tiles (composition and statistics), the summary (all figures), polygons (every tile
vectorised and simplified: what storing the result in the project needs; cached afterwards).
Per-camera viewshed speed against GDAL is measured by ``benchmarks/viewshed_vs_gdal.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner import workflows  # noqa: E402
from planner.analysis import coverage as cv  # noqa: E402
from planner.analysis.executor import InProcessExecutor, default_executor  # noqa: E402

SAMPLE = ROOT / "sample_projects" / "marseille.gpkg"


def staged(project, phases) -> tuple[dict[str, float], cv.CoverageResult]:
    marks: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(frac: float, msg: str) -> None:
        now = time.perf_counter()
        if msg.startswith("tiles") and "footprints" not in marks:
            marks["footprints"] = now - last[0]
            last[0] = now

    t0 = time.perf_counter()
    result = cv.run_coverage(project, cv.CoverageParams(phases=phases), progress=progress)
    t1 = time.perf_counter()
    marks.setdefault("footprints", t1 - t0)
    marks["tiles"] = t1 - last[0] if "footprints" in marks and last[0] != t0 else 0.0
    marks["run"] = t1 - t0
    result.summary()
    t2 = time.perf_counter()
    marks["summary"] = t2 - t1
    result.polygons()
    marks["polygons"] = time.perf_counter() - t2
    return marks, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cli", action="store_true", help="skip the `planner coverage` subprocess run")
    args = ap.parse_args()
    project = workflows.open_project(SAMPLE)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; numba warm-up ...")
    cv.run_coverage(project, cv.CoverageParams(phases=("2016",)), executor=InProcessExecutor()).polygons()
    for phases, label in ((("2016",), "1,000 cameras (2016)"), (None, "2,000 cameras (2016+2020)")):
        cv._Geoms._tiles = None  # time the per-tile zone labels too, as a fresh process would
        n = len(cv.select_cameras(project, phases))
        m, result = staged(project, phases)
        total = m["run"] + m["summary"] + m["polygons"]
        print(f"{label}: footprints + tiles {m['run']:.2f} s (executor {type(default_executor(n, threads=True)).__name__}), "
              f"summary {m['summary']:.2f} s -> figures in {m['run'] + m['summary']:.2f} s; "
              f"+ polygons {m['polygons']:.2f} s -> stored result in {total:.2f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(result.tiles)} tiles of {cv.TILE}x{cv.TILE} cells; process max RSS {rss:.0f} MB")
    if not args.no_cli:
        with tempfile.TemporaryDirectory() as tmp:
            dst = Path(tmp) / "marseille.gpkg"
            shutil.copy(SAMPLE, dst)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "planner", "coverage", str(dst)], check=True,
                           capture_output=True, env=env, cwd=ROOT)
            print(f"`planner coverage marseille.gpkg` (2,000 cameras, results saved in the project): "
                  f"{time.perf_counter() - t:.2f} s wall, interpreter start, imports and file save included")
    # moving one camera: recompute its tiles, all the figures, and the redrawn tiles' polygons
    times, poly_times = [], []
    for cam in project.cameras()[:20]:
        project.replace_nodes([cam.moved(cam.x + 25.0, cam.y)])
        t0 = time.perf_counter()
        result = cv.update_cameras(result, project, [cam.id])
        result.summary()
        t1 = time.perf_counter()
        result.polygons(tiles=result.touched)
        times.append(time.perf_counter() - t0)
        poly_times.append(time.perf_counter() - t1)
        project.replace_nodes([cam])
    print(f"move one camera (its tiles recomputed, all totals, the redrawn tiles' polygons): median "
          f"{1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms "
          f"(of which polygons median {1000 * statistics.median(poly_times):.0f} ms)")


if __name__ == "__main__":
    main()
