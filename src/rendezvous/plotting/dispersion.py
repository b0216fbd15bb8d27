"""Monte Carlo dispersion figures (``dispersions.DispersionResult``): histograms of the miss,
Delta-v, docking time and contact conditions, the far-range trajectories of the samples in the
station's LVLH frame around the nominal one, and the contact offsets and approach Delta-v.
Drawing only: every number comes from the result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._style import DPI as _DPI

__all__ = [
    "dispersion_contact_figure",
    "dispersion_histograms_figure",
    "dispersion_lvlh_figure",
    "write_dispersion_figures",
]


def _dispersion_figure(w, h):
    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _flown(res) -> np.ndarray:
    """(n,) bool: the samples that were flown (``status`` 0); failed ones are left out of every
    panel, as they are of every statistic in the report."""
    status = getattr(res, "status", None)
    return np.ones(res.n, dtype=bool) if status is None else np.asarray(status) == 0


def _docking_panel(ax, res, ok, bins) -> None:
    """Docking time minus the nominal, s, of the samples that do not fall back; the fallbacks
    (a fixed delay of hours) are counted in the title, not drawn on the seconds scale."""
    fb = np.asarray(res.fallback, dtype=bool)
    x = res.t_docking[ok & ~fb] - res.nominal_t_docking
    ax.hist(x, bins=bins, color="tab:blue", alpha=0.8)
    if x.size:
        ax.axvline(np.median(x), color="k", lw=1)
    ax.set_xlabel("docking - nominal (s)")
    n_fb = int(np.sum(fb[ok]))
    if n_fb:
        ax.set_title(
            f"+ {n_fb} fallback{'s' if n_fb > 1 else ''} at "
            f"+{res.nominal.fallback_delay_s / 3600:.2f} h (not drawn)",
            fontsize=8,
        )


def _limit_line(ax, x, value: float, label: str) -> None:
    """A red line at the limit ``value`` on a histogram of ``x``; a limit far off the samples
    (more than their span beyond them) is named in the legend, with its value, instead of
    squeezing the histogram into a corner of the axis."""
    from matplotlib.lines import Line2D

    lo, hi = (float(np.min(x)), float(np.max(x))) if x is not None and x.size else (value, value)
    span = max(hi - lo, 1e-9)
    if lo - span <= value <= hi + span:
        ax.axvline(value, color="tab:red", lw=1.2, label=label)
        ax.legend(fontsize=7, loc="best")
        return
    side = "right" if value > hi else "left"
    handles, _ = ax.get_legend_handles_labels()
    off = Line2D([], [], color="tab:red", lw=1.2, label=f"{label} {value:g} (off scale, {side})")
    ax.legend(handles=[*handles, off], fontsize=7, loc="best")


def dispersion_histograms_figure(res) -> Figure:
    """Nine histograms over the flown samples: the miss at the approach start (position,
    velocity), far-range Delta-v, the re-targeting correction (with the reserve), total Delta-v,
    docking time, contact closing speed and lateral miss (with the docking mechanism's limits) and
    the closest approach before the final approach (with the keep-out sphere)."""
    from ..proximity import RECEPTION_LATERAL_M, RECEPTION_SPEED_M_S

    fig = _dispersion_figure(12, 9.5)
    axes = fig.subplots(3, 3)
    ok = _flown(res)
    bins = int(np.clip(np.sqrt(max(int(np.sum(ok)), 1)), 10, 80))
    panels = [
        (np.linalg.norm(res.miss_r[:, ok], axis=0) / 1e3, "position miss at approach start (km)"),
        (np.linalg.norm(res.miss_v[:, ok], axis=0), "velocity miss at approach start (m/s)"),
        (res.dv_far[ok], "far-range Delta-v as flown (m/s)"),
        (res.dv_correction[ok], "re-targeting correction (m/s)"),
        (res.dv_total[ok], "total Delta-v, insertion to contact (m/s)"),
        (None, ""),
        (res.contact_speed[ok], "closing speed at contact (m/s)"),
        (res.contact_miss[ok], "lateral miss at contact (m)"),
        (res.min_range_before_final[ok], "closest before final approach (m)"),
    ]
    for ax, (x, label) in zip(axes.ravel(), panels, strict=True):
        if x is None:
            _docking_panel(ax, res, ok, bins)
        else:
            ax.hist(x, bins=bins, color="tab:blue", alpha=0.8)
            if x.size:
                ax.axvline(np.median(x), color="k", lw=1, label="median")
            ax.set_xlabel(label)
        ax.set_ylabel("samples")
    limits = [
        (3, res.model.dv_reserve_m_s, "reserve"),
        (6, RECEPTION_SPEED_M_S, "mechanism limit"),
        (7, RECEPTION_LATERAL_M, "mechanism limit"),
        (8, res.nominal.approach.keepout_radius_m, "keep-out sphere"),
    ]
    for i, value, label in limits:
        _limit_line(axes.ravel()[i], panels[i][0], value, label)
    nom = res.nominal
    failed = res.n - int(np.sum(ok))
    fig.suptitle(
        f"{nom.flight} ({nom.scheme}), insertion to contact: {res.n} samples, seed {res.seed}; "
        f"{int(np.sum(res.over_reserve[ok]))} above the reserve"
        + (f"; {failed} failed, left out" if failed else "")
    )
    return fig


def dispersion_contact_figure(res) -> Figure:
    """Contact and approach: the lateral offsets at contact in the port's plane with the docking
    mechanism's reception circle, and the Delta-v of each approach phase (box plots)."""
    from matplotlib.patches import Circle

    from ..proximity import PHASES, RECEPTION_LATERAL_M

    fig = _dispersion_figure(12, 5.2)
    ax, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.3])
    ok = _flown(res)
    off = res.contact_offset[ok]
    ax.plot(off[:, 0], off[:, 1], ".", color="tab:blue", ms=3, alpha=0.6, label="samples")
    ax.add_patch(
        Circle((0, 0), RECEPTION_LATERAL_M, fill=False, color="tab:red", label="mechanism limit")
    )
    ax.plot([0], [0], "+", color="k", ms=12, label="port axis")
    lim = max(1.2 * RECEPTION_LATERAL_M, float(np.max(np.abs(off))) * 1.1 if off.size else 0.0)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("offset in the port plane, first axis (m)")
    ax.set_ylabel("second axis (m)")
    ax.set_title("lateral miss at contact", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: no overlap
    ax2.boxplot(
        [res.dv_phase[ok, k] for k in range(len(PHASES))],
        tick_labels=list(PHASES),
        whis=(5, 95),
        showfliers=False,
    )
    ax2.set_ylabel("Delta-v (m/s), box p25-p75, whiskers p5-p95")
    ax2.set_title("approach Delta-v by phase", fontsize=10)
    nom = res.nominal
    port = f" at {nom.port_name}" if nom.port_name else ""
    fig.suptitle(f"{nom.flight} ({nom.scheme}): contact{port}, {int(np.sum(ok))} flown samples")
    return fig


def dispersion_lvlh_figure(res, max_lines: int = 400) -> Figure:
    """The far-range trajectories (first ``max_lines`` samples) in the station's LVLH x-z plane,
    the nominal in black, and the approach start point; a close-up of the arrival on the right."""
    fig = _dispersion_figure(12, 5.5)
    ax, ax2 = fig.subplots(1, 2, width_ratios=[2, 1])
    idx = np.flatnonzero(_flown(res))[:max_lines]  # failed samples are not drawn
    cx, cz = (float(v) / 1e3 for v in res.nominal.as_rel[[0, 2]])  # AS, km (x, z towards Earth)
    k = idx.size
    x = res.traj[0, idx, :].T / 1e3
    z = res.traj[2, idx, :].T / 1e3
    for a in (ax, ax2):
        a.plot(x, z, color="tab:blue", lw=0.4, alpha=0.25)
        a.plot(
            res.nominal_traj[0] / 1e3, res.nominal_traj[2] / 1e3, color="k", lw=1.5, label="nominal"
        )
        a.plot([cx], [cz], "o", color="tab:red", ms=5, label="approach start")
        a.plot([0.0], [0.0], "s", color="tab:green", ms=5, label="station")
        a.invert_yaxis()  # z towards Earth: Earth at the bottom
        a.set_xlabel("x, along-track V-bar, straight-line (km)")
        a.set_ylabel("z, towards Earth, straight-line (km)")
    end_x = res.traj[0, idx, -1] / 1e3
    end_z = res.traj[2, idx, -1] / 1e3
    ax2.plot(end_x, end_z, ".", color="tab:orange", ms=3, label="samples at arrival")
    spread = max(float(np.std(end_x)), float(np.std(end_z))) if k > 1 else 0.0
    span = max(2.0, 3.0 * spread)
    ax2.set_xlim(cx - span, cx + span)
    ax2.set_ylim(cz + span, cz - span)  # z towards Earth: Earth at the bottom
    ax2.set_aspect("equal", adjustable="box")
    ax2.set_title("arrival at the approach start (equal axes)", fontsize=10)
    ax2.legend(loc="upper left", fontsize=8)
    ax.set_title(
        f"{res.nominal.flight}: far range of {k} flown of {res.n} samples, rectilinear station "
        "LVLH\n(straight-line axes: at long range not the curvilinear axes of lvlh.png)"
    )
    ax.legend(loc="best", fontsize=8)
    return fig


def write_dispersion_figures(res, out_dir) -> list[Path]:
    """Write ``dispersion_histograms.png``, ``dispersion_lvlh.png`` and
    ``dispersion_contact.png`` into ``out_dir`` (each to a
    temporary name first, then renamed: no partial files)."""
    out = Path(out_dir)
    paths = []
    for name, make in (
        ("dispersion_histograms.png", dispersion_histograms_figure),
        ("dispersion_lvlh.png", dispersion_lvlh_figure),
        ("dispersion_contact.png", dispersion_contact_figure),
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
