"""The Lever sandbox's routes: the Data API v1 subset the adapter calls, on a FakeServer.

Each handler follows the reference (https://hire.lever.co/developer/documentation); the
section is named next to each route. Handlers run under the state's lock.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from ats_reject.clock import Clock
from ats_reject.testing import FakeRequest, FakeResponse
from ats_reject_lever._mapping import HIRED_TYPE, to_millis
from ats_reject_lever._sandbox_data import (
    ARCHIVE_REASONS,
    POSTINGS,
    STAGES,
    USERS,
    StoredOpportunity,
    decode_cursor,
    encode_cursor,
    lever_error,
)

__all__ = ["MAX_LIMIT", "LeverApi", "Route"]

MAX_LIMIT = 100
"""Lever's largest page (``limit`` from 1 to 100)."""

Route = tuple[str, str, Callable[[FakeRequest], FakeResponse], str]
"""``(method, pattern, handler, route name)``."""

_USER_IDS = frozenset(user["id"] for user in USERS)
_POSTINGS = {posting["id"]: posting for posting in POSTINGS}
_CONFIDENTIALITY = frozenset({"confidential", "non-confidential", "all"})


class LeverApi:
    """The sandbox's data and the handlers that serve it.

    Args:
        clock: The clock stored times follow.
        page_size: The most opportunities one page holds (Lever: 100; tests use less).
    """

    def __init__(self, clock: Clock, *, page_size: int) -> None:
        if not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size is between 1 and {MAX_LIMIT}")
        self.clock = clock
        self.page_size = page_size
        self.lock = threading.RLock()
        self.opportunities: dict[str, StoredOpportunity] = {}
        self.applied: Counter[str] = Counter()
        self.reasons: list[dict[str, str]] = [
            {"status": "active", "type": "non-hired", **reason} for reason in ARCHIVE_REASONS
        ]
        self._order: list[tuple[int, str]] = []
        self._note_ids = itertools.count(1)

    # --- data -----------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The clock's time in epoch milliseconds."""
        return to_millis(self.clock.now())

    def add(self, stored: StoredOpportunity) -> None:
        """Store a new opportunity."""
        with self.lock:
            self.opportunities[stored.id] = stored
            bisect.insort(self._order, stored.sort_key())

    def reason_type(self, reason_id: str) -> str | None:
        """The type of an archive reason, ``None`` when unknown."""
        return next((r["type"] for r in self.reasons if r["id"] == reason_id), None)

    def routes(self) -> list[Route]:
        """Every route, as ``(method, pattern, handler, name)``."""
        return [
            ("GET", "/v1/opportunities/{id}", self.get_opportunity, "get_opportunity"),
            ("GET", "/v1/opportunities", self.list_opportunities, "list_opportunities"),
            ("PUT", "/v1/opportunities/{id}/archived", self.update_archived, "update_archived"),
            ("POST", "/v1/opportunities/{id}/notes", self.create_note, "create_note"),
            ("GET", "/v1/opportunities/{id}/notes", self.list_notes, "list_notes"),
            ("POST", "/v1/opportunities/{id}/addTags", self.add_tags, "add_tags"),
            ("GET", "/v1/archive_reasons", self.list_archive_reasons, "list_archive_reasons"),
            ("GET", "/v1/stages", self.list_stages, "list_stages"),
            ("GET", "/v1/postings/{id}", self.get_posting, "get_posting"),
        ]

    # --- opportunities --------------------------------------------------------------------

    def get_opportunity(self, request: FakeRequest) -> FakeResponse:
        """Opportunities → "Retrieve a single opportunity": ``{"data": opportunity}``."""
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        return FakeResponse.json({"data": stored.render(_expand(request))})

    def list_opportunities(self, request: FakeRequest) -> FakeResponse:
        """Opportunities → "List all opportunities": ``{"data", "hasNext", "next"?}``.

        ``updated_at_start`` / ``updated_at_end`` are inclusive epoch milliseconds; the
        previous ``next`` comes back as ``offset``. Newest opportunities come first, and
        ``next`` is a position in that order, so changes during a listing neither skip nor
        repeat the others.
        """
        try:
            start = _int_param(request, "updated_at_start")
            end = _int_param(request, "updated_at_end")
            limit = _int_param(request, "limit")
            offset = request.query_value("offset")
            after = decode_cursor(offset) if offset else None
        except ValueError:
            return lever_error(400, "BadRequestError", "invalid updated_at, limit or offset")
        if limit is not None and not 1 <= limit <= MAX_LIMIT:
            return lever_error(400, "BadRequestError", "limit must be between 1 and 100")
        archived = request.query_value("archived")
        if archived not in (None, "true", "false"):
            return lever_error(400, "BadRequestError", "archived must be true or false")
        confidentiality = request.query.get("confidentiality", [])
        if any(value not in _CONFIDENTIALITY for value in confidentiality):
            return lever_error(400, "BadRequestError", "unknown confidentiality")
        size = min(limit or MAX_LIMIT, self.page_size)
        page: list[StoredOpportunity] = []
        has_next = False
        first = bisect.bisect_right(self._order, after) if after is not None else 0
        for index in range(first, len(self._order)):
            stored = self.opportunities[self._order[index][1]]
            if not _listed(stored, start, end, archived):
                continue
            if len(page) == size:
                has_next = True
                break
            page.append(stored)
        expand = _expand(request)
        body: dict[str, Any] = {"data": [stored.render(expand) for stored in page]}
        body["hasNext"] = has_next
        if has_next:
            body["next"] = encode_cursor(page[-1].sort_key())
        return FakeResponse.json(body)

    def update_archived(self, request: FakeRequest) -> FakeResponse:
        """Opportunities → "Update archived state": a reason archives, ``null`` unarchives."""
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        refused = _performer(request)
        if refused is not None:
            return refused
        body = _json_object(request)
        if body is None or "reason" not in body:
            return lever_error(400, "BadRequestError", "expected a JSON object with reason")
        reason = body["reason"]
        if not isinstance(body.get("cleanInterviews", False), bool):
            return lever_error(400, "BadRequestError", "cleanInterviews must be a boolean")
        if reason is not None and (not isinstance(reason, str) or not self.reason_type(reason)):
            return lever_error(400, "BadRequestError", "reason is not an archive reason")
        self._apply_archive(stored, reason)
        return FakeResponse.json({"data": stored.render(frozenset())})

    def _apply_archive(self, stored: StoredOpportunity, reason: str | None) -> None:
        previous = stored.archived_reason
        if reason == previous:
            return
        now = self.now_ms()
        if reason is None:
            kind = "unhire" if self.reason_type(previous or "") == HIRED_TYPE else "unreject"
            stored.archived_reason, stored.archived_at = None, None
        else:
            if previous is not None:
                kind = "change_reason"
            else:
                kind = "hire" if self.reason_type(reason) == HIRED_TYPE else "reject"
            stored.archived_reason, stored.archived_at = reason, now
        stored.updated_at = now
        self.applied[kind] += 1

    # --- notes and tags -------------------------------------------------------------------

    def create_note(self, request: FakeRequest) -> FakeResponse:
        """Notes → "Create a note": ``value`` is the text; answers 201 with the note."""
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        refused = _performer(request)
        if refused is not None:
            return refused
        body = _json_object(request)
        value = body.get("value") if body is not None else None
        if not isinstance(value, str) or not value.strip():
            return lever_error(400, "BadRequestError", "a note needs a value")
        note = {
            "id": str(uuid.UUID(int=next(self._note_ids))),
            "text": "Note",
            "fields": [{"type": "note", "text": "Note", "value": value}],
            "user": request.query_value("perform_as"),
            "secret": bool(body.get("secret", False)) if body else False,
            "completedAt": None,
            "createdAt": self.now_ms(),
            "deletedAt": None,
        }
        stored.notes.append(note)
        self.applied["add_note"] += 1
        return FakeResponse.json({"data": note}, status=201)

    def list_notes(self, request: FakeRequest) -> FakeResponse:
        """Notes → "List all notes": ``{"data": [note], "hasNext": false}``."""
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        return FakeResponse.json({"data": list(stored.notes), "hasNext": False})

    def add_tags(self, request: FakeRequest) -> FakeResponse:
        """Opportunities → "Update tags" (``addTags``): tags already there change nothing."""
        stored = self._find(request)
        if isinstance(stored, FakeResponse):
            return stored
        refused = _performer(request)
        if refused is not None:
            return refused
        body = _json_object(request)
        tags = body.get("tags") if body is not None else None
        if (
            not isinstance(tags, list)
            or not tags
            or not all(isinstance(tag, str) and tag for tag in tags)
        ):
            return lever_error(400, "BadRequestError", "tags must be a non-empty list of text")
        missing = [tag for tag in dict.fromkeys(tags) if tag not in stored.tags]
        if missing:
            stored.tags.extend(missing)
            stored.updated_at = self.now_ms()
            self.applied["add_tag"] += 1
        return FakeResponse.json({"data": stored.render(frozenset())})

    # --- account data ---------------------------------------------------------------------

    def list_archive_reasons(self, request: FakeRequest) -> FakeResponse:
        """Archive Reasons → "List all archive reasons" (hired and inactive ones included)."""
        return FakeResponse.json({"data": [dict(reason) for reason in self.reasons]})

    def list_stages(self, request: FakeRequest) -> FakeResponse:
        """Stages → "List all stages", in pipeline order."""
        return FakeResponse.json({"data": [{"id": sid, "text": text} for sid, text in STAGES]})

    def get_posting(self, request: FakeRequest) -> FakeResponse:
        """Postings → "Retrieve a single posting": ``{"data": posting}``."""
        posting = _POSTINGS.get(request.path_params["id"])
        if posting is None:
            return lever_error(404, "ResourceNotFound", "posting not found")
        owner = USERS[0]["id"]
        return FakeResponse.json(
            {
                "data": {
                    **posting,
                    "confidentiality": "non-confidential",
                    "user": owner,
                    "owner": owner,
                    "hiringManager": USERS[1]["id"],
                    "followers": [owner],
                    "tags": [],
                    "createdAt": 1_700_000_000_000,
                    "updatedAt": 1_700_000_000_000,
                    "workplaceType": "hybrid",
                }
            }
        )

    # --- helpers --------------------------------------------------------------------------

    def _find(self, request: FakeRequest) -> StoredOpportunity | FakeResponse:
        stored = self.opportunities.get(request.path_params["id"])
        return stored or lever_error(404, "ResourceNotFound", "opportunity not found")


def _listed(
    stored: StoredOpportunity, start: int | None, end: int | None, archived: str | None
) -> bool:
    if start is not None and stored.updated_at < start:
        return False
    if end is not None and stored.updated_at > end:
        return False
    return archived is None or (stored.archived_reason is not None) == (archived == "true")


def _expand(request: FakeRequest) -> frozenset[str]:
    # ``expand`` repeats (``expand=stage&expand=owner``); commas are accepted as well.
    return frozenset(
        part.strip() for value in request.query.get("expand", []) for part in value.split(",")
    )


def _int_param(request: FakeRequest, name: str) -> int | None:
    value = request.query_value(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise ValueError(name)
    return int(value)


def _performer(request: FakeRequest) -> FakeResponse | None:
    user = request.query_value("perform_as")
    if user not in _USER_IDS:
        return lever_error(400, "BadRequestError", "perform_as must be the id of a Lever user")
    return None


def _json_object(request: FakeRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
