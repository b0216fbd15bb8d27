"""Shared fixtures: the package timescale, the built-in ISS element sets, the MS-27 liftoff."""

from __future__ import annotations

import pytest

from rendezvous.ephemeris import builtin_element_sets
from rendezvous.times import parse_utc, timescale

MS27_LIFTOFF_UTC = "2025-04-08T05:47:15.309Z"
"""Soyuz MS-27 liftoff (russianspaceweb.com/soyuz-ms-27.html)."""


@pytest.fixture(scope="session")
def ts():
    return timescale()


@pytest.fixture(scope="session")
def iss_sets():
    return builtin_element_sets()


@pytest.fixture(scope="session")
def ms27_liftoff():
    return parse_utc(MS27_LIFTOFF_UTC)


@pytest.fixture(scope="session")
def ms27_result(ms27_liftoff):
    """The simulated MS-27 flight with the package defaults (shared: it takes about a second)."""
    from rendezvous.ephemeris import flights
    from rendezvous.mission import MissionConfig, simulate

    real = next(f for f in flights() if f.name == "Soyuz MS-27")
    return simulate(
        MissionConfig(launch=ms27_liftoff, real_docking=real.docking, real_launch=real.launch)
    )
