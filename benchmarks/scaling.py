"""Speed-up of the MS-27 dispersions on a local Dask cluster against the number of worker
processes (issue 11: 16 workers >= 10x the single process for 100,000 samples on a many-core
machine, 2 workers >= 1.7x on a 2-core one), with the task-graph size Dask reports.

The baseline is the in-process run (``run_dispersions`` without workers: one process, the same
chunks), measured in the same run, once before and once after the clusters; the speed-up is
against the mean of the two (both are printed, so a change of machine load shows). For each worker
count a ``LocalCluster`` of that many one-thread worker processes is started and warmed up (the
package imported and one small chunk flown on each worker) outside the timing: the start-up is
printed apart and excluded. Every Dask run is checked to give bit-identical samples to the
in-process run (same seed, same chunks).

Task graph: the size of the graph the client sends, as Dask itself reports it (its "large graph"
warning with the threshold at 0), for our submission (the shared nominal flight and error model
scattered once, each task a sample range and a reference) and for the same tasks with the shared
inputs bound into the task function (how ``map_chunks`` submitted before).

With ``--pool`` the same chunks are also flown on a ``multiprocessing`` pool of each size (no
Dask): what the machine itself allows, to tell Dask's overhead from the machine's. With
``--dask-defaults`` each worker count also runs on a cluster with Dask's own settings (statistical
profiler on, 20 ms ticks, 500 ms system monitor, 100 ms memory monitor, glibc's malloc thresholds
as Dask's ``MALLOC_TRIM_THRESHOLD_=65536`` leaves them) instead of ``parallel.local_cluster``'s:
what those settings buy. With ``--beside`` (alone, quick) one worker runs an 8 s CPU-bound task
with each kind of settings, and the CPU its process spends beside the task and the calling
process's CPU (client and scheduler) are printed: the overhead itself, without the dispersions.

Usage: python benchmarks/scaling.py [--samples 10000] [--max-workers CPUS] [--workers 1,2,4]
       [--chunk-size 1000] [--seed 1] [--pool] [--dask-defaults] [--beside]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
import warnings
from contextlib import contextmanager
from functools import partial

import numpy as np

from rendezvous import Scenario, simulate
from rendezvous import dispersions as D
from rendezvous.parallel import local_cluster, local_cluster_options


def machine() -> str:
    """CPU model, logical CPUs, physical cores (Linux), Python and numpy versions."""
    model, cores = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            phys = "0"
            for line in f:
                key, _, value = (s.strip() for s in line.partition(":"))
                if key == "model name":
                    model = value
                elif key == "physical id":
                    phys = value
                elif key == "core id":
                    cores.add((phys, value))
    except OSError:
        pass
    physical = f", {len(cores)} physical cores" if cores else ""
    return (
        f"{model}, {os.cpu_count()} logical CPUs{physical}; Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"
    except OSError:
        return "load average unknown"


@contextmanager
def graph_sizes(out: list):
    """Collect the sizes (bytes) of the task graphs the client sends, as Dask reports them."""
    import dask
    from dask.utils import parse_bytes

    with (
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "0B"}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        yield
    for w in caught:
        m = re.search(r"Sending large graph of size ([0-9.]+ \w+)", str(w.message))
        if m:
            out.append(int(parse_bytes(m.group(1))))


def task_cpu(dask_worker) -> float:
    """CPU seconds the worker's task threads have spent in tasks (Dask's own meter: the thread
    time of each task call); background threads (heartbeats, monitors) are left out."""
    return sum(
        v
        for k, v in dask_worker.digests_total.items()
        if isinstance(k, tuple) and k[:1] == ("execute",) and "thread-cpu" in k
    )


def identical(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in D._FIELDS)


def inline_graph_size(client, nominal, args) -> int:
    """Graph size of the same tasks with the shared inputs bound into the task function (the
    submission before scattering), submitted and cancelled at once."""
    model, steps = D.ErrorModel(), 12
    spans = [
        (i, min(i + args.chunk_size, args.samples)) for i in range(0, args.samples, args.chunk_size)
    ]
    sizes: list = []
    with graph_sizes(sizes):
        futures = client.map(
            partial(D._chunk_job, nominal, model, steps, args.seed), spans, pure=False
        )
    client.cancel(futures)
    return sizes[0] if sizes else -1


def on_cluster(nominal, workers: int, args, reference, dask_defaults: bool = False) -> dict:
    """On ``workers`` processes: start-up s, run s, the workers' task CPU s (busiest, all), their
    whole processes' CPU s (busiest: tasks, event loop, heartbeats, monitors), this process's CPU
    s (client and scheduler), graph bytes, inline graph bytes (1 worker only), identical to
    ``reference``. With ``dask_defaults``, Dask's own worker settings (no ``WORKER_CONFIG``, no
    preload)."""
    from dask.distributed import Client, LocalCluster

    t0 = time.perf_counter()
    if dask_defaults:
        options = local_cluster_options(n_workers=workers)
        options.pop("config")
        options.pop("preload")
        cluster = LocalCluster(**options)
    else:
        cluster = local_cluster(workers)
    with cluster:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
            address = cluster.scheduler_address
            # warm-up (excluded): import the package and fly one tiny chunk per worker
            client.run(__import__, "rendezvous.dispersions")
            D.run_dispersions(nominal, workers, args.seed, chunk_size=1, scheduler=address)
            t_start = time.perf_counter() - t0
            sizes: list = []
            cpu0, proc0 = client.run(task_cpu), client.run(time.process_time)
            t0, here0 = time.perf_counter(), time.process_time()
            with graph_sizes(sizes):
                res = D.run_dispersions(
                    nominal, args.samples, args.seed, chunk_size=args.chunk_size, scheduler=address
                )
            t_run, here = time.perf_counter() - t0, time.process_time() - here0
            cpu = [t - cpu0[a] for a, t in client.run(task_cpu).items()]
            proc = [t - proc0[a] for a, t in client.run(time.process_time).items()]
            inline = inline_graph_size(client, nominal, args) if workers == 1 else None
    return dict(
        start=t_start,
        run=t_run,
        task_max=max(cpu),
        task_all=sum(cpu),
        proc_max=max(proc),
        client=here,
        graph=sizes[0] if sizes else -1,
        inline=inline,
        same=identical(res, reference),
    )


def _busy(seconds: float) -> int:
    """Small numpy operations for ``seconds`` of this thread's CPU; the iterations done."""
    t0, a, n = time.thread_time(), np.ones(3000), 0
    while time.thread_time() - t0 < seconds:
        a = a * 1.0000001 + 1e-9
        n += 1
    return n


