"""Element files: reading and checking two-line element sets, choosing one, and the target's state.

This is the one module of the package that reads element files and the flights table. It

- parses NORAD two-line element sets (TLEs) in 2-line and 3-line (name line first) form, several per
  file, with ``#`` comment lines (the comment line just above a set is kept as its provenance);
- checks every set and stops at the first problem with an :class:`ElementSetError` whose one-line
  message names the file, the line, what is wrong and what a valid line looks like;
- checks that the orbit is a crewed-station orbit the package's Baikonur in-plane ascent can reach
  (eccentricity below 0.01, mean motion 15.2 to 16.4 rev/day, i.e. about 300 to 500 km altitude,
  inclination 51.0 to 52.5 deg);
- chooses the latest set before a given time and warns when it is old;
- gives the target's GCRS state with SGP4 as implemented by ``sgp4`` (Vallado et al. 2006,
  "Revisiting Spacetrack Report #3", AIAA 2006-6753) through skyfield's ``EarthSatellite``, which
  rotates SGP4's TEME output into GCRS.

Left out: other element formats (OMM/XML/JSON, CCSDS OEM), downloading sets, fitting sets to
observations, and SGP4's accuracy itself (about 1 km at epoch, growing by a few km per day for the
ISS, which reboosts and is strongly affected by drag; hence the age limits in
:func:`select_element_set`).
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .times import parse_utc, timescale

__all__ = [
    "ElementSet",
    "ElementSetError",
    "Flight",
    "StaleElementSetWarning",
    "builtin_element_sets",
    "flights",
    "parse_element_sets",
    "read_element_sets",
    "select_element_set",
]

TLE_LINE_LENGTH = 69
"""Characters in each of the two element lines (68 fields + 1 checksum digit)."""

MAX_ECCENTRICITY = 0.01
MEAN_MOTION_RANGE_REV_PER_DAY = (15.2, 16.4)
INCLINATION_RANGE_DEG = (51.0, 52.5)

_EXAMPLE_LINE1 = "1 25544U 98067A   25097.52056586  .00011719  00000-0  21806-3 0  9999"
_EXAMPLE_LINE2 = "2 25544  51.6365 297.0255 0004979  19.0825 341.0349 15.49320680504205"

# (name, first column, last column) 1-based inclusive, as in Space-Track's "Basic Description of
# the Two Line Element Set Format" (CelesTrak, T.S. Kelso, "FAQs: Two-Line Element Set Format").
# kind: "int", "float", "exp" (assumed decimal point and exponent, e.g. " 21806-3" = 0.21806e-3),
# "dec" (assumed leading decimal point, e.g. "0004979" = 0.0004979).
_LINE1_FIELDS = (
    ("catalogue number", 3, 7, "int"),
    ("epoch year", 19, 20, "int"),
    ("epoch day of year", 21, 32, "float"),
    ("first derivative of mean motion", 34, 43, "float"),
    ("second derivative of mean motion", 45, 52, "exp"),
    ("BSTAR drag term", 54, 61, "exp"),
    ("element set number", 65, 68, "int"),
)
_LINE2_FIELDS = (
    ("catalogue number", 3, 7, "int"),
    ("inclination", 9, 16, "float"),
    ("right ascension of the ascending node", 18, 25, "float"),
    ("eccentricity", 27, 33, "dec"),
    ("argument of perigee", 35, 42, "float"),
    ("mean anomaly", 44, 51, "float"),
    ("mean motion", 53, 63, "float"),
    ("revolution number", 64, 68, "int"),
)


class ElementSetError(ValueError):
    """A bad element file or an unusable choice of set; the message is one line:
    ``FILE:LINE: what is wrong; how to fix``."""


class StaleElementSetWarning(UserWarning):
    """The chosen element set is older than the warning age (SGP4 error grows with age)."""


def _error(source: str, line: int, text: str) -> ElementSetError:
    return ElementSetError(f"{source}:{line}: {text}")


def _checksum(line: str) -> int:
    """NORAD mod-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    total = 0
    for ch in line[:68]:
        if ch.isdigit():
            total += int(ch)
        elif ch == "-":
            total += 1
    return total % 10


