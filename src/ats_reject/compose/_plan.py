"""Plans: the lint's work on a template's own text, done once per shape of message.

Messages composed from one template, for one role, in one language and with the same kind
of context (a name or not, two strengths, a talent-pool invitation ...) differ only in the
values put into them: names, addresses, feedback, links. The composer renders such a
message once more with a placeholder character for each value (a *skeleton*) and the plan
records, for that skeleton:

* the text as a format string, to check that a real message is exactly the skeleton with
  its values put in (anything else, and the full lint runs);
* what the term lists match in the template text (:class:`~ats_reject.compose._hits.Hit`),
  where that cannot depend on the values;
* the places where it can: a phrase that may run on into a value ("at " before an address:
  "at your age"), and phrases right after a value (whose first character decides whether
  a word starts there); these are checked in each message;
* for the HTML part, its visible text as a format string and, per line, whether the text
  part holds it and whether scanning it could find anything.

The values themselves are scanned in every message. A plan holds template text only: the
role and the company, never a person's data.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ats_reject.compose._closure import ClosureScanner, prepare
from ats_reject.compose._hits import Hit, classify, has_trigger
from ats_reject.compose._html import visible_text
from ats_reject.compose._linter import TextLines
from ats_reject.compose._terms import TermList

__all__ = ["HtmlLine", "HtmlPlan", "Piece", "Plan", "build_plan"]

_FIRST_SLOT = 0xE100
_SLOT = re.compile("[\ue100-\ue1ff]")
_FORMAT_CHARS = re.compile("[{}\ue100-\ue1ff]")
# html.unescape reads up to 32 characters after "&" as a reference; a value there could
# change what the template text before it decodes to.
_REFERENCE_BEFORE_SLOT = re.compile("&[^\t\n\f <&;]{0,34}[\ue100-\ue1ff]")


@dataclass(frozen=True, slots=True)
class Piece:
    """The subject, the text part, or one visible line of the HTML part, as a skeleton."""

    fmt: str
    """The skeleton as a format string: ``{3}`` where value 3 goes."""
    slots: tuple[int, ...]
    """Where values go, as offsets in the skeleton, in order."""
    values: tuple[int, ...]
    """Which value goes in each slot."""
    hits: tuple[tuple[Hit, int], ...]
    """Hits in the template text, with the number of slots before each."""
    live: tuple[tuple[int, int], ...]
    """Offsets to check in each message, with the number of slots before each."""


@dataclass(frozen=True, slots=True)
class HtmlLine:
    """One visible line of the HTML part that could hold a finding."""

    index: int
    piece: Piece
    in_text: tuple[bool, bool]
    """Whether the text part holds the line, without and with curly apostrophes made
    straight (true in the skeleton means true in every message)."""
    risky: bool
    """Its template text alone matches a risky-wording category."""


@dataclass(frozen=True, slots=True)
class HtmlPlan:
    """The HTML part: the markup and its visible text as format strings, and its lines."""

    fmt: str
    """The markup, ``{3}`` where escaped value 3 goes."""
    visible: str
    """The visible text, ``{3}`` where value 3 goes."""
    curly: bool
    """The template text of the text or HTML part has a curly apostrophe."""
    lines: tuple[HtmlLine, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the lint can know of a message before its values are put in."""

    terms: TermList
    closure: ClosureScanner
    """Scans the values for phrases, whole or running on past a value's end."""
    subject: Piece
    text: Piece
    html: HtmlPlan | None
    triggers: bool
    """The template text may hold a left-over placeholder, alone or with a value."""


def _format(skeleton: str) -> str:
    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char in "{}":
            return char * 2
        return "{" + str(ord(char) - _FIRST_SLOT) + "}"

    return _FORMAT_CHARS.sub(replace, skeleton)


# The placeholder checks' substrings longer than a character (see _hits.has_trigger): a
# value could complete one that the template text begins, or begin one it completes.
_LONG_TRIGGERS = ("<<", "TODO", "TBD", "FIXME", "XXX", "orem ipsum")


def _may_trigger(skeleton: str) -> bool:
    if has_trigger(skeleton):
        return True
    for match in _SLOT.finditer(skeleton):
        before, after = skeleton[: match.start()], skeleton[match.end() :]
        for trigger in _LONG_TRIGGERS:
            for cut in range(1, len(trigger)):
                if before.endswith(trigger[:cut]) or after.startswith(trigger[cut:]):
                    return True
    return False


