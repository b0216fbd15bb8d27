"""Forces on a spacecraft in low Earth orbit: point-mass gravity, zonal or full harmonics, drag.

What is modelled (all in the propagation frame, GCRS, SI units):

- Central gravity ``-mu r / |r|^3`` (mu: the WGS-84 GM, ``constants.MU_EARTH``).
- The default gravity model, ``"zonal"`` (``DEFAULT_GRAVITY``): zonal harmonics J2, J3, J4 of
  EGM96 (``rendezvous.constants``: Lemoine et al. 1998) about Earth's spin axis ``pole``. The
  acceleration is the gradient of the potential

      U = mu/r * (1 - sum_n J_n (R/r)^n P_n(sin phi)),  sin phi = (r . pole) / |r|,

  written out as in Vallado (2013), *Fundamentals of Astrodynamics and Applications*, eqs. 8-30
  (J2, J3, J4 accelerations in an Earth-fixed frame), but along an arbitrary unit ``pole`` so that
  the true pole of date can be used in GCRS (it differs from the GCRS z axis by about 0.1 deg in
  2025 because of precession since J2000). The zonal field is axially symmetric, so Earth's
  rotation does not enter.
- The option ``"egm2008-8x8"`` (``GRAVITY_MODELS``; ``Scenario(gravity=...)``, ``--gravity``):
  the EGM2008 field to degree and order 8 (``geopotential``: Pavlis et al. 2012, coefficients
  shipped), zonals J2-J8 *and* tesserals from the same model (its J2-J4 are EGM2008's, not the
  zonal model's EGM96 values: J2 differs by 5e-7 relative), with EGM2008's GM and radius for the
  harmonics. The field turns with the Earth: GCRS -> Earth-fixed at time t is
  ``R3(omega_earth t) itrs0``, ``itrs0`` being skyfield's GCRS -> ITRS rotation at t = 0
  (IAU 2006/2000A precession-nutation, Greenwich apparent sidereal time from skyfield's UT1, no
  polar motion). Errors of this frame, each far below the effect of the tesseral terms: polar
  motion left out (~0.3", 10 m on the ground), precession-nutation frozen at t = 0 (< 0.3" over
  two days), the nominal rate 7.292115e-5 rad/s instead of the Earth rotation angle's
  7.2921151467e-5 (1.7 m at the ISS after two days), UT1 as skyfield predicts it (an error of
  1 s turns the field by 7e-5 rad: ~1e-8 m/s^2 on the tesseral acceleration).
- Atmospheric drag ``a = -1/2 rho |v_rel| v_rel (Cd A / m)`` with ``v_rel = v - omega pole x r``
  (the atmosphere co-rotates rigidly with the Earth, no winds). Density from
  ``rendezvous.atmosphere.density`` (Vallado Table 8-4) at the altitude above the WGS-84
  ellipsoid, approximated as ``|r| - R_ell(phi')`` where ``R_ell`` is the ellipsoid radius at the
  geocentric latitude ``phi'``; this differs from the true geodetic height by less than ~50 m in
  LEO (the radial and normal directions differ by < 0.2 deg), i.e. < 0.1 % in density at 400 km.

Why zonal is the default (measured with ``benchmarks/gravity.py``, 2026-11-26, issue 9):

- The station alone (MS-27's set, the same state at liftoff): the 8 x 8 field moves it by 89 m
  after 3 h and 5.0 km after 24 h (almost all along-track: from the same osculating state the
  two models give mean semi-major axes a few metres apart); EGM2008's extra zonals J5-J8 alone
  account for 45 m and 260 m.
- The flights as the mission flies them (station fitted to SGP4 under the model in use, far-range
  burns targeted with it): the docking time changes by -0.0 s (Soyuz MS-27, 2-orbit), +0.4 s
  (Soyuz MS-12, 4-orbit), -0.1 s (Progress MS-31, 2-day); the far-range Delta-v by at most
  0.05 m/s of ~115 m/s; the relative state at the approach start is the targeted one in both
  (4 km ahead on V-bar) and differs by 10-40 mm/s in velocity.
- The zonal plan flown open loop in the 8 x 8 world arrives 0.5 km (MS-27), 3.4 km (MS-12) and
  27 km (MS-31) from the planned approach start, almost all along-track (the station's own share
  0.3, 1.7 and 0.8 km; the rest is the ship's, flying lower and longer): the relative motion the
  guidance predicts is wrong by that much, but the guidance re-targets with whatever model is
  flown (as the ground does with tracking), so this moves neither the docking time nor the
  Delta-v of the simulated flight.
- The 8 x 8 field costs 1.5 to 1.7 times the run time of ``simulate`` on MS-27 (interleaved
  runs on a loaded 2-core machine; the budget for a default is 1.5 times), and the station's
  element set is fitted with SGP4, whose near-Earth theory has no tesseral terms either.

So the tesseral harmonics change the simulated timeline by under half a second, a thousandth of
the minutes the timeline's own model is uncertain by: ``"zonal"`` stays the default and
``"egm2008-8x8"`` is the option for studies of the open-loop relative motion. (Caveat: the
timeline measured is still a fixed schedule after insertion, issue 9; re-run
``benchmarks/gravity.py`` when it follows the flight's geometry.)

Left out: degrees above 8 (issue 9's audit found 250 m after 3 h and 6.5 km after 24 h for a
20 x 20 field from the same state, against 89 m and 5.0 km for this 8 x 8 one), Sun/Moon third
body (~1e-6 m/s^2 in LEO), solar radiation pressure, Earth tides, relativity, polar motion,
atmosphere winds and density variability (see ``atmosphere``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as _field

import numpy as np

from .atmosphere import density
from .constants import F_EARTH, J2, J3, J4, MU_EARTH, OMEGA_EARTH, R_EARTH
from .geopotential import GravityField, load_gravity_field

__all__ = [
    "DEFAULT_GRAVITY",
    "GRAVITY_MODELS",
    "ForceModel",
    "SGP4_RHO0",
    "TWO_BODY",
    "ballistic_from_bstar",
    "gravity_field",
]

GRAVITY_MODELS: dict[str, tuple[str, int, int] | None] = {
    "zonal": None,
    "egm2008-8x8": ("egm2008", 8, 8),
}
"""Gravity model name -> (shipped field, degree, order), or None for the zonal model (J2-J4 of
EGM96 about the pole of date, ``ForceModel.degree``)."""

DEFAULT_GRAVITY = "zonal"
"""The gravity model every flight uses unless told otherwise: the tesseral harmonics move the
simulated docking time by under 0.5 s and cost 1.5-1.7 times the run time (module docstring)."""


def gravity_field(gravity: str) -> GravityField | None:
    """The spherical-harmonic field of gravity model ``gravity`` (``GRAVITY_MODELS``), or None for
    the zonal model."""
    if gravity not in GRAVITY_MODELS:
        raise ValueError(
            f"gravity: unknown gravity model {gravity!r}; use one of {', '.join(GRAVITY_MODELS)}"
        )
    spec = GRAVITY_MODELS[gravity]
    return None if spec is None else load_gravity_field(*spec)


SGP4_RHO0 = 0.15696615
"""SGP4 reference density times one Earth radius, kg/m^2/ER.

