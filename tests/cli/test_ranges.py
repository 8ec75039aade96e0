"""Every CLI number has a plausible range; work is bounded before it starts (issue 11.12)."""

from __future__ import annotations

import pytest

from planner.cli import ranges
from planner.cli.main import build_parser, main


@pytest.mark.parametrize(("argv", "option"), [
    (["storage", "--cameras", "10000000000", "--bitrate-mbps", "4", "--capacity-tb", "150"], "--cameras"),
    (["storage", "--cameras", str(10**18), "--bitrate-mbps", "4", "--capacity-tb", "150"], "--cameras"),
    (["storage", "--cameras", "100", "--bitrate-mbps", "4", "--retention-days", "1e308"], "--retention-days"),
    (["storage", "--cameras", "100", "--bitrate-mbps", "4", "--capacity-tb", "1e308"], "--capacity-tb"),
    (["storage", "--cameras", "100", "--bitrate-mbps", "nan", "--capacity-tb", "150"], "--bitrate-mbps"),
    (["optics", "--width-px", "100000000000000000000", "--sensor-width-mm", "5.6", "--focal-mm", "2.8"],
     "--width-px"),
    (["viewshed", "--dem", "x.tif", "--at", "1,2", "--observer-height-m", "6", "--max-distance-m", "500",
      "--resolution-m", "0.01"], "--resolution-m"),
    (["coverage", "p.gpkg", "--workers", "-3"], "--workers"),
    (["coverage", "p.gpkg", "--resolution-m", "0.01"], "--resolution-m"),
    (["pathloss", "--model", "fspl", "--freq-mhz", "inf", "--distance-km", "1"], "--freq-mhz"),
])
def test_out_of_range_numbers_are_one_line_exit_2(argv, option, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"`{option}`" in err[0] and "Traceback" not in err[0]


def test_work_is_estimated_and_refused_with_the_figure(capsys) -> None:
    # 50 km at 0.1 m: a 1,000,001-cell square grid, about 8.4 TiB: refused before the DEM is even opened
    argv = ["viewshed", "--dem", "missing.tif", "--at", "1,2", "--observer-height-m", "6",
            "--max-distance-m", "50000", "--resolution-m", "0.1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    side = 2 * 50000 / 0.1 + 1
    assert f"{side * side * 9 / 1024**3:,.0f} GiB" in err and "missing.tif" not in err


def test_every_range_is_documented_in_help() -> None:
    parser, _ = build_parser()
    sub = {a.dest: a for a in parser._actions}["command"].choices
    for command, table in ranges.RANGES.items():
        if command not in sub:
            continue
        helps = {a.dest: a.help or "" for a in sub[command]._actions}
        for dest, rng in table.items():
            if dest in helps:
                assert f"[range {rng.text()}]" in helps[dest].replace("%%", "%"), (command, dest)


def test_ranges_admit_the_readme_examples(capsys) -> None:
    assert main(["storage", "--cameras", "1000", "--bitrate-mbps", "4", "--capacity-tb", "300"]) == 0
    assert main(["optics", "--sensor-width-mm", "5.6", "--focal-mm", "2.8", "--width-px", "1920"]) == 0
