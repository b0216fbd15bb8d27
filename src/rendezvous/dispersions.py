"""Monte Carlo dispersions of the whole rendezvous, insertion to contact: where the ship arrives
at the approach start point, what it costs and when and how it docks when the launcher, the
engine, the navigation and the atmosphere are not nominal.

Scope
-----
The far range (insertion to the approach start point AS, about 2 h for the two-orbit scheme) is
flown for all N samples at once, as one (6, 2N) batch of ship and station states propagated by the
package's force model (``propagate``, J2-J4 and drag, 10th-order Stormer-Cowell at 60 s steps, as
``mission.simulate``):

1. insertion errors are added to the nominal insertion state;
2. the phasing burns B1 and B2 are flown as loaded before launch (ESA astronaut S. Cristoforetti:
   "the first two burns are loaded before launch"): the nominal components ``Burn.dv_rtn`` in the
   ship's own radial / along-track / normal frame, with execution errors, by ``phasing.fly_burns``
   (the same burn flight as the mission's differential correction);
3. at B3 the onboard computer re-targets B3 and B4 from its navigated state (true state plus
   navigation error) with the nominal force model (it does not know the sample's drag): a
   linearised correction with the state transition matrix of the nominal B3 -> AS arc (computed
   once by finite differences in one vectorised propagation), then at most ``newton_steps``
   vectorised chord (fixed-Jacobian Newton) steps, each one propagation of the samples whose
   predicted miss is still above ``NEWTON_STOP_M`` (1 m): two or three for the short arcs of the
   fast schemes, more when the state at B3 is far from the nominal; B4 nulls the predicted
   velocity relative to the AS point;
4. B3 and B4 are flown with execution errors and the true drag (B4 by ``phasing.fly_burns``, its
   components taken in the onboard frame of the predicted state); the miss is the ship's state
   relative to the AS point (-start_distance on the V-bar, at rest) in the station's LVLH frame;
5. on the four-orbit and two-day schemes the ground, from the tracked orbit, flies a correction
   burn between B2 and B3, and on the two-day scheme it also computes B1 and B2 (a property of
   the scheme, ``catalog.Scheme.ground_arc_revs`` and ``ground_b1b2``; ``dispersions_near``);
6. every sample not failed so far flies the approach, flyaround, hold and final approach to
   contact with its own navigation and execution errors, by the guidance of the nominal flight
   (``proximity.fly_approach`` for all samples at once, ``dispersions_near.fly_near``).

The re-targeting is not ``phasing.correct_burns``: that one solves all four burns from insertion
with the true state; on board only B3 and B4 are solved, from a navigated state, with the nominal
drag. It shares the environment (``environment.environment_at``: element set, pole, force model,
drag coefficients, integrator settings), the RTN basis of ``orbits`` and the burn flight.

Failed samples: a sample whose state is not finite, whose miss at AS exceeds
``FAIL_MISS_M`` (1,000 km: no longer a rendezvous), whose ship comes below ``FAIL_ALTITUDE_M``
(150 km: it re-enters within hours) at a recorded point, or whose onboard re-targeting does not
converge (predicted miss above ``RETARGET_TOL_M`` after the Newton steps), whose approach is
aborted (outside the approach cone) or whose ship does not reach the port, is counted with its
reason (``Samples.status``) and left out of every statistic.

Reported per sample: the miss at AS (position, velocity), the far-range Delta-v as flown (four
burns, and the ground correction where there is one), the re-targeting correction (the change of
B3 and B4 from their nominal values), the approach flown (contact time, closing speed and lateral
miss from the port axis at contact, closest approach before the final approach, keep-out and
cone checks, Delta-v by phase), the total Delta-v, and whether the correction exceeds the
Delta-v reserve. Over the reserve, a sample falls back to the next slower scheme (the scheme
whose arrival at AS is the next later one, e.g. two-orbit -> four-orbit): counted, and its
docking is its flown contact plus the difference of the two schemes' arrivals at AS (the time the
fallback costs; the slower scheme itself is not flown). The slowest scheme, two-day, has no
fallback: such samples are counted as over the reserve and keep their docking time.

Error model and random numbers: ``dispersions_errors`` (``ErrorModel``, ``draw``,
``draw_range``, ``n_draws``), re-exported here; :func:`draws_per_sample` sizes them to the nominal's
approach.

Left out: attitude and thruster geometry, the station's element-set (SGP4) error, errors of the
burn times, correlated errors, retreats and second attempts after an aborted approach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from importlib import import_module
from typing import Any

import numpy as np

from .dispersions_errors import (
    BLOCK,
    N_FAR,
    N_GROUND,
    NO_ERROR_MODEL,
    ErrorModel,
    draw,
    draw_range,
    n_draws,
)
from .dispersions_near import GroundPlan, fly_near, ground_b1b2, ground_correction, ground_plan
from .environment import fly as _propagate
from .frames import mat_vec
from .orbits import mean_motion, rtn_basis, semi_major_axis
from .phasing import approach_start, fly_burns
from .proximity import ApproachProfile, ApproachSamples, execute_burns

__all__ = [
    "BLOCK",
    "N_FAR",
    "N_GROUND",
    "DispersionResult",
    "NO_ERROR_MODEL",
    "ErrorModel",
    "Nominal",
    "Samples",
    "STATUS",
    "draw",
    "draw_range",
    "draws_per_sample",
    "fly_samples",
    "n_draws",
    "nominal_from_mission",
    "run_dispersions",
]

FAIL_MISS_M = 1.0e6
"""A miss at AS above this (1,000 km) is a failed sample, not a rendezvous."""

FAIL_ALTITUDE_M = 150.0e3
"""A ship below this altitude above the equatorial radius re-enters within hours: failed."""

NEWTON_STOP_M = 1.0
"""The onboard Newton (chord) steps stop for a sample once its predicted miss is below this."""

RETARGET_TOL_M = 100.0
"""Onboard predicted miss at AS after the Newton steps above which the re-targeting has not
converged (the nominal model meets AS to metres)."""

STATUS = (
    "ok",
    "not finite",
    "miss > 1,000 km",
    "below 150 km",
    "re-targeting not converged",
    "approach abort: outside the approach cone",
    "no contact",
)
"""Meaning of ``Samples.status`` codes 0 .. 6 (5, 6: ``proximity.APPROACH_STATUS`` 1, 2)."""

TRAJ_STEP_S = 300.0
"""Longest propagation arc between recorded trajectory points, s (for the LVLH figure)."""


@dataclass(frozen=True)
class Nominal:
    """The nominal far range of one simulated flight, all a chunk needs (picklable).

    Times in s since liftoff; states GCRS (m, m/s). force_model: the mission's
    ``Environment.force``; fallback_scheme: the next slower scheme, None for the slowest.
    dv_rtn: (4, 3) nominal burns (``Burn.dv_rtn``) in the ship's
    radial / along-track / normal frame before each burn. stm_b3: (6, 6) state transition matrix
    of the nominal ship from just after B3 to AS; ship_b3: (6,) nominal ship just before B3;
    dv3: (3,) nominal B3 in GCRS; ship_as: (6,) nominal ship at AS before B4. approach,
    port_pos, port_axis: the approach profile and the port (LVLH) the approach flies to; ground: the
    arcs the ground targets on a long coast (``dispersions_near.GroundPlan``; None: no ground
    burns, B1 and B2 loaded before launch).
    """

    flight: str
    scheme: str
    launch_utc: str
    t_ins: float
    ship_ins: np.ndarray
    station_ins: np.ndarray
    t_burns: np.ndarray
    dv_rtn: np.ndarray
    t_as: float
    as_rel: np.ndarray
    ib_ship: float
    ib_station: float
    force_model: Any
    n_mean: float
    prox_duration_s: float
    prox_dv_m_s: float
    fallback_delay_s: float
    fallback_scheme: str | None
    approach: ApproachProfile
    port_pos: np.ndarray
    port_axis: np.ndarray
    ground: GroundPlan | None = None
    port_name: str = ""
    ship_b3: np.ndarray = field(default_factory=lambda: np.zeros(6))
    dv3: np.ndarray = field(default_factory=lambda: np.zeros(3))
    stm_b3: np.ndarray = field(default_factory=lambda: np.eye(6))
    ship_as: np.ndarray = field(default_factory=lambda: np.zeros(6))

    def force(self) -> Any:
        """The force model the mission flew (``Environment.force``)."""
        return self.force_model


def _to_gcrs(basis, comp):
    """GCRS vectors (3, N) from components (3, N) in the frame whose rows are ``basis``."""
    return np.sum(basis * comp[:, None, :], axis=0)


def _from_gcrs(basis, vec):
    return np.sum(basis * vec[None, :, :], axis=1)


def _fallback(scheme: str) -> tuple[str | None, float]:
    """The next slower scheme than ``scheme`` (the next later arrival at AS) and the difference of
    the two arrivals in station revolutions; (None, 0.0) for the slowest."""
    from .catalog import SCHEMES

    arrive = SCHEMES[scheme].burn_revs[-1]
    slower = sorted(
        (s.burn_revs[-1], name) for name, s in SCHEMES.items() if s.burn_revs[-1] > arrive
    )
    if not slower:
        return None, 0.0
    return slower[0][1], float(slower[0][0] - arrive)


def nominal_from_mission(result, cfg=None, approach=None) -> Nominal:
    """The :class:`Nominal` of a ``mission.MissionResult`` (and its ``Scenario``): the burns as
    flown (``Burn.t``, ``Burn.dv_rtn``), the environment rebuilt as flown
    (``environment_at(scenario, result.station_span_s)``), the nominal ship re-flown from insertion
    through B1 and B2 by ``phasing.fly_burns``, and the state transition matrix of its B3 -> AS arc
    (one vectorised propagation of 7 states)."""
    from .calibration import with_hold
    from .environment import environment_at
    from .proximity import approach_estimate, port_frame
    from .scenario import Scenario
    from .times import iso_utc

    scenario = cfg if cfg is not None else Scenario(result.epoch)
    prof = approach or scenario.approach_for(result.scheme)
    if approach is None and np.isfinite(result.hold_s):  # the hold the nominal flew (lighting)
        prof = with_hold(prof, result.hold_s)
    i_ins = int(np.argmin(np.abs(result.t - result.t_insertion)))
    burns = result.burns[:4]
    if any(b.dv_rtn is None for b in burns):
        raise ValueError("result: its far-range burns carry no dv_rtn; fly it with simulate()")
    t_b = np.array([b.t for b in burns])
    dv_rtn = np.array([np.asarray(b.dv_rtn, dtype=float) for b in burns])  # (4, 3)
    span = result.station_span_s if np.isfinite(result.station_span_s) else None
    env = environment_at(scenario, span)  # element set, pole, force model and drag, as flown
    st_ins = result.station[:, i_ins]
    n_mean = float(mean_motion(semi_major_axis(st_ins)))
    fb, delay_revs = _fallback(result.scheme)
    port_pos, port_axis = port_frame(scenario.port, prof, scenario.station)
    prox_dur, prox_dv = approach_estimate(prof, port_pos, port_axis, n_mean)
    ship_ins = result.ship[:, i_ins].copy()
    t_ins = float(result.t_insertion)

    def fly(y, ta, tb, dense=False):
        return _propagate(y, ta, tb, env.force, env.ib_ship, dense=dense)

    # the nominal ship just before B3, flown through B1 and B2 as the samples are
    y2, dv12, _ = fly_burns(fly, ship_ins[:, None], t_ins, t_b[:2], dv_rtn[:2, :, None])
    ship_b3 = fly(y2, t_b[1], t_b[2]).final[:, 0]
    dv3 = rtn_basis(ship_b3[:, None])[:, :, 0].T @ dv_rtn[2]
    # state transition matrix of the B3 -> AS arc by forward differences (1 m, 1 mm/s)
    post = ship_b3 + np.concatenate([np.zeros(3), dv3])
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    y0 = np.repeat(post[:, None], 7, axis=1)
    y0[np.arange(6), np.arange(1, 7)] += steps
    yf = fly(y0, t_b[2], t_b[3]).final
    ground = ground_plan(
        lambda y, a, b: fly(y, a, b).final, ship_ins, t_ins, t_b, dv_rtn, result.scheme
    )
    return Nominal(
        flight=result.flight,
        scheme=result.scheme,
        launch_utc=str(iso_utc(result.epoch, digits=3)),
        t_ins=t_ins,
        ship_ins=ship_ins,
        station_ins=st_ins.copy(),
        t_burns=t_b,
        dv_rtn=dv_rtn,
        t_as=float(t_b[3]),
        as_rel=approach_start(prof),
        ib_ship=env.ib_ship,
        ib_station=env.ib_station,
        force_model=env.force,
        n_mean=n_mean,
        prox_duration_s=prox_dur,
        prox_dv_m_s=prox_dv,
        fallback_delay_s=float(delay_revs * 2.0 * np.pi / n_mean),
        fallback_scheme=fb,
        ship_b3=ship_b3,
        dv3=dv3,
        stm_b3=(yf[:, 1:] - yf[:, :1]) / steps,
        ship_as=yf[:, 0].copy(),
        approach=prof,
        port_pos=np.asarray(port_pos, dtype=float),
        port_axis=np.asarray(port_axis, dtype=float),
        ground=ground,
        port_name=str(scenario.port.name),
    )


def _legs(nominal: Nominal) -> int:
    """The number of legs of the nominal's approach (``proximity.approach_legs``)."""
    from .proximity import approach_legs

    return len(approach_legs(nominal.approach, nominal.port_pos, nominal.port_axis))


