"""The ``ats-reject`` command.

Commands arrive with the issues that build them; each prints one clear line on a bad input
and exits 2 for a configuration problem, without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ats_reject._version import __version__
from ats_reject.adapter import default_registry
from ats_reject.errors import AdapterLoadError, AtsRejectError, ConfigurationError

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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 partial failure, 2 bad config)."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--debug"]
    try:
        app(args=args, prog_name="ats-reject", standalone_mode=False)
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except ConfigurationError as exc:
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
    return 0
