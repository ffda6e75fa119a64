"""Translation of failed calls into the library's exceptions, in one place.

HTTP statuses, ``requests`` exceptions and vendor error bodies become the exceptions of
:mod:`ats_reject.errors` here and nowhere else.

Nothing from the request or response that could carry personal data reaches a message: the
path is shown without its query, the vendor's code and message are redacted, and the
``requests`` exception a transport error is chained to is a scrubbed copy, because its text
embeds the full URL, query string included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import requests

from ats_reject._redact import redact_text
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
    ServerError,
    TransportError,
)
from ats_reject.http._headers import DEFAULT_RETRY_AFTER_CAP, requested_wait

__all__ = [
    "DEFAULT_REQUEST_ID_HEADERS",
    "VendorErrorParser",
    "default_vendor_error_parser",
    "map_error",
    "scrubbed_cause",
]

VendorErrorParser = Callable[[Any], tuple[str | None, str | None]]
"""Takes a decoded JSON error body, returns the vendor's ``(code, message)`` (either may be
``None``). It must not raise for unexpected shapes; it is only asked about error bodies."""

DEFAULT_REQUEST_ID_HEADERS: tuple[str, ...] = ("X-Request-Id", "Request-Id", "X-Amzn-RequestId")
"""Header names tried, in order, for the vendor's request id."""

_MAX_ERROR_BODY = 65_536
"""Error bodies larger than this are not parsed for a vendor code (they are not errors we
can use, and parsing them costs memory)."""

_STATUS_ERRORS: Mapping[int, tuple[type[ApiError], str]] = {
    400: (ApiValidationError, "request refused as invalid"),
    401: (AuthenticationError, "authentication failed"),
    403: (PermissionDeniedError, "permission denied"),
    404: (NotFoundError, "not found"),
    408: (ServerError, "server timed out waiting for the request"),
    409: (ConflictError, "conflict with the object's current state"),
    410: (NotFoundError, "gone"),
    422: (ApiValidationError, "request refused as invalid"),
    429: (RateLimitedError, "rate limited"),
}

_URL_QUERY = re.compile(r"\?[^\s'\"()<>]*")


def default_vendor_error_parser(body: Any) -> tuple[str | None, str | None]:
    """Find an error code and message in the JSON error shapes ATS vendors commonly use.

    Understood: ``{"error": "code", "message": "..."}``, ``{"error": {"code", "message"}}``,
    ``{"errors": [{"code", "message"} | "text", ...]}``, ``{"code", "message"}`` and the
    OAuth ``{"error", "error_description"}``.

    Args:
        body: The decoded JSON body.

    Returns:
        ``(code, message)``; either is ``None`` when the body does not say.
    """
    if not isinstance(body, dict):
        return None, None
    code: str | None = None
    message: str | None = None
    error = body.get("error")
    if isinstance(error, dict):
        code = _text(error.get("code") or error.get("type"))
        message = _text(error.get("message"))
    elif error is not None:
        code = _text(error)
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        if isinstance(first, dict):
            code = code or _text(first.get("code") or first.get("type"))
            message = message or _text(first.get("message") or first.get("detail"))
        else:
            message = message or _text(first)
    code = code or _text(body.get("code") or body.get("error_code"))
    message = message or _text(
        body.get("message") or body.get("error_description") or body.get("detail")
    )
    return code, message


def map_error(
    *,
    adapter: str,
    method: str,
    url: str,
    now: datetime,
    response: requests.Response | None = None,
    exception: BaseException | None = None,
    vendor_error_parser: VendorErrorParser = default_vendor_error_parser,
    request_id_headers: Sequence[str] = DEFAULT_REQUEST_ID_HEADERS,
    retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP,
) -> AtsRejectError:
    """Translate a failed call into the library's exception.

    Give *response* for an HTTP answer that is not a success (status 400 and above, or an
    unexpected 1xx/3xx), *exception* for a call that produced no usable response (a
    ``requests`` exception) or an unreadable body (a JSON decoding error), or both when a
    body of a received response could not be decoded.

    Status table: 401 → :class:`AuthenticationError`; 403 → :class:`PermissionDeniedError`;
    404, 410 → :class:`NotFoundError`; 409 → :class:`ConflictError`; 400, 422 →
    :class:`ApiValidationError`; 429 → :class:`RateLimitedError`; 408 and 5xx →
    :class:`ServerError`; any other 4xx → :class:`FatalApiError`; anything else →
    :class:`ResponseSchemaError`. Timeouts and connection failures →
    :class:`TransportError`; a request ``requests`` refuses to build (bad URL or header) →
    :class:`ConfigurationError`.

    ``retry_after`` is set on retryable errors from ``Retry-After``, and on a 429 without it
    from the rate-limit reset header (``X-RateLimit-Reset`` and its spellings).

    Args:
        adapter: The adapter's name.
        method: The HTTP method of the call.
        url: The URL called; only its path reaches the error.
        now: The current time, for HTTP-date ``Retry-After`` values.
        response: The response, when one arrived.
        exception: The foreign exception, when there was one.
        vendor_error_parser: Extracts the vendor's ``(code, message)`` from a JSON body.
        request_id_headers: Header names that may carry the vendor's request id.
        retry_after_cap: Longest ``retry_after`` reported.

    Returns:
        The exception to raise (with ``raise error from scrubbed_cause(exception)``).

    Raises:
        ValueError: Neither *response* nor *exception* was given.
    """
    method = method.upper()
    if response is None:
        if exception is None:
            raise ValueError("map_error needs a response or an exception")
        return _from_exception(adapter, method, url, exception)
    request_id = _request_id(response, request_id_headers)
    if exception is not None:
        return ResponseSchemaError(
            "response body is not the JSON expected",
            adapter=adapter,
            status=response.status_code,
            method=method,
            path=url,
            request_id=request_id,
        )
    status = response.status_code
    error_class, detail = _classify(status)
    code, message = _vendor_error(response, vendor_error_parser)
    retry_after: float | None = None
    if error_class in (RateLimitedError, ServerError):
        retry_after = requested_wait(status, response.headers, now=now, cap=retry_after_cap)
    return error_class(
        detail,
        adapter=adapter,
        status=status,
        method=method,
        path=url,
        request_id=request_id,
        retry_after=retry_after,
        vendor_code=code,
        vendor_message=message,
    )


