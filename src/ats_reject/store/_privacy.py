"""Privacy: consents, suppressions, and erasure of a person from every table.

Consents and suppressions hold keyed hashes only (HMAC-SHA256 with the store's hash key),
never an address or an id: enough to answer "may we write to this person?" and to refuse a
second message after an erasure, not enough to say who anyone is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from ats_reject.store._outbox import OutboxOperations
from ats_reject.store._records import ConsentRecord, ErasureReport, NotifyTarget, Person
from ats_reject.store._schema import audit_log, consents, quarantine, suppressions
from ats_reject.store._schema import events as event_table
from ats_reject.store._schema import planned_actions as outbox
from ats_reject.store._types import ActionStatus, SuppressionKind, SuppressionReason

__all__ = ["PrivacyOperations"]

_logger = logging.getLogger("ats_reject.store")

_WENT_OUT = (ActionStatus.SENT.value, ActionStatus.SENDING.value, ActionStatus.UNKNOWN.value)


class PrivacyOperations(OutboxOperations):
    """Consents, suppressions and erasure."""

    # -- consents -----------------------------------------------------------------------

    def _person_key(self, person: Person) -> str:
        return self.keyed_hash(SuppressionKind.PERSON, person.connection, person.candidate_id)

    def grant_consent(
        self,
        person: Person,
        *,
        source: str,
        notice_version: str,
        granted_at: datetime,
        expires_at: datetime | None = None,
    ) -> int:
        """Record a talent-pool consent; returns its id.

        Args:
            person: Who consented.
            source: How (``consent_link``, ``ats_form`` ...).
            notice_version: The version of the privacy notice they were shown.
            granted_at: When.
            expires_at: When it lapses, if it does.
        """
        key = self._person_key(person)
        row = {
            "person_key": key,
            "source": source[:100],
            "notice_version": notice_version[:100],
            "granted_at": granted_at,
            "expires_at": expires_at,
            "withdrawn_at": None,
        }
        return self._write(
            "grant_consent",
            lambda db: int(
                db.execute(consents.insert().returning(consents.c.id), row).scalar_one()
            ),
        )

    def withdraw_consent(self, person: Person, *, at: datetime | None = None) -> int:
        """Withdraw every consent of the person not withdrawn yet; returns how many."""
        moment = self._now(at)
        key = self._person_key(person)
        return self._write(
            "withdraw_consent",
            lambda db: (
                db.execute(
                    sa.update(consents)
                    .where(consents.c.person_key == key, consents.c.withdrawn_at.is_(None))
                    .values(withdrawn_at=moment)
                ).rowcount
            ),
        )

    def consents_of(self, person: Person) -> list[ConsentRecord]:
        """The person's consents, latest first."""
        key = self._person_key(person)

        def work(db: sa.Connection) -> list[ConsentRecord]:
            rows = db.execute(
                sa.select(consents)
                .where(consents.c.person_key == key)
                .order_by(consents.c.granted_at.desc(), consents.c.id.desc())
            )
            return [
                ConsentRecord(
                    id=row.id,
                    source=row.source,
                    notice_version=row.notice_version,
                    granted_at=row.granted_at,
                    expires_at=row.expires_at,
                    withdrawn_at=row.withdrawn_at,
                )
                for row in rows
            ]

        return self._read("consents_of", work)

    def latest_consent(self, person: Person) -> ConsentRecord | None:
        """The person's most recent consent, if any."""
        found = self.consents_of(person)
        return found[0] if found else None

    def consent_active(self, person: Person, at: datetime | None = None) -> bool:
        """Whether any consent of the person holds at *at* (given, not withdrawn, not expired)."""
        moment = self._now(at)
        return any(record.holds_at(moment) for record in self.consents_of(person))

    # -- suppressions -------------------------------------------------------------------

    def _suppress(
        self,
        db: sa.Connection,
        entries: Iterable[tuple[SuppressionKind, str]],
        reason: SuppressionReason,
        moment: datetime,
    ) -> int:
        kinds = {key: kind for kind, key in entries}
        count = 0
        for key, kind in kinds.items():
            statement = self._insert(suppressions).values(
                key_hash=key,
                kind=kind.value,
                reason=reason.value,
                created_at=moment,
                updated_at=moment,
            )
            # An erasure is final: no later bounce or unsubscribe replaces its reason.
            statement = statement.on_conflict_do_update(
                index_elements=["key_hash"],
                set_={"reason": statement.excluded.reason, "updated_at": moment},
                where=suppressions.c.reason != SuppressionReason.ERASED.value,
            )
            db.execute(statement)
            count += 1
        return count

    def suppress_address(
        self, address: str, reason: SuppressionReason, *, now: datetime | None = None
    ) -> None:
        """Send nothing more to *address* (a hard bounce, a complaint, an unsubscribe)."""
        moment = self._now(now)
        entry = (SuppressionKind.ADDRESS, self.keyed_hash(SuppressionKind.ADDRESS, address))
        self._write("suppress_address", lambda db: self._suppress(db, [entry], reason, moment))

    def suppress_person(
        self, person: Person, reason: SuppressionReason, *, now: datetime | None = None
    ) -> None:
        """Suppress a person (and the addresses given with them)."""
        moment = self._now(now)
        entries = [(SuppressionKind.PERSON, self._person_key(person))]
        entries.extend(
            (SuppressionKind.ADDRESS, self.keyed_hash(SuppressionKind.ADDRESS, address))
            for address in person.emails
        )
        self._write("suppress_person", lambda db: self._suppress(db, entries, reason, moment))

    def _reason_for(self, key: str) -> SuppressionReason | None:
        value = self._read(
            "suppression",
            lambda db: db.execute(
                sa.select(suppressions.c.reason).where(suppressions.c.key_hash == key)
            ).scalar_one_or_none(),
        )
        return None if value is None else SuppressionReason(value)

    def suppression_reason(self, address: str) -> SuppressionReason | None:
        """Why *address* is suppressed, or ``None`` when it is not."""
        return self._reason_for(self.keyed_hash(SuppressionKind.ADDRESS, address))

    def is_suppressed(self, address: str) -> bool:
        """Whether nothing may be sent to *address* (checked before every send)."""
        return self.suppression_reason(address) is not None

    def person_suppression(self, person: Person) -> SuppressionReason | None:
        """Why the person is suppressed (unsubscribed, erased ...), or ``None``."""
        return self._reason_for(self._person_key(person))

    # -- erasure ------------------------------------------------------------------------

    def erase(self, person: Person, *, now: datetime | None = None) -> ErasureReport:
        """Remove or anonymise the person in every table, keeping only keyed hashes.

        In one transaction: their events, quarantined bodies mentioning them, planned actions
        (sent or not) and consents are deleted; their audit lines lose the ids; keyed hashes
        of the person, their applications and their addresses are kept as ``erased``
        suppressions, so a later webhook or sync about them is not stored and no action is
        planned for them again. Deliveries, cursors and ticks hold no personal data.

        Args:
            person: The person, with every address and application id known (the store
                also finds the applications it has linked to them).
            now: The time of the erasure.

        Returns:
            Counts by table, and the other systems that may hold the person's data.
        """
        moment = self._now(now)
        person_key = self._person_key(person)
        marker = f"erased:{person_key[:16]}"

        def work(db: sa.Connection) -> ErasureReport:
            applications = set(person.application_ids) | _linked_applications(db, person)
            removed: dict[str, int] = {}
            removed["events"] = _delete_events(db, person, applications)
            removed["quarantine"] = _delete_quarantined(db, person, applications)
            who = _actions_of(person, applications)
            went_out = db.execute(
                sa.select(outbox.c.channel, sa.func.count())
                .where(who, outbox.c.status.in_(_WENT_OUT))
                .group_by(outbox.c.channel)
            ).all()
            removed["planned_actions"] = db.execute(sa.delete(outbox).where(who)).rowcount
            removed["audit_log"] = db.execute(
                sa.update(audit_log)
                .where(
                    audit_log.c.connection == person.connection,
                    sa.or_(
                        audit_log.c.candidate_id == person.candidate_id,
                        audit_log.c.application_id.in_(sorted(applications)),
                    ),
                )
                .values(application_id=marker, candidate_id=marker, detail=None)
            ).rowcount
            removed["consents"] = db.execute(
                sa.delete(consents).where(consents.c.person_key == person_key)
            ).rowcount
            entries = [(SuppressionKind.PERSON, person_key)]
            entries.extend(
                (
                    SuppressionKind.APPLICATION,
                    self.keyed_hash(SuppressionKind.APPLICATION, person.connection, app),
                )
                for app in sorted(applications)
            )
            entries.extend(
                (SuppressionKind.ADDRESS, self.keyed_hash(SuppressionKind.ADDRESS, address))
                for address in person.emails
            )
            kept = self._suppress(db, entries, SuppressionReason.ERASED, moment)
            self._audit(
                db,
                [
                    {
                        "at": moment,
                        "event": "erased",
                        "connection": person.connection,
                        "candidate_id": marker,
                        "detail": f"{sum(removed.values())} rows removed or anonymised",
                    }
                ],
            )
            return ErasureReport(
                removed=removed,
                hashes_kept=kept,
                notify=_notify_targets(person.connection, {row[0]: row[1] for row in went_out}),
            )

        self._key()
        report = self._write("erase", work)
        self._checkpoint()
        _logger.info(
            "erased a person on %s: %s; %d hashes kept",
            person.connection,
            ", ".join(f"{table}={count}" for table, count in report.removed.items()),
            report.hashes_kept,
        )
        return report

    def _checkpoint(self) -> None:
        """Fold the SQLite write-ahead log into the database, so erased pages leave the WAL."""
        if self.backend != "sqlite":
            return
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        except sa.exc.DBAPIError:  # pragma: no cover - best effort: readers may hold the WAL
            _logger.debug("WAL checkpoint after erasure deferred")
        finally:
            raw.close()


