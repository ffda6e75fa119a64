"""Incremental sync against the sandbox while it keeps changing, and token expiry mid-sync."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import datetime, timedelta

from ats_reject.clock import FrozenClock
from ats_reject.models import Application
from ats_reject.testing import CanaryPerson
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox

PAGE = 25


def _versions(sandbox: GreenhouseSandbox) -> dict[str, datetime]:
    with sandbox.lock:
        return {str(a.id): a.updated_at for a in sandbox.store.applications.values()}


def _version(application: Application) -> datetime:
    assert application.last_activity_at is not None
    return application.last_activity_at


def test_consecutive_windows_miss_nothing_and_repeat_nothing(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    rng = random.Random(11)
    people = (CanaryPerson.numbered(n) for n in itertools.count(1))
    for _ in range(4 * PAGE + 3):
        sandbox.seed_application(next(people))
        clock.advance(1)
    since = clock.now() - timedelta(days=1)
    reported: Counter[tuple[str, datetime]] = Counter()
    last_seen: dict[str, datetime] = {}
    for run in range(6):
        clock.advance(1)
        until = clock.now()
        if run < 4:
            # A change stamped exactly at the window's end belongs to the next window.
            sandbox.touch(rng.choice(sorted(_versions(sandbox))))
        listed: list[str] = []
        for count, application in enumerate(adapter.changed_applications(since, until=until)):
            listed.append(application.id)
            reported[(application.id, _version(application))] += 1
            last_seen[application.id] = _version(application)
            # A recruiter keeps working while the sync pages through: edits of applications
            # already listed and not yet listed, and new applications.
            if run < 4 and count % 7 == 3:
                clock.advance(1)
                ids = sorted(_versions(sandbox))
                sandbox.touch(rng.choice(ids))
                sandbox.move(rng.choice(ids), rng.randrange(1, 4))
                sandbox.seed_application(next(people))
        assert len(listed) == len(set(listed)), "an application came twice in one listing"
        assert all(last_seen[i] < until for i in listed), "a change at or after the bound"
        since = until
    final = _versions(sandbox)
    assert last_seen == final, "a change was missed: the last state reported is not the latest"
    assert all(times == 1 for times in reported.values()), "a change was reported twice"


def test_listing_follows_cursors_alone_in_id_descending_order(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    for number in range(2 * PAGE + 5):
        sandbox.seed_application(CanaryPerson.numbered(number + 1))
    clock.advance(1)
    sandbox.server.reset_log()
    ids = [a.id for a in adapter.changed_applications(clock.now() - timedelta(hours=1))]
    assert ids == sorted(ids, key=int, reverse=True)
    listing = [r for r in sandbox.server.requests if r.route_name == "applications"]
    assert len(listing) == 3
    first, *following = listing
    assert set(first.query) == {"updated_at", "per_page"}
    window = first.query_value("updated_at") or ""
    assert window.startswith("gte|")
    assert "|lte|" in window
    assert all(set(r.query) == {"cursor"} for r in following)


def test_token_renewed_before_expiry_in_the_middle_of_a_sync(clock: FrozenClock) -> None:
    with GreenhouseSandbox(clock, token_lifetime=600) as sandbox:
        for number in range(3 * PAGE):
            sandbox.seed_application(CanaryPerson.numbered(number + 1))
        adapter = GreenhouseAdapter.from_mapping(sandbox.adapter_settings(), clock=clock)
        assert isinstance(adapter, GreenhouseAdapter)
        listed = []
        for application in adapter.changed_applications(clock.now() - timedelta(hours=1)):
            listed.append(application.id)
            if len(listed) == PAGE + 1:
                clock.advance(601)
        adapter.close()
        assert len(listed) == len(set(listed)) == 3 * PAGE
        assert sandbox.oauth.minted == 2
        assert sandbox.server.count("applications") == 3
        statuses = [r for r in sandbox.server.requests if r.route_name == "applications"]
        assert all(r.headers.get("Authorization", "").startswith("Bearer ") for r in statuses)


def test_token_revoked_in_the_middle_of_a_sync_is_renewed_once(clock: FrozenClock) -> None:
    with GreenhouseSandbox(clock, expiry_field="expires_in") as sandbox:
        for number in range(3 * PAGE):
            sandbox.seed_application(CanaryPerson.numbered(number + 1))
        adapter = GreenhouseAdapter.from_mapping(sandbox.adapter_settings(), clock=clock)
        assert isinstance(adapter, GreenhouseAdapter)
        listed = []
        for application in adapter.changed_applications(clock.now() - timedelta(hours=1)):
            listed.append(application.id)
            if len(listed) == 2 * PAGE:
                sandbox.expire_tokens()
        adapter.close()
        assert len(listed) == len(set(listed)) == 3 * PAGE
        assert sandbox.oauth.minted == 2
        # The refused page was asked again with the same cursor and a fresh token.
        pages = [r for r in sandbox.server.requests if r.route_name == "applications"]
        assert len(pages) == 4
        assert pages[-1].query == pages[-2].query
        assert pages[-1].headers["Authorization"] != pages[-2].headers["Authorization"]


def test_sync_yields_light_applications(
    sandbox: GreenhouseSandbox, adapter: GreenhouseAdapter, clock: FrozenClock
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(1))
    (listed,) = adapter.changed_applications(clock.now() - timedelta(minutes=1))
    assert listed.id == application_id
    assert listed.candidate.emails == ()  # read with get_application before acting
    assert listed.current_stage is not None
    assert listed.current_stage.name == "Preliminary Phone Screen"
    assert listed.job is not None
    assert listed.job.name == "Backend Engineer"
    full = adapter.get_application(application_id)
    assert full.candidate.emails == (CanaryPerson.numbered(1).email,)
