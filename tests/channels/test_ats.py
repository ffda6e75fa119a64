"""The ATS channel against the example adapter and its sandbox, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from ats_reject.adapter import Capability, NativeRejectionEmail
from ats_reject.channels import AtsChannel, AtsEmailRequest, DeliveryOutcome, DeliveryReason
from ats_reject.clock import FrozenClock
from ats_reject.models import Application, ApplicationStatus
from ats_reject.testing import CanaryPerson, Fault, LeakGuard
from ats_reject.testing.example_adapter import ExampleAdapter
from ats_reject.testing.example_sandbox import ExampleSandbox

SEND_AT = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


class ClaimsNativeEmail(ExampleAdapter):
    """Announces native e-mail but, like its parent, refuses it when asked."""

    capabilities: ClassVar[frozenset[Capability]] = ExampleAdapter.capabilities | {
        Capability.NATIVE_EMAIL
    }


class NativeEmailAdapter(ClaimsNativeEmail):
    """An adapter whose ATS sends the e-mail: it records the request and rejects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emails: list[NativeRejectionEmail] = []

    def reject(
        self,
        application_id: str,
        *,
        reason_id: str,
        note: str | None = None,
        email: NativeRejectionEmail | None = None,
    ) -> Application:
        if email is not None:
            self.emails.append(email)
        return super().reject(application_id, reason_id=reason_id, note=note)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[ExampleSandbox]:
    with ExampleSandbox(clock=clock) as running:
        yield running


def _adapter(
    cls: type[ExampleAdapter], sandbox: ExampleSandbox, clock: FrozenClock
) -> ExampleAdapter:
    adapter = cls.from_mapping(sandbox.adapter_settings(), clock=clock)
    assert isinstance(adapter, cls)
    return adapter


def _request(application_id: str, **changes: Any) -> AtsEmailRequest:
    values: dict[str, Any] = {
        "application_id": application_id,
        "reason_id": "11",
        "template_id": "tpl-7",
        "send_at": SEND_AT,
    }
    values.update(changes)
    return AtsEmailRequest(**values)


def test_example_adapter_has_no_native_email_so_nothing_is_asked(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(ExampleAdapter, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(1))
    channel = AtsChannel(adapter)

    result = channel.send(_request(application_id))

    assert not channel.supported
    assert result.outcome is DeliveryOutcome.UNSUPPORTED
    assert result.reason is DeliveryReason.NOT_SUPPORTED
    assert sandbox.calls("reject") == 0
    adapter.close()


def test_an_adapter_that_refuses_when_asked_is_reported_unsupported(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(ClaimsNativeEmail, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(2))
    channel = AtsChannel(adapter)

    result = channel.send(_request(application_id))

    assert channel.supported
    assert result.outcome is DeliveryOutcome.UNSUPPORTED
    assert sandbox.applied_writes("reject") == 0
    adapter.close()


def test_native_email_is_requested_with_template_and_time(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    assert isinstance(adapter, NativeEmailAdapter)
    application_id = sandbox.seed_application(CanaryPerson.numbered(3))

    result = AtsChannel(adapter).send(_request(application_id, sender_user_id="u-5"))

    assert result.outcome is DeliveryOutcome.SENT
    assert result.reason is DeliveryReason.ACCEPTED
    assert adapter.emails == [
        NativeRejectionEmail(template_id="tpl-7", send_at=SEND_AT, sender_user_id="u-5")
    ]
    assert sandbox.applied_writes("reject") == 1
    adapter.close()


def test_a_hired_application_is_a_permanent_refusal(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(4), ApplicationStatus.HIRED)

    result = AtsChannel(adapter).send(_request(application_id))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.ATS_REFUSED
    adapter.close()


def test_an_unknown_application_is_a_permanent_refusal(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)

    result = AtsChannel(adapter).send(_request("999999"))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.ATS_REFUSED
    adapter.close()


def test_an_outage_is_transient_with_the_servers_wait(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(5))
    sandbox.inject_fault("reject", Fault.status(503, {"Retry-After": "120"}), times=10)

    result = AtsChannel(adapter).send(_request(application_id))

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.ATS_UNAVAILABLE
    assert result.retryable
    assert result.retry_after == 120
    adapter.close()


def test_an_unreadable_answer_is_an_unknown_outcome(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(6))
    sandbox.inject_fault("reject", Fault.malformed_json())

    result = AtsChannel(adapter).send(_request(application_id))

    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert result.reason is DeliveryReason.ATS_UNCONFIRMED
    adapter.close()


def test_a_naive_send_time_is_an_invalid_request(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    application_id = sandbox.seed_application(CanaryPerson.numbered(7))

    result = AtsChannel(adapter).send(_request(application_id, send_at=datetime(2025, 6, 3, 9, 0)))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.INVALID_MESSAGE
    assert sandbox.calls("reject") == 0
    adapter.close()


def test_nothing_personal_reaches_logs_or_results(
    sandbox: ExampleSandbox, clock: FrozenClock, leak_guard: LeakGuard
) -> None:
    person = CanaryPerson.numbered(8)
    leak_guard.watch(*person.values(), sandbox.api_key, "Rejected after the panel")
    adapter = _adapter(NativeEmailAdapter, sandbox, clock)
    application_id = sandbox.seed_application(person)
    sandbox.inject_fault("reject", Fault.status(422), times=1)
    channel = AtsChannel(adapter)

    results = [
        channel.send(_request(application_id, note="Rejected after the panel, canary note")),
        channel.send(_request(application_id)),
    ]

    for result in results:
        leak_guard.check_object("result", result)
    leak_guard.check_object("channel", channel)
    adapter.close()
