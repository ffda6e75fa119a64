"""The sandbox's OAuth2 token endpoint and bearer-token check (Harvest v3 client credentials).

https://harvestdocs.greenhouse.io/docs/authentication: ``POST https://auth.greenhouse.io/token``
with ``Authorization: Basic base64(client_id:client_secret)`` and the form body
``grant_type=client_credentials[&sub=<user id>]``; API calls then send
``Authorization: Bearer <access_token>``. The sandbox answers ``{access_token, token_type,
expires_at}`` (or ``expires_in``, see ``expiry_field``; which one Greenhouse sends is
UNCONFIRMED) and refuses expired or revoked tokens with 401.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal
from urllib.parse import parse_qs

from ats_reject.clock import Clock
from ats_reject.testing import FakeRequest, FakeResponse
from ats_reject_greenhouse.sandbox._store import iso

__all__ = ["Grant", "OAuthServer"]

ExpiryField = Literal["expires_at", "expires_in"]


@dataclass(frozen=True)
class Grant:
    """Who a valid token speaks for."""

    client_id: str
    sub: int | None


@dataclass
class _Token:
    grant: Grant
    expires_at: float


class OAuthServer:
    """Client credentials and the tokens minted for them.

    Args:
        clock: The sandbox clock (token expiry follows it).
        lifetime: Seconds a token lives.
        expiry_field: How the token answer says when it expires.
    """

    def __init__(
        self, clock: Clock, lifetime: float = 3600.0, expiry_field: ExpiryField = "expires_at"
    ) -> None:
        self._clock = clock
        self.lifetime = lifetime
        self.expiry_field: ExpiryField = expiry_field
        self._clients: dict[str, str] = {}
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self.known_users: set[int] = set()
        self.minted = 0
        """Tokens issued so far."""
        self.grants: list[Grant] = []
        """Every grant issued, in order (tests read the ``sub`` asked for)."""

    def register_client(self, client_id: str, secret: str) -> None:
        """Accept *client_id* with *secret*."""
        with self._lock:
            self._clients[client_id] = secret

    def revoke_all(self) -> None:
        """Invalidate every token (the next API call gets a 401)."""
        with self._lock:
            self._tokens.clear()

    # --- routes ---------------------------------------------------------------------------

    def token(self, request: FakeRequest) -> FakeResponse:
        """``POST /token``."""
        client_id = self._basic_client(request.headers.get("Authorization", ""))
        if client_id is None:
            return FakeResponse.error(401, {"error": "invalid_client"})
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("latin-1")).items()}
        # The docs also show grant_type in the query string; both are read.
        grant_type = form.get("grant_type") or request.query_value("grant_type")
        if grant_type != "client_credentials":
            return FakeResponse.error(400, {"error": "unsupported_grant_type"})
        sub: int | None = None
        if "sub" in form:
            try:
                sub = int(form["sub"])
            except ValueError:
                return FakeResponse.error(400, {"error": "invalid_request"})
            if sub not in self.known_users:
                return FakeResponse.error(400, {"error": "invalid_request"})
        token = secrets.token_urlsafe(24)
        grant = Grant(client_id, sub)
        with self._lock:
            self._tokens[token] = _Token(grant, self._clock.monotonic() + self.lifetime)
            self.minted += 1
            self.grants.append(grant)
        body: dict[str, object] = {"access_token": token, "token_type": "Bearer"}
        if self.expiry_field == "expires_in":
            body["expires_in"] = int(self.lifetime)
        else:
            body["expires_at"] = iso(self._clock.now() + timedelta(seconds=self.lifetime))
        return FakeResponse.json(body)

    def authenticate(self, request: FakeRequest) -> Grant | None:
        """The grant behind a request's bearer token, or ``None`` (answer 401)."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        with self._lock:
            token = self._tokens.get(header[len("Bearer ") :])
            if token is None:
                return None
            if self._clock.monotonic() >= token.expires_at:
                del self._tokens[header[len("Bearer ") :]]
                return None
            return token.grant

    def rate_key(self, request: FakeRequest) -> str:
        """The budget a request counts against: its OAuth client (the token endpoint apart)."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            return f"token:{self._basic_client(header) or '?'}"
        with self._lock:
            token = self._tokens.get(header[len("Bearer ") :]) if header else None
        return f"api:{token.grant.client_id}" if token else f"anonymous:{header[:16]}"

    def _basic_client(self, header: str) -> str | None:
        if not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header[len("Basic ") :], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        with self._lock:
            expected = self._clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected.encode(), secret.encode()):
            return None
        return client_id
