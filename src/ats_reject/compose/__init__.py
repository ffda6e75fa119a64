"""Composition: sandboxed templates, locales, feedback blocks, and the lint.

Pure code: it reads template and term files, never the clock or the network. The usual
path::

    composer = Composer.from_paths(templates_dir)          # once
    context = build_context(application, company="Northwind Labs", ...)
    message = composer.compose(Purpose.REJECTION, context)
    if message.lint.route_to_human:
        ...  # a person reviews it; it is never sent as it is

A composer lints the template text of each shape of message once and, for later messages
of that shape, only what their values change; the findings are those of :func:`lint`
(``composer.lint_stats`` tells how many went each way).

docs/templates.md is the guide: purposes, variables, locales, feedback, lint codes.
"""

from ats_reject.compose._codes import LINT_CODES, LintCode, Severity
from ats_reject.compose._locales import format_long_date, locale_chain, normalize_locale
from ats_reject.compose.composer import ComposedMessage, Composer, LintStats, RenderedMessage
from ats_reject.compose.context import (
    FeedbackScope,
    MessageContext,
    Purpose,
    Sender,
    TalentPoolInvitation,
    build_context,
)
from ats_reject.compose.lint import LintFinding, LintOptions, LintReport, lint
from ats_reject.compose.preview import (
    TemplateCheck,
    check_templates,
    format_preview,
    render_preview,
    sample_context,
)
from ats_reject.compose.templates import MessageTemplateError, TemplateBundle, TemplateSet

__all__ = [
    "LINT_CODES",
    "ComposedMessage",
    "Composer",
    "FeedbackScope",
    "LintCode",
    "LintFinding",
    "LintOptions",
    "LintReport",
    "LintStats",
    "MessageContext",
    "MessageTemplateError",
    "Purpose",
    "RenderedMessage",
    "Sender",
    "Severity",
    "TalentPoolInvitation",
    "TemplateCheck",
    "TemplateBundle",
    "TemplateSet",
    "build_context",
    "check_templates",
    "format_long_date",
    "format_preview",
    "lint",
    "locale_chain",
    "normalize_locale",
    "render_preview",
    "sample_context",
]
