#!/usr/bin/env python3
"""Simulate a Soyuz launch and rendezvous with the ISS, liftoff to contact (default: Soyuz MS-27).

Usage: python scripts/simulate.py [--launch 2025-04-08T05:47:15.309Z] [--out DIR] [--help]
"""

import sys

from rendezvous.cli import simulate_main

if __name__ == "__main__":
    sys.exit(simulate_main())
