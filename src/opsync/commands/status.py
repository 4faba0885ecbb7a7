"""`opsync status [FEATURE...]`: every gate per feature, on any branch."""

from __future__ import annotations

from pathlib import Path

import click

from opsync.commands.completion import complete_features
from opsync.commands.options import (
    finish,
    make_console,
    output_options,
    repo_option,
    reports_errors,
)
from opsync.report import FORMATS


@click.command(
    "status",
    epilog="""\b
Examples:
  opsync status                    all features at HEAD
  opsync status member-tiers       one feature
  opsync status --ref main --format markdown
""",
)
@click.argument("features", nargs=-1, shell_complete=complete_features)
@click.option("--ref", default="HEAD", show_default=True, help="The commit to report on.")
@repo_option()
@output_options(FORMATS)
def command(
    features: tuple[str, ...], ref: str, repo: Path, fmt: str, color: str, quiet: int, verbose: int
) -> None:
    """Show each feature's gates at a commit, re-verifying signed approval records.

    Uses the policy and allowed_signers of that same commit (on main they were merged
    through the gate). Exit 1 when any applicable gate fails.
    """
    from opsync.gate.status import run_status
    from opsync.report import renderer

    console = make_console(color, quiet, verbose)
    with reports_errors("status", fmt, console):
        report = run_status(repo, ref, features)
    console.report(renderer(fmt)(report, color=console.color))
    finish(int(report.exit_code))
