"""The shape checks of the lint: greeting, role, decision, length, subject, signature, consent.

A mixin of :class:`ats_reject.compose._linter.Linter`, kept apart from the wording scan.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ats_reject.compose._codes import Severity
from ats_reject.compose._report import Lintable, LintFinding, LintOptions, finding
from ats_reject.compose._terms import TermList
from ats_reject.compose.context import MessageContext, Purpose

__all__ = ["Scan", "ShapeChecks"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


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

    def _decision(self, scan: Scan, lowered_text: str, *, first_paragraph: bool) -> None:
        for span in scan.hedges:
            self.findings.append(finding("ARL007", part="text", span=span))
        if not scan.decisions:
            self.findings.append(finding("ARL005", part="text"))
            return
        if first_paragraph:
            paragraph = self._first_body_paragraph(lowered_text)
            if paragraph is not None and not any(
                paragraph[0] <= start < paragraph[1] for start, _ in scan.decisions
            ):
                self.findings.append(finding("ARL006", part="text", span=scan.decisions[0]))

    def _length(self) -> None:
        words = len(self.message.text.split())
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
