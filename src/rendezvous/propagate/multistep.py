"""Fixed-step Stormer-Cowell predictor-corrector for a batch, r'' = a(t, r, r').

    r_{n+1} = 2 r_n - r_{n-1} + h^2 sum_j s_j a_{n-j}
    v_{n+1} = (r_{n+1} - r_n) / h + h sum_j q_j a_{n+1-j}

where s_j and q_j integrate the polynomial through recent accelerations (exactly:
``r(t+h) - 2 r(t) + r(t-h) = h^2 int_{-1}^{1} (1 - |s|) a(t + s h) ds``; the form behind
Gauss-Jackson, Berry & Healy 2004, J. Astronaut. Sci. 52, 331). Explicit (Stormer) predictor on the
``order`` newest accelerations, implicit (Cowell) corrector on those plus the new one, PECE mode
(two force evaluations per step; PEC, one, for order 10 or 12 when the step is short enough for it
to be stable: ``PEC_MAX_PHASE``). Velocities are only formed when needed (drag, dense output, the
final state). Each segment (between impulses) is started with DOP853 steps of 2h whose mid-points
are then found by collocation with all start-up accelerations.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .batch import _combine, _Rhs
from .dop853 import _dop853_step, _RKWork

MS_ORDERS = (6, 7, 8, 9, 10, 11, 12)
"""Multistep orders accepted by ``propagate`` (number of accelerations in the predictor)."""
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


@lru_cache(maxsize=16)
def _adams_stormer(order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
def _stormer_cowell(order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
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


@lru_cache(maxsize=16)
def _start_weights(nlast: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights for the odd (interior) start nodes j = 1, 3, ..., nlast - 1 from node j - 1:
    r_j = r_{j-1} + h v_{j-1} + h^2 sum_k W[i, k] a_k, v_j = v_{j-1} + h sum_k U[i, k] a_k, with
    the polynomial through the accelerations at all nodes 0..nlast. Returns (W, U)."""
    nodes = np.arange(nlast + 1, dtype=float)
    interior = range(1, nlast, 2)
    W = np.array([_interp_weights(nodes, j - 1.0, float(j), 1) for j in interior])
    U = np.array([_interp_weights(nodes, j - 1.0, float(j), 0) for j in interior])
    return W, U


def _hermite_midpoints(
    ys: np.ndarray, accs: np.ndarray, big: float, rt: np.ndarray, vt: np.ndarray | None
) -> None:
    """Quintic Hermite guess at the mid-points of the steps of size ``big`` between the even
    nodes of ys (k+1, 6, N) / accs (k+1, 3, N): positions into rt, velocities into vt
    (n_int, 3, N) if given."""
    y0, y1 = ys[0:-1:2], ys[2::2]  # (n_int, 6, N) views
    a0, a1 = accs[0:-1:2], accs[2::2]
    tmp = np.empty(rt.shape)
    # (r0 + r1)/2 + 5/32 H (v0 - v1) + H^2/64 (a0 + a1)
    np.add(y0[:, :3], y1[:, :3], out=rt)
    rt *= 0.5
    np.subtract(y0[:, 3:], y1[:, 3:], out=tmp)
    tmp *= 0.15625 * big
    rt += tmp
    np.add(a0, a1, out=tmp)
    tmp *= big * big / 64.0
    rt += tmp
    if vt is not None:
        # 15/(8H) (r1 - r0) - 7/16 (v0 + v1) + H/16 (a0 - a1)
        np.subtract(y1[:, :3], y0[:, :3], out=vt)
        vt *= 15.0 / (8.0 * big)
        np.add(y0[:, 3:], y1[:, 3:], out=tmp)
        tmp *= -7.0 / 16.0
        vt += tmp
        np.subtract(a0, a1, out=tmp)
        tmp *= big / 16.0
        vt += tmp


def _start_interior(rhs: _Rhs, ys: np.ndarray, accs: np.ndarray, h: float, passes: int = 3) -> None:
    """Fill the odd start nodes of ys (k+1, 6, N), accs (k+1, 3, N), k even, whose even nodes
    come from DOP853 steps of 2h: quintic Hermite first guess, then ``passes`` collocation sweeps
    (_start_weights), each with one force evaluation batched over all odd nodes (the force model
    is autonomous). A sweep shrinks the error by ~2 (n h)^2 sum|W| (~0.06 at n h = 0.16): the
    guess is good to ~0.2 m at the ISS, three sweeps to < 1e-4 m."""
    nlast = ys.shape[0] - 1
    n = ys.shape[2]
    W, U = _start_weights(nlast)
    n_int = nlast // 2
    y0 = ys[0:-1:2]
    # positions in the force model's layout (3, n_int * N); `rt` is the (n_int, 3, N) view
    r_int = np.empty((3, n_int, n))
    rt = r_int.transpose(1, 0, 2)
    need_v = rhs.needs_velocity
    v_int = np.empty((3, n_int, n))
    vt = v_int.transpose(1, 0, 2)
    _hermite_midpoints(ys, accs, 2.0 * h, rt, vt if need_v else None)
    base_r = y0[:, 3:] * h
    base_r += y0[:, :3]  # r_{j-1} + h v_{j-1}, (n_int, 3, N)
    ib = rhs.ib
    sub_rhs = _Rhs(rhs.force, np.tile(ib, n_int) if isinstance(ib, np.ndarray) else ib)
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


