"""`opsync metrics pull`: metric values from the team's own data."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from opsync.commands.options import finish, make_console, output_options, repo_option
from opsync.errors import ExitCode, OpsyncError, VerifyError

if TYPE_CHECKING:
    from opsync.console import Console
    from opsync.datapull.pull import PullResult

GRAINS = ("week", "month", "quarter")


@dataclass(frozen=True)
class PullCommand:
    repo: Path
    metrics: tuple[str, ...]
    grains: tuple[str, ...]
    since: str | None
    dry_run: bool
    fmt: str
    color: str
    quiet: int
    verbose: int


def run(options: PullCommand) -> int:
    from opsync.datapull.pull import DefinitionProblems, PullOptions, pull
    from opsync.workspace.root import find_root

    console = make_console(options.color, options.quiet, options.verbose)
    try:
        root = find_root(options.repo)
        pull_options = PullOptions(
            root, options.metrics, options.grains, options.since, options.dry_run
        )
        with _progress(options, console) as step:
            result = pull(pull_options, step, console.debug)
    except DefinitionProblems as problems:
        for f in problems.findings:
            console.error(f"{f.path}:{f.line}:{f.col}: {f.rule}: {f.message}")
            if f.hint:
                console.error(f"  fix: {f.hint}")
        _error_report(options, problems, problems.findings)
        return int(ExitCode.USAGE)
    except OpsyncError as error:
        _error_report(options, error, [])
        raise
    except Exception as error:  # a driver's surprise or a bug: still never print a password
        unexpected = VerifyError(
            f"unexpected {type(error).__name__}: {_scrub_environment(str(error))}",
            "this is a bug or an unusual driver error; please report it",
        )
        _error_report(options, unexpected, [])
        raise unexpected from None
    if not options.dry_run:
        from opsync.datapull.write import write

        for change in result.changes:
            write(root, change)
    for warning in result.warnings:
        console.error(f"opsync: warning: {warning}")
    if options.fmt == "json":
        console.report(json.dumps(_as_json(result, options.dry_run), indent=2, ensure_ascii=False))
    else:
        console.report(render_text(result, options.dry_run))
    return int(ExitCode.OK)


@contextmanager
def _progress(options: PullCommand, console: Console) -> Iterator[Any]:
    """A progress bar on a terminal only (stderr), never in logs or pipes."""
    if not sys.stderr.isatty() or options.quiet or options.fmt != "text":
        yield None
        return
    try:
        yield _Bar(console)
    finally:
        click.echo("\r" + " " * 79 + "\r", err=True, nl=False)  # the bar leaves no trace


class _Bar:
    WIDTH = 24

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, what: str, done: int, total: int) -> None:
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"\rpull [{bar}] {done}/{total} {what}"
        click.echo(line[:79].ljust(79), err=True, nl=False)


def render_text(result: PullResult, dry_run: bool) -> str:
    if not result.changes:
        return "metrics pull: nothing to pull"
    sources = ", ".join(f"{name} ({url})" for name, url in sorted(result.sources.items()))
    since = f", since {result.since}" if result.since else ""
    lines = [f"metrics pull: {', '.join(result.grains)}{since} from {sources}"]
    width = max(len(c.metric) for c in result.changes)
    for change in result.changes:
        parts = [f"{len(change.added)} added", f"{len(change.changed)} changed"]
        parts.append(f"{change.unchanged} unchanged")
        lines.append(f"  {change.metric.ljust(width)}  {', '.join(parts)}  -> {change.path}")
        for restated in change.changed[:10]:
            lines.append(f"    restated {restated.period}: {restated.old} -> {restated.new}")
        if len(change.changed) > 10:
            lines.append(f"    … and {len(change.changed) - 10} more restated periods")
    for metric, latest in sorted(result.composites.items()):
        shown = " · ".join(
            f"{latest[g][0]} {latest[g][1]:.6g}" for g in result.grains if g in latest
        )
        lines.append(f"  {metric.ljust(width)}  composite (computed, not written): {shown}")
    written = sum(1 for c in result.changes if c.dirty)
    if dry_run:
        lines.append(f"dry run: {written} file(s) would change; nothing written")
    else:
        lines.append(f"{written} file(s) written" if written else "every value is up to date")
    return "\n".join(lines)


def _as_json(result: PullResult, dry_run: bool) -> dict[str, Any]:
    return {
        "command": "metrics pull",
        "result": "ok",
        "dry_run": dry_run,
        "grains": list(result.grains),
        "since": result.since,
        "sources": result.sources,
        "metrics": [
            {
                "metric": c.metric,
                "path": c.path,
                "added": c.added,
                "changed": [{"period": r.period, "old": r.old, "new": r.new} for r in c.changed],
                "unchanged": c.unchanged,
                "written": c.dirty and not dry_run,
            }
            for c in result.changes
        ],
        "composites": {
            metric: {grain: {"period": p, "value": v} for grain, (p, v) in latest.items()}
            for metric, latest in result.composites.items()
        },
        "warnings": result.warnings,
    }


def _scrub_environment(text: str) -> str:
    """`text` without the password of any URL in it or in the environment."""
    import os

    from opsync.datapull.urls import redact, scrub

    for value in os.environ.values():
        if "://" in value and "@" in value:
            text = scrub(text, value)
    return redact(text)


def _error_report(options: PullCommand, error: OpsyncError, findings: list[Any]) -> None:
    """JSON never comes back empty: on exit 2 or 3 it still says what went wrong."""
    if options.fmt != "json":
        return
    document = {
        "command": "metrics pull",
        "result": "error",
        "exit_code": int(error.exit_code),
        "error": error.message,
        "findings": [f.to_dict() for f in findings],
    }
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.group(
    "metrics",
    epilog="""\b
Examples:
  opsync metrics pull              compute every metric that has a `query:`
  opsync metrics pull --dry-run    show what would change, write nothing
""",
)
def command() -> None:
    """Metric values: `metrics pull` reads them from the team's data."""


@command.command(
    "pull",
    epilog="""\b
Examples:
  opsync metrics pull                         every metric with a query, the policy's grains
  opsync metrics pull --metric average-order-value --grain week
  opsync metrics pull --since 2026-01 --dry-run   what would change, nothing written
  opsync metrics pull --format json           a machine-readable summary

Exit codes: 0 pulled, 2 a bad query or source definition (located in metrics.yml or
opsync.yml), 3 a source that cannot be reached or timed out. Nothing is written unless
every query answered.
""",
)
@click.option(
    "--metric", "metrics", multiple=True, metavar="ID", help="Pull only this metric (repeatable)."
)
@click.option(
    "--grain",
    "grains",
    multiple=True,
    type=click.Choice(GRAINS),
    help="Only this grain (repeatable).",
)
@click.option("--since", metavar="PERIOD", help="Earliest period, e.g. 2026-01 or 2026-W10.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@repo_option("The repository (its opsync.yml is found from here).")
@output_options(("text", "json"))
def pull_command(
    metrics: tuple[str, ...],
    grains: tuple[str, ...],
    since: str | None,
    dry_run: bool,
    repo: Path,
    fmt: str,
    color: str,
    quiet: int,
    verbose: int,
) -> None:
    """Run each metric's query and write opsync/data/<metric-id>.csv.

    Values per ISO week (Monday first), month and quarter are computed in the engine
    (DuckDB, PostgreSQL, SQLite) from the rows of each period; pulled periods replace
    the file's, other periods stay; restated periods are reported as changed.
    """
    options = PullCommand(repo, metrics, grains, since, dry_run, fmt, color, quiet, verbose)
    finish(run(options))
