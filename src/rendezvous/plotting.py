"""Figures of one simulated flight: the package's only module that imports matplotlib.

Every figure is drawn from a computed :class:`rendezvous.mission.MissionResult` and computes no
physics: no propagation and no frame transforms beyond those already in the result. The geodetic
tracks come from the result (``ship_geodetic``, ``station_geodetic``) or may be passed in as
:class:`GroundTracks` (failing both, :func:`rendezvous.frames.geodetic` of the GCRS states); the
phase angle likewise (``result.phase_angle_deg`` or the ``phase_angle_deg`` argument). The only
arithmetic done here is reading the result: ranges and range rates from the LVLH relative state,
seconds since liftoff turned into UTC with :mod:`rendezvous.times`, and the 3D view's camera
direction from the station's first state.

Figures are plain :class:`matplotlib.figure.Figure` objects, not registered with pyplot, so writing
them needs no GUI backend and leaves no figures open; :func:`show` hands them to pyplot.

Files written by :func:`write_figures` (stable names): ``overview.png`` (3D GCRS view),
``ground_track.png`` (world map, Natural Earth 1:110m coastlines shipped in
``data/coastlines_110m.npz``), ``lvlh.png`` (relative motion in the station's LVLH frame),
``range.png`` (range, closing rate, altitudes, phase angle), ``timeline.png`` (events, simulated
and real) and ``approach.gif`` (animation; also ``approach.mp4`` when ffmpeg is on PATH).

Left out: day/night shading, the Earth's rotation in the 3D view (the sphere is a plain wireframe),
the out-of-plane LVLH y axis in the plane plots (it is small for a coplanar approach).
"""

from __future__ import annotations

import datetime as _dt
import shutil
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
from matplotlib import animation as mpl_animation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Patch, Polygon
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .constants import R_EARTH
from .times import at_seconds, seconds_between

__all__ = [
    "dispersion_histograms_figure",
    "dispersion_lvlh_figure",
    "write_dispersion_figures",
    "range_comparison_figure",
    "FIGURE_NAMES",
    "GroundTracks",
    "coastlines",
    "ground_track_figure",
    "lvlh_figure",
    "overview_figure",
    "range_figure",
    "show",
    "timeline_figure",
    "write_animation",
    "write_figures",
]

FIGURE_NAMES = ("overview.png", "ground_track.png", "lvlh.png", "range.png", "timeline.png")
"""File names of the still figures, in the order :func:`write_figures` writes them."""

LVLH_CONVENTION = (
    "LVLH: x along-track (V-bar), z toward Earth (R-bar down), y = -orbit normal (not shown); "
    "origin at the station's centre of mass, Earth at the bottom"
)

_UTC = _dt.UTC
_PHASE_COLOURS = {
    "ascent": "tab:gray",
    "phasing": "tab:blue",
    "transfer": "tab:orange",
    "approach": "tab:green",
    "flyaround": "tab:purple",
    "hold": "tab:brown",
    "final approach": "tab:red",
}
_SPARE_COLOURS = ("tab:pink", "tab:olive", "tab:cyan", "gold", "navy", "teal")
_DPI = 110
_MAJOR_BURN_M_S = 1.0
"""Burns of at least this Delta-v (m/s) are marked in the whole-flight views (3D, map, time
plots); the LVLH panels show every burn, the small guidance corrections as small markers."""


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
        if ship is not None and station is not None:
            return cls(*(np.asarray(a, dtype=float) for a in (*ship, *station)))
        from .frames import geodetic  # only here: plotting itself transforms no frames

        t = at_seconds(result.epoch, result.t)
        ship = geodetic(result.ship[:3], t)
        station = geodetic(result.station[:3], t)
        return cls(*(np.asarray(a, dtype=float) for a in (*ship, *station)))


# ----------------------------------------------------------------------------------------- helpers


def _tracks(result, tracks: GroundTracks | None) -> GroundTracks:
    tracks = GroundTracks.from_result(result) if tracks is None else tracks
    n = len(result.t)
    for name in ("ship_lat_deg", "ship_lon_deg", "station_lat_deg", "station_lon_deg"):
        if np.shape(getattr(tracks, name)) != (n,):
            raise ValueError(
                f"tracks.{name}: shape {np.shape(getattr(tracks, name))} does not match the "
                f"result's {n} samples; compute the tracks at result.t"
            )
    return tracks


def _phase_angle(result, phase_angle_deg):
    if phase_angle_deg is None:
        phase_angle_deg = getattr(result, "phase_angle_deg", None)
    if phase_angle_deg is None:
        return None
    phase_angle_deg = np.asarray(phase_angle_deg, dtype=float)
    if phase_angle_deg.shape != np.shape(result.t):
        raise ValueError(
            f"phase_angle_deg: shape {phase_angle_deg.shape} does not match the result's "
            f"{len(result.t)} samples; give one phase angle per sample of result.t"
        )
    return phase_angle_deg


def _title(result, what: str) -> str:
    return f"{result.flight}, {result.scheme} scheme: {what}"


def _utc(result, seconds):
    """UTC datetime(s) of seconds since liftoff."""
    return at_seconds(result.epoch, seconds).utc_datetime()


