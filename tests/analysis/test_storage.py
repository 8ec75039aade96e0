"""Storage sizing against docs/reference.md §R4, §R5 and test vectors T30–T35, T62 (§R13.2, §R13.4)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis.storage import (
    LegalStatus,
    StorageLayout,
    bytes_per_camera_day,
    capacity_for_retention,
    dahua_mb_per_hour,
    implied_bitrate_mbps,
    implied_bitrate_plan,
    legal_retention_check,
    load_legal_retention,
    raid_efficiency,
    raid_usable,
    retention_days,
    retention_from_capacity,
    smallest_group,
    tb_to_tib,
    usable_fraction,
)
from planner.errors import InvalidInputError


def test_t30_4mbps_one_day_is_43_2_gb_si() -> None:
    assert bytes_per_camera_day(4.0) == 43.2e9
    assert bytes_per_camera_day(1.0) / 1e9 == pytest.approx(10.8)
    assert bytes_per_camera_day(1.0) * 30 / 1e9 == pytest.approx(324.0)


def test_s10_7_never_the_binary_41_2_figure() -> None:
    day = bytes_per_camera_day(4.0)
    assert day / 2**30 == pytest.approx(40.23, abs=0.01)  # GiB, labelled
    assert day / 1e9 != pytest.approx(41.2, abs=0.05)
    assert 4000 * 86400 / (8 * 1024**2) == pytest.approx(41.2, abs=0.01)  # the peer's wrong formula
    assert tb_to_tib(1.0) == pytest.approx(0.9095, abs=1e-4)


def test_duty_cycle_and_alarm_stream() -> None:
    assert bytes_per_camera_day(4.0, duty_cycle=0.5) == pytest.approx(21.6e9)
    assert bytes_per_camera_day(4.0, duty_cycle=0.5, alarm_bitrate_mbps=8.0, alarm_fraction=0.1) == pytest.approx(
        21.6e9 + 8.64e9
    )
    assert bytes_per_camera_day(np.array([1.0, 4.0])) == pytest.approx([10.8e9, 43.2e9])


def test_t31_500_cameras_on_150_tb() -> None:
    assert retention_days(150.0, bitrate_mbps=4.0, cameras=500) == pytest.approx(6.94, abs=0.01)


def test_t32_implied_bitrate() -> None:
    assert implied_bitrate_mbps(150.0, cameras=500, retention_days=8) == pytest.approx(3.47, abs=0.01)


def test_t33_raid6_twelve_by_16_tb_with_and_without_hot_spare() -> None:
    full = raid_usable(6, disks=12, disk_tb=16.0)
    assert full.usable_tb == 160.0
    assert full.raw_tb == 192.0
    spare = raid_usable("raid6", disks=12, disk_tb=16.0, hot_spares=1)
    assert spare.usable_tb == 144.0
    assert spare.raw_tb == 192.0
    assert spare.efficiency == 0.75
    assert raid_usable(6, disks=24, disk_tb=20.0).usable_tb == 440.0


@pytest.mark.parametrize(
    ("level", "disks", "usable"),
    [(0, 4, 64.0), (1, 2, 16.0), (5, 4, 48.0), (6, 6, 64.0), (10, 8, 64.0)],
)
def test_raid_formulas(level: int, disks: int, usable: float) -> None:
    assert raid_usable(level, disks=disks, disk_tb=16.0).usable_tb == usable


def test_raid60_groups_and_efficiency() -> None:
    cap = raid_usable(6, disks=24, disk_tb=10.0, group_size=12)
    assert cap.group_sizes == (12, 12)
    assert cap.usable_tb == 200.0
    assert raid_efficiency(6, group_size=12) == pytest.approx(10 / 12)
    assert usable_fraction(StorageLayout()).value == pytest.approx(10 / 12 * 0.95 * 0.90)


def test_t34_dahua_units_vs_si() -> None:
    assert dahua_mb_per_hour(512) == 225.0
    assert 512e3 / 8 * 3600 / 1e6 == pytest.approx(230.4)


def test_marseille_published_design() -> None:
    # 1,000 cameras at 4 Mb/s on two 150 TB centres (500 each)
    centre = retention_from_capacity(150.0, bitrate_mbps=4.0, cameras=500, usable_fraction=0.75)
    assert centre.retention_days_raw == pytest.approx(6.94, abs=0.01)
    assert centre.retention_days == pytest.approx(5.2, abs=0.05)
    # one 300 TB centre with all 1,000: the same
    central = retention_from_capacity(300.0, bitrate_mbps=4.0, cameras=1000, usable_fraction=0.75)
    assert central.retention_days_raw == pytest.approx(centre.retention_days_raw)
    assert central.retention_days == pytest.approx(centre.retention_days)
    # 2,000 cameras halve it
    doubled = retention_from_capacity(300.0, bitrate_mbps=4.0, cameras=2000, usable_fraction=0.75)
    assert doubled.retention_days_raw == pytest.approx(centre.retention_days_raw / 2)
    # Marseille says recordings are "consultables pendant huit jours": 8 days on 150 TB implies 3.47 Mb/s raw
    assert implied_bitrate_mbps(150.0, cameras=500, retention_days=8) == pytest.approx(3.47, abs=0.01)


def test_capacity_for_retention_counts_whole_groups_and_spares() -> None:
    plan = capacity_for_retention(
        30, bitrate_mbps=4.0, cameras=1000, layout=StorageLayout(hot_spares=1)
    )
    assert plan.video_tb == pytest.approx(1296.0)
    keep = 0.95 * 0.90
    # by hand: 1296 / 0.855 / 16 = 94.74 -> 95 data disks = 9 groups of 12 (10 data each) + a last
    # group of 5 data + 2 parity = 7 disks; 108 + 7 + 1 spare = 116 disks (not 10 x 12 + 1 = 121)
    assert plan.raid_groups == (12,) * 9 + (7,)
    assert plan.disks == 116
    assert plan.usable_fraction.raid_efficiency == pytest.approx(95 / 115)
    assert plan.raw_tb == pytest.approx(1296.0 / (95 / 115 * keep))
    assert plan.installed_usable_tb >= plan.video_tb


@pytest.mark.parametrize(
    ("raid", "group", "disks", "groups"),
    [
        # 50 cameras x 4 Mb/s x 30 days = 64.8 TB of video; / (0.95 x 0.90) = 75.79 TB = 4.74 -> 5 data disks
        ("0", 12, 5, (5,)),  # RAID 0: the data disks alone (was 12)
        ("6", 12, 7, (7,)),  # RAID 6: 5 + 2 parity (was 12)
        ("5", 12, 6, (6,)),  # RAID 5: 5 + 1 parity
        ("10", 12, 10, (10,)),  # RAID 10: 5 mirrored pairs
        ("6", 4, 12, (4, 4, 4)),  # RAID 6 in groups of 4 (2 data each): 2 + 2 + 1 data; last 1 + 2 -> minimum 4
    ],
)
def test_last_raid_group_is_sized_to_what_is_needed(raid: str, group: int, disks: int, groups: tuple[int, ...]) -> None:
    plan = capacity_for_retention(
        30, bitrate_mbps=4.0, cameras=50, layout=StorageLayout(raid_level=raid, raid_group_size=group)
    )
    assert plan.video_tb == pytest.approx(64.8)
    assert plan.raid_groups == groups
    assert plan.disks == disks
    assert plan.installed_usable_tb >= plan.video_tb


def test_smallest_group_per_level() -> None:
    assert [smallest_group(lv, 1) for lv in ("0", "1", "5", "6", "10")] == [1, 2, 3, 4, 4]
    assert [smallest_group(lv, 5) for lv in ("0", "5", "6", "10")] == [5, 6, 7, 10]
    with pytest.raises(InvalidInputError):
        smallest_group("1", 2)


def test_implied_bitrate_plan_without_a_bitrate() -> None:
    # T32 by hand: 150e12 B x 8 / (500 x 86 400 s x 8 d) = 3.472 Mb/s raw; x 0.7125 usable = 2.474 Mb/s
    plan = implied_bitrate_plan(150.0, cameras=500, retention_days=8, layout=StorageLayout())
    assert plan.implied_bitrate_mbps_raw == pytest.approx(3.4722, abs=1e-4)
    assert plan.implied_bitrate_mbps == pytest.approx(3.4722 * 0.7125, abs=1e-4)
    assert plan.usable_tb == pytest.approx(106.875)


def test_capacity_with_usable_fraction_override_uses_section_2_4_formula() -> None:
    plan = capacity_for_retention(30, bitrate_mbps=4.0, cameras=1000, usable_fraction=0.75, layout=StorageLayout())
    assert plan.raw_tb == pytest.approx(1728.0)
    assert plan.disks == 108


def test_retention_with_hot_spares_counts_disks() -> None:
    plan = retention_from_capacity(
        192.0, bitrate_mbps=4.0, cameras=100, layout=StorageLayout(hot_spares=1, fs_reserve=0, growth_margin=0,
                                                                   raid_group_size=None)
    )
    assert plan.usable_tb == pytest.approx(144.0)


@pytest.mark.parametrize(
    ("code", "days", "status"),
    [
        ("FR", 31, LegalStatus.EXCEEDS_MAXIMUM),
        ("FR", 30, LegalStatus.OK),
        ("IT", 8, LegalStatus.EXCEEDS_MAXIMUM),
        ("IT", 7, LegalStatus.OK),
        ("LU", 9, LegalStatus.EXCEEDS_MAXIMUM),
        ("ES", 30, LegalStatus.OK),
        ("BE", 45, LegalStatus.EXCEEDS_MAXIMUM),
        ("CN", 29, LegalStatus.BELOW_MINIMUM),
        ("CN", 30, LegalStatus.OK),
        ("DE", 3, LegalStatus.PURPOSE_BOUND),
        ("uk", 31, LegalStatus.PURPOSE_BOUND),
        ("UY", 10, LegalStatus.UNKNOWN),
        ("BO", 10, LegalStatus.UNKNOWN),
    ],
)
def test_legal_retention(code: str, days: float, status: LegalStatus) -> None:
    chk = legal_retention_check(days, jurisdiction=code)
    assert chk.status is status
    assert chk.flagged == (status in (LegalStatus.EXCEEDS_MAXIMUM, LegalStatus.BELOW_MINIMUM))
    assert chk.source


def test_legal_table_values() -> None:
    t = load_legal_retention()
    assert (t["FR"]["max_days"], t["IT"]["max_days"], t["LU"]["max_days"]) == (30, 7, 8)
    assert (t["ES"]["max_days"], t["BE"]["max_days"], t["CN"]["min_days"]) == (30, 30, 30)
    assert t["DE"]["max_days"] is None and t["UK"]["min_days"] is None
    assert all(e["source"] for e in t.values())


@pytest.mark.parametrize(
    "call",
    [
        lambda: bytes_per_camera_day(0),
        lambda: bytes_per_camera_day(-4),
        lambda: bytes_per_camera_day(4, duty_cycle=1.5),
        lambda: retention_days(0, bitrate_mbps=4, cameras=10),
        lambda: retention_days(150, bitrate_mbps=4, cameras=0),
        lambda: retention_days(150, bitrate_mbps=4, cameras=2.5),
        lambda: retention_days(150, bitrate_mbps=4, cameras=10, usable_fraction=0),
        lambda: implied_bitrate_mbps(150, cameras=10, retention_days=0),
        lambda: raid_usable(5, disks=2, disk_tb=16),
        lambda: raid_usable(6, disks=3, disk_tb=16),
        lambda: raid_usable(6, disks=4, disk_tb=16, hot_spares=1),
        lambda: raid_usable(10, disks=5, disk_tb=16),
        lambda: raid_usable(7, disks=8, disk_tb=16),
        lambda: raid_usable(6, disks=14, disk_tb=16, group_size=12),  # leftover group of 2
        lambda: raid_usable(6, disks=12, disk_tb=0),
        lambda: StorageLayout(fs_reserve=1.0),
        lambda: StorageLayout(raid_level=6, raid_group_size=3),
        lambda: legal_retention_check(10, jurisdiction="XX"),
        lambda: legal_retention_check(-1, jurisdiction="FR"),
        lambda: capacity_for_retention(0, bitrate_mbps=4, cameras=1),
    ],
)
def test_bad_input_raises(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match="`"):
        call()
