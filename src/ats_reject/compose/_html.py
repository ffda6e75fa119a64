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
_INLINE_NAMES = r"(?:a|b|i|u|em|strong|span|small|code|abbr|mark|sub|sup|s|q|cite|font)"
# Templates write tags in lower case; the case-blind pattern is five times slower, so it is
# used only when an upper-case tag is present.
_INLINE_TAG = re.compile(r"</?" + _INLINE_NAMES + r"\b[^>]*>")
_INLINE_TAG_ANY_CASE = re.compile(r"</?" + _INLINE_NAMES + r"\b[^>]*>", re.IGNORECASE)
_UPPER_TAG = re.compile(r"</?[A-Z]")
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(
    r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>"
    r"|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",
    re.DOTALL | re.IGNORECASE,
)


def _replacement(token: str) -> str:
    if token.startswith("&"):
        return html.unescape(token)
    if _INLINE_TAG_ANY_CASE.fullmatch(token):
        return ""
    return "\n"


def visible_text(markup: str) -> str:
    """What a reader sees of *markup*: no head, scripts, styles, comments or tags.

    Source line breaks become spaces and block tags become line breaks, so each line is one
    block as a reader sees it; inline tags (``<a>``, ``<strong>`` ...) vanish, so a word split
    by markup stays one word. Character references are decoded.
    """
    # Line breaks in HTML source are spaces to a reader; only block tags break lines. Both
    # are one character, so offsets are unchanged.
    text = markup.replace("\n", " ") if "\n" in markup else markup
    lowered = text.lower()
    head_start = lowered.find("<head")
    head_end = lowered.find("</head>", head_start)
    if head_start >= 0 and head_end > head_start:
        text = text[:head_start] + "\n" + text[head_end + len("</head>") :]
        lowered = text.lower()
    # The pattern for hidden blocks is slow to scan, and most parts have none left.
    if "<!--" in text or "<script" in lowered or "<style" in lowered or "<head" in lowered:
        text = _HIDDEN.sub("\n", text)
    if _UPPER_TAG.search(text):
        text = _INLINE_TAG_ANY_CASE.sub("", text)
    else:
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
