"""``ats-reject preview``: one message for sample data, text and HTML, with its findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Runner = Callable[..., Any]


def test_preview_names_the_role_and_has_no_lint_errors(
    run_cli: Runner, example_config: Path
) -> None:
    result = run_cli("preview", "--config", example_config)
    assert result.code == 0, result.err
    assert "template: default:en/rejection.interview (locale en)" in result.out
    assert "subject:" in result.out
    assert "Senior Backend Engineer" in result.out
    assert "Northwind Robotics" in result.out
    assert "Dana Fischer" in result.out  # the configured sign-off signs
    assert "--- html ---" in result.out
    assert "<html" in result.out
    assert result.out.rstrip().endswith("lint: no findings")


def test_preview_uses_the_users_template_and_can_leave_out_html(
    run_cli: Runner, example_config: Path
) -> None:
    result = run_cli("preview", "--config", example_config, "--stage", "screen", "--no-html")
    assert result.code == 0, result.err
    assert "template: user:en/rejection.screen" in result.out
    assert "--- html ---" not in result.out


def test_preview_other_purposes_and_locales(run_cli: Runner, example_config: Path) -> None:
    holding = run_cli("preview", "-c", example_config, "--purpose", "holding_update")
    assert holding.code == 0, holding.err
    assert "default:en/holding_update" in holding.out
    german = run_cli("preview", "-c", example_config, "--locale", "de-AT", "--stage", "final")
    assert german.code == 0, german.err
    assert "default:de/rejection.final (locale de)" in german.out


def test_sample_file_replaces_fields(run_cli: Runner, example_config: Path, tmp_path: Path) -> None:
    sample = tmp_path / "sample.json"
    sample.write_text(
        json.dumps(
            {
                "role": "Data Platform Engineer",
                "candidate_name": "Jordan",
                "feedback_scope": "strengths",
                "strengths": ["a thoughtful data model"],
                "growth_areas": [],
            }
        ),
        encoding="utf-8",
    )
    result = run_cli("preview", "-c", example_config, "--sample", sample)
    assert result.code == 0, result.err
    assert "Data Platform Engineer" in result.out
    assert "Senior Backend Engineer" not in result.out
    assert "Jordan" in result.out
    assert "a thoughtful data model" in result.out


def test_a_message_the_lint_stops_exits_1(
    run_cli: Runner, example_config: Path, tmp_path: Path
) -> None:
    sample = tmp_path / "risky.json"
    sample.write_text(
        json.dumps({"strengths": ["you would have been a great culture fit"]}), encoding="utf-8"
    )
    result = run_cli("preview", "-c", example_config, "--sample", sample, "--no-html")
    assert result.code == 1
    assert "route to a person" in result.out
    assert "ARL109" in result.out


def test_bad_samples_and_options_are_one_line_errors(
    run_cli: Runner, example_config: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"role": ', encoding="utf-8")
    result = run_cli("preview", "-c", example_config, "--sample", broken)
    assert result.code == 2
    assert result.err.startswith("error: broken.json: not JSON")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(
        json.dumps({"stage": "lunch", "candidate_name": "Jordan Secret"}), encoding="utf-8"
    )
    result = run_cli("preview", "-c", example_config, "--sample", invalid)
    assert result.code == 2
    assert result.err.startswith("error: invalid.json: stage:")
    assert "Secret" not in result.err
    unknown = run_cli("preview", "-c", example_config, "--purpose", "goodbye")
    assert unknown.code == 2
    assert "expected one of rejection" in unknown.err
    assert "Traceback" not in unknown.err + result.err
