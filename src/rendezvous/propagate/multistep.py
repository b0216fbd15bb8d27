"""Fixed-step Stormer-Cowell predictor-corrector for a batch, r'' = a(t, r, r').

    r_{n+1} = 2 r_n - r_{n-1} + h^2 sum_j s_j a_{n-j}
    v_{n+1} = (r_{n+1} - r_n) / h + h sum_j q_j a_{n+1-j}

where s_j and q_j integrate the polynomial through recent accelerations (exactly:
``r(t+h) - 2 r(t) + r(t-h) = h^2 int_{-1}^{1} (1 - |s|) a(t + s h) ds``; the form behind
Gauss-Jackson, Berry & Healy 2004, J. Astronaut. Sci. 52, 331). Explicit (Stormer) predictor on the
``order`` newest accelerations, implicit (Cowell) corrector on those plus the new one, PECE mode
(two force evaluations per step); for order 10 or 12 at steps short enough for it to be stable, PEC
(one: the predicted position and its acceleration are kept, ``PEC_MAX_PHASE``); for order 10 at
somewhat longer steps, corrected PEC (PEC-C, one: the corrector is applied with the acceleration
at the predicted position, which is the one kept in the history, ``PECC_MAX_PHASE``; the
``auto`` mode). Velocities are only formed when needed (drag, dense output, the
final state). Each segment (between impulses) is started by ``start._start_nodes``: DOP853 steps
of 2h or 3h whose interior nodes are then found by collocation with all start-up accelerations.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .batch import _combine, _Rhs
from .start import _interp_weights, _start_nodes

MS_ORDERS = (6, 7, 8, 9, 10, 11, 12)
"""Multistep orders accepted by ``propagate`` (number of accelerations in the predictor)."""
DEFAULT_ORDER = 12
"""Order with a given step."""
AUTO_ORDER = 10
"""Order with the automatic step (``AUTO_STEP_PHASE``): corrected PEC, ``PECC_MAX_PHASE``."""
AUTO_STEP_PHASE = 0.11
"""``auto`` step: this many radians of the fastest mean motion at perigee (~96 s at the ISS), with
order 10 in corrected PEC mode (one force evaluation per step, ``PECC_MAX_PHASE``). Measured
0.013 m after 3 h (J2, ISS-like; order 12 PEC at 0.10, the previous ``auto``: 0.012 m with 16 %
more force evaluations) and 0.03-0.13 m per 1-2 days two-body at 200 km, e <= 0.02; see
benchmarks/RESULTS_propagator.md."""
MAX_AUTO_STEP = 600.0
"""Upper bound of the ``auto`` step, s."""
PEC_MAX_PHASE = {10: 0.08, 12: 0.10}
"""Up to this n h (n the fastest mean motion, at the lowest perigee) orders 10 and 12 run in PEC
mode, one force evaluation per step; otherwise PECE (two). Measured (Stormer-Cowell PEC,
two-body, 200 km, e = 0-0.02): order 12 is stable to n h ~ 0.12 (unstable from 0.125: 1e5 m
after 3 days circular), with 2-40 mm per day at 0.10; order 10 at 0.08 loses 0.025 m in 50 h.
Lower orders lose metres to kilometres in PEC, so they keep PECE."""
BLOCK = 5000
"""Without dense output, batches of more than 1.5 BLOCK states are integrated in column blocks of
about this many states
(same steps for all, same results to rounding), so that more of a block's history and force-model
temporaries stay in cache: 5-8 % less CPU time at N = 10,000 on the loaded test machine."""
START_SUB_PHASE = 0.12
"""Up to this n h, and without drag, the start-up takes DOP853 steps of 3 h (2 collocation
sweeps), otherwise of 2 h (3 sweeps): the DOP853 step stays <= 0.36 rad of the fastest mean motion
(``start``). With drag the density table's slope kinks cost the longer steps accuracy (order 10
at 60 s, J2-J4 + drag, 3 h: 0.019 m with 3 h anchor steps, 0.016 m with 2 h)."""


PECC_MAX_PHASE = {10: 0.11}
"""Above ``PEC_MAX_PHASE`` and up to this n h, order 10 runs in corrected PEC mode (PEC-C, the
P(EC) mode of a predictor-corrector pair: Lambert, *Numerical Methods for Ordinary Differential
Systems*, Wiley 1991, ch. 4): one force evaluation per step, at the predicted position; the
step's position (and velocity) are then corrected with it, and the acceleration at the predicted
position goes into the history.
Measured (two-body, 200 km circular, 3 days): 0.035 m at n h = 0.10, 0.11 m at 0.11, 0.32 m at
0.12, unstable from 0.125 (1.9e9 m); 3 h J2 (benchmark states): 0.005, 0.012, 0.030 m. Order 12
is unstable in this mode (38 m after 3 h at 0.10)."""


def _segment_plan(order: int, phase: float, drag: bool) -> tuple[str, int, int]:
    """(mode, sub, passes) for a segment of steps of ``phase`` = n h radians; mode "pec",
    "pecc" or "pece" (one, one or two force evaluations per step)."""
    if phase <= PEC_MAX_PHASE.get(order, -1.0):
        mode = "pec"
    elif phase <= PECC_MAX_PHASE.get(order, -1.0):
        mode = "pecc"
    else:
        mode = "pece"
    if phase <= START_SUB_PHASE and not drag:
        return mode, 3, 2
    return mode, 2, 3


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


def _start_plan(m: int, nsteps: int, sub: int) -> tuple[int, int]:
    """(nstart, sub): start-up nodes (m - 1 of them rounded up to a multiple of sub, or the whole
    segment if it is short, then with sub = 1: DOP853 steps of h only)."""
    nstart = min(m - 1, nsteps)
    if nstart < nsteps:
        nstart = -(-nstart // sub) * sub
        if nstart >= nsteps - 1:
            sub, nstart = 1, nsteps
    else:
        sub = 1
    return nstart, sub


def _sc_coefficients(m: int, h: float, pece: bool) -> np.ndarray:
    """Rows of the history combination, [parity of n, slot of a_n, row, column of X] with
    X = [r_a, r_b, ring of m accelerations]: rows predicted position, extrapolated acceleration,
    predicted velocity (``pece``: PECE and PEC-C) or position, velocity (PEC)."""
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


def _history(ys0, as0, t_nodes, m: int) -> tuple[int, int, int, np.ndarray, np.ndarray]:
    """(nstart, nsteps, n, X, hist) of a Stormer-Cowell run: the start's last node, the steps,
    the number of states, the (m + 2, 3 n) work matrix X whose rows 2.. are ``hist``, the ring
    buffer of accelerations (a_k in slot k % m), filled from the start's ``as0``."""
    nstart = ys0.shape[0] - 1
    nsteps = len(t_nodes) - 1
    n = ys0.shape[2]
    X = np.empty((m + 2, 3 * n))
    hist = X[2:].reshape(m, 3, n)
    for k in range(max(0, nstart - m + 1), nstart + 1):
        hist[k % m] = as0[k]
    return nstart, nsteps, n, X, hist


