"""Client-side rate limiting per credential, learning from the server's headers (R21).

Each :class:`RateLimiter` keeps the requests made with one credential under the vendor's
limit instead of letting them run into 429s. It keeps a log of when it let requests go
and lets a new one go only while fewer than ``limit`` went in the last ``window +
margin`` seconds; otherwise the caller sleeps (through the injected clock) until the oldest
one leaves that window. No window of length ``window`` then ever holds more than ``limit``
of our requests, so this is safe against fixed windows, sliding windows and token buckets
alike, and it lets a short job send its few requests at once instead of pacing them.
*margin* absorbs the jitter between letting a request go and the server counting it.

The server's answers correct the picture on every response:

* ``X-RateLimit-Limit`` (or ``X-Rate-Limit-Limit``) replaces the configured limit, so a
  connection configured for the wrong tier adapts after its first response;
* ``-Remaining`` tells how much of the budget the server saw used; what our own log does
  not explain is someone else's use of the credential (another process), and is taken off
  our allowance until ``-Reset``; when that leaves nothing, callers wait for the reset;
* a 429 holds every caller until ``Retry-After`` (or the reset, or one window) and lowers
  the allowance by 15 %, which comes back slowly with each success: that is all a vendor
  that sends no headers (Lever) teaches us.

Known limit: against a *fixed*-window server, use by another process early in a window is
under-estimated (our log counts our requests of the previous window too), so such sharing
is caught by the first 429 rather than before it.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from ats_reject.clock import Clock, SystemClock
from ats_reject.http._headers import (
    RateLimitHeaders,
    parse_rate_limit_headers,
    requested_wait,
)

__all__ = [
    "RateLimitHold",
    "RateLimiter",
    "RateLimiterRegistry",
    "RateLimiterStats",
    "credential_key",
]

_PENALTY_FLOOR = 0.25
_PENALTY_ON_429 = 0.85
_PENALTY_RECOVERY = 0.002
# Waking exactly on the boundary can miss it by a rounding error and spin once more.
_WAKE_SLACK = 1e-6
_MAX_UNOBSERVED = 4096
_EDGE_TOLERANCE = 2


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


def default_margin(window: float) -> float:
    """The default jitter margin: 2 % of the window, at least 50 ms and at most 250 ms."""
    return min(0.25, max(0.05, 0.02 * window))


class RateLimitHold(Exception):  # noqa: N818 - a signal to the client, not an error
    """The limiter would hold the caller longer than it accepts (see ``acquire``).

    Attributes:
        seconds: How long the hold still lasts.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"rate limit holds requests for {seconds:.1f}s")


@dataclass(frozen=True)
class RateLimiterStats:
    """A snapshot of a limiter, for tests, metrics and the benchmark.

    Attributes:
        limit: Requests per window currently assumed (configured, or learned from headers).
        window: Window length in seconds.
        allowance: Requests we let go per window now (after 429 penalties and others' use).
        in_window: Our requests in the current window (plus margin).
        permits: Requests let through so far.
        rate_limited: 429 responses observed so far.
        foreign: Requests in the server's count that were not ours (other processes).
        waited: Total seconds callers were held back.
        blocked_for: Seconds until a 429 or an exhausted budget stops holding callers.
    """

    limit: int
    window: float
    allowance: int
    in_window: int
    permits: int
    rate_limited: int
    foreign: int
    waited: float
    blocked_for: float


