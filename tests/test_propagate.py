"""Tests of the batch propagator (rendezvous.propagate) against closed forms, SciPy and SGP4."""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from rendezvous.constants import J2, MU_EARTH, R_EARTH
from rendezvous.forces import ForceModel, ballistic_from_bstar
from rendezvous.propagate import Impulse, find_crossings, find_minimum, kepler, propagate

J2_ONLY = ForceModel(degree=2, drag=False)
TWO_BODY = ForceModel(degree=0, drag=False)
THREE_HOURS = 3 * 3600.0


def iss_like(n=1, seed=7, e_max=0.01):
    """(6, n) ISS-like states: a = R + 420 km, i = 51.6 deg, random RAAN, argp, anomaly."""
    rng = np.random.default_rng(seed)
    a = R_EARTH + 420e3
    e = rng.uniform(0.0005, e_max, n)
    inc = np.radians(51.6)
    raan, argp, nu = rng.uniform(0, 2 * np.pi, (3, n))
    p = a * (1 - e * e)
    rn = p / (1 + e * np.cos(nu))
    k = np.sqrt(MU_EARTH / p)
    out = np.empty((6, n))
    for i in range(n):
        co, so, cw, sw = np.cos(raan[i]), np.sin(raan[i]), np.cos(argp[i]), np.sin(argp[i])
        ci, si = np.cos(inc), np.sin(inc)
        q = np.array(
            [
                [co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si],
                [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si],
                [sw * si, cw * si, ci],
            ]
        )
        out[:3, i] = q @ [rn[i] * np.cos(nu[i]), rn[i] * np.sin(nu[i]), 0.0]
        out[3:, i] = q @ [-k[i] * np.sin(nu[i]), k[i] * (e[i] + np.cos(nu[i])), 0.0]
    return out


def scipy_reference(y0, t1, force=J2_ONLY, rtol=1e-12, atol=1e-6, ib=0.0, **kw):
    def rhs(t, y):
        return np.concatenate((y[3:], force.acceleration(t, y[:3], y[3:], ib)))

    return solve_ivp(rhs, (0.0, t1), y0, method="DOP853", rtol=rtol, atol=atol, **kw)


def pos_err(a, b):
    return np.linalg.norm(np.asarray(a)[:3] - np.asarray(b)[:3], axis=0)


# --- accuracy -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["auto", "dop853"])
def test_j2_three_hours_within_1m_of_scipy(method):
    y0 = iss_like(3)
    tr = propagate(y0, 0.0, THREE_HOURS, J2_ONLY, method=method)
    for i in range(3):
        ref = scipy_reference(y0[:, i], THREE_HOURS).y[:, -1]
        assert pos_err(tr.final[:, i], ref) < 1.0  # m, requirement: 1 m after 3 h
        assert np.linalg.norm(tr.final[3:, i] - ref[3:]) < 1e-3  # m/s


def test_dense_output_matches_reference_between_steps():
    y0 = iss_like(1, seed=3)[:, 0]
    tr = propagate(y0, 0.0, 4000.0, J2_ONLY)
    t_check = np.array([13.7, 777.7, 2222.2, 3999.0])
    ref = scipy_reference(y0, 4000.0, t_eval=t_check).y
    got = tr(t_check)
    assert got.shape == (6, 4)
    # m: the integration error itself (~3 cm here) plus quintic Hermite on ~154 s steps (~4 mm)
    assert np.max(pos_err(got, ref)) < 0.05
    # m/s: the derivative of the quintic is the weaker part (measured up to 1.2e-4 m/s)
    assert np.max(np.linalg.norm(got[3:] - ref[3:], axis=0)) < 3e-4


def test_two_body_matches_kepler_closed_form():
    # Five orbits of a slightly eccentric LEO orbit; closed form: universal variable Kepler.
    y0 = iss_like(4, seed=11, e_max=0.02)
    t1 = 5 * 5560.0
    tr = propagate(y0, 0.0, t1, TWO_BODY)
    assert np.max(pos_err(tr.final, kepler(y0, t1))) < 1.0  # m
    # the closed form itself against SciPy DOP853 at rtol 1e-13
    ref = scipy_reference(y0[:, 0], t1, TWO_BODY, rtol=1e-13, atol=1e-8).y[:, -1]
    assert pos_err(kepler(y0[:, 0], t1), ref) < 0.01  # m
    # a hyperbolic state (escape speed * 1.2) too
    y_h = np.array([7e6, 0, 0, 0, 1.2 * np.sqrt(2 * MU_EARTH / 7e6), 0])
    ref_h = scipy_reference(y_h, 3000.0, TWO_BODY, rtol=1e-13, atol=1e-8).y[:, -1]
    assert pos_err(kepler(y_h, 3000.0), ref_h) < 0.01


