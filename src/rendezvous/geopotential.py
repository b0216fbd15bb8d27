"""The Earth's gravity field in spherical harmonics, in the Earth-fixed frame: EGM2008 to degree
and order 8, shipped with the package (``data/egm2008_8x8.txt``).

The potential of the field (Montenbruck & Gill 2000, *Satellite Orbits*, eq. 3.15) is

    U = GM/r sum_{n=0}^{N} sum_{m=0}^{n} (R/r)^n P_nm(sin phi) (C_nm cos(m lam) + S_nm sin(m lam))

with geocentric latitude phi and longitude lam in the Earth-fixed frame (ITRS). Its gradient is
computed without any trigonometric function by the recursion of Montenbruck & Gill (2000), sec.
3.2.4-3.2.5, eqs. 3.29-3.33: the functions

    V_nm + i W_nm = (R/r)^(n+1) P_nm(sin phi) e^(i m lambda)

follow from V_00 = R/r by

    V_mm + i W_mm = (2m-1) (x + i y) R/r^2 (V_{m-1,m-1} + i W_{m-1,m-1})                 (3.29)
    V_nm = ((2n-1) z R/r^2 V_{n-1,m} - (n+m-1) R^2/r^2 V_{n-2,m}) / (n-m)  (same for W)  (3.30)

and the acceleration is a linear combination of V_{n+1,m-1}, V_{n+1,m}, V_{n+1,m+1} (and W) with
the coefficients (eq. 3.33). The recursion is written here with complex numbers
Q_nm = V_nm + i W_nm and vectorised over the orders m of each degree and over N positions (3, N);
the sums of eq. 3.33 are one complex matrix product with a table computed once per field.

The coefficients are published fully normalised (C_nm, S_nm above are then the normalised ones
times sqrt((2 - delta_m0)(2n + 1)(n - m)!/(n + m)!), M&G eq. 3.14): the recursion above uses the
un-normalised Legendre functions, which to degree 9 (the field's degree plus one) involve factorials
up to 18! ~ 6e15, far inside double precision; the normalised recursion is only needed from degree
~ 50 on, where un-normalised values overflow.

The model: EGM2008 (Pavlis, Holmes, Kenyon & Factor 2012, "The development and evaluation of the
Earth Gravitational Model 2008 (EGM2008)", J. Geophys. Res. 117, B04406, doi:10.1029/2011JB008916),
tide-free coefficients of the NGA file EGM2008_to2190_TideFree, truncated to degree and order 8,
with its own GM = 3.986004415e14 m^3/s^2 and reference radius a = 6378136.3 m. Left out: the
secular rates of C20, C30, C40 (Delta C20 ~ 1e-11/yr: 1e-8 relative in J2 over the two decades
since 2008), solid and ocean tides (C20 varies by ~1e-9 normalised, 2e-6 of J2), the pole tide,
and degrees above 8 (issue 9's audit: a 20 x 20 field moves the ISS by 250 m after 3 h and
6.5 km after 24 h from the same state; this 8 x 8 one by 89 m and 5.0 km, ``forces``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

__all__ = ["GravityField", "load_gravity_field", "FIELD_FILES"]

_BLOCK = 256
"""Positions per block in ``GravityField.acceleration`` (Q of 256 positions is 400 kB; larger
batches spend their time in page faults on the temporaries)."""

FIELD_FILES: dict[str, str] = {"egm2008": "egm2008_8x8.txt"}
"""Name of a shipped field -> its coefficient file in ``rendezvous/data`` (PROVENANCE.md)."""


def _unnormalisation(n: int, m: int) -> float:
    """sqrt((2 - delta_m0)(2n + 1)(n - m)!/(n + m)!): normalised -> un-normalised (M&G eq. 3.14)."""
    k = 1.0 if m == 0 else 2.0
    return math.sqrt(k * (2 * n + 1) * math.factorial(n - m) / math.factorial(n + m))


@dataclass(frozen=True, eq=False)
class GravityField:
    """A spherical-harmonic gravity field to degree ``degree`` and order ``order``.

    name: e.g. "egm2008"; gm: the field's GM, m^3/s^2; radius: its reference radius, m;
    c, s: fully normalised C_nm, S_nm, read-only (degree+1, degree+1) arrays (zero above order
    ``order``; C_00 = 1, degree 1 zero). Tables for :meth:`acceleration` are built on creation.
    """

    name: str
    gm: float
    radius: float
    degree: int
    order: int
    c: np.ndarray
    s: np.ndarray
    _k: np.ndarray = field(init=False, repr=False)
    _rec: tuple = field(init=False, repr=False)
    _acc: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        deg, order = int(self.degree), int(self.order)
        if not (2 <= deg <= 8 and 0 <= order <= deg):
            raise ValueError(
                f"degree, order: got {deg}, {order}; use 2 <= degree <= 8, order <= degree"
            )
        c = np.array(self.c, dtype=float)
        s = np.array(self.s, dtype=float)
        if c.shape != (deg + 1, deg + 1) or s.shape != c.shape:
            raise ValueError(f"c, s: got shapes {c.shape}, {s.shape}; use ({deg + 1}, {deg + 1})")
        c[:, order + 1 :] = 0.0
        s[:, order + 1 :] = 0.0
        for a in (c, s):
            a.setflags(write=False)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "s", s)
        # K_nm = C_nm - i S_nm, un-normalised, for n >= 2 (the harmonic part; GM/r is the caller's)
        k = np.zeros((deg + 1, deg + 1), dtype=complex)
        for n in range(2, deg + 1):
            for m in range(0, min(n, order) + 1):
                k[n, m] = _unnormalisation(n, m) * (c[n, m] - 1j * s[n, m])
        k.setflags(write=False)
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_rec", _recursion_factors(deg + 1))
        t = _acceleration_table(k, deg + 1) * (self.gm / self.radius**2)
        # a_x + i a_y = T0 Q + T1 conj(Q), a_z = Re(T2 Q), written on Re(Q) = V and Im(Q) = W:
        m_re = np.stack(((t[0] + t[1]).real, (t[0] + t[1]).imag, t[2].real))
        m_im = np.stack(((t[1] - t[0]).imag, (t[0] - t[1]).real, -t[2].imag))
        for a in (m_re, m_im):
            a.setflags(write=False)
        object.__setattr__(self, "_acc", (m_re, m_im))

    # -- the recursion -----------------------------------------------------------------------------
    def _q(self, rf: np.ndarray, lmax: int) -> np.ndarray:
        """Q_nm = V_nm + i W_nm for n <= lmax, (lmax+1, lmax+1, N) complex, zero above m = n."""
        x, y, z = rf[0], rf[1], rf[2]
        r2 = x * x + y * y + z * z
        rho = self.radius / r2  # R/r^2
        xy0 = (x + 1j * y) * rho
        z0 = z * rho
        rho2 = self.radius * rho  # R^2/r^2
        a_fac, b_fac, sect = self._rec
        nst = x.shape[0]
        az = a_fac[: lmax + 1, : lmax + 1, None] * z0  # (2n-1)/(n-m) z R/r^2, (L+1, L+1, N)
        br = b_fac[: lmax + 1, : lmax + 1, None] * rho2  # (n+m-1)/(n-m) R^2/r^2
        q = np.zeros((lmax + 1, lmax + 1, nst), dtype=complex)
        # (3.29) at once: Q_mm = R/r prod_{k<=m} (2k-1)(x + i y) R/r^2, a cumulative product
        diag = np.empty((lmax + 1, nst), dtype=complex)
        diag[0] = np.sqrt(rho2)  # R/r
        np.multiply(sect[1 : lmax + 1, None], xy0, out=diag[1:])
        np.cumprod(diag, axis=0, out=diag)
        q[np.arange(lmax + 1), np.arange(lmax + 1)] = diag
        np.multiply(z0, diag[0], out=q[1, 0])
        tmp = np.empty((lmax, nst), dtype=complex)
        for n in range(2, lmax + 1):
            # (3.30) for m < n, vectorised over m (q[n-2, n-1] is zero)
            np.multiply(az[n, :n], q[n - 1, :n], out=q[n, :n])
            np.multiply(br[n, :n], q[n - 2, :n], out=tmp[:n])
            q[n, :n] -= tmp[:n]
        return q

    def acceleration(self, rf: np.ndarray) -> np.ndarray:
        """Acceleration of the harmonics of degree 2..``degree`` (not GM/r^2), m/s^2, (3, N), at
        Earth-fixed positions ``rf`` (3, N) in m (Montenbruck & Gill 2000, eq. 3.33)."""
        lmax = self.degree + 1
        n = rf.shape[1]
        if n > _BLOCK:  # column blocks keep the (L+1)^2 x N temporaries small (cache, no mmap)
            return np.concatenate(
                [self.acceleration(rf[:, i : i + _BLOCK]) for i in range(0, n, _BLOCK)], axis=1
            )
        q = self._q(rf, lmax).reshape((lmax + 1) ** 2, -1)
        # one real product: [a_x, a_y, a_z] = M_re Re(Q) + M_im Im(Q) (table from __post_init__)
        m_re, m_im = self._acc
        out = m_re @ q.real
        out += m_im @ q.imag
        return out

    def potential(self, rf: np.ndarray) -> np.ndarray:
        """Potential of the harmonics of degree 2..``degree`` (not GM/r), J/kg, (N,), at
        Earth-fixed positions ``rf`` (3, N) in m: GM/R sum Re(K_nm Q_nm) (M&G eq. 3.31)."""
        q = self._q(rf, self.degree)
        return self.gm / self.radius * np.einsum("nm,nmk->k", self._k, q).real


def _recursion_factors(lmax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(2n-1)/(n-m) and (n+m-1)/(n-m) of eq. 3.30 as (lmax+1, lmax+1) tables (m < n), and
    2n-1 of eq. 3.29, (lmax+1,)."""
    a = np.zeros((lmax + 1, lmax + 1))
    b = np.zeros((lmax + 1, lmax + 1))
    sect = 2.0 * np.arange(lmax + 1) - 1.0
    for n in range(2, lmax + 1):
        for m in range(n):
            a[n, m] = (2 * n - 1) / (n - m)
            b[n, m] = (n + m - 1) / (n - m)
    return a, b, sect


