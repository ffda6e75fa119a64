"""Template sets: the shipped defaults and a user folder, one sandboxed Jinja2 environment.

Layout of a template folder (the shipped one and a user's are the same)::

    <locale>/<template id>.subject.j2    required (a stage template may use its purpose's)
    <locale>/<template id>.text.j2       required
    <locale>/<template id>.html.j2       optional
    <locale>/_<partial>.<part>.j2        pieces for {% include %} in that locale
    _shared/<file>.j2                      pieces for every locale (the HTML layout)

A template id is a purpose (``rejection``) or a purpose and a stage kind
(``rejection.interview``). For a message, the locales of the fallback chain are tried in
order; within a locale the user's folder wins over the shipped one, and within a folder the
stage's template wins over the purpose's. A user who overrides ``en/rejection`` therefore
overrides every English rejection, unless they also provide stage templates.

Templates run in Jinja2's immutable sandbox with strict undefined variables; HTML parts (and
only they) are autoescaped. Each template is compiled once and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from ats_reject.compose._locales import normalize_locale
from ats_reject.compose._sandbox import EMPTY_MARK, Sandbox, autoescape, date_long, finalize
from ats_reject.errors import ConfigurationError

__all__ = [
    "EMPTY_MARK",
    "FOLDER_KEY_PATH",
    "PARTS",
    "MessageTemplateError",
    "TemplateBundle",
    "TemplateSet",
]

PARTS = ("subject", "text", "html")
"""The parts of a template, by file suffix."""

FOLDER_KEY_PATH = "templates.folder"
"""The configuration key of the user's template folder; template errors name it."""

_USER = "user"
_DEFAULT = "default"


