"""Store throughput: claim, commit the intent, complete, with no channel in between.

Run: ``uv run python bench/bench_store_claim.py [--rows 5000] [--batch 50]
[--postgres-workers 1,2,4] [--sqlite-workers 1]``

Measures what the store costs a dispatcher per message: a claim for each batch of
``--batch`` due actions, then per action ``mark_sending`` and ``complete``, each its own
committed transaction (as the delivery protocol needs: the intent must be durable before the
send). Workers are separate processes (spawn), started and connected before the clock starts;
they all wait on a barrier, and the time runs from its release to the last worker's end.

SQLite uses a temporary file (WAL, ``synchronous=NORMAL``); PostgreSQL uses a fresh schema on
``ATS_REJECT_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
dropped afterwards. Sending itself is measured by the channel benchmarks.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ats_reject.policy import Channel, MessageKind, PlannedAction
from ats_reject.store import Store, upgrade

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
HASH_KEY = "bench-hash-key-0123456789abcdef"
POSTGRES_URL = os.environ.get(
    "ATS_REJECT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _seed(store: Store, rows: int) -> None:
    chunk = 1000
    for start in range(0, rows, chunk):
        store.plan_actions(
            PlannedAction(
                connection="bench",
                application_id=f"app-{n}",
                message_kind=MessageKind.REJECTION,
                decision_version="v1",
                channel=Channel.EMAIL,
                due_at=NOW - timedelta(minutes=1),
                template="rejection",
            )
            for n in range(start, min(start + chunk, rows))
        )


def _worker(
    *,
    url: str,
    schema: str | None,
    batch: int,
    barrier: Barrier,
    results: Queue[tuple[int, float, float]],
) -> None:
    store = Store(url, schema=schema, hash_key=HASH_KEY, pool_size=1)
    store.status_counts()  # connect before the clock starts
    barrier.wait()
    started = time.monotonic()
    done = 0
    while claimed := store.claim_due(NOW, batch, timedelta(minutes=10)):
        for action in claimed:
            store.mark_sending(action.id, action.token, now=NOW)
            store.complete(action.id, action.token, now=NOW)
            done += 1
    results.put((done, started, time.monotonic()))
    store.close()


def _run(url: str, schema: str | None, rows: int, workers: int, batch: int) -> float:
    store = Store(url, schema=schema, hash_key=HASH_KEY)
    upgrade(store)
    _seed(store, rows)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Any = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            kwargs={
                "url": url,
                "schema": schema,
                "batch": batch,
                "barrier": barrier,
                "results": results,
            },
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    done = sum(report[0] for report in reports)
    elapsed = max(report[2] for report in reports) - min(report[1] for report in reports)
    sent = store.status_counts()
    store.close()
    if done != rows or sum(sent.values()) != rows:
        raise SystemExit(f"lost or duplicated work: {done} completed of {rows}")
    return float(rows / elapsed)


def _sqlite(rows: int, workers: int, batch: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        return _run(f"sqlite:///{Path(folder) / 'bench.db'}", None, rows, workers, batch)


def _postgres(rows: int, workers: int, batch: int) -> float:
    engine = sa.create_engine(POSTGRES_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        return _run(POSTGRES_URL, schema, rows, workers, batch)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--sqlite-workers", default="1")
    parser.add_argument("--postgres-workers", default="1,2,4")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs; {args.rows} actions, claimed {args.batch} at a time"
    )
    print("| store | workers | actions/s |")
    print("| --- | --- | --- |")
    for workers in (int(n) for n in args.sqlite_workers.split(",") if n):
        rate = _sqlite(args.rows, workers, args.batch)
        print(f"| SQLite | {workers} | {rate:,.0f} |")
    baseline = None
    for workers in (int(n) for n in args.postgres_workers.split(",") if n):
        rate = _postgres(args.rows, workers, args.batch)
        baseline = baseline or rate
        print(f"| PostgreSQL | {workers} | {rate:,.0f} ({rate / baseline:.2f}x) |")


if __name__ == "__main__":
    main()
