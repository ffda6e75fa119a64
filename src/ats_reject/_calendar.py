"""Which local days and hours may carry a message: send windows, public holidays, closures.

Everything here is pure: public holidays come from :mod:`ats_reject._holidays` (the
``holidays`` package, built once per country and year). Each calendar also keeps, per year,
its closed days and its working days in order, so that counting business days is a lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType
from typing import TYPE_CHECKING

from ats_reject._holidays import (
    country_profile,
    holiday_subdivision,
    normalize_place_name,
    public_holidays,
    supported_countries,
)
from ats_reject.errors import TimingConfigurationError

if TYPE_CHECKING:
    from ats_reject._zones import ResolvedZone

__all__ = [
    "DAY_NAMES",
    "CalendarYear",
    "HolidayCalendar",
    "SendWindow",
    "TimingConfigurationError",
    "calendar_year",
    "holiday_subdivision",
    "normalize_place_name",
]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS: dict[str, int] = {}
for _number, _name in enumerate(DAY_NAMES):
    _DAY_WORDS[_name.lower()] = _number
    _DAY_WORDS[_name[:3].lower()] = _number
_DAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_WEEKDAY_SETS = {
    "weekdays": frozenset(range(5)),
    "daily": frozenset(range(7)),
    "every day": frozenset(range(7)),
    "all days": frozenset(range(7)),
}
_WORKING_DAY_WORDS = ("working days", "business days", "workdays")
_DEFAULT_WEEKEND = frozenset({5, 6})
_WINDOW_PATTERN = re.compile(
    r"^\s*(?P<days>.*?)\s*(?P<start>\d{1,2}:\d{2})\s*(?:-|\u2013|to)\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
_TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_clock_time(text: str, source: str) -> time:
    match = _TIME_PATTERN.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    if hour > 23 or minute > 59:
        raise TimingConfigurationError(
            f"send window {source!r}: {text!r} is not a time of day; write HH:MM between "
            "00:00 and 23:59"
        )
    return time(hour, minute)


def _parse_weekdays(text: str, source: str) -> frozenset[int] | None:
    words = normalize_place_name(text)
    if words in _WORKING_DAY_WORDS:
        return None
    if words in _WEEKDAY_SETS:
        return _WEEKDAY_SETS[words]
    days: set[int] = set()
    for part in re.split(r"\s*,\s*", text.strip()):
        ends = [normalize_place_name(end) for end in re.split(r"\s*[-\u2013]\s*", part)]
        if len(ends) > 2 or not all(end in _DAY_WORDS for end in ends):
            raise TimingConfigurationError(
                f"send window {source!r}: cannot read the days {part!r}; write a range such as "
                "'Mon-Fri' or 'Sun-Thu', a list such as 'Mon,Wed,Fri', or one of 'working days', "
                "'weekdays', 'daily'"
            )
        first, last = _DAY_WORDS[ends[0]], _DAY_WORDS[ends[-1]]
        # Ranges may wrap past Sunday ("Sun-Thu" is a working week in several countries).
        span = (last - first) % 7
        days.update((first + offset) % 7 for offset in range(span + 1))
    return frozenset(days)


@dataclass(frozen=True)
class SendWindow:
    """The local days and hours a message may be sent, in the candidate's own time zone.

    Hours are wall-clock hours: on a day the clocks change, 09:00-17:00 still means from nine
    to five as the candidate's clock shows it. A start time that does not exist that day (it
    falls in the hour skipped in spring) opens the window when the clocks resume.

    Attributes:
        start: Local time the window opens (inclusive).
        end: Local time the window closes (exclusive); must be after ``start``.
        weekdays: Days of the week, Monday = 0 ... Sunday = 6; ``None`` means the candidate's
            working days, that is every day outside the weekend of their holiday calendar
            (Monday to Friday in most countries, Sunday to Thursday in some).
    """

    start: time = time(9)
    end: time = time(17)
    weekdays: frozenset[int] | None = None

    def __post_init__(self) -> None:
        """Check that the window can ever be open."""
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise TimingConfigurationError(
                "send window: give local times without a time zone; the window is applied in "
                "each candidate's own zone"
            )
        if self.start >= self.end:
            raise TimingConfigurationError(
                f"send window: the start {self.start:%H:%M} must be before the end "
                f"{self.end:%H:%M} (windows cannot cross midnight)"
            )
        if self.weekdays is not None:
            if not self.weekdays:
                raise TimingConfigurationError("send window: give at least one day of the week")
            if not all(isinstance(day, int) and 0 <= day <= 6 for day in self.weekdays):
                raise TimingConfigurationError(
                    "send window: days of the week are numbers from 0 (Monday) to 6 (Sunday)"
                )
            object.__setattr__(self, "weekdays", frozenset(self.weekdays))

    @classmethod
    def parse(cls, text: str) -> SendWindow:
        """Read a window as people write it.

        Examples: ``"Mon-Fri 09:00-17:00"``, ``"Sun-Thu 08:30-16:30"``,
        ``"Mon,Wed,Fri 10:00-15:00"``, ``"working days 09:00-17:00"``, ``"daily 10:00-18:00"``.
        Without days (``"09:00-17:00"``) the window applies on the candidate's working days.

        Raises:
            TimingConfigurationError: The text cannot be read, or the window is empty.
        """
        source = text[:60]
        match = _WINDOW_PATTERN.match(text)
        if match is None:
            raise TimingConfigurationError(
                f"send window {source!r}: write days and hours, for example "
                "'Mon-Fri 09:00-17:00' or 'working days 09:00-17:00'"
            )
        days = match.group("days")
        weekdays = _parse_weekdays(days, source) if days.strip() else None
        return cls(
            start=_parse_clock_time(match.group("start"), source),
            end=_parse_clock_time(match.group("end"), source),
            weekdays=weekdays,
        )

    def describe(self) -> str:
        """Return the window as a reader would write it (``Mon-Fri 09:00-17:00``)."""
        return f"{self._describe_days()} {self.start:%H:%M}-{self.end:%H:%M}"

    def _describe_days(self) -> str:
        if self.weekdays is None:
            return "working days"
        if len(self.weekdays) == 7:
            return "daily"
        ordered = sorted(self.weekdays)
        if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
            return f"{_DAY_ABBREVIATIONS[ordered[0]]}-{_DAY_ABBREVIATIONS[ordered[-1]]}"
        return ",".join(_DAY_ABBREVIATIONS[day] for day in ordered)

    def includes_weekday(self, weekday: int, weekend: frozenset[int]) -> bool:
        """Whether the window is open on *weekday* (Monday = 0), holidays aside."""
        if self.weekdays is None:
            return weekday not in weekend
        return weekday in self.weekdays

    def opens_on(self, day: date, calendar: HolidayCalendar) -> bool:
        """Whether the window opens at all on the local *day* (weekday, holidays, closures)."""
        return self.includes_weekday(day.weekday(), calendar.weekend) and (
            calendar.holiday(day) is None
        )


class CalendarYear:
    """One year of one calendar, worked out once: its closed days and its working days.

    Attributes:
        closed: Each closed day of the year (public holiday or closure) -> why.
        working: Ordinals of the year's working days, ascending.
        closed_workdays: Ordinals of the year's closed days outside the weekend, ascending.
        first: Ordinal of 1 January.
    """

    __slots__ = ("closed", "closed_workdays", "first", "working")

    def __init__(self, year: int, closed: dict[date, str], weekend: frozenset[int]) -> None:
        self.closed = closed
        self.first = date(year, 1, 1).toordinal()
        working: list[int] = []
        shut: list[int] = []
        for ordinal in range(self.first, date(year, 12, 31).toordinal() + 1):
            # Ordinal 1 (1 January of year 1) is a Monday.
            if (ordinal + 6) % 7 not in weekend:
                is_open = closed.get(date.fromordinal(ordinal)) is None
                (working if is_open else shut).append(ordinal)
        self.working = tuple(working)
        self.closed_workdays = tuple(shut)


@dataclass(frozen=True, init=False)
class HolidayCalendar:
    """The days a candidate should not receive a message: public holidays and closures.

    Public holidays come from the ``holidays`` package for a country and, optionally, a
    subdivision (state, province, canton ...); company closure days are added on top. Observed
    holidays (a holiday moved to the Friday before) count too.

    Args:
        country: ISO 3166-1 alpha-2 code; ``None`` for no public holidays (closures only).
        subdivision: The subdivision's code (``BY``, ``CA``, ``9``) or a name the package knows
            (``Bayern``, ``Wien``).
        closures: Company closure days, either as dates or as a mapping of date to a label
            shown in explanations (``{date(2026, 12, 24): "winter closure"}``).
        weekend: Days of the week that are not working days (Monday = 0); ``None`` takes the
            country's weekend from the ``holidays`` package (Saturday and Sunday elsewhere).

    Raises:
        TimingConfigurationError: Unknown country or subdivision, or a week without a working
            day.
    """

    country: str | None
    subdivision: str | None
    closures: Mapping[date, str] = field(compare=False)
    weekend: frozenset[int]
    _closure_key: tuple[tuple[date, str], ...] = field(repr=False)
    _description: str = field(init=False, repr=False, compare=False)
    # The years worked out so far: a calendar's answers never change.
    _years: dict[int, CalendarYear] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        country: str | None = None,
        subdivision: str | None = None,
        *,
        closures: Mapping[date, str] | Iterable[date] = (),
        weekend: Iterable[int] | None = None,
    ) -> None:
        """Validate the country and subdivision and freeze the closure days."""
        code = _checked_country(country)
        object.__setattr__(self, "country", code)
        object.__setattr__(self, "subdivision", _checked_subdivision(code, subdivision))
        labelled = (
            dict(closures)
            if isinstance(closures, Mapping)
            else dict.fromkeys(closures, "company closure")
        )
        if not all(isinstance(day, date) for day in labelled):
            raise TimingConfigurationError("closure days must be dates")
        object.__setattr__(self, "closures", MappingProxyType(labelled))
        object.__setattr__(self, "_closure_key", tuple(sorted(labelled.items())))
        if weekend is None:
            days = country_profile(code)[1] if code else _DEFAULT_WEEKEND
        else:
            days = frozenset(weekend)
        if len(days) >= 7 or not all(isinstance(day, int) and 0 <= day <= 6 for day in days):
            raise TimingConfigurationError(
                "weekend: give the days off as numbers from 0 (Monday) to 6 (Sunday), "
                "leaving at least one working day"
            )
        object.__setattr__(self, "weekend", days)
        object.__setattr__(self, "_description", self._describe())
        object.__setattr__(self, "_years", {})

    @classmethod
    def for_zone(
        cls,
        zone: ResolvedZone,
        *,
        closures: Mapping[date, str] | Iterable[date] = (),
        weekend: Iterable[int] | None = None,
    ) -> HolidayCalendar:
        """Build the calendar of the place a resolved zone points to.

        A country without holiday data gives a calendar of closure days only, never an error:
        the place came from ATS data, not from the configuration.
        """
        country = zone.country if zone.country in supported_countries() else None
        subdivision = zone.subdivision if country else None
        if country and subdivision not in supported_countries()[country]:
            subdivision = None
        return cls(country, subdivision, closures=closures, weekend=weekend)

    @property
    def region_tag(self) -> str:
        """The place whose public holidays apply (``AT-9``), or ``none``."""
        if self.country is None:
            return "none"
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def holiday(self, day: date) -> str | None:
        """Return why *day* is closed (``Easter Monday (DE)``), or ``None`` on a normal day."""
        year = self._years.get(day.year) or calendar_year(self, day.year)
        return year.closed.get(day)

    def is_working_day(self, day: date) -> bool:
        """Whether *day* is outside the weekend and neither a holiday nor a closure day."""
        return day.weekday() not in self.weekend and self.holiday(day) is None

    def describe(self) -> str:
        """Say which days this calendar closes, for explanations."""
        return self._description

    def _describe(self) -> str:
        public = f"public holidays of {self.region_tag}" if self.country else "no public holidays"
        count = len(self.closures)
        closures = f", {count} company closure day{'s' if count != 1 else ''}" if count else ""
        weekend = ",".join(_DAY_ABBREVIATIONS[day] for day in sorted(self.weekend)) or "none"
        return f"{public}{closures}; weekend {weekend}"

    def __hash__(self) -> int:
        """Hash by value, closures included."""
        return hash((self.country, self.subdivision, self.weekend, self._closure_key))


def calendar_year(calendar: HolidayCalendar, year: int) -> CalendarYear:
    """Return one year of *calendar*, working it out on first use."""
    found = calendar._years.get(year)
    if found is None:
        closed: dict[date, str] = {}
        if calendar.country is not None:
            tag = calendar.region_tag
            public = public_holidays(calendar.country, calendar.subdivision, year)
            # A year's table may hold an observed day of another year, which is looked up in
            # that year's own table: leave it out here.
            closed.update((day, f"{name} ({tag})") for day, name in public.items() if name)
            closed = {day: name for day, name in closed.items() if day.year == year}
        # A closure day's own label replaces a holiday's name.
        closed.update((day, label) for day, label in calendar._closure_key if day.year == year)
        found = CalendarYear(year, closed, calendar.weekend)
        calendar._years[year] = found
    return found


def _checked_country(country: str | None) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    if code not in supported_countries():
        raise TimingConfigurationError(
            f"no public holiday data for country {country[:20]!r}: give an ISO 3166-1 alpha-2 "
            "code that the holidays package supports (for example DE, US, GB)"
        )
    return code


def _checked_subdivision(country: str | None, subdivision: str | None) -> str | None:
    if subdivision is None:
        return None
    if country is None:
        raise TimingConfigurationError(
            "a holiday subdivision needs a country: give the country as well"
        )
    code = holiday_subdivision(country, subdivision)
    if code is None:
        accepted = ", ".join(supported_countries()[country]) or "none (national holidays only)"
        raise TimingConfigurationError(
            f"country {country} has no holiday subdivision {subdivision[:40]!r}; accepted: "
            f"{accepted}"
        )
    return code
