"""Standard Webhooks (and Svix, which uses the same scheme under its own header names).

Signed content is ``{id}.{timestamp}.{body}``; the signature header is a space-separated
list of ``version,base64`` entries, so a sender can sign with an old and a new secret during
a rotation. Only ``v1`` (HMAC-SHA256) entries are checked; other versions are skipped.
"""

from __future__ import annotations

import base64
import math
import secrets as _random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import SecretStr

from ats_reject.clock import Clock, ensure_aware
from ats_reject.errors import ConfigurationError
from ats_reject.webhooks._headers import HeadersInput, WebhookHeaders, is_header_name
from ats_reject.webhooks._hmac import (
    DEFAULT_MAX_BODY_BYTES,
    VerifiedSignature,
    check_max_body_bytes,
    check_signature,
    ensure_body_size,
    parse_base64_digest,
    require_utf8,
)
from ats_reject.webhooks._reasons import VerificationReason, fail
from ats_reject.webhooks._secrets import (
    STANDARD_WEBHOOKS_MIN_SECRET_BYTES,
    SecretsInput,
    WebhookSecret,
    coerce_secrets,
    hmac_sha256,
)
from ats_reject.webhooks._timestamps import (
    DEFAULT_TOLERANCE_SECONDS,
    check_fresh,
    parse_unix_timestamp,
    tolerance_from,
)

__all__ = ["STANDARD_WEBHOOKS", "SVIX", "StandardWebhooksScheme", "StandardWebhooksVerifier"]

_SIGNATURE_VERSION = "v1"
_CHECKED_VERSIONS = frozenset({_SIGNATURE_VERSION})
_MAX_ID_LENGTH = 256


