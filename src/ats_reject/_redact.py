"""Scrubbing of personal data and secrets from text that may reach a log or an error.

Redaction filters fail open, so the library's first line of defence is never to put content
into a message at all (ids, counts and status codes only). This module is the second line:
it is applied to the few strings that come from outside and are still worth showing, such as
a vendor's error code or a request path.
"""

from __future__ import annotations

import re

__all__ = ["redact_text", "safe_path", "sanitize_log_value"]

_EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{6,}")
_KEY_VALUE_SECRET = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|secret|password"
    r"|passwd|signature|token|authorization)\b(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
)
# A run of 7+ digits, optionally with the separators people write in phone numbers.
_PHONE = re.compile(r"\+?\d[\d ().-]{5,}\d")
_LONG_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{32,}\b")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def redact_text(text: str, *, max_length: int = 200) -> str:
    """Return *text* with e-mail addresses, phone numbers, tokens and secrets masked.

    The result is also stripped of control characters (CR and LF included, against log
    injection) and cut to *max_length* characters.

    Args:
        text: Text that came from outside the library, for example a vendor error message.
        max_length: Longest result returned; longer text is cut and marked with an ellipsis.

    Returns:
        Text that is safe to put into an exception message or a log record.
    """
    cleaned = _KEY_VALUE_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    cleaned = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", cleaned)
    cleaned = _EMAIL.sub("[email]", cleaned)
    cleaned = _LONG_TOKEN.sub("[redacted]", cleaned)
    cleaned = _PHONE.sub("[number]", cleaned)
    cleaned = sanitize_log_value(cleaned)
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1] + "…"
    return cleaned


def sanitize_log_value(value: str) -> str:
    """Replace control characters (CR, LF, NUL ...) so a value cannot forge log lines."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", value)


def safe_path(url_or_path: str) -> str:
    """Return the path of a URL without its query, fragment, user info or host.

    Query strings carry search terms (an e-mail address, a name) and sometimes credentials,
    so errors and logs only ever show the path.
    """
    path = url_or_path
    if "://" in path:
        path = path.split("://", 1)[1]
        slash = path.find("/")
        path = "/" if slash < 0 else path[slash:]
    for separator in ("?", "#"):
        path = path.split(separator, 1)[0]
    return redact_text(path or "/", max_length=160)