def _index(result, t: float) -> int:
    """Index of the sample nearest to t (s since liftoff)."""
    return int(np.argmin(np.abs(result.t - t)))


def _major_burns(result):
    return [b for b in result.burns if b.dv_m_s >= _MAJOR_BURN_M_S]


def _phase_colour(result, name: str) -> str:
    if name in _PHASE_COLOURS:
        return _PHASE_COLOURS[name]
    others = [p.name for p in result.phases if p.name not in _PHASE_COLOURS]
    return _SPARE_COLOURS[others.index(name) % len(_SPARE_COLOURS)] if name in others else "k"


def _phase_at(result, t: float) -> str:
    for p in result.phases:
        if p.t_start <= t <= p.t_end:
            return p.name
    return ""


def _phase_slices(result, i0: int = 0, i1: int | None = None):
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


def _range(result) -> np.ndarray:
    return np.linalg.norm(result.relative[:3], axis=0)


def _closing_rate(result) -> np.ndarray:
    """-d(range)/dt = -(r . v)/|r| from the LVLH relative state, m/s (positive when closing)."""
    r, v = result.relative[:3], result.relative[3:]
    rng = np.linalg.norm(r, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return -np.einsum("in,in->n", r, v) / rng


def _last_within(values: np.ndarray, limit: float) -> int:
    """First index of the final run of samples with values <= limit (0 when every sample is
    within; the last index when the last sample is not)."""
    outside = np.flatnonzero(values > limit)
    return min(int(outside[-1]) + 1, len(values) - 1) if outside.size else 0


def _wrap_lon(lon_deg, lat_deg):
    """Break a track where it crosses the dateline (NaN between the two sides)."""
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    return np.insert(lon, jumps, np.nan), np.insert(lat, jumps, np.nan)


def _utc_axis(ax, result):
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=_UTC))
    day = _utc(result, 0.0).strftime("%Y-%m-%d")
    ax.set_xlabel(f"time (UTC, {day})")


@lru_cache(maxsize=1)
def coastlines() -> list[np.ndarray]:
    """Natural Earth 1:110m coastlines (public domain) as a list of (2, m) lon/lat arrays, deg."""
    with resources.files("rendezvous").joinpath("data/coastlines_110m.npz").open("rb") as f:
        data = np.load(f)
        lonlat, starts = data["lonlat"].astype(float), data["starts"]
    lonlat.setflags(write=False)  # cached and shared: read-only
    return [lonlat[:, a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]


# ----------------------------------------------------------------------------------------- figures


def overview_figure(result) -> Figure:
    """3D inertial view (GCRS, km): Earth, the station's path, the ship's path by phase, burns."""
    fig = Figure(figsize=(11.0, 8.0), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    re_km = R_EARTH / 1e3  # drawing radius only
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 25), np.linspace(0, np.pi, 13))
    ax.plot_wireframe(
        re_km * np.cos(u) * np.sin(v),
        re_km * np.sin(u) * np.sin(v),
        re_km * np.cos(v),
        color="0.82",
        linewidth=0.4,
        label="Earth (equatorial radius)",
    )
    st = result.station[:3] / 1e3
    sh = result.ship[:3] / 1e3
    ax.plot(*st, color="0.3", linewidth=4.0, alpha=0.35, label="station, liftoff to contact")
    for name, idx in _phase_slices(result):
        ax.plot(
            *sh[:, idx], color=_phase_colour(result, name), linewidth=1.4, label=f"ship: {name}"
        )
    if _major_burns(result):
        ib = [_index(result, b.t) for b in _major_burns(result)]
        ax.scatter(
            *sh[:, ib],
            marker="^",
            s=40,
            color="k",
            depthshade=False,
            label=f"burns (>= {_MAJOR_BURN_M_S:g} m/s)",
        )
    for i, marker, label in (
        (0, "*", "liftoff"),
        (_index(result, result.t_insertion), "o", "insertion"),
        (len(result.t) - 1, "X", "contact"),
    ):
        ax.scatter(*sh[:, i], marker=marker, s=90, color="crimson", depthshade=False, label=label)
    lim = 1.05 * max(np.abs(st).max(), np.abs(sh).max(), re_km)
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(-lim, lim)
    ax.set_box_aspect((1, 1, 1))
    # Look at the station's orbit plane obliquely from 22 deg above the equator, 35 deg off the
    # azimuth of its normal: a viewing choice read off the states, not an orbit computation.
    normal = np.cross(result.station[:3, 0], result.station[3:, 0])
    ax.view_init(elev=22.0, azim=float(np.degrees(np.arctan2(normal[1], normal[0]))) - 35.0)
    ax.set_xlabel("x GCRS (km)", labelpad=10)
    ax.set_ylabel("y GCRS (km)", labelpad=10)
    ax.set_zlabel("z GCRS (km)", labelpad=10)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right center", fontsize=9)
    ax.set_title(_title(result, "flight in the inertial frame (GCRS)"))
    return fig


