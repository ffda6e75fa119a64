"""The shared session: pooled, retry-free, identified, and quiet about queries."""

from __future__ import annotations

import logging

import pytest
import requests
from requests.adapters import HTTPAdapter

from ats_reject import __version__
from ats_reject.clock import FrozenClock
from ats_reject.errors import ConfigurationError
from ats_reject.http import HttpClient, Timeouts, default_user_agent, make_session


def test_user_agent_names_library_and_requests() -> None:
    assert (
        default_user_agent() == f"ats-reject/{__version__} python-requests/{requests.__version__}"
    )
    assert make_session().headers["User-Agent"] == default_user_agent()
    custom = make_session(user_agent="acme-hr/2.1")
    assert custom.headers["User-Agent"] == f"acme-hr/2.1 {default_user_agent()}"


@pytest.mark.parametrize("scheme", ["http://", "https://"])
def test_pooled_adapters_never_retry(scheme: str) -> None:
    session = make_session(pool_maxsize=7)
    adapter = session.get_adapter(f"{scheme}api.example.test/")
    assert isinstance(adapter, HTTPAdapter)
    assert adapter.max_retries.total == 0
    assert adapter.max_retries.read is False
    assert adapter._pool_maxsize == 7  # type: ignore[attr-defined]


def test_pool_size_validation() -> None:
    with pytest.raises(ValueError, match="pool sizes"):
        make_session(pool_maxsize=0)


def test_timeouts() -> None:
    assert Timeouts().as_tuple() == (5.0, 30.0)
    with pytest.raises(ValueError, match="positive"):
        Timeouts(connect=0)


def test_urllib3_request_lines_lose_their_query(caplog: pytest.LogCaptureFixture) -> None:
    make_session()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s',
        "https",
        "api.example.test",
        443,
        "GET",
        "/v1/c?email=jane%40x.org",
        "HTTP/1.1",
        200,
        None,
    )
    message = caplog.records[-1].getMessage()
    assert "jane" not in message
    assert '"GET /v1/c?[query] HTTP/1.1" 200' in message


def test_client_rejects_a_relative_base_url(clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="absolute"):
        HttpClient("example", make_session(), "api.example.test/v1", clock=clock)


def test_client_joins_paths_and_hides_credentials_in_repr(clock: FrozenClock) -> None:
    client = HttpClient(
        "example", make_session(), "https://user:pw@api.example.test/v1/", clock=clock
    )
    assert client.url_for("/items") == "https://user:pw@api.example.test/v1/items"
    assert client.url_for("items") == "https://user:pw@api.example.test/v1/items"
    same_origin = "https://api.example.test/v2/x?y=1"
    assert client.url_for(same_origin) == same_origin
    # Credentials go with every request, so another origin is refused outright.
    for elsewhere in ("https://other.test/x?y=1", "http://api.example.test/v1/x"):
        with pytest.raises(ConfigurationError, match="refusing to send a request outside"):
            client.url_for(elsewhere)
    # A URL inside a path's query does not make the path an absolute URL.
    assert (
        client.url_for("items?return_to=https://other.test/x")
        == "https://user:pw@api.example.test/v1/items?return_to=https://other.test/x"
    )
    assert repr(client) == "<HttpClient 'example' https://api.example.test>"
