"""Time the whole MS-27 flight (no figures) with the flight's own approach timeline (issue 9: the
ship's Kurs profile to its port and the calibrated hold) beside, in the same run and interleaved,
the same flight with the former one-size approach profile (``proximity.ApproachProfile()``, no
calibrated hold): issue 9 asks for at most 1.5 times. Also times the leave-one-out table of
``rendezvous.calibration`` (no flight flown).

Usage: python benchmarks/timeline.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from rendezvous import Scenario, simulate
from rendezvous.calibration import leave_one_out
from rendezvous.proximity import ApproachProfile


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ours = Scenario("2025-04-08T05:47:15.309Z")
    base = ours.replace(approach=ApproachProfile())
    simulate(ours)  # warm-up: imports, skyfield tables
    times: dict[str, list[float]] = {"ours": [], "base": []}
    for _ in range(args.repeat):
        for name, cfg in (("ours", ours), ("base", base)):
            t0 = time.perf_counter()
            r = simulate(cfg)
            times[name].append(time.perf_counter() - t0)
            if name == "ours":
                dock_ours, n_ours = r.docking_utc, len(r.burns)
            else:
                dock_base, n_base = r.docking_utc, len(r.burns)
    t_ours, t_base = (statistics.median(times[k]) for k in ("ours", "base"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(
        f"MS-27 simulate, flight's own timeline : {t_ours:.2f} s (docking {dock_ours}, "
        f"{n_ours} burns)"
    )
    print(
        f"MS-27 simulate, former constant profile: {t_base:.2f} s (docking {dock_base}, "
        f"{n_base} burns)"
    )
    print(f"ratio ours / baseline: {t_ours / t_base:.2f} (issue 9: at most 1.5)")
    t0 = time.perf_counter()
    table = leave_one_out()
    print(
        f"leave-one-out table of {len(table.flights)} flights: {time.perf_counter() - t0:.2f} s "
        "(cold caches)"
    )


if __name__ == "__main__":
    main()
