"""Relative motion in the station's frame: curvilinear at far range, rectilinear close in.

Panels of :func:`lvlh_figure`: insertion to contact in curvilinear coordinates (arc along the
station's orbit, radius difference; :func:`rendezvous.frames.curvilinear`), the cross-track motion
against time, the last few kilometres (curvilinear, equal scales, with the approach ellipsoid and
the keep-out sphere), and the last few hundred metres in rectilinear LVLH (where the two agree to
a centimetre) with a schematic station outline, the keep-out sphere, the approach cone, the port
and the hold points.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, Polygon, Rectangle

from . import _style as S

__all__ = ["lvlh_figure", "LVLH_CONVENTION", "APPROACH_ELLIPSOID_M", "cone_xz", "station_outline"]

LVLH_CONVENTION = (
    "LVLH: x along-track (V-bar), z toward Earth (R-bar down), y = -orbit normal; origin at the "
    "station's centre of mass, Earth at the bottom. km panels: curvilinear (x arc along the "
    "station's orbit, z = station radius - ship radius); m panel: rectilinear"
)

APPROACH_ELLIPSOID_M = (2000.0, 1000.0, 1000.0)
"""Semi-axes (x, y, z) of the ISS approach ellipsoid, m: 4 x 2 x 2 km about the centre of mass,
long axis along V-bar (W. Fehse, "Automated Rendezvous and Docking of Spacecraft", Cambridge 2003,
sec. 5.6; NASA ISS visiting-vehicle safety zones). A result may carry its own as
``approach_ellipsoid_m``."""

_STACK_X_M = (-46.0, 27.0)
"""Schematic station outline: the pressurised stack along x from Zvezda's aft port (x = -46 m in
the port table) for the station's 73 m of modules (NASA ISS facts), 4.2 m across."""


def _label_burns(ax, points, burns, box, *, column: bool, skip_within: float = 0.0) -> None:
    """Label the burns inside ``box`` (x0, x1, z0, z1, plot units). A chain of burns each closer
    than 4 % of the box's width to the one before shares one label, with runs of one phase counted
    ("final approach: 31 burns"). ``column``: the labels stand in a column right of the panel,
    spread so that they never overprint, with leader lines; else beside their burns. Burns within
    ``skip_within`` of the origin (plot units) are left to a closer panel."""
    x0, x1, z0, z1 = box
    inside = [(b, x, z) for b, (x, z) in zip(burns, points, strict=True)
              if x0 <= x <= x1 and z0 <= z <= z1 and np.hypot(x, z) > skip_within]  # fmt: skip
    clusters: list[list] = []
    for b, x, z in inside:
        if clusters and np.hypot(x - clusters[-1][-1][1], z - clusters[-1][-1][2]) < 0.04 * (
            x1 - x0
        ):
            clusters[-1].append((b, x, z))
        else:
            clusters.append([(b, x, z)])
    items = []
    for cluster in clusters:
        runs: list[list] = []  # [first burn, count] per phase within the cluster
        for b, _, _ in cluster:
            if runs and runs[-1][0].phase == b.phase:
                runs[-1][1] += 1
            else:
                runs.append([b, 1])
        label = " / ".join(b.label if n == 1 else f"{b.phase}: {n} burns" for b, n in runs)
        items.append((cluster[0][1], cluster[0][2], label))
    if not column:
        for k, (x, z, label) in enumerate(items):
            # centred above or below its burn, alternately, so that neighbours' labels stand on
            # opposite sides; near a side of the panel, aligned inwards
            edge = (x - x0) / (x1 - x0)
            ha = "left" if edge < 0.12 else "right" if edge > 0.88 else "center"
            below = bool(k % 2)
            ax.annotate(label, (x, z), xytext=(0, -8 if below else 7), textcoords="offset points",
                        ha=ha, va="top" if below else "bottom", fontsize=7.5,
                        clip_on=True).set_in_layout(False)  # fmt: skip
        return
    items.sort(key=lambda it: it[1])  # top of the panel (small z) first
    frac = np.array([(z - z0) / (z1 - z0) for _, z, _ in items])  # 0 at the top
    spots = _spread(frac, 0.06, 0.0, 1.0)
    for (x, z, label), spot in zip(items, spots, strict=True):
        ax.annotate(label, (x, z), xytext=(1.03, 1.0 - spot), textcoords="axes fraction",
                    va="center", fontsize=7.5, annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.6})  # fmt: skip


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


