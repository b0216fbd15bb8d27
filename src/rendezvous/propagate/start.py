"""Start-up of the Stormer-Cowell multistep: the first ``order - 1`` nodes of a segment.

The nodes 0, sub, 2 sub, ... ("anchors") come from DOP853 steps of ``sub`` (2 or 3) multistep
steps; the nodes between them are then found by collocation: node j is integrated from its nearest
anchor L,

    r_j = r_L + (j - L) h v_L + h^2 sum_k W_jk a_k,    v_j = v_L + h sum_k U_jk a_k,

with the polynomial through the accelerations at all start nodes (``_interp_weights``), starting
from a quintic Hermite guess between the anchors and sweeping Gauss-Seidel, node by node in time
order, each node's acceleration re-evaluated right after its position is updated (one force
evaluation per node and sweep). Measured at the ISS (benchmark states, largest difference from the
converged collocation after 0, 1, 2, 3 sweeps): n h = 0.18 with sub = 2: 0.40, 0.36, 0.018,
0.001 m; n h = 0.10 with sub = 3: 0.092, 0.0045, 5.6e-5, 7.7e-7 m (n the fastest mean motion).
The DOP853 step sub h is kept <= 0.36 rad of n: at 0.54 (sub = 3 at n h = 0.18) its error alone
costs ~0.7 m after 3 h.

When the acceleration does not depend on the velocity (no drag), the DOP853 stages are formed in
Runge-Kutta-Nystrom fashion: positions only (``dop853``'s r-form), the velocity once per step.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .batch import _combine, _Rhs
from .dop853 import _C, _NS, _UNIT, _dop853_step, _RKWork
from .trajectory import _hermite5


# Multistep and start-up weights. All are integrals of the polynomial interpolating the
# accelerations at integer nodes (units of h): sum_k w_k a_k = int_lo^hi phi(s) p(s) ds, with
# phi = 1 (velocity) or hi - s (position: r(hi) = r(lo) + (hi-lo) v(lo) + int (hi - s) a(s) ds).
# They are found by matching the integrals of Legendre polynomials on the nodes mapped to [-1, 1]
# (a well-conditioned small linear solve; agrees with exact rational arithmetic to ~1e-14, see
# tests), once per order and cached.
def _interp_weights(nodes: object, lo: float, hi: float, kind: int) -> np.ndarray:
    """Weights w (k,) with sum_k w_k a(nodes_k) = int_lo^hi phi(s) p(s) ds (see above);
    ``kind`` 0: phi = 1, 1: phi = hi - s.

    >>> w = _interp_weights([0.0, 1.0], 0.0, 1.0, 0)  # trapezoidal rule
    >>> [round(float(x), 12) for x in w]
    [0.5, 0.5]
    """
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


def _anchor(j: int, sub: int) -> int:
    """Nearest anchor (multiple of sub) of node j; ties go left."""
    off = j % sub
    return j - off if 2 * off <= sub else j - off + sub


@lru_cache(maxsize=32)
def _collocation_weights(nlast: int, sub: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(interior nodes, W, U): rows of position and velocity weights for each interior node
    integrated from its nearest anchor, with the polynomial through all nodes 0..nlast."""
    nodes = np.arange(nlast + 1, dtype=float)
    interior = np.array([j for j in range(1, nlast) if j % sub])
    W = np.array([_interp_weights(nodes, _anchor(j, sub), float(j), 1) for j in interior])
    U = np.array([_interp_weights(nodes, _anchor(j, sub), float(j), 0) for j in interior])
    return interior, W, U


def _nystrom_step(rhs: _Rhs, t: float, w: _RKWork, h: float) -> np.ndarray:
    """``_dop853_step`` for accelerations that do not depend on the velocity: the stages need
    positions only; the velocity is formed at the last stage (the new state). Same numbers as
    ``_dop853_step`` for the positions."""
    n = w.n
    X = w.X
    buf = w.buf
    sc = w.scale
    w.set_h(h)
    rs = buf[0].reshape(3, n)
    vs = buf[1].reshape(3, n)
    for s in range(1, _NS):
        _combine(_UNIT[s][0] * sc[0, : 2 + s], X[: 2 + s], buf[0], rhs.exact)
        rhs.acc(t + _C[s] * h, rs, vs, w.ka[s])
    _combine(_UNIT[_NS] * sc[:, : 2 + _NS], X[: 2 + _NS], buf, rhs.exact)
    rhs.acc(t + h, rs, vs, w.ka[_NS])
    return buf.copy()


