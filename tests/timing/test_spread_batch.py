"""Bulk rejections: spread across the window, within a sender's hourly cap."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ats_reject.timing import (
    HolidayCalendar,
    ResolvedZone,
    SendSchedule,
    TimingConfigurationError,
    TimingRules,
    is_allowed_time,
    plan_send_time,
    spread_batch,
)

BERLIN = ResolvedZone("Europe/Berlin", "default", "company default", "DE")
CALENDAR = HolidayCalendar("DE")
FRIDAY_EVENING = datetime(2026, 3, 6, 17, 30, tzinfo=UTC)
MONDAY_OPEN = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
MONDAY_CLOSE = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


def _batch(count: int, rules: TimingRules | None = None) -> dict[str, SendSchedule]:
    schedule = plan_send_time(
        FRIDAY_EVENING, timing=rules or TimingRules(), zone=BERLIN, calendar=CALENDAR
    )
    return {f"app-{number:04d}": schedule for number in range(count)}


def _max_in_any_hour(moments: list[datetime]) -> int:
    seconds = sorted(int(moment.timestamp()) for moment in moments)
    best = 0
    for index, start in enumerate(seconds):
        inside = [second for second in seconds[index:] if second < start + 3600]
        best = max(best, len(inside))
    return best


def test_a_bulk_rejection_is_spread_over_the_day_not_bunched_at_opening() -> None:
    spread = spread_batch(_batch(200))
    times = [schedule.send_at for schedule in spread.values()]
    assert all(MONDAY_OPEN <= moment < MONDAY_CLOSE for moment in times)
    assert Counter(times).most_common(1)[0][1] <= 2
    by_hour = Counter(moment.hour for moment in times)
    assert sorted(by_hour) == list(range(8, 16))  # every hour of the window gets some
    assert max(by_hour.values()) < 50  # and none gets most


def test_positions_are_fixed_by_the_application_id() -> None:
    alone = spread_batch({"app-0007": _batch(1)["app-0000"]})
    among_many = spread_batch(_batch(100))
    assert alone["app-0007"].send_at == among_many["app-0007"].send_at


def test_spreading_ignores_the_order_of_the_batch() -> None:
    batch = _batch(60)
    reversed_batch = dict(reversed(list(batch.items())))
    forward = spread_batch(batch, hourly_cap=10)
    backward = spread_batch(reversed_batch, hourly_cap=10)
    assert forward == backward
    assert list(backward) == list(reversed_batch)  # results keep the caller's order


def test_hourly_cap_is_respected_and_overflow_moves_to_the_next_day() -> None:
    spread = spread_batch(_batch(100), hourly_cap=10)
    times = [schedule.send_at for schedule in spread.values()]
    assert _max_in_any_hour(times) <= 10
    monday = [moment for moment in times if moment.date() == MONDAY_OPEN.date()]
    assert len(monday) <= 80  # eight window hours, ten an hour
    for schedule in spread.values():
        assert is_allowed_time(
            schedule.send_at, window=schedule.send_window, zone="Europe/Berlin", calendar=CALENDAR
        )
        assert schedule.send_at >= MONDAY_OPEN
    pushed = next(schedule for schedule in spread.values() if schedule.send_at.day == 10)
    assert any("limit of 10 messages an hour was reached" in reason for reason in pushed.reasons)


def test_already_planned_sends_count_against_the_cap() -> None:
    booked = [MONDAY_OPEN + timedelta(minutes=minute) for minute in range(0, 480, 12)]
    spread = spread_batch(_batch(40), hourly_cap=6, already_planned=booked)
    times = [schedule.send_at for schedule in spread.values()]
    assert _max_in_any_hour(times + booked) <= 6


def test_a_cap_that_pushes_past_the_deadline_is_flagged() -> None:
    rules = TimingRules.parse(deadline="2 business days")  # Tuesday 18:30
    spread = spread_batch(_batch(30, rules), hourly_cap=1)
    late = [schedule for schedule in spread.values() if not schedule.deadline_met]
    assert late
    for schedule in late:
        assert schedule.send_at > schedule.deadline
        assert any(
            reason.startswith("deadline missed: the sender's hourly limit pushed the message")
            for reason in schedule.reasons
        )
    on_time = [schedule for schedule in spread.values() if schedule.deadline_met]
    assert all(schedule.send_at <= schedule.deadline for schedule in on_time)


def test_spread_reasons_explain_the_move() -> None:
    spread = spread_batch(_batch(1))
    reasons = spread["app-0000"].reasons
    assert reasons[-2].startswith(
        "spread within the send window of Monday 2026-03-09: Monday 2026-03-09 "
    )
    assert "a place fixed by the application id" in reasons[-2]
    assert reasons[-1].startswith("send at Monday 2026-03-09 ")


def test_spread_stops_at_a_deadline_inside_the_window() -> None:
    rules = TimingRules.parse(minimum_delay="1 hour", deadline="3h")
    monday_ten = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    schedule = plan_send_time(monday_ten, timing=rules, zone=BERLIN, calendar=CALENDAR)
    spread = spread_batch({f"a{number}": schedule for number in range(50)})
    assert all(item.send_at <= schedule.deadline for item in spread.values())
    assert all(item.deadline_met for item in spread.values())


def test_bad_cap_is_refused() -> None:
    with pytest.raises(TimingConfigurationError, match="hourly cap"):
        spread_batch(_batch(1), hourly_cap=0)


def test_empty_batch() -> None:
    assert spread_batch({}) == {}
