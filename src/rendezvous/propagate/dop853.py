"""Adaptive DOP853 for a batch, written for second-order systems r'' = a(t, r, r').

Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, *Solving Ordinary Differential Equations I*,
2nd ed., sec. II.5 and II.10; tableau in ``dop853_tableau``), one step size shared by the batch
and chosen from the worst state's error estimate; 7th-order dense output (3 extra stages per step).

With stages K_j = (v_j, a_j) and v_j = v0 + h sum_k A_jk a_k, the position increments are
h c_s v0 + h^2 sum_k (A A)_sk a_k (row sums of A equal c), so each stage needs one combination of
the acceleration stages only (half the data of the first-order form; algebraically identical to
DOP853, with the same error estimate and dense output). The error-estimator and dense-output
weights sum to zero, so their v0 terms vanish.
"""

from __future__ import annotations

import numpy as np

from . import dop853_tableau as _tab
from .batch import _combine, _Rhs

_NS = _tab.N_STAGES  # 12
_A = _tab.A
_C = _tab.C
_A2 = _A @ _A
_E5R = _tab.E5 @ _A[:13, :13]
_E3R = _tab.E3 @ _A[:13, :13]
_ERR_COEF = np.ascontiguousarray(np.stack((_E5R, _tab.E5, _E3R, _tab.E3)))  # on 13 stages
_DR = _tab.D @ _A
_DENSE_COEF = np.ascontiguousarray(np.concatenate((_DR, _tab.D)))  # (8, 16)


def _unit_rows() -> list[np.ndarray]:
    """Per stage s: [r_s; v_s] = U_s * scale(h) @ [r0; v0; a_0; ...; a_{s-1}] with
    U_s = [[1, c_s, AA_s], [0, 1, A_s]] and scale = [[1, h, h^2 ...], [1, 1, h ...]]: one matrix
    product per stage. Entry 0 is unused."""
    out = [np.zeros((2, 2))]
    for s in range(1, 16):
        u = np.zeros((2, 2 + s))
        u[0, 0] = 1.0
        u[0, 1] = _C[s]
        u[1, 1] = 1.0
        u[0, 2:] = _A2[s, :s]
        u[1, 2:] = _A[s, :s]
        out.append(u)
    return out


_UNIT = _unit_rows()


class _RKWork:
    """Work arrays of a DOP853 step: X = [r0, v0, a_0 .. a_15] (18, 3N) and a (2, 3N) buffer."""

    __slots__ = ("n", "X", "buf", "r0", "v0", "ka", "kf", "scale")

    def __init__(self, n: int) -> None:
        self.n = n
        self.X = np.empty((18, 3 * n))
        self.buf = np.empty((2, 3 * n))
        self.r0 = self.X[0].reshape(3, n)
        self.v0 = self.X[1].reshape(3, n)
        self.ka = self.X[2:].reshape(16, 3, n)
        self.kf = self.X[2:]
        self.scale = np.empty((2, 18))

    def set_h(self, h: float) -> None:
        sc = self.scale
        sc[0, 0] = 1.0
        sc[0, 1] = h
        sc[0, 2:] = h * h
        sc[1, :2] = 1.0
        sc[1, 2:] = h

    def accept(self, y1: np.ndarray) -> None:
        """Make y1 (2, 3N) = (r1, v1) the new start; a(t1) moves from stage 12 to stage 0."""
        self.X[:2] = y1
        self.X[2] = self.X[2 + _NS]


def _dop853_stages(rhs: _Rhs, t: float, w: _RKWork, h: float, s_from: int, s_to: int) -> None:
    n = w.n
    X = w.X
    buf = w.buf
    sc = w.scale
    rs = buf[0].reshape(3, n)
    vs = buf[1].reshape(3, n)
    for s in range(s_from, s_to):
        _combine(_UNIT[s] * sc[:, : 2 + s], X[: 2 + s], buf, rhs.exact)
        rhs.acc(t + _C[s] * h, rs, vs, w.ka[s])


def _dop853_step(rhs: _Rhs, t: float, w: _RKWork, h: float) -> np.ndarray:
    """One DOP853 step of size h from w.r0, w.v0 with w.ka[0] = a(t, r0, v0) set.

    Fills w.ka[1..12] (w.ka[12] = a at the new state) and returns a copy of (r1, v1) as (2, 3N).
    """
    w.set_h(h)
    _dop853_stages(rhs, t, w, h, 1, _NS + 1)  # stage 12 (c = 1, weights B) is the new state
    return w.buf.copy()


def _dop853_dense(rhs: _Rhs, t: float, w: _RKWork, y1: np.ndarray, h: float) -> np.ndarray:
    """Extra stages and the interpolation coefficients F (7, 6, N) of the step just taken."""
    n = w.n
    _dop853_stages(rhs, t, w, h, _NS + 1, 16)
    ka = w.ka
    r0, v0 = w.r0, w.v0
    r1 = y1[0].reshape(3, n)
    v1 = y1[1].reshape(3, n)
    F = np.empty((7, 6, n))
    dr = r1 - r0
    dv = v1 - v0
    F[0, :3] = dr
    F[0, 3:] = dv
    F[1, :3] = h * v0 - dr
    F[1, 3:] = h * ka[0] - dv
    F[2, :3] = 2.0 * dr - h * (v1 + v0)
    F[2, 3:] = 2.0 * dv - h * (ka[_NS] + ka[0])
    g = _combine(_DENSE_COEF, w.kf, np.empty((8, 3 * n)), rhs.exact).reshape(8, 3, n)
    F[3:, :3] = (h * h) * g[:4]
    F[3:, 3:] = h * g[4:]
    return F


