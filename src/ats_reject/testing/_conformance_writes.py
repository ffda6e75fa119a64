"""Conformance checks of writes: idempotent reject and unreject, no blind re-posts."""

from __future__ import annotations

from typing import Any

from ats_reject.adapter import Adapter, Capability
from ats_reject.errors import ApiValidationError, ServerError
from ats_reject.models import Application, ApplicationStatus
from ats_reject.testing._conformance_base import MANY, ConformanceBase, Seeder
from ats_reject.testing._fakeserver_model import Fault
from ats_reject.testing.leakguard import LeakGuard
from ats_reject.testing.sandbox import AdapterSandbox

__all__ = ["WriteChecks"]


class WriteChecks(ConformanceBase):
    """Writes apply once, whatever is retried, and report the application as it now stands."""

    def test_reject_twice_applies_once(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """Rejecting an already rejected application is success, and writes nothing."""
        self.require(Capability.REJECT)
        application_id = seed()
        for attempt in ("first", "second"):
            application = self._reject(adapter, sandbox, application_id)
            self.check_application(application, application_id, leak_guard, f"{attempt} reject")
            assert application.status is ApplicationStatus.REJECTED, (
                f"the {attempt} reject must return the application as rejected"
            )
        assert sandbox.applied_writes("reject") == 1, "rejecting twice applied twice"
        assert adapter.get_application(application_id).status is ApplicationStatus.REJECTED

    def test_unreject_twice_applies_once(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """Un-rejecting an active application is success, and writes nothing."""
        self.require(Capability.UNREJECT)
        application_id = seed(ApplicationStatus.REJECTED)
        for attempt in ("first", "second"):
            application = adapter.unreject(application_id)
            self.check_application(application, application_id, leak_guard, f"{attempt} unreject")
            assert application.status is ApplicationStatus.ACTIVE, (
                f"the {attempt} unreject must return the application as active"
            )
        assert sandbox.applied_writes("unreject") == 1, "un-rejecting twice applied twice"

    def test_reject_whose_answer_is_lost_is_read_back_not_reposted(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A reject that applied but lost its answer is read back and not sent again."""
        self.require(Capability.REJECT)
        application_id = seed()
        sandbox.inject_fault("reject", Fault.apply_then_drop())
        try:
            application = self._reject(adapter, sandbox, application_id)
        except Exception as error:
            leak_guard.check_error(error, "a reject whose answer was lost")
            raise AssertionError(
                "a reject that applied must be read back and reported as done, "
                f"not raise {type(error).__name__}"
            ) from error
        assert application.status is ApplicationStatus.REJECTED
        assert sandbox.calls("reject") == 1, "the reject was posted again after it had applied"
        assert sandbox.applied_writes("reject") == 1

    def test_reject_lost_before_applying_is_sent_again(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A reject whose connection dropped before it applied is read back, then sent again."""
        self.require(Capability.REJECT)
        application_id = seed()
        sandbox.inject_fault("reject", Fault.drop_connection())
        application = self._reject(adapter, sandbox, application_id)
        assert application.status is ApplicationStatus.REJECTED
        assert sandbox.calls("reject") == 2, "the reject that did not apply must be sent again"
        assert sandbox.applied_writes("reject") == 1
        leak_guard.check_object("the rejected application", application)

    def test_reject_refused_by_the_server_is_not_repeated_blindly(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A 422 on reject raises ApiValidationError once; endless 503s end in ServerError."""
        self.require(Capability.REJECT)
        application_id = seed()
        sandbox.inject_fault("reject", Fault.status(422), times=MANY)
        self.expect_error(
            ApiValidationError,
            lambda: self._reject(adapter, sandbox, application_id),
            leak_guard,
            "a reject answered 422",
        )
        assert sandbox.calls("reject") == 1, "a 422 must not be retried"
        sandbox.clear_faults()
        sandbox.inject_fault("reject", Fault.status(503), times=MANY)
        self.expect_error(
            ServerError,
            lambda: self._reject(adapter, sandbox, application_id),
            leak_guard,
            "a reject answered 503 every time",
        )
        assert sandbox.calls("reject") < MANY, "write retries must be bounded"
        assert sandbox.applied_writes("reject") == 0

    def test_note_applies_once_per_call(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder
    ) -> None:
        """Each add_note call records one note."""
        self.require(Capability.NOTES)
        application_id = seed()
        adapter.add_note(application_id, "Rejection e-mail sent by ats-reject.")
        assert sandbox.applied_writes("add_note") == 1

    def test_tag_twice_applies_once(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder
    ) -> None:
        """Tagging twice with the same tag is success, and writes once."""
        self.require(Capability.TAGS)
        application_id = seed()
        adapter.add_tag(application_id, "talent-pool-consent")
        adapter.add_tag(application_id, "talent-pool-consent")
        assert sandbox.applied_writes("add_tag") == 1

    @staticmethod
    def _reject(adapter: Adapter[Any], sandbox: AdapterSandbox, application_id: str) -> Application:
        return adapter.reject(application_id, reason_id=sandbox.rejection_reason_id)
