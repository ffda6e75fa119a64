"""Migrations (no drift, idempotent) and how an unreachable store fails."""

from __future__ import annotations

import threading
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import SecretStr

from ats_reject.config import StoreSettings
from ats_reject.errors import ConfigurationError, StoreUnavailableError
from ats_reject.store import (
    Store,
    StoreSchemaError,
    current_revision,
    head_revision,
    metadata,
    upgrade,
)

from .conftest import StoreTarget, rejected_event

PASSWORD = "pw-canary-51f0c3"


def _tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_migrations_create_exactly_the_schema_of_the_metadata(target: StoreTarget) -> None:
    store = target.open()
    assert current_revision(store) is None

    assert upgrade(store) == head_revision()

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert _tables(store) == {*metadata.tables, "alembic_version"}


def test_upgrading_twice_changes_nothing(target: StoreTarget) -> None:
    store = target.open()
    upgrade(store)
    store.record_delivery("greenhouse", "d-1", [rejected_event()])

    assert upgrade(store) == head_revision()
    assert upgrade(target.url, schema=target.schema) == head_revision()

    assert current_revision(target.url, schema=target.schema) == head_revision()
    assert store.record_delivery("greenhouse", "d-1").duplicate
    with store.engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert [row[0] for row in versions] == [head_revision()]


def test_concurrent_upgrades_upgrade_once(target: StoreTarget) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            upgrade(target.url, schema=target.schema)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert current_revision(target.url, schema=target.schema) == head_revision()


def test_a_store_without_its_tables_asks_for_an_upgrade(target: StoreTarget) -> None:
    store = target.open()

    with pytest.raises(StoreSchemaError, match="ats-reject db upgrade"):
        store.record_delivery("greenhouse", "d-1")


def test_an_unwritable_sqlite_path_is_a_store_outage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-directory' / 'store.db'}"
    store = Store(url)

    with pytest.raises(StoreUnavailableError) as caught:
        store.record_delivery("greenhouse", "d-1", [rejected_event()])
    with pytest.raises(StoreUnavailableError):
        upgrade(url)
    assert "SQLITE_CANTOPEN" in str(caught.value)
    assert "no-such-directory" not in str(caught.value)
    store.close()


@pytest.mark.postgres
def test_an_unreachable_postgres_is_a_store_outage_without_the_password(
    postgres_engine: sa.Engine,
) -> None:
    url = postgres_engine.url.set(password=PASSWORD, port=1)
    store = Store(url.render_as_string(hide_password=False))

    with pytest.raises(StoreUnavailableError) as caught:
        store.record_delivery("greenhouse", "d-1", [rejected_event()])
    with pytest.raises(StoreUnavailableError) as upgrading:
        upgrade(url.render_as_string(hide_password=False))

    for error in (caught.value, upgrading.value):
        rendered = "".join(traceback.format_exception(error))
        assert PASSWORD not in rendered
        assert "ada@example.com" not in rendered
    assert PASSWORD not in repr(store)
    assert PASSWORD not in store.display_url
    store.close()


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "mysql://localhost/db", "not a url"],
)
def test_unsupported_store_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        Store(url)


def test_a_schema_name_must_be_an_identifier() -> None:
    with pytest.raises(ConfigurationError):
        Store("postgresql+psycopg://postgres@127.0.0.1/test", schema='x"; DROP TABLE y; --')
    with pytest.raises(ConfigurationError):
        Store("sqlite:///store.db", schema="tenant")


def test_a_store_opens_from_the_store_settings_of_the_configuration(tmp_path: Path) -> None:
    settings = StoreSettings(url=SecretStr(f"sqlite:///{tmp_path / 'configured.db'}"))

    with Store.from_settings(settings, hash_key="0123456789abcdef0123") as store:
        upgrade(store)
        assert store.backend == "sqlite"
        assert not store.record_delivery("greenhouse", "d-1").duplicate
    assert (tmp_path / "configured.db").exists()
