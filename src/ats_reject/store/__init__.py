"""The store: inbox, outbox, audit log and privacy tables on SQLite or PostgreSQL.

SQLAlchemy 2 Core, one schema, Alembic migrations shipped inside the package
(:func:`upgrade`, which ``ats-reject db upgrade`` runs). The default store is the SQLite file
``ats-reject.db`` (WAL, busy timeout, ``BEGIN IMMEDIATE`` for every write); PostgreSQL
(``postgresql+psycopg://...``) lets any number of receivers and workers share one store,
claiming with ``FOR UPDATE SKIP LOCKED``.

The guarantees (see docs/delivery.md): a delivery is stored once; an action is planned once
per natural key, in the same transaction as its event; an action is claimed by one worker at a
time, under a lease and a token that fences every later update; the intent to send is
committed before the send; an action whose send may or may not have happened becomes
``unknown`` and is never resent blindly.
"""

from ats_reject.store._connect import StoreSchemaError
from ats_reject.store._housekeeping import MIN_DELIVERY_RETENTION
from ats_reject.store._migrate import current_revision, head_revision, upgrade
from ats_reject.store._planning import send_id_for
from ats_reject.store._records import (
    ActionRecord,
    AuditEntry,
    Cancellation,
    ClaimedAction,
    Completed,
    ConsentRecord,
    DeliveryReceipt,
    ErasureReport,
    EventCompletion,
    Failed,
    LeaseLost,
    NotifyTarget,
    Person,
    PurgeReport,
    QuarantineReceipt,
    Released,
    Renewed,
    Sending,
    StoredEvent,
    SyncCursor,
)
from ats_reject.store._schema import metadata
from ats_reject.store._store import Store
from ats_reject.store._types import (
    ActionStatus,
    Completion,
    SuppressionKind,
    SuppressionReason,
)

__all__ = [
    "MIN_DELIVERY_RETENTION",
    "ActionRecord",
    "ActionStatus",
    "AuditEntry",
    "Cancellation",
    "ClaimedAction",
    "Completed",
    "Completion",
    "ConsentRecord",
    "DeliveryReceipt",
    "ErasureReport",
    "EventCompletion",
    "Failed",
    "LeaseLost",
    "NotifyTarget",
    "Person",
    "PurgeReport",
    "QuarantineReceipt",
    "Released",
    "Renewed",
    "Sending",
    "Store",
    "StoreSchemaError",
    "StoredEvent",
    "SyncCursor",
    "SuppressionKind",
    "SuppressionReason",
    "current_revision",
    "head_revision",
    "metadata",
    "send_id_for",
    "upgrade",
]
