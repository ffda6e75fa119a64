"""Paginators fed bare responses: following, ending, and refusing to loop."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats_reject.errors import ResponseSchemaError
from ats_reject.http import (
    BodyCursorPaginator,
    LinkHeaderPaginator,
    NextTokenPaginator,
    OffsetPaginator,
    PageRequest,
    Paginator,
)

BASE = "https://harvest.example.test/v3/applications"

Respond = Callable[..., requests.Response]


def _link_page(
    respond: Respond, items: list[Any], next_url: str | None, url: str = BASE
) -> requests.Response:
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return respond(body=items, headers=headers, url=url)


# --- Link header ----------------------------------------------------------------------------


def test_link_header_is_followed_verbatim_and_ends_without_next(respond: Respond) -> None:
    paginator = LinkHeaderPaginator()
    # Duplicate parameters and odd encodings are kept exactly as the vendor wrote them.
    odd = f"{BASE}?page=2&page=3&per_page=1&per_page=1&cursor=a%2Fb"
    first = paginator.next_page(_link_page(respond, [{"id": 1}], odd))
    assert first == PageRequest(url=odd)
    assert paginator.next_page(_link_page(respond, [{"id": 2}], None, url=odd)) is None
    assert paginator.pages == 2


def test_link_header_with_prev_and_last_only_ends(respond: Respond) -> None:
    headers = {"Link": f'<{BASE}?page=1>; rel="prev", <{BASE}?page=9>; rel="last"'}
    assert LinkHeaderPaginator().next_page(respond(body=[1], headers=headers)) is None


def test_relative_next_link_is_resolved_against_the_page(respond: Respond) -> None:
    page = _link_page(respond, [1], "/v3/applications?cursor=xyz")
    assert LinkHeaderPaginator().next_page(page) == PageRequest(
        url="https://harvest.example.test/v3/applications?cursor=xyz"
    )


def test_link_back_to_a_page_already_read_is_a_loop(respond: Respond) -> None:
    paginator = LinkHeaderPaginator()
    second = f"{BASE}?cursor=2"
    paginator.next_page(_link_page(respond, [1], second))
    with pytest.raises(ResponseSchemaError, match="already read"):
        paginator.next_page(_link_page(respond, [2], BASE, url=second))


def test_link_to_itself_is_a_loop(respond: Respond) -> None:
    with pytest.raises(ResponseSchemaError, match="already read"):
        LinkHeaderPaginator().next_page(_link_page(respond, [1], BASE))


def test_items_of_a_link_page(respond: Respond) -> None:
    paginator = LinkHeaderPaginator(items_field="data")
    assert paginator.items(respond(body={"data": [1, 2]})) == [1, 2]
    with pytest.raises(ResponseSchemaError, match="no item list"):
        paginator.items(respond(body={"data": {"not": "a list"}}))
    with pytest.raises(ResponseSchemaError, match="not valid JSON"):
        paginator.items(respond(raw=b"<html>"))


# --- body cursor ----------------------------------------------------------------------------


def test_body_cursor_in_query_and_in_json_body(respond: Respond) -> None:
    query = BodyCursorPaginator(
        cursor_field="nextCursor", has_more_field="moreDataAvailable", items_field="results"
    )
    page = respond(body={"results": [1], "moreDataAvailable": True, "nextCursor": "c2"})
    assert query.next_page(page) == PageRequest(params={"cursor": "c2"})
    last = respond(body={"results": [2], "moreDataAvailable": False, "nextCursor": "c3"})
    assert query.next_page(last) is None

    in_body = BodyCursorPaginator(cursor_field="nextCursor", cursor_in_body=True)
    assert in_body.next_page(respond(body={"nextCursor": "c9"})) == PageRequest(
        json={"cursor": "c9"}
    )


def test_body_cursor_without_flag_ends_on_missing_or_empty_cursor(respond: Respond) -> None:
    paginator = BodyCursorPaginator(cursor_field="meta.next_cursor")
    assert paginator.next_page(respond(body={"meta": {"next_cursor": None}})) is None
    assert BodyCursorPaginator().next_page(respond(body={"next_cursor": ""})) is None


def test_body_next_url_is_followed_as_a_url(respond: Respond) -> None:
    paginator = BodyCursorPaginator(cursor_field="paging.next", cursor_is_url=True)
    page = respond(body={"jobs": [], "paging": {"next": f"{BASE}?since_id=7"}})
    assert paginator.next_page(page) == PageRequest(url=f"{BASE}?since_id=7")


@pytest.mark.parametrize(
    "body",
    [
        {"moreDataAvailable": True},
        {"moreDataAvailable": True, "nextCursor": ""},
        {"moreDataAvailable": True, "nextCursor": {"nested": 1}},
        {"moreDataAvailable": True, "nextCursor": True},
        {"moreDataAvailable": "yes", "nextCursor": "c"},
    ],
)
def test_body_cursor_refuses_more_without_a_usable_cursor(
    respond: Respond, body: dict[str, Any]
) -> None:
    paginator = BodyCursorPaginator(cursor_field="nextCursor", has_more_field="moreDataAvailable")
    with pytest.raises(ResponseSchemaError):
        paginator.next_page(respond(body=body))


def test_repeated_cursor_is_a_loop(respond: Respond) -> None:
    paginator = BodyCursorPaginator(cursor_field="next", items_field="items")
    paginator.next_page(respond(body={"items": [1], "next": "abc"}))
    with pytest.raises(ResponseSchemaError, match="same cursor"):
        paginator.next_page(respond(body={"items": [2], "next": "abc"}))


# --- offset and next token ------------------------------------------------------------------


def test_offset_advances_by_items_received_and_ends_on_a_short_page(respond: Respond) -> None:
    paginator = OffsetPaginator(limit=2, items_field="data")
    assert paginator.initial_params() == {"limit": 2, "offset": 0}
    assert paginator.next_page(respond(body={"data": [1, 2]})) == PageRequest(params={"offset": 2})
    assert paginator.next_page(respond(body={"data": [3, 4]})) == PageRequest(params={"offset": 4})
    assert paginator.next_page(respond(body={"data": [5]})) is None


def test_offset_with_has_more_flag(respond: Respond) -> None:
    paginator = OffsetPaginator(limit=10, items_field="data", has_more_field="has_more")
    page = respond(body={"data": [1, 2, 3], "has_more": True})
    assert paginator.next_page(page) == PageRequest(params={"offset": 3})
    with pytest.raises(ResponseSchemaError, match="offset is stuck"):
        paginator.next_page(respond(body={"data": [], "has_more": True}))


def test_offset_ignored_by_the_server_is_a_loop(respond: Respond) -> None:
    paginator = OffsetPaginator(limit=2)
    paginator.next_page(respond(body=[1, 2]))
    paginator.next_page(respond(body=[3, 4]))
    with pytest.raises(ResponseSchemaError, match="same page came back"):
        paginator.next_page(respond(body=[1, 2]))


def test_lever_style_next_token(respond: Respond) -> None:
    paginator = NextTokenPaginator(limit=100)
    assert paginator.initial_params() == {"limit": 100}
    page = respond(body={"data": [{"id": "a"}], "hasNext": True, "next": "tok1"})
    assert paginator.next_page(page) == PageRequest(params={"offset": "tok1"})
    assert paginator.items(page) == [{"id": "a"}]
    last = respond(body={"data": [{"id": "b"}], "hasNext": False})
    assert paginator.next_page(last) is None


@pytest.mark.parametrize(
    "body",
    [
        {"data": [1], "hasNext": True},
        {"data": [1], "hasNext": True, "next": ""},
        {"data": [1], "hasNext": True, "next": 5},
        {"data": [1], "hasNext": None, "next": "t"},
    ],
)
def test_next_token_refuses_more_without_a_token(respond: Respond, body: dict[str, Any]) -> None:
    with pytest.raises(ResponseSchemaError):
        NextTokenPaginator().next_page(respond(body=body))


def test_repeated_token_is_a_loop(respond: Respond) -> None:
    paginator = NextTokenPaginator()
    paginator.next_page(respond(body={"data": [1], "hasNext": True, "next": "t"}))
    with pytest.raises(ResponseSchemaError, match="same page token"):
        paginator.next_page(respond(body={"data": [2], "hasNext": True, "next": "t"}))


# --- shared bounds --------------------------------------------------------------------------


def test_empty_pages_that_claim_more_are_refused(respond: Respond) -> None:
    paginator = NextTokenPaginator(max_empty_pages=3)
    for token in ("a", "b"):
        paginator.next_page(respond(body={"data": [], "hasNext": True, "next": token}))
    with pytest.raises(ResponseSchemaError, match="3 empty pages"):
        paginator.next_page(respond(body={"data": [], "hasNext": True, "next": "c"}))


def test_max_pages_bound(respond: Respond) -> None:
    paginator = NextTokenPaginator(max_pages=3)
    paginator.next_page(respond(body={"data": [1], "hasNext": True, "next": "a"}))
    paginator.next_page(respond(body={"data": [2], "hasNext": True, "next": "b"}))
    with pytest.raises(ResponseSchemaError, match="more than 3 pages") as caught:
        paginator.next_page(respond(body={"data": [3], "hasNext": True, "next": "c"}))
    assert caught.value.path == "/v1/items"
    assert caught.value.method == "GET"


def test_errors_name_the_adapter_and_never_the_query(respond: Respond) -> None:
    paginator = LinkHeaderPaginator(adapter="greenhouse")
    url = f"{BASE}?email=jane%40example.com"
    with pytest.raises(ResponseSchemaError) as caught:
        paginator.next_page(_link_page(respond, [1], url, url=url))
    assert caught.value.adapter == "greenhouse"
    assert "jane" not in str(caught.value)


def test_page_request_repr_shows_no_query_or_parameter_values() -> None:
    following = PageRequest(url=f"{BASE}?email=jane%40example.com&cursor=c2")
    assert repr(following) == "PageRequest(url='/v3/applications?[query]', params=None, json=None)"
    by_params = PageRequest(params={"search": "Jane Doe", "cursor": "c2"}, json={"q": "jane"})
    assert repr(by_params) == "PageRequest(url=None, params=['cursor', 'search'], json=['q'])"


def test_validation() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        LinkHeaderPaginator(max_pages=0)
    with pytest.raises(ValueError, match="limit"):
        OffsetPaginator(limit=0)


# --- termination property -------------------------------------------------------------------

TOKENS = st.sampled_from(["a", "b", "c", "", None, 7, True, {"x": 1}])
ITEMS = st.lists(st.integers(min_value=0, max_value=3), max_size=3)
BODIES = st.one_of(
    st.fixed_dictionaries(
        {
            "data": st.one_of(ITEMS, st.none(), st.text(max_size=2)),
            "hasNext": st.one_of(st.booleans(), st.none()),
            "next": TOKENS,
            "nextCursor": TOKENS,
            "more": st.one_of(st.booleans(), st.integers(max_value=1)),
        }
    ),
    ITEMS,
    st.none(),
)
LINKS = st.one_of(
    st.none(),
    st.sampled_from([f"{BASE}?c=1", f"{BASE}?c=2", "/v3/applications?c=3", BASE, "", "::"]),
)


@st.composite
def _page_specs(draw: st.DrawFn) -> dict[str, Any]:
    link = draw(LINKS)
    spec: dict[str, Any] = {
        "url": draw(st.sampled_from([BASE, f"{BASE}?c=1", f"{BASE}?c=2"])),
        "headers": {"Link": f'<{link}>; rel="next"'} if link is not None else {},
    }
    raw = draw(st.sampled_from([None, b"not json", b""]))
    if raw is not None:
        spec["raw"] = raw
    else:
        spec["body"] = draw(BODIES)
    return spec


def _paginators() -> list[Paginator]:
    return [
        LinkHeaderPaginator(),
        LinkHeaderPaginator(items_field="data"),
        BodyCursorPaginator(cursor_field="nextCursor"),
        BodyCursorPaginator(cursor_field="nextCursor", has_more_field="more", items_field="data"),
        BodyCursorPaginator(cursor_field="next", cursor_is_url=True),
        OffsetPaginator(limit=2, items_field="data"),
        OffsetPaginator(limit=1),
        OffsetPaginator(limit=2, items_field="data", has_more_field="hasNext"),
        NextTokenPaginator(),
        NextTokenPaginator(has_more_field=None, items_field=None),
    ]


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    # respond is a pure function; nothing carries over between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=st.lists(_page_specs(), min_size=1, max_size=6))
def test_every_paginator_terminates_on_any_repeating_server(
    respond: Respond, specs: list[dict[str, Any]]
) -> None:
    # A server that answers the same few pages forever, in any order and of any shape, ends
    # every listing (normally or with ResponseSchemaError) long before the page bound.
    responses = [respond(**spec) for spec in specs]
    for paginator in _paginators():
        bound = 2 * len(responses) + paginator.max_empty_pages + 2
        for steps, response in enumerate(itertools.cycle(responses), start=1):
            assert steps <= bound, f"{paginator!r} did not stop"
            try:
                following = paginator.next_page(response)
            except ResponseSchemaError:
                break
            if following is None:
                break
