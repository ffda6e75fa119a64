"""A pattern for phrases that may run on past the end of a piece of text.

The composer's lint caches what it finds in the template text of a message and, for each
message, scans only the values put into it (names, feedback, links). A phrase can straddle
the border between the two: "at your age" where "at " is template text and "your age" a
value. To stay exact the lint must know every place where a phrase *could* continue across
a border, and this pattern finds them: it matches wherever a whole phrase matches, and
wherever the text from there up to a border character is the beginning of some phrase (the
"prefix closure" of the phrase list).

Borders stand next to a character that cannot be part of a word (the plan checks this), so
a phrase is only cut where a word ends or a separator begins; cutting inside a word is not
needed, which keeps the pattern to about twice the size of the main one. It is built from
the same parse as the main pattern of :mod:`ats_reject.compose._phrases` and scans
*prepared* lower-cased text, as the main pattern's fast path does.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ats_reject.compose._phrases import (
    _END,
    _NUM,
    _SYMBOLS,
    _TO_SPACE_BYTES,
    _WILD,
    Node,
    _heads,
    _is_empty,
    _parse,
    _pattern,
    _symbols,
    prepare_text,
)

__all__ = ["BORDER", "ClosureScanner", "closure_scanner", "prepare", "slot_char"]

BORDER = "\x00"
"""Ends each value when the values are scanned together (values hold no control
characters); a space follows it, so the next value starts after a space."""

_FIRST_SLOT = 0xE100
MAX_SLOTS = 0x100
"""How many values a message may have for the plan (more: the full lint runs)."""

BORDERS = "[\x00\ue100-\ue1ff]"
"""The border and the slot characters: no phrase continues across one of them."""

# Where a phrase may start after a character other than a space: apostrophes, slots, and
# characters outside ASCII that are not part of a word.
_OTHER_START = re.compile("[^\\w \x00]")
_PREPARE = bytes(code if code == 0 else byte for code, byte in enumerate(_TO_SPACE_BYTES))


def slot_char(index: int) -> str:
    """The character standing for value *index* in a message's template text."""
    return chr(_FIRST_SLOT + index)


def _symbol(symbol: str) -> str:
    return _SYMBOLS.get(symbol) or re.escape(symbol)


def _wordy(symbol: str | None) -> bool:
    # Letters, digits, "word*" and "#": a border never falls between two of them (the plan
    # keeps every value apart from its template text by a character that is no word's).
    return symbol is not None and (symbol in (_WILD, _NUM) or symbol.isalnum() or symbol == "_")


def _chain(symbols: list[str], tail: str, stop: str, *, open_end: bool) -> str:
    """The symbols in order then *tail*, or a leading part of them that ends at a border."""
    out = f"(?:{stop}|{tail})" if open_end else tail
    for index in range(len(symbols) - 1, -1, -1):
        step = _symbol(symbols[index]) + out
        if index and not (_wordy(symbols[index]) and _wordy(symbols[index - 1])):
            step = f"(?:{stop}|{step})"
        out = step
    return out


def _inner(node: dict[str, Any], stop: str, incoming: str | None) -> str | None:
    """Paths through a trie of alternatives that stop at a border strictly inside one."""
    children = [symbol for symbol in node if symbol != _END]
    branches: list[str] = []
    if (
        incoming is not None
        and children
        and (not _wordy(incoming) or not all(_wordy(child) for child in children))
    ):
        branches.append(stop)
    for symbol in children:
        below = _inner(node[symbol], stop, symbol)
        if below is not None:
            branches.append(_symbol(symbol) + below)
    if not branches:
        return None
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _group(options: list[list[Node]], stop: str) -> str | None:
    """A leading part of one of the group's alternatives that ends at a border inside it."""
    if all(all(isinstance(part, str) for part in option) for option in options):
        # The main pattern normalises plain alternatives this way (see _alternatives).
        trie: dict[str, Any] = {}
        for option in options:
            text = "".join(option)  # type: ignore[arg-type]
            if text.strip():
                node = trie
                normal = " ".join(text.split()) + (" " if text.endswith(" ") else "")
                for symbol in _symbols(normal, prepared=True):
                    node = node.setdefault(symbol, {})
                node[_END] = {}
        return _inner(trie, stop, None)
    inner = [_nodes(option, 0, stop, "(?!)") for option in options if not _is_empty(option)]
    return "(?:" + "|".join(inner) + ")" if inner else None


