"""Lever webhooks: the body signature (token + triggeredAt) and the normalized events."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.errors import ConfigurationError, WebhookPayloadError, WebhookVerificationError
from ats_reject.models import EventKind, EventSource
from ats_reject.testing import Fault
from ats_reject_lever import LeverAdapter
from ats_reject_lever._mapping import from_millis
from ats_reject_lever._webhooks import delivery_id, parse_delivery, sign, verify
from ats_reject_lever.sandbox import LeverSandbox

TOKEN_A = "lever-test-signature-token-a"
TOKEN_B = "lever-test-signature-token-b"
JSON_HEADERS = {"Content-Type": "application/json"}
REASON_TYPES = {
    "4105fb10-1f79-44ec-b873-33886dc01348": "non-hired",
    "0092d31b-502b-4f0d-b4da-3827e1a2991f": "hired",
}


def reason_type(reason_id: str) -> str | None:
    return REASON_TYPES.get(reason_id)


def envelope(load_fixture: Callable[[str], Any], name: str) -> dict[str, Any]:
    return copy.deepcopy(load_fixture("webhooks.json")[name])


def signed(payload: dict[str, Any], secret: str = TOKEN_A) -> bytes:
    payload = dict(payload)
    payload["signature"] = sign(payload["token"], payload["triggeredAt"], secret)
    return json.dumps(payload).encode()


def reason_of(error: pytest.ExceptionInfo[WebhookVerificationError]) -> str:
    return error.value.reason


# --- signature ----------------------------------------------------------------------------


def test_signature_is_hmac_of_token_then_triggered_at() -> None:
    # Worked by hand: HMAC-SHA256("secret", "abc" + "1700000000123"), lowercase hex.
    import hashlib
    import hmac

    expected = hmac.new(b"secret", b"abc1700000000123", hashlib.sha256).hexdigest()
    assert sign("abc", 1700000000123, "secret") == expected


def test_genuine_delivery_verifies_with_each_rotated_token(
    load_fixture: Callable[[str], Any],
) -> None:
    payload = envelope(load_fixture, "candidateStageChange")
    assert verify(JSON_HEADERS, signed(payload, TOKEN_A), [TOKEN_A, TOKEN_B]) == 0
    assert verify(JSON_HEADERS, signed(payload, TOKEN_B), [TOKEN_A, TOKEN_B]) == 1
    upper = json.loads(signed(payload))
    upper["signature"] = upper["signature"].upper()
    assert verify(JSON_HEADERS, json.dumps(upper).encode(), [TOKEN_A]) == 0


def test_wrong_signature_token_is_refused(load_fixture: Callable[[str], Any]) -> None:
    body = signed(envelope(load_fixture, "candidateStageChange"), "not-the-webhooks-token")
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, body, [TOKEN_A, TOKEN_B])
    assert reason_of(error) == "bad_signature"


@pytest.mark.parametrize(
    ("field", "value"),
    [("triggeredAt", 1496108525789), ("triggeredAt", 149610852578), ("token", "another-token")],
)
def test_tampered_signed_fields_are_refused(
    load_fixture: Callable[[str], Any], field: str, value: Any
) -> None:
    payload = json.loads(signed(envelope(load_fixture, "candidateStageChange")))
    payload[field] = value
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, json.dumps(payload).encode(), [TOKEN_A])
    assert reason_of(error) == "bad_signature"


def test_unsigned_data_is_not_covered_but_keeps_the_delivery_id(
    load_fixture: Callable[[str], Any],
) -> None:
    """Lever signs token + triggeredAt only: a replay with other data is the same delivery."""
    genuine = signed(envelope(load_fixture, "candidateStageChange"))
    replay = json.loads(genuine)
    replay["data"]["toStageId"] = "offer"
    replayed = json.dumps(replay).encode()
    verify(JSON_HEADERS, replayed, [TOKEN_A])
    first = parse_delivery(genuine, reason_type)
    second = parse_delivery(replayed, reason_type)
    assert first.delivery_id == second.delivery_id


@pytest.mark.parametrize("missing", ["token", "triggeredAt", "signature"])
def test_missing_signed_fields_are_refused(
    load_fixture: Callable[[str], Any], missing: str
) -> None:
    payload = json.loads(signed(envelope(load_fixture, "candidateStageChange")))
    del payload[missing]
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, json.dumps(payload).encode(), [TOKEN_A])
    assert reason_of(error) == "malformed_signature"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("token", 12345),
        ("token", None),
        ("token", ["a"]),
        ("token", ""),
        ("signature", 12345),
        ("signature", None),
        ("signature", {"sha256": "x"}),
        ("signature", "zz" * 32),
        ("triggeredAt", "1496108525788"),
        ("triggeredAt", 1496108525788.0),
        ("triggeredAt", True),
        ("triggeredAt", -1),
        ("triggeredAt", None),
    ],
)
def test_non_string_or_malformed_values_are_refused(
    load_fixture: Callable[[str], Any], field: str, value: Any
) -> None:
    payload = json.loads(signed(envelope(load_fixture, "candidateStageChange")))
    payload[field] = value
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, json.dumps(payload).encode(), [TOKEN_A])
    assert reason_of(error) == "malformed_signature"


@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"[]", b'"text"', b"\xff\xfe", b'{"token": "a", "token": "b"}'],
    ids=["empty", "not-json", "array", "string", "not-utf8", "duplicate-keys"],
)
def test_bodies_without_a_readable_signature_are_refused(body: bytes) -> None:
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, body, [TOKEN_A])
    assert reason_of(error) == "malformed_signature"


def test_duplicated_signed_key_is_refused_even_when_one_copy_is_genuine(
    load_fixture: Callable[[str], Any],
) -> None:
    genuine = signed(envelope(load_fixture, "candidateStageChange")).decode()
    doubled = genuine.replace('"token":', '"token": "forged", "token":', 1)
    with pytest.raises(WebhookVerificationError):
        verify(JSON_HEADERS, doubled.encode(), [TOKEN_A])


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "missing_header"), ({"Content-Type": "text/plain"}, "malformed_header")],
)
def test_requests_that_are_not_json_are_refused(
    load_fixture: Callable[[str], Any], headers: dict[str, str], reason: str
) -> None:
    body = signed(envelope(load_fixture, "candidateStageChange"))
    with pytest.raises(WebhookVerificationError) as error:
        verify(headers, body, [TOKEN_A])
    assert reason_of(error) == reason
    assert verify({"content-type": "Application/JSON; charset=utf-8"}, body, [TOKEN_A]) == 0


def test_oversized_body_is_refused_before_parsing() -> None:
    with pytest.raises(WebhookVerificationError) as error:
        verify(JSON_HEADERS, b"{" + b" " * 2_000_000 + b"}", [TOKEN_A])
    assert reason_of(error) == "oversized"


def test_adapter_without_signature_tokens_is_a_configuration_error(
    make_adapter: Callable[..., LeverAdapter], load_fixture: Callable[[str], Any]
) -> None:
    adapter = make_adapter(webhook_secrets=[])
    with pytest.raises(ConfigurationError, match="webhook_secrets"):
        adapter.verify_webhook(JSON_HEADERS, signed(envelope(load_fixture, "candidateHired")))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    token=st.text(min_size=1, max_size=40),
    triggered_at=st.integers(min_value=0, max_value=2**53),
    shift=st.integers(min_value=1, max_value=10**6),
)
def test_any_change_of_the_signed_time_breaks_the_signature(
    token: str, triggered_at: int, shift: int
) -> None:
    payload = {"triggeredAt": triggered_at, "event": "candidateHired", "token": token, "data": {}}
    body = signed(payload)
    assert verify(JSON_HEADERS, body, [TOKEN_A]) == 0
    moved = json.loads(body)
    moved["triggeredAt"] = triggered_at + shift
    with pytest.raises(WebhookVerificationError):
        verify(JSON_HEADERS, json.dumps(moved).encode(), [TOKEN_A])


# --- normalization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("candidateStageChange", EventKind.STAGE_CHANGED),
        ("candidateArchiveChange_archived", EventKind.REJECTED),
        ("candidateArchiveChange_hired", EventKind.HIRED),
        ("candidateArchiveChange_unarchived", EventKind.UNREJECTED),
        ("candidateHired", EventKind.HIRED),
        ("candidateDeleted", EventKind.DELETED),
        ("applicationCreated", EventKind.CREATED),
    ],
)
def test_each_event_is_normalized(
    load_fixture: Callable[[str], Any], name: str, kind: EventKind
) -> None:
    payload = envelope(load_fixture, name)
    delivery = parse_delivery(signed(payload), reason_type)
    assert not delivery.is_ping
    assert delivery.vendor_action == payload["event"]
    (event,) = delivery.events
    assert event.kind is kind
    assert event.application_id == "250d8f03-738a-4bba-a671-8a3d73477145"
    assert event.candidate_id == "7f23e772-f2cf-4f2c-b2e1-e6bf5a5c2b4e"
    assert event.occurred_at == from_millis(payload["triggeredAt"])
    assert event.source is EventSource.WEBHOOK


def test_archive_reason_of_type_hired_never_produces_a_rejection(
    load_fixture: Callable[[str], Any],
) -> None:
    hired = "0092d31b-502b-4f0d-b4da-3827e1a2991f"
    rejected = "4105fb10-1f79-44ec-b873-33886dc01348"
    cases = [
        ({"fromArchived": None, "toArchived": {"archivedAt": 1, "reason": hired}}, EventKind.HIRED),
        (
            {
                "fromArchived": {"archivedAt": 1, "reason": rejected},
                "toArchived": {"reason": hired},
            },
            EventKind.HIRED,
        ),
        (
            {"fromArchived": {"archivedAt": 1, "reason": hired}, "toArchived": None},
            EventKind.UNHIRED,
        ),
    ]
    for change, kind in cases:
        payload = envelope(load_fixture, "candidateArchiveChange_archived")
        payload["data"].update(change)
        kinds = [event.kind for event in parse_delivery(signed(payload), reason_type).events]
        assert kinds == [kind]
        assert EventKind.REJECTED not in kinds


def test_unknown_reason_type_gives_an_update_to_read_back(
    load_fixture: Callable[[str], Any],
) -> None:
    payload = envelope(load_fixture, "candidateArchiveChange_archived")
    delivery = parse_delivery(signed(payload), lambda reason_id: None)
    assert [event.kind for event in delivery.events] == [EventKind.UPDATED]


def test_test_delivery_with_empty_data_is_a_ping(load_fixture: Callable[[str], Any]) -> None:
    empty: tuple[dict[str, Any] | None, ...] = ({}, None)
    for data in empty:
        payload = envelope(load_fixture, "test_delivery")
        payload["data"] = data
        delivery = parse_delivery(signed(payload), reason_type)
        assert delivery.is_ping
        assert delivery.events == ()


def test_events_the_library_does_not_use_give_nothing(load_fixture: Callable[[str], Any]) -> None:
    delivery = parse_delivery(signed(envelope(load_fixture, "interviewCreated")), reason_type)
    assert delivery.events == ()
    assert not delivery.is_ping
    assert delivery.vendor_action == "interviewCreated"


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"candidateId": "c1", "toStageId": "offer"}},
        {"data": {"opportunityId": 42}},
        {"event": ""},
        {"triggeredAt": "1496108525788"},
    ],
    ids=["no-opportunity", "id-not-text", "empty-event", "time-as-text"],
)
def test_unreadable_envelopes_are_payload_errors(
    load_fixture: Callable[[str], Any], change: dict[str, Any]
) -> None:
    payload = envelope(load_fixture, "candidateStageChange")
    payload.update(change)
    with pytest.raises(WebhookPayloadError):
        parse_delivery(json.dumps(payload).encode(), reason_type)


def test_delivery_id_is_stable_for_a_replay_and_distinct_otherwise(
    load_fixture: Callable[[str], Any],
) -> None:
    payload = envelope(load_fixture, "candidateHired")
    body = signed(payload)
    assert (
        parse_delivery(body, reason_type).delivery_id
        == parse_delivery(body, reason_type).delivery_id
    )
    ids = {
        delivery_id("t1", 1, "candidateHired", "o1"),
        delivery_id("t2", 1, "candidateHired", "o1"),
        delivery_id("t1", 2, "candidateHired", "o1"),
        delivery_id("t1", 1, "candidateHired", "o2"),
        delivery_id("t1", 1, "candidateDeleted", "o1"),
    }
    assert len(ids) == 5


# --- through the adapter and the sandbox --------------------------------------------------


def test_sandbox_deliveries_verify_and_parse_through_the_adapter(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Callable[[int], Any]
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    webhook = sandbox.webhook(EventKind.REJECTED, opportunity_id)
    adapter.verify_webhook(webhook.headers, webhook.body)
    delivery = adapter.parse_webhook(webhook.headers, webhook.body)
    assert delivery.delivery_id == webhook.delivery_id
    assert [event.kind for event in delivery.events] == [EventKind.REJECTED]


def test_archive_change_when_reasons_cannot_be_read_is_an_update(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Callable[[int], Any]
) -> None:
    opportunity_id = sandbox.seed_application(person(2))
    sandbox.server.inject_fault("list_archive_reasons", Fault.status(403), times=5)
    webhook = sandbox.webhook(EventKind.REJECTED, opportunity_id)
    delivery = adapter.parse_webhook(webhook.headers, webhook.body)
    assert [event.kind for event in delivery.events] == [EventKind.UPDATED]


def test_webhook_sender_posts_what_the_adapter_accepts(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Callable[[int], Any]
) -> None:
    from ats_reject.testing import FakeRequest, FakeResponse, FakeServer

    received: list[FakeRequest] = []
    with FakeServer(name="receiver") as receiver:

        @receiver.route("POST", "/hooks/lever")
        def hook(request: FakeRequest) -> FakeResponse:
            received.append(request)
            return FakeResponse.json({"ok": True})

        webhook = sandbox.webhook(EventKind.HIRED, sandbox.seed_application(person(3)))
        status = sandbox.sender.send(f"{receiver.base_url}/hooks/lever", webhook)
    assert status == 200
    (request,) = received
    adapter.verify_webhook(dict(request.headers), request.body)
    assert adapter.parse_webhook(dict(request.headers), request.body).events[0].kind is (
        EventKind.HIRED
    )
