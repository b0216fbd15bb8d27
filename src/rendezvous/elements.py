"""Element files: reading and checking TLE and OMM element sets of the target station.

This is the one module of the package that reads element files. It

- reads NORAD two-line element sets (TLEs) in 2-line and 3-line (name line first) form, several per
  file, with ``#`` comment lines (the comment line just above a set is kept as its provenance), and
  CCSDS Orbit Mean-Elements Messages (OMM, CCSDS 502.0-B-3) as CelesTrak and Space-Track publish
  them, in JSON (a list of records with ``OBJECT_NAME``, ``NORAD_CAT_ID``, ``EPOCH``,
  ``MEAN_MOTION``...) and in XML (``<segment>`` elements with ``metadata``, ``meanElements`` and
  ``tleParameters``); the format is recognised from the first character (``[``/``{``: JSON,
  ``<``: XML, otherwise TLE);
- keeps only the sets of the target station, identified by its NORAD catalogue number (the ISS,
  25544, by default): sets of other objects are checked for their format only and then ignored;
- checks each target set as SGP4 reads it, SGP4 being the final judge: printable ASCII only, every
  TLE field by its columns with the same rules as ``sgp4``'s ``twoline2rv`` (and the values SGP4
  read compared with ours), finite numbers within their ranges, ``satrec.error`` after
  initialisation and finite states from a day before the epoch to 14 days after;
- checks that the orbit is one a crewed station is kept in and that the package's ship can reach
  (:func:`check_station_orbit`);
- stops at the first problem with an :class:`ElementSetError` whose one-line message is
  ``FILE:LINE: what is wrong; how to fix``, with non-printable characters escaped.

SGP4 is the model of Hoots & Roehrich 1980 ("Spacetrack Report #3") as revised by Vallado, Crawford,
Hujsak & Kelso 2006 ("Revisiting Spacetrack Report #3", AIAA 2006-6753), implemented by the ``sgp4``
package. Choosing a set for a time and checking consecutive sets for station manoeuvres is in
:mod:`rendezvous.ephemeris`.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

__all__ = [
    "ISS_CATALOGUE_NUMBER",
    "ElementSet",
    "ElementSetError",
    "check_element_set",
    "check_station_orbit",
    "parse_element_sets",
    "read_element_sets",
]

ISS_CATALOGUE_NUMBER = 25544
"""NORAD catalogue number of the ISS (ZARYA), the default target."""

TLE_LINE_LENGTH = 69
"""Characters in each of the two element lines (68 fields + 1 checksum digit)."""

MAX_FILE_BYTES = 50_000_000
"""Largest element file read (CelesTrak's whole active catalogue is about 3 MB as TLE, 15 MB as
OMM XML)."""

# Station orbit checks (see check_station_orbit).
MAX_ECCENTRICITY = 0.01
INCLINATION_RANGE_DEG = (51.0, 52.5)
MIN_PERIGEE_ALT_M = 300e3
MAX_APOGEE_ALT_M = 500e3
INSERTION_APOGEE_ALT_M = 230e3
MAX_ABS_BSTAR = 0.01

_EXAMPLE_LINE1 = "1 25544U 98067A   25097.52056586  .00011719  00000-0  21806-3 0  9999"
_EXAMPLE_LINE2 = "2 25544  51.6365 297.0255 0004979  19.0825 341.0349 15.49320680504205"

# TLE fields: (name, first column, last column, pattern) 1-based inclusive, as in CelesTrak's
# "FAQs: Two-Line Element Set Format" (T.S. Kelso) and the column reads of sgp4's twoline2rv.
# Patterns are ASCII-only (no \d, which matches any Unicode digit).
_REAL = r" *[+-]?[0-9]*\.[0-9]+"  # a decimal number, right-justified
_EXP = r"[ +-][0-9]{5}[+-][0-9]"  # assumed point and exponent: " 21806-3" = 0.21806e-3
_INT = r" *[0-9]+"
_SATNUM = r" *[0-9]+|[A-HJ-NP-Z][0-9]{4}"  # plain or Alpha-5 (letters other than I and O)
_LINE1_FIELDS = (
    ("catalogue number", 3, 7, _SATNUM),
    ("classification", 8, 8, r"[UCS ]"),
    ("international designator", 10, 17, r"[ -~]{8}"),
    ("epoch year", 19, 20, r"[0-9]{2}"),
    ("epoch day of year", 21, 32, r" *[0-9]+\.[0-9]+"),
    ("first derivative of mean motion", 34, 43, _REAL),
    ("second derivative of mean motion", 45, 52, _EXP),
    ("BSTAR drag term", 54, 61, _EXP),
    ("ephemeris type", 63, 63, r"[0-9 ]"),
    ("element set number", 65, 68, _INT),
)
_LINE2_FIELDS = (
    ("catalogue number", 3, 7, _SATNUM),
    ("inclination", 9, 16, r" *[0-9]+\.[0-9]+"),
    ("right ascension of the ascending node", 18, 25, r" *[0-9]+\.[0-9]+"),
    ("eccentricity", 27, 33, r"[0-9]{7}"),
    ("argument of perigee", 35, 42, r" *[0-9]+\.[0-9]+"),
    ("mean anomaly", 44, 51, r" *[0-9]+\.[0-9]+"),
    ("mean motion", 53, 63, r" *[0-9]+\.[0-9]+"),
    ("revolution number", 64, 68, r" *[0-9]*"),
)
_BLANK_COLUMNS = {1: (2, 9, 18, 33, 44, 53, 62, 64), 2: (2, 8, 17, 26, 34, 43, 52)}


class ElementSetError(ValueError):
    """A bad element file or an unusable choice of set; the message is one line:
    ``FILE:LINE: what is wrong; how to fix``."""


def escape(text: object, limit: int = 80) -> str:
    """``text`` with every character outside printable ASCII escaped (``\\x1b``, ``\\u200b``...),
    cut to ``limit`` characters: safe to print on a terminal, on one line."""
    s = str(text)
    cut = len(s) > limit
    s = s[:limit]
    out = "".join(
        ch if " " <= ch <= "~" else ch.encode("unicode_escape").decode("ascii") for ch in s
    )
    return out + ("..." if cut else "")


def _error(source: str, line: int, text: str) -> ElementSetError:
    return ElementSetError(f"{escape(source, 200)}:{line}: {text}")


def _checksum(line: str) -> int:
    """NORAD mod-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    return sum(int(c) if "0" <= c <= "9" else (c == "-") for c in line[:68]) % 10


