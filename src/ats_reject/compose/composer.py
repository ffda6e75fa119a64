"""The composer: picks a template, renders subject, text and HTML, and lints the result.

Composition is pure: it reads template files (once, then they are cached) and never the
clock or the network. A message with a lint error comes back with
``message.lint.route_to_human`` set; the caller routes it to a person instead of sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ats_reject.compose._locales import locale_chain, normalize_locale
from ats_reject.compose.context import MessageContext, Purpose
from ats_reject.compose.lint import LintOptions, LintReport, Part, lint
from ats_reject.compose.templates import EMPTY_MARK, TemplateBundle, TemplateSet
from ats_reject.models import StageKind

__all__ = ["ComposedMessage", "Composer", "RenderedMessage"]

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MAX_CACHED_BUNDLES = 4096


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A rendered message before the lint. Its texts are hidden from ``repr``."""

    purpose: Purpose
    subject: str = field(repr=False)
    """One line: whitespace, line breaks included, is collapsed to single spaces."""
    text: str = field(repr=False)
    html: str | None = field(repr=False)
    locale_used: str
    """The locale of the template that was used (after the fallback chain)."""
    template_id: str
    """``<source>:<locale>/<id>``, e.g. ``default:en/rejection.interview``."""
    empty_placeholders: tuple[tuple[Part, int], ...] = ()
    """Where a placeholder rendered nothing: part and offset (reported as ARL002)."""


@dataclass(frozen=True, slots=True)
class ComposedMessage(RenderedMessage):
    """A rendered and linted message; send it only if ``not lint.route_to_human``."""

    lint: LintReport = field(default_factory=LintReport)


def _take_marks(value: str, part: Part) -> tuple[str, list[tuple[Part, int]]]:
    if EMPTY_MARK not in value:
        return value, []
    marks: list[tuple[Part, int]] = []
    pieces = value.split(EMPTY_MARK)
    offset = 0
    for piece in pieces[:-1]:
        offset += len(piece)
        marks.append((part, offset))
    return "".join(pieces), marks


def _tidy_text(value: str) -> str:
    # Conditional blocks leave runs of blank lines and trailing spaces behind; a reader
    # should see one blank line between paragraphs.
    if " \n" in value or "\t\n" in value:
        value = _TRAILING_SPACE.sub("\n", value)
    if "\n\n\n" in value:
        value = _BLANK_LINES.sub("\n\n", value)
    return value.strip() + "\n"


class Composer:
    """Renders messages from templates and lints them.

    Args:
        templates: The template set; ``None`` for the shipped defaults.
        default_locale: Where every locale chain ends (``en`` by default).
        lint_terms_dir: A folder of user term files extending the shipped ones.
        lint_options: Length thresholds for the lint.
    """

    def __init__(
        self,
        templates: TemplateSet | None = None,
        *,
        default_locale: str = "en",
        lint_terms_dir: Path | str | None = None,
        lint_options: LintOptions | None = None,
    ) -> None:
        self.templates = templates if templates is not None else TemplateSet()
        self.default_locale = normalize_locale(default_locale)
        self.lint_terms_dir = Path(lint_terms_dir) if lint_terms_dir is not None else None
        self.lint_options = lint_options or LintOptions()
        self._bundles: dict[tuple[Purpose, StageKind, str | None], TemplateBundle] = {}

    @classmethod
    def from_paths(
        cls,
        templates_dir: Path | str | None = None,
        *,
        lint_terms_dir: Path | str | None = None,
        default_locale: str = "en",
    ) -> Composer:
        """A composer over the shipped templates, overridden by *templates_dir* if given."""
        return cls(
            TemplateSet(templates_dir),
            default_locale=default_locale,
            lint_terms_dir=lint_terms_dir,
        )

    def _bundle(self, purpose: Purpose, stage: StageKind, locale: str | None) -> TemplateBundle:
        key = (purpose, stage, locale)
        bundle = self._bundles.get(key)
        if bundle is None:
            chain = locale_chain(locale, self.default_locale)
            bundle = self.templates.find(purpose.value, stage.value, chain)
            # Locales come from candidates; the few distinct ones are worth remembering,
            # an unbounded stream of odd tags is not.
            if len(self._bundles) < _MAX_CACHED_BUNDLES:
                self._bundles[key] = bundle
        return bundle

    def _writing_locale(self, wanted: str | None, template_locale: str) -> str:
        # Dates and the like follow the candidate's own variant (de-AT writes "Jänner") as
        # long as the template is in that language; otherwise the template's locale.
        if wanted is not None and wanted.split("-", 1)[0] == template_locale.split("-", 1)[0]:
            return wanted
        return template_locale

    def render(self, purpose: Purpose | str, context: MessageContext) -> RenderedMessage:
        """Render the message for *purpose* without linting it.

        Raises:
            MessageTemplateError: No template fits, or the template failed.
            ValueError: *purpose* is not a purpose.
        """
        purpose = Purpose(purpose)
        return self.render_bundle(
            self._bundle(purpose, context.stage, context.locale), purpose, context
        )

    def render_bundle(
        self, bundle: TemplateBundle, purpose: Purpose, context: MessageContext
    ) -> RenderedMessage:
        """Render one given template (``ats-reject check`` renders each template this way).

        Raises:
            MessageTemplateError: The template failed.
        """
        variables: dict[str, Any] = context.template_variables()
        variables["locale"] = self._writing_locale(context.locale, bundle.locale)
        variables["purpose"] = purpose.value
        render = self.templates.render
        subject, marks = _take_marks(" ".join(render(bundle.subject, variables).split()), "subject")
        variables["subject"] = subject
        text, text_marks = _take_marks(_tidy_text(render(bundle.text, variables)), "text")
        marks.extend(text_marks)
        html: str | None = None
        if bundle.html is not None:
            html, html_marks = _take_marks(render(bundle.html, variables), "html")
            marks.extend(html_marks)
        return RenderedMessage(
            purpose=purpose,
            subject=subject,
            text=text,
            html=html,
            locale_used=bundle.locale,
            template_id=bundle.template_id,
            empty_placeholders=tuple(marks),
        )

    def lint(self, message: RenderedMessage, context: MessageContext) -> LintReport:
        """Lint a rendered message with this composer's term folder and options."""
        return lint(message, context, options=self.lint_options, lint_terms_dir=self.lint_terms_dir)

    def compose(self, purpose: Purpose | str, context: MessageContext) -> ComposedMessage:
        """Render and lint the message for *purpose*.

        Args:
            purpose: What the message is for.
            context: What it may say.

        Returns:
            The message and its lint report; if ``message.lint.route_to_human``, a person
            must review it, and it must not be sent as it is.

        Raises:
            MessageTemplateError: No template fits, or the template failed; the error names
                the template and line, never the data.
        """
        rendered = self.render(purpose, context)
        return ComposedMessage(
            purpose=rendered.purpose,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            locale_used=rendered.locale_used,
            template_id=rendered.template_id,
            empty_placeholders=rendered.empty_placeholders,
            lint=self.lint(rendered, context),
        )
