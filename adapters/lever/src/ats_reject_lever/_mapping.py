"""Lever's opportunities, stages and archive reasons, turned into the canonical models.

What Lever calls an *opportunity* (one candidacy of one *contact*) is an
:class:`~ats_reject.models.Application`; the contact is the
:class:`~ats_reject.models.Candidate`. Lever has no rejected state of its own: an opportunity
is *archived* with a reason, and the reason's ``type`` says whether the candidate was hired
(``hired``) or not (``non-hired``). So an archived opportunity is HIRED or REJECTED according
to its reason, never by guess: a reason this module cannot find raises
:class:`UnknownArchiveReasonError` instead of being taken for a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    Location,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Source,
    SourceKind,
    Stage,
    StageKind,
    User,
)
from ats_reject_lever._payloads import (
    VendorApplication,
    VendorArchiveReason,
    VendorOpportunity,
    VendorPosting,
    VendorStage,
    VendorUser,
)

__all__ = [
    "HIRED_TYPE",
    "NON_HIRED_TYPE",
    "Lookups",
    "UnknownArchiveReasonError",
    "default_reason_kind",
    "default_stage_kind",
    "from_millis",
    "reason_kind",
    "stage_kind",
    "to_application",
    "to_millis",
    "to_rejection_reason",
]

HIRED_TYPE = "hired"
"""The archive-reason type that means the candidate was hired."""
NON_HIRED_TYPE = "non-hired"
"""The archive-reason type of every rejection and withdrawal."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MILLISECOND = timedelta(milliseconds=1)

# https://hire.lever.co/developer/documentation#opportunities: origin is one of agency,
# applied, internal, referred, sourced, university.
_ORIGINS: dict[str, SourceKind] = {
    "applied": SourceKind.APPLIED,
    "referred": SourceKind.REFERRAL,
    "agency": SourceKind.AGENCY,
    "internal": SourceKind.INTERNAL,
    "sourced": SourceKind.SOURCED,
    "university": SourceKind.OTHER,
}

# Lever's built-in stages keep readable ids in every account (``lead-new`` is seen in
# NangoHQ's recorded opportunity); the others are UUIDs and are matched by name below.
_BUILT_IN_STAGES: dict[str, StageKind] = {
    "lead-new": StageKind.APPLICATION_REVIEW,
    "lead-reached-out": StageKind.APPLICATION_REVIEW,
    "lead-responded": StageKind.APPLICATION_REVIEW,
    "applicant-new": StageKind.APPLICATION_REVIEW,
    "offer": StageKind.OFFER,
}

_ASSESS = StageKind.ASSESSMENT
_REVIEW = StageKind.APPLICATION_REVIEW
# Checked in order; the first pattern found in the lower-cased stage name decides.
_STAGE_NAME_KINDS: tuple[tuple[re.Pattern[str], StageKind], ...] = (
    (re.compile(r"\boffer"), StageKind.OFFER),
    (re.compile(r"\b(final|reference|background)"), StageKind.FINAL),
    (re.compile(r"(assessment|take[- ]home|exercise|challenge|case study|\btest)"), _ASSESS),
    (re.compile(r"(screen|phone|intro call)"), StageKind.SCREEN),
    (re.compile(r"(interview|on-?site|panel)"), StageKind.INTERVIEW),
    (re.compile(r"(lead|reached out|responded|applicant|new|review)"), _REVIEW),
)

_WITHDRAWAL_WORDS = re.compile(
    r"(withdr[ae]w|declined|no response|unresponsive|not interested|accepted another)"
)


class UnknownArchiveReasonError(LookupError):
    """An archived opportunity's reason is not among the account's archive reasons.

    Its ``type`` (hired or not) cannot be known, so the opportunity is neither reported as
    rejected nor as hired. The message holds no id (ids are safe, but add nothing here).
    """


