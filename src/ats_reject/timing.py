"""When a rejection may go out: delays, deadlines, send windows, holidays and time zones.

Pure functions of their inputs: no clock is read here, the caller passes the decision time.
A typical caller does::

    zone = resolve_time_zone(candidate, job, office_zones, default_zone="Europe/Berlin")
    calendar = HolidayCalendar.for_zone(zone, closures=company_closures)
    schedule = plan_send_time(decided_at, applied_at=applied_at, timing=rules,
                              zone=zone, calendar=calendar)

and, for a bulk rejection sharing one sender, passes the schedules to :func:`spread_batch`.
Every result carries reasons: plain sentences a recruiter can read.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from ats_reject._calendar import (
    HolidayCalendar,
    SendWindow,
    TimingConfigurationError,
)
from ats_reject._durations import Duration, DurationUnit, parse_duration, shift
from ats_reject._wallclock import (
    ceil_second,
    clock_change_sentences,
    closed_days_note,
    day_label,
    explain_wall_move,
    first_allowed_time,
    first_open_instant,
    is_allowed_time,
    load_zone,
    local_label,
    send_at_sentence,
    send_sentence,
    wall_clock_intervals,
    wall_label,
)
from ats_reject._zones import ResolvedZone, ZoneSource, resolve_time_zone
from ats_reject.clock import ensure_aware

__all__ = [
    "Duration",
    "DurationUnit",
    "HolidayCalendar",
    "ResolvedZone",
    "SendSchedule",
    "SendWindow",
    "TimingConfigurationError",
    "TimingRules",
    "ZoneSource",
    "first_allowed_time",
    "is_allowed_time",
    "parse_duration",
    "plan_send_time",
    "resolve_time_zone",
    "spread_batch",
]

_HOUR = 3600


@dataclass(frozen=True)
class TimingRules:
    """How soon and how late a rejection may go out.

    Attributes:
        minimum_delay: Time from the decision to the earliest send; never zero (a rejection
            is never instant). Default 24 hours.
        deadline: The promised latest send, counted from the decision. Default 5 business
            days.
        send_window: The local days and hours messages may go out. Default: the candidate's
            working days, 09:00-17:00.
        minimum_after_application: If set, never send before this long after the application
            (``3 business days`` keeps an instant-looking rejection from reaching someone who
            applied yesterday).
    """

    minimum_delay: Duration = field(default_factory=lambda: Duration(24, "hours"))
    deadline: Duration = field(default_factory=lambda: Duration(5, "days", business_days=True))
    send_window: SendWindow = field(default_factory=SendWindow)
    minimum_after_application: Duration | None = None

    def __post_init__(self) -> None:
        """Refuse an instant send and a deadline at the moment of the decision."""
        if self.minimum_delay.amount == 0:
            raise TimingConfigurationError(
                "minimum delay: must be more than zero; a rejection is never sent instantly "
                "(the default is '24h')"
            )
        if self.deadline.amount == 0:
            raise TimingConfigurationError(
                "deadline: must be more than zero after the decision (the default is "
                "'5 business days')"
            )

    @classmethod
    def parse(
        cls,
        *,
        minimum_delay: str = "24h",
        deadline: str = "5 business days",
        send_window: str = "working days 09:00-17:00",
        minimum_after_application: str | None = None,
    ) -> TimingRules:
        """Build rules from text as people write it (``"24h"``, ``"Mon-Fri 09:00-17:00"``).

        Raises:
            TimingConfigurationError: A value cannot be read; the message says which.
        """
        return cls(
            minimum_delay=parse_duration(minimum_delay),
            deadline=parse_duration(deadline),
            send_window=SendWindow.parse(send_window),
            minimum_after_application=(
                parse_duration(minimum_after_application)
                if minimum_after_application is not None
                else None
            ),
        )


@dataclass(frozen=True)
class SendSchedule:
    """When one message goes out, and why.

    Attributes:
        earliest: The earliest moment allowed by the delays (aware UTC).
        deadline: The promised latest moment (aware UTC).
        send_at: The chosen moment (aware UTC): inside the send window, not on a holiday or
            closure day, never before ``earliest``.
        deadline_met: ``False`` when ``send_at`` is after ``deadline`` (the window, holidays
            or the sender's hourly limit left no earlier time); the reasons say why.
        reasons: Plain sentences explaining each choice, in order.
        zone: The IANA zone the window was applied in.
        send_window: The window that was applied.
        calendar: The holiday calendar that was applied.
    """

    earliest: datetime
    deadline: datetime
    send_at: datetime
    deadline_met: bool
    reasons: tuple[str, ...]
    zone: str
    send_window: SendWindow
    calendar: HolidayCalendar


def plan_send_time(
    decision_at: datetime,
    *,
    applied_at: datetime | None = None,
    timing: TimingRules,
    zone: ResolvedZone,
    calendar: HolidayCalendar,
) -> SendSchedule:
    """Choose when a rejection goes out.

    Earliest is the decision plus the minimum delay (and, if configured, not before the
    minimum time after the application); the send time is the first moment from then on that
    is inside the send window in the candidate's zone and on no holiday or closure day. If
    that is after the deadline, the send time stays the earliest allowed one and the schedule
    is flagged (``deadline_met=False``). Deterministic: the same inputs give the same schedule.

    Args:
        decision_at: When the person decided (aware).
        applied_at: When the candidate applied (aware), for ``minimum_after_application``.
        timing: The rules.
        zone: The candidate's resolved zone.
        calendar: The candidate's holidays and the company's closure days.

    Raises:
        ValueError: A naive datetime was given.
        TimingConfigurationError: The window and calendar allow no time at all.
    """
    decision = ensure_aware(decision_at)
    name = zone.zone
    tz = load_zone(name)
    window = timing.send_window
    # Each moment is turned into the candidate's local time once, for the sums and the labels.
    local_decision = decision.astimezone(tz)
    reasons = [
        f"time zone {name}: {zone.detail}",
        f"days without messages: {calendar.describe()}",
    ]
    delay = timing.minimum_delay
    earliest = shift(decision, local_decision, delay, tz, calendar)
    local_earliest = earliest.astimezone(tz)
    skipped = _not_counted(delay, local_decision, local_earliest, calendar)
    reasons.append(
        f"earliest {wall_label(local_earliest)} {name}: {delay} after the decision{skipped}"
    )
    after_application = timing.minimum_after_application
    if applied_at is not None and after_application is not None:
        floor = shift(ensure_aware(applied_at), None, after_application, tz, calendar)
        if floor > earliest:
            earliest = floor
            local_earliest = floor.astimezone(tz)
            reasons.append(
                f"earliest moved to {wall_label(local_earliest)} {name}: not before "
                f"{after_application} after the application"
            )
    deadline = shift(decision, local_decision, timing.deadline, tz, calendar)
    local_deadline = deadline.astimezone(tz)
    skipped = _not_counted(timing.deadline, local_decision, local_deadline, calendar)
    reasons.append(
        f"deadline {wall_label(local_deadline)} {name}: {timing.deadline} after the "
        f"decision{skipped}"
    )
    start = ceil_second(earliest)
    local_start = local_earliest if start is earliest else start.astimezone(tz)
    send_at = first_open_instant(start, local_start.date(), window, tz, calendar)
    local_send = local_start
    if send_at > start:
        local_send = send_at.astimezone(tz)
        reasons.extend(explain_wall_move(local_start, local_send, window, name, calendar))
    reasons.extend(clock_change_sentences(local_send.date(), window.start, window.end, name))
    deadline_met = send_at <= deadline
    if not deadline_met:
        cause = (
            "the earliest allowed time is already after it"
            if earliest > deadline
            else "the send window, weekends and closed days leave no time before it"
        )
        reasons.append(
            f"deadline missed: {wall_label(local_deadline)} {name} cannot be kept because "
            f"{cause}; sending at the earliest allowed time instead"
        )
    reasons.append(send_sentence(local_send, send_at, name))
    return SendSchedule(
        earliest=earliest,
        deadline=deadline,
        send_at=send_at,
        deadline_met=deadline_met,
        reasons=tuple(reasons),
        zone=name,
        send_window=window,
        calendar=calendar,
    )


def _not_counted(
    duration: Duration, local_start: datetime, local_end: datetime, calendar: HolidayCalendar
) -> str:
    if not duration.business_days:
        return ""
    return closed_days_note(local_start.date(), local_end.date(), calendar)


def spread_batch(
    schedules: Mapping[str, SendSchedule],
    *,
    hourly_cap: int | None = None,
    already_planned: Iterable[datetime] = (),
) -> dict[str, SendSchedule]:
    """Spread many messages from one sender across their send windows.

    Each message moves from the first minute of its window to a position inside the rest of
    that day's window (up to its deadline), fixed by a stable hash of its key, so a bulk
    rejection reaches people over the day instead of all at once, and the same application
    always lands at the same place. With *hourly_cap*, no 60-minute period holds more than
    that many messages (counting *already_planned*); messages that do not fit move later, to
    the next allowed time, and are flagged if that passes their deadline. Never earlier than
    the schedule's own ``send_at``. Deterministic whatever the order of *schedules*.

    Args:
        schedules: Application id (or another stable key) -> its planned schedule.
        hourly_cap: The most messages the sender may send in any 60 minutes.
        already_planned: Send times this sender already has, from earlier batches.

    Returns:
        The new schedules, in the order of *schedules*.

    Raises:
        TimingConfigurationError: *hourly_cap* is not a positive whole number.
    """
    if hourly_cap is not None and (isinstance(hourly_cap, bool) or hourly_cap < 1):
        raise TimingConfigurationError("hourly cap: must be a whole number of 1 or more")
    booked = sorted(_seconds(ensure_aware(moment)) for moment in already_planned)
    queue = sorted((_spread_target(key, schedule), key) for key, schedule in schedules.items())
    spread: dict[str, SendSchedule] = {}
    # Per window, zone and calendar: where the previous search ended. Targets come in order
    # and bookings only grow, so every second it skipped is still unusable for the next one.
    resume_at: dict[tuple[str, SendWindow, HolidayCalendar], datetime] = {}
    for target, key in queue:
        schedule = schedules[key]
        group = (schedule.zone, schedule.send_window, schedule.calendar)
        chosen = max(target, resume_at.get(group, target))
        while True:
            if hourly_cap is not None:
                chosen = _first_under_cap(chosen, booked, hourly_cap)
            allowed = first_allowed_time(
                chosen, window=schedule.send_window, zone=schedule.zone, calendar=schedule.calendar
            )
            if allowed == chosen:
                break
            chosen = ceil_second(allowed)
        bisect.insort(booked, _seconds(chosen))
        resume_at[group] = chosen
        spread[key] = _respread(schedule, target, chosen, hourly_cap)
    return {key: spread[key] for key in schedules}


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _spread_target(key: str, schedule: SendSchedule) -> datetime:
    """Place a message in the rest of its first window day, by a stable hash of its key."""
    tz = load_zone(schedule.zone)
    start = schedule.send_at
    day = start.astimezone(tz).date()
    window = schedule.send_window
    spans: list[tuple[datetime, datetime]] = []
    # A message already past its deadline is not spread: later would only be later still.
    for opens, closes in wall_clock_intervals(day, window.start, window.end, tz):
        first, after = max(opens, start), min(closes, schedule.deadline)
        if first < after:
            spans.append((first, after))
    total = sum(int((after - first).total_seconds()) for first, after in spans)
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    position = int.from_bytes(digest, "big") * total >> 64
    for first, after in spans:
        length = int((after - first).total_seconds())
        if position < length:
            return ceil_second(first + timedelta(seconds=position))
        position -= length
    return ceil_second(start)


def _first_under_cap(moment: datetime, booked: list[int], cap: int) -> datetime:
    """Return the first second at or after *moment* whose every 60-minute period has room."""
    at = _seconds(moment)
    last = _HOUR - 1
    while True:
        low = bisect.bisect_left(booked, at - last)
        high = bisect.bisect_right(booked, at + last)
        # The fullest period holding `at` starts at `at` or at a booked second before it; a
        # period starting at booked[i] is full when the cap-th booking from i is inside it.
        full_from: int | None = None
        for index in range(low, bisect.bisect_right(booked, at, low, high)):
            capth = index + cap - 1
            if capth < len(booked) and booked[capth] - booked[index] <= last:
                full_from = booked[index]
        if high - bisect.bisect_left(booked, at, low, high) >= cap:
            full_from = at
        if full_from is None:
            return datetime.fromtimestamp(at, UTC)
        # Every second before full_from + 1 hour lies in that full period.
        at = full_from + _HOUR


def _respread(
    schedule: SendSchedule, target: datetime, chosen: datetime, hourly_cap: int | None
) -> SendSchedule:
    zone = schedule.zone
    day = day_label(schedule.send_at.astimezone(load_zone(zone)).date())
    reasons = list(schedule.reasons)
    if target != schedule.send_at:
        reasons.append(
            f"spread within the send window of {day}: {local_label(target, zone)} {zone} "
            f"instead of {local_label(schedule.send_at, zone)}, a place fixed by the application "
            "id so that a bulk rejection does not arrive all at once"
        )
    if chosen != target:
        reasons.append(
            f"moved from {local_label(target, zone)} to {local_label(chosen, zone)} {zone}: "
            f"the sender's limit of {hourly_cap} messages an hour was reached"
        )
    deadline_met = schedule.deadline_met and chosen <= schedule.deadline
    if schedule.deadline_met and not deadline_met:
        reasons.append(
            f"deadline missed: the sender's hourly limit pushed the message past "
            f"{local_label(schedule.deadline, zone)} {zone}"
        )
    if chosen != schedule.send_at:
        reasons.append(send_at_sentence(chosen, zone))
    return replace(schedule, send_at=chosen, deadline_met=deadline_met, reasons=tuple(reasons))
