"""Stage 2 of the launch-window search (``rendezvous.window``): the scheme windows at the nominal
insertion of every plane pass, computed for many passes at once.

A scheme's window at one insertion is ``schemes.scheme_window``: a scan of the planned Delta-v
over the phase angle, started near the scheme's window at a similar insertion (``near``), whose
batches of phases are each one call of the linear plan (``phasing.linear_plan``). Alone, that
call's fixed cost (about 1 ms per Newton iteration) is paid some ten times per window and
dominated the search. Here the windows of many passes run in lockstep
(``schemes.scheme_window_batch``): each round plans the phases all of them need in one call. The
plan of each phase is the same as alone (each case of the linear plan iterates on its own), so
each window is the one ``scheme_window`` gives with the same ``near``.

What batching changes: a pass's scan starts near the scheme's latest window *before its batch*
(at most :data:`BATCH_PASSES` passes earlier) instead of the previous pass's. ``near`` only
narrows where the scan looks first; where the window found comes near the ends of that range the
whole range is scanned (``schemes.scheme_window``), so the window is the same: over a year from
2025-04-08 the 526 opportunities were identical to those of the pass-by-pass search when this was
written, and tests/test_window_batch.py checks five days against one-day searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import phasing
from .schemes import SchemeWindow, scheme_window_batch
from .window_scan import PlanePass, SearchContext

__all__ = ["BATCH_PASSES", "Case", "CaseWindow", "nominal_windows"]


@dataclass(frozen=True)
class CaseWindow:
    """One scheme on one plane pass: its window at the nominal insertion (``limits``), the branch
    ``k`` (the pass's phases + 360 k deg lie in the window), the nominal phase ``target_deg`` (on
    that branch), the station's period (s), and what opens and closes the window: ("phase",
    level deg) or ("plane", None)."""

    limits: SchemeWindow
    k: int
    target_deg: float
    period: float
    open: tuple[str, float | None]
    close: tuple[str, float | None]


@dataclass(frozen=True)
class Case:
    """A scheme on a plane pass, and its window where the pass can fly it (else None)."""

    plane_pass: PlanePass
    scheme: str
    window: CaseWindow | None


SCAN_NEAR = True
"""Whether each scheme window is scanned near the scheme's latest window (``schemes.scheme_window``
``near``); False scans the whole phase range every time. BENCHMARK HOOK: only True is used by the
package; False reproduces the earlier search for ``benchmarks/window.py``'s baseline, and only that
benchmark runs it (no test does; ``scheme_window`` without ``near`` is tested on its own)."""

EDGE_REFINEMENT = {"levels": 1, "points": 47}
"""How the search refines the edges of each scheme window (``schemes.scheme_window``): one batch
of 47 phases inside each 1 deg bracket, edges to 1/48 deg, 0.3 s of launch time (the phase
grows about 4 deg a minute). The flight itself (``mission``) keeps the finer default (0.005 deg).
"""

WIDE_DEG = 90.0
"""A scheme window at least this wide (the two-day one, 150 to 330 deg) is wider than the phases
of a whole plane pass (about 90 deg for the 1 deg plane limit): every pass is searched for it, and
its window is computed once per pass, at the in-plane insertion (:func:`nominal_windows`).
BENCHMARK HOOK as well: ``benchmarks/window.py`` sets it to infinity to reproduce the earlier search
(every window searched on every pass); no test sets it."""

BATCH_PASSES = 30
"""Plane passes whose first-sweep windows are computed in one batch (module docstring); the second
sweep is one batch. BENCHMARK HOOK as well: ``benchmarks/window.py`` sets it to 1 to reproduce the
earlier pass-by-pass search; ``tests/test_window_batch.py`` sets it to 2 (several batches)."""


def _case_from(
    p: PlanePass, lim: SchemeWindow, geom: phasing.InsertionGeometry
) -> tuple[CaseWindow | None, float]:
    """(:class:`CaseWindow` or None, liftoff time of the nominal phase s) of a scheme whose window
    at the insertion ``geom`` is ``lim``, on pass ``p``: the nominal is the middle of the flyable
    part of the floor (``rendezvous.window`` docstring)."""
    ph_a, ph_b = np.degrees(np.interp(p.plane_limits, p.t, p.phase))
    best = None
    for k in (-1, 0, 1):
        a, b = ph_a + 360 * k, ph_b + 360 * k
        ov = min(b, lim.hi_deg) - max(a, lim.lo_deg)
        if ov > 0 and (best is None or ov > best[0]):
            best = (ov, k)
    if best is None:
        return None, float("nan")
    k = best[1]
    lo_ph, hi_ph = max(ph_a + 360 * k, lim.lo_deg), min(ph_b + 360 * k, lim.hi_deg)
    f_lo, f_hi = max(lo_ph, lim.flat_lo_deg), min(hi_ph, lim.flat_hi_deg)
    if f_lo <= f_hi:
        target = 0.5 * (f_lo + f_hi)
    else:  # the floor is not flyable: the flyable end nearest to it
        target = hi_ph if hi_ph < lim.flat_lo_deg else lo_ph
    t_nominal = float(np.interp(np.radians(target - 360 * k), p.phase, p.t))
    opens = ("phase", lim.lo_deg) if lim.lo_deg > ph_a + 360 * k else ("plane", None)
    closes = ("phase", lim.hi_deg) if lim.hi_deg < ph_b + 360 * k else ("plane", None)
    return CaseWindow(lim, k, float(target), geom.period, opens, closes), t_nominal


def _far_from(p: PlanePass, ref: SchemeWindow) -> bool:
    """Whether the pass's phase range is far (5 deg) from a scheme's window of another pass (it
    moves by about a degree from one insertion to another)."""
    ph_a, ph_b = np.degrees(np.interp(p.plane_limits, p.t, p.phase))
    return not any(
        ph_b + 360 * k > ref.lo_deg - 5 and ph_a + 360 * k < ref.hi_deg + 5 for k in (-1, 0, 1)
    )


def _geometries(ctx: SearchContext, times: np.ndarray) -> dict[float, phasing.InsertionGeometry]:
    """The insertion geometry of a liftoff at each of ``times`` (s), by time (the schemes of a
    pass share one)."""
    t = np.unique(times)
    if not t.size:
        return {}
    ev = ctx.evaluate(t)
    geoms = phasing.insertion_geometries(ev.station, ev.ship, ev.pole, ctx.approach)
    return dict(zip(t.tolist(), geoms, strict=True))


def _windows(
    ctx: SearchContext, pairs, todo: list[int], t_ref: np.ndarray, near: list[Any]
) -> list[tuple[SchemeWindow, phasing.InsertionGeometry]]:
    """The scheme windows of the pairs ``todo`` at the insertions of liftoffs ``t_ref``, in one
    lockstep batch (``schemes.scheme_window_batch``), each scanned near ``near[j]``."""
    geoms = _geometries(ctx, t_ref[todo])
    calls = []
    for j in todo:
        scheme = phasing.SCHEMES[pairs[j][1]]
        geom = geoms[float(t_ref[j])]
        args = (*geom.plan_args(scheme), geom.as_depth_m)
        calls.append((scheme, args, {"near": near[j] if SCAN_NEAR else None, **EDGE_REFINEMENT}))
    lims = scheme_window_batch(calls)
    return [(lim, geoms[float(t_ref[j])]) for j, lim in zip(todo, lims, strict=True)]


def nominal_windows(ctx: SearchContext, passes: list[PlanePass], names) -> list[Case]:
    """Stage 2: for every pass and scheme, the window at the nominal insertion. Two sweeps: the
    first at the in-plane time, the second at the first sweep's nominal where it moved by 20 s or
    more (the limits drift about 1 deg per rad of the station's argument of latitude; 20 s is 1.3
    deg of it), for the windows narrower than :data:`WIDE_DEG`. A wide (two-day) window keeps the
    one at the in-plane insertion: its nominal is set by the plane limits and a floor that covers
    most of the pass; a second sweep often lost the pass (its window is ill-conditioned: its
    planned Delta-v has several floors of the same height, ``schemes._regions``). Each scan starts
    near the scheme's latest window before its batch (module docstring): the first pass alone,
    then :data:`BATCH_PASSES` passes at a time; the second sweep in one batch, each near its own
    first window."""
    pairs = [(p, name) for p in passes for name in names]
    n, per = len(pairs), len(names)
    t_ref = np.array([p.t0 for p, _ in pairs])
    found: list[CaseWindow | None] = [None] * n
    first: dict[str, SchemeWindow] = {}
    last: dict[str, SchemeWindow] = {}  # the latest window of each scheme: where to scan
    mine: list[SchemeWindow | None] = [None] * n
    t_prev = t_ref.copy()
    step = BATCH_PASSES * per
    blocks = [range(min(per, n))] + [range(s, min(s + step, n)) for s in range(per, n, step)]
    for sweep, sweep_blocks in ((0, blocks), (1, [range(n)])):
        for block in sweep_blocks:
            todo = []
            for j in block:
                p, name = pairs[j]
                w, ref = found[j], first.get(name)
                if sweep and (
                    w is None or w.limits.width_deg >= WIDE_DEG or abs(t_ref[j] - t_prev[j]) < 20.0
                ):
                    continue
                if not sweep and ref is not None and ref.width_deg < WIDE_DEG and _far_from(p, ref):
                    continue
                todo.append(j)
            near = [mine[j] or last.get(pairs[j][1]) for j in range(n)]
            for j, (lim, geom) in zip(todo, _windows(ctx, pairs, todo, t_ref, near), strict=True):
                t_prev[j] = t_ref[j]
                name = pairs[j][1]
                first.setdefault(name, lim)
                last[name] = mine[j] = lim
                win, t_nom = _case_from(pairs[j][0], lim, geom)
                if win is not None:
                    t_ref[j] = t_nom
                found[j] = win
    return [Case(p, name, w) for (p, name), w in zip(pairs, found, strict=True)]
