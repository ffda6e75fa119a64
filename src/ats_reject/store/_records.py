"""What the store's operations take and return: plain frozen dataclasses.

Reprs carry ids, codes, counts and times only; e-mail addresses are hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ats_reject.clock import ensure_aware
from ats_reject.models import ApplicationEvent
from ats_reject.policy import ActionCondition, Audience, Channel, MessageKind, PlannedAction
from ats_reject.store._types import ActionStatus

__all__ = [
    "ActionRecord",
    "AuditEntry",
    "Cancellation",
    "ClaimedAction",
    "Completed",
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
    "StoredEvent",
    "SyncCursor",
]


@dataclass(frozen=True, slots=True)
class Person:
    """A candidate of one connection, as consents, suppressions and erasure know them.

    Attributes:
        connection: The connection name.
        candidate_id: The ATS's id of the person.
        emails: The person's addresses, when known (erasure suppresses them; hidden from repr).
        application_ids: Applications of the person the store may not link to them yet.
    """

    connection: str
    candidate_id: str
    emails: tuple[str, ...] = field(default=(), repr=False)
    application_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """What :meth:`Store.record_delivery` did.

    Attributes:
        delivery_ref: The stored delivery's row id (``None`` for a duplicate).
        duplicate: The delivery was already stored: nothing new was written.
        event_ids: Row ids of the stored events, in the order given.
        dropped: Events not stored because they concern an erased person or application.
    """

    delivery_ref: int | None
    duplicate: bool
    event_ids: tuple[int, ...] = ()
    dropped: int = 0


@dataclass(frozen=True, slots=True)
class QuarantineReceipt:
    """What :meth:`Store.quarantine` did.

    Attributes:
        quarantine_id: The row id (``None`` when the same body was already quarantined).
        duplicate: The same body from the same connection was already held.
    """

    quarantine_id: int | None
    duplicate: bool


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event waiting to be processed.

    Attributes:
        id: The event's row id (give it to :meth:`Store.complete_event`).
        connection: The connection it came from.
        event: The normalised event, as received.
        received_at: When it was stored.
        delivery_ref: The delivery row it arrived in, while that row is kept.
    """

    id: int
    connection: str
    event: ApplicationEvent
    received_at: datetime
    delivery_ref: int | None


