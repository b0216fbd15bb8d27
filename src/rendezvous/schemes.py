"""The scheme choice: each rendezvous scheme's phase-angle window for one insertion, and the scheme
to fly.

The window of a scheme is the set of phase angles at insertion whose planned in-plane far-range
Delta-v (the linear plan of ``phasing.best_plan``) is within the scheme's margin
(``Scheme.dv_margin_m_s``) of its minimum: a propellant-margin definition. With the default margin
the windows come out close to the published widths (Rossiyskaya Gazeta, 2024: about 6, 22 and
150 deg for the two-orbit, four-orbit and two-day schemes; tested). The flight and the launch-window
search both use :func:`scheme_window`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .catalog import SCHEMES, Scheme
from .errors import MissionError
from .phasing import InsertionGeometry, best_plan

Ask = tuple[np.ndarray, bool]
"""What a window scan asks for: phases (rad) to plan, and whether B3 may move (:func:`_scan`)."""

__all__ = [
    "SchemeWindow",
    "choose_scheme",
    "planned_dv",
    "planned_dvs",
    "scheme_window",
    "scheme_window_batch",
    "scheme_windows",
    "window_region",
]


@dataclass(frozen=True)
class SchemeWindow:
    """A scheme's phase-angle window for one insertion, deg (phase angle, station ahead).

    lo_deg..hi_deg: the window (planned in-plane far-range Delta-v within the scheme's margin of
    its minimum); best_deg: the phase of that minimum on the scan; dv_min_m_s: the minimum, m/s;
    flat_lo_deg..flat_hi_deg: the floor, where the planned Delta-v is within ``flat_tol_m_s`` of
    the minimum (:func:`scheme_window`).
    """

    scheme: str
    lo_deg: float
    hi_deg: float
    best_deg: float
    dv_min_m_s: float
    flat_lo_deg: float = float("nan")
    flat_hi_deg: float = float("nan")

    def contains(self, phase_deg: float) -> bool:
        return any(self.lo_deg <= p <= self.hi_deg for p in (phase_deg, phase_deg + 360.0))

    @property
    def width_deg(self) -> float:
        return self.hi_deg - self.lo_deg


def window_region(ok, i: int, gap: int) -> tuple[int, int]:
    """Index range [lo, hi] of the run of ``ok`` (bool (n,)) that contains index ``i``, with inner
    gaps of at most ``gap`` samples bridged.

    With burn times fixed, isolated phases where the four burns' arguments of latitude line up (two
    pairs half a revolution apart, u3 = u1 mod pi) make the eccentricity control singular; a real
    plan shifts a burn by minutes there, so such narrow gaps do not end a window.
    """
    ok = np.asarray(ok, dtype=bool)
    bad = np.flatnonzero(~ok)
    if bad.size:
        new_run = np.flatnonzero(np.diff(bad) > 1) + 1
        starts = bad[np.concatenate([[0], new_run])]
        ends = bad[np.concatenate([new_run - 1, [bad.size - 1]])]
        bridged = (starts > 0) & (ends < ok.size - 1) & (ends - starts + 1 <= gap)
        bad = bad[~np.repeat(bridged, ends - starts + 1)]
    k = np.searchsorted(bad, i)  # the first bad phase at or after i
    lo = int(bad[k - 1]) + 1 if k > 0 else 0
    k = np.searchsorted(bad, i, side="right")  # the first after i
    hi = int(bad[k]) - 1 if k < bad.size else ok.size - 1
    return min(lo, i), max(hi, i)


def planned_dv(
    phases, roe0, a_st, inc, u_st0, t_burns, target_dlambda, as_depth_m=0.0
) -> np.ndarray:
    """Planned in-plane far-range Delta-v (m/s, inf where there is no plan) for an insertion with
    ROE ``roe0`` (6,) but phase angles ``phases`` (K,) rad (the phase enters as dlambda = -phase).
    Other arguments as in :func:`linear_plan` (``as_depth_m``: the approach start point's depth
    below the V-bar, ``phasing.InsertionGeometry.as_depth_m``)."""
    args = (roe0, a_st, inc, u_st0, t_burns, target_dlambda, as_depth_m)
    return planned_dvs([(np.asarray(phases, dtype=float), args, True)])[0]


def planned_dvs(requests) -> list[np.ndarray]:
    """:func:`planned_dv` of many insertions in one batch (one :func:`phasing.best_plan`).

    requests: (phases (K,), args, moves): ``args`` = (roe0, a_st, inc, u_st0, t_burns,
    target_dlambda, as_depth_m) of one insertion; ``moves`` False plans with the scheme's own burn
    times only (no moves of B3). Each plan is the same as alone (``linear_plan`` per case)."""
    sizes = [ph.size for ph, _, _ in requests]
    if not sum(sizes):
        return [np.zeros(0) for _ in requests]
    roe = np.repeat(np.array([arg[0] for _, arg, _ in requests], dtype=float).T, sizes, axis=1)
    roe[1] = -np.concatenate([ph for ph, _, _ in requests])
    a_st, inc, u_st0, target, depth = (
        np.repeat([float(arg[q]) for _, arg, _ in requests], sizes) for q in (1, 2, 3, 5, 6)
    )
    t_b = np.repeat(np.array([arg[4] for _, arg, _ in requests], dtype=float).T, sizes, axis=1)
    moves = np.repeat([bool(mv) for _, _, mv in requests], sizes)
    _, plan = best_plan(
        roe, a_st, inc, u_st0, t_b, target, out_of_plane=False, as_depth_m=depth, moves=moves
    )
    dv = np.where(np.isfinite(plan.dv_total), plan.dv_total, np.inf)
    return np.split(dv, np.cumsum(sizes)[:-1])


def _pending(dv, tried, scope, gap: int) -> np.ndarray:
    """Indices of the scan still to be tried with the moves of B3 (:func:`planned_dv`): inside
    ``scope`` (bool), not yet tried, and between phases that have a plan or within ``3 (gap +
    1)`` phases beyond them (farther out a plan could not join the window: :func:`window_region`
    bridges at most ``gap`` phases). Most of a scan lies where no plan exists, and trying four
    moves of B3 there was 80 % of its time."""
    ok = np.flatnonzero(np.isfinite(dv))
    if not ok.size:
        return np.flatnonzero(scope & ~tried)
    reach = 3 * (gap + 1)
    near = np.zeros(dv.size, dtype=bool)
    near[max(int(ok[0]) - reach, 0) : int(ok[-1]) + reach + 1] = True
    return np.flatnonzero(near & scope & ~tried)


TIE_M_S = 1e-4
"""Planned Delta-vs closer than this (m/s) to the minimum of a scan are equal minima
(:func:`_regions`): floors apart from each other can each reach the minimum (the energy and
eccentricity change alone) and then differ only by rounding (1e-14 m/s) or the linear plan's
convergence (1e-7 m/s)."""


def _regions(dv, scheme: Scheme, flat_tol_m_s: float, gap: int) -> tuple[int, float, list[int]]:
    """(argmin, minimum, [window lo, hi, floor lo, hi] indices) of a scan ``dv``.

    Where separate floors reach the minimum (within :data:`TIE_M_S`; two-day insertions have
    several), the widest floor is taken (the first of equally wide ones) and the argmin is the one
    on that floor: the phases with the most margin, and a choice that rounding cannot change (the
    plain argmin jumped between such floors with the last bits of the Delta-v)."""
    dv_min = float(np.min(dv))
    flat = dv <= dv_min + flat_tol_m_s
    floor, seen_to = (0, -1), -1
    for j in np.flatnonzero(dv <= dv_min + TIE_M_S):
        if j <= seen_to:  # a minimum of a floor already seen
            continue
        region = window_region(flat, int(j), gap)
        seen_to = region[1]
        if region[1] - region[0] > floor[1] - floor[0]:
            floor = region
    i = floor[0] + int(np.argmin(dv[floor[0] : floor[1] + 1]))
    edges = [*window_region(dv <= dv_min + scheme.dv_margin_m_s, i, gap), *floor]
    return i, dv_min, edges


def _moved_out(edges, scope, gap: int) -> bool:
    """Whether a window found on a partial scan (``scope``) comes within ``gap`` + 1 phases of the
    ends of the scanned range (where the rest of the scan could join it)."""
    idx = np.flatnonzero(scope)
    if idx.size == scope.size:
        return False
    return bool(
        (idx[0] > 0 and edges[0] - gap - 1 < idx[0])
        or (idx[-1] < scope.size - 1 and edges[1] + gap + 1 > idx[-1])
    )


def _scan(phases, scheme, flat_tol_m_s, gap, scope, trials) -> Generator[Ask, np.ndarray, Any]:
    """The scan of :func:`scheme_window`: :func:`planned_dv` over ``scope`` (bool (K,); the whole
    scan where the window found comes near its ends), tried first with the scheme's own burn times
    and then with the moves of B3 only where they can matter (:func:`_pending`). ``trials(edges)``
    gives the phases (4, points) of the first refinement of the edges found; they are computed in
    the same batch as the last moves of B3 (for two guesses of each edge), and kept where the edge
    was guessed right.

    A generator: it yields the batches of phases it needs as (phases, moves) (``moves`` False:
    the scheme's own burn times only) and is sent their Delta-v (:func:`planned_dvs`);
    it returns ((argmin, minimum, edges), Delta-v at the trial phases or None)."""
    dv = np.full(phases.size, np.inf)
    dv[scope] = yield phases[scope], False
    tried = np.isfinite(dv)
    for _ in range(12):
        found = _regions(dv, scheme, flat_tol_m_s, gap)
        if _moved_out(found[2], scope, gap):  # the window moved far from ``near``: scan everything
            rest = ~scope
            dv[rest] = yield phases[rest], False
            tried |= np.isfinite(dv)
            scope = np.ones(phases.size, dtype=bool)
            continue
        todo = _pending(dv, tried, scope, gap)
        if not todo.size and trials is None:
            return found, None
        # Trial phases for two guesses of each edge: the gaps between plans left out, and on the
        # floor (where the moves of B3 usually put them); each edge keeps the guess that was right.
        ok = np.flatnonzero(np.isfinite(dv))
        guess = dv.copy()
        if ok.size:
            guess[todo[(todo > ok[0]) & (todo < ok[-1])]] = found[1] + 0.25 * flat_tol_m_s
        cands = [found[2], _regions(guess, scheme, flat_tol_m_s, gap)[2]]
        extra = [
            e for e in range(4) if cands[1][e] != cands[0][e]
        ]  # the second guesses that differ
        trial = (
            np.concatenate([trials(cands[0]), trials(cands[1])[extra]])
            if trials is not None
            else np.zeros((0, 1))
        )
        values = yield np.concatenate([phases[todo], trial.ravel()]), True
        dv[todo] = values[: todo.size]
        tried[todo] = True
        again = _regions(dv, scheme, flat_tol_m_s, gap)
        rows = [  # the trial row of each edge's right guess, or -1
            e if cands[0][e] == x else 4 + extra.index(e) if cands[1][e] == x else -1
            for e, x in enumerate(again[2])
        ]
        if not _pending(dv, tried, scope, gap).size and min(rows) >= 0:
            if not _moved_out(again[2], scope, gap):
                if trials is None:
                    return again, None
                return again, values[todo.size :].reshape(trial.shape)[rows]
    return _regions(dv, scheme, flat_tol_m_s, gap), None


def scheme_window(
    scheme: Scheme,
    roe0,
    a_st,
    inc,
    u_st0,
    t_burns,
    target_dlambda,
    *,
    step_deg=1.0,
    levels=3,
    points=5,
    flat_tol_m_s=0.5,
    bridge_deg=5.0,
    near: SchemeWindow | None = None,
    near_pad_deg=10.0,
    as_depth_m=0.0,
) -> SchemeWindow:
    """The phase-angle window and floor of ``scheme`` for the insertion ROE ``roe0`` (6,).

    In-plane Delta-v only: the quasi-coplanar aim plane of the launcher takes care of the plane.
    Scans -30..390 deg every ``step_deg`` and keeps the contiguous range around the minimum of the
    planned Delta-v (:func:`planned_dv`) within the scheme's margin (gaps narrower than
    ``bridge_deg`` bridged, :func:`window_region`), and likewise the floor within
    ``flat_tol_m_s``; then narrows the four edges together ``levels`` times with ``points`` phases
    inside each bracket (one batch per level; the first in the batch of the scan's last moves of
    B3): edges to ``step_deg / (points + 1) ** levels`` (0.005 deg by default). Other arguments
    as in :func:`linear_plan`.

    ``near``: the window of a similar insertion (the same scheme a pass earlier, in a launch-window
    search). The scan is then made only over its window widened by ``near_pad_deg`` on each side,
    on the same grid, so the values are those of the whole scan there; where the window found
    comes within ``bridge_deg`` of the ends of that range (it moved more than about
    ``near_pad_deg - bridge_deg``), the whole range is scanned after all; a window wider than
    180 deg (two-day) is scanned whole at once. This assumes the floor is the lowest planned
    Delta-v of the scan, as the flat floor of the linear plan is (the minimum energy and
    eccentricity change). ``as_depth_m``: as in :func:`planned_dv`.
    """
    args = (roe0, a_st, inc, u_st0, t_burns, target_dlambda, as_depth_m)
    kw = {
        "step_deg": step_deg,
        "levels": levels,
        "points": points,
        "flat_tol_m_s": flat_tol_m_s,
        "bridge_deg": bridge_deg,
        "near": near,
        "near_pad_deg": near_pad_deg,
    }
    return scheme_window_batch([(scheme, args, kw)])[0]


WINDOW_OPTIONS = {
    "step_deg": 1.0,
    "levels": 3,
    "points": 5,
    "flat_tol_m_s": 0.5,
    "bridge_deg": 5.0,
    "near": None,
    "near_pad_deg": 10.0,
}
"""The defaults of :func:`scheme_window`'s options, for :func:`scheme_window_batch`."""


