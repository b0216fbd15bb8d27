"""What a simulated flight produced: burns, events, phases, the port, and :class:`MissionResult`
(frozen values; the edges, plotting, export and the command line, only read them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Burn", "Event", "MissionResult", "Phase", "Port"]


@dataclass(frozen=True, eq=False)
class Burn:
    """An impulsive burn as flown.

    t: seconds since the scenario epoch (liftoff); dv: (3,) Delta-v in GCRS, m/s;
    dv_lvlh: (3,) the same in the station's LVLH frame at the burn (x along-track, y = -orbit
    normal, z towards Earth), m/s; label: short name ("B1 phasing", "flyaround 3", ...);
    phase: name of the mission phase it belongs to; dv_rtn: (3,) in the ship's own frame (radial
    out, along-track, orbit normal), m/s: what a far-range burn is called by (prograde, ...).
    """

    t: float
    dv: np.ndarray
    dv_lvlh: np.ndarray
    label: str
    phase: str
    dv_rtn: np.ndarray | None = None  # (3,) radial, along-track, normal in the ship's own frame

    @property
    def dv_m_s(self) -> float:
        return float(np.linalg.norm(self.dv))


@dataclass(frozen=True)
class Event:
    """A point on the timeline: t in seconds since liftoff, a label, and a kind
    ("liftoff", "insertion", "burn", "phase", "contact")."""

    t: float
    label: str
    kind: str


@dataclass(frozen=True)
class Phase:
    """A mission phase between t_start and t_end (s since liftoff): "ascent", "phasing",
    "transfer", "approach", "flyaround", "hold", "final approach"."""

    name: str
    t_start: float
    t_end: float


@dataclass(frozen=True, eq=False)
class Port:
    """A docking port: name; position (3,) of the docking interface relative to the station's
    centre of mass in the station's LVLH frame, m; axis (3,) unit vector, outward port axis in
    LVLH."""

    name: str
    position: np.ndarray
    axis: np.ndarray


@dataclass(frozen=True, eq=False)
class MissionResult:
    """Everything one simulated flight produced (a frozen value; the edges only read it).

    t: (n,) seconds since liftoff, from 0 to contact, increasing.
    ship, station: (6, n) GCRS states, m and m/s (ship from the ascent model before insertion).
    relative: (6, n) ship relative to station in the station's LVLH frame (m, m/s).
    ship_path, station_path: the dense trajectories, callables of seconds since liftoff returning
    (6, N) GCRS states; read them through :meth:`at` and :meth:`relative_at`.
    """

    flight: str
    scheme: str
    epoch: object  # skyfield Time of liftoff
    site_name: str
    site_lat_deg: float
    site_lon_deg: float
    port: Port
    t: np.ndarray
    ship: np.ndarray
    station: np.ndarray
    relative: np.ndarray
    burns: tuple[Burn, ...]
    events: tuple[Event, ...]
    phases: tuple[Phase, ...]
    t_insertion: float
    t_contact: float
    phase_angle_insertion_deg: float
    tle_epoch: object  # skyfield Time of the element set used
    real_docking: object | None = None  # skyfield Time of the real docking, where known
    keepout_radius_m: float = 200.0
    approach_cone_half_angle_deg: float = 10.0
    hold_points: tuple[np.ndarray, ...] = field(default_factory=tuple)  # (3,) LVLH, m
    phase_angle_deg: np.ndarray | None = None  # (n,) station ahead of ship, deg
    ship_geodetic: np.ndarray | None = None  # (3, n) lat deg, lon deg, height m (WGS-84)
    station_geodetic: np.ndarray | None = None  # (3, n)
    windows: tuple = ()  # schemes.SchemeWindow for each scheme at this insertion
    insertion_perigee_km: float = float("nan")
    insertion_apogee_km: float = float("nan")
    out_of_plane_deg: float = float("nan")  # site out of the station plane at liftoff
    contact_speed_m_s: float = float("nan")
    contact_miss_m: float = float("nan")  # lateral distance from the port axis at contact
    real_launch: object | None = None  # skyfield Time of the real liftoff, where known
    planned_docking: object | None = None  # skyfield Time of the published pre-launch plan
    min_range_before_final_m: float = float("nan")  # closest approach before the final approach
    min_range_far_m: float = float("nan")  # closest approach from insertion to the approach start
    station_span_s: float = float(
        "nan"
    )  # span the station was fitted to SGP4 over, s after liftoff
    station_inv_ballistic: float = float("nan")  # the station's Cd A/m as flown, m^2/kg
    vehicle_name: str = ""  # the ship (catalog.Vehicle.name), e.g. "Soyuz MS"
    hold_s: float = float("nan")  # the hold flown on the port axis, s (lighting.py sets it)
    contact_after_sunset_s: float = float("nan")  # contact - the nearest orbital sunset, s, where
    # the station's lighting timed the contact (rendezvous.lighting); NaN where it did not
    ship_inv_ballistic: float = float("nan")  # the ship's Cd A/m as flown, m^2/kg
    ship_path: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    station_path: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    @property
    def total_dv_m_s(self) -> float:
        """Sum of the magnitudes of all burns, m/s."""
        return float(sum(b.dv_m_s for b in self.burns))

    @property
    def docking_time(self) -> Any:
        """The simulated contact as a skyfield Time."""
        from .times import at_seconds

        return at_seconds(self.epoch, self.t_contact)

    @property
    def docking_utc(self) -> str:
        """The simulated contact, ISO 8601 UTC to the second, ending in ``Z``."""
        from .times import iso_utc

        return str(iso_utc(self.docking_time, digits=0))

    def _seconds(self, t: Any) -> np.ndarray:
        from .inputs import to_time
        from .times import seconds_between

        if isinstance(t, int | float | np.ndarray | list | tuple):
            s = np.asarray(t, dtype=float)
        elif hasattr(t, "tt") and np.ndim(t.tt) != 0:
            s = np.asarray(seconds_between(self.epoch, t), dtype=float)
        else:
            s = np.asarray(seconds_between(self.epoch, to_time(t, param="t")), dtype=float)
        if np.any(s < 0.0) or np.any(s > self.t_contact + 1e-6):
            raise ValueError(
                f"t: outside the flight (0 to {self.t_contact:.1f} s after liftoff, "
                f"{self.docking_utc} at contact); give a time between liftoff and contact"
            )
        return s

    def _paths(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.ship_path is None or self.station_path is None:
            raise ValueError("t: this result has no dense trajectories; read result.t and .ship")
        tt = np.atleast_1d(s)
        return self.ship_path(tt), np.asarray(self.station_path(tt)).reshape(6, -1)

    def at(self, t: Any) -> np.ndarray:
        """The ship's GCRS state (6,) or (6, N) at ``t``: seconds since liftoff (float or array),
        an ISO 8601 string, a timezone-aware datetime or a skyfield Time, between liftoff and
        contact. Read from the dense trajectories (the ascent model before insertion)."""
        s = self._seconds(t)
        ship, _ = self._paths(s)
        return ship[:, 0] if s.ndim == 0 else ship

    def station_at(self, t: Any) -> np.ndarray:
        """The station's GCRS state (6,) or (6, N) at ``t`` (as :meth:`at`)."""
        s = self._seconds(t)
        _, st = self._paths(s)
        return st[:, 0] if s.ndim == 0 else st

    def relative_at(self, t: Any) -> np.ndarray:
        """The ship relative to the station in the station's LVLH frame (x along-track, y = -orbit
        normal, z towards Earth), (6,) or (6, N) in m and m/s, at ``t`` (as :meth:`at`)."""
        from .frames import to_lvlh

        s = self._seconds(t)
        ship, st = self._paths(s)
        rel = to_lvlh(st, ship)
        return rel[:, 0] if s.ndim == 0 else rel
