"""Command line: argument parsing and exit codes only; ``scripts/simulate.py`` wraps
``simulate_main``.

Exit status: 0 on success, 2 on bad input or a scenario that cannot be flown (one line on stderr
starting ``error:``), 1 on an unexpected failure. No partial output is left behind.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path

MS27_LAUNCH = "2025-04-08T05:47:15.309Z"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="simulate.py",
        description="Simulate a Soyuz launch and rendezvous with the ISS, from liftoff to contact "
        "(default: Soyuz MS-27, 2025-04-08).",
    )
    p.add_argument(
        "--launch",
        default=MS27_LAUNCH,
        help="liftoff time, ISO 8601 with Z or an offset (default: MS-27, %(default)s)",
    )
    p.add_argument(
        "--tle",
        metavar="FILE",
        help="ISS element sets (2- or 3-line); default: the built-in real sets",
    )
    p.add_argument(
        "--allow-stale-tle",
        action="store_true",
        help="accept an element set older than 14 days at liftoff",
    )
    p.add_argument("--site", default="31/6", help="launch pad: 31/6 (default) or 1/5")
    p.add_argument(
        "--port",
        default="prichal",
        help="docking port: prichal (default), rassvet, poisk, zvezda-aft",
    )
    p.add_argument(
        "--scheme",
        choices=["2-orbit", "4-orbit", "2-day"],
        help="force a scheme (default: chosen from the phase angle at insertion)",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/<flight>_<launch>)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-figures", action="store_true", help="write no figures")
    p.add_argument("--no-animation", action="store_true", help="skip the GIF/MP4 animation")
    p.add_argument("--show", action="store_true", help="open the figures interactively")
    p.add_argument("--quiet", action="store_true", help="print only errors and the output folder")
    return p


def _known_flight(launch):
    """(flight, planned docking Time or None) for the real flight launched within 60 s of
    ``launch``, if the package knows one, else (None, None)."""
    from .ephemeris import flights
    from .times import seconds_between

    near = [f for f in flights() if abs(seconds_between(f.launch, launch)) <= 60.0]
    actual = [f for f in near if f.docking_kind == "actual"]
    plan = [f for f in near if f.docking_kind == "planned"]
    if actual:
        return actual[0], (plan[0].docking if plan else None)
    if plan:
        return plan[0], plan[0].docking
    return None, None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def simulate_main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _simulate(args)
    except (
        ValueError,
        FileExistsError,
        FileNotFoundError,
        IsADirectoryError,
        PermissionError,
    ) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = msg.replace("pass allow_stale=True", "pass --allow-stale-tle")  # the CLI's name
        print(f"error: {msg}", file=sys.stderr)
        return 2


def _simulate(args) -> int:
    from . import ephemeris, export
    from .launch import site_by_name
    from .mission import MissionConfig, simulate
    from .proximity import port_by_name
    from .times import iso_utc, parse_utc

    launch = parse_utc(args.launch, name="--launch")
    site = site_by_name(args.site)
    port = port_by_name(args.port)
    sets = ()
    if args.tle:
        path = Path(args.tle)
        if not path.is_file():
            raise FileNotFoundError(f"--tle: no such file {args.tle}; give a TLE file path")
        sets = tuple(ephemeris.read_element_sets(path))
    flight, planned = _known_flight(launch)
    if flight:
        name = flight.name.replace(" (plan)", "")
    else:
        name = f"Soyuz launch {iso_utc(launch, digits=0)}"
    out = (
        Path(args.out)
        if args.out
        else Path("runs")
        / (f"{_slug(name)}_{iso_utc(launch, digits=0).replace(':', '').replace('-', '')}")
    )
    export.check_output_folder(out, overwrite=args.overwrite)  # fail before the work, not after
    cfg = MissionConfig(
        launch=launch,
        site=site,
        port=port,
        scheme=args.scheme,
        element_sets=sets,
        allow_stale=args.allow_stale_tle,
        flight=name,
        real_docking=flight.docking if flight and flight.docking_kind == "actual" else None,
        real_launch=flight.launch if flight else None,
        planned_docking=planned,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ephemeris.StaleElementSetWarning)
        result = simulate(cfg)
    for w in caught:
        print(f"warning: {str(w.message).splitlines()[0]}", file=sys.stderr)

    out = (
        Path(args.out)
        if args.out
        else Path("runs")
        / (f"{_slug(name)}_{iso_utc(launch, digits=0).replace(':', '').replace('-', '')}")
    )

    def figures(tmp: Path):
        if args.no_figures:
            return []
        from . import plotting

        return plotting.write_figures(result, tmp, animation=not args.no_animation)

    paths = export.write_outputs(result, out, overwrite=args.overwrite, extra=figures)
    if not args.quiet:
        print(export.timeline_text(result))
        print()
        print(f"wrote {len(paths)} files to {out}/: " + ", ".join(p.name for p in paths))
    else:
        print(out)
    if args.show and not args.no_figures:
        from . import plotting

        plotting.show(result)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(simulate_main())
