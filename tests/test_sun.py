"""The low-precision Sun (rendezvous.sun) against published values: equinox and solstice instants,
Vallado's worked example, the equation of time, and the Earth-shadow geometry."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous import sun
from rendezvous.constants import R_EARTH
from rendezvous.times import at_seconds, parse_utc

# Model accuracy stated by the Astronomical Almanac for these formulae: 0.01 deg (1950-2050).
_ACC_DEG = 0.01


def _true_of_date(t):
    """RA and declination (deg) of the Sun on the true equator and equinox of date."""
    v = np.asarray(t.M, dtype=float) @ sun.sun_direction(t)
    return np.degrees(np.arctan2(v[1], v[0])), np.degrees(np.arcsin(v[2]))


@pytest.mark.parametrize(
    ("when", "ra_deg", "dec_deg"),
    [
        # Equinoxes and solstices of 2025 (USNO, "Earth's Seasons", to the minute; the Sun moves
        # 0.01 deg in RA in about a minute, so a minute's rounding is within the tolerance).
        ("2025-03-20T09:01:00Z", 0.0, 0.0),
        ("2025-06-21T02:42:00Z", 90.0, None),
        ("2025-09-22T18:19:00Z", 180.0, 0.0),
        ("2025-12-21T15:03:00Z", -90.0, None),
    ],
)
def test_equinoxes_and_solstices(when, ra_deg, dec_deg):
    ra, dec = _true_of_date(parse_utc(when))
    assert (ra - ra_deg + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=_ACC_DEG + 0.005)
    if dec_deg is not None:
        assert dec == pytest.approx(dec_deg, abs=_ACC_DEG)
    else:  # at a solstice the declination is the obliquity of date, 23.436 deg in 2025 (IAU 2006)
        assert abs(dec) == pytest.approx(23.436, abs=_ACC_DEG)


def test_vallado_example_5_1():
    # Vallado, Fundamentals of Astrodynamics, Example 5-1: 2006 April 2 00:00 UTC, the Sun in the
    # mean-of-date frame at (0.9771945, 0.1924424, 0.0834308) AU.
    t = parse_utc("2006-04-02T00:00:00Z")
    mod = np.asarray(t.P, dtype=float) @ sun.sun_position(t) / sun.AU_M
    np.testing.assert_allclose(mod, [0.9771945, 0.1924424, 0.0834308], atol=2e-5)


def test_subsolar_longitude_follows_the_equation_of_time():
    # On 2025-03-20 the equation of time is -7 min 27 s (Astronomical Almanac): the Sun crosses
    # Greenwich at 12:07:27 UTC, so at 12:00 UTC it stands 1.86 deg east of it, on the equator.
    lat, lon = sun.subsolar_point(parse_utc("2025-03-20T12:00:00Z"))
    assert lon == pytest.approx(7.45 / 60.0 * 15.0, abs=0.05)
    assert abs(lat) < 0.1


def test_terminator_is_90_degrees_from_the_subsolar_point():
    t = parse_utc("2025-06-21T02:42:00Z")
    lat0, lon0 = sun.subsolar_point(t)
    assert sun.sun_elevation(lat0, lon0, t) == pytest.approx(90.0, abs=1e-6)
    assert sun.sun_elevation(-lat0, lon0 + 180.0, t) == pytest.approx(-90.0, abs=1e-6)
    assert sun.sun_elevation(90.0, 0.0, t) == pytest.approx(lat0, abs=1e-9)  # midnight sun


def test_shadow_geometry():
    t = parse_utc("2025-04-08T06:00:00Z")
    s = sun.sun_direction(t)
    r = R_EARTH + 400e3
    side = np.cross(s, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    points = np.stack([r * s, -r * s, r * side, -r * s + 1.01 * R_EARTH * side], axis=1)
    assert list(sun.in_shadow(points, t)) == [False, True, False, False]
    assert sun.in_shadow(-r * s, t) is True


def test_eclipse_fraction_of_a_noon_midnight_orbit():
    # Cylindrical shadow, orbit plane containing the Sun (beta = 0): the shadow arc is
    # 2 asin(R/r) (Vallado sec. 5.3), 139.7 deg at 400 km: 38.8 % of the orbit, about 36 min.
    t0 = parse_utc("2025-03-20T09:01:00Z")
    s = sun.sun_direction(t0)
    side = np.cross(s, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    r = R_EARTH + 400e3
    u = np.linspace(0.0, 2 * np.pi, 36001)[:-1]
    points = r * (np.outer(s, np.cos(u)) + np.outer(side, np.sin(u)))
    dark = sun.in_shadow(points, t0)
    assert dark.mean() == pytest.approx(2 * np.arcsin(R_EARTH / r) / (2 * np.pi), abs=1e-4)


def test_array_times_match_scalar_times():
    t0 = parse_utc("2025-07-03T19:32:40Z")
    seconds = np.array([0.0, 3600.0, 86400.0])
    batch = sun.sun_direction(at_seconds(t0, seconds))
    for k, dt in enumerate(seconds):
        np.testing.assert_allclose(batch[:, k], sun.sun_direction(at_seconds(t0, dt)), atol=1e-12)
