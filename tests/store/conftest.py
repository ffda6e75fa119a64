"""Stores for the store tests: a real SQLite file and a real PostgreSQL schema.

Every store test that takes ``store`` (or ``target``) runs on both backends, with the ids
``sqlite`` and ``postgres`` (CI refuses a skipped test whose name says postgres).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Candidate,
    EventKind,
    EventSource,
)
from ats_reject.policy import Channel, MessageKind, PlannedAction
from ats_reject.store import Store, upgrade

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
"""The tests' starting time (a Tuesday morning)."""

HASH_KEY = "store-tests-hash-key-0123456789abcdef"


@dataclass
class StoreTarget:
    """Where a test's store lives; opens more stores on it and closes them all afterwards."""

    backend: str
    url: str
    schema: str | None
    opened: list[Store] = field(default_factory=list)

    def open(self, **options: Any) -> Store:
        options.setdefault("hash_key", HASH_KEY)
        store = Store(self.url, schema=self.schema, **options)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def target(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[StoreTarget]:
    """An empty database on the parametrised backend."""
    if request.param == "sqlite":
        found = StoreTarget("sqlite", f"sqlite:///{tmp_path / 'store.db'}", None)
    else:
        engine = request.getfixturevalue("postgres_engine")
        schema = request.getfixturevalue("postgres_schema")
        found = StoreTarget("postgres", engine.url.render_as_string(hide_password=False), schema)
    try:
        yield found
    finally:
        found.close_all()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def store(target: StoreTarget, clock: FrozenClock) -> Store:
    """A migrated store on the parametrised backend, on the frozen clock."""
    opened = target.open(clock=clock)
    upgrade(opened)
    return opened


def planned(
    application_id: str = "app-1",
    *,
    kind: MessageKind = MessageKind.REJECTION,
    version: str = "2026-03-03T09:00:00.000000Z",
    due_at: datetime = T0,
    connection: str = "greenhouse",
    channel: Channel = Channel.EMAIL,
) -> PlannedAction:
    """A planned action as the policy would make it."""
    return PlannedAction(
        connection=connection,
        application_id=application_id,
        message_kind=kind,
        decision_version=version,
        channel=channel,
        due_at=due_at,
        template="rejection",
        deadline=due_at + timedelta(days=2),
        covers=(application_id,),
        zone="Europe/Berlin",
        reasons=("inside the send window",),
    )


def rejected_event(
    application_id: str = "app-1",
    *,
    candidate_id: str = "cand-1",
    source: EventSource = EventSource.WEBHOOK,
    occurred_at: datetime = T0,
    candidate: Candidate | None = None,
) -> ApplicationEvent:
    """A rejection event carrying the application snapshot, as an adapter produces it."""
    person = candidate or Candidate(id=candidate_id, first_name="Ada", emails=("ada@example.com",))
    return ApplicationEvent(
        kind=EventKind.REJECTED,
        application_id=application_id,
        candidate_id=candidate_id,
        occurred_at=occurred_at,
        source=source,
        application=Application(
            id=application_id, candidate=person, status=ApplicationStatus.REJECTED
        ),
    )


def seed_due(store: Store, count: int, *, due_at: datetime = T0) -> list[int]:
    """*count* due actions on distinct applications; returns their ids."""
    result = store.plan_actions([planned(f"app-{n}", due_at=due_at) for n in range(count)])
    assert len(result.planned) == count
    return list(result.planned)
