"""The composer: picks a template, renders subject, text and HTML, and lints the result.

Composition is pure: it reads template files (once, then they are cached) and never the
clock or the network. A message with a lint error comes back with
``message.lint.route_to_human`` set; the caller routes it to a person instead of sending.

The lint of a composed message goes through a *plan* when the composer has seen its shape
before (the same template, role, language and kind of context): the template text is linted
once, and each message pays only for its values (see ``_plan``). The findings are those of
:func:`~ats_reject.compose.lint`; a message the plan cannot vouch for gets the full lint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ats_reject.compose._closure import MAX_SLOTS, closure_scanner
from ats_reject.compose._locales import locale_chain, normalize_locale
from ats_reject.compose._plan import Plan, build_plan
from ats_reject.compose._planned import lint_planned
from ats_reject.compose._report import Lintable, LintFinding
from ats_reject.compose._shapes import plan_values, shape_of, stand_ins
from ats_reject.compose._terms import TermList
from ats_reject.compose.context import MessageContext, Purpose
from ats_reject.compose.lint import LintOptions, LintReport, Part, lint, terms_for
from ats_reject.compose.templates import EMPTY_MARK, TemplateBundle, TemplateSet
from ats_reject.models import StageKind

__all__ = ["ComposedMessage", "Composer", "LintStats", "RenderedMessage"]

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MAX_CACHED_BUNDLES = 4096
_MAX_PLANS = 4096
_NO_PLAN = object()


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


@dataclass(frozen=True, slots=True)
class LintStats:
    """How a composer's lints were done (see the module docstring on plans)."""

    planned: int
    """Messages linted through the plan of their shape."""
    full: int
    """Messages linted in full: a shape seen for the first time, a language without a term
    list, or a message its plan could not vouch for."""
    plans: int
    """Plans held (shapes whose template text is linted)."""


class _Draft:
    """A message being composed, as the lint reads it (lighter than a frozen dataclass)."""

    __slots__ = ("empty_placeholders", "html", "locale_used", "purpose", "subject", "text")

    def __init__(
        self,
        purpose: Purpose,
        subject: str,
        text: str,
        html: str | None,
        *,
        locale_used: str,
        empty_placeholders: tuple[tuple[Part, int], ...],
    ) -> None:
        self.purpose = purpose
        self.subject = subject
        self.text = text
        self.html = html
        self.locale_used = locale_used
        self.empty_placeholders = empty_placeholders


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
        self._plans: dict[tuple[object, ...], Plan | None] = {}
        self._seen: set[tuple[object, ...]] = set()
        self._planned = 0
        self._full = 0

    @property
    def lint_stats(self) -> LintStats:
        """How many messages were linted through plans, and how many in full."""
        plans = sum(1 for plan in self._plans.values() if plan is not None)
        return LintStats(planned=self._planned, full=self._full, plans=plans)

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
        return self._render(bundle, purpose, self._variables(bundle, purpose, context))

    def _variables(
        self, bundle: TemplateBundle, purpose: Purpose, context: MessageContext
    ) -> dict[str, Any]:
        variables: dict[str, Any] = context.template_variables()
        variables["locale"] = self._writing_locale(context.locale, bundle.locale)
        variables["purpose"] = purpose.value
        return variables

    def _parts(
        self, bundle: TemplateBundle, variables: dict[str, Any]
    ) -> tuple[str, str, str | None, list[tuple[Part, int]]]:
        render = self.templates.render
        subject, marks = _take_marks(" ".join(render(bundle.subject, variables).split()), "subject")
        variables["subject"] = subject
        text, text_marks = _take_marks(_tidy_text(render(bundle.text, variables)), "text")
        marks.extend(text_marks)
        html: str | None = None
        if bundle.html is not None:
            html, html_marks = _take_marks(render(bundle.html, variables), "html")
            marks.extend(html_marks)
        return subject, text, html, marks

    def _render(
        self, bundle: TemplateBundle, purpose: Purpose, variables: dict[str, Any]
    ) -> RenderedMessage:
        subject, text, html, marks = self._parts(bundle, variables)
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
        purpose = Purpose(purpose)
        bundle = self._bundle(purpose, context.stage, context.locale)
        variables = self._variables(bundle, purpose, context)
        subject, text, html, marks = self._parts(bundle, variables)
        draft = _Draft(
            purpose,
            subject,
            text,
            html,
            locale_used=bundle.locale,
            empty_placeholders=tuple(marks),
        )
        findings = self._planned_findings(bundle, purpose, context, variables, draft)
        if findings is None:
            self._full += 1
        else:
            self._planned += 1
        return ComposedMessage(
            purpose=purpose,
            subject=subject,
            text=text,
            html=html,
            locale_used=bundle.locale,
            template_id=bundle.template_id,
            empty_placeholders=draft.empty_placeholders,
            lint=(
                LintReport(findings)
                if findings is not None
                else lint(
                    draft,
                    context,
                    options=self.lint_options,
                    lint_terms_dir=self.lint_terms_dir,
                )
            ),
        )

    def _planned_findings(
        self,
        bundle: TemplateBundle,
        purpose: Purpose,
        context: MessageContext,
        variables: dict[str, Any],
        message: Lintable,
    ) -> tuple[LintFinding, ...] | None:
        """The findings through the plan of the message's shape, or ``None`` to lint fully."""
        terms = terms_for(message.locale_used, self.lint_terms_dir)
        if terms is None:
            return None
        key = (*shape_of(bundle.template_id, purpose, variables["locale"], context), id(terms))
        plan = self._plans.get(key, _NO_PLAN)
        if plan is _NO_PLAN:
            # A shape seen once may never come back (a preview, a check): plan the second.
            if key not in self._seen:
                if len(self._seen) >= _MAX_PLANS:
                    self._seen.clear()
                self._seen.add(key)
                return None
            plan = self._plan(bundle, variables, context, terms)
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[key] = plan
        if plan is None:
            return None
        assert isinstance(plan, Plan)  # noqa: S101 - the cache holds plans and None
        return lint_planned(message, context, self.lint_options, plan, plan_values(context))

    def _plan(
        self,
        bundle: TemplateBundle,
        variables: dict[str, Any],
        context: MessageContext,
        terms: TermList,
    ) -> Plan | None:
        if len(plan_values(context)) > MAX_SLOTS:
            return None
        try:
            subject, text, html, _ = self._parts(bundle, stand_ins(variables, context))
        except Exception:  # noqa: BLE001 - a template that fails on stand-ins gets the full lint
            return None
        return build_plan(terms, closure_scanner(terms.scanner.phrases), subject, text, html)
