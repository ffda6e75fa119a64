"""One exception tree for the whole library, grouped by what the caller should do.

::

    AtsRejectError                     anything raised on purpose by ats-reject
    ├── ConfigurationError             fix the configuration; nothing was started
    │   ├── AdapterNotFoundError       no installed adapter has that name
    │   ├── AdapterLoadError           an installed adapter is broken (bad class, bad metadata)
    │   └── TimingConfigurationError   a duration, send window, country or time zone is invalid
    ├── CapabilityNotSupportedError    the adapter cannot do this; branch on capabilities first
    ├── WebhookVerificationError       forged or malformed request: answer 401, store nothing
    ├── WebhookPayloadError            signed but unreadable: quarantine it, answer 202
    ├── StoreUnavailableError          our database is down: answer 503 / retry later
    └── ApiError                       a call to an ATS failed (carries adapter, status, ids)
        ├── RetryableApiError          try again later (after ``retry_after`` if given)
        │   ├── RateLimitedError       429
        │   ├── ServerError            5xx, 408
        │   └── TransportError         timeout, refused or dropped connection
        ├── FatalApiError              do not retry: a person must act
        │   ├── AuthenticationError    401: credentials are wrong or expired
        │   ├── PermissionDeniedError  403: the credentials lack a permission
        │   ├── NotFoundError          404, 410: the object does not exist (any more)
        │   ├── ConflictError          409: the object is in a state that forbids the change
        │   └── ApiValidationError     400, 422: the request was refused as invalid
        └── ResponseSchemaError        the vendor answered something we cannot read

Every message is built from safe parts only: adapter names, HTTP methods and statuses, request
paths without their query, vendor request ids and error codes passed through
:func:`ats_reject._redact.redact_text`. Personal data and secrets never appear in ``str``,
``repr`` or ``args``; the vendor's free-text message is kept, redacted, in
:attr:`ApiError.vendor_message` for operators.
"""

from __future__ import annotations

from collections.abc import Iterable

from ats_reject._redact import redact_text, safe_path

