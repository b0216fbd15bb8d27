"""OMM element files: CCSDS Orbit Mean-Elements Messages in JSON and XML, read into element sets.

The OMM (CCSDS 502.0-B-3, "Orbit Data Messages") carries the same SGP4 mean elements as a TLE at
full precision. CelesTrak and Space-Track publish it as JSON (a list of records with keywords such
as ``OBJECT_NAME``, ``NORAD_CAT_ID``, ``EPOCH``, ``MEAN_MOTION``, ``ECCENTRICITY``, ``BSTAR``) and
as XML (``<segment>`` elements holding ``metadata``, ``data/meanElements`` and
``data/tleParameters``, the layout ``sgp4.omm.parse_xml`` reads). This module checks the keywords
and values (printable ASCII, finite numbers, the epoch's form) and makes
:class:`~rendezvous.elements.ElementSet` values; SGP4 initialisation (``sgp4.omm.initialize``
through skyfield's ``EarthSatellite.from_omm``) and the station checks are done by
:mod:`rendezvous.elements`, as for TLEs. Errors name the file and the line where the record
starts. XML with a DOCTYPE or entity declarations is refused (no entity expansion).
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

from .elements import ElementSet, _error, escape

__all__ = ["omm_fields_for_sgp4", "parse_omm_json", "parse_omm_xml"]

# OMM keywords read (CCSDS 502.0-B-3 names), with the kind of value.
_OMM_TEXT = ("OBJECT_NAME", "OBJECT_ID", "EPOCH", "CLASSIFICATION_TYPE")
_OMM_NUMBERS = (
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
_OMM_INTEGERS = ("NORAD_CAT_ID", "EPHEMERIS_TYPE", "ELEMENT_SET_NO", "REV_AT_EPOCH")
_OMM_REQUIRED: tuple[str, ...] = ("EPOCH", "NORAD_CAT_ID", "MEAN_MOTION", "ECCENTRICITY")
_OMM_REQUIRED += ("INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "BSTAR")
_OMM_EPOCH = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z?")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _no_constant(name: str):
    raise ValueError(name)


def parse_omm_json(text: str, source: str) -> list[ElementSet]:
    """OMM records from a JSON list (or one object), each with the line where it starts."""
    dec = json.JSONDecoder(parse_constant=_no_constant)
    pos = len(text) - len(text.lstrip())
    records: list[tuple[int, object]] = []
    try:
        if text[pos] == "{":
            obj, _ = dec.raw_decode(text, pos)
            records.append((pos, obj))
        else:
            pos += 1
            while True:
                while pos < len(text) and text[pos] in " \t\r\n,":
                    pos += 1
                if pos >= len(text) or text[pos] == "]":
                    break
                obj, end = dec.raw_decode(text, pos)
                records.append((pos, obj))
                pos = end
    except (ValueError, RecursionError) as exc:
        where = getattr(exc, "pos", pos)
        raise _error(
            source,
            _line_of(text, where),
            f"not valid OMM JSON ({escape(getattr(exc, 'msg', exc), 60)}); give the file as "
            "published (a list of records with OBJECT_NAME, NORAD_CAT_ID, EPOCH, MEAN_MOTION...)",
        ) from None
    sets = []
    for start, obj in records:
        line = _line_of(text, start)
        if not isinstance(obj, dict):
            raise _error(
                source, line, "an OMM JSON record must be an object with OMM keywords (EPOCH...)"
            )
        sets.append(_omm_set(obj, source, line))
    return sets


def parse_omm_xml(text: str, source: str) -> list[ElementSet]:
    """OMM segments from CCSDS OMM XML (as sgp4.omm.parse_xml reads it), with their lines."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise _error(
            source,
            _line_of(text, text.find("<!")),
            "OMM XML with a DOCTYPE or entities is not read; give the file as published",
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise _error(
            source,
            exc.position[0],
            f"not valid OMM XML ({escape(exc, 60)}); give the file as published",
        ) from None
    starts = [m.start() for m in re.finditer(r"<segment[\s>]", text)]
    sets = []
    for k, segment in enumerate(root.iter("segment")):
        line = _line_of(text, starts[k]) if k < len(starts) else 1
        fields: dict[str, object] = {}
        for part in ("metadata", "data/meanElements", "data/tleParameters"):
            node = segment.find(part)
            if node is not None:
                fields.update((child.tag, child.text) for child in node)
        sets.append(_omm_set(fields, source, line))
    return sets


