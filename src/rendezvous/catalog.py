"""The data of a flight, as tables of small frozen values: launch pads, vehicles, the target
station with its docking ports and attitude, and the rendezvous schemes.

Adding a pad, a vehicle, a port or a station is a table entry here; the flight logic reads only
these values. Each table has a ``*_by_name`` look-up that accepts the key, the full name or an
alias (case-insensitive) and raises a ``ValueError`` naming the parameter and the known names.

Sources of the numbers are given beside each table. Pad coordinates: published geodetic
coordinates of the Baikonur pads (Site 31/6: 45.996 N, 63.564 E; Site 1/5: 45.920 N,
63.342 E). Vehicle masses: Soyuz MS-27 about 7,152 kg and Progress MS about 7,430 kg (A. Zak,
russianspaceweb.com, Soyuz MS and Progress MS pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

__all__ = [
    "ISS",
    "PORTS",
    "SCHEMES",
    "SITES",
    "STATIONS",
    "VEHICLES",
    "PortDefinition",
    "Scheme",
    "Site",
    "Station",
    "Vehicle",
    "port_by_name",
    "scheme_by_name",
    "site_by_name",
    "station_by_name",
    "vehicle_by_name",
]

T = TypeVar("T")


def _lookup(table: dict[str, T], name: object, what: str, param: str) -> T:
    """The entry of ``table`` called ``name`` (key, ``.name`` or one of ``.aliases``)."""
    if not isinstance(name, str):
        raise TypeError(f"{param}: expected a name or a {what} object, got {type(name).__name__}")
    key = name.strip().lower()
    for k, item in table.items():
        if key in (k, str(getattr(item, "name", "")).lower(), *getattr(item, "aliases", ())):
            return item
    known = ", ".join(f"{k} ({getattr(v, 'name', k)})" for k, v in table.items())
    raise ValueError(f"{param}: unknown {what} {name!r}; use one of: {known}")


# ------------------------------------------------------------------------------------------------
# Launch pads


@dataclass(frozen=True)
class Site:
    """A launch pad: name, geodetic latitude and longitude (deg, WGS-84) and height (m)."""

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float = 100.0
    aliases: tuple[str, ...] = ()


SITES: dict[str, Site] = {
    "baikonur-31/6": Site(
        "Baikonur Site 31/6", 45.996, 63.564, 100.0, ("31/6", "31", "baikonur-31", "site-31")
    ),
    "baikonur-1/5": Site(
        "Baikonur Site 1/5 (Gagarin's Start)",
        45.920,
        63.342,
        100.0,
        ("1/5", "1", "baikonur-1", "gagarin", "gagarin's start", "site-1"),
    ),
}
"""Known pads (module docstring; heights approximate, about 100 m above the ellipsoid)."""


def site_by_name(name: str, *, param: str = "site") -> Site:
    """The pad called ``name`` (key, alias or full name, case-insensitive), else a ValueError."""
    return _lookup(SITES, name, "launch site", param)


# ------------------------------------------------------------------------------------------------
# Vehicles


@dataclass(frozen=True)
class Vehicle:
    """A crew or cargo ship: name, drag coefficient, mean cross-section (m^2) and mass (kg).

    ``inv_ballistic`` = Cd A / m (m^2/kg) is what the force model uses. ``approach``: the ship's
    own values of the automated approach (field names of ``proximity.ApproachProfile``, plain
    numbers; its published figures, see :data:`VEHICLES`); the fields not given keep the
    profile's defaults. ``key``: the table key ("soyuz", "progress").
    """

    name: str
    cd: float
    area_m2: float
    mass_kg: float
    aliases: tuple[str, ...] = ()
    approach: dict[str, float] = field(default_factory=dict, compare=False)
    key: str = ""

    @property
    def inv_ballistic(self) -> float:
        return self.cd * self.area_m2 / self.mass_kg


# Approach figures per ship (the automated Kurs approach from the approach start point 4 km ahead:
# range reduction to 1 km and to the 300 m flyaround circle, flyaround, hold, final approach).
# Soyuz MS: ESA, T. Pesquet blog "The road to rendezvous", 2016-11-19 (Soyuz MS-03 plan: 2.5 km at
# 21:28, 1.1 km at 21:32, 640 m at 21:34 GMT: about 5.8 then 3.8 m/s, so 4 km -> 1 km in about
# 600 s and 1 km -> 300 m in about 240 s); Soyuz MS-02 docking, 2016-10-21 (NASA TV commentary as
# reported by spaceflights.news: flyaround finished at 255 m at 09:37, final approach from 09:44,
# contact 09:53 GMT: final approach 9 min, so the glideslope time constant that takes 9.0 min
# from the 280 m hold point to contact at 0.1 m/s is 200 s). Progress MS: Progress MS-03 docking,
# 2016-07-18/19 (spaceflights.news from NASA TV: 4 km at 23:40, flyaround start at 379 m at 00:02:
# 22 min from 4 km to the flyaround circle, split 2:1 as the default profile: 880 s + 440 s);
# TASS 2018-07-09 on the Progress MS-09 plan: "final approach position to docking 13 min", so
# the glideslope time constant that takes 13.0 min from 280 m is 360 s. Flyaround: Progress MS-03
# began it at 379 m at 00:02 and was lined up with Pirs (a quarter turn) at 224 m at 00:06, rolling
# to the port: 90 deg in about 4 min, so 22.5 deg every 60 s; no Soyuz MS figure was found, and
# both ships fly the same Kurs-NA flyaround, so Soyuz MS takes the same rate. The hold is not a
# published figure: it is calibrated (``rendezvous.calibration``).
VEHICLES: dict[str, Vehicle] = {
    # Cd 2.2: free-molecular flat-plate value (Vallado 2013, sec. 8.6.2); about 10 m^2: the mean
    # cross-section of a 2.7 m x 7 m body, tumbling average; 7,150 kg: Soyuz MS-27 about 7,152 kg.
    "soyuz": Vehicle(
        "Soyuz MS",
        2.2,
        10.0,
        7150.0,
        ("soyuz ms", "soyuz-ms"),
        {"leg1_s": 600.0, "leg2_s": 240.0, "flyaround_leg_s": 60.0, "glideslope_tau_s": 200.0},
        "soyuz",
    ),
    # Progress MS: the same service module and outer shape, about 7,430 kg at launch.
    "progress": Vehicle(
        "Progress MS",
        2.2,
        10.0,
        7430.0,
        ("progress ms", "progress-ms"),
        {"leg1_s": 880.0, "leg2_s": 440.0, "flyaround_leg_s": 60.0, "glideslope_tau_s": 360.0},
        "progress",
    ),
}
"""Known ships (module docstring for the masses, the comment above for the approach figures)."""


def vehicle_by_name(name: str, *, param: str = "vehicle") -> Vehicle:
    """The ship called ``name`` (key, alias or full name, case-insensitive), else a ValueError."""
    return _lookup(VEHICLES, name, "vehicle", param)


# ------------------------------------------------------------------------------------------------
# Stations and their docking ports


@dataclass(frozen=True)
class PortDefinition:
    """A docking port in the station's body frame (x forward in the usual flight attitude, y
    starboard, z nadir; origin the centre of mass): position (3,) m and outward axis (3,);
    in_service: (first, last) UTC dates "YYYY-MM-DD" the port could take a ship (None: open).
    approach_yaw_deg: the station's yaw during an approach to this port when it is not the
    station's usual approach attitude (``Station.yaw_deg``); None: the station's.
    """

    name: str
    position_body: tuple[float, float, float]
    axis_body: tuple[float, float, float]
    aliases: tuple[str, ...] = ()
    in_service: tuple[str | None, str | None] = (None, None)
    approach_yaw_deg: float | None = None

    def check_in_service(self, date: str, *, param: str = "port") -> None:
        """Raise a ValueError naming ``param``, the port and its dates when the UTC date ``date``
        ("YYYY-MM-DD") is outside the port's service period."""
        first, last = self.in_service
        if (first is None or date >= first) and (last is None or date <= last):
            return
        span = f"in service from {first}" if last is None else f"in service {first} to {last}"
        raise ValueError(
            f"{param}: {self.name} was {span}, not on {date}; choose a port in service on "
            "that date (rendezvous.catalog.PORTS) or another launch date"
        )

    def in_lvlh(self, yaw_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """(position (3,), axis (3,)) in LVLH for a station yawed ``yaw_deg`` about the nadir axis
        from the +XVV attitude (body x along V-bar; body axes = LVLH axes at yaw 0)."""
        c, s = np.cos(np.radians(yaw_deg)), np.sin(np.radians(yaw_deg))
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        return rot @ np.array(self.position_body), rot @ np.array(self.axis_body)


# Station attitude during the approach: the ISS flies yawed 180 deg (Russian segment forward) for
# Soyuz dockings to keep the port lit, the arrays in the Sun and the Kurs antennas in view (ESA,
# T. Pesquet blog 2016-11-19 on Soyuz MS-03; NASA coverage of Soyuz MS-27): ``Station.yaw_deg``.
# Zvezda aft is approached along the velocity axis from behind (NASA ISS configuration;
# russianspaceweb.com), so for it the station flies +XVV (yaw 0): ``approach_yaw_deg``.
# Port positions relative to the ISS centre of mass: approximate (a few metres), read off public
# ISS configuration drawings (the Russian segment lies aft of the truss; Nauka hangs below Zvezda's
# forward node with Prichal below it; Rassvet below Zarya; Poisk above Zvezda's forward node).
# Service periods (docking of the module to the ISS, and its undocking): Zvezda 2000-07-26;
# Pirs 2001-09-17 to 2021-07-26 (undocked by Progress MS-16 to make room for Nauka); Poisk
# 2009-11-12; Rassvet 2010-05-18 (STS-132); Prichal 2021-11-26 (Progress M-UM) (NASA ISS assembly
# pages and Roscosmos releases of those dates).
PORTS: dict[str, PortDefinition] = {
    "prichal": PortDefinition(
        "Prichal nadir",
        (-29.0, 0.0, 19.0),
        (0.0, 0.0, 1.0),
        ("prichal nadir", "nauka"),
        ("2021-11-26", None),
    ),
    "rassvet": PortDefinition(
        "Rassvet nadir",
        (-16.0, 0.0, 10.0),
        (0.0, 0.0, 1.0),
        ("rassvet nadir", "mrm1", "mrm-1"),
        ("2010-05-18", None),
    ),
    "poisk": PortDefinition(
        "Poisk zenith",
        (-29.0, 0.0, -9.0),
        (0.0, 0.0, -1.0),
        ("poisk zenith", "mrm2", "mrm-2"),
        ("2009-11-12", None),
    ),
    "zvezda-aft": PortDefinition(
        "Zvezda aft",
        (-46.0, 0.0, 1.0),
        (-1.0, 0.0, 0.0),
        ("zvezda aft", "zvezda", "aft"),
        ("2000-07-26", None),
        0.0,  # approached along the velocity axis from behind: the station flies +XVV (yaw 0)
    ),
    "pirs": PortDefinition(
        "Pirs nadir",
        (-29.0, 0.0, 8.0),
        (0.0, 0.0, 1.0),
        ("pirs nadir",),
        ("2001-09-17", "2021-07-26"),
    ),
}
"""The ISS ports a Soyuz or Progress docks to (positions: see the comment above)."""


@dataclass(frozen=True)
class Station:
    """A target station: name, its docking ports, and its LVLH-fixed attitude during the approach
    (yaw about the nadir axis from +XVV, deg). ``inv_ballistic_default``: Cd A/m (m^2/kg) used when
    its element set's B* is not positive (then unusable)."""

    name: str
    ports: dict[str, PortDefinition] = field(default_factory=dict, compare=False)
    yaw_deg: float = 0.0
    inv_ballistic_default: float = 0.005
    aliases: tuple[str, ...] = ()

    def port(self, name: str, *, param: str = "port") -> PortDefinition:
        """The port called ``name`` on this station, else a ValueError naming ``param``."""
        return _lookup(self.ports, name, f"{self.name} docking port", param)


ISS = Station("ISS", PORTS, 180.0, 0.005, ("iss", "international space station", "zarya"))
"""The ISS: yawed 180 deg ("flying backwards") for the MS-27 docking (NASA coverage of the Soyuz
MS-27 docking, 2025-04-08: lighting of the port, arrays and Kurs antennas)."""

STATIONS: dict[str, Station] = {"iss": ISS}


def station_by_name(name: str, *, param: str = "station") -> Station:
    """The station called ``name``, else a ValueError naming ``param``."""
    return _lookup(STATIONS, name, "station", param)


def port_by_name(name: str, *, param: str = "port") -> PortDefinition:
    """The ISS port called ``name`` (key, alias or full name, case-insensitive), else a
    ValueError."""
    return ISS.port(name, param=param)


# ------------------------------------------------------------------------------------------------
# Rendezvous schemes


@dataclass(frozen=True)
class Scheme:
    """A rendezvous scheme.

    name: "2-orbit", "4-orbit" or "2-day". burn_revs: times of the four far-range burns after
    insertion, in revolutions of the station; the last is the arrival at the approach start point.
    dv_margin_m_s: the window is the set of phase angles whose planned far-range Delta-v is within
    this margin of the scheme's minimum. description: one line for the timeline.
    ground_arc_revs: the ground's correction burn from the tracked orbit, this many revolutions of
    the ship before B3 (None: no ground correction; ``dispersions_near``); ground_b1b2: B1 and B2
    computed on the ground from the tracked orbit (False: loaded before launch).
    """

    name: str
    burn_revs: tuple[float, float, float, float]
    dv_margin_m_s: float
    description: str
    ground_arc_revs: float | None = None
    ground_b1b2: bool = False


SCHEMES: dict[str, Scheme] = {
    "2-orbit": Scheme(
        "2-orbit",
        (0.25, 0.75, 0.85, 1.32),
        8.0,
        "two-orbit ultra-fast rendezvous (about 3 h 10 min)",
    ),
    "4-orbit": Scheme(
        "4-orbit",
        (0.5, 1.0, 2.6, 3.07),
        8.0,
        "four-orbit short rendezvous (about 6 h)",
        ground_arc_revs=1.25,
    ),
    "2-day": Scheme(
        "2-day",
        (2.25, 2.75, 30.85, 31.32),
        8.0,
        "two-day (34-orbit) rendezvous",
        ground_arc_revs=14.25,
        ground_b1b2=True,
    ),
}
"""The schemes, fastest first (scheme choice tries them in this order)."""


def scheme_by_name(name: str, *, param: str = "scheme") -> Scheme:
    """The scheme called ``name`` (exact key), else a ValueError naming ``param``."""
    if name not in SCHEMES:
        raise ValueError(f"{param}: unknown scheme {name!r}; use one of {', '.join(SCHEMES)}")
    return SCHEMES[name]
