"""The mission: the one place that knows the order of the phases, and its frozen result.

(Work in progress: the result type below is the contract that plotting, I/O and the CLI rely on.
Fields may be added; none will be removed or change meaning.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Burn:
    """An impulsive burn as flown.

    t: seconds since the scenario epoch (liftoff); dv: (3,) Delta-v in GCRS, m/s;
    dv_lvlh: (3,) the same in the station's LVLH frame at the burn (x along-track, y = -orbit
    normal, z towards Earth), m/s; label: short name ("B1 phasing", "flyaround 3", ...);
    phase: name of the mission phase it belongs to.
    """

    t: float
    dv: np.ndarray
    dv_lvlh: np.ndarray
    label: str
    phase: str

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


@dataclass(frozen=True)
class Port:
    """A docking port: name; position (3,) of the docking interface relative to the station's
    centre of mass in the station's LVLH frame, m; axis (3,) unit vector, outward port axis in LVLH."""

    name: str
    position: np.ndarray
    axis: np.ndarray


@dataclass(frozen=True)
class MissionResult:
    """Everything one simulated flight produced (a frozen value; the edges only read it).

    t: (n,) seconds since liftoff, from 0 to contact, increasing.
    ship, station: (6, n) GCRS states, m and m/s (ship from the ascent model before insertion).
    relative: (6, n) ship relative to station in the station's LVLH frame (m, m/s).
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

    @property
    def total_dv_m_s(self) -> float:
        return float(sum(b.dv_m_s for b in self.burns))
