#!/usr/bin/env python3
"""List the launch opportunities from Baikonur for each rendezvous scheme, day by day.

Usage: python scripts/launch_window.py --date 2025-04-08 [--days N] [--tle FILE] [--json FILE]
                                       [--site 31/6|1/5]

Exit status: 0 on success, 2 on bad input (one line on stderr starting "error:"), 1 otherwise.
The JSON file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="launch_window.py",
        description="Launch opportunities (2-orbit, 4-orbit, 2-day) to the ISS, day by day.",
    )
    p.add_argument("--date", required=True, help="first UTC day, YYYY-MM-DD")
    p.add_argument("--days", type=int, default=1, help="number of days (default 1, up to 366)")
    p.add_argument("--tle", metavar="FILE", help="ISS element sets; default: the built-in sets")
    p.add_argument("--json", metavar="FILE", help="also write the opportunities as JSON")
    p.add_argument("--site", default="31/6", help="launch pad: 31/6 (default) or 1/5")
    return p


class _ArgError(ValueError):
    pass


def _write_json(path: Path, text: str) -> None:
    from rendezvous.export import write_file_atomic

    path = path.resolve()
    if not path.parent.is_dir():
        raise _ArgError(f"--json: folder {path.parent} does not exist; create it first")
    write_file_atomic(path, text)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        from rendezvous.ephemeris import read_element_sets
        from rendezvous.launch import site_by_name
        from rendezvous.times import parse_utc
        from rendezvous.window import search_windows, window_records, window_table

        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            raise _ArgError(
                f"--date: cannot read {args.date!r}; use YYYY-MM-DD, e.g. 2025-04-08"
            ) from None
        if not 1 <= args.days <= 366:
            raise _ArgError(f"--days: got {args.days}; use 1 to 366")
        sets = ()
        if args.tle:
            if not Path(args.tle).is_file():
                raise _ArgError(f"--tle: no file {args.tle}; give a file of two-line element sets")
            sets = tuple(read_element_sets(args.tle))
        site = site_by_name(args.site)
        result = search_windows(
            parse_utc(f"{day.isoformat()}T00:00:00Z"), args.days, site=site, element_sets=sets
        )
        if args.json:
            _write_json(Path(args.json), json.dumps(window_records(result), indent=1) + "\n")
    except ValueError as exc:  # bad input (ElementSetError is a ValueError)
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2
    print(window_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
