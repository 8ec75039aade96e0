"""``planner pathloss``: path loss of one link with a named model."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from planner.cli.output import Report
from planner.errors import InvalidInputError

NAME = "pathloss"
HELP = "Path-loss calculator: free space, Hata, COST-231, 3GPP UMa/UMi, ITM (Longley-Rice)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, choices=["fspl", "hata", "cost231", "uma", "umi", "itm"])
    parser.add_argument("--freq-mhz", type=float, required=True, help="carrier frequency, MHz")
    parser.add_argument("--distance-km", type=float, help="path length, km (or taken from --profile-file)")
    parser.add_argument("--tx-height-m", type=float, default=30.0, help="base station / transmitter height, m")
    parser.add_argument("--rx-height-m", type=float, default=1.5, help="camera CPE / receiver height, m")
    parser.add_argument(
        "--environment",
        choices=["urban", "urban-large", "metropolitan", "suburban", "open", "los", "nlos"],
        help="hata/cost231: urban (default), urban-large, metropolitan, suburban, open; uma/umi: los, nlos (default)",
    )
    parser.add_argument("--extrapolate", action="store_true", help="compute outside the model's validity range")
    parser.add_argument(
        "--terrain-irregularity-m",
        type=float,
        default=90.0,
        help="itm without a profile: terrain irregularity Δh, m (0 flat, 30 plains, 90 hills/average, 200 mountains)",
    )
    parser.add_argument(
        "--profile-file",
        type=Path,
        help="itm: CSV of distance_m,elevation_m (equally spaced, header optional) for point-to-point mode",
    )
    parser.add_argument("--time-pct", type=float, default=50.0, help="itm: time quantile, %% (default 50)")
    parser.add_argument("--location-pct", type=float, default=50.0, help="itm: location quantile, %% (default 50)")
    parser.add_argument("--confidence-pct", type=float, default=50.0, help="itm: confidence quantile, %% (default 50)")


def _read_profile(path: Path) -> tuple[list[float], list[float]]:
    if not path.is_file():
        msg = f"`--profile-file` {path} does not exist"
        raise InvalidInputError(msg)
    xs: list[float] = []
    zs: list[float] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip():
                continue
            try:
                x, z = float(row[0]), float(row[1])
            except (ValueError, IndexError):
                if n == 1:
                    continue  # header
                msg = f"`{path.name}` line {n} must be distance_m,elevation_m; got {','.join(row)!r}"
                raise InvalidInputError(msg) from None
            xs.append(x)
            zs.append(z)
    if len(xs) < 3:
        msg = f"`{path.name}` must hold at least 3 profile points; got {len(xs)}"
        raise InvalidInputError(msg)
    steps = [b - a for a, b in zip(xs[:-1], xs[1:], strict=True)]
    if min(steps) <= 0 or max(steps) - min(steps) > 1e-6 * max(1.0, abs(max(steps))):
        msg = f"`{path.name}` distances must increase in equal steps; got steps {min(steps):g}..{max(steps):g} m"
        raise InvalidInputError(msg)
    return xs, zs


def run(args: argparse.Namespace) -> Report:
    from planner.analysis.radio import path_loss

    profile = None
    distance = args.distance_km
    if args.profile_file is not None:
        if args.model != "itm":
            msg = f"`--profile-file` is only used by the itm model; got --model {args.model}"
            raise InvalidInputError(msg)
        xs, profile = _read_profile(args.profile_file)
        distance = (xs[-1] - xs[0]) / 1e3
    if distance is None:
        msg = "`--distance-km` is required (or `--profile-file` with --model itm)"
        raise InvalidInputError(msg)
    itm_opts: dict[str, Any] | None = None
    if args.model == "itm":
        itm_opts = {
            "time_pct": args.time_pct,
            "location_pct": args.location_pct,
            "confidence_pct": args.confidence_pct,
        }
    res = path_loss(
        args.model,
        freq_mhz=args.freq_mhz,
        distance_km=distance,
        tx_height_m=args.tx_height_m,
        rx_height_m=args.rx_height_m,
        environment=args.environment,
        extrapolate=args.extrapolate,
        terrain_irregularity_m=args.terrain_irregularity_m,
        profile_elevation_m=profile,
        itm_options=itm_opts,
    )
    data = {
        "loss_db": res.loss_db,
        "model": res.model.value,
        "environment": res.environment,
        "inputs": res.inputs,
        "validity": res.validity,
        "extrapolated": res.extrapolated,
        "notes": list(res.notes),
    }
    text = f"{res.model.value}: {res.loss_db:.2f} dB" + "".join(f"\n  {n}" for n in res.notes)
    warnings = [n for n in res.notes if "extrapolated" in n]
    return Report(data=data, text=text, warnings=warnings)