def beside(dask_defaults: bool, seconds: float = 8.0) -> tuple[float, float, int]:
    """One worker runs a ``seconds`` CPU-bound task: (its process's CPU s beside the task, this
    process's CPU s, the task's iterations)."""
    from dask.distributed import Client, LocalCluster

    if dask_defaults:
        options = local_cluster_options(n_workers=1)
        options.pop("config")
        options.pop("preload")
        cluster = LocalCluster(**options)
    else:
        cluster = local_cluster(1)
    with cluster, Client(cluster) as client:
        client.submit(_busy, 0.5, pure=False).result()
        proc0, here0 = client.run(time.process_time), time.process_time()
        n = client.submit(_busy, seconds, pure=False).result()
        here = time.process_time() - here0
        proc = [t - proc0[a] for a, t in client.run(time.process_time).items()][0]
    return proc - seconds, here, n


def on_pool(nominal, workers: int, args) -> float:
    """Seconds to fly the same chunks on a ``multiprocessing`` pool of ``workers`` processes
    (forked, started and warmed up outside the timing): what the machine allows without Dask."""
    from multiprocessing import get_context

    spans = [
        (i, min(i + args.chunk_size, args.samples)) for i in range(0, args.samples, args.chunk_size)
    ]
    job = partial(D._chunk_job, nominal, D.ErrorModel(), 12, args.seed)
    with get_context("fork").Pool(workers) as pool:
        pool.map(job, [(i, i + 1) for i in range(workers)], chunksize=1)
        t0 = time.perf_counter()
        pool.map(job, spans, chunksize=1)
        return time.perf_counter() - t0


