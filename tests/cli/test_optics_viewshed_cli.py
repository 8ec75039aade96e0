"""CLI: ``planner optics`` and ``planner viewshed``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from affine import Affine

from planner.cli.main import main

SRTM = Path(__file__).resolve().parents[2] / "sample_projects" / "data" / "marseille" / "srtm3_N43E005.hgt.zip"


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_optics_json_t24_t26(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["optics", "--sensor-width-mm", "5.6", "--focal-mm", "2.8", "--width-px", "1920",
               "--sensor-height-mm", "3.15", "--height-px", "1080", "--json"])
    assert rc == 0
    d = _json(capsys)
    assert d["hfov_deg"] == pytest.approx(90.0, abs=0.1)
    assert d["vfov_deg"] == pytest.approx(58.7, abs=0.1)
    assert d["focal_px"] == pytest.approx(960.0)
    assert set(d["range_m"]) == {"monitor", "detect", "observe", "recognise", "identify", "validate"}
    assert d["range_m"]["identify"] == pytest.approx(3.84, abs=0.01)


def test_optics_hfov_override_and_camera_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optics", "--width-px", "3840", "--hfov-deg", "30", "--json"]) == 0
    d = _json(capsys)
    assert d["range_m"]["detect"] == pytest.approx(286.6, abs=0.1)
    assert d["vfov_deg"] is None
    assert main(["optics", "--camera-type", "bullet-1080p-vf-2.8-12", "--focal-mm", "12", "--json"]) == 0
    d = _json(capsys)
    assert d["hfov_deg"] == pytest.approx(26.3, abs=0.1) and d["camera_type"]["kind"] == "bullet"
    assert main(["optics", "--optical-format", '1/2.8"', "--aspect", "16:9", "--focal-mm", "2.8",
                 "--width-px", "1920"]) == 0
    assert "HFOV 90.0" in capsys.readouterr().out


def test_optics_vfov_deg_keeps_the_datasheet_pair(capsys: pytest.CaptureFixture[str]) -> None:
    # 2.8 mm 4 MP datasheet 106.4° x 57.9°; without --vfov-deg the rectilinear derivation gives
    # 2 atan(tan 53.2° x 1440 / 2560) = 73.9° and says so
    assert main(["optics", "--width-px", "2560", "--height-px", "1440", "--hfov-deg", "106.4", "--vfov-deg", "57.9",
                 "--json"]) == 0
    d = _json(capsys)
    assert d["vfov_deg"] == pytest.approx(57.9) and d["vfov_basis"] == "datasheet"
    assert -0.7 < d["lens_mapping"]["k"] < -0.45
    assert main(["optics", "--width-px", "2560", "--height-px", "1440", "--hfov-deg", "106.4", "--json"]) == 0
    d2 = _json(capsys)
    assert d2["vfov_deg"] == pytest.approx(73.9, abs=0.05) and "rectilinear" in d2["vfov_basis"]
    # the library's datasheet angles come through a camera type
    assert main(["optics", "--camera-type", "bullet-4mp-2.8", "--json"]) == 0
    d3 = _json(capsys)
    assert (d3["hfov_deg"], d3["vfov_deg"]) == pytest.approx((98.0, 54.0))


@pytest.mark.parametrize(
    "argv",
    [
        ["optics", "--width-px", "1920", "--vfov-deg", "50"],
        ["optics", "--width-px", "1920", "--hfov-deg", "0"],
        ["optics", "--width-px", "1920", "--hfov-deg", "360"],
        ["optics", "--width-px", "1920", "--sensor-width-mm", "5.6", "--focal-mm", "0"],
        ["optics", "--width-px", "1920"],
        ["optics", "--camera-type", "no-such-camera"],
        ["optics", "--camera-type", "bullet-1080p-vf-2.8-12", "--focal-mm", "50"],
    ],
)
def test_optics_bad_input_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err


@pytest.fixture()
def dsm_tif(tmp_path: Path) -> Path:
    from planner.io.raster import write_geotiff

    z = np.zeros((101, 101), dtype=np.float32)
    z[30:71, 70] = 15.0  # a wall east of the centre
    p = tmp_path / "dsm.tif"
    write_geotiff(p, z, transform=Affine(2.0, 0, 600_000.0, 0, -2.0, 4_800_000.0), crs="EPSG:32631", nodata=float("nan"))
    return p


def test_viewshed_writes_geotiff(dsm_tif: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import rasterio

    out = tmp_path / "vs.tif"
    rc = main(["viewshed", "--dem", str(dsm_tif), "--at", "600101,4799899", "--observer-height-m", "2",
               "--target-height-m", "1.6", "--max-distance-m", "80", "--out", str(out), "--json"])
    assert rc == 0
    d = _json(capsys)
    assert d["observer_rc"] == [50, 50]
    assert 0 < d["visible_cells"] < d["analysed_cells"]
    assert d["visible_area_m2"] == pytest.approx(d["visible_cells"] * 4.0)
    with rasterio.open(out) as src:
        assert src.dtypes[0] == "uint8" and src.nodata == 255 and src.shape == (101, 101)
        v = src.read(1)
    assert v[0, 0] == 255 and v[50, 50] == 1 and v[50, 80] == 0 and v[50, 20] == 1
    assert int((v == 1).sum()) == d["visible_cells"]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--dem", "MISSING.tif", "--at", "600101,4799899"], "does not exist"),
        (["--at", "0,0"], "outside"),
        (["--at", "600101"], "X,Y"),
        (["--at", "600101,4799899", "--observer-height-m=-1"], "observer-height"),
        (["--at", "600101,4799899", "--max-distance-m", "0"], "max-distance"),
        (["--at", "600101,4799899", "--target-height-m=-3"], "target-height"),
    ],
)
def test_viewshed_bad_input_exit_2(
    extra: list[str], needle: str, dsm_tif: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["viewshed", "--dem", str(dsm_tif), "--observer-height-m", "2", "--max-distance-m", "50", *extra]
    assert main(argv) == 2
    assert needle in capsys.readouterr().err


def test_viewshed_srtm_zip_with_crs(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["viewshed", "--dem", str(SRTM), "--at", "692280,4795740", "--observer-height-m", "10",
            "--target-height-m", "1.6", "--max-distance-m", "2000", "--json"]
    assert main(argv) == 2  # geographic DEM without --crs
    assert "projected" in capsys.readouterr().err
    assert main([*argv, "--crs", "EPSG:32631", "--resolution-m", "30"]) == 0
    d = _json(capsys)
    assert d["crs"] == "EPSG:32631" and d["visible_cells"] > 0
