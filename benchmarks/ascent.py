"""The point-mass ascent (issue 9) beside the former kinematic profile, in the same run.

Baseline: the kinematic ascent the launch module used before issue 9, re-implemented here (and only
here) for comparison: the ship's horizontal inertial speed ``v0 + (v_ins - v0) (t/T)**p`` with an
assumed exponent p (1.5 was the default), so the downrange angle is
``(v0 T + (v_ins - v0) T / (p + 1)) / (R + h_p / 2)``. It is swapped in for the point-mass ascent
by replacing ``launch._downrange_angle`` for the duration of one measurement.

Prints, for the point-mass ascent and for the kinematic profile with p = 1.0, 1.5, 2.0:
the downrange at separation in the aim plane, the MS-27 two-orbit nominal launch time
(``search_windows`` for 2025-04-08, against the real liftoff 05:47:15.309 UTC) and its predicted
docking, the phase angle at insertion and docking of ``simulate`` for the real liftoff, and the
wall time of each search and flight (the point-mass case includes solving the ascent once: the
cache is cleared before it).

Usage: python benchmarks/ascent.py
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from rendezvous import ascent, launch
from rendezvous.constants import R_EARTH
from rendezvous.errors import MissionError
from rendezvous.mission import MissionConfig, simulate
from rendezvous.orbits import unit
from rendezvous.times import parse_utc, seconds_between
from rendezvous.window import search_windows

REAL = "2025-04-08T05:47:15.309Z"  # russianspaceweb.com/soyuz-ms-27.html


def kinematic(p: float):
    """The former kinematic downrange angle with exponent ``p``, per launch (N,)."""

    def angle(r_s, v_s, n_hat, model):
        u0 = unit(r_s - np.sum(r_s * n_hat, axis=0) * n_hat)
        v0 = np.sum(v_s * np.cross(n_hat, u0, axis=0), axis=0)
        t = model.duration_s
        s = v0 * t + (model.insertion_speed - v0) * t / (p + 1.0)
        return s / (R_EARTH + 0.5 * model.perigee_alt_m)

    return angle


def measure(label: str) -> None:
    t0 = time.perf_counter()
    search = search_windows(parse_utc("2025-04-08T00:00:00Z"))
    t_search = time.perf_counter() - t0
    o = next(o for o in search.opportunities if o.scheme == "2-orbit")
    off = seconds_between(parse_utc(REAL), parse_utc(o.nominal_utc))
    t0 = time.perf_counter()
    try:
        res = simulate(MissionConfig(launch=parse_utc(REAL)))
        dock = round(res.t_contact)
        flown = (
            f"phase {res.phase_angle_insertion_deg:6.2f} deg, docking T+{dock // 3600}:"
            f"{dock % 3600 // 60:02d}:{dock % 60:02d}"
        )
    except MissionError as exc:
        flown = "refused: " + str(exc).split(": ", 1)[-1][:58]
    t_sim = time.perf_counter() - t0
    print(
        f"{label:<22} nominal {o.nominal_utc[11:23]} ({off:+6.1f} s), docking "
        f"{o.docking_utc[11:19]} | simulate MS-27: {flown} | search {t_search:5.2f} s, "
        f"simulate {t_sim:5.2f} s"
    )


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    model = launch.AscentModel()
    prof = model.profile(6_367_000.0, 290.0)
    print(
        f"point-mass downrange at separation (aim plane, pad speed 290 m/s): "
        f"{prof.final[1] * R_EARTH / 1e3:.0f} km; kinematic p=1.5: "
        f"{kinematic(1.5)(*_pad_like(), model)[0] * R_EARTH / 1e3:.0f} km"
    )
    saved = launch._downrange_angle
    ascent.solve_ascent.cache_clear()
    measure("point-mass ascent")
    for p in (1.0, 1.5, 2.0):
        launch._downrange_angle = kinematic(p)
        try:
            measure(f"kinematic p={p} (old)")
        finally:
            launch._downrange_angle = saved


def _pad_like():
    """A pad on the equator-ish x axis moving at 290 m/s along an in-plane direction."""
    r = np.array([[6_367_000.0], [0.0], [0.0]])
    v = np.array([[0.0], [290.0], [0.0]])
    n = np.array([[0.0], [0.0], [1.0]])
    return r, v, n


if __name__ == "__main__":
    main()
