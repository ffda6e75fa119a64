"""Canonical models: what every adapter turns its vendor's payloads into.

Two families live here:

* **Our own models** (:class:`Candidate`, :class:`Application`, :class:`ApplicationEvent` ...)
  derive from :class:`CanonicalModel`: strict (no silent coercion: give tuples, enums and aware
  datetimes), frozen, unknown fields forbidden. Fields that hold personal data are left out of
  ``repr``, and validation errors never echo the input, so neither can leak into a log.
* **Vendor payloads** are parsed by adapters with models derived from :class:`VendorModel`:
  lenient (unknown fields ignored, as vendors add fields without notice), also hiding input
  in errors.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Candidate",
    "CanonicalModel",
    "EventKind",
    "EventSource",
    "Job",
    "JsonScalar",
    "Location",
    "Office",
    "Rejection",
    "RejectionReason",
    "RejectionReasonKind",
    "Source",
    "SourceKind",
    "Stage",
    "StageKind",
    "User",
    "VendorModel",
    "WebhookDelivery",
]

JsonScalar = str | int | float | bool | None
"""A custom-field value as vendors send it."""


def _valid_time_zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not an IANA time zone name") from exc
    return name


def _country_code(code: str | None) -> str | None:
    if code is None:
        return None
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError("expected an ISO 3166-1 alpha-2 country code")
    return code.upper()


def _nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


TimeZoneName = Annotated[str | None, AfterValidator(_valid_time_zone)]
CountryCode = Annotated[str | None, AfterValidator(_country_code)]
Identifier = Annotated[str, AfterValidator(_nonempty)]


class CanonicalModel(BaseModel):
    """Base of the library's own models: strict, frozen, no unknown fields, no input echo."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        use_attribute_docstrings=True,
    )


class VendorModel(BaseModel):
    """Base for adapters' models of vendor payloads: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, populate_by_name=True)


class StageKind(StrEnum):
    """How far a candidate got, whatever the ATS calls the stage."""

    APPLICATION_REVIEW = "application_review"
    SCREEN = "screen"
    ASSESSMENT = "assessment"
    INTERVIEW = "interview"
    FINAL = "final"
    OFFER = "offer"
    OTHER = "other"


class ApplicationStatus(StrEnum):
    """Where an application stands in the ATS."""

    ACTIVE = "active"
    REJECTED = "rejected"
    HIRED = "hired"


class RejectionReasonKind(StrEnum):
    """Who ended the application: the company, or the candidate."""

    WE_REJECTED = "we_rejected"
    THEY_WITHDREW = "they_withdrew"
    OTHER = "other"


class SourceKind(StrEnum):
    """Where the application came from, as far as policy cares."""

    APPLIED = "applied"
    REFERRAL = "referral"
    AGENCY = "agency"
    INTERNAL = "internal"
    SOURCED = "sourced"
    OTHER = "other"


class EventKind(StrEnum):
    """What happened to an application."""

    CREATED = "created"
    STAGE_CHANGED = "stage_changed"
    REJECTED = "rejected"
    UNREJECTED = "unrejected"
    HIRED = "hired"
    UNHIRED = "unhired"
    DELETED = "deleted"
    MERGED = "merged"
    ANONYMIZED = "anonymized"
    UPDATED = "updated"


class EventSource(StrEnum):
    """How the library learned of an event."""

    WEBHOOK = "webhook"
    SYNC = "sync"


class Location(CanonicalModel):
    """A place as the ATS describes it; any part may be unknown."""

    city: str | None = Field(default=None, repr=False)
    region: str | None = Field(default=None, repr=False)
    """State, province or other subdivision, as written by the ATS."""
    country: CountryCode = None
    """ISO 3166-1 alpha-2 code, upper case."""
    text: str | None = Field(default=None, repr=False)
    """The free-text location as the ATS holds it."""


class Office(CanonicalModel):
    """An office a job belongs to."""

    id: Identifier
    name: str
    location: Location | None = None


class Job(CanonicalModel):
    """The role an application is for."""

    id: Identifier
    name: str
    department: str | None = None
    offices: tuple[Office, ...] = ()
    location: Location | None = None


class Stage(CanonicalModel):
    """A stage of a job's interview plan."""

    id: Identifier
    name: str
    position: int | None = Field(default=None, ge=0)
    """Zero-based position in the job's plan, when the ATS says."""
    kind: StageKind = StageKind.OTHER
    """The normalized kind, mapped by the adapter (and overridable in configuration)."""


