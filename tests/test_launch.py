"""The launch phase: the point-mass Soyuz-2.1a ascent (rendezvous.ascent) and the insertion state
it gives (rendezvous.launch), against published figures (docs/sources.md, "Soyuz-2.1a point-mass
ascent"). The ascent is targeted at the published separation time and insertion orbit; everything
checked here besides that target is a prediction of the model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rendezvous import launch
from rendezvous.ascent import SOYUZ_2_1A, standard_atmosphere
from rendezvous.constants import F_EARTH, MU_EARTH, OMEGA_EARTH, R_EARTH

SITE = launch.SITES["baikonur-31/6"]
ISS_INC_DEG = 51.64  # ISS orbit inclination (element sets in src/rendezvous/data)


def _ecef(lat_deg: float, lon_deg: float, h: float) -> np.ndarray:
    """WGS-84 geodetic to Earth-fixed (m)."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    e2 = F_EARTH * (2.0 - F_EARTH)
    n = R_EARTH / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
    return np.array(
        [
            (n + h) * np.cos(lat) * np.cos(lon),
            (n + h) * np.cos(lat) * np.sin(lon),
            (n * (1.0 - e2) + h) * np.sin(lat),
        ]
    )


def _pad_and_plane(site=SITE, inc_deg: float = ISS_INC_DEG):
    """The pad's inertial state at liftoff in a frame aligned with the Earth-fixed axes at that
    instant, and the normal of an ascending-pass plane of inclination ``inc_deg`` through it."""
    r = _ecef(site.lat_deg, site.lon_deg, site.height_m)
    v = np.cross([0.0, 0.0, OMEGA_EARTH], r)
    lat = np.arcsin(r[2] / np.linalg.norm(r))
    inc = np.radians(inc_deg)
    az = np.arcsin(np.cos(inc) / np.cos(lat))  # launch azimuth from north, north-east pass
    up = r / np.linalg.norm(r)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    heading = np.sin(az) * east + np.cos(az) * north
    n_hat = np.cross(up, heading)
    return np.concatenate([r, v]), n_hat / np.linalg.norm(n_hat)


@pytest.fixture(scope="module")
def profile():
    pad, n_hat = _pad_and_plane()
    model = launch.AscentModel()
    v0 = launch._in_plane_pad_speed(pad[:3, None], pad[3:, None], n_hat[:, None])
    return model.profile(float(np.linalg.norm(pad[:3])), v0)


def _event_state(p, name):
    i = p.events[name]
    return p.r[i] - p.r[0], float(np.hypot(p.vr[i], p.vt[i])), p.theta[i] * p.r[0]


def test_insertion_orbit_at_separation_within_published_orbits(profile):
    """Target check: at 529 s the ship is on an orbit between the published insertion orbits
    (Progress MS-20 189 x 221 km, Progress MS-18 195 x 240 km; Roscosmos)."""
    r, _, vr, vt = profile.final
    assert profile.t[-1] == pytest.approx(529.0)
    energy = 0.5 * (vr**2 + vt**2) - MU_EARTH / r
    a = -MU_EARTH / (2.0 * energy)
    h = r * vt
    e = np.sqrt(max(0.0, 1.0 - h**2 / (MU_EARTH * a)))
    perigee, apogee = a * (1 - e) - R_EARTH, a * (1 + e) - R_EARTH
    assert 185e3 <= perigee <= 200e3
    assert 215e3 <= apogee <= 245e3


def test_booster_separation_state_matches_published(profile):
    """Predicted: boosters separate "around 118 s ... at an altitude of around 48 km ... a speed of
    around 1.8 km/s" (A. Zak, russianspaceweb.com, "Soyuz-2 first stage"); ESA (Soyuz-FG, 2017)
    gives about 39 km. Bands: 39 to 55 km, 1.6 to 2.1 km/s (inertial speed; the pad adds 0.3)."""
    alt, speed, _ = _event_state(profile, "boosters separation")
    assert 39e3 <= alt <= 55e3
    assert 1.6e3 <= speed <= 2.1e3


def test_core_separation_state_matches_published(profile):
    """Predicted: the core stage separates at about 176 km, about 13,500 km/h (3.75 km/s
    relative to the ground), about 500 km from the pad after five minutes (ESA, Soyuz launch
    sequence, 2017). Bands: 150 to 200 km, 3.7 to 4.3 km/s inertial, 400 to 600 km downrange."""
    alt, speed, downrange = _event_state(profile, "core separation")
    assert 150e3 <= alt <= 200e3
    assert 3.7e3 <= speed <= 4.3e3
    assert 400e3 <= downrange <= 600e3


def test_max_dynamic_pressure_time(profile):
    """Predicted: maximum dynamic pressure at about 72 s (LMerkin/SpaceBallistics Soyuz-2 model
    notes); no published Soyuz-2.1a max-q value was found, so its size is only checked to be that
    of a launcher of this class (20 to 50 kPa, a band of the order of Saturn V's 35 kPa and
    Falcon 9's 30-35 kPa) and to fall before the boosters separate."""
    assert 55.0 <= profile.t_q_max <= 85.0
    assert 20e3 <= profile.q_max <= 50e3


