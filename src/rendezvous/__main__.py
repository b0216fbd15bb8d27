"""``python -m rendezvous``: the same command line as ``rendezvous`` (see :mod:`rendezvous.cli`)."""

import sys

from .cli import main

sys.exit(main(prog="python -m rendezvous"))
