"""The nodes of a deployment: cameras, radio sites, storage and command centres, links.

Nodes are frozen dataclasses: an edit replaces the node (``dataclasses.replace``),
so a snapshot of a project is a cheap shallow copy and undo keeps the old object.
Coordinates ``x``/``y`` are metres in the project's projected CRS. Every numeric
field carries its unit in its name and is range-checked on construction.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from planner.errors import InvalidInputError, OutOfRangeError


class NodeKind(StrEnum):
    CAMERA = "camera"
    RADIO_SITE = "radio_site"
    STORAGE_CENTRE = "storage_centre"
    COMMAND_CENTRE = "command_centre"


class Status(StrEnum):
    PLANNED = "planned"
    EXISTING = "existing"


class Connection(StrEnum):
    FIBRE = "fibre"
    WIRELESS = "wireless"


class RadioKind(StrEnum):
    ELTE_MACRO = "elte_macro"
    LTE_MACRO = "lte_macro"
    SMALL_CELL = "small_cell"
    MICROWAVE_HUB = "microwave_hub"
    FIBRE_POP = "fibre_pop"


class StorageRole(StrEnum):
    DISTRIBUTED = "distributed"
    CENTRAL = "central"


class LinkKind(StrEnum):
    FIBRE = "fibre"
    MICROWAVE = "microwave"


class StreamKind(StrEnum):
    RECORD = "record"
    LIVE = "live"
    ALARM = "alarm"


class Codec(StrEnum):
    MJPEG = "mjpeg"
    H264 = "h264"
    H265 = "h265"
    H265_SMART = "h265_smart"

    @classmethod
    def parse(cls, value: object) -> Codec:
        """The codec for ``value`` (accepts ``"H.264"``, ``"hevc"``, ``"h265+"`` ...)."""
        if isinstance(value, cls):
            return value
        key = str(value).strip().lower()
        if key in CODEC_ALIASES:
            return CODEC_ALIASES[key]
        names = ", ".join(c.value for c in cls)
        raise InvalidInputError(f"`codec` must be one of {names}; got {value!r}")


CODEC_ALIASES: dict[str, Codec] = {
    "mjpeg": Codec.MJPEG, "mjpg": Codec.MJPEG,
    "h264": Codec.H264, "h.264": Codec.H264, "avc": Codec.H264,
    "h265": Codec.H265, "h.265": Codec.H265, "hevc": Codec.H265,
    "h265_smart": Codec.H265_SMART, "h265+": Codec.H265_SMART, "h.265+": Codec.H265_SMART,
    "h265plus": Codec.H265_SMART, "smart_h265": Codec.H265_SMART, "h265-smart": Codec.H265_SMART,
}


def _check_range(owner: str, name: str, value: float, lo: float, hi: float, *,
                 lo_open: bool = False) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise OutOfRangeError(f"{owner}: `{name}` must be a finite number; got {value!r}")
    below = value <= lo if lo_open else value < lo
    if below or value > hi:
        bracket = "(" if lo_open else "["
        raise OutOfRangeError(f"{owner}: `{name}` must be in {bracket}{lo:g}, {hi:g}]; got {value:g}")


def _coerce_enum(owner: str, name: str, enum: type[StrEnum], value: Any) -> StrEnum:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInputError(f"{owner}: `{name}` must be one of {allowed}; got {value!r}") from None


@dataclass(frozen=True, kw_only=True)
class Stream:
    """One video stream of a camera (record, live view, or alarm/analytics).

    ``duty_cycle`` is the fraction of the day the stream is sent or recorded
    (1.0 continuous; for ``alarm`` the alarm occurrence rate). ``bitrate_mbps`` overrides the reference table (a datasheet or measured
    value); when it is ``None`` the bitrate comes from resolution and codec
    (see :mod:`planner.analysis.bitrate`).
    """

    kind: StreamKind = StreamKind.RECORD
    resolution: str = "1080p"
    codec: Codec = Codec.H264
    fps: float = 30.0
    scene_factor: float = 1.0
    duty_cycle: float = 1.0
    bitrate_mbps: float | None = None

    def __post_init__(self) -> None:
        owner = "stream"
        object.__setattr__(self, "kind", _coerce_enum(owner, "kind", StreamKind, self.kind))
        object.__setattr__(self, "codec", Codec.parse(self.codec))
        if not str(self.resolution).strip():
            raise InvalidInputError("stream: `resolution` is empty")
        _check_range(owner, "fps", self.fps, 0.0, 120.0, lo_open=True)
        _check_range(owner, "scene_factor", self.scene_factor, 0.0, 10.0, lo_open=True)
        _check_range(owner, "duty_cycle", self.duty_cycle, 0.0, 1.0, lo_open=True)
        if self.bitrate_mbps is not None:
            _check_range(owner, "bitrate_mbps", self.bitrate_mbps, 0.0, 1000.0, lo_open=True)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["kind"] = str(self.kind)
        d["codec"] = str(self.codec)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stream:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise InvalidInputError(f"stream: unknown field(s) {sorted(unknown)}")
        return cls(**d)


DEFAULT_STREAMS: tuple[Stream, ...] = (Stream(),)


@dataclass(frozen=True, kw_only=True)
class Node:
    """Fields common to every placed node."""

    KIND: ClassVar[NodeKind]
    ID_PREFIX: ClassVar[str]

    id: str
    x: float
    y: float
    name: str = ""
    phase: str = ""
    cost: float = 0.0
    status: Status = Status.PLANNED
    notes: str = ""

    def __post_init__(self) -> None:
        owner = f"{self.KIND.value} {self.id!r}"
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidInputError(f"{self.KIND.value}: `id` must be a non-empty string; got {self.id!r}")
        for name in ("x", "y"):
            _check_range(owner, name, getattr(self, name), -1e8, 1e8)
        _check_range(owner, "cost", self.cost, 0.0, 1e12)
        object.__setattr__(self, "status", _coerce_enum(owner, "status", Status, self.status))
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "phase", str(self.phase))
        object.__setattr__(self, "notes", str(self.notes))
        self._validate(owner)

    def _validate(self, owner: str) -> None:  # overridden by subclasses
        pass

    @property
    def kind(self) -> NodeKind:
        return self.KIND

    @property
    def xy(self) -> tuple[float, float]:
        return (self.x, self.y)

    def moved(self, x: float, y: float) -> Node:
        return dataclasses.replace(self, x=float(x), y=float(y))

    def with_changes(self, **changes: Any) -> Node:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class Camera(Node):
    """A camera on a pole or a facade.

    ``azimuth_deg`` is clockwise from grid north; ``tilt_deg`` is below the
    horizontal (positive looks down). ``camera_type`` is an id in the camera
    library (``resources/camera_types.json``) or a user type; ``focal_mm``
    sets a varifocal or zoom lens (``None``: the widest setting), which sets
    the field of view and so the range of each detail level.
    """

    KIND: ClassVar[NodeKind] = NodeKind.CAMERA
    ID_PREFIX: ClassVar[str] = "cam"

    height_m: float = 6.0
    azimuth_deg: float = 0.0
    tilt_deg: float = 15.0
    camera_type: str = "bullet-1080p-4"
    focal_mm: float | None = None
    streams: tuple[Stream, ...] = DEFAULT_STREAMS
    connection: Connection = Connection.FIBRE
    radio_site_id: str = ""
    storage_centre_id: str = ""

    def _validate(self, owner: str) -> None:
        _check_range(owner, "height_m", self.height_m, 0.0, 300.0, lo_open=True)
        _check_range(owner, "azimuth_deg", self.azimuth_deg, -360.0, 720.0)
        object.__setattr__(self, "azimuth_deg", float(self.azimuth_deg) % 360.0)
        _check_range(owner, "tilt_deg", self.tilt_deg, -90.0, 90.0)
        if self.focal_mm is not None:
            _check_range(owner, "focal_mm", self.focal_mm, 0.0, 2000.0, lo_open=True)
        object.__setattr__(self, "connection", _coerce_enum(owner, "connection", Connection, self.connection))
        streams = tuple(s if isinstance(s, Stream) else Stream.from_dict(s) for s in self.streams)
        if not streams:
            raise InvalidInputError(f"{owner}: a camera needs at least one stream")
        object.__setattr__(self, "streams", streams)


@dataclass(frozen=True, kw_only=True)
class RadioSite(Node):
    """A radio site: eLTE/LTE macro, small cell, microwave hub or fibre PoP."""

    KIND: ClassVar[NodeKind] = NodeKind.RADIO_SITE
    ID_PREFIX: ClassVar[str] = "site"

    site_kind: RadioKind = RadioKind.ELTE_MACRO
    height_m: float = 30.0
    freq_mhz: float = 1447.0
    channel_mhz: float = 20.0
    sector_azimuths_deg: tuple[float, ...] = (0.0, 120.0, 240.0)
    tx_power_dbm: float = 46.0
    antenna_gain_dbi: float = 17.0

    def _validate(self, owner: str) -> None:
        object.__setattr__(self, "site_kind", _coerce_enum(owner, "site_kind", RadioKind, self.site_kind))
        _check_range(owner, "height_m", self.height_m, 0.0, 500.0, lo_open=True)
        _check_range(owner, "freq_mhz", self.freq_mhz, 0.0, 100_000.0, lo_open=True)
        _check_range(owner, "channel_mhz", self.channel_mhz, 0.0, 2000.0, lo_open=True)
        _check_range(owner, "tx_power_dbm", self.tx_power_dbm, -30.0, 80.0)
        _check_range(owner, "antenna_gain_dbi", self.antenna_gain_dbi, -10.0, 60.0)
        az = tuple(float(a) % 360.0 for a in self.sector_azimuths_deg)
        object.__setattr__(self, "sector_azimuths_deg", az)

    @property
    def sectors(self) -> int:
        return len(self.sector_azimuths_deg)

    @property
    def has_sectors(self) -> bool:
        """Whether the site serves cameras over the air (a fibre PoP or a microwave hub does not)."""
        return self.site_kind not in (RadioKind.FIBRE_POP, RadioKind.MICROWAVE_HUB)


@dataclass(frozen=True, kw_only=True)
class StorageCentre(Node):
    """A storage centre; ``copy_of`` lists centres whose cameras it also holds."""

    KIND: ClassVar[NodeKind] = NodeKind.STORAGE_CENTRE
    ID_PREFIX: ClassVar[str] = "store"

    role: StorageRole = StorageRole.DISTRIBUTED
    capacity_tb: float = 150.0
    raid_level: int = 6
    raid_group_size: int = 12
    disk_tb: float = 16.0
    hot_spares: int = 1
    copy_of: tuple[str, ...] = ()

    def _validate(self, owner: str) -> None:
        object.__setattr__(self, "role", _coerce_enum(owner, "role", StorageRole, self.role))
        _check_range(owner, "capacity_tb", self.capacity_tb, 0.0, 1e6, lo_open=True)
        if self.raid_level not in (0, 1, 5, 6, 10):
            raise OutOfRangeError(f"{owner}: `raid_level` must be 0, 1, 5, 6 or 10; got {self.raid_level!r}")
        _check_range(owner, "raid_group_size", self.raid_group_size, 1, 1000)
        _check_range(owner, "disk_tb", self.disk_tb, 0.0, 1000.0, lo_open=True)
        _check_range(owner, "hot_spares", self.hot_spares, 0, 10_000)
        object.__setattr__(self, "raid_level", int(self.raid_level))
        object.__setattr__(self, "raid_group_size", int(self.raid_group_size))
        object.__setattr__(self, "hot_spares", int(self.hot_spares))
        object.__setattr__(self, "copy_of", tuple(str(c) for c in self.copy_of))


@dataclass(frozen=True, kw_only=True)
class CommandCentre(Node):
    """A command / monitoring centre (or a police viewing site)."""

    KIND: ClassVar[NodeKind] = NodeKind.COMMAND_CENTRE
    ID_PREFIX: ClassVar[str] = "cmd"

    operators: int = 20
    video_wall_tiles: int = 48
    remote_viewers: int = 0
    multicast: bool = True

    def _validate(self, owner: str) -> None:
        _check_range(owner, "operators", self.operators, 0, 100_000)
        _check_range(owner, "video_wall_tiles", self.video_wall_tiles, 0, 10_000)
        _check_range(owner, "remote_viewers", self.remote_viewers, 0, 100_000)
        object.__setattr__(self, "operators", int(self.operators))
        object.__setattr__(self, "video_wall_tiles", int(self.video_wall_tiles))
        object.__setattr__(self, "remote_viewers", int(self.remote_viewers))
        object.__setattr__(self, "multicast", bool(self.multicast))


NODE_CLASSES: dict[NodeKind, type[Node]] = {
    NodeKind.CAMERA: Camera,
    NodeKind.RADIO_SITE: RadioSite,
    NodeKind.STORAGE_CENTRE: StorageCentre,
    NodeKind.COMMAND_CENTRE: CommandCentre,
}


@dataclass(frozen=True, kw_only=True)
class Link:
    """A fibre or microwave link between two nodes (by id)."""

    id: str
    kind: LinkKind = LinkKind.FIBRE
    from_id: str
    to_id: str
    capacity_mbps: float = 10_000.0
    freq_ghz: float = 0.0
    phase: str = ""
    cost: float = 0.0
    name: str = ""

    ID_PREFIX: ClassVar[str] = "link"

    def __post_init__(self) -> None:
        owner = f"link {self.id!r}"
        object.__setattr__(self, "kind", _coerce_enum(owner, "kind", LinkKind, self.kind))
        if not self.from_id or not self.to_id:
            raise InvalidInputError(f"{owner}: `from_id` and `to_id` are required")
        if self.from_id == self.to_id:
            raise InvalidInputError(f"{owner}: a link cannot join {self.from_id!r} to itself")
        _check_range(owner, "capacity_mbps", self.capacity_mbps, 0.0, 1e7, lo_open=True)
        _check_range(owner, "freq_ghz", self.freq_ghz, 0.0, 300.0)
        _check_range(owner, "cost", self.cost, 0.0, 1e12)


def node_fields(cls: type[Node] | type[Link]) -> list[dataclasses.Field[Any]]:
    """The dataclass fields of a node or link class, in declaration order."""
    return list(dataclasses.fields(cls))


__all__ = [
    "Camera", "Codec", "CommandCentre", "Connection", "DEFAULT_STREAMS", "Link", "LinkKind",
    "NODE_CLASSES", "Node", "NodeKind", "RadioKind", "RadioSite", "Status", "StorageCentre",
    "StorageRole", "Stream", "StreamKind", "node_fields",
]