def ground_track_figure(result, tracks: GroundTracks | None = None) -> Figure:
    """Both vehicles' ground tracks and the launch site on a world map (equirectangular, deg)."""
    tracks = _tracks(result, tracks)
    fig = Figure(figsize=(12.0, 6.8), layout="constrained")
    ax = fig.add_subplot()
    coast = LineCollection(
        [line.T for line in coastlines()], colors="0.55", linewidths=0.6, label="coastlines"
    )
    coast.set_gid("coastlines")
    ax.add_collection(coast)
    ax.plot(
        *_wrap_lon(tracks.station_lon_deg, tracks.station_lat_deg),
        color="0.3",
        linewidth=4.0,
        alpha=0.35,
        label="station",
    )
    ax.plot(
        *_wrap_lon(tracks.ship_lon_deg, tracks.ship_lat_deg),
        color="tab:red",
        linewidth=1.3,
        label="ship",
    )
    if _major_burns(result):
        ib = [_index(result, b.t) for b in _major_burns(result)]
        ax.plot(
            tracks.ship_lon_deg[ib],
            tracks.ship_lat_deg[ib],
            "^",
            color="k",
            ms=6,
            label=f"burns (>= {_MAJOR_BURN_M_S:g} m/s)",
        )
    i_ins = _index(result, result.t_insertion)
    ax.plot(
        tracks.ship_lon_deg[i_ins],
        tracks.ship_lat_deg[i_ins],
        "o",
        color="crimson",
        ms=8,
        label="insertion",
    )
    ax.plot(
        tracks.ship_lon_deg[-1],
        tracks.ship_lat_deg[-1],
        "X",
        color="crimson",
        ms=10,
        label="contact",
    )
    ax.plot(
        result.site_lon_deg,
        result.site_lat_deg,
        "*",
        color="gold",
        mec="k",
        ms=16,
        label=f"launch site: {result.site_name}",
    )
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.grid(color="0.85", linewidth=0.5)
    ax.set_xlabel("longitude (deg east)")
    ax.set_ylabel("latitude (deg north)")
    t0, t1 = _utc(result, 0.0), _utc(result, result.t[-1])
    ax.set_title(
        _title(result, f"ground tracks {t0:%H:%M} to {t1:%H:%M} UTC ({t0:%Y-%m-%d})")
        + "\ncoastlines: Natural Earth 1:110m (public domain)",
        fontsize=11,
    )
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return fig


def _draw_relative(ax, result, i0, scale, *, label_box=None, legend=False):
    """Ship path from sample i0 in the x-z plane, coloured by phase; burns as triangles (small
    ones for burns under the major-burn threshold).

    Burns inside ``label_box`` (x0, x1, z0, z1 in plot units) are labelled; a chain of burns each
    closer than 4 % of the box's width to the one before shares one label at its first burn,
    with runs of one phase counted ("final approach: 31 burns").
    """
    rel = result.relative[:3] / scale
    for name, idx in _phase_slices(result, i0):
        ax.plot(
            rel[0, idx], rel[2, idx], color=_phase_colour(result, name), linewidth=1.4, label=name
        )
    burns = [b for b in result.burns if b.t >= result.t[i0]]
    points = np.array([(rel[0, i], rel[2, i]) for i in (_index(result, b.t) for b in burns)])
    major = np.array([b.dv_m_s >= _MAJOR_BURN_M_S for b in burns], dtype=bool)
    if major.any():
        ax.plot(
            *points[major].T,
            "^",
            color="k",
            ms=6,
            zorder=4,
            label=f"burns (>= {_MAJOR_BURN_M_S:g} m/s)",
        )
    if (~major).any():
        ax.plot(
            *points[~major].T,
            "^",
            color="k",
            ms=3,
            zorder=4,
            label=f"burns (< {_MAJOR_BURN_M_S:g} m/s)",
        )
    if label_box is not None and burns:
        x0, x1, z0, z1 = label_box
        inside = [
            (b, x, z)
            for b, (x, z) in zip(burns, points, strict=True)
            if x0 <= x <= x1 and z0 <= z <= z1
        ]
        near = 0.04 * (x1 - x0)
        clusters: list[list] = []  # chains of burns each within `near` of the one before
        for b, x, z in inside:
            if clusters and np.hypot(x - clusters[-1][-1][1], z - clusters[-1][-1][2]) < near:
                clusters[-1].append((b, x, z))
            else:
                clusters.append([(b, x, z)])
        for k, cluster in enumerate(clusters):
            runs: list[list] = []  # [first burn, count] per phase within the cluster
            for b, _, _ in cluster:
                if runs and runs[-1][0].phase == b.phase:
                    runs[-1][1] += 1
                else:
                    runs.append([b, 1])
            label = " / ".join(b.label if n == 1 else f"{b.phase}: {n} burns" for b, n in runs)
            _, x, z = cluster[0]
            right_half = x > 0.5 * (x0 + x1)
            text = ax.annotate(
                label,
                (x, z),
                xytext=(-5 if right_half else 5, -11 if k % 2 else 4),
                textcoords="offset points",
                ha="right" if right_half else "left",
                fontsize=7.5,
                clip_on=True,
            )
            text.set_in_layout(False)
    ax.plot(0.0, 0.0, "s", color="k", ms=7, label="station (centre of mass)")
    ax.grid(color="0.88", linewidth=0.5)
    if legend:
        ax.legend(fontsize=7.5, loc="best")


