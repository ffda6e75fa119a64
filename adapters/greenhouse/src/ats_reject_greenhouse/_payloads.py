"""Greenhouse's payloads as lenient vendor models: Harvest v3 objects and webhook bodies.

Harvest v3 shapes follow the reference pages at https://harvestdocs.greenhouse.io/reference
(``get_v3-applications``, ``get_v3-candidates``, ``get_v3-application-stages``,
``get_v3-job-interview-stages``, ``get_v3-jobs``, ``get_v3-users``, ``get_v3-rejection-details``,
``get_v3-rejection-reasons``, ``get_v3-sources``, ``get_v3-offices``, ``get_v3-notes``), as
inventoried field by field in sam-vangelos/greenhouse-mcp
``packages/recruiter-mcp/docs/job-scope-resolution/v3-endpoint-inventory.md``. v3 objects are
flat: children carry their parent's id and are listed through their own endpoint.

Webhook bodies follow ``grnhse/greenhouse-api-docs`` ``source/includes/webhooks/`` (the
webhook payloads kept the nested v1 shapes: ``application.candidate``, ``jobs[]``,
``current_stage``, ``rejection_reason``).
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from ats_reject.models import VendorModel

__all__ = [
    "Contact",
    "HookApplication",
    "HookCandidate",
    "HookDeletedApplication",
    "HookEnvelope",
    "HookJob",
    "HookReason",
    "NamedOffice",
    "HookPerson",
    "NamedRef",
    "V3Application",
    "V3ApplicationStage",
    "V3Candidate",
    "V3Department",
    "V3Job",
    "V3JobInterviewStage",
    "V3Note",
    "V3Office",
    "V3RejectionDetail",
    "V3RejectionReason",
    "V3Source",
    "V3User",
]


class Contact(VendorModel):
    """One entry of ``email_addresses``, ``phone_numbers`` or ``addresses``: ``{value, type}``."""

    value: str | None = None
    type: str | None = None


class NamedRef(VendorModel):
    """A nested ``{id, name}`` (also ``{id, key, name}`` for rejection-reason types)."""

    id: int | None = None
    name: str | None = None
    key: str | None = None
    public_name: str | None = None
    email: str | None = None


# --- Harvest v3 ------------------------------------------------------------------------------


class V3Application(VendorModel):
    """``GET /v3/applications`` item.

    ``status`` is ``in_process``, ``rejected``, ``hired`` or ``converted`` in responses (the
    query filter says ``active`` for ``in_process``).
    """

    id: int
    candidate_id: int | None = None
    job_id: int | None = None
    status: str | None = None
    stage_id: int | None = None
    """The current ``application_stages`` row (not a ``job_interview_stages`` id)."""
    stage_name: str | None = None
    prospect: bool = False
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    last_activity_at: AwareDatetime | None = None
    rejected_at: AwareDatetime | None = None
    recruiter_id: int | None = None
    coordinator_id: int | None = None
    source_id: int | None = None
    referrer_id: int | None = None
    location_address: str | None = None
    custom_fields: dict[str, Any] | None = None


class V3Candidate(VendorModel):
    """``GET /v3/candidates`` item (the person; the only place contact data lives)."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    email_addresses: list[Contact] = Field(default_factory=list)
    phone_numbers: list[Contact] = Field(default_factory=list)
    addresses: list[Contact] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] | None = None
    private: bool | None = None
    can_email: bool | None = None


class V3ApplicationStage(VendorModel):
    """``GET /v3/application_stages`` item: one visit of an application to a stage."""

    id: int
    application_id: int
    job_interview_stage_id: int | None = None
    entered_at: AwareDatetime | None = None
    exited_at: AwareDatetime | None = None
    current: bool = False


class V3JobInterviewStage(VendorModel):
    """``GET /v3/job_interview_stages`` item: a stage of a job's plan (``sort_order`` from 0)."""

    id: int
    job_id: int | None = None
    name: str
    sort_order: int | None = None
    active: bool | None = None