def draws_per_sample(nominal: Nominal) -> int:
    """Standard-normal numbers each sample of ``nominal`` needs: :func:`n_draws` of its
    approach's legs (every sample flies the nominal's legs, whose schedule is fixed)."""
    return n_draws(_legs(nominal))


def _execute(dv_plan, z, model: ErrorModel):
    """Burns (3, N) as flown: magnitude error and pointing error about two normal axes
    (``proximity.execute_burns``)."""
    return execute_burns(dv_plan, z, model.burn_magnitude, model.burn_pointing_deg)


def _fly(y, ib, t0, t1, force, record=None):
    """Propagate the batch from t0 to t1 (one propagation); when ``record`` is a list, append
    (t, states) at points no more than TRAJ_STEP_S apart up to t1, read from the dense output."""
    if record is None:
        return _propagate(y, t0, t1, force, ib, dense=False).final
    traj = _propagate(y, t0, t1, force, ib, dense=True)
    n_arcs = max(1, int(np.ceil((t1 - t0) / TRAJ_STEP_S - 1e-9)))
    edges = np.linspace(t0, t1, n_arcs + 1)
    states = traj(edges[1:-1])  # (6, N, k)
    for k, b in enumerate(edges[1:-1]):
        record.append((b, states[:, :, k]))
    record.append((t1, traj.final.copy()))
    return traj.final


