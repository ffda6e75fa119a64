"""Durations as people write them (``24h``, ``2 business days``, ``6 months``) and their sums.

Minutes and hours are elapsed time. Days, weeks, months and years are calendar steps in the
candidate's local time: one day after 18:00 is 18:00 the next day even across a clock change,
and one month after 31 January is the last day of February. Business days skip the weekend,
public holidays and closure days of the candidate's calendar.
"""

from __future__ import annotations

import bisect
import calendar
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from ats_reject._calendar import HolidayCalendar, TimingConfigurationError, calendar_year
from ats_reject.clock import ensure_aware

__all__ = [
    "Duration",
    "DurationUnit",
    "add_duration",
    "parse_duration",
    "shift",
    "subtract_duration",
]

DurationUnit = Literal["minutes", "hours", "days", "weeks", "months", "years"]

_UNIT_WORDS: dict[str, tuple[DurationUnit, bool]] = {}
for _unit, _words in (
    ("minutes", ("min", "mins", "minute", "minutes")),
    ("hours", ("h", "hr", "hrs", "hour", "hours")),
    ("days", ("d", "day", "days", "calendar day", "calendar days")),
    ("weeks", ("w", "wk", "wks", "week", "weeks")),
    ("months", ("mo", "mos", "month", "months")),
    ("years", ("y", "yr", "yrs", "year", "years")),
):
    for _word in _words:
        _UNIT_WORDS[_word] = (_unit, False)  # type: ignore[assignment]
for _word in (
    "business day",
    "business days",
    "working day",
    "working days",
    "workday",
    "workdays",
):
    _UNIT_WORDS[_word] = ("days", True)

_ACCEPTED = "minutes, hours, days, business days, weeks, months, years"
_EXAMPLES = "'24h', '30 minutes', '2 business days', '1 week', '6 months'"
_PATTERN = re.compile(r"^(?P<amount>[+-]?\d+(?:[.,]\d+)?)\s*(?P<unit>[a-z][a-z\s-]*?)\.?$")
# A run of closure days longer than this is a configuration mistake, not a calendar.
_MAX_DAYS_SEARCHED = 3660
_NO_WORKING_DAY = "no working day found in ten years: check the weekend and closure days"


@dataclass(frozen=True)
class Duration:
    """A length of time as people write it.

    Attributes:
        amount: Whole number of units, zero or more.
        unit: ``minutes``, ``hours``, ``days``, ``weeks``, ``months`` or ``years``.
        business_days: Count only working days (``unit`` must be ``days``).
    """

    amount: int
    unit: DurationUnit
    business_days: bool = False

    def __post_init__(self) -> None:
        """Refuse negative amounts and business units other than days."""
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TimingConfigurationError("a duration's amount is a whole number")
        if self.amount < 0:
            raise TimingConfigurationError("a duration cannot be negative")
        if self.unit not in get_args(DurationUnit):
            raise TimingConfigurationError(
                f"unknown duration unit {str(self.unit)[:20]!r}; accepted: {_ACCEPTED}"
            )
        if self.business_days and self.unit != "days":
            raise TimingConfigurationError("only days can be business days")

    def __str__(self) -> str:
        """Write the duration back as a person would (``2 business days``, ``1 hour``)."""
        unit = f"business {self.unit}" if self.business_days else self.unit
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"

    @property
    def is_elapsed_time(self) -> bool:
        """Whether the duration is a fixed amount of elapsed time (minutes or hours)."""
        return self.unit in ("minutes", "hours")


