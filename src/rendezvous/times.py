"""Time handling at the edges: skyfield ``Time`` outside, float seconds since an epoch inside.

The timescale uses skyfield's built-in leap-second and Delta-T tables (``builtin=True``), so
nothing is
downloaded. UTC strings cross the edges as ISO 8601 with a trailing ``Z``.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache

import numpy as np
from skyfield.api import load

from .constants import DAY


@lru_cache(maxsize=1)
def timescale():
    """The package's skyfield timescale, built from the tables shipped with skyfield (no
    network)."""
    return load.timescale(builtin=True)


def parse_utc(text: str, *, name: str = "time"):
    """Parse an ISO 8601 date-time (``Z``, ``+03:00`` or no zone meaning UTC) into a skyfield Time.

    Raises ``ValueError`` with a one-line message naming ``name`` and the expected form.
    """
    s = str(text).strip()
    try:
        d = _dt.datetime.fromisoformat(s.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{name}: cannot read {text!r} as a date-time; use ISO 8601 such as "
            "2025-04-08T05:47:15.309Z or 2025-04-08T08:47:15+03:00"
        ) from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.UTC)
    d = d.astimezone(_dt.UTC)
    seconds = d.second + d.microsecond * 1e-6
    return timescale().utc(d.year, d.month, d.day, d.hour, d.minute, seconds)


def seconds_between(t0, t1):
    """Seconds from skyfield Time ``t0`` to ``t1`` (TT difference, exact across leap seconds)."""
    whole = np.asarray(t1.whole) - t0.whole
    frac = np.asarray(t1.tt_fraction) - t0.tt_fraction
    out = whole * DAY + frac * DAY
    return float(out) if np.ndim(out) == 0 else out


def at_seconds(epoch, seconds):
    """The skyfield Time ``seconds`` (float or array) after ``epoch``."""
    return timescale().tt_jd(
        epoch.whole, epoch.tt_fraction + np.asarray(seconds, dtype=float) / DAY
    )


def iso_utc(t, *, digits: int = 3) -> str | list[str]:
    """ISO 8601 UTC string(s) ending in ``Z``, with ``digits`` decimals of seconds (0 to 6)."""
    dt = t.utc_datetime()
    if isinstance(dt, _dt.datetime):
        return _iso(dt, digits)
    return [_iso(d, digits) for d in dt]


def _iso(d: _dt.datetime, digits: int) -> str:
    if digits <= 0:
        d = (d + _dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    q = 10 ** (6 - digits)
    us = int(round(d.microsecond / q)) * q
    d = d.replace(microsecond=0) + _dt.timedelta(microseconds=us)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond:06d}"[:digits] + "Z"