def _nodes(nodes: list[Node], index: int, stop: str, end: str) -> str:
    """All of ``nodes[index:]`` then *end*, or a leading part of it that ends at a border."""
    if index == len(nodes):
        return end
    node = nodes[index]
    rest = _nodes(nodes, index + 1, stop, end)
    if isinstance(node, str):
        return _chain(_symbols(node, prepared=True), rest, stop, open_end=index + 1 < len(nodes))
    whole = _pattern([node], prepared=True) + f"(?:{stop}|{rest})"
    inner = _group(node, stop)
    return whole if inner is None else f"(?:{inner}|{whole})"


def _trie(node: dict[str, Any], stop: str, end: str, *, incoming: str | None) -> str:
    children = [symbol for symbol in node if symbol != _END]
    border = incoming is not None and (
        _END in node or not _wordy(incoming) or not all(_wordy(child) for child in children)
    )
    branches = [stop] if border else []
    for symbol in children:
        branches.append(_symbol(symbol) + _trie(node[symbol], stop, end, incoming=symbol))
    branches.extend(_nodes(rest, 0, stop, end) for rest in node.get(_END, {}).values())
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _body(phrases: tuple[str, ...], border: str, end: str) -> str:
    # A cut phrase consumes the border character, so a full match of the pattern over a
    # piece that ends with a border means "this piece can begin a phrase".
    stop = border
    trie: dict[str, Any] = {}
    for phrase in phrases:
        for head, rest in _heads(_parse(phrase.strip())):
            node = trie
            for symbol in _symbols(head, prepared=True):
                node = node.setdefault(symbol, {})
            node.setdefault(_END, {})[_pattern(rest, prepared=True)] = rest
    return _trie(trie, stop, end, incoming=None)


def _scan(pattern: re.Pattern[str], subject: str) -> list[int]:
    found: list[int] = []
    position = 0
    while (match := pattern.search(subject, position)) is not None:
        found.append(match.start())
        position = match.start() + 1
    return found


def prepare(lowered: str) -> str:
    """*lowered* with every ASCII character that cannot be part of a word as a space.

    The border character stays: it ends a value.
    """
    return prepare_text(lowered, _PREPARE)


class ClosureScanner:
    """Where phrases start or could continue across a border, in lower-cased text.

    Args:
        phrases: The phrases, in the term-list syntax.
    """

    __slots__ = ("_after_other", "_after_space")

    def __init__(self, phrases: tuple[str, ...]) -> None:
        body = _body(phrases, BORDERS, rf"(?:{BORDERS}|(?!\w))")
        self._after_space = re.compile(" " + body)
        self._after_other = re.compile(r"[^\w ]" + body)

    def candidates(self, prepared: str) -> list[int]:
        """Offsets in *prepared* text where a phrase starts or may run into a border.

        Args:
            prepared: Lower-cased text passed through :func:`prepare`.

        Returns:
            The offsets, in order.
        """
        padded = " " + prepared
        found = _scan(self._after_space, padded)
        if _OTHER_START.search(prepared):
            found = sorted({*found, *_scan(self._after_other, padded)})
        return found

    def may_start(self, padded: str, position: int) -> bool:
        """Whether a phrase may start at *position* of ``" " + prepared`` text.

        *position* is the offset in the unpadded text; the character before it decides
        which prefix applies. A "no" is certain; a "yes" is to be confirmed.
        """
        before = padded[position]
        if before == " ":
            return self._after_space.match(padded, position) is not None
        if before.isalnum() or before == "_":
            return False
        return self._after_other.match(padded, position) is not None

    def runs_into_border(self, prepared: str) -> bool:
        """Whether all of *prepared* (ending with a border) can begin some phrase."""
        return self._after_space.fullmatch(" " + prepared) is not None


@functools.lru_cache(maxsize=16)
def closure_scanner(phrases: tuple[str, ...]) -> ClosureScanner:
    """The scanner for *phrases*, compiled once per list."""
    return ClosureScanner(phrases)
