"""Walking a paginated listing: the loop between a client's requests and a paginator."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from ats_reject.http._errormap import response_schema_error
from ats_reject.http._paginate import PageRequest, Paginator

__all__ = ["SendPage", "origin_of", "walk_pages"]


class SendPage(Protocol):
    """Sends one page request (a read, whatever the method) and returns the response."""

    def __call__(
        self,
        path_or_url: str,
        /,
        *,
        params: dict[str, Any] | None,
        json: dict[str, Any] | None,
    ) -> requests.Response:
        """Send the request for one page."""
        ...


def walk_pages(
    send: SendPage,
    path_or_url: str,
    paginator: Paginator,
    *,
    origin: tuple[str, str],
    params: Mapping[str, Any] | None = None,
    json: Mapping[str, Any] | None = None,
) -> Iterator[requests.Response]:
    """Yield the pages of a listing, asking *paginator* how to get each next one.

    Args:
        send: Sends one page request.
        path_or_url: The listing's first page.
        paginator: Decides the next request and detects loops.
        origin: ``(scheme, host)`` every next URL must keep; credentials are never sent
            to another host because a response said so.
        params: Query parameters of the first request (over the paginator's own).
        json: JSON body of the first request; kept for every page.

    Raises:
        ResponseSchemaError: The paginator refused to go on, or a next URL leaves *origin*.
    """
    first_params = {**paginator.initial_params(), **(params or {})}
    first_json = dict(json) if json is not None else None
    following: PageRequest | None = PageRequest()
    while following is not None:
        target, page_params, page_json = _page_target(
            path_or_url, first_params, first_json, following
        )
        response = send(target, params=page_params, json=page_json)
        yield response
        following = paginator.next_page(response)
        if following is not None and following.url is not None:
            _check_origin(following.url, origin, paginator, response)


def _page_target(
    path_or_url: str,
    first_params: dict[str, Any],
    first_json: dict[str, Any] | None,
    following: PageRequest,
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    if following.url is not None:
        return following.url, None, first_json
    params = {**first_params, **(following.params or {})}
    body = first_json
    if following.json is not None:
        body = {**(first_json or {}), **following.json}
    return path_or_url, params or None, body


def origin_of(url: str) -> tuple[str, str]:
    """The scheme and ``host[:port]`` of *url*, lower-cased and without user info."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme.lower(), f"{host}:{parts.port}" if parts.port else host


def _check_origin(
    url: str, origin: tuple[str, str], paginator: Paginator, response: requests.Response
) -> None:
    if origin_of(url) != origin:
        raise response_schema_error(
            response,
            "pagination: a next link leaves the API's scheme or host; not followed",
            adapter=paginator.adapter or "unknown",
        )
