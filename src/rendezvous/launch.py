"""Launch sites and the ascent model: from liftoff on the rotating Earth to orbit insertion.

What it models
--------------
What the rendezvous depends on is where and when the ship is released and with what velocity. The
time and the orbit are published; where is the downrange angle of a point-mass ascent of the
launcher (``ascent`` module). The model places the insertion state from the launch time and the
site's position on the rotating Earth:

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
   for Progress MS-18/MS-20 and Soyuz MS-28; default 529 s) at the perigee of an insertion orbit of
   ``perigee_alt_m`` x ``apogee_alt_m`` (default 190 x 230 km, between the published Progress MS-20
   189 x 221 km and Progress MS-18 195 x 240 km), with zero flight-path angle.
4. The insertion point lies downrange of the pad's liftoff position, in the aim plane, by the
   central angle of a point-mass ascent of the launcher (``ascent`` module: published stage
   thrusts, masses and event times, a gravity turn, then a linear-tangent steering whose three
   numbers are solved so that the ship is at that perigee at ``duration_s``). The ascent starts
   with the pad's inertial speed along the aim plane (the Earth's rotation); it is solved once for
   the pad speed of an in-plane launch (``cos(i) / cos(latitude)`` of the pad's speed, rounded to
   10 m/s) and cached, so a window search over thousands of launch times solves it once. The
   targeting absorbs the pad's speed: the separation point moves by about 1.5 m per m/s of pad
   speed (measured in ``tests/test_launch.py``), so the rounding and the few m/s by which a pad up
   to 1 deg out of the plane differs cost less than 10 m.

What it leaves out: the launcher's dispersions (see the dispersions module for insertion errors),
the yaw steering's cost, and polar-region geometry: the model assumes the target plane's
inclination exceeds the site latitude (true for the ISS from Baikonur).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ascent import SOYUZ_2_1A, AscentProfile, LaunchVehicle, solve_ascent
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
    """The Soyuz-2.1a ascent to insertion (see the module docstring and ``ascent``).

    duration_s: liftoff to separation, s. perigee_alt_m, apogee_alt_m: insertion orbit, m above the
    equatorial radius. yaw_capability_deg: the largest out-of-plane angle of the site the launcher
    can steer out. payload_kg: the ship's mass at launch (Soyuz MS-27: about 7,152 kg).
    vehicle: the launcher (``ascent.LaunchVehicle`` table entry).
    """

    duration_s: float = 529.0
    perigee_alt_m: float = 190e3
    apogee_alt_m: float = 230e3
    yaw_capability_deg: float = 1.0
    payload_kg: float = 7_152.0
    vehicle: LaunchVehicle = SOYUZ_2_1A

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

    def profile(self, r_pad: float, v_pad: float, guess=None) -> AscentProfile:
        """The solved ascent (``ascent.AscentProfile``, cached) from a pad at geocentric radius
        ``r_pad`` m moving at ``v_pad`` m/s along the aim plane (rounded to 100 m and 0.1 m/s);
        ``guess``: the solver's start (the steering of a neighbouring solution)."""
        extra = {} if guess is None else {"guess": guess}
        return solve_ascent(
            self.vehicle,
            float(self.payload_kg),
            float(self.duration_s),
            self.perigee_radius,
            self.insertion_speed,
            float(round(r_pad, -2)),
            0.0,
            float(round(v_pad, 1)),
            **extra,
        )


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
    theta = _downrange_angle(r_s, v_s, n_hat, model)
    u_ins = np.cos(theta) * u0 + np.sin(theta) * t0
    t_ins = np.cross(n_hat, u_ins, axis=0)
    return np.concatenate([model.perigee_radius * u_ins, model.insertion_speed * t_ins]), oop


def _downrange_angle(r_s, v_s, n_hat, model: AscentModel) -> float:
    """Central angle (rad) from the pad's liftoff position to insertion (module docstring, item
    4), for pads (3, N) with plane normals (3, N): one value for the batch."""
    r_pad = float(np.median(np.linalg.norm(r_s, axis=0)))
    return model.profile(r_pad, _in_plane_pad_speed(r_s, v_s, n_hat)).final[1]


_DV_PAD = 10.0  # m/s: rounding of the pad's in-plane speed for the cached ascent


def _in_plane_pad_speed(r_s, v_s, n_hat) -> float:
    """The pad's speed along the aim plane if it lay in the plane, rounded to 10 m/s: sine of
    the launch azimuth cos(i)/cos(lat) times the pad's speed (one value for the batch, so the
    cached ascent does not depend on which launch times are asked)."""
    speed = float(np.median(np.linalg.norm(v_s, axis=0)))
    cos_lat = float(np.median(np.hypot(r_s[0], r_s[1]) / np.linalg.norm(r_s, axis=0)))
    cos_i = float(np.median(np.abs(n_hat[2])))
    sin_az = min(1.0, cos_i / cos_lat)
    return _DV_PAD * round(speed * sin_az / _DV_PAD)


def ascent_states(site_state0, insertion, t, model: AscentModel = AscentModel()):
    """The ascent path (6, n) in GCRS at times ``t`` (n,) in [0, duration_s] after liftoff.

    For drawing: the solved point-mass ascent (``ascent`` module) laid in the plane through the
    pad at liftoff and the insertion point, its downrange angle and height scaled to end exactly at
    ``insertion`` (the pad's small out-of-plane offset is spread along the path). Velocities are
    finite differences of the positions.
    """
    site_state0 = np.asarray(site_state0, dtype=float)
    insertion = np.asarray(insertion, dtype=float)
    t = np.asarray(t, dtype=float)
    r0, r1 = site_state0[:3], insertion[:3]
    n_hat = _unit(np.cross(r0, r1))
    u0 = _unit(r0)
    w0 = np.cross(n_hat, u0)
    theta_total = np.arctan2(np.cross(u0, _unit(r1)) @ n_hat, u0 @ _unit(r1))
    prof = model.profile(
        float(np.linalg.norm(r0)), _in_plane_pad_speed(r0[:, None], site_state0[3:, None], n_hat)
    )
    r_t, th_t, _, _ = prof.at(t)
    theta = theta_total * th_t / prof.final[1]
    rise = (np.linalg.norm(r1) - np.linalg.norm(r0)) / (prof.final[0] - prof.r[0])
    radius = np.linalg.norm(r0) + (r_t - prof.r[0]) * rise
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
