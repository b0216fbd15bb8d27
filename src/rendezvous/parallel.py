"""Running independent chunks of work in-process or on a Dask cluster: the package's only module
that imports dask (and tqdm), both optional and imported only when used.

``map_chunks(func, chunks)`` returns ``[func(c) for c in chunks]`` in chunk order, computed

- in this process (default);
- on a local Dask cluster of ``workers`` processes, one thread each
  (``dask.distributed.LocalCluster``), created and closed for the call;
- on an existing cluster at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``), left running.

``func`` and the chunks must be picklable (a module-level function or a ``functools.partial`` of
one); the package must be importable on the workers. The results are those of ``func`` whatever
runs it, so a computation that depends only on its chunk gives identical numbers everywhere.
A progress bar (tqdm, on stderr) counts finished chunks when ``progress`` is true.
"""

from __future__ import annotations

__all__ = ["map_chunks"]


def _bar(total, desc, enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # optional: no bar without tqdm
        return None
    return tqdm(total=total, desc=desc, unit="chunk")


def map_chunks(
    func,
    chunks,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    desc: str = "",
) -> list:
    """``[func(c) for c in chunks]``, in-process or on Dask (module docstring).

    workers: number of local worker processes (>= 1); scheduler: address of a running Dask
    scheduler; at most one of the two. Raises ValueError for bad arguments, ImportError with the
    install hint when dask is needed and missing.
    """
    chunks = list(chunks)
    if workers is not None and scheduler is not None:
        raise ValueError("--workers and --scheduler: give one or the other, not both")
    if workers is not None and (int(workers) != workers or workers < 1):
        raise ValueError(f"--workers: got {workers}; use a positive whole number")
    bar = _bar(len(chunks), desc, progress)
    try:
        if workers is None and scheduler is None:
            out = []
            for c in chunks:
                out.append(func(c))
                if bar is not None:
                    bar.update(1)
            return out
        return _on_dask(func, chunks, workers, scheduler, bar)
    finally:
        if bar is not None:
            bar.close()


def _on_dask(func, chunks, workers, scheduler, bar):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ImportError(
            "--workers/--scheduler need dask.distributed: pip install 'dask[distributed]'"
        ) from exc
    cluster = None
    if workers is not None:
        cluster = LocalCluster(
            n_workers=int(workers), threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = client.map(func, chunks, pure=False)
            for _ in as_completed(futures):
                if bar is not None:
                    bar.update(1)
            return client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