class RejectionReason(CanonicalModel):
    """A reason an application was ended."""

    id: Identifier
    name: str
    kind: RejectionReasonKind = RejectionReasonKind.OTHER


class User(CanonicalModel):
    """A person using the ATS: a recruiter or coordinator who signs messages."""

    id: Identifier
    name: str | None = Field(default=None, repr=False)
    first_name: str | None = Field(default=None, repr=False)
    last_name: str | None = Field(default=None, repr=False)
    email: str | None = Field(default=None, repr=False)
    title: str | None = Field(default=None, repr=False)


class Candidate(CanonicalModel):
    """A person who applied. Every personal field is hidden from ``repr``."""

    id: Identifier
    first_name: str | None = Field(default=None, repr=False)
    last_name: str | None = Field(default=None, repr=False)
    preferred_name: str | None = Field(default=None, repr=False)
    emails: tuple[str, ...] = Field(default=(), repr=False)
    """Addresses, the one to write to first."""
    phone: str | None = Field(default=None, repr=False)
    locale: str | None = Field(default=None, repr=False)
    """BCP 47 language tag (``en``, ``de-AT``) when the ATS knows it."""
    time_zone: TimeZoneName = Field(default=None, repr=False)
    """IANA zone name when the ATS holds one (hidden from ``repr``: it locates the person)."""
    location: Location | None = Field(default=None, repr=False)
    tags: tuple[str, ...] = Field(default=(), repr=False)
    is_internal: bool = False
    """The candidate is an employee of the company."""
    custom_fields: dict[str, JsonScalar] = Field(default_factory=dict, repr=False)

    @property
    def primary_email(self) -> str | None:
        """The address to write to, if any."""
        return self.emails[0] if self.emails else None

    @property
    def display_first_name(self) -> str | None:
        """The name to greet the candidate with: preferred name, else first name."""
        return self.preferred_name or self.first_name


class Source(CanonicalModel):
    """Where an application came from."""

    kind: SourceKind = SourceKind.OTHER
    name: str | None = None
    """The ATS's name for the source (``LinkedIn``, an agency's name)."""


class Rejection(CanonicalModel):
    """The rejection in place on an application."""

    decided_at: AwareDatetime
    """When the person made the decision in the ATS."""
    reason: RejectionReason | None = None
    decided_by: User | None = None
    note: str | None = Field(default=None, repr=False)


class Application(CanonicalModel):
    """One application of one candidate to one job, as the ATS holds it now."""

    id: Identifier
    candidate: Candidate
    status: ApplicationStatus
    job: Job | None = None
    current_stage: Stage | None = None
    rejection: Rejection | None = None
    source: Source | None = None
    recruiter: User | None = None
    coordinator: User | None = None
    applied_at: AwareDatetime | None = None
    last_activity_at: AwareDatetime | None = None
    had_interviews: bool | None = None
    """Whether any interview took place; ``None`` when the ATS cannot tell."""
    is_prospect: bool = False
    custom_fields: dict[str, JsonScalar] = Field(default_factory=dict, repr=False)

    @property
    def candidate_id(self) -> str:
        """The id of the candidate (the person) behind this application."""
        return self.candidate.id

    @property
    def is_rejected(self) -> bool:
        """Whether the ATS holds this application as rejected."""
        return self.status is ApplicationStatus.REJECTED


class ApplicationEvent(CanonicalModel):
    """Something that happened to an application, from a webhook or a sync.

    Events are hints: before acting, the engine reads the application's current state.
    """

    kind: EventKind
    application_id: Identifier | None = None
    """``None`` for events about a whole candidate (a deleted or merged person)."""
    candidate_id: str | None = None
    occurred_at: AwareDatetime
    source: EventSource
    application: Application | None = None
    """The application as the source described it, if it sent one."""
    related_candidate_id: str | None = None
    """For ``merged``: the candidate the others were merged into."""
    vendor_action: str | None = None
    """The vendor's own name for what happened (``reject_candidate``), for explanations."""


class WebhookDelivery(CanonicalModel):
    """One verified webhook request, normalized."""

    delivery_id: Identifier
    """The vendor's id for this delivery, the same across its retries (the dedupe key)."""
    events: tuple[ApplicationEvent, ...] = ()
    """Normalized events; empty for pings and for actions the library ignores."""
    vendor_action: str | None = None
    is_ping: bool = False
    """The vendor's test delivery sent when a hook is saved."""

    @property
    def occurred_at(self) -> datetime | None:
        """The time of the first event, if any."""
        return self.events[0].occurred_at if self.events else None
