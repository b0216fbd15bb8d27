#!/usr/bin/env python3
"""Monte Carlo dispersions of the Soyuz MS-27 far-range rendezvous (see rendezvous.dispersions).

Usage: python scripts/dispersions.py --samples N --seed S [--out DIR]
                                     [--workers N | --scheduler ADDRESS] [--quiet]

Prints the report; with --out writes report.txt, samples.npz and two figures into DIR (each file
written to a temporary name, then renamed). Exit status: 0 on success, 2 on bad input (one line
on stderr starting "error:"), 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MS27_LAUNCH = "2025-04-08T05:47:15.309Z"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dispersions.py",
        description="Fly the far-range rendezvous N times with launch, burn, navigation and drag "
        "errors; report the miss at the approach start, Delta-v and docking time.",
    )
    p.add_argument("--samples", type=int, required=True, help="number of samples N")
    p.add_argument("--seed", type=int, required=True, help="seed of the random numbers")
    p.add_argument("--out", metavar="DIR", help="write report.txt, samples.npz and figures here")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, help="run on a local Dask cluster of N processes")
    g.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster at ADDRESS")
    p.add_argument(
        "--chunk-size",
        type=int,
        default=1000,
        help="samples per chunk (default 1000; the same on every runner)",
    )
    p.add_argument("--launch", default=MS27_LAUNCH, help="liftoff (default: MS-27, %(default)s)")
    p.add_argument("--no-figures", action="store_true", help="with --out: write no figures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        import numpy as np

        from rendezvous.dispersions import nominal_from_mission, report, run_dispersions
        from rendezvous.export import check_output_folder, write_folder_atomic
        from rendezvous.mission import MissionConfig, simulate
        from rendezvous.times import parse_utc

        if args.samples < 1 or args.samples > 10_000_000:
            raise ValueError(f"--samples: got {args.samples}; use 1 to 10000000")
        if args.chunk_size < 1:
            raise ValueError(f"--chunk-size: got {args.chunk_size}; use a positive number")
        if args.workers is not None and args.workers < 1:
            raise ValueError(f"--workers: got {args.workers}; use 1 or more")
        out = None
        if args.out:
            out = Path(args.out)
            check_output_folder(out, overwrite=args.overwrite)  # before the work, not after
        cfg = MissionConfig(launch=parse_utc(args.launch, name="--launch"))
        nominal = nominal_from_mission(simulate(cfg), cfg)
        res = run_dispersions(
            nominal,
            args.samples,
            args.seed,
            chunk_size=args.chunk_size,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
        )
    except (ValueError, FileExistsError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2
    text = report(res)
    if out is not None:

        def write(tmp: Path):
            (tmp / "report.txt").write_text(text + "\n")
            np.savez_compressed(
                tmp / "samples.npz",
                miss_r_lvlh_m=res.miss_r,
                miss_v_lvlh_m_s=res.miss_v,
                dv_far_m_s=res.dv_far,
                dv_correction_m_s=res.dv_correction,
                dv_total_m_s=res.dv_total,
                fallback=res.fallback,
                t_docking_s=res.t_docking,
                seed=res.seed,
            )
            if not args.no_figures:
                from rendezvous.plotting import write_dispersion_figures

                write_dispersion_figures(res, tmp)

        write_folder_atomic(out, write, overwrite=args.overwrite)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
