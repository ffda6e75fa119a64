from __future__ import annotations

import json
import subprocess
import sys

from ats_reject import __version__
from ats_reject.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ats_reject", *args], capture_output=True, text=True, check=False
    )


def test_version_and_help_from_the_installed_command() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ats-reject {__version__}"
    assert "adapters" in run("--help").stdout


def test_adapters_json_lists_installed_names() -> None:
    result = run("adapters", "--json")
    assert result.returncode == 0
    names = [row["name"] for row in json.loads(result.stdout)]
    assert names == sorted(names)


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No such command" in result.stderr


def test_main_returns_exit_codes() -> None:
    assert main(["--version"]) == 0
    assert main(["adapters"]) == 0
