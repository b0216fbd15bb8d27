"""The approach animation: 1280 x 720, the chase in curvilinear LVLH zooming on the station, the
range against time with a cursor, and the numbers of the moment.

Speed: matplotlib draws only what does not move: the figure once, and the main panel once per
zoom level (the zoom steps by factors of 2 within 8 km, of 4 beyond), each background reduced
once to a 60-colour palette with four slots kept for the moving colours. Each frame copies its
background and Pillow draws on it what moves (the path so far, the ship, the cursor on the range
plot, the numbers), so no frame is rendered or quantized by matplotlib. The GIF is written by
Pillow; MP4 frames are piped to ffmpeg when it is on PATH. (Pillow's lines are not anti-aliased:
3 px wide, they read well; the numbers are not anti-aliased either.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import cast

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, Polygon, Rectangle
from matplotlib.transforms import Transform

from .. import frames
from . import _style as S
from .lvlh import APPROACH_ELLIPSOID_M, cone_xz, station_outline

__all__ = ["write_animation", "animation_frames", "SIZE_PX"]

SIZE_PX = (1280, 720)
_DPI = 100
_CLOSE_KM = 1.0  # the closing speed along the port axis is shown within this range


def animation_frames(result, n_frames: int, near_m: float = 3000.0) -> np.ndarray:
    """Sample indices: half the frames over the chase, half over the last ``near_m`` m of range."""
    i_ins = S.index(result, result.t_insertion)
    i_near = max(S.last_within(S.range_m(result), near_m), i_ins)
    t = result.t
    n_chase = max(n_frames // 2, 1)
    times = np.concatenate(
        [
            np.linspace(t[i_ins], t[i_near], n_chase, endpoint=False),
            np.linspace(t[i_near], t[-1], max(n_frames - n_chase, 1)),
        ]
    )
    return np.unique(np.clip(np.searchsorted(t, times), i_ins, len(t) - 1))


_PEN = {"trail": (31, 119, 180), "ship": (214, 39, 40), "ink": (0, 0, 0), "paper": (255, 255, 255)}
"""Colours of what moves (tab:blue trail, tab:red ship), held in reserved palette slots."""


class _Scene:
    """The figure with every static artist; one quantized background per zoom level."""

    def __init__(self, result, frames_idx: np.ndarray):
        self.result = result
        self.cv = S.curvilinear_km(result)
        i0 = int(frames_idx[0])
        fig = Figure(figsize=(SIZE_PX[0] / _DPI, SIZE_PX[1] / _DPI), dpi=_DPI)
        self.fig, self.canvas = fig, FigureCanvasAgg(fig)
        self.ax = fig.add_axes((0.085, 0.16, 0.48, 0.76))
        self.ax_r = fig.add_axes((0.65, 0.5, 0.33, 0.4))
        self._static_main(i0)
        self._static_range(i0)
        self.z_max = float(np.max(np.abs(self.cv[2, i0:])))
        self.stretch = self.ax.text(0.01, 0.01, "", transform=self.ax.transAxes, fontsize=9,
                                    color="0.3")  # fmt: skip
        fig.suptitle(S.title(result, "approach in the station's LVLH frame"), fontsize=12)
        self.ax.set_visible(False)  # draw everything else once
        self.canvas.draw()
        self.base = self.canvas.copy_from_bbox(fig.bbox)
        self.ax.set_visible(True)
        # fixed limits: one transform for all frames
        self.to_px_r = cast(Transform, self.ax_r.transData.frozen())
        self.backgrounds: dict[float, tuple] = {}

    def _static_main(self, i0: int) -> None:
        ax, r = self.ax, self.result
        ax.plot(self.cv[0, i0:], self.cv[2, i0:], color="0.75", lw=0.8, label="path (whole)")
        ell = APPROACH_ELLIPSOID_M
        ax.add_patch(Ellipse((0, 0), 2 * ell[0] / 1e3, 2 * ell[2] / 1e3, fill=False,
                             ec="tab:orange", ls="-.", label="approach ellipsoid"))  # fmt: skip
        ax.add_patch(Circle((0, 0), r.keepout_radius_m / 1e3, fill=False, ec="tab:red", ls="--",
                            label="keep-out sphere"))  # fmt: skip
        self.cone = ax.add_patch(Polygon(cone_xz(r, 3e3) / 1e3, closed=True, fc="tab:green",
                                         alpha=0.15, ec="none", label="approach cone"))  # fmt: skip
        for x, z, w, h in station_outline(r):
            ax.add_patch(Rectangle((x / 1e3, z / 1e3), w / 1e3, h / 1e3, fc="0.6", ec="0.3"))
        ax.plot(0, 0, "s", color="k", ms=5, label="station (centre of mass)")
        port = np.asarray(r.port.position, dtype=float) / 1e3
        ax.plot(port[0], port[2], "D", color="tab:red", mec="k", ms=6, label=f"port: {r.port.name}")
        ib = [S.index(r, b.t) for b in r.burns if b.t >= r.t[i0]]
        ax.plot(self.cv[0, ib], self.cv[2, ib], "^", color="k", ms=5, label="burns")
        ax.plot([], [], color="tab:blue", lw=2, label="ship's path so far")
        ax.plot([], [], "o", color="tab:red", mec="k", ms=7, label="ship")
        ax.set_xlabel("x along-track, V-bar (km; curvilinear)")
        ax.set_ylabel("z altitude difference, toward Earth (km)")
        ax.grid(color="0.88", linewidth=0.5)
        self.fig.legend(*ax.get_legend_handles_labels(), loc="lower left", ncol=5, fontsize=8,
                        bbox_to_anchor=(0.0, 0.0), frameon=False)  # fmt: skip

    def _static_range(self, i0: int) -> None:
        ax, r = self.ax_r, self.result
        when = S.utc(r, r.t[i0:])
        ax.semilogy(when, S.range_m(r)[i0:] / 1e3, color="k", lw=1.0)
        for b in S.major_burns(r):
            if b.t >= r.t[i0]:
                ax.axvline(S.utc(r, b.t), color="k", lw=0.5, ls=":")
        ax.set_ylabel("range (km)")
        ax.grid(color="0.88", linewidth=0.5)
        S.utc_axis(ax, r)
        ax.xaxis.label.set_fontsize(9)
        ax.tick_params(labelsize=8)

    def background(self, half: float):
        """(P-mode image, data -> pixel transform) at a zoom of half-width ``half`` km: drawn and
        quantized once per level, with the moving colours in the last palette slots."""
        if half not in self.backgrounds:
            from PIL import Image

            bw, bh = self.ax.get_position().size * np.array(SIZE_PX)
            wide = half * bw / bh
            # Far out, z is stretched to show the height difference (at most 16x), else equal.
            z_half = min(half, max(1.6 * self.z_max, half / 16.0))
            self.ax.set_xlim(-wide, wide)
            self.ax.set_ylim(z_half, -z_half)  # z toward Earth drawn downwards
            ratio = half / z_half
            self.stretch.set_text(f"z stretched {ratio:.0f}x" if ratio > 1.05 else "")
            self.cone.set_visible(half < 2.5)  # the cone only means something close in
            self.canvas.restore_region(self.base)
            self.ax.draw(self.canvas.get_renderer())
            rgb = Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3])
            img = rgb.quantize(60, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            palette = (img.getpalette() or [])[: 60 * 3]
            palette += [0] * (60 * 3 - len(palette))
            for colour in _PEN.values():
                palette += list(colour)
            img.putpalette(palette)
            self.backgrounds[half] = (img, cast(Transform, self.ax.transData.frozen()))
        return self.backgrounds[half]


def _zoom_level(dist_km: float) -> float:
    """Half-width of the view, km: 1.3 times the distance rounded up to a power of 2 within 8 km,
    of 4 beyond (fewer backgrounds to draw where the view changes little)."""
    half = max(1.3 * dist_km, 0.35)
    step = 1.0 if half <= 8.0 else 2.0
    return float(2.0 ** (step * np.ceil(np.log2(half) / step)))


def _info(result, i: int, rate, close) -> str:
    r = result
    rng = float(np.linalg.norm(r.relative[:3, i]))
    done = [b for b in r.burns if b.t <= r.t[i]]
    closing = f"{close[i]:10.3f} m/s" if rng < _CLOSE_KM * 1e3 else "    - (within 1 km only)"
    return (
        f"{S.clock(r, S.utc(r, r.t[i]))} UTC\n"
        f"phase         {S.phase_at(r, r.t[i])}\n"
        f"range         {rng / 1e3:10.3f} km\n"
        f"range rate    {rate[i]:10.3f} m/s (centre of mass)\n"
        f"closing speed {closing}\n"
        f"              (along the port axis)\n"
        f"burns done    {len(done)} of {len(r.burns)}\n"
        f"last burn     {done[-1].label if done else '-'}"
    )


def _font(size: int):
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans Mono"), size)


def _render(result, frames_idx: np.ndarray):
    """Yield each frame as a P-mode Pillow image (its own 64-colour palette)."""
    from PIL import ImageDraw

    scene = _Scene(result, frames_idx)
    rate = np.asarray(frames.range_rate(result.relative))
    close = np.asarray(frames.closing_speed(result.relative, result.port.axis))
    rng_km = S.range_m(result) / 1e3
    t_num = mdates.date2num(S.utc(result, result.t[frames_idx]))
    ink = {name: 60 + k for k, name in enumerate(_PEN)}
    font = _font(15)
    i0 = int(frames_idx[0])
    height = SIZE_PX[1]
    box = scene.ax.get_window_extent()
    clip = tuple(int(v) for v in (box.x0, height - box.y1, box.x1 + 1, height - box.y0 + 1))
    for k, i in enumerate(frames_idx):
        cv = scene.cv
        bg, to_px = scene.background(_zoom_level(float(np.hypot(cv[0, i], cv[2, i]))))
        frame = bg.copy()
        panel = frame.crop(clip)  # draw the path clipped to the axes
        pts = to_px.transform(cv[[0, 2], i0 : i + 1].T)
        pts = np.column_stack([pts[:, 0] - clip[0], height - pts[:, 1] - clip[1]])
        pen = ImageDraw.Draw(panel)
        pen.line([tuple(p) for p in pts], fill=ink["trail"], width=3, joint="curve")
        x, y = pts[-1]
        pen.ellipse((x - 6, y - 6, x + 6, y + 6), fill=ink["ship"], outline=ink["ink"])
        frame.paste(panel, clip[:2])
        draw = ImageDraw.Draw(frame)
        cx, cy = scene.to_px_r.transform((t_num[k], rng_km[i]))
        cy = height - cy
        draw.ellipse((cx - 5, cy - 5, cx + 5, cy + 5), fill=ink["ship"], outline=ink["ink"])
        draw.text((820, 448), _info(result, int(i), rate, close), fill=ink["ink"], font=font,
                  spacing=6)  # fmt: skip
        yield frame


def write_animation(result, path, *, n_frames: int = 80, fps: int = 8, dpi: int | None = None):
    """Write the chase and final approach (1280 x 720) as a GIF, or as MP4 for a ``.mp4`` path.

    ``path`` ending in ``.mp4`` needs ffmpeg on PATH (ValueError otherwise); anything else is a
    GIF written by Pillow. ``n_frames``: number of frames (at most; duplicate samples are
    dropped); ``fps``: frames per second. ``dpi`` is accepted for compatibility and ignored (the
    size is fixed at :data:`SIZE_PX`). Returns the path.
    """
    path = Path(path)
    if n_frames < 2:
        raise ValueError(f"n_frames: {n_frames} is too few; give at least 2")
    mp4 = path.suffix.lower() == ".mp4"
    if mp4 and shutil.which("ffmpeg") is None:
        raise ValueError(f"path: {path.name} needs ffmpeg on PATH; write a .gif instead")
    idx = animation_frames(result, n_frames)
    if mp4:
        return _write_mp4(result, idx, path, fps)
    images = list(_render(result, idx))
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = 2500  # rest on contact before the loop starts again
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return path


def _write_mp4(result, idx, path: Path, fps: int) -> Path:
    w, h = SIZE_PX
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba",
           "-s", f"{w}x{h}", "-r", str(fps), "-i", "-", "-pix_fmt", "yuv420p",
           "-vcodec", "libx264", str(path)]  # fmt: skip
    with subprocess.Popen(cmd, stdin=subprocess.PIPE) as proc:
        assert proc.stdin is not None
        for frame in _render(result, idx):
            proc.stdin.write(frame.convert("RGBA").tobytes())
        proc.stdin.close()
        if proc.wait() != 0:
            raise ValueError(f"path: ffmpeg could not write {path.name}; write a .gif instead")
    return path
