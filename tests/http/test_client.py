"""HttpClient over real HTTP against the fake server: retries, errors, auth, redaction."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from ats_reject.clock import FrozenClock, SystemClock
from ats_reject.errors import (
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
from ats_reject.http import (
    HttpClient,
    RateLimiter,
    RateLimiterRegistry,
    RetryPolicy,
    Timeouts,
    credential_key,
    make_session,
)
from ats_reject.testing.fakeserver import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    RateLimitRule,
)
from ats_reject.testing.leakguard import LeakGuard


class Vendor:
    """A tiny vendor API: items that can be read and created."""

    def __init__(self, server: FakeServer) -> None:
        self.items: dict[str, dict[str, Any]] = {"1": {"id": "1", "name": "first"}}
        self.lock = threading.Lock()
        server.add_route("GET", "/v1/items/{item_id}", self.get_item, name="get_item")
        server.add_route("POST", "/v1/items", self.create_item, name="create_item")
        server.add_route("GET", "/v1/list", self.list_items, name="list_items")

    def get_item(self, request: FakeRequest) -> FakeResponse:
        item = self.items.get(request.path_params["item_id"])
        if item is None:
            return FakeResponse.error(404, {"error": "not_found", "message": "no such item"})
        return FakeResponse.json(item)

    def create_item(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            item_id = str(len(self.items) + 1)
            self.items[item_id] = {"id": item_id, **request.json()}
        return FakeResponse.json(self.items[item_id], status=201)

    def list_items(self, request: FakeRequest) -> FakeResponse:
        page = int(request.query_value("page", "1") or "1")
        headers = {}
        if page < 3:
            headers["Link"] = f'</v1/list?page={page + 1}&per_page=2>; rel="next"'
        return FakeResponse.json([{"n": page * 10 + 1}, {"n": page * 10 + 2}], headers=headers)


@pytest.fixture
def server(clock: FrozenClock) -> Iterator[FakeServer]:
    with FakeServer(name="example", clock=clock) as fake:
        yield fake


@pytest.fixture
def vendor(server: FakeServer) -> Vendor:
    return Vendor(server)


def _client(server: FakeServer, clock: FrozenClock, **kwargs: Any) -> HttpClient:
    kwargs.setdefault("retry_policy", RetryPolicy(rng=random.Random(0)))
    kwargs.setdefault("timeouts", Timeouts(connect=2.0, read=5.0))
    return HttpClient("example", make_session(), server.base_url, clock=clock, **kwargs)


@pytest.fixture
def client(server: FakeServer, vendor: Vendor, clock: FrozenClock) -> Iterator[HttpClient]:
    http = _client(server, clock)
    yield http
    http.session.close()


# --- retries ----------------------------------------------------------------------------


def test_read_retries_on_503_then_succeeds(
    client: HttpClient, server: FakeServer, clock: FrozenClock
) -> None:
    server.inject_fault("get_item", Fault.status(503), times=2)
    assert client.get_json("/v1/items/1") == {"id": "1", "name": "first"}
    assert server.count("get_item") == 3
    assert len(clock.sleeps) == 2


def test_retry_after_seconds_is_honoured(
    client: HttpClient, server: FakeServer, clock: FrozenClock
) -> None:
    server.inject_fault("get_item", Fault.status(503, headers={"Retry-After": "7"}))
    client.get_json("/v1/items/1")
    first, second = server.requests
    assert second.received_at is not None
    assert first.received_at is not None
    assert second.received_at - first.received_at >= timedelta(seconds=7)


def test_retry_after_http_date_is_honoured(
    client: HttpClient, server: FakeServer, clock: FrozenClock
) -> None:
    when = (clock.now() + timedelta(seconds=12)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    server.inject_fault("get_item", Fault.status(429, headers={"Retry-After": when}))
    client.get_json("/v1/items/1")
    first, second = server.requests
    assert second.received_at is not None
    assert first.received_at is not None
    assert second.received_at - first.received_at >= timedelta(seconds=12)


@pytest.mark.parametrize("retry_after", ["-1", "1.0", "soon"])
def test_unreadable_retry_after_falls_back_to_backoff(
    client: HttpClient, server: FakeServer, clock: FrozenClock, retry_after: str
) -> None:
    server.inject_fault("get_item", Fault.status(503, headers={"Retry-After": retry_after}))
    client.get_json("/v1/items/1")
    assert len(clock.sleeps) == 1
    assert 0.0 <= clock.sleeps[0] <= client.retry_policy.base_delay


def test_read_retries_after_a_dropped_connection(client: HttpClient, server: FakeServer) -> None:
    server.inject_fault("get_item", Fault.drop_connection())
    assert client.get_json("/v1/items/1")["id"] == "1"
    assert server.count("get_item") == 2


def test_read_timeout_is_retried_for_reads(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    http = _client(server, clock, timeouts=Timeouts(connect=2.0, read=0.2))
    server.inject_fault("get_item", Fault.delay(1.0))
    assert http.get_json("/v1/items/1")["id"] == "1"
    assert server.count("get_item") == 2


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, ApiValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ApiValidationError),
    ],
)
def test_final_statuses_are_not_retried(
    client: HttpClient,
    server: FakeServer,
    clock: FrozenClock,
    status: int,
    error_class: type[Exception],
) -> None:
    server.inject_fault(
        "get_item",
        Fault.status(status, headers={"X-Request-Id": "rq-7"}, json_body={"error": "e_code"}),
    )
    with pytest.raises(error_class) as caught:
        client.get_json("/v1/items/1")
    assert server.count("get_item") == 1
    assert clock.sleeps == []
    error = caught.value
    assert (error.status, error.method, error.path) == (status, "GET", "/v1/items/1")  # type: ignore[attr-defined]
    assert error.request_id == "rq-7"  # type: ignore[attr-defined]
    assert error.vendor_code == "e_code"  # type: ignore[attr-defined]


def test_exhausted_retries_raise_the_last_error(client: HttpClient, server: FakeServer) -> None:
    server.inject_fault("get_item", Fault.status(502), times=10)
    with pytest.raises(ServerError) as caught:
        client.get_json("/v1/items/1")
    assert caught.value.status == 502
    assert server.count("get_item") == client.retry_policy.max_attempts


# --- writes -------------------------------------------------------------------------------


def test_write_that_applied_then_dropped_raises_transport_error_once(
    client: HttpClient, server: FakeServer, vendor: Vendor
) -> None:
    server.inject_fault("create_item", Fault.apply_then_drop())
    with pytest.raises(TransportError) as caught:
        client.request("POST", "/v1/items", json={"name": "second"})
    assert server.count("create_item") == 1
    assert len(vendor.items) == 2  # the write applied; the caller must read back, not resend
    assert caught.value.method == "POST"
    assert caught.value.status is None


def test_write_timeout_is_not_retried(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    http = _client(server, clock, timeouts=Timeouts(connect=2.0, read=0.2))
    server.inject_fault("create_item", Fault.delay(1.0))
    with pytest.raises(TransportError, match="may have been applied"):
        http.request("POST", "/v1/items", json={"name": "slow"})
    assert server.count("create_item") == 1


def test_write_503_without_retry_after_is_not_retried(
    client: HttpClient, server: FakeServer
) -> None:
    server.inject_fault("create_item", Fault.status(503))
    with pytest.raises(ServerError):
        client.request("POST", "/v1/items", json={"name": "x"})
    assert server.count("create_item") == 1


@pytest.mark.parametrize("status", [429, 503])
def test_write_refused_unread_with_retry_after_is_retried(
    client: HttpClient, server: FakeServer, vendor: Vendor, clock: FrozenClock, status: int
) -> None:
    server.inject_fault("create_item", Fault.status(status, headers={"Retry-After": "3"}))
    response = client.request("POST", "/v1/items", json={"name": "x"})
    assert response.status_code == 201
    assert server.count("create_item") == 2
    assert len(vendor.items) == 2
    assert clock.sleeps == [3.0]


def test_idempotent_flag_overrides_the_method_default(
    client: HttpClient, server: FakeServer
) -> None:
    server.inject_fault("create_item", Fault.status(502))
    response = client.request("POST", "/v1/items", json={"name": "x"}, idempotent=True)
    assert response.status_code == 201
    assert server.count("create_item") == 2


# --- responses ----------------------------------------------------------------------------


def test_malformed_json_is_a_schema_error_and_not_retried(
    client: HttpClient, server: FakeServer
) -> None:
    server.inject_fault("get_item", Fault.malformed_json())
    with pytest.raises(ResponseSchemaError) as caught:
        client.get_json("/v1/items/1")
    assert caught.value.status == 200
    assert server.count("get_item") == 1


def test_wrong_top_level_type_is_a_schema_error(client: HttpClient) -> None:
    with pytest.raises(ResponseSchemaError, match="expected a JSON list, got dict"):
        client.get_json("/v1/items/1", expect=list)
    assert client.request_json("GET", "/v1/items/1", expect=None) == {"id": "1", "name": "first"}


def test_user_agent_names_the_library(client: HttpClient, server: FakeServer) -> None:
    client.get_json("/v1/items/1")
    user_agent = server.requests[0].headers["User-Agent"]
    assert user_agent.startswith("ats-reject/")
    assert f"python-requests/{requests.__version__}" in user_agent


def test_absolute_urls_are_used_verbatim(client: HttpClient, server: FakeServer) -> None:
    client.request("GET", f"{server.base_url}/v1/items/1?x=1&x=2")
    assert server.requests[0].query == {"x": ["1", "2"]}


def test_redirects_are_not_followed(client: HttpClient, server: FakeServer) -> None:
    # The auth headers would follow a redirect to wherever it points.
    server.add_route(
        "GET",
        "/v1/moved",
        lambda request: FakeResponse(status=302, headers={"Location": "https://evil.test/x"}),
        name="moved",
    )
    with pytest.raises(ResponseSchemaError, match="unexpected redirect") as info:
        client.get_json("/v1/moved")
    assert info.value.status == 302
    assert server.count("moved") == 1


def test_a_long_server_hold_raises_instead_of_blocking_the_worker(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    limiter = RateLimiter(limit=10, window=10.0, clock=clock)
    http = _client(server, clock, rate_limiter=limiter)
    server.inject_fault("get_item", Fault.status(429, headers={"Retry-After": "3600"}))
    try:
        with pytest.raises(RateLimitedError) as first:
            http.get_json("/v1/items/1")
        assert first.value.retry_after == 3600
        # The limiter now holds the credential for an hour: the next call says so at once.
        with pytest.raises(RateLimitedError, match="client-side rate limiter") as second:
            http.get_json("/v1/items/1")
        assert second.value.retry_after is not None
        assert 3500 < second.value.retry_after <= 3600
        assert server.count("get_item") == 1
        assert sum(clock.sleeps) < 60
    finally:
        http.session.close()


# --- authentication -----------------------------------------------------------------------


def test_auth_hook_and_one_renewal_on_401(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    token = {"value": "expired-token"}
    renewals: list[int] = []

    def auth() -> dict[str, str]:
        return {"Authorization": f"Bearer {token['value']}"}

    def renew() -> bool:
        renewals.append(1)
        token["value"] = "fresh-token"
        return True

    def guarded(request: FakeRequest) -> FakeResponse:
        if request.headers.get("Authorization") != "Bearer fresh-token":
            return FakeResponse.error(401, {"error": "invalid_token"})
        return FakeResponse.json({"ok": True}, status=201)

    server.add_route("POST", "/v1/guarded", guarded, name="guarded")
    http = _client(server, clock, auth=auth, renew_credentials=renew)
    assert http.request_json("POST", "/v1/guarded", json={}) == {"ok": True}
    assert renewals == [1]
    assert server.count("guarded") == 2

    # A renewal that does not help gives AuthenticationError, after one renewal only.
    token["value"] = "revoked"
    renewals.clear()

    def useless_renew() -> bool:
        renewals.append(1)
        return True

    http = _client(server, clock, auth=auth, renew_credentials=useless_renew)
    with pytest.raises(AuthenticationError):
        http.request("POST", "/v1/guarded", json={})
    assert renewals == [1]


# --- pagination ---------------------------------------------------------------------------


def test_paginate_follows_link_headers_over_http(client: HttpClient, server: FakeServer) -> None:
    from ats_reject.http import LinkHeaderPaginator

    items = list(client.paginate_items("/v1/list", LinkHeaderPaginator(), params={"per_page": 2}))
    assert [item["n"] for item in items] == [11, 12, 21, 22, 31, 32]
    assert [request.query for request in server.requests] == [
        {"per_page": ["2"]},
        {"page": ["2"], "per_page": ["2"]},
        {"page": ["3"], "per_page": ["2"]},
    ]


def test_paginate_refuses_a_next_link_to_another_host(
    client: HttpClient, server: FakeServer
) -> None:
    from ats_reject.http import LinkHeaderPaginator

    def hostile(request: FakeRequest) -> FakeResponse:
        return FakeResponse.json(
            [1], headers={"Link": '<https://attacker.example/steal>; rel="next"'}
        )

    server.add_route("GET", "/v1/hostile", hostile, name="hostile")
    with pytest.raises(ResponseSchemaError, match="leaves the API"):
        list(client.paginate("/v1/hostile", LinkHeaderPaginator()))
    assert server.count("hostile") == 1


# --- redaction and logging ----------------------------------------------------------------


def test_no_query_string_in_errors_or_logs(
    client: HttpClient,
    server: FakeServer,
    leak_guard: LeakGuard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    leak_guard.watch("jane.doe", "example.com")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NotFoundError) as not_found:
        client.get_json("/v1/items/999", params={"email": "jane.doe@example.com"})
    leak_guard.check_error(not_found.value)
    server.inject_fault("get_item", Fault.drop_connection(), times=10)
    with pytest.raises(TransportError) as dropped:
        client.get_json("/v1/items/1", params={"email": "jane.doe@example.com"})
    leak_guard.check_error(dropped.value)
    for error in (not_found.value, dropped.value):
        assert "jane" not in f"{error} {error!r}"
    ours = [record for record in caplog.records if record.name == "ats_reject.http"]
    assert ours
    assert all("jane" not in record.getMessage() for record in caplog.records)


def test_one_debug_line_per_attempt(
    client: HttpClient, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ats_reject.http")
    server.inject_fault("get_item", Fault.status(503))
    client.get_json("/v1/items/1", headers={"X-Secret-Header": "hunter2-secret"})
    lines = [r.getMessage() for r in caplog.records if r.name == "ats_reject.http"]
    attempts = [line for line in lines if "-> " in line]
    assert len(attempts) == 2
    assert attempts[0].startswith("example GET /v1/items/1 -> 503 in ")
    assert attempts[0].endswith("(attempt 1)")
    assert attempts[1].endswith("(attempt 2)")
    assert any("retrying in" in line for line in lines)
    assert all("hunter2" not in line for line in lines)


# --- rate limiting ------------------------------------------------------------------------


def test_rate_limited_429_with_reset_header_is_retried(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    server.rate_limit = RateLimitRule(limit=2, window_seconds=10.0, retry_after=False)
    http = _client(server, clock)
    for _ in range(3):
        http.get_json("/v1/items/1")
    assert server.rate_limited_count == 1
    assert clock.sleeps
    assert clock.sleeps[-1] >= 9.0


def test_shared_limiter_keeps_four_threads_under_the_limit() -> None:
    # Real time here: the point is concurrent threads against a real window.
    system = SystemClock()
    with FakeServer(name="limited", clock=system) as limited:
        Vendor(limited)
        limited.rate_limit = RateLimitRule(limit=10, window_seconds=0.5, window="sliding")
        registry = RateLimiterRegistry(system)
        key = credential_key("example", "api-key-0001")
        session = make_session(pool_maxsize=4)
        errors: list[BaseException] = []

        def worker() -> None:
            http = HttpClient(
                "example",
                session,
                limited.base_url,
                clock=system,
                rate_limiter=registry.get(key, limit=10, window=0.5),
                auth=lambda: {"Authorization": "Bearer api-key-0001"},
                retry_policy=RetryPolicy(rng=random.Random(1)),
            )
            try:
                for _ in range(10):
                    http.get_json("/v1/items/1")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        session.close()
        assert errors == []
        assert limited.count("get_item") - limited.rate_limited_count == 40
        assert limited.rate_limited_count <= 1
        assert registry.get(key, limit=1, window=1).stats().permits == limited.count("get_item")


def test_limiter_configured_too_high_learns_the_limit_and_avoids_429s(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    server.rate_limit = RateLimitRule(limit=5, window_seconds=10.0, window="fixed")
    limiter = RateLimiterRegistry(clock).get("example:k1", limit=100, window=10.0)
    http = _client(server, clock, rate_limiter=limiter)
    for _ in range(20):
        http.get_json("/v1/items/1")
    assert server.rate_limited_count == 0
    assert limiter.stats().limit == 5
    assert clock.monotonic() >= 30.0


def test_limiter_leaves_room_for_another_process_on_the_same_credential(
    server: FakeServer, vendor: Vendor, clock: FrozenClock
) -> None:
    server.rate_limit = RateLimitRule(
        limit=50, window_seconds=10.0, style="x-rate-limit", reset="delta", window="sliding"
    )
    auth = {"Authorization": "Bearer shared-key-01"}
    with requests.Session() as other_process:
        for _ in range(40):
            other_process.get(f"{server.base_url}/v1/items/1", headers=auth, timeout=5)
    limiter = RateLimiterRegistry(clock).get("example:k2", limit=50, window=10.0)
    http = _client(server, clock, rate_limiter=limiter, auth=lambda: auth)
    for _ in range(30):
        http.get_json("/v1/items/1")
    assert server.rate_limited_count == 0
    assert clock.monotonic() >= 10.0
