from __future__ import annotations

import pytest

from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.nodes import Camera, Codec, Link, RadioSite, StorageCentre, Stream, StreamKind


def test_camera_defaults_and_normalisation() -> None:
    cam = Camera(id="cam-1", x=1.0, y=2.0, azimuth_deg=-90.0, status="EXISTING")
    assert cam.azimuth_deg == 270.0
    assert cam.status == "existing"
    assert cam.streams[0].codec is Codec.H264
    assert cam.xy == (1.0, 2.0)


@pytest.mark.parametrize(("field", "value"), [
    ("height_m", 0.0), ("height_m", -3.0), ("height_m", float("nan")), ("tilt_deg", 95.0),
    ("cost", -1.0), ("x", float("inf")),
])
def test_camera_rejects_out_of_range(field: str, value: float) -> None:
    kwargs = {"id": "cam-1", "x": 0.0, "y": 0.0, field: value}
    with pytest.raises(OutOfRangeError, match=f"`{field}`"):
        Camera(**kwargs)


def test_stream_validation_and_dict_round_trip() -> None:
    s = Stream(kind="live", resolution="720p", codec="H265", fps=15, bitrate_mbps=1.2)
    assert s.kind is StreamKind.LIVE and s.codec is Codec.H265
    assert Stream.from_dict(s.to_dict()) == s
    with pytest.raises(OutOfRangeError, match="bitrate_mbps"):
        Stream(bitrate_mbps=0.0)
    with pytest.raises(OutOfRangeError, match="duty_cycle"):
        Stream(duty_cycle=1.5)
    with pytest.raises(InvalidInputError, match="codec"):
        Stream(codec="divx")
    with pytest.raises(InvalidInputError, match="unknown field"):
        Stream.from_dict({"kind": "record", "__class__": "os.system"})


def test_storage_and_radio_validation() -> None:
    with pytest.raises(OutOfRangeError, match="raid_level"):
        StorageCentre(id="s", x=0, y=0, raid_level=4)
    with pytest.raises(OutOfRangeError, match="capacity_tb"):
        StorageCentre(id="s", x=0, y=0, capacity_tb=0)
    site = RadioSite(id="r", x=0, y=0, sector_azimuths_deg=(0, 120, 480))
    assert site.sector_azimuths_deg == (0.0, 120.0, 120.0)
    assert site.sectors == 3


def test_link_validation() -> None:
    with pytest.raises(InvalidInputError, match="itself"):
        Link(id="l", from_id="a", to_id="a")
    with pytest.raises(InvalidInputError, match="kind"):
        Link(id="l", from_id="a", to_id="b", kind="copper")


def test_radio_site_has_sectors_by_kind() -> None:
    from planner.model.nodes import RadioSite

    assert RadioSite(id="site-0001", x=0.0, y=0.0, site_kind="elte_macro").has_sectors
    assert RadioSite(id="site-0002", x=0.0, y=0.0, site_kind="small_cell").has_sectors
    assert not RadioSite(id="site-0003", x=0.0, y=0.0, site_kind="fibre_pop").has_sectors
    assert not RadioSite(id="site-0004", x=0.0, y=0.0, site_kind="microwave_hub").has_sectors
