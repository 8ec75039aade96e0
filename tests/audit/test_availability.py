"""Availability: coverage left with cameras out of service, against independent coverage runs."""

from __future__ import annotations

import json

import pytest

from planner.analysis.coverage import run_coverage
from planner.audit.availability import (
    AvailabilityParams,
    availability,
    parse_out_of_service,
)
from planner.errors import InvalidInputError, OutOfRangeError


def _two_apart(small_project):
    p = small_project.snapshot()
    return p  # cameras 500 m and 1 500 m from the corner: 1.4 km apart, footprints never overlap


def test_named_camera_out_leaves_the_other_cameras_coverage(small_project) -> None:
    p = _two_apart(small_project)
    full = run_coverage(p)
    only_b = p.snapshot()
    only_b.remove_nodes(["cam-0001"])
    ref = run_coverage(only_b).summary()  # an independent run with camera A removed from the project
    doc = availability(full, AvailabilityParams(ids=("cam-0001",)))
    for lv, c in doc["city"].items():
        assert c["mean_km2"] == pytest.approx(ref["city"][lv]["day_km2"], abs=1e-12)
        assert c["all_in_service_km2"] == pytest.approx(full.summary()["city"][lv]["day_km2"], abs=1e-12)
    for d, r in zip(doc["districts"], ref["districts"], strict=True):
        assert d["levels"]["monitor"]["mean_km2"] == pytest.approx(r["day_km2"]["monitor"], abs=1e-12)


def test_random_share_mean_and_percentiles(small_project) -> None:
    p = _two_apart(small_project)
    full = run_coverage(p)
    a = full.camera_areas_m2("cam-0001")["monitor"] / 1e6
    b = full.camera_areas_m2("cam-0002")["monitor"] / 1e6
    doc = availability(full, AvailabilityParams(share=0.5, draws=200, seed=7))
    c = doc["city"]["monitor"]
    assert doc["out_of_service_count"] == 1
    # each draw keeps exactly one of the two cameras (no overlap, both inside the area): A or B
    assert min(a, b) - 1e-12 <= c["p5_km2"] <= c["p95_km2"] <= max(a, b) + 1e-12
    assert c["mean_km2"] == pytest.approx((a + b) / 2, rel=0.15)  # 200 fair coin flips
    again = availability(full, AvailabilityParams(share=0.5, draws=200, seed=7))
    assert json.dumps(again) == json.dumps(doc)  # fixed seed: the same draws
    none_out = availability(full, AvailabilityParams(share=0.0, draws=3))
    assert none_out["city"]["monitor"]["mean_km2"] == pytest.approx(a + b, abs=1e-12)


def test_parse_and_validate() -> None:
    assert parse_out_of_service("0.47") == (0.47, ())
    assert parse_out_of_service("47%") == (0.47, ())
    assert parse_out_of_service("cam-0001, cam-0003") == (None, ("cam-0001", "cam-0003"))
    with pytest.raises(OutOfRangeError):
        AvailabilityParams(share=1.2)
    with pytest.raises(OutOfRangeError):
        AvailabilityParams(share=0.5, draws=0)


def test_unknown_id_is_refused(small_project) -> None:
    with pytest.raises(InvalidInputError, match="cam-9999"):
        availability(run_coverage(small_project), AvailabilityParams(ids=("cam-9999",)))


@pytest.mark.slow
def test_cochabamba_47_percent_out_of_service(capsys: pytest.CaptureFixture[str]) -> None:
    """The 2024 state: about 250 of 528 cameras out of service (47 %), on the 420-camera sample."""
    from planner.cli.main import main

    assert main(["coverage", "sample_projects/cochabamba.gpkg", "--no-save", "--out-of-service", "0.47",
                 "--draws", "50", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    av = doc["availability"]
    assert av["devices"] == 420 and av["out_of_service_count"] == round(0.47 * 420) == 197 and av["draws"] == 50
    c = av["city"]["monitor"]
    assert c["all_in_service_km2"] == pytest.approx(doc["city"]["monitor"]["day_km2"], abs=1e-9)
    assert c["p5_km2"] <= c["mean_km2"] <= c["p95_km2"]
    # overlap only makes the loss smaller than the share: at least 223/420 = 53.1 % of the area remains
    assert c["remaining_share"] >= 223 / 420 - 0.01
    assert c["remaining_share"] < 0.65
    assert len(av["districts"]) == len(doc["districts"])


def test_coverage_cli_with_named_cameras_out(small_project, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from planner import workflows
    from planner.cli.main import main

    f = tmp_path / "p.gpkg"
    workflows.save(small_project, f)
    assert main(["coverage", str(f), "--no-save", "--out-of-service", "cam-0002", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    av = doc["availability"]
    assert av["out_of_service"] == ["cam-0002"] and av["draws"] == 1
    a = run_coverage(small_project).camera_areas_m2("cam-0001")["monitor"] / 1e6  # camera A alone
    assert av["city"]["monitor"]["mean_km2"] == pytest.approx(a, abs=1e-12)
    assert main(["coverage", str(f), "--no-save", "--out-of-service", "cam-9"]) == 2
    assert "cam-9" in capsys.readouterr().err
    assert main(["coverage", str(f), "--no-save", "--out-of-service", "1.5"]) == 2
