"""Planning: actions written in the same transaction as their event is marked processed."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ats_reject.clock import ensure_aware
from ats_reject.policy import PlannedAction
from ats_reject.store._core import safe_text
from ats_reject.store._inbox import InboxOperations, check_length, minimised_event_json
from ats_reject.store._records import Cancellation, EventCompletion, action_payload
from ats_reject.store._schema import events as event_table
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import CANCELLABLE, ActionStatus, SuppressionKind

__all__ = ["PlanningOperations", "send_id_for"]

_logger = logging.getLogger("ats_reject.store")


def send_id_for(key: tuple[str, str, str, str]) -> str:
    """The deterministic send id of an action's natural key (Message-ID, idempotency key)."""
    text = "\x1f".join(("ats-reject-send", *key)).encode()
    return hashlib.sha256(text).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class _Planned:
    planned: tuple[int, ...]
    duplicates: int
    refused: int


class PlanningOperations(InboxOperations):
    """Writing the outbox: planned actions and cancellations."""

    def complete_event(
        self,
        event_id: int,
        actions: Iterable[PlannedAction] = (),
        *,
        candidate_id: str | None = None,
        cancel: Sequence[Cancellation] = (),
        now: datetime | None = None,
    ) -> EventCompletion:
        """Mark an event processed and write what it caused, in one transaction.

        Cancellations run first, then each action is inserted with ``INSERT ... ON CONFLICT
        DO NOTHING`` on its natural key, so a webhook and a sync of the same change plan one
        action. Actions for an erased person or application, or whose key was purged after
        retention, are refused. The event's application snapshot is dropped once processed.

        Args:
            event_id: The event (from :meth:`pending_events`).
            actions: The planner's actions for it.
            candidate_id: The person the actions concern (from the fresh application); stored
                with the actions so person-wide cancellation and erasure find them.
            cancel: Cancellations caused by the event (an un-reject, a hire, a move on).
            now: The processing time.

        Returns:
            ``processed`` with what was planned, or ``already_processed`` / ``missing`` with
            nothing written.
        """
        moment = self._now(now)
        batch = tuple(actions)
        self._key()

        def work(db: sa.Connection) -> EventCompletion:
            row = db.execute(
                sa.select(
                    event_table.c.candidate_id,
                    event_table.c.event_json,
                    event_table.c.processed_at,
                )
                .where(event_table.c.id == event_id)
                .with_for_update()
            ).one_or_none()
            if row is None:
                return EventCompletion(event_id=event_id, state="missing")
            if row.processed_at is not None:
                return EventCompletion(event_id=event_id, state="already_processed")
            person = candidate_id or row.candidate_id
            db.execute(
                sa.update(event_table)
                .where(event_table.c.id == event_id)
                .values(
                    processed_at=moment,
                    lease_until=None,
                    candidate_id=person,
                    event_json=minimised_event_json(row.event_json),
                )
            )
            cancelled = sum(self._cancel(db, item, moment) for item in cancel)
            result = self._plan(db, batch, person, event_id, moment)
            return EventCompletion(
                event_id=event_id,
                state="processed",
                planned=result.planned,
                duplicates=result.duplicates,
                refused=result.refused,
                cancelled=cancelled,
            )

        completion = self._write("complete_event", work)
        _logger.debug(
            "event %d %s: planned=%d duplicates=%d refused=%d cancelled=%d",
            event_id,
            completion.state,
            len(completion.planned),
            completion.duplicates,
            completion.refused,
            completion.cancelled,
        )
        return completion

    def plan_actions(
        self,
        actions: Iterable[PlannedAction],
        *,
        candidate_id: str | None = None,
        cancel: Sequence[Cancellation] = (),
        now: datetime | None = None,
    ) -> EventCompletion:
        """Write actions that no stored event caused (a decision made through the API).

        Same rules as :meth:`complete_event`; the result's ``event_id`` is ``0``.
        """
        moment = self._now(now)
        batch = tuple(actions)
        self._key()

        def work(db: sa.Connection) -> EventCompletion:
            cancelled = sum(self._cancel(db, item, moment) for item in cancel)
            result = self._plan(db, batch, candidate_id, None, moment)
            return EventCompletion(
                event_id=0,
                state="processed",
                planned=result.planned,
                duplicates=result.duplicates,
                refused=result.refused,
                cancelled=cancelled,
            )

        return self._write("plan_actions", work)

    def cancel_pending(self, cancellation: Cancellation, *, now: datetime | None = None) -> int:
        """Cancel the actions not yet handed to a channel; returns how many.

        Pending, failed, held and claimed actions are cancelled (a worker holding a claimed
        one finds its lease lost at its next step and sends nothing); an action already
        ``sending`` cannot be stopped and is left alone.
        """
        moment = self._now(now)
        return self._write("cancel_pending", lambda db: self._cancel(db, cancellation, moment))

    def _plan(
        self,
        db: sa.Connection,
        batch: Sequence[PlannedAction],
        candidate_id: str | None,
        event_ref: int | None,
        moment: datetime,
    ) -> _Planned:
        hashes = [self._action_hashes(action, candidate_id) for action in batch]
        refused_keys = self._refused(db, (key for group in hashes for key in group))
        planned: list[int] = []
        duplicates = refused = 0
        audit: list[dict[str, object]] = []
        for action, group in zip(batch, hashes, strict=True):
            if group & refused_keys:
                refused += 1
                continue
            inserted = db.execute(
                self._insert(outbox)
                .values(**self._action_row(action, candidate_id, event_ref, moment))
                .on_conflict_do_nothing()
                .returning(outbox.c.id)
            ).scalar_one_or_none()
            if inserted is None:
                duplicates += 1
                continue
            planned.append(inserted)
            audit.append(
                {
                    "at": moment,
                    "event": "planned",
                    "connection": action.connection,
                    "application_id": action.application_id,
                    "candidate_id": candidate_id,
                    "action_ref": inserted,
                    "detail": f"{action.message_kind.value} by {action.channel.value}",
                }
            )
        self._audit(db, audit)
        return _Planned(tuple(planned), duplicates, refused)

    def _action_hashes(self, action: PlannedAction, candidate_id: str | None) -> frozenset[str]:
        found = {
            self.keyed_hash(SuppressionKind.APPLICATION, action.connection, action.application_id),
            self.keyed_hash(SuppressionKind.ACTION, *action.key),
        }
        if candidate_id is not None:
            found.add(self.keyed_hash(SuppressionKind.PERSON, action.connection, candidate_id))
        return frozenset(found)

    def _action_row(
        self,
        action: PlannedAction,
        candidate_id: str | None,
        event_ref: int | None,
        moment: datetime,
    ) -> dict[str, object]:
        # Checked row by row inside the transaction: a bad action rolls back the whole event.
        check_length("connection", action.connection, 100)
        check_length("application_id", action.application_id, 255)
        check_length("decision_version", action.decision_version, 100)
        ensure_aware(action.due_at)
        send_id = send_id_for(action.key)
        give_up = action.due_at + self.give_up_after if self.give_up_after is not None else None
        return {
            "connection": action.connection,
            "application_id": action.application_id,
            "message_kind": action.message_kind.value,
            "decision_version": action.decision_version,
            "candidate_id": candidate_id,
            "channel": action.channel.value,
            "audience": action.audience.value,
            "condition": action.condition.value,
            "status": ActionStatus.PENDING.value,
            "due_at": action.due_at,
            "next_attempt_at": action.due_at,
            "give_up_at": give_up,
            "attempts": 0,
            "max_attempts": self.max_attempts,
            "lease_until": None,
            "claim_token": None,
            "last_error": None,
            "send_id": send_id,
            # The format of ats_reject.channels.message_id_for: the header the channel writes.
            "message_id": f"<send-{send_id}@{self.message_id_domain}>",
            "payload": action_payload(action),
            "event_ref": event_ref,
            "created_at": moment,
            "updated_at": moment,
            "finished_at": None,
        }

    def _cancel(self, db: sa.Connection, cancellation: Cancellation, moment: datetime) -> int:
        who = []
        if cancellation.application_id is not None:
            who.append(outbox.c.application_id == cancellation.application_id)
        if cancellation.candidate_id is not None:
            who.append(outbox.c.candidate_id == cancellation.candidate_id)
        conditions = [
            outbox.c.connection == cancellation.connection,
            outbox.c.status.in_([status.value for status in CANCELLABLE]),
            sa.or_(*who),
        ]
        if cancellation.keep_versions:
            conditions.append(outbox.c.decision_version.not_in(cancellation.keep_versions))
        if cancellation.kinds:
            conditions.append(
                outbox.c.message_kind.in_([kind.value for kind in cancellation.kinds])
            )
        reason = safe_text(cancellation.reason)
        rows = db.execute(
            sa.update(outbox)
            .where(*conditions)
            .values(
                status=ActionStatus.CANCELLED.value,
                claim_token=None,
                lease_until=None,
                last_error=reason,
                finished_at=moment,
                updated_at=moment,
            )
            .returning(outbox.c.id, outbox.c.application_id, outbox.c.candidate_id)
        ).all()
        self._audit(
            db,
            (
                {
                    "at": moment,
                    "event": "cancelled",
                    "connection": cancellation.connection,
                    "application_id": row.application_id,
                    "candidate_id": row.candidate_id,
                    "action_ref": row.id,
                    "detail": reason,
                }
                for row in rows
            ),
        )
        return len(rows)
