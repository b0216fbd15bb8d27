"""The part of each Monte Carlo sample after the onboard far range (``dispersions``): the ground's
burns from the tracked orbit (two-day B1/B2 and the correction before B3 of the four-orbit and
two-day schemes), and the approach to contact flown by ``proximity.fly_approach`` for all flown
samples at once.

Ground burns (a property of the scheme: ``catalog.Scheme.ground_arc_revs``, ``ground_b1b2``)
--------------------------------------------------------------------------------------------
Two-orbit: B1 and B2 are loaded before launch and the onboard computer re-targets B3 and B4
(no ground burn: "with a two-lap circuit, all calculations are done beforehand", Rossiyskaya
Gazeta 2024).

Four-orbit: "we now insert the data for the first two burns when the rocket is still on the
launchpad and get those first two burns done right away" (ESA astronaut S. Cristoforetti, training
blog outpost42.esa.int, 2013) - only the first two: before, "the ground personnel would track the
Soyuz, measure its actual position and velocity and, based on that, calculate and upload to the
onboard computer the data for the engine burns ... into a position from which the onboard computer
can calculate the final rendezvous burns" (same post). The ship "requires four burns to get closer
to the ISS and they all occur in the following 2.5 hrs after launch", and the automated rendezvous
begins about 600 km behind the station about 2 h before docking (ESA mission director R. Luettgens
on L. Parmitano's ESA blog, 24 May 2013, Soyuz TMA-09M). So after the pre-loaded B1 and B2 the
ground, from the tracked orbit, computes the burns that bring the ship to the start of the onboard
rendezvous; modelled as one correction impulse ``ground_arc_revs`` = 1.25 revolutions of the ship
before B3 (about 2.3 h after liftoff, within Parmitano's 2.5 h) that puts the ship on the nominal
position at B3. Without it the insertion errors drift for 2.6 revolutions (0.6 m/s along-track is
about 1 km of semi-major axis, 10 km per revolution) and B3/B4, half a revolution apart, pay for
them: 32 % of Soyuz MS-12 samples were over the 25 m/s reserve (issue 11; 200 samples, seed
1).

Two-day: B2 is followed by about 28 revolutions of coast before B3: flown as loaded and left alone,
the insertion and B1/B2 errors drift by hundreds of kilometres along-track (an along-track velocity
error dv changes the semi-major axis by 2 dv / n and drifts 3 pi times that per revolution: 0.1 m/s
is about 170 m of semi-major axis, 1.6 km per revolution, 45 km over 28 revolutions; the
insertion's 0.6 m/s 1-sigma is about 10 km per revolution, some 270 km) and B3/B4 must absorb them
in half a revolution, which costs tens to hundreds of m/s (issue 11: a median far-range Delta-v of
227 m/s against 117 nominal). Real two-day flights are tracked from the ground and their burns
before the autonomous rendezvous are computed there: NASA's two-day Soyuz template has the phasing
burns on flight day 1, orbits 3 and 4, and one correction on flight day 2, orbit 17 (NASA, Soyuz
two-day rendezvous timeline overview); the State Commission confirms the scheme from the measured
insertion (TASS, Progress MS-09). Modelled (``ground_b1b2`` True, ``ground_arc_revs`` 14.25):

1. B1 and B2 (the two-day's B1 is 2.25 revolutions after insertion: time to track) are computed
   on the ground from the tracked orbit before B1: B1 puts the ship on the nominal position at B2,
   B2 on the nominal velocity after B2;
2. one correction 14.25 revolutions of the ship before B3 (flight day 2, orbit 17 to 18) puts the
   ship on the nominal position at B3.

The ground knows the ship's state to an orbit-determination error (ASSUMED values:
``ErrorModel.od_pos_m`` per radial / along-track / normal axis, ``od_vel_m_s`` on the radial and
normal velocity, and the semi-major axis to ``od_sma_m``, the best-determined element of an orbit
tracked over many passes, so that the along-track velocity error follows from it: ``dv_T = n (da
/ 2 - dr_R)``; independent errors of 100 m and 0.03 m/s on every axis would mean 200 m of
semi-major axis and 27 km of drift by B3) and predicts it with the nominal force model (nominal
drag: the ground does not know the day's density); each impulse is solved by chord steps with the
nominal arc's state transition matrix (``GROUND_STEPS`` propagations) and flown with execution
errors. An arc of k + 1/4 (or k + 3/4) of the ship's revolutions (1.25, 14.25) keeps the radial
and cross-track response to the impulse (the sine of the arc's angle) at its largest; at a whole
or half revolution they vanish and the solution would blow up (:func:`ground_plan` refuses an arc
whose sine is below ``GROUND_MIN_SINE``).

ASSUMPTION (four-orbit): the four-orbit correction (1.25 revolutions before B3) comes only about
0.4 of the ship's revolution (about 36 min on Soyuz MS-12) after B2, and about 1.45 revolutions
after insertion; yet it uses the same orbit-determination errors as the two-day scheme, whose
values assume many passes of tracking. The tracking arc that counts is short, and B2 (flown with
execution errors) falls inside it: the ground would have to determine the orbit after B2 from
about half an hour of tracking, or carry its pre-B2 solution through B2's execution error. The
values are kept as the assumption (Soyuz MS also carries satellite navigation, which would make
such a short determination plausible); the sensitivity, measured on Soyuz MS-12 (200 samples,
seed 1): with ``od_pos_m``, ``od_vel_m_s`` and ``od_sma_m`` all scaled by 1 / 3 / 5 / 10, the
re-targeting correction's p50 is 3.9 / 4.8 / 5.9 / 9.0 m/s and its p95 12.5 / 13.3 / 14.8 / 20.5
m/s (largest 18.7 / 19.1 / 20.6 / 24.6, none over the 25 m/s reserve), the ground correction's
p95 7.8 / 8.1 / 8.5 / 9.4 m/s and the total Delta-v p95 149.1 / 149.5 / 150.1 / 150.5 m/s; the
contact is unchanged.

Approach
--------
After B4 every sample not already failed flies the approach from its own state at the approach
start, beside its own station (both with the sample's drag), with navigation and execution errors
(``ErrorModel.approach``, a ``proximity.ApproachErrors``), by the same guidance as the nominal
flight (``proximity.fly_approach`` with a ``StationBatch``): its contact time, speed and lateral
miss, the closest approach before the final approach, keep-out and cone checks and the Delta-v
by phase. An aborted approach (outside the approach cone by more than ``proximity.CONE_ABORT_M``)
or a missed contact is a failed sample with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "GROUND_MIN_SINE",
    "GROUND_STEPS",
    "GroundPlan",
    "fly_near",
    "ground_b1b2",
    "ground_correction",
    "ground_plan",
    "ground_time",
]

GROUND_MIN_SINE = 0.5
"""A ground correction whose arc to B3 has |sin(2 pi revolutions)| below this is refused."""

GROUND_STEPS = 3
"""Propagations of the ground's prediction (first guess and chord steps) per correction."""