def _padded_box(x, z, pad=0.08):
    x0, x1, z0, z1 = np.nanmin(x), np.nanmax(x), np.nanmin(z), np.nanmax(z)
    dx, dz = max(x1 - x0, 1e-9), max(z1 - z0, 1e-9)
    return x0 - pad * dx, x1 + pad * dx, z0 - pad * dz, z1 + pad * dz


def _fill_aspect(box, height_over_width):
    """Widen the shorter side of a box about its centre so that it fills a panel of that shape."""
    x0, x1, z0, z1 = box
    dx, dz = x1 - x0, z1 - z0
    if dz < height_over_width * dx:
        grow = 0.5 * (height_over_width * dx - dz)
        return x0, x1, z0 - grow, z1 + grow
    grow = 0.5 * (dz / height_over_width - dx)
    return x0 - grow, x1 + grow, z0, z1


def lvlh_figure(result, *, near_km: float = 5.0, close_m: float = 300.0) -> Figure:
    """Relative motion in the station's LVLH frame (x along-track right, Earth down).

    Top: insertion to contact (km). Bottom left: from the last time the range fell below
    ``near_km`` km (km, equal scales). Bottom right: ``close_m`` m around the station (m, equal
    scales) with the keep-out sphere, the approach cone on the port axis, the port and the hold
    points. The out-of-plane y is not drawn.
    """
    fig = Figure(figsize=(12.0, 10.0), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(1.0, 1.15))
    top = fig.add_subplot(grid[0, :])
    near = fig.add_subplot(grid[1, 0])
    close = fig.add_subplot(grid[1, 1])
    rng = _range(result)
    rel_km = result.relative[:3] / 1e3
    i_ins = _index(result, result.t_insertion)
    i_near = max(_last_within(rng, near_km * 1e3), i_ins)

    box = _padded_box(rel_km[0, i_ins:], rel_km[2, i_ins:])
    far_only = (box[0], box[1], box[2], box[3])
    _draw_relative(top, result, i_ins, 1e3, legend=True, label_box=far_only)
    top.set_xlim(box[0], box[1])
    top.set_ylim(box[3], box[2])  # z toward Earth drawn downwards
    top.set_xlabel("x along-track, V-bar (km)")
    top.set_ylabel("z radial, toward Earth (km)")
    top.set_title("insertion to contact", fontsize=10)
    # Label in the top panel only the burns that the lower panels do not show.
    for text in list(top.texts):
        x, z = text.xy
        if np.hypot(x, z) <= near_km:
            text.remove()

    box = _fill_aspect(_padded_box(rel_km[0, i_near:], rel_km[2, i_near:]), 0.85)
    _draw_relative(near, result, i_near, 1e3, label_box=box)
    for text in list(near.texts):
        x, z = text.xy
        if np.hypot(x, z) * 1e3 <= close_m:
            text.remove()
    near.set_xlim(box[0], box[1])
    near.set_ylim(box[3], box[2])
    near.set_aspect("equal", adjustable="box")
    near.set_xlabel("x along-track, V-bar (km)")
    near.set_ylabel("z radial, toward Earth (km)")
    near.set_title(f"from {near_km:g} km range to contact", fontsize=10)

    _draw_close_approach(close, result, i_near, close_m)
    close.set_title(f"within about {close_m:g} m of the station", fontsize=10)

    fig.suptitle(_title(result, "relative motion in the station's LVLH frame"))
    fig.text(0.5, 0.005, LVLH_CONVENTION, ha="center", va="bottom", fontsize=9, style="italic")
    fig.get_layout_engine().set(rect=(0, 0.025, 1, 0.975))
    return fig


def _cone_xz(result, length_m: float) -> np.ndarray:
    """(3, 2) triangle of the approach cone in the x-z plane: apex at the port, along its axis."""
    apex = np.asarray(result.port.position, dtype=float)[[0, 2]]
    axis = np.asarray(result.port.axis, dtype=float)[[0, 2]]
    axis = axis / np.linalg.norm(axis) if np.linalg.norm(axis) > 0 else np.array([0.0, 1.0])
    half = np.radians(result.approach_cone_half_angle_deg)
    c, s = np.cos(half), np.sin(half)
    left = np.array([[c, -s], [s, c]]) @ axis
    right = np.array([[c, s], [-s, c]]) @ axis
    return np.array([apex, apex + length_m * left / c, apex + length_m * right / c])


def _draw_close_approach(ax, result, i0, close_m):
    keepout = float(result.keepout_radius_m)
    marks = [np.asarray(result.port.position, dtype=float)]
    marks += [np.asarray(hp, dtype=float) for hp in result.hold_points]
    extent = max(close_m, 1.15 * keepout, *(1.15 * np.hypot(m[0], m[2]) for m in marks))
    ax.add_patch(
        Polygon(
            _cone_xz(result, 2.0 * extent),
            closed=True,
            facecolor="tab:green",
            alpha=0.12,
            edgecolor="tab:green",
            linestyle=":",
            label=f"approach cone ({result.approach_cone_half_angle_deg:g} deg half-angle)",
        )
    )
    circle = Circle(
        (0.0, 0.0),
        keepout,
        fill=False,
        edgecolor="tab:red",
        linestyle="--",
        linewidth=1.2,
        label=f"keep-out sphere ({keepout:g} m)",
    )
    circle.set_gid("keepout")
    ax.add_patch(circle)
    _draw_relative(ax, result, i0, 1.0, label_box=(-extent, extent, -extent, extent))
    port = marks[0]
    ax.plot(
        port[0], port[2], "D", color="tab:red", mec="k", ms=7, label=f"port: {result.port.name}"
    )
    for k, hp in enumerate(marks[1:]):
        ax.plot(
            hp[0],
            hp[2],
            "o",
            mfc="none",
            mec="k",
            ms=11,
            mew=1.5,
            label="hold points" if k == 0 else None,
        )
    ax.set_xlim(-extent, extent)
    ax.set_ylim(extent, -extent)  # z toward Earth drawn downwards
    ax.set_aspect("equal")
    ax.set_xlabel("x along-track, V-bar (m)")
    ax.set_ylabel("z radial, toward Earth (m)")
    ax.legend(fontsize=7, loc="upper left")


