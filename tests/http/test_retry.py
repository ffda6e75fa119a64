"""Retry policy: full jitter, bounds, the server's hint winning, the budget (R18 to R20)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.clock import FrozenClock
from ats_reject.errors import (
    ApiError,
    ApiValidationError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseSchemaError,
    ServerError,
    TransportError,
)
from ats_reject.http import RetryBudget, RetryEvent, RetryPolicy, is_retryable

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def _error(cls: type[ApiError], status: int | None, retry_after: float | None = None) -> ApiError:
    return cls("failed", adapter="example", status=status, method="GET", retry_after=retry_after)


READ_RETRIED = [
    _error(TransportError, None),
    _error(ServerError, 408),
    _error(RateLimitedError, 429),
    _error(ServerError, 500),
    _error(ServerError, 502),
    _error(ServerError, 503),
    _error(ServerError, 504),
]
NEVER_RETRIED = [
    _error(ApiValidationError, 400),
    _error(AuthenticationError, 401),
    _error(PermissionDeniedError, 403),
    _error(NotFoundError, 404),
    _error(ConflictError, 409),
    _error(NotFoundError, 410),
    _error(ApiValidationError, 422),
    _error(ResponseSchemaError, 200),
    _error(ServerError, 501),
]


@pytest.mark.parametrize("error", READ_RETRIED, ids=repr)
def test_reads_retry_transport_errors_and_transient_statuses(error: ApiError) -> None:
    assert is_retryable(error, idempotent=True)


@pytest.mark.parametrize("error", NEVER_RETRIED, ids=repr)
def test_final_statuses_are_never_retried(error: ApiError) -> None:
    assert not is_retryable(error, idempotent=True)
    assert not is_retryable(error, idempotent=False)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_error(TransportError, None), False),  # may have applied: read back first
        (_error(ServerError, 500), False),
        (_error(ServerError, 502), False),
        (_error(ServerError, 504), False),
        (_error(ServerError, 408), False),
        (_error(ServerError, 503), False),  # no Retry-After: it may have been processed
        (_error(ServerError, 503, retry_after=2), True),
        (_error(RateLimitedError, 429), False),
        (_error(RateLimitedError, 429, retry_after=0), True),
    ],
    ids=repr,
)
def test_writes_retry_only_when_the_server_refused_them_unread(
    error: ApiError, expected: bool
) -> None:
    assert is_retryable(error, idempotent=False) is expected


def test_foreign_exceptions_are_not_retried() -> None:
    assert not is_retryable(RuntimeError("bug"), idempotent=True)


def _failing(errors: list[BaseException], result: str = "ok") -> Callable[[], str]:
    remaining = list(errors)

    def attempt() -> str:
        if remaining:
            raise remaining.pop(0)
        return result

    return attempt


def _run(
    policy: RetryPolicy,
    attempt: Callable[[], str],
    clock: FrozenClock,
    budget: RetryBudget | None = None,
) -> tuple[str, list[RetryEvent]]:
    events: list[RetryEvent] = []
    result = policy.call(
        attempt,
        clock=clock,
        should_retry=lambda error: is_retryable(error, idempotent=True),
        budget=budget,
        on_retry=events.append,
    )
    return result, events


def test_backoff_is_full_jitter_within_the_exponential_ceiling(clock: FrozenClock) -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=3.0, rng=random.Random(7))
    result, events = _run(policy, _failing([_error(ServerError, 503)] * 4), clock)
    assert result == "ok"
    assert [event.attempt for event in events] == [1, 2, 3, 4]
    ceilings = [1.0, 2.0, 3.0, 3.0]
    for event, ceiling in zip(events, ceilings, strict=True):
        assert 0.0 <= event.delay <= ceiling
        assert not event.from_server
    assert clock.sleeps == [event.delay for event in events]
    # The same seed gives the same schedule: the seam makes retries reproducible.
    again = FrozenClock(START)
    _run(
        RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=3.0, rng=random.Random(7)),
        _failing([_error(ServerError, 503)] * 4),
        again,
    )
    assert again.sleeps == clock.sleeps


def test_attempts_are_bounded_and_the_last_error_is_raised(clock: FrozenClock) -> None:
    calls: list[int] = []
    last = _error(ServerError, 502)

    def attempt() -> str:
        calls.append(1)
        raise last if len(calls) == 4 else _error(ServerError, 503)

    with pytest.raises(ServerError) as caught:
        RetryPolicy(rng=random.Random(1)).call(
            attempt, clock=clock, should_retry=lambda error: True
        )
    assert caught.value is last
    assert len(calls) == 4
    assert len(clock.sleeps) == 3


def test_server_retry_after_wins_over_backoff(clock: FrozenClock) -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=30.0, rng=random.Random(3))
    _, events = _run(policy, _failing([_error(RateLimitedError, 429, retry_after=7)]), clock)
    assert [(event.delay, event.from_server) for event in events] == [(7.0, True)]
    assert clock.monotonic() == 7.0


def test_a_wait_longer_than_max_delay_is_left_to_the_caller(clock: FrozenClock) -> None:
    policy = RetryPolicy(max_delay=30.0)
    error = _error(ServerError, 503, retry_after=3600)
    with pytest.raises(ServerError) as caught:
        _run(policy, _failing([error]), clock)
    assert caught.value.retry_after == 3600
    assert clock.sleeps == []


def test_total_delay_is_bounded(clock: FrozenClock) -> None:
    policy = RetryPolicy(max_attempts=10, max_delay=5.0, max_total_delay=12.0)
    errors: list[BaseException] = [_error(ServerError, 503, retry_after=5)] * 9
    with pytest.raises(ServerError):
        _run(policy, _failing(errors), clock)
    assert clock.sleeps == [5.0, 5.0]


def test_non_retryable_error_is_raised_at_once(clock: FrozenClock) -> None:
    with pytest.raises(NotFoundError):
        _run(RetryPolicy(), _failing([_error(NotFoundError, 404)]), clock)
    assert clock.sleeps == []


def test_no_retries_policy_makes_one_attempt(clock: FrozenClock) -> None:
    with pytest.raises(ServerError):
        _run(RetryPolicy.no_retries(), _failing([_error(ServerError, 503)]), clock)
    assert clock.sleeps == []


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)


def test_retry_budget_caps_retries_to_a_share_of_requests(clock: FrozenClock) -> None:
    budget = RetryBudget(clock, ratio=0.1, minimum=2, window=60.0)
    for _ in range(10):
        budget.record_request()
    assert budget.try_spend()
    assert budget.try_spend()
    assert not budget.try_spend()  # 10 requests allow max(2, 1) retries
    for _ in range(20):
        budget.record_request()
    assert budget.try_spend()  # 30 requests allow 3
    assert not budget.try_spend()
    clock.advance(61)
    budget.record_request()
    assert budget.try_spend()  # the window slid past the old retries


def test_an_outage_gets_few_retries_once_the_budget_is_spent(clock: FrozenClock) -> None:
    budget = RetryBudget(clock, ratio=0.1, minimum=3, window=600.0)
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.01, rng=random.Random(0))
    attempts = 0

    def attempt() -> str:
        nonlocal attempts
        attempts += 1
        budget.record_request()
        raise _error(ServerError, 503)

    for _ in range(20):
        with pytest.raises(ServerError):
            _run(policy, attempt, clock, budget)
    # Without a budget: 20 calls x 4 attempts = 80 requests. With it, retries stay near 10 %.
    retries = attempts - 20
    assert retries <= max(3, 0.1 * attempts) + 1
    assert attempts < 30


def test_budget_validation(clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="window"):
        RetryBudget(clock, window=0)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    bounds=st.fixed_dictionaries(
        {
            "max_attempts": st.integers(min_value=1, max_value=8),
            "base_delay": st.floats(min_value=0, max_value=10),
            "max_delay": st.floats(min_value=0, max_value=60),
            "max_total_delay": st.floats(min_value=0, max_value=300),
        }
    ),
    hints=st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1e5)), max_size=12),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_delays_and_attempts_never_exceed_their_bounds(
    bounds: dict[str, Any], hints: list[float | None], seed: int
) -> None:
    clock = FrozenClock(START)
    policy = RetryPolicy(**bounds, rng=random.Random(seed))
    calls = 0

    def attempt() -> str:
        nonlocal calls
        hint = hints[calls] if calls < len(hints) else None
        calls += 1
        raise _error(RateLimitedError, 429, retry_after=hint)

    with pytest.raises(RateLimitedError):
        policy.call(attempt, clock=clock, should_retry=lambda error: True)
    assert calls <= policy.max_attempts
    assert all(0.0 <= delay <= policy.max_delay for delay in clock.sleeps)
    assert sum(clock.sleeps) <= policy.max_total_delay + 1e-9
    assert len(clock.sleeps) == calls - 1
