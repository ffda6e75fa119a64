"""pytest plugin of the ats-reject testing kit (registered through the ``pytest11`` entry point).

It adds one fixture, ``leak_guard`` (a :class:`~ats_reject.testing.LeakGuard` installed on
the root logger at ``DEBUG`` for the test), and fails a test that used it when a watched
value reached a log record. Projects that never ask for ``leak_guard`` are not affected.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

# Before the suite is imported anywhere, so its asserts explain themselves when they fail.
pytest.register_assert_rewrite(
    "ats_reject.testing._conformance_base",
    "ats_reject.testing._conformance_metadata",
    "ats_reject.testing._conformance_reads",
    "ats_reject.testing._conformance_webhooks",
    "ats_reject.testing._conformance_writes",
)

from ats_reject.testing.leakguard import LeakGuard  # noqa: E402

__all__ = ["leak_guard", "pytest_runtest_call"]


@pytest.fixture
def leak_guard() -> Iterator[LeakGuard]:
    """Capture every log record at DEBUG during the test and check it against canaries.

    Add canaries with ``leak_guard.watch(...)``; check errors and objects with
    ``leak_guard.check_error(...)`` and ``leak_guard.check_object(...)``. Log records are
    checked when the test body ends.
    """
    guard = LeakGuard()
    guard.install()
    try:
        yield guard
    finally:
        guard.uninstall()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """After a passing test body, fail it if its leak guard saw a watched value in a log."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    guard = funcargs.get("leak_guard")
    if isinstance(guard, LeakGuard):
        guard.check_logs()
    return result
