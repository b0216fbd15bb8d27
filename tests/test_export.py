"""timeline.txt, summary.json (schema-checked), trajectory.csv/.npz, flight.czml, and that every
output file agrees with the others to its stated precision."""

from __future__ import annotations

import csv
import dataclasses
import json
import re

import numpy as np
import pytest
from outputs_fixture import ms27_outputs  # noqa: F401  (fixture)

import rendezvous
from rendezvous import export, samples, schemes
from rendezvous.times import parse_utc, seconds_between

jsonschema = pytest.importorskip("jsonschema")

MS27_PLANNED_DOCKING = "2025-04-08T09:04:07Z"
"""Soyuz MS-27 docking as planned before launch (the built-in flights table, from Roscosmos)."""


def _validate(summary: dict) -> None:
    schema = export.summary_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(summary)))


# ---------------------------------------------------------------------------------- timeline


def test_elapsed_text_days():
    assert samples.elapsed_text(3 * 3600 + 10 * 60 + 30) == "3:10:30"
    assert samples.elapsed_text(47 * 3600 + 53 * 60 + 18) == "1/23:53:18"  # issue 10's example
    assert samples.elapsed_text(-61) == "-0:01:01"


def test_timeline_prints_the_date_when_it_changes(ms27_result):
    # the same flight launched 2 h before midnight: contact falls on the next day
    late = dataclasses.replace(ms27_result, epoch=parse_utc("2025-04-07T22:00:00Z"))
    text = export.timeline_text(late)
    assert re.search(r"^  2025-04-07$", text, re.M)
    assert re.search(r"^  2025-04-08$", text, re.M)
    day2 = text.index("  2025-04-08\n")
    assert text.index("CONTACT") > day2  # the contact is listed under its own date
    # no bare hour counts beyond 24 h, and times of day stay below 24 h
    assert not re.search(r"\b(2[4-9]|[3-9]\d):\d\d:\d\d\b", text)


def test_timeline_labels_actual_and_planned(ms27_result):
    text = export.timeline_text(ms27_result)
    assert "docking, actual (published)" in text and "actual docking: 2025-04-08T08:57:45Z" in text
    plan_only = dataclasses.replace(
        ms27_result, real_docking=None, planned_docking=parse_utc(MS27_PLANNED_DOCKING)
    )
    text = export.timeline_text(plan_only)
    assert "actual" not in text and "real" not in text
    assert "docking, planned (published)" in text
    assert "planned docking (published before launch): 2025-04-08T09:04:07Z" in text


def test_timeline_states_frames_and_heights(ms27_result):
    text = export.timeline_text(ms27_result)
    assert "minus the WGS-84 equatorial radius (6378.137 km)" in text
    assert "RTN" in text and "LVLH" in text
    phase = samples.phase_angle_at_insertion(ms27_result)
    assert f"apsis heights {ms27_result.insertion_perigee_km:.0f} x" in text
    assert f"phase angle {phase:.2f} deg" in text
    # the header states each convention in the words of samples.CONVENTIONS
    for key in ("apsis_heights", "phase_angle", "phase_windows", "contact_speed"):
        assert samples.CONVENTIONS[key] in text, key


# ------------------------------------------------------------------------------- summary.json


def test_summary_follows_its_schema(ms27_outputs):  # noqa: F811
    s = json.loads((ms27_outputs / "summary.json").read_text())
    _validate(s)
    assert s["rendezvous_version"] == rendezvous.__version__
    assert s["inputs"]["launch_utc"] == s["launch_utc"] and "scheme_requested" in s["inputs"]
    assert s["real_docking_utc"] == "2025-04-08T08:57:45Z"


