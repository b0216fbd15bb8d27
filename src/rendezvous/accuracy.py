"""The leave-one-out accuracy table with the flown flights: ``calibration.leave_one_out`` (the
fast estimate of every built-in flight) plus ``mission.simulate`` of the flights that have an
element set, each flown with the hold of the fit made without it. Kept apart from
:mod:`rendezvous.calibration` because it flies the mission (layering: the scenario reads the
calibrated profile, the mission reads the scenario, this reads both)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .calibration import (
    AccuracyTable,
    RealFlight,
    approach_profile,
    base_name,
    real_flights,
    typical_period_s,
)
from .catalog import Site
from .constants import R_EARTH
from .elements import ElementSet
from .ephemeris import flight_name
from .frames import site_state, true_pole
from .lighting import LIT_SCHEMES, after_nearest_sunset_s
from .orbits import nodal_rate
from .scenario import table_site
from .sun import in_shadow

__all__ = [
    "DockingGeometry",
    "after_sunset_s",
    "lighting_fit",
    "lit_leave_one_out",
    "sunsets_s",
    "docking_geometry",
    "docking_geometry_markdown",
    "fly_leave_one_out",
    "scheme_mean_lead_deg",
    "station_at_docking",
    "station_state",
]


def fly_leave_one_out(table: AccuracyTable, names: tuple[str, ...] | list[str]) -> AccuracyTable:
    """``table`` with ``flown_s`` filled for the flights called ``names`` (of ``data/flights.csv``,
    which have an element set): each flown by ``mission.simulate`` as it was (its pad, port, ship)
    with the hold and the lighting offsets of the fits made without it."""
    from .mission import simulate
    from .scenario import Scenario

    flown = dict(zip([f.name for f in table.flights], table.flown_s, strict=True))
    done: dict[tuple, float] = {}  # a flight and its plan row: flown once per hold
    wanted = {flight_name(n) for n in names}
    for f, c in zip(table.flights, table.fits, strict=True):
        base = base_name(f)
        if base not in wanted:
            continue
        lit = lighting_fit(_others(table, f)) if f.scheme in LIT_SCHEMES else ()
        key = (base, c.hold_for(f.vehicle, f.scheme), lit)
        if key not in done:
            s = Scenario.from_flight(key[0])
            prof = approach_profile(s.vehicle, s.port, s.station, hold_s=key[1])
            done[key] = simulate(s.replace(approach=prof, lighting=key[2])).t_contact
        flown[f.name] = done[key]
    return replace(table, flown_s=np.array([flown[f.name] for f in table.flights], dtype=float))


def _others(table: AccuracyTable, flight: RealFlight) -> list[RealFlight]:
    """The fitted dockings of ``table`` that are not of ``flight`` (nor its plan or actual)."""
    return [
        g
        for g in table.flights
        if g.docking_kind == "actual" and not g.excluded and base_name(g) != base_name(flight)
    ]


@lru_cache(maxsize=512)
def sunsets_s(flight: RealFlight, around_s: float | None = None) -> np.ndarray | None:
    """The station's orbital sunsets within 100 min of ``around_s`` s after ``flight``'s liftoff
    (default: its docking), s after liftoff, to 1 s (``sun.shadow_crossings`` of
    :func:`station_state`), read-only; None where the station's place is unknown (a two-day
    flight without an element set). A prediction anchors them on itself, never on the real
    docking it is compared with."""
    from .sun import shadow_crossings
    from .times import at_seconds, parse_utc

    if not _station_known(flight):
        return None
    around = flight.duration_s if around_s is None else float(around_s)
    when = at_seconds(parse_utc(flight.launch_utc), around)
    sets, _ = shadow_crossings(station_state(flight, around), when, step_s=1.0)
    out = around + np.asarray(sets, dtype=float)
    out.setflags(write=False)
    return out


Sunsets = Callable[[RealFlight, float | None], "np.ndarray | None"]
"""Where the station's sunsets come from: ``(flight, around_s) -> sunsets, s after liftoff``
(:func:`sunsets_s`; another one lets a test shift them)."""


def after_sunset_s(flight: RealFlight, sunsets: Sunsets | None = None) -> float:
    """``flight``'s docking minus the orbital sunset nearest to it, s (NaN where unknown);
    ``sunsets``: default :func:`sunsets_s`."""
    sets = (sunsets or sunsets_s)(flight, None)
    return float("nan") if sets is None else after_nearest_sunset_s(flight.duration_s, sets)


def lighting_fit(
    flights: list[RealFlight] | tuple[RealFlight, ...], sunsets: Sunsets | None = None
) -> tuple[float, float]:
    """``lighting.fit_offsets`` of the actual, not excluded dockings of ``flights``."""
    from .lighting import fit_offsets

    used = [f for f in flights if f.docking_kind == "actual" and not f.excluded]
    return fit_offsets(np.array([after_sunset_s(f, sunsets) for f in used]))


def lit_leave_one_out(
    table: AccuracyTable | None = None, sunsets: Sunsets | None = None
) -> AccuracyTable:
    """``table`` (default ``calibration.leave_one_out()``) with ``lit_s``: each flight's hold
    model moved to the lighting instant (``lighting.lit_contact_s``) with the lighting offsets
    fitted without the flight; the hold model on the schemes the rule does not time
    (``lighting.LIT_SCHEMES``) or where the station's place is unknown. ``sunsets``: where the
    station's sunsets come from (default :func:`sunsets_s`)."""
    from .calibration import leave_one_out
    from .lighting import lit_contact_s

    table = leave_one_out() if table is None else table
    get = sunsets or sunsets_s
    lit = []
    for f, ours, c in zip(table.flights, table.ours_s, table.fits, strict=True):
        sets = get(f, float(ours)) if f.scheme in LIT_SCHEMES else None
        if sets is None:
            lit.append(float(ours))
            continue
        earliest = ours - max(0.0, c.hold_for(f.vehicle, f.scheme))
        offsets = lighting_fit(_others(table, f), sunsets)
        lit.append(lit_contact_s(ours, sets, earliest, offsets))
    return replace(table, lit_s=np.array(lit))


