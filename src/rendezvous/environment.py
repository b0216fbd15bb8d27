"""The environment at liftoff: the station's element set and state, the Earth's pole of date, the
force model, both vehicles' drag coefficients, and the integrator settings every phase flies with.

The station's ``Cd A / m`` comes from its element set's B* (``forces.ballistic_from_bstar``; the
station's table default where B* is not positive). Both vehicles are flown by the same force model
(EGM2008 J2-J4 about the true pole of date, the exponential atmosphere) from the same epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["STEPPING", "Environment", "environment_at", "fly", "station_inv_ballistic"]

STEPPING: dict[str, Any] = {"method": "multistep", "step": 60.0, "order": 10}
"""Integrator settings for every flight arc (up to two days): 10th-order Stormer-Cowell at 60 s
steps, checked stable and within about 1 m of DOP853 at rtol 1e-12 over 50 h at 200 km
(benchmarks/mission.py swaps them for DOP853 to show the difference)."""


def station_inv_ballistic(bstar: float, default: float) -> float:
    """The station's Cd A/m (m^2/kg) from its element set's B* (1/ER), or ``default`` where B* is
    not positive (a negative fitted B* would make drag push forward)."""
    from .forces import ballistic_from_bstar

    ib = ballistic_from_bstar(bstar)
    return float(ib) if ib > 0 else float(default)


def fly(
    y0: np.ndarray, t0: float, t1: float, force: Any, inv_ballistic: Any, *, dense: bool = True
) -> Any:
    """Propagate states ``y0`` (6,) or (6, N) from ``t0`` to ``t1`` (s) with :data:`STEPPING`;
    the ``propagate.Trajectory`` (``.final`` for the end states)."""
    from .propagate import propagate

    return propagate(y0, t0, t1, force, inv_ballistic=inv_ballistic, dense=dense, **STEPPING)


@dataclass(frozen=True, eq=False)
class Environment:
    """What every phase needs to know about the world at liftoff.

    epoch: skyfield Time of liftoff (t = 0); element_set: the station's set used; pole: (3,) the
    Earth's true pole of date in GCRS; force: ``forces.ForceModel``; ib_station, ib_ship: Cd A/m,
    m^2/kg; station0: (6,) the station's GCRS state at liftoff (SGP4).
    """

    epoch: Any
    element_set: Any
    pole: np.ndarray
    force: Any
    ib_station: float
    ib_ship: float
    station0: np.ndarray

    def fly_station(self, t1: float, *, dense: bool = True) -> Any:
        """The station flown from liftoff to ``t1`` s by the force model."""
        return fly(self.station0, 0.0, t1, self.force, self.ib_station, dense=dense)

    def fly_ship(self, y0: np.ndarray, t0: float, t1: float, *, dense: bool = True) -> Any:
        """Ship states ``y0`` (6,) or (6, N) flown from ``t0`` to ``t1`` s."""
        return fly(y0, t0, t1, self.force, self.ib_ship, dense=dense)


def environment_at(scenario: Any) -> Environment:
    """The :class:`Environment` of a ``scenario.Scenario`` at its liftoff: the latest element set
    before liftoff (``ephemeris.select_element_set``), the pole, the force model and drag."""
    from . import ephemeris, frames
    from .forces import ForceModel

    epoch = scenario.launch
    sets = list(scenario.element_sets) or ephemeris.builtin_element_sets()
    es = ephemeris.select_element_set(sets, epoch, allow_stale=scenario.allow_stale)
    pole = frames.true_pole(epoch)
    force = ForceModel(degree=scenario.gravity_degree, drag=scenario.drag, pole=tuple(pole))
    ib_st = station_inv_ballistic(es.bstar, scenario.station.inv_ballistic_default)
    return Environment(
        epoch, es, pole, force, ib_st, float(scenario.ship_inv_ballistic), es.state(epoch)
    )
