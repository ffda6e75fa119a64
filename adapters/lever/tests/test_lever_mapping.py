"""Lever payloads (fixtures of the documented shapes) turned into the canonical models."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ats_reject.models import (
    ApplicationStatus,
    RejectionReasonKind,
    SourceKind,
    StageKind,
)
from ats_reject_lever._mapping import (
    UnknownArchiveReasonError,
    default_stage_kind,
    from_millis,
    reason_kind,
    to_application,
    to_millis,
)
from ats_reject_lever._payloads import VendorArchiveReason, VendorOpportunity

NO_OVERRIDES: dict[str, RejectionReasonKind] = {}


def opportunity(load_fixture: Callable[[str], Any], name: str, **changes: Any) -> VendorOpportunity:
    raw = copy.deepcopy(load_fixture(name)["data"])
    raw.update(changes)
    return VendorOpportunity.model_validate(raw)


def test_expanded_active_opportunity(load_fixture: Callable[[str], Any], lookups: Any) -> None:
    application = to_application(
        opportunity(load_fixture, "opportunity_expanded.json"), lookups, reason_overrides={}
    )
    assert application.id == "250d8f03-738a-4bba-a671-8a3d73477145"
    assert application.status is ApplicationStatus.ACTIVE
    assert application.rejection is None
    candidate = application.candidate
    # The contact is the person; the opportunity is one candidacy.
    assert candidate.id == "7f23e772-f2cf-4f2c-b2e1-e6bf5a5c2b4e"
    assert (candidate.first_name, candidate.last_name) == ("Shane", "Fixture Smith")
    assert candidate.emails == ("shane.fixture@example.test", "s.smith@example.test")
    assert candidate.phone == "(123) 456-7891"
    assert candidate.location is not None
    assert candidate.location.text == "Oakland"
    assert candidate.tags == ("San Francisco", "Full-time", "Support")
    assert not candidate.is_internal
    job = application.job
    assert job is not None
    assert (job.id, job.name, job.department) == (
        "d248f6f5-ca37-4467-a08d-11ad90fd9b1f",
        "Marketing Events",
        "Brand",
    )
    assert job.location is not None
    assert (job.location.text, job.location.country) == ("San Francisco, CA", "US")
    stage = application.current_stage
    assert stage is not None
    assert (stage.name, stage.position, stage.kind) == ("Phone interview", 5, StageKind.SCREEN)
    assert application.source is not None
    assert (application.source.kind, application.source.name) == (SourceKind.SOURCED, "linkedin")
    recruiter = application.recruiter
    assert recruiter is not None
    assert (recruiter.first_name, recruiter.email, recruiter.title) == (
        "Rachel",
        "rachel.owner@example.test",
        "Recruiting Lead",
    )
    assert application.applied_at == from_millis(1407357278823)
    assert application.last_activity_at == from_millis(1417588008071)
    assert application.is_prospect is False


def test_unexpanded_archived_opportunity_is_rejected(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    application = to_application(
        opportunity(load_fixture, "opportunity_archived_unexpanded.json"),
        lookups,
        reason_overrides={},
    )
    assert application.status is ApplicationStatus.REJECTED
    assert application.rejection is not None
    assert application.rejection.decided_at == datetime(2024, 11, 24, 12, 3, 13, 171000, UTC)
    reason = application.rejection.reason
    assert reason is not None
    assert (reason.id, reason.name, reason.kind) == (
        "d35867b1-f661-4ec2-b477-b3e6524cc8b6",
        "Position closed",
        RejectionReasonKind.WE_REJECTED,
    )
    # The stage comes as a bare id; its name and position come from the account's stages.
    stage = application.current_stage
    assert stage is not None
    assert (stage.name, stage.position, stage.kind) == ("On-site interview", 6, StageKind.INTERVIEW)
    assert application.recruiter is not None
    assert application.recruiter.id == "a36cc64a-c990-4732-8288-9d4913220c7f"
    assert application.recruiter.email is None
    assert application.job is None
    assert application.is_prospect is True
    assert application.candidate.first_name is None
    assert application.candidate.emails == ()


def test_archive_reason_of_type_hired_is_a_hire_not_a_rejection(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    hired = opportunity(
        load_fixture,
        "opportunity_archived_unexpanded.json",
        archived={"reason": "0092d31b-502b-4f0d-b4da-3827e1a2991f", "archivedAt": 1732449793171},
    )
    application = to_application(hired, lookups, reason_overrides={})
    assert application.status is ApplicationStatus.HIRED
    assert application.rejection is None
    assert not application.is_rejected


@pytest.mark.parametrize(
    "archived",
    [
        {"reason": "11111111-2222-3333-4444-555555555555", "archivedAt": 1},
        {"reason": None, "archivedAt": 1732449793171},
    ],
    ids=["reason-not-listed", "no-reason"],
)
def test_unknown_archive_reason_is_never_guessed(
    load_fixture: Callable[[str], Any], lookups: Any, archived: dict[str, Any]
) -> None:
    odd = opportunity(load_fixture, "opportunity_archived_unexpanded.json", archived=archived)
    with pytest.raises(UnknownArchiveReasonError):
        to_application(odd, lookups, reason_overrides={})


def test_reason_of_an_unknown_type_is_never_guessed(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    lookups.reasons["d35867b1-f661-4ec2-b477-b3e6524cc8b6"] = VendorArchiveReason(
        id="d35867b1-f661-4ec2-b477-b3e6524cc8b6", text="Odd", type="maybe-hired"
    )
    odd = opportunity(load_fixture, "opportunity_archived_unexpanded.json")
    with pytest.raises(UnknownArchiveReasonError):
        to_application(odd, lookups, reason_overrides={})


def test_archived_null_and_empty_archived_object_are_active(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    for archived in (None, {"reason": None, "archivedAt": None}):
        raw = opportunity(load_fixture, "opportunity_expanded.json", archived=archived)
        assert to_application(raw, lookups, reason_overrides={}).status is ApplicationStatus.ACTIVE


@pytest.mark.parametrize(
    ("origin", "kind", "internal"),
    [
        ("applied", SourceKind.APPLIED, False),
        ("referred", SourceKind.REFERRAL, False),
        ("agency", SourceKind.AGENCY, False),
        ("internal", SourceKind.INTERNAL, True),
        ("sourced", SourceKind.SOURCED, False),
        ("university", SourceKind.OTHER, False),
        ("something-new", SourceKind.OTHER, False),
    ],
)
def test_origin_becomes_source_kind(
    load_fixture: Callable[[str], Any],
    lookups: Any,
    origin: str,
    kind: SourceKind,
    internal: bool,
) -> None:
    raw = opportunity(load_fixture, "opportunity_expanded.json", origin=origin)
    application = to_application(raw, lookups, reason_overrides={})
    assert application.source is not None
    assert application.source.kind is kind
    assert application.candidate.is_internal is internal


def test_posting_country_that_is_not_a_code_is_dropped(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    lookups.postings["d248f6f5-ca37-4467-a08d-11ad90fd9b1f"]["country"] = "USA"
    raw = opportunity(load_fixture, "opportunity_expanded.json")
    job = to_application(raw, lookups, reason_overrides={}).job
    assert job is not None
    assert job.location is not None
    assert job.location.country is None
    assert job.location.text == "San Francisco, CA"


def test_missing_posting_leaves_the_job_empty(
    load_fixture: Callable[[str], Any], lookups: Any
) -> None:
    lookups.postings.clear()
    raw = opportunity(load_fixture, "opportunity_expanded.json")
    assert to_application(raw, lookups, reason_overrides={}).job is None


@pytest.mark.parametrize(
    ("stage_id", "name", "kind"),
    [
        ("lead-new", "New lead", StageKind.APPLICATION_REVIEW),
        ("applicant-new", "Whatever it is called", StageKind.APPLICATION_REVIEW),
        ("offer", "Offer", StageKind.OFFER),
        ("u1", "Recruiter screen", StageKind.SCREEN),
        ("u2", "Phone interview", StageKind.SCREEN),
        ("u3", "Take-home assessment", StageKind.ASSESSMENT),
        ("u4", "On-site interview", StageKind.INTERVIEW),
        ("u5", "Final interview", StageKind.FINAL),
        ("u6", "Reference check", StageKind.FINAL),
        ("u7", "Culture chat", StageKind.OTHER),
    ],
)
def test_default_stage_kinds(stage_id: str, name: str, kind: StageKind) -> None:
    assert default_stage_kind(stage_id, name) is kind


def test_stage_kind_overrides_by_id_and_by_name(
    load_fixture: Callable[[str], Any], make_lookups: Callable[..., Any]
) -> None:
    by_id = make_lookups({"8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d02": StageKind.INTERVIEW})
    by_name = make_lookups({"PHONE INTERVIEW": StageKind.FINAL})
    raw = opportunity(load_fixture, "opportunity_expanded.json")
    first = to_application(raw, by_id, reason_overrides={}).current_stage
    second = to_application(raw, by_name, reason_overrides={}).current_stage
    assert first is not None
    assert first.kind is StageKind.INTERVIEW
    assert second is not None
    assert second.kind is StageKind.FINAL


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Withdrew", RejectionReasonKind.THEY_WITHDREW),
        ("Offer declined", RejectionReasonKind.THEY_WITHDREW),
        ("No Response", RejectionReasonKind.THEY_WITHDREW),
        ("Position filled", RejectionReasonKind.WE_REJECTED),
        ("Under- qualified", RejectionReasonKind.WE_REJECTED),
    ],
)
def test_reason_kinds_by_name(text: str, kind: RejectionReasonKind) -> None:
    assert reason_kind(VendorArchiveReason(id="r1", text=text), NO_OVERRIDES) is kind


def test_reason_kind_overrides_win() -> None:
    timing = VendorArchiveReason(id="r-timing", text="Timing")
    assert reason_kind(timing, {"r-timing": RejectionReasonKind.OTHER}) is RejectionReasonKind.OTHER
    assert reason_kind(timing, {"timing": RejectionReasonKind.OTHER}) is RejectionReasonKind.OTHER


def test_milliseconds_round_trip_and_floor() -> None:
    assert from_millis(1496108525788) == datetime(2017, 5, 30, 1, 42, 5, 788000, UTC)
    moment = datetime(2025, 3, 14, 9, 30, 0, 123999, UTC)
    assert to_millis(moment) == 1741944600123
    assert to_millis(moment.astimezone(timezone(timedelta(hours=-5)))) == 1741944600123
    assert from_millis(to_millis(moment)) <= moment
    with pytest.raises(ValueError, match="naive"):
        to_millis(datetime(2025, 3, 14, 9, 30))


def test_unexpected_fields_are_ignored_but_wrong_types_are_refused(
    load_fixture: Callable[[str], Any],
) -> None:
    raw = copy.deepcopy(load_fixture("opportunity_expanded.json")["data"])
    assert VendorOpportunity.model_validate(raw).id == raw["id"]
    raw["createdAt"] = "yesterday"
    with pytest.raises(ValueError, match="validation error"):
        VendorOpportunity.model_validate(raw)
