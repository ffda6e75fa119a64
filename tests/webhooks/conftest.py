"""Shared fixtures for the webhook verification tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ats_reject.clock import FrozenClock

# The timestamp of the Standard Webhooks / Svix known-answer vector (reliability.md §1.6).
VECTOR_TIMESTAMP = 1614265330


@pytest.fixture
def clock() -> FrozenClock:
    """A clock standing at the known-answer vector's timestamp."""
    return FrozenClock(datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC))