def _exp_field(s: str) -> float:
    """An assumed-point field such as ' 21806-3' (= 0.21806e-3) or '-11606-4'."""
    sign = -1.0 if s[0] == "-" else 1.0
    return sign * float("0." + s[1:6]) * 10.0 ** int(s[6:8])


def _satnum(s: str) -> int:
    """Catalogue number as sgp4 reads it: digits, or Alpha-5 (A = 10, ... skipping I and O)."""
    s = s.strip()
    if s[0].isalpha():
        k = ord(s[0]) - ord("A") + 10
        k -= (s[0] > "I") + (s[0] > "O")
        return k * 10000 + int(s[1:])
    return int(s)


@dataclass(frozen=True)
class ElementSet:
    """One element set as read from a file.

    name: the object's name (the 3-line form's name line or OMM ``OBJECT_NAME``; "" if none);
    line1, line2: the two TLE element lines (69 characters each), or "" for an OMM set;
    source: the file (or "<string>") it came from; line_number: 1-based line of ``line1`` in it
    (of the record's start for OMM); comment: the ``#`` comment line just above a TLE set (its
    provenance), without the ``#``; omm: the OMM keywords and values (text) of an OMM set;
    line2_number: 1-based line of ``line2`` (0: the line after ``line1``).
    """

    name: str
    line1: str
    line2: str
    source: str
    line_number: int
    comment: str = ""
    omm: tuple[tuple[str, str], ...] = ()
    line2_number: int = field(default=0, compare=False)

    @classmethod
    def from_lines(
        cls, line1: str, line2: str, name: str = "", source: str = "<lines>"
    ) -> ElementSet:
        """A checked set from its two element lines (raises :class:`ElementSetError` if bad)."""
        text = (f"{name}\n" if name else "") + f"{line1}\n{line2}\n"
        sets = parse_element_sets(text, source, catalogue_number=None)
        if len(sets) != 1:
            raise ElementSetError(f"{source}:1: expected one element set, found {len(sets)}")
        return sets[0]

    @cached_property
    def satellite(self):
        """The skyfield ``EarthSatellite`` (SGP4, WGS-72) for this set, on the package
        timescale."""
        from skyfield.api import EarthSatellite

        from .times import timescale

        if self.omm:
            from .omm import omm_fields_for_sgp4

            return EarthSatellite.from_omm(timescale(), omm_fields_for_sgp4(dict(self.omm)))
        return EarthSatellite(self.line1, self.line2, self.name or None, timescale())

    @property
    def satrec(self):
        """The ``sgp4.api.Satrec`` holding the elements as SGP4 read them."""
        return self.satellite.model

    @property
    def epoch(self):
        """The set's epoch as a skyfield Time (UTC as written in the set)."""
        return self.satellite.epoch

    @property
    def bstar(self) -> float:
        """SGP4 drag term B*, 1/earth radii."""
        return float(self.satrec.bstar)

    @property
    def inclination_deg(self) -> float:
        """Mean inclination, degrees."""
        return math.degrees(self.satrec.inclo)

    @property
    def eccentricity(self) -> float:
        """Mean eccentricity (dimensionless)."""
        return float(self.satrec.ecco)

    @property
    def mean_motion_rev_per_day(self) -> float:
        """Kozai mean motion, revolutions per day."""
        return float(self.satrec.no_kozai) * 1440.0 / (2.0 * math.pi)

    @property
    def catalogue_number(self) -> int:
        """NORAD catalogue number (25544 for the ISS), as written in the set."""
        if self.line1:
            return _satnum(self.line1[2:7])
        return int(dict(self.omm).get("NORAD_CAT_ID", "0"))

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the set's first element line, for messages."""
        return f"{escape(self.source, 200)}:{self.line_number}"

    def perigee_apogee_alt_m(self) -> tuple[float, float]:
        """Mean perigee and apogee heights above the WGS-72 equatorial radius, m, from SGP4's
        (Brouwer) mean motion and eccentricity."""
        rec = self.satrec
        r = float(rec.radiusearthkm) * 1e3
        return float(rec.altp) * r, float(rec.alta) * r

    def state(self, t) -> np.ndarray:
        """GCRS state of the satellite at skyfield Time ``t`` by SGP4.

        Returns (6,) [x, y, z, vx, vy, vz] in m and m/s for a scalar Time, (6, n) for an array Time.
        Where SGP4 fails (decayed orbit, far from epoch) the columns are NaN.
        """
        g = self.satellite.at(t)
        r = np.asarray(g.position.m, dtype=float)
        v = np.asarray(g.velocity.m_per_s, dtype=float)
        return np.concatenate([r, v], axis=0)


