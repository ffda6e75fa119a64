"""The ``ats-reject`` command.

Commands arrive with the issues that build them; each prints one clear line on a bad input
and exits 2 for a configuration problem (or a malformed input file), 1 for a partial failure,
without a traceback unless ``--debug`` is given. docs/cli.md is the reference.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ats_reject._cli_check import run_check
from ats_reject._cli_common import (
    ConfigOption,
    DefaultsOption,
    console,
    load_selected_config,
)
from ats_reject._cli_plan import build_plan, plan_json, plan_table
from ats_reject._cli_preview import SampleFileError, build_sample, render_sample
from ats_reject._version import __version__
from ats_reject.adapter import default_registry
from ats_reject.clock import Clock, FrozenClock, SystemClock
from ats_reject.compose import Purpose, format_preview
from ats_reject.errors import AdapterLoadError, AtsRejectError, ConfigurationError
from ats_reject.events import EventFormatError, read_events
from ats_reject.followups import FollowUpPlanner
from ats_reject.models import StageKind
from ats_reject.policy import PolicyEngine

__all__ = ["app", "main"]

app = typer.Typer(
    name="ats-reject",
    help="Tell rejected candidates well: the right channel, at the right time, in the right words.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ats-reject {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Tell rejected candidates well."""


@app.command("adapters")
def adapters_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Import and validate each adapter too.")
    ] = False,
) -> None:
    """List the installed ATS adapters (found through the ats_reject.adapters entry points)."""
    rows: list[dict[str, object]] = []
    failed = False
    for name in default_registry.names():
        row: dict[str, object] = {"name": name}
        if check:
            try:
                adapter_class = default_registry.load(name)
            except AdapterLoadError as exc:
                row["error"] = str(exc)
                failed = True
            else:
                row["display_name"] = adapter_class.display_name
                row["capabilities"] = sorted(c.value for c in adapter_class.capabilities)
        rows.append(row)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif not rows:
        typer.echo("no ATS adapter is installed (try: pip install 'ats-reject[all]')")
    else:
        for row in rows:
            extra = ""
            if "error" in row:
                extra = f"  BROKEN: {row['error']}"
            elif "capabilities" in row:
                extra = f"  {row['display_name']}: {', '.join(row['capabilities'])}"  # type: ignore[arg-type]
            typer.echo(f"{row['name']}{extra}")
    if failed:
        raise typer.Exit(2)


@app.command("check")
def check_command(config: ConfigOption = None, defaults: DefaultsOption = False) -> None:
    """Validate the configuration, render every template with sample data and lint it.

    Exit 0: all good; 1: a template is broken, missing or fails the lint; 2: bad configuration.
    """
    loaded = load_selected_config(config, defaults)
    code = run_check(loaded, console())
    if code:
        raise typer.Exit(code)


def _purpose(value: str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        accepted = ", ".join(purpose.value for purpose in Purpose)
        raise typer.BadParameter(f"expected one of {accepted}") from None


def _stage(value: str) -> StageKind:
    try:
        return StageKind(value)
    except ValueError:
        accepted = ", ".join(kind.value for kind in StageKind)
        raise typer.BadParameter(f"expected one of {accepted}") from None


@app.command("preview")
def preview_command(
    *,
    config: ConfigOption = None,
    defaults: DefaultsOption = False,
    purpose: Annotated[
        str, typer.Option("--purpose", "-p", help="What the message is for.")
    ] = Purpose.REJECTION.value,
    stage: Annotated[
        str, typer.Option("--stage", "-s", help="How far the sample candidate got.")
    ] = StageKind.INTERVIEW.value,
    locale: Annotated[
        str | None,
        typer.Option("--locale", "-l", help="Language to write in (default: company.locale)."),
    ] = None,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Show the HTML part too.")] = True,
    sample: Annotated[
        Path | None,
        typer.Option(
            "--sample", help="A JSON file of message fields replacing the sample's.", dir_okay=False
        ),
    ] = None,
) -> None:
    """Render one message for sample data (text and HTML) with its lint findings.

    Exit 0: the message may be sent; 1: the lint would route it to a person.
    """
    chosen_purpose, chosen_stage = _purpose(purpose), _stage(stage)
    loaded = load_selected_config(config, defaults)
    context = build_sample(
        loaded, chosen_purpose, stage=chosen_stage, locale=locale, sample_file=sample
    )
    message = render_sample(loaded, chosen_purpose, context)
    typer.echo(format_preview(message, include_html=html), nl=False)
    if message.lint.route_to_human:
        raise typer.Exit(1)


def _moment(value: str | None) -> Clock:
    if value is None:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "expected an ISO date-time such as 2026-03-06T18:00:00+01:00", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        raise typer.BadParameter(
            "give a time zone, such as 2026-03-06T18:00:00+01:00 or 2026-03-06T17:00:00Z",
            param_hint="--now",
        )
    return FrozenClock(moment)


@app.command("plan")
def plan_command(
    events: Annotated[
        Path,
        typer.Argument(
            help="A JSON-lines file of events (see docs/cli.md).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    config: ConfigOption = None,
    defaults: DefaultsOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON with every explanation.")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Plan as if it were this moment (ISO, with a zone)."),
    ] = None,
) -> None:
    """Dry run: plan the messages and follow-ups for a file of events; nothing is sent.

    Exit 0: planned; 2: the configuration or the events file is invalid (nothing planned).
    """
    clock = _moment(now)
    loaded = load_selected_config(config, defaults)
    engine = PolicyEngine.from_config(loaded, clock=clock)
    planner = FollowUpPlanner.from_config(loaded, engine=engine, clock=clock)
    try:
        records = read_events(events)
    except OSError as exc:
        raise EventFormatError(events.name, [(0, f"cannot be read ({exc.strerror})")]) from None
    report = build_plan(records, engine, planner, clock.now())
    if as_json:
        typer.echo(json.dumps(plan_json(report), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(plan_table(report))
    for line, reason in report.skipped:
        out.print(f"line {line} skipped: {reason}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 partial failure, 2 bad input)."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--debug"]
    try:
        # Without standalone mode, click returns the code of a typer.Exit instead of raising.
        code = app(args=args, prog_name="ats-reject", standalone_mode=False)
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except (ConfigurationError, EventFormatError, SampleFileError) as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 2
    except AtsRejectError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 1
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as exc:  # usage errors: bad option, unknown command
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"error: unexpected {type(exc).__name__}; run again with --debug", err=True)
        return 1
    return code if isinstance(code, int) else 0
