"""Settings of the Greenhouse adapter: ``[connections.<name>]`` with ``adapter = "greenhouse"``."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator

from ats_reject.adapter import AdapterSettings
from ats_reject.models import StageKind

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RATE_LIMIT_WINDOW",
    "DEFAULT_TOKEN_URL",
    "GreenhouseSettings",
]

DEFAULT_BASE_URL = "https://harvest.greenhouse.io/v3"
"""Harvest v3 root (https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions)."""
DEFAULT_TOKEN_URL = "https://auth.greenhouse.io/token"  # noqa: S105 - a URL, not a secret
"""Client-credentials token endpoint (https://harvestdocs.greenhouse.io/docs/authentication)."""
DEFAULT_RATE_LIMIT_WINDOW = 30.0
"""Harvest v3 counts requests in fixed 30-second windows
(https://harvestdocs.greenhouse.io/docs/api-rate-limiting, as quoted by airbytehq/airbyte
``source-greenhouse`` and sam-vangelos/greenhouse-mcp ``v3-contract-foundation.md``)."""
DEFAULT_RATE_LIMIT = 50
"""Requests per window assumed before the first ``X-RateLimit-Limit`` header arrives.

Greenhouse publishes no ceiling (its guide shows 75 as an *example* and says custom and partner
integrations get different limits), so we start below the only observed value and let the
header correct it on the first response."""


class GreenhouseSettings(AdapterSettings):
    """Settings of :class:`~ats_reject_greenhouse.GreenhouseAdapter`.

    Create "Harvest V3 (OAuth)" credentials in Greenhouse (Configure > Dev Center > API
    Credentials) and grant the scopes listed in ``docs/adapters/greenhouse.md``.
    """

    client_id: str = Field(min_length=1)
    """The OAuth client id of the Harvest v3 credentials."""
    client_secret: SecretStr
    """The OAuth client secret (shown once by Greenhouse)."""
    acting_user_id: int | None = Field(default=None, gt=0)
    """The Greenhouse user the token acts as (the ``sub`` claim): writes, notes and scheduled
    rejection e-mails are recorded as this user. ``None`` uses the credentials' service user."""
    base_url: AnyHttpUrl = AnyHttpUrl(DEFAULT_BASE_URL)
    """The Harvest API root, up to and including ``/v3``."""
    token_url: AnyHttpUrl = AnyHttpUrl(DEFAULT_TOKEN_URL)
    """The OAuth token endpoint."""
    page_size: int = Field(default=500, ge=1, le=500)
    """Applications per page while syncing (Harvest v3 allows 1 to 500)."""
    rate_limit: int = Field(default=DEFAULT_RATE_LIMIT, ge=1)
    """Requests per window assumed until Greenhouse's ``X-RateLimit-Limit`` says otherwise."""
    rate_limit_window: float = Field(default=DEFAULT_RATE_LIMIT_WINDOW, gt=0, le=3600)
    """Length of Greenhouse's rate-limit window in seconds."""
    renew_before_expiry: float = Field(default=60.0, ge=0, le=3600)
    """Renew the access token this many seconds before it expires."""
    lookup_ttl: float = Field(default=300.0, ge=0, le=86400)
    """Seconds reference data (jobs, stage plans, users, reasons, sources) is kept in memory.
    Applications and candidates are never cached."""
    stage_kinds: dict[str, StageKind] = Field(default_factory=dict)
    """Stage name (any case) to normalized kind, over the built-in name rules."""
    time_zone_field: str | None = "time_zone"
    """Candidate custom field (``name_key``) that holds an IANA time zone, if any."""
    locale_field: str | None = None
    """Candidate custom field (``name_key``) that holds a language tag (``de``, ``pt-BR``)."""
    decision_date_field: str | None = None
    """Application or candidate custom field (``name_key``) holding the date a decision was
    promised by; exposed as ``custom_fields["promised_decision_at"]`` (ISO 8601)."""
    note_visibility: str = Field(default="admin_only", pattern="^(admin_only|private|public)$")
    """Visibility of the notes the library writes."""

    @field_validator("stage_kinds")
    @classmethod
    def _fold_stage_names(cls, value: dict[str, StageKind]) -> dict[str, StageKind]:
        return {name.strip().casefold(): kind for name, kind in value.items()}