def _lvlh(station, ship):
    from . import frames

    return frames.to_lvlh(station, ship)


def _retarget(nom, model, zt, ship, station, ib_model, force, newton_steps):
    """Navigation and re-targeting of B3 and B4 (module docstring, step 3) for ship and station
    states (6, n) just before B3: (dv3 (3, n), dv4 (3, n) GCRS as planned on board, the
    correction from the nominal burns (n,) m/s, the predicted position miss at AS (n,) m, the
    onboard RTN basis of the predicted state at AS (3, 3, n))."""
    from . import frames

    n = ship.shape[1]
    t3, t_as = nom.t_burns[2], nom.t_as
    rel = _lvlh(station, ship)
    rel_nav = rel + np.concatenate([model.nav_pos_m * zt[18:21], model.nav_vel_m_s * zt[21:24]])
    ship_nav = frames.from_lvlh(station, rel_nav)
    b3_nom = _to_gcrs(rtn_basis(ship_nav), np.repeat(nom.dv_rtn[2][:, None], n, axis=1))
    b4_nom_rtn = nom.dv_rtn[3]
    # the station as the onboard model predicts it (nominal drag), once
    st_pred = _fly(station, ib_model[n:], t3, t_as, force)
    target = frames.from_lvlh(st_pred, np.repeat(nom.as_rel[:, None], n, axis=1))
    # linear first guess through the nominal arc's state transition matrix
    phi = nom.stm_b3
    inv_rv = np.linalg.inv(phi[:3, 3:])
    miss0 = target[:3] - nom.ship_as[:3, None] - mat_vec(phi[:3], ship_nav - nom.ship_b3[:, None])
    dv3 = nom.dv3[:, None] + mat_vec(inv_rv, miss0)
    pred = ship_nav.copy()
    pred[3:] += dv3
    yf = _fly(pred, ib_model[:n], t3, t_as, force)
    for _ in range(newton_steps):  # chord steps on the samples not yet within NEWTON_STOP_M
        res = target[:3] - yf[:3]
        todo = np.linalg.norm(res, axis=0) > NEWTON_STOP_M
        todo &= np.all(np.isfinite(res), axis=0)
        if not np.any(todo):
            break
        dv3[:, todo] += mat_vec(inv_rv, res[:, todo])
        pred = ship_nav[:, todo].copy()
        pred[3:] += dv3[:, todo]
        yf[:, todo] = _fly(pred, ib_model[:n][todo], t3, t_as, force)
    predicted_miss = np.linalg.norm(yf[:3] - target[:3], axis=0)
    dv4 = target[3:] - yf[3:]
    frame_as = rtn_basis(yf)
    b4_nom = _to_gcrs(frame_as, np.repeat(b4_nom_rtn[:, None], n, axis=1))
    correction = np.linalg.norm(dv3 - b3_nom, axis=0) + np.linalg.norm(dv4 - b4_nom, axis=0)
    return dv3, dv4, correction, predicted_miss, frame_as


