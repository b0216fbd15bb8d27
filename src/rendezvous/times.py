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
    """ISO 8601 UTC string(s) ending in ``Z``, with ``digits`` decimals of seconds (0 to 6),
    rounded half up; a time inside a leap second prints as ``23:59:60.xxx``.

    Rounding is done on the time scale (half a unit added in TT, then the calendar second
    truncated), so that it carries through minutes, days and leap seconds correctly.
    """
    digits = int(min(max(digits, 0), 6))
    half = 0.5 * 10.0**-digits
    shifted = timescale().tt_jd(t.whole, t.tt_fraction + half / DAY)
    cal = [np.atleast_1d(np.asarray(c)) for c in shifted.utc]
    out = [_iso(*(c[i] for c in cal), digits=digits) for i in range(cal[0].size)]
    return out if np.ndim(t.tt_fraction) else out[0]


def _iso(year, month, day, hour, minute, second, *, digits: int) -> str:
    whole = int(np.floor(second))
    stamp = f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{int(minute):02d}"
    if digits <= 0:
        return f"{stamp}:{whole:02d}Z"
    frac = int(np.floor((second - whole) * 10**digits))
    return f"{stamp}:{whole:02d}.{frac:0{digits}d}Z"
