"""The leave-one-out accuracy table with the flown flights: ``calibration.leave_one_out`` (the
fast estimate of every built-in flight) plus ``mission.simulate`` of the flights that have an
element set, each flown with the hold of the fit made without it. Kept apart from
:mod:`rendezvous.calibration` because it flies the mission (layering: the scenario reads the
calibrated profile, the mission reads the scenario, this reads both)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .calibration import AccuracyTable, approach_profile

__all__ = ["fly_leave_one_out"]


def fly_leave_one_out(table: AccuracyTable, names: tuple[str, ...] | list[str]) -> AccuracyTable:
    """``table`` with ``flown_s`` filled for the flights called ``names`` (of ``data/flights.csv``,
    which have an element set): each flown by ``mission.simulate`` as it was (its pad, port, ship)
    with the hold of the fit made without it."""
    from .mission import simulate
    from .scenario import Scenario

    flown = dict(zip([f.name for f in table.flights], table.flown_s, strict=True))
    for f, c in zip(table.flights, table.fits, strict=True):
        if f.name not in names:
            continue
        s = Scenario.from_flight(f.name.replace(" (plan)", ""))
        prof = approach_profile(
            s.vehicle, s.port, s.station, hold_s=c.hold_for(f.vehicle, f.scheme)
        )
        flown[f.name] = simulate(s.replace(approach=prof)).t_contact
    return replace(table, flown_s=np.array([flown[f.name] for f in table.flights], dtype=float))
