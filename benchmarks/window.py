"""Time a launch-window survey (issue 11 target: a whole year, every scheme, every day, < 30 s)
beside the earlier search and a scalar baseline, all in the same run.

Ours: ``window.search_windows(start, days)``, every scheme. The earlier search, in the same
process: the same pipeline with the settings it had before the survey work (every scheme window
scanned over the whole phase range with every move of B3 tried, edges refined in three more
batches to 0.005 deg, two sweeps for every scheme, nutation exact every hour, passes found by a
60 s scan), restored by the ``_earlier_search`` context manager. The scalar baseline evaluates a
subset of the same kind of candidates one at a time in a Python loop (scalar skyfield Time, SGP4,
pad state, insertion state, phase angle) and extrapolates to the search's number of candidates;
it leaves out the scheme windows and the refinement, so it understates the scalar cost.

The element sets go stale over a year: each day uses the latest set before its end, and
``Opportunity.element_set_age_days`` says how old it is. The survey is geometric: it says where
the phase and plane allow each scheme, not when the station will have manoeuvred.

With --flights it prints instead the Markdown table of real against predicted nominal liftoff
times for the flights of ``data/flights.csv``, each searched with its own sets from before its
launch, with the widths of the window (planned Delta-v within the scheme's margin of its minimum,
and flyable) and of the floor inside it (within 0.5 m/s) in seconds of launch time.

Usage: python benchmarks/window.py [--days 365] [--earlier-days 365] [--subset 300] [--flights]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import time
import warnings

import numpy as np

from rendezvous import frames, launch, phasing, phasing_plan, schemes, window_nominal, window_scan
from rendezvous.ephemeris import StaleElementSetWarning, builtin_element_sets, select_element_set
from rendezvous.scenario import table_site
from rendezvous.times import at_seconds, parse_utc, seconds_between
from rendezvous.window import search_windows

START = "2025-04-08T00:00:00Z"


def _scalar_candidates(start, seconds):
    sets = builtin_element_sets()
    site = launch.SITES["baikonur-31/6"]
    asc = launch.AscentModel()
    out = []
    for s in seconds:
        t = at_seconds(start, float(s))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleElementSetWarning)
            es = select_element_set(
                sets, at_seconds(start, float(s // 86400) * 86400), allow_stale=True
            )
        st = es.state(at_seconds(t, asc.duration_s))
        pad = frames.site_state(site.lat_deg, site.lon_deg, site.height_m, t)
        h = np.cross(st[:3], st[3:])
        ship, oop = launch.insertion_state(pad, h / np.linalg.norm(h), asc)
        out.append((float(phasing.phase_angle(st, ship)), float(oop)))
    return out


def _whole_scan(phases, scheme, flat_tol_m_s, gap, scope, trials):
    """The earlier scan of ``schemes.scheme_window``: every phase with every move of B3 (a
    generator, as ``schemes._scan``)."""
    dv = yield phases, True
    return schemes._regions(dv, scheme, flat_tol_m_s, gap), None


@contextlib.contextmanager
def _earlier_search():
    """The search as it was before the survey work (module docstring), for the baseline. Not
    restored (small): one insertion geometry per pass instead of per scheme, the nutation
    computed once instead of twice on its grid, the linear plan's step by elimination instead of
    stacked 4x4 solves, and the schemes of one pass (and the second sweep) planned in lockstep;
    each pass is its own batch (``BATCH_PASSES`` = 1)."""
    saved = (
        window_nominal.SCAN_NEAR,
        dict(window_nominal.EDGE_REFINEMENT),
        window_nominal.WIDE_DEG,
        window_nominal.BATCH_PASSES,
        schemes._scan,
        window_scan.Clock.GRID_S,
        window_scan.Clock.INTERPOLATE_M,
    )
    window_nominal.SCAN_NEAR = False
    window_nominal.EDGE_REFINEMENT = {"levels": 3, "points": 5}
    window_nominal.WIDE_DEG = float("inf")
    window_nominal.BATCH_PASSES = 1
    schemes._scan = _whole_scan
    window_scan.Clock.GRID_S = 3600.0
    window_scan.Clock.INTERPOLATE_M = False
    try:
        yield
    finally:
        (
            window_nominal.SCAN_NEAR,
            window_nominal.EDGE_REFINEMENT,
            window_nominal.WIDE_DEG,
            window_nominal.BATCH_PASSES,
            schemes._scan,
            window_scan.Clock.GRID_S,
            window_scan.Clock.INTERPOLATE_M,
        ) = saved


def flights_table() -> str:
    """Markdown: per flight, real liftoff, the model's opportunity of the flown scheme (searched
    with the flight's own element sets from before its launch)."""
    from rendezvous.ephemeris import flights

    rows = [
        "| flight | scheme | set age at liftoff | real liftoff (UTC) | model nominal |"
        " nominal - real | window (open - close) | window width | floor width | real in window |",
        "|---|---|---:|---|---|---:|---|---:|---:|---|",
    ]
    for f in flights():
        if "(plan)" in f.name:
            continue
        day = f.launch.utc_strftime("%Y-%m-%d")
        site = table_site(f.site)
        own = [s for s in builtin_element_sets() if seconds_between(s.epoch, f.launch) > 0]
        ship = "progress" if f.name.startswith("Progress") else "soyuz"
        res = search_windows(
            parse_utc(f"{day}T00:00:00Z"),
            1,
            site=site,
            lookahead_days=0,
            element_sets=own,
            vehicle=ship,
        )
        o = next((o for o in res.opportunities if o.scheme == f.scheme), None)
        minute = abs(f.launch.utc.second) < 1e-9 and f.name != "Soyuz MS-27"
        real_txt = (
            f.launch.utc_strftime("%H:%M") + " (minute)"
            if minute
            else f.launch.utc_strftime("%H:%M:%S.%f")[:12]
        )
        age_h = seconds_between(own[-1].epoch, f.launch) / 3600.0
        if o is None:
            rows.append(f"| {f.name} | {f.scheme} | {age_h:.1f} h | {real_txt} | none | | | | | |")
            continue
        dt = seconds_between(f.launch, parse_utc(o.nominal_utc))
        t_open = seconds_between(f.launch, parse_utc(o.open_utc))
        t_close = seconds_between(f.launch, parse_utc(o.close_utc))
        inside = t_open <= (60.0 if minute else 0.0) and t_close >= 0.0
        s_per_deg = (o.t_close - o.t_open) / (o.phase_close_deg - o.phase_open_deg)
        flyable_floor = min(o.flat_hi_deg, o.phase_close_deg) - max(o.flat_lo_deg, o.phase_open_deg)
        floor_s = max(flyable_floor, 0.0) * s_per_deg  # the floor inside the window
        dt_txt = f"{dt:+.1f} s" + (" (from hh:mm:00)" if minute else "")
        rows.append(
            f"| {f.name} | {f.scheme} | {age_h:.1f} h | {real_txt} | {o.nominal_utc[11:23]} | "
            f"{dt_txt} | {o.open_utc[11:19]} - {o.close_utc[11:19]} "
            f"({o.open_limit}/{o.close_limit}) | {o.t_close - o.t_open:.0f} s | "
            f"{floor_s:.0f} s | {'yes' if inside else 'no'} |"
        )
    return "\n".join(rows)


