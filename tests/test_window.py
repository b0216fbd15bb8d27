"""Launch windows (rendezvous.window): real flights against the model's nominal launch times.

Reference liftoff times: src/rendezvous/data/flights.csv (sources in its header and PROVENANCE.md);
some
are published only to the minute, then the test measures the distance to that minute.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rendezvous import frames, launch, phasing, schemes
from rendezvous.catalog import VEHICLES
from rendezvous.ephemeris import builtin_element_sets, flight_name, flights, select_element_set
from rendezvous.scenario import table_site
from rendezvous.times import at_seconds, iso_utc, parse_utc, seconds_between
from rendezvous.window import proximity_estimate, search_windows

# Issue 9's requirement for the two-orbit opportunity, given each flight's own latest element set
# before launch: within 60 s of the real liftoff on every flight, and 30 s in the median.
TWO_ORBIT_MAX_S = 60.0
TWO_ORBIT_MEDIAN_S = 30.0

# Regression bounds (not requirements) for the slower schemes, from the model's own numbers
# (benchmarks/window.py --flights): the four-orbit floor is about 8 min wide and its centre only a
# rough guess (largest miss today: Soyuz MS-06, -209 s); for the two-day flights the real
# launches come about 1.7 min before the model's.
TOLERANCE_S = {"2-orbit": TWO_ORBIT_MAX_S, "4-orbit": 240.0, "2-day": 150.0}

# Every flight of data/flights.csv (each flight once: its plan row shares its launch).
FLIGHTS = list({flight_name(f.name): f for f in reversed(flights())}.values())[::-1]


def _own_sets(flight):
    """The element sets a user had before the flight's liftoff (none from after it)."""
    return [s for s in builtin_element_sets() if seconds_between(s.epoch, flight.launch) > 0]


def _day_search(flight, **kw):
    day = flight.launch.utc_strftime("%Y-%m-%d")
    site = table_site(flight.site)
    return search_windows(
        parse_utc(f"{day}T00:00:00Z"),
        1,
        site=site,
        lookahead_days=0,
        element_sets=_own_sets(flight),
        vehicle="progress" if flight.name.startswith("Progress") else "soyuz",
        **kw,
    )


@pytest.fixture(scope="module")
def searches():
    return {f.name: _day_search(f) for f in FLIGHTS}


def _minute_published(flight):
    return abs(flight.launch.utc.second) < 1e-9 and flight.name != "Soyuz MS-27"


def _miss_s(flight, o) -> float:
    """|model nominal - real liftoff|, s; for a liftoff published to the minute, the distance from
    the nominal to that minute."""
    dt = seconds_between(flight.launch, parse_utc(o.nominal_utc))
    if _minute_published(flight):  # the real liftoff is somewhere in that minute
        dt = 0.0 if 0.0 <= dt < 60.0 else min(abs(dt), abs(dt - 60.0))
    return abs(dt)


@pytest.mark.parametrize("flight", FLIGHTS, ids=[f.name for f in FLIGHTS])
def test_real_liftoff_matches_an_opportunity_of_its_scheme(flight, searches):
    opps = [o for o in searches[flight.name].opportunities if o.scheme == flight.scheme]
    assert len(opps) == 1
    o = opps[0]
    # the search used the flight's own latest set before liftoff
    assert o.element_set_epoch_utc == str(iso_utc(_own_sets(flight)[-1].epoch, digits=0))
    assert _miss_s(flight, o) <= TOLERANCE_S[flight.scheme]
    # The real liftoff lies inside the model's window (a minute-published one within its minute).
    t_open = seconds_between(flight.launch, parse_utc(o.open_utc))
    t_close = seconds_between(flight.launch, parse_utc(o.close_utc))
    slack = 60.0 if _minute_published(flight) else 0.0
    assert t_open <= slack and t_close >= 0.0
    assert abs(o.out_of_plane_deg) <= launch.AscentModel().yaw_capability_deg + 1e-6


def _two_orbit_misses(searches, max_age_h: float) -> list[float]:
    """|nominal - real liftoff|, s, of the two-orbit flights whose own latest set is at most
    ``max_age_h`` old at liftoff."""
    misses = []
    for f in FLIGHTS:
        age_h = seconds_between(_own_sets(f)[-1].epoch, f.launch) / 3600.0
        if f.scheme == "2-orbit" and age_h <= max_age_h:
            o = next(o for o in searches[f.name].opportunities if o.scheme == "2-orbit")
            misses.append(_miss_s(f, o))
    return misses


