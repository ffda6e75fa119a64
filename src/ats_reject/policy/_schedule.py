"""The policy's use of :mod:`ats_reject.timing`: zones, calendars and schedules, cached.

Nothing here does time arithmetic of its own: zones come from ``resolve_time_zone``,
calendars from ``HolidayCalendar.for_zone``, schedules from ``plan_send_time``, later dates
from ``add_duration`` and ``first_allowed_time``. What this module adds is caching (a batch
meets the same places, offices and decision times again and again) and the one rule the
timing module leaves to its caller: a time already past moves to the next allowed time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from types import MappingProxyType

from ats_reject._config_company import CompanySettings
from ats_reject._durations import Duration, add_duration
from ats_reject._wallclock import ceil_second, load_zone, local_label, send_at_sentence
from ats_reject.models import Application
from ats_reject.timing import (
    HolidayCalendar,
    ResolvedZone,
    SendSchedule,
    SendWindow,
    TimingRules,
    first_allowed_time,
    plan_send_time,
    resolve_time_zone,
)

__all__ = ["Scheduler"]

_MAX_CACHED = 8192


class Scheduler:
    """Zones, calendars and send times for one company's settings.

    Args:
        company: The company defaults (zone, offices, closures, holiday country).
    """

    def __init__(self, company: CompanySettings) -> None:
        self.default_zone = company.time_zone
        self.office_zones = MappingProxyType(dict(company.offices))
        self.closures: MappingProxyType[date, str] = company.closures()
        self.holiday_country = company.holiday_country
        self._zones: dict[object, ResolvedZone] = {}
        self._calendars: dict[tuple[str | None, str | None], HolidayCalendar] = {}
        self._plans: dict[object, SendSchedule] = {}
        # Send times cluster at window openings, so follow-ups months later repeat too.
        self._afters: dict[object, datetime] = {}
        self._sums: dict[object, datetime] = {}
        self.company_calendar = HolidayCalendar(self.holiday_country, closures=self.closures)

    def zone_for(self, application: Application) -> ResolvedZone:
        """The zone the candidate's messages are timed in, and why."""
        candidate = application.candidate
        key = (candidate.time_zone, candidate.location, application.job)
        zone = self._zones.get(key)
        if zone is None:
            zone = resolve_time_zone(
                candidate, application.job, self.office_zones, self.default_zone
            )
            if zone.country is None and self.holiday_country is not None:
                zone = replace(
                    zone,
                    country=self.holiday_country,
                    detail=f"{zone.detail}; public holidays of {self.holiday_country} "
                    "(company.holiday_country), as the zone names no country",
                )
            if len(self._zones) >= _MAX_CACHED:
                self._zones.clear()
            self._zones[key] = zone
        return zone

    def calendar_for(self, zone: ResolvedZone) -> HolidayCalendar:
        """The candidate's public holidays plus the company's closure days."""
        key = (zone.country, zone.subdivision)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = HolidayCalendar.for_zone(zone, closures=self.closures)
            self._calendars[key] = calendar
        return calendar

    def plan(
        self,
        decided_at: datetime,
        *,
        applied_at: datetime | None,
        timing: TimingRules,
        zone: ResolvedZone,
        calendar: HolidayCalendar,
        now: datetime,
    ) -> SendSchedule:
        """Plan the first message; a time already past moves to the next allowed time."""
        uses_application = timing.minimum_after_application is not None
        # Rules' timings and this scheduler's calendars live as long as the engine: their ids
        # are stable keys, and cheaper than hashing a calendar's closure days every time. The
        # zone is keyed by its values: a key of strings, numbers and datetimes only is one the
        # garbage collector stops tracking, and these caches hold thousands of keys.
        key = (
            decided_at,
            applied_at if uses_application else None,
            id(timing),
            *_zone_key(zone),
            id(calendar),
        )
        schedule = self._plans.get(key)
        if schedule is None:
            schedule = plan_send_time(
                decided_at,
                applied_at=applied_at,
                timing=timing,
                zone=zone,
                calendar=calendar,
            )
            if len(self._plans) >= _MAX_CACHED:
                self._plans.clear()
            self._plans[key] = schedule
        if schedule.send_at >= now:
            return schedule
        moved = first_allowed_time(
            ceil_second(now), window=schedule.send_window, zone=schedule.zone, calendar=calendar
        )
        deadline_met = moved <= schedule.deadline
        reasons = [
            *schedule.reasons,
            f"the planned time {local_label(schedule.send_at, schedule.zone)} has passed (the "
            f"rejection reached the policy late): moved to the next allowed time",
        ]
        if schedule.deadline_met and not deadline_met:
            reasons.append(
                f"deadline missed: {local_label(schedule.deadline, schedule.zone)} "
                f"{schedule.zone} had passed before the rejection was planned"
            )
        reasons.append(send_at_sentence(moved, schedule.zone))
        return replace(schedule, send_at=moved, deadline_met=deadline_met, reasons=tuple(reasons))

    def after(
        self,
        start: datetime,
        duration: Duration,
        window: SendWindow,
        zone: str,
        calendar: HolidayCalendar,
    ) -> datetime:
        """The first allowed time at or after *start* plus *duration*, in the candidate's zone."""
        key = (start, *_duration_key(duration), *_window_key(window), zone, id(calendar))
        found = self._afters.get(key)
        if found is None:
            later = self.add(start, duration, zone, calendar)
            found = first_allowed_time(
                ceil_second(later), window=window, zone=zone, calendar=calendar
            )
            if len(self._afters) >= _MAX_CACHED:
                self._afters.clear()
            self._afters[key] = found
        return found

    def add(
        self, start: datetime, duration: Duration, zone: str, calendar: HolidayCalendar
    ) -> datetime:
        """*start* plus *duration* in the candidate's zone and calendar."""
        key = (start, *_duration_key(duration), zone, id(calendar))
        found = self._sums.get(key)
        if found is None:
            found = add_duration(start, duration, load_zone(zone), calendar.is_working_day)
            if len(self._sums) >= _MAX_CACHED:
                self._sums.clear()
            self._sums[key] = found
        return found

    def next_allowed(
        self, moment: datetime, window: SendWindow, zone: str, calendar: HolidayCalendar
    ) -> datetime:
        """The first allowed time at or after *moment*."""
        return first_allowed_time(ceil_second(moment), window=window, zone=zone, calendar=calendar)

    def within(self, earlier: datetime, later: datetime, window: Duration) -> bool:
        """Whether *later* is at most *window* after *earlier*, on the company's calendar."""
        limit = add_duration(
            earlier, window, load_zone(self.default_zone), self.company_calendar.is_working_day
        )
        return later <= limit


# Cache keys hold the values of zones, durations and windows rather than the objects (see
# Scheduler.plan); they are equal exactly when the objects are.
def _zone_key(zone: ResolvedZone) -> tuple[str, str, str, str | None, str | None]:
    return (zone.zone, zone.source, zone.detail, zone.country, zone.subdivision)


def _duration_key(duration: Duration) -> tuple[int, str, bool]:
    return (duration.amount, duration.unit, duration.business_days)


def _window_key(window: SendWindow) -> tuple[time, time, frozenset[int] | None]:
    return (window.start, window.end, window.weekdays)
