"""Paginators: small objects that read one page's response and say how to ask for the next.

Each kind of vendor paging has its own class; all detect loops (the same link, cursor or
token twice, or the same page body twice), refuse to continue without progress
(pages that say "more" but give no way to get it, or several empty pages in a row) and stop
at a page-count bound. Every such failure is a :class:`~ats_reject.errors.ResponseSchemaError`,
never an endless loop. A paginator serves one listing; create a new one for each.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests

from ats_reject._redact import safe_path
from ats_reject.errors import ResponseSchemaError
from ats_reject.http._errormap import response_schema_error

__all__ = [
    "BodyCursorPaginator",
    "LinkHeaderPaginator",
    "NextTokenPaginator",
    "OffsetPaginator",
    "PageRequest",
    "Paginator",
]

DEFAULT_MAX_PAGES = 10_000
DEFAULT_MAX_EMPTY_PAGES = 3


@dataclass(frozen=True)
class PageRequest:
    """How to ask for the next page.

    Attributes:
        url: A URL to request exactly as given, with no parameters added (a ``Link`` header
            or a body ``next`` URL). When set, the other fields are ignored.
        params: Query parameters to set over those of the first request.
        json: JSON body fields to set over those of the first request (POST listings).
    """

    url: str | None = None
    params: Mapping[str, Any] | None = None
    json: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        """Show the link's path and the parameter names: values can hold personal data."""
        url = self.url
        if url is not None:
            url = safe_path(url) + ("?[query]" if "?" in url else "")
        params = None if self.params is None else sorted(self.params)
        body = None if self.json is None else sorted(self.json)
        return f"PageRequest(url={url!r}, params={params!r}, json={body!r})"


class Paginator(ABC):
    """Base of the paginators.

    Args:
        items_field: Dotted path of the list of items in the JSON body (``"data"``,
            ``"results"``); ``None`` when the body itself is the list.
        max_pages: Pages after which the listing is refused as runaway.
        max_empty_pages: Consecutive empty pages that still say "more" before the listing
            is refused as making no progress.
        adapter: The adapter's name, for errors; :meth:`HttpClient.paginate` fills it in.
    """

    def __init__(
        self,
        *,
        items_field: str | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
        adapter: str | None = None,
    ) -> None:
        if max_pages < 1 or max_empty_pages < 1:
            raise ValueError("max_pages and max_empty_pages must be at least 1")
        self.items_field = items_field
        self.max_pages = max_pages
        self.max_empty_pages = max_empty_pages
        self.adapter = adapter
        self.pages = 0
        self._empty_in_a_row = 0
        self._digests: set[bytes] = set()
        self._followed: set[str] = set()
        # The last page and its decoded body: items, counting and the next-page rules all
        # read the same body, and decoding it once per page is enough.
        self._decoded: tuple[requests.Response, Any] | None = None

    def initial_params(self) -> dict[str, Any]:
        """Query parameters the first request needs (for example ``limit``)."""
        return {}

    def items(self, response: requests.Response) -> list[Any]:
        """Return the items of a page.

        Raises:
            ResponseSchemaError: The body is not JSON or holds no list where expected.
        """
        found = _dig(self._body(response), self.items_field)
        if not isinstance(found, list):
            raise self._error(response, f"no item list at {self.items_field or 'top level'}")
        # A copy: the decoded body is kept for the page's other readers.
        return list(found)

    def next_page(self, response: requests.Response) -> PageRequest | None:
        """Record a page and return how to ask for the next one, or ``None`` at the end.

        Raises:
            ResponseSchemaError: A loop, a page without progress, an unreadable body, or
                more than ``max_pages`` pages.
        """
        self.pages += 1
        following = self._next(response)
        if following is None:
            return None
        if self._count_items(response) == 0:
            self._empty_in_a_row += 1
            if self._empty_in_a_row >= self.max_empty_pages:
                raise self._error(
                    response, f"{self._empty_in_a_row} empty pages in a row claim more to come"
                )
        else:
            self._empty_in_a_row = 0
            # A server that ignores the cursor or offset answers a page it already sent.
            digest = hashlib.sha256(response.content or b"").digest()
            if digest in self._digests:
                raise self._error(response, "the same page came back twice; the listing loops")
            self._digests.add(digest)
        if self.pages >= self.max_pages:
            raise self._error(response, f"more than {self.max_pages} pages; refusing to go on")
        return following

    @abstractmethod
    def _next(self, response: requests.Response) -> PageRequest | None:
        """Return the next page's request, checking this kind's own loop signs."""

    def _count_items(self, response: requests.Response) -> int | None:
        try:
            return len(self.items(response))
        except ResponseSchemaError:
            return None

    def _body(self, response: requests.Response) -> Any:
        if self._decoded is not None and self._decoded[0] is response:
            return self._decoded[1]
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._error(response, "page body is not valid JSON") from None
        self._decoded = (response, body)
        return body

    def _has_more(
        self, response: requests.Response, flag_field: str | None, *, otherwise: bool
    ) -> bool:
        """Read the body's boolean "more pages" flag; *otherwise* when there is no flag."""
        if flag_field is None:
            return otherwise
        more = _dig(self._body(response), flag_field)
        if not isinstance(more, bool):
            raise self._error(response, f"{flag_field} is not a boolean")
        return more

    def _follow_once(self, token: str, response: requests.Response, loop: str) -> None:
        """Remember a link, cursor or token; meeting it again means the listing loops."""
        if token in self._followed:
            raise self._error(response, loop)
        self._followed.add(token)

    def _error(self, response: requests.Response, detail: str) -> ResponseSchemaError:
        return response_schema_error(
            response, f"pagination: {detail}", adapter=self.adapter or "unknown"
        )

    def __repr__(self) -> str:
        """Name the paginator and its progress."""
        return f"<{type(self).__name__} pages={self.pages}>"


