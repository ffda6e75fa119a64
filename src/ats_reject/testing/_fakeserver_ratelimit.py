"""Rate-limit enforcement for the fake server, with the headers vendors send."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ats_reject.clock import Clock
from ats_reject.testing._fakeserver_model import FakeRequest, FakeResponse

__all__ = ["RateLimitRule"]


def _authorization_header(request: FakeRequest) -> str:
    return request.headers.get("Authorization", "")


@dataclass(frozen=True)
class RateLimitRule:
    """A request budget per credential, and how the server announces it.

    Attributes:
        limit: Requests allowed per window and credential.
        window_seconds: Length of the window.
        style: ``"x-ratelimit"`` sends ``X-RateLimit-Limit/-Remaining/-Reset``;
            ``"x-rate-limit"`` sends ``X-Rate-Limit-Limit/-Remaining/-Reset``.
        reset: ``"epoch"`` sends the reset moment as Unix seconds; ``"delta"`` sends the
            seconds until it.
        window: ``"fixed"`` windows are aligned on the server clock's monotonic time;
            ``"sliding"`` counts the requests of the last ``window_seconds``.
        key: The credential a request's budget belongs to.
        retry_after: Whether a 429 carries ``Retry-After`` (whole seconds, rounded up).
    """

    limit: int
    window_seconds: float
    style: Literal["x-ratelimit", "x-rate-limit"] = "x-ratelimit"
    reset: Literal["epoch", "delta"] = "epoch"
    window: Literal["fixed", "sliding"] = "fixed"
    key: Callable[[FakeRequest], str] = field(default=_authorization_header, repr=False)
    retry_after: bool = True

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("a rate limit allows at least one request")
        if self.window_seconds <= 0:
            raise ValueError("a rate-limit window is longer than zero seconds")
        if self.style not in ("x-ratelimit", "x-rate-limit"):
            raise ValueError("style is 'x-ratelimit' or 'x-rate-limit'")
        if self.reset not in ("epoch", "delta"):
            raise ValueError("reset is 'epoch' or 'delta'")
        if self.window not in ("fixed", "sliding"):
            raise ValueError("window is 'fixed' or 'sliding'")

    @property
    def header_prefix(self) -> str:
        """``X-RateLimit`` or ``X-Rate-Limit``."""
        return "X-RateLimit" if self.style == "x-ratelimit" else "X-Rate-Limit"


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request against its budget.

    Attributes:
        headers: The rate-limit headers to send with the answer.
        refusal: The 429 to answer instead of the route; ``None`` when the request may go on.
    """

    headers: dict[str, str]
    refusal: FakeResponse | None = None


class RuleEnforcer:
    """Counts requests per credential under one :class:`RateLimitRule`; thread-safe.

    (The server's side of a rate limit; :class:`ats_reject.http.RateLimiter` is the client's.)
    """

    def __init__(self, rule: RateLimitRule, clock: Clock) -> None:
        self.rule = rule
        self._clock = clock
        self._lock = threading.Lock()
        self._fixed: dict[str, tuple[int, int]] = {}
        self._sliding: dict[str, deque[float]] = {}

    def admit(self, request: FakeRequest) -> RateDecision:
        """Count *request* if its budget allows it; say so, with the headers to send."""
        rule = self.rule
        credential = rule.key(request)
        with self._lock:
            now = self._clock.monotonic()
            if rule.window == "fixed":
                allowed, used, until_reset = self._admit_fixed(credential, now)
            else:
                allowed, used, until_reset = self._admit_sliding(credential, now)
        headers = self._headers(max(rule.limit - used, 0), until_reset)
        if allowed:
            return RateDecision(headers)
        wait = max(1, math.ceil(until_reset))
        if rule.retry_after:
            headers["Retry-After"] = str(wait)
        refusal = FakeResponse.error(
            429, {"error": "rate_limited", "message": "too many requests", "retry_after": wait}
        )
        return RateDecision(headers, refusal)

    def _admit_fixed(self, credential: str, now: float) -> tuple[bool, int, float]:
        size = self.rule.window_seconds
        window_index = math.floor(now / size)
        until_reset = (window_index + 1) * size - now
        index, used = self._fixed.get(credential, (window_index, 0))
        if index != window_index:
            used = 0
        if used >= self.rule.limit:
            self._fixed[credential] = (window_index, used)
            return False, used, until_reset
        self._fixed[credential] = (window_index, used + 1)
        return True, used + 1, until_reset

    def _admit_sliding(self, credential: str, now: float) -> tuple[bool, int, float]:
        size = self.rule.window_seconds
        stamps = self._sliding.setdefault(credential, deque())
        while stamps and stamps[0] <= now - size:
            stamps.popleft()
        allowed = len(stamps) < self.rule.limit
        if allowed:
            stamps.append(now)
        # The budget grows again when the oldest counted request leaves the window.
        until_reset = stamps[0] + size - now
        return allowed, len(stamps), until_reset

    def _headers(self, remaining: int, until_reset: float) -> dict[str, str]:
        prefix = self.rule.header_prefix
        if self.rule.reset == "epoch":
            reset = math.ceil(self._clock.now().timestamp() + until_reset)
        else:
            reset = math.ceil(until_reset)
        return {
            f"{prefix}-Limit": str(self.rule.limit),
            f"{prefix}-Remaining": str(remaining),
            f"{prefix}-Reset": str(reset),
        }
