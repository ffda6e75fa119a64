"""Client-side rate limiting per credential, learning from the server's headers (R21).

Each :class:`RateLimiter` paces the requests made with one credential so that they stay
under the vendor's limit instead of running into 429s. Pacing is a GCRA ("virtual
scheduling") at ``limit * utilization`` requests per ``window``: a caller reserves the next
free slot, sleeps until it (through the injected clock) and goes. Because no window of
length ``window`` then holds more than ``limit`` requests, this works for fixed and sliding
server windows alike, and the slots are handed out first come, first served.

The server's headers correct the picture on every response:

* ``X-RateLimit-Limit`` (or ``X-Rate-Limit-Limit``) replaces the configured limit, so a
  connection configured for the wrong tier adapts after its first response;
* ``-Remaining`` and ``-Reset`` close the gate when the server says the budget is spent
  (other processes may share the credential), until the reset;
* a 429 closes the gate until ``Retry-After`` (or the reset, or one window) and lowers the
  pace multiplicatively, recovering slowly with each success, which is what a vendor that
  sends no headers at all (Lever) teaches us.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from ats_reject.clock import Clock, SystemClock
from ats_reject.http._headers import parse_rate_limit_headers, parse_retry_after

__all__ = ["RateLimiter", "RateLimiterRegistry", "RateLimiterStats", "credential_key"]

_PENALTY_FLOOR = 0.25
_PENALTY_ON_429 = 0.85
_PENALTY_RECOVERY = 0.002


def credential_key(adapter: str, secret: str | SecretStr) -> str:
    """Return the key a credential's rate limiter is filed under: a hash, never the secret.

    Args:
        adapter: The adapter's name, so equal tokens of two vendors do not share a budget.
        secret: The credential (API key, OAuth client id ...).

    Returns:
        A short hexadecimal digest, safe to log and to keep in memory.
    """
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    digest = hashlib.sha256(f"{adapter}\x00{raw}".encode()).hexdigest()
    return f"{adapter}:{digest[:20]}"


@dataclass(frozen=True)
class RateLimiterStats:
    """A snapshot of a limiter, for tests, metrics and the benchmark.

    Attributes:
        limit: Requests per window currently assumed (configured, or learned from headers).
        window: Window length in seconds.
        interval: Seconds between two paced requests now.
        permits: Requests let through so far.
        rate_limited: 429 responses observed so far.
        waited: Total seconds callers were held back.
        blocked_for: Seconds until the gate opens (0 when open).
    """

    limit: int
    window: float
    interval: float
    permits: int
    rate_limited: int
    waited: float
    blocked_for: float


class RateLimiter:
    """Paces the requests of one credential; shared by every client using that credential.

    Thread-safe: any number of threads may call :meth:`acquire` and :meth:`observe`.

    Args:
        limit: Requests allowed per *window*, as the vendor documents it; replaced by the
            ``-Limit`` header once the server sends one.
        window: Length of the vendor's window in seconds (headers do not tell it).
        clock: Time source; every wait is ``clock.sleep``.
        utilization: Share of the limit to use (0 < u <= 1). Below 1 leaves room for the
            jitter between sending a request and the server counting it.
        burst: Requests that may go back to back after an idle spell (1 = pure pacing).
            Keep ``burst <= limit * (1 - utilization) + 1`` or a burst can overrun a window.
        key: The credential key (see :func:`credential_key`), for ``repr`` and logs.
    """

    def __init__(
        self,
        *,
        limit: int,
        window: float,
        clock: Clock | None = None,
        utilization: float = 0.95,
        burst: int = 1,
        key: str = "default",
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit allows at least one request per positive window")
        if not 0 < utilization <= 1:
            raise ValueError("utilization is in (0, 1]")
        if burst < 1:
            raise ValueError("burst is at least 1")
        self.key = key
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._limit = limit
        self._window = window
        self._utilization = utilization
        self._burst = burst
        self._penalty = 1.0
        self._next_slot = self._clock.monotonic()
        self._blocked_until = float("-inf")
        self._permits = 0
        self._rate_limited = 0
        self._waited = 0.0
        # The freshest budget report: which permit it answered, what was left, when it resets.
        self._report_permit = 0
        self._report_remaining: int | None = None
        self._report_reset_at: float | None = None

    def _interval(self) -> float:
        return self._window / (self._limit * self._utilization * self._penalty)

    def _gate(self, now: float) -> float:
        """The monotonic time before which nothing may be sent."""
        gate = self._blocked_until
        if (
            self._report_remaining is not None
            and self._report_reset_at is not None
            and self._report_reset_at > now
        ):
            # Permits issued after the reported one may not be counted by the server yet;
            # assume they are, which can only make us wait when we need not.
            available = self._report_remaining - (self._permits - self._report_permit)
            if available <= 0:
                gate = max(gate, self._report_reset_at)
        return gate

    def acquire(self) -> int:
        """Wait until a request may be sent, and claim the right to send it.

        Returns:
            A permit number; pass it to :meth:`observe` with the response.
        """
        waited = 0.0
        while True:
            reserved = False
            with self._lock:
                now = self._clock.monotonic()
                gate = self._gate(now)
                if gate > now:
                    wait = gate - now
                else:
                    tolerance = (self._burst - 1) * self._interval()
                    slot = max(now, self._next_slot - tolerance)
                    self._next_slot = max(self._next_slot, slot) + self._interval()
                    wait = slot - now
                    reserved = True
                    if wait <= 0:
                        return self._issue(waited)
            self._clock.sleep(wait)
            waited += wait
            if reserved:
                with self._lock:
                    if self._gate(self._clock.monotonic()) <= self._clock.monotonic():
                        return self._issue(waited)
                # The gate closed while we slept (a 429 elsewhere); queue again behind it.

    def _issue(self, waited: float) -> int:
        self._permits += 1
        self._waited += waited
        return self._permits

    def observe(self, permit: int, *, status: int | None, headers: Mapping[str, str]) -> None:
        """Learn from the response to the request sent under *permit*.

        Args:
            permit: What :meth:`acquire` returned for this request.
            status: The HTTP status, or ``None`` when no response arrived.
            headers: The response headers (empty when no response arrived).
        """
        wall_now = self._clock.now()
        report = parse_rate_limit_headers(headers, now=wall_now) if headers else None
        retry_after = (
            parse_retry_after(headers.get("Retry-After"), now=wall_now)
            if status == 429 and headers
            else None
        )
        with self._lock:
            now = self._clock.monotonic()
            if report is not None:
                if report.limit is not None and report.limit > 0:
                    self._limit = report.limit
                if report.remaining is not None and permit >= self._report_permit:
                    self._report_permit = permit
                    self._report_remaining = report.remaining
                    self._report_reset_at = (
                        now + report.reset_after if report.reset_after is not None else None
                    )
            if status == 429:
                self._rate_limited += 1
                pause = retry_after
                if pause is None and report is not None:
                    pause = report.reset_after
                if pause is None:
                    pause = self._window
                self._blocked_until = max(self._blocked_until, now + pause)
                self._next_slot = max(self._next_slot, self._blocked_until)
                self._penalty = max(_PENALTY_FLOOR, self._penalty * _PENALTY_ON_429)
            elif status is not None and status < 400:
                self._penalty = min(1.0, self._penalty + _PENALTY_RECOVERY)

    def stats(self) -> RateLimiterStats:
        """Return a snapshot of the limiter's state."""
        with self._lock:
            now = self._clock.monotonic()
            return RateLimiterStats(
                limit=self._limit,
                window=self._window,
                interval=self._interval(),
                permits=self._permits,
                rate_limited=self._rate_limited,
                waited=self._waited,
                blocked_for=max(0.0, self._gate(now) - now),
            )

    def __repr__(self) -> str:
        """Show the key (a hash) and the pace, never a credential."""
        return f"RateLimiter(key={self.key!r}, limit={self._limit}, window={self._window:g})"


