"""The docking time from the flight: the approach profile of the ship and port, the calibrated hold,
and the accuracy of the docking time on flights the model has not seen (leave-one-out).

Model
-----
Launch to docking = insertion (``launch.AscentModel.duration_s``) + the scheme's far-range time
(the last far-range burn, ``catalog.Scheme.burn_revs[-1]`` station revolutions) + the automated
approach from the approach start point to contact (``proximity.approach_estimate``: range
reduction, flyaround to the port axis, hold, final approach). What moves it:

- the ship: its published approach figures (``catalog.VEHICLES[...].approach``: range-reduction
  leg durations and the final-approach time constant, from Soyuz MS and Progress MS timelines);
- the port and the station's attitude: the flyaround turns from the approach corridor (the V-bar,
  ahead of the station) to the port's axis in LVLH, at 22.5 deg per 60 s (the ships' table). A
  nadir or zenith port is a quarter turn; Zvezda aft, approached along the velocity axis from
  behind with the station in +XVV (``catalog.PortDefinition.approach_yaw_deg``), is a half turn:
  4 min longer;
- the calibrated constants (below): what no published figure fixes.

Calibrated, in the open
-----------------------
The time the real flights spend beyond the far-range schedule and the approach legs is not
published: real ships hold on the port axis, the docking is placed at a chosen lighting (the
second calibrated step, :mod:`rendezvous.lighting`, moves the hold's contact to it on the fast
schemes), and our far-range schedule (the scheme's burn revolutions) may end earlier than the
real one.
Ground coverage no longer times it: the Luch relays see the ship throughout (ISS Reshetnev,
2016). All of it is one calibrated time, flown as the hold: so the hold of the printed timeline
(about 35 min for a two-orbit Soyuz MS) is not a published station-keeping time.

:data:`CALIBRATED_HOLD_S` holds one such time per (ship, scheme) cell, flown in the approach as
the hold on the port axis: the mean residual (real duration - base duration,
:func:`base_duration_s`) of the cell's dockings in the whole built-in table (every *actual*
docking of ``data/flights.csv`` and ``data/flight_durations.csv``; planned dockings are never
fitted, nor the flights the table's inclusion rule excludes, see ``data/PROVENANCE.md``). A cell
without any docking (today Progress MS on the four-orbit scheme) takes the additive least-squares
fit of all the dockings, ``hold = SHIP[ship] + EXTRA[scheme]`` with EXTRA["2-orbit"] = 0: the
ship's level plus the scheme's mean offset. The table is complete, not a selection: every
Soyuz MS and Progress MS flight to the ISS of 2016-2025 on a two-orbit, four-orbit or two-day
scheme whose launch and docking a source gives (the inclusion rule of ``data/PROVENANCE.md``,
applied before its effect on the errors was seen).

Why one hold per cell, and how the choice was made (in the open): the hold stands for the
operations the legs do not model, and those differ by scheme. A two-day flight spends a day in
free flight under ground control (orbit corrections, checkouts) before its autonomous approach; a
two-orbit flight goes from insertion straight into the automated sequence; the four-orbit lies
between. The additive form forces the ship difference to be the same on every scheme, so on the
complete table its ship terms are set mostly by the 29 two-day dockings. This form was chosen
*after* the additive form's leave-one-out errors on the complete table were seen: the median of
the 25 fast dockings was 7.8 min with the additive form (stopwatch by scheme 9.2 min, by scheme
and ship 6.7 min); with one hold per cell it is 6.8 min (two-orbit 5.0, four-orbit 13.3, two-day
27.9 min). A cell's hold is then the stopwatch by scheme and ship corrected for the port (the
approach legs), so it cannot do much better than that stopwatch: the rest of the scatter (a
standard deviation of 7 to 13 min on the fast cells) is the lighting's: with the contact at the
station's lighting instant (:mod:`rendezvous.lighting`, ``accuracy.lit_leave_one_out``) the
median of the 25 fast dockings is 3.2 min (two-orbit 3.1, four-orbit 3.2).

The fit uses the fast estimate for every flight (the element sets of most flights are unknown) at a
typical station period (:func:`typical_period_s`). :func:`leave_one_out` predicts each flight from
the model fitted without it, beside two stopwatches (the mean duration of the other real flights
of the same scheme, and of the same scheme and ship). ``tests/test_calibration.py`` checks that the
constants are the fit of the whole table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from .catalog import ISS, SCHEMES, VEHICLES, PortDefinition, Station, Vehicle

__all__ = [
    "CALIBRATED_HOLD_S",
    "FAST_SCHEMES",
    "AccuracyTable",
    "Calibration",
    "RealFlight",
    "approach_profile",
    "base_name",
    "cell_dockings",
    "fit",
    "fitted_flights",
    "leave_one_out",
    "model_duration_s",
    "real_flights",
    "station_yaw_deg",
    "typical_period_s",
    "with_hold",
]

CALIBRATED_HOLD_S: Mapping[tuple[str, str], float] = MappingProxyType(
    {
        ("soyuz", "2-orbit"): 2078.0,
        ("soyuz", "4-orbit"): 2269.0,
        ("soyuz", "2-day"): 2371.0,
        ("progress", "2-orbit"): 1963.0,
        ("progress", "4-orbit"): 2413.0,
        ("progress", "2-day"): 2692.0,
    }
)
"""CALIBRATED hold per (ship, scheme) cell, s, flown on the port axis: the mean residual of the
cell's actual dockings in the whole built-in table (Progress MS on four-orbit has none: the
additive fallback, module docstring). :func:`fit` of :func:`real_flights` reproduces it, tested."""

FAST_SCHEMES = ("2-orbit", "4-orbit")
"""The fast schemes, whose median leave-one-out error issue 9 asks to be at most 5 min."""

MIN_HOLD_PULSE_S = 300.0
"""The hold's CW hops are at most this far apart; the pulse is shortened so that a whole number of
hops fills the hold exactly. 300 s: on the R-bar 280 m below the station the uncontrolled drift
between hops is about 3 n^2 z t^2 / 8 = 12 m at mid-hop (n = 1.13e-3 rad/s), small beside the hold
distance, and the two-orbit Soyuz MS hold (about 35 min) is 7 hops, not 35 (each hop is a burn
in the timeline and a leg of every Monte Carlo sample)."""


def station_yaw_deg(port: PortDefinition, station: Station = ISS) -> float:
    """The station's yaw during an approach to ``port``: the port's own approach attitude where it
    has one (Zvezda aft: +XVV), else the station's (the ISS: 180 deg)."""
    return station.yaw_deg if port.approach_yaw_deg is None else float(port.approach_yaw_deg)


