"""The Lever sandbox: a faithful fake of the Data API v1 subset the adapter calls.

It runs on :class:`~ats_reject.testing.FakeServer` (real HTTP on 127.0.0.1) and implements
:class:`~ats_reject.testing.AdapterSandbox`, so the conformance suite, the adapter's tests,
the demo and the benchmarks drive it the same way. What it plays:

* Basic auth with the API key and an empty password (401 otherwise);
* Lever's token-bucket rate limit per API key (10 per second, bursts of 20 by default),
  answering 429 without rate-limit headers, as none are documented;
* opportunities with millisecond timestamps, ``expand``, and paging by ``limit`` plus the
  previous ``next`` sent as ``offset`` until ``hasNext`` is false;
* the account's archive reasons (*Hired* of type hired among them), stages and postings;
* the archive / unarchive ``PUT``, notes and tags, all requiring ``perform_as``;
* webhooks signed as Lever signs them (``token`` + ``triggeredAt``, in the body);
* the fault injection and request counts of the testing kit.
"""

from __future__ import annotations

import base64
import random
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from ats_reject.clock import Clock, SystemClock
from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.testing import (
    CanaryPerson,
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    SignedWebhook,
)
from ats_reject.testing.fakeserver import Handler
from ats_reject.testing.sandbox import FakeServerSandbox, WebhookProbe
from ats_reject_lever._sandbox_api import LeverApi
from ats_reject_lever._sandbox_data import (
    HIRED_REASON_ID,
    POSTINGS,
    REJECTION_REASON_ID,
    STAGES,
    USERS,
    StoredOpportunity,
    TokenBucket,
    lever_error,
    retry_after_seconds,
)
from ats_reject_lever._sandbox_webhooks import WebhookSender

__all__ = ["LeverSandbox"]

