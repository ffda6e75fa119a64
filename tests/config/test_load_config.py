"""Loading ats-reject.toml: the example file, environment secrets, paths, and the safe repr."""

from __future__ import annotations

import importlib.metadata
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from ats_reject.adapter import AdapterRegistry
from ats_reject.config import (
    DEFAULT_CONFIG_NAME,
    Config,
    MailTransport,
    ReplyToPolicy,
    SmtpSecurity,
    load_config,
)
from ats_reject.errors import ConfigurationError
from ats_reject.models import StageKind
from ats_reject.policy import Channel, PolicyEngine, default_rules
from ats_reject.testing.example_adapter import ExampleSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ats-reject.toml"
COMPANY = '[company]\nname = "Acme"\ntime_zone = "Europe/Berlin"\n'
CONNECTION = """
[connections.acme-ats]
adapter = "example"
base_url = "https://ats.example.com/v1"
api_key = { env = "ACME_ATS_KEY" }
webhook_secrets = [{ env = "ACME_HOOK_NEW" }, { env = "ACME_HOOK_OLD" }]
"""
ENVIRON = {
    "ACME_ATS_KEY": "key-value-1234",
    "ACME_HOOK_NEW": "hook-new-5678",
    "ACME_HOOK_OLD": "hook-old-9012",
}


@pytest.fixture
def registry() -> AdapterRegistry:
    return AdapterRegistry(
        [
            importlib.metadata.EntryPoint(
                name="example",
                value="ats_reject.testing.example_adapter:ExampleAdapter",
                group="ats_reject.adapters",
            )
        ]
    )


def _write(folder: Path, text: str, name: str = DEFAULT_CONFIG_NAME) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_example_loads_and_builds_an_engine() -> None:
    config = load_config(EXAMPLE, environ={})
    assert config.source == EXAMPLE
    assert config.company.name == "Northwind Robotics"
    assert config.company.offices["Bengaluru"] == "Asia/Kolkata"
    assert config.company.closures()[date(2026, 12, 24)] == "winter closure"
    assert config.company.closures()[date(2026, 5, 1)] == "company closure"
    assert [rule.name for rule in config.policy.rules] == [
        "agency-candidates",
        "referrals-after-interviews",
        "silver-medallists",
        "india-office-window",
    ]
    assert config.templates.folder == EXAMPLE.parent / "templates"
    assert config.mail.maildir.folder == EXAMPLE.parent / "outbox"
    assert config.store.display_url == f"sqlite:///{EXAMPLE.parent / 'ats-reject.db'}"
    engine = PolicyEngine.from_config(config)
    assert len(engine.rules) == 4 + len(default_rules())


def test_connection_settings_are_validated_by_the_adapter_model(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    config = load_config(_write(tmp_path, COMPANY + CONNECTION), environ=ENVIRON, registry=registry)
    connection = config.connection("acme-ats")
    assert connection.adapter == "example"
    assert isinstance(connection.settings, ExampleSettings)
    assert connection.settings.api_key.get_secret_value() == "key-value-1234"
    assert [secret.get_secret_value() for secret in connection.settings.webhook_secrets] == [
        "hook-new-5678",
        "hook-old-9012",
    ]


def test_secrets_never_appear_in_repr_or_str(tmp_path: Path, registry: AdapterRegistry) -> None:
    text = COMPANY + CONNECTION + '[store]\nurl = { env = "DB_URL" }\n'
    environ = {**ENVIRON, "DB_URL": "postgresql+psycopg://app:db-pass-3456@db.internal/ats"}
    config = load_config(_write(tmp_path, text), environ=environ, registry=registry)
    shown = repr(config) + str(config) + repr(config.connections) + repr(config.store)
    for secret in (*ENVIRON.values(), "db-pass-3456"):
        assert secret not in shown
    assert config.store.display_url == "postgresql+psycopg://app:***@db.internal/ats"
    assert "acme-ats" in repr(config)
    assert "'example'" in repr(config)


def test_a_password_holding_a_slash_or_question_mark_is_masked(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    text = COMPANY + '[store]\nurl = { env = "DB_URL" }\n'
    environ = {"DB_URL": "postgresql+psycopg://app:pa/ss?w0rd@db.internal/ats"}
    config = load_config(_write(tmp_path, text), environ=environ, registry=registry)
    assert config.store.display_url == "postgresql+psycopg://app:***@db.internal/ats"
    assert "w0rd" not in repr(config)


def test_relative_paths_resolve_against_the_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deploy"
    (folder / "my-templates").mkdir(parents=True)
    text = (
        COMPANY
        + '[templates]\nfolder = "my-templates"\n'
        + '[store]\nurl = "sqlite:///data/plans.db"\n'
        + '[mail.maildir]\nfolder = "../outbox"\n'
    )
    path = _write(folder, text)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(path, environ={})
    assert config.templates.folder == folder / "my-templates"
    assert config.store.url.get_secret_value() == f"sqlite:///{folder / 'data' / 'plans.db'}"
    assert config.mail.maildir.folder == folder / ".." / "outbox"


def test_a_relative_config_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, COMPANY, name="custom.toml")
    monkeypatch.chdir(tmp_path)
    assert load_config("custom.toml", environ={}).source == tmp_path / "custom.toml"


def test_defaults_when_sections_are_absent(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, COMPANY), environ={})
    assert config.connections == {}
    assert config.mail.transport is MailTransport.MAILDIR
    assert config.mail.maildir.folder == tmp_path / "maildir"
    assert config.store.url.get_secret_value() == f"sqlite:///{tmp_path / 'ats-reject.db'}"
    assert config.company.locale == "en"
    assert config.policy.use_default_rules
    assert config.policy.timing.minimum_delay == "24h"
    assert config.policy.applications.hold_while_active