@pytest.mark.parametrize(("method", "tol"), [("auto", 0.2), ("dop853", 1e-3)])
def test_energy_conserved_with_j2(method, tol):
    # E = v^2/2 - U (U with the J2 term) at the integrator's steps over 3 h. E ~ -2.9e7 J/kg and
    # dE = mu/(2a^2) da = 4.3 J/kg per metre of semi-major axis: 0.2 J/kg is 5 cm of a (about
    # 0.5 m along-track per orbit), consistent with the 1 m / 3 h budget. Measured: 0.04-0.11
    # J/kg (auto), ~2e-5 J/kg (dop853); the Hermite dense output adds ~0.15 J/kg via velocity.
    y0 = iss_like(5, seed=5)
    tr = propagate(y0, 0.0, THREE_HOURS, J2_ONLY, method=method)
    r, v = tr.y[:3], tr.y[3:]
    energy = 0.5 * np.sum(v * v, axis=0) - J2_ONLY.potential(r.reshape(3, -1)).reshape(5, -1)
    drift = np.max(np.abs(energy - energy[:, :1]))
    assert drift < tol


def test_j2_nodal_regression_rate():
    # Secular RAAN rate dOmega/dt = -3/2 n J2 (R/p)^2 cos i (Curtis, Orbital Mechanics for
    # Engineering Students, 3rd ed., sec. 4.7 eq. 4.52; Vallado 2013 sec. 9.6): about
    # -5.0 deg/day at the ISS. Fitted over one day, short-period terms average out.
    y0 = iss_like(1, seed=2, e_max=0.001)[:, 0]
    day = 86400.0
    t = np.linspace(0, day, 2000)
    tr = propagate(y0, 0.0, day, J2_ONLY, t_eval=t)
    h = np.cross(tr.y[:3].T, tr.y[3:].T).T
    raan = np.unwrap(np.arctan2(h[0], -h[1]))
    rate = np.polyfit(t, raan, 1)[0]
    r0, v0 = np.linalg.norm(y0[:3]), np.linalg.norm(y0[3:])
    a = 1 / (2 / r0 - v0**2 / MU_EARTH)
    h0 = np.cross(y0[:3], y0[3:])
    p = h0 @ h0 / MU_EARTH
    inc = np.arccos(h0[2] / np.linalg.norm(h0))
    n = np.sqrt(MU_EARTH / a**3)
    expected = -1.5 * n * J2 * (R_EARTH / p) ** 2 * np.cos(inc)
    # osculating vs mean elements differ at O(J2): 1 % covers it
    assert rate == pytest.approx(expected, rel=0.01)
    assert np.degrees(expected) * day == pytest.approx(-5.0, abs=0.2)


def test_drag_decay_rate_circular_orbit():
    # Circular equatorial orbit, point-mass gravity, non-rotating atmosphere: the semi-major
    # axis decays at da/dt = -rho v a (Cd A/m) (e.g. Vallado 2013 sec. 9.6 / King-Hele) with v
    # = sqrt(mu/a); the altitude is exactly r - R on the equator.
    a0 = R_EARTH + 350e3
    y0 = np.array([a0, 0, 0, 0, np.sqrt(MU_EARTH / a0), 0])
    ib = 0.02  # m^2/kg
    force = ForceModel(degree=0, drag=True, omega_earth=0.0)
    t1 = 86400.0
    tr = propagate(y0, 0.0, t1, force, inv_ballistic=ib)

    def sma(y):
        return 1 / (2 / np.linalg.norm(y[:3]) - np.sum(y[3:] ** 2) / MU_EARTH)

    decay = sma(tr.final) - a0
    from rendezvous.atmosphere import density

    a_mid = a0 + 0.5 * decay
    rho = density(a_mid - R_EARTH)
    expected = -rho * np.sqrt(MU_EARTH / a_mid) * a_mid * ib * t1
    assert decay < 0
    assert decay == pytest.approx(expected, rel=0.03)


# --- impulses, shapes, batches -------------------------------------------------------------------
def test_impulse_changes_velocity_by_dv_and_keeps_position():
    y0 = iss_like(1, seed=4)[:, 0]
    dv = np.array([0.3, -1.2, 2.0])
    tr = propagate(y0, 0.0, 3000.0, J2_ONLY, impulses=[Impulse(1234.5, dv)])
    pre = propagate(y0, 0.0, 1234.5, J2_ONLY).final
    at = tr(1234.5)  # post-burn at exactly the impulse time
    np.testing.assert_allclose(at[3:] - pre[3:], dv, atol=1e-9)
    assert pos_err(at, pre) < 1e-6
    before = tr(1234.5 - 1e-6)
    assert pos_err(before, at) < 0.01  # continuous in position
    np.testing.assert_allclose(at[3:] - before[3:], dv, atol=1e-4)
    # after the burn: same as starting a new coast from the post-burn state
    post = pre.copy()
    post[3:] += dv
    cont = propagate(post, 1234.5, 3000.0, J2_ONLY).final
    assert pos_err(tr.final, cont) < 1e-6


