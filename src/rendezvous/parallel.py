"""Running independent chunks of work in-process or on a Dask cluster: the package's only module
that imports dask, optional and imported only when used.

``map_chunks(func, chunks)`` returns ``[func(c) for c in chunks]`` in chunk order, computed

- in this process (default);
- on a local Dask cluster of ``workers`` processes, one thread each (:func:`local_cluster`: a
  ``dask.distributed.LocalCluster`` with what runs beside the tasks turned down,
  :data:`WORKER_CONFIG`, :data:`SCHEDULER_CONFIG`, :func:`dask_setup`), created and closed for
  the call;
- on an existing cluster at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``), left running.

``func`` and the chunks must be picklable (a module-level function or a ``functools.partial`` of
one); the package must be importable on the workers. The results are those of ``func`` whatever
runs it, so a computation that depends only on its chunk gives identical numbers everywhere.

What travels: the inputs common to every chunk are the arguments a ``functools.partial`` binds
(for the dispersions, the nominal flight and the error model). On Dask they are scattered once,
replicated to every worker (``Client.scatter(broadcast=True)``), and each task carries only a
reference to them and its own chunk (for the dispersions, a range of sample indices): the task
graph does not grow with the shared inputs, and they cross the network once per worker instead
of once per task. A worker lost mid-run (crash, OOM killer, pre-empted node) costs only its
work: Dask runs its unfinished chunk again and recomputes the finished chunks whose results it
held, on the workers left (or the one the nanny restarts), which fetch the shared inputs from a
surviving replica; the results are the same, as each depends only on its chunk. Only when every
worker holding the shared inputs is lost at once does the call fail (:class:`ClusterError`).
``progress``, if given, is called once per finished chunk (the command line draws a bar with it;
this module prints nothing).

Failures are one line (:class:`ClusterError`, or ``ValueError`` for a bad argument), naming the
parameter: an address with a scheme the package does not configure (only ``tcp://`` or a bare
``host:port``; ``tls://`` needs certificates, ``ucx://`` the UCX stack) is refused before any
connection; an unreachable scheduler fails after ``connect_timeout_s`` (5 s); a task whose worker
died more often than Dask's ``distributed.scheduler.allowed-failures`` retries (3) is reported; and
when the cluster has had no worker for ``no_worker_timeout_s`` (60 s) while work is left, the call
gives up instead of waiting forever.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import CancelledError
from contextlib import contextmanager
from functools import partial

__all__ = [
    "MALLOC_MMAP_THRESHOLD",
    "MALLOC_TRIM_THRESHOLD",
    "SCHEDULER_CONFIG",
    "WORKER_CONFIG",
    "ClusterError",
    "check_scheduler_address",
    "check_scheduler_reachable",
    "dask_setup",
    "local_cluster",
    "local_cluster_options",
    "map_chunks",
]

CONNECT_TIMEOUT_S = 5.0
NO_WORKER_TIMEOUT_S = 60.0
_POLL_S = 0.5


class ClusterError(RuntimeError):
    """The Dask cluster could not run the work; the message is one line naming ``scheduler`` or
    ``workers``."""


def _shown(text: object, limit: int = 80) -> str:
    s = str(text)
    out = "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode() for c in s[:limit])
    return out + ("..." if len(s) > limit else "")


def check_scheduler_address(address: str) -> str:
    """The scheduler address as Dask takes it (``tcp://HOST:PORT``), or ``ValueError`` naming
    ``scheduler``: empty, a scheme other than ``tcp``, or no valid port."""
    s = str(address).strip()
    form = "give tcp://HOST:PORT of a running scheduler (dask scheduler prints it)"
    if not s:
        raise ValueError(f"scheduler: the address is empty; {form}")
    scheme, sep, rest = s.partition("://")
    if not sep:
        scheme, rest = "tcp", s
    scheme = scheme.lower()
    if scheme != "tcp":
        why = {
            "tls": "needs TLS certificates (a Dask Security configuration) that the package does "
            "not set up",
            "ucx": "needs the UCX stack and its Dask configuration",
        }.get(scheme, "is not supported")
        raise ValueError(f"scheduler: the scheme '{_shown(scheme, 20)}://' {why}; {form}")
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"scheduler: '{_shown(s)}' has no host and port; {form}")
    if not all(c.isascii() and (c.isalnum() or c in ".-_:") for c in host):
        raise ValueError(f"scheduler: '{_shown(s)}' is not a host name or address; {form}")
    return f"tcp://{rest}"


def check_scheduler_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> str:
    """The checked address (:func:`check_scheduler_address`) once a TCP connection to it opens
    within ``timeout_s``; otherwise :class:`ClusterError` naming ``scheduler``. Cheap (no Dask
    import): callers check before long work, so a closed port costs seconds, not a flight."""
    import socket

    checked = check_scheduler_address(address)
    rest = checked.partition("://")[2]
    host, _, port = rest.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = _shown(exc.strerror or type(exc).__name__, 80)
        raise ClusterError(
            f"scheduler: cannot reach {checked} within {timeout_s:g} s ({reason}); start the "
            "scheduler and its workers, or check the address"
        ) from None
    return checked


_QUIET = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.gil.enabled": False,
}

WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    **_QUIET,
}
"""Dask configuration of the local worker processes: what runs beside the task, for a dashboard
the local cluster does not serve, less often or not at all. Each of these wakes the worker's event
loop, which then takes the interpreter lock from the task (and on a busy machine waits for a core
to do so):

- the statistical profiler (every 10 ms: off; with it a chunk cost 10 to 20 % more CPU time than
  in-process, benchmarks/RESULTS_scaling.md);
- the event-loop tick (20 ms: 1 s; it only measures how late the loop is), the system monitor
  (500 ms: 5 s; CPU, memory and network counters for the dashboard) and its GIL sampler (every 1
  ms when ``gilknocker`` is installed: off), the memory monitor (100 ms: 1 s; it still pauses or
  restarts a worker over its memory limit, a second later).

Measured (2-core test machine, loaded; one worker process running an 8 s CPU-bound task): the
worker process's CPU time beside the task 0.92-0.99 s with Dask's defaults (profiler off), 0.15-0.20
s with these, and 2-3 % more work done per task CPU second."""

SCHEDULER_CONFIG = dict(_QUIET)
"""Dask configuration under which :func:`local_cluster` starts its scheduler (in the calling
process, beside the client): its tick and system monitor as the workers'. Measured as above:
the calling process spent 1.5-1.7 s of CPU during the 8 s task with Dask's defaults, 0.4 s with
these, CPU the workers' cores no longer lose."""

MALLOC_MMAP_THRESHOLD = 32 * 2**20
"""glibc's mmap threshold in the local worker processes, bytes (:func:`dask_setup`)."""

MALLOC_TRIM_THRESHOLD = 64 * 2**20
"""glibc's trim threshold in the local worker processes, bytes (:func:`dask_setup`)."""


def dask_setup(worker: object = None) -> bool:
    """Run by each local worker process as it starts (Dask's ``preload`` of this module, set by
    :func:`local_cluster_options`; also on a worker its nanny restarts): glibc's malloc keeps
    arrays below :data:`MALLOC_MMAP_THRESHOLD` (32 MiB) on its heap and hands freed memory back
    to the system only above :data:`MALLOC_TRIM_THRESHOLD` (64 MiB), the values its own dynamic
    thresholds settle to in a long-running process.

    Why: Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (its
    ``distributed.nanny.pre-spawn-environ``, to return memory to the system early), and setting
    that variable also freezes glibc's mmap threshold at 128 kB (the Linux man page mallopt(3):
    setting M_TRIM_THRESHOLD or M_MMAP_THRESHOLD, or their environment variables, disables the
    dynamic adjustment of the mmap threshold), so every numpy array above 128 kB
    (a 1,000-sample chunk makes thousands: (3, k, N) relative paths, the integrators' work arrays)
    is a fresh mmap, its pages faulted in again at each allocation. Measured on the MS-27
    dispersions (2-core test machine, 1,000 samples, thread CPU time): 1.52-1.62 s with Dask's
    setting, 1.28-1.44 s with these thresholds set after start-up, 1.28-1.37 s without either.
    A worker's heap then holds at most one chunk's working set (tens of MB).

    Returns whether the thresholds were set (False where the C library is not glibc: nothing
    changes there). ``worker`` is unused (Dask passes the worker)."""
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
    return bool(mallopt(m_mmap_threshold, MALLOC_MMAP_THRESHOLD)) and bool(
        mallopt(m_trim_threshold, MALLOC_TRIM_THRESHOLD)
    )


def local_cluster_options(**changes) -> dict:
    """Keyword arguments for ``dask.distributed.LocalCluster``: one thread per worker process, no
    dashboard, the scheduler's HTTP endpoint on a free port (its default, 8787, is often taken
    by another cluster on the same machine, which Dask reports with a warning), and for worker
    processes (``processes=True``) the configuration :data:`WORKER_CONFIG` and this module as a
    preload (:func:`dask_setup`: glibc's malloc thresholds), which their nannies also give a
    worker they restart. Each worker process keeps Dask's one thread for OpenBLAS, OpenMP and
    MKL (``OPENBLAS_NUM_THREADS=1`` ..., set by Dask before it starts): the workers are the
    parallelism, and more threads per worker would compete for the same cores."""
    options: dict[str, object] = {
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
    }
    options.update(changes)
    if options["processes"]:  # Nanny options: it passes them to its worker process
        options.setdefault("config", dict(WORKER_CONFIG))
        options.setdefault("preload", [__name__])
    return options


def local_cluster(n_workers: int, **changes):
    """A started ``dask.distributed.LocalCluster`` of ``n_workers`` processes with
    :func:`local_cluster_options` (``changes`` override them), its scheduler started under
    :data:`SCHEDULER_CONFIG`: the local cluster ``map_chunks(..., workers=n)`` uses. Close it
    (or use it as a context manager)."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(SCHEDULER_CONFIG):
        return LocalCluster(**local_cluster_options(n_workers=n_workers, **changes))


def map_chunks(
    func,
    chunks,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[], object] | None = None,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
    no_worker_timeout_s: float = NO_WORKER_TIMEOUT_S,
) -> list:
    """``[func(c) for c in chunks]``, in-process or on Dask (module docstring).

    workers: number of local worker processes (>= 1); scheduler: address of a running Dask
    scheduler; at most one of the two. connect_timeout_s: how long to try to reach the scheduler;
    no_worker_timeout_s: how long to wait with work left and no worker. Raises ValueError for bad
    arguments, ImportError with the install hint when dask is needed and missing,
    :class:`ClusterError` when the cluster cannot run the work; ``func``'s own errors as they are.
    """
    chunks = list(chunks)
    if workers is not None and scheduler is not None:
        raise ValueError("workers and scheduler: give one or the other, not both")
    if workers is not None and (
        isinstance(workers, bool) or int(workers) != workers or not 1 <= workers <= 1024
    ):
        raise ValueError(f"workers: got {_shown(workers)}; use a whole number from 1 to 1024")
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    for name, value in (
        ("connect_timeout_s", connect_timeout_s),
        ("no_worker_timeout_s", no_worker_timeout_s),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name}: got {value}; use a positive number of seconds")
    if workers is None and scheduler is None:
        out = []
        for c in chunks:
            out.append(func(c))
            if progress is not None:
                progress()
        return out
    return _on_dask(
        func, chunks, workers, scheduler, progress, connect_timeout_s, no_worker_timeout_s
    )


@contextmanager
def _quiet_client_logs():
    """Dask's client logs each failed connection attempt; the caller gets one line instead."""
    loggers = [logging.getLogger(n) for n in ("distributed.client", "distributed.comm.core")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _connect(target, where: str, timeout_s: float):
    from dask.distributed import Client

    try:
        with _quiet_client_logs():
            return Client(target, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        reason = _shown(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 120)
        raise ClusterError(
            f"scheduler: cannot reach {where} within {timeout_s:g} s ({reason}); start the "
            "scheduler and its workers, or check the address"
        ) from None


def require_dask(parameter: str) -> None:
    """Raise ValueError naming ``parameter`` ("workers" or "scheduler") when dask.distributed,
    an optional extra, is not installed: cheap, so callers check before any work."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise ValueError(
            f"{parameter}: needs dask.distributed, which is not installed; install the extra: "
            "pip install 'soyuz-rendezvous[dask]' (or leave it out to run in this process)"
        )


def _on_dask(func, chunks, workers, scheduler, progress, connect_timeout_s, no_worker_timeout_s):
    require_dask("workers" if workers is not None else "scheduler")
    cluster = local_cluster(int(workers)) if workers is not None else None
    try:
        where = scheduler if cluster is None else "the local cluster"
        client = _connect(cluster if cluster is not None else scheduler, where, connect_timeout_s)
        with client:
            futures = _submit(client, func, chunks, no_worker_timeout_s)
            try:
                _wait_all(client, futures, progress, no_worker_timeout_s)
                return client.gather(futures)
            except CancelledError:  # Dask cancels the tasks whose scattered inputs are lost
                raise _lost_shared() from None
    finally:
        if cluster is not None:
            cluster.close()


def _apply(func: Callable, bound: tuple, chunk: object) -> object:
    """``func(*args, chunk, **keywords)`` with ``bound = (args, keywords)``: a partial whose bound
    arguments arrive as one scattered object."""
    args, keywords = bound
    return func(*args, chunk, **keywords)


def _submit(client, func: Callable, chunks: list, no_worker_timeout_s: float) -> list:
    """One task per chunk; the arguments a ``functools.partial`` binds are scattered once to every
    worker and the tasks refer to them (module docstring)."""
    from dask.utils import funcname

    name = funcname(func)
    if not (isinstance(func, partial) and (func.args or func.keywords)):
        return client.map(func, chunks, key=name, pure=False)
    try:
        (bound,) = client.scatter(
            [(func.args, func.keywords)], broadcast=True, hash=False, timeout=no_worker_timeout_s
        )
    except TimeoutError:
        raise _no_worker(no_worker_timeout_s, len(chunks), len(chunks)) from None
    return client.map(
        partial(_apply, func.func), [bound] * len(chunks), chunks, key=name, pure=False
    )


def _no_worker(timeout_s: float, left: int, total: int) -> ClusterError:
    return ClusterError(
        f"scheduler: no worker has been connected for {timeout_s:g} s with {left} of {total} "
        "chunks left; start workers (dask worker ADDRESS) and rerun"
    )


def _lost_shared() -> ClusterError:
    return ClusterError(
        "scheduler: every worker holding the inputs shared by the chunks was lost; rerun (with "
        "more workers, or check the workers' memory and logs)"
    )


def _wait_all(client, futures, progress, no_worker_timeout_s: float) -> None:
    """Wait for every future, raising the first error; give up when no worker is left."""
    from dask.distributed import wait
    from distributed.scheduler import KilledWorker

    pending = list(futures)
    last_worker = time.monotonic()
    while pending:
        try:
            done, not_done = wait(pending, timeout=_POLL_S, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done, not_done = set(), set(pending)
        for f in done:
            if f.status == "cancelled":
                raise _lost_shared()
            if f.status == "error":
                exc = f.exception()
                if isinstance(exc, KilledWorker):
                    raise ClusterError(
                        "scheduler: a chunk's worker died each time it ran it (Dask retried it "
                        "up to distributed.scheduler.allowed-failures times); check the workers' "
                        "memory and logs"
                    ) from None
                raise exc
            if progress is not None:
                progress()
        pending = [f for f in pending if f in not_done]
        if not pending:
            return
        now = time.monotonic()
        if client.nthreads():
            last_worker = now
        elif now - last_worker > no_worker_timeout_s:
            raise _no_worker(no_worker_timeout_s, len(pending), len(futures))
