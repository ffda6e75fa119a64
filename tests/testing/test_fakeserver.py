"""The fake-server base, exercised with plain ``requests`` over real HTTP on 127.0.0.1."""

from __future__ import annotations

import threading
import time
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
)

START = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def items() -> dict[str, dict[str, str]]:
    return {"7": {"id": "7", "state": "open"}}


@pytest.fixture
def server(clock: FrozenClock, items: dict[str, dict[str, str]]) -> Iterator[FakeServer]:
    fake = FakeServer(name="items", clock=clock)

    @fake.route("GET", "/v1/items/{item_id}", name="get_item")
    def get_item(request: FakeRequest) -> FakeResponse:
        item = items.get(request.path_params["item_id"])
        if item is None:
            return FakeResponse.error(404, {"error": "no_such_item"})
        return FakeResponse.json(item, headers={"X-Request-Id": "req-1"})

    def close_item(request: FakeRequest) -> FakeResponse:
        item = items[request.path_params["item_id"]]
        item["state"] = "closed"
        return FakeResponse.json(item)

    fake.add_route("POST", "/v1/items/{item_id}/close", close_item, name="close_item")
    with fake:
        yield fake


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_routes_pass_path_params_query_headers_and_body(
    server: FakeServer, http: requests.Session, clock: FrozenClock
) -> None:
    seen: list[FakeRequest] = []

    @server.route("PUT", "/v1/boxes/{box_id}/items/{item_id}")
    def put(request: FakeRequest) -> FakeResponse:
        seen.append(request)
        return FakeResponse(status=201, json_body={"ok": True})

    response = http.put(
        f"{server.base_url}/v1/boxes/b%201/items/9?tag=a&tag=b&empty=",
        json={"name": "x"},
        headers={"X-Custom": "yes"},
    )

    assert response.status_code == 201
    assert response.json() == {"ok": True}
    assert response.headers["Content-Type"] == "application/json"
    (request,) = seen
    assert request.path_params == {"box_id": "b 1", "item_id": "9"}
    assert request.query == {"tag": ["a", "b"], "empty": [""]}
    assert request.query_value("tag") == "a"
    assert request.headers["x-custom"] == "yes"
    assert request.headers["X-CUSTOM"] == "yes"
    assert request.json() == {"name": "x"}
    assert request.route_name == "PUT /v1/boxes/{box_id}/items/{item_id}"
    assert request.received_at == clock.now()
    assert "yes" not in repr(request.headers)


def test_request_log_counts_by_route_and_method(server: FakeServer, http: requests.Session) -> None:
    http.get(f"{server.base_url}/v1/items/7")
    http.post(f"{server.base_url}/v1/items/7/close")
    http.get(f"{server.base_url}/v1/items/8")

    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/v1/items/7"),
        ("POST", "/v1/items/7/close"),
        ("GET", "/v1/items/8"),
    ]
    assert server.count() == 3
    assert server.count("get_item") == 2
    assert server.count(method="post") == 1
    assert server.count("close_item", method="GET") == 0
    server.reset_log()
    assert server.requests == []


def test_unknown_path_is_json_404_and_wrong_method_is_405(
    server: FakeServer, http: requests.Session
) -> None:
    missing = http.get(f"{server.base_url}/v2/nothing")
    wrong_method = http.delete(f"{server.base_url}/v1/items/7")

    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET"
    assert wrong_method.json()["error"] == "method_not_allowed"
    assert server.requests[0].route_name is None


def test_status_fault_replaces_the_handler_for_the_given_times(
    server: FakeServer, http: requests.Session, items: dict[str, dict[str, str]]
) -> None:
    server.inject_fault(
        "close_item",
        Fault.status(503, headers={"Retry-After": "2"}, json_body={"error": "down"}),
        times=2,
    )
    url = f"{server.base_url}/v1/items/7/close"

    first, second, third = http.post(url), http.post(url), http.post(url)

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Retry-After"] == "2"
    assert first.json() == {"error": "down"}
    assert third.json()["state"] == "closed"
    assert server.count("close_item") == 3


def test_status_fault_does_not_apply_the_write(
    server: FakeServer, http: requests.Session, items: dict[str, dict[str, str]]
) -> None:
    server.inject_fault("close_item", Fault.status(500))

    response = http.post(f"{server.base_url}/v1/items/7/close")

    assert response.status_code == 500
    assert items["7"]["state"] == "open"


def test_delay_fault_trips_a_client_timeout_then_the_route_answers(
    server: FakeServer, http: requests.Session
) -> None:
    server.inject_fault("get_item", Fault.delay(30.0))

    with pytest.raises(requests.Timeout):
        http.get(f"{server.base_url}/v1/items/7", timeout=(2.0, 0.2))
    recovered = http.get(f"{server.base_url}/v1/items/7", timeout=5)

    assert recovered.json()["id"] == "7"


