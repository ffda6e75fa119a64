"""The HTTP layer every adapter shares.

* :func:`make_session` — the pooled, retry-free ``requests.Session`` with our User-Agent.
* :class:`HttpClient` — one per adapter connection: timeouts on every request, auth hook,
  client-side rate limiting, retries that obey the server, and the translation of every
  failure into :mod:`ats_reject.errors` (through :func:`map_error`, the one place).
* :class:`RetryPolicy`, :class:`RetryBudget`, :func:`is_retryable` — when and how long to
  retry; full jitter with the clock and the randomness injected.
* :class:`RateLimiter`, :class:`RateLimiterRegistry`, :func:`credential_key` — a shared
  budget per credential, learning from ``X-RateLimit-*`` / ``X-Rate-Limit-*`` and 429s.
* :func:`parse_retry_after`, :func:`parse_reset`, :func:`parse_rate_limit_headers` — the
  server's timing hints.
* Paginators — :class:`LinkHeaderPaginator`, :class:`BodyCursorPaginator`,
  :class:`OffsetPaginator`, :class:`NextTokenPaginator`, with loop detection.
"""

from ats_reject.http._client import (
    DEFAULT_IDEMPOTENT_METHODS,
    AuthHook,
    HttpClient,
    RenewHook,
)
from ats_reject.http._errormap import (
    DEFAULT_REQUEST_ID_HEADERS,
    VendorErrorParser,
    default_vendor_error_parser,
    map_error,
    scrubbed_cause,
)
from ats_reject.http._headers import (
    DEFAULT_RETRY_AFTER_CAP,
    RateLimitHeaders,
    parse_rate_limit_headers,
    parse_reset,
    parse_retry_after,
)
from ats_reject.http._paginate import (
    BodyCursorPaginator,
    LinkHeaderPaginator,
    NextTokenPaginator,
    OffsetPaginator,
    PageRequest,
    Paginator,
)
from ats_reject.http._ratelimit import (
    RateLimiter,
    RateLimiterRegistry,
    RateLimiterStats,
    credential_key,
)
from ats_reject.http._retry import (
    DEFAULT_RETRY_STATUSES,
    RetryBudget,
    RetryEvent,
    RetryPolicy,
    is_retryable,
)
from ats_reject.http._session import Timeouts, default_user_agent, make_session

__all__ = [
    "DEFAULT_IDEMPOTENT_METHODS",
    "DEFAULT_REQUEST_ID_HEADERS",
    "DEFAULT_RETRY_AFTER_CAP",
    "DEFAULT_RETRY_STATUSES",
    "AuthHook",
    "BodyCursorPaginator",
    "HttpClient",
    "LinkHeaderPaginator",
    "NextTokenPaginator",
    "OffsetPaginator",
    "PageRequest",
    "Paginator",
    "RateLimitHeaders",
    "RateLimiter",
    "RateLimiterRegistry",
    "RateLimiterStats",
    "RenewHook",
    "RetryBudget",
    "RetryEvent",
    "RetryPolicy",
    "Timeouts",
    "VendorErrorParser",
    "credential_key",
    "default_user_agent",
    "default_vendor_error_parser",
    "is_retryable",
    "make_session",
    "map_error",
    "parse_rate_limit_headers",
    "parse_reset",
    "parse_retry_after",
    "scrubbed_cause",
]
