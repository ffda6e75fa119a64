"""An engine over the example adapter's sandbox, a real SQLite store and a Maildir."""

from __future__ import annotations

import importlib.metadata
import mailbox
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ats_reject.adapter import AdapterRegistry
from ats_reject.clock import FrozenClock
from ats_reject.config import Config, ConnectionSettings
from ats_reject.engine import Engine
from ats_reject.store import upgrade
from ats_reject.testing.example_adapter import ExampleAdapter
from ats_reject.testing.example_sandbox import ExampleSandbox

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
"""A Tuesday morning, inside the default send window."""

CONNECTION = "example"


def example_registry() -> AdapterRegistry:
    """A registry holding only the in-repo example adapter."""
    return AdapterRegistry(
        entry_points=[
            importlib.metadata.EntryPoint(
                name="example",
                value="ats_reject.testing.example_adapter:ExampleAdapter",
                group="ats_reject.adapters",
            )
        ]
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[ExampleSandbox]:
    with ExampleSandbox(clock=clock, rate_limit=None) as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, sandbox: ExampleSandbox) -> Config:
    """The embedded defaults (SQLite and a Maildir in tmp_path) plus one example connection."""
    base = Config.default(tmp_path)
    settings = ExampleAdapter.settings_model.model_validate(sandbox.adapter_settings())
    connection = ConnectionSettings(name=CONNECTION, adapter="example", settings=settings)
    return base.model_copy(update={"connections": {CONNECTION: connection}})


@pytest.fixture
def engine(config: Config, clock: FrozenClock) -> Iterator[Engine]:
    built = Engine.from_config(config, clock=clock, registry=example_registry())
    upgrade(built.store)
    try:
        yield built
    finally:
        built.close()


def maildir_messages(config: Config) -> list[mailbox.MaildirMessage]:
    """Every message the Maildir channel delivered."""
    folder = config.mail.maildir.folder
    if not folder.exists():
        return []
    return list(mailbox.Maildir(folder, create=False))
