"""OAuth2 client credentials for Harvest v3: one cached token, renewed before it expires.

Greenhouse's authentication guide (https://harvestdocs.greenhouse.io/docs/authentication) has
custom integrations ``POST https://auth.greenhouse.io/token`` with HTTP Basic
``client_id:client_secret`` and the form body ``grant_type=client_credentials&sub=<user id>``;
the answer's ``access_token`` is then sent as ``Authorization: Bearer <token>``. ``sub`` is the
Greenhouse user the token acts as (there is no ``On-Behalf-Of`` header in v3).

UNCONFIRMED: the field that says when the token expires. Public clients read either
``expires_in`` (seconds; greenhouse_mcp ``client.py``) or ``expires_at`` (an ISO 8601 time;
a TypeScript client's ``TokenResponse``); the partner guide gives access tokens one hour. We
read both and assume one hour when neither is there, and a 401 renews the token anyway.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from ats_reject.clock import Clock
from ats_reject.errors import ResponseSchemaError
from ats_reject.http import HttpClient

__all__ = ["DEFAULT_TOKEN_LIFETIME", "TokenProvider"]

DEFAULT_TOKEN_LIFETIME = 3600.0
"""Seconds an access token is assumed to live when the answer does not say."""


class TokenProvider:
    """Fetches, caches and renews the Harvest v3 access token; thread-safe.

    Args:
        http: A client pointed at the token endpoint (no auth hook of its own).
        token_path: The token endpoint, absolute or relative to *http*'s base URL.
        client_id: The OAuth client id.
        client_secret: The OAuth client secret.
        acting_user_id: The ``sub`` to request, or ``None`` for the service user.
        clock: Time source for expiry.
        refresh_margin: Renew this many seconds before the token expires.
    """

    def __init__(
        self,
        http: HttpClient,
        token_path: str,
        *,
        client_id: str,
        client_secret: SecretStr,
        acting_user_id: int | None,
        clock: Clock,
        refresh_margin: float = 60.0,
    ) -> None:
        self._http = http
        self._token_path = token_path
        self._client_id = client_id
        self._client_secret = client_secret
        self._acting_user_id = acting_user_id
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self._sent = threading.local()
        self._token: SecretStr | None = None
        self._renew_at = float("-inf")
        self.fetched = 0
        """How many tokens were fetched (for tests and benchmarks)."""

    def headers(self) -> Mapping[str, str]:
        """Return the ``Authorization`` header, fetching a token first when needed."""
        with self._lock:
            if self._token is None or self._clock.monotonic() >= self._renew_at:
                self._fetch()
            token = self._token
            if token is None:  # _fetch either sets it or raises
                raise RuntimeError("no access token after a successful fetch")
            self._sent.token = token
            return {"Authorization": f"Bearer {token.get_secret_value()}"}

    def renew(self) -> bool:
        """Replace the token that was just refused (called once on a 401); ``True`` on success.

        When another thread already replaced it, its new token is used as is: a client seems to
        hold one active token at a time (greenhouse-mcp's runbook observes that two processes
        sharing a client id invalidate each other's tokens; the docs do not say), so fetching a
        second one could revoke the first.
        """
        with self._lock:
            refused = getattr(self._sent, "token", None)
            if self._token is None or self._token is refused:
                self._token = None
                self._fetch()
        return True

    def _fetch(self) -> None:
        basic = base64.b64encode(
            f"{self._client_id}:{self._client_secret.get_secret_value()}".encode()
        ).decode("ascii")
        form = {"grant_type": "client_credentials"}
        if self._acting_user_id is not None:
            form["sub"] = str(self._acting_user_id)
        requested_at = self._clock.monotonic()
        # Minting a token twice is harmless, so the call is retried like a read.
        response = self._http.request(
            "POST",
            self._token_path,
            data=form,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            idempotent=True,
        )
        body = self._http.decode_json(response)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ResponseSchemaError(
                "the token answer holds no access_token",
                adapter=self._http.adapter,
                status=response.status_code,
                method="POST",
                path=self._token_path,
            )
        lifetime = self._lifetime(body)
        margin = min(self._refresh_margin, lifetime / 2)
        self._token = SecretStr(token)
        self._renew_at = requested_at + max(lifetime - margin, 0.0)
        self.fetched += 1

    def _lifetime(self, body: Mapping[str, Any]) -> float:
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            return max(float(expires_in), 0.0)
        expires_at = body.get("expires_at")
        if isinstance(expires_at, str):
            try:
                moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                return max((moment - self._clock.now()).total_seconds(), 0.0)
        return DEFAULT_TOKEN_LIFETIME

    def __repr__(self) -> str:
        """Never show the token or the secret."""
        return f"<TokenProvider fetched={self.fetched}>"