def test_two_orbit_opportunity_within_a_minute_median_half_a_minute(searches):
    """Issue 9: over every two-orbit flight of the table, each searched with its own latest set
    from before its launch (4 to 85 h before), the two-orbit nominal is within 60 s of the real
    liftoff, and within 30 s in the median."""
    misses = _two_orbit_misses(searches, 100.0)
    assert len(misses) == 11
    assert max(misses) <= TWO_ORBIT_MAX_S
    assert float(np.median(misses)) <= TWO_ORBIT_MEDIAN_S


def test_two_orbit_opportunity_from_a_set_of_the_launch_morning(searches):
    """Issue 9, as written: given the flight's own set from the morning of launch (Progress MS-23:
    08:38 UTC, 4.3 h before its 12:56 liftoff; Soyuz MS-24: 05:06 UTC, 10.6 h before 15:44), the
    two-orbit opportunity is within 60 s of the real liftoff, 30 s in the median."""
    misses = _two_orbit_misses(searches, 12.0)
    assert len(misses) == 2
    assert max(misses) <= TWO_ORBIT_MAX_S
    assert float(np.median(misses)) <= TWO_ORBIT_MEDIAN_S


def test_ms27_two_orbit_nominal_and_docking(searches):
    o = next(o for o in searches["Soyuz MS-27"].opportunities if o.scheme == "2-orbit")
    real = parse_utc("2025-04-08T05:47:15.309Z")  # russianspaceweb.com/soyuz-ms-27.html
    # model: +11.0 s with the point-mass ascent (+1.5 s with the former kinematic profile)
    assert abs(seconds_between(real, parse_utc(o.nominal_utc))) < TWO_ORBIT_MAX_S
    # Docking 08:57:45 actual, 09:04:07 planned (russianspaceweb.com, TASS); the window's
    # prediction (09:01:08) is mission.simulate's contact (09:01:08 for the real liftoff) to the
    # second: both put it at the same lighting instant (rendezvous.lighting).
    planned = parse_utc("2025-04-08T09:04:07Z")
    assert abs(seconds_between(planned, parse_utc(o.docking_utc))) < 600.0
    assert o.open_utc < o.nominal_utc < o.close_utc
    assert o.window_lo_deg <= o.phase_deg <= o.window_hi_deg
    assert 100.0 < o.dv_m_s < 200.0


def test_nominal_phase_matches_the_scalar_model(searches):
    """The vectorised path (array Times, interpolated nutation, batched insertion) gives the same
    phase and out-of-plane angle as the scalar path of mission.simulate, to 1e-5 deg."""
    s = searches["Soyuz MS-27"]
    o = next(o for o in s.opportunities if o.scheme == "2-orbit")
    t = at_seconds(parse_utc("2025-04-08T00:00:00Z"), o.t_nominal)  # search start + seconds
    es = select_element_set(builtin_element_sets(), parse_utc("2025-04-08T00:00:00Z"))
    site = launch.SITES["baikonur-31/6"]
    asc = launch.AscentModel(payload_kg=VEHICLES["soyuz"].mass_kg)  # as the search flies Soyuz MS
    pad = frames.site_state(site.lat_deg, site.lon_deg, site.height_m, t)
    st = es.state(at_seconds(t, asc.duration_s))
    h = np.cross(st[:3], st[3:])
    ship, oop = launch.insertion_state(pad, h / np.linalg.norm(h), asc)
    phase = np.degrees(phasing.phase_angle(st, ship))
    # interpolated nutation and equation of the equinoxes: 0.1 mm at the pad, 1e-8 deg here
    assert phase == pytest.approx(o.phase_deg, abs=1e-6)
    assert np.degrees(oop) == pytest.approx(o.out_of_plane_deg, abs=1e-6)


