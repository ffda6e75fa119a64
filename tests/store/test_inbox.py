"""Receiving: deliveries stored once (R7), quarantine, pending events."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ats_reject.clock import FrozenClock
from ats_reject.models import WebhookDelivery
from ats_reject.store import Store
from ats_reject.store._schema import deliveries, events, quarantine

from .conftest import T0, StoreTarget, rejected_event


def _count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_delivery_is_stored_with_its_events_and_a_redelivery_writes_nothing(
    store: Store,
) -> None:
    first = store.record_delivery("greenhouse", "d-1", [rejected_event("app-1")])
    again = store.record_delivery("greenhouse", "d-1", [rejected_event("app-1")])

    assert not first.duplicate
    assert first.delivery_ref is not None
    assert len(first.event_ids) == 1
    assert again.duplicate
    assert again.event_ids == ()
    assert _count(store, deliveries) == 1
    assert _count(store, events) == 1


def test_the_same_delivery_id_on_another_connection_is_a_different_delivery(store: Store) -> None:
    store.record_delivery("greenhouse", "d-1", [rejected_event()])
    other = store.record_delivery("lever", "d-1", [rejected_event()])

    assert not other.duplicate
    assert _count(store, deliveries) == 2


def test_fifty_identical_deliveries_at_once_store_one_delivery_and_one_event(
    target: StoreTarget, store: Store
) -> None:
    """R7: concurrent redeliveries race on the unique key, not on a SELECT."""
    barrier = threading.Barrier(50)
    receivers = [target.open(pool_size=2) for _ in range(5)]

    def receive(index: int) -> bool:
        receiver = receivers[index % len(receivers)]
        barrier.wait()
        return receiver.record_delivery(
            "greenhouse", "delivery-42", [rejected_event("app-42")]
        ).duplicate

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(receive, range(50)))

    assert outcomes.count(False) == 1
    assert outcomes.count(True) == 49
    assert _count(store, deliveries) == 1
    assert _count(store, events) == 1
    assert [item.event.application_id for item in store.pending_events()] == ["app-42"]


def test_a_replay_six_days_later_is_still_a_duplicate_and_the_purge_keeps_seven_days(
    store: Store, clock: FrozenClock
) -> None:
    store.record_delivery("greenhouse", "d-1", [rejected_event()])
    clock.advance(timedelta(days=6))
    store.purge()
    assert store.record_delivery("greenhouse", "d-1", [rejected_event()]).duplicate

    clock.advance(timedelta(days=1, seconds=1))
    report = store.purge()
    assert report.deleted["deliveries"] == 1
    assert _count(store, deliveries) == 0


def test_a_webhook_delivery_model_is_recorded_with_its_events(store: Store) -> None:
    delivery = WebhookDelivery(delivery_id="d-7", events=(rejected_event("app-7"),))

    receipt = store.record_webhook("lever", delivery)

    assert [item.id for item in store.pending_events()] == list(receipt.event_ids)


def test_a_ping_is_stored_as_a_delivery_without_events(store: Store) -> None:
    receipt = store.record_delivery("greenhouse", "ping-1")

    assert not receipt.duplicate
    assert receipt.event_ids == ()
    assert store.pending_events() == []


def test_pending_events_come_back_oldest_first_with_the_event_as_received(store: Store) -> None:
    sent = [rejected_event(f"app-{n}", occurred_at=T0 + timedelta(minutes=n)) for n in range(3)]
    store.record_delivery("greenhouse", "d-1", sent[:2])
    store.record_delivery("greenhouse", "d-2", sent[2:])

    pending = store.pending_events()

    assert [item.event for item in pending] == sent
    assert all(item.connection == "greenhouse" for item in pending)
    assert pending[0].received_at == T0


def test_leased_events_are_shared_between_processors_and_offered_again_after_the_lease(
    store: Store, clock: FrozenClock
) -> None:
    store.record_delivery("greenhouse", "d-1", [rejected_event(f"app-{n}") for n in range(4)])
    lease = timedelta(minutes=5)

    first = store.pending_events(3, lease=lease)
    second = store.pending_events(3, lease=lease)
    clock.advance(lease)
    third = store.pending_events(10, lease=lease)

    assert len(first) == 3
    assert len(second) == 1
    assert {item.id for item in first}.isdisjoint(item.id for item in second)
    assert sorted(item.id for item in third) == sorted(item.id for item in (*first, *second))


def test_a_verified_but_unreadable_body_is_quarantined_once(store: Store) -> None:
    body = b'{"action": "reject_candidate", "payload": '

    first = store.quarantine("greenhouse", body, "not_json", delivery_id="d-9")
    again = store.quarantine("greenhouse", body, "not_json")

    assert first.quarantine_id is not None
    assert again.duplicate
    assert _count(store, quarantine) == 1
    assert store.pending_events() == []


def test_quarantined_bodies_are_purged_after_their_retention(
    store: Store, clock: FrozenClock
) -> None:
    store.quarantine("greenhouse", b"[]", "wrong_shape")
    clock.advance(timedelta(days=31))

    assert store.purge().deleted["quarantine"] == 1
    assert _count(store, quarantine) == 0


def test_identifiers_longer_than_their_columns_are_refused_without_echoing_them(
    store: Store,
) -> None:
    long_id = "d" * 256

    with pytest.raises(ValueError, match="delivery_id") as caught:
        store.record_delivery("greenhouse", long_id)

    assert long_id not in str(caught.value)
    assert _count(store, deliveries) == 0
