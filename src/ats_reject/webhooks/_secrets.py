"""Webhook secrets: held as bytes behind a repr that shows nothing, checked for strength."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import TypeAlias

from pydantic import SecretStr

from ats_reject.errors import ConfigurationError

__all__ = [
    "STANDARD_WEBHOOKS_MAX_SECRET_BYTES",
    "STANDARD_WEBHOOKS_MIN_SECRET_BYTES",
    "SecretInput",
    "SecretsInput",
    "WebhookSecret",
]

STANDARD_WEBHOOKS_MIN_SECRET_BYTES = 24
"""The Standard Webhooks spec: a symmetric secret has at least 24 random bytes ..."""
STANDARD_WEBHOOKS_MAX_SECRET_BYTES = 64
"""... and at most 64 (512 bits)."""

_WHSEC_PREFIX = "whsec_"


class WebhookSecret:
    """One HMAC key of a webhook endpoint, with an optional public label.

    The key is kept as bytes in a private slot; ``repr`` and ``str`` show only the label, and
    there is no equality operator, so a secret never lands in a log line, an assertion
    message or a comparison that leaks timing.

    Args:
        key: The raw HMAC key.
        secret_id: A label that is safe to log ("2026-q1", "previous"); reported when this
            secret verifies a request.
        min_bytes: The shortest key accepted (at least 1).

    Raises:
        ConfigurationError: The key is not bytes, is empty, shorter than *min_bytes*, or
            one byte repeated.
    """

    __slots__ = ("_key", "_secret_id")

    def __init__(self, key: bytes, *, secret_id: str | None = None, min_bytes: int = 1) -> None:
        if secret_id is not None and not isinstance(secret_id, str):
            raise ConfigurationError("a webhook secret's label must be text")
        if not isinstance(key, bytes | bytearray):
            raise ConfigurationError(
                f"webhook secret{_label(secret_id)} must be bytes, not {type(key).__name__}"
            )
        _check_strength(bytes(key), min_bytes, secret_id)
        self._key = bytes(key)
        self._secret_id = secret_id

    @property
    def secret_id(self) -> str | None:
        """The label given to this secret, safe to log; ``None`` when it has none."""
        return self._secret_id

    @classmethod
    def from_text(
        cls, value: str | SecretStr, *, secret_id: str | None = None, min_bytes: int = 1
    ) -> WebhookSecret:
        """Build a secret whose key is the UTF-8 encoding of *value*.

        This is how Greenhouse, GitHub, Ashby and Lever key their HMACs.

        Raises:
            ConfigurationError: The text is not encodable, has surrounding whitespace (a
                pasted newline would silently make every signature fail), or is too weak.
        """
        text = _reveal(value, secret_id)
        if text[:1].isspace() or text[-1:].isspace():
            raise ConfigurationError(
                f"webhook secret{_label(secret_id)} has leading or trailing whitespace"
            )
        try:
            key = text.encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigurationError(
                f"webhook secret{_label(secret_id)} is not valid Unicode text"
            ) from None
        return cls(key, secret_id=secret_id, min_bytes=min_bytes)

    @classmethod
    def from_standard_webhooks(
        cls, value: str | SecretStr, *, secret_id: str | None = None
    ) -> WebhookSecret:
        """Build a secret from its Standard Webhooks form: ``whsec_`` and base64.

        The prefix is optional, as in the reference libraries. The decoded key must hold
        24 to 64 bytes, as the spec demands.

        Raises:
            ConfigurationError: The text is not strict base64 or the key is too weak.
        """
        encoded = _reveal(value, secret_id).removeprefix(_WHSEC_PREFIX)
        try:
            key = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise ConfigurationError(
                f"webhook secret{_label(secret_id)} is not a whsec_ base64 secret"
            ) from None
        if len(key) > STANDARD_WEBHOOKS_MAX_SECRET_BYTES:
            raise ConfigurationError(
                f"webhook secret{_label(secret_id)} is longer than "
                f"{STANDARD_WEBHOOKS_MAX_SECRET_BYTES} bytes"
            )
        return cls(key, secret_id=secret_id, min_bytes=STANDARD_WEBHOOKS_MIN_SECRET_BYTES)

    def __repr__(self) -> str:
        """Show the label only."""
        return f"WebhookSecret(secret_id={self.secret_id!r})"

    __str__ = __repr__


SecretInput: TypeAlias = WebhookSecret | SecretStr | str | bytes
"""One secret: a prepared :class:`WebhookSecret`, text (plain or ``SecretStr``) or raw bytes."""
SecretsInput: TypeAlias = SecretInput | Iterable[SecretInput]
"""One secret, or the active secrets of an endpoint in order (several during a rotation)."""


def hmac_sha256(secret: WebhookSecret, message: bytes) -> bytes:
    """Return the HMAC-SHA256 digest of *message* under *secret* (package-internal)."""
    return hmac.new(secret._key, message, hashlib.sha256).digest()


def key_length(secret: WebhookSecret) -> int:
    """Return the key length in bytes (package-internal, for strength checks)."""
    return len(secret._key)


def coerce_secrets(
    values: SecretsInput,
    from_text: Callable[[str | SecretStr], WebhookSecret],
    *,
    min_bytes: int,
) -> tuple[WebhookSecret, ...]:
    """Turn the configured secrets into :class:`WebhookSecret` objects, in order.

    Text goes through *from_text* (the scheme's format); bytes become raw keys; prepared
    secrets are re-checked against *min_bytes*.

    Raises:
        ConfigurationError: No secret at all, a value of the wrong type, or a weak secret;
            ``key_path`` says which one (``webhook_secrets[1]``).
    """
    if isinstance(values, WebhookSecret | SecretStr | str | bytes | bytearray):
        listed: Iterable[object] = (values,)
    elif isinstance(values, Iterable):
        listed = values
    else:
        raise ConfigurationError("webhook secrets must be a secret or a list of secrets")
    secrets: list[WebhookSecret] = []
    for index, value in enumerate(listed):
        try:
            secrets.append(_coerce_one(value, from_text, min_bytes))
        except ConfigurationError as exc:
            raise ConfigurationError(str(exc), key_path=f"webhook_secrets[{index}]") from None
    if not secrets:
        raise ConfigurationError("no active webhook secret: configure at least one")
    return tuple(secrets)


def _coerce_one(
    value: object, from_text: Callable[[str | SecretStr], WebhookSecret], min_bytes: int
) -> WebhookSecret:
    if isinstance(value, WebhookSecret):
        if key_length(value) < min_bytes:
            raise ConfigurationError(
                f"webhook secret{_label(value.secret_id)} is shorter than {min_bytes} bytes"
            )
        return value
    if isinstance(value, SecretStr | str):
        return from_text(value)
    if isinstance(value, bytes | bytearray):
        return WebhookSecret(bytes(value), min_bytes=min_bytes)
    raise ConfigurationError(f"a webhook secret is a {type(value).__name__}; give text or bytes")


def _check_strength(key: bytes, min_bytes: int, secret_id: str | None) -> None:
    if isinstance(min_bytes, bool) or not isinstance(min_bytes, int) or min_bytes < 1:
        raise ConfigurationError("the minimum secret length must be a positive number of bytes")
    if not key:
        raise ConfigurationError(f"webhook secret{_label(secret_id)} is empty")
    if len(key) < min_bytes:
        raise ConfigurationError(
            f"webhook secret{_label(secret_id)} is shorter than {min_bytes} bytes; "
            "use a random secret of at least that length"
        )
    if len(set(key)) < 2:
        raise ConfigurationError(
            f"webhook secret{_label(secret_id)} is one byte repeated; use a random secret"
        )


def _reveal(value: object, secret_id: str | None) -> str:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(text, str):
        raise ConfigurationError(f"webhook secret{_label(secret_id)} must be text")
    return text


def _label(secret_id: str | None) -> str:
    return f" {secret_id!r}" if secret_id is not None else ""
