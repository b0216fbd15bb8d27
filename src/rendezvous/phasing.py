"""Phasing: the phase angle, the choice of scheme, and the far-range burns solved by targeting.

Model
-----
After insertion the ship is some angle behind the station in (nearly) the same plane. Flying lower,
it catches up; four burns at fixed times of the scheme (two "loaded before launch" on the first
orbit, two to finish the rendezvous: "the first two burns are loaded before launch and flown on the
first orbits; the onboard computer then computes the final rendezvous burns", ESA astronaut
S. Cristoforetti on the four-orbit scheme) bring it to the *approach start point* (AS), at rest in
the station's LVLH frame at the scheme's planned time: ``start_distance_m`` ahead of the station
and ``start_below_m`` (1.5 km) below its V-bar (``proximity.ApproachProfile``,
:func:`approach_start`). The burns are found in two steps:

1. A linear plan in relative orbital elements (ROE) of the ship with respect to the station:
   ``(da, dlambda, dex, dey, dix, diy)`` (m, rad, -, -, rad, rad), D'Amico (2010, PhD thesis, TU
   Delft, ch. 2) / Gauss variational equations for near-circular orbits. Tangential burns change
   ``da`` by ``2 dv_t / n`` and the eccentricity vector by ``2 dv_t / (n a) (cos u, sin u)``; normal
   burns change the inclination vector by ``dv_n / (n a) (cos u, sin u)``, which also drifts by the
   differential J2 nodal regression (``diy`` = dRAAN sin i); the mean longitude
   drifts at the difference of the two orbits' mean-longitude rates (Kepler plus secular J2,
   Vallado eqs. 9-41..9-43). Four tangential magnitudes solve the four in-plane conditions at AS
   (``da = 0``, ``de = 0``, ``dlambda`` = the AS offset); the out-of-plane components are the
   minimum-norm solution of the two inclination conditions.
2. Differential correction with the full force model: all twelve burn components are corrected by
   minimum-norm Newton steps until the ship's propagated state at AS matches the target position and
   velocity (six conditions) to metres and mm/s; the Jacobian comes from one vectorised
   propagation of
   13 states (finite differences).

Schedules: the burn times are the scheme's ``burn_revs`` times the station's nodal period from
mean elements at insertion (``orbits.nodal_period``: Kozai 1959, Brouwer 1959), not the osculating
``2 pi / n``, which varies by 15 s around the orbit. The linear plan itself still works in
osculating elements (the ROE are Keplerian, as in the textbook; the drag re-aim and the
differential correction absorb the short-period terms).

The scheme window (``rendezvous.schemes``): for the insertion orbit at hand, the linear plan gives
the total Delta-v as a function of the phase angle; the scheme can be flown where that Delta-v is
within ``dv_margin_m_s`` of its minimum (a propellant-margin definition of the window). With the
default margin the windows come out close to the published widths (Rossiyskaya Gazeta, 2024: about
6, 22 and 150 deg; tested).

Passive safety: the approach start point is the transfer's apogee, 1.5 km below the V-bar, so the
free drift after any one missed far-range burn stays outside the ISS approach ellipsoid
(``passive_safety``, which checks it).

Phase angle convention: the angle from the ship to the station in the station's orbit plane,
measured
in the direction of motion; positive when the station is ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .catalog import SCHEMES, Scheme
from .constants import MU_EARTH, R_EARTH
from .errors import MissionError
from .orbits import (
    mean_longitude_rate,
    mean_motion,
    nodal_period,
    phase_angle,
    rtn_basis,
    semi_major_axis,
)
from .orbits import unit as _unit
from .phasing_plan import (  # the linear plan: step 1 of the module docstring (re-exported)
    B3_SHIFTS_REV,
    B3_SINGULAR_DEG,
    PLAN_ITERATIONS,
    FarRangePlan,
    best_plan,
    linear_plan,
)

__all__ = [
    "SCHEMES",
    "AimedInsertion",
    "FarRange",
    "FarRangePlan",
    "InsertionGeometry",
    "aim_insertion",
    "approach_start",
    "correct_burns",
    "fly_burns",
    "fly_far_range",
    "insertion_geometries",
    "insertion_geometry",
    "reaim_for_drag",
    "Scheme",
    "B3_SHIFTS_REV",
    "B3_SINGULAR_DEG",
    "PLAN_ITERATIONS",
    "best_plan",
    "linear_plan",
    "mean_longitude_rate",
    "phase_angle",
    "relative_elements",
]

TWO_PI = 2.0 * np.pi


def _plane_axes(station, pole):
    """Node direction N, in-plane normal Q = h x N and normal h of the station's orbit (3, ...)."""
    h = _unit(np.cross(station[:3], station[3:6], axis=0))
    pole = np.asarray(pole, dtype=float)
    if pole.ndim == 1:  # one pole for all; else (3, N), one per state
        pole = pole.reshape((3,) + (1,) * (h.ndim - 1))
    node = _unit(np.cross(pole * np.ones_like(h), h, axis=0))
    return node, np.cross(h, node, axis=0), h