def ground_time(t_b3: float, n_ship: float, arc_revs: float | None) -> float:
    """Time of the ground correction (s since liftoff): ``arc_revs`` revolutions of the ship
    (mean motion ``n_ship``, rad/s) before B3 (``catalog.Scheme.ground_arc_revs``); NaN when the
    scheme has none (``arc_revs`` None)."""
    if arc_revs is None:
        return float("nan")
    return float(t_b3 - arc_revs * 2.0 * np.pi / n_ship)


@dataclass(frozen=True, eq=False)
class GroundPlan:
    """The nominal arcs the ground targets (module docstring), GCRS states (m, m/s), s.

    t_b1, t_b2: B1 and B2; dv1: (3,) nominal B1; stm_b1: (6, 6) state transition matrix from
    just after B1 to B2; ship_b2, ship_b2_post: (6,) nominal ship just before and after B2;
    t_ground: the correction; stm_ground: (6, 6) from t_ground to B3; target_b3: (3,) the nominal
    position at B3; b1b2: B1 and B2 from the ground's tracking (``ground_b1b2``; False: loaded
    before launch, only the correction is the ground's).
    """

    t_b1: float
    t_b2: float
    dv1: np.ndarray
    stm_b1: np.ndarray
    ship_b2: np.ndarray
    ship_b2_post: np.ndarray
    t_ground: float
    stm_ground: np.ndarray
    target_b3: np.ndarray
    b1b2: bool = True


def _stm(fly: Callable[..., np.ndarray], y: np.ndarray, t0: float, t1: float):
    """(end state (6,), state transition matrix (6, 6)) of the arc from ``y`` (6,) by forward
    differences of 1 m and 1 mm/s (one propagation of 7 states)."""
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    y0 = np.repeat(y[:, None], 7, axis=1)
    y0[np.arange(6), np.arange(1, 7)] += steps
    yf = fly(y0, t0, t1)
    return yf[:, 0].copy(), (yf[:, 1:] - yf[:, :1]) / steps


