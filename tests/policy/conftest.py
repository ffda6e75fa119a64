"""Builders for policy tests: applications as an ATS would hold them, and engines from TOML-like
settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from ats_reject.adapter import Capability
from ats_reject.clock import FrozenClock
from ats_reject.config import CompanySettings
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    Location,
    Office,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Source,
    SourceKind,
    Stage,
    StageKind,
    User,
)
from ats_reject.policy import PolicyEngine, PolicySettings

# Tuesday 2026-03-03 10:00 UTC = 11:00 in Berlin.
DECIDED = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
# The clock stands before every decision unless a test moves it.
NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)

ApplicationFactory = Callable[..., Application]
EngineFactory = Callable[..., PolicyEngine]


def build_application(
    application_id: str = "app-1",
    *,
    candidate_id: str = "cand-1",
    status: ApplicationStatus = ApplicationStatus.REJECTED,
    stage: StageKind | None = StageKind.SCREEN,
    stage_name: str = "Recruiter Screen",
    position: int | None = 1,
    reason_kind: RejectionReasonKind | None = RejectionReasonKind.WE_REJECTED,
    reason_name: str = "Experience",
    reason_id: str = "reason-exp",
    decided_at: datetime = DECIDED,
    job: str | None = "Backend Engineer",
    job_id: str = "job-1",
    department: str | None = "Engineering",
    offices: Iterable[Office] = (),
    source: SourceKind | None = SourceKind.APPLIED,
    source_name: str | None = "Careers page",
    tags: tuple[str, ...] = (),
    internal: bool = False,
    had_interviews: bool | None = None,
    time_zone: str | None = "Europe/Berlin",
    location: Location | None = None,
    applied_at: datetime | None = None,
    recruiter_id: str | None = "recruiter-1",
    is_prospect: bool = False,
) -> Application:
    """An application with sensible defaults; a rejection only when the status is rejected."""
    rejection = None
    if status is ApplicationStatus.REJECTED:
        reason = (
            RejectionReason(id=reason_id, name=reason_name, kind=reason_kind)
            if reason_kind is not None
            else None
        )
        rejection = Rejection(decided_at=decided_at, reason=reason)
    return Application(
        id=application_id,
        candidate=Candidate(
            id=candidate_id,
            first_name="Robin",
            last_name="Example",
            emails=("robin.example@mail.example",),
            time_zone=time_zone,
            location=location,
            tags=tags,
            is_internal=internal,
        ),
        status=status,
        job=Job(id=job_id, name=job, department=department, offices=tuple(offices))
        if job is not None
        else None,
        current_stage=Stage(id=f"stage-{stage}", name=stage_name, position=position, kind=stage)
        if stage is not None
        else None,
        rejection=rejection,
        source=Source(kind=source, name=source_name) if source is not None else None,
        recruiter=User(id=recruiter_id, name="Kim Recruiter") if recruiter_id else None,
        applied_at=applied_at,
        had_interviews=had_interviews,
        is_prospect=is_prospect,
    )


def build_engine(
    *,
    rules: Iterable[Mapping[str, Any]] = (),
    policy: Mapping[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
    capabilities: Mapping[str, Iterable[Capability]] | None = None,
    now: datetime = NOW,
) -> PolicyEngine:
    """An engine from settings written as they are in ats-reject.toml."""
    settings = PolicySettings.model_validate({**(policy or {}), "rules": list(rules)})
    company_settings = CompanySettings.model_validate(
        {"name": "Acme", "time_zone": "Europe/Berlin", **(company or {})}
    )
    return PolicyEngine(
        settings,
        company_settings,
        capabilities_by_connection=capabilities
        if capabilities is not None
        else {"main": {Capability.WEBHOOKS}},
        clock=FrozenClock(now),
    )


@pytest.fixture
def make_application() -> ApplicationFactory:
    return build_application


@pytest.fixture
def make_engine() -> EngineFactory:
    return build_engine
