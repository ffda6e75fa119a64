r"""The sandbox's webhook sender: Greenhouse's payloads, encoded and signed as Greenhouse does.

Source: ``grnhse/greenhouse-api-docs`` ``source/includes/webhooks/`` (``_introduction.md``,
``_candidate_events.md``, ``_application_events.md``):

* body ``{"action": ..., "payload": {...}}``; application events carry the nested v1 shape
  (``application.candidate``, ``jobs[]``, ``current_stage``, ``rejection_reason``) with
  ``status`` ``active``/``rejected``/``hired``;
* the body is compact JSON with unicode escaped (``<`` as ``\u003c``), and
  ``Signature: sha256 <hex>`` is HMAC-SHA256 of exactly those bytes with the secret key;
* ``Greenhouse-Event-ID`` names the delivery; ``Content-Type`` and ``User-Agent`` are set;
* the ping sent when a hook is saved is ``{"action": "ping", "payload": {"web_hook_id": ...,
  "endpoint_url": ..., "name": ..., "event": ..., "active": true, ...}}`` (issue #276).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests

from ats_reject.testing import SignedWebhook
from ats_reject.webhooks import GREENHOUSE
from ats_reject_greenhouse.sandbox._store import SbApplication, SbCandidate, Store, iso

__all__ = ["HookBuilder", "encode_like_greenhouse", "send", "sign"]

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_USER_AGENT = "Greenhouse-Webhooks (sandbox)"


def encode_like_greenhouse(body: Mapping[str, Any]) -> bytes:
    r"""Compact JSON with non-ASCII and ``< > &`` escaped as ``\uXXXX`` (Rails' ``to_json``)."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=True)
    for raw, escaped in _HTML_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text.encode("ascii")


def sign(body: bytes, secret: str, delivery_id: str | None = None) -> SignedWebhook:
    """The request Greenhouse would send with *body*, signed with *secret*."""
    delivery_id = delivery_id or str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": _USER_AGENT,
        "Greenhouse-Event-ID": delivery_id,
    }
    headers.update(GREENHOUSE.sign(body, secret))
    return SignedWebhook(headers, body, delivery_id, (GREENHOUSE.header,))


def send(
    url: str,
    webhook: SignedWebhook,
    *,
    session: requests.Session | None = None,
    timeout: float = 10.0,
) -> int:
    """POST *webhook* to *url* as Greenhouse would; return the receiver's status code."""
    http = session or requests.Session()
    try:
        response = http.post(url, data=webhook.body, headers=dict(webhook.headers), timeout=timeout)
        return response.status_code
    finally:
        if session is None:
            http.close()


