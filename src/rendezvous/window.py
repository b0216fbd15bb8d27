"""Launch windows: when, on a given day, each rendezvous scheme can be flown from a pad.

What it computes
----------------
For every candidate liftoff time ``t`` the model of the rest of the package gives (``launch``,
``phasing``): the station's state at insertion ``t + AscentModel.duration_s`` by SGP4 from the
latest element set before the day; the pad's GCRS state at ``t``; the insertion state in the
station's orbit plane at insertion (``launch.insertion_state``); the pad's out-of-plane angle,
flyable only within ``AscentModel.yaw_capability_deg`` (1 deg); and the phase angle at insertion
(``phasing.phase_angle``). Soyuz flights to the ISS climb north-east (Spaceflight Now: "directly
into the
plane"), so only the pass of the plane with the ship heading north (ascending) is a launch
opportunity; the descending pass is dropped.

A scheme's phase window for one insertion is the set of phase angles whose planned in-plane
far-range Delta-v (``phasing.best_plan``, the linear ROE plan) is within ``Scheme.dv_margin_m_s``
of its minimum: ``schemes.scheme_window``, the same window the flight itself uses (a 1 deg scan;
the search refines its edges to 1/48 deg, ``window_nominal.EDGE_REFINEMENT``, the flight to
0.005 deg).

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

Why one instant, and this one. A real fast-rendezvous launch has no slip: it is timed so that the
ship reaches the station's plane with the phase its scheme was planned for, and the launch
tolerance is about a second (issue 9). The model's window is a propellant-margin window instead:
for the two-orbit scheme the planned Delta-v stays within 8 m/s of its minimum over about 105 s of
launch time, and within 0.5 m/s (the floor) over about 85 s, because the four-burn plan absorbs
the phase at no cost there; its burn times are fixed in revolutions after insertion, so the
docking moves with the launch. The model has none of the constraints that make the real window an
instant (a pre-computed burn plan, a launcher aimed at one plane), so it cannot say which instant
of the floor is the planned one; the centre of the floor is the phase with the most margin both
ways. Against the real liftoffs of the three two-orbit flights with an element set from before
launch (``benchmarks/window.py --flights``): centre of the floor +11.0 s (MS-27), +12.6 s
(Progress MS-12, with its own mass in the ascent) and inside the published minute (MS-18), with
the point-mass ascent (+1.6 and -1.9 s with the former assumed speed profile); the argmin of the
planned Delta-v wanders on the flat floor (MS-27 and Progress MS-12, former ascent: -1.4 and
-34.8 s with the whole scan, +30.8 and +13.5 s with the scan near the previous window, whose
values differ only by rounding); the pad's passage
through the station's plane +196 to +228 s (the real launches come 3.3 to 3.8 min before it).

How it is computed: a pipeline of named stages over typed values, each vectorised.

1. ``window_scan.plane_passes``: a 180 s scan of the whole period finds the ascending plane passes;
   one batch of candidate times every ``step_s`` (2 s) over each pass gives the plane limits and
   the phase angle as a function of launch time (:class:`~rendezvous.window_scan.PlanePass`).
2. ``window_nominal.nominal_windows``: the scheme windows at the nominal insertion of every pass
   and scheme (two sweeps, starting from the in-plane time; each scan near the scheme's latest
   window) and the nominal phase (:class:`CaseWindow`); the windows of many passes are planned in
   lockstep batches (``schemes.scheme_window_batch``), one linear-plan call per round for all.
3. :func:`refine_times`: every nominal, opening and closing time refined together by a vectorised
   Illinois (regula falsi) iteration on the phase or out-of-plane angle to better than 1 ms
   (:class:`CaseTimes`).
4. :func:`opportunities`: the launch model at those times, the predicted docking and Delta-v
   (:class:`Opportunity`).
5. :func:`day_summaries`: the opportunities by UTC day, with the next fast opportunity of a day
   without one (stages 1 to 4 run once more over the ``lookahead_days`` after the last day).

SGP4 runs through skyfield (``ElementSet.state`` with an array Time) with interpolated nutation
angles (``window_scan``).

Predicted docking: insertion + ``burn_revs[-1]`` station periods (the arrival at the approach start
point) + the sum of the legs of the approach flown with the scheme
(``calibration.approach_profile``: the ship's profile to the port with its calibrated hold;
approach, flyaround, hold, final glideslope to contact); analytic, not flown. Delta-v: the
linear in-plane far-range plan at the nominal phase plus the proximity Delta-v of the same legs
flown by ideal Clohessy-Wiltshire transfers.

What it leaves out: launch-vehicle performance and drop-zone constraints, the station's manoeuvres
after the element set's epoch, crew-day constraints; element sets older than three days give
metre-level to kilometre-level SGP4 errors (flagged by ``element_set_age_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import numpy as np

from . import phasing
from .constants import DAY, R_EARTH
from .orbits import mean_motion
from .scenario import default_ascent, port_of, site_of, vehicle_of
from .schemes import SchemeWindow, planned_dvs, scheme_window
from .window_nominal import Case, CaseWindow, nominal_windows
from .window_scan import SearchContext, plane_passes, refine, wrap

__all__ = [
    "CaseTimes",
    "CaseWindow",
    "DaySummary",
    "Opportunity",
    "PhaseLimits",
    "WindowSearch",
    "day_summaries",
    "nominal_windows",
    "opportunities",
    "proximity_estimate",
    "refine_times",
    "scheme_limits",
    "search_windows",
]

FAST_SCHEMES = ("2-orbit", "4-orbit")
"""Schemes for which a day without an opportunity is reported with the next one."""


def __getattr__(name: str) -> Any:
    """The former homes of ``report.window_records`` and ``report.window_table`` (presentation
    lives in :mod:`rendezvous.report`; loaded on use, so the core does not import it)."""
    if name in ("window_records", "window_table"):
        return getattr(import_module("rendezvous.report"), name)
    raise AttributeError(f"module 'rendezvous.window' has no attribute {name!r}")


PhaseLimits = SchemeWindow
"""The former name of ``schemes.SchemeWindow`` (window, floor and minimum Delta-v)."""

scheme_limits = scheme_window
"""The former name of ``schemes.scheme_window`` (the one implementation of the scheme window)."""


def proximity_estimate(approach=None, port=None, n_mean=None) -> tuple[float, float]:
    """(duration s, Delta-v m/s) from the approach start point to contact for ``approach``
    (default ``proximity.ApproachProfile()``) to ``port`` (default Prichal nadir) at mean motion
    ``n_mean`` (rad/s; default that of a 415 km orbit): ``proximity.approach_estimate``."""
    from .catalog import PORTS
    from .proximity import ApproachProfile, approach_estimate, port_frame

    prof = approach or ApproachProfile()
    n = n_mean or float(mean_motion(R_EARTH + 415e3))
    port_pos, port_axis = port_frame(port or PORTS["prichal"], prof)
    return approach_estimate(prof, port_pos, port_axis, n)


def _approaches(vehicle: Any, port: Any) -> dict[str, Any]:
    """The approach flown with each scheme by ``vehicle`` (default Soyuz MS) to ``port`` (default
    Prichal nadir): ``calibration.approach_profile``, as ``simulate`` flies it."""
    from .calibration import approach_profile

    ship, port = vehicle_of(vehicle), port_of(port)
    return {name: approach_profile(ship, port, scheme=name) for name in phasing.SCHEMES}


@dataclass(frozen=True)
class Opportunity:
    """One launch opportunity of one scheme.

    Times as ISO 8601 UTC strings (ms) and as seconds since the search start (``t_*``).
    phase_deg: phase angle at insertion for the nominal liftoff (station ahead, deg, on the branch
    of the scheme's window, e.g. 224 not -136); out_of_plane_deg: the pad's signed angle out of the
    station's plane at the nominal liftoff; open_limit / close_limit: "phase" or "plane", what
    bounds the window; window_lo_deg..window_hi_deg and flat_lo_deg..flat_hi_deg: the phase
    limits (``schemes.SchemeWindow``) at the nominal insertion; dv_m_s = dv_far_m_s +
    dv_proximity_m_s (planned).
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
# Stage 3: nominal, opening and closing times


@dataclass(frozen=True)
class CaseTimes:
    """The refined liftoff times of one case, s since the search start."""

    nominal: float
    open: float
    close: float


def refine_times(ctx: SearchContext, cases: list[Case]) -> list[CaseTimes | None]:
    """Stage 3: the nominal, opening and closing liftoff times of every case with a window (None
    for the others), refined together in one vectorised root search."""
    kinds, levels, ta, tb = [], [], [], []
    for case in cases:
        w, p = case.window, case.plane_pass
        if w is None:
            continue
        for role, (kind, value) in (
            ("nominal", ("phase", w.target_deg)),
            ("open", w.open),
            ("close", w.close),
        ):
            if kind == "phase":
                assert value is not None
                lev = np.radians(value - 360 * w.k)
                ref, x = p.phase, lev
                kinds.append(0)
                levels.append(wrap(lev))
            else:
                ref = p.oop
                x = -ctx.yaw if role == "open" else ctx.yaw
                kinds.append(1)
                levels.append(x * p.sign)
            i = int(np.clip(np.searchsorted(ref, x), 1, ref.size - 1))
            ta.append(p.t[i - 1])
            tb.append(p.t[i])
    if not kinds:
        return [None] * len(cases)
    t_sol = iter(refine(ctx, np.array(kinds), np.array(levels), np.array(ta), np.array(tb)))
    return [
        None if c.window is None else CaseTimes(*(float(next(t_sol)) for _ in range(3)))
        for c in cases
    ]


# ------------------------------------------------------------------------------------------------
# Stage 4: the opportunities at the nominal times


def _on_branch(phase_deg: float, near_deg: float) -> float:
    """``phase_deg`` plus the multiple of 360 deg that brings it nearest ``near_deg``."""
    return float(phase_deg + 360.0 * np.round((near_deg - phase_deg) / 360.0))


def _predictions(ctx: SearchContext, cases: list[Case], ev, t_nom: np.ndarray) -> tuple:
    """For the M ``cases`` with their launch model ``ev`` at the nominal, opening and closing
    times (3 M) and the nominal times ``t_nom`` (M,): ([phase at the nominal, opening, closing]
    deg on each window's branch, per case; planned far-range Delta-v (M,) m/s, in one batch;
    predicted docking times (M,) s; the proximity (duration s, Delta-v m/s) per scheme)."""
    m = len(cases)
    prox = {name: proximity_estimate(ctx.approach_for(name), ctx.port) for name in phasing.SCHEMES}
    geoms = phasing.insertion_geometries(
        ev.station[:, :m], ev.ship[:, :m], ev.pole[:, :m], ctx.approach
    )
    phases, requests, t_dock = [], [], np.empty(m)
    for q, case in enumerate(cases):
        assert case.window is not None
        target = case.window.target_deg
        phases.append([_on_branch(np.degrees(ev.phase[q + i * m]), target) for i in range(3)])
        scheme, geom = phasing.SCHEMES[case.scheme], geoms[q]
        args = (*geom.plan_args(scheme), geom.as_depth_m)
        requests.append((np.radians(phases[q][:1]), args, True))
        t_dock[q] = _lit_docking(
            ctx,
            case.scheme,
            t_nom[q],
            t_nom[q]
            + ctx.ascent.duration_s
            + scheme.burn_revs[-1] * geom.period
            + prox[case.scheme][0],
        )
    dv_far = np.concatenate(planned_dvs(requests))
    return phases, dv_far, t_dock, prox


def _lit_docking(ctx: SearchContext, scheme: str, t_nom: float, t_dock: float) -> float:
    """The predicted docking ``t_dock`` (s since the start) moved to the station's lighting
    instant (``lighting.lit_contact_s``, the station by SGP4 of the day's set), as ``simulate``
    flies the default approach on the fast schemes (``lighting.LIT_SCHEMES``); else as it is."""
    from .lighting import CALIBRATED_CONTACT_AFTER_SUNSET_S, LIT_SCHEMES, lit_contact_s
    from .sun import shadow_crossings
    from .times import at_seconds

    if ctx.approaches is None or scheme not in LIT_SCHEMES:
        return t_dock
    when = at_seconds(ctx.start, t_dock)
    state = np.asarray(ctx.sets[int(ctx.set_index(t_nom))].state(when), dtype=float)
    sets, _ = shadow_crossings(state.reshape(6), when, step_s=1.0)
    earliest = t_dock - ctx.approach_for(scheme).hold_s
    return lit_contact_s(t_dock, t_dock + sets, earliest, CALIBRATED_CONTACT_AFTER_SUNSET_S)


def opportunities(
    ctx: SearchContext, cases: list[Case], times: list[CaseTimes | None]
) -> list[Opportunity]:
    """Stage 4: one :class:`Opportunity` per case with a window, in time order: the launch model
    at the nominal, opening and closing times (``times`` from :func:`refine_times`), the predicted
    docking and the planned Delta-v (module docstring)."""
    from .times import at_seconds, iso_utc

    keys = [j for j, c in enumerate(cases) if c.window is not None]
    if not keys:
        return []
    solved = [times[j] for j in keys]
    t_nom = np.array([ct.nominal for ct in solved if ct is not None])
    t_open = np.array([ct.open for ct in solved if ct is not None])
    t_close = np.array([ct.close for ct in solved if ct is not None])
    # A nominal at a limit would be refused by the flight itself (|out of plane| is then at the
    # launcher's capability): keep it 1 s inside the window, so that it rounds inside too.
    margin = np.minimum(1.0, 0.5 * (t_close - t_open))
    t_nom = np.clip(t_nom, t_open + margin, t_close - margin)
    all_t = np.concatenate([t_nom, t_open, t_close])
    ev = ctx.evaluate(all_t)
    m = len(keys)
    utc = iso_utc(at_seconds(ctx.start, all_t), digits=3)
    phases, dv_far, t_dock, prox = _predictions(ctx, [cases[j] for j in keys], ev, t_nom)
    dock_utc = iso_utc(at_seconds(ctx.start, t_dock), digits=0)
    epochs = {k: str(iso_utc(es.epoch, digits=0)) for k, es in enumerate(ctx.sets)}
    out = []
    for q, j in enumerate(keys):
        name, w = cases[j].scheme, cases[j].window
        assert w is not None
        lim = w.limits
        phase, ph_open, ph_close = phases[q]
        prox_dv = prox[name][1]
        day_i = int(np.clip(t_nom[q] // DAY, 0, ctx.days - 1))
        out.append(
            Opportunity(
                scheme=name,
                date=utc[q][:10],
                open_utc=utc[m + q],
                nominal_utc=utc[q],
                close_utc=utc[2 * m + q],
                docking_utc=str(dock_utc[q]),
                t_open=float(t_open[q]),
                t_nominal=float(t_nom[q]),
                t_close=float(t_close[q]),
                t_docking=float(t_dock[q]),
                phase_deg=phase,
                phase_open_deg=ph_open,
                phase_close_deg=ph_close,
                out_of_plane_deg=float(np.degrees(ev.oop[q])),
                open_limit=w.open[0],
                close_limit=w.close[0],
                window_lo_deg=lim.lo_deg,
                window_hi_deg=lim.hi_deg,
                flat_lo_deg=lim.flat_lo_deg,
                flat_hi_deg=lim.flat_hi_deg,
                dv_m_s=float(dv_far[q]) + prox_dv,
                dv_far_m_s=float(dv_far[q]),
                dv_proximity_m_s=prox_dv,
                element_set_epoch_utc=epochs[int(ctx.set_of_day[day_i])],
                element_set_age_days=float(ctx.age_of_day[day_i]),
            )
        )
    out.sort(key=lambda o: o.t_nominal)
    return out


def _find(ctx: SearchContext, names) -> tuple[list[Opportunity], int]:
    """Stages 1 to 4: the opportunities of schemes ``names`` in the context's days, and the number
    of candidate liftoff times of the main batch."""
    passes, n_candidates = plane_passes(ctx)
    cases = nominal_windows(ctx, passes, names)
    return opportunities(ctx, cases, refine_times(ctx, cases)), n_candidates


# ------------------------------------------------------------------------------------------------
# Stage 5: days, and the pipeline


def _in_days(opps: list[Opportunity], days: int, d_i: int | None = None) -> list[Opportunity]:
    """The opportunities whose nominal falls on day ``d_i`` (or on any of the ``days``)."""
    return [
        o
        for o in opps
        if (int(o.t_nominal // DAY) == d_i if d_i is not None else 0 <= o.t_nominal // DAY < days)
    ]


def day_summaries(ctx: SearchContext, opps, names, lookahead_days: int) -> tuple[DaySummary, ...]:
    """Stage 5: one :class:`DaySummary` per day, with a note (and the next opportunity, looked for
    up to ``lookahead_days`` past the last day) where a fast scheme has none."""
    from .times import at_seconds, iso_utc

    day_names = iso_utc(at_seconds(ctx.start, np.arange(ctx.days) * DAY + 1.0), digits=0)
    ahead: dict[str, Opportunity | None] = {}  # first after the searched days, per scheme
    summaries = []
    for d_i in range(ctx.days):
        mine = tuple(_in_days(opps, ctx.days, d_i))
        notes = []
        for name in (n for n in FAST_SCHEMES if n in names):
            if any(o.scheme == name for o in mine):
                continue
            later = [o for o in opps if o.scheme == name and o.t_nominal >= (d_i + 1) * DAY]
            nxt = later[0] if later else None
            if nxt is None and lookahead_days > 0:
                if name not in ahead:  # one search past the last day per scheme
                    more = _lookahead(ctx, name, lookahead_days)
                    ahead[name] = more[0] if more else None
                nxt = ahead[name]
            if nxt is None:
                horizon = ctx.days - d_i - 1 + lookahead_days
                notes.append(f"no {name} opportunity; none in the {horizon} days searched after")
            else:
                notes.append(f"no {name} opportunity; next: {nxt.nominal_utc[:19]}Z")
        summaries.append(DaySummary(day_names[d_i][:10], mine, tuple(notes)))
    return tuple(summaries)


def _lookahead(ctx: SearchContext, name: str, days: int) -> list[Opportunity]:
    """The opportunities of scheme ``name`` in the ``days`` after the context's last day."""
    from .times import at_seconds

    later = SearchContext.build(
        at_seconds(ctx.start, ctx.span),
        days,
        ctx.sets,
        ctx.site,
        ctx.ascent,
        ctx.approach,
        ctx.port,
        ctx.step_s,
        ctx.coarse_step_s,
    )
    return _in_days(_find(later, [name])[0], days)


def search_windows(
    start,
    days: int = 1,
    *,
    site=None,
    element_sets=(),
    ascent=None,
    approach=None,
    port=None,
    vehicle=None,
    schemes=None,
    step_s: float = 2.0,
    coarse_step_s: float = 180.0,
    lookahead_days: int = 14,
) -> WindowSearch:
    """Launch opportunities of each scheme on ``days`` UTC days from ``start``.

    Parameters
    ----------
    start : str, datetime or skyfield Time
        The start of the first day (ISO 8601, timezone-aware datetime or skyfield Time).
    days : int
        Number of days, 1 to 366.
    site : str or Site, optional
        The pad, by name or object (default Baikonur 31/6).
    element_sets : sequence of ElementSet, optional
        The ISS sets (default: the built-in ones); each day uses the latest set with an epoch
        before the day's end (one from the morning of launch serves its day).
    ascent, approach, port : optional
        ``launch.AscentModel``, ``proximity.ApproachProfile``, the docking port (name or object).
        Without ``approach`` each scheme's docking time uses the approach ``simulate`` flies:
        the ship's profile to the port with its calibrated hold (``calibration.approach_profile``).
    vehicle : str or Vehicle, optional
        The ship (default Soyuz MS); it sets the approach profile when ``approach`` is not given.
    schemes : list of str, optional
        Scheme names (default all).
    step_s : float
        Spacing of the candidate batch over each plane pass, s (0.1 to 30).
    coarse_step_s : float
        Spacing of the scan that finds the plane passes, s (the pad takes about 17 min to cross
        the band of 1.5 deg either side of the plane that the scan looks for).
    lookahead_days : int
        How far past the last day to look for the next fast opportunity of a day without one.

    Returns
    -------
    WindowSearch
        One :class:`DaySummary` per day; ``.opportunities`` lists them all.

    Raises ``ValueError`` naming the parameter for bad input, ``ElementSetError`` if there is no
    element set before ``start``.

    Examples
    --------
    >>> from rendezvous import search_windows
    >>> w = search_windows("2025-04-08", 1, schemes=["2-orbit"], lookahead_days=0)
    >>> o = w.opportunities[0]  # Soyuz MS-27 launched at 05:47:15.309
    >>> o.scheme, o.open_utc, o.nominal_utc, o.close_utc
    ('2-orbit', '2025-04-08T05:46:33.006Z', '2025-04-08T05:47:26.344Z', '2025-04-08T05:48:19.353Z')
    >>> o.docking_utc, round(o.phase_deg, 2)
    ('2025-04-08T09:01:08Z', 15.25)
    """
    from . import ephemeris
    from .inputs import to_time
    from .proximity import ApproachProfile
    from .times import iso_utc

    start = to_time(start, param="start")
    days = int(days)
    if not 1 <= days <= 366:
        raise ValueError(f"days: got {days}; use 1 to 366")
    if not 0.1 <= step_s <= 30.0:
        raise ValueError(f"step_s: got {step_s}; use 0.1 to 30 s")
    site = site_of(site)
    port = port_of(port)
    names = list(phasing.SCHEMES) if schemes is None else list(schemes)
    for name in names:
        if name not in phasing.SCHEMES:
            raise ValueError(
                f"schemes: unknown scheme {name!r}; use one of {', '.join(phasing.SCHEMES)}"
            )
    sets = list(element_sets) or ephemeris.builtin_element_sets()
    ctx = SearchContext.build(
        start,
        days,
        sets,
        site,
        ascent or default_ascent(vehicle),
        approach or ApproachProfile(),
        port,
        float(step_s),
        float(coarse_step_s),
        None if approach is not None else _approaches(vehicle, port),
    )
    opps, n_candidates = _find(ctx, names)
    summaries = day_summaries(ctx, opps, names, lookahead_days)
    return WindowSearch(
        str(iso_utc(start, digits=0)), site.name, summaries, n_candidates, float(step_s)
    )
