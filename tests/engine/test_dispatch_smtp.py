"""dispatch_due over a real SMTP server (aiosmtpd): each reply class ends in the right state."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ats_reject.clock import FrozenClock
from ats_reject.config import Config, MailSettings, MailTransport, SmtpSecurity, SmtpSettings
from ats_reject.engine import Engine
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.policy import MessageKind
from ats_reject.store import ActionRecord, ActionStatus, upgrade
from ats_reject.testing import CanaryPerson
from ats_reject.testing.example_sandbox import ExampleSandbox
from tests.engine.conftest import CONNECTION, example_registry


@dataclass
class _Handler:
    """Accepts everything unless told otherwise; keeps what arrived."""

    rcpt_reply: str | None = None
    data_reply: str | None = None
    drop_after_data: bool = False
    received: list[bytes] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply is not None:
            return self.data_reply
        self.received.append(envelope.content)
        if self.drop_after_data:
            server.transport.close()
        return "250 2.0.0 accepted"


@pytest.fixture(autouse=True)
def _quiet_smtp_log() -> Iterator[None]:
    # aiosmtpd logs the envelope's addresses; keep them away from the leak guard.
    server_log = logging.getLogger("mail.log")
    before = server_log.propagate
    server_log.propagate = False
    yield
    server_log.propagate = before


@pytest.fixture
def handler() -> _Handler:
    return _Handler()


@pytest.fixture
def smtp_engine(config: Config, clock: FrozenClock, handler: _Handler) -> Iterator[Engine]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="mx.test")
    controller.start()
    smtp = SmtpSettings(host="127.0.0.1", port=port, security=SmtpSecurity.NONE, timeout=5)
    mail = MailSettings(transport=MailTransport.SMTP, smtp=smtp)
    built = Engine.from_config(
        config.model_copy(update={"mail": mail}), clock=clock, registry=example_registry()
    )
    upgrade(built.store)
    try:
        yield built
    finally:
        built.close()
        controller.stop()


def _due_rejection(engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock) -> ActionRecord:
    application_id = sandbox.seed_application(CanaryPerson.numbered(7), ApplicationStatus.REJECTED)
    signed = sandbox.webhook(EventKind.REJECTED, application_id)
    engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body)
    engine.process_pending()
    (action,) = [
        record
        for record in engine.store.actions_for(CONNECTION, application_id)
        if record.planned.message_kind is MessageKind.REJECTION
    ]
    clock.set(max(clock.now(), action.planned.due_at))
    return action


def _now(engine: Engine, action: ActionRecord) -> ActionRecord:
    found = engine.store.get_action(action.id)
    assert found is not None
    return found


def test_accepted_by_the_server_is_sent_with_the_recorded_message_id(
    smtp_engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, handler: _Handler
) -> None:
    action = _due_rejection(smtp_engine, sandbox, clock)

    assert smtp_engine.dispatch_due().sent == 1

    (data,) = handler.received
    assert f"Message-ID: {action.message_id}".encode() in data
    assert _now(smtp_engine, action).status is ActionStatus.SENT


def test_a_4xx_reply_is_retried_later_with_backoff(
    smtp_engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, handler: _Handler
) -> None:
    action = _due_rejection(smtp_engine, sandbox, clock)
    handler.data_reply = "451 4.3.0 try again later"

    report = smtp_engine.dispatch_due()

    assert (report.failed, report.sent) == (1, 0)
    failed = _now(smtp_engine, action)
    assert failed.status is ActionStatus.FAILED
    assert failed.next_attempt_at >= clock.now() + timedelta(minutes=2)

    handler.data_reply = None
    clock.set(failed.next_attempt_at)
    assert smtp_engine.dispatch_due().sent == 1
    assert len(handler.received) == 1


def test_a_5xx_refusal_is_dead_and_the_address_suppressed(
    smtp_engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, handler: _Handler
) -> None:
    action = _due_rejection(smtp_engine, sandbox, clock)
    handler.rcpt_reply = "550 5.1.1 no such mailbox"

    report = smtp_engine.dispatch_due()

    assert report.dead == 1
    dead = _now(smtp_engine, action)
    assert dead.status is ActionStatus.DEAD
    assert smtp_engine.store.is_suppressed(CanaryPerson.numbered(7).email)


def test_a_disconnect_after_data_is_unknown_and_not_resent(
    smtp_engine: Engine, sandbox: ExampleSandbox, clock: FrozenClock, handler: _Handler
) -> None:
    action = _due_rejection(smtp_engine, sandbox, clock)
    handler.drop_after_data = True

    report = smtp_engine.dispatch_due()

    assert report.unknown == 1
    assert _now(smtp_engine, action).status is ActionStatus.UNKNOWN
    clock.advance(timedelta(days=1))
    assert smtp_engine.dispatch_due().claimed == 0
    assert len(handler.received) == 1