def test_day_without_fast_opportunity_names_the_next():
    s = search_windows(parse_utc("2025-04-09T00:00:00Z"), 1, lookahead_days=4, schemes=["2-orbit"])
    day = s.days[0]
    assert not any(o.scheme == "2-orbit" for o in day.opportunities)
    note = next(n for n in day.notes if n.startswith("no 2-orbit"))
    assert "next: 2025-04-12T" in note  # the next pass with the phase in the 2-orbit window


def test_proximity_estimate_is_about_an_hour():
    duration, dv = proximity_estimate()
    # legs of ApproachProfile: 1200 + 600 + flyaround + 300 s hold + glideslope (about 17 min)
    assert 3000.0 < duration < 4500.0
    assert 0.0 < dv < 30.0


def test_script_json_and_errors(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "launch_window.py"
    spec = importlib.util.spec_from_file_location("launch_window_script", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "w.json"
    assert mod.main(["--date", "2025-04-08", "--json", str(out)]) == 0
    recs = json.loads(out.read_text())
    assert {"scheme", "open_utc", "nominal_utc", "close_utc", "docking_utc"} <= set(recs[0])
    assert any(
        r["scheme"] == "2-orbit" and r["nominal_utc"].startswith("2025-04-08T05:47:") for r in recs
    )
    assert "2-orbit" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    assert mod.main(["--date", "2025-13-01", "--json", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --date") and err.count("\n") == 1
    assert not bad.exists()
    assert mod.main(["--date", "2010-01-01", "--json", str(bad)]) == 2
    assert not bad.exists() and list(tmp_path.iterdir()) == [out]


def test_scheme_window_edges_are_where_the_planned_dv_crosses_the_margin():
    """The window's refined edges bound the phases whose planned Delta-v is within the scheme's
    margin of the minimum (its definition), to the refinement step (1 deg / 6**3 < 0.005 deg);
    and the floor lies inside the window."""
    roe = np.array([-200e3, -0.25, 0.001, 0.0, 0.0, 0.0])  # a typical insertion (m, rad, -, -)
    a_st, inc = 6.79e6, np.radians(51.64)
    period = 2 * np.pi * np.sqrt(a_st**3 / 3.986004418e14)
    for name in ("2-orbit", "4-orbit"):
        s = phasing.SCHEMES[name]
        args = (roe, a_st, inc, 0.3, np.array(s.burn_revs) * period, 4000.0 / a_st)
        w = schemes.scheme_window(s, *args)
        level = w.dv_min_m_s + s.dv_margin_m_s
        inside = np.radians([w.lo_deg + 0.001, w.hi_deg - 0.001])
        outside = np.radians([w.lo_deg - 0.006, w.hi_deg + 0.006])
        assert np.all(schemes.planned_dv(inside, *args) <= level)
        assert np.all(schemes.planned_dv(outside, *args) > level)
        assert w.lo_deg <= w.flat_lo_deg < w.flat_hi_deg <= w.hi_deg


def test_a_set_from_inside_the_searched_day_is_used():
    # Issue 9: a set from the morning of launch made the search for that day exit 2 (no set
    # before the day's start). SGP4 runs a few hours backwards without harm: the set is used.
    day_set = next(
        s for s in builtin_element_sets() if s.epoch.utc_strftime("%Y-%m-%d") == "2025-04-07"
    )
    s = search_windows(
        parse_utc("2025-04-07T00:00:00Z"), 1, element_sets=[day_set], lookahead_days=0
    )
    opps = s.days[0].opportunities
    assert opps and all(o.element_set_epoch_utc == "2025-04-07T12:29:37Z" for o in opps)
    assert all(-1.0 < o.element_set_age_days < 0.0 for o in opps)


def test_command_line_searches_the_day_of_its_only_set(tmp_path, capsys):
    """Issue 9: ``rendezvous window`` given a file whose only set is from inside the searched day
    (MS-27's, epoch 2025-04-07 12:29:36) searches that day (it exited 2 before)."""
    from rendezvous.cli import main

    day_set = next(
        s for s in builtin_element_sets() if s.epoch.utc_strftime("%Y-%m-%d") == "2025-04-07"
    )
    path = tmp_path / "iss.tle"
    path.write_text(f"ISS (ZARYA)\n{day_set.line1}\n{day_set.line2}\n")
    assert main(["window", "--date", "2025-04-07", "--days", "1", "--tle", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2025-04-07" in out and "2-day" in out
