"""The HTTP client adapters call their ATS through: one per adapter connection."""

from __future__ import annotations

import functools
import itertools
import json as jsonlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import requests

from ats_reject._redact import safe_path
from ats_reject.clock import Clock, SystemClock
from ats_reject.errors import (
    AtsRejectError,
    ConfigurationError,
    RateLimitedError,
    ResponseSchemaError,
)
from ats_reject.http._errormap import (
    DEFAULT_REQUEST_ID_HEADERS,
    VendorErrorParser,
    default_vendor_error_parser,
    map_error,
    response_schema_error,
    scrubbed_cause,
)
from ats_reject.http._listing import origin_of, walk_pages
from ats_reject.http._paginate import Paginator
from ats_reject.http._ratelimit import RateLimiter, RateLimitHold
from ats_reject.http._retry import RetryBudget, RetryEvent, RetryPolicy, is_retryable
from ats_reject.http._session import Timeouts

__all__ = ["DEFAULT_IDEMPOTENT_METHODS", "AuthHook", "HttpClient", "RenewHook"]

logger = logging.getLogger("ats_reject.http")

AuthHook = Callable[[], Mapping[str, str]]
"""Returns the authentication headers for one request (called before every attempt)."""

RenewHook = Callable[[], bool]
"""Called once on a 401 to renew credentials (an OAuth token); ``True`` means renewed,
retry the request once with fresh headers from the :data:`AuthHook`."""

