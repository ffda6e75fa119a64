"""A real, threaded HTTP server on 127.0.0.1 that adapters' sandboxes are built on.

Routes are plain functions from a :class:`FakeRequest` to a :class:`FakeResponse`. On top of
them the server plays what real vendors do to clients: faults (an error status, a slow answer,
a dropped connection, a broken body, a write that applies but whose answer is lost) and rate
limits announced in the vendor's headers. It records every request it receives, so tests can
assert what reached the "vendor" and how often::

    with FakeServer(name="example") as server:
        @server.route("GET", "/v1/items/{item_id}", name="get_item")
        def get_item(request: FakeRequest) -> FakeResponse:
            return FakeResponse.json({"id": request.path_params["item_id"]})

        server.inject_fault("get_item", Fault.status(503), times=2)
        server.rate_limit = RateLimitRule(limit=50, window_seconds=10.0)
        ...  # point the client at server.base_url

The server is quiet (nothing is written to stderr) and :meth:`FakeServer.stop` joins every
thread it started and closes every socket.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import unquote

from ats_reject.clock import Clock, SystemClock
from ats_reject.testing._fakeserver_http import QuietHTTPServer, RawRequest
from ats_reject.testing._fakeserver_model import FakeRequest, FakeResponse, Fault, Headers
from ats_reject.testing._fakeserver_ratelimit import RateLimitRule, RuleEnforcer

__all__ = ["FakeRequest", "FakeResponse", "FakeServer", "Fault", "Handler", "RateLimitRule"]

Handler = Callable[[FakeRequest], FakeResponse]
"""A route handler: answers one request."""

_ANY_ROUTE = "*"


@dataclass(frozen=True)
class _Route:
    method: str
    segments: tuple[str, ...]
    handler: Handler
    name: str

    def match(self, path_segments: list[str]) -> dict[str, str] | None:
        if len(path_segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, actual in zip(self.segments, path_segments, strict=True):
            if pattern.startswith("{") and pattern.endswith("}"):
                if not actual:
                    return None
                params[pattern[1:-1]] = unquote(actual)
            elif pattern != actual:
                return None
        return params


@dataclass
class _QueuedFault:
    fault: Fault
    remaining: int


class FakeServer:
    """A fake vendor API on ``127.0.0.1``, on a free port.

    Args:
        name: A label for reprs and thread names (the adapter's name).
        clock: The server's clock: request times and rate-limit windows. Defaults to the
            system clock; give the test's ``FrozenClock`` to drive windows deterministically.
    """

    def __init__(self, name: str = "fake", clock: Clock | None = None) -> None:
        self.name = name
        self.clock: Clock = clock or SystemClock()
        self.handler_errors: list[BaseException] = []
        """Exceptions raised by route handlers (each answered as 500), for debugging tests."""
        self._routes: list[_Route] = []
        self._log: list[FakeRequest] = []
        self._faults: dict[str, deque[_QueuedFault]] = {}
        self._limiter: RuleEnforcer | None = None
        self._rate_limited = 0
        self._lock = threading.Lock()
        self._http: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- routes ---------------------------------------------------------------------------

    def add_route(
        self, method: str, pattern: str, handler: Handler, name: str | None = None
    ) -> None:
        """Answer *method* requests whose path matches *pattern* with *handler*.

        Args:
            method: HTTP method (``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``).
            pattern: Path with ``{param}`` segments, each matching one non-empty segment.
            handler: Called with the request; returns the response.
            name: The route's name for faults and counts; defaults to ``"METHOD pattern"``.
        """
        if not pattern.startswith("/"):
            raise ValueError("a route pattern starts with '/'")
        method = method.upper()
        route = _Route(method, tuple(pattern.split("/")), handler, name or f"{method} {pattern}")
        with self._lock:
            self._routes.append(route)

    def route(
        self, method: str, pattern: str, name: str | None = None
    ) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add_route`."""

        def register(handler: Handler) -> Handler:
            self.add_route(method, pattern, handler, name=name)
            return handler

        return register

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Bind a free port on 127.0.0.1 and serve in background threads."""
        if self._http is not None:
            raise RuntimeError(f"fake server {self.name!r} is already started")
        self._http = QuietHTTPServer(self._serve, self._record_error)
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"fakeserver-{self.name}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread; safe to call twice."""
        http, thread = self._http, self._thread
        if http is None or thread is None:
            return
        http.shutdown()
        thread.join()
        http.close_all()
        self._http = None
        self._thread = None

    def __enter__(self) -> Self:
        """Start the server unless it runs already."""
        if self._http is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, once started."""
        if self._http is None:
            raise RuntimeError(f"fake server {self.name!r} is not started")
        return f"http://127.0.0.1:{self._http.port}"

    # --- request log ----------------------------------------------------------------------

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request received, in order (a snapshot)."""
        with self._lock:
            return list(self._log)

    def count(self, route_name: str | None = None, method: str | None = None) -> int:
        """How many requests were received, optionally only for a route and/or a method."""
        wanted_method = method.upper() if method else None
        return sum(
            1
            for request in self.requests
            if (route_name is None or request.route_name == route_name)
            and (wanted_method is None or request.method == wanted_method)
        )

    def reset_log(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._log.clear()

    # --- faults ---------------------------------------------------------------------------

    def inject_fault(self, route_name: str, fault: Fault, times: int = 1) -> None:
        """Queue *fault* for the next *times* requests to *route_name* (``"*"``: any route).

        Faults queued for a route are played in order, before those queued for ``"*"``.
        """
        if times < 1:
            raise ValueError("a fault is played at least once")
        with self._lock:
            self._faults.setdefault(route_name, deque()).append(_QueuedFault(fault, times))

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, route_name: str) -> Fault | None:
        with self._lock:
            for key in (route_name, _ANY_ROUTE):
                queue = self._faults.get(key)
                if not queue:
                    continue
                queued = queue[0]
                queued.remaining -= 1
                if queued.remaining <= 0:
                    queue.popleft()
                return queued.fault
        return None

    # --- rate limiting --------------------------------------------------------------------

    @property
    def rate_limit(self) -> RateLimitRule | None:
        """The enforced rule; setting one starts counting afresh, ``None`` lifts the limit."""
        limiter = self._limiter
        return limiter.rule if limiter else None

    @rate_limit.setter
    def rate_limit(self, rule: RateLimitRule | None) -> None:
        self._limiter = RuleEnforcer(rule, self.clock) if rule is not None else None

    @property
    def rate_limited_count(self) -> int:
        """How many 429 answers the rate limit sent."""
        with self._lock:
            return self._rate_limited

    # --- serving --------------------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str], set[str]]:
        segments = path.split("/")
        allowed: set[str] = set()
        with self._lock:
            routes = list(self._routes)
        for route in routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method:
                return route, params, allowed
            allowed.add(route.method)
        return None, {}, allowed

    def _serve(self, raw: RawRequest, stopping: threading.Event) -> FakeResponse | None:
        """Answer one request; ``None`` means: drop the connection without answering."""
        route, params, allowed = self._match(raw.method, raw.path)
        request = FakeRequest(
            method=raw.method,
            path=raw.path,
            path_params=params,
            query=raw.query,
            headers=Headers(raw.headers),
            body=raw.body,
            route_name=route.name if route else None,
            received_at=self.clock.now(),
        )
        with self._lock:
            self._log.append(request)
        limit_headers: dict[str, str] = {}
        limiter = self._limiter
        if limiter is not None:
            decision = limiter.admit(request)
            limit_headers = decision.headers
            if decision.refusal is not None:
                with self._lock:
                    self._rate_limited += 1
                return _with_headers(decision.refusal, limit_headers)
        response = self._answer(route, allowed, request, stopping)
        return None if response is None else _with_headers(response, limit_headers)

    def _answer(
        self,
        route: _Route | None,
        allowed: set[str],
        request: FakeRequest,
        stopping: threading.Event,
    ) -> FakeResponse | None:
        if route is None:
            if allowed:
                return FakeResponse.error(
                    405,
                    {"error": "method_not_allowed", "message": "method not allowed here"},
                    headers={"Allow": ", ".join(sorted(allowed))},
                )
            return FakeResponse.error(
                404, {"error": "not_found", "message": "no route matches this path"}
            )
        fault = self._take_fault(route.name)
        if fault is not None:
            if fault.kind in ("status", "malformed_json"):
                return fault.as_response()
            if fault.kind == "drop_connection":
                return None
            # Interruptible, so stop() never waits for a long injected delay; a server that
            # is stopping answers nothing.
            if fault.kind == "delay" and stopping.wait(fault.seconds):
                return None
        response = self._call(route, request)
        if fault is not None and fault.kind == "apply_then_drop":
            return None
        return response

    def _record_error(self, error: BaseException) -> None:
        with self._lock:
            self.handler_errors.append(error)

    def _call(self, route: _Route, request: FakeRequest) -> FakeResponse:
        try:
            return route.handler(request)
        # Any handler bug becomes a 500 the client sees and an error the test can inspect.
        except Exception as exc:  # noqa: BLE001
            self._record_error(exc)
            return FakeResponse.error(
                500, {"error": "handler_error", "message": type(exc).__name__}
            )

    def __repr__(self) -> str:
        """Name the server and where it listens."""
        where = self.base_url if self._http is not None else "stopped"
        return f"<FakeServer {self.name!r} {where}>"


def _with_headers(response: FakeResponse, extra: dict[str, str]) -> FakeResponse:
    if not extra:
        return response
    own = {name.lower() for name in response.headers}
    merged = dict(response.headers)
    merged.update({name: value for name, value in extra.items() if name.lower() not in own})
    return dataclasses.replace(response, headers=merged)
