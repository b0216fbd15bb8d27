#!/usr/bin/env python3
"""Fly every real flight of the built-in table that has an ISS element set from the two days
before its launch, and print predicted against real docking times as a Markdown table.

The same as ``rendezvous compare``.
"""

import sys

from rendezvous.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, command="compare", prog="compare_flights.py")


if __name__ == "__main__":
    sys.exit(main())
