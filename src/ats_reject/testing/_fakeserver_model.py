"""The values a fake server works with: requests it received, responses and faults it gives."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["FakeRequest", "FakeResponse", "Fault", "Headers"]


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers; repeated headers are joined with ``", "``.

    Args:
        pairs: ``(name, value)`` pairs in the order they arrived.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._by_key: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in self._by_key:
                first_name, previous = self._by_key[key]
                self._by_key[key] = (first_name, f"{previous}, {value}")
            else:
                self._by_key[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._by_key[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_key

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __repr__(self) -> str:
        """List the names only: values carry credentials and signatures."""
        return f"Headers({sorted(self)!r})"


@dataclass(frozen=True)
class FakeRequest:
    """One request a :class:`~ats_reject.testing.fakeserver.FakeServer` received.

    Attributes:
        method: The HTTP method, upper case.
        path: The path without the query string, percent-decoding not applied.
        path_params: Values of the route's ``{param}`` segments, percent-decoded.
        query: The parsed query string; every name maps to all its values.
        headers: Case-insensitive request headers.
        body: The raw body bytes.
        route_name: The matched route's name; ``None`` when no route matched.
        received_at: When it arrived, by the server's clock.
    """

    method: str
    path: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict, repr=False)
    headers: Headers = field(default_factory=Headers, repr=False)
    body: bytes = field(default=b"", repr=False)
    route_name: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC), repr=False)

    def json(self) -> Any:
        """Return the body parsed as JSON.

        Raises:
            ValueError: The body is empty or not valid JSON.
        """
        return json.loads(self.body)

    def query_value(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of the query parameter *name*, or *default*."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(frozen=True)
class FakeResponse:
    """What a route handler answers.

    When ``json_body`` is not ``None`` it is serialized and sent as ``application/json``
    instead of ``body``. Neither body is in the ``repr``: both carry the seeded people's data.
    """

    status: int = 200
    json_body: Any = field(default=None, repr=False)
    body: bytes = field(default=b"", repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, value: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> FakeResponse:
        """Answer *value* as JSON with *status*."""
        return cls(status=status, json_body=value, headers=dict(headers or {}))

    @classmethod
    def error(
        cls, status: int, json_value: Any, headers: Mapping[str, str] | None = None
    ) -> FakeResponse:
        """Answer an error *status* with the JSON error body *json_value*."""
        return cls(status=status, json_body=json_value, headers=dict(headers or {}))

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        """Return the body bytes and the headers to send, with a content type for JSON."""
        headers = dict(self.headers)
        if self.json_body is None:
            return self.body, headers
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        return json.dumps(self.json_body).encode(), headers


FaultKind = Literal["status", "delay", "drop_connection", "malformed_json", "apply_then_drop"]


@dataclass(frozen=True)
class Fault:
    """A failure the fake server plays instead of (or around) a route's handler.

    Build one with the class methods; :meth:`FakeServer.inject_fault
    <ats_reject.testing.fakeserver.FakeServer.inject_fault>` queues it.
    """

    kind: FaultKind
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None
    seconds: float = 0.0

    @classmethod
    def status(
        cls, code: int, headers: Mapping[str, str] | None = None, json_body: Any = None
    ) -> Fault:
        """Answer *code* instead of calling the handler (the write does not apply)."""
        if not 100 <= code <= 599:
            raise ValueError("an HTTP status is between 100 and 599")
        body = json_body if json_body is not None else {"error": f"injected_{code}"}
        return cls(kind="status", status_code=code, headers=dict(headers or {}), json_body=body)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait *seconds* of real time, then answer normally (to trip client timeouts)."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        return cls(kind="delay", seconds=seconds)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Close the connection without answering; the handler is not called."""
        return cls(kind="drop_connection")

    @classmethod
    def malformed_json(cls) -> Fault:
        """Answer 200 with a JSON content type and a body that is not valid JSON."""
        return cls(kind="malformed_json")

    @classmethod
    def apply_then_drop(cls) -> Fault:
        """Call the handler (a write applies), then close the connection without answering."""
        return cls(kind="apply_then_drop")

    def as_response(self) -> FakeResponse:
        """The response a ``status`` or ``malformed_json`` fault answers."""
        if self.kind == "malformed_json":
            return FakeResponse(
                status=200,
                body=b'{"data": [{"id": "1", "truncated',
                headers={"Content-Type": "application/json"},
            )
        assert self.status_code is not None
        return FakeResponse(
            status=self.status_code, json_body=self.json_body, headers=dict(self.headers)
        )