def ground_plan(fly, ship_ins, t_ins, t_burns, dv_rtn, scheme: str) -> GroundPlan | None:
    """The :class:`GroundPlan` of a nominal far range of ``scheme`` (a ``catalog.SCHEMES`` name),
    None when the scheme has no ground burns (``Scheme.ground_arc_revs`` None). fly(y, t0, t1) ->
    (6, N) end states (nominal force model and drag); ship_ins: (6,) at insertion ``t_ins``;
    t_burns: (4,) s; dv_rtn: (4, 3) nominal burns in the ship's radial / along-track / normal
    frame."""
    from .catalog import scheme_by_name
    from .orbits import mean_motion, rtn_basis, semi_major_axis

    entry = scheme_by_name(scheme)
    if entry.ground_arc_revs is None:
        return None

    pre_b1 = fly(ship_ins[:, None], t_ins, t_burns[0])[:, 0]
    dv1 = rtn_basis(pre_b1[:, None])[:, :, 0].T @ dv_rtn[0]
    ship_b2, stm_b1 = _stm(fly, pre_b1 + np.concatenate([np.zeros(3), dv1]), t_burns[0], t_burns[1])
    post_b2 = ship_b2 + np.concatenate(
        [np.zeros(3), rtn_basis(ship_b2[:, None])[:, :, 0].T @ dv_rtn[1]]
    )
    n_ship = float(mean_motion(semi_major_axis(post_b2)))
    t_g = ground_time(float(t_burns[2]), n_ship, entry.ground_arc_revs)
    if not t_burns[1] < t_g < t_burns[2]:
        raise ValueError(
            f"scheme: {scheme!r} has its ground correction {entry.ground_arc_revs} revolutions "
            "before B3, outside the coast from B2 to B3; set Scheme.ground_arc_revs shorter"
        )
    if abs(np.sin(2.0 * np.pi * entry.ground_arc_revs)) < GROUND_MIN_SINE:
        raise ValueError(
            f"scheme: {scheme!r} has its ground correction {entry.ground_arc_revs} revolutions "
            "before B3, near a whole or half revolution where one impulse cannot steer the "
            "radial position; set Scheme.ground_arc_revs to k + 0.25 or k + 0.75"
        )
    at_g = fly(post_b2[:, None], t_burns[1], t_g)[:, 0]
    ship_b3, stm_g = _stm(fly, at_g, t_g, t_burns[2])
    return GroundPlan(
        float(t_burns[0]),
        float(t_burns[1]),
        dv1,
        stm_b1,
        ship_b2,
        post_b2,
        t_g,
        stm_g,
        ship_b3[:3].copy(),
        entry.ground_b1b2,
    )


def _tracked(ship: np.ndarray, z: np.ndarray, model: Any) -> np.ndarray:
    """The ship's states (6, N) as the ground determines them: true ``ship`` plus the
    orbit-determination error (module docstring); z: (6, N) standard-normal numbers (position R,
    T, N; radial velocity, semi-major axis, normal velocity)."""
    from .constants import MU_EARTH
    from .orbits import rtn_basis

    basis = rtn_basis(ship)  # (3, 3, N), rows R, T, N
    d_pos = model.od_pos_m * z[0:3]
    n_ship = np.sqrt(MU_EARTH / np.linalg.norm(ship[:3], axis=0) ** 3)
    # along-track velocity from the semi-major-axis error (vis-viva, near-circular):
    # da = 2 (dr_R + dv_T / n), i.e. dv_T = n (da / 2 - dr_R)
    d_vel = np.stack(
        [
            model.od_vel_m_s * z[3],
            n_ship * (0.5 * model.od_sma_m * z[4] - d_pos[0]),
            model.od_vel_m_s * z[5],
        ]
    )
    out = ship.copy()
    out[:3] += np.einsum("ijn,in->jn", basis, d_pos)
    out[3:] += np.einsum("ijn,in->jn", basis, d_vel)
    return out


