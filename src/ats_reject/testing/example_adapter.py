"""The example adapter: a complete, small adapter for an invented ATS, to read and to copy.

It exists for the library's own tests (the conformance suite runs against it) and as the
reference for adapter authors: every HTTP call goes through :class:`ats_reject.http.HttpClient`
(shared session, timeouts, retries, rate limiting, error mapping, paging), webhook signatures
are checked with :mod:`ats_reject.webhooks`, vendor payloads are parsed with
:class:`~ats_reject.models.VendorModel` models and turned into the canonical models.
It is not registered as an entry point; tests load it through
``AdapterRegistry(entry_points=[EntryPoint("example",
"ats_reject.testing.example_adapter:ExampleAdapter", "ats_reject.adapters")])``.

The Example ATS API (v1)
------------------------

* **Authentication**: ``Authorization: Bearer <api_key>``; otherwise 401.
* **Rate limit**: 100 requests per 10 s per key. Every answer carries ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (Unix seconds); over the limit: 429
  with ``Retry-After``.
* **Errors**: ``{"error": {"code": "...", "message": "..."}}``; every answer has
  ``X-Request-Id``.
* ``GET /v1/applications/{id}`` → ``{"application": Application}``.
* ``GET /v1/applications?updated_since=<ISO 8601>&updated_before=<ISO 8601>&limit=<n>
  [&cursor=<c>]`` → ``{"data": [Application], "next_cursor": "<c>" | null}``: applications
  updated in ``[updated_since, updated_before]``, oldest first; the server may cap ``limit``.
* ``POST /v1/applications/{id}/reject`` ``{"reason_id": str, "note": str | null}`` →
  ``{"application": Application}``; 409 ``already_rejected`` or ``hired``; 422 unknown reason.
* ``POST /v1/applications/{id}/unreject`` → ``{"application": Application}``; 409
  ``not_rejected``.
* ``POST /v1/applications/{id}/notes`` ``{"body": str}`` → 201 ``{"note": {"id": str}}``.
* ``GET /v1/rejection_reasons`` → ``{"data": [{"id", "name", "type": "company" |
  "candidate"}]}``.
* **Application**: ``{"id", "status": "active" | "rejected" | "hired", "applied_at",
  "updated_at", "candidate": {"id", "first_name", "last_name", "emails": [str], "phone"},
  "job": {"id", "title"}, "stage": {"id", "name", "position"}, "rejection": null |
  {"reason_id", "reason_name", "rejected_at"}}``; times are ISO 8601 with an offset.
* **Webhooks**: ``POST`` of ``{"delivery_id", "event", "occurred_at", "application_id"?,
  "candidate_id"?}`` with ``Example-Signature: sha256=<hex HMAC-SHA256 of the raw body>``.
  Events: ``application.created``, ``.stage_changed``, ``.rejected``, ``.unrejected``,
  ``.hired``, and ``ping`` when a hook is saved; others may come and are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import requests
from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError

from ats_reject.adapter import Adapter, AdapterSettings, Capability, NativeRejectionEmail
from ats_reject.clock import Clock, ensure_aware
from ats_reject.errors import (
    ConfigurationError,
    ConflictError,
    ResponseSchemaError,
    TransportError,
    WebhookPayloadError,
)
from ats_reject.http import (
    BodyCursorPaginator,
    HttpClient,
    RateLimiterRegistry,
    Timeouts,
    credential_key,
)
from ats_reject.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    EventSource,
    RejectionReason,
    RejectionReasonKind,
    WebhookDelivery,
)
from ats_reject.testing._example_payloads import (
    EVENT_KINDS,
    PING_EVENT,
    VendorApplication,
    VendorReason,
    VendorWebhook,
    to_application,
)
from ats_reject.webhooks import HmacHeaderScheme

if TYPE_CHECKING:
    from ats_reject.testing.example_sandbox import ExampleSandbox

__all__ = ["SIGNATURE", "ExampleAdapter", "ExampleSettings"]

SIGNATURE = HmacHeaderScheme(name="example", header="Example-Signature", prefix="sha256=")
"""How the Example ATS signs webhooks."""

RATE_LIMIT_WINDOW = 10.0
"""The Example ATS counts requests over 10 seconds."""

_REASON_KINDS = {
    "company": RejectionReasonKind.WE_REJECTED,
    "candidate": RejectionReasonKind.THEY_WITHDREW,
}


class ExampleSettings(AdapterSettings):
    """Settings of the example adapter (``[connections.<name>]`` in ``ats-reject.toml``)."""

    base_url: AnyHttpUrl
    """The API root, up to and including ``/v1``."""
    api_key: SecretStr
    """The API key, sent as a bearer token."""
    page_size: int = Field(default=100, ge=1, le=500)
    """Applications asked for per page while syncing."""
    rate_limit: int = Field(default=100, ge=1)
    """Requests per 10 s the key may make; the server's headers correct it."""


