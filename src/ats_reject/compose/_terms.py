"""Term lists: the per-locale data behind the wording checks.

A locale file (``lint_terms/<locale>.toml``) has the risky-wording categories, each with
its phrases and its exceptions, and the phrases for the shape checks (greetings, how a
decision is stated). Loading validates the file; patterns are compiled on first use.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ats_reject.compose._codes import CATEGORY_CODES, LINT_CODES, Severity
from ats_reject.compose._phrases import PhraseSet, check_phrase, compile_pattern
from ats_reject.errors import ConfigurationError

__all__ = [
    "LINT_TERMS_KEY_PATH",
    "Category",
    "StructureTerms",
    "TermEntry",
    "TermList",
    "load_terms",
]


LINT_TERMS_KEY_PATH = "templates.lint_terms"
"""The configuration key of the user's lint-term folder; errors in its files name it."""


@dataclass(frozen=True, slots=True)
class TermEntry:
    """One entry of a category: the phrase as written, its severity, and why it is risky."""

    phrase: str
    severity: Severity
    note: str | None

    def matches(self, hit: str) -> bool:
        """Whether *hit* is exactly this entry's phrase."""
        return compile_pattern((self.phrase,)).fullmatch(hit) is not None


@dataclass(frozen=True)
class Category:
    """A category of risky wording in one locale, reported under one lint code."""

    name: str
    code: str
    entries: tuple[TermEntry, ...]
    terms: PhraseSet
    allow: PhraseSet
    """Exceptions: a hit inside a match of these phrases is not risky."""

    def entry_for(self, hit: str) -> TermEntry | None:
        """The most severe entry that matches *hit* exactly, if any."""
        if not self.terms.fullmatch(hit):
            return None
        found: TermEntry | None = None
        for entry in self.entries:
            if entry.matches(hit):
                if entry.severity is Severity.ERROR:
                    return entry
                found = found or entry
        return found


@dataclass(frozen=True)
class StructureTerms:
    """Phrases for the shape checks: greetings and how a decision is stated."""

    greeting_words: PhraseSet
    generic_greetings: PhraseSet
    decision: PhraseSet
    ambiguous: PhraseSet


@dataclass(frozen=True)
class TermList:
    """Everything the lint knows about one locale's wording."""

    locale: str
    categories: tuple[Category, ...]
    scanner: PhraseSet
    """Every category's terms and the decision phrases, for the single pass over a text."""
    structure: StructureTerms
    segment_starts: dict[str, tuple[int, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Where phrases start in impersonal paragraphs already seen (see ``_linter``)."""


def _entries(name: str, raw: Any, default: Severity, source: str) -> list[TermEntry]:
    if not isinstance(raw, list):
        raise ConfigurationError(f"{source}: categories.{name}.terms must be a list")
    entries: list[TermEntry] = []
    for item in raw:
        if isinstance(item, str):
            phrase, severity, note = item, default, None
        elif isinstance(item, dict) and isinstance(item.get("phrase"), str):
            phrase = item["phrase"]
            try:
                severity = Severity(item.get("severity", default.value))
            except ValueError as exc:
                raise ConfigurationError(
                    f"{source}: categories.{name}: severity must be 'error' or 'warning'"
                ) from exc
            note = item.get("note")
        else:
            raise ConfigurationError(f"{source}: bad entry in categories.{name}.terms")
        _check_phrase(phrase, f"categories.{name}", source)
        entries.append(TermEntry(phrase, severity, note))
    return entries


def _check_phrase(phrase: str, where: str, source: str) -> None:
    try:
        check_phrase(phrase)
    except ValueError as exc:
        raise ConfigurationError(f"{source}: {where}: {exc}") from exc


def _string_list(raw: Any, where: str, source: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigurationError(f"{source}: {where} must be a list of strings")
    for phrase in raw:
        _check_phrase(phrase, where, source)
    return tuple(raw)


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
    everything: list[str] = []
    categories: list[Category] = []
    global_allow = _string_list(data.get("allow", {}).get("phrases"), "allow.phrases", source)
    raw_categories = data.get("categories", {})
    unknown = set(raw_categories) - set(CATEGORY_CODES)
    if unknown:
        raise ConfigurationError(f"{source}: unknown categories {sorted(unknown)}")
    for name, code in CATEGORY_CODES.items():
        raw = raw_categories.get(name, {})
        entries = _entries(name, raw.get("terms", []), LINT_CODES[code].severity, source)
        phrases = tuple(entry.phrase for entry in entries)
        allow = _string_list(raw.get("allow"), f"categories.{name}.allow", source)
        categories.append(
            Category(
                name, code, tuple(entries), PhraseSet(phrases), PhraseSet(allow + global_allow)
            )
        )
        everything.extend(phrases)
    raw_structure = data.get("structure", {})
    structure = StructureTerms(
        **{
            key: PhraseSet(_string_list(raw_structure.get(key), f"structure.{key}", source))
            for key in ("greeting_words", "generic_greetings", "decision", "ambiguous")
        }
    )
    everything.extend(structure.decision.phrases + structure.ambiguous.phrases)
    return TermList(locale, tuple(categories), PhraseSet(tuple(everything)), structure)


def _shipped(locale: str) -> str | None:
    resource = (
        resources.files("ats_reject.compose").joinpath("lint_terms").joinpath(f"{locale}.toml")
    )
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def load_terms(locale: str, extra_dir: Path | None = None) -> TermList | None:
    """Load the term list for exactly *locale*: the shipped file, extended by the user's.

    A user file (``<extra_dir>/<locale>.toml``) adds to the shipped one: its lists are
    appended, so it can add terms and exceptions but cannot silently remove a shipped term.
    Patterns are compiled on first use.

    Args:
        locale: A canonical locale tag.
        extra_dir: A folder of user term files, if any.

    Returns:
        The term list, or ``None`` when neither file exists.

    Raises:
        ConfigurationError: A file is not valid TOML or uses an unknown category or syntax;
            for a user file the key path is ``templates.lint_terms``.
    """
    shipped = _shipped(locale)
    user_path = extra_dir / f"{locale}.toml" if extra_dir is not None else None
    user_text = user_path.read_text(encoding="utf-8") if user_path and user_path.is_file() else None
    if shipped is None and user_text is None:
        return None
    data: dict[str, Any] = {}
    if shipped is not None:
        data = _read_toml(shipped, f"lint_terms/{locale}.toml")
    if user_text is None:
        return _build(locale, data, f"lint_terms/{locale}.toml")
    # The shipped lists are valid (a test checks them), so any problem now is the user's.
    source = f"{locale}.toml in the lint-terms folder"
    try:
        return _build(locale, _merge(data, _read_toml(user_text, source)), source)
    except ConfigurationError as exc:
        raise ConfigurationError(str(exc), key_path=LINT_TERMS_KEY_PATH) from None
