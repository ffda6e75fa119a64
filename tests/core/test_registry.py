from __future__ import annotations

import importlib.metadata
import textwrap
from pathlib import Path

import pytest

from ats_reject import (
    ENTRY_POINT_GROUP,
    AdapterLoadError,
    AdapterNotFoundError,
    AdapterRegistry,
    Capability,
    CapabilityNotSupportedError,
    ConfigurationError,
)

MODULE = textwrap.dedent(
    '''
    from ats_reject import Adapter, AdapterSettings, Capability

    LOADED = []

    class Settings(AdapterSettings):
        api_key: str

    class Good(Adapter[Settings]):
        """A minimal adapter that honours the contract."""

        name = "good"
        display_name = "Good ATS"
        capabilities = frozenset({Capability.WEBHOOKS})
        settings_model = Settings

        def verify_webhook(self, headers, body):
            return None

        def parse_webhook(self, headers, body):
            raise NotImplementedError

        def get_application(self, application_id):
            raise NotImplementedError

        def changed_applications(self, since):
            return iter(())

        @classmethod
        def sandbox(cls, *, clock=None):
            raise NotImplementedError

    class WrongName(Good):
        name = "something-else"

    class BadCapabilities(Good):
        capabilities = {"webhooks"}

    class Incomplete(Adapter[Settings]):
        name = "incomplete"
        display_name = "Incomplete"
        capabilities = frozenset()
        settings_model = Settings

    class NotAnAdapter:
        name = "plain"

    LOADED.append("module imported")
    '''
)


@pytest.fixture
def adapters_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"registry_probe_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def entry(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_names_are_listed_without_importing(adapters_module: str) -> None:
    import sys

    registry = AdapterRegistry(
        [entry("good", f"{adapters_module}:Good"), entry("zed", "no.such:X")]
    )
    assert registry.names() == ["good", "zed"]
    assert adapters_module not in sys.modules


def test_load_validates_and_caches(adapters_module: str) -> None:
    registry = AdapterRegistry([entry("good", f"{adapters_module}:Good")])
    adapter_class = registry.load("good")
    assert adapter_class.display_name == "Good ATS"
    assert registry.load("good") is adapter_class


@pytest.mark.parametrize(
    ("registered_as", "target", "message"),
    [
        ("good", "WrongName", "calls itself 'something-else' but is registered as 'good'"),
        ("good", "BadCapabilities", "capabilities must be a frozenset of Capability"),
        ("incomplete", "Incomplete", "does not implement: changed_applications"),
        ("plain", "NotAnAdapter", "is not a subclass of ats_reject.Adapter"),
    ],
)
def test_load_refuses_adapters_that_break_the_contract(
    adapters_module: str, registered_as: str, target: str, message: str
) -> None:
    registry = AdapterRegistry([entry(registered_as, f"{adapters_module}:{target}")])
    with pytest.raises(AdapterLoadError) as info:
        registry.load(registered_as)
    assert message in str(info.value)
    assert isinstance(info.value, ConfigurationError)


def test_import_failure_is_a_load_error() -> None:
    registry = AdapterRegistry([entry("ghost", "ats_reject_no_such_module:Adapter")])
    with pytest.raises(AdapterLoadError, match="failed to import: ModuleNotFoundError"):
        registry.load("ghost")


def test_unknown_name_lists_installed_adapters(adapters_module: str) -> None:
    registry = AdapterRegistry([entry("good", f"{adapters_module}:Good"), entry("lever", "x:Y")])
    with pytest.raises(AdapterNotFoundError) as info:
        registry.load("workday")
    assert "workday" in str(info.value)
    assert "installed: good, lever" in str(info.value)


def test_create_validates_settings_without_echoing_values(adapters_module: str) -> None:
    registry = AdapterRegistry([entry("good", f"{adapters_module}:Good")])
    adapter = registry.create("good", {"api_key": "k-123", "webhook_secrets": ["s" * 32]})
    try:
        assert adapter.supports(Capability.WEBHOOKS)
        assert not adapter.supports(Capability.REJECT)
        assert "k-123" not in repr(adapter)
        assert "s" * 32 not in repr(adapter.settings)
        with pytest.raises(CapabilityNotSupportedError, match="'good' does not support 'reject'"):
            adapter.reject("a-1", reason_id="r")
    finally:
        adapter.close()
    with pytest.raises(ConfigurationError) as info:
        registry.create(
            "good",
            {"api_key": "secret-value-123", "surprise": "secret-value-456"},
            key_path="connections.acme",
        )
    text = str(info.value)
    assert text.startswith("connections.acme: invalid settings for adapter 'good'")
    assert "surprise" in text
    assert "secret-value" not in text


def test_default_registry_reads_installed_entry_points() -> None:
    installed = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert set(AdapterRegistry().names()) == installed
