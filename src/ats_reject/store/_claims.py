"""Claiming due actions, releasing expired leases, and reading the outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ats_reject.store._core import new_token
from ats_reject.store._planning import PlanningOperations
from ats_reject.store._records import ActionRecord, ClaimedAction, planned_from_row
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import CLAIMABLE, ActionStatus

__all__ = ["ClaimOperations"]

_logger = logging.getLogger("ats_reject.store")

_ACTION_COLUMNS = (
    outbox.c.id,
    outbox.c.connection,
    outbox.c.application_id,
    outbox.c.message_kind,
    outbox.c.decision_version,
    outbox.c.candidate_id,
    outbox.c.channel,
    outbox.c.audience,
    outbox.c.condition,
    outbox.c.due_at,
    outbox.c.attempts,
    outbox.c.max_attempts,
    outbox.c.lease_until,
    outbox.c.claim_token,
    outbox.c.message_id,
    outbox.c.send_id,
    outbox.c.payload,
)


class ClaimOperations(PlanningOperations):
    """Claims under a lease, the sweep of expired leases, and reads of actions."""

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedAction]:
        """Claim up to *limit* due actions for this worker, under one fresh claim token.

        In the same transaction, expired leases are dealt with first: a ``sending`` action
        whose lease ended becomes ``unknown`` (its outcome cannot be known, so it is never
        sent again blindly); a ``claimed`` one goes back to ``pending`` (nothing was sent),
        or to ``dead`` when that was its last attempt. Then the due ``pending`` and
        ``failed`` actions are claimed: PostgreSQL with ``UPDATE ... WHERE id IN (SELECT ...
        FOR UPDATE SKIP LOCKED) RETURNING``, SQLite with the same statement under ``BEGIN
        IMMEDIATE``. Each claimed action gets ``attempts + 1``, ``lease_until = now + lease``
        and the new token.

        Args:
            now: The current time.
            limit: The most actions to claim.
            lease: How long the claim lasts unless renewed; longer than the slowest send
                (connect and send timeouts plus a margin).

        Returns:
            The claimed actions, earliest due first.
        """
        if limit < 1:
            return []
        moment = self._now(now)
        until = moment + lease
        token = new_token()

        def work(db: sa.Connection) -> list[ClaimedAction]:
            self._sweep(db, moment)
            due = (
                sa.select(outbox.c.id)
                .where(
                    outbox.c.status.in_([status.value for status in CLAIMABLE]),
                    outbox.c.next_attempt_at <= moment,
                )
                .order_by(outbox.c.next_attempt_at, outbox.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = db.execute(
                sa.update(outbox)
                .where(
                    outbox.c.id.in_(due.scalar_subquery()),
                    outbox.c.status.in_([status.value for status in CLAIMABLE]),
                )
                .values(
                    status=ActionStatus.CLAIMED.value,
                    attempts=outbox.c.attempts + 1,
                    lease_until=until,
                    claim_token=token,
                    updated_at=moment,
                )
                .returning(*_ACTION_COLUMNS)
            ).all()
            return [_claimed(row._mapping) for row in rows]

        claimed = self._write("claim_due", work)
        claimed.sort(key=lambda item: (item.planned.due_at, item.id))
        if claimed:
            _logger.debug("claimed %d actions", len(claimed))
        return claimed

    def _sweep(self, db: sa.Connection, moment: datetime) -> None:
        def expired(status: ActionStatus) -> Any:
            return (
                sa.select(outbox.c.id)
                .where(outbox.c.status == status.value, outbox.c.lease_until <= moment)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )

        unknown = db.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(expired(ActionStatus.SENDING)))
            .values(
                status=ActionStatus.UNKNOWN.value,
                last_error="lease expired while sending: the outcome is unknown",
                finished_at=moment,
                updated_at=moment,
            )
            .returning(outbox.c.id, outbox.c.connection, outbox.c.application_id)
        ).all()
        dead_or_back = sa.case(
            (outbox.c.attempts >= outbox.c.max_attempts, ActionStatus.DEAD.value),
            else_=ActionStatus.PENDING.value,
        )
        reclaimed = db.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(expired(ActionStatus.CLAIMED)))
            .values(
                status=dead_or_back,
                claim_token=None,
                lease_until=None,
                last_error="lease expired before sending",
                updated_at=moment,
            )
            .returning(outbox.c.id, outbox.c.connection, outbox.c.application_id, outbox.c.status)
        ).all()
        audit = [
            {
                "at": moment,
                "event": "unknown",
                "connection": row.connection,
                "application_id": row.application_id,
                "action_ref": row.id,
                "detail": "lease expired while sending",
            }
            for row in unknown
        ]
        audit.extend(
            {
                "at": moment,
                "event": "dead" if row.status == ActionStatus.DEAD.value else "lease_expired",
                "connection": row.connection,
                "application_id": row.application_id,
                "action_ref": row.id,
                "detail": "lease expired before sending",
            }
            for row in reclaimed
        )
        self._audit(db, audit)
        if unknown:
            _logger.warning(
                "%d actions left sending past their lease are now unknown: %s",
                len(unknown),
                ",".join(str(row.id) for row in unknown[:20]),
            )
        if reclaimed:
            _logger.info("%d expired claims released", len(reclaimed))

    def get_action(self, action_id: int) -> ActionRecord | None:
        """The action with this id as the outbox holds it now, if it exists."""
        return self._read(
            "get_action",
            lambda db: _first_record(db, sa.select(outbox).where(outbox.c.id == action_id)),
        )

    def actions_for(self, connection: str, application_id: str) -> list[ActionRecord]:
        """Every action of an application, in the order they were planned."""

        def work(db: sa.Connection) -> list[ActionRecord]:
            rows = db.execute(
                sa.select(outbox)
                .where(outbox.c.connection == connection, outbox.c.application_id == application_id)
                .order_by(outbox.c.id)
            )
            return [_record(row._mapping) for row in rows]

        return self._read("actions_for", work)

    def status_counts(self) -> dict[ActionStatus, int]:
        """How many actions are in each status (every status present, zeros included)."""

        def work(db: sa.Connection) -> dict[ActionStatus, int]:
            counts = dict.fromkeys(ActionStatus, 0)
            rows = db.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status))
            for status, count in rows:
                counts[ActionStatus(status)] = count
            return counts

        return self._read("status_counts", work)


def _claimed(row: Any) -> ClaimedAction:
    return ClaimedAction(
        id=row["id"],
        token=row["claim_token"],
        planned=planned_from_row(row),
        candidate_id=row["candidate_id"],
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        lease_until=row["lease_until"],
        message_id=row["message_id"],
        send_id=row["send_id"],
    )


def _record(row: Any) -> ActionRecord:
    return ActionRecord(
        id=row["id"],
        planned=planned_from_row(row),
        candidate_id=row["candidate_id"],
        status=ActionStatus(row["status"]),
        next_attempt_at=row["next_attempt_at"],
        give_up_at=row["give_up_at"],
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        lease_until=row["lease_until"],
        last_error=row["last_error"],
        message_id=row["message_id"],
        send_id=row["send_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


def _first_record(db: sa.Connection, statement: sa.Select[Any]) -> ActionRecord | None:
    row = db.execute(statement).one_or_none()
    return None if row is None else _record(row._mapping)