def _mean_elements(state, node, q_axis):
    """a (m), mean argument of latitude (rad), e-vector components (ex, ey) in the node frame."""
    r, v = state[:3], state[3:6]
    rn = np.linalg.norm(r, axis=0)
    a = 1.0 / (2.0 / rn - np.sum(v * v, axis=0) / MU_EARTH)
    h = np.cross(r, v, axis=0)
    e_vec = np.cross(v, h, axis=0) / MU_EARTH - r / rn
    ex = np.sum(e_vec * node, axis=0)
    ey = np.sum(e_vec * q_axis, axis=0)
    u = np.arctan2(np.sum(r * q_axis, axis=0), np.sum(r * node, axis=0))
    lam = u - 2.0 * (ex * np.sin(u) - ey * np.cos(u))
    return a, lam, ex, ey, u


def relative_elements(station, ship, pole=(0.0, 0.0, 1.0)) -> np.ndarray:
    """ROE of the ship w.r.t. the station: (6, ...) = (da m, dlambda rad, dex, dey, dix, diy).

    station, ship: (6,) or (6, N) GCRS states; pole: the Earth's axis in GCRS (node reference).
    dlambda is wrapped to [-pi, pi): minus the phase angle, to first order in eccentricity.
    """
    station = np.asarray(station, dtype=float)
    ship = np.asarray(ship, dtype=float)
    if ship.ndim > station.ndim:
        station = station[:, None] * np.ones_like(ship)
    node, q_axis, h = _plane_axes(station, pole)
    a0, l0, ex0, ey0, _ = _mean_elements(station, node, q_axis)
    a1, l1, ex1, ey1, _ = _mean_elements(ship, node, q_axis)
    h1 = _unit(np.cross(ship[:3], ship[3:6], axis=0))
    dh = h1 - h
    dlam = (l1 - l0 + np.pi) % TWO_PI - np.pi
    return np.array(
        [
            a1 - a0,
            dlam,
            ex1 - ex0,
            ey1 - ey0,
            -np.sum(dh * q_axis, axis=0),
            np.sum(dh * node, axis=0),
        ]
    )


# ------------------------------------------------------------------------------------------------
# The phasing phase: insertion geometry, scheme choice, and the far range flown


@dataclass(frozen=True, eq=False)
class InsertionGeometry:
    """The station's orbit at insertion and the ship relative to it: the arguments of the linear
    plan and of the scheme windows (``linear_plan``).

    a_st: station (osculating) semi-major axis, m; n_st: its mean motion (Keplerian, osculating),
    rad/s; period: its nodal period from mean elements (``orbits.nodal_period``), s: the unit of
    the schedules (``Scheme.burn_revs``), the same wherever on its orbit the station is at
    insertion (the osculating period varies by 15 s around the orbit); inc:
    inclination to the true equator, rad; u_st: station mean argument of latitude, rad; roe: (6,)
    ROE of the ship; target_dlam: the ship's mean-longitude offset at the approach start, rad;
    as_rel: (6,) the approach start point (AS) in the station's LVLH frame, m and m/s (at rest,
    ``start_below_m`` below the V-bar); as_depth_m: its height below the V-bar, m.
    """

    a_st: float
    n_st: float
    period: float
    inc: float
    u_st: float
    roe: np.ndarray
    target_dlam: float
    as_rel: np.ndarray
    as_depth_m: float

    def burn_times(self, scheme: Scheme) -> np.ndarray:
        """The scheme's four burn times after insertion, s."""
        return np.array(scheme.burn_revs) * self.period

    def plan_args(
        self, scheme: Scheme
    ) -> tuple[np.ndarray, float, float, float, np.ndarray, float]:
        """(roe, a_st, inc, u_st, t_burns, target_dlam): the arguments of ``linear_plan``."""
        return (
            self.roe,
            self.a_st,
            self.inc,
            self.u_st,
            self.burn_times(scheme),
            self.target_dlam,
        )


