"""Local wall-clock time: exact UTC mapping on the days clocks change, and plain-words labels.

A send window is a range of wall-clock hours on a local date. Here it becomes exact UTC
intervals: on a spring-forward day the skipped hour is simply absent, on a fall-back day the
repeated hour is there twice. Results are cached (they are pure and asked for often in a batch).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ats_reject._calendar import DAY_NAMES, HolidayCalendar, SendWindow, TimingConfigurationError
from ats_reject.clock import ensure_aware

__all__ = [
    "ceil_second",
    "clock_change_note",
    "day_label",
    "explain_move",
    "first_allowed_time",
    "is_allowed_time",
    "load_zone",
    "local_label",
    "local_to_utc",
    "not_counted_note",
    "send_at_sentence",
    "wall_clock_intervals",
]

# UTC offsets have ranged from about -15:57 to +15:13 (historic local mean times).
_OFFSET_REACH = timedelta(hours=26)
_SAMPLE_STEP = timedelta(hours=2)
# Three years of closed days means the configuration, not the calendar, is wrong.
_MAX_DAYS_SEARCHED = 1100
_MAX_SKIPPED_DAYS_LISTED = 5


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
    # A day's window can begin before midnight UTC of the previous local date.
    day = start.astimezone(tz).date() - timedelta(days=1)
    for _ in range(_MAX_DAYS_SEARCHED):
        if window.opens_on(day, calendar):
            for first, after in wall_clock_intervals(day, window.start, window.end, tz):
                if after > start:
                    return max(first, start)
        day += timedelta(days=1)
    raise TimingConfigurationError(
        f"the send window {window.describe()} with {calendar.describe()} allows no time in "
        "three years: check the window days and closure days"
    )


def local_label(moment: datetime, zone: str) -> str:
    """Write *moment* as the candidate's clock shows it (``Monday 2026-03-09 09:00``)."""
    local = moment.astimezone(load_zone(zone))
    return f"{DAY_NAMES[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def day_label(day: date) -> str:
    """Write a local date with its weekday (``Tuesday 2026-12-08``)."""
    return f"{DAY_NAMES[day.weekday()]} {day:%Y-%m-%d}"


def ceil_second(moment: datetime) -> datetime:
    """Round up to a whole second (send times and hourly caps count whole seconds)."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def send_at_sentence(send_at: datetime, zone: str) -> str:
    """The closing reason of a schedule: the chosen time, local and UTC."""
    utc = send_at.astimezone(UTC)
    return f"send at {local_label(send_at, zone)} {zone} ({utc:%Y-%m-%d %H:%M} UTC)"


def not_counted_note(
    start: datetime, end: datetime, business_days: bool, zone: str, calendar: HolidayCalendar
) -> str:
    """Name the holidays a count of business days stepped over (`` (not counting ...)``)."""
    if not business_days:
        return ""
    tz = load_zone(zone)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    closed: list[str] = []
    while day < last:
        day += timedelta(days=1)
        holiday = calendar.holiday(day)
        if holiday is not None and day.weekday() not in calendar.weekend:
            closed.append(f"{day_label(day)}, {holiday}")
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
    local_start = start.astimezone(tz)
    closed_days: list[tuple[date, str]] = []
    day = local_start.date()
    while day < send_at.astimezone(tz).date():
        holiday = calendar.holiday(day)
        if holiday is not None and window.includes_weekday(day.weekday(), calendar.weekend):
            closed_days.append((day, holiday))
        day += timedelta(days=1)
    cause = f"outside the send window ({window.describe()})"
    within_hours = window.start <= local_start.time() < window.end
    if within_hours and closed_days and closed_days[0][0] == local_start.date():
        first_day, holiday = closed_days.pop(0)
        cause = f"{day_label(first_day)} is {holiday}"
    sentences = [
        f"moved from {local_label(start, zone)} to {local_label(send_at, zone)} {zone}: {cause}"
    ]
    sentences += [f"{day_label(day)} skipped: {holiday}" for day, holiday in closed_days]
    if len(sentences) > _MAX_SKIPPED_DAYS_LISTED + 1:
        more = len(sentences) - _MAX_SKIPPED_DAYS_LISTED - 1
        sentences = [*sentences[: _MAX_SKIPPED_DAYS_LISTED + 1], f"and {more} more closed days"]
    return sentences


def clock_change_note(send_at: datetime, window: SendWindow, zone: str) -> list[str]:
    """Mention a clock change on the send day, and a window start the change skipped."""
    tz = load_zone(zone)
    day = send_at.astimezone(tz).date()
    midnight = datetime.combine(day, time())
    before = midnight.replace(tzinfo=tz).utcoffset()
    after = (midnight + timedelta(days=1)).replace(tzinfo=tz).utcoffset()
    if before == after:
        return []
    opening = datetime.combine(day, window.start)
    if local_to_utc(opening, tz).astimezone(tz).replace(tzinfo=None) != opening:
        intervals = wall_clock_intervals(day, window.start, window.end, tz)
        opens = intervals[0][0].astimezone(tz) if intervals else None
        when = f"opens at {opens:%H:%M} local time" if opens else "does not open"
        return [
            f"clocks change in {zone} on {day_label(day)}: {window.start:%H:%M} does not exist "
            f"that day, so the send window {when}"
        ]
    return [
        f"clocks change in {zone} on {day_label(day)}; the send window keeps local wall-clock hours"
    ]
