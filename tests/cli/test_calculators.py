"""`planner storage` and `planner pathloss` calculators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict | None, str]:  # type: ignore[type-arg]
    code = main(list(argv))
    out, err = capsys.readouterr()
    data = json.loads(out) if code == 0 and "--json" in argv else None
    return code, data, err


def test_storage_retention_from_capacity_marseille(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = _run(
        capsys, "storage", "--cameras", "500", "--bitrate-mbps", "4", "--capacity-tb", "150",
        "--usable-fraction", "0.75", "--jurisdiction", "FR", "--json",
    )
    assert code == 0 and data is not None
    assert data["gb_per_camera_day"] == pytest.approx(43.2)
    assert data["capacity"]["retention_days_raw"] == pytest.approx(6.94, abs=0.01)
    assert data["capacity"]["retention_days"] == pytest.approx(5.21, abs=0.01)
    assert data["legal"]["status"] == "ok"


def test_storage_implied_bitrate_and_legal_minimum(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = _run(
        capsys, "storage", "--cameras", "500", "--bitrate-mbps", "4", "--capacity-tb", "150",
        "--retention-days", "8", "--usable-fraction", "1", "--jurisdiction", "CN", "--json",
    )
    assert code == 0 and data is not None
    assert data["implied_bitrate_mbps"] == pytest.approx(3.47, abs=0.01)
    assert data["legal"]["status"] == "below_minimum" and data["legal"]["flagged"]
    assert "minimum" in err


def test_storage_capacity_for_retention_with_layout(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = _run(
        capsys, "storage", "--cameras", "1000", "--bitrate-mbps", "4", "--retention-days", "30", "--raid", "6",
        "--raid-group-size", "12", "--disk-tb", "16", "--hot-spares", "1", "--fs-reserve", "0.05",
        "--growth-margin", "0.1", "--json",
    )
    assert code == 0 and data is not None
    req = data["requirement"]
    assert req["video_tb"] == pytest.approx(1296.0)
    # 1296 / 0.855 / 16 = 94.7 -> 95 data disks: 9 groups of 12 + a last group of 5 + 2 parity, + 1 spare
    assert req["usable_fraction"] == pytest.approx(95 / 115 * 0.95 * 0.9)
    assert req["raw_tb"] == pytest.approx(1296.0 / (95 / 115 * 0.95 * 0.9))
    assert req["disks"] == 9 * 12 + 7 + 1
    assert req["raid_groups"] == [12] * 9 + [7] and req["raid_group_count"] == 10
    assert req["factors"]["fs_reserve"] == 0.05


def test_storage_implied_bitrate_needs_no_bitrate(capsys: pytest.CaptureFixture[str]) -> None:
    # issue 10 item 10; T32 by hand: 150e12 x 8 / (500 x 86 400 x 8) = 3.47 Mb/s raw, x 0.7125 = 2.47 Mb/s
    code, data, _ = _run(capsys, "storage", "--cameras", "500", "--capacity-tb", "150", "--retention-days", "8",
                         "--json")
    assert code == 0 and data is not None
    assert data["bitrate_mbps"] is None
    assert data["implied_bitrate_mbps_raw"] == pytest.approx(3.472, abs=0.001)
    assert data["implied_bitrate_mbps"] == pytest.approx(2.474, abs=0.001)
    assert main(["storage", "--cameras", "500", "--capacity-tb", "150", "--retention-days", "8"]) == 0
    assert "2.47 Mb/s per camera" in capsys.readouterr().out


def test_storage_disks_for_small_raid0_and_raid6(capsys: pytest.CaptureFixture[str]) -> None:
    # 50 x 4 Mb/s x 30 d = 64.8 TB; / 0.855 / 16 TB = 4.74 -> 5 data disks: RAID 0 5 disks, RAID 6 5 + 2 = 7
    for raid, disks in (("0", 5), ("6", 7)):
        code, data, _ = _run(capsys, "storage", "--cameras", "50", "--bitrate-mbps", "4", "--retention-days", "30",
                             "--raid", raid, "--json")
        assert code == 0 and data is not None
        assert data["requirement"]["disks"] == disks
        assert data["requirement"]["raid_groups"] == [disks]


def test_storage_from_table_bitrate_and_legal_maximum(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = _run(
        capsys, "storage", "--cameras", "10", "--resolution", "1080p", "--codec", "h264", "--capacity-tb", "100",
        "--usable-fraction", "1", "--jurisdiction", "IT", "--json",
    )
    assert code == 0 and data is not None
    assert data["bitrate_mbps"] == 4.0
    assert data["capacity"]["retention_days"] == pytest.approx(100e12 / (10 * 43.2e9))
    assert data["legal"]["status"] == "exceeds_maximum"


def test_storage_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["storage", "--cameras", "500", "--bitrate-mbps", "4", "--capacity-tb", "150"]) == 0
    assert "6.94 days raw" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["--cameras", "0", "--bitrate-mbps", "4", "--capacity-tb", "150"],
        ["--cameras", "10", "--bitrate-mbps", "0", "--capacity-tb", "150"],
        ["--cameras", "10", "--bitrate-mbps", "-4", "--capacity-tb", "150"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--capacity-tb", "0"],
        ["--cameras", "10", "--bitrate-mbps", "4"],
        ["--cameras", "10", "--capacity-tb", "100"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--resolution", "1080p", "--codec", "h264", "--capacity-tb", "9"],
        ["--cameras", "10", "--resolution", "9k", "--codec", "h264", "--capacity-tb", "9"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--retention-days", "30", "--raid", "6", "--raid-group-size", "3"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--retention-days", "30", "--raid", "7"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--retention-days", "30", "--usable-fraction", "1.5"],
        ["--cameras", "10", "--bitrate-mbps", "4", "--retention-days", "30", "--jurisdiction", "XX"],
    ],
)
def test_storage_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = _run(capsys, "storage", *argv)
    assert code == 2
    assert err.count("\n") == 1 and "error:" in err


@pytest.mark.parametrize(
    ("argv", "expected", "tol"),
    [
        (["--model", "fspl", "--freq-mhz", "1800", "--distance-km", "1"], 97.56, 0.01),
        (["--model", "hata", "--freq-mhz", "869", "--distance-km", "2", "--tx-height-m", "30", "--rx-height-m", "1",
          "--environment", "open"], 109.52, 0.01),
        (["--model", "hata", "--freq-mhz", "869", "--distance-km", "2", "--tx-height-m", "30", "--rx-height-m", "1",
          "--environment", "urban-large"], 137.93, 0.01),
        (["--model", "cost231", "--freq-mhz", "1800", "--distance-km", "2", "--tx-height-m", "30", "--rx-height-m",
          "1.5", "--environment", "metropolitan"], 149.80, 0.01),
        (["--model", "cost231", "--freq-mhz", "1800", "--distance-km", "3", "--tx-height-m", "35", "--rx-height-m",
          "6", "--environment", "metropolitan"], 141.91, 0.01),
        (["--model", "uma", "--freq-mhz", "5000", "--distance-km", "1", "--tx-height-m", "25", "--rx-height-m", "1.5",
          "--environment", "nlos"], 144.7641, 0.05),
        (["--model", "umi", "--freq-mhz", "5000", "--distance-km", "0.1", "--tx-height-m", "10", "--rx-height-m",
          "1.5", "--environment", "los"], 88.4122, 0.05),
        (["--model", "itm", "--freq-mhz", "10000", "--distance-km", "10", "--tx-height-m", "3", "--rx-height-m", "3",
          "--terrain-irregularity-m", "0", "--time-pct", "90"], 147.0, 0.05),
    ],
)
def test_pathloss_vectors(capsys: pytest.CaptureFixture[str], argv: list[str], expected: float, tol: float) -> None:
    code, data, _ = _run(capsys, "pathloss", *argv, "--json")
    assert code == 0 and data is not None
    assert data["loss_db"] == pytest.approx(expected, abs=tol)
    assert data["model"] == argv[1]
    assert data["inputs"]["freq_mhz"] == float(argv[3])
    assert isinstance(data["validity"], str) and data["validity"]


def test_pathloss_itm_profile_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.analysis.test_radio import NTIA_PFL

    csv = tmp_path / "pfl.csv"
    csv.write_text("distance_m,elevation_m\n" + "".join(f"{i * 25.6},{z}\n" for i, z in enumerate(NTIA_PFL)))
    code, data, _ = _run(
        capsys, "pathloss", "--model", "itm", "--freq-mhz", "3500", "--tx-height-m", "15", "--rx-height-m", "3",
        "--profile-file", str(csv), "--json",
    )
    assert code == 0 and data is not None
    assert data["inputs"]["distance_km"] == pytest.approx(3.635, abs=0.001)
    # mdvar defaults to 1 (accidental) in point-to-point mode, as NTIA's example
    assert data["loss_db"] == pytest.approx(114.5, abs=0.05)


def test_pathloss_itm_qkpfl_profile_rounded_to_the_metre(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.analysis.test_radio import CRYSTAL_PALACE_MURSLEY

    csv = tmp_path / "crystal_palace_mursley.csv"  # distances rounded to the metre: steps of 498 and 499 m
    csv.write_text("distance_m,elevation_m\n" + "".join(
        f"{round(i * 77_800 / 156)},{z}\n" for i, z in enumerate(CRYSTAL_PALACE_MURSLEY)))
    code, data, _ = _run(
        capsys, "pathloss", "--model", "itm", "--freq-mhz", "41.5", "--tx-height-m", "143.9", "--rx-height-m", "8.5",
        "--profile-file", str(csv), "--polarization", "horizontal", "--surface-refractivity-ns", "314",
        "--climate", "5", "--ground", "average", "--mdvar", "12", "--time-pct", "99", "--confidence-pct", "90",
        "--json",
    )
    assert code == 0 and data is not None
    assert data["loss_db"] == pytest.approx(148.4, abs=0.06)  # NTIA QKPFL test 1, reliability 99 %, confidence 90 %
    assert data["itm"]["mode"] == "diffraction" and data["itm"]["path_type"] == "double_horizon"
    assert not data["itm"]["profile_resampled"]
    assert data["inputs"]["itm"]["polarization"] == "horizontal" and data["inputs"]["itm"]["mdvar"] == 12
    assert data["inputs"]["itm"]["surface_refractivity_ns"] == 314
    # N0 = 314 scaled by the path's mean elevation instead gives Ns < 314 and a different loss
    code, data2, _ = _run(
        capsys, "pathloss", "--model", "itm", "--freq-mhz", "41.5", "--tx-height-m", "143.9", "--rx-height-m", "8.5",
        "--profile-file", str(csv), "--polarization", "horizontal", "--refractivity-n0", "314", "--mdvar", "12",
        "--time-pct", "99", "--confidence-pct", "90", "--json",
    )
    assert code == 0 and data2 is not None and data2["itm"]["surface_refractivity_ns"] < 314
    # --location-pct in point-to-point mode (mdvar 12 removes location variability) is refused, not ignored
    code, _, err = _run(
        capsys, "pathloss", "--model", "itm", "--freq-mhz", "41.5", "--tx-height-m", "143.9", "--rx-height-m", "8.5",
        "--profile-file", str(csv), "--mdvar", "12", "--location-pct", "90",
    )
    assert code == 2 and "`--location-pct`" in err


def test_pathloss_outside_range_warns_unless_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = _run(
        capsys, "pathloss", "--model", "hata", "--freq-mhz", "400", "--distance-km", "0.3", "--rx-height-m", "6",
        "--json",
    )
    assert code == 0 and data is not None and data["extrapolated"]
    assert "extrapolated" in err
    # ns-3's COST-231 vector at 2114 MHz (outside 1500-2000): computed, warned in the JSON and on stderr
    code, data, err = _run(capsys, "pathloss", "--model", "cost231", "--freq-mhz", "2114", "--distance-km", "2",
                           "--tx-height-m", "30", "--rx-height-m", "1", "--json")
    assert code == 0 and data is not None
    assert data["loss_db"] == pytest.approx(150.64, abs=0.1)
    assert data["warnings"] and "freq_mhz" in data["warnings"][0] and "freq_mhz" in err
    code, _, err = _run(capsys, "pathloss", "--model", "cost231", "--freq-mhz", "2114", "--distance-km", "2",
                        "--tx-height-m", "30", "--rx-height-m", "1", "--strict")
    assert code == 2 and "freq_mhz" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "hata", "--freq-mhz", "3500", "--distance-km", "2", "--strict"],
        ["--model", "hata", "--freq-mhz", "400", "--distance-km", "0.2", "--strict"],
        ["--model", "itm", "--freq-mhz", "400", "--distance-km", "10", "--location-pct", "10", "--mdvar", "1"],
        ["--model", "hata", "--freq-mhz", "400", "--distance-km", "2", "--mdvar", "3"],  # itm only
        ["--model", "fspl", "--freq-mhz", "0", "--distance-km", "2"],
        ["--model", "fspl", "--freq-mhz", "1800", "--distance-km", "-1"],
        ["--model", "cost231", "--freq-mhz", "1800", "--distance-km", "2", "--environment", "open"],
        ["--model", "uma", "--freq-mhz", "3500", "--distance-km", "1", "--environment", "urban"],
        ["--model", "itm", "--freq-mhz", "5", "--distance-km", "10"],
        ["--model", "hata", "--freq-mhz", "400"],
        ["--model", "hata", "--freq-mhz", "400", "--profile-file", "nope.csv"],
    ],
)
def test_pathloss_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = _run(capsys, "pathloss", *argv)
    assert code == 2
    assert err.count("\n") == 1 and "error:" in err