@dataclass(frozen=True, eq=False)
class Samples(ApproachSamples):
    """The whole rendezvous flown for n samples (module docstring): the approach's
    ``proximity.ApproachSamples`` fields (samples first: t_contact, contact_speed, contact_miss,
    contact_offset (n, 2), min_range_before_final, keepout_violation, cone_excess, dv_phase
    (n, 4); NaN where the approach was not flown) and the far range's and the whole flight's.

    miss_r, miss_v: (3, n) LVLH miss at AS (m, m/s); dv_far (far-range burns and the ground
    correction as flown), dv_ground (the ground correction alone, 0 without one), dv_correction,
    dv_total (far range + approach as flown): (n,) m/s; fallback: (n,) bool, correction over the
    reserve and a slower scheme exists; over_reserve: (n,) bool, correction over the reserve;
    t_docking: (n,) s since liftoff, the contact flown (+ the fallback delay); predicted_miss:
    (n,) onboard predicted position miss after re-targeting, m; status: (n,) int8 failure code of
    the whole flight (:data:`STATUS`, 0 = flown; it replaces the approach's own code); traj_t:
    (k,) s; traj: (3, n, k) float32 LVLH positions of the far range.
    """

    miss_r: np.ndarray
    miss_v: np.ndarray
    dv_far: np.ndarray
    dv_correction: np.ndarray
    dv_total: np.ndarray
    fallback: np.ndarray
    over_reserve: np.ndarray
    t_docking: np.ndarray
    predicted_miss: np.ndarray
    traj_t: np.ndarray
    traj: np.ndarray
    dv_ground: np.ndarray


