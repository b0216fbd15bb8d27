"""Dense trajectories: the result of ``propagate`` and trajectories made of consecutive arcs.

``Trajectory`` keeps the integrator's nodes and evaluates between them: quintic Hermite
interpolation of position, velocity and acceleration for the multistep method (position error
~ (n h)^6 r / 46080 for mean motion n: ~5 mm at h = 160 s in LEO; velocity ~1e-5 m/s), Hairer's
7th-order dense output for DOP853. ``PiecewiseTrajectory`` chains trajectories end to end (for
example the coasts between a flight's burns) behind the same call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .dop853 import _dense_eval

__all__ = ["Trajectory", "PiecewiseTrajectory"]


# Quintic Hermite basis on x in [0, 1] (values and d/dx), for p0, h v0, h^2 a0, p1, h v1, h^2 a1.
def _hermite5(x: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
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


def _hermite_eval(
    y0: np.ndarray, y1: np.ndarray, a0: np.ndarray, a1: np.ndarray, h: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Quintic Hermite state between nodes (y0, a0) and (y1, a1), step h, at fraction x."""
    (b0, b1, b2, b4, b5), (e0, e1, e2, e4, e5) = _hermite5(x)
    pos = b0 * y0[:3] + b1 * h * y0[3:] + b2 * h * h * a0
    pos += (1.0 - b0) * y1[:3] + b4 * h * y1[3:] + b5 * h * h * a1
    vel = (e0 / h) * (y0[:3] - y1[:3]) + e1 * y0[3:] + e2 * h * a0
    vel += e4 * y1[3:] + e5 * h * a1
    return np.concatenate((pos, vel), axis=0)


