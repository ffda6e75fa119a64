"""The sandboxed Jinja2 environment the templates run in, and its finalize and filters.

The immutable sandbox, refusing huge repetitions and powers as well; strict undefined
variables are set by the template set. Two detours of the stock environment are cut for
speed without changing what a template sees (see :meth:`Sandbox.make_globals` and
:meth:`Sandbox.getattr`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ats_reject.compose._locales import format_long_date
from ats_reject.compose.context import Sender, TalentPoolInvitation

__all__ = ["EMPTY_MARK", "Sandbox", "autoescape", "date_long", "finalize"]

EMPTY_MARK = "\ue000"
"""Written where a placeholder rendered nothing, so the lint can point at the spot."""

_MAX_REPEAT = 10_000
_MAX_EXPONENT = 64


def finalize(value: object) -> object:
    """Every ``{{ expression }}`` passes here: a blank one becomes :data:`EMPTY_MARK`."""
    # None or blank output is a bug in the data or the template, never something to send:
    # mark it for the lint instead of printing "None".
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY_MARK
    return value


@jinja2.pass_context
def date_long(context: jinja2.runtime.Context, value: date) -> str:
    """The ``date_long`` filter: a weekday and a date, as the message's locale writes it."""
    locale = context.get("locale") or "en"
    return format_long_date(value, str(locale))


# The fields of the context's own frozen models are plain data: reading them needs none of
# the sandbox's generic checks, which cost a dozen isinstance calls per access.
_DATA_FIELDS: dict[type, frozenset[str]] = {
    model: frozenset(model.model_fields) for model in (Sender, TalentPoolInvitation)
}


# Attribute names a plain dict has (methods, mostly): for any other name the sandbox looks
# the name up as a key, after a failed attribute lookup that costs an exception.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, also refusing huge repetitions and powers."""

    intercepted_binops = frozenset({"*", "**"})

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The globals of a template, as a plain dict rather than Jinja2's ``ChainMap``.

        Every render and every include copies the globals' names into a new context, and
        iterating a ``ChainMap`` is slow Python code. The environment's globals are set up
        once, before any template loads, so a snapshot sees the same names and values.
        """
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` as the sandbox resolves it, without its detours for plain data.

        A field of the context's own models is returned at once (the sandbox would find it
        safe); ``links.careers`` on a plain dict is looked up as a key at once (the sandbox
        would try the attribute first, fail, then do the same). Anything else goes through
        the sandbox.
        """
        kind = type(obj)
        fields = _DATA_FIELDS.get(kind)
        if fields is not None and attribute in fields:
            return getattr(obj, attribute)
        if kind is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Allow the context models' fields at once; ask the sandbox about the rest."""
        fields = _DATA_FIELDS.get(type(obj))
        if fields is not None and attr in fields:
            return True
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """Refuse ``"x" * 10**9`` and ``2 ** 10**9`` before they eat the worker's memory."""
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise SecurityError("exponent too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and count * max(len(sequence), 1) > _MAX_REPEAT
                ):
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def autoescape(name: str | None) -> bool:
    """Escape the HTML parts, and only them."""
    return name is not None and name.endswith(".html.j2")
