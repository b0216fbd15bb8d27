"""Tests of rendezvous.times: parse_utc and iso_utc, round trips, leap seconds, one-line errors.

Requirements (issues 10 and 12): a leap second prints as ``:60``; a date that overflows with its
offset is a one-line ValueError naming the parameter; any text is a Time or such an error.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rendezvous.times import at_seconds, iso_utc, parse_utc, seconds_between

# Leap seconds inserted at 23:59:60 UTC on these days (IERS Bulletin C; skyfield's table).
LEAP_DAYS = ["2008-12-31", "2012-06-30", "2015-06-30", "2016-12-31"]


@pytest.mark.parametrize("day", LEAP_DAYS)
def test_leap_second_reads_and_prints_as_60(day):
    t = parse_utc(f"{day}T23:59:60.25Z")
    assert iso_utc(t, digits=2) == f"{day}T23:59:60.25Z"
    assert iso_utc(t, digits=0) == f"{day}T23:59:60Z"
    before = parse_utc(f"{day}T23:59:59Z")
    after = parse_utc(f"{day}T23:59:59Z").tt + 2.0 / 86400.0
    assert seconds_between(before, t) == pytest.approx(1.25, abs=1e-6)
    assert iso_utc(at_seconds(before, 2.0), digits=0)[11:] == "00:00:00Z"  # 2 s later: next day
    assert after > t.tt


def test_leap_second_in_another_zone():
    t = parse_utc("2017-01-01T02:59:60.5+03:00", name="launch")
    assert iso_utc(t, digits=1) == "2016-12-31T23:59:60.5Z"


@pytest.mark.parametrize(
    "text", ["2025-04-08T23:59:60Z", "2016-12-31T12:00:60Z", "2016-12-31T23:59:61Z"]
)
def test_second_60_outside_a_leap_second_is_refused(text):
    with pytest.raises(ValueError, match=r"^launch: ") as info:
        parse_utc(text, name="launch")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text, words",
    [
        ("0001-01-01T00:00:00+03:00", "outside the years 1 to 9999"),
        ("9999-12-31T23:00:00-03:00", "outside the years 1 to 9999"),
        ("", "cannot read ''"),
        ("2025-04-08T05:47:15\x1b[2J", "\\x1b"),
        ("\uff12\uff10\uff12\uff15-04-08", "\\uff12"),
        ("2025-13-01T00:00:00Z", "cannot read"),
        ("x" * 500, "..."),
    ],
)
def test_bad_times_are_one_line_naming_the_parameter(text, words):
    with pytest.raises(ValueError) as info:
        parse_utc(text, name="launch")
    msg = str(info.value)
    assert msg.startswith("launch: ") and words in msg and "\n" not in msg and "\x1b" not in msg
    assert len(msg) < 300


def test_iso_utc_rounds_and_carries():
    t = parse_utc("2025-04-08T23:59:59.9996Z")
    assert iso_utc(t) == "2025-04-09T00:00:00.000Z"
    assert iso_utc(t, digits=4) == "2025-04-08T23:59:59.9996Z"
    ts = at_seconds(parse_utc("2025-04-08T05:47:15.309Z"), np.array([0.0, 0.691]))
    assert iso_utc(ts) == ["2025-04-08T05:47:15.309Z", "2025-04-08T05:47:16.000Z"]
    with pytest.raises(ValueError, match="^digits: "):
        iso_utc(t, digits=-1)


_DATETIMES = st.datetimes(min_value=dt.datetime(1973, 1, 1), max_value=dt.datetime(2099, 12, 31))
_ZONES = st.integers(min_value=-14 * 60, max_value=14 * 60)


@settings(max_examples=200, deadline=None)
@given(_DATETIMES, _ZONES)
def test_round_trip_to_the_microsecond(d, zone_min):
    zone = dt.timezone(dt.timedelta(minutes=zone_min))
    local = d.replace(tzinfo=dt.UTC).astimezone(zone)
    t = parse_utc(local.isoformat(), name="t")
    assert iso_utc(t, digits=6) == d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    again = parse_utc(iso_utc(t, digits=6))
    assert abs(seconds_between(t, again)) < 1e-6


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=40), st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]{0,20}"))
)
def test_any_text_is_a_time_or_one_line_error(text):
    try:
        t = parse_utc(text, name="launch")
    except ValueError as exc:
        msg = str(exc)
        assert msg.startswith("launch: ") and "\n" not in msg and "\r" not in msg
        assert all(" " <= c <= "~" for c in msg), msg
    else:
        assert np.isfinite(t.tt)
        assert iso_utc(t, digits=0).endswith("Z")
