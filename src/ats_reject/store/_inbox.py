"""The inbox: webhook deliveries (deduplicated), quarantined bodies, and events to process."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ats_reject._redact import redact_text
from ats_reject.models import ApplicationEvent, WebhookDelivery
from ats_reject.store._core import StoreCore
from ats_reject.store._records import DeliveryReceipt, QuarantineReceipt, StoredEvent
from ats_reject.store._schema import deliveries, quarantine
from ats_reject.store._schema import events as event_table
from ats_reject.store._types import SuppressionKind

__all__ = ["InboxOperations", "check_length", "event_candidate"]

_logger = logging.getLogger("ats_reject.store")

_NAME_LIMIT = 100
_ID_LIMIT = 255
_EVENT_COLUMNS = (
    event_table.c.id,
    event_table.c.connection,
    event_table.c.event_json,
    event_table.c.received_at,
    event_table.c.delivery_ref,
)


def check_length(what: str, value: str, limit: int) -> str:
    """Refuse an identifier the columns cannot hold (never echoing it)."""
    if not value or len(value) > limit:
        raise ValueError(f"{what} must be 1 to {limit} characters")
    return value


def event_candidate(event: ApplicationEvent) -> str | None:
    """The person an event concerns, from the event or the application it carries."""
    if event.candidate_id is not None:
        return event.candidate_id
    if event.application is not None:
        return event.application.candidate.id
    return None


class InboxOperations(StoreCore):
    """Receiving: deliveries, quarantine, pending events."""

    def record_delivery(
        self,
        connection: str,
        delivery_id: str,
        events: Sequence[ApplicationEvent] = (),
        *,
        received_at: datetime | None = None,
    ) -> DeliveryReceipt:
        """Store a verified delivery and its events in one transaction, once.

        The delivery's ``(connection, delivery_id)`` is unique: a redelivery (or 50 copies
        arriving at once) is answered from the constraint with ``INSERT ... ON CONFLICT DO
        NOTHING`` and writes nothing. Events about an erased person are not stored.

        Args:
            connection: The connection the delivery came in on.
            delivery_id: The vendor's id for the delivery, the same across its retries (a
                sync uses an id of its own making, such as the cursor it read from).
            events: The normalised events it carried (none for a ping).
            received_at: When it arrived (default: the store's clock).

        Returns:
            Whether it was new, and the stored events' ids.

        Raises:
            StoreUnavailableError: The store cannot be reached: answer 503.
        """
        check_length("connection", connection, _NAME_LIMIT)
        check_length("delivery_id", delivery_id, _ID_LIMIT)
        moment = self._now(received_at)
        batch = tuple(events)
        if batch:
            self._key()
        keys = [self._event_hashes(connection, event) for event in batch]

        def work(db: sa.Connection) -> DeliveryReceipt:
            inserted = db.execute(
                self._insert(deliveries)
                .values(
                    connection=connection,
                    delivery_id=delivery_id,
                    received_at=moment,
                    event_count=len(batch),
                )
                .on_conflict_do_nothing()
                .returning(deliveries.c.id)
            ).scalar_one_or_none()
            if inserted is None:
                return DeliveryReceipt(delivery_ref=None, duplicate=True)
            refused = self._refused(db, (key for group in keys for key in group))
            rows = [
                _event_row(connection, event, inserted, moment)
                for event, group in zip(batch, keys, strict=True)
                if not group & refused
            ]
            ids: Sequence[int] = ()
            if rows:
                ids = (
                    db.execute(
                        event_table.insert().returning(
                            event_table.c.id, sort_by_parameter_order=True
                        ),
                        rows,
                    )
                    .scalars()
                    .all()
                )
            return DeliveryReceipt(
                delivery_ref=inserted,
                duplicate=False,
                event_ids=tuple(ids),
                dropped=len(batch) - len(rows),
            )

        receipt = self._write("record_delivery", work)
        _logger.debug(
            "delivery on %s: duplicate=%s events=%d dropped=%d",
            connection,
            receipt.duplicate,
            len(receipt.event_ids),
            receipt.dropped,
        )
        return receipt

    def record_webhook(
        self, connection: str, delivery: WebhookDelivery, *, received_at: datetime | None = None
    ) -> DeliveryReceipt:
        """:meth:`record_delivery` for an adapter's parsed :class:`WebhookDelivery`."""
        return self.record_delivery(
            connection, delivery.delivery_id, delivery.events, received_at=received_at
        )

    def quarantine(
        self,
        connection: str,
        body: bytes,
        reason: str,
        *,
        delivery_id: str | None = None,
        received_at: datetime | None = None,
    ) -> QuarantineReceipt:
        """Keep a verified but unreadable body for an operator (answer 202 afterwards).

        The same body from the same connection is kept once. Quarantined bodies may hold
        personal data: they are purged with the other inbox data and searched by
        :meth:`erase`.

        Args:
            connection: The connection it came in on.
            body: The raw request body.
            reason: A short stable code (``WebhookPayloadError.reason``); redacted.
            delivery_id: The vendor's delivery id, if it could be read.
            received_at: When it arrived.
        """
        check_length("connection", connection, _NAME_LIMIT)
        if delivery_id is not None:
            check_length("delivery_id", delivery_id, _ID_LIMIT)
        moment = self._now(received_at)
        digest = hashlib.sha256(body).hexdigest()

        def work(db: sa.Connection) -> QuarantineReceipt:
            inserted = db.execute(
                self._insert(quarantine)
                .values(
                    connection=connection,
                    delivery_id=delivery_id,
                    reason=redact_text(reason, max_length=_NAME_LIMIT),
                    body=body,
                    body_sha256=digest,
                    received_at=moment,
                )
                .on_conflict_do_nothing()
                .returning(quarantine.c.id)
            ).scalar_one_or_none()
            return QuarantineReceipt(quarantine_id=inserted, duplicate=inserted is None)

        receipt = self._write("quarantine", work)
        _logger.info("quarantined a body on %s (%d bytes)", connection, len(body))
        return receipt

    def pending_events(
        self,
        limit: int = 100,
        *,
        lease: timedelta | None = None,
        now: datetime | None = None,
    ) -> list[StoredEvent]:
        """Events not processed yet, oldest first.

        Without ``lease`` this is a plain read. With it, the events are leased to the caller
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so that several processors share the work
        instead of repeating it; an event whose processor died is offered again when its
        lease ends. Processing an event twice is harmless either way: the outbox's unique key
        and :meth:`complete_event` make the second pass a no-op.
        """
        if limit < 1:
            return []
        if lease is None:

            def read(db: sa.Connection) -> list[StoredEvent]:
                rows = db.execute(
                    sa.select(*_EVENT_COLUMNS)
                    .where(event_table.c.processed_at.is_(None))
                    .order_by(event_table.c.id)
                    .limit(limit)
                )
                return [_stored_event(row) for row in rows]

            return self._read("pending_events", read)
        moment = self._now(now)
        until = moment + lease

        def claim(db: sa.Connection) -> list[StoredEvent]:
            candidates = (
                sa.select(event_table.c.id)
                .where(
                    event_table.c.processed_at.is_(None),
                    sa.or_(
                        event_table.c.lease_until.is_(None),
                        event_table.c.lease_until <= moment,
                    ),
                )
                .order_by(event_table.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = db.execute(
                sa.update(event_table)
                .where(event_table.c.id.in_(candidates.scalar_subquery()))
                .values(lease_until=until)
                .returning(*_EVENT_COLUMNS)
            )
            return sorted((_stored_event(row) for row in rows), key=lambda item: item.id)

        return self._write("pending_events", claim)

    def _event_hashes(self, connection: str, event: ApplicationEvent) -> frozenset[str]:
        found: list[str] = []
        candidate = event_candidate(event)
        if candidate is not None:
            found.append(self.keyed_hash(SuppressionKind.PERSON, connection, candidate))
        if event.application_id is not None:
            found.append(
                self.keyed_hash(SuppressionKind.APPLICATION, connection, event.application_id)
            )
        return frozenset(found)


def _event_row(
    connection: str, event: ApplicationEvent, delivery_ref: int, moment: datetime
) -> dict[str, object]:
    return {
        "delivery_ref": delivery_ref,
        "connection": connection,
        "kind": event.kind.value,
        "source": event.source.value,
        "application_id": event.application_id,
        "candidate_id": event_candidate(event),
        "occurred_at": event.occurred_at,
        "received_at": moment,
        "event_json": event.model_dump_json(),
        "processed_at": None,
        "lease_until": None,
    }


def _stored_event(row: Any) -> StoredEvent:
    return StoredEvent(
        id=row.id,
        connection=row.connection,
        event=ApplicationEvent.model_validate_json(row.event_json),
        received_at=row.received_at,
        delivery_ref=row.delivery_ref,
    )


def minimised_event_json(event_json: str) -> str:
    """The event without the application snapshot it carried (the person's details).

    Once processed, an event is kept for its ids, kind and times only; the decision was made
    on the ATS's fresh state anyway.
    """
    event = ApplicationEvent.model_validate_json(event_json)
    if event.application is None:
        return event_json
    return event.model_copy(update={"application": None}).model_dump_json()


def unique(values: Iterable[str]) -> list[str]:
    """*values* without repeats, in first-seen order."""
    return list(dict.fromkeys(values))
