"""The shared primitives: body size, digest parsing, constant-time matching, the result."""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from ats_reject._redact import sanitize_log_value
from ats_reject.errors import ConfigurationError
from ats_reject.webhooks._headers import HeadersInput
from ats_reject.webhooks._reasons import VerificationReason, fail, logger
from ats_reject.webhooks._secrets import (
    SecretInput,
    SecretsInput,
    WebhookSecret,
    coerce_secrets,
    hmac_sha256,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "VerifiedSignature",
    "WebhookVerifier",
    "ensure_body_size",
    "sign_hmac_hex",
    "verify_hmac_hex",
]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""Largest body a verifier accepts unless configured otherwise (1 MiB)."""

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_DIGEST = re.compile(r"[A-Za-z0-9+/]{43}=")


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """What a successful verification established. Nothing in it is secret.

    Attributes:
        scheme: The scheme's name (``greenhouse``, ``standard_webhooks`` ...).
        secret_index: Position of the matching secret among the active ones; during a
            rotation it tells whether senders still use the old secret.
        secret_id: The matching secret's label, when it was given one.
        message_id: The signed message id, for schemes that sign one (Standard Webhooks).
        timestamp: The signed send time, for schemes that sign one (aware UTC).
    """

    scheme: str
    secret_index: int
    secret_id: str | None = None
    message_id: str | None = None
    timestamp: datetime | None = None


@runtime_checkable
class WebhookVerifier(Protocol):
    """What every verifier offers; receivers and adapters depend on this, not on a scheme."""

    def verify(
        self, headers: HeadersInput, body: bytes | bytearray | memoryview
    ) -> VerifiedSignature:
        """Return what was verified, or raise ``WebhookVerificationError``."""
        ...


def ensure_body_size(body: object, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> bytes:
    """Return *body* as ``bytes`` after checking that it is bytes and not too large.

    Receivers and body-signature adapters (Lever) call this before parsing anything.

    Args:
        body: The raw request body (``bytes``, ``bytearray`` or ``memoryview``).
        max_bytes: The largest body accepted.

    Raises:
        WebhookVerificationError: ``malformed_body`` when *body* is not bytes, ``oversized``
            when it is longer than *max_bytes*.
        ConfigurationError: *max_bytes* is not a positive integer.
    """
    limit = check_max_body_bytes(max_bytes)
    if isinstance(body, memoryview):
        size = body.nbytes
    elif isinstance(body, bytes | bytearray):
        size = len(body)
    else:
        fail(VerificationReason.MALFORMED_BODY, "the body must be the raw request bytes")
    if size > limit:
        fail(VerificationReason.OVERSIZED, f"larger than {limit} bytes")
    return bytes(body)


def check_max_body_bytes(max_bytes: object) -> int:
    """Return *max_bytes* if it is a positive integer (package-internal).

    Raises:
        ConfigurationError: It is not.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ConfigurationError("max_body_bytes must be a positive whole number of bytes")
    return max_bytes


def parse_hex_digest(signature: object) -> bytes:
    """Decode a SHA-256 digest written as 64 hex digits (package-internal).

    Raises:
        WebhookVerificationError: ``malformed_signature``.
    """
    return bytes.fromhex(_digest_text(signature, _HEX_DIGEST, "expected 64 hex digits"))


def parse_base64_digest(signature: object) -> bytes:
    """Decode a SHA-256 digest written in padded standard base64 (package-internal).

    Raises:
        WebhookVerificationError: ``malformed_signature``.
    """
    # The pattern admits only valid base64 of 32 bytes, so decoding cannot fail.
    text = _digest_text(signature, _BASE64_DIGEST, "expected base64 of 32 bytes")
    return base64.b64decode(text, validate=True)


