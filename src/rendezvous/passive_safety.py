"""Passive safety of the far range: the free drift after a missed far-range burn, against the ISS
approach ellipsoid.

Model
-----
Fehse (2003, "Automated Rendezvous and Docking of Spacecraft", ch. 4, trajectory safety; ch. 5,
the ISS approach ellipsoid, AE, 4 x 2 x 2 km about the station): the far-range arrival
(``phasing``) is designed so that the free drift after any one missed burn stays outside the AE.
The ship rises from below on prograde burns (all four are), so the orbit it is left on when a burn
is missed is no higher than the transfer's; the transfer's apogee is the AS, 1.5 km
below the V-bar (beyond the AE's 1 km radial semi-axis), so a missed arrival burn leaves the ship
on a lower, faster orbit that passes under the station (1.7-1.8 km below it on MS-27, MS-12 and
MS-31) and drifts ahead, away from it. An arrival on the V-bar (the AS of earlier versions) passes
0.4-0.5 km from the station when that burn is missed, inside the AE. At the AS itself the ship, at
rest 1.5 km below the V-bar, drifts forward and down if the approach does not start.
:func:`missed_burn_clearance` checks every case with the full force model for 24 h.

Definition checked (:func:`missed_burn_clearance`): burn k is missed and no later burn is flown
(free drift, no onboard or ground correction: the conservative case), for 24 h after the missed
burn's time (our stated horizon: a day gives the ground time to re-plan and uplink a correction,
not a quoted requirement); and the drift from the approach start point when the approach does not
start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .phasing import fly_burns

__all__ = [
    "APPROACH_ELLIPSOID_SEMI_AXES_M",
    "MISSED_BURN_HORIZON_S",
    "MissedBurn",
    "ellipsoid_measure",
    "missed_burn_clearance",
]

APPROACH_ELLIPSOID_SEMI_AXES_M = (2000.0, 1000.0, 1000.0)
"""Semi-axes of the ISS approach ellipsoid (AE) along the station's LVLH x (along-track), y
(cross-track) and z (radial), m: the 4 x 2 x 2 km ellipsoid centred on the station's centre of
mass (Fehse 2003, ch. 5, on the ISS approach ellipsoid and keep-out sphere; NASA/JSC, "ISS
Rendezvous, Proximity Operations, Docking and Berthing Considerations", 2005: AE 4 km along the
V-bar, 2 km radial and out of plane)."""

MISSED_BURN_HORIZON_S = 86400.0
"""Free-drift horizon of the missed-burn check, s (24 h after the missed burn): module docstring of
:func:`missed_burn_clearance`."""


def ellipsoid_measure(rel: np.ndarray) -> np.ndarray:
    """``sqrt((x/a)^2 + (y/b)^2 + (z/c)^2)`` of LVLH positions ``rel`` (3, ...) m, with the approach
    ellipsoid's semi-axes: below 1 inside the ellipsoid, above 1 outside."""
    ax = np.array(APPROACH_ELLIPSOID_SEMI_AXES_M).reshape((3,) + (1,) * (np.ndim(rel) - 1))
    return np.sqrt(np.sum((np.asarray(rel)[:3] / ax) ** 2, axis=0))


@dataclass(frozen=True, eq=False)
class MissedBurn:
    """The free drift after far-range burn ``burn`` (0..3) is missed and no later burn is flown
    (``burn == 4``: all flown, free drift from the approach start point).

    clearance: the smallest :func:`ellipsoid_measure` over the horizon (above 1: the ship stays
    outside the approach ellipsoid); t_closest: its time, s after liftoff; rel_closest: (3,) the
    ship's LVLH position then, m; range_m: the distance to the station's centre then, m.
    """

    burn: int
    clearance: float
    t_closest: float
    rel_closest: np.ndarray
    range_m: float


def missed_burn_clearance(
    fly: Callable[..., Any],
    station: Callable[[Any], np.ndarray],
    ship_ins: np.ndarray,
    t_ins: float,
    t_burns: np.ndarray,
    dv_rtn: np.ndarray,
    *,
    horizon_s: float = MISSED_BURN_HORIZON_S,
    step_s: float = 5.0,
) -> tuple[MissedBurn, ...]:
    """Passive safety of the far range: for each burn k, the ship flown from insertion through the
    burns before k, then in free drift (burn k and all later burns not flown: the conservative
    case, no onboard or ground correction) for ``horizon_s`` after the time of burn k; how close it
    comes to the approach ellipsoid.

    fly: as in :func:`fly_burns`; station: the station's dense trajectory, callable of s after
    liftoff, covering ``t_burns[-1] + horizon_s``; ship_ins: (6,) at insertion; t_burns: (4,) s;
    dv_rtn: (4, 3) as flown. The drift is sampled every ``step_s`` s and each case's closest point
    refined on a 0.1 s grid. All cases fly as one batch. Returns one :class:`MissedBurn` per
    burn, then one more (``burn == 4``): all four burns flown and the approach not started, the
    free drift from the approach start point itself.
    """
    from .frames import to_lvlh
    from .propagate import PiecewiseTrajectory

    k_burns = len(t_burns)
    masked = np.repeat(np.asarray(dv_rtn, dtype=float)[:, :, None], k_burns + 1, axis=2)
    for k in range(k_burns):
        masked[k:, :, k] = 0.0  # case k: burns k, k+1, ... not flown; case K: all flown
    y0 = np.repeat(np.asarray(ship_ins, dtype=float)[:, None], k_burns + 1, axis=1)
    y, _, segs = fly_burns(fly, y0, t_ins, t_burns, masked, keep=True)
    t_end = float(t_burns[-1]) + horizon_s
    path = PiecewiseTrajectory([s[0] for s in segs] + [fly(y, float(t_burns[-1]), t_end)])

    def measure(t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        rel = to_lvlh(station(t), path(t)[:, k])
        return ellipsoid_measure(rel[:3]), rel[:3]

    out = []
    for k in range(k_burns + 1):
        t0 = float(t_burns[min(k, k_burns - 1)])
        t = np.arange(t0, t0 + horizon_s + step_s / 2, step_s)
        m, _ = measure(t, k)
        i = int(np.argmin(m))
        t_fine = np.clip(np.arange(t[i] - step_s, t[i] + step_s, 0.1), t0, t0 + horizon_s)
        mf, rel = measure(t_fine, k)
        j = int(np.argmin(mf))
        out.append(
            MissedBurn(
                k, float(mf[j]), float(t_fine[j]), rel[:, j], float(np.linalg.norm(rel[:, j]))
            )
        )
    return tuple(out)