def _parse_field(text: str, kind: str) -> float:
    s = text.strip()
    if kind == "int":
        return int(s)
    if kind == "float":
        return float(s)
    if kind == "dec":
        if not s.isdigit():
            raise ValueError(s)
        return float("0." + s)
    # "exp": [sign]ddddd[sign]d with an assumed decimal point before the mantissa.
    if s in ("", "0", "00000-0", "00000+0", "-00000-0", "+00000-0"):
        return 0.0
    sign = -1.0 if s[0] == "-" else 1.0
    body = s.lstrip("+-")
    if len(body) < 3 or body[-2] not in "+-" or not body[:-2].isdigit() or not body[-1].isdigit():
        raise ValueError(s)
    return sign * float("0." + body[:-2]) * 10.0 ** int(body[-2:])


@dataclass(frozen=True)
class ElementSet:
    """One two-line element set as read from a file.

    name: the satellite name (the 3-line form's name line, or "" for 2-line sets);
    line1, line2: the two element lines, 69 characters each, already checked;
    source: the file (or "<string>") it came from; line_number: 1-based line of ``line1`` in it;
    comment: the ``#`` comment line just above the set (its provenance), without the ``#``.
    """

    name: str
    line1: str
    line2: str
    source: str
    line_number: int
    comment: str = ""

    @classmethod
    def from_lines(cls, line1: str, line2: str, name: str = "", source: str = "<lines>"):
        """A checked set from its two element lines (raises :class:`ElementSetError` if bad)."""
        text = (f"{name}\n" if name else "") + f"{line1}\n{line2}\n"
        sets = parse_element_sets(text, source)
        if len(sets) != 1:
            raise ElementSetError(f"{source}:1: expected one element set, found {len(sets)}")
        return sets[0]

    @cached_property
    def satellite(self):
        """The skyfield ``EarthSatellite`` (SGP4) for this set, on the package timescale."""
        from skyfield.api import EarthSatellite

        return EarthSatellite(self.line1, self.line2, self.name or None, timescale())

    @property
    def epoch(self):
        """The set's epoch as a skyfield Time (UTC as written in the set)."""
        return self.satellite.epoch

    @property
    def bstar(self) -> float:
        """SGP4 drag term B*, 1/earth radii."""
        return _parse_field(self.line1[53:61], "exp")

    @property
    def inclination_deg(self) -> float:
        """Mean inclination, degrees."""
        return float(self.line2[8:16])

    @property
    def eccentricity(self) -> float:
        """Mean eccentricity (dimensionless)."""
        return _parse_field(self.line2[26:33], "dec")

    @property
    def mean_motion_rev_per_day(self) -> float:
        """Kozai mean motion, revolutions per day."""
        return float(self.line2[52:63])

    @property
    def catalogue_number(self) -> int:
        """NORAD catalogue number (25544 for the ISS)."""
        return int(self.line1[2:7])

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the set's first element line, for messages."""
        return f"{self.source}:{self.line_number}"

    def state(self, t) -> np.ndarray:
        """GCRS state of the satellite at skyfield Time ``t`` by SGP4.

        Returns (6,) [x, y, z, vx, vy, vz] in m and m/s for a scalar Time, (6, n) for an array Time.
        Where SGP4 fails (decayed orbit, far from epoch) the columns are NaN.
        """
        g = self.satellite.at(t)
        r = np.asarray(g.position.m, dtype=float)
        v = np.asarray(g.velocity.m_per_s, dtype=float)
        return np.concatenate([r, v], axis=0)


