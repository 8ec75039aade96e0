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
        help="hata: urban (small/medium city, default), urban-large/metropolitan (large-city a(hm)), suburban, open; "
        "cost231 (standard form, medium-city a(hm) always): urban/suburban Cm = 0 dB, "
        "metropolitan/urban-large Cm = 3 dB; uma/umi: los, nlos (default)",
    )
    parser.add_argument(
        "--strict", action="store_true",
        help="refuse inputs outside the model's validity range (default: compute, with a warning)",
    )
    parser.add_argument("--extrapolate", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument(
        "--terrain-irregularity-m",
        type=float,
        default=90.0,
        help="itm without a profile: terrain irregularity Δh, m (0 flat, 30 plains, 90 hills/average, 200 mountains)",
    )
    parser.add_argument(
        "--profile-file",
        type=Path,
        help="itm: CSV of distance_m,elevation_m (header optional) for point-to-point mode; distances within "
        "--profile-tolerance-m of equal steps are used as they are, others are resampled to equal steps",
    )
    parser.add_argument("--profile-tolerance-m", type=float, default=0.5,
                        help="itm: how far a profile distance may be from the equal-step grid, m (default 0.5: "
                        "distances rounded to the metre)")
    itm = parser.add_argument_group("itm settings")
    itm.add_argument("--time-pct", type=float, default=50.0, help="time quantile (reliability), %% (default 50)")
    itm.add_argument("--location-pct", type=float,
                     help="location quantile, %% (default 50); only with --mdvar 3 (broadcast): refused where ITM "
                     "folds or removes location variability (mdvar 0-2, +10)")
    itm.add_argument("--confidence-pct", type=float, default=50.0, help="situation quantile (confidence), %% (default 50)")
    itm.add_argument("--mdvar", type=int,
                     help="mode of variability: 0 single message, 1 accidental, 2 mobile, 3 broadcast; +10 removes "
                     "location variability, +20 situation variability (default 3 area mode, 1 point-to-point)")
    itm.add_argument("--polarization", choices=["vertical", "horizontal"], default="vertical",
                     help="antenna polarisation (default vertical)")
    itm.add_argument("--climate", type=int, choices=range(1, 8), default=5, metavar="1-7",
                     help="radio climate: 1 equatorial, 2 continental subtropical, 3 maritime subtropical, 4 desert, "
                     "5 continental temperate (default), 6 maritime temperate over land, 7 maritime temperate over sea")
    itm.add_argument("--refractivity-n0", type=float, default=301.0,
                     help="surface refractivity at sea level N0, N-units (default 301); scaled to the path in "
                     "point-to-point mode")
    itm.add_argument("--surface-refractivity-ns", type=float,
                     help="surface refractivity Ns, N-units, used as is (overrides --refractivity-n0)")
    itm.add_argument("--ground", choices=["average", "poor", "good", "fresh-water", "sea-water"],
                     help="ground constants preset: average 15/0.005, poor 4/0.001, good 25/0.02, "
                     "fresh-water 81/0.01, sea-water 81/5 (permittivity / S/m; default average)")
    itm.add_argument("--permittivity", type=float, help="relative ground permittivity (default 15, average ground)")
    itm.add_argument("--conductivity-s-m", type=float, help="ground conductivity, S/m (default 0.005)")


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
    return xs, zs


def _itm_params(args: argparse.Namespace) -> Any:
    from planner.analysis.radio import ITM_GROUND, ItmParams

    eps, sgm = ITM_GROUND[args.ground or "average"]
    if args.permittivity is not None:
        eps = args.permittivity
    if args.conductivity_s_m is not None:
        sgm = args.conductivity_s_m
    try:
        return ItmParams(
            polarization=args.polarization, permittivity=eps, conductivity_s_m=sgm,
            refractivity_n0=args.refractivity_n0, surface_refractivity_ns=args.surface_refractivity_ns,
            climate=args.climate, mdvar=args.mdvar, time_pct=args.time_pct, location_pct=args.location_pct,
            confidence_pct=args.confidence_pct,
        )
    except InvalidInputError as exc:
        raise _as_cli_error(exc) from None


_ITM_FIELDS = ("location_pct", "time_pct", "confidence_pct", "mdvar", "permittivity", "conductivity_s_m",
               "refractivity_n0", "surface_refractivity_ns", "climate", "polarization")


def _as_cli_error(exc: InvalidInputError) -> InvalidInputError:
    """The same error with ITM option names as the user typed them (``--location-pct``)."""
    msg = str(exc)
    for name in _ITM_FIELDS:
        msg = msg.replace(f"`{name}`", f"`--{name.replace('_', '-')}`")
    return type(exc)(msg)


def run(args: argparse.Namespace) -> Report:
    from planner.analysis.radio import path_loss, regular_profile

    profile = None
    distance = args.distance_km
    resampled = False
    if args.profile_file is not None:
        if args.model != "itm":
            msg = f"`--profile-file` is only used by the itm model; got --model {args.model}"
            raise InvalidInputError(msg)
        xs, zs = _read_profile(args.profile_file)
        profile, _, resampled = regular_profile(xs, zs, tolerance_m=args.profile_tolerance_m,
                                                name=args.profile_file.name)
        distance = (xs[-1] - xs[0]) / 1e3
    if distance is None:
        msg = "`--distance-km` is required (or `--profile-file` with --model itm)"
        raise InvalidInputError(msg)
    itm_opts: Any = None
    if args.model == "itm":
        itm_opts = _itm_params(args)
    else:
        given = [f"--{k.replace('_', '-')}" for k in ("mdvar", "location_pct", "surface_refractivity_ns", "ground",
                                                       "permittivity", "conductivity_s_m") if getattr(args, k) is not None]
        if given:
            msg = f"{', '.join(given)} only apply to --model itm; got --model {args.model}"
            raise InvalidInputError(msg)
    try:
        res = _path_loss(args, path_loss, distance, profile, itm_opts)
    except InvalidInputError as exc:
        raise _as_cli_error(exc) from None
    return _report(args, res, resampled)


def _path_loss(args: argparse.Namespace, path_loss: Any, distance: float, profile: Any, itm_opts: Any) -> Any:
    return path_loss(
        args.model,
        freq_mhz=args.freq_mhz,
        distance_km=distance,
        tx_height_m=args.tx_height_m,
        rx_height_m=args.rx_height_m,
        environment=args.environment,
        strict=args.strict,
        terrain_irregularity_m=args.terrain_irregularity_m,
        profile_elevation_m=profile,
        itm_options=itm_opts,
    )


def _report(args: argparse.Namespace, res: Any, resampled: bool) -> Report:
    data: dict[str, Any] = {
        "loss_db": res.loss_db,
        "model": res.model.value,
        "environment": res.environment,
        "inputs": res.inputs,
        "validity": res.validity,
        "extrapolated": res.extrapolated,
        "warnings": list(res.warnings),
        "notes": list(res.notes),
    }
    if res.itm is not None:
        r = res.itm
        data["itm"] = {
            "mode": r.mode, "path_type": r.path_type, "free_space_db": r.free_space_db,
            "reference_attenuation_db": r.reference_attenuation_db,
            "horizon_distances_m": list(r.horizon_distances_m), "effective_heights_m": list(r.effective_heights_m),
            "terrain_irregularity_m": r.terrain_irregularity_m, "surface_refractivity_ns": r.surface_refractivity_n,
            "k_factor": r.k_factor, "warning_code": r.warning_code, "profile_resampled": resampled,
        }
    if resampled:
        data["notes"].append(f"profile distances were not equally spaced within {args.profile_tolerance_m:g} m: "
                             "resampled linearly to equal steps")
    text = f"{res.model.value}: {res.loss_db:.2f} dB" + "".join(f"\n  {n}" for n in data["notes"])
    return Report(data=data, text=text, warnings=list(res.warnings))
