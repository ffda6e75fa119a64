"""The Lever sandbox answers as the documented API does: auth, token bucket, paging, writes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests

from ats_reject.clock import FrozenClock
from ats_reject.models import ApplicationStatus
from ats_reject_lever import LeverAdapter
from ats_reject_lever._sandbox_data import REJECTION_REASON_ID
from ats_reject_lever.sandbox import LeverSandbox

Person = Callable[[int], Any]


@pytest.fixture
def http(sandbox: LeverSandbox) -> Any:
    session = requests.Session()
    session.auth = (sandbox.api_key, "")
    base = f"{sandbox.base_url}/v1"

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return session.request(method, f"{base}/{path}", timeout=5, **kwargs)

    yield call
    session.close()


def test_basic_auth_with_the_key_and_an_empty_password(sandbox: LeverSandbox) -> None:
    url = f"{sandbox.base_url}/v1/stages"
    assert requests.get(url, auth=(sandbox.api_key, ""), timeout=5).status_code == 200
    for auth in ((sandbox.api_key, "x"), ("wrong", ""), None):
        answer = requests.get(url, auth=auth, timeout=5)
        assert answer.status_code == 401
        assert set(answer.json()) == {"code", "message"}
    token = base64.b64encode(f"{sandbox.api_key}:".encode()).decode()
    assert requests.get(url, headers={"Authorization": f"Basic {token}"}, timeout=5).ok


def test_token_bucket_allows_a_burst_then_the_steady_rate(
    sandbox: LeverSandbox, clock: FrozenClock, http: Any
) -> None:
    answers = [http("GET", "stages").status_code for _ in range(21)]
    assert answers == [200] * 20 + [429]
    refused = http("GET", "stages")
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers
    assert not any(name.lower().startswith("x-ratelimit") for name in refused.headers)
    clock.advance(0.1)  # 10 per second: one token back
    assert http("GET", "stages").status_code == 200
    assert http("GET", "stages").status_code == 429
    assert sandbox.rate_limited == 3


def test_retry_after_when_asked(clock: FrozenClock) -> None:
    with LeverSandbox(clock=clock, rate_limit=(1.0, 1), retry_after=True) as sandbox:
        auth = (sandbox.api_key, "")
        url = f"{sandbox.base_url}/v1/stages"
        assert requests.get(url, auth=auth, timeout=5).ok
        refused = requests.get(url, auth=auth, timeout=5)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"


def test_adapter_stays_under_the_bucket(
    adapter: LeverAdapter, sandbox: LeverSandbox, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    for _ in range(60):
        adapter.get_application(opportunity_id)
    assert sandbox.rate_limited == 0


def test_listing_pages_with_an_opaque_next_until_has_next_is_false(
    sandbox: LeverSandbox, http: Any, person: Person
) -> None:
    seeded = {sandbox.seed_application(person(number)) for number in range(7)}
    seen: list[str] = []
    offset = None
    pages = 0
    while True:
        params = {"limit": 100, **({"offset": offset} if offset else {})}
        body = http("GET", "opportunities", params=params).json()
        pages += 1
        seen += [item["id"] for item in body["data"]]
        assert isinstance(body["hasNext"], bool)
        if not body["hasNext"]:
            assert "next" not in body
            break
        offset = body["next"]
    assert pages == 3
    assert sorted(seen) == sorted(seeded)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"offset": "not-a-token"},
        {"updated_at_start": "2025-01-01"},
        {"archived": "maybe"},
        {"confidentiality": "secret"},
    ],
)
def test_listing_refuses_bad_parameters(http: Any, params: dict[str, Any]) -> None:
    answer = http("GET", "opportunities", params=params)
    assert answer.status_code == 400
    assert answer.json()["code"] == "BadRequestError"


def test_listing_filters_by_updated_window_and_archived(
    sandbox: LeverSandbox, clock: FrozenClock, http: Any, person: Person
) -> None:
    early = sandbox.seed_application(person(1))
    clock.advance(timedelta(seconds=10))
    late = sandbox.seed_application(person(2), ApplicationStatus.REJECTED)
    late_ms = sandbox.opportunity(late)["updatedAt"]

    def ids(**params: Any) -> set[str]:
        return {item["id"] for item in http("GET", "opportunities", params=params).json()["data"]}

    assert ids(updated_at_start=late_ms) == {late}
    assert ids(updated_at_end=late_ms - 1) == {early}
    assert ids(archived="true") == {late}
    assert ids(archived="false") == {early}


def test_expand_turns_ids_into_objects(sandbox: LeverSandbox, http: Any, person: Person) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    plain = http("GET", f"opportunities/{opportunity_id}").json()["data"]
    assert isinstance(plain["stage"], str)
    assert isinstance(plain["owner"], str)
    assert all(isinstance(item, str) for item in plain["applications"])
    params = [("expand", "stage"), ("expand", "owner"), ("expand", "applications")]
    expanded = http("GET", f"opportunities/{opportunity_id}", params=params).json()["data"]
    assert expanded["stage"]["text"]
    assert expanded["owner"]["email"].endswith("@example.test")
    assert expanded["applications"][0]["posting"]
    assert isinstance(expanded["createdAt"], int)


def test_archived_put_follows_the_documented_rules(
    sandbox: LeverSandbox, http: Any, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    path = f"opportunities/{opportunity_id}/archived"
    me = {"perform_as": sandbox.perform_as}
    assert http("PUT", path, json={"reason": REJECTION_REASON_ID}).status_code == 400
    assert http("PUT", path, params=me, json={"reason": "nope"}).status_code == 400
    assert http("PUT", path, params=me, json={"nothing": 1}).status_code == 400
    assert http("PUT", path, params=me, json={"reason": None}).json()["data"]["archived"] is None
    archived = http("PUT", path, params=me, json={"reason": REJECTION_REASON_ID}).json()["data"]
    assert archived["archived"]["reason"] == REJECTION_REASON_ID
    assert isinstance(archived["archived"]["archivedAt"], int)
    http("PUT", path, params=me, json={"reason": REJECTION_REASON_ID})
    assert sandbox.applied_writes("reject") == 1
    http("PUT", path, params=me, json={"reason": None})
    assert sandbox.applied_writes("unreject") == 1
    assert http("PUT", "opportunities/missing/archived", params=me, json={}).status_code == 404


def test_notes_are_created_with_201_and_listed(
    sandbox: LeverSandbox, http: Any, person: Person
) -> None:
    opportunity_id = sandbox.seed_application(person(1))
    path = f"opportunities/{opportunity_id}/notes"
    created = http("POST", path, params={"perform_as": sandbox.perform_as}, json={"value": "Hi"})
    assert created.status_code == 201
    note_id = created.json()["data"]["id"]
    listed = http("GET", path).json()
    assert [note["id"] for note in listed["data"]] == [note_id]
    assert listed["hasNext"] is False
    empty = http("POST", path, params={"perform_as": sandbox.perform_as}, json={"value": " "})
    assert empty.status_code == 400


def test_account_lists_and_postings(sandbox: LeverSandbox, http: Any) -> None:
    reasons = http("GET", "archive_reasons").json()["data"]
    assert {reason["type"] for reason in reasons} == {"hired", "non-hired"}
    assert [reason["text"] for reason in reasons if reason["type"] == "hired"] == ["Hired"]
    stages = http("GET", "stages").json()["data"]
    assert stages[0] == {"id": "lead-new", "text": "New lead"}
    posting = http("GET", "postings/d248f6f5-ca37-4467-a08d-11ad90fd9b1f").json()["data"]
    assert posting["categories"]["team"] == "Platform"
    assert http("GET", "postings/unknown").status_code == 404


def test_realistic_seed_is_reproducible(clock: FrozenClock) -> None:
    with LeverSandbox(clock=clock) as first, LeverSandbox(clock=clock) as second:
        first.seed_realistic(40, seed=3)
        second.seed_realistic(40, seed=3)
        names = [
            (o.first_name, o.stage_id, o.archived_reason) for o in first.api.opportunities.values()
        ]
        again = [
            (o.first_name, o.stage_id, o.archived_reason) for o in second.api.opportunities.values()
        ]
        assert names == again
        assert len({reason for _, _, reason in names}) >= 2
    assert repr(first) == "<LeverSandbox 40 opportunities>"
