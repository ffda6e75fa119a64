"""Receiving a webhook: verify the raw bytes, store the delivery, answer.

Nothing in the request path calls the ATS or a mail server: the answer depends only on the
signature check and on the store's commit, so the ATS gets its answer quickly and retries
exactly when nothing was stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ats_reject._engine_core import EngineCore, logger
from ats_reject.adapter import Capability
from ats_reject.errors import StoreUnavailableError, WebhookPayloadError, WebhookVerificationError
from ats_reject.webhooks import http_status_for

__all__ = ["ReceiveOperations", "WebhookResponse"]


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """What to answer the ATS.

    Attributes:
        status: The HTTP status: 200 stored (or already stored), 202 kept for an operator
            (verified but unreadable), 401 forged, 404 unknown connection, 413 oversized,
            503 store down (the ATS retries).
        body: A short stable code (``accepted``, ``duplicate``, ``quarantined``,
            ``bad_signature`` ...); never personal data.
    """

    status: int
    body: str

    @property
    def stored(self) -> bool:
        """Whether the delivery is safely in the store (new or already there)."""
        return self.status in (200, 202)


class ReceiveOperations(EngineCore):
    """``receive_webhook``."""

    def receive_webhook(
        self, connection: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookResponse:
        """Verify a webhook request on its raw bytes, store it once, and say what to answer.

        Args:
            connection: The connection the request came in on (from the URL path).
            headers: The request headers.
            body: The raw request body, exactly as received.

        Returns:
            The status and a short code; see :class:`WebhookResponse`.
        """
        adapter = self.adapters.get(connection)
        if adapter is None or not adapter.supports(Capability.WEBHOOKS):
            return WebhookResponse(404, "unknown_connection")
        try:
            adapter.verify_webhook(headers, body)
        except WebhookVerificationError as exc:
            logger.warning("webhook on %s refused: %s", connection, exc.reason)
            return WebhookResponse(http_status_for(exc), exc.reason)
        now = self.clock.now()
        try:
            delivery = adapter.parse_webhook(headers, body)
        except WebhookPayloadError as exc:
            try:
                self.store.quarantine(connection, body, exc.reason, received_at=now)
            except StoreUnavailableError:
                return _store_down(connection)
            return WebhookResponse(202, "quarantined")
        try:
            receipt = self.store.record_webhook(connection, delivery, received_at=now)
        except StoreUnavailableError:
            return _store_down(connection)
        if receipt.duplicate:
            return WebhookResponse(200, "duplicate")
        logger.info(
            "webhook on %s stored: %d events, %d dropped",
            connection,
            len(receipt.event_ids),
            receipt.dropped,
        )
        return WebhookResponse(200, "accepted")


def _store_down(connection: str) -> WebhookResponse:
    logger.error("webhook on %s not stored: the store is unavailable", connection)
    return WebhookResponse(503, "store_unavailable")
