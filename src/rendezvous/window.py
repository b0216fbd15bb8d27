"""Launch windows: when, on a given day, each rendezvous scheme can be flown from a pad.

What it computes
----------------
For every candidate liftoff time ``t`` the model of the rest of the package gives (``launch``,
``phasing``): the station's state at insertion ``t + AscentModel.duration_s`` by SGP4 from the
latest element set before the day; the pad's GCRS state at ``t``; the insertion state in the
station's orbit plane at insertion (``launch.insertion_state``); the pad's out-of-plane angle,
flyable only within ``AscentModel.yaw_capability_deg`` (1 deg); and the phase angle at insertion
(``phasing.phase_angle``). Soyuz flights to the ISS climb north-east (FACTS.md: "directly into the
plane"), so only the pass of the plane with the ship heading north (ascending) is a launch
opportunity; the descending pass is dropped.

A scheme's phase window for one insertion is the set of phase angles whose planned in-plane
far-range Delta-v (``phasing.best_plan``, the linear ROE plan) is within ``Scheme.dv_margin_m_s``
of its minimum: the definition of ``phasing.scheme_window``, evaluated here on a 1 deg scan
refined to 0.005 deg at the edges (``scheme_limits``), because a 0.1 deg scan of 4,200 phases per
scheme and opportunity is too slow for a month-long search.

The nominal launch time. The planned Delta-v has a *flat floor*: over a range of phase angles
(about 7 deg for the two-orbit scheme, 30 deg for the four-orbit one) the burns can absorb the
phase at no extra cost (the minimum is the energy and eccentricity change alone).
``SchemeWindow.best_deg``, the argmin on that floor, moves by degrees (tens of seconds of launch
time) with insignificant changes of the insertion, so it is not used as the nominal. The nominal is
the centre of the flyable part of the floor: the middle of the phases whose planned Delta-v is
within ``flat_tol_m_s`` of the minimum and whose launch is inside the plane limit. It is the launch
time with the most slip margin both ways. Where the floor lies wholly inside the plane window
(two-orbit, four-orbit) this is the middle of the floor; where the floor covers the whole plane
window (the two-day scheme) it is about the in-plane time (the launcher's cheapest), which is when
real two-day flights launch. The window opens and closes where the phase angle leaves the scheme's
window or the pad reaches the plane limit, whichever comes first.

How it is computed (vectorised): a 60 s scan of the whole period finds the ascending plane passes;
one batch of candidate times every ``step_s`` (2 s) over each pass gives the plane limits and the
phase angle as a function of launch time; the scheme windows are evaluated at the nominal insertion
(two passes, starting from the in-plane time); then every nominal, opening and closing time is
refined together by a vectorised Illinois (regula falsi) iteration on the phase or out-of-plane
angle to better than 1 ms. SGP4 runs through skyfield (``ElementSet.state`` with an array Time);
the IAU 2000A nutation angles are computed exactly on an hourly grid and interpolated to the
candidate times (error below 1e-9 rad: the shortest nutation terms of any size have periods of
days), which makes each evaluation about a hundred times cheaper.

Predicted docking: insertion + ``burn_revs[-1]`` station periods (the arrival at the approach start
point) + the sum of the ``ApproachProfile`` legs (approach, flyaround, hold, final glideslope to
contact); analytic, not flown. Delta-v: the linear in-plane far-range plan at the nominal phase
plus the proximity Delta-v of the same legs flown by ideal Clohessy-Wiltshire transfers.

What it leaves out: launch-vehicle performance and drop-zone constraints, the station's manoeuvres
after the element set's epoch, crew-day constraints; element sets older than three days give
metre-level to kilometre-level SGP4 errors (flagged by ``element_set_age_days``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import phasing
from .constants import DAY, MU_EARTH, R_EARTH

__all__ = [
    "DaySummary",
    "Opportunity",
    "PhaseLimits",
    "WindowSearch",
    "proximity_estimate",
    "scheme_limits",
    "search_windows",
    "window_records",
    "window_table",
]

FAST_SCHEMES = ("2-orbit", "4-orbit")
"""Schemes for which a day without an opportunity is reported with the next one."""


# ------------------------------------------------------------------------------------------------
# Scheme limits in phase angle


@dataclass(frozen=True)
class PhaseLimits:
    """Phase-angle limits of one scheme for one insertion, deg (station ahead of the ship).

    lo_deg..hi_deg: the window (planned far-range Delta-v within the scheme's margin of the
    minimum, as ``phasing.scheme_window``); flat_lo_deg..flat_hi_deg: the floor (within
    ``flat_tol_m_s`` of the minimum); dv_min_m_s: the minimum planned in-plane Delta-v, m/s.
    """

    scheme: str
    lo_deg: float
    hi_deg: float
    flat_lo_deg: float
    flat_hi_deg: float
    dv_min_m_s: float


def _planned_dv(scheme, phases, roe0, a_st, inc, u_st0, t_burns, target_dlambda):
    from . import phasing

    roe = np.repeat(np.asarray(roe0, dtype=float)[:, None], phases.size, axis=1)
    roe[1] = -phases
    _, plan = phasing.best_plan(roe, a_st, inc, u_st0, t_burns, target_dlambda, out_of_plane=False)
    return np.where(np.isfinite(plan.dv_total), plan.dv_total, np.inf)


def scheme_limits(
    scheme,
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
) -> PhaseLimits:
    """Window and floor of ``scheme`` (a ``phasing.Scheme``) for the insertion ROE ``roe0`` (6,).

    Arguments as ``phasing.scheme_window`` (a_st m, inc rad, u_st0 rad, t_burns (4,) s after
    insertion, target_dlambda rad). Scans -30..390 deg every ``step_deg``, then narrows the four
    edges together ``levels`` times with ``points`` phases inside each bracket (one batch per
    level): edges to ``step_deg / (points + 1) ** levels`` (0.005 deg by default).
    """
    step = np.radians(step_deg)
    phases = np.arange(np.radians(-30.0), np.radians(390.0) + step / 2, step)
    dv = _planned_dv(scheme, phases, roe0, a_st, inc, u_st0, t_burns, target_dlambda)
    i = int(np.argmin(dv))
    dv_min = float(dv[i])
    gap = int(round(bridge_deg / step_deg))
    edges = [
        *phasing.window_region(dv <= dv_min + scheme.dv_margin_m_s, i, gap),
        *phasing.window_region(dv <= dv_min + flat_tol_m_s, i, gap),
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
        dv_t = _planned_dv(
            scheme, trial.ravel(), roe0, a_st, inc, u_st0, t_burns, target_dlambda
        ).reshape(4, points)
        ok = dv_t <= dv_min + lev[:, None]
        n_ok = np.where(ok.all(axis=1), points, np.argmin(ok, axis=1))  # contiguous from inside
        inside = inside + sides * width * n_ok / (points + 1)
        width = np.where(at_end, 0.0, width / (points + 1))
    deg = np.degrees(inside)
    return PhaseLimits(
        scheme.name, float(deg[0]), float(deg[1]), float(deg[2]), float(deg[3]), dv_min
    )


# ------------------------------------------------------------------------------------------------
# Proximity: duration and Delta-v of the approach profile (analytic)


def proximity_estimate(approach=None, port=None, n_mean=None):
    """(duration s, Delta-v m/s) from the approach start point to contact for ``approach``
    (``proximity.ApproachProfile``) to ``port`` (``proximity.PortDefinition``; default Prichal).

    The legs are those ``mission.simulate`` flies (range reduction, flyaround, hold pulses, final
    glideslope); the Delta-v is that of ideal two-impulse Clohessy-Wiltshire transfers between
    their points at mean motion ``n_mean`` (rad/s; default that of a 415 km orbit), ending with the
    contact speed. An estimate: the flown approach also corrects drag and J2.
    """
    from .proximity import PORTS, ApproachProfile, approach_legs, cw_transfer

    prof = approach or ApproachProfile()
    port = port or PORTS["prichal"]
    n = n_mean or float(np.sqrt(MU_EARTH / (R_EARTH + 415e3) ** 3))
    port_pos, port_axis = port.in_lvlh(prof.station_yaw_deg)
    side = prof.approach_side  # +1: the approach starts ahead of the station, -1 behind
    legs = [(leg.duration_s, leg.target) for leg in approach_legs(prof, port_pos, port_axis)]
    rel = np.array([side * prof.start_distance_m, 0.0, 0.0, 0.0, 0.0, 0.0])
    duration = 0.0
    dv_total = 0.0
    for dur, target in legs:
        dv, v_arr = cw_transfer(n, rel, target, dur)
        dv_total += float(np.linalg.norm(dv))
        rel = np.concatenate([target, v_arr])
        duration += dur
    return duration, dv_total


# ------------------------------------------------------------------------------------------------
# Candidate evaluation (vectorised)


class _Clock:
    """Skyfield Times for seconds since ``epoch`` with the IAU 2000A nutation angles interpolated
    from an hourly grid of exact values (module docstring)."""

    def __init__(self, epoch, s_lo, s_hi):
        from skyfield.nutationlib import iau2000a_radians

        from .times import at_seconds

        self.epoch = epoch
        self.grid = np.arange(s_lo - 3600.0, s_hi + 7200.0, 3600.0)
        t = at_seconds(epoch, self.grid)
        self.dpsi, self.deps = iau2000a_radians(t)
        # equation of the equinoxes (hours), GAST - GMST, likewise smooth
        self.eqeq = (t.gast - t.gmst + 12.0) % 24.0 - 12.0

    def __call__(self, seconds):
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
        return t


@dataclass(frozen=True)
class _Eval:
    station: np.ndarray  # (6, N) at insertion
    ship: np.ndarray  # (6, N) at insertion, in the station's plane
    oop: np.ndarray  # (N,) rad, pad out of the station's plane at liftoff
    phase: np.ndarray  # (N,) rad, station ahead, [-pi, pi)
    ascending: np.ndarray  # (N,) bool, the ship heads north at liftoff
    pole: np.ndarray  # (3, N)


def _evaluate(clock, seconds, set_index, sets, site, ascent) -> _Eval:
    """The launch model for liftoffs at ``seconds`` (N,), SGP4 from ``sets[set_index[i]]``."""
    from . import frames, launch, phasing

    s = np.asarray(seconds, dtype=float)
    t_lift = clock(s)
    pad = frames.site_state(site.lat_deg, site.lon_deg, site.height_m, t_lift)
    station = np.empty((6, s.size))
    for k in np.unique(set_index):
        sel = set_index == k
        station[:, sel] = sets[k].state(clock(s[sel] + ascent.duration_s))
    h = np.cross(station[:3], station[3:], axis=0)
    h /= np.linalg.norm(h, axis=0)
    ship, oop = launch.insertion_state(pad, h, ascent)
    phase = phasing.phase_angle(station, ship)
    pole = np.asarray(frames.true_pole(t_lift), dtype=float).reshape(3, -1)
    r_hat = pad[:3] / np.linalg.norm(pad[:3], axis=0)
    ascending = np.sum(np.cross(h, r_hat, axis=0) * pole, axis=0) > 0.0
    return _Eval(station, ship, oop, phase, ascending, pole)


def _insertion_geometry(ev, j, scheme, approach, ascent):
    """Arguments of ``scheme_limits`` for column ``j`` of an evaluation, plus the period (s)."""
    from . import phasing

    st, ship, pole = ev.station[:, j], ev.ship[:, j], ev.pole[:, j]
    a_st = 1.0 / (2.0 / np.linalg.norm(st[:3]) - st[3:] @ st[3:] / MU_EARTH)
    period = 2.0 * np.pi / np.sqrt(MU_EARTH / a_st**3)
    h = np.cross(st[:3], st[3:])
    h /= np.linalg.norm(h)
    inc = float(np.arccos(np.clip(h @ pole, -1.0, 1.0)))
    node = np.cross(pole, h)
    node /= np.linalg.norm(node)
    u_st = float(phasing._mean_elements(st, node, np.cross(h, node))[1])
    roe = phasing.relative_elements(st, ship, pole)
    t_burns = np.array(scheme.burn_revs) * period
    return (
        (roe, a_st, inc, u_st, t_burns, approach.approach_side * approach.start_distance_m / a_st),
        period,
    )


def _on_branch(phase_deg, near_deg):
    """``phase_deg`` plus the multiple of 360 deg that brings it nearest ``near_deg``."""
    return float(phase_deg + 360.0 * np.round((near_deg - phase_deg) / 360.0))


def _wrap(x):
    return (x + np.pi) % (2.0 * np.pi) - np.pi


def _refine(clock, kind, level, ta, tb, set_index, sets, site, ascent, iterations=8):
    """Times in [ta, tb] (K,) where the phase (kind 0, mod 2 pi) or the out-of-plane angle (kind 1)
    equals ``level`` (K,, rad): vectorised Illinois regula falsi, one batch per iteration."""

    def f(t):
        ev = _evaluate(clock, t, set_index, sets, site, ascent)
        return np.where(kind == 0, _wrap(ev.phase - level), ev.oop - level)

    ta, tb = np.array(ta, dtype=float), np.array(tb, dtype=float)
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


# ------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Opportunity:
    """One launch opportunity of one scheme.

    Times as ISO 8601 UTC strings (ms) and as seconds since the search start (``t_*``).
    phase_deg: phase angle at insertion for the nominal liftoff (station ahead, deg, on the branch
    of the scheme's window, e.g. 224 not -136); out_of_plane_deg: the pad's signed angle out of the
    station's plane at the nominal liftoff; open_limit / close_limit: "phase" or "plane", what
    bounds the window; window_lo_deg..window_hi_deg and flat_lo_deg..flat_hi_deg: the phase limits
    (``PhaseLimits``) at the nominal insertion; dv_m_s = dv_far_m_s + dv_proximity_m_s (planned).
    """

    scheme: str
    date: str
    open_utc: str
    nominal_utc: str
    close_utc: str
    docking_utc: str
    t_open: float
    t_nominal: float
    t_close: float
    t_docking: float
    phase_deg: float
    phase_open_deg: float
    phase_close_deg: float
    out_of_plane_deg: float
    open_limit: str
    close_limit: str
    window_lo_deg: float
    window_hi_deg: float
    flat_lo_deg: float
    flat_hi_deg: float
    dv_m_s: float
    dv_far_m_s: float
    dv_proximity_m_s: float
    element_set_epoch_utc: str
    element_set_age_days: float

    @property
    def duration_s(self) -> float:
        """Nominal liftoff to predicted docking, s."""
        return self.t_docking - self.t_nominal


@dataclass(frozen=True)
class DaySummary:
    """One UTC day: its opportunities (in time order) and notes (e.g. no two-orbit opportunity,
    and the next one)."""

    date: str
    opportunities: tuple[Opportunity, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class WindowSearch:
    """The result of :func:`search_windows`: one summary per day, the site's name, the number of
    candidate liftoff times evaluated in the main batch and the step between them (s)."""

    start_utc: str
    site: str
    days: tuple[DaySummary, ...]
    n_candidates: int
    step_s: float

    @property
    def opportunities(self) -> tuple[Opportunity, ...]:
        return tuple(o for d in self.days for o in d.opportunities)


# ------------------------------------------------------------------------------------------------
# The search


def _select_sets(sets, epoch, n_days):
    """Index into ``sets`` per day (the latest set before the day's start) and the sets' ages."""
    from .ephemeris import StaleElementSetWarning, select_element_set
    from .times import at_seconds, seconds_between

    chosen, ages = [], []
    for d in range(n_days):
        t_day = at_seconds(epoch, d * DAY)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleElementSetWarning)
            es = select_element_set(sets, t_day, allow_stale=True)
        chosen.append(next(i for i, s in enumerate(sets) if s is es))
        ages.append(seconds_between(es.epoch, t_day) / DAY)
    return np.array(chosen), np.array(ages)


def search_windows(
    start,
    days: int = 1,
    *,
    site=None,
    element_sets=(),
    ascent=None,
    approach=None,
    port=None,
    schemes=None,
    step_s: float = 2.0,
    coarse_step_s: float = 60.0,
    lookahead_days: int = 14,
) -> WindowSearch:
    """Launch opportunities of each scheme on ``days`` UTC days from skyfield Time ``start``.

    site: ``launch.Site`` (default Baikonur 31/6); element_sets: ISS sets (default: built-in),
    the latest before each day's start is used; ascent, approach, port: ``launch.AscentModel``,
    ``proximity.ApproachProfile``, ``proximity.PortDefinition``; schemes: names (default all);
    step_s: spacing of the candidate batch over each plane pass, s; lookahead_days: how far past
    the last day to look for the next fast opportunity of a day without one.
    Raises ValueError (ElementSetError) if there is no element set before ``start``.
    """
    from . import ephemeris, phasing
    from .launch import SITES, AscentModel
    from .proximity import ApproachProfile
    from .times import at_seconds, iso_utc

    days = int(days)
    if not 1 <= days <= 366:
        raise ValueError(f"days: got {days}; use 1 to 366")
    if not 0.1 <= step_s <= 30.0:
        raise ValueError(f"step_s: got {step_s}; use 0.1 to 30 s")
    site = site or SITES["baikonur-31/6"]
    ascent = ascent or AscentModel()
    approach = approach or ApproachProfile()
    sets = list(element_sets) or ephemeris.builtin_element_sets()
    names = list(phasing.SCHEMES) if schemes is None else list(schemes)
    for name in names:
        if name not in phasing.SCHEMES:
            raise ValueError(
                f"schemes: unknown scheme {name!r}; use one of {', '.join(phasing.SCHEMES)}"
            )
    span = days * DAY
    set_of_day, age_of_day = _select_sets(sets, start, days)
    clock = _Clock(start, -1800.0, span + 1800.0 + ascent.duration_s)
    yaw = np.radians(ascent.yaw_capability_deg)

    def set_index(s):
        return set_of_day[np.clip((np.asarray(s) // DAY).astype(int), 0, days - 1)]

    # 1. Coarse scan: ascending passes of the plane.
    s_c = np.arange(-1200.0, span + 1200.0, coarse_step_s)
    ev_c = _evaluate(clock, s_c, set_index(s_c), sets, site, ascent)
    near = ev_c.ascending & (np.abs(ev_c.oop) <= yaw + np.radians(0.5))
    idx = np.flatnonzero(near)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1) if idx.size else []

    # 2. One batch of candidates every step_s over every pass.
    grids = [
        np.arange(s_c[r[0]] - coarse_step_s, s_c[r[-1]] + coarse_step_s + step_s / 2, step_s)
        for r in runs
    ]
    s_f = np.concatenate(grids) if grids else np.zeros(0)
    ev_f = _evaluate(clock, s_f, set_index(s_f), sets, site, ascent)
    n_candidates = int(s_f.size + s_c.size)

    passes = []  # per pass: dict of arrays
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
        if not 0.0 <= t0 < span:
            continue
        phase = np.unwrap(ev_f.phase[sl])
        if np.any(np.diff(phase) <= 0):
            continue  # the phase must grow with launch time (it does: the station moves faster)
        passes.append(
            {
                "t": g,
                "oop": o,
                "sign": 1.0 if rising else -1.0,
                "phase": phase,
                "pl": (pl_a, pl_b),
                "t0": t0,
            }
        )

    prox_dur, prox_dv = proximity_estimate(approach, port)

    # 3. Windows at the nominal insertion: two passes from the in-plane time.
    cases = [(p, name) for p in passes for name in names]
    t_ref = np.array([p["t0"] for p, _ in cases])
    info = [None] * len(cases)
    ref_limits = {}
    t_prev = t_ref.copy()
    for _sweep in range(2):
        if not cases:
            break
        ev = _evaluate(clock, t_ref, set_index(t_ref), sets, site, ascent)
        for j, (p, name) in enumerate(cases):
            # Second sweep only where the nominal moved (the limits drift about 1 deg per rad of
            # the station's argument of latitude; 20 s is 1.3 deg of it).
            if _sweep and (info[j] is None or abs(t_ref[j] - t_prev[j]) < 20.0):
                continue
            t_prev[j] = t_ref[j]
            scheme = phasing.SCHEMES[name]
            ph_a, ph_b = np.degrees(np.interp(p["pl"], p["t"], p["phase"]))
            if (
                name in ref_limits
                and _sweep == 0
                and ref_limits[name].hi_deg - ref_limits[name].lo_deg < 90.0
            ):
                # Skip passes whose phase range is far from the scheme's window (it moves by about
                # a degree from one insertion to another).
                ref = ref_limits[name]
                if not any(
                    ph_b + 360 * k > ref.lo_deg - 5 and ph_a + 360 * k < ref.hi_deg + 5
                    for k in (-1, 0, 1)
                ):
                    continue
            args, period = _insertion_geometry(ev, j, scheme, approach, ascent)
            lim = scheme_limits(scheme, *args)
            ref_limits.setdefault(name, lim)
            best = None
            for k in (-1, 0, 1):
                a, b = ph_a + 360 * k, ph_b + 360 * k
                ov = min(b, lim.hi_deg) - max(a, lim.lo_deg)
                if ov > 0 and (best is None or ov > best[0]):
                    best = (ov, k)
            if best is None:
                info[j] = None
                continue
            k = best[1]
            lo_ph, hi_ph = max(ph_a + 360 * k, lim.lo_deg), min(ph_b + 360 * k, lim.hi_deg)
            f_lo, f_hi = max(lo_ph, lim.flat_lo_deg), min(hi_ph, lim.flat_hi_deg)
            if f_lo <= f_hi:
                target = 0.5 * (f_lo + f_hi)
            else:  # the floor is not flyable: the flyable end nearest to it
                target = hi_ph if hi_ph < lim.flat_lo_deg else lo_ph
            t_ref[j] = np.interp(np.radians(target - 360 * k), p["phase"], p["t"])
            info[j] = {
                "lim": lim,
                "k": k,
                "target": target,
                "period": period,
                "open": ("phase", lim.lo_deg) if lim.lo_deg > ph_a + 360 * k else ("plane", None),
                "close": ("phase", lim.hi_deg) if lim.hi_deg < ph_b + 360 * k else ("plane", None),
            }

    # 4. Refine nominal, open and close times together.
    kinds, levels, ta, tb, owner = [], [], [], [], []
    for j, (p, _name) in enumerate(cases):
        if info[j] is None:
            continue
        k = info[j]["k"]
        items = [
            ("nominal", ("phase", info[j]["target"])),
            ("open", info[j]["open"]),
            ("close", info[j]["close"]),
        ]
        for role, (kind, value) in items:
            if kind == "phase":
                lev = np.radians(value - 360 * k)
                ref = p["phase"]
                x = lev
                kinds.append(0)
                levels.append(_wrap(lev))
            else:
                ref = p["oop"]
                x = -yaw if role == "open" else yaw
                kinds.append(1)
                levels.append(x * p["sign"])
            i = int(np.clip(np.searchsorted(ref, x), 1, ref.size - 1))
            ta.append(p["t"][i - 1])
            tb.append(p["t"][i])
            owner.append((j, role))
    solved = {}
    if owner:
        ta_a = np.array(ta)
        t_sol = _refine(
            clock,
            np.array(kinds),
            np.array(levels),
            ta_a,
            np.array(tb),
            set_index(ta_a),
            sets,
            site,
            ascent,
        )
        solved = {o: t for o, t in zip(owner, t_sol, strict=True)}

    # 5. Results at the nominal times.
    opps = []
    keys = [j for j in range(len(cases)) if info[j] is not None]
    if keys:
        t_nom = np.array([solved[(j, "nominal")] for j in keys])
        t_open = np.array([solved[(j, "open")] for j in keys])
        t_close = np.array([solved[(j, "close")] for j in keys])
        # A nominal at a limit would be refused by the flight itself (|out of plane| is then at
        # the launcher's capability): keep it 1 s inside the window, so that it rounds inside too.
        margin = np.minimum(1.0, 0.5 * (t_close - t_open))
        t_nom = np.clip(t_nom, t_open + margin, t_close - margin)
        ev = _evaluate(
            clock,
            np.concatenate([t_nom, t_open, t_close]),
            set_index(np.concatenate([t_nom, t_open, t_close])),
            sets,
            site,
            ascent,
        )
        m = len(keys)
        all_t = np.concatenate([t_nom, t_open, t_close])
        utc = iso_utc(at_seconds(start, all_t), digits=3)
        for q, j in enumerate(keys):
            p, name = cases[j]
            scheme = phasing.SCHEMES[name]
            d = info[j]
            args, period = _insertion_geometry(ev, q, scheme, approach, ascent)
            lim = d["lim"]
            phase, ph_open, ph_close = (
                _on_branch(np.degrees(ev.phase[i]), d["target"]) for i in (q, m + q, 2 * m + q)
            )
            dv_far = float(_planned_dv(scheme, np.radians([phase]), *args)[0])
            t_dock = t_nom[q] + ascent.duration_s + scheme.burn_revs[-1] * period + prox_dur
            day_i = int(np.clip(t_nom[q] // DAY, 0, days - 1))
            es = sets[set_of_day[day_i]]
            opps.append(
                Opportunity(
                    scheme=name,
                    date=utc[q][:10],
                    open_utc=utc[m + q],
                    nominal_utc=utc[q],
                    close_utc=utc[2 * m + q],
                    docking_utc=iso_utc(at_seconds(start, t_dock), digits=0),
                    t_open=float(t_open[q]),
                    t_nominal=float(t_nom[q]),
                    t_close=float(t_close[q]),
                    t_docking=float(t_dock),
                    phase_deg=phase,
                    phase_open_deg=ph_open,
                    phase_close_deg=ph_close,
                    out_of_plane_deg=float(np.degrees(ev.oop[q])),
                    open_limit=d["open"][0],
                    close_limit=d["close"][0],
                    window_lo_deg=lim.lo_deg,
                    window_hi_deg=lim.hi_deg,
                    flat_lo_deg=lim.flat_lo_deg,
                    flat_hi_deg=lim.flat_hi_deg,
                    dv_m_s=dv_far + prox_dv,
                    dv_far_m_s=dv_far,
                    dv_proximity_m_s=prox_dv,
                    element_set_epoch_utc=iso_utc(es.epoch, digits=0),
                    element_set_age_days=float(age_of_day[day_i]),
                )
            )
    opps.sort(key=lambda o: o.t_nominal)

    # 6. Days, with a note (and the next opportunity) where a fast scheme has none.
    day_names = iso_utc(at_seconds(start, np.arange(days) * DAY + 1.0), digits=0)
    summaries = []
    ahead = {}  # scheme -> first opportunity after the searched days (or None)
    for d_i in range(days):
        date = day_names[d_i][:10]
        mine = tuple(o for o in opps if int(o.t_nominal // DAY) == d_i)
        notes = []
        for name in (n for n in FAST_SCHEMES if n in names):
            if any(o.scheme == name for o in mine):
                continue
            later = [o for o in opps if o.scheme == name and o.t_nominal >= (d_i + 1) * DAY]
            nxt = later[0] if later else None
            if nxt is None and lookahead_days > 0:
                if name not in ahead:  # one search past the last day per scheme
                    more = search_windows(
                        at_seconds(start, span),
                        lookahead_days,
                        site=site,
                        element_sets=sets,
                        ascent=ascent,
                        approach=approach,
                        port=port,
                        schemes=[name],
                        step_s=step_s,
                        coarse_step_s=coarse_step_s,
                        lookahead_days=0,
                    )
                    ahead[name] = more.opportunities[0] if more.opportunities else None
                nxt = ahead[name]
            if nxt is None:
                horizon = days - d_i - 1 + lookahead_days
                notes.append(f"no {name} opportunity; none in the {horizon} days searched after")
            else:
                notes.append(f"no {name} opportunity; next: {nxt.nominal_utc[:19]}Z")
        summaries.append(DaySummary(date, mine, tuple(notes)))
    return WindowSearch(
        iso_utc(start, digits=0), site.name, tuple(summaries), n_candidates, float(step_s)
    )


# ------------------------------------------------------------------------------------------------
# Edges: records for JSON and a text table


def window_records(search: WindowSearch) -> list[dict]:
    """The opportunities as plain dicts (JSON-ready; angles in deg, Delta-v in m/s)."""
    keys = [
        "scheme",
        "date",
        "open_utc",
        "nominal_utc",
        "close_utc",
        "docking_utc",
        "phase_deg",
        "out_of_plane_deg",
        "open_limit",
        "close_limit",
        "window_lo_deg",
        "window_hi_deg",
        "dv_m_s",
        "dv_far_m_s",
        "dv_proximity_m_s",
        "element_set_epoch_utc",
        "element_set_age_days",
    ]
    out = []
    for o in search.opportunities:
        rec = {k: getattr(o, k) for k in keys}
        for k, v in rec.items():
            if isinstance(v, float):
                rec[k] = round(v, 4)
        rec["duration_s"] = round(o.duration_s, 1)
        out.append(rec)
    return out


def _hms(utc: str) -> str:
    return utc[11:19]


def window_table(search: WindowSearch) -> str:
    """A text listing: per day, one line per opportunity, then the day's notes."""
    lines = [
        f"Launch opportunities from {search.site}, {len(search.days)} day(s) from "
        f"{search.start_utc[:10]} (UTC)"
    ]
    head = (
        f"  {'scheme':8} {'open':>8} {'nominal':>8} {'close':>8}  {'phase':>7} {'oop':>6}"
        f"  {'docking (UTC)':19}  {'dv m/s':>6}"
    )
    for day in search.days:
        lines.append(f"{day.date}")
        if day.opportunities:
            lines.append(head)
        for o in day.opportunities:
            # the nominal to the second; open and close to the second, rounded inwards
            lines.append(
                f"  {o.scheme:8} {_hms(o.open_utc):>8} {_hms(_round_s(o.nominal_utc)):>8} "
                f"{_hms(o.close_utc):>8}  {o.phase_deg:7.2f} {o.out_of_plane_deg:+6.2f}  "
                f"{o.docking_utc[:10]} {o.docking_utc[11:19]}  {o.dv_m_s:6.1f}"
            )
        for note in day.notes:
            lines.append(f"  {note}")
        ages = {o.element_set_age_days for o in day.opportunities}
        if ages and max(ages) > 3.0:
            lines.append(
                f"  note: element set {max(ages):.1f} days old; SGP4 errors grow by "
                "km per day, the times are approximate"
            )
    lines.append(
        "phase: deg, station ahead of the ship at insertion; oop: deg, pad out of the "
        "station's plane; docking: predicted (analytic)."
    )
    return "\n".join(lines)


def _round_s(utc: str) -> str:
    """An ISO string with milliseconds rounded to the second (same format, .000)."""
    from .times import iso_utc, parse_utc

    return iso_utc(parse_utc(utc), digits=0)
