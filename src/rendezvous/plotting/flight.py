"""Whole-flight figures: the 3D inertial overview, the ground track with day and night, and the
range/rate/height/phase-angle panels with sunlight and the Earth's shadow.

Drawing only: the Sun and the shadow come from :mod:`rendezvous.sun`, range rates from
:mod:`rendezvous.frames`, heights above the WGS-84 ellipsoid and the phase angle from the result.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .. import frames, samples, sun
from ..constants import R_EARTH
from ..times import at_seconds
from . import _style as S

__all__ = ["overview_figure", "ground_track_figure", "range_figure", "range_comparison_figure"]

_KEY = {  # liftoff, insertion, contact: one marker and colour each, the same in every view
    "liftoff": ("*", "gold", 15),
    "insertion": ("o", "tab:cyan", 9),
    "contact": ("X", "crimson", 11),
}


def _key_points(result) -> list[tuple[int, str]]:
    return [
        (0, "liftoff"),
        (S.index(result, result.t_insertion), "insertion"),
        (len(result.t) - 1, "contact"),
    ]


def _faded(values: np.ndarray, solid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two copies of a (k, n) array: solid samples only, and faded samples only (NaN elsewhere),
    each keeping one sample of overlap so that the line stays joined."""
    keep = solid | np.r_[solid[1:], False] | np.r_[False, solid[:-1]]
    fade = ~solid | np.r_[~solid[1:], False] | np.r_[False, ~solid[:-1]]
    return np.where(keep, values, np.nan), np.where(fade, values, np.nan)


def _camera(result) -> tuple[float, float, np.ndarray]:
    """Elevation, azimuth (deg) and unit vector of the viewpoint: 25 deg off the station's orbit
    normal at contact, so that the orbit is seen open, not edge-on (a viewing choice)."""
    normal = np.cross(result.station[:3, -1], result.station[3:, -1])
    normal = normal / np.linalg.norm(normal)
    elev = float(np.degrees(np.arcsin(normal[2]))) - 25.0
    azim = float(np.degrees(np.arctan2(normal[1], normal[0])))
    e, a = np.radians(elev), np.radians(azim)
    return elev, azim, np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])


def _hidden(points_km: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """(n,) bool: points behind the Earth's disc as seen from far along ``cam`` (drawing only)."""
    along = cam @ points_km
    across = np.linalg.norm(points_km - np.outer(cam, along), axis=0)
    return (along < 0.0) & (across < R_EARTH / 1e3)


def _earth_3d(ax, result, cam: np.ndarray) -> None:
    """The Earth as a shaded sphere with the coastlines of the visible side at contact."""
    re_km = R_EARTH / 1e3  # drawing radius only
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 49), np.linspace(0, np.pi, 25))
    ax.plot_surface(re_km * np.cos(u) * np.sin(v), re_km * np.sin(u) * np.sin(v),
                    re_km * np.cos(v), color="lightsteelblue", alpha=0.45, linewidth=0,
                    shade=True)  # fmt: skip
    rot = frames.gcrs_to_itrs(at_seconds(result.epoch, float(result.t[-1]))).T
    for line in S.coastlines():
        lon, lat = np.radians(line)
        xyz = rot @ (re_km * np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                       np.sin(lat)]))  # fmt: skip
        ax.plot(*np.where(cam @ xyz > 0.0, xyz, np.nan), color="0.4", linewidth=0.5)
    ax.plot([], [], color="0.4", linewidth=0.8, label="Earth, coastlines at contact")


