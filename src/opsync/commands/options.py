"""Options and helpers every command shares: report formats, colour, verbosity, where
to run, and ending a command with its exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

F = Callable[..., Any]


def output_options(formats: tuple[str, ...] = ("text", "json")) -> Callable[[F], F]:
    """--format, --color, -q, -v: the options every reporting command takes."""

    def decorate(func: F) -> F:
        func = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default=formats[0],
            show_default=True,
            help="Report format.",
        )(func)
        func = click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour in text output (NO_COLOR is respected).",
        )(func)
        func = click.option("-q", "--quiet", count=True, help="Less output on stderr.")(func)
        func = click.option("-v", "--verbose", count=True, help="More output on stderr.")(func)
        return func

    return decorate


def repo_option(help_text: str = "The repository.") -> Callable[[F], F]:
    """`--repo DIR` (default: the current folder), for commands that read Git."""
    return click.option(
        "--repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help=help_text,
    )


def workspace_option() -> Callable[[F], F]:
    """`--repo DIR` for commands that work on the files: where to look for opsync.yml."""
    return click.option(
        "--repo",
        "root",
        type=click.Path(file_okay=False, path_type=Path),
        help="Where to run (default: the nearest folder with opsync.yml at or above here).",
    )


def finish(code: int) -> None:
    """End a command with `code`; works under `main()` and click's test runner alike."""
    click.get_current_context().exit(int(code))


def make_console(color: str, quiet: int, verbose: int) -> Any:
    from opsync.console import Console, wants_color

    return Console(color=wants_color(color), verbosity=verbose - quiet)


@contextmanager
def reports_errors(command: str, fmt: str, console: Any) -> Iterator[None]:
    """A run that stops (exit 2/3) still writes its document in the chosen format, with
    the error in it, before the error goes to stderr: a CI artifact is never empty."""
    from opsync.errors import OpsyncError

    try:
        yield
    except OpsyncError as exc:
        from opsync.report import renderer
        from opsync.results import error_report

        report = error_report(command, exc.exit_code, exc.message, exc.hint)
        console.report(renderer(fmt)(report, color=console.color))
        raise
