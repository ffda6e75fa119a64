"""What the ``check``, ``preview`` and ``plan`` commands share: options, configuration, output."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ats_reject.compose import Composer
from ats_reject.config import DEFAULT_CONFIG_NAME, Config, load_config

__all__ = [
    "ConfigOption",
    "DefaultsOption",
    "composer_for",
    "console",
    "load_selected_config",
]

_WIDE = 160

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help=f"The configuration file (default: {DEFAULT_CONFIG_NAME} in the current directory).",
        dir_okay=False,
        show_default=False,
    ),
]
DefaultsOption = Annotated[
    bool,
    typer.Option("--defaults", help="Use the embedded defaults instead of a configuration file."),
]


def load_selected_config(path: Path | None, defaults: bool) -> Config:
    """The configuration the options name: a file, or the embedded defaults.

    Raises:
        typer.BadParameter: Both a file and ``--defaults`` were given.
        ConfigurationError: The file is missing or invalid.
    """
    if defaults:
        if path is not None:
            raise typer.BadParameter("give --config or --defaults, not both", param_hint="--config")
        return Config.default()
    return load_config(path)


def composer_for(config: Config) -> Composer:
    """The composer over the configured templates and lint terms."""
    return Composer.from_paths(
        config.templates.folder,
        lint_terms_dir=config.templates.lint_terms,
        default_locale=config.company.locale,
    )


def console() -> Console:
    """A console on the current standard output; wide and plain when it is not a terminal.

    Rich markup is off: ids, rule names and reasons come from the user's files and the ATS,
    and a ``[/x]`` in them must be printed as written, not read as a style tag.
    """
    if sys.stdout.isatty():
        return Console(file=sys.stdout, highlight=False, markup=False)
    # Piped into a file or a pager, a table should not wrap at 80 columns or carry colours.
    return Console(file=sys.stdout, highlight=False, markup=False, width=_WIDE, no_color=True)
