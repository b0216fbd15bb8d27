"""Monte Carlo dispersion figures (``dispersions.DispersionResult``): histograms of the miss,
Delta-v and docking delay, and the far-range trajectories of the samples in the station's LVLH
frame around the nominal one. Drawing only: every number comes from the result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._style import DPI as _DPI

__all__ = ["dispersion_histograms_figure", "dispersion_lvlh_figure", "write_dispersion_figures"]


def _dispersion_figure(w, h):
    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _flown(res) -> np.ndarray:
    """(n,) bool: the samples that were flown (``status`` 0); failed ones are left out of every
    panel, as they are of every statistic in the report."""
    status = getattr(res, "status", None)
    return np.ones(res.n, dtype=bool) if status is None else np.asarray(status) == 0


def dispersion_histograms_figure(res) -> Figure:
    """Six histograms: miss position and velocity at the approach start, far-range and total
    Delta-v, the re-targeting correction (with the reserve) and the docking delay."""
    fig = _dispersion_figure(11, 6.5)
    axes = fig.subplots(2, 3)
    ok = _flown(res)
    miss_r = np.linalg.norm(res.miss_r[:, ok], axis=0)
    miss_v = np.linalg.norm(res.miss_v[:, ok], axis=0)
    panels = [
        (miss_r / 1e3, "miss at approach start, position (km)"),
        (miss_v, "miss at approach start, velocity (m/s)"),
        (res.dv_far[ok], "far-range Delta-v, 4 burns (m/s)"),
        (res.dv_correction[ok], "re-targeting correction (m/s)"),
        (res.dv_total[ok], "total Delta-v incl. proximity (m/s)"),
        ((res.t_docking[ok] - res.nominal_t_docking) / 60.0, "docking - nominal (min)"),
    ]
    bins = int(np.clip(np.sqrt(max(int(np.sum(ok)), 1)), 10, 80))
    for ax, (x, label) in zip(axes.ravel(), panels, strict=True):
        ax.hist(x, bins=bins, color="tab:blue", alpha=0.8)
        ax.axvline(np.median(x), color="k", lw=1, label="median")
        ax.set_xlabel(label)
        ax.set_ylabel("samples")
    corr = axes.ravel()[3]
    corr.axvline(res.model.dv_reserve_m_s, color="tab:red", lw=1.2, label="reserve")
    corr.legend(fontsize=8)
    nom = res.nominal
    failed = res.n - int(np.sum(ok))
    fig.suptitle(
        f"{nom.flight} ({nom.scheme}): {res.n} samples, seed {res.seed}; "
        f"{int(np.sum(res.fallback[ok]))} above the reserve"
        + (f"; {failed} failed, left out" if failed else "")
    )
    return fig


def dispersion_lvlh_figure(res, max_lines: int = 400) -> Figure:
    """The far-range trajectories (first ``max_lines`` samples) in the station's LVLH x-z plane,
    the nominal in black, and the approach start point; a close-up of the arrival on the right."""
    fig = _dispersion_figure(12, 5.5)
    ax, ax2 = fig.subplots(1, 2, width_ratios=[2, 1])
    idx = np.flatnonzero(_flown(res))[:max_lines]  # failed samples are not drawn
    k = idx.size
    x = res.traj[0, idx, :].T / 1e3
    z = res.traj[2, idx, :].T / 1e3
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
        a.set_xlabel("x, along-track V-bar, straight-line (km)")
        a.set_ylabel("z, towards Earth, straight-line (km)")
    end_x = res.traj[0, idx, -1] / 1e3
    end_z = res.traj[2, idx, -1] / 1e3
    ax2.plot(end_x, end_z, ".", color="tab:orange", ms=2, label="arrivals")
    cx, span = res.nominal.as_rel[0] / 1e3, max(2.0, 3.0 * float(np.std(end_x)) if k > 1 else 2.0)
    ax2.set_xlim(cx - span, cx + span)
    ax2.set_ylim(span, -span)
    ax2.set_title("arrival at the approach start")
    ax.set_title(
        f"{res.nominal.flight}: far range of {k} flown of {res.n} samples, rectilinear station "
        "LVLH\n(straight-line axes: at long range not the curvilinear axes of lvlh.png)"
    )
    ax.legend(loc="best", fontsize=8)
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
