"""Reference frames and small vector helpers: the target's LVLH frame, GCRS <-> ITRS, geodetic.

Frames used in the package:

- GCRS: the inertial frame of propagation (skyfield's GCRS; SGP4's TEME output is rotated into it).
- ITRS: Earth-fixed, for launch sites and ground tracks. The rotation GCRS -> ITRS is skyfield's
  (IAU 2000A/2006 precession-nutation, Earth rotation angle via GAST; no polar motion unless the
  package timescale has a polar-motion table, which it does not: a 0.3" (about 10 m) effect).
- LVLH of the target (the one convention of the package, as used for ISS visiting vehicles)::

        z = -r/|r|                  towards Earth ("R-bar", down)
        y = -(r x v)/|r x v|        opposite the orbit normal
        x = y x z                   along the velocity for a circular orbit ("V-bar")

    Side view, flight to the right, the Earth below; the orbit normal h = r x v points into the
    page, so y points out of it (right-handed: x cross y = z)::

        target o-------> x   (V-bar, direction of flight)
               |
               |  y out of the page
               v
               z   (R-bar, towards the Earth's centre)

  Relative position rho = M (r_c - r_t) with M = :func:`lvlh_basis` (rows x, y, z in GCRS);
  relative velocity is taken in the rotating frame: v_rel = M (v_c - v_t) - w x rho, where w is the
  angular velocity of the LVLH frame with respect to GCRS, expressed in LVLH (:func:`lvlh_rate`).
  Exactly (for any acceleration a of the target; e.g. Schaub & Junkins, "Analytical Mechanics of
  Space Systems", the Hill-frame rate): w = (h/r^2) W + (r a_W / h) R in the radial/along/normal
  triad R, S, W, i.e. in LVLH w = (0, -h/r^2, -r a_W / h), with h = |r x v| and a_W the component of
  a along the orbit normal. Given only a state, the package takes a along r (two-body), so the last
  term is zero; pass the target's acceleration to include it (J2 makes it about 1e-6 rad/s, a
  1 mm/s velocity difference at 1 km range).
- WGS-84 geodetic latitude, longitude and height above the ellipsoid (NIMA TR8350.2), computed from
  ITRS with Heikkinen's closed-form solution (M. Heikkinen, 1982, Zeitschrift fuer Vermessungswesen
  107, 207-211; as given by J. Zhu, 1994, IEEE Trans. AES 30, 957-961): exact, no iteration.

- Curvilinear relative coordinates (:func:`curvilinear`), the way far-range relative motion is
  drawn in flight dynamics (e.g. W. Fehse, "Automated Rendezvous and Docking of Spacecraft",
  Cambridge 2003, sec. 3.1): x is the arc length along a circle of the target's radius from the
  target to the chaser's projection on the target's orbit plane (positive ahead, along V-bar), z
  the radius difference |r_t| - |r_c| (positive below the target, towards Earth, like R-bar), y the
  arc length across the plane (sign of LVLH y). They equal the rectilinear LVLH position to second
  order in range/radius: within 2 m at 5 km range, 1 cm at 300 m. The radius difference is not the
  difference of heights above the ellipsoid: the two differ by up to 21 km when the vehicles are at
  very different latitudes (far range), by centimetres close in.

Arrays are components first: vectors (3,) or (3, N), states (6,) or (6, N), rotations (3, 3) or
(3, 3, N). A scalar input gives a scalar output. Left out: polar motion, TEME (only inside SGP4),
topocentric frames.
"""

from __future__ import annotations

import numpy as np
from skyfield.api import wgs84
from skyfield.framelib import itrs

from .constants import F_EARTH, R_EARTH

__all__ = [
    "angle_between",
    "closing_speed",
    "curvilinear",
    "from_lvlh",
    "gcrs_to_itrs",
    "geodetic",
    "lvlh_basis",
    "lvlh_rate",
    "mat_vec",
    "range_rate",
    "site_state",
    "to_lvlh",
    "true_pole",
    "unit",
]

_AU_M = 149597870700.0
_DAY_S = 86400.0


