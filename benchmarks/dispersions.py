"""Time a 10,000-sample dispersion run (issue 5 target: < 60 s on 2 cores), in-process and on a
local Dask cluster side by side, and check that both give the same report.

The nominal MS-27 flight (``rendezvous.simulate``, about 2 s) is computed once and timed separately.

Usage: python benchmarks/dispersions.py [--samples 10000] [--workers 2] [--chunk-size 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from rendezvous import Scenario, simulate
from rendezvous.dispersions import nominal_from_mission, report, run_dispersions


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cfg = Scenario("2025-04-08T05:47:15.309Z")
    t0 = time.perf_counter()
    nominal = nominal_from_mission(simulate(cfg), cfg)
    t_nom = time.perf_counter() - t0
    t0 = time.perf_counter()
    local = run_dispersions(nominal, args.samples, args.seed, chunk_size=args.chunk_size)
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    dask = run_dispersions(
        nominal, args.samples, args.seed, chunk_size=args.chunk_size, workers=args.workers
    )
    t_dask = time.perf_counter() - t0
    same = report(local) == report(dask) and np.array_equal(local.miss_r, dask.miss_r)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"nominal flight (simulate + transition matrix): {t_nom:6.2f} s")
    print(f"{args.samples} samples, chunks of {args.chunk_size}:")
    print(f"  in-process:                           {t_local:6.2f} s   (target < 60 s)")
    print(
        f"  Dask LocalCluster, {args.workers} worker processes:  {t_dask:6.2f} s   "
        "(including cluster start-up)"
    )
    print(f"  identical results: {same}")
    print()
    print(report(local))


if __name__ == "__main__":
    main()
