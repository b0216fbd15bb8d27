"""The front end: ``propagate`` (argument checks, segments between impulses) and ``Impulse``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..forces import ForceModel
from .batch import (
    _as_inv_ballistic,
    _as_state,
    _cat,
    _mean_motion_bound,
    _mean_motion_max,
    _Rhs,
)
from .dop853 import _dop853_segment
from .multistep import (
    AUTO_ORDER,
    AUTO_STEP_PHASE,
    DEFAULT_ORDER,
    MAX_AUTO_STEP,
    MS_ORDERS,
    _multistep_blocks,
)
from .trajectory import Trajectory, _Builder

__all__ = ["Impulse", "propagate", "DEFAULT_FORCE"]

DEFAULT_FORCE = ForceModel()


@dataclass(frozen=True)
class Impulse:
    """An impulsive velocity change applied to all N states at time ``t``.

    Attributes
    ----------
    t : float
        Time of the burn, s since the propagation epoch.
    dv : ndarray (3,) or (3, N)
        Velocity change in GCRS, m/s (one for all states, or one per state); stored read-only.
    """

    t: float
    dv: np.ndarray

    def __post_init__(self) -> None:
        dv = np.array(self.dv, dtype=float)
        if dv.ndim == 0 or dv.shape[0] != 3 or dv.ndim > 2:
            raise ValueError(f"Impulse.dv: got shape {dv.shape}; use (3,) or (3, N) in m/s")
        if not np.isfinite(self.t):
            raise ValueError("Impulse.t: must be a finite time in s since the epoch")
        dv.setflags(write=False)
        object.__setattr__(self, "dv", dv)
        object.__setattr__(self, "t", float(self.t))


def _impulse_dv(imp: Impulse, n: int) -> np.ndarray:
    dv = imp.dv
    if dv.ndim == 1:
        return dv[:, None]
    if dv.shape[1] != n:
        raise ValueError(
            f"impulses: dv of shape {dv.shape} at t={imp.t} does not match N={n} states"
        )
    return dv


@dataclass(frozen=True, eq=False)
class _Settings:
    """Checked integrator settings of one ``propagate`` call."""

    method: str
    order: int
    step: float | None
    rtol: float
    atol: float
    dense: bool


def _check_settings(
    method: str,
    order: int | None,
    step: float | None,
    rtol: float | None,
    atol: float | None,
    dense: bool,
    t_eval: object,
) -> _Settings:
    if method == "auto":
        method = "multistep"
    if method not in ("multistep", "dop853"):
        raise ValueError(f"method: got {method!r}; use 'auto', 'multistep' or 'dop853'")
    if order is None:
        order = AUTO_ORDER if step is None else DEFAULT_ORDER
    if order not in MS_ORDERS:
        raise ValueError(f"order: got {order!r}; use one of {MS_ORDERS}")
    h_target = None if step is None else float(step)
    if h_target is not None and not h_target > 0:
        raise ValueError("step: must be a positive number of seconds")
    if t_eval is not None and not dense:
        raise ValueError("t_eval: needs dense output; drop dense=False")
    return _Settings(
        method=method,
        order=order,
        step=h_target,
        rtol=1e-11 if rtol is None else float(rtol),
        atol=1e-6 if atol is None else float(atol),
        dense=bool(dense),
    )


def _sorted_impulses(
    impulses: Iterable[Impulse], t0: float, t1: float, n: int
) -> list[tuple[float, np.ndarray]]:
    """(t, dv (3, N or 1)) of the impulses within [t0, t1], in the direction of time."""
    d = 1.0 if t1 >= t0 else -1.0
    imps = []
    for imp in impulses:
        if not isinstance(imp, Impulse):
            raise ValueError("impulses: each item must be a rendezvous.propagate.Impulse")
        if d * (imp.t - t0) >= 0 and d * (t1 - imp.t) >= 0:
            imps.append((imp.t, _impulse_dv(imp, n)))
    imps.sort(key=lambda p: d * p[0])
    return imps


def _integrate(
    rhs: _Rhs,
    y: np.ndarray,
    t0: float,
    t1: float,
    imps: list[tuple[float, np.ndarray]],
    cfg: _Settings,
    builder: _Builder,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate segment by segment between impulses. Returns (start state after impulses at
    t0, final state after impulses at t1, bad (N,))."""
    d = 1.0 if t1 >= t0 else -1.0
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
        if cfg.method == "dop853":
            tn, yn, F, b = _dop853_segment(rhs, y, ta, tb, cfg.rtol, cfg.atol, cfg.dense)
            builder.add_block(tn, yn, None, F)
            y = yn[-1].copy()
            bad |= b
        else:
            if cfg.step is None:  # the step from the batch's fastest orbit
                n_max = _mean_motion_max(y, rhs.force)
                h_seg = min(MAX_AUTO_STEP, AUTO_STEP_PHASE / n_max)
            else:  # the mode from a bound that does not depend on the batch
                n_max, h_seg = _mean_motion_bound(rhs.force), cfg.step
            tn, yn_ms, an, y = _multistep_blocks(rhs, y, ta, tb, h_seg, cfg.order, cfg.dense, n_max)
            if cfg.dense and yn_ms is not None:
                builder.add_block(tn, yn_ms, an)
        while i_imp < len(imps) and imps[i_imp][0] == tb:
            y[3:] += imps[i_imp][1]
            i_imp += 1
        ta = tb
    bad |= ~np.all(np.isfinite(y), axis=0)
    return y_start, y, bad