def _acceleration_table(k: np.ndarray, lmax: int) -> np.ndarray:
    """(3, (lmax+1)^2) complex table T with a_x + i a_y = T0 Q + T1 conj(Q), a_z = Re(T2 Q) in
    units of GM/R^2, Q flattened from (lmax+1, lmax+1): eq. 3.33 of Montenbruck & Gill (2000)
    with K = C - i S,

        a_x + i a_y = sum -alpha_m K_nm Q_{n+1,m+1} + (n-m+2)(n-m+1)/2 conj(K_nm Q_{n+1,m-1}) [m>0]
        a_z         = sum -(n-m+1) Re(K_nm Q_{n+1,m}),       alpha_0 = 1, alpha_m = 1/2 (m > 0).
    """
    w = lmax + 1
    t = np.zeros((3, w * w), dtype=complex)
    for n in range(2, lmax):
        for m in range(n + 1):
            if k[n, m] == 0:
                continue
            t[0, (n + 1) * w + m + 1] += -(1.0 if m == 0 else 0.5) * k[n, m]
            if m > 0:
                t[1, (n + 1) * w + m - 1] += 0.5 * (n - m + 2) * (n - m + 1) * np.conj(k[n, m])
            t[2, (n + 1) * w + m] += -(n - m + 1) * k[n, m]
    t.setflags(write=False)
    return t


