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
from ats_reject.compose._shape import UNKNOWN_PARAGRAPH, body_paragraph
from ats_reject.compose._terms import TermList

__all__ = ["HtmlLine", "HtmlPlan", "Piece", "Plan", "build_plan"]

_FIRST_SLOT = 0xE100
_SLOT = re.compile("[\ue100-\ue1ff]")
_FORMAT_CHARS = re.compile("[%\ue100-\ue1ff]")
# html.unescape reads up to 32 characters after "&" as a reference; a value there could
# change what the template text before it decodes to.
_REFERENCE_BEFORE_SLOT = re.compile("&[^\t\n\f <&;]{0,34}[\ue100-\ue1ff]")


@dataclass(frozen=True, slots=True)
class Piece:
    """The subject, the text part, or one visible line of the HTML part, as a skeleton."""

    fmt: str
    """The skeleton as a %-format string: ``%(3)s`` where value 3 goes."""
    slots: tuple[int, ...]
    """Where values go, as offsets in the skeleton, in order."""
    values: tuple[int, ...]
    """Which value goes in each slot."""
    hits: tuple[tuple[Hit, int], ...]
    """Hits in the template text, with the number of slots before each."""
    live: tuple[tuple[int, int], ...]
    """Offsets to check in each message, with the number of slots before each."""
    words: int
    """Its words (separated by white space), a value counting as one."""


@dataclass(frozen=True, slots=True)
class HtmlLine:
    """One visible line of the HTML part that the text part does not hold.

    A line the text part holds is never scanned (in the skeleton means in every message).
    One that it does not hold is scanned when its template text matches a risky-wording
    category (promises only count without consent), when a phrase starts at a place the
    plan marked, or when one starts in one of its values.
    """

    index: int
    piece: Piece
    risky: bool
    """Its template text alone matches a risky-wording category."""
    promises_only: bool
    """...and every such match is a promise (nothing to report with consent)."""


@dataclass(frozen=True, slots=True)
class HtmlPlan:
    """The HTML part: the markup and its visible text as format strings, and its lines."""

    fmt: str
    """The markup, ``%(3)s`` where escaped value 3 goes."""
    visible: str
    """The visible text, ``%(3)s`` where value 3 goes."""
    curly: bool
    """The template text of the text or HTML part has a curly apostrophe."""
    shown: frozenset[int]
    """The values that the text part or the visible HTML shows (whose curly apostrophes
    count, as the template text's do)."""
    lines: tuple[tuple[HtmlLine, ...], tuple[HtmlLine, ...]]
    """The lines the text part does not hold, without and with curly apostrophes made
    straight for the comparison; only lines that could hold a finding."""


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
    paragraph_known: bool
    """Whether the text part's first body paragraph is known without its values."""
    paragraph: tuple[tuple[int, int], tuple[int, int]] | None
    """That paragraph: its start and end, each with the number of slots before it; ``None``
    when the text has no paragraph."""


def _format(skeleton: str) -> str:
    """The skeleton as a %-format string: ``%(3)s`` where value 3 goes."""

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char == "%":
            return "%%"
        return f"%({ord(char) - _FIRST_SLOT})s"

    return _FORMAT_CHARS.sub(replace, skeleton)


def _unformat(fmt: str) -> str:
    """The skeleton back from its format string."""
    return re.sub(
        r"%%|%\((\d+)\)s",
        lambda match: chr(_FIRST_SLOT + int(match.group(1))) if match.group(1) else "%",
        fmt,
    )


# The placeholder checks' substrings longer than a character (see _hits.has_trigger): a
# value could complete one that the template text begins, or begin one it completes.
_LONG_TRIGGERS = ("<<", "TODO", "TBD", "FIXME", "XXX", "orem ipsum")
_TRIGGER_HEADS = tuple(
    trigger[:cut] for trigger in _LONG_TRIGGERS for cut in range(1, len(trigger))
)
_TRIGGER_TAILS = tuple(
    trigger[cut:] for trigger in _LONG_TRIGGERS for cut in range(1, len(trigger))
)


def _may_trigger(skeleton: str) -> bool:
    if has_trigger(skeleton):
        return True
    return any(
        skeleton.endswith(_TRIGGER_HEADS, 0, match.start())
        or skeleton.startswith(_TRIGGER_TAILS, match.end())
        for match in _SLOT.finditer(skeleton)
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
        words=len(skeleton.split()),
    )


def _html(terms: TermList, closure: ClosureScanner, markup: str, text: str) -> HtmlPlan | None:
    if _REFERENCE_BEFORE_SLOT.search(markup):
        return None
    visible = visible_text(markup)
    if not _borders_apart(visible):
        return None
    curly = "\u2019" in text or "\u2019" in visible
    found: tuple[list[HtmlLine], list[HtmlLine]] = ([], [])
    texts = (TextLines(text, curly=False), TextLines(text, curly=True))
    for index, line in enumerate(visible.split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        outside = [
            not compared.holds(stripped.replace("\u2019", "'") if mode else stripped)
            for mode, compared in enumerate(texts)
        ]
        if not any(outside):
            continue
        piece = _piece(terms, closure, line)
        names = {match[0].name for hit, _ in piece.hits for match in hit.matches}
        if not (names or piece.live or piece.slots):
            continue
        for mode in (0, 1):
            if outside[mode]:
                found[mode].append(HtmlLine(index, piece, bool(names), names == {"promise"}))
    lines = (tuple(found[0]), tuple(found[1]))
    shown = frozenset(ord(char) - _FIRST_SLOT for char in _SLOT.findall(text + visible))
    return HtmlPlan(_format(markup), _format(visible), curly, shown, lines)


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
    text_piece = _piece(terms, closure, text)
    # Values hold no line breaks, so the paragraphs are those of the skeleton; only where
    # the greeting ends can depend on a value.
    paragraph = body_paragraph(text, text.lower(), terms, opaque=_SLOT)
    return Plan(
        terms,
        closure,
        _piece(terms, closure, subject),
        text_piece,
        html_plan,
        triggers=any(_may_trigger(part) for part in (subject, text, *visible)),
        paragraph_known=paragraph is not UNKNOWN_PARAGRAPH,
        paragraph=None
        if paragraph is None or paragraph is UNKNOWN_PARAGRAPH
        else (
            (paragraph[0], bisect.bisect_left(text_piece.slots, paragraph[0])),
            (paragraph[1], bisect.bisect_left(text_piece.slots, paragraph[1])),
        ),
    )
