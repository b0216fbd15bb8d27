"""The contact timed by the station's lighting: the last calibrated term of the docking time.

Model (CALIBRATED, in the open; issue 9)
----------------------------------------
The real Soyuz MS and Progress MS dockings do not fall anywhere in the station's orbit: of the 25
fast (two- and four-orbit) dockings of the built-in table, 14 came between 9.3 min before and 3.8
min after an orbital sunset (the station entering the Earth's shadow), 10 from 12 to 39 min before
one, in daylight, and one (Soyuz MS-21, docked by hand) 10.3 min after one. The published
pre-launch plans of the table show the same: of the 14 fast plans, six put contact 3.7 to 5.2
min after a sunset and six 22 to 35 min before one. The operational rule behind it is not
published. What is published points the same way: the flyaround is better done in sunlight, and
the moment of docking often falls in the shadow, the ship's headlight sufficing (RSC Energia /
Roscosmos on Soyuz MS-26, as relayed by kosmosnews.fr, 2024-09-11); the station is turned for a
Soyuz docking to keep the port sunlit and the arrays and Kurs antennas in view (ESA, T. Pesquet,
"The road to rendezvous", 2016-11-19). So it enters as a calibrated rule:

- the contact falls at one of two instants per station orbit, measured from the orbital sunset:
  :data:`CALIBRATED_CONTACT_AFTER_SUNSET_S` (about a minute after it, and about 28 min
  before it);
- each offset is the median of the real dockings of its kind, in the whole built-in table
  (:func:`fit_offsets`): a docking within :data:`SUNSET_KIND_S` of the sunset nearest to it is
  of the first kind, one from :data:`DAYLIGHT_KIND_S` to :data:`SUNSET_KIND_S` before it of the
  second; the rest (one of 25) fits neither;
- the flight's contact is the instant of either kind nearest to the contact with the calibrated
  hold (``calibration.CALIBRATED_HOLD_S``), not before the hold's start: the hold is lengthened or
  shortened to reach it (:func:`lit_contact_s`).

Evidence that this is the station's lighting and not a fit to noise: with each flight's sunsets
moved by a random fraction of an orbit, the same leave-one-out rule (``accuracy.lit_leave_one_out``
with shifted sunsets) misses the 25 fast dockings by 14.1 min in the median of 193 draws (seed 1;
7 of 200 left no docking of one kind, so no rule), 5.7 min at best, against 3.2 min with the real
sunsets (``tests/test_lighting.py`` checks 12 draws). A stronger null, run by an independent
review: letting the rule choose its pair of offsets in-sample (a 180 s grid) on the shifted
sunsets gives 7.9 min in the median of 30 draws and 5.1 at best, against 2.8 min on the real
ones. The two kinds and their limits were chosen after looking at the dockings: with the sunset
kind's limit from 6 to 15 min the leave-one-out median of the fast dockings stays between 2.9 and
3.3 min; the daylight kind's limit (:data:`DAYLIGHT_KIND_S`) changes nothing from 46 min up, since
the nearest sunset is never more than half an orbit away. What the rule does not say is which kind
a flight will choose: the nearer one to the hold model's contact is taken, so a flight whose hold
model is more than about a quarter-orbit off takes the wrong instant (Soyuz MS-05, MS-13 and
MS-15: 26 to 30 min). The instant is never before the contact with no hold at all; for the
two-orbit Progress MS that limit is within 40 to 50 s of binding (its hold, 1,963 s, is just over
half the longer gap between instants, about 1,920 s), so a hold shorter by a minute would send
some of its flights to the next instant, up to an hour later.

The rule is fitted and tested on the fast schemes only (:data:`LIT_SCHEMES`) and flown only
there unless offsets are given: a two-day flight's hold model is about 30 min off in the median,
so the nearer instant is as likely the wrong one (Progress MS-30 flown with it: +58 min instead of
+29 min), and its station's place along its orbit is unknown without an element set (its phase
at liftoff spans 150 deg).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CALIBRATED_CONTACT_AFTER_SUNSET_S",
    "DAYLIGHT_KIND_S",
    "LIT_SCHEMES",
    "SUNSET_KIND_S",
    "after_nearest_sunset_s",
    "fit_offsets",
    "lit_contact_s",
]

CALIBRATED_CONTACT_AFTER_SUNSET_S: tuple[float, float] = (69.0, -1662.5)
"""CALIBRATED contact times after the orbital sunset, s: the sunset kind and the daylight kind
(module docstring); :func:`fit_offsets` of the whole built-in table reproduces them, tested."""

LIT_SCHEMES = ("2-orbit", "4-orbit")
"""The schemes whose contact the calibrated lighting rule times (module docstring)."""

SUNSET_KIND_S = 600.0
"""A docking within this of its nearest orbital sunset is of the sunset kind, s (module
docstring: a limit chosen after looking at the dockings; 6 to 15 min give the same result)."""

DAYLIGHT_KIND_S = 3000.0
"""A docking from this to :data:`SUNSET_KIND_S` before its nearest sunset is of the daylight
kind, s."""


def fit_offsets(after_sunset_s: np.ndarray) -> tuple[float, float]:
    """The contact offsets after the sunset (sunset kind, daylight kind), s, from real dockings
    ``after_sunset_s`` (each docking minus the orbital sunset nearest to it, s; NaN where the
    station was lit throughout): the median of each kind (module docstring)."""
    x = np.asarray(after_sunset_s, dtype=float)
    x = x[np.isfinite(x)]
    sunset = x[np.abs(x) < SUNSET_KIND_S]
    daylight = x[(x <= -SUNSET_KIND_S) & (x > -DAYLIGHT_KIND_S)]
    if sunset.size == 0 or daylight.size == 0:
        raise ValueError(
            "after_sunset_s: needs dockings of both kinds (within "
            f"{SUNSET_KIND_S:.0f} s of a sunset, and {SUNSET_KIND_S:.0f} to "
            f"{DAYLIGHT_KIND_S:.0f} s before one); give more flights"
        )
    return float(np.median(sunset)), float(np.median(daylight))


def lit_contact_s(
    t_contact_s: float,
    sunsets_s: np.ndarray,
    earliest_s: float,
    offsets_s: tuple[float, ...] = CALIBRATED_CONTACT_AFTER_SUNSET_S,
) -> float:
    """The contact time of the lighting rule, s (module docstring): of the instants
    ``sunsets_s + offset`` (every sunset, every offset), the one nearest to ``t_contact_s`` (the
    contact with the calibrated hold) that is not before ``earliest_s`` (the contact with no hold
    at all). All times on one axis, s. ``t_contact_s`` itself where there is no sunset (the
    station lit throughout) or no instant at or after ``earliest_s``."""
    if not (np.isfinite(t_contact_s) and np.isfinite(earliest_s)):
        raise ValueError(
            f"t_contact_s, earliest_s: got {t_contact_s}, {earliest_s}; give finite seconds"
        )
    sunsets = np.asarray(sunsets_s, dtype=float).ravel()
    sunsets = sunsets[np.isfinite(sunsets)]
    if sunsets.size == 0 or not offsets_s:
        return float(t_contact_s)
    targets = (sunsets[:, None] + np.asarray(offsets_s, dtype=float)[None, :]).ravel()
    targets = targets[targets >= earliest_s]
    if targets.size == 0:
        return float(t_contact_s)
    return float(targets[np.argmin(np.abs(targets - t_contact_s))])


def after_nearest_sunset_s(t_s: float, sunsets_s: np.ndarray) -> float:
    """``t_s`` minus the nearest of ``sunsets_s`` (both on one axis), s; NaN without a sunset
    (the station lit throughout)."""
    d = float(t_s) - np.asarray(sunsets_s, dtype=float).ravel()
    return float(d[np.argmin(np.abs(d))]) if d.size else float("nan")
