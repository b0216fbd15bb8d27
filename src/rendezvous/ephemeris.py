"""Choosing the target's element set for a time, station manoeuvres, and the flights table.

- :func:`select_element_set` chooses the latest set of the target station at or before a time (or
  up to ``lead_s`` after it, for a search over a day), warns when it is old, and refuses when the
  file shows a station manoeuvre between the chosen set and the times flown
  (:func:`check_manoeuvres`);
- :func:`builtin_element_sets` and :func:`flights` read the package's data files.

Reading and checking element files (TLE, OMM) is in :mod:`rendezvous.elements`; its public names
are re-exported here. The target's states come from SGP4 as implemented by ``sgp4`` (Vallado et al.
2006, "Revisiting Spacetrack Report #3", AIAA 2006-6753) through skyfield's ``EarthSatellite``,
which rotates SGP4's TEME output into GCRS (:meth:`ElementSet.state`).

SGP4's accuracy for the ISS is about 1 km at epoch and grows by a few km per day (it reboosts and
is strongly affected by drag); hence the age limits of :func:`select_element_set` and the
manoeuvre threshold of :func:`check_manoeuvres`.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .elements import (
    ISS_CATALOGUE_NUMBER,
    ElementSet,
    ElementSetError,
    check_element_set,
    check_station_orbit,
    escape,
    parse_element_sets,
    read_element_sets,
)
from .times import parse_utc

__all__ = [
    "ISS_CATALOGUE_NUMBER",
    "ElementSet",
    "ElementSetError",
    "Flight",
    "StaleElementSetWarning",
    "StationFit",
    "StationManoeuvreError",
    "along_track_difference_m",
    "builtin_element_sets",
    "check_element_set",
    "check_manoeuvres",
    "check_station_orbit",
    "fit_station_to_sgp4",
    "flights",
    "parse_element_sets",
    "read_element_sets",
    "select_element_set",
]

MANOEUVRE_EPOCH_ERROR_M = 3e3
MANOEUVRE_ERROR_GROWTH_M_PER_DAY = 9e3
"""Along-track threshold of :func:`check_manoeuvres`: ``3 km + 9 km/day x (age)``. SGP4 with a
fresh set is good to about 1 km for a low orbit (Kelso 2007, "Validation of SGP4 and IS-GPS-200D
against GPS precision ephemerides", AAS 07-127), and its error grows as the set ages; the growth
rate of 3 km/day used here is an assumption (not a published figure), and the threshold is three
times 1 km + 3 km/day. A reboost of 0.5 m/s shifts the ISS along-track by about 130 km per day, far
above it."""


class StaleElementSetWarning(UserWarning):
    """The chosen element set is older than the warning age (SGP4 error grows with age)."""


class StationManoeuvreError(ElementSetError):
    """Two consecutive sets of the station disagree beyond SGP4's error: it manoeuvred."""


def _error(source: str, line: int, text: str) -> ElementSetError:
    return ElementSetError(f"{escape(source, 200)}:{line}: {text}")


def builtin_element_sets() -> list[ElementSet]:
    """The ISS element sets shipped with the package (``data/iss_tles.txt``, see PROVENANCE.md).

    Parsed once per process; each call returns a new list of the same (immutable) sets, so their
    cached SGP4 satellites are shared.
    """
    return list(_builtin_sets())


@lru_cache(maxsize=1)
def _builtin_sets() -> tuple[ElementSet, ...]:
    ref = resources.files("rendezvous") / "data" / "iss_tles.txt"
    text = ref.read_text(encoding="utf-8")
    return tuple(parse_element_sets(text, "rendezvous/data/iss_tles.txt"))


def _days(t0, t1) -> float:
    """Days from skyfield Time t0 to t1 (TT)."""
    return float((t1.whole - t0.whole) + (t1.tt_fraction - t0.tt_fraction))


def _key(s: ElementSet) -> tuple[float, float]:
    return (s.epoch.whole, s.epoch.tt_fraction)


def _target_sets(sets, catalogue_number: int | None) -> list[ElementSet]:
    sets = list(sets)
    if not sets:
        raise ElementSetError(
            "<no sets>:0: no element sets to choose from; pass the list from "
            "read_element_sets(path) or builtin_element_sets()"
        )
    if catalogue_number is None:
        return sets
    target = [s for s in sets if s.catalogue_number == catalogue_number]
    if not target:
        found = sorted({s.catalogue_number for s in sets})
        raise _error(
            sets[0].source,
            sets[0].line_number,
            f"no element set of catalogue number {catalogue_number} (the station) among the "
            f"sets given (catalogue numbers {', '.join(map(str, found[:5]))}); give the station's "
            "sets",
        )
    return target


def select_element_set(
    sets,
    t,
    *,
    allow_stale: bool = False,
    warn_age_days: float = 3.0,
    max_age_days: float = 14.0,
    lead_s: float = 0.0,
    until=None,
    catalogue_number: int | None = ISS_CATALOGUE_NUMBER,
) -> ElementSet:
    """The latest set of ``catalogue_number`` in ``sets`` whose epoch is at or before the skyfield
    Time ``t`` plus ``lead_s`` seconds.

    lead_s: how far after ``t`` an epoch may be (a launch-window search over a day passes the day's
    length: SGP4 propagates backwards a few hours as well as forwards); until: the end of the time
    flown (skyfield Time, default ``t``): consecutive sets whose epochs enclose part of the time
    from the chosen set to ``until`` and disagree beyond SGP4's error raise
    :class:`StationManoeuvreError` (:func:`check_manoeuvres`). Sets of other objects are ignored.

    Warns :class:`StaleElementSetWarning` when that set is more than ``warn_age_days`` days older
    than ``t``; raises :class:`ElementSetError` when it is more than ``max_age_days`` old unless
    ``allow_stale`` (then it only warns), when no set is early enough and when the chosen set
    fails the checks made on reading (:func:`check_element_set`). Ages are in days.
    Using only sets from before ``t`` is what an operator could have known at the time.
    """
    if np.ndim(t.tt) != 0:
        raise ValueError("select_element_set: t must be a single skyfield Time, not an array")
    if not (math.isfinite(lead_s) and 0.0 <= lead_s <= 2 * 86400.0):
        raise ValueError(f"lead_s: got {lead_s}; use 0 to 172800 s")
    sets = _target_sets(sets, catalogue_number)
    lead = lead_s / 86400.0
    before = [s for s in sets if _days(s.epoch, t) >= -lead]
    if not before:
        first = min(sets, key=_key)
        raise _error(
            first.source,
            first.line_number,
            f"no element set with epoch at or before {_iso(t)}"
            + (f" + {lead_s:g} s" if lead_s else "")
            + f"; the earliest is {_iso(first.epoch)}; give a set from before that time in "
            "`elements` (a TLE or OMM file) or choose a later time",
        )
    best = max(before, key=_key)
    check_element_set(best)  # as when read from a file, for sets built directly
    age = _days(best.epoch, t)
    if age > max_age_days and not allow_stale:
        raise _error(
            best.source,
            best.line_number,
            f"the latest element set before {_iso(t)} has epoch {_iso(best.epoch)}, "
            f"{age:.1f} days earlier (limit {max_age_days:g} d); give a newer set in `elements` "
            "(a TLE or OMM file) or pass allow_stale=True",
        )
    if age > warn_age_days:
        warnings.warn(
            f"{best.where}: element set epoch {_iso(best.epoch)} is {age:.1f} days before "
            f"{_iso(t)}; SGP4 errors grow by km per day; give a newer set in `elements` "
            "(a TLE or OMM file)",
            StaleElementSetWarning,
            stacklevel=2,
        )
    ends = [best.epoch, t] + ([until] if until is not None else [])
    check_manoeuvres(
        sets,
        min(ends, key=lambda x: (x.whole, x.tt_fraction)),
        max(ends, key=lambda x: (x.whole, x.tt_fraction)),
        max_gap_days=max_age_days,
    )
    return best


def along_track_difference_m(older: ElementSet, newer: ElementSet) -> float:
    """Along-track distance, m, of SGP4 of ``older`` propagated to ``newer``'s epoch from SGP4 of
    ``newer`` at its epoch (positive: ``older`` predicts the station ahead). TEME frame."""
    a, b = older.satrec, newer.satrec
    _, r0, _ = a.sgp4(b.jdsatepoch, b.jdsatepochF)
    _, r1, v1 = b.sgp4(b.jdsatepoch, b.jdsatepochF)
    r0, r1, v1 = np.array(r0), np.array(r1), np.array(v1)
    h = np.cross(r1, v1)
    along = np.cross(h, r1)
    along /= np.linalg.norm(along)
    return float((r0 - r1) @ along) * 1e3


def manoeuvre_threshold_m(gap_days: float) -> float:
    """Along-track disagreement, m, beyond SGP4's own error for sets ``gap_days`` apart."""
    return MANOEUVRE_EPOCH_ERROR_M + MANOEUVRE_ERROR_GROWTH_M_PER_DAY * abs(gap_days)


def check_manoeuvres(sets, start, end, *, max_gap_days: float = 14.0) -> None:
    """Raise :class:`StationManoeuvreError` when two consecutive sets of ``sets`` show a station
    manoeuvre that may fall between skyfield Times ``start`` and ``end``.

    Consecutive sets (A, B) by epoch are compared when the span between their epochs overlaps
    ``start`` to ``end`` and they are at most ``max_gap_days`` apart: SGP4 of A propagated to B's
    epoch must agree with B along-track within :func:`manoeuvre_threshold_m`. Otherwise the
    manoeuvre, somewhere between A and B, may fall in the time flown. A manoeuvre before the chosen
    set is already in it and is not reported.
    """
    ordered = sorted(sets, key=_key)
    for a, b in zip(ordered, ordered[1:], strict=False):
        gap = _days(a.epoch, b.epoch)
        if not (_days(start, b.epoch) > 0 and _days(a.epoch, end) > 0):
            continue
        if gap <= 0 or gap > max_gap_days:
            continue
        d = along_track_difference_m(a, b)
        limit = manoeuvre_threshold_m(gap)
        if not abs(d) <= limit:
            raise StationManoeuvreError(
                f"{b.where}: the set of epoch {_iso(b.epoch)} is {abs(d) / 1e3:.0f} km along-track "
                f"from the set of epoch {_iso(a.epoch)} at {a.where} propagated by SGP4 (its error "
                f"is below {limit / 1e3:.0f} km after {gap:.1f} d): the station manoeuvred "
                f"between them; use a set from after the manoeuvre (epoch after {_iso(a.epoch)}) "
                "for times after it, or remove the set that does not apply"
            )


def _iso(t) -> str:
    return t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, eq=False)
