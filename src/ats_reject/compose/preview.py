"""Previews: sample data, and one message rendered for a person to read.

The ``ats-reject preview`` command and ``ats-reject check`` use these; so can anyone writing a
template. The sample data is invented: no real person's data is shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ats_reject.compose._codes import Severity
from ats_reject.compose._report import LintFinding
from ats_reject.compose.composer import ComposedMessage, Composer
from ats_reject.compose.context import (
    FeedbackScope,
    MessageContext,
    Purpose,
    Sender,
    TalentPoolInvitation,
)
from ats_reject.compose.templates import MessageTemplateError
from ats_reject.models import StageKind

__all__ = ["TemplateCheck", "check_templates", "format_preview", "render_preview", "sample_context"]

_SAMPLE_FEEDBACK = {
    "en": (
        (
            "your clear explanation of the trade-offs in the caching design",
            "the care you took with tests in the take-home exercise",
        ),
        ("going deeper on how distributed queues behave when a consumer fails",),
    ),
    "de": (
        (
            "Ihre klare Erklärung der Abwägungen im Caching-Entwurf",
            "die Sorgfalt, mit der Sie die Tests in der Aufgabe geschrieben haben",
        ),
        ("genauer darauf einzugehen, wie sich verteilte Queues bei einem Ausfall verhalten",),
    ),
}


def sample_context(
    purpose: Purpose | str = Purpose.REJECTION,
    *,
    stage: StageKind = StageKind.INTERVIEW,
    locale: str | None = "en",
    feedback_scope: FeedbackScope = FeedbackScope.FULL,
    with_talent_pool: bool = False,
) -> MessageContext:
    """An invented context that suits *purpose*, for previews and template checks.

    Args:
        purpose: The purpose the context is for: a holding update gets a next-update date, a
            consent request an invitation, a re-engagement the candidate's consent.
        stage: How far the invented candidate got.
        locale: The locale to write in.
        feedback_scope: How much feedback the sample carries.
        with_talent_pool: Include a talent-pool invitation (always on for consent requests).

    Returns:
        A valid context with no real person's data.
    """
    purpose = Purpose(purpose)
    invite = with_talent_pool or purpose is Purpose.CONSENT_REQUEST
    language = (locale or "en").split("-", 1)[0].lower()
    sample_strengths, sample_growth = _SAMPLE_FEEDBACK.get(language, _SAMPLE_FEEDBACK["en"])
    strengths = sample_strengths if feedback_scope is not FeedbackScope.NONE else ()
    growth = sample_growth if feedback_scope is FeedbackScope.FULL else ()
    return MessageContext(
        candidate_name="Alex",
        role="Senior Backend Engineer",
        company="Northwind Labs",
        stage=stage,
        sender=Sender(name="Sam Rivera", title="Talent Partner", reply_to="sam.rivera@example.com"),
        feedback_scope=feedback_scope,
        strengths=strengths,
        growth_areas=growth,
        talent_pool=(
            TalentPoolInvitation(
                consent_url="https://careers.example.com/talent-pool/consent/SAMPLE",
                retention_months=12,
            )
            if invite
            else None
        ),
        talent_pool_consented=purpose is Purpose.RE_ENGAGEMENT,
        locale=locale,
        links={
            "careers": "https://careers.example.com",
            "job": "https://careers.example.com/jobs/SAMPLE",
            "consent": "https://careers.example.com/talent-pool/SAMPLE",
        },
        next_update_by=date(2026, 3, 13) if purpose is Purpose.HOLDING_UPDATE else None,
    )


def render_preview(
    purpose: Purpose | str = Purpose.REJECTION,
    *,
    context: MessageContext | None = None,
    composer: Composer | None = None,
    templates_dir: Path | str | None = None,
    stage: StageKind = StageKind.INTERVIEW,
    locale: str | None = "en",
) -> ComposedMessage:
    """Compose one message for reading: with *context*, or with sample data.

    Args:
        purpose: What the message is for.
        context: The data to render with; ``None`` for :func:`sample_context`.
        composer: The composer to use; ``None`` builds one over *templates_dir*.
        templates_dir: A user template folder, when no composer is given.
        stage: The sample candidate's stage (ignored with *context*).
        locale: The sample's locale (ignored with *context*).

    Returns:
        The composed message, lint report included.

    Raises:
        MessageTemplateError: The template is missing or fails.
    """
    if composer is None:
        composer = Composer.from_paths(templates_dir)
    if context is None:
        context = sample_context(purpose, stage=stage, locale=locale)
    return composer.compose(purpose, context)


def format_preview(message: ComposedMessage, *, include_html: bool = True) -> str:
    """A plain-text view of a composed message and its lint findings, for a terminal."""
    lines = [
        f"template: {message.template_id} (locale {message.locale_used})",
        f"subject:  {message.subject}",
        "",
        message.text.rstrip("\n"),
        "",
    ]
    if include_html and message.html is not None:
        lines += ["--- html ---", message.html.rstrip("\n"), ""]
    report = message.lint
    if not report.findings:
        lines.append("lint: no findings")
    else:
        verdict = "route to a person" if report.route_to_human else "may be sent"
        lines.append(
            f"lint: {len(report.errors)} error(s), {len(report.warnings)} warning(s): {verdict}"
        )
        for finding in report.findings:
            where = (
                f" [{finding.part} {finding.span[0]}-{finding.span[1]}]"
                if finding.span
                else (f" [{finding.part}]" if finding.part else "")
            )
            lines.append(f"  {finding.code} {finding.severity.value}{where}: {finding.message}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class TemplateCheck:
    """The outcome of rendering one template with sample data."""

    template_id: str
    """``<source>:<locale>/<id>``."""
    problem: str | None = None
    """Why the template cannot be used (unknown purpose, syntax error ...), if it cannot."""
    findings: tuple[LintFinding, ...] = ()
    """What the lint found in the sample message."""

    @property
    def ok(self) -> bool:
        """Whether the template rendered and its sample message has no lint error."""
        return self.problem is None and not any(
            finding.severity is Severity.ERROR for finding in self.findings
        )


def check_templates(composer: Composer | None = None) -> list[TemplateCheck]:
    """Render every template of *composer* (shipped and user) with sample data, and lint it.

    For ``ats-reject check``: a template that does not compile, uses an unknown variable,
    is named for no purpose or stage, or produces a message the lint stops, is reported
    with the template and line, before any candidate's message depends on it. Stray files
    in a template folder are reported too.

    Args:
        composer: The composer whose templates to check; ``None`` for the shipped set.

    Returns:
        One entry per template, and one per unrecognised file, in a stable order.
    """
    composer = composer or Composer()
    checks: list[TemplateCheck] = []
    for source, locale, template_id in composer.templates.template_ids():
        label = f"{source}:{locale}/{template_id}"
        purpose_name, _, stage_name = template_id.partition(".")
        try:
            purpose = Purpose(purpose_name)
            stage = StageKind(stage_name) if stage_name else StageKind.OTHER
        except ValueError:
            checks.append(TemplateCheck(label, "named for no purpose or stage kind"))
            continue
        try:
            bundle = composer.templates.load(source, locale, template_id)
            context = sample_context(purpose, stage=stage, locale=locale)
            message = composer.render_bundle(bundle, purpose, context)
        except MessageTemplateError as exc:
            checks.append(TemplateCheck(label, str(exc)))
            continue
        checks.append(TemplateCheck(label, findings=composer.lint(message, context).findings))
    checks.extend(
        TemplateCheck(name, "follows no naming rule (<locale>/<id>.<subject|text|html>.j2)")
        for name in composer.templates.unrecognised_files
    )
    return checks