class LinkHeaderPaginator(Paginator):
    """Follows ``Link: <...>; rel="next"`` exactly as given (Greenhouse v1 to v3, RFC 8288).

    The link is never rebuilt from parameters: vendors encode cursors in it, and Greenhouse
    refuses any extra parameter next to its cursor. A relative link is resolved against the
    page's URL. The listing ends when a page has no ``next`` link.
    """

    def _next(self, response: requests.Response) -> PageRequest | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        here = response.url or ""
        if here:
            self._followed.add(here)
        target = _resolve(here, link)
        self._follow_once(target, response, "a next link points to a page already read")
        return PageRequest(url=target)


class BodyCursorPaginator(Paginator):
    """Reads a cursor from the JSON body and sends it back (Ashby ``nextCursor``, ``paging.next``).

    Args:
        cursor_field: Dotted path of the cursor in the body.
        param: Name the cursor is sent back under.
        has_more_field: Dotted path of a boolean "more pages" flag, when the vendor has one;
            without it, a present, non-empty cursor means more.
        cursor_in_body: Send the cursor in the JSON body (POST listings) instead of the query.
        cursor_is_url: The cursor is a URL to request as is (``paging.next``).
        items_field: See :class:`Paginator`.
        max_pages: See :class:`Paginator`.
        max_empty_pages: See :class:`Paginator`.
        adapter: See :class:`Paginator`.
    """

    def __init__(
        self,
        *,
        cursor_field: str = "next_cursor",
        param: str = "cursor",
        has_more_field: str | None = None,
        cursor_in_body: bool = False,
        cursor_is_url: bool = False,
        items_field: str | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
        adapter: str | None = None,
    ) -> None:
        super().__init__(
            items_field=items_field,
            max_pages=max_pages,
            max_empty_pages=max_empty_pages,
            adapter=adapter,
        )
        self.cursor_field = cursor_field
        self.param = param
        self.has_more_field = has_more_field
        self.cursor_in_body = cursor_in_body
        self.cursor_is_url = cursor_is_url

    def _next(self, response: requests.Response) -> PageRequest | None:
        cursor = _dig(self._body(response), self.cursor_field)
        if not self._has_more(response, self.has_more_field, otherwise=cursor not in (None, "")):
            return None
        if isinstance(cursor, bool) or not isinstance(cursor, str | int) or cursor == "":
            raise self._error(response, f"more pages announced but no usable {self.cursor_field}")
        token = str(cursor)
        self._follow_once(token, response, "the same cursor came back twice; the listing loops")
        if self.cursor_is_url:
            return PageRequest(url=_resolve(response.url or "", token))
        if self.cursor_in_body:
            return PageRequest(json={self.param: cursor})
        return PageRequest(params={self.param: cursor})


