"""Closed-form two-body propagation: ``kepler`` (universal variable) and the Stumpff functions."""

from __future__ import annotations

import numpy as np

from ..constants import MU_EARTH
from .batch import _as_state

__all__ = ["kepler"]


def _stumpff(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stumpff functions C(z), S(z) (Curtis, Orbital Mechanics for Engineering Students, 3.52).

    >>> c, s = _stumpff(np.array([0.0]))
    >>> float(c[0]), round(float(s[0]), 12)
    (0.5, 0.166666666667)
    """
    c = np.empty_like(z)
    s = np.empty_like(z)
    pos = z > 1e-6
    neg = z < -1e-6
    mid = ~(pos | neg)
    sp = np.sqrt(z[pos])
    c[pos] = (1 - np.cos(sp)) / z[pos]
    s[pos] = (sp - np.sin(sp)) / sp**3
    sn = np.sqrt(-z[neg])
    c[neg] = (np.cosh(sn) - 1) / (-z[neg])
    s[neg] = (np.sinh(sn) - sn) / sn**3
    zm = z[mid]
    c[mid] = 0.5 - zm / 24 + zm * zm / 720
    s[mid] = 1.0 / 6 - zm / 120 + zm * zm / 5040
    return c, s


def kepler(state0: object, dt: object, mu: float = MU_EARTH) -> np.ndarray:
    """Two-body propagation in closed form (universal variable; Curtis 2014, Algorithms 3.3-3.4).

    ``state0`` (6,) or (6, N) in m, m/s; ``dt`` scalar s (or (N,)); returns the same shape as
    state0. Newton iteration on the universal Kepler equation to 1e-13 relative; valid for all
    conic types. States that fail to converge come back as NaN.

    Examples
    --------
    A circular orbit comes back to its start after one period:

    >>> import numpy as np
    >>> from rendezvous.constants import MU_EARTH
    >>> r = 6.778e6
    >>> y0 = np.array([r, 0.0, 0.0, 0.0, np.sqrt(MU_EARTH / r), 0.0])
    >>> y1 = kepler(y0, 2 * np.pi * np.sqrt(r**3 / MU_EARTH))
    >>> bool(np.linalg.norm(y1[:3] - y0[:3]) < 1e-3)
    True
    """
    y, scalar = _as_state(state0)
    r0v = y[:3]
    v0v = y[3:]
    n = y.shape[1]
    dt = np.broadcast_to(np.asarray(dt, dtype=float), (n,)).copy()
    r0 = np.sqrt(np.sum(r0v * r0v, axis=0))
    v0 = np.sqrt(np.sum(v0v * v0v, axis=0))
    vr0 = np.sum(r0v * v0v, axis=0) / r0
    alpha = 2.0 / r0 - v0 * v0 / mu
    smu = np.sqrt(mu)
    chi = smu * np.abs(alpha) * dt  # initial guess (elliptic)
    chi = np.where(alpha > 1e-12, chi, smu * dt / r0)
    ok = np.zeros(n, dtype=bool)
    for _ in range(100):
        z = alpha * chi * chi
        c, s = _stumpff(z)
        f = r0 * vr0 / smu * chi * chi * c + (1 - alpha * r0) * chi**3 * s + r0 * chi - smu * dt
        fp = r0 * vr0 / smu * chi * (1 - z * s) + (1 - alpha * r0) * chi * chi * c + r0
        step = f / fp
        chi = chi - step
        ok = np.abs(step) <= 1e-13 * np.maximum(np.abs(chi), 1.0)
        if np.all(ok):
            break
    z = alpha * chi * chi
    c, s = _stumpff(z)
    fl = 1 - chi * chi / r0 * c
    gl = dt - chi**3 / smu * s
    r = fl * r0v + gl * v0v
    rn = np.sqrt(np.sum(r * r, axis=0))
    fd = smu / (rn * r0) * (alpha * chi**3 * s - chi)
    gd = 1 - chi * chi / rn * c
    v = fd * r0v + gd * v0v
    out = np.concatenate((r, v))
    out[:, ~ok] = np.nan
    return out[:, 0] if scalar else out
