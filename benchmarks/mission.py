"""Time the whole MS-27 simulation, liftoff to contact, without figures (issue 3 target: < 2 s).

Prints the wall time of ``rendezvous.simulate`` (median of several runs after one warm-up run that
pays for imports and the first skyfield tables), and beside it, in the same run, the baseline of
the same flight propagated with the adaptive DOP853 integrator of the package (rtol 1e-11) instead
of the fixed-step multistep, to show what the integrator choice buys.

Usage: python benchmarks/mission.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from rendezvous import Scenario, simulate
from rendezvous.environment import STEPPING


def _time(cfg, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = simulate(cfg)
        out.append(time.perf_counter() - t0)
    return statistics.median(out), r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cfg = Scenario("2025-04-08T05:47:15.309Z")
    t0 = time.perf_counter()
    simulate(cfg)
    cold = time.perf_counter() - t0
    warm, r = _time(cfg, args.repeat)
    saved = dict(STEPPING)
    STEPPING.clear()
    STEPPING.update({"method": "dop853", "rtol": 1e-11, "atol": 1e-6})
    try:
        base, rb = _time(cfg, max(1, args.repeat // 2))
    finally:
        STEPPING.clear()
        STEPPING.update(saved)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(f"{'configuration':<44} {'wall time':>10}   contact (s after liftoff)")
    print(f"{'first run in the process (imports, tables)':<44} {cold:9.2f}s")
    print(f"{'simulate(), multistep 60 s (default)':<44} {warm:9.2f}s   {r.t_contact:.1f}")
    print(f"{'simulate(), adaptive DOP853 rtol 1e-11':<44} {base:9.2f}s   {rb.t_contact:.1f}")
    print(
        f"speed-up of the default over DOP853: {base / warm:.1f}x; contact times differ by "
        f"{abs(r.t_contact - rb.t_contact):.2f} s; target < 2 s: "
        f"{'met' if warm < 2.0 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
