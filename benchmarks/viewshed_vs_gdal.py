"""Per-camera viewshed: our kernel vs GDAL's ``ViewshedGenerate`` in-process and ``gdal_viewshed`` per process.

One run, same machine, same seeded synthetic 2 m DSM with buildings, same
observers (cell centres, 6 m mast above the surface), 1.6 m target, no
refraction (curvature only: GDAL ``dfCurvCoeff = 1``, ours ``refraction_coeff
= 0`` on GDAL's sphere, the WGS 84 semi-major axis). For each radius it prints:

* GDAL in-process: ``gdal.ViewshedGenerate`` called in a loop in one
  interpreter (the system Python with Debian's bindings, ``apt-get install
  python3-gdal``), DSM and output in MEM datasets;
* GDAL per process: ``gdal_viewshed`` once per camera (``apt-get install
  gdal-bin``), how a shell loop would use it;
* ours on one thread (``viewshed_array`` through the public API, window copy
  included), and our batch throughput over all cores (``viewshed_many``);
* agreement of ours and of GDAL with the exact reference (bilinear line of
  sight sampled every 1/4 cell) on the cells inside the radius.

Times are the best of ``--repeats`` calls per camera, median over cameras.
Figures are printed, nothing is asserted.

Usage::

    python benchmarks/viewshed_vs_gdal.py [--cameras 20] [--radii 150 500 1000] [--gdal-python /usr/bin/python3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from affine import Affine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.analysis.viewshed import NODATA, viewshed_array  # noqa: E402
from planner.io.raster import write_geotiff  # noqa: E402

GDAL_SPHERE_M = 6_378_137.0  # GDAL uses the CRS ellipsoid's semi-major axis


def synthetic_city(size_px: int, res_m: float, seed: int) -> np.ndarray:
    """Rolling terrain plus blocks of buildings (4-30 m) separated by streets."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size_px, 0:size_px].astype(np.float32)
    z = 8 * np.sin(xx * res_m / 400) + 6 * np.cos(yy * res_m / 300) + 0.01 * xx * res_m
    block = int(60 / res_m)
    street = max(int(12 / res_m), 2)
    for r0 in range(0, size_px, block):
        for c0 in range(0, size_px, block):
            for _ in range(rng.integers(1, 4)):
                r = r0 + street + int(rng.integers(0, max(block - 2 * street, 1)))
                c = c0 + street + int(rng.integers(0, max(block - 2 * street, 1)))
                h = int(rng.integers(int(8 / res_m), int(30 / res_m)))
                w = int(rng.integers(int(8 / res_m), int(30 / res_m)))
                z[r : min(r + h, r0 + block - street), c : min(c + w, c0 + block - street)] += rng.uniform(4, 30)
    return z.astype(np.float32)


def paste(shape: tuple[int, int], arr: np.ndarray, r0: int, c0: int) -> np.ndarray:
    full = np.full(shape, NODATA, dtype=np.uint8)
    full[r0 : r0 + arr.shape[0], c0 : c0 + arr.shape[1]] = arr
    return full


def gdal_inprocess(py: str, tif: Path, pts: list[tuple[float, float]], radii: list[float], a: argparse.Namespace,
                   tmp: Path) -> dict | None:
    check = subprocess.run([py, "-c", "from osgeo import gdal"], capture_output=True)
    if check.returncode:
        print(f"GDAL Python bindings not found for {py} (Debian: apt-get install python3-gdal): "
              "in-process comparison skipped")
        return None
    job = {"dsm": str(tif), "observers": pts, "radii_m": radii, "observer_height_m": a.observer_height_m,
           "target_height_m": a.target_height_m, "curvature_coeff": 1.0, "repeats": a.repeats}
    jf, of = tmp / "job.json", tmp / "gdal.npz"
    jf.write_text(json.dumps(job))
    subprocess.run([py, str(ROOT / "benchmarks" / "_gdal_inprocess.py"), str(jf), str(of)], check=True)
    return dict(np.load(of))


