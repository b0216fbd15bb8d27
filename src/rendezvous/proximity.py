"""Proximity operations: the automated approach, flyaround, hold and final approach to a port.

Model
-----
A Kurs-style automated approach (Soyuz MS-03 sequence, ESA T. Pesquet blog, 2016; Progress MS-09
plan, TASS, 2018) flown as a
sequence of impulses, each computed *on board* from the measured relative state with the
Clohessy-Wiltshire (CW) equations (Clohessy & Wiltshire 1960; in the LVLH axes used here:
``x'' = 2 n z'``, ``y'' = -n^2 y``, ``z'' = 3 n^2 z - 2 n x'``, Fehse 2003, "Automated Rendezvous
and
Docking of Spacecraft", eq. 3.25), while both vehicles are flown by the full force model. The
guidance
is closed-loop: every impulse re-targets from where the ship really is, so the CW model's errors
(eccentricity, J2, drag, nonlinearity) are corrected at the next impulse.

The phases, from the approach start point (AS) on the V-bar, ``start_distance_m`` ahead of the
station (``approach_side = +1``; -1 puts it behind). Ahead, because the far-range transfer rises
from below and, like any Hohmann-type arrival, its last half-revolution runs forward past its end
point and falls back onto it: with AS ahead the ship never passes the station before the approach
(closest far-range pass about 4 km for the two-orbit flights; with AS behind it passes 0.4-0.6 km
below the station, inside the 4 x 2 x 2 km approach ellipsoid, which real operations forbid).

1. *Range reduction*: two-impulse CW transfers from AS to a point ``mid_distance_m`` from the
   station on the V-bar, then to the flyaround start on the V-bar at ``flyaround_radius_m``.
2. *Flyaround*: multi-impulse transfers between points on a circle of ``flyaround_radius_m`` about
   the station's centre of mass, from the V-bar to the docking port's axis (e.g. a quarter turn down
   to the R-bar for a nadir port), staying outside the 200 m keep-out sphere.
3. *Station-keeping hold* on the port axis at ``hold_distance_m`` from the port: CW "hops" back
to the
   same point every ``hold_pulse_s``.
4. *Final approach*: straight in along the port axis, on an exponential glideslope (Hablani,
Tapper &
   Dana-Bashian 2002, JGCD 25(3)): the closing range follows ``rho' = -(rho / tau) - v_f``, i.e.
   ``rho(t) = (rho0 + v_f tau) exp(-t/tau) - v_f tau``, from about 0.6 m/s at the hold point to
   ``v_f = 0.1 m/s`` at contact, with CW hops between glideslope points every ``final_pulse_s``.

Contact is the instant the ship's reference point crosses the port's plane (found on the dense
trajectory). The ship is treated as a point at its docking interface (its attitude is assumed
aligned with the port axis during the final approach). The station holds an LVLH-fixed attitude
(``catalog.Station.yaw_deg``, or ``ApproachProfile.station_yaw_deg`` where given; MS-27 docked
with the station yawed 180 deg, "flying backwards",
NASA coverage of the MS-27 docking), so a port is fixed in LVLH.

ISS proximity rules (Fehse 2003, ch. 5, on the ISS approach ellipsoid and keep-out sphere): a 200 m
keep-out sphere that only the final approach may enter, and
then only inside an approach cone about the port axis (half-angle ``cone_half_angle_deg``, 10 deg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import ISS, PORTS, PortDefinition, Station, port_by_name
from .result import Burn

__all__ = [
    "PORTS",
    "ApproachFlight",
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


def cw_matrix(n: float, dt: float) -> np.ndarray:
    """Clohessy-Wiltshire state transition matrix (6, 6) in the package's LVLH axes.

    n: mean motion of the target, rad/s; dt: time, s. State order (x, y, z, vx, vy, vz), z towards
    Earth (Fehse 2003, eqs. 3.26-3.27, with x along-track, z radial down).
    """
    s, c = np.sin(n * dt), np.cos(n * dt)
    t = dt
    phi = np.zeros((6, 6))
    # x (along-track)
    phi[0] = [1, 0, 6 * (n * t - s), (4 * s - 3 * n * t) / n, 0, 2 * (1 - c) / n]
    phi[1] = [0, c, 0, 0, s / n, 0]
    phi[2] = [0, 0, 4 - 3 * c, 2 * (c - 1) / n, 0, s / n]
    phi[3] = [0, 0, 6 * n * (1 - c), 4 * c - 3, 0, 2 * s]
    phi[4] = [0, -n * s, 0, 0, c, 0]
    phi[5] = [0, 0, 3 * n * s, -2 * s, 0, c]
    return phi


def cw_transfer(
    n: float, rel0: np.ndarray, r1: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two-impulse CW transfer: (dv0 (3,), v_arrival (3,)) to go from ``rel0`` (6,) to position
    ``r1`` (3,) in ``dt`` s; dv0 is the change of relative velocity needed now (LVLH, m/s) and
    v_arrival the predicted relative velocity on arrival."""
    phi = cw_matrix(n, dt)
    rr, rv, vr, vv = phi[:3, :3], phi[:3, 3:], phi[3:, :3], phi[3:, 3:]
    v_req = np.linalg.solve(rv, np.asarray(r1) - rr @ rel0[:3])
    return v_req - rel0[3:], vr @ rel0[:3] + vv @ v_req


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
    v_req = np.linalg.solve(rv, r1 - rr @ rel0[:3])
    return v_req - rel0[3:], vr @ rel0[:3] + vv @ v_req


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


