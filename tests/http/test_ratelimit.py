"""The client-side rate limiter: a sliding log, learning from headers and 429s (R21)."""

from __future__ import annotations

import threading
from collections import deque

import pytest
from pydantic import SecretStr

from ats_reject.clock import FrozenClock
from ats_reject.http import RateLimiter, RateLimiterRegistry, credential_key


def _window_counts(times: list[float], window: float) -> int:
    """The most requests found in any half-open interval of length *window*."""
    best = 0
    recent: deque[float] = deque()
    for moment in sorted(times):
        recent.append(moment)
        while recent[0] <= moment - window:
            recent.popleft()
        best = max(best, len(recent))
    return best


def test_a_short_job_goes_at_once(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=10.0, clock=clock)
    assert [limiter.acquire() for _ in range(10)] == list(range(1, 11))
    assert clock.sleeps == []


def test_the_next_request_waits_for_the_oldest_to_leave_the_window(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=3, window=10.0, clock=clock, margin=0.5)
    for _ in range(3):
        limiter.acquire()
        clock.advance(1.0)
    limiter.acquire()  # at t=3: the first request (t=0) leaves the window at t=10.5
    assert clock.monotonic() == pytest.approx(10.5)


def test_no_window_ever_holds_more_than_the_limit(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=5, window=2.0, clock=clock, margin=0.0)
    times: list[float] = []
    for step in range(60):
        limiter.acquire()
        times.append(clock.monotonic())
        clock.advance(0.01 * (step % 7))
    assert _window_counts(times, 2.0) <= 5
    # And the limit is used: 60 requests in little more than 11 windows.
    assert times[-1] <= 2.0 * 12


def test_utilization_leaves_headroom(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=10.0, clock=clock, utilization=0.8)
    for _ in range(8):
        limiter.acquire()
    assert clock.sleeps == []
    limiter.acquire()
    assert clock.monotonic() >= 10.0


def test_learns_the_limit_from_headers(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=100, window=10.0, clock=clock)
    permit = limiter.acquire()
    limiter.observe(permit, status=200, headers={"X-Rate-Limit-Limit": "3"})
    assert limiter.stats().limit == 3
    limiter.acquire()
    limiter.acquire()
    assert clock.sleeps == []
    limiter.acquire()  # a 4th within the window must wait
    assert clock.monotonic() >= 10.0


def test_our_own_usage_does_not_close_the_gate(clock: FrozenClock) -> None:
    # The server's "0 left" is explained by our own three requests: no extra wait.
    limiter = RateLimiter(limit=3, window=10.0, clock=clock, margin=0.0)
    permits = [limiter.acquire() for _ in range(3)]
    limiter.observe(
        permits[-1],
        status=200,
        headers={"X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"},
    )
    assert limiter.stats().foreign == 0
    limiter.acquire()
    assert clock.monotonic() == pytest.approx(10.0, abs=1e-3)


def test_someone_elses_usage_shrinks_our_allowance_until_the_reset(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=50, window=10.0, clock=clock)
    first = limiter.acquire()
    reset = str(int(clock.now().timestamp()) + 8)
    limiter.observe(
        first,
        status=200,
        headers={
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "9",
            "X-RateLimit-Reset": reset,
        },
    )
    stats = limiter.stats()
    assert stats.foreign == 40  # 41 used, 1 of them ours
    assert stats.allowance == 10
    for _ in range(9):
        limiter.acquire()
    assert clock.sleeps == []
    limiter.acquire()  # one more would overrun the 9 the server said were left
    assert clock.monotonic() >= 7.9


def test_a_stale_report_does_not_overwrite_a_fresher_one(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=50, window=10.0, clock=clock)
    old, new = limiter.acquire(), limiter.acquire()
    limiter.observe(
        new, status=200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}
    )
    limiter.observe(
        old, status=200, headers={"X-RateLimit-Remaining": "40", "X-RateLimit-Reset": "5"}
    )
    assert limiter.stats().blocked_for == pytest.approx(5.0)


def test_429_holds_everyone_until_retry_after_and_lowers_the_allowance(
    clock: FrozenClock,
) -> None:
    limiter = RateLimiter(limit=20, window=1.0, clock=clock)
    permit = limiter.acquire()
    limiter.observe(permit, status=429, headers={"Retry-After": "5"})
    stats = limiter.stats()
    assert stats.rate_limited == 1
    assert stats.blocked_for == pytest.approx(5.0)
    assert stats.allowance == 17
    limiter.acquire()
    assert clock.monotonic() >= 5.0
    # Successes bring the allowance back, slowly.
    for _ in range(100):
        limiter.observe(limiter.acquire(), status=200, headers={})
    assert limiter.stats().allowance == 20


def test_429_retry_after_is_read_in_any_letter_case(clock: FrozenClock) -> None:
    # Headers may come as a plain dict (an ASGI app, a test), not requests' case-free dict.
    limiter = RateLimiter(limit=10, window=1.0, clock=clock)
    limiter.observe(limiter.acquire(), status=429, headers={"retry-after": "5"})
    assert limiter.stats().blocked_for == pytest.approx(5.0)


def test_429_without_headers_waits_one_window(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=2.0, clock=clock)
    limiter.observe(limiter.acquire(), status=429, headers={})
    assert limiter.stats().blocked_for == pytest.approx(2.0)


def test_transport_failures_teach_nothing(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=1.0, clock=clock)
    limiter.observe(limiter.acquire(), status=None, headers={})
    stats = limiter.stats()
    assert (stats.limit, stats.allowance, stats.blocked_for) == (10, 10, 0.0)


def test_threads_share_one_budget(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=20, window=1.0, clock=clock, margin=0.0)
    taken: list[tuple[int, float]] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            permit = limiter.acquire()
            with lock:
                taken.append((permit, clock.monotonic()))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(permit for permit, _ in taken) == list(range(1, 101))
    assert limiter.stats().permits == 100
    assert _window_counts([moment for _, moment in taken], 1.0) <= 20


def test_validation(clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="at least one"):
        RateLimiter(limit=0, window=1.0, clock=clock)
    with pytest.raises(ValueError, match="utilization"):
        RateLimiter(limit=1, window=1.0, clock=clock, utilization=1.5)
    with pytest.raises(ValueError, match="margin"):
        RateLimiter(limit=1, window=1.0, clock=clock, margin=-1)


def test_registry_shares_a_limiter_per_credential(clock: FrozenClock) -> None:
    registry = RateLimiterRegistry(clock)
    key = credential_key("greenhouse", SecretStr("sk_live_abcdef123456"))
    first = registry.get(key, limit=50, window=10.0)
    assert registry.get(key, limit=999, window=1.0) is first
    assert first.stats().limit == 50
    other = registry.get(credential_key("greenhouse", "another-key"), limit=50, window=10.0)
    assert other is not first
    assert len(registry) == 2


def test_credential_key_is_a_hash_never_the_secret() -> None:
    secret = "sk_live_abcdef123456"
    key = credential_key("greenhouse", secret)
    assert secret not in key
    assert key == credential_key("greenhouse", SecretStr(secret))
    assert key != credential_key("workable", secret)
    assert key.startswith("greenhouse:")
    limiter = RateLimiter(limit=1, window=1.0, key=key)
    assert secret not in repr(limiter)