B* = rho0 * (Cd A/m) / 2 with rho0 = 2.461e-8 kg/m^3 (the SGP4 reference atmosphere at
q0 = 120 km) times the Earth radius 6378.135 km: Hoots & Roehrich (1980), Spacetrack Report #3;
Vallado (2013) section 9.8 / Vallado et al. (2006) "Revisiting Spacetrack Report #3".
"""

_E2 = F_EARTH * (2.0 - F_EARTH)  # first eccentricity squared of WGS-84


def ballistic_from_bstar(bstar_per_earth_radius) -> float | np.ndarray:
    """``Cd * A / m`` in m^2/kg from a TLE drag term B* in 1/ER (Earth radii).

    Uses B* = rho0 (Cd A/m) / 2 with rho0 = ``SGP4_RHO0`` = 0.15696615 kg/m^2/ER (Hoots &
    Roehrich 1980; Vallado 2013). Note B* also absorbs the difference between SGP4's density model
    and the real atmosphere, so the result is a *fitted* value meaningful with a density model of
    similar level, not the vehicle's physical ``Cd A/m``. Negative B* (seen in TLEs) gives a
    negative value, which would make drag push forward; callers may clip it.
    """
    b = np.asarray(bstar_per_earth_radius, dtype=float)
    if not np.all(np.isfinite(b)):
        raise ValueError("bstar_per_earth_radius: must be finite; pass the TLE B* in 1/ER")
    out = 2.0 * b / SGP4_RHO0
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class ForceModel:
    """Gravity (point mass + zonal harmonics, or a spherical-harmonic ``field``) and drag in GCRS;
    see the module docstring.

    Attributes
    ----------
    mu : float
        Gravitational parameter, m^3/s^2.
    radius : float
        Reference (equatorial) radius of the harmonics and of the ellipsoid, m.
    degree : int
        Highest zonal degree: 0 or 1 two-body only, 2 adds J2, 3 adds J3, 4 adds J4.
    drag : bool
        Include atmospheric drag (it still needs a non-zero ``inv_ballistic`` per call).
    pole : tuple of 3 floats
        Earth's spin axis as a unit vector in the propagation frame (normalised on creation).
    omega_earth : float
        Earth's rotation rate about ``pole`` for the co-rotating atmosphere, rad/s.
    j2, j3, j4 : float
        Zonal coefficients (unnormalised); default EGM96 (``rendezvous.constants``).
    field : geopotential.GravityField or None
        A spherical-harmonic field (e.g. ``gravity_field("egm2008-8x8")``) used instead of the
        zonal terms (``degree``, ``j2``-``j4`` are then not used; ``degree`` 0 or 1 still means
        two-body). Needs ``itrs0``; the acceleration then depends on the time ``t``.
    itrs0 : 3 x 3 nested tuple or None
        The rotation GCRS -> ITRS at t = 0 (``frames.gcrs_to_itrs(epoch)``); at time t the
        Earth-fixed frame is ``R3(omega_earth t) itrs0`` (module docstring).
    """

    mu: float = MU_EARTH
    radius: float = R_EARTH
    degree: int = 4
    drag: bool = True
    pole: tuple[float, float, float] = (0.0, 0.0, 1.0)
    omega_earth: float = OMEGA_EARTH
    j2: float = J2
    j3: float = J3
    j4: float = J4
    field: GravityField | None = None
    itrs0: tuple[tuple[float, float, float], ...] | None = None
    # Coefficients used on every call, computed once in __post_init__.
    _pole_is_z: bool = _field(init=False, repr=False, compare=False, default=False)
    _c2: float = _field(init=False, repr=False, compare=False, default=0.0)
    _c3: float = _field(init=False, repr=False, compare=False, default=0.0)
    _c4: float = _field(init=False, repr=False, compare=False, default=0.0)
    _m0: np.ndarray | None = _field(init=False, repr=False, compare=False, default=None)
    _m0_parts: tuple | None = _field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self):
        p = np.asarray(self.pole, dtype=float)
        if p.shape != (3,) or not np.all(np.isfinite(p)) or np.linalg.norm(p) < 0.5:
            raise ValueError(
                f"pole: got {self.pole!r}; give Earth's spin axis as a unit 3-vector, e.g. t.M[2]"
            )
        p = p / np.linalg.norm(p)
        object.__setattr__(self, "pole", (float(p[0]), float(p[1]), float(p[2])))
        if int(self.degree) != self.degree or not 0 <= self.degree <= 4:
            raise ValueError(f"degree: got {self.degree!r}; use an integer 0..4")
        object.__setattr__(self, "degree", int(self.degree))
        if not (self.mu > 0 and self.radius > 0):
            raise ValueError("mu, radius: must be positive (m^3/s^2, m)")
        # Coefficients used on every call, computed once.
        object.__setattr__(self, "_pole_is_z", bool(p[0] == 0.0 and p[1] == 0.0))
        object.__setattr__(self, "_c2", 1.5 * self.j2 * self.radius**2)
        object.__setattr__(self, "_c3", 2.5 * self.j3 * self.radius**3)
        object.__setattr__(self, "_c4", 1.875 * self.j4 * self.radius**4)
        if self.field is not None:
            self._set_rotation()

    def _set_rotation(self) -> None:
        m0 = None if self.itrs0 is None else np.array(self.itrs0, dtype=float)
        if m0 is None or m0.shape != (3, 3) or not np.allclose(m0 @ m0.T, np.eye(3), atol=1e-9):
            raise ValueError(
                "itrs0: a gravity field needs the GCRS -> ITRS rotation at t = 0, a 3 x 3 "
                "orthonormal matrix; pass frames.gcrs_to_itrs(epoch)"
            )
        object.__setattr__(self, "itrs0", tuple(tuple(float(v) for v in row) for row in m0))
        m0.setflags(write=False)
        object.__setattr__(self, "_m0", m0)
        # R3(w t) m0 = cos(w t) P + sin(w t) Q + Z, with the rows of m0:
        # P = (m0_0, m0_1, 0), Q = (m0_1, -m0_0, 0), Z = (0, 0, m0_2)
        zero = np.zeros(3)
        parts = (
            np.stack((m0[0], m0[1], zero)),
            np.stack((m0[1], -m0[0], zero)),
            np.stack((zero, zero, m0[2])),
        )
        object.__setattr__(self, "_m0_parts", parts)

    def itrs_rotation(self, t: float) -> np.ndarray:
        """GCRS -> Earth-fixed rotation (3, 3) at ``t`` s: ``R3(omega_earth t) itrs0``."""
        m0 = self._m0
        if m0 is None:
            raise ValueError("itrs0: this force model has no Earth rotation; give itrs0 and field")
        p, q, z = self._m0_parts  # type: ignore[misc]
        out = p * math.cos(self.omega_earth * t)
        out += q * math.sin(self.omega_earth * t)
        out += z
        return out

    # -- gravity ---------------------------------------------------------------------------------
    def _z(self, r):
        """Component of r along the pole, (N,)."""
        if self._pole_is_z:
            return r[2] if self.pole[2] > 0 else -r[2]
        p = self.pole
        return p[0] * r[0] + p[1] * r[1] + p[2] * r[2]

    def gravity(self, r, out=None, t: float = 0.0):
        """Gravitational acceleration (point mass + zonals up to ``degree``, or + ``field``), m/s^2.

        ``r``: (3, N) or (3,) position in m; ``t``: time, s since the epoch of ``itrs0`` (used by a
        ``field`` only). Returns the same shape (written into ``out`` if given, a float array of
        that shape not overlapping ``r``).
        """
        r = np.asarray(r, dtype=float)
        if r.ndim == 1:
            return self.gravity(r[:, None], t=t)[:, 0]
        if self.field is not None and self.degree >= 2:
            return self._field_gravity(r, t, out)
        x, y, z = r[0], r[1], r[2]
        # In-place arithmetic throughout: this is the integrators' inner loop.
        ir2 = x * x
        ir2 += y * y
        ir2 += z * z
        np.divide(1.0, ir2, out=ir2)  # 1/r^2
        ir = np.sqrt(ir2)
        mmu_r3 = ir * ir2
        mmu_r3 *= -self.mu  # -mu/r^3
        if self.degree < 2:
            return np.multiply(r, mmu_r3, out=out)
        zp = self._z(r)
        u2 = zp * zp
        u2 *= ir2  # sin^2 of geocentric latitude
        # a = -mu/r^3 (A r + B pole), with A and B from Vallado eq. 8-30 rewritten about `pole`
        # (c2 = 3/2 J2 R^2, c3 = 5/2 J3 R^3, c4 = 15/8 J4 R^4):
        # J2: A = c2/r^2 (1 - 5u^2),               B = c2/r^2 * 2 z
        # J3: A = c3/r^3 u (3 - 7u^2),             B = c3/r^3 * r (3u^2 - 3/5)
        # J4: A = -c4/r^4 (1 - 14u^2 + 21u^4),     B = -c4/r^4 * z (4 - 28/3 u^2)
        k2 = ir2 * self._c2
        big_a = u2 * -5.0
        big_a += 1.0
        big_a *= k2
        big_a += 1.0
        big_b = k2
        big_b *= 2.0
        big_b *= zp
        if self.degree >= 3:
            k3 = ir2 * ir
            k3 *= self._c3
            t = u2 * -7.0
            t += 3.0
            t *= zp
            t *= ir
            t *= k3
            big_a += t
            t = u2 * 3.0
            t -= 0.6
            t *= k3
            t /= ir
            big_b += t
        if self.degree >= 4:
            k4 = ir2 * ir2
            k4 *= self._c4
            t = u2 * 21.0
            t -= 14.0
            t *= u2
            t += 1.0
            t *= k4
            big_a -= t
            t = u2 * (-28.0 / 3.0)
            t += 4.0
            t *= zp
            t *= k4
            big_b -= t
        big_a *= mmu_r3
        big_b *= mmu_r3
        out = np.multiply(r, big_a, out=out)
        if self._pole_is_z:
            if self.pole[2] > 0:
                out[2] += big_b
            else:
                out[2] -= big_b
        else:
            p = self.pole
            out[0] += p[0] * big_b
            out[1] += p[1] * big_b
            out[2] += p[2] * big_b
        return out

    def _field_gravity(self, r, t, out):
        """Point mass in GCRS plus the field's harmonics in the Earth-fixed frame at ``t``."""
        m = self.itrs_rotation(t)
        a = m.T @ self.field.acceleration(m @ r)  # type: ignore[union-attr]
        ir2 = np.einsum("ij,ij->j", r, r)
        np.divide(1.0, ir2, out=ir2)
        mmu_r3 = np.sqrt(ir2)
        mmu_r3 *= ir2
        mmu_r3 *= -self.mu
        out = np.multiply(r, mmu_r3, out=out)
        out += a
        return out

    def potential(self, r, t: float = 0.0):
        """Gravitational potential U (positive convention, a = grad U), J/kg = m^2/s^2.

        ``U = mu/r (1 - sum_{n=2}^{degree} J_n (R/r)^n P_n(sin phi))``, or mu/r plus the
        ``field``'s harmonics at time ``t`` (s); ``r`` (3, N) or (3,), m. Used for energy checks:
        E = |v|^2/2 - U is conserved without drag (with a field, in the Earth-fixed frame only).
        """
        r = np.asarray(r, dtype=float)
        rn = np.sqrt(np.sum(r * r, axis=0))
        if self.field is not None and self.degree >= 2:
            m = self.itrs_rotation(t)
            rf = m @ (r if r.ndim == 2 else r[:, None])
            u_h = self.field.potential(rf)
            return self.mu / rn + (u_h if r.ndim == 2 else u_h[0])
        u = self._z(r) / rn
        q = self.radius / rn
        s = np.ones_like(rn)
        if self.degree >= 2:
            s = s - self.j2 * q**2 * 0.5 * (3 * u**2 - 1)
        if self.degree >= 3:
            s = s - self.j3 * q**3 * 0.5 * (5 * u**3 - 3 * u)
        if self.degree >= 4:
            s = s - self.j4 * q**4 * (35 * u**4 - 30 * u**2 + 3) / 8
        return self.mu / rn * s

    # -- atmosphere ------------------------------------------------------------------------------
    def altitude(self, r):
        """Approximate height above the WGS-84 ellipsoid, m, for (3, N) or (3,) ``r`` in m.

        ``|r| - R_ell(phi')`` with R_ell the ellipsoid radius at geocentric latitude phi' measured
        from ``pole``; within ~50 m of the geodetic height in LEO.
        """
        r = np.asarray(r, dtype=float)
        r2 = np.sum(r * r, axis=0)
        zp = self._z(r)
        return np.sqrt(r2) - self._ellipsoid_radius(zp * zp / r2)

    def _ellipsoid_radius(self, u2):
        # Ellipse radius at geocentric latitude phi': R sqrt((1 - e^2) / (1 - e^2 cos^2 phi')).
        return self.radius * np.sqrt((1.0 - _E2) / (1.0 - _E2 + _E2 * u2))

    def drag_acceleration(self, r, v, inv_ballistic):
        """Drag acceleration, m/s^2, (3, N); ``inv_ballistic`` = Cd A/m, m^2/kg, scalar or (N,)."""
        x, y, z = r[0], r[1], r[2]
        w = self.omega_earth
        p0, p1, p2 = self.pole
        # v_rel = v - w * (pole x r)
        if self._pole_is_z:
            s = w if p2 > 0 else -w
            vrx = v[0] + s * y
            vry = v[1] - s * x
            vrz = v[2]
        else:
            vrx = v[0] - w * (p1 * z - p2 * y)
            vry = v[1] - w * (p2 * x - p0 * z)
            vrz = v[2] - w * (p0 * y - p1 * x)
        r2 = x * x + y * y + z * z
        zp = self._z(r)
        h = np.sqrt(r2) - self._ellipsoid_radius(zp * zp / r2)
        k = (-0.5 * density(h)) * inv_ballistic * np.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        return np.stack((k * vrx, k * vry, k * vrz))

    def acceleration(self, t, r, v, inv_ballistic=0.0):
        """Total acceleration, m/s^2.

        Parameters
        ----------
        t : float
            Time, s since the epoch of ``itrs0`` (used by a ``field`` only: the zonal model is
            time independent).
        r, v : ndarray (3, N) or (3,)
            Position (m) and velocity (m/s) in GCRS.
        inv_ballistic : float or ndarray (N,)
            Cd * A / m, m^2/kg (0 turns drag off for that state).

        Returns ``(3, N)`` (or (3,)) acceleration.
        """
        r = np.asarray(r, dtype=float)
        a = self.gravity(r, t=t)
        if self.drag and np.any(inv_ballistic):
            v = np.asarray(v, dtype=float)
            a += self.drag_acceleration(r, v, inv_ballistic)
        return a


TWO_BODY = ForceModel(degree=0, drag=False)
"""Point-mass Earth, no drag."""
