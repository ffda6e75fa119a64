"""The :class:`Store`: every operation of the inbox, the outbox and the privacy tables."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ats_reject.clock import Clock
from ats_reject.store._housekeeping import HousekeepingOperations

if TYPE_CHECKING:
    from pydantic import SecretStr

    from ats_reject.config import StoreSettings

__all__ = ["Store"]


class Store(HousekeepingOperations):
    """The library's database: SQLite for one machine, PostgreSQL for many workers.

    Every operation runs in one transaction and returns plain frozen dataclasses. A
    connection or lock failure raises :class:`~ats_reject.errors.StoreUnavailableError`
    (never with the URL's password); missing tables raise :class:`StoreSchemaError`, a
    subclass: run :func:`ats_reject.store.upgrade` first.

    Example::

        store = Store("sqlite:///ats-reject.db")
        upgrade(store)
        receipt = store.record_delivery("greenhouse", delivery.delivery_id, delivery.events)
        for claimed in store.claim_due(clock.now(), limit=50, lease=timedelta(minutes=5)):
            ...

    See :class:`~ats_reject.store._core.StoreCore` for the constructor's arguments.
    """

    @classmethod
    def from_settings(
        cls,
        settings: StoreSettings,
        *,
        clock: Clock | None = None,
        hash_key: str | bytes | SecretStr | None = None,
        message_id_domain: str = "ats-reject.invalid",
        max_attempts: int = 5,
        give_up_after: timedelta | None = timedelta(days=7),
    ) -> Store:
        """Open the store the ``[store]`` section of ``ats-reject.toml`` names."""
        return cls(
            settings.url,
            clock=clock,
            hash_key=hash_key,
            message_id_domain=message_id_domain,
            max_attempts=max_attempts,
            give_up_after=give_up_after,
        )

    def __enter__(self) -> Store:
        """Use the store as a context manager that closes it."""
        return self
