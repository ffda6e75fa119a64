"""The Example ATS's payloads as vendor models, and their translation to canonical models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    EventKind,
    Job,
    Rejection,
    RejectionReason,
    Stage,
    StageKind,
    VendorModel,
)

__all__ = [
    "EVENT_KINDS",
    "PING_EVENT",
    "VendorApplication",
    "VendorReason",
    "VendorWebhook",
    "to_application",
]

PING_EVENT = "ping"
"""The event of the test delivery sent when a hook is saved."""

EVENT_KINDS: dict[str, EventKind] = {
    "application.created": EventKind.CREATED,
    "application.stage_changed": EventKind.STAGE_CHANGED,
    "application.rejected": EventKind.REJECTED,
    "application.unrejected": EventKind.UNREJECTED,
    "application.hired": EventKind.HIRED,
}
"""The Example ATS's webhook events the library uses; others are ignored."""

_STAGE_KINDS = {
    "application review": StageKind.APPLICATION_REVIEW,
    "phone screen": StageKind.SCREEN,
    "take-home": StageKind.ASSESSMENT,
    "interview": StageKind.INTERVIEW,
    "final interview": StageKind.FINAL,
    "offer": StageKind.OFFER,
}

_NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class VendorCandidate(VendorModel):
    """``candidate`` of an application."""

    id: _NonEmpty
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    phone: str | None = None


class VendorJob(VendorModel):
    """``job`` of an application."""

    id: _NonEmpty
    title: str


class VendorStage(VendorModel):
    """``stage`` of an application."""

    id: _NonEmpty
    name: str
    position: int | None = Field(default=None, ge=0)


class VendorRejection(VendorModel):
    """``rejection`` of a rejected application."""

    reason_id: str | None = None
    reason_name: str | None = None
    rejected_at: AwareDatetime


class VendorApplication(VendorModel):
    """An application as the Example ATS sends it."""

    id: _NonEmpty
    status: Literal["active", "rejected", "hired"]
    candidate: VendorCandidate
    job: VendorJob | None = None
    stage: VendorStage | None = None
    rejection: VendorRejection | None = None
    applied_at: AwareDatetime | None = None
    updated_at: AwareDatetime


class VendorReason(VendorModel):
    """A rejection reason."""

    id: _NonEmpty
    name: str
    type: str = "other"


class VendorWebhook(VendorModel):
    """A webhook delivery's body."""

    delivery_id: _NonEmpty
    event: _NonEmpty
    occurred_at: AwareDatetime
    application_id: str | None = None
    candidate_id: str | None = None


def to_application(vendor: VendorApplication) -> Application:
    """Translate the vendor's application into the canonical model."""
    rejection = None
    if vendor.rejection is not None:
        reason = None
        if vendor.rejection.reason_id:
            reason = RejectionReason(
                id=vendor.rejection.reason_id, name=vendor.rejection.reason_name or ""
            )
        rejection = Rejection(decided_at=vendor.rejection.rejected_at, reason=reason)
    stage = None
    if vendor.stage is not None:
        stage = Stage(
            id=vendor.stage.id,
            name=vendor.stage.name,
            position=vendor.stage.position,
            kind=_STAGE_KINDS.get(vendor.stage.name.lower(), StageKind.OTHER),
        )
    return Application(
        id=vendor.id,
        status=ApplicationStatus(vendor.status),
        candidate=Candidate(
            id=vendor.candidate.id,
            first_name=vendor.candidate.first_name,
            last_name=vendor.candidate.last_name,
            emails=vendor.candidate.emails,
            phone=vendor.candidate.phone,
        ),
        job=Job(id=vendor.job.id, name=vendor.job.title) if vendor.job else None,
        current_stage=stage,
        rejection=rejection,
        applied_at=vendor.applied_at,
        last_activity_at=vendor.updated_at,
    )
