"""What the wording scan finds at one place of a text, before the message's own rules apply.

A *hit* is everything the term lists match at one start offset: a decision phrase, a hedge,
and the risky-wording categories with their spans. It depends on the text alone, so the
composer can remember the hits of a template's own text; the rules that depend on the
message (names are exempt, promises are allowed with consent, allowed phrases, repeats) are
applied afterwards by the linter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ats_reject.compose._terms import Category, TermList

__all__ = ["CategoryMatch", "Hit", "classify", "has_trigger", "inside"]

CategoryMatch = tuple[Category, int, int, str]
"""A category whose terms match: the category, the span, and the matched text."""


@dataclass(frozen=True, slots=True)
class Hit:
    """What the term lists match at one offset."""

    start: int
    decision: tuple[int, int] | None
    """The span of a decision phrase starting here, if any."""
    hedge: tuple[int, int] | None
    """The span of a phrase that makes a decision read as provisional, if any."""
    matches: tuple[CategoryMatch, ...]
    """Risky-wording categories matching here, in the term list's order."""


def classify(terms: TermList, value: str, lowered: str, start: int) -> Hit | None:
    """Everything the term lists match at *start* of *value* (``lowered`` is its lower case).

    Returns:
        The hit, or ``None`` when nothing matches there.
    """
    first = value[start].lower()
    structure = terms.structure
    decision = hedge = None
    if first in structure.decision.first_chars:
        found = structure.decision.match_at(value, lowered, start)
        decision = found.span() if found is not None else None
    if first in structure.ambiguous.first_chars:
        found = structure.ambiguous.match_at(value, lowered, start)
        hedge = found.span() if found is not None else None
    matches: list[CategoryMatch] = []
    for category in terms.categories:
        if first not in category.terms.first_chars:
            continue
        found = category.terms.match_at(value, lowered, start)
        if found is not None:
            matches.append((category, found.start(), found.end(), found.group()))
    if decision is None and hedge is None and not matches:
        return None
    return Hit(start, decision, hedge, tuple(matches))


def has_trigger(value: str | None) -> bool:
    """Whether *value* may hold a left-over placeholder (cheap substring tests first)."""
    return value is not None and (
        "{" in value
        or "[" in value
        or "%" in value
        or "$" in value
        or "<<" in value
        or "TODO" in value
        or "TBD" in value
        or "FIXME" in value
        or "XXX" in value
        or "orem ipsum" in value
    )


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start``..``end`` lies within one of *spans*."""
    return any(s <= start and end <= e for s, e in spans)
