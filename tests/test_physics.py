"""Unit tests of the physics the flight is built from, against equations of motion, closed forms
and textbook states (not against the package's own end-to-end output)."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous import frames, orbits, phasing, proximity
from rendezvous.constants import MU_EARTH, R_EARTH
from rendezvous.forces import ForceModel
from rendezvous.propagate import propagate

A_CIRC = R_EARTH + 415e3  # a circular ISS-like orbit, m
N_CIRC = float(np.sqrt(MU_EARTH / A_CIRC**3))


def _circular(a, inc=0.9, raan=0.0, u=0.0):
    """GCRS state (6,) of a circular orbit (Vallado 2013, perifocal to inertial rotation)."""
    v = np.sqrt(MU_EARTH / a)
    r_pf = a * np.array([np.cos(u), np.sin(u), 0.0])
    v_pf = v * np.array([-np.sin(u), np.cos(u), 0.0])
    ci, si, co, so = np.cos(inc), np.sin(inc), np.cos(raan), np.sin(raan)
    rot = np.array([[co, -so * ci, so * si], [so, co * ci, -co * si], [0.0, si, ci]])
    return np.concatenate([rot @ r_pf, rot @ v_pf])


# ------------------------------------------------------------------------------------------------
# Clohessy-Wiltshire


def test_cw_matrix_solves_the_cw_equations():
    """Phi(0) = I and dPhi/dt = A Phi for the CW equations in the package's LVLH axes (x along
    track, z towards Earth): x'' = 2 n z', y'' = -n^2 y, z'' = 3 n^2 z - 2 n x' (Fehse 2003,
    eq. 3.25)."""
    n = N_CIRC
    A = np.zeros((6, 6))
    A[:3, 3:] = np.eye(3)
    A[3, 5] = 2 * n
    A[4, 1] = -(n**2)
    A[5, 2] = 3 * n**2
    A[5, 3] = -2 * n
    assert np.allclose(proximity.cw_matrix(n, 0.0), np.eye(6), atol=1e-15)
    for t in (60.0, 1000.0, 4000.0):
        h = 1e-3
        d = (proximity.cw_matrix(n, t + h) - proximity.cw_matrix(n, t - h)) / (2 * h)
        assert np.allclose(d, A @ proximity.cw_matrix(n, t), rtol=1e-6, atol=1e-12)


def test_cw_matrix_against_a_two_body_propagation():
    """A chaser 100 m from a circular target, flown by two-body gravity for a quarter and a half
    orbit: the LVLH state from the CW matrix agrees to the size of the neglected second-order
    terms, about 3 rho^2 / a (4e-3 m for rho = 100 m); allow 0.05 m and 5e-5 m/s."""
    target = _circular(A_CIRC)
    rel0 = np.array([100.0, 20.0, -30.0, 0.05, -0.02, 0.1])
    chaser = frames.from_lvlh(target, rel0)
    force = ForceModel(degree=0, drag=False)
    for dt in (0.25, 0.5):
        t1 = dt * 2 * np.pi / N_CIRC
        y = propagate(np.stack([target, chaser], axis=1), 0.0, t1, force, rtol=1e-12, atol=1e-6)
        y1 = y.final
        rel = frames.to_lvlh(y1[:, 0], y1[:, 1])
        pred = proximity.cw_matrix(N_CIRC, t1) @ rel0
        assert np.allclose(rel[:3], pred[:3], atol=0.05)
        assert np.allclose(rel[3:], pred[3:], atol=5e-5)


def test_cw_transfer_arrives_and_batch_equals_single():
    rel0 = np.array([4000.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    target = np.array([1000.0, 0.0, 0.0])
    dv, v_arr = proximity.cw_transfer(N_CIRC, rel0, target, 1200.0)
    after = rel0.copy()
    after[3:] += dv
    arrive = proximity.cw_matrix(N_CIRC, 1200.0) @ after
    assert np.allclose(arrive[:3], target, atol=1e-6)
    assert np.allclose(arrive[3:], v_arr, atol=1e-9)
    batch = np.stack([rel0, rel0 + np.array([0, 0, 50.0, 0, 0, 0])], axis=1)
    dvb, vb = proximity.cw_transfers(N_CIRC, batch, target, 1200.0)
    assert np.allclose(dvb[:, 0], dv, atol=1e-12) and np.allclose(vb[:, 0], v_arr, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# Glideslope


def test_glideslope_closed_form():
    """rho(t) = (rho0 + v_f tau) exp(-t / tau) - v_f tau solves rho' = -rho / tau - v_f (Hablani,
    Tapper & Dana-Bashian 2002): it starts at rho0, reaches 0 at t_c = tau ln(1 + rho0 / (v_f
    tau)) closing at exactly v_f, and the schedule's points lie on it."""
    rho0, tau, v_f, pulse = 280.0, 500.0, 0.1, 30.0
    t, rho = proximity.final_approach_schedule(rho0, tau, v_f, pulse)
    t_c = tau * np.log(1.0 + rho0 / (v_f * tau))
    assert t[-1] == pytest.approx(t_c, abs=1e-9) and rho[-1] == 0.0
    assert np.allclose(rho[:-1], (rho0 + v_f * tau) * np.exp(-t[:-1] / tau) - v_f * tau)
    # the ODE, by central differences of the closed form
    f = lambda s: (rho0 + v_f * tau) * np.exp(-s / tau) - v_f * tau  # noqa: E731
    s = np.linspace(10.0, t_c - 10.0, 7)
    assert np.allclose((f(s + 1e-3) - f(s - 1e-3)) / 2e-3, -f(s) / tau - v_f, atol=1e-8)
    assert (f(t_c + 1e-3) - f(t_c - 1e-3)) / 2e-3 == pytest.approx(-v_f, abs=1e-8)
    assert np.all(np.diff(t) > 0) and np.all(np.diff(rho) < 0)
    assert np.all(np.diff(t)[:-1] == pytest.approx(pulse))


