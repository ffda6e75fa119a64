"""The Example ATS sandbox: its API (see :mod:`ats_reject.testing.example_adapter`) on a FakeServer.

A model for adapter authors writing their own sandbox: the vendor's data lives in plain
dicts under one lock, each route is a small function from a
:class:`~ats_reject.testing.FakeRequest` to a :class:`~ats_reject.testing.FakeResponse`, and
the :class:`~ats_reject.testing.AdapterSandbox` members map operations to route names.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import secrets
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ats_reject.clock import Clock, SystemClock
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.testing._example_payloads import EVENT_KINDS, PING_EVENT
from ats_reject.testing.example_adapter import SIGNATURE
from ats_reject.testing.fakeserver import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    Handler,
    RateLimitRule,
)
from ats_reject.testing.sandbox import (
    CanaryPerson,
    FakeServerSandbox,
    SignedWebhook,
    WebhookProbe,
)

__all__ = ["DEFAULT_RATE_LIMIT", "ExampleSandbox"]

DEFAULT_RATE_LIMIT = RateLimitRule(limit=100, window_seconds=10.0)
"""The Example ATS's documented limit: 100 requests per 10 s per API key."""

_ROUTES = {
    "get_application": "get_application",
    "changed_applications": "list_applications",
    "reject": "reject_application",
    "unreject": "unreject_application",
    "add_note": "add_note",
}
_EVENTS = {kind: name for name, kind in EVENT_KINDS.items()}
_REASONS = {"11": ("Not a fit for the role", "company"), "12": ("Withdrew", "candidate")}
_UNKNOWN_EVENT = "candidate.profile_viewed"


@dataclass
class _Stored:
    id: str
    person: CanaryPerson
    status: ApplicationStatus
    applied_at: datetime
    updated_at: datetime
    reason_id: str | None = None
    rejected_at: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        rejection = None
        if self.status is ApplicationStatus.REJECTED and self.rejected_at is not None:
            reason = _REASONS.get(self.reason_id or "")
            rejection = {
                "reason_id": self.reason_id,
                "reason_name": reason[0] if reason else None,
                "rejected_at": self.rejected_at.isoformat(),
            }
        return {
            "id": self.id,
            "status": self.status.value,
            "applied_at": self.applied_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "candidate": {
                "id": f"c{self.id}",
                "first_name": self.person.first_name,
                "last_name": self.person.last_name,
                "emails": [self.person.email],
                "phone": self.person.phone,
            },
            "job": {"id": "301", "title": "Backend Engineer"},
            "stage": {"id": "402", "name": "Interview", "position": 2},
            "rejection": rejection,
        }


def _error(status: int, code: str, message: str) -> FakeResponse:
    return FakeResponse.error(status, {"error": {"code": code, "message": message}})


