"""Configuration errors: each names its key path and what was expected, and echoes no secret."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from ats_reject.adapter import AdapterRegistry
from ats_reject.config import load_config
from ats_reject.errors import ConfigurationError

COMPANY = '[company]\nname = "Acme"\ntime_zone = "Europe/Berlin"\n'


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


def _error(
    folder: Path,
    text: str,
    *,
    environ: dict[str, str] | None = None,
    registry: AdapterRegistry | None = None,
) -> ConfigurationError:
    path = folder / "ats-reject.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_config(path, environ=environ or {}, registry=registry or AdapterRegistry([]))
    return caught.value


@pytest.mark.parametrize(
    ("text", "key_path", "expected"),
    [
        pytest.param(
            COMPANY + "[[policy.rules]]\n[[policy.rules]]\n[[policy.rules]]\n"
            'when = { stage_kind = "intervew" }\n',
            "policy.rules[2].when.stage_kind",
            "expected one of application_review, screen, assessment, interview, final, offer, "
            "other; got 'intervew' (did you mean 'interview'?)",
            id="stage-kind-typo",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nwhen = { reason_kind = ["we_rejected", "ghosted"] }\n',
            "policy.rules[0].when.reason_kind",
            "expected one of we_rejected, they_withdrew, other; got 'ghosted' (item 2)",
            id="reason-kind-list-item",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nthen = { channel = "sms" }\n',
            "policy.rules[0].then.channel",
            "expected one of email, call, ats, none; got 'sms'",
            id="channel",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nthen = { feedback = "lots" }\n',
            "policy.rules[0].then.feedback",
            "expected one of none, strengths, full; got 'lots'",
            id="feedback",
        ),
        pytest.param(
            COMPANY + '[policy.timing]\nminimum_delay = "2 buisness days"\n',
            "policy.timing.minimum_delay",
            "unknown unit 'buisness days' (did you mean 'business days'?)",
            id="duration-typo",
        ),
        pytest.param(
            COMPANY + '[policy.timing]\nminimum_delay = "0h"\n',
            "policy.timing.minimum_delay",
            "must be more than zero; a rejection is never sent instantly",
            id="instant-send-refused",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nthen = { timing = { deadline = "0 days" } }\n',
            "policy.rules[0].then.timing.deadline",
            "must be more than zero",
            id="zero-deadline-refused",
        ),
        pytest.param(
            COMPANY
            + '[[policy.rules]]\nthen = { timing = { send_window = "Mon-Fri 17:00-09:00" } }\n',
            "policy.rules[0].then.timing.send_window",
            "must be before the end 09:00",
            id="send-window",
        ),
        pytest.param(
            '[company]\nname = "Acme"\ntime_zone = "Mars/Olympus"\n',
            "company.time_zone",
            "expected an IANA time zone name such as Europe/Berlin or America/New_York; "
            "got 'Mars/Olympus'",
            id="time-zone",
        ),
        pytest.param(
            COMPANY + '[company.offices]\n"Berlin" = "Berlin"\n',
            "company.offices.Berlin",
            "expected an IANA time zone name",
            id="office-zone",
        ),
        pytest.param(
            '[company]\nname = "Acme"\n',
            "company.time_zone",
            "required key is missing",
            id="missing-key",
        ),
        pytest.param(
            "[policy]\n",
            "company",
            "required key is missing",
            id="missing-table",
        ),
        pytest.param(
            COMPANY + 'holiday_country = "XX"\n',
            "company.holiday_country",
            "no public holiday data for country 'XX'",
            id="holiday-country",
        ),
        pytest.param(
            COMPANY + "closure_days = [{ from = 2026-12-31, to = 2026-12-24 }]\n",
            "company.closure_days[0]",
            "'to' must not be before 'from'",
            id="closure-range",
        ),
        pytest.param(
            COMPANY + 'sender_address = "not an address"\n',
            "company.sender_address",
            "expected an e-mail address",
            id="address",
        ),
        pytest.param(
            COMPANY + '[policy]\nuse_default_rules = "yes"\n',
            "policy.use_default_rules",
            "expected true or false; got a text",
            id="boolean",
        ),
        pytest.param(
            COMPANY + "[policy]\nsender_hourly_cap = 0\n",
            "policy.sender_hourly_cap",
            "expected a value greater than or equal to 1",
            id="hourly-cap",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nthen = { channel = "ats" }\n',
            "policy.rules[0].then.ats_template_id",
            "channel 'ats' needs ats_template_id",
            id="ats-without-template",
        ),
        pytest.param(
            COMPANY + "[[policy.rules]]\nwhen = { stage_position = { min = 4, max = 2 } }\n",
            "policy.rules[0].when.stage_position",
            "min must not be greater than max",
            id="position-range",
        ),
        pytest.param(
            COMPANY + "[[policy.rules]]\nwhen = { tags = [] }\n",
            "policy.rules[0].when.tags",
            "give at least one value, or leave the key out",
            id="empty-any-of",
        ),
        pytest.param(
            COMPANY + '[mail]\ntransport = "smtp"\n',
            "mail.smtp",
            "transport 'smtp' needs a [mail.smtp] table with at least host",
            id="smtp-missing",
        ),
        pytest.param(
            COMPANY + '[mail.smtp]\nhost = "localhost"\nsecurity = "none"\nusername = "u"\n'
            'password = { env = "PW" }\n',
            "mail.smtp.password",
            "refusing to send a password over an unencrypted connection",
            id="smtp-cleartext-password",
        ),
        pytest.param(
            COMPANY + '[store]\nurl = "mysql://localhost/ats"\n',
            "store.url",
            "expected an sqlite:/// or postgresql+psycopg:// URL; got scheme 'mysql'",
            id="store-scheme",
        ),
        pytest.param(
            COMPANY + '[templates]\nfolder = "missing-folder"\n',
            "templates.folder",
            "folder not found",
            id="template-folder",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nwhen = { connection = "greenhouse" }\n',
            "policy.rules[0].when.connection",
            "no connection named 'greenhouse' (configured: none)",
            id="rule-names-unknown-connection",
        ),
        pytest.param(
            COMPANY + '[[policy.rules]]\nname = "a"\n[[policy.rules]]\nname = "a"\n',
            "policy",
            "rule names must be unique; used more than once: 'a'",
            id="duplicate-rule-names",
        ),
    ],
)
def test_error_names_the_key_path_and_what_was_expected(
    tmp_path: Path, text: str, key_path: str, expected: str
) -> None:
    error = _error(tmp_path, text, environ={"PW": "pw-value"})
    assert error.key_path == key_path
    assert str(error).startswith(f"{key_path}: ")
    assert expected in str(error)
    assert str(tmp_path) in str(error)


def test_withdrawal_rules_can_never_send_a_rejection(tmp_path: Path) -> None:
    call = _error(
        tmp_path,
        COMPANY + '[[policy.rules]]\nwhen = { reason_kind = "they_withdrew" }\n'
        'then = { channel = "call" }\n',
    )
    assert call.key_path == "policy.rules[0]"
    assert "gets a thank-you e-mail or nothing" in str(call)
    template = _error(
        tmp_path,
        COMPANY + '[[policy.rules]]\nwhen = { reason_kind = "they_withdrew" }\n'
        'then = { template = "rejection" }\n',
    )
    assert "never sent a rejection" in str(template)
    mixed = _error(
        tmp_path,
        COMPANY + '[[policy.rules]]\nwhen = { reason_kind = ["they_withdrew", "other"] }\n',
    )
    assert "names only reason_kind 'they_withdrew'" in str(mixed)


@pytest.mark.parametrize(
    ("text", "key_path", "suggestion"),
    [
        (COMPANY + 'colour = "red"\n', "company.colour", "accepted keys here: closure_days"),
        (
            COMPANY + '[[policy.rules]]\nwhen = { stage = "screen" }\n',
            "policy.rules[0].when.stage",
            "did you mean 'stage_kind' or 'stage_name' or 'stage_position'?",
        ),
        (
            COMPANY + '[policy]\nwithdrawls = "nothing"\n',
            "policy.withdrawls",
            "did you mean 'withdrawal'?",
        ),
        (COMPANY + "[mailer]\n", "mailer", "accepted keys here: company, connections"),
    ],
)
def test_unknown_keys_are_refused_with_the_accepted_ones(
    tmp_path: Path, text: str, key_path: str, suggestion: str
) -> None:
    error = _error(tmp_path, text)
    assert error.key_path == key_path
    assert "unknown key" in str(error)
    assert suggestion in str(error)


def test_a_secret_written_in_the_file_is_refused_without_echoing_it(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    text = (
        COMPANY
        + '[connections.main]\nadapter = "example"\nbase_url = "https://ats.example.com/v1"\n'
        + 'api_key = "sk-live-literal-4242"\n'
    )
    error = _error(tmp_path, text, registry=registry)
    assert error.key_path == "connections.main.api_key"
    assert "must not be written in the configuration file" in str(error)
    assert 'api_key = { env = "VARIABLE_NAME" }' in str(error)
    assert "sk-live-literal-4242" not in str(error)
    assert "sk-live-literal-4242" not in repr(error.args)


def test_a_literal_webhook_secret_in_a_list_is_refused_by_position(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    text = (
        COMPANY
        + '[connections.main]\nadapter = "example"\nbase_url = "https://ats.example.com/v1"\n'
        + 'api_key = { env = "KEY" }\nwebhook_secrets = [{ env = "HOOK" }, "whsec-literal-1"]\n'
    )
    error = _error(tmp_path, text, environ={"KEY": "k", "HOOK": "h"}, registry=registry)
    assert error.key_path == "connections.main.webhook_secrets[1]"
    assert "whsec-literal-1" not in str(error)


def test_literal_passwords_elsewhere_are_refused(tmp_path: Path) -> None:
    smtp = _error(
        tmp_path,
        COMPANY + '[mail.smtp]\nhost = "h"\nusername = "u"\npassword = "smtp-literal-99"\n',
    )
    assert smtp.key_path == "mail.smtp.password"
    assert "smtp-literal-99" not in str(smtp)
    store = _error(tmp_path, COMPANY + '[store]\nurl = "postgresql://app:db-literal-77@h/db"\n')
    assert store.key_path == "store.url"
    assert 'url = { env = "DATABASE_URL" }' in str(store)
    assert "db-literal-77" not in str(store)


def test_a_password_holding_a_slash_is_still_refused(tmp_path: Path) -> None:
    store = _error(tmp_path, COMPANY + '[store]\nurl = "postgresql+psycopg://app:db/lit-77@h/db"\n')
    assert store.key_path == "store.url"
    assert 'url = { env = "DATABASE_URL" }' in str(store)
    assert "lit-77" not in str(store)


def test_a_secret_in_the_store_variable_instead_of_a_url_is_not_echoed(tmp_path: Path) -> None:
    text = COMPANY + '[store]\nurl = { env = "DATABASE_URL" }\n'
    error = _error(tmp_path, text, environ={"DATABASE_URL": "hunter2-password-only"})
    assert error.key_path == "store.url"
    assert "expected an sqlite:/// or postgresql+psycopg:// URL; got no URL" in str(error)
    assert "hunter2" not in str(error)


def test_a_missing_environment_variable_names_key_and_variable(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    text = (
        COMPANY
        + '[connections.main]\nadapter = "example"\nbase_url = "https://ats.example.com/v1"\n'
        + 'api_key = { env = "MAIN_ATS_KEY" }\n'
    )
    missing = _error(tmp_path, text, registry=registry)
    assert missing.key_path == "connections.main.api_key"
    assert "environment variable MAIN_ATS_KEY is not set" in str(missing)
    empty = _error(tmp_path, text, environ={"MAIN_ATS_KEY": "  "}, registry=registry)
    assert "environment variable MAIN_ATS_KEY is empty" in str(empty)


def test_a_malformed_environment_reference_is_explained(tmp_path: Path) -> None:
    error = _error(tmp_path, '[company]\nname = { env = "N", default = "x" }\ntime_zone = "UTC"\n')
    assert error.key_path == "company.name"
    assert 'write { env = "NAME" }' in str(error)


def test_a_secret_read_from_the_environment_is_not_echoed_by_a_choice_error(
    tmp_path: Path,
) -> None:
    text = COMPANY + '[[policy.rules]]\nthen = { channel = { env = "WRONG_PLACE" } }\n'
    error = _error(tmp_path, text, environ={"WRONG_PLACE": "token-abc-123"})
    assert error.key_path == "policy.rules[0].then.channel"
    assert "got the value of environment variable WRONG_PLACE" in str(error)
    assert "token-abc-123" not in str(error)


def test_an_adapter_that_is_not_installed_lists_the_installed_ones(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    error = _error(
        tmp_path, COMPANY + '[connections.gh]\nadapter = "greenhouse"\n', registry=registry
    )
    assert error.key_path == "connections.gh.adapter"
    assert "no ATS adapter named 'greenhouse' is installed (installed: example)" in str(error)


def test_a_connection_without_adapter_says_what_to_write(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    error = _error(
        tmp_path, COMPANY + '[connections.gh]\napi_key = { env = "K" }\n', registry=registry
    )
    assert error.key_path == "connections.gh.adapter"
    assert 'adapter = "greenhouse"' in str(error)
    assert "(installed: example)" in str(error)


def test_adapter_settings_errors_use_the_adapter_model_and_the_full_key_path(
    tmp_path: Path, registry: AdapterRegistry
) -> None:
    text = (
        COMPANY
        + '[connections.main]\nadapter = "example"\nbase_url = "https://ats.example.com/v1"\n'
        + 'api_key = { env = "KEY" }\npage_size = 9000\nshoe_size = 44\n'
    )
    error = _error(tmp_path, text, environ={"KEY": "k-value-55"}, registry=registry)
    assert error.key_path is None
    message = str(error)
    assert "2 problems in" in message
    assert "  connections.main.page_size: expected a value less than or equal to 500" in message
    assert "  connections.main.shoe_size: unknown key; accepted keys here: api_key" in message
    assert "k-value-55" not in message


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        '[company]\nname = "Acme"\ntime_zone = "Nowhere/City"\n'
        + '[policy.timing]\ndeadline = "soon"\n'
        + '[mail]\ntransport = "pigeon"\n'
    )
    message = str(_error(tmp_path, text))
    assert message.startswith("3 problems in ")
    assert "\n  company.time_zone: " in message
    assert "\n  policy.timing.deadline: 'soon' is not a duration" in message
    assert "\n  mail.transport: expected one of maildir, smtp; got 'pigeon'" in message


def test_file_level_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        ConfigurationError,
        match="configuration file not found: .*ats-reject.toml "
        r"\(relative to the current directory",
    ):
        load_config(environ={})
    absent = tmp_path / "absent.toml"
    with pytest.raises(ConfigurationError, match=f"configuration file not found: {absent}$"):
        load_config(absent, environ={})
    with pytest.raises(ConfigurationError, match="configuration path is not a file"):
        load_config(tmp_path, environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text(COMPANY + "x = \n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"is not valid TOML: .*line 4"):
        load_config(broken, environ={})
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[company]\nname = "Caf\xe9"\n')
    with pytest.raises(ConfigurationError, match="is not UTF-8 text"):
        load_config(latin, environ={})