# ------------------------------------------------------------------------------------------------
# Reading files


def read_element_sets(path, *, catalogue_number: int | None = ISS_CATALOGUE_NUMBER):
    """Read and check the element sets of ``catalogue_number`` in the file at ``path``.

    TLE, OMM JSON or OMM XML (module docstring). Only regular files are read (a FIFO or a device
    is refused without opening it for reading), at most ``MAX_FILE_BYTES``. ``catalogue_number``
    None keeps the sets of every object (each then checked as a station set). Raises
    :class:`ElementSetError` naming the file and the line.
    """
    p = Path(path)
    source = str(p)
    if source in ("", "."):
        raise ElementSetError("<path>:0: the element file path is empty; give a TLE or OMM file")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _error(
            source, 0, f"cannot read the element file ({exc.strerror}); give a TLE or OMM file"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise _error(source, 0, f"the element file is {kind}; give a TLE or OMM file")
        if info.st_size > MAX_FILE_BYTES:
            raise _error(
                source,
                0,
                f"the element file has {info.st_size} bytes, more than the "
                f"{MAX_FILE_BYTES} read; keep only the station's sets in it",
            )
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _error(source, 0, f"cannot read the element file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise _error(source, 0, f"the element file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _error(
            source,
            line,
            "the element file is not text (bytes that are not UTF-8); give a TLE or OMM file",
        ) from None
    return parse_element_sets(text, source, catalogue_number=catalogue_number)


def parse_element_sets(
    text: str, source: str = "<string>", *, catalogue_number: int | None = ISS_CATALOGUE_NUMBER
) -> list[ElementSet]:
    """Parse and check the element sets of ``catalogue_number`` in ``text`` (TLE or OMM).

    TLE: 2-line and 3-line sets (a name line, optionally starting "0 ", then the two element
    lines), several per text, blank lines anywhere and ``#`` comment lines; the comment line just
    above a set (or above its name line) is kept as the set's ``comment``. ``source`` names the
    text in messages (usually the file path). Sets of other objects are checked for their format
    only and dropped; ``catalogue_number`` None keeps all (each checked as a station set).

    Raises :class:`ElementSetError` at the first problem, naming ``source`` and the line, and when
    no set of ``catalogue_number`` is found (naming the objects that were).
    """
    from .omm import parse_omm_json, parse_omm_xml

    head = text.lstrip()[:1]
    if head in ("[", "{"):
        sets = parse_omm_json(text, source)
        kind = "OMM JSON"
    elif head == "<":
        sets = parse_omm_xml(text, source)
        kind = "OMM XML"
    else:
        sets = _parse_tle(text, source)
        kind = "TLE"
    if not sets:
        raise _error(
            source,
            1,
            f"no element sets found ({kind}: the text is empty or only comments); an element file "
            f"holds sets of two lines such as '{_EXAMPLE_LINE1}' and '{_EXAMPLE_LINE2}', or OMM",
        )
    target = sets
    if catalogue_number is not None:
        target = [s for s in sets if s.catalogue_number == catalogue_number]
        if not target:
            found = sorted({(s.catalogue_number, s.name) for s in sets})
            names = ", ".join(f"{n} {escape(m, 30)}".strip() for n, m in found[:5])
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            raise _error(
                source,
                sets[0].line_number,
                f"no element set of catalogue number {catalogue_number} (the station); the file "
                f"holds {names}{more}; give a file with the station's sets",
            )
    for s in target:
        check_element_set(s)
    return target


def check_element_set(s: ElementSet, **station) -> None:
    """All the checks of a station set made when a file is read: SGP4 reads it as its columns
    say and accepts it, the orbit is a station's (:func:`check_station_orbit`, ``station`` its
    keyword arguments) and SGP4 stays finite over ``JUDGED_SPAN_DAYS``. For sets built directly
    (``ElementSet(...)``); raises :class:`ElementSetError` naming the file and line."""
    _judge(s)
    check_station_orbit(s, **station)
    _judge_span(s)


# ------------------------------------------------------------------------------------------------
# TLE


def _check_line(source: str, number: int, line: str, which: int) -> None:
    """Check one element line (1 or 2) as SGP4 reads it: characters, length, checksum, fields."""
    example = _EXAMPLE_LINE1 if which == 1 else _EXAMPLE_LINE2
    valid = f"a valid line {which} looks like '{example}'"
    bad = next((i for i, ch in enumerate(line) if not " " <= ch <= "~"), None)
    if bad is not None:
        raise _error(
            source,
            number,
            f"column {bad + 1} holds '{escape(line[bad])}', not a printable ASCII character "
            f"(element lines are plain ASCII); re-copy the line from its source; {valid}",
        )
    if not line.startswith(f"{which} "):
        raise _error(
            source,
            number,
            f"line {which} of an element set must start with '{which} ', found "
            f"'{escape(line, 10)}'; {valid}",
        )
    if len(line) != TLE_LINE_LENGTH:
        raise _error(
            source,
            number,
            f"element line {which} has {len(line)} characters, {TLE_LINE_LENGTH} expected; {valid}",
        )
    last = line[68]
    if not "0" <= last <= "9":
        raise _error(
            source, number, f"checksum (column 69) must be a digit, found '{last}'; {valid}"
        )
    expected = _checksum(line)
    if int(last) != expected:
        raise _error(
            source,
            number,
            f"wrong mod-10 checksum: expected {expected}, found {last} (the line is corrupted or "
            f"was edited; re-copy it from the source); {valid}",
        )
    for col in _BLANK_COLUMNS[which]:
        if line[col - 1] != " ":
            raise _error(
                source, number, f"column {col} must be blank, found '{line[col - 1]}'; {valid}"
            )
    for name, c0, c1, pattern in _LINE1_FIELDS if which == 1 else _LINE2_FIELDS:
        text = line[c0 - 1 : c1]
        if not re.fullmatch(pattern, text):
            raise _error(
                source,
                number,
                f"{name} in columns {c0}-{c1} is '{text}', not in the TLE format; {valid}",
            )


def _tle_values(line1: str, line2: str) -> dict[str, float]:
    """The fields of two checked lines, in sgp4's units (radians, rad/min, 1/ER)."""
    xpdotp = 1440.0 / (2.0 * math.pi)
    rad = math.pi / 180.0
    return {
        "satnum": _satnum(line1[2:7]),
        "epochdays": float(line1[20:32]),
        "ndot": float(line1[33:43]) / (xpdotp * 1440.0),
        "nddot": _exp_field(line1[44:52]) / (xpdotp * 1440.0 * 1440.0),
        "bstar": _exp_field(line1[53:61]),
        "inclo": float(line2[8:16]) * rad,
        "nodeo": float(line2[17:25]) * rad,
        "ecco": float("0." + line2[26:33]),
        "argpo": float(line2[34:42]) * rad,
        "mo": float(line2[43:51]) * rad,
        "no_kozai": float(line2[52:63]) / xpdotp,
    }


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
    year = int(line1[18:20])
    year += 2000 if year < 57 else 1900  # sgp4's rule for two-digit years
    days_in_year = 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365
    day = float(line1[20:32])
    if not 1.0 <= day < days_in_year + 1.0:
        raise _error(
            source,
            n1,
            f"epoch day of year {day} (columns 21-32) is outside 1..{days_in_year}.99999999 "
            f"for {year}; a valid line 1 looks like '{_EXAMPLE_LINE1}'",
        )


def _tle_items(text: str) -> list[tuple[int, str, str]]:
    """Significant lines with their 1-based numbers and the comment line above each."""
    items: list[tuple[int, str, str]] = []
    last_comment = ""
    # split on "\n" only (as editors number lines): str.splitlines also splits on form feeds,
    # \x1c-\x1e and Unicode separators, which would shift the line numbers in messages
    for i, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r\n")  # indented or space-padded copies are common in documents
        if not line:
            continue
        if line.startswith("#"):
            last_comment = line[1:].strip()
            continue
        items.append((i, line, last_comment))
        last_comment = ""
    return items


def _parse_tle(text: str, source: str) -> list[ElementSet]:
    items = _tle_items(text)
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
                        f"name line '{escape(line, 30)}' is followed directly by line 2; the "
                        f"set's line 1 is missing: add it, it looks like '{_EXAMPLE_LINE1}'",
                    )
                _check_line(source, number, line, 1)  # raises: does not start with "1 "
            if k + 1 >= len(items):
                raise _error(
                    source,
                    number,
                    f"'{escape(line, 30)}' is not followed by the two element lines; a set is an "
                    f"optional name line, then '{_EXAMPLE_LINE1[:20]}...', then "
                    f"'{_EXAMPLE_LINE2[:20]}...'",
                )
            _check_name(source, number, line)
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
        sets.append(ElementSet(name, line, line2, source, number, comment, (), n2))
        k += 2
    return sets


def _check_name(source: str, number: int, line: str) -> None:
    bad = next((i for i, ch in enumerate(line) if not " " <= ch <= "~"), None)
    if bad is not None:
        raise _error(
            source,
            number,
            f"name line holds '{escape(line[bad])}' in column {bad + 1}, not a printable ASCII "
            "character (element files are plain ASCII); re-copy the set from its source",
        )
    if len(line) > 80:
        raise _error(source, number, f"name line has {len(line)} characters; keep it under 80")


# ------------------------------------------------------------------------------------------------
# SGP4 as the judge, and the station's orbit


def _judge(s: ElementSet) -> None:
    """SGP4 reads the set, accepts it (``satrec.error`` 0) and gives a finite state at epoch; for
    a TLE, the values SGP4 read are those of our column reading."""
    try:
        sat = s.satellite
    except (ValueError, OverflowError, KeyError, TypeError) as exc:
        raise _error(
            s.source, s.line_number, f"SGP4 cannot read this set ({escape(exc, 60)}); re-copy it"
        ) from None
    rec = sat.model
    if rec.error != 0:
        raise _error(
            s.source,
            s.line_number,
            f"SGP4 refuses this set at initialisation (sgp4 error {rec.error}: "
            f"{_SGP4_ERRORS.get(rec.error, 'unknown')}); the set is not a valid Earth orbit",
        )
    if s.line1:
        ours = _tle_values(s.line1, s.line2)
        for key, value in ours.items():
            got = float(getattr(rec, key))
            if not math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-15):
                raise _error(
                    s.source,
                    s.line_number,
                    f"SGP4 reads {key} as {got!r} where the columns say {value!r}; the set is "
                    "not in the strict TLE format: re-copy it from its source",
                )
    _judge_span(s, (0.0,))


