"""Alembic environment of the ats-reject store.

Run through :func:`ats_reject.store.upgrade`, which hands over an open connection (already in
a transaction, holding the upgrade lock). Offline mode (``--sql``) renders the DDL for the URL
given as ``sqlalchemy.url``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ats_reject.store._schema import metadata

config = context.config


def _run_online(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    given = config.attributes.get("connection")
    if given is not None:
        _run_online(given)
    else:
        engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
        try:
            with engine.begin() as opened:
                _run_online(opened)
        finally:
            engine.dispose()
