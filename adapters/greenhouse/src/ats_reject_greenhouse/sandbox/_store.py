"""The sandbox's data: Greenhouse records as plain objects, and their Harvest v3 JSON shapes.

Shapes follow the v3 reference pages (https://harvestdocs.greenhouse.io/reference, as
inventoried in sam-vangelos/greenhouse-mcp ``v3-endpoint-inventory.md``): flat objects that
carry their parents' ids. Times are aware UTC datetimes, written as ISO 8601 with ``Z``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ats_reject_greenhouse.sandbox._reference import (
    SbDepartment,
    SbJob,
    SbOffice,
    SbReason,
    SbSource,
    SbStage,
    SbUser,
)

__all__ = [
    "SbApplication",
    "SbCandidate",
    "SbNote",
    "SbRejection",
    "SbScheduledEmail",
    "SbStageVisit",
    "Store",
    "iso",
]

CustomFields = dict[str, dict[str, Any]]

_LIST_VISIBILITY = {
    "admin_only": "admin_only_visible",
    "private": "privately_visible",
    "public": "publicly_visible",
}


def iso(moment: datetime | None) -> str | None:
    """``2025-03-14T09:30:00.000Z``, or ``None``."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class SbCandidate:
    """A person; every contact field is a list of ``{value, type}``."""

    id: int
    first_name: str
    last_name: str
    created_at: datetime
    updated_at: datetime
    preferred_name: str | None = None
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    custom_fields: CustomFields = field(default_factory=dict)

    def v3(self) -> dict[str, Any]:
        """``GET /v3/candidates`` item."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "preferred_name": self.preferred_name,
            "company": None,
            "title": None,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "last_activity_at": iso(self.updated_at),
            "private": False,
            "can_email": True,
            "tags": list(self.tags),
            "linked_user_ids": [],
            "email_addresses": [{"value": v, "type": t} for v, t in self.emails],
            "phone_numbers": [{"value": v, "type": t} for v, t in self.phones],
            "addresses": [{"value": v, "type": t} for v, t in self.addresses],
            "website_addresses": [],
            "social_media_addresses": [],
            "custom_fields": dict(self.custom_fields),
        }


@dataclass(slots=True)
class SbStageVisit:
    """One visit of an application to a stage (``application_stages``)."""

    id: int
    application_id: int
    job_interview_stage_id: int
    entered_at: datetime
    exited_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def current(self) -> bool:
        """The open visit is the current stage."""
        return self.exited_at is None

    def v3(self, now: datetime) -> dict[str, Any]:
        """``GET /v3/application_stages`` item."""
        end = self.exited_at or now
        return {
            "id": self.id,
            "application_id": self.application_id,
            "job_interview_stage_id": self.job_interview_stage_id,
            "entered_at": iso(self.entered_at),
            "exited_at": iso(self.exited_at),
            "days_in_stage": (end - self.entered_at).days,
            "current": self.current,
            "created_at": iso(self.entered_at),
            "updated_at": iso(self.updated_at or self.entered_at),
        }


@dataclass(slots=True)
class SbApplication:
    """An application; ``status`` is ``in_process``, ``rejected``, ``hired`` or ``converted``."""

    id: int
    candidate_id: int
    job_id: int
    created_at: datetime
    updated_at: datetime
    status: str = "in_process"
    prospect: bool = False
    last_activity_at: datetime | None = None
    rejected_at: datetime | None = None
    recruiter_id: int | None = None
    coordinator_id: int | None = None
    source_id: int | None = None
    referrer_id: int | None = None
    location_address: str | None = None
    custom_fields: CustomFields = field(default_factory=dict)
    visits: list[SbStageVisit] = field(default_factory=list)

    def current_visit(self) -> SbStageVisit | None:
        """The open stage visit, if the application is in a stage."""
        return next((visit for visit in reversed(self.visits) if visit.current), None)

    def v3(self, stage_names: dict[int, str]) -> dict[str, Any]:
        """``GET /v3/applications`` item; ``stage_id`` is the open visit's id."""
        visit = self.current_visit()
        return {
            "id": self.id,
            "candidate_id": self.candidate_id,
            "job_id": self.job_id,
            "job_post_id": None,
            "status": self.status,
            "prospect": self.prospect,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "last_activity_at": iso(self.last_activity_at or self.updated_at),
            "rejected_at": iso(self.rejected_at),
            "recruiter_id": self.recruiter_id,
            "coordinator_id": self.coordinator_id,
            "source_id": self.source_id,
            "referrer_id": self.referrer_id,
            "stage_id": visit.id if visit else None,
            "stage_name": stage_names.get(visit.job_interview_stage_id) if visit else None,
            "needs_decision": False,
            "location_address": self.location_address,
            "answers": [],
            "prospective_job_ids": [],
            "custom_fields": dict(self.custom_fields),
            "agency_note_id": None,
        }


