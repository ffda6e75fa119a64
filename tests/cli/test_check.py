"""``ats-reject check``: configuration, every template rendered and linted, exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ats_reject.compose import check_templates

Runner = Callable[..., Any]

_COMPANY = '[company]\nname = "Acme"\ntime_zone = "Europe/Berlin"\n'


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "ats-reject.toml"
    path.write_text(_COMPANY + extra, encoding="utf-8")
    return path


def _template(folder: Path, name: str, text: str) -> None:
    path = folder / "templates" / "en" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_example_configuration_passes(run_cli: Runner, example_config: Path) -> None:
    result = run_cli("check", "--config", example_config)
    assert result.code == 0, result.err
    assert "Northwind Robotics (Europe/Berlin)" in result.out
    assert "4 of yours, 6 shipped" in result.out
    assert "user:en/rejection.screen" in result.out
    assert "default:en/rejection.final" in result.out
    shipped = len(check_templates())
    assert f"check passed: {shipped + 1} templates rendered and linted" in result.out
    assert result.err == ""


def test_embedded_defaults_and_the_file_in_the_current_directory(
    run_cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("check", "--defaults").code == 0
    monkeypatch.chdir(tmp_path)
    missing = run_cli("check")
    assert missing.code == 2
    assert "configuration file not found" in missing.err
    _config(tmp_path)
    found = run_cli("check")
    assert found.code == 0
    assert str(tmp_path / "ats-reject.toml") in found.out


def test_broken_configuration_exits_2_naming_the_key(run_cli: Runner, tmp_path: Path) -> None:
    path = _config(tmp_path, '[policy.timing]\nminimum_delay = "soon"\n')
    result = run_cli("check", "--config", path)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: policy.timing.minimum_delay: 'soon' is not a duration")
    assert "Traceback" not in result.err


def test_several_problems_are_listed_and_unknown_keys_suggest(
    run_cli: Runner, tmp_path: Path
) -> None:
    path = _config(
        tmp_path,
        '[policy]\nsender_hourly_cap = 0\n[followups.retention]\nafter_decison = "6 months"\n',
    )
    result = run_cli("check", "--config", path)
    assert result.code == 2
    assert "policy.sender_hourly_cap" in result.err
    assert "followups.retention.after_decison: unknown key; did you mean 'after_decision'" in (
        result.err
    )


def test_a_template_that_does_not_compile_exits_1(run_cli: Runner, tmp_path: Path) -> None:
    _template(tmp_path, "rejection.screen.text.j2", "Hello {% if %}\n")
    path = _config(tmp_path, '[templates]\nfolder = "templates"\n')
    result = run_cli("check", "--config", path)
    assert result.code == 1
    row = next(line for line in result.out.splitlines() if "user:en/rejection.screen" in line)
    assert "BROKEN" in row
    assert "check failed" in result.out
    assert "1 broken" in result.out


def test_a_template_failing_the_lint_exits_1(run_cli: Runner, tmp_path: Path) -> None:
    _template(tmp_path, "rejection.interview.subject.j2", "Your application\n")
    _template(
        tmp_path,
        "rejection.interview.text.j2",
        "Dear candidate,\n\nWe went with someone who was a better culture fit.\n\n"
        "{{ sender.name }}\n",
    )
    path = _config(tmp_path, '[templates]\nfolder = "templates"\n')
    result = run_cli("check", "--config", path)
    assert result.code == 1
    row = next(line for line in result.out.splitlines() if "user:en/rejection.interview" in line)
    assert "LINT ERROR" in row
    assert "ARL109" in result.out
    assert "1 with lint errors" in result.out


def test_a_template_named_by_a_rule_must_exist(run_cli: Runner, tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        '[[policy.rules]]\nname = "custom"\nthen = { template = "farewell" }\n',
    )
    result = run_cli("check", "--config", path)
    assert result.code == 1
    assert (
        "missing template: policy.rules[0] (custom).then names template 'farewell', which is "
        "no purpose"
    ) in result.out


def test_config_and_defaults_together_is_a_usage_error(
    run_cli: Runner, example_config: Path
) -> None:
    result = run_cli("check", "--config", example_config, "--defaults")
    assert result.code == 2
    assert "give --config or --defaults, not both" in result.err
