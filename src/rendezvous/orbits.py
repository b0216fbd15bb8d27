"""Small orbit helpers, batch first: every function takes states ``(6,)`` or ``(6, N)`` (GCRS, m and
m/s) or vectors ``(3,)`` / ``(3, N)`` and returns the matching shape.

Two-body relations (vis-viva, mean motion, apsides): Vallado (2013), "Fundamentals of
Astrodynamics and Applications", 4th ed., ch. 2. Secular J2 rates of a near-circular orbit (node,
mean argument of latitude): Vallado eqs. 9-41 to 9-43; Curtis (2014), "Orbital Mechanics for
Engineering Students", eq. 4.52.

Mean elements (:func:`mean_semi_major_axis`, :func:`nodal_period`): the osculating semi-major axis
of a near-circular orbit at the ISS swings by about 12 km peak to peak around each orbit under J2
(the first-order short-period term ``3/2 J2 R^2/a sin^2 i cos 2u``), so a period taken from it
varies by about 15 s around the orbit. The mean semi-major axis removes that term: first-order
short-period variation of ``a`` of Kozai (1959, AJ 64, 367) and Brouwer (1959, AJ 64, 378), in the
form of Schaub & Junkins (2018, "Analytical Mechanics of Space Systems", 4th ed., app. F,
Brouwer-Lyddane osculating-to-mean map): ``a_osc - a_mean = a gamma2 [(3 cos^2 i - 1)((a/r)^3 -
eta^-3) + 3 sin^2 i (a/r)^3 cos 2u]`` with ``gamma2 = J2/2 (R/a)^2``, ``eta = sqrt(1 - e^2)``; it
averages to zero over the mean anomaly, so the mean ``a`` is the orbit average of the osculating
one (to first order in J2; J2^2 and J3 terms are tens of metres, a few hundredths of a second of
period). The nodal (draconic) period, node to node, is ``2 pi`` over the secular rate of the mean
argument of latitude at that mean ``a`` (Kepler plus J2, Vallado eqs. 9-41..9-43; Vallado sec. 9.6
on mean and osculating elements).
"""

from __future__ import annotations

import numpy as np

from .constants import J2, MU_EARTH, R_EARTH

__all__ = [
    "apsides",
    "mean_longitude_rate",
    "mean_motion",
    "mean_semi_major_axis",
    "nodal_period",
    "nodal_rate",
    "orbit_normal",
    "phase_angle",
    "rotate_about",
    "rtn_basis",
    "semi_major_axis",
    "unit",
]


def unit(a: np.ndarray) -> np.ndarray:
    """``a`` (3,) or (3, N) divided by its norm along axis 0."""
    return a / np.linalg.norm(a, axis=0)


def semi_major_axis(state: np.ndarray) -> np.ndarray | float:
    """Semi-major axis, m, from the vis-viva equation ``1/a = 2/r - v^2/mu``."""
    r, v = state[:3], state[3:6]
    if state.ndim == 1:
        return float(1.0 / (2.0 / np.linalg.norm(r) - v @ v / MU_EARTH))
    return 1.0 / (2.0 / np.linalg.norm(r, axis=0) - np.sum(v * v, axis=0) / MU_EARTH)


def mean_motion(a):
    """Keplerian mean motion ``sqrt(mu / a^3)``, rad/s, for semi-major axis ``a`` (m)."""
    return np.sqrt(MU_EARTH / a**3)


def apsides(state: np.ndarray) -> tuple:
    """(perigee, apogee) heights above the equatorial radius, m."""
    r, v = state[:3], state[3:6]
    rn = np.linalg.norm(r, axis=0)
    a = semi_major_axis(state)
    if state.ndim == 1:  # the scalar form, kept bit for bit
        e = np.linalg.norm(np.cross(v, np.cross(r, v)) / MU_EARTH - r / rn)
    else:
        e = np.linalg.norm(np.cross(v, np.cross(r, v, axis=0), axis=0) / MU_EARTH - r / rn, axis=0)
    return a * (1 - e) - R_EARTH, a * (1 + e) - R_EARTH


def orbit_normal(state: np.ndarray) -> np.ndarray:
    """Unit angular-momentum vector ``r x v / |r x v|``, (3,) or (3, N)."""
    return unit(np.cross(state[:3], state[3:6], axis=0))


def rtn_basis(state: np.ndarray) -> np.ndarray:
    """(3, 3, N) rows: radial out, along-track (h x r), normal (h), for states (6, N)."""
    r, v = state[:3], state[3:6]
    rh = r / np.linalg.norm(r, axis=0)
    h = np.cross(r, v, axis=0)
    hh = h / np.linalg.norm(h, axis=0)
    th = np.cross(hh, rh, axis=0)
    return np.stack([rh, th, hh])


