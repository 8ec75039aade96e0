"""Long fuzz mode for developers.

    python -m tests.fuzz --count 100000 --seed 1 [--targets cameras_csv,project] [--crash-dir fuzz-crashes]

Prints the number of inputs and of crash classes (every 1,000 inputs and at the end), writes one
reproducer per crash class into ``--crash-dir``, and exits 1 when any crash class was found.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.harness import TARGETS, run_fuzz

    ap = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10_000, help="number of inputs (default 10,000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (runs are reproducible)")
    ap.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated subset of {', '.join(TARGETS)}")
    ap.add_argument("--save-every", type=int, default=1, help="save and reopen every N-th accepted input")
    ap.add_argument("--crash-dir", type=Path, default=None, help="folder for one reproducer per crash class")
    ap.add_argument("--every", type=int, default=1000, help="print progress every N inputs")
    ap.add_argument("--verbose", action="store_true", help="print acceptance per target and common refusals")
    args = ap.parse_args(argv)
    targets = tuple(t for t in args.targets.split(",") if t)
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        ap.error(f"unknown targets: {', '.join(unknown)}")

    def progress(stats) -> None:  # type: ignore[no-untyped-def]
        print(f"... {stats.inputs} inputs, {len(stats.crashes)} crash classes, {stats.seconds:.0f} s", flush=True)

    stats = run_fuzz(args.count, seed=args.seed, targets=targets, save_every=args.save_every,
                     progress=progress, every=args.every, crash_dir=args.crash_dir)
    if args.verbose:
        for t in TARGETS:
            if t in stats.by_target:
                print(f"  {t}: {stats.by_target[t]} inputs, {stats.accepted_by_target.get(t, 0)} accepted, "
                      f"{stats.seconds_by_target.get(t, 0.0):.1f} s")
        for r, n in sorted(stats.refusals.items(), key=lambda kv: -kv[1])[:40]:
            print(f"  {n:5d}  {r}")
    print(stats.summary(), flush=True)
    return 1 if stats.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
