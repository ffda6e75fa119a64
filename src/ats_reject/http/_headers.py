"""Reading the server's timing hints: ``Retry-After`` and the rate-limit header families.

Every parser here is total: a value it cannot read gives ``None`` (the caller falls back to
its own backoff), never an exception, and a value it can read gives a delay that is neither
negative nor larger than the cap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz

from ats_reject.clock import ensure_aware

__all__ = [
    "DEFAULT_RETRY_AFTER_CAP",
    "RateLimitHeaders",
    "parse_rate_limit_headers",
    "parse_reset",
    "parse_retry_after",
]

DEFAULT_RETRY_AFTER_CAP = 21600.0
"""Six hours, the cap urllib3 applies to ``Retry-After``; longer requests are clipped."""

# ASCII digits only: str.isdigit() and \d also accept "²" or Arabic-Indic digits.
_DELAY_SECONDS = re.compile(r"[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
# A request count; longer runs mean nothing, and int() refuses strings past 4300 digits.
_COUNT = re.compile(r"[0-9]{1,18}", re.ASCII)

_EPOCH_SECONDS_FLOOR = 1_000_000_000
"""Reset values at or above this (2001-09-09 as a Unix time) are read as timestamps."""
_EPOCH_MILLISECONDS_FLOOR = 1_000_000_000_000
"""Reset values at or above this are Unix timestamps in milliseconds."""

_HEADER_FAMILIES: tuple[str, ...] = ("X-RateLimit", "X-Rate-Limit", "RateLimit")


def parse_retry_after(
    value: str | None, *, now: datetime, cap: float = DEFAULT_RETRY_AFTER_CAP
) -> float | None:
    """Return the delay a ``Retry-After`` header asks for, in seconds.

    Two forms are read (RFC 9110, section 10.2.3): a whole number of seconds, optionally
    surrounded by whitespace, and an HTTP-date in any of the three historical formats
    (RFC 1123 ``Sun, 06 Nov 1994 08:49:37 GMT``, RFC 850 ``Sunday, 06-Nov-94 08:49:37 GMT``
    and asctime ``Sun Nov  6 08:49:37 1994``). A date without a zone is read as GMT; a date
    with a numeric offset or a zone name is honoured. Signs, fractions and non-ASCII digits
    (``-1``, ``+1``, ``1.0``, ``²``) are refused, as urllib3 refuses them.

    Args:
        value: The raw header value, or ``None`` when the header is absent.
        now: The current time (aware); an HTTP-date is measured from it.
        cap: The longest delay returned; longer requests are clipped to it.

    Returns:
        Seconds to wait, between 0 (a date in the past) and *cap*; ``None`` when the header is
        absent or unreadable, in which case the caller uses its own backoff.

    Raises:
        ValueError: *now* is naive.
    """
    now = ensure_aware(now)
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return _clamp(float(text), cap)
    moment = _parse_http_date(text)
    if moment is None:
        return None
    return _clamp((moment - now).total_seconds(), cap)


def parse_reset(
    value: str | None, *, now: datetime, cap: float = DEFAULT_RETRY_AFTER_CAP
) -> float | None:
    """Return the seconds until a rate-limit window resets, from an ``X-*-Reset`` value.

    Vendors send either a Unix timestamp (Greenhouse, Workable: "timestamp of next interval")
    or the seconds left (GitHub-style ``RateLimit-Reset``). The two are told apart by
    magnitude: a value of at least 1,000,000,000 is a timestamp (that many seconds from now
    would be over 31 years, which no rate limit means; as a timestamp it is September 2001,
    earlier than any server clock), at least 1,000,000,000,000 a timestamp in milliseconds;
    anything smaller is a number of seconds. Fractions are accepted; signs are not.

    Args:
        value: The raw header value, or ``None``.
        now: The current time (aware), to measure a timestamp from.
        cap: The longest delay returned.

    Returns:
        Seconds until the reset, between 0 (already past) and *cap*; ``None`` when the value
        is absent or unreadable.

    Raises:
        ValueError: *now* is naive.
    """
    now = ensure_aware(now)
    if value is None:
        return None
    text = value.strip()
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    if number >= _EPOCH_MILLISECONDS_FLOOR:
        return _clamp(number / 1000.0 - now.timestamp(), cap)
    if number >= _EPOCH_SECONDS_FLOOR:
        return _clamp(number - now.timestamp(), cap)
    return _clamp(number, cap)


@dataclass(frozen=True)
class RateLimitHeaders:
    """What one response said about the credential's rate-limit budget.

    Attributes:
        limit: Requests allowed per window, when the server said.
        remaining: Requests left in the current window, when the server said.
        reset_after: Seconds until the window resets (or, for sliding windows, until the
            budget grows again), when the server said.
    """

    limit: int | None
    remaining: int | None
    reset_after: float | None


def parse_rate_limit_headers(
    headers: Mapping[str, str], *, now: datetime, cap: float = DEFAULT_RETRY_AFTER_CAP
) -> RateLimitHeaders | None:
    """Read ``X-RateLimit-*`` (Greenhouse), ``X-Rate-Limit-*`` (Workable) or ``RateLimit-*``.

    The first family with any of ``-Limit``, ``-Remaining`` or ``-Reset`` present wins;
    unreadable values count as absent.

    Args:
        headers: Response headers; a case-insensitive mapping such as ``response.headers``
            (a plain ``dict`` is searched case-insensitively too).
        now: The current time (aware), for timestamp resets.
        cap: The longest ``reset_after`` returned.

    Returns:
        The parsed values, or ``None`` when no family is present at all.
    """
    lowered = {name.lower(): text for name, text in headers.items()}
    for family in _HEADER_FAMILIES:
        prefix = family.lower()
        limit_text = lowered.get(f"{prefix}-limit")
        remaining_text = lowered.get(f"{prefix}-remaining")
        reset_text = lowered.get(f"{prefix}-reset")
        if limit_text is None and remaining_text is None and reset_text is None:
            continue
        return RateLimitHeaders(
            limit=_parse_count(limit_text),
            remaining=_parse_count(remaining_text),
            reset_after=parse_reset(reset_text, now=now, cap=cap),
        )
    return None


def requested_wait(
    status: int, headers: Mapping[str, str], *, now: datetime, cap: float = DEFAULT_RETRY_AFTER_CAP
) -> float | None:
    """Seconds the server asked to wait before the next request (package-internal).

    ``Retry-After`` when readable; on a 429 without it, the rate-limit reset; else ``None``.
    """
    wait = parse_retry_after(header_value(headers, "Retry-After"), now=now, cap=cap)
    if wait is None and status == 429:
        limits = parse_rate_limit_headers(headers, now=now, cap=cap)
        wait = limits.reset_after if limits is not None else None
    return wait


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Return the header *name*, ignoring case even in a plain ``dict`` (package-internal)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((text for key, text in headers.items() if key.lower() == wanted), None)


def _parse_count(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    # Some servers list several policies ("50, 50;w=10"); the first number is the one in force.
    text = text.split(",", 1)[0].split(";", 1)[0].strip()
    if not _COUNT.fullmatch(text):
        return None
    return int(text)


def _parse_http_date(text: str) -> datetime | None:
    parts = parsedate_tz(text)
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    offset = parts[9] or 0
    try:
        # parsedate_tz is lenient (hour 25, 31 February); datetime() is the validity check.
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return moment - timedelta(seconds=offset)
    except (ValueError, OverflowError):
        return None


def _clamp(seconds: float, cap: float) -> float:
    return min(max(seconds, 0.0), max(cap, 0.0))
