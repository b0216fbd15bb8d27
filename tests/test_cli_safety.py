"""The command line's promise under bad input and faults (issue 12): one line, the conventional
exit status, nothing partial, nothing overwritten, every path checked before any work.

Most tests stop before the flight (bad input). Those that need a flight replace the mission by the
session's simulated MS-27 (``flown`` fixture), so only writing is exercised; the signal and
concurrency tests run real processes.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rendezvous
from rendezvous import outdir
from rendezvous.cli import main

SRC = str(Path(rendezvous.__file__).resolve().parents[1])
ENV = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(err: str) -> str:
    """The single stderr line of a failed run."""
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command starts its work (the flight, the search, the samples)."""

    def refuse(*_a, **_k):
        raise AssertionError("the work started before every input was checked")

    import rendezvous.dispersions
    import rendezvous.mission
    import rendezvous.window

    monkeypatch.setattr(rendezvous.mission, "simulate", refuse)
    monkeypatch.setattr(rendezvous.window, "search_windows", refuse)
    monkeypatch.setattr(rendezvous.dispersions, "run_dispersions", refuse)


@pytest.fixture
def flown(monkeypatch, ms27_result):
    """The mission replaced by the session's simulated MS-27: the CLI only writes."""
    import rendezvous.mission

    monkeypatch.setattr(rendezvous.mission, "simulate", lambda cfg: ms27_result)
    return ms27_result


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ argument errors, empty values


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["simulate", "--tle", ""], "--tle"),
        (["simulate", "--out", ""], "--out"),
        (["simulate", "--launch", " "], "--launch"),
        (["simulate", "--site", ""], "--site"),
        (["simulate", "--port", ""], "--port"),
        (["simulate", "--scheme", ""], "--scheme"),
        (["window", "--date", ""], "--date"),
        (["window", "--date", "2025-04-08", "--json", ""], "--json"),
        (["window", "--date", "2025-04-08", "--tle", ""], "--tle"),
        (["dispersions", "--samples", "3", "--seed", "1", "--out", ""], "--out"),
        (["dispersions", "--samples", "3", "--seed", "1", "--scheduler", ""], "--scheduler"),
        (["dispersions", "--samples", "", "--seed", "1"], "--samples"),
    ],
)
def test_empty_values_are_errors(in_tmp, capsys, no_work, argv, flag):
    code, out, err = run(capsys, *argv)
    assert code == 2
    line = one_error(err)
    assert flag in line
    assert out == "" and leftovers(in_tmp) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["simulate", "--no-such-option"], "--no-such-option"),
        (["window"], "--date"),
        (["dispersions", "--samples", "x", "--seed", "1"], "--samples"),
        (["dispersions", "--samples", "3", "--seed", str(2**64)], "--seed"),
        (["dispersions", "--samples", "3", "--seed", "-1"], "--seed"),
        (
            ["dispersions", "--samples", "3", "--seed", "1", "--workers", "2", "--scheduler", "x"],
            "--scheduler",
        ),  # fmt: skip
        (["fly"], "fly"),
        ([], "command"),
    ],
)
def test_argument_errors_are_one_line_without_usage(in_tmp, capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    line = one_error(err)
    assert needle in line and "usage:" not in err
    assert out == ""


def test_help_and_version_of_every_command(capsys):
    for command in ("simulate", "window", "dispersions", "compare"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and out.startswith("usage:"), command
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"rendezvous {rendezvous.__version__}"


def test_help_imports_no_numerical_or_plotting_library():
    """``--help`` is instant: parsing imports nothing beyond what ``import rendezvous`` does."""
    probe = (
        "import sys, rendezvous; before = set(sys.modules)\n"
        "from rendezvous.cli import main\n"
        "codes = [main([c, '--help']) for c in ('simulate', 'window', 'dispersions', 'compare')]\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "heavy = {'numpy', 'scipy', 'skyfield', 'sgp4', 'matplotlib', 'dask', 'plotly'}\n"
        "print(codes, sorted(new & heavy))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", probe], env=ENV, capture_output=True, text=True, check=True
    )
    assert res.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0] []"


# ------------------------------------------------------------------ paths checked before any work


def test_out_dotdot_and_working_folder_refused(in_tmp, capsys, no_work):
    for bad in ("..", ".", str(in_tmp)):
        code, _, err = run(capsys, "simulate", "--out", bad, "--overwrite")
        assert code == 2
        assert "--out" in one_error(err)
    assert leftovers(in_tmp) == []