DEFAULT_IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods treated as idempotent, and so retried after timeouts, unless a call says otherwise."""

JsonShape = type[dict[str, Any]] | type[list[Any]] | None


@dataclass(frozen=True)
class _Call:
    """One logical request, sent once per attempt."""

    method: str
    url: str
    # Left out of the repr: queries, bodies and headers carry personal data and credentials.
    params: Mapping[str, Any] | None = field(repr=False)
    json: Any = field(repr=False)
    data: Any = field(repr=False)
    headers: Mapping[str, str] | None = field(repr=False)


class HttpClient:
    """Calls one ATS: timeouts, auth, rate limiting, retries and error translation.

    **Retry rule** (R18, R19; in full at :func:`~ats_reject.http.is_retryable`). Idempotent
    calls (GET, HEAD, OPTIONS, PUT, DELETE unless the call passes ``idempotent=``) are
    retried on timeouts, dropped connections and transient statuses, waiting what the server
    asks (``Retry-After``, rate-limit reset) or else a full-jitter backoff. Writes (POST,
    PATCH) are **never retried blindly**, only when the server proves it turned them away
    unread; a timeout on a write raises :class:`~ats_reject.errors.TransportError` at once,
    so the caller reads the object back first. A 401 is tried once more only when a
    *renew_credentials* hook renews the credentials.

    Every failure is raised as an :class:`~ats_reject.errors.ApiError` subclass (see
    :func:`~ats_reject.http.map_error`) carrying the adapter, status, method, the path
    without its query, the vendor's request id and ``retry_after``.

    One DEBUG record per attempt goes to the ``ats_reject.http`` logger, with the adapter,
    method, path (no query), status, elapsed milliseconds and attempt number; never query
    strings, bodies, headers or credentials.

    Args:
        adapter: The adapter's name, for errors and logs.
        session: The shared session (see :func:`~ats_reject.http.make_session`).
        base_url: The API root; relative paths are appended to it.
        clock: Time source for retries and rate limiting.
        timeouts: Connect and read timeouts, applied to every request.
        retry_policy: How to retry; ``RetryPolicy()`` by default.
        rate_limiter: The credential's shared limiter, or ``None`` for no client-side limit.
        vendor_error_parser: Extracts ``(code, message)`` from the vendor's JSON error body.
        request_id_headers: Response headers that may carry the vendor's request id.
        auth: Returns the authentication headers for each attempt.
        renew_credentials: Renews credentials after a 401 (see :data:`RenewHook`).
        idempotent_methods: Methods treated as idempotent by default.
        retry_budget: The client's retry budget; ``"default"`` makes one (10 % of requests
            over 60 s, at least 3), ``None`` turns the budget off.
    """

    def __init__(
        self,
        adapter: str,
        session: requests.Session,
        base_url: str,
        *,
        clock: Clock | None = None,
        timeouts: Timeouts | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        vendor_error_parser: VendorErrorParser = default_vendor_error_parser,
        request_id_headers: Sequence[str] = DEFAULT_REQUEST_ID_HEADERS,
        auth: AuthHook | None = None,
        renew_credentials: RenewHook | None = None,
        idempotent_methods: frozenset[str] = DEFAULT_IDEMPOTENT_METHODS,
        retry_budget: RetryBudget | Literal["default"] | None = "default",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an absolute http(s) URL")
        self.adapter = adapter
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.clock: Clock = clock or SystemClock()
        self.timeouts = timeouts or Timeouts()
        self.retry_policy = retry_policy or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.vendor_error_parser = vendor_error_parser
        self.request_id_headers = tuple(request_id_headers)
        self.idempotent_methods = frozenset(method.upper() for method in idempotent_methods)
        self._auth = auth
        self._renew_credentials = renew_credentials
        self._origin = origin_of(self.base_url)
        self._host = parts.hostname or ""
        self.retry_budget: RetryBudget | None = (
            RetryBudget(self.clock) if retry_budget == "default" else retry_budget
        )

    # --- requests -------------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """Return the absolute URL for a path (appended to ``base_url``) or a URL (as is)."""
        # Judged by the parsed scheme and host, not by "://" anywhere: a query may hold a URL.
        parts = urlsplit(path_or_url)
        if parts.scheme and parts.netloc:
            if origin_of(path_or_url) != self._origin:
                # The auth hook's headers go with every request: never to another origin.
                raise ConfigurationError(
                    f"{self.adapter}: refusing to send a request outside {self._origin[0]}://"
                    f"{self._host} (credentials would go with it)"
                )
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send a request, retrying as the class docstring says; return a 1xx-3xx response.

        Args:
            method: HTTP method.
            path_or_url: A path under ``base_url``, or an absolute URL used verbatim.
            params: Query parameters.
            json: A JSON body.
            data: A form or raw body.
            headers: Extra headers (authentication comes from the ``auth`` hook).
            idempotent: Whether repeating the call is harmless; defaults by method.

        Returns:
            The successful response.

        Raises:
            ApiError: A subclass saying whether and when to retry.
            ConfigurationError: ``requests`` could not build the request (bad URL, header).
        """
        method = method.upper()
        url = self.url_for(path_or_url)
        if idempotent is None:
            idempotent = method in self.idempotent_methods
        call = _Call(method, url, params, json, data, headers)
        attempts = itertools.count(1)
        should_retry = functools.partial(
            is_retryable, idempotent=idempotent, retry_statuses=self.retry_policy.retry_statuses
        )

        def attempt() -> requests.Response:
            return self._attempt(call, next(attempts))

        return self.retry_policy.call(
            attempt,
            clock=self.clock,
            should_retry=should_retry,
            budget=self.retry_budget,
            on_retry=lambda event: self._log_retry(method, url, event),
        )

    def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect: JsonShape = dict,
    ) -> Any:
        """Send a request and return its decoded JSON body.

        Args:
            method: HTTP method.
            path_or_url: See :meth:`request`.
            params: Query parameters.
            json: A JSON body.
            headers: Extra headers.
            idempotent: See :meth:`request`.
            expect: The top-level type required (``dict`` or ``list``), or ``None`` for any
                JSON value (an empty body then gives ``None``).

        Raises:
            ResponseSchemaError: The body is not JSON or not of the *expect* type.
            ApiError: As :meth:`request`.
        """
        response = self.request(
            method, path_or_url, params=params, json=json, headers=headers, idempotent=idempotent
        )
        return self.decode_json(response, expect=expect)

    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: JsonShape = dict,
    ) -> Any:
        """``GET`` and return the decoded JSON body (see :meth:`request_json`)."""
        return self.request_json("GET", path_or_url, params=params, headers=headers, expect=expect)

    def decode_json(self, response: requests.Response, *, expect: JsonShape = dict) -> Any:
        """Decode a response's JSON body, checking its top-level type.

        Raises:
            ResponseSchemaError: Not JSON, or not of the *expect* type.
        """
        if expect is None and not response.content:
            return None
        try:
            body = jsonlib.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            method = response.request.method if response.request is not None else None
            url = response.url or self.base_url
            raise self._error(method or "GET", url, response=response, exception=exc) from exc
        if expect is not None and not isinstance(body, expect):
            detail = f"expected a JSON {expect.__name__}, got {type(body).__name__}"
            raise response_schema_error(response, detail, adapter=self.adapter)
        return body

    # --- pagination -----------------------------------------------------------------------

    def paginate(
        self,
        path_or_url: str,
        paginator: Paginator,
        *,
        method: str = "GET",
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[requests.Response]:
        """Yield the pages of a listing, as *paginator* says to follow them.

        Listings are reads, so pages are retried like reads whatever the method (some
        vendors list with POST). A next URL must stay on ``base_url``'s scheme and host:
        credentials are never sent elsewhere because a response said so.

        Raises:
            ResponseSchemaError: The paginator found a loop, no progress or too many pages,
                or a next URL leaves the API's host.
            ApiError: A page could not be fetched.
        """
        if paginator.adapter is None:
            paginator.adapter = self.adapter
        send = functools.partial(self.request, method, headers=headers, idempotent=True)
        return walk_pages(
            send, path_or_url, paginator, origin=self._origin, params=params, json=json
        )

    def paginate_items(
        self,
        path_or_url: str,
        paginator: Paginator,
        *,
        method: str = "GET",
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[Any]:
        """Yield the items of every page of a listing (see :meth:`paginate`)."""
        for response in self.paginate(
            path_or_url, paginator, method=method, params=params, json=json, headers=headers
        ):
            yield from paginator.items(response)

    # --- one attempt ----------------------------------------------------------------------

    def _attempt(self, call: _Call, attempt: int) -> requests.Response:
        response = self._transmit(call, attempt)
        renew = self._renew_credentials
        # A 401 is refused before any processing, so resending a write is safe.
        if response.status_code == 401 and renew is not None and renew():
            response.close()
            response = self._transmit(call, attempt)
        if response.status_code >= 400:
            raise self._error(call.method, call.url, response=response)
        if response.is_redirect:
            response.close()
            raise ResponseSchemaError(
                f"unexpected redirect (HTTP {response.status_code}); redirects are not followed",
                adapter=self.adapter,
                status=response.status_code,
                method=call.method,
                path=call.url,
            )
        return response

    def _transmit(self, call: _Call, attempt: int) -> requests.Response:
        headers = dict(call.headers or {})
        if self._auth is not None:
            # Before the permit: a slow token fetch must not hold a slot of the budget.
            headers.update(self._auth())
        permit = 0
        if self.rate_limiter is not None:
            try:
                permit = self.rate_limiter.acquire(max_hold=self.retry_policy.max_delay)
            except RateLimitHold as hold:
                # Come back later rather than hold a worker for what the server asked.
                raise RateLimitedError(
                    "held by the client-side rate limiter after the server's 429",
                    adapter=self.adapter,
                    method=call.method,
                    path=call.url,
                    retry_after=hold.seconds,
                ) from None
        if self.retry_budget is not None:
            self.retry_budget.record_request()
        started = time.perf_counter()
        try:
            response = self.session.request(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                data=call.data,
                headers=headers,
                timeout=self.timeouts.as_tuple(),
                # A redirect would carry the auth headers to wherever it points.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            if self.rate_limiter is not None:
                self.rate_limiter.observe(permit, status=None, headers={})
            self._log_attempt(call, type(exc).__name__, started, attempt)
            raise self._error(call.method, call.url, exception=exc) from scrubbed_cause(exc)
        if self.rate_limiter is not None:
            self.rate_limiter.observe(permit, status=response.status_code, headers=response.headers)
        self._log_attempt(call, str(response.status_code), started, attempt)
        return response

    def _error(
        self,
        method: str,
        url: str,
        *,
        response: requests.Response | None = None,
        exception: BaseException | None = None,
    ) -> AtsRejectError:
        return map_error(
            adapter=self.adapter,
            method=method,
            url=url,
            now=self.clock.now(),
            response=response,
            exception=exception,
            vendor_error_parser=self.vendor_error_parser,
            request_id_headers=self.request_id_headers,
            retry_after_cap=self.retry_policy.retry_after_cap,
        )

    # --- logging --------------------------------------------------------------------------

    def _log_attempt(self, call: _Call, outcome: str, started: float, attempt: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s %s -> %s in %.0f ms (attempt %d)",
                self.adapter,
                call.method,
                safe_path(call.url),
                outcome,
                (time.perf_counter() - started) * 1000.0,
                attempt,
            )

    def _log_retry(self, method: str, url: str, event: RetryEvent) -> None:
        logger.debug(
            "%s %s %s: retrying in %.2f s (%s) after %s",
            self.adapter,
            method,
            safe_path(url),
            event.delay,
            "server asked" if event.from_server else "backoff",
            type(event.error).__name__,
        )

    def __repr__(self) -> str:
        """Name the adapter and the API host; never headers or credentials."""
        return f"<HttpClient {self.adapter!r} {self._origin[0]}://{self._host}>"
