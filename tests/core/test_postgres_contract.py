"""The PostgreSQL features the store relies on work through the documented URL and driver."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.postgres


def test_postgres_schemas_isolate_tests(postgres_engine: sa.Engine, postgres_schema: str) -> None:
    with postgres_engine.begin() as connection:
        connection.execute(sa.text(f'CREATE TABLE "{postgres_schema}".probe (id int)'))
        tables = connection.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": postgres_schema},
        ).scalars()
        assert list(tables) == ["probe"]


def test_postgres_skip_locked_claims_each_row_once(
    postgres_engine: sa.Engine, postgres_schema: str
) -> None:
    """Two concurrent claimers with FOR UPDATE SKIP LOCKED + UPDATE ... RETURNING never share."""
    table = f'"{postgres_schema}".outbox'
    with postgres_engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {table} (id int primary key, owner text)"))
        connection.execute(sa.text(f"INSERT INTO {table} (id) SELECT generate_series(1, 200)"))
    claim = sa.text(
        f"UPDATE {table} SET owner = :owner WHERE id IN ("  # noqa: S608
        f"SELECT id FROM {table} WHERE owner IS NULL ORDER BY id LIMIT 7 "
        "FOR UPDATE SKIP LOCKED) RETURNING id"
    )
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def worker(owner: str) -> None:
        barrier.wait()
        while True:
            with postgres_engine.begin() as connection:
                ids = list(connection.execute(claim, {"owner": owner}).scalars())
            if not ids:
                return
            claimed[owner].extend(ids)

    threads = [threading.Thread(target=worker, args=(owner,)) for owner in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = claimed["a"] + claimed["b"]
    assert sorted(everything) == list(range(1, 201))