def test_out_is_a_file(in_tmp, capsys, no_work):
    (in_tmp / "f").write_text("mine")
    code, _, err = run(capsys, "simulate", "--out", "f", "--overwrite")
    assert code == 2 and f"{in_tmp / 'f'}" in one_error(err)
    assert (in_tmp / "f").read_text() == "mine"


def test_out_symlink_refused_and_kept(in_tmp, capsys, no_work):
    real = in_tmp / "real"
    real.mkdir()
    (real / "mine.txt").write_text("mine")
    (in_tmp / "link").symlink_to(real)
    code, _, err = run(capsys, "simulate", "--out", "link", "--overwrite")
    line = one_error(err)
    assert code == 2 and "--out" in line and "symbolic link" in line and "link" in line
    assert (in_tmp / "link").is_symlink() and (real / "mine.txt").read_text() == "mine"
    assert leftovers(in_tmp) == ["link", "real"]


@pytest.mark.parametrize("where", ["target", "inside", "parent"])
def test_read_only_out_refused_before_work(in_tmp, capsys, no_work, where):
    parent = in_tmp / "p"
    out = parent / "run"
    (out / "sub").mkdir(parents=True)
    (out / "sub" / "mine.txt").write_text("mine")
    locked = {"target": out, "inside": out / "sub", "parent": parent}[where]
    locked.chmod(0o555)
    try:
        code, _, err = run(capsys, "simulate", "--out", str(out), "--overwrite")
    finally:
        locked.chmod(0o755)
    line = one_error(err)
    assert code == 2 and "--out" in line and str(locked) in line and "read-only" in line
    assert (out / "sub" / "mine.txt").read_text() == "mine"
    assert leftovers(parent) == ["run"]


@pytest.mark.parametrize("target", ["folder", "/proc/rendezvous.json", "/dev/null", "exists"])
def test_json_path_checked_before_work(in_tmp, capsys, no_work, target):
    if target == "/proc/rendezvous.json" and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    (in_tmp / "folder").mkdir()
    (in_tmp / "exists").write_text("mine")
    code, _, err = run(capsys, "window", "--date", "2025-04-08", "--json", target)
    assert code == 2 and "--json" in one_error(err)
    assert (in_tmp / "exists").read_text() == "mine"
    assert leftovers(in_tmp) == ["exists", "folder"]


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo", "device"])
def test_tle_must_be_a_regular_file(in_tmp, capsys, no_work, kind):
    path = {"missing": "nope.txt", "folder": str(in_tmp), "fifo": "pipe", "device": "/dev/zero"}
    if kind == "fifo":
        os.mkfifo(in_tmp / "pipe")
    code, _, err = run(capsys, "simulate", "--tle", path[kind], "--out", "run")
    line = one_error(err)
    assert code == 2 and "--tle" in line and path[kind] in line


def test_dispersions_out_errors_are_one_line(in_tmp, capsys, no_work):
    (in_tmp / "full").mkdir()
    (in_tmp / "full" / "mine.txt").write_text("mine")
    (in_tmp / "file").write_text("mine")
    for out in ("full", "file", ".."):
        code, _, err = run(capsys, "dispersions", "--samples", "3", "--seed", "1", "--out", out)
        assert code == 2 and one_error(err).startswith("error: --out"), out
    assert leftovers(in_tmp) == ["file", "full"]


def test_launch_overflowing_with_its_offset(in_tmp, capsys, no_work):
    code, _, err = run(capsys, "simulate", "--launch", "0001-01-01T00:00:00+03:00")
    line = one_error(err)
    assert code == 2 and "--launch" in line and "0001-01-01T00:00:00+03:00" in line


