"""Shared pieces of the batch integrators: input checks, the right-hand side, combinations.

A batch is a ``(6, N)`` array of GCRS states (m, m/s); every integrator step evaluates the force
model once over the whole batch (``_Rhs.acc``), so there is no Python loop over states.
"""

from __future__ import annotations

import numpy as np

from ..forces import ForceModel

_CHUNK = 12288
"""Column block of the force evaluation for large batches (see ``_Rhs.acc``)."""


def _as_state(state0: object) -> tuple[np.ndarray, bool]:
    """(6, N) contiguous float copy of ``state0`` and whether it was a single (6,) state."""
    y = np.array(state0, dtype=float)
    if y.ndim == 1:
        if y.shape != (6,):
            raise ValueError(f"state0: got shape {y.shape}; use (6,) or (6, N) in m and m/s")
        return y[:, None].copy(), True
    if y.ndim != 2 or y.shape[0] != 6 or y.shape[1] == 0:
        raise ValueError(f"state0: got shape {y.shape}; use (6,) or (6, N) in m and m/s")
    return np.ascontiguousarray(y), False


def _as_inv_ballistic(ib: object, n: int) -> float | np.ndarray:
    """Cd*A/m as a float or an (n,) array, checked."""
    b = np.asarray(ib, dtype=float)
    if b.ndim == 0:
        if not np.isfinite(b):
            raise ValueError("inv_ballistic: must be finite (Cd*A/m in m^2/kg)")
        return float(b)
    if b.shape != (n,):
        raise ValueError(f"inv_ballistic: got shape {b.shape}; use a scalar or ({n},) in m^2/kg")
    if not np.all(np.isfinite(b)):
        raise ValueError("inv_ballistic: must be finite (Cd*A/m in m^2/kg)")
    return b.copy()


class _J2Gravity:
    """Point mass + J2 about the pole (the ``ForceModel(degree=2)`` gravity, same equations),
    written for the integrators' inner loop: 17 in-place numpy passes into work arrays kept
    between calls, instead of ~23 passes and fresh temporaries (at N = 2,500-5,000, 25-35 % less
    time per evaluation on the test machine; benchmarks/propagator.py, 2026-11-26).

    a = -mu/r^3 r - (2 mu c2 / r^5) ((1/2 - 5/2 u^2) r + z p),  c2 = 3/2 J2 R^2, z = p . r,
    u = z / r, p the unit pole (Vallado, *Fundamentals of Astrodynamics and Applications*,
    4th ed., eq. 8-30, rewritten about p as in ``ForceModel.gravity``).
    """

    __slots__ = ("mu", "k5", "pole", "pole_z", "_work")

    def __init__(self, force: ForceModel) -> None:
        self.mu = float(force.mu)
        self.k5 = -3.0 * force.mu * force.j2 * force.radius**2  # -2 mu c2
        self.pole = np.array(force.pole, dtype=float)
        self.pole_z = bool(self.pole[0] == 0.0 and self.pole[1] == 0.0 and self.pole[2] > 0.0)
        self._work: dict[int, np.ndarray] = {}

    @classmethod
    def for_model(cls, force: ForceModel) -> _J2Gravity | None:
        """The fast path for a J2-only model, or None. Checked against ``force.gravity`` on a few
        positions (so a model whose gravity is more than point mass + J2 falls back to it)."""
        if getattr(force, "degree", None) != 2:
            return None
        kern = cls(force)
        r = np.array([[6.8e6, -2.1e6, 4.0e6, 1.0e5], [1.0e5, 6.5e6, -3.3e6, -7.0e6],
                      [3.0e6, 1.9e6, 4.6e6, -6.2e5]])  # fmt: skip
        want = force.gravity(r)
        got = kern(r, np.empty((3, 4)))
        if not np.allclose(got, want, rtol=1e-13, atol=0.0):
            return None
        return kern

    def __call__(self, r: np.ndarray, out: np.ndarray) -> np.ndarray:
        n = r.shape[1]
        w = self._work.get(n)
        if w is None:
            w = self._work[n] = np.empty((8, n))
        s = w[:3]
        ir2, q, big_p, u = w[3], w[4], w[5], w[6]
        np.multiply(r, r, out=s)
        np.add(s[0], s[1], out=ir2)
        ir2 += s[2]
        np.divide(1.0, ir2, out=ir2)  # 1/r^2
        np.sqrt(ir2, out=q)
        q *= ir2  # 1/r^3
        np.multiply(q, ir2, out=big_p)
        big_p *= self.k5  # -2 mu c2 / r^5
        if self.pole_z:
            z = r[2]
            np.multiply(s[2], ir2, out=u)  # u^2
        else:
            z = w[7]
            p = self.pole
            np.multiply(r[0], p[0], out=z)
            z += p[1] * r[1]
            z += p[2] * r[2]
            np.multiply(z, z, out=u)
            u *= ir2
        u *= -2.5
        u += 0.5
        u *= big_p
        q *= -self.mu
        u += q  # the factor of r
        np.multiply(r, u, out=out)
        big_p *= z  # the factor of the pole
        if self.pole_z:
            out[2] += big_p
        else:
            for i in range(3):
                out[i] += self.pole[i] * big_p
        return out