@dataclass(frozen=True, slots=True)
class StandardWebhooksScheme:
    """The Standard Webhooks signature scheme under a given set of header names.

    Secrets are ``whsec_`` base64 text (the prefix is optional) of 24 to 64 random bytes.

    Attributes:
        name: The scheme's name, reported in results and logs.
        id_header: The header with the message id (stable across retries).
        timestamp_header: The header with the attempt's Unix time in seconds.
        signature_header: The header with the ``v1,<base64>`` signature list.
    """

    name: str = "standard_webhooks"
    id_header: str = "webhook-id"
    timestamp_header: str = "webhook-timestamp"
    signature_header: str = "webhook-signature"

    def __post_init__(self) -> None:
        """Refuse header names that no request could carry."""
        for header in (self.id_header, self.timestamp_header, self.signature_header):
            if not is_header_name(header):
                raise ConfigurationError(f"scheme {self.name!r}: a header name is not a token")

    def secret(self, value: str | SecretStr, *, secret_id: str | None = None) -> WebhookSecret:
        """Prepare one ``whsec_`` secret, with an optional label.

        Raises:
            ConfigurationError: Not base64, or not 24 to 64 bytes, or one byte repeated.
        """
        return WebhookSecret.from_standard_webhooks(value, secret_id=secret_id)

    def new_secret(self) -> SecretStr:
        """Return a fresh ``whsec_`` secret of 32 random bytes."""
        key = base64.b64encode(_random.token_bytes(32)).decode("ascii")
        return SecretStr(f"whsec_{key}")

    def sign(
        self,
        body: bytes,
        secrets: SecretsInput,
        *,
        message_id: str,
        timestamp: int | datetime,
    ) -> dict[str, str]:
        """Return the three headers a Standard Webhooks sender attaches to *body*.

        With several secrets the signature header lists one ``v1`` entry per secret, as a
        sender does during a rotation.

        Args:
            body: The exact body that will be sent.
            secrets: One secret or several, in ``whsec_`` form or as raw bytes.
            message_id: The message id; ASCII without ``.``, spaces or control characters.
            timestamp: Unix seconds, or an aware datetime (rounded down to the second).

        Raises:
            ValueError: *message_id* or *timestamp* cannot be signed.
            ConfigurationError: A secret is weak or malformed.
        """
        keys = _standard_secrets(secrets)
        if not _valid_id(message_id):
            raise ValueError("the message id must be printable ASCII without '.' or spaces")
        seconds = _unix_seconds(timestamp)
        content = f"{message_id}.{seconds}.".encode("ascii") + bytes(body)
        entries = [
            f"{_SIGNATURE_VERSION},{base64.b64encode(hmac_sha256(key, content)).decode('ascii')}"
            for key in keys
        ]
        return {
            self.id_header: message_id,
            self.timestamp_header: str(seconds),
            self.signature_header: " ".join(entries),
        }

    def verifier(
        self,
        secrets: SecretsInput,
        *,
        clock: Clock,
        tolerance: float | timedelta = DEFAULT_TOLERANCE_SECONDS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> StandardWebhooksVerifier:
        """Return a verifier of this scheme for the endpoint's active *secrets*."""
        return StandardWebhooksVerifier(
            secrets, clock=clock, tolerance=tolerance, max_body_bytes=max_body_bytes, scheme=self
        )


class StandardWebhooksVerifier:
    """Verifies Standard Webhooks requests against an endpoint's secrets.

    Args:
        secrets: The active secrets in order; any one of them verifies (rotation).
        clock: The clock the signed timestamp is checked against.
        tolerance: How far (seconds or timedelta) the timestamp may be from the clock, in
            the past or the future; 300 s by default, at most an hour, never off.
        max_body_bytes: The largest body accepted (1 MiB by default).
        scheme: The header names (:data:`STANDARD_WEBHOOKS` or :data:`SVIX`).

    Raises:
        ConfigurationError: No secret, a weak secret, a tolerance of 0, ``None`` or below,
            or a bad size limit.
    """

    __slots__ = ("_clock", "_max_body_bytes", "_scheme", "_secrets", "_tolerance")

    def __init__(
        self,
        secrets: SecretsInput,
        *,
        clock: Clock,
        tolerance: float | timedelta = DEFAULT_TOLERANCE_SECONDS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        scheme: StandardWebhooksScheme | None = None,
    ) -> None:
        self._scheme = scheme if scheme is not None else STANDARD_WEBHOOKS
        self._secrets = _standard_secrets(secrets)
        if not isinstance(clock, Clock):
            raise ConfigurationError("a Standard Webhooks verifier needs a Clock")
        self._clock = clock
        self._tolerance = tolerance_from(tolerance)
        self._max_body_bytes = check_max_body_bytes(max_body_bytes)

    @property
    def tolerance(self) -> timedelta:
        """How far the signed timestamp may be from the clock, either way."""
        return self._tolerance

    def verify(
        self, headers: HeadersInput, body: bytes | bytearray | memoryview
    ) -> VerifiedSignature:
        """Check that *body* and its id and timestamp were signed with an active secret.

        Args:
            headers: The request headers (a mapping or name/value pairs).
            body: The raw request body, exactly as received.

        Returns:
            Which secret matched, the message id and the signed time.

        Raises:
            WebhookVerificationError: For every bad input; ``reason`` says which.
        """
        raw = ensure_body_size(body, self._max_body_bytes)
        view = WebhookHeaders(headers)
        message_id = view.require(self._scheme.id_header)
        timestamp_text = view.require(self._scheme.timestamp_header)
        candidates = _parse_signature_list(view.require(self._scheme.signature_header))
        if not _valid_id(message_id):
            fail(VerificationReason.MALFORMED_ID, f"header {self._scheme.id_header!r}")
        sent_at = check_fresh(parse_unix_timestamp(timestamp_text), self._clock, self._tolerance)
        require_utf8(raw)
        content = f"{message_id}.{timestamp_text}.".encode("ascii") + raw
        return check_signature(
            self._scheme.name,
            self._secrets,
            content,
            candidates,
            message_id=message_id,
            timestamp=sent_at,
        )

    def __repr__(self) -> str:
        """Show the configuration, never a secret."""
        return (
            f"StandardWebhooksVerifier(scheme={self._scheme.name!r}, "
            f"secrets={len(self._secrets)}, tolerance={self._tolerance.total_seconds():g}s, "
            f"max_body_bytes={self._max_body_bytes})"
        )


def _standard_secrets(secrets: SecretsInput) -> tuple[WebhookSecret, ...]:
    return coerce_secrets(
        secrets, WebhookSecret.from_standard_webhooks, min_bytes=STANDARD_WEBHOOKS_MIN_SECRET_BYTES
    )


def _parse_signature_list(value: str) -> Sequence[bytes]:
    digests: list[bytes] = []
    for entry in value.split(" "):
        version, comma, encoded = entry.partition(",")
        if not version or not comma:
            # An empty entry (a double, leading or trailing space) or one without a comma.
            fail(VerificationReason.MALFORMED_HEADER, "signature list entry")
        if version in _CHECKED_VERSIONS:
            digests.append(parse_base64_digest(encoded))
    if not digests:
        fail(VerificationReason.UNSUPPORTED_SIGNATURE, f"no {_SIGNATURE_VERSION} signature")
    return digests


def _valid_id(message_id: str) -> bool:
    # The id is joined to the timestamp with '.', so a '.' would make the split ambiguous.
    return (
        isinstance(message_id, str)
        and 0 < len(message_id) <= _MAX_ID_LENGTH
        and message_id.isascii()
        and message_id.isprintable()
        and "." not in message_id
        and " " not in message_id
    )


def _unix_seconds(timestamp: int | datetime) -> int:
    if isinstance(timestamp, datetime):
        return math.floor(ensure_aware(timestamp).timestamp())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError("the timestamp must be whole Unix seconds (>= 0) or an aware datetime")
    return timestamp


STANDARD_WEBHOOKS = StandardWebhooksScheme()
"""Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``."""
SVIX = StandardWebhooksScheme(
    name="svix",
    id_header="svix-id",
    timestamp_header="svix-timestamp",
    signature_header="svix-signature",
)
"""Svix's own header names for the same scheme."""
