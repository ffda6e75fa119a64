"""The engine's logs, errors, reports and audit lines carry ids and codes, never the person."""

from __future__ import annotations

from ats_reject.clock import FrozenClock
from ats_reject.config import Config
from ats_reject.engine import Engine
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.testing import CanaryPerson, LeakGuard
from ats_reject.testing.example_sandbox import ExampleSandbox
from tests.engine.conftest import CONNECTION, maildir_messages


def test_a_whole_run_leaks_no_personal_data_or_secret(
    engine: Engine,
    sandbox: ExampleSandbox,
    clock: FrozenClock,
    config: Config,
    leak_guard: LeakGuard,
) -> None:
    person = CanaryPerson.numbered(9)
    leak_guard.watch(*person.values(), sandbox.api_key, *sandbox.webhook_secrets)
    application_id = sandbox.seed_application(person, ApplicationStatus.REJECTED)
    signed = sandbox.webhook(EventKind.REJECTED, application_id)
    forged = sandbox.webhook(EventKind.REJECTED, application_id, secret="z" + "y1" * 20)

    responses = [
        engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body),
        engine.receive_webhook(CONNECTION, dict(forged.headers), forged.body),
    ]
    processed = engine.process_pending()
    (action,) = [
        record
        for record in engine.store.actions_for(CONNECTION, application_id)
        if record.planned.message_kind.value == "rejection"
    ]
    clock.set(action.planned.due_at)
    dispatched = engine.dispatch_due()

    assert dispatched.sent == 1
    assert len(maildir_messages(config)) == 1
    for item in (
        *responses,
        processed,
        dispatched,
        engine,
        *engine.store.audit_trail(CONNECTION, application_id),
    ):
        leak_guard.check_object("engine output", item)
    leak_guard.check_logs()
