"""Retries: tenacity with full jitter, obeying the server, behind a seam tests control.

The seam is two injected objects: the :class:`~ats_reject.clock.Clock` every wait goes
through, and a :class:`random.Random` the jitter is drawn from. A test passes a
``FrozenClock`` and a seeded ``Random`` and the whole schedule is deterministic and instant.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity

from ats_reject.clock import Clock
from ats_reject.errors import ApiError, RateLimitedError, ServerError, TransportError
from ats_reject.http._headers import DEFAULT_RETRY_AFTER_CAP

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "RetryBudget",
    "RetryEvent",
    "RetryPolicy",
    "is_retryable",
]

ResultT = TypeVar("ResultT")

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses a read is retried on (R19). 400, 401, 403, 404, 409 and 422 never are."""

_REFUSED_BEFORE_PROCESSING: frozenset[int] = frozenset({429, 503})
"""Statuses that, with a ``Retry-After``, say the server turned the request away unread."""


def is_retryable(
    error: BaseException,
    *,
    idempotent: bool,
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES,
) -> bool:
    """Decide whether a failed attempt may be sent again.

    The rule (R18, R19):

    * An idempotent call (a read, or a PUT/DELETE that sets a state) is retried after a
      timeout or a connection failure, and on the *retry_statuses* (408, 429, 500, 502, 503,
      504 by default).
    * A non-idempotent call (a POST or PATCH write) is retried only when the server proved
      it did not process the request: a 429, or a 503 carrying ``Retry-After`` (a 429 may
      also say when through its rate-limit reset header). A timeout or a dropped connection
      on a write is never retried here: the write may have been applied, so the caller must
      read the object back before writing again.
    * Nothing else is retried: 400, 401, 403, 404, 409, 410, 422 and unreadable responses
      are final.

    Args:
        error: What the attempt raised.
        idempotent: Whether sending the request twice has the effect of sending it once.
        retry_statuses: Statuses retried for idempotent calls.

    Returns:
        Whether to try again (subject to the attempt, delay and budget bounds).
    """
    if isinstance(error, TransportError):
        return idempotent
    if not isinstance(error, RateLimitedError | ServerError) or error.status is None:
        return False
    if idempotent:
        return error.status in retry_statuses
    return error.status in _REFUSED_BEFORE_PROCESSING and error.retry_after is not None


@dataclass(frozen=True)
class RetryEvent:
    """One decision to wait and try again, reported to ``on_retry``.

    Attributes:
        attempt: The number of the attempt that failed (1 for the first).
        delay: Seconds waited before the next attempt.
        from_server: Whether the delay came from the server (``Retry-After`` or a reset
            header) rather than from backoff.
        error: The error of the failed attempt.
    """

    attempt: int
    delay: float
    from_server: bool
    error: BaseException


