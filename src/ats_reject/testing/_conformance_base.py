"""Fixtures and helpers shared by the conformance checks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import pytest
from pydantic import BaseModel, SecretStr

from ats_reject.adapter import Adapter, Capability
from ats_reject.clock import FrozenClock
from ats_reject.errors import ApiError
from ats_reject.models import Application, ApplicationStatus
from ats_reject.testing.leakguard import LeakGuard
from ats_reject.testing.sandbox import AdapterSandbox, CanaryPerson

__all__ = ["ConformanceBase", "Seeder"]

ErrorT = TypeVar("ErrorT", bound=BaseException)

MANY = 50
"""Enough repetitions of a fault to outlast any sane retry policy."""


class Seeder:
    """Seeds applications of fresh canary people and watches their personal data."""

    def __init__(self, sandbox: AdapterSandbox, guard: LeakGuard) -> None:
        self._sandbox = sandbox
        self._guard = guard
        self._numbers = itertools.count(1)
        self.people: dict[str, CanaryPerson] = {}

    def __call__(self, status: ApplicationStatus = ApplicationStatus.ACTIVE) -> str:
        """Seed one application with *status*; return its id."""
        person = CanaryPerson.numbered(next(self._numbers))
        self._guard.watch(*person.values())
        application_id = self._sandbox.seed_application(person, status)
        self.people[application_id] = person
        return application_id

    def many(self, count: int) -> list[str]:
        """Seed *count* applications, cycling through the statuses."""
        statuses = itertools.cycle(ApplicationStatus)
        return [self(next(statuses)) for _ in range(count)]


class ConformanceBase:
    """Fixtures every check uses; see :class:`~ats_reject.testing.AdapterConformance`."""

    adapter_class: ClassVar[type[Adapter[Any]]]
    """The adapter under test. Set it in the subclass."""
    start_time: ClassVar[datetime] = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    """Where the frozen clock starts."""
    read_timeout: ClassVar[float] = 0.2
    """The read timeout (real seconds) used by the timeout check."""

    def adapter_settings(self, sandbox: AdapterSandbox) -> dict[str, Any]:
        """Raw settings for the adapter under test; override to add what the sandbox omits."""
        return sandbox.adapter_settings()

    def make_adapter(self, settings: Mapping[str, Any], clock: FrozenClock) -> Adapter[Any]:
        """Build the adapter under test; override when it needs more than its settings."""
        return self.adapter_class.from_mapping(settings, clock=clock)

    # --- fixtures -------------------------------------------------------------------------

    @pytest.fixture
    def clock(self) -> FrozenClock:
        """The frozen clock shared by the adapter and its sandbox."""
        return FrozenClock(self.start_time)

    @pytest.fixture
    def sandbox(self, clock: FrozenClock) -> Iterator[AdapterSandbox]:
        """The adapter's sandbox, started."""
        with self.adapter_class.sandbox(clock=clock) as sandbox:
            yield sandbox

    @pytest.fixture
    def settings(self, sandbox: AdapterSandbox, leak_guard: LeakGuard) -> dict[str, Any]:
        """Raw settings pointing at the sandbox; their secrets are watched."""
        raw = self.adapter_settings(sandbox)
        validated = self.adapter_class.settings_model.model_validate(raw)
        leak_guard.watch(*_secret_values(validated))
        return raw

    @pytest.fixture
    def adapter(self, settings: dict[str, Any], clock: FrozenClock) -> Iterator[Adapter[Any]]:
        """The adapter under test, pointed at the sandbox."""
        adapter = self.make_adapter(settings, clock)
        try:
            yield adapter
        finally:
            adapter.close()

    @pytest.fixture
    def seed(self, sandbox: AdapterSandbox, leak_guard: LeakGuard) -> Seeder:
        """Seeds applications of canary people."""
        return Seeder(sandbox, leak_guard)

    # --- helpers --------------------------------------------------------------------------

    def require(self, *capabilities: Capability) -> None:
        """Skip the check unless the adapter offers every one of *capabilities*."""
        missing = [c.value for c in capabilities if c not in self.adapter_class.capabilities]
        if missing:
            pytest.skip(f"{self.adapter_class.name} does not offer {', '.join(missing)}")

    @staticmethod
    def expect_error(
        expected: type[ErrorT], call: Callable[[], object], guard: LeakGuard, what: str
    ) -> ErrorT:
        """Run *call*; it must raise *expected* and nothing else, and leak nothing."""
        try:
            outcome = call()
        except expected as error:
            guard.check_error(error, what)
            return error
        except Exception as error:
            guard.check_error(error, what)
            raise AssertionError(
                f"{what}: expected {expected.__name__}, got {type(error).__name__}"
            ) from error
        raise AssertionError(
            f"{what}: expected {expected.__name__}, but it returned {type(outcome).__name__}"
        )

    @staticmethod
    def expect_api_error_fields(error: ApiError, adapter: Adapter[Any], status: int | None) -> None:
        """The error names the adapter and carries the HTTP status (when one arrived)."""
        assert error.adapter == adapter.name, (
            f"{type(error).__name__}.adapter is {error.adapter!r}, expected {adapter.name!r}"
        )
        if status is not None:
            assert error.status == status, (
                f"{type(error).__name__}.status is {error.status!r}, expected {status}"
            )

    @staticmethod
    def check_application(
        application: Application, application_id: str, guard: LeakGuard, what: str
    ) -> None:
        """The right application came back, as a canonical model that leaks nothing."""
        assert isinstance(application, Application), (
            f"{what} returned {type(application).__name__}, not ats_reject.Application"
        )
        assert application.id == application_id, f"{what} returned another application"
        guard.check_object(what, application)


def _secret_values(value: object) -> Iterator[str]:
    """Every ``SecretStr`` inside a settings model, however nested."""
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_values(getattr(value, name))
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _secret_values(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _secret_values(item)
