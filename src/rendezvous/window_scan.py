"""The first stages of the launch-window search (``rendezvous.window``): candidate liftoff times
evaluated as vectorised batches, the ascending plane passes, and the root finder that refines a
time at which the phase or out-of-plane angle crosses a level.

A candidate liftoff time is evaluated by the launch model of the flight itself: the station's state
at insertion by SGP4 from the day's element set, the pad's GCRS state at liftoff, the insertion
state in the station's plane (``launch.insertion_state``) with the pad's out-of-plane angle, and
the phase angle at insertion (``phasing.phase_angle``). The IAU 2000A nutation angles are computed
exactly on a three-hour grid and interpolated to the candidate times (error below 1e-9 rad, 6 mm
at the pad: the shortest nutation terms of any size have periods of days; measured 8e-10 rad over
30 days), which makes each evaluation about a hundred times cheaper. The precession-nutation
matrix (skyfield's ``Time.M``, used for the pad, the TEME frame of SGP4 and the pole) is
interpolated from the same grid (:attr:`Clock.INTERPOLATE_M`): it then differs from the matrix of
the interpolated angles by 6e-15 and from the exact one by 7e-10 (measured over a year), and a
year's survey is a quarter cheaper.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .constants import DAY

__all__ = ["Clock", "Evaluation", "PlanePass", "SearchContext", "plane_passes", "refine"]


class Clock:
    """Skyfield Times for seconds since ``epoch`` with the IAU 2000A nutation angles interpolated
    from a grid of exact values every ``GRID_S`` (module docstring)."""

    GRID_S = 3 * 3600.0
    INTERPOLATE_M = True
    """Whether ``t.M`` is interpolated from the grid too (module docstring). BENCHMARK HOOK: only
    True is used by the package; False (``t.M`` computed by skyfield at every time from the
    interpolated angles) reproduces the earlier search for ``benchmarks/window.py``'s baselines,
    and only that benchmark runs it (no test does)."""

    def __init__(self, epoch: Any, s_lo: float, s_hi: float) -> None:
        from skyfield.nutationlib import iau2000a_radians  # type: ignore[import-untyped]

        from .times import at_seconds

        self.epoch = epoch
        self.grid = np.arange(s_lo - self.GRID_S, s_hi + 2 * self.GRID_S, self.GRID_S)
        t = at_seconds(epoch, self.grid)
        self.dpsi, self.deps = iau2000a_radians(t)
        t._nutation_angles_radians = (self.dpsi, self.deps)  # computed once: t.gast reuses them
        # equation of the equinoxes (hours), GAST - GMST, likewise smooth
        self.eqeq = (t.gast - t.gmst + 12.0) % 24.0 - 12.0
        # the precession-nutation matrix GCRS -> true equator and equinox of date (3, 3, grid):
        # precession is smooth over the grid step, nutation as its angles (module docstring)
        self.m = np.asarray(t.M, dtype=float).reshape(9, -1) if self.INTERPOLATE_M else None

    def __call__(self, seconds: Any) -> Any:
        from .times import at_seconds

        s = np.asarray(seconds, dtype=float)
        t = at_seconds(self.epoch, s)
        # skyfield caches the nutation angles in this attribute; setting it is its documented
        # way of supplying cheaper angles (timelib.Time._nutation_angles).
        t._nutation_angles_radians = (
            np.interp(s, self.grid, self.dpsi),
            np.interp(s, self.grid, self.deps),
        )
        t.gast = (t.gmst + np.interp(s, self.grid, self.eqeq)) % 24.0
        if self.m is not None:  # skyfield caches t.M likewise (a reify attribute)
            t.M = np.array([np.interp(s, self.grid, row) for row in self.m]).reshape(
                (3, 3) + s.shape
            )
        return t


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The launch model at N candidate liftoff times.

    station, ship: (6, N) at insertion (ship in the station's plane); oop: (N,) rad, the pad out
    of the station's plane at liftoff; phase: (N,) rad, station ahead, [-pi, pi); ascending: (N,)
    the ship heads north at liftoff; pole: (3, N) the Earth's true pole.
    """

    station: np.ndarray
    ship: np.ndarray
    oop: np.ndarray
    phase: np.ndarray
    ascending: np.ndarray
    pole: np.ndarray


