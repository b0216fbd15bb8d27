"""Tests of rendezvous.parallel: in-process and Dask runs, and one-line failures in seconds.

Requirement (issue 12): an unreachable or unsupported scheduler fails in seconds with one line;
with no worker left the call gives up with one line instead of waiting forever.
"""

from __future__ import annotations

import socket
import time

import pytest

from rendezvous.parallel import (
    ClusterError,
    check_scheduler_address,
    local_cluster_options,
    map_chunks,
)

distributed = pytest.importorskip("distributed")


def _square(x: int) -> int:
    return x * x


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def test_in_process_keeps_order():
    assert map_chunks(_square, range(5)) == [0, 1, 4, 9, 16]


@pytest.mark.parametrize(
    "address, words",
    [
        ("tls://127.0.0.1:8786", "TLS certificates"),
        ("ucx://127.0.0.1:8786", "UCX"),
        ("ws://127.0.0.1:8786", "not supported"),
        ("", "empty"),
        ("tcp://127.0.0.1", "no host and port"),
        ("tcp://127.0.0.1:99999", "no host and port"),
        ("tcp://\x1b[31mhost:8786", "not a host name"),
    ],
)
def test_unsupported_addresses_are_one_line(address, words):
    t0 = time.monotonic()
    with pytest.raises(ValueError) as info:
        map_chunks(_square, [1], scheduler=address)
    msg = str(info.value)
    assert msg.startswith("scheduler: ") and words in msg and "\n" not in msg
    assert "\x1b" not in msg and "--" not in msg
    assert time.monotonic() - t0 < 1.0


def test_address_forms():
    assert check_scheduler_address("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler_address(" TCP://node-1:8786 ") == "tcp://node-1:8786"


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="^workers and scheduler: "):
        map_chunks(_square, [1], workers=1, scheduler="tcp://127.0.0.1:1")
    for bad in (0, 1.5, True, 10**6):
        with pytest.raises(ValueError, match="^workers: "):
            map_chunks(_square, [1], workers=bad)
    with pytest.raises(ValueError, match="^connect_timeout_s: "):
        map_chunks(_square, [1], scheduler="tcp://127.0.0.1:1", connect_timeout_s=float("nan"))


def test_unreachable_scheduler_fails_in_seconds():
    t0 = time.monotonic()
    with pytest.raises(ClusterError) as info:
        map_chunks(_square, [1], scheduler=f"tcp://127.0.0.1:{_closed_port()}", connect_timeout_s=2)
    elapsed = time.monotonic() - t0
    msg = str(info.value)
    assert msg.startswith("scheduler: cannot reach tcp://127.0.0.1:") and "\n" not in msg
    assert elapsed < 10.0  # 2 s asked; Dask's client adds its own start-up


def test_no_worker_left_gives_up():
    from dask.distributed import LocalCluster

    with LocalCluster(
        **local_cluster_options(n_workers=0, processes=False, protocol="tcp")
    ) as cluster:
        t0 = time.monotonic()
        with pytest.raises(ClusterError) as info:
            map_chunks(_square, [1, 2], scheduler=cluster.scheduler_address, no_worker_timeout_s=1)
        elapsed = time.monotonic() - t0
    msg = str(info.value)
    assert msg.startswith("scheduler: no worker has been connected for 1 s") and "\n" not in msg
    assert "2 of 2 chunks left" in msg
    assert elapsed < 8.0


def test_existing_cluster_gives_the_in_process_results():
    from dask.distributed import LocalCluster

    with LocalCluster(
        **local_cluster_options(n_workers=1, processes=False, protocol="tcp")
    ) as cluster:
        out = map_chunks(_square, range(6), scheduler=cluster.scheduler_address)
    assert out == [0, 1, 4, 9, 16, 25]


def _fail(x: int) -> int:
    raise ZeroDivisionError(f"chunk {x}")


def test_task_errors_come_back_as_they_are():
    from dask.distributed import LocalCluster

    with LocalCluster(
        **local_cluster_options(n_workers=1, processes=False, protocol="tcp")
    ) as cluster:
        with pytest.raises(ZeroDivisionError, match="chunk 3"):
            map_chunks(_fail, [3], scheduler=cluster.scheduler_address)


def _die(x: int) -> int:
    import os

    os._exit(1)  # the worker process dies, as with a crash or the OOM killer


