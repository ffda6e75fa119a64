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

from ats_reject.compose._closure import BORDER, prepare
from ats_reject.compose._hits import Hit, classify, has_trigger, shifted
from ats_reject.compose._linter import Linter, TextLines
from ats_reject.compose._plan import Piece, Plan
from ats_reject.compose._report import Lintable, LintFinding, LintOptions
from ats_reject.compose._shape import Scan
from ats_reject.compose._terms import TermList
from ats_reject.compose.context import MessageContext

__all__ = ["lint_planned"]

_JOINER = BORDER + " "

# Values the plan cannot stand for: control characters (the visible text of the HTML part
# turns line breaks into spaces) and the characters the plan itself uses.
_UNUSUAL = re.compile("[\x00-\x1f\x7f\ue000-\ue1ff]")
# What Jinja2's autoescape (markupsafe) writes for each character, as a translation table.
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _flagged(plan: Plan, lowered: list[str]) -> dict[int, list[int]]:
    """Offsets inside each value where a phrase starts or may run on past its end."""
    # Each value prepared alone: a string with a character outside ASCII is translated
    # slowly, and most values have none.
    found = plan.closure.candidates(_JOINER.join([prepare(value) for value in lowered]))
    if not found:
        return {}
    starts = list(accumulate((len(value) + len(_JOINER) for value in lowered), initial=0))
    flagged: dict[int, list[int]] = {}
    for at in found:
        index = bisect.bisect_right(starts, at) - 1
        flagged.setdefault(index, []).append(at - starts[index])
    return flagged


def _longer(lowered: str, value: str) -> bool:
    return len(lowered) != len(value)


def _hits(
    terms: TermList,
    piece: Piece,
    value: str,
    lowered: str,
    growth: list[int],
    flagged: dict[int, list[int]],
) -> list[Hit]:
    """The hits of the full scan of *value*: the plan's, moved, and the live places'."""
    if not piece.slots:
        hits = [hit for hit, _ in piece.hits]
        places = [at for at, _ in piece.live]
    else:
        shifts = list(accumulate(map(growth.__getitem__, piece.values), initial=0))
        hits = [shifted(hit, shifts[before]) for hit, before in piece.hits]
        places = [at + shifts[before] for at, before in piece.live]
        if flagged:
            for slot, index in enumerate(piece.values):
                offsets = flagged.get(index)
                if offsets:
                    start = piece.slots[slot] + shifts[slot]
                    places.extend(start + offset for offset in offsets)
    if places:
        # One pattern for every phrase tells cheaply whether anything starts here at all.
        scanner = terms.scanner
        hits.extend(
            hit
            for at in places
            if scanner.match_at(value, lowered, at) is not None
            and (hit := classify(terms, value, lowered, at)) is not None
        )
        hits.sort(key=lambda hit: hit.start)
    return hits


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
    joined = " ".join(values)
    if _UNUSUAL.search(joined):
        return None
    text, subject, markup = message.text, message.subject, message.html
    html = plan.html
    if (
        plan.text.fmt.format(*values) != text
        or plan.subject.fmt.format(*values) != subject
        or (html is None) != (markup is None)
        or (html is not None and html.fmt.format(*[v.translate(_ESCAPE) for v in values]) != markup)
    ):
        return None
    lowered_text, lowered_subject = text.lower(), subject.lower()
    lowered_values = [value.lower() for value in values]
    if (
        len(lowered_text) != len(text)
        or len(lowered_subject) != len(subject)
        or any(map(_longer, lowered_values, values))
    ):
        return None
    terms = plan.terms
    flagged = _flagged(plan, lowered_values) if values else {}
    growth = [len(value) - 1 for value in values]
    linter = Linter(message, context, options, terms)
    unfilled = plan.triggers or has_trigger(joined)
    visible = html.visible.format(*values) if html is not None and unfilled else None
    linter.placeholders(visible, unfilled=None if unfilled else False)
    scan = Scan()
    hits = _hits(terms, plan.subject, subject, lowered_subject, growth, flagged)
    linter.report("subject", subject, lowered_subject, hits)
    hits = _hits(terms, plan.text, text, lowered_text, growth, flagged)
    linter.report("text", text, lowered_text, hits, scan=scan)
    if html is not None:
        curly = html.curly or any("\u2019" in value for value in values)
        lines: list[str] | None = None
        offsets: list[int] = []
        text_lines: TextLines | None = None
        for line in html.lines:
            if line.in_text[curly]:
                continue
            if not (
                line.risky
                or line.piece.live
                or (flagged and any(index in flagged for index in line.piece.values))
            ):
                continue
            if lines is None:
                if visible is None:
                    visible = html.visible.format(*values)
                lines = visible.split("\n")
                offsets = list(accumulate((len(each) + 1 for each in lines), initial=0))
                text_lines = TextLines(text, curly=curly)
            assert text_lines is not None  # noqa: S101 - set with the lines
            linter.html_line(lines[line.index], offsets[line.index], text_lines)
    return linter.finish(scan, lowered_text)