def _lapack_step(cu, su, res, c, alpha, d):
    """The linear plan's Newton step as before the survey work: the 4x4 Jacobian of every case
    built and solved by a stacked LAPACK solve, its determinant by another (the same step as
    ``phasing_plan._plan_step``, which eliminates instead)."""
    m = cu.shape[-1]
    A = np.empty((m, 4, 4))
    A[:, 0, :] = np.broadcast_to(c, (m,))[:, None]
    A[:, 1, :] = (alpha * cu).T
    A[:, 2, :] = (alpha * su).T
    A[:, 3, :3] = np.broadcast_to(d, (3, m)).T
    A[:, 3, 3] = 0.0
    rhs = np.stack(np.broadcast_arrays(*res), axis=1)
    ok = np.all(np.isfinite(A), axis=(1, 2)) & np.all(np.isfinite(rhs), axis=1)
    A[~ok], rhs[~ok] = np.eye(4), 0.0
    det = np.abs(np.linalg.det(A))
    det[~ok] = np.nan
    A[det == 0.0] = np.eye(4)
    return np.linalg.solve(A, rhs[..., None])[..., 0].T, det


@contextlib.contextmanager
def _one_pass_at_a_time():
    """The search as this session found it: the windows of each pass computed alone (here: the
    schemes of a pass still in one batch, and stage 4 batched) with the LAPACK step, and the
    precession-nutation matrix computed at every time from the interpolated angles."""
    saved = window_nominal.BATCH_PASSES, phasing_plan._plan_step, window_scan.Clock.INTERPOLATE_M
    window_nominal.BATCH_PASSES, phasing_plan._plan_step = 1, _lapack_step
    window_scan.Clock.INTERPOLATE_M = False
    try:
        yield
    finally:
        (
            window_nominal.BATCH_PASSES,
            phasing_plan._plan_step,
            window_scan.Clock.INTERPOLATE_M,
        ) = saved


