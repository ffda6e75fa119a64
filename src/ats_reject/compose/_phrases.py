"""The phrase syntax of the term lists, compiled into fast patterns.

A term file lists phrases in a small syntax meant for people, not regular expressions (it is
described at the top of ``lint_terms/en.toml``). Each phrase is parsed, the text it starts
with is merged into a character trie shared by all phrases, and the trie is written out as
one regular expression. A message is scanned once with the expression for a whole list; only
a hit (rare in a good message) pays for finding which phrase matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["PhraseSet", "check_phrase", "compile_pattern", "compile_phrases", "prepare_text"]

_SEP = "\x01"  # a space in a phrase: whitespace or hyphens between words
_OPT_SEP = "\x02"  # a hyphen in a phrase: optional, so "over-qualified" finds "overqualified"
_APOS = "\x03"  # either apostrophe
_WILD = "\x04"  # '*': the rest of a word
_NUM = "\x05"  # '#': a number
_END = "\x00"

_SYMBOLS = {
    _SEP: r"[\s,\-]+",
    _OPT_SEP: r"[\s\-]?",
    _APOS: "['\u2019]",
    _WILD: r"\w*",
    _NUM: r"\d+",
}
_ALLOWED_CHARS = re.compile("^[\\w\\s\\-'\u2019*#./&()|\\[\\]]+$")


def _symbols(text: str, *, prepared: bool = False) -> list[str]:
    out: list[str] = []
    for char in text.lower():
        if prepared and char in "./&":
            # Prepared text has every such character turned into a space.
            out.append(" ")
        elif char == " ":
            out.append(_SEP)
        elif char == "-":
            out.append(_OPT_SEP)
        elif char in "'\u2019":
            out.append(_APOS)
        elif char == "*":
            out.append(_WILD)
        elif char == "#":
            out.append(_NUM)
        else:
            out.append(char)
    return out


def _literal(text: str, prepared: bool) -> str:
    return "".join(
        _SYMBOLS.get(symbol) or re.escape(symbol) for symbol in _symbols(text, prepared=prepared)
    )


def _alternatives(options: list[str], prepared: bool) -> str:
    """A compact pattern for a group's alternatives (a trie, so shared prefixes are shared)."""
    trie: dict[str, Any] = {}
    optional = False
    for option in options:
        if not option.strip():
            optional = True
            continue
        node = trie
        option_text = " ".join(option.split()) + (" " if option.endswith(" ") else "")
        for symbol in _symbols(option_text, prepared=prepared):
            node = node.setdefault(symbol, {})
        node.setdefault(_END, {})[""] = {}
    body = _trie_pattern(trie)
    if not body:
        return ""
    return f"(?:{body})?" if optional else f"(?:{body})"


# A parsed phrase: literal text and groups; a group is a list of alternatives, and each
# alternative is itself a parsed phrase (groups nest: "(on file|in our (database|system))").
Node = str | list[list[Any]]


def _parse(phrase: str) -> list[Node]:
    nodes, position = _parse_sequence(phrase, 0, closing=None)
    if position != len(phrase):
        raise ValueError(f"phrase {phrase!r} has an unmatched closing bracket")
    return nodes


def _parse_sequence(phrase: str, position: int, closing: str | None) -> tuple[list[Node], int]:
    nodes: list[Node] = []
    literal: list[str] = []
    while position < len(phrase):
        char = phrase[position]
        if char in "([":
            if literal:
                nodes.append("".join(literal))
                literal = []
            group, position = _parse_group(phrase, position + 1, ")" if char == "(" else "]")
            nodes.append(group)
            continue
        if char in ")]|":
            if closing is None:
                raise ValueError(f"phrase {phrase!r} has an unmatched {char!r}")
            break
        literal.append(char)
        position += 1
    if literal:
        nodes.append("".join(literal))
    return nodes, position


def _parse_group(phrase: str, position: int, closing: str) -> tuple[list[list[Any]], int]:
    alternatives: list[list[Any]] = []
    while True:
        sequence, position = _parse_sequence(phrase, position, closing)
        alternatives.append(sequence)
        if position >= len(phrase):
            raise ValueError(f"phrase {phrase!r} has an unclosed bracket")
        char = phrase[position]
        position += 1
        if char == "|" and closing == ")":
            continue
        if char != closing:
            raise ValueError(f"phrase {phrase!r} has mismatched brackets")
        break
    if closing == "]":
        alternatives.append([])
    return alternatives, position


def _is_empty(sequence: list[Node]) -> bool:
    return all(isinstance(node, str) and not node.strip() for node in sequence)