def approach_profile(
    vehicle: Vehicle,
    port: PortDefinition,
    station: Station = ISS,
    *,
    scheme: str | None = None,
    hold_s: float | None = None,
):
    """The ``proximity.ApproachProfile`` of ``vehicle`` to ``port`` (module docstring): the
    default profile with the ship's published values, the station's attitude for this port, and
    the hold ``hold_s`` (default: the calibrated hold of the ship's cell for ``scheme``,
    :data:`CALIBRATED_HOLD_S`; ``scheme`` None: the two-orbit cell, the default scheme's). The
    hold is flown as whole CW hops of at most :data:`MIN_HOLD_PULSE_S`."""
    from .proximity import ApproachProfile

    if hold_s is None:
        hold_s = CALIBRATED.hold_for(vehicle.key, scheme or "2-orbit")
    values: dict[str, Any] = dict(vehicle.approach)
    prof = replace(ApproachProfile(), **values)
    return with_hold(replace(prof, station_yaw_deg=station_yaw_deg(port, station)), hold_s)


def with_hold(prof: Any, hold_s: float) -> Any:
    """``prof`` (a ``proximity.ApproachProfile``) with the hold ``hold_s`` (s, at least 0), flown
    as whole CW hops of at most :data:`MIN_HOLD_PULSE_S`."""
    hold_s = max(0.0, float(hold_s))
    hops = int(np.ceil(hold_s / MIN_HOLD_PULSE_S - 1e-9))
    pulse = hold_s / hops if hops else MIN_HOLD_PULSE_S
    return replace(prof, hold_s=hold_s, hold_pulse_s=pulse)


@lru_cache(maxsize=1)
def typical_period_s() -> float:
    """A typical station period, s: the median over the built-in ISS element sets of 1 day / mean
    motion (2018-2026: 5,560 to 5,578 s)."""
    from .ephemeris import builtin_element_sets

    return float(np.median([86400.0 / s.mean_motion_rev_per_day for s in builtin_element_sets()]))


