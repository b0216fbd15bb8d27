"""Derived quantities the output files share, computed once from a ``MissionResult``.

Every exported file (timeline, ``summary.json``, the OEM/CZML files, the interactive view) takes
its numbers from here or from the result itself, so that the files agree with each other.

Conventions (stated once, used everywhere):

- **Phase angle**: the station's angle ahead of the ship, measured in the station's orbit plane,
  in degrees, on the branch that holds the chosen scheme's window (``phasing.SchemeWindow``): for
  a two-day flight the station can be more than one lap ahead, so values above 360 deg occur.
- **Orbit heights** (insertion perigee and apogee): apsis radius of the osculating Kepler orbit
  minus the WGS-84 equatorial radius, 6378.137 km (NIMA TR8350.2 table 3.1). They are geometric
  properties of the ellipse, not heights above the ground beneath.
- **Far-range relative position** (curvilinear, as flight-dynamics plots draw it): arc length
  along the station's orbit (x, positive ahead of the station), cross-track arc (y, along the
  LVLH y = -orbit normal), and altitude difference (z, positive below the station, towards
  Earth). It equals the rectilinear LVLH position to first order near the station.
- **Range**: the distance between the two centres of mass, m.
"""

from __future__ import annotations

import numpy as np

from .mission import MissionResult

__all__ = [
    "burn_states",
    "curvilinear_lvlh",
    "elapsed_text",
    "phase_angle_on_window",
    "phase_angle_series",
    "range_m",
]


def elapsed_text(seconds: float) -> str:
    """Time since liftoff as h:mm:ss, or d/hh:mm:ss from 24 h on (rounded to the second; a sign
    in front when negative). Every file and page prints T+ this way."""
    s = int(round(abs(seconds)))
    sign = "-" if seconds < 0 else ""
    d, h = divmod(s // 3600, 24)
    if d:
        return f"{sign}{d}/{h:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{sign}{h:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def phase_angle_on_window(result: MissionResult) -> float:
    """The phase angle at insertion (deg) on the branch the flown scheme's window holds."""
    phase = float(result.phase_angle_insertion_deg)
    win = next((w for w in result.windows if w.scheme == result.scheme), None)
    if win is None:
        return phase % 360.0
    for cand in (phase, phase + 360.0, phase - 360.0, phase + 720.0):
        if win.lo_deg <= cand <= win.hi_deg:
            return cand
    return phase % 360.0


def phase_angle_series(result: MissionResult) -> np.ndarray:
    """(n,) phase angle (deg) at every sample, continuous (unwrapped) and on the same branch as
    :func:`phase_angle_on_window` at insertion, so that plots never jump from -180 to +180 and
    agree with the timeline and ``summary.json``. NaN before insertion (no orbit yet)."""
    if result.phase_angle_deg is None:
        raise ValueError("result.phase_angle_deg: the result holds no phase-angle series")
    series = np.degrees(np.unwrap(np.radians(np.asarray(result.phase_angle_deg, dtype=float))))
    i = min(int(np.searchsorted(result.t, result.t_insertion)), result.t.size - 1)
    series = series + 360.0 * np.round((phase_angle_on_window(result) - series[i]) / 360.0)
    series[result.t < result.t_insertion] = np.nan
    return series


def range_m(result: MissionResult) -> np.ndarray:
    """(n,) distance between the ship and the station, m."""
    return np.linalg.norm(result.relative[:3], axis=0)


def curvilinear_lvlh(station: np.ndarray, ship: np.ndarray) -> np.ndarray:
    """(3, n) curvilinear relative position of ``ship`` from ``station`` ((6, n) GCRS states), m:
    along-track arc, cross-track arc (LVLH y), altitude difference (LVLH z, down positive).

    Arcs are measured on the sphere of the station's radius: x = r_st * (in-plane angle of the
    ship ahead of the station), y = -r_st * (out-of-plane angle), z = r_st - r_ship. Along a time
    series (samples in time order) the angle is unwrapped, continuous and taken in (-180, 180] deg
    at the last sample, so that a two-day flight that starts more than half a lap behind the
    station shows as far behind it, not ahead.
    """
    r_st = station[:3]
    rs = np.linalg.norm(r_st, axis=0)
    h = np.cross(r_st, station[3:6], axis=0)
    h /= np.linalg.norm(h, axis=0)
    r_sh = ship[:3]
    rsh = np.linalg.norm(r_sh, axis=0)
    oop = np.arcsin(np.clip(np.sum(r_sh * h, axis=0) / rsh, -1.0, 1.0))
    inplane = r_sh - np.sum(r_sh * h, axis=0) * h
    sin = np.sum(np.cross(r_st, inplane, axis=0) * h, axis=0)
    cos = np.sum(r_st * inplane, axis=0)
    ahead = np.unwrap(np.atleast_1d(np.arctan2(sin, cos)))
    ahead = ahead - 2 * np.pi * np.round(ahead[-1] / (2 * np.pi))
    ahead = ahead.reshape(np.shape(sin))
    return np.array([rs * ahead, -rs * oop, rs - rsh])


def burn_states(result: MissionResult) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """For each distinct burn time: (t, ship state just before, just after), (6,) GCRS arrays.

    The burn times are sample times and the sampled trajectory holds the state after the burn
    there; the state before differs only by the impulses at that time (several burns can share a
    time: the last far-range burn and the first approach burn).
    """
    out = []
    for tb in sorted({b.t for b in result.burns}):
        i = min(int(np.searchsorted(result.t, tb)), result.t.size - 1)
        after = result.ship[:, i].copy()
        before = after.copy()
        before[3:] -= np.sum([b.dv for b in result.burns if b.t == tb], axis=0)
        out.append((float(result.t[i]), before, after))
    return out