def insertion_geometry(station, ship, pole, approach) -> InsertionGeometry:
    """:class:`InsertionGeometry` of the station (6,) and ship (6,) at insertion; ``pole`` (3,)
    the Earth's axis; ``approach`` a ``proximity.ApproachProfile`` (the approach start point)."""
    return insertion_geometries(
        np.asarray(station, dtype=float)[:, None],
        np.asarray(ship, dtype=float)[:, None],
        np.asarray(pole, dtype=float)[:, None],
        approach,
    )[0]


def insertion_geometries(station, ship, pole, approach) -> list[InsertionGeometry]:
    """:func:`insertion_geometry` of N insertions at once: station and ship (6, N), pole (3, N)."""
    a_st = np.asarray(semi_major_axis(station))
    h = _unit(np.cross(station[:3], station[3:6], axis=0))
    inc = np.arccos(np.clip(np.sum(h * pole, axis=0), -1.0, 1.0))
    node = _unit(np.cross(pole, h, axis=0))
    u_st = _mean_elements(station, node, np.cross(h, node, axis=0))[1]
    roe = relative_elements(station, ship, pole)
    period = np.asarray(nodal_period(station, pole))
    as_rel = approach_start(approach)
    return [
        InsertionGeometry(
            float(a_st[j]),
            float(mean_motion(a_st[j])),
            float(period[j]),
            float(inc[j]),
            float(u_st[j]),
            roe[:, j].copy(),
            float(as_rel[0] / a_st[j]),
            as_rel,
            float(as_rel[2]),
        )
        for j in range(station.shape[1])
    ]


def approach_start(approach) -> np.ndarray:
    """The approach start point (AS) of a ``proximity.ApproachProfile``: (6,) LVLH state, m and
    m/s: ``start_distance_m`` along the V-bar on the ``approach_side`` and ``start_below_m`` below
    it (LVLH z points to the Earth), at rest in LVLH (module docstring, passive safety)."""
    x = approach.approach_side * approach.start_distance_m
    return np.array([x, 0.0, float(approach.start_below_m), 0.0, 0.0, 0.0])


def fly_burns(
    fly: Callable[..., Any],
    y0: np.ndarray,
    t0: float,
    t_burns: np.ndarray,
    dv_rtn: np.ndarray,
    *,
    keep: bool = False,
) -> tuple[np.ndarray, np.ndarray, list]:
    """Fly states ``y0`` (6, M) from ``t0`` through burns at ``t_burns`` (K,) whose components
    ``dv_rtn`` (K, 3, M) are in each ship's own radial / along-track / normal frame at the burn.

    fly(y, ta, tb, dense) -> ``propagate.Trajectory`` (``Environment.fly_ship``). Returns (states
    after the last burn (6, M), GCRS Delta-vs (K, 3, M), [(trajectory, ta, tb)] when ``keep``).
    """
    y = y0
    t = t0
    dvs = []
    segs = []
    for k, tb in enumerate(t_burns):
        traj = fly(y, t, tb, dense=keep)
        y = traj.final.copy()
        if keep:
            segs.append((traj, t, tb))
        dv = np.einsum("ijm,im->jm", rtn_basis(y), dv_rtn[k])
        y[3:] += dv
        dvs.append(dv)
        t = tb
    return y, np.array(dvs), segs


