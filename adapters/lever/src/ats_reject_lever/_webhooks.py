"""Lever's webhooks: a signature carried in the body, and the events the library uses.

**Signature.** Lever POSTs ``{triggeredAt, event, signature, token, data}`` as JSON.
``signature`` is the lowercase hex HMAC-SHA256, keyed with the webhook's *signature token*,
of ``token`` followed by ``triggeredAt`` written in decimal, with no separator. Sources:
``thanford7/uprove`` ``up/upapp/apis/lever.py`` (``validateLeverRequest``, a production
integration) and the same recipe on mcp.waymark.network ("Verify Lever webhook signatures");
pages that describe a ``Lever-Signature`` header over the body contradict that working code
and are not followed. Lever issues one signature token per webhook (help.lever.co article
4402565460237, "A Webhook signature token for each created Webhook"), so a receiver that
gets several events lists every token as an active secret.

**Only two fields are signed.** ``data`` and ``event`` are not covered, so a captured
delivery could be replayed with other data. Hence: the delivery id is derived from the
signed fields (a replayed token and time give the same id and are deduplicated), the events
are hints, and the engine acts only on state it reads back from the API.

**Events** (help.lever.co "Configuring webhooks"; data fields from uprove and public
TypeScript types): ``applicationCreated``, ``candidateStageChange`` (``fromStageId``,
``toStageId``), ``candidateArchiveChange`` (``fromArchived`` / ``toArchived``, each ``null``
or ``{archivedAt, reason}``), ``candidateHired`` and ``candidateDeleted``; each carries
``opportunityId``, ``candidateId`` and ``contactId``. The test delivery Lever sends from the
settings page has an empty ``data``. Other events (interviews, contacts) are ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, NoReturn

from pydantic import Field, ValidationError

from ats_reject.errors import WebhookPayloadError, WebhookVerificationError
from ats_reject.models import (
    ApplicationEvent,
    EventKind,
    EventSource,
    VendorModel,
    WebhookDelivery,
)
from ats_reject.webhooks import (
    DEFAULT_MAX_BODY_BYTES,
    HeadersInput,
    SecretInput,
    SecretsInput,
    VerificationReason,
    WebhookHeaders,
    ensure_body_size,
    sign_hmac_hex,
    verify_hmac_hex,
)
from ats_reject_lever._mapping import HIRED_TYPE, NON_HIRED_TYPE, from_millis
from ats_reject_lever._payloads import Millis, VendorWebhook

__all__ = [
    "ARCHIVE_CHANGE",
    "EVENT_KINDS",
    "ReasonType",
    "delivery_id",
    "parse_delivery",
    "sign",
    "signed_message",
    "verify",
]

ARCHIVE_CHANGE = "candidateArchiveChange"
DELETED = "candidateDeleted"
EVENT_KINDS: dict[str, EventKind] = {
    "applicationCreated": EventKind.CREATED,
    "candidateStageChange": EventKind.STAGE_CHANGED,
    "candidateHired": EventKind.HIRED,
    DELETED: EventKind.DELETED,
}
"""Events whose kind does not depend on their data; ``candidateArchiveChange`` is the other."""

ReasonType = Callable[[str], str | None]
"""Returns an archive reason's ``type`` (``hired`` / ``non-hired``), ``None`` when unknown."""

_JSON_MEDIA_TYPE = "application/json"


class _ArchiveState(VendorModel):
    archived_at: Millis | None = Field(default=None, alias="archivedAt")
    reason: str | None = None


class _EventData(VendorModel):
    opportunity_id: str | None = Field(default=None, alias="opportunityId")
    candidate_id: str | None = Field(default=None, alias="candidateId")
    contact_id: str | None = Field(default=None, alias="contactId")
    from_archived: _ArchiveState | None = Field(default=None, alias="fromArchived")
    to_archived: _ArchiveState | None = Field(default=None, alias="toArchived")


def signed_message(token: str, triggered_at: int) -> bytes:
    """The bytes Lever signs: ``token`` then ``triggeredAt`` in decimal, UTF-8."""
    return f"{token}{triggered_at}".encode()


def sign(token: str, triggered_at: int, secret: SecretInput) -> str:
    """Return the ``signature`` Lever puts in a delivery (for the sandbox and tests)."""
    return sign_hmac_hex(signed_message(token, triggered_at), secret)


def delivery_id(token: str, triggered_at: int, event: str, opportunity_id: str | None) -> str:
    """The delivery's dedupe key: a digest of the signed fields, the event and the opportunity.

    The signed token and time make a replay of a captured delivery the same delivery; the
    event and opportunity keep two deliveries apart should Lever reuse a token within one
    millisecond (a bulk archive). Lever's retry behaviour is UNCONFIRMED: a retry that is
    re-signed gets a new id, which is harmless because events are only hints.
    """
    parts = (token, str(triggered_at), event, opportunity_id or "")
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"lever-{digest[:40]}"


