"""Tests of the force model and atmosphere (rendezvous.forces, rendezvous.atmosphere)."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous.atmosphere import BASE_ALTITUDE, BASE_DENSITY, SCALE_HEIGHT, density
from rendezvous.constants import F_EARTH, J2, MU_EARTH, R_EARTH
from rendezvous.forces import SGP4_RHO0, ForceModel, ballistic_from_bstar


def _random_positions(n, radius=6.8e6, seed=1):
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(3, n))
    return r * (radius / np.linalg.norm(r, axis=0))


def _rotation(axis, angle):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


# --- atmosphere ---------------------------------------------------------------------------------
def test_density_at_table_base_altitudes():
    # Vallado (2013) Table 8-4: at each base altitude the density is the tabulated rho0.
    np.testing.assert_allclose(density(BASE_ALTITUDE), BASE_DENSITY, rtol=1e-12)
    # 400 km: 3.725e-12 kg/m^3; 420 km: 3.725e-12 * exp(-20/58.515) (same table row).
    assert density(400e3) == pytest.approx(3.725e-12, rel=1e-12)
    assert density(420e3) == pytest.approx(3.725e-12 * np.exp(-20 / 58.515), rel=1e-12)


def test_density_vectorised_monotonic_and_extrapolated():
    h = np.linspace(0, 1500e3, 3000).reshape(3, -1)
    rho = density(h)
    assert rho.shape == h.shape
    assert np.all(np.diff(rho.ravel()) < 0)
    # above 1000 km: the last layer (base 1000 km, 3.019e-15 kg/m^3, H = 268 km) continues
    assert density(1268e3) == pytest.approx(3.019e-15 * np.exp(-1.0), rel=1e-12)
    # below 0 km: the sea-level layer continues
    assert density(-7249.0) == pytest.approx(1.225 * np.e, rel=1e-12)
    assert isinstance(density(400e3), float)
    assert np.isnan(density(np.nan))
    assert len(SCALE_HEIGHT) == 28


# --- gravity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("degree", [0, 2, 3, 4])
def test_gravity_is_gradient_of_potential(degree):
    pole = np.array([0.01, -0.02, 1.0])
    fm = ForceModel(degree=degree, drag=False, pole=tuple(pole))
    r = _random_positions(7)
    a = fm.gravity(r)
    eps = 0.5  # m; central differences, truncation ~ eps^2 * |d3U| ~ 1e-12 m/s^2
    grad = np.empty_like(r)
    for i in range(3):
        d = np.zeros((3, 1))
        d[i] = eps
        grad[i] = (fm.potential(r + d) - fm.potential(r - d)) / (2 * eps)
    # the potential is ~6e7 J/kg; rounding in the difference ~ 1e-16 * 6e7 / 1 m ~ 1e-8 m/s^2
    np.testing.assert_allclose(a, grad, rtol=0, atol=5e-8)


def test_j2_equatorial_value():
    # At the equator the J2 term adds -3/2 J2 mu R^2 / r^4 radially (Vallado 2013, eq. 8-30).
    fm = ForceModel(degree=2, drag=False)
    r = 6.8e6
    a = fm.gravity(np.array([r, 0.0, 0.0]))
    expected = -MU_EARTH / r**2 * (1 + 1.5 * J2 * (R_EARTH / r) ** 2)
    assert a[0] == pytest.approx(expected, rel=1e-14)
    assert a[1] == 0 and a[2] == 0


def test_zonal_field_follows_the_pole():
    # Rotating the position and the pole together rotates the acceleration.
    rot = _rotation([1.0, 2.0, 0.5], 0.3)
    r = _random_positions(5, seed=3)
    a_z = ForceModel(degree=4, drag=False).gravity(r)
    a_rot = ForceModel(degree=4, drag=False, pole=tuple(rot @ [0, 0, 1.0])).gravity(rot @ r)
    np.testing.assert_allclose(a_rot, rot @ a_z, rtol=0, atol=1e-12)


def test_shapes_and_errors():
    fm = ForceModel()
    r = _random_positions(4)
    v = np.cross([0, 0, 1.0], r, axis=0) * 1e-3
    assert fm.acceleration(0.0, r, v, 0.01).shape == (3, 4)
    assert fm.acceleration(0.0, r[:, 0], v[:, 0], 0.01).shape == (3,)
    ib = np.array([0.0, 0.01, 0.02, 0.0])
    a = fm.acceleration(0.0, r, v, ib)
    np.testing.assert_array_equal(a[:, 0], fm.gravity(r)[:, 0])
    with pytest.raises(ValueError, match="pole"):
        ForceModel(pole=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="degree"):
        ForceModel(degree=5)
    assert ForceModel(pole=(0.0, 0.0, 2.0)).pole == (0.0, 0.0, 1.0)


# --- drag ---------------------------------------------------------------------------------------
def test_drag_opposes_relative_velocity_with_expected_magnitude():
    fm = ForceModel(degree=0, drag=True)
    r = np.array([[R_EARTH + 400e3], [0.0], [0.0]])  # on the equator: geodetic height 400 km
    v = np.array([[0.0], [7670.0], [0.0]])
    ib = 0.01
    a = fm.drag_acceleration(r, v, ib)
    v_rel = v[1, 0] - fm.omega_earth * r[0, 0]  # co-rotating atmosphere
    expected = -0.5 * 3.725e-12 * v_rel * v_rel * ib
    assert a[1, 0] == pytest.approx(expected, rel=1e-12)
    assert a[0, 0] == 0 and a[2, 0] == 0


def test_altitude_above_ellipsoid():
    fm = ForceModel()
    b = R_EARTH * (1 - F_EARTH)  # polar radius
    r = np.array([[R_EARTH + 400e3, 0.0], [0.0, 0.0], [0.0, b + 400e3]])
    np.testing.assert_allclose(fm.altitude(r), [400e3, 400e3], atol=1e-6)
    # at 45 deg geodetic latitude: the approximation (radial instead of normal) is within 50 m
    lat = np.radians(45.0)
    e2 = F_EARTH * (2 - F_EARTH)
    n_rad = R_EARTH / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    h = 400e3
    p = np.array([(n_rad + h) * np.cos(lat), 0.0, (n_rad * (1 - e2) + h) * np.sin(lat)])
    assert abs(fm.altitude(p) - h) < 50.0


def test_ballistic_from_bstar():
    # B* = rho0 B / 2 with rho0 = 0.15696615 kg/m^2/ER (Hoots & Roehrich 1980, Vallado 2013)
    assert SGP4_RHO0 == 0.15696615
    # ISS TLE 2025-04-07 B* = 0.21806e-3 / ER -> 2 * 2.1806e-4 / 0.15696615 m^2/kg
    assert ballistic_from_bstar(0.21806e-3) == pytest.approx(2.778433e-3, rel=1e-6)
    np.testing.assert_allclose(ballistic_from_bstar([1e-4, 2e-4]), [1.27416e-3, 2.54832e-3], 1e-5)
    with pytest.raises(ValueError, match="bstar"):
        ballistic_from_bstar(np.nan)
