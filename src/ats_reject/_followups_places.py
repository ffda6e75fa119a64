"""Where and when for follow-ups: the candidate's zone and calendar, and date arithmetic.

Zones are found as the policy finds them (:func:`~ats_reject.timing.resolve_time_zone`, with
``company.holiday_country`` for a zone that names no country); calendars hold the candidate's
public holidays and the company's closure days. Months-long offsets count in the candidate's
local calendar, so a consent given at 11:00 in Berlin expires at 11:00 in Berlin a year later
whatever the clocks did in between.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ats_reject._config_company import CompanySettings
from ats_reject._durations import add_duration, subtract_duration
from ats_reject._wallclock import ceil_second, day_label
from ats_reject._wallclock import local_label as wall_local_label
from ats_reject.clock import Clock, ensure_aware
from ats_reject.models import Application
from ats_reject.timing import (
    Duration,
    HolidayCalendar,
    ResolvedZone,
    SendWindow,
    first_allowed_time,
    resolve_time_zone,
)

__all__ = ["Places", "day_label", "elapsed", "local_label"]


def local_label(moment: datetime, zone: str) -> str:
    """*moment* as the candidate's clock shows it: ``Monday 2026-03-09 09:00 Europe/Berlin``."""
    return f"{wall_local_label(moment, zone)} {zone}"


def elapsed(duration: Duration) -> timedelta:
    """A duration in minutes or hours as a ``timedelta``."""
    return timedelta(**{duration.unit: duration.amount})


class Places:
    """The zones, calendars and date arithmetic of one company's follow-ups.

    Args:
        company: The ``[company]`` settings (zone, offices, holiday country, closures).
        window: The send window messages go out in.
        clock: Read so that nothing is planned in the past.
    """

    def __init__(self, company: CompanySettings, window: SendWindow, clock: Clock) -> None:
        self.company = company
        self.window = window
        self._clock = clock
        self._closures = company.closures()
        self._calendars: dict[tuple[str | None, str | None], HolidayCalendar] = {}

    def now(self) -> datetime:
        """The clock's time, aware UTC."""
        return ensure_aware(self._clock.now())

    def resolve(self, application: Application) -> ResolvedZone:
        """The candidate's zone as the resolution chain finds it, with its own country only."""
        company = self.company
        return resolve_time_zone(
            application.candidate, application.job, company.offices, company.time_zone
        )

    def zone_for(self, application: Application) -> ResolvedZone:
        """The candidate's zone, found as the policy finds it (company country as fallback)."""
        zone = self.resolve(application)
        if zone.country is None and self.company.holiday_country is not None:
            zone = replace(zone, country=self.company.holiday_country)
        return zone

    def calendar(self, zone: ResolvedZone) -> HolidayCalendar:
        """The candidate's public holidays and the company's closure days."""
        key = (zone.country, zone.subdivision)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = HolidayCalendar.for_zone(zone, closures=self._closures)
            self._calendars[key] = calendar
        return calendar

    def add(self, start: datetime, duration: Duration, zone: ResolvedZone) -> datetime:
        """*start* plus *duration* in the candidate's zone and calendar."""
        calendar = self.calendar(zone)
        return add_duration(start, duration, ZoneInfo(zone.zone), calendar.is_working_day)

    def subtract(self, end: datetime, duration: Duration, zone: ResolvedZone) -> datetime:
        """*end* minus *duration* in the candidate's zone and calendar.

        Raises:
            TimingConfigurationError: The calendar has no working day for ten years.
        """
        calendar = self.calendar(zone)
        return subtract_duration(end, duration, ZoneInfo(zone.zone), calendar.is_working_day)

    def next_allowed(self, moment: datetime, zone: ResolvedZone) -> datetime:
        """The first time in the send window at or after *moment*, and not in the past."""
        start = ceil_second(max(moment, self.now()))
        return first_allowed_time(
            start, window=self.window, zone=zone.zone, calendar=self.calendar(zone)
        )
