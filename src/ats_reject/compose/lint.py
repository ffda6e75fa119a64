"""The lint: checks a rendered message before anyone sends it.

:func:`lint` returns a :class:`LintReport` of findings, each with a stable code (the table is
in docs/templates.md), a severity, a message built from safe parts only (the code's title and
the term-list entry, never the message's own words) and where it is: the part (``subject``,
``text`` or ``html``) and the span in that part's string.

A message with any error is routed to a person (``report.route_to_human``), never sent.
Which checks run depends on the purpose: a recruiter's talking points have no greeting, a
holding update must not state a rejection, a consent request must carry its link.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ats_reject.compose._linter import Linter
from ats_reject.compose._report import Lintable, LintFinding, LintOptions, LintReport, Part
from ats_reject.compose._terms import TermList, load_terms
from ats_reject.compose.context import MessageContext

__all__ = [
    "LintFinding",
    "LintOptions",
    "LintReport",
    "Lintable",
    "Part",
    "lint",
    "terms_for",
]


@functools.lru_cache(maxsize=64)
def terms_for(locale: str, extra_dir: Path | None = None) -> TermList | None:
    """The term list for a message written in *locale*: the exact tag, then its language.

    English terms say nothing about a German text, so there is no fallback to another
    language: without a list for the language, wording cannot be checked (ARL016).

    Args:
        locale: The locale the message was written in.
        extra_dir: A folder of user term files that extend the shipped ones.

    Returns:
        The term list, or ``None`` when there is none for the language.
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
    """Check a rendered message against the context it was rendered with.

    Args:
        message: The message (a :class:`~ats_reject.compose.RenderedMessage` or
            :class:`~ats_reject.compose.ComposedMessage`).
        context: The context it was rendered with.
        options: Length thresholds; the defaults suit e-mail.
        lint_terms_dir: A folder of user term files that extend the shipped ones.

    Returns:
        The findings, ordered by part and position.
    """
    terms = terms_for(message.locale_used, lint_terms_dir)
    return LintReport(Linter(message, context, options or LintOptions(), terms).run())