def _dense_eval(F: np.ndarray, y0: np.ndarray, x: np.ndarray) -> np.ndarray:
    """DOP853 dense output (Hairer's contd8 in SciPy's nested form) at fraction(s) x."""
    out = np.zeros(np.broadcast_shapes(F.shape[1:], np.shape(x)))
    for i in range(6, -1, -1):
        out += F[i]
        out *= x if i % 2 == 0 else (1.0 - x)
    out += y0
    return out


def _error_norm(
    w: _RKWork, y1: np.ndarray, h: float, rtol: float, atol: float, bad: np.ndarray
) -> float:
    """Worst state's error norm of the step just taken (Hairer's DOP853 norm over the 6
    components of each state); states in ``bad`` (updated with non-finite ones) are left out."""
    n = w.n
    r, v = w.r0, w.v0
    r1 = y1[0].reshape(3, n)
    v1 = y1[1].reshape(3, n)
    g = np.dot(_ERR_COEF, w.kf[:13]).reshape(4, 3, n)
    sr = atol + rtol * np.maximum(np.abs(r), np.abs(r1))
    sv = atol + rtol * np.maximum(np.abs(v), np.abs(v1))
    e5 = np.sum((h * h * g[0] / sr) ** 2 + (h * g[1] / sv) ** 2, axis=0)
    e3 = np.sum((h * h * g[2] / sr) ** 2 + (h * g[3] / sv) ** 2, axis=0)
    denom = e5 + 0.01 * e3
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.where(denom > 0, e5 / np.sqrt(denom * 6.0), 0.0)
    bad |= ~np.isfinite(err)
    return float(np.max(np.where(bad, 0.0, err))) if n else 0.0


def _first_step(r: np.ndarray, v: np.ndarray, span: float, max_step: float) -> float:
    rn = np.sqrt(np.sum(r * r, axis=0))
    vn = np.sqrt(np.sum(v * v, axis=0)) + 1e-3
    with np.errstate(invalid="ignore"):
        h_abs = min(span, max_step, 0.02 * float(np.nanmin(rn / vn)), 60.0)
    if not np.isfinite(h_abs):
        h_abs = min(span, 60.0)
    return max(h_abs, 1e-6)


def _dop853_segment(
    rhs: _Rhs,
    y: np.ndarray,
    ta: float,
    tb: float,
    rtol: float,
    atol: float,
    dense: bool,
    max_step: float = np.inf,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Adaptive DOP853 from ta to tb with a step shared by the batch.

    The step is accepted when the worst state's error norm (Hairer's DOP853 norm, per state over
    its 6 components) is <= 1; states that turned non-finite are left out of the norm.
    Returns (t_nodes, y_nodes (k+1, 6, N), F (k, 7, 6, N) or None, bad (N,)).
    """
    n = y.shape[1]
    w = _RKWork(n)
    direction = 1.0 if tb > ta else -1.0
    t = ta
    w.r0[...] = y[:3]
    w.v0[...] = y[3:]
    r, v = w.r0, w.v0
    rhs.acc(t, r, v, w.ka[0])
    h_abs = _first_step(r, v, abs(tb - ta), max_step)
    t_nodes = [t]
    y_nodes = [y.copy()]
    Fs = []
    bad = ~np.all(np.isfinite(y), axis=0)
    while direction * (tb - t) > 0:
        h_abs = min(h_abs, max_step)
        last = h_abs >= abs(tb - t) * (1 - 1e-12)
        if last:
            h_abs = abs(tb - t)
        h = direction * h_abs
        y1 = _dop853_step(rhs, t, w, h)
        err = _error_norm(w, y1, h, rtol, atol, bad)
        if err <= 1.0:
            fac = 10.0 if err == 0 else min(10.0, 0.9 * err ** (-1.0 / 8.0))
            if dense:
                Fs.append(_dop853_dense(rhs, t, w, y1, h))
            t = tb if last else t + h
            w.accept(y1)
            t_nodes.append(t)
            y_nodes.append(np.concatenate((r, v)))
            h_abs *= fac
        else:
            h_abs *= max(0.2, 0.9 * err ** (-1.0 / 8.0))
            if h_abs < 1e-9 * max(1.0, abs(t)):
                # Step size underflow: the whole batch fails (NaN, status 1).
                t_nodes.append(tb)
                y_nodes.append(np.full((6, n), np.nan))
                if dense:
                    Fs.append(np.zeros((7, 6, n)))
                bad[:] = True
                break
    F = np.stack(Fs) if dense else None
    return np.array(t_nodes), np.stack(y_nodes), F, bad