def _draw_path(ax, result, xz, i0, *, box=None, column=False, legend=False, skip_within=0.0):
    """Ship path ``xz`` ((2, n), plot units) from sample i0 coloured by phase; burns as triangles
    (small for burns under the major-burn threshold), labelled inside ``box``."""
    for name, idx in S.phase_slices(result, i0):
        ax.plot(xz[0, idx], xz[1, idx], color=S.phase_colour(result, name), lw=1.4, label=name)
    burns = [b for b in result.burns if b.t >= result.t[i0]]
    points = np.array([xz[:, S.index(result, b.t)] for b in burns]).reshape(-1, 2)
    major = np.array([b.dv_m_s >= S.MAJOR_BURN_M_S for b in burns], dtype=bool)
    for sel, size, word in ((major, 6, ">="), (~major, 3, "<")):
        if sel.any():
            ax.plot(*points[sel].T, "^", color="k", ms=size, zorder=4,
                    label=f"burns ({word} {S.MAJOR_BURN_M_S:g} m/s)")  # fmt: skip
    if box is not None and burns:
        _label_burns(ax, points, burns, box, column=column, skip_within=skip_within)
    ax.plot(0.0, 0.0, "s", color="k", ms=7, label="station (centre of mass)")
    ax.grid(color="0.88", linewidth=0.5)
    if legend:
        ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False)


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


def _zones(ax, result, scale: float) -> None:
    """The approach ellipsoid (x-z section) and the keep-out sphere, plot units of ``scale`` m."""
    ax_m = getattr(result, "approach_ellipsoid_m", None) or APPROACH_ELLIPSOID_M
    ellipse = Ellipse((0.0, 0.0), 2 * ax_m[0] / scale, 2 * ax_m[2] / scale, fill=False,
                      edgecolor="tab:orange", linestyle="-.", linewidth=1.1,
                      label=f"approach ellipsoid ({2 * ax_m[0] / 1e3:g} x {2 * ax_m[1] / 1e3:g}"
                      f" x {2 * ax_m[2] / 1e3:g} km)")  # fmt: skip
    ellipse.set_gid("approach_ellipsoid")
    ax.add_patch(ellipse)
    keepout = float(result.keepout_radius_m)
    circle = Circle((0.0, 0.0), keepout / scale, fill=False, edgecolor="tab:red", linestyle="--",
                    linewidth=1.2, label=f"keep-out sphere ({keepout:g} m)")  # fmt: skip
    circle.set_gid("keepout")
    ax.add_patch(circle)


def station_outline(result) -> list[tuple[float, float, float, float]]:
    """Schematic station in the x-z plane, m: rectangles (x, z, width, height) of the module stack
    and of the column of modules from it to the port (see :data:`_STACK_X_M`)."""
    port = np.asarray(result.port.position, dtype=float)
    rects = [(_STACK_X_M[0], -2.1, _STACK_X_M[1] - _STACK_X_M[0], 4.2)]
    if abs(port[2]) > 2.1:
        z_end = port[2]
        rects.append((port[0] - 1.5, min(0.0, z_end), 3.0, abs(z_end)))
    return rects


def cone_xz(result, length_m: float) -> np.ndarray:
    """(3, 2) triangle of the approach cone in the x-z plane: apex at the port, along its axis."""
    apex = np.asarray(result.port.position, dtype=float)[[0, 2]]
    axis = np.asarray(result.port.axis, dtype=float)[[0, 2]]
    axis = axis / np.linalg.norm(axis) if np.linalg.norm(axis) > 0 else np.array([0.0, 1.0])
    half = np.radians(result.approach_cone_half_angle_deg)
    c, s = np.cos(half), np.sin(half)
    left = np.array([[c, -s], [s, c]]) @ axis
    right = np.array([[c, s], [-s, c]]) @ axis
    return np.array([apex, apex + length_m * left / c, apex + length_m * right / c])


def _draw_close(ax, result, i0: int, close_m: float) -> None:
    keepout = float(result.keepout_radius_m)
    marks = [np.asarray(result.port.position, dtype=float)]
    marks += [np.asarray(hp, dtype=float) for hp in result.hold_points]
    extent = max(close_m, 1.15 * keepout, *(1.15 * np.hypot(m[0], m[2]) for m in marks))
    ax.add_patch(Polygon(cone_xz(result, 2.0 * extent), closed=True, facecolor="tab:green",
                         alpha=0.12, edgecolor="tab:green", linestyle=":",
                         label=f"approach cone ({result.approach_cone_half_angle_deg:g} deg "
                         "half-angle)"))  # fmt: skip
    for k, (x, z, w, h) in enumerate(station_outline(result)):
        rect = Rectangle((x, z), w, h, facecolor="0.75", edgecolor="0.35", lw=0.8, zorder=2,
                         label="station (schematic)" if k == 0 else None)  # fmt: skip
        rect.set_gid("station_outline")
        ax.add_patch(rect)
    _zones(ax, result, 1.0)
    rel = result.relative[[0, 2]]
    _draw_path(ax, result, rel, i0, box=(-extent, extent, -extent, extent), column=True)
    port = marks[0]
    ax.plot(port[0], port[2], "D", color="tab:red", mec="k", ms=7, zorder=5,
            label=f"port: {result.port.name}")  # fmt: skip
    for k, hp in enumerate(marks[1:]):
        ax.plot(hp[0], hp[2], "o", mfc="none", mec="k", ms=11, mew=1.5,
                label="hold points" if k == 0 else None)  # fmt: skip
    ax.set_xlim(-extent, extent)
    ax.set_ylim(extent, -extent)  # z toward Earth drawn downwards
    ax.set_aspect("equal")
    ax.set_xlabel("x along-track, V-bar (m)")
    ax.set_ylabel("z radial, toward Earth (m)")