def test_impulses_at_start_and_end():
    y0 = iss_like(1, seed=4)[:, 0]
    dv = np.array([1.0, 0.0, 0.0])
    tr = propagate(y0, 0.0, 600.0, J2_ONLY, impulses=[Impulse(0.0, dv), Impulse(600.0, dv)])
    np.testing.assert_allclose(tr(0.0)[3:], y0[3:] + dv, atol=1e-12)
    plain = propagate(y0 + np.r_[0, 0, 0, dv], 0.0, 600.0, J2_ONLY).final
    np.testing.assert_allclose(tr.final[3:] - plain[3:], dv, atol=1e-9)
    np.testing.assert_allclose(tr(600.0), tr.final)


def test_batch_equals_single_states_with_drag_and_per_state_impulses():
    y0 = iss_like(4, seed=9)
    ib = np.array([0.0, 0.003, 0.01, 0.02])
    dv = np.array([[0.0, 1.0, 0.0, -0.5], [2.0, 0.0, 0.0, 0.1], [0.0, 0.0, 3.0, 0.0]])
    force = ForceModel(degree=4, drag=True, pole=(0.001, -0.002, 1.0))
    imps = [Impulse(500.0, dv), Impulse(2000.0, [0.1, 0.1, 0.1])]
    # an explicit step: "auto" picks it from the batch's lowest perigee, so it can differ
    tr = propagate(y0, 0.0, 5000.0, force, inv_ballistic=ib, impulses=imps, step=150.0)
    assert tr.y.shape[:2] == (6, 4) and tr.final.shape == (6, 4)
    for i in range(4):
        one = propagate(
            y0[:, i],
            0.0,
            5000.0,
            force,
            inv_ballistic=ib[i],
            impulses=[Impulse(500.0, dv[:, i]), Impulse(2000.0, [0.1, 0.1, 0.1])],
            step=150.0,
        )
        assert one.final.shape == (6,)
        assert one.y.shape[0] == 6 and one.y.ndim == 2
        # same steps, same arithmetic up to summation order
        assert pos_err(one.final, tr.final[:, i]) < 1e-6
        assert one(1000.0).shape == (6,)
        assert one(np.array([1.0, 2.0])).shape == (6, 2)
    assert tr(1000.0).shape == (6, 4)
    assert tr(np.array([1.0, 2.0, 3.0])).shape == (6, 4, 3)


def test_t_eval_backwards_and_dense_false():
    y0 = iss_like(2, seed=1)
    te = np.linspace(0, 3000, 7)
    tr = propagate(y0, 0.0, 3000.0, J2_ONLY, t_eval=te)
    np.testing.assert_array_equal(tr.t, te)
    assert tr.y.shape == (6, 2, 7)
    back = propagate(tr.final, 3000.0, 0.0, J2_ONLY)
    assert np.max(pos_err(back.final, y0)) < 0.1  # m, forward + backward error
    np.testing.assert_allclose(back(1500.0), tr(1500.0), rtol=0, atol=0.05)
    fast = propagate(y0, 0.0, 3000.0, J2_ONLY, dense=False)
    np.testing.assert_allclose(fast.final, tr.final, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="dense"):
        fast(100.0)


def test_nan_state_is_flagged_not_raised():
    y0 = iss_like(3, seed=1)
    y0[0, 1] = np.nan
    for method in ("auto", "dop853"):
        tr = propagate(y0, 0.0, 2000.0, J2_ONLY, method=method)
        np.testing.assert_array_equal(tr.status, [0, 1, 0])
        assert np.all(np.isfinite(tr.final[:, [0, 2]]))
        ok = propagate(y0[:, [0, 2]], 0.0, 2000.0, J2_ONLY, method=method).final
        assert np.max(pos_err(ok, tr.final[:, [0, 2]])) < 1.0


def test_bad_inputs_raise_value_error():
    y0 = iss_like(2)
    with pytest.raises(ValueError, match="state0"):
        propagate(np.zeros(5), 0.0, 10.0)
    with pytest.raises(ValueError, match="inv_ballistic"):
        propagate(y0, 0.0, 10.0, inv_ballistic=np.ones(3))
    with pytest.raises(ValueError, match="method"):
        propagate(y0, 0.0, 10.0, method="rk4")
    with pytest.raises(ValueError, match="impulses"):
        propagate(y0, 0.0, 10.0, impulses=[Impulse(5.0, np.ones((3, 3)))])
    with pytest.raises(ValueError, match="dv"):
        Impulse(1.0, [1.0, 2.0])
    tr = propagate(y0, 0.0, 10.0)
    with pytest.raises(ValueError, match="outside"):
        tr(20.0)


