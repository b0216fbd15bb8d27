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

from dataclasses import dataclass

import numpy as np

from .catalog import SCHEMES, Scheme
from .errors import MissionError
from .phasing import InsertionGeometry, best_plan, linear_plan

__all__ = [
    "SchemeWindow",
    "choose_scheme",
    "planned_dv",
    "scheme_window",
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
    ok = np.array(ok, dtype=bool)
    bad = np.flatnonzero(~ok)
    if bad.size:
        for run in np.split(bad, np.flatnonzero(np.diff(bad) > 1) + 1):
            if run[0] > 0 and run[-1] < ok.size - 1 and run.size <= gap:
                ok[run] = True
    lo = i
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    hi = i
    while hi < ok.size - 1 and ok[hi + 1]:
        hi += 1
    return lo, hi


def planned_dv(phases, roe0, a_st, inc, u_st0, t_burns, target_dlambda) -> np.ndarray:
    """Planned in-plane far-range Delta-v (m/s, inf where there is no plan) for an insertion with
    ROE ``roe0`` (6,) but phase angles ``phases`` (K,) rad (the phase enters as dlambda = -phase).
    Other arguments as in :func:`linear_plan`."""
    roe = np.repeat(np.asarray(roe0, dtype=float)[:, None], phases.size, axis=1)
    roe[1] = -phases
    _, plan = best_plan(roe, a_st, inc, u_st0, t_burns, target_dlambda, out_of_plane=False)
    return np.where(np.isfinite(plan.dv_total), plan.dv_total, np.inf)


def _scan_dv(phases, args, gap: int) -> np.ndarray:
    """:func:`planned_dv` at the phases (K,) of a scan, computed cheaply: the scheme's own burn
    times first (one :func:`~rendezvous.phasing.linear_plan` for all phases), then
    :func:`planned_dv` (with its moves of B3) only where that gives no plan between phases that
    have one (the narrow singular gaps that the moves are for) and within ``3 (gap + 1)`` phases
    beyond the ends of that range, widened while the moves find plans there; farther out a plan
    could not join the window (:func:`window_region` bridges at most ``gap`` phases). Most of a
    scan lies where no plan exists, and trying four moves of B3 there was 80 % of its time. The
    values are those of :func:`planned_dv` over the whole scan."""
    roe = np.repeat(np.asarray(args[0], dtype=float)[:, None], phases.size, axis=1)
    roe[1] = -phases
    plan = linear_plan(roe, *args[1:], out_of_plane=False)
    dv = np.where(np.isfinite(plan.dv_total), plan.dv_total, np.inf)
    ok = np.flatnonzero(np.isfinite(dv))
    if not ok.size:
        return planned_dv(phases, *args)
    tried = np.isfinite(dv)  # a finite plan with the scheme's times is what best_plan keeps
    while True:
        ok = np.flatnonzero(np.isfinite(dv))
        near = np.zeros(phases.size, dtype=bool)
        reach = 3 * (gap + 1)  # three bands at once: the moves often extend the range a little
        near[max(int(ok[0]) - reach, 0) : int(ok[-1]) + reach + 1] = True
        idx = np.flatnonzero(near & ~tried)
        if not idx.size:
            break
        dv[idx] = planned_dv(phases[idx], *args)
        tried[idx] = True
    return dv


def _near_scan(phases, args, near: SchemeWindow, pad_deg: float) -> tuple[np.ndarray, int, int]:
    """The scan of :func:`scheme_window` over ``near``'s window widened by ``pad_deg`` (inf
    elsewhere), and the first and last index scanned."""
    deg = np.degrees(phases)
    idx = np.flatnonzero((deg >= near.lo_deg - pad_deg) & (deg <= near.hi_deg + pad_deg))
    dv = np.full(phases.size, np.inf)
    if idx.size:
        dv[idx] = planned_dv(phases[idx], *args)
        return dv, int(idx[0]), int(idx[-1])
    return dv, 0, -1


def _regions(dv, scheme: Scheme, flat_tol_m_s: float, gap: int) -> tuple[int, float, list[int]]:
    """(argmin, minimum, [window lo, hi, floor lo, hi] indices) of a scan ``dv``."""
    i = int(np.argmin(dv))
    dv_min = float(dv[i])
    edges = [
        *window_region(dv <= dv_min + scheme.dv_margin_m_s, i, gap),
        *window_region(dv <= dv_min + flat_tol_m_s, i, gap),
    ]
    return i, dv_min, edges


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
) -> SchemeWindow:
    """The phase-angle window and floor of ``scheme`` for the insertion ROE ``roe0`` (6,).

    In-plane Delta-v only: the quasi-coplanar aim plane of the launcher takes care of the plane.
    Scans -30..390 deg every ``step_deg`` and keeps the contiguous range around the minimum of the
    planned Delta-v (:func:`planned_dv`) within the scheme's margin (gaps narrower than
    ``bridge_deg`` bridged, :func:`window_region`), and likewise the floor within
    ``flat_tol_m_s``; then narrows the four edges together ``levels`` times with ``points`` phases
    inside each bracket (one batch per level): edges to ``step_deg / (points + 1) ** levels``
    (0.005 deg by default). Other arguments as in :func:`linear_plan`.

    ``near``: the window of a similar insertion (the same scheme a pass earlier, in a launch-window
    search). The scan is then made only over its window widened by ``near_pad_deg`` on each side,
    on the same grid, so the values are those of the whole scan there; where the window found
    comes within ``bridge_deg`` of the ends of that range (it moved more than about
    ``near_pad_deg - bridge_deg``), the whole range is scanned after all; a window wider than
    180 deg (two-day) is scanned whole at once. This assumes the floor
    is the lowest planned Delta-v of the scan, as the flat floor of the linear plan is (the
    minimum energy and eccentricity change).
    """
    args = (roe0, a_st, inc, u_st0, t_burns, target_dlambda)
    step = np.radians(step_deg)
    phases = np.arange(np.radians(-30.0), np.radians(390.0) + step / 2, step)
    gap = int(round(bridge_deg / step_deg))
    found = None
    if near is not None and near.width_deg + 2 * near_pad_deg < 180.0:
        dv, first, last = _near_scan(phases, args, near, near_pad_deg)
        if np.any(np.isfinite(dv)):
            found = _regions(dv, scheme, flat_tol_m_s, gap)
            ends = found[2][:2]
            if (first > 0 and ends[0] - gap <= first) or (
                last < phases.size - 1 and ends[1] + gap >= last
            ):
                found = None  # the window moved too far: scan everything
    if found is None:
        dv = _scan_dv(phases, args, gap)
        found = _regions(dv, scheme, flat_tol_m_s, gap)
    i, dv_min, edges = found
    lev = np.array([scheme.dv_margin_m_s] * 2 + [flat_tol_m_s] * 2)
    sides = np.array([-1.0, 1.0, -1.0, 1.0])
    # Brackets [inside (ok), outside (not ok)]; an edge at the end of the scan stays there.
    inside = phases[edges]
    at_end = np.array(
        [edges[0] == 0, edges[1] == phases.size - 1, edges[2] == 0, edges[3] == phases.size - 1]
    )
    width = np.where(at_end, 0.0, step)
    frac = np.arange(1, points + 1) / (points + 1)
    for _ in range(levels):
        if not np.any(width > 0):
            break
        trial = inside[:, None] + sides[:, None] * width[:, None] * frac  # (4, points)
        ok = planned_dv(trial.ravel(), *args).reshape(4, points) <= dv_min + lev[:, None]
        n_ok = np.where(ok.all(axis=1), points, np.argmin(ok, axis=1))  # contiguous from inside
        inside = inside + sides * width * n_ok / (points + 1)
        width = np.where(at_end, 0.0, width / (points + 1))
    lo, hi, flat_lo, flat_hi = (float(x) for x in np.degrees(inside))
    best = float(np.degrees(phases[i]))
    return SchemeWindow(scheme.name, lo, hi, best, dv_min, flat_lo, flat_hi)


def scheme_windows(geom: InsertionGeometry) -> tuple[SchemeWindow, ...]:
    """The window of every scheme of ``SCHEMES`` for one insertion (:func:`scheme_window`)."""
    return tuple(scheme_window(s, *geom.plan_args(s)) for s in SCHEMES.values())


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
