"""``planner storage``: retention days or capacity for a fleet of cameras."""

from __future__ import annotations

import argparse
from typing import Any

from planner.cli.output import Report
from planner.errors import InvalidInputError

NAME = "storage"
HELP = "Storage calculator: retention days from capacity, or capacity and disks for a retention target."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cameras", type=int, required=True, help="number of cameras")
    rate = parser.add_argument_group(
        "bitrate (one of; omit both with --capacity-tb and --retention-days to get the implied bitrate)"
    )
    rate.add_argument("--bitrate-mbps", type=float, help="recorded bitrate per camera, Mb/s")
    rate.add_argument("--resolution", help="d1, 720p, 1080p, 4mp, 4k (with --codec)")
    rate.add_argument("--codec", help="mjpeg, h264, h265, h265_smart (with --resolution)")
    rate.add_argument("--fps", type=float, default=30.0, help="frame rate for the table model (default 30)")
    rate.add_argument("--scene-factor", type=float, default=1.0, help="scene complexity (default 1.0, street)")
    parser.add_argument("--duty-cycle", type=float, default=1.0, help="recording factor in (0, 1] (default 1.0)")
    parser.add_argument("--capacity-tb", type=float, help="installed raw capacity, TB (10^12 bytes)")
    parser.add_argument("--retention-days", type=float, help="retention target, days")
    lay = parser.add_argument_group("layout (defaults: RAID 6, groups of 12, 16 TB disks, 5 %% FS, 10 %% growth)")
    lay.add_argument("--raid", default="6", help="RAID level 0, 1, 5, 6, 10 (default 6)")
    lay.add_argument("--raid-group-size", type=int, default=12, help="disks per RAID group (default 12; 0 = one group)")
    lay.add_argument("--disk-tb", type=float, default=16.0, help="disk size, TB (default 16)")
    lay.add_argument("--hot-spares", type=int, default=0, help="hot spare disks (default 0)")
    lay.add_argument("--fs-reserve", type=float, default=0.05, help="file-system reserve fraction (default 0.05)")
    lay.add_argument("--growth-margin", type=float, default=0.10, help="growth margin fraction (default 0.10)")
    lay.add_argument("--usable-fraction", type=float, help="override the whole usable fraction (0, 1]")
    parser.add_argument("--jurisdiction", help="legal retention check: FR, IT, LU, ES, BE, CN, DE, UK, UY, BO")


def _bitrate(args: argparse.Namespace) -> tuple[float | None, dict[str, Any]]:
    """The recorded bitrate, or ``None`` when only the implied bitrate is asked for."""
    from planner.analysis.bitrate import bitrate_mbps

    if args.bitrate_mbps is not None:
        if args.resolution or args.codec:
            msg = "give either `--bitrate-mbps` or `--resolution` with `--codec`, not both"
            raise InvalidInputError(msg)
        if not args.bitrate_mbps > 0:
            msg = f"`--bitrate-mbps` must be > 0; got {args.bitrate_mbps}"
            raise InvalidInputError(msg)
        return float(args.bitrate_mbps), {"source": "given"}
    if not args.resolution and not args.codec and args.capacity_tb is not None and args.retention_days is not None:
        return None, {"source": "implied by --capacity-tb and --retention-days"}
    if not (args.resolution and args.codec):
        msg = (
            "one of `--bitrate-mbps` or `--resolution` with `--codec` is required "
            "(or neither, with both `--capacity-tb` and `--retention-days`, for the implied bitrate)"
        )
        raise InvalidInputError(msg)
    b = float(bitrate_mbps(args.resolution, args.codec, fps=args.fps, scene_factor=args.scene_factor))
    return b, {
        "source": "reference table (resources/bitrates.json)",
        "resolution": args.resolution,
        "codec": args.codec,
        "fps": args.fps,
        "scene_factor": args.scene_factor,
    }