class RateLimiter:
    """Keeps one credential's requests under its limit; shared by all its clients.

    Thread-safe: any number of threads may call :meth:`acquire` and :meth:`observe`.

    Args:
        limit: Requests allowed per *window*, as the vendor documents it; replaced by the
            ``-Limit`` header once the server sends one.
        window: Length of the vendor's window in seconds (headers do not tell it).
        clock: Time source; every wait is ``clock.sleep``.
        utilization: Share of the limit to use (0 < u <= 1); below 1 leaves room for other
            users of the same credential that do not go through this limiter.
        margin: Seconds added to the window to absorb network and scheduling jitter;
            defaults to :func:`default_margin`.
        key: The credential key (see :func:`credential_key`), for ``repr`` and logs.
    """

    def __init__(
        self,
        *,
        limit: int,
        window: float,
        clock: Clock | None = None,
        utilization: float = 1.0,
        margin: float | None = None,
        key: str = "default",
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit allows at least one request per positive window")
        if not 0 < utilization <= 1:
            raise ValueError("utilization is in (0, 1]")
        if margin is not None and margin < 0:
            raise ValueError("margin must not be negative")
        self.key = key
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._limit = limit
        self._window = window
        self._utilization = utilization
        self._margin = default_margin(window) if margin is None else margin
        self._penalty = 1.0
        self._sent: deque[float] = deque()
        self._issued_at: dict[int, float] = {}
        self._blocked_until = float("-inf")
        self._permits = 0
        self._rate_limited = 0
        self._waited = 0.0
        # The freshest budget report: which permit it answered, and what it told us.
        self._report_permit = 0
        self._report_remaining = 0
        self._foreign = 0
        self._foreign_until = float("-inf")

    # --- state, under the lock ------------------------------------------------------------

    def _span(self) -> float:
        return self._window + self._margin

    def _forget_old(self, now: float) -> None:
        horizon = now - self._span()
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def _allowance(self, now: float) -> int:
        allowance = max(1, math.floor(self._limit * self._utilization * self._penalty))
        if now < self._foreign_until:
            allowance -= self._foreign
        return allowance

    def _gate(self, now: float) -> float:
        """The monotonic time before which nothing may be sent, whatever the log says."""
        gate = self._blocked_until
        if self._foreign > 0 and now < self._foreign_until:
            # Others share the credential: trust the server's count, less what we sent since.
            left = self._report_remaining - (self._permits - self._report_permit)
            if left <= 0 or self._allowance(now) <= 0:
                gate = max(gate, self._foreign_until)
        return gate

    def _own_in_window(self, issued: float) -> int:
        return sum(1 for sent in self._sent if issued - self._window < sent <= issued)

    # --- public ---------------------------------------------------------------------------

    def acquire(self, *, max_hold: float | None = None) -> int:
        """Wait until a request may be sent, and claim the right to send it.

        Args:
            max_hold: Longest the caller accepts to be held by a 429 or an exhausted shared
                budget (ordinary pacing inside a window always waits). Past it,
                :class:`RateLimitHold` is raised at once, so a worker is not blocked for
                the hours a server may ask for.

        Returns:
            A permit number; pass it to :meth:`observe` with the response.

        Raises:
            RateLimitHold: The hold is longer than *max_hold*.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                self._forget_old(now)
                gate = self._gate(now)
                if gate > now:
                    wait = gate - now
                    if max_hold is not None and wait > max_hold:
                        raise RateLimitHold(wait)
                else:
                    allowance = self._allowance(now)
                    if len(self._sent) < allowance:
                        return self._issue(now, waited)
                    oldest_blocking = self._sent[len(self._sent) - allowance]
                    wait = oldest_blocking + self._span() - now
            wait += _WAKE_SLACK
            self._clock.sleep(wait)
            waited += wait

    def _issue(self, now: float, waited: float) -> int:
        self._permits += 1
        self._waited += waited
        self._sent.append(now)
        self._issued_at[self._permits] = now
        if len(self._issued_at) > _MAX_UNOBSERVED:
            # A permit whose response never came back (the caller failed in between).
            del self._issued_at[next(iter(self._issued_at))]
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
        pause = requested_wait(status, headers, now=wall_now) if status == 429 else None
        with self._lock:
            now = self._clock.monotonic()
            issued = self._issued_at.pop(permit, None)
            if report is not None:
                self._learn(report, permit, issued, now)
            if status == 429:
                self._rate_limited += 1
                pause = self._window if pause is None else pause
                self._blocked_until = max(self._blocked_until, now + pause)
                self._penalty = max(_PENALTY_FLOOR, self._penalty * _PENALTY_ON_429)
            elif status is not None and status < 400:
                self._penalty = min(1.0, self._penalty + _PENALTY_RECOVERY)

    def _learn(
        self, report: RateLimitHeaders, permit: int, issued: float | None, now: float
    ) -> None:
        if report.limit is not None and report.limit > 0:
            self._limit = report.limit
        if report.remaining is None or issued is None or permit < self._report_permit:
            return
        self._report_permit = permit
        self._report_remaining = report.remaining
        used_by_anyone = max(0, self._limit - report.remaining)
        unexplained = used_by_anyone - self._own_in_window(issued)
        # A request or two on a window's edge is counted differently by the server and by
        # our log; only a larger gap is someone else using the credential.
        self._foreign = unexplained if unexplained > _EDGE_TOLERANCE else 0
        reset_after = report.reset_after if report.reset_after is not None else self._window
        self._foreign_until = now + reset_after

    def stats(self) -> RateLimiterStats:
        """Return a snapshot of the limiter's state."""
        with self._lock:
            now = self._clock.monotonic()
            self._forget_old(now)
            return RateLimiterStats(
                limit=self._limit,
                window=self._window,
                allowance=self._allowance(now),
                in_window=len(self._sent),
                permits=self._permits,
                rate_limited=self._rate_limited,
                foreign=self._foreign if now < self._foreign_until else 0,
                waited=self._waited,
                blocked_for=max(0.0, self._gate(now) - now),
            )

    def __repr__(self) -> str:
        """Show the key (a hash) and the limit, never a credential."""
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
        utilization: float = 1.0,
        margin: float | None = None,
    ) -> RateLimiter:
        """Return the limiter for *key*, creating it with these settings the first time.

        Args:
            key: A credential key from :func:`credential_key`; never the secret itself.
            limit: Requests per window the vendor documents for this credential.
            window: The vendor's window in seconds.
            utilization: See :class:`RateLimiter`.
            margin: See :class:`RateLimiter`.

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
                    margin=margin,
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