def correct_burns(
    fly: Callable[..., Any],
    ship_ins: np.ndarray,
    t_ins: float,
    t_burns: np.ndarray,
    plan_rtn: np.ndarray,
    target: np.ndarray,
    n_mean: float,
    *,
    max_iter: int = 12,
) -> tuple[np.ndarray, bool]:
    """Differential correction of the 12 burn components (module docstring, step 2) so that the
    ship flown from ``ship_ins`` (6,) arrives at ``target`` (6,) at the last burn time.

    Returns (dv_rtn (4, 3), converged). ``fly`` as in :func:`fly_burns`.
    """
    x = plan_rtn.reshape(12).copy()
    scale = np.array([1, 1, 1, 1 / n_mean, 1 / n_mean, 1 / n_mean])
    h = 1e-3
    for _ in range(max_iter):
        X = np.repeat(x[:, None], 13, axis=1)
        X[np.arange(12), np.arange(1, 13)] += h
        y0 = np.repeat(ship_ins[:, None], 13, axis=1)
        y, _, _ = fly_burns(fly, y0, t_ins, t_burns, X.reshape(4, 3, 13))
        F = (y - target[:, None]) * scale[:, None]
        J = (F[:, 1:] - F[:, :1]) / h
        res = F[:, 0]
        if not np.all(np.isfinite(J)):
            return x.reshape(4, 3), False
        if np.all(np.abs(res[:3]) < 0.5) and np.all(np.abs(res[3:]) * n_mean < 5e-4):
            return x.reshape(4, 3), True
        x = x - np.linalg.lstsq(J, res, rcond=None)[0]  # minimum-norm Newton step
    return x.reshape(4, 3), False


@dataclass(frozen=True, eq=False)
class AimedInsertion:
    """The ship inserted into the quasi-coplanar aim plane, and the linear plan from there.

    ship: (6,) at insertion; phase_deg: phase angle at insertion; roe: (6,) its ROE on the branch
    of the scheme's window; t_burns: (4,) burn times after liftoff used by the plan (B3 may be
    moved, ``best_plan``); t_nominal: (4,) the scheme's own times; plan: ``FarRangePlan`` (M = 1).
    """

    ship: np.ndarray
    phase_deg: float
    roe: np.ndarray
    t_burns: np.ndarray
    t_nominal: np.ndarray
    plan: FarRangePlan


def aim_insertion(ins, geom, scheme, window, pole, ascent) -> AimedInsertion:
    """The aim-plane iteration (``launch`` module docstring, item 2): the plane anticipates the
    differential nodal regression at the ship's mean height until the approach starts, first
    guessed from the insertion orbit, then taken from the plan flown into that plane.

    ins: ``launch.Insertion``; geom: its :class:`InsertionGeometry`; window: the scheme's
    :class:`SchemeWindow`. Raises ``MissionError`` when no linear plan exists.
    """
    from .launch import aim_plane_normal, insertion_state

    t_nominal = ins.t + geom.burn_times(scheme)
    ship_mean_alt = 0.5 * (ascent.perigee_alt_m + ascent.apogee_alt_m)
    for _ in range(2):
        aim = aim_plane_normal(ins.station, pole, t_nominal[-1] - ins.t, ship_mean_alt)
        ship_ins, _ = insertion_state(ins.pad0, aim, ascent)
        phase_ins = float(np.degrees(phase_angle(ins.station, ship_ins)))
        roe0 = relative_elements(ins.station, ship_ins, pole)
        # The phase angle on the branch the scheme's window holds (e.g. 224 deg, not -136 deg).
        phase_eff = phase_ins if window.lo_deg <= phase_ins <= window.hi_deg else phase_ins + 360.0
        roe0[1] = -np.radians(phase_eff)
        tb_used, plan = best_plan(
            roe0,
            geom.a_st,
            geom.inc,
            geom.u_st,
            t_nominal - ins.t,
            geom.target_dlam,
            as_depth_m=geom.as_depth_m,
        )
        if not np.isfinite(plan.dv_total[0]):
            raise MissionError(
                f"scheme {scheme.name}: no far-range plan for phase angle {phase_ins:.2f} deg; "
                "try another launch time or scheme"
            )
        da = roe0[0] + 2.0 / geom.n_st * np.cumsum(plan.dv_rtn[:, 1, 0])
        dt = np.diff(np.concatenate([[0.0], tb_used[:, 0]]))
        seg_da = np.concatenate([[roe0[0]], da[:3]])
        ship_mean_alt = geom.a_st - R_EARTH + float(np.sum(seg_da * dt) / np.sum(dt))
    return AimedInsertion(ship_ins, phase_ins, roe0, ins.t + tb_used[:, 0], t_nominal, plan)


