"""Explicit send-time cases: Friday evenings, holidays, DST weeks, zones around the world."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ats_reject.models import Candidate, Location
from ats_reject.timing import (
    HolidayCalendar,
    ResolvedZone,
    SendSchedule,
    SendWindow,
    TimingConfigurationError,
    TimingRules,
    is_allowed_time,
    plan_send_time,
    resolve_time_zone,
)


def _zone(name: str, country: str | None = None, subdivision: str | None = None) -> ResolvedZone:
    return ResolvedZone(name, "candidate", "given by the test", country, subdivision)


def _plan(
    decision: datetime,
    zone: str,
    *,
    rules: TimingRules | None = None,
    calendar: HolidayCalendar | None = None,
    applied_at: datetime | None = None,
) -> SendSchedule:
    calendar = calendar if calendar is not None else HolidayCalendar()
    return plan_send_time(
        decision,
        applied_at=applied_at,
        timing=rules or TimingRules(),
        zone=_zone(zone),
        calendar=calendar,
    )


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_friday_evening_decision_goes_out_monday_morning() -> None:
    # Friday 2026-03-06 18:30 in Berlin.
    schedule = _plan(_utc(2026, 3, 6, 17, 30), "Europe/Berlin", calendar=HolidayCalendar("DE"))
    assert schedule.earliest == _utc(2026, 3, 7, 17, 30)
    assert schedule.send_at == _utc(2026, 3, 9, 8, 0)  # Monday 09:00 CET
    assert schedule.deadline == _utc(2026, 3, 13, 17, 30)  # 5 business days later
    assert schedule.deadline_met
    assert schedule.reasons == (
        "time zone Europe/Berlin: given by the test",
        "days without messages: public holidays of DE; weekend Sat,Sun",
        "earliest Saturday 2026-03-07 18:30 Europe/Berlin: 24 hours after the decision",
        "deadline Friday 2026-03-13 18:30 Europe/Berlin: 5 business days after the decision",
        "moved from Saturday 2026-03-07 18:30 to Monday 2026-03-09 09:00 Europe/Berlin: "
        "outside the send window (working days 09:00-17:00)",
        "send at Monday 2026-03-09 09:00 Europe/Berlin (2026-03-09 08:00 UTC)",
    )


def test_easter_weekend_skips_good_friday_and_easter_monday() -> None:
    # Thursday 2026-04-02 18:30 CEST; Good Friday 04-03, Easter Monday 04-06.
    schedule = _plan(_utc(2026, 4, 2, 16, 30), "Europe/Berlin", calendar=HolidayCalendar("DE"))
    assert schedule.send_at == _utc(2026, 4, 7, 7, 0)  # Tuesday 09:00 CEST
    assert "Friday 2026-04-03 skipped: Good Friday (DE)" in schedule.reasons
    assert "Monday 2026-04-06 skipped: Easter Monday (DE)" in schedule.reasons
    assert schedule.reasons[3] == (
        "deadline Monday 2026-04-13 18:30 Europe/Berlin: 5 business days after the decision "
        "(not counting Friday 2026-04-03, Good Friday (DE); Monday 2026-04-06, Easter Monday (DE))"
    )


def test_a_holiday_inside_the_window_is_named_as_the_cause() -> None:
    # Monday 2026-12-07 10:00 in Vienna; the 8th is a public holiday in Austria.
    schedule = _plan(
        _utc(2026, 12, 7, 9, 0), "Europe/Vienna", calendar=HolidayCalendar("AT", "Wien")
    )
    assert schedule.send_at == _utc(2026, 12, 9, 8, 0)
    assert schedule.reasons[4] == (
        "moved from Tuesday 2026-12-08 10:00 to Wednesday 2026-12-09 09:00 Europe/Vienna: "
        "Tuesday 2026-12-08 is Immaculate Conception (AT-9)"
    )


def test_company_closures_are_skipped_like_holidays() -> None:
    calendar = HolidayCalendar("DE", closures={date(2026, 3, 9): "team offsite"})
    schedule = _plan(_utc(2026, 3, 6, 17, 30), "Europe/Berlin", calendar=calendar)
    assert schedule.send_at == _utc(2026, 3, 10, 8, 0)
    assert "Monday 2026-03-09 skipped: team offsite" in schedule.reasons


def test_not_before_n_business_days_after_the_application() -> None:
    rules = TimingRules.parse(minimum_after_application="3 business days")
    applied = _utc(2026, 3, 9, 8, 0)  # Monday 09:00 CET
    schedule = _plan(_utc(2026, 3, 9, 10, 0), "Europe/Berlin", rules=rules, applied_at=applied)
    assert schedule.earliest == _utc(2026, 3, 12, 8, 0)  # Thursday 09:00
    assert schedule.send_at == _utc(2026, 3, 12, 8, 0)
    assert (
        "earliest moved to Thursday 2026-03-12 09:00 Europe/Berlin: not before 3 business days "
        "after the application"
    ) in schedule.reasons


def test_impossible_deadline_sends_at_the_earliest_allowed_time_and_flags_it() -> None:
    rules = TimingRules.parse(
        minimum_delay="24h", deadline="36h", send_window="Mon-Fri 09:00-17:00"
    )
    schedule = _plan(_utc(2026, 3, 6, 17, 30), "Europe/Berlin", rules=rules)
    assert schedule.send_at == _utc(2026, 3, 9, 8, 0)
    assert not schedule.deadline_met
    assert schedule.reasons[-2] == (
        "deadline missed: Sunday 2026-03-08 06:30 Europe/Berlin cannot be kept because the send "
        "window, weekends and closed days leave no time before it; sending at the earliest "
        "allowed time instead"
    )


def test_a_deadline_before_the_earliest_is_flagged_with_its_cause() -> None:
    rules = TimingRules.parse(minimum_delay="1 week", deadline="2 days")
    schedule = _plan(_utc(2026, 3, 2, 9, 0), "Europe/Berlin", rules=rules)
    assert not schedule.deadline_met
    assert "the earliest allowed time is already after it" in schedule.reasons[-2]


# --- DST weeks -----------------------------------------------------------------------------

DAILY = TimingRules(send_window=SendWindow(time(9), time(17), frozenset(range(7))))


@pytest.mark.parametrize(
    ("zone", "decision", "expected"),
    [
        # Berlin springs forward on Sunday 2026-03-29: 09:00 is 07:00 UTC, not 08:00.
        ("Europe/Berlin", _utc(2026, 3, 28, 6, 0), _utc(2026, 3, 29, 7, 0)),
        # Berlin falls back on Sunday 2026-10-25: 09:00 is 08:00 UTC, not 07:00.
        ("Europe/Berlin", _utc(2026, 10, 24, 5, 0), _utc(2026, 10, 25, 8, 0)),
        # New York springs forward on Sunday 2026-03-08: 09:00 EDT is 13:00 UTC.
        ("America/New_York", _utc(2026, 3, 7, 10, 0), _utc(2026, 3, 8, 13, 0)),
        # New York falls back on Sunday 2026-11-01: 09:00 EST is 14:00 UTC.
        ("America/New_York", _utc(2026, 10, 31, 10, 0), _utc(2026, 11, 1, 14, 0)),
    ],
)
def test_window_on_clock_change_days_keeps_local_hours(
    zone: str, decision: datetime, expected: datetime
) -> None:
    schedule = _plan(decision, zone, rules=DAILY)
    assert schedule.send_at == expected
    assert expected.astimezone(ZoneInfo(zone)).time() == time(9)
    assert any(reason.startswith(f"clocks change in {zone}") for reason in schedule.reasons)


@pytest.mark.parametrize(
    ("zone", "decision", "opens"),
    [
        ("Europe/Berlin", _utc(2026, 3, 28, 0, 0), _utc(2026, 3, 29, 1, 0)),
        ("America/New_York", _utc(2026, 3, 7, 5, 0), _utc(2026, 3, 8, 7, 0)),
    ],
)
def test_a_window_starting_inside_the_skipped_hour_opens_when_clocks_resume(
    zone: str, decision: datetime, opens: datetime
) -> None:
    rules = TimingRules(send_window=SendWindow(time(2, 30), time(5), frozenset(range(7))))
    schedule = _plan(decision, zone, rules=rules)
    assert schedule.send_at == opens
    assert opens.astimezone(ZoneInfo(zone)).time() == time(3)
    assert (
        f"clocks change in {zone} on Sunday 2026-03-{opens.day:02d}: 02:30 does not exist that "
        "day, so the send window opens at 03:00 local time"
    ) in schedule.reasons


def test_the_repeated_hour_in_autumn_is_judged_by_the_wall_clock() -> None:
    # 2026-10-25 Berlin: 02:00-03:00 happens twice. 01:10 UTC reads 02:10 (second time round),
    # before a 02:30 start, so the next allowed moment is 02:30 CET, 01:30 UTC.
    rules = TimingRules(
        minimum_delay=TimingRules.parse(minimum_delay="1 hour").minimum_delay,
        send_window=SendWindow(time(2, 30), time(4), frozenset(range(7))),
    )
    schedule = _plan(_utc(2026, 10, 25, 0, 10), "Europe/Berlin", rules=rules)
    assert schedule.send_at == _utc(2026, 10, 25, 1, 30)


# --- zones ahead of and behind UTC -----------------------------------------------------------


def test_auckland_is_a_day_ahead_of_utc() -> None:
    # Friday 2026-01-16 09:00 NZDT is Thursday 20:00 UTC; Monday 09:00 NZDT is Sunday UTC.
    schedule = _plan(_utc(2026, 1, 15, 20, 0), "Pacific/Auckland", calendar=HolidayCalendar("NZ"))
    assert schedule.send_at == _utc(2026, 1, 18, 20, 0)
    assert schedule.send_at.weekday() == 6  # Sunday in UTC, Monday for the candidate


def test_los_angeles_friday_afternoon_lands_on_monday_after_dst_starts() -> None:
    # Friday 2026-03-06 15:30 PST; US clocks go forward on Sunday 03-08.
    schedule = _plan(_utc(2026, 3, 6, 23, 30), "America/Los_Angeles")
    assert schedule.send_at == _utc(2026, 3, 9, 16, 0)  # Monday 09:00 PDT


def test_kolkata_half_hour_offset_and_holi() -> None:
    # Tuesday 2026-03-03 17:30 IST; Wednesday 03-04 is Holi.
    schedule = _plan(_utc(2026, 3, 3, 12, 0), "Asia/Kolkata", calendar=HolidayCalendar("IN"))
    assert schedule.send_at == _utc(2026, 3, 5, 3, 30)  # Thursday 09:00 IST
    assert "Wednesday 2026-03-04 skipped: Holi (IN)" in schedule.reasons


def test_unknown_location_uses_the_default_zone_and_says_so() -> None:
    zone = resolve_time_zone(Candidate(id="c1"), None, {}, "America/New_York")
    calendar = HolidayCalendar.for_zone(zone)
    schedule = plan_send_time(
        _utc(2026, 3, 6, 22, 0), timing=TimingRules(), zone=zone, calendar=calendar
    )
    assert schedule.send_at == _utc(2026, 3, 9, 13, 0)  # Monday 09:00 EDT
    assert schedule.reasons[0].startswith(
        "time zone America/New_York: the company default time zone; skipped:"
    )


def test_candidate_location_drives_zone_and_holidays_end_to_end() -> None:
    candidate = Candidate(id="c1", location=Location(country="DE", region="Bayern"))
    zone = resolve_time_zone(candidate, None, {}, "Europe/London")
    calendar = HolidayCalendar.for_zone(zone)
    # Monday 2026-01-05 12:00 CET; Tuesday 01-06 is Epiphany in Bavaria.
    schedule = plan_send_time(
        _utc(2026, 1, 5, 11, 0), timing=TimingRules(), zone=zone, calendar=calendar
    )
    assert schedule.send_at == _utc(2026, 1, 7, 8, 0)
    assert is_allowed_time(
        schedule.send_at, window=schedule.send_window, zone=schedule.zone, calendar=calendar
    )


def test_planning_is_deterministic_and_needs_aware_times() -> None:
    first = _plan(_utc(2026, 3, 6, 17, 30).replace(second=12, microsecond=5), "Europe/Berlin")
    second = _plan(_utc(2026, 3, 6, 17, 30).replace(second=12, microsecond=5), "Europe/Berlin")
    assert first == second
    with pytest.raises(ValueError, match="naive datetime"):
        _plan(datetime(2026, 3, 6, 17, 30), "Europe/Berlin")


def test_a_calendar_that_never_opens_is_a_configuration_error() -> None:
    start = date(2026, 3, 1)
    closed = [date.fromordinal(start.toordinal() + offset) for offset in range(1200)]
    with pytest.raises(TimingConfigurationError, match="allows no time in three years"):
        _plan(_utc(2026, 3, 2, 9), "Europe/Berlin", calendar=HolidayCalendar(closures=closed))
