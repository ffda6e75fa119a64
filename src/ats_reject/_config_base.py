"""Building blocks of the configuration models: the base class, value types and error messages.

Every setting read from ``ats-reject.toml`` passes through a model derived from
:class:`SettingsModel`. Errors are turned into ``(key path, message)`` pairs by
:func:`validation_problems`: the key path is written as in the file
(``policy.rules[2].when.stage_kind``) and the message says what was expected. Values are
echoed only where the model chose to (choices such as a stage kind, never a secret).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import StrEnum
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictStr,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from ats_reject._calendar import SendWindow
from ats_reject._durations import parse_duration
from ats_reject._wallclock import load_zone
from ats_reject.errors import TimingConfigurationError

__all__ = [
    "DurationText",
    "NonZeroDurationText",
    "Problem",
    "SettingsModel",
    "Text",
    "TextList",
    "WindowText",
    "ZoneName",
    "choice",
    "choices",
    "format_key_path",
    "nonempty_text",
    "validation_problems",
]

Problem = tuple[str, str]
"""A key path and what is wrong there."""

E = TypeVar("E", bound=StrEnum)

_SHOWN_CHARS = 40


class SettingsModel(BaseModel):
    """Base of every configuration model: frozen, unknown keys refused, input never echoed."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        use_attribute_docstrings=True,
    )


def _shown(value: object) -> str:
    variable = getattr(value, "variable", None)
    if isinstance(variable, str):
        # Read from the environment: it may be a secret someone put in the wrong key.
        return f"the value of environment variable {variable}"
    text = str(value)
    if len(text) > _SHOWN_CHARS:
        text = text[:_SHOWN_CHARS] + "..."
    return repr(text)


def _expected_choices(enum_type: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum_type)