def verify(
    headers: HeadersInput,
    body: bytes,
    secrets: SecretsInput,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> int:
    """Check a delivery's body signature; return the index of the matching secret.

    Raises:
        WebhookVerificationError: The body is too large, not JSON, has no usable ``token``,
            ``triggeredAt`` or ``signature``, the request is not JSON, or no secret signs it.
        ConfigurationError: No secret is configured.
    """
    raw = ensure_body_size(body, max_body_bytes)
    _require_json_content_type(WebhookHeaders(headers))
    try:
        payload = strict_json(raw)
    except (ValueError, UnicodeDecodeError):
        _fail(VerificationReason.MALFORMED_SIGNATURE, "the body is not JSON")
    if not isinstance(payload, dict):
        _fail(VerificationReason.MALFORMED_SIGNATURE, "the body is not a JSON object")
    token = payload.get("token")
    triggered_at = payload.get("triggeredAt")
    signature = payload.get("signature")
    if not isinstance(token, str) or not token:
        _fail(VerificationReason.MALFORMED_SIGNATURE, "token is missing or not text")
    if isinstance(triggered_at, bool) or not isinstance(triggered_at, int) or triggered_at < 0:
        _fail(VerificationReason.MALFORMED_SIGNATURE, "triggeredAt is missing or not an integer")
    if not isinstance(signature, str):
        _fail(VerificationReason.MALFORMED_SIGNATURE, "signature is missing or not text")
    return verify_hmac_hex(signed_message(token, triggered_at), signature, secrets)


def parse_delivery(body: bytes, reason_type: ReasonType) -> WebhookDelivery:
    """Normalize a verified delivery; unused events and the test delivery give no events.

    Args:
        body: The raw body, already verified.
        reason_type: Looks up an archive reason's type, to tell a hire from a rejection.

    Raises:
        WebhookPayloadError: The body is not the documented JSON envelope, or an event the
            library uses lacks its ``opportunityId``.
    """
    try:
        payload = VendorWebhook.model_validate(strict_json(body))
    except (ValueError, UnicodeDecodeError):
        # pydantic's ValidationError is a ValueError; neither message is kept (it has input).
        raise WebhookPayloadError("not a Lever webhook envelope") from None
    event = payload.event
    if not payload.data:
        return WebhookDelivery(
            delivery_id=delivery_id(payload.token, payload.triggered_at, event, None),
            vendor_action=event,
            is_ping=True,
        )
    try:
        data = _EventData.model_validate(payload.data)
    except ValidationError:
        raise WebhookPayloadError("the data of a Lever webhook has an unexpected shape") from None
    did = delivery_id(payload.token, payload.triggered_at, event, data.opportunity_id)
    kind = _archive_kind(data, reason_type) if event == ARCHIVE_CHANGE else EVENT_KINDS.get(event)
    if kind is None:
        return WebhookDelivery(delivery_id=did, vendor_action=event)
    if not data.opportunity_id and event != DELETED:
        raise WebhookPayloadError(f"{event} without opportunityId")
    return WebhookDelivery(
        delivery_id=did,
        vendor_action=event,
        events=(
            ApplicationEvent(
                kind=kind,
                application_id=data.opportunity_id or None,
                candidate_id=data.contact_id or data.candidate_id or None,
                occurred_at=from_millis(payload.triggered_at),
                source=EventSource.WEBHOOK,
                vendor_action=event,
            ),
        ),
    )


def strict_json(raw: bytes) -> Any:
    """Decode JSON, refusing duplicate keys (another parser could read the other value)."""
    return json.loads(raw, object_pairs_hook=_no_duplicates)


def _archive_kind(data: _EventData, reason_type: ReasonType) -> EventKind:
    # An archive reason of type hired is a hire, never a rejection; a reason whose type
    # cannot be read is reported as UPDATED, so the engine reads the state and decides.
    if data.to_archived is not None and data.to_archived.reason:
        kinds = {HIRED_TYPE: EventKind.HIRED, NON_HIRED_TYPE: EventKind.REJECTED}
        return kinds.get(reason_type(data.to_archived.reason) or "", EventKind.UPDATED)
    if data.to_archived is None and data.from_archived is not None and data.from_archived.reason:
        kinds = {HIRED_TYPE: EventKind.UNHIRED, NON_HIRED_TYPE: EventKind.UNREJECTED}
        return kinds.get(reason_type(data.from_archived.reason) or "", EventKind.UPDATED)
    return EventKind.UPDATED


def _require_json_content_type(headers: WebhookHeaders) -> None:
    # Lever posts JSON; a request without that media type is not one of its deliveries.
    media_type = headers.require("Content-Type").split(";", 1)[0].strip().lower()
    if media_type != _JSON_MEDIA_TYPE:
        _fail(VerificationReason.MALFORMED_HEADER, "Content-Type is not application/json")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key in a JSON object")
        result[key] = value
    return result


def _fail(reason: VerificationReason, detail: str) -> NoReturn:
    # *detail* is always one of the constants above, never request content.
    raise WebhookVerificationError(
        reason.value, f"webhook verification failed: {reason.value} ({detail})"
    )