def scheme_window_batch(calls) -> list[SchemeWindow]:
    """:func:`scheme_window` of many insertions together: ``calls`` are (scheme, args, options)
    with ``args`` = (roe0, a_st, inc, u_st0, t_burns, target_dlambda, as_depth_m) and
    ``options`` its keyword arguments but ``as_depth_m`` (defaults: :data:`WINDOW_OPTIONS`).
    The scans run in lockstep: each round plans the phases all of them need in one batch
    (:func:`planned_dvs`), so that the fixed cost of a batch is paid once per round instead of
    once per insertion. Each window is the one :func:`scheme_window` gives alone (the plans are
    per case)."""
    scans = [
        (_window_steps(scheme, **{**WINDOW_OPTIONS, **options}), args)
        for scheme, args, options in calls
    ]
    out: list[SchemeWindow | None] = [None] * len(scans)
    asked = {j: next(scan) for j, (scan, _) in enumerate(scans)}  # each asks at least once
    while asked:
        keys = list(asked)
        values = planned_dvs([(asked[j][0], scans[j][1], asked[j][1]) for j in keys])
        for j, dv in zip(keys, values, strict=True):
            try:
                asked[j] = scans[j][0].send(dv)
            except StopIteration as done:
                out[j] = done.value
                del asked[j]
    return [w for w in out if w is not None]