def _gather(arr: np.ndarray, i: np.ndarray, per_state: bool) -> np.ndarray:
    """arr (k, c, N) rows i: per state (c, N) with state j from row i[j], else (c, N, m)."""
    if per_state:
        return arr[i, :, np.arange(arr.shape[2])].T
    return np.moveaxis(arr[i], 0, -1)


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
    t: np.ndarray
    y: np.ndarray
    t0: float
    t1: float
    method: str
    nfev: int
    status: np.ndarray
    _final: np.ndarray
    _scalar: bool
    _kind: str | None
    _starts: np.ndarray
    _h: np.ndarray
    _node0: np.ndarray
    _nodes: np.ndarray
    _acc: np.ndarray
    _F: np.ndarray
    _dir: float

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Trajectory is read-only")

    def __repr__(self) -> str:
        return (
            f"Trajectory(method={self.method!r}, t0={self.t0}, t1={self.t1}, N={self.n_states}, "
            f"samples={len(self.t)}, nfev={self.nfev})"
        )

    @property
    def n_states(self) -> int:
        """Number of states N in the batch (1 for a (6,) initial state)."""
        return int(self._final.shape[1])

    @property
    def single(self) -> bool:
        """Whether the initial state was a single (6,) state (results drop the N axis)."""
        return bool(self._scalar)

    @property
    def final(self) -> np.ndarray:
        """State at t1 after any impulse at t1: (6, N), or (6,) for a (6,) initial state."""
        return self._final[:, 0].copy() if self._scalar else self._final.copy()

    @property
    def has_dense(self) -> bool:
        """Whether dense output (``traj(t)``) is available."""
        return self._kind is not None

    def __call__(self, t: object) -> np.ndarray:
        t_arr = np.asarray(t, dtype=float)
        out = self._eval(t_arr.reshape(-1), per_state=False)  # (6, N, m)
        if self._scalar:
            out = out[:, 0]
        if t_arr.ndim == 0:
            out = out[..., 0]
        return out

    def state_at(self, t_each: object) -> np.ndarray:
        """State i at time ``t_each[i]`` (s), for all N states at once: (6, N)."""
        t_each = np.asarray(t_each, dtype=float)
        n = self._final.shape[1]
        if t_each.ndim == 0:
            t_each = np.full(n, float(t_each))
        if t_each.shape != (n,):
            raise ValueError(f"t_each: got shape {t_each.shape}; need ({n},), one time per state")
        return self._eval(t_each, per_state=True)

    def _locate(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(key = direction * t clipped to the span, step index, fraction in the step)."""
        if self._kind is None:
            raise ValueError(
                "traj(t): this trajectory has no dense output; propagate with dense=True"
            )
        d = self._dir
        key = d * t
        lo, hi = d * self.t0, d * self.t1
        tol = 1e-9 * max(abs(self.t1 - self.t0), 1.0)
        finite = np.isfinite(key)
        if np.any(finite & ((key < lo - tol) | (key > hi + tol))):
            raise ValueError(
                f"t: outside the propagated interval [{min(self.t0, self.t1)}, "
                f"{max(self.t0, self.t1)}] s; propagate over a longer span"
            )
        key = np.clip(np.where(finite, key, lo), lo, hi)
        idx = np.searchsorted(d * self._starts, key, side="right") - 1
        np.clip(idx, 0, len(self._starts) - 1, out=idx)
        x = (d * key - self._starts[idx]) / self._h[idx]  # t - start over h, in [0, 1]
        return key, idx, x

    def _eval(self, t: np.ndarray, per_state: bool) -> np.ndarray:
        """States at times t (m,): (6, N, m), or (6, N) with state i at t[i] (``per_state``)."""
        key, idx, x = self._locate(t)
        i0 = self._node0[idx]
        y0 = _gather(self._nodes, i0, per_state)
        if self._kind == "hermite":
            y1 = _gather(self._nodes, i0 + 1, per_state)
            a0 = _gather(self._acc, i0, per_state)
            a1 = _gather(self._acc, i0 + 1, per_state)
            out = _hermite_eval(y0, y1, a0, a1, self._h[idx], x)
        else:  # dop853 dense output, Hairer's contd8 in SciPy's nested form
            if per_state:
                F = np.moveaxis(self._F[idx, :, :, np.arange(self.n_states)], 0, -1)  # (7, 6, N)
            else:
                F = np.moveaxis(self._F[idx], 0, -1)  # (7, 6, N, m)
            out = _dense_eval(F, y0, x)
        at_end = key == self._dir * self.t1
        if np.any(at_end):
            if per_state:
                out[:, at_end] = self._final[:, at_end]
            else:
                out[:, :, at_end] = self._final[:, :, None]
        return out


class _Builder:
    """Collects nodes (pre/post impulse both kept) and steps while integrating."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.node_t: list[np.ndarray] = []
        self.nodes: list[np.ndarray] = []  # (k, 6, N) blocks
        self.accs: list[np.ndarray] = []
        self.F: list[np.ndarray] = []
        self.step_start: list[np.ndarray] = []
        self.step_h: list[np.ndarray] = []
        self.step_node0: list[np.ndarray] = []
        self.count = 0

    def add_block(
        self,
        t_nodes: np.ndarray,
        y_nodes: np.ndarray,
        a_nodes: np.ndarray | None,
        F: np.ndarray | None = None,
    ) -> None:
        """Consecutive steps: times (k+1,), states (k+1, 6, N), accelerations or F (k, 7, 6, N)."""
        tn = np.asarray(t_nodes, dtype=float)
        k = len(tn) - 1
        self.node_t.append(tn)
        self.nodes.append(y_nodes)
        if a_nodes is not None:
            self.accs.append(a_nodes)
        if F is not None:
            self.F.append(F)
        self.step_start.append(tn[:-1])
        self.step_h.append(np.diff(tn))
        self.step_node0.append(self.count + np.arange(k))
        self.count += k + 1


class PiecewiseTrajectory:
    """A trajectory made of consecutive arcs (for example the coasts between burns).

    Parameters
    ----------
    arcs : sequence of Trajectory
        Trajectories with dense output, in time order, each starting where the previous one
        ended (``arcs[k].t0 == arcs[k - 1].t1``), all forward in time and all with the same
        number of states. At a joint the later arc wins (the post-burn state).

    Calling ``path(t)`` gives the state at scalar t -> (6, N) (or (6,) if the arcs were
    propagated from a (6,) state), or at an array (m,) -> (6, N, m) (or (6, m)), like
    ``Trajectory``; ``path.state_at(t_each)`` gives state i at t_each[i], (6, N).

    Examples
    --------
    >>> from rendezvous.forces import TWO_BODY
    >>> from rendezvous.propagate import Impulse, PiecewiseTrajectory, propagate
    >>> y0 = [6.778e6, 0.0, 0.0, 0.0, 7668.6, 0.0]
    >>> first = propagate(y0, 0.0, 600.0, TWO_BODY)
    >>> y1 = first.final + [0, 0, 0, 0, 1.0, 0]  # +1 m/s prograde
    >>> path = PiecewiseTrajectory([first, propagate(y1, 600.0, 1200.0, TWO_BODY)])
    >>> round(float(path(600.0)[4] - first.final[4]), 9)  # the later arc wins at the joint
    1.0
    >>> path([0.0, 900.0]).shape
    (6, 2)
    """

    __slots__ = ("arcs", "_starts")
    arcs: tuple[Trajectory, ...]
    _starts: np.ndarray

    def __init__(self, arcs: Iterable[Trajectory]) -> None:
        arcs = tuple(arcs)
        _check_arcs(arcs)
        object.__setattr__(self, "arcs", arcs)
        object.__setattr__(self, "_starts", np.array([a.t0 for a in arcs]))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PiecewiseTrajectory is read-only")

    def __repr__(self) -> str:
        return f"PiecewiseTrajectory(t0={self.t0}, t1={self.t1}, arcs={len(self.arcs)})"

    @property
    def t0(self) -> float:
        """Start of the first arc, s."""
        return self.arcs[0].t0

    @property
    def t1(self) -> float:
        """End of the last arc, s."""
        return self.arcs[-1].t1

    @property
    def final(self) -> np.ndarray:
        """State at t1: the last arc's ``final``."""
        return self.arcs[-1].final

    def __call__(self, t: object) -> np.ndarray:
        t_arr = np.asarray(t, dtype=float)
        out = self._eval(t_arr.reshape(-1), per_state=False)  # (6, N, m)
        if self.arcs[0].single:
            out = out[:, 0]
        if t_arr.ndim == 0:
            out = out[..., 0]
        return out

    def state_at(self, t_each: object) -> np.ndarray:
        """State i at time ``t_each[i]`` (s), for all N states at once: (6, N)."""
        n = self.arcs[0].n_states
        t_each = np.asarray(t_each, dtype=float)
        if t_each.ndim == 0:
            t_each = np.full(n, float(t_each))
        if t_each.shape != (n,):
            raise ValueError(f"t_each: got shape {t_each.shape}; need ({n},), one time per state")
        return self._eval(t_each, per_state=True)

    def _eval(self, t: np.ndarray, per_state: bool) -> np.ndarray:
        tol = 1e-9 * max(self.t1 - self.t0, 1.0)
        if np.any((t < self.t0 - tol) | (t > self.t1 + tol)):
            raise ValueError(
                f"t: outside the trajectory's interval [{self.t0}, {self.t1}] s; "
                "add arcs that cover it"
            )
        which = np.clip(np.searchsorted(self._starts, t, side="right") - 1, 0, len(self.arcs) - 1)
        n = self.arcs[0].n_states
        out = np.empty((6, n) if per_state else (6, n, t.size))
        for k in np.unique(which):
            sel = which == k
            arc = self.arcs[k]
            if per_state:
                out[:, sel] = arc._eval(np.clip(t, arc.t0, arc.t1), per_state=True)[:, sel]
            else:
                out[:, :, sel] = arc._eval(np.clip(t[sel], arc.t0, arc.t1), per_state=False)
        return out


def _check_arcs(arcs: Sequence[Trajectory]) -> None:
    if not arcs:
        raise ValueError("arcs: got none; pass at least one Trajectory")
    for k, arc in enumerate(arcs):
        if not isinstance(arc, Trajectory) or not arc.has_dense:
            raise ValueError(
                f"arcs[{k}]: need a Trajectory with dense output; propagate with dense=True"
            )
        if arc.t1 < arc.t0:
            raise ValueError(f"arcs[{k}]: runs backwards in time; pass forward arcs")
        if arc.n_states != arcs[0].n_states or arc.single != arcs[0].single:
            raise ValueError(f"arcs[{k}]: has a different number of states from arcs[0]")
        if k and abs(arc.t0 - arcs[k - 1].t1) > 1e-9 * max(1.0, abs(arc.t0)):
            raise ValueError(
                f"arcs[{k}]: starts at {arc.t0} s but arcs[{k - 1}] ends at {arcs[k - 1].t1} s; "
                "pass consecutive arcs"
            )