def test_a_chunk_that_kills_its_workers_is_one_line():
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(**local_cluster_options(n_workers=1, protocol="tcp")) as cluster:
            t0 = time.monotonic()
            with pytest.raises(ClusterError) as info:
                map_chunks(_die, [1], scheduler=cluster.scheduler_address)
            elapsed = time.monotonic() - t0
    msg = str(info.value)
    assert msg.startswith("scheduler: a chunk's worker died") and "\n" not in msg
    assert elapsed < 20.0


def test_reachability_is_checked_in_seconds_before_any_work():
    from rendezvous.parallel import check_scheduler_reachable

    t0 = time.perf_counter()
    with pytest.raises(ClusterError) as err:
        check_scheduler_reachable(f"tcp://127.0.0.1:{_closed_port()}", timeout_s=2)
    assert time.perf_counter() - t0 < 3.0
    msg = str(err.value)
    assert msg.startswith("scheduler: cannot reach tcp://127.0.0.1:") and "\n" not in msg
    with pytest.raises(ValueError, match="^scheduler: the scheme 'tls://'"):
        check_scheduler_reachable("tls://127.0.0.1:8786")
    with socket.socket() as listener:  # an open port passes
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        assert check_scheduler_reachable(f"127.0.0.1:{port}") == f"tcp://127.0.0.1:{port}"


def test_workers_without_dask_is_a_one_line_error_before_any_work(monkeypatch):
    """dask.distributed is an optional extra: its absence names the parameter and the extra."""
    import importlib.util

    from rendezvous import parallel

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    with pytest.raises(ValueError, match=r"^workers: needs dask.distributed.*\[dask\]"):
        parallel.require_dask("workers")


def test_cli_workers_without_dask_exits_2_naming_the_option(monkeypatch, tmp_path, capsys):
    import importlib.util

    from rendezvous.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    out = tmp_path / "d"
    argv = ["dispersions", "--samples", "4", "--seed", "1", "--workers", "2", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --workers") and err.count("\n") == 1, err
    assert not out.exists()


def test_progress_is_a_callback_called_once_per_chunk(capsys):
    """The library prints nothing: the caller gets one call per finished chunk (the command line
    draws its bar with it)."""
    from rendezvous.parallel import map_chunks

    calls = []
    assert map_chunks(len, [[1], [1, 2], [1, 2, 3]], progress=lambda: calls.append(1)) == [1, 2, 3]
    assert len(calls) == 3
    assert capsys.readouterr() == ("", "")


def _die_once(marker: str, shared: str, x: int) -> int:
    from pathlib import Path

    if not Path(marker).exists():
        Path(marker).touch()
        _die(x)
    return x + len(shared)


def test_shared_inputs_without_workers_give_up():
    """The inputs a partial binds are scattered first: with no worker that also gives up."""
    from functools import partial

    from dask.distributed import LocalCluster

    with LocalCluster(
        **local_cluster_options(n_workers=0, processes=False, protocol="tcp")
    ) as cluster:
        t0 = time.monotonic()
        with pytest.raises(ClusterError, match="^scheduler: no worker has been connected for 1 s"):
            map_chunks(
                partial(pow, 2), [1, 2], scheduler=cluster.scheduler_address, no_worker_timeout_s=1
            )
        assert time.monotonic() - t0 < 8.0


def test_losing_every_copy_of_the_shared_inputs_is_one_line(tmp_path):
    """The only worker (holding the only copy of the scattered inputs) dies: one line, no hang."""
    from functools import partial

    from dask.distributed import LocalCluster

    job = partial(_die_once, str(tmp_path / "died"), "shared")
    with LocalCluster(**local_cluster_options(n_workers=1, protocol="tcp")) as cluster:
        with pytest.raises(ClusterError) as info:
            map_chunks(job, [1, 2], scheduler=cluster.scheduler_address)
    msg = str(info.value)
    assert msg.startswith("scheduler: every worker holding the inputs") and "\n" not in msg
    assert (tmp_path / "died").exists()


def test_dask_setup_sets_the_malloc_thresholds_on_glibc():
    """The workers' malloc set-up (parallel.dask_setup) takes on glibc (only thresholds change:
    no effect on results); elsewhere it is a no-op that returns False. Run in a child process:
    glibc has no call to read the thresholds back, and setting them turns off the dynamic mmap
    threshold for good, so the test must not change the malloc of the pytest process."""
    import os
    import platform
    import subprocess
    import sys
    from pathlib import Path

    import rendezvous

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc only")
    src = str(Path(rendezvous.__file__).resolve().parents[1])
    code = "from rendezvous.parallel import dask_setup; print(dask_setup())"
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