# ------------------------------------------------------------------------------------------------
# What the leave-one-out residuals are set against (issue 9: does a documented rule explain them?)
#
# The station at a flight's real docking: SGP4 of the flight's own pre-launch element set where
# ``data/flights.csv`` has one; else a geometric station (``_geometric_station``): the orbit plane
# through the pad at liftoff (the ship climbs "directly into the plane", Spaceflight Now; the pad
# is 0.3 deg out of it by SGP4 on the flights with sets), inclination 51.64 deg, northbound, the
# node regressing by J2, a circular 417 km orbit at the typical period, and the station's lead over
# the pad at liftoff set to the mean of that scheme's flights with element sets (two-orbit: 1.5 to
# 5.8 deg behind the pad on the eleven with sets; the scheme's phase window is about 6 deg,
# Rossiyskaya Gazeta 2024, so the station's place at docking is uncertain by about +/-45 s of its
# motion; four-orbit: 4 to 20 deg ahead on the seven with sets, +/-2 min). On the eleven two-orbit
# flights with sets the two give the sunset within 1 min (tests/test_calibration.py).

ISS_INCLINATION_DEG = 51.64
"""The ISS's mean inclination for the geometric station, deg (element sets 2018-2026: 51.63 to
51.65 deg)."""

ISS_ALTITUDE_M = 417e3
"""The ISS's mean height for the geometric station, m (element sets 2018-2026: about 400 to 420 km;
it only sets the shadow's angular size, 1 deg per 100 km of height at most)."""


@dataclass(frozen=True)
class DockingGeometry:
    """Where the station was at a flight's docking and how it was lit.

    flight; residual_min: the real docking minus our leave-one-out docking, min; year (fraction);
    station: "sgp4" (its own element set) or "geometric" (module comment); lead_deg: the
    station's lead over the pad at liftoff along its orbit, deg (SGP4 only, else NaN); beta_deg:
    the Sun's angle above the orbit plane; lit: the station in sunlight at docking;
    after_sunset_min: the docking minus the orbital sunset nearest to it, min (negative: docked
    in sunlight before that sunset; NaN if no sunset within 100 min); after_sunrise_min: the
    docking minus the last sunrise before that sunset, min; lat_deg, lon_deg: the sub-point;
    plan_after_sunset_min: the pre-launch planned docking (``flight.planned_s``) minus the
    orbital sunset nearest to it, min (NaN without a published plan).
    """

    flight: RealFlight
    residual_min: float
    year: float
    station: str
    lead_deg: float
    beta_deg: float
    lit: bool
    after_sunset_min: float
    after_sunrise_min: float
    lat_deg: float
    lon_deg: float
    plan_after_sunset_min: float = float("nan")


