"""Shared style and readers for the figures: colours, titles, UTC axes with dates, tracks.

Nothing here computes physics: quantities come from the result or from core functions
(:mod:`rendezvous.frames`, :mod:`rendezvous.sun`) that the figures call.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import matplotlib.dates as mdates
import numpy as np

from .. import frames, samples
from ..times import at_seconds

_UTC = _dt.UTC
DPI = 110
MAJOR_BURN_M_S = 1.0
"""Burns of at least this Delta-v (m/s) are marked in the whole-flight views (3D, map, time
plots); the LVLH panels show every burn, the small guidance corrections as small markers."""

RECENT_S = samples.RECENT_S  # the long-flight drawing choice, stated once in ``samples``
LONG_FLIGHT_S = samples.LONG_FLIGHT_S

PHASE_COLOURS = {
    "ascent": "tab:gray",
    "phasing": "tab:blue",
    "transfer": "tab:orange",
    "approach": "tab:green",
    "flyaround": "tab:purple",
    "hold": "tab:brown",
    "final approach": "tab:red",
}
_SPARE_COLOURS = ("tab:pink", "tab:olive", "tab:cyan", "gold", "navy", "teal")


@dataclass(frozen=True, eq=False)  # array fields: no element-wise == on the whole value
class GroundTracks:
    """Geodetic tracks of both vehicles at the result's sample times, each (n,).

    Latitudes and longitudes in degrees (geodetic, WGS-84), heights above the ellipsoid in m.
    """

    ship_lat_deg: np.ndarray
    ship_lon_deg: np.ndarray
    ship_height_m: np.ndarray
    station_lat_deg: np.ndarray
    station_lon_deg: np.ndarray
    station_height_m: np.ndarray

    @classmethod
    def from_result(cls, result) -> GroundTracks:
        """The result's own tracks (``ship_geodetic``, ``station_geodetic``: (3, n) lat deg,
        lon deg, height m) where it has them, else :func:`rendezvous.frames.geodetic` of its
        GCRS states."""
        ship = getattr(result, "ship_geodetic", None)
        station = getattr(result, "station_geodetic", None)
        if ship is None or station is None:
            t = at_seconds(result.epoch, result.t)
            ship = frames.geodetic(result.ship[:3], t)
            station = frames.geodetic(result.station[:3], t)
        return cls(*(np.asarray(a, dtype=float) for a in (*ship, *station)))


def tracks_of(result, tracks: GroundTracks | None) -> GroundTracks:
    """The given tracks (checked against the result's samples) or the result's own."""
    tracks = GroundTracks.from_result(result) if tracks is None else tracks
    n = len(result.t)
    for name in ("ship_lat_deg", "ship_lon_deg", "station_lat_deg", "station_lon_deg"):
        if np.shape(getattr(tracks, name)) != (n,):
            raise ValueError(
                f"tracks.{name}: shape {np.shape(getattr(tracks, name))} does not match the "
                f"result's {n} samples; compute the tracks at result.t"
            )
    return tracks


def title(result, what: str) -> str:
    return f"{result.flight}, {result.scheme} scheme: {what}"


def utc(result, seconds):
    """UTC datetime(s) of seconds since liftoff."""
    return at_seconds(result.epoch, seconds).utc_datetime()


def index(result, t: float) -> int:
    """Index of the sample nearest to t (s since liftoff)."""
    return int(np.argmin(np.abs(result.t - t)))


def major_burns(result):
    return [b for b in result.burns if b.dv_m_s >= MAJOR_BURN_M_S]


def phase_colour(result, name: str) -> str:
    if name in PHASE_COLOURS:
        return PHASE_COLOURS[name]
    others = [p.name for p in result.phases if p.name not in PHASE_COLOURS]
    return _SPARE_COLOURS[others.index(name) % len(_SPARE_COLOURS)] if name in others else "k"


def phase_at(result, t: float) -> str:
    """The phase at t (s since liftoff); at a boundary, the phase that starts there."""
    for p in reversed(result.phases):
        if p.t_start <= t <= p.t_end:
            return p.name
    return ""


def phase_slices(result, i0: int = 0, i1: int | None = None):
    """(phase name, index array) for each phase overlapping samples i0..i1, joined end to end."""
    i1 = len(result.t) - 1 if i1 is None else i1
    out = []
    for p in result.phases:
        a = max(int(np.searchsorted(result.t, p.t_start, "left")), i0)
        b = min(int(np.searchsorted(result.t, p.t_end, "right")), i1 + 1)
        idx = np.arange(max(a - 1, i0), b)  # shares a point with the previous phase
        if idx.size >= 2:
            out.append((p.name, idx))
    return out


solid_mask = samples.solid_mask
range_m = samples.range_m


def last_within(values: np.ndarray, limit: float) -> int:
    """First index of the final run of samples with values <= limit (0 when every sample is
    within; the last index when the last sample is not)."""
    outside = np.flatnonzero(values > limit)
    return min(int(outside[-1]) + 1, len(values) - 1) if outside.size else 0


def wrap_lon(lon_deg, lat_deg):
    """Break a track where it crosses the dateline (NaN between the two sides)."""
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    return np.insert(lon, jumps, np.nan), np.insert(lat, jumps, np.nan)


# --------------------------------------------------------------------------------- dates and times


def published_dockings(result) -> list[tuple[float, str]]:
    """(s since liftoff, "actual" or "planned") of the published dockings the result carries:
    ``result.real_docking`` is the actual time, ``result.planned_docking`` the published plan
    (the figures trust the result; whoever builds it says which is which)."""
    from ..times import seconds_between

    out = []
    for attr, kind in (("real_docking", "actual"), ("planned_docking", "planned")):
        when = getattr(result, attr, None)
        if when is not None:
            out.append((seconds_between(result.epoch, when), kind))
    return sorted(out)


def flight_end_s(result) -> float:
    """Seconds since liftoff of the latest time a figure shows: contact or a published event."""
    return max([float(result.t[-1])] + [t for t, _ in published_dockings(result)])


def crosses_midnight(result) -> bool:
    """True when liftoff and the last shown time fall on different UTC days."""
    return utc(result, 0.0).date() != utc(result, flight_end_s(result)).date()


def clock(result, when: _dt.datetime, seconds: bool = True) -> str:
    """A time of day, with the date ("05 Jul 21:27:00") when the flight crosses UTC midnight;
    rounded to the nearest second (or minute), as ``summary.json`` and ``view.html`` give it
    (21:45:39.538 is 21:45:40 in every output)."""
    fmt = "%H:%M:%S" if seconds else "%H:%M"
    half = _dt.timedelta(seconds=0.5) if seconds else _dt.timedelta(seconds=30)
    when = when + half  # strftime truncates
    return when.strftime(("%d %b " + fmt) if crosses_midnight(result) else fmt)


def date_span(result) -> str:
    """The UTC date of the flight, or "first to last" when it crosses midnight."""
    a, b = utc(result, 0.0), utc(result, flight_end_s(result))
    return f"{a:%Y-%m-%d}" if a.date() == b.date() else f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"


class _DayFormatter(mdates.DateFormatter):
    """UTC ticks as "%H:%M", the date added at the first tick of each day ("00:00\n05 Jul") when
    the ticks span several days: a multi-day axis names its days."""

    def format_ticks(self, values):
        days = [mdates.num2date(v, tz=_UTC) for v in values]
        several = len(days) > 1 and days[0].date() != days[-1].date()
        out = []
        for k, d in enumerate(days):
            new_day = (k == 0 and several) or (k > 0 and d.date() != days[k - 1].date())
            out.append(d.strftime("%H:%M\n%d %b") if new_day else d.strftime("%H:%M"))
        return out


def utc_axis(ax, result, which: str = "x") -> None:
    """UTC ticks (the date named at each new day) and a label with the flight's date(s)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(mdates.AutoDateLocator(tz=_UTC, minticks=4, maxticks=10))
    axis.set_major_formatter(_DayFormatter("%H:%M", tz=_UTC))
    label = f"time (UTC, {date_span(result)})"
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(label)


@lru_cache(maxsize=1)
def coastlines() -> list[np.ndarray]:
    """Natural Earth 1:110m coastlines (public domain) as a list of (2, m) lon/lat arrays, deg."""
    with resources.files("rendezvous").joinpath("data/coastlines_110m.npz").open("rb") as f:
        data = np.load(f)
        lonlat, starts = data["lonlat"].astype(float), data["starts"]
    lonlat.setflags(write=False)  # cached and shared: read-only
    return [lonlat[:, a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]


def curvilinear_km(result) -> np.ndarray:
    """(3, n) curvilinear relative position (x arc ahead, y across, z towards Earth), km, from
    :func:`rendezvous.frames.curvilinear` of the result's states (continuous in time)."""
    return frames.curvilinear(result.station, result.ship, continuous=True) / 1e3