def _check_line(source: str, number: int, line: str, which: int) -> None:
    """Check one element line (1 or 2): start, length, checksum, numeric fields."""
    example = _EXAMPLE_LINE1 if which == 1 else _EXAMPLE_LINE2
    valid = f"a valid line {which} looks like '{example}'"
    if not line.startswith(f"{which} "):
        raise _error(
            source,
            number,
            f"line {which} of an element set must start with '{which} ', found "
            f"'{line[:10]}...'; {valid}",
        )
    if len(line) != TLE_LINE_LENGTH:
        raise _error(
            source,
            number,
            f"element line {which} has {len(line)} characters, {TLE_LINE_LENGTH} expected; {valid}",
        )
    last = line[68]
    if not last.isdigit():
        raise _error(
            source,
            number,
            f"checksum (column 69) must be a digit, found '{last}'; {valid}",
        )
    expected = _checksum(line)
    if int(last) != expected:
        raise _error(
            source,
            number,
            f"wrong mod-10 checksum: expected {expected}, found {last} (the line is corrupted or "
            f"was edited; re-copy it from the source); {valid}",
        )
    for name, c0, c1, kind in _LINE1_FIELDS if which == 1 else _LINE2_FIELDS:
        text = line[c0 - 1 : c1]
        try:
            _parse_field(text, kind)
        except ValueError:
            raise _error(
                source,
                number,
                f"{name} in columns {c0}-{c1} is '{text}', not a number; {valid}",
            ) from None


def _check_set(source: str, n1: int, line1: str, n2: int, line2: str) -> None:
    _check_line(source, n1, line1, 1)
    _check_line(source, n2, line2, 2)
    if line1[2:7] != line2[2:7]:
        raise _error(
            source,
            n2,
            f"catalogue number '{line2[2:7].strip()}' on line 2 differs from "
            f"'{line1[2:7].strip()}' on line 1 of the set (file line {n1}); both lines must come "
            "from the same set",
        )
    day = float(line1[20:32])
    if not 1.0 <= day < 367.0:
        raise _error(
            source,
            n1,
            f"epoch day of year {day} (columns 21-32) is outside 1..366.99999999; "
            f"a valid line 1 looks like '{_EXAMPLE_LINE1}'",
        )
    ecc = _parse_field(line2[26:33], "dec")
    if ecc >= MAX_ECCENTRICITY:
        raise _error(
            source,
            n2,
            f"eccentricity {ecc:.7f} (columns 27-33) is not a near-circular station orbit; "
            f"the target must have eccentricity < {MAX_ECCENTRICITY} (ISS: about 0.0005)",
        )
    n = float(line2[52:63])
    lo, hi = MEAN_MOTION_RANGE_REV_PER_DAY
    if not lo <= n <= hi:
        raise _error(
            source,
            n2,
            f"mean motion {n:.8f} rev/day (columns 53-63) is outside {lo}..{hi} rev/day "
            "(about 300..500 km altitude); the target must be a crewed-station orbit "
            "(ISS: about 15.5 rev/day)",
        )
    inc = float(line2[8:16])
    lo, hi = INCLINATION_RANGE_DEG
    if not lo <= inc <= hi:
        raise _error(
            source,
            n2,
            f"inclination {inc:.4f} deg (columns 9-16) is outside {lo}..{hi} deg; the target must "
            "be a station orbit reachable by the Baikonur in-plane ascent (ISS: 51.64 deg)",
        )


