"""Launch sites and the ascent model: from liftoff on the rotating Earth to orbit insertion.

What it models
--------------
The Soyuz-2.1a ascent is modelled *kinematically*, not as a thrust-and-drag simulation: what the
rendezvous depends on is where and when the ship is released and with what velocity, and those are
published. The model places the insertion state from the launch time and the site's position on the
rotating Earth:

1. The site's GCRS position and velocity at liftoff come from skyfield (WGS-84 ellipsoid, IERS Earth
   orientation from skyfield's built-in tables).
2. Quasi-coplanar insertion: the rocket flies "directly into the plane" of the station's orbit
   (Spaceflight Now launch reports). The aim plane is the station's plane at insertion, turned
   about the
   Earth's axis by the *differential nodal regression* the ship will accumulate relative to the
   station
   before the approach starts (it flies lower, so J2 turns its plane faster): the insertion plane is
   "a few hundredths of a degree off the station's, chosen so that the later plane match costs less"
   (R. Murtazin, RSC Energia, IAC 2016, "Quasi-Coplanar Insertion to Implement Quick
   Two-Orbit Rendezvous Profile of Soyuz Spacecraft"). The launcher's yaw steering can remove an
   out-of-plane
   offset of the site up to ``yaw_capability_deg``; a larger offset is not flyable (the launch is
   outside the plane window).
3. The ship separates ``duration_s`` after liftoff (Soyuz-2.1a: 528 to 529.5 s, Roscosmos figures
for
   Progress MS-18/MS-20 and Soyuz MS-28; default 529 s) at the perigee of an insertion orbit of
   ``perigee_alt_m`` x ``apogee_alt_m`` (default 190 x 230 km, between the published Progress MS-20
   189 x 221 km and Progress MS-18 195 x 240 km), with zero flight-path angle.
4. The insertion point lies downrange of the site's liftoff position, in the aim plane, by the
   central angle the rocket covers in inertial space: its horizontal inertial speed is modelled as
   ``v0 + (v_ins - v0) (t/T)**p`` (v0 the site's speed along the plane, v_ins the insertion speed),
   rising steeply at the end as a multistage rocket's acceleration does, so the downrange
   distance is
   ``v0 T + (v_ins - v0) T / (p + 1)``. The exponent ``p = 1.5`` gives about 1,700 km, the order of
   the Soyuz third-stage cut-off point from Baikonur; it is an assumption, stated as one.

What it leaves out: the atmosphere during ascent, staging, the real pitch programme, dispersions of
the launcher (see the dispersions module for insertion errors), and polar-region geometry: the model
assumes the target plane's inclination exceeds the site latitude (true for the ISS from Baikonur).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import SITES, Site, site_by_name
from .constants import MU_EARTH, R_EARTH
from .errors import MissionError
from .orbits import nodal_rate, rotate_about, semi_major_axis
from .orbits import unit as _unit

__all__ = [
    "SITES",
    "AscentModel",
    "Insertion",
    "insert",
    "Site",
    "aim_plane_normal",
    "ascent_states",
    "insertion_state",
    "nodal_rate",
    "out_of_plane_angle",
    "site_by_name",
]


@dataclass(frozen=True)
class AscentModel:
    """Kinematic Soyuz-2.1a ascent to insertion (see the module docstring for sources).

    duration_s: liftoff to separation, s. perigee_alt_m, apogee_alt_m: insertion orbit, m above the
    equatorial radius. speed_exponent: shape p of the inertial horizontal-speed profile.
    yaw_capability_deg: the largest out-of-plane angle of the site the launcher can steer out.
    """

    duration_s: float = 529.0
    perigee_alt_m: float = 190e3
    apogee_alt_m: float = 230e3
    speed_exponent: float = 1.5
    yaw_capability_deg: float = 1.0

    def __post_init__(self):
        if not 300.0 <= self.duration_s <= 900.0:
            raise ValueError(
                f"ascent duration {self.duration_s} s: use 300 to 900 s (Soyuz: 529 s)"
            )
        if not 150e3 <= self.perigee_alt_m <= self.apogee_alt_m <= 400e3:
            raise ValueError(
                "insertion orbit: need 150 km <= perigee <= apogee <= 400 km, got "
                f"{self.perigee_alt_m / 1e3:.0f} x {self.apogee_alt_m / 1e3:.0f} km"
            )

    @property
    def perigee_radius(self) -> float:
        return R_EARTH + self.perigee_alt_m

    @property
    def apogee_radius(self) -> float:
        return R_EARTH + self.apogee_alt_m

    @property
    def insertion_speed(self) -> float:
        """Perigee speed of the insertion orbit, m/s (vis-viva)."""
        rp, ra = self.perigee_radius, self.apogee_radius
        return float(np.sqrt(MU_EARTH * 2.0 * ra / (rp * (rp + ra))))


def out_of_plane_angle(r, plane_normal):
    """Angle of position(s) ``r`` (3,...) out of the plane with unit normal (3,), rad (signed).

    A batch of normals (3, N) pairs each column of ``r`` (3, N) with its own plane.
    """
    r = np.asarray(r, dtype=float)
    plane_normal = np.asarray(plane_normal, dtype=float)
    if plane_normal.ndim == 2:
        return np.arcsin(np.clip(np.sum(plane_normal * _unit(r), axis=0), -1.0, 1.0))
    return np.arcsin(np.clip(np.tensordot(plane_normal, _unit(r), axes=(0, 0)), -1.0, 1.0))


def aim_plane_normal(station_state, pole, drift_time_s, ship_mean_alt_m):
    """Unit normal (3,) of the quasi-coplanar insertion plane.

    The station's orbit normal at insertion, turned about the Earth's ``pole`` by the difference in
    J2 nodal regression between a near-circular orbit at ``ship_mean_alt_m`` (the ship's mean
    altitude until the approach starts) and the station's orbit, over ``drift_time_s``: at the start
    of the approach the two planes then coincide (to first order in J2).
    """
    r, v = station_state[:3], station_state[3:]
    h = np.cross(r, v)
    h_hat = h / np.linalg.norm(h)
    inc = np.arccos(np.clip(h_hat @ pole, -1.0, 1.0))
    a_st = semi_major_axis(station_state)
    d_raan = (nodal_rate(R_EARTH + ship_mean_alt_m, inc) - nodal_rate(a_st, inc)) * drift_time_s
    # The ship's node regresses faster, so aim the plane ahead (east) of the station's by -d_raan:
    # rotate the normal about the pole by -d_raan (Rodrigues).
    return rotate_about(h_hat, pole, -d_raan)


def insertion_state(site_state0, plane_normal, model: AscentModel = AscentModel()):
    """The ship's GCRS state (6,) at separation, ``model.duration_s`` after liftoff.

    site_state0: (6,) GCRS position/velocity of the pad at liftoff (m, m/s).
    plane_normal: (3,) unit normal of the aim plane (orbit normal direction, prograde).
    Returns (state (6,), out_of_plane_rad): the second value is the site's signed angle out of the
    aim plane at liftoff; the caller decides whether it is flyable (see ``yaw_capability_deg``).
    Batches: ``site_state0`` (6, N) and/or ``plane_normal`` (3, N) give (6, N) states and (N,)
    angles (one launch per column; launch windows evaluate many candidate times at once).
    """
    site_state0 = np.asarray(site_state0, dtype=float)
    n_hat = np.asarray(plane_normal, dtype=float)
    states, oop = _insertion_states(site_state0, n_hat, model)
    if site_state0.ndim == 2 or n_hat.ndim == 2:
        return states, oop
    return states[:, 0], float(oop[0])  # one launch: a batch of one


def _insertion_states(site_state0, plane_normal, model: AscentModel):
    """:func:`insertion_state` for a batch: (6, N) and/or (3, N) in, ((6, N), (N,)) out."""
    n = max(
        site_state0.shape[1] if site_state0.ndim == 2 else 1,
        plane_normal.shape[1] if plane_normal.ndim == 2 else 1,
    )
    site = np.broadcast_to(site_state0.reshape(6, -1), (6, n))
    n_hat = _unit(np.broadcast_to(plane_normal.reshape(3, -1), (3, n)))
    r_s, v_s = site[:3], site[3:]
    oop = out_of_plane_angle(r_s, n_hat)
    u0 = _unit(r_s - np.sum(r_s * n_hat, axis=0) * n_hat)
    t0 = np.cross(n_hat, u0, axis=0)
    theta = _downrange_angle(np.sum(v_s * t0, axis=0), model)
    u_ins = np.cos(theta) * u0 + np.sin(theta) * t0
    t_ins = np.cross(n_hat, u_ins, axis=0)
    return np.concatenate([model.perigee_radius * u_ins, model.insertion_speed * t_ins]), oop


def _downrange_angle(v0, model: AscentModel):
    """Central angle (rad) from the pad's liftoff position to insertion (module docstring, item
    4)."""
    T, p = model.duration_s, model.speed_exponent
    s = v0 * T + (model.insertion_speed - v0) * T / (p + 1.0)
    r_mean = R_EARTH + 0.5 * model.perigee_alt_m
    return s / r_mean


def ascent_states(site_state0, insertion, t, model: AscentModel = AscentModel()):
    """Kinematic ascent path (6, n) in GCRS at times ``t`` (n,) in [0, duration_s] after liftoff.

    For drawing only: it interpolates between the pad at liftoff and the insertion state with the
    speed profile of the model (downrange angle) and a smooth altitude profile (altitude rising as
    ``1 - (1 - t/T)**2``, i.e. climbing steeply first and flattening towards insertion). Velocities
    are finite differences of the positions.
    """
    site_state0 = np.asarray(site_state0, dtype=float)
    insertion = np.asarray(insertion, dtype=float)
    t = np.asarray(t, dtype=float)
    T, p = model.duration_s, model.speed_exponent
    r0 = site_state0[:3]
    r1 = insertion[:3]
    n_hat = _unit(np.cross(r0, r1))
    u0 = _unit(r0)
    w0 = np.cross(n_hat, u0)
    theta_total = np.arctan2(np.cross(u0, _unit(r1)) @ n_hat, u0 @ _unit(r1))
    v0 = site_state0[3:] @ w0
    v1 = model.insertion_speed
    tau = np.clip(t / T, 0.0, 1.0)
    s_frac = (v0 * tau * T + (v1 - v0) * T * tau ** (p + 1.0) / (p + 1.0)) / (
        v0 * T + (v1 - v0) * T / (p + 1.0)
    )
    theta = theta_total * s_frac
    radius = np.linalg.norm(r0) + (np.linalg.norm(r1) - np.linalg.norm(r0)) * (1 - (1 - tau) ** 2)
    pos = radius * (np.cos(theta) * u0[:, None] + np.sin(theta) * w0[:, None])
    vel = np.gradient(pos, t, axis=1) if t.size > 1 else np.zeros_like(pos)
    return np.concatenate([pos, vel])


@dataclass(frozen=True, eq=False)
class Insertion:
    """The launch phase's hand-off: liftoff to insertion, before the aim plane is chosen.

    t: insertion, s after liftoff; pad0: (6,) the pad's GCRS state at liftoff; station: (6,) the
    station at insertion; ship: (6,) the ship inserted into the station's own plane;
    out_of_plane_deg: the pad's signed angle out of that plane at liftoff; phase_deg: the phase
    angle of the station ahead of the ship at insertion, deg in [-180, 180).
    """

    t: float
    pad0: np.ndarray
    station: np.ndarray
    ship: np.ndarray
    out_of_plane_deg: float
    phase_deg: float


def insert(env, site: Site, ascent: AscentModel) -> Insertion:
    """The launch phase for the environment ``env`` (``environment.Environment``): the station
    flown to insertion, the pad at liftoff and the ship inserted into the station's plane.

    Raises ``MissionError`` when the pad is out of the station's plane by more than the launcher's
    yaw capability (the launch is outside the plane window).
    """
    from .frames import site_state
    from .orbits import phase_angle
    from .times import iso_utc

    t_ins = ascent.duration_s
    st_ins = env.fly_station(t_ins, dense=False).final
    pad0 = site_state(site.lat_deg, site.lon_deg, site.height_m, env.epoch)
    h_st = np.cross(st_ins[:3], st_ins[3:])
    h_st /= np.linalg.norm(h_st)
    ship, oop = insertion_state(pad0, h_st, ascent)
    if abs(np.degrees(oop)) > ascent.yaw_capability_deg:
        raise MissionError(
            f"launch {iso_utc(env.epoch, digits=0)}: the pad is {np.degrees(oop):+.2f} deg out of "
            f"the station's orbit plane (the launcher can steer out "
            f"{ascent.yaw_capability_deg:.1f} deg); launch near the plane crossing (see "
            "rendezvous.search_windows)"
        )
    phase = float(np.degrees(phase_angle(st_ins, ship)))
    return Insertion(t_ins, pad0, st_ins, ship, float(np.degrees(oop)), phase)
