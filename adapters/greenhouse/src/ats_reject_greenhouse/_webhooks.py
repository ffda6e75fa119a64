r"""Greenhouse webhooks: verification on the raw bytes, then normalized events.

Source: ``grnhse/greenhouse-api-docs`` ``source/includes/webhooks/_introduction.md`` (and the
same text at https://developers.greenhouse.io/webhooks.html):

* ``Signature: sha256 <hex>`` is HMAC-SHA256 of the **entire raw body** with the webhook's
  secret key; Greenhouse escapes unicode (``<`` as ``\u003c``) *before* signing, so only the
  bytes as received verify, never a re-serialized body
  (:data:`ats_reject.webhooks.GREENHOUSE`);
* ``Greenhouse-Event-ID`` is a unique id per delivery, the dedupe key;
* the body is ``{"action": "...", "payload": {...}}``; saving a hook sends
  ``{"action": "ping", "payload": {"web_hook_id": ...}}`` (shape from
  grnhse/greenhouse-api-docs issue #276);
* a bulk reject sends one ``reject_candidate`` per candidate (``_candidate_events.md``).

UNCONFIRMED: whether hooks created through the Harvest v3 ``/v3/webhooks`` endpoint sign the
same way. Nothing says otherwise, the hook machinery is not versioned with Harvest, so the
documented scheme is applied to every hook.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ats_reject.errors import WebhookPayloadError, WebhookVerificationError
from ats_reject.models import (
    Application,
    ApplicationEvent,
    EventKind,
    EventSource,
    Job,
    Office,
    Rejection,
    RejectionReason,
    Source,
    SourceKind,
    Stage,
    StageKind,
    User,
    WebhookDelivery,
)
from ats_reject.webhooks import WebhookHeaders
from ats_reject_greenhouse._mapping import (
    PROMISED_DECISION_KEY,
    application_status,
    candidate_from_hook,
    flatten_custom_fields,
    promised_decision,
    reason_kind,
    stage_kind,
)
from ats_reject_greenhouse._payloads import (
    HookApplication,
    HookDeletedApplication,
    HookEnvelope,
    HookPerson,
    NamedRef,
)
from ats_reject_greenhouse._places import parse_place

__all__ = ["ACTION_KINDS", "EVENT_ID_HEADER", "PING_ACTION", "MappingOptions", "parse_delivery"]

EVENT_ID_HEADER = "Greenhouse-Event-ID"
"""The header that identifies a delivery (the same on every retry of it)."""
PING_ACTION = "ping"
"""The action of the test delivery Greenhouse sends when a hook is saved or updated."""

ACTION_KINDS: Mapping[str, EventKind] = {
    "reject_candidate": EventKind.REJECTED,
    "unreject_candidate": EventKind.UNREJECTED,
    "candidate_stage_change": EventKind.STAGE_CHANGED,
    "hire_candidate": EventKind.HIRED,
    "unhire_candidate": EventKind.UNHIRED,
    "application_updated": EventKind.UPDATED,
    "delete_application": EventKind.DELETED,
    "delete_candidate": EventKind.DELETED,
    "merge_candidate": EventKind.MERGED,
    "candidate_anonymized": EventKind.ANONYMIZED,
}
"""The actions the library uses; every other action is acknowledged and ignored."""

_CANDIDATE_ACTIONS = frozenset({"delete_candidate", "merge_candidate", "candidate_anonymized"})
_MAX_ACTION = 64


@dataclass(frozen=True)
class MappingOptions:
    """The settings that shape how a payload maps to the canonical models."""

    stage_kinds: Mapping[str, StageKind]
    time_zone_field: str | None
    locale_field: str | None
    decision_date_field: str | None


def parse_delivery(
    headers: Mapping[str, str], body: bytes, *, now: datetime, options: MappingOptions
) -> WebhookDelivery:
    """Turn a verified Greenhouse delivery into normalized events.

    Args:
        headers: The request headers.
        body: The raw body (already verified).
        now: Receipt time; events whose payload carries no time are stamped with it.
        options: Mapping settings.

    Raises:
        WebhookPayloadError: The body is not JSON, or not the documented envelope.
    """
    envelope = _envelope(body)
    delivery_id = _delivery_id(headers, body)
    action = envelope.action.strip()[:_MAX_ACTION]
    if action == PING_ACTION:
        return WebhookDelivery(delivery_id=delivery_id, vendor_action=action, is_ping=True)
    kind = ACTION_KINDS.get(action)
    if kind is None:
        return WebhookDelivery(delivery_id=delivery_id, vendor_action=action)
    if action in _CANDIDATE_ACTIONS:
        events = _candidate_events(action, kind, envelope.payload, now)
    elif action == "delete_application":
        events = _deleted_application(envelope.payload, now)
    else:
        events = (_application_event(action, kind, envelope.payload, now, options),)
    return WebhookDelivery(delivery_id=delivery_id, events=events, vendor_action=action)


def _envelope(body: bytes) -> HookEnvelope:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, TypeError):
        raise WebhookPayloadError("not JSON") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError("not a JSON object")
    try:
        return HookEnvelope.model_validate(data)
    except ValidationError:
        raise WebhookPayloadError("no action and payload") from None


def _delivery_id(headers: Mapping[str, str], body: bytes) -> str:
    try:
        value = WebhookHeaders(headers).get(EVENT_ID_HEADER)
    except WebhookVerificationError:
        value = None
    if value and value.strip():
        return value.strip()[:200]
    # Every documented delivery has the header; without it, the same body retried still
    # dedupes to one delivery.
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _model(model: type[Any], payload: Mapping[str, Any], key: str, action: str) -> Any:
    try:
        return model.model_validate(payload.get(key))
    except ValidationError:
        raise WebhookPayloadError(f"{action} without a readable {key}") from None


def _application_event(
    action: str,
    kind: EventKind,
    payload: Mapping[str, Any],
    now: datetime,
    options: MappingOptions,
) -> ApplicationEvent:
    hook: HookApplication = _model(HookApplication, payload, "application", action)
    occurred = (hook.rejected_at if kind is EventKind.REJECTED else None) or hook.last_activity_at
    return ApplicationEvent(
        kind=kind,
        application_id=str(hook.id),
        candidate_id=str(hook.candidate.id) if hook.candidate else None,
        occurred_at=occurred or now,
        source=EventSource.WEBHOOK,
        application=_application(hook, options),
        vendor_action=action,
    )


def _deleted_application(payload: Mapping[str, Any], now: datetime) -> tuple[ApplicationEvent, ...]:
    hook: HookDeletedApplication = _model(
        HookDeletedApplication, payload, "application", "delete_application"
    )
    return (
        ApplicationEvent(
            kind=EventKind.DELETED,
            application_id=str(hook.id),
            candidate_id=str(hook.candidate_id) if hook.candidate_id else None,
            occurred_at=now,
            source=EventSource.WEBHOOK,
            vendor_action="delete_application",
        ),
    )


def _candidate_events(
    action: str, kind: EventKind, payload: Mapping[str, Any], now: datetime
) -> tuple[ApplicationEvent, ...]:
    if action == "candidate_anonymized":
        candidate_id = payload.get("candidate_id")
        if isinstance(candidate_id, bool) or not isinstance(candidate_id, int | str):
            raise WebhookPayloadError("candidate_anonymized without a candidate_id")
        return (
            _person_event(
                kind, str(candidate_id), application_id=None, related=None, now=now, action=action
            ),
        )
    person: HookPerson = _model(HookPerson, payload, "person", action)
    related = str(person.new_candidate_id) if person.new_candidate_id else None
    events = [
        _person_event(
            kind, str(person.id), application_id=None, related=related, now=now, action=action
        )
    ]
    # Deleting a person deletes their applications without a hook of their own.
    events.extend(
        _person_event(
            kind,
            str(person.id),
            application_id=str(application_id),
            related=None,
            now=now,
            action=action,
        )
        for application_id in person.deleted_application_ids
    )
    return tuple(events)


def _person_event(
    kind: EventKind,
    candidate_id: str,
    *,
    application_id: str | None,
    related: str | None,
    now: datetime,
    action: str,
) -> ApplicationEvent:
    return ApplicationEvent(
        kind=kind,
        application_id=application_id,
        candidate_id=candidate_id,
        occurred_at=now,
        source=EventSource.WEBHOOK,
        related_candidate_id=related,
        vendor_action=action,
    )


def _application(hook: HookApplication, options: MappingOptions) -> Application | None:
    """The application as the webhook describes it; ``None`` when it cannot be read.

    Webhooks are hints: the engine reads the application fresh before acting, so a payload
    that does not fit the canonical model costs nothing but this convenience.
    """
    if hook.candidate is None:
        return None
    try:
        status = application_status(hook.status)
        candidate = candidate_from_hook(
            hook.candidate,
            time_zone_field=options.time_zone_field,
            locale_field=options.locale_field,
        )
        custom = flatten_custom_fields(hook.custom_fields)
        if options.decision_date_field:
            field = options.decision_date_field
            promised = promised_decision(custom.get(field, candidate.custom_fields.get(field)))
            if promised:
                custom[PROMISED_DECISION_KEY] = promised
        return Application(
            id=str(hook.id),
            candidate=candidate,
            status=status,
            job=_job(hook),
            current_stage=_stage(hook.current_stage, options),
            rejection=_rejection(hook),
            source=_source(hook.source),
            recruiter=_user(hook.candidate.recruiter),
            coordinator=_user(hook.candidate.coordinator),
            applied_at=hook.applied_at,
            last_activity_at=hook.last_activity_at,
            is_prospect=hook.prospect,
            custom_fields=custom,
        )
    except (ValueError, ValidationError):
        return None


def _job(hook: HookApplication) -> Job | None:
    if not hook.jobs:
        return None
    job = hook.jobs[0]
    offices = tuple(
        Office(id=str(office.id), name=office.name or "", location=parse_place(office.location))
        for office in job.offices
    )
    department = next((d.name for d in job.departments if d.name), None)
    return Job(id=str(job.id), name=job.name or "", department=department, offices=offices)


def _stage(stage: NamedRef | None, options: MappingOptions) -> Stage | None:
    if stage is None or stage.id is None or not stage.name:
        return None
    kind = stage_kind(stage.name, None, options.stage_kinds)
    return Stage(id=str(stage.id), name=stage.name, kind=kind)


def _rejection(hook: HookApplication) -> Rejection | None:
    if hook.rejected_at is None:
        return None
    reason = hook.rejection_reason
    canonical = None
    if reason is not None and reason.id is not None:
        canonical = RejectionReason(
            id=str(reason.id), name=reason.name or "", kind=reason_kind(reason.type)
        )
    return Rejection(decided_at=hook.rejected_at, reason=canonical)


def _source(source: NamedRef | None) -> Source | None:
    if source is None:
        return None
    name = source.public_name or source.name
    kind = SourceKind.INTERNAL if name and "internal" in name.lower() else SourceKind.OTHER
    return Source(kind=kind, name=name)


def _user(user: NamedRef | None) -> User | None:
    if user is None or user.id is None:
        return None
    return User(id=str(user.id), name=user.name, email=user.email)
