"""`opsync dashboard --out DIR`: the shared dashboard as a static, self-contained site."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import click

from opsync.commands.options import finish, make_console, output_options, workspace_option
from opsync.errors import ConfigError, ExitCode

BAR_WIDTH = 24


@dataclass(frozen=True)
class DashboardOptions:
    out: Path | None
    root: Path | None
    fmt: str = "text"
    color: str = "auto"
    quiet: int = 0
    verbose: int = 0
    today: date | None = None


class ProgressBar:
    """`dashboard: [######------] 1200/5000 writing pages` on a terminal's stderr only."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.shown = False

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\rdashboard: [{bar}] {done}/{total} {what:<16}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run(options: DashboardOptions) -> ExitCode:
    from opsync.dashboard.model import collect
    from opsync.workspace.root import find_root

    console = make_console(options.color, options.quiet, options.verbose)
    if options.out is None and options.fmt != "markdown":
        raise ConfigError("no output folder", "pass --out DIR (e.g. --out site)")
    root = find_root(options.root)
    bar = ProgressBar(sys.stderr, sys.stderr.isatty() and options.quiet == 0)
    try:
        d = collect(root, options.today, bar)
        result = None
        if options.out is not None:
            from opsync.dashboard.build import build

            result = build(d, options.out, bar)
    finally:
        bar.close()
    for warning in d.warnings:
        console.info(f"opsync: warning: {warning}")
    if options.fmt == "markdown":
        from opsync.dashboard.summary import render

        console.report(render(d))
    if result is not None:
        console.info(f"wrote {result.pages} pages to {result.out}")
        if options.fmt == "text":
            console.report(str(result.out / "index.html"))
    return ExitCode.OK


@click.command(
    "dashboard",
    epilog="""\b
Examples:
  opsync dashboard --out site                 build the site; open site/index.html
  opsync dashboard --out site --format markdown >> "$GITHUB_STEP_SUMMARY"
  opsync dashboard --format markdown          only the summary, for a PR comment
""",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Folder for the site: new, empty, or built by this command before.",
)
@workspace_option()
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    hidden=True,
    help="Pretend today is this date (for reproducible builds and tests).",
)
@output_options(("text", "markdown"))
def command(
    out: Path | None,
    root: Path | None,
    today: object,
    fmt: str,
    color: str,
    quiet: int,
    verbose: int,
) -> None:
    """Build the shared dashboard: north star and key metrics with targets and trends,
    the metric tree, features by status with their gates and co-validation progress,
    the week timeline, and a page per feature.

    The site is static and self-contained (no CDN, no script): open DIR/index.html from
    disk or publish DIR to GitHub Pages. `--format markdown` prints a compact summary to
    stdout for a PR comment or a job summary.
    """
    day = today.date() if hasattr(today, "date") else None
    finish(run(DashboardOptions(out, root, fmt, color, quiet, verbose, day)))
