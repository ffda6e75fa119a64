"""The store's plumbing: engine, transactions with retry, keyed hashes, audit rows."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.dialects import postgresql, sqlite

from ats_reject._redact import sanitize_log_value
from ats_reject.clock import Clock, SystemClock, ensure_aware
from ats_reject.store._connect import (
    BEGIN_OPTION,
    create_store_engine,
    is_transient,
    safe_url,
    translate_error,
)
from ats_reject.store._schema import audit_log, store_meta, suppressions
from ats_reject.store._types import REFUSE_PLANNING, SuppressionKind

__all__ = ["StoreCore"]

_T = TypeVar("_T")
_logger = logging.getLogger("ats_reject.store")

_TRANSACTION_ATTEMPTS = 5
_HASH_KEY_NAME = "hash_key"
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_SEPARATOR = "\x1f"


class StoreCore:
    """Engine, transactions and hashing shared by every group of store operations.

    Args:
        url: ``sqlite:///path/to/file.db`` (the default store) or
            ``postgresql+psycopg://user:password@host/db``; a ``SecretStr`` is accepted.
        schema: PostgreSQL only: the schema holding the tables.
        clock: Time for the rows' bookkeeping times (``now`` arguments override it).
        hash_key: The key of the keyed hashes kept in suppressions and consents. Give a
            secret from the environment; without one, a random key is generated and kept in
            the store itself (hashes then protect less against someone holding a copy of
            the database).
        message_id_domain: The right-hand side of generated ``Message-ID`` values (the
            sending domain).
        max_attempts: Attempts an action gets before it is dead.
        give_up_after: Retries are not scheduled later than this after an action's due time
            (``None``: attempts alone bound it).
        busy_timeout: SQLite: seconds a writer waits for the lock.
        pool_size: Connections kept per process.
    """

    def __init__(
        self,
        url: str | SecretStr | sa.URL,
        *,
        schema: str | None = None,
        clock: Clock | None = None,
        hash_key: str | bytes | SecretStr | None = None,
        message_id_domain: str = "ats-reject.invalid",
        max_attempts: int = 5,
        give_up_after: timedelta | None = timedelta(days=7),
        busy_timeout: float = 30.0,
        pool_size: int = 5,
    ) -> None:
        raw = url.get_secret_value() if isinstance(url, SecretStr) else url
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not _DOMAIN.match(message_id_domain):
            raise ValueError("message_id_domain must be a host name")
        self._engine = create_store_engine(
            raw, schema=schema, busy_timeout=busy_timeout, pool_size=pool_size
        )
        self._read_engine = self._engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})
        self.backend: str = self._engine.dialect.name
        """``sqlite`` or ``postgresql``."""
        self.schema = schema
        self.clock: Clock = clock or SystemClock()
        self.message_id_domain = message_id_domain
        self.max_attempts = max_attempts
        self.give_up_after = give_up_after
        self._configured_key = _key_bytes(hash_key)
        self._hash_key_cache: bytes | None = self._configured_key

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for migrations and diagnostics)."""
        return self._engine

    @property
    def display_url(self) -> str:
        """The store URL with any password masked."""
        return safe_url(self._engine.url)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> StoreCore:
        """Use the store as a context manager that closes it."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the store."""
        self.close()

    def __repr__(self) -> str:
        """Backend and URL without password."""
        schema = f", schema={self.schema!r}" if self.schema else ""
        return f"Store({self.display_url!r}{schema})"

    # -- transactions -------------------------------------------------------------------

    def _write(self, operation: str, work: Callable[[sa.Connection], _T]) -> _T:
        """Run *work* in one writing transaction (``BEGIN IMMEDIATE`` on SQLite).

        Lock timeouts, deadlocks and serialization failures retry the whole transaction a
        few times; other connection failures raise :class:`StoreUnavailableError`.
        """
        return self._run(self._engine, operation, work)

    def _read(self, operation: str, work: Callable[[sa.Connection], _T]) -> _T:
        """Run *work* in one read-only transaction."""
        return self._run(self._read_engine, operation, work)

    def _run(self, engine: sa.Engine, operation: str, work: Callable[[sa.Connection], _T]) -> _T:
        attempt = 0
        while True:
            attempt += 1
            try:
                with engine.begin() as connection:
                    return work(connection)
            except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
                if attempt < _TRANSACTION_ATTEMPTS and is_transient(exc):
                    _logger.debug("store %s: transient conflict, attempt %d", operation, attempt)
                    # Contention backoff, not scheduling: real time, not the injected clock.
                    time.sleep(random.uniform(0.005, 0.02) * 2**attempt)  # noqa: S311
                    continue
                translated = translate_error(exc, backend=self.backend, operation=operation)
                if translated is None:
                    raise
                _logger.warning("store %s failed: %s", operation, translated)
                raise translated from exc

    def _now(self, now: datetime | None) -> datetime:
        return ensure_aware(now) if now is not None else self.clock.now()

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that knows ``ON CONFLICT`` for this backend."""
        if self.backend == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # -- keyed hashes -------------------------------------------------------------------

    def _key(self) -> bytes:
        if self._hash_key_cache is None:
            self._hash_key_cache = self._write("hash_key", _load_or_create_key(self))
        return self._hash_key_cache

    def keyed_hash(self, kind: SuppressionKind, *parts: str) -> str:
        """The keyed hash the store keeps for a person, address, application or action key.

        Args:
            kind: What is hashed (part of the hashed text, so kinds never collide).
            parts: The identifying values; addresses are normalised to lower case.
        """
        address = kind is SuppressionKind.ADDRESS
        values = [part.strip().lower() for part in parts] if address else list(parts)
        text = _SEPARATOR.join([kind.value, *values]).encode()
        return hmac.new(self._key(), text, hashlib.sha256).hexdigest()

    def _refused(self, connection: sa.Connection, hashes: Iterable[str]) -> set[str]:
        """Those of *hashes* that stop planning for good (erased, purged after retention)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return set()
        rows = connection.execute(
            sa.select(suppressions.c.key_hash).where(
                suppressions.c.key_hash.in_(wanted),
                suppressions.c.reason.in_([reason.value for reason in REFUSE_PLANNING]),
            )
        )
        return set(rows.scalars())

    # -- audit --------------------------------------------------------------------------

    def _audit(self, connection: sa.Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        entries = [
            {
                "at": row["at"],
                "event": row["event"],
                "connection": row.get("connection"),
                "application_id": row.get("application_id"),
                "candidate_id": row.get("candidate_id"),
                "action_ref": row.get("action_ref"),
                "detail": _safe_detail(row.get("detail")),
            }
            for row in rows
        ]
        if entries:
            connection.execute(audit_log.insert(), entries)


def _safe_detail(detail: object) -> str | None:
    if detail is None:
        return None
    return safe_text(str(detail))


def _key_bytes(key: str | bytes | SecretStr | None) -> bytes | None:
    if key is None:
        return None
    if isinstance(key, SecretStr):
        key = key.get_secret_value()
    data = key.encode() if isinstance(key, str) else key
    if len(data) < 16:
        raise ValueError("hash_key must be at least 16 bytes")
    return data


def _load_or_create_key(store: StoreCore) -> Callable[[sa.Connection], bytes]:
    def work(connection: sa.Connection) -> bytes:
        statement = store._insert(store_meta).values(
            name=_HASH_KEY_NAME, value=secrets.token_hex(32)
        )
        connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
        value = connection.execute(
            sa.select(store_meta.c.value).where(store_meta.c.name == _HASH_KEY_NAME)
        ).scalar_one()
        return bytes.fromhex(value)

    return work


def new_token() -> str:
    """A fresh random claim token."""
    return secrets.token_hex(16)


_ADDRESS = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+")


def safe_text(text: str, *, max_length: int = 480) -> str:
    """Short operator text (an SMTP reply, a reason) fit for a row and a log.

    Addresses are masked and control characters neutralised; numbers are kept, because
    enhanced status codes such as ``4.7.1`` are the point of the text.
    """
    cleaned = sanitize_log_value(_ADDRESS.sub("[email]", text))
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1] + "…"
    return cleaned