def range_figure(result, tracks: GroundTracks | None = None, phase_angle_deg=None) -> Figure:
    """Range (log), closing rate, altitudes and phase angle against UTC, phases shaded.

    ``phase_angle_deg``: (n,) angle from the ship to the station along the orbit, deg (positive
    when the station is ahead); defaults to ``result.phase_angle_deg`` where the result has it.
    """
    tracks = _tracks(result, tracks)
    phase = _phase_angle(result, phase_angle_deg)
    when = _utc(result, result.t)
    fig = Figure(figsize=(11.0, 10.0), layout="constrained")
    axes = fig.subplots(4, 1, sharex=True)
    rng = _range(result)
    axes[0].semilogy(when, rng / 1e3, color="k", label="range")
    axes[0].set_ylabel("range (km)")
    axes[1].plot(when, _closing_rate(result), color="k", label="closing rate")
    axes[1].set_yscale("symlog", linthresh=1.0)
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes[1].axhline(0.0, color="0.5", linewidth=0.6)
    axes[1].set_ylabel("closing rate (m/s)")
    axes[2].plot(when, tracks.ship_height_m / 1e3, color="tab:red", label="ship")
    axes[2].plot(when, tracks.station_height_m / 1e3, color="k", linestyle="--", label="station")
    axes[2].set_ylabel("altitude (km)")
    axes[2].legend(fontsize=8, loc="lower right")
    if phase is None:
        axes[3].text(
            0.5,
            0.5,
            "phase angle not in the result",
            ha="center",
            va="center",
            transform=axes[3].transAxes,
        )
    else:
        axes[3].plot(when, phase, color="k", label="phase angle")
        axes[3].axhline(0.0, color="0.5", linewidth=0.6)
    axes[3].set_ylabel("phase angle,\nstation ahead (deg)")
    handles = []
    for p in result.phases:
        colour = _phase_colour(result, p.name)
        span = (_utc(result, p.t_start), _utc(result, p.t_end))
        for ax in axes:
            ax.axvspan(*span, color=colour, alpha=0.13, linewidth=0)
        handles.append(Patch(color=colour, alpha=0.35, label=p.name))
    for ax in axes:
        ax.grid(color="0.88", linewidth=0.5)
        for b in _major_burns(result):
            ax.axvline(_utc(result, b.t), color="k", linewidth=0.5, linestyle=":")
    if result.burns:
        axes[0].plot(
            _utc(result, np.array([b.t for b in result.burns])),
            np.full(len(result.burns), 0.03),
            "|",
            color="k",
            ms=8,
            transform=axes[0].get_xaxis_transform(),
        )
    if result.real_docking is not None:
        real = _utc(result, seconds_between(result.epoch, result.real_docking))
        for ax in axes:
            ax.axvline(real, color="tab:blue", linestyle="--", linewidth=1.0)
        axes[0].annotate(
            f"real docking {real:%H:%M:%S}",
            (real, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -4),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color="tab:blue",
        )
    axes[0].legend(
        handles=handles,
        fontsize=8,
        ncol=min(len(handles), 7),
        loc="lower left",
        title=f"phases (shaded); dotted lines: burns >= {_MAJOR_BURN_M_S:g} m/s; ticks: all burns",
        title_fontsize=8,
    )
    _utc_axis(axes[-1], result)
    fig.suptitle(_title(result, "range, closing rate, altitude and phase angle"))
    return fig


