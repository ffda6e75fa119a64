"""Webhook signature primitives: verify the raw request bytes before anything else.

Every adapter verifies its vendor's webhooks with these pieces:

* :class:`HmacHeaderScheme` / :class:`HmacHeaderVerifier`: HMAC-SHA256 of the raw body in
  one header, with ready-made configurations :data:`GREENHOUSE`, :data:`GITHUB` and
  :data:`ASHBY`;
* :class:`StandardWebhooksScheme` / :class:`StandardWebhooksVerifier`: the Standard Webhooks
  (and :data:`SVIX`) scheme, with a signed id and timestamp checked against an injected clock;
* :func:`verify_hmac_hex` / :func:`sign_hmac_hex`: a hex HMAC-SHA256 over any bytes, for
  vendors that sign fields of the body (Lever);
* :class:`WebhookSecret`: a key whose ``repr`` shows nothing; verifiers take several, so
  secrets can be rotated without downtime, and report which one matched;
* :class:`WebhookHeaders`: case-insensitive headers that refuse conflicting duplicates;
* :class:`WebhookVerifier`: the protocol every verifier meets, for receivers and adapters.

Every malformed, forged, stale or oversized request raises
:class:`~ats_reject.errors.WebhookVerificationError` with a stable ``reason``
(:class:`VerificationReason`); :func:`http_status_for` says what to answer. Each scheme has a
``sign`` method that signs exactly as the vendor does, for sandboxes and tests.
"""

from ats_reject.webhooks._header_scheme import (
    ASHBY,
    GITHUB,
    GREENHOUSE,
    HmacHeaderScheme,
    HmacHeaderVerifier,
)
from ats_reject.webhooks._headers import HeadersInput, WebhookHeaders
from ats_reject.webhooks._hmac import (
    DEFAULT_MAX_BODY_BYTES,
    VerifiedSignature,
    WebhookVerifier,
    ensure_body_size,
    sign_hmac_hex,
    verify_hmac_hex,
)
from ats_reject.webhooks._reasons import VerificationReason, http_status_for
from ats_reject.webhooks._secrets import (
    STANDARD_WEBHOOKS_MAX_SECRET_BYTES,
    STANDARD_WEBHOOKS_MIN_SECRET_BYTES,
    SecretInput,
    SecretsInput,
    WebhookSecret,
)
from ats_reject.webhooks._standard import (
    STANDARD_WEBHOOKS,
    SVIX,
    StandardWebhooksScheme,
    StandardWebhooksVerifier,
)
from ats_reject.webhooks._timestamps import DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS

__all__ = [
    "ASHBY",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE_SECONDS",
    "GITHUB",
    "GREENHOUSE",
    "MAX_TOLERANCE_SECONDS",
    "STANDARD_WEBHOOKS",
    "STANDARD_WEBHOOKS_MAX_SECRET_BYTES",
    "STANDARD_WEBHOOKS_MIN_SECRET_BYTES",
    "SVIX",
    "HeadersInput",
    "HmacHeaderScheme",
    "HmacHeaderVerifier",
    "SecretInput",
    "SecretsInput",
    "StandardWebhooksScheme",
    "StandardWebhooksVerifier",
    "VerificationReason",
    "VerifiedSignature",
    "WebhookHeaders",
    "WebhookSecret",
    "WebhookVerifier",
    "ensure_body_size",
    "http_status_for",
    "sign_hmac_hex",
    "verify_hmac_hex",
]
