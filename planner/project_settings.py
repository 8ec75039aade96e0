"""Project settings: name, jurisdiction, currency, video defaults, retention target, target height and
unit-price overrides, read and changed by ``key=value`` (``planner set``) or the Properties dialog.

One workflow for the CLI and the app: :func:`settings_of` reads a project's
settings, :func:`changed_settings` applies ``key=value`` changes to them (every
value checked, every error naming its key), and
:class:`~planner.model.commands.SetProjectSettings` puts them in the project
(undoably in the app). :func:`guess_locale` guesses the jurisdiction and the
currency from the study area's country (nearest GeoNames place of at least
1,000 inhabitants, through ``reverse_geocode``; the currency of that country
through Babel's CLDR data).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from planner.errors import InvalidInputError, PlannerError
from planner.model.project import Parameters, Project

#: Settable keys (besides ``unit_price.<key>``), with what they hold.
KEYS: dict[str, str] = {
    "name": "project name",
    "jurisdiction": "ISO 3166-1 alpha-2 country code for the legal retention check (empty: none)",
    "currency": "ISO 4217 currency of the bill of materials (EUR prices converted at fx_per_eur)",
    "default_resolution": "default stream resolution (e.g. 1080p, 4mp)",
    "default_codec": "default stream codec (h264, h265, h265_smart, mjpeg)",
    "default_bitrate_mbps": "default bitrate per camera stream, Mb/s (0, 1000]",
    "retention_target_days": "storage retention target, days (0, 3650]",
    "target_height_m": "height above ground of what cameras must see (coverage), m [0, 10]",
    "description": "free text",
    "attribution": "data attribution printed on maps and reports",
}
UNIT_PRICE = "unit_price."
#: How far the nearest populated place may be for a country guess, in km.
GUESS_MAX_KM = 60.0


@dataclass(frozen=True)
class ProjectSettings:
    """What :class:`~planner.model.commands.SetProjectSettings` sets on a project."""

    name: str
    parameters: Parameters
    unit_prices: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, **self.parameters.to_dict()}
        d["unit_prices"] = dict(self.unit_prices)
        return d


@dataclass(frozen=True)
class Locale:
    """A guess of where a study area is: ``country_code`` (ISO 3166-1), ``currency`` (ISO 4217)."""

    country_code: str
    country: str
    currency: str
    place: str
    distance_km: float

    def note(self, keys: Iterable[str] = ("jurisdiction", "currency")) -> str:
        """What was guessed, from where, and how to change it (``keys``: the settings guessed)."""
        values = {"jurisdiction": self.country_code, "currency": self.currency}
        what = " and ".join(f"{k} {values[k]}" for k in keys)
        return (f"{what} guessed from the study area's country ({self.country}: nearest place {self.place}, "
                f"{self.distance_km:.0f} km from the study area's centre); change with "
                "`planner set PROJECT jurisdiction=.. currency=..` or Project ▸ Properties")


def settings_of(project: Project) -> ProjectSettings:
    prices = project.metadata.get("unit_prices") or {}
    return ProjectSettings(project.name, project.parameters, dict(prices) if isinstance(prices, Mapping) else {})


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["key=value", ...]`` to a dict (the value may be empty); refuses a missing ``=`` or key."""
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = str(item).partition("=")
        key = key.strip()
        if not eq or not key:
            raise InvalidInputError(f"`{item}`: expected key=value (keys: {', '.join(KEYS)}, {UNIT_PRICE}<key>)")
        out[key] = value.strip()
    if not out:
        raise InvalidInputError("nothing to set: give key=value pairs")
    return out


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidInputError(f"`{key}` must be a number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"`{key}` must be a number; got {value!r}") from None
    if not math.isfinite(v):
        raise InvalidInputError(f"`{key}` must be a finite number; got {value!r}")
    return v


def check_currency(code: str) -> str:
    from babel.numbers import list_currencies

    code = str(code).strip().upper()
    if code not in list_currencies():
        raise InvalidInputError(f"`currency` must be an ISO 4217 code like EUR or CLP; got {code!r}")
    return code


def check_jurisdiction(code: str) -> str:
    from babel import Locale as BabelLocale

    code = str(code).strip().upper()
    if not code:
        return ""
    territories = BabelLocale("en").territories
    if not (len(code) == 2 and code.isalpha() and code in territories) or code in ("ZZ", "QO"):
        raise InvalidInputError(f"`jurisdiction` must be an ISO 3166-1 alpha-2 country code like FR or CL "
                                f"(empty: none); got {code!r}")
    return code


def _unit_price(key: str, price_key: str, value: Any) -> float:
    from planner.analysis.costs import fx_rate, unit_prices

    v = _number(key, value)
    if price_key.startswith("fx:"):
        fx_rate(price_key[3:], {price_key: v})  # validates (> 0)
    else:
        unit_prices({price_key: v})  # validates the key and the value (>= 0)
    return v


def changed_settings(current: ProjectSettings, changes: Mapping[str, Any]) -> ProjectSettings:
    """``current`` with ``changes`` (``key: value``, values as text or typed) applied and checked.

    ``unit_price.<key>=<number>`` overrides a unit price (``<key>`` as in
    ``resources/unit_prices.json``, ``camera:<type id>``, ``radio_site:<kind>`` or
    ``fx:<currency>`` for an exchange rate); ``unit_price.<key>=`` (empty) removes the override.
    """
    name = current.name
    params: dict[str, Any] = {}
    prices = dict(current.unit_prices)
    for key, value in changes.items():
        if key.startswith(UNIT_PRICE):
            pk = key[len(UNIT_PRICE):]
            if not pk:
                raise InvalidInputError(f"`{key}`: name the unit price, e.g. {UNIT_PRICE}pole=1500")
            if value is None or (isinstance(value, str) and not value.strip()):
                prices.pop(pk, None)
            else:
                prices[pk] = _unit_price(key, pk, value)
            continue
        if key not in KEYS:
            raise InvalidInputError(f"unknown setting `{key}`; settings: {', '.join(KEYS)}, {UNIT_PRICE}<key>")
        text = value if not isinstance(value, str) else value.strip()
        if key == "name":
            if not str(text).strip():
                raise InvalidInputError("`name` must not be empty")
            name = str(text).strip()
        elif key == "jurisdiction":
            params[key] = check_jurisdiction(str(text))
        elif key == "currency":
            params[key] = check_currency(str(text))
        elif key == "default_resolution":
            from planner.analysis.bitrate import load_bitrate_table

            try:
                load_bitrate_table().resolution_key(str(text))
            except PlannerError as exc:
                raise InvalidInputError(f"`default_resolution`{str(exc).removeprefix('`resolution`')}") from None
            params[key] = str(text)
        elif key == "default_codec":
            from planner.model.nodes import Codec

            try:
                params[key] = Codec.parse(str(text))
            except PlannerError:
                raise InvalidInputError(f"`default_codec` must be one of {', '.join(c.value for c in Codec)}; "
                                        f"got {text!r}") from None
        elif key in ("default_bitrate_mbps", "retention_target_days", "target_height_m"):
            params[key] = _number(key, text)
        else:
            params[key] = str(text)
    try:
        parameters = dataclasses.replace(current.parameters, **params)
    except PlannerError as exc:  # the model's own range checks, with the key in the message
        raise InvalidInputError(str(exc).removeprefix("parameters: ")) from None
    return ProjectSettings(name, parameters, prices)


def format_settings(settings: ProjectSettings) -> str:
    p = settings.parameters
    lines = [f"Name         {settings.name}",
             f"Jurisdiction {p.jurisdiction or '(none: no legal retention check)'}",
             f"Currency     {p.currency}",
             f"Video        {p.default_resolution} {p.default_codec} at {p.default_bitrate_mbps:g} Mb/s",
             f"Retention    target {p.retention_target_days:g} days",
             f"Target       {p.target_height_m:g} m above ground"]
    for k, v in sorted(settings.unit_prices.items()):
        lines.append(f"Unit price   {k} = {v.get('value') if isinstance(v, Mapping) else v}")
    return "\n".join(lines)


def guess_locale(study_area: BaseGeometry, crs: pyproj.CRS | str | int) -> Locale | None:
    """The country (and its currency) of a study area's centre; None when no populated place is within
    :data:`GUESS_MAX_KM` (open sea) or the currency is not known."""
    import reverse_geocode
    from babel import Locale as BabelLocale
    from babel.numbers import get_territory_currencies

    to_wgs = pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), 4326, always_xy=True)
    pt = shapely.point_on_surface(study_area)
    lon, lat = to_wgs.transform(pt.x, pt.y)
    place = reverse_geocode.get((lat, lon))
    code = str(place.get("country_code") or "").upper()
    if not code:
        return None
    dist = pyproj.Geod(ellps="WGS84").inv(lon, lat, float(place["longitude"]), float(place["latitude"]))[2] / 1000
    if dist > GUESS_MAX_KM:
        return None
    currencies = get_territory_currencies(code, tender=True, non_tender=False)
    if not currencies:
        return None
    country = BabelLocale("en").territories.get(code, str(place.get("country") or code))
    return Locale(code, country, currencies[0], str(place.get("city") or ""), dist)


__all__ = ["KEYS", "Locale", "ProjectSettings", "changed_settings", "check_currency", "check_jurisdiction",
           "format_settings", "guess_locale", "parse_assignments", "settings_of"]
