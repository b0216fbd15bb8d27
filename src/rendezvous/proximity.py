"""Proximity operations: the automated approach, flyaround, hold and final approach to a port.

Model
-----
A Kurs-style automated approach (Soyuz MS-03 sequence, ESA T. Pesquet blog, 2016; Progress MS-09
plan, TASS, 2018) flown as a sequence of impulses, each computed *on board* from the measured
relative state with the Clohessy-Wiltshire (CW) equations (Clohessy & Wiltshire 1960; in the LVLH
axes used here: ``x'' = 2 n z'``, ``y'' = -n^2 y``, ``z'' = 3 n^2 z - 2 n x'``, Fehse 2003,
"Automated Rendezvous and Docking of Spacecraft", eq. 3.25), while both vehicles are flown by the
full force model. The guidance is closed-loop: every impulse re-targets from where the ship
really is, so the CW model's errors (eccentricity, J2, drag, nonlinearity) are corrected at the
next impulse.

The phases, from the approach start point (AS) ``start_distance_m`` ahead of the station
(``approach_side = +1``; -1 puts it behind) and ``start_below_m`` (1.5 km) below its V-bar, where
the far range leaves the ship at rest relative to the station. AS is the highest point of the
far-range transfer, so the arrival is passively safe: with the arrival burn (or any earlier one)
missed the ship stays on a lower, faster orbit, passes under the station outside the 4 x 2 x 2 km
approach ellipsoid and drifts ahead (``passive_safety``; an AS on the V-bar ahead let a missed
arrival burn pass 0.4-0.5 km from the station, inside the ellipsoid).

1. *Range reduction*: two-impulse CW transfers from AS up to a point ``mid_distance_m`` from the
   station on the V-bar, then to the flyaround start on the V-bar at ``flyaround_radius_m``.
2. *Flyaround*: multi-impulse transfers between points on a circle of ``flyaround_radius_m`` about
   the station's centre of mass, from the V-bar to the docking port's axis (e.g. a quarter turn down
   to the R-bar for a nadir port), staying outside the 200 m keep-out sphere.
3. *Station-keeping hold* on the port axis at ``hold_distance_m`` from the port: CW "hops" back
   to the same point every ``hold_pulse_s``.
4. *Final approach*: straight in along the port axis, on an exponential glideslope (Hablani, Tapper
   & Dana-Bashian 2002, JGCD 25(3)): the closing range follows ``rho' = -(rho / tau) - v_f``, i.e.
   ``rho(t) = (rho0 + v_f tau) exp(-t/tau) - v_f tau``, from about 0.6 m/s at the hold point to
   ``v_f = 0.1 m/s`` at contact, with CW hops between glideslope points every ``final_pulse_s``.

Contact is the instant the ship's reference point crosses the port's plane (below: batch first). The
ship is treated as a point at its docking interface (its attitude is assumed aligned with the port
axis during the final approach). The station holds an LVLH-fixed attitude
(``catalog.Station.yaw_deg``, or ``ApproachProfile.station_yaw_deg`` where given; MS-27 docked with
the station yawed 180 deg, "flying backwards", NASA coverage of the MS-27 docking), so a port is
fixed in LVLH.

ISS proximity rules (Fehse 2003, ch. 5, on the ISS approach ellipsoid and keep-out sphere): a 200 m
keep-out sphere that only the final approach may enter, and
then only inside an approach cone about the port axis (half-angle ``cone_half_angle_deg``, 10 deg).

Batch first
-----------
:func:`fly_approach` flies N ships at once ((6, N) states; N = 1 for the mission's nominal
flight), beside a station trajectory (the mission) or each beside its own station
(:class:`StationBatch`, the dispersions: one (6, 2N) propagation per leg). The guidance is the same
for all: at each impulse the relative state is *measured* (true state plus
:class:`ApproachErrors` navigation errors, Kurs-like, shrinking with the range to the port;
ASSUMED values), the CW transfer to the leg's end point is computed from it, and the impulse is
flown with execution errors (:func:`execute_burns`). Between impulses the path is checked every
``MONITOR_STEP_S`` (CW motion from the true post-burn state, blended onto the true end state of
the force model): closest approach before the final approach and keep-out sphere, and in the final
approach the approach cone (down to ``CONE_CHECK_MIN_M`` from the port). Contact is found from
the true relative state at the scheduled contact by CW motion (exact to millimetres over the
minutes and metres involved): time, closing speed along the port axis and lateral miss from it,
compared in the outputs with the probe-cone mechanism's design reception range
(``RECEPTION_SPEED_M_S``, ``RECEPTION_LATERAL_M``). Aborts are statuses
(:data:`APPROACH_STATUS`): more than ``CONE_ABORT_M`` outside the cone, or no crossing of the
port's plane within ``CONTACT_WINDOW_S``; a retreat and second attempt is not flown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .catalog import ISS, PORTS, PortDefinition, Station, port_by_name
from .frames import mat_vec
from .result import Burn

__all__ = [
    "APPROACH_STATUS",
    "RECEPTION_LATERAL_M",
    "RECEPTION_SPEED_M_S",
    "PHASES",
    "PORTS",
    "ApproachErrors",
    "ApproachFlight",
    "ApproachSamples",
    "StationBatch",
    "execute_burns",
    "navigation_errors",
    "port_plane_axes",
    "approach_estimate",
    "fly_approach",
    "port_frame",
    "ApproachProfile",
    "PortDefinition",
    "cw_matrix",
    "cw_transfer",
    "Leg",
    "approach_legs",
    "final_approach_schedule",
    "flyaround_waypoints",
    "port_by_name",
]


@dataclass(frozen=True)
class ApproachProfile:
    """Design of the automated approach (durations in s, distances in m); module docstring.

    The durations are those of a compact Kurs profile: about an hour from AS to contact, as in the
    two-orbit flights (Progress MS-09 plan: final-approach position to docking 13 min, TASS, 2018).
    """

    start_distance_m: float = 4000.0
    mid_distance_m: float = 1000.0
    leg1_s: float = 1200.0
    leg2_s: float = 600.0
    flyaround_radius_m: float = 300.0
    flyaround_step_deg: float = 22.5
    flyaround_leg_s: float = 150.0
    hold_distance_m: float = 280.0
    hold_s: float = 300.0
    hold_pulse_s: float = 60.0
    glideslope_tau_s: float = 500.0
    contact_speed_m_s: float = 0.1
    final_pulse_s: float = 30.0
    keepout_radius_m: float = 200.0
    cone_half_angle_deg: float = 10.0
    station_yaw_deg: float | None = None  # None: the station's own attitude (catalog.Station)
    approach_side: int = 1
    start_below_m: float = 1500.0  # AS below the V-bar (LVLH +z): passively safe, phasing.py


def _cw_matrices(n: float, dts: np.ndarray) -> np.ndarray:
    """:func:`cw_matrix` for many times at once: (k, 6, 6) for ``dts`` (k,) s."""
    t = np.asarray(dts, dtype=float)
    s, c = np.sin(n * t), np.cos(n * t)
    z, o = np.zeros_like(t), np.ones_like(t)
    rows = [
        [o, z, 6 * (n * t - s), (4 * s - 3 * n * t) / n, z, 2 * (1 - c) / n],
        [z, c, z, z, s / n, z],
        [z, z, 4 - 3 * c, 2 * (c - 1) / n, z, s / n],
        [z, z, 6 * n * (1 - c), 4 * c - 3, z, 2 * s],
        [z, -n * s, z, z, c, z],
        [z, z, 3 * n * s, -2 * s, z, c],
    ]
    return np.moveaxis(np.array(rows), 2, 0)


def cw_matrix(n: float, dt: float) -> np.ndarray:
    """Clohessy-Wiltshire state transition matrix (6, 6) in the package's LVLH axes.

    n: mean motion of the target, rad/s; dt: time, s. State order (x, y, z, vx, vy, vz), z towards
    Earth (Fehse 2003, eqs. 3.26-3.27, with x along-track, z radial down).
    """
    return _cw_matrices(n, np.array([float(dt)]))[0]


def cw_transfer(
    n: float, rel0: np.ndarray, r1: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two-impulse CW transfer: (dv0 (3,), v_arrival (3,)) to go from ``rel0`` (6,) to position
    ``r1`` (3,) in ``dt`` s; dv0 is the change of relative velocity needed now (LVLH, m/s) and
    v_arrival the predicted relative velocity on arrival."""
    dv, v_arr = cw_transfers(n, np.asarray(rel0, dtype=float)[:, None], r1, dt)
    return dv[:, 0], v_arr[:, 0]