def overview_figure(result) -> Figure:
    """3D inertial view (GCRS, km): Earth, both paths (behind the Earth and, on long flights, the
    middle revolutions faded), liftoff, insertion and contact, burns."""
    fig = Figure(figsize=(11.0, 9.5), layout="constrained")
    ax = fig.add_subplot(projection="3d", computed_zorder=False)
    elev, azim, cam = _camera(result)
    _earth_3d(ax, result, cam)
    st, sh = result.station[:3] / 1e3, result.ship[:3] / 1e3
    solid, recent = S.solid_mask(result), samples.station_mask(result)
    bright, faint = _faded(np.where(recent, st, np.nan), ~_hidden(st, cam))
    ax.plot(*bright, color="0.2", lw=3.0, alpha=0.4, label="station")
    ax.plot(*faint, color="0.2", lw=1.5, alpha=0.15)
    shown = solid & ~_hidden(sh, cam)
    for name, idx in S.phase_slices(result):
        colour = S.phase_colour(result, name)
        bright, faint = _faded(sh[:, idx], shown[idx])
        ax.plot(*bright, color=colour, linewidth=1.6, label=f"ship: {name}")
        ax.plot(*faint, color=colour, linewidth=0.6, alpha=0.3, label=f"_ship faded: {name}")
    faded = "faded: behind the Earth" + ("" if solid.all() else ", middle revolutions")
    ax.plot([], [], color="0.5", lw=0.6, alpha=0.5, label=faded)
    if S.major_burns(result):
        ib = [S.index(result, b.t) for b in S.major_burns(result)]
        ax.scatter(*sh[:, ib], marker="^", s=45, color="k", depthshade=False,
                   label=f"burns (>= {S.MAJOR_BURN_M_S:g} m/s)")  # fmt: skip
    for i, key in _key_points(result):
        marker, colour, size = _KEY[key]
        when = S.clock(result, S.utc(result, result.t[i]))
        ax.scatter(*sh[:, i], marker=marker, s=size**2, color=colour, edgecolor="k",
                   depthshade=False, label=f"{key} {when}")  # fmt: skip
    lim = 1.05 * max(np.abs(st).max(), np.abs(sh).max(), R_EARTH / 1e3)
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(-lim, lim)
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel("x GCRS (km)", labelpad=10)
    ax.set_ylabel("y GCRS (km)", labelpad=10)
    ax.set_zlabel("z GCRS (km)", labelpad=10)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=9)
    note = "" if solid.all() else "; station: last revolution"
    ax.set_title(S.title(result, f"flight in the inertial frame (GCRS){note}"))
    return fig


def _night(ax, result, t_s: float, *, shade: bool, style: str) -> None:
    """Night side (Sun below the geocentric horizon) at t_s: shaded, or its edge as a line."""
    lon, lat = np.meshgrid(np.linspace(-180, 180, 361), np.linspace(-90, 90, 181))
    elev = sun.sun_elevation(lat, lon, at_seconds(result.epoch, t_s))
    if shade:
        ax.contourf(lon, lat, elev, levels=[-90.0, 0.0], colors=["0.15"], alpha=0.18, zorder=0)
    ax.contour(lon, lat, elev, levels=[0.0], colors=["0.35"], linewidths=0.9,
               linestyles=[style], zorder=1)  # fmt: skip


def ground_track_figure(result, tracks: S.GroundTracks | None = None) -> Figure:
    """Both ground tracks, the launch site, burns, night at contact (shaded) and the terminator
    at liftoff (dashed) on a world map (equirectangular, deg)."""
    tracks = S.tracks_of(result, tracks)
    fig = Figure(figsize=(12.0, 7.6), layout="constrained")
    ax = fig.add_subplot()
    _night(ax, result, float(result.t[-1]), shade=True, style="solid")
    if result.t[-1] > 600.0:
        _night(ax, result, 0.0, shade=False, style="dashed")
    coast = LineCollection([ln.T for ln in S.coastlines()], colors="0.5", linewidths=0.6)
    coast.set_gid("coastlines")
    ax.add_collection(coast)
    solid, recent = S.solid_mask(result), samples.station_mask(result)
    st = np.where(recent, tracks.station_lat_deg, np.nan)
    ax.plot(*S.wrap_lon(tracks.station_lon_deg, st), color="0.25", lw=4.0, alpha=0.35,
            label="station" + (" (last revolution)" if not solid.all() else ""))  # fmt: skip
    lon, lat = S.wrap_lon(tracks.ship_lon_deg, tracks.ship_lat_deg)
    _, sol = S.wrap_lon(tracks.ship_lon_deg, np.where(solid, 1.0, np.nan))
    bright, faint = _faded(np.vstack([lon, lat]), np.isfinite(sol))
    ax.plot(*bright, color="tab:red", linewidth=1.4, label="ship")
    if not solid.all():
        ax.plot(*faint, color="tab:red", lw=0.5, alpha=0.3, label="ship, middle revolutions")
    if S.major_burns(result):
        ib = [S.index(result, b.t) for b in S.major_burns(result)]
        ax.plot(tracks.ship_lon_deg[ib], tracks.ship_lat_deg[ib], "^", color="k", ms=6,
                label=f"burns (>= {S.MAJOR_BURN_M_S:g} m/s)")  # fmt: skip
    for i, key in _key_points(result)[1:]:
        marker, colour, size = _KEY[key]
        ax.plot(tracks.ship_lon_deg[i], tracks.ship_lat_deg[i], marker, color=colour, mec="k",
                ms=size, label=key)  # fmt: skip
    ax.plot(result.site_lon_deg, result.site_lat_deg, "*", color="gold", mec="k", ms=16,
            label=f"launch site: {result.site_name}")  # fmt: skip
    ax.plot([], [], color="0.35", lw=0.9, label="terminator at contact (night shaded)")
    if result.t[-1] > 600.0:
        ax.plot([], [], color="0.35", lw=0.9, ls="--", label="terminator at liftoff")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.grid(color="0.85", linewidth=0.5)
    ax.set_xlabel("longitude (deg east)")
    ax.set_ylabel("latitude (deg north)")
    t0, t1 = S.utc(result, 0.0), S.utc(result, result.t[-1])
    span = (
        f"{t0:%Y-%m-%d %H:%M} to {t1:%Y-%m-%d %H:%M} UTC"
        if t0.date() != t1.date()
        else f"{t0:%H:%M} to {t1:%H:%M} UTC ({t0:%Y-%m-%d})"
    )
    ax.set_title(
        S.title(result, f"ground tracks {span}")
        + "\ncoastlines: Natural Earth 1:110m (public domain); night: Sun below the horizon",
        fontsize=11,
    )
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=8)
    return fig


