from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ats_reject.clock import Clock, FrozenClock, SystemClock, ensure_aware

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(START)
    assert clock.now() == START
    clock.sleep(90)
    assert clock.now() == START + timedelta(seconds=90)
    assert clock.monotonic() == 90
    clock.advance(timedelta(hours=1))
    assert clock.now() == START + timedelta(seconds=3690)
    assert clock.sleeps == [90]
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(START)


def test_frozen_clock_is_shared_safely_between_threads() -> None:
    clock = FrozenClock(START)

    def sleeper() -> None:
        for _ in range(100):
            clock.sleep(1)

    threads = [threading.Thread(target=sleeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.monotonic() == 400


def test_clocks_satisfy_the_protocol_and_return_aware_utc() -> None:
    for clock in (SystemClock(), FrozenClock(START)):
        assert isinstance(clock, Clock)
        assert clock.now().tzinfo is UTC


def test_ensure_aware_refuses_naive_and_converts_to_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(datetime(2026, 1, 1))
    local = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    assert ensure_aware(local) == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert ensure_aware(local).tzinfo is UTC
