"""Local wall-clock time: exact UTC mapping on the days clocks change, and plain-words labels.

A send window is a range of wall-clock hours on a local date. Here it becomes exact UTC
intervals: on a spring-forward day the skipped hour is simply absent, on a fall-back day the
repeated hour is there twice. Results are cached (they are pure and asked for often in a batch),
and so are the labels of days: explanations name the same few days again and again.
"""

from __future__ import annotations

import bisect
import functools
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ats_reject._calendar import (
    DAY_NAMES,
    HolidayCalendar,
    SendWindow,
    TimingConfigurationError,
    calendar_year,
)
from ats_reject.clock import ensure_aware

__all__ = [
    "ceil_second",
    "clock_change_note",
    "clock_change_sentences",
    "closed_days_note",
    "day_label",
    "explain_move",
    "explain_wall_move",
    "first_allowed_time",
    "first_open_instant",
    "is_allowed_time",
    "load_zone",
    "local_label",
    "local_to_utc",
    "not_counted_note",
    "send_at_sentence",
    "send_sentence",
    "wall_clock_intervals",
    "wall_label",
]

# UTC offsets have ranged from about -15:57 to +15:13 (historic local mean times).
_OFFSET_REACH = timedelta(hours=26)
_SAMPLE_STEP = timedelta(hours=2)
# Three years of closed days means the configuration, not the calendar, is wrong.
_MAX_DAYS_SEARCHED = 1100
_MAX_SKIPPED_DAYS_LISTED = 5
_ONE_DAY = timedelta(days=1)
# Labels and notes per local date, kept in plain dicts of dates, times and strings: cheaper to
# read than an LRU cache, and nothing in them for the garbage collector to follow.
_MAX_CACHED_DAYS = 4096
_DAY_LABELS: dict[date, str] = {}
_DATE_TEXTS: dict[date, str] = {}
_CLOCK_CHANGES: dict[tuple[date, time, time, str], tuple[str, ...]] = {}


@functools.cache
def load_zone(name: str) -> ZoneInfo:
    """Return the zone called *name*.

    Raises:
        TimingConfigurationError: *name* is not an IANA zone known to this machine.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimingConfigurationError(
            f"{name[:60]!r} is not an IANA time zone name (for example Europe/Berlin)"
        ) from exc


def local_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a naive local *wall* time.

    An ambiguous time (clocks went back) is its first occurrence; a time skipped by the clocks
    going forward is moved forward by the length of the gap (02:30 becomes 03:30).
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always answers
        raise TimingConfigurationError(f"zone {zone.key} gives no UTC offset")
    return offset


def _transitions(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """Return the instants in ``(start, end]`` at which *zone* changes its UTC offset."""
    found: list[datetime] = []
    low = start
    while low < end:
        high = min(low + _SAMPLE_STEP, end)
        before = _offset(low, zone)
        if _offset(high, zone) != before:
            left, right = low, high
            while right - left > timedelta(seconds=1):
                middle = left + (right - left) / 2
                middle = middle.replace(microsecond=0)
                if _offset(middle, zone) == before:
                    left = middle
                else:
                    right = middle
            found.append(right)
        low = high
    return found


@functools.lru_cache(maxsize=8192)
def wall_clock_intervals(
    day: date, start: time, end: time, zone: ZoneInfo
) -> tuple[tuple[datetime, datetime], ...]:
    """Return the UTC instants whose local wall time on *day* is in ``[start, end)``.

    Exact on days the clocks change: an hour skipped in spring simply is not there, an hour
    repeated in autumn is there twice. Each interval is ``(first instant, first instant
    after)``, in order, without overlaps.
    """
    wall_start = datetime.combine(day, start)
    wall_end = datetime.combine(day, end)
    low = (wall_start - _OFFSET_REACH).replace(tzinfo=UTC)
    high = (wall_end + _OFFSET_REACH).replace(tzinfo=UTC)
    intervals: list[tuple[datetime, datetime]] = []
    for piece_start, piece_end in pairwise([low, *_transitions(low, high, zone), high]):
        offset = _offset(piece_start, zone)
        first = max(piece_start, (wall_start - offset).replace(tzinfo=UTC))
        after = min(piece_end, (wall_end - offset).replace(tzinfo=UTC))
        if first >= after:
            continue
        if intervals and intervals[-1][1] == first:
            first = intervals.pop()[0]
        intervals.append((first, after))
    return tuple(intervals)


def is_allowed_time(
    moment: datetime, *, window: SendWindow, zone: str, calendar: HolidayCalendar
) -> bool:
    """Whether a message may go out at *moment*: inside the window, on an open local day."""
    local = ensure_aware(moment).astimezone(load_zone(zone))
    on_time = window.start <= local.time() < window.end
    return on_time and window.opens_on(local.date(), calendar)


def first_allowed_time(
    moment: datetime, *, window: SendWindow, zone: str, calendar: HolidayCalendar
) -> datetime:
    """Return the first instant at or after *moment* at which a message may go out (UTC).

    Raises:
        TimingConfigurationError: Nothing is allowed for three years (for example closure days
            covering every day of the window).
    """
    start = ensure_aware(moment)
    tz = load_zone(zone)
    return first_open_instant(start, start.astimezone(tz).date(), window, tz, calendar)


def first_open_instant(
    start: datetime, local_day: date, window: SendWindow, tz: ZoneInfo, calendar: HolidayCalendar
) -> datetime:
    """:func:`first_allowed_time` of an aware UTC *start* whose local date is *local_day*."""
    # A day's window can begin before midnight UTC of the previous local date.
    day = local_day - _ONE_DAY
    for _ in range(_MAX_DAYS_SEARCHED):
        if window.opens_on(day, calendar):
            for first, after in wall_clock_intervals(day, window.start, window.end, tz):
                if after > start:
                    return max(first, start)
        day += _ONE_DAY
    raise TimingConfigurationError(
        f"the send window {window.describe()} with {calendar.describe()} allows no time in "
        "three years: check the window days and closure days"
    )


def local_label(moment: datetime, zone: str) -> str:
    """Write *moment* as the candidate's clock shows it (``Monday 2026-03-09 09:00``)."""
    return wall_label(moment.astimezone(load_zone(zone)))