def test_drop_connection_answers_nothing_and_skips_the_handler(
    server: FakeServer, http: requests.Session, items: dict[str, dict[str, str]]
) -> None:
    server.inject_fault("close_item", Fault.drop_connection())

    with pytest.raises(requests.ConnectionError):
        http.post(f"{server.base_url}/v1/items/7/close")

    assert items["7"]["state"] == "open"
    assert server.count("close_item") == 1


def test_apply_then_drop_runs_the_write_but_loses_the_answer(
    server: FakeServer, http: requests.Session, items: dict[str, dict[str, str]]
) -> None:
    server.inject_fault("close_item", Fault.apply_then_drop())

    with pytest.raises(requests.ConnectionError):
        http.post(f"{server.base_url}/v1/items/7/close")

    assert items["7"]["state"] == "closed"


def test_malformed_json_fault_sends_a_broken_json_body(
    server: FakeServer, http: requests.Session
) -> None:
    server.inject_fault("get_item", Fault.malformed_json())

    response = http.get(f"{server.base_url}/v1/items/7")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_route_faults_play_before_wildcard_faults_and_clear(
    server: FakeServer, http: requests.Session
) -> None:
    server.inject_fault("*", Fault.status(502))
    server.inject_fault("get_item", Fault.status(401))
    url = f"{server.base_url}/v1/items/7"

    assert [http.get(url).status_code for _ in range(3)] == [401, 502, 200]
    server.inject_fault("*", Fault.status(503), times=5)
    server.clear_faults()
    assert http.get(url).status_code == 200


def test_response_repr_shows_no_body() -> None:
    # Handlers answer with the seeded people's data; a failing assert prints the repr.
    person = {"first_name": "Canaryqz", "email": "canary.qz@example.test"}
    for response in (FakeResponse.json(person), FakeResponse(body=b"canary.qz@example.test")):
        assert "canary" not in repr(response).lower()
    assert repr(FakeResponse.json({}, status=201)).startswith("FakeResponse(status=201")


def test_handler_exception_answers_500_and_is_kept(
    server: FakeServer, http: requests.Session
) -> None:
    def broken(request: FakeRequest) -> FakeResponse:
        raise KeyError("boom")

    server.add_route("GET", "/v1/broken", broken)

    response = http.get(f"{server.base_url}/v1/broken")

    assert response.status_code == 500
    assert [type(error) for error in server.handler_errors] == [KeyError]


def test_chunked_request_bodies_are_read(server: FakeServer, http: requests.Session) -> None:
    bodies: list[bytes] = []

    @server.route("POST", "/v1/upload")
    def upload(request: FakeRequest) -> FakeResponse:
        bodies.append(request.body)
        return FakeResponse(status=204)

    response = http.post(f"{server.base_url}/v1/upload", data=iter([b"ab", b"", b"cde"]))

    assert response.status_code == 204
    assert bodies == [b"abcde"]


def test_concurrent_clients_are_all_served_and_logged(
    server: FakeServer, clock: FrozenClock
) -> None:
    failures: list[int] = []

    def client(worker: int) -> None:
        with requests.Session() as session:
            for _ in range(25):
                response = session.get(f"{server.base_url}/v1/items/7?worker={worker}")
                if response.status_code != 200:
                    failures.append(response.status_code)

    threads = [threading.Thread(target=client, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert server.count("get_item") == 200
    per_worker = [
        sum(1 for r in server.requests if r.query["worker"] == [str(worker)]) for worker in range(8)
    ]
    assert per_worker == [25] * 8


def test_stop_ends_open_connections_and_joins_threads(
    clock: FrozenClock, capfd: pytest.CaptureFixture[str]
) -> None:
    threads_before = set(threading.enumerate())
    server = FakeServer(name="lifecycle", clock=clock)
    server.add_route("GET", "/slow", lambda request: FakeResponse.json({}), name="slow")
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    session = requests.Session()
    session.get(f"{server.base_url}/slow")  # leaves a kept-alive connection open
    server.inject_fault("slow", Fault.delay(60.0))
    outcome: list[str] = []

    def wait_for_slow_answer() -> None:
        try:
            session.get(f"{server.base_url}/slow")
            outcome.append("answered")
        except requests.RequestException:
            outcome.append("connection ended")

    waiter = threading.Thread(target=wait_for_slow_answer)
    waiter.start()
    while server.count("slow") < 2:
        time.sleep(0.005)
    server.stop()
    server.stop()
    waiter.join()
    session.close()

    assert outcome == ["connection ended"]
    assert set(threading.enumerate()) <= threads_before
    assert repr(server) == "<FakeServer 'lifecycle' stopped>"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