def _implied_only(args: argparse.Namespace, layout: Any, brinfo: dict[str, Any]) -> Report:
    """``--capacity-tb`` and ``--retention-days`` without a bitrate: the bitrate that claim implies."""
    from planner.analysis import storage as st

    plan = st.implied_bitrate_plan(
        args.capacity_tb,
        cameras=args.cameras,
        retention_days=args.retention_days,
        duty_cycle=args.duty_cycle,
        layout=layout,
        usable_fraction=args.usable_fraction,
    )
    uf = plan.usable_fraction
    data: dict[str, Any] = {
        "cameras": args.cameras,
        "bitrate_mbps": None,
        "bitrate": brinfo,
        "duty_cycle": args.duty_cycle,
        "units": "SI: 1 TB = 10^12 bytes",
        "capacity": _capacity_doc(plan),
        "retention_days": plan.retention_days,
        "implied_bitrate_mbps": plan.implied_bitrate_mbps,
        "implied_bitrate_mbps_raw": plan.implied_bitrate_mbps_raw,
    }
    lines = [(
        f"{args.cameras} cameras keeping {args.retention_days:g} days on {plan.capacity_tb:g} TB raw "
        f"({plan.usable_tb:.1f} TB usable, {uf.value:.1%}): {plan.implied_bitrate_mbps:.2f} Mb/s per camera "
        f"({plan.implied_bitrate_mbps_raw:.2f} Mb/s if every raw byte held video)"
    )]
    warnings: list[str] = []
    if args.jurisdiction:
        chk = st.legal_retention_check(args.retention_days, jurisdiction=args.jurisdiction)
        data["legal"] = _legal(chk)
        lines.append(chk.message)
        if chk.flagged:
            warnings.append(chk.message)
    return Report(data=data, text="\n".join(lines), warnings=warnings)


def _capacity_doc(plan: Any) -> dict[str, Any]:
    """The installed capacity, its usable share and the factors behind it (a retention or implied-bitrate plan)."""
    from planner.analysis import storage as st

    uf = plan.usable_fraction
    return {"capacity_tb": plan.capacity_tb, "capacity_tib": float(st.tb_to_tib(plan.capacity_tb)),
            "usable_tb": plan.usable_tb, "usable_fraction": uf.value,
            "factors": {"raid_efficiency": uf.raid_efficiency, "hot_spare_share": uf.hot_spare_share,
                        "fs_reserve": uf.fs_reserve, "growth_margin": uf.growth_margin}}


def _groups_text(plan: Any, raid: str) -> str:
    groups = list(plan.raid_groups)
    if not groups:
        return ""
    sizes = " + ".join(str(g) for g in groups)
    spares = f" + {plan.hot_spares} hot spare(s)" if plan.hot_spares else ""
    return f" ({len(groups)} RAID {raid} group{'s' if len(groups) > 1 else ''}: {sizes}{spares})"


def _legal(chk: Any) -> dict[str, Any]:
    return {
        "jurisdiction": chk.jurisdiction,
        "name": chk.name,
        "retention_days": chk.retention_days,
        "min_days": chk.min_days,
        "max_days": chk.max_days,
        "status": chk.status.value,
        "flagged": chk.flagged,
        "message": chk.message,
        "source": chk.source,
    }


