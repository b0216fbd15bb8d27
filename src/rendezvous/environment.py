"""The environment at liftoff: the station's element set and state, the Earth's pole of date, the
force model, both vehicles' drag coefficients, and the integrator settings every phase flies with.

Over the span a flight needs, the station's state at liftoff and its ``Cd A / m`` are fitted to
SGP4 of its element set (``ephemeris.fit_station_to_sgp4``): B* is fitted to SGP4's own density,
so converting it to ``Cd A / m`` and applying it with another atmosphere gives about 2.5 times too
little decay at the ISS (issue 9). Without a span (for planning: the scheme is not known yet) the
state is SGP4's and ``Cd A / m`` comes from B* (``forces.ballistic_from_bstar``; the station's
table default where B* is not positive). Both vehicles are flown by the same force model (J2-J4
of EGM96 about the true pole of date, or EGM2008 to degree and order 8 turning with the Earth when
the scenario's ``gravity`` asks for it; the exponential atmosphere) from the same epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "STEPPING",
    "Environment",
    "environment_at",
    "fly",
    "force_model",
    "station_inv_ballistic",
]

STEPPING: dict[str, Any] = {"method": "multistep", "step": 60.0, "order": 10}
"""Integrator settings for every flight arc (up to two days): 10th-order Stormer-Cowell at 60 s
steps, checked stable and within about 1 m of DOP853 at rtol 1e-12 over 50 h at 200 km
(benchmarks/mission.py swaps them for DOP853 to show the difference)."""


FIT: dict[str, Any] = {"sample_s": 600.0, "iterations": 2}
"""Settings of the station's fit to SGP4 (``ephemeris.fit_station_to_sgp4``): positions every
10 min, one Gauss-Newton correction and its residuals."""


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
    m^2/kg; station0: (6,) the station's GCRS state at liftoff (SGP4, or fitted to it);
    fit: the ``ephemeris.StationFit`` behind station0 and ib_station, or None (SGP4 and B*).
    """

    epoch: Any
    element_set: Any
    pole: np.ndarray
    force: Any
    ib_station: float
    ib_ship: float
    station0: np.ndarray
    fit: Any = None

    def fly_station(self, t1: float, *, dense: bool = True) -> Any:
        """The station flown from liftoff to ``t1`` s by the force model."""
        return fly(self.station0, 0.0, t1, self.force, self.ib_station, dense=dense)

    def fly_ship(self, y0: np.ndarray, t0: float, t1: float, *, dense: bool = True) -> Any:
        """Ship states ``y0`` (6,) or (6, N) flown from ``t0`` to ``t1`` s."""
        return fly(y0, t0, t1, self.force, self.ib_ship, dense=dense)


def force_model(scenario: Any, epoch: Any, pole: np.ndarray) -> Any:
    """The ``forces.ForceModel`` of a scenario at liftoff ``epoch`` (t = 0): its gravity model
    (``scenario.gravity``, a key of ``forces.GRAVITY_MODELS``; ``forces.DEFAULT_GRAVITY`` when
    None), zonal degree and drag, about the true pole of date ``pole`` (3,).

    A spherical-harmonic field rotates with the Earth: GCRS -> ITRS at liftoff from skyfield
    (``frames.gcrs_to_itrs``: IAU 2006/2000A precession-nutation and Greenwich apparent sidereal
    time from skyfield's UT1, no polar motion), then a rotation by ``omega_earth t`` about the pole
    (``forces`` module docstring for the errors of this model).
    """
    from . import frames
    from .forces import DEFAULT_GRAVITY, ForceModel, gravity_field

    field = gravity_field(getattr(scenario, "gravity", None) or DEFAULT_GRAVITY)
    itrs0 = None if field is None else tuple(map(tuple, frames.gcrs_to_itrs(epoch)))
    extra = {} if field is None else {"mu": field.gm}  # the field's own GM (EGM2008)
    return ForceModel(
        degree=scenario.gravity_degree,
        drag=scenario.drag,
        pole=tuple(pole),
        field=field,
        itrs0=itrs0,
        **extra,
    )


def environment_at(scenario: Any, span_s: float | None = None) -> Environment:
    """The :class:`Environment` of a ``scenario.Scenario`` at its liftoff: the latest element set
    before liftoff (``ephemeris.select_element_set``), the pole, the force model and drag.

    span_s: the seconds after liftoff the flight needs the station for. Given, a station manoeuvre
    between the chosen set and the end of that span is refused (``StationManoeuvreError``) and the
    station's state and ``Cd A / m`` are fitted to SGP4 over the span (module docstring); None:
    SGP4's state and B*'s ``Cd A / m``, for planning before the span is known.
    """
    from . import ephemeris, frames
    from .times import at_seconds

    epoch = scenario.launch
    sets = list(scenario.element_sets) or ephemeris.builtin_element_sets()
    until = None if span_s is None else at_seconds(epoch, float(span_s))
    es = ephemeris.select_element_set(sets, epoch, allow_stale=scenario.allow_stale, until=until)
    pole = frames.true_pole(epoch)
    force = force_model(scenario, epoch, pole)
    ib_ship = float(scenario.ship_inv_ballistic)
    if span_s is None or not scenario.drag:
        ib_st = station_inv_ballistic(es.bstar, scenario.station.inv_ballistic_default)
        return Environment(epoch, es, pole, force, ib_st, ib_ship, es.state(epoch))
    fit = ephemeris.fit_station_to_sgp4(es, epoch, float(span_s), force, **FIT)
    if not (np.isfinite(fit.inv_ballistic) and fit.inv_ballistic > 0.0):
        # Over a short span at low density the drag is weakly determined and the fit can land on
        # a non-physical Cd A/m (drag pushing forward): fly SGP4's state with B*'s drag instead.
        ib_st = station_inv_ballistic(es.bstar, scenario.station.inv_ballistic_default)
        return Environment(epoch, es, pole, force, ib_st, ib_ship, es.state(epoch))
    return Environment(epoch, es, pole, force, fit.inv_ballistic, ib_ship, fit.state0, fit)
