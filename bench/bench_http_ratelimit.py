"""How close to a vendor's rate limit HttpClient gets, and how many 429s it causes.

A FakeServer enforces L requests per window W per credential (with Greenhouse-style
``X-RateLimit-*`` headers and ``Retry-After`` on 429). N GET requests are made:

* through :class:`ats_reject.http.HttpClient` with a shared :class:`RateLimiter`, from one
  thread and from four threads sharing the client;
* with a plain ``requests`` loop that sleeps a fixed second on 429 and tries again, as a
  user would write by hand, from one thread and from four.

The ideal time is ``N / L * W`` (the limit used evenly). A client that sends a whole window's
budget at once can finish sooner, at ``(ceil(N / L) - 1) * W`` (its first window is free and
its last requests go at the start of the last window): that floor is reported too. Reported:
wall time, wall / ideal, wall / floor, and the 429s the server sent. Real time throughout
(SystemClock); one scenario takes about 20 s with the defaults.

Run: ``uv run python bench/bench_http_ratelimit.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import requests

from ats_reject.clock import SystemClock
from ats_reject.http import (
    HttpClient,
    RateLimiter,
    RetryPolicy,
    credential_key,
    make_session,
)
from ats_reject.testing.fakeserver import FakeRequest, FakeResponse, FakeServer, RateLimitRule

TOKEN = "bench-token-0001"  # noqa: S105 - a made-up credential for the fake server
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Result:
    name: str
    threads: int
    wall: float
    ideal: float
    floor: float
    sent: int
    rate_limited: int
    requests: int

    @property
    def ratio(self) -> float:
        return self.wall / self.ideal

    @property
    def share_429(self) -> float:
        return self.rate_limited / self.requests


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _run_threads(work: Callable[[int], None], counts: list[int]) -> float:
    errors: list[BaseException] = []

    def guarded(count: int) -> None:
        try:
            work(count)
        except Exception as exc:  # noqa: BLE001 - collected, then raised from the main thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(count,)) for count in counts]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} worker(s) failed") from errors[0]
    return wall


def bench_client(
    server: FakeServer, *, total: int, threads: int, window: float, configured: int
) -> tuple[float, str]:
    clock = SystemClock()
    limiter = RateLimiter(
        limit=configured, window=window, clock=clock, key=credential_key("bench", TOKEN)
    )
    session = make_session(pool_maxsize=threads)
    client = HttpClient(
        "bench",
        session,
        server.base_url,
        clock=clock,
        rate_limiter=limiter,
        auth=lambda: AUTH,
        retry_policy=RetryPolicy(max_attempts=6, max_delay=30.0, max_total_delay=120.0),
    )

    def work(count: int) -> None:
        for index in range(count):
            client.get_json(f"/v1/items/{index}")

    wall = _run_threads(work, _split(total, threads))
    session.close()
    stats = limiter.stats()
    return wall, f"limiter: limit {stats.limit}, 429s seen {stats.rate_limited}"


def bench_naive(server: FakeServer, *, total: int, threads: int) -> tuple[float, str]:
    session = requests.Session()
    url = f"{server.base_url}/v1/items/1"

    def work(count: int) -> None:
        done = 0
        while done < count:
            response = session.get(url, headers=AUTH, timeout=(5, 30))
            if response.status_code == 429:
                time.sleep(1.0)
                continue
            response.raise_for_status()
            done += 1

    wall = _run_threads(work, _split(total, threads))
    session.close()
    return wall, "fixed 1 s sleep on 429"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=500, help="N (default 500)")
    parser.add_argument("--limit", type=int, default=50, help="L per window (default 50)")
    parser.add_argument("--window", type=float, default=2.0, help="W seconds (default 2)")
    parser.add_argument("--kind", choices=["fixed", "sliding"], default="fixed")
    parser.add_argument(
        "--configured",
        type=int,
        default=None,
        help="limit the client starts from (default L; larger shows learning from headers)",
    )
    parser.add_argument(
        "--only", choices=["client", "naive"], default=None, help="run one family only"
    )
    args = parser.parse_args()
    kind: Literal["fixed", "sliding"] = args.kind
    configured = args.configured or args.limit
    ideal = args.requests / args.limit * args.window
    floor = (math.ceil(args.requests / args.limit) - 1) * args.window

    print(_machine())
    print(
        f"N={args.requests} L={args.limit} per {args.window:g} s ({kind} window), "
        f"ideal {ideal:.1f} s, floor {floor:.1f} s, client starts from limit {configured}"
    )
    results: list[tuple[Result, str]] = []
    with FakeServer(name="bench") as server:

        @server.route("GET", "/v1/items/{item_id}", name="get_item")
        def get_item(request: FakeRequest) -> FakeResponse:
            return FakeResponse.json({"id": request.path_params["item_id"]})

        scenarios: list[tuple[str, int, Callable[[], tuple[float, str]]]] = []
        for threads in (1, 4):
            if args.only in (None, "client"):
                scenarios.append(
                    (
                        "HttpClient + RateLimiter",
                        threads,
                        functools.partial(
                            bench_client,
                            server,
                            total=args.requests,
                            threads=threads,
                            window=args.window,
                            configured=configured,
                        ),
                    )
                )
        for threads in (1, 4):
            if args.only in (None, "naive"):
                scenarios.append(
                    (
                        "requests, sleep(1) on 429",
                        threads,
                        functools.partial(
                            bench_naive, server, total=args.requests, threads=threads
                        ),
                    )
                )
        for name, threads, run in scenarios:
            server.rate_limit = RateLimitRule(
                limit=args.limit, window_seconds=args.window, window=kind
            )
            server.reset_log()
            wall, note = run()
            result = Result(
                name=name,
                threads=threads,
                wall=wall,
                ideal=ideal,
                floor=floor,
                sent=server.count(),
                rate_limited=server.rate_limited_count,
                requests=args.requests,
            )
            results.append((result, note))
            print(f"  done: {name}, {threads} thread(s): {wall:.2f} s, {note}", flush=True)
    print()
    print(_table(results))


def _table(results: list[tuple[Result, str]]) -> str:
    lines = [
        "| client | threads | wall (s) | wall / ideal | wall / floor | requests sent "
        "| 429s | 429s / N |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result, _ in results:
        lines.append(
            f"| {result.name} | {result.threads} | {result.wall:.2f} | {result.ratio:.3f} "
            f"| {result.wall / result.floor:.3f} | {result.sent} | {result.rate_limited} "
            f"| {result.share_429:.1%} |"
        )
    return "\n".join(lines)


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
