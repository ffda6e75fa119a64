"""The lint's report types: findings, the report, options, and what a lintable message is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ats_reject.compose._codes import LINT_CODES, Severity
from ats_reject.compose.context import Purpose

__all__ = ["LintFinding", "LintOptions", "LintReport", "Lintable", "Part", "finding"]

Part = Literal["subject", "text", "html"]
"""The part of a message a finding is in."""


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
        """Whether a person must review the message: it must not be sent as it is."""
        return self.has_errors

    @property
    def codes(self) -> frozenset[str]:
        """The codes found, for quick checks (``"ARL101" in report.codes``)."""
        return frozenset(f.code for f in self.findings)


@dataclass(frozen=True, slots=True)
class LintOptions:
    """Thresholds of the length checks (candidate-facing messages only)."""

    min_words: int = 30
    max_words: int = 400
    max_subject_chars: int = 90


class Lintable(Protocol):
    """What the lint reads of a message; rendered and composed messages have it all."""

    @property
    def purpose(self) -> Purpose:
        """What the message is for."""

    @property
    def subject(self) -> str:
        """The subject line."""

    @property
    def text(self) -> str:
        """The plain-text body."""

    @property
    def html(self) -> str | None:
        """The HTML body, if any."""

    @property
    def locale_used(self) -> str:
        """The locale the message is written in."""

    @property
    def empty_placeholders(self) -> tuple[tuple[Part, int], ...]:
        """Where placeholders rendered nothing."""


def finding(
    code: str,
    *,
    part: Part | None = None,
    span: tuple[int, int] | None = None,
    severity: Severity | None = None,
    detail: str | None = None,
    term: str | None = None,
) -> LintFinding:
    """A finding with the code's default severity and title, and an optional detail."""
    meta = LINT_CODES[code]
    text = meta.title if detail is None else f"{meta.title}: {detail}"
    return LintFinding(code, severity or meta.severity, text, part, span, term)
