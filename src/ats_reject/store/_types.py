"""Column types and the enumerations stored in the store's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from ats_reject.clock import ensure_aware

__all__ = [
    "ActionStatus",
    "Completion",
    "SuppressionKind",
    "SuppressionReason",
    "UtcDateTime",
]


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC ``datetime`` on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is written as
    naive UTC in one fixed format (which also makes text comparison chronological) and read
    back as aware UTC. Naive datetimes are refused on the way in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC, dropping the zone where the backend cannot keep it."""
        if value is None:
            return None
        moment = ensure_aware(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ActionStatus(StrEnum):
    """Where a planned action stands.

    ::

        pending ──claim──▶ claimed ──mark_sending──▶ sending ──complete──▶ sent
           ▲  ▲               │                         │  └──lease expired──▶ unknown
           │  └──release──────┤                         └──fail──▶ failed ──claim──▶ ...
           │                  └──lease expired──▶ pending (or dead on the last attempt)
           └──requeue── held / unknown / dead        fail without retry ──▶ dead
        pending / failed / held / claimed ──cancel──▶ cancelled
    """

    PENDING = "pending"
    """Waiting for its due time."""
    CLAIMED = "claimed"
    """A worker holds it under a lease; nothing was sent yet."""
    SENDING = "sending"
    """The worker committed its intent and is contacting the channel."""
    SENT = "sent"
    """Done: the channel accepted it."""
    FAILED = "failed"
    """The last attempt failed; it is claimed again at ``next_attempt_at``."""
    DEAD = "dead"
    """Given up: a permanent error, no attempts left, or past its deadline (see ``last_error``)."""
    UNKNOWN = "unknown"
    """The channel may or may not have accepted it (the SMTP window); not resent automatically."""
    CANCELLED = "cancelled"
    """Not to be sent: un-rejected, hired, moved on, suppressed, or refused by the re-check."""
    HELD = "held"
    """Waiting for a person (a message that failed lint, for example); never claimed."""


CLAIMABLE = (ActionStatus.PENDING, ActionStatus.FAILED)
"""Statuses a claim picks up once ``next_attempt_at`` has come."""

CANCELLABLE = (ActionStatus.PENDING, ActionStatus.FAILED, ActionStatus.HELD, ActionStatus.CLAIMED)
"""Statuses a cancellation stops: anything not yet handed to a channel."""

FINISHED = (
    ActionStatus.SENT,
    ActionStatus.DEAD,
    ActionStatus.UNKNOWN,
    ActionStatus.CANCELLED,
)
"""Statuses no worker changes any more (an operator may requeue ``unknown`` and ``dead``)."""


class Completion(StrEnum):
    """How a worker finishes a claimed action (see ``Store.complete``)."""

    SENT = "sent"
    """The channel accepted the message."""
    CANCELLED = "cancelled"
    """The re-check before sending found it must not go (un-rejected, suppressed ...)."""
    UNKNOWN = "unknown"
    """The channel cannot say whether it was accepted (disconnect after DATA)."""
    HELD = "held"
    """A person must look at it first."""


class SuppressionKind(StrEnum):
    """What a suppression entry is the keyed hash of."""

    ADDRESS = "address"
    """An e-mail address (normalised to lower case)."""
    PERSON = "person"
    """A candidate of a connection."""
    APPLICATION = "application"
    """An application of a connection."""
    ACTION = "action"
    """The natural key of a planned action whose row was purged."""


class SuppressionReason(StrEnum):
    """Why nothing more may be sent."""

    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"
    ERASED = "erased"
    """The person's data was erased; no action may be planned for them again."""
    RETENTION = "retention"
    """A finished action was purged; the same action may not be planned again."""


REFUSE_PLANNING = (SuppressionReason.ERASED, SuppressionReason.RETENTION)
"""Reasons that stop a new action from even being planned (the others are checked at send)."""
