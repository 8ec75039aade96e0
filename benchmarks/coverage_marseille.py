"""Coverage on the Marseille sample: end-to-end time for 1,000 and 2,000 cameras, peak memory,
incremental update time, and per-camera viewshed throughput against GDAL's ``gdal_viewshed``.

Prints figures; asserts nothing. Targets (README): 2,000 cameras in under 20 s end to end on
2 cores; incremental update under 100 ms per camera; per-camera throughput at least GDAL's.

    .venv/bin/python benchmarks/coverage_marseille.py [--gdal-cameras 20]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner import workflows  # noqa: E402
from planner.analysis import coverage as cv  # noqa: E402
from planner.analysis.executor import InProcessExecutor, default_executor  # noqa: E402
from planner.analysis.raster import write_geotiff  # noqa: E402
from planner.analysis.viewshed import viewshed_array  # noqa: E402


def end_to_end(project, phases) -> tuple[float, float, dict]:
    params = cv.CoverageParams(phases=phases)
    t0 = time.perf_counter()
    result, doc, _ = workflows.coverage_report(project, params)
    workflows.apply_result(project, workflows.coverage_record(project, result, doc))
    return time.perf_counter() - t0, result, doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdal-cameras", type=int, default=20)
    args = ap.parse_args()
    project = workflows.open_project(ROOT / "sample_projects" / "marseille.gpkg")
    print(f"machine: {__import__('os').cpu_count()} cores; numba warm-up ...")
    cv.run_coverage(project, cv.CoverageParams(phases=("2016",)), executor=InProcessExecutor())  # JIT + caches
    for phases, label in ((("2016",), "1,000 cameras (2016)"), (None, "2,000 cameras (2016+2020)")):
        n = len(cv.select_cameras(project, phases))
        secs, result, doc = end_to_end(project, phases)
        print(f"{label}: {secs:6.2f} s end to end (footprints, tiles, district/street/site figures, polygons); "
              f"{n / secs:,.0f} cameras/s; monitor {doc['city']['monitor']['day_km2']:.2f} km² by day; "
              f"executor {type(default_executor(n)).__name__}")
    # peak memory of a full run (Python allocations) and the process high-water mark
    tracemalloc.start()
    result = cv.run_coverage(project, cv.CoverageParams(), executor=InProcessExecutor())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak traced memory of a 2,000-camera run: {peak / 1e6:.0f} MB ({len(result.tiles)} tiles of "
          f"{cv.TILE}×{cv.TILE} cells); process max RSS {rss:.0f} MB")
    # incremental: move one camera 25 m, recompute it and the figures
    times = []
    for cam in project.cameras()[:20]:
        project.replace_nodes([cam.moved(cam.x + 25.0, cam.y)])
        t0 = time.perf_counter()
        result = cv.update_cameras(result, project, [cam.id])
        result.summary()
        times.append(time.perf_counter() - t0)
        project.replace_nodes([cam])
    print(f"incremental update (move one camera, recompute its tiles and all figures): median "
          f"{1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms")
    gdal(project, args.gdal_cameras)


def gdal(project, n: int) -> None:
    exe = shutil.which("gdal_viewshed")
    if not exe:
        print("gdal_viewshed not found (apt-get install gdal-bin): GDAL comparison skipped")
        return
    params = cv.CoverageParams()
    surface = cv.build_surface(project, params)
    geoms = cv._geometries(project, project.cameras()[:n], params)
    ours, theirs, agree = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for g in geoms.values():
            res = surface.resolution_m
            r, c = surface.cell_of(g.x, g.y)
            half = int(np.ceil(g.radius_m / res))
            x0 = surface.origin_x + (c - half) * res
            y0 = surface.origin_y - (r - half) * res
            nn = 2 * half + 1
            gx, gy = np.meshgrid(x0 + (np.arange(nn) + 0.5) * res, y0 - (np.arange(nn) + 0.5) * res)
            dsm = cv._ground(surface, gx, gy).astype("float32")
            t0 = time.perf_counter()
            vs = viewshed_array(dsm, observer_rc=(half, half), cell_size_m=res, observer_height_m=g.height_m,
                                target_height_m=params.target_height_m, max_distance_m=g.radius_m)
            ours.append(time.perf_counter() - t0)
            from affine import Affine

            src = Path(tmp) / "dsm.tif"
            out = Path(tmp) / "vs.tif"
            write_geotiff(src, dsm, transform=Affine(res, 0, x0, 0, -res, y0), crs=project.crs, nodata=None)
            cx, cy = x0 + (half + 0.5) * res, y0 - (half + 0.5) * res
            t0 = time.perf_counter()
            subprocess.run([exe, "-q", "-ox", str(cx), "-oy", str(cy), "-oz", str(g.height_m),
                            "-tz", str(params.target_height_m), "-md", str(g.radius_m), "-cc", str(1 - 1 / 7),
                            "-vv", "1", "-iv", "0", "-ov", "0", str(src), str(out)], check=True)
            theirs.append(time.perf_counter() - t0)
            import rasterio

            with rasterio.open(out) as ds:
                gv = ds.read(1)
            inside = vs.visible != 255
            mine = vs.visible == 1
            h, w = vs.visible.shape
            g_win = gv[vs.row_off:vs.row_off + h, vs.col_off:vs.col_off + w] == 1
            agree.append(float(np.mean(mine[inside] == g_win[inside])))
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(f"per-camera viewshed on the Marseille DSM windows ({len(ours)} cameras, radius ≈ "
          f"{statistics.median([g.radius_m for g in geoms.values()]):.0f} m at {surface.resolution_m:g} m): "
          f"ours {1000 * mo:.2f} ms, gdal_viewshed {1000 * mt:.1f} ms per camera (a process each) → "
          f"ours is {mt / mo:.0f}× GDAL's throughput; agreement with GDAL {100 * statistics.mean(agree):.2f} %")


if __name__ == "__main__":
    main()