class HookBuilder:
    """Builds documented webhook payloads from the sandbox's data (callers hold the lock)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ping(self, hook_id: int, endpoint_url: str, now: datetime) -> dict[str, Any]:
        """The ping sent when a hook is saved."""
        return {
            "action": "ping",
            "payload": {
                "web_hook_id": hook_id,
                "endpoint_url": endpoint_url,
                "created_at": iso(now),
                "updated_at": iso(now),
                "name": "ats-reject",
                "event": "Candidate or Prospect Rejected",
                "active": True,
                "content-type": "application/json",
            },
        }

    def application_event(self, action: str, application: SbApplication) -> dict[str, Any]:
        """An application webhook (``reject_candidate``, ``candidate_stage_change`` ...)."""
        if action == "delete_application":
            return {"action": action, "payload": {"application": self._deleted(application)}}
        return {"action": action, "payload": {"application": self._application(application)}}

    def person_event(
        self,
        action: str,
        candidate: SbCandidate,
        *,
        merged_into: int | None = None,
        deleted_application_ids: list[int] | None = None,
    ) -> dict[str, Any]:
        """``delete_candidate``, ``merge_candidate`` or ``candidate_anonymized``."""
        if action == "candidate_anonymized":
            return {
                "action": action,
                "payload": {
                    "candidate_id": candidate.id,
                    "anonymized_fields": ["full_name", "email_addresses"],
                },
            }
        person: dict[str, Any] = {
            "id": candidate.id,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "company": None,
            "title": None,
            "created_at": iso(candidate.created_at),
            "is_private": False,
            "recruiter_user_id": None,
            "coordinator_user_id": None,
            "can_email": True,
        }
        if action == "merge_candidate":
            person["new_candidate_id"] = merged_into
        else:
            person["deleted_application_ids"] = list(deleted_application_ids or [])
        return {"action": action, "payload": {"person": person}}

    # --- shapes ------------------------------------------------------------------------------

    def _deleted(self, application: SbApplication) -> dict[str, Any]:
        detail = self.store.rejections.get(application.id)
        return {
            "id": application.id,
            "candidate_id": application.candidate_id,
            "job_id": application.job_id,
            "created_at": iso(application.created_at),
            "source_id": application.source_id,
            "candidate_rejection_reason_id": None,
            "rejection_note_id": detail.rejection_note_id if detail else None,
            "rejected_at": iso(application.rejected_at),
            "referrer_id": application.referrer_id,
            "prospect": application.prospect,
            "rejected_by_user_id": detail.rejected_by_id if detail else None,
        }

    def _application(self, application: SbApplication) -> dict[str, Any]:
        store = self.store
        status = (
            "active" if application.status in ("in_process", "converted") else application.status
        )
        visit = application.current_visit() or (
            application.visits[-1] if application.visits else None
        )
        stage = store.stage(visit.job_interview_stage_id) if visit else None
        detail = store.rejections.get(application.id)
        reason = (
            store.reasons.get(detail.rejection_reason_id)
            if detail and detail.rejection_reason_id
            else None
        )
        source = store.sources.get(application.source_id) if application.source_id else None
        return {
            "id": application.id,
            "rejected_at": iso(application.rejected_at),
            "prospect": application.prospect,
            "status": status,
            "applied_at": iso(application.created_at),
            "last_activity_at": iso(application.last_activity_at or application.updated_at),
            "url": f"https://app.greenhouse.io/people/{application.candidate_id}?application_id={application.id}",
            "source": {"id": source.id, "public_name": source.name} if source else None,
            "credited_to": None,
            "rejection_reason": reason_v1(reason.v3()) if reason else None,
            "rejection_details": {"custom_fields": {}} if detail else None,
            "current_stage": {"id": stage.id, "name": stage.name, "interviews": []}
            if stage
            else None,
            "custom_fields": dict(application.custom_fields),
            "candidate": self._candidate(store.candidates[application.candidate_id], application),
            "jobs": [self._job(application.job_id)],
        }

    def _candidate(self, candidate: SbCandidate, application: SbApplication) -> dict[str, Any]:
        recruiter = (
            self.store.users.get(application.recruiter_id) if application.recruiter_id else None
        )
        return {
            "id": candidate.id,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "title": None,
            "company": None,
            "created_at": iso(candidate.created_at),
            "external_id": None,
            "photo_url": None,
            "url": f"https://app.greenhouse.io/people/{candidate.id}",
            "is_private": False,
            "can_email": True,
            "phone_numbers": [{"value": v, "type": t} for v, t in candidate.phones],
            "email_addresses": [{"value": v, "type": t} for v, t in candidate.emails],
            "addresses": [{"value": v, "type": t} for v, t in candidate.addresses],
            "website_addresses": [],
            "social_media_addresses": [],
            "educations": [],
            "employments": [],
            "recruiter": {
                "id": recruiter.id,
                "email": recruiter.primary_email,
                "name": f"{recruiter.first_name} {recruiter.last_name}",
                "employee_id": None,
            }
            if recruiter
            else None,
            "coordinator": None,
            "attachments": [],
            "tags": list(candidate.tags),
            "custom_fields": dict(candidate.custom_fields),
        }

    def _job(self, job_id: int) -> dict[str, Any]:
        job = self.store.jobs[job_id]
        department = self.store.departments.get(job.department_id) if job.department_id else None
        offices = [self.store.offices[i] for i in job.office_ids if i in self.store.offices]
        return {
            "id": job.id,
            "name": job.name,
            "requisition_id": None,
            "notes": None,
            "confidential": False,
            "job_post_id": None,
            "status": job.status,
            "created_at": None,
            "opened_at": None,
            "closed_at": None,
            "departments": [{"id": department.id, "name": department.name, "external_id": None}]
            if department
            else [],
            "offices": [
                {"id": o.id, "name": o.name, "location": o.location, "external_id": None}
                for o in offices
            ],
            "custom_fields": {},
        }


def reason_v1(reason: dict[str, Any]) -> dict[str, Any]:
    """A v3 reason in the webhook's v1 shape: ``{id, name, type: {id, name}}``."""
    kind = reason.get("type") or {}
    return {
        "id": reason["id"],
        "name": reason["name"],
        "type": {"id": kind.get("id"), "name": kind.get("name")},
    }
