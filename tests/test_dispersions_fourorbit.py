"""The four-orbit scheme's ground correction in the dispersions (issue 11: a four-orbit launch
reported about a third of its samples over the re-targeting reserve).

Sources (``dispersions_near`` module docstring): only the first two burns of the four-orbit scheme
are loaded before launch (ESA, S. Cristoforetti, 2013); its four burns before the automated
rendezvous all come within 2.5 h of launch (ESA, Soyuz TMA-09M, 2013); the two-orbit scheme is
computed beforehand (Rossiyskaya Gazeta, 2024); the two-day scheme's burns come from ground
tracking (NASA two-day timeline). Tolerances: the 2.5 h above, the 25 m/s re-targeting reserve
(``ErrorModel.dv_reserve_m_s``) and the smallest impulse the thrusters fire
(``proximity.ApproachErrors.burn_min_m_s``, 1 mm/s), both assumptions of the error model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rendezvous import Scenario, catalog
from rendezvous import dispersions as D
from rendezvous.dispersions_near import ground_plan
from rendezvous.environment import fly
from rendezvous.mission import simulate
from rendezvous.proximity import ApproachErrors

ZERO = D.NO_ERROR_MODEL


def _zeros(nom) -> np.ndarray:
    """One sample's standard-normal numbers, all zero (sized for ``nom``'s approach legs)."""
    return np.zeros((1, D.draws_per_sample(nom)))


@pytest.fixture(scope="module")
def ms12():
    """Soyuz MS-12 (four-orbit, 2019-03-14, Baikonur 1/5): the mission and its nominal."""
    cfg = Scenario.from_flight("Soyuz MS-12")
    result = simulate(cfg)
    return result, cfg, D.nominal_from_mission(result, cfg)


def test_which_burns_the_ground_computes_is_a_property_of_the_scheme():
    s = catalog.SCHEMES
    assert s["2-orbit"].ground_arc_revs is None and not s["2-orbit"].ground_b1b2
    assert s["4-orbit"].ground_arc_revs is not None and not s["4-orbit"].ground_b1b2
    assert s["2-day"].ground_arc_revs is not None and s["2-day"].ground_b1b2


def test_four_orbit_ground_correction_within_its_published_time(ms12):
    """B1 and B2 stay loaded before launch; the ground's correction is on the coast from B2 to
    B3 and, like the real scheme's burns before the automated rendezvous, within 2.5 h of
    liftoff (ESA, Soyuz TMA-09M)."""
    _, _, nom = ms12
    plan = nom.ground
    assert plan is not None and not plan.b1b2
    assert nom.t_burns[1] < plan.t_ground < nom.t_burns[2]
    assert plan.t_ground < 2.5 * 3600.0  # s since liftoff


def test_zero_errors_need_no_ground_correction(ms12):
    """With no errors the ship is on the nominal: neither the ground's correction (the nominal
    is already on its B3 position) nor the re-targeting asks for a burn the thrusters could
    fire. Tolerance: the smallest impulse the execution model fires
    (``proximity.ApproachErrors.burn_min_m_s``, 1 mm/s, an assumed value of the error model, not
    this test's output; measured 2026-11-26: 0 and 4e-6 m/s)."""
    _, _, nom = ms12
    out = D.fly_samples(nom, ZERO, _zeros(nom))
    smallest_impulse = ApproachErrors().burn_min_m_s  # m/s
    assert out.status[0] == 0
    assert out.dv_ground[0] < smallest_impulse
    assert out.dv_correction[0] < smallest_impulse


def test_ground_correction_absorbs_a_three_sigma_along_track_insertion_error(ms12):
    """The error that drove issue 11's four-orbit fallbacks: +3 sigma of along-track insertion
    velocity (1.8 m/s, about 3 km of semi-major axis). Flown as loaded to B3 (the former model)
    its re-targeting is over the reserve; with the ground's correction it is well within it."""
    _, _, nom = ms12
    model = replace(ZERO, insertion_vel_m_s=(0.0, 0.6, 0.0))
    z = _zeros(nom)
    z[0, 4] = 3.0  # insertion velocity, along-track (dispersions_errors.N_FAR)
    with_ground = D.fly_samples(nom, model, z)
    as_loaded = D.fly_samples(replace(nom, ground=None), model, z)
    reserve = model.dv_reserve_m_s
    assert as_loaded.dv_correction[0] > reserve
    assert with_ground.status[0] == 0
    assert with_ground.dv_correction[0] + with_ground.dv_ground[0] < reserve


def test_ground_correction_refused_near_a_half_revolution(ms12, monkeypatch):
    """One impulse half a revolution before its target cannot steer the radial position: the
    scheme table is refused with the parameter to change."""
    result, cfg, nom = ms12
    bad = replace(catalog.SCHEMES["4-orbit"], ground_arc_revs=1.5)
    monkeypatch.setitem(catalog.SCHEMES, "4-orbit", bad)

    def prop(y, t0, t1):
        return fly(y, t0, t1, nom.force_model, nom.ib_ship).final

    with pytest.raises(ValueError, match="ground_arc_revs"):
        ground_plan(prop, nom.ship_ins, nom.t_ins, nom.t_burns, nom.dv_rtn, "4-orbit")


def test_report_says_what_the_ground_computes_on_a_four_orbit_flight(ms12):
    _, _, nom = ms12
    res = D.run_dispersions(nom, 2, 1, chunk_size=2)
    text = D.report(res)
    assert "B1 and B2 loaded before launch, then one correction from the tracked orbit" in text
    assert "flight day 2" not in text
