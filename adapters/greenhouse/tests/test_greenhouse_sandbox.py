"""The sandbox is faithful: OAuth, v3 list rules, rate limits with their headers, seed data."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from ats_reject.clock import FrozenClock
from ats_reject.errors import RateLimitedError
from ats_reject.models import ApplicationStatus
from ats_reject.testing import CanaryPerson, RateLimitRule
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox


def _token(sandbox: GreenhouseSandbox, secret: str | None = None, **form: str) -> requests.Response:
    basic = base64.b64encode(
        f"{sandbox.client_id}:{secret or sandbox.client_secret}".encode()
    ).decode()
    return requests.post(
        f"{sandbox.base_url}/token",
        data={"grant_type": "client_credentials", **form},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    )


def _bearer(sandbox: GreenhouseSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(sandbox).json()['access_token']}"}


def test_token_endpoint_checks_the_client_the_grant_and_the_user(
    sandbox: GreenhouseSandbox,
) -> None:
    assert _token(sandbox, secret="wrong-secret").status_code == 401
    assert _token(sandbox, grant_type="password").status_code == 400
    assert _token(sandbox, sub="12345").status_code == 400  # not a Greenhouse user
    answer = _token(sandbox, sub=str(sandbox.org.acting_user))
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"
    assert "expires_at" in answer.json()
    unauthenticated = requests.get(f"{sandbox.base_url}/v3/applications", timeout=5)
    assert unauthenticated.status_code == 401


def test_cursor_with_any_other_parameter_is_refused(sandbox: GreenhouseSandbox) -> None:
    for number in range(3):
        sandbox.seed_application(CanaryPerson.numbered(number + 1))
    headers = _bearer(sandbox)
    first = requests.get(
        sandbox.api_url("applications"), params={"per_page": 1}, headers=headers, timeout=5
    )
    assert first.status_code == 200
    assert set(first.links) == {"next"}  # no prev, no last
    following = first.links["next"]["url"]
    assert requests.get(following, headers=headers, timeout=5).status_code == 200
    mixed = requests.get(following + "&per_page=1", headers=headers, timeout=5)
    assert mixed.status_code == 422
    assert mixed.json() == {"errors": ["When passing a cursor, do not include other query params."]}


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "0"},
        {"per_page": "501"},
        {"ids": ",".join(str(i) for i in range(51))},
        {"updated_at": "after|2025-01-01T00:00:00Z"},
        {"status": "in_process"},  # the query says "active"; only responses say in_process
        {"cursor": "garbage"},
    ],
)
def test_invalid_list_requests_are_422(sandbox: GreenhouseSandbox, params: dict[str, str]) -> None:
    answer = requests.get(
        sandbox.api_url("applications"), params=params, headers=_bearer(sandbox), timeout=5
    )
    assert answer.status_code == 422
    assert isinstance(answer.json()["errors"], list)


def test_status_filter_uses_active_for_in_process(sandbox: GreenhouseSandbox) -> None:
    active = sandbox.seed_application(CanaryPerson.numbered(1))
    sandbox.seed_application(CanaryPerson.numbered(2), ApplicationStatus.REJECTED)
    answer = requests.get(
        sandbox.api_url("applications"),
        params={"status": "active"},
        headers=_bearer(sandbox),
        timeout=5,
    )
    assert [(a["id"], a["status"]) for a in answer.json()] == [(int(active), "in_process")]


def test_rate_limit_headers_and_429(sandbox: GreenhouseSandbox) -> None:
    sandbox.rate_limit = RateLimitRule(limit=3, window_seconds=30.0)
    headers = _bearer(sandbox)
    answers = [
        requests.get(sandbox.api_url("sources"), headers=headers, timeout=5) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a.headers["X-RateLimit-Limit"] == "3" for a in answers)
    assert all(int(a.headers["X-RateLimit-Reset"]) > 1_000_000_000 for a in answers)
    assert int(answers[-1].headers["Retry-After"]) >= 1
    # The budget is the OAuth client's: a new token does not get a fresh one.
    again = requests.get(sandbox.api_url("sources"), headers=_bearer(sandbox), timeout=5)
    assert again.status_code == 429


def test_adapter_learns_the_limit_and_never_trips_it(clock: FrozenClock) -> None:
    with GreenhouseSandbox(clock, rate_limit=RateLimitRule(limit=5, window_seconds=30.0)) as box:
        application_id = box.seed_application(CanaryPerson.numbered(1))
        adapter = GreenhouseAdapter.from_mapping(box.adapter_settings(), clock=clock)
        assert isinstance(adapter, GreenhouseAdapter)
        started = clock.monotonic()
        for _ in range(6):
            adapter.get_application(application_id)
        adapter.close()
        assert box.server.rate_limited_count == 0
        assert clock.monotonic() - started >= 30  # it waited for windows instead
        assert adapter.http.rate_limiter is not None
        assert adapter.http.rate_limiter.stats().limit == 5


def test_endless_429_raise_rate_limited_with_retry_after(clock: FrozenClock) -> None:
    with GreenhouseSandbox(clock, rate_limit=RateLimitRule(limit=1, window_seconds=3600.0)) as box:
        application_id = box.seed_application(CanaryPerson.numbered(1))
        adapter = GreenhouseAdapter.from_mapping(
            {**box.adapter_settings(), "rate_limit": 100}, clock=clock
        )
        with pytest.raises(RateLimitedError) as caught:
            adapter.get_application(application_id)
        adapter.close()
        assert caught.value.retry_after is not None
        assert caught.value.retry_after > 30


def test_naive_send_email_at_is_read_in_the_acting_users_zone(sandbox: GreenhouseSandbox) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(1))
    token = _token(sandbox, sub=str(sandbox.org.acting_user)).json()["access_token"]
    answer = requests.post(
        sandbox.api_url(f"applications/{application_id}/reject"),
        json={
            "rejection_reason_id": int(sandbox.rejection_reason_id),
            "rejection_email": {
                "email_template_id": int(sandbox.email_template_id),
                "send_email_at": "2025-03-17T09:00:00",
            },
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 204
    (email,) = sandbox.scheduled_emails()
    user_zone = ZoneInfo(sandbox.store.users[sandbox.org.acting_user].time_zone)
    assert email.send_at == datetime(2025, 3, 17, 9, 0, tzinfo=user_zone)


def test_realistic_seed_spreads_people_over_zones_and_jobs(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    created = sandbox.seed_realistic(24)
    applications = [adapter.get_application(i) for i in created]
    per_person = Counter(a.candidate.id for a in applications)
    assert max(per_person.values()) >= 2
    zones = {a.candidate.time_zone for a in applications}
    assert len(zones - {None}) >= 6
    assert None in zones  # some people have no zone in Greenhouse, on purpose
    countries = {a.candidate.location.country for a in applications if a.candidate.location}
    assert {"DE", "US", "GB", "JP"} <= countries
    statuses = Counter(a.status for a in applications)
    assert statuses[ApplicationStatus.ACTIVE]
    assert statuses[ApplicationStatus.REJECTED]
    listed = list(adapter.changed_applications(clock.now() - timedelta(minutes=1)))
    assert sorted(a.id for a in listed) == sorted(created)
