"""Mapping of documented Harvest v3 payloads (tests/fixtures) to the canonical models.

The fixtures follow the v3 reference shapes and are served over real HTTP by a FakeServer,
so the adapter reads them exactly as it reads Greenhouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.errors import NotFoundError
from ats_reject.models import (
    ApplicationStatus,
    RejectionReasonKind,
    SourceKind,
    StageKind,
)
from ats_reject.testing import FakeRequest, FakeResponse, FakeServer
from ats_reject_greenhouse import PROMISED_DECISION_KEY, GreenhouseAdapter
from ats_reject_greenhouse._mapping import flatten_custom_fields, stage_kind
from ats_reject_greenhouse._places import parse_place

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


_FILTERS = {
    "applications": ("ids", "id"),
    "candidates": ("ids", "id"),
    "application_stages": ("application_ids", "application_id"),
    "job_interview_stages": ("job_ids", "job_id"),
    "jobs": ("ids", "id"),
    "offices": ("ids", "id"),
    "departments": ("ids", "id"),
    "users": ("ids", "id"),
    "sources": ("ids", "id"),
    "rejection_reasons": ("ids", "id"),
    "rejection_details": ("application_ids", "application_id"),
}


def _serve(resource: str) -> Any:
    param, field = _FILTERS[resource]
    rows = fixture_json(f"v3_{resource}.json")

    def handler(request: FakeRequest) -> FakeResponse:
        wanted = request.query_value(param)
        if wanted is None:
            return FakeResponse.json(rows)
        ids = {int(part) for part in wanted.split(",")}
        return FakeResponse.json([row for row in rows if row[field] in ids])

    return handler


@pytest.fixture
def fixture_server() -> Iterator[FakeServer]:
    with FakeServer(name="greenhouse-fixtures") as server:
        server.add_route(
            "POST", "/token", lambda r: FakeResponse.json(fixture_json("v3_token.json"))
        )
        for resource in _FILTERS:
            server.add_route("GET", f"/v3/{resource}", _serve(resource), name=resource)
        yield server


def _adapter(server: FakeServer, **extra: Any) -> GreenhouseAdapter:
    settings = {
        "client_id": "fixture-client",
        "client_secret": "REDACTED-fixture-secret",
        "base_url": f"{server.base_url}/v3",
        "token_url": f"{server.base_url}/token",
        "locale_field": "preferred_language",
        "decision_date_field": "decision_by",
        **extra,
    }
    clock = FrozenClock(datetime(2025, 3, 14, 9, 30, tzinfo=UTC))
    adapter = GreenhouseAdapter.from_mapping(settings, clock=clock)
    assert isinstance(adapter, GreenhouseAdapter)
    return adapter


def test_active_application_maps_every_part(fixture_server: FakeServer) -> None:
    adapter = _adapter(fixture_server)
    application = adapter.get_application("90000101")
    assert application.status is ApplicationStatus.ACTIVE
    assert application.applied_at == datetime(2025, 2, 3, 10, 15, tzinfo=UTC)
    candidate = application.candidate
    assert candidate.id == "80000201"
    # Personal address first: a rejection never goes to a current employer's mailbox first.
    assert candidate.emails == ("zoe.beispiel@example.test", "zoe.work@employer.example.test")
    assert candidate.display_first_name == "Zo"
    assert candidate.time_zone == "Europe/Berlin"
    assert candidate.locale == "de"
    assert candidate.location is not None
    assert (candidate.location.country, candidate.location.city) == ("DE", "Berlin")
    assert candidate.tags == ("Referral", "2025-grad")
    assert "current_employer_contact" not in candidate.custom_fields  # a user value: left out
    job = application.job
    assert job is not None
    assert (job.id, job.name, job.department) == ("70000301", "Platform Engineer", "Engineering")
    places = [(o.name, o.location.country if o.location else None) for o in job.offices]
    assert places == [("New York", "US"), ("Berlin", "DE")]
    stage = application.current_stage
    assert stage is not None
    assert (stage.id, stage.name, stage.position, stage.kind) == (
        "20000805",
        "Face to Face",
        4,
        StageKind.INTERVIEW,
    )
    assert application.had_interviews is True
    assert application.recruiter is not None
    assert application.recruiter.email == "robin.recruiter@example.test"
    assert application.coordinator is not None
    assert application.coordinator.name == "Kai Koordinator"
    assert application.source is not None
    assert application.source.kind is SourceKind.APPLIED
    assert application.rejection is None
    assert application.custom_fields["languages"] == "English, Deutsch"
    assert application.custom_fields["relocation"] is True
    assert "salary_expectation" not in application.custom_fields
    assert application.custom_fields[PROMISED_DECISION_KEY] == "2025-03-21"


def test_rejected_application_maps_reason_rejecter_and_last_stage(
    fixture_server: FakeServer,
) -> None:
    adapter = _adapter(fixture_server)
    application = adapter.get_application("90000102")
    assert application.status is ApplicationStatus.REJECTED
    rejection = application.rejection
    assert rejection is not None
    assert rejection.decided_at == datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    assert rejection.reason is not None
    assert (rejection.reason.id, rejection.reason.kind) == (
        "11000002",
        RejectionReasonKind.WE_REJECTED,
    )
    assert rejection.decided_by is not None
    assert rejection.decided_by.id == "50000501"
    # A closed application has no current stage row: the last one visited is where it ended.
    assert application.current_stage is not None
    assert application.current_stage.name == "Preliminary Phone Screen"
    assert application.current_stage.kind is StageKind.SCREEN
    assert application.had_interviews is False
    assert application.source is not None
    assert application.source.kind is SourceKind.REFERRAL


def test_stage_override_by_name_wins(fixture_server: FakeServer) -> None:
    adapter = _adapter(fixture_server, stage_kinds={"FACE TO FACE": "final"})
    stage = adapter.get_application("90000101").current_stage
    assert stage is not None
    assert stage.kind is StageKind.FINAL


def test_job_stages_in_plan_order_with_kinds(fixture_server: FakeServer) -> None:
    stages = _adapter(fixture_server).job_stages("70000301")
    assert [s.name for s in stages] == [
        "Inbox",
        "Preliminary Phone Screen",
        "Coding Exercise",
        "Phone Interview",
        "Face to Face",
        "Reference Check",
        "Offer",
    ]
    assert [s.kind for s in stages] == [
        StageKind.APPLICATION_REVIEW,  # first of the plan, whatever its name
        StageKind.SCREEN,
        StageKind.ASSESSMENT,
        StageKind.INTERVIEW,
        StageKind.INTERVIEW,
        StageKind.FINAL,
        StageKind.OFFER,
    ]
    assert [s.position for s in stages] == list(range(7))


def test_rejection_reasons_carry_their_kind(fixture_server: FakeServer) -> None:
    reasons = {r.name: r.kind for r in _adapter(fixture_server).rejection_reasons()}
    assert reasons == {
        "Accepted another offer": RejectionReasonKind.THEY_WITHDREW,
        "Lacking skill(s)/qualification(s)": RejectionReasonKind.WE_REJECTED,
        "Spam": RejectionReasonKind.OTHER,
    }


def test_unknown_application_is_not_found(fixture_server: FakeServer) -> None:
    with pytest.raises(NotFoundError) as caught:
        _adapter(fixture_server).get_application("123")
    assert caught.value.status == 404
    with pytest.raises(NotFoundError):
        _adapter(fixture_server).get_application("not-a-number")


@pytest.mark.parametrize(
    ("name", "position", "kind"),
    [
        ("Application Review", 0, StageKind.APPLICATION_REVIEW),
        ("Recruiter Phone Screen", 1, StageKind.SCREEN),
        ("Technical Screen", 2, StageKind.SCREEN),
        ("Take-Home Assignment", 2, StageKind.ASSESSMENT),
        ("Onsite Loop", 3, StageKind.INTERVIEW),
        ("Hiring Manager Interview", 3, StageKind.INTERVIEW),
        ("Final Interview", 4, StageKind.FINAL),
        ("Executive Review", 5, StageKind.FINAL),
        ("Offer", 6, StageKind.OFFER),
        ("Team Lunch", 3, StageKind.OTHER),
    ],
)
def test_stage_names_normalize(name: str, position: int, kind: StageKind) -> None:
    assert stage_kind(name, position) is kind


@pytest.mark.parametrize(
    ("text", "country", "region"),
    [
        ("455 Broadway New York, NY 10280", "US", "NY"),
        ("London, United Kingdom", "GB", None),
        ("Toronto, ON M5V 2T6", "CA", "ON"),
        ("Austin, Texas", "US", "TX"),
        ("São Paulo, SP, Brasil", "BR", None),
        ("Tokyo", None, None),
        ("123 Fake St.", None, None),
    ],
)
def test_free_text_places(text: str, country: str | None, region: str | None) -> None:
    place = parse_place(text)
    assert place is not None
    assert (place.country, place.region, place.text) == (country, region, text)


def test_custom_fields_keep_scalars_only() -> None:
    flat = flatten_custom_fields(
        {
            "a": {"name": "A", "type": "short_text", "value": "x"},
            "b": {"name": "B", "type": "multi_select", "value": ["p", "q"]},
            "c": {"name": "C", "type": "currency_range", "value": {"min_value": 1}},
            "d": {"name": "D", "type": "number", "value": 3},
            "e": "legacy scalar",
        }
    )
    assert flat == {"a": "x", "b": "p, q", "d": 3, "e": "legacy scalar"}