def _sc_steps(
    rhs: _Rhs,
    ys0: np.ndarray,
    as0: np.ndarray,
    t_nodes: np.ndarray,
    h: float,
    m: int,
    mode: str,
    out: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Stormer-Cowell steps of h from the last start node to the end of ``t_nodes``; the start nodes
    ys0, as0 fill the history. ``out`` = (ys, accs) to keep every node, or None. Returns the final
    state (6, N).

    X = [r_a, r_b, ring buffer]: r_n and r_{n-1} alternate between rows 0 and 1 (no copies), a_k
    is in ring slot k % m. One matrix product gives the predicted position, the extrapolated
    acceleration and, when needed (drag, dense output, last step), the predicted velocity; the
    corrector is the predictor plus (a_pred - a_extrap) times the corrector's a_{n+1} weights."""
    nstart, nsteps, n, X, hist = _history(ys0, as0, t_nodes, m)
    m3 = 3 * n
    pece = mode == "pece"
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
        _combine(coef[q, k % m, :rows], X, g[:rows], rhs.exact)
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


@lru_cache(maxsize=16)
def _scc_coefficients(m: int, h: float) -> np.ndarray:
    """``_sc_coefficients`` for PEC-C with X = [Q_a, Q_b, ring] where Q_k = r_k - h^2 c0r a_k
    (the corrected position less its a_k term): rows predicted position, Q_{k+1},
    v_{k+1} - h c0v a_{k+1}, predicted velocity (for drag); [parity, slot of a_k, row, column]."""
    base = _sc_coefficients(m, h, True)  # rows: predicted position, extrapolated a, velocity
    _, _, _, c0r, c0v = _stormer_cowell(m)
    cr0, cv0 = h * h * c0r, h * c0v
    coef = np.zeros((2, m, 4, m + 2))
    for q in range(2):
        for p in range(m):
            c = base[q, p].copy()
            # r_k = Q_k + cr0 a_k (slot p), r_{k-1} = Q_{k-1} + cr0 a_{k-1} (slot p - 1)
            c[:, 2 + p] += cr0 * c[:, q]
            c[:, 2 + (p - 1) % m] += cr0 * c[:, 1 - q]
            coef[q, p] = (c[0], c[0] - cr0 * c[1], c[2] - cv0 * c[1], c[2])
    return coef


def _scc_steps(
    rhs: _Rhs,
    ys0: np.ndarray,
    as0: np.ndarray,
    t_nodes: np.ndarray,
    h: float,
    m: int,
    out: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """``_sc_steps`` in corrected PEC mode (PEC-C, ``PECC_MAX_PHASE``): one force evaluation per
    step, at the predicted position; that acceleration a_{k+1} goes into the history and the
    corrected position is r_{k+1} = Q_{k+1} + h^2 c0r a_{k+1}, with Q_{k+1} (predictor minus
    c0r times the extrapolated acceleration) formed in the same matrix product as the predicted
    position. X keeps Q_k, Q_{k-1} instead of r_k, r_{k-1} (``_scc_coefficients``), so a step
    is one matrix product, one force evaluation and one copy."""
    nstart, nsteps, n, X, hist = _history(ys0, as0, t_nodes, m)
    m3 = 3 * n
    coef = _scc_coefficients(m, h)
    cr0 = h * h * _stormer_cowell(m)[3]
    cv0 = h * _stormer_cowell(m)[4]
    for k in (nstart, nstart - 1):
        np.multiply(as0[k], -cr0, out=X[k % 2].reshape(3, n))
        X[k % 2] += ys0[k, :3].reshape(m3)
    need_v_always = rhs.needs_velocity or out is not None
    rows_v = 4 if rhs.needs_velocity else 3
    g = np.empty((4, m3))
    rp = g[0].reshape(3, n)
    vp = g[3].reshape(3, n)  # the predicted velocity: only formed (and used) with drag
    r = np.empty((3, n))
    v = np.empty((3, n))
    for k in range(nstart, nsteps):
        q = k % 2  # Q_k is in row q of X, Q_{k-1} in row 1 - q
        need_v = need_v_always or k == nsteps - 1
        rows = rows_v if need_v else 2
        _combine(coef[q, k % m, :rows], X, g[:rows], rhs.exact)  # X read once for all rows
        slot = hist[(k + 1) % m]
        rhs.acc(t_nodes[k + 1], rp, vp, slot)
        X[1 - q] = g[1]  # Q_{k+1} replaces Q_{k-1}
        if need_v:
            np.multiply(slot, cv0, out=v)
            v += g[2].reshape(3, n)
        if out is not None or k == nsteps - 1:
            np.multiply(slot, cr0, out=r)
            r += g[1].reshape(3, n)
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
    n_max: float,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Fixed-step Stormer-Cowell predictor-corrector from ta to tb (``_stormer_cowell``).

    Predictor on the ``order`` newest accelerations, corrector on those and the predicted one
    (order + 1 points); PECE mode, or PEC (one force evaluation per step) for short steps
    (``PEC_MAX_PHASE``, with ``n_max`` the fastest mean motion). Started by
    ``start._start_nodes`` (DOP853 steps of 2 or 3 multistep steps, ``START_SUB_PHASE``).
    Returns (t_nodes, y_nodes (k+1, 6, N) or None, a_nodes (k+1, 3, N) or None, y_final (6, N)).
    """
    n = y.shape[1]
    span = tb - ta
    nsteps = max(1, int(np.ceil(abs(span) / h_target - 1e-9)))
    h = span / nsteps
    t_nodes = ta + h * np.arange(nsteps + 1)
    t_nodes[-1] = tb
    mode, sub, passes = _segment_plan(order, n_max * abs(h), rhs.needs_velocity)
    nstart, sub = _start_plan(order, nsteps, sub)
    ys0, as0 = _start_nodes(rhs, y, ta, h, nstart, sub, passes, keep_v=dense or nstart >= nsteps)
    out = None
    if dense:
        out = (np.empty((nsteps + 1, 6, n)), np.empty((nsteps + 1, 3, n)))
        out[0][: nstart + 1] = ys0
        out[1][: nstart + 1] = as0
    if nstart >= nsteps:
        yf = ys0[-1].copy()
    elif mode == "pecc":
        yf = _scc_steps(rhs, ys0, as0, t_nodes, h, order, out)
    else:
        yf = _sc_steps(rhs, ys0, as0, t_nodes, h, order, mode, out)
    ys, accs = out if out is not None else (None, None)
    return t_nodes, ys, accs, yf


def _multistep_blocks(
    rhs: _Rhs,
    y: np.ndarray,
    ta: float,
    tb: float,
    h_target: float,
    order: int,
    dense: bool,
    n_max: float,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """``_multistep_segment`` over column blocks of about ``BLOCK`` states (see ``BLOCK``)."""
    n = y.shape[1]
    nblock = int(n / BLOCK + 0.5) if n > 1.5 * BLOCK and not dense else 1
    if nblock == 1:
        return _multistep_segment(rhs, y, ta, tb, h_target, order, dense, n_max)
    edges = np.linspace(0, n, nblock + 1).astype(int)
    parts = []
    nfev = 0
    for i, j in zip(edges[:-1], edges[1:], strict=True):
        ib = rhs.ib[i:j] if isinstance(rhs.ib, np.ndarray) else rhs.ib
        sub = _Rhs(rhs.force, ib, drag=rhs.needs_velocity, exact=rhs.exact)  # same start, mode
        parts.append(_multistep_segment(sub, y[:, i:j], ta, tb, h_target, order, dense, n_max))
        nfev = sub.nfev
    rhs.nfev += nfev
    t_nodes = parts[0][0]
    yf = np.concatenate([p[3] for p in parts], axis=1)
    return t_nodes, None, None, yf
