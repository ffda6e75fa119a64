"""Housekeeping: retention purge, scheduler ticks, sync cursors and the audit log."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from ats_reject.store._privacy import PrivacyOperations
from ats_reject.store._records import AuditEntry, PurgeReport, SyncCursor
from ats_reject.store._schema import (
    audit_log,
    deliveries,
    quarantine,
    scheduler_ticks,
    sync_cursors,
)
from ats_reject.store._schema import events as event_table
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import ActionStatus, SuppressionKind, SuppressionReason

__all__ = ["MIN_DELIVERY_RETENTION", "HousekeepingOperations"]

_logger = logging.getLogger("ats_reject.store")

MIN_DELIVERY_RETENTION = timedelta(days=7)
"""Deliveries are kept at least this long: longer than any vendor's redelivery schedule."""

_PURGEABLE_ACTIONS = (
    ActionStatus.SENT.value,
    ActionStatus.CANCELLED.value,
    ActionStatus.DEAD.value,
)


class HousekeepingOperations(PrivacyOperations):
    """Purging, ticks, cursors, audit."""

    def purge(
        self,
        now: datetime | None = None,
        *,
        deliveries_after: timedelta = MIN_DELIVERY_RETENTION,
        events_after: timedelta = timedelta(days=30),
        quarantine_after: timedelta = timedelta(days=30),
        ticks_after: timedelta = timedelta(days=30),
        actions_after: timedelta | None = None,
        audit_after: timedelta | None = None,
    ) -> PurgeReport:
        """Delete what is older than its retention period, in one transaction.

        Unprocessed events and actions still to do are never purged; ``unknown`` actions
        wait for an operator. A purged finished action leaves the keyed hash of its natural
        key behind, so the same message cannot be planned again by a late sync.

        Args:
            now: The current time.
            deliveries_after: Deliveries older than this go (at least 7 days).
            events_after: Processed events older than this go.
            quarantine_after: Quarantined bodies older than this go.
            ticks_after: Scheduler ticks older than this go.
            actions_after: Sent, cancelled and dead actions finished longer ago than this go
                (``None``: kept).
            audit_after: Audit lines older than this go (``None``: kept).

        Raises:
            ValueError: ``deliveries_after`` is shorter than 7 days.
        """
        if deliveries_after < MIN_DELIVERY_RETENTION:
            raise ValueError("deliveries are kept at least 7 days (vendors redeliver for days)")
        moment = self._now(now)
        if actions_after is not None:
            self._key()

        def work(db: sa.Connection) -> PurgeReport:
            deleted: dict[str, int] = {}
            deleted["events"] = db.execute(
                sa.delete(event_table).where(event_table.c.processed_at < moment - events_after)
            ).rowcount
            deleted["deliveries"] = db.execute(
                sa.delete(deliveries).where(deliveries.c.received_at < moment - deliveries_after)
            ).rowcount
            deleted["quarantine"] = db.execute(
                sa.delete(quarantine).where(quarantine.c.received_at < moment - quarantine_after)
            ).rowcount
            deleted["scheduler_ticks"] = db.execute(
                sa.delete(scheduler_ticks).where(scheduler_ticks.c.slot < moment - ticks_after)
            ).rowcount
            if actions_after is not None:
                deleted["planned_actions"] = self._purge_actions(db, moment, actions_after)
            if audit_after is not None:
                deleted["audit_log"] = db.execute(
                    sa.delete(audit_log).where(audit_log.c.at < moment - audit_after)
                ).rowcount
            return PurgeReport(deleted=deleted)

        report = self._write("purge", work)
        _logger.info(
            "retention purge: %s",
            ", ".join(f"{table}={count}" for table, count in report.deleted.items()),
        )
        return report

    def _purge_actions(self, db: sa.Connection, moment: datetime, after: timedelta) -> int:
        rows = db.execute(
            sa.select(
                outbox.c.id,
                outbox.c.connection,
                outbox.c.application_id,
                outbox.c.message_kind,
                outbox.c.decision_version,
            ).where(
                outbox.c.status.in_(_PURGEABLE_ACTIONS),
                outbox.c.finished_at < moment - after,
            )
        ).all()
        if not rows:
            return 0
        entries = [
            (
                SuppressionKind.ACTION,
                self.keyed_hash(
                    SuppressionKind.ACTION,
                    row.connection,
                    row.application_id,
                    row.message_kind,
                    row.decision_version,
                ),
            )
            for row in rows
        ]
        self._suppress(db, entries, SuppressionReason.RETENTION, moment)
        return db.execute(
            sa.delete(outbox).where(outbox.c.id.in_([row.id for row in rows]))
        ).rowcount

    # -- scheduler ticks ----------------------------------------------------------------

    def tick(self, job: str, slot: datetime, *, now: datetime | None = None) -> bool:
        """Whether this caller runs *job* for *slot*: ``True`` exactly once per slot.

        However many schedulers fire for the same slot, the unique ``(job, slot)`` row lets
        one of them through.
        """
        moment = self._now(now)
        if not job or len(job) > 100:
            raise ValueError("a job name is 1 to 100 characters")

        def work(db: sa.Connection) -> bool:
            inserted = db.execute(
                self._insert(scheduler_ticks)
                .values(job=job, slot=slot, ran_at=moment)
                .on_conflict_do_nothing()
                .returning(scheduler_ticks.c.id)
            ).scalar_one_or_none()
            return inserted is not None

        return self._write("tick", work)

    # -- sync cursors -------------------------------------------------------------------

    def get_cursor(self, connection: str, stream: str = "applications") -> SyncCursor | None:
        """Where the connection's sync of *stream* stands, if it ever ran."""
        return self._read("get_cursor", lambda db: _cursor(db, connection, stream))

    def set_cursor(
        self,
        connection: str,
        cursor_at: datetime | None,
        *,
        token: str | None = None,
        stream: str = "applications",
        now: datetime | None = None,
    ) -> SyncCursor:
        """Save the sync's position; a cursor never moves backwards.

        When two syncs overlap, the one that finishes last with an older position leaves the
        newer one in place.

        Returns:
            The cursor as stored afterwards.
        """
        moment = self._now(now)
        if token is not None and len(token) > 1000:
            raise ValueError("a cursor token is at most 1000 characters")

        def work(db: sa.Connection) -> SyncCursor:
            statement = self._insert(sync_cursors).values(
                connection=connection,
                stream=stream,
                cursor_at=cursor_at,
                token=token,
                updated_at=moment,
            )
            existing = sync_cursors.c.cursor_at
            db.execute(
                statement.on_conflict_do_update(
                    index_elements=["connection", "stream"],
                    set_={
                        "cursor_at": statement.excluded.cursor_at,
                        "token": statement.excluded.token,
                        "updated_at": moment,
                    },
                    where=sa.or_(
                        existing.is_(None),
                        statement.excluded.cursor_at.is_(None),
                        existing <= statement.excluded.cursor_at,
                    ),
                )
            )
            stored = _cursor(db, connection, stream)
            if stored is None:  # pragma: no cover - written just above in this transaction
                raise RuntimeError("the cursor row vanished inside its own transaction")
            return stored

        return self._write("set_cursor", work)

    # -- audit log ----------------------------------------------------------------------

    def audit(
        self,
        event: str,
        *,
        connection: str | None = None,
        application_id: str | None = None,
        candidate_id: str | None = None,
        action_id: int | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Append a line to the audit log (an ATS note written, a report sent ...).

        ``detail`` is redacted and cut to 480 characters; give codes and counts, not content.
        """
        moment = self._now(at)
        row = {
            "at": moment,
            "event": event[:40],
            "connection": connection,
            "application_id": application_id,
            "candidate_id": candidate_id,
            "action_ref": action_id,
            "detail": detail,
        }
        self._write("audit", lambda db: self._audit(db, [row]))

    def audit_trail(self, connection: str, application_id: str) -> list[AuditEntry]:
        """The audit lines of an application, oldest first."""

        def work(db: sa.Connection) -> list[AuditEntry]:
            rows = db.execute(
                sa.select(audit_log)
                .where(
                    audit_log.c.connection == connection,
                    audit_log.c.application_id == application_id,
                )
                .order_by(audit_log.c.id)
            )
            return [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    event=row.event,
                    connection=row.connection,
                    application_id=row.application_id,
                    candidate_id=row.candidate_id,
                    action_id=row.action_ref,
                    detail=row.detail,
                )
                for row in rows
            ]

        return self._read("audit_trail", work)


def _cursor(db: sa.Connection, connection: str, stream: str) -> SyncCursor | None:
    row = db.execute(
        sa.select(sync_cursors).where(
            sync_cursors.c.connection == connection, sync_cursors.c.stream == stream
        )
    ).one_or_none()
    if row is None:
        return None
    return SyncCursor(
        connection=row.connection,
        stream=row.stream,
        cursor_at=row.cursor_at,
        token=row.token,
        updated_at=row.updated_at,
    )
