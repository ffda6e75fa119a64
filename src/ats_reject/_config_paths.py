"""Finding and reading ``ats-reject.toml``, and resolving its paths against its folder.

A configuration file is read as UTF-8 TOML; every relative path in it (template and lint-term
folders, the Maildir, an SQLite file) means a path beside the file, not beside whatever
directory the command happened to run in.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ats_reject._config_secrets import EnvValue
from ats_reject._config_sections import DEFAULT_STORE_URL
from ats_reject.errors import ConfigurationError

__all__ = ["DEFAULT_CONFIG_NAME", "locate", "read_toml", "resolve_paths", "resolve_sqlite"]

DEFAULT_CONFIG_NAME = "ats-reject.toml"
"""The file name looked for when none is given."""


def locate(path: Path | str | None) -> Path:
    """The configuration file, absolute; a relative *path* is taken from the current directory."""
    given = Path(path) if path is not None else Path(DEFAULT_CONFIG_NAME)
    file = given if given.is_absolute() else Path.cwd() / given
    if not file.exists():
        hint = "" if given.is_absolute() else f" (relative to the current directory {Path.cwd()})"
        raise ConfigurationError(f"configuration file not found: {file}{hint}")
    if not file.is_file():
        raise ConfigurationError(f"configuration path is not a file: {file}")
    return file.resolve()


def read_toml(file: Path) -> dict[str, Any]:
    """The file's tables; a file that is not UTF-8 TOML is a ``ConfigurationError``."""
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read configuration file {file}: {exc.strerror or type(exc).__name__}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"configuration file {file} is not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{file} is not valid TOML: {exc}") from None


def resolve_sqlite(url: str, base: Path) -> str:
    """An SQLite URL with a relative file made absolute under *base*; other URLs unchanged."""
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix):
        return url
    location, query, parameters = url[len(prefix) :].partition("?")
    if not location or location.startswith(("/", ":memory:", "file:")):
        return url
    return prefix + str(base / location) + query + parameters


def resolve_paths(raw: dict[str, Any], base: Path) -> None:
    """Make the known path settings absolute, relative to the file's folder."""
    for table, key in (("templates", "folder"), ("templates", "lint_terms")):
        section = raw.get(table)
        if isinstance(section, dict) and isinstance(section.get(key), str):
            section[key] = str(base / Path(section[key]).expanduser())
    mail = raw.get("mail")
    maildir = mail.get("maildir") if isinstance(mail, dict) else None
    if isinstance(maildir, dict) and isinstance(maildir.get("folder"), str):
        maildir["folder"] = str(base / Path(maildir["folder"]).expanduser())
    if isinstance(mail, dict) and "maildir" not in mail:
        mail["maildir"] = {"folder": str(base / "maildir")}
    elif mail is None:
        raw["mail"] = {"maildir": {"folder": str(base / "maildir")}}
    store = raw.setdefault("store", {})
    if isinstance(store, dict):
        url = store.get("url", DEFAULT_STORE_URL)
        if isinstance(url, EnvValue):
            store["url"] = EnvValue(resolve_sqlite(str(url), base), url.variable)
        elif isinstance(url, str):
            store["url"] = resolve_sqlite(url, base)