# --- events ---------------------------------------------------------------------------------------
def test_find_crossings_ascending_node():
    y0 = iss_like(3, seed=8)
    tr = propagate(y0, 0.0, 6000.0, J2_ONLY)

    def z(t, y):
        return y[2]

    t_up = find_crossings(tr, z, 0.0, 6000.0, direction=1)
    y_up = tr.state_at(t_up)
    assert np.all(np.abs(y_up[2]) < 1e-3 * 7.7e3)  # |z| < 7.7 m <-> |dt| < 1 ms at 7.7 km/s
    assert np.all(y_up[5] > 0)
    # brute force on a fine grid: the first upward sign change
    grid = np.arange(0.0, 6000.0, 0.5)
    zs = tr(grid)[2]
    for i in range(3):
        k = np.nonzero((zs[i, :-1] < 0) & (zs[i, 1:] >= 0))[0][0]
        assert grid[k] <= t_up[i] <= grid[k + 1]
    # nothing in a window too short: NaN
    none = find_crossings(tr, lambda t, y: y[0] * 0 + 1.0, 0.0, 100.0)
    assert np.all(np.isnan(none))


def test_find_minimum_closest_approach():
    y0 = iss_like(2, seed=12)
    tr = propagate(y0, 0.0, 3000.0, J2_ONLY)
    target = tr(1700.0)[:3, 0] + np.array([0.0, 0.0, 0.0])  # state 0 passes through it

    def dist(t, y):
        return np.linalg.norm(y[:3] - target[:, None], axis=0)

    t_min, d_min = find_minimum(tr, dist, 0.0, 3000.0)
    assert t_min[0] == pytest.approx(1700.0, abs=1e-3)
    assert d_min[0] < 0.5  # m: |v| * tol = 7.7 km/s * 0.1 ms / 2
    grid = np.linspace(0, 3000, 30001)
    d = np.linalg.norm(tr(grid)[:3, 1] - target[:, None], axis=0)
    assert d_min[1] <= d.min() + 1e-6
    assert t_min[1] == pytest.approx(grid[np.argmin(d)], abs=0.2)


# --- SGP4 comparison -----------------------------------------------------------------------------
def _ms27_tle():
    text = resources.files("rendezvous").joinpath("data/iss_tles.txt").read_text()
    m = re.search(r"# epoch 2025-04-07 12:29:36 UTC.*\n.*\n(1 25544.*)\n(2 25544.*)", text)
    return m.group(1).strip(), m.group(2).strip()


def ric(d, r, v):
    """Components of difference vectors d (3, n) on radial, along-track, cross-track axes."""
    u_r = r / np.linalg.norm(r, axis=0)
    u_c = np.cross(r.T, v.T).T
    u_c /= np.linalg.norm(u_c, axis=0)
    u_a = np.cross(u_c.T, u_r.T).T
    return np.stack((np.sum(d * u_r, 0), np.sum(d * u_a, 0), np.sum(d * u_c, 0)))


def sgp4_vs_propagator():
    """Differences of our propagation from SGP4 over 3 h from the MS-27 liftoff time."""
    from skyfield.api import EarthSatellite

    from rendezvous.times import at_seconds, parse_utc, timescale

    ts = timescale()
    line1, line2 = _ms27_tle()
    sat = EarthSatellite(line1, line2, "ISS (ZARYA)", ts)
    t0 = parse_utc("2025-04-08T05:47:15Z")
    pos = sat.at(t0)
    y0 = np.concatenate((pos.position.m, pos.velocity.m_per_s))
    force = ForceModel(degree=4, drag=True, pole=tuple(t0.M[2]))
    ib = ballistic_from_bstar(sat.model.bstar)
    secs = np.arange(0.0, THREE_HOURS + 1, 60.0)
    tr = propagate(y0, 0.0, THREE_HOURS, force, inv_ballistic=ib, t_eval=secs)
    s = sat.at(at_seconds(t0, secs))
    d = tr.y[:3] - s.position.m
    return ric(d, s.position.m, s.velocity.m_per_s), ib


def test_iss_against_sgp4():
    d_ric, ib = sgp4_vs_propagator()
    assert ib == pytest.approx(2.7784e-3, rel=1e-3)
    total = np.linalg.norm(d_ric, axis=0)
    assert total[0] < 1e-6  # same initial state
    # SGP4 itself is ~1 km accurate for a fresh TLE (Vallado et al. 2006, "Revisiting Spacetrack
    # Report #3"). Measured (benchmarks/RESULTS_propagator.md): max 0.45 km at 3 h, almost all
    # along-track; radial <= 55 m, cross-track <= 17 m. Bounds are ~4x that.
    assert total.max() < 2e3
    assert np.abs(d_ric[0]).max() < 250.0  # radial
    assert np.abs(d_ric[2]).max() < 100.0  # cross-track