def _to_member(enum_type: type[E], value: object, where: str = "") -> E:
    if isinstance(value, enum_type):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "choice",
            "expected one of {expected}; got {kind}{where}",
            {
                "expected": _expected_choices(enum_type),
                "kind": f"a {_type_word(value)}",
                "where": where,
            },
        )
    try:
        return enum_type(value)
    except ValueError:
        close = difflib.get_close_matches(value, [m.value for m in enum_type], n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise PydanticCustomError(
            "choice",
            "expected one of {expected}; got {got}{where}{hint}",
            {
                "expected": _expected_choices(enum_type),
                "got": _shown(value),
                "where": where,
                "hint": hint,
            },
        ) from None


def choice(enum_type: type[E]) -> BeforeValidator:
    """Validator for one member of *enum_type*, given by its value.

    Use as ``Annotated[Kind, choice(Kind)]``. The error names the accepted values and the
    value given (choices are never secrets).
    """

    def convert(value: object) -> E:
        return _to_member(enum_type, value)

    return BeforeValidator(convert)


def choices(enum_type: type[E]) -> BeforeValidator:
    """Validator for one member or a list of them (any-of), kept as a tuple.

    Use as ``Annotated[tuple[Kind, ...], choices(Kind)]``.
    """

    def convert(value: object) -> tuple[E, ...]:
        if isinstance(value, str | enum_type):
            return (_to_member(enum_type, value),)
        if not isinstance(value, list | tuple):
            raise PydanticCustomError(
                "choice",
                "expected one of {expected}, or a list of them; got a {kind}",
                {"expected": _expected_choices(enum_type), "kind": _type_word(value)},
            )
        if not value:
            raise PydanticCustomError("empty_list", "give at least one value, or leave the key out")
        return tuple(
            _to_member(enum_type, item, f" (item {index + 1})") for index, item in enumerate(value)
        )

    return BeforeValidator(convert)


def _text_list(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise PydanticCustomError(
            "text_list",
            "expected text or a list of text; got a {kind}",
            {"kind": _type_word(value)},
        )
    if not items:
        raise PydanticCustomError("empty_list", "give at least one value, or leave the key out")
    cleaned: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise PydanticCustomError(
                "text_list",
                "expected non-empty text; item {index} is not",
                {"index": index + 1},
            )
        cleaned.append(item.strip())
    return tuple(cleaned)


TextList = Annotated[tuple[str, ...], BeforeValidator(_text_list)]
"""One text or a list of texts (any-of), kept as a tuple."""


def nonempty_text(value: str) -> str:
    """Refuse blank text; keep the text stripped."""
    if not value.strip():
        raise PydanticCustomError("empty_text", "must not be empty")
    return value.strip()


Text = Annotated[StrictStr, AfterValidator(nonempty_text)]
"""Text that is not blank, kept stripped."""


def _check_duration(text: str) -> str:
    try:
        parse_duration(text)
    except TimingConfigurationError as exc:
        raise PydanticCustomError("duration", "{detail}", {"detail": str(exc)}) from None
    return text.strip()


def _check_nonzero_duration(text: str) -> str:
    checked = _check_duration(text)
    if parse_duration(checked).amount == 0:
        raise PydanticCustomError(
            "duration", "must be more than zero; a rejection is never sent instantly"
        )
    return checked


def _check_window(text: str) -> str:
    try:
        SendWindow.parse(text)
    except TimingConfigurationError as exc:
        raise PydanticCustomError("send_window", "{detail}", {"detail": str(exc)}) from None
    return text.strip()


def _check_zone(name: str) -> str:
    try:
        load_zone(name)
    except TimingConfigurationError:
        raise PydanticCustomError(
            "time_zone",
            "expected an IANA time zone name such as Europe/Berlin or America/New_York; got {got}",
            {"got": _shown(name)},
        ) from None
    return name


DurationText = Annotated[str, AfterValidator(_check_duration)]
"""A duration as people write it (``24h``, ``2 business days``), checked when loaded."""
NonZeroDurationText = Annotated[str, AfterValidator(_check_nonzero_duration)]
"""A duration that must be more than zero (a minimum delay, a deadline)."""
WindowText = Annotated[str, AfterValidator(_check_window)]
"""A send window as people write it (``Mon-Fri 09:00-17:00``), checked when loaded."""
ZoneName = Annotated[str, AfterValidator(_check_zone)]
"""An IANA time zone name, checked when loaded."""


def format_key_path(parts: Iterable[str | int]) -> str:
    """Write a location as in the file: ``policy.rules[2].when.stage_kind``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_TYPE_WORDS = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "text",
    list: "list",
    tuple: "list",
    dict: "table",
}


def _type_word(value: object) -> str:
    for kind, word in _TYPE_WORDS.items():
        if isinstance(value, kind):
            return word
    return type(value).__name__


_TYPE_MESSAGES: dict[str, str] = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "date_type": "expected a date such as 2026-12-24",
    "date_parsing": "expected a date such as 2026-12-24",
    "date_from_datetime_inexact": "expected a date without a time",
}


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """Follow *loc* through nested models, lists and tables; ``None`` if it leaves models."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = _unwrap(field.annotation)
        elif get_origin(current) is dict:
            current = _unwrap(get_args(current)[1])
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated``, ``| None`` and list or tuple wrappers down to a model or a dict."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated or origin in (list, tuple):
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
            continue
        return annotation


def _unknown_key_message(root: type[BaseModel] | None, loc: tuple[str | int, ...]) -> str:
    key = loc[-1] if loc else ""
    model = _model_at(root, loc[:-1]) if root is not None else None
    if model is None:
        return "unknown key"
    accepted = sorted(model.model_fields)
    longer = [name for name in accepted if name.startswith(str(key))]
    close = longer or difflib.get_close_matches(str(key), accepted, n=1, cutoff=0.75)
    hint = f"did you mean {' or '.join(repr(name) for name in close)}? " if close else ""
    return f"unknown key; {hint}accepted keys here: {', '.join(accepted)}"


def validation_problems(
    exc: ValidationError,
    prefix: Iterable[str | int] = (),
    *,
    root: type[BaseModel] | None = None,
) -> list[Problem]:
    """Turn a pydantic error into ``(key path, message)`` pairs that echo no input.

    Args:
        exc: The validation error.
        prefix: Where the validated table sits in the file (``("connections", "gh")``).
        root: The model that was validated, to list the accepted keys for an unknown one.
    """
    start = tuple(prefix)
    problems: list[Problem] = []
    for error in exc.errors(include_url=False, include_context=True, include_input=True):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            message = _unknown_key_message(root, loc)
        elif kind == "missing":
            message = "required key is missing"
        elif kind in _TYPE_MESSAGES:
            message = f"{_TYPE_MESSAGES[kind]}; got a {_type_word(error.get('input'))}"
        elif kind == "value_error":
            message = error["msg"].removeprefix("Value error, ")
        elif error["msg"].startswith(("Input should be greater", "Input should be less")):
            message = error["msg"].replace("Input should be", "expected a value", 1)
        else:
            message = error["msg"].replace("Input should be", "expected", 1)
        problems.append((format_key_path(start + loc), message))
    return problems
