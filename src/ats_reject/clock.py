"""Injected time: every component that reads the clock takes one of these.

A :class:`Clock` answers two questions: what time is it (an aware UTC ``datetime``, for
scheduling, cursors and audit records) and how long has passed (a monotonic float in seconds,
for timeouts, leases and rate limiting); it can also wait. :class:`SystemClock` is the real
one; :class:`FrozenClock` only moves when told to, so tests of Friday evenings, DST changes,
rate-limit windows and retry delays are deterministic and take no real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FrozenClock", "SystemClock", "ensure_aware"]


@runtime_checkable
class Clock(Protocol):
    """What the library needs from time."""

    def now(self) -> datetime:
        """Return the current time as an aware datetime in UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds from an arbitrary fixed point; never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait *seconds* (a frozen clock advances instead of waiting)."""
        ...


class SystemClock:
    """The real clock of the machine."""

    def now(self) -> datetime:
        """Return the current time as an aware datetime in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for *seconds* (negative values count as zero)."""
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        """Name the clock."""
        return "SystemClock()"


class FrozenClock:
    """A clock that only moves when :meth:`advance` or :meth:`sleep` is called.

    Thread-safe: several threads may sleep on it; each ``sleep`` advances the shared time.

    Args:
        start: The initial time; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        """Return the frozen time."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """Return the seconds advanced since creation."""
        with self._lock:
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        """Record the requested wait and advance the clock by it instead of waiting."""
        with self._lock:
            self.sleeps.append(seconds)
        self.advance(max(seconds, 0.0))

    def advance(self, seconds: float | timedelta) -> None:
        """Move the clock forward by *seconds*."""
        delta = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if delta < 0:
            raise ValueError("a clock cannot move backwards")
        with self._lock:
            self._elapsed += delta
            self._now += timedelta(seconds=delta)

    def set(self, moment: datetime) -> None:
        """Jump to *moment*, which must not be earlier than the current time."""
        moment = ensure_aware(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError("a clock cannot move backwards")
            self._elapsed += (moment - self._now).total_seconds()
            self._now = moment

    def __repr__(self) -> str:
        """Show the frozen time."""
        return f"FrozenClock({self.now().isoformat()})"


def ensure_aware(moment: datetime) -> datetime:
    """Return *moment* converted to UTC, refusing naive datetimes.

    Raises:
        ValueError: *moment* has no time zone.
    """
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError("naive datetime: give a time zone (the library works in aware UTC)")
    return moment.astimezone(UTC)
