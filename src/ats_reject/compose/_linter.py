"""The checks behind :func:`ats_reject.compose.lint`.

Speed matters here (every message is linted), so the text is lower-cased once and scanned
with one pattern for every term and decision phrase; a good message has only a few hits,
and only hits pay for classification, exceptions and spans.

The HTML part mostly repeats the text part: its lines that the text already holds are not
scanned again. The few that remain are template text ("our careers page"), the same from
message to message, so where phrases start in them is remembered, for lines that hold none of
the context's personal values (names, addresses, feedback, links): that memory holds template
text, the company and the role, never a person's data.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ats_reject.compose._codes import LINT_CODES, Severity
from ats_reject.compose._html import raw_span, visible_text
from ats_reject.compose._report import Lintable, LintFinding, LintOptions, Part
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
    }
)
_NAMES_ROLE = frozenset(
    {
        Purpose.REJECTION,
        Purpose.CALL_FALLBACK,
        Purpose.CALL_TALKING_POINTS,
        Purpose.HOLDING_UPDATE,
        Purpose.RE_ENGAGEMENT,
    }
)
_STATES_DECISION = frozenset(
    {Purpose.REJECTION, Purpose.CALL_FALLBACK, Purpose.CALL_TALKING_POINTS}
)
_DECISION_FIRST = frozenset({Purpose.REJECTION, Purpose.CALL_FALLBACK})

# Left-over placeholders of this and other template languages, and fill-in markers.
_UNFILLED = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{\w+\}|%[A-Z][A-Z0-9_]{2,}%|<<[^<>\n]{1,40}>>"
    r"|\[\[[^\[\]\n]{1,40}\]\]|\{[A-Za-z][\w -]{0,30}\}"
    r"|\[(?:[A-Z][A-Z0-9_ ]{2,}|[^\]\n]{0,25}\b(?i:name|role|position|job title|company|date"
    r"|insert|fill[ -]in|recruiter|candidate)\b[^\]\n]{0,25})\]"
    r"|\b(?:TODO|TBD|FIXME|XXX+)\b|(?i:lorem ipsum)"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_PART_ORDER = {None: 0, "subject": 1, "text": 2, "html": 3}
_SEGMENT_CACHE_LIMIT = 4096


def _finding(
    code: str,
    *,
    part: Part | None = None,
    span: tuple[int, int] | None = None,
    severity: Severity | None = None,
    detail: str | None = None,
    term: str | None = None,
) -> LintFinding:
    meta = LINT_CODES[code]
    text = meta.title if detail is None else f"{meta.title}: {detail}"
    return LintFinding(code, severity or meta.severity, text, part, span, term)


@dataclass
class _Scan:
    """Where decision phrases and hedges were found in the text part."""

    decisions: list[tuple[int, int]] = field(default_factory=list)
    hedges: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Linter:
    """One lint run over one message."""

    message: Lintable
    context: MessageContext
    options: LintOptions
    terms: TermList | None
    findings: list[LintFinding] = field(default_factory=list)

    def run(self) -> tuple[LintFinding, ...]:
        """Run the checks the message's purpose calls for; findings in reading order."""
        message = self.message
        purpose = message.purpose
        lowered_text = message.text.lower()
        html_visible = visible_text(message.html) if message.html is not None else None
        for part, offset in message.empty_placeholders:
            self.findings.append(_finding("ARL002", part=part, span=(offset, offset)))
        if (
            _has_trigger(message.subject)
            or _has_trigger(message.text)
            or _has_trigger(html_visible)
        ):
            self._unfilled("subject", message.subject)
            self._unfilled("text", message.text)
            if html_visible is not None:
                self._unfilled("html", html_visible)
        scan = _Scan()
        if self.terms is None:
            self.findings.append(
                _finding("ARL016", detail="wording, greeting and decision were not checked")
            )
        else:
            self._wording("subject", message.subject, message.subject.lower())
            self._wording("text", message.text, lowered_text, scan=scan)
            if html_visible is not None:
                self._wording_html(html_visible)
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
            elif purpose is Purpose.HOLDING_UPDATE:
                for span in scan.decisions:
                    self.findings.append(_finding("ARL008", part="text", span=span))
        self._consent()
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
            self.findings.append(_finding("ARL001", part=part, span=span))

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
        text = self.message.text
        curly = "\u2019" in text or "\u2019" in visible
        if curly:
            text = text.replace("\u2019", "'")
        text_lines = {line.strip() for line in text.split("\n")}
        plain_text: str | None = None
        start = 0
        for line in visible.split("\n"):
            stripped = line.strip()
            if stripped:
                if curly:
                    stripped = stripped.replace("\u2019", "'")
                if stripped not in text_lines and stripped not in text:
                    if plain_text is None:
                        plain_text = " ".join(text.split())
                    if " ".join(stripped.split()) not in plain_text:
                        lowered = line.lower()
                        starts = self._line_starts(line, lowered)
                        if starts:
                            self._wording("html", line, lowered, offset=start, starts=starts)
            start += len(line) + 1

    def _wording(
        self,
        part: Part,
        value: str,
        lowered: str,
        *,
        offset: int = 0,
        scan: _Scan | None = None,
        starts: list[int] | None = None,
    ) -> None:
        terms = self.terms
        assert terms is not None  # noqa: S101 - checked by the caller
        if starts is None:
            starts = terms.scanner.starts(value, lowered)
        if not starts:
            return
        exempt: list[tuple[int, int]] | None = None
        allowed: dict[str, list[tuple[int, int]]] = {}
        reported: list[tuple[str, int, int]] = []
        promise_ok = self._promises_allowed()
        for start in starts:
            first = value[start].lower()
            if scan is not None:
                for phrases, spans in (
                    (terms.structure.decision, scan.decisions),
                    (terms.structure.ambiguous, scan.hedges),
                ):
                    if first in phrases.first_chars:
                        found = phrases.match_at(value, lowered, start)
                        if found is not None:
                            spans.append(found.span())
            for category in terms.categories:
                if first not in category.terms.first_chars:
                    continue
                found = category.terms.match_at(value, lowered, start)
                if found is None:
                    continue
                hit_start, hit_end = found.span()
                if exempt is None:
                    exempt = self._exempt_spans(lowered)
                if _inside(exempt, hit_start, hit_end):
                    continue
                if category.name == "promise" and promise_ok:
                    continue
                if self._allowed(category, (value, lowered), allowed, hit_start, hit_end):
                    continue
                if any(
                    c == category.code and s <= hit_start and hit_end <= e for c, s, e in reported
                ):
                    continue
                entry = category.entry_for(found.group())
                if entry is None:  # pragma: no cover - the category pattern matched
                    continue
                reported.append((category.code, hit_start, hit_end))
                detail = f"'{entry.phrase}'" + (f" ({entry.note})" if entry.note else "")
                self.findings.append(
                    _finding(
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
        return _inside(spans, start, end)

    def _promises_allowed(self) -> bool:
        context = self.context
        if context.talent_pool_consented:
            return True
        invitation = context.talent_pool
        return invitation is not None and invitation.consent_url in self.message.text

    def _greeting(self, lowered_text: str) -> None:
        text = self.message.text
        start = len(text) - len(text.lstrip())
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line, lowered_line = text[start:end], lowered_text[start:end]
        name = self.context.candidate_name
        generic = None
        if self.terms is not None:
            generic = self.terms.structure.generic_greetings.search(line, lowered_line)
        if generic is not None and generic.start() == 0:
            self.findings.append(
                _finding(
                    "ARL003",
                    part="text",
                    span=(start + generic.start(), start + generic.end()),
                    severity=Severity.ERROR if name else Severity.WARNING,
                    detail="the candidate's name is known" if name else "no name is known",
                )
            )
        elif name and name.lower() not in lowered_line:
            self.findings.append(
                _finding("ARL003", part="text", span=(start, end), detail="no name in greeting")
            )

    def _role(self, lowered_text: str) -> None:
        role = self.context.role
        if role is None:
            self.findings.append(_finding("ARL004", detail="the context has no role"))
            return
        needle = role.lower()
        if needle in lowered_text or " ".join(needle.split()) in " ".join(lowered_text.split()):
            return
        self.findings.append(_finding("ARL004", part="text"))

    @staticmethod
    def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
        position = 0
        for match in _PARAGRAPH_BREAK.finditer(text):
            if text[position : match.start()].strip():
                yield position, match.start()
            position = match.end()
        if text[position:].strip():
            yield position, len(text)

    def _first_body_paragraph(self, lowered_text: str) -> tuple[int, int] | None:
        """The first paragraph after the greeting (or the first, with no greeting)."""
        paragraphs = list(itertools.islice(self._paragraphs(self.message.text), 2))
        if not paragraphs:
            return None
        start, end = paragraphs[0]
        first = self.message.text[start:end].strip()
        if "\n" in first or len(paragraphs) == 1:
            return paragraphs[0]
        assert self.terms is not None  # noqa: S101 - checked by the caller
        greeting = self.terms.structure.greeting_words.search(
            first, lowered_text[start:end].strip()
        )
        if first.endswith((",", ":", "!")) or (greeting is not None and greeting.start() == 0):
            return paragraphs[1]
        return paragraphs[0]

    def _decision(self, scan: _Scan, lowered_text: str, *, first_paragraph: bool) -> None:
        for span in scan.hedges:
            self.findings.append(_finding("ARL007", part="text", span=span))
        if not scan.decisions:
            self.findings.append(_finding("ARL005", part="text"))
            return
        if first_paragraph:
            paragraph = self._first_body_paragraph(lowered_text)
            if paragraph is not None and not any(
                paragraph[0] <= start < paragraph[1] for start, _ in scan.decisions
            ):
                self.findings.append(_finding("ARL006", part="text", span=scan.decisions[0]))

    def _length(self) -> None:
        words = len(self.message.text.split())
        options = self.options
        if words < options.min_words:
            detail = f"{words} words, fewer than {options.min_words}"
            self.findings.append(_finding("ARL009", part="text", detail=detail))
        elif words > options.max_words:
            detail = f"{words} words, more than {options.max_words}"
            self.findings.append(_finding("ARL010", part="text", detail=detail))

    def _subject(self, candidate_facing: bool) -> None:
        subject = self.message.subject
        limit = self.options.max_subject_chars
        if not subject.strip():
            self.findings.append(
                _finding("ARL011", part="subject", severity=Severity.ERROR, detail="empty")
            )
        elif candidate_facing and len(subject) > limit:
            detail = f"{len(subject)} characters, more than {limit}"
            self.findings.append(_finding("ARL011", part="subject", detail=detail))

    def _signature(self, lowered_text: str) -> None:
        sender = self.context.sender
        if sender.name.lower() not in lowered_text:
            self.findings.append(_finding("ARL012", part="text"))
        if sender.reply_to is None:
            self.findings.append(_finding("ARL013"))

    def _consent(self) -> None:
        context = self.context
        purpose = self.message.purpose
        if purpose is Purpose.CONSENT_REQUEST:
            invitation = context.talent_pool
            if invitation is None:
                self.findings.append(_finding("ARL014", detail="the context has no invitation"))
            elif invitation.consent_url not in self.message.text:
                self.findings.append(_finding("ARL014", part="text"))
        if purpose is Purpose.RE_ENGAGEMENT and not context.talent_pool_consented:
            self.findings.append(_finding("ARL015"))


def _has_trigger(value: str | None) -> bool:
    # Plain substring tests run at C speed; the full pattern is slow to scan.
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


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)