def range_comparison_figure(results, *, title: str | None = None) -> Figure:
    """Range (log) against time since liftoff (log, h) for several flights on one axis.

    results: a mapping of label -> MissionResult (or an iterable of results, labelled by scheme).
    Each curve runs from insertion to contact; the label gives the launch-to-contact time.
    """
    items = list(results.items()) if hasattr(results, "items") else [(r.scheme, r) for r in results]
    if not items:
        raise ValueError("results: give at least one MissionResult to compare")
    fig = Figure(figsize=(10.0, 5.5), layout="constrained")
    ax = fig.subplots()
    for name, r in items:
        after = r.t >= r.t_insertion
        ax.loglog(
            r.t[after] / 3600.0,
            _range(r)[after] / 1e3,
            label=f"{name}: contact after {r.t_contact / 3600.0:.1f} h",
        )
    ax.set_xlabel("time since liftoff (h)")
    ax.set_ylabel("range, ship to station (km)")
    first = items[0][1]
    ax.set_title(title or f"{first.flight}: rendezvous schemes compared (range from insertion)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


def _spread(values: np.ndarray, gap: float, lo: float, hi: float) -> np.ndarray:
    """Sorted label positions at least ``gap`` apart, as near their values as the range allows."""
    out = np.sort(np.asarray(values, dtype=float))
    for k in range(1, out.size):
        out[k] = max(out[k], out[k - 1] + gap)
    if out.size and out[-1] > hi:
        out[-1] = hi
        for k in range(out.size - 2, -1, -1):
            out[k] = min(out[k], out[k + 1] - gap)
    return np.maximum(out, lo) if out.size and out[0] < lo else out


def timeline_figure(result) -> Figure:
    """Time running down the page: the simulated flight's phases and events on the left, the
    real flight's published liftoff and docking on the right, on one UTC axis."""
    fig = Figure(figsize=(10.0, 9.0), layout="constrained")
    ax = fig.add_subplot()
    real = []
    real_launch = getattr(result, "real_launch", None)
    if real_launch is not None:
        real.append((seconds_between(result.epoch, real_launch), "liftoff"))
    t_docking = None
    if result.real_docking is not None:
        t_docking = seconds_between(result.epoch, result.real_docking)
        real.append((t_docking, "docking"))
    end = max([float(result.t[-1])] + [t for t, _ in real])
    lo, hi = -0.03 * end, 1.03 * end
    gap = 0.026 * (hi - lo)  # one label line of 8 pt on a 9 in figure, in seconds

    x_bar, x_sim, x_real = 0.6, 1.0, 3.2
    for p in result.phases:
        t0, t1 = _utc(result, p.t_start), _utc(result, p.t_end)
        ax.fill_betweenx(
            [t0, t1],
            x_bar,
            x_sim,
            color=_phase_colour(result, p.name),
            alpha=0.5,
            linewidth=0,
            label=p.name,
        )
    sim = [(e.t, e.label) for e in result.events if e.kind != "phase"]
    merged: list[tuple[float, str]] = []
    for t, label in sorted(sim):
        if merged and abs(t - merged[-1][0]) < 1.0:
            merged[-1] = (merged[-1][0], merged[-1][1] + " / " + label)
        else:
            merged.append((t, label))
    for column, events, marker, colour in (
        (x_sim, merged, "o", "k"),
        (x_real, real, "D", "tab:blue"),
    ):
        if not events:
            ax.text(column, _utc(result, 0.0), "no published times", fontsize=8, va="center")
            continue
        times = np.array([t for t, _ in events])
        spots = _spread(times, gap, lo, hi)
        ax.vlines(
            column,
            _utc(result, min(times)),
            _utc(result, max(times)),
            color="0.6",
            linewidth=1.0,
            zorder=0,
        )
        for (t, label), spot in zip(events, spots, strict=True):
            when = _utc(result, t)
            ax.plot(column, when, marker, color=colour, ms=5)
            ax.plot([column, column + 0.25], [when, _utc(result, spot)], color="0.5", lw=0.6)
            ax.text(
                column + 0.3,
                _utc(result, spot),
                f"{when:%H:%M:%S}  {label}",
                va="center",
                fontsize=8,
            )
    note = f"simulated contact {_utc(result, result.t_contact):%H:%M:%S} UTC"
    if t_docking is not None:
        delta = (result.t_contact - t_docking) / 60.0
        note += f"\n{abs(delta):.1f} min {'after' if delta >= 0 else 'before'} the real docking"
    ax.text(
        x_real,
        _utc(result, 0.55 * end),
        note,
        fontsize=9,
        va="center",
        bbox={"facecolor": "white", "edgecolor": "0.7"},
    )
    # Simulated contact and real docking as rules across the real column, to compare by eye.
    if t_docking is not None:
        ax.hlines(
            _utc(result, t_docking),
            x_real - 0.6,
            5.6,
            color="tab:blue",
            linestyle=":",
            linewidth=0.8,
        )
    ax.hlines(
        _utc(result, result.t_contact),
        x_real - 0.6,
        5.6,
        color="k",
        linestyle=":",
        linewidth=0.8,
    )
    ax.set_xlim(0.0, 5.6)
    ax.set_xticks([0.5 * (x_bar + x_sim), x_real], ["simulated", "real flight (published)"])
    ax.xaxis.tick_top()
    ax.set_ylim(_utc(result, hi), _utc(result, lo))  # time runs down the page
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=_UTC))
    ax.set_ylabel(f"time (UTC, {_utc(result, 0.0):%Y-%m-%d})")
    ax.grid(axis="y", color="0.9", linewidth=0.5)
    ax.legend(fontsize=8, loc="lower right", title="simulated phases", title_fontsize=8)
    ax.set_title(_title(result, "timeline, simulated and real"))
    return fig


# --------------------------------------------------------------------------------------- animation