class _WithStation:
    """``fly(y, ta, tb, dense)`` for ``phasing.fly_burns``: flies the ship states (6, n) together
    with their stations (one (6, 2n) batch with per-column drag), keeps the stations, and records
    (t, ship and station states) at arc ends no longer than ``TRAJ_STEP_S`` apart."""

    def __init__(self, station, ib, force, record):
        self.station, self.ib, self.force, self.record = station, ib, force, record

    def __call__(self, ship, ta, tb, dense=False):
        n = ship.shape[1]
        y = _fly(
            np.concatenate([ship, self.station], axis=1), self.ib, ta, tb, self.force, self.record
        )
        self.station = y[:, n:]
        return _Final(y[:, :n])


@dataclass(frozen=True, eq=False)
class _Final:
    final: np.ndarray


def _status(miss, rec, n, predicted_miss):
    """Failure code (n,) per sample (:data:`STATUS`)."""
    from .constants import R_EARTH

    r_min = np.min([np.linalg.norm(r[1][:3, :n], axis=0) for r in rec], axis=0)
    finite = np.all(np.isfinite(miss), axis=0) & np.isfinite(r_min)
    status = np.zeros(n, dtype=np.int8)
    status[r_min - R_EARTH < FAIL_ALTITUDE_M] = 3
    status[np.linalg.norm(miss[:3], axis=0) > FAIL_MISS_M] = 2
    status[~(predicted_miss <= RETARGET_TOL_M)] = 4  # the cause of the two above when both
    status[~finite] = 1
    return status