def _pattern(nodes: list[Node], prepared: bool) -> str:
    """The pattern for a parsed phrase (without the word boundaries around it)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_literal(node, prepared))
        elif all(all(isinstance(part, str) for part in option) for option in node):
            # Plain alternatives share their prefixes in a trie.
            out.append(_alternatives(["".join(option) for option in node], prepared))
        else:
            optional = any(_is_empty(option) for option in node)
            body = "|".join(_pattern(option, prepared) for option in node if not _is_empty(option))
            out.append(f"(?:{body})?" if optional else f"(?:{body})")
    return "".join(out)


def _heads(nodes: list[Node]) -> list[tuple[str, list[Node]]]:
    """Split a parsed phrase into (its leading text, the rest) for each way it can start.

    Only the leading text (up to the second group) is spread into the shared trie; the rest
    stays a compact pattern, so a phrase with many alternatives costs its size, not the
    product of its choices.
    """
    if not nodes:
        return []
    first, rest = nodes[0], nodes[1:]
    if isinstance(first, str):
        # The whole literal run goes into the trie: phrases that share words share states,
        # and the separators after common words are tested once, not once per phrase.
        text = first.lstrip()
        while rest and isinstance(rest[0], str):
            text += rest[0]
            rest = rest[1:]
        if not text:
            return _heads(rest)
        return [(text, rest)]
    heads: list[tuple[str, list[Node]]] = []
    for option in first:
        if _is_empty(option):
            heads.extend(_heads(rest))
        else:
            heads.extend(_heads([*option, *rest]))
    return heads


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        (_SYMBOLS.get(symbol) or re.escape(symbol)) + _trie_pattern(child)
        for symbol, child in sorted(node.items(), key=lambda item: item[0] in _SYMBOLS)
        if symbol != _END
    ]
    ends = sorted(node.get(_END, {}), key=lambda rest: (rest == "", rest))
    optional = "" in ends
    branches.extend(rest for rest in ends if rest)
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if optional else body


def compile_phrases(
    phrases: tuple[str, ...] | list[str],
    *,
    ignore_case: bool = True,
    prefix: str | None = None,
    prepared: bool = False,
) -> re.Pattern[str] | None:
    """Compile phrases in the term-list syntax into one whole-word pattern.

    Args:
        phrases: Phrases as written in a term file.
        ignore_case: Match any case. Without it the pattern matches lower-case text only,
            which is faster: callers lower-case the text once and scan that.
        prefix: ``None`` for a pattern that finds phrases anywhere at a word start; else a
            regular expression for the one character before the phrase (a space, an
            apostrophe): the engine then skips ahead to that character at C speed (see
            :meth:`PhraseSet.starts`).
        prepared: The pattern is for *prepared* text, where ``.``, ``/``, ``&`` and ``,``
            have become spaces.

    Returns:
        The pattern, or ``None`` for an empty list.

    Raises:
        ValueError: A phrase uses characters outside the syntax.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        if not phrase.strip() or not _ALLOWED_CHARS.match(phrase):
            raise ValueError(f"phrase {phrase!r} uses characters outside the term syntax")
        for head, rest in _heads(_parse(phrase.strip())):
            node = trie
            for symbol in _symbols(head, prepared=prepared):
                node = node.setdefault(symbol, {})
            node.setdefault(_END, {})[_pattern(rest, prepared)] = {}
    if not trie:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    start = r"(?<!\w)" if prefix is None else prefix
    return re.compile(start + _trie_pattern(trie) + r"(?!\w)", flags)


def _first_chars(phrases: tuple[str, ...]) -> frozenset[str]:
    chars: set[str] = set()
    for phrase in phrases:
        for head, _ in _heads(_parse(phrase.strip())):
            first = head[:1].lower()
            if first == "#":
                chars.update("0123456789")
            elif first in "'\u2019":
                chars.update("'\u2019")
            else:
                chars.add(first)
    return frozenset(chars)


@functools.lru_cache(maxsize=4096)
def compile_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """The ignore-case pattern for non-empty *phrases*, compiled once and cached."""
    pattern = compile_phrases(phrases)
    if pattern is None:
        raise ValueError("no phrases")
    return pattern


# Every ASCII character that cannot be part of a word, except the apostrophe, becomes a
# space in prepared text, so a phrase always follows a space or an apostrophe there.
_TO_SPACE = {code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) in "_'")}
# The same as a byte table: translating the UTF-8 bytes is exact (a byte below 128 is always
# an ASCII character there) and several times faster than str.translate.
_TO_SPACE_BYTES = bytes(32 if code in _TO_SPACE else code for code in range(256))


def prepare_text(lowered: str, table: bytes = _TO_SPACE_BYTES) -> str:
    """*lowered* with every ASCII character that cannot be part of a word as a space."""
    return (
        lowered.encode("utf-8", "surrogatepass").translate(table).decode("utf-8", "surrogatepass")
    )