def _animation_frames(result, n_frames: int, near_m: float = 3000.0) -> np.ndarray:
    """Sample indices: half the frames over the chase, half over the last ``near_m`` m of range."""
    i_ins = _index(result, result.t_insertion)
    i_near = max(_last_within(_range(result), near_m), i_ins)
    t = result.t
    n_chase = max(n_frames // 2, 1)
    times = np.concatenate(
        [
            np.linspace(t[i_ins], t[i_near], n_chase, endpoint=False),
            np.linspace(t[i_near], t[-1], max(n_frames - n_chase, 1)),
        ]
    )
    return np.unique(np.clip(np.searchsorted(t, times), i_ins, len(t) - 1))


def write_animation(result, path, *, n_frames: int = 80, dpi: int = 80, fps: int = 8) -> Path:
    """Write the chase and final approach in LVLH (x-z, zooming on the station) as GIF or MP4.

    ``path`` ending in ``.mp4`` is written by matplotlib's FFMpegWriter (ValueError when ffmpeg
    is not on PATH); anything else as a GIF by Pillow, each frame rendered by Agg and reduced to
    a fast 64-colour palette (the generic PillowWriter's adaptive palette costs 50 ms a frame).
    ``n_frames``: number of frames (at most; duplicate samples are dropped); ``fps``: frames/s.
    """
    path = Path(path)
    if n_frames < 2:
        raise ValueError(f"n_frames: {n_frames} is too few; give at least 2")
    mp4 = path.suffix.lower() == ".mp4"
    if mp4 and shutil.which("ffmpeg") is None:
        raise ValueError(f"path: {path.name} needs ffmpeg on PATH; write a .gif instead")
    frames = _animation_frames(result, n_frames)
    rel = result.relative[:3] / 1e3
    rng = _range(result)
    closing = _closing_rate(result)
    i_ins = frames[0]

    fig = Figure(figsize=(6.0, 5.4), dpi=dpi)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.1, top=0.93)  # fixed: no per-frame layout
    ax = fig.add_subplot()
    ax.add_patch(
        Circle(
            (0, 0),
            result.keepout_radius_m / 1e3,
            fill=False,
            edgecolor="tab:red",
            linestyle="--",
            linewidth=1.0,
            label="keep-out sphere",
        )
    )
    cone = ax.add_patch(
        Polygon(
            _cone_xz(result, 3e3) / 1e3,
            closed=True,
            facecolor="tab:green",
            alpha=0.12,
            edgecolor="none",
            label="approach cone",
        )
    )
    ax.plot(0, 0, "s", color="k", ms=6, label="station")
    (trail,) = ax.plot([], [], color="tab:blue", linewidth=1.2)
    (ship,) = ax.plot([], [], "o", color="tab:red", ms=6, label="ship")
    clock = ax.text(
        0.02,
        0.98,
        "",
        transform=ax.transAxes,
        va="top",
        fontsize=9,
        family="monospace",
        bbox={"facecolor": "white", "alpha": 0.85},
    )
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel("x along-track, V-bar (km)")
    ax.set_ylabel("z toward Earth (km)")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(color="0.88", linewidth=0.5)
    ax.set_title(_title(result, "approach in LVLH"), fontsize=9)
    when = _utc(result, result.t[frames])

    def draw(k, i):
        trail.set_data(rel[0, i_ins : i + 1], rel[2, i_ins : i + 1])
        ship.set_data([rel[0, i]], [rel[2, i]])
        half = max(1.3 * float(np.hypot(rel[0, i], rel[2, i])), 0.35)
        cone.set_visible(half < 2.5)  # the cone only means something close in
        ax.set_xlim(-half, half)
        ax.set_ylim(half, -half)
        clock.set_text(
            f"{when[k]:%Y-%m-%d %H:%M:%S} UTC\n"
            f"range   {rng[i] / 1e3:9.3f} km\n"
            f"closing {closing[i]:9.2f} m/s\n"
            f"phase   {_phase_at(result, result.t[i])}"
        )

    if mp4:
        writer = mpl_animation.FFMpegWriter(fps=fps)
        with writer.saving(fig, str(path), dpi):
            for k, i in enumerate(frames):
                draw(k, i)
                writer.grab_frame()
        return path

    from PIL import Image  # Pillow is a dependency of matplotlib

    canvas = FigureCanvasAgg(fig)
    images = []
    for k, i in enumerate(frames):
        draw(k, i)
        canvas.draw()
        rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
        images.append(rgb.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = 2000  # rest on contact before the loop starts again
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return path


# ------------------------------------------------------------------------------------------- edges


def _figures(result, tracks, phase_angle_deg):
    tracks = _tracks(result, tracks)
    return {
        "overview.png": lambda: overview_figure(result),
        "ground_track.png": lambda: ground_track_figure(result, tracks),
        "lvlh.png": lambda: lvlh_figure(result),
        "range.png": lambda: range_figure(result, tracks, phase_angle_deg),
        "timeline.png": lambda: timeline_figure(result),
    }


def write_figures(
    result,
    out_dir,
    *,
    tracks: GroundTracks | None = None,
    phase_angle_deg=None,
    animation: bool = True,
    n_frames: int = 80,
) -> list[Path]:
    """Write every figure of ``result`` into ``out_dir`` (created if needed); return the paths.

    PNG names are :data:`FIGURE_NAMES`; with ``animation``, also ``approach.gif`` (``n_frames``
    frames) and ``approach.mp4`` when ffmpeg is on PATH.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in _figures(result, tracks, phase_angle_deg).items():
        fig = make()
        fig.savefig(out / name, dpi=_DPI)
        fig.clear()
        paths.append(out / name)
    if animation:
        paths.append(write_animation(result, out / "approach.gif", n_frames=n_frames))
        if shutil.which("ffmpeg") is not None:
            paths.append(write_animation(result, out / "approach.mp4", n_frames=n_frames))
    return paths


def show(result, *, tracks: GroundTracks | None = None, phase_angle_deg=None) -> None:
    """Show the still figures in pyplot windows (interactive use; needs a GUI backend)."""
    import matplotlib.pyplot as plt

    for make in _figures(result, tracks, phase_angle_deg).values():
        plt.figure(make())  # adopts the Figure into pyplot (matplotlib >= 3.10)
    plt.show()


# ------------------------------------------------------------------------------------------------
# Monte Carlo dispersions (``dispersions.DispersionResult``): histograms of the miss, Delta-v and
# docking delay, and the far-range trajectories of the samples in the station's LVLH frame around
# the nominal one. Drawing only: every number comes from the result.


def _dispersion_figure(w, h):
    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def dispersion_histograms_figure(res) -> Figure:
    """Six histograms: miss position and velocity at the approach start, far-range and total
    Delta-v, the re-targeting correction (with the reserve) and the docking delay."""
    fig = _dispersion_figure(11, 6.5)
    axes = fig.subplots(2, 3)
    miss_r = np.linalg.norm(res.miss_r, axis=0)
    miss_v = np.linalg.norm(res.miss_v, axis=0)
    panels = [
        (miss_r / 1e3, "miss at approach start, position (km)"),
        (miss_v, "miss at approach start, velocity (m/s)"),
        (res.dv_far, "far-range Delta-v, 4 burns (m/s)"),
        (res.dv_correction, "re-targeting correction (m/s)"),
        (res.dv_total, "total Delta-v incl. proximity (m/s)"),
        ((res.t_docking - res.nominal_t_docking) / 60.0, "docking - nominal (min)"),
    ]
    bins = int(np.clip(np.sqrt(res.n), 10, 80))
    for ax, (x, label) in zip(axes.ravel(), panels, strict=True):
        ax.hist(x, bins=bins, color="tab:blue", alpha=0.8)
        ax.axvline(np.median(x), color="k", lw=1, label="median")
        ax.set_xlabel(label)
        ax.set_ylabel("samples")
    corr = axes.ravel()[3]
    corr.axvline(res.model.dv_reserve_m_s, color="tab:red", lw=1.2, label="reserve")
    corr.legend(fontsize=8)
    nom = res.nominal
    fig.suptitle(
        f"{nom.flight} ({nom.scheme}): {res.n} samples, seed {res.seed}; "
        f"{int(np.sum(res.fallback))} above the reserve"
    )
    return fig


def dispersion_lvlh_figure(res, max_lines: int = 400) -> Figure:
    """The far-range trajectories (first ``max_lines`` samples) in the station's LVLH x-z plane,
    the nominal in black, and the approach start point; a close-up of the arrival on the right."""
    fig = _dispersion_figure(12, 5.5)
    ax, ax2 = fig.subplots(1, 2, width_ratios=[2, 1])
    k = min(res.n, max_lines)
    x = res.traj[0, :k, :].T / 1e3
    z = res.traj[2, :k, :].T / 1e3
    for a in (ax, ax2):
        a.plot(x, z, color="tab:blue", lw=0.4, alpha=0.25)
        a.plot(
            res.nominal_traj[0] / 1e3, res.nominal_traj[2] / 1e3, color="k", lw=1.5, label="nominal"
        )
        a.plot(
            [res.nominal.as_rel[0] / 1e3], [0.0], "o", color="tab:red", ms=5, label="approach start"
        )
        a.plot([0.0], [0.0], "s", color="tab:green", ms=5, label="station")
        a.invert_yaxis()  # z towards Earth: Earth at the bottom
        a.set_xlabel("x, along-track V-bar (km)")
        a.set_ylabel("z, towards Earth (km)")
    end_x = res.traj[0, :k, -1] / 1e3
    end_z = res.traj[2, :k, -1] / 1e3
    ax2.plot(end_x, end_z, ".", color="tab:orange", ms=2, label="arrivals")
    cx, span = res.nominal.as_rel[0] / 1e3, max(2.0, 3.0 * float(np.std(end_x)) if k > 1 else 2.0)
    ax2.set_xlim(cx - span, cx + span)
    ax2.set_ylim(span, -span)
    ax2.set_title("arrival at the approach start")
    ax.set_title(f"{res.nominal.flight}: far range of {k} of {res.n} samples, station LVLH")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def write_dispersion_figures(res, out_dir) -> list[Path]:
    """Write ``dispersion_histograms.png`` and ``dispersion_lvlh.png`` into ``out_dir`` (each to a
    temporary name first, then renamed: no partial files)."""
    out = Path(out_dir)
    paths = []
    for name, make in (
        ("dispersion_histograms.png", dispersion_histograms_figure),
        ("dispersion_lvlh.png", dispersion_lvlh_figure),
    ):
        fig = make(res)
        tmp = out / f".{name}.tmp.png"
        try:
            fig.savefig(tmp, dpi=_DPI)
            tmp.replace(out / name)
        finally:
            tmp.unlink(missing_ok=True)
        paths.append(out / name)
    return paths
