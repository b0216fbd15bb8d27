"""Time a 30-day launch-window search (issue 5 target: < 5 s) beside a scalar baseline.

The search (``window.search_windows``) evaluates its candidate liftoff times as vectorised batches.
The baseline, in the same run, evaluates a subset of the same kind of candidates one at a time in a
Python loop (scalar skyfield Time, SGP4, pad state, insertion state, phase angle: what the batch
computes per candidate) and extrapolates to the search's number of candidates. The baseline leaves
out the scheme windows and the refinement, so it understates the scalar cost.

With --flights it prints instead the Markdown table of real against predicted nominal liftoff
times for the flights of ``data/flights.csv`` that have an element set within two days before
launch (benchmarks/RESULTS_issue5.md).

Usage: python benchmarks/window.py [--days 30] [--repeat 3] [--subset 300] [--flights]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings

import numpy as np

from rendezvous import frames, launch, phasing
from rendezvous.ephemeris import StaleElementSetWarning, builtin_element_sets, select_element_set
from rendezvous.times import at_seconds, parse_utc
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


def flights_table() -> str:
    """Markdown: per flight, real liftoff, the model's opportunity of the flown scheme."""
    from rendezvous.ephemeris import flights
    from rendezvous.times import seconds_between

    rows = [
        "| flight | scheme | site | real liftoff (UTC) | predicted nominal | predicted - real |"
        " window (open - close) | real in window | phase at insertion | predicted docking |"
        " real docking |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in flights():
        if "(plan)" in f.name:
            continue
        day = f.launch.utc_strftime("%Y-%m-%d")
        site = launch.site_by_name(f.site.replace("Baikonur ", ""))
        res = search_windows(parse_utc(f"{day}T00:00:00Z"), 1, site=site, lookahead_days=0)
        o = next((o for o in res.opportunities if o.scheme == f.scheme), None)
        real = f.launch.utc_strftime("%H:%M:%S")
        minute = abs(f.launch.utc.second) < 1e-9 and f.name != "Soyuz MS-27"
        real_txt = real[:5] + " (minute)" if minute else f.launch.utc_strftime("%H:%M:%S.%f")[:12]
        if o is None:
            rows.append(f"| {f.name} | {f.scheme} | {f.site} | {real_txt} | none | | | | | | |")
            continue
        dt = seconds_between(f.launch, parse_utc(o.nominal_utc))
        t_open = seconds_between(f.launch, parse_utc(o.open_utc))
        t_close = seconds_between(f.launch, parse_utc(o.close_utc))
        inside = t_open <= (60.0 if minute else 0.0) and t_close >= 0.0
        dt_txt = f"{dt:+.1f} s" + (" (from hh:mm:00)" if minute else "")
        rows.append(
            f"| {f.name} | {f.scheme} | {f.site} | {real_txt} | {o.nominal_utc[11:23]} | "
            f"{dt_txt} | {o.open_utc[11:19]} - {o.close_utc[11:19]} "
            f"({o.open_limit}/{o.close_limit}) | {'yes' if inside else 'no'} | "
            f"{o.phase_deg:.2f} deg | {o.docking_utc[5:16].replace('T', ' ')} | "
            f"{f.docking.utc_strftime('%m-%d %H:%M')} ({f.docking_kind}) |"
        )
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--subset", type=int, default=300)
    ap.add_argument("--flights", action="store_true", help="print the real-flight table only")
    args = ap.parse_args()
    if args.flights:
        print(flights_table())
        return
    start = parse_utc(START)
    search_windows(start, 1, lookahead_days=0)  # warm-up: imports, skyfield tables
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = search_windows(start, args.days, lookahead_days=0)
        times.append(time.perf_counter() - t0)
    t_vec = statistics.median(times)
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
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(
        f"{args.days}-day window search from {START[:10]}: {n} candidate liftoffs, "
        f"opportunities {counts}"
    )
    print(f"  vectorised search (median of {args.repeat}): {t_vec:8.2f} s   (target < 5 s)")
    print(
        f"  scalar loop baseline, candidates only:  {t_scalar:8.2f} s   "
        f"({args.subset} candidates in {t_sub:.2f} s, extrapolated to {n})"
    )
    print(f"  speed-up: {t_scalar / t_vec:.0f}x")


if __name__ == "__main__":
    main()