__all__ = [
    "AdapterLoadError",
    "AdapterNotFoundError",
    "ApiError",
    "ApiValidationError",
    "AtsRejectError",
    "AuthenticationError",
    "CapabilityNotSupportedError",
    "ConfigurationError",
    "ConflictError",
    "FatalApiError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseSchemaError",
    "RetryableApiError",
    "ServerError",
    "StoreUnavailableError",
    "TimingConfigurationError",
    "TransportError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]


class AtsRejectError(Exception):
    """Base class of every error ats-reject raises on purpose."""


class ConfigurationError(AtsRejectError):
    """The configuration is invalid; nothing was started.

    Attributes:
        key_path: Dotted path of the offending setting (``connections.greenhouse.api_key``),
            or ``None`` when the error concerns the configuration as a whole.
    """

    def __init__(self, message: str, *, key_path: str | None = None) -> None:
        self.key_path = key_path
        super().__init__(f"{key_path}: {message}" if key_path else message)


class AdapterNotFoundError(ConfigurationError):
    """No installed adapter is registered under the requested name.

    Attributes:
        name: The name that was asked for.
        installed: The names of the adapters that are installed.
    """

    def __init__(self, name: str, installed: Iterable[str]) -> None:
        self.name = name
        self.installed = tuple(sorted(installed))
        listed = ", ".join(self.installed) if self.installed else "none"
        super().__init__(
            f"no ATS adapter named {name!r} is installed (installed: {listed}); "
            f"install it, for example `pip install ats-reject-{name}`"
        )


class AdapterLoadError(ConfigurationError):
    """An installed adapter could not be loaded or does not honour the adapter contract."""


class TimingConfigurationError(ConfigurationError, ValueError):
    """A timing setting is invalid: a duration, a send window, a country or a time zone.

    It is a :class:`ConfigurationError` for callers, and a ``ValueError`` so that a pydantic
    validator calling the timing parsers reports it as a validation error.
    """


class CapabilityNotSupportedError(AtsRejectError):
    """The adapter does not offer the requested operation (see ``Adapter.capabilities``)."""

    def __init__(self, adapter: str, capability: str) -> None:
        self.adapter = adapter
        self.capability = capability
        super().__init__(f"adapter {adapter!r} does not support {capability!r}")


class WebhookVerificationError(AtsRejectError):
    """A webhook request failed verification: forged, malformed, stale or oversized.

    Answer 401 (or 413 for ``reason == "oversized"``) and store nothing.

    Attributes:
        reason: A short stable code (``missing_header``, ``bad_signature``, ``stale_timestamp``,
            ``malformed_header``, ``oversized`` ...) safe to log and count in metrics.
    """

    def __init__(self, reason: str, message: str | None = None) -> None:
        self.reason = reason
        super().__init__(message or f"webhook verification failed: {reason}")


class WebhookPayloadError(AtsRejectError):
    """A verified webhook body cannot be read (not JSON, wrong shape).

    The sender signed it, so retrying will not help: quarantine the body and answer 2xx.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"webhook payload unreadable: {reason}")


class StoreUnavailableError(AtsRejectError):
    """The store (SQLite file or PostgreSQL) cannot be reached; retry later, answer 503."""


class ApiError(AtsRejectError):
    """A call to an ATS API failed.

    Attributes:
        adapter: Name of the adapter that made the call.
        status: HTTP status, or ``None`` when no response arrived.
        method: HTTP method of the call.
        path: Request path without query string (queries can carry personal data).
        request_id: The vendor's request id header, for support tickets.
        retry_after: Seconds the server asked us to wait, when it said so.
        vendor_code: The vendor's machine-readable error code, when it gave one.
        vendor_message: The vendor's message, redacted and shortened; not part of ``str``.
    """

    def __init__(
        self,
        message: str,
        *,
        adapter: str,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        vendor_code: str | None = None,
        vendor_message: str | None = None,
    ) -> None:
        self.adapter = adapter
        self.status = status
        self.method = method
        self.path = safe_path(path) if path is not None else None
        self.request_id = redact_text(request_id, max_length=80) if request_id else None
        self.retry_after = retry_after
        self.vendor_code = redact_text(vendor_code, max_length=80) if vendor_code else None
        self.vendor_message = redact_text(vendor_message) if vendor_message else None
        self.detail = redact_text(message)
        super().__init__(self._render())

    def _render(self) -> str:
        where = " ".join(part for part in (self.method, self.path) if part)
        parts = [f"{self.adapter}: {self.detail}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if where:
            parts.append(where)
        if self.vendor_code:
            parts.append(f"code {self.vendor_code}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        if self.retry_after is not None:
            parts.append(f"retry after {self.retry_after:g}s")
        return " | ".join(parts)

    def __repr__(self) -> str:
        """Show the safe fields only."""
        return (
            f"{type(self).__name__}(adapter={self.adapter!r}, status={self.status!r}, "
            f"method={self.method!r}, path={self.path!r}, request_id={self.request_id!r}, "
            f"retry_after={self.retry_after!r}, vendor_code={self.vendor_code!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle through the keyword constructor (errors cross process boundaries)."""
        return (
            _rebuild_api_error,
            (
                type(self),
                self.detail,
                {
                    "adapter": self.adapter,
                    "status": self.status,
                    "method": self.method,
                    "path": self.path,
                    "request_id": self.request_id,
                    "retry_after": self.retry_after,
                    "vendor_code": self.vendor_code,
                    "vendor_message": self.vendor_message,
                },
            ),
        )


def _rebuild_api_error(cls: type[ApiError], message: str, fields: dict[str, object]) -> ApiError:
    error = cls.__new__(cls)
    ApiError.__init__(error, message, **fields)  # type: ignore[arg-type]
    return error


class RetryableApiError(ApiError):
    """The call may succeed later; wait at least ``retry_after`` seconds when it is set."""


class RateLimitedError(RetryableApiError):
    """The vendor answered 429 Too Many Requests."""


class ServerError(RetryableApiError):
    """The vendor answered 5xx or 408."""


class TransportError(RetryableApiError):
    """No usable response: timeout, refused, reset or dropped connection.

    For a write, the change may or may not have been applied: read the object back before
    trying the write again.
    """


class FatalApiError(ApiError):
    """Retrying the same call will not help; a person must act."""


class AuthenticationError(FatalApiError):
    """HTTP 401: the credentials are wrong, revoked or expired."""


class PermissionDeniedError(FatalApiError):
    """HTTP 403: the credentials lack a permission this call needs."""


class NotFoundError(FatalApiError):
    """HTTP 404 or 410: the object does not exist, or no longer does."""


class ConflictError(FatalApiError):
    """HTTP 409: the object's state forbids the change."""


class ApiValidationError(FatalApiError):
    """HTTP 400 or 422: the vendor refused the request as invalid."""


class ResponseSchemaError(ApiError):
    """The vendor answered, but not in a shape we can read (bad JSON, missing fields)."""