def wall_label(local: datetime) -> str:
    """Write a local time as the candidate's clock shows it (``Monday 2026-03-09 09:00``)."""
    return f"{day_label(local.date())} {local.hour:02d}:{local.minute:02d}"


def day_label(day: date) -> str:
    """Write a local date with its weekday (``Tuesday 2026-12-08``)."""
    label = _DAY_LABELS.get(day)
    if label is None:
        label = _remember(_DAY_LABELS, day, f"{DAY_NAMES[day.weekday()]} {_date_text(day)}")
    return label


def _date_text(day: date) -> str:
    text = _DATE_TEXTS.get(day)
    if text is None:
        text = _remember(_DATE_TEXTS, day, f"{day:%Y-%m-%d}")
    return text


def _remember(cache: dict[date, str], day: date, text: str) -> str:
    if len(cache) >= _MAX_CACHED_DAYS:
        cache.clear()
    cache[day] = text
    return text


def ceil_second(moment: datetime) -> datetime:
    """Round up to a whole second (send times and hourly caps count whole seconds)."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def send_at_sentence(send_at: datetime, zone: str) -> str:
    """The closing reason of a schedule: the chosen time, local and UTC."""
    return send_sentence(send_at.astimezone(load_zone(zone)), send_at.astimezone(UTC), zone)


def send_sentence(local: datetime, utc: datetime, zone: str) -> str:
    """:func:`send_at_sentence` of one moment given as local and as UTC time."""
    return (
        f"send at {wall_label(local)} {zone} "
        f"({_date_text(utc.date())} {utc.hour:02d}:{utc.minute:02d} UTC)"
    )


def not_counted_note(
    start: datetime, end: datetime, business_days: bool, zone: str, calendar: HolidayCalendar
) -> str:
    """Name the holidays a count of business days stepped over (`` (not counting ...)``)."""
    if not business_days:
        return ""
    tz = load_zone(zone)
    return closed_days_note(start.astimezone(tz).date(), end.astimezone(tz).date(), calendar)


def closed_days_note(first: date, last: date, calendar: HolidayCalendar) -> str:
    """:func:`not_counted_note` of a count of business days from local *first* to *last*."""
    closed: list[str] = []
    if type(calendar) is not HolidayCalendar:
        # A subclass may answer differently from the year lists: ask it day by day.
        day = first
        while day < last:
            day += _ONE_DAY
            holiday = calendar.holiday(day)
            if holiday is not None and day.weekday() not in calendar.weekend:
                closed.append(f"{day_label(day)}, {holiday}")
        return _not_counting(closed)
    low, high = first.toordinal(), last.toordinal()
    # The days after the first up to the last: closed days outside the weekend, in order.
    for year in range(first.year, last.year + 1):
        days = calendar_year(calendar, year)
        workdays = days.closed_workdays
        begin = bisect.bisect_right(workdays, low)
        for ordinal in workdays[begin : bisect.bisect_right(workdays, high, begin)]:
            day = date.fromordinal(ordinal)
            closed.append(f"{day_label(day)}, {days.closed[day]}")
    return _not_counting(closed)


def _not_counting(closed: list[str]) -> str:
    if not closed:
        return ""
    if len(closed) > _MAX_SKIPPED_DAYS_LISTED:
        more = len(closed) - _MAX_SKIPPED_DAYS_LISTED
        closed = [*closed[:_MAX_SKIPPED_DAYS_LISTED], f"{more} more"]
    return f" (not counting {'; '.join(closed)})"


def explain_move(
    start: datetime, send_at: datetime, window: SendWindow, zone: str, calendar: HolidayCalendar
) -> list[str]:
    """Say why a send moved from *start* to *send_at*, naming the closed days it skipped."""
    tz = load_zone(zone)
    return explain_wall_move(start.astimezone(tz), send_at.astimezone(tz), window, zone, calendar)


def explain_wall_move(
    local_start: datetime,
    local_send: datetime,
    window: SendWindow,
    zone: str,
    calendar: HolidayCalendar,
) -> list[str]:
    """:func:`explain_move` of a move given in local times."""
    closed_days: list[tuple[date, str]] = []
    day = local_start.date()
    while day < local_send.date():
        holiday = calendar.holiday(day)
        if holiday is not None and window.includes_weekday(day.weekday(), calendar.weekend):
            closed_days.append((day, holiday))
        day += timedelta(days=1)
    cause = f"outside the send window ({_window_text(window)})"
    within_hours = window.start <= local_start.time() < window.end
    if within_hours and closed_days and closed_days[0][0] == local_start.date():
        first_day, holiday = closed_days.pop(0)
        cause = f"{day_label(first_day)} is {holiday}"
    sentences = [
        f"moved from {wall_label(local_start)} to {wall_label(local_send)} {zone}: {cause}"
    ]
    sentences += [f"{day_label(day)} skipped: {holiday}" for day, holiday in closed_days]
    if len(sentences) > _MAX_SKIPPED_DAYS_LISTED + 1:
        more = len(sentences) - _MAX_SKIPPED_DAYS_LISTED - 1
        sentences = [*sentences[: _MAX_SKIPPED_DAYS_LISTED + 1], f"and {more} more closed days"]
    return sentences


@functools.lru_cache(maxsize=256)
def _window_text(window: SendWindow) -> str:
    return window.describe()


def clock_change_note(send_at: datetime, window: SendWindow, zone: str) -> list[str]:
    """Mention a clock change on the send day, and a window start the change skipped."""
    day = send_at.astimezone(load_zone(zone)).date()
    return list(clock_change_sentences(day, window.start, window.end, zone))


def clock_change_sentences(day: date, start: time, end: time, zone: str) -> tuple[str, ...]:
    """:func:`clock_change_note` of a send on the local *day*, for a window *start*-*end*."""
    key = (day, start, end, zone)
    found = _CLOCK_CHANGES.get(key)
    if found is None:
        if len(_CLOCK_CHANGES) >= _MAX_CACHED_DAYS:
            _CLOCK_CHANGES.clear()
        found = _CLOCK_CHANGES[key] = _clock_change_sentences(day, start, end, zone)
    return found


def _clock_change_sentences(day: date, start: time, end: time, zone: str) -> tuple[str, ...]:
    tz = load_zone(zone)
    midnight = datetime.combine(day, time())
    before = midnight.replace(tzinfo=tz).utcoffset()
    after = (midnight + timedelta(days=1)).replace(tzinfo=tz).utcoffset()
    if before == after:
        return ()
    opening = datetime.combine(day, start)
    if local_to_utc(opening, tz).astimezone(tz).replace(tzinfo=None) != opening:
        intervals = wall_clock_intervals(day, start, end, tz)
        opens = intervals[0][0].astimezone(tz) if intervals else None
        when = f"opens at {opens:%H:%M} local time" if opens else "does not open"
        return (
            f"clocks change in {zone} on {day_label(day)}: {start:%H:%M} does not exist "
            f"that day, so the send window {when}",
        )
    return (
        f"clocks change in {zone} on {day_label(day)}; the send window keeps local wall-clock "
        "hours",
    )
