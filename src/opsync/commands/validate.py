"""`opsync validate [PATH...]`: lint the workspace — schemas, references, rules."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.commands.options import (
    finish,
    make_console,
    output_options,
    reports_errors,
    workspace_option,
)
from opsync.report import FORMATS


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[str, ...]
    root: Path | None
    fmt: str
    color: str
    quiet: int
    verbose: int


def run(options: ValidateOptions) -> int:
    from opsync.report import renderer
    from opsync.rules.lint import lint, select
    from opsync.workspace.model import Workspace, load_policy
    from opsync.workspace.root import find_root
    from opsync.workspace.source import WorktreeSource

    console = make_console(options.color, options.quiet, options.verbose)
    with reports_errors("validate", options.fmt, console):
        root = find_root(options.root)
    source = WorktreeSource(root)
    selection = None
    if options.paths:
        policy, _ = load_policy(source)
        if policy is not None:
            rel = [_relative(p, root) for p in options.paths]
            selection = select(rel, Workspace(source, policy))

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty() and options.quiet == 0:
            end = "\n" if done >= total else "\r"
            click.echo(f"validate: {done}/{total} documents", err=True, nl=False)
            click.echo(end, err=True, nl=False)

    with reports_errors("validate", options.fmt, console):
        report = lint(source, selection, progress)
    console.report(renderer(options.fmt)(report, color=console.color))
    return int(report.exit_code)


def _relative(path: str, root: Path) -> str:
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path


@click.command(
    "validate",
    epilog="""\b
Examples:
  opsync validate                      lint every opsync file in the repo
  opsync validate opsync/features/x.md lint one spec (what pre-commit does)
  opsync validate --format json        machine-readable report (docs/json-report.md)
""",
)
@click.argument("paths", nargs=-1, type=click.Path())
@workspace_option()
@output_options(FORMATS)
def command(
    paths: tuple[str, ...], root: Path | None, fmt: str, color: str, quiet: int, verbose: int
) -> None:
    """Lint the workspace: schemas, metric registry, week docs, feature specs, data.

    Every finding has a rule id, a file, a line and a column, and says how to fix it.
    One broken file never hides the others. Exit 0 clean, 1 findings, 2 when opsync.yml
    itself is missing or broken.
    """
    finish(run(ValidateOptions(paths, root, fmt, color, quiet, verbose)))