def parse_element_sets(text: str, source: str = "<string>") -> list[ElementSet]:
    """Parse and check all element sets in ``text``.

    Accepts 2-line sets and 3-line sets (a name line, optionally starting "0 ", then the two element
    lines), several per text, blank lines anywhere and ``#`` comment lines. The comment line just
    above a set (or above its name line) is kept as the set's ``comment``. ``source`` names the text
    in error messages (usually the file path).

    Raises :class:`ElementSetError` at the first problem, naming ``source`` and the line.
    """
    lines = text.splitlines()
    # Significant lines with their 1-based numbers; comments remembered as the last one seen.
    items: list[tuple[int, str, str]] = []  # (line number, text, comment before it)
    last_comment = ""
    for i, raw in enumerate(lines, start=1):
        line = raw.strip()  # indented or space-padded copies are common in documentation
        if not line:
            continue
        if line.startswith("#"):
            last_comment = line[1:].strip()
            continue
        items.append((i, line, last_comment))
        last_comment = ""

    sets: list[ElementSet] = []
    k = 0
    while k < len(items):
        number, line, comment = items[k]
        name = ""
        if not line.startswith(("1 ", "2 ")):
            # A name line (3-line form), or a corrupted line 1 if line 2 follows directly.
            if k + 1 < len(items) and items[k + 1][1].startswith("2 "):
                if len(line) < TLE_LINE_LENGTH - 5:
                    raise _error(
                        source,
                        number,
                        f"name line '{line[:30]}' is followed directly by line 2; the set's line 1 "
                        f"is missing: add it, it looks like '{_EXAMPLE_LINE1}'",
                    )
                _check_line(source, number, line, 1)  # raises: does not start with "1 "
            if k + 1 >= len(items):
                raise _error(
                    source,
                    number,
                    f"'{line[:30]}' is not followed by the two element lines; a set is an optional "
                    f"name line, then '{_EXAMPLE_LINE1[:20]}...', then '{_EXAMPLE_LINE2[:20]}...'",
                )
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            k += 1
            number, line, comment2 = items[k]
            comment = comment or comment2
            if not line.startswith("1 "):
                _check_line(source, number, line, 1)  # raises with the expected form
        if line.startswith("2 "):
            raise _error(
                source,
                number,
                "line 2 of an element set without a line 1 before it; each set needs "
                f"'{_EXAMPLE_LINE1[:20]}...' directly before its line 2",
            )
        if k + 1 >= len(items):
            raise _error(
                source,
                number,
                f"element line 1 is not followed by line 2; add the line 2 of the set, which looks "
                f"like '{_EXAMPLE_LINE2}'",
            )
        n2, line2, _ = items[k + 1]
        _check_set(source, number, line, n2, line2)
        sets.append(ElementSet(name, line, line2, source, number, comment))
        k += 2

    if not sets:
        raise _error(
            source,
            1,
            "no element sets found (the text is empty or only comments); an element file holds "
            f"sets of two lines such as '{_EXAMPLE_LINE1}' and '{_EXAMPLE_LINE2}'",
        )
    return sets


