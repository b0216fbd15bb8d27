"""Batch orbit propagation: many spacecraft states stepped together, with impulsive burns.

All ``N`` states of a ``(6, N)`` batch share the integrator's time steps, so every force
evaluation is one set of array operations over the batch (no Python loop over states).

Integrators (``method``):

- ``"dop853"``: adaptive Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, *Solving Ordinary
  Differential Equations I*, 2nd ed., sec. II.5 and II.10; tableau from
  ``scipy.integrate._ivp.dop853_coefficients``), one step size shared by the batch and chosen
  from the worst state's error estimate; 7th-order dense output (3 extra stages per step).
- ``"multistep"``: fixed-step Adams-Stormer predictor-corrector for ``r'' = a(t, r, r')``:

      v_{n+1} = v_n + h sum_j b_j a_{n-j}
      r_{n+1} = r_n + h v_n + h^2 sum_j c_j a_{n-j}

  where b_j and c_j integrate the interpolating polynomial through the ``order`` most recent
  accelerations (exactly: ``v(t+h) - v(t) = int a``, ``r(t+h) - r(t) - h v(t) = int (t+h-s) a(s)
  ds``). Explicit predictor on nodes n..n-order+1, implicit corrector on n+1..n-order+2, in
  PECE mode (two force evaluations per step). Coefficients are computed exactly (rationals) at
  import. It is started, and restarted after every impulse, with ``order - 1`` DOP853 steps of
  the same size. Dense output is the quintic Hermite interpolant of position/velocity/
  acceleration at the steps (error ~ (n h)^6 r / 46080 in a circular orbit of mean motion n:
  ~1 mm at h = 120 s in LEO).
- ``"auto"``: the multistep method with a step chosen for ~1 m or better after 3 h in LEO.

Impulses are applied instantaneously: the velocity jumps by ``dv`` and the integration restarts.

Also here: ``kepler``, the closed-form two-body propagation (universal variables), and event /
minimum search on the dense output (``find_crossings``, ``find_minimum``).

Left out: variable-step multistep, stiff solvers, finite-duration burns (the mission models burns
as impulses), propagation of covariance or state transition matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _dop

from .constants import MU_EARTH
from .forces import ForceModel

__all__ = [
    "Impulse",
    "Trajectory",
    "propagate",
    "find_crossings",
    "find_minimum",
    "kepler",
    "DEFAULT_FORCE",
]

DEFAULT_FORCE = ForceModel()

# ------------------------------------------------------------------------------------------------
# DOP853 tableau (Hairer's coefficients as tabulated in SciPy).
_NS = _dop.N_STAGES  # 12
_A = _dop.A
_C = _dop.C
_B = _dop.B
_E3 = _dop.E3
_E5 = _dop.E5
_D = _dop.D
# Rows of A as contiguous vectors over the previous stages (used in np.dot on stacked stages).
_AROWS = [np.ascontiguousarray(_A[s, :s]) for s in range(_dop.N_STAGES_EXTENDED)]


# ------------------------------------------------------------------------------------------------
# Adams-Stormer coefficients, exact.
def _poly_mul(p, q):
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return out


def _lagrange_weights(nodes, weight):
    """For each node: integral over s in [0, 1] of weight(s) * L_j(s), L_j Lagrange basis.

    ``weight`` is a polynomial as coefficients (ascending) in s.
    """
    out = []
    for j, sj in enumerate(nodes):
        poly = [Fraction(1)]
        for k, sk in enumerate(nodes):
            if k != j:
                poly = _poly_mul(poly, [Fraction(-sk, sj - sk), Fraction(1, sj - sk)])
        poly = _poly_mul(poly, weight)
        out.append(sum(c / (i + 1) for i, c in enumerate(poly)))
    return out


def _adams_stormer(order):
    """(pred_v, pred_r, corr_v, corr_r) coefficients: predictor ``order``, corrector ``order + 1``.

    Predictor nodes s = 0, -1, ..., -(order-1) (a_n, a_{n-1}, ...); corrector nodes s = 1, 0, ...,
    -(order-1) (a_{n+1}, a_n, ...); s in units of h from t_n.
    """
    one = [Fraction(1)]
    one_minus_s = [Fraction(1), Fraction(-1)]
    pred = [Fraction(-j) for j in range(order)]
    corr = [Fraction(1 - j) for j in range(order + 1)]
    return tuple(
        np.array([float(c) for c in _lagrange_weights(nodes, w)])
        for nodes, w in ((pred, one), (pred, one_minus_s), (corr, one), (corr, one_minus_s))
    )


_MS_ORDERS = (6, 7, 8, 9, 10, 11, 12)
_MS_COEF = {k: _adams_stormer(k) for k in _MS_ORDERS}
DEFAULT_ORDER = 10
AUTO_STEP_PHASE = 0.16
"""``auto`` step: this many radians of the fastest mean motion at perigee (~150 s at the ISS)."""
MAX_AUTO_STEP = 600.0
"""Upper bound of the ``auto`` step, s."""


def _auto_step(y, force):
    """Step for the multistep method: AUTO_STEP_PHASE / n, n = sqrt(mu / r_p^3) of the batch's
    lowest perigee (or the current radius for open orbits), capped at MAX_AUTO_STEP."""
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
    return min(MAX_AUTO_STEP, AUTO_STEP_PHASE / np.sqrt(mu / r_min**3))


# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Impulse:
    """An impulsive velocity change applied to all N states at time ``t``.

    Attributes
    ----------
    t : float
        Time of the burn, s since the propagation epoch.
    dv : ndarray (3,) or (3, N)
        Velocity change in GCRS, m/s (one for all states, or one per state).
    """

    t: float
    dv: np.ndarray

    def __post_init__(self):
        dv = np.array(self.dv, dtype=float)
        if dv.ndim == 0 or dv.shape[0] != 3 or dv.ndim > 2:
            raise ValueError(f"Impulse.dv: got shape {dv.shape}; use (3,) or (3, N) in m/s")
        if not np.isfinite(self.t):
            raise ValueError("Impulse.t: must be a finite time in s since the epoch")
        dv.setflags(write=False)
        object.__setattr__(self, "dv", dv)
        object.__setattr__(self, "t", float(self.t))


# ------------------------------------------------------------------------------------------------
# Quintic Hermite basis on x in [0, 1] (values and d/dx), for p0, h v0, h^2 a0, p1, h v1, h^2 a1.
def _hermite5(x):
    x2 = x * x
    x3 = x2 * x
    x4 = x3 * x
    x5 = x4 * x
    h0 = 1.0 - 10.0 * x3 + 15.0 * x4 - 6.0 * x5
    h1 = x - 6.0 * x3 + 8.0 * x4 - 3.0 * x5
    h2 = 0.5 * (x2 - 3.0 * x3 + 3.0 * x4 - x5)
    h4 = -4.0 * x3 + 7.0 * x4 - 3.0 * x5
    h5 = 0.5 * (x3 - 2.0 * x4 + x5)
    d0 = -30.0 * x2 + 60.0 * x3 - 30.0 * x4
    d1 = 1.0 - 18.0 * x2 + 32.0 * x3 - 15.0 * x4
    d2 = 0.5 * (2.0 * x - 9.0 * x2 + 12.0 * x3 - 5.0 * x4)
    d4 = -12.0 * x2 + 28.0 * x3 - 15.0 * x4
    d5 = 0.5 * (3.0 * x2 - 8.0 * x3 + 5.0 * x4)
    return (h0, h1, h2, h4, h5), (d0, d1, d2, d4, d5)


class Trajectory:
    """Result of ``propagate``: stored samples plus dense output on [t0, t1].

    Attributes
    ----------
    t : ndarray (n,)
        Times of the stored samples, s (the integrator's steps, or ``t_eval``). At an impulse the
        step list holds the time twice (pre- and post-burn state).
    y : ndarray (6, N, n), or (6, n) if the initial state was (6,)
        States at ``t`` (m, m/s).
    t0, t1 : float
        Start and end of the propagation, s.
    method : str
        Integrator used.
    nfev : int
        Number of force evaluations (each over the whole batch).
    status : ndarray (N,) of int
        0 ok; 1 the state became non-finite (NaN rows) during the propagation.

    Calling ``traj(t)`` gives the dense-output state at scalar t -> (6, N) (or (6,)), or at an
    array (m,) -> (6, N, m) (or (6, m)). At an impulse time it gives the post-burn state.
    ``traj.state_at(t_each)`` with ``t_each`` (N,) gives state i at time t_each[i], (6, N).
    """

    __slots__ = (
        "t",
        "y",
        "t0",
        "t1",
        "method",
        "nfev",
        "status",
        "_final",
        "_scalar",
        "_kind",
        "_starts",
        "_h",
        "_node0",
        "_nodes",
        "_acc",
        "_F",
        "_dir",
    )

    def __init__(self, **kw):
        for k, v in kw.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        raise AttributeError("Trajectory is read-only")

    def __repr__(self):
        n = self._final.shape[1] if self._final.ndim == 2 else 1
        return (
            f"Trajectory(method={self.method!r}, t0={self.t0}, t1={self.t1}, N={n}, "
            f"samples={len(self.t)}, nfev={self.nfev})"
        )

    @property
    def final(self):
        """State at t1 after any impulse at t1: (6, N), or (6,) for a (6,) initial state."""
        return self._final[:, 0].copy() if self._scalar else self._final.copy()

    @property
    def has_dense(self):
        """Whether dense output (``traj(t)``) is available."""
        return self._kind is not None

    def __call__(self, t):
        t_arr = np.asarray(t, dtype=float)
        out = self._eval(t_arr.reshape(-1), per_state=False)  # (6, N, m)
        if self._scalar:
            out = out[:, 0]
        if t_arr.ndim == 0:
            out = out[..., 0]
        return out

    def state_at(self, t_each):
        """State i at time ``t_each[i]`` (s), for all N states at once: (6, N)."""
        t_each = np.asarray(t_each, dtype=float)
        n = self._final.shape[1]
        if t_each.ndim == 0:
            t_each = np.full(n, float(t_each))
        if t_each.shape != (n,):
            raise ValueError(f"t_each: got shape {t_each.shape}; need ({n},), one time per state")
        return self._eval(t_each, per_state=True)

    def _eval(self, t, per_state):
        if self._kind is None:
            raise ValueError(
                "traj(t): this trajectory has no dense output; propagate with dense=True"
            )
        d = self._dir
        key = d * t
        lo, hi = d * self.t0, d * self.t1
        span = abs(self.t1 - self.t0)
        tol = 1e-9 * max(span, 1.0)
        finite = np.isfinite(key)
        if np.any(finite & ((key < lo - tol) | (key > hi + tol))):
            raise ValueError(
                f"t: outside the propagated interval [{min(self.t0, self.t1)}, "
                f"{max(self.t0, self.t1)}] s; propagate over a longer span"
            )
        key = np.clip(np.where(finite, key, lo), lo, hi)
        idx = np.searchsorted(d * self._starts, key, side="right") - 1
        np.clip(idx, 0, len(self._starts) - 1, out=idx)
        h = self._h[idx]
        x = (d * key - self._starts[idx]) / h  # t - start over h, in [0, 1]
        nstate = self._final.shape[1]
        if self._kind == "hermite":
            i0 = self._node0[idx]
            if per_state:
                cols = np.arange(nstate)
                y0 = self._nodes[i0, :, cols].T  # (6, N)
                y1 = self._nodes[i0 + 1, :, cols].T
                a0 = self._acc[i0, :, cols].T
                a1 = self._acc[i0 + 1, :, cols].T
            else:
                y0 = np.moveaxis(self._nodes[i0], 0, -1)  # (6, N, m)
                y1 = np.moveaxis(self._nodes[i0 + 1], 0, -1)
                a0 = np.moveaxis(self._acc[i0], 0, -1)
                a1 = np.moveaxis(self._acc[i0 + 1], 0, -1)
            (b0, b1, b2, b4, b5), (e0, e1, e2, e4, e5) = _hermite5(x)
            pos = b0 * y0[:3] + b1 * h * y0[3:] + b2 * h * h * a0
            pos += (1.0 - b0) * y1[:3] + b4 * h * y1[3:] + b5 * h * h * a1
            vel = (e0 / h) * (y0[:3] - y1[:3]) + e1 * y0[3:] + e2 * h * a0
            vel += e4 * y1[3:] + e5 * h * a1
            out = np.concatenate((pos, vel), axis=0)
        else:  # dop853 dense output, Hairer's contd8 in SciPy's nested form
            i0 = self._node0[idx]
            if per_state:
                cols = np.arange(nstate)
                y0 = self._nodes[i0, :, cols].T
                F = np.moveaxis(self._F[idx, :, :, cols], 0, -1)  # (7, 6, N)
            else:
                y0 = np.moveaxis(self._nodes[i0], 0, -1)
                F = np.moveaxis(self._F[idx], 0, -1)  # (7, 6, N, m)
            out = _dense_eval(F, y0, x)
        at_end = key == hi
        if np.any(at_end):
            if per_state:
                out[:, at_end] = self._final[:, at_end]
            else:
                out[:, :, at_end] = self._final[:, :, None]
        return out


# ------------------------------------------------------------------------------------------------
class _Builder:
    """Collects nodes (pre/post impulse both kept) and steps while integrating."""

    def __init__(self, n):
        self.n = n
        self.node_t = []
        self.nodes = []  # list of (k, 6, N) blocks
        self.accs = []
        self.F = []
        self.step_start = []
        self.step_h = []
        self.step_node0 = []
        self.count = 0

    def add_block(self, t_nodes, y_nodes, a_nodes, F=None):
        """Consecutive steps: times (k+1,), states (k+1, 6, N), accelerations or F (k, 7, 6, N)."""
        k = len(t_nodes) - 1
        self.node_t.append(np.asarray(t_nodes, dtype=float))
        self.nodes.append(y_nodes)
        if a_nodes is not None:
            self.accs.append(a_nodes)
        if F is not None:
            self.F.append(F)
        tn = np.asarray(t_nodes, dtype=float)
        self.step_start.append(tn[:-1])
        self.step_h.append(np.diff(tn))
        self.step_node0.append(self.count + np.arange(k))
        self.count += k + 1


def _as_state(state0):
    y = np.array(state0, dtype=float)
    if y.ndim == 1:
        if y.shape != (6,):
            raise ValueError(f"state0: got shape {y.shape}; use (6,) or (6, N) in m and m/s")
        return y[:, None].copy(), True
    if y.ndim != 2 or y.shape[0] != 6 or y.shape[1] == 0:
        raise ValueError(f"state0: got shape {y.shape}; use (6,) or (6, N) in m and m/s")
    return np.ascontiguousarray(y), False


def _as_inv_ballistic(ib, n):
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

    def __init__(self, force, ib):
        self.force = force
        self.ib = ib
        self.nfev = 0
        self._drag = force.drag and bool(np.any(ib))

    def acc(self, t, r, v):
        self.nfev += 1
        a = self.force.gravity(r)
        if self._drag:
            a += self.force.drag_acceleration(r, v, self.ib)
        return a


# ------------------------------------------------------------------------------------------------
# DOP853 written for r'' = a(t, r, v): with stages K_j = (v_j, a_j) and v_j = v0 + h sum_k A_jk a_k,
# the position increments are h c_s v0 + h^2 sum_k (A A)_sk a_k (row sums of A equal c), so each
# stage needs one combination of the acceleration stages only (half the data of the first-order
# form; algebraically identical to DOP853). The error-estimator and dense-output weights sum to
# zero, so their v0 terms vanish.
_A2 = _A @ _A
_STAGE_COEF = [None] + [
    np.ascontiguousarray(np.stack((_A2[s, :s], _A[s, :s]))) for s in range(1, 16)
]
_E5R = _E5 @ _A[:13, :13]
_E3R = _E3 @ _A[:13, :13]
_ERR_COEF = np.ascontiguousarray(np.stack((_E5R, _E5, _E3R, _E3)))  # on the 13 acceleration stages
_DR = _D @ _A
_DENSE_COEF = np.ascontiguousarray(np.concatenate((_DR, _D)))  # (8, 16)


def _dop853_step(rhs, t, r0, v0, ka, h):
    """One DOP853 step of size h; ka (16, 3, N) work array with ka[0] = a(t, r0, v0) set.

    Fills ka[1..12] (ka[12] = a at the new state) and returns (r1, v1).
    """
    n3 = r0.size
    kf = ka.reshape(16, n3)
    shape = r0.shape
    hh = h * h
    for s in range(1, _NS):
        g = np.dot(_STAGE_COEF[s], kf[:s])
        rs = r0 + (h * _C[s]) * v0
        rs += (hh * g[0]).reshape(shape)
        vs = v0 + (h * g[1]).reshape(shape)
        ka[s] = rhs.acc(t + _C[s] * h, rs, vs)
    g = np.dot(_STAGE_COEF[_NS], kf[:_NS])
    r1 = r0 + h * v0
    r1 += (hh * g[0]).reshape(shape)
    v1 = v0 + (h * g[1]).reshape(shape)
    ka[_NS] = rhs.acc(t + h, r1, v1)
    return r1, v1


def _dop853_dense(rhs, t, r0, v0, r1, v1, h, ka):
    """Extra stages and the interpolation coefficients F (7, 6, N) of the step just taken."""
    shape = r0.shape
    n3 = r0.size
    kf = ka.reshape(16, n3)
    hh = h * h
    for s in range(_NS + 1, 16):
        g = np.dot(_STAGE_COEF[s], kf[:s])
        rs = r0 + (h * _C[s]) * v0
        rs += (hh * g[0]).reshape(shape)
        vs = v0 + (h * g[1]).reshape(shape)
        ka[s] = rhs.acc(t + _C[s] * h, rs, vs)
    F = np.empty((7, 6) + shape[1:])
    dr = r1 - r0
    dv = v1 - v0
    F[0, :3] = dr
    F[0, 3:] = dv
    F[1, :3] = h * v0 - dr
    F[1, 3:] = h * ka[0] - dv
    F[2, :3] = 2.0 * dr - h * (v1 + v0)
    F[2, 3:] = 2.0 * dv - h * (ka[_NS] + ka[0])
    g = np.dot(_DENSE_COEF, kf).reshape((8,) + shape)
    F[3:, :3] = hh * g[:4]
    F[3:, 3:] = h * g[4:]
    return F


def _dense_eval(F, y0, x):
    """DOP853 dense output (Hairer's contd8 in SciPy's nested form) at fraction(s) x."""
    out = np.zeros(np.broadcast_shapes(F.shape[1:], np.shape(x)))
    for i in range(6, -1, -1):
        out += F[i]
        out *= x if i % 2 == 0 else (1.0 - x)
    out += y0
    return out


def _dop853_segment(rhs, y, ta, tb, rtol, atol, dense, max_step=np.inf):
    """Adaptive DOP853 from ta to tb with a step shared by the batch.

    The step is accepted when the worst state's error norm (Hairer's DOP853 norm, per state over
    its 6 components) is <= 1; states that turned non-finite are left out of the norm.
    Returns (t_nodes, y_nodes (k+1, 6, N), F (k, 7, 6, N) or None, bad (N,)).
    """
    n = y.shape[1]
    ka = np.empty((16, 3, n))
    direction = 1.0 if tb > ta else -1.0
    t = ta
    r = y[:3].copy()
    v = y[3:].copy()
    ka[0] = rhs.acc(t, r, v)
    rn = np.sqrt(np.sum(r * r, axis=0))
    vn = np.sqrt(np.sum(v * v, axis=0)) + 1e-3
    with np.errstate(invalid="ignore"):
        h_abs = min(abs(tb - ta), max_step, 0.02 * float(np.nanmin(rn / vn)), 60.0)
    if not np.isfinite(h_abs):
        h_abs = min(abs(tb - ta), 60.0)
    h_abs = max(h_abs, 1e-6)
    t_nodes = [t]
    y_nodes = [y.copy()]
    Fs = []
    bad = ~np.all(np.isfinite(y), axis=0)
    kerr = ka[:13].reshape(13, 3 * n)
    while direction * (tb - t) > 0:
        h_abs = min(h_abs, max_step)
        last = h_abs >= abs(tb - t) * (1 - 1e-12)
        if last:
            h_abs = abs(tb - t)
        h = direction * h_abs
        r1, v1 = _dop853_step(rhs, t, r, v, ka, h)
        g = np.dot(_ERR_COEF, kerr).reshape(4, 3, n)
        sr = atol + rtol * np.maximum(np.abs(r), np.abs(r1))
        sv = atol + rtol * np.maximum(np.abs(v), np.abs(v1))
        e5 = np.sum((h * h * g[0] / sr) ** 2 + (h * g[1] / sv) ** 2, axis=0)
        e3 = np.sum((h * h * g[2] / sr) ** 2 + (h * g[3] / sv) ** 2, axis=0)
        denom = e5 + 0.01 * e3
        with np.errstate(invalid="ignore", divide="ignore"):
            err = np.where(denom > 0, e5 / np.sqrt(denom * 6.0), 0.0)
        bad |= ~np.isfinite(err)
        err = float(np.max(np.where(bad, 0.0, err))) if n else 0.0
        if err <= 1.0:
            fac = 10.0 if err == 0 else min(10.0, 0.9 * err ** (-1.0 / 8.0))
            if dense:
                Fs.append(_dop853_dense(rhs, t, r, v, r1, v1, h, ka))
            t = tb if last else t + h
            r, v = r1, v1
            ka[0] = ka[_NS]
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


def _multistep_segment(rhs, y, ta, tb, h_target, order, dense, pece=True, sub=1):
    """Fixed-step Adams-Stormer predictor-corrector from ta to tb.

    Predictor on the ``order`` newest accelerations, corrector on those and the predicted one
    (order + 1 points); PECE mode by default (PEC, ``pece=False``, saves one force evaluation
    per step but is unstable at order 10 for steps above ~0.13 rad of mean motion). Started
    with DOP853 steps of ``sub`` multistep steps each; with sub > 1 the interior nodes come
    from DOP853's dense output (faster start, but its ~1e-8 relative error spoils a 1 m / 3 h
    budget, so the default is 1).
    Returns (t_nodes, y_nodes (k+1, 6, N) or None, a_nodes (k+1, 3, N) or None, y_final (6, N)).
    """
    n = y.shape[1]
    m3 = 3 * n
    span = tb - ta
    nsteps = max(1, int(np.ceil(abs(span) / h_target - 1e-9)))
    h = span / nsteps
    t_nodes = ta + h * np.arange(nsteps + 1)
    t_nodes[-1] = tb
    m = order
    hist = np.empty((m, 3, n))  # ring buffer of accelerations; a_k in slot k % m
    if dense:
        ys = np.empty((nsteps + 1, 6, n))
        accs = np.empty((nsteps + 1, 3, n))
    # ---- start: DOP853 steps of size sub*h (or h when the segment is short)
    nstart = min(m - 1, nsteps)
    if nstart < nsteps:
        nbig = -(-nstart // sub)
        nstart = nbig * sub
        if nstart >= nsteps - 1:
            sub, nbig, nstart = 1, nsteps, nsteps
    else:
        sub, nbig = 1, nsteps
    ka = np.empty((16, 3, n))
    r = np.array(y[:3])
    v = np.array(y[3:])
    ka[0] = rhs.acc(ta, r, v)
    hist[0] = ka[0]
    if dense:
        ys[0] = y
        accs[0] = ka[0]
    H = sub * h
    for b in range(nbig):
        tb_ = ta + b * H
        r1, v1 = _dop853_step(rhs, tb_, r, v, ka, H)
        if sub > 1:
            F = _dop853_dense(rhs, tb_, r, v, r1, v1, H, ka)
            y0 = np.concatenate((r, v))
            for j in range(1, sub):
                k = b * sub + j
                yj = _dense_eval(F, y0, j / sub)
                aj = rhs.acc(t_nodes[k], yj[:3], yj[3:])
                hist[k % m] = aj
                if dense:
                    ys[k] = yj
                    accs[k] = aj
        k = (b + 1) * sub
        r, v = r1, v1
        hist[k % m] = ka[_NS]
        if dense:
            ys[k, :3] = r
            ys[k, 3:] = v
            accs[k] = ka[_NS]
        ka[0] = ka[_NS]
    if nstart >= nsteps:
        yf = np.concatenate((r, v))
        return t_nodes, (ys if dense else None), (accs if dense else None), yf
    # ---- multistep
    pv, pr, cv, cr = _MS_COEF[m]
    coef = np.empty((4, m))  # on a_n, a_{n-1}, ..., a_{n-m+1}
    coef[0] = h * h * pr
    coef[1] = h * pv
    coef[2] = h * h * cr[1:]
    coef[3] = h * cv[1:]
    cr0 = h * h * cr[0]
    cv0 = h * cv[0]
    # For each position p of a_n in the ring: coefficient columns per slot.
    ring = np.empty((m, 4, m))
    for p in range(m):
        for j in range(m):
            ring[p, :, (p - j) % m] = coef[:, j]
    hflat = hist.reshape(m, m3)
    g = np.empty((4, m3))
    base = np.empty(m3)
    rp = np.empty((3, n))
    vp = np.empty((3, n))
    rpf = rp.reshape(m3)
    vpf = vp.reshape(m3)
    r = np.array(r)
    v = np.array(v)
    rf = r.reshape(m3)
    vf = v.reshape(m3)
    for k in range(nstart, nsteps):
        np.dot(ring[k % m], hflat, out=g)
        np.multiply(vf, h, out=base)
        base += rf
        np.add(base, g[0], out=rpf)
        np.add(vf, g[1], out=vpf)
        t_new = t_nodes[k + 1]
        ap = rhs.acc(t_new, rp, vp)
        apf = ap.reshape(m3)
        # corrector, in place
        np.add(base, g[2], out=rf)
        rf += cr0 * apf
        vf += g[3]
        vf += cv0 * apf
        if pece:
            ap = rhs.acc(t_new, r, v)
        hist[(k + 1) % m] = ap
        if dense:
            ys[k + 1, :3] = r
            ys[k + 1, 3:] = v
            accs[k + 1] = ap
    yf = np.concatenate((r, v))
    return t_nodes, (ys if dense else None), (accs if dense else None), yf


# ------------------------------------------------------------------------------------------------
def _impulse_dv(imp, n):
    dv = imp.dv
    if dv.ndim == 1:
        return dv[:, None]
    if dv.shape[1] != n:
        raise ValueError(
            f"impulses: dv of shape {dv.shape} at t={imp.t} does not match N={n} states"
        )
    return dv


def propagate(
    state0,
    t0,
    t1,
    force=DEFAULT_FORCE,
    *,
    inv_ballistic=0.0,
    impulses=(),
    t_eval=None,
    method="auto",
    rtol=None,
    atol=None,
    step=None,
    order=DEFAULT_ORDER,
    dense=True,
):
    """Propagate state(s) from ``t0`` to ``t1`` under ``force`` with impulsive burns.

    Parameters
    ----------
    state0 : array (6,) or (6, N)
        Initial position (m) and velocity (m/s), GCRS.
    t0, t1 : float
        Start and end times, s since the scenario epoch. ``t1 < t0`` propagates backwards.
    force : ForceModel
        Force model (gravity, drag, pole).
    inv_ballistic : float or array (N,)
        Cd * A / m per state, m^2/kg (0: no drag).
    impulses : iterable of Impulse
        Burns. Those with ``t`` in [t0, t1] are applied (one at t0 before the start, one at t1
        at the end); others are ignored. Several at one time add up.
    t_eval : array (n,), optional
        Times (s) at which ``Trajectory.y`` is sampled from the dense output; default: the steps.
    method : {"auto", "multistep", "dop853"}
        Integrator (see module docstring).
    rtol, atol : float, optional
        DOP853 tolerances (defaults 1e-11 and 1e-6 in m, m/s units). Ignored by "multistep".
    step : float, optional
        Multistep step size, s (default ``DEFAULT_STEP``); the segment between impulses is
        divided into equal steps no longer than this.
    order : int
        Multistep order (number of accelerations in the formulas): one of 6, 8, 10, 12.
    dense : bool
        Keep dense output (``traj(t)``). With False only the final state is kept (faster for
        large batches); incompatible with ``t_eval``.

    Returns
    -------
    Trajectory
    """
    y, scalar = _as_state(state0)
    n = y.shape[1]
    t0 = float(t0)
    t1 = float(t1)
    if not (np.isfinite(t0) and np.isfinite(t1)):
        raise ValueError("t0, t1: must be finite times in s")
    if not isinstance(force, ForceModel):
        raise ValueError("force: pass a rendezvous.forces.ForceModel")
    ib = _as_inv_ballistic(inv_ballistic, n)
    if method == "auto":
        method = "multistep"
    if method not in ("multistep", "dop853"):
        raise ValueError(f"method: got {method!r}; use 'auto', 'multistep' or 'dop853'")
    if order not in _MS_COEF:
        raise ValueError(f"order: got {order!r}; use one of {_MS_ORDERS}")
    h_target = None if step is None else float(step)
    if h_target is not None and not h_target > 0:
        raise ValueError("step: must be a positive number of seconds")
    rtol = 1e-11 if rtol is None else float(rtol)
    atol = 1e-6 if atol is None else float(atol)
    if t_eval is not None and not dense:
        raise ValueError("t_eval: needs dense output; drop dense=False")
    d = 1.0 if t1 >= t0 else -1.0

    imps = []
    for imp in impulses:
        if not isinstance(imp, Impulse):
            raise ValueError("impulses: each item must be a rendezvous.propagate.Impulse")
        if d * (imp.t - t0) >= 0 and d * (t1 - imp.t) >= 0:
            imps.append((imp.t, _impulse_dv(imp, n)))
    imps.sort(key=lambda p: d * p[0])

    rhs = _Rhs(force, ib)
    builder = _Builder(n)
    i_imp = 0
    while i_imp < len(imps) and imps[i_imp][0] == t0:
        y = y.copy()
        y[3:] += imps[i_imp][1]
        i_imp += 1
    y_start = y.copy()
    bad = ~np.all(np.isfinite(y), axis=0)
    # Segment ends: distinct impulse times strictly inside, then t1.
    ends = sorted({p[0] for p in imps[i_imp:] if p[0] != t1}, key=lambda s: d * s) + [t1]
    ta = t0
    for tb in ends:
        if tb == ta:
            continue
        if method == "dop853":
            tn, yn, F, b = _dop853_segment(rhs, y, ta, tb, rtol, atol, dense)
            builder.add_block(tn, yn, None, F)
            y = yn[-1].copy()
            bad |= b
        else:
            tn, yn, an, y = _multistep_segment(
                rhs,
                y,
                ta,
                tb,
                _auto_step(y, force) if h_target is None else h_target,
                order,
                dense,
            )
            if dense:
                builder.add_block(tn, yn, an)
        while i_imp < len(imps) and imps[i_imp][0] == tb:
            y[3:] += imps[i_imp][1]
            i_imp += 1
        ta = tb
    bad |= ~np.all(np.isfinite(y), axis=0)
    status = bad.astype(np.int8)

    kind = None
    if dense and t1 != t0:
        kind = "dop853" if method == "dop853" else "hermite"
        node_t = np.concatenate(builder.node_t)
        nodes = np.concatenate(builder.nodes)
    else:
        node_t = np.array([t0, t1])
        nodes = np.stack((y_start, y))
    traj = Trajectory(
        t=node_t,
        y=None,
        t0=t0,
        t1=t1,
        method=method,
        nfev=rhs.nfev,
        status=status,
        _final=y,
        _scalar=scalar,
        _kind=kind,
        _starts=np.concatenate(builder.step_start) if kind else None,
        _h=np.concatenate(builder.step_h) if kind else None,
        _node0=np.concatenate(builder.step_node0) if kind else None,
        _nodes=nodes,
        _acc=np.concatenate(builder.accs) if (kind == "hermite") else None,
        _F=np.concatenate(builder.F) if (kind == "dop853") else None,
        _dir=d,
    )
    if t_eval is not None:
        te = np.asarray(t_eval, dtype=float).reshape(-1)
        ys = traj._eval(te, per_state=False) if kind else np.repeat(y[:, :, None], len(te), 2)
        object.__setattr__(traj, "t", te)
    else:
        ys = np.moveaxis(nodes, 0, -1)
    if scalar:
        ys = ys[:, 0]
    object.__setattr__(traj, "y", ys)
    return traj


# ------------------------------------------------------------------------------------------------
def _grid(traj, t_lo, t_hi, n_grid):
    t_lo = float(t_lo)
    t_hi = float(t_hi)
    if not t_hi > t_lo:
        raise ValueError(f"t_lo, t_hi: need t_lo < t_hi, got {t_lo}, {t_hi}")
    if n_grid < 2:
        raise ValueError("n_grid: need at least 2 grid points")
    return np.linspace(t_lo, t_hi, int(n_grid))


def _states_2d(traj, t):
    """traj(t) always as (6, N, m)."""
    out = traj._eval(np.asarray(t, dtype=float).reshape(-1), per_state=False)
    return out


def _each(traj, t_each):
    return traj._eval(t_each, per_state=True)


def find_crossings(traj, g, t_lo, t_hi, *, n_grid=200, direction=0, tol=1e-4):
    """First time in [t_lo, t_hi] where ``g(t, y)`` changes sign, per state.

    Parameters
    ----------
    traj : Trajectory
        With dense output.
    g : callable
        ``g(t, y)`` with t a float (s) or an (N,) array of per-state times, and y the (6, N)
        states; returns (N,). It must accept both a scalar t (grid scan) and an (N,) t
        (refinement).
    t_lo, t_hi : float
        Search window, s (within the trajectory's span).
    n_grid : int
        Grid points for the scan: a sign change between two grid points is found; two
        crossings within one grid interval can be missed.
    direction : int
        0 any crossing, +1 only from negative to positive, -1 only positive to negative.
    tol : float
        Time tolerance of the refinement, s (default 0.1 ms).

    Returns
    -------
    ndarray (N,)
        Crossing times (s), NaN where no crossing is found. A grid point where g is exactly 0
        counts as a crossing at that time.
    """
    grid = _grid(traj, t_lo, t_hi, n_grid)
    ys = _states_2d(traj, grid)
    n = ys.shape[1]
    gv = np.empty((n, len(grid)))
    for j, tj in enumerate(grid):
        gv[:, j] = g(float(tj), ys[:, :, j])
    a = gv[:, :-1]
    b = gv[:, 1:]
    if direction > 0:
        hit = (a < 0) & (b >= 0)
    elif direction < 0:
        hit = (a > 0) & (b <= 0)
    else:
        hit = ((a < 0) & (b >= 0)) | ((a > 0) & (b <= 0))
    zero_first = gv[:, 0] == 0
    any_hit = hit.any(axis=1)
    j = np.argmax(hit, axis=1)
    out = np.full(n, np.nan)
    out[zero_first] = grid[0]
    todo = any_hit & ~zero_first
    if not np.any(todo):
        return out
    rows = np.arange(n)
    lo = grid[j].copy()
    hi = grid[j + 1].copy()
    glo = gv[rows, j].copy()
    ghi = gv[rows, j + 1].copy()
    exact = todo & (ghi == 0)
    out[exact] = hi[exact]
    active = todo & ~exact
    # Illinois (modified regula falsi) with a bisection every third iteration for guaranteed
    # shrinking; all states refined together on the dense output.
    side = np.zeros(n)
    for it in range(200):
        if not np.any(active):
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            tm = (lo * ghi - hi * glo) / (ghi - glo)
        if it % 3 == 2:
            tm = 0.5 * (lo + hi)
        bad = ~np.isfinite(tm) | (tm <= lo) | (tm >= hi)
        tm = np.where(bad, 0.5 * (lo + hi), tm)
        tm = np.where(active, tm, lo)
        gm = np.asarray(g(tm, _each(traj, tm)), dtype=float)
        same_lo = np.sign(gm) == np.sign(glo)
        # replace lo
        upd_lo = active & same_lo & (gm != 0)
        upd_hi = active & ~same_lo & (gm != 0)
        lo = np.where(upd_lo, tm, lo)
        glo = np.where(upd_lo, gm, glo)
        ghi = np.where(upd_lo & (side == 1), 0.5 * ghi, ghi)
        hi = np.where(upd_hi, tm, hi)
        ghi = np.where(upd_hi, gm, ghi)
        glo = np.where(upd_hi & (side == -1), 0.5 * glo, glo)
        side = np.where(upd_lo, 1, np.where(upd_hi, -1, side))
        z = active & (gm == 0)
        out[z] = tm[z]
        active &= ~z
        done = active & (hi - lo < tol)
        out[done] = np.where(np.abs(glo[done]) < np.abs(ghi[done]), lo[done], hi[done])
        active &= ~done
    out[active] = 0.5 * (lo[active] + hi[active])
    return out


_GOLD = 0.5 * (np.sqrt(5.0) - 1.0)


def find_minimum(traj, f, t_lo, t_hi, *, n_grid=200, tol=1e-4):
    """Time and value of the minimum of ``f(t, y)`` over [t_lo, t_hi], per state.

    ``f(t, y)`` takes a float or (N,) time (s) and (6, N) states and returns (N,). The grid
    minimum is refined by golden-section search over the two neighbouring grid intervals to
    ``tol`` seconds (default 0.1 ms); a minimum at a window end is refined inside the end
    interval. Returns ``(t_min (N,), f_min (N,))``; NaN where f is NaN everywhere.
    """
    grid = _grid(traj, t_lo, t_hi, n_grid)
    ys = _states_2d(traj, grid)
    n = ys.shape[1]
    fv = np.empty((n, len(grid)))
    for j, tj in enumerate(grid):
        fv[:, j] = f(float(tj), ys[:, :, j])
    allnan = np.all(np.isnan(fv), axis=1)
    j = np.argmin(np.where(np.isnan(fv), np.inf, fv), axis=1)
    lo = grid[np.maximum(j - 1, 0)]
    hi = grid[np.minimum(j + 1, len(grid) - 1)]
    x1 = hi - _GOLD * (hi - lo)
    x2 = lo + _GOLD * (hi - lo)
    f1 = np.asarray(f(x1, _each(traj, x1)), dtype=float)
    f2 = np.asarray(f(x2, _each(traj, x2)), dtype=float)
    while np.max(hi - lo) > tol:
        left = f1 <= f2  # minimum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x = np.where(left, hi - _GOLD * (hi - lo), lo + _GOLD * (hi - lo))
        fn = np.asarray(f(new_x, _each(traj, new_x)), dtype=float)
        x2n = np.where(left, x1, new_x)
        f2n = np.where(left, f1, fn)
        x1 = np.where(left, new_x, x2)
        f1 = np.where(left, fn, f2)
        x2, f2 = x2n, f2n
    t_best = np.where(f1 <= f2, x1, x2)
    f_best = np.minimum(f1, f2)
    # Keep the grid value if it is better (a kink or an end point).
    fg = fv[np.arange(n), j]
    use_grid = fg < f_best
    t_best = np.where(use_grid, grid[j], t_best)
    f_best = np.where(use_grid, fg, f_best)
    t_best[allnan] = np.nan
    f_best[allnan] = np.nan
    return t_best, f_best


# ------------------------------------------------------------------------------------------------
def _stumpff(z):
    """Stumpff functions C(z), S(z) (Curtis, Orbital Mechanics for Engineering Students, 3.52)."""
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


def kepler(state0, dt, mu=MU_EARTH):
    """Two-body propagation in closed form (universal variable; Curtis 2014, Algorithms 3.3-3.4).

    ``state0`` (6,) or (6, N) in m, m/s; ``dt`` scalar s (or (N,)); returns the same shape as
    state0. Newton iteration on the universal Kepler equation to 1e-13 relative; valid for all
    conic types. States that fail to converge come back as NaN.
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