def test_a_relative_sqlite_file_with_parameters_resolves_against_the_file(
    tmp_path: Path,
) -> None:
    text = COMPANY + '[store]\nurl = "sqlite:///data/plans.db?timeout=20"\n'
    config = load_config(_write(tmp_path, text), environ={})
    expected = f"sqlite:///{tmp_path.resolve() / 'data' / 'plans.db'}?timeout=20"
    assert config.store.url.get_secret_value() == expected


def test_absolute_sqlite_and_memory_urls_are_kept(tmp_path: Path) -> None:
    for url in ("sqlite:////var/lib/ats/plans.db", "sqlite:///:memory:"):
        text = COMPANY + f'[store]\nurl = "{url}"\n'
        assert load_config(_write(tmp_path, text), environ={}).store.url.get_secret_value() == url


def test_smtp_settings_with_password_from_the_environment(tmp_path: Path) -> None:
    text = (
        COMPANY
        + 'sender_address = "talent@acme.example"\n'
        + '[mail]\ntransport = "smtp"\nunsubscribe_base_url = "https://acme.example/u"\n'
        + '[mail.smtp]\nhost = "smtp.acme.example"\nsecurity = "ssl"\n'
        + 'username = "talent"\npassword = { env = "SMTP_PASSWORD" }\nreply_to = "sender"\n'
    )
    config = load_config(_write(tmp_path, text), environ={"SMTP_PASSWORD": "smtp-pw-7777"})
    smtp = config.mail.smtp
    assert smtp is not None
    assert config.mail.transport is MailTransport.SMTP
    assert smtp.security is SmtpSecurity.SSL
    assert smtp.effective_port == 465
    assert smtp.reply_to is ReplyToPolicy.SENDER
    assert smtp.password == SecretStr("smtp-pw-7777")
    assert "smtp-pw-7777" not in repr(config.mail)


def test_policy_rules_are_read_in_order(tmp_path: Path) -> None:
    text = (
        COMPANY
        + "[policy]\nuse_default_rules = false\n"
        + '[[policy.rules]]\nname = "screens"\nwhen = { stage_kind = ["screen"] }\n'
        + 'then = { channel = "email", timing = { send_window = "Mon-Thu 10:00-15:00" } }\n'
        + '[[policy.rules]]\nname = "rest"\nthen = { channel = "none" }\n'
    )
    policy = load_config(_write(tmp_path, text), environ={}).policy
    assert [rule.name for rule in policy.effective_rules()] == ["screens", "rest"]
    assert policy.rules[0].when.stage_kind == (StageKind.SCREEN,)
    assert policy.rules[0].then.timing.send_window == "Mon-Thu 10:00-15:00"
    assert policy.rules[1].then.channel is Channel.NONE


def test_config_default_is_complete_and_safe(tmp_path: Path) -> None:
    config = Config.default(tmp_path)
    assert config.source is None
    assert config.connections == {}
    assert config.mail.transport is MailTransport.MAILDIR
    assert config.mail.maildir.folder == tmp_path.resolve() / "maildir"
    assert config.store.display_url == f"sqlite:///{tmp_path.resolve() / 'ats-reject.db'}"
    assert config.policy.effective_rules() == default_rules()
    assert config.company.sign_off is not None
    PolicyEngine.from_config(config)


def test_asking_for_an_unknown_connection_lists_the_configured_ones(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    config = load_config(_write(tmp_path, COMPANY + CONNECTION), environ=ENVIRON, registry=registry)
    with pytest.raises(
        ConfigurationError, match=r"no connection named 'other' \(configured: acme-ats\)"
    ):
        config.connection("other")


def test_environment_references_work_for_ordinary_values_too(tmp_path: Path) -> None:
    text = '[company]\nname = { env = "COMPANY_NAME" }\ntime_zone = "Europe/Berlin"\n'
    config = load_config(_write(tmp_path, text), environ={"COMPANY_NAME": "Acme GmbH"})
    assert config.company.name == "Acme GmbH"


def test_the_examples_commented_connections_are_valid_for_the_installed_adapters(
    tmp_path: Path,
) -> None:
    from ats_reject.adapter import default_registry

    installed = set(default_registry.names())
    if not {"greenhouse", "lever"} <= installed:
        pytest.skip("the greenhouse and lever adapters are not installed")
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# [connections."))
    enabled = [
        line[2:]
        if index >= start and line.startswith("# ") and not line.startswith("# ---")
        else line
        for index, line in enumerate(lines)
    ]
    block_end = next(i for i in range(start, len(lines)) if lines[i].startswith("[templates]"))
    path = tmp_path / "ats-reject.toml"
    path.write_text("\n".join(enabled[:block_end] + lines[block_end:]), encoding="utf-8")
    (tmp_path / "templates").mkdir()
    environ = {
        "GREENHOUSE_CLIENT_SECRET": "gh-secret-1",
        "GREENHOUSE_WEBHOOK_SECRET": "gh-hook-1",
        "LEVER_API_KEY": "lever-key-1",
        "LEVER_WEBHOOK_SECRET": "lever-hook-1",
        "LEVER_WEBHOOK_SECRET_OLD": "lever-hook-0",
    }
    config = load_config(path, environ=environ)
    assert {name: item.adapter for name, item in config.connections.items()} == {
        "greenhouse": "greenhouse",
        "lever-eu": "lever",
    }
    for secret in environ.values():
        assert secret not in repr(config)
    PolicyEngine.from_config(config)
