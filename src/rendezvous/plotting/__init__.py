"""Figures of one simulated flight: the package's only code that imports matplotlib.

Every figure is drawn from a computed :class:`rendezvous.mission.MissionResult` and computes no
physics: the quantities come from the result or from core functions it calls
(:func:`rendezvous.frames.curvilinear`, :func:`rendezvous.frames.range_rate`,
:func:`rendezvous.frames.closing_speed`, :mod:`rendezvous.sun`, :func:`rendezvous.frames.geodetic`
when the result has no geodetic tracks).

One definition per quantity, the same in every figure and every file, stated once in
:mod:`rendezvous.samples` (``CONVENTIONS``): range and range rate centre of mass to centre of
mass; closing speed (at contact) along the port's axis, as the timeline prints it; heights
against time above the WGS-84 ellipsoid, insertion apsis heights above the equatorial radius; the
phase angle continuous from its value at insertion in [0, 360); LVLH x along-track,
y = -orbit normal, z toward Earth, km panels in curvilinear coordinates
(:func:`rendezvous.frames.curvilinear`), the metre panel rectilinear.

Modules: ``_style`` (colours, dates, tracks), ``flight`` (overview, ground track, range),
``lvlh``, ``timeline``, ``animation``, ``dispersion``. Figures are plain
:class:`matplotlib.figure.Figure` objects, not registered with pyplot, so writing them needs no
GUI backend and leaves no figures open; :func:`show` hands them to pyplot.

Files written by :func:`write_figures` (stable names): ``overview.png`` (3D GCRS view),
``ground_track.png`` (world map with night, Natural Earth 1:110m coastlines shipped in
``data/coastlines_110m.npz``), ``lvlh.png`` (relative motion in the station's frame),
``range.png`` (sunlight, range, range rate, heights, phase angle), ``timeline.png`` (events,
simulated and published) and ``approach.gif`` (1280 x 720 animation; also ``approach.mp4`` when
ffmpeg is on PATH).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ._style import DPI, GroundTracks, coastlines, tracks_of
from ._style import wrap_lon as _wrap_lon  # noqa: F401  (tests and notebooks)
from .animation import write_animation
from .dispersion import (
    dispersion_contact_figure,
    dispersion_histograms_figure,
    dispersion_lvlh_figure,
    write_dispersion_figures,
)
from .flight import ground_track_figure, overview_figure, range_comparison_figure, range_figure
from .lvlh import LVLH_CONVENTION, lvlh_figure
from .lvlh import _spread as _spread
from .timeline import timeline_figure

__all__ = [
    "dispersion_contact_figure",
    "dispersion_histograms_figure",
    "dispersion_lvlh_figure",
    "write_dispersion_figures",
    "range_comparison_figure",
    "FIGURE_NAMES",
    "LVLH_CONVENTION",
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


def _figures(result, tracks, phase_angle_deg):
    tracks = tracks_of(result, tracks)
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
        fig.savefig(out / name, dpi=DPI)
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
