#!/usr/bin/env python3
"""List the launch opportunities to the ISS for each rendezvous scheme, day by day.

The same as ``rendezvous window``; ``python scripts/launch_window.py --help`` lists the options.
"""

import sys

from rendezvous.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, command="window", prog="launch_window.py")


if __name__ == "__main__":
    sys.exit(main())
