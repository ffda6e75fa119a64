"""The generic body-signature scheme: HMAC-SHA256 of the raw body, in one header.

Greenhouse, GitHub and Ashby are three configurations of it; so is any vendor that sends
``<prefix><hex or base64 digest of the body>`` in a header of its choice.
"""

from __future__ import annotations

import base64
import re
import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import SecretStr

from ats_reject.errors import ConfigurationError
from ats_reject.webhooks._headers import HeadersInput, WebhookHeaders, is_header_name
from ats_reject.webhooks._hmac import (
    DEFAULT_MAX_BODY_BYTES,
    VerifiedSignature,
    check_max_body_bytes,
    check_signature,
    ensure_body_size,
    parse_base64_digest,
    parse_hex_digest,
    require_utf8,
    single_secret,
)
from ats_reject.webhooks._reasons import VerificationReason, fail
from ats_reject.webhooks._secrets import (
    SecretInput,
    SecretsInput,
    WebhookSecret,
    coerce_secrets,
    hmac_sha256,
)

__all__ = ["ASHBY", "GITHUB", "GREENHOUSE", "HmacHeaderScheme", "HmacHeaderVerifier"]

_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_DECODERS: dict[str, Callable[[str], bytes]] = {
    "hex": parse_hex_digest,
    "base64": parse_base64_digest,
}
_ENCODERS: dict[str, Callable[[bytes], str]] = {
    "hex": bytes.hex,
    "base64": lambda digest: base64.b64encode(digest).decode("ascii"),
}


@dataclass(frozen=True, slots=True)
class HmacHeaderScheme:
    """HMAC-SHA256 of the raw body, sent as ``<prefix><digest>`` in one header.

    Attributes:
        name: The scheme's name, reported in results and logs.
        header: The header that carries the signature (matched ignoring case).
        prefix: Text before the digest, exactly (``"sha256 "`` for Greenhouse, with a space).
        encoding: How the digest is written: ``"hex"`` (either letter case) or ``"base64"``.
        min_secret_bytes: The shortest secret accepted. These vendors let the user pick the
            secret, so the default asks for 24 bytes, like the Standard Webhooks spec.
        require_utf8_body: Refuse bodies that are not UTF-8 (``non_utf8_body``). Off by
            default: the signature covers bytes, and a signed body that cannot be read is
            the payload parser's to quarantine, not a forgery.
    """

    name: str
    header: str
    prefix: str = ""
    encoding: Literal["hex", "base64"] = "hex"
    min_secret_bytes: int = 24
    require_utf8_body: bool = False

    def __post_init__(self) -> None:
        """Refuse a configuration that could never verify anything."""
        if not is_header_name(self.header):
            raise ConfigurationError(f"scheme {self.name!r}: the header name is not a token")
        if not _PRINTABLE.fullmatch(self.prefix):
            raise ConfigurationError(f"scheme {self.name!r}: the prefix must be printable ASCII")
        if self.encoding not in _DECODERS:
            raise ConfigurationError(f"scheme {self.name!r}: encoding must be hex or base64")
        if isinstance(self.min_secret_bytes, bool) or self.min_secret_bytes < 1:
            raise ConfigurationError(f"scheme {self.name!r}: min_secret_bytes must be >= 1")

    def secret(self, value: str | SecretStr, *, secret_id: str | None = None) -> WebhookSecret:
        """Prepare one secret of this scheme (text keyed as UTF-8), with an optional label.

        Raises:
            ConfigurationError: The secret is too weak for this scheme.
        """
        return WebhookSecret.from_text(value, secret_id=secret_id, min_bytes=self.min_secret_bytes)

    def new_secret(self) -> SecretStr:
        """Return a fresh random secret (32 random bytes, URL-safe text) to give the vendor."""
        return SecretStr(_random.token_urlsafe(32))

    def sign(self, body: bytes, secret: SecretInput) -> dict[str, str]:
        """Return the header a vendor of this scheme would send with *body*.

        Sandboxes use it to sign deliveries exactly as the vendor does.

        Raises:
            ConfigurationError: The secret is weak or not a single secret.
        """
        key = single_secret(secret, self._from_text)
        digest = hmac_sha256(key, bytes(body))
        return {self.header: f"{self.prefix}{_ENCODERS[self.encoding](digest)}"}

    def verifier(
        self, secrets: SecretsInput, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> HmacHeaderVerifier:
        """Return a verifier of this scheme for the endpoint's active *secrets*."""
        return HmacHeaderVerifier(self, secrets, max_body_bytes=max_body_bytes)

    def _from_text(self, value: str | SecretStr) -> WebhookSecret:
        return WebhookSecret.from_text(value, min_bytes=self.min_secret_bytes)


class HmacHeaderVerifier:
    """Verifies requests of one :class:`HmacHeaderScheme` against an endpoint's secrets.

    Args:
        scheme: The scheme.
        secrets: The active secrets in order; any one of them verifies (rotation).
        max_body_bytes: The largest body accepted (1 MiB by default).

    Raises:
        ConfigurationError: No secret, a weak secret or a bad size limit.
    """

    __slots__ = ("_max_body_bytes", "_scheme", "_secrets")

    def __init__(
        self,
        scheme: HmacHeaderScheme,
        secrets: SecretsInput,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._scheme = scheme
        self._secrets = coerce_secrets(
            secrets, scheme._from_text, min_bytes=scheme.min_secret_bytes
        )
        self._max_body_bytes = check_max_body_bytes(max_body_bytes)

    @property
    def scheme(self) -> HmacHeaderScheme:
        """The scheme this verifier checks."""
        return self._scheme

    def verify(
        self, headers: HeadersInput, body: bytes | bytearray | memoryview
    ) -> VerifiedSignature:
        """Check that *body* was signed by the vendor with one of the active secrets.

        Args:
            headers: The request headers (a mapping or name/value pairs).
            body: The raw request body, exactly as received.

        Returns:
            Which secret matched.

        Raises:
            WebhookVerificationError: For every bad input; ``reason`` says which.
        """
        raw = ensure_body_size(body, self._max_body_bytes)
        value = WebhookHeaders(headers).require(self._scheme.header)
        if not value.startswith(self._scheme.prefix):
            fail(VerificationReason.MALFORMED_HEADER, f"header {self._scheme.header!r}")
        encoded = value[len(self._scheme.prefix) :]
        digest = _DECODERS[self._scheme.encoding](encoded)
        if self._scheme.require_utf8_body:
            require_utf8(raw)
        return check_signature(self._scheme.name, self._secrets, raw, (digest,))

    def __repr__(self) -> str:
        """Show the configuration, never a secret."""
        return (
            f"HmacHeaderVerifier(scheme={self._scheme.name!r}, secrets={len(self._secrets)}, "
            f"max_body_bytes={self._max_body_bytes})"
        )


GREENHOUSE = HmacHeaderScheme(name="greenhouse", header="Signature", prefix="sha256 ")
"""Greenhouse: ``Signature: sha256 <hex>`` (a space, no ``=``) over the raw body."""
GITHUB = HmacHeaderScheme(name="github", header="X-Hub-Signature-256", prefix="sha256=")
"""GitHub: ``X-Hub-Signature-256: sha256=<hex>`` over the raw body."""
ASHBY = HmacHeaderScheme(name="ashby", header="Ashby-Signature", prefix="sha256=")
"""Ashby: ``Ashby-Signature: sha256=<hex>`` over the raw body."""