def unit(a) -> np.ndarray:
    """Unit vectors along ``a`` (3,) or (3, ...); a zero vector gives NaN."""
    a = np.asarray(a, dtype=float)
    n = np.linalg.norm(a, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return a / n


def _cross(a, b) -> np.ndarray:
    return np.cross(a, b, axis=0)


def _dot(a, b) -> np.ndarray:
    return np.sum(a * b, axis=0)


def angle_between(a, b) -> np.ndarray | float:
    """Angle between vectors ``a`` and ``b`` ((3,) or (3, ...)), rad, in [0, pi].

    atan2(|a x b|, a . b): accurate for small and near-pi angles, where acos(a . b) is not.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.arctan2(np.linalg.norm(_cross(a, b), axis=0), _dot(a, b))
    return float(out) if np.ndim(out) == 0 else out


def mat_vec(m, x) -> np.ndarray:
    """Matrices (i, j, ...) times vectors (j, ...): (i, ...), the trailing (batch) dimensions
    broadcast as numpy does (a shared (i, j) matrix and vectors (j, N) give (i, N)).

    Formed as ``m[:, 0] x[0] + m[:, 1] x[1] + ...`` in that order, by numpy's elementwise
    operations, so each column of a batch gets the same bits whatever else is in the batch (the
    Monte Carlo samples of ``dispersions`` must not depend on their chunk): ``np.einsum`` takes
    another path for a batch of one column, and BLAS kernels (``@``) round the last columns of a
    product differently from the same numbers inside a wider one. ``propagate.batch._combine``
    (``exact``) forms the same sum for the integrators (a shared matrix, written into a given
    ``out``); ``tests/test_frames.py`` checks that the two agree to the bit.
    """
    m = np.asarray(m, dtype=float)
    x = np.asarray(x, dtype=float)
    pad = (x.ndim - 1) - (m.ndim - 2)
    if pad > 0:
        m = m.reshape(m.shape[:2] + (1,) * pad + m.shape[2:])
    out = m[:, 0] * x[0]
    for j in range(1, m.shape[1]):
        out += m[:, j] * x[j]
    return out


def _mv(m, x) -> np.ndarray:
    """Matrix (3, 3, ...) times vector (3, ...) (:func:`mat_vec`)."""
    return mat_vec(m, x)


def _mtv(m, x) -> np.ndarray:
    """Transpose of matrix (3, 3, ...) times vector (3, ...) (:func:`mat_vec`)."""
    return mat_vec(np.swapaxes(m, 0, 1), x)


def lvlh_basis(r, v) -> np.ndarray:
    """The target's LVLH axes: (3, 3) or (3, 3, N) matrix whose rows are x, y, z in GCRS.

    r, v: target position (m) and velocity (m/s), (3,) or (3, N). A vector d in GCRS has LVLH
    components M @ d (``np.einsum('ij...,j...->i...', M, d)`` for a batch).
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    z = -unit(r)
    y = -unit(_cross(r, v))
    x = _cross(y, z)
    return np.stack([x, y, z], axis=0)


def lvlh_rate(target, accel=None) -> np.ndarray:
    """Angular velocity of the target's LVLH frame with respect to GCRS, in LVLH, rad/s.

    target: (6,) or (6, N) GCRS state (m, m/s). accel: optional (3,) or (3, N) GCRS acceleration
    of the target (m/s^2); when given, the out-of-plane term -r a_W / h on the z axis is included,
    otherwise the motion is taken as two-body and w = (0, -h/r^2, 0). Returns (3,) or (3, N).
    """
    s = np.asarray(target, dtype=float)
    r, v = s[:3], s[3:6]
    h_vec = _cross(r, v)
    h = np.linalg.norm(h_vec, axis=0)
    rn = np.linalg.norm(r, axis=0)
    wy = -h / rn**2
    wz = np.zeros_like(wy)
    if accel is not None:
        a = np.asarray(accel, dtype=float)
        a = a.reshape(a.shape + (1,) * (r.ndim - a.ndim))
        a_w = _dot(a, h_vec / h)
        wz = -rn * a_w / h
    return np.stack([np.zeros_like(wy), wy, wz], axis=0)


def _states(name_a, a, name_b, b):
    """Two components-first arrays, (6, ...) each, broadcast over the trailing (batch) axes."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    for name, x in ((name_a, a), (name_b, b)):
        if x.ndim == 0 or x.shape[0] != 6:
            raise ValueError(
                f"{name}: expected a state of shape (6,) or (6, N) [x, y, z, vx, vy, vz], "
                f"got shape {x.shape}"
            )
    nd = max(a.ndim, b.ndim)
    a = a.reshape(a.shape + (1,) * (nd - a.ndim))
    b = b.reshape(b.shape + (1,) * (nd - b.ndim))
    return np.broadcast_arrays(a, b)


def to_lvlh(target, chaser, *, target_accel=None) -> np.ndarray:
    """Chaser state relative to the target in the target's LVLH frame, velocity in that frame.

    target, chaser: GCRS states (6,) or (6, N) (m, m/s), broadcast against each other.
    target_accel: optional target acceleration (3, ...) in GCRS, m/s^2 (see :func:`lvlh_rate`).
    Returns (6,) or (6, N) [x, y, z, vx, vy, vz] in m and m/s.
    """
    t, c = _states("target", target, "chaser", chaser)
    m = lvlh_basis(t[:3], t[3:6])
    w = lvlh_rate(t, target_accel)
    rho = _mv(m, c[:3] - t[:3])
    vel = _mv(m, c[3:6] - t[3:6]) - _cross(w, rho)
    return np.concatenate([rho, vel], axis=0)


def from_lvlh(target, rel, *, target_accel=None) -> np.ndarray:
    """Inverse of :func:`to_lvlh`: the chaser's GCRS state from its state relative to the target.

    target: GCRS state (6,) or (6, N); rel: LVLH state (6,) or (6, N) (m, m/s).
    Returns the GCRS state (6, ...).
    """
    t, q = _states("target", target, "rel", rel)
    m = lvlh_basis(t[:3], t[3:6])
    w = lvlh_rate(t, target_accel)
    rho, vel = q[:3], q[3:6]
    r = t[:3] + _mtv(m, rho)
    v = t[3:6] + _mtv(m, vel + _cross(w, rho))
    return np.concatenate([r, v], axis=0)


def true_pole(t) -> np.ndarray:
    """Earth's true spin axis (the Celestial Intermediate Pole) in GCRS at skyfield Time ``t``.

    (3,) unit vector, or (3, n) for an array Time: the third row of skyfield's precession-nutation
    matrix ``t.M`` (GCRS -> true equator and equinox of date).
    """
    return np.asarray(t.M, dtype=float)[2]


def gcrs_to_itrs(t) -> np.ndarray:
    """Rotation matrix GCRS -> ITRS at skyfield Time ``t``: (3, 3), or (3, 3, n) for an array Time.

    skyfield's ``itrs.rotation_at`` (precession-nutation, then Greenwich apparent sidereal time).
    """
    return np.asarray(itrs.rotation_at(t), dtype=float)


def site_state(lat_deg, lon_deg, height_m, t) -> np.ndarray:
    """GCRS state of a point fixed on the rotating Earth at skyfield Time ``t``.

    lat_deg, lon_deg: WGS-84 geodetic latitude and longitude (deg, east positive); height_m: height
    above the ellipsoid (m). Returns (6,) or, for an array Time, (6, n), in m and m/s (skyfield
    ``wgs84.latlon(...).at(t)``: the ITRS point rotated with the Earth's nominal rotation rate).
    """
    g = wgs84.latlon(float(lat_deg), float(lon_deg), elevation_m=float(height_m)).at(t)
    r = np.asarray(g.position.m, dtype=float)
    v = np.asarray(g.velocity.m_per_s, dtype=float)
    return np.concatenate([r, v], axis=0)


def _geodetic_itrs(xyz) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 (lat rad, lon rad, height m) from ITRS (3, ...) m, Heikkinen's closed form."""
    x, y, z = xyz
    a = R_EARTH
    f = F_EARTH
    b = a * (1.0 - f)
    e2 = f * (2.0 - f)
    ep2 = e2 / (1.0 - e2)
    p = np.hypot(x, y)
    big_f = 54.0 * b * b * z * z
    g = p * p + (1.0 - e2) * z * z - e2 * (a * a - b * b)
    c = e2 * e2 * big_f * p * p / g**3
    s = np.cbrt(1.0 + c + np.sqrt(c * c + 2.0 * c))
    k = s + 1.0 + 1.0 / s
    big_p = big_f / (3.0 * k * k * g * g)
    q = np.sqrt(1.0 + 2.0 * e2 * e2 * big_p)
    r0 = -big_p * e2 * p / (1.0 + q) + np.sqrt(
        0.5 * a * a * (1.0 + 1.0 / q)
        - big_p * (1.0 - e2) * z * z / (q * (1.0 + q))
        - 0.5 * big_p * p * p
    )
    u = np.sqrt((p - e2 * r0) ** 2 + z * z)
    v = np.sqrt((p - e2 * r0) ** 2 + (1.0 - e2) * z * z)
    z0 = b * b * z / (a * v)
    h = u * (1.0 - b * b / (a * v))
    lat = np.arctan2(z + ep2 * z0, p)
    lon = np.arctan2(y, x)
    return lat, lon, h


def geodetic(r_gcrs, t):
    """WGS-84 geodetic latitude (deg), longitude (deg, east positive, -180..180) and height (m).

    r_gcrs: GCRS position(s) (3,) or (3, n), m; t: skyfield Time, scalar or array of n matching the
    columns (one Time per position, e.g. for a ground track). Returns three floats or three (n,)
    arrays. Not defined within about 40 km of the Earth's centre (never reached here).
    """
    r = np.asarray(r_gcrs, dtype=float)
    m = gcrs_to_itrs(t)
    if m.ndim == 3 and r.ndim == 2 and m.shape[2] != r.shape[1]:
        raise ValueError(
            f"geodetic: {r.shape[1]} positions but {m.shape[2]} times; pass one Time per column "
            "or a single Time"
        )
    lat, lon, h = _geodetic_itrs(_mv(m, r))
    lat_deg, lon_deg = np.degrees(lat), np.degrees(lon)
    if np.ndim(lat_deg) == 0:
        return float(lat_deg), float(lon_deg), float(h)
    return lat_deg, lon_deg, h


def curvilinear(target, chaser, *, continuous: bool = False) -> np.ndarray:
    """Curvilinear position of the chaser relative to the target, (3,) or (3, N), m.

    target, chaser: GCRS states (6,) or (6, N), broadcast together. Returns [x, y, z]: x the arc
    along the target's orbit (ahead positive), y the arc across it (LVLH y sign), z = |r_t| - |r_c|
    (towards Earth positive); see the module docstring. x = -|r_t| * phase angle (the phase angle
    of the target ahead of the chaser, rad). ``continuous``: the columns are a time series, and the
    in-plane angle is unwrapped along them (so that x runs on past half a revolution without a
    jump), anchored so that the last column's angle is in (-pi, pi].
    """
    t, c = _states("target", target, "chaser", chaser)
    r_t, r_c = t[:3], c[:3]
    h = unit(_cross(r_t, t[3:6]))
    p = r_c - _dot(r_c, h) * h
    theta = np.arctan2(_dot(_cross(r_t, p), h), _dot(r_t, p))
    if continuous and theta.ndim == 1 and theta.size > 1:
        theta = np.unwrap(theta)
        theta = theta - 2.0 * np.pi * np.round(theta[-1] / (2.0 * np.pi))
    rt = np.linalg.norm(r_t, axis=0)
    rc = np.linalg.norm(r_c, axis=0)
    beta = np.arcsin(np.clip(_dot(r_c, h) / rc, -1.0, 1.0))
    return np.stack([rt * theta, -rt * beta, rt - rc], axis=0)


def range_rate(rel) -> np.ndarray | float:
    """d|rho|/dt = (rho . v) / |rho| from a relative state (6,) or (6, N) (m, m/s); negative while
    closing. The rate of the distance between the centres of mass."""
    q = np.asarray(rel, dtype=float)
    rng = np.linalg.norm(q[:3], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _dot(q[:3], q[3:6]) / rng
    return float(out) if np.ndim(out) == 0 else out


def closing_speed(rel, axis) -> np.ndarray | float:
    """Closing speed along a docking port's axis: -(v . axis), m/s, positive towards the port.

    rel: the chaser's LVLH relative state (6,) or (6, N) (m, m/s); axis: (3,) unit vector, the
    port's outward axis in the target's LVLH frame (the port is fixed in that frame while the
    station holds its LVLH attitude). This is the package's "closing speed" (contact speed)."""
    q = np.asarray(rel, dtype=float)
    a = np.asarray(axis, dtype=float).reshape((3,) + (1,) * (q.ndim - 1))
    out = -_dot(q[3:6], a)
    return float(out) if np.ndim(out) == 0 else out