def test_schema_rejects_a_wrong_summary(ms27_result):
    s = export.summary(ms27_result)
    bad = json.loads(json.dumps(s))
    bad["burns"][0]["dv_lvlh_m_s"] = [1.0, 2.0]  # not a 3-vector
    with pytest.raises(jsonschema.ValidationError):
        _validate(bad)
    bad = json.loads(json.dumps(s))
    del bad["rendezvous_version"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(bad)


def test_summary_planned_only(ms27_result):
    plan_only = dataclasses.replace(
        ms27_result, real_docking=None, planned_docking=parse_utc(MS27_PLANNED_DOCKING)
    )
    s = export.summary(plan_only)
    _validate(s)
    assert "real_docking_utc" not in s and s["planned_docking_utc"] == MS27_PLANNED_DOCKING


def test_summary_burn_frames(ms27_result):
    """The three Delta-v vectors of a burn are the same vector in three frames: equal norms."""
    s = export.summary(ms27_result)
    for b in s["burns"]:
        for key in ("dv_gcrs_m_s", "dv_lvlh_m_s", "dv_rtn_m_s"):
            if b[key] is not None:
                assert abs(np.linalg.norm(b[key]) - b["dv_m_s"]) < 2e-4, (b["label"], key)
    assert all(b["dv_rtn_m_s"] is not None for b in s["burns"][:4])  # the far-range burns


def test_phase_angle_inside_the_flown_window(ms27_result):
    s = export.summary(ms27_result)
    lo, hi = s["windows_deg"][s["scheme"]]
    phase = s["phase_angle_deg"]
    assert 0.0 <= phase < 360.0 and all(0.0 <= e < 360.0 for e in (lo, hi))
    inside = lo - 0.01 <= phase <= hi + 0.01 if lo <= hi else phase >= lo - 0.01 or phase <= hi
    assert inside
    assert s["conventions"] == samples.CONVENTIONS


def test_window_through_zero_prints_in_0_360():
    win = schemes.SchemeWindow("2-day", lo_deg=252.0, hi_deg=368.0, best_deg=300.0, dv_min_m_s=1)
    assert samples.window_ends(win) == (252.0, 8.0)
    assert samples.window_text(win) == "252.0..8.0 deg (through 0)"
    plain = schemes.SchemeWindow("4-orbit", lo_deg=15.7, hi_deg=49.2, best_deg=30, dv_min_m_s=1)
    assert samples.window_text(plain) == "15.7..49.2 deg"


def test_conventions_are_stated_once_in_samples():
    """export takes its conventions from samples; samples' help lists each one word for word."""
    assert export.CONVENTIONS is samples.CONVENTIONS
    doc = " ".join((samples.__doc__ or "").split())
    for key, text in samples.CONVENTIONS.items():
        assert f"{key}: {text}" in doc, key


def test_phase_angle_series_of_a_two_day_flight_drifts_without_a_jump(ms27_result):
    """A synthetic series starting more than half a lap ahead (as a two-day flight does), given
    in (-180, 180]: drawn from its insertion value in [0, 360), continuous, never above 360."""
    t = ms27_result.t
    after = t >= ms27_result.t_insertion
    frac = np.clip((t - ms27_result.t_insertion) / (t[-1] - ms27_result.t_insertion), 0, 1)
    true = 224.0 * (1.0 - frac)
    wrapped = (true + 180.0) % 360.0 - 180.0  # -136 deg at insertion, as phasing gives it
    r = dataclasses.replace(ms27_result, phase_angle_insertion_deg=-136.0)
    series = samples.phase_angle_series(r, wrapped)
    np.testing.assert_allclose(series[after], true[after], atol=1e-9)
    assert samples.phase_angle_at_insertion(r) == 224.0


def test_phase_angle_series_is_continuous_and_on_the_window_branch(ms27_result):
    series = samples.phase_angle_series(ms27_result)
    after = ms27_result.t >= ms27_result.t_insertion
    assert np.all(np.isnan(series[~after])) and np.all(np.isfinite(series[after]))
    i = int(np.argmax(after))
    assert abs(series[i] - samples.phase_angle_at_insertion(ms27_result)) < 1e-9
    # 20 s samples: the station gains at most a fraction of a degree per step, never a wrap
    assert np.max(np.abs(np.diff(series[after]))) < 5.0
    assert abs(series[-1]) < 0.01  # docked: the ship sits at the station (a few tens of m)


# ------------------------------------------------------------------------- trajectory files


def test_npz_says_what_it_holds(ms27_outputs):  # noqa: F811
    data = np.load(ms27_outputs / "trajectory.npz")  # no pickles needed
    s = json.loads((ms27_outputs / "summary.json").read_text())
    assert str(data["epoch_utc"]).startswith(s["launch_utc"][:-1])
    assert str(data["frame_ship"]) == "GCRS" and str(data["frame_station"]) == "GCRS"
    assert "LVLH" in str(data["frame_relative"])
    assert list(data["state_units"]) == ["m", "m", "m", "m/s", "m/s", "m/s"]
    assert data["ship"].shape == (6, data["t"].size)


def test_csv_equals_npz(ms27_outputs):  # noqa: F811
    data = np.load(ms27_outputs / "trajectory.npz")
    with open(ms27_outputs / "trajectory.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    values = np.array([[float(v) for i, v in enumerate(r) if i != 1] for r in rows]).T
    assert np.allclose(values[0], data["t"], atol=0.5e-3, rtol=0)
    full = np.vstack([data["ship"], data["station"], data["relative"]])
    assert np.max(np.abs(values[1:] - full)) <= 0.501e-6  # 6 decimals: half a micrometre


# ------------------------------------------------------------------------------------ CZML


def test_czml_structure(ms27_outputs, ms27_result):  # noqa: F811
    doc = json.loads((ms27_outputs / "flight.czml").read_text())
    s = json.loads((ms27_outputs / "summary.json").read_text())
    assert doc[0]["id"] == "document" and doc[0]["version"] == "1.0"
    assert doc[0]["clock"]["interval"] == f"{s['launch_utc']}/{s['docking_utc']}"
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids))
    n_burn_times = len({b["utc"] for b in s["burns"]})
    assert sum(i.startswith("burn-") for i in ids) == n_burn_times
    data = np.load(ms27_outputs / "trajectory.npz")
    for who in ("ship", "station"):
        pkt = next(p for p in doc if p["id"] == who)
        assert pkt["availability"] == doc[0]["clock"]["interval"]
        pos = pkt["position"]
        assert pos["epoch"] == s["launch_utc"] and pos["referenceFrame"] == "INERTIAL"
        c = np.array(pos["cartesian"]).reshape(-1, 4).T
        assert c[0, 0] == 0.0 and abs(c[0, -1] - s["launch_to_docking_s"]) < 1e-3
        assert np.all(np.diff(c[0]) > 0)
        i = np.searchsorted(data["t"], c[0])
        assert np.array_equal(data["t"][i], c[0])  # times at full precision
        assert np.max(np.abs(c[1:] - data[who][:3, i])) <= 0.501e-3  # written to 1 mm
    for pkt in doc[3:]:
        start, end = pkt["availability"].split("/")
        assert s["launch_utc"] <= start <= end <= s["docking_utc"]


