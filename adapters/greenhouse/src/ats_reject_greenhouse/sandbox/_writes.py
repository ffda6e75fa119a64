"""State changes of the sandbox, and the Harvest v3 write routes that make them.

Routes (https://harvestdocs.greenhouse.io/reference):

* ``POST /v3/applications/{id}/reject`` (``post_v3-applications-id-reject``): body
  ``{rejection_reason_id (required), notes?, rejection_email?: {email_template_id,
  send_email_at?, email_from_user_id?}, custom_fields?}``; 204; 422 when invalid or when the
  application is not in process (v1 documented "only active applications can be rejected").
* ``POST /v3/applications/{id}/unreject`` (``post_v3-applications-id-unreject``): no body
  fields; 204; 422 when the application is not rejected.
* ``POST /v3/notes`` (``post_v3-notes``): ``{application_id, candidate_id, body, visibility:
  admin_only|private|public, note_type: NOTE|ACTIVITY|EMAIL, user_id?}``; 201 ``{id, ...}``.

``send_email_at`` without an offset is read in the acting user's time zone, as Greenhouse's
v1 change log (2024-07-09) says of the On-Behalf-Of user; the adapter always sends an offset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ats_reject.clock import Clock
from ats_reject.testing import FakeRequest, FakeResponse
from ats_reject_greenhouse.sandbox._listing import error
from ats_reject_greenhouse.sandbox._oauth import Grant
from ats_reject_greenhouse.sandbox._store import (
    SbApplication,
    SbNote,
    SbRejection,
    SbScheduledEmail,
    SbStageVisit,
    Store,
)

__all__ = ["Transitions", "WriteRoutes"]

_VISIBILITIES = frozenset({"admin_only", "private", "public"})
_NOTE_TYPES = frozenset({"NOTE", "ACTIVITY", "EMAIL"})


class Transitions:
    """Changes of an application's state, as Greenhouse makes them (callers hold the lock)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def touch(self, application: SbApplication) -> None:
        """Record activity on the application now."""
        now = self.clock.now()
        application.updated_at = now
        application.last_activity_at = now

    def move(self, application: SbApplication, stage_id: int) -> None:
        """Close the open stage visit and open one at *stage_id*."""
        now = self.clock.now()
        current = application.current_visit()
        if current is not None:
            current.exited_at = now
            current.updated_at = now
        visit = SbStageVisit(self.store.next_id(), application.id, stage_id, now)
        application.visits.append(visit)
        self.touch(application)

    def reject(
        self,
        application: SbApplication,
        reason_id: int | None,
        rejected_by: int | None,
        note: str | None = None,
    ) -> None:
        """Reject: close the stage visit (a closed application has no current stage)."""
        now = self.clock.now()
        current = application.current_visit()
        if current is not None:
            current.exited_at = now
            current.updated_at = now
        note_id = None
        if note:
            note_id = self.store.next_id()
            self.store.notes[note_id] = SbNote(
                note_id,
                application.id,
                application.candidate_id,
                note,
                rejected_by,
                "admin_only",
                "NOTE",
                now,
            )
        application.status = "rejected"
        application.rejected_at = now
        self.store.rejections[application.id] = SbRejection(
            self.store.next_id(), application.id, now, reason_id, rejected_by, note_id
        )
        self.touch(application)

    def unreject(self, application: SbApplication) -> None:
        """Reinstate in the stage it was rejected in; the reason and its note are cleared."""
        application.status = "in_process"
        application.rejected_at = None
        self.store.rejections.pop(application.id, None)
        last = application.visits[-1] if application.visits else None
        if last is not None and last.exited_at is not None:
            visit = SbStageVisit(
                self.store.next_id(),
                application.id,
                last.job_interview_stage_id,
                self.clock.now(),
            )
            application.visits.append(visit)
        self.touch(application)

    def hire(self, application: SbApplication) -> None:
        """Hire: the application moves to the plan's last stage (Offer) and closes."""
        job = self.store.jobs[application.job_id]
        if job.stages:
            self.move(application, job.stages[-1].id)
        current = application.current_visit()
        if current is not None:
            current.exited_at = self.clock.now()
        application.status = "hired"
        self.touch(application)


