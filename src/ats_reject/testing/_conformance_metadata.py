"""Conformance checks of an adapter's class: metadata, registration, settings, capabilities."""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import re
import typing
from typing import Any

import pytest

from ats_reject.adapter import (
    ENTRY_POINT_GROUP,
    Adapter,
    AdapterRegistry,
    AdapterSettings,
    Capability,
)
from ats_reject.clock import FrozenClock
from ats_reject.errors import CapabilityNotSupportedError, ConfigurationError
from ats_reject.models import EventKind
from ats_reject.testing._conformance_base import ConformanceBase
from ats_reject.testing._fakeserver_model import Fault
from ats_reject.testing.leakguard import LeakGuard
from ats_reject.testing.sandbox import OPERATIONS, AdapterSandbox

__all__ = ["MetadataChecks"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SECRET_FIELD = re.compile(r"(?i)(key|secret|token|password|credential)")

# The optional methods, how to call them, and the capability that announces each.
_OPTIONAL_CALLS: tuple[tuple[Capability, str, tuple[Any, ...], dict[str, Any]], ...] = (
    (Capability.REJECT, "reject", ("1",), {"reason_id": "1"}),
    (Capability.UNREJECT, "unreject", ("1",), {}),
    (Capability.NOTES, "add_note", ("1", "note"), {}),
    (Capability.TAGS, "add_tag", ("1", "tag"), {}),
    (Capability.REJECTION_REASONS, "rejection_reasons", (), {}),
    (Capability.JOB_STAGES, "job_stages", ("1",), {}),
)


class _PreloadedEntryPoint(importlib.metadata.EntryPoint):
    """An entry point that loads a class already in hand (it may live in a test module)."""

    _target: type[Any]

    def load(self) -> Any:
        return self._target


class MetadataChecks(ConformanceBase):
    """The class honours the adapter contract before any call is made."""

    def test_class_attributes_are_valid(self) -> None:
        """``name``, ``display_name``, ``capabilities`` and ``settings_model`` are usable."""
        cls = self.adapter_class
        assert isinstance(cls, type), "adapter_class must be a class"
        assert issubclass(cls, Adapter), "the adapter must subclass ats_reject.Adapter"
        assert isinstance(cls.name, str), "name must be a str"
        assert _NAME.fullmatch(cls.name), f"name {cls.name!r} must match [a-z][a-z0-9_]*"
        assert isinstance(cls.display_name, str), "display_name must be a str"
        assert cls.display_name.strip(), "display_name must not be empty"
        assert isinstance(cls.capabilities, frozenset), "capabilities must be a frozenset"
        for capability in cls.capabilities:
            assert isinstance(capability, Capability), f"{capability!r} is not a Capability"
        assert isinstance(cls.settings_model, type), "settings_model must be a class"
        assert issubclass(cls.settings_model, AdapterSettings), (
            "settings_model must subclass ats_reject.AdapterSettings"
        )
        assert not inspect.isabstract(cls), (
            f"abstract methods left: {sorted(getattr(cls, '__abstractmethods__', ()))}"
        )
        if Capability.NATIVE_EMAIL in cls.capabilities:
            assert Capability.REJECT in cls.capabilities, "native_email needs reject"

    def test_registry_accepts_the_adapter(self) -> None:
        """The registry's load-time validation accepts the class under its name."""
        cls = self.adapter_class
        entry_point = _PreloadedEntryPoint(
            name=cls.name, value=f"{cls.__module__}:{cls.__qualname__}", group=ENTRY_POINT_GROUP
        )
        object.__setattr__(entry_point, "_target", cls)
        registry = AdapterRegistry(entry_points=[entry_point])
        assert registry.names() == [cls.name]
        assert registry.load(cls.name) is cls

    def test_installed_entry_point_loads_this_class(self) -> None:
        """When the adapter's distribution is installed, its entry point loads this class."""
        cls = self.adapter_class
        installed = [
            entry_point
            for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
            if entry_point.name == cls.name
        ]
        if not installed:
            pytest.skip(f"no installed entry point named {cls.name!r}")
        loaded = AdapterRegistry(entry_points=installed[:1]).load(cls.name)
        assert issubclass(cls, loaded), f"the installed {cls.name!r} is another class"

    def test_secret_settings_are_secret_str(self) -> None:
        """Settings whose name says key, secret, token or password are ``SecretStr``."""
        hints = typing.get_type_hints(self.adapter_class.settings_model)
        for name in self.adapter_class.settings_model.model_fields:
            if not _SECRET_FIELD.search(name) or name.endswith(("_id", "_ids", "_url", "_name")):
                continue
            annotation = str(hints.get(name))
            assert "SecretStr" in annotation, f"setting {name!r} holds a secret: use SecretStr"

    def test_settings_validate_and_show_no_secret(
        self, settings: dict[str, Any], clock: FrozenClock, leak_guard: LeakGuard
    ) -> None:
        """The sandbox's settings validate; reprs and errors never show a secret."""
        validated = self.adapter_class.settings_model.model_validate(settings)
        leak_guard.check_object("the settings", validated)
        adapter = self.make_adapter(settings, clock)
        try:
            leak_guard.check_object("the adapter", adapter)
            leak_guard.check_object("the adapter's settings", adapter.settings)
        finally:
            adapter.close()
        bad = {**settings, "conformance_unknown_setting": "conformance-value"}
        error = self.expect_error(
            ConfigurationError,
            lambda: self.adapter_class.from_mapping(bad, clock=clock),
            leak_guard,
            "settings with an unknown key",
        )
        assert "conformance-value" not in str(error), "a settings error echoes a value"

    def test_capabilities_match_the_methods(
        self, adapter: Adapter[Any], leak_guard: LeakGuard
    ) -> None:
        """Announced operations are implemented; the others raise CapabilityNotSupportedError."""
        cls = type(adapter)
        for capability, method, args, kwargs in _OPTIONAL_CALLS:
            if capability in cls.capabilities:
                assert getattr(cls, method) is not getattr(Adapter, method), (
                    f"{capability.value} is announced but {method}() is not implemented"
                )
            else:
                self.expect_error(
                    CapabilityNotSupportedError,
                    functools.partial(getattr(adapter, method), *args, **kwargs),
                    leak_guard,
                    f"{method}() without {capability.value}",
                )

    def test_sandbox_honours_the_protocol(
        self, sandbox: AdapterSandbox, settings: dict[str, Any]
    ) -> None:
        """The sandbox is an AdapterSandbox that covers what the capabilities need."""
        caps = self.adapter_class.capabilities
        assert isinstance(sandbox, AdapterSandbox), "sandbox() must return an AdapterSandbox"
        assert sandbox.base_url.startswith("http://127.0.0.1:"), "the sandbox runs on 127.0.0.1"
        assert sandbox.page_size >= 1, "page_size must be at least 1"
        if Capability.WEBHOOKS in caps:
            assert EventKind.REJECTED in sandbox.webhook_kinds, "webhooks must cover REJECTED"
            secrets = self.adapter_class.settings_model.model_validate(settings).webhook_secrets
            assert len(secrets) >= 2, "adapter_settings() must give two webhook secrets"
        needed = {"get_application"}
        for capability, operation in (
            (Capability.SYNC, "changed_applications"),
            (Capability.REJECT, "reject"),
            (Capability.UNREJECT, "unreject"),
            (Capability.NOTES, "add_note"),
            (Capability.TAGS, "add_tag"),
        ):
            if capability in caps:
                needed.add(operation)
        assert needed <= OPERATIONS
        with pytest.raises(KeyError):
            sandbox.inject_fault("conformance_no_such_operation", Fault.status(500))
        for operation in sorted(needed):
            assert sandbox.calls(operation) == 0, f"calls({operation!r}) must start at 0"
            assert sandbox.applied_writes(operation) == 0
        sandbox.clear_faults()

    def test_secrets_are_watched(self, settings: dict[str, Any], leak_guard: LeakGuard) -> None:
        """The settings hold at least one secret, so the leak checks have something to find."""
        assert leak_guard.canary_count >= 1, "no SecretStr found in the sandbox's settings"
        assert isinstance(settings, dict)
        assert all(isinstance(key, str) for key in settings)