def read_element_sets(path) -> list[ElementSet]:
    """Read and check all element sets in the file at ``path`` (see :func:`parse_element_sets`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ElementSetError(
            f"{p}:0: cannot read the element file ({exc.strerror}); give the path of a TLE file"
        ) from None
    except UnicodeDecodeError:
        raise ElementSetError(
            f"{p}:0: the element file is not UTF-8 text; give a plain-text TLE file"
        ) from None
    return parse_element_sets(text, str(p))


def builtin_element_sets() -> list[ElementSet]:
    """The ISS element sets shipped with the package (``data/iss_tles.txt``, see PROVENANCE.md).

    Parsed once per process; each call returns a new list of the same (immutable) sets, so their
    cached SGP4 satellites are shared.
    """
    return list(_builtin_sets())


@lru_cache(maxsize=1)
def _builtin_sets() -> tuple[ElementSet, ...]:
    ref = resources.files("rendezvous") / "data" / "iss_tles.txt"
    text = ref.read_text(encoding="utf-8")
    return tuple(parse_element_sets(text, "rendezvous/data/iss_tles.txt"))


def _days(t0, t1) -> float:
    """Days from skyfield Time t0 to t1 (TT)."""
    return float((t1.whole - t0.whole) + (t1.tt_fraction - t0.tt_fraction))


def select_element_set(
    sets,
    t,
    *,
    allow_stale: bool = False,
    warn_age_days: float = 3.0,
    max_age_days: float = 14.0,
) -> ElementSet:
    """The latest set in ``sets`` whose epoch is at or before the skyfield Time ``t``.

    Warns :class:`StaleElementSetWarning` when that set is more than ``warn_age_days`` days older
    than ``t``; raises :class:`ElementSetError` when it is more than ``max_age_days`` old unless
    ``allow_stale`` (then it only warns), and when no set is at or before ``t``. Ages are in days.
    Using only sets from before ``t`` is what an operator could have known at the time.
    """
    sets = list(sets)
    if np.ndim(t.tt) != 0:
        raise ValueError("select_element_set: t must be a single skyfield Time, not an array")
    if not sets:
        raise ElementSetError(
            "<no sets>:0: no element sets to choose from; pass the list from "
            "read_element_sets(path) or builtin_element_sets()"
        )
    before = [s for s in sets if _days(s.epoch, t) >= 0.0]
    if not before:
        first = min(sets, key=lambda s: s.epoch.tt)
        raise _error(
            first.source,
            first.line_number,
            f"no element set with epoch at or before {_iso(t)}; the earliest is "
            f"{_iso(first.epoch)}; add a set from before that time to the file or choose a "
            "later time",
        )
    best = max(before, key=lambda s: (s.epoch.whole, s.epoch.tt_fraction))
    age = _days(best.epoch, t)
    if age > max_age_days and not allow_stale:
        raise _error(
            best.source,
            best.line_number,
            f"the latest element set before {_iso(t)} has epoch {_iso(best.epoch)}, "
            f"{age:.1f} days earlier (limit {max_age_days:g} d); add a newer set to the file "
            "or pass allow_stale=True",
        )
    if age > warn_age_days:
        warnings.warn(
            f"{best.where}: element set epoch {_iso(best.epoch)} is {age:.1f} days before "
            f"{_iso(t)}; SGP4 errors grow by km per day, add a newer set to the file",
            StaleElementSetWarning,
            stacklevel=2,
        )
    return best


def _iso(t) -> str:
    return t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Flight:
    """A real flight from the package's flights table (``data/flights.csv``, see PROVENANCE.md).

    name: e.g. "Soyuz MS-27"; launch, docking: skyfield Times (UTC as published; minutes where
    only minutes were published); site: e.g. "Baikonur 31/6"; docking_kind: "actual" or "planned";
    port: e.g. "Prichal nadir"; scheme: "2-orbit", "4-orbit" or "2-day".
    """

    name: str
    launch: object
    site: str
    docking: object
    docking_kind: str
    port: str
    scheme: str

    @property
    def duration_s(self) -> float:
        """Launch to docking, s."""
        return _days(self.launch, self.docking) * 86400.0


_FLIGHT_COLUMNS = ["flight", "launch_utc", "site", "docking_utc", "docking_kind", "port", "scheme"]


def _parse_flights(text: str, source: str) -> list[Flight]:
    rows = [
        (i, line)
        for i, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise ValueError(f"{source}:1: no header or rows; expected {','.join(_FLIGHT_COLUMNS)}")
    header_no, header = rows[0]
    cols = next(csv.reader(io.StringIO(header)))
    if [c.strip() for c in cols] != _FLIGHT_COLUMNS:
        raise ValueError(
            f"{source}:{header_no}: header is {header!r}; expected {','.join(_FLIGHT_COLUMNS)}"
        )
    out = []
    for number, line in rows[1:]:
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line)))]
        if len(fields) != len(_FLIGHT_COLUMNS):
            raise ValueError(
                f"{source}:{number}: {len(fields)} fields, {len(_FLIGHT_COLUMNS)} expected "
                f"({','.join(_FLIGHT_COLUMNS)})"
            )
        name, launch, site, docking, kind, port, scheme = fields
        where = f"{source}:{number}"
        out.append(
            Flight(
                name=name,
                launch=parse_utc(launch, name=f"{where}: launch_utc"),
                site=site,
                docking=parse_utc(docking, name=f"{where}: docking_utc"),
                docking_kind=kind,
                port=port,
                scheme=scheme,
            )
        )
    return out


def flights() -> list[Flight]:
    """The flights shipped with the package (``data/flights.csv``), in file order."""
    ref = resources.files("rendezvous") / "data" / "flights.csv"
    return _parse_flights(ref.read_text(encoding="utf-8"), "rendezvous/data/flights.csv")
