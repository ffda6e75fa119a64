"""Builders for follow-up tests: applications as an ATS holds them, planners from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.config import CompanySettings, FollowUpSettings
from ats_reject.followups import FollowUpPlanner
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    JsonScalar,
    Location,
    Office,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Stage,
    StageKind,
    User,
)
from ats_reject.policy import PolicyEngine, PolicySettings

# Tuesday 2026-03-03 10:00 UTC = 11:00 in Berlin.
DECIDED = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
BASE_URL = "https://jobs.example.com/preferences"

ApplicationFactory = Callable[..., Application]
PlannerFactory = Callable[..., FollowUpPlanner]


def utc(text: str) -> datetime:
    """An aware UTC time from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def build_application(
    application_id: str = "app-1",
    *,
    status: ApplicationStatus = ApplicationStatus.REJECTED,
    stage: StageKind = StageKind.SCREEN,
    reason_kind: RejectionReasonKind = RejectionReasonKind.WE_REJECTED,
    decided_at: datetime = DECIDED,
    time_zone: str | None = "Europe/Berlin",
    location: Location | None = None,
    office: str | None = None,
    tags: tuple[str, ...] = (),
    custom_fields: Mapping[str, JsonScalar] | None = None,
    candidate_fields: Mapping[str, JsonScalar] | None = None,
    applied_at: datetime | None = None,
    had_interviews: bool | None = None,
) -> Application:
    """An application; a rejection only when the status is rejected."""
    rejection = (
        Rejection(
            decided_at=decided_at,
            reason=RejectionReason(id="reason-1", name="Experience", kind=reason_kind),
        )
        if status is ApplicationStatus.REJECTED
        else None
    )
    offices = (Office(id=f"office-{office}", name=office),) if office else ()
    return Application(
        id=application_id,
        candidate=Candidate(
            id="cand-1",
            first_name="Robin",
            emails=("robin@mail.example",),
            time_zone=time_zone,
            location=location,
            tags=tags,
            custom_fields=dict(candidate_fields or {}),
        ),
        status=status,
        job=Job(id="job-1", name="Backend Engineer", offices=offices),
        current_stage=Stage(id=f"stage-{stage}", name=str(stage), position=1, kind=stage),
        rejection=rejection,
        recruiter=User(id="recruiter-1", name="Kim Recruiter"),
        applied_at=applied_at,
        had_interviews=had_interviews,
        custom_fields=dict(custom_fields or {}),
    )


def build_planner(
    *,
    followups: Mapping[str, Any] | None = None,
    policy: Mapping[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
    rules: list[Mapping[str, Any]] | None = None,
    now: datetime = NOW,
    consent_base_url: str | None = BASE_URL,
) -> FollowUpPlanner:
    """A planner (and its policy engine) from settings written as in ats-reject.toml."""
    clock = FrozenClock(now)
    engine = PolicyEngine(
        PolicySettings.model_validate({**(policy or {}), "rules": rules or []}),
        CompanySettings.model_validate(
            {"name": "Acme", "time_zone": "Europe/Berlin", **(company or {})}
        ),
        capabilities_by_connection={"main": set()},
        clock=clock,
    )
    return FollowUpPlanner(
        engine,
        FollowUpSettings.model_validate(followups or {}),
        consent_base_url=consent_base_url,
        clock=clock,
    )


@pytest.fixture
def make_application() -> ApplicationFactory:
    return build_application


@pytest.fixture
def make_planner() -> PlannerFactory:
    return build_planner
