"""Time GDAL's ``ViewshedGenerate`` in-process (many calls in one interpreter).

Run by ``benchmarks/viewshed_vs_gdal.py`` with the *system* Python, which has
Debian's GDAL bindings (``apt-get install python3-gdal``); it needs only
``osgeo`` and numpy, not the planner. Reads a JSON job on argv[1], writes an
``.npz`` with the timings and every output window to argv[2].

The DSM is copied into a MEM dataset first so GDAL reads from memory, as our
kernel does, and each output goes to a MEM dataset (no disk I/O is timed).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def main() -> int:
    job = json.loads(open(sys.argv[1]).read())
    src = gdal.Open(job["dsm"])
    mem = gdal.GetDriverByName("MEM").CreateCopy("", src)
    band = mem.GetRasterBand(1)
    gt = mem.GetGeoTransform()
    out: dict[str, np.ndarray] = {"gdal_version": np.array(gdal.__version__)}
    mode = getattr(gdal, "GVM_Edge", 2)

    def run(x: float, y: float, md: float):
        return gdal.ViewshedGenerate(band, "MEM", "", [], x, y, job["observer_height_m"], job["target_height_m"],
                                     1, 0, 255, 255, job["curvature_coeff"], mode, md)

    for radius in job["radii_m"]:
        x0, y0 = job["observers"][0]
        run(x0, y0, radius)  # warm
        times, cpu = [], []
        for k, (x, y) in enumerate(job["observers"]):
            ts, cs = [], []
            for _ in range(job["repeats"]):
                t, c = time.perf_counter(), time.thread_time()
                ds = run(x, y, radius)
                arr = ds.GetRasterBand(1).ReadAsArray()
                ts.append(time.perf_counter() - t)
                cs.append(time.thread_time() - c)
            times.append(min(ts))
            cpu.append(min(cs))
            ogt = ds.GetGeoTransform()
            out[f"r{radius:g}_{k}"] = arr.astype(np.uint8)
            out[f"r{radius:g}_{k}_off"] = np.array([round((ogt[3] - gt[3]) / gt[5]), round((ogt[0] - gt[0]) / gt[1])])
            ds = None
        out[f"r{radius:g}_times"] = np.array(times)
        out[f"r{radius:g}_cpu"] = np.array(cpu)
    np.savez(sys.argv[2], **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
