"""Coverage on the Marseille sample: end to end for 1,000 and 2,000 cameras, the CLI, moving one camera.

Prints figures; asserts nothing. Targets (issue 15): 2,000 cameras at 2 m end to end (``planner
coverage``, results stored) <= 3 s on 2 cores; moving one camera (its tiles recomputed, all totals,
the redrawn tiles' polygons) <= 30 ms.

    .venv/bin/python benchmarks/coverage_marseille.py [--no-cli] [--repeat N]

Stages printed for each run: footprints (viewsheds and levels, on local threads), tiles
(composition and statistics, with each tile's district labels rasterised afresh as in a new
process), the summary (all figures), the level raster and the save (what ``planner coverage``
stores: the project file with the result), all in one process after the project is open; then
the polygons a map or an export makes from the stored raster when first asked (not part of storing).
``planner coverage`` itself is timed as a user runs it, a new process (interpreter start, imports,
opening the project included).
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


def staged(project, phases, out: Path) -> tuple[dict[str, float], cv.CoverageResult]:
    from planner.model.results import CoverageRecord

    marks: dict[str, float] = {}

    def progress(frac: float, msg: str) -> None:
        if msg.startswith("tiles") and "footprints" not in marks:
            marks["footprints"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = cv.run_coverage(project, cv.CoverageParams(phases=phases), progress=progress)
    t1 = time.perf_counter()
    marks.setdefault("footprints", t1 - t0)
    marks["tiles"] = t1 - t0 - marks["footprints"]
    marks["run"] = t1 - t0
    doc = result.summary()
    t2 = time.perf_counter()
    marks["summary"] = t2 - t1
    record = workflows.coverage_record(project, result, doc)
    grid = record.grid
    t3 = time.perf_counter()
    marks["grid"] = t3 - t2
    project.set_result(record)
    workflows.save(project, out, overwrite_changed=True)
    t4 = time.perf_counter()
    marks["save"] = t4 - t3
    marks["stored"] = t4 - t0
    fresh = CoverageRecord.of(doc, grid=grid, crs=project.crs)  # as a reopened project holds it
    t5 = time.perf_counter()
    fresh.polygons  # noqa: B018 - made on first use
    marks["polygons"] = time.perf_counter() - t5
    return marks, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cli", action="store_true", help="skip the `planner coverage` subprocess runs")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (best and all printed)")
    args = ap.parse_args()
    project = workflows.open_project(SAMPLE)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; numba warm-up ...")
    cv.run_coverage(project, cv.CoverageParams(phases=("2016",)), executor=InProcessExecutor()).polygons()
    tmp = Path(tempfile.mkdtemp())
    for phases, label in ((("2016",), "1,000 cameras (2016)"), (None, "2,000 cameras (2016+2020)")):
        n = len(cv.select_cameras(project, phases))
        runs = []
        for _ in range(args.repeat):
            cv._Geoms._tiles = None  # time the per-tile zone labels too, as a fresh process would
            m, result = staged(project, phases, tmp / "out.gpkg")
            runs.append(m)
        m = min(runs, key=lambda r: r["stored"])
        all_runs = ", ".join(f"{r['stored']:.2f}" for r in runs)
        print(f"{label}: footprints {m['footprints']:.2f} s + tiles {m['tiles']:.2f} s (executor "
              f"{type(default_executor(n, threads=True)).__name__}) + summary {m['summary']:.2f} s "
              f"+ level raster {m['grid']:.2f} s + save {m['save']:.2f} s -> stored in {m['stored']:.2f} s "
              f"(runs: {all_runs}); "
              f"polygons on first display {m['polygons']:.2f} s")
    print(f"project file with the 2,000-camera result: {(tmp / 'out.gpkg').stat().st_size / 1e6:.1f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(result.tiles)} tiles of {cv.TILE}x{cv.TILE} cells; process max RSS {rss:.0f} MB")
    if not args.no_cli:
        with tempfile.TemporaryDirectory() as tmp:
            dst = Path(tmp) / "marseille.gpkg"
            shutil.copy(SAMPLE, dst)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            walls = []
            for _ in range(args.repeat):
                shutil.copy(SAMPLE, dst)
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "planner", "coverage", str(dst)], check=True,
                               capture_output=True, env=env, cwd=ROOT)
                walls.append(time.perf_counter() - t)
            print(f"`planner coverage marseille.gpkg` (2,000 cameras, results saved in the project), a new "
                  f"process: best {min(walls):.2f} s wall (runs: {', '.join(f'{w:.2f}' for w in walls)}), "
                  "interpreter start, imports, opening and saving the project included")
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
