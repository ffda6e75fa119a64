"""Conformance checks of reads: fresh state, paging, and how failures are reported."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from ats_reject.adapter import Adapter, Capability
from ats_reject.clock import FrozenClock
from ats_reject.errors import (
    ApiError,
    ApiValidationError,
    AuthenticationError,
    FatalApiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseSchemaError,
    ServerError,
    TransportError,
)
from ats_reject.models import Application, ApplicationStatus
from ats_reject.testing._conformance_base import MANY, ConformanceBase, Seeder
from ats_reject.testing._fakeserver_model import Fault
from ats_reject.testing.leakguard import LeakGuard
from ats_reject.testing.sandbox import AdapterSandbox

__all__ = ["ReadChecks"]

ApiErrorT = TypeVar("ApiErrorT", bound=ApiError)

_FATAL_STATUSES: dict[int, type[FatalApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ApiValidationError,
}


class ReadChecks(ConformanceBase):
    """``get_application`` and ``changed_applications`` behave the same for every ATS."""

    def test_get_application_reads_each_status(
        self, adapter: Adapter[Any], seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """Active, rejected and hired applications come back with their status and e-mail."""
        for status in ApplicationStatus:
            application_id = seed(status)
            application = adapter.get_application(application_id)
            self.check_application(application, application_id, leak_guard, "get_application")
            assert application.status is status, (
                f"seeded {status.value}, get_application says {application.status.value}"
            )
            email = seed.people[application_id].email
            assert email.lower() in [e.lower() for e in application.candidate.emails], (
                "the candidate's e-mail is missing from Application.candidate.emails"
            )

    def test_get_application_is_fresh(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder
    ) -> None:
        """A change made in the ATS shows in the next read (nothing is cached)."""
        application_id = seed(ApplicationStatus.ACTIVE)
        assert adapter.get_application(application_id).status is ApplicationStatus.ACTIVE
        sandbox.set_status(application_id, ApplicationStatus.REJECTED)
        assert adapter.get_application(application_id).status is ApplicationStatus.REJECTED
        sandbox.set_status(application_id, ApplicationStatus.ACTIVE)
        assert adapter.get_application(application_id).status is ApplicationStatus.ACTIVE

    def test_missing_application_is_not_found(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, leak_guard: LeakGuard
    ) -> None:
        """An unknown id raises NotFoundError at once, without retries."""
        what = "get_application of an unknown id"
        self._failing_read(NotFoundError, adapter, "987654321", leak_guard, status=404, what=what)
        assert sandbox.calls("get_application") == 1, "a 404 must not be retried"

    @pytest.mark.parametrize("status", sorted(_FATAL_STATUSES))
    def test_fatal_status_raises_its_error_without_retry(
        self,
        status: int,
        adapter: Adapter[Any],
        sandbox: AdapterSandbox,
        seed: Seeder,
        leak_guard: LeakGuard,
    ) -> None:
        """401, 403, 404 and 422 raise the matching FatalApiError, and are not retried."""
        application_id = seed()
        sandbox.inject_fault("get_application", Fault.status(status), times=MANY)
        expected = _FATAL_STATUSES[status]
        what = f"get_application answered {status}"
        self._failing_read(expected, adapter, application_id, leak_guard, status=status, what=what)
        # A 401 may be tried once more after renewing an expired token (OAuth).
        allowed = 2 if status == 401 else 1
        assert sandbox.calls("get_application") <= allowed, f"a {status} must not be retried"

    def test_rate_limit_obeys_retry_after(
        self,
        adapter: Adapter[Any],
        sandbox: AdapterSandbox,
        seed: Seeder,
        clock: FrozenClock,
        leak_guard: LeakGuard,
    ) -> None:
        """A 429 with Retry-After is waited out (on the clock) or raised with ``retry_after``."""
        application_id = seed()
        sandbox.inject_fault("get_application", Fault.status(429, headers={"Retry-After": "7"}))
        started = clock.monotonic()
        outcome: Application | RateLimitedError
        try:
            outcome = adapter.get_application(application_id)
        except RateLimitedError as error:
            outcome = error
        if isinstance(outcome, RateLimitedError):
            leak_guard.check_error(outcome, "a rate-limited read")
            self.expect_api_error_fields(outcome, adapter, 429)
            assert outcome.retry_after == 7, "RateLimitedError.retry_after must hold Retry-After"
        else:
            assert outcome.id == application_id
            waited = clock.monotonic() - started
            assert waited >= 7, f"retried after {waited:g}s, before the 7s Retry-After"
        # A read that succeeded after the 429 must have been sent again.
        least = 1 if isinstance(outcome, RateLimitedError) else 2
        assert sandbox.calls("get_application") >= least

    def test_endless_rate_limit_raises_rate_limited(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """When 429s do not stop, RateLimitedError comes after a bounded number of tries."""
        application_id = seed()
        sandbox.inject_fault(
            "get_application", Fault.status(429, headers={"Retry-After": "1"}), times=MANY
        )
        what = "get_application answered 429 every time"
        error = self._failing_read(
            RateLimitedError, adapter, application_id, leak_guard, status=429, what=what
        )
        assert error.retry_after is not None, "RateLimitedError.retry_after must be set"
        assert sandbox.calls("get_application") < MANY, "retries must be bounded"

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_server_error_is_retried_then_raised(
        self,
        status: int,
        adapter: Adapter[Any],
        sandbox: AdapterSandbox,
        seed: Seeder,
        leak_guard: LeakGuard,
    ) -> None:
        """One 5xx is retried or raised as ServerError; endless ones end in ServerError."""
        application_id = seed()
        sandbox.inject_fault("get_application", Fault.status(status))
        self._read_once_or_raise(adapter, application_id, ServerError, leak_guard)
        sandbox.inject_fault("get_application", Fault.status(status), times=MANY)
        before = sandbox.calls("get_application")
        what = f"get_application answered {status} every time"
        self._failing_read(
            ServerError, adapter, application_id, leak_guard, status=status, what=what
        )
        assert sandbox.calls("get_application") - before < MANY, "retries must be bounded"

    def test_dropped_connection_is_a_transport_error(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A connection closed without an answer raises TransportError (after retries)."""
        application_id = seed()
        sandbox.inject_fault("get_application", Fault.drop_connection())
        self._read_once_or_raise(adapter, application_id, TransportError, leak_guard)
        sandbox.inject_fault("get_application", Fault.drop_connection(), times=MANY)
        what = "get_application whose connection drops"
        self._failing_read(
            TransportError, adapter, application_id, leak_guard, status=None, what=what
        )

    def test_timeout_is_a_transport_error(
        self,
        settings: dict[str, Any],
        sandbox: AdapterSandbox,
        seed: Seeder,
        clock: FrozenClock,
        leak_guard: LeakGuard,
    ) -> None:
        """An answer slower than the read timeout raises TransportError."""
        application_id = seed()
        adapter = self.make_adapter({**settings, "read_timeout": self.read_timeout}, clock)
        try:
            sandbox.inject_fault("get_application", Fault.delay(30.0), times=MANY)
            what = "get_application slower than the read timeout"
            self._failing_read(
                TransportError, adapter, application_id, leak_guard, status=None, what=what
            )
        finally:
            sandbox.clear_faults()
            adapter.close()

    def test_malformed_body_is_a_schema_error(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A 200 whose body is not JSON raises ResponseSchemaError."""
        application_id = seed()
        sandbox.inject_fault("get_application", Fault.malformed_json(), times=MANY)
        self.expect_error(
            ResponseSchemaError,
            lambda: adapter.get_application(application_id),
            leak_guard,
            "get_application answered malformed JSON",
        )

    def test_changed_applications_pages_to_the_end(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, clock: FrozenClock
    ) -> None:
        """Every changed application is yielded exactly once, across all pages, then it ends."""
        self.require(Capability.SYNC)
        since = clock.now() - timedelta(minutes=5)
        seeded = seed.many(sandbox.page_size * 3 + 1)
        yielded = self._listed_ids(adapter.changed_applications(since), len(seeded))
        assert sorted(yielded) == sorted(seeded), "missing or duplicated applications"
        assert sandbox.calls("changed_applications") >= 4, "the listing must follow every page"

    def test_changed_applications_respects_since(
        self, adapter: Adapter[Any], seed: Seeder, clock: FrozenClock
    ) -> None:
        """Applications changed before *since* are not listed."""
        self.require(Capability.SYNC)
        seed.many(2)
        clock.advance(timedelta(hours=2))
        since = clock.now() - timedelta(minutes=5)
        recent = seed()
        assert self._listed_ids(adapter.changed_applications(since), 3) == [recent]

    def test_changed_applications_survives_a_failing_page(
        self,
        adapter: Adapter[Any],
        sandbox: AdapterSandbox,
        seed: Seeder,
        clock: FrozenClock,
        leak_guard: LeakGuard,
    ) -> None:
        """A 503 on a later page is retried without repeating items, or raised as ServerError."""
        self.require(Capability.SYNC)
        since = clock.now() - timedelta(minutes=5)
        seeded = seed.many(sandbox.page_size * 2 + 1)
        listing = adapter.changed_applications(since)
        first_page = [a.id for a in itertools.islice(listing, sandbox.page_size)]
        sandbox.inject_fault("changed_applications", Fault.status(503))
        try:
            rest = self._listed_ids(listing, len(seeded))
        except ServerError as error:
            leak_guard.check_error(error, "a failing page")
        else:
            assert sorted(first_page + rest) == sorted(seeded), "a retried page repeated items"

    # --- helpers --------------------------------------------------------------------------

    def _failing_read(
        self,
        expected: type[ApiErrorT],
        adapter: Adapter[Any],
        application_id: str,
        guard: LeakGuard,
        *,
        status: int | None,
        what: str,
    ) -> ApiErrorT:
        """get_application raises *expected*, naming the adapter and *status*, leaking nothing."""
        error = self.expect_error(
            expected, lambda: adapter.get_application(application_id), guard, what
        )
        self.expect_api_error_fields(error, adapter, status)
        return error

    def _read_once_or_raise(
        self,
        adapter: Adapter[Any],
        application_id: str,
        expected: type[ApiError],
        guard: LeakGuard,
    ) -> None:
        try:
            application = adapter.get_application(application_id)
        except expected as error:
            guard.check_error(error, f"a read that met one {expected.__name__}")
        except Exception as error:
            guard.check_error(error, "a read after one failure")
            raise AssertionError(
                f"one transient failure: expected a retry or {expected.__name__}, "
                f"got {type(error).__name__}"
            ) from error
        else:
            assert application.id == application_id

    @staticmethod
    def _listed_ids(listing: Any, expected: int) -> list[str]:
        # Stop well after the expected count, so a paging loop fails instead of hanging.
        items = list(itertools.islice(listing, expected * 3 + 10))
        assert len(items) <= expected * 3, "changed_applications does not terminate"
        for item in items:
            assert isinstance(item, Application), "changed_applications must yield Application"
        return [item.id for item in items]