def _element_set(flight: RealFlight) -> ElementSet | None:
    """The flight's own pre-launch element set (``data/flights.csv`` flights), else None."""
    from .ephemeris import StaleElementSetWarning, builtin_element_sets, flights, select_element_set

    mine = [f for f in flights() if flight_name(f.name) == base_name(flight)]
    if flight.table != "flights.csv" or not mine:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementSetWarning)
        return select_element_set(builtin_element_sets(), mine[0].launch, allow_stale=True)


def _pad_lead_deg(state: np.ndarray, site: Site, launch) -> float:
    """The station's lead over the pad's projection on its orbit plane at ``launch``, deg."""
    r, v = state[:3], state[3:]
    h = np.cross(r, v)
    h = h / np.linalg.norm(h)
    pad = np.asarray(site_state(site.lat_deg, site.lon_deg, site.height_m, launch))[:3]
    pad = pad - (pad @ h) * h
    return float(np.degrees(np.arctan2(np.cross(pad, r) @ h, pad @ r)))


@lru_cache(maxsize=1)
def scheme_mean_lead_deg() -> dict[str, float]:
    """Mean lead of the station over the pad at liftoff per scheme, deg, over the flights of
    ``data/flights.csv`` with an element set (by SGP4)."""
    from .times import parse_utc

    leads: dict[str, list[float]] = {}
    rows = real_flights()
    flown = {base_name(f) for f in rows if f.table == "flights.csv" and f.docking_kind == "actual"}
    for f in rows:
        es = _element_set(f)
        if es is None or f.docking_kind != "actual" and base_name(f) in flown:
            continue  # a plan row of a flight whose actual docking is a row too: once per flight
        t = parse_utc(f.launch_utc)
        leads.setdefault(f.scheme, []).append(_pad_lead_deg(es.state(t), table_site(f.site), t))
    return {k: float(np.mean(v)) for k, v in leads.items()}


def _geometric_station(flight: RealFlight, seconds: float) -> np.ndarray:
    """GCRS state of the geometric station (module comment) ``seconds`` after liftoff."""
    from .times import parse_utc

    t0 = parse_utc(flight.launch_utc)
    site = table_site(flight.site)
    pad = np.asarray(site_state(site.lat_deg, site.lon_deg, site.height_m, t0))[:3]
    z = true_pole(t0)
    x = np.array([1.0, 0.0, 0.0]) - z[0] * z
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    inc, a = np.radians(ISS_INCLINATION_DEG), R_EARTH + ISS_ALTITUDE_M
    lat = np.arcsin(pad @ z / np.linalg.norm(pad))
    u_pad = np.arcsin(np.clip(np.sin(lat) / np.sin(inc), -1.0, 1.0))
    n = 2.0 * np.pi / typical_period_s()
    node = np.arctan2(pad @ y, pad @ x) - np.arctan2(np.cos(inc) * np.sin(u_pad), np.cos(u_pad))
    node += nodal_rate(a, inc) * seconds
    u = u_pad + np.radians(scheme_mean_lead_deg().get(flight.scheme, 0.0)) + n * seconds
    e_node = np.cos(node) * x + np.sin(node) * y
    e_h = np.sin(inc) * (np.sin(node) * x - np.cos(node) * y) + np.cos(inc) * z
    e_90 = np.cross(e_h, e_node)
    r = a * (np.cos(u) * e_node + np.sin(u) * e_90)
    v = a * n * (-np.sin(u) * e_node + np.cos(u) * e_90)
    return np.concatenate([r, v])