@lru_cache(maxsize=64)
def _approach_s(vehicle_key: str, port_key: str) -> float:
    """The approach of ``vehicle_key`` to the ISS port ``port_key`` without hold, s."""
    from .proximity import approach_estimate, port_frame

    vehicle, port = VEHICLES[vehicle_key], ISS.port(port_key)
    prof = approach_profile(vehicle, port, ISS, hold_s=0.0)
    pos, axis = port_frame(port, prof, ISS)
    duration, _ = approach_estimate(prof, pos, axis, 2 * np.pi / typical_period_s())
    return float(duration)


@dataclass(frozen=True)
class RealFlight:
    """A real flight of the built-in tables: name, ship key ("soyuz"/"progress"), ISS port key,
    scheme, liftoff (ISO UTC), launch to docking (s), docking_kind ("actual" or "planned"), the
    table it comes from, the pad as the table writes it (e.g. "Baikonur 31/6") and the docking
    planned before launch, s after liftoff (``flight_durations.csv``'s ``planned_docking_utc``;
    NaN where none was published; ``flights.csv`` gives its plans as rows of their own);
    ``excluded``: why the flight is kept out of the fit and the leave-one-out table by the
    inclusion rule (module docstring), e.g. "docked on a later attempt"; empty if included."""

    name: str
    vehicle: str
    port: str
    scheme: str
    launch_utc: str
    duration_s: float
    docking_kind: str
    table: str
    site: str = ""
    planned_s: float = float("nan")
    excluded: str = ""

    @property
    def fast(self) -> bool:
        return self.scheme in FAST_SCHEMES


def _port_key(name: str) -> str:
    port = ISS.port(name, param="flight port")
    return next(k for k, p in ISS.ports.items() if p is port)


@lru_cache(maxsize=1)
def real_flights() -> tuple[RealFlight, ...]:
    """Every flight of ``data/flights.csv`` and ``data/flight_durations.csv``, in that order.

    A row of ``flights.csv`` that is a pre-launch plan (``docking_kind`` "planned") is named
    "<flight> (plan)" whether or not the table writes the suffix, so that a plan and the actual
    docking of the same flight (e.g. Progress MS-30: the plan in ``flights.csv``, the actual
    docking in ``flight_durations.csv``) are two rows with two names (:func:`base_name` joins
    them again for the leave-one-out)."""
    from .ephemeris import flights
    from .times import iso_utc

    out = [
        RealFlight(
            _plan_named(f.name, f.docking_kind),
            "progress" if f.name.startswith("Progress") else "soyuz",
            _port_key(f.port),
            f.scheme,
            str(iso_utc(f.launch, digits=0)),
            float(f.duration_s),
            f.docking_kind,
            "flights.csv",
            f.site,
        )
        for f in flights()
    ]
    return tuple(out) + _durations_table()


def _plan_named(name: str, docking_kind: str) -> str:
    from .ephemeris import PLAN_SUFFIX

    if docking_kind == "actual" or name.endswith(PLAN_SUFFIX):
        return name
    return f"{name}{PLAN_SUFFIX}"


def fitted_flights() -> tuple[RealFlight, ...]:
    """:func:`real_flights` without the flights the inclusion rule excludes (``excluded`` set):
    the flights of the fit and of the leave-one-out table."""
    return tuple(f for f in real_flights() if not f.excluded)


