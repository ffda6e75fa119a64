"""The Greenhouse sandbox: a faithful fake of the Harvest v3 subset the adapter calls."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from ats_reject.clock import Clock, SystemClock
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.testing import (
    CanaryPerson,
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    RateLimitRule,
    SignedWebhook,
    WebhookProbe,
)
from ats_reject.testing.sandbox import FakeServerSandbox
from ats_reject_greenhouse.sandbox._hooks import HookBuilder, encode_like_greenhouse, send, sign
from ats_reject_greenhouse.sandbox._listing import error
from ats_reject_greenhouse.sandbox._oauth import ExpiryField, Grant, OAuthServer
from ats_reject_greenhouse.sandbox._reads import ReadRoutes
from ats_reject_greenhouse.sandbox._scenario import SandboxData
from ats_reject_greenhouse.sandbox._seed import (
    Organization,
    add_application,
    add_candidate,
    seed_organization,
)
from ats_reject_greenhouse.sandbox._store import SbApplication, Store
from ats_reject_greenhouse.sandbox._writes import Transitions, WriteRoutes

__all__ = ["DEFAULT_RATE_LIMIT", "GreenhouseSandbox"]

DEFAULT_RATE_LIMIT = RateLimitRule(limit=75, window_seconds=30.0)
"""Greenhouse's documented example: 75 requests per fixed 30-second window
(https://harvestdocs.greenhouse.io/docs/api-rate-limiting). The key is replaced by the
sandbox so that the budget belongs to the OAuth client, whatever token it uses."""

_ROUTES = {
    "get_application": "applications",
    "changed_applications": "applications",
    "reject": "reject",
    "unreject": "unreject",
    "add_note": "create_note",
}
_ACTIONS = {
    EventKind.REJECTED: "reject_candidate",
    EventKind.UNREJECTED: "unreject_candidate",
    EventKind.STAGE_CHANGED: "candidate_stage_change",
    EventKind.HIRED: "hire_candidate",
    EventKind.UNHIRED: "unhire_candidate",
    EventKind.UPDATED: "application_updated",
    EventKind.DELETED: "delete_application",
}
_UNUSED_ACTION = "offer_created"


class GreenhouseSandbox(SandboxData, FakeServerSandbox):
    """Harvest v3 on 127.0.0.1: OAuth token endpoint, reads, writes, webhooks, rate limits.

    Args:
        clock: The sandbox clock (record times, token expiry, rate-limit windows).
        rate_limit: The enforced budget per OAuth client (``None``: no limit).
        token_lifetime: Seconds an access token lives.
        expiry_field: How the token answer says when it expires.
        page_size: The ``page_size`` the adapter settings ask for (the listing allows 500).
    """

    webhook_kinds: frozenset[EventKind] = frozenset(_ACTIONS)

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        rate_limit: RateLimitRule | None = DEFAULT_RATE_LIMIT,
        token_lifetime: float = 3600.0,
        expiry_field: ExpiryField = "expires_at",
        page_size: int = 25,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.page_size = page_size
        self.server = FakeServer(name="greenhouse", clock=self.clock)
        self.store = Store()
        self.org: Organization = seed_organization(self.store)
        self.rejection_reason_id = str(self.org.reasons_we[0])
        """A "we rejected them" reason the sandbox accepts."""
        self.email_template_id = str(self.org.email_template)
        """The organization-wide rejection e-mail template."""
        self.oauth = OAuthServer(self.clock, token_lifetime, expiry_field)
        self.oauth.known_users.update(self.store.users)
        self.client_id = "sandbox-client-0001"
        self.client_secret = "sandbox-client-secret-REDACTED-0001"  # noqa: S105 - a fake's
        self.oauth.register_client(self.client_id, self.client_secret)
        self.webhook_secrets = (
            "sandbox-webhook-secret-current-000001",
            "sandbox-webhook-secret-previous-00002",
        )
        self.applied: Counter[str] = Counter()
        self.lock = threading.RLock()
        self.transitions = Transitions(self.store, self.clock)
        self.reads = ReadRoutes(self.store, self.clock, self.api_url)
        self.writes = WriteRoutes(self.transitions, self.applied)
        self.hooks = HookBuilder(self.store)
        self._install_routes()
        self.rate_limit = rate_limit

    def api_url(self, path: str) -> str:
        """The absolute URL of a Harvest v3 path (``applications?cursor=...``)."""
        return f"{self.server.base_url}/v3/{path.lstrip('/')}"

    @property
    def rate_limit(self) -> RateLimitRule | None:
        """The enforced rule (per OAuth client); set ``None`` to lift it."""
        return self.server.rate_limit

    @rate_limit.setter
    def rate_limit(self, rule: RateLimitRule | None) -> None:
        if rule is not None:
            rule = RateLimitRule(
                limit=rule.limit,
                window_seconds=rule.window_seconds,
                style="x-ratelimit",
                reset="epoch",
                window=rule.window,
                key=self.oauth.rate_key,
                retry_after=True,
            )
        self.server.rate_limit = rule

    def adapter_settings(self) -> dict[str, Any]:
        """Raw settings for :class:`~ats_reject_greenhouse.GreenhouseAdapter`."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "acting_user_id": self.org.acting_user,
            "base_url": f"{self.server.base_url}/v3",
            "token_url": f"{self.server.base_url}/token",
            "webhook_secrets": list(self.webhook_secrets),
            "page_size": self.page_size,
        }

    # --- protocol data ----------------------------------------------------------------------

    def seed_application(
        self, person: CanaryPerson, status: ApplicationStatus = ApplicationStatus.ACTIVE
    ) -> str:
        """Store an application of *person* (at the screen stage) with *status*."""
        now = self.clock.now()
        with self.lock:
            candidate = add_candidate(
                self.store,
                now,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                phone=person.phone,
            )
            application = self._add(candidate.id, self.org.jobs[0], stage_index=1)
            self._set(application, status)
        return str(application.id)

    def set_status(self, application_id: str, status: ApplicationStatus) -> None:
        """Change the status as a recruiter would in Greenhouse (not an applied write)."""
        with self.lock:
            self._set(self.store.applications[int(application_id)], status)

    def _set(self, application: SbApplication, status: ApplicationStatus) -> None:
        t = self.transitions
        if status is ApplicationStatus.ACTIVE:
            if application.status == "rejected":
                t.unreject(application)
            elif application.status == "hired":
                application.status = "in_process"
                t.unreject(application)
        elif status is ApplicationStatus.REJECTED and application.status != "rejected":
            if application.status == "hired":
                application.status = "in_process"
            t.reject(application, self.org.reasons_we[0], self.org.acting_user)
        elif status is ApplicationStatus.HIRED and application.status != "hired":
            if application.status == "rejected":
                t.unreject(application)
            t.hire(application)

    def _add(
        self, candidate_id: int, job_id: int, stage_index: int = 0, **extra: Any
    ) -> SbApplication:
        application = add_application(
            self.store,
            self.clock.now(),
            candidate_id=candidate_id,
            job_id=job_id,
            stage_index=stage_index,
            recruiter_id=self.org.recruiters[0],
            source_id=self.org.sources[0],
        )
        for name, value in extra.items():
            setattr(application, name, value)
        self.reads.application_order.append(application.id)
        return application

    # --- webhooks ---------------------------------------------------------------------------

    def webhook(
        self,
        event: EventKind | WebhookProbe,
        application_id: str | None = None,
        *,
        secret: str | None = None,
    ) -> SignedWebhook:
        """A delivery Greenhouse would send about *application_id*, signed."""
        with self.lock:
            if event == "ping":
                payload = self.hooks.ping(
                    self.store.next_id(), "https://example.test/hooks", self.clock.now()
                )
            elif event == "unknown":
                payload = {
                    "action": _UNUSED_ACTION,
                    "payload": {
                        "id": self.store.next_id(),
                        "application_id": int(application_id or 0),
                        "version": 1,
                        "offer_status": "Created",
                        "custom_fields": {},
                    },
                }
            else:
                application = self.store.applications[int(application_id or 0)]
                payload = self.hooks.application_event(_ACTIONS[EventKind(event)], application)
        return self.sign_webhook(encode_like_greenhouse(payload), secret=secret)

    def candidate_webhook(
        self,
        action: str,
        candidate_id: str,
        *,
        merged_into: str | None = None,
        secret: str | None = None,
    ) -> SignedWebhook:
        """``delete_candidate``, ``merge_candidate`` or ``candidate_anonymized``, signed."""
        with self.lock:
            candidate = self.store.candidates[int(candidate_id)]
            deleted = [
                a.id for a in self.store.applications.values() if a.candidate_id == candidate.id
            ]
            payload = self.hooks.person_event(
                action,
                candidate,
                merged_into=int(merged_into) if merged_into else None,
                deleted_application_ids=deleted,
            )
        return self.sign_webhook(encode_like_greenhouse(payload), secret=secret)

    def sign_webhook(self, body: bytes, *, secret: str | None = None) -> SignedWebhook:
        """Sign any *body* exactly as Greenhouse does (a fresh ``Greenhouse-Event-ID``)."""
        return sign(body, secret or self.webhook_secrets[0])

    def deliver(self, url: str, webhook: SignedWebhook) -> int:
        """POST *webhook* to a receiver at *url*; return its status code."""
        return send(url, webhook)

    # --- faults and counts ------------------------------------------------------------------

    def inject_fault(self, operation: str, fault: Fault, times: int = 1) -> None:
        """Play *fault* on *operation*'s route.

        ``get_application`` and ``changed_applications`` share ``GET /v3/applications``.
        """
        self.server.inject_fault(_ROUTES[operation], fault, times=times)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.server.clear_faults()

    def calls(self, operation: str) -> int:
        """Requests received on *operation*'s route."""
        return self.server.count(_ROUTES[operation])

    def applied_writes(self, operation: str) -> int:
        """Writes of *operation* that changed something."""
        _ROUTES[operation]
        with self.lock:
            return self.applied[operation]

    def expire_tokens(self) -> None:
        """Revoke every access token (the next call gets a 401)."""
        self.oauth.revoke_all()

    # --- routes -----------------------------------------------------------------------------

    def _install_routes(self) -> None:
        server, reads, writes = self.server, self.reads, self.writes
        server.add_route("POST", "/token", self._locked(self.oauth.token), name="token")
        for path, handler in (
            ("applications", reads.applications),
            ("candidates", reads.candidates),
            ("application_stages", reads.application_stages),
            ("job_interview_stages", reads.job_interview_stages),
            ("rejection_details", reads.rejection_details),
            ("rejection_reasons", reads.rejection_reasons),
            ("notes", reads.notes),
            ("jobs", reads.simple("jobs")),
            ("offices", reads.simple("offices")),
            ("departments", reads.simple("departments")),
            ("users", reads.simple("users")),
            ("sources", reads.simple("sources")),
        ):
            server.add_route("GET", f"/v3/{path}", self._api(_reader(handler)), name=path)
        server.add_route(
            "POST", "/v3/applications/{id}/reject", self._api(writes.reject), name="reject"
        )
        server.add_route(
            "POST", "/v3/applications/{id}/unreject", self._api(writes.unreject), name="unreject"
        )
        server.add_route("POST", "/v3/notes", self._api(writes.create_note), name="create_note")

    def _locked(
        self, handler: Callable[[FakeRequest], FakeResponse]
    ) -> Callable[[FakeRequest], FakeResponse]:
        def locked(request: FakeRequest) -> FakeResponse:
            with self.lock:
                return handler(request)

        return locked

    def _api(
        self, handler: Callable[[FakeRequest, Grant], FakeResponse]
    ) -> Callable[[FakeRequest], FakeResponse]:
        def guarded(request: FakeRequest) -> FakeResponse:
            grant = self.oauth.authenticate(request)
            if grant is None:
                return error(401, "Unauthorized")
            with self.lock:
                return handler(request, grant)

        return guarded

    def __repr__(self) -> str:
        """Count the data; never show people."""
        return f"<GreenhouseSandbox {len(self.store.applications)} applications>"


def _reader(
    handler: Callable[[FakeRequest], FakeResponse],
) -> Callable[[FakeRequest, Grant], FakeResponse]:
    """A read route: any valid token may read; who it acts as does not matter."""

    def read(request: FakeRequest, grant: Grant) -> FakeResponse:
        return handler(request)

    return read