class MessageTemplateError(ConfigurationError):
    """A template is missing, does not compile, or failed while rendering.

    The message names the template and the line, never the data it was rendered with.

    Attributes:
        template: The template file as ``<source>:<locale>/<file>``
            (``user:de/rejection.text.j2``).
        line: The line in that file, when known.
        reason: What went wrong.
    """

    def __init__(self, template: str, reason: str, *, line: int | None = None) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"template {template}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {reason}", key_path=FOLDER_KEY_PATH)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the keyword constructor (errors cross process boundaries)."""
        return (_rebuild_template_error, (self.template, self.reason, self.line))


def _rebuild_template_error(template: str, reason: str, line: int | None) -> MessageTemplateError:
    return MessageTemplateError(template, reason, line=line)


@dataclass(frozen=True, slots=True)
class TemplateBundle:
    """The compiled parts of one template: subject, text and, if present, HTML."""

    template_id: str
    """Where it came from: ``<source>:<locale>/<id>``, e.g. ``default:en/rejection.final``."""
    locale: str
    subject: jinja2.Template
    text: jinja2.Template
    html: jinja2.Template | None


_FILE = re.compile(
    r"^(?P<id>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\.(?P<part>subject|text|html)\.j2$"
)


class TemplateSet:
    """The templates a composer can use: the shipped defaults, overridden by a user folder.

    Args:
        user_dir: A folder laid out like the shipped one (see the module docstring), or
            ``None`` for the defaults alone: the configuration's ``templates.folder``.

    Raises:
        ConfigurationError: *user_dir* is not a folder (key path ``templates.folder``).
    """

    def __init__(self, user_dir: Path | str | None = None) -> None:
        self.user_dir = Path(user_dir) if user_dir is not None else None
        if self.user_dir is not None and not self.user_dir.is_dir():
            raise ConfigurationError(
                "the templates folder does not exist", key_path=FOLDER_KEY_PATH
            )
        default_loader = jinja2.PackageLoader("ats_reject.compose", "templates")
        prefixed: dict[str, jinja2.BaseLoader] = {_DEFAULT: default_loader}
        plain: list[jinja2.BaseLoader] = []
        if self.user_dir is not None:
            user_loader = jinja2.FileSystemLoader(str(self.user_dir))
            prefixed[_USER] = user_loader
            plain.append(user_loader)
        plain.append(default_loader)
        self._environment = Sandbox(
            loader=jinja2.ChoiceLoader([jinja2.PrefixLoader(prefixed, delimiter=":"), *plain]),
            undefined=jinja2.StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
            cache_size=-1,
            finalize=finalize,
        )
        self._environment.filters["date_long"] = date_long
        self._index: dict[tuple[str, str, str], dict[str, str]] = {}
        self._unknown: list[str] = []
        for source, loader in prefixed.items():
            self._index_source(source, loader)
        self._bundles: dict[tuple[str, str, str], TemplateBundle] = {}
        self._roots: dict[str, Path] = {
            _DEFAULT: Path(
                str(resources.files("ats_reject.compose").joinpath("templates"))
            ).resolve()
        }
        if self.user_dir is not None:
            self._roots[_USER] = self.user_dir.resolve()

    def _index_source(self, source: str, loader: jinja2.BaseLoader) -> None:
        for name in loader.list_templates():
            folder, _, file_name = name.rpartition("/")
            # Partials (_name.part.j2) and shared folders (_shared/) are only included.
            if not folder or "/" in folder or folder.startswith("_") or file_name.startswith("_"):
                continue
            match = _FILE.match(file_name)
            try:
                locale = normalize_locale(folder)
            except ValueError:
                self._unknown.append(f"{source}:{name}")
                continue
            if match is None:
                if file_name.endswith(".j2"):
                    self._unknown.append(f"{source}:{name}")
                continue
            parts = self._index.setdefault((source, locale, match["id"]), {})
            parts[match["part"]] = f"{source}:{name}"

    @property
    def environment(self) -> jinja2.Environment:
        """The sandboxed environment (for tests and tools; do not loosen it)."""
        return self._environment

    @property
    def unrecognised_files(self) -> tuple[str, ...]:
        """Files in a template folder that follow no naming rule (typos, stray files)."""
        return tuple(self._unknown)

    def template_ids(self) -> list[tuple[str, str, str]]:
        """Every template found, as ``(source, locale, template id)``, sorted."""
        return sorted(self._index)

    def find(self, purpose: str, stage: str, chain: Iterable[str]) -> TemplateBundle:
        """The template for *purpose* at *stage*, trying the locales of *chain* in order.

        Args:
            purpose: The purpose value (``rejection``).
            stage: The stage kind value (``interview``).
            chain: Locales, most specific first.

        Returns:
            The compiled template.

        Raises:
            MessageTemplateError: No template fits, or the one found does not compile.
        """
        tried: list[str] = []
        for locale in chain:
            for source in (_USER, _DEFAULT):
                for template_id in (f"{purpose}.{stage}", purpose):
                    if (source, locale, template_id) in self._index:
                        return self._bundle(source, locale, template_id)
            tried.append(locale)
        raise MessageTemplateError(
            purpose, f"no template for this purpose in locales {', '.join(tried)}"
        )

    def load(self, source: str, locale: str, template_id: str) -> TemplateBundle:
        """One template by its place, as :meth:`template_ids` lists it.

        Raises:
            KeyError: There is no such template.
            MessageTemplateError: It has no text or subject part, or does not compile.
        """
        if (source, locale, template_id) not in self._index:
            raise KeyError(f"{source}:{locale}/{template_id}")
        return self._bundle(source, locale, template_id)

    def _bundle(self, source: str, locale: str, template_id: str) -> TemplateBundle:
        key = (source, locale, template_id)
        bundle = self._bundles.get(key)
        if bundle is not None:
            return bundle
        parts = self._index[key]
        label = f"{source}:{locale}/{template_id}"
        if "text" not in parts:
            raise MessageTemplateError(label, "the text part is missing")
        subject = parts.get("subject")
        if subject is None and "." in template_id:
            # A stage template may share its purpose's subject from the same folder.
            base = self._index.get((source, locale, template_id.split(".", 1)[0]), {})
            subject = base.get("subject")
        if subject is None:
            raise MessageTemplateError(label, "the subject part is missing")
        html = parts.get("html")
        bundle = TemplateBundle(
            template_id=label,
            locale=locale,
            subject=self._compile(subject),
            text=self._compile(parts["text"]),
            html=self._compile(html) if html is not None else None,
        )
        self._bundles[key] = bundle
        return bundle

    def _compile(self, name: str) -> jinja2.Template:
        try:
            return self._environment.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = self._label_for(exc.filename) or exc.name or name
            raise MessageTemplateError(
                where, f"syntax error: {exc.message}", line=exc.lineno
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise MessageTemplateError(name, f"included template {exc.name!r} not found") from None

    def render(self, template: jinja2.Template, variables: dict[str, Any]) -> str:
        """Render *template*; errors name the template and line, never the data.

        Raises:
            MessageTemplateError: The template failed (an undefined variable, a blocked
                operation, a missing include ...).
        """
        try:
            return template.render(variables)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one safe error
            raise self._render_error(template, exc) from None

    def _render_error(self, template: jinja2.Template, exc: Exception) -> MessageTemplateError:
        where, line = self._failing_frame(exc.__traceback__, template)
        if isinstance(exc, jinja2.UndefinedError):
            name = _quoted_name(str(exc))
            source = self._source(where)
            if name is not None and source is not None and name in source:
                reason = f"undefined variable or attribute {name!r}"
            else:
                reason = "undefined variable or attribute"
        elif isinstance(exc, SecurityError):
            reason = "an operation the sandbox does not allow"
        elif isinstance(exc, jinja2.TemplateNotFound):
            source = self._source(where)
            named = exc.name if source is not None and str(exc.name) in source else None
            reason = (
                f"included template {named!r} not found"
                if named
                else ("an included template was not found")
            )
        elif isinstance(exc, jinja2.TemplateSyntaxError):
            label = self._label_for(exc.filename) or exc.name or where
            return MessageTemplateError(label, f"syntax error: {exc.message}", line=exc.lineno)
        else:
            # The exception's own text may quote the data (int('Alex') ...): name the type only.
            reason = f"{type(exc).__name__} while rendering"
        return MessageTemplateError(where, reason, line=line)

    def _label_for(self, filename: str | None) -> str | None:
        """``<source>:<locale>/<file>`` for a template file path, if it is in a known folder."""
        if filename is None:
            return None
        path = Path(filename)
        for source, root in self._roots.items():
            if path.is_relative_to(root):
                return f"{source}:{path.relative_to(root).as_posix()}"
        return None

    def _failing_frame(
        self, traceback: TracebackType | None, template: jinja2.Template
    ) -> tuple[str, int | None]:
        """The innermost template frame of a rendering error: its template and line."""
        label = self._label_for(template.filename) or template.name or "?"
        line: int | None = None
        while traceback is not None:
            filename = traceback.tb_frame.f_code.co_filename
            if filename.endswith(".j2"):
                label = self._label_for(filename) or Path(filename).name
                line = traceback.tb_lineno
            traceback = traceback.tb_next
        return label, line

    def _source(self, label: str) -> str | None:
        try:
            loader = self._environment.loader
            assert loader is not None  # noqa: S101 - set in __init__
            return loader.get_source(self._environment, label)[0]
        except jinja2.TemplateNotFound:
            return None


_QUOTED = re.compile(
    r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined$|no attribute '([A-Za-z_][A-Za-z0-9_]*)'$"
)


def _quoted_name(message: str) -> str | None:
    match = _QUOTED.search(message)
    if match is None:
        return None
    return match.group(1) or match.group(2)
