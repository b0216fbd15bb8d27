"""A synthetic ``MissionResult`` for tests of the edges (plotting, I/O): shaped like a real flight,
made without the mission code.

The station flies a circular Kepler orbit (415 km, 51.64 deg) placed so that it passes over
Baikonur 60 s after liftoff. The ship's motion is drawn in the station's LVLH frame (x along-track,
y = -orbit normal, z towards Earth) through made-up keyframes: liftoff from the site, insertion
about 420 km behind and 200 km below, phasing, transfer, approach, a flyaround to a hold point 250 m
below the Prichal nadir port, and a straight-in final approach along the port axis to contact. Its
GCRS state is the station's plus the LVLH offset. Burns, events and phases are invented; none of
this is physics to test against.

``synthetic_flight()`` returns ``(result, tracks, phase_angle_deg)``: the result (which also holds
the tracks and the phase angle in its ``ship_geodetic``, ``station_geodetic`` and
``phase_angle_deg`` fields), geodetic tracks of both vehicles (spherical Earth, GMST rotation
only) and a phase angle (deg, station ahead positive).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.interpolate import PchipInterpolator

from rendezvous.constants import MU_EARTH, R_EARTH
from rendezvous.mission import Burn, Event, MissionResult, Phase, Port
from rendezvous.plotting import GroundTracks
from rendezvous.times import at_seconds, parse_utc

LIFTOFF = "2025-04-08T05:47:15.309Z"  # Soyuz MS-27 (russianspaceweb.com)
REAL_DOCKING = "2025-04-08T08:57:45Z"  # actual docking (russianspaceweb.com, NASA)
SITE_LAT_DEG, SITE_LON_DEG = 45.996, 63.564  # Baikonur Site 31/6 (catalog.SITES)
T_INSERTION = 529.0
T_CONTACT = 11_300.0
PORT_POSITION = np.array([29.0, 0.0, 18.0])  # made-up Prichal nadir port offset, LVLH m
PORT_AXIS = np.array([0.0, 0.0, 1.0])
HOLD_POINT = PORT_POSITION + 250.0 * PORT_AXIS

PHASES = (
    ("ascent", 0.0, T_INSERTION),
    ("phasing", T_INSERTION, 5500.0),
    ("transfer", 5500.0, 8800.0),
    ("approach", 8800.0, 9600.0),
    ("flyaround", 9600.0, 10_200.0),
    ("hold", 10_200.0, 10_500.0),
    ("final approach", 10_500.0, T_CONTACT),
)

# (t s, x m, y m, z m) in LVLH after insertion; the ascent keyframe at t = 0 is the site.
KEYFRAMES = (
    (T_INSERTION, -420e3, 2e3, 200e3),
    (3000.0, -260e3, 1e3, 120e3),
    (5500.0, -80e3, 0.0, 20e3),
    (7500.0, -10e3, 0.0, 3e3),
    (8800.0, -1.5e3, 0.0, 600.0),
    (9600.0, -400.0, 0.0, 250.0),
    (9900.0, -250.0, 60.0, 380.0),
    (10_200.0, *HOLD_POINT),
    (10_500.0, *HOLD_POINT),
    (11_000.0, *(PORT_POSITION + 40.0 * PORT_AXIS)),
    (T_CONTACT, *PORT_POSITION),
)

BURNS = (  # (t s, dv_lvlh m/s, label, phase)
    (2400.0, (20.0, 0.0, -2.0), "B1 phasing", "phasing"),
    (3300.0, (15.0, 1.5, 0.0), "B2 phasing", "phasing"),
    (5600.0, (8.0, 0.0, -3.0), "B3 transfer", "transfer"),
    (6300.0, (5.0, 0.0, 0.0), "B4 transfer", "transfer"),
    (8800.0, (-3.0, 0.0, -1.0), "approach 1", "approach"),
    (9600.0, (0.5, 0.2, 0.6), "flyaround 1", "flyaround"),
    (9900.0, (0.6, -0.2, -0.2), "flyaround 2", "flyaround"),
    (10_200.0, (-0.4, 0.0, 0.3), "hold", "hold"),
    (10_500.0, (0.0, 0.0, -0.5), "final approach", "final approach"),
)


def _rot3(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _circular_station(t, epoch):
    """Circular orbit through the site's zenith at t = 60 s, heading north-east."""
    a = R_EARTH + 415e3
    inc = np.radians(51.64)
    n = np.sqrt(MU_EARTH / a**3)
    lat = np.radians(SITE_LAT_DEG)
    u_over = np.arcsin(np.sin(lat) / np.sin(inc))
    d_lon = np.arctan2(np.cos(inc) * np.sin(u_over), np.cos(u_over))
    gmst60 = np.radians(at_seconds(epoch, 60.0).gmst * 15.0)
    raan = np.radians(SITE_LON_DEG) + gmst60 - d_lon
    u = u_over + n * (t - 60.0)
    rot = _rot3(raan) @ np.array(
        [[1.0, 0.0, 0.0], [0.0, np.cos(inc), -np.sin(inc)], [0.0, np.sin(inc), np.cos(inc)]]
    )
    r = a * (rot @ np.vstack([np.cos(u), np.sin(u), np.zeros_like(u)]))
    v = a * n * (rot @ np.vstack([-np.sin(u), np.cos(u), np.zeros_like(u)]))
    return np.vstack([r, v])


