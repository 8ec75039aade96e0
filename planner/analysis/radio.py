"""Radio models: path loss, LTE uplink link budget, sector capacity, microwave.

Path-loss models, every one with its validity range; outside it a kernel
raises :class:`OutOfRangeError` unless the caller passes ``extrapolate=True``.
The dispatcher :func:`path_loss` computes outside the range of the empirical
models and reports it in ``PathLoss.warnings`` (and ``extrapolated``), unless
``strict=True``; the frequency-to-model choice is :func:`model_for_frequency`:

* free space: ``FSPL = 32.45 + 20 log10 d_km + 20 log10 f_MHz``;
* Okumura-Hata (Hata 1980, ITU-R P.529): 150-1500 MHz, hb 30-200 m, hm 1-10 m, d 1-20 km;
* COST-231 Hata (standard form: medium-city a(hm), Cm 3 dB in metropolitan centres): 1500-2000 MHz,
  same heights and distances;
* 3GPP TR 38.901 UMa / UMi street canyon LOS/NLOS (Table 7.4.1-1): 0.5-100 GHz, d2D 10 m-5 km;
* ITM / Longley-Rice 1.2.2 via :mod:`itmlogic`: area mode (terrain irregularity
  Δh) and point-to-point over a terrain profile, 20 MHz-20 GHz, 1-2000 km, with its
  settings in one :class:`ItmParams`; validated against NTIA's QKPFL tests 1 and 2.

Link budget (§4): ``MAPL = EIRP + G_rx - L_rx - (kTB + NF + SINR_req) - M_interf
- M_shadow - L_penetration - L_body - L_other + G_handover``; SINR to spectral
efficiency by attenuated Shannon (3GPP TR 36.942 Annex A). Sector uplink
capacity = channel width x spectral efficiency x uplink share of the TDD frame,
planned at 70 % load (§4.4). Microwave (§5, §3.8): first Fresnel radius
``F1 = 17.32 sqrt(d1 d2 / (f_GHz d))`` (km in, m out), earth bulge
``h = d1 d2 / (12.74 k)``, 0.6 F1 clearance.

Examples
--------
>>> round(float(fspl_db(1800.0, 1.0)), 2)
97.56
>>> round(float(hata_loss_db(869.0, 2.0, base_height_m=30.0, mobile_height_m=1.0, environment="open")), 2)
109.52
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.errors import InvalidInputError, OutOfRangeError
from planner.model.checks import require_in_range

__all__ = [
    "ITM_GROUND",
    "SPEED_OF_LIGHT_M_S",
    "VALIDITY",
    "DuplexMode",
    "Environment",
    "FresnelClearance",
    "ItmParams",
    "ItmResult",
    "LinkBudget",
    "MaplResult",
    "PathLoss",
    "PathLossModel",
    "SectorCapacity",
    "UplinkThroughput",
    "Validity",
    "cost231_loss_db",
    "earth_bulge_m",
    "fibre_loss_db",
    "fresnel_clearance",
    "fresnel_radius_m",
    "fspl_db",
    "hata_loss_db",
    "itm_area_loss",
    "itm_p2p_loss",
    "mapl_db",
    "max_range_km",
    "microwave_capacity_mbps",
    "model_for_frequency",
    "path_loss",
    "peak_uplink_phy_mbps",
    "prb_bandwidth_hz",
    "radio_horizon_km",
    "regular_profile",
    "required_sinr_db",
    "sector_uplink_capacity",
    "spectral_efficiency",
    "thermal_noise_dbm",
    "tr38901_loss_db",
    "uplink_mapl",
    "uplink_throughput",
]

SPEED_OF_LIGHT_M_S = 299_792_458.0
PRB_HZ = 180e3
SUBCARRIER_HZ = 15e3


class PathLossModel(StrEnum):
    """Path-loss models the planner offers."""

    FSPL = "fspl"
    HATA = "hata"
    COST231 = "cost231"
    UMA = "uma"
    UMI = "umi"
    ITM = "itm"


class Environment(StrEnum):
    """Propagation environment (meaning depends on the model)."""

    URBAN = "urban"  # Hata small/medium city; COST-231 medium city (Cm = 0)
    URBAN_LARGE = "urban-large"  # Hata large city; COST-231 metropolitan (Cm = 3)
    METROPOLITAN = "metropolitan"  # alias of urban-large
    SUBURBAN = "suburban"
    OPEN = "open"
    LOS = "los"  # 38.901
    NLOS = "nlos"  # 38.901


@dataclass(frozen=True)
class Validity:
    """Validity range of a model. None = no limit."""

    freq_mhz: tuple[float, float]
    distance_km: tuple[float, float] | None
    base_height_m: tuple[float, float] | None
    mobile_height_m: tuple[float, float] | None
    source: str


VALIDITY: dict[PathLossModel, Validity] = {
    PathLossModel.FSPL: Validity((1e-3, 1e6), None, None, None, "Friis free space; far field only"),
    PathLossModel.HATA: Validity(
        (150.0, 1500.0), (1.0, 20.0), (30.0, 200.0), (1.0, 10.0), "Hata 1980 / ITU-R P.529 / COST 231 report"
    ),
    PathLossModel.COST231: Validity(
        (1500.0, 2000.0), (1.0, 20.0), (30.0, 200.0), (1.0, 10.0), "COST 231 final report, ch. 4"
    ),
    PathLossModel.UMA: Validity(
        (500.0, 100_000.0), (0.01, 5.0), None, (1.5, 22.5), "3GPP TR 38.901 Table 7.4.1-1 (hBS nominal 25 m)"
    ),
    PathLossModel.UMI: Validity(
        (500.0, 100_000.0), (0.01, 5.0), None, (1.5, 22.5), "3GPP TR 38.901 Table 7.4.1-1 (hBS nominal 10 m)"
    ),
    PathLossModel.ITM: Validity(
        (20.0, 20_000.0), (1.0, 2000.0), (0.5, 3000.0), (0.5, 3000.0), "NTIA ITM 1.2.2 (Hufford); itmlogic"
    ),
}


# ---------------------------------------------------------------- helpers


def _arr(name: str, value: ArrayLike, *, positive: bool = True) -> NDArray[np.float64]:
    a = np.asarray(value, dtype=float)
    ok = np.isfinite(a) & (a > 0) if positive else np.isfinite(a)
    if not np.all(ok):
        bad = a[~ok].ravel()[0] if a.ndim else a
        need = "a positive finite number" if positive else "finite"
        msg = f"`{name}` must be {need}; got {bad}"
        raise InvalidInputError(msg)
    return a


def _in_range(
    model: PathLossModel, name: str, value: NDArray[np.float64], rng: tuple[float, float] | None, *, extrapolate: bool
) -> bool:
    """Return True when ``value`` is outside ``rng`` (raise unless ``extrapolate``)."""
    if rng is None:
        return False
    lo, hi = rng
    outside = bool(np.any(value < lo - 1e-12) or np.any(value > hi + 1e-12))
    if outside and not extrapolate:
        bad = value[(value < lo) | (value > hi)].ravel()[0] if value.ndim else float(value)
        msg = f"`{name}` must be in [{lo:g}, {hi:g}] for the {model.value} model; got {bad:g}"
        raise OutOfRangeError(msg)
    return outside


def _out(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(x) if np.ndim(x) == 0 else x


def _check_freq(model: PathLossModel, freq: NDArray[np.float64], *, extrapolate: bool) -> bool:
    return _in_range(model, "freq_mhz", freq, VALIDITY[model].freq_mhz, extrapolate=extrapolate)


# ---------------------------------------------------------------- free space


def fspl_db(freq_mhz: ArrayLike, distance_km: ArrayLike) -> NDArray[np.float64] | float:
    """Free-space path loss in dB (vectorised).

    ``FSPL = 32.45 + 20 log10(d_km) + 20 log10(f_MHz)`` (= 20 log10(4 π d / λ);
    the exact constant with c = 299 792 458 m/s is 32.44). 10 km at 10 GHz ->
    132.45 dB (NTIA ITM example output: "Free Space 132.4 dB"); 1 km at 1800 MHz -> 97.56 dB.
    """
    f = _arr("freq_mhz", freq_mhz)
    d = _arr("distance_km", distance_km)
    return _out(32.45 + 20.0 * np.log10(d) + 20.0 * np.log10(f))


# ---------------------------------------------------------------- Hata family

LARGE_CITY_SWITCH_MHZ = 300.0


def _a_hm_small(f: NDArray[np.float64], hm: NDArray[np.float64]) -> NDArray[np.float64]:
    lf = np.log10(f)
    return (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)


def _a_hm_large(f: NDArray[np.float64], hm: NDArray[np.float64]) -> NDArray[np.float64]:
    low = 8.29 * np.log10(1.54 * hm) ** 2 - 1.1
    high = 3.2 * np.log10(11.75 * hm) ** 2 - 4.97
    return np.where(f < LARGE_CITY_SWITCH_MHZ, low, high)


def _env(environment: Environment | str) -> Environment:
    try:
        return Environment(str(environment).strip().lower())
    except ValueError:
        names = ", ".join(e.value for e in Environment)
        msg = f"`environment` must be one of {names}; got {environment!r}"
        raise InvalidInputError(msg) from None


def hata_loss_db(
    freq_mhz: ArrayLike,
    distance_km: ArrayLike,
    *,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike,
    environment: Environment | str = Environment.URBAN,
    extrapolate: bool = False,
) -> NDArray[np.float64] | float:
    """Okumura-Hata median path loss in dB (vectorised).

    ``Lu = 69.55 + 26.16 log f - 13.82 log hb - a(hm) + (44.9 - 6.55 log hb) log d``
    with ``a(hm)`` of a small/medium city ``(1.1 log f - 0.7) hm - (1.56 log f - 0.8)``
    or a large city ``8.29 (log 1.54 hm)^2 - 1.1`` (f < 300 MHz) /
    ``3.2 (log 11.75 hm)^2 - 4.97`` (f >= 300 MHz; Hata defines ≤ 200 and ≥ 400 MHz,
    the planner switches at 300 MHz). Suburban ``Lu - 2 [log(f/28)]^2 - 5.4``
    and open ``Lu - 4.78 (log f)^2 + 18.33 log f - 40.94`` on the small-city base
    (ns-3's open-area vector 110.21 dB uses 4.70 and is wrong; 109.52 dB is right).

    Parameters
    ----------
    freq_mhz
        150-1500 MHz.
    distance_km
        1-20 km.
    base_height_m
        Effective base-station antenna height, 30-200 m.
    mobile_height_m
        Mobile (camera CPE) antenna height, 1-10 m.
    environment
        ``urban`` (small/medium city), ``urban-large``/``metropolitan`` (large city),
        ``suburban`` or ``open``.
    extrapolate
        Compute outside the validity range instead of raising :class:`OutOfRangeError`.
    """
    m = PathLossModel.HATA
    v = VALIDITY[m]
    f = _arr("freq_mhz", freq_mhz)
    d = _arr("distance_km", distance_km)
    hb = _arr("base_height_m", base_height_m)
    hm = _arr("mobile_height_m", mobile_height_m)
    env = _env(environment)
    if env in (Environment.LOS, Environment.NLOS):
        msg = f"`environment` must be urban, urban-large, suburban or open for Hata; got {env.value!r}"
        raise InvalidInputError(msg)
    _check_freq(m, f, extrapolate=extrapolate)
    _in_range(m, "distance_km", d, v.distance_km, extrapolate=extrapolate)
    _in_range(m, "base_height_m", hb, v.base_height_m, extrapolate=extrapolate)
    _in_range(m, "mobile_height_m", hm, v.mobile_height_m, extrapolate=extrapolate)
    lf = np.log10(f)
    large = env in (Environment.URBAN_LARGE, Environment.METROPOLITAN)
    a = _a_hm_large(f, hm) if large else _a_hm_small(f, hm)
    lu = 69.55 + 26.16 * lf - 13.82 * np.log10(hb) - a + (44.9 - 6.55 * np.log10(hb)) * np.log10(d)
    if env is Environment.SUBURBAN:
        lu = lu - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    elif env is Environment.OPEN:
        lu = lu - 4.78 * lf**2 + 18.33 * lf - 40.94
    return _out(lu)


#: COST-231 metropolitan-centre correction ``Cm`` per environment (COST 231 final report §4.4.1).
COST231_CM_DB: dict[Environment, float] = {
    Environment.URBAN: 0.0,
    Environment.SUBURBAN: 0.0,
    Environment.METROPOLITAN: 3.0,
    Environment.URBAN_LARGE: 3.0,
}

#: Models tried, in order, when the planner picks one for a frequency (:func:`model_for_frequency`).
AUTO_MODEL_ORDER: tuple[PathLossModel, ...] = (PathLossModel.HATA, PathLossModel.COST231, PathLossModel.UMA)


def model_for_frequency(freq_mhz: float) -> PathLossModel:
    """The empirical model whose validity range (:data:`VALIDITY`) holds ``freq_mhz``.

    Okumura-Hata for 150-1500 MHz, COST-231 Hata above 1500 up to 2000 MHz, 3GPP
    TR 38.901 UMa otherwise (also below 150 MHz, where it is extrapolated: the
    caller's validity check reports it). The one place the frequency-to-model
    choice is made.
    """
    f = float(freq_mhz)
    for m in AUTO_MODEL_ORDER:
        lo, hi = VALIDITY[m].freq_mhz
        if lo <= f <= hi:
            return m
    return PathLossModel.UMA


def cost231_loss_db(
    freq_mhz: ArrayLike,
    distance_km: ArrayLike,
    *,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike,
    environment: Environment | str = Environment.URBAN,
    extrapolate: bool = False,
) -> NDArray[np.float64] | float:
    """COST-231 Hata path loss in dB (vectorised), 1500-2000 MHz.

    The standard form (COST Action 231 final report, Damosso ed. 1999, §4.4.1):
    ``L = 46.3 + 33.9 log f - 13.82 log hb - a(hm) + (44.9 - 6.55 log hb) log d + Cm``
    with the medium-city ``a(hm) = (1.1 log f - 0.7) hm - (1.56 log f - 0.8)`` in
    every environment and ``Cm = 0 dB`` for ``urban`` (medium-sized city) and
    ``suburban``, ``Cm = 3 dB`` for ``metropolitan`` centres (``urban-large`` is
    the same). COST 231 defines no large-city ``a(hm)``: using Hata's large-city
    correction instead (as some tools do) adds 7 dB at a 6 m camera pole.
    1800 MHz, 3 km, hb 35 m, hm 6 m, metropolitan: 141.91 dB.
    ``open`` is not defined for COST-231 (use Hata).
    """
    m = PathLossModel.COST231
    v = VALIDITY[m]
    f = _arr("freq_mhz", freq_mhz)
    d = _arr("distance_km", distance_km)
    hb = _arr("base_height_m", base_height_m)
    hm = _arr("mobile_height_m", mobile_height_m)
    env = _env(environment)
    if env not in (Environment.URBAN, Environment.SUBURBAN, Environment.URBAN_LARGE, Environment.METROPOLITAN):
        msg = f"`environment` must be urban, suburban, urban-large or metropolitan for COST-231; got {env.value!r}"
        raise InvalidInputError(msg)
    _check_freq(m, f, extrapolate=extrapolate)
    _in_range(m, "distance_km", d, v.distance_km, extrapolate=extrapolate)
    _in_range(m, "base_height_m", hb, v.base_height_m, extrapolate=extrapolate)
    _in_range(m, "mobile_height_m", hm, v.mobile_height_m, extrapolate=extrapolate)
    a = _a_hm_small(f, hm)
    cm = COST231_CM_DB[env]
    loss = (
        46.3 + 33.9 * np.log10(f) - 13.82 * np.log10(hb) - a + (44.9 - 6.55 * np.log10(hb)) * np.log10(d) + cm
    )
    return _out(loss)


# ---------------------------------------------------------------- 3GPP TR 38.901


def tr38901_loss_db(
    freq_mhz: ArrayLike,
    distance_2d_m: ArrayLike,
    *,
    scenario: str,
    los: bool,
    bs_height_m: ArrayLike,
    ut_height_m: ArrayLike = 1.5,
    extrapolate: bool = False,
) -> NDArray[np.float64] | float:
    """3GPP TR 38.901 UMa / UMi street-canyon path loss in dB (Table 7.4.1-1), no shadowing.

    ``d3D = sqrt(d2D^2 + (hBS - hUT)^2)``, breakpoint ``d'BP = 4 h'BS h'UT fc / c`` with
    ``h' = h - 1 m``. UMa LOS ``28.0 + 22 log d3D + 20 log fc`` up to d'BP, then
    ``28.0 + 40 log d3D + 20 log fc - 9 log(d'BP^2 + (hBS - hUT)^2)``; UMa NLOS
    ``max(LOS, 13.54 + 39.08 log d3D + 20 log fc - 0.6 (hUT - 1.5))``. UMi LOS
    ``32.4 + 21 log d3D + 20 log fc`` / ``32.4 + 40 log d3D + 20 log fc - 9.5 log(...)``;
    UMi NLOS ``max(LOS, 22.4 + 35.3 log d3D + 21.3 log fc - 0.3 (hUT - 1.5))``.
    fc in GHz, distances in m.

    Parameters
    ----------
    freq_mhz
        500-100 000 MHz.
    distance_2d_m
        Horizontal distance, 10 m-5 km.
    scenario
        ``"uma"`` or ``"umi"``.
    los
        Line of sight (True) or not.
    bs_height_m
        Base-station height (UMa nominal 25 m, UMi 10 m).
    ut_height_m
        User-terminal (camera CPE) height, 1.5-22.5 m.
    extrapolate
        Compute outside the distance/height range instead of raising.
    """
    sc = str(scenario).strip().lower()
    if sc not in ("uma", "umi"):
        msg = f"`scenario` must be 'uma' or 'umi'; got {scenario!r}"
        raise InvalidInputError(msg)
    m = PathLossModel(sc)
    v = VALIDITY[m]
    f = _arr("freq_mhz", freq_mhz)
    d2 = _arr("distance_2d_m", distance_2d_m)
    hbs = _arr("bs_height_m", bs_height_m)
    hut = _arr("ut_height_m", ut_height_m)
    _check_freq(m, f, extrapolate=extrapolate)
    assert v.distance_km is not None
    _in_range(m, "distance_2d_m", d2, (v.distance_km[0] * 1e3, v.distance_km[1] * 1e3), extrapolate=extrapolate)
    _in_range(m, "ut_height_m", hut, v.mobile_height_m, extrapolate=extrapolate)
    if np.any(hbs <= hut):
        msg = f"`bs_height_m` must be above `ut_height_m`; got {float(np.min(hbs)):g} <= {float(np.max(hut)):g}"
        raise InvalidInputError(msg)
    fc = f / 1e3
    d3 = np.sqrt(d2**2 + (hbs - hut) ** 2)
    dbp = 4.0 * (hbs - 1.0) * (hut - 1.0) * fc * 1e9 / 3.0e8  # TR 38.901 uses c = 3.0e8 m/s
    lf = 20.0 * np.log10(fc)
    if m is PathLossModel.UMA:
        pl1 = 28.0 + 22.0 * np.log10(d3) + lf
        pl2 = 28.0 + 40.0 * np.log10(d3) + lf - 9.0 * np.log10(dbp**2 + (hbs - hut) ** 2)
    else:
        pl1 = 32.4 + 21.0 * np.log10(d3) + lf
        pl2 = 32.4 + 40.0 * np.log10(d3) + lf - 9.5 * np.log10(dbp**2 + (hbs - hut) ** 2)
    pl_los = np.where(d2 <= dbp, pl1, pl2)
    if los:
        return _out(pl_los)
    if m is PathLossModel.UMA:
        nlos = 13.54 + 39.08 * np.log10(d3) + lf - 0.6 * (hut - 1.5)
    else:
        nlos = 22.4 + 35.3 * np.log10(d3) + 21.3 * np.log10(fc) - 0.3 * (hut - 1.5)
    return _out(np.maximum(pl_los, nlos))


# ---------------------------------------------------------------- ITM (Longley-Rice)

#: ITM climate codes.
ITM_CLIMATES = {
    1: "equatorial",
    2: "continental subtropical",
    3: "maritime subtropical",
    4: "desert",
    5: "continental temperate",
    6: "maritime temperate over land",
    7: "maritime temperate over sea",
}

#: Typical terrain irregularity Δh (m) for area mode (ITS / Longley-Rice documentation).
TERRAIN_IRREGULARITY_M = {
    "flat": 0.0,
    "plains": 30.0,
    "hills": 90.0,
    "average": 90.0,
    "mountains": 200.0,
    "rugged_mountains": 500.0,
}

_ITM_WARNINGS = {
    1: "ITM: some parameters are near the limits of the model",
    2: "ITM: default parameter values were substituted",
    3: "ITM: a combination of parameters is out of range; treat the result with caution",
}


#: ITM ground constants (relative permittivity, conductivity S/m) by ground type, from the ITM
#: documentation (Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the algorithm", NTIA/ITS).
ITM_GROUND: dict[str, tuple[float, float]] = {
    "average": (15.0, 0.005),
    "poor": (4.0, 0.001),
    "good": (25.0, 0.020),
    "fresh-water": (81.0, 0.010),
    "sea-water": (81.0, 5.0),
}

#: ITM modes of variability (``mdvar``); +10 removes location variability, +20 situation variability.
ITM_MDVAR = {0: "single message", 1: "accidental", 2: "mobile", 3: "broadcast"}


@dataclass(frozen=True)
class ItmParams:
    """The ITM (Longley-Rice) settings shared by area and point-to-point mode.

    Attributes
    ----------
    polarization
        ``vertical`` or ``horizontal``.
    permittivity, conductivity_s_m
        Ground constants (average ground 15, 0.005 S/m; see :data:`ITM_GROUND`).
    refractivity_n0
        Surface refractivity reduced to sea level, N-units (301 continental temperate). In
        point-to-point mode ITM scales it to the path, ``N_s = N_0 exp(-z_sys / 9460)``.
    surface_refractivity_ns
        Surface refractivity N_s itself; when given it is used as is (no elevation scaling)
        and ``refractivity_n0`` is ignored (NTIA's QKPFL inputs give N_s = 314).
    climate
        Radio climate 1-7 (5 continental temperate, :data:`ITM_CLIMATES`).
    mdvar
        Mode of variability 0-3 (single message, accidental, mobile, broadcast), +10 to
        remove location variability, +20 situation variability; ``None``: 3 in area
        mode, 1 in point-to-point mode.
    time_pct, confidence_pct
        Time (reliability) and situation (confidence) quantiles, %.
    location_pct
        Location quantile, %; only meaningful in broadcast mode (``mdvar`` 3, location
        variability kept). ``None`` means 50 %. Giving it where ITM folds locations into
        another quantile (mdvar 0-2) or removes them (+10) is refused, not ignored.
    """

    polarization: str = "vertical"
    permittivity: float = 15.0
    conductivity_s_m: float = 0.005
    refractivity_n0: float = 301.0
    surface_refractivity_ns: float | None = None
    climate: int = 5
    mdvar: int | None = None
    time_pct: float = 50.0
    location_pct: float | None = None
    confidence_pct: float = 50.0

    def __post_init__(self) -> None:
        pol = str(self.polarization).strip().lower()
        if pol not in ("vertical", "horizontal"):
            msg = f"`polarization` must be 'vertical' or 'horizontal'; got {self.polarization!r}"
            raise InvalidInputError(msg)
        object.__setattr__(self, "polarization", pol)
        require_in_range("permittivity", self.permittivity, 1.0, None)
        require_in_range("conductivity_s_m", self.conductivity_s_m, 0.0, None, low_open=True, unit="S/m")
        require_in_range("refractivity_n0", self.refractivity_n0, 250.0, 400.0, unit="N-units")
        if self.surface_refractivity_ns is not None:
            require_in_range("surface_refractivity_ns", self.surface_refractivity_ns, 250.0, 400.0, unit="N-units")
        if isinstance(self.climate, bool) or int(self.climate) != self.climate or int(self.climate) not in ITM_CLIMATES:
            msg = f"`climate` must be 1-7 ({', '.join(f'{k} {v}' for k, v in ITM_CLIMATES.items())}); got {self.climate}"
            raise InvalidInputError(msg)
        if self.mdvar is not None and (
            int(self.mdvar) != self.mdvar or not 0 <= int(self.mdvar) <= 33 or int(self.mdvar) % 10 not in ITM_MDVAR
        ):
            msg = f"`mdvar` must be 0-3 (+10 no location variability, +20 no situation variability); got {self.mdvar}"
            raise InvalidInputError(msg)
        for name in ("time_pct", "confidence_pct", "location_pct"):
            value = getattr(self, name)
            if value is not None:
                require_in_range(name, value, 0.0, 100.0, low_open=True, high_open=True, unit="%")
        if self.mdvar is not None and self.location_pct is not None:
            kdv = int(self.mdvar) % 20
            if kdv >= 10:
                msg = (f"`location_pct` has no effect with mdvar {self.mdvar} (+10 removes location variability, "
                       "as in point-to-point paths whose ends are known); drop it or use mdvar 3")
                raise InvalidInputError(msg)
            if kdv != 3:
                msg = (f"`location_pct` has no effect with mdvar {self.mdvar} ({ITM_MDVAR[kdv]}: ITM folds the "
                       f"location quantile into the {'time' if kdv == 2 else 'confidence'} quantile); "
                       "drop it or use mdvar 3 (broadcast)")
                raise InvalidInputError(msg)

    def resolved(self, default_mdvar: int) -> ItmParams:
        """A copy with ``mdvar`` set (``default_mdvar`` when None), re-validated."""
        return dataclasses.replace(self, mdvar=default_mdvar if self.mdvar is None else int(self.mdvar))


def _itm_params(params: ItmParams | dict[str, Any] | None, overrides: dict[str, Any]) -> ItmParams:
    base = params if isinstance(params, ItmParams) else ItmParams(**(params or {}))
    if not overrides:
        return base
    unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(ItmParams)})
    if unknown:
        msg = f"unknown ITM option(s) {', '.join(unknown)}"
        raise InvalidInputError(msg)
    return dataclasses.replace(base, **overrides)


@dataclass(frozen=True)
class ItmResult:
    """ITM basic transmission loss and its intermediate values.

    Attributes
    ----------
    loss_db
        Basic transmission loss at the requested quantiles, dB.
    free_space_db
        Free-space loss, dB.
    reference_attenuation_db
        Median attenuation relative to free space (A_ref), dB.
    distance_km
        Path length.
    mode
        Dominant propagation mode: ``line_of_sight`` (the path is inside both
        horizons), ``diffraction`` or ``troposcatter`` (NTIA ITM's rule).
    path_type
        ``line_of_sight``, ``single_horizon`` or ``double_horizon``: the path length
        against the sum of the horizon distances.
    horizon_distances_m
        Horizon distance from each terminal (from the terrain in point-to-point mode).
    effective_heights_m
        Effective antenna heights.
    terrain_irregularity_m
        Δh used (input in area mode, from the profile in point-to-point mode).
    surface_refractivity_n
        N_s used.
    k_factor
        Effective Earth-radius factor from N_s.
    params
        The ITM settings used (``mdvar`` resolved).
    warning_code
        ITM ``kwx`` (0 none, 1-3 warnings).
    warnings
        Human-readable warnings.
    """

    loss_db: float
    free_space_db: float
    reference_attenuation_db: float
    distance_km: float
    mode: str
    path_type: str
    horizon_distances_m: tuple[float, float]
    effective_heights_m: tuple[float, float]
    terrain_irregularity_m: float
    surface_refractivity_n: float
    k_factor: float
    params: ItmParams
    warning_code: int
    warnings: tuple[str, ...]


def _itm_import() -> Any:
    try:
        from itmlogic.lrprop import lrprop
        from itmlogic.misc.qerfi import qerfi
        from itmlogic.preparatory_subroutines.qlra import qlra
        from itmlogic.preparatory_subroutines.qlrpfl import qlrpfl
        from itmlogic.statistics.avar import avar
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "the `itm` model needs the optional `itmlogic` package (pip install 'planner[radio]')"
        raise InvalidInputError(msg) from exc
    return lrprop, qerfi, qlra, qlrpfl, avar


def _itm_common(*, freq_mhz: float, tx_height_m: float, rx_height_m: float, params: ItmParams,
                zsys_m: float) -> dict[str, Any]:
    m = PathLossModel.ITM
    v = VALIDITY[m]
    f = _arr("freq_mhz", freq_mhz)
    _check_freq(m, f, extrapolate=False)
    for name, val, rng in (
        ("tx_height_m", tx_height_m, v.base_height_m),
        ("rx_height_m", rx_height_m, v.mobile_height_m),
    ):
        _in_range(m, name, _arr(name, val), rng, extrapolate=False)
    assert params.mdvar is not None
    prop: dict[str, Any] = {
        "hg": [float(tx_height_m), float(rx_height_m)],
        "fmhz": float(freq_mhz),
        "eps": float(params.permittivity),
        "sgm": float(params.conductivity_s_m),
        "ipol": 1 if params.polarization == "vertical" else 0,
        "klim": int(params.climate),
        "klimx": int(params.climate),
        "mdvarx": int(params.mdvar),
        "kwx": 0,
        "gma": 157e-9,
    }
    prop["wn"] = prop["fmhz"] / 47.7
    if params.surface_refractivity_ns is not None:
        ens = float(params.surface_refractivity_ns)
    else:
        ens = float(params.refractivity_n0)
        if zsys_m != 0:
            ens *= math.exp(-zsys_m / 9460.0)
    prop["ens0"] = ens if params.surface_refractivity_ns is not None else float(params.refractivity_n0)
    prop["ens"] = ens
    prop["gme"] = prop["gma"] * (1 - 0.04665 * math.exp(ens / 179.3))
    zq = complex(prop["eps"], 376.62 * prop["sgm"] / prop["wn"])
    zgnd = np.sqrt(zq - 1)  # complex square root (itmlogic's area test drops the imaginary part)
    if prop["ipol"] != 0:
        zgnd = zgnd / zq
    prop["zgnd"] = zgnd
    return prop


def _itm_finish(prop: dict[str, Any], *, avar: Any, qerfi: Any, params: ItmParams) -> ItmResult:
    kwx = int(prop.get("kwx", 0))
    if kwx >= 4:
        msg = (
            f"ITM parameters out of range (kwx=4): `distance_km` {prop['dist'] / 1e3:g}, "
            f"`freq_mhz` {prop['fmhz']:g}, heights {prop['hg']}"
        )
        raise OutOfRangeError(msg)
    loc = 50.0 if params.location_pct is None else params.location_pct
    zt, zl, zc = qerfi([params.time_pct / 100.0, loc / 100.0, params.confidence_pct / 100.0])
    a, prop = avar(zt, zl, zc, prop)
    db = 8.685890
    fs = db * math.log(2 * prop["wn"] * prop["dist"])
    # NTIA ITM (qkpfl / point_to_point): the path type compares the length with the sum of
    # the horizon distances dl (terrain horizons in point-to-point mode), not with the
    # smooth-earth dlsa that bounds the line-of-sight attenuation formula.
    dist, dla = float(prop["dist"]), float(prop["dl"][0] + prop["dl"][1])
    q = int(dist - dla)
    if q < 0:
        path_type = mode = "line_of_sight"
    else:
        path_type = "single_horizon" if q == 0 else "double_horizon"
        mode = "diffraction" if dist <= prop["dlsa"] or dist <= prop["dx"] else "troposcatter"
    kwx = int(prop.get("kwx", kwx))
    warnings = tuple(_ITM_WARNINGS[k] for k in (1, 2, 3) if k == kwx)
    return ItmResult(
        loss_db=float(fs + a),
        free_space_db=float(fs),
        reference_attenuation_db=float(prop["aref"]),
        distance_km=dist / 1e3,
        mode=mode,
        path_type=path_type,
        horizon_distances_m=(float(prop["dl"][0]), float(prop["dl"][1])),
        effective_heights_m=(float(prop["he"][0]), float(prop["he"][1])),
        terrain_irregularity_m=float(prop["dh"]),
        surface_refractivity_n=float(prop["ens"]),
        k_factor=float(prop["gma"] / prop["gme"]),
        params=params,
        warning_code=kwx,
        warnings=warnings,
    )


def itm_area_loss(
    distance_km: float,
    *,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    terrain_irregularity_m: float = 90.0,
    siting: tuple[int, int] = (0, 0),
    params: ItmParams | dict[str, Any] | None = None,
    **options: Any,
) -> ItmResult:
    """ITM (Longley-Rice 1.2.2) area-mode basic transmission loss, via :mod:`itmlogic`.

    Without a terrain profile the terrain is described by its irregularity
    ``terrain_irregularity_m`` (Δh, the interdecile range of elevations):
    0 flat/water, 30 plains, 90 hills or "average terrain" (the ITM default),
    200 mountains, 500 rugged mountains. Loss = free space + A_ref + variability
    at the requested time/location/confidence quantiles.

    Parameters
    ----------
    distance_km
        1-2000 km.
    freq_mhz
        20-20 000 MHz.
    tx_height_m, rx_height_m
        Structural antenna heights above ground, 0.5-3000 m.
    terrain_irregularity_m
        Δh in m (>= 0).
    siting
        Siting criterion per terminal: 0 random, 1 careful, 2 very careful.
    params
        :class:`ItmParams` (``mdvar`` default 3, broadcast).
    **options
        Fields of :class:`ItmParams` overriding ``params`` (``climate=5``, ...).

    Examples
    --------
    NTIA ITM area example (3 m / 3 m, 10 km, 10 GHz, Δh 0, 90 % time) gives 147.0 dB.
    """
    lrprop, qerfi, qlra, _, avar = _itm_import()
    p = _itm_params(params, options).resolved(3)
    d = float(_arr("distance_km", distance_km))
    dh = require_in_range("terrain_irregularity_m", terrain_irregularity_m, 0.0, None, unit="m")
    _in_range(PathLossModel.ITM, "distance_km", np.asarray(d), VALIDITY[PathLossModel.ITM].distance_km, extrapolate=False)
    if len(siting) != 2 or any(int(s) not in (0, 1, 2) for s in siting):
        msg = f"`siting` must be two of 0 (random), 1 (careful), 2 (very careful); got {siting}"
        raise InvalidInputError(msg)
    prop = _itm_common(freq_mhz=freq_mhz, tx_height_m=tx_height_m, rx_height_m=rx_height_m, params=p, zsys_m=0.0)
    prop["dh"] = dh
    prop["lvar"] = 5
    prop = qlra([int(siting[0]), int(siting[1])], prop)
    prop["lvar"] = max(1, prop["lvar"])
    prop = lrprop(d * 1e3, prop)
    return _itm_finish(prop, avar=avar, qerfi=qerfi, params=p)


def regular_profile(
    distance_m: ArrayLike, elevation_m: ArrayLike, *, tolerance_m: float = 0.5, name: str = "profile"
) -> tuple[NDArray[np.float64], float, bool]:
    """Equally spaced elevations for ITM from a ``(distance, elevation)`` profile.

    Distances must increase strictly. When every distance lies within
    ``tolerance_m`` of the uniform grid from the first to the last (distances
    rounded to the metre: 0, 26, 51, 77 ... for a 25.6 m step), the elevations are
    used as they are with ``step = (last - first) / (n - 1)``; otherwise they are
    linearly resampled onto that grid.

    Returns
    -------
    elevations, step_m, resampled

    Raises
    ------
    InvalidInputError
        Fewer than 3 points, non-finite values, or distances that do not increase.
    """
    x = _arr(f"{name} distance_m", distance_m, positive=False).ravel()
    z = _arr(f"{name} elevation_m", elevation_m, positive=False).ravel()
    if x.size != z.size or x.size < 3:
        msg = f"`{name}` must hold at least 3 (distance, elevation) points; got {min(x.size, z.size)}"
        raise InvalidInputError(msg)
    steps = np.diff(x)
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        msg = f"`{name}` distances must increase; point {i + 2} ({x[i + 1]:g} m) follows {x[i]:g} m"
        raise InvalidInputError(msg)
    n = x.size - 1
    step = float((x[-1] - x[0]) / n)
    grid = x[0] + step * np.arange(n + 1)
    if float(np.max(np.abs(x - grid))) <= float(tolerance_m) + 1e-9:
        return z.astype(float), step, False
    return np.interp(grid, x, z), step, True


def itm_p2p_loss(
    elevation_m: ArrayLike,
    *,
    step_m: float,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    params: ItmParams | dict[str, Any] | None = None,
    **options: Any,
) -> ItmResult:
    """ITM (Longley-Rice 1.2.2) point-to-point loss over a terrain profile, via :mod:`itmlogic`.

    The profile is ``elevation_m[0]`` at the transmitter to ``elevation_m[-1]``
    at the receiver, equally spaced by ``step_m`` (see :func:`regular_profile`).
    Unless ``surface_refractivity_ns`` is given, the surface refractivity is
    scaled by the mean elevation of the middle of the profile,
    ``N_s = N_0 exp(-z_sys / 9460)`` (as NTIA ITM does). NTIA's example
    (``pfl.txt``, 3.635 km, 3500 MHz, 15 m / 3 m) gives 114.5 dB; NTIA's QKPFL
    test 1 (Crystal Palace to Mursley, 77.8 km, 41.5 MHz) is a double-horizon
    diffraction path of 135.8 dB median.

    Parameters
    ----------
    elevation_m
        At least 3 equally spaced terrain heights, m.
    step_m
        Spacing between profile points, m.
    freq_mhz, tx_height_m, rx_height_m
        As in :func:`itm_area_loss`.
    params, **options
        :class:`ItmParams` (``mdvar`` default 1, accidental) and field overrides.
    """
    _, qerfi, _, qlrpfl, avar = _itm_import()
    p = _itm_params(params, options).resolved(1)
    z = _arr("elevation_m", elevation_m, positive=False).ravel()
    if z.size < 3:
        msg = f"`elevation_m` must have at least 3 points; got {z.size}"
        raise InvalidInputError(msg)
    step = float(_arr("step_m", step_m))
    n = z.size - 1
    d_km = n * step / 1e3
    _in_range(
        PathLossModel.ITM, "distance_km", np.asarray(d_km), VALIDITY[PathLossModel.ITM].distance_km, extrapolate=False
    )
    pfl: list[float] = [float(n), step, *map(float, z)]
    ja = int(3.0 + 0.1 * n)
    jb = n - ja + 6
    zsys = float(np.mean(pfl[ja - 1 : jb]))
    prop = _itm_common(freq_mhz=freq_mhz, tx_height_m=tx_height_m, rx_height_m=rx_height_m, params=p, zsys_m=zsys)
    pfl[0] = int(n)  # itmlogic indexes with pfl[0]
    prop["pfl"] = pfl
    prop["lvar"] = 5
    prop = qlrpfl(prop)  # runs lrprop(0, prop) itself
    return _itm_finish(prop, avar=avar, qerfi=qerfi, params=p)


def max_range_km(
    mapl_db: ArrayLike,
    *,
    model: PathLossModel | str,
    freq_mhz: float,
    base_height_m: float,
    mobile_height_m: float,
    environment: Environment | str = Environment.URBAN,
    extrapolate: bool = False,
) -> NDArray[np.float64] | float:
    """Distance at which a Hata or COST-231 loss reaches ``mapl_db`` (inverse model).

    Both are log-linear in distance: ``d = 10 ** ((MAPL - L(1 km)) / (44.9 - 6.55 log10 hb))``.
    Pole CPE 6 m, mast 30 m: Hata 400 MHz large city, 130/140/150 dB -> 3.41/6.55/12.60 km.
    The result is checked against the model's 1-20 km range (raise unless ``extrapolate``).
    """
    m = PathLossModel(str(model).strip().lower())
    if m not in (PathLossModel.HATA, PathLossModel.COST231):
        msg = f"`model` must be hata or cost231 for an analytic range; got {m.value!r}"
        raise InvalidInputError(msg)
    fn = hata_loss_db if m is PathLossModel.HATA else cost231_loss_db
    loss = _arr("mapl_db", mapl_db)
    l1 = np.asarray(
        fn(freq_mhz, 1.0, base_height_m=base_height_m, mobile_height_m=mobile_height_m,
           environment=environment, extrapolate=extrapolate)
    )
    slope = 44.9 - 6.55 * np.log10(float(base_height_m))
    d = 10.0 ** ((loss - l1) / slope)
    _in_range(m, "distance_km", d, VALIDITY[m].distance_km, extrapolate=extrapolate)
    return _out(d)


# ---------------------------------------------------------------- dispatcher


@dataclass(frozen=True)
class PathLoss:
    """Result of :func:`path_loss`.

    Attributes
    ----------
    loss_db
        Median path loss, dB.
    model
        Model used.
    environment
        Environment used (None for free space / ITM).
    inputs
        The inputs, with units in the keys.
    validity
        The model's validity range as text.
    extrapolated
        True when an input was outside the validity range (computed anyway, not ``strict``).
    notes
        Remarks, the warnings included.
    warnings
        What the user must know: inputs outside the model's validity range.
    itm
        ITM's intermediate values (mode, path type, horizons, N_s ...), ITM only.
    """

    loss_db: float
    model: PathLossModel
    environment: str | None
    inputs: dict[str, Any]
    validity: str
    extrapolated: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    itm: ItmResult | None = None


def _validity_text(m: PathLossModel) -> str:
    v = VALIDITY[m]
    parts = [f"f {v.freq_mhz[0]:g}-{v.freq_mhz[1]:g} MHz"]
    if v.distance_km:
        parts.append(f"d {v.distance_km[0]:g}-{v.distance_km[1]:g} km")
    if v.base_height_m:
        parts.append(f"hb {v.base_height_m[0]:g}-{v.base_height_m[1]:g} m")
    if v.mobile_height_m:
        parts.append(f"hm {v.mobile_height_m[0]:g}-{v.mobile_height_m[1]:g} m")
    return f"{', '.join(parts)} ({v.source})"


def path_loss(
    model: PathLossModel | str,
    *,
    freq_mhz: float,
    distance_km: float,
    tx_height_m: float = 30.0,
    rx_height_m: float = 1.5,
    environment: Environment | str | None = None,
    extrapolate: bool = True,
    terrain_irregularity_m: float = 90.0,
    profile_elevation_m: Sequence[float] | NDArray[np.float64] | None = None,
    itm_options: dict[str, Any] | ItmParams | None = None,
    strict: bool = False,
) -> PathLoss:
    """Path loss of one link with any model, plus its validity notes.

    ``tx_height_m`` is the base-station / transmitter height, ``rx_height_m`` the
    camera CPE. ``environment`` defaults to ``urban`` (Hata, COST-231) or ``nlos``
    (UMa, UMi). For ``itm``, a ``profile_elevation_m`` (equally spaced over
    ``distance_km``) selects point-to-point mode; without one, area mode with
    ``terrain_irregularity_m`` (Δh) is used; ``itm_options`` is an
    :class:`ItmParams` (or a dict of its fields).

    An input outside the empirical models' validity range (frequency, distance,
    heights) is computed anyway and reported in ``warnings`` (and
    ``extrapolated``), unless ``strict`` (or ``extrapolate=False``), which raises
    :class:`OutOfRangeError`. ITM always refuses out-of-range inputs (its
    algorithm is undefined there).
    """
    extrapolate = extrapolate and not strict
    try:
        m = PathLossModel(str(model).strip().lower())
    except ValueError:
        names = ", ".join(x.value for x in PathLossModel)
        msg = f"`model` must be one of {names}; got {model!r}"
        raise InvalidInputError(msg) from None
    f = float(_arr("freq_mhz", freq_mhz))
    d = float(_arr("distance_km", distance_km))
    hb = float(_arr("tx_height_m", tx_height_m))
    hm = float(_arr("rx_height_m", rx_height_m))
    v = VALIDITY[m]
    notes: list[str] = []
    warns: list[str] = []
    inputs: dict[str, Any] = {"freq_mhz": f, "distance_km": d, "tx_height_m": hb, "rx_height_m": hm}
    env: Environment | None = None
    itm: ItmResult | None = None
    extrapolated = False

    def outside(name: str, value: float, rng: tuple[float, float] | None) -> None:
        nonlocal extrapolated
        if _in_range(m, name, np.asarray(value), rng, extrapolate=extrapolate):
            extrapolated = True
            assert rng is not None
            w = (f"`{name}` {value:g} is outside the {m.value} model's range [{rng[0]:g}, {rng[1]:g}]: "
                 "extrapolated, treat with caution (--strict refuses)")
            notes.append(w)
            warns.append(w)

    if m is PathLossModel.FSPL:
        loss = float(fspl_db(f, d))
    elif m in (PathLossModel.HATA, PathLossModel.COST231):
        env = _env(environment or Environment.URBAN)
        outside("freq_mhz", f, v.freq_mhz)
        outside("distance_km", d, v.distance_km)
        outside("tx_height_m", hb, v.base_height_m)
        outside("rx_height_m", hm, v.mobile_height_m)
        fn = hata_loss_db if m is PathLossModel.HATA else cost231_loss_db
        loss = float(fn(f, d, base_height_m=hb, mobile_height_m=hm, environment=env, extrapolate=True))
        if m is PathLossModel.HATA and env in (Environment.URBAN_LARGE, Environment.METROPOLITAN) and 200 < f < 400:
            notes.append("Hata defines no large-city a(hm) for 200-400 MHz; the planner switches at 300 MHz")
        if m is PathLossModel.COST231:
            if env not in COST231_CM_DB:
                msg = (f"`environment` must be urban, suburban, urban-large or metropolitan for COST-231; "
                       f"got {env.value!r}")
                raise InvalidInputError(msg)
            inputs["a_hm"] = "medium city (COST 231 standard form)"
            inputs["c_m_db"] = COST231_CM_DB[env]
            notes.append(f"COST 231 standard form: medium-city a(hm), Cm = {COST231_CM_DB[env]:g} dB")
    elif m in (PathLossModel.UMA, PathLossModel.UMI):
        env = _env(environment or Environment.NLOS)
        if env not in (Environment.LOS, Environment.NLOS):
            msg = f"`environment` must be 'los' or 'nlos' for {m.value}; got {env.value!r}"
            raise InvalidInputError(msg)
        assert v.distance_km is not None
        outside("freq_mhz", f, v.freq_mhz)
        outside("distance_km", d, v.distance_km)
        outside("rx_height_m", hm, v.mobile_height_m)
        nominal = 25.0 if m is PathLossModel.UMA else 10.0
        if abs(hb - nominal) > 1e-9:
            notes.append(f"TR 38.901 {m.value.upper()} is specified for hBS = {nominal:g} m; got {hb:g} m")
        loss = float(
            tr38901_loss_db(
                f, d * 1e3, scenario=m.value, los=env is Environment.LOS, bs_height_m=hb, ut_height_m=hm,
                extrapolate=True,
            )
        )
    else:  # ITM
        iparams = itm_options if isinstance(itm_options, ItmParams) else ItmParams(**dict(itm_options or {}))
        if profile_elevation_m is not None:
            z = np.asarray(profile_elevation_m, dtype=float)
            if z.size < 3:
                msg = f"`profile_elevation_m` must have at least 3 points; got {z.size}"
                raise InvalidInputError(msg)
            r = itm_p2p_loss(z, step_m=d * 1e3 / (z.size - 1), freq_mhz=f, tx_height_m=hb, rx_height_m=hm,
                             params=iparams)
            inputs["profile_points"] = int(z.size)
            notes.append(f"ITM point-to-point over the profile (Δh from profile {r.terrain_irregularity_m:.1f} m)")
        else:
            r = itm_area_loss(d, freq_mhz=f, tx_height_m=hb, rx_height_m=hm,
                              terrain_irregularity_m=terrain_irregularity_m, params=iparams)
            inputs["terrain_irregularity_m"] = float(terrain_irregularity_m)
            notes.append(
                f"ITM area mode with terrain irregularity Δh = {terrain_irregularity_m:g} m "
                "(0 flat, 30 plains, 90 hills/average, 200 mountains)"
            )
        itm = r
        rp = r.params
        inputs["itm"] = {
            "polarization": rp.polarization, "permittivity": rp.permittivity,
            "conductivity_s_m": rp.conductivity_s_m,
            "refractivity_n0": None if rp.surface_refractivity_ns is not None else rp.refractivity_n0,
            "surface_refractivity_ns": r.surface_refractivity_n, "climate": rp.climate,
            "climate_name": ITM_CLIMATES[rp.climate], "mdvar": rp.mdvar, "time_pct": rp.time_pct,
            "location_pct": rp.location_pct, "confidence_pct": rp.confidence_pct,
        }
        notes.append(f"path: {r.path_type.replace('_', ' ')}; horizons {r.horizon_distances_m[0] / 1e3:.1f} and "
                     f"{r.horizon_distances_m[1] / 1e3:.1f} km on {r.distance_km:.1f} km")
        notes.append(f"propagation mode: {r.mode}; free space {r.free_space_db:.1f} dB")
        notes.extend(r.warnings)
        if d < 1.0:
            notes.append("ITM is not meant for urban clutter below 1 km")
        loss = r.loss_db
    if env is not None:
        inputs["environment"] = env.value
    return PathLoss(
        loss_db=loss,
        model=m,
        environment=None if env is None else env.value,
        inputs=inputs,
        validity=_validity_text(m),
        extrapolated=extrapolated,
        notes=tuple(notes),
        warnings=tuple(warns),
        itm=itm,
    )


# ---------------------------------------------------------------- link budget


def thermal_noise_dbm(bandwidth_hz: ArrayLike, *, noise_figure_db: ArrayLike = 0.0) -> NDArray[np.float64] | float:
    """Receiver noise power ``N = -174 + 10 log10(B_Hz) + NF`` dBm (kT at 290 K).

    1 PRB (180 kHz) -> -121.45 dBm; 100 PRB (18 MHz) -> -101.45 dBm.
    """
    b = _arr("bandwidth_hz", bandwidth_hz)
    nf = _arr("noise_figure_db", noise_figure_db, positive=False)
    return _out(-174.0 + 10.0 * np.log10(b) + nf)


def prb_bandwidth_hz(prbs: ArrayLike) -> NDArray[np.float64] | float:
    """Occupied bandwidth of ``prbs`` LTE resource blocks, ``prbs * 180 kHz``."""
    p = _arr("prbs", prbs)
    return _out(p * PRB_HZ)


#: Attenuated-Shannon parameters (3GPP TR 36.942 Annex A; values to be checked against the spec).
SHANNON = {
    "ul": {"alpha": 0.4, "sinr_min_db": -10.0, "max_bps_hz": 2.0},
    "dl": {"alpha": 0.6, "sinr_min_db": -10.0, "max_bps_hz": 4.4},
}


def _shannon(link: str) -> dict[str, float]:
    key = str(link).strip().lower()
    if key not in SHANNON:
        msg = f"`link` must be 'ul' or 'dl'; got {link!r}"
        raise InvalidInputError(msg)
    return SHANNON[key]


def spectral_efficiency(sinr_db: ArrayLike, *, link: str = "ul") -> NDArray[np.float64] | float:
    """Attenuated-Shannon spectral efficiency in b/s/Hz (vectorised).

    ``0`` below SINR_min (-10 dB), ``alpha log2(1 + SINR)`` between, capped at
    ``max`` (UL: alpha 0.4, cap 2.0 b/s/Hz; DL: 0.6, 4.4). UL: 0 dB -> 0.400,
    10 dB -> 1.384, >= 15 dB -> 2.0.
    """
    p = _shannon(link)
    s = np.asarray(sinr_db, dtype=float)
    if np.any(np.isnan(s)):
        msg = "`sinr_db` must not contain NaN"
        raise InvalidInputError(msg)
    se = p["alpha"] * np.log2(1.0 + 10.0 ** (s / 10.0))
    se = np.minimum(se, p["max_bps_hz"])
    se = np.where(s < p["sinr_min_db"], 0.0, se)
    return _out(se)


def required_sinr_db(spectral_efficiency_bps_hz: ArrayLike, *, link: str = "ul") -> NDArray[np.float64] | float:
    """Inverse of :func:`spectral_efficiency`: SINR (dB) needed for a spectral efficiency.

    Returns ``inf`` where the efficiency is above the cap (impossible at any SINR).
    """
    p = _shannon(link)
    se = _arr("spectral_efficiency_bps_hz", spectral_efficiency_bps_hz)
    sinr = 10.0 * np.log10(2.0 ** (se / p["alpha"]) - 1.0)
    sinr = np.maximum(sinr, p["sinr_min_db"])
    return _out(np.where(se > p["max_bps_hz"] + 1e-12, np.inf, sinr))


@dataclass(frozen=True)
class LinkBudget:
    """Uplink link-budget parameters, camera CPE -> sector (typical planning defaults; LTE in Bullets, C. Johnson).

    Attributes
    ----------
    tx_power_dbm
        CPE transmit power (23 dBm, power class 3).
    tx_antenna_gain_dbi
        CPE antenna gain (8-14 dBi outdoor directional; 10 default).
    tx_cable_loss_db
        CPE cable loss.
    rx_antenna_gain_dbi
        Sector antenna gain (15-18 dBi; 17 default).
    rx_cable_loss_db
        Sector feeder/jumper loss (0-3 dB; 2 default).
    noise_figure_db
        eNodeB noise figure (2-3 dB).
    interference_margin_db
        Uplink interference margin (1-3 dB).
    shadow_margin_db
        Shadow-fading margin (8-9 dB for 90-95 % edge reliability).
    penetration_loss_db
        Building penetration (0 for outdoor cameras).
    body_loss_db
        Body loss (0 for cameras).
    other_losses_db
        Anything else (e.g. control-channel overhead).
    handover_gain_db
        Soft-handover / macro-diversity gain (subtracted from the margin).
    """

    tx_power_dbm: float = 23.0
    tx_antenna_gain_dbi: float = 10.0
    tx_cable_loss_db: float = 0.0
    rx_antenna_gain_dbi: float = 17.0
    rx_cable_loss_db: float = 2.0
    noise_figure_db: float = 3.0
    interference_margin_db: float = 3.0
    shadow_margin_db: float = 8.0
    penetration_loss_db: float = 0.0
    body_loss_db: float = 0.0
    other_losses_db: float = 0.0
    handover_gain_db: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "tx_cable_loss_db", "rx_cable_loss_db", "noise_figure_db", "interference_margin_db",
            "shadow_margin_db", "penetration_loss_db", "body_loss_db", "other_losses_db", "handover_gain_db",
        ):
            val = getattr(self, name)
            if not (math.isfinite(val) and val >= 0):
                msg = f"`{name}` must be a finite number >= 0; got {val}"
                raise InvalidInputError(msg)
        for name in ("tx_power_dbm", "tx_antenna_gain_dbi", "rx_antenna_gain_dbi"):
            if not math.isfinite(getattr(self, name)):
                msg = f"`{name}` must be finite; got {getattr(self, name)}"
                raise InvalidInputError(msg)

    @property
    def eirp_dbm(self) -> float:
        """``P_tx + G_tx - L_tx``."""
        return self.tx_power_dbm + self.tx_antenna_gain_dbi - self.tx_cable_loss_db

    @property
    def margins_db(self) -> float:
        """Sum of margins and losses between isotropic path loss and the link."""
        return (
            self.interference_margin_db
            + self.shadow_margin_db
            + self.penetration_loss_db
            + self.body_loss_db
            + self.other_losses_db
            - self.handover_gain_db
        )


def mapl_db(sinr_required_db: ArrayLike, *, bandwidth_hz: ArrayLike, budget: LinkBudget) -> NDArray[np.float64] | float:
    """Maximum allowable path loss for a required SINR over ``bandwidth_hz``.

    ``MAPL = EIRP + G_rx - L_rx - (N_kTB + NF + SINR_req) - IM - SFM - L_pen - L_body - L_other + G_HO``.
    LTE in Bullets Table 343 (500 kb/s, 96 subcarriers) -> 123.9 dB.
    """
    sinr = np.asarray(sinr_required_db, dtype=float)
    sens = np.asarray(thermal_noise_dbm(bandwidth_hz, noise_figure_db=budget.noise_figure_db)) + sinr
    out = budget.eirp_dbm + budget.rx_antenna_gain_dbi - budget.rx_cable_loss_db - sens - budget.margins_db
    return _out(out)


@dataclass(frozen=True)
class MaplResult:
    """MAPL for carrying a bitrate over a number of PRBs.

    Attributes
    ----------
    bitrate_mbps, prbs
        Inputs.
    required_se_bps_hz
        ``bitrate / (prbs * 180 kHz)``.
    sinr_required_db
        From the attenuated-Shannon mapping (inf if above the cap).
    sensitivity_dbm
        ``N_kTB + NF + SINR_req``.
    mapl_db
        Maximum allowable path loss (nan when infeasible).
    feasible
        False when the spectral efficiency is above the mapping's cap.
    """

    bitrate_mbps: float
    prbs: int
    required_se_bps_hz: float
    sinr_required_db: float
    sensitivity_dbm: float
    mapl_db: float
    feasible: bool


def uplink_mapl(bitrate_mbps: float, *, prbs: int, budget: LinkBudget | None = None, link: str = "ul") -> MaplResult:
    """MAPL for a camera stream of ``bitrate_mbps`` on ``prbs`` PRBs.

    4 Mb/s, 23 dBm + 10 dBi CPE, 17 dBi sector, 2 dB cable, NF 3, IM 3, SFM 8:
    25 PRB -> SINR 5.6 dB, sensitivity -98.8 dBm, MAPL 135.8 dB; 50 PRB -> 137.8 dB;
    10 PRB -> infeasible (2.22 b/s/Hz > 2.0 cap).
    """
    b = float(_arr("bitrate_mbps", bitrate_mbps))
    p = int(_arr("prbs", prbs))
    bud = budget or LinkBudget()
    bw = p * PRB_HZ
    se = b * 1e6 / bw
    sinr = float(required_sinr_db(se, link=link))
    feasible = math.isfinite(sinr)
    sens = float(thermal_noise_dbm(bw, noise_figure_db=bud.noise_figure_db)) + sinr
    mapl = float(mapl_db(sinr, bandwidth_hz=bw, budget=bud)) if feasible else float("nan")
    return MaplResult(b, p, se, sinr, sens, mapl, feasible)


@dataclass(frozen=True)
class UplinkThroughput:
    """Per-camera uplink results (arrays, one entry per camera).

    Attributes
    ----------
    rx_power_dbm
        Received power at the sector port after margins.
    sinr_db
        ``rx - N - IM`` (shadow/penetration margins included in rx).
    spectral_efficiency_bps_hz
        Attenuated Shannon.
    throughput_mbps
        ``SE * bandwidth``.
    """

    rx_power_dbm: NDArray[np.float64]
    sinr_db: NDArray[np.float64]
    spectral_efficiency_bps_hz: NDArray[np.float64]
    throughput_mbps: NDArray[np.float64]


def uplink_throughput(
    path_loss_db: ArrayLike,
    *,
    bandwidth_hz: ArrayLike,
    budget: LinkBudget | None = None,
    link: str = "ul",
) -> UplinkThroughput:
    """Achievable uplink throughput of cameras given their path loss (vectorised).

    ``Rx = EIRP + G_rx - L_rx - PL - (SFM + L_pen + L_body + L_other - G_HO)``;
    ``SINR = Rx - (N_kTB + NF) - IM``; ``SE = f(SINR)``; ``Thr = SE * B``.
    """
    bud = budget or LinkBudget()
    pl = _arr("path_loss_db", path_loss_db)
    bw = _arr("bandwidth_hz", bandwidth_hz)
    rx = (
        bud.eirp_dbm
        + bud.rx_antenna_gain_dbi
        - bud.rx_cable_loss_db
        - pl
        - (bud.margins_db - bud.interference_margin_db)
    )
    noise = np.asarray(thermal_noise_dbm(bw, noise_figure_db=bud.noise_figure_db))
    sinr = rx - noise - bud.interference_margin_db
    se = np.asarray(spectral_efficiency(sinr, link=link))
    return UplinkThroughput(
        rx_power_dbm=np.atleast_1d(rx),
        sinr_db=np.atleast_1d(sinr),
        spectral_efficiency_bps_hz=np.atleast_1d(se),
        throughput_mbps=np.atleast_1d(se * bw / 1e6),
    )


# ---------------------------------------------------------------- sector capacity


class DuplexMode(StrEnum):
    """FDD or TDD."""

    FDD = "fdd"
    TDD = "tdd"


#: LTE TDD UL/DL configurations (36.211 Table 4.2-2): frame pattern per configuration.
TDD_CONFIGS = {
    0: "DSUUUDSUUU",
    1: "DSUUDDSUUD",
    2: "DSUDDDSUDD",
    3: "DSUUUDDDDD",
    4: "DSUUDDDDDD",
    5: "DSUDDDDDDD",
    6: "DSUUUDSUUD",
}


def tdd_uplink_share(config: int) -> float:
    """Share of uplink subframes in an LTE TDD configuration (special subframes count as DL).

    cfg 0 -> 0.6, cfg 1 -> 0.4, cfg 2 -> 0.2, cfg 6 -> 0.5.
    """
    if int(config) not in TDD_CONFIGS:
        msg = f"`tdd_config` must be 0-6; got {config}"
        raise InvalidInputError(msg)
    return TDD_CONFIGS[int(config)].count("U") / 10.0


@dataclass(frozen=True)
class SectorCapacity:
    """Planning uplink capacity of one sector.

    Attributes
    ----------
    channel_mhz
        Channel width.
    duplex
        FDD or TDD.
    uplink_share
        1.0 for FDD, UL subframes / 10 for TDD.
    spectral_efficiency_bps_hz
        Sector-average UL spectral efficiency.
    average_mbps
        ``channel_mhz * SE * uplink_share``.
    planning_load
        Maximum planned utilisation (0.7 default).
    plannable_mbps
        ``average_mbps * planning_load``: what cameras may be given.
    """

    channel_mhz: float
    duplex: DuplexMode
    uplink_share: float
    spectral_efficiency_bps_hz: float
    average_mbps: float
    planning_load: float
    plannable_mbps: float

    def cameras_at(self, bitrate_mbps: float) -> int:
        """Whole cameras of ``bitrate_mbps`` that fit in :attr:`plannable_mbps`."""
        b = float(_arr("bitrate_mbps", bitrate_mbps))
        return int(math.floor(self.plannable_mbps / b + 1e-9))


def sector_uplink_capacity(
    channel_mhz: float,
    *,
    spectral_efficiency_bps_hz: float = 1.0,
    duplex: DuplexMode | str = DuplexMode.FDD,
    tdd_config: int = 1,
    planning_load: float = 0.7,
) -> SectorCapacity:
    """Sector uplink capacity for planning (3GPP TS 36.211 TDD configurations; planning load 70 %).

    ``average = channel_MHz * SE * UL share``; ``plannable = average * planning_load``.
    Sector-average UL SE for SIMO macro cells is 0.7-1.5 b/s/Hz, so 10 MHz FDD
    gives ~7-15 Mb/s; with 70 % load that is 3-5 cameras at 2 Mb/s.
    """
    ch = float(_arr("channel_mhz", channel_mhz))
    se = float(_arr("spectral_efficiency_bps_hz", spectral_efficiency_bps_hz))
    if se > 10:
        msg = f"`spectral_efficiency_bps_hz` must be at most 10; got {se:g}"
        raise OutOfRangeError(msg)
    try:
        dm = DuplexMode(str(duplex).strip().lower())
    except ValueError:
        msg = f"`duplex` must be 'fdd' or 'tdd'; got {duplex!r}"
        raise InvalidInputError(msg) from None
    load = require_in_range("planning_load", planning_load, 0.0, 1.0, low_open=True)
    share = 1.0 if dm is DuplexMode.FDD else tdd_uplink_share(tdd_config)
    avg = ch * se * share
    return SectorCapacity(ch, dm, share, se, avg, load, avg * load)


#: Peak PUSCH PHY rates from TBS (TS 36.213 Table 7.1.7.2.1-1), Mb/s, FDD.
PEAK_UL_PHY_MBPS = {
    (10.0, "16qam"): 25.456,
    (10.0, "64qam"): 36.696,
    (20.0, "16qam"): 51.024,
    (20.0, "64qam"): 75.376,
}


def peak_uplink_phy_mbps(channel_mhz: float, *, modulation: str = "16qam", tdd_config: int | None = None) -> float:
    """Peak uplink PHY rate (FDD from the TBS table; TDD times the UL share)."""
    key = (float(channel_mhz), str(modulation).strip().lower())
    if key not in PEAK_UL_PHY_MBPS:
        msg = f"`channel_mhz`/`modulation` must be 10 or 20 MHz with 16qam or 64qam; got {channel_mhz}, {modulation!r}"
        raise InvalidInputError(msg)
    peak = PEAK_UL_PHY_MBPS[key]
    return peak if tdd_config is None else peak * tdd_uplink_share(tdd_config)


# ---------------------------------------------------------------- microwave / geometry


def fresnel_radius_m(
    d1_km: ArrayLike, d2_km: ArrayLike, *, freq_mhz: float, zone: int = 1
) -> NDArray[np.float64] | float:
    """Radius of the n-th Fresnel zone, m: ``F_n = 17.32 sqrt(n d1 d2 / (f_GHz d))`` (d in km).

    A 10 km hop at 18 GHz has F1 = 6.46 m at mid-path.
    """
    a = _arr("d1_km", d1_km, positive=False)
    b = _arr("d2_km", d2_km, positive=False)
    if np.any(a < 0) or np.any(b < 0):
        msg = "`d1_km` and `d2_km` must be >= 0"
        raise InvalidInputError(msg)
    f = float(_arr("freq_mhz", freq_mhz))
    if int(zone) < 1:
        msg = f"`zone` must be >= 1; got {zone}"
        raise InvalidInputError(msg)
    d = a + b
    if np.any(d <= 0):
        msg = "`d1_km + d2_km` must be > 0"
        raise InvalidInputError(msg)
    return _out(17.32 * np.sqrt(int(zone) * a * b / ((f / 1e3) * d)))


def earth_bulge_m(d1_km: ArrayLike, d2_km: ArrayLike, *, k_factor: float = 4.0 / 3.0) -> NDArray[np.float64] | float:
    """Earth bulge above the chord at a point of the path, m: ``h = d1 d2 / (12.74 k)`` (km).

    Mid-path of 20 km with k = 4/3 -> 5.9 m.
    """
    a = _arr("d1_km", d1_km, positive=False)
    b = _arr("d2_km", d2_km, positive=False)
    k = float(_arr("k_factor", k_factor))
    return _out(a * b / (12.74 * k))


def radio_horizon_km(h1_m: ArrayLike, h2_m: ArrayLike = 0.0) -> NDArray[np.float64] | float:
    """Radio horizon for k = 4/3: ``d = 4.12 (sqrt(h1) + sqrt(h2))`` km (h in m)."""
    a = _arr("h1_m", h1_m, positive=False)
    b = _arr("h2_m", h2_m, positive=False)
    if np.any(a < 0) or np.any(b < 0):
        msg = "`h1_m` and `h2_m` must be >= 0"
        raise InvalidInputError(msg)
    return _out(4.12 * (np.sqrt(a) + np.sqrt(b)))


@dataclass(frozen=True)
class FresnelClearance:
    """Fresnel-zone clearance of a hop over a terrain/DSM profile.

    Attributes
    ----------
    clear
        True when every interior point clears ``clearance_fraction * F1``.
    min_clearance_ratio
        Minimum of ``clearance / F1`` over interior points (negative = LOS blocked).
    worst_distance_m
        Where that minimum occurs, from the transmitter.
    line_of_sight
        True when the straight line clears the (bulged) terrain.
    clearance_m
        Line height minus (terrain + bulge) at each point.
    f1_m
        First Fresnel radius at each point.
    bulge_m
        Earth bulge at each point.
    clearance_fraction, k_factor, freq_mhz
        Inputs.
    """

    clear: bool
    min_clearance_ratio: float
    worst_distance_m: float
    line_of_sight: bool
    clearance_m: NDArray[np.float64]
    f1_m: NDArray[np.float64]
    bulge_m: NDArray[np.float64]
    clearance_fraction: float
    k_factor: float
    freq_mhz: float


def fresnel_clearance(
    distance_m: ArrayLike,
    elevation_m: ArrayLike,
    *,
    tx_height_m: float,
    rx_height_m: float,
    freq_mhz: float,
    k_factor: float = 4.0 / 3.0,
    clearance_fraction: float = 0.6,
) -> FresnelClearance:
    """Check ``clearance_fraction * F1`` clearance of a microwave hop over a profile.

    The line runs from ``elevation_m[0] + tx_height_m`` to
    ``elevation_m[-1] + rx_height_m``; each interior point's obstacle height is
    terrain (or DSM) plus the earth bulge ``d1 d2 / (12.74 k)``; clearance is the
    line height minus the obstacle, compared with ``F1 = 17.32 sqrt(d1 d2 / (f d))``.
    Plan 0.6 F1 (SPLAT! default ``-fz 60``).
    """
    x = _arr("distance_m", distance_m, positive=False).ravel()
    z = _arr("elevation_m", elevation_m, positive=False).ravel()
    if x.size != z.size or x.size < 3:
        msg = f"`distance_m` and `elevation_m` must have the same length >= 3; got {x.size} and {z.size}"
        raise InvalidInputError(msg)
    if np.any(np.diff(x) <= 0) or x[0] < 0:
        msg = "`distance_m` must start at >= 0 and increase strictly"
        raise InvalidInputError(msg)
    cf = require_in_range("clearance_fraction", clearance_fraction, 0.0, 1.0, low_open=True)
    _arr("tx_height_m", tx_height_m, positive=False)
    _arr("rx_height_m", rx_height_m, positive=False)
    x = x - x[0]
    total = x[-1]
    d1 = x / 1e3
    d2 = (total - x) / 1e3
    bulge = np.asarray(earth_bulge_m(d1, d2, k_factor=k_factor))
    f1 = np.asarray(fresnel_radius_m(d1, d2, freq_mhz=freq_mhz))
    h_tx = z[0] + float(tx_height_m)
    h_rx = z[-1] + float(rx_height_m)
    line = h_tx + (h_rx - h_tx) * x / total
    clearance = line - (z + bulge)
    inner = slice(1, -1)
    ratio = clearance[inner] / f1[inner]
    i = int(np.argmin(ratio))
    return FresnelClearance(
        clear=bool(np.all(ratio >= cf - 1e-12)),
        min_clearance_ratio=float(ratio[i]),
        worst_distance_m=float(x[inner][i]),
        line_of_sight=bool(np.all(clearance[inner] > 0)),
        clearance_m=clearance,
        f1_m=f1,
        bulge_m=bulge,
        clearance_fraction=cf,
        k_factor=float(k_factor),
        freq_mhz=float(freq_mhz),
    )


def microwave_capacity_mbps(
    channel_mhz: float,
    *,
    modulation_order: int,
    code_rate: float = 0.95,
    roll_off: float = 0.15,
    polarisations: int = 1,
) -> float:
    """Microwave link capacity ≈ ``B / (1 + roll-off) * log2(M) * code_rate * polarisations`` (Mb/s).

    FEC/framing overhead of 5-10 % (Hansryd & Edstam, Ericsson Review 2011) sits in
    ``code_rate``. 28 MHz 256QAM -> ~185 Mb/s; 56 MHz 1024QAM -> ~460 Mb/s;
    112 MHz 4096QAM -> ~1.1 Gb/s (x2 with XPIC).
    """
    ch = float(_arr("channel_mhz", channel_mhz))
    m = int(modulation_order)
    if m < 2 or m & (m - 1):
        msg = f"`modulation_order` must be a power of two >= 2; got {modulation_order}"
        raise InvalidInputError(msg)
    require_in_range("code_rate", code_rate, 0.0, 1.0, low_open=True)
    require_in_range("roll_off", roll_off, 0.0, 1.0)
    if int(polarisations) not in (1, 2):
        msg = f"`polarisations` must be 1 or 2 (XPIC); got {polarisations}"
        raise InvalidInputError(msg)
    return ch / (1.0 + roll_off) * math.log2(m) * code_rate * int(polarisations)


def fibre_loss_db(
    length_km: float, *, wavelength_nm: int = 1310, connectors: int = 2, splices: int = 0
) -> float:
    """Fibre loss budget: 0.35 dB/km at 1310 nm or 0.25 dB/km at 1550 nm + 0.5 dB/connector + 0.1 dB/splice."""
    length = float(_arr("length_km", length_km))
    per_km = {1310: 0.35, 1550: 0.25}.get(int(wavelength_nm))
    if per_km is None:
        msg = f"`wavelength_nm` must be 1310 or 1550; got {wavelength_nm}"
        raise InvalidInputError(msg)
    if connectors < 0 or splices < 0:
        msg = f"`connectors` and `splices` must be >= 0; got {connectors}, {splices}"
        raise InvalidInputError(msg)
    return per_km * length + 0.5 * connectors + 0.1 * splices
