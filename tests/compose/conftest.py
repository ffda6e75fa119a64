"""Shared helpers for the composition tests."""

from __future__ import annotations

from ats_reject.compose import (
    LintReport,
    MessageContext,
    Purpose,
    RenderedMessage,
    lint,
    sample_context,
)


def lint_text(
    body: str,
    *,
    context: MessageContext | None = None,
    purpose: Purpose = Purpose.REJECTION,
    locale: str = "en",
    subject: str = "Your application for Senior Backend Engineer at Northwind Labs",
    html: str | None = None,
) -> LintReport:
    """Lint a hand-written message body against the sample context."""
    message = RenderedMessage(
        purpose=purpose,
        subject=subject,
        text=body,
        html=html,
        locale_used=locale,
        template_id="test:inline",
    )
    return lint(message, context or sample_context(purpose, locale=locale))


def wording_codes(sentence: str, **kwargs: object) -> dict[str, str]:
    """The wording codes (ARL1xx) a sentence raises, with their severity."""
    report = lint_text(f"Hi Alex,\n\n{sentence}\n", **kwargs)  # type: ignore[arg-type]
    return {f.code: f.severity.value for f in report.findings if f.code.startswith("ARL1")}
