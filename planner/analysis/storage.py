"""Video storage sizing: bytes per day, retention, RAID capacity, legal limits.

The model (SI units: 1 TB = 10**12 bytes)::

    bytes_per_camera_day = bitrate_bps * duty * 86 400 / 8
                         (+ alarm_bitrate_bps * alarm_fraction * 86 400 / 8)
    video_tb             = sum_cameras bytes_per_camera_day * retention_days / 1e12
    usable_fraction      = raid_efficiency * (1 - hot_spare_share) * (1 - fs_reserve) * (1 - growth_margin)
    raw_tb               = video_tb / usable_fraction
    retention_days       = capacity_tb * usable_fraction * 1e12 / sum bytes_per_camera_day
    implied_bitrate_mbps = capacity_tb * usable_fraction * 1e12 * 8 / (cameras * 86 400 * days) / 1e6

RAID usable capacity per group of ``g`` disks of size ``d`` (QNAP, LaCie):
RAID 0 = g d, RAID 1 = d, RAID 5 = (g - 1) d, RAID 6 = (g - 2) d, RAID 10 = g/2 d;
RAID 50/60 are the per-group formula times the number of groups.

Examples
--------
>>> bytes_per_camera_day(4.0) / 1e9     # T30: 4 Mb/s for one day
43.2
>>> round(retention_days(150.0, bitrate_mbps=4.0, cameras=500), 2)   # T31
6.94
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.errors import InvalidInputError
from planner.model.checks import require_in_range
from planner.resources import load_json_resource

__all__ = [
    "BYTES_PER_TB",
    "SECONDS_PER_DAY",
    "CapacityPlan",
    "ImpliedBitratePlan",
    "LegalCheck",
    "LegalStatus",
    "RaidCapacity",
    "RaidLevel",
    "RetentionPlan",
    "StorageLayout",
    "UsableFraction",
    "bytes_per_camera_day",
    "capacity_for_retention",
    "dahua_mb_per_hour",
    "daily_bytes",
    "implied_bitrate_mbps",
    "implied_bitrate_plan",
    "legal_retention_check",
    "load_legal_retention",
    "raid_efficiency",
    "raid_usable",
    "retention_days",
    "retention_from_capacity",
    "smallest_group",
    "tb_to_tib",
    "usable_fraction",
]

SECONDS_PER_DAY = 86_400
BYTES_PER_TB = 1e12
BYTES_PER_TIB = 2.0**40


class RaidLevel(StrEnum):
    """Supported RAID levels (50/60 = 5/6 with ``group_size``)."""

    RAID0 = "0"
    RAID1 = "1"
    RAID5 = "5"
    RAID6 = "6"
    RAID10 = "10"


#: Minimum number of disks in one group of each level (RAID 6: 4, "5 recommended").
MIN_DISKS: dict[RaidLevel, int] = {
    RaidLevel.RAID0: 1,
    RaidLevel.RAID1: 2,
    RaidLevel.RAID5: 3,
    RaidLevel.RAID6: 4,
    RaidLevel.RAID10: 4,
}


def parse_raid_level(level: RaidLevel | str | int) -> RaidLevel:
    """Return the :class:`RaidLevel` for ``6``, ``"6"``, ``"raid6"``, ``"RAID 10"`` ..."""
    if isinstance(level, RaidLevel):
        return level
    key = str(level).strip().lower().replace("raid", "").replace(" ", "").replace("-", "")
    if key in ("50", "60"):
        key = key[0]
    try:
        return RaidLevel(key)
    except ValueError:
        names = ", ".join(lv.value for lv in RaidLevel)
        msg = f"`raid_level` must be one of {names} (50/60 via group size); got {level!r}"
        raise InvalidInputError(msg) from None


# ---------------------------------------------------------------- validation


def _positive(name: str, value: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    ok = np.isfinite(arr) & (arr > 0)
    if not np.all(ok):
        bad = arr[~ok].ravel()[0] if arr.ndim else arr
        msg = f"`{name}` must be a positive finite number; got {bad}"
        raise InvalidInputError(msg)
    return arr


def _fraction(name: str, value: float, *, allow_zero: bool = True, allow_one: bool = False) -> float:
    return require_in_range(name, value, 0.0, 1.0, low_open=not allow_zero, high_open=not allow_one)


def _count(name: str, value: ArrayLike, *, minimum: int = 1) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    ok = np.isfinite(arr) & (arr >= minimum) & (arr == np.round(arr))
    if not np.all(ok):
        bad = arr[~ok].ravel()[0] if arr.ndim else arr
        msg = f"`{name}` must be a whole number >= {minimum}; got {bad:g}"
        raise InvalidInputError(msg)
    return arr


def _scalar(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(x) if np.ndim(x) == 0 else x


# ---------------------------------------------------------------- bytes


def bytes_per_camera_day(
    bitrate_mbps: ArrayLike,
    *,
    duty_cycle: ArrayLike = 1.0,
    alarm_bitrate_mbps: ArrayLike = 0.0,
    alarm_fraction: ArrayLike = 0.0,
) -> NDArray[np.float64] | float:
    """Bytes one camera writes per day (vectorised).

    ``bitrate_mbps * 1e6 * duty * 86 400 / 8 + alarm_bitrate_mbps * 1e6 * alarm_fraction * 86 400 / 8``
    (the alarm term follows VideoCAD and Dahua's NVR sizing). 1 Mb/s is
    10.8 GB/day (SI).

    Parameters
    ----------
    bitrate_mbps
        Recorded bitrate while recording, Mb/s (> 0).
    duty_cycle
        Recording factor in (0, 1]: 1.0 continuous, ~0.17 motion four hours a day.
    alarm_bitrate_mbps, alarm_fraction
        Optional extra alarm/event stream and the fraction of the day it runs.

    Returns
    -------
    float or numpy.ndarray
        Bytes per day (10**0 bytes).
    """
    b = _positive("bitrate_mbps", bitrate_mbps)
    duty = np.asarray(duty_cycle, dtype=float)
    if np.any(~np.isfinite(duty)) or np.any(duty <= 0) or np.any(duty > 1):
        msg = f"`duty_cycle` must be in (0, 1]; got {duty_cycle!s}"
        raise InvalidInputError(msg)
    ab = np.asarray(alarm_bitrate_mbps, dtype=float)
    af = np.asarray(alarm_fraction, dtype=float)
    if np.any(~np.isfinite(ab)) or np.any(ab < 0):
        msg = f"`alarm_bitrate_mbps` must be >= 0; got {alarm_bitrate_mbps!s}"
        raise InvalidInputError(msg)
    if np.any(~np.isfinite(af)) or np.any(af < 0) or np.any(af > 1):
        msg = f"`alarm_fraction` must be in [0, 1]; got {alarm_fraction!s}"
        raise InvalidInputError(msg)
    out = (b * duty + ab * af) * 1e6 / 8.0 * SECONDS_PER_DAY
    return _scalar(out)


def daily_bytes(
    bitrate_mbps: ArrayLike,
    *,
    cameras: ArrayLike = 1,
    duty_cycle: ArrayLike = 1.0,
) -> float:
    """Total bytes per day of a fleet: ``sum(cameras * bytes_per_camera_day(bitrate_mbps))``.

    ``bitrate_mbps`` may be one value or one per camera (then ``cameras`` is 1
    or a count per entry).
    """
    n = _count("cameras", cameras)
    per_cam = np.asarray(bytes_per_camera_day(bitrate_mbps, duty_cycle=duty_cycle))
    return float(np.sum(n * per_cam))


def retention_days(
    capacity_tb: float,
    *,
    bitrate_mbps: ArrayLike,
    cameras: ArrayLike = 1,
    usable_fraction: float = 1.0,
    duty_cycle: ArrayLike = 1.0,
) -> float:
    """Days of video that fit in ``capacity_tb``.

    ``days = capacity_tb * 1e12 * usable_fraction / daily_bytes`` (SI terabytes).
    T31: 150 TB raw, 500 cameras at 4 Mb/s -> 6.94 days.

    Parameters
    ----------
    capacity_tb
        Installed (raw) capacity in TB (10**12 bytes).
    bitrate_mbps, cameras, duty_cycle
        See :func:`daily_bytes`.
    usable_fraction
        Share of ``capacity_tb`` that holds video, in (0, 1] (see :func:`usable_fraction`).
    """
    cap = float(_positive("capacity_tb", capacity_tb))
    uf = _fraction("usable_fraction", usable_fraction, allow_zero=False, allow_one=True)
    return cap * BYTES_PER_TB * uf / daily_bytes(bitrate_mbps, cameras=cameras, duty_cycle=duty_cycle)


def implied_bitrate_mbps(
    capacity_tb: float,
    *,
    cameras: int,
    retention_days: float,
    usable_fraction: float = 1.0,
    duty_cycle: float = 1.0,
) -> float:
    """Average bitrate per camera implied by a capacity and retention claim, Mb/s.

    ``capacity_tb * usable_fraction * 1e12 * 8 / (cameras * duty * 86 400 * retention_days) / 1e6``
    (for checking a vendor's claim). 150 TB, 500
    cameras, 8 days -> 3.47 Mb/s.
    """
    cap = float(_positive("capacity_tb", capacity_tb))
    n = float(_count("cameras", cameras))
    days = float(_positive("retention_days", retention_days))
    uf = _fraction("usable_fraction", usable_fraction, allow_zero=False, allow_one=True)
    duty = _fraction("duty_cycle", duty_cycle, allow_zero=False, allow_one=True)
    return cap * uf * BYTES_PER_TB * 8.0 / (n * duty * SECONDS_PER_DAY * days) / 1e6


def dahua_mb_per_hour(bitrate_kbps: ArrayLike) -> NDArray[np.float64] | float:
    """Storage per hour in Dahua's NVR-manual units: ``kbps / 8 * 3600 / 1024`` "MB".

    Dahua's appendix divides kB by 1024 while kbit/s are SI, so 512 kbit/s
    gives 225 "MB"/h against 230.4 MB/h in SI (T34). Use only to reproduce
    vendor tables; everything else in the planner is SI.
    """
    k = _positive("bitrate_kbps", bitrate_kbps)
    return _scalar(k / 8.0 * 3600.0 / 1024.0)


def tb_to_tib(capacity_tb: ArrayLike) -> NDArray[np.float64] | float:
    """Convert SI terabytes (10**12 B) to binary tebibytes (2**40 B); 1 TB = 0.9095 TiB."""
    return _scalar(np.asarray(capacity_tb, dtype=float) * BYTES_PER_TB / BYTES_PER_TIB)


# ---------------------------------------------------------------- RAID


def _group_data_disks(level: RaidLevel, group_size: int) -> int:
    if level is RaidLevel.RAID0:
        return group_size
    if level is RaidLevel.RAID1:
        return 1
    if level is RaidLevel.RAID5:
        return group_size - 1
    if level is RaidLevel.RAID6:
        return group_size - 2
    return group_size // 2  # RAID10


def smallest_group(level: RaidLevel | str | int, data_disks: int) -> int:
    """Fewest disks of one RAID group holding ``data_disks`` disks' worth of data.

    RAID 0: ``n``; RAID 1: 2 (one disk of data); RAID 5: ``n + 1`` (at least 3);
    RAID 6: ``n + 2`` (at least 4); RAID 10: ``2 n`` (at least 4).

    Raises
    ------
    InvalidInputError
        ``data_disks`` < 1, or > 1 for RAID 1.
    """
    lv = parse_raid_level(level)
    n = int(_count("data_disks", data_disks))
    if lv is RaidLevel.RAID1:
        if n > 1:
            raise InvalidInputError(f"a RAID 1 group holds one disk of data; got `data_disks` {n}")
        return 2
    extra = {RaidLevel.RAID0: n, RaidLevel.RAID5: n + 1, RaidLevel.RAID6: n + 2, RaidLevel.RAID10: 2 * n}[lv]
    return max(MIN_DISKS[lv], extra)


def _check_group(level: RaidLevel, group_size: int, *, name: str = "raid_group_size") -> None:
    minimum = MIN_DISKS[level]
    if group_size < minimum:
        msg = f"`{name}` must be at least {minimum} for RAID {level.value}; got {group_size}"
        raise InvalidInputError(msg)
    if level is RaidLevel.RAID10 and group_size % 2:
        msg = f"`{name}` must be even for RAID 10; got {group_size}"
        raise InvalidInputError(msg)


def raid_efficiency(level: RaidLevel | str | int, *, group_size: int) -> float:
    """Share of a RAID group's disks that hold data: RAID 6 in groups of 12 -> 10/12 = 0.833."""
    lv = parse_raid_level(level)
    g = int(_count("group_size", group_size))
    _check_group(lv, g, name="group_size")
    return _group_data_disks(lv, g) / g


@dataclass(frozen=True)
class RaidCapacity:
    """Capacity of a set of disks in RAID groups plus hot spares.

    Attributes
    ----------
    level
        RAID level (groups of RAID 5/6 are RAID 50/60).
    disks
        All disks including hot spares.
    disk_tb
        Size of one disk (the smallest one), TB.
    hot_spares
        Disks kept idle for rebuilds.
    group_sizes
        Disks in each RAID group.
    data_disks
        Disks' worth of data capacity.
    raw_tb
        ``disks * disk_tb``.
    usable_tb
        ``data_disks * disk_tb`` (before file-system reserve).
    efficiency
        ``usable_tb / raw_tb`` (hot spares included in raw).
    """

    level: RaidLevel
    disks: int
    disk_tb: float
    hot_spares: int
    group_sizes: tuple[int, ...]
    data_disks: int
    raw_tb: float
    usable_tb: float
    efficiency: float


def raid_usable(
    level: RaidLevel | str | int,
    *,
    disks: int,
    disk_tb: float,
    group_size: int | None = None,
    hot_spares: int = 0,
) -> RaidCapacity:
    """Usable capacity of ``disks`` disks of ``disk_tb`` TB in RAID ``level``.

    Hot spares are taken out first; the rest is split into groups of
    ``group_size`` (one group when None). A last, smaller group is allowed if it
    meets the level's minimum. T33: RAID 6 over 12 x 16 TB = 160 TB; the same 12
    bays with one hot spare (RAID 6 over 11) = 144 TB, 75 % of 192 TB raw.

    Raises
    ------
    InvalidInputError
        Too few disks for the level (RAID 5 < 3, RAID 6 < 4, RAID 10 < 4 or odd).
    """
    lv = parse_raid_level(level)
    n = int(_count("disks", disks))
    d = float(_positive("disk_tb", disk_tb))
    spares = int(_count("hot_spares", hot_spares, minimum=0))
    array = n - spares
    if array < MIN_DISKS[lv]:
        msg = (
            f"`disks` must leave at least {MIN_DISKS[lv]} disks for RAID {lv.value} "
            f"after {spares} hot spare(s); got {n}"
        )
        raise InvalidInputError(msg)
    if group_size is None:
        groups = [array]
    else:
        g = int(_count("raid_group_size", group_size))
        _check_group(lv, g)
        groups = [g] * (array // g)
        if array % g:
            groups.append(array % g)
    for g_i in groups:
        _check_group(lv, g_i, name="disks")
    data = sum(_group_data_disks(lv, g_i) for g_i in groups)
    raw = n * d
    usable = data * d
    return RaidCapacity(
        level=lv,
        disks=n,
        disk_tb=d,
        hot_spares=spares,
        group_sizes=tuple(groups),
        data_disks=data,
        raw_tb=raw,
        usable_tb=usable,
        efficiency=usable / raw,
    )


@dataclass(frozen=True)
class StorageLayout:
    """How raw disks become usable video space (planner defaults).

    Attributes
    ----------
    raid_level
        RAID level; default 6.
    raid_group_size
        Disks per RAID group (RAID 60 when several); default 12 (83 % efficient).
        None means one group over all array disks.
    disk_tb
        Disk size, TB; default 16.
    hot_spares
        Idle spare disks per installation; default 0 (1 per 24 disks is common practice).
    fs_reserve
        File-system / VMS free-space reserve, fraction; default 0.05.
    growth_margin
        Capacity held back for growth, fraction; default 0.10.
    """

    raid_level: RaidLevel | str | int = RaidLevel.RAID6
    raid_group_size: int | None = 12
    disk_tb: float = 16.0
    hot_spares: int = 0
    fs_reserve: float = 0.05
    growth_margin: float = 0.10

    def __post_init__(self) -> None:
        lv = parse_raid_level(self.raid_level)
        object.__setattr__(self, "raid_level", lv)
        if self.raid_group_size is not None:
            _count("raid_group_size", self.raid_group_size)
            _check_group(lv, int(self.raid_group_size))
        _positive("disk_tb", self.disk_tb)
        _count("hot_spares", self.hot_spares, minimum=0)
        _fraction("fs_reserve", self.fs_reserve)
        _fraction("growth_margin", self.growth_margin)


@dataclass(frozen=True)
class UsableFraction:
    """The named factors between raw disk capacity and space for video.

    ``value = raid_efficiency * (1 - hot_spare_share) * (1 - fs_reserve) * (1 - growth_margin)``
    """

    raid_efficiency: float
    hot_spare_share: float
    fs_reserve: float
    growth_margin: float

    @property
    def value(self) -> float:
        """The product of the factors, in (0, 1]."""
        return (
            self.raid_efficiency
            * (1.0 - self.hot_spare_share)
            * (1.0 - self.fs_reserve)
            * (1.0 - self.growth_margin)
        )


def usable_fraction(layout: StorageLayout, *, disks: int | None = None) -> UsableFraction:
    """Usable fraction of a layout (RAID 6/12, 5 % FS, 10 % growth -> 0.7125).

    Hot spares count only when the total number of ``disks`` is known
    (``hot_spare_share = hot_spares / disks``). With ``raid_group_size=None``
    the whole array (``disks - hot_spares``) is one group.
    """
    lv = parse_raid_level(layout.raid_level)
    if disks is not None:
        cap = raid_usable(
            lv,
            disks=disks,
            disk_tb=layout.disk_tb,
            group_size=layout.raid_group_size,
            hot_spares=layout.hot_spares,
        )
        array = cap.disks - cap.hot_spares
        eff = cap.data_disks / array
        spare_share = cap.hot_spares / cap.disks
    else:
        if layout.raid_group_size is None:
            msg = "`disks` is needed when `raid_group_size` is None (one group over all disks)"
            raise InvalidInputError(msg)
        eff = raid_efficiency(lv, group_size=int(layout.raid_group_size))
        spare_share = 0.0
    return UsableFraction(
        raid_efficiency=eff,
        hot_spare_share=spare_share,
        fs_reserve=layout.fs_reserve,
        growth_margin=layout.growth_margin,
    )


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class RetentionPlan:
    """Retention reached by a given capacity.

    Attributes
    ----------
    capacity_tb
        Installed raw capacity, TB.
    usable_tb
        ``capacity_tb * usable_fraction``.
    usable_fraction
        The factors used (a plain override shows as ``raid_efficiency``).
    daily_tb
        Video written per day by all cameras, TB.
    retention_days_raw
        Days if every raw byte held video (the figure vendors quote).
    retention_days
        Days on the usable space.
    """

    capacity_tb: float
    usable_tb: float
    usable_fraction: UsableFraction
    daily_tb: float
    retention_days_raw: float
    retention_days: float


def _resolve_fraction(
    layout: StorageLayout | None, fraction: float | None, *, disks: int | None = None
) -> UsableFraction:
    if fraction is not None:
        f = _fraction("usable_fraction", fraction, allow_zero=False, allow_one=True)
        return UsableFraction(raid_efficiency=f, hot_spare_share=0.0, fs_reserve=0.0, growth_margin=0.0)
    return usable_fraction(layout or StorageLayout(), disks=disks)


def _capacity_fraction(cap: float, layout: StorageLayout | None, usable_fraction: float | None) -> UsableFraction:
    """Usable fraction of an installed capacity (hot spares counted when it is whole disks)."""
    disks = None
    if usable_fraction is None and layout is not None and layout.hot_spares:
        n = cap / layout.disk_tb
        if abs(n - round(n)) > 1e-9:
            msg = (
                f"`capacity_tb` must be a whole number of `disk_tb` disks to count hot spares; "
                f"got {cap:g} TB / {layout.disk_tb:g} TB"
            )
            raise InvalidInputError(msg)
        disks = round(n)
    return _resolve_fraction(layout, usable_fraction, disks=disks)


@dataclass(frozen=True)
class ImpliedBitratePlan:
    """The bitrate a capacity-and-retention claim implies (no bitrate given).

    Attributes
    ----------
    capacity_tb
        Installed raw capacity, TB.
    usable_tb
        ``capacity_tb * usable_fraction``.
    usable_fraction
        The factors used.
    cameras, retention_days, duty_cycle
        The claim.
    implied_bitrate_mbps
        Mean recorded bitrate per camera that fills the usable space in ``retention_days``.
    implied_bitrate_mbps_raw
        The same if every raw byte held video (the figure a vendor's sheet implies).
    """

    capacity_tb: float
    usable_tb: float
    usable_fraction: UsableFraction
    cameras: int
    retention_days: float
    duty_cycle: float
    implied_bitrate_mbps: float
    implied_bitrate_mbps_raw: float


def implied_bitrate_plan(
    capacity_tb: float,
    *,
    cameras: int,
    retention_days: float,
    duty_cycle: float = 1.0,
    layout: StorageLayout | None = None,
    usable_fraction: float | None = None,
) -> ImpliedBitratePlan:
    """Bitrate per camera implied by ``capacity_tb`` holding ``retention_days`` for ``cameras``.

    T32: 150 TB, 500 cameras, 8 days -> 3.47 Mb/s on raw capacity, 2.47 Mb/s on
    the default layout's 0.7125 usable fraction.
    """
    cap = float(_positive("capacity_tb", capacity_tb))
    uf = _capacity_fraction(cap, layout, usable_fraction)
    implied = implied_bitrate_mbps(
        cap, cameras=cameras, retention_days=retention_days, usable_fraction=uf.value, duty_cycle=duty_cycle
    )
    raw = implied_bitrate_mbps(cap, cameras=cameras, retention_days=retention_days, duty_cycle=duty_cycle)
    return ImpliedBitratePlan(
        capacity_tb=cap,
        usable_tb=cap * uf.value,
        usable_fraction=uf,
        cameras=int(cameras),
        retention_days=float(retention_days),
        duty_cycle=float(duty_cycle),
        implied_bitrate_mbps=implied,
        implied_bitrate_mbps_raw=raw,
    )


def retention_from_capacity(
    capacity_tb: float,
    *,
    bitrate_mbps: ArrayLike,
    cameras: ArrayLike = 1,
    duty_cycle: ArrayLike = 1.0,
    layout: StorageLayout | None = None,
    usable_fraction: float | None = None,
) -> RetentionPlan:
    """Retention days reached by ``capacity_tb`` raw, both raw and on usable space.

    ``usable_fraction`` (a single number) overrides ``layout``; without either
    the default :class:`StorageLayout` applies. When the layout's ``disk_tb``
    divides the capacity into whole disks, hot spares are counted too.
    Marseille 2023: 500 cameras x 4 Mb/s on 150 TB -> 6.94 days raw, 5.21 days at 75 %.
    """
    cap = float(_positive("capacity_tb", capacity_tb))
    uf = _capacity_fraction(cap, layout, usable_fraction)
    per_day = daily_bytes(bitrate_mbps, cameras=cameras, duty_cycle=duty_cycle)
    raw_days = cap * BYTES_PER_TB / per_day
    return RetentionPlan(
        capacity_tb=cap,
        usable_tb=cap * uf.value,
        usable_fraction=uf,
        daily_tb=per_day / BYTES_PER_TB,
        retention_days_raw=raw_days,
        retention_days=raw_days * uf.value,
    )


@dataclass(frozen=True)
class CapacityPlan:
    """Capacity needed for a retention target.

    Attributes
    ----------
    retention_days
        The target.
    daily_tb
        Video written per day by all cameras, TB.
    video_tb
        ``daily_tb * retention_days``: space that must hold video.
    usable_fraction
        The factors used.
    raw_tb
        ``video_tb / usable_fraction``: raw capacity by the continuous formula.
    disk_tb
        Disk size used to count disks (None with a plain usable-fraction override
        and no layout).
    disks
        Disks to buy, in whole RAID groups plus hot spares (0 when ``disk_tb`` is None).
    raid_groups
        Disks per RAID group.
    hot_spares
        Spare disks included in ``disks``.
    installed_raw_tb, installed_usable_tb
        ``disks * disk_tb`` and the video space those disks really give.
    """

    retention_days: float
    daily_tb: float
    video_tb: float
    usable_fraction: UsableFraction
    raw_tb: float
    disk_tb: float | None
    disks: int
    raid_groups: tuple[int, ...] = field(default_factory=tuple)
    hot_spares: int = 0
    installed_raw_tb: float = 0.0
    installed_usable_tb: float = 0.0


def capacity_for_retention(
    retention_days: float,
    *,
    bitrate_mbps: ArrayLike,
    cameras: ArrayLike = 1,
    duty_cycle: ArrayLike = 1.0,
    layout: StorageLayout | None = None,
    usable_fraction: float | None = None,
) -> CapacityPlan:
    """Raw capacity and disks needed to keep ``retention_days`` of video.

    ``video_tb = daily_bytes * days / 1e12``; ``raw_tb = video_tb / usable_fraction``.
    Disks: data disks needed ``n = ceil(video_tb / ((1 - fs_reserve) * (1 - growth_margin)) / disk_tb)``
    fill ``n // k`` full groups of ``raid_group_size`` (``k`` data disks each); the
    last group holds only the rest, ``n % k`` data disks plus the level's parity or
    mirrors, at least the level's minimum (:func:`smallest_group`); plus
    ``hot_spares``. 64.8 TB of video on 16 TB disks (5 % FS, 10 % growth) needs
    ``ceil(64.8 / 0.855 / 16) = 5`` data disks: RAID 0 -> 5 disks, RAID 6 -> 7. With a plain
    ``usable_fraction`` override, ``disks = ceil(raw_tb / disk_tb) + hot_spares``
    when a layout gives ``disk_tb``.
    """
    days = float(_positive("retention_days", retention_days))
    per_day = daily_bytes(bitrate_mbps, cameras=cameras, duty_cycle=duty_cycle)
    video_tb = per_day * days / BYTES_PER_TB
    if usable_fraction is not None:
        uf = _resolve_fraction(None, usable_fraction)
        raw_tb = video_tb / uf.value
        if layout is None:
            return CapacityPlan(days, per_day / BYTES_PER_TB, video_tb, uf, raw_tb, None, 0)
        n = math.ceil(raw_tb / layout.disk_tb - 1e-9) + layout.hot_spares
        return CapacityPlan(
            days,
            per_day / BYTES_PER_TB,
            video_tb,
            uf,
            raw_tb,
            layout.disk_tb,
            n,
            (),
            layout.hot_spares,
            n * layout.disk_tb,
            (n - layout.hot_spares) * layout.disk_tb * uf.value,
        )
    lay = layout or StorageLayout()
    lv = parse_raid_level(lay.raid_level)
    keep = (1.0 - lay.fs_reserve) * (1.0 - lay.growth_margin)
    data_disks = max(1, math.ceil(video_tb / keep / lay.disk_tb - 1e-9))
    if lay.raid_group_size is None:
        per_group = {RaidLevel.RAID0: 0, RaidLevel.RAID1: 0, RaidLevel.RAID5: 1, RaidLevel.RAID6: 2}
        if lv is RaidLevel.RAID10:
            size = max(MIN_DISKS[lv], 2 * data_disks)
        elif lv is RaidLevel.RAID1:
            if data_disks > 1:
                msg = f"RAID 1 holds one disk of data; `disk_tb` {lay.disk_tb:g} is too small for {video_tb:.3g} TB"
                raise InvalidInputError(msg)
            size = 2
        else:
            size = max(MIN_DISKS[lv], data_disks + per_group[lv])
        groups: list[int] = [size]
    else:
        g = int(lay.raid_group_size)
        full, rest = divmod(data_disks, _group_data_disks(lv, g))
        groups = [g] * full
        if rest:
            groups.append(smallest_group(lv, rest))
    cap = raid_usable(
        lv, disks=sum(groups) + lay.hot_spares, disk_tb=lay.disk_tb, group_size=lay.raid_group_size,
        hot_spares=lay.hot_spares,
    )
    uf = UsableFraction(
        raid_efficiency=cap.data_disks / (cap.disks - cap.hot_spares),
        hot_spare_share=0.0,
        fs_reserve=lay.fs_reserve,
        growth_margin=lay.growth_margin,
    )
    return CapacityPlan(
        retention_days=days,
        daily_tb=per_day / BYTES_PER_TB,
        video_tb=video_tb,
        usable_fraction=uf,
        raw_tb=video_tb / uf.value,
        disk_tb=lay.disk_tb,
        disks=cap.disks,
        raid_groups=cap.group_sizes,
        hot_spares=cap.hot_spares,
        installed_raw_tb=cap.raw_tb,
        installed_usable_tb=cap.usable_tb * keep,
    )


# ---------------------------------------------------------------- legal


class LegalStatus(StrEnum):
    """Outcome of a legal retention check."""

    OK = "ok"
    EXCEEDS_MAXIMUM = "exceeds_maximum"
    BELOW_MINIMUM = "below_minimum"
    PURPOSE_BOUND = "purpose_bound"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LegalCheck:
    """A design's retention against a jurisdiction's limits (resources/legal_retention.json, sources there).

    Attributes
    ----------
    jurisdiction
        ISO-like code (``FR``, ``IT`` ...).
    name
        Jurisdiction and scope.
    retention_days
        The design's retention.
    min_days, max_days
        Legal limits (None = no number in law).
    status
        ``ok``, ``exceeds_maximum`` (configure auto-delete), ``below_minimum``,
        ``purpose_bound`` (no number) or ``unknown`` (no rule found).
    flagged
        True for ``exceeds_maximum`` and ``below_minimum``.
    message
        One line for reports.
    rule, source
        The rule and its source.
    """

    jurisdiction: str
    name: str
    retention_days: float
    min_days: float | None
    max_days: float | None
    status: LegalStatus
    flagged: bool
    message: str
    rule: str
    source: str


@lru_cache(maxsize=1)
def _legal_doc() -> dict[str, Any]:
    return load_json_resource("legal_retention.json")  # type: ignore[no-any-return]


def load_legal_retention() -> dict[str, dict[str, Any]]:
    """Return ``{code: entry}`` from ``resources/legal_retention.json``."""
    return {k: dict(v) for k, v in _legal_doc()["jurisdictions"].items()}


def legal_retention_check(retention_days: float, *, jurisdiction: str) -> LegalCheck:
    """Check ``retention_days`` against the legal minimum/maximum of ``jurisdiction``.

    A design whose capacity-implied retention exceeds a legal maximum is
    flagged (auto-delete must be configured), as is one short of a legal
    minimum (e.g. China's 30 days).
    """
    days = float(_positive("retention_days", retention_days))
    doc = _legal_doc()
    code = str(jurisdiction).strip().upper()
    code = doc.get("aliases", {}).get(code, code)
    table = doc["jurisdictions"]
    if code not in table:
        msg = f"`jurisdiction` must be one of {', '.join(sorted(table))}; got {jurisdiction!r}"
        raise InvalidInputError(msg)
    e = table[code]
    lo, hi = e.get("min_days"), e.get("max_days")
    kind = e.get("kind")
    if kind == "purpose_bound":
        status = LegalStatus.PURPOSE_BOUND
        message = f"{code}: no fixed period in law; retention must be justified by its purpose ({days:.1f} days)"
    elif kind == "unknown":
        status = LegalStatus.UNKNOWN
        message = f"{code}: no retention rule on file; check local law ({days:.1f} days)"
    elif hi is not None and days > hi + 1e-9:
        status = LegalStatus.EXCEEDS_MAXIMUM
        message = (
            f"{code}: {days:.1f} days exceeds the legal maximum of {hi:g} days; configure automatic deletion"
        )
    elif lo is not None and days < lo - 1e-9:
        status = LegalStatus.BELOW_MINIMUM
        message = f"{code}: {days:.1f} days falls short of the legal minimum of {lo:g} days"
    else:
        status = LegalStatus.OK
        message = f"{code}: {days:.1f} days is within the legal limits"
    return LegalCheck(
        jurisdiction=code,
        name=str(e["name"]),
        retention_days=days,
        min_days=None if lo is None else float(lo),
        max_days=None if hi is None else float(hi),
        status=status,
        flagged=status in (LegalStatus.EXCEEDS_MAXIMUM, LegalStatus.BELOW_MINIMUM),
        message=message,
        rule=str(e["rule"]),
        source=str(e["source"]),
    )