class ExampleSandbox(FakeServerSandbox):
    """A fake Example ATS on 127.0.0.1, implementing :class:`~ats_reject.testing.AdapterSandbox`.

    Args:
        clock: The clock for stored times and rate-limit windows (the test's FrozenClock).
        rate_limit: The enforced limit; ``None`` for none.
    """

    page_size = 3
    webhook_kinds = frozenset(EVENT_KINDS.values())
    rejection_reason_id = "11"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimitRule | None = DEFAULT_RATE_LIMIT,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.server = FakeServer(name="example", clock=self.clock)
        self.server.rate_limit = rate_limit
        self.api_key = f"example-key-{secrets.token_hex(16)}"
        self.webhook_secrets = (secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        self._applications: dict[str, _Stored] = {}
        self._ids = itertools.count(1001)
        self._request_ids = itertools.count(1)
        self._applied: Counter[str] = Counter()
        self._lock = threading.Lock()
        for method, pattern, handler, route in (
            ("GET", "/v1/applications/{id}", self._get, "get_application"),
            ("GET", "/v1/applications", self._list, "list_applications"),
            ("POST", "/v1/applications/{id}/reject", self._reject, "reject_application"),
            ("POST", "/v1/applications/{id}/unreject", self._unreject, "unreject_application"),
            ("POST", "/v1/applications/{id}/notes", self._add_note, "add_note"),
            ("GET", "/v1/rejection_reasons", self._reasons, "rejection_reasons"),
        ):
            self.server.add_route(method, pattern, self._guarded(handler), name=route)

    def adapter_settings(self) -> dict[str, Any]:
        """Settings for :class:`~ats_reject.testing.example_adapter.ExampleAdapter`."""
        return {
            "base_url": f"{self.server.base_url}/v1",
            "api_key": self.api_key,
            "webhook_secrets": list(self.webhook_secrets),
        }

    # --- data -----------------------------------------------------------------------------

    def seed_application(
        self, person: CanaryPerson, status: ApplicationStatus = ApplicationStatus.ACTIVE
    ) -> str:
        """Store an application of *person* with *status*; return its id."""
        now = self.clock.now()
        with self._lock:
            application_id = str(next(self._ids))
            stored = _Stored(application_id, person, ApplicationStatus.ACTIVE, now, now)
            self._applications[application_id] = stored
            self._set(stored, status)
        return application_id

    def set_status(self, application_id: str, status: ApplicationStatus) -> None:
        """Change the status as a recruiter would (not counted as an applied write)."""
        with self._lock:
            self._set(self._applications[application_id], status)

    def notes(self, application_id: str) -> list[str]:
        """The notes written on the application."""
        with self._lock:
            return list(self._applications[application_id].notes)

    def _set(self, stored: _Stored, status: ApplicationStatus, reason_id: str = "11") -> None:
        now = self.clock.now()
        stored.status = status
        stored.updated_at = now
        rejected = status is ApplicationStatus.REJECTED
        stored.reason_id = reason_id if rejected else None
        stored.rejected_at = now if rejected else None

    # --- webhooks -------------------------------------------------------------------------

    def webhook(
        self,
        event: EventKind | WebhookProbe,
        application_id: str | None = None,
        *,
        secret: str | None = None,
    ) -> SignedWebhook:
        """Build a signed delivery of *event*."""
        if event == "ping":
            name = PING_EVENT
        elif event == "unknown":
            name = _UNKNOWN_EVENT
        else:
            name = _EVENTS[EventKind(event)]
        delivery_id = f"dlv_{uuid.uuid4().hex}"
        payload: dict[str, Any] = {
            "delivery_id": delivery_id,
            "event": name,
            "occurred_at": self.clock.now().isoformat(),
        }
        if application_id is not None:
            payload["application_id"] = application_id
            payload["candidate_id"] = f"c{application_id}"
        signed = self.sign_webhook(json.dumps(payload).encode(), secret=secret)
        return SignedWebhook(signed.headers, signed.body, delivery_id, signed.signature_headers)

    def sign_webhook(self, body: bytes, *, secret: str | None = None) -> SignedWebhook:
        """Sign *body* as the Example ATS does."""
        headers = {"Content-Type": "application/json", "User-Agent": "ExampleATS-Hooks/1.0"}
        headers.update(SIGNATURE.sign(body, secret or self.webhook_secrets[0]))
        return SignedWebhook(headers, body, "", (SIGNATURE.header,))

    # --- faults and counts ----------------------------------------------------------------

    def inject_fault(self, operation: str, fault: Fault, times: int = 1) -> None:
        """Play *fault* on *operation*'s route."""
        self.server.inject_fault(_ROUTES[operation], fault, times=times)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.server.clear_faults()

    def calls(self, operation: str) -> int:
        """Requests received for *operation*."""
        return self.server.count(_ROUTES[operation])

    def applied_writes(self, operation: str) -> int:
        """Writes of *operation* that changed something."""
        with self._lock:
            return self._applied[operation]

    # --- routes ---------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        def guarded(request: FakeRequest) -> FakeResponse:
            if request.headers.get("Authorization") != f"Bearer {self.api_key}":
                response = _error(401, "unauthorized", "missing or wrong API key")
            else:
                with self._lock:
                    response = handler(request)
            request_id = f"req_{next(self._request_ids):06d}"
            headers = {**response.headers, "X-Request-Id": request_id}
            return dataclasses.replace(response, headers=headers)

        return guarded

    def _find(self, request: FakeRequest) -> _Stored | FakeResponse:
        stored = self._applications.get(request.path_params["id"])
        return stored or _error(404, "not_found", "no such application")

    def _get(self, request: FakeRequest) -> FakeResponse:
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        return FakeResponse.json({"application": stored.as_json()})

    def _list(self, request: FakeRequest) -> FakeResponse:
        try:
            since = datetime.fromisoformat(request.query_value("updated_since") or "")
            before_text = request.query_value("updated_before")
            before = datetime.fromisoformat(before_text) if before_text else None
            limit = int(request.query_value("limit") or self.page_size)
            after = _decode_cursor(request.query_value("cursor"))
        except ValueError:
            return _error(422, "invalid_parameters", "bad updated_since, limit or cursor")
        if since.tzinfo is None or (before is not None and before.tzinfo is None) or limit < 1:
            return _error(422, "invalid_parameters", "times need an offset; limit >= 1")
        matching = sorted(
            (s for s in self._applications.values() if since <= s.updated_at),
            key=lambda s: (s.updated_at, int(s.id)),
        )
        if before is not None:
            matching = [s for s in matching if s.updated_at <= before]
        if after is not None:
            matching = [s for s in matching if (s.updated_at, int(s.id)) > after]
        page = matching[: min(limit, self.page_size)]
        more = len(matching) > len(page)
        cursor = _encode_cursor(page[-1]) if more else None
        return FakeResponse.json({"data": [s.as_json() for s in page], "next_cursor": cursor})

    def _reject(self, request: FakeRequest) -> FakeResponse:
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        try:
            reason_id = request.json()["reason_id"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "bad_request", "expected a JSON object with reason_id")
        if reason_id not in _REASONS:
            return _error(422, "unknown_reason", "no such rejection reason")
        if stored.status is not ApplicationStatus.ACTIVE:
            return _error(409, f"already_{stored.status.value}", "application is not active")
        self._set(stored, ApplicationStatus.REJECTED, reason_id)
        self._applied["reject"] += 1
        return FakeResponse.json({"application": stored.as_json()})

    def _unreject(self, request: FakeRequest) -> FakeResponse:
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        if stored.status is not ApplicationStatus.REJECTED:
            return _error(409, "not_rejected", "application is not rejected")
        self._set(stored, ApplicationStatus.ACTIVE)
        self._applied["unreject"] += 1
        return FakeResponse.json({"application": stored.as_json()})

    def _add_note(self, request: FakeRequest) -> FakeResponse:
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        try:
            text = request.json()["body"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "bad_request", "expected a JSON object with body")
        if not isinstance(text, str) or not text.strip():
            return _error(422, "empty_note", "a note needs text")
        stored.notes.append(text)
        stored.updated_at = self.clock.now()
        self._applied["add_note"] += 1
        return FakeResponse.json({"note": {"id": f"n{len(stored.notes)}"}}, status=201)

    def _reasons(self, request: FakeRequest) -> FakeResponse:
        reasons = [{"id": k, "name": name, "type": kind} for k, (name, kind) in _REASONS.items()]
        return FakeResponse.json({"data": reasons})

    def __repr__(self) -> str:
        """Count the stored applications; never show their people."""
        return f"<ExampleSandbox {len(self._applications)} applications>"


def _encode_cursor(stored: _Stored) -> str:
    raw = json.dumps([stored.updated_at.isoformat(), stored.id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        moment, application_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(moment), int(application_id)
    except (TypeError, KeyError) as exc:
        raise ValueError("bad cursor") from exc
