"""Lever writes: archive with a reason, unarchive, notes and tags, each applied once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ats_reject.adapter import NativeRejectionEmail
from ats_reject.clock import FrozenClock
from ats_reject.errors import (
    ApiValidationError,
    CapabilityNotSupportedError,
    ConfigurationError,
    ConflictError,
)
from ats_reject.models import ApplicationStatus, RejectionReasonKind, StageKind
from ats_reject.testing import Fault
from ats_reject_lever import LeverAdapter
from ats_reject_lever._sandbox_data import (
    HIRED_REASON_ID,
    REJECTION_REASON_ID,
    WITHDREW_REASON_ID,
)
from ats_reject_lever.sandbox import LeverSandbox

Person = Callable[[int], Any]


def writes(sandbox: LeverSandbox, route: str) -> list[Any]:
    return [request for request in sandbox.server.requests if request.route_name == route]


def test_archive_sends_the_reason_as_the_configured_user(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    application = adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID)
    (put,) = writes(sandbox, "update_archived")
    assert put.method == "PUT"
    assert put.query["perform_as"] == [sandbox.perform_as]
    assert put.json() == {"reason": REJECTION_REASON_ID}
    assert application.status is ApplicationStatus.REJECTED
    assert application.rejection is not None
    assert application.rejection.reason is not None
    assert application.rejection.reason.name == "Under-qualified"
    # The write's answer is not expanded: the job and the owner come from the read before.
    assert application.job is not None
    assert application.job.name == "Backend Engineer"
    assert application.recruiter is not None
    assert application.recruiter.email is not None
    assert sandbox.opportunity(opportunity_id)["archived"]["reason"] == REJECTION_REASON_ID


def test_archive_with_a_hired_reason_is_refused_before_sending(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    with pytest.raises(ApiValidationError, match="hired"):
        adapter.reject(opportunity_id, reason_id=HIRED_REASON_ID)
    with pytest.raises(ApiValidationError, match="unknown archive reason"):
        adapter.reject(opportunity_id, reason_id="not-a-reason")
    assert writes(sandbox, "update_archived") == []
    assert sandbox.opportunity(opportunity_id)["archived"] is None


def test_hired_opportunity_is_never_rejected(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1), ApplicationStatus.HIRED)
    with pytest.raises(ConflictError):
        adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID)
    with pytest.raises(ConflictError):
        adapter.unreject(opportunity_id)
    assert writes(sandbox, "update_archived") == []
    assert sandbox.opportunity(opportunity_id)["archived"]["reason"] == HIRED_REASON_ID


def test_opportunity_archived_by_a_person_keeps_its_reason(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    sandbox.set_status(opportunity_id, ApplicationStatus.REJECTED, reason_id=WITHDREW_REASON_ID)
    application = adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID, note="sent")
    assert application.rejection is not None
    assert application.rejection.reason is not None
    assert application.rejection.reason.kind is RejectionReasonKind.THEY_WITHDREW
    assert writes(sandbox, "update_archived") == []
    assert sandbox.notes(opportunity_id) == []


def test_note_goes_with_the_archive_once(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    for _ in range(2):
        adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID, note="Rejection e-mail sent.")
    assert sandbox.notes(opportunity_id) == ["Rejection e-mail sent."]
    (post,) = writes(sandbox, "create_note")
    assert post.query["perform_as"] == [sandbox.perform_as]
    assert post.json() == {"value": "Rejection e-mail sent.", "notifyFollowers": False}


def test_native_email_is_not_offered(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    with pytest.raises(CapabilityNotSupportedError):
        adapter.reject(
            opportunity_id,
            reason_id=REJECTION_REASON_ID,
            email=NativeRejectionEmail(template_id="t1"),
        )
    assert sandbox.opportunity(opportunity_id)["archived"] is None


def test_writes_without_perform_as_are_refused_before_any_request(
    make_adapter: Callable[..., LeverAdapter], sandbox: LeverSandbox, person: Person
) -> None:
    adapter = make_adapter(perform_as=None)
    opportunity_id = sandbox.seed_application(person(1))
    sandbox.server.reset_log()
    for write in (
        lambda: adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID),
        lambda: adapter.unreject(opportunity_id),
        lambda: adapter.add_note(opportunity_id, "note"),
        lambda: adapter.add_tag(opportunity_id, "tag"),
    ):
        with pytest.raises(ConfigurationError, match="perform_as"):
            write()
    assert sandbox.server.requests == []


def test_clean_interviews_is_sent_when_configured(
    make_adapter: Callable[..., LeverAdapter], sandbox: LeverSandbox, person: Person
) -> None:
    adapter = make_adapter(clean_interviews=True)
    adapter.reject(sandbox.seed_application(person(1)), reason_id=REJECTION_REASON_ID)
    (put,) = writes(sandbox, "update_archived")
    assert put.json() == {"reason": REJECTION_REASON_ID, "cleanInterviews": True}


def test_unarchive_sends_a_null_reason(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1), ApplicationStatus.REJECTED)
    application = adapter.unreject(opportunity_id)
    assert application.status is ApplicationStatus.ACTIVE
    (put,) = writes(sandbox, "update_archived")
    assert put.json() == {"reason": None}
    assert adapter.unreject(opportunity_id).status is ApplicationStatus.ACTIVE
    assert len(writes(sandbox, "update_archived")) == 1


@pytest.mark.parametrize(
    ("fault", "sent"),
    [(Fault.apply_then_drop(), 1), (Fault.drop_connection(), 2)],
    ids=["applied-answer-lost", "dropped-before-applying"],
)
def test_note_whose_answer_is_lost_is_read_back(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person, fault: Fault, sent: int
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    sandbox.inject_fault("add_note", fault)
    adapter.add_note(opportunity_id, "Rejection e-mail sent on 14 March.")
    assert sandbox.notes(opportunity_id) == ["Rejection e-mail sent on 14 March."]
    assert sandbox.calls("add_note") == sent
    assert sandbox.server.count("list_notes") == 1


@pytest.mark.parametrize(
    ("fault", "sent"),
    [(Fault.apply_then_drop(), 1), (Fault.drop_connection(), 2)],
    ids=["applied-answer-lost", "dropped-before-applying"],
)
def test_tag_whose_answer_is_lost_is_read_back(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person, fault: Fault, sent: int
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    sandbox.inject_fault("add_tag", fault)
    adapter.add_tag(opportunity_id, "talent-pool-consent")
    assert sandbox.opportunity(opportunity_id)["tags"] == ["talent-pool-consent"]
    assert sandbox.calls("add_tag") == sent
    assert sandbox.applied_writes("add_tag") == 1
    (post, *_) = writes(sandbox, "add_tags")
    assert post.json() == {"tags": ["talent-pool-consent"]}


def test_tags_are_case_sensitive(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_opportunity(person(1), tags=["Talent-Pool-Consent"])
    adapter.add_tag(opportunity_id, "talent-pool-consent")
    assert sandbox.opportunity(opportunity_id)["tags"] == [
        "Talent-Pool-Consent",
        "talent-pool-consent",
    ]


def test_rejection_reasons_leave_out_hired_and_inactive_ones(adapter: LeverAdapter) -> None:
    reasons = {reason.name: reason for reason in adapter.rejection_reasons()}
    assert "Hired" not in reasons
    assert "No Response - OLD" not in reasons
    assert reasons["Under-qualified"].kind is RejectionReasonKind.WE_REJECTED
    assert reasons["Withdrew"].kind is RejectionReasonKind.THEY_WITHDREW
    assert reasons["Offer declined"].kind is RejectionReasonKind.THEY_WITHDREW


def test_job_stages_are_the_account_pipeline_in_order(
    make_adapter: Callable[..., LeverAdapter],
) -> None:
    adapter = make_adapter(stage_kinds={"Recruiter screen": "interview"})
    stages = adapter.job_stages("any-posting")
    assert [stage.position for stage in stages] == list(range(len(stages)))
    kinds = {stage.name: stage.kind for stage in stages}
    assert kinds["New lead"] is StageKind.APPLICATION_REVIEW
    assert kinds["Recruiter screen"] is StageKind.INTERVIEW
    assert kinds["Take-home assessment"] is StageKind.ASSESSMENT
    assert kinds["Offer"] is StageKind.OFFER


def test_account_data_is_kept_for_its_ttl(
    make_adapter: Callable[..., LeverAdapter],
    sandbox: LeverSandbox,
    clock: FrozenClock,
    person: Person,
) -> None:
    adapter = make_adapter(catalog_ttl=60)
    rejected = sandbox.seed_application(person(1), ApplicationStatus.REJECTED)
    for _ in range(3):
        adapter.get_application(rejected)
    assert sandbox.server.count("list_archive_reasons") == 1
    clock.advance(61)
    adapter.get_application(rejected)
    assert sandbox.server.count("list_archive_reasons") == 2
    # A reason created since the last read is found by reading the list again.
    clock.advance(2)
    sandbox.api.reasons.append(
        {"id": "new-reason", "text": "Relocation", "status": "active", "type": "non-hired"}
    )
    sandbox.set_status(rejected, ApplicationStatus.REJECTED, reason_id="new-reason")
    application = adapter.get_application(rejected)
    assert application.rejection is not None
    assert application.rejection.reason is not None
    assert application.rejection.reason.name == "Relocation"
    assert sandbox.server.count("list_archive_reasons") == 3
