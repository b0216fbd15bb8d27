"""The whole flight against published figures (sources beside each) and the ISS proximity rules."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous import frames, phasing
from rendezvous.ephemeris import builtin_element_sets, flights
from rendezvous.mission import MissionConfig, MissionError, Scenario, simulate
from rendezvous.times import at_seconds, parse_utc, seconds_between

# Soyuz-2.1a separation 528 to 529.5 s after liftoff (Roscosmos: 528.9 s Progress MS-18, 529.2 s
# Progress MS-20); tolerance of the issue. A consistency check, not a prediction: the kinematic
# ascent is given its separation time and orbit (launch.AscentModel), as is the guidance its
# contact speed below; the test guards the inputs against drifting from the published values.
INSERTION_S, INSERTION_TOL_S = 529.0, 5.0
# MS-27 docking 08:57:45 UTC actual (russianspaceweb.com/soyuz-ms-27.html, NASA); the issue asks
# for 10 min.
MS27_DOCKING = "2025-04-08T08:57:45Z"
DOCKING_TOL_S = 600.0
# Published insertion orbits of fast-rendezvous flights: 189 x 221 km to 195 x 240 km
# (Roscosmos: Progress MS-20 189 x 221 km, Progress MS-18 195 x 240 km).
INSERTION_ALT_KM = (185.0, 245.0)
# Kurs final approach "slowing to about 0.1 m/s" (issue 3); tolerance 0.03 m/s.
CONTACT_SPEED, CONTACT_SPEED_TOL = 0.1, 0.03
# Two-orbit phase-angle window "about 6 deg" wide (Rossiyskaya Gazeta 2024).
WINDOW_2ORBIT_DEG, WINDOW_TOL_DEG = 6.0, 1.5


def test_ms27_scheme_insertion_and_contact(ms27_result):
    r = ms27_result
    assert r.scheme == "2-orbit"
    assert abs(r.t_insertion - INSERTION_S) <= INSERTION_TOL_S
    real = seconds_between(r.epoch, parse_utc(MS27_DOCKING))
    assert abs(r.t_contact - real) <= DOCKING_TOL_S
    lo, hi = INSERTION_ALT_KM
    assert lo <= r.insertion_perigee_km <= r.insertion_apogee_km <= hi
    assert abs(r.contact_speed_m_s - CONTACT_SPEED) <= CONTACT_SPEED_TOL
    assert r.contact_miss_m < 0.2


def test_ms27_two_orbit_window_and_phase(ms27_result):
    win = {w.scheme: w for w in ms27_result.windows}
    assert win["2-orbit"].contains(ms27_result.phase_angle_insertion_deg)
    assert abs(win["2-orbit"].width_deg - WINDOW_2ORBIT_DEG) <= WINDOW_TOL_DEG
    # the windows widen with the time the scheme allows for phasing (6 < 22 < 150 deg published)
    assert win["2-orbit"].width_deg < win["4-orbit"].width_deg < win["2-day"].width_deg


def test_ms27_far_range_burns(ms27_result):
    r = ms27_result
    far = [b for b in r.burns if b.label.startswith("B")]
    assert len(far) == 4
    period = 2 * np.pi * np.sqrt(np.linalg.norm(r.station[:3, 0]) ** 3 / 3.986004418e14)
    # the first two burns on the first orbit after insertion (ESA, S. Cristoforetti: "flown on the
    # first orbits")
    assert far[1].t - r.t_insertion < period
    # all four raise the orbit (prograde) and together cost about a Hohmann transfer from the
    # insertion orbit (~210 km mean) to the station's (~415 km): 115 m/s; allow 110..145 m/s
    assert all(b.dv_rtn[1] > 0 for b in far)
    assert 110.0 <= sum(b.dv_m_s for b in far) <= 145.0
    assert r.total_dv_m_s < 160.0


# ISS approach ellipsoid 4 x 2 x 2 km (Fehse 2003, ch. 5): the far range must stay outside its 2 km
# along-track semi-axis; the keep-out sphere (200 m) holds until the final approach.
APPROACH_ELLIPSOID_SEMI_M = 2000.0


def test_ms27_keepout_sphere_and_approach_cone(ms27_result):
    r = ms27_result
    assert r.min_range_far_m >= APPROACH_ELLIPSOID_SEMI_M
    assert r.min_range_before_final_m >= r.keepout_radius_m
    final = next(p for p in r.phases if p.name == "final approach")
    sel = (r.t >= final.t_start) & (r.t <= r.t_contact)
    d = r.relative[:3, sel] - r.port.position[:, None]
    inside = np.linalg.norm(r.relative[:3, sel], axis=0) < r.keepout_radius_m
    axial = r.port.axis @ d[:, inside]
    lateral = np.linalg.norm(d[:, inside] - np.outer(r.port.axis, axial), axis=0)
    assert inside.any()
    cone = np.tan(np.radians(r.approach_cone_half_angle_deg))
    assert np.all(lateral <= cone * np.maximum(axial, 0.0) + 0.05)  # 5 cm at the port face


def test_ms27_ends_at_the_port_and_station_matches_sgp4(ms27_result, iss_sets, ms27_liftoff):
    r = ms27_result
    assert np.allclose(r.relative[:3, -1], r.port.position, atol=0.2)
    # our station (same force model as the ship) against SGP4 from the same element set, at
    # contact, 3 h later: a few km is the level of SGP4 itself (Vallado et al. 2006)
    es = next(
        s
        for s in iss_sets
        if abs(seconds_between(s.epoch, parse_utc("2025-04-07T12:29:36.89Z"))) < 1
    )
    sgp4 = es.state(at_seconds(ms27_liftoff, r.t_contact))
    assert np.linalg.norm(r.station[:3, -1] - sgp4[:3]) < 5e3
    assert r.t.shape[0] == r.ship.shape[1] == r.station.shape[1] == r.relative.shape[1]
    assert np.all(np.diff(r.t) > 0)


def test_ms27_lvlh_relative_matches_frames(ms27_result):
    r = ms27_result
    i = np.searchsorted(r.t, r.t_insertion + 3000)
    rel = frames.to_lvlh(r.station[:, i], r.ship[:, i])
    assert np.allclose(rel, r.relative[:, i])
    # phase series agrees with the insertion value
    j = np.searchsorted(r.t, r.t_insertion)
    assert abs(r.phase_angle_deg[j] - r.phase_angle_insertion_deg) < 0.05


def test_launch_an_hour_late_is_not_two_orbit_and_says_why(ms27_liftoff):
    late = at_seconds(ms27_liftoff, 3600.0)
    with pytest.raises(MissionError, match="out of the station's orbit plane"):
        simulate(MissionConfig(launch=late))


def test_launch_three_minutes_late_misses_the_two_orbit_window(ms27_liftoff):
    late = at_seconds(ms27_liftoff, 180.0)
    with pytest.raises(MissionError, match=r"phase angle at insertion .* window"):
        simulate(MissionConfig(launch=late, scheme="2-orbit"))


def test_forced_scheme_outside_its_window(ms27_liftoff):
    with pytest.raises(
        MissionError, match=r"scheme 2-day: phase angle at insertion is 1[45]\.\d\d deg"
    ):
        simulate(MissionConfig(launch=ms27_liftoff, scheme="2-day"))


def test_unknown_scheme(ms27_liftoff):
    msg = "^scheme: unknown scheme '1-orbit'; use one of 2-orbit, 4-orbit, 2-day$"
    with pytest.raises(ValueError, match=msg):
        simulate(MissionConfig(launch=ms27_liftoff, scheme="1-orbit"))


def _flights_with_tle():
    sets = builtin_element_sets()
    out = []
    for f in flights():
        if f.docking_kind != "actual" and "plan" in f.name:
            continue
        if any(0 < seconds_between(s.epoch, f.launch) <= 2 * 86400 for s in sets):
            out.append(f)
    return out


# Docking-time bounds per scheme. REGRESSION bounds, set from the model's own leave-one-out table
# (rendezvous.calibration, README), not from a requirement: real flights of one scheme vary by more
# than half an hour (two-orbit 3 h 03 to 3 h 39 min, four-orbit 5 h 38 to 6 h 19 min) and the model
# knows only the port and the ship, so a flight at either end is up to about 20 min from the hold
# model, and the lighting instant (rendezvous.lighting) takes the other instant of the orbit when
# the hold model is more than a quarter-orbit off (Soyuz MS-05: about -25 min);
# the two-day schedule is the weakest (Progress MS-30: about +27 min from its plan, Progress MS-31
# about +6 min, as of 2026-11-26). The accuracy claims themselves are tested in
# tests/test_calibration.py.
FLIGHT_TOL_S = {"2-orbit": 1800.0, "4-orbit": 1800.0, "2-day": 3000.0}


@pytest.mark.parametrize("flight", _flights_with_tle(), ids=lambda f: f.name)
def test_real_flights_scheme_and_docking(flight):
    # the flight's own pad, port and ship from the flight table
    r = simulate(Scenario.from_flight(flight.name))
    assert r.scheme == flight.scheme
    assert (
        abs(r.t_contact - seconds_between(flight.launch, flight.docking))
        <= FLIGHT_TOL_S[flight.scheme]
    )


def test_phase_angle_sign_convention():
    # station 10 deg ahead of the ship on the same circular orbit -> +10 deg
    r = 6.8e6
    v = np.sqrt(3.986004418e14 / r)
    ship = np.array([r, 0, 0, 0, v, 0])
    a = np.radians(10)
    station = np.array([r * np.cos(a), r * np.sin(a), 0, -v * np.sin(a), v * np.cos(a), 0])
    assert np.degrees(phasing.phase_angle(station, ship)) == pytest.approx(10.0)


# Issue 9 requirement: on the two-day Progress MS-31 flight the package's station at docking is
# within 2 km of SGP4 of the same element set (7 km with Cd A/m from B* alone).
STATION_VS_SGP4_TOL_M = 2e3


def test_ms31_station_at_docking_is_sgp4_of_its_set():
    r = simulate(Scenario.from_flight("Progress MS-31"))
    assert r.scheme == "2-day" and r.t_contact > 1.5 * 86400
    es = next(s for s in builtin_element_sets() if abs(s.epoch - r.tle_epoch) < 1e-9)
    sgp4 = es.state(r.docking_time)
    assert np.linalg.norm(r.station[:3, -1] - sgp4[:3]) < STATION_VS_SGP4_TOL_M
    # the station's drag was fitted over (at least) the span flown
    assert r.station_span_s >= r.t_contact and r.station_inv_ballistic > 0


def test_station_manoeuvre_during_the_flight_is_refused(tmp_path):
    # Issue 9: sets of 2025-03-31, 04-02 09:22 and 04-06 00:53 UTC; the last two disagree by
    # 1,890 km (a manoeuvre between them). A launch on 04-02 at 08:00 uses the 03-31 set; the
    # flight (at least the fastest scheme's 5 h) runs past 09:22 into the unknown manoeuvre.
    from rendezvous.ephemeris import StationManoeuvreError

    days = ("2025-03-31", "2025-04-02", "2025-04-06")
    chosen = [s for s in builtin_element_sets() if s.epoch.utc_strftime("%Y-%m-%d") in days]
    assert len(chosen) == 3
    path = tmp_path / "iss.txt"
    path.write_text("".join(f"ISS (ZARYA)\n{s.line1}\n{s.line2}\n" for s in chosen))
    with pytest.raises(StationManoeuvreError) as info:
        simulate("2025-04-02T08:00:00Z", elements=path)
    msg = str(info.value)
    assert "2025-04-06T00:53:17Z" in msg and "2025-04-02T09:22:16Z" in msg and "\n" not in msg
    assert "use a set from after the manoeuvre" in msg