def require_utf8(body: bytes) -> None:
    """Refuse a body that is not UTF-8 where the scheme signs text (package-internal).

    Raises:
        WebhookVerificationError: ``non_utf8_body``.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        fail(VerificationReason.NON_UTF8_BODY)


def check_signature(
    scheme: str,
    secrets: Sequence[WebhookSecret],
    message: bytes,
    candidates: Sequence[bytes],
    *,
    message_id: str | None = None,
    timestamp: datetime | None = None,
) -> VerifiedSignature:
    """Find the first secret whose digest of *message* is a candidate (package-internal).

    Every comparison is ``hmac.compare_digest`` on bytes, and every pair is compared, so
    the time taken does not depend on where (or whether) a match is found. The match is
    logged by the secret's position and label, never by its value.

    Raises:
        WebhookVerificationError: ``bad_signature`` when no secret matches.
    """
    matched: int | None = None
    for index, secret in enumerate(secrets):
        expected = hmac_sha256(secret, message)
        for candidate in candidates:
            if hmac.compare_digest(expected, candidate) and matched is None:
                matched = index
    if matched is None:
        fail(VerificationReason.BAD_SIGNATURE)
    secret_id = secrets[matched].secret_id
    logger.debug(
        "webhook verified: scheme=%s secret_index=%d secret_id=%s",
        scheme,
        matched,
        sanitize_log_value(secret_id) if secret_id is not None else "-",
    )
    return VerifiedSignature(scheme, matched, secret_id, message_id, timestamp)


def verify_hmac_hex(
    message: bytes,
    signature: str | bytes,
    secrets: SecretsInput,
    *,
    min_secret_bytes: int = 1,
) -> int:
    """Check a hex HMAC-SHA256 *signature* of *message* against the active *secrets*.

    For vendors that sign something other than a header-carried body digest. Lever, for
    example, signs ``token + triggeredAt`` from the JSON body with the webhook's signature
    token; its adapter extracts those and calls this.

    Args:
        message: The exact bytes that were signed.
        signature: The hex digest as received (either letter case).
        secrets: The active secrets, in order; text is keyed as UTF-8.
        min_secret_bytes: The shortest secret accepted; vendors that issue the secret
            themselves (Lever) leave it at 1.

    Returns:
        The index of the matching secret.

    Raises:
        WebhookVerificationError: ``malformed_body`` (message not bytes),
            ``malformed_signature`` or ``bad_signature``.
        ConfigurationError: No secret, or a weak one.
    """
    active = coerce_secrets(
        secrets,
        lambda text: WebhookSecret.from_text(text, min_bytes=min_secret_bytes),
        min_bytes=min_secret_bytes,
    )
    if not isinstance(message, bytes | bytearray | memoryview):
        fail(VerificationReason.MALFORMED_BODY, "the signed message must be bytes")
    digest = parse_hex_digest(signature)
    return check_signature("hmac_hex", active, bytes(message), (digest,)).secret_index


def sign_hmac_hex(message: bytes, secret: SecretInput) -> str:
    """Return the lowercase hex HMAC-SHA256 of *message*, as :func:`verify_hmac_hex` expects.

    Sandboxes use it to sign deliveries the way body-signature vendors (Lever) do.

    Raises:
        ConfigurationError: The secret is empty or one byte repeated.
    """
    return hmac_sha256(single_secret(secret, WebhookSecret.from_text), bytes(message)).hex()


def single_secret(
    secret: SecretInput, from_text: Callable[[str | SecretStr], WebhookSecret]
) -> WebhookSecret:
    """Coerce the one secret a signer uses (package-internal).

    Raises:
        ConfigurationError: *secret* is a list, or weak.
    """
    if not isinstance(secret, WebhookSecret | SecretStr | str | bytes | bytearray):
        raise ConfigurationError("sign with exactly one secret")
    return coerce_secrets(secret, from_text, min_bytes=1)[0]


def _digest_text(signature: object, pattern: re.Pattern[str], expected: str) -> str:
    text: str | None = None
    if isinstance(signature, bytes | bytearray):
        raw = bytes(signature)
        text = raw.decode("ascii") if raw.isascii() else None
    elif isinstance(signature, str):
        text = signature
    # The patterns are ASCII-only, so they refuse non-ASCII text themselves.
    if text is None or not pattern.fullmatch(text):
        fail(VerificationReason.MALFORMED_SIGNATURE, expected)
    return text
