"""Register reader: encodings, delimiters, coordinate columns in several languages, directions, rejected rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.audit.register import (
    decode_text,
    parse_point,
    read_register,
    sniff_delimiter,
)
from planner.errors import InvalidInputError
from planner.io.osm import mount_kind, parse_direction

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("text, looks, width", [
    ("90", (90.0,), None), ("90°", (90.0,), None), ("-10", (350.0,), None), ("NNE", (22.5,), None),
    ("w", (270.0,), None), ("90-270", (180.0,), 180.0), ("350-10", (0.0,), 20.0), ("N;S", (0.0, 180.0), None),
    ("N/S", (0.0, 180.0), None), ("0,180", (0.0, 180.0), None), ("sud-ouest", (225.0,), None),
    ("Noroeste", (315.0,), None),
    # monitored approaches: the traffic's direction; the camera faces it (opposite)
    ("NB", (180.0,), None), ("N/B", (180.0,), None), ("NORTHBOUND", (180.0,), None), ("West Bound", (90.0,), None),
    ("", (), None), ("n/a", (), None),
])
def test_parse_direction(text: str, looks: tuple[float, ...], width: float | None) -> None:
    got, w = parse_direction(text)
    assert got == pytest.approx(looks)
    assert w == width


def test_approach_column_flips_plain_directions() -> None:
    assert parse_direction("N", travel=True)[0] == (180.0,)
    assert parse_direction("EB", travel=True)[0] == (270.0,)  # a bound form is flipped once, not twice


def test_unparseable_direction_raises() -> None:
    with pytest.raises(ValueError, match="bogus"):
        parse_direction("bogus")


@pytest.mark.parametrize("value, kind", [("dome", "dome"), ("PTZ", "panning"), ("panning", "panning"),
                                         ("fixed", "fixed"), ("Bullet", "fixed"), ("", "unknown"), ("xyz", "unknown")])
def test_mount_kind(value: str, kind: str) -> None:
    assert mount_kind(value) == kind


@pytest.mark.parametrize("text, lonlat", [
    ("(41.92499, -87.6779)", (-87.6779, 41.92499)), ("41.92499, -87.6779", (-87.6779, 41.92499)),
    ("POINT (-87.6779 41.92499)", (-87.6779, 41.92499)), ('{"lon": 5.4, "lat": 43.3}', (5.4, 43.3)),
    ("43,30 ; 5,40", (5.4, 43.3)), ("-120.5, 41.9", (-120.5, 41.9)), ("692500, 4796500", (692500.0, 4796500.0)), ("", None),
])
def test_parse_point(text: str, lonlat: tuple[float, float] | None) -> None:
    got = parse_point(text)
    assert got == (pytest.approx(lonlat) if lonlat else None)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delim: str) -> None:
    rows = [["nom", "latitude", "longitude", "orientation", "type"],
            ["Hôtel de Ville", "43.2965", "5.3698", "N", "dôme"],
            ["Place Castellane", "43.2857", "5.3837", "135", "fixe"]]
    text = "\n".join(delim.join(r) for r in rows) + "\n"
    f = tmp_path / "reg.csv"
    f.write_bytes(text.encode(encoding))
    reg = read_register(f)
    assert [c.name for c in reg.cameras] == ["Hôtel de Ville", "Place Castellane"]
    assert (reg.cameras[0].lon, reg.cameras[0].lat) == (5.3698, 43.2965)
    assert reg.cameras[0].directions_deg == (0.0,)
    assert reg.cameras[1].directions_deg == (135.0,)
    assert [c.mount_kind for c in reg.cameras] == ["dome", "fixed"]


def test_french_coordonnees_column_with_decimal_commas(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("identifiant;adresse;coordonnées;sens\n"
                 'C1;1 rue A;"43,2965, 5,3698";90-270\n'
                 "C2;2 rue B;;N\n"
                 'C3;3 rue C;"43,2965, 5,3698";90-270\n'
                 'C4;4 rue D;"43,2857, 5,3837";vers la mer\n', encoding="cp1252")
    reg = read_register(f)
    assert reg.rows == 4
    assert [c.id for c in reg.cameras] == ["C1"]
    c = reg.cameras[0]
    assert (c.lon, c.lat) == (5.3698, 43.2965)
    assert c.directions_deg == (180.0,) and c.width_deg == 180.0
    reasons = {r.row: r.reason for r in reg.rejected}
    assert reasons["3"] == "no coordinates"
    assert reasons["4"].startswith("duplicate of row 2")
    assert reasons["5"].startswith("unparseable direction")


def test_german_columns(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("Name;Breite;Länge;Richtung\nTor;52,5163;13,3777;Nordost\n", encoding="utf-8")
    c = read_register(f).cameras[0]
    assert (c.lon, c.lat, c.directions_deg) == (13.3777, 52.5163, (45.0,))


def test_projected_xy_needs_crs(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("name,x,y,direction\nA,692500,4796500,E\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="--crs"):
        read_register(f)
    c = read_register(f, crs="EPSG:32631").cameras[0]
    # the inverse UTM 31N projection of (692500, 4796500), to about 1 m
    assert c.lon == pytest.approx(5.37313, abs=2e-5)
    assert c.lat == pytest.approx(43.29671, abs=2e-5)
    assert c.directions_deg == (90.0,)


def test_decode_and_sniff() -> None:
    assert decode_text("é".encode("utf-16"))[1] == "utf-16"
    assert decode_text(b"\xef\xbb\xbfa")[1] == "utf-8-sig"
    assert decode_text("é".encode("cp1252")) == ("é", "cp1252")
    assert decode_text("\u20ac".encode("cp1252")) == ("\u20ac", "cp1252")  # the euro sign is 0x80 in cp1252
    assert sniff_delimiter('a;b;"x, y"\n1;2;"3, 4"\n') == ";"


def test_no_coordinate_columns(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("name,street\nA,Main\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="no coordinate columns"):
        read_register(f)


def test_chicago_red_light_register() -> None:
    reg = read_register(DATA / "chicago" / "red_light_camera_locations.csv")
    assert reg.rows == 149 and len(reg.cameras) == 149 and not reg.rejected
    first = reg.cameras[0]
    assert first.name == "Damen-Fullerton" and (first.lon, first.lat) == (-87.6779, 41.92499)
    assert first.directions_deg == (270.0,)  # EB approach: the camera faces east-bound traffic, looking west
    two = reg.cameras[1]  # Narragansett-Irving Park, EB and WB
    assert two.directions_deg == (270.0, 90.0)


def test_chicago_speed_register_with_bom() -> None:
    reg = read_register(DATA / "chicago" / "speed_camera_locations.csv")
    assert reg.rows == 160
    assert reg.columns["id"] == "ID"  # the BOM is not part of the first column's name
    assert reg.cameras[0].id == "195" and reg.cameras[0].directions_deg == (90.0, 270.0)


def test_osm_register_parses_every_tag_form() -> None:
    for name in ("city.osm", "city.osm.pbf"):
        reg = read_register(DATA / "osm" / name)
        cams = {c.id: c for c in reg.cameras}
        assert reg.rows == 10
        assert cams["400"].directions_deg == (90.0,) and cams["400"].tilt_deg == 15.0 and cams["400"].height_m == 5.0
        assert cams["400"].mount_kind == "fixed"
        assert cams["401"].directions_deg == (22.5,) and cams["401"].mount_kind == "dome"
        assert cams["402"].directions_deg == () and cams["402"].mount_kind == "panning"
        assert cams["403"].directions_deg == (180.0,) and cams["403"].width_deg == 180.0
        assert cams["404"].directions_deg == (270.0,) and cams["404"].surveillance_type == "ALPR"
        assert cams["409"].directions_deg == (350.0,) and cams["409"].tilt_deg == 20.0
        assert cams["407"].directions_deg == (180.0,) and cams["407"].mount_kind == "unknown"
        reasons = {r.row: r.reason for r in reg.rejected}
        assert set(reasons) == {"405", "406", "408"}
        assert "unparseable direction" in reasons["405"] and "bogus" in reasons["405"]
        assert reasons["406"].startswith("duplicate of row 400")
        assert "not a camera" in reasons["408"]


def test_geojson_register_with_osm_style_properties(tmp_path: Path) -> None:
    import json

    f = tmp_path / "cams.geojson"
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.37, 43.30]},
              "properties": {"ref": "A", "camera:direction": "SW", "camera:type": "fixed", "height": "7"}},
             {"type": "Feature", "geometry": None, "properties": {"ref": "B"}},
             {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.38, 43.31]},
              "properties": {"ref": "C", "camera:direction": "270-90", "camera:type": "dome"}}]
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    reg = read_register(f)
    assert reg.rows == 3
    a, c = reg.cameras
    assert (a.id, a.lon, a.lat, a.directions_deg, a.mount_kind, a.height_m) == ("A", 5.37, 43.30, (225.0,), "fixed", 7.0)
    assert c.directions_deg == (0.0,) and c.width_deg == 180.0 and c.mount_kind == "dome"
    assert [(r.row, r.reason) for r in reg.rejected] == [("2", "no coordinates")]


def test_qualified_column_names_and_swapped_columns(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text("Camera;Latitude (WGS84);Longitude (WGS84)\nA;43.3;5.37\n", encoding="utf-8")
    reg = read_register(f)
    assert reg.columns["lat"] == "Latitude (WGS84)" and (reg.cameras[0].lon, reg.cameras[0].lat) == (5.37, 43.3)
    g = tmp_path / "swapped.csv"
    g.write_text("name,lat,lon\nA,116.397,39.909\nB,116.40,39.91\n", encoding="utf-8")  # Beijing, columns swapped
    reg = read_register(g)
    assert [(c.lon, c.lat) for c in reg.cameras] == [(116.397, 39.909), (116.40, 39.91)]
    assert any("swapped" in n for n in reg.notes)


@pytest.mark.parametrize("text, value", [
    ('41°55\'30"N', 41 + 55 / 60 + 30 / 3600), ("87°40.5'W", -(87 + 40.5 / 60)), ("N 41 55 30", 41 + 55 / 60 + 30 / 3600),
    ('S 17° 23\' 0"', -(17 + 23 / 60)), ("41.5°", 41.5),
])
def test_degrees_minutes_seconds(text: str, value: float) -> None:
    from planner.audit.register import parse_dms

    assert parse_dms(text) == pytest.approx(value)


def test_excel_sep_line_and_dms_columns(tmp_path: Path) -> None:
    f = tmp_path / "reg.csv"
    f.write_text('sep=;\nname;latitude;longitude\nA;41°55\'30"N;87°40\'12"W\n', encoding="utf-8")
    c = read_register(f).cameras[0]
    assert c.lat == pytest.approx(41.925) and c.lon == pytest.approx(-87.67)