def _durations_table() -> tuple[RealFlight, ...]:
    from .times import parse_utc, seconds_between

    text = (resources.files("rendezvous") / "data" / "flight_durations.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        where = f"rendezvous/data/flight_durations.csv: {row['flight']}"
        launch = parse_utc(row["launch_utc"], name=f"{where}: launch_utc")
        docking = parse_utc(row["docking_utc"], name=f"{where}: docking_utc")
        planned = row.get("planned_docking_utc") or ""
        plan_s = (
            float(seconds_between(launch, parse_utc(planned, name=f"{where}: planned_docking_utc")))
            if planned
            else float("nan")
        )
        for column, known in (("vehicle", VEHICLES), ("scheme", SCHEMES)):
            if row[column] not in known:
                raise ValueError(
                    f"{where}: {column}: unknown {column} {row[column]!r}; write one of "
                    f"{', '.join(known)} in that column"
                )
        out.append(
            RealFlight(
                row["flight"],
                row["vehicle"],
                _port_key(row["port"]),
                row["scheme"],
                row["launch_utc"],
                float(seconds_between(launch, docking)),
                row["docking_kind"],
                "flight_durations.csv",
                row["site"],
                plan_s,
                (row.get("excluded") or "").strip(),
            )
        )
    return tuple(out)


def base_duration_s(flight: RealFlight) -> float:
    """Launch to docking without the calibrated hold, s: insertion (the default ascent of the
    flight's ship, ``scenario.default_ascent``) + the scheme's far-range time at the typical
    period + the ship's approach to the port without hold."""
    from .scenario import default_ascent

    far = SCHEMES[flight.scheme].burn_revs[-1] * typical_period_s()
    return (
        default_ascent(flight.vehicle).duration_s + far + _approach_s(flight.vehicle, flight.port)
    )


Cell = tuple[str, str]
"""A calibration cell: (ship key, scheme name), e.g. ("soyuz", "2-orbit")."""


@dataclass(frozen=True)
class Calibration:
    """Fitted hold per (ship, scheme) cell (s), the number of dockings fitted, and per cell the
    number of dockings its hold is the mean of (0: the additive fallback, module docstring)."""

    hold_s: Mapping[Cell, float]
    n_flights: int
    cell_dockings: Mapping[Cell, int] = field(default_factory=lambda: MappingProxyType({}))

    def hold_for(self, vehicle: str, scheme: str) -> float:
        """The hold of ``vehicle`` (a ship key) on ``scheme``, s."""
        try:
            return self.hold_s[(vehicle, scheme)]
        except KeyError:
            raise ValueError(
                f"vehicle, scheme: no calibrated hold for {vehicle!r} on {scheme!r}; use a ship of "
                f"{', '.join(VEHICLES)} and a scheme of {', '.join(SCHEMES)}"
            ) from None


CALIBRATED = Calibration(CALIBRATED_HOLD_S, 0)
"""The calibrated constants as a :class:`Calibration`."""


def _fitted(flights: tuple[RealFlight, ...] | list[RealFlight]) -> list[RealFlight]:
    return [f for f in flights if f.docking_kind == "actual" and not f.excluded]


def cell_dockings(
    flights: tuple[RealFlight, ...] | list[RealFlight] | None = None,
) -> dict[Cell, int]:
    """The number of fitted dockings (actual, not excluded) of ``flights`` (default
    :func:`fitted_flights`) in every (ship, scheme) cell, 0 included."""
    used = _fitted(fitted_flights() if flights is None else flights)
    return {
        (v, s): sum(f.vehicle == v and f.scheme == s for f in used)
        for v in VEHICLES
        for s in SCHEMES
    }


def _additive_fit(used: list[RealFlight], residuals: np.ndarray) -> dict[Cell, float]:
    """The fallback: least squares ``hold = SHIP[ship] + EXTRA[scheme]`` (EXTRA["2-orbit"] = 0;
    a term no flight fixes is 0, the minimum-norm solution), for every cell."""
    ships, extra = list(VEHICLES), [s for s in SCHEMES if s != "2-orbit"]
    a = np.zeros((len(used), len(ships) + len(extra)))
    for i, f in enumerate(used):
        a[i, ships.index(f.vehicle)] = 1.0
        if f.scheme != "2-orbit":
            a[i, len(ships) + extra.index(f.scheme)] = 1.0
    x = np.linalg.lstsq(a, residuals, rcond=None)[0] if used else np.zeros(a.shape[1])
    ext = {"2-orbit": 0.0} | {s: float(x[len(ships) + i]) for i, s in enumerate(extra)}
    return {(v, s): float(x[ships.index(v)]) + ext[s] for v in ships for s in SCHEMES}


def fit(flights: tuple[RealFlight, ...] | list[RealFlight]) -> Calibration:
    """The hold of every (ship, scheme) cell from the *actual*, not excluded dockings of
    ``flights`` (planned dockings are skipped): the mean residual (duration - base duration) of
    the cell's dockings; a cell without any docking takes the additive least-squares fit of all
    of them (:func:`_additive_fit`, module docstring)."""
    used = _fitted(flights)
    r = np.array([f.duration_s - base_duration_s(f) for f in used])
    hold = _additive_fit(used, r)
    counts = cell_dockings(used)
    for cell, n in counts.items():
        if n:
            hold[cell] = float(
                np.mean([x for f, x in zip(used, r, strict=True) if (f.vehicle, f.scheme) == cell])
            )
    return Calibration(MappingProxyType(hold), len(used), MappingProxyType(counts))


def model_duration_s(flight: RealFlight, cal: Calibration = CALIBRATED) -> float:
    """Launch to docking of ``flight`` by the fast model with calibration ``cal``, s."""
    return base_duration_s(flight) + max(0.0, cal.hold_for(flight.vehicle, flight.scheme))


@dataclass(frozen=True, eq=False)
class AccuracyTable:
    """Leave-one-out docking times, s after liftoff, one entry per flight of ``flights``.

    real_s: the published docking (planned ones flagged by ``flights[i].docking_kind``); ours_s:
    the fast model fitted without the flight (the calibrated hold, no lighting); flown_s:
    ``simulate`` with that fit's hold and lighting (NaN where not flown); stopwatch_scheme_s,
    stopwatch_scheme_vehicle_s: the mean duration of the *other* actual dockings of the same scheme
    (and ship; NaN where there is none); lit_s: ours_s with the contact moved to the lighting
    instant (``accuracy.lit_leave_one_out``; None until then).
    """

    flights: tuple[RealFlight, ...]
    real_s: np.ndarray
    ours_s: np.ndarray
    flown_s: np.ndarray
    stopwatch_scheme_s: np.ndarray
    stopwatch_scheme_vehicle_s: np.ndarray
    fits: tuple[Calibration, ...]
    lit_s: np.ndarray | None = None

    def errors_s(self, column: str) -> np.ndarray:
        """``column`` ("lit", "ours", "flown", "stopwatch_scheme", "stopwatch_scheme_vehicle")
        minus the real docking, s."""
        values = getattr(self, f"{column}_s")
        if values is None:
            raise ValueError(
                f"column: {column!r} is not in this table; make it with accuracy.lit_leave_one_out"
            )
        return values - self.real_s

    def median_abs_error_s(self, column: str, schemes: tuple[str, ...] = FAST_SCHEMES) -> float:
        """Median |error| of ``column`` over the *actual* dockings of ``schemes``, s (NaN entries,
        e.g. flights not flown, skipped)."""
        err = self._abs_errors_s(column, schemes)
        return float(np.median(err)) if err.size else float("nan")

    def n_errors(self, column: str, schemes: tuple[str, ...] = FAST_SCHEMES) -> int:
        """The number of actual dockings of ``schemes`` that :meth:`median_abs_error_s` of
        ``column`` is the median of (those with a finite entry)."""
        return int(self._abs_errors_s(column, schemes).size)

    def _abs_errors_s(self, column: str, schemes: tuple[str, ...]) -> np.ndarray:
        mask = np.array([f.docking_kind == "actual" and f.scheme in schemes for f in self.flights])
        err = np.abs(self.errors_s(column)[mask])
        return err[np.isfinite(err)]


def base_name(f: RealFlight) -> str:
    """The flight's name without the " (plan)" of a plan row: a plan and its flight's actual
    docking share it (the leave-one-out of either leaves out both)."""
    from .ephemeris import flight_name

    return flight_name(f.name)


def _stopwatch(actual: list[RealFlight], f: RealFlight, by_vehicle: bool) -> float:
    same = [
        g.duration_s
        for g in actual
        if base_name(g) != base_name(f)
        and g.scheme == f.scheme
        and (not by_vehicle or g.vehicle == f.vehicle)
    ]
    return float(np.mean(same)) if same else float("nan")


def leave_one_out(
    flights: tuple[RealFlight, ...] | None = None, flown: Mapping[str, float] | None = None
) -> AccuracyTable:
    """The leave-one-out table (class docstring) of ``flights`` (default :func:`fitted_flights`:
    every row but those the inclusion rule excludes).

    Each flight is predicted by :func:`fit` of the *actual* dockings of the other flights (a
    pre-launch plan row, "... (plan)", leaves out its flight's actual docking too: the comparison
    with the plan is out of sample). ``flown``: launch-to-
    docking seconds from ``simulate`` by flight name, flown with ``fits[i]``'s hold (optional)."""
    flights = fitted_flights() if flights is None else tuple(flights)
    actual = [f for f in flights if f.docking_kind == "actual" and not f.excluded]
    fits = tuple(fit([g for g in actual if base_name(g) != base_name(f)]) for f in flights)
    flown = flown or {}
    return AccuracyTable(
        flights,
        np.array([f.duration_s for f in flights]),
        np.array([model_duration_s(f, c) for f, c in zip(flights, fits, strict=True)]),
        np.array([flown.get(f.name, np.nan) for f in flights], dtype=float),
        np.array([_stopwatch(actual, f, False) for f in flights]),
        np.array([_stopwatch(actual, f, True) for f in flights]),
        fits,
    )
