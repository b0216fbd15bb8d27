"""Derived quantities every output shares, computed once from a ``MissionResult``; and the one
statement of the conventions they follow.

Every output (``timeline.txt``, ``summary.json``, the OEM/CZML files, the figures, the animation,
``view.html``) takes its numbers from here, from :mod:`rendezvous.frames` or from the result
itself, so that they agree with each other. :data:`CONVENTIONS` holds the statements below word
for word (a test checks it); ``summary.json`` carries them and ``timeline.txt`` prints them.

Conventions (stated once, used everywhere; :data:`CONVENTIONS`, listed below by
``help(rendezvous.samples)``): the phase angle at insertion is given in [0, 360) and its time series
is continuous (unwrapped) from that value, so a two-day flight drifts smoothly from about 224 deg
down to about 0 with no jump; scheme windows are printed in [0, 360), "252.0..8.0 deg (through 0)"
where one passes through 0, never "to 368 deg". Apsis heights (a property of the osculating
ellipse) and heights above the WGS-84 ellipsoid (where the vehicle is) are different quantities
and every label says which. The closing speed is the speed along the port axis; the range rate
(centre to centre) is only ever shown under that name.
"""

from __future__ import annotations

import numpy as np

from .result import MissionResult

__all__ = [
    "CONVENTIONS",
    "LONG_FLIGHT_S",
    "RECENT_S",
    "burn_states",
    "elapsed_text",
    "phase_angle_at_insertion",
    "phase_angle_series",
    "range_m",
    "solid_mask",
    "station_mask",
    "window_ends",
    "window_text",
]


CONVENTIONS: dict[str, str] = {
    "time": "UTC, ISO 8601 ending in Z (a leap second prints as :60); t_s and durations in SI "
    "seconds since liftoff",
    "frame_states": "GCRS (GCRF in the CCSDS files), m and m/s",
    "frame_dv_lvlh_m_s": "station LVLH: x along-track, y = -orbit normal, z towards Earth",
    "frame_dv_rtn_m_s": "ship RTN: R radially out, T along-track (h x r), N along the orbit "
    "normal h",
    "phase_angle": "the station's angle ahead of the ship in the station's orbit plane, deg; at "
    "insertion in [0, 360); as a time series continuous (unwrapped) from the insertion value",
    "phase_windows": "each scheme's phase-angle window [low, high] in [0, 360); low above high "
    'means the window passes through 0, printed e.g. "252.0..8.0 deg (through 0)"',
    "apsis_heights": "insertion perigee and apogee: apsis radius of the osculating Kepler orbit "
    "minus the WGS-84 equatorial radius (6378.137 km); not a height above the ground beneath",
    "height_above_ellipsoid": "the instantaneous geodetic height above the WGS-84 ellipsoid, as "
    "plotted against time and on the ground track",
    "curvilinear": "relative position at far range: x the along-track arc on the station's orbit, "
    "positive ahead of the station; y the cross-track arc, along LVLH y; z the altitude "
    "difference, positive below the station, towards Earth; continuous along a time series",
    "range": "the distance between the two centres of mass, m; range rate: its rate of change, "
    "negative while closing",
    "contact_speed": "closing speed along the port axis at contact, m/s (the ship's speed towards "
    "the port along the port's axis)",
}
"""Every output's conventions, one statement each: ``summary.json`` carries this dict and
``timeline.txt`` prints it. Where each is computed: phase_angle :func:`phasing.phase_angle`,
:func:`phase_angle_at_insertion`, :func:`phase_angle_series`; phase_windows :func:`window_ends`,
:func:`window_text`; apsis_heights NIMA TR8350.2 table 3.1 (equatorial radius);
height_above_ellipsoid :func:`frames.geodetic`; curvilinear :func:`frames.curvilinear` (equal to
the rectilinear LVLH position to second order in range/radius: within 2 m at 5 km);
range :func:`range_m`, :func:`frames.range_rate`; contact_speed :func:`frames.closing_speed`."""

if __doc__ is not None:  # None under python -OO
    __doc__ += "\n" + "\n".join(f"- {k}: {v}." for k, v in CONVENTIONS.items()) + "\n"