@dataclass(frozen=True, slots=True)
class Cancellation:
    """Which not-yet-sent actions to cancel (an un-reject, a hire, a move on).

    Give ``application_id`` (that application's actions) or ``candidate_id`` (every action
    of the person in the connection), or both (either matches).

    Attributes:
        connection: The connection name.
        reason: Why, a short safe text kept as the actions' ``last_error`` and in the audit.
        application_id: Cancel this application's actions.
        candidate_id: Cancel the person's actions.
        keep_versions: Decision versions to leave alone (the decision being planned now).
        kinds: Only these kinds (all kinds when empty).
    """

    connection: str
    reason: str
    application_id: str | None = None
    candidate_id: str | None = None
    keep_versions: tuple[str, ...] = ()
    kinds: tuple[MessageKind, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a cancellation that names nobody."""
        if self.application_id is None and self.candidate_id is None:
            raise ValueError("a cancellation needs an application_id or a candidate_id")


@dataclass(frozen=True, slots=True)
class EventCompletion:
    """What :meth:`Store.complete_event` did.

    Attributes:
        event_id: The event.
        state: ``processed`` (this call did it), ``already_processed`` (another call did;
            nothing was written) or ``missing`` (no such event, for example after an erasure;
            nothing was written).
        planned: Row ids of the actions this call inserted.
        duplicates: Actions whose natural key was already planned (nothing written).
        refused: Actions refused because the person, application or action key is
            suppressed for good (erased, or purged after retention).
        cancelled: Actions the cancellations stopped.
    """

    event_id: int
    state: Literal["processed", "already_processed", "missing"]
    planned: tuple[int, ...] = ()
    duplicates: int = 0
    refused: int = 0
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class ClaimedAction:
    """An action a worker holds under a lease.

    Attributes:
        id: The action's row id.
        token: The claim token; every later call about this claim must give it.
        planned: The planned action as it was stored.
        candidate_id: The person, when known.
        attempts: Attempts so far, this one included.
        max_attempts: The bound after which the action is dead.
        lease_until: When the lease expires unless renewed.
        message_id: The deterministic ``Message-ID`` header value.
        send_id: The deterministic id to use as an ESP idempotency key.
    """

    id: int
    token: str = field(repr=False)
    planned: PlannedAction
    candidate_id: str | None
    attempts: int
    max_attempts: int
    lease_until: datetime
    message_id: str
    send_id: str


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """A planned action as the outbox holds it now."""

    id: int
    planned: PlannedAction
    candidate_id: str | None
    status: ActionStatus
    next_attempt_at: datetime
    give_up_at: datetime | None
    attempts: int
    max_attempts: int
    lease_until: datetime | None
    last_error: str | None
    message_id: str
    send_id: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class LeaseLost:
    """A fenced update changed nothing: the claim is no longer the caller's.

    Another worker reclaimed the action, it was cancelled or erased, or the sweep declared its
    outcome unknown. The row was left as it is.
    """

    action_id: int
    operation: str
    lost: Literal[True] = True


@dataclass(frozen=True, slots=True)
class Renewed:
    """The lease now lasts until ``lease_until``."""

    action_id: int
    lease_until: datetime
    lost: Literal[False] = False


@dataclass(frozen=True, slots=True)
class Sending:
    """The intent is committed: the action is ``sending``; now contact the channel."""

    action_id: int
    message_id: str
    send_id: str
    lease_until: datetime
    lost: Literal[False] = False


@dataclass(frozen=True, slots=True)
class Completed:
    """The action was finished with ``status``."""

    action_id: int
    status: ActionStatus
    lost: Literal[False] = False


@dataclass(frozen=True, slots=True)
class Failed:
    """The attempt was recorded as failed.

    Attributes:
        action_id: The action.
        status: ``failed`` (retried at ``next_attempt_at``) or ``dead``.
        attempts: Attempts made.
        next_attempt_at: When it is claimed again (``None`` when dead).
        reason: The stored reason (safe text).
    """

    action_id: int
    status: ActionStatus
    attempts: int
    next_attempt_at: datetime | None
    reason: str
    lost: Literal[False] = False


@dataclass(frozen=True, slots=True)
class Released:
    """The claim was handed back without counting an attempt."""

    action_id: int
    next_attempt_at: datetime
    lost: Literal[False] = False


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A talent-pool consent."""

    id: int
    source: str
    notice_version: str
    granted_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None

    def holds_at(self, moment: datetime) -> bool:
        """Whether the consent holds at *moment*: granted, not withdrawn, not expired."""
        moment = ensure_aware(moment)
        if moment < self.granted_at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:
            return False
        return self.expires_at is None or moment < self.expires_at


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """A system that may still hold the erased person's data (GDPR Art. 19).

    Attributes:
        kind: ``ats`` (the connection's ATS), ``mail`` (the mail transport or provider),
            ``recruiter`` (recruiters who received call tasks).
        name: The connection or channel name.
        why: One sentence for the operator.
    """

    kind: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What :meth:`Store.erase` removed, and whom else to tell.

    Attributes:
        removed: Rows deleted or anonymised, by table.
        hashes_kept: Keyed hashes stored so that nothing is sent to the person again.
        notify: Systems that may hold the person's data too.
    """

    removed: Mapping[str, int]
    hashes_kept: int
    notify: tuple[NotifyTarget, ...]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """Rows deleted by :meth:`Store.purge`, by table."""

    deleted: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Where a connection's incremental sync stands."""

    connection: str
    stream: str
    cursor_at: datetime | None
    token: str | None = field(repr=False)
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    event: str
    connection: str | None
    application_id: str | None
    candidate_id: str | None
    action_id: int | None
    detail: str | None


def action_payload(action: PlannedAction) -> dict[str, Any]:
    """The parts of *action* not kept in their own columns, as JSON-ready data."""
    return {
        "template": action.template,
        "deadline": action.deadline.isoformat() if action.deadline else None,
        "deadline_met": action.deadline_met,
        "covers": list(action.covers),
        "ats_template_id": action.ats_template_id,
        "zone": action.zone,
        "reasons": list(action.reasons),
    }


def planned_from_row(row: Mapping[str, Any]) -> PlannedAction:
    """Rebuild the :class:`PlannedAction` of an outbox row."""
    payload: Mapping[str, Any] = row["payload"] or {}
    deadline = payload.get("deadline")
    return PlannedAction(
        connection=row["connection"],
        application_id=row["application_id"],
        message_kind=MessageKind(row["message_kind"]),
        decision_version=row["decision_version"],
        channel=Channel(row["channel"]),
        due_at=row["due_at"],
        template=payload.get("template"),
        deadline=datetime.fromisoformat(deadline) if deadline else None,
        deadline_met=bool(payload.get("deadline_met", True)),
        audience=Audience(row["audience"]),
        condition=ActionCondition(row["condition"]),
        covers=tuple(payload.get("covers") or ()),
        ats_template_id=payload.get("ats_template_id"),
        zone=payload.get("zone"),
        reasons=tuple(payload.get("reasons") or ()),
    )