class RateLimiterRegistry:
    """Hands out one :class:`RateLimiter` per credential key, so clients share a budget.

    Several connections, threads or adapters using the same credential must draw from the
    same budget; they do when they ask the same registry with the same key. Thread-safe.

    Args:
        clock: The clock given to every limiter the registry creates.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or SystemClock()
        self._limiters: dict[str, RateLimiter] = {}
        self._lock = threading.Lock()

    def get(
        self,
        key: str,
        *,
        limit: int,
        window: float,
        utilization: float = 0.95,
        burst: int = 1,
    ) -> RateLimiter:
        """Return the limiter for *key*, creating it with these settings the first time.

        Args:
            key: A credential key from :func:`credential_key`; never the secret itself.
            limit: Requests per window the vendor documents for this credential.
            window: The vendor's window in seconds.
            utilization: See :class:`RateLimiter`.
            burst: See :class:`RateLimiter`.

        Returns:
            The shared limiter; later calls with the same key get the same object whatever
            settings they pass (the headers keep it right).
        """
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = RateLimiter(
                    limit=limit,
                    window=window,
                    clock=self._clock,
                    utilization=utilization,
                    burst=burst,
                    key=key,
                )
                self._limiters[key] = limiter
            return limiter

    def __len__(self) -> int:
        """Number of credentials with a limiter."""
        with self._lock:
            return len(self._limiters)

    def __repr__(self) -> str:
        """Count the limiters; keys are hashes but there is no need to list them."""
        return f"RateLimiterRegistry({len(self)} credentials)"
