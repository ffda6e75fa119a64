"""The Greenhouse adapter: Harvest v3 reads and writes, webhooks, the sandbox.

Every HTTP call goes through :class:`ats_reject.http.HttpClient`: a limiter shared per OAuth
client (Harvest v3 counts requests in fixed 30-second windows and announces the budget in
``X-RateLimit-Limit/-Remaining/-Reset``; a 429 carries ``Retry-After``;
https://harvestdocs.greenhouse.io/docs/api-rate-limiting), retries that obey the server,
the token renewed once on a 401, and the one error mapping.

Writes (https://harvestdocs.greenhouse.io/docs/write-endpoint-migration-guide and the
``post_v3-applications-id-reject`` / ``-unreject`` and ``post_v3-notes`` reference pages):

* ``POST /v3/applications/{id}/reject`` ``{rejection_reason_id, notes?, rejection_email?:
  {email_template_id, send_email_at?, email_from_user_id?}}`` answers 204;
* ``POST /v3/applications/{id}/unreject`` ``{}``;
* ``POST /v3/notes`` ``{application_id, candidate_id, body, visibility, note_type, user_id?}``.

UNCONFIRMED: the ``rejection_email`` sub-field names come from the write-endpoint reference as
quoted by greenhouse-mcp's capability map and Workato's v3 action ("Send email at", "Email
template ID", "Email from user ID"); the reference page itself lists the object without its
fields in the copies we could read. The unreject path is confirmed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import requests

from ats_reject.adapter import Adapter, AdapterSettings, Capability, NativeRejectionEmail
from ats_reject.clock import Clock, ensure_aware
from ats_reject.errors import (
    ApiValidationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    TransportError,
)
from ats_reject.http import HttpClient, RateLimiterRegistry, Timeouts, credential_key
from ats_reject.models import (
    Application,
    RejectionReason,
    Stage,
    WebhookDelivery,
)
from ats_reject.webhooks import GREENHOUSE
from ats_reject_greenhouse._auth import TokenProvider
from ats_reject_greenhouse._harvest import Harvest
from ats_reject_greenhouse._lookups import Lookups
from ats_reject_greenhouse._mapping import reason_from_v3
from ats_reject_greenhouse._payloads import V3Application, V3Note
from ats_reject_greenhouse._reads import ApplicationReader, stages_of_plan
from ats_reject_greenhouse._settings import GreenhouseSettings
from ats_reject_greenhouse._webhooks import MappingOptions, parse_delivery

if TYPE_CHECKING:
    from ats_reject_greenhouse.sandbox import GreenhouseSandbox

__all__ = ["GreenhouseAdapter"]


class GreenhouseAdapter(Adapter[GreenhouseSettings]):
    """Adapter for Greenhouse Recruiting through Harvest v3.

    Args:
        settings: Validated settings.
        session: The shared session from :func:`ats_reject.http.make_session`.
        clock: The clock for token expiry, rate limiting and retries.
        rate_limiters: The process's limiters, so connections of one OAuth client share a
            budget; a private registry when not given.
    """

    name: ClassVar[str] = "greenhouse"
    display_name: ClassVar[str] = "Greenhouse"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOKS,
            Capability.SYNC,
            Capability.REJECT,
            Capability.UNREJECT,
            Capability.NATIVE_EMAIL,
            Capability.NOTES,
            Capability.REJECTION_REASONS,
            Capability.JOB_STAGES,
        }
    )
    settings_model: ClassVar[type[AdapterSettings]] = GreenhouseSettings

    def __init__(
        self,
        settings: GreenhouseSettings,
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        rate_limiters: RateLimiterRegistry | None = None,
    ) -> None:
        super().__init__(settings, session=session, clock=clock)
        timeouts = Timeouts(connect=settings.connect_timeout, read=settings.read_timeout)
        token_url = str(settings.token_url)
        token_http = HttpClient(
            self.name, self.session, token_url, clock=self.clock, timeouts=timeouts
        )
        self._tokens = TokenProvider(
            token_http,
            token_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            acting_user_id=settings.acting_user_id,
            clock=self.clock,
            refresh_margin=settings.renew_before_expiry,
        )
        registry = rate_limiters or RateLimiterRegistry(self.clock)
        limiter = registry.get(
            credential_key(self.name, settings.client_id),
            limit=settings.rate_limit,
            window=settings.rate_limit_window,
        )
        self._http = HttpClient(
            self.name,
            self.session,
            str(settings.base_url),
            clock=self.clock,
            timeouts=timeouts,
            rate_limiter=limiter,
            auth=self._tokens.headers,
            renew_credentials=self._tokens.renew,
        )
        self._harvest = Harvest(self._http)
        self._lookups = Lookups(self._harvest, self.clock, settings.lookup_ttl)
        self._reader = ApplicationReader(self._harvest, self._lookups, settings)
        self._verifier = (
            GREENHOUSE.verifier(settings.webhook_secrets) if settings.webhook_secrets else None
        )
        self._options = MappingOptions(
            stage_kinds=settings.stage_kinds,
            time_zone_field=settings.time_zone_field,
            locale_field=settings.locale_field,
            decision_date_field=settings.decision_date_field,
        )

    @property
    def http(self) -> HttpClient:
        """The Harvest client (its ``rate_limiter`` and ``retry_budget`` are inspectable)."""
        return self._http

    @property
    def tokens(self) -> TokenProvider:
        """The access-token provider (``fetched`` counts tokens minted)."""
        return self._tokens

    # --- webhooks -------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Check ``Signature: sha256 <hex>`` over the raw body against every secret.

        Raises:
            WebhookVerificationError: Missing, malformed or wrong signature, oversized body.
            ConfigurationError: No webhook secret is configured.
        """
        if self._verifier is None:
            raise ConfigurationError(
                "no webhook secret configured for adapter 'greenhouse'",
                key_path="webhook_secrets",
            )
        self._verifier.verify(headers, body)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Normalize a verified delivery; pings and unused actions give no events.

        Raises:
            WebhookPayloadError: The body is not JSON or not the documented envelope.
        """
        return parse_delivery(headers, body, now=self.clock.now(), options=self._options)

    # --- reads ----------------------------------------------------------------------------

    def get_application(self, application_id: str) -> Application:
        """Read the application as Greenhouse holds it now (nothing of it is cached)."""
        return self._reader.full(_object_id(application_id, self.name))

    def changed_applications(
        self, since: datetime, *, until: datetime | None = None
    ) -> Iterator[Application]:
        """Yield applications whose ``updated_at`` is at or after *since*.

        Greenhouse lists by id, newest first, not by ``updated_at``, so no position in the
        listing is a resumable cursor: the window is fixed up front, two-sided
        (``updated_at=gte|<since>|lte|<until>``, the form Greenhouse's request builder
        produces), and bounded above, so nothing changed after the listing started is
        reported. The caller saves the upper bound as its next *since* once the listing has
        been fully processed (never a position inside it).

        Applications come as the listing describes them (status, job, current stage name,
        ``rejected_at``, candidate id only); read one with :meth:`get_application` before
        acting on it.

        Args:
            since: The lower bound (aware), included.
            until: The upper bound (aware), excluded: changes stamped exactly at *until* are
                left to the next window, so consecutive windows ``[a, b)``, ``[b, c)`` report
                each change once. Without it the bound is now, included.
        """
        start = _floor_ms(ensure_aware(since))
        end = _floor_ms(ensure_aware(until) if until is not None else self.clock.now())
        if end < start or (until is not None and end == start):
            return
        params = {
            "updated_at": f"gte|{_iso_ms(start)}|lte|{_iso_ms(end)}",
            "per_page": self.settings.page_size,
        }
        for row in self._harvest.items("applications", V3Application, params):
            if until is not None and row.updated_at is not None and row.updated_at >= end:
                continue
            yield self._reader.from_listing(row)

    def rejection_reasons(self) -> list[RejectionReason]:
        """Greenhouse's rejection reasons, its defaults included, with their kind."""
        return [reason_from_v3(reason) for reason in self._lookups.reasons()]

    def job_stages(self, job_id: str) -> list[Stage]:
        """The job's stages in plan order, each with its normalized kind."""
        plan = self._lookups.stage_plan(_object_id(job_id, self.name, what="job"))
        return stages_of_plan(plan, self.settings.stage_kinds)

    # --- writes ---------------------------------------------------------------------------

    def reject(
        self,
        application_id: str,
        *,
        reason_id: str,
        note: str | None = None,
        email: NativeRejectionEmail | None = None,
    ) -> Application:
        """Reject the application; one already rejected is left as it is (success).

        With *email*, Greenhouse sends its own templated rejection e-mail at ``send_at``
        (given with an explicit UTC offset: without one Greenhouse reads the time in the
        acting user's zone). Nothing is posted when the application is already rejected, so
        no second e-mail can go out.

        Raises:
            ConflictError: The application is hired.
            ApiValidationError: Greenhouse refused the reason, template or sender.
        """
        number = _object_id(application_id, self.name)
        body: dict[str, Any] = {"rejection_reason_id": _int_field(reason_id, "reason_id", self)}
        if note:
            body["notes"] = note
        if email is not None:
            body["rejection_email"] = self._rejection_email(email)
        return self._change_state(
            number,
            "reject",
            body,
            done=lambda row: row.status == "rejected",
            refuse=lambda row: row.status == "hired",
        )

    def unreject(self, application_id: str) -> Application:
        """Undo a rejection; an application that is not rejected is left as it is."""
        return self._change_state(
            _object_id(application_id, self.name),
            "unreject",
            {},
            done=lambda row: row.status != "rejected",
            refuse=lambda row: False,
        )

    def add_note(self, application_id: str, text: str) -> None:
        """Record a note on the candidate's profile, attached to the application.

        A note whose answer was lost is read back (``GET /v3/notes``) and posted again only if
        it is not there.
        """
        number = _object_id(application_id, self.name)
        row = self._reader.row(number)
        body: dict[str, Any] = {
            "application_id": number,
            "candidate_id": row.candidate_id,
            "body": text,
            "visibility": self.settings.note_visibility,
            "note_type": "NOTE",
        }
        if self.settings.acting_user_id is not None:
            body["user_id"] = self.settings.acting_user_id
        before = self._same_notes(number, text)
        try:
            self._http.request("POST", "notes", json=body)
        except TransportError:
            if self._same_notes(number, text) > before:
                return
            self._http.request("POST", "notes", json=body)

    # --- helpers --------------------------------------------------------------------------

    def _change_state(
        self,
        number: int,
        action: str,
        body: dict[str, Any],
        *,
        done: Callable[[V3Application], bool],
        refuse: Callable[[V3Application], bool],
    ) -> Application:
        """POST a state change unless it is in place; read back before any second attempt."""
        row = self._reader.row(number)
        if done(row):
            return self._reader.full(number)
        if refuse(row):
            raise ConflictError(
                f"application is {row.status}; not changed",
                adapter=self.name,
                method="POST",
                path=f"applications/{number}/{action}",
            )
        path = f"applications/{number}/{action}"
        try:
            self._post_state(number, path, body, done)
        except TransportError:
            # The write may have been applied before the connection broke, or may still be
            # on its way; a second one that meets it is refused and read back below.
            if not done(self._reader.row(number)):
                self._post_state(number, path, body, done)
        return self._reader.full(number)

    def _post_state(
        self,
        number: int,
        path: str,
        body: dict[str, Any],
        done: Callable[[V3Application], bool],
    ) -> None:
        try:
            self._http.request("POST", path, json=body)
        except (ApiValidationError, ConflictError):
            # Someone (a recruiter, another worker, our own earlier attempt) may have made
            # the change first; Greenhouse then refuses it as invalid.
            if not done(self._reader.row(number)):
                raise

    def _rejection_email(self, email: NativeRejectionEmail) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "email_template_id": _int_field(email.template_id, "template_id", self)
        }
        if email.send_at is not None:
            payload["send_email_at"] = _iso_ms(email.send_at)
        sender = email.sender_user_id
        if sender is None and self.settings.acting_user_id is not None:
            sender = str(self.settings.acting_user_id)
        if sender is not None:
            payload["email_from_user_id"] = _int_field(sender, "sender_user_id", self)
        return payload

    def _same_notes(self, number: int, text: str) -> int:
        notes = self._harvest.items("notes", V3Note, {"application_ids": str(number)})
        return sum(1 for note in notes if note.body == text and note.application_id == number)

    @classmethod
    def sandbox(cls, *, clock: Clock | None = None) -> GreenhouseSandbox:
        """Return a new, not yet started, Greenhouse sandbox (a fake Harvest v3)."""
        # Imported here: the sandbox is a test tool the adapter does not need to run.
        from ats_reject_greenhouse.sandbox import GreenhouseSandbox  # noqa: PLC0415

        return GreenhouseSandbox(clock=clock)


def _object_id(value: str, adapter: str, *, what: str = "application") -> int:
    """Greenhouse ids are positive integers; anything else names nothing that exists."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) == 0:
        raise NotFoundError(f"no {what} with this id", adapter=adapter, status=404)
    return int(text)


def _int_field(value: str, field: str, adapter: GreenhouseAdapter) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ApiValidationError(f"{field} must be a Greenhouse id", adapter=adapter.name)
    return int(text)


def _floor_ms(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment - timedelta(microseconds=moment.microsecond % 1000)


def _iso_ms(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z`` (``2025-03-14T09:30:00.000Z``)."""
    utc = ensure_aware(moment).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
