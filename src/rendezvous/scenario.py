"""A scenario: what to fly (liftoff time, pad, ship, station and port, scheme, element sets).

:class:`Scenario` is a frozen value. It accepts friendly inputs and normalises them once, so the
flight logic only ever sees typed values: ``launch`` as an ISO 8601 string, a timezone-aware
``datetime`` or a skyfield ``Time``; ``site``, ``port``, ``vehicle`` and ``station`` as a name from
the tables of :mod:`rendezvous.catalog` or as the object itself; ``element_sets`` as a sequence of
:class:`~rendezvous.ephemeris.ElementSet`, one set, or the path of a TLE file.

Errors name the parameter and the fix, e.g. ``scheme: unknown scheme '3-orbit'; use one of
2-orbit, 4-orbit, 2-day``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .catalog import (
    ISS,
    SCHEMES,
    SITES,
    VEHICLES,
    PortDefinition,
    Site,
    Station,
    Vehicle,
    site_by_name,
    station_by_name,
    vehicle_by_name,
)
from .inputs import element_sets as _element_sets
from .inputs import to_time

__all__ = [
    "Scenario",
    "default_ascent",
    "known_flight",
    "port_of",
    "site_of",
    "table_site",
    "to_time",
    "vehicle_of",
]


def known_flight(launch) -> tuple[Any, Any]:
    """(flight, planned docking Time or None) for the real flight of the built-in table launched
    within 60 s of ``launch`` (a skyfield Time), else (None, None)."""
    from .ephemeris import flights
    from .times import seconds_between

    near = [f for f in flights() if abs(seconds_between(f.launch, launch)) <= 60.0]
    actual = [f for f in near if f.docking_kind == "actual"] or _actual_elsewhere(near)
    plan = [f for f in near if f.docking_kind == "planned"]
    if actual:
        return actual[0], (plan[0].docking if plan else None)
    if plan:
        return plan[0], None
    return None, None


def _actual_elsewhere(near: list[Any]) -> list[Any]:
    """The actual docking of a flight whose ``flights.csv`` rows (``near``) give only its
    pre-launch plan, from ``flight_durations.csv`` (e.g. Progress MS-30 and MS-31: their plan rows
    carry the element sets, the complete table their actual dockings), as a ``Flight`` with the
    plan row's launch, pad, port and scheme; [] where there is none."""
    from .calibration import real_flights
    from .ephemeris import Flight, flight_name
    from .times import at_seconds, parse_utc, seconds_between

    out = []
    for p in near:
        base = flight_name(p.name)
        for f in real_flights():
            if (f.table, f.docking_kind, f.name) != ("flight_durations.csv", "actual", base):
                continue
            launch = parse_utc(f.launch_utc)
            if abs(seconds_between(launch, p.launch)) <= 60.0:
                docking = at_seconds(launch, f.duration_s)
                out.append(Flight(f.name, p.launch, p.site, docking, "actual", p.port, p.scheme))
    return out


