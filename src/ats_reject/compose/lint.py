"""The lint: checks a rendered message before anyone sends it.

:func:`lint` returns a :class:`LintReport` of findings, each with a stable code (see
``_codes.py`` and docs/templates.md), a severity, a message built from safe parts only (the
code's title and the term-list entry, never the message's own text) and where it is: the
part (``subject``, ``text`` or ``html``) and the span in that part's string.

A message with any error is routed to a person (``report.route_to_human``), never sent.
Which checks run depends on the purpose: a recruiter's talking points have no greeting, a
holding update must not state a rejection, a consent request must carry its link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ats_reject.compose._codes import LINT_CODES, Severity
from ats_reject.compose._html import raw_span, visible_text
from ats_reject.compose._terms import Category, TermList, load_terms
from ats_reject.compose.context import MessageContext, Purpose

__all__ = [
    "LintFinding",
    "LintOptions",
    "LintReport",
    "Part",
    "lint",
    "terms_for",
]

Part = Literal["subject", "text", "html"]


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One problem found in a message."""

    code: str
    """Stable code, ``ARL001`` ... (docs/templates.md lists them all)."""
    severity: Severity
    message: str
    """What is wrong, from safe parts: never a quote of the message."""
    part: Part | None = None
    span: tuple[int, int] | None = None
    """Start and end offsets in the part's string, when the finding has a place."""
    term: str | None = None
    """The term-list entry that matched, for wording findings."""


@dataclass(frozen=True, slots=True)
class LintReport:
    """All findings for one message."""

    findings: tuple[LintFinding, ...] = ()

    @property
    def errors(self) -> tuple[LintFinding, ...]:
        """The findings that stop a message."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[LintFinding, ...]:
        """The findings worth a look that do not stop a message."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        """Whether any finding is an error."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def route_to_human(self) -> bool:
        """Whether a person must review the message instead of it being sent."""
        return self.has_errors

    @property
    def codes(self) -> frozenset[str]:
        """The codes found, for quick checks (``"ARL101" in report.codes``)."""
        return frozenset(f.code for f in self.findings)


@dataclass(frozen=True, slots=True)
class LintOptions:
    """Thresholds of the length checks."""

    min_words: int = 30
    max_words: int = 400
    max_subject_chars: int = 90


class Lintable(Protocol):
    """What the lint needs of a message (a rendered or composed message has it)."""

    @property
    def purpose(self) -> Purpose: ...  # noqa: D102
    @property
    def subject(self) -> str: ...  # noqa: D102
    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def html(self) -> str | None: ...  # noqa: D102
    @property
    def locale_used(self) -> str: ...  # noqa: D102
    @property
    def empty_placeholders(self) -> tuple[tuple[Part, int], ...]: ...  # noqa: D102


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
_STATES_DECISION = frozenset({Purpose.REJECTION, Purpose.CALL_FALLBACK, Purpose.CALL_TALKING_POINTS})
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


@functools.lru_cache(maxsize=64)
def terms_for(locale: str, extra_dir: Path | None = None) -> TermList | None:
    """The term list for a message written in *locale*: exact tag, then its language.

    English terms say nothing about a German text, so there is no fallback to another
    language: without a list for the language, wording cannot be checked (ARL016).

    Args:
        locale: The locale the message was written in.
        extra_dir: A folder of user term files that extend the shipped ones.
    """
    parts = locale.split("-")
    for end in range(len(parts), 0, -1):
        terms = load_terms("-".join(parts[:end]), extra_dir)
        if terms is not None:
            return terms
    return None