def run(args: argparse.Namespace) -> Report:
    from planner.analysis import storage as st

    if args.cameras is None or args.cameras < 1:
        msg = f"`--cameras` must be >= 1; got {args.cameras}"
        raise InvalidInputError(msg)
    if args.capacity_tb is None and args.retention_days is None:
        msg = "one of `--capacity-tb` or `--retention-days` is required"
        raise InvalidInputError(msg)
    bitrate, brinfo = _bitrate(args)
    layout = st.StorageLayout(
        raid_level=args.raid,
        raid_group_size=None if args.raid_group_size == 0 else args.raid_group_size,
        disk_tb=args.disk_tb,
        hot_spares=args.hot_spares,
        fs_reserve=args.fs_reserve,
        growth_margin=args.growth_margin,
    )
    if bitrate is None:
        return _implied_only(args, layout, brinfo)
    data: dict[str, Any] = {
        "cameras": args.cameras,
        "bitrate_mbps": bitrate,
        "bitrate": brinfo,
        "duty_cycle": args.duty_cycle,
        "units": "SI: 1 TB = 10^12 bytes",
    }
    per_cam = st.bytes_per_camera_day(bitrate, duty_cycle=args.duty_cycle)
    data["gb_per_camera_day"] = float(per_cam) / 1e9
    data["daily_tb"] = float(per_cam) * args.cameras / 1e12
    lines = [f"{args.cameras} cameras x {bitrate:.3g} Mb/s: {data['daily_tb']:.3f} TB/day (SI)"]
    retention_for_check: float | None = None

    if args.capacity_tb is not None:
        plan = st.retention_from_capacity(
            args.capacity_tb,
            bitrate_mbps=bitrate,
            cameras=args.cameras,
            duty_cycle=args.duty_cycle,
            layout=layout,
            usable_fraction=args.usable_fraction,
        )
        uf = plan.usable_fraction
        data["capacity"] = {**_capacity_doc(plan), "retention_days_raw": plan.retention_days_raw,
                            "retention_days": plan.retention_days}
        lines.append(
            f"{plan.capacity_tb:g} TB raw -> {plan.retention_days_raw:.2f} days raw, "
            f"{plan.retention_days:.2f} days on {plan.usable_tb:.1f} TB usable ({uf.value:.1%})"
        )
        retention_for_check = plan.retention_days
        if args.retention_days is not None:
            implied = st.implied_bitrate_mbps(
                args.capacity_tb,
                cameras=args.cameras,
                retention_days=args.retention_days,
                usable_fraction=uf.value,
                duty_cycle=args.duty_cycle,
            )
            implied_raw = st.implied_bitrate_mbps(
                args.capacity_tb, cameras=args.cameras, retention_days=args.retention_days, duty_cycle=args.duty_cycle
            )
            data["implied_bitrate_mbps"] = implied
            data["implied_bitrate_mbps_raw"] = implied_raw
            lines.append(
                f"claim of {args.retention_days:g} days implies {implied:.2f} Mb/s per camera "
                f"({implied_raw:.2f} Mb/s if every raw byte held video)"
            )
            retention_for_check = args.retention_days
    else:
        cplan = st.capacity_for_retention(
            args.retention_days,
            bitrate_mbps=bitrate,
            cameras=args.cameras,
            duty_cycle=args.duty_cycle,
            layout=layout,
            usable_fraction=args.usable_fraction,
        )
        uf = cplan.usable_fraction
        data["requirement"] = {
            "retention_days": cplan.retention_days,
            "video_tb": cplan.video_tb,
            "raw_tb": cplan.raw_tb,
            "raw_tib": float(st.tb_to_tib(cplan.raw_tb)),
            "usable_fraction": uf.value,
            "factors": {
                "raid_efficiency": uf.raid_efficiency,
                "hot_spare_share": uf.hot_spare_share,
                "fs_reserve": uf.fs_reserve,
                "growth_margin": uf.growth_margin,
            },
            "disk_tb": cplan.disk_tb,
            "disks": cplan.disks,
            "raid_groups": list(cplan.raid_groups),
            "raid_group_count": len(cplan.raid_groups),
            "hot_spares": cplan.hot_spares,
            "installed_raw_tb": cplan.installed_raw_tb,
            "installed_usable_tb": cplan.installed_usable_tb,
        }
        lines.append(
            f"{cplan.retention_days:g} days need {cplan.video_tb:.1f} TB of video, {cplan.raw_tb:.1f} TB raw "
            f"at {uf.value:.1%} usable -> {cplan.disks} x {cplan.disk_tb:g} TB disks"
            + _groups_text(cplan, args.raid)
        )
        retention_for_check = cplan.retention_days

    warnings: list[str] = []
    if args.jurisdiction:
        chk = st.legal_retention_check(retention_for_check, jurisdiction=args.jurisdiction)
        data["legal"] = _legal(chk)
        lines.append(chk.message)
        if chk.flagged:
            warnings.append(chk.message)
    return Report(data=data, text="\n".join(lines), warnings=warnings)
