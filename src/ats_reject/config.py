"""``ats-reject.toml`` → typed, validated settings.

:func:`load_config` reads the file, resolves environment references, resolves relative paths
against the file's folder, validates every table (each connection against its adapter's own
settings model), and either returns a complete :class:`Config` or raises one
:class:`~ats_reject.errors.ConfigurationError` naming every problem by key path. Nothing starts
with a half-valid configuration, and no message or ``repr`` shows a secret.

Secrets are written as environment references::

    [connections.greenhouse]
    adapter = "greenhouse"
    client_secret = { env = "GREENHOUSE_CLIENT_SECRET" }

The full reference of keys is docs/configuration.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, InstanceOf, SecretStr, ValidationError

from ats_reject._config_base import (
    Problem,
    SettingsModel,
    format_key_path,
    validation_problems,
)
from ats_reject._config_company import ClosurePeriod, CompanySettings, SignOff
from ats_reject._config_followups import (
    CountryRetention,
    FollowUpSettings,
    PromiseSources,
    RetentionSettings,
)
from ats_reject._config_paths import (
    DEFAULT_CONFIG_NAME,
    locate,
    read_toml,
    resolve_paths,
    resolve_sqlite,
)
from ats_reject._config_secrets import (
    check_literal_secrets,
    resolve_env_references,
)
from ats_reject._config_sections import (
    DEFAULT_STORE_URL,
    MaildirSettings,
    MailSettings,
    MailTransport,
    ReplyToPolicy,
    SmtpSecurity,
    SmtpSettings,
    StoreSettings,
    TemplateSettings,
)
from ats_reject.adapter import AdapterRegistry, AdapterSettings, default_registry
from ats_reject.errors import AdapterLoadError, AdapterNotFoundError, ConfigurationError
from ats_reject.policy import PolicySettings

__all__ = [
    "DEFAULT_CONFIG_NAME",
    "DEFAULT_STORE_URL",
    "ClosurePeriod",
    "CompanySettings",
    "Config",
    "ConnectionSettings",
    "CountryRetention",
    "FollowUpSettings",
    "MailSettings",
    "MailTransport",
    "MaildirSettings",
    "PromiseSources",
    "ReplyToPolicy",
    "RetentionSettings",
    "SignOff",
    "SmtpSecurity",
    "SmtpSettings",
    "StoreSettings",
    "TemplateSettings",
    "load_config",
]

_CONNECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_MAX_LISTED_PROBLEMS = 50
# A database URL is a secret only when it carries a password; its validator refuses that.
_LITERAL_ALLOWED: frozenset[tuple[str | int, ...]] = frozenset({("store", "url")})


class ConnectionSettings(SettingsModel):
    """One ``[connections.<name>]`` table: an ATS account reached through an adapter."""

    name: str
    """The connection's name, the key of its table."""
    adapter: str
    """The registered adapter name (``greenhouse``)."""
    settings: InstanceOf[AdapterSettings]
    """The adapter's settings, validated by its own model; secrets are ``SecretStr``."""

    def __repr__(self) -> str:
        """Name and adapter only; settings hold secrets."""
        return f"ConnectionSettings(name={self.name!r}, adapter={self.adapter!r})"

    __str__ = __repr__


class Config(SettingsModel):
    """A complete, validated configuration.

    Build it with :func:`load_config` (from a file) or :meth:`default` (the embedded
    defaults used by the demo).
    """

    source: Path | None = None
    """The file it was read from; ``None`` for the embedded defaults."""
    company: CompanySettings
    """``[company]``: name, zones, sender, sign-off, closure days, offices."""
    connections: dict[str, ConnectionSettings] = Field(default_factory=dict)
    """``[connections.<name>]``: ATS accounts, by name."""
    policy: PolicySettings = Field(default_factory=PolicySettings)
    """``[policy]``: rules, timing, several applications, promises."""
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    """``[templates]``: the user's template and lint-term folders."""
    store: StoreSettings = Field(default_factory=StoreSettings)
    """``[store]``: where plans and the audit log are kept."""
    mail: MailSettings = Field(default_factory=MailSettings)
    """``[mail]``: how e-mails leave."""
    followups: FollowUpSettings = Field(default_factory=FollowUpSettings)
    """``[followups]``: promised dates, consent renewals, retention per country."""

    @classmethod
    def default(cls, base_dir: Path | str | None = None) -> Config:
        """The embedded defaults: no connections, a Maildir, SQLite, the shipped policy.

        Args:
            base_dir: Where the SQLite file and the Maildir live; the current directory by
                default.
        """
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        base = base.resolve()
        return cls(
            company=CompanySettings(
                name="Example Company",
                time_zone="Europe/London",
                holiday_country="GB",
                sender_name="Example Company Talent Team",
                sender_address="talent@example.com",
                sign_off=SignOff(name="Alex Morgan", title="Talent Partner"),
            ),
            store=StoreSettings(url=SecretStr(resolve_sqlite(DEFAULT_STORE_URL, base))),
            mail=MailSettings(maildir=MaildirSettings(folder=base / "maildir")),
        )

    def connection(self, name: str) -> ConnectionSettings:
        """The connection called *name*.

        Raises:
            ConfigurationError: No such connection; the message lists the configured ones.
        """
        found = self.connections.get(name)
        if found is None:
            listed = ", ".join(sorted(self.connections)) or "none"
            raise ConfigurationError(
                f"no connection named {name[:60]!r} (configured: {listed})", key_path="connections"
            )
        return found

    def __repr__(self) -> str:
        """A summary without secrets or addresses."""
        connections = {name: item.adapter for name, item in self.connections.items()}
        return (
            f"Config(source={str(self.source) if self.source else None!r}, "
            f"company={self.company.name!r}, connections={connections!r}, "
            f"rules={len(self.policy.rules)}, default_rules={self.policy.use_default_rules}, "
            f"store={self.store.display_url!r}, mail={self.mail.transport.value!r})"
        )

    __str__ = __repr__


