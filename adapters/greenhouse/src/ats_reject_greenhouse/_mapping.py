"""Greenhouse vocabulary to canonical models: statuses, stage kinds, reasons, sources, people."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ats_reject.models import (
    ApplicationStatus,
    Candidate,
    JsonScalar,
    RejectionReason,
    RejectionReasonKind,
    Source,
    SourceKind,
    StageKind,
    User,
)
from ats_reject_greenhouse._payloads import (
    Contact,
    HookCandidate,
    NamedRef,
    V3Candidate,
    V3RejectionReason,
    V3Source,
    V3User,
)
from ats_reject_greenhouse._places import parse_place

__all__ = [
    "PROMISED_DECISION_KEY",
    "application_status",
    "candidate_from_hook",
    "candidate_from_v3",
    "flatten_custom_fields",
    "promised_decision",
    "reason_from_v3",
    "reason_kind",
    "source_from_v3",
    "stage_kind",
    "user_from_v3",
]

PROMISED_DECISION_KEY = "promised_decision_at"
"""Where the configured promised-decision custom field is exposed in ``custom_fields``."""

_STATUSES: Mapping[str, ApplicationStatus] = {
    # v3 responses say in_process; webhooks (v1 shapes) say active; a converted prospect
    # application lives on as the candidate application it was converted into.
    "in_process": ApplicationStatus.ACTIVE,
    "active": ApplicationStatus.ACTIVE,
    "converted": ApplicationStatus.ACTIVE,
    "rejected": ApplicationStatus.REJECTED,
    "hired": ApplicationStatus.HIRED,
}

# Checked in order: the first pattern found in the stage name wins. Greenhouse's default plan
# is Application Review, Preliminary Phone Screen, Phone Interview, Face to Face, Reference
# Check, Offer; companies rename and add stages freely, hence patterns, and the override.
_STAGE_RULES: tuple[tuple[re.Pattern[str], StageKind], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        (r"\boffer", StageKind.OFFER),
        (r"\bfinal\b|\breference|\bexecutive\b|\bbar raiser", StageKind.FINAL),
        (
            r"take[ -]?home|assessment|\btest\b|exercise|challenge|assignment|case study"
            r"|work sample|\bhomework",
            StageKind.ASSESSMENT,
        ),
        (r"screen|\bintro(duction|ductory)? call|recruiter call", StageKind.SCREEN),
        (
            r"application review|^review|\bapplied\b|\bnew lead|\bsourced\b",
            StageKind.APPLICATION_REVIEW,
        ),
        (
            r"interview|face[ -]to[ -]face|on[ -]?site|\bpanel\b|technical|hiring manager"
            r"|\bloop\b",
            StageKind.INTERVIEW,
        ),
    )
)

_REASON_KEYS: Mapping[str, RejectionReasonKind] = {
    "we_rejected_them": RejectionReasonKind.WE_REJECTED,
    "we rejected them": RejectionReasonKind.WE_REJECTED,
    "they_rejected_us": RejectionReasonKind.THEY_WITHDREW,
    "they rejected us": RejectionReasonKind.THEY_WITHDREW,
}

_SOURCE_TYPES: Mapping[str, SourceKind] = {
    "referral": SourceKind.REFERRAL,
    "agencies": SourceKind.AGENCY,
    "agency": SourceKind.AGENCY,
    "prospecting": SourceKind.SOURCED,
    "third-party boards": SourceKind.APPLIED,
    "company marketing": SourceKind.APPLIED,
    "social media": SourceKind.APPLIED,
    "mygreenhouse": SourceKind.APPLIED,
    "in person event": SourceKind.APPLIED,
    "other": SourceKind.OTHER,
}

# Personal addresses first: a rejection must not land in a current employer's mailbox.
_EMAIL_ORDER = {"personal": 0, "other": 1, None: 1, "work": 2}
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")


def application_status(value: str | None) -> ApplicationStatus:
    """Map Greenhouse's application status.

    Raises:
        ValueError: The status is missing or unknown (the caller reports a schema error).
    """
    status = _STATUSES.get((value or "").strip().lower())
    if status is None:
        raise ValueError("unknown application status")
    return status


def stage_kind(
    name: str, position: int | None, overrides: Mapping[str, StageKind] | None = None
) -> StageKind:
    """Normalize a stage by its name; the configured override (by name, any case) wins.

    Args:
        name: The stage's name in the job's plan.
        position: Its zero-based ``sort_order``, when known; the first stage of a plan is the
            application review whatever it is called.
        overrides: Casefolded stage name to kind, from the settings.
    """
    folded = name.strip().casefold()
    if overrides and folded in overrides:
        return overrides[folded]
    for pattern, kind in _STAGE_RULES:
        if pattern.search(name):
            return kind
    if position == 0:
        return StageKind.APPLICATION_REVIEW
    return StageKind.OTHER


def reason_kind(reason_type: NamedRef | None) -> RejectionReasonKind:
    """Map a reason's type (``key`` in v3, only ``name`` in webhooks) to its kind."""
    if reason_type is None:
        return RejectionReasonKind.OTHER
    for text in (reason_type.key, reason_type.name):
        if text:
            kind = _REASON_KEYS.get(text.strip().lower())
            if kind is not None:
                return kind
    return RejectionReasonKind.OTHER