def test_show_without_a_display(in_tmp, capsys, no_work, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("display detection is for X11/Wayland")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, err = run(capsys, "simulate", "--show", "--out", "run")
    line = one_error(err)
    assert code == 2 and "--show" in line and "display" in line
    assert leftovers(in_tmp) == []


def test_control_characters_from_files_are_escaped(in_tmp, capsys, no_work, iss_sets):
    es = iss_sets[-1]
    bad = "1 \x1b[2J\x1b]0;pwned\x07" + es.line1[14:]
    (in_tmp / "tle.txt").write_text(f"ISS \x1b[31mZARYA\x9b\n{bad}\n{es.line2}\n")
    code, _, err = run(capsys, "simulate", "--tle", "tle.txt", "--out", "run")
    assert code == 2
    one_error(err)
    assert not any(c in err for c in "\x1b\x07\x9b")


def test_escape_makes_every_control_character_visible():
    from rendezvous.cli.errors import escape

    text = "a\x1b[31mb\rc\x0bd\x85e\u2028f\x00g\u200bh"
    out = escape(text)
    assert out.isprintable() and out.startswith("a\\x1b[31mb\\rc")
    assert escape("plain: 25544 Δv") == "plain: 25544 Δv"


# ------------------------------------------------------------------ failures while writing


def test_unexpected_error_is_one_line_with_a_debug_hint(in_tmp, capsys, monkeypatch):
    import rendezvous.mission

    def boom(cfg):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(rendezvous.mission, "simulate", boom)
    code, _, err = run(capsys, "simulate", "--out", "run", "--no-figures")
    line = one_error(err)
    assert code == 1 and "RuntimeError: boom" in line and "--debug" in line
    assert leftovers(in_tmp) == []
    code, _, err = run(capsys, "simulate", "--out", "run", "--no-figures", "--debug")
    assert code == 1 and "Traceback" in err and err.rstrip().endswith("(a bug: please report it)")


def test_full_disk_is_one_line_naming_out(in_tmp, capsys, flown, monkeypatch):
    import rendezvous.export

    def full(result, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(rendezvous.export, "write_trajectory_csv", full)
    code, _, err = run(capsys, "simulate", "--out", "run", "--no-figures")
    line = one_error(err)
    assert code == 1 and "--out" in line and "No space left" in line and str(in_tmp / "run") in line
    assert ".tmp-" not in line
    assert leftovers(in_tmp) == []


def test_files_get_the_users_permissions(in_tmp, capsys, flown):
    old = os.umask(0o027)
    try:
        code, _, err = run(capsys, "simulate", "--out", "run", "--no-figures", "--quiet")
    finally:
        os.umask(old)
    assert code == 0, err
    assert (in_tmp / "run").stat().st_mode & 0o777 == 0o750
    for p in (in_tmp / "run").iterdir():
        assert p.stat().st_mode & 0o777 == 0o640, p.name
    assert leftovers(in_tmp) == ["run"]


def test_json_file_gets_the_users_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        outdir.write_file_atomic(tmp_path / "w.json", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "w.json").stat().st_mode & 0o777 == 0o644


def test_overwrite_in_place_never_fails_afterwards(tmp_path, monkeypatch):
    """If the old folder cannot be removed after the swap, the run still succeeds: a warning."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("old")
    (out / outdir.MARKER).write_text("an earlier run's folder")
    real_rmtree = outdir.shutil.rmtree

    def stuck(path, *a, **k):
        if ".old-" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_rmtree(path, *a, **k)

    monkeypatch.setattr(outdir.shutil, "rmtree", stuck)
    with pytest.warns(outdir.OutputFolderWarning, match="new output is in"):
        paths = outdir.write_folder_atomic(
            out, lambda tmp: (tmp / "new.txt").write_text("new"), overwrite=True
        )
    assert [p.name for p in paths] == ["new.txt"]


def test_target_filled_meanwhile_is_not_replaced(tmp_path):
    out = tmp_path / "run"

    def write(tmp):
        (tmp / "new.txt").write_text("new")
        out.mkdir()  # someone ignoring the lock fills the target while we work
        (out / "theirs.txt").write_text("theirs")

    with pytest.raises(FileExistsError, match="out_dir: .* filled by someone else"):
        outdir.write_folder_atomic(out, write)
    assert leftovers(tmp_path) == ["run"] and leftovers(out) == ["theirs.txt"]


def test_seed_beyond_int64_is_stored_as_an_integer(in_tmp, capsys):
    seed = 2**63 + 12345
    code, _, err = run(
        capsys, "dispersions", "--samples", "2", "--seed", str(seed), "--chunk-size", "2",
        "--out", "d", "--no-figures", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    with np.load(in_tmp / "d" / "samples.npz", allow_pickle=False) as z:
        assert z["seed"].dtype == np.uint64 and int(z["seed"]) == seed


# ------------------------------------------------------------------ claims, concurrency, signals


def test_folder_claimed_by_another_process_is_refused(in_tmp, capsys, no_work):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from rendezvous.outdir import claim_output_folder as c\n"
            "with c('run'):\n    print('held', flush=True); sys.stdin.read()",
        ],
        cwd=in_tmp,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, _, err = run(capsys, "simulate", "--out", "run")
        line = one_error(err)
        assert code == 2 and "--out" in line and "another run" in line
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    assert leftovers(in_tmp) == []  # the lock file goes with its holder


def test_two_concurrent_runs_never_both_succeed(in_tmp):
    cmd = [sys.executable, "-m", "rendezvous", "simulate", "--out", "run", "--no-figures"]
    procs = [
        subprocess.Popen(cmd + ["--quiet"], cwd=in_tmp, env=ENV, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.communicate(timeout=300)[1], p.returncode) for p in procs]
    results = [(code, err) for err, code in results]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "--out" in one_error(loser)
    assert leftovers(in_tmp) == ["run"]


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_mid_write_cleans_up_and_exits_conventionally(in_tmp, sig):
    signum = getattr(signal, sig, None)
    if signum is None:
        pytest.skip(f"no {sig} here")
    cmd = [sys.executable, "-m", "rendezvous", "simulate", "--out", "run", "--no-animation"]
    proc = subprocess.Popen(
        cmd + ["--quiet"], cwd=in_tmp, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 240
    while not any(p.name.startswith(".run.tmp-") for p in in_tmp.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    line = one_error(err.decode())
    assert sig in line
    left = leftovers(in_tmp)
    if left == ["run"]:  # the signal came during the final swap, held back until it was done
        assert {"summary.json", "trajectory.csv", "overview.png"} <= set(leftovers(in_tmp / "run"))
    else:
        assert left == []  # no output, no temporary folder, no lock


def test_library_messages_speak_in_flags_and_commands():
    from rendezvous.cli.errors import user_message

    cases = {
        "launch: cannot read 'x'": "--launch: cannot read 'x'",
        "launch 2025-04-08T06:47:15Z: out of plane (see rendezvous.search_windows)": (
            "--launch 2025-04-08T06:47:15Z: out of plane (see rendezvous window)"
        ),
        "elements: no such file 'a'": "--tle: no such file 'a'",
        "out_dir: /x holds files; pass overwrite=True": "--out: /x holds files; pass --overwrite",
        "set is 20 days old; pass allow_stale=True": "set is 20 days old; pass --allow-stale-tle",
        "scheme: unknown scheme '3-orbit'": "--scheme: unknown scheme '3-orbit'",
        "a scheme: is not a parameter here": "a scheme: is not a parameter here",
    }
    for text, expected in cases.items():
        assert user_message(ValueError(text)) == expected


def test_file_written_without_overwrite_never_replaces_one_that_appeared(tmp_path):
    target = tmp_path / "w.json"
    outdir.write_file_atomic(target, "first\n", overwrite=False)
    with pytest.raises(FileExistsError, match="path: .*w.json appeared"):
        outdir.write_file_atomic(target, "second\n", overwrite=False)
    assert target.read_text() == "first\n" and leftovers(tmp_path) == ["w.json"]
    outdir.write_file_atomic(target, "third\n")
    assert target.read_text() == "third\n" and leftovers(tmp_path) == ["w.json"]


def test_failures_the_package_names_are_one_line_without_the_bug_hint(capsys):
    from rendezvous.cli.errors import report
    from rendezvous.parallel import ClusterError

    code = report(ClusterError("scheduler: cannot reach tcp://127.0.0.1:1 within 5 s"), debug=False)
    line = one_error(capsys.readouterr().err)
    assert code == 1 and line == "error: --scheduler: cannot reach tcp://127.0.0.1:1 within 5 s"


def test_overwrite_never_deletes_a_folder_no_run_wrote(in_tmp, capsys, flown):
    """--overwrite replaces an earlier run's folder (it holds outdir.MARKER; or, from before the
    marker, only files a run writes), never a user's own folder given by mistake."""
    mine = in_tmp / "thesis"
    (mine / "figs").mkdir(parents=True)
    (mine / "thesis.tex").write_text("precious")
    (mine / "summary.json").write_text("{}")  # a run's name does not make the folder a run's
    code, _, err = run(capsys, "simulate", "--out", "thesis", "--overwrite", "--no-figures")
    line = one_error(err)
    assert code == 2 and "--out" in line and "figs/, thesis.tex" in line and "--overwrite" in line
    assert (mine / "thesis.tex").read_text() == "precious" and (mine / "figs").is_dir()
    # an earlier run's folder is replaced, and the new one is marked as a run's
    assert run(capsys, "simulate", "--out", "run", "--no-figures", "--quiet")[0] == 0
    assert (in_tmp / "run" / outdir.MARKER).is_file()
    code, out, _ = run(capsys, "simulate", "--out", "run", "--overwrite", "--no-figures")
    assert code == 0 and outdir.MARKER not in out  # not listed among the files written
    # a folder of an earlier version (no marker, only a run's files) is replaced too
    old = in_tmp / "old"
    old.mkdir()
    (old / "timeline.txt").write_text("old")
    code, _, _ = run(capsys, "simulate", "--out", "old", "--overwrite", "--no-figures", "--quiet")
    assert code == 0 and (old / "summary.json").is_file()