def _select_sets(sets: list, epoch: Any, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``sets`` per day and the sets' ages (days; negative for a set from inside the
    day): the latest set whose epoch is before the day's end (``lead_s`` = one day: SGP4 runs a
    few hours backwards without harm, so a set from the morning of launch serves its day)."""
    from .ephemeris import StaleElementSetWarning, select_element_set
    from .times import at_seconds, seconds_between

    chosen, ages = [], []
    for d in range(n_days):
        t_day = at_seconds(epoch, d * DAY)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleElementSetWarning)
            es = select_element_set(sets, t_day, allow_stale=True, lead_s=DAY)
        chosen.append(next(i for i, s in enumerate(sets) if s is es))
        ages.append(seconds_between(es.epoch, t_day) / DAY)
    return np.array(chosen), np.array(ages)


@dataclass(frozen=True, eq=False)
class SearchContext:
    """What every stage of one search needs: the start (skyfield Time), the number of days, the
    element sets with the one used each day (``set_of_day``) and its age (days), the clock, the
    pad, the ascent, approach and port, the scan steps (s), and the approach flown with each scheme
    (``approaches``: scheme name -> ``proximity.ApproachProfile``; ``approach`` when empty)."""

    start: Any
    days: int
    sets: tuple
    set_of_day: np.ndarray
    age_of_day: np.ndarray
    clock: Clock
    site: Any
    ascent: Any
    approach: Any
    port: Any
    step_s: float
    coarse_step_s: float
    approaches: Any = None

    @classmethod
    def build(
        cls,
        start: Any,
        days: int,
        sets: Any,
        site: Any,
        ascent: Any,
        approach: Any,
        port: Any,
        step_s: float,
        coarse_step_s: float,
        approaches: Any = None,
    ) -> SearchContext:
        set_of_day, age_of_day = _select_sets(sets, start, days)
        clock = Clock(start, -1800.0, days * DAY + 1800.0 + ascent.duration_s)
        return cls(
            start,
            days,
            tuple(sets),
            set_of_day,
            age_of_day,
            clock,
            site,
            ascent,
            approach,
            port,
            step_s,
            coarse_step_s,
            approaches,
        )

    def approach_for(self, scheme: str) -> Any:
        """The approach profile flown with ``scheme``."""
        return (self.approaches or {}).get(scheme, self.approach)

    @property
    def span(self) -> float:
        return self.days * DAY

    @property
    def yaw(self) -> float:
        """The launcher's out-of-plane steering capability, rad."""
        return float(np.radians(self.ascent.yaw_capability_deg))

    def set_index(self, s) -> np.ndarray:
        """Index of the element set for liftoffs at ``s`` (s since the start)."""
        return self.set_of_day[np.clip((np.asarray(s) // DAY).astype(int), 0, self.days - 1)]

    def evaluate(self, seconds, set_index=None) -> Evaluation:
        """The launch model for liftoffs at ``seconds`` (N,) after the start (module
        docstring); SGP4 from ``sets[set_index[i]]`` (default: each liftoff's day's set)."""
        from . import frames, launch, orbits

        s = np.asarray(seconds, dtype=float)
        idx = self.set_index(s) if set_index is None else set_index
        t_lift = self.clock(s)
        pad = frames.site_state(self.site.lat_deg, self.site.lon_deg, self.site.height_m, t_lift)
        station = np.empty((6, s.size))
        for k in np.unique(idx):
            sel = idx == k
            station[:, sel] = self.sets[k].state(self.clock(s[sel] + self.ascent.duration_s))
        h = np.cross(station[:3], station[3:], axis=0)
        h /= np.linalg.norm(h, axis=0)
        ship, oop = launch.insertion_state(pad, h, self.ascent)
        phase = orbits.phase_angle(station, ship)
        pole = np.asarray(frames.true_pole(t_lift), dtype=float).reshape(3, -1)
        r_hat = pad[:3] / np.linalg.norm(pad[:3], axis=0)
        ascending = np.sum(np.cross(h, r_hat, axis=0) * pole, axis=0) > 0.0
        return Evaluation(station, ship, oop, phase, ascending, pole)


def wrap(x: Any) -> Any:
    """Angle(s) wrapped to [-pi, pi)."""
    return (x + np.pi) % (2.0 * np.pi) - np.pi


def refine(ctx: SearchContext, kind, level, ta, tb, iterations: int = 8) -> np.ndarray:
    """Times in [ta, tb] (K,) where the phase (kind 0, mod 2 pi) or the out-of-plane angle (kind
    1) equals ``level`` (K,, rad): vectorised Illinois regula falsi, one batch per iteration; the
    element set of each bracket's start is used throughout."""
    ta, tb = np.array(ta, dtype=float), np.array(tb, dtype=float)
    idx = ctx.set_index(ta)

    def f(t):
        ev = ctx.evaluate(t, idx)
        return np.where(kind == 0, wrap(ev.phase - level), ev.oop - level)

    fa, fb = f(ta), f(tb)
    for _ in range(iterations):
        with np.errstate(invalid="ignore", divide="ignore"):
            tc = np.where(fb != fa, tb - fb * (tb - ta) / (fb - fa), 0.5 * (ta + tb))
        tc = np.where(
            np.isfinite(tc), np.clip(tc, np.minimum(ta, tb), np.maximum(ta, tb)), 0.5 * (ta + tb)
        )
        fc = f(tc)
        same = np.sign(fc) == np.sign(fb)
        # Illinois: keep the bracket; halve the retained end's value when it is kept twice.
        ta, fa = np.where(same, ta, tb), np.where(same, 0.5 * fa, fb)
        tb, fb = tc, fc
        if np.all(np.abs(tb - ta) < 1e-4):
            break
    return np.where(np.abs(fb) <= np.abs(fa), tb, ta)


@dataclass(frozen=True, eq=False)
class PlanePass:
    """One ascending pass of the pad through the station's plane, sampled every ``step_s``.

    t: (K,) liftoff times, s since the start; oop: (K,) out-of-plane angle, rad, made increasing
    (times ``sign``); phase: (K,) unwrapped phase angle, rad, increasing; plane_limits: liftoff
    times (s) where |oop| reaches the launcher's capability; t0: the in-plane liftoff time, s.
    """

    t: np.ndarray
    oop: np.ndarray
    sign: float
    phase: np.ndarray
    plane_limits: tuple[float, float]
    t0: float


def plane_passes(ctx: SearchContext) -> tuple[list[PlanePass], int]:
    """Stage 1: the flyable ascending plane passes in the searched days, and the number of
    candidate liftoff times evaluated. A coarse scan every ``coarse_step_s`` finds the passes;
    one batch every ``step_s`` over all of them samples the phase and out-of-plane angles."""
    yaw, coarse = ctx.yaw, ctx.coarse_step_s
    s_c = np.arange(-1200.0, ctx.span + 1200.0, coarse)
    ev_c = ctx.evaluate(s_c)
    near = ev_c.ascending & (np.abs(ev_c.oop) <= yaw + np.radians(0.5))
    idx = np.flatnonzero(near)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1) if idx.size else []
    grids = [
        np.arange(s_c[r[0]] - coarse, s_c[r[-1]] + coarse + ctx.step_s / 2, ctx.step_s)
        for r in runs
    ]
    s_f = np.concatenate(grids) if grids else np.zeros(0)
    ev_f = ctx.evaluate(s_f)
    passes = []
    start_i = 0
    for g in grids:
        sl = slice(start_i, start_i + g.size)
        start_i += g.size
        oop = ev_f.oop[sl]
        if not np.all(ev_f.ascending[sl]) or np.any(np.diff(np.sign(np.diff(oop))) != 0):
            continue  # a pass at the edge of the ascending branch: skip (not flyable NE)
        rising = oop[-1] > oop[0]
        o = oop if rising else -oop  # increasing
        if not (o[0] < -yaw and o[-1] > yaw):
            continue
        pl_a, t0, pl_b = np.interp([-yaw, 0.0, yaw], o, g)  # plane limits, in-plane time
        if not 0.0 <= t0 < ctx.span:
            continue
        phase = np.unwrap(ev_f.phase[sl])
        if np.any(np.diff(phase) <= 0):
            continue  # the phase must grow with launch time (it does: the station moves faster)
        sign = 1.0 if rising else -1.0
        passes.append(PlanePass(g, o, sign, phase, (float(pl_a), float(pl_b)), float(t0)))
    return passes, int(s_f.size + s_c.size)
