"""The lint of a composed message through its plan (see :mod:`ats_reject.compose._plan`).

Per message, only what the values can change is done: check that the message is the
skeleton with these values put in; scan the values (one pass over all of them, for whole
phrases and for phrases that may run on past a value's end); classify the few places the
plan marked; rebuild the visible text of the HTML part from its format string instead of
parsing the markup; scan only the HTML lines that the text part does not hold and that could
hold a finding. The findings are those of the full lint, to the character.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from ats_reject.compose._closure import BORDER, MAX_SLOTS, ClosureScanner, prepare
from ats_reject.compose._hits import Hit, classify, has_trigger
from ats_reject.compose._linter import Linter, TextLines
from ats_reject.compose._plan import HtmlLine, Piece, Plan
from ats_reject.compose._report import Lintable, LintFinding, LintOptions
from ats_reject.compose._shape import Scan
from ats_reject.compose.context import MessageContext

__all__ = ["lint_planned"]

_JOINER = BORDER + " "
_KEYS = tuple(str(index) for index in range(MAX_SLOTS))
_NO_SHIFTS = [0]

# Values the plan cannot stand for: control characters (the visible text of the HTML part
# turns line breaks into spaces), white space other than the plain space (values are counted
# in words by their spaces), and the characters the plan itself uses.
_UNUSUAL = re.compile(
    "[\x01-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ue000-\ue1ff]"
)
# What Jinja2's autoescape (markupsafe) writes for each character, as a translation table.
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
_TO_ESCAPE = re.compile("[&<>\"']")


def _unusual(values: list[str], joined: str) -> bool:
    """Whether the plan cannot stand for these values (the full lint runs instead).

    A context's own validation rules all of this out; the check costs little and keeps
    hand-made contexts exact too.
    """
    return (
        _UNUSUAL.search(joined) is not None
        or joined.count(BORDER) != max(len(values) - 1, 0)
        or not all(values)
        # White space at either end of a value, or two spaces in a row.
        or joined[:1] == " "
        or joined[-1:] == " "
        or " " + BORDER in joined
        or "  " in joined
    )


def _escaped(fill: dict[str, str], values: list[str], joined: str) -> dict[str, str]:
    """The values as the HTML part holds them (most need no escaping)."""
    if _TO_ESCAPE.search(joined) is None:
        return fill
    return dict(zip(_KEYS, [value.translate(_ESCAPE) for value in values], strict=False))


def _flagged(plan: Plan, values: list[str], lowered: str) -> dict[int, list[int]]:
    """Offsets inside each value where a phrase starts or may run on past its end.

    *lowered* is the values joined by ``_JOINER``, in lower case.
    """
    found = plan.closure.candidates(prepare(lowered))
    if not found:
        return {}
    starts = list(accumulate((len(value) + len(_JOINER) for value in values), initial=0))
    flagged: dict[int, list[int]] = {}
    for at in found:
        index = bisect.bisect_right(starts, at) - 1
        flagged.setdefault(index, []).append(at - starts[index])
    return flagged


def _hits(
    plan: Plan,
    piece: Piece,
    value: str,
    lowered: str,
    *,
    shifts: list[int],
    flagged: dict[int, list[int]],
) -> list[tuple[Hit, int]]:
    """The hits of the full scan of *value*, each with how far to move it.

    *shifts* gives, for each number of slots before a place, how far the values have
    moved it from the skeleton.
    """
    hits = [(hit, shifts[before]) for hit, before in piece.hits]
    places = [at + shifts[before] for at, before in piece.live]
    if flagged:
        for slot, index in enumerate(piece.values):
            offsets = flagged.get(index)
            if offsets:
                start = piece.slots[slot] + shifts[slot]
                places.extend(start + offset for offset in offsets)
    if places:
        # The plan's own pattern tells cheaply whether any phrase may start here at all
        # (the one pattern a message's lint then keeps in the processor's caches).
        padded = " " + prepare(lowered)
        may_start, terms = plan.closure.may_start, plan.terms
        found = [
            (hit, 0)
            for at in places
            if may_start(padded, at) and (hit := classify(terms, value, lowered, at)) is not None
        ]
        if found:
            hits.extend(found)
            hits.sort(key=lambda pair: pair[0].start + pair[1])
    return hits


def _shifts(piece: Piece, growth: list[int]) -> list[int]:
    if not piece.slots:
        return _NO_SHIFTS
    return list(accumulate(map(growth.__getitem__, piece.values), initial=0))


def _starts_live(
    closure: ClosureScanner, piece: Piece, fill: dict[str, str], growth: list[int]
) -> bool:
    """Whether a phrase starts at one of the places the plan marked in a line."""
    line = piece.fmt % fill
    lowered = line.lower()
    shifts = _shifts(piece, growth)
    padded = " " + prepare(lowered)
    return any(closure.may_start(padded, at + shifts[before]) for at, before in piece.live)


def _scan_lines(linter: Linter, visible: str, text: str, todo: list[HtmlLine]) -> None:
    """The full lint's check of these lines of the visible text, in order."""
    lines = visible.split("\n")
    offsets = list(accumulate((len(line) + 1 for line in lines), initial=0))
    compared = TextLines(text, curly="\u2019" in text or "\u2019" in visible)
    for line in todo:
        linter.html_line(lines[line.index], offsets[line.index], compared)


