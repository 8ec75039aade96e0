"""Video bitrate model: reference table x frame-rate x scene factors.

The model (reference bitrates and factors in resources/bitrates.json, each with its source)::

    bitrate_mbps = B_ref(resolution, codec) * (fps / 30) ** 0.6 * scene_factor

``B_ref`` is the planner default of ``resources/bitrates.json`` (one main
stream, 30 fps, average outdoor street, VBR mean). The exponent 0.6 is fitted
to the unifore H.264 1080p table (30/15/10/5 fps -> 4.0/3.0/2.0/1.0 Mb/s); a
datasheet or measured figure always wins through the stream's ``bitrate_mbps``.

A camera's uplink is the sum of its streams (record + live + alarm/analytics,
VideoCAD models up to three). Storage uses the *recorded* average: record
and alarm streams times their duty cycle.

Examples
--------
>>> round(bitrate_mbps("1080p", "h264", fps=10), 3)
2.069
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.nodes import Codec, Stream, StreamKind
from planner.resources import load_json_resource

__all__ = [
    "BitrateTable",
    "CameraUplink",
    "Codec",
    "Stream",
    "StreamBitrate",
    "StreamKind",
    "bitrate_mbps",
    "camera_uplink",
    "fps_factor",
    "load_bitrate_table",
    "parse_codec",
    "stream_bitrate",
]

MAX_FPS = 120.0


@dataclass(frozen=True)
class BitrateTable:
    """The reference bitrate table (see ``resources/bitrates.json``).

    Attributes
    ----------
    default_mbps
        ``{resolution: {codec: Mb/s}}`` at ``reference_fps``.
    pixels
        ``{resolution: width_px * height_px}``.
    sources
        ``{resolution: {codec: source text}}``.
    aliases
        Extra resolution names mapped to table keys.
    reference_fps, fps_exponent, fps_valid_range
        Frame-rate scaling ``(fps / reference_fps) ** fps_exponent``, fitted on
        ``fps_valid_range``.
    scene_factors, duty_cycles
        Named presets.
    """

    default_mbps: dict[str, dict[str, float]]
    pixels: dict[str, int]
    sources: dict[str, dict[str, str]]
    aliases: dict[str, str]
    reference_fps: float
    fps_exponent: float
    fps_valid_range: tuple[float, float]
    scene_factors: dict[str, float]
    duty_cycles: dict[str, float]

    def resolution_key(self, resolution: str) -> str:
        """Normalise a resolution name (``"1080P"``, ``"2MP"``) to a table key."""
        key = str(resolution).strip().lower().replace(" ", "")
        key = self.aliases.get(key, key)
        if key not in self.default_mbps:
            names = ", ".join(sorted(self.default_mbps))
            msg = f"`resolution` must be one of {names} or a pixel count; got {resolution!r}"
            raise InvalidInputError(msg)
        return key

    def base_mbps(self, resolution: str | int, codec: Codec | str) -> float:
        """Reference bitrate at ``reference_fps`` for a resolution name or pixel count.

        A pixel count between two table rows is interpolated as a power law
        between them (bitrate is sub-linear in pixels, IPVM / VideoCAD); a
        count outside the table raises :class:`OutOfRangeError`.
        """
        c = parse_codec(codec)
        if isinstance(resolution, (int, np.integer)) and not isinstance(resolution, bool):
            return self._interpolate_pixels(int(resolution), c)
        return self.default_mbps[self.resolution_key(str(resolution))][c.value]

    def _interpolate_pixels(self, pixels: int, codec: Codec) -> float:
        rows = sorted(self.pixels.items(), key=lambda kv: kv[1])
        lo_px, hi_px = rows[0][1], rows[-1][1]
        if not lo_px <= pixels <= hi_px:
            msg = f"`resolution` pixel count must be in [{lo_px}, {hi_px}]; got {pixels}"
            raise OutOfRangeError(msg)
        for (k0, p0), (k1, p1) in zip(rows[:-1], rows[1:], strict=True):
            if p0 <= pixels <= p1:
                b0 = self.default_mbps[k0][codec.value]
                b1 = self.default_mbps[k1][codec.value]
                t = np.log(pixels / p0) / np.log(p1 / p0)
                return float(np.exp(np.log(b0) + t * (np.log(b1) - np.log(b0))))
        raise AssertionError("unreachable")  # pragma: no cover


@lru_cache(maxsize=1)
def _default_table() -> BitrateTable:
    return _table_from_json(load_json_resource("bitrates.json"))


def _table_from_json(doc: dict[str, Any]) -> BitrateTable:
    table = doc["table"]
    return BitrateTable(
        default_mbps={r: {c: float(v["default_mbps"]) for c, v in row.items()} for r, row in table.items()},
        pixels={r: int(v["width_px"]) * int(v["height_px"]) for r, v in doc["resolutions"].items()},
        sources={r: {c: str(v["source"]) for c, v in row.items()} for r, row in table.items()},
        aliases=dict(doc.get("resolution_aliases", {})),
        reference_fps=float(doc["reference_fps"]),
        fps_exponent=float(doc["fps_exponent"]),
        fps_valid_range=(float(doc["fps_valid_range"][0]), float(doc["fps_valid_range"][1])),
        scene_factors={k: float(v["factor"]) for k, v in doc["scene_factors"].items()},
        duty_cycles={k: float(v["duty"]) for k, v in doc["duty_cycles"].items()},
    )


def load_bitrate_table() -> BitrateTable:
    """Return the built-in reference table from ``resources/bitrates.json``."""
    return _default_table()


def parse_codec(codec: Codec | str) -> Codec:
    """Return the :class:`Codec` for ``codec`` (accepts ``"H.264"``, ``"hevc"``, ``"h265+"`` ...)."""
    return Codec.parse(codec)


def _check_positive(name: str, value: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        bad = arr[~(np.isfinite(arr) & (arr > 0))].ravel()[0] if arr.ndim else arr
        msg = f"`{name}` must be a positive finite number; got {bad}"
        raise InvalidInputError(msg)
    return arr


def fps_factor(fps: ArrayLike, *, table: BitrateTable | None = None) -> NDArray[np.float64] | float:
    """Frame-rate factor ``(fps / 30) ** 0.6`` (fitted to Unifore's H.264 1080p table, 5-30 fps).

    Raises
    ------
    InvalidInputError
        If an ``fps`` is not positive; :class:`OutOfRangeError` above 120 fps.
    """
    t = table or _default_table()
    arr = _check_positive("fps", fps)
    if np.any(arr > MAX_FPS):
        msg = f"`fps` must be at most {MAX_FPS:g}; got {float(np.max(arr)):g}"
        raise OutOfRangeError(msg)
    out = (arr / t.reference_fps) ** t.fps_exponent
    return float(out) if out.ndim == 0 else out


def bitrate_mbps(
    resolution: str | int,
    codec: Codec | str,
    *,
    fps: ArrayLike = 30.0,
    scene_factor: ArrayLike = 1.0,
    table: BitrateTable | None = None,
) -> NDArray[np.float64] | float:
    """Modelled bitrate of one stream in Mb/s (vectorised over ``fps`` and ``scene_factor``).

    ``bitrate_mbps = B_ref(resolution, codec) * (fps / 30) ** 0.6 * scene_factor``
    (scene factor 0.5 static indoor ... 1.0 average street
    ... 2-4 busy plaza / night noise).

    Parameters
    ----------
    resolution
        Table name (``"d1"``, ``"720p"``, ``"1080p"``, ``"4mp"``, ``"4k"`` and
        aliases) or a pixel count (interpolated, power law).
    codec
        ``mjpeg``, ``h264``, ``h265`` or ``h265_smart``.
    fps
        Frames per second (> 0, at most 120); the fit is for 5-30 fps.
    scene_factor
        Scene-complexity multiplier (> 0).
    table
        Reference table; the built-in one by default.

    Returns
    -------
    float or numpy.ndarray
        Mb/s (10**6 bit/s).
    """
    t = table or _default_table()
    base = t.base_mbps(resolution, codec)
    scene = _check_positive("scene_factor", scene_factor)
    out = base * np.asarray(fps_factor(fps, table=t)) * scene
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class StreamBitrate:
    """Bitrate of one :class:`Stream` with its factors.

    Attributes
    ----------
    kind
        Stream kind.
    bitrate_mbps
        Bitrate while the stream is on, Mb/s.
    average_mbps
        ``bitrate_mbps * duty_cycle``.
    base_mbps, fps_factor, scene_factor
        The factors (``nan`` base and factors of 1 for an override).
    overridden
        True when the stream's ``bitrate_mbps`` override was used.
    fps_extrapolated
        True when fps is outside the fitted 5-30 fps range.
    """

    kind: StreamKind
    bitrate_mbps: float
    average_mbps: float
    base_mbps: float
    fps_factor: float
    scene_factor: float
    overridden: bool
    fps_extrapolated: bool


def stream_bitrate(stream: Stream, *, table: BitrateTable | None = None) -> StreamBitrate:
    """Bitrate of one stream: the override if given, else :func:`bitrate_mbps`."""
    t = table or _default_table()
    lo, hi = t.fps_valid_range
    extrapolated = not lo <= stream.fps <= hi
    if stream.bitrate_mbps is not None:
        b = float(stream.bitrate_mbps)
        return StreamBitrate(
            kind=StreamKind(stream.kind),
            bitrate_mbps=b,
            average_mbps=b * stream.duty_cycle,
            base_mbps=float("nan"),
            fps_factor=1.0,
            scene_factor=1.0,
            overridden=True,
            fps_extrapolated=False,
        )
    base = t.base_mbps(stream.resolution, stream.codec)
    f = float(fps_factor(stream.fps, table=t))
    b = base * f * stream.scene_factor
    return StreamBitrate(
        kind=StreamKind(stream.kind),
        bitrate_mbps=b,
        average_mbps=b * stream.duty_cycle,
        base_mbps=base,
        fps_factor=f,
        scene_factor=float(stream.scene_factor),
        overridden=False,
        fps_extrapolated=extrapolated,
    )


@dataclass(frozen=True)
class CameraUplink:
    """Network and storage load of one camera.

    Attributes
    ----------
    peak_mbps
        Sum of all stream bitrates (every stream on at once): size the
        camera's uplink for this.
    average_mbps
        Sum of ``bitrate * duty_cycle`` over all streams.
    recorded_mbps
        Average over ``record`` and ``alarm`` streams only: what storage sees.
    streams
        Per-stream details in input order.
    """

    peak_mbps: float
    average_mbps: float
    recorded_mbps: float
    streams: tuple[StreamBitrate, ...]


def camera_uplink(streams: Sequence[Stream] | Iterable[Stream], *, table: BitrateTable | None = None) -> CameraUplink:
    """Sum a camera's streams (uplink = record + live + alarm, as VideoCAD models them).

    Raises
    ------
    InvalidInputError
        If ``streams`` is empty.
    """
    items = tuple(stream_bitrate(s, table=table) for s in streams)
    if not items:
        msg = "`streams` must contain at least one stream; got none"
        raise InvalidInputError(msg)
    recorded = sum(s.average_mbps for s in items if s.kind in (StreamKind.RECORD, StreamKind.ALARM))
    return CameraUplink(
        peak_mbps=sum(s.bitrate_mbps for s in items),
        average_mbps=sum(s.average_mbps for s in items),
        recorded_mbps=recorded,
        streams=items,
    )