@dataclass(frozen=True, eq=False)
class Scenario:
    """A flight to simulate (module docstring for the accepted inputs).

    launch: liftoff; site: the pad; port: the docking port on ``station``; vehicle: the ship (its
    Cd A/m unless ``ship_inv_ballistic`` is given); scheme: None to choose from the phase angle at
    insertion, or a key of ``catalog.SCHEMES``; element_sets: the station's element sets (default:
    the built-in ISS sets); allow_stale: accept a set older than 14 days; ascent, approach:
    ``launch.AscentModel`` and ``proximity.ApproachProfile`` (defaults: the Soyuz-2.1a ascent and
    the ship's Kurs profile to the port with the calibrated two-orbit hold,
    ``calibration.approach_profile``; the flight flies the calibrated hold of the ship and the
    chosen scheme instead); flight: a name for
    titles (default: the known flight launched within 60 s, else "<ship> launch <time>");
    real_docking (the actual docking), real_launch, planned_docking (the published pre-launch
    plan): skyfield Times of the real flight, if any (for comparison only); gravity_degree, drag,
    gravity: the force model (gravity: a key of ``forces.GRAVITY_MODELS``, None for
    ``forces.DEFAULT_GRAVITY``); lighting: the contact's offsets after the station's orbital
    sunset that the hold is fitted to (``lighting`` module; None: the calibrated ones with the
    default approach on the fast schemes, :meth:`lighting_offsets`; (): the hold as calibrated
    or given). A launch within 60 s of a flight of the built-in table (``data/flights.csv``)
    takes that flight's pad, port, ship and times for the fields not given.
    A port outside its service period (``catalog.PortDefinition.in_service``: Pirs until July
    2021, Prichal from November 2021) is a ValueError naming the port and its dates.

    Examples
    --------
    >>> from rendezvous import Scenario
    >>> s = Scenario.from_flight("Soyuz MS-27")
    >>> s.site.name, s.port.name, s.vehicle.name
    ('Baikonur Site 31/6', 'Prichal nadir', 'Soyuz MS')
    >>> Scenario("2025-04-08T05:47:15.309Z", scheme="3-orbit")
    Traceback (most recent call last):
    ...
    ValueError: scheme: unknown scheme '3-orbit'; use one of 2-orbit, 4-orbit, 2-day
    """

    launch: Any
    site: Any = None
    port: Any = None
    scheme: str | None = None
    ascent: Any = None
    approach: Any = None
    element_sets: Any = ()
    allow_stale: bool = False
    ship_inv_ballistic: float | None = None
    flight: str | None = None
    real_docking: Any = None
    real_launch: Any = None
    planned_docking: Any = None
    gravity_degree: int = 4
    drag: bool = True
    gravity: str | None = None
    vehicle: Any = None
    station: Any = field(default=None)
    lighting: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        from .calibration import approach_profile

        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("launch", to_time(self.launch, param="launch"))
        history = _history(self.launch)
        for name in ("site", "port", "vehicle"):  # a known flight: its pad, port, ship
            if name in history and getattr(self, name) is None:
                put(name, history[name])
        put("site", site_of(self.site))
        put("station", _pick(self.station, Station, ISS, station_by_name, "station"))
        station: Station = self.station
        put("port", port_of(self.port, station))
        if self.port is not None:
            self.port.check_in_service(self.launch.utc_strftime("%Y-%m-%d"))
        put("vehicle", vehicle_of(self.vehicle))
        if self.scheme is not None and self.scheme not in SCHEMES:
            raise ValueError(
                f"scheme: unknown scheme {self.scheme!r}; use one of {', '.join(SCHEMES)}"
            )
        put("ascent", self.ascent or default_ascent(self.vehicle))
        put("approach", self.approach or approach_profile(self.vehicle, self.port, station))
        put("element_sets", _element_sets(self.element_sets))
        if self.ship_inv_ballistic is None:
            put("ship_inv_ballistic", self.vehicle.inv_ballistic)
        elif not float(self.ship_inv_ballistic) > 0:
            raise ValueError(
                f"ship_inv_ballistic: got {self.ship_inv_ballistic}; give Cd A/m > 0 in m^2/kg"
            )
        if self.lighting is not None:
            put("lighting", _offsets(self.lighting))
        if self.gravity_degree not in (0, 1, 2, 3, 4):
            raise ValueError(f"gravity_degree: got {self.gravity_degree}; use an integer 0..4")
        if self.gravity is not None:
            from .forces import gravity_field

            gravity_field(self.gravity)  # a ValueError naming ``gravity`` and the models
        changes = _changes_from(self, history)
        if history and not changes:  # flown as it was: its real times beside ours
            for name in ("real_launch", "real_docking", "planned_docking"):
                if getattr(self, name) is None:
                    put(name, history[name])
        if self.flight is None:
            put("flight", self._default_name(changes))

    def _default_name(self, changes: list[str]) -> str:
        from .ephemeris import flight_name
        from .times import iso_utc

        flight, _ = known_flight(self.launch)
        if flight is not None:
            name = flight_name(flight.name)
            return f"{name} (hypothetical: {', '.join(changes)})" if changes else name
        return f"{self.vehicle.name.split()[0]} launch {iso_utc(self.launch, digits=0)}"

    @classmethod
    def from_flight(cls, name: str, **overrides: Any) -> Scenario:
        """The real flight called ``name`` in the built-in flight table (``data/flights.csv``):
        its liftoff, pad, port, ship and published docking times; ``overrides`` replace any field
        (e.g. ``scheme="4-orbit"`` or ``element_sets=...``)."""
        from .ephemeris import flight_name, flights

        rows = flights()
        key = str(name).strip().lower()
        mine = [f for f in rows if flight_name(f.name).lower() == key]
        if not mine:
            known = sorted({flight_name(f.name) for f in rows})
            raise ValueError(f"flight: unknown flight {name!r}; use one of: {', '.join(known)}")
        actual = next((f for f in mine if f.docking_kind == "actual"), None)
        plan = next((f for f in mine if f.docking_kind == "planned"), None)
        f = actual or plan
        assert f is not None
        fields: dict[str, Any] = dict(launch=f.launch, **_as_flown(f))
        # The name and the real times come from the flight table in __post_init__, and only
        # while the overrides leave the flight as it was flown (launch, pad, port, ship).
        fields.update(overrides)
        return cls(**fields)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes``; a new ``vehicle`` brings its own Cd A/m unless
        ``ship_inv_ballistic`` is given too, and a new ``vehicle``, ``port`` or ``station`` its
        own approach profile unless ``approach`` is given or the approach was not the default (so
        prefer this to ``dataclasses.replace``)."""
        if "vehicle" in changes and "ship_inv_ballistic" not in changes:
            changes["ship_inv_ballistic"] = None
        if self.default_approach and "approach" not in changes:
            if any(k in changes for k in ("vehicle", "port", "station")):
                changes["approach"] = None
        return replace(self, **changes)

    def approach_for(self, scheme: str) -> Any:
        """The approach profile flown with ``scheme``: the default profile
        (:attr:`default_approach`) with the calibrated hold of the ship and that scheme
        (``calibration.approach_profile``), or the profile given, as it is."""
        from .calibration import approach_profile

        if not self.default_approach:
            return self.approach
        return approach_profile(self.vehicle, self.port, self.station, scheme=scheme)

    def lighting_offsets(self, scheme: str) -> tuple[float, ...]:
        """The contact's offsets after the station's orbital sunset, s, that the hold of a flight
        of ``scheme`` is fitted to (``lighting.lit_contact_s``): ``lighting`` where given (() for
        none), else the calibrated ones (``lighting.CALIBRATED_CONTACT_AFTER_SUNSET_S``) on the
        fast schemes (``lighting.LIT_SCHEMES``) with the default approach, and none otherwise
        (an approach profile given is flown as it is)."""
        from .lighting import CALIBRATED_CONTACT_AFTER_SUNSET_S, LIT_SCHEMES

        if self.lighting is not None:
            return tuple(self.lighting)
        if scheme in LIT_SCHEMES and self.default_approach:
            return CALIBRATED_CONTACT_AFTER_SUNSET_S
        return ()

    @property
    def default_approach(self) -> bool:
        """True when ``approach`` is the ship's default profile to this port
        (``calibration.approach_profile``). Decided by value: a profile given that equals the
        default counts as the default, and is flown with the scheme's calibrated hold; give
        ``dataclasses.replace(profile, hold_s=...)`` to fly another hold as it is."""
        from .calibration import approach_profile

        return bool(self.approach == approach_profile(self.vehicle, self.port, self.station))


MAX_LIGHTING_OFFSET_S = 2800.0
"""A contact offset from the orbital sunset is at most this, s: half the ISS's orbit (a larger one
names the same moment of another orbit)."""


def _offsets(value: Any) -> tuple[float, ...]:
    """``lighting`` as a tuple of seconds within :data:`MAX_LIGHTING_OFFSET_S`, or a ValueError
    naming it."""
    try:
        if isinstance(value, str | bytes):
            raise TypeError
        out = tuple(float(x) for x in value)
    except (TypeError, ValueError):
        out = (float("nan"),)
    if not all(np.isfinite(out)) or any(abs(x) > MAX_LIGHTING_OFFSET_S for x in out):
        raise ValueError(
            f"lighting: got {value!r}; give contact offsets after the orbital sunset in s, each "
            f"within +/-{MAX_LIGHTING_OFFSET_S:.0f} (e.g. (69.0, -1662.5)), or () to fly the "
            "hold as it is"
        )
    return out


def _history(launch: Any) -> dict[str, Any]:
    """The fields of the real flight of the built-in table launched within 60 s of ``launch``
    (its pad, port, ship, real liftoff, real docking only where it is the actual one, and the
    published plan), else {}: a known flight chosen by its launch time flies as it was flown."""
    flight, plan = known_flight(launch)
    if flight is None:
        return {}
    actual = flight.docking_kind == "actual"
    return dict(
        **_as_flown(flight),
        real_launch=flight.launch,
        real_docking=flight.docking if actual else None,
        planned_docking=plan if actual else flight.docking,
    )


AS_FLOWN_LAUNCH_S = 1.0
"""A launch more than this from the real liftoff is another launch, not the real flight: the
two-orbit scheme's launch tolerance is about 1 s (der-orion.info on Soyuz MS-11;
docs/sources.md)."""


def _changes_from(scenario: Any, history: dict[str, Any]) -> list[str]:
    """What ``scenario`` changes of the known flight in ``history`` (launch moved, another pad,
    port or ship), as short phrases; empty when it is flown as it was (or no flight is known)."""
    from .times import seconds_between

    if not history:
        return []
    out = []
    moved = seconds_between(history["real_launch"], scenario.launch)
    if abs(moved) > AS_FLOWN_LAUNCH_S:
        out.append(f"launch {moved:+.0f} s")
    for name in ("site", "port", "vehicle"):
        if getattr(scenario, name) is not history[name]:
            out.append(f"{name} {getattr(scenario, name).name}")
    return out


def _pick(value: Any, kind: type, default: Any, by_name: Any, param: str) -> Any:
    if value is None:
        return default
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        return by_name(value, param=param)
    raise ValueError(
        f"{param}: expected a name or a {kind.__name__}, got {type(value).__name__}; see "
        f"rendezvous.catalog for the known names"
    )


def _as_flown(flight: Any) -> dict[str, Any]:
    """The pad, port and ship of a real flight of the built-in table (``ephemeris.flights``)."""
    return dict(
        site=table_site(flight.site),
        port=port_of(flight.port, param="flight port"),
        vehicle=VEHICLES["progress" if flight.name.startswith("Progress") else "soyuz"],
    )


def site_of(value: Any = None, *, param: str = "site") -> Site:
    """The launch pad of ``value``: a name of ``catalog.SITES`` (key, alias or full name), a
    ``Site``, or None for the default, Baikonur Site 31/6. The one place where every entry point
    (``Scenario``, ``search_windows``) turns a pad given by the user into a table entry."""
    return _pick(value, Site, SITES["baikonur-31/6"], site_by_name, param)


def table_site(text: str, *, param: str = "flight site") -> Site:
    """The pad of a flight table's ``site`` text (``data/flights.csv``,
    ``data/flight_durations.csv``): "Baikonur 31/6", "Baikonur 31", "Baikonur 1/5" name their pad
    (``catalog.SITES``); "Baikonur" alone, which the tables write where no source read named the
    pad (``data/PROVENANCE.md``), is Site 31/6. That default is the pad of the Soyuz-2.1a
    launches of Soyuz MS and Progress MS, and so of all of them after Soyuz MS-15 (September
    2019), the last Soyuz-FG; the Soyuz-FG and Soyuz-U flew from Site 1/5, 19 km
    west-south-west (the tables' 1/5 rows end with MS-15). Of the tables' four rows
    without a pad, three flew the Soyuz-2.1a (Progress MS-07, Soyuz MS-14, Progress MS-30);
    Soyuz MS-09 (2018) flew a Soyuz-FG from Site 1/5 and is placed 19 km from its pad. The one
    place where both tables' pads become table entries (``from_flight``, ``accuracy``)."""
    rest = str(text).strip()
    if rest.lower().startswith("baikonur"):
        rest = rest[len("baikonur") :].strip()
    return site_of(rest or None, param=param)


def vehicle_of(value: Any = None, *, param: str = "vehicle") -> Vehicle:
    """The ship of ``value``: a name of ``catalog.VEHICLES``, a ``Vehicle``, or None for the
    default, Soyuz MS (the one place for every entry point, as :func:`site_of`)."""
    return _pick(value, Vehicle, VEHICLES["soyuz"], vehicle_by_name, param)


def port_of(value: Any = None, station: Any = None, *, param: str = "port") -> PortDefinition:
    """The docking port of ``value`` on ``station`` (default the ISS): a port name of that
    station, a ``PortDefinition``, or None for the default, Prichal nadir on the ISS (else the
    station's first port)."""
    st: Station = station if station is not None else ISS
    default = st.ports.get("prichal") or next(iter(st.ports.values()), None)
    return _pick(value, PortDefinition, default, st.port, param)


def default_ascent(vehicle: Any = None) -> Any:
    """The default ascent of every entry point: ``launch.AscentModel`` (the point-mass
    Soyuz-2.1a ascent) carrying the mass of ``vehicle`` (as :func:`vehicle_of`)."""
    from .launch import AscentModel

    return AscentModel(payload_kg=vehicle_of(vehicle).mass_kg)