class OffsetPaginator(Paginator):
    """Pages by ``limit`` and a numeric ``offset`` that advances by the items received.

    Args:
        limit: Items asked for per page.
        limit_param: Query parameter of the page size.
        offset_param: Query parameter of the offset.
        start: Offset of the first page.
        has_more_field: Dotted path of a boolean "more pages" flag; without it, a page
            shorter than *limit* is the last.
        items_field: See :class:`Paginator`.
        max_pages: See :class:`Paginator`.
        max_empty_pages: See :class:`Paginator`.
        adapter: See :class:`Paginator`.
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_param: str = "limit",
        offset_param: str = "offset",
        start: int = 0,
        has_more_field: str | None = None,
        items_field: str | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
        adapter: str | None = None,
    ) -> None:
        if limit < 1 or start < 0:
            raise ValueError("limit must be at least 1 and start not negative")
        super().__init__(
            items_field=items_field,
            max_pages=max_pages,
            max_empty_pages=max_empty_pages,
            adapter=adapter,
        )
        self.limit = limit
        self.limit_param = limit_param
        self.offset_param = offset_param
        self.has_more_field = has_more_field
        self.offset = start

    def initial_params(self) -> dict[str, Any]:
        """Ask for the first page: ``limit`` and the start offset."""
        return {self.limit_param: self.limit, self.offset_param: self.offset}

    def _next(self, response: requests.Response) -> PageRequest | None:
        received = len(self.items(response))
        if not self._has_more(response, self.has_more_field, otherwise=received >= self.limit):
            return None
        if received == 0:
            raise self._error(response, "an empty page claims more to come; the offset is stuck")
        self.offset += received
        return PageRequest(params={self.offset_param: self.offset})


class NextTokenPaginator(Paginator):
    """Pages by an opaque token the body hands out (Lever ``{data, hasNext, next}``).

    Lever's rule: send the previous ``next`` as ``offset`` while ``hasNext`` is true.

    Args:
        next_field: Dotted path of the token in the body.
        has_more_field: Dotted path of the boolean "more pages" flag; without it, a present,
            non-empty token means more.
        param: Query parameter the token is sent back under.
        limit: Page size to ask for, or ``None`` to leave it to the server.
        limit_param: Query parameter of the page size.
        items_field: See :class:`Paginator`.
        max_pages: See :class:`Paginator`.
        max_empty_pages: See :class:`Paginator`.
        adapter: See :class:`Paginator`.
    """

    def __init__(
        self,
        *,
        next_field: str = "next",
        has_more_field: str | None = "hasNext",
        param: str = "offset",
        limit: int | None = None,
        limit_param: str = "limit",
        items_field: str | None = "data",
        max_pages: int = DEFAULT_MAX_PAGES,
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
        adapter: str | None = None,
    ) -> None:
        super().__init__(
            items_field=items_field,
            max_pages=max_pages,
            max_empty_pages=max_empty_pages,
            adapter=adapter,
        )
        self.next_field = next_field
        self.has_more_field = has_more_field
        self.param = param
        self.limit = limit
        self.limit_param = limit_param

    def initial_params(self) -> dict[str, Any]:
        """Ask for the page size, when one is set."""
        return {} if self.limit is None else {self.limit_param: self.limit}

    def _next(self, response: requests.Response) -> PageRequest | None:
        token = _dig(self._body(response), self.next_field)
        if not self._has_more(response, self.has_more_field, otherwise=token not in (None, "")):
            return None
        if not isinstance(token, str) or not token:
            raise self._error(response, f"more pages announced but no usable {self.next_field}")
        self._follow_once(token, response, "the same page token came back twice; the listing loops")
        return PageRequest(params={self.param: token})


def _resolve(page_url: str, link: str) -> str:
    return urljoin(page_url, link) if page_url else link


def _dig(body: Any, path: str | None) -> Any:
    if path is None:
        return body
    found = body
    for part in path.split("."):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found