def test_czml_packets_pass_an_independent_reader(ms27_outputs):  # noqa: F811
    """czml3's packet models (pydantic, unknown properties forbidden) read every packet back."""
    czml3 = pytest.importorskip("czml3")
    doc = json.loads((ms27_outputs / "flight.czml").read_text())
    packets = [czml3.Packet.model_validate(p) for p in doc]
    assert czml3.Document(packets=packets).packets[0].id == "document"
    ship = json.loads(packets[2].to_json())
    assert ship["position"]["cartesian"] == doc[2]["position"]["cartesian"]  # nothing dropped


# --------------------------------------------------------------------- all files agree


def test_all_outputs_agree_on_burn_times(ms27_outputs):  # noqa: F811
    """summary.json, burns.csv, the OEM segment starts, the CZML burn events and timeline.txt
    give the same burn times (to the millisecond all print)."""
    s = json.loads((ms27_outputs / "summary.json").read_text())
    times = sorted({b["utc"] for b in s["burns"]})
    with open(ms27_outputs / "burns.csv", newline="") as f:
        assert sorted({r["utc"] for r in csv.DictReader(f)}) == times
    oem = (ms27_outputs / "ship.oem").read_text()
    starts = re.findall(r"^START_TIME = (\S+)$", oem, re.M)[2:]  # after ascent and insertion
    launch = parse_utc(s["launch_utc"])
    oem_s = [seconds_between(launch, parse_utc(t + "Z")) for t in starts]
    assert np.allclose(oem_s, [seconds_between(launch, parse_utc(t)) for t in times], atol=5e-4)
    doc = json.loads((ms27_outputs / "flight.czml").read_text())
    burns = [p for p in doc if p["id"].startswith("burn-")]
    assert [p["availability"].split("/")[0] for p in burns] == times
    timeline = (ms27_outputs / "timeline.txt").read_text()
    for b in s["burns"]:
        if b["phase"] not in ("hold", "final approach"):  # those are summarised per phase
            assert f"{b['utc'][11:23]}" in timeline and b["label"] in timeline
    assert s["docking_utc"][11:23] in timeline


