"""Tests of rendezvous.frames: the LVLH convention, round trips, Earth orientation, geodetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rendezvous.constants import F_EARTH, MU_EARTH, OMEGA_EARTH, R_EARTH
from rendezvous.frames import (
    angle_between,
    from_lvlh,
    gcrs_to_itrs,
    geodetic,
    lvlh_basis,
    lvlh_rate,
    site_state,
    to_lvlh,
    true_pole,
    unit,
)
from rendezvous.times import at_seconds

BAIKONUR_31 = (45.996, 63.564)  # Site 31/6, deg N, deg E (russianspaceweb.com, "Baikonur Site 31")

R0 = R_EARTH + 420e3
V0 = np.sqrt(MU_EARTH / R0)
N0 = V0 / R0  # circular-orbit rate, rad/s


def _circular(theta, radius=R0, normal=(0.0, 0.0, 1.0)):
    """State on a circular orbit in the x-y plane (normal +z) at angle theta from +x, (6,)."""
    c, s = np.cos(theta), np.sin(theta)
    v = np.sqrt(MU_EARTH / radius)
    state = np.array([radius * c, radius * s, 0.0, -v * s, v * c, 0.0])
    assert np.allclose(normal, (0.0, 0.0, 1.0))
    return state


TARGET = _circular(0.3)


# ---------------------------------------------------------------- the LVLH convention


def test_lvlh_axes_on_circular_orbit():
    m = lvlh_basis(TARGET[:3], TARGET[3:])
    assert m.shape == (3, 3)
    assert np.allclose(m @ m.T, np.eye(3), atol=1e-15)
    assert np.linalg.det(m) == pytest.approx(1.0, abs=1e-15)  # right-handed
    assert np.allclose(m[0], unit(TARGET[3:]), atol=1e-15)  # x along the velocity
    assert np.allclose(m[2], -unit(TARGET[:3]), atol=1e-15)  # z towards Earth
    assert np.allclose(m[1], [0.0, 0.0, -1.0], atol=1e-15)  # y opposite the orbit normal (+z)


def test_lvlh_signs():
    # Ahead on the orbit: +x.
    ahead = to_lvlh(TARGET, _circular(0.3 + 100.0 / R0))
    assert ahead[0] == pytest.approx(100.0, abs=1e-3)
    assert abs(ahead[1]) < 1e-9 and abs(ahead[2]) < 1e-2
    # Below (smaller radius): +z.
    below = to_lvlh(TARGET, TARGET - np.r_[100.0 * unit(TARGET[:3]), 0, 0, 0])
    assert below[2] == pytest.approx(100.0, abs=1e-9)
    assert abs(below[0]) < 1e-9 and abs(below[1]) < 1e-9
    # Displaced along +orbit normal (GCRS +z here): -y.
    north = to_lvlh(TARGET, TARGET + np.array([0.0, 0.0, 100.0, 0.0, 0.0, 0.0]))
    assert north[1] == pytest.approx(-100.0, abs=1e-9)


def test_co_orbiting_chaser_is_at_rest():
    # Same circular orbit, 1 km ahead: fixed in the rotating frame, so its velocity there is 0.
    rel = to_lvlh(TARGET, _circular(0.3 + 1000.0 / R0))
    assert rel[0] == pytest.approx(1000.0, rel=1e-6)
    assert rel[2] == pytest.approx(1000.0**2 / (2 * R0), rel=1e-3)  # below the V-bar by d^2/2R
    assert np.linalg.norm(rel[3:]) < 1e-9  # m/s
    # ... while the inertial velocity difference is about n * 1 km = 1.1 m/s
    assert np.linalg.norm(_circular(0.3 + 1000.0 / R0)[3:] - TARGET[3:]) == pytest.approx(
        N0 * 1000.0, rel=1e-6
    )


def test_lvlh_rate_two_body_and_exact():
    w = lvlh_rate(TARGET)
    assert np.allclose(w, [0.0, -N0, 0.0], rtol=0, atol=1e-18)
    # With an out-of-plane acceleration the frame also turns about z: compare with the rate
    # obtained by finite differences of the basis along a Taylor step of the motion.
    r, v = TARGET[:3], TARGET[3:]
    a = -MU_EARTH * r / np.linalg.norm(r) ** 3 + np.array([0.002, -0.001, 0.01])
    w = lvlh_rate(TARGET, a)
    dt = 1e-2

    def basis(tau):
        return lvlh_basis(r + v * tau + 0.5 * a * tau**2, v + a * tau)

    dm = (basis(dt) - basis(-dt)) / (2 * dt)
    m = basis(0.0)
    # de_i/dt = w x e_i, so w_x = (de_y/dt).e_z, w_y = (de_z/dt).e_x, w_z = (de_x/dt).e_y
    w_fd = np.array([dm[1] @ m[2], dm[2] @ m[0], dm[0] @ m[1]])
    assert abs(w_fd[0]) < 1e-12
    assert w[2] == pytest.approx(-R0 * 0.01 / (R0 * V0), rel=1e-12)
    assert np.allclose(w, w_fd, rtol=0, atol=1e-10)


def test_batched_shapes():
    targets = np.stack([_circular(th) for th in (0.1, 0.2, 0.3)], axis=1)
    chasers = targets + np.array([[10.0], [20.0], [30.0], [0.1], [0.2], [0.3]])
    assert lvlh_basis(targets[:3], targets[3:]).shape == (3, 3, 3)
    rel = to_lvlh(targets, chasers)
    assert rel.shape == (6, 3)
    for k in range(3):
        assert np.allclose(rel[:, k], to_lvlh(targets[:, k], chasers[:, k]), rtol=0, atol=1e-9)
    # one target, many chasers
    rel1 = to_lvlh(TARGET, np.tile(TARGET[:, None], (1, 4)))
    assert rel1.shape == (6, 4) and np.allclose(rel1, 0.0)
    assert lvlh_rate(targets).shape == (3, 3)


finite = dict(allow_nan=False, allow_infinity=False)
vec = st.lists(st.floats(-1.0, 1.0, **finite), min_size=3, max_size=3).filter(
    lambda u: np.linalg.norm(u) > 0.1
)


@settings(max_examples=150, deadline=None)
@given(
    rdir=vec,
    vdir=vec,
    radius=st.floats(6.5e6, 4.5e7, **finite),
    speed=st.floats(1e3, 1.1e4, **finite),
    rho=st.lists(st.floats(-2e5, 2e5, **finite), min_size=3, max_size=3),
    vel=st.lists(st.floats(-300.0, 300.0, **finite), min_size=3, max_size=3),
    accel=st.lists(st.floats(-0.05, 0.05, **finite), min_size=3, max_size=3),
)
def test_lvlh_round_trip(rdir, vdir, radius, speed, rho, vel, accel):
    r = radius * unit(np.array(rdir))
    v = speed * unit(np.array(vdir))
    if angle_between(r, v) < 0.05 or angle_between(r, v) > np.pi - 0.05:
        return  # LVLH is undefined for (near-)radial motion
    target = np.r_[r, v]
    rel = np.r_[rho, vel]
    for a in (None, np.array(accel)):
        chaser = from_lvlh(target, rel, target_accel=a)
        back = to_lvlh(target, chaser, target_accel=a)
        assert np.max(np.abs(back[:3] - rel[:3])) < 1e-6  # m
        assert np.max(np.abs(back[3:] - rel[3:])) < 1e-9  # m/s
        again = from_lvlh(target, back, target_accel=a)
        assert np.max(np.abs(again[:3] - chaser[:3])) < 1e-6


# ---------------------------------------------------------------- vector helpers


def test_angle_between_is_robust():
    assert angle_between([1.0, 0, 0], [1.0, 1e-10, 0]) == pytest.approx(1e-10, rel=1e-9)
    assert angle_between([1.0, 0, 0], [-1.0, 1e-10, 0]) == pytest.approx(np.pi - 1e-10, rel=1e-15)
    assert angle_between([2.0, 0, 0], [0, 0, 5.0]) == pytest.approx(np.pi / 2, rel=1e-15)
    a = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert np.allclose(angle_between(a, [[1.0], [0.0], [0.0]]), [0.0, np.pi / 2])
    assert np.allclose(
        np.linalg.norm(unit(np.array([[3.0, 0.0], [4.0, 2.0], [0.0, 0.0]])), axis=0), 1
    )


# ---------------------------------------------------------------- Earth orientation, sites


def test_true_pole_and_itrs(ms27_liftoff):
    t = ms27_liftoff
    pole = true_pole(t)
    assert pole.shape == (3,)
    assert np.linalg.norm(pole) == pytest.approx(1.0, abs=1e-15)
    # Precession moves the pole ~20"/yr * 25 yr from the GCRS z axis (IERS Conventions 2010, ch. 5).
    assert 0.10 < np.degrees(angle_between(pole, [0, 0, 1.0])) < 0.18
    m = gcrs_to_itrs(t)
    assert np.allclose(m @ m.T, np.eye(3), atol=1e-14)
    # Without polar motion the ITRS z axis is the true pole.
    assert angle_between(m[2], pole) < 1e-12
    tt = at_seconds(t, np.array([0.0, 3600.0, 7200.0]))
    assert gcrs_to_itrs(tt).shape == (3, 3, 3) and true_pole(tt).shape == (3, 3)
    # One sidereal hour later the Earth has turned by OMEGA_EARTH * 3600 s about the pole.
    m1 = gcrs_to_itrs(tt)[:, :, 1]
    turn = angle_between(m[0], m1[0])
    assert turn == pytest.approx(OMEGA_EARTH * 3600.0, rel=1e-6)


def test_baikonur_site_speed(ms27_liftoff):
    lat, lon = BAIKONUR_31
    s = site_state(lat, lon, 0.0, ms27_liftoff)
    assert s.shape == (6,)
    # Speed of a point on the rotating WGS-84 ellipsoid: omega * N cos(lat), N the prime-vertical
    # radius (NIMA TR8350.2); omega R cos(lat) with the equatorial R differs by 0.5 m/s.
    e2 = F_EARTH * (2 - F_EARTH)
    phi = np.radians(lat)
    n_rad = R_EARTH / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    assert np.linalg.norm(s[3:]) == pytest.approx(OMEGA_EARTH * n_rad * np.cos(phi), abs=1e-3)
    assert np.linalg.norm(s[3:]) == pytest.approx(OMEGA_EARTH * R_EARTH * np.cos(phi), abs=1.0)
    # velocity is eastward: perpendicular to the position and to the pole
    assert abs(np.dot(s[3:], true_pole(ms27_liftoff))) < 1e-6
    tt = at_seconds(ms27_liftoff, np.linspace(0, 86400, 5))
    assert site_state(lat, lon, 0.0, tt).shape == (6, 5)


def test_geodetic_of_site(ms27_liftoff):
    lat, lon = BAIKONUR_31
    for h in (0.0, 90.0, 420e3):
        g = geodetic(site_state(lat, lon, h, ms27_liftoff)[:3], ms27_liftoff)
        assert abs(g[0] - lat) < 1e-9 and abs(g[1] - lon) < 1e-9 and abs(g[2] - h) < 1e-3


@settings(max_examples=100, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.9, 179.9),
    h=st.floats(-500.0, 1e6),
    dt=st.floats(0.0, 86400.0),
)
def test_geodetic_round_trip(ms27_liftoff, lat, lon, h, dt):
    t = at_seconds(ms27_liftoff, dt)
    glat, glon, gh = geodetic(site_state(lat, lon, h, t)[:3], t)
    assert abs(glat - lat) < 1e-9 and abs(glon - lon) < 1e-9 and abs(gh - h) < 1e-3


def test_geodetic_ground_track_vectorised(ms27_liftoff):
    tt = at_seconds(ms27_liftoff, np.linspace(0.0, 5400.0, 7))
    lats = np.linspace(-50.0, 50.0, 7)
    lons = np.linspace(-170.0, 170.0, 7)
    r = np.stack([site_state(lats[k], lons[k], 400e3, tt[k])[:3] for k in range(7)])
    glat, glon, gh = geodetic(r.T, tt)
    assert glat.shape == (7,)
    assert np.allclose(glat, lats, atol=1e-9) and np.allclose(glon, lons, atol=1e-9)
    assert np.allclose(gh, 400e3, atol=1e-3)
    with pytest.raises(ValueError, match="one Time per column"):
        geodetic(r.T[:, :3], tt)


def test_one_target_accel_many_chasers():
    a = -MU_EARTH * TARGET[:3] / R0**3 + np.array([0.0, 0.0, 0.01])
    chasers = np.tile(TARGET[:, None], (1, 3)) + np.array(
        [[1.0], [2.0], [3.0], [0.0], [0.0], [0.0]]
    )
    rel = to_lvlh(TARGET, chasers, target_accel=a)
    assert rel.shape == (6, 3)
    assert np.allclose(from_lvlh(TARGET, rel, target_accel=a), chasers, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match=r"shape \(6,\) or \(6, N\)"):
        to_lvlh(TARGET[:3], chasers)


# --------------------------------------------------------------- curvilinear relative coordinates


def _on_circle(radius, angle, incl=0.9):
    """GCRS state on a circular orbit of the given radius at argument of latitude ``angle``."""
    from rendezvous.constants import MU_EARTH

    v = np.sqrt(MU_EARTH / radius)
    node = np.array([1.0, 0.0, 0.0])
    q = np.array([0.0, np.cos(incl), np.sin(incl)])
    a = np.atleast_1d(angle)
    r = radius * (np.outer(node, np.cos(a)) + np.outer(q, np.sin(a)))
    vel = v * (-np.outer(node, np.sin(a)) + np.outer(q, np.cos(a)))
    return np.concatenate([r, vel]).squeeze()


def test_curvilinear_follows_the_orbit_where_rectilinear_cuts_through_it():
    from rendezvous.frames import curvilinear, to_lvlh

    r = 6.79e6
    target = _on_circle(r, 0.3)
    ahead = _on_circle(r, 0.3 + np.radians(30.0))  # same orbit, 30 deg ahead
    x, y, z = curvilinear(target, ahead)
    assert x == pytest.approx(r * np.radians(30.0), rel=1e-12)
    assert abs(y) < 1e-6 and abs(z) < 1e-6
    rect = to_lvlh(target, ahead)[:3]
    assert rect[2] == pytest.approx(r * (1 - np.cos(np.radians(30.0))), rel=1e-9)  # 910 km "down"
    below = _on_circle(r - 220e3, 0.3)
    assert curvilinear(target, below)[2] == pytest.approx(220e3, rel=1e-12)


def test_curvilinear_equals_lvlh_close_in():
    from rendezvous.frames import curvilinear, to_lvlh

    target = _on_circle(6.79e6, 1.0)
    rng = np.random.default_rng(1)
    for scale, tol in ((300.0, 0.01), (5e3, 2.0)):  # x^2 / (2 r): 7 mm at 300 m, 1.8 m at 5 km
        rel = np.concatenate([rng.uniform(-scale, scale, (3, 20)) / np.sqrt(3), np.zeros((3, 20))])
        from rendezvous.frames import from_lvlh

        chaser = from_lvlh(target[:, None], rel)
        np.testing.assert_allclose(curvilinear(target, chaser), to_lvlh(target, chaser)[:3],
                                   atol=tol)  # fmt: skip


def test_curvilinear_x_is_minus_radius_times_phase_angle_and_unwraps():
    from rendezvous.frames import curvilinear
    from rendezvous.phasing import phase_angle

    r = 6.79e6
    lag = np.radians(np.linspace(250.0, 0.0, 200))  # the ship 250 deg behind, closing to 0
    target = _on_circle(r, np.full(lag.size, 2.0))
    ship = _on_circle(r - 50e3, 2.0 - lag)
    x = curvilinear(target, ship)[0]
    np.testing.assert_allclose(x, -r * phase_angle(target, ship), rtol=1e-12)
    xc = curvilinear(target, ship, continuous=True)[0]
    assert np.all(np.diff(xc) > 0)  # no jump at 180 deg
    assert xc[0] == pytest.approx(-r * np.radians(250.0), rel=1e-9) and abs(xc[-1]) < 1e-3


def test_range_rate_and_port_closing_speed():
    from rendezvous.frames import closing_speed, range_rate

    rel = np.array([0.0, 0.0, 30.0, 0.02, 0.0, -0.1])  # 30 m below, rising at 0.1 m/s
    assert range_rate(rel) == pytest.approx(-0.1)
    assert closing_speed(rel, [0.0, 0.0, 1.0]) == pytest.approx(0.1)  # nadir port, axis down
    batch = np.stack([rel, rel], axis=1)
    np.testing.assert_allclose(closing_speed(batch, [0.0, 0.0, 1.0]), [0.1, 0.1])


def test_mat_vec_columns_do_not_depend_on_the_batch():
    """``frames.mat_vec`` gives each column the same bits whatever batch it is in (the guidance's
    shared matrices applied to the Monte Carlo samples of ``dispersions``, which must not depend
    on their chunk): columns of batches 1 to 9 wide, shared (3, 3) and (6, 6) matrices and one
    matrix per column, equal to the bit to the same column of the widest batch and to the
    explicit sum m[:, 0] x[0] + m[:, 1] x[1] + ..., and to ``propagate.batch._combine``'s exact
    column-by-column combination for a shared matrix (the two must agree bit for bit)."""
    from rendezvous.frames import mat_vec
    from rendezvous.propagate.batch import _combine

    rng = np.random.default_rng(11)
    for k in (3, 6):
        shared = rng.standard_normal((k, k)) * 10.0 ** rng.integers(-6, 6, (k, k))
        per = rng.standard_normal((k, k, 9)) * 10.0 ** rng.integers(-6, 6, (k, k, 9))
        x = rng.standard_normal((k, 9)) * 10.0 ** rng.integers(-3, 7, (k, 9))
        for m in (shared, per):
            whole = mat_vec(m, x)
            want = m[:, :1] * x[0] if m.ndim == 2 else m[:, 0] * x[0]
            for j in range(1, k):
                want = want + (m[:, j : j + 1] * x[j] if m.ndim == 2 else m[:, j] * x[j])
            assert np.array_equal(whole, want)
            for width in range(1, 10):
                for start in range(0, 10 - width):
                    cols = slice(start, start + width)
                    part = mat_vec(m if m.ndim == 2 else m[:, :, cols], x[:, cols])
                    assert np.array_equal(part, whole[:, cols]), (k, m.ndim, width, start)
            if m.ndim == 2:
                for width in range(1, 10):
                    got = _combine(m, x[:, :width], np.empty((k, width)), exact=True)
                    assert np.array_equal(got, whole[:, :width]), (k, width)
        # a single (k,) vector, no batch dimension at all
        assert np.array_equal(mat_vec(shared, x[:, 4]), mat_vec(shared, x)[:, 4])
