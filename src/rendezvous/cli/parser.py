"""The options of ``rendezvous simulate | window | dispersions | compare``, and the table that maps
the library's parameter names to them.

This module imports only the standard library, so ``--help`` and argument errors cost no numpy,
skyfield or matplotlib import. Each option is declared by the name of the library parameter it
feeds (:data:`FLAGS`), which is also its ``dest``; :func:`rendezvous.cli.errors.user_message` uses
the same table to turn a library error that names a parameter (``launch: ...``) into one that names
the flag (``--launch: ...``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from .. import __version__

MS27_LAUNCH = "2025-04-08T05:47:15.309Z"
"""Soyuz MS-27 liftoff (Roscosmos launch coverage; RussianSpaceWeb, Soyuz MS-27 page)."""

FLAGS: dict[str, str] = {
    # library parameter -> command-line flag: the one place where the two names meet
    "launch": "--launch",
    "elements": "--tle",
    "element_sets": "--tle",
    "allow_stale": "--allow-stale-tle",
    "flight": "--flight",
    "vehicle": "--vehicle",
    "site": "--site",
    "port": "--port",
    "scheme": "--scheme",
    "gravity": "--gravity",
    "lighting": "--no-lighting",
    "out_dir": "--out",
    "overwrite": "--overwrite",
    "json_path": "--json",
    "start": "--date",
    "days": "--days",
    "n_samples": "--samples",
    "seed": "--seed",
    "chunk_size": "--chunk-size",
    "workers": "--workers",
    "scheduler": "--scheduler",
    "figures": "--no-figures",
    "animation": "--no-animation",
    "show": "--show",
    "quiet": "--quiet",
    "geometry": "--geometry",
}

API_COMMANDS: dict[str, str] = {
    # library functions named in messages -> the command that does the same
    "rendezvous.search_windows": "rendezvous window",
    "rendezvous.run_dispersions": "rendezvous dispersions",
    "rendezvous.simulate": "rendezvous simulate",
}

COMMANDS = {
    "simulate": "fly one launch to docking: timeline, files and figures",
    "window": "list the launch opportunities, day by day, for each scheme",
    "dispersions": "Monte Carlo dispersions of the whole rendezvous, insertion to contact",
    "compare": "fly the built-in real flights and compare with their real dockings",
}

SEED_MAX = 2**64 - 1  # numpy's SeedSequence takes any size; samples.npz stores a uint64


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one ``error:`` line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        from .errors import escape

        message = message.removeprefix("argument ")  # "argument --seed: ..." -> "--seed: ..."
        self.exit(2, f"error: {escape(message)} (see {self.prog} --help)\n")


def _text(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("got an empty value; give one")
    return value


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            n = int(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"got {n}; use {lo} to {hi}")
        return n

    parse.__name__ = "whole number"
    return parse


def _option(p: argparse._ActionsContainer, param: str, help: str, **kw: Any) -> None:
    """Add the flag of library parameter ``param`` (from :data:`FLAGS`); its dest is ``param``."""
    if kw.get("action") not in ("store_true", "store_false") and "type" not in kw:
        kw["type"] = _text
    p.add_argument(FLAGS[param], dest=param, help=help, **kw)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action="version", version=f"rendezvous {__version__}")
    p.add_argument(
        "--debug", action="store_true", help="on an unexpected error, show the traceback"
    )


def _simulate(p: argparse.ArgumentParser) -> None:
    _option(
        p,
        "flight",
        "a real flight of the built-in table, e.g. 'Soyuz MS-27': its liftoff, pad, port and ship "
        "(other options override them)",
        metavar="NAME",
    )
    _option(
        p,
        "launch",
        f"liftoff, ISO 8601 with Z or an offset; no zone means UTC (default: MS-27, {MS27_LAUNCH})",
        metavar="TIME",
    )
    _option(
        p,
        "element_sets",
        "ISS element sets: TLE (2- or 3-line) or OMM (JSON, XML); default: the built-in real sets",
        metavar="FILE",
    )
    _option(p, "allow_stale", "accept an element set older than 14 days", action="store_true")
    _option(p, "site", "launch pad: 31/6 (default) or 1/5")
    _option(
        p, "port", "docking port: prichal (default), rassvet, poisk, zvezda-aft, pirs (until 2021)"
    )
    _option(p, "vehicle", "the ship: soyuz (default) or progress")
    _option(
        p,
        "scheme",
        "force a scheme: 2-orbit, 4-orbit or 2-day (default: chosen from the "
        "phase angle at insertion)",
    )
    _option(
        p,
        "gravity",
        "gravity model: zonal (default: J2-J4 about the pole of date) or egm2008-8x8 "
        "(EGM2008 to degree and order 8, rotating with the Earth)",
        choices=("zonal", "egm2008-8x8"),
    )
    _option(
        p,
        "lighting",
        "fly the calibrated hold as it is, without timing the contact by the station's "
        "lighting (rendezvous.lighting)",
        action="store_false",
    )
    _option(p, "out_dir", "output folder (default: runs/<flight>_<launch>)", metavar="DIR")
    _option(
        p,
        "overwrite",
        "replace an existing output folder (only one an earlier run wrote)",
        action="store_true",
    )
    _option(p, "figures", "write no figures", action="store_false")
    _option(p, "animation", "skip the GIF/MP4 animation", action="store_false")
    _option(p, "show", "open the figures in a window (needs a display)", action="store_true")
    _option(p, "quiet", "print only errors and the output folder", action="store_true")


def _window(p: argparse.ArgumentParser) -> None:
    _option(p, "start", "first UTC day, YYYY-MM-DD", required=True, metavar="DAY")
    _option(p, "days", "number of days (default 1, up to 366)", type=_int_in(1, 366), default=1)
    _option(p, "element_sets", "ISS element sets; default: the built-in sets", metavar="FILE")
    _option(p, "json_path", "also write the opportunities as JSON to FILE", metavar="FILE")
    _option(p, "overwrite", "replace an existing --json file", action="store_true")
    _option(p, "site", "launch pad: 31/6 (default) or 1/5", default="31/6")
    _option(p, "vehicle", "the ship, for the docking times: soyuz (default) or progress")
    _option(
        p,
        "port",
        "docking port, for the docking times: prichal (default), rassvet, poisk, zvezda-aft, "
        "pirs (until 2021)",
    )


def _dispersions(p: argparse.ArgumentParser) -> None:
    _option(
        p,
        "n_samples",
        "number of samples N",
        type=_int_in(1, 10_000_000),
        required=True,
        metavar="N",
    )
    _option(
        p,
        "seed",
        "seed of the random numbers, 0 to 2**64 - 1",
        type=_int_in(0, SEED_MAX),
        required=True,
    )
    _option(
        p,
        "out_dir",
        "write report.txt, dispersions.json, samples.npz and figures into DIR",
        metavar="DIR",
    )
    g = p.add_mutually_exclusive_group()
    _option(
        g,
        "workers",
        "run on a local Dask cluster of N processes",
        type=_int_in(1, 1024),
        metavar="N",
    )
    _option(g, "scheduler", "run on the Dask cluster at ADDRESS", metavar="ADDRESS")
    _option(
        p,
        "chunk_size",
        "samples per chunk (default 1000; the same on every runner)",
        metavar="N",
        type=_int_in(1, 10_000_000),
        default=1000,
    )
    _option(
        p,
        "flight",
        "a real flight of the built-in table, e.g. 'Progress MS-31': its liftoff, pad, port and "
        "ship (other options override them)",
        metavar="NAME",
    )
    _option(
        p,
        "launch",
        f"liftoff (default: the --flight's own, else MS-27, {MS27_LAUNCH})",
        metavar="TIME",
    )
    _option(p, "site", "launch pad: 31/6 (default, or the --flight's) or 1/5")
    _option(
        p,
        "port",
        "docking port: prichal (default, or the --flight's), rassvet, poisk, zvezda-aft, pirs "
        "(until 2021)",
    )
    _option(p, "vehicle", "the ship: soyuz (default, or the --flight's) or progress")
    _option(p, "figures", "with --out: write no figures", action="store_false")
    _option(p, "quiet", "no progress bar", action="store_true")
    _option(
        p,
        "overwrite",
        "replace an existing --out folder (only one an earlier run wrote)",
        action="store_true",
    )


def _compare(p: argparse.ArgumentParser) -> None:
    """Every flight of the built-in table with an element set from the two days before its
    launch is flown; ``--geometry`` prints the docking geometry instead and flies nothing."""
    _option(
        p,
        "geometry",
        "print instead the lighting and geometry of each real docking (lit, minutes to the "
        "orbital sunset and since sunrise, beta angle, sub-point, the plan against the sunset) "
        "beside its leave-one-out residual, as a Markdown table; flies nothing (a second)",
        action="store_true",
    )


_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "simulate": _simulate,
    "window": _window,
    "dispersions": _dispersions,
    "compare": _compare,
}


def build_parser(command: str | None = None, prog: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``rendezvous`` with its subcommands, or of one ``command`` alone (for the
    scripts, which take the same options)."""
    if command is not None:
        p = OneLineParser(prog=prog or f"rendezvous {command}", description=COMMANDS[command])
        _common(p)
        _OPTIONS[command](p)
        p.set_defaults(command=command)
        return p
    p = OneLineParser(
        prog=prog or "rendezvous",
        description="Simulate and draw a Soyuz/Progress rendezvous with the ISS, from liftoff to "
        "docking, on real data.",
        epilog="Exit status: 0 done; 2 bad input (one 'error:' line naming the option and the "
        "fix); 1 a failure of the machine or a bug; 128+N stopped by signal N. A failed or "
        "stopped run leaves no partial output.",
    )
    _common(p)
    sub = p.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name, text in COMMANDS.items():
        sp = sub.add_parser(name, help=text, description=text)
        _common(sp)
        _OPTIONS[name](sp)
    return p


def parse(argv: list[str] | None, command: str | None, prog: str | None) -> argparse.Namespace:
    """Parse ``argv`` (default ``sys.argv[1:]``); exits 0 after ``--help``/``--version`` and 2
    with one ``error:`` line on bad arguments."""
    parser = build_parser(command, prog)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.error(f"choose a command: {', '.join(COMMANDS)}")
    return args
