"""rendezvous: simulate and draw an orbital rendezvous and docking, from liftoff to contact.

The core is pure SI numpy/SciPy: states are ``(6,)`` or ``(6, N)`` arrays of position (m) and
velocity (m/s) in GCRS, times are float seconds since a scenario epoch. File reading lives in
:mod:`rendezvous.ephemeris`, drawing in :mod:`rendezvous.plotting`, the command line in
:mod:`rendezvous.cli`.

The public API is the names of ``__all__``, loaded on first use (``import rendezvous`` imports
neither matplotlib nor skyfield):

>>> import rendezvous
>>> r = rendezvous.simulate("2025-04-08T05:47:15.309Z")  # doctest: +SKIP
>>> r.docking_utc  # doctest: +SKIP
'2025-04-08T09:01:08Z'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "simulate": "mission",
    "MissionResult": "mission",
    "MissionError": "mission",
    "Burn": "mission",
    "Scenario": "scenario",
    "Site": "catalog",
    "Vehicle": "catalog",
    "Station": "catalog",
    "PortDefinition": "catalog",
    "Scheme": "catalog",
    "search_windows": "window",
    "WindowSearch": "window",
    "run_dispersions": "dispersions",
    "nominal_from_mission": "dispersions",
    "ErrorModel": "dispersions",
    "flights": "ephemeris",
    "read_element_sets": "ephemeris",
}

__all__ = [
    "Burn",
    "ErrorModel",
    "MissionError",
    "MissionResult",
    "PortDefinition",
    "Scenario",
    "Scheme",
    "Site",
    "Station",
    "Vehicle",
    "WindowSearch",
    "flights",
    "nominal_from_mission",
    "read_element_sets",
    "run_dispersions",
    "search_windows",
    "simulate",
]

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import PortDefinition, Scheme, Site, Station, Vehicle
    from .dispersions import ErrorModel, nominal_from_mission, run_dispersions
    from .ephemeris import flights, read_element_sets
    from .mission import Burn, MissionError, MissionResult, simulate
    from .scenario import Scenario
    from .window import WindowSearch, search_windows


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rendezvous' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
