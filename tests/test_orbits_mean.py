"""Mean-element period of the schedules (issue 9): the far-range burn times are revolutions of the
station, so the period must not depend on where on its orbit the station happens to be.

The osculating ``2 pi / n`` varies by about 15 s around the ISS orbit (J2 short-period terms), which
over the 31.32 revolutions of the two-day schedule moves the last burn by up to 460 s (issue 9).
The nodal period from the mean semi-major axis (``orbits.nodal_period``: Kozai 1959, Brouwer 1959)
is checked against the station as the package flies it (J2-J4, drag), not against itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous import orbits
from rendezvous.environment import environment_at
from rendezvous.mission import Scenario
from rendezvous.propagate import find_crossings

# Requirement (issue 9: a period "stable in seconds" for the same station): the two-day schedule,
# 31.32 periods, moves by less than 3 s wherever on the orbit the period is taken: 0.1 s a period.
PERIOD_SPREAD_TOL_S = 0.1
TWO_DAY_REVS = 31.32
# First-order theory (module docstring of orbits): the neglected J2^2, J3 and J4 short-period terms
# in a are a few tens of metres at the ISS (J2^2 a ~ 8 m; J3 R / a ~ 15 m): 30 m, 0.04 s of period.
MEAN_A_TOL_M = 30.0
NODAL_PERIOD_TOL_S = 0.05


@pytest.fixture(scope="module")
def station_orbit():
    """The ISS of the Soyuz MS-27 flight flown by the package's force model over two orbits."""
    env = environment_at(Scenario.from_flight("Soyuz MS-27"))
    return env, env.fly_station(2.05 * 5570.0)


def test_nodal_period_is_the_same_all_around_the_orbit(station_orbit):
    env, traj = station_orbit
    st = traj(np.linspace(0.0, 5570.0, 72))
    osc = 2.0 * np.pi / orbits.mean_motion(orbits.semi_major_axis(st))
    nodal = orbits.nodal_period(st, env.pole)
    # the problem: the osculating period swings by about 15 s (the check has the power to fail)
    assert np.ptp(osc) > 10.0
    assert np.ptp(osc) * TWO_DAY_REVS > 300.0
    # the mean-element period does not
    assert np.ptp(nodal) < PERIOD_SPREAD_TOL_S
    assert np.ptp(nodal) * TWO_DAY_REVS < 3.0


def test_mean_semi_major_axis_is_the_orbit_average_of_the_osculating_one(station_orbit):
    env, traj = station_orbit
    t = np.linspace(0.0, 5572.9, 400, endpoint=False)  # one nodal period, uniform in time
    st = traj(t)
    a_osc = orbits.semi_major_axis(st)
    a_mean = orbits.mean_semi_major_axis(st, env.pole)
    assert np.ptp(a_osc) > 10e3  # the J2 short-period swing: 3 J2 R^2 / a sin^2 i ~ 12 km
    assert abs(np.mean(a_osc) - np.mean(a_mean)) < MEAN_A_TOL_M
    assert np.ptp(a_mean) < 2 * MEAN_A_TOL_M
    # one state or a batch: the same numbers
    assert orbits.mean_semi_major_axis(st[:, 5], env.pole) == pytest.approx(a_mean[5], abs=1e-6)


def test_nodal_period_is_the_time_from_node_to_node_as_flown(station_orbit):
    env, traj = station_orbit

    def height_above_equator(t, y):
        return np.sum(y[:3] * env.pole[:, None], axis=0)

    t1 = float(find_crossings(traj, height_above_equator, 0.0, 5700.0, n_grid=60, direction=1)[0])
    t2 = float(
        find_crossings(traj, height_above_equator, t1 + 100.0, t1 + 5700.0, n_grid=60, direction=1)[
            0
        ]
    )
    for t in (t1, t1 + 1000.0, t1 + 2900.0):
        assert abs(orbits.nodal_period(traj(t), env.pole) - (t2 - t1)) < NODAL_PERIOD_TOL_S


def test_schedules_use_the_mean_period_wherever_the_insertion_falls(station_orbit):
    # phasing.InsertionGeometry.burn_times: the two-day scheme's last burn (31.32 revolutions)
    # from insertions at twelve points of one orbit of the same station
    from rendezvous.catalog import SCHEMES
    from rendezvous.phasing import insertion_geometry
    from rendezvous.proximity import ApproachProfile

    env, traj = station_orbit
    last = []
    for t in np.linspace(0.0, 5570.0, 12, endpoint=False):
        st = traj(t)
        geom = insertion_geometry(st, st, env.pole, ApproachProfile())
        last.append(geom.burn_times(SCHEMES["2-day"])[-1])
        assert geom.period == pytest.approx(orbits.nodal_period(st, env.pole))
    assert np.ptp(last) < 3.0
