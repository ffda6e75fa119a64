"""Incremental sync of N Greenhouse applications: wall time, and peak memory against N.

The Greenhouse sandbox runs in one child process, seeded with N applications whose
``updated_at`` spread over the sync window; the adapter runs in another child process, so
that its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. The adapter
lists every application changed in the window (``GET /v3/applications?updated_at=gte|..|lte|..
&per_page=500``, then the ``Link`` cursors, id descending) and counts them; the stage plans
of the jobs are read once. RSS is also sampled at each quarter of the listing: it must stay
flat, because the listing streams (one page at a time) and keeps nothing per application.

The sandbox applies no rate limit by default, so the figures are the adapter's own; at
Greenhouse's documented example limit (75 requests per 30 s) the 100,000-application sync
is 200 pages, about three windows (``--limit 75 --window 30`` measures it).

Run: ``uv run python bench/bench_greenhouse_sync.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import requests

from ats_reject.testing import RateLimitRule
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox

START = datetime(2025, 1, 1, tzinfo=UTC)


def serve(conn: Connection, count: int, limit: int | None, window: float) -> None:
    """Server process: seed *count* applications, one second apart, and serve them."""
    rule = RateLimitRule(limit=limit, window_seconds=window) if limit else None
    sandbox = GreenhouseSandbox(rate_limit=rule, page_size=500)
    begun = time.perf_counter()
    sandbox.seed_bulk(count, start=START, spacing=timedelta(seconds=1))
    seeded = time.perf_counter() - begun
    with sandbox:
        conn.send({"settings": sandbox.adapter_settings(), "seed_seconds": seeded})
        conn.recv()
        conn.send(
            {"requests": sandbox.server.count(), "rate_limited": sandbox.server.rate_limited_count}
        )


def sync(
    conn: Connection, settings: dict[str, Any], count: int, limit: int | None, window: float
) -> None:
    """Client process: list the window, count, sample RSS, report."""
    # Without a server limit no X-RateLimit header corrects the client's own starting budget,
    # so it is lifted too; with one, the client starts from Greenhouse's default and learns.
    budget = {} if limit else {"rate_limit": 1_000_000}
    adapter = GreenhouseAdapter.from_mapping({**settings, **budget, "rate_limit_window": window})
    assert isinstance(adapter, GreenhouseAdapter)
    quarters = {count * q // 4 for q in (1, 2, 3)}
    samples: list[float] = []
    seen = 0
    begun = time.perf_counter()
    for _ in adapter.changed_applications(START, until=START + timedelta(seconds=count)):
        seen += 1
        if seen in quarters:
            samples.append(_rss_mb())
    wall = time.perf_counter() - begun
    samples.append(_rss_mb())
    adapter.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send({"seen": seen, "wall": wall, "peak_mb": peak, "samples": samples})


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def run(count: int, limit: int | None, window: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    server_end, server_child = context.Pipe()
    server = context.Process(target=serve, args=(server_child, count, limit, window), daemon=True)
    server.start()
    setup = server_end.recv()
    client_end, client_child = context.Pipe()
    client = context.Process(
        target=sync, args=(client_child, setup["settings"], count, limit, window), daemon=True
    )
    client.start()
    result: dict[str, Any] = client_end.recv()
    client.join(timeout=60)
    server_end.send("stop")
    result.update(server_end.recv())
    result["seed_seconds"] = setup["seed_seconds"]
    server.join(timeout=60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--counts", default="10000,100000", help="sizes (10000,100000)")
    parser.add_argument("--limit", type=int, default=None, help="requests per window (none)")
    parser.add_argument("--window", type=float, default=30.0, help="window seconds (30)")
    args = parser.parse_args()
    print(_machine())
    rows = []
    for count in (int(text) for text in args.counts.split(",")):
        result = run(count, args.limit, args.window)
        assert result["seen"] == count, f"listed {result['seen']} of {count}"
        rows.append((count, result))
    limit = f"{args.limit} per {args.window:g} s" if args.limit else "none"
    print(f"rate limit: {limit}")
    print()
    print("| applications | requests | 429s | wall (s) | applications / s | peak RSS (MB) "
          "| RSS at 25/50/75/100 % (MB) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---|")
    for count, result in rows:
        samples = " / ".join(f"{mb:.1f}" for mb in result["samples"])
        print(
            f"| {count} | {result['requests']} | {result['rate_limited']} | {result['wall']:.2f} "
            f"| {count / result['wall']:.0f} | {result['peak_mb']:.1f} | {samples} |"
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
