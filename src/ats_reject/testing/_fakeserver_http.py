"""The socket side of the fake server: a quiet threaded HTTP/1.1 server that joins its threads."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ats_reject.testing._fakeserver_model import FakeResponse

__all__ = ["QuietHTTPServer", "RawRequest"]

_MAX_BODY = 16 * 1024 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True)
class RawRequest:
    """A request as read from the socket, before routing."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: list[tuple[str, str]]
    body: bytes


Serve = Callable[[RawRequest, threading.Event], "FakeResponse | None"]
OnError = Callable[[BaseException], None]


class _BadRequestError(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A socket timeout, so a client that keeps a connection open and silent cannot pin a
    # thread forever even if stop() is never called.
    timeout = 30
    # Headers and body go out in separate writes; with Nagle's algorithm each answer would
    # wait for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: QuietHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests run with stderr captured and logs checked for leaks."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except _BadRequestError:
            self.close_connection = True
            self._write(FakeResponse.error(400, {"error": "bad_request"}))
            return
        target = urlsplit(self.path)
        raw = RawRequest(
            method=self.command,
            path=target.path or "/",
            query=parse_qs(target.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
        )
        response = self.server.serve(raw, self.server.stopping)
        if response is None:
            self._drop()
            return
        self._write(response)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BadRequestError from None
        if not 0 <= length <= _MAX_BODY:
            raise _BadRequestError
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _BadRequestError from None
            total += size
            if size < 0 or total > _MAX_BODY:
                raise _BadRequestError
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: FakeResponse) -> None:
        payload, headers = response.encoded()
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        if response.status in _NO_BODY_STATUSES:
            payload = b""
        else:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class QuietHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server on a free port of 127.0.0.1 that tracks its connections.

    Args:
        serve: Answers each request (``None``: drop the connection).
        on_error: Receives unexpected exceptions of handler threads (connection resets,
            broken pipes and timeouts are expected and ignored).
    """

    daemon_threads = False
    block_on_close = True

    def __init__(self, serve: Serve, on_error: OnError) -> None:
        self.serve = serve
        self.stopping = threading.Event()
        self._on_error = on_error
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember the connection so :meth:`close_all` can end it."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection, then close it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep unexpected errors for the test instead of printing them."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self._on_error(error)

    def close_all(self) -> None:
        """End open connections, wake delayed answers, close the socket, join the threads."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.stopping.set()
        self.server_close()
