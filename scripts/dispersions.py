#!/usr/bin/env python3
"""Monte Carlo dispersions of the Soyuz MS-27 whole rendezvous: far range, approach, flyaround,
hold and final approach to contact.

The same as ``rendezvous dispersions``; ``python scripts/dispersions.py --help`` lists the options.
"""

import sys

from rendezvous.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, command="dispersions", prog="dispersions.py")


if __name__ == "__main__":
    sys.exit(main())
