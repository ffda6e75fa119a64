"""Lever's payloads as lenient vendor models (unknown fields are ignored).

Shapes follow the Lever Data API v1 reference (https://hire.lever.co/developer/documentation),
read through the Go client ``corbaltcode/lever-data-api-go`` whose ``model/*.go`` comments
quote it, and the payloads recorded in ``NangoHQ/integration-templates``
(``integrations/lever/mocks/*``). Every timestamp is an integer of milliseconds since the
epoch. Fields the adapter expands (``expand=stage``, ``expand=owner``,
``expand=applications``) arrive either as an id or as the expanded object, so those are
unions.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt, StringConstraints

from ats_reject.models import VendorModel

__all__ = [
    "Millis",
    "VendorApplication",
    "VendorArchiveReason",
    "VendorArchived",
    "VendorCategories",
    "VendorNote",
    "VendorOpportunity",
    "VendorPhone",
    "VendorPosting",
    "VendorStage",
    "VendorUser",
    "VendorWebhook",
]

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Millis = Annotated[StrictInt, Field(ge=0)]
"""Milliseconds since the Unix epoch, as Lever writes every time."""


class VendorStage(VendorModel):
    """A pipeline stage: ``{id, text}`` (``model/stage.go``; ``GET /stages``)."""

    id: NonEmpty
    text: str = ""


class VendorUser(VendorModel):
    """A Lever user, as ``expand=owner`` returns it (``model/user.go``)."""

    id: NonEmpty
    name: str | None = None
    email: str | None = None
    job_title: str | None = Field(default=None, alias="jobTitle")


class VendorArchived(VendorModel):
    """``archived`` of an opportunity: ``{archivedAt, reason}`` (``model/archived.go``)."""

    archived_at: Millis | None = Field(default=None, alias="archivedAt")
    reason: str | None = None


class VendorArchiveReason(VendorModel):
    """An archive reason: ``type`` is ``hired`` or ``non-hired`` (``model/archive_reason.go``)."""

    id: NonEmpty
    text: str = ""
    status: str = "active"
    type: str = "non-hired"


class VendorPhone(VendorModel):
    """A phone number of the contact: ``{type, value}`` (``model/phone.go``)."""

    type: str | None = None
    value: str | None = None


class VendorApplication(VendorModel):
    """An application, as ``expand=applications`` returns it (at most one per opportunity)."""

    id: NonEmpty
    posting: str | None = None
    type: str | None = None
    created_at: Millis | None = Field(default=None, alias="createdAt")


class VendorOpportunity(VendorModel):
    """An opportunity (one candidacy of one contact), ``model/opportunity.go``."""

    id: NonEmpty
    name: str | None = None
    contact: str | None = None
    stage: VendorStage | str | None = None
    location: str | None = None
    phones: list[VendorPhone] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    archived: VendorArchived | None = None
    tags: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    origin: str | None = None
    owner: VendorUser | str | None = None
    applications: list[VendorApplication | str] = Field(default_factory=list)
    confidentiality: str | None = None
    created_at: Millis | None = Field(default=None, alias="createdAt")
    updated_at: Millis | None = Field(default=None, alias="updatedAt")
    is_anonymized: bool = Field(default=False, alias="isAnonymized")

    @property
    def stage_id(self) -> str | None:
        """The current stage's id, expanded or not."""
        return self.stage.id if isinstance(self.stage, VendorStage) else self.stage

    @property
    def owner_id(self) -> str | None:
        """The owner's user id, expanded or not."""
        return self.owner.id if isinstance(self.owner, VendorUser) else self.owner


class VendorCategories(VendorModel):
    """``categories`` of a posting: team, department, location (``model/posting.go``)."""

    team: str | None = None
    department: str | None = None
    location: str | None = None
    commitment: str | None = None
    all_locations: list[str] = Field(default_factory=list, alias="allLocations")


class VendorPosting(VendorModel):
    """A job posting: ``text`` is the role (``model/posting.go``; ``GET /postings/:id``)."""

    id: NonEmpty
    text: str = ""
    state: str | None = None
    categories: VendorCategories = Field(default_factory=VendorCategories)
    country: str | None = None
    owner: str | None = None
    hiring_manager: str | None = Field(default=None, alias="hiringManager")


class VendorNote(VendorModel):
    """A note as ``GET /opportunities/:id/notes`` lists it (shape UNCONFIRMED beyond ``id``).

    NangoHQ's template maps ``{id, text, fields, user, secret, completedAt, createdAt,
    deletedAt}``; the body written as ``value`` is looked for in ``text`` and in every
    ``fields[].value``.
    """

    id: str | None = None
    text: str | None = None
    fields: list[dict[str, Any]] = Field(default_factory=list)
    user: str | None = None
    deleted_at: Millis | None = Field(default=None, alias="deletedAt")

    def holds(self, body: str) -> bool:
        """Whether this note carries *body* (not deleted)."""
        if self.deleted_at is not None:
            return False
        return self.text == body or any(field.get("value") == body for field in self.fields)


class VendorWebhook(VendorModel):
    """The envelope every Lever webhook POSTs: ``{triggeredAt, event, signature, token, data}``.

    ``data`` is empty for the test delivery Lever sends from the webhook settings.
    """

    triggered_at: Millis = Field(alias="triggeredAt")
    event: NonEmpty
    token: NonEmpty
    signature: NonEmpty
    data: dict[str, Any] | None = None
