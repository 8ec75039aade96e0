"""Per-camera viewshed throughput: our numba kernel vs GDAL's ``gdal_viewshed``.

Both run on the same DSM GeoTIFF, the same observers (cell centres), the same
observer/target heights, radius and curvature (GDAL ``-cc = 1 - k``). GDAL is
timed as a process per camera (how ``gdal_viewshed`` is used; no GDAL Python
bindings here) and, separately, minus the cost of a run with a tiny radius
(process start + open). Agreement is measured against our exact reference
(bilinear sub-cell line of sight) inside the radius. Figures are printed,
nothing is asserted.

Usage::

    python benchmarks/viewshed_vs_gdal.py [--cameras 30] [--radius-m 150] [--res-m 2] [--srtm]

Needs ``gdal_viewshed`` on PATH (Debian: ``apt-get install gdal-bin``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.analysis.raster import RasterLayer, read_dem, write_geotiff  # noqa: E402
from planner.analysis.viewshed import NODATA, REFRACTION_LIGHT, viewshed  # noqa: E402

SRTM = ROOT / "sample_projects" / "data" / "marseille" / "srtm3_N43E005.hgt.zip"


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


def gdal_run(src: Path, out: Path, x: float, y: float, *, oz: float, tz: float, md: float, cc: float) -> float:
    cmd = [
        "gdal_viewshed", "-q", "-ox", repr(float(x)), "-oy", repr(float(y)), "-oz", str(oz), "-tz", str(tz),
        "-md", str(md), "-cc", repr(cc), "-vv", "1", "-iv", "0", "-ov", str(NODATA), "-a_nodata", str(NODATA),
        "-f", "GTiff", str(src), str(out),
    ]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def gdal_on_grid(out: Path, layer: RasterLayer) -> np.ndarray:
    """GDAL's output pasted onto the layer's grid (its extent may be cropped)."""
    full = np.full(layer.shape, NODATA, dtype=np.uint8)
    with rasterio.open(out) as g:
        arr = g.read(1)
        col0, row0 = ~layer.transform @ (g.transform.c, g.transform.f)
        r0, c0 = round(row0), round(col0)
        full[r0 : r0 + arr.shape[0], c0 : c0 + arr.shape[1]] = arr
    return full


def run_case(name: str, layer: RasterLayer, tif: Path, *, cameras: int, radius_m: float,
             oz: float, tz: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    res = layer.resolution[0]
    margin = int(radius_m / res) + 2
    rows = rng.integers(margin, layer.shape[0] - margin, cameras)
    cols = rng.integers(margin, layer.shape[1] - margin, cameras)
    pts = [layer.transform @ (c + 0.5, r + 0.5) for r, c in zip(rows, cols, strict=True)]
    kw = {"observer_height_m": oz, "target_height_m": tz, "max_distance_m": radius_m}
    viewshed(layer, x=pts[0][0], y=pts[0][1], **kw)  # compile / warm
    viewshed(layer, x=pts[0][0], y=pts[0][1], method="exact", **kw)

    t_fast, t_exact, t_gdal, agree_fast, agree_gdal = [], [], [], [], []
    cc = 1.0 - REFRACTION_LIGHT
    have_gdal = shutil.which("gdal_viewshed") is not None
    overhead = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "g.tif"
        if have_gdal:
            for x, y in pts[:5]:
                overhead.append(gdal_run(tif, out, x, y, oz=oz, tz=tz, md=res, cc=cc))
        for x, y in pts:
            t = time.perf_counter()
            for _ in range(5):
                fast = viewshed(layer, x=x, y=y, **kw)
            t_fast.append((time.perf_counter() - t) / 5)
            t = time.perf_counter()
            exact = viewshed(layer, x=x, y=y, method="exact", **kw)
            t_exact.append(time.perf_counter() - t)
            e = exact.to_full()
            f = fast.to_full()
            m = e != NODATA
            agree_fast.append(float((f[m] == e[m]).mean()))
            if have_gdal:
                t_gdal.append(gdal_run(tif, out, x, y, oz=oz, tz=tz, md=radius_m, cc=cc))
                g = gdal_on_grid(out, layer)
                agree_gdal.append(float((g[m] == e[m]).mean()))
    ms = lambda v: 1e3 * statistics.median(v)  # noqa: E731
    cells = int((fast.visible != NODATA).sum())
    print(f"\n== {name}: {layer.shape[0]}x{layer.shape[1]} cells at {res:g} m, radius {radius_m:g} m "
          f"(~{cells} cells/camera), {cameras} cameras, observer {oz} m, target {tz} m")
    print(f"ours fast   : {ms(t_fast):8.2f} ms/camera (median)  -> {1e3 / ms(t_fast):7.0f} cameras/s")
    print(f"ours exact  : {ms(t_exact):8.2f} ms/camera (median)")
    print(f"fast vs exact agreement: mean {100 * np.mean(agree_fast):.2f} %, min {100 * min(agree_fast):.2f} %")
    if have_gdal:
        ov = ms(overhead)
        print(f"gdal_viewshed process: {ms(t_gdal):8.2f} ms/camera (median), of which ~{ov:.2f} ms "
              f"start-up/open (run with -md = 1 cell)")
        print(f"gdal compute only (process - start-up): {max(ms(t_gdal) - ov, 1e-3):8.2f} ms/camera")
        print(f"ratio GDAL process / ours fast : {ms(t_gdal) / ms(t_fast):7.1f} x")
        print(f"ratio GDAL compute / ours fast : {max(ms(t_gdal) - ov, 1e-3) / ms(t_fast):7.1f} x")
        print(f"GDAL vs our exact reference agreement: mean {100 * np.mean(agree_gdal):.2f} %, "
              f"min {100 * min(agree_gdal):.2f} %")
        # compute-dominated comparison: one observer, radius = half the raster
        big_r = res * (min(layer.shape) // 2 - 2)
        cx, cy = layer.transform @ (layer.shape[1] // 2 + 0.5, layer.shape[0] // 2 + 0.5)
        bkw = {**kw, "max_distance_m": big_r}
        t = time.perf_counter()
        big = viewshed(layer, x=cx, y=cy, **bkw)
        t_big = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "g.tif"
            t_g = statistics.median(
                gdal_run(tif, out, cx, cy, oz=oz, tz=tz, md=big_r, cc=cc) for _ in range(3)
            )
        n_big = int((big.visible != NODATA).sum())
        print(f"large radius {big_r:g} m ({n_big} cells): ours fast {1e3 * t_big:.1f} ms, "
              f"GDAL process {1e3 * t_g:.1f} ms ({1e3 * (t_g - ov / 1e3):.1f} ms without start-up); "
              f"ratio GDAL/ours {t_g / t_big:.1f} x ({(t_g - ov / 1e3) / t_big:.1f} x without start-up)")
    else:
        print("gdal_viewshed not found on PATH: GDAL comparison skipped")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cameras", type=int, default=30)
    p.add_argument("--radius-m", type=float, default=150.0)
    p.add_argument("--res-m", type=float, default=2.0)
    p.add_argument("--size-px", type=int, default=1500)
    p.add_argument("--observer-height-m", type=float, default=6.0)
    p.add_argument("--target-height-m", type=float, default=1.6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--srtm", action="store_true", help="also run on the Marseille SRTM tile (30 m, 3 km)")
    a = p.parse_args(argv)
    from rasterio.crs import CRS

    with tempfile.TemporaryDirectory() as tmp:
        z = synthetic_city(a.size_px, a.res_m, a.seed)
        layer = RasterLayer(z, Affine(a.res_m, 0, 600_000.0, 0, -a.res_m, 4_800_000.0), CRS.from_epsg(32631))
        tif = write_geotiff(Path(tmp) / "dsm.tif", z, transform=layer.transform, crs=layer.crs, nodata=None)
        run_case("synthetic city DSM", layer, tif, cameras=a.cameras, radius_m=a.radius_m,
                 oz=a.observer_height_m, tz=a.target_height_m, seed=a.seed)
        if a.srtm and SRTM.is_file():
            x, y = 692_280.0, 4_795_740.0
            dem = read_dem(SRTM, crs="EPSG:32631", resolution_m=30.0, bounds=(x - 8000, y - 8000, x + 8000, y + 8000))
            dem = RasterLayer(np.nan_to_num(dem.array, nan=0.0), dem.transform, dem.crs)
            tif2 = write_geotiff(Path(tmp) / "srtm.tif", dem.array, transform=dem.transform, crs=dem.crs, nodata=None)
            run_case("Marseille SRTM (UTM 31N)", dem, tif2, cameras=min(a.cameras, 10), radius_m=3000.0,
                     oz=10.0, tz=1.6, seed=a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
