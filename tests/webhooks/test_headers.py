"""WebhookHeaders: case-insensitive, strict about what is read, silent about the rest."""

from __future__ import annotations

import pytest
import requests

from ats_reject.errors import WebhookVerificationError
from ats_reject.webhooks import WebhookHeaders


def reason_of(headers: WebhookHeaders, name: str) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        headers.require(name)
    return caught.value.reason


def test_names_are_matched_ignoring_case() -> None:
    headers = WebhookHeaders({"Greenhouse-Event-ID": "abc"})
    assert headers.get("greenhouse-event-id") == "abc"
    assert headers.require("GREENHOUSE-EVENT-ID") == "abc"
    assert "greenhouse-event-id" in headers
    assert headers.get("Signature") is None
    assert "Signature" not in headers
    assert 42 not in headers


def test_asgi_byte_pairs_and_wsgi_style_text_pairs() -> None:
    asgi = WebhookHeaders([(b"content-type", b"application/json"), (b"x-id", b"7")])
    assert asgi.require("X-Id") == "7"
    text = WebhookHeaders([("X-Id", "7"), ("x-id", "7")])
    assert text.require("x-id") == "7"


def test_a_requests_case_insensitive_dict_is_a_mapping() -> None:
    headers = WebhookHeaders(requests.structures.CaseInsensitiveDict({"Signature": "s"}))
    assert headers.require("signature") == "s"


def test_a_headers_object_can_be_wrapped_again() -> None:
    original = WebhookHeaders({"A": "1"})
    assert WebhookHeaders(original).require("a") == "1"


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [
        ([("X-Id", "1"), ("x-id", "2")], "duplicated_header"),
        ([("X-Id", "1"), ("X-Id", "2")], "duplicated_header"),
        ([(b"x-id", b"1"), ("X-ID", "1"), ("x-Id", "1 ")], "duplicated_header"),
        ([("X-Id", "")], "empty_header"),
        ([("X-Other", "1")], "missing_header"),
        ([("X-Id", "caf\u00e9")], "non_ascii_header"),
        ([(b"x-id", b"caf\xc3\xa9")], "non_ascii_header"),
        ([(b"x-id", b"\xff")], "non_ascii_header"),
        ([("X-Id", "a\tb")], "malformed_header"),
        ([("X-Id", "a\r\nX-Injected: 1")], "malformed_header"),
        ([("X-Id", "\x7f")], "malformed_header"),
        ([("X-Id", 1)], "malformed_header"),
        ([("X-Id", None)], "malformed_header"),
        ([("X-Id", ["1", "2"])], "malformed_header"),
    ],
)
def test_reading_a_bad_header_raises_a_reason(
    pairs: list[tuple[object, object]], reason: str
) -> None:
    assert reason_of(WebhookHeaders(pairs), "x-id") == reason  # type: ignore[arg-type]


def test_a_look_alike_name_does_not_fold_onto_a_real_one() -> None:
    # "\u212a" (KELVIN SIGN) lower-cases to "k"; such a name must not count as "x-key".
    headers = WebhookHeaders([("X-\u212aey", "forged"), ("X-Key", "real")])
    assert headers.require("x-key") == "real"


def test_unread_headers_are_never_judged() -> None:
    headers = WebhookHeaders(
        [("Accept", "a"), ("accept", "b"), ("User-Agent", "\u00e9\x00"), ("X-Id", "1")]
    )
    assert headers.require("x-id") == "1"


@pytest.mark.parametrize(
    "headers",
    [None, 42, "X-Id: 1", b"X-Id: 1", [("X-Id",)], [("X-Id", "1", "2")], ["X-Id"], [(1, "1")]],
)
def test_shapes_that_are_not_headers_are_refused(headers: object) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        WebhookHeaders(headers)  # type: ignore[arg-type]
    assert caught.value.reason == "malformed_header"


def test_repr_shows_no_values() -> None:
    headers = WebhookHeaders({"Signature": "sha256 secretlooking", "X-Id": "1"})
    assert repr(headers) == "WebhookHeaders(2 names)"
