"""The visible text of an HTML part, for linting, and the way back to raw offsets.

The fast path (every message) uses three C-level substitutions and ``html.unescape``. The
exact mapping from a visible offset back into the raw HTML is only computed for a finding,
which a good message does not have.
"""

from __future__ import annotations

import bisect
import html
import re

__all__ = ["raw_span", "visible_text"]

_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|span|small|code|abbr|mark|sub|sup|s|q|cite|font)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(
    r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>"
    r"|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",
    re.DOTALL | re.IGNORECASE,
)


def _replacement(token: str) -> str:
    if token.startswith("&"):
        return html.unescape(token)
    if _INLINE_TAG.fullmatch(token):
        return ""
    return "\n"


def visible_text(markup: str) -> str:
    """What a reader sees of *markup*: no head, scripts, styles, comments or tags.

    Block tags become line breaks; inline tags (``<a>``, ``<strong>`` ...) vanish, so a word
    split by markup stays one word. Character references are decoded.
    """
    text = _HIDDEN.sub("\n", markup)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub("\n", text)
    return html.unescape(text) if "&" in text else text


def raw_span(markup: str, start: int, end: int) -> tuple[int, int]:
    """Map a span of ``visible_text(markup)`` back to offsets in *markup*."""
    visible_starts: list[int] = []
    raw_starts: list[int] = []
    position = 0
    visible = 0

    def add(raw_start: int, length: int) -> None:
        nonlocal visible
        visible_starts.append(visible)
        raw_starts.append(raw_start)
        visible += length

    for match in _TOKEN.finditer(markup):
        if match.start() > position:
            add(position, match.start() - position)
        replacement = _replacement(match.group())
        if match.group(1) or match.group().startswith("<!--"):
            replacement = "\n"
        if replacement:
            add(match.start(), len(replacement))
        position = match.end()
    if position < len(markup):
        add(position, len(markup) - position)

    def to_raw(offset: int) -> int:
        index = bisect.bisect_right(visible_starts, offset) - 1
        if index < 0:
            return 0
        return min(raw_starts[index] + (offset - visible_starts[index]), len(markup))

    return to_raw(start), to_raw(end)
