"""Incremental sync of 100,000 Lever opportunities: peak memory, completeness and time.

The Lever sandbox runs in a child process with N realistic opportunities (varied stages,
postings, origins; about 40 % archived, some as hired) and Lever's token bucket (R = 10/s,
B = 20 by default, ``--scale`` multiplies both). While the sync runs, a thread in the child
keeps changing random opportunities (``--churn`` per second), as recruiters would.

This process runs ``LeverAdapter.changed_applications(since)`` over everything
(100 per page, ``expand=applications,stage,owner``) and keeps only a set of the ids it saw,
to check that every opportunity came exactly once. Its peak RSS (``ru_maxrss``, which does
not include the child) is reported; the target is under 200 MB.

Opportunities changed during the run have an ``updatedAt`` after the run's start, which is
the listing's end bound; they are left for the next run, and do not count as missing.

Run: ``uv run python bench/bench_lever_sync.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import threading
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import requests

from ats_reject_lever import LeverAdapter
from ats_reject_lever._mapping import to_millis
from ats_reject_lever.sandbox import LeverSandbox


def serve(conn: Connection, count: int, rate: float, burst: int, churn: float) -> None:
    """Child process: seed, serve, change opportunities while told to, then report."""
    sandbox = LeverSandbox(page_size=100, rate_limit=(rate, burst))
    ids = sandbox.seed_realistic(count, seed=42)
    stop = threading.Event()
    changed: list[tuple[str, int]] = []

    def keep_changing() -> None:
        rng = random.Random(7)
        while not stop.wait(1.0 / churn):
            opportunity_id = rng.choice(ids)
            sandbox.change(opportunity_id)
            changed.append((opportunity_id, sandbox.api.opportunities[opportunity_id].updated_at))

    with sandbox:
        conn.send(sandbox.adapter_settings())
        conn.recv()  # the sync starts
        churner = threading.Thread(target=keep_changing, daemon=True)
        if churn > 0:
            churner.start()
        run_start_ms: int = conn.recv()  # the sync is done
        stop.set()
        if churn > 0:
            churner.join()
        late = {oid for oid, updated in changed if updated > run_start_ms}
        conn.send(
            {
                "ids": ids,
                "changed_during_run": sorted(late),
                "pages": sandbox.server.count("list_opportunities"),
                "requests": sandbox.server.count(),
                "rate_limited": sandbox.rate_limited,
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000, help="opportunities (100000)")
    parser.add_argument("--scale", type=float, default=1.0, help="limit multiplier (1: Lever)")
    parser.add_argument("--churn", type=float, default=5.0, help="changes per second (5)")
    args = parser.parse_args()
    rate, burst = 10.0 * args.scale, round(20 * args.scale)

    print(_machine())
    print(
        f"N={args.count} opportunities, token bucket R={rate:g}/s B={burst}, churn {args.churn:g}/s"
    )
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=serve, args=(child, args.count, rate, burst, args.churn), daemon=True
    )
    seeding = time.perf_counter()
    process.start()
    settings: dict[str, Any] = parent.recv()
    print(f"sandbox seeded in {time.perf_counter() - seeding:.1f} s")
    adapter = LeverAdapter.from_mapping(settings)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    since = datetime.now(UTC) - timedelta(days=1)
    seen: set[str] = set()
    duplicates = 0
    statuses: dict[str, int] = {}
    parent.send("start")
    started = time.perf_counter()
    run_start = datetime.now(UTC)
    for application in adapter.changed_applications(since):
        if application.id in seen:
            duplicates += 1
        seen.add(application.id)
        statuses[application.status.value] = statuses.get(application.status.value, 0) + 1
    wall = time.perf_counter() - started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parent.send(to_millis(run_start))
    stats: dict[str, Any] = parent.recv()
    process.join(timeout=60)
    adapter.close()

    expected = set(stats["ids"])
    late = set(stats["changed_during_run"])
    missing = expected - seen - late
    ideal = stats["requests"] / rate
    print(f"statuses: {statuses}; changed during the run (left for the next): {len(late)}")
    print()
    print(
        "| opportunities | pages | requests | listed | duplicates | missing | wall (s) "
        "| ideal (s) | 429s | peak RSS (MB) | RSS before sync (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.count} | {stats['pages']} | {stats['requests']} | {len(seen)} | {duplicates} "
        f"| {len(missing)} | {wall:.1f} | {ideal:.1f} | {stats['rate_limited']} "
        f"| {rss_peak / 1024:.1f} | {rss_before / 1024:.1f} |"
    )


def _machine() -> str:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"requests {requests.__version__}"
    )


if __name__ == "__main__":
    main()
