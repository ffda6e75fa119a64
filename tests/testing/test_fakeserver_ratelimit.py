"""Rate limiting of the fake-server base: vendor headers, 429s, windows on a FrozenClock."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from ats_reject.clock import FrozenClock
from ats_reject.testing.fakeserver import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    RateLimitRule,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 3, 14, 9, 0, tzinfo=UTC))


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _rate_limited_server(clock: FrozenClock, rule: RateLimitRule) -> FakeServer:
    fake = FakeServer(name="limited", clock=clock)
    fake.add_route("GET", "/ping", lambda request: FakeResponse.json({"pong": True}), name="ping")
    fake.rate_limit = rule
    return fake


def test_fixed_window_limit_with_headers_and_429(
    clock: FrozenClock, http: requests.Session
) -> None:
    clock.advance(3.0)
    rule = RateLimitRule(limit=3, window_seconds=10.0)
    with _rate_limited_server(clock, rule) as server:
        url = f"{server.base_url}/ping"
        answers = [http.get(url, headers={"Authorization": "Bearer a"}) for _ in range(4)]

        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert all(a.headers["X-RateLimit-Limit"] == "3" for a in answers)
        reset_epoch = math.ceil(clock.now().timestamp() + 7.0)
        assert answers[3].headers["X-RateLimit-Reset"] == str(reset_epoch)
        assert answers[3].headers["Retry-After"] == "7"
        assert answers[3].json()["error"] == "rate_limited"
        assert server.rate_limited_count == 1

        other_credential = http.get(url, headers={"Authorization": "Bearer b"})
        assert other_credential.status_code == 200

        clock.advance(7.0)
        next_window = http.get(url, headers={"Authorization": "Bearer a"})
        assert next_window.status_code == 200
        assert next_window.headers["X-RateLimit-Remaining"] == "2"


def test_refused_requests_do_not_reach_the_handler(
    clock: FrozenClock, http: requests.Session
) -> None:
    calls: list[FakeRequest] = []

    def write(request: FakeRequest) -> FakeResponse:
        calls.append(request)
        return FakeResponse(status=204)

    with FakeServer(name="limited", clock=clock) as server:
        server.add_route("POST", "/write", write)
        server.rate_limit = RateLimitRule(limit=1, window_seconds=60.0)
        answers = [http.post(f"{server.base_url}/write") for _ in range(3)]

    assert [a.status_code for a in answers] == [204, 429, 429]
    assert len(calls) == 1
    assert server.rate_limited_count == 2


def test_sliding_window_with_vendor_dash_style_and_delta_reset(
    clock: FrozenClock, http: requests.Session
) -> None:
    rule = RateLimitRule(
        limit=2, window_seconds=10.0, style="x-rate-limit", reset="delta", window="sliding"
    )
    with _rate_limited_server(clock, rule) as server:
        url = f"{server.base_url}/ping"
        first = http.get(url)
        clock.advance(6.0)
        second = http.get(url)
        clock.advance(2.0)
        refused = http.get(url)
        clock.advance(2.0)
        after_oldest_left = http.get(url)

    assert first.headers["X-Rate-Limit-Remaining"] == "1"
    assert first.headers["X-Rate-Limit-Reset"] == "10"
    assert second.headers["X-Rate-Limit-Remaining"] == "0"
    assert second.headers["X-Rate-Limit-Reset"] == "4"
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert refused.headers["X-Rate-Limit-Reset"] == "2"
    assert "X-RateLimit-Limit" not in refused.headers
    assert after_oldest_left.status_code == 200


def test_custom_key_and_no_retry_after(clock: FrozenClock, http: requests.Session) -> None:
    rule = RateLimitRule(
        limit=1,
        window_seconds=5.0,
        key=lambda request: request.headers.get("X-Api-Key", ""),
        retry_after=False,
    )
    with _rate_limited_server(clock, rule) as server:
        url = f"{server.base_url}/ping"
        allowed = http.get(url, headers={"X-Api-Key": "one"})
        refused = http.get(url, headers={"X-Api-Key": "one"})
        other = http.get(url, headers={"X-Api-Key": "two"})
        server.rate_limit = None
        unlimited = http.get(url, headers={"X-Api-Key": "one"})

    assert allowed.status_code == 200
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers
    assert other.status_code == 200
    assert unlimited.status_code == 200
    assert "X-RateLimit-Limit" not in unlimited.headers


def test_rate_limit_rule_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimitRule(limit=0, window_seconds=1.0)
    with pytest.raises(ValueError):
        RateLimitRule(limit=1, window_seconds=0.0)
    with pytest.raises(ValueError):
        Fault.status(42)


def test_concurrent_clients_share_one_budget(clock: FrozenClock) -> None:
    statuses: list[int] = []
    lock = threading.Lock()
    rule = RateLimitRule(limit=30, window_seconds=10.0)
    with _rate_limited_server(clock, rule) as server:

        def client() -> None:
            with requests.Session() as session:
                for _ in range(10):
                    status = session.get(f"{server.base_url}/ping").status_code
                    with lock:
                        statuses.append(status)

        threads = [threading.Thread(target=client) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses.count(200) == 30
    assert statuses.count(429) == 20
    assert server.rate_limited_count == 20
