"""Time handling at the edges: skyfield ``Time`` outside, float seconds since an epoch inside.

The timescale uses skyfield's built-in leap-second and Delta-T tables (``builtin=True``), so
nothing is
downloaded. UTC strings cross the edges as ISO 8601 with a trailing ``Z``.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

import numpy as np
from skyfield.api import load

from .constants import DAY


@lru_cache(maxsize=1)
def timescale():
    """The package's skyfield timescale, built from the tables shipped with skyfield (no
    network)."""
    return load.timescale(builtin=True)


_FORM = "use ISO 8601 such as 2025-04-08T05:47:15.309Z or 2025-04-08T08:47:15+03:00"
_LEAP = re.compile(r"(.*[T ][0-9]{2}:?[0-9]{2}:?)60([.,][0-9]+)?((?:Z|[+-][0-9:]+)?)", re.I)


def _shown(text: object, limit: int = 60) -> str:
    """``text`` quoted, cut, with characters outside printable ASCII escaped (one safe line)."""
    s = str(text)
    out = "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode() for c in s[:limit])
    return "'" + out + ("..." if len(s) > limit else "") + "'"


def parse_utc(text: str, *, name: str = "time"):
    """Parse an ISO 8601 date-time (``Z``, ``+03:00`` or no zone meaning UTC) into a skyfield Time.

    A leap second (``23:59:60`` UTC, or the same instant in another zone) is accepted where one was
    inserted (skyfield's leap-second table). Raises ``ValueError`` with a one-line message naming
    ``name`` and the expected form.
    """
    s = str(text).strip()
    if not s or not s.isascii() or len(s) > 64:
        raise ValueError(f"{name}: cannot read {_shown(text)} as a date-time; {_FORM}")
    leap = _LEAP.fullmatch(s)
    if leap:  # read as :59, then add the leap second once in UTC
        s = f"{leap.group(1)}59{leap.group(2) or ''}{leap.group(3)}"
    try:
        d = _dt.datetime.fromisoformat(s.replace("z", "Z").replace("Z", "+00:00"))
        if d.tzinfo is None:
            d = d.replace(tzinfo=_dt.UTC)
        d = d.astimezone(_dt.UTC)
    except ValueError:
        raise ValueError(f"{name}: cannot read {_shown(text)} as a date-time; {_FORM}") from None
    except OverflowError:
        raise ValueError(
            f"{name}: {_shown(text)} is outside the years 1 to 9999 once in UTC; {_FORM}"
        ) from None
    seconds = d.second + d.microsecond * 1e-6 + (1 if leap else 0)
    t = timescale().utc(d.year, d.month, d.day, d.hour, d.minute, seconds)
    if leap and not (d.hour == 23 and d.minute == 59 and float(t.utc[5]) >= 60.0):
        raise ValueError(
            f"{name}: {_shown(text)} is not a leap second (second 60 exists only at 23:59:60 UTC "
            "where one was inserted, e.g. 2016-12-31T23:59:60Z); use a valid time"
        )
    return t


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
    """ISO 8601 UTC string(s) ending in ``Z``, with ``digits`` decimals of seconds (0 to 9),
    rounded; a leap second prints as ``23:59:60`` (skyfield's ``Time.utc_iso``)."""
    if not 0 <= int(digits) <= 9:
        raise ValueError(f"digits: got {digits}; use 0 to 9")
    return t.utc_iso(places=int(digits))
