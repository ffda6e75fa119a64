"""``ats-reject plan``: a dry run over the sample events, as a table and as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ats_reject.cli import main
from ats_reject.events import EventFormatError, read_events

Runner = Callable[..., Any]
NOW = "2026-03-02T08:00:00Z"


@pytest.fixture
def plan(run_cli: Runner, example_config: Path, example_events: Path) -> dict[str, Any]:
    result = run_cli("plan", "--config", example_config, example_events, "--now", NOW, "--json")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    assert "@example.com" not in result.out
    assert "Munich" not in result.out
    return data


def _by_id(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["application_id"]: entry for entry in plan["applications"]}


def test_every_application_is_planned_once_with_stable_keys(plan: dict[str, Any]) -> None:
    assert plan["now"] == NOW
    entries = _by_id(plan)
    assert list(entries) == [f"app-{n}" for n in ("101", "102", "103", "104", "105", "106a")] + [
        "app-107",
        "app-108",
        "app-109",
        "app-110a",
    ]
    for entry in plan["applications"]:
        for action in entry["actions"]:
            assert action["key"] == [
                entry["connection"],
                action["application_id"],
                action["message_kind"],
                action["decision_version"],
            ]
    assert plan["skipped"] == []


def test_a_withdrawal_gets_no_rejection(plan: dict[str, Any]) -> None:
    withdrawn = _by_id(plan)["app-103"]
    assert withdrawn["outcome"] == "planned"
    assert withdrawn["rule"] == "default:withdrawn"
    assert withdrawn["channel"] == "none"
    assert [action["message_kind"] for action in withdrawn["actions"]] == ["retention_purge"]
    assert withdrawn["actions"][0]["audience"] == "nobody"


def test_the_final_stage_gets_a_call_with_an_email_fallback(plan: dict[str, Any]) -> None:
    final = _by_id(plan)["app-102"]
    assert final["rule"] == "default:final-stage"
    assert final["channel"] == "call"
    call, fallback = final["actions"][:2]
    assert call["message_kind"] == "call_task"
    assert call["audience"] == "recruiter"
    assert call["template"] == "call_talking_points"
    assert fallback["message_kind"] == "call_fallback"
    assert fallback["requirements"] == ["call_not_done"]
    assert fallback["due_at"] == call["deadline"]
    kinds = [action["message_kind"] for action in final["actions"]]
    assert kinds[2:] == [
        "talent_pool_invite",
        "re_engagement",
        "consent_renewal",
        "retention_purge",
    ]
    re_engagement = final["actions"][3]
    assert re_engagement["requirements"] == [
        "consent_valid",
        "not_unsubscribed",
        "not_reapplied",
        "not_hired",
    ]
    assert any("rule 7 'default:final-stage' matched" in line for line in final["explanation"])


def test_friday_evening_decision_goes_out_monday_in_the_candidates_zone(
    plan: dict[str, Any], example_events: Path
) -> None:
    record = next(r for r in read_events(example_events) if r.event.application_id == "app-104")
    assert record.event.application is not None
    assert record.event.application.rejection is not None
    chicago = ZoneInfo("America/Chicago")
    decided = record.event.application.rejection.decided_at.astimezone(chicago)
    assert (decided.strftime("%A"), decided.hour) == ("Friday", 18)
    entry = _by_id(plan)["app-104"]
    message = entry["actions"][0]
    assert message["message_kind"] == "rejection"
    assert message["zone"] == "America/Chicago"
    local = datetime.fromisoformat(message["due_local"])
    assert local.strftime("%A %Y-%m-%d") == "Monday 2026-03-09"
    assert 9 <= local.hour < 17
    assert local.utcoffset() == datetime(2026, 3, 9, 12, tzinfo=chicago).utcoffset()
    assert any(reason.startswith("moved from Saturday") for reason in message["reasons"])


def test_batch_spreading_holds_every_message_in_its_window(plan: dict[str, Any]) -> None:
    entries = _by_id(plan)
    spread = [
        reason
        for reason in entries["app-101"]["actions"][0]["reasons"]
        if reason.startswith("spread within the send window")
    ]
    assert spread
    for entry in plan["applications"]:
        for action in entry["actions"]:
            if action["audience"] != "candidate" or action["message_kind"] != "rejection":
                continue
            local = datetime.fromisoformat(action["due_local"])
            assert local.weekday() < 5
            assert 9 <= local.hour < 17


def test_held_cancelled_silent_and_promised(plan: dict[str, Any]) -> None:
    entries = _by_id(plan)
    held = entries["app-106a"]
    assert held["outcome"] == "held"
    assert held["waiting_for"] == ["app-106b"]
    assert held["actions"] == []
    cancelled = entries["app-110a"]
    assert cancelled["outcome"] == "cancelled"
    assert "app-110b" in cancelled["cancel_reasons"][0]
    assert entries["app-105"]["rule"] == "agency-candidates"
    assert entries["app-105"]["channel"] == "none"
    india = entries["app-109"]["actions"][0]
    assert india["zone"] == "Asia/Kolkata"
    assert 10 <= datetime.fromisoformat(india["due_local"]).hour < 16
    promised = entries["app-107"]
    assert promised["outcome"] == "promise"
    assert promised["promise"]["found"]["day"] == "2026-03-13"
    assert promised["promise"]["ignored"][0].startswith("note 1, line 2: ignored")
    assert [action["message_kind"] for action in promised["actions"]] == [
        "recruiter_reminder",
        "holding_update",
    ]


def test_the_table_shows_each_application(
    run_cli: Runner, example_config: Path, example_events: Path
) -> None:
    result = run_cli("plan", "-c", example_config, example_events, "--now", NOW)
    assert result.code == 0, result.err
    assert "dry run: nothing is stored or sent" in result.out
    for application_id in ("app-101", "app-104", "app-106a", "app-110a"):
        assert application_id in result.out
    rows = result.out.split("├")
    (row,) = [row for row in rows if "app-104" in row]
    assert "Mon 2026-03-09" in row
    assert "America/Chicago" in row
    assert "rule default:interviewed" in row
    assert "held" in result.out
    assert "cancelled" in result.out
    assert "@example.com" not in result.out


@pytest.mark.parametrize("application_id", ["app-[/x]-1", "app-[bold]-2"])
def test_ids_that_look_like_rich_markup_are_printed_as_written(
    run_cli: Runner, example_config: Path, example_events: Path, tmp_path: Path, application_id: str
) -> None:
    line = example_events.read_text(encoding="utf-8").splitlines()[0]
    events = tmp_path / "events.jsonl"
    events.write_text(line.replace("app-101", application_id) + "\n", encoding="utf-8")
    result = run_cli("plan", "-c", example_config, events, "--now", NOW)
    assert result.code == 0, result.err
    assert application_id in result.out


def test_plan_runs_with_the_real_clock_and_the_defaults(
    run_cli: Runner, example_events: Path
) -> None:
    result = run_cli("plan", "--defaults", example_events, "--json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)["applications"]) == 10


def test_malformed_lines_are_reported_by_number_and_nothing_is_planned(
    run_cli: Runner, example_config: Path, example_events: Path, tmp_path: Path
) -> None:
    good = example_events.read_text(encoding="utf-8").splitlines()[0]
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                good,
                '{"kind": "rejected", "occurred_at": ',
                '{"kind": "fired", "occurred_at": "2026-03-03T10:00:00Z", "source": "sync"}',
                "",
                '{"kind": "rejected", "occurred_at": "2026-03-03T10:00:00Z", "source": "sync", '
                '"application": {"id": "a", "status": "rejected", '
                '"candidate": {"id": "c", "emails": "secret@mail.example"}}}',
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli("plan", "-c", example_config, events, "--now", NOW)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith(
        "error: events.jsonl line 2: not JSON: Expecting value (column 37) "
        "(also malformed: lines 3, 5)"
    )
    assert "secret" not in result.err
    assert "Traceback" not in result.err
    with pytest.raises(EventFormatError) as caught:
        read_events(events)
    problems = dict(caught.value.problems)
    assert problems[3].startswith("kind: expected 'created', 'stage_changed'")
    assert problems[5] == "application.candidate.emails: expected a list; got a text"


def test_events_that_cannot_be_planned_are_explained(
    run_cli: Runner, example_config: Path, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"kind": "deleted", "candidate_id": "c-9", "occurred_at": "2026-03-03T10:00:00Z", '
        '"source": "sync"}\n',
        encoding="utf-8",
    )
    result = run_cli("plan", "-c", example_config, events, "--now", NOW, "--json")
    assert result.code == 0
    assert json.loads(result.out)["skipped"] == [
        {"line": 1, "reason": "a deleted event without an application snapshot"}
    ]
    mismatch = tmp_path / "mismatch.jsonl"
    line = json.loads(
        (Path(example_config).parent / "events.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    line["application_id"] = "app-999"
    mismatch.write_text(json.dumps(line), encoding="utf-8")
    result = run_cli("plan", "-c", example_config, mismatch, "--now", NOW)
    assert result.code == 2
    assert "line 1: application_id differs from application.id" in result.err


def test_bad_now_and_missing_files_are_usage_errors(
    run_cli: Runner, example_config: Path, example_events: Path, tmp_path: Path
) -> None:
    naive = run_cli("plan", "-c", example_config, example_events, "--now", "2026-03-02T08:00")
    assert naive.code == 2
    assert "give a time zone" in naive.err
    missing = run_cli("plan", "-c", example_config, tmp_path / "none.jsonl")
    assert missing.code == 2
    assert "does not exist" in missing.err


def test_debug_shows_the_error_itself(
    example_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("not json\n", encoding="utf-8")
    with pytest.raises(EventFormatError):
        main(["plan", "-c", str(example_config), str(events), "--debug"])
    capsys.readouterr()


def test_the_installed_command_plans_the_sample(example_config: Path, example_events: Path) -> None:
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "ats_reject",
            "plan",
            "--config",
            str(example_config),
            str(example_events),
            "--now",
            NOW,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["applications"]) == 10
