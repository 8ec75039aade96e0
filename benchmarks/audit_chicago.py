"""Audit of the Chicago registers (309 cameras, 98 neighbourhoods): time of each stage.

Prints figures; asserts nothing.

    .venv/bin/python benchmarks/audit_chicago.py [--draws 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.audit.availability import AvailabilityParams, availability  # noqa: E402
from planner.audit.register import read_registers  # noqa: E402
from planner.audit.run import AuditParams, run_audit  # noqa: E402

DATA = ROOT / "tests" / "data" / "chicago"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=50)
    args = ap.parse_args()
    regs = [str(DATA / "red_light_camera_locations.csv"), str(DATA / "speed_camera_locations.csv")]
    t = time.perf_counter()
    reg = read_registers(regs)
    print(f"read {reg.rows} rows ({len(reg.cameras)} cameras): {1000 * (time.perf_counter() - t):.0f} ms")
    marks: list[tuple[float, str]] = []

    def progress(f: float, msg: str = "") -> None:
        if msg.startswith("scenario") or msg == "sensitive sites":
            marks.append((time.perf_counter(), msg))

    t0 = time.perf_counter()
    res = run_audit(regs, boundary=str(DATA / "neighborhoods_98.geojson"), params=AuditParams(), progress=progress)
    for when, msg in marks:
        print(f"  {msg:<20} starts at {when - t0:5.1f} s")
    print(f"audit, 3 scenarios, 98 districts: {time.perf_counter() - t0:.1f} s "
          f"({res.doc['scenarios']['median']['views']} views)")
    t = time.perf_counter()
    doc = availability(res.results["median"], AvailabilityParams(share=0.3, draws=args.draws),
                       groups=res.owners["median"])
    dt = time.perf_counter() - t
    print(f"availability, 30 % out, {args.draws} draws: {dt:.1f} s ({1000 * dt / args.draws:.0f} ms a draw); "
          f"monitor {doc['city']['monitor']['mean_km2']:.3f} km² mean of {doc['city']['monitor']['all_in_service_km2']:.3f}")


if __name__ == "__main__":
    main()