def reason_from_v3(reason: V3RejectionReason) -> RejectionReason:
    """A rejection reason from ``GET /v3/rejection_reasons``."""
    return RejectionReason(id=str(reason.id), name=reason.name, kind=reason_kind(reason.type))


def source_from_v3(source: V3Source | None, *, referred: bool) -> Source | None:
    """Classify an application's source by its sourcing strategy (``type.name``)."""
    if source is None:
        return Source(kind=SourceKind.REFERRAL) if referred else None
    name = source.name
    strategy = (source.type.name if source.type and source.type.name else "").strip().lower()
    kind = _SOURCE_TYPES.get(strategy, SourceKind.OTHER)
    if name and "internal" in name.lower():
        kind = SourceKind.INTERNAL
    elif referred and kind is SourceKind.OTHER:
        kind = SourceKind.REFERRAL
    return Source(kind=kind, name=name)


def user_from_v3(user: V3User) -> User:
    """A Greenhouse user (recruiter, coordinator, the person who rejected)."""
    name = user.name or " ".join(part for part in (user.first_name, user.last_name) if part)
    return User(
        id=str(user.id),
        name=name or None,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.primary_email,
        title=user.job_title,
    )


def flatten_custom_fields(fields: Mapping[str, Any] | None) -> dict[str, JsonScalar]:
    """Custom fields by ``name_key`` with scalar values.

    Greenhouse sends ``{name_key: {name, type, value}}``. Multi-selects become one
    comma-separated string; currency, range and user values are left out (they are not
    scalars, and a user value is another person's data).
    """
    flat: dict[str, JsonScalar] = {}
    for key, entry in (fields or {}).items():
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        if value is None or isinstance(value, str | int | float | bool):
            flat[str(key)] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            flat[str(key)] = ", ".join(value)
    return flat


def promised_decision(value: JsonScalar) -> str | None:
    """Return a custom field's date or date-time as ISO 8601, if it holds one."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _time_zone(value: JsonScalar) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _locale(value: JsonScalar) -> str | None:
    if isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value.strip()):
        return value.strip().replace("_", "-")
    return None


def _emails(contacts: list[Contact]) -> tuple[str, ...]:
    ranked = sorted(
        (contact for contact in contacts if contact.value and "@" in contact.value),
        key=lambda contact: _EMAIL_ORDER.get((contact.type or "").lower() or None, 1),
    )
    seen: dict[str, str] = {}
    for contact in ranked:
        address = (contact.value or "").strip()
        seen.setdefault(address.lower(), address)
    return tuple(seen.values())


def _home_address(contacts: list[Contact]) -> str | None:
    for preferred in ("home", None):
        for contact in contacts:
            if contact.value and (preferred is None or contact.type == preferred):
                return contact.value
    return None


def _candidate(
    source: V3Candidate | HookCandidate,
    *,
    preferred_name: str | None,
    time_zone_field: str | None,
    locale_field: str | None,
) -> Candidate:
    custom = flatten_custom_fields(source.custom_fields)
    return Candidate(
        id=str(source.id),
        first_name=source.first_name,
        last_name=source.last_name,
        preferred_name=preferred_name,
        emails=_emails(source.email_addresses),
        phone=next((c.value for c in source.phone_numbers if c.value), None),
        locale=_locale(custom.get(locale_field)) if locale_field else None,
        time_zone=_time_zone(custom.get(time_zone_field)) if time_zone_field else None,
        location=parse_place(_home_address(source.addresses)),
        tags=tuple(source.tags),
        custom_fields=custom,
    )


def candidate_from_v3(
    candidate: V3Candidate, *, time_zone_field: str | None, locale_field: str | None
) -> Candidate:
    """The candidate of ``GET /v3/candidates``."""
    return _candidate(
        candidate,
        preferred_name=candidate.preferred_name,
        time_zone_field=time_zone_field,
        locale_field=locale_field,
    )


def candidate_from_hook(
    candidate: HookCandidate, *, time_zone_field: str | None, locale_field: str | None
) -> Candidate:
    """The candidate embedded in a webhook's application."""
    return _candidate(
        candidate, preferred_name=None, time_zone_field=time_zone_field, locale_field=locale_field
    )