def fly_samples(
    nominal: Nominal, model: ErrorModel, z: np.ndarray, newton_steps: int = 12
) -> Samples:
    """Fly the whole rendezvous for the samples whose standard-normal draws are the rows of ``z``
    (n, :func:`draws_per_sample`); the :class:`Samples` (module docstring). A sample that diverges
    (overflow, re-entry) raises no floating-point warning: it is flagged in ``Samples.status``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _fly_samples(nominal, model, z, newton_steps)


def _fly_samples(nominal: Nominal, model: ErrorModel, z: np.ndarray, newton_steps: int) -> Samples:
    nom = nominal
    z = np.asarray(z, dtype=float)
    zt = z.T  # (draws per sample, n)
    far = _fly_far(nom, model, zt, newton_steps)
    status = far.pop("status")
    near = fly_near(
        nom,
        model,
        z[:, N_FAR + N_GROUND :],
        far.pop("ship_as"),
        far.pop("station_as"),
        far.pop("ib_true"),
        status == 0,
    )
    flown = status == 0
    status[flown] = np.where(near["status"][flown] > 0, 4 + near["status"][flown], 0)
    over = far["dv_correction"] > model.dv_reserve_m_s
    fallback = over & (nom.fallback_scheme is not None)
    del near["status"]
    return Samples(
        dv_total=far["dv_far"] + np.sum(near["dv_phase"], axis=1),
        fallback=fallback,
        over_reserve=over,
        t_docking=near["t_contact"] + np.where(fallback, nom.fallback_delay_s, 0.0),
        status=status,
        **far,
        **near,
    )


def _fly_far(nom: Nominal, model: ErrorModel, zt: np.ndarray, newton_steps: int) -> dict:
    """The far range of the samples (module docstring, steps 1-5): the :class:`Samples` fields
    of the far range, their status, and the ship and station states after B4 with the true drag
    (``ship_as``, ``station_as``, ``ib_true``) for the approach."""
    n = zt.shape[1]
    force = nom.force()
    # -- insertion --------------------------------------------------------------------------
    ship = np.repeat(nom.ship_ins[:, None], n, axis=1)
    basis = rtn_basis(ship)
    ship[:3] += _to_gcrs(basis, np.array(model.insertion_pos_m)[:, None] * zt[0:3])
    ship[3:] += _to_gcrs(basis, np.array(model.insertion_vel_m_s)[:, None] * zt[3:6])
    station = np.repeat(nom.station_ins[:, None], n, axis=1)
    dens = np.exp(model.density_sigma * zt[25])
    ib_true = np.concatenate(
        [nom.ib_ship * np.exp(model.ballistic_sigma * zt[24]) * dens, nom.ib_station * dens]
    )
    ib_model = np.concatenate([np.full(n, nom.ib_ship), np.full(n, nom.ib_station)])
    rec = [(nom.t_ins, np.concatenate([ship, station], axis=1))]
    pair = _WithStation(station, ib_true, force, rec)
    t3, t_as, plan = nom.t_burns[2], nom.t_as, nom.ground
    t_from, dv_g = nom.t_burns[1], np.zeros((3, n))

    def predict(yy, ta, tb):  # the ground's prediction: nominal drag, no station
        return _fly(yy, ib_model[:n], ta, tb, force)

    zg = zt[N_FAR : N_FAR + N_GROUND]
    if plan is None or not plan.b1b2:  # -- B1, B2 as loaded, with execution errors (ship's RTN) --
        plan12 = np.repeat(nom.dv_rtn[:2, :, None], n, axis=2)
        dv12 = np.stack([_execute(plan12[k], zt[6 + 3 * k : 9 + 3 * k], model) for k in range(2)])
        y, _, _ = fly_burns(pair, ship, nom.t_ins, nom.t_burns[:2], dv12)
    else:  # -- B1, B2 from the ground's tracking ---------------------------------------------
        ship = pair(ship, nom.t_ins, plan.t_b1).final
        z12 = np.concatenate([zg[0:6], zt[6:12]])
        y, dv12 = ground_b1b2(predict, ship, plan, z12, model, lambda a, b, c: pair(a, b, c).final)
    if plan is not None:  # -- the ground's correction from the tracked orbit before B3 ---------
        y = pair(y, t_from, plan.t_ground).final.copy()
        dv_g = ground_correction(predict, y, plan, t3, zg[6:15], model)
        y[3:] += dv_g
        t_from = plan.t_ground
    ship = pair(y, t_from, t3).final
    dv3, dv4, correction, predicted_miss, frame_as = _retarget(
        nom, model, zt, ship, pair.station, ib_model, force, newton_steps
    )
    # -- B3 (in the onboard frame), then to AS and B4 with the true drag -------------------------
    nav_frame = rtn_basis(ship)  # the ship's frame at B3; the navigated one differs by ~1e-5 rad
    dv3_x = _to_gcrs(nav_frame, _execute(_from_gcrs(nav_frame, dv3), zt[12:15], model))
    ship = ship.copy()
    ship[3:] += dv3_x
    dv4_x = _execute(_from_gcrs(frame_as, dv4), zt[15:18], model)
    y, dv4_g, _ = fly_burns(pair, ship, t3, np.array([t_as]), dv4_x[None])
    rec[-1] = (t_as, np.concatenate([y, pair.station], axis=1))
    miss = _lvlh(pair.station, y) - nom.as_rel[:, None]
    dv_ground = np.linalg.norm(dv_g, axis=0)
    dv_far = (
        np.sum(np.linalg.norm(dv12, axis=1), axis=0)
        + dv_ground
        + np.linalg.norm(dv3_x, axis=0)
        + np.linalg.norm(dv4_g[0], axis=0)
    )
    traj = np.stack([_lvlh(r[1][:, n:], r[1][:, :n])[:3] for r in rec], axis=-1)
    traj = np.where(np.abs(traj) < 1e30, traj, np.nan)  # float32 below
    return dict(
        miss_r=miss[:3],
        miss_v=miss[3:],
        dv_far=dv_far,
        dv_ground=dv_ground,
        dv_correction=correction,
        predicted_miss=predicted_miss,
        status=_status(miss, rec, n, predicted_miss),
        traj_t=np.array([r[0] for r in rec]),
        traj=traj.astype(np.float32),
        ship_as=y,
        station_as=pair.station,
        ib_true=ib_true,
    )


_FIELDS = tuple(f.name for f in fields(Samples) if f.name != "traj_t")
"""The per-sample arrays of :class:`Samples`, concatenated over chunks (``traj_t`` is shared)."""

_AXIS_1 = ("miss_r", "miss_v", "traj")
"""The fields whose samples run along axis 1 (the others: axis 0)."""


def _take(s: Samples, cols: slice) -> Samples:
    """The samples ``cols`` of ``s``."""
    out = {f: getattr(s, f)[:, cols] if f in _AXIS_1 else getattr(s, f)[cols] for f in _FIELDS}
    return Samples(traj_t=s.traj_t, **out)


@dataclass(frozen=True, eq=False)
class DispersionResult(Samples):
    """N flown samples (sample order) with the nominal, the error model and the seed.

    The :class:`Samples` arrays concatenated over chunks; nominal_traj: (3, k) LVLH positions of
    the zero-error sample at ``traj_t``.
    """

    seed: int
    n: int
    chunk_size: int
    nominal: Nominal
    model: ErrorModel
    nominal_traj: np.ndarray
    nominal_dv_total: float
    nominal_t_docking: float


def _chunk_job(nominal, model, newton_steps, seed, span) -> Samples:
    """Draw the chunk's own numbers (samples ``span[0]`` .. ``span[1] - 1``) and fly them. The
    chunk that starts at sample 0 also flies the zero-error sample, as its last column: a sample
    does not depend on the samples beside it (``dispersions_errors``), so it is the zero-error
    flight to the bit, at the cost of one more column instead of a flight of its own (whose fixed
    cost, ~0.5 s, would otherwise compete with the workers for the cores, or add to the run)."""
    z = draw_range(seed, span[0], span[1], _legs(nominal))
    if span[0] == 0:
        z = np.concatenate([z, np.zeros((1, z.shape[1]))])
    return fly_samples(nominal, model, z, newton_steps)


def run_dispersions(
    nominal: Nominal,
    n: int,
    seed: int,
    *,
    model: ErrorModel | None = None,
    chunk_size: int = 1000,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[], object] | None = None,
    newton_steps: int = 12,
) -> DispersionResult:
    """Fly ``n`` samples with ``seed`` (module docstring); in-process by default, on a local Dask
    cluster of ``workers`` processes, or on the cluster at ``scheduler`` (``parallel``).
    progress: called once per finished chunk of ``chunk_size`` samples (for a progress bar).

    Each chunk is a range of sample indices whose task draws its own numbers; the nominal flight
    and the error model are bound by a partial, which ``parallel.map_chunks`` ships once to each
    worker. The zero-error sample (``nominal_traj``, ``nominal_dv_total``, ...) is flown with the
    first chunk (``_chunk_job``). The numbers do not depend on ``chunk_size``, ``workers`` or
    ``scheduler``; ``chunk_size`` sets the work per task: a chunk has a fixed cost of ~0.5 s CPU
    on the 2-core test machine (MS-27) beside ~0.7 ms per sample, so chunks much smaller than the
    default 1,000 samples are slower everywhere."""
    from .parallel import map_chunks

    model = model or ErrorModel()
    if int(chunk_size) != chunk_size or chunk_size < 1:
        raise ValueError(f"chunk_size: got {chunk_size}; use a positive whole number")
    if int(n) != n or n < 1:
        raise ValueError(f"n: got {n} samples; use a positive whole number")
    chunks = [(i, min(i + int(chunk_size), int(n))) for i in range(0, int(n), int(chunk_size))]
    job = partial(_chunk_job, nominal, model, newton_steps, int(seed))
    parts = map_chunks(job, chunks, workers=workers, scheduler=scheduler, progress=progress)
    nom = _take(parts[0], slice(-1, None))
    parts[0] = _take(parts[0], slice(0, -1))
    cat = {}
    for f in _FIELDS:
        cat[f] = np.concatenate([getattr(p, f) for p in parts], axis=1 if f in _AXIS_1 else 0)
    return DispersionResult(
        seed=int(seed),
        n=int(n),
        chunk_size=int(chunk_size),
        nominal=nominal,
        model=model,
        traj_t=parts[0].traj_t,
        nominal_traj=nom.traj[:, 0, :],
        nominal_dv_total=float(nom.dv_total[0]),
        nominal_t_docking=float(nom.t_docking[0]),
        **cat,
    )


def __getattr__(name: str) -> Any:
    """``report``: the former home of ``report.dispersion_report`` (presentation lives in
    :mod:`rendezvous.report`; loaded on use, so the core does not import it)."""
    if name == "report":
        return import_module("rendezvous.report").dispersion_report
    raise AttributeError(f"module 'rendezvous.dispersions' has no attribute {name!r}")