def scrubbed_cause(exception: BaseException) -> BaseException:
    """Return what a translated error should be chained to (``raise ... from``).

    ``requests`` exceptions repeat the full URL, query string included, in their text, and a
    logged traceback prints the chained cause. They are replaced by a copy of the same type
    whose text has every query removed and is redacted, keeping the original traceback.
    Other exceptions are returned unchanged.
    """
    if not isinstance(exception, requests.RequestException):
        return exception
    text = redact_text(strip_url_queries(str(exception)), max_length=500)
    try:
        clone: BaseException = type(exception)(text)
    except Exception:  # noqa: BLE001 - an exception class with an unusual constructor
        clone = requests.RequestException(text)
    return clone.with_traceback(exception.__traceback__)


def strip_url_queries(text: str) -> str:
    """Replace every URL query string in *text* by ``?[query]`` (package-internal)."""
    return _URL_QUERY.sub("?[query]", text)


def response_schema_error(
    response: requests.Response, detail: str, *, adapter: str
) -> ResponseSchemaError:
    """The error for a received response that cannot be read as expected (package-internal).

    Names the response's status, method and path (the path only; the error drops the query).
    """
    request = response.request
    return ResponseSchemaError(
        detail,
        adapter=adapter,
        status=response.status_code,
        method=request.method if request is not None else None,
        path=response.url or (request.url if request is not None else None),
    )


def _classify(status: int) -> tuple[type[ApiError], str]:
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        return known
    if 500 <= status <= 599:
        return ServerError, "server error"
    if 400 <= status <= 499:
        return FatalApiError, "request refused"
    return ResponseSchemaError, "unexpected HTTP status"


def _from_exception(
    adapter: str, method: str, url: str, exception: BaseException
) -> AtsRejectError:
    detail: str
    if isinstance(exception, requests.ConnectTimeout):
        detail = "connection timed out; the request was not sent"
    elif isinstance(exception, requests.ReadTimeout):
        detail = "timed out waiting for the response; the request may have been applied"
    elif isinstance(exception, requests.ConnectionError):
        detail = "connection failed or was dropped before a response arrived"
    elif isinstance(
        exception,
        requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError,
    ):
        detail = "the response was cut off or undecodable"
    elif isinstance(exception, requests.TooManyRedirects):
        return ResponseSchemaError("too many redirects", adapter=adapter, method=method, path=url)
    elif isinstance(
        exception,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.InvalidHeader
        | requests.exceptions.URLRequired
        | requests.exceptions.InvalidJSONError,
    ):
        return ConfigurationError(
            f"adapter {adapter!r}: the request could not be built "
            f"({type(exception).__name__}); check the base URL and credentials"
        )
    elif isinstance(exception, json.JSONDecodeError | UnicodeDecodeError):
        return ResponseSchemaError(
            "response body is not valid JSON", adapter=adapter, method=method, path=url
        )
    else:
        detail = f"request failed ({type(exception).__name__})"
    return TransportError(detail, adapter=adapter, method=method, path=url)


def _request_id(response: requests.Response, names: Sequence[str]) -> str | None:
    for name in names:
        value = response.headers.get(name)
        if value:
            return value
    return None


def _vendor_error(
    response: requests.Response, parser: VendorErrorParser
) -> tuple[str | None, str | None]:
    content = response.content
    if not content or len(content) > _MAX_ERROR_BODY:
        return None, None
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None, None
    try:
        return parser(body)
    except Exception:  # noqa: BLE001 - a vendor hook must not hide the HTTP error itself
        return None, None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None