# ------------------------------------------------------------------------------------------------
# Relative orbital elements (D'Amico 2010): textbook states


@pytest.mark.parametrize("u0", [0.0, 1.0, 2.5])
def test_roe_of_textbook_states(u0):
    pole = np.array([0.0, 0.0, 1.0])
    inc, raan = np.radians(51.6), np.radians(40.0)
    chief = _circular(A_CIRC, inc, raan, u0)
    # same orbit, 1 deg behind: dlambda = -1 deg, all else zero
    roe = phasing.relative_elements(chief, _circular(A_CIRC, inc, raan, u0 - np.radians(1.0)), pole)
    assert abs(roe[0]) < 1e-3  # m
    assert np.allclose(roe[1:], [-np.radians(1.0), 0, 0, 0, 0], atol=1e-9)
    # 1 km higher, same argument of latitude: da = 1000 m
    roe = phasing.relative_elements(chief, _circular(A_CIRC + 1e3, inc, raan, u0), pole)
    assert roe[0] == pytest.approx(1000.0, abs=1e-3)
    assert np.allclose(roe[1:], 0.0, atol=1e-9)
    # inclination 0.01 deg higher: dix = di, diy = 0
    roe = phasing.relative_elements(
        chief, _circular(A_CIRC, inc + np.radians(0.01), raan, u0), pole
    )
    assert roe[4] == pytest.approx(np.radians(0.01), rel=1e-4)
    assert abs(roe[5]) < 1e-9 and abs(roe[0]) < 1e-3
    # node 0.01 deg east: diy = dRAAN sin i
    roe = phasing.relative_elements(
        chief, _circular(A_CIRC, inc, raan + np.radians(0.01), u0), pole
    )
    assert roe[5] == pytest.approx(np.radians(0.01) * np.sin(inc), rel=1e-4)
    assert abs(roe[4]) < np.radians(0.01) ** 2  # zero to first order: second-order terms only


def test_roe_eccentricity_vector_at_perigee():
    """A ship at the perigee of an orbit of eccentricity 0.001 whose perigee is at the node: the
    eccentricity vector is (0.001, 0) in the node frame."""
    pole = np.array([0.0, 0.0, 1.0])
    chief = _circular(A_CIRC, 0.9, 0.0, 0.0)  # at the ascending node
    e = 1e-3
    rp = A_CIRC * (1 - e)
    vp = np.sqrt(MU_EARTH * (1 + e) / rp)
    ship = chief.copy()
    ship[:3] *= rp / A_CIRC
    ship[3:] *= vp / np.linalg.norm(chief[3:])
    roe = phasing.relative_elements(chief, ship, pole)
    assert roe[2] == pytest.approx(e, rel=1e-6) and abs(roe[3]) < 1e-12


# ------------------------------------------------------------------------------------------------
# Orbit helpers


def test_vis_viva_apsides_and_mean_motion():
    e, a = 0.01, 7.0e6
    rp = a * (1 - e)
    state = np.array([rp, 0, 0, 0, np.sqrt(MU_EARTH * (1 + e) / rp), 0.0])
    assert orbits.semi_major_axis(state) == pytest.approx(a, rel=1e-12)
    peri, apo = orbits.apsides(state)
    assert peri == pytest.approx(a * (1 - e) - R_EARTH, abs=1e-3)
    assert apo == pytest.approx(a * (1 + e) - R_EARTH, abs=1e-3)
    batch = np.stack([state, state], axis=1)
    assert np.allclose(orbits.semi_major_axis(batch), a, rtol=1e-12)
    # ISS-like orbit: period about 92.9 min at 415 km (NASA ISS facts: about 93 min)
    assert 2 * np.pi / orbits.mean_motion(A_CIRC) / 60 == pytest.approx(92.9, abs=0.2)


def test_nodal_rate_sun_synchronous():
    """A sun-synchronous orbit at 800 km has an inclination of about 98.6 deg (Vallado 2013,
    sec. 11.4; Curtis 2014, example 4.12): there the J2 node rate equals 360 deg per tropical
    year."""
    a = R_EARTH + 800e3
    inc = np.radians(98.6)
    rate = orbits.nodal_rate(a, inc) * 86400 * 365.2422
    assert np.degrees(rate) == pytest.approx(360.0, rel=0.01)


def test_rtn_basis_is_orthonormal_and_rotation_keeps_length():
    state = _circular(A_CIRC, 0.9, 0.3, 1.2)[:, None]
    b = orbits.rtn_basis(state)[:, :, 0]
    assert np.allclose(b @ b.T, np.eye(3), atol=1e-12)
    assert np.allclose(b[0], state[:3, 0] / np.linalg.norm(state[:3, 0]))
    v = np.array([1.0, 2.0, 3.0])
    k = np.array([0.0, 0.0, 1.0])
    w = orbits.rotate_about(v, k, np.pi / 2)
    assert np.allclose(w, [-2.0, 1.0, 3.0])