def rotate_about(v: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """``v`` (3,) turned by ``angle`` (rad) about the unit ``axis`` (3,), Rodrigues' formula."""
    k = np.asarray(axis, dtype=float)
    return v * np.cos(angle) + np.cross(k, v) * np.sin(angle) + k * (k @ v) * (1.0 - np.cos(angle))


def nodal_rate(a, inc):
    """Secular J2 rate of the ascending node, rad/s, for semi-major axis ``a`` (m) and inclination
    ``inc`` (rad), near-circular orbit (Vallado eq. 9-41; Curtis eq. 4.52)."""
    n = mean_motion(a)
    return -1.5 * n * J2 * (R_EARTH / a) ** 2 * np.cos(inc)


def mean_longitude_rate(a, inc):
    """Secular rate of the mean argument of latitude (rad/s) of a near-circular orbit of semi-major
    axis ``a`` (m) and inclination ``inc`` (rad): Kepler plus J2 (Vallado eqs. 9-41..9-43, e =
    0)."""
    a = np.maximum(np.asarray(a, dtype=float), R_EARTH)  # below the surface: no meaning, no NaN
    n = mean_motion(a)
    c2 = np.cos(inc) ** 2
    return n * (1.0 + 0.75 * J2 * (R_EARTH / a) ** 2 * ((3.0 * c2 - 1.0) + (5.0 * c2 - 1.0)))


def phase_angle(station, ship):
    """Phase angle (rad, in [-pi, pi)) of the station ahead of the ship, in the station's plane.

    station, ship: (6,) or (6, N) GCRS states.
    """
    station = np.asarray(station, dtype=float)
    ship = np.asarray(ship, dtype=float)
    h = unit(np.cross(station[:3], station[3:6], axis=0))
    rs = ship[:3] - np.sum(ship[:3] * h, axis=0) * h
    sin = np.sum(np.cross(rs, station[:3], axis=0) * h, axis=0)
    cos = np.sum(rs * station[:3], axis=0)
    return np.arctan2(sin, cos)


def _pole(pole, ndim: int) -> np.ndarray:
    """The pole (3,) shaped to broadcast over states of ``ndim`` dimensions; a (3, N) pole (one
    per state) as it is."""
    p = np.asarray(pole, dtype=float)
    return p if p.ndim > 1 else p.reshape((3,) + (1,) * (ndim - 1))


def mean_semi_major_axis(state: np.ndarray, pole=(0.0, 0.0, 1.0)) -> np.ndarray | float:
    """Mean semi-major axis, m: the osculating one less its first-order J2 short-period variation
    (module docstring: Kozai 1959, Brouwer 1959). state: (6,) or (6, N) GCRS; pole: (3,) the axis
    of the J2 field (the Earth's pole of date, ``environment.Environment.pole``). Near-circular and
    inclined orbits (the node must exist)."""
    state = np.asarray(state, dtype=float)
    r, v = state[:3], state[3:6]
    rn = np.linalg.norm(r, axis=0)
    a = semi_major_axis(state)
    h = np.cross(r, v, axis=0)
    hh = unit(h)
    e = np.linalg.norm(np.cross(v, h, axis=0) / MU_EARTH - r / rn, axis=0)
    p = _pole(pole, state.ndim)
    cos_i = np.sum(hh * p, axis=0)
    node = unit(np.cross(p * np.ones_like(hh), hh, axis=0))
    u = np.arctan2(np.sum(r * np.cross(hh, node, axis=0), axis=0), np.sum(r * node, axis=0))
    gamma2 = 0.5 * J2 * (R_EARTH / a) ** 2
    ar3 = (a / rn) ** 3
    radial = (3.0 * cos_i**2 - 1.0) * (ar3 - (1.0 - e**2) ** -1.5)
    out = a - a * gamma2 * (radial + 3.0 * (1.0 - cos_i**2) * ar3 * np.cos(2.0 * u))
    return float(out) if state.ndim == 1 else out


def nodal_period(state: np.ndarray, pole=(0.0, 0.0, 1.0)) -> np.ndarray | float:
    """Nodal (draconic) period, s, ascending node to ascending node, from the mean elements of
    ``state`` (6,) or (6, N): ``2 pi / mean_longitude_rate(mean a, i)`` (module docstring). The
    same for any point of one orbit to a few hundredths of a second (tested), where the
    osculating ``2 pi / n`` varies by about 15 s at the ISS."""
    state = np.asarray(state, dtype=float)
    a = mean_semi_major_axis(state, pole)
    cos_i = np.sum(orbit_normal(state) * _pole(pole, state.ndim), axis=0)
    out = 2.0 * np.pi / mean_longitude_rate(a, np.arccos(np.clip(cos_i, -1.0, 1.0)))
    return float(out) if state.ndim == 1 else out