def _timed(start, days, **kw):
    """(wall s, CPU s of this process, result) of one search."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = search_windows(start, days, lookahead_days=0, **kw)
    return time.perf_counter() - t0, time.process_time() - c0, res


def _runs(start, days, e_days, repeat):
    """Ours, one pass at a time and the earlier search, interleaved ``repeat`` times: {name: [(wall
    s, CPU s)]} and the results of ours and of the earlier search."""
    times: dict[str, list] = {"ours": [], "one": [], "earlier": []}
    res = res_old = None
    for _ in range(repeat):
        t, c, res = _timed(start, days)
        times["ours"].append((t, c))
        with _one_pass_at_a_time():
            times["one"].append(_timed(start, days)[:2])
        with _earlier_search():
            t, c, res_old = _timed(start, e_days, coarse_step_s=60.0)  # its pass scan
        times["earlier"].append((t, c))
    return times, res, res_old


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument(
        "--earlier-days",
        type=int,
        default=None,
        help="days for the earlier search (default --days; it takes about twice as long)",
    )
    ap.add_argument("--subset", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="interleaved runs of each (median)")
    ap.add_argument("--flights", action="store_true", help="print the real-flight table only")
    args = ap.parse_args()
    if args.flights:
        print(flights_table())
        return
    start = parse_utc(START)
    search_windows(start, 1, lookahead_days=0)  # warm-up: imports, skyfield tables
    e_days = args.earlier_days or args.days
    load0 = os.getloadavg()[0]
    times, res, res_old = _runs(start, args.days, e_days, args.repeat)
    t_ours, c_ours = np.median(times["ours"], axis=0)
    t_one, c_one = np.median(times["one"], axis=0)
    t_old, c_old = np.median(times["earlier"], axis=0)
    n = res.n_candidates
    rng = np.random.default_rng(0)
    sub = np.sort(rng.uniform(0.0, args.days * 86400.0, args.subset))
    t0 = time.perf_counter()
    _scalar_candidates(start, sub)
    t_sub = time.perf_counter() - t0
    t_scalar = t_sub / args.subset * n
    counts = {s: sum(o.scheme == s for o in res.opportunities) for s in phasing.SCHEMES}
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"{args.days}-day window survey from {START[:10]}, every scheme: {n} candidate liftoffs, "
        f"opportunities {counts}; median of {args.repeat} interleaved run(s)"
    )
    print(
        f"  ours:                          {t_ours:8.2f} s   (CPU {c_ours:.2f} s; "
        "target < 30 s for 365 days)"
    )
    print(f"  one pass at a time, LAPACK:    {t_one:8.2f} s   (CPU {c_one:.2f} s)")
    scale = args.days / e_days
    note = f"; {e_days} days x {scale:.2f}" if e_days != args.days else ""
    print(
        f"  earlier search, same run:      {t_old * scale:8.2f} s   "
        f"(CPU {c_old * scale:.2f} s{note})"
    )
    print(
        f"  scalar loop, candidates only:  {t_scalar:8.2f} s   "
        f"({args.subset} candidates in {t_sub:.2f} s, extrapolated to {n})"
    )
    print(
        f"  speed-up: {c_one / c_ours:.1f}x one pass at a time (CPU), "
        f"{t_old * scale / t_ours:.1f}x the earlier search "
        f"(CPU {c_old * scale / c_ours:.1f}x), {t_scalar / t_ours:.0f}x the loop"
    )
    _compare(res, res_old, min(args.days, e_days))


def _compare(res, res_old, days):
    """How far the two searches' launch times differ, per scheme, over their common days."""
    for name in phasing.SCHEMES:
        a = [o for o in res.opportunities if o.scheme == name and o.t_nominal < days * 86400.0]
        b = [o for o in res_old.opportunities if o.scheme == name and o.t_nominal < days * 86400.0]
        pairs = [(x, min(b, key=lambda y: abs(y.t_nominal - x.t_nominal))) for x in a if b]
        d = [abs(x.t_nominal - y.t_nominal) for x, y in pairs]
        if d:
            print(
                f"  {name}: {len(a)} opportunities (earlier {len(b)}); nominal differs by "
                f"{np.median(d):.2f} s median, {max(d):.1f} s max"
            )


if __name__ == "__main__":
    main()
