"""National scale: a synthetic 14,000-camera deployment over a tile set of 2 m DSMs, three ways.

Uruguay reported about 14,000 public CCTV cameras in 2024; this spreads that many over
``--towns`` synthetic towns, each with its own DSM GeoTIFF tile (rolling terrain plus buildings
burnt in, 2 m cells, written once to a temporary folder). Coverage is computed tile by tile,
streamed: a tile's DSM is read, its cameras run, its figures kept, and the tile dropped, so memory
follows one tile, not the country. The same run is made

* in-process (``InProcessExecutor``),
* with 2 local threads (``ThreadExecutor(2)``, the engine's default: the kernels release the GIL),
* with 2 local worker processes (``ProcessExecutor(2)``),
* on a dask.distributed cluster started from the command line as a user would
  (``dask scheduler`` and ``dask worker`` subprocesses on 127.0.0.1, ``--scheduler``),

and the script prints wall times, the speed-up over in-process, peak RSS (this process, the worker
processes, the dask workers) and whether the three give identical figures. Asserts nothing.

    .venv/bin/python benchmarks/national_scale.py [--cameras 14000] [--towns 28] [--no-dask]

Needs ``pip install 'planner[distributed]'`` for the dask part.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.analysis import coverage as cv  # noqa: E402
from planner.analysis.executor import DaskExecutor, InProcessExecutor, ProcessExecutor, ThreadExecutor  # noqa: E402
from planner.io.raster import write_geotiff  # noqa: E402
from planner.model.nodes import Camera  # noqa: E402
from planner.model.project import Project, Raster  # noqa: E402

RES = 2.0
TOWN_M = 2_000.0  # cameras lie in the central TOWN_M x TOWN_M of each tile
MARGIN_M = 420.0  # > the 400 m cap on a camera's radius
TYPES = ["bullet-1080p-2.8", "bullet-1080p-4", "bullet-4mp-2.8", "bullet-1080p-6"]
CRS = 32721  # UTM 21S (Uruguay)


def make_tiles(folder: Path, towns: int, seed: int) -> list[tuple[Path, float, float]]:
    from affine import Affine

    rng = np.random.default_rng(seed)
    n = int((TOWN_M + 2 * MARGIN_M) / RES)
    out = []
    for t in range(towns):
        x0 = 400_000.0 + (t % 7) * 40_000.0
        y0 = 6_200_000.0 - (t // 7) * 40_000.0
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
        z = 20 + 8 * np.sin((xx + t * 37) * RES / 400) + 6 * np.cos((yy - t * 11) * RES / 300)
        for _ in range(int(n * n / 900)):
            r, c = rng.integers(0, n - 20, 2)
            h, w = rng.integers(4, 15, 2)
            z[r:r + h, c:c + w] += rng.uniform(4, 25)
        tr = Affine(RES, 0, x0 - MARGIN_M, 0, -RES, y0 + TOWN_M + MARGIN_M)
        p = folder / f"town_{t:02d}.tif"
        write_geotiff(p, z.astype(np.float32), transform=tr, crs=f"EPSG:{CRS}", nodata=None)
        out.append((p, x0, y0))
    return out


def town_cameras(t: int, x0: float, y0: float, count: int, seed: int) -> list[Camera]:
    rng = np.random.default_rng(seed * 1000 + t)
    xs = rng.uniform(x0, x0 + TOWN_M, count)
    ys = rng.uniform(y0, y0 + TOWN_M, count)
    return [Camera(id=f"t{t:02d}-c{i:04d}", x=float(x), y=float(y), height_m=float(rng.uniform(4, 10)),
                   azimuth_deg=float(rng.uniform(0, 360)), tilt_deg=float(rng.uniform(5, 25)),
                   camera_type=TYPES[i % len(TYPES)]) for i, (x, y) in enumerate(zip(xs, ys, strict=True))]


def town_project(path: Path, t: int, x0: float, y0: float, count: int, seed: int) -> Project:
    import rasterio
    import shapely

    with rasterio.open(path) as ds:  # one tile in memory at a time
        arr = ds.read(1)
        tr = tuple(ds.transform)[:6]
    p = Project(name=f"town {t}", crs=CRS, study_area=shapely.box(x0, y0, x0 + TOWN_M, y0 + TOWN_M))
    p.dem = Raster(array=arr, transform=tr, crs=p.crs, source=path.name)
    p.add_nodes(town_cameras(t, x0, y0, count, seed))
    return p


def run_all(tiles: list[tuple[Path, float, float]], per_town: list[int], executor, seed: int) -> tuple[float, list]:
    docs = []
    t0 = time.perf_counter()
    for t, ((path, x0, y0), count) in enumerate(zip(tiles, per_town, strict=True)):
        project = town_project(path, t, x0, y0, count, seed)
        result = cv.run_coverage(project, cv.CoverageParams(resolution_m=RES), executor=executor)
        docs.append(result.summary())
        del project, result  # streamed: nothing of this tile is kept but its figures
    return time.perf_counter() - t0, docs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def national(docs: list[dict]) -> dict[str, float]:
    out: dict[str, float] = {}
    for d in docs:
        for lv, v in d["city"].items():
            out[lv] = out.get(lv, 0.0) + v["day_km2"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cameras", type=int, default=14_000)
    ap.add_argument("--towns", type=int, default=28)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-dask", action="store_true")
    a = ap.parse_args()
    from planner.analysis import kernels

    kernels.warm_up()
    per_town = [a.cameras // a.towns + (1 if t < a.cameras % a.towns else 0) for t in range(a.towns)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        t = time.perf_counter()
        tiles = make_tiles(tmp, a.towns, a.seed)
        size = sum(p.stat().st_size for p, _, _ in tiles) / 1e6
        print(f"{a.cameras:,} cameras over {a.towns} DSM tiles of {TOWN_M + 2 * MARGIN_M:.0f} m at {RES:g} m "
              f"({size:.0f} MB of GeoTIFF, written in {time.perf_counter() - t:.1f} s)")
        # warm the compiled kernels and caches on a small town
        run_all(tiles[:1], [50], InProcessExecutor(), a.seed)
        rows = []
        secs, docs_in = run_all(tiles, per_town, InProcessExecutor(), a.seed)
        rows.append(("in-process", secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, None))
        secs, docs_th = run_all(tiles, per_town, ThreadExecutor(workers=2), a.seed)
        rows.append(("2 local threads", secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, None))
        secs, docs_pr = run_all(tiles, per_town, ProcessExecutor(workers=2), a.seed)
        rows.append(("2 local processes", secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
        docs_dk = None
        if not a.no_dask and shutil.which("dask", path=str(Path(sys.executable).parent) + os.pathsep
                                          + os.environ.get("PATH", "")):
            docs_dk = dask_run(tiles, per_town, a, rows)
        elif not a.no_dask:
            print("dask command not found (pip install 'planner[distributed]'): dask run skipped")
    base = rows[0][1]
    print("\n| run | wall | speed-up | peak RSS, this process | peak RSS, workers |\n|---|---|---|---|---|")
    for name, secs, rss, wrss in rows:
        print(f"| {name} | {secs:.1f} s | {base / secs:.2f}× | {rss:.0f} MB | "
              f"{'' if wrss is None else f'{wrss:.0f} MB'} |")
    same_pr = docs_pr == docs_in
    same_dk = None if docs_dk is None else docs_dk == docs_in
    print(f"\nidentical figures: 2 threads {docs_th == docs_in}, 2 processes {same_pr}"
          + ("" if same_dk is None else f", dask {same_dk}"))
    tot = national(docs_in)
    print("national area seen by day (km²): " + ", ".join(f"{k} {v:.2f}" for k, v in tot.items()))
    return 0


def dask_run(tiles, per_town, a, rows) -> list | None:
    from distributed import Client

    port = free_port()
    addr = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    dask_exe = str(bindir / "dask") if (bindir / "dask").exists() else "dask"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    logs = tempfile.TemporaryFile()
    procs = [subprocess.Popen([dask_exe, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=logs, stderr=logs, cwd=ROOT)]
    try:
        time.sleep(2.0)
        procs.append(subprocess.Popen([dask_exe, "worker", addr, "--nworkers", "2", "--nthreads", "1",
                                       "--no-dashboard", "--memory-limit", "4GB"], env=env, stdout=logs,
                                      stderr=logs, cwd=ROOT))
        with Client(addr, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            client.run(lambda: __import__("planner.analysis.kernels", fromlist=["x"]).warm_up())
            secs, docs = run_all(tiles, per_town, DaskExecutor(client), a.seed)
            wrss = max(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024).values())
        rows.append(("dask (scheduler + 2 worker processes)", secs,
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, wrss))
        return docs
    except Exception as exc:  # a benchmark reports and goes on
        logs.seek(0)
        print(f"dask run failed: {exc}\n{logs.read().decode(errors='replace')[-2000:]}")
        return None
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
