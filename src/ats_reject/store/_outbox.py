"""Dispatching after the claim: intent before effect, fenced completion, retries.

Every update after the claim is conditional on the claim token (``WHERE id = ? AND
claim_token = ?``): when it changes nothing, the caller's claim is gone (reclaimed after its
lease expired, cancelled, erased, or declared unknown) and gets :class:`LeaseLost`; the row
is never overwritten.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ats_reject.store._claims import ClaimOperations
from ats_reject.store._core import safe_text
from ats_reject.store._records import Completed, Failed, LeaseLost, Released, Renewed, Sending
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import ActionStatus, Completion

__all__ = ["OutboxOperations"]

_logger = logging.getLogger("ats_reject.store")

_HELD_BY_WORKER = (ActionStatus.CLAIMED.value, ActionStatus.SENDING.value)


class OutboxOperations(ClaimOperations):
    """Leases, intent, completion, failure and requeueing of claimed actions."""

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
            values["last_error"] = safe_text(detail) if detail is not None else None
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
        message = safe_text(error)

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
                "last_error": safe_text(reason),
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
                    last_error=safe_text(reason),
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