def lint_planned(
    message: Lintable,
    context: MessageContext,
    options: LintOptions,
    plan: Plan,
    values: list[str],
) -> tuple[LintFinding, ...] | None:
    """The findings of the full lint of *message*, through *plan*.

    Args:
        message: The composed message.
        context: The context it was rendered with.
        options: The lint options.
        plan: The plan of the message's skeleton.
        values: The values that went into the skeleton's slots, in slot order.

    Returns:
        The findings, or ``None`` when the message is not the plan's skeleton with these
        values put in (the caller then runs the full lint).
    """
    joined = _JOINER.join(values)
    if _unusual(values, joined):
        return None
    text, subject, markup = message.text, message.subject, message.html
    html = plan.html
    fill = dict(zip(_KEYS, values, strict=False))
    if plan.text.fmt % fill != text or plan.subject.fmt % fill != subject:
        return None
    if html is None:
        if markup is not None:
            return None
    elif markup is None or html.fmt % _escaped(fill, values, joined) != markup:
        return None
    lowered_text, lowered_subject, lowered_values = text.lower(), subject.lower(), joined.lower()
    if (
        len(lowered_text) != len(text)
        or len(lowered_subject) != len(subject)
        or len(lowered_values) != len(joined)
    ):
        return None
    terms = plan.terms
    flagged = _flagged(plan, values, lowered_values) if values else {}
    growth = [len(value) - 1 for value in values]
    linter = Linter(message, context, options, terms)
    if plan.text.slots:
        # A value of n words adds n - 1 to its slot's one (values have single spaces).
        spaces = [value.count(" ") for value in values]
        linter.words = plan.text.words + sum(map(spaces.__getitem__, plan.text.values))
    else:
        linter.words = plan.text.words
    unfilled = plan.triggers or has_trigger(joined)
    visible = html.visible % fill if html is not None and unfilled else None
    linter.placeholders(visible, unfilled=None if unfilled else False)
    scan = Scan()
    shifts = _shifts(plan.subject, growth)
    hits = _hits(plan, plan.subject, subject, lowered_subject, shifts=shifts, flagged=flagged)
    linter.report("subject", subject, lowered_subject, hits)
    shifts = _shifts(plan.text, growth)
    hits = _hits(plan, plan.text, text, lowered_text, shifts=shifts, flagged=flagged)
    linter.report("text", text, lowered_text, hits, scan=scan)
    if plan.paragraph_known:
        paragraph = plan.paragraph
        if paragraph is None:
            linter.paragraph = None
        else:
            (start, before_start), (end, before_end) = paragraph
            linter.paragraph = (start + shifts[before_start], end + shifts[before_end])
    if html is not None:
        # As the full lint does: curly apostrophes count as straight ones when the text part
        # or the visible HTML has one.
        curly = html.curly or (
            "\u2019" in joined and any("\u2019" in values[index] for index in html.shown)
        )
        todo = [
            line
            for line in html.lines[curly]
            if (line.risky and not (line.promises_only and linter.promises_allowed()))
            or (flagged and any(index in flagged for index in line.piece.values))
            or (line.piece.live and _starts_live(plan.closure, line.piece, fill, growth))
        ]
        if todo:
            if visible is None:
                visible = html.visible % fill
            _scan_lines(linter, visible, text, todo)
    return linter.finish(scan, lowered_text)