def _judge_span(s: ElementSet, span_days=None) -> None:
    """SGP4 gives finite states at ``span_days`` (default ``JUDGED_SPAN_DAYS``) from epoch."""
    rec = s.satrec
    for days in JUDGED_SPAN_DAYS if span_days is None else span_days:
        err, r, v = rec.sgp4(rec.jdsatepoch, rec.jdsatepochF + days)
        if err != 0 or not all(math.isfinite(x) for x in (*r, *v)):
            when = "at the set's epoch" if days == 0 else f"{days:+g} days from the set's epoch"
            raise _error(
                s.source,
                s.line_number,
                f"SGP4 gives no finite state {when} (sgp4 error {err}: "
                f"{_SGP4_ERRORS.get(err, 'unknown')}); the set is not a station's orbit",
            )


JUDGED_SPAN_DAYS = (0.0, -1.0, 1.0, 3.0, 7.0, 14.0)
"""Days from epoch at which SGP4 must give a finite state: a set is used up to a day before its
epoch (a launch-window search over a day) and up to 14 days after (the age limit of
``ephemeris.select_element_set``)."""


_SGP4_ERRORS = {
    1: "mean eccentricity outside 0..1 or semi-major axis below 0.95 Earth radii",
    2: "negative mean motion",
    3: "perturbed eccentricity outside 0..1",
    4: "negative semi-latus rectum",
    6: "the orbit has decayed",
}


