"""The Lever adapter: Lever Data API v1 (https://hire.lever.co/developer/documentation).

* **Authentication**: HTTP Basic with an API key as the user name and an empty password
  ("Authenticate to the Lever API via basic auth by providing an API key as the username and
  leaving the password blank"). Lever's OAuth is for registered partner applications only
  and is not offered by this adapter.
* **Rate limit**: "We currently rate limit by API key using an implementation of token
  bucket ... a steady state number of 10 requests/second per API key ... bursts of requests
  up to 20 per second. These defaults are not guaranteed" (section "Rate Limits"). No
  rate-limit headers are documented; a refused request gets 429.
* **Writes** carry ``perform_as=<user id>`` (the Lever user the change is attributed to).
* Lever has no API to send e-mail: ``Capability.NATIVE_EMAIL`` is not offered; the library's
  own mail channel writes to the candidate.

Endpoints used: ``GET /opportunities/:id``, ``GET /opportunities`` (changed since),
``PUT /opportunities/:id/archived``, ``POST /opportunities/:id/notes`` (and ``GET`` to read a
lost note back), ``POST /opportunities/:id/addTags``, ``GET /archive_reasons``,
``GET /stages``, ``GET /postings/:id``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError

from ats_reject.adapter import Adapter, AdapterSettings, Capability, NativeRejectionEmail
from ats_reject.clock import Clock, ensure_aware
from ats_reject.errors import (
    ApiError,
    ApiValidationError,
    ConfigurationError,
    ResponseSchemaError,
)
from ats_reject.http import HttpClient, RateLimiterRegistry, Timeouts, credential_key
from ats_reject.models import (
    Application,
    RejectionReason,
    RejectionReasonKind,
    Stage,
    StageKind,
    WebhookDelivery,
)
from ats_reject_lever import _webhooks
from ats_reject_lever._catalog import AccountCatalog
from ats_reject_lever._mapping import (
    HIRED_TYPE,
    UnknownArchiveReasonError,
    to_application,
    to_millis,
    to_rejection_reason,
)
from ats_reject_lever._paging import LeverPaginator, opportunity_path
from ats_reject_lever._payloads import VendorOpportunity
from ats_reject_lever._writes import LeverWrites

if TYPE_CHECKING:
    from ats_reject_lever.sandbox import LeverSandbox

__all__ = ["EXPAND", "LeverAdapter", "LeverSettings"]

EXPAND = ("applications", "stage", "owner")
"""Expanded on every opportunity read: the posting id, the stage's name, the owner."""


class LeverSettings(AdapterSettings):
    """Settings of a Lever connection (``[connections.<name>]`` in ``ats-reject.toml``).

    ``webhook_secrets`` (inherited) holds the *signature token* of every Lever webhook that
    posts to this connection; Lever gives each webhook its own.
    """

    base_url: AnyHttpUrl = AnyHttpUrl("https://api.lever.co/v1")
    """The API root, up to ``/v1``; ``https://api.sandbox.lever.co/v1`` for a Lever sandbox."""
    api_key: SecretStr
    """The Lever API key (Settings → Integrations and API → API Credentials)."""
    perform_as: str | None = None
    """The Lever user id that writes are attributed to; writes are refused without it."""
    page_size: int = Field(default=100, ge=1, le=100)
    """Opportunities asked for per page while syncing (Lever allows 1 to 100)."""
    requests_per_second: float = Field(default=10.0, gt=0, le=1000)
    """Lever's steady rate per API key (documented default: 10)."""
    burst: int = Field(default=20, ge=1, le=10_000)
    """Lever's burst per API key (documented default: 20)."""
    include_confidential: bool = False
    """List confidential opportunities too while syncing (the key needs confidential access)."""
    clean_interviews: bool = False
    """Ask Lever to remove pending interviews when archiving (``cleanInterviews``)."""
    stage_kinds: dict[str, StageKind] = Field(default_factory=dict)
    """Stage kinds by stage id or stage name, over the built-in guesses."""
    reason_kinds: dict[str, RejectionReasonKind] = Field(default_factory=dict)
    """Rejection-reason kinds by archive reason id or name, over the built-in guesses."""
    catalog_ttl: float = Field(default=600.0, ge=0, le=86_400)
    """Seconds archive reasons, stages and postings are kept before being read again."""


