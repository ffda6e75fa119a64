"""The checks behind :func:`ats_reject.compose.lint`.

Speed matters here (every message is linted), so the text is lower-cased once and scanned
with one pattern for every term and decision phrase; a good message has only a few hits,
and only hits pay for classification, exceptions and spans.

The HTML part mostly repeats the text part: its lines that the text already holds are not
scanned again. The few that remain are template text ("our careers page"), the same from
message to message, so where phrases start in them is remembered, for lines that hold none of
the context's personal values (names, addresses, feedback, links): that memory holds template
text, the company and the role, never a person's data.

The composer's lint through plans (``_plan``, ``_planned``) uses the same steps:
:meth:`Linter.placeholders`, :meth:`Linter.report`, :meth:`Linter.html_line` and
:meth:`Linter.finish`, fed with what the plan already knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ats_reject.compose._codes import Severity
from ats_reject.compose._hits import Hit, classify, has_trigger, inside
from ats_reject.compose._html import raw_span, visible_text
from ats_reject.compose._report import Lintable, LintFinding, LintOptions, Part, finding
from ats_reject.compose._shape import UNKNOWN_PARAGRAPH, Scan, ShapeChecks
from ats_reject.compose._terms import Category, TermList
from ats_reject.compose.context import MessageContext, Purpose

__all__ = ["Linter"]

_CANDIDATE_FACING = frozenset(
    {
        Purpose.REJECTION,
        Purpose.CALL_FALLBACK,
        Purpose.HOLDING_UPDATE,
        Purpose.RE_ENGAGEMENT,
        Purpose.CONSENT_REQUEST,
        Purpose.WITHDRAWAL_THANKS,
    }
)
_NAMES_ROLE = frozenset(
    {
        Purpose.REJECTION,
        Purpose.CALL_FALLBACK,
        Purpose.CALL_TALKING_POINTS,
        Purpose.HOLDING_UPDATE,
        Purpose.RE_ENGAGEMENT,
        Purpose.WITHDRAWAL_THANKS,
    }
)
_STATES_DECISION = frozenset(
    {Purpose.REJECTION, Purpose.CALL_FALLBACK, Purpose.CALL_TALKING_POINTS}
)
_DECISION_FIRST = frozenset({Purpose.REJECTION, Purpose.CALL_FALLBACK})
# Messages with no decision of ours to announce: a rejection phrase in them is the error.
_NO_DECISION = {Purpose.HOLDING_UPDATE: "ARL008", Purpose.WITHDRAWAL_THANKS: "ARL017"}

# Left-over placeholders of this and other template languages, and fill-in markers.
_UNFILLED = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{\w+\}|%[A-Z][A-Z0-9_]{2,}%|<<[^<>\n]{1,40}>>"
    r"|\[\[[^\[\]\n]{1,40}\]\]|\{[A-Za-z][\w -]{0,30}\}"
    r"|\[(?:[A-Z][A-Z0-9_ ]{2,}|[^\]\n]{0,25}\b(?i:name|role|position|job title|company|date"
    r"|insert|fill[ -]in|recruiter|candidate)\b[^\]\n]{0,25})\]"
    r"|\b(?:TODO|TBD|FIXME|XXX+)\b|(?i:lorem ipsum)"
)
_PART_ORDER = {None: 0, "subject": 1, "text": 2, "html": 3}
_SEGMENT_CACHE_LIMIT = 4096


class TextLines:
    """The text part as the HTML check compares with it: lines, and the words in a row."""

    __slots__ = ("_plain", "curly", "lines", "text")

    def __init__(self, text: str, *, curly: bool) -> None:
        self.curly = curly
        """Curly apostrophes count as straight ones (either part has one)."""
        self.text = text.replace("\u2019", "'") if curly else text
        self.lines = {line.strip() for line in self.text.split("\n")}
        self._plain: str | None = None

    def holds(self, stripped: str) -> bool:
        """Whether the text already holds *stripped* (a stripped, normalised line)."""
        if stripped in self.lines or stripped in self.text:
            return True
        if self._plain is None:
            self._plain = " ".join(self.text.split())
        return " ".join(stripped.split()) in self._plain


@dataclass
class Linter(ShapeChecks):
    """One lint run over one message."""

    message: Lintable
    context: MessageContext
    options: LintOptions
    terms: TermList | None
    findings: list[LintFinding] = field(default_factory=list)
    words: int | None = None
    paragraph: tuple[int, int] | None = UNKNOWN_PARAGRAPH

    def run(self) -> tuple[LintFinding, ...]:
        """Run the checks the message's purpose calls for; findings in reading order."""
        message = self.message
        lowered_text = message.text.lower()
        html_visible = visible_text(message.html) if message.html is not None else None
        self.placeholders(html_visible)
        scan = Scan()
        terms = self.terms
        if terms is None:
            self.findings.append(
                finding("ARL016", detail="wording, greeting and decision were not checked")
            )
        else:
            subject, lowered_subject = message.subject, message.subject.lower()
            self.report("subject", subject, lowered_subject, self._hits(subject, lowered_subject))
            text = message.text
            self.report("text", text, lowered_text, self._hits(text, lowered_text), scan=scan)
            if html_visible is not None:
                self._wording_html(html_visible)
        return self.finish(scan, lowered_text)

    def placeholders(self, html_visible: str | None, *, unfilled: bool | None = None) -> None:
        """Empty placeholders (ARL002) and left-over ones (ARL001) in every part.

        Args:
            html_visible: The visible text of the HTML part, if any.
            unfilled: Whether left-over placeholders may be present; ``None`` to look.
        """
        message = self.message
        for part, offset in message.empty_placeholders:
            self.findings.append(finding("ARL002", part=part, span=(offset, offset)))
        if unfilled is None:
            unfilled = (
                has_trigger(message.subject)
                or has_trigger(message.text)
                or has_trigger(html_visible)
            )
        if unfilled:
            self._unfilled("subject", message.subject)
            self._unfilled("text", message.text)
            if html_visible is not None:
                self._unfilled("html", html_visible)

    def finish(self, scan: Scan, lowered_text: str) -> tuple[LintFinding, ...]:
        """The shape checks for the message's purpose; every finding in reading order."""
        purpose = self.message.purpose
        candidate_facing = purpose in _CANDIDATE_FACING
        if candidate_facing:
            self._greeting(lowered_text)
            self._length()
            self._signature(lowered_text)
        self._subject(candidate_facing)
        if purpose in _NAMES_ROLE:
            self._role(lowered_text)
        if self.terms is not None:
            if purpose in _STATES_DECISION:
                self._decision(scan, lowered_text, first_paragraph=purpose in _DECISION_FIRST)
            elif purpose in _NO_DECISION:
                code = _NO_DECISION[purpose]
                for span in scan.decisions:
                    self.findings.append(finding(code, part="text", span=span))
        self._consent()
        if len(self.findings) < 2:
            return tuple(self.findings)
        return tuple(
            sorted(
                self.findings,
                key=lambda f: (
                    _PART_ORDER[f.part],
                    f.span[0] if f.span else -1,
                    f.severity is not Severity.ERROR,
                    f.code,
                ),
            )
        )

    def _span(self, part: Part, start: int, end: int) -> tuple[int, int]:
        if part == "html" and self.message.html is not None:
            return raw_span(self.message.html, start, end)
        return start, end

    def _unfilled(self, part: Part, value: str) -> None:
        for match in _UNFILLED.finditer(value):
            span = self._span(part, match.start(), match.end())
            self.findings.append(finding("ARL001", part=part, span=span))

    def _exempt_spans(self, lowered: str) -> list[tuple[int, int]]:
        # Names and titles come from the ATS, not from the writer of the message: a role
        # called "Senior Engineer" or a candidate called "Christian" is not risky wording.
        context = self.context
        spans: list[tuple[int, int]] = []
        for given in (
            context.candidate_name,
            context.role,
            context.company,
            context.sender.name,
            context.sender.title,
        ):
            if not given:
                continue
            needle = given.lower()
            start = lowered.find(needle)
            while start >= 0:
                spans.append((start, start + len(needle)))
                start = lowered.find(needle, start + 1)
        return spans

    def _is_personal(self, lowered_line: str) -> bool:
        context = self.context
        values = [
            context.candidate_name,
            context.sender.name,
            context.sender.reply_to,
            *context.strengths,
            *context.growth_areas,
            *context.links.values(),
        ]
        if context.talent_pool is not None:
            values.append(context.talent_pool.consent_url)
        return any(value and value.lower() in lowered_line for value in values)

    def _line_starts(self, line: str, lowered: str) -> list[int]:
        """Where phrases start in an HTML-only line, remembered when it is impersonal."""
        terms = self.terms
        assert terms is not None  # noqa: S101 - checked by the caller
        cache = terms.segment_starts
        found = cache.get(line)
        if found is not None:
            return list(found)
        starts = terms.scanner.starts(line, lowered)
        if not self._is_personal(lowered):
            if len(cache) >= _SEGMENT_CACHE_LIMIT:
                cache.clear()
            cache[line] = tuple(starts)
        return starts

    def _wording_html(self, visible: str) -> None:
        curly = "\u2019" in self.message.text or "\u2019" in visible
        text = TextLines(self.message.text, curly=curly)
        start = 0
        for line in visible.split("\n"):
            self.html_line(line, start, text)
            start += len(line) + 1

    def html_line(self, line: str, start: int, text: TextLines) -> None:
        """Scan one line of the HTML part unless the text part already holds it."""
        stripped = line.strip()
        if not stripped:
            return
        if text.curly:
            stripped = stripped.replace("\u2019", "'")
        if text.holds(stripped):
            return
        lowered = line.lower()
        starts = self._line_starts(line, lowered)
        if starts:
            hits = self._classified(line, lowered, starts)
            self.report("html", line, lowered, hits, offset=start)

    def _hits(self, value: str, lowered: str) -> list[tuple[Hit, int]]:
        terms = self.terms
        assert terms is not None  # noqa: S101 - checked by the caller
        return self._classified(value, lowered, terms.scanner.starts(value, lowered))

    def _classified(self, value: str, lowered: str, starts: list[int]) -> list[tuple[Hit, int]]:
        terms = self.terms
        assert terms is not None  # noqa: S101 - checked by the caller
        return [
            (hit, 0)
            for start in starts
            if (hit := classify(terms, value, lowered, start)) is not None
        ]

    def report(
        self,
        part: Part,
        value: str,
        lowered: str,
        hits: list[tuple[Hit, int]],
        *,
        offset: int = 0,
        scan: Scan | None = None,
    ) -> None:
        """Turn hits into findings, in order: names, consent, exceptions and repeats apply.

        Args:
            part: The part the hits are in.
            value: The text scanned (the part, or one line of the HTML part).
            lowered: Its lower case.
            hits: What the term lists match, by start offset, each with how far to move it
                (a hit remembered from a template's text moves by the values before it).
            offset: Where *value* starts in the part (for spans).
            scan: Collects decision phrases and hedges (the text part only).
        """
        if not hits:
            return
        exempt: list[tuple[int, int]] | None = None
        allowed: dict[str, list[tuple[int, int]]] = {}
        reported: list[tuple[str, int, int]] = []
        promise_ok = self._promises_allowed()
        for hit, shift in hits:
            if scan is not None:
                if hit.decision is not None:
                    start, end = hit.decision
                    scan.decisions.append((start + shift, end + shift))
                if hit.hedge is not None:
                    start, end = hit.hedge
                    scan.hedges.append((start + shift, end + shift))
            for category, match_start, match_end, matched in hit.matches:
                hit_start, hit_end = match_start + shift, match_end + shift
                if category.name == "promise" and promise_ok:
                    continue
                if exempt is None:
                    exempt = self._exempt_spans(lowered)
                if inside(exempt, hit_start, hit_end):
                    continue
                if self._allowed(category, (value, lowered), allowed, hit_start, hit_end):
                    continue
                if any(
                    c == category.code and s <= hit_start and hit_end <= e for c, s, e in reported
                ):
                    continue
                entry = category.entry_for(matched)
                if entry is None:  # pragma: no cover - the category pattern matched
                    continue
                reported.append((category.code, hit_start, hit_end))
                detail = f"'{entry.phrase}'" + (f" ({entry.note})" if entry.note else "")
                self.findings.append(
                    finding(
                        category.code,
                        part=part,
                        span=self._span(part, hit_start + offset, hit_end + offset),
                        severity=entry.severity,
                        detail=detail,
                        term=entry.phrase,
                    )
                )

    @staticmethod
    def _allowed(
        category: Category,
        texts: tuple[str, str],
        cache: dict[str, list[tuple[int, int]]],
        start: int,
        end: int,
    ) -> bool:
        if not category.allow:
            return False
        spans = cache.get(category.name)
        if spans is None:
            value, lowered = texts
            spans = []
            for at in category.allow.starts(value, lowered):
                found = category.allow.match_at(value, lowered, at)
                if found is not None:
                    spans.append(found.span())
            cache[category.name] = spans
        return inside(spans, start, end)

    def promises_allowed(self) -> bool:
        """Whether promises of future contact are covered by consent (ARL112 is off)."""
        return self._promises_allowed()

    def _promises_allowed(self) -> bool:
        context = self.context
        if context.talent_pool_consented:
            return True
        invitation = context.talent_pool
        return invitation is not None and invitation.consent_url in self.message.text