def _make_trajectory(
    builder: _Builder,
    y_start: np.ndarray,
    y: np.ndarray,
    t0: float,
    t1: float,
    cfg: _Settings,
    nfev: int,
    status: np.ndarray,
    scalar: bool,
    t_eval: object,
) -> Trajectory:
    kind = None
    if cfg.dense and t1 != t0:
        kind = "dop853" if cfg.method == "dop853" else "hermite"
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
        method=cfg.method,
        nfev=nfev,
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
        _dir=1.0 if t1 >= t0 else -1.0,
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


def propagate(
    state0: object,
    t0: float,
    t1: float,
    force: ForceModel = DEFAULT_FORCE,
    *,
    inv_ballistic: float | np.ndarray = 0.0,
    impulses: Iterable[Impulse] = (),
    t_eval: object = None,
    method: str = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    step: float | None = None,
    order: int | None = None,
    dense: bool = True,
) -> Trajectory:
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
        Integrator (see the package docstring).
    rtol, atol : float, optional
        DOP853 tolerances (defaults 1e-11 and 1e-6 in m, m/s units). Ignored by "multistep".
    step : float, optional
        Multistep step size, s. Default: ``AUTO_STEP_PHASE`` / n with n the mean motion at the
        batch's lowest perigee (~97 s at the ISS), recomputed after each impulse; each segment
        between impulses is divided into equal steps no longer than this. Results for one state
        depend (at the 1e-2 m level) on the rest of the batch only through this choice. With a
        given step (``method="multistep"``) each state's result is the same to the bit whatever
        else is in the batch (its size, its other states, its order): the PEC/PECE mode is
        chosen from the step and the mean motion at the Earth's surface (``_mean_motion_bound``),
        not from the batch, and the history combinations are formed column by column
        (``batch._combine``; 5-20 % more time than one matrix product). Measured
        with the default (J2-J4 + drag, Cd A/m = 0.005 m^2/kg, circular): 0.014 m after 3 h,
        0.005 m after 24 h and 0.36 m after 50 h at 200 km (the density table's kinks dominate
        there); <= 0.034 m up to 50 h at 420 km. For long arcs low down pass e.g. ``step=60,
        order=10`` (0.24 m after 50 h at 200 km).
    order : int, optional
        Multistep order (number of accelerations in the predictor), 6..12. Default: 10 with the
        automatic step (corrected PEC, one force evaluation per step: ``PECC_MAX_PHASE``), 12
        with a given ``step``. Orders above ~12 are not more accurate at the same step
        (stability-bound, see RESULTS).
    dense : bool
        Keep dense output (``traj(t)``). With False only the final state is kept (faster for
        large batches); incompatible with ``t_eval``.

    Returns
    -------
    Trajectory

    Examples
    --------
    One ISS-like circular orbit (two-body), a quarter of a period, and a batch of two states
    with a 1 m/s prograde burn at 600 s (``TWO_BODY``: point-mass gravity, no drag):

    >>> import numpy as np
    >>> from rendezvous.constants import MU_EARTH
    >>> from rendezvous.forces import TWO_BODY
    >>> from rendezvous.propagate import Impulse, kepler, propagate
    >>> r = 6.778e6
    >>> v = np.sqrt(MU_EARTH / r)
    >>> y0 = np.array([r, 0.0, 0.0, 0.0, v, 0.0])
    >>> quarter = 0.5 * np.pi * np.sqrt(r**3 / MU_EARTH)
    >>> traj = propagate(y0, 0.0, quarter, TWO_BODY)
    >>> np.round(traj.final[:3] / 1e3, 3) + 0.0  # km: a quarter of the way round
    array([   0., 6778.,    0.])
    >>> bool(np.linalg.norm(traj.final - kepler(y0, quarter)) < 0.01)
    True
    >>> traj(np.linspace(0.0, quarter, 5)).shape  # dense output, (6, m)
    (6, 5)
    >>> batch = np.stack([y0, y0], axis=1)  # (6, N) with N = 2
    >>> burned = propagate(batch, 0.0, 1200.0, TWO_BODY, impulses=[Impulse(600.0, [0, 1, 0])])
    >>> burned.final.shape, burned(600.0).shape
    ((6, 2), (6, 2))
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
    cfg = _check_settings(method, order, step, rtol, atol, dense, t_eval)
    imps = _sorted_impulses(impulses, t0, t1, n)
    rhs = _Rhs(force, ib, exact=cfg.method == "multistep" and cfg.step is not None)
    builder = _Builder(n)
    y_start, y, bad = _integrate(rhs, y, t0, t1, imps, cfg, builder)
    status = bad.astype(np.int8)
    return _make_trajectory(builder, y_start, y, t0, t1, cfg, rhs.nfev, status, scalar, t_eval)
