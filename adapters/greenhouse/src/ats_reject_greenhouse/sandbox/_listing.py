"""Harvest v3 list semantics for the sandbox: filters, id-descending order and cursor paging.

From https://harvestdocs.greenhouse.io/docs/pagination and ``docs/list-endpoints``:

* the first request carries the filters and ``per_page`` (1 to 500, default 100);
* a response with more results has ``Link: <...?cursor=...>; rel="next"`` and nothing else
  (no ``prev``, no ``last``);
* a request with ``cursor`` and any other parameter gets ``422 {"errors": ["When passing a
  cursor, do not include other query params."]}`` (airbytehq ``source-greenhouse``);
* results are ordered by id, descending;
* ``ids`` and every ``*_ids`` filter take at most 50 comma-separated ids;
* ``created_at`` / ``updated_at`` (and ``last_activity_at`` on applications) take
  ``op|value`` pairs, ops ``gte``, ``lte``, ``gt``, ``lt``: ``updated_at=gte|A|lte|B``.

The cursor holds the filters and the last id served, and each page is evaluated against the
data as it is when that page is asked for, as a real server does: an object changed between
pages is seen in its new state, or not at all if it left the window.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from ats_reject.testing import FakeRequest, FakeResponse

__all__ = [
    "CURSOR_ERROR",
    "ListError",
    "ListQuery",
    "descending",
    "error",
    "id_filter",
    "page_response",
    "parse_list_query",
    "time_filter",
]

CURSOR_ERROR = "When passing a cursor, do not include other query params."
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_IDS = 50
_OPS: Mapping[str, Callable[[datetime, datetime], bool]] = {
    "gte": lambda value, bound: value >= bound,
    "lte": lambda value, bound: value <= bound,
    "gt": lambda value, bound: value > bound,
    "lt": lambda value, bound: value < bound,
}

ItemT = TypeVar("ItemT")


def error(status: int, *messages: str) -> FakeResponse:
    """Greenhouse's error body: ``{"errors": [...]}``."""
    return FakeResponse.error(status, {"errors": list(messages)})


class ListError(Exception):
    """A list request Greenhouse would refuse; carries the answer to send."""

    def __init__(self, response: FakeResponse) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class ListQuery:
    """The filters of a listing, its page size and where the previous page ended."""

    filters: dict[str, str]
    per_page: int
    after: int | None = None

    def cursor_for(self, last_id: int) -> str:
        """The opaque cursor of the page after *last_id*."""
        raw = json.dumps({"q": self.filters, "n": self.per_page, "a": last_id}).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_list_query(request: FakeRequest) -> ListQuery:
    """Read a list request's query, or raise :class:`ListError` with Greenhouse's answer."""
    query = {name: values[-1] for name, values in request.query.items()}
    if "cursor" in query:
        if len(query) > 1:
            raise ListError(error(422, CURSOR_ERROR))
        return _decode_cursor(query["cursor"])
    per_page_text = query.pop("per_page", str(DEFAULT_PER_PAGE))
    try:
        per_page = int(per_page_text)
    except ValueError:
        raise ListError(error(422, "per_page must be an integer")) from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ListError(error(422, f"per_page must be between 1 and {MAX_PER_PAGE}"))
    for name, value in query.items():
        if name == "ids" or name.endswith("_ids"):
            id_filter(value, name)
    return ListQuery(filters=query, per_page=per_page)


def _decode_cursor(cursor: str) -> ListQuery:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        filters = {str(k): str(v) for k, v in data["q"].items()}
        return ListQuery(filters=filters, per_page=int(data["n"]), after=int(data["a"]))
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise ListError(error(422, "Invalid cursor")) from None


def id_filter(value: str | None, name: str = "ids") -> frozenset[int] | None:
    """Parse ``ids=1,2,3`` (at most 50); ``None`` when absent."""
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if len(parts) > MAX_IDS:
        raise ListError(error(422, f"{name} accepts at most {MAX_IDS} values"))
    try:
        return frozenset(int(part) for part in parts)
    except ValueError:
        raise ListError(error(422, f"{name} must be comma separated integers")) from None


def time_filter(value: str | None, name: str) -> Callable[[datetime | None], bool]:
    """Parse ``op|value[|op|value...]`` into a predicate over a (possibly missing) time."""
    if value is None:
        return lambda moment: True
    parts = value.split("|")
    if len(parts) % 2 or not parts:
        raise ListError(error(422, f"{name} must be operator|value pairs"))
    bounds: list[tuple[Callable[[datetime, datetime], bool], datetime]] = []
    for op, text in zip(parts[::2], parts[1::2], strict=True):
        if op not in _OPS:
            raise ListError(error(422, f"{name}: unknown operator"))
        try:
            bound = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ListError(error(422, f"{name}: invalid timestamp")) from None
        bounds.append((_OPS[op], bound if bound.tzinfo else bound.replace(tzinfo=UTC)))

    def matches(moment: datetime | None) -> bool:
        return moment is not None and all(check(moment, bound) for check, bound in bounds)

    return matches


def descending(ordered_ids: Sequence[int], after: int | None) -> Iterator[int]:
    """Ids below *after* (all when ``None``), highest first, from an ascending sequence."""
    end = len(ordered_ids) if after is None else bisect.bisect_left(ordered_ids, after)
    for index in range(end - 1, -1, -1):
        yield ordered_ids[index]


def page_response(
    query: ListQuery,
    candidates: Iterable[ItemT],
    *,
    item_id: Callable[[ItemT], int],
    render: Callable[[ItemT], Any],
    next_url: Callable[[str], str],
) -> FakeResponse:
    """Serve one page of *candidates* (already filtered, id-descending) with its next link."""
    page: list[Any] = []
    last_id: int | None = None
    more = False
    for item in candidates:
        if len(page) == query.per_page:
            more = True
            break
        page.append(render(item))
        last_id = item_id(item)
    headers: dict[str, str] = {}
    if more and last_id is not None:
        cursor = quote(query.cursor_for(last_id), safe="")
        headers["Link"] = f'<{next_url(cursor)}>; rel="next"'
    return FakeResponse.json(page, headers=headers)
