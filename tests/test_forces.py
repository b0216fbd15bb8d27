"""Tests of the force model and atmosphere (rendezvous.forces, rendezvous.atmosphere)."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous.atmosphere import BASE_ALTITUDE, BASE_DENSITY, SCALE_HEIGHT, density
from rendezvous.constants import F_EARTH, J2, MU_EARTH, R_EARTH
from rendezvous.forces import (
    DEFAULT_GRAVITY,
    GRAVITY_MODELS,
    SGP4_RHO0,
    ForceModel,
    ballistic_from_bstar,
    gravity_field,
)
from rendezvous.geopotential import GravityField, load_gravity_field


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


# --- spherical-harmonic field (EGM2008 to degree and order 8) -------------------------------------
EGM2008_GM = 3.986004415e14  # m^3/s^2, EGM2008's own GM (Pavlis et al. 2012; NGA file header)
EGM2008_A = 6378136.3  # m, EGM2008's reference radius


def _field_model(degree=8, order=None, mu=EGM2008_GM, rot=None, **kw):
    field = load_gravity_field("egm2008", degree, order)
    rot = np.eye(3) if rot is None else rot
    return ForceModel(drag=False, mu=mu, field=field, itrs0=tuple(map(tuple, rot)), **kw)


def _independent_potential(rf, field):
    """The field's harmonic potential (degree >= 2) by direct evaluation in spherical coordinates
    with scipy's associated Legendre functions (Condon-Shortley phase removed) and the textbook
    normalisation (Montenbruck & Gill 2000, eqs. 3.14-3.15): a separate code path from the
    recursion in ``geopotential``."""
    from math import factorial

    from scipy.special import lpmv

    x, y, z = rf
    r = np.sqrt(x * x + y * y + z * z)
    u, lam = z / r, np.arctan2(y, x)
    out = np.zeros_like(r)
    for n in range(2, field.degree + 1):
        for m in range(n + 1):
            norm = np.sqrt((1 if m == 0 else 2) * (2 * n + 1) * factorial(n - m) / factorial(n + m))
            p = (-1) ** m * lpmv(m, n, u) * norm
            cs = field.c[n, m] * np.cos(m * lam) + field.s[n, m] * np.sin(m * lam)
            out += (field.radius / r) ** n * p * cs
    return field.gm / r * out


def test_egm2008_coefficients_as_published():
    # Pavlis et al. (2012), NGA file EGM2008_to2190_TideFree: the first and last lines kept here
    f = load_gravity_field("egm2008")
    assert (f.gm, f.radius, f.degree, f.order) == (3.986004415e14, 6378136.3, 8, 8)
    assert f.c[2, 0] == -0.484165143790815e-03
    assert (f.c[2, 2], f.s[2, 2]) == (0.243938357328313e-05, -0.140027370385934e-05)
    assert (f.c[3, 1], f.s[3, 1]) == (0.203046201047864e-05, 0.248200415856872e-06)
    assert (f.c[8, 8], f.s[8, 8]) == (-0.124022771917136e-06, 0.120551889384997e-06)
    # J2 = -sqrt(5) C20: 1.0826261738e-3 for EGM2008 (NGA.STND.0036, WGS 84 v1.0.0, 2014,
    # Table 3.2 C20), against EGM96's J2 = 1.08262668355e-3 in constants.J2
    assert -np.sqrt(5) * f.c[2, 0] == pytest.approx(1.0826261738e-3, abs=1e-13)
    assert J2 == pytest.approx(1.08262668355e-3, abs=1e-16)
    assert not f.c.flags.writeable and not f.s.flags.writeable
    low = load_gravity_field("egm2008", 4, 2)
    assert low.c.shape == (5, 5) and low.c[4, 3] == 0.0 and low.c[4, 2] == f.c[4, 2]


@pytest.mark.parametrize("degree,order", [(2, 2), (4, 4), (8, 8), (8, 0)])
def test_field_is_gradient_of_an_independent_potential(degree, order):
    fm = _field_model(degree, order)
    rf = _random_positions(6, radius=6.8e6, seed=7)
    a_h = fm.gravity(rf) + EGM2008_GM * rf / np.linalg.norm(rf, axis=0) ** 3  # harmonics only
    eps = 1.0  # m; the harmonic potential is ~6e4 J/kg: rounding ~1e-16 * 6e4 / 1 m, 1e-11 m/s^2
    grad = np.empty_like(rf)
    for i in range(3):
        d = np.zeros((3, 1))
        d[i] = eps
        grad[i] = (
            _independent_potential(rf + d, fm.field) - _independent_potential(rf - d, fm.field)
        ) / (2 * eps)
    # 1e-10 m/s^2: 1e-6 of the 2,2 acceleration at the ISS (~1e-4 m/s^2), below any effect here
    np.testing.assert_allclose(a_h, grad, rtol=0, atol=1e-10)
    # the model's own potential is the same function (to the rounding of GM/r ~ 6e7 J/kg)
    u = fm.potential(rf) - EGM2008_GM / np.linalg.norm(rf, axis=0)
    np.testing.assert_allclose(u, _independent_potential(rf, fm.field), rtol=0, atol=3e-8)


def test_sectoral_2_2_acceleration_closed_form_at_iss_altitude():
    # Only the C22, S22 terms: U22 = 3 mu/r (R/r)^2 J22 cos^2(phi) cos 2(lambda - lambda22), with
    # J22 = sqrt(C22^2 + S22^2) unnormalised (Montenbruck & Gill 2000, eq. 3.15 with
    # P22(sin phi) = 3 cos^2 phi, written without the recursion). On the
    # equator its gradient is radial -9 mu R^2 J22 / r^4 cos 2(l - l22) and east
    # -6 mu R^2 J22 / r^4 sin 2(l - l22).
    f2 = load_gravity_field("egm2008", 2, 2)
    c = np.zeros((3, 3))
    s = np.zeros((3, 3))
    c[2, 2], s[2, 2] = f2.c[2, 2], f2.s[2, 2]
    only22 = GravityField("C22 S22", EGM2008_GM, EGM2008_A, 2, 2, c, s)
    r = EGM2008_A + 420e3
    lam = np.radians(np.arange(0.0, 360.0, 15.0))
    rf = r * np.stack((np.cos(lam), np.sin(lam), np.zeros_like(lam)))
    a = only22.acceleration(rf)
    j22 = np.hypot(c[2, 2], s[2, 2]) * np.sqrt(5 / 12)  # unnormalise: sqrt(2 * 5 * 0! / 4!)
    lam22 = 0.5 * np.arctan2(s[2, 2], c[2, 2])  # the equator's long axis, -14.9 deg
    k = EGM2008_GM * EGM2008_A**2 * j22 / r**4
    radial = a[0] * np.cos(lam) + a[1] * np.sin(lam)
    east = -a[0] * np.sin(lam) + a[1] * np.cos(lam)
    np.testing.assert_allclose(radial, -9 * k * np.cos(2 * (lam - lam22)), rtol=0, atol=1e-14)
    np.testing.assert_allclose(east, -6 * k * np.sin(2 * (lam - lam22)), rtol=0, atol=1e-14)
    np.testing.assert_allclose(a[2], 0.0, atol=1e-14)
    # magnitude at ISS altitude: 8.3e-5 to 1.24e-4 m/s^2 (1e-5 of central gravity)
    assert 8.2e-5 < np.min(np.hypot(radial, east)) < np.max(np.hypot(radial, east)) < 1.25e-4
    assert np.degrees(lam22) == pytest.approx(-14.93, abs=0.01)


def test_field_zonals_match_the_zonal_model():
    # Degree 4, order 0 of the field = the closed-form J2-J4 model with EGM2008's J_n = -C_n0 *
    # sqrt(2n + 1), its GM and radius, about the Earth-fixed z axis seen from GCRS (any rotation).
    f = load_gravity_field("egm2008")
    jn = [-f.c[n, 0] * np.sqrt(2 * n + 1) for n in (2, 3, 4)]
    rot = _rotation([0.3, -0.2, 1.0], 0.7)
    fm = _field_model(4, 0, rot=rot)
    zonal = ForceModel(
        mu=EGM2008_GM,
        radius=EGM2008_A,
        drag=False,
        pole=tuple(rot[2]),
        j2=jn[0],
        j3=jn[1],
        j4=jn[2],
    )
    r = _random_positions(9, seed=11)
    np.testing.assert_allclose(fm.gravity(r), zonal.gravity(r), rtol=0, atol=1e-14)
    # zonal: no dependence on the Earth's rotation
    np.testing.assert_allclose(fm.gravity(r, t=5000.0), zonal.gravity(r), rtol=0, atol=1e-14)


def test_field_rotates_with_the_earth():
    rot = _rotation([0.1, 0.2, 1.0], 1.1)
    fm = _field_model(rot=rot)
    w = fm.omega_earth
    t = 3600.0
    rf = _random_positions(5, seed=5)
    # a point fixed on the Earth feels the same Earth-fixed acceleration at 0 and t
    m0, mt = fm.itrs_rotation(0.0), fm.itrs_rotation(t)
    np.testing.assert_allclose(m0, rot, atol=1e-15)
    np.testing.assert_allclose(mt @ mt.T, np.eye(3), atol=1e-15)
    a0 = m0 @ fm.gravity(m0.T @ rf, t=0.0)
    at = mt @ fm.gravity(mt.T @ rf, t=t)
    np.testing.assert_allclose(at, a0, rtol=1e-14, atol=1e-13)
    # the Earth turns east: after t the Earth-fixed longitude of an inertial point is w t smaller
    e = mt @ rot.T @ np.array([1.0, 0.0, 0.0])
    assert np.arctan2(e[1], e[0]) == pytest.approx(-w * t, abs=1e-12)
    # tesseral terms make it time dependent
    assert np.max(np.abs(fm.gravity(rf, t=t) - fm.gravity(rf))) > 1e-6
    # the propagator's form: one call for (3,) and (3, N), and acceleration(t, ...)
    np.testing.assert_array_equal(fm.gravity(rf[:, 0], t=t), fm.gravity(rf, t=t)[:, 0])
    np.testing.assert_array_equal(fm.acceleration(t, rf, rf), fm.gravity(rf, t=t))


def test_field_matches_heyoka_egm2008():
    # heyoka's egm2008_acc (an independent implementation, C++; the 'bench' extra) at EGM2008's
    # GM: agreement to rounding.
    hy = pytest.importorskip("heyoka")
    x, y, z = hy.make_vars("x", "y", "z")
    cf = hy.cfunc(hy.model.egm2008_acc([x, y, z], 8, 8), [x, y, z])
    r = _random_positions(20, radius=6.8e6, seed=13)
    np.testing.assert_allclose(_field_model().gravity(r), cf(r), rtol=0, atol=1e-13)


def test_field_errors():
    f = load_gravity_field("egm2008")
    with pytest.raises(ValueError, match="itrs0"):
        ForceModel(field=f)
    with pytest.raises(ValueError, match="itrs0"):
        ForceModel(field=f, itrs0=((1.0, 0, 0), (0, 2.0, 0), (0, 0, 1.0)))
    with pytest.raises(ValueError, match="gravity"):
        gravity_field("egm96-70x70")
    with pytest.raises(ValueError, match="degree"):
        load_gravity_field("egm2008", 9)
    assert gravity_field("zonal") is None
    assert gravity_field("egm2008-8x8") is load_gravity_field("egm2008", 8, 8)
    assert DEFAULT_GRAVITY in GRAVITY_MODELS
    # a field with degree < 2 in the force model is two-body
    fm = ForceModel(degree=0, field=f, itrs0=tuple(map(tuple, np.eye(3))), drag=False)
    r = _random_positions(3)
    np.testing.assert_allclose(fm.gravity(r), ForceModel(degree=0, drag=False).gravity(r))


def test_environment_field_frame_agrees_with_the_pole_of_date():
    # The Earth-fixed z axis at liftoff (skyfield, no polar motion) is the true pole of date.
    from types import SimpleNamespace

    from rendezvous import frames
    from rendezvous.environment import force_model
    from rendezvous.inputs import to_time

    epoch = to_time("2025-04-08T05:47:15.309Z")
    pole = frames.true_pole(epoch)
    sc = SimpleNamespace(gravity="egm2008-8x8", gravity_degree=4, drag=True)
    fm = force_model(sc, epoch, pole)
    assert fm.field is load_gravity_field("egm2008", 8, 8)
    np.testing.assert_allclose(fm.itrs0[2], pole, atol=1e-12)
    assert (
        force_model(SimpleNamespace(gravity=None, gravity_degree=4, drag=True), epoch, pole).field
        is None
    )


def test_command_line_offers_every_gravity_model():
    # cli.parser imports only the standard library, so it lists the models itself: keep in step
    from rendezvous.cli.parser import FLAGS, build_parser

    p = build_parser("simulate")
    (action,) = [a for a in p._actions if a.dest == "gravity"]
    assert FLAGS["gravity"] == "--gravity" and action.option_strings == ["--gravity"]
    assert tuple(action.choices) == tuple(GRAVITY_MODELS)
    assert action.default is None  # None: forces.DEFAULT_GRAVITY


def test_scenario_gravity_names_the_parameter():
    from rendezvous import Scenario

    with pytest.raises(ValueError, match="gravity: unknown gravity model 'egm96'"):
        Scenario("2025-04-08T05:47:15.309Z", gravity="egm96")
    assert Scenario("2025-04-08T05:47:15.309Z", gravity="egm2008-8x8").gravity == "egm2008-8x8"
    assert Scenario("2025-04-08T05:47:15.309Z").gravity is None  # forces.DEFAULT_GRAVITY


def test_propagated_field_keeps_the_jacobi_integral():
    # A field turning at a constant rate w about z: in the Earth-fixed frame it is static, so the
    # Jacobi integral C = |v|^2/2 - U(r, t) - w z.(r x v) (inertial r, v) is conserved without drag
    # (the Jacobi integral of a potential steady in a uniformly rotating frame: Murray & Dermott
    # 1999, *Solar System Dynamics*, sec. 3.3, there for the restricted three-body problem). This
    # checks, through the propagator, that the acceleration is evaluated at the right time: a field
    # frozen at t = 0 breaks C by hundreds of J/kg over 3 h.
    from rendezvous.propagate import propagate

    rot = _rotation([0.2, -0.1, 1.0], 0.4)
    fm = _field_model(rot=rot)
    r0 = 6.79e6 * np.array([np.cos(0.3), np.sin(0.3), 0.0])
    v0 = 7.66e3 * np.array([-np.sin(0.3) * np.cos(0.9), np.cos(0.3) * np.cos(0.9), np.sin(0.9)])
    y0 = np.concatenate([rot.T @ r0, rot.T @ v0])
    ts = np.linspace(0.0, 3 * 3600.0, 7)
    y = propagate(y0, 0.0, ts[-1], fm, t_eval=ts, method="multistep", step=60.0, order=10).y
    axis = rot[2]  # the Earth's z axis in GCRS
    c = [
        0.5 * y[3:, k] @ y[3:, k]
        - fm.potential(y[:3, k], t=ts[k])
        - fm.omega_earth * axis @ np.cross(y[:3, k], y[3:, k])
        for k in range(len(ts))
    ]
    # 0.01 J/kg = 1.3 mm/s of speed at 7.7 km/s: far below the tesseral terms' effect
    np.testing.assert_allclose(c, c[0], rtol=0, atol=1e-2)