class ExampleAdapter(Adapter[ExampleSettings]):
    """Adapter for the Example ATS (see the module docstring for its API).

    Args:
        settings: Validated settings.
        session: The shared session from :func:`ats_reject.http.make_session`.
        clock: The clock for retries and rate limiting.
        rate_limiters: The process's limiters, so connections that share a key share a
            budget; a private registry when not given.
    """

    name: ClassVar[str] = "example"
    display_name: ClassVar[str] = "Example ATS"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOKS,
            Capability.SYNC,
            Capability.REJECT,
            Capability.UNREJECT,
            Capability.NOTES,
            Capability.REJECTION_REASONS,
        }
    )
    settings_model: ClassVar[type[AdapterSettings]] = ExampleSettings

    def __init__(
        self,
        settings: ExampleSettings,
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        rate_limiters: RateLimiterRegistry | None = None,
    ) -> None:
        super().__init__(settings, session=session, clock=clock)
        registry = rate_limiters or RateLimiterRegistry(self.clock)
        limiter = registry.get(
            credential_key(self.name, settings.api_key),
            limit=settings.rate_limit,
            window=RATE_LIMIT_WINDOW,
        )
        self._http = HttpClient(
            self.name,
            self.session,
            str(settings.base_url),
            clock=self.clock,
            timeouts=Timeouts(connect=settings.connect_timeout, read=settings.read_timeout),
            rate_limiter=limiter,
            request_id_headers=("X-Request-Id",),
            auth=self._auth_headers,
        )
        self._verifier = (
            SIGNATURE.verifier(settings.webhook_secrets) if settings.webhook_secrets else None
        )

    def _auth_headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_key.get_secret_value()}"}

    # --- webhooks -------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Check ``Example-Signature`` against every configured secret.

        Raises:
            WebhookVerificationError: Missing, malformed or wrong signature, oversized body.
            ConfigurationError: No webhook secret is configured.
        """
        if self._verifier is None:
            raise ConfigurationError(
                "no webhook secret configured for adapter 'example'", key_path="webhook_secrets"
            )
        self._verifier.verify(headers, body)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Turn a verified delivery into events; ``ping`` and unknown events give none.

        Raises:
            WebhookPayloadError: The body is not JSON or not shaped as documented.
        """
        try:
            payload = VendorWebhook.model_validate(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            # pydantic's ValidationError is a ValueError; neither message is kept (input).
            raise WebhookPayloadError("not a JSON object of the documented shape") from None
        if payload.event == PING_EVENT:
            return WebhookDelivery(
                delivery_id=payload.delivery_id, vendor_action=payload.event, is_ping=True
            )
        kind = EVENT_KINDS.get(payload.event)
        if kind is None:
            return WebhookDelivery(delivery_id=payload.delivery_id, vendor_action=payload.event)
        if not payload.application_id:
            raise WebhookPayloadError(f"{payload.event} without application_id")
        event = ApplicationEvent(
            kind=kind,
            application_id=payload.application_id,
            candidate_id=payload.candidate_id,
            occurred_at=payload.occurred_at,
            source=EventSource.WEBHOOK,
            vendor_action=payload.event,
        )
        return WebhookDelivery(
            delivery_id=payload.delivery_id, events=(event,), vendor_action=payload.event
        )

    # --- reads ----------------------------------------------------------------------------

    def get_application(self, application_id: str) -> Application:
        """Read the application as the ATS holds it now."""
        path = _application_path(application_id)
        body = self._http.get_json(path)
        return self._application(body.get("application"), path)

    def changed_applications(self, since: datetime) -> Iterator[Application]:
        """Yield applications updated from *since* until the moment the listing started."""
        params = {
            "updated_since": ensure_aware(since).isoformat(),
            # Bounded above, so a cursor saved at the start misses nothing that comes later.
            "updated_before": self.clock.now().isoformat(),
            "limit": self.settings.page_size,
        }
        paginator = BodyCursorPaginator(cursor_field="next_cursor", items_field="data")
        for item in self._http.paginate_items("applications", paginator, params=params):
            yield self._application(item, "applications")

    def rejection_reasons(self) -> list[RejectionReason]:
        """List the ATS's rejection reasons."""
        body = self._http.get_json("rejection_reasons")
        try:
            reasons = [VendorReason.model_validate(item) for item in body.get("data", ())]
        except (ValidationError, TypeError):
            raise self._schema_error("rejection reasons", "rejection_reasons") from None
        return [
            RejectionReason(
                id=reason.id,
                name=reason.name,
                kind=_REASON_KINDS.get(reason.type, RejectionReasonKind.OTHER),
            )
            for reason in reasons
        ]

    # --- writes ---------------------------------------------------------------------------

    def reject(
        self,
        application_id: str,
        *,
        reason_id: str,
        note: str | None = None,
        email: NativeRejectionEmail | None = None,
    ) -> Application:
        """Reject the application; one already rejected (for any reason) is left as it is."""
        if email is not None:
            raise self._unsupported(Capability.NATIVE_EMAIL)
        current = self.get_application(application_id)
        if current.is_rejected:
            return current
        return self._write_state(
            application_id,
            "reject",
            {"reason_id": reason_id, "note": note},
            reached=lambda application: application.is_rejected,
        )

    def unreject(self, application_id: str) -> Application:
        """Undo a rejection; an active application is left as it is."""
        current = self.get_application(application_id)
        if current.status is ApplicationStatus.ACTIVE:
            return current
        return self._write_state(
            application_id,
            "unreject",
            {},
            reached=lambda application: application.status is ApplicationStatus.ACTIVE,
        )

    def add_note(self, application_id: str, text: str) -> None:
        """Add a note. A note whose answer was lost is not re-sent (it cannot be read back)."""
        self._http.request_json(
            "POST", f"{_application_path(application_id)}/notes", json={"body": text}
        )

    def _write_state(
        self,
        application_id: str,
        action: str,
        payload: dict[str, Any],
        *,
        reached: Callable[[Application], bool],
    ) -> Application:
        """POST a state change; when its outcome is unknown, read back before sending again."""
        path = f"{_application_path(application_id)}/{action}"
        try:
            body = self._http.request_json("POST", path, json=payload)
        except TransportError:
            # The write may have been applied before the connection broke.
            after = self.get_application(application_id)
            if reached(after):
                return after
            body = self._http.request_json("POST", path, json=payload)
        except ConflictError:
            # Someone (a recruiter, another worker) made the change first.
            after = self.get_application(application_id)
            if reached(after):
                return after
            raise
        return self._application(body.get("application"), path)

    # --- helpers --------------------------------------------------------------------------

    def _application(self, raw: Any, path: str) -> Application:
        try:
            return to_application(VendorApplication.model_validate(raw))
        except ValidationError as exc:
            where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            raise self._schema_error(f"application ({where or 'shape'})", path) from None

    def _schema_error(self, what: str, path: str) -> ResponseSchemaError:
        return ResponseSchemaError(
            f"unexpected {what} in the response", adapter=self.name, path=path
        )

    @classmethod
    def sandbox(cls, *, clock: Clock | None = None) -> ExampleSandbox:
        """Return a new, not yet started, Example ATS sandbox."""
        # Imported here: the sandbox module imports this one for the signature scheme.
        from ats_reject.testing.example_sandbox import ExampleSandbox  # noqa: PLC0415

        return ExampleSandbox(clock=clock)


def _application_path(application_id: str) -> str:
    return f"applications/{quote(application_id, safe='')}"