def _scan(pattern: re.Pattern[str], subject: str) -> list[int]:
    found: list[int] = []
    position = 0
    while (match := pattern.search(subject, position)) is not None:
        found.append(match.start())
        position = match.start() + 1
    return found


class PhraseSet:
    """Phrases compiled on first use, scanned over lower-cased text.

    Lower-cased text without the ignore-case flag scans about twice as fast; text whose
    length changes when lower-cased (a dotted capital I) is scanned with the ignore-case
    pattern instead, so offsets always point into the original text.
    """

    __slots__ = ("_fast", "_lower", "_nocase", "first_chars", "phrases")

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.phrases = phrases
        self._lower: re.Pattern[str] | None = None
        self._nocase: re.Pattern[str] | None = None
        self._fast: tuple[re.Pattern[str], ...] | None = None
        self.first_chars = _first_chars(phrases)
        """Lower-case characters a phrase can start with: a cheap test before a match."""

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._lower is None and self.phrases:
            self._lower = compile_phrases(self.phrases, ignore_case=False)
            self._nocase = compile_pattern(self.phrases)
        return self._lower, self._nocase

    def finditer(self, text: str, lowered: str) -> Iterator[re.Match[str]]:
        """Matches in *text*; *lowered* is ``text.lower()``, computed once by the caller."""
        lower, nocase = self._patterns()
        if lower is None or nocase is None:
            return iter(())
        if len(lowered) == len(text):
            return lower.finditer(lowered)
        return nocase.finditer(text)

    def search(self, text: str, lowered: str) -> re.Match[str] | None:
        """The first match in *text*, if any (see :meth:`finditer`)."""
        lower, nocase = self._patterns()
        if lower is None or nocase is None:
            return None
        if len(lowered) == len(text):
            return lower.search(lowered)
        return nocase.search(text)

    def starts(self, text: str, lowered: str) -> list[int]:
        """Every offset where a phrase starts, overlapping matches included.

        A plain scan resumes after each match, so a phrase that starts inside another one
        ("move forward with another" inside "decided not to move forward with another")
        would be lost; resuming one character after each start finds them all.

        Testing for a word boundary at every position is slow in Python's engine, so the
        scan looks for the character *before* a phrase instead, which the engine finds at C
        speed. ASCII text, the common case, is first *prepared*: every character that cannot
        be part of a word becomes a space (apostrophes stay), so one scan after spaces and
        one after apostrophes find every phrase. Other text is scanned after spaces, then
        after any other character that is not part of a word. A space is put in front, so
        ``prepared[k + 1]`` is ``lowered[k]``, and a prefix found at ``k`` is a phrase at
        ``k``.
        """
        lower, nocase = self._patterns()
        if lower is None or nocase is None:
            return []
        if len(lowered) != len(text):
            return _scan(nocase, text)
        fast = self._fast
        if fast is None:
            fast = self._fast = tuple(
                pattern
                for prefix, prepared in ((" ", True), ("'", True), (" ", False), (r"[^\w ]", False))
                if (
                    pattern := compile_phrases(
                        self.phrases, ignore_case=False, prefix=prefix, prepared=prepared
                    )
                )
                is not None
            )
        if len(fast) != 4:  # pragma: no cover - the phrases are not empty
            return _scan(lower, lowered)
        after_space, after_apostrophe, raw_after_space, raw_after_other = fast
        if lowered.isascii():
            prepared = " " + prepare_text(lowered)
            found = _scan(after_space, prepared)
            if "'" in lowered:
                found = sorted({*found, *_scan(after_apostrophe, prepared)})
            return found
        padded = " " + lowered
        return sorted({*_scan(raw_after_space, padded), *_scan(raw_after_other, padded)})

    def match_at(self, text: str, lowered: str, position: int) -> re.Match[str] | None:
        """The phrase starting exactly at *position*, if any."""
        lower, nocase = self._patterns()
        if lower is None or nocase is None:
            return None
        if len(lowered) == len(text):
            return lower.match(lowered, position)
        return nocase.match(text, position)

    def fullmatch(self, hit: str) -> bool:
        """Whether *hit* (a matched piece of text) is exactly one of the phrases."""
        _, nocase = self._patterns()
        return nocase is not None and nocase.fullmatch(hit) is not None


def check_phrase(phrase: str) -> None:
    """Raise ``ValueError`` when *phrase* is not in the term syntax."""
    if not phrase.strip() or not _ALLOWED_CHARS.match(phrase):
        raise ValueError(f"{phrase!r} is empty or uses characters outside the term syntax")
    _parse(phrase)
