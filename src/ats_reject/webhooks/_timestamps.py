"""Signed timestamps: strict parsing and a symmetric tolerance that cannot be switched off."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from ats_reject.clock import Clock
from ats_reject.errors import ConfigurationError
from ats_reject.webhooks._reasons import VerificationReason, fail

__all__ = ["DEFAULT_TOLERANCE_SECONDS", "MAX_TOLERANCE_SECONDS"]

DEFAULT_TOLERANCE_SECONDS = 300
"""How far a signed timestamp may be from our clock, either way, by default (5 minutes)."""
MAX_TOLERANCE_SECONDS = 3600
"""The widest tolerance accepted: a wider one would in effect switch replay protection off."""

# Eleven digits reach the year 5138; more would only feed int() a huge string.
_MAX_TIMESTAMP_DIGITS = 11


def tolerance_from(value: object) -> timedelta:
    """Return the tolerance as a ``timedelta`` (package-internal).

    Args:
        value: Seconds (``int`` or ``float``) or a ``timedelta``; more than 0 and at most
            :data:`MAX_TOLERANCE_SECONDS`.

    Raises:
        ConfigurationError: ``None``, 0, negative, not finite, too wide or not a number.
            Unlike some libraries, there is no value that turns the check off.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ConfigurationError(
            "the timestamp tolerance must be a number of seconds or a timedelta; "
            "it cannot be switched off"
        )
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigurationError(
            "the timestamp tolerance must be more than 0 seconds; it cannot be switched off"
        )
    if seconds > MAX_TOLERANCE_SECONDS:
        raise ConfigurationError(
            f"the timestamp tolerance must be at most {MAX_TOLERANCE_SECONDS} seconds"
        )
    return timedelta(seconds=seconds)


def parse_unix_timestamp(text: str) -> int:
    """Parse whole Unix seconds written as plain ASCII digits (package-internal).

    Refuses what ``float()`` and ``int()`` would let through: signs, spaces, underscores,
    exponents, fractions, non-ASCII digits, ``nan``, and leading zeros.

    Raises:
        WebhookVerificationError: ``malformed_timestamp``.
    """
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > _MAX_TIMESTAMP_DIGITS
        or (len(text) > 1 and text.startswith("0"))
    ):
        fail(VerificationReason.MALFORMED_TIMESTAMP)
    return int(text)


def check_fresh(sent_at: int, clock: Clock, tolerance: timedelta) -> datetime:
    """Return *sent_at* as an aware datetime if it is within *tolerance* of *clock*.

    Raises:
        WebhookVerificationError: ``stale_timestamp`` or ``future_timestamp``.
    """
    signed = datetime.fromtimestamp(sent_at, UTC)
    now = clock.now()
    if now - signed > tolerance:
        fail(VerificationReason.STALE_TIMESTAMP)
    if signed - now > tolerance:
        fail(VerificationReason.FUTURE_TIMESTAMP)
    return signed
