"""Planning: actions written with their event, once per natural key (R11), cancellations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ats_reject.channels import message_id_for
from ats_reject.models import EventSource
from ats_reject.policy import MessageKind
from ats_reject.store import ActionStatus, Cancellation, Store, send_id_for
from ats_reject.store._schema import events, planned_actions

from .conftest import T0, StoreTarget, planned, rejected_event


def _event_id(store: Store, delivery_id: str, source: EventSource = EventSource.WEBHOOK) -> int:
    receipt = store.record_delivery(
        "greenhouse", delivery_id, [rejected_event("app-1", source=source)]
    )
    return receipt.event_ids[0]


def test_completing_an_event_writes_its_actions_and_marks_it_processed(store: Store) -> None:
    event_id = _event_id(store, "d-1")
    actions = [planned("app-1"), planned("app-1", kind=MessageKind.RE_ENGAGEMENT)]

    completion = store.complete_event(event_id, actions, candidate_id="cand-1")

    assert completion.state == "processed"
    assert len(completion.planned) == 2
    assert store.pending_events() == []
    stored = store.actions_for("greenhouse", "app-1")
    assert [record.planned for record in stored] == actions
    assert {record.status for record in stored} == {ActionStatus.PENDING}
    assert {record.candidate_id for record in stored} == {"cand-1"}
    assert [entry.event for entry in store.audit_trail("greenhouse", "app-1")] == [
        "planned",
        "planned",
    ]


def test_the_message_id_is_derived_from_the_natural_key(store: Store) -> None:
    action = planned("app-1")

    store.plan_actions([action])
    record = store.actions_for("greenhouse", "app-1")[0]

    assert record.send_id == send_id_for(action.key)
    assert record.message_id == message_id_for(record.send_id, "ats-reject.invalid")


def test_an_event_is_completed_once(store: Store) -> None:
    event_id = _event_id(store, "d-1")
    store.complete_event(event_id, [planned("app-1")])

    again = store.complete_event(event_id, [planned("app-1", kind=MessageKind.HOLDING_UPDATE)])

    assert again.state == "already_processed"
    assert len(store.actions_for("greenhouse", "app-1")) == 1


def test_completing_an_unknown_event_writes_nothing(store: Store) -> None:
    completion = store.complete_event(12345, [planned("app-1")])

    assert completion.state == "missing"
    assert store.actions_for("greenhouse", "app-1") == []


def test_the_processed_event_keeps_no_snapshot_of_the_person(store: Store) -> None:
    event_id = _event_id(store, "d-1")
    store.complete_event(event_id, [])

    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(events.c.event_json)).scalar_one()
    assert "ada@example.com" not in stored
    assert "Ada" not in stored
    assert '"application_id":"app-1"' in stored


def test_a_failed_transaction_plans_nothing_and_leaves_the_event_pending(store: Store) -> None:
    event_id = _event_id(store, "d-1")
    naive = planned("app-1", due_at=T0.replace(tzinfo=None))

    with pytest.raises(ValueError, match="naive"):
        store.complete_event(event_id, [planned("app-2"), naive])

    assert [item.id for item in store.pending_events()] == [event_id]
    assert store.actions_for("greenhouse", "app-2") == []


def test_a_webhook_and_a_sync_of_the_same_change_at_the_same_moment_plan_one_action(
    target: StoreTarget, store: Store
) -> None:
    """R11: two processors, released together, race on the natural key."""
    webhook = _event_id(store, "webhook-1")
    sync = _event_id(store, "sync-cursor-2026-03-03T09:00", EventSource.SYNC)
    processors = {webhook: target.open(), sync: target.open()}
    barrier = threading.Barrier(2)
    results = {}

    def process(event_id: int) -> None:
        barrier.wait()
        results[event_id] = processors[event_id].complete_event(event_id, [planned("app-1")])

    threads = [threading.Thread(target=process, args=(event_id,)) for event_id in processors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(len(result.planned) for result in results.values()) == [0, 1]
    assert sorted(result.duplicates for result in results.values()) == [0, 1]
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(planned_actions))
        assert rows.scalar_one() == 1
    assert store.pending_events() == []


def test_many_rounds_of_racing_webhooks_and_syncs_never_plan_twice(
    target: StoreTarget, store: Store
) -> None:
    workers = [target.open(), target.open(), target.open()]
    barrier = threading.Barrier(len(workers))
    rounds = 15

    def work(worker: Store, index: int) -> None:
        for round_number in range(rounds):
            barrier.wait()
            receipt = worker.record_delivery(
                "greenhouse", f"r{round_number}-w{index}", [rejected_event(f"app-{round_number}")]
            )
            worker.complete_event(receipt.event_ids[0], [planned(f"app-{round_number}")])

    threads = [
        threading.Thread(target=work, args=(worker, index)) for index, worker in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    counts = store.status_counts()
    assert counts[ActionStatus.PENDING] == rounds
    assert sum(counts.values()) == rounds


def test_an_unreject_cancels_what_was_not_sent_yet(store: Store) -> None:
    store.plan_actions(
        [planned("app-1"), planned("app-1", kind=MessageKind.RE_ENGAGEMENT), planned("app-2")]
    )

    cancelled = store.cancel_pending(
        Cancellation("greenhouse", "unrejected in the ATS", application_id="app-1")
    )

    assert cancelled == 2
    assert {r.status for r in store.actions_for("greenhouse", "app-1")} == {ActionStatus.CANCELLED}
    assert store.actions_for("greenhouse", "app-1")[0].last_error == "unrejected in the ATS"
    assert store.actions_for("greenhouse", "app-2")[0].status is ActionStatus.PENDING


def test_a_hire_elsewhere_cancels_every_action_of_the_person(store: Store) -> None:
    store.plan_actions([planned("app-1"), planned("app-2")], candidate_id="cand-1")
    store.plan_actions([planned("app-3")], candidate_id="cand-2")

    cancelled = store.cancel_pending(
        Cancellation("greenhouse", "hired elsewhere", candidate_id="cand-1")
    )

    assert cancelled == 2
    assert store.actions_for("greenhouse", "app-3")[0].status is ActionStatus.PENDING


def test_a_new_decision_version_replaces_the_old_one_in_the_same_transaction(
    store: Store,
) -> None:
    """A rejection after an un-reject (seen only by a sync) plans the new version only."""
    old, new = "2026-03-01T09:00:00.000000Z", "2026-03-03T09:00:00.000000Z"
    store.plan_actions([planned("app-1", version=old)])
    event_id = _event_id(store, "d-2")

    completion = store.complete_event(
        event_id,
        [planned("app-1", version=new, due_at=T0 + timedelta(days=1))],
        cancel=[
            Cancellation(
                "greenhouse",
                "superseded by a new decision",
                application_id="app-1",
                keep_versions=(new,),
            )
        ],
    )

    assert completion.cancelled == 1
    assert len(completion.planned) == 1
    by_version = {
        r.planned.decision_version: r.status for r in store.actions_for("greenhouse", "app-1")
    }
    assert by_version == {old: ActionStatus.CANCELLED, new: ActionStatus.PENDING}


def test_a_claimed_action_can_be_cancelled_and_its_worker_loses_the_claim(store: Store) -> None:
    store.plan_actions([planned("app-1")])
    claimed = store.claim_due(T0, 10, timedelta(minutes=5))[0]

    store.cancel_pending(Cancellation("greenhouse", "unrejected", application_id="app-1"))

    assert store.mark_sending(claimed.id, claimed.token).lost
    record = store.get_action(claimed.id)
    assert record is not None
    assert record.status is ActionStatus.CANCELLED
