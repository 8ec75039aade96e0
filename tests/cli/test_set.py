"""``planner set PROJECT key=value ...`` and ``planner new --jurisdiction --currency`` (issue 10, item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import workflows
from planner.cli.main import main
from tests.conftest import SAMPLES

SANTIAGO = SAMPLES / "data" / "santiago" / "provincia_santiago_comunas.geojson"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def proj(tmp_path, small_project) -> Path:
    path = tmp_path / "small.gpkg"
    workflows.save(small_project, path)
    return path


def test_set_changes_parameters_and_unit_prices(capsys, proj) -> None:
    code, out, _ = run_cli(capsys, "set", "--json", str(proj), "name=Santiago centro", "jurisdiction=cl",
                           "currency=CLP", "default_resolution=4mp", "default_codec=h265",
                           "default_bitrate_mbps=3.5", "retention_target_days=15", "target_height_m=1.2",
                           "unit_price.pole=1500", "unit_price.fx:CLP=1000")
    assert code == 0
    doc = json.loads(out)
    assert doc["changed"] == ["currency", "default_bitrate_mbps", "default_codec", "default_resolution",
                              "jurisdiction", "name", "retention_target_days", "target_height_m", "unit_prices"]
    p = workflows.open_project(proj)
    assert p.name == "Santiago centro"
    par = p.parameters
    assert (par.jurisdiction, par.currency, par.default_resolution, str(par.default_codec)) == ("CL", "CLP", "4mp",
                                                                                                "h265")
    assert (par.default_bitrate_mbps, par.retention_target_days, par.target_height_m) == (3.5, 15.0, 1.2)
    assert p.metadata["unit_prices"] == {"pole": 1500.0, "fx:CLP": 1000.0}
    # the bill of materials follows: a pole costs 1,500 EUR x 1,000 CLP/EUR
    from planner.analysis.costs import bill_of_materials

    bom = bill_of_materials(p)
    poles = [ln for ln in bom.lines if ln.item == "pole"]
    assert poles and all(ln.unit_price == pytest.approx(1500.0 * 1000.0) for ln in poles)
    # an empty value removes an override; no pairs shows the settings
    assert run_cli(capsys, "set", str(proj), "unit_price.pole=")[0] == 0
    assert workflows.open_project(proj).metadata["unit_prices"] == {"fx:CLP": 1000.0}
    code, out, _ = run_cli(capsys, "set", str(proj))
    assert code == 0 and "Jurisdiction CL" in out and "Currency     CLP" in out


@pytest.mark.parametrize(("pair", "message"), [
    ("azimuth_deg=3", "unknown setting `azimuth_deg`"),
    ("retention_target_days=-3", "`retention_target_days` must be in (0, 3650]"),
    ("target_height_m=12", "`target_height_m` must be in [0, 10]"),
    ("default_bitrate_mbps=fast", "`default_bitrate_mbps` must be a number"),
    ("currency=XYZ", "`currency` must be an ISO 4217 code"),
    ("jurisdiction=ZZ", "`jurisdiction` must be an ISO 3166-1 alpha-2"),
    ("default_codec=divx", "`default_codec` must be one of"),
    ("default_resolution=9k", "`default_resolution` must be one of"),
    ("unit_price.nope=3", "unknown unit price `nope`"),
    ("unit_price.pole=-1", "unit price `pole` must be a finite number >= 0"),
    ("name=", "`name` must not be empty"),
    ("novalue", "expected key=value"),
])
def test_set_refuses_bad_values_and_leaves_the_file_alone(capsys, proj, pair, message) -> None:
    before = proj.read_bytes()
    code, out, err = run_cli(capsys, "set", str(proj), "currency=USD", pair)
    assert code == 2 and out == ""
    assert err.startswith("planner set: error: ") and message in err and len(err.strip().splitlines()) == 1
    assert proj.read_bytes() == before


def test_new_guesses_jurisdiction_and_currency_from_the_country(capsys, tmp_path) -> None:
    out_path = tmp_path / "stgo.gpkg"
    code, out, err = run_cli(capsys, "new", "Santiago", "--boundary", str(SANTIAGO), "--out", str(out_path),
                             "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["parameters"]["jurisdiction"] == "CL" and doc["parameters"]["currency"] == "CLP"
    assert any("jurisdiction CL and currency CLP guessed from the study area's country (Chile" in n
               for n in doc["notes"])


def test_new_takes_jurisdiction_and_currency(capsys, tmp_path, square_geojson) -> None:
    out_path = tmp_path / "m.gpkg"
    code, out, _ = run_cli(capsys, "new", "M", "--boundary", str(square_geojson), "--out", str(out_path),
                           "--currency", "usd", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["parameters"]["currency"] == "USD"  # given
    assert doc["parameters"]["jurisdiction"] == "FR"  # guessed: the square is near Marseille
    assert any(n.startswith("jurisdiction FR guessed") for n in doc["notes"])
    code, _, err = run_cli(capsys, "new", "M2", "--boundary", str(square_geojson), "--out",
                           str(tmp_path / "m2.gpkg"), "--jurisdiction", "France")
    assert code == 2 and "`jurisdiction` must be an ISO 3166-1 alpha-2" in err
    assert not (tmp_path / "m2.gpkg").exists()