def test_all_outputs_agree_on_insertion_phase_and_contact_speed(ms27_outputs, ms27_result):  # noqa: F811
    """The insertion phase angle and the contact closing speed are the same number in
    timeline.txt, summary.json, flight.czml (speed), range.png, timeline.png, the animation's
    last frame and view.html (to the precision each prints)."""
    import matplotlib

    matplotlib.use("Agg")
    from rendezvous import frames, plotting, view
    from rendezvous.plotting.animation import _info

    r = ms27_result
    timeline = (ms27_outputs / "timeline.txt").read_text()
    s = json.loads((ms27_outputs / "summary.json").read_text())
    phase = float(re.search(r"phase angle (\d+\.\d\d) deg", timeline).group(1))
    speed = float(re.search(r"closing (\d\.\d{3}) m/s along the port axis", timeline).group(1))
    assert round(s["phase_angle_deg"], 2) == phase and round(s["contact_speed_m_s"], 3) == speed
    assert 0.0 <= phase < 360.0
    # flight.czml: the contact marker's description
    czml = json.loads((ms27_outputs / "flight.czml").read_text())
    contact = [p for p in czml if "contact" in p["id"]]
    assert contact and f"closing {speed:.3f} m/s along the port axis" in json.dumps(contact)
    # range.png: the phase panel's insertion note and its curve; the contact note
    fig = plotting.range_figure(r)
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert f"at insertion {phase:.2f} deg" in notes
    assert f"contact: closing speed along the port axis {speed:.3f} m/s" in notes
    curve = next(ln for ln in fig.axes[-1].get_lines() if ln.get_label() == "phase angle")
    i_ins = int(np.argmax(r.t >= r.t_insertion))
    assert round(float(curve.get_ydata()[i_ins]), 2) == phase
    # timeline.png
    drawn = " ".join(t.get_text() for t in plotting.timeline_figure(r).axes[0].texts)
    assert f"orbit insertion, phase angle {phase:.2f} deg" in drawn
    assert f"contact at {r.port.name}, {speed:.3f} m/s closing" in drawn
    # the animation's last frame
    close = np.asarray(frames.closing_speed(r.relative, r.port.axis))
    info = _info(r, r.t.size - 1, np.asarray(frames.range_rate(r.relative)), close)
    assert re.search(rf"closing speed\s+{speed:.3f} m/s", info)
    # view.html: the page's title (checked as drawn by Chromium in test_view)
    title = view.figure(r)["layout"]["title"]["text"]
    assert f"phase angle {phase:.2f} deg" in title
    assert f"closing {speed:.3f} m/s along the port axis" in title
    assert f"phase angle {phase:.2f} deg" in (ms27_outputs / "view.html").read_text()


def test_command_line_passes_a_published_plan_as_planned():
    """Progress MS-31's row in data/flights.csv is the pre-launch plan (NASA: 21:27 UTC); its actual
    docking (21:25 UTC, Roscosmos) is in data/flight_durations.csv. The command line hands on
    both, each labelled for what it is, so every output tells the plan from the real docking."""
    from rendezvous.cli import commands, parser

    args = parser.build_parser("simulate").parse_args(["--launch", "2025-07-03T19:32:40Z"])
    sc = commands.scenario(args)
    assert abs(seconds_between(sc.planned_docking, parse_utc("2025-07-05T21:27:00Z"))) < 1e-6
    assert abs(seconds_between(sc.real_docking, parse_utc("2025-07-05T21:25:00Z"))) < 1e-6
