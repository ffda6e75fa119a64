"""Incremental sync over Lever's paging, while the data keeps changing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.models import ApplicationStatus
from ats_reject_lever import LeverAdapter
from ats_reject_lever._mapping import to_millis
from ats_reject_lever.sandbox import LeverSandbox


def listing_requests(sandbox: LeverSandbox) -> list[Any]:
    return [r for r in sandbox.server.requests if r.route_name == "list_opportunities"]


def test_sync_across_pages_while_data_changes(
    adapter: LeverAdapter,
    sandbox: LeverSandbox,
    clock: FrozenClock,
    person: Callable[[int], Any],
) -> None:
    since = clock.now()
    original = [sandbox.seed_application(person(number)) for number in range(10)]
    clock.advance(timedelta(minutes=1))
    run_start = clock.now()

    listing = adapter.changed_applications(since)
    first_page = [application.id for application in itertools.islice(listing, 3)]
    assert len(first_page) == 3

    # While the listing runs: one already listed and one not yet listed change, and a new
    # opportunity arrives. They are all later than the run's start.
    clock.advance(timedelta(seconds=1))
    listed_then_changed = first_page[0]
    unlisted_then_changed = next(oid for oid in original if oid not in first_page)
    sandbox.change(listed_then_changed, stage_id="offer")
    sandbox.set_status(unlisted_then_changed, ApplicationStatus.REJECTED)
    newcomer = sandbox.seed_application(person(99))

    rest = [application.id for application in listing]
    first_run = first_page + rest
    assert len(first_run) == len(set(first_run)), "an opportunity was listed twice"
    unchanged = set(original) - {unlisted_then_changed}
    assert unchanged <= set(first_run), "an unchanged opportunity was skipped"
    assert newcomer not in first_run
    assert unlisted_then_changed not in first_run

    # The next run starts where this one started: the changes are picked up there.
    clock.advance(timedelta(minutes=1))
    second_run = [application.id for application in adapter.changed_applications(run_start)]
    assert len(second_run) == len(set(second_run))
    assert {listed_then_changed, unlisted_then_changed, newcomer} <= set(second_run)
    assert set(first_run) | set(second_run) == set(original) | {newcomer}
    states = {a.id: a.status for a in adapter.changed_applications(run_start)}
    assert states[unlisted_then_changed] is ApplicationStatus.REJECTED


def test_listing_asks_for_the_window_in_milliseconds_and_follows_next(
    adapter: LeverAdapter,
    sandbox: LeverSandbox,
    clock: FrozenClock,
    person: Callable[[int], Any],
) -> None:
    since = clock.now() - timedelta(minutes=5, microseconds=1500)
    for number in range(7):
        sandbox.seed_application(person(number))
    listed = list(adapter.changed_applications(since))
    assert len(listed) == 7
    requests = listing_requests(sandbox)
    assert len(requests) == 3  # pages of 3, 3 and 1
    first = requests[0].query
    assert first["updated_at_start"] == [str(to_millis(since))]
    assert first["updated_at_end"] == [str(to_millis(clock.now()))]
    assert first["limit"] == ["100"]
    assert sorted(first["expand"]) == ["applications", "owner", "stage"]
    assert "offset" not in first
    assert "confidentiality" not in first
    # Each later page sends the previous page's next token as offset, with the same window.
    for later in requests[1:]:
        assert later.query["offset"]
        assert later.query["updated_at_end"] == first["updated_at_end"]


def test_window_bounds_are_inclusive(
    adapter: LeverAdapter, sandbox: LeverSandbox, clock: FrozenClock, person: Callable[[int], Any]
) -> None:
    at_since = sandbox.seed_application(person(1))
    since = clock.now()
    clock.advance(timedelta(milliseconds=1))
    at_end = sandbox.seed_application(person(2))
    assert {a.id for a in adapter.changed_applications(since)} == {at_since, at_end}
    clock.advance(timedelta(milliseconds=1))
    assert [a.id for a in adapter.changed_applications(clock.now())] == []


def test_since_in_the_future_sends_nothing(
    adapter: LeverAdapter, sandbox: LeverSandbox, clock: FrozenClock
) -> None:
    assert list(adapter.changed_applications(clock.now() + timedelta(hours=1))) == []
    assert listing_requests(sandbox) == []
    with pytest.raises(ValueError, match="naive"):
        list(adapter.changed_applications(datetime(2025, 1, 1)))


def test_confidential_opportunities_on_request(
    make_adapter: Callable[..., LeverAdapter], sandbox: LeverSandbox, clock: FrozenClock
) -> None:
    adapter = make_adapter(include_confidential=True)
    list(adapter.changed_applications(clock.now() - timedelta(minutes=1)))
    assert listing_requests(sandbox)[0].query["confidentiality"] == ["all"]


def test_hired_opportunities_are_listed_as_hired(
    adapter: LeverAdapter, sandbox: LeverSandbox, clock: FrozenClock, person: Callable[[int], Any]
) -> None:
    hired = sandbox.seed_application(person(1), ApplicationStatus.HIRED)
    rejected = sandbox.seed_application(person(2), ApplicationStatus.REJECTED)
    statuses = {
        a.id: a.status for a in adapter.changed_applications(clock.now() - timedelta(minutes=1))
    }
    assert statuses == {hired: ApplicationStatus.HIRED, rejected: ApplicationStatus.REJECTED}


def test_account_data_is_read_once_per_listing(
    adapter: LeverAdapter, sandbox: LeverSandbox, clock: FrozenClock
) -> None:
    sandbox.seed_realistic(30, seed=7)
    listed = list(adapter.changed_applications(clock.now() - timedelta(minutes=1)))
    assert len(listed) == 30
    assert sandbox.server.count("list_archive_reasons") == 1
    assert sandbox.server.count("list_stages") == 1
    assert sandbox.server.count("get_posting") <= 3  # one per posting of the account
    assert all(application.job is not None for application in listed)