@dataclass(frozen=True, eq=False)
class ApproachFlight:
    """The proximity phase as flown: burns (``result.Burn``), the ship's trajectory segments
    ((Trajectory, ta, tb), ...), the start time of each phase (approach, flyaround, hold, final
    approach; s after liftoff), contact time (s) and the hold point (3,) LVLH, m."""

    burns: tuple
    segments: tuple
    phase_starts: dict
    t_contact: float
    hold_point: np.ndarray


def fly_approach(env, station, ship_as, t_as, port_pos, port_axis, prof, n_mean) -> ApproachFlight:
    """The closed-loop approach from the approach start point to contact (module docstring).

    env: ``environment.Environment`` (the ship is flown by its force model); station: the
    station's dense trajectory; ship_as: (6,) GCRS after the last far-range burn at ``t_as``;
    port_pos, port_axis: (3,) LVLH; n_mean: the station's mean motion for the onboard CW guidance.
    Each impulse re-targets the next leg from the true relative state. Raises ``MissionError``
    when the final approach does not reach the port.
    """
    from .errors import MissionError
    from .frames import lvlh_basis, to_lvlh
    from .propagate import find_crossings

    legs = approach_legs(prof, port_pos, port_axis)
    y, t = ship_as, t_as
    starts = {"approach": t_as}
    burns, segs = [], []
    for i, leg in enumerate(legs):
        starts.setdefault(leg.phase, t)
        st_now = station(t)
        dv_l, _ = cw_transfer(n_mean, to_lvlh(st_now, y), leg.target, leg.duration_s)
        dv = lvlh_basis(st_now[:3], st_now[3:]).T @ dv_l
        y = y.copy()
        y[3:] += dv
        burns.append(Burn(float(t), dv, dv_l, leg.label, leg.phase))
        t_end = t + leg.duration_s + (120.0 if i == len(legs) - 1 else 0.0)
        traj = env.fly_ship(y, t, t_end)
        segs.append((traj, t, t_end))
        y = traj(t + leg.duration_s)
        t = t + leg.duration_s

    def axis_distance(tt, yy):
        tt = np.atleast_1d(tt)
        sts = station(tt if tt.size > 1 else float(tt[0]))
        rel = to_lvlh(sts.reshape(6, -1), yy.reshape(6, -1))
        return (rel[:3] - port_pos[:, None]).T @ port_axis

    last_traj, last_t0, _ = segs[-1]
    t_hi = last_t0 + (t - last_t0) + 120.0
    t_contact = float(
        find_crossings(last_traj, axis_distance, last_t0, t_hi, n_grid=60, direction=-1)[0]
    )
    if not np.isfinite(t_contact):
        raise MissionError("final approach: the ship did not reach the port (no contact found)")
    hold = next(leg.target for leg in legs if leg.phase == "hold")
    return ApproachFlight(tuple(burns), tuple(segs), starts, t_contact, hold)
