"""Time the approach animation (issue 10 target: at least 3x faster than before, at 1280 x 720).

Renders the simulated MS-27 approach (80 frames, GIF) with today's renderer
(:func:`rendezvous.plotting.write_animation`: 1280 x 720, static background drawn once per zoom
level and blitted) and, in the same run, with the renderer it replaced: the ``plotting.py`` of a
git revision (default ``main``; read with ``git show`` into a temporary file and imported as
``rendezvous._plotting_baseline``), 480 x 432, every frame fully redrawn. Prints the median wall
time of each (after one warm-up of each), the pixels and the speed-up, per frame and per pixel.

Usage: python benchmarks/animation.py [--repeat 3] [--frames 80] [--baseline-rev main]
(run from the repository root with PYTHONPATH=$PWD/src)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from PIL import Image  # noqa: E402

import rendezvous  # noqa: E402
from rendezvous import plotting  # noqa: E402
from rendezvous.mission import MissionConfig, simulate  # noqa: E402
from rendezvous.times import parse_utc  # noqa: E402


def _baseline_module(rev: str, tmp: Path):
    """The single-module plotting.py of ``rev``, imported inside the package (relative imports)."""
    src = subprocess.run(
        ["git", "show", f"{rev}:src/rendezvous/plotting.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = tmp / "_plotting_baseline.py"
    path.write_text(src, encoding="utf-8")
    name = "rendezvous._plotting_baseline"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "rendezvous"
    sys.modules[name] = module
    spec.loader.exec_module(module)
    assert Path(rendezvous.__file__).parent.exists()
    return module


def _time(write, result, path: Path, frames: int, repeat: int) -> tuple[float, tuple, int]:
    write(result, path, n_frames=frames)  # warm-up: fonts, caches
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        write(result, path, n_frames=frames)
        out.append(time.perf_counter() - t0)
    with Image.open(path) as gif:
        return statistics.median(out), gif.size, gif.n_frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--frames", type=int, default=80)
    ap.add_argument("--baseline-rev", default="main")
    args = ap.parse_args()
    result = simulate(MissionConfig(launch=parse_utc("2025-04-08T05:47:15.309Z")))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        old = _baseline_module(args.baseline_rev, tmp)
        rows = [
            (f"before ({args.baseline_rev}: full redraw)", old.write_animation),
            ("now (blitting per zoom level)", plotting.write_animation),
        ]
        times = []
        cpu = platform.processor() or platform.machine()
        print(f"machine: {cpu}, {os.cpu_count()} cores, matplotlib {matplotlib.__version__}")
        print(f"{'renderer':<36} {'wall time':>9} {'size':>11} {'frames':>6} {'ms/frame':>8}")
        for label, write in rows:
            wall, size, n = _time(write, result, tmp / "a.gif", args.frames, args.repeat)
            times.append((wall, size[0] * size[1], n))
            print(f"{label:<36} {wall:8.2f}s {size[0]:>5}x{size[1]:<5} {n:>6} "
                  f"{1e3 * wall / n:8.1f}")  # fmt: skip
    (t_old, px_old, n_old), (t_new, px_new, n_new) = times
    print(
        f"speed-up: {t_old / t_new:.1f}x in wall time (target >= 3x) with "
        f"{px_new / px_old:.1f}x the pixels per frame; "
        f"{(t_old / px_old / n_old) / (t_new / px_new / n_new):.1f}x per pixel"
    )


if __name__ == "__main__":
    main()
