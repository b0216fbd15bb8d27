"""Time a 10,000-sample dispersion run of MS-27 (issue 5 target: < 60 s on 2 cores), in-process
and, optionally, on a local Dask cluster, and check that both give the same samples.

The nominal flight (``rendezvous.simulate`` + ``nominal_from_mission``) is computed once and timed
separately. For a before/after comparison in the same run, run this script twice in one shell
command, once with PYTHONPATH pointing at the old source tree.

Usage: python benchmarks/dispersions.py [--samples 10000] [--workers 0|2] [--chunk-size 1000]
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
    ap.add_argument("--workers", type=int, default=2, help="0: in-process only")
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", action="store_true", help="print the report")
    args = ap.parse_args()
    cfg = Scenario("2025-04-08T05:47:15.309Z")
    t0 = time.perf_counter()
    nominal = nominal_from_mission(simulate(cfg), cfg)
    t_nom = time.perf_counter() - t0
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"nominal flight (simulate + transition matrix): {t_nom:6.2f} s")
    t0 = time.perf_counter()
    local = run_dispersions(nominal, args.samples, args.seed, chunk_size=args.chunk_size)
    t_local = time.perf_counter() - t0
    print(f"{args.samples} samples, chunks of {args.chunk_size}:")
    print(
        f"  in-process:  {t_local:6.2f} s  ({args.samples / t_local:7.0f} samples/s; target < 60 s)"
    )
    failed = getattr(local, "status", np.zeros(1))
    print(f"  failed samples: {int(np.sum(failed != 0))}")
    if args.workers > 0:
        t0 = time.perf_counter()
        dask = run_dispersions(
            nominal, args.samples, args.seed, chunk_size=args.chunk_size, workers=args.workers
        )
        t_dask = time.perf_counter() - t0
        same = report(local) == report(dask) and np.array_equal(local.miss_r, dask.miss_r)
        print(
            f"  Dask LocalCluster, {args.workers} worker processes:  {t_dask:6.2f} s   "
            "(including cluster start-up)"
        )
        print(f"  identical results: {same}")
    if args.report:
        print()
        print(report(local))


if __name__ == "__main__":
    main()
