"""One way to check a number against its allowed range, with one message format.

Every hand-written "`x` must be in [a, b]; got v" test goes through
:func:`require_in_range`, so the wording (which argument, which bounds, open or
closed, what was given) is the same everywhere and a bad value is always an
:class:`~planner.errors.OutOfRangeError` (exit 2 in the CLI).

Examples
--------
>>> require_in_range("duty_cycle", 0.5, 0.0, 1.0, low_open=True)
0.5
>>> require_in_range("tilt_deg", 95, -90, 90)
Traceback (most recent call last):
...
planner.errors.OutOfRangeError: `tilt_deg` must be in [-90, 90]; got 95
"""

from __future__ import annotations

import math
from typing import Any

from planner.errors import InvalidInputError, OutOfRangeError

__all__ = ["describe_range", "require_in_range"]


def require_in_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
    what: str = "",
) -> float:
    """Return ``value`` as a finite float inside the range, or raise.

    Parameters
    ----------
    name
        Argument or field name as the user typed it (``"--disk-tb"``, ``"tilt_deg"``).
    value
        The value to check (anything ``float()`` accepts; booleans are refused).
    low, high
        Bounds; ``None`` means unbounded on that side.
    low_open, high_open
        Exclude the bound itself (``(0, 1]`` is ``low_open=True``).
    unit
        Unit appended to the bounds in the message (``"MHz"``).
    what
        Context appended to the message (``"for the cost231 model"``).

    Raises
    ------
    InvalidInputError
        ``value`` is not a number.
    OutOfRangeError
        ``value`` is not finite or lies outside the range.
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"`{name}` must be a number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"`{name}` must be a number; got {value!r}") from None
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if ok:
        return v
    shown = f"{value:g}" if isinstance(value, (int, float)) else repr(value)
    rng = describe_range(low, high, low_open=low_open, high_open=high_open, unit=unit)
    raise OutOfRangeError(f"`{name}` must be {rng}{' ' + what if what else ''}; got {shown}")


def describe_range(low: float | None, high: float | None, *, low_open: bool = False, high_open: bool = False,
                   unit: str = "") -> str:
    """``"in [a, b] MHz"``, ``"> 0"``, ``">= 1"``, ``"<= 5"`` or ``"finite"``."""
    u = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}{u}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}{u}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}{u}"
    return "finite"
