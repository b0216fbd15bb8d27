"""The environment at liftoff: the station's drag fitted to SGP4, and its guard."""

from __future__ import annotations

import numpy as np

from rendezvous import environment, ephemeris
from rendezvous.scenario import Scenario

MS27 = "2025-04-08T05:47:15.309Z"


def test_fitted_drag_is_used_when_physical():
    env = environment.environment_at(Scenario(MS27), 3 * 3600.0)
    assert env.fit is not None
    assert env.ib_station == env.fit.inv_ballistic > 0.0


def test_non_physical_fitted_drag_falls_back_to_sgp4_and_bstar(monkeypatch):
    """A fit whose Cd A/m is not positive (drag would push the station forward) is not flown."""
    real = ephemeris.fit_station_to_sgp4

    def negative(*args, **kwargs):
        fit = real(*args, **kwargs)
        return ephemeris.StationFit(
            fit.state0, -1e-3, fit.rms_m, fit.max_m, fit.span_s, fit.inv_ballistic_bstar
        )

    monkeypatch.setattr(ephemeris, "fit_station_to_sgp4", negative)
    scenario = Scenario(MS27)
    env = environment.environment_at(scenario, 3 * 3600.0)
    assert env.fit is None
    assert env.ib_station > 0.0
    np.testing.assert_array_equal(env.station0, env.element_set.state(scenario.launch))
