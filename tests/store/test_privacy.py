"""Privacy: suppressions (R23), consents (R28), erasure that leaves no trace (R27)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from ats_reject.clock import FrozenClock
from ats_reject.models import Candidate
from ats_reject.policy import Channel, MessageKind
from ats_reject.store import Person, Store, SuppressionReason, upgrade

from .conftest import T0, StoreTarget, planned, rejected_event

NAME = "Zebulon"
SURNAME = "Quibbleworth"
EMAIL = "zebulon.quibbleworth@canary.example"
PHONE = "+44 20 7946 0731"
CANDIDATE_ID = "cand-canary-7731"
APPLICATION_ID = "app-canary-5521"
CANARIES = (NAME, SURNAME, EMAIL, PHONE, CANDIDATE_ID, APPLICATION_ID)
PERSON = Person("greenhouse", CANDIDATE_ID, emails=(EMAIL.upper(),))


def test_a_suppressed_address_is_found_whatever_its_case(store: Store) -> None:
    store.suppress_address("Bounced@Example.com ", SuppressionReason.HARD_BOUNCE)

    assert store.is_suppressed("bounced@example.com")
    assert store.suppression_reason("BOUNCED@example.com") is SuppressionReason.HARD_BOUNCE
    assert not store.is_suppressed("other@example.com")


def test_suppressions_keep_no_address(store: Store) -> None:
    store.suppress_address("complainer@example.com", SuppressionReason.COMPLAINT)

    assert "complainer" not in _dump(store)


def test_an_unsubscribed_person_is_suppressed_with_their_addresses(store: Store) -> None:
    person = Person("lever", "c-9", emails=("nine@example.com",))

    store.suppress_person(person, SuppressionReason.UNSUBSCRIBE)

    assert store.person_suppression(person) is SuppressionReason.UNSUBSCRIBE
    assert store.is_suppressed("nine@example.com")
    assert store.person_suppression(Person("lever", "c-10")) is None


def test_a_consent_holds_from_its_grant_until_withdrawn_or_expired(
    store: Store, clock: FrozenClock
) -> None:
    """R28: the gate for talent-pool mail."""
    person = Person("greenhouse", "c-1")
    assert not store.consent_active(person)

    store.grant_consent(
        person,
        source="consent_link",
        notice_version="2026-01",
        granted_at=T0,
        expires_at=T0 + timedelta(days=365),
    )
    assert store.consent_active(person, T0)
    assert not store.consent_active(person, T0 - timedelta(seconds=1))
    assert not store.consent_active(person, T0 + timedelta(days=365))

    clock.advance(timedelta(days=30))
    assert store.withdraw_consent(person) == 1
    assert not store.consent_active(person)
    latest = store.latest_consent(person)
    assert latest is not None
    assert latest.withdrawn_at == clock.now()
    assert latest.source == "consent_link"
    assert latest.notice_version == "2026-01"


def _seed_person(store: Store, clock: FrozenClock) -> None:
    """The canary person in every table that can hold them."""
    candidate = Candidate(
        id=CANDIDATE_ID, first_name=NAME, last_name=SURNAME, emails=(EMAIL,), phone=PHONE
    )
    event = rejected_event(APPLICATION_ID, candidate_id=CANDIDATE_ID, candidate=candidate)
    processed = store.record_delivery("greenhouse", "d-1", [event]).event_ids[0]
    store.record_delivery("greenhouse", "d-2", [event])
    store.quarantine("greenhouse", f'{{"email": "{EMAIL}", "x": '.encode(), "not_json")
    store.quarantine("greenhouse", b'{"other": "person"', "not_json")
    store.complete_event(
        processed,
        [
            planned(APPLICATION_ID),
            planned(APPLICATION_ID, kind=MessageKind.CALL_TASK, channel=Channel.CALL),
            planned(APPLICATION_ID, kind=MessageKind.RE_ENGAGEMENT, due_at=T0 + timedelta(days=90)),
        ],
        candidate_id=CANDIDATE_ID,
    )
    for claimed in store.claim_due(T0, 10, timedelta(minutes=5)):
        store.mark_sending(claimed.id, claimed.token)
        store.complete(claimed.id, claimed.token, detail=f"250 accepted for {EMAIL}")
    store.grant_consent(PERSON, source="consent_link", notice_version="2026-01", granted_at=T0)
    store.suppress_address(EMAIL, SuppressionReason.UNSUBSCRIBE)
    store.audit("ats_note_written", connection="greenhouse", application_id=APPLICATION_ID)
    store.set_cursor("greenhouse", T0)
    store.tick("sync", T0)
    # Someone else, who must survive the erasure.
    store.record_delivery("greenhouse", "d-3", [rejected_event("app-other", candidate_id="c-o")])
    store.plan_actions([planned("app-other")], candidate_id="c-o")
    clock.advance(timedelta(minutes=1))


def _dump(store: Store) -> str:
    """Every value of every row of every table, as text."""
    parts: list[str] = []
    if store.backend == "sqlite":
        database = store.engine.url.database
        assert database is not None
        with closing(sqlite3.connect(database)) as raw:
            parts.extend(raw.iterdump())
        return "\n".join(parts)
    with store.engine.connect() as connection:
        tables = connection.execute(
            sa.text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"
            ),
            {"schema": store.schema},
        ).scalars()
        for table in list(tables):
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):  # noqa: S608
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "replace"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def _leftovers(text: str) -> list[str]:
    lowered = text.lower()
    return [canary for canary in CANARIES if canary.lower() in lowered]


def test_erasure_leaves_no_trace_of_the_person_in_a_full_dump(
    store: Store, clock: FrozenClock
) -> None:
    """R27: seeded in every table, then gone; only keyed hashes stay."""
    _seed_person(store, clock)
    assert _leftovers(_dump(store)), "the seed should have put the canaries in the store"

    report = store.erase(PERSON)

    assert _leftovers(_dump(store)) == []
    assert report.removed["events"] == 2
    assert report.removed["quarantine"] == 1
    assert report.removed["planned_actions"] == 3
    assert report.removed["consents"] == 1
    assert report.removed["audit_log"] >= 5
    assert report.hashes_kept == 3
    assert [target.kind for target in report.notify] == ["ats", "mail", "recruiter"]
    assert all(canary not in repr(report) for canary in CANARIES)
    assert [r.planned.application_id for r in store.actions_for("greenhouse", "app-other")] == [
        "app-other"
    ]
    assert len(store.pending_events()) == 1


def test_after_erasure_the_sqlite_file_holds_no_trace_either(
    target: StoreTarget, store: Store, clock: FrozenClock
) -> None:
    if target.backend != "sqlite":
        return
    _seed_person(store, clock)

    store.erase(PERSON)
    store.close()

    database = Path(target.url.removeprefix("sqlite:///"))
    files = [database, database.with_name(database.name + "-wal")]
    content = b"".join(path.read_bytes() for path in files if path.exists())
    assert _leftovers(content.decode("latin-1")) == []


def test_after_erasure_nothing_about_the_person_is_stored_or_planned_again(
    store: Store, clock: FrozenClock
) -> None:
    """R27: a later webhook for the same application does not lead to a second message."""
    _seed_person(store, clock)
    store.erase(PERSON)

    late = store.record_delivery(
        "greenhouse", "d-late", [rejected_event(APPLICATION_ID, candidate_id=CANDIDATE_ID)]
    )
    direct = store.plan_actions(
        [planned(APPLICATION_ID, kind=MessageKind.CONSENT_RENEWAL)], candidate_id=CANDIDATE_ID
    )
    other_application = store.plan_actions(
        [planned("app-new-for-same-person")], candidate_id=CANDIDATE_ID
    )

    assert late.dropped == 1
    assert late.event_ids == ()
    assert direct.refused == 1
    assert other_application.refused == 1
    assert store.is_suppressed(EMAIL)
    assert store.suppression_reason(EMAIL) is SuppressionReason.ERASED
    assert store.person_suppression(PERSON) is SuppressionReason.ERASED
    assert _leftovers(_dump(store)) == []


def test_a_later_bounce_does_not_undo_an_erasure(store: Store) -> None:
    store.erase(PERSON)

    store.suppress_address(EMAIL, SuppressionReason.HARD_BOUNCE)

    assert store.suppression_reason(EMAIL) is SuppressionReason.ERASED


def test_without_a_configured_key_the_store_generates_one_shared_by_every_process(
    target: StoreTarget,
) -> None:
    first = target.open(hash_key=None)
    upgrade(first)
    first.suppress_address("bounced@example.com", SuppressionReason.HARD_BOUNCE)

    second = target.open(hash_key=None)

    assert second.is_suppressed("bounced@example.com")
    assert "bounced" not in _dump(second)
