"""Greenhouse webhooks: raw-body verification, rotation, malformed headers, normalization."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.errors import WebhookPayloadError, WebhookVerificationError
from ats_reject.models import ApplicationStatus, EventKind, RejectionReasonKind, StageKind
from ats_reject.testing import FakeRequest, FakeResponse, FakeServer
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox, encode_like_greenhouse

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "test-webhook-secret-REDACTED-000000001"
OLD_SECRET = "test-webhook-secret-REDACTED-000000000"
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

# The one signed delivery Greenhouse published: body, secret and signature from
# grnhse/greenhouse-api-docs issue #276 (a ping; the secret was a throwaway of that report).
ISSUE_276_BODY = (
    b'{"action":"ping","payload":{"web_hook_id":4001693002,"endpoint_url":'
    b'"https://67e09e60.ngrok.io/webhooks","created_at":"2018-12-20T15:43:12Z",'
    b'"updated_at":"2018-12-27T09:40:14Z","name":"Job Post Create","event":"Job Post Created",'
    b'"active":true,"content-type":"application/json"}}'
)
ISSUE_276_SECRET = "1uSUju2H6AohOE7OQVaxeLT3O8Uxxuas"
ISSUE_276_SIGNATURE = "395b1309fd37f0732d1ed11c15e03edd61b818918df6bf93be7c71bafb09c877"


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _headers(body: bytes, secret: str = SECRET, event_id: str = "evt-0001") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "Greenhouse-Event-ID": event_id,
        "Signature": f"sha256 {digest}",
    }


def _adapter(secrets: Sequence[str] = (SECRET, OLD_SECRET), **extra: Any) -> GreenhouseAdapter:
    settings = {
        "client_id": "webhook-tests",
        "client_secret": "REDACTED-not-used-in-these-tests",
        "webhook_secrets": list(secrets),
        "decision_date_field": "decision_by",
        **extra,
    }
    adapter = GreenhouseAdapter.from_mapping(settings, clock=FrozenClock(NOW))
    assert isinstance(adapter, GreenhouseAdapter)
    return adapter


@pytest.fixture
def adapter() -> Iterator[GreenhouseAdapter]:
    built = _adapter()
    yield built
    built.close()


# --- verification ----------------------------------------------------------------------------


def test_published_known_answer_vector_verifies() -> None:
    adapter = _adapter([ISSUE_276_SECRET])
    headers = {"Signature": f"sha256 {ISSUE_276_SIGNATURE}", "Greenhouse-Event-ID": "e1"}
    adapter.verify_webhook(headers, ISSUE_276_BODY)
    assert adapter.parse_webhook(headers, ISSUE_276_BODY).is_ping
    with pytest.raises(WebhookVerificationError) as caught:
        adapter.verify_webhook(headers, ISSUE_276_BODY.replace(b"4001693002", b"4001693003"))
    assert caught.value.reason == "bad_signature"


def test_unicode_escaped_body_verifies_as_received(adapter: GreenhouseAdapter) -> None:
    body = _body("webhook_reject_candidate.json")
    # Greenhouse escapes before signing: the name and the HTML arrive as \u escapes.
    assert b"Zo\\u00eb" in body
    assert b"\\u003cp\\u003e" in body
    assert b"\\u0026" in body
    adapter.verify_webhook(_headers(body), body)


def _reserializations(body: bytes) -> dict[str, bytes]:
    data = json.loads(body)
    return {
        "python default": json.dumps(data).encode(),
        "compact, utf-8": json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
        "compact, ascii, html unescaped": json.dumps(data, separators=(",", ":")).encode(),
        "sorted keys": encode_like_greenhouse(dict(sorted(data.items(), reverse=True))),
        "pretty": json.dumps(data, indent=2).encode(),
    }


def test_reserialized_bodies_fail(adapter: GreenhouseAdapter) -> None:
    body = _body("webhook_reject_candidate.json")
    headers = _headers(body)
    for how, other in _reserializations(body).items():
        assert json.loads(other) == json.loads(body), how
        assert other != body, how
        with pytest.raises(WebhookVerificationError) as caught:
            adapter.verify_webhook(headers, other)
        assert caught.value.reason == "bad_signature", how


def test_rotated_secrets() -> None:
    body = _body("webhook_reject_candidate.json")
    rotating = _adapter([SECRET, OLD_SECRET])
    rotating.verify_webhook(_headers(body, SECRET), body)
    rotating.verify_webhook(_headers(body, OLD_SECRET), body)
    with pytest.raises(WebhookVerificationError):
        rotating.verify_webhook(_headers(body, "test-webhook-secret-REDACTED-999999999"), body)
    rotated = _adapter([SECRET])
    with pytest.raises(WebhookVerificationError) as caught:
        rotated.verify_webhook(_headers(body, OLD_SECRET), body)
    assert caught.value.reason == "bad_signature"


_HEX = hmac.new(SECRET.encode(), b"{}", hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing_header"),
        ({"Signature": ""}, "empty_header"),
        ({"Signature": "sha256"}, "malformed_header"),
        ({"Signature": f"sha256={_HEX}"}, "malformed_header"),
        ({"Signature": f"SHA256 {_HEX}"}, "malformed_header"),
        ({"Signature": f"sha1 {_HEX}"}, "malformed_header"),
        ({"Signature": _HEX}, "malformed_header"),
        ({"Signature": f"sha256  {_HEX}"}, "malformed_signature"),
        ({"Signature": f"sha256 {_HEX[:-1]}"}, "malformed_signature"),
        ({"Signature": f"sha256 {_HEX}0"}, "malformed_signature"),
        ({"Signature": f"sha256 {'z' * 64}"}, "malformed_signature"),
        ({"Signature": f"sha256 {_HEX}\x00"}, "malformed_header"),
        ({"Signature": f"sha256 {_HEX[:-1]}é"}, "non_ascii_header"),
        ({"Signature": f"sha256 {'0' * 64}"}, "bad_signature"),
    ],
)
def test_malformed_signature_headers(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        _adapter().verify_webhook(headers, b"{}")
    assert caught.value.reason == reason


def test_conflicting_duplicate_signature_headers_are_refused() -> None:
    pairs = [("Signature", f"sha256 {_HEX}"), ("signature", f"sha256 {'0' * 64}")]
    with pytest.raises(WebhookVerificationError) as caught:
        _adapter().verify_webhook(pairs, b"{}")  # type: ignore[arg-type]
    assert caught.value.reason == "duplicated_header"
    # The same value twice (a proxy repeating it) is not ambiguous.
    _adapter().verify_webhook([("Signature", f"sha256 {_HEX}")] * 2, b"{}")  # type: ignore[arg-type]


def test_hex_digest_in_upper_case_verifies() -> None:
    _adapter().verify_webhook({"signature": f"sha256 {_HEX.upper()}"}, b"{}")


def test_oversized_body_is_refused() -> None:
    body = b"{" + b" " * (1024 * 1024) + b"}"
    with pytest.raises(WebhookVerificationError) as caught:
        _adapter().verify_webhook(_headers(body), body)
    assert caught.value.reason == "oversized"


# --- normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("webhook_reject_candidate.json", EventKind.REJECTED),
        ("webhook_unreject_candidate.json", EventKind.UNREJECTED),
        ("webhook_candidate_stage_change.json", EventKind.STAGE_CHANGED),
        ("webhook_hire_candidate.json", EventKind.HIRED),
        ("webhook_unhire_candidate.json", EventKind.UNHIRED),
        ("webhook_application_updated.json", EventKind.UPDATED),
        ("webhook_delete_application.json", EventKind.DELETED),
    ],
)
def test_application_actions_normalize(
    adapter: GreenhouseAdapter, fixture: str, kind: EventKind
) -> None:
    body = _body(fixture)
    headers = _headers(body, event_id=f"evt-{fixture}")
    adapter.verify_webhook(headers, body)
    delivery = adapter.parse_webhook(headers, body)
    assert delivery.delivery_id == f"evt-{fixture}"
    assert not delivery.is_ping
    assert [(e.kind, e.application_id, e.candidate_id) for e in delivery.events] == [
        (kind, "90000101", "80000201")
    ]
    assert delivery.vendor_action == json.loads(body)["action"]


def test_reject_webhook_carries_the_application_as_described(adapter: GreenhouseAdapter) -> None:
    body = _body("webhook_reject_candidate.json")
    (event,) = adapter.parse_webhook(_headers(body), body).events
    assert event.occurred_at == datetime(2025, 3, 13, 11, 0, tzinfo=UTC)
    application = event.application
    assert application is not None
    assert application.status is ApplicationStatus.REJECTED
    assert application.candidate.first_name == "Zoë"
    assert application.candidate.emails[0] == "zoe.beispiel@example.test"
    assert application.candidate.time_zone == "Europe/Berlin"
    assert application.rejection is not None
    assert application.rejection.reason is not None
    assert application.rejection.reason.kind is RejectionReasonKind.WE_REJECTED
    assert application.current_stage is not None
    assert application.current_stage.kind is StageKind.INTERVIEW
    assert application.job is not None
    assert application.job.offices[0].location is not None
    assert application.job.offices[0].location.country == "US"
    assert application.recruiter is not None
    assert application.recruiter.email == "robin.recruiter@example.test"
    assert application.custom_fields["promised_decision_at"] == "2025-03-21"


def test_candidate_actions_normalize(adapter: GreenhouseAdapter) -> None:
    deleted = _body("webhook_delete_candidate.json")
    events = adapter.parse_webhook(_headers(deleted), deleted).events
    assert [(e.kind, e.candidate_id, e.application_id) for e in events] == [
        (EventKind.DELETED, "80000201", None),
        (EventKind.DELETED, "80000201", "90000101"),
        (EventKind.DELETED, "80000201", "90000102"),
    ]
    merged = _body("webhook_merge_candidate.json")
    (event,) = adapter.parse_webhook(_headers(merged), merged).events
    assert (event.kind, event.candidate_id, event.related_candidate_id) == (
        EventKind.MERGED,
        "80000201",
        "80000299",
    )
    anonymized = _body("webhook_candidate_anonymized.json")
    (event,) = adapter.parse_webhook(_headers(anonymized), anonymized).events
    assert (event.kind, event.candidate_id, event.application_id) == (
        EventKind.ANONYMIZED,
        "80000201",
        None,
    )
    assert event.occurred_at == NOW  # no time in the payload: the receipt time


def test_ping_and_unused_actions_give_no_events(adapter: GreenhouseAdapter) -> None:
    ping = _body("webhook_ping.json")
    delivery = adapter.parse_webhook(_headers(ping), ping)
    assert delivery.is_ping
    assert delivery.events == ()
    offer = _body("webhook_offer_created.json")
    delivery = adapter.parse_webhook(_headers(offer), offer)
    assert not delivery.is_ping
    assert delivery.events == ()
    assert delivery.vendor_action == "offer_created"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b"{}", b'{"action": ""}', b'{"action": "reject_candidate"}',
     b'{"action": "reject_candidate", "payload": {"application": {"id": "x"}}}',
     b'{"action": "candidate_anonymized", "payload": {}}'],
)  # fmt: skip
def test_unreadable_bodies_are_payload_errors(adapter: GreenhouseAdapter, body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        adapter.parse_webhook(_headers(body), body)


def test_delivery_id_falls_back_to_a_digest_of_the_body(adapter: GreenhouseAdapter) -> None:
    body = _body("webhook_ping.json")
    headers = {k: v for k, v in _headers(body).items() if k != "Greenhouse-Event-ID"}
    first = adapter.parse_webhook(headers, body).delivery_id
    assert first == adapter.parse_webhook(headers, body).delivery_id
    assert first.startswith("sha256:")


def test_bulk_reject_arrives_as_one_delivery_per_candidate(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    ids = sandbox.seed_realistic(6)[:4]
    for application_id in ids:
        sandbox.set_status(application_id, ApplicationStatus.REJECTED)
    deliveries = []
    for application_id in ids:
        webhook = sandbox.webhook(EventKind.REJECTED, application_id)
        _adapter(sandbox.webhook_secrets).verify_webhook(webhook.headers, webhook.body)
        deliveries.append(adapter.parse_webhook(webhook.headers, webhook.body))
    assert len({d.delivery_id for d in deliveries}) == len(ids)
    assert [[e.application_id for e in d.events] for d in deliveries] == [[i] for i in ids]


def test_sandbox_sends_signed_deliveries_over_http(sandbox: GreenhouseSandbox) -> None:
    receiver_adapter = _adapter(sandbox.webhook_secrets)
    received: list[str] = []

    def receive(request: FakeRequest) -> FakeResponse:
        try:
            receiver_adapter.verify_webhook(request.headers, request.body)
        except WebhookVerificationError:
            return FakeResponse(status=401)
        delivery = receiver_adapter.parse_webhook(request.headers, request.body)
        received.append(delivery.delivery_id)
        return FakeResponse(status=200)

    application_id = sandbox.seed_realistic(2)[0]
    with FakeServer(name="receiver") as receiver:
        receiver.add_route("POST", "/hooks/greenhouse", receive)
        url = f"{receiver.base_url}/hooks/greenhouse"
        ping = sandbox.webhook("ping")
        assert sandbox.deliver(url, ping) == 200
        forged = sandbox.webhook(
            EventKind.REJECTED, application_id, secret="forger-webhook-secret-REDACTED-12345"
        )
        assert sandbox.deliver(url, forged) == 401
    assert received == [ping.delivery_id]