def _start_plan(m: int, nsteps: int, sub: int) -> tuple[int, int, int]:
    """(nstart, nbig, sub): start-up nodes (m - 1 of them, or the whole segment if it is short),
    taken as nbig DOP853 steps of sub steps each."""
    nstart = min(m - 1, nsteps)
    if nstart < nsteps:
        nbig = -(-nstart // sub)
        nstart = nbig * sub
        if nstart >= nsteps - 1:
            sub, nbig, nstart = 1, nsteps, nsteps
    else:
        sub, nbig = 1, nsteps
    return nstart, nbig, sub


def _ms_start(
    rhs: _Rhs, y: np.ndarray, ta: float, h: float, nstart: int, nbig: int, sub: int
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``nstart`` + 1 nodes of a segment: states (nstart+1, 6, N) and accelerations
    (nstart+1, 3, N), from DOP853 steps of sub*h; with sub = 2 the odd nodes are then found by
    collocation (``_start_interior``), which halves the start's cost at equal accuracy."""
    n = y.shape[1]
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
    if sub == 2:
        _start_interior(rhs, ys0, as0, h)
    return ys0, as0


def _sc_coefficients(m: int, h: float, pece: bool) -> np.ndarray:
    """Rows of the history combination, [parity of n, slot of a_n, row, column of X] with
    X = [r_a, r_b, ring of m accelerations]: rows predicted position, extrapolated acceleration,
    predicted velocity (PECE) or position, velocity (PEC)."""
    sp, ext, sq, _, _ = _stormer_cowell(m)
    coef = np.zeros((2, m, 3, m + 2))
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
    return coef


def _sc_steps(
    rhs: _Rhs,
    ys0: np.ndarray,
    as0: np.ndarray,
    t_nodes: np.ndarray,
    h: float,
    m: int,
    pece: bool,
    out: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Stormer-Cowell steps of h from the last start node to the end of ``t_nodes``; the start nodes
    ys0, as0 fill the history. ``out`` = (ys, accs) to keep every node, or None. Returns the final
    state (6, N).

    X = [r_a, r_b, ring buffer]: r_n and r_{n-1} alternate between rows 0 and 1 (no copies), a_k
    is in ring slot k % m. One matrix product gives the predicted position, the extrapolated
    acceleration and, when needed (drag, dense output, last step), the predicted velocity; the
    corrector is the predictor plus (a_pred - a_extrap) times the corrector's a_{n+1} weights."""
    nstart = ys0.shape[0] - 1
    nsteps = len(t_nodes) - 1
    n = ys0.shape[2]
    m3 = 3 * n
    X = np.empty((m + 2, m3))
    hist = X[2:].reshape(m, 3, n)  # ring buffer of accelerations; a_k in slot k % m
    for k in range(max(0, nstart - m + 1), nstart + 1):
        hist[k % m] = as0[k]
    coef = _sc_coefficients(m, h, pece)
    _, _, _, c0r, c0v = _stormer_cowell(m)
    need_v_always = rhs.needs_velocity or out is not None
    n_rows_v, n_rows = (3, 2) if pece else (2, 1)
    cr0 = h * h * c0r
    cv0 = h * c0v
    X[nstart % 2] = ys0[nstart, :3].reshape(m3)
    X[1 - nstart % 2] = ys0[nstart - 1, :3].reshape(m3)
    g = np.empty((3, m3))
    rp = g[0].reshape(3, n)
    vp = (g[2] if pece else g[1]).reshape(3, n)
    ap = np.empty((3, n))
    apf = ap.reshape(m3)
    diff = g[1]
    v = np.empty((3, n))
    vf = v.reshape(m3)
    r = rp
    for k in range(nstart, nsteps):
        q = k % 2  # r_k is in row q of X, r_{k-1} in row 1 - q
        need_v = need_v_always or k == nsteps - 1
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
            if need_v:
                np.multiply(diff, cv0, out=vf)
                vf += g[2]
        else:
            r_new[...] = g[0]
            if need_v:
                vf[...] = g[1]
        r = r_new.reshape(3, n)
        rhs.acc(t_new, r, v, slot)
        if out is not None:
            out[0][k + 1, :3] = r
            out[0][k + 1, 3:] = v
            out[1][k + 1] = slot
    return np.concatenate((r, v))


def _multistep_segment(
    rhs: _Rhs,
    y: np.ndarray,
    ta: float,
    tb: float,
    h_target: float,
    order: int,
    dense: bool,
    pece: bool = True,
    sub: int = 2,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Fixed-step Stormer-Cowell predictor-corrector from ta to tb (``_stormer_cowell``).

    Predictor on the ``order`` newest accelerations, corrector on those and the predicted one
    (order + 1 points); PECE mode by default (PEC, ``pece=False``, saves one force evaluation
    per step; stable only for short steps, see ``PEC_MAX_PHASE``). Started with DOP853 steps of
    ``sub`` (1 or 2) multistep steps (``_ms_start``).
    Returns (t_nodes, y_nodes (k+1, 6, N) or None, a_nodes (k+1, 3, N) or None, y_final (6, N)).
    """
    n = y.shape[1]
    span = tb - ta
    nsteps = max(1, int(np.ceil(abs(span) / h_target - 1e-9)))
    h = span / nsteps
    t_nodes = ta + h * np.arange(nsteps + 1)
    t_nodes[-1] = tb
    nstart, nbig, sub = _start_plan(order, nsteps, sub)
    ys0, as0 = _ms_start(rhs, y, ta, h, nstart, nbig, sub)
    out = None
    if dense:
        out = (np.empty((nsteps + 1, 6, n)), np.empty((nsteps + 1, 3, n)))
        out[0][: nstart + 1] = ys0
        out[1][: nstart + 1] = as0
    if nstart >= nsteps:
        yf = ys0[-1].copy()
    else:
        yf = _sc_steps(rhs, ys0, as0, t_nodes, h, order, pece, out)
    ys, accs = out if out is not None else (None, None)
    return t_nodes, ys, accs, yf
