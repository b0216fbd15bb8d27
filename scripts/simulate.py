#!/usr/bin/env python3
"""Simulate a Soyuz launch and rendezvous with the ISS, liftoff to contact (default: Soyuz MS-27).

The same as ``rendezvous simulate``; ``python scripts/simulate.py --help`` lists the options.
"""

import sys

from rendezvous.cli import main

if __name__ == "__main__":
    sys.exit(main(command="simulate", prog="simulate.py"))