class StationFit:
    """The station's initial state and drag fitted to SGP4 of its element set (see
    :func:`fit_station_to_sgp4`).

    state0: (6,) GCRS state at the epoch, m and m/s (read-only); inv_ballistic: Cd*A/m, m^2/kg;
    rms_m, max_m: position residuals against SGP4 over the span, m; span_s: the span, s;
    inv_ballistic_bstar: Cd*A/m from B* alone (``forces.ballistic_from_bstar``), for comparison.
    """

    state0: np.ndarray
    inv_ballistic: float
    rms_m: float
    max_m: float
    span_s: float
    inv_ballistic_bstar: float


def fit_station_to_sgp4(
    es: ElementSet,
    epoch,
    span_s: float,
    force,
    *,
    sample_s: float = 600.0,
    step_s: float = 60.0,
    iterations: int = 2,
    tol_m: float = 0.5,
) -> StationFit:
    """Fit the station's state at skyfield Time ``epoch`` and its Cd*A/m so that the package's
    force model (``force``, a ``forces.ForceModel``) reproduces SGP4 of ``es`` over ``span_s``
    seconds from ``epoch``: least squares on GCRS positions sampled every ``sample_s``.

    This is the usual way of turning an element set into a precise ephemeris (Vallado 2013,
    "Fundamentals of Astrodynamics and Applications", 4th ed., sec. 10.5 on using SGP4 as a data
    source for differential correction). It makes the station's drag consistent with the set:
    B* is fitted to SGP4's own power-law density, and converting it to Cd*A/m with the reference
    density (``forces.ballistic_from_bstar``) and applying it with another density model gives
    about 2.5 times too little decay at the ISS (issue 9; measured here on Progress MS-31's set:
    Cd*A/m 0.0032 fitted against 0.0013 from B*). Gauss-Newton with a finite-difference Jacobian
    computed in one batch propagation of 8 states (``propagate.propagate``, 10th-order
    Stormer-Cowell with ``step_s`` steps, as the mission flies the station), ``iterations``
    evaluations at most (the default, 2: one correction from SGP4's state and drag, then its
    residuals; the model is so nearly linear in these parameters that a second correction changes
    the RMS by less than a metre), or fewer when the RMS improves by less than ``tol_m``. Raises
    ``ValueError`` naming the parameter.
    """
    from .forces import ballistic_from_bstar
    from .propagate import propagate
    from .times import at_seconds

    span_s = float(span_s)
    if not (math.isfinite(span_s) and 0.0 < span_s <= 30 * 86400.0):
        raise ValueError(f"span_s: got {span_s}; use 0 < span_s <= 30 days in s")
    if not (math.isfinite(sample_s) and sample_s > 0.0):
        raise ValueError(f"sample_s: got {sample_s}; use a positive number of seconds")
    n = max(12, int(math.ceil(span_s / sample_s)) + 1)
    ts = np.linspace(0.0, span_s, n)
    ref = es.state(at_seconds(epoch, ts))[:3]
    if not np.all(np.isfinite(ref)):
        raise _error(
            es.source,
            es.line_number,
            "SGP4 of this set fails over the span to fit; use a newer set",
        )
    ib_bstar = float(ballistic_from_bstar(es.bstar))
    p = np.concatenate([es.state(epoch), [max(ib_bstar, 1e-4)]])
    stepping: dict[str, Any] = {"method": "multistep", "step": float(step_s), "order": 10}
    rms_prev = np.inf
    for it in range(max(1, int(iterations))):
        dp_fd = np.array([10.0, 10.0, 10.0, 0.01, 0.01, 0.01, max(abs(p[6]) * 0.01, 1e-6)])
        batch = np.repeat(p[:, None], 8, axis=1)
        batch[np.arange(7), np.arange(1, 8)] += dp_fd
        y = propagate(
            batch[:6], 0.0, span_s, force, inv_ballistic=batch[6], t_eval=ts, **stepping
        ).y[:3]
        d = np.linalg.norm(y[:, 0, :] - ref, axis=0)  # residuals of p, returned with it
        rms = float(np.sqrt(np.mean(d**2)))
        if not np.isfinite(rms):
            raise _error(es.source, es.line_number, "the fit to SGP4 diverged; use a newer set")
        if rms_prev - rms < tol_m or it == iterations - 1:
            break
        res = (y[:, 0, :] - ref).reshape(-1)
        jac = np.stack([((y[:, k + 1, :] - y[:, 0, :]) / dp_fd[k]).reshape(-1) for k in range(7)])
        p = p + np.linalg.lstsq(jac.T, -res, rcond=None)[0]
        rms_prev = rms
    state0 = p[:6].copy()
    state0.flags.writeable = False
    return StationFit(
        state0=state0,
        inv_ballistic=float(p[6]),
        rms_m=float(np.sqrt(np.mean(d**2))),
        max_m=float(d.max()),
        span_s=span_s,
        inv_ballistic_bstar=ib_bstar,
    )


