"""Secrets in ``ats-reject.toml``: read from the environment, never written in the file.

Any value may be written as a reference to an environment variable::

    api_key = { env = "GH_API_KEY" }
    webhook_secrets = [{ env = "GH_WEBHOOK_SECRET" }, { env = "GH_WEBHOOK_SECRET_OLD" }]

A setting whose model type is a ``SecretStr`` (or a list of them) *must* be written that way:
a literal secret in a file ends up in version control and backups. Messages name the key path
and the variable, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretBytes, SecretStr

from ats_reject._config_base import Problem, format_key_path

__all__ = ["EnvValue", "check_literal_secrets", "is_env_reference", "resolve_env_references"]

_ENV_KEY = "env"


class EnvValue(str):
    """A text read from an environment variable; ``variable`` says which one."""

    __slots__ = ("variable",)
    variable: str

    def __new__(cls, value: str, variable: str) -> EnvValue:
        """Keep the variable's name beside its value."""
        made = super().__new__(cls, value)
        made.variable = variable
        return made

    def __repr__(self) -> str:
        """Name the variable, never the value."""
        return f"EnvValue(from ${self.variable})"


def is_env_reference(value: object) -> bool:
    """Whether *value* is a table of the form ``{ env = "NAME" }``."""
    return isinstance(value, dict) and _ENV_KEY in value


def resolve_env_references(
    value: Any,
    path: tuple[str | int, ...],
    environ: Mapping[str, str],
    problems: list[Problem],
) -> Any:
    """Replace every ``{ env = "NAME" }`` in *value* by the variable's value.

    Missing or empty variables are recorded in *problems* (key path and variable name) and
    replaced by ``None``, so validation can continue and report everything at once.
    """
    if isinstance(value, dict):
        if _ENV_KEY in value:
            return _lookup(value, path, environ, problems)
        return {
            key: resolve_env_references(item, (*path, key), environ, problems)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            resolve_env_references(item, (*path, index), environ, problems)
            for index, item in enumerate(value)
        ]
    return value


def _lookup(
    reference: dict[str, Any],
    path: tuple[str | int, ...],
    environ: Mapping[str, str],
    problems: list[Problem],
) -> EnvValue | None:
    where = format_key_path(path)
    name = reference[_ENV_KEY]
    if set(reference) != {_ENV_KEY}:
        problems.append(
            (where, 'an environment reference has the one key env: write { env = "NAME" }')
        )
        return None
    if not isinstance(name, str) or not name or not name.replace("_", "A").isalnum():
        problems.append(
            (where, "env must name an environment variable (letters, digits and _), as text")
        )
        return None
    found = environ.get(name)
    if found is None:
        problems.append((where, f"environment variable {name} is not set"))
        return None
    if not found.strip():
        problems.append((where, f"environment variable {name} is empty"))
        return None
    return EnvValue(found, name)


def _holds_secret(annotation: Any) -> bool:
    if annotation in (SecretStr, SecretBytes):
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _holds_secret(get_args(annotation)[0])
    if origin in (Union, UnionType, list, tuple):
        return any(_holds_secret(arg) for arg in get_args(annotation) if arg is not Ellipsis)
    return False


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _nested_model(get_args(annotation)[0])
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def check_literal_secrets(
    raw: Mapping[str, Any],
    model: type[BaseModel],
    path: tuple[str | int, ...],
    problems: list[Problem],
    *,
    literal_allowed: frozenset[tuple[str | int, ...]] = frozenset(),
) -> None:
    """Record a problem for every secret field of *model* written literally in *raw*.

    Secret fields are those typed ``SecretStr`` or ``SecretBytes`` (alone, optional, or in a
    list). Their value must be an environment reference, or a list of them, except at the
    key paths in *literal_allowed*, whose own validators decide (a database URL is a secret
    only when it holds a password).
    """
    for key, value in raw.items():
        field = model.model_fields.get(key)
        if field is None:
            continue
        where = (*path, key)
        if where in literal_allowed:
            continue
        if _holds_secret(field.annotation):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if not is_env_reference(item):
                    at = (*where, index) if isinstance(value, list) else where
                    problems.append((format_key_path(at), _literal_secret_message(key)))
            continue
        nested = _nested_model(field.annotation)
        if nested is not None and isinstance(value, dict) and not is_env_reference(value):
            check_literal_secrets(value, nested, where, problems, literal_allowed=literal_allowed)


def _literal_secret_message(key: str) -> str:
    return (
        "a secret must not be written in the configuration file; read it from the "
        f'environment instead: {key} = {{ env = "VARIABLE_NAME" }}, and set that variable'
    )
