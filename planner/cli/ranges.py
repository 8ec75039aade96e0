"""Plausible ranges for every number the command line takes, and work bounded before it starts.

Each range is what a real deployment can need, with room to spare; a value
outside it is a typo or an attack, and is refused with a one-line error
(exit 2) before any work is done. :func:`annotate` appends the range to the
argument's ``--help`` text, so the ranges are documented where they are used.
Commands whose work grows with their arguments (a viewshed grid, a coverage
grid) have an estimator that refuses the run with the figure when it would
need more than :data:`MAX_WORK_BYTES` of memory.

A number not listed here must still be finite (no ``nan``, ``inf``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass

from planner.errors import OutOfRangeError

#: The most memory one command may plan to use (8 GiB); runs needing more are refused up front.
MAX_WORK_BYTES = 8 * 1024**3


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    lo_open: bool = False
    integer: bool = False
    unit: str = ""

    def text(self) -> str:
        lo = f"{self.lo:g}" if not self.integer else f"{int(self.lo):,}"
        hi = f"{self.hi:g}" if not self.integer else f"{int(self.hi):,}"
        return f"{'(' if self.lo_open else '['}{lo}, {hi}]{(' ' + self.unit) if self.unit else ''}"

    def check(self, option: str, value: float) -> None:
        ok = math.isfinite(value) and (value > self.lo if self.lo_open else value >= self.lo) and value <= self.hi
        if ok and self.integer and value != int(value):
            ok = False
        if not ok:
            shown = f"{value:g}" if isinstance(value, float) else f"{value:,}"
            raise OutOfRangeError(f"`{option}` must be in {self.text()}; got {shown}")


R = Range
PCT = R(0, 100, lo_open=True, unit="%")
#: ``{command: {dest: Range}}``: the documented plausible range of each numeric option.
RANGES: dict[str, dict[str, Range]] = {
    "storage": {
        "cameras": R(1, 1_000_000, integer=True), "bitrate_mbps": R(0, 1000, lo_open=True, unit="Mb/s"),
        "fps": R(0, 120, lo_open=True), "scene_factor": R(0, 10, lo_open=True),
        "duty_cycle": R(0, 1, lo_open=True), "capacity_tb": R(0, 1_000_000, lo_open=True, unit="TB"),
        "retention_days": R(0, 3650, lo_open=True, unit="days"), "raid_group_size": R(0, 256, integer=True),
        "disk_tb": R(0, 1000, lo_open=True, unit="TB"), "hot_spares": R(0, 100_000, integer=True),
        "fs_reserve": R(0, 0.9), "growth_margin": R(0, 10), "usable_fraction": R(0, 1, lo_open=True),
    },
    "optics": {
        "width_px": R(16, 100_000, integer=True), "height_px": R(16, 100_000, integer=True),
        "sensor_width_mm": R(0, 100, lo_open=True, unit="mm"), "sensor_height_mm": R(0, 100, lo_open=True, unit="mm"),
        "focal_mm": R(0, 2000, lo_open=True, unit="mm"), "hfov_deg": R(0, 360, lo_open=True, unit="deg"),
        "vfov_deg": R(0, 180, lo_open=True, unit="deg"),
    },
    "viewshed": {
        "observer_height_m": R(0, 1000, unit="m"), "target_height_m": R(0, 1000, unit="m"),
        "max_distance_m": R(0, 100_000, lo_open=True, unit="m"), "refraction_coeff": R(-1, 1),
        "observer_elevation_m": R(-500, 9000, unit="m"), "resolution_m": R(0.1, 10_000, unit="m"),
    },
    "coverage": {
        "resolution_m": R(0.25, 100, unit="m"), "target_height_m": R(0, 10, unit="m"),
        "workers": R(0, 1024, integer=True),
    },
    "radiomap": {
        "resolution_m": R(1, 10_000, unit="m"), "max_distance_km": R(0, 200, lo_open=True, unit="km"),
        "cpe_height_m": R(0, 300, lo_open=True, unit="m"), "min_rate_mbps": R(0, 10_000, unit="Mb/s"),
    },
    "network": {"tdd_config": R(0, 6, integer=True), "planning_load": R(0, 1, lo_open=True)},
    "pathloss": {
        "freq_mhz": R(0, 100_000, lo_open=True, unit="MHz"), "distance_km": R(0, 2000, lo_open=True, unit="km"),
        "tx_height_m": R(0, 3000, lo_open=True, unit="m"), "rx_height_m": R(0, 3000, lo_open=True, unit="m"),
        "time_pct": PCT, "location_pct": PCT, "confidence_pct": PCT,
    },
    "blocks": {
        "setback_m": R(0, 100, unit="m"), "height_m": R(0, 1000, lo_open=True, unit="m"),
        "max_area_m2": R(0, 1e8, lo_open=True, unit="m²"),
    },
}


def _viewshed_bytes(args: argparse.Namespace) -> tuple[float, str] | None:
    res, r = getattr(args, "resolution_m", None), getattr(args, "max_distance_m", None)
    if not res or not r:
        return None
    side = 2.0 * r / res + 1.0
    # DSM window (float32), heights/slopes (float32) and the visibility grid (uint8): 9 bytes a cell
    return side * side * 9.0, f"a {side:,.0f} x {side:,.0f} grid at {res:g} m over {r:g} m"


#: ``{command: estimator(args) -> (bytes, what) | None}``.
ESTIMATORS: dict[str, Callable[[argparse.Namespace], tuple[float, str] | None]] = {"viewshed": _viewshed_bytes}


def annotate(command: str, parser: argparse.ArgumentParser) -> None:
    """Append each option's plausible range to its ``--help`` text."""
    table = RANGES.get(command, {})
    for action in parser._actions:  # argparse has no public accessor
        rng = table.get(action.dest)
        if rng is not None and action.help not in (None, argparse.SUPPRESS):
            action.help = f"{action.help} [range {rng.text()}]".replace("%", "%%").replace("%%%%", "%%")


def check(command: str, args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> None:
    """Refuse out-of-range or non-finite numbers and work that would not fit, before anything runs."""
    table = RANGES.get(command, {})
    options = {}
    if parser is not None:
        for action in parser._actions:
            if action.option_strings:
                options[action.dest] = max(action.option_strings, key=len)
    for dest, value in vars(args).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        option = options.get(dest, "--" + dest.replace("_", "-"))
        rng = table.get(dest)
        if rng is not None:
            rng.check(option, float(value) if isinstance(value, float) else value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise OutOfRangeError(f"`{option}` must be a finite number; got {value}")
    est = ESTIMATORS.get(command)
    if est is not None:
        got = est(args)
        if got is not None and got[0] > MAX_WORK_BYTES:
            raise OutOfRangeError(f"this run would need about {got[0] / 1024**3:,.0f} GiB of memory ({got[1]}), "
                                  f"over the {MAX_WORK_BYTES / 1024**3:g} GiB limit; use a coarser resolution "
                                  "or a shorter distance")
