"""The commands docs/cli.md tells people to try work, exactly as written."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ats_reject.events import EventFormatError, parse_event_line

Runner = Callable[..., Any]


def _documented(repo: Path) -> list[list[str]]:
    text = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    block = text.split("<!-- example-commands -->", 1)[1].split("```", 2)[1]
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("ats-reject ")]


def test_the_documented_commands_succeed(
    run_cli: Runner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = _documented(repo)
    assert {command[0] for command in commands} == {"check", "preview", "plan"}
    monkeypatch.chdir(repo)
    for command in commands:
        result = run_cli(*command)
        assert result.code == 0, (command, result.err)
        assert result.err == ""


def test_the_documented_error_message_is_what_a_missing_key_gives(repo: Path) -> None:
    line = (repo / "examples" / "events.jsonl").read_text(encoding="utf-8").splitlines()[0]
    broken = line.replace('"decided_at": "2026-03-03T10:00:00Z", ', "")
    with pytest.raises(EventFormatError) as caught:
        parse_event_line(broken, line=4, source="events.jsonl")
    message = f"error: {caught.value}"
    assert message in (repo / "docs" / "cli.md").read_text(encoding="utf-8")