@dataclass
class SbRejection:
    """The rejection details of a rejected application."""

    id: int
    application_id: int
    rejected_at: datetime
    rejection_reason_id: int | None
    rejected_by_id: int | None = None
    rejection_note_id: int | None = None

    def v3(self) -> dict[str, Any]:
        """``GET /v3/rejection_details`` item."""
        return {
            "id": self.id,
            "application_id": self.application_id,
            "rejected_by_id": self.rejected_by_id,
            "rejection_reason_id": self.rejection_reason_id,
            "rejection_note_id": self.rejection_note_id,
            "rejected_at": iso(self.rejected_at),
            "question_custom_fields": {},
            "created_at": iso(self.rejected_at),
            "updated_at": iso(self.rejected_at),
        }


@dataclass
class SbNote:
    """A note on a candidate's profile."""

    id: int
    application_id: int | None
    candidate_id: int
    body: str
    user_id: int | None
    visibility: str
    note_type: str
    created_at: datetime

    def v3(self) -> dict[str, Any]:
        """``GET /v3/notes`` item (list visibility values end in ``_visible``)."""
        return {
            "id": self.id,
            "application_id": self.application_id,
            "candidate_id": self.candidate_id,
            "body": self.body,
            "subject": None,
            "type": self.note_type,
            "user_id": self.user_id,
            "visibility": _LIST_VISIBILITY.get(self.visibility, self.visibility),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class SbScheduledEmail:
    """A rejection e-mail Greenhouse was asked to send (kept for tests to read)."""

    application_id: int
    template_id: int
    send_at: datetime | None
    from_user_id: int | None


@dataclass
class Store:
    """Everything the fake Greenhouse holds, by id."""

    offices: dict[int, SbOffice] = field(default_factory=dict)
    departments: dict[int, SbDepartment] = field(default_factory=dict)
    jobs: dict[int, SbJob] = field(default_factory=dict)
    users: dict[int, SbUser] = field(default_factory=dict)
    candidates: dict[int, SbCandidate] = field(default_factory=dict)
    applications: dict[int, SbApplication] = field(default_factory=dict)
    rejections: dict[int, SbRejection] = field(default_factory=dict)
    """Rejection details by application id."""
    reasons: dict[int, SbReason] = field(default_factory=dict)
    sources: dict[int, SbSource] = field(default_factory=dict)
    notes: dict[int, SbNote] = field(default_factory=dict)
    email_templates: set[int] = field(default_factory=set)
    emails: list[SbScheduledEmail] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(4_000_001))

    def next_id(self) -> int:
        """A fresh id (Greenhouse ids are integers that only grow)."""
        return next(self.ids)

    def stage(self, stage_id: int) -> SbStage | None:
        """A stage by id, across every job."""
        for job in self.jobs.values():
            for stage in job.stages:
                if stage.id == stage_id:
                    return stage
        return None

    def stage_names(self, job_id: int) -> dict[int, str]:
        """Stage id to name for one job."""
        job = self.jobs.get(job_id)
        return {stage.id: stage.name for stage in job.stages} if job else {}
