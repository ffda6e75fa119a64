"""Paths, and Lever's list paging: ``{data, hasNext, next}``, ``next`` sent back as ``offset``.

https://hire.lever.co/developer/documentation#pagination (section title in the reference's
table of contents); the shape is confirmed by ``corbaltcode/lever-data-api-go``
(``reqresp.go``: ``BaseListResponse{next, hasNext}``, ``BaseListRequest{limit, offset}``) and
by ``thanford7/uprove`` (``getLeverItems`` sends ``next`` back as ``offset``).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import requests

from ats_reject.http import NextTokenPaginator, PageRequest

__all__ = ["LeverPaginator", "opportunity_path"]


class LeverPaginator(NextTokenPaginator):
    """Follows ``next`` while ``hasNext`` is true; a page without ``hasNext`` is the last.

    Short lists (archive reasons, stages) may come back in one page; a missing ``hasNext``
    there ends the listing instead of failing it, while a ``hasNext`` that is present must be
    a boolean (the base class checks).

    Args:
        limit: Items asked for per page (Lever allows 1 to 100), or ``None`` for Lever's
            default.
    """

    def __init__(self, *, limit: int | None = None) -> None:
        super().__init__(
            next_field="next",
            has_more_field="hasNext",
            param="offset",
            limit=limit,
            limit_param="limit",
            items_field="data",
        )

    def _next(self, response: requests.Response) -> PageRequest | None:
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._error(response, "page body is not valid JSON") from None
        if isinstance(body, dict) and "hasNext" not in body:
            return None
        return super()._next(response)


def opportunity_path(opportunity_id: str) -> str:
    """The path of one opportunity under the API root, its id percent-encoded."""
    return f"opportunities/{quote(opportunity_id, safe='')}"
