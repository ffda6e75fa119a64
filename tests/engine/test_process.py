"""process_pending: the current state decides; plans and cancellations go in with the event."""

from __future__ import annotations

from datetime import timedelta

from ats_reject.clock import FrozenClock
from ats_reject.engine import Engine
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.policy import Channel, MessageKind, PlannedAction, decision_version
from ats_reject.store import ActionRecord, ActionStatus
from ats_reject.testing import CanaryPerson, Fault
from ats_reject.testing.example_sandbox import ExampleSandbox
from tests.engine.conftest import CONNECTION


def _deliver(engine: Engine, sandbox: ExampleSandbox, kind: EventKind, application_id: str) -> None:
    signed = sandbox.webhook(kind, application_id)
    assert engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body).status == 200


def _actions(engine: Engine, application_id: str, kind: MessageKind) -> list[ActionRecord]:
    return [
        record
        for record in engine.store.actions_for(CONNECTION, application_id)
        if record.planned.message_kind is kind
    ]


def test_a_rejection_plans_one_rejection_message_from_the_current_state(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(1), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)

    report = engine.process_pending()

    assert (report.processed, report.deferred) == (1, 0)
    assert report.outcomes == {"planned": 1}
    rejection = _actions(engine, application_id, MessageKind.REJECTION)
    assert len(rejection) == 1
    assert rejection[0].status is ActionStatus.PENDING
    assert rejection[0].candidate_id == f"c{application_id}"
    assert rejection[0].planned.decision_version == decision_version(clock.now())
    assert sandbox.calls("get_application") == 1
    assert engine.store.pending_events() == []


def test_an_event_that_no_longer_matches_the_ats_follows_the_ats(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    # The webhook says rejected, but by the time it is processed the recruiter undid it.
    application_id = sandbox.seed_application(CanaryPerson.numbered(2), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    sandbox.set_status(application_id, ApplicationStatus.ACTIVE)

    report = engine.process_pending()

    assert report.processed == 1
    assert engine.store.actions_for(CONNECTION, application_id) == []


def test_a_redelivered_rejection_plans_nothing_twice(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(3), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    engine.process_pending()
    # A second delivery of the same change (a new delivery id, as a sync would bring).
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)

    report = engine.process_pending()

    assert report.processed == 1
    assert report.planned == 0
    assert report.duplicates >= 1
    assert len(_actions(engine, application_id, MessageKind.REJECTION)) == 1


def test_an_unreject_cancels_and_a_new_rejection_is_a_new_version(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(4), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    engine.process_pending()
    first_version = decision_version(clock.now())

    clock.advance(timedelta(hours=1))
    sandbox.set_status(application_id, ApplicationStatus.ACTIVE)
    _deliver(engine, sandbox, EventKind.UNREJECTED, application_id)
    unrejected = engine.process_pending()

    assert unrejected.cancelled >= 1
    assert [r.status for r in _actions(engine, application_id, MessageKind.REJECTION)] == [
        ActionStatus.CANCELLED
    ]

    clock.advance(timedelta(days=1))
    sandbox.set_status(application_id, ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    engine.process_pending()

    rejections = _actions(engine, application_id, MessageKind.REJECTION)
    by_version = {r.planned.decision_version: r.status for r in rejections}
    second_version = decision_version(clock.now())
    assert by_version == {
        first_version: ActionStatus.CANCELLED,
        second_version: ActionStatus.PENDING,
    }
    fresh = next(r for r in rejections if r.planned.decision_version == second_version)
    # The schedule starts from the new decision, not the old one.
    assert fresh.planned.due_at >= clock.now()


def test_a_hire_cancels_every_pending_action_of_the_person(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(5), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    engine.process_pending()
    sandbox.set_status(application_id, ApplicationStatus.HIRED)
    _deliver(engine, sandbox, EventKind.HIRED, application_id)

    report = engine.process_pending()

    assert report.outcomes == {"hired": 1}
    statuses = {r.status for r in engine.store.actions_for(CONNECTION, application_id)}
    assert statuses == {ActionStatus.CANCELLED}


def test_a_deleted_application_cancels_its_actions(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    gone = "990001"
    engine.store.plan_actions(
        [
            PlannedAction(
                connection=CONNECTION,
                application_id=gone,
                message_kind=MessageKind.REJECTION,
                decision_version=decision_version(clock.now()),
                channel=Channel.EMAIL,
                due_at=clock.now() + timedelta(days=1),
                template="rejection",
            )
        ]
    )
    _deliver(engine, sandbox, EventKind.STAGE_CHANGED, gone)

    report = engine.process_pending()

    assert report.outcomes == {"deleted": 1}
    assert [r.status for r in engine.store.actions_for(CONNECTION, gone)] == [
        ActionStatus.CANCELLED
    ]


def test_an_ats_outage_leaves_the_event_pending_until_its_lease_ends(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(6), ApplicationStatus.REJECTED)
    _deliver(engine, sandbox, EventKind.REJECTED, application_id)
    sandbox.inject_fault("get_application", Fault.status(503), times=20)

    down = engine.process_pending()

    assert (down.processed, down.deferred) == (0, 1)
    assert engine.store.actions_for(CONNECTION, application_id) == []
    assert len(engine.store.pending_events()) == 1

    sandbox.clear_faults()
    # Still leased to the call that failed: another call leaves it alone for now.
    assert engine.process_pending().processed == 0
    clock.advance(engine.lease + timedelta(seconds=1))
    again = engine.process_pending()

    assert again.processed == 1
    assert len(_actions(engine, application_id, MessageKind.REJECTION)) == 1