def _anchors(
    rhs: _Rhs, y: np.ndarray, ta: float, h: float, ys: np.ndarray, accs: np.ndarray, sub: int
) -> None:
    """Nodes 0, sub, 2 sub, ... of ys (k+1, 6, N) and accs (k+1, 3, N) by DOP853 steps."""
    n = y.shape[1]
    w = _RKWork(n)
    w.r0[...] = y[:3]
    w.v0[...] = y[3:]
    rhs.acc(ta, w.r0, w.v0, w.ka[0])
    ys[0] = y
    accs[0] = w.ka[0]
    step = _dop853_step if rhs.needs_velocity else _nystrom_step
    H = sub * h
    for b in range(1, (ys.shape[0] - 1) // sub + 1):
        y1 = step(rhs, ta + (b - 1) * H, w, H)
        w.accept(y1)
        ys[b * sub, :3] = w.r0
        ys[b * sub, 3:] = w.v0
        accs[b * sub] = w.ka[0]


def _hermite_guess(
    ys2: np.ndarray,
    af: np.ndarray,
    j: int,
    lo: int,
    hi: int,
    x: float,
    H: float,
    rows: int,
    exact: bool = False,
) -> None:
    """Quintic Hermite state at fraction x between nodes lo and hi (H apart) into node j:
    ``rows`` = 1 position only, 2 position and velocity. ys2 (k+1, 2, 3N), af (k+1, 3N)."""
    (b0, b1, b2, b4, b5), (e0, e1, e2, e4, e5) = _hermite5(np.array(x))
    c_lo = np.array([[b0, b1 * H], [e0 / H, e1]])[:rows]
    c_hi = np.array([[1.0 - b0, b4 * H], [-e0 / H, e4]])[:rows]
    c_a = np.array([[b2 * H * H, b5 * H * H], [e2 * H, e5 * H]])[:rows]
    out = ys2[j, :rows]
    tmp = np.empty_like(out)
    _combine(c_lo, ys2[lo], out, exact)
    out += _combine(c_hi, ys2[hi], tmp, exact)
    out += _combine(c_a, af[lo : hi + 1 : hi - lo], tmp, exact)


def _collocate(
    rhs: _Rhs,
    ys: np.ndarray,
    accs: np.ndarray,
    ta: float,
    h: float,
    sub: int,
    passes: int,
    keep_v: bool = True,
) -> None:
    """Fill the interior nodes of ys, accs (anchors set): Hermite guess, then ``passes``
    Gauss-Seidel collocation sweeps (see the module docstring). Without drag and without
    ``keep_v`` the interior nodes' velocities are not formed (left unset)."""
    nlast = ys.shape[0] - 1
    n = ys.shape[2]
    interior, W, U = _collocation_weights(nlast, sub)
    Wh = W * (h * h)
    Uh = U * h
    need_v = rhs.needs_velocity
    af = accs.reshape(nlast + 1, 3 * n)
    ys2 = ys.reshape(nlast + 1, 2, 3 * n)  # rows: position, velocity
    lead = [_anchor(j, sub) for j in interior]
    base = np.empty((len(interior), 3 * n))  # r_L + (j - L) h v_L
    for i, j in enumerate(interior):
        lo = j - j % sub
        x = (j % sub) / sub
        _hermite_guess(ys2, af, j, lo, lo + sub, x, sub * h, 2 if need_v else 1, rhs.exact)
        rhs.acc(ta + j * h, ys[j, :3], ys[j, 3:], accs[j])
        np.multiply(ys2[lead[i], 1], (j - lead[i]) * h, out=base[i])
        base[i] += ys2[lead[i], 0]
    for _ in range(passes):
        for i, j in enumerate(interior):
            r = ys2[j, 0]
            _combine(Wh[i], af, r, rhs.exact)
            r += base[i]
            if need_v:
                _combine(Uh[i], af, ys2[j, 1], rhs.exact)
                ys2[j, 1] += ys2[lead[i], 1]
            rhs.acc(ta + j * h, ys[j, :3], ys[j, 3:], accs[j])
    if not need_v and keep_v:
        for i, j in enumerate(interior):
            _combine(Uh[i], af, ys2[j, 1], rhs.exact)
            ys2[j, 1] += ys2[lead[i], 1]


def _start_nodes(
    rhs: _Rhs,
    y: np.ndarray,
    ta: float,
    h: float,
    nstart: int,
    sub: int,
    passes: int = 3,
    keep_v: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``nstart`` + 1 nodes of a segment (nstart a multiple of sub): states
    (nstart+1, 6, N) and accelerations (nstart+1, 3, N). With ``keep_v`` False (no dense
    output) and no drag, the velocities of the nodes between anchors are left unset: the
    multistep needs positions and accelerations only."""
    n = y.shape[1]
    ys = np.empty((nstart + 1, 6, n))
    accs = np.empty((nstart + 1, 3, n))
    _anchors(rhs, y, ta, h, ys, accs, sub)
    if sub > 1:
        _collocate(rhs, ys, accs, ta, h, sub, passes, keep_v)
    return ys, accs