@lru_cache(maxsize=8)
def load_gravity_field(
    name: str = "egm2008", degree: int = 8, order: int | None = None
) -> GravityField:
    """The shipped field ``name`` (``FIELD_FILES``) truncated to ``degree`` and ``order`` (default:
    ``order = degree``). The coefficient file's header gives GM and the reference radius."""
    from importlib import resources

    if name not in FIELD_FILES:
        raise ValueError(
            f"name: unknown gravity field {name!r}; use one of {', '.join(FIELD_FILES)}"
        )
    order = degree if order is None else order
    text = (resources.files("rendezvous") / "data" / FIELD_FILES[name]).read_text(encoding="utf-8")
    head = {}
    rows = []
    for line in text.splitlines():
        parts = line.lstrip("# ").split()
        if (
            line.startswith("#")
            and len(parts) >= 2
            and parts[0] in ("earth_gravity_constant", "radius")
        ):
            head[parts[0]] = float(parts[1])
        elif line.strip() and not line.startswith("#"):
            rows.append(line.split())
    nmax = max(int(r[0]) for r in rows)
    if not 2 <= degree <= nmax:
        raise ValueError(f"degree: got {degree}; the {name} file goes to degree {nmax}")
    c = np.zeros((degree + 1, degree + 1))
    s = np.zeros((degree + 1, degree + 1))
    c[0, 0] = 1.0
    for row in rows:
        n, m = int(row[0]), int(row[1])
        if n <= degree and m <= order:
            c[n, m], s[n, m] = float(row[2]), float(row[3])
    return GravityField(name, head["earth_gravity_constant"], head["radius"], degree, order, c, s)