def _linked_applications(db: sa.Connection, person: Person) -> set[str]:
    found: set[str] = set()
    for table in (event_table, outbox):
        rows = db.execute(
            sa.select(table.c.application_id)
            .where(
                table.c.connection == person.connection,
                table.c.candidate_id == person.candidate_id,
                table.c.application_id.is_not(None),
            )
            .distinct()
        )
        found.update(value for value in rows.scalars() if value is not None)
    return found


def _delete_events(db: sa.Connection, person: Person, applications: set[str]) -> int:
    body = sa.func.lower(event_table.c.event_json)
    mentions = [
        event_table.c.candidate_id == person.candidate_id,
        event_table.c.application_id.in_(sorted(applications)),
        event_table.c.event_json.contains(
            f'"related_candidate_id":"{person.candidate_id}"', autoescape=True
        ),
    ]
    mentions.extend(
        body.contains(address.strip().lower(), autoescape=True) for address in person.emails
    )
    return db.execute(
        sa.delete(event_table).where(
            event_table.c.connection == person.connection, sa.or_(*mentions)
        )
    ).rowcount


def _delete_quarantined(db: sa.Connection, person: Person, applications: set[str]) -> int:
    """Delete quarantined bodies that mention the person (unreadable, so searched as bytes).

    Ids match as whole tokens; a short id may also match someone else's body, which then
    goes too: an unreadable body is worth less than a missed erasure.
    """
    patterns = [re.escape(address.strip().lower().encode()) for address in person.emails]
    patterns.extend(
        rb"(?<![A-Za-z0-9_.-])" + re.escape(value.lower().encode()) + rb"(?![A-Za-z0-9_.-])"
        for value in (person.candidate_id, *sorted(applications))
    )
    matcher = re.compile(b"|".join(patterns))
    rows = db.execute(
        sa.select(quarantine.c.id, quarantine.c.body).where(
            quarantine.c.connection == person.connection
        )
    )
    doomed = [row.id for row in rows if matcher.search(bytes(row.body).lower())]
    if not doomed:
        return 0
    return db.execute(sa.delete(quarantine).where(quarantine.c.id.in_(doomed))).rowcount


def _actions_of(person: Person, applications: set[str]) -> sa.ColumnElement[bool]:
    return sa.and_(
        outbox.c.connection == person.connection,
        sa.or_(
            outbox.c.candidate_id == person.candidate_id,
            outbox.c.application_id.in_(sorted(applications)),
        ),
    )


def _notify_targets(connection: str, went_out: dict[str, int]) -> tuple[NotifyTarget, ...]:
    targets = [
        NotifyTarget(
            "ats",
            connection,
            "the ATS holds the candidate's record, notes and any mail it sent: erase or "
            "anonymise the candidate there too",
        )
    ]
    mailed = went_out.get("email", 0) + went_out.get("call", 0)
    if mailed:
        targets.append(
            NotifyTarget(
                "mail",
                "email",
                f"{mailed} messages went out through the mail transport: its provider's logs "
                "and the sent-mail copies hold the address",
            )
        )
    if went_out.get("call"):
        targets.append(
            NotifyTarget(
                "recruiter",
                "call",
                "call tasks with talking points were sent to recruiters' mailboxes",
            )
        )
    return tuple(targets)
