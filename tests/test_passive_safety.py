"""Passive safety of the far range (issue 9): with any one far-range burn missed, the ship stays
outside the ISS approach ellipsoid.

Requirement: the approach ellipsoid (AE) is 4 km along-track and 2 km radial and cross-track (full
axes) about the station's centre of mass, and only a vehicle cleared for the approach may enter it
(Fehse 2003, "Automated Rendezvous and Docking of Spacecraft", ch. 5; NASA/JSC 2005, "ISS
Rendezvous, Proximity Operations, Docking and Berthing Considerations"). A far-range trajectory is
passively safe when its free drift after a failed burn does not enter the AE (Fehse 2003, ch. 4).

Definition tested (``passive_safety.missed_burn_clearance``): burn k is missed and no later burn
is flown (free drift, no correction: the conservative case), for 24 h after the missed burn's time
(our stated horizon: a day gives the ground time to re-plan and uplink a correction). The same for
the drift from the approach start point when the approach does not start. The tolerance is the AE
itself (clearance above 1), from the requirement, not from the model's output.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from rendezvous import launch, passive_safety, phasing, schemes
from rendezvous.constants import MU_EARTH
from rendezvous.environment import environment_at
from rendezvous.frames import from_lvlh
from rendezvous.mission import Scenario
from rendezvous.proximity import ApproachProfile

HORIZON_S = passive_safety.MISSED_BURN_HORIZON_S


@functools.cache
def _missed(flight: str, start_below_m: float | None = None) -> tuple:
    """Fly ``flight``'s far range as the mission does (its scheme chosen at insertion) with the
    station flown over the last burn plus the horizon; the missed-burn drifts."""
    cfg = Scenario.from_flight(flight)
    if start_below_m is not None:
        import dataclasses

        prof = dataclasses.replace(cfg.approach, start_below_m=start_below_m)
        cfg = dataclasses.replace(cfg, approach=prof)
    plan_env = environment_at(cfg)
    ins = launch.insert(plan_env, cfg.site, cfg.ascent)
    geom = phasing.insertion_geometry(ins.station, ins.ship, plan_env.pole, cfg.approach)
    scheme = schemes.choose_scheme(schemes.scheme_windows(geom), ins.phase_deg, None, flight)
    span = ins.t + float(geom.burn_times(scheme)[-1]) + HORIZON_S + 600.0
    env = environment_at(cfg, span)
    ins = launch.insert(env, cfg.site, cfg.ascent)
    geom = phasing.insertion_geometry(ins.station, ins.ship, env.pole, cfg.approach)
    win = next(w for w in schemes.scheme_windows(geom) if w.scheme == scheme.name)
    station = env.fly_station(span)
    far = phasing.fly_far_range(env, ins, geom, scheme, win, station, cfg.ascent, cfg.approach)
    drifts = passive_safety.missed_burn_clearance(
        env.fly_ship, station, far.ship_ins, ins.t, far.t_burns, far.dv_rtn
    )
    return scheme.name, far, drifts


@pytest.mark.parametrize(
    ("flight", "scheme"),
    [("Soyuz MS-27", "2-orbit"), ("Soyuz MS-12", "4-orbit"), ("Progress MS-31", "2-day")],
)
def test_every_missed_far_range_burn_stays_outside_the_approach_ellipsoid(flight, scheme):
    name, far, drifts = _missed(flight)
    assert name == scheme
    assert [d.burn for d in drifts] == [0, 1, 2, 3, 4]
    for d in drifts:
        assert d.clearance > 1.0, (
            f"{flight}: B{d.burn + 1} missed enters the approach ellipsoid at "
            f"{d.rel_closest.round()} m"
        )
        # the horizon was searched from the missed burn's time
        t_burn = far.t_burns[min(d.burn, 3)]
        assert t_burn <= d.t_closest <= t_burn + HORIZON_S


def test_the_old_arrival_on_the_v_bar_was_not_passively_safe():
    # The check can fail: with the approach start on the V-bar (issue 9: "if that one burn is
    # missed it passes 436 m from the station"), a missed arrival burn enters the ellipsoid.
    _, _, drifts = _missed("Soyuz MS-27", 0.0)
    assert drifts[3].clearance < 1.0
    assert drifts[3].range_m < 1000.0


def test_missed_arrival_burn_passes_below_and_the_start_point_drifts_away():
    _, far, drifts = _missed("Soyuz MS-27")
    # B4 missed: the transfer's apogee is below the station, the ship passes underneath (LVLH z
    # points to the Earth) at more than the ellipsoid's 1 km radial semi-axis
    assert drifts[3].rel_closest[2] > 1000.0
    # all flown, approach not started: at rest 1.5 km below and ahead of the station, the ship
    # drifts forward and down, away from the station (its closest point is the start point)
    assert drifts[4].t_closest - far.t_burns[3] < 60.0
    assert drifts[4].rel_closest[0] > 3500.0


def test_ellipsoid_measure_is_one_on_the_ellipsoid():
    pts = np.array([[2000.0, 0, 0], [0, -1000.0, 0], [0, 0, 1000.0], [-2000.0, 0, 0]]).T
    assert np.allclose(passive_safety.ellipsoid_measure(pts), 1.0)
    assert passive_safety.ellipsoid_measure(np.array([0.0, 0.0, 0.0])) == 0.0


def test_approach_start_at_rest_below_the_v_bar_has_the_roe_of_the_plan():
    # The linear plan's target (phasing.linear_plan, as_depth_m): a point d below the V-bar at
    # rest in LVLH has da = -4 d and |de| = 3 d / a, apogee at the point (Clohessy-Wiltshire).
    a = 6.79e6
    v = np.sqrt(MU_EARTH / a)
    station = np.array([a, 0.0, 0.0, 0.0, v * np.cos(0.9), v * np.sin(0.9)])
    prof = ApproachProfile()
    ship = from_lvlh(station, phasing.approach_start(prof))
    roe = phasing.relative_elements(station, ship)
    d = prof.start_below_m
    # first order in d / a: the second-order terms (15 d^2 / a and the V-bar's curvature) are ~10 m
    assert roe[0] == pytest.approx(-4.0 * d, abs=20.0)
    assert np.hypot(roe[2], roe[3]) == pytest.approx(3.0 * d / a, rel=5e-3)
    assert roe[1] * a == pytest.approx(prof.start_distance_m, rel=5e-3)
