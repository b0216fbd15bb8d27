"""Batch orbit propagation: many spacecraft states stepped together, with impulsive burns.

All ``N`` states of a ``(6, N)`` batch share the integrator's time steps, so every force
evaluation is one set of array operations over the batch (no Python loop over states).

Integrators (``method``):

- ``"dop853"``: adaptive Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, *Solving Ordinary
  Differential Equations I*, 2nd ed., sec. II.5 and II.10; tableau from
  ``scipy.integrate._ivp.dop853_coefficients``), one step size shared by the batch and chosen
  from the worst state's error estimate; 7th-order dense output (3 extra stages per step).
- ``"multistep"``: fixed-step Stormer-Cowell predictor-corrector for ``r'' = a(t, r, r')``:

      r_{n+1} = 2 r_n - r_{n-1} + h^2 sum_j s_j a_{n-j}
      v_{n+1} = (r_{n+1} - r_n) / h + h sum_j q_j a_{n+1-j}

  where s_j and q_j integrate the polynomial through recent accelerations (exactly:
  ``r(t+h) - 2 r(t) + r(t-h) = h^2 int_{-1}^{1} (1 - |s|) a(t + s h) ds``; the form behind
  Gauss-Jackson, Berry & Healy 2004, J. Astronaut. Sci. 52, 331). Explicit (Stormer) predictor on
  the ``order`` newest accelerations, implicit (Cowell) corrector on those plus the new one, PECE
  mode (two force evaluations per step; PEC, one, for order 10 or 12 when the step is short
  enough for it to be stable: ``PEC_MAX_PHASE``); order 12 by default, stable and accurate to
  ~0.5 m per day two-body at the default step (see benchmarks/RESULTS_propagator.md). Velocities are
  only formed when needed (drag, dense output, the final state). Each segment (between impulses)
  is started with DOP853 steps of 2h whose mid-points are then found by collocation with all
  start-up accelerations.
  Dense output: quintic Hermite interpolation of position/velocity/acceleration at the steps
  (position error ~ (n h)^6 r / 46080 for mean motion n: ~5 mm at h = 160 s in LEO; velocity
  ~1e-5 m/s).
- ``"auto"``: the multistep method with h = 0.18 rad / n at the batch's lowest perigee (~160 s
  at the ISS): measured <= 0.14 m after 3 h for ISS-like orbits with J2.

Impulses are applied instantaneously: the velocity jumps by ``dv`` and the integration restarts.

Also here: ``kepler``, the closed-form two-body propagation (universal variables), and event /
minimum search on the dense output (``find_crossings``, ``find_minimum``).

Left out: variable-step multistep, stiff solvers, finite-duration burns (the mission models burns
as impulses), propagation of covariance or state transition matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
_E3 = _dop.E3
_E5 = _dop.E5
_D = _dop.D


# ------------------------------------------------------------------------------------------------
# Multistep and start-up weights. All are integrals of the polynomial interpolating the
# accelerations at integer nodes (units of h): sum_k w_k a_k = int_lo^hi phi(s) p(s) ds, with
# phi = 1 (velocity) or hi - s (position: r(hi) = r(lo) + (hi-lo) v(lo) + int (hi - s) a(s) ds).
# They are found by matching the integrals of Legendre polynomials on the nodes mapped to [-1, 1]
# (a well-conditioned small linear solve; agrees with exact rational arithmetic to ~1e-14, see
# tests), once per order and cached.
def _interp_weights(nodes, lo, hi, kind):
    nodes = np.asarray(nodes, dtype=float)
    c = 0.5 * (nodes.max() + nodes.min())
    d = 0.5 * (nodes.max() - nodes.min())
    t = (nodes - c) / d
    deg = len(nodes) - 1
    vander = np.polynomial.legendre.legvander(t, deg)  # (k, p) = P_p(t_k)
    t_lo, t_hi = (lo - c) / d, (hi - c) / d
    moments = np.empty(deg + 1)
    phi = np.polynomial.Legendre([1.0]) if kind == 0 else np.polynomial.Legendre([hi - c, -d])
    for p in range(deg + 1):
        basis = np.polynomial.Legendre.basis(p) * phi
        integral = basis.integ()
        moments[p] = d * (integral(t_hi) - integral(t_lo))
    return np.linalg.solve(vander.T, moments)


@lru_cache(maxsize=16)
def _adams_stormer(order):
    """(pred_v, pred_r, corr_v, corr_r, extrap) for ``order`` = m.

    Predictor on nodes s = 0, -1, ..., -(m-1) (a_n, a_{n-1}, ...); corrector on s = 1, 0, ...,
    -(m-1) (a_{n+1}, a_n, ...); interval [0, 1]. ``extrap``: the predictor's polynomial at s = 1,
    so that corrector = predictor + corr_*[0] * (a_{n+1} - sum extrap_j a_{n-j}) (the two
    interpolants differ by a multiple of the predictor's node polynomial).
    """
    pred = -np.arange(order, dtype=float)
    corr = 1.0 - np.arange(order + 1, dtype=float)
    pv = _interp_weights(pred, 0.0, 1.0, 0)
    pr = _interp_weights(pred, 0.0, 1.0, 1)
    cv = _interp_weights(corr, 0.0, 1.0, 0)
    cr = _interp_weights(corr, 0.0, 1.0, 1)
    # Lagrange basis of the predictor nodes at s = 1
    ext = np.array([np.prod([(1.0 - sk) / (sj - sk) for sk in pred if sk != sj]) for sj in pred])
    return pv, pr, cv, cr, ext


@lru_cache(maxsize=16)
def _stormer_cowell(order):
    """Stormer-Cowell weights for ``order`` = m (positions only, r'' = a):

        r_{n+1} - 2 r_n + r_{n-1} = h^2 int_{-1}^{1} (1 - |s|) a(n + s) ds
        v_{n+1} = (r_{n+1} - r_n) / h + h int_0^1 s a(n + s) ds

    (Taylor's formula with integral remainder about t_n, and about t_{n+1} backwards), with a
    the polynomial through a_n, ..., a_{n-m+1} (predictor, Stormer) or a_{n+1}, ..., a_{n-m+1}
    (corrector, Cowell). This is the second-order multistep family behind Gauss-Jackson (Berry &
    Healy 2004); its summed form only changes round-off. Returns (sp, ext, sq, c0r, c0v):
    predictor position weights (sp[j] on a_{n-j}), extrapolation of the predictor polynomial to
    s = 1, weights sp + (velocity integral) for v_{n+1} = (r_n - r_{n-1}) / h + h sum sq_j a_{n-j}
    (predictor), and the corrector's weights on a_{n+1} for position and velocity: corrector =
    predictor + (a_{n+1} - sum ext_j a_{n-j}) * (h^2 c0r, h c0v).
    """
    pv, pr, cv, cr, ext = _adams_stormer(order)
    pred = -np.arange(order, dtype=float)
    corr = 1.0 - np.arange(order + 1, dtype=float)
    # int_{-1}^0 (1 + s) p(s) ds = int_0^1 (1 - u) p(-u) du: the kind-1 weights on mirrored nodes
    sp = pr + _interp_weights(-pred, 0.0, 1.0, 1)
    sc = cr + _interp_weights(-corr, 0.0, 1.0, 1)
    # int_0^1 s p(s) ds = int_0^1 p - int_0^1 (1 - s) p
    sq = sp + (pv - pr)
    return sp, ext, sq, float(sc[0]), float(sc[0] + cv[0] - cr[0])


_MS_ORDERS = (6, 7, 8, 9, 10, 11, 12)
DEFAULT_ORDER = 12
AUTO_STEP_PHASE = 0.18
"""``auto`` step: this many radians of the fastest mean motion at perigee (~160 s at the ISS)."""
MAX_AUTO_STEP = 600.0
"""Upper bound of the ``auto`` step, s."""


PEC_MAX_PHASE = 0.08
"""Below this n h (and for order 10 or 12) the multistep runs in PEC mode, one force evaluation
per step: stable and accurate there (Stormer-Cowell, two-body, 50 h, 200 km, e = 0.02: order 10
at n h = 0.08 0.025 m, order 12 at 0.073 0.0014 m; order 12 PEC stays stable to n h = 0.12 over a
day, unstable at 0.15). Lower orders lose metres to kilometres in PEC, so they keep PECE."""


def _mean_motion_max(y, force):
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

    def acc(self, t, r, v, out=None):
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
                self.force.gravity(r[:, i:j], out[:, i:j])
                if self._drag:
                    out[:, i:j] += self.force.drag_acceleration(
                        r[:, i:j], v[:, i:j], ib[i:j] if np.ndim(ib) else ib
                    )
            return out
        a = self.force.gravity(r, out)
        if self._drag:
            a += self.force.drag_acceleration(r, v, self.ib)
        return a


_CHUNK = 12288


def _combine(coef, X, out):
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


# ------------------------------------------------------------------------------------------------
# DOP853 written for r'' = a(t, r, v): with stages K_j = (v_j, a_j) and v_j = v0 + h sum_k A_jk a_k,
# the position increments are h c_s v0 + h^2 sum_k (A A)_sk a_k (row sums of A equal c), so each
# stage needs one combination of the acceleration stages only (half the data of the first-order
# form; algebraically identical to DOP853, and the same as Hairer's error estimate and dense
# output). The error-estimator and dense-output weights sum to
# zero, so their v0 terms vanish.
_A2 = _A @ _A
_E5R = _E5 @ _A[:13, :13]
_E3R = _E3 @ _A[:13, :13]
_ERR_COEF = np.ascontiguousarray(np.stack((_E5R, _E5, _E3R, _E3)))  # on the 13 acceleration stages
_DR = _D @ _A
_DENSE_COEF = np.ascontiguousarray(np.concatenate((_DR, _D)))  # (8, 16)


# Per stage s: [r_s; v_s] = U_s * scale(h) @ [r0; v0; a_0; ...; a_{s-1}] with U_s = [[1, c_s, AA_s],
# [0, 1, A_s]] and scale = [[1, h, h^2 ...], [1, 1, h ...]]: one matrix product per stage.
_UNIT = [None]
for _s in range(1, 16):
    _u = np.zeros((2, 2 + _s))
    _u[0, 0] = 1.0
    _u[0, 1] = _C[_s]
    _u[1, 1] = 1.0
    _u[0, 2:] = _A2[_s, :_s]
    _u[1, 2:] = _A[_s, :_s]
    _UNIT.append(_u)
del _s, _u


class _RKWork:
    """Work arrays of a DOP853 step: X = [r0, v0, a_0 .. a_15] (18, 3N) and a (2, 3N) buffer."""

    __slots__ = ("n", "X", "buf", "r0", "v0", "ka", "kf", "scale")

    def __init__(self, n):
        self.n = n
        self.X = np.empty((18, 3 * n))
        self.buf = np.empty((2, 3 * n))
        self.r0 = self.X[0].reshape(3, n)
        self.v0 = self.X[1].reshape(3, n)
        self.ka = self.X[2:].reshape(16, 3, n)
        self.kf = self.X[2:]
        self.scale = np.empty((2, 18))

    def set_h(self, h):
        sc = self.scale
        sc[0, 0] = 1.0
        sc[0, 1] = h
        sc[0, 2:] = h * h
        sc[1, :2] = 1.0
        sc[1, 2:] = h

    def accept(self, y1):
        """Make y1 (2, 3N) = (r1, v1) the new start; a(t1) moves from stage 12 to stage 0."""
        self.X[:2] = y1
        self.X[2] = self.X[2 + _NS]


def _dop853_stages(rhs, t, w, h, s_from, s_to):
    n = w.n
    X = w.X
    buf = w.buf
    sc = w.scale
    rs = buf[0].reshape(3, n)
    vs = buf[1].reshape(3, n)
    for s in range(s_from, s_to):
        _combine(_UNIT[s] * sc[:, : 2 + s], X[: 2 + s], buf)
        rhs.acc(t + _C[s] * h, rs, vs, w.ka[s])


def _dop853_step(rhs, t, w, h):
    """One DOP853 step of size h from w.r0, w.v0 with w.ka[0] = a(t, r0, v0) set.

    Fills w.ka[1..12] (w.ka[12] = a at the new state) and returns a copy of (r1, v1) as (2, 3N).
    """
    w.set_h(h)
    _dop853_stages(rhs, t, w, h, 1, _NS + 1)  # stage 12 (c = 1, weights B) is the new state
    return w.buf.copy()


def _dop853_dense(rhs, t, w, y1, h):
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
    g = np.dot(_DENSE_COEF, w.kf).reshape(8, 3, n)
    F[3:, :3] = (h * h) * g[:4]
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
    w = _RKWork(n)
    direction = 1.0 if tb > ta else -1.0
    t = ta
    w.r0[...] = y[:3]
    w.v0[...] = y[3:]
    r, v = w.r0, w.v0
    rhs.acc(t, r, v, w.ka[0])
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
    kerr = w.kf[:13]
    while direction * (tb - t) > 0:
        h_abs = min(h_abs, max_step)
        last = h_abs >= abs(tb - t) * (1 - 1e-12)
        if last:
            h_abs = abs(tb - t)
        h = direction * h_abs
        y1 = _dop853_step(rhs, t, w, h)
        r1 = y1[0].reshape(3, n)
        v1 = y1[1].reshape(3, n)
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


@lru_cache(maxsize=16)
def _start_weights(nlast):
    """Weights for the odd (interior) start nodes j = 1, 3, ..., nlast - 1 from node j - 1:
    r_j = r_{j-1} + h v_{j-1} + h^2 sum_k W[i, k] a_k, v_j = v_{j-1} + h sum_k U[i, k] a_k, with
    the polynomial through the accelerations at all nodes 0..nlast. Returns (W, U)."""
    nodes = np.arange(nlast + 1, dtype=float)
    interior = range(1, nlast, 2)
    W = np.array([_interp_weights(nodes, j - 1.0, float(j), 1) for j in interior])
    U = np.array([_interp_weights(nodes, j - 1.0, float(j), 0) for j in interior])
    return W, U


def _start_interior(rhs, ys, accs, h, passes=3):
    """Fill the odd start nodes of ys (k+1, 6, N), accs (k+1, 3, N), k even, whose even nodes
    come from DOP853 steps of 2h: quintic Hermite first guess, then ``passes`` collocation sweeps
    (_start_weights), each with one force evaluation batched over all odd nodes (the force model
    is autonomous). A sweep shrinks the error by ~2 (n h)^2 sum|W| (~0.06 at n h = 0.16): the
    guess is good to ~0.2 m at the ISS, three sweeps to < 1e-4 m."""
    nlast = ys.shape[0] - 1
    n = ys.shape[2]
    W, U = _start_weights(nlast)
    n_int = nlast // 2
    y0, y1 = ys[0:-1:2], ys[2::2]  # (n_int, 6, N) views
    a0, a1 = accs[0:-1:2], accs[2::2]
    big = 2.0 * h
    # positions in the force model's layout (3, n_int * N); `rt` is the (n_int, 3, N) view
    r_int = np.empty((3, n_int, n))
    rt = r_int.transpose(1, 0, 2)
    tmp = np.empty((n_int, 3, n))
    # quintic Hermite at the midpoint: (r0 + r1)/2 + 5/32 H (v0 - v1) + H^2/64 (a0 + a1)
    np.add(y0[:, :3], y1[:, :3], out=rt)
    rt *= 0.5
    np.subtract(y0[:, 3:], y1[:, 3:], out=tmp)
    tmp *= 0.15625 * big
    rt += tmp
    np.add(a0, a1, out=tmp)
    tmp *= big * big / 64.0
    rt += tmp
    base_r = y0[:, 3:] * h
    base_r += y0[:, :3]  # r_{j-1} + h v_{j-1}, (n_int, 3, N)
    need_v = rhs._drag
    v_int = np.empty((3, n_int, n))
    vt = v_int.transpose(1, 0, 2)
    if need_v:
        # Hermite velocity at the midpoint: 15/(8H) (r1 - r0) - 7/16 (v0 + v1) + H/16 (a0 - a1)
        np.subtract(y1[:, :3], y0[:, :3], out=vt)
        vt *= 15.0 / (8.0 * big)
        np.add(y0[:, 3:], y1[:, 3:], out=tmp)
        tmp *= -7.0 / 16.0
        vt += tmp
        np.subtract(a0, a1, out=tmp)
        tmp *= big / 16.0
        vt += tmp
    ib = rhs.ib
    sub_rhs = _Rhs(rhs.force, np.tile(ib, n_int) if np.ndim(ib) else ib)
    af = accs.reshape(nlast + 1, 3 * n)
    a_int = np.empty((3, n_int, n))
    g = np.empty((n_int, 3 * n))
    gt = g.reshape(n_int, 3, n)
    for p in range(passes + 1):
        sub_rhs.acc(0.0, r_int.reshape(3, -1), v_int.reshape(3, -1), a_int.reshape(3, -1))
        accs[1::2] = a_int.transpose(1, 0, 2)
        if p == passes:
            break
        _combine(W, af, g)
        np.multiply(gt, h * h, out=rt)
        rt += base_r
        if need_v:
            _combine(U, af, g)
            np.multiply(gt, h, out=vt)
            vt += y0[:, 3:]
    ys[1::2, :3] = rt
    if need_v:
        ys[1::2, 3:] = vt
    else:
        _combine(U, af, g)
        gt *= h
        gt += y0[:, 3:]
        ys[1::2, 3:] = gt
    rhs.nfev += sub_rhs.nfev * n_int


def _multistep_segment(rhs, y, ta, tb, h_target, order, dense, pece=True, sub=2):
    """Fixed-step Stormer-Cowell predictor-corrector from ta to tb (``_stormer_cowell``).

    Predictor on the ``order`` newest accelerations, corrector on those and the predicted one
    (order + 1 points); PECE mode by default (PEC, ``pece=False``, saves one force evaluation
    per step; stable only for short steps, see ``PEC_MAX_PHASE``). Started
    with DOP853 steps of ``sub`` (1 or 2) multistep steps; with 2 the odd nodes are then found
    by collocation (``_start_interior``), which halves the start's cost at equal accuracy.
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
    X = np.empty((m + 2, m3))
    hist = X[2:].reshape(m, 3, n)  # ring buffer of accelerations; a_k in slot k % m
    if dense:
        ys = np.empty((nsteps + 1, 6, n))
        accs = np.empty((nsteps + 1, 3, n))
    # ---- start: DOP853 steps of size sub*h (or h when the segment is short); the interior
    # nodes of each big step are then found by collocation (see _start_weights).
    nstart = min(m - 1, nsteps)
    if nstart < nsteps:
        nbig = -(-nstart // sub)
        nstart = nbig * sub
        if nstart >= nsteps - 1:
            sub, nbig, nstart = 1, nsteps, nsteps
    else:
        sub, nbig = 1, nsteps
    w = _RKWork(n)
    ys0 = np.empty((nstart + 1, 6, n))
    as0 = np.empty((nstart + 1, 3, n))
    w.r0[...] = y[:3]
    w.v0[...] = y[3:]
    rhs.acc(ta, w.r0, w.v0, w.ka[0])
    ys0[0] = y
    as0[0] = w.ka[0]
    H = sub * h
    for b in range(nbig):
        y1 = _dop853_step(rhs, ta + b * H, w, H)
        w.accept(y1)
        k = (b + 1) * sub
        ys0[k, :3] = w.r0
        ys0[k, 3:] = w.v0
        as0[k] = w.ka[0]
    r = w.r0.copy()
    v = w.v0.copy()
    if sub == 2:
        _start_interior(rhs, ys0, as0, h)
    for k in range(max(0, nstart - m + 1), nstart + 1):
        hist[k % m] = as0[k]
    if dense:
        ys[: nstart + 1] = ys0
        accs[: nstart + 1] = as0
    if nstart >= nsteps:
        yf = np.concatenate((r, v))
        return t_nodes, (ys if dense else None), (accs if dense else None), yf
    # ---- multistep, Stormer-Cowell form (positions only; see _stormer_cowell). X = [r_a, r_b,
    # a ring buffer]: r_n and r_{n-1} alternate between rows 0 and 1 (no copies), a_k is in ring
    # slot k % m. One matrix product gives the predicted position, the extrapolated acceleration
    # and, when needed (drag, dense output, last step), the predicted velocity; the corrector is
    # the predictor plus (a_pred - a_extrap) times the corrector's a_{n+1} weights.
    sp, ext, sq, c0r, c0v = _stormer_cowell(m)
    need_v_always = rhs._drag or dense
    coef = np.zeros((2, m, 3, m + 2))  # [parity of n, slot of a_n, row, column of X]
    for q in range(2):
        for p in range(m):
            c = coef[q, p]
            c[0, q] = 2.0  # r_n
            c[0, 1 - q] = -1.0  # r_{n-1}
            c[2, q] = 1.0 / h
            c[2, 1 - q] = -1.0 / h
            for j in range(m):
                col = 2 + (p - j) % m
                c[0, col] = h * h * sp[j]
                c[1, col] = ext[j]
                c[2, col] = h * sq[j]
    if not pece:  # PEC: no corrector, the extrapolated acceleration is not needed
        coef[:, :, [1, 2]] = coef[:, :, [2, 1]]
    n_rows_v = 2 if not pece else 3
    n_rows = 1 if not pece else 2
    cr0 = h * h * c0r
    cv0 = h * c0v
    X[nstart % 2] = r.reshape(m3)
    X[1 - nstart % 2] = ys0[nstart - 1, :3].reshape(m3)
    g = np.empty((3, m3))
    rp = g[0].reshape(3, n)
    vp = (g[1] if not pece else g[2]).reshape(3, n)
    ap = np.empty((3, n))
    apf = ap.reshape(m3)
    diff = g[1]
    v = np.empty((3, n))
    vf = v.reshape(m3)
    last = nsteps - 1
    for k in range(nstart, nsteps):
        q = k % 2  # r_k is in row q of X, r_{k-1} in row 1 - q
        need_v = need_v_always or k == last
        rows = n_rows_v if need_v else n_rows
        _combine(coef[q, k % m, :rows], X, g[:rows])
        t_new = t_nodes[k + 1]
        slot = hist[(k + 1) % m]
        r_new = X[1 - q]  # r_{k-1} is no longer needed: r_{k+1} goes there
        if pece:
            rhs.acc(t_new, rp, vp, ap)
            np.subtract(apf, diff, out=diff)
            np.multiply(diff, cr0, out=r_new)
            r_new += g[0]
            r = r_new.reshape(3, n)
            if need_v:
                np.multiply(diff, cv0, out=vf)
                vf += g[2]
            rhs.acc(t_new, r, v, slot)
        else:
            r_new[...] = g[0]
            r = r_new.reshape(3, n)
            if need_v:
                vf[...] = g[1]
            rhs.acc(t_new, r, v, slot)
        if dense:
            ys[k + 1, :3] = r
            ys[k + 1, 3:] = v
            accs[k + 1] = slot
    yf = np.concatenate((r, v))
    return t_nodes, (ys if dense else None), (accs if dense else None), yf


# ------------------------------------------------------------------------------------------------
def _cat(parts):
    """np.concatenate without the copy when there is one part."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


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
        Multistep step size, s. Default: ``AUTO_STEP_PHASE`` / n with n the mean motion at the
        batch's lowest perigee (~160 s at the ISS), recomputed after each impulse; each segment
        between impulses is divided into equal steps no longer than this. Results for one state
        depend (at the 1e-2 m level) on the rest of the batch only through this choice. The
        default targets ~1 m over 3 h; over a day it gives ~1-3 m (J2-J4 + drag at 200-420 km),
        over 50 h at 200 km ~20 m: for long arcs pass e.g. ``step=60`` (0.2 m/day).
    order : int
        Multistep order (number of accelerations in the predictor), 6..12; default 12. Orders
        above ~12 are not more accurate at the same step (stability-bound, see RESULTS).
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
    if order not in _MS_ORDERS:
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
            n_max = _mean_motion_max(y, force)
            h_seg = min(MAX_AUTO_STEP, AUTO_STEP_PHASE / n_max) if h_target is None else h_target
            pece = not (order in (10, 12) and n_max * h_seg <= PEC_MAX_PHASE)
            tn, yn, an, y = _multistep_segment(rhs, y, ta, tb, h_seg, order, dense, pece=pece)
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
        node_t = _cat(builder.node_t)
        nodes = _cat(builder.nodes)
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
        _starts=_cat(builder.step_start) if kind else None,
        _h=_cat(builder.step_h) if kind else None,
        _node0=_cat(builder.step_node0) if kind else None,
        _nodes=nodes,
        _acc=_cat(builder.accs) if (kind == "hermite") else None,
        _F=_cat(builder.F) if (kind == "dop853") else None,
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
