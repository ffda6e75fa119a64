"""The Lever sandbox's account data and the shapes it answers with.

Account defaults follow what a new Lever account has: the built-in pipeline stages (``lead-new``
... ``offer``, the others with UUIDs) and archive reasons, one of which "is always Hired"
(hire.lever.co/developer/support, "Archive"); the reason list mirrors the one recorded in
``NangoHQ/integration-templates`` ``integrations/lever/mocks/get-archive-reasons``, an inactive
reason included. People, users and postings are made up (``example.test`` addresses).
"""

from __future__ import annotations

import base64
import json
import math
import threading
from dataclasses import dataclass, field
from typing import Any

from ats_reject.clock import Clock
from ats_reject.testing import FakeResponse

__all__ = [
    "ARCHIVE_REASONS",
    "HIRED_REASON_ID",
    "POSTINGS",
    "REJECTION_REASON_ID",
    "STAGES",
    "USERS",
    "WITHDREW_REASON_ID",
    "StoredOpportunity",
    "TokenBucket",
    "decode_cursor",
    "encode_cursor",
    "lever_error",
    "retry_after_seconds",
]

STAGES: tuple[tuple[str, str], ...] = (
    ("lead-new", "New lead"),
    ("lead-reached-out", "Reached out"),
    ("lead-responded", "Responded"),
    ("applicant-new", "New applicant"),
    ("8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d01", "Recruiter screen"),
    ("8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d02", "Phone interview"),
    ("8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d03", "Take-home assessment"),
    ("8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d04", "On-site interview"),
    ("8b2f5c1e-3f0a-4c59-9d0e-5a1f2b3c4d05", "Final interview"),
    ("offer", "Offer"),
)
"""``(id, text)`` in pipeline order."""

REJECTION_REASON_ID = "4105fb10-1f79-44ec-b873-33886dc01348"
""""Under-qualified", a non-hired reason."""
WITHDREW_REASON_ID = "6039b390-1ce0-4edf-901c-b71dcf7894e1"
""""Withdrew", a non-hired reason."""
HIRED_REASON_ID = "0092d31b-502b-4f0d-b4da-3827e1a2991f"
""""Hired", the reason of type hired."""

ARCHIVE_REASONS: tuple[dict[str, str], ...] = (
    {"id": "08168d73-d2aa-4f11-898b-2d1c57f1662a", "text": "Position filled"},
    {"id": "22a7cc8d-4379-4cb6-8001-62567fa247b4", "text": "Comp"},
    {"id": "4921cae1-5e4e-4576-a685-04ae868a9f73", "text": "Better for another role"},
    {"id": REJECTION_REASON_ID, "text": "Under-qualified"},
    {
        "id": "82cc825e-90ad-4f22-a449-0b73955bac9c",
        "text": "No Response - OLD",
        "status": "inactive",
    },
    {"id": "c97322d4-a7f3-4008-948c-4f8e9c58d372", "text": "Timing"},
    {"id": WITHDREW_REASON_ID, "text": "Withdrew"},
    {"id": "a700d50e-dfe4-40bb-9069-a64f2d4f70f5", "text": "Offer declined"},
    {"id": HIRED_REASON_ID, "text": "Hired", "type": "hired"},
    {"id": "8e0f977c-a482-44bb-b3f2-2a3d0eb4173b", "text": "No Response"},
)

USERS: tuple[dict[str, Any], ...] = (
    {
        "id": "a36cc64a-c990-4732-8288-9d4913220c7f",
        "name": "Robin Recruiter",
        "username": "robin",
        "email": "robin.recruiter@example.test",
        "accessRole": "super admin",
        "jobTitle": "Senior Recruiter",
    },
    {
        "id": "b59ae96c-c132-4a91-9c5c-dccd88fc2794",
        "name": "Sam Sourcer",
        "username": "sam",
        "email": "sam.sourcer@example.test",
        "accessRole": "team member",
        "jobTitle": "Talent Partner",
    },
)

POSTINGS: tuple[dict[str, Any], ...] = (
    {
        "id": "d248f6f5-ca37-4467-a08d-11ad90fd9b1f",
        "text": "Backend Engineer",
        "state": "published",
        "categories": {
            "commitment": "Full-time",
            "department": "Engineering",
            "team": "Platform",
            "location": "Berlin",
            "allLocations": ["Berlin"],
        },
        "country": "DE",
    },
    {
        "id": "513d232d-2bfa-4120-a6d2-bf5fccbe0598",
        "text": "Product Designer",
        "state": "published",
        "categories": {
            "commitment": "Full-time",
            "department": "Product",
            "team": "Design",
            "location": "Toronto, ON",
            "allLocations": ["Toronto, ON", "Remote"],
        },
        "country": "CA",
    },
    {
        "id": "f8b7dd19-1d9f-40f1-8090-e4a62e989e0b",
        "text": "Account Executive",
        "state": "closed",
        "categories": {
            "commitment": "Full-time",
            "department": "Sales",
            "team": "Mid-Market",
            "location": "Austin, TX",
            "allLocations": ["Austin, TX"],
        },
        "country": "US",
    },
)

_STAGE_NAMES = dict(STAGES)
_USERS_BY_ID = {user["id"]: user for user in USERS}
_POSTING_LOCATIONS = {posting["id"]: posting["categories"]["location"] for posting in POSTINGS}