class Lookups(Protocol):
    """The account data an opportunity refers to by id (see ``_catalog.AccountCatalog``)."""

    def archive_reason(self, reason_id: str) -> VendorArchiveReason | None:
        """The archive reason, or ``None`` when the account has none of that id."""
        ...

    def stage(self, stage_id: str) -> tuple[int, VendorStage] | None:
        """The stage and its zero-based position in the pipeline, when known."""
        ...

    def stage_kind(self, stage_id: str, name: str) -> StageKind:
        """The stage's normalized kind, configuration overrides first."""
        ...

    def posting(self, posting_id: str) -> VendorPosting | None:
        """The posting, or ``None`` when it cannot be read."""
        ...


def from_millis(value: int) -> datetime:
    """Return the aware UTC datetime of a Lever timestamp (milliseconds since the epoch)."""
    return _EPOCH + value * _ONE_MILLISECOND


def to_millis(moment: datetime) -> int:
    """Return *moment* (aware) as whole milliseconds since the epoch, rounded down."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return (moment - _EPOCH) // _ONE_MILLISECOND


def default_stage_kind(stage_id: str, name: str) -> StageKind:
    """Guess a stage's kind from Lever's built-in ids, then from words in its name."""
    built_in = _BUILT_IN_STAGES.get(stage_id)
    if built_in is not None:
        return built_in
    lowered = name.lower()
    for pattern, kind in _STAGE_NAME_KINDS:
        if pattern.search(lowered):
            return kind
    return StageKind.OTHER


def stage_kind(stage_id: str, name: str, overrides: Mapping[str, StageKind]) -> StageKind:
    """Return the configured kind of a stage (by id, then by name ignoring case), or a guess."""
    if stage_id in overrides:
        return overrides[stage_id]
    folded = {key.casefold(): kind for key, kind in overrides.items()}
    return folded.get(name.casefold()) or default_stage_kind(stage_id, name)


def default_reason_kind(reason: VendorArchiveReason) -> RejectionReasonKind:
    """Withdrawals by their usual names are the candidate's; other non-hired reasons ours."""
    if _WITHDRAWAL_WORDS.search(reason.text.lower()):
        return RejectionReasonKind.THEY_WITHDREW
    return RejectionReasonKind.WE_REJECTED


def reason_kind(
    reason: VendorArchiveReason, overrides: Mapping[str, RejectionReasonKind]
) -> RejectionReasonKind:
    """Return the configured kind of a reason (by id, then by name ignoring case), or a guess."""
    if reason.id in overrides:
        return overrides[reason.id]
    folded = {key.casefold(): kind for key, kind in overrides.items()}
    return folded.get(reason.text.casefold()) or default_reason_kind(reason)


def to_rejection_reason(
    reason: VendorArchiveReason, overrides: Mapping[str, RejectionReasonKind]
) -> RejectionReason:
    """Turn a non-hired archive reason into a canonical rejection reason."""
    return RejectionReason(id=reason.id, name=reason.text, kind=reason_kind(reason, overrides))


def to_application(
    opportunity: VendorOpportunity,
    lookups: Lookups,
    *,
    reason_overrides: Mapping[str, RejectionReasonKind],
    known_users: Mapping[str, User] | None = None,
    known_job: Job | None = None,
) -> Application:
    """Translate an opportunity into the canonical application.

    Args:
        opportunity: The opportunity, with or without ``expand=stage,owner,applications``.
        lookups: Archive reasons, stages and postings of the account.
        reason_overrides: Configured kinds of archive reasons.
        known_users: Users already read, for an owner given as a bare id.
        known_job: The job already read, for applications given as bare ids (a write's
            answer is not expanded).

    Raises:
        UnknownArchiveReasonError: The opportunity is archived for a reason the account
            does not list, so whether it is a hire cannot be told.
    """
    status, rejection = _status(opportunity, lookups, reason_overrides)
    application = _first_application(opportunity)
    created = application.created_at if application is not None else None
    applied_at = created if created is not None else opportunity.created_at
    last_activity = opportunity.updated_at or opportunity.created_at
    return Application(
        id=opportunity.id,
        candidate=_candidate(opportunity),
        status=status,
        job=_job(application, lookups) or known_job,
        current_stage=_stage(opportunity, lookups),
        rejection=rejection,
        source=Source(
            kind=_ORIGINS.get(opportunity.origin or "", SourceKind.OTHER),
            name=opportunity.sources[0] if opportunity.sources else None,
        ),
        recruiter=_owner(opportunity, known_users or {}),
        applied_at=from_millis(applied_at) if applied_at is not None else None,
        last_activity_at=from_millis(last_activity) if last_activity is not None else None,
        is_prospect=not opportunity.applications,
    )


