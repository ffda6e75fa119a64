"""Properties: any decision time, zone, window and holiday set gives a sound send time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.timing import (
    Duration,
    DurationUnit,
    HolidayCalendar,
    ResolvedZone,
    SendSchedule,
    SendWindow,
    TimingRules,
    is_allowed_time,
    plan_send_time,
    spread_batch,
)

ZONES = sorted(
    {
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "Pacific/Auckland",
        "Pacific/Chatham",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "America/Santiago",
        "America/St_Johns",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Pacific/Apia",
        "Africa/Casablanca",
        "Asia/Tehran",
        "UTC",
    }
    | set(sorted(available_timezones())[::25])
)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)

decisions = st.datetimes(
    min_value=datetime(1995, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.just(UTC),
)
zones = st.sampled_from(ZONES)
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    start, end = sorted(draw(st.lists(minutes_of_day, min_size=2, max_size=2, unique=True)))
    weekdays = draw(st.none() | st.frozensets(st.integers(0, 6), min_size=1))
    return SendWindow(time(start // 60, start % 60), time(end // 60, end % 60), weekdays)


@st.composite
def durations(draw: st.DrawFn, *, minimum: int = 0) -> Duration:
    choices: list[tuple[DurationUnit, bool]] = [
        ("minutes", False),
        ("hours", False),
        ("days", False),
        ("days", True),
        ("weeks", False),
        ("months", False),
        ("years", False),
    ]
    unit, business = draw(st.sampled_from(choices))
    top = {"minutes": 5000, "hours": 200, "days": 20, "weeks": 6, "months": 8, "years": 2}[unit]
    return Duration(draw(st.integers(min_value=max(minimum, 0), max_value=top)), unit, business)


@st.composite
def calendars(draw: st.DrawFn, around: datetime) -> HolidayCalendar:
    country = draw(st.sampled_from([None, "DE", "US", "AT", "IN", "IL", "NZ", "BR", "JP"]))
    start = around.date()
    closures = draw(
        st.frozensets(st.integers(min_value=-5, max_value=90), max_size=25).map(
            lambda offsets: frozenset(start + timedelta(days=offset) for offset in offsets)
        )
    )
    weekend = draw(st.none() | st.frozensets(st.integers(0, 6), max_size=3))
    return HolidayCalendar(country, closures=closures, weekend=weekend)


@st.composite
def plans(draw: st.DrawFn) -> tuple[datetime, datetime | None, TimingRules, str, HolidayCalendar]:
    decision = draw(decisions)
    applied = draw(
        st.none() | st.integers(0, 90 * 24 * 60).map(lambda m: decision - timedelta(minutes=m))
    )
    rules = TimingRules(
        minimum_delay=draw(durations(minimum=1)),
        deadline=draw(durations(minimum=1)),
        send_window=draw(windows()),
        minimum_after_application=draw(st.none() | durations()),
    )
    return decision, applied, rules, draw(zones), draw(calendars(decision))


def _plan(
    decision: datetime,
    applied: datetime | None,
    rules: TimingRules,
    zone: str,
    calendar: HolidayCalendar,
) -> SendSchedule:
    resolved = ResolvedZone(zone, "candidate", "property test")
    return plan_send_time(
        decision, applied_at=applied, timing=rules, zone=resolved, calendar=calendar
    )


@PROPERTY_SETTINGS
@given(plans())
def test_send_time_is_inside_the_window_after_the_earliest_and_not_on_a_holiday(
    case: tuple[datetime, datetime | None, TimingRules, str, HolidayCalendar],
) -> None:
    decision, applied, rules, zone, calendar = case
    schedule = _plan(decision, applied, rules, zone, calendar)
    window = rules.send_window
    local = schedule.send_at.astimezone(ZoneInfo(zone))

    assert schedule.send_at.tzinfo is UTC
    assert schedule.earliest > decision  # never instant
    if rules.minimum_delay.is_elapsed_time:
        unit = rules.minimum_delay.unit
        assert schedule.earliest >= decision + timedelta(**{unit: rules.minimum_delay.amount})
    assert schedule.send_at >= schedule.earliest
    assert window.start <= local.time() < window.end
    assert window.includes_weekday(local.weekday(), calendar.weekend)
    assert calendar.holiday(local.date()) is None
    assert is_allowed_time(schedule.send_at, window=window, zone=zone, calendar=calendar)
    assert schedule.deadline_met == (schedule.send_at <= schedule.deadline)
    assert any(r.startswith("deadline missed") for r in schedule.reasons) != schedule.deadline_met
    # The first allowed moment: one second earlier is either not allowed or before earliest.
    one_second_before = schedule.send_at - timedelta(seconds=1)
    assert one_second_before < schedule.earliest or not is_allowed_time(
        one_second_before, window=window, zone=zone, calendar=calendar
    )
    assert _plan(decision, applied, rules, zone, calendar) == schedule


@st.composite
def batches(draw: st.DrawFn) -> tuple[dict[str, SendSchedule], int | None, list[datetime]]:
    decision = draw(decisions)
    rules = TimingRules(
        minimum_delay=draw(durations(minimum=1)),
        deadline=draw(durations(minimum=1)),
        send_window=draw(windows()),
    )
    calendar = draw(calendars(decision))
    keys = draw(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=25, unique=True))
    schedules = {
        key: _plan(
            decision + timedelta(minutes=draw(st.integers(0, 600))),
            None,
            rules,
            draw(zones),
            calendar,
        )
        for key in keys
    }
    cap = draw(st.none() | st.integers(min_value=1, max_value=6))
    first = min(schedule.send_at for schedule in schedules.values())
    booked_hours = draw(st.lists(st.integers(-3, 30), max_size=8, unique=True))
    booked = [first + timedelta(hours=hour) for hour in booked_hours]
    return schedules, cap, booked


def _most_in_an_hour_around(moment: datetime, everything: list[datetime]) -> int:
    at = int(moment.timestamp())
    seconds = sorted(int(item.timestamp()) for item in everything)
    starts = [second for second in seconds if at - 3599 <= second <= at]
    return max(sum(1 for s in seconds if start <= s <= start + 3599) for start in starts)


@PROPERTY_SETTINGS
@given(batches())
def test_spread_batch_keeps_every_rule_and_the_cap(
    case: tuple[dict[str, SendSchedule], int | None, list[datetime]],
) -> None:
    schedules, cap, booked = case
    spread = spread_batch(schedules, hourly_cap=cap, already_planned=booked)

    assert list(spread) == list(schedules)
    everything = booked + [schedule.send_at for schedule in spread.values()]
    for key, schedule in spread.items():
        planned = schedules[key]
        assert schedule.send_at >= planned.send_at >= planned.earliest
        assert is_allowed_time(
            schedule.send_at,
            window=schedule.send_window,
            zone=schedule.zone,
            calendar=schedule.calendar,
        )
        assert schedule.deadline_met == (
            planned.deadline_met and schedule.send_at <= schedule.deadline
        )
        if cap is None:
            tz = ZoneInfo(schedule.zone)
            assert schedule.send_at.astimezone(tz).date() == planned.send_at.astimezone(tz).date()
        else:
            assert _most_in_an_hour_around(schedule.send_at, everything) <= cap
    shuffled = dict(reversed(list(schedules.items())))
    again = spread_batch(shuffled, hourly_cap=cap, already_planned=booked)
    assert {key: again[key] for key in spread} == spread


def test_strategies_cover_whole_days_of_closures() -> None:
    # A guard that the calendar strategy can actually close days near the decision.
    assert HolidayCalendar(closures=[date(2026, 1, 2)]).holiday(date(2026, 1, 2))