_OPERATIONS = {
    "get_application": "get_opportunity",
    "changed_applications": "list_opportunities",
    "reject": "update_archived",
    "unreject": "update_archived",
    "add_note": "create_note",
    "add_tag": "add_tags",
}
_DEFAULT_STAGE = STAGES[5][0]
_FIRST_NAMES = ("Amara", "Bao", "Carmen", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines")
_LAST_NAMES = ("Okafor", "Nguyen", "Ruiz", "Ivanov", "Yilmaz", "Haddad", "Petrovic", "Sato")
_ORIGINS = ("applied", "applied", "applied", "sourced", "referred", "agency", "internal")
_SOURCES = ("Company website", "LinkedIn", "Referral", "Agency", "Job board")
_CITIES = ("Berlin", "Lisbon", "Toronto", "Austin", None)


class LeverSandbox(FakeServerSandbox):
    """A fake Lever on 127.0.0.1, implementing :class:`~ats_reject.testing.AdapterSandbox`.

    Args:
        clock: The clock for stored times and the rate limit (the test's FrozenClock).
        page_size: The most opportunities a page holds; Lever's is 100, and a small value
            makes tests cross pages.
        rate_limit: ``(requests per second, burst)`` of the token bucket, or ``None`` for
            no limit.
        retry_after: Send ``Retry-After`` on 429 (UNCONFIRMED for Lever; off by default).
    """

    webhook_kinds = frozenset(
        {
            EventKind.CREATED,
            EventKind.STAGE_CHANGED,
            EventKind.REJECTED,
            EventKind.UNREJECTED,
            EventKind.HIRED,
            EventKind.UNHIRED,
            EventKind.DELETED,
        }
    )
    rejection_reason_id = REJECTION_REASON_ID

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        page_size: int = 3,
        rate_limit: tuple[float, int] | None = (10.0, 20),
        retry_after: bool = False,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.page_size = page_size
        self.api = LeverApi(self.clock, page_size=page_size)
        self.server = FakeServer(name="lever", clock=self.clock)
        self.api_key = f"lever-key-{secrets.token_hex(16)}"
        self.webhook_secrets = (secrets.token_urlsafe(24), secrets.token_urlsafe(24))
        self.perform_as = str(USERS[0]["id"])
        self.bucket = TokenBucket(*rate_limit, self.clock) if rate_limit else None
        self.retry_after = retry_after
        self.rate_limited = 0
        self.sender = WebhookSender(self.api, self.webhook_secrets)
        self._authorization = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        for method, pattern, handler, name in self.api.routes():
            self.server.add_route(method, pattern, self._guarded(handler), name=name)

    def adapter_settings(self) -> dict[str, Any]:
        """Settings for :class:`~ats_reject_lever.LeverAdapter` pointing at this sandbox."""
        settings: dict[str, Any] = {
            "base_url": f"{self.server.base_url}/v1",
            "api_key": self.api_key,
            "perform_as": self.perform_as,
            "webhook_secrets": list(self.webhook_secrets),
        }
        if self.bucket is not None:
            settings["requests_per_second"] = self.bucket.rate
            settings["burst"] = self.bucket.burst
        return settings

    # --- data -----------------------------------------------------------------------------

    def seed_application(
        self, person: CanaryPerson, status: ApplicationStatus = ApplicationStatus.ACTIVE
    ) -> str:
        """Store an opportunity of *person* with *status*, changed now; return its id."""
        return self.seed_opportunity(person, status=status)

    def seed_opportunity(
        self,
        person: CanaryPerson,
        *,
        status: ApplicationStatus = ApplicationStatus.ACTIVE,
        stage_id: str = _DEFAULT_STAGE,
        posting_id: str | None = str(POSTINGS[0]["id"]),
        origin: str = "applied",
        tags: Iterable[str] = (),
        location: str | None = "Berlin",
        source: str = "Company website",
    ) -> str:
        """Store an opportunity with the given details; return its id."""
        now = self.api.now_ms()
        stored = StoredOpportunity(
            id=str(uuid.uuid4()),
            contact_id=str(uuid.uuid4()),
            application_id=str(uuid.uuid4()),
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
            location=location,
            stage_id=stage_id,
            posting_id=posting_id,
            owner_id=self.perform_as,
            origin=origin,
            source=source,
            created_at=now,
            updated_at=now,
            tags=list(tags),
        )
        self.api.add(stored)
        if status is not ApplicationStatus.ACTIVE:
            self.set_status(stored.id, status)
        return stored.id

    def seed_realistic(self, count: int, *, seed: int = 0) -> list[str]:
        """Store *count* varied opportunities (stages, postings, origins, archived ones)."""
        rng = random.Random(seed)  # noqa: S311 - made-up test data, reproducible by seed
        ids = []
        for number in range(count):
            person = CanaryPerson(
                first_name=rng.choice(_FIRST_NAMES),
                last_name=rng.choice(_LAST_NAMES),
                email=f"candidate.{seed}.{number}@example.test",
                phone=f"+1555{rng.randrange(10**7):07d}",
            )
            roll = rng.random()
            status = ApplicationStatus.ACTIVE
            if roll > 0.6:
                status = ApplicationStatus.REJECTED if roll < 0.95 else ApplicationStatus.HIRED
            ids.append(
                self.seed_opportunity(
                    person,
                    status=status,
                    stage_id=rng.choice(STAGES)[0],
                    posting_id=str(rng.choice(POSTINGS)["id"]),
                    origin=rng.choice(_ORIGINS),
                    tags=rng.sample(
                        ("backend", "senior", "remote", "referral"), k=rng.randrange(3)
                    ),
                    location=rng.choice(_CITIES),
                    source=rng.choice(_SOURCES),
                )
            )
        return ids

    def set_status(
        self, application_id: str, status: ApplicationStatus, reason_id: str | None = None
    ) -> None:
        """Archive, hire or reactivate as a recruiter would (not counted as applied writes)."""
        with self.api.lock:
            stored = self.api.opportunities[application_id]
            now = self.api.now_ms()
            if status is ApplicationStatus.ACTIVE:
                stored.archived_reason, stored.archived_at = None, None
            else:
                default = (
                    HIRED_REASON_ID if status is ApplicationStatus.HIRED else REJECTION_REASON_ID
                )
                stored.archived_reason, stored.archived_at = reason_id or default, now
            stored.updated_at = now

    def change(self, application_id: str, *, stage_id: str | None = None) -> None:
        """Touch an opportunity as a recruiter would (moving it to *stage_id* if given)."""
        with self.api.lock:
            stored = self.api.opportunities[application_id]
            if stage_id is not None:
                stored.stage_id = stage_id
            stored.updated_at = self.api.now_ms()

    def opportunity(self, application_id: str) -> dict[str, Any]:
        """The opportunity as the API renders it, fully expanded (for assertions)."""
        with self.api.lock:
            stored = self.api.opportunities[application_id]
            return stored.render(frozenset({"applications", "stage", "owner"}))

    def notes(self, application_id: str) -> list[str]:
        """The texts of the notes written on the opportunity."""
        with self.api.lock:
            notes = self.api.opportunities[application_id].notes
            return [str(note["fields"][0]["value"]) for note in notes]

    # --- webhooks -------------------------------------------------------------------------

    def webhook(
        self,
        event: EventKind | WebhookProbe,
        application_id: str | None = None,
        *,
        secret: str | None = None,
    ) -> SignedWebhook:
        """Build a delivery of *event* about *application_id*, signed as Lever signs."""
        return self.sender.webhook(event, application_id, secret=secret)

    def delivery(
        self,
        event: str,
        data: dict[str, Any] | None,
        *,
        secret: str | None = None,
        triggered_at: int | None = None,
        token: str | None = None,
    ) -> SignedWebhook:
        """A delivery of any *event* with any *data* (see :class:`WebhookSender`)."""
        return self.sender.delivery(
            event, data, secret=secret, triggered_at=triggered_at, token=token
        )

    def sign_webhook(self, body: bytes, *, secret: str | None = None) -> SignedWebhook:
        """Sign *body* as Lever does (see :meth:`WebhookSender.sign`)."""
        return self.sender.sign(body, secret=secret)

    # --- faults and counts ----------------------------------------------------------------

    def inject_fault(self, operation: str, fault: Fault, times: int = 1) -> None:
        """Play *fault* on *operation*'s route (``reject`` and ``unreject`` share the PUT)."""
        self.server.inject_fault(_OPERATIONS[operation], fault, times=times)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.server.clear_faults()

    def calls(self, operation: str) -> int:
        """Requests received for *operation*'s route."""
        return self.server.count(_OPERATIONS[operation])

    def applied_writes(self, operation: str) -> int:
        """Writes of *operation* that changed something."""
        if operation not in _OPERATIONS:
            raise KeyError(operation)
        with self.api.lock:
            return self.api.applied[operation]

    # --- routes ---------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        def guarded(request: FakeRequest) -> FakeResponse:
            if request.headers.get("Authorization") != self._authorization:
                return lever_error(401, "UnauthorizedError", "invalid API key")
            if self.bucket is not None:
                wait = self.bucket.take(self._authorization)
                if wait > 0:
                    with self.api.lock:
                        self.rate_limited += 1
                    headers = {"Retry-After": retry_after_seconds(wait)} if self.retry_after else {}
                    refusal = lever_error(429, "TooManyRequests", "rate limit exceeded")
                    return FakeResponse(429, refusal.json_body, headers=headers)
            with self.api.lock:
                return handler(request)

        return guarded

    def __repr__(self) -> str:
        """Count the opportunities; never show their people."""
        return f"<LeverSandbox {len(self.api.opportunities)} opportunities>"