@dataclass(frozen=True)
class Flight:
    """A real flight from the package's flights table (``data/flights.csv``, see PROVENANCE.md).

    name: e.g. "Soyuz MS-27"; launch, docking: skyfield Times (UTC as published; minutes where
    only minutes were published); site: e.g. "Baikonur 31/6"; docking_kind: "actual" or "planned";
    port: e.g. "Prichal nadir"; scheme: "2-orbit", "4-orbit" or "2-day".
    """

    name: str
    launch: object
    site: str
    docking: object
    docking_kind: str
    port: str
    scheme: str

    @property
    def duration_s(self) -> float:
        """Launch to docking, s."""
        return _days(self.launch, self.docking) * 86400.0


PLAN_SUFFIX = " (plan)"
"""What ends the name of a flight's pre-launch plan row ("Soyuz MS-27 (plan)")."""


def flight_name(name: str) -> str:
    """The flight a row of the flight tables is about: ``name`` without :data:`PLAN_SUFFIX` (a
    plan row and the flight's actual docking share it)."""
    return str(name).replace(PLAN_SUFFIX, "")


_FLIGHT_COLUMNS = ["flight", "launch_utc", "site", "docking_utc", "docking_kind", "port", "scheme"]


def _parse_flights(text: str, source: str) -> list[Flight]:
    rows = [
        (i, line)
        for i, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise ValueError(f"{source}:1: no header or rows; expected {','.join(_FLIGHT_COLUMNS)}")
    header_no, header = rows[0]
    cols = next(csv.reader(io.StringIO(header)))
    if [c.strip() for c in cols] != _FLIGHT_COLUMNS:
        raise ValueError(
            f"{source}:{header_no}: header is {header!r}; expected {','.join(_FLIGHT_COLUMNS)}"
        )
    out = []
    for number, line in rows[1:]:
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line)))]
        if len(fields) != len(_FLIGHT_COLUMNS):
            raise ValueError(
                f"{source}:{number}: {len(fields)} fields, {len(_FLIGHT_COLUMNS)} expected "
                f"({','.join(_FLIGHT_COLUMNS)})"
            )
        name, launch, site, docking, kind, port, scheme = fields
        where = f"{source}:{number}"
        out.append(
            Flight(
                name=name,
                launch=parse_utc(launch, name=f"{where}: launch_utc"),
                site=site,
                docking=parse_utc(docking, name=f"{where}: docking_utc"),
                docking_kind=kind,
                port=port,
                scheme=scheme,
            )
        )
    return out


def flights() -> list[Flight]:
    """The flights shipped with the package (``data/flights.csv``), in file order."""
    ref = resources.files("rendezvous") / "data" / "flights.csv"
    return _parse_flights(ref.read_text(encoding="utf-8"), "rendezvous/data/flights.csv")