def reaim_for_drag(fly, aimed, geom, station, pole, t_ins) -> tuple[FarRangePlan, np.ndarray]:
    """The drag re-aim: the linear plan's drift prediction misses drag and higher-order terms
    (degrees over two days); fly the plan, measure the ship's mean-longitude error at the approach
    start, and re-aim the linear plan at a target offset by that error (the linear model as the
    Jacobian), until it is within 20 km. Returns (plan, burn times after liftoff (4,))."""
    plan, t_burns = aimed.plan, aimed.t_burns
    t_as = float(t_burns[-1])
    aim_dlam = geom.target_dlam
    for _ in range(6):
        y_try, _, _ = fly_burns(fly, aimed.ship[:, None], t_ins, t_burns, plan.dv_rtn)
        err = float(relative_elements(station(t_as), y_try[:, 0], pole)[1]) - geom.target_dlam
        if abs(err) * geom.a_st < 20e3:
            break
        aim_dlam -= err
        tb_try, plan_try = best_plan(
            aimed.roe,
            geom.a_st,
            geom.inc,
            geom.u_st,
            aimed.t_nominal - t_ins,
            aim_dlam,
            as_depth_m=geom.as_depth_m,
        )
        if not np.isfinite(plan_try.dv_total[0]):
            break
        plan, t_burns = plan_try, t_ins + tb_try[:, 0]
    return plan, t_burns


@dataclass(frozen=True, eq=False)
class FarRange:
    """The far range as flown: insertion to the approach start point (AS).

    ship_ins: (6,) at insertion (aim plane); phase_deg: phase angle at insertion; t_burns: (4,)
    s after liftoff, the last at AS; dv_rtn: (4, 3) in the ship's own frame; dv: (4, 3) GCRS;
    ship_as: (6,) after the last burn; segments: ((Trajectory, ta, tb), ...) between the burns.
    """

    ship_ins: np.ndarray
    phase_deg: float
    t_burns: np.ndarray
    dv_rtn: np.ndarray
    dv: np.ndarray
    ship_as: np.ndarray
    segments: tuple


def fly_far_range(env, ins, geom, scheme, window, station, ascent, approach) -> FarRange:
    """The phasing phase: aim plane, linear plan, drag re-aim, differential correction with the
    full force model, and the burns flown (module docstring).

    env: ``environment.Environment``; ins: ``launch.Insertion``; station: the station's dense
    trajectory (callable of s after liftoff). Raises ``MissionError`` when targeting fails.
    """
    from .frames import from_lvlh

    aimed = aim_insertion(ins, geom, scheme, window, env.pole, ascent)
    plan, t_burns = reaim_for_drag(env.fly_ship, aimed, geom, station, env.pole, ins.t)
    t_as = float(t_burns[-1])
    target = from_lvlh(station(t_as), geom.as_rel)
    dv_rtn, converged = correct_burns(
        env.fly_ship, aimed.ship, ins.t, t_burns, plan.dv_rtn[:, :, 0], target, geom.n_st
    )
    if not converged:
        raise MissionError(
            f"scheme {scheme.name}: far-range targeting did not converge (phase angle "
            f"{aimed.phase_deg:.2f} deg); try another launch time or scheme"
        )
    y_as, dvs, segs = fly_burns(
        env.fly_ship, aimed.ship[:, None], ins.t, t_burns, dv_rtn[:, :, None], keep=True
    )
    return FarRange(
        aimed.ship, aimed.phase_deg, t_burns, dv_rtn, dvs[:, :, 0], y_as[:, 0], tuple(segs)
    )
