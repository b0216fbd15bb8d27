"""Time whole-rendezvous dispersions of MS-27 (issue 11 target: 10,000 samples, insertion to
contact, in under 60 s in-process on the 2-core machine) beside the far range alone, measured in
the same process; optionally on a local Dask cluster, checking that both give the same samples.

Baselines, in the same process: the former far-range-only dispersions as they were before the
whole rendezvous was flown (``rendezvous/dispersions.py`` at commit ``BASELINE_COMMIT``, read with
``git show`` and loaded beside the current package; skipped without git), and the far range of the
current code alone (the same samples stopped at the approach start). The nominal flight
(``rendezvous.simulate`` + ``nominal_from_mission``) is computed once and timed separately.

Usage: python benchmarks/dispersions.py [--samples 10000] [--workers 0|2] [--chunk-size 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from rendezvous import Scenario, simulate
from rendezvous.dispersions import (
    _fly_far,
    _legs,
    draw_range,
    nominal_from_mission,
    report,
    run_dispersions,
)


def far_range_only(nominal, n: int, seed: int, chunk: int) -> float:
    """Seconds to fly the same samples' far range alone (chunks of ``chunk``, in-process)."""
    from rendezvous.dispersions import ErrorModel

    model = ErrorModel()
    t0 = time.perf_counter()
    for a in range(0, n, chunk):
        z = draw_range(seed, a, min(a + chunk, n), _legs(nominal))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _fly_far(nominal, model, z.T, 12)
    return time.perf_counter() - t0


BASELINE_COMMIT = "97cebb8"
"""The last commit whose dispersions flew the far range only (issue 11's starting point)."""


def old_far_range(cfg, result, n: int, seed: int, chunk: int) -> float | None:
    """Seconds of the former far-range-only ``run_dispersions`` (module docstring), or None."""
    import importlib.util
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    try:
        code = subprocess.run(
            ["git", "show", f"{BASELINE_COMMIT}:src/rendezvous/dispersions.py"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("rendezvous._dispersions_baseline", loader=None)
    old = importlib.util.module_from_spec(spec)
    old.__package__ = "rendezvous"
    sys.modules[spec.name] = old  # dataclasses look their module up there
    exec(compile(code, "dispersions_baseline.py", "exec"), old.__dict__)
    nominal = old.nominal_from_mission(result, cfg)
    t0 = time.perf_counter()
    old.run_dispersions(nominal, n, seed, chunk_size=chunk)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=0, help="0: in-process only")
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", action="store_true", help="print the report")
    args = ap.parse_args()
    cfg = Scenario("2025-04-08T05:47:15.309Z")
    t0 = time.perf_counter()
    result = simulate(cfg)
    nominal = nominal_from_mission(result, cfg)
    t_nom = time.perf_counter() - t0
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"nominal flight (simulate + transition matrices): {t_nom:6.2f} s")
    n, chunk = args.samples, args.chunk_size
    t_old = old_far_range(cfg, result, n, args.seed, chunk)
    t_far = far_range_only(nominal, n, args.seed, chunk)
    t0 = time.perf_counter()
    local = run_dispersions(nominal, n, args.seed, chunk_size=chunk)
    t_local = time.perf_counter() - t0
    print(f"{n} samples of MS-27, chunks of {chunk}, in-process:")
    if t_old is None:
        print(f"  baseline {BASELINE_COMMIT}, far range only: not run (needs git)")
    else:
        print(
            f"  baseline {BASELINE_COMMIT}, far range only:  {t_old:7.2f} s  "
            f"({n / t_old:7.0f} samples/s)"
        )
    print(f"  ours, far range alone:           {t_far:7.2f} s  ({n / t_far:7.0f} samples/s)")
    print(
        f"  ours, whole rendezvous:          {t_local:7.2f} s  ({n / t_local:7.0f} samples/s; "
        f"target < 60 s)"
    )
    if t_old is not None:
        print(f"  whole rendezvous / old far range only: x{t_local / t_old:.2f}")
    print(f"  failed samples: {int(np.sum(local.status != 0))}")
    if args.workers > 0:
        t0 = time.perf_counter()
        dask = run_dispersions(nominal, n, args.seed, chunk_size=chunk, workers=args.workers)
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
