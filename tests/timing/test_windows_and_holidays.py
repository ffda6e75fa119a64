"""Send windows as people write them, and holiday calendars from the holidays package."""

from __future__ import annotations

from datetime import date, time

import pytest

from ats_reject.errors import ConfigurationError
from ats_reject.timing import HolidayCalendar, ResolvedZone, SendWindow, TimingConfigurationError


@pytest.mark.parametrize(
    ("text", "start", "end", "weekdays"),
    [
        ("Mon-Fri 09:00-17:00", time(9), time(17), frozenset(range(5))),
        ("mon - fri 9:00 - 17:00", time(9), time(17), frozenset(range(5))),
        ("Sun-Thu 08:30-16:30", time(8, 30), time(16, 30), frozenset({6, 0, 1, 2, 3})),
        ("Mon,Wed,Fri 10:00-15:00", time(10), time(15), frozenset({0, 2, 4})),
        ("Monday-Friday 09:00 to 17:00", time(9), time(17), frozenset(range(5))),
        ("weekdays 09:00-17:00", time(9), time(17), frozenset(range(5))),
        ("daily 10:00-18:00", time(10), time(18), frozenset(range(7))),
        ("working days 09:00-17:00", time(9), time(17), None),
        ("09:00-17:00", time(9), time(17), None),
        ("Mon\u2013Fri 09:00\u201317:00", time(9), time(17), frozenset(range(5))),
    ],
)
def test_windows_are_read_as_written(
    text: str, start: time, end: time, weekdays: frozenset[int] | None
) -> None:
    window = SendWindow.parse(text)
    assert (window.start, window.end, window.weekdays) == (start, end, weekdays)


@pytest.mark.parametrize(
    ("window", "described"),
    [
        (SendWindow(), "working days 09:00-17:00"),
        (SendWindow(weekdays=frozenset(range(5))), "Mon-Fri 09:00-17:00"),
        (SendWindow(time(8, 30), time(12), frozenset({0, 2})), "Mon,Wed 08:30-12:00"),
        (SendWindow(weekdays=frozenset(range(7))), "daily 09:00-17:00"),
    ],
)
def test_windows_describe_themselves(window: SendWindow, described: str) -> None:
    assert window.describe() == described


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Mon-Fri 17:00-09:00", "must be before the end"),
        ("Mon-Fri 09:00-09:00", "must be before the end"),
        ("Mon-Fri 09:00-24:00", "not a time of day"),
        ("Mon-Fry 09:00-17:00", "cannot read the days 'Mon-Fry'"),
        ("office hours", "write days and hours"),
    ],
)
def test_bad_windows_are_refused_clearly(text: str, fragment: str) -> None:
    with pytest.raises(TimingConfigurationError, match=fragment):
        SendWindow.parse(text)


def test_window_validation_in_the_constructor() -> None:
    with pytest.raises(TimingConfigurationError, match="at least one day"):
        SendWindow(weekdays=frozenset())
    with pytest.raises(TimingConfigurationError, match="0 \\(Monday\\) to 6"):
        SendWindow(weekdays=frozenset({7}))


def test_public_holidays_are_named_with_their_region() -> None:
    vienna = HolidayCalendar("AT", "9")
    assert vienna.holiday(date(2026, 12, 8)) == "Immaculate Conception (AT-9)"
    assert vienna.holiday(date(2026, 12, 9)) is None
    assert not vienna.is_working_day(date(2026, 12, 8))
    assert vienna.is_working_day(date(2026, 12, 9))


def test_subdivision_holidays_apply_only_to_that_subdivision() -> None:
    # Epiphany (6 January) is a public holiday in Bavaria, not in Berlin.
    assert HolidayCalendar("DE", "BY").holiday(date(2026, 1, 6)) is not None
    assert HolidayCalendar("DE", "BE").holiday(date(2026, 1, 6)) is None


def test_subdivision_names_are_accepted_and_stored_as_codes() -> None:
    assert HolidayCalendar("DE", "Bayern").subdivision == "BY"
    assert HolidayCalendar("at", "Wien").subdivision == "9"
    assert HolidayCalendar("US", "US-CA").subdivision == "CA"


def test_unknown_country_and_subdivision_are_named_in_the_error() -> None:
    with pytest.raises(ConfigurationError, match="no public holiday data for country 'XX'"):
        HolidayCalendar("XX")
    with pytest.raises(TimingConfigurationError) as caught:
        HolidayCalendar("AT", "10")
    assert "country AT has no holiday subdivision '10'" in str(caught.value)
    assert "accepted: 1, 2, 3, 4, 5, 6, 7, 8, 9" in str(caught.value)
    with pytest.raises(TimingConfigurationError, match="needs a country"):
        HolidayCalendar(None, "BY")


def test_closures_are_labelled_and_count_as_closed() -> None:
    calendar = HolidayCalendar(closures={date(2026, 12, 24): "winter closure"})
    assert calendar.holiday(date(2026, 12, 24)) == "winter closure"
    assert HolidayCalendar(closures=[date(2026, 12, 31)]).holiday(date(2026, 12, 31)) == (
        "company closure"
    )


def test_weekend_follows_the_country() -> None:
    assert HolidayCalendar("DE").weekend == frozenset({5, 6})
    assert HolidayCalendar("IL").weekend == frozenset({4, 5})
    assert HolidayCalendar().weekend == frozenset({5, 6})
    assert HolidayCalendar("DE", weekend={6}).weekend == frozenset({6})


def test_working_days_window_follows_the_candidates_weekend() -> None:
    israel = HolidayCalendar("IL")
    window = SendWindow()
    sunday, friday = date(2026, 6, 7), date(2026, 6, 12)
    assert window.opens_on(sunday, israel)
    assert not window.opens_on(friday, israel)
    assert not window.opens_on(sunday, HolidayCalendar("DE"))


def test_calendars_compare_and_hash_by_value() -> None:
    first = HolidayCalendar("DE", "BY", closures={date(2026, 12, 24): "closed"})
    second = HolidayCalendar("DE", "Bayern", closures={date(2026, 12, 24): "closed"})
    assert first == second
    assert hash(first) == hash(second)
    assert first != HolidayCalendar("DE", "BY")


def test_calendar_for_a_zone_never_fails_on_ats_data() -> None:
    unknown = ResolvedZone("Europe/Berlin", "location", "test", country="ZZ")
    assert HolidayCalendar.for_zone(unknown).country is None
    odd_region = ResolvedZone("Europe/Berlin", "location", "test", "DE", "ZZ")
    calendar = HolidayCalendar.for_zone(odd_region, closures=[date(2026, 12, 24)])
    assert (calendar.country, calendar.subdivision) == ("DE", None)
    assert calendar.holiday(date(2026, 12, 24)) == "company closure"


def test_calendar_describes_itself() -> None:
    calendar = HolidayCalendar("AT", "9", closures=[date(2026, 12, 24), date(2026, 12, 31)])
    assert calendar.describe() == (
        "public holidays of AT-9, 2 company closure days; weekend Sat,Sun"
    )
