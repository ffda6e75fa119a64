"""dispatch_due: re-check, compose, commit the intent, send once, finish on the token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ats_reject.clock import FrozenClock
from ats_reject.config import Config, TemplateSettings
from ats_reject.engine import Engine
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.policy import MessageKind
from ats_reject.store import ActionRecord, ActionStatus, SuppressionReason, upgrade
from ats_reject.testing import CanaryPerson, Fault
from ats_reject.testing.example_sandbox import ExampleSandbox
from tests.engine.conftest import CONNECTION, example_registry, maildir_messages


def _rejected_and_planned(
    engine: Engine, sandbox: ExampleSandbox, person: CanaryPerson
) -> tuple[str, ActionRecord]:
    application_id = sandbox.seed_application(person, ApplicationStatus.REJECTED)
    signed = sandbox.webhook(EventKind.REJECTED, application_id)
    assert engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body).status == 200
    assert engine.process_pending().processed == 1
    (rejection,) = [
        record
        for record in engine.store.actions_for(CONNECTION, application_id)
        if record.planned.message_kind is MessageKind.REJECTION
    ]
    return application_id, rejection


def _status(engine: Engine, action: ActionRecord) -> ActionStatus:
    found = engine.store.get_action(action.id)
    assert found is not None
    return found.status


def test_one_rejection_end_to_end_sends_exactly_one_message_at_its_due_time(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    person = CanaryPerson.numbered(1)
    application_id, action = _rejected_and_planned(engine, sandbox, person)
    due = action.planned.due_at

    if due > clock.now():
        early = engine.dispatch_due()
        assert early.claimed == 0
        assert maildir_messages(config) == []
        clock.set(due)
    report = engine.dispatch_due()

    assert (report.claimed, report.sent) == (1, 1)
    (message,) = maildir_messages(config)
    assert message["Message-ID"] == action.message_id
    assert message["To"].endswith(f"<{person.email}>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert _status(engine, action) is ActionStatus.SENT
    # Recorded in the ATS (the example adapter takes notes) and in the audit log.
    (note,) = sandbox.notes(application_id)
    assert action.message_id in note
    events = [entry.event for entry in engine.store.audit_trail(CONNECTION, application_id)]
    assert "sending" in events
    assert "sent" in events
    assert "ats_note" in events


def test_dispatching_twice_still_sends_one_message(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    _, action = _rejected_and_planned(engine, sandbox, CanaryPerson.numbered(2))
    clock.set(max(clock.now(), action.planned.due_at))

    first = engine.dispatch_due()
    clock.advance(timedelta(hours=1))
    second = engine.dispatch_due()

    assert first.sent == 1
    assert second.sent == 0
    assert len(maildir_messages(config)) == 1


def test_an_unreject_between_planning_and_sending_sends_nothing(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    application_id, action = _rejected_and_planned(engine, sandbox, CanaryPerson.numbered(3))
    # The recruiter undoes the rejection and the webhook is lost: only the re-check sees it.
    sandbox.set_status(application_id, ApplicationStatus.ACTIVE)
    clock.set(max(clock.now(), action.planned.due_at))

    report = engine.dispatch_due()

    assert (report.sent, report.cancelled) == (0, 1)
    assert maildir_messages(config) == []
    found = engine.store.get_action(action.id)
    assert found is not None
    assert found.status is ActionStatus.CANCELLED
    assert found.last_error == "the application is not rejected any more"


def test_a_hire_found_by_the_recheck_sends_nothing(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    application_id, action = _rejected_and_planned(engine, sandbox, CanaryPerson.numbered(4))
    sandbox.set_status(application_id, ApplicationStatus.HIRED)
    clock.set(max(clock.now(), action.planned.due_at))

    report = engine.dispatch_due()

    assert report.cancelled == 1
    assert maildir_messages(config) == []


def test_a_suppressed_address_is_not_written_to(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    person = CanaryPerson.numbered(5)
    _, action = _rejected_and_planned(engine, sandbox, person)
    engine.store.suppress_address(person.email, SuppressionReason.HARD_BOUNCE)
    clock.set(max(clock.now(), action.planned.due_at))

    report = engine.dispatch_due()

    assert report.cancelled == 1
    assert maildir_messages(config) == []
    assert _status(engine, action) is ActionStatus.CANCELLED


def test_an_ats_outage_at_the_recheck_hands_the_action_back_untried(
    engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, config: Config
) -> None:
    _, action = _rejected_and_planned(engine, sandbox, CanaryPerson.numbered(6))
    clock.set(max(clock.now(), action.planned.due_at))
    sandbox.inject_fault("get_application", Fault.status(503), times=20)

    report = engine.dispatch_due()

    assert (report.released, report.sent) == (1, 0)
    assert maildir_messages(config) == []
    found = engine.store.get_action(action.id)
    assert found is not None
    assert (found.status, found.attempts) == (ActionStatus.PENDING, 0)

    sandbox.clear_faults()
    clock.set(found.next_attempt_at)
    assert engine.dispatch_due().sent == 1
    assert len(maildir_messages(config)) == 1


def test_a_message_the_lint_refuses_is_held_for_a_person_and_not_sent(
    sandbox: ExampleSandbox, clock: FrozenClock, config: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "rejection.subject.j2").write_text("Your application\n")
    (folder / "en" / "rejection.text.j2").write_text(
        "Hi {{ candidate_name }},\n\nThank you for applying for the {{ role }} role. "
        "You were overqualified, so we will not move forward.\n\n{{ sender.name }}\n"
    )
    strict = config.model_copy(update={"templates": TemplateSettings(folder=folder)})
    engine = Engine.from_config(strict, clock=clock, registry=example_registry())
    upgrade(engine.store)
    try:
        _, action = _rejected_and_planned(engine, sandbox, CanaryPerson.numbered(7))
        clock.set(max(clock.now(), action.planned.due_at))
        report = engine.dispatch_due()
        held = engine.store.get_action(action.id)
    finally:
        engine.close()

    assert (report.held, report.sent) == (1, 0)
    assert maildir_messages(config) == []
    assert held is not None
    assert held.status is ActionStatus.HELD
    assert held.last_error is not None
    assert "ARL101" in held.last_error
