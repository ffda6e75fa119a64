"""What the example adapter does beyond the conformance suite: its documented API details."""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ats_reject import AdapterRegistry, default_registry
from ats_reject.adapter import ENTRY_POINT_GROUP, NativeRejectionEmail
from ats_reject.clock import FrozenClock
from ats_reject.errors import (
    AuthenticationError,
    CapabilityNotSupportedError,
    ConfigurationError,
    ConflictError,
)
from ats_reject.models import ApplicationStatus, RejectionReasonKind
from ats_reject.testing import CanaryPerson, RateLimitRule
from ats_reject.testing.example_adapter import ExampleAdapter
from ats_reject.testing.example_sandbox import ExampleSandbox

EXAMPLE_ENTRY_POINT = importlib.metadata.EntryPoint(
    name="example",
    value="ats_reject.testing.example_adapter:ExampleAdapter",
    group=ENTRY_POINT_GROUP,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[ExampleSandbox]:
    with ExampleSandbox(clock=clock) as running:
        yield running


@pytest.fixture
def adapter(sandbox: ExampleSandbox, clock: FrozenClock) -> Iterator[ExampleAdapter]:
    registry = AdapterRegistry(entry_points=[EXAMPLE_ENTRY_POINT])
    created = registry.create("example", sandbox.adapter_settings(), clock=clock)
    assert isinstance(created, ExampleAdapter)
    yield created
    created.close()


def test_example_is_not_an_installed_adapter() -> None:
    assert "example" not in default_registry.names()


def test_registry_loads_the_example_through_an_entry_point() -> None:
    registry = AdapterRegistry(entry_points=[EXAMPLE_ENTRY_POINT])

    assert registry.names() == ["example"]
    assert registry.load("example") is ExampleAdapter


def test_reads_are_paced_by_the_servers_rate_limit_headers(clock: FrozenClock) -> None:
    tight = RateLimitRule(limit=5, window_seconds=10.0)
    with ExampleSandbox(clock=clock, rate_limit=tight) as sandbox:
        application_id = sandbox.seed_application(CanaryPerson.numbered(1))
        adapter = ExampleAdapter.from_mapping(sandbox.adapter_settings(), clock=clock)
        try:
            statuses = [adapter.get_application(application_id).status for _ in range(12)]
        finally:
            adapter.close()

        assert statuses == [ApplicationStatus.ACTIVE] * 12
        assert sandbox.server.rate_limited_count == 0
    assert clock.monotonic() >= 10.0


def test_rejection_reasons_carry_their_kind(adapter: ExampleAdapter) -> None:
    reasons = {reason.id: reason for reason in adapter.rejection_reasons()}

    assert reasons["11"].kind is RejectionReasonKind.WE_REJECTED
    assert reasons["12"].kind is RejectionReasonKind.THEY_WITHDREW


def test_reject_records_the_reason(adapter: ExampleAdapter, sandbox: ExampleSandbox) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(2))

    rejected = adapter.reject(application_id, reason_id="12", note="Withdrew by phone.")

    assert rejected.rejection is not None
    assert rejected.rejection.reason is not None
    assert rejected.rejection.reason.id == "12"


def test_native_email_is_not_offered(adapter: ExampleAdapter, sandbox: ExampleSandbox) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(3))
    email = NativeRejectionEmail(template_id="7")

    with pytest.raises(CapabilityNotSupportedError):
        adapter.reject(application_id, reason_id="11", email=email)
    assert sandbox.applied_writes("reject") == 0


def test_unreject_of_a_hired_application_is_a_conflict(
    adapter: ExampleAdapter, sandbox: ExampleSandbox
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(4), ApplicationStatus.HIRED)

    with pytest.raises(ConflictError) as caught:
        adapter.unreject(application_id)
    assert caught.value.vendor_code == "not_rejected"
    assert caught.value.request_id is not None


def test_note_text_reaches_the_ats(adapter: ExampleAdapter, sandbox: ExampleSandbox) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(5))

    adapter.add_note(application_id, "Rejection e-mail scheduled for Tuesday 10:00.")

    assert sandbox.notes(application_id) == ["Rejection e-mail scheduled for Tuesday 10:00."]


def test_wrong_api_key_is_an_authentication_error_without_the_key(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    settings = {**sandbox.adapter_settings(), "api_key": "example-key-revoked-0000000000"}
    adapter = ExampleAdapter.from_mapping(settings, clock=clock)
    try:
        with pytest.raises(AuthenticationError) as caught:
            adapter.get_application("1001")
    finally:
        adapter.close()

    assert "revoked" not in str(caught.value)
    assert "revoked" not in repr(caught.value)


def test_webhook_signature_is_the_documented_hmac(sandbox: ExampleSandbox) -> None:
    webhook = sandbox.webhook("ping")
    expected = hmac.new(sandbox.webhook_secrets[0].encode(), webhook.body, hashlib.sha256)

    assert webhook.headers["Example-Signature"] == f"sha256={expected.hexdigest()}"
    assert json.loads(webhook.body)["event"] == "ping"


def test_webhooks_without_a_configured_secret_are_a_configuration_error(
    sandbox: ExampleSandbox, clock: FrozenClock
) -> None:
    settings = {**sandbox.adapter_settings(), "webhook_secrets": []}
    adapter = ExampleAdapter.from_mapping(settings, clock=clock)
    webhook = sandbox.webhook("ping")
    try:
        with pytest.raises(ConfigurationError):
            adapter.verify_webhook(webhook.headers, webhook.body)
    finally:
        adapter.close()
