"""Migrations: Alembic, with its environment inside the package.

:func:`upgrade` is what ``ats-reject db upgrade`` runs. It takes a lock first (PostgreSQL:
an advisory lock; SQLite: ``BEGIN IMMEDIATE``), so several processes upgrading at once
upgrade once; at the head revision it does nothing.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import SecretStr

from ats_reject.store._connect import create_store_engine, is_transient, translate_error
from ats_reject.store._core import StoreCore

__all__ = ["current_revision", "head_revision", "upgrade"]

_logger = logging.getLogger("ats_reject.store")

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An arbitrary constant naming the lock all upgraders of one database take.
_ADVISORY_LOCK = 0x617473_72656A
_ATTEMPTS = 5


def _config() -> Config:
    config = Config()
    # ConfigParser reads "%" as interpolation.
    config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision this version of the library ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its initial revision
        raise RuntimeError("no migration revisions found")
    return head


def _engine_for(target: str | SecretStr | StoreCore, schema: str | None) -> tuple[sa.Engine, bool]:
    if isinstance(target, StoreCore):
        return target.engine, False
    url = target.get_secret_value() if isinstance(target, SecretStr) else target
    return create_store_engine(url, schema=schema), True


def upgrade(
    target: str | SecretStr | StoreCore, *, schema: str | None = None, revision: str = "head"
) -> str:
    """Bring the store's schema to *revision* (the newest by default).

    Args:
        target: A store URL or an open :class:`Store`.
        schema: PostgreSQL, with a URL: the schema to create the tables in (created if
            missing). A :class:`Store` brings its own.
        revision: The revision to reach.

    Returns:
        The revision the database is at afterwards.

    Raises:
        StoreUnavailableError: The database cannot be reached.
    """
    engine, owned = _engine_for(target, schema)
    wanted = schema or (target.schema if isinstance(target, StoreCore) else None)
    try:
        reached = _upgrade_with_retry(engine, wanted, revision)
    finally:
        if owned:
            engine.dispose()
    _logger.info("store schema at revision %s", reached)
    return reached or ""


def _upgrade_with_retry(engine: sa.Engine, schema: str | None, revision: str) -> str | None:
    backend = engine.dialect.name
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return _upgrade_once(engine, schema, revision)
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
            if attempt < _ATTEMPTS and is_transient(exc):
                time.sleep(0.05 * attempt)
                continue
            translated = translate_error(exc, backend=backend, operation="upgrade")
            if translated is None:
                raise
            raise translated from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _upgrade_once(engine: sa.Engine, schema: str | None, revision: str) -> str | None:
    config = _config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK}
            )
            if schema is not None:
                connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return MigrationContext.configure(connection).get_current_revision()


def current_revision(
    target: str | SecretStr | StoreCore, *, schema: str | None = None
) -> str | None:
    """The revision the store's schema is at (``None`` for an empty database)."""
    engine, owned = _engine_for(target, schema)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
        translated = translate_error(exc, backend=engine.dialect.name, operation="current_revision")
        if translated is None:
            raise
        raise translated from exc
    finally:
        if owned:
            engine.dispose()
