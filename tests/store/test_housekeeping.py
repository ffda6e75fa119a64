"""Scheduler ticks (R16), sync cursors, the retention purge and the audit log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.store import ActionStatus, Store, SuppressionReason

from .conftest import T0, StoreTarget, planned, rejected_event, seed_due


def test_a_tick_runs_once_per_slot_however_many_schedulers_fire(
    target: StoreTarget, store: Store
) -> None:
    """R16: three schedulers step through 30 slots together; each slot runs once."""
    schedulers = [target.open(pool_size=1) for _ in range(3)]
    slots = [T0 + timedelta(minutes=5 * n) for n in range(30)]
    won: list[list[bool]] = [[] for _ in schedulers]
    barrier = threading.Barrier(len(schedulers))

    def run(index: int) -> None:
        for slot in slots:
            barrier.wait()
            won[index].append(schedulers[index].tick("dispatch", slot))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(schedulers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    per_slot = [sum(won[index][n] for index in range(len(schedulers))) for n in range(len(slots))]
    assert per_slot == [1] * len(slots)
    assert store.tick("dispatch", slots[0]) is False
    assert store.tick("sync", slots[0]) is True


def test_a_cursor_is_saved_per_connection_and_stream(store: Store) -> None:
    assert store.get_cursor("greenhouse") is None

    saved = store.set_cursor("greenhouse", T0, token="page-3")
    store.set_cursor("greenhouse", T0 + timedelta(hours=1), stream="candidates")

    assert saved.cursor_at == T0
    assert saved.token == "page-3"
    loaded = store.get_cursor("greenhouse")
    assert loaded is not None
    assert loaded.cursor_at == T0
    assert loaded.cursor_at.tzinfo is not None
    assert store.get_cursor("lever") is None


def test_a_cursor_never_moves_backwards(store: Store) -> None:
    """Two overlapping syncs: the one finishing last with an older position loses."""
    store.set_cursor("greenhouse", T0 + timedelta(hours=1))

    kept = store.set_cursor("greenhouse", T0)
    store.set_cursor("greenhouse", T0 + timedelta(hours=2))

    assert kept.cursor_at == T0 + timedelta(hours=1)
    latest = store.get_cursor("greenhouse")
    assert latest is not None
    assert latest.cursor_at == T0 + timedelta(hours=2)


def test_the_purge_deletes_exactly_the_expired_rows(store: Store, clock: FrozenClock) -> None:
    """R27: under a frozen clock, each category by its own period."""
    old = store.record_delivery("greenhouse", "old", [rejected_event("app-old")])
    store.complete_event(old.event_ids[0], [])
    store.tick("sync", T0)
    clock.advance(timedelta(days=20))
    recent = store.record_delivery("greenhouse", "recent", [rejected_event("app-recent")])
    store.complete_event(recent.event_ids[0], [])
    store.record_delivery("greenhouse", "unprocessed", [rejected_event("app-waiting")])
    store.tick("sync", clock.now())
    clock.advance(timedelta(days=15))

    report = store.purge()

    assert report.deleted == {
        "events": 1,
        "deliveries": 3,
        "quarantine": 0,
        "scheduler_ticks": 1,
    }
    assert [item.event.application_id for item in store.pending_events()] == ["app-waiting"]


def test_a_purged_action_cannot_be_planned_again(store: Store, clock: FrozenClock) -> None:
    seed_due(store, 1)
    store.plan_actions([planned("app-pending", due_at=T0 + timedelta(days=400))])
    claimed = store.claim_due(T0, 1, timedelta(minutes=5))[0]
    store.complete(claimed.id, claimed.token)
    clock.advance(timedelta(days=91))

    report = store.purge(actions_after=timedelta(days=90), audit_after=timedelta(days=90))
    replanned = store.plan_actions([planned("app-0")])

    assert report.deleted["planned_actions"] == 1
    assert report.deleted["audit_log"] == 3
    assert replanned.refused == 1
    assert store.status_counts()[ActionStatus.PENDING] == 1


def test_deliveries_are_kept_at_least_seven_days(store: Store) -> None:
    with pytest.raises(ValueError, match="7 days"):
        store.purge(deliveries_after=timedelta(days=6))


def test_audit_lines_are_appended_and_read_back_with_safe_details(store: Store) -> None:
    store.audit(
        "ats_note_written",
        connection="greenhouse",
        application_id="app-1",
        action_id=7,
        detail="note for someone@example.com\r\nforged line",
    )

    (entry,) = store.audit_trail("greenhouse", "app-1")
    assert entry.event == "ats_note_written"
    assert entry.action_id == 7
    assert entry.at == T0
    assert entry.detail is not None
    assert "someone@example.com" not in entry.detail
    assert "\n" not in entry.detail
    assert store.suppression_reason("someone@example.com") is None
    assert SuppressionReason.ERASED.value == "erased"