def flyaround_waypoints(start_dir, port_pos, port_axis, radius, hold_distance, step_deg):
    """Points (k, 3) on the flyaround from ``radius`` along ``start_dir`` to the hold point.

    The path turns about the centre of mass in the plane of ``start_dir`` and the hold point's
    direction, at a radius blending from ``radius`` to the hold point's distance; the last point is
    the hold point ``port_pos + hold_distance * port_axis``.
    """
    hold = np.asarray(port_pos) + hold_distance * np.asarray(port_axis)
    a = np.asarray(start_dir, dtype=float) / np.linalg.norm(start_dir)
    b = hold / np.linalg.norm(hold)
    angle = np.arccos(np.clip(a @ b, -1.0, 1.0))
    if angle < np.radians(1.0):
        return hold[None, :]
    k = np.cross(a, b)
    if np.linalg.norm(k) < 1e-9:  # opposite: go round through the radial-down side
        k = np.cross(a, np.array([0.0, 0.0, 1.0]))
    k = k / np.linalg.norm(k)
    steps = max(1, int(np.ceil(np.degrees(angle) / step_deg)))
    pts = []
    for i in range(1, steps + 1):
        f = i / steps
        th = angle * f
        d = a * np.cos(th) + np.cross(k, a) * np.sin(th) + k * (k @ a) * (1 - np.cos(th))
        rad = radius + (np.linalg.norm(hold) - radius) * f
        pts.append(d * rad)
    pts[-1] = hold
    return np.array(pts)