class LeverAdapter(Adapter[LeverSettings]):
    """Adapter for Lever (see the module docstring for the API it calls).

    Args:
        settings: Validated settings.
        session: The shared session from :func:`ats_reject.http.make_session`.
        clock: The clock for retries, rate limiting and the kept account data.
        rate_limiters: The process's limiters, so connections sharing a key share a budget;
            a private registry when not given.
    """

    name: ClassVar[str] = "lever"
    display_name: ClassVar[str] = "Lever"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOKS,
            Capability.SYNC,
            Capability.REJECT,
            Capability.UNREJECT,
            Capability.NOTES,
            Capability.TAGS,
            Capability.REJECTION_REASONS,
            Capability.JOB_STAGES,
        }
    )
    settings_model: ClassVar[type[AdapterSettings]] = LeverSettings

    def __init__(
        self,
        settings: LeverSettings,
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        rate_limiters: RateLimiterRegistry | None = None,
    ) -> None:
        super().__init__(settings, session=session, clock=clock)
        registry = rate_limiters or RateLimiterRegistry(self.clock)
        # A token bucket of B requests refilled at R per second is never overdrawn when no
        # B/R seconds hold more than B requests: short jobs burst, long ones run at R.
        limiter = registry.get(
            credential_key(self.name, settings.api_key),
            limit=settings.burst,
            window=settings.burst / settings.requests_per_second,
        )
        self._http = HttpClient(
            self.name,
            self.session,
            str(settings.base_url),
            clock=self.clock,
            timeouts=Timeouts(connect=settings.connect_timeout, read=settings.read_timeout),
            rate_limiter=limiter,
            auth=self._auth_headers,
        )
        self._catalog = AccountCatalog(
            self._http, self.clock, ttl=settings.catalog_ttl, stage_overrides=settings.stage_kinds
        )
        self._writes = LeverWrites(self, self._http)

    def _auth_headers(self) -> Mapping[str, str]:
        # Basic auth: the API key is the user name and the password is empty.
        credentials = f"{self.settings.api_key.get_secret_value()}:".encode()
        return {"Authorization": f"Basic {base64.b64encode(credentials).decode('ascii')}"}

    # --- webhooks -------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Check the body's ``signature`` against every configured signature token.

        Raises:
            WebhookVerificationError: Not JSON, a missing or malformed ``token``,
                ``triggeredAt`` or ``signature``, a wrong signature, an oversized body.
            ConfigurationError: No signature token is configured.
        """
        if not self.settings.webhook_secrets:
            raise ConfigurationError(
                "no webhook signature token configured for adapter 'lever'",
                key_path="webhook_secrets",
            )
        _webhooks.verify(headers, body, self.settings.webhook_secrets)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Normalize a verified delivery (see :mod:`ats_reject_lever._webhooks`).

        ``candidateArchiveChange`` becomes REJECTED, or HIRED when the new archive reason is
        of type hired; an unarchive becomes UNREJECTED (or UNHIRED). The reason's type is
        read from the account's archive reasons; when they cannot be read, the event is
        UPDATED and the engine decides on the state it reads back.

        Raises:
            WebhookPayloadError: The body is not the documented envelope.
        """
        return _webhooks.parse_delivery(body, self._reason_type)

    def _reason_type(self, reason_id: str) -> str | None:
        try:
            reason = self._catalog.archive_reason(reason_id)
        except ApiError:
            return None
        return reason.type if reason is not None else None

    # --- reads ----------------------------------------------------------------------------

    def get_application(self, application_id: str) -> Application:
        """Read the opportunity as Lever holds it now, with contact, stage, posting and owner.

        Raises:
            NotFoundError: No such opportunity (or deleted).
            ResponseSchemaError: Unreadable, or archived for a reason the account does not
                list (so a hire cannot be told from a rejection).
        """
        raw = self.get_opportunity(application_id, expand=True)
        return self.to_application(raw, opportunity_path(application_id))

    def changed_applications(self, since: datetime) -> Iterator[Application]:
        """Yield opportunities updated from *since* until the moment the listing started.

        ``GET /opportunities?updated_at_start=<ms>&updated_at_end=<ms>`` (both inclusive,
        milliseconds since the epoch), followed page by page. The end bound is the run's
        start, so an opportunity changed while the listing runs is left for the next run,
        whose ``since`` is this run's start.
        """
        end = to_millis(self.clock.now())
        start = to_millis(ensure_aware(since))
        if start > end:
            return
        params: dict[str, Any] = {
            "updated_at_start": start,
            "updated_at_end": end,
            "expand": list(EXPAND),
        }
        if self.settings.include_confidential:
            params["confidentiality"] = "all"
        paginator = LeverPaginator(limit=self.settings.page_size)
        for item in self._http.paginate_items("opportunities", paginator, params=params):
            yield self.to_application(
                self.parse_opportunity(item, "opportunities"), "opportunities"
            )

    def rejection_reasons(self) -> list[RejectionReason]:
        """The account's active archive reasons of type non-hired, read fresh.

        Reasons of type hired are not rejection reasons and are left out.
        """
        reasons = self._catalog.archive_reasons(fresh=True)
        return [
            to_rejection_reason(reason, self.settings.reason_kinds)
            for reason in reasons
            if reason.type != HIRED_TYPE and reason.status == "active"
        ]

    def job_stages(self, job_id: str) -> list[Stage]:
        """The pipeline's stages in order, read fresh.

        Lever has one pipeline for the whole account, so every posting (*job_id*) has the
        same stages.
        """
        stages = self._catalog.stages(fresh=True)
        return [
            Stage(
                id=stage.id,
                name=stage.text,
                position=position,
                kind=self._catalog.stage_kind(stage.id, stage.text),
            )
            for position, stage in enumerate(stages)
        ]

    # --- writes (see _writes.py) -----------------------------------------------------------

    def reject(
        self,
        application_id: str,
        *,
        reason_id: str,
        note: str | None = None,
        email: NativeRejectionEmail | None = None,
    ) -> Application:
        """Archive the opportunity with a non-hired reason (see :class:`LeverWrites`).

        An opportunity already archived (with this or another reason) is left as it is;
        a hired one raises ConflictError; *note*, when given, is added after archiving.

        Raises:
            CapabilityNotSupportedError: *email* was given (Lever cannot send e-mail).
            ApiValidationError: The reason is unknown or of type hired.
            ConflictError: The opportunity is hired.
            ConfigurationError: ``perform_as`` is not set.
        """
        if email is not None:
            raise self._unsupported(Capability.NATIVE_EMAIL)
        return self._writes.archive(application_id, reason_id, note)

    def unreject(self, application_id: str) -> Application:
        """Unarchive an opportunity archived for a non-hired reason; active is success."""
        return self._writes.unarchive(application_id)

    def add_note(self, application_id: str, text: str) -> None:
        """Add a note to the opportunity; a note whose answer was lost is looked for first."""
        self._writes.add_note(application_id, text)

    def add_tag(self, application_id: str, tag: str) -> None:
        """Tag the opportunity; a tag already there is success and writes nothing."""
        self._writes.add_tag(application_id, tag)

    # --- shared with _writes --------------------------------------------------------------

    @property
    def catalog(self) -> AccountCatalog:
        """The kept archive reasons, stages and postings."""
        return self._catalog

    def get_opportunity(self, opportunity_id: str, *, expand: bool) -> VendorOpportunity:
        """Read one opportunity, with ``expand=applications,stage,owner`` when *expand*.

        ``GET /opportunities/:opportunity`` answers ``{"data": opportunity}``.
        """
        path = opportunity_path(opportunity_id)
        params = {"expand": list(EXPAND)} if expand else None
        body = self._http.get_json(path, params=params)
        return self.parse_opportunity(body.get("data"), path)

    def to_application(
        self,
        opportunity: VendorOpportunity,
        path: str,
        *,
        like: Application | None = None,
    ) -> Application:
        """Translate an opportunity; *like* fills in the job and owner a write's answer lacks."""
        known_users = {like.recruiter.id: like.recruiter} if like and like.recruiter else {}
        try:
            return to_application(
                opportunity,
                self._catalog,
                reason_overrides=self.settings.reason_kinds,
                known_users=known_users,
                known_job=like.job if like else None,
            )
        except UnknownArchiveReasonError:
            raise self.schema_error("archive reason (not in the account's list)", path) from None
        except ValidationError:
            raise self.schema_error("opportunity (fields out of range)", path) from None

    def perform_as(self) -> dict[str, str]:
        """The ``perform_as`` query parameter every write carries.

        Raises:
            ConfigurationError: It is not configured.
        """
        if not self.settings.perform_as:
            raise ConfigurationError(
                "writes to Lever need the Lever user id they are performed as",
                key_path="perform_as",
            )
        return {"perform_as": self.settings.perform_as}

    def schema_error(self, what: str, path: str) -> ResponseSchemaError:
        """An error for an answer this adapter cannot read."""
        return ResponseSchemaError(
            f"unexpected {what} in the response", adapter=self.name, path=path
        )

    def refused(self, what: str, path: str, error: type[ApiError] = ApiValidationError) -> ApiError:
        """An error for a write refused before it is sent."""
        return error(what, adapter=self.name, path=path)

    def parse_opportunity(self, raw: Any, path: str) -> VendorOpportunity:
        """Validate a raw opportunity.

        Raises:
            ResponseSchemaError: It is not shaped as documented.
        """
        try:
            return VendorOpportunity.model_validate(raw)
        except ValidationError as exc:
            where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            raise self.schema_error(f"opportunity ({where or 'shape'})", path) from None

    @classmethod
    def sandbox(cls, *, clock: Clock | None = None) -> LeverSandbox:
        """Return a new, not yet started, Lever sandbox."""
        # Imported here: the sandbox imports the webhook helpers of this package.
        from ats_reject_lever.sandbox import LeverSandbox  # noqa: PLC0415

        return LeverSandbox(clock=clock)
