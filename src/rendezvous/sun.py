"""The Sun, low precision: its direction, the Earth's shadow and where it is night on the ground.

Model (stated, with its limits):

* Direction: the Astronomical Almanac's low-precision formulae for the Sun (The Astronomical
  Almanac, section C, "Low-precision formulas for the Sun"; Vallado, *Fundamentals of
  Astrodynamics and Applications*, 4th ed., Algorithm 29): mean longitude and mean anomaly linear
  in time, the equation of centre to second order, the mean obliquity of date. Stated accuracy
  0.01 deg in direction between 1950 and 2050. The result is referred to the mean equator and
  equinox of date and turned into GCRS with skyfield's precession matrix (frame bias, 0.02 arcsec,
  and nutation, under 0.005 deg, are left out). No ephemeris file is read.
* Shadow: the cylindrical Earth shadow (Vallado, section 5.3, "Sight and light"): a point is in
  shadow when it is on the night side of the Earth and within one Earth radius (equatorial,
  6378.137 km) of the Earth-Sun line. The real umbra is a cone and there is a penumbra; for a
  low orbit the cylinder puts shadow entry and exit within about 10 s of the conical umbra's.
  Light travel time and atmospheric refraction are ignored.
* Day and night on the ground: the Sun's elevation above a point's geocentric horizon (spherical
  Earth), so the terminator is a great circle 90 deg from the subsolar point; refraction and the
  Sun's 0.27 deg semi-diameter (together about 0.8 deg) are ignored.
"""

from __future__ import annotations

import numpy as np

from .constants import R_EARTH

__all__ = [
    "AU_M",
    "in_shadow",
    "shadow_crossings",
    "subsolar_point",
    "sun_direction",
    "sun_elevation",
    "sun_position",
]

AU_M = 149_597_870_700.0
"""The astronomical unit, m (IAU 2012 Resolution B2, exact)."""


def _mean_of_date(t) -> np.ndarray:
    """Sun's position in AU, mean equator and equinox of date, (3,) or (3, n)."""
    tt = np.asarray(t.tt, dtype=float)
    cent = (tt - 2451545.0) / 36525.0  # Julian centuries from J2000 (TT; UT1 differs by < 70 s)
    lam_m = np.radians(280.460 + 36000.771 * cent)
    anom = np.radians(357.5291092 + 35999.05034 * cent)
    lam = lam_m + np.radians(1.914666471 * np.sin(anom) + 0.019994643 * np.sin(2.0 * anom))
    dist = 1.000140612 - 0.016708617 * np.cos(anom) - 0.000139589 * np.cos(2.0 * anom)
    eps = np.radians(23.439291 - 0.0130042 * cent)
    return dist * np.stack([np.cos(lam), np.cos(eps) * np.sin(lam), np.sin(eps) * np.sin(lam)])


def sun_position(t) -> np.ndarray:
    """The Sun's geocentric position in GCRS, m: (3,) for a scalar skyfield Time, (3, n) for an
    array Time (low precision, see the module docstring)."""
    r_mod = _mean_of_date(t) * AU_M
    p = np.asarray(t.P, dtype=float)  # GCRS (J2000 mean) -> mean of date
    return np.einsum("ji...,j...->i...", p, r_mod)  # transpose: mean of date -> GCRS


def sun_direction(t) -> np.ndarray:
    """Unit vector from the Earth's centre to the Sun in GCRS, (3,) or (3, n)."""
    r = sun_position(t)
    return r / np.linalg.norm(r, axis=0)


def in_shadow(r_gcrs, t) -> np.ndarray | bool:
    """True where the point(s) ``r_gcrs`` (GCRS, m, (3,) or (3, n)) are in the Earth's
    cylindrical shadow at skyfield Time ``t`` (scalar, or an array Time of n matching the
    columns). Returns a bool or an (n,) bool array."""
    r = np.asarray(r_gcrs, dtype=float)
    s = sun_direction(t)
    if r.ndim == 2 and s.ndim == 1:
        s = s[:, None]
    along = np.sum(r * s, axis=0)
    perp = np.linalg.norm(r - along * s, axis=0)
    out = (along < 0.0) & (perp < R_EARTH)
    return bool(out) if np.ndim(out) == 0 else out


def subsolar_point(t) -> tuple[float, float]:
    """Geocentric latitude and longitude (deg, east positive, -180..180) of the point with the
    Sun at the zenith at scalar skyfield Time ``t``."""
    from .frames import gcrs_to_itrs  # Earth rotation: the one GCRS -> ITRS in the package

    s = gcrs_to_itrs(t) @ sun_direction(t)
    return float(np.degrees(np.arcsin(s[2]))), float(np.degrees(np.arctan2(s[1], s[0])))


def sun_elevation(lat_deg, lon_deg, t) -> np.ndarray:
    """The Sun's elevation (deg) above the geocentric horizon of ground points at scalar skyfield
    Time ``t``; ``lat_deg``/``lon_deg`` broadcast together (e.g. a grid). Negative is night; the
    terminator is the zero contour."""
    lat0, lon0 = np.radians(subsolar_point(t))
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    cos_z = np.sin(lat) * np.sin(lat0) + np.cos(lat) * np.cos(lat0) * np.cos(lon - lon0)
    return np.degrees(np.arcsin(np.clip(cos_z, -1.0, 1.0)))


def shadow_crossings(
    state, t, *, span_s: float = 6000.0, step_s: float = 10.0
) -> tuple[np.ndarray, np.ndarray]:
    """Orbital sunsets and sunrises of a satellite around skyfield Time ``t``, s relative to ``t``.

    state: its GCRS state at ``t`` ((6,), m and m/s). The orbit is flown as the circle through the
    state's position in its osculating plane at the state's angular rate (two-body, circular: over
    the +/- ``span_s`` searched, a 415 km ISS orbit of eccentricity 0.0005 moves the crossings by
    under 10 s, and J2 turns the plane by under 0.4 deg); shadow as :func:`in_shadow`; crossings
    to ``step_s``. Returns (sunsets, sunrises): times of entering and of leaving the shadow,
    ascending; empty where the orbit is sunlit throughout (high beta angle)."""
    from .times import at_seconds

    x = np.asarray(state, dtype=float).reshape(6)
    r0, v0 = x[:3], x[3:]
    rad = float(np.linalg.norm(r0))
    h = np.cross(r0, v0)
    n = float(np.linalg.norm(h)) / rad**2
    e_r, e_h = r0 / rad, h / np.linalg.norm(h)
    e_t = np.cross(e_h, e_r)
    dts = np.arange(-span_s, span_s + 0.5 * step_s, step_s)
    pos = rad * (np.outer(e_r, np.cos(n * dts)) + np.outer(e_t, np.sin(n * dts)))
    dark = np.asarray(in_shadow(pos, at_seconds(t, dts)), dtype=bool)
    change = np.flatnonzero(dark[1:] != dark[:-1]) + 1
    return dts[change[dark[change]]], dts[change[~dark[change]]]
