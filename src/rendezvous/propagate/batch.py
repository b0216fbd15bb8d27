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


class _Rhs:
    """Acceleration of a (6, N) state with fixed force model and ballistic coefficients."""

    __slots__ = ("force", "ib", "nfev", "_drag")

    def __init__(self, force: ForceModel, ib: float | np.ndarray, drag: bool | None = None) -> None:
        self.force = force
        self.ib = ib
        self.nfev = 0
        # ``drag``: force the velocity dependence on or off (column blocks of one batch share it)
        self._drag = (force.drag and bool(np.any(ib))) if drag is None else drag

    @property
    def needs_velocity(self) -> bool:
        """Whether the acceleration depends on the velocity (drag is on)."""
        return self._drag

    def acc(
        self, t: float, r: np.ndarray, v: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Acceleration (3, N) at positions r and velocities v (3, N), into ``out`` if given."""
        self.nfev += 1
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


def _combine(coef: np.ndarray, X: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = coef @ X for a few rows of coefficients over long rows of X (k, M) -> (rows, M).

    For long rows one matrix-vector product per output row is ~30 % faster than OpenBLAS's
    small-M matrix product on this class of machine; for short rows the single call wins.
    """
    if X.shape[1] >= 6000:
        for i in range(coef.shape[0]):
            np.dot(coef[i], X, out=out[i])
    else:
        np.dot(coef, X, out=out)
    return out


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


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """np.concatenate without the copy when there is one part."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