def _lvlh_axes(station):
    """(3, 3, n): columns x, y, z of the LVLH frame in GCRS."""
    r, v = station[:3], station[3:]
    z = -r / np.linalg.norm(r, axis=0)
    h = np.cross(r, v, axis=0)
    y = -h / np.linalg.norm(h, axis=0)
    x = np.cross(y, z, axis=0)
    return np.stack([x, y, z], axis=1)


def _geodetic(r, t, epoch):
    """Spherical-Earth latitude, longitude (deg) and height (m); good enough for a test map."""
    gmst = np.radians(at_seconds(epoch, t).gmst * 15.0)
    lat = np.degrees(np.arcsin(r[2] / np.linalg.norm(r, axis=0)))
    lon = np.degrees(np.arctan2(r[1], r[0]) - gmst)
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon, np.linalg.norm(r, axis=0) - R_EARTH


def _time_grid():
    return np.unique(
        np.concatenate(
            [
                np.linspace(0.0, T_INSERTION, 60),
                np.linspace(T_INSERTION, 8800.0, 500),
                np.linspace(8800.0, T_CONTACT, 700),
            ]
        )
    )


@lru_cache(maxsize=1)
def synthetic_flight():
    """``(MissionResult, GroundTracks, phase_angle_deg (n,))`` of a made-up two-orbit flight."""
    epoch = parse_utc(LIFTOFF)
    t = _time_grid()
    station = _circular_station(t, epoch)
    axes = _lvlh_axes(station)

    gmst0 = np.radians(at_seconds(epoch, 0.0).gmst * 15.0)
    lat, lon = np.radians(SITE_LAT_DEG), np.radians(SITE_LON_DEG)
    site = R_EARTH * np.array(
        [np.cos(lat) * np.cos(lon + gmst0), np.cos(lat) * np.sin(lon + gmst0), np.sin(lat)]
    )
    site_lvlh = axes[:, :, 0].T @ (site - station[:3, 0])
    knots = np.array([(0.0, *site_lvlh)] + [tuple(k) for k in KEYFRAMES])
    rel_pos = PchipInterpolator(knots[:, 0], knots[:, 1:], axis=0)(t).T
    rel_vel = np.gradient(rel_pos, t, axis=1)  # derivative in the rotating frame
    relative = np.vstack([rel_pos, rel_vel])

    ship_pos = station[:3] + np.einsum("ijn,jn->in", axes, rel_pos)
    ship = np.vstack([ship_pos, np.gradient(ship_pos, t, axis=1)])

    def axes_at(tb):
        return axes[:, :, int(np.argmin(np.abs(t - tb)))]

    burns = tuple(
        Burn(t=tb, dv=axes_at(tb) @ np.array(dv), dv_lvlh=np.array(dv), label=label, phase=ph)
        for tb, dv, label, ph in BURNS
    )
    phases = tuple(Phase(name, a, b) for name, a, b in PHASES)
    events = (
        (Event(0.0, "liftoff", "liftoff"), Event(T_INSERTION, "insertion", "insertion"))
        + tuple(Event(b.t, b.label, "burn") for b in burns)
        + tuple(Event(p.t_start, p.name, "phase") for p in phases[1:])
        + (Event(T_CONTACT, "contact", "contact"),)
    )
    events = tuple(sorted(events, key=lambda e: e.t))

    r_st, r_sh = station[:3], ship[:3]
    h = np.cross(station[:3], station[3:], axis=0)
    h /= np.linalg.norm(h, axis=0)
    sin_part = np.einsum("in,in->n", h, np.cross(r_sh, r_st, axis=0))
    phase_angle_deg = np.degrees(np.arctan2(sin_part, np.einsum("in,in->n", r_sh, r_st)))

    i_ins = int(np.argmin(np.abs(t - T_INSERTION)))
    ship_geo = np.array(_geodetic(ship[:3], t, epoch))
    station_geo = np.array(_geodetic(station[:3], t, epoch))
    result = MissionResult(
        flight="Soyuz MS-27",
        scheme="2-orbit",
        epoch=epoch,
        site_name="Baikonur 31/6",
        site_lat_deg=SITE_LAT_DEG,
        site_lon_deg=SITE_LON_DEG,
        port=Port("Prichal nadir", PORT_POSITION.copy(), PORT_AXIS.copy()),
        t=t,
        ship=ship,
        station=station,
        relative=relative,
        burns=burns,
        events=events,
        phases=phases,
        t_insertion=T_INSERTION,
        t_contact=T_CONTACT,
        phase_angle_insertion_deg=float(phase_angle_deg[i_ins]),
        tle_epoch=epoch,
        real_docking=parse_utc(REAL_DOCKING),
        hold_points=(HOLD_POINT.copy(),),
        phase_angle_deg=phase_angle_deg,
        ship_geodetic=ship_geo,
        station_geodetic=station_geo,
        real_launch=epoch,
    )
    tracks = GroundTracks(
        ship_lat_deg=ship_geo[0],
        ship_lon_deg=ship_geo[1],
        ship_height_m=ship_geo[2],
        station_lat_deg=station_geo[0],
        station_lon_deg=station_geo[1],
        station_height_m=station_geo[2],
    )
    return result, tracks, phase_angle_deg