def final_approach_schedule(
    distance0: float, tau: float, v_f: float, pulse_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Times (k,) after the start and distances (k,) from the port on the exponential glideslope,
    every ``pulse_s`` until contact; the last entry is (t_contact, 0)."""
    rho0 = float(distance0)
    t_c = tau * np.log((rho0 + v_f * tau) / (v_f * tau))
    t = np.arange(pulse_s, t_c, pulse_s)
    if t.size and t_c - t[-1] < 0.5 * pulse_s:
        t = t[:-1]
    rho = (rho0 + v_f * tau) * np.exp(-t / tau) - v_f * tau
    return np.append(t, t_c), np.append(rho, 0.0)


@dataclass(frozen=True)
class Leg:
    """One guidance leg: fly to ``target`` (3,) LVLH position, m, in ``duration_s``; ``label``
    names its impulse ("approach 1", "flyaround 2", "hold 3", "final 7"), ``phase`` the mission
    phase."""

    duration_s: float
    target: np.ndarray
    label: str
    phase: str


def approach_legs(prof: ApproachProfile, port_pos, port_axis) -> list[Leg]:
    """The legs of the automated approach from the approach start point to contact (module
    docstring): range reduction, flyaround, hold pulses, final glideslope. port_pos, port_axis:
    (3,) LVLH, m and unit vector. The last leg ends at the port at the glideslope's contact time."""
    side = prof.approach_side
    fa_start = np.array([side * prof.flyaround_radius_m, 0.0, 0.0])
    legs = [
        Leg(
            prof.leg1_s, np.array([side * prof.mid_distance_m, 0.0, 0.0]), "approach 1", "approach"
        ),
        Leg(prof.leg2_s, fa_start, "approach 2", "approach"),
    ]
    wps = flyaround_waypoints(
        fa_start,
        port_pos,
        port_axis,
        prof.flyaround_radius_m,
        prof.hold_distance_m,
        prof.flyaround_step_deg,
    )
    legs += [
        Leg(prof.flyaround_leg_s, wp, f"flyaround {i + 1}", "flyaround") for i, wp in enumerate(wps)
    ]
    n_hold = int(round(prof.hold_s / prof.hold_pulse_s))
    legs += [Leg(prof.hold_pulse_s, wps[-1], f"hold {i + 1}", "hold") for i in range(n_hold)]
    t_fa, rho = final_approach_schedule(
        prof.hold_distance_m, prof.glideslope_tau_s, prof.contact_speed_m_s, prof.final_pulse_s
    )
    prev = 0.0
    for i, (tk, rk) in enumerate(zip(t_fa, rho, strict=True)):
        legs.append(Leg(tk - prev, port_pos + rk * port_axis, f"final {i + 1}", "final approach"))
        prev = tk
    return legs


def port_frame(
    port: PortDefinition, prof: ApproachProfile, station: Station = ISS
) -> tuple[np.ndarray, np.ndarray]:
    """(position (3,), axis (3,)) of ``port`` in the station's LVLH frame for the station's
    attitude during the approach (``prof.station_yaw_deg`` if given, else ``station.yaw_deg``)."""
    yaw = station.yaw_deg if prof.station_yaw_deg is None else prof.station_yaw_deg
    return port.in_lvlh(yaw)


def cw_transfers(
    n: float, rel0: np.ndarray, r1: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cw_transfer` for a batch: ``rel0`` (6, N), ``r1`` (3,) or (3, N); returns
    (dv0 (3, N), v_arrival (3, N))."""
    phi = cw_matrix(n, dt)
    rr, rv, vr, vv = phi[:3, :3], phi[:3, 3:], phi[3:, :3], phi[3:, 3:]
    r1 = np.asarray(r1, dtype=float).reshape(3, -1)
    v_req = mat_vec(np.linalg.inv(rv), r1 - mat_vec(rr, rel0[:3]))  # per column: mat_vec
    return v_req - rel0[3:], mat_vec(vr, rel0[:3]) + mat_vec(vv, v_req)


def approach_estimate(prof: ApproachProfile, port_pos, port_axis, n_mean) -> tuple[float, float]:
    """(duration s, Delta-v m/s) from the approach start point to contact: the legs of
    :func:`approach_legs` flown by ideal two-impulse CW transfers at mean motion ``n_mean``
    (rad/s). An estimate: the flown approach (:func:`fly_approach`) also corrects drag and J2."""
    rel = np.array([prof.approach_side * prof.start_distance_m, 0, prof.start_below_m, 0, 0, 0.0])
    duration = 0.0
    dv_total = 0.0
    for leg in approach_legs(prof, port_pos, port_axis):
        dv, v_arr = cw_transfer(n_mean, rel, leg.target, leg.duration_s)
        dv_total += float(np.linalg.norm(dv))
        rel = np.concatenate([leg.target, v_arr])
        duration += leg.duration_s
    return duration, dv_total


# ------------------------------------------------------------------------------------------------
# The approach flown: batch first, one guidance for the nominal flight and every sample


@dataclass(frozen=True)
class ApproachErrors:
    """1-sigma errors of the approach (Gaussian, independent; ASSUMED values: no published
    accuracy of the Kurs-NA system or of the Soyuz/Progress approach thrusters was found).

    Navigation (the relative state the guidance measures at each impulse, per LVLH axis): position
    ``max(nav_pos_min_m, nav_pos_fraction * range)``, velocity ``max(nav_vel_min_m_s, nav_vel_per_s
    * range)``: errors that shrink with range, as a radio system's do (the order of RF
    rendezvous sensors in Fehse 2003, ch. 7: about 1 % of range; 20 m and 4 cm/s at 4 km, 5 cm and
    2 mm/s at the port). Burn execution (each impulse, by :func:`execute_burns`): magnitude
    ``burn_magnitude`` of the impulse, pointing ``burn_pointing_deg`` about each of two axes normal
    to it, and an absolute ``burn_min_m_s`` on each of the three (the thrusters' smallest impulse).
    """

    nav_pos_fraction: float = 0.005
    nav_pos_min_m: float = 0.05
    nav_vel_per_s: float = 1.0e-5
    nav_vel_min_m_s: float = 0.002
    burn_magnitude: float = 0.02
    burn_pointing_deg: float = 1.0
    burn_min_m_s: float = 0.001

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"ApproachErrors.{f.name}: got {v!r}; use a finite value >= 0")


NO_ERRORS = ApproachErrors(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
"""The nominal flight: no navigation or execution errors."""

DRAWS_PER_LEG = 9
"""Standard-normal numbers per guidance leg: navigation position (3) and velocity (3) in LVLH,
execution (along the impulse, two normal axes)."""

APPROACH_STATUS = ("ok", "approach abort: outside the approach cone", "no contact")
"""Meaning of ``ApproachSamples.status`` codes 0 .. 2."""

CONE_CHECK_MIN_M = 5.0
"""The approach cone is checked while the ship is inside the keep-out sphere and at least this
far (m) from the port along its axis; closer in, the docking mechanism's reception range
(lateral miss at contact) is the limit."""

CONE_ABORT_M = 1.0
"""A ship more than this (m) outside the approach cone aborts the final approach (ASSUMED limit;
in operations a retreat to the hold point and a new attempt, not flown here)."""

CONTACT_WINDOW_S = (-60.0, 120.0)
"""Contact is searched for from 60 s before to 120 s after the scheduled contact; no crossing of
the port's plane in that window is "no contact"."""

RECEPTION_SPEED_M_S = 0.35
"""Highest closing speed at contact the Soyuz/Progress probe-cone docking mechanism is designed
to receive, m/s (design range about 0.1-0.35 m/s: V. S. Syromiatnikov, "Spacecraft Docking
Devices", Energia, 1990, table 1.1, initial docking conditions). Real contacts are at 6-15 cm/s
(ESA astronaut S. Cristoforetti)."""

RECEPTION_LATERAL_M = 0.3
"""Largest lateral miss from the port axis at contact the probe-cone mechanism is designed to
receive, m (about 0.3 m: Syromiatnikov 1990, table 1.1, as above)."""

MONITOR_STEP_S = 10.0
"""Spacing of the points at which the relative path is checked within each leg, s."""


def execute_burns(
    dv_plan: np.ndarray,
    z: np.ndarray,
    magnitude: float,
    pointing_deg: float,
    minimum_m_s: float = 0.0,
) -> np.ndarray:
    """Impulses (3, N) as flown: ``dv_plan`` (3, N) with an error along it of 1-sigma
    ``hypot(magnitude * |dv|, minimum_m_s)`` and about each of two normal axes of
    ``hypot(radians(pointing_deg) * |dv|, minimum_m_s)``; z: (3, N) standard-normal numbers
    (along, normal 1, normal 2). Frame-free: the result is in the frame of ``dv_plan``."""
    mag = np.linalg.norm(dv_plan, axis=0)
    u = dv_plan / np.where(mag > 0, mag, 1.0)
    u = np.where(mag > 0, u, np.array([[1.0], [0.0], [0.0]]))
    # two unit vectors normal to the burn: e1 = u x (a reference axis not along u), e2 = u x e1
    ref = np.where(
        np.abs(u[2]) < 0.9, np.array([[0.0], [0.0], [1.0]]), np.array([[1.0], [0.0], [0.0]])
    )
    e1 = np.cross(u, ref, axis=0)
    e1 /= np.linalg.norm(e1, axis=0)
    e2 = np.cross(u, e1, axis=0)
    s_along = np.hypot(magnitude * mag, minimum_m_s)
    s_norm = np.hypot(np.radians(pointing_deg) * mag, minimum_m_s)
    return dv_plan + s_along * z[0] * u + s_norm * (z[1] * e1 + z[2] * e2)


def navigation_errors(
    rel: np.ndarray, z: np.ndarray, errors: ApproachErrors, port_pos: np.ndarray
) -> np.ndarray:
    """(6, N) errors of the measured relative state ``rel`` (6, N) (:class:`ApproachErrors`), the
    range being the distance to the docking port at ``port_pos`` (3,) (the radio system's
    antennas and the final-approach target are at the port); z: (6, N) standard-normal numbers."""
    rng = np.linalg.norm(rel[:3] - np.asarray(port_pos, dtype=float).reshape(3, 1), axis=0)
    s_pos = np.maximum(errors.nav_pos_min_m, errors.nav_pos_fraction * rng)
    s_vel = np.maximum(errors.nav_vel_min_m_s, errors.nav_vel_per_s * rng)
    return np.concatenate([s_pos * z[:3], s_vel * z[3:6]])


@dataclass(frozen=True, eq=False)
class StationBatch:
    """Stations flown with the ships (one (6, 2N) batch per leg, each column with its own drag):
    states (6, N) GCRS at the approach start; inv_ballistic (2N,) Cd A/m of the N ships then of
    the N stations, m^2/kg; force: the ``forces.ForceModel``."""

    states: np.ndarray
    inv_ballistic: np.ndarray
    force: Any


class _WithStations:
    """Flies ships (6, N) and their stations together (:class:`StationBatch`)."""

    def __init__(self, batch: StationBatch) -> None:
        from .environment import fly

        self._fly = fly
        self.batch = batch
        self.station = np.asarray(batch.states, dtype=float)
        self.segments: list = []

    def station_at(self, t: float) -> np.ndarray:
        return self.station

    def __call__(self, ship: np.ndarray, t0: float, t1: float, extra: float) -> np.ndarray:
        n = ship.shape[1]
        y = np.concatenate([ship, self.station], axis=1)
        y = self._fly(y, t0, t1, self.batch.force, self.batch.inv_ballistic, dense=False).final
        self.station = y[:, n:]
        return y[:, :n]


class _AlongTrajectory:
    """Flies ships (6, N) by the environment's force model beside a station given as a dense
    trajectory; with ``dense``, keeps each leg's trajectory (to ``extra`` s past the leg)."""

    def __init__(self, env: Any, station: Any, dense: bool) -> None:
        self.env, self.station_traj, self.dense = env, station, dense
        self.segments: list = []
        self.n = 1

    def station_at(self, t: float) -> np.ndarray:
        return np.repeat(np.asarray(self.station_traj(t), dtype=float).reshape(6, 1), self.n, 1)

    def __call__(self, ship: np.ndarray, t0: float, t1: float, extra: float) -> np.ndarray:
        self.n = ship.shape[1]
        if not self.dense:
            return self.env.fly_ship(ship, t0, t1, dense=False).final
        traj = self.env.fly_ship(ship, t0, t1 + extra)
        self.segments.append((traj, t0, t1 + extra))
        return np.asarray(traj(t1), dtype=float).reshape(6, -1)


@dataclass(frozen=True, eq=False)
class ApproachSamples:
    """The approach of N ships, per sample (arrays (N,) unless stated).

    t_contact: s since liftoff (NaN without contact); contact_speed: closing speed along the
    port axis at contact, m/s; contact_miss: lateral distance from the port axis at contact, m;
    contact_offset: (N, 2) that offset along two axes of the port's plane (``port_plane_axes``),
    m; min_range_before_final: closest distance to the station's centre of mass from the approach
    start to the start of the final approach, m; keepout_violation: that distance below the
    keep-out radius; cone_excess: the largest distance outside the approach cone in the final
    approach (``CONE_CHECK_MIN_M``), m (negative: always inside); dv_phase: (N, 4) Delta-v of the
    approach, flyaround, hold and final approach, m/s; status: :data:`APPROACH_STATUS` code.
    """

    t_contact: np.ndarray
    contact_speed: np.ndarray
    contact_miss: np.ndarray
    contact_offset: np.ndarray
    min_range_before_final: np.ndarray
    keepout_violation: np.ndarray
    cone_excess: np.ndarray
    dv_phase: np.ndarray
    status: np.ndarray


PHASES = ("approach", "flyaround", "hold", "final approach")
"""The phases of the approach, in order (``ApproachSamples.dv_phase`` columns)."""


@dataclass(frozen=True, eq=False)
class ApproachFlight:
    """The proximity phase as flown for N ships.

    samples: :class:`ApproachSamples`; phase_starts: the start time of each phase (the same for
    every sample: the legs have fixed durations; s after liftoff); hold_point: (3,) LVLH, m.
    For a single ship (N = 1): burns (``result.Burn``), the ship's trajectory segments
    ((Trajectory, ta, tb), ...) when flown beside a station trajectory, and t_contact (s);
    for a batch burns and segments are empty and t_contact is NaN (see ``samples.t_contact``).
    """

    burns: tuple
    segments: tuple
    phase_starts: dict
    t_contact: float
    hold_point: np.ndarray
    samples: ApproachSamples


def port_plane_axes(port_axis: np.ndarray) -> np.ndarray:
    """(2, 3) two unit vectors spanning the port's plane (normal to ``port_axis``): the first
    along LVLH x (or y for a port facing along x), the second ``axis x first``."""
    a = np.asarray(port_axis, dtype=float)
    ref = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = ref - (ref @ a) * a
    e1 /= np.linalg.norm(e1)
    return np.array([e1, np.cross(a, e1)])


def _path_points(n_mean: float, rel0: np.ndarray, rel1: np.ndarray, dt: float) -> np.ndarray:
    """(k, 3, N) relative positions every ``MONITOR_STEP_S`` within a leg of ``dt`` s: the CW
    motion from the true post-burn state ``rel0`` (6, N), with the difference between its end
    point and the true end ``rel1`` (force model) blended in linearly (a few metres on the
    kilometre legs, millimetres close in)."""
    k = max(2, int(np.ceil(dt / MONITOR_STEP_S)) + 1)
    taus = np.linspace(0.0, dt, k)
    phis = _cw_matrices(n_mean, taus)[:, :3]  # (k, 3, 6)
    cw = np.moveaxis(mat_vec(np.moveaxis(phis, 0, -1)[..., None], rel0), 0, 1)  # (k, 3, N)
    gap = rel1[:3] - cw[-1]
    return cw + (taus / dt)[:, None, None] * gap[None]


def _contact(n_mean, rel_end, port_pos, port_axis):
    """Contact from the true relative state ``rel_end`` (6, N) at the scheduled contact time:
    the first crossing of the port's plane towards the port in :data:`CONTACT_WINDOW_S`, by CW
    motion from that state (exact to millimetres over minutes at metres of range). Returns
    (offset from the scheduled time (N,) s, NaN without crossing; relative state at contact
    (6, N))."""
    taus = np.arange(CONTACT_WINDOW_S[0], CONTACT_WINDOW_S[1] + 0.5, 1.0)
    phis = _cw_matrices(n_mean, taus)  # (k, 6, 6)
    states = np.moveaxis(mat_vec(np.moveaxis(phis, 0, -1)[..., None], rel_end), 0, 1)
    d = np.einsum("kin,i->kn", states[:, :3] - port_pos[None, :, None], port_axis)
    cross = (d[:-1] > 0) & (d[1:] <= 0)
    has = np.any(cross, axis=0)
    i = np.argmax(cross, axis=0)
    cols = np.arange(rel_end.shape[1])
    d0, d1 = d[i, cols], d[i + 1, cols]
    tau = taus[i] + d0 / np.where(has, d0 - d1, 1.0)
    for _ in range(2):  # Newton on the CW motion
        st = mat_vec(np.moveaxis(_cw_matrices(n_mean, tau), 0, -1), rel_end)
        f = mat_vec(port_axis[None], st[:3] - port_pos[:, None])[0]
        fd = mat_vec(port_axis[None], st[3:])[0]
        tau = tau - f / np.where(np.abs(fd) > 1e-9, fd, 1e-9)
    st = mat_vec(np.moveaxis(_cw_matrices(n_mean, tau), 0, -1), rel_end)
    return np.where(has, tau, np.nan), st


def _cone_excess(points, port_pos, port_axis, prof) -> np.ndarray:
    """(N,) the largest distance outside the approach cone at ``points`` (k, 3, N), m, where the
    ship is inside the keep-out sphere and at least ``CONE_CHECK_MIN_M`` from the port."""
    d = points - port_pos[None, :, None]
    axial = np.einsum("kin,i->kn", d, port_axis)
    lateral = np.linalg.norm(d - axial[:, None, :] * port_axis[None, :, None], axis=1)
    inside = np.linalg.norm(points, axis=1) < prof.keepout_radius_m
    checked = inside & (axial >= CONE_CHECK_MIN_M)
    excess = lateral - np.tan(np.radians(prof.cone_half_angle_deg)) * axial
    return np.max(np.where(checked, excess, -np.inf), axis=0)


def _leg_draws(z: np.ndarray | None, n: int, n_legs: int) -> np.ndarray:
    """(N, DRAWS_PER_LEG * n_legs) standard-normal numbers of the legs (zeros without ``z``)."""
    need = DRAWS_PER_LEG * n_legs
    if z is None:
        return np.zeros((n, need))
    z = np.asarray(z, dtype=float)
    if z.ndim != 2 or z.shape[0] != n or z.shape[1] < need:
        raise ValueError(
            f"z: got shape {z.shape}; the profile flies {n_legs} legs, give ({n}, >= {need}) "
            f"standard-normal numbers ({DRAWS_PER_LEG} per leg)"
        )
    return z[:, :need]


def _guide(flyer, ship, t, legs, n_mean, errors, zz, prof, port_pos, port_axis):
    """The guidance loop over the legs (module docstring; :func:`fly_approach`): at each impulse
    the relative state is measured (with navigation errors), the CW transfer to the leg's end
    point computed and flown with execution errors; the path is checked between impulses.
    Returns (burns (N = 1), phase starts, dv_phase (N, 4), closest range before the final approach
    (N,), cone excess (N,), true relative state at the scheduled contact (6, N), that time)."""
    from .frames import lvlh_basis, to_lvlh

    n = ship.shape[1]
    station = flyer.station_at(t)
    starts: dict[str, float] = {}
    burns = []
    dv_phase = np.zeros((n, len(PHASES)))
    min_range = np.full(n, np.inf)
    cone = np.full(n, -np.inf)
    rel1 = to_lvlh(station, ship)
    for k, leg in enumerate(legs):
        starts.setdefault(leg.phase, t)
        zk = zz[:, DRAWS_PER_LEG * k : DRAWS_PER_LEG * (k + 1)].T  # (9, N)
        meas = rel1 + navigation_errors(rel1, zk[:6], errors, port_pos)
        dv_plan = cw_transfers(n_mean, meas, leg.target, leg.duration_s)[0]
        dv_l = execute_burns(
            dv_plan, zk[6:9], errors.burn_magnitude, errors.burn_pointing_deg, errors.burn_min_m_s
        )
        dv = np.einsum("ji...,j...->i...", lvlh_basis(station[:3], station[3:]), dv_l)
        ship = ship.copy()
        ship[3:] += dv
        if n == 1:
            burns.append(Burn(float(t), dv[:, 0].copy(), dv_l[:, 0].copy(), leg.label, leg.phase))
        dv_phase[:, PHASES.index(leg.phase)] += np.linalg.norm(dv_l, axis=0)
        rel0 = to_lvlh(station, ship)
        extra = CONTACT_WINDOW_S[1] if k == len(legs) - 1 else 0.0
        ship = flyer(ship, t, t + leg.duration_s, extra)
        t = t + leg.duration_s
        station = flyer.station_at(t)
        rel1 = to_lvlh(station, ship)
        pts = _path_points(n_mean, rel0, rel1, leg.duration_s)
        if leg.phase == "final approach":
            cone = np.maximum(cone, _cone_excess(pts, port_pos, port_axis, prof))
        else:
            min_range = np.minimum(min_range, np.min(np.linalg.norm(pts, axis=1), axis=0))
    return burns, starts, dv_phase, min_range, cone, rel1, t


def _last_before_final(legs: list[Leg]) -> np.ndarray:
    """The hold point of a profile without hold legs: the target of the last leg before the final
    approach (the end of the flyaround)."""
    return [leg.target for leg in legs if leg.phase != "final approach"][-1]


def fly_approach(
    env: Any,
    station: Any,
    ship_as: np.ndarray,
    t_as: float,
    port_pos: np.ndarray,
    port_axis: np.ndarray,
    prof: ApproachProfile,
    n_mean: float,
    *,
    errors: ApproachErrors | None = None,
    z: np.ndarray | None = None,
) -> ApproachFlight:
    """The closed-loop approach of N ships from the approach start point to contact (module
    docstring), the same guidance for the nominal flight (N = 1, no errors) and for samples.

    env: ``environment.Environment`` (its force model flies the ships beside a station
    trajectory); station: the station's dense trajectory, or a :class:`StationBatch` (one station
    per ship, flown with it; env unused); ship_as: (6,) or (6, N) GCRS after the last far-range
    burn at ``t_as`` (s); port_pos, port_axis: (3,) LVLH; n_mean: the station's mean motion for
    the onboard CW guidance, rad/s; errors: :class:`ApproachErrors` (None: none); z: (N, >=
    ``DRAWS_PER_LEG`` x legs) standard-normal numbers, leg k using columns 9k .. 9k + 8 (None:
    zeros). Aborts and missed contacts are ``samples.status`` codes; a single ship (6,) that does
    not reach the port raises ``MissionError``.
    """
    from .errors import MissionError

    port_pos = np.asarray(port_pos, dtype=float)
    port_axis = np.asarray(port_axis, dtype=float)
    single = np.ndim(ship_as) == 1
    ship = np.asarray(ship_as, dtype=float).reshape(6, -1)
    n = ship.shape[1]
    legs = approach_legs(prof, port_pos, port_axis)
    zz = _leg_draws(z, n, len(legs))
    errs = NO_ERRORS if errors is None else errors
    flyer: _WithStations | _AlongTrajectory
    if isinstance(station, StationBatch):
        flyer = _WithStations(station)
    else:
        flyer = _AlongTrajectory(env, station, dense=n == 1)
    burns, starts, dv_phase, min_range, cone, rel_end, t_sched = _guide(
        flyer, ship, float(t_as), legs, n_mean, errs, zz, prof, port_pos, port_axis
    )
    tau, st = _contact(n_mean, rel_end, port_pos, port_axis)
    d = st[:3] - port_pos[:, None]
    lateral = d - mat_vec(port_axis[None], d) * port_axis[:, None]
    status = np.zeros(n, dtype=np.int8)
    status[~np.isfinite(tau)] = 2
    status[cone > CONE_ABORT_M] = 1
    samples = ApproachSamples(
        t_contact=t_sched + tau,
        contact_speed=-mat_vec(port_axis[None], st[3:])[0],
        contact_miss=np.linalg.norm(lateral, axis=0),
        contact_offset=mat_vec(port_plane_axes(port_axis), lateral).T,
        min_range_before_final=min_range,
        keepout_violation=min_range < prof.keepout_radius_m,
        cone_excess=cone,
        dv_phase=dv_phase,
        status=status,
    )
    if single and status[0] == 2:
        raise MissionError("final approach: the ship did not reach the port (no contact found)")
    hold = next((leg.target for leg in legs if leg.phase == "hold"), _last_before_final(legs))
    return ApproachFlight(
        burns=tuple(burns) if n == 1 else (),
        segments=tuple(flyer.segments),
        phase_starts=starts,
        t_contact=float(samples.t_contact[0]) if n == 1 else float("nan"),
        hold_point=hold,
        samples=samples,
    )
