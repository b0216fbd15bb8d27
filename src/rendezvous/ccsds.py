"""CCSDS Orbit Ephemeris Messages of both vehicles, and the burns as a documented CSV.

OEM
---
Version 2.0 in keyword = value notation (KVN), as CCSDS 502.0-B-2 "Orbit Data Messages" (2009,
section 5) defines it; readers of 502.0-B-3 (2023) accept it. One message per vehicle:

- ``TIME_SYSTEM = UTC``; epochs ``YYYY-MM-DDThh:mm:ss.ssssss`` (microseconds), a leap second as
  ``:60``.
- ``REF_FRAME = GCRF``, ``CENTER_NAME = EARTH``. GCRF (the Geocentric Celestial Reference Frame)
  is one of the REF_FRAME values the standard lists (502.0-B-3 section 3.2.3.3, which the OEM
  metadata table 5-3 refers to; defined in its annex C3), so no rotation to EME2000 is made: our
  states are skyfield GCRS, whose axes are the GCRF's. (EME2000 would differ by the frame bias,
  about 23 milliarcseconds, some 0.8 m at the station's radius.)
- Positions in km with 6 decimals (1 mm), velocities in km/s with 9 decimals (1 micrometre/s),
  the samples of ``trajectory.npz`` (no resampling).
- The ship's ephemeris is split into segments wherever its velocity jumps: at orbit insertion (the
  ascent before it is the point-mass model) and at every burn. A segment ending at a burn closes
  with the state just before the impulse; the next one opens at the same epoch with the state just
  after it. ``INTERPOLATION = LAGRANGE`` with degree up to 7 (fewer for short segments).
- ``ORIGINATOR = rendezvous`` (the program that wrote the file; not an agency in the SANA
  registry), ``CREATION_DATE`` the wall-clock UTC time of writing.
- ``OBJECT_ID``: the station's international designator (1998-067A, ISS Zarya); the ship's is
  ``UNKNOWN``, as the standard asks when it is not known to the writer.

Burns (``burns.csv``)
---------------------
A CCSDS OPM (502.0-B-3 section 3) carries maneuvers, but each maneuver needs a negative
``MAN_DELTA_MASS`` and the spacecraft mass block (3.2.4.7, 3.2.4.9); the simulation flies
impulsive burns without a propellant model, so it has neither. The burns are written instead as
CSV with a header line, one row per burn, in time order:

``t_s`` (s since liftoff), ``utc`` (ISO 8601, ms), ``label``, ``phase``, ``dv_m_s`` (magnitude),
``dv_gcrs_x_m_s .. dv_gcrs_z_m_s`` (GCRS), ``dv_lvlh_x_m_s .. dv_lvlh_z_m_s`` (station LVLH: x
along-track, y = -orbit normal, z towards Earth), ``dv_rtn_r_m_s .. dv_rtn_n_m_s`` (ship RTN: R
radially out, T along-track, N orbit normal; empty for the proximity burns, which are commanded in
LVLH). Values to 0.1 mm/s.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from . import __version__
from .mission import MissionResult
from .samples import burn_states
from .times import at_seconds, iso_utc

__all__ = ["burns_csv", "oem_text", "ship_oem", "station_oem", "ship_segments"]

STATION_ID = "1998-067A"
"""International designator of the ISS (its first module, Zarya), COSPAR."""

_MAX_DEGREE = 7


def _epochs(result: MissionResult, t: np.ndarray) -> list[str]:
    return [s[:-1] for s in iso_utc(at_seconds(result.epoch, np.atleast_1d(t)), digits=6)]


def oem_text(
    result: MissionResult,
    object_name: str,
    object_id: str,
    segments: list[tuple[np.ndarray, np.ndarray, str]],
) -> str:
    """An OEM 2.0 KVN message (module docstring) for segments of (t (k,), states (6, k) GCRS m and
    m/s, comment)."""
    created = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    out = [
        "CCSDS_OEM_VERS = 2.0",
        f"COMMENT Simulated by rendezvous {__version__}: {result.flight}, {result.scheme} scheme",
        f"CREATION_DATE = {created}",
        "ORIGINATOR = rendezvous",
        "",
    ]
    for t, states, comment in segments:
        ep = _epochs(result, t)
        degree = min(_MAX_DEGREE, t.size - 1)
        out += [
            "META_START",
            f"COMMENT {comment}",
            f"OBJECT_NAME = {object_name}",
            f"OBJECT_ID = {object_id}",
            "CENTER_NAME = EARTH",
            "REF_FRAME = GCRF",
            "TIME_SYSTEM = UTC",
            f"START_TIME = {ep[0]}",
            f"STOP_TIME = {ep[-1]}",
        ]
        if degree >= 1:
            out += ["INTERPOLATION = LAGRANGE", f"INTERPOLATION_DEGREE = {degree}"]
        out += ["META_STOP", ""]
        km = states / 1e3
        for e, s in zip(ep, km.T, strict=True):
            out.append(f"{e} {s[0]:.6f} {s[1]:.6f} {s[2]:.6f} {s[3]:.9f} {s[4]:.9f} {s[5]:.9f}")
        out.append("")
    return "\n".join(out)


def ship_segments(result: MissionResult) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """The ship's samples cut at insertion and at every burn (module docstring): a list of
    (t (k,), states (6, k), comment)."""
    t, ship = result.t, result.ship

    def at(tt: float) -> np.ndarray:
        return ship[:, min(int(np.searchsorted(t, tt)), t.size - 1)]

    starts = [(0.0, at(0.0), "ascent (point-mass model), liftoff to orbit insertion")]
    ends = []
    if 0.0 < result.t_insertion < t[-1]:
        ends.append((result.t_insertion, at(result.t_insertion)))
        starts.append((result.t_insertion, at(result.t_insertion), "after orbit insertion"))
    for tb, before, after in burn_states(result):
        if 0.0 < tb < t[-1]:
            label = ", ".join(b.label for b in result.burns if b.t == tb)
            ends.append((tb, before))
            starts.append((tb, after, f"after {label}"))
    ends.append((float(t[-1]), ship[:, -1]))
    segments = []
    for (ta, xa, name), (tb, xb) in zip(starts, ends, strict=True):
        inner = (t > ta) & (t < tb)
        seg_t = np.concatenate([[ta], t[inner], [tb]])
        segments.append((seg_t, np.hstack([xa[:, None], ship[:, inner], xb[:, None]]), name))
    return segments


def ship_oem(result: MissionResult) -> str:
    """``ship.oem``: the ship from liftoff to contact (module docstring)."""
    return oem_text(result, result.flight.upper(), "UNKNOWN", ship_segments(result))


def station_oem(result: MissionResult) -> str:
    """``station.oem``: the station over the same span, one segment (it does not manoeuvre)."""
    return oem_text(
        result, "ISS", STATION_ID, [(result.t, result.station, "ISS, flown by the force model")]
    )


def burns_csv(result: MissionResult) -> str:
    """``burns.csv`` (module docstring)."""
    head = ["t_s", "utc", "label", "phase", "dv_m_s"]
    head += [f"dv_gcrs_{c}_m_s" for c in "xyz"] + [f"dv_lvlh_{c}_m_s" for c in "xyz"]
    head += [f"dv_rtn_{c}_m_s" for c in "rtn"]
    lines = [",".join(head)]
    for b in result.burns:
        utc = str(iso_utc(at_seconds(result.epoch, b.t), digits=3))
        rtn = ["", "", ""] if b.dv_rtn is None else [f"{v:.4f}" for v in b.dv_rtn]
        row = [f"{b.t:.3f}", utc, f'"{b.label}"', b.phase, f"{b.dv_m_s:.4f}"]
        row += [f"{v:.4f}" for v in b.dv] + [f"{v:.4f}" for v in b.dv_lvlh] + rtn
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"
