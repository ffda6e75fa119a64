"""The one translation of statuses, ``requests`` exceptions and vendor bodies (R19)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from ats_reject.errors import (
    ApiError,
    ApiValidationError,
    AtsRejectError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    FatalApiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseSchemaError,
    RetryableApiError,
    ServerError,
    TransportError,
)
from ats_reject.http import default_vendor_error_parser, map_error, scrubbed_cause

NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
Respond = Callable[..., requests.Response]
URL = "https://api.example.test/v1/candidates/42?email=jane.doe%40example.com&name=Jane"

STATUS_TABLE: list[tuple[int, type[ApiError]]] = [
    (400, ApiValidationError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (405, FatalApiError),
    (408, ServerError),
    (409, ConflictError),
    (410, NotFoundError),
    (413, FatalApiError),
    (422, ApiValidationError),
    (429, RateLimitedError),
    (500, ServerError),
    (501, ServerError),
    (502, ServerError),
    (503, ServerError),
    (504, ServerError),
    (599, ServerError),
    (302, ResponseSchemaError),
]


def _map(respond: Respond, status: int, **kwargs: Any) -> AtsRejectError:
    return map_error(
        adapter="example",
        method="get",
        url=URL,
        now=NOW,
        response=respond(status, url=URL, **kwargs),
    )


@pytest.mark.parametrize(("status", "expected"), STATUS_TABLE)
def test_status_table(respond: Respond, status: int, expected: type[ApiError]) -> None:
    error = _map(respond, status)
    assert type(error) is expected
    assert isinstance(error, ApiError)
    assert error.status == status
    assert error.adapter == "example"
    assert error.method == "GET"
    assert error.path == "/v1/candidates/42"
    text = f"{error} {error!r} {error.args}"
    assert "jane" not in text.lower()
    assert "email" not in text


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retryable_errors(respond: Respond, status: int) -> None:
    assert isinstance(_map(respond, status), RetryableApiError)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
def test_never_retried_statuses_are_fatal(respond: Respond, status: int) -> None:
    assert isinstance(_map(respond, status), FatalApiError)


def test_retry_after_and_request_id_are_carried(respond: Respond) -> None:
    error = _map(respond, 503, headers={"Retry-After": "7", "X-Request-Id": "req-81f2"})
    assert isinstance(error, ServerError)
    assert error.retry_after == 7.0
    assert error.request_id == "req-81f2"
    assert "request id req-81f2" in str(error)


def test_429_without_retry_after_uses_the_reset_header(respond: Respond) -> None:
    reset = str(int(NOW.timestamp()) + 4)
    error = _map(respond, 429, headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": reset})
    assert error.retry_after == 4.0  # type: ignore[attr-defined]


def test_503_ignores_the_reset_header_and_garbage_retry_after(respond: Respond) -> None:
    error = _map(respond, 503, headers={"X-RateLimit-Reset": "4", "Retry-After": "1.0"})
    assert error.retry_after is None  # type: ignore[attr-defined]


def test_fatal_errors_carry_no_retry_after(respond: Respond) -> None:
    assert _map(respond, 404, headers={"Retry-After": "9"}).retry_after is None  # type: ignore[attr-defined]


def test_vendor_code_and_message_are_redacted(respond: Respond) -> None:
    body = {"errors": [{"code": "invalid_email", "message": "jane.doe@example.com is taken"}]}
    error = _map(respond, 422, body=body)
    assert isinstance(error, ApiValidationError)
    assert error.vendor_code == "invalid_email"
    assert error.vendor_message == "[email] is taken"
    assert "jane" not in str(error)
    assert "code invalid_email" in str(error)


def test_custom_vendor_parser_and_a_failing_one(respond: Respond) -> None:
    response = respond(409, body={"problem": {"kind": "already_rejected"}})

    def parser(body: Any) -> tuple[str | None, str | None]:
        return body["problem"]["kind"], None

    def broken(body: Any) -> tuple[str | None, str | None]:
        raise KeyError("nope")

    error = map_error(
        adapter="x", method="POST", url=URL, now=NOW, response=response, vendor_error_parser=parser
    )
    assert error.vendor_code == "already_rejected"  # type: ignore[attr-defined]
    fallback = map_error(
        adapter="x", method="POST", url=URL, now=NOW, response=response, vendor_error_parser=broken
    )
    assert isinstance(fallback, ConflictError)
    assert fallback.vendor_code is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": "rate_limited", "message": "slow down"}, ("rate_limited", "slow down")),
        ({"error": {"code": "E1", "message": "bad"}}, ("E1", "bad")),
        (
            {"errors": ["When passing a cursor, do not include other query params."]},
            (None, "When passing a cursor, do not include other query params."),
        ),
        ({"errors": [{"type": "T", "detail": "D"}]}, ("T", "D")),
        ({"code": 42, "message": "m"}, ("42", "m")),
        ({"error": "invalid_grant", "error_description": "expired"}, ("invalid_grant", "expired")),
        ([1, 2], (None, None)),
        ({"error": {"nested": {}}}, (None, None)),
        ("text", (None, None)),
    ],
)
def test_default_vendor_error_parser(body: Any, expected: tuple[str | None, str | None]) -> None:
    assert default_vendor_error_parser(body) == expected


def test_non_json_error_body_is_fine(respond: Respond) -> None:
    error = _map(respond, 500, raw=b"<html>Internal error for jane@example.com</html>")
    assert isinstance(error, ServerError)
    assert error.vendor_message is None


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (requests.ConnectTimeout("x"), TransportError),
        (requests.ReadTimeout("x"), TransportError),
        (requests.ConnectionError("x"), TransportError),
        (requests.exceptions.ChunkedEncodingError("x"), TransportError),
        (requests.RequestException("x"), TransportError),
        (requests.TooManyRedirects("x"), ResponseSchemaError),
        (requests.exceptions.MissingSchema("x"), ConfigurationError),
        (requests.exceptions.InvalidURL("x"), ConfigurationError),
        (json.JSONDecodeError("Expecting value", "", 0), ResponseSchemaError),
    ],
)
def test_exception_table(exception: BaseException, expected: type[AtsRejectError]) -> None:
    error = map_error(adapter="example", method="GET", url=URL, now=NOW, exception=exception)
    assert type(error) is expected
    assert "jane" not in str(error).lower()


def test_read_timeout_message_warns_that_a_write_may_have_applied() -> None:
    error = map_error(
        adapter="example", method="POST", url=URL, now=NOW, exception=requests.ReadTimeout()
    )
    assert isinstance(error, TransportError)
    assert error.status is None
    assert "may have been applied" in str(error)


def test_map_error_needs_something_to_map() -> None:
    with pytest.raises(ValueError, match="response or an exception"):
        map_error(adapter="example", method="GET", url=URL, now=NOW)


def test_scrubbed_cause_drops_queries_and_keeps_the_type() -> None:
    original = requests.ConnectionError(
        "HTTPSConnectionPool(host='api.example.test', port=443): Max retries exceeded with "
        "url: /v1/candidates?email=jane.doe%40example.com&token=s3cr3t (Caused by X)"
    )
    cause = scrubbed_cause(original)
    assert type(cause) is requests.ConnectionError
    assert "jane" not in str(cause)
    assert "s3cr3t" not in str(cause)
    assert "/v1/candidates?[query]" in str(cause)
    other = ValueError("left alone")
    assert scrubbed_cause(other) is other