def gdal_process(tif: Path, out: Path, x: float, y: float, *, oz: float, tz: float, md: float) -> float:
    cmd = ["gdal_viewshed", "-q", "-ox", repr(float(x)), "-oy", repr(float(y)), "-oz", str(oz), "-tz", str(tz),
           "-md", str(md), "-cc", "1", "-vv", "1", "-iv", "0", "-ov", str(NODATA), "-a_nodata", str(NODATA),
           "-f", "GTiff", str(tif), str(out)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cameras", type=int, default=20)
    p.add_argument("--radii", type=float, nargs="+", default=[150.0, 500.0, 1000.0])
    p.add_argument("--res-m", type=float, default=2.0)
    p.add_argument("--size-px", type=int, default=1500)
    p.add_argument("--observer-height-m", type=float, default=6.0)
    p.add_argument("--target-height-m", type=float, default=1.6)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--process-cameras", type=int, default=5, help="cameras timed with a gdal_viewshed process each")
    p.add_argument("--gdal-python", default="/usr/bin/python3", help="a Python with the osgeo bindings")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    from rasterio.crs import CRS

    from planner.analysis import kernels
    from planner.analysis.viewshed import viewshed_many

    kernels.warm_up()
    res = a.res_m
    z = synthetic_city(a.size_px, res, a.seed)
    tr = Affine(res, 0, 600_000.0, 0, -res, 4_800_000.0)
    rng = np.random.default_rng(a.seed)
    margin = int(max(a.radii) / res) + 2
    if 2 * margin >= a.size_px:
        p.error(f"--size-px {a.size_px} is too small for a {max(a.radii):g} m radius")
    rows = rng.integers(margin, a.size_px - margin, a.cameras)
    cols = rng.integers(margin, a.size_px - margin, a.cameras)
    pts = [tuple(tr * (int(c) + 0.5, int(r) + 0.5)) for r, c in zip(rows, cols, strict=True)]
    kw = {"cell_size_m": res, "observer_height_m": a.observer_height_m, "target_height_m": a.target_height_m,
          "refraction_coeff": 0.0, "earth_radius_m": GDAL_SPHERE_M}
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"DSM: synthetic city {a.size_px}x{a.size_px} at {res:g} m (seed {a.seed}), {a.cameras} observers, "
          f"{a.observer_height_m:g} m mast, {a.target_height_m:g} m target, no refraction")
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        tif = write_geotiff(tmp / "dsm.tif", z, transform=tr, crs=CRS.from_epsg(32631), nodata=None)
        have_proc = shutil.which("gdal_viewshed") is not None
        rows_out = []
        for radius in a.radii:
            # GDAL and ours timed back to back for this radius (the machine's load drifts over a run)
            g = gdal_inprocess(a.gdal_python, tif, pts, [radius], a, tmp)
            t_ours, c_ours, t_exact, t_proc, agree_ours, agree_gdal = [], [], [], [], [], []
            viewshed_array(z, observer_rc=(int(rows[0]), int(cols[0])), max_distance_m=radius, **kw)
            results = []
            for r, c in zip(rows, cols, strict=True):
                rc = (int(r), int(c))
                ts, cs = [], []
                for _ in range(a.repeats):
                    t, cp = time.perf_counter(), time.thread_time()
                    ours = viewshed_array(z, observer_rc=rc, max_distance_m=radius, **kw)
                    ts.append(time.perf_counter() - t)
                    cs.append(time.thread_time() - cp)
                t_ours.append(min(ts))
                c_ours.append(min(cs))
                results.append(ours)
            for k, (r, c) in enumerate(zip(rows, cols, strict=True)):
                rc = (int(r), int(c))
                ours = results[k]
                t = time.perf_counter()
                exact = viewshed_array(z, observer_rc=rc, max_distance_m=radius, method="exact", **kw)
                t_exact.append(time.perf_counter() - t)
                e = exact.to_full()
                m = e != NODATA
                agree_ours.append(float((ours.to_full()[m] == e[m]).mean()))
                if g is not None:
                    off = g[f"r{radius:g}_{k}_off"]
                    gf = paste(z.shape, g[f"r{radius:g}_{k}"], int(off[0]), int(off[1]))
                    agree_gdal.append(float((gf[m] == e[m]).mean()))
                if have_proc and k < a.process_cameras:
                    t_proc.append(gdal_process(tif, tmp / "g.tif", *pts[k], oz=a.observer_height_m,
                                               tz=a.target_height_m, md=radius))
            # batch throughput over all cores (thread pool over cameras, nogil kernel)
            obs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
            viewshed_many(z, obs, max_distance_m=radius, **kw)
            t = time.perf_counter()
            viewshed_many(z, obs, max_distance_m=radius, **kw)
            t_many = (time.perf_counter() - t) / len(obs)
            cells = int((ours.visible != NODATA).sum())
            row = {"radius": radius, "cells": cells, "ours": statistics.median(t_ours), "many": t_many,
                   "ours_cpu": statistics.median(c_ours),
                   "exact": statistics.median(t_exact), "agree_ours": float(np.mean(agree_ours)),
                   "min_ours": min(agree_ours)}
            if g is not None:
                row.update(gdal=float(np.median(g[f"r{radius:g}_times"])), agree_gdal=float(np.mean(agree_gdal)),
                           min_gdal=min(agree_gdal), gdal_cpu=float(np.median(g[f"r{radius:g}_cpu"])))
                if radius == a.radii[0]:
                    print(f"GDAL {g['gdal_version']} (in-process, {a.gdal_python})")
            if t_proc:
                row["proc"] = statistics.median(t_proc)
            rows_out.append(row)
            print(f"  {radius:g} m done ({cells} cells/camera)", flush=True)
    ms = lambda s: f"{1e3 * s:.2f} ms"  # noqa: E731
    print("\n| radius | GDAL in-process | GDAL per process | planner (1 thread) | planner/GDAL speed | "
          f"planner, {os.cpu_count()} threads, per camera | exact reference | "
          "agreement with exact LOS: planner / GDAL |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows_out:
        gd = ms(r["gdal"]) if "gdal" in r else "n/a"
        sp = f"{r['gdal'] / r['ours']:.2f}×" if "gdal" in r else "n/a"
        ag = f"{100 * r['agree_gdal']:.2f} %" if "gdal" in r else "n/a"
        pr = ms(r["proc"]) if "proc" in r else "n/a"
        print(f"| {r['radius']:,.0f} m | {gd} | {pr} | {ms(r['ours'])} | {sp} | {ms(r['many'])} | "
              f"{ms(r['exact'])} | {100 * r['agree_ours']:.2f} % / {ag} |")
    print("\nCPU time of the calling thread (less sensitive to other load on the machine): " + "; ".join(
        f"{r['radius']:g} m GDAL {ms(r['gdal_cpu']) if 'gdal_cpu' in r else 'n/a'}, planner {ms(r['ours_cpu'])}"
        + (f" ({r['gdal_cpu'] / r['ours_cpu']:.2f}×)" if "gdal_cpu" in r else "") for r in rows_out))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("worst camera's agreement: " + "; ".join(
        f"{r['radius']:g} m planner {100 * r['min_ours']:.2f} %"
        + (f", GDAL {100 * r['min_gdal']:.2f} %" if "gdal" in r else "") for r in rows_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