def elapsed_text(seconds: float) -> str:
    """Time since liftoff as h:mm:ss, or d/hh:mm:ss from 24 h on (rounded to the second; a sign
    in front when negative). Every file and page prints T+ this way."""
    s = int(round(abs(seconds)))
    sign = "-" if seconds < 0 else ""
    d, h = divmod(s // 3600, 24)
    if d:
        return f"{sign}{d}/{h:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{sign}{h:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def phase_angle_at_insertion(result: MissionResult) -> float:
    """The phase angle at insertion, deg, in [0, 360) (module docstring)."""
    return float(result.phase_angle_insertion_deg) % 360.0


def phase_angle_series(result: MissionResult, series=None) -> np.ndarray:
    """(n,) phase angle (deg) at every sample of ``result.t``: continuous (unwrapped) and equal to
    :func:`phase_angle_at_insertion` at insertion, so that plots never jump by 360 deg and agree
    with the timeline and ``summary.json``. NaN before insertion (no orbit yet).

    series: (n,) phase angles on any branch (deg); default ``result.phase_angle_deg``."""
    if series is None:
        series = result.phase_angle_deg
    if series is None:
        raise ValueError("result.phase_angle_deg: the result holds no phase-angle series")
    raw = np.asarray(series, dtype=float)
    if raw.shape != np.shape(result.t):
        raise ValueError(
            f"phase_angle_deg: shape {raw.shape} does not match the result's {len(result.t)} "
            "samples; give one phase angle per sample of result.t"
        )
    after = result.t >= result.t_insertion
    out = np.full(raw.shape, np.nan)
    if not after.any():
        return out
    run = np.degrees(np.unwrap(np.radians(raw[after])))
    out[after] = run + 360.0 * np.round((phase_angle_at_insertion(result) - run[0]) / 360.0)
    return out


def window_ends(window) -> tuple[float, float]:
    """(low, high) of a ``schemes.SchemeWindow`` in [0, 360), deg; low > high when the window
    passes through 0."""
    return float(window.lo_deg) % 360.0, float(window.hi_deg) % 360.0


def window_text(window) -> str:
    """A window as printed everywhere: "26.3..358.8 deg", or "252.0..8.0 deg (through 0)"."""
    lo, hi = window_ends(window)
    return f"{lo:.1f}..{hi:.1f} deg" + (" (through 0)" if lo > hi else "")


def range_m(result: MissionResult) -> np.ndarray:
    """(n,) distance between the ship and the station, m."""
    return np.linalg.norm(result.relative[:3], axis=0)


LONG_FLIGHT_S = 12 * 3600.0
"""Flights longer than this (s) are drawn with their middle revolutions faded (:data:`RECENT_S`)."""
RECENT_S = 5600.0
"""Drawing choice for long flights (over :data:`LONG_FLIGHT_S`), shared by the PNG figures and
``view.html``: the first ~93 min after insertion and the last ~93 min before contact (about one
ISS revolution) are drawn solid, and the station only over its last revolution; the revolutions
between are faded so that a two-day flight does not become a solid band."""


def solid_mask(result: MissionResult) -> np.ndarray:
    """(n,) bool: the ship's samples drawn solid in whole-flight views (all of them on a flight
    of at most :data:`LONG_FLIGHT_S`; the first and last :data:`RECENT_S` on a longer one)."""
    t = result.t
    if t[-1] - t[0] <= LONG_FLIGHT_S:
        return np.ones(t.shape, dtype=bool)
    return (t <= result.t_insertion + RECENT_S) | (t >= t[-1] - RECENT_S)


def station_mask(result: MissionResult) -> np.ndarray:
    """(n,) bool: the station's samples drawn in whole-flight views (all of them on a flight of at
    most :data:`LONG_FLIGHT_S`; its last revolution, the last :data:`RECENT_S`, on a longer one,
    so that a two-day flight does not draw 32 of them as a band over the Earth)."""
    if solid_mask(result).all():
        return np.ones(result.t.shape, dtype=bool)
    return result.t >= result.t[-1] - RECENT_S


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
