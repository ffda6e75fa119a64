"""Term lists: the per-locale data behind the wording checks, compiled for fast scanning.

A locale file (``lint_terms/<locale>.toml``) lists phrases in a small syntax meant for
people, not regular expressions (the syntax is described at the top of ``en.toml``). Each
phrase is expanded and merged into a character trie, and the trie is written out as one
regular expression. A message is scanned once with the expression for all categories; only
a hit (rare in a good message) pays for finding its category, its entry and its exceptions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ats_reject.compose._codes import CATEGORY_CODES, LINT_CODES, Severity
from ats_reject.errors import ConfigurationError

__all__ = ["Category", "StructureTerms", "TermEntry", "TermList", "compile_phrases", "load_terms"]

_SEP = "\x01"  # a space in a phrase: whitespace or hyphens between words
_OPT_SEP = "\x02"  # a hyphen in a phrase: optional, so "over-qualified" finds "overqualified"
_APOS = "\x03"  # either apostrophe
_WILD = "\x04"  # '*': the rest of a word
_NUM = "\x05"  # '#': a number
_END = "\x00"

_SYMBOLS = {
    _SEP: r"[\s\-]+",
    _OPT_SEP: r"[\s\-]?",
    _APOS: r"['’]",
    _WILD: r"\w*",
    _NUM: r"\d+",
}
_ALLOWED_CHARS = re.compile(r"^[\w\s\-'’*#./&()|\[\]]+$")
_GROUP = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


def _expand(phrase: str) -> list[str]:
    match = _GROUP.search(phrase)
    if match is None:
        return [" ".join(phrase.split())]
    options = match.group(1).split("|") if match.group(1) is not None else [match.group(2), ""]
    head, tail = phrase[: match.start()], phrase[match.end() :]
    expanded: list[str] = []
    for option in options:
        expanded.extend(_expand(head + option + tail))
    return [text for text in expanded if text]


def _symbols(text: str) -> list[str]:
    out: list[str] = []
    for char in text.lower():
        if char == " ":
            out.append(_SEP)
        elif char == "-":
            out.append(_OPT_SEP)
        elif char in "'’":
            out.append(_APOS)
        elif char == "*":
            out.append(_WILD)
        elif char == "#":
            out.append(_NUM)
        else:
            out.append(char)
    return out


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        (_SYMBOLS.get(symbol) or re.escape(symbol)) + _trie_pattern(child)
        for symbol, child in sorted(node.items(), key=lambda item: item[0] in _SYMBOLS)
        if symbol != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return "(?:" + body + ")?"
    return body


def compile_phrases(phrases: list[str]) -> re.Pattern[str] | None:
    """Compile phrases in the term-list syntax into one case-insensitive whole-word pattern.

    Args:
        phrases: Phrases as written in a term file.

    Returns:
        The pattern, or ``None`` for an empty list.

    Raises:
        ValueError: A phrase uses characters outside the syntax.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        if not phrase.strip() or not _ALLOWED_CHARS.match(phrase):
            raise ValueError(f"phrase {phrase!r} uses characters outside the term syntax")
        for text in _expand(phrase):
            node = trie
            for symbol in _symbols(text):
                node = node.setdefault(symbol, {})
            node[_END] = {}
    if not trie:
        return None
    return re.compile(r"(?<!\w)" + _trie_pattern(trie) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TermEntry:
    """One entry of a category: the phrase as written, its severity, and why it is risky."""

    phrase: str
    severity: Severity
    note: str | None
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Category:
    """A category of risky wording in one locale, reported under one lint code."""

    name: str
    code: str
    entries: tuple[TermEntry, ...]
    pattern: re.Pattern[str] | None
    allow: re.Pattern[str] | None
    """Exceptions: a hit inside a match of this pattern is not risky."""

    def entry_for(self, hit: str) -> TermEntry | None:
        """The most severe entry that matches *hit* exactly, if any."""
        if self.pattern is None or self.pattern.fullmatch(hit) is None:
            return None
        found: TermEntry | None = None
        for entry in self.entries:
            if entry.pattern.fullmatch(hit) is not None and (
                found is None or entry.severity is Severity.ERROR
            ):
                found = entry
                if entry.severity is Severity.ERROR:
                    break
        return found


@dataclass(frozen=True, slots=True)
class StructureTerms:
    """Phrases for the shape checks: greetings and how a decision is stated."""

    greeting_words: re.Pattern[str] | None = None
    generic_greetings: re.Pattern[str] | None = None
    decision: re.Pattern[str] | None = None
    ambiguous: re.Pattern[str] | None = None


@dataclass(frozen=True)
class TermList:
    """Everything the lint knows about one locale's wording."""

    locale: str
    categories: tuple[Category, ...]
    scanner: re.Pattern[str] | None
    """One pattern for every category's terms, for the first pass over a message."""
    structure: StructureTerms = field(default_factory=StructureTerms)


def _entries(
    name: str, raw: Any, default: Severity, source: str
) -> tuple[list[TermEntry], list[str]]:
    if not isinstance(raw, list):
        raise ConfigurationError(f"{source}: categories.{name}.terms must be a list")
    entries: list[TermEntry] = []
    phrases: list[str] = []
    for item in raw:
        if isinstance(item, str):
            phrase, severity, note = item, default, None
        elif isinstance(item, dict) and isinstance(item.get("phrase"), str):
            phrase = item["phrase"]
            severity = Severity(item.get("severity", default.value))
            note = item.get("note")
        else:
            raise ConfigurationError(f"{source}: bad entry in categories.{name}.terms")
        try:
            pattern = compile_phrases([phrase])
        except ValueError as exc:
            raise ConfigurationError(f"{source}: categories.{name}: {exc}") from exc
        if pattern is None:
            continue
        entries.append(TermEntry(phrase, severity, note, pattern))
        phrases.append(phrase)
    return entries, phrases


def _string_list(raw: Any, where: str, source: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigurationError(f"{source}: {where} must be a list of strings")
    return list(raw)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]
        else:
            merged[key] = value
    return merged


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{source}: not valid TOML ({exc})") from exc


def _build(locale: str, data: dict[str, Any], source: str) -> TermList:
    phrases_all: list[str] = []
    categories: list[Category] = []
    global_allow = _string_list(data.get("allow", {}).get("phrases"), "allow.phrases", source)
    raw_categories = data.get("categories", {})
    unknown = set(raw_categories) - set(CATEGORY_CODES)
    if unknown:
        raise ConfigurationError(f"{source}: unknown categories {sorted(unknown)}")
    try:
        for name, code in CATEGORY_CODES.items():
            raw = raw_categories.get(name, {})
            default = LINT_CODES[code].severity
            entries, phrases = _entries(name, raw.get("terms", []), default, source)
            allow = _string_list(raw.get("allow"), f"categories.{name}.allow", source)
            categories.append(
                Category(
                    name=name,
                    code=code,
                    entries=tuple(entries),
                    pattern=compile_phrases(phrases),
                    allow=compile_phrases(allow + global_allow),
                )
            )
            phrases_all.extend(phrases)
        raw_structure = data.get("structure", {})
        structure = StructureTerms(
            **{
                key: compile_phrases(_string_list(raw_structure.get(key), key, source))
                for key in ("greeting_words", "generic_greetings", "decision", "ambiguous")
            }
        )
        scanner = compile_phrases(phrases_all)
    except ValueError as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc
    return TermList(locale=locale, categories=tuple(categories), scanner=scanner, structure=structure)


def _shipped(locale: str) -> str | None:
    resource = resources.files("ats_reject.compose").joinpath("lint_terms").joinpath(f"{locale}.toml")
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def load_terms(locale: str, extra_dir: Path | None = None) -> TermList | None:
    """Load the term list for exactly *locale*: the shipped file, extended by the user's.

    A user file (``<extra_dir>/<locale>.toml``) adds to the shipped one: its lists are
    appended, so it can add terms and exceptions but cannot silently remove a shipped term.

    Args:
        locale: A canonical locale tag.
        extra_dir: A folder of user term files, if any.

    Returns:
        The compiled list, or ``None`` when neither file exists.

    Raises:
        ConfigurationError: A file is not valid TOML or uses an unknown category or syntax.
    """
    shipped = _shipped(locale)
    user_path = extra_dir / f"{locale}.toml" if extra_dir is not None else None
    user_text = user_path.read_text(encoding="utf-8") if user_path and user_path.is_file() else None
    if shipped is None and user_text is None:
        return None
    data: dict[str, Any] = {}
    if shipped is not None:
        data = _read_toml(shipped, f"lint_terms/{locale}.toml")
    if user_text is not None:
        data = _merge(data, _read_toml(user_text, f"{user_path}"))
    return _build(locale, data, f"lint_terms/{locale}.toml")
