"""R17 as a property: whatever happens to an action, its attempts stay bounded, and nothing
final (sent, dead, unknown, cancelled) is ever claimed again."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats_reject.clock import FrozenClock
from ats_reject.store import ActionStatus, Completion, Store, upgrade

from .conftest import StoreTarget, planned

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
STEPS = (
    "transient",
    "permanent",
    "release",
    "lost_before",
    "lost_while_sending",
    "sent",
    "unknown",
)
FINAL = {ActionStatus.SENT, ActionStatus.DEAD, ActionStatus.UNKNOWN}
_numbers = itertools.count()


def _apply(store: Store, clock: FrozenClock, step: str, action_id: int, token: str) -> None:
    now = clock.now()
    if step == "transient":
        store.mark_sending(action_id, token)
        store.fail(action_id, token, "451 4.3.0", retry_at=now + timedelta(minutes=1))
        clock.advance(timedelta(minutes=1))
    elif step == "permanent":
        store.fail(action_id, token, "550 5.1.1", retry_at=None)
    elif step == "release":
        store.release(action_id, token, now, reason="breaker open")
    elif step == "lost_before":
        clock.advance(LEASE)
    elif step == "lost_while_sending":
        store.mark_sending(action_id, token)
        clock.advance(LEASE)
    elif step == "sent":
        store.mark_sending(action_id, token)
        store.complete(action_id, token)
    else:
        store.mark_sending(action_id, token)
        store.complete(action_id, token, Completion.UNKNOWN)


def test_attempts_stay_bounded_and_final_states_stay_final(
    target: StoreTarget, clock: FrozenClock
) -> None:
    store = target.open(clock=clock, max_attempts=MAX_ATTEMPTS)
    upgrade(store)

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(steps=st.lists(st.sampled_from(STEPS), max_size=10))
    def run(steps: list[str]) -> None:
        store.plan_actions([planned(f"app-{next(_numbers)}", due_at=clock.now())])
        counted = 0
        for step in steps:
            claimed = store.claim_due(clock.now(), 5, LEASE)
            assert len(claimed) <= 1, "only this example's action may be due"
            if not claimed:
                break
            action = claimed[0]
            counted += step != "release"
            assert action.attempts <= MAX_ATTEMPTS
            _apply(store, clock, step, action.id, action.token)
            record = store.get_action(action.id)
            assert record is not None
            assert record.attempts <= MAX_ATTEMPTS
            if record.status in FINAL:
                clock.advance(timedelta(days=30))
                assert store.claim_due(clock.now(), 5, LEASE) == []
                break
        assert counted <= MAX_ATTEMPTS
        # Leave nothing claimable for the next example.
        clock.advance(timedelta(days=30))
        while leftover := store.claim_due(clock.now(), 5, LEASE):
            for item in leftover:
                store.fail(item.id, item.token, "drained", retry_at=None)
        counts = store.status_counts()
        assert counts[ActionStatus.PENDING] == counts[ActionStatus.CLAIMED] == 0

    run()