def _window_steps(
    scheme: Scheme,
    *,
    step_deg: float,
    levels: int,
    points: int,
    flat_tol_m_s: float,
    bridge_deg: float,
    near: SchemeWindow | None,
    near_pad_deg: float,
) -> Generator[Ask, np.ndarray, SchemeWindow]:
    """The steps of :func:`scheme_window` (its docstring) for one insertion, as a generator of
    the batches of phases whose planned Delta-v it needs (as :func:`_scan`); it returns the
    :class:`SchemeWindow`."""
    step = np.radians(step_deg)
    phases = np.arange(np.radians(-30.0), np.radians(390.0) + step / 2, step)
    gap = int(round(bridge_deg / step_deg))
    scope = np.ones(phases.size, dtype=bool)
    if near is not None and near.width_deg + 2 * near_pad_deg < 180.0:
        deg = np.degrees(phases)
        scope = (deg >= near.lo_deg - near_pad_deg) & (deg <= near.hi_deg + near_pad_deg)
    lev = np.array([scheme.dv_margin_m_s] * 2 + [flat_tol_m_s] * 2)
    sides = np.array([-1.0, 1.0, -1.0, 1.0])
    frac = np.arange(1, points + 1) / (points + 1)

    def brackets(edges):
        """Brackets [inside (ok), outside (not ok)]; an edge at the end of the scan stays."""
        last = phases.size - 1
        at_end = np.array([edges[0] == 0, edges[1] == last, edges[2] == 0, edges[3] == last])
        return phases[edges], at_end

    def trials(edges):
        inside, at_end = brackets(edges)
        width = np.where(at_end, 0.0, step)
        return inside[:, None] + sides[:, None] * width[:, None] * frac  # (4, points)

    (i, dv_min, edges), first = yield from _scan(
        phases, scheme, flat_tol_m_s, gap, scope, trials if levels > 0 else None
    )
    inside, at_end = brackets(edges)
    width = np.where(at_end, 0.0, step)
    for level in range(levels):
        if not np.any(width > 0):
            break
        trial = inside[:, None] + sides[:, None] * width[:, None] * frac  # (4, points)
        dv_t = first if level == 0 and first is not None else (yield trial.ravel(), True)
        dv_t = np.asarray(dv_t).ravel()
        ok = dv_t.reshape(4, points) <= dv_min + lev[:, None]
        n_ok = np.where(ok.all(axis=1), points, np.argmin(ok, axis=1))  # contiguous from inside
        inside = inside + sides * width * n_ok / (points + 1)
        width = np.where(at_end, 0.0, width / (points + 1))
    lo, hi, flat_lo, flat_hi = (float(x) for x in np.degrees(inside))
    best = float(np.degrees(phases[i]))
    return SchemeWindow(scheme.name, lo, hi, best, dv_min, flat_lo, flat_hi)