def omm_fields_for_sgp4(fields: dict[str, str]) -> dict[str, str]:
    """The keywords sgp4.omm.initialize needs, with their usual defaults where absent."""
    out = {
        "CLASSIFICATION_TYPE": "U",
        "OBJECT_ID": "",
        "EPHEMERIS_TYPE": "0",
        "ELEMENT_SET_NO": "999",
        "REV_AT_EPOCH": "0",
        "MEAN_MOTION_DOT": "0",
        "MEAN_MOTION_DDOT": "0",
    }
    out.update(fields)
    epoch = out["EPOCH"].rstrip("Z")
    if "." not in epoch:
        epoch += ".0"
    head, frac = epoch.split(".")
    out["EPOCH"] = f"{head}.{frac[:6]}"  # sgp4 reads microseconds (%f)
    return out


def _omm_set(obj: dict, source: str, line: int) -> ElementSet:
    """Check one OMM record's keywords and values (text or JSON numbers); the set."""
    fix = "give the record as published by CelesTrak or Space-Track"
    for key in _OMM_REQUIRED:
        if obj.get(key) in (None, ""):
            raise _error(source, line, f"OMM record without {key}; {fix}")
    fields: dict[str, str] = {}
    for key in _OMM_TEXT + _OMM_NUMBERS + _OMM_INTEGERS:
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _error(source, line, f"OMM {key} is {escape(value, 30)!r}, not a value; {fix}")
        s = str(value).strip()
        bad = next((ch for ch in s if not " " <= ch <= "~"), None)
        if bad is not None:
            raise _error(
                source, line, f"OMM {key} holds {escape(bad)!r}, not printable ASCII; {fix}"
            )
        if key in _OMM_NUMBERS and not re.fullmatch(
            r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?", s
        ):
            raise _error(source, line, f"OMM {key} is {escape(s, 30)!r}, not a number; {fix}")
        if key in _OMM_NUMBERS and not math.isfinite(float(s)):
            raise _error(source, line, f"OMM {key} is {escape(s, 30)!r}, not finite; {fix}")
        if key in _OMM_INTEGERS and not re.fullmatch(r"[0-9]{1,9}", s):
            raise _error(source, line, f"OMM {key} is {escape(s, 30)!r}, not a whole number; {fix}")
        if key == "CLASSIFICATION_TYPE" and s not in ("U", "C", "S"):
            raise _error(source, line, f"OMM {key} is {escape(s, 30)!r}, not U, C or S; {fix}")
        if key in _OMM_TEXT and len(s) > 80:
            raise _error(source, line, f"OMM {key} has {len(s)} characters; {fix}")
        if key == "NORAD_CAT_ID" and int(s) > 339999:
            raise _error(
                source, line, f"OMM NORAD_CAT_ID {s} is above 339999, the largest SGP4 reads; {fix}"
            )
        fields[key] = s
    if not _OMM_EPOCH.fullmatch(fields["EPOCH"]):
        raise _error(
            source,
            line,
            f"OMM EPOCH is {escape(fields['EPOCH'], 40)!r}; it must read like "
            f"2025-04-07T12:29:36.891936 (UTC); {fix}",
        )
    name = fields.get("OBJECT_NAME", "")
    return ElementSet(name, "", "", source, line, "", tuple(sorted(fields.items())))
