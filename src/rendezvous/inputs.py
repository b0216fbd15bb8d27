"""Normalising what a user gives (a time as text, a datetime or a skyfield Time; element sets as
objects or a file) into the typed values the core uses, with errors that name the parameter."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

__all__ = ["element_sets", "to_time"]


def to_time(value: Any, *, param: str = "launch"):
    """A scalar skyfield Time from an ISO 8601 string, a timezone-aware datetime or a skyfield
    Time; a ValueError naming ``param`` otherwise."""
    from .times import parse_utc, timescale

    if isinstance(value, str):
        return parse_utc(value, name=param)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{param}: the datetime {value.isoformat()} has no time zone; give a "
                "timezone-aware datetime (tzinfo=datetime.timezone.utc) or an ISO 8601 string "
                "ending in Z"
            )
        d = value.astimezone(_dt.UTC)
        return timescale().utc(
            d.year, d.month, d.day, d.hour, d.minute, d.second + d.microsecond * 1e-6
        )
    if hasattr(value, "tt") and hasattr(value, "whole"):
        import numpy as np

        if np.ndim(value.tt) != 0:
            raise ValueError(f"{param}: got an array of times; give a single time")
        return value
    raise ValueError(
        f"{param}: cannot use {value!r} as a time; give an ISO 8601 string such as "
        "2025-04-08T05:47:15.309Z, a timezone-aware datetime or a skyfield Time"
    )


def element_sets(value: Any) -> tuple:
    """A tuple of ElementSet from None (empty: the built-in sets), one set, a sequence or the path
    of a TLE file; errors name the parameter ``elements``."""
    from .ephemeris import ElementSet, read_element_sets

    if value is None:
        return ()
    if isinstance(value, ElementSet):
        return (value,)
    if isinstance(value, str | Path):
        if not Path(value).is_file():
            raise FileNotFoundError(f"elements: no such file {str(value)!r}; give a TLE file path")
        return tuple(read_element_sets(value))
    sets = tuple(value)
    if not all(isinstance(s, ElementSet) for s in sets):
        raise ValueError(
            "elements: expected ElementSet objects (rendezvous.ephemeris.read_element_sets), a "
            "TLE file path, or None for the built-in ISS sets"
        )
    return sets
