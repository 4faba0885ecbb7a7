"""Where output goes: reports to stdout, diagnostics to stderr, colour only when wanted."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

import click


@dataclass(frozen=True)
class Console:
    color: bool = False
    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose

    def report(self, text: str) -> None:
        """The command's result: stdout, always."""
        click.echo(text, nl=not text.endswith("\n"), color=self.color)

    def info(self, text: str) -> None:
        if self.verbosity >= 0:
            click.echo(text, err=True, color=self.color)

    def debug(self, text: str) -> None:
        if self.verbosity > 0:
            click.echo(text, err=True, color=self.color)

    def error(self, text: str) -> None:
        click.echo(text, err=True, color=self.color)

    def style(self, text: str, **styles: object) -> str:
        return click.style(text, **styles) if self.color else text  # type: ignore[arg-type]


def wants_color(choice: str, stream: TextIO | None = None) -> bool:
    """`--color auto` follows NO_COLOR (https://no-color.org), then FORCE_COLOR
    (https://force-color.org; `0` does not force), then whether stdout is a tty.
    `--color always|never` wins over both."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True  # CI logs and pagers that render colour but are not a tty
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())