def test_third_stage_burn_and_final_mass(profile):
    """BOOKKEEPING (inputs, not a prediction): the third stage's burn is the table's ignition to the
    529 s separation target (243 s, the published 243.9 s of a Soyuz-2.1a with RD-0110 within
    230 to 250 s), and the stage is loaded with what it burns, so the ship and the spent stage
    remain. Guards the tables and the integration's mass flow, not the model's physics."""
    third = SOYUZ_2_1A.stages[-1]
    assert 230.0 <= profile.t[-1] - third.ignition_s <= 250.0
    assert profile.mass[-1] == pytest.approx(7152.0 + third.dry_kg - 441.0, abs=1.0)


def test_separation_point_against_published_state():
    """Predicted: the separation point on the rotating Earth, against the one published
    separation state (Soyuz-U, Progress M-37 from Site 1/5, 1997-12-20, at 529.04 s: Earth-fixed
    X 355.203, Y 4117.639, Z 5092.747 km; V. Agapov, SeeSat-L): 15.29 deg of arc from the pad,
    about 1,700 km. A different launcher generation flying to a similar orbit: within 100 km."""
    site = launch.SITES["baikonur-1/5"]
    pad, n_hat = _pad_and_plane(site)
    ship, oop = launch.insertion_state(pad, n_hat, launch.AscentModel())
    assert abs(oop) < 1e-9
    turn = -OMEGA_EARTH * 529.0
    rot = np.array(
        [[np.cos(turn), -np.sin(turn), 0.0], [np.sin(turn), np.cos(turn), 0.0], [0, 0, 1.0]]
    )
    fixed = rot @ ship[:3]
    angle = np.arccos(fixed @ pad[:3] / np.linalg.norm(fixed) / np.linalg.norm(pad[:3]))
    published = np.radians(15.288)
    assert abs(angle - published) * 6371e3 < 100e3


def test_insertion_state_batch_matches_single_and_barely_depends_on_pad_speed(profile):
    """Batch and single launch give the same state. The targeted ascent absorbs the pad's speed:
    10 m/s more moves the separation point by less than 100 m (13 ms of orbital flight; the launch
    module solves the ascent once, at the pad speed of an in-plane launch rounded to 10 m/s)."""
    pad, n_hat = _pad_and_plane()
    model = launch.AscentModel()
    one, _ = launch.insertion_state(pad, n_hat, model)
    batch, _ = launch.insertion_state(np.stack([pad, pad], axis=1), n_hat, model)
    np.testing.assert_allclose(batch[:, 0], one, rtol=0, atol=1e-6)
    kick, a, b = profile.steer
    faster = model.profile(
        float(profile.r[0]), float(profile.vt[0]) + 10.0, (np.degrees(kick), a, b)
    )
    assert abs(faster.final[1] - profile.final[1]) * R_EARTH < 100.0


def test_ascent_states_start_at_pad_and_end_at_insertion():
    pad, n_hat = _pad_and_plane()
    model = launch.AscentModel()
    ship, _ = launch.insertion_state(pad, n_hat, model)
    path = launch.ascent_states(pad, ship, np.linspace(0.0, model.duration_s, 60), model)
    np.testing.assert_allclose(path[:3, 0], pad[:3], atol=1.0)
    np.testing.assert_allclose(path[:3, -1], ship[:3], atol=1.0)
    alt = np.linalg.norm(path[:3], axis=0) - np.linalg.norm(pad[:3])
    assert np.all(np.diff(alt[:40]) > 0.0)  # climbing through the first two stages


@pytest.mark.parametrize("scale", [0.5, 1.5])
def test_drag_curve_changes_the_separation_point_by_kilometres(profile, scale):
    """The drag coefficient is an assumption (module docstring): scaling the frontal area (the
    same as scaling Cd) by 0.5 or 1.5 moves the separation point by less than 20 km (2.5 s of
    flight, 0.16 deg of phase)."""
    other = dataclasses.replace(SOYUZ_2_1A, frontal_area_m2=scale * SOYUZ_2_1A.frontal_area_m2)
    p2 = launch.AscentModel(vehicle=other).profile(float(profile.r[0]), float(profile.vt[0]))
    assert abs(p2.final[1] - profile.final[1]) * R_EARTH < 20e3


def test_standard_atmosphere_published_values():
    """US Standard Atmosphere 1976, Table I: 11 km 216.65 K 22,632 Pa; 20 km 5,474.9 Pa;
    50 km (geometric) 270.65 K 79.78 Pa."""
    t, p, rho = standard_atmosphere(0.0)
    assert (t, p) == (288.15, 101_325.0)
    assert rho == pytest.approx(1.225, abs=1e-3)
    _, p11, _ = standard_atmosphere(11_019.0)  # 11 km geopotential
    assert p11 == pytest.approx(22_632.0, rel=2e-3)
    t50, p50, _ = standard_atmosphere(50_000.0)
    assert t50 == pytest.approx(270.65, abs=0.1)
    assert p50 == pytest.approx(79.78, rel=5e-3)


def test_unreachable_target_names_the_parameters():
    model = launch.AscentModel(payload_kg=12_000.0)
    with pytest.raises(ValueError, match="payload_kg"):
        model.profile(6_367_000.0, 290.0)