def _unformat(fmt: str) -> str:
    # The visible text is kept as a format string; the checks want it with slot characters.
    return re.sub(
        r"\{\{|\}\}|\{(\d+)\}",
        lambda m: chr(_FIRST_SLOT + int(m.group(1))) if m.group(1) else m.group()[0],
        fmt,
    )


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _borders_apart(skeleton: str) -> bool:
    """Whether every value stands next to characters that cannot be part of a word."""
    for match in _SLOT.finditer(skeleton):
        at = match.start()
        before = skeleton[at - 1] if at else " "
        after = skeleton[at + 1] if at + 1 < len(skeleton) else " "
        if _word(before) or _word(after) or _SLOT.match(before) or _SLOT.match(after):
            return False
    return True


def _piece(terms: TermList, closure: ClosureScanner, skeleton: str) -> Piece:
    lowered = skeleton.lower()
    slots = [match.start() for match in _SLOT.finditer(skeleton)]
    live: set[int] = set()
    if slots:
        prepared = prepare(lowered)
        for start in closure.candidates(prepared):
            after = bisect.bisect_left(slots, start)
            if after < len(slots) and closure.runs_into_border(prepared[start : slots[after] + 1]):
                live.add(start)
    hits: list[tuple[Hit, int]] = []
    for start in terms.scanner.starts(skeleton, lowered):
        if start in live:
            continue
        if start and _SLOT.match(skeleton[start - 1]):
            # Whether a word starts here depends on the value's last character.
            live.add(start)
            continue
        hit = classify(terms, skeleton, lowered, start)
        if hit is not None:
            hits.append((hit, bisect.bisect_left(slots, start)))
    return Piece(
        fmt=_format(skeleton),
        slots=tuple(slots),
        values=tuple(ord(skeleton[at]) - _FIRST_SLOT for at in slots),
        hits=tuple(hits),
        live=tuple((at, bisect.bisect_left(slots, at)) for at in sorted(live)),
    )


def _html(terms: TermList, closure: ClosureScanner, markup: str, text: str) -> HtmlPlan | None:
    if _REFERENCE_BEFORE_SLOT.search(markup):
        return None
    visible = visible_text(markup)
    if not _borders_apart(visible):
        return None
    curly = "\u2019" in text or "\u2019" in visible
    plain_text, curly_text = TextLines(text, curly=False), TextLines(text, curly=True)
    lines: list[HtmlLine] = []
    for index, line in enumerate(visible.split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        piece = _piece(terms, closure, line)
        risky = any(hit.matches for hit, _ in piece.hits)
        if not (risky or piece.live or piece.slots):
            continue
        in_text = (
            plain_text.holds(stripped),
            curly_text.holds(stripped.replace("\u2019", "'")),
        )
        lines.append(HtmlLine(index, piece, in_text, risky))
    return HtmlPlan(_format(markup), _format(visible), curly, tuple(lines))


def build_plan(
    terms: TermList,
    closure: ClosureScanner,
    subject: str,
    text: str,
    html: str | None,
) -> Plan | None:
    """The plan for a message's skeleton, or ``None`` when the full lint must run.

    Args:
        terms: The term list of the message's language.
        closure: The scanner for phrases that may run on into a value, for *terms*.
        subject: The subject, with a slot character (:func:`~._closure.slot_char`) where
            each value went.
        text: The text part, the same way.
        html: The HTML part, the same way (values are escaped; slot characters need not).

    Returns:
        The plan, or ``None`` for a skeleton the plan cannot vouch for: a value glued to a
        word, a character whose lower case is longer, a character reference before a value.
    """
    parts = (subject, text) if html is None else (subject, text, html)
    if any(len(part.lower()) != len(part) for part in parts):
        return None
    if not (_borders_apart(subject) and _borders_apart(text)):
        return None
    html_plan = None
    if html is not None:
        html_plan = _html(terms, closure, html, text)
        if html_plan is None:
            return None
    visible = () if html_plan is None else (_unformat(html_plan.visible),)
    return Plan(
        terms,
        closure,
        _piece(terms, closure, subject),
        _piece(terms, closure, text),
        html_plan,
        triggers=any(_may_trigger(part) for part in (subject, text, *visible)),
    )
