"""The command line (``rendezvous.cli.simulate_main``): files written, exit codes, error messages.

One full MS-27 run with every figure and the animation is shared by the module (about 12 s); the
other runs stop early (bad input) or skip the animation.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest

from rendezvous.cli import simulate_main
from rendezvous.ephemeris import builtin_element_sets

MS27_LAUNCH = "2025-04-08T05:47:15.309Z"
"""Soyuz MS-27 liftoff (russianspaceweb.com/soyuz-ms-27.html; docs/sources.md)."""

ONE_HOUR_LATER = "2025-04-08T06:47:15.309Z"
"""An hour after MS-27: Baikonur has turned about 15 deg east, far out of the ISS plane."""

FIGURES = ("overview.png", "ground_track.png", "lvlh.png", "range.png", "timeline.png")

SUMMARY_KEYS = {
    "launch_utc",
    "insertion_utc",
    "tle_epoch_utc",
    "scheme",
    "phase_angle_deg",
    "burns",
    "total_dv_m_s",
    "port",
    "docking_utc",
}

STATE = ("x_m", "y_m", "z_m", "vx_m_s", "vy_m_s", "vz_m_s")
CSV_HEADER = ["t_s", "utc"] + [f"{who}_{c}" for who in ("ship", "station", "rel") for c in STATE]
"""trajectory.csv columns as documented in src/rendezvous/export.py (module docstring)."""


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """The default MS-27 run with all figures and the animation: (exit code, stdout, stderr,
    output folder). Module-scoped, so capsys cannot be used: the streams are redirected here."""
    out = tmp_path_factory.mktemp("cli") / "run"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = simulate_main(["--launch", MS27_LAUNCH, "--out", str(out)])
    return code, stdout.getvalue(), stderr.getvalue(), out


def _error_line(capsys) -> str:
    """The single stderr line of a failed run (checks it is one line starting 'error:')."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    return lines[0]


# ------------------------------------------------------------------------------------ success


def test_full_run_exit_code_and_timeline(full_run):
    code, out, err, folder = full_run
    assert code == 0, err
    assert err == ""
    assert "CONTACT" in out
    # the printed timeline is the one written to timeline.txt
    timeline = (folder / "timeline.txt").read_text()
    assert "CONTACT" in timeline
    assert out.startswith(timeline.rstrip("\n"))


def test_full_run_writes_every_file(full_run):
    folder = full_run[3]
    names = {p.name for p in folder.iterdir()}
    expected = {"summary.json", "timeline.txt", "trajectory.csv", "approach.gif", *FIGURES}
    assert expected <= names
    for name in FIGURES:
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert (folder / "approach.gif").read_bytes()[:4] == b"GIF8"
    # all or nothing: no temporary folder left beside the output
    assert [p.name for p in folder.parent.iterdir()] == ["run"]