class _Rhs:
    """Acceleration of a (6, N) state with fixed force model and ballistic coefficients."""

    __slots__ = ("force", "ib", "nfev", "exact", "_drag", "_j2")

    def __init__(
        self,
        force: ForceModel,
        ib: float | np.ndarray,
        drag: bool | None = None,
        exact: bool = False,
    ) -> None:
        self.force = force
        self.ib = ib
        self.nfev = 0
        # ``exact``: combinations column by column (``_combine``), for batch-independent results
        self.exact = exact
        # ``drag``: force the velocity dependence on or off (column blocks of one batch share it)
        self._drag = (force.drag and bool(np.any(ib))) if drag is None else drag
        self._j2 = None if self._drag else _J2Gravity.for_model(force)

    @property
    def needs_velocity(self) -> bool:
        """Whether the acceleration depends on the velocity (drag is on)."""
        return self._drag

    def acc(
        self, t: float, r: np.ndarray, v: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Acceleration (3, N) at positions r and velocities v (3, N), into ``out`` if given."""
        self.nfev += 1
        if self._j2 is not None:
            return self._j2(r, np.empty(r.shape) if out is None else out)
        n = r.shape[-1]
        if n > _CHUNK:
            # Column blocks keep the force model's temporaries below glibc's mmap threshold
            # (128 kB): larger temporaries are page-faulted afresh on every call, 3-4x slower.
            if out is None:
                out = np.empty(r.shape)
            ib = self.ib
            for i in range(0, n, _CHUNK):
                j = min(n, i + _CHUNK)
                self.force.gravity(r[:, i:j], out[:, i:j], t)
                if self._drag:
                    out[:, i:j] += self.force.drag_acceleration(
                        r[:, i:j], v[:, i:j], ib[i:j] if isinstance(ib, np.ndarray) else ib
                    )
            return out
        a = self.force.gravity(r, out, t)
        if self._drag:
            a += self.force.drag_acceleration(r, v, self.ib)
        return a


def _combine(coef: np.ndarray, X: np.ndarray, out: np.ndarray, exact: bool = False) -> np.ndarray:
    """out = coef @ X for a few rows of coefficients over long rows of X (k, M) -> (rows, M);
    coef (rows, k) or (k,) with out (M,).

    Default: one matrix product for all rows, X is streamed once. (Measured 2026-11-26 on the
    Intel Xeon test machine, M = 15,000, CPU time: 2 rows over 14 rows of X 111 us against 243 us
    for one matrix-vector product per row, 3 rows 133 against 370 us; an earlier AMD machine had
    favoured the per-row products by ~30 %.)

    ``exact``: each column formed on its own, in a fixed order, as
    ``c_0 X_0 + c_1 X_1 + ...`` (products and sums rounded one by one), so that a column's bits
    do not depend on the other columns. A BLAS product does not promise that: OpenBLAS 0.3.31 on
    the test machine rounds the last columns of a product (past the kernel's multiple of 4 or 8,
    and a product of one column) differently from the same numbers inside a wider product, i.e. a
    state's result would depend on the size of its batch and its place in it. Formed by
    ``np.einsum`` (its sum of products over k, one column at a time; ``tests/test_propagate.py``
    checks it gives the bits of the explicit sum), 2-5 times the product's time at M = 6,000 and
    ~8 us at M = 3; an explicit sum for a single column. Used with a given step
    (``_Rhs.exact``), whose results do not depend on the batch otherwise. The same sum as
    ``frames.mat_vec`` (which also takes a matrix per column but allocates its result);
    ``tests/test_frames.py`` checks they agree to the bit.
    """
    if not exact:
        return np.dot(coef, X, out=out)
    if X.shape[-1] < 2:  # einsum takes another path for one column
        c = coef if coef.ndim == 2 else coef[None]
        o = out if out.ndim == 2 else out[None]
        np.multiply(c[:, 0, None], X[0], out=o)
        for k in range(1, c.shape[1]):
            o += c[:, k, None] * X[k]
        return out
    return np.einsum("rk,km->rm" if coef.ndim == 2 else "k,km->m", coef, X, out=out)


def _mean_motion_max(y: np.ndarray, force: ForceModel) -> float:
    """sqrt(mu / r_p^3) for the batch's lowest perigee r_p (current radius for open orbits)."""
    r = y[:3]
    v = y[3:]
    rn = np.sqrt(np.sum(r * r, axis=0))
    v2 = np.sum(v * v, axis=0)
    mu = force.mu
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_a = 2.0 / rn - v2 / mu
        hv = np.cross(r, v, axis=0)
        p = np.sum(hv * hv, axis=0) / mu
        e = np.sqrt(np.maximum(0.0, 1.0 - p * inv_a))
        rp = np.where(inv_a > 0, (1.0 - e) / inv_a, rn)
        rp = np.where(np.isfinite(rp) & (rp > 0), np.minimum(rp, rn), rn)
    r_min = float(np.nanmin(rp)) if np.any(np.isfinite(rp)) else 7e6
    return float(np.sqrt(mu / r_min**3))


def _mean_motion_bound(force: ForceModel) -> float:
    """sqrt(mu / R^3) at the force model's reference radius R: the mean motion at perigee of the
    fastest orbit that clears the Earth's surface, an upper bound for every state worth
    integrating that does not depend on the batch (with a given step, the integration mode is
    chosen from it: ``front._integrate``)."""
    return float(np.sqrt(force.mu / force.radius**3))


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """np.concatenate without the copy when there is one part."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