def _solve(fly, tracked, t_a, t_b, target, stm, dv0):
    """Chord (fixed-Jacobian Newton) steps for the impulse at ``t_a`` that puts ``tracked``
    (6, N) on ``target`` (3,) at ``t_b``: (impulse (3, N), predicted state at t_b (6, N))."""
    from .frames import mat_vec

    inv_rv = np.linalg.inv(stm[:3, 3:])
    dv = np.array(dv0, dtype=float)
    for _ in range(GROUND_STEPS):
        pred = tracked.copy()
        pred[3:] += dv
        yf = fly(pred, t_a, t_b)
        dv = dv + mat_vec(inv_rv, target[:, None] - yf[:3])
    pred = tracked.copy()
    pred[3:] += dv
    return dv, fly(pred, t_a, t_b)


def ground_b1b2(fly, ship, plan: GroundPlan, z, model, fly_true):
    """B1 and B2 computed on the ground from the tracked orbit (module docstring) and flown with
    execution errors: ship (6, N) just before B1; fly: the ground's prediction; fly_true(y, t0,
    t1) -> (6, N) the true flight; z: (12, N) standard-normal numbers (orbit determination 6, B1
    and B2 execution 3 each). Returns (states just after B2 (6, N), impulses as flown (2, 3, N))."""
    from .proximity import execute_burns

    tracked = _tracked(ship, z[0:6], model)
    dv0 = np.repeat(plan.dv1[:, None], ship.shape[1], axis=1)
    dv1, pred = _solve(fly, tracked, plan.t_b1, plan.t_b2, plan.ship_b2[:3], plan.stm_b1, dv0)
    dv2 = plan.ship_b2_post[3:, None] - pred[3:]
    dv1_x = execute_burns(dv1, z[6:9], model.burn_magnitude, model.burn_pointing_deg)
    y = ship.copy()
    y[3:] += dv1_x
    y = fly_true(y, plan.t_b1, plan.t_b2).copy()
    dv2_x = execute_burns(dv2, z[9:12], model.burn_magnitude, model.burn_pointing_deg)
    y[3:] += dv2_x
    return y, np.stack([dv1_x, dv2_x])


def ground_correction(fly, ship, plan: GroundPlan, t_b3: float, z, model) -> np.ndarray:
    """The ground's correction impulse (3, N) GCRS as flown, for ships (6, N) at
    ``plan.t_ground`` (module docstring). fly(y, t0, t1) -> (6, N) end states with the nominal
    drag; z: (9, N) standard-normal numbers (orbit determination 6, execution 3); model:
    ``dispersions.ErrorModel``."""
    from .proximity import execute_burns

    tracked = _tracked(ship, z[0:6], model)
    zero = np.zeros((3, ship.shape[1]))
    dv, _ = _solve(fly, tracked, plan.t_ground, t_b3, plan.target_b3, plan.stm_ground, zero)
    return execute_burns(dv, z[6:9], model.burn_magnitude, model.burn_pointing_deg)


def fly_near(nom: Any, model: Any, z: np.ndarray, ship, station, ib, ok) -> dict[str, np.ndarray]:
    """The approach of the samples ``ok`` (n,) bool from their states ``ship``, ``station``
    (6, n) after B4; ib: (2n,) Cd A/m of the ships then the stations; z: (n, >= 9 x legs)
    standard-normal numbers. Returns the ``proximity.ApproachSamples`` fields as (n, ...) arrays
    (NaN, or 0 for the status, where not flown)."""
    from .proximity import StationBatch, fly_approach

    n = ship.shape[1]
    idx = np.flatnonzero(ok)
    out: dict[str, np.ndarray] = {
        "t_contact": np.full(n, np.nan),
        "contact_speed": np.full(n, np.nan),
        "contact_miss": np.full(n, np.nan),
        "contact_offset": np.full((n, 2), np.nan),
        "min_range_before_final": np.full(n, np.nan),
        "keepout_violation": np.zeros(n, dtype=bool),
        "cone_excess": np.full(n, np.nan),
        "dv_phase": np.full((n, 4), np.nan),
        "status": np.zeros(n, dtype=np.int8),
    }
    if idx.size == 0:
        return out
    batch = StationBatch(station[:, idx], np.concatenate([ib[:n][idx], ib[n:][idx]]), nom.force())
    flight = fly_approach(
        None,
        batch,
        ship[:, idx],
        nom.t_as,
        nom.port_pos,
        nom.port_axis,
        nom.approach,
        nom.n_mean,
        errors=model.approach,
        z=z[idx],
    )
    for name, arr in out.items():
        arr[idx] = getattr(flight.samples, name)
    return out
