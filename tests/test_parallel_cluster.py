"""Dispersions on a local Dask cluster of worker processes (rendezvous.parallel, issue 11): a
worker killed mid-run has its work recomputed and the result is bit-identical to the in-process
run of the same seed; the progress callback still fires once per chunk; the inputs shared by the
chunks are scattered once, so the task graph does not grow with them.

Requirement (issue 11, "Scale-out that scales"): each task draws its own samples from the seed
and its chunk (no sample arrays in the task graph); the same seed gives the same numbers on any
number of workers; a worker lost mid-run has its chunk recomputed and the result is identical.
"""

from __future__ import annotations

import os
import re
import warnings
from functools import partial
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from rendezvous import dispersions as D  # noqa: E402
from rendezvous.parallel import local_cluster, map_chunks  # noqa: E402

_REAL_CHUNK_JOB = D._chunk_job


def _dying_chunk_job(marker_dir, victim, nominal, model, newton_steps, seed, span):
    """``dispersions._chunk_job`` that records each attempt in ``marker_dir`` and, on the first
    attempt of the chunk starting at sample ``victim``, kills its own worker process (as a crash
    or the OOM killer would: no clean-up, no reply to the scheduler)."""
    where = Path(marker_dir)
    (where / f"{span[0]}-{uuid4().hex}").touch()
    if span[0] == victim and not (where / "killed").exists():
        (where / "killed").touch()
        os._exit(1)
    return _REAL_CHUNK_JOB(nominal, model, newton_steps, seed, span)


_SEEN: dict[str, list] = {}
"""Per run token, the shared inputs the tasks of this worker process were given."""


def _array_bytes(token, array, chunk):
    """What a task sees of the shared input (chunk index, its size and checksum) and how many
    distinct copies of it the tasks of this worker process have been given."""
    _SEEN.setdefault(token, []).append(array)
    return chunk, array.nbytes, float(array.sum()), len({id(a) for a in _SEEN[token]})


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each (the nanny restarts a worker that dies)."""
    with local_cluster(2, protocol="tcp") as c:
        yield c


@pytest.fixture(scope="module")
def nominal(ms27_result):
    return D.nominal_from_mission(ms27_result)


def _graph_sizes(caught) -> list[float]:
    """Sizes (bytes) of the task graphs the client sent, from Dask's own report."""
    from dask.utils import parse_bytes

    sizes = []
    for w in caught:
        m = re.search(r"Sending large graph of size ([0-9.]+ \w+)", str(w.message))
        if m:
            sizes.append(float(parse_bytes(m.group(1))))
    return sizes


def test_a_worker_killed_mid_run_changes_nothing(nominal, cluster, tmp_path, monkeypatch):
    import dask

    n, chunk, seed, victim = 8, 2, 7, 4  # four chunks; the third kills its worker once
    local = D.run_dispersions(nominal, n, seed, chunk_size=chunk)
    monkeypatch.setattr(D, "_chunk_job", partial(_dying_chunk_job, str(tmp_path), victim))
    ticks: list[int] = []
    with (
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "0B"}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        remote = D.run_dispersions(
            nominal,
            n,
            seed,
            chunk_size=chunk,
            scheduler=cluster.scheduler_address,
            progress=lambda: ticks.append(1),
        )
    assert (tmp_path / "killed").exists(), "no worker was killed: the test tested nothing"
    attempts = [p.name.split("-")[0] for p in tmp_path.iterdir() if p.name != "killed"]
    assert attempts.count(str(victim)) >= 2  # the killed chunk ran again
    for f in D._FIELDS:  # the same chunks anywhere: bit-identical
        np.testing.assert_array_equal(getattr(remote, f), getattr(local, f), err_msg=f)
    np.testing.assert_array_equal(remote.nominal_traj, local.nominal_traj)  # flown meanwhile
    assert (remote.nominal_dv_total, remote.nominal_t_docking) == (
        local.nominal_dv_total,
        local.nominal_t_docking,
    )
    assert D.report(remote) == D.report(local)
    assert len(ticks) == n // chunk  # one progress call per chunk, even with a chunk run twice
    # the graph carries sample ranges and a reference to the scattered nominal: smaller than the
    # nominal flight alone (no sample arrays, no nominal per task)
    sizes = _graph_sizes(caught)
    assert sizes and max(sizes) < 1500


def test_shared_inputs_travel_once_not_in_the_graph(cluster):
    """A 1 MB input bound by a partial reaches every task, the graph stays under 5 kB, and each
    worker process is given one copy, not one per task (as when the partial is the task)."""
    import dask

    big = np.arange(125_000, dtype=float)  # 1 MB
    job = partial(_array_bytes, uuid4().hex, big)
    with (
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "0B"}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        out = map_chunks(job, range(8), scheduler=cluster.scheduler_address)
    assert [o[:3] for o in out] == [(i, big.nbytes, float(big.sum())) for i in range(8)]
    assert {o[3] for o in out} == {1}  # one copy per worker, however many tasks it ran
    sizes = _graph_sizes(caught)
    assert sizes and max(sizes) < 5000, sizes


def _profiler_enabled() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def _preloads(dask_worker) -> list[str]:
    return [str(p.name) for p in dask_worker.preloads]


def _periods_ms(dask_worker) -> dict:
    return {k: v.callback_time for k, v in dask_worker.periodic_callbacks.items()}


def test_local_workers_run_without_the_profiler(cluster):
    """What runs beside the tasks is turned down (parallel.WORKER_CONFIG, SCHEDULER_CONFIG): no
    statistical profiler, the event-loop tick every second instead of 20 ms, the system monitor
    every 5 s, the memory monitor every second; each worker ran parallel.dask_setup (glibc's
    malloc thresholds) as it started; also a worker the nanny restarted (the test above kills
    one)."""
    from dask.distributed import Client

    with Client(cluster.scheduler_address) as client:
        # the test above killed a worker: wait for its nanny's restart (slow on a loaded machine)
        client.wait_for_workers(2, timeout=120)
        assert set(client.run(_profiler_enabled).values()) == {False}
        preloads = client.run(_preloads)
        assert len(preloads) == 2
        assert all(p == ["rendezvous.parallel"] for p in preloads.values()), preloads
        for periods in client.run(_periods_ms).values():
            assert not any("profile" in k for k in periods), periods
            assert periods["tick"] >= 1000 and periods["memory_monitor"] >= 1000, periods
            assert periods["monitor"] >= 5000, periods
    periods = {k: v.callback_time for k, v in cluster.scheduler.periodic_callbacks.items()}
    assert periods["tick"] >= 1000 and periods["monitor"] >= 5000, periods
