"""Retry-After, rate-limit reset and rate-limit header parsing (R18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.http import (
    DEFAULT_RETRY_AFTER_CAP,
    parse_rate_limit_headers,
    parse_reset,
    parse_retry_after,
)

NOW = datetime(2019, 6, 3, 11, 0, 0, tzinfo=UTC)
NOWS_IN_ZONES = [
    NOW,
    NOW.astimezone(ZoneInfo("Asia/Jerusalem")),
    NOW.astimezone(ZoneInfo("America/Los_Angeles")),
    NOW.astimezone(timezone(timedelta(hours=5, minutes=45))),
]


@pytest.mark.parametrize("now", NOWS_IN_ZONES, ids=lambda moment: str(moment.utcoffset()))
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        ("  7 \t", 7.0),
        ("0", 0.0),
        ("3600", 3600.0),
        # The three HTTP-date formats of RFC 9110, all meaning 11:30:12 GMT (1812 s later).
        ("Mon, 03 Jun 2019 11:30:12 GMT", 1812.0),
        ("Monday, 03-Jun-19 11:30:12 GMT", 1812.0),
        ("Mon Jun  3 11:30:12 2019", 1812.0),
        ("Mon, 3 Jun 2019 12:00:00 UTC", 3600.0),
        # Offsets and zone names are honoured: 13:00 +0200 is 11:00 GMT.
        ("Mon, 03 Jun 2019 13:00:10 +0200", 10.0),
        ("Mon, 03 Jun 2019 04:00:20 PDT", 20.0),
        # A date in the past means "now".
        ("Mon, 03 Jun 2019 10:00:00 GMT", 0.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
    ],
)
def test_retry_after_forms(value: str, expected: float, now: datetime) -> None:
    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "-1",
        "+1",
        "1.0",
        "1e3",
        "²",
        "١٢",  # Arabic-Indic digits
        "7 s",
        "soon",
        "Mon, 03 Jun 2019 25:30:12 GMT",  # hour 25
        "Fri, 31 Feb 2019 11:30:12 GMT",  # no such day
        "Mon, 03 Foo 2019 11:30:12 GMT",
        "0x10",
    ],
)
def test_retry_after_garbage_falls_back(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_retry_after_is_capped() -> None:
    assert parse_retry_after("999999999", now=NOW) == DEFAULT_RETRY_AFTER_CAP
    assert parse_retry_after("120", now=NOW, cap=30) == 30
    far = (NOW + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(far, now=NOW) == DEFAULT_RETRY_AFTER_CAP


def test_retry_after_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_retry_after("1", now=datetime(2019, 6, 3, 11, 0, 0))


@pytest.mark.parametrize("now", NOWS_IN_ZONES, ids=lambda moment: str(moment.utcoffset()))
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),  # seconds until reset
        ("2.5", 2.5),
        (" 0 ", 0.0),
        (str(int(NOW.timestamp()) + 9), 9.0),  # Unix seconds (Greenhouse, Workable)
        (f"{NOW.timestamp() + 1.5:.3f}", 1.5),
        (str(int(NOW.timestamp()) - 100), 0.0),  # already past
        (str(int(NOW.timestamp() * 1000) + 4000), 4.0),  # Unix milliseconds
        ("999999999", DEFAULT_RETRY_AFTER_CAP),  # largest delta: just under the epoch floor
    ],
)
def test_reset_forms(value: str, expected: float, now: datetime) -> None:
    assert parse_reset(value, now=now) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "-5", "+5", "abc", "1,5", "nan", "inf", "٣"])
def test_reset_garbage(value: str | None) -> None:
    assert parse_reset(value, now=NOW) is None


def test_rate_limit_headers_both_spellings_case_insensitive() -> None:
    reset = str(int(NOW.timestamp()) + 6)
    greenhouse = parse_rate_limit_headers(
        {"x-ratelimit-limit": "50", "X-RateLimit-Remaining": "49", "X-RATELIMIT-RESET": reset},
        now=NOW,
    )
    workable = parse_rate_limit_headers(
        {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3"},
        now=NOW,
    )
    assert greenhouse is not None
    assert (greenhouse.limit, greenhouse.remaining, greenhouse.reset_after) == (50, 49, 6.0)
    assert workable is not None
    assert (workable.limit, workable.remaining, workable.reset_after) == (10, 0, 3.0)


def test_rate_limit_headers_absent_or_partial() -> None:
    assert parse_rate_limit_headers({"Content-Type": "application/json"}, now=NOW) is None
    partial = parse_rate_limit_headers(
        {"X-RateLimit-Remaining": "oops", "X-RateLimit-Limit": "50, 50;w=10"}, now=NOW
    )
    assert partial is not None
    assert (partial.limit, partial.remaining, partial.reset_after) == (50, None, None)


def test_absurdly_long_values_are_unreadable_not_a_crash() -> None:
    # int() refuses strings of more than 4300 digits; a server must not break every call.
    huge = "9" * 5000
    parsed = parse_rate_limit_headers(
        {"X-RateLimit-Limit": huge, "X-RateLimit-Remaining": huge, "X-RateLimit-Reset": "5"},
        now=NOW,
    )
    assert parsed is not None
    assert (parsed.limit, parsed.remaining, parsed.reset_after) == (None, None, 5.0)
    assert parse_retry_after(huge, now=NOW) == DEFAULT_RETRY_AFTER_CAP


AWARE_NOWS = st.datetimes(
    min_value=datetime(1990, 1, 1),  # hypothesis takes naive bounds
    max_value=datetime(2090, 1, 1),
    timezones=st.sampled_from([UTC, ZoneInfo("Asia/Jerusalem"), ZoneInfo("Pacific/Kiritimati")]),
)
HTTP_DATES = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2099, 12, 31),
).map(lambda moment: moment.strftime("%a, %d %b %Y %H:%M:%S GMT"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.one_of(st.text(max_size=40), st.integers().map(str), HTTP_DATES),
    now=AWARE_NOWS,
    cap=st.floats(min_value=0, max_value=1e6),
)
def test_retry_after_never_negative_nor_uncapped(value: str, now: datetime, cap: float) -> None:
    delay = parse_retry_after(value, now=now, cap=cap)
    assert delay is None or 0.0 <= delay <= cap
    reset = parse_reset(value, now=now, cap=cap)
    assert reset is None or 0.0 <= reset <= cap