@dataclass(slots=True)
class StoredOpportunity:
    """One opportunity as the sandbox keeps it (times in epoch milliseconds)."""

    id: str
    contact_id: str
    application_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    location: str | None
    stage_id: str
    posting_id: str | None
    owner_id: str
    origin: str
    source: str
    created_at: int
    updated_at: int
    tags: list[str] = field(default_factory=list)
    archived_reason: str | None = None
    archived_at: int | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The contact's full name, as Lever holds it."""
        return f"{self.first_name} {self.last_name}".strip()

    def sort_key(self) -> tuple[int, str]:
        """Listing order: newest created first, then by id (the cursor's position)."""
        return (-self.created_at, self.id)

    def render(self, expand: frozenset[str]) -> dict[str, Any]:
        """The opportunity as ``GET /opportunities/:id`` answers it (``model/opportunity.go``)."""
        archived = None
        if self.archived_reason is not None:
            archived = {"reason": self.archived_reason, "archivedAt": self.archived_at}
        stage: Any = self.stage_id
        if "stage" in expand:
            stage = {"id": self.stage_id, "text": _STAGE_NAMES.get(self.stage_id, "")}
        owner: Any = self.owner_id
        if "owner" in expand:
            owner = _render_user(self.owner_id)
        applications: list[Any] = [self.application_id] if self.posting_id else []
        if "applications" in expand and self.posting_id:
            applications = [self._render_application()]
        return {
            "id": self.id,
            "name": self.name,
            "headline": "",
            "contact": self.contact_id,
            "emails": [self.email],
            "phones": [{"type": "mobile", "value": self.phone}],
            "confidentiality": "non-confidential",
            "location": self.location,
            "links": [],
            "archived": archived,
            "tags": list(self.tags),
            "sources": [self.source],
            "stageChanges": [
                {
                    "toStageId": self.stage_id,
                    "toStageIndex": _stage_index(self.stage_id),
                    "updatedAt": self.created_at,
                    "userId": self.owner_id,
                }
            ],
            "origin": self.origin,
            "sourcedBy": self.owner_id,
            "owner": owner,
            "followers": [self.owner_id],
            "applications": applications,
            "stage": stage,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "lastInteractionAt": self.updated_at,
            "lastAdvancedAt": self.created_at,
            "snoozedUntil": None,
            "urls": {
                "list": "https://hire.lever.co/candidates",
                "show": f"https://hire.lever.co/candidates/{self.id}",
            },
            "isAnonymized": False,
            "dataProtection": None,
            "opportunityLocation": _POSTING_LOCATIONS.get(self.posting_id or "", "unspecified"),
        }

    def _render_application(self) -> dict[str, Any]:
        return {
            "id": self.application_id,
            "opportunityId": self.id,
            "candidateId": self.id,
            "createdAt": self.created_at,
            "type": "posting",
            "posting": self.posting_id,
            "postingOwner": self.owner_id,
            "postingHiringManager": None,
            "user": None,
            "name": self.name,
            "email": self.email,
            "phone": {"type": "mobile", "value": self.phone},
            "archived": None,
        }


def _render_user(user_id: str) -> dict[str, Any]:
    user = _USERS_BY_ID.get(user_id, {"id": user_id, "name": "", "email": None})
    return {
        "photo": None,
        "createdAt": 1_500_000_000_000,
        "deactivatedAt": None,
        "externalDirectoryId": None,
        "linkedContactIds": None,
        **user,
    }


def _stage_index(stage_id: str) -> int:
    return next((index for index, (known, _) in enumerate(STAGES) if known == stage_id), 0)


class TokenBucket:
    """Lever's limiter: a bucket of *burst* tokens per key, refilled at *rate* per second.

    "We currently rate limit by API key using an implementation of token bucket ... a steady
    state number of 10 requests/second per API key ... bursts of requests up to 20 per
    second" (hire.lever.co/developer/documentation, "Rate Limits"). Time is the clock's
    monotonic time, so tests drive it with a FrozenClock.
    """

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket refills at a positive rate and holds a token")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Take a token for *key*; return 0 when granted, else the seconds until one is free."""
        with self._lock:
            now = self._clock.monotonic()
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def encode_cursor(key: tuple[int, str]) -> str:
    """An opaque ``next`` token holding the listing position after *key*."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[int, str]:
    """Read a ``next`` token back.

    Raises:
        ValueError: It is not one this sandbox handed out.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        position, opportunity_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a listing token") from exc
    if not isinstance(position, int) or not isinstance(opportunity_id, str):
        # A ValueError like every other bad token: the route answers 400 for all of them.
        raise ValueError("not a listing token")  # noqa: TRY004
    return position, opportunity_id


def lever_error(status: int, code: str, message: str) -> FakeResponse:
    """An error answer: ``{"code", "message"}`` (``model/error.go``: ``LeverError``).

    The code names are the sandbox's own; Lever's exact code strings are UNCONFIRMED.
    """
    return FakeResponse.error(status, {"code": code, "message": message})


def retry_after_seconds(wait: float) -> str:
    """Whole seconds, rounded up, for a ``Retry-After`` header."""
    return str(max(1, math.ceil(wait)))
