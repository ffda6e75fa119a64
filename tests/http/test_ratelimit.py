"""The client-side rate limiter: pacing, learning from headers and 429s, sharing (R21)."""

from __future__ import annotations

import threading

import pytest
from pydantic import SecretStr

from ats_reject.clock import FrozenClock
from ats_reject.http import RateLimiter, RateLimiterRegistry, credential_key


def test_paces_requests_evenly(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=1.0, clock=clock, utilization=1.0)
    permits = [limiter.acquire() for _ in range(5)]
    assert permits == [1, 2, 3, 4, 5]
    assert clock.sleeps == pytest.approx([0.1] * 4)


def test_utilization_leaves_headroom(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=50, window=10.0, clock=clock, utilization=0.8)
    for _ in range(3):
        limiter.acquire()
    assert clock.sleeps == pytest.approx([0.25, 0.25])


def test_burst_lets_an_idle_client_send_back_to_back(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=1.0, clock=clock, utilization=1.0, burst=3)
    clock.advance(5)
    for _ in range(3):
        limiter.acquire()
    assert clock.sleeps == []
    limiter.acquire()
    assert clock.sleeps == pytest.approx([0.1])


def test_learns_the_limit_from_headers(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=100, window=10.0, clock=clock, utilization=1.0)
    permit = limiter.acquire()
    limiter.observe(permit, status=200, headers={"X-Rate-Limit-Limit": "10"})
    assert limiter.stats().limit == 10
    assert limiter.stats().interval == pytest.approx(1.0)


def test_a_spent_budget_closes_the_gate_until_the_reset(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=50, window=10.0, clock=clock, utilization=1.0)
    permit = limiter.acquire()
    limiter.observe(
        permit,
        status=200,
        headers={"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"},
    )
    assert limiter.stats().blocked_for == pytest.approx(3.0)
    limiter.acquire()
    assert clock.monotonic() == pytest.approx(3.0)


def test_permits_issued_after_a_report_count_against_it(clock: FrozenClock) -> None:
    # Another process shares the credential: the server says only 2 requests are left.
    limiter = RateLimiter(limit=1000, window=10.0, clock=clock, utilization=1.0)
    reset = str(int(clock.now().timestamp()) + 8)
    first = limiter.acquire()
    limiter.observe(
        first,
        status=200,
        headers={"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": reset},
    )
    limiter.acquire()
    limiter.acquire()
    before = clock.monotonic()
    limiter.acquire()  # the third would overrun: it waits for the reset
    assert clock.monotonic() - before >= 7.9


def test_a_stale_report_does_not_overwrite_a_fresher_one(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=1000, window=10.0, clock=clock, utilization=1.0)
    old, new = limiter.acquire(), limiter.acquire()
    limiter.observe(
        new, status=200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}
    )
    limiter.observe(
        old, status=200, headers={"X-RateLimit-Remaining": "7", "X-RateLimit-Reset": "5"}
    )
    assert limiter.stats().blocked_for == pytest.approx(5.0)


def test_429_blocks_everyone_until_retry_after_and_slows_the_pace(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=1.0, clock=clock, utilization=1.0)
    permit = limiter.acquire()
    before = limiter.stats().interval
    limiter.observe(permit, status=429, headers={"Retry-After": "5"})
    stats = limiter.stats()
    assert stats.rate_limited == 1
    assert stats.blocked_for == pytest.approx(5.0)
    assert stats.interval > before
    limiter.acquire()
    assert clock.monotonic() >= 5.0
    # Successes bring the pace back, slowly.
    for _ in range(200):
        limiter.observe(limiter.acquire(), status=200, headers={})
    assert limiter.stats().interval == pytest.approx(before)


def test_429_without_headers_waits_one_window(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=2.0, clock=clock)
    limiter.observe(limiter.acquire(), status=429, headers={})
    assert limiter.stats().blocked_for == pytest.approx(2.0)


def test_transport_failures_teach_nothing(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=10, window=1.0, clock=clock)
    before = limiter.stats()
    limiter.observe(limiter.acquire(), status=None, headers={})
    after = limiter.stats()
    assert (after.limit, after.interval, after.blocked_for) == (
        before.limit,
        before.interval,
        before.blocked_for,
    )


def test_threads_share_one_sequence_of_permits(clock: FrozenClock) -> None:
    limiter = RateLimiter(limit=20, window=1.0, clock=clock)
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            permit = limiter.acquire()
            with lock:
                taken.append(permit)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(taken) == list(range(1, 101))
    assert limiter.stats().permits == 100


def test_validation(clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="at least one"):
        RateLimiter(limit=0, window=1.0, clock=clock)
    with pytest.raises(ValueError, match="utilization"):
        RateLimiter(limit=1, window=1.0, clock=clock, utilization=1.5)
    with pytest.raises(ValueError, match="burst"):
        RateLimiter(limit=1, window=1.0, clock=clock, burst=0)


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