def test_full_run_summary(full_run):
    folder = full_run[3]
    s = json.loads((folder / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(s)
    for key in ("launch_utc", "insertion_utc", "tle_epoch_utc", "docking_utc"):
        assert isinstance(s[key], str) and s[key].endswith("Z"), key
    assert s["launch_utc"] == MS27_LAUNCH
    assert s["scheme"] == "2-orbit"  # TASS 1940181: "ultra-short two-orbit scheme"
    assert s["port"].startswith("Prichal")
    assert isinstance(s["phase_angle_deg"], float)
    assert s["burns"]
    for b in s["burns"]:
        assert {"utc", "dv_m_s", "label"} <= set(b)
        assert b["utc"].endswith("Z") and b["dv_m_s"] >= 0.0 and b["label"]
    # burns rounded to 0.1 mm/s each in the file: the sum matches the total to well under 0.1 m/s
    assert abs(sum(b["dv_m_s"] for b in s["burns"]) - s["total_dv_m_s"]) < 0.1
    assert s["launch_utc"] < s["insertion_utc"] < s["burns"][0]["utc"] < s["docking_utc"]


def test_full_run_trajectory_csv(full_run):
    folder = full_run[3]
    s = json.loads((folder / "summary.json").read_text())
    with open(folder / "trajectory.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CSV_HEADER
    assert all(len(r) == len(CSV_HEADER) for r in rows[1:])
    assert float(rows[1][0]) == 0.0 and rows[1][1] == s["launch_utc"]
    assert rows[-1][1] == s["docking_utc"]  # the last sample is the contact
    t = [float(r[0]) for r in rows[1:]]
    assert all(b > a for a, b in zip(t, t[1:], strict=False))


def test_overwrite_replaces_and_no_animation(tmp_path, capsys, monkeypatch, ms27_result):
    import rendezvous.mission

    monkeypatch.setattr(rendezvous.mission, "simulate", lambda cfg: ms27_result)  # only writing
    out = tmp_path / "run"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier run\n")
    (out / ".rendezvous-output").write_text("an earlier run's folder (outdir.MARKER)\n")
    code = simulate_main(["--out", str(out), "--overwrite", "--no-animation", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    names = {p.name for p in out.iterdir()}
    assert "stale.txt" not in names
    assert {"summary.json", "timeline.txt", "trajectory.csv", *FIGURES} <= names
    assert "approach.gif" not in names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # old folder removed


# ------------------------------------------------------------------------------------ bad input


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run from an empty folder, so a stray default ``runs/`` folder would be seen."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bad_launch_time(in_tmp, capsys):
    out = in_tmp / "run"
    assert simulate_main(["--launch", "yesterday", "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert "--launch" in line
    assert not out.exists()
    assert list(in_tmp.iterdir()) == []


def test_missing_tle_file(in_tmp, capsys):
    out = in_tmp / "run"
    missing = in_tmp / "no_such_file.txt"
    assert simulate_main(["--tle", str(missing), "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert "--tle" in line and str(missing) in line
    assert list(in_tmp.iterdir()) == []


def test_tle_with_bad_checksum(in_tmp, capsys):
    es = builtin_element_sets()[-1]
    digit = int(es.line1[68])
    bad_line1 = es.line1[:68] + str((digit + 1) % 10)  # one off: the mod-10 checksum fails
    path = in_tmp / "iss.txt"
    path.write_text(f"ISS (ZARYA)\n{bad_line1}\n{es.line2}\n")
    out = in_tmp / "run"
    assert simulate_main(["--tle", str(path), "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert f"{path}:2" in line  # the file and the line of the bad element line
    assert "checksum" in line
    assert not out.exists()


def test_existing_output_without_overwrite(in_tmp, capsys):
    out = in_tmp / "run"
    out.mkdir()
    keep = out / "keep.txt"
    keep.write_text("mine\n")
    assert simulate_main(["--out", str(out), "--no-figures"]) == 2
    line = _error_line(capsys)
    assert "--out" in line and "--overwrite" in line
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert keep.read_text() == "mine\n"
    assert [p.name for p in in_tmp.iterdir()] == ["run"]  # no temporary folder left behind


def test_launch_out_of_plane(in_tmp, capsys):
    out = in_tmp / "run"
    assert simulate_main(["--launch", ONE_HOUR_LATER, "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert "plane" in line
    assert "2025-04-08T06:47:15Z" in line  # names the launch time asked for
    assert list(in_tmp.iterdir()) == []


def test_scheme_outside_its_window(in_tmp, capsys):
    out = in_tmp / "run"
    assert simulate_main(["--scheme", "2-day", "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert "2-day" in line and "phase angle" in line and "window" in line
    assert list(in_tmp.iterdir()) == []


def test_unknown_scheme(in_tmp, capsys):
    assert simulate_main(["--scheme", "3-orbit", "--out", "run"]) == 2
    line = _error_line(capsys)
    assert "--scheme" in line and "3-orbit" in line
    assert list(Path(in_tmp).iterdir()) == []


# ------------------------------------------------------------------ one command, scripts, packaging

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {
    "simulate": "simulate.py",
    "window": "launch_window.py",
    "dispersions": "dispersions.py",
    "compare": "compare_flights.py",
}


def _options(help_text: str) -> list[str]:
    """The option names listed in a --help text."""
    import re

    return sorted(set(re.findall(r"(?m)^  (--?[\w-]+)", help_text)))


def _python(*args: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("command", sorted(SCRIPTS))
def test_scripts_take_the_same_options_as_the_command(command):
    script = _python(str(ROOT / "scripts" / SCRIPTS[command]), "--help")
    sub = _python("-m", "rendezvous", command, "--help")
    assert script.returncode == 0 and sub.returncode == 0, script.stderr + sub.stderr
    assert script.stdout.startswith(f"usage: {SCRIPTS[command]}")
    assert _options(script.stdout) == _options(sub.stdout)
    assert "--debug" in _options(sub.stdout)


def test_python_m_rendezvous_version():
    import rendezvous

    res = _python("-m", "rendezvous", "--version")
    assert res.returncode == 0 and res.stdout.strip() == f"rendezvous {rendezvous.__version__}"


def test_packaging_metadata():
    """One console command, one version source, a distribution name other than the taken
    ``rendezvous``, the SPDX licence with its file, the type marker shipped."""
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["scripts"] == {"rendezvous": "rendezvous.cli:main"}
    assert project["name"] != "rendezvous"
    assert "version" in project["dynamic"] and "version" not in project
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "rendezvous.__version__"}
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert (ROOT / "src" / "rendezvous" / "py.typed").exists()
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["rendezvous"]
    from rendezvous.cli import main

    assert callable(main)


def test_flight_option_flies_the_real_flight(in_tmp, capsys, monkeypatch, ms27_result):
    import rendezvous.mission

    flown = []

    def record(cfg):
        flown.append(cfg)
        return ms27_result

    monkeypatch.setattr(rendezvous.mission, "simulate", record)
    argv = ["--flight", "soyuz ms-27", "--out", "run", "--no-figures", "--quiet"]
    assert simulate_main(argv) == 0, capsys.readouterr().err
    (cfg,) = flown
    assert cfg.flight == "Soyuz MS-27" and cfg.real_docking is not None
    assert cfg.site.name == "Baikonur Site 31/6" and cfg.port.name == "Prichal nadir"
    # options given beside --flight override the table
    flown.clear()
    argv = ["--flight", "Soyuz MS-27", "--port", "rassvet", "--out", "run2", "--no-figures"]
    assert simulate_main(argv + ["--quiet"]) == 0
    assert flown[0].port.name == "Rassvet nadir"


class _Flown(Exception):
    """Raised by a stand-in mission: the scenario was built, the work need not run."""


def _scenario_of_dispersions(monkeypatch, argv: list[str]):
    import rendezvous.mission
    from rendezvous.cli import main

    flown = []

    def record(cfg):
        flown.append(cfg)
        raise _Flown

    monkeypatch.setattr(rendezvous.mission, "simulate", record)
    assert main(["dispersions", "--samples", "2", "--seed", "1", *argv]) == 1  # the stand-in
    return flown[0]


def test_dispersions_flight_takes_launch_whatever_its_value(in_tmp, monkeypatch):
    # --launch beside --flight is obeyed even when it equals the MS-27 default launch time
    cfg = _scenario_of_dispersions(monkeypatch, ["--flight", "Progress MS-31"])
    assert cfg.launch.utc_strftime("%Y-%m-%d") == "2025-07-03"  # the flight's own liftoff
    argv = ["--flight", "Progress MS-31", "--launch", MS27_LAUNCH]
    cfg = _scenario_of_dispersions(monkeypatch, argv)
    assert cfg.launch.utc_strftime("%Y-%m-%dT%H:%M:%S") == "2025-04-08T05:47:15"
    assert cfg.vehicle.name == "Progress MS"  # the flight's ship, launched at the time given
    cfg = _scenario_of_dispersions(monkeypatch, [])
    assert cfg.flight == "Soyuz MS-27"
    # pad, port and ship as in simulate: beside --flight they override the flight's
    argv = ["--flight", "Progress MS-31", "--vehicle", "soyuz", "--port", "rassvet"]
    cfg = _scenario_of_dispersions(monkeypatch, argv)
    assert (cfg.vehicle.name, cfg.port.name) == ("Soyuz MS", "Rassvet nadir")
    assert cfg.launch.utc_strftime("%Y-%m-%d") == "2025-07-03"


def test_window_times_the_docking_for_the_ship_and_port_given(in_tmp, monkeypatch, capsys):
    import rendezvous.window
    from rendezvous.cli import main

    asked = {}

    def record(start, days, **kw):
        asked.update(kw)
        raise _Flown

    monkeypatch.setattr(rendezvous.window, "search_windows", record)
    argv = ["window", "--date", "2025-07-03", "--vehicle", "progress", "--port", "poisk"]
    assert main(argv) == 1  # the stand-in
    assert (asked["vehicle"].name, asked["port"].name) == ("Progress MS", "Poisk zenith")
    capsys.readouterr()
    # a port out of service on the date asked is refused before the search
    assert main(["window", "--date", "2025-07-03", "--port", "pirs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --port: Pirs nadir was in service") and err.count("\n") == 1


def test_compare_tables_each_column_with_its_own_count(capsys):
    """``compare``'s accuracy table: each median is printed with the number of dockings it is the
    median of (the flown column only has the flights flown), the footer names each flown flight
    once (a flight and its pre-launch plan row are one flight). No flight is simulated: the flown
    column is filled by hand."""
    import numpy as np

    from rendezvous.accuracy import lit_leave_one_out
    from rendezvous.cli.commands import _print_accuracy

    table = lit_leave_one_out()
    flown = {"Soyuz MS-27", "Soyuz MS-27 (plan)", "Progress MS-30", "Progress MS-30 (plan)"}
    mask = np.array([f.name in flown for f in table.flights])
    table = type(table)(**{**table.__dict__, "flown_s": np.where(mask, table.real_s, np.nan)})
    _print_accuracy(table)
    out = capsys.readouterr().out
    fast = next(line for line in out.splitlines() if "actual 2-orbit and 4-orbit |" in line)
    n_fast = sum(f.fast and f.docking_kind == "actual" for f in table.flights)
    # ours, ours without the lighting, flown (MS-27's actual docking only), the two stopwatches
    cells = [c.strip() for c in fast.strip("|").split("|")][-5:]
    assert cells[0].endswith(f"({n_fast})") and cells[1].endswith(f"({n_fast})")
    assert cells[2] == "0.0 min (1)"
    footer = out.split("flown: the whole flight")[1]
    assert footer.count("Progress MS-30") == 1 and footer.count("Soyuz MS-27") == 1
    assert "2 flights" in footer


def test_compare_lists_the_hold_of_every_ship_and_scheme():
    from rendezvous import calibration as cal
    from rendezvous.cli.commands import _calibrated_hold_line

    line = _calibrated_hold_line()
    for (ship, scheme), hold in cal.CALIBRATED_HOLD_S.items():
        assert f"{ship} {scheme} {hold:.0f} s (" in line
    assert "progress 4-orbit 2413 s (none: additive fallback)" in line  # regression: no flight


def test_compare_geometry_prints_the_evidence_table_and_flies_nothing(capsys, monkeypatch):
    """``rendezvous compare --geometry``: the Markdown table of ``accuracy.docking_geometry``,
    one line per flight it covers (the two-day flights without a set left out), no flight flown."""
    from rendezvous import accuracy, calibration
    from rendezvous.cli import main

    def no_flying(*_a, **_k):
        raise AssertionError("compare --geometry flew a flight")

    monkeypatch.setattr(accuracy, "fly_leave_one_out", no_flying)
    assert main(["compare", "--geometry"]) == 0
    out = capsys.readouterr().out
    rows = [ln for ln in out.splitlines() if ln.startswith("| ") and not ln.startswith("| flight")]
    table = calibration.leave_one_out()
    want = [f.name for f in table.flights if f.scheme != "2-day" or f.table == "flights.csv"]
    assert [r.split("|")[1].strip() for r in rows] == want
    assert "| Soyuz MS-27 | soyuz | prichal | 2-orbit |" in out and "| sgp4 |" in out


def test_no_lighting_flies_the_calibrated_hold_as_it_is():
    """``--no-lighting`` maps to ``Scenario(lighting=())`` (the one place flags meet
    parameters) and is recorded with the run's inputs."""
    from rendezvous.calibration import CALIBRATED_HOLD_S
    from rendezvous.cli.commands import _inputs, scenario
    from rendezvous.cli.parser import parse

    args = parse(["simulate", "--no-lighting"], None, None)
    cfg = scenario(args)
    assert cfg.lighting_offsets("2-orbit") == ()
    assert cfg.approach_for("2-orbit").hold_s == CALIBRATED_HOLD_S["soyuz", "2-orbit"]
    assert _inputs(args)["lighting"] is False
    assert parse(["simulate"], None, None).lighting is True
