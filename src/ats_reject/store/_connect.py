"""Opening the store's database, and turning driver failures into the library's errors.

SQLite gets WAL, a busy timeout, foreign keys and secure deletion on every connection, and
every writing transaction starts with ``BEGIN IMMEDIATE``: pysqlite's own transaction
handling is switched off and the ``begin`` event emits the statement itself (the recipe the
SQLAlchemy pysqlite documentation gives). A deferred transaction that reads and then writes
can fail with ``SQLITE_BUSY`` whatever the busy timeout, because its read snapshot cannot be
upgraded; an immediate one waits for the write lock up front instead.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from ats_reject.errors import ConfigurationError, StoreUnavailableError

__all__ = [
    "BEGIN_OPTION",
    "StoreSchemaError",
    "create_store_engine",
    "is_transient",
    "safe_url",
    "translate_error",
]

BEGIN_OPTION = "ats_reject_begin"
"""Execution option naming the SQLite ``BEGIN`` mode; ``IMMEDIATE`` unless a read says not."""

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_BEGIN_MODES = frozenset({"IMMEDIATE", "DEFERRED", "EXCLUSIVE"})
_SQLITE_RETURNING = (3, 35, 0)

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
# PostgreSQL SQLSTATEs worth retrying the whole transaction for.
_PG_RETRY = frozenset({"40001", "40P01", "55P03"})
_PG_UNDEFINED_TABLE = "42P01"
_PG_UNDEFINED_COLUMN = "42703"


class StoreSchemaError(StoreUnavailableError):
    """The store's tables are missing or older than this version of the library.

    Run ``ats-reject db upgrade`` (or :func:`ats_reject.store.upgrade`). It is a
    :class:`StoreUnavailableError`, so a webhook receiver answers 503 and the vendor retries
    until the schema is in place.
    """


def safe_url(url: sa.URL) -> str:
    """The URL with any password masked, for reprs and messages."""
    return url.render_as_string(hide_password=True)


def create_store_engine(
    url: str | sa.URL,
    *,
    schema: str | None = None,
    busy_timeout: float = 30.0,
    pool_size: int = 5,
    connect_timeout: int = 10,
) -> sa.Engine:
    """Create the engine for a store URL (``sqlite:///path`` or ``postgresql+psycopg://...``).

    Args:
        url: The store URL. ``postgresql://`` and ``postgres://`` are read as psycopg 3.
        schema: PostgreSQL only: the schema holding the tables (put first on the search path).
        busy_timeout: SQLite only: seconds a writer waits for the write lock.
        pool_size: Connections kept open per process.
        connect_timeout: PostgreSQL only: seconds to wait for a connection.

    Raises:
        ConfigurationError: The URL is malformed, names another database, names an
            in-memory SQLite database, or the schema name is not a plain identifier.
    """
    try:
        parsed = sa.make_url(url) if isinstance(url, str) else url
    except sa.exc.ArgumentError:
        raise ConfigurationError("not a database URL", key_path="store.url") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise ConfigurationError("a schema can only be given for PostgreSQL")
        return _sqlite_engine(parsed, busy_timeout=busy_timeout, pool_size=pool_size)
    if backend in {"postgresql", "postgres"}:
        return _postgres_engine(
            parsed, schema=schema, pool_size=pool_size, connect_timeout=connect_timeout
        )
    raise ConfigurationError(
        f"unsupported store {backend!r}: use sqlite:///path or postgresql+psycopg://...",
        key_path="store.url",
    )


def _sqlite_engine(url: sa.URL, *, busy_timeout: float, pool_size: int) -> sa.Engine:
    if sqlite3.sqlite_version_info < _SQLITE_RETURNING:
        raise ConfigurationError(
            f"SQLite {sqlite3.sqlite_version} is too old: the store needs 3.35 or later "
            "(UPDATE ... RETURNING)"
        )
    database = url.database or ""
    if database in {"", ":memory:"} or database.startswith("file::memory:"):
        raise ConfigurationError(
            "an in-memory SQLite store loses everything on exit and cannot be shared: "
            "give a file path (sqlite:///ats-reject.db)",
            key_path="store.url",
        )
    engine = sa.create_engine(
        url,
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=2 * pool_size,
        pool_timeout=busy_timeout,
    )
    busy_ms = int(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            _use_wal(cursor, busy_timeout)
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Deleted rows are overwritten, so an erased person is not left in free pages.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _use_wal(cursor: Any, busy_timeout: float) -> None:
    """Switch the database file to WAL once; it stays so for every later connection.

    Changing the journal mode needs the file to itself, and SQLite reports ``SQLITE_BUSY``
    for it at once instead of waiting, so a fresh file opened by several processes retries.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if _sqlite_code(exc) != _SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _postgres_engine(
    url: sa.URL, *, schema: str | None, pool_size: int, connect_timeout: int
) -> sa.Engine:
    url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {
        "connect_timeout": connect_timeout,
        "application_name": "ats-reject",
    }
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ConfigurationError("a schema name is letters, digits and _ only")
        connect_args["options"] = f"-c search_path={schema}"
    return sa.create_engine(
        url,
        connect_args=connect_args,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=2 * pool_size,
    )


def _sqlite_code(orig: BaseException | None) -> int | None:
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _sqlstate(orig: BaseException | None) -> str | None:
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the whole transaction may succeed: lock waits, deadlocks, conflicts."""
    if not isinstance(exc, sa.exc.DBAPIError) or exc.connection_invalidated:
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return _sqlite_code(orig) in {_SQLITE_BUSY, _SQLITE_LOCKED}
    return _sqlstate(orig) in _PG_RETRY


def translate_error(exc: BaseException, *, backend: str, operation: str) -> Exception | None:
    """The library error for a driver failure, or ``None`` when it is a bug to let through.

    Messages name the backend, the operation and the driver's error class or code only: no
    URL, no SQL parameters, no row content.
    """
    if isinstance(exc, sa.exc.TimeoutError):
        return StoreUnavailableError(
            f"store unavailable during {operation}: {backend} connection pool exhausted"
        )
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    orig = exc.orig
    sqlite_name = getattr(orig, "sqlite_errorname", None)
    state = _sqlstate(orig)
    code = sqlite_name if isinstance(sqlite_name, str) else state
    what = f"{type(orig).__name__}" + (f" {code}" if code else "")
    if (isinstance(orig, sqlite3.OperationalError) and _missing_table(orig)) or state in {
        _PG_UNDEFINED_TABLE,
        _PG_UNDEFINED_COLUMN,
    }:
        return StoreSchemaError(
            f"store schema missing or outdated during {operation} ({backend}, {what}): "
            "run `ats-reject db upgrade`"
        )
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or (
        exc.connection_invalidated
    ):
        return StoreUnavailableError(f"store unavailable during {operation} ({backend}, {what})")
    return None


def _missing_table(orig: sqlite3.OperationalError) -> bool:
    text = str(orig)
    return text.startswith(("no such table", "no such column"))
