"""`opsync check`: the PR gate. Offline: `--base main [--head HEAD]`; in GitHub
Actions with no flags, base, head, author and body come from the event payload."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.cli import finish, make_console, output_options, repo_option
from opsync.report import FORMATS


@dataclass(frozen=True)
class CheckArgs:
    base: str | None
    head: str | None
    pr_body_file: Path | None
    author: str | None
    report_file: Path | None
    repo: Path
    fmt: str
    color: str
    quiet: int
    verbose: int


def run(args: CheckArgs) -> int:
    from opsync.errors import OpsyncError

    try:
        return _run(args)
    except OpsyncError as exc:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            _report_error(exc, args.fmt)
        raise
    except Exception as exc:  # a bug or the unforeseen: still exit 3, never a silent 1
        from opsync.errors import internal_error

        error = internal_error(exc)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            _report_error(error, args.fmt)
        raise error from exc


def _report_error(exc: Exception, fmt: str) -> None:
    """In Actions, a run that stopped (exit 2/3) still says so where a workflow looks:
    `result=error` in GITHUB_OUTPUT, a line in the job summary, an annotation."""
    from opsync.report.github_format import escape_data

    env = os.environ
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write("result=error\n")
    if env.get("GITHUB_STEP_SUMMARY"):
        from opsync.report.markdown_format import escape

        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(f"## ❌ opsync check: could not complete\n\n{escape(str(exc))}\n")
    if fmt == "github":
        click.echo(f"::error title=opsync check::{escape_data(str(exc))}")


def _run(args: CheckArgs) -> int:
    from opsync.errors import ConfigError
    from opsync.gate.engine import CheckOptions, run_check
    from opsync.report import renderer

    console = make_console(args.color, args.quiet, args.verbose)
    env = os.environ
    actions = None
    if args.base is None and env.get("GITHUB_ACTIONS") == "true":
        from opsync.commands._actions import from_event

        actions = from_event(env, args.repo)
    if args.base is None and actions is None:
        raise ConfigError(
            "no --base given", "pass the branch the PR targets: `opsync check --base main`"
        )
    body = args.pr_body_file.read_text(encoding="utf-8") if args.pr_body_file else ""
    if actions is not None:
        options, factories = actions.options, actions.factories
        body = body or options.pr_body
        options = CheckOptions(
            options.repo, options.base, options.head, body, args.author or options.author
        )
    else:
        options = CheckOptions(args.repo, args.base or "", args.head or "HEAD", body, args.author)
        factories = []
    console.debug(f"check: base {options.base}, head {options.head}")
    report = run_check(options, factories)
    text = renderer(args.fmt)(report, color=console.color)
    console.report(text)
    if args.report_file:
        from opsync.fsutil import write_atomic

        write_atomic(args.report_file, text)
    if env.get("GITHUB_ACTIONS") == "true":
        from opsync.report.github_format import write_outputs, write_step_summary

        if env.get("GITHUB_STEP_SUMMARY"):
            write_step_summary(report, Path(env["GITHUB_STEP_SUMMARY"]))
        if env.get("GITHUB_OUTPUT"):
            write_outputs(
                report,
                Path(env["GITHUB_OUTPUT"]),
                str(args.report_file) if args.report_file else None,
            )
    return int(report.exit_code)


@click.command(
    "check",
    epilog="""\b
Examples:
  opsync check --base main                     this branch against main
  opsync check --base origin/main --head pr-42 --format sarif > opsync.sarif
  opsync check --base main --pr-body-file body.md   honour `Feature: <id>` lines
  (in GitHub Actions: `opsync check` reads the event payload)

Exit codes: 0 pass (or advisory), 1 a gate failed, 2 usage/config, 3 cannot verify.
""",
)
@click.option("--base", help="The branch or commit the PR targets (trusted policy source).")
@click.option("--head", help="The PR's head (default: HEAD).")
@click.option(
    "--pr-body-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The PR description, for `Feature: <id>` lines.",
)
@click.option("--author", help="The PR author's login: their own approval never counts.")
@click.option(
    "--report-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report to this file.",
)
@repo_option("The repository to check.")
@output_options(FORMATS)
def command(
    base: str | None,
    head: str | None,
    pr_body_file: Path | None,
    author: str | None,
    report_file: Path | None,
    repo: Path,
    fmt: str,
    color: str,
    quiet: int,
    verbose: int,
) -> None:
    """Gate a pull request: every feature it touches, every gate, base...head.

    Roles and allowed_signers come from the BASE commit; the head is read from Git objects
    as untrusted data. A feature passes when its metric is aligned, ops is involved, its
    week is planned, its launch materials and co-validation are done (from `validation`),
    and enough ops reviewers approved its current content.
    """
    finish(
        run(
            CheckArgs(
                base, head, pr_body_file, author, report_file, repo, fmt, color, quiet, verbose
            )
        )
    )
