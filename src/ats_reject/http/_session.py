"""The ``requests.Session`` every adapter shares: pooled, identified, and retry-free.

urllib3 is told never to retry, so the retries of :class:`~ats_reject.http.RetryPolicy` are
the only ones and every attempt is counted, logged and rate-limited. ``requests`` sessions
have no default timeout; :class:`~ats_reject.http.HttpClient` passes its (connect, read)
timeouts on every request.

urllib3 logs every request line, query string included, at DEBUG. Queries carry search
terms such as a candidate's e-mail address, so :func:`make_session` adds a filter to
urllib3's loggers that removes query strings from their records (only queries: everything
else urllib3 logs is kept).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

from ats_reject._version import __version__
from ats_reject.http._errormap import strip_url_queries

__all__ = ["Timeouts", "default_user_agent", "make_session"]


def default_user_agent() -> str:
    """Return ``ats-reject/<version> python-requests/<version>``."""
    return f"ats-reject/{__version__} python-requests/{requests.__version__}"


def make_session(
    *,
    pool_maxsize: int = 10,
    pool_connections: int = 10,
    user_agent: str | None = None,
) -> requests.Session:
    """Create the session adapters call their ATS with.

    Args:
        pool_maxsize: Connections kept open per host; size it to the number of threads that
            call one ATS at the same time.
        pool_connections: Hosts whose pools are kept.
        user_agent: The embedding application's product token (``acme-hr/2.1``); it is put
            in front of the library's own, so vendors see both.

    Returns:
        A session with pooled HTTP and HTTPS adapters, no transport retries, and the
        ``User-Agent`` set.
    """
    if pool_maxsize < 1 or pool_connections < 1:
        raise ValueError("pool sizes must be at least 1")
    session = requests.Session()
    adapter = HTTPAdapter(
        pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    library = default_user_agent()
    session.headers["User-Agent"] = f"{user_agent.strip()} {library}" if user_agent else library
    _install_urllib3_query_filter()
    return session


_URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager")
_filter_lock = threading.Lock()


class _QueryScrubber(logging.Filter):
    """Rewrites a record so that no query string survives in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = strip_url_queries(message)
            record.args = None
        return True


def _install_urllib3_query_filter() -> None:
    # Logger filters do not apply to child loggers, so each urllib3 module logger gets one.
    with _filter_lock:
        for name in _URLLIB3_LOGGERS:
            target = logging.getLogger(name)
            if not any(isinstance(existing, _QueryScrubber) for existing in target.filters):
                target.addFilter(_QueryScrubber())


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and then for each read of the response.

    Attributes:
        connect: TCP and TLS connection timeout.
        read: Time allowed between bytes of the response once connected.
    """

    connect: float = 5.0
    read: float = 30.0

    def __post_init__(self) -> None:
        if self.connect <= 0 or self.read <= 0:
            raise ValueError("timeouts must be positive")

    def as_tuple(self) -> tuple[float, float]:
        """Return ``(connect, read)`` as ``requests`` takes it."""
        return (self.connect, self.read)