class V3Job(VendorModel):
    """``GET /v3/jobs`` item (``department_id`` and ``office_ids`` are flat in v3)."""

    id: int
    name: str
    department_id: int | None = None
    office_ids: list[int] | None = None
    status: str | None = None


class V3Office(VendorModel):
    """``GET /v3/offices`` item; ``location`` is free text."""

    id: int
    name: str
    location: str | None = None


class V3Department(VendorModel):
    """``GET /v3/departments`` item."""

    id: int
    name: str


class V3User(VendorModel):
    """``GET /v3/users`` item."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    primary_email: str | None = None
    job_title: str | None = None
    deactivated: bool | None = None


class V3RejectionDetail(VendorModel):
    """``GET /v3/rejection_details`` item: one per rejected application."""

    id: int
    application_id: int
    rejected_by_id: int | None = None
    rejection_reason_id: int | None = None
    rejection_note_id: int | None = None
    rejected_at: AwareDatetime | None = None


class V3RejectionReason(VendorModel):
    """``GET /v3/rejection_reasons`` item.

    ``type.key`` is ``WE_REJECTED_THEM``, ``THEY_REJECTED_US``, ``NONE_SPECIFIED`` or
    ``SECURITY_CONCERN``.
    """

    id: int
    name: str
    type: NamedRef | None = None


class V3Source(VendorModel):
    """``GET /v3/sources`` item; ``type.name`` is the sourcing strategy (``Referral`` ...)."""

    id: int
    name: str | None = None
    type: NamedRef | None = None


class V3Note(VendorModel):
    """``GET /v3/notes`` item (only what the read-back of a lost write needs)."""

    id: int
    application_id: int | None = None
    candidate_id: int | None = None
    body: str | None = None
    user_id: int | None = None


# --- webhooks --------------------------------------------------------------------------------


class HookEnvelope(VendorModel):
    """Every webhook body: ``{"action": "...", "payload": {...}}``."""

    action: str = Field(min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict)


class NamedOffice(VendorModel):
    """``jobs[].offices[]`` of a webhook; ``location`` is free text."""

    id: int
    name: str | None = None
    location: str | None = None


class HookJob(VendorModel):
    """``application.jobs[]`` of a webhook."""

    id: int
    name: str | None = None
    departments: list[NamedRef] = Field(default_factory=list)
    offices: list[NamedOffice] = Field(default_factory=list)


class HookCandidate(VendorModel):
    """``application.candidate`` of a webhook."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    email_addresses: list[Contact] = Field(default_factory=list)
    phone_numbers: list[Contact] = Field(default_factory=list)
    addresses: list[Contact] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] | None = None
    recruiter: NamedRef | None = None
    coordinator: NamedRef | None = None


class HookReason(VendorModel):
    """``application.rejection_reason`` of a webhook: ``{id, name, type: {id, name}}``."""

    id: int | None = None
    name: str | None = None
    type: NamedRef | None = None


class HookApplication(VendorModel):
    """``payload.application`` of the application and candidate webhooks (v1 shapes)."""

    id: int
    status: str | None = None
    prospect: bool = False
    applied_at: AwareDatetime | None = None
    rejected_at: AwareDatetime | None = None
    last_activity_at: AwareDatetime | None = None
    source: NamedRef | None = None
    rejection_reason: HookReason | None = None
    current_stage: NamedRef | None = None
    candidate: HookCandidate | None = None
    jobs: list[HookJob] = Field(default_factory=list)
    custom_fields: dict[str, Any] | None = None


class HookDeletedApplication(VendorModel):
    """``payload.application`` of ``delete_application`` (a flat shape)."""

    id: int
    candidate_id: int | None = None
    rejected_at: AwareDatetime | None = None


class HookPerson(VendorModel):
    """``payload.person`` of ``delete_candidate`` and ``merge_candidate``."""

    id: int
    new_candidate_id: int | None = None
    deleted_application_ids: list[int] = Field(default_factory=list)