def _status(
    opportunity: VendorOpportunity,
    lookups: Lookups,
    overrides: Mapping[str, RejectionReasonKind],
) -> tuple[ApplicationStatus, Rejection | None]:
    archived = opportunity.archived
    if archived is None or (archived.reason is None and archived.archived_at is None):
        return ApplicationStatus.ACTIVE, None
    reason = lookups.archive_reason(archived.reason) if archived.reason else None
    if reason is None or reason.type not in (HIRED_TYPE, NON_HIRED_TYPE):
        raise UnknownArchiveReasonError("archived for a reason the account does not list")
    if reason.type == HIRED_TYPE:
        return ApplicationStatus.HIRED, None
    decided = archived.archived_at or opportunity.updated_at or opportunity.created_at or 0
    rejection = Rejection(
        decided_at=from_millis(decided), reason=to_rejection_reason(reason, overrides)
    )
    return ApplicationStatus.REJECTED, rejection


def _candidate(opportunity: VendorOpportunity) -> Candidate:
    # Lever holds one full name; the first word is taken as the given name.
    words = (opportunity.name or "").split()
    emails = tuple(dict.fromkeys(email.strip() for email in opportunity.emails if email.strip()))
    phone = next((phone.value for phone in opportunity.phones if phone.value), None)
    return Candidate(
        id=opportunity.contact or opportunity.id,
        first_name=words[0] if words else None,
        last_name=" ".join(words[1:]) or None,
        emails=emails,
        phone=phone,
        location=Location(text=opportunity.location) if opportunity.location else None,
        tags=tuple(opportunity.tags),
        is_internal=opportunity.origin == "internal",
    )


def _first_application(opportunity: VendorOpportunity) -> VendorApplication | None:
    for application in opportunity.applications:
        if isinstance(application, VendorApplication):
            return application
    return None


def _job(application: VendorApplication | None, lookups: Lookups) -> Job | None:
    if application is None or not application.posting:
        return None
    posting = lookups.posting(application.posting)
    if posting is None:
        return None
    categories = posting.categories
    country = posting.country if _is_country_code(posting.country) else None
    place = categories.location or (
        categories.all_locations[0] if categories.all_locations else None
    )
    location = Location(text=place, country=country) if place or country else None
    return Job(
        id=posting.id,
        name=posting.text,
        department=categories.team or categories.department,
        location=location,
    )


def _stage(opportunity: VendorOpportunity, lookups: Lookups) -> Stage | None:
    stage_id = opportunity.stage_id
    if not stage_id:
        return None
    known = lookups.stage(stage_id)
    name = opportunity.stage.text if isinstance(opportunity.stage, VendorStage) else ""
    if known is not None:
        name = name or known[1].text
    return Stage(
        id=stage_id,
        name=name,
        position=known[0] if known is not None else None,
        kind=lookups.stage_kind(stage_id, name),
    )


def _owner(opportunity: VendorOpportunity, known_users: Mapping[str, User]) -> User | None:
    owner = opportunity.owner
    if isinstance(owner, VendorUser):
        words = (owner.name or "").split()
        return User(
            id=owner.id,
            name=owner.name or None,
            first_name=words[0] if words else None,
            last_name=" ".join(words[1:]) or None,
            email=owner.email or None,
            title=owner.job_title or None,
        )
    if owner:
        return known_users.get(owner) or User(id=owner)
    return None


def _is_country_code(value: str | None) -> bool:
    return value is not None and len(value) == 2 and value.isascii() and value.isalpha()
