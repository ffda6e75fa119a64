"""Bulk reject of N Greenhouse applications through GreenhouseAdapter.reject, under the limit.

The Greenhouse sandbox runs in a child process (so the server and the client do not share
one interpreter lock) and enforces Harvest v3's rate limit per OAuth client: a fixed window
(30 s at Greenhouse, https://harvestdocs.greenhouse.io/docs/api-rate-limiting) with
``X-RateLimit-Limit/-Remaining/-Reset`` on every answer and 429 + ``Retry-After`` past it.
Time is scaled down: the window is ``--window`` seconds (default 2) and the limit is chosen
so that the ideal run is about ``--target`` seconds (default 20) for the requests a reject
makes; the adapter is told the same window (``rate_limit_window``), as it is told 30 s in
production.

Each ``reject`` reads the application (``GET /v3/applications?ids=``), posts the rejection
(``POST /v3/applications/{id}/reject``) and reads the result back (application, candidate,
stages visited, rejection details); reference data (job, plan, users, reasons, sources) and
the token are fetched once. The ideal time is every request at the limit,
``requests / L * W``; a client that spends its first window at once can finish sooner, down
to ``(ceil(requests / L) - 1) * W``. Reported: wall time, wall / ideal, wall / floor, and the
429s the sandbox sent.

Run: ``uv run python bench/bench_greenhouse_reject.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

import requests

from ats_reject.http import make_session
from ats_reject.testing import CanaryPerson, RateLimitRule
from ats_reject_greenhouse import GreenhouseAdapter
from ats_reject_greenhouse.sandbox import GreenhouseSandbox

REQUESTS_PER_REJECT = 6
"""Pre-read, POST, then application + candidate + stages + rejection details."""


def serve(conn: Connection, count: int, limit: int, window: float) -> None:
    """Child process: seed *count* in-process applications, serve until told to stop."""
    sandbox = GreenhouseSandbox(rate_limit=RateLimitRule(limit=limit, window_seconds=window))
    ids = [
        sandbox.seed_application(CanaryPerson.numbered(number, tag="bench"))
        for number in range(count)
    ]
    with sandbox:
        conn.send({"settings": sandbox.adapter_settings(), "ids": ids,
                   "reason": sandbox.rejection_reason_id})  # fmt: skip
        conn.recv()
        routes: dict[str, int] = {}
        for request in sandbox.server.requests:
            name = request.route_name or "unrouted"
            routes[name] = routes.get(name, 0) + 1
        conn.send(
            {
                "requests": sandbox.server.count(),
                "routes": routes,
                "rate_limited": sandbox.server.rate_limited_count,
                "rejected": sandbox.applied_writes("reject"),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000, help="applications (default 2000)")
    parser.add_argument("--window", type=float, default=2.0, help="window in seconds (2)")
    parser.add_argument("--target", type=float, default=20.0, help="ideal seconds (20)")
    parser.add_argument("--limit", type=int, default=None, help="requests per window")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    args = parser.parse_args()
    expected = REQUESTS_PER_REJECT * args.count + 10
    limit = args.limit or math.ceil(expected * args.window / args.target)

    print(_machine())
    print(f"N={args.count} applications, fixed window L={limit} per W={args.window:g} s "
          f"(Greenhouse: 30 s windows)")  # fmt: skip
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=serve, args=(child, args.count, limit, args.window), daemon=True
    )
    process.start()
    setup: dict[str, Any] = parent.recv()
    settings = {**setup["settings"], "rate_limit_window": args.window}
    adapter = GreenhouseAdapter.from_mapping(settings, session=make_session(pool_maxsize=8))
    ids: list[str] = setup["ids"]
    failures: list[BaseException] = []
    lock = threading.Lock()

    def reject(application_id: str) -> None:
        try:
            adapter.reject(application_id, reason_id=setup["reason"])
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                failures.append(exc)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(reject, ids))
    wall = time.perf_counter() - started
    adapter.close()
    parent.send("stop")
    stats: dict[str, Any] = parent.recv()
    process.join(timeout=30)

    sent = stats["requests"]
    ideal = sent / limit * args.window
    floor = (math.ceil(sent / limit) - 1) * args.window
    print(f"requests by route: {stats['routes']}")
    print(f"failures: {len(failures)}" + (f" (first: {failures[0]!r})" if failures else ""))
    print()
    print("| applications | threads | L / W | requests | wall (s) | ideal (s) | wall / ideal "
          "| floor (s) | wall / floor | 429s | 429s / requests | rejected |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.count} | {args.threads} | {limit} / {args.window:g} s | {sent} | {wall:.2f} "
        f"| {ideal:.2f} | {wall / ideal:.3f} | {floor:.2f} | {wall / floor:.3f} "
        f"| {stats['rate_limited']} | {stats['rate_limited'] / sent:.2%} | {stats['rejected']} |"
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