def worker_counts(args) -> list[int]:
    if args.workers:
        return sorted({int(w) for w in args.workers.split(",")})
    counts, w = [], 1
    while w < args.max_workers:
        counts.append(w)
        w *= 2
    return [*counts, args.max_workers]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--workers", default="", help="comma-separated worker counts (else 1, 2, 4..)")
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--pool", action="store_true", help="also time a multiprocessing pool (no Dask) per count"
    )
    ap.add_argument(
        "--dask-defaults",
        action="store_true",
        help="also time each count with Dask's own worker settings (profiler, malloc)",
    )
    ap.add_argument(
        "--beside",
        action="store_true",
        help="only measure the CPU a worker spends beside an 8 s task, ours vs Dask's settings",
    )
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"at start: {load()}")
    if args.beside:
        for kind in (False, True, False, True):
            extra, here, n = beside(kind)
            who = "Dask's settings" if kind else "ours"
            print(
                f"{who}: worker process CPU beside an 8 s task {extra:.2f} s, calling process "
                f"{here:.2f} s, {n} iterations"
            )
        print(f"at end: {load()}")
        return
    cfg = Scenario("2025-04-08T05:47:15.309Z")
    nominal = D.nominal_from_mission(simulate(cfg), cfg)
    chunks = -(-args.samples // args.chunk_size)
    print(f"MS-27 dispersions: {args.samples} samples, {chunks} chunks of {args.chunk_size}")

    def in_process():
        t0, c0 = time.perf_counter(), time.thread_time()
        res = D.run_dispersions(nominal, args.samples, args.seed, chunk_size=args.chunk_size)
        return time.perf_counter() - t0, time.thread_time() - c0, res

    t_before, cpu_before, reference = in_process()
    print(f"  in-process, before the clusters: {t_before:7.2f} s ({cpu_before:.2f} CPU s)")
    rows = [(w, "ours", on_cluster(nominal, w, args, reference)) for w in worker_counts(args)]
    if args.dask_defaults:
        rows += [
            (w, "Dask's", on_cluster(nominal, w, args, reference, True))
            for w in worker_counts(args)
        ]
    pool = {w: on_pool(nominal, w, args) for w in worker_counts(args)} if args.pool else {}
    t_after, cpu_after, _ = in_process()
    print(f"  in-process, after the clusters:  {t_after:7.2f} s ({cpu_after:.2f} CPU s)")
    base, cpu_base = 0.5 * (t_before + t_after), 0.5 * (cpu_before + cpu_after)
    print(f"at end: {load()}")
    print()
    print(
        "workers  settings  start-up s  run s  speed-up  task CPU s busiest/all  process CPU s"
        "  client CPU s  CPU-bound: even / as run  graph bytes  identical"
    )
    for w, kind, r in rows:
        even = cpu_base / (r["task_all"] / chunks * -(-chunks // w))
        print(
            f"{w:7d}  {kind:>8}  {r['start']:10.1f}  {r['run']:5.1f}  {base / r['run']:7.2f}x"
            f"  {r['task_max']:11.1f}/{r['task_all']:<11.1f}  {r['proc_max']:13.1f}"
            f"  {r['client']:12.1f}  {even:15.2f}x / {cpu_base / r['proc_max']:.2f}x"
            f"  {r['graph']:11d}  {'yes' if r['same'] else 'NO'}"
        )
    print(
        "(CPU s: thread time of the computing thread in-process and of the workers' tasks (Dask's "
        "per-task meter); process CPU s: the busiest worker process, all its threads (tasks, "
        "event loop, heartbeats, monitors); client CPU s: this process during the run (client "
        "and scheduler). CPU-bound speed-up, the speed-up if each worker had a core of its own: "
        "'even', in-process CPU s over the workers' mean task CPU s per chunk times the chunks "
        "per worker, rounded up (the chunks shared evenly); 'as run', in-process CPU s over the "
        "busiest worker process's CPU s (the chunks as Dask shared them, with every overhead in "
        "the workers). Estimates for a loaded machine, not measurements)"
    )
    inline = next((r["inline"] for _, _, r in rows if r["inline"] is not None), None)
    if inline is not None:
        print(
            f"task graph of {chunks} chunks: {rows[0][2]['graph']} bytes (shared inputs scattered)"
            f" vs {inline} bytes (bound into every task, as before)"
        )
    for w, kind, r in rows:
        target = {2: 1.7, 16: 10.0 if args.samples >= 100_000 else None}.get(w)
        goal = f" (target >= {target:g}x)" if target else ""
        who = "ours" if kind == "ours" else "Dask's worker settings"
        print(
            f"{who}: {w} workers {r['run']:.2f} s vs baseline: in-process {base:.2f} s -> "
            f"{base / r['run']:.2f}x{goal}; CPU-bound {cpu_base / r['proc_max']:.2f}x"
        )
        if w in pool and kind == "ours":
            print(
                f"  same chunks on a multiprocessing pool of {w} (no Dask): {pool[w]:.2f} s -> "
                f"{base / pool[w]:.2f}x"
            )


if __name__ == "__main__":
    main()
