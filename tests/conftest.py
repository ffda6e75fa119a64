"""Fixtures shared by the core tests: real PostgreSQL and SQLite stores.

PostgreSQL tests use ``ATS_REJECT_TEST_POSTGRES_URL`` or the local default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. Each test gets a fresh schema, dropped
afterwards. On a laptop without PostgreSQL they skip with a clear reason; when ``CI`` is set
an unreachable server fails the test instead, and ``.ci/run`` also refuses any PostgreSQL skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The URL of the PostgreSQL server the tests use."""
    return os.environ.get("ATS_REJECT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[sa.Engine]:
    """An engine on the test server; skips (locally) or fails (CI) when it is unreachable."""
    engine = sa.create_engine(postgres_url(), pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL unreachable at {engine.url.render_as_string(hide_password=True)}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} and CI is set: PostgreSQL tests must run ({type(exc).__name__})")
        pytest.skip(f"{reason}; set ATS_REJECT_TEST_POSTGRES_URL to run the postgres tests")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_schema(postgres_engine: sa.Engine) -> Iterator[str]:
    """A fresh, empty schema for one test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with postgres_engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