def check_station_orbit(
    s: ElementSet,
    *,
    insertion_apogee_alt_m: float = INSERTION_APOGEE_ALT_M,
    min_perigee_alt_m: float = MIN_PERIGEE_ALT_M,
    max_apogee_alt_m: float = MAX_APOGEE_ALT_M,
) -> None:
    """Raise :class:`ElementSetError` unless ``s`` is an orbit a crewed station is kept in and the
    package's ship can reach from Baikonur.

    A model choice, not a law: near-circular (mean eccentricity below 0.01; the ISS: about 0.0005);
    inclination 51.0 to 52.5 deg (the ISS: 51.64 deg; the in-plane ascent from Baikonur cannot
    reach other planes); mean perigee at least ``min_perigee_alt_m`` (300 km) and mean apogee at
    most ``max_apogee_alt_m`` (500 km) above the equatorial radius. In mean motion (Kozai, at
    e = 0) this is about 15.22 to 15.92 rev/day; the sets shipped with the package lie at about
    400-425 km. (16.4 rev/day, the bound used before, is about 165 km: below the ship's own
    insertion orbit.) The station's
    perigee must also be above the insertion orbit's apogee ``insertion_apogee_alt_m`` (230 km by
    default, ``launch.AscentModel``), since the fast schemes catch up from below. B* must be below
    ``MAX_ABS_BSTAR`` (0.01 1/ER) in size (the ISS: 1e-5 to 1e-3).
    """
    where = (s.source, (s.line2_number or s.line_number + 1) if s.line1 else s.line_number)
    ecc = s.eccentricity
    if not 0.0 <= ecc < MAX_ECCENTRICITY:
        raise _error(
            *where,
            f"eccentricity {ecc:.7f} is not a near-circular station orbit; the target must have "
            f"eccentricity < {MAX_ECCENTRICITY} (ISS: about 0.0005)",
        )
    inc = s.inclination_deg
    lo, hi = INCLINATION_RANGE_DEG
    if not lo <= inc <= hi:
        raise _error(
            *where,
            f"inclination {inc:.4f} deg is outside {lo}..{hi} deg; the target must be a station "
            "orbit reachable by the Baikonur in-plane ascent (ISS: 51.64 deg)",
        )
    hp, ha = s.perigee_apogee_alt_m()
    n = s.mean_motion_rev_per_day
    floor = max(min_perigee_alt_m, insertion_apogee_alt_m)
    if hp < floor or ha > max_apogee_alt_m:
        raise _error(
            *where,
            f"mean motion {n:.8f} rev/day gives a {hp / 1e3:.0f} x {ha / 1e3:.0f} km orbit, "
            f"outside the station band (perigee at least {floor / 1e3:.0f} km, above the ship's "
            f"{insertion_apogee_alt_m / 1e3:.0f} km insertion apogee; apogee at most "
            f"{max_apogee_alt_m / 1e3:.0f} km); the target must be a crewed-station orbit "
            "(ISS: about 15.5 rev/day, 420 km)",
        )
    b = s.bstar
    if not abs(b) <= MAX_ABS_BSTAR:
        raise _error(
            s.source,
            s.line_number,
            f"B* {b:.5g} 1/ER is not a station's drag term (|B*| at most {MAX_ABS_BSTAR}; ISS: "
            "1e-5 to 1e-3); re-copy the set from its source",
        )