def _draw_cross_track(ax, result, cv, i_ins: int) -> None:
    when = S.utc(result, result.t[i_ins:])
    for name, idx in S.phase_slices(result, i_ins):
        ax.plot(S.utc(result, result.t[idx]), cv[1, idx], color=S.phase_colour(result, name))
    ax.axhline(0.0, color="0.5", linewidth=0.6)
    ax.set_xlim(when[0], when[-1])
    ax.set_ylabel("y cross-track arc (km)")
    ax.grid(color="0.88", linewidth=0.5)
    S.utc_axis(ax, result)
    ax.set_title("cross-track motion (y, out of the station's orbit plane) from insertion",
                 fontsize=10)  # fmt: skip


def lvlh_figure(result, *, near_km: float = 5.0, close_m: float = 300.0) -> Figure:
    """Relative motion in the station's frame (x along-track right, Earth down); see the module
    docstring. ``near_km``: the near panel starts when the range last falls below it;
    ``close_m``: half-width of the rectilinear close-up, m."""
    fig = Figure(figsize=(13.0, 13.0), layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=(1.0, 0.45, 1.2))
    top = fig.add_subplot(grid[0, :])
    cross = fig.add_subplot(grid[1, :])
    near = fig.add_subplot(grid[2, 0])
    close = fig.add_subplot(grid[2, 1])
    cv = S.curvilinear_km(result)
    i_ins = S.index(result, result.t_insertion)
    i_near = max(S.last_within(S.range_m(result), near_km * 1e3), i_ins)
    xz = cv[[0, 2]]

    box = _padded_box(xz[0, i_ins:], xz[1, i_ins:])
    # labels only for the burns that the lower panels do not show
    _draw_path(top, result, xz, i_ins, legend=True, box=box, skip_within=near_km)
    top.set_xlim(box[0], box[1])
    top.set_ylim(box[3], box[2])  # z toward Earth drawn downwards
    top.set_xlabel("x along-track: arc along the station's orbit, V-bar (km)")
    top.set_ylabel("z: altitude difference (station\nradius - ship radius), toward Earth (km)")
    top.set_title("insertion to contact (curvilinear)", fontsize=10)
    _draw_cross_track(cross, result, cv, i_ins)

    box = _fill_aspect(_padded_box(xz[0, i_near:], xz[1, i_near:]), 0.85)
    _zones(near, result, 1e3)
    _draw_path(near, result, xz, i_near, box=box, column=True, skip_within=close_m / 1e3)
    near.set_xlim(box[0], box[1])
    near.set_ylim(box[3], box[2])
    near.set_aspect("equal", adjustable="box")
    near.set_xlabel("x along-track, V-bar (km)")
    near.set_ylabel("z: altitude difference,\ntoward Earth (km)")
    near.set_title(f"from {near_km:g} km range to contact (curvilinear)", fontsize=10)
    near.legend(handles=list(near.patches), fontsize=7, loc="upper center",
                bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False)  # fmt: skip
    _draw_close(close, result, i_near, close_m)
    close.set_title(f"within about {close_m:g} m (rectilinear LVLH)", fontsize=10)
    handles, labels = close.get_legend_handles_labels()
    keep = [k for k, lab in enumerate(labels) if not lab.startswith(("approach e", "keep-out"))]
    close.legend([handles[k] for k in keep], [labels[k] for k in keep], fontsize=7, ncol=2,
                 loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)  # fmt: skip

    fig.suptitle(S.title(result, "relative motion in the station's LVLH frame"))
    fig.text(0.5, 0.003, LVLH_CONVENTION, ha="center", va="bottom", fontsize=8.5, style="italic",
             wrap=True)  # fmt: skip
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))  # type: ignore[union-attr,call-arg]
    return fig
