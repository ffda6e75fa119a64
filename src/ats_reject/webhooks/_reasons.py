"""The stable reason codes of a failed verification and the HTTP status each one earns."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import NoReturn

from ats_reject.errors import WebhookVerificationError

__all__ = ["VerificationReason", "http_status_for"]

logger = logging.getLogger("ats_reject.webhooks")


class VerificationReason(StrEnum):
    """Why a webhook request failed verification.

    The values are stable: they are logged, counted in metrics and documented in
    ``docs/webhooks.md``. Each member is a ``str``, so ``error.reason == "oversized"`` works.
    """

    MISSING_HEADER = "missing_header"
    """A header the scheme needs is absent."""
    EMPTY_HEADER = "empty_header"
    """A header the scheme needs is present but empty."""
    DUPLICATED_HEADER = "duplicated_header"
    """A needed header arrived twice (names compared ignoring case) with different values."""
    NON_ASCII_HEADER = "non_ascii_header"
    """A needed header holds characters outside ASCII."""
    MALFORMED_HEADER = "malformed_header"
    """A needed header is not shaped as the scheme says (wrong prefix, stray spaces, control
    characters), or the headers themselves are not a mapping or a list of name/value pairs."""
    MALFORMED_SIGNATURE = "malformed_signature"
    """A signature is not valid hex or base64 of a SHA-256 digest."""
    UNSUPPORTED_SIGNATURE = "unsupported_signature"
    """The signature header only holds versions this verifier does not check (``v1a``, ``v2``)."""
    MALFORMED_ID = "malformed_id"
    """The message id is too long or contains a ``.`` or a space."""
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    """The timestamp is not a plain run of ASCII digits."""
    STALE_TIMESTAMP = "stale_timestamp"
    """The timestamp is further in the past than the tolerance allows (a replay or a delay)."""
    FUTURE_TIMESTAMP = "future_timestamp"
    """The timestamp is further in the future than the tolerance allows (a skewed clock)."""
    NON_UTF8_BODY = "non_utf8_body"
    """The scheme signs text and the body is not UTF-8."""
    MALFORMED_BODY = "malformed_body"
    """The body is not bytes (a receiver bug: it must pass the raw request bytes)."""
    OVERSIZED = "oversized"
    """The body is larger than the configured maximum."""
    BAD_SIGNATURE = "bad_signature"
    """The request is well formed but no active secret produces its signature."""


_PAYLOAD_TOO_LARGE = frozenset({VerificationReason.OVERSIZED.value})


def http_status_for(reason: str | WebhookVerificationError) -> int:
    """Return the HTTP status a receiver should answer for a failed verification.

    Args:
        reason: A reason code, or the error that carries one.

    Returns:
        413 for an oversized body, 401 for every other failure.
    """
    code = reason.reason if isinstance(reason, WebhookVerificationError) else reason
    return 413 if code in _PAYLOAD_TOO_LARGE else 401


def fail(reason: VerificationReason, detail: str | None = None) -> NoReturn:
    """Raise the verification error for *reason*.

    *detail* must be built from the library's own constants (a header name we asked for),
    never from request content: it ends up in logs and error messages.
    """
    message = f"webhook verification failed: {reason.value}"
    if detail:
        message = f"{message} ({detail})"
    logger.debug("webhook verification failed: reason=%s", reason.value)
    raise WebhookVerificationError(reason.value, message)
