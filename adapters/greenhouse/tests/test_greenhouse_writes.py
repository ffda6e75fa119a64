"""Writes: reject (with Greenhouse's own scheduled e-mail), unreject, notes, read-back."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ats_reject.adapter import NativeRejectionEmail
from ats_reject.clock import FrozenClock
from ats_reject.errors import ApiValidationError, ConflictError
from ats_reject.models import ApplicationStatus, RejectionReasonKind
from ats_reject.testing import CanaryPerson, Fault
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox


def _seed(sandbox: GreenhouseSandbox, number: int = 1, **kwargs: ApplicationStatus) -> str:
    return sandbox.seed_application(CanaryPerson.numbered(number), **kwargs)


def test_reject_schedules_greenhouse_email_at_the_given_instant(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    send_at = datetime(2025, 3, 17, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    email = NativeRejectionEmail(template_id=sandbox.email_template_id, send_at=send_at)
    application = adapter.reject(
        application_id, reason_id=sandbox.rejection_reason_id, note="Hired elsewhere", email=email
    )
    assert application.status is ApplicationStatus.REJECTED
    assert application.rejection is not None
    assert application.rejection.reason is not None
    assert application.rejection.reason.kind is RejectionReasonKind.WE_REJECTED
    (request,) = [r for r in sandbox.server.requests if r.route_name == "reject"]
    body = request.json()
    assert body["rejection_reason_id"] == int(sandbox.rejection_reason_id)
    assert body["notes"] == "Hired elsewhere"
    # An explicit UTC instant: without an offset Greenhouse would read the acting user's zone.
    assert body["rejection_email"] == {
        "email_template_id": int(sandbox.email_template_id),
        "send_email_at": "2025-03-17T09:00:00.000Z",
        "email_from_user_id": sandbox.org.acting_user,
    }
    (scheduled,) = sandbox.scheduled_emails()
    assert scheduled.send_at == send_at
    assert scheduled.application_id == int(application_id)


def test_reject_of_a_rejected_application_posts_nothing(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox, status=ApplicationStatus.REJECTED)
    email = NativeRejectionEmail(template_id=sandbox.email_template_id)
    application = adapter.reject(application_id, reason_id=sandbox.rejection_reason_id, email=email)
    assert application.status is ApplicationStatus.REJECTED
    assert sandbox.calls("reject") == 0
    assert sandbox.scheduled_emails() == []  # no second rejection e-mail can go out


def test_reject_of_a_hired_application_is_a_conflict(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox, status=ApplicationStatus.HIRED)
    with pytest.raises(ConflictError):
        adapter.reject(application_id, reason_id=sandbox.rejection_reason_id)
    assert sandbox.calls("reject") == 0


def test_reject_refused_for_an_unknown_template(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    email = NativeRejectionEmail(template_id="999")
    with pytest.raises(ApiValidationError) as caught:
        adapter.reject(application_id, reason_id=sandbox.rejection_reason_id, email=email)
    assert caught.value.status == 422
    assert sandbox.applied_writes("reject") == 0
    with pytest.raises(ApiValidationError):
        adapter.reject(application_id, reason_id="not-an-id")


def test_timed_out_reject_with_email_is_read_back_and_not_resent(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    sandbox.inject_fault("reject", Fault.apply_then_drop())
    email = NativeRejectionEmail(template_id=sandbox.email_template_id)
    application = adapter.reject(application_id, reason_id=sandbox.rejection_reason_id, email=email)
    assert application.status is ApplicationStatus.REJECTED
    assert sandbox.calls("reject") == 1
    assert len(sandbox.scheduled_emails()) == 1


def test_reject_after_the_token_was_revoked_applies_once(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    adapter.get_application(application_id)
    sandbox.expire_tokens()
    adapter.reject(application_id, reason_id=sandbox.rejection_reason_id)
    assert sandbox.applied_writes("reject") == 1
    assert sandbox.oauth.minted == 2


def test_unreject_restores_the_stage(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    before = adapter.get_application(application_id).current_stage
    adapter.reject(application_id, reason_id=sandbox.rejection_reason_id)
    application = adapter.unreject(application_id)
    assert application.status is ApplicationStatus.ACTIVE
    assert application.rejection is None
    assert application.current_stage == before
    adapter.unreject(application_id)
    assert sandbox.calls("unreject") == 1


def test_note_records_what_was_sent(sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter) -> None:
    application_id = _seed(sandbox)
    adapter.add_note(application_id, "Rejection e-mail sent by ats-reject (message m-1).")
    assert sandbox.notes(application_id) == ["Rejection e-mail sent by ats-reject (message m-1)."]
    (request,) = [r for r in sandbox.server.requests if r.route_name == "create_note"]
    body = request.json()
    assert body["visibility"] == "admin_only"
    assert body["note_type"] == "NOTE"
    assert body["user_id"] == sandbox.org.acting_user
    assert body["application_id"] == int(application_id)


def test_note_whose_answer_was_lost_is_not_written_twice(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    application_id = _seed(sandbox)
    sandbox.inject_fault("add_note", Fault.apply_then_drop())
    adapter.add_note(application_id, "note A")
    assert sandbox.notes(application_id) == ["note A"]
    sandbox.inject_fault("add_note", Fault.drop_connection())
    adapter.add_note(application_id, "note A")  # the same text again, on purpose
    assert sandbox.notes(application_id) == ["note A", "note A"]
    assert sandbox.calls("add_note") == 3


def test_token_acts_as_the_configured_user(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    adapter.rejection_reasons()
    assert sandbox.oauth.grants[-1].sub == sandbox.org.acting_user
    settings = {**sandbox.adapter_settings(), "acting_user_id": None}
    service = GreenhouseAdapter.from_mapping(settings, clock=clock)
    service.rejection_reasons()
    service.close()
    assert sandbox.oauth.grants[-1].sub is None


def test_token_is_cached_and_renewed_ahead_of_expiry(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    application_id = _seed(sandbox)
    for _ in range(5):
        adapter.get_application(application_id)
    assert sandbox.oauth.minted == 1
    clock.advance(timedelta(seconds=3600 - 61))
    adapter.get_application(application_id)
    assert sandbox.oauth.minted == 1
    clock.advance(timedelta(seconds=2))  # inside the renewal margin, before the real expiry
    adapter.get_application(application_id)
    assert sandbox.oauth.minted == 2
    assert sandbox.server.count("applications") == 7


def test_send_at_without_offset_is_never_sent(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter
) -> None:
    # NativeRejectionEmail refuses naive times; an aware time always reaches Greenhouse in UTC.
    with pytest.raises(ValueError, match="timezone"):
        NativeRejectionEmail(template_id="1", send_at=datetime(2025, 3, 17, 10, 0))
    aware = NativeRejectionEmail(template_id="1", send_at=datetime(2025, 3, 17, 10, tzinfo=UTC))
    assert aware.send_at is not None


def test_timed_out_reject_still_in_flight_applies_once(
    sandbox: GreenhouseSandbox, clock: FrozenClock
) -> None:
    settings = {**sandbox.adapter_settings(), "read_timeout": 0.2}
    adapter = GreenhouseAdapter.from_mapping(settings, clock=clock)
    application_id = _seed(sandbox)
    # The first POST is answered too late: the adapter times out, reads back, and sends again
    # while the first may still be on its way; whichever lands second is refused.
    sandbox.inject_fault("reject", Fault.delay(0.6))
    email = NativeRejectionEmail(template_id=sandbox.email_template_id)
    application = adapter.reject(application_id, reason_id=sandbox.rejection_reason_id, email=email)
    adapter.close()
    assert application.status is ApplicationStatus.REJECTED
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the late request has been answered too
        with sandbox.lock:
            handled = sandbox.applied["reject"] + sandbox.writes.refused["reject"]
        if handled == sandbox.calls("reject"):
            break
        time.sleep(0.05)
    # Sent twice (normally) or once (when the late answer was read back in time): either way
    # every extra attempt was refused.
    assert sandbox.writes.refused["reject"] == sandbox.calls("reject") - 1
    assert sandbox.applied_writes("reject") == 1
    assert len(sandbox.scheduled_emails()) == 1
