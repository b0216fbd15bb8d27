"""Event and minimum search on dense trajectories, for all N states at once.

``find_crossings``: the first sign change of ``g(t, y)`` per state (grid scan, then Illinois
regula falsi with a bisection every third iteration). ``find_minimum``: the minimum of
``f(t, y)`` per state (grid scan, then golden-section search).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

__all__ = ["find_crossings", "find_minimum"]


class _Dense(Protocol):
    def _eval(self, t: np.ndarray, per_state: bool) -> np.ndarray: ...


EventFunction = Callable[[float | np.ndarray, np.ndarray], np.ndarray]
"""``g(t, y)``: t a float or (N,) per-state times (s), y the (6, N) states; returns (N,)."""


def _grid(t_lo: float, t_hi: float, n_grid: int) -> np.ndarray:
    t_lo = float(t_lo)
    t_hi = float(t_hi)
    if not t_hi > t_lo:
        raise ValueError(f"t_lo, t_hi: need t_lo < t_hi, got {t_lo}, {t_hi}")
    if n_grid < 2:
        raise ValueError("n_grid: need at least 2 grid points")
    return np.linspace(t_lo, t_hi, int(n_grid))


def _scan(traj: _Dense, fn: EventFunction, grid: np.ndarray) -> np.ndarray:
    """fn on the grid: (N, len(grid))."""
    ys = traj._eval(grid, per_state=False)  # (6, N, m)
    vals = np.empty((ys.shape[1], len(grid)))
    for j, tj in enumerate(grid):
        vals[:, j] = fn(float(tj), ys[:, :, j])
    return vals


def _illinois(
    traj: _Dense,
    g: EventFunction,
    bracket: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    active: np.ndarray,
    out: np.ndarray,
    tol: float,
) -> None:
    """Refine the brackets (lo, hi, g(lo), g(hi)) of the ``active`` states into ``out``:
    Illinois (modified regula falsi) with a bisection every third iteration for guaranteed
    shrinking; all states refined together on the dense output."""
    lo, hi, glo, ghi = bracket
    side = np.zeros(len(out))
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
        gm = np.asarray(g(tm, traj._eval(tm, per_state=True)), dtype=float)
        same_lo = np.sign(gm) == np.sign(glo)
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


def find_crossings(
    traj: _Dense,
    g: EventFunction,
    t_lo: float,
    t_hi: float,
    *,
    n_grid: int = 200,
    direction: int = 0,
    tol: float = 1e-4,
) -> np.ndarray:
    """First time in [t_lo, t_hi] where ``g(t, y)`` changes sign, per state.

    Parameters
    ----------
    traj : Trajectory or PiecewiseTrajectory
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
    grid = _grid(t_lo, t_hi, n_grid)
    gv = _scan(traj, g, grid)
    n = gv.shape[0]
    a = gv[:, :-1]
    b = gv[:, 1:]
    if direction > 0:
        hit = (a < 0) & (b >= 0)
    elif direction < 0:
        hit = (a > 0) & (b <= 0)
    else:
        hit = ((a < 0) & (b >= 0)) | ((a > 0) & (b <= 0))
    zero_first = gv[:, 0] == 0
    j = np.argmax(hit, axis=1)
    out = np.full(n, np.nan)
    out[zero_first] = grid[0]
    todo = hit.any(axis=1) & ~zero_first
    if not np.any(todo):
        return out
    rows = np.arange(n)
    hi = grid[j + 1].copy()
    ghi = gv[rows, j + 1].copy()
    exact = todo & (ghi == 0)
    out[exact] = hi[exact]
    bracket = (grid[j].copy(), hi, gv[rows, j].copy(), ghi)
    _illinois(traj, g, bracket, todo & ~exact, out, tol)
    return out


_GOLD = 0.5 * (np.sqrt(5.0) - 1.0)


def find_minimum(
    traj: _Dense,
    f: EventFunction,
    t_lo: float,
    t_hi: float,
    *,
    n_grid: int = 200,
    tol: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """Time and value of the minimum of ``f(t, y)`` over [t_lo, t_hi], per state.

    ``f(t, y)`` takes a float or (N,) time (s) and (6, N) states and returns (N,). The grid
    minimum is refined by golden-section search over the two neighbouring grid intervals to
    ``tol`` seconds (default 0.1 ms); a minimum at a window end is refined inside the end
    interval. Returns ``(t_min (N,), f_min (N,))``; NaN where f is NaN everywhere.
    """

    def fe(tt: np.ndarray) -> np.ndarray:
        return np.asarray(f(tt, traj._eval(tt, per_state=True)), dtype=float)

    grid = _grid(t_lo, t_hi, n_grid)
    fv = _scan(traj, f, grid)
    n = fv.shape[0]
    allnan = np.all(np.isnan(fv), axis=1)
    j = np.argmin(np.where(np.isnan(fv), np.inf, fv), axis=1)
    lo = grid[np.maximum(j - 1, 0)]
    hi = grid[np.minimum(j + 1, len(grid) - 1)]
    x1 = hi - _GOLD * (hi - lo)
    x2 = lo + _GOLD * (hi - lo)
    f1 = fe(x1)
    f2 = fe(x2)
    while np.max(hi - lo) > tol:
        left = f1 <= f2  # minimum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x = np.where(left, hi - _GOLD * (hi - lo), lo + _GOLD * (hi - lo))
        fn = fe(new_x)
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
