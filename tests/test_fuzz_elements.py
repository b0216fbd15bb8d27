"""Fuzzing the element-file reader and SGP4 together (issue 12).

Every input is either accepted, with finite SGP4 states over the span a set is used for, or refused
with the package's own ElementSetError whose one-line, printable message names the file and a line
of it. Nothing else (no other exception, no NaN state) may come out. Hypothesis explores mutations
of a valid TLE file (any character anywhere; TLE-like text in each field with a valid checksum) and
of a valid OMM JSON file. The time parser is fuzzed in test_times.py.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tle_text import L1, L2, NAME
from tle_text import with_checksum as _fix

from rendezvous.elements import ElementSetError, read_element_sets
from rendezvous.times import at_seconds

TEXT = f"# the MS-27 set\n{NAME}\n{L1}\n{L2}\n"
# Field columns (1-based, inclusive) of lines 1 and 2 (CelesTrak's TLE format FAQ).
FIELDS = {
    1: [(3, 7), (8, 8), (10, 17), (19, 20), (21, 32), (34, 43), (45, 52), (54, 61), (63, 63)],
    2: [(3, 7), (9, 16), (18, 25), (27, 33), (35, 42), (44, 51), (53, 63), (64, 68)],
}
TLE_ALPHABET = "0123456789      +-.eEnaifNI\u0663\uff11\u200b"
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _judge(path, text: str) -> None:
    """Accepted with finite states, or refused with our one-line error naming file and line."""
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    n_lines = max(1, len(text.splitlines()))
    try:
        sets = read_element_sets(path)
    except ElementSetError as exc:
        msg = str(exc)
        m = re.match(re.escape(str(path)) + r":(\d+): ", msg)
        assert m, msg
        assert 0 <= int(m.group(1)) <= n_lines + 1, msg
        assert "\n" not in msg and all(" " <= c <= "~" for c in msg), msg
        assert "launch" not in msg
        return
    assert sets and all(s.catalogue_number == 25544 for s in sets)
    for s in sets:
        x = s.state(at_seconds(s.epoch, np.array([-86400.0, 0.0, 86400.0, 3 * 86400.0])))
        assert np.all(np.isfinite(x)), (s.line1, s.line2, s.omm)
        r = np.linalg.norm(x[:3], axis=0)
        assert np.all((r > 6.6e6) & (r < 7.0e6))  # a station's orbit, as checked


@SETTINGS
@given(st.integers(0, len(TEXT) - 1), st.text(min_size=0, max_size=3))
def test_any_character_anywhere(tmp_path, pos, insert):
    for drop in (0, 1):
        _judge(tmp_path / "tles.txt", TEXT[:pos] + insert + TEXT[pos + drop :])


@SETTINGS
@given(st.data())
def test_tle_like_text_in_each_field_with_a_valid_checksum(tmp_path, data):
    which = data.draw(st.sampled_from([1, 2]))
    c0, c1 = data.draw(st.sampled_from(FIELDS[which]))
    width = c1 - c0 + 1
    value = data.draw(st.text(alphabet=TLE_ALPHABET, min_size=width, max_size=width))
    line = L1 if which == 1 else L2
    line = _fix(line[: c0 - 1] + value + line[c1:])
    line1, line2 = (line, L2) if which == 1 else (L1, line)
    _judge(tmp_path / "tles.txt", f"{NAME}\n{line1}\n{line2}\n")


OMM = {
    "OBJECT_NAME": "ISS (ZARYA)",
    "OBJECT_ID": "1998-067A",
    "EPOCH": "2025-04-07T12:29:36.890304",
    "MEAN_MOTION": 15.4932068,
    "ECCENTRICITY": 0.0004979,
    "INCLINATION": 51.6365,
    "RA_OF_ASC_NODE": 297.0255,
    "ARG_OF_PERICENTER": 19.0825,
    "MEAN_ANOMALY": 341.0349,
    "EPHEMERIS_TYPE": 0,
    "CLASSIFICATION_TYPE": "U",
    "NORAD_CAT_ID": 25544,
    "ELEMENT_SET_NO": 999,
    "REV_AT_EPOCH": 50420,
    "BSTAR": 0.00021806,
    "MEAN_MOTION_DOT": 0.00011719,
    "MEAN_MOTION_DDOT": 0,
}
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1.0, max_value=400.0),
    st.text(max_size=12),
    st.from_regex(r"[0-9+-.eE]{1,12}", fullmatch=True),
    st.lists(st.integers(), max_size=2),
)


@SETTINGS
@given(st.sampled_from(sorted(OMM)), _VALUES, st.booleans())
def test_omm_json_any_value(tmp_path, key, value, drop_key):
    rec = dict(OMM)
    if drop_key:
        rec.pop(key)
    else:
        rec[key] = value
    _judge(tmp_path / "gp.json", json.dumps([rec], indent=1))


@pytest.mark.parametrize("cut", [1, 10, 100, 300, 500])
def test_omm_json_cut_anywhere(tmp_path, cut):
    _judge(tmp_path / "gp.json", json.dumps([OMM], indent=1)[:cut])


@SETTINGS
@given(st.integers(0, 1400), st.text(max_size=3))
def test_omm_xml_any_character_anywhere(tmp_path, pos, insert):
    from importlib import resources

    xml = (resources.files("rendezvous") / "data" / "iss_ms27_omm.xml").read_text()
    pos = min(pos, len(xml))
    _judge(tmp_path / "gp.xml", xml[:pos] + insert + xml[pos + 1 :])