# --- coefficients ---------------------------------------------------------------------------------
def _exact_weights(nodes, lo, hi, kind):
    """Exact rational sum_k w_k a_k = int_lo^hi phi(s) p(s) ds (phi = 1 or hi - s), p through
    the nodes: the reference for the float computation in propagate._interp_weights."""
    from fractions import Fraction

    def mul(p, q):
        out = [Fraction(0)] * (len(p) + len(q) - 1)
        for i, a in enumerate(p):
            for j, b in enumerate(q):
                out[i + j] += a * b
        return out

    nodes = [Fraction(x) for x in nodes]
    lo, hi = Fraction(lo), Fraction(hi)
    out = []
    for j, sj in enumerate(nodes):
        poly = [Fraction(1)]
        for k, sk in enumerate(nodes):
            if k != j:
                poly = mul(poly, [-sk / (sj - sk), 1 / (sj - sk)])
        if kind == 1:
            poly = mul(poly, [hi, Fraction(-1)])
        out.append(sum(c * (hi ** (i + 1) - lo ** (i + 1)) / (i + 1) for i, c in enumerate(poly)))
    return np.array([float(x) for x in out])


@pytest.mark.parametrize("order", [8, 12])
def test_multistep_coefficients_match_exact_rationals(order):
    from rendezvous.propagate import _adams_stormer, _collocation_weights

    pv, pr, cv, cr, ext = _adams_stormer(order)
    pred = [-j for j in range(order)]
    corr = [1 - j for j in range(order + 1)]
    # |weights| reach ~10 at order 12; float solve agrees to a few 1e-13
    np.testing.assert_allclose(pv, _exact_weights(pred, 0, 1, 0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(pr, _exact_weights(pred, 0, 1, 1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cv, _exact_weights(corr, 0, 1, 0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cr, _exact_weights(corr, 0, 1, 1), rtol=0, atol=1e-12)
    # extrapolation weights reproduce polynomials of degree order - 1 at s = 1
    np.testing.assert_allclose(ext @ np.array(pred, float) ** 3, 1.0, atol=1e-9)
    # start-up collocation: interior node j integrated from its nearest anchor (every 2nd node)
    interior, W, U = _collocation_weights(order, 2)
    assert list(interior[:3]) == [1, 3, 5]
    np.testing.assert_allclose(W[2], _exact_weights(range(order + 1), 4, 5, 1), atol=1e-12)
    np.testing.assert_allclose(U[1], _exact_weights(range(order + 1), 2, 3, 0), atol=1e-12)
    interior, W, U = _collocation_weights(order, 4)  # nodes 3, 7, ...: backwards from 4, 8, ...
    assert list(interior[:3]) == [1, 2, 3]
    np.testing.assert_allclose(W[2], _exact_weights(range(order + 1), 4, 3, 1), atol=1e-12)
    np.testing.assert_allclose(U[2], _exact_weights(range(order + 1), 4, 3, 0), atol=1e-12)


@pytest.mark.parametrize("order", [10, 12])
def test_stormer_cowell_weights_are_exact_for_polynomials(order):
    # a(s) = u^k with u = (s + c) / c, c = order / 2 (|u| <= 1 on the nodes: well conditioned),
    # k <= order - 1 for the predictor and k = order for the corrector, has the exact double
    # integral r(s) = c^2 u^(k+2) / ((k+1)(k+2)), v(s) = c u^(k+1) / (k+1) (h = 1).
    from rendezvous.propagate import _stormer_cowell

    sp, ext, sq, c0r, c0v = _stormer_cowell(order)
    c = order / 2.0
    nodes = -np.arange(order, dtype=float)

    def u(s):
        return (s + c) / c

    for k in range(order + 1):
        a = u(nodes) ** k

        def r(s, k=k):
            return c * c * u(s) ** (k + 2) / ((k + 1) * (k + 2))

        v1 = c * u(1.0) ** (k + 1) / (k + 1)
        a1 = u(1.0) ** k
        # corrector = predictor + (a_{n+1} - extrapolation) * (c0r, c0v); for k < order the
        # extrapolation is exact and the correction vanishes
        d = a1 - ext @ a
        if k < order:
            assert d == pytest.approx(0.0, abs=1e-11)
        assert sp @ a + c0r * d == pytest.approx(r(1.0) - 2 * r(0.0) + r(-1.0), abs=1e-11)
        assert sq @ a + c0v * d == pytest.approx(v1 - r(0.0) + r(-1.0), abs=1e-11)


def test_auto_two_body_stays_stable_over_two_days():
    # 200 km x 0.02 eccentric orbit, closed-form reference (kepler); measured 0.08 m after 48 h at
    # the auto step (Stormer-Cowell order 12 PEC, n h = 0.10; 1.4 m with the earlier PECE at
    # n h = 0.18): no growth beyond linear drift
    a = R_EARTH + 200e3
    e = 0.02
    rp = a * (1 - e)
    vp = np.sqrt(MU_EARTH * (1 + e) / rp)
    y0 = np.array([rp, 0, 0, 0, vp * np.cos(0.9), vp * np.sin(0.9)])
    t1 = 2 * 86400.0
    tr = propagate(y0, 0.0, t1, TWO_BODY, dense=False)
    assert np.linalg.norm(tr.final[:3] - kepler(y0, t1)[:3]) < 5.0


def test_short_steps_use_one_evaluation_per_step_and_stay_accurate():
    # order 10 at 60 s (n h = 0.07 < PEC_MAX_PHASE): PEC mode, one force evaluation per step
    y0 = iss_like(2, seed=21)
    force = ForceModel(degree=4, drag=True, pole=(0.0025, 0.0, 1.0))
    ib = np.array([0.003, 0.01])
    tr = propagate(y0, 0.0, THREE_HOURS, force, inv_ballistic=ib, step=60.0, order=10)
    assert tr.nfev < 180 + 90  # 180 steps + start-up (5 DOP853 steps of 2h + 3 sweeps)
    for i in range(2):
        ref = scipy_reference(y0[:, i], THREE_HOURS, force, ib=ib[i]).y[:, -1]
        assert pos_err(tr.final[:, i], ref) < 0.05  # m


def test_auto_pec_stays_stable_on_a_low_circular_orbit():
    # auto: order 10 PEC-C at n h = 0.11, unstable from n h ~ 0.125 (1.9e9 m after 3 days here).
    # Measured 0.11 m after 3 days, 200 km circular, two-body (order 12 PEC at 0.10: 0.074 m).
    r = R_EARTH + 200e3
    y0 = np.array([r, 0.0, 0.0, 0.0, np.sqrt(MU_EARTH / r), 0.0])
    t1 = 3 * 86400.0
    tr = propagate(y0, 0.0, t1, TWO_BODY, dense=False)
    assert tr.nfev < 1.05 * t1 * np.sqrt(MU_EARTH / r**3) / 0.11 + 100  # one evaluation per step
    assert np.linalg.norm(tr.final[:3] - kepler(y0, t1)[:3]) < 1.0


@pytest.mark.parametrize(
    ("drag", "sub", "phase"), [(False, 3, 0.10), (True, 3, 0.10), (False, 2, 0.18)]
)
def test_start_nodes_match_a_tight_solution(drag, sub, phase):
    # The start-up nodes (DOP853 anchors + collocation, start._start_nodes) against DOP853 at
    # rtol 1e-13: measured 0.65 mm (3-step anchors at n h = 0.10) and 9.2 mm (2-step anchors at
    # n h = 0.18, the anchors' own error), velocities 1.7e-6 / 1.5e-5 m/s; the bounds keep the
    # start-up well inside auto's error after 3 h (~1 cm).
    from rendezvous.propagate.batch import _mean_motion_max, _Rhs
    from rendezvous.propagate.start import _start_nodes

    y = iss_like(4, seed=3)
    force = ForceModel(degree=4, drag=drag)
    ib = np.array([0.003, 0.01, 0.005, 0.0]) if drag else 0.0
    h = phase / _mean_motion_max(y, force)
    ys, accs = _start_nodes(_Rhs(force, ib), y, 0.0, h, 12, sub, 2 if sub == 3 else 3)
    ref = propagate(y, 0.0, 12 * h, force, inv_ballistic=ib, method="dop853", rtol=1e-13, atol=1e-9)
    want = np.moveaxis(ref(h * np.arange(13)), -1, 0)  # (13, 6, N)
    bound = 2e-3 if sub == 3 else 2e-2
    assert np.abs(ys[:, :3] - want[:, :3]).max() < bound
    assert np.abs(ys[:, 3:] - want[:, 3:]).max() < bound * 5e-3
    acc = force.gravity(ys[7, :3])
    if drag:
        acc += force.drag_acceleration(ys[7, :3], ys[7, 3:], ib)
    np.testing.assert_allclose(accs[7], acc, rtol=0, atol=1e-12)


def test_nystrom_step_matches_dop853_step():
    # Without drag the start-up's DOP853 steps form positions only at the stages: same numbers.
    from rendezvous.propagate.batch import _Rhs
    from rendezvous.propagate.dop853 import _dop853_step, _RKWork
    from rendezvous.propagate.start import _nystrom_step

    y = iss_like(3, seed=4)
    out = []
    for step in (_dop853_step, _nystrom_step):
        rhs = _Rhs(J2_ONLY, 0.0)
        w = _RKWork(3)
        w.r0[...] = y[:3]
        w.v0[...] = y[3:]
        rhs.acc(0.0, w.r0, w.v0, w.ka[0])
        out.append(step(rhs, 0.0, w, 300.0))
    np.testing.assert_allclose(out[1], out[0], rtol=1e-14, atol=0)


# ------------------------------------------------------------------------------------------------
# PiecewiseTrajectory: consecutive arcs behind one call.
def test_piecewise_equals_one_propagation_with_the_burn():
    """Two arcs joined at a burn give the same states as one propagation with that Impulse (the
    propagator integrates segment by segment between impulses, so the two agree to round-off)."""
    from rendezvous.propagate import PiecewiseTrajectory

    y0 = iss_like(3)
    dv = np.array([[0.0, 1.0, -2.0], [1.5, 0.0, 0.5], [0.0, 0.3, 0.0]])  # (3, N), m/s
    whole = propagate(y0, 0.0, 3000.0, J2_ONLY, impulses=[Impulse(1000.0, dv)])
    first = propagate(y0, 0.0, 1000.0, J2_ONLY)
    second = propagate(first.final + np.vstack((np.zeros((3, 3)), dv)), 1000.0, 3000.0, J2_ONLY)
    path = PiecewiseTrajectory([first, second])
    t = np.array([0.0, 500.0, 999.0, 1000.0, 1000.5, 2999.0, 3000.0])
    np.testing.assert_allclose(path(t), whole(t), rtol=0, atol=1e-6)
    assert path(1000.0).shape == (6, 3)
    np.testing.assert_allclose(path(1000.0)[3:], second.state_at(1000.0)[3:], rtol=0, atol=0)
    t_each = np.array([10.0, 1000.0, 2500.0])
    np.testing.assert_allclose(path.state_at(t_each), whole.state_at(t_each), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(path.final, second.final)
    assert (path.t0, path.t1) == (0.0, 3000.0)


def test_piecewise_single_state_shapes_and_errors():
    from rendezvous.propagate import PiecewiseTrajectory

    y0 = iss_like(1)[:, 0]
    a = propagate(y0, 0.0, 600.0, J2_ONLY)
    b = propagate(a.final, 600.0, 900.0, J2_ONLY)
    path = PiecewiseTrajectory([a, b])
    assert path(700.0).shape == (6,)
    assert path([0.0, 700.0]).shape == (6, 2)
    with pytest.raises(ValueError, match="outside"):
        path(901.0)
    with pytest.raises(ValueError, match=r"arcs\[1\]: starts at"):
        PiecewiseTrajectory([a, propagate(a.final, 650.0, 900.0, J2_ONLY)])
    with pytest.raises(ValueError, match="dense"):
        PiecewiseTrajectory([propagate(y0, 0.0, 600.0, J2_ONLY, dense=False)])
    with pytest.raises(ValueError, match="arcs: got none"):
        PiecewiseTrajectory([])
    with pytest.raises(AttributeError):
        path.arcs = ()  # type: ignore[misc]


def test_column_blocks_give_the_same_results(monkeypatch):
    """Large batches run in column blocks (multistep.BLOCK): same steps, same numbers up to the
    rounding of the history combinations (BLAS may sum in another order for another width)."""
    from rendezvous.propagate import multistep

    y0 = iss_like(7, seed=8)
    force = ForceModel(degree=4, drag=True)
    ib = np.linspace(0.0, 0.01, 7)
    whole = propagate(y0, 0.0, 2000.0, force, inv_ballistic=ib, dense=False)
    monkeypatch.setattr(multistep, "BLOCK", 2)
    blocks = propagate(y0, 0.0, 2000.0, force, inv_ballistic=ib, dense=False)
    np.testing.assert_allclose(blocks.final, whole.final, rtol=1e-14, atol=0)
    assert blocks.nfev == whole.nfev


def test_order_defaults_to_10_with_the_automatic_step_and_12_with_a_given_step():
    y0 = iss_like(2, seed=9)
    auto = propagate(y0, 0.0, 2000.0, J2_ONLY, dense=False).final
    np.testing.assert_array_equal(
        auto, propagate(y0, 0.0, 2000.0, J2_ONLY, order=10, dense=False).final
    )
    stepped = propagate(y0, 0.0, 2000.0, J2_ONLY, step=60.0).final
    np.testing.assert_array_equal(
        stepped, propagate(y0, 0.0, 2000.0, J2_ONLY, step=60.0, order=12).final
    )


def test_corrected_pec_dense_and_final_agree_with_a_tight_solution():
    # PEC-C (auto) keeps the corrected positions only implicitly (X holds r - h^2 c0r a): the dense
    # nodes, the final state and dense=False must all be the corrected solution. Measured 8 mm
    # after 4000 s against DOP853 rtol 1e-12 (bound: about the 1 m / 3 h requirement scaled to
    # 4000 s).
    y0 = iss_like(2, seed=12)
    ref = np.stack([scipy_reference(y0[:, i], 4000.0).y[:, -1] for i in range(2)], axis=1)
    dense = propagate(y0, 0.0, 4000.0, J2_ONLY)
    lean = propagate(y0, 0.0, 4000.0, J2_ONLY, dense=False)
    np.testing.assert_allclose(dense.final, lean.final, rtol=0, atol=1e-6)
    np.testing.assert_allclose(dense(4000.0), dense.final, rtol=0, atol=1e-6)
    assert np.max(pos_err(lean.final, ref)) < 0.3


@pytest.mark.parametrize("pole", [(0.0, 0.0, 1.0), (0.0025, -0.001, 1.0)])
def test_fast_j2_gravity_matches_the_force_model(pole):
    from rendezvous.propagate.batch import _J2Gravity

    force = ForceModel(degree=2, drag=False, pole=pole)
    kern = _J2Gravity.for_model(force)
    assert kern is not None
    r = iss_like(50, seed=13)[:3] * np.random.default_rng(1).uniform(0.9, 3.0, 50)
    np.testing.assert_allclose(kern(r, np.empty((3, 50))), force.gravity(r), rtol=1e-14, atol=0)
    # a model with more than J2 falls back to ForceModel.gravity
    assert _J2Gravity.for_model(ForceModel(degree=4, drag=False)) is None


@pytest.mark.parametrize("drag", [False, True])
def test_given_step_results_do_not_depend_on_the_batch(drag):
    """With a given step each state's result is the same to the bit whatever shares its batch
    (issue 11: a Monte Carlo sample must not depend on its chunk): alone, in batches of other
    sizes and orders (products of 1 to 23 columns, where BLAS kernels round the last columns
    differently), beside a state falling into the Earth (whose perigee would have switched the
    whole batch's PEC/PECE mode), and with per-state drag; arcs short enough to be flown by the
    start-up alone and long enough for the Stormer-Cowell steps."""
    force = ForceModel() if drag else J2_ONLY
    y = iss_like(23, seed=3)
    ib = np.linspace(0.004, 0.02, 23)
    falling = y[:, :1].copy()
    falling[3:] *= 0.6  # perigee far below the surface
    for t1, order in ((250.0, 10), (3000.0, 10), (3000.0, 12)):
        kw = dict(step=60.0, order=order, method="multistep", dense=False)
        whole = propagate(y, 0.0, t1, force, inv_ballistic=ib, **kw).final
        for cols in ([5], [0, 1], [22, 3, 9], list(range(1, 20))):
            part = propagate(y[:, cols], 0.0, t1, force, inv_ballistic=ib[cols], **kw).final
            assert np.array_equal(part, whole[:, cols]), (t1, order, cols)
        with np.errstate(all="ignore"):
            mixed = propagate(
                np.concatenate([falling, y[:, 4:6]], axis=1),
                0.0,
                t1,
                force,
                inv_ballistic=np.concatenate([[0.01], ib[4:6]]),
                **kw,
            ).final
        assert np.array_equal(mixed[:, 1:], whole[:, 4:6]), (t1, order)


def test_exact_combinations_are_the_explicit_sum_column_by_column():
    """``batch._combine(..., exact=True)`` (np.einsum) gives the bits of c_0 X_0 + c_1 X_1 + ...
    formed one column at a time, for the shapes the integrators use (1 to 8 rows of 2 to 18
    coefficients, 1-D rows, strided X, 1 to 70 and thousands of columns): what makes a state's
    result independent of its batch. A numpy whose einsum fuses or reorders the sums fails here."""
    from rendezvous.propagate.batch import _combine

    rng = np.random.default_rng(5)
    for rows, k in ((1, 12), (2, 14), (2, 2), (3, 11), (4, 13), (8, 16), (2, 18)):
        coef = rng.standard_normal((rows, k)) * 10.0 ** rng.integers(-6, 6, (rows, k))
        wide = rng.standard_normal((2 * k, 3001))
        for m in (*range(1, 71), 301, 3000):
            X = wide[::2, :m]  # strided rows, as the start-up's anchor pairs
            want = coef[:, :1] * X[0]
            for j in range(1, k):
                want = want + coef[:, j : j + 1] * X[j]
            assert np.array_equal(_combine(coef, X, np.empty((rows, m)), exact=True), want)
            got1 = _combine(coef[0], X, np.empty(m), exact=True)
            assert np.array_equal(got1, want[0]), (rows, k, m)