class _ConfigFile(SettingsModel):
    """The file's top level, with connections still raw (their models come from adapters)."""

    company: CompanySettings
    connections: dict[str, dict[str, Any]] = Field(default_factory=dict)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    followups: FollowUpSettings = Field(default_factory=FollowUpSettings)


def load_config(
    path: Path | str | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    registry: AdapterRegistry = default_registry,
) -> Config:
    """Read and validate ``ats-reject.toml``.

    Args:
        path: The file; relative paths are taken from the current directory. Default:
            ``ats-reject.toml`` in the current directory.
        environ: Where ``{ env = "NAME" }`` references are looked up.
        registry: Where adapters are found; each connection is validated against its
            adapter's settings model.

    Returns:
        The complete configuration, with every relative path resolved against the folder of
        the file.

    Raises:
        ConfigurationError: The file is missing or unreadable, or any setting is invalid.
            With one problem, ``key_path`` names it; with several, the message lists each
            on its own line. Secrets are never echoed.
    """
    file = locate(path)
    raw = read_toml(file)
    base = file.parent
    problems: list[Problem] = []
    connections_raw = raw.pop("connections", {})
    check_literal_secrets(raw, _ConfigFile, (), problems, literal_allowed=_LITERAL_ALLOWED)
    resolved = resolve_env_references(raw, (), environ, problems)
    resolve_paths(resolved, base)
    if not isinstance(connections_raw, dict):
        problems.append(("connections", "expected a table of connections"))
        connections_raw = {}
    parsed: _ConfigFile | None = None
    try:
        parsed = _ConfigFile.model_validate(resolved)
    except ValidationError as exc:
        # A key whose variable is missing was replaced by None; it is reported once.
        reported = [key_path for key_path, _ in problems]
        problems.extend(
            problem
            for problem in validation_problems(exc, root=_ConfigFile)
            if not any(_within(problem[0], key_path) for key_path in reported)
        )
    connections = {
        name: connection
        for name, table in connections_raw.items()
        if (connection := _connection(name, table, environ, registry, problems)) is not None
    }
    if parsed is not None:
        problems.extend(_cross_checks(parsed, connections_raw))
    if problems:
        raise _problems_error(file, problems)
    assert parsed is not None  # noqa: S101 - no problems means it validated
    return Config(
        source=file,
        company=parsed.company,
        connections=connections,
        policy=parsed.policy,
        templates=parsed.templates,
        store=parsed.store,
        mail=parsed.mail,
        followups=parsed.followups,
    )


def _within(key_path: str, parent: str) -> bool:
    return key_path == parent or key_path.startswith((f"{parent}.", f"{parent}["))


def _connection(
    name: str,
    table: object,
    environ: Mapping[str, str],
    registry: AdapterRegistry,
    problems: list[Problem],
) -> ConnectionSettings | None:
    where = ("connections", name)
    if not _CONNECTION_NAME.match(name):
        problems.append(
            (
                format_key_path(where),
                "a connection name uses letters, digits, '_', '-' and '.' (at most 63)",
            )
        )
        return None
    if not isinstance(table, dict):
        problems.append((format_key_path(where), "expected a table with at least adapter"))
        return None
    settings = dict(table)
    adapter = settings.pop("adapter", None)
    if not isinstance(adapter, str) or not adapter:
        installed = ", ".join(registry.names()) or "none"
        problems.append(
            (
                format_key_path((*where, "adapter")),
                f'required: the adapter to use, such as adapter = "greenhouse" '
                f"(installed: {installed})",
            )
        )
        return None
    try:
        model = registry.load(adapter).settings_model
    except (AdapterNotFoundError, AdapterLoadError) as exc:
        problems.append((format_key_path((*where, "adapter")), str(exc)))
        return None
    before = len(problems)
    check_literal_secrets(settings, model, where, problems)
    values = resolve_env_references(settings, where, environ, problems)
    if len(problems) > before:
        return None
    try:
        validated = model.model_validate(values)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, where, root=model))
        return None
    return ConnectionSettings(name=name, adapter=adapter, settings=validated)


def _cross_checks(parsed: _ConfigFile, connections: Mapping[str, object]) -> list[Problem]:
    problems: list[Problem] = []
    for index, rule in enumerate(parsed.policy.rules):
        for name in rule.when.connection or ():
            if name not in connections:
                listed = ", ".join(sorted(connections)) or "none"
                problems.append(
                    (
                        format_key_path(("policy", "rules", index, "when", "connection")),
                        f"no connection named {name[:60]!r} (configured: {listed})",
                    )
                )
    for key, folder in (
        ("folder", parsed.templates.folder),
        ("lint_terms", parsed.templates.lint_terms),
    ):
        if folder is not None and not folder.is_dir():
            problems.append((f"templates.{key}", f"folder not found: {folder}"))
    return problems


def _problems_error(file: Path, problems: list[Problem]) -> ConfigurationError:
    if len(problems) == 1:
        key_path, message = problems[0]
        return ConfigurationError(f"{message} (in {file})", key_path=key_path)
    shown = problems[:_MAX_LISTED_PROBLEMS]
    lines = [f"{len(problems)} problems in {file}:"]
    lines.extend(f"  {key_path}: {message}" for key_path, message in shown)
    if len(problems) > len(shown):
        lines.append(f"  ... and {len(problems) - len(shown)} more")
    return ConfigurationError("\n".join(lines))