def lint(
    message: Lintable,
    context: MessageContext,
    *,
    options: LintOptions | None = None,
    lint_terms_dir: Path | None = None,
) -> LintReport:
    """Check a rendered message against its context.

    Args:
        message: The message (a :class:`~ats_reject.compose.RenderedMessage` or
            :class:`~ats_reject.compose.ComposedMessage`).
        context: The context it was rendered with.
        options: Length thresholds; the defaults suit e-mail.
        lint_terms_dir: A folder of user term files that extend the shipped ones.

    Returns:
        The findings, most severe first within each part.
    """
    terms = terms_for(message.locale_used, lint_terms_dir)
    return _Linter(message, context, options or LintOptions(), terms).run()


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
class _Linter:
    message: Lintable
    context: MessageContext
    options: LintOptions
    terms: TermList | None
    findings: list[LintFinding] = field(default_factory=list)

    def run(self) -> LintReport:
        message = self.message
        purpose = message.purpose
        html_visible = visible_text(message.html) if message.html is not None else None
        texts: list[tuple[Part, str]] = [("subject", message.subject), ("text", message.text)]
        if html_visible is not None:
            texts.append(("html", html_visible))
        lowered_text = message.text.lower()
        for part, offset in message.empty_placeholders:
            self.findings.append(_finding("ARL002", part=part, span=(offset, offset)))
        for part, value in texts:
            self._unfilled(part, value)
        if self.terms is None:
            self.findings.append(
                _finding("ARL016", detail="wording, greeting and decision were not checked")
            )
        else:
            for part, value in texts:
                self._wording(part, value)
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
                self._decision(lowered_text, first_paragraph=purpose in _DECISION_FIRST)
            elif purpose is Purpose.HOLDING_UPDATE:
                self._no_decision(lowered_text)
        self._consent(lowered_text)
        return LintReport(tuple(self._ordered()))

    def _ordered(self) -> list[LintFinding]:
        part_order = {None: 0, "subject": 1, "text": 2, "html": 3}
        return sorted(
            self.findings,
            key=lambda f: (
                part_order[f.part],
                f.span[0] if f.span else -1,
                f.severity is not Severity.ERROR,
                f.code,
            ),
        )

    def _span(self, part: Part, start: int, end: int) -> tuple[int, int]:
        if part == "html" and self.message.html is not None:
            return raw_span(self.message.html, start, end)
        return start, end

    def _unfilled(self, part: Part, value: str) -> None:
        for match in _UNFILLED.finditer(value):
            span = self._span(part, match.start(), match.end())
            self.findings.append(_finding("ARL001", part=part, span=span))

    def _exempt_spans(self, value: str, lowered: str) -> list[tuple[int, int]]:
        # Names and titles come from the ATS, not from the writer of the message.
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
            if len(needle) != len(given):
                continue
            start = lowered.find(needle)
            while start >= 0:
                spans.append((start, start + len(needle)))
                start = lowered.find(needle, start + 1)
        return spans

    def _wording(self, part: Part, value: str) -> None:
        assert self.terms is not None  # noqa: S101 - checked by the caller
        lowered = value.lower()
        hits = list(self.terms.scanner.finditer(value, lowered))
        if not hits:
            return
        exempt = self._exempt_spans(value, lowered)
        allowed: dict[str, list[tuple[int, int]]] = {}
        promise_ok = self._promises_allowed()
        for hit in hits:
            start, end = hit.span()
            if any(s <= start and end <= e for s, e in exempt):
                continue
            for category in self.terms.categories:
                entry = category.entry_for(hit.group())
                if entry is None:
                    continue
                if category.name == "promise" and promise_ok:
                    break
                if self._allowed(category, value, lowered, allowed, start, end):
                    break
                detail = f"'{entry.phrase}'" + (f" ({entry.note})" if entry.note else "")
                self.findings.append(
                    _finding(
                        category.code,
                        part=part,
                        span=self._span(part, start, end),
                        severity=entry.severity,
                        detail=detail,
                        term=entry.phrase,
                    )
                )
                break

    @staticmethod
    def _allowed(
        category: Category,
        value: str,
        lowered: str,
        cache: dict[str, list[tuple[int, int]]],
        start: int,
        end: int,
    ) -> bool:
        if not category.allow:
            return False
        spans = cache.get(category.name)
        if spans is None:
            spans = [m.span() for m in category.allow.finditer(value, lowered)]
            cache[category.name] = spans
        return any(s <= start and end <= e for s, e in spans)

    def _promises_allowed(self) -> bool:
        context = self.context
        if context.talent_pool_consented:
            return True
        invitation = context.talent_pool
        return invitation is not None and invitation.consent_url in self.message.text

    def _greeting(self, lowered_text: str) -> None:
        assert_terms = self.terms
        text = self.message.text
        start = len(text) - len(text.lstrip())
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line, lowered_line = text[start:end], lowered_text[start:end]
        name = self.context.candidate_name
        generic = (
            assert_terms.structure.generic_greetings.search(line, lowered_line)
            if assert_terms is not None
            else None
        )
        if generic is not None and generic.start() == 0:
            severity = Severity.ERROR if name else Severity.WARNING
            detail = "the candidate's name is known" if name else "no name is known"
            self.findings.append(
                _finding(
                    "ARL003",
                    part="text",
                    span=(start + generic.start(), start + generic.end()),
                    severity=severity,
                    detail=detail,
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
        if needle in lowered_text:
            return
        if " ".join(needle.split()) in " ".join(lowered_text.split()):
            return
        self.findings.append(_finding("ARL004", part="text"))

    def _paragraphs(self, text: str) -> Iterator[tuple[int, int]]:
        position = 0
        for match in _PARAGRAPH_BREAK.finditer(text):
            if text[position : match.start()].strip():
                yield position, match.start()
            position = match.end()
        if text[position:].strip():
            yield position, len(text)

    def _first_body_paragraph(self, lowered_text: str) -> tuple[int, int] | None:
        paragraphs = list(self._paragraphs(self.message.text))
        if not paragraphs:
            return None
        first_start, first_end = paragraphs[0]
        first = self.message.text[first_start:first_end].strip()
        assert self.terms is not None  # noqa: S101 - checked by the caller
        greeting = self.terms.structure.greeting_words.search(
            first, lowered_text[first_start:first_end].strip()
        )
        is_greeting = "\n" not in first and (
            first.endswith((",", ":", "!")) or (greeting is not None and greeting.start() == 0)
        )
        if is_greeting and len(paragraphs) > 1:
            return paragraphs[1]
        return paragraphs[0]

    def _decision(self, lowered_text: str, *, first_paragraph: bool) -> None:
        assert self.terms is not None  # noqa: S101 - checked by the caller
        text = self.message.text
        structure = self.terms.structure
        for match in structure.ambiguous.finditer(text, lowered_text):
            self.findings.append(
                _finding("ARL007", part="text", span=match.span(), term=match.group().lower())
            )
        decision = structure.decision.search(text, lowered_text)
        if decision is None:
            self.findings.append(_finding("ARL005", part="text"))
            return
        if first_paragraph:
            paragraph = self._first_body_paragraph(lowered_text)
            if paragraph is not None and not paragraph[0] <= decision.start() < paragraph[1]:
                self.findings.append(_finding("ARL006", part="text", span=decision.span()))

    def _no_decision(self, lowered_text: str) -> None:
        assert self.terms is not None  # noqa: S101 - checked by the caller
        text = self.message.text
        for match in self.terms.structure.decision.finditer(text, lowered_text):
            self.findings.append(_finding("ARL008", part="text", span=match.span()))

    def _length(self) -> None:
        words = len(self.message.text.split())
        if words < self.options.min_words:
            self.findings.append(
                _finding("ARL009", part="text", detail=f"{words} words, fewer than {self.options.min_words}")
            )
        elif words > self.options.max_words:
            self.findings.append(
                _finding("ARL010", part="text", detail=f"{words} words, more than {self.options.max_words}")
            )

    def _subject(self, candidate_facing: bool) -> None:
        subject = self.message.subject
        if not subject.strip():
            self.findings.append(
                _finding("ARL011", part="subject", severity=Severity.ERROR, detail="empty")
            )
        elif candidate_facing and len(subject) > self.options.max_subject_chars:
            self.findings.append(
                _finding(
                    "ARL011",
                    part="subject",
                    detail=f"{len(subject)} characters, more than {self.options.max_subject_chars}",
                )
            )

    def _signature(self, lowered_text: str) -> None:
        sender = self.context.sender
        if sender.name.lower() not in lowered_text:
            self.findings.append(_finding("ARL012", part="text"))
        if sender.reply_to is None:
            self.findings.append(_finding("ARL013"))

    def _consent(self, lowered_text: str) -> None:
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
        del lowered_text
