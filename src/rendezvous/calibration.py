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
published: real ships hold on the port axis, the docking is placed at a chosen lighting (eight of
the thirteen two-orbit plans of ``flight_durations.csv`` put it 2.7 to 4.6 min after an orbital
sunset, the other five 7 to 36 min before one; no published rule says which, see
``accuracy.docking_geometry``),
and our far-range schedule (the scheme's burn revolutions) may end earlier than the real one.
Ground coverage no longer times it: the Luch relays see the ship throughout (ISS Reshetnev,
2016). All of it is one calibrated time, flown as the hold: so the hold of the printed timeline
(about 33 min for Soyuz MS) is not a published station-keeping time. It is fitted, by
least squares on the whole built-in table (every *actual* docking of ``data/flights.csv`` and
``data/flight_durations.csv``; planned dockings are never fitted, nor the flights the table's
inclusion rule excludes, see ``data/PROVENANCE.md``), as an additive model
``hold = HOLD[ship] + EXTRA[scheme]`` with EXTRA["2-orbit"] = 0. The table is complete, not a
selection: every Soyuz MS and Progress MS flight to the ISS of 2016-2025 on a two-orbit,
four-orbit or two-day scheme whose launch and docking a source gives (the inclusion rule of
``data/PROVENANCE.md``, applied before its effect on the errors was seen).

- :data:`CALIBRATED_HOLD_S`: the station-keeping hold per ship, flown in the approach as the hold
  on the port axis;
- :data:`CALIBRATED_SCHEME_EXTRA_S`: what the four-orbit and two-day flights take beyond their
  far-range schedule (9 min for the two-day: its schedule's 31.32 revolutions are short of
  the real flights'), flown as extra hold.

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
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from .catalog import ISS, SCHEMES, VEHICLES, PortDefinition, Station, Vehicle

__all__ = [
    "CALIBRATED_HOLD_S",
    "CALIBRATED_SCHEME_EXTRA_S",
    "FAST_SCHEMES",
    "AccuracyTable",
    "Calibration",
    "RealFlight",
    "approach_profile",
    "fit",
    "fitted_flights",
    "leave_one_out",
    "model_duration_s",
    "real_flights",
    "station_yaw_deg",
    "typical_period_s",
]

CALIBRATED_HOLD_S: Mapping[str, float] = MappingProxyType({"soyuz": 1965.0, "progress": 2110.0})
"""CALIBRATED station-keeping hold on the port axis per ship, s: fitted on the whole built-in table
(module docstring; :func:`fit` of :func:`real_flights` reproduces it, tested)."""

CALIBRATED_SCHEME_EXTRA_S: Mapping[str, float] = MappingProxyType(
    {"2-orbit": 0.0, "4-orbit": 306.0, "2-day": 555.0}
)
"""CALIBRATED time per scheme beyond its far-range schedule, s (two-orbit: 0 by definition), flown
as extra hold; fitted with :data:`CALIBRATED_HOLD_S`."""

FAST_SCHEMES = ("2-orbit", "4-orbit")
"""The fast schemes, whose median leave-one-out error issue 9 asks to be at most 5 min."""

MIN_HOLD_PULSE_S = 300.0
"""The hold's CW hops are at most this far apart; the pulse is shortened so that a whole number of
hops fills the hold exactly. 300 s: on the R-bar 280 m below the station the uncontrolled drift
between hops is about 3 n^2 z t^2 / 8 = 12 m at mid-hop (n = 1.13e-3 rad/s), small beside the hold
distance, and a 37-min hold is 8 hops, not 38 (each hop is a burn in the timeline and a leg of
every Monte Carlo sample)."""


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
    the hold ``hold_s`` (default: the calibrated hold of the ship, plus the calibrated extra of
    ``scheme`` when given). The hold is flown as whole CW hops of at most
    :data:`MIN_HOLD_PULSE_S`."""
    from .proximity import ApproachProfile

    if hold_s is None:
        hold_s = CALIBRATED_HOLD_S[vehicle.key] + CALIBRATED_SCHEME_EXTRA_S.get(scheme or "", 0.0)
    hold_s = max(0.0, float(hold_s))
    hops = int(np.ceil(hold_s / MIN_HOLD_PULSE_S - 1e-9))
    pulse = hold_s / hops if hops else MIN_HOLD_PULSE_S
    values: dict[str, Any] = dict(vehicle.approach)
    prof = replace(ApproachProfile(), **values)
    return replace(
        prof, station_yaw_deg=station_yaw_deg(port, station), hold_s=hold_s, hold_pulse_s=pulse
    )


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
    """Every flight of ``data/flights.csv`` (with its ``(plan)`` rows) and
    ``data/flight_durations.csv``, in that order."""
    from .ephemeris import flights
    from .times import iso_utc

    out = [
        RealFlight(
            f.name,
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
        if row["vehicle"] not in VEHICLES or row["scheme"] not in SCHEMES:
            raise ValueError(f"{where}: unknown vehicle or scheme")
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
    """Launch to docking without the calibrated terms, s: insertion + the scheme's far-range time
    at the typical period + the ship's approach to the port without hold."""
    from .launch import AscentModel

    far = SCHEMES[flight.scheme].burn_revs[-1] * typical_period_s()
    return AscentModel().duration_s + far + _approach_s(flight.vehicle, flight.port)


@dataclass(frozen=True)
class Calibration:
    """Fitted hold per ship and extra per scheme (s), and the number of dockings fitted."""

    hold_s: Mapping[str, float]
    scheme_extra_s: Mapping[str, float]
    n_flights: int

    def hold_for(self, vehicle: str, scheme: str) -> float:
        return self.hold_s[vehicle] + self.scheme_extra_s[scheme]


CALIBRATED = Calibration(CALIBRATED_HOLD_S, CALIBRATED_SCHEME_EXTRA_S, 0)
"""The calibrated constants as a :class:`Calibration`."""


def fit(flights: tuple[RealFlight, ...] | list[RealFlight]) -> Calibration:
    """Least-squares hold per ship and extra per scheme (two-orbit extra 0) on the *actual*
    dockings of ``flights`` (planned dockings are skipped): residual = duration - base duration.
    A ship or scheme with no flight gets 0 (the minimum-norm solution)."""
    used = [f for f in flights if f.docking_kind == "actual" and not f.excluded]
    ships, extra = list(VEHICLES), [s for s in SCHEMES if s != "2-orbit"]
    a = np.zeros((len(used), len(ships) + len(extra)))
    for i, f in enumerate(used):
        a[i, ships.index(f.vehicle)] = 1.0
        if f.scheme != "2-orbit":
            a[i, len(ships) + extra.index(f.scheme)] = 1.0
    r = np.array([f.duration_s - base_duration_s(f) for f in used])
    x = np.linalg.lstsq(a, r, rcond=None)[0] if used else np.zeros(a.shape[1])
    hold = {s: float(x[i]) for i, s in enumerate(ships)}
    ext = {"2-orbit": 0.0} | {s: float(x[len(ships) + i]) for i, s in enumerate(extra)}
    return Calibration(MappingProxyType(hold), MappingProxyType(ext), len(used))


def model_duration_s(flight: RealFlight, cal: Calibration = CALIBRATED) -> float:
    """Launch to docking of ``flight`` by the fast model with calibration ``cal``, s."""
    return base_duration_s(flight) + max(0.0, cal.hold_for(flight.vehicle, flight.scheme))


@dataclass(frozen=True, eq=False)
class AccuracyTable:
    """Leave-one-out docking times, s after liftoff, one entry per flight of ``flights``.

    real_s: the published docking (planned ones flagged by ``flights[i].docking_kind``); ours_s:
    the fast model fitted without the flight; flown_s: ``simulate`` with that fit's hold (NaN where
    not flown); stopwatch_scheme_s, stopwatch_scheme_vehicle_s: the mean duration of the *other*
    actual dockings of the same scheme (and ship; NaN where there is none).
    """

    flights: tuple[RealFlight, ...]
    real_s: np.ndarray
    ours_s: np.ndarray
    flown_s: np.ndarray
    stopwatch_scheme_s: np.ndarray
    stopwatch_scheme_vehicle_s: np.ndarray
    fits: tuple[Calibration, ...]

    def errors_s(self, column: str) -> np.ndarray:
        """``column`` ("ours", "flown", "stopwatch_scheme", "stopwatch_scheme_vehicle") minus
        the real docking, s."""
        return getattr(self, f"{column}_s") - self.real_s

    def median_abs_error_s(self, column: str, schemes: tuple[str, ...] = FAST_SCHEMES) -> float:
        """Median |error| of ``column`` over the *actual* dockings of ``schemes``, s (NaN entries,
        e.g. flights not flown, skipped)."""
        mask = np.array([f.docking_kind == "actual" and f.scheme in schemes for f in self.flights])
        err = np.abs(self.errors_s(column)[mask])
        err = err[np.isfinite(err)]
        return float(np.median(err)) if err.size else float("nan")


def _base_name(f: RealFlight) -> str:
    return f.name.replace(" (plan)", "")


def _stopwatch(actual: list[RealFlight], f: RealFlight, by_vehicle: bool) -> float:
    same = [
        g.duration_s
        for g in actual
        if _base_name(g) != _base_name(f)
        and g.scheme == f.scheme
        and (not by_vehicle or g.vehicle == f.vehicle)
    ]
    return float(np.mean(same)) if same else float("nan")


def leave_one_out(
    flights: tuple[RealFlight, ...] | None = None, flown: Mapping[str, float] | None = None
) -> AccuracyTable:
    """The leave-one-out table (class docstring) of ``flights`` (default :func:`real_flights`).

    Each flight is predicted by :func:`fit` of the *actual* dockings of the other flights (a
    pre-launch plan row, "... (plan)", leaves out its flight's actual docking too: the comparison
    with the plan is out of sample). ``flown``: launch-to-
    docking seconds from ``simulate`` by flight name, flown with ``fits[i]``'s hold (optional)."""
    flights = fitted_flights() if flights is None else tuple(flights)
    actual = [f for f in flights if f.docking_kind == "actual" and not f.excluded]
    fits = tuple(fit([g for g in actual if _base_name(g) != _base_name(f)]) for f in flights)
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
