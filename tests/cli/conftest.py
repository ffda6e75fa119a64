"""Running the command line in-process, as the installed ``ats-reject`` command does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ats_reject.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = REPO / "examples" / "ats-reject.toml"
EXAMPLE_EVENTS = REPO / "examples" / "events.jsonl"


@dataclass(frozen=True)
class Result:
    """What a command printed, and its exit code."""

    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Runner:
    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def example_config() -> Path:
    return EXAMPLE_CONFIG


@pytest.fixture
def example_events() -> Path:
    return EXAMPLE_EVENTS


@pytest.fixture
def repo() -> Path:
    return REPO
