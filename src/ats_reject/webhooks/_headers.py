"""Case-insensitive, strict access to the headers of a webhook request."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

from ats_reject.webhooks._reasons import VerificationReason, fail

__all__ = ["HeadersInput", "WebhookHeaders"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_header_name(name: object) -> bool:
    """Tell whether *name* is a valid HTTP header name (package-internal)."""
    return isinstance(name, str) and _TOKEN.fullmatch(name) is not None


class WebhookHeaders:
    """A read-only view of request headers that refuses ambiguity.

    Names are compared ignoring ASCII case. Reading a header that arrived several times with
    different values, with non-ASCII characters or with control characters raises
    :class:`~ats_reject.errors.WebhookVerificationError`; headers that are never read are
    never judged, so an odd ``User-Agent`` does not break verification.

    Args:
        headers: A mapping or an iterable of ``(name, value)`` pairs; names and values may be
            ``str`` or ``bytes`` (bytes are read as Latin-1 names and ASCII values).

    Raises:
        WebhookVerificationError: ``malformed_header`` when *headers* is neither.
    """

    __slots__ = ("_values",)

    def __init__(self, headers: HeadersInput) -> None:
        self._values: dict[str, list[object]] = {}
        if isinstance(headers, WebhookHeaders):
            self._values = {name: list(values) for name, values in headers._values.items()}
            return
        for name, value in _pairs(headers):
            # Only ASCII names can be the headers we look up; lower-casing other names could
            # fold look-alikes (the Kelvin sign becomes "k") onto a name we read.
            if name.isascii():
                self._values.setdefault(name.lower(), []).append(value)

    def get(self, name: str) -> str | None:
        """Return the value of header *name*, or ``None`` when it is absent.

        Raises:
            WebhookVerificationError: ``duplicated_header``, ``non_ascii_header`` or
                ``malformed_header``.
        """
        values = self._values.get(name.lower())
        if not values:
            return None
        decoded = [_decode_value(value, name) for value in values]
        first = decoded[0].encode("ascii")
        for other in decoded[1:]:
            if not hmac.compare_digest(first, other.encode("ascii")):
                fail(VerificationReason.DUPLICATED_HEADER, f"header {name!r}")
        return decoded[0]

    def require(self, name: str) -> str:
        """Return the value of header *name*, which must be present and not empty.

        Raises:
            WebhookVerificationError: ``missing_header``, ``empty_header`` or any reason of
                :meth:`get`.
        """
        value = self.get(name)
        if value is None:
            fail(VerificationReason.MISSING_HEADER, f"header {name!r}")
        if not value:
            fail(VerificationReason.EMPTY_HEADER, f"header {name!r}")
        return value

    def __contains__(self, name: object) -> bool:
        """Tell whether a header of that name (ignoring case) arrived at all."""
        return isinstance(name, str) and name.lower() in self._values

    def __repr__(self) -> str:
        """Count the headers; values can carry signatures and tokens, so none is shown."""
        return f"WebhookHeaders({len(self._values)} names)"


HeadersInput: TypeAlias = (
    WebhookHeaders | Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]
)
"""Headers as a mapping (``dict``, ``requests``' case-insensitive dict) or as name/value
pairs, as ASGI scopes (``[(b"name", b"value"), ...]``) and WSGI adapters give them."""


def _pairs(headers: object) -> Iterable[tuple[str, object]]:
    if isinstance(headers, Mapping):
        items: Iterable[object] = headers.items()
    elif isinstance(headers, str | bytes | bytearray | memoryview):
        fail(VerificationReason.MALFORMED_HEADER, "headers are not name/value pairs")
    elif isinstance(headers, Iterable):
        items = headers
    else:
        fail(VerificationReason.MALFORMED_HEADER, "headers are not name/value pairs")
    pairs: list[tuple[str, object]] = []
    for item in items:
        if not isinstance(item, tuple | list):
            fail(VerificationReason.MALFORMED_HEADER, "a header is not a name/value pair")
        try:
            name, value = item
        except ValueError:
            fail(VerificationReason.MALFORMED_HEADER, "a header is not a name/value pair")
        if isinstance(name, bytes | bytearray):
            name = bytes(name).decode("latin-1")
        if not isinstance(name, str):
            fail(VerificationReason.MALFORMED_HEADER, "a header name is not text")
        pairs.append((name, value))
    return pairs


def _decode_value(value: object, name: str) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if not raw.isascii():
            fail(VerificationReason.NON_ASCII_HEADER, f"header {name!r}")
        text = raw.decode("ascii")
    elif isinstance(value, str):
        if not value.isascii():
            fail(VerificationReason.NON_ASCII_HEADER, f"header {name!r}")
        text = value
    else:
        fail(VerificationReason.MALFORMED_HEADER, f"header {name!r} is not text")
    if _CONTROL.search(text):
        fail(VerificationReason.MALFORMED_HEADER, f"header {name!r} holds control characters")
    return text
