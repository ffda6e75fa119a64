"""The shape checks of the lint: greeting, role, decision, length, subject, signature, consent.

A mixin of :class:`ats_reject.compose._linter.Linter`, kept apart from the wording scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ats_reject.compose._codes import Severity
from ats_reject.compose._report import Lintable, LintFinding, LintOptions, finding
from ats_reject.compose._terms import TermList
from ats_reject.compose.context import MessageContext, Purpose

__all__ = ["UNKNOWN_PARAGRAPH", "Scan", "ShapeChecks", "body_paragraph"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LEADING_SPACE = re.compile(r"\s*")
_NOT_SPACE = re.compile(r"\S")

UNKNOWN_PARAGRAPH = (-1, -1)
"""Stands for "not known yet": the first body paragraph is found by looking at the text."""


def paragraphs(text: str, limit: int) -> list[tuple[int, int]]:
    """The first *limit* paragraphs of *text* that are not blank, as spans."""
    found: list[tuple[int, int]] = []
    position = 0
    while len(found) < limit:
        match = _PARAGRAPH_BREAK.search(text, position)
        end = len(text) if match is None else match.start()
        if _NOT_SPACE.search(text, position, end):
            found.append((position, end))
        if match is None:
            break
        position = match.end()
    return found


def body_paragraph(
    text: str, lowered: str, terms: TermList, *, opaque: re.Pattern[str] | None = None
) -> tuple[int, int] | None:
    """The first paragraph after the greeting (or the first, with no greeting), as a span.

    Args:
        text: The text part.
        lowered: Its lower case.
        terms: The term list (its greeting words).
        opaque: Characters whose content is not known (the slots of a plan): when the
            answer depends on them, :data:`UNKNOWN_PARAGRAPH` is returned.
    """
    found = paragraphs(text, 2)
    if not found:
        return None
    start, end = found[0]
    first = text[start:end].strip()
    if "\n" in first or len(found) == 1:
        return found[0]
    if opaque is not None and opaque.match(first[-1]):
        return UNKNOWN_PARAGRAPH
    if first.endswith((",", ":", "!")):
        return found[1]
    if opaque is not None and opaque.search(first):
        return UNKNOWN_PARAGRAPH
    greeting = terms.structure.greeting_words.search(first, lowered[start:end].strip())
    if greeting is not None and greeting.start() == 0:
        return found[1]
    return found[0]


@dataclass
class Scan:
    """Where decision phrases and hedges were found in the text part."""

    decisions: list[tuple[int, int]] = field(default_factory=list)
    hedges: list[tuple[int, int]] = field(default_factory=list)


class ShapeChecks:
    """Checks on the shape of the text part; the linter provides the attributes."""

    message: Lintable
    context: MessageContext
    options: LintOptions
    terms: TermList | None
    findings: list[LintFinding]
    words: int | None
    """The number of words of the text part, when known without counting."""
    paragraph: tuple[int, int] | None
    """The first body paragraph, when known without looking (else UNKNOWN_PARAGRAPH)."""

    def _greeting(self, lowered_text: str) -> None:
        text = self.message.text
        start = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line, lowered_line = text[start:end], lowered_text[start:end]
        name = self.context.candidate_name
        generic = None
        if self.terms is not None:
            generic = self.terms.structure.generic_greetings.search(line, lowered_line)
        if generic is not None and generic.start() == 0:
            self.findings.append(
                finding(
                    "ARL003",
                    part="text",
                    span=(start + generic.start(), start + generic.end()),
                    severity=Severity.ERROR if name else Severity.WARNING,
                    detail="the candidate's name is known" if name else "no name is known",
                )
            )
        elif name and name.lower() not in lowered_line:
            self.findings.append(
                finding("ARL003", part="text", span=(start, end), detail="no name in greeting")
            )

    def _role(self, lowered_text: str) -> None:
        role = self.context.role
        if role is None:
            self.findings.append(finding("ARL004", detail="the context has no role"))
            return
        needle = role.lower()
        if needle in lowered_text or " ".join(needle.split()) in " ".join(lowered_text.split()):
            return
        self.findings.append(finding("ARL004", part="text"))

    def _decision(self, scan: Scan, lowered_text: str, *, first_paragraph: bool) -> None:
        for span in scan.hedges:
            self.findings.append(finding("ARL007", part="text", span=span))
        if not scan.decisions:
            self.findings.append(finding("ARL005", part="text"))
            return
        if first_paragraph:
            paragraph = self.paragraph
            if paragraph is UNKNOWN_PARAGRAPH:
                assert self.terms is not None  # noqa: S101 - checked by the caller
                paragraph = body_paragraph(self.message.text, lowered_text, self.terms)
            if paragraph is not None and not any(
                paragraph[0] <= start < paragraph[1] for start, _ in scan.decisions
            ):
                self.findings.append(finding("ARL006", part="text", span=scan.decisions[0]))

    def _length(self) -> None:
        words = self.words if self.words is not None else len(self.message.text.split())
        options = self.options
        if words < options.min_words:
            detail = f"{words} words, fewer than {options.min_words}"
            self.findings.append(finding("ARL009", part="text", detail=detail))
        elif words > options.max_words:
            detail = f"{words} words, more than {options.max_words}"
            self.findings.append(finding("ARL010", part="text", detail=detail))

    def _subject(self, candidate_facing: bool) -> None:
        subject = self.message.subject
        limit = self.options.max_subject_chars
        if not subject.strip():
            self.findings.append(
                finding("ARL011", part="subject", severity=Severity.ERROR, detail="empty")
            )
        elif candidate_facing and len(subject) > limit:
            detail = f"{len(subject)} characters, more than {limit}"
            self.findings.append(finding("ARL011", part="subject", detail=detail))

    def _signature(self, lowered_text: str) -> None:
        sender = self.context.sender
        if sender.name.lower() not in lowered_text:
            self.findings.append(finding("ARL012", part="text"))
        if sender.reply_to is None:
            self.findings.append(finding("ARL013"))

    def _consent(self) -> None:
        context = self.context
        purpose = self.message.purpose
        if purpose is Purpose.CONSENT_REQUEST:
            invitation = context.talent_pool
            if invitation is None:
                self.findings.append(finding("ARL014", detail="the context has no invitation"))
            elif invitation.consent_url not in self.message.text:
                self.findings.append(finding("ARL014", part="text"))
        if purpose is Purpose.RE_ENGAGEMENT and not context.talent_pool_consented:
            self.findings.append(finding("ARL015"))