# ---------------------------------------------------------------------------------- range figure


def _sunlight_strip(ax, result, when) -> None:
    """Two rows: the station and the ship in sunlight (gold) or the Earth's shadow (dark)."""
    t = at_seconds(result.epoch, result.t)
    for row, states in enumerate((result.station, result.ship)):
        dark = np.asarray(sun.in_shadow(states[:3], t), dtype=float)
        ax.fill_between(when, row, row + 0.9, where=dark < 0.5, color="gold", lw=0,
                        step="mid", label="sunlit" if row == 0 else None)  # fmt: skip
        ax.fill_between(when, row, row + 0.9, where=dark > 0.5, color="midnightblue", lw=0,
                        step="mid", label="Earth's shadow" if row == 0 else None)  # fmt: skip
    ax.set_yticks([0.45, 1.45], ["station", "ship"])
    ax.set_ylim(0, 1.9)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)


def _phase_panel(ax, result, when, phase) -> None:
    """The phase angle, continuous from its insertion value (:mod:`rendezvous.samples`)."""
    if phase is None:
        ax.text(0.5, 0.5, "phase angle not in the result", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    else:
        ax.plot(when, phase, color="k", label="phase angle")
        ax.axhline(0.0, color="0.5", linewidth=0.6)
        ins = samples.phase_angle_at_insertion(result)
        t_ins = S.utc(result, result.t_insertion)
        ax.plot(t_ins, ins, "o", color="k", ms=5)
        ax.text(0.99, 0.93, f"at insertion {ins:.2f} deg", transform=ax.transAxes, ha="right",
                va="top", fontsize=8, bbox={"fc": "white", "ec": "none", "alpha": 0.8})  # fmt: skip
    ax.set_ylabel("phase angle, station\nahead of ship (deg)")


def _real_docking_lines(axes, result) -> None:
    for k, (t, kind) in enumerate(S.published_dockings(result)):
        colour = "tab:blue" if kind == "actual" else "tab:cyan"
        word = "real docking" if kind == "actual" else "planned docking"
        real = S.utc(result, t)
        for ax in axes:
            ax.axvline(real, color=colour, linestyle="--", linewidth=1.0)
        axes[0].annotate(f"{word} {S.clock(result, real)}", (real, 1.0),
                         xycoords=("data", "axes fraction"), xytext=(-4, -4 - 14 * k),
                         textcoords="offset points", ha="right", va="top", fontsize=8,
                         color=colour, bbox={"fc": "white", "ec": "none"})  # fmt: skip


def range_figure(result, tracks: S.GroundTracks | None = None, phase_angle_deg=None) -> Figure:
    """Sunlight, range (log), range rate, heights above the WGS-84 ellipsoid and the phase angle
    against UTC, phases shaded, contact and the real docking marked.

    ``phase_angle_deg``: (n,) the station's angle ahead of the ship, deg, on any branch; defaults
    to ``result.phase_angle_deg``. Drawn continuous from its value at insertion, in [0, 360)
    (:func:`rendezvous.samples.phase_angle_series`), as the timeline and summary give it.
    """
    tracks = S.tracks_of(result, tracks)
    has_phase = phase_angle_deg is not None or result.phase_angle_deg is not None
    phase = samples.phase_angle_series(result, phase_angle_deg) if has_phase else None
    when = S.utc(result, result.t)
    fig = Figure(figsize=(12.0, 11.0), layout="constrained")
    axes = fig.subplots(5, 1, sharex=True, height_ratios=(0.35, 1.2, 1, 1, 1))
    strip, axes = axes[0], axes[1:]
    _sunlight_strip(strip, result, when)
    rng = S.range_m(result)
    axes[0].semilogy(when, rng / 1e3, color="k", label="range")
    axes[0].plot(when[-1], rng[-1] / 1e3, "X", color="crimson", mec="k", ms=10,
                 label=f"simulated contact {S.clock(result, when[-1])}")  # fmt: skip
    axes[0].set_ylabel("range, centre of mass\nto centre of mass (km)")
    rate = np.asarray(frames.range_rate(result.relative))
    axes[1].plot(when, rate, color="k", label="range rate")
    axes[1].set_yscale("symlog", linthresh=1.0)
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes[1].axhline(0.0, color="0.5", linewidth=0.6)
    axes[1].set_ylabel("range rate, centre to\ncentre (m/s, < 0 closing)")
    axes[1].annotate(
        f"contact: closing speed along the port axis {result.contact_speed_m_s:.3f} m/s",
        (when[-1], rate[-1]),
        xytext=(-6, 10),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="crimson",
        bbox={"fc": "white", "ec": "none", "alpha": 0.8},
    )
    axes[2].plot(when, tracks.ship_height_m / 1e3, color="tab:red", label="ship")
    axes[2].plot(when, tracks.station_height_m / 1e3, color="0.3", lw=1.0, label="station")
    axes[2].set_ylabel("height above the\nWGS-84 ellipsoid (km)")
    axes[2].set_title(
        f"instantaneous heights; insertion apsis heights (above the equatorial radius): "
        f"{result.insertion_perigee_km:.0f} x {result.insertion_apogee_km:.0f} km",
        fontsize=8,
        loc="left",
    )
    axes[2].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False)
    _phase_panel(axes[3], result, when, phase)
    handles = []
    for p in result.phases:
        colour = S.phase_colour(result, p.name)
        span = (S.utc(result, p.t_start), S.utc(result, p.t_end))
        for ax in axes:
            ax.axvspan(*span, color=colour, alpha=0.13, linewidth=0)
        handles.append(Patch(color=colour, alpha=0.35, label=p.name))
    for ax in axes:
        ax.grid(color="0.88", linewidth=0.5)
        for b in S.major_burns(result):
            ax.axvline(S.utc(result, b.t), color="k", linewidth=0.5, linestyle=":")
    if result.burns:
        axes[0].plot(S.utc(result, np.array([b.t for b in result.burns])),
                     np.full(len(result.burns), 0.03), "|", color="k", ms=8,
                     transform=axes[0].get_xaxis_transform())  # fmt: skip
    _real_docking_lines(axes, result)
    handles += axes[0].get_legend_handles_labels()[0][1:]
    axes[0].legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.005, 1.0),
                   title=f"phases (shaded)\ndotted: burns >= {S.MAJOR_BURN_M_S:g} m/s\n"
                   "ticks: all burns", title_fontsize=8, frameon=False)  # fmt: skip
    S.utc_axis(axes[-1], result)
    fig.suptitle(S.title(result, "sunlight, range, range rate, height and phase angle"))
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
            S.range_m(r)[after] / 1e3,
            label=f"{name}: contact after {r.t_contact / 3600.0:.1f} h",
        )
    ax.set_xlabel("time since liftoff (h)")
    ax.set_ylabel("range, ship to station (km)")
    first = items[0][1]
    ax.set_title(title or f"{first.flight}: rendezvous schemes compared (range from insertion)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best")
    return fig
