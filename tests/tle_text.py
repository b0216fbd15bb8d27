"""Two-line element text for the tests: the MS-27 set and line editing with a fixed checksum.

The checksum is computed here independently of ``rendezvous.elements`` (the rule of Spacetrack
Report #3: the digits of columns 1-68 summed, each minus sign counting 1, modulo 10), so the tests
do not take the package's own reading on trust. Import with ``from tle_text import ...``.
"""

from __future__ import annotations

NAME = "ISS (ZARYA)"
# The MS-27 set, as in src/rendezvous/data/iss_tles.txt (epoch 2025-04-07 12:29:36 UTC).
L1 = "1 25544U 98067A   25097.52056586  .00011719  00000-0  21806-3 0  9999"
L2 = "2 25544  51.6365 297.0255 0004979  19.0825 341.0349 15.49320680504205"


def with_checksum(line: str) -> str:
    """``line`` (68 or 69 characters) with a correct mod-10 checksum in column 69."""
    body = line[:68]
    total = sum(int(c) if "0" <= c <= "9" else (c == "-") for c in body)
    return body + str(total % 10)


def put(line: str, col: int, text: str) -> str:
    """``line`` overwritten at 1-based column ``col`` with ``text``, checksum fixed."""
    i = col - 1
    return with_checksum(line[:i] + text + line[i + len(text) :])
