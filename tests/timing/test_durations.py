"""Durations as people write them, and how they add up in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ats_reject._durations import add_duration, subtract_duration
from ats_reject.errors import ConfigurationError
from ats_reject.timing import (
    Duration,
    HolidayCalendar,
    TimingConfigurationError,
    TimingRules,
    parse_duration,
)

BERLIN = ZoneInfo("Europe/Berlin")


def _always_working(day: date) -> bool:
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", Duration(24, "hours")),
        ("24 h", Duration(24, "hours")),
        ("1 hour", Duration(1, "hours")),
        ("48 hrs", Duration(48, "hours")),
        ("30 minutes", Duration(30, "minutes")),
        ("90min", Duration(90, "minutes")),
        ("3 days", Duration(3, "days")),
        ("1d", Duration(1, "days")),
        ("2 business days", Duration(2, "days", business_days=True)),
        ("1 Business Day", Duration(1, "days", business_days=True)),
        ("5 working days", Duration(5, "days", business_days=True)),
        ("3 business-days", Duration(3, "days", business_days=True)),
        ("1 week", Duration(1, "weeks")),
        ("2w", Duration(2, "weeks")),
        ("6 months", Duration(6, "months")),
        ("6mo", Duration(6, "months")),
        ("1 year", Duration(1, "years")),
        ("  2   years ", Duration(2, "years")),
        ("0h", Duration(0, "hours")),
    ],
)
def test_parse_duration_reads_what_people_write(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("duration", "written"),
    [
        (Duration(24, "hours"), "24 hours"),
        (Duration(1, "hours"), "1 hour"),
        (Duration(2, "days", business_days=True), "2 business days"),
        (Duration(1, "days", business_days=True), "1 business day"),
        (Duration(6, "months"), "6 months"),
    ],
)
def test_duration_is_written_back_in_words(duration: Duration, written: str) -> None:
    assert str(duration) == written
    assert parse_duration(written) == duration


def test_misspelt_unit_says_what_is_accepted_and_suggests() -> None:
    with pytest.raises(TimingConfigurationError) as caught:
        parse_duration("2 buisness days")
    message = str(caught.value)
    assert "unknown unit 'buisness days'" in message
    assert "did you mean 'business days'?" in message
    assert "minutes, hours, days, business days, weeks, months, years" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "write a whole number and a unit"),
        ("soon", "write a whole number and a unit"),
        ("1.5 hours", "whole number"),
        ("-1 day", "whole number of zero or more"),
        ("6m", "ambiguous"),
        ("3 fortnights", "unknown unit"),
    ],
)
def test_bad_durations_are_refused_clearly(text: str, fragment: str) -> None:
    with pytest.raises(TimingConfigurationError, match=fragment):
        parse_duration(text)


def test_duration_errors_are_configuration_errors_and_value_errors() -> None:
    with pytest.raises(ConfigurationError):
        parse_duration("x")
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("x")


def test_duration_value_is_validated() -> None:
    with pytest.raises(TimingConfigurationError, match="negative"):
        Duration(-1, "hours")
    with pytest.raises(TimingConfigurationError, match="only days"):
        Duration(2, "weeks", business_days=True)


def test_zero_minimum_delay_is_refused_as_instant() -> None:
    with pytest.raises(TimingConfigurationError, match="never sent instantly"):
        TimingRules(minimum_delay=parse_duration("0h"))
    with pytest.raises(TimingConfigurationError, match="never sent instantly"):
        TimingRules.parse(minimum_delay="0 minutes")


def test_hours_are_elapsed_time_and_days_keep_the_wall_clock_across_dst() -> None:
    # Friday 2026-03-27 18:00 CET; clocks go forward on Sunday 03-29.
    friday_evening = datetime(2026, 3, 27, 17, 0, tzinfo=UTC)
    by_hours = add_duration(friday_evening, parse_duration("72h"), BERLIN, _always_working)
    by_days = add_duration(friday_evening, parse_duration("3 days"), BERLIN, _always_working)
    assert by_hours == datetime(2026, 3, 30, 17, 0, tzinfo=UTC)  # 19:00 CEST
    assert by_days == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # 18:00 CEST, as on Friday


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (datetime(2026, 1, 31, 12), "1 month", datetime(2026, 2, 28, 12)),
        (datetime(2028, 1, 31, 12), "1 month", datetime(2028, 2, 29, 12)),
        (datetime(2026, 8, 31, 12), "6 months", datetime(2027, 2, 28, 12)),
        (datetime(2028, 2, 29, 12), "1 year", datetime(2029, 2, 28, 12)),
        (datetime(2026, 3, 2, 12), "2 weeks", datetime(2026, 3, 16, 12)),
    ],
)
def test_calendar_units_clamp_to_the_end_of_the_month(
    start: datetime, text: str, expected: datetime
) -> None:
    result = add_duration(
        start.replace(tzinfo=BERLIN), parse_duration(text), BERLIN, _always_working
    )
    assert result.astimezone(BERLIN).replace(tzinfo=None) == expected


def test_business_days_skip_weekends_holidays_and_closures() -> None:
    calendar = HolidayCalendar("AT", closures={date(2026, 12, 10): "team offsite"})
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Vienna"))
    result = add_duration(
        friday,
        parse_duration("3 business days"),
        ZoneInfo("Europe/Vienna"),
        calendar.is_working_day,
    )
    # Mon 7th (1), Tue 8th Immaculate Conception, Wed 9th (2), Thu 10th closure, Fri 11th (3).
    assert result.astimezone(ZoneInfo("Europe/Vienna")) == datetime(
        2026, 12, 11, 15, 0, tzinfo=ZoneInfo("Europe/Vienna")
    )


def test_business_days_from_a_saturday_start_on_monday() -> None:
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=BERLIN)
    result = add_duration(
        saturday, parse_duration("1 business day"), BERLIN, HolidayCalendar().is_working_day
    )
    assert result.astimezone(BERLIN).date() == date(2026, 3, 9)


def test_a_calendar_without_working_days_is_reported_not_looped_on() -> None:
    closed_forever = HolidayCalendar(closures=[date(2026, 1, 1)], weekend={0, 1, 2, 3, 4, 5})

    def nothing_open(day: date) -> bool:
        return closed_forever.is_working_day(day) and day.weekday() != 6

    with pytest.raises(TimingConfigurationError, match="no working day"):
        add_duration(
            datetime(2026, 1, 1, tzinfo=UTC),
            parse_duration("1 business day"),
            BERLIN,
            nothing_open,
        )


@pytest.mark.parametrize(
    ("end", "text", "expected"),
    [
        # Back across the spring clock change: the same wall-clock time, not 24 hours.
        (datetime(2026, 3, 30, 10), "2 days", datetime(2026, 3, 28, 10)),
        (datetime(2026, 3, 29, 10), "24h", datetime(2026, 3, 28, 9)),
        (datetime(2027, 2, 28, 12), "1 year", datetime(2026, 2, 28, 12)),
        (datetime(2026, 3, 31, 12), "1 month", datetime(2026, 2, 28, 12)),
        # Mon 7th, Tue 8th Immaculate Conception: back from Wed 9th, Mon 7th then Fri 4th.
        (datetime(2026, 12, 9, 15), "2 business days", datetime(2026, 12, 4, 15)),
    ],
)
def test_subtracting_counts_back_in_the_local_calendar(
    end: datetime, text: str, expected: datetime
) -> None:
    vienna = ZoneInfo("Europe/Vienna")
    result = subtract_duration(
        end.replace(tzinfo=vienna),
        parse_duration(text),
        vienna,
        HolidayCalendar("AT").is_working_day,
    )
    assert result.astimezone(vienna).replace(tzinfo=None) == expected


def test_subtracting_business_days_from_a_closed_calendar_is_reported() -> None:
    with pytest.raises(TimingConfigurationError, match="no working day"):
        subtract_duration(
            datetime(2026, 1, 1, tzinfo=UTC),
            parse_duration("1 business day"),
            BERLIN,
            lambda _: False,
        )
