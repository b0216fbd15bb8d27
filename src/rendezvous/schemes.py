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
from .phasing import InsertionGeometry, best_plan

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
) -> SchemeWindow:
    """The phase-angle window and floor of ``scheme`` for the insertion ROE ``roe0`` (6,).

    In-plane Delta-v only: the quasi-coplanar aim plane of the launcher takes care of the plane.
    Scans -30..390 deg every ``step_deg`` and keeps the contiguous range around the minimum of the
    planned Delta-v (:func:`planned_dv`) within the scheme's margin (gaps narrower than
    ``bridge_deg`` bridged, :func:`window_region`), and likewise the floor within
    ``flat_tol_m_s``; then narrows the four edges together ``levels`` times with ``points`` phases
    inside each bracket (one batch per level): edges to ``step_deg / (points + 1) ** levels``
    (0.005 deg by default). Other arguments as in :func:`linear_plan`.
    """
    args = (roe0, a_st, inc, u_st0, t_burns, target_dlambda)
    step = np.radians(step_deg)
    phases = np.arange(np.radians(-30.0), np.radians(390.0) + step / 2, step)
    dv = planned_dv(phases, *args)
    i = int(np.argmin(dv))
    dv_min = float(dv[i])
    gap = int(round(bridge_deg / step_deg))
    edges = [
        *window_region(dv <= dv_min + scheme.dv_margin_m_s, i, gap),
        *window_region(dv <= dv_min + flat_tol_m_s, i, gap),
    ]
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