class RetryBudget:
    """Keeps retries at or below a share of requests over a sliding window (R20).

    Under an outage every call fails and would retry; the budget turns most of those
    retries into immediate failures so the client does not multiply the load on a server
    that is already struggling. Thread-safe.

    Args:
        clock: Time source for the window.
        ratio: Retries allowed per request sent (0.1: one retry per ten requests).
        minimum: Retries always allowed in a window, so a quiet client can still retry.
        window: Length of the sliding window in seconds.
    """

    def __init__(
        self, clock: Clock, *, ratio: float = 0.1, minimum: int = 3, window: float = 60.0
    ) -> None:
        if ratio < 0 or minimum < 0 or window <= 0:
            raise ValueError("ratio and minimum must be >= 0 and window > 0")
        self._clock = clock
        self.ratio = ratio
        self.minimum = minimum
        self.window = window
        self._requests: deque[float] = deque()
        self._retries: deque[float] = deque()
        self._lock = threading.Lock()

    def record_request(self) -> None:
        """Count one request sent (first attempts and retries alike)."""
        with self._lock:
            now = self._clock.monotonic()
            self._trim(now)
            self._requests.append(now)

    def try_spend(self) -> bool:
        """Take one retry from the budget; ``False`` when none is left."""
        with self._lock:
            now = self._clock.monotonic()
            self._trim(now)
            allowed = max(float(self.minimum), self.ratio * len(self._requests))
            if len(self._retries) + 1 > allowed:
                return False
            self._retries.append(now)
            return True

    def _trim(self, now: float) -> None:
        horizon = now - self.window
        for stamps in (self._requests, self._retries):
            while stamps and stamps[0] <= horizon:
                stamps.popleft()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: full-jitter backoff, bounded, obeying the server.

    The wait before retry *n* (1 for the first retry) is the server's hint when the failed
    attempt carried one (``Retry-After``, or a rate-limit reset on a 429), and otherwise
    ``uniform(0, min(max_delay, base_delay * 2 ** (n - 1)))``, the "full jitter" of the AWS
    architecture blog (tenacity's ``wait_random_exponential``), drawn from *rng*.

    Retrying stops, and the last error is raised, when *max_attempts* attempts were made,
    when the next wait would take the total past *max_total_delay*, when the server asks for
    a wait longer than *max_delay* (the error keeps ``retry_after`` so a scheduler can come
    back later instead of holding a worker), or when the client's :class:`RetryBudget` is
    spent.

    Attributes:
        max_attempts: Attempts in all, the first one included (>= 1).
        base_delay: Upper bound of the first backoff, in seconds.
        max_delay: Cap of any single wait, backoff or server hint.
        max_total_delay: Cap of the time from the first attempt to the start of the last.
        retry_after_cap: Cap applied when reading ``Retry-After`` values.
        retry_statuses: Statuses idempotent calls are retried on.
        rng: The source of jitter; seed it in tests.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total_delay: float = 60.0
    retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_total_delay < 0:
            raise ValueError("delays must not be negative")

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt."""
        return cls(max_attempts=1)

    def backoff(self, retry_number: int) -> float:
        """Draw the full-jitter backoff before retry *retry_number* (1 for the first)."""
        exponent = min(max(retry_number - 1, 0), 62)
        ceiling = min(self.max_delay, self.base_delay * float(2**exponent))
        return self.rng.uniform(0.0, ceiling)

    def delay_for(self, retry_number: int, server_hint: float | None) -> tuple[float, bool]:
        """Return the wait before retry *retry_number* and whether it came from the server.

        A server hint wins over backoff; it may exceed ``max_delay``, in which case
        :meth:`call` stops instead of waiting.
        """
        if server_hint is not None:
            return max(server_hint, 0.0), True
        return self.backoff(retry_number), False

    def call(
        self,
        attempt: Callable[[], ResultT],
        *,
        clock: Clock,
        should_retry: Callable[[BaseException], bool],
        budget: RetryBudget | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> ResultT:
        """Run *attempt* until it succeeds or the policy gives up; re-raise the last error.

        Args:
            attempt: Makes one attempt; raises on failure.
            clock: Every wait is ``clock.sleep``; elapsed time is ``clock.monotonic``.
            should_retry: Whether an error may be retried at all (see :func:`is_retryable`).
            budget: The client's retry budget, if it keeps one.
            on_retry: Told about each wait before it happens (tests read the planned delays
                here; the client logs them).

        Returns:
            What the first successful attempt returned.
        """
        started = clock.monotonic()
        decisions: dict[int, tuple[float, bool] | None] = {}

        def decide(state: tenacity.RetryCallState) -> tuple[float, bool] | None:
            # tenacity asks both the wait and the stop strategy; decide once per attempt.
            number = state.attempt_number
            if number in decisions:
                return decisions[number]
            decision = self._decide(state, clock, started, budget)
            decisions[number] = decision
            return decision

        def wait(state: tenacity.RetryCallState) -> float:
            decision = decide(state)
            return 0.0 if decision is None else decision[0]

        def stop(state: tenacity.RetryCallState) -> bool:
            return decide(state) is None

        def before_sleep(state: tenacity.RetryCallState) -> None:
            decision = decide(state)
            if on_retry is None or decision is None or state.outcome is None:
                return
            error = state.outcome.exception()
            if error is not None:
                on_retry(RetryEvent(state.attempt_number, decision[0], decision[1], error))

        retrying = tenacity.Retrying(
            sleep=clock.sleep,
            stop=stop,
            wait=wait,
            retry=tenacity.retry_if_exception(should_retry),
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(attempt)

    def _decide(
        self,
        state: tenacity.RetryCallState,
        clock: Clock,
        started: float,
        budget: RetryBudget | None,
    ) -> tuple[float, bool] | None:
        if state.attempt_number >= self.max_attempts:
            return None
        error = state.outcome.exception() if state.outcome is not None else None
        hint = error.retry_after if isinstance(error, ApiError) else None
        delay, from_server = self.delay_for(state.attempt_number, hint)
        if delay > self.max_delay:
            return None
        if clock.monotonic() - started + delay > self.max_total_delay:
            return None
        if budget is not None and not budget.try_spend():
            return None
        return delay, from_server
