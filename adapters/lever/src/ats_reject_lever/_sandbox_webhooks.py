"""The Lever sandbox's webhook sender: deliveries built and signed exactly as Lever does.

A delivery is ``{triggeredAt, event, signature, token, data}`` posted as JSON;
``signature`` is the hex HMAC-SHA256 of ``token`` + ``triggeredAt`` under the webhook's
signature token (see :mod:`ats_reject_lever._webhooks` for the sources). ``token`` is a
fresh random value per delivery here; whether Lever's is per delivery is UNCONFIRMED.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

import requests

from ats_reject.models import EventKind
from ats_reject.testing import SignedWebhook
from ats_reject.testing.sandbox import WebhookProbe
from ats_reject_lever import _webhooks
from ats_reject_lever._sandbox_api import LeverApi
from ats_reject_lever._sandbox_data import HIRED_REASON_ID, POSTINGS, REJECTION_REASON_ID, STAGES

__all__ = ["WebhookSender"]


class WebhookSender:
    """Builds, signs and posts Lever webhook deliveries.

    Args:
        api: The sandbox's data (times, contact ids).
        signature_tokens: The webhooks' signature tokens; the first signs by default.
    """

    def __init__(self, api: LeverApi, signature_tokens: Sequence[str]) -> None:
        self._api = api
        self._tokens = tuple(signature_tokens)

    def webhook(
        self,
        event: EventKind | WebhookProbe,
        application_id: str | None = None,
        *,
        secret: str | None = None,
    ) -> SignedWebhook:
        """Build a delivery of *event* about *application_id*, signed as Lever signs."""
        if event == "ping":
            return self.delivery("candidateStageChange", {}, secret=secret)
        ids = self._ids(application_id)
        if event == "unknown":
            return self.delivery("interviewCreated", {**ids, "interviewId": str(uuid.uuid4())})
        kind = EventKind(event)
        rejected = {"archivedAt": self._api.now_ms(), "reason": REJECTION_REASON_ID}
        hired = {"archivedAt": self._api.now_ms(), "reason": HIRED_REASON_ID}
        payloads: dict[EventKind, tuple[str, dict[str, Any]]] = {
            EventKind.CREATED: ("applicationCreated", {**ids, "postingId": POSTINGS[0]["id"]}),
            EventKind.STAGE_CHANGED: (
                "candidateStageChange",
                {**ids, "fromStageId": STAGES[3][0], "toStageId": STAGES[4][0]},
            ),
            EventKind.REJECTED: (
                _webhooks.ARCHIVE_CHANGE,
                {**ids, "fromArchived": None, "toArchived": rejected},
            ),
            EventKind.UNREJECTED: (
                _webhooks.ARCHIVE_CHANGE,
                {**ids, "fromArchived": rejected, "toArchived": None},
            ),
            EventKind.HIRED: ("candidateHired", ids),
            EventKind.UNHIRED: (
                _webhooks.ARCHIVE_CHANGE,
                {**ids, "fromArchived": hired, "toArchived": None},
            ),
            EventKind.DELETED: ("candidateDeleted", ids),
        }
        if kind not in payloads:
            raise ValueError(f"the Lever sandbox cannot send {kind.value}")
        name, data = payloads[kind]
        return self.delivery(name, data, secret=secret)

    def delivery(
        self,
        event: str,
        data: dict[str, Any] | None,
        *,
        secret: str | None = None,
        triggered_at: int | None = None,
        token: str | None = None,
    ) -> SignedWebhook:
        """A delivery of any *event* with any *data*, signed with *secret* (default: current)."""
        payload = {
            # First, so the signed time is what a one-character tamper of the body hits.
            "triggeredAt": self._api.now_ms() if triggered_at is None else triggered_at,
            "event": event,
            "signature": "",
            "token": token or secrets.token_hex(20),
            "data": data,
        }
        return self.sign(json.dumps(payload).encode(), secret=secret)

    def sign(self, body: bytes, *, secret: str | None = None) -> SignedWebhook:
        """Set the ``signature`` of a JSON body that has ``token`` and ``triggeredAt``.

        Other bodies (malformed ones) are returned as they are: Lever has nothing to sign in
        them, so they carry no valid signature.
        """
        headers = {"Content-Type": "application/json"}
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return SignedWebhook(headers, body, "")
        token = payload.get("token") if isinstance(payload, dict) else None
        triggered_at = payload.get("triggeredAt") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not isinstance(triggered_at, int):
            return SignedWebhook(headers, body, "")
        payload["signature"] = _webhooks.sign(token, triggered_at, secret or self._tokens[0])
        data = payload.get("data")
        opportunity_id = data.get("opportunityId") if isinstance(data, dict) and data else None
        event = str(payload.get("event", ""))
        delivery_id = _webhooks.delivery_id(token, triggered_at, event, opportunity_id)
        return SignedWebhook(headers, json.dumps(payload).encode(), delivery_id)

    def _ids(self, application_id: str | None) -> dict[str, Any]:
        with self._api.lock:
            stored = self._api.opportunities.get(application_id or "")
            contact = stored.contact_id if stored is not None else str(uuid.uuid4())
        opportunity = application_id or str(uuid.uuid4())
        return {"opportunityId": opportunity, "candidateId": opportunity, "contactId": contact}

    def send(
        self, url: str, webhook: SignedWebhook, *, session: requests.Session | None = None
    ) -> int:
        """POST *webhook* to a receiver at *url*, as Lever would; return the HTTP status."""
        poster = session or requests.Session()
        try:
            response = poster.post(
                url, data=webhook.body, headers=dict(webhook.headers), timeout=10
            )
            return response.status_code
        finally:
            if session is None:
                poster.close()
