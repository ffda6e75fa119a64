"""Bulk archive of N Lever opportunities through LeverAdapter.reject, against Lever's limits.

The Lever sandbox runs in a child process (so the server and the client do not share one
interpreter lock) and enforces Lever's token bucket per API key: a steady rate R and a
burst B, documented as R = 10/s and B = 20 ("Rate Limits", hire.lever.co/developer/
documentation). Both are multiplied by ``--scale`` (default 20: R = 200/s, B = 400) so that
the ideal run is about 20 s on a laptop instead of 400 s; the shape of the limit is kept.

Each ``reject`` reads the opportunity (``GET``) and archives it (``PUT``); the account's
archive reasons, stages and postings are read once. The ideal time is every request the
run made at the steady rate, ``requests / R``; a client that spends the bucket's initial
burst can finish sooner, down to the floor ``(requests - B) / R``. Reported: wall time,
wall / ideal, wall / floor, and the 429s the sandbox sent.

Run: ``uv run python bench/bench_lever_archive.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
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
from ats_reject.models import ApplicationStatus
from ats_reject.testing import CanaryPerson
from ats_reject_lever import LeverAdapter
from ats_reject_lever._sandbox_data import REJECTION_REASON_ID
from ats_reject_lever.sandbox import LeverSandbox


def serve(conn: Connection, count: int, rate: float, burst: int) -> None:
    """Child process: seed *count* active opportunities, serve until told to stop."""
    sandbox = LeverSandbox(page_size=100, rate_limit=(rate, burst))
    ids = [
        sandbox.seed_opportunity(
            CanaryPerson.numbered(number, tag="bench"), status=ApplicationStatus.ACTIVE
        )
        for number in range(count)
    ]
    with sandbox:
        conn.send({"settings": sandbox.adapter_settings(), "ids": ids})
        conn.recv()
        routes: dict[str, int] = {}
        for request in sandbox.server.requests:
            name = request.route_name or "unrouted"
            routes[name] = routes.get(name, 0) + 1
        conn.send(
            {
                "requests": sandbox.server.count(),
                "routes": routes,
                "rate_limited": sandbox.rate_limited,
                "rejected": sandbox.applied_writes("reject"),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000, help="opportunities (default 2000)")
    parser.add_argument("--scale", type=float, default=20.0, help="limit multiplier (20)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    args = parser.parse_args()
    rate, burst = 10.0 * args.scale, round(20 * args.scale)

    print(_machine())
    print(f"N={args.count} opportunities, token bucket R={rate:g}/s B={burst} (x{args.scale:g})")
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(child, args.count, rate, burst), daemon=True)
    process.start()
    setup: dict[str, Any] = parent.recv()
    adapter = LeverAdapter.from_mapping(
        setup["settings"], session=make_session(pool_maxsize=args.threads)
    )
    ids: list[str] = setup["ids"]
    failures: list[BaseException] = []
    lock = threading.Lock()

    def archive(opportunity_id: str) -> None:
        try:
            adapter.reject(opportunity_id, reason_id=REJECTION_REASON_ID)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                failures.append(exc)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(archive, ids))
    wall = time.perf_counter() - started
    adapter.close()
    parent.send("stop")
    stats: dict[str, Any] = parent.recv()
    process.join(timeout=30)

    sent = stats["requests"]
    ideal = sent / rate
    floor = max(sent - burst, 0) / rate
    print(f"requests by route: {stats['routes']}")
    print(f"failures: {len(failures)}" + (f" (first: {failures[0]!r})" if failures else ""))
    print()
    print(
        "| opportunities | threads | requests | wall (s) | ideal (s) | wall / ideal "
        "| floor (s) | wall / floor | 429s | 429s / requests | archived |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.count} | {args.threads} | {sent} | {wall:.2f} | {ideal:.2f} "
        f"| {wall / ideal:.3f} | {floor:.2f} | {wall / floor:.3f} | {stats['rate_limited']} "
        f"| {stats['rate_limited'] / sent:.2%} | {stats['rejected']} |"
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