def scheme_windows(geom: InsertionGeometry) -> tuple[SchemeWindow, ...]:
    """The window of every scheme of ``SCHEMES`` for one insertion (:func:`scheme_window`)."""
    return tuple(
        scheme_window(s, *geom.plan_args(s), as_depth_m=geom.as_depth_m) for s in SCHEMES.values()
    )


def choose_scheme(
    windows: tuple[SchemeWindow, ...], phase_deg: float, forced: str | None, launch_utc: str
) -> Scheme:
    """The scheme to fly: ``forced`` if its window holds ``phase_deg``, else the fastest whose
    window holds it. Raises ``MissionError`` naming the windows where none does."""
    if forced is not None:
        win = next(w for w in windows if w.scheme == forced)
        if not win.contains(phase_deg):
            raise MissionError(
                f"scheme {forced}: phase angle at insertion is {phase_deg:.2f} deg, outside its "
                f"window {win.lo_deg:.1f}..{win.hi_deg:.1f} deg; leave scheme unset to let the "
                "phase angle choose, or change launch"
            )
        return SCHEMES[forced]
    ok = [w for w in windows if w.contains(phase_deg)]
    if not ok:
        listing = "; ".join(f"{w.scheme} {w.lo_deg:.1f}..{w.hi_deg:.1f}" for w in windows)
        raise MissionError(
            f"launch {launch_utc}: phase angle at insertion {phase_deg:.2f} deg is "
            f"in no scheme's window ({listing} deg); choose another launch time"
        )
    return SCHEMES[ok[0].scheme]