class WriteRoutes:
    """The write handlers (the sandbox wraps them with auth and its lock).

    Args:
        transitions: The state changes.
        applied: Counts of writes that changed something, by operation name.
    """

    def __init__(self, transitions: Transitions, applied: Counter[str]) -> None:
        self.t = transitions
        self.store = transitions.store
        self.applied = applied
        self.refused: Counter[str] = Counter()
        """Writes refused because the application was not in a state that allows them."""

    def reject(self, request: FakeRequest, grant: Grant) -> FakeResponse:
        """``POST /v3/applications/{id}/reject``."""
        application, body = self._target(request)
        if isinstance(application, FakeResponse):
            return application
        reason = body.get("rejection_reason_id")
        if isinstance(reason, bool) or not isinstance(reason, int):
            return error(422, "rejection_reason_id is required and must be an integer")
        if reason not in self.store.reasons:
            return error(422, "rejection_reason_id is not a rejection reason")
        notes = body.get("notes")
        if notes is not None and not isinstance(notes, str):
            return error(422, "notes must be a string")
        email = body.get("rejection_email")
        scheduled: SbScheduledEmail | None = None
        if email is not None:
            checked = self._email(application, email, grant)
            if isinstance(checked, FakeResponse):
                return checked
            scheduled = checked
        if application.status != "in_process":
            self.refused["reject"] += 1
            return error(422, "Only applications that are in process can be rejected")
        self.t.reject(application, reason, grant.sub, notes)
        if scheduled is not None:
            self.store.emails.append(scheduled)
        self.applied["reject"] += 1
        return FakeResponse(status=204)

    def unreject(self, request: FakeRequest, grant: Grant) -> FakeResponse:
        """``POST /v3/applications/{id}/unreject``."""
        application, _ = self._target(request, body_required=False)
        if isinstance(application, FakeResponse):
            return application
        if application.status != "rejected":
            self.refused["unreject"] += 1
            return error(422, "Only rejected applications can be unrejected")
        self.t.unreject(application)
        self.applied["unreject"] += 1
        return FakeResponse(status=204)

    def create_note(self, request: FakeRequest, grant: Grant) -> FakeResponse:
        """``POST /v3/notes``."""
        body = _json_object(request)
        if body is None:
            return error(400, "expected a JSON object")
        application_id = body.get("application_id")
        application = self.store.applications.get(application_id)  # type: ignore[arg-type]
        if application is None:
            return error(422, "application_id does not exist")
        if body.get("candidate_id") not in (None, application.candidate_id):
            return error(422, "candidate_id does not match the application")
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            return error(422, "body is required")
        visibility = body.get("visibility", "admin_only")
        note_type = body.get("note_type", "NOTE")
        if visibility not in _VISIBILITIES or note_type not in _NOTE_TYPES:
            return error(422, "visibility or note_type is not valid")
        author = body.get("user_id", grant.sub)
        note_id = self.store.next_id()
        note = SbNote(
            note_id,
            application.id,
            application.candidate_id,
            text,
            author if isinstance(author, int) else grant.sub,
            visibility,
            note_type,
            self.t.clock.now(),
        )
        self.store.notes[note_id] = note
        self.applied["add_note"] += 1
        return FakeResponse.json(note.v3(), status=201)

    # --- helpers --------------------------------------------------------------------------

    def _target(
        self, request: FakeRequest, *, body_required: bool = True
    ) -> tuple[SbApplication | FakeResponse, dict[str, Any]]:
        try:
            application_id = int(request.path_params["id"])
        except ValueError:
            return error(404, "Resource not found"), {}
        application = self.store.applications.get(application_id)
        if application is None:
            return error(404, "Resource not found"), {}
        if not request.body and not body_required:
            return application, {}
        body = _json_object(request)
        if body is None:
            return error(400, "expected a JSON object"), {}
        return application, body

    def _email(
        self, application: SbApplication, email: Any, grant: Grant
    ) -> SbScheduledEmail | FakeResponse:
        if not isinstance(email, dict):
            return error(422, "rejection_email must be an object")
        template = email.get("email_template_id")
        if isinstance(template, bool) or template not in self.store.email_templates:
            return error(422, "email_template_id is not a rejection e-mail template")
        sender = email.get("email_from_user_id", grant.sub)
        if sender is not None and sender not in self.store.users:
            return error(422, "email_from_user_id is not a user")
        send_at = None
        if email.get("send_email_at") is not None:
            zone_of = self._zone_of(grant)
            send_at = _moment(email["send_email_at"], zone_of)
            if send_at is None:
                return error(422, "send_email_at is not an ISO 8601 time")
        return SbScheduledEmail(application.id, template, send_at, sender)

    def _zone_of(self, grant: Grant) -> Callable[[], ZoneInfo]:
        def zone() -> ZoneInfo:
            user = self.store.users.get(grant.sub) if grant.sub is not None else None
            return ZoneInfo(user.time_zone if user else "UTC")

        return zone


def _json_object(request: FakeRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _moment(value: Any, zone: Callable[[], ZoneInfo]) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone())
