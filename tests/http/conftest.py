"""Helpers for the HTTP-layer tests: bare ``requests.Response`` objects and a frozen clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ats_reject.clock import FrozenClock

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def bare_response(
    status: int = 200,
    *,
    body: Any = None,
    raw: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    url: str = "https://api.example.test/v1/items",
    method: str = "GET",
) -> requests.Response:
    """A real ``requests.Response`` built without any network, as the server would send it."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(dict(headers or {}))
    if raw is not None:
        response._content = raw
    elif body is not None:
        response._content = json.dumps(body).encode()
    else:
        response._content = b""
    response.url = url
    response.request = requests.Request(method, url).prepare()
    return response


Respond = Callable[..., requests.Response]
"""The type of the ``respond`` fixture: :func:`bare_response`."""


@pytest.fixture
def respond() -> Respond:
    """Build bare responses (see :func:`bare_response`)."""
    return bare_response


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)