def station_at_docking(flight: RealFlight) -> tuple[np.ndarray, str, float]:
    """The station's GCRS state at ``flight``'s real docking, its kind ("sgp4" or "geometric") and
    its lead over the pad at liftoff (deg; NaN for the geometric station)."""
    from .times import parse_utc

    t0 = parse_utc(flight.launch_utc)
    es = _element_set(flight)
    state = station_state(flight, flight.duration_s)
    if es is None:
        return state, "geometric", float("nan")
    return state, "sgp4", _pad_lead_deg(es.state(t0), table_site(flight.site), t0)


def _station_known(flight: RealFlight) -> bool:
    """Whether the station's place along its orbit is known for ``flight``: not for a two-day
    flight without an element set (its phase at liftoff spans 150 deg)."""
    return not (flight.scheme == "2-day" and _element_set(flight) is None)


def station_state(flight: RealFlight, seconds: float) -> np.ndarray:
    """The station's GCRS state (6,) ``seconds`` after ``flight``'s liftoff: SGP4 of the flight's
    own element set, else the geometric station (module comment)."""
    from .times import at_seconds, parse_utc

    es = _element_set(flight)
    if es is None:
        return _geometric_station(flight, seconds)
    t = at_seconds(parse_utc(flight.launch_utc), seconds)
    return np.asarray(es.state(t), dtype=float).reshape(6)


def docking_geometry(table: AccuracyTable) -> tuple[DockingGeometry, ...]:
    """:class:`DockingGeometry` of every flight of ``table`` except the two-day ones (their
    station's phase at liftoff spans 150 deg: without an element set it is unknown)."""
    from .frames import geodetic
    from .sun import shadow_crossings, sun_direction
    from .times import at_seconds, parse_utc

    out = []
    for i, f in enumerate(table.flights):
        if not _station_known(f):
            continue
        t0 = parse_utc(f.launch_utc)
        td = at_seconds(t0, f.duration_s)
        state, kind, lead = station_at_docking(f)
        sets, rises = shadow_crossings(state, td)
        sunset = -after_nearest_sunset_s(0.0, sets)
        rise = rises[rises < sunset]
        plan = f.planned_s - f.duration_s  # s after the real docking
        h = np.cross(state[:3], state[3:])
        lat, lon, _ = geodetic(state[:3], td)
        out.append(
            DockingGeometry(
                f,
                float(table.real_s[i] - table.ours_s[i]) / 60.0,
                float(td.utc.year) + (float(td.tt) - float(_jan1(td))) / 365.25,
                kind,
                lead,
                float(np.degrees(np.arcsin(h @ sun_direction(td) / np.linalg.norm(h)))),
                not bool(in_shadow(state[:3], td)),
                float(-sunset / 60.0),
                float(-rise[-1] / 60.0) if rise.size else float("nan"),
                float(lat),
                float(lon),
                after_nearest_sunset_s(plan, sets) / 60.0,
            )
        )
    return tuple(out)


def _jan1(t):
    from .times import timescale

    return timescale().utc(int(t.utc.year), 1, 1).tt


def docking_geometry_markdown(rows: tuple[DockingGeometry, ...]) -> str:
    """``rows`` (:func:`docking_geometry`) as a Markdown table, one line per flight."""
    head = (
        "| flight | ship | port | scheme | residual, min | year | station | lead at liftoff, deg"
        " | beta, deg | lit | after sunset, min | after sunrise, min | sub-point"
        " | plan after sunset, min |\n" + "|---" * 14 + "|"
    )
    lines = [head]
    for g in rows:
        f = g.flight
        lead = "n/a" if np.isnan(g.lead_deg) else f"{g.lead_deg:+.1f}"
        lines.append(
            f"| {f.name} | {f.vehicle} | {f.port} | {f.scheme} | {g.residual_min:+.1f} | "
            f"{g.year:.1f} | {g.station} | {lead} | {g.beta_deg:+.0f} | {'yes' if g.lit else 'no'} "
            f"| {g.after_sunset_min:+.1f} | {g.after_sunrise_min:.1f} | "
            f"{g.lat_deg:+.0f} {g.lon_deg:+.0f} | {_num(g.plan_after_sunset_min)} |"
        )
    return "\n".join(lines)


def _num(x: float) -> str:
    return "" if np.isnan(x) else f"{x:+.1f}"