def parse_duration(text: str) -> Duration:
    """Read a duration as people write it.

    Accepts a whole number followed by a unit, with or without a space: ``24h``, ``90 min``,
    ``30 minutes``, ``3 days``, ``2 business days`` (also ``working days``), ``1 week``,
    ``6 months``, ``1 year``. ``m`` alone is refused: write ``min`` or ``months``.

    Raises:
        TimingConfigurationError: The text is not a duration; the message says what is
            accepted (it is also a ``ValueError``).
    """
    if not isinstance(text, str):
        raise TimingConfigurationError(f"a duration is text such as {_EXAMPLES}")
    shown = text.strip()[:40]
    cleaned = " ".join(text.strip().lower().split())
    match = _PATTERN.match(cleaned)
    if match is None:
        raise TimingConfigurationError(
            f"{shown!r} is not a duration: write a whole number and a unit, such as {_EXAMPLES}"
        )
    amount_text = match.group("amount")
    unit_text = " ".join(match.group("unit").replace("-", " ").split())
    if not amount_text.isdigit():
        raise TimingConfigurationError(
            f"{shown!r} is not a duration: the amount must be a whole number of zero or more "
            "(write '90 minutes' rather than '1.5 hours')"
        )
    if unit_text == "m":
        raise TimingConfigurationError(
            f"{shown!r} is ambiguous: write 'min' for minutes or 'months' for months"
        )
    known = _UNIT_WORDS.get(unit_text)
    if known is None:
        close = difflib.get_close_matches(unit_text, list(_UNIT_WORDS), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise TimingConfigurationError(
            f"{shown!r} is not a duration: unknown unit {unit_text[:20]!r}{hint}; accepted "
            f"units: {_ACCEPTED}, for example {_EXAMPLES}"
        )
    unit, business = known
    return Duration(int(amount_text), unit, business)


def add_duration(
    instant: datetime,
    duration: Duration,
    zone: ZoneInfo,
    is_working_day: Callable[[date], bool],
) -> datetime:
    """Return *instant* plus *duration*, as an aware UTC datetime.

    Args:
        instant: An aware datetime.
        duration: What to add.
        zone: The zone whose calendar days, months and business days count.
        is_working_day: Whether a local date counts as a business day.

    Raises:
        TimingConfigurationError: The calendar has no working day for ten years.
    """
    owner = getattr(is_working_day, "__self__", None)
    # A calendar's own answer is counted from its list of working days, not day by day.
    if type(owner) is HolidayCalendar and is_working_day == owner.is_working_day:
        return shift(ensure_aware(instant), None, duration, zone, owner)
    return shift(ensure_aware(instant), None, duration, zone, is_working_day)


def shift(
    start: datetime,
    local: datetime | None,
    duration: Duration,
    zone: ZoneInfo,
    working: HolidayCalendar | Callable[[date], bool],
) -> datetime:
    """:func:`add_duration` of an aware UTC *start*, given its *local* time in *zone* if known.

    *working* is the calendar whose working days count as business days, or a function saying
    whether a local date is one.
    """
    unit, amount = duration.unit, duration.amount
    if unit == "minutes":
        return start + timedelta(minutes=amount)
    if unit == "hours":
        return start + timedelta(hours=amount)
    if local is None:
        local = start.astimezone(zone)
    day = local.date()
    if duration.business_days:
        if type(working) is HolidayCalendar:
            day = _working_day_after(working, day, amount)
        else:
            # A subclass may answer differently from the year lists: ask it day by day.
            asked = working.is_working_day if isinstance(working, HolidayCalendar) else working
            day = _walk_business_days(day, amount, asked)
    elif unit == "days":
        day += timedelta(days=amount)
    elif unit == "weeks":
        day += timedelta(weeks=amount)
    else:
        day = _add_months(day, amount if unit == "months" else 12 * amount)
    # The same wall-clock time on the new day; see local_to_utc for the days clocks change.
    clock = local.time()
    if clock.fold:
        clock = clock.replace(fold=0)
    return datetime.combine(day, clock, zone).astimezone(UTC)


def subtract_duration(
    instant: datetime,
    duration: Duration,
    zone: ZoneInfo,
    is_working_day: Callable[[date], bool],
) -> datetime:
    """Return *instant* minus *duration*, as an aware UTC datetime: :func:`add_duration` backwards.

    Raises:
        TimingConfigurationError: The calendar has no working day for ten years.
    """
    start = ensure_aware(instant)
    unit, amount = duration.unit, duration.amount
    if duration.is_elapsed_time:
        return start - timedelta(**{unit: amount})
    local = start.astimezone(zone)
    day = local.date()
    if duration.business_days:
        day = _walk_business_days(day, amount, is_working_day, step=-1)
    elif unit == "days":
        day -= timedelta(days=amount)
    elif unit == "weeks":
        day -= timedelta(weeks=amount)
    else:
        day = _add_months(day, -amount if unit == "months" else -12 * amount)
    return datetime.combine(day, local.time().replace(fold=0), zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    """Step whole months, keeping the day of the month or clamping it to the month's last."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _walk_business_days(
    day: date, count: int, is_working_day: Callable[[date], bool], *, step: int = 1
) -> date:
    searched = 0
    remaining = count
    while remaining > 0:
        day += timedelta(days=step)
        searched += 1
        if searched > _MAX_DAYS_SEARCHED:
            raise TimingConfigurationError(_NO_WORKING_DAY)
        if is_working_day(day):
            remaining -= 1
    return day


def _working_day_after(calendar: HolidayCalendar, day: date, count: int) -> date:
    """The *count*-th working day after *day*, exactly as the day-by-day walk finds it."""
    if count <= 0:
        return day
    start = day.toordinal()
    year = day.year
    working = calendar_year(calendar, year).working
    position = bisect.bisect_right(working, start) + count - 1
    while position >= len(working):
        position -= len(working)
        year += 1
        if year > date.max.year:
            if start + _MAX_DAYS_SEARCHED < date.max.toordinal():
                raise TimingConfigurationError(_NO_WORKING_DAY)
            raise OverflowError("date value out of range")
        following = calendar_year(calendar, year)
        if following.first - start > _MAX_DAYS_SEARCHED:
            raise TimingConfigurationError(_NO_WORKING_DAY)
        working = following.working
    found = working[position]
    if found - start > _MAX_DAYS_SEARCHED:
        raise TimingConfigurationError(_NO_WORKING_DAY)
    return date.fromordinal(found)
