"""Dispatching: claims with a lease and a token, intent before effect, fenced completion.

Every update after the claim is conditional on the claim token (``WHERE id = ? AND
claim_token = ?``): when it changes nothing, the caller's claim is gone (reclaimed after its
lease expired, cancelled, erased, or declared unknown) and gets :class:`LeaseLost`; the row
is never overwritten.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ats_reject.store._core import new_token, safe_text
from ats_reject.store._planning import PlanningOperations
from ats_reject.store._records import (
    ActionRecord,
    ClaimedAction,
    Completed,
    Failed,
    LeaseLost,
    Released,
    Renewed,
    Sending,
    planned_from_row,
)
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import CLAIMABLE, ActionStatus, Completion

__all__ = ["OutboxOperations"]

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
_HELD_BY_WORKER = (ActionStatus.CLAIMED.value, ActionStatus.SENDING.value)


def _safe(text: str) -> str:
    return safe_text(text)


class OutboxOperations(PlanningOperations):
    """Claiming, leases and completion of planned actions."""

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

    def _fenced(
        self,
        operation: str,
        action_id: int,
        token: str,
        *,
        statuses: tuple[str, ...],
        values: dict[str, Any],
        audit: dict[str, Any] | None,
    ) -> sa.Row[Any] | None:
        """One conditional update; ``None`` when the claim is no longer the caller's."""

        def work(db: sa.Connection) -> sa.Row[Any] | None:
            row = db.execute(
                sa.update(outbox)
                .where(
                    outbox.c.id == action_id,
                    outbox.c.claim_token == token,
                    outbox.c.status.in_(statuses),
                )
                .values(**values)
                .returning(
                    outbox.c.id,
                    outbox.c.connection,
                    outbox.c.application_id,
                    outbox.c.candidate_id,
                    outbox.c.status,
                    outbox.c.attempts,
                    outbox.c.message_id,
                    outbox.c.send_id,
                    outbox.c.lease_until,
                    outbox.c.next_attempt_at,
                )
            ).one_or_none()
            if row is not None and audit is not None:
                self._audit(
                    db,
                    [
                        {
                            **audit,
                            "connection": row.connection,
                            "application_id": row.application_id,
                            "candidate_id": row.candidate_id,
                            "action_ref": row.id,
                        }
                    ],
                )
            return row

        row = self._write(operation, work)
        if row is None:
            _logger.warning("lease lost: %s of action %d changed nothing", operation, action_id)
        return row

    def renew_lease(
        self, action_id: int, token: str, until: datetime, *, now: datetime | None = None
    ) -> Renewed | LeaseLost:
        """Extend the lease of a claimed or sending action (the worker's heartbeat)."""
        moment = self._now(now)
        row = self._fenced(
            "renew_lease",
            action_id,
            token,
            statuses=_HELD_BY_WORKER,
            values={"lease_until": until, "updated_at": moment},
            audit=None,
        )
        if row is None:
            return LeaseLost(action_id, "renew_lease")
        return Renewed(action_id, row.lease_until)

    def mark_sending(
        self,
        action_id: int,
        token: str,
        *,
        lease_until: datetime | None = None,
        now: datetime | None = None,
    ) -> Sending | LeaseLost:
        """Commit the intent to send, before contacting the channel.

        From here on a crash leaves the action ``sending``; once its lease ends the sweep
        makes it ``unknown`` instead of sending it again.

        Args:
            action_id: The claimed action.
            token: Its claim token.
            lease_until: A new lease end covering the send (default: unchanged).
            now: The current time.
        """
        moment = self._now(now)
        values: dict[str, Any] = {"status": ActionStatus.SENDING.value, "updated_at": moment}
        if lease_until is not None:
            values["lease_until"] = lease_until
        row = self._fenced(
            "mark_sending",
            action_id,
            token,
            statuses=(ActionStatus.CLAIMED.value,),
            values=values,
            audit={"at": moment, "event": "sending", "detail": None},
        )
        if row is None:
            return LeaseLost(action_id, "mark_sending")
        return Sending(action_id, row.message_id, row.send_id, row.lease_until)

    def complete(
        self,
        action_id: int,
        token: str,
        outcome: Completion = Completion.SENT,
        *,
        detail: str | None = None,
        now: datetime | None = None,
    ) -> Completed | LeaseLost:
        """Finish a claimed, sending (or swept-to-unknown) action, if the claim is still ours.

        A worker whose send outlived its lease may still report ``sent`` for an action the
        sweep declared ``unknown``: nobody reclaimed it, so the token still matches and the
        better-known outcome is kept. Repeating the same completion is answered again.

        Args:
            action_id: The action.
            token: Its claim token.
            outcome: ``sent``, ``cancelled`` (the re-check refused it), ``unknown`` (the
                channel cannot say) or ``held`` (for a person to review).
            detail: A short safe note (an SMTP reply code, why it was cancelled).
            now: The current time.
        """
        moment = self._now(now)
        status = ActionStatus(outcome.value)
        values: dict[str, Any] = {
            "status": status.value,
            "lease_until": None,
            "updated_at": moment,
            "finished_at": None if status is ActionStatus.HELD else moment,
        }
        if detail is not None or status is not ActionStatus.SENT:
            values["last_error"] = _safe(detail) if detail is not None else None
        allowed = (*_HELD_BY_WORKER, ActionStatus.UNKNOWN.value, status.value)
        row = self._fenced(
            "complete",
            action_id,
            token,
            statuses=allowed,
            values=values,
            audit={"at": moment, "event": status.value, "detail": detail},
        )
        if row is None:
            return LeaseLost(action_id, "complete")
        return Completed(action_id, ActionStatus(row.status))

    def fail(
        self,
        action_id: int,
        token: str,
        error: str,
        *,
        retry_at: datetime | None,
        now: datetime | None = None,
    ) -> Failed | LeaseLost:
        """Record a failed attempt: retried at *retry_at*, or ``dead``.

        The action is ``dead`` (with the reason kept) when *retry_at* is ``None`` (a
        permanent error), when it has used its ``max_attempts``, or when *retry_at* falls
        after its give-up time.

        Args:
            action_id: The action.
            token: Its claim token.
            error: What went wrong, as safe text (codes, no addresses); redacted again.
            retry_at: When to try again, or ``None`` for a permanent failure.
            now: The current time.
        """
        moment = self._now(now)
        message = _safe(error)

        def work(db: sa.Connection) -> Failed | None:
            current = db.execute(
                sa.select(outbox.c.attempts, outbox.c.max_attempts, outbox.c.give_up_at)
                .where(
                    outbox.c.id == action_id,
                    outbox.c.claim_token == token,
                    outbox.c.status.in_(_HELD_BY_WORKER),
                )
                .with_for_update()
            ).one_or_none()
            if current is None:
                return None
            dead = True
            if retry_at is None:
                reason = f"permanent failure: {message}"
            elif current.attempts >= current.max_attempts:
                reason = f"gave up after {current.attempts} attempts: {message}"
            elif current.give_up_at is not None and retry_at > current.give_up_at:
                reason = f"gave up: the next attempt would be past the deadline: {message}"
            else:
                dead, reason = False, message
            status = ActionStatus.DEAD if dead else ActionStatus.FAILED
            values: dict[str, Any] = {
                "status": status.value,
                "lease_until": None,
                "last_error": reason[:500],
                "updated_at": moment,
            }
            if dead:
                values["finished_at"] = moment
            else:
                values["next_attempt_at"] = retry_at
            row = db.execute(
                sa.update(outbox)
                .where(outbox.c.id == action_id, outbox.c.claim_token == token)
                .values(**values)
                .returning(outbox.c.connection, outbox.c.application_id, outbox.c.candidate_id)
            ).one()
            self._audit(
                db,
                [
                    {
                        "at": moment,
                        "event": status.value,
                        "connection": row.connection,
                        "application_id": row.application_id,
                        "candidate_id": row.candidate_id,
                        "action_ref": action_id,
                        "detail": reason,
                    }
                ],
            )
            return Failed(
                action_id, status, current.attempts, None if dead else retry_at, reason[:500]
            )

        result = self._write("fail", work)
        if result is None:
            _logger.warning("lease lost: fail of action %d changed nothing", action_id)
            return LeaseLost(action_id, "fail")
        if result.status is ActionStatus.DEAD:
            _logger.warning("action %d is dead after %d attempts", action_id, result.attempts)
        return result

    def release(
        self,
        action_id: int,
        token: str,
        retry_at: datetime,
        *,
        reason: str = "released",
        now: datetime | None = None,
    ) -> Released | LeaseLost:
        """Hand a claimed action back without counting the attempt (before any send).

        For a worker that cannot go ahead for reasons not the action's own: the ATS's
        circuit breaker is open, the retry budget is spent, the worker is shutting down.
        """
        moment = self._now(now)
        row = self._fenced(
            "release",
            action_id,
            token,
            statuses=(ActionStatus.CLAIMED.value,),
            values={
                "status": ActionStatus.PENDING.value,
                "attempts": outbox.c.attempts - 1,
                "next_attempt_at": retry_at,
                "claim_token": None,
                "lease_until": None,
                "last_error": _safe(reason),
                "updated_at": moment,
            },
            audit={"at": moment, "event": "released", "detail": reason},
        )
        if row is None:
            return LeaseLost(action_id, "release")
        return Released(action_id, row.next_attempt_at)

    def requeue(
        self, action_id: int, *, at: datetime, reason: str, now: datetime | None = None
    ) -> bool:
        """Put a held, unknown, failed or dead action back to ``pending`` (an operator's call).

        Its attempts start again from zero and any old claim is void. For an ``unknown``
        action this means a possible duplicate, sent with the same Message-ID.

        Returns:
            Whether the action was in one of those states.
        """
        moment = self._now(now)
        statuses = (
            ActionStatus.HELD.value,
            ActionStatus.UNKNOWN.value,
            ActionStatus.FAILED.value,
            ActionStatus.DEAD.value,
        )

        def work(db: sa.Connection) -> bool:
            row = db.execute(
                sa.update(outbox)
                .where(outbox.c.id == action_id, outbox.c.status.in_(statuses))
                .values(
                    status=ActionStatus.PENDING.value,
                    attempts=0,
                    next_attempt_at=at,
                    claim_token=None,
                    lease_until=None,
                    finished_at=None,
                    last_error=_safe(reason),
                    updated_at=moment,
                )
                .returning(outbox.c.connection, outbox.c.application_id, outbox.c.candidate_id)
            ).one_or_none()
            if row is None:
                return False
            self._audit(
                db,
                [
                    {
                        "at": moment,
                        "event": "requeued",
                        "connection": row.connection,
                        "application_id": row.application_id,
                        "candidate_id": row.candidate_id,
                        "action_ref": action_id,
                        "detail": reason,
                    }
                ],
            )
            return True

        return self._write("requeue", work)

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
