"""Fixtures shared by the Greenhouse adapter's tests: a frozen clock, the sandbox, the adapter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ats_reject.clock import FrozenClock
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox

START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    """The frozen clock shared by the adapter and the sandbox."""
    return FrozenClock(START)


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[GreenhouseSandbox]:
    """A started sandbox with Greenhouse's documented rate limit."""
    with GreenhouseSandbox(clock) as running:
        yield running


@pytest.fixture
def adapter(sandbox: GreenhouseSandbox, clock: FrozenClock) -> Iterator[GreenhouseAdapter]:
    """The adapter pointed at the sandbox."""
    built = GreenhouseAdapter.from_mapping(sandbox.adapter_settings(), clock=clock)
    assert isinstance(built, GreenhouseAdapter)
    try:
        yield built
    finally:
        built.close()
