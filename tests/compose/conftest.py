"""Shared helpers for the composition tests."""

from __future__ import annotations

from pathlib import Path

from ats_reject.compose import (
    ComposedMessage,
    Composer,
    FeedbackScope,
    LintReport,
    MessageContext,
    Purpose,
    RenderedMessage,
    lint,
    sample_context,
)
from ats_reject.models import StageKind


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


# Feedback that is fine, risky, or a piece of a risky phrase (for the plan tests).
FEEDBACK = [
    "your clear explanation of the trade-offs in the caching design",
    "your age",
    "we will keep your CV on file",
    "you seemed a bit old for the team",
    "a gut feeling",
    "the care you took with tests",
    "your English is great & your accent is fine",
    "keep",
    "at",
    "our culture",
    "Ihr Alter",
    "die Sorgfalt bei den Tests",
]


def full_report(composer: Composer, purpose: Purpose, context: MessageContext) -> LintReport:
    """The full lint of the message the composer renders for *context*."""
    rendered = composer.render(purpose, context)
    return lint(
        rendered, context, options=composer.lint_options, lint_terms_dir=composer.lint_terms_dir
    )


def planned(
    composer: Composer, purpose: Purpose, first: MessageContext, second: MessageContext
) -> ComposedMessage:
    """Compose *first* twice (its shape gets a plan), then *second*, of the same shape."""
    composer.compose(purpose, first)
    composer.compose(purpose, first)
    before = composer.lint_stats.planned
    message = composer.compose(purpose, second)
    assert composer.lint_stats.planned == before + 1, "the plan was not used"
    return message


def write(root: Path, files: dict[str, str]) -> Path:
    """Write a template folder (or any files) under *root*."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def with_values(context: MessageContext, **update: object) -> MessageContext:
    """*context* with some fields replaced, validated again."""
    return MessageContext.model_validate({**context.model_dump(), **update})


def one_strength(strength: str) -> MessageContext:
    """The sample context at stage ``other`` with one strength (the rest: the sample's)."""
    base = sample_context(stage=StageKind.OTHER, feedback_scope=FeedbackScope.STRENGTHS)
    return with_values(base, strengths=(strength,))
