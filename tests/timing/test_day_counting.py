"""Business days, months and skipped holidays counted in bulk agree with counting day by day."""

from __future__ import annotations

import functools
import re
import warnings
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject._durations import add_duration
from ats_reject._wallclock import not_counted_note
from ats_reject.timing import (
    Duration,
    HolidayCalendar,
    ResolvedZone,
    TimingConfigurationError,
    TimingRules,
    plan_send_time,
)

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
COUNTRIES = [None, "DE", "US", "AT", "IL", "NZ", "JP"]


@st.composite
def calendars(draw: st.DrawFn) -> tuple[HolidayCalendar, datetime]:
    start = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
        )
    )
    first = start.date()
    offsets = draw(st.frozensets(st.integers(min_value=-5, max_value=120), max_size=30))
    closures = {first + timedelta(days=offset): f"closure {offset}" for offset in offsets}
    weekend = draw(st.none() | st.frozensets(st.integers(0, 6), max_size=4))
    calendar = HolidayCalendar(draw(st.sampled_from(COUNTRIES)), closures=closures, weekend=weekend)
    return calendar, start


@functools.cache
def _public_holidays(country: str, year: int) -> dict[date, str]:
    with warnings.catch_warnings():
        # Lunar calendars warn about years they only estimate; the days are still the ones used.
        warnings.simplefilter("ignore", UserWarning)
        return dict(holidays.country_holidays(country, years=year))


def _closed_by_hand(calendar: HolidayCalendar, day: date) -> bool:
    """Closed per the holidays package and the closure list, looked up directly."""
    if day in calendar.closures:
        return True
    if calendar.country is None:
        return False
    return bool(_public_holidays(calendar.country, day.year).get(day))


def _nth_working_day_by_hand(calendar: HolidayCalendar, day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() not in calendar.weekend and not _closed_by_hand(calendar, day):
            count -= 1
    return day


@SETTINGS
@given(calendars(), st.integers(min_value=0, max_value=40), st.sampled_from(ZONES))
def test_business_days_land_on_the_day_a_day_by_day_count_reaches(
    case: tuple[HolidayCalendar, datetime], count: int, zone: str
) -> None:
    calendar, start = case
    tz = ZoneInfo(zone)
    result = add_duration(start, Duration(count, "days", True), tz, calendar.is_working_day)

    # None of these zones skips an hour around midnight, so the local date is the counted one.
    expected = _nth_working_day_by_hand(calendar, start.astimezone(tz).date(), count)
    assert result.astimezone(tz).date() == expected

    # Asked through another function, the calendar is walked day by day: same answer.
    def is_working(day: date) -> bool:
        return calendar.is_working_day(day)

    assert add_duration(start, Duration(count, "days", True), tz, is_working) == result


@SETTINGS
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["months", "years"]),
)
def test_months_and_years_clamp_to_the_end_of_the_month_like_dateutil(
    start: datetime, amount: int, unit: str
) -> None:
    step = relativedelta(months=amount) if unit == "months" else relativedelta(years=amount)
    result = add_duration(
        start.replace(tzinfo=UTC),
        Duration(amount, "months" if unit == "months" else "years"),
        ZoneInfo("UTC"),
        HolidayCalendar().is_working_day,
    )
    assert result == (start + step).replace(tzinfo=UTC)


@SETTINGS
@given(calendars(), st.integers(min_value=0, max_value=90))
def test_the_note_names_each_closed_working_day_stepped_over_in_order(
    case: tuple[HolidayCalendar, datetime], days: int
) -> None:
    calendar, start = case
    end = start + timedelta(days=days)
    note = not_counted_note(start, end, True, "UTC", calendar)

    closed = [
        day
        for day in (start.date() + timedelta(days=offset) for offset in range(1, days + 1))
        if day.weekday() not in calendar.weekend and _closed_by_hand(calendar, day)
    ]
    if not closed:
        assert note == ""
        return
    named = [f"{day:%Y-%m-%d}" for day in closed[:5]]
    assert note.startswith(" (not counting ")
    assert re.findall(r"\d{4}-\d{2}-\d{2}", note) == named
    assert (f"; {len(closed) - 5} more)" in note) == (len(closed) > 5)
    assert not_counted_note(start, end, False, "UTC", calendar) == ""


def test_a_closure_longer_than_ten_years_is_reported_not_counted_through() -> None:
    first = date(2026, 1, 1)
    closed = HolidayCalendar(closures=[first + timedelta(days=n) for n in range(3700)])
    with pytest.raises(TimingConfigurationError, match="no working day found in ten years"):
        add_duration(
            datetime(2026, 1, 1, 12, tzinfo=UTC),
            Duration(1, "days", True),
            ZoneInfo("UTC"),
            closed.is_working_day,
        )
    # The first working day after the closure is still within reach from inside it.
    reopened = add_duration(
        datetime(2035, 1, 1, 12, tzinfo=UTC),
        Duration(1, "days", True),
        ZoneInfo("UTC"),
        closed.is_working_day,
    )
    after_closure = first + timedelta(days=3700)
    while after_closure.weekday() >= 5:
        after_closure += timedelta(days=1)
    assert reopened.date() == after_closure


def test_an_observed_holiday_counts_on_the_day_it_is_observed() -> None:
    # New Year's Day 2022 was a Saturday; the US observed it on Friday 2021-12-31.
    calendar = HolidayCalendar("US")
    assert calendar.holiday(date(2021, 12, 31)) == "New Year's Day (observed) (US)"
    thursday = datetime(2021, 12, 30, 15, tzinfo=UTC)
    result = add_duration(
        thursday, Duration(1, "days", True), ZoneInfo("UTC"), calendar.is_working_day
    )
    assert result.date() == date(2022, 1, 3)


class _WednesdaysOff(HolidayCalendar):
    """A calendar whose own answer the counting must respect."""

    def holiday(self, day: date) -> str | None:
        if day.weekday() == 2:
            return "no-meeting Wednesday"
        return super().holiday(day)


def test_a_calendar_subclass_is_asked_for_its_own_closed_days() -> None:
    calendar = _WednesdaysOff()
    monday = datetime(2026, 3, 2, 10, tzinfo=UTC)
    three_days = Duration(3, "days", True)
    result = add_duration(monday, three_days, ZoneInfo("UTC"), calendar.is_working_day)
    assert result.date() == date(2026, 3, 6)
    note = not_counted_note(monday, result, True, "UTC", calendar)
    assert note == " (not counting Wednesday 2026-03-04, no-meeting Wednesday)"
    rules = TimingRules(minimum_delay=Duration(1, "hours"), deadline=three_days)
    zone = ResolvedZone("UTC", "default", "the company default time zone")
    schedule = plan_send_time(monday, timing=rules, zone=zone, calendar=calendar)
    assert schedule.deadline == result
    assert any("not counting Wednesday 2026-03-04" in reason for reason in schedule.reasons)
