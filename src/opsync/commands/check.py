"""`opsync check`: the PR gate. Offline: `--base main [--head HEAD]`; in GitHub
Actions with no flags, base, head, author and body come from the event payload."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from opsync.cli import finish, make_console, output_options, repo_option
from opsync.errors import OpsyncError
from opsync.report import FORMATS

if TYPE_CHECKING:
    from opsync.commands._actions import ActionsRun
    from opsync.report.model import Report


@dataclass(frozen=True)
class CheckArgs:
    base: str | None
    head: str | None
    pr_body_file: Path | None
    author: str | None
    report_file: Path | None
    repo: Path
    comment: bool
    fmt: str
    color: str
    quiet: int
    verbose: int


def run(args: CheckArgs) -> int:
    from opsync.errors import OpsyncError

    actions: list[ActionsRun] = []  # set by _run once the event is read
    try:
        return _run(args, actions)
    except OpsyncError as exc:
        # A run that stopped (exit 2/3) still writes its document, in every format,
        # and says so wherever a workflow or a person looks.
        from opsync.report.model import error_report

        report = error_report("check", exc.exit_code, exc.message, exc.hint)
        _publish(report, args, actions[0] if actions else None)
        raise


def _run(args: CheckArgs, actions_out: list[ActionsRun]) -> int:
    from opsync.errors import ConfigError
    from opsync.gate.engine import CheckOptions, run_check

    console = make_console(args.color, args.quiet, args.verbose)
    env = os.environ
    actions = None
    if args.base is None and in_actions():
        from opsync.commands._actions import from_event

        actions = from_event(env, args.repo)
        actions_out.append(actions)
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
    _publish(report, args, actions)
    return int(report.exit_code)


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _publish(report: Report, args: CheckArgs, actions: ActionsRun | None) -> None:
    """The report on stdout (and --report-file); in Actions also the job summary, the
    step outputs and, with --comment, the one sticky pull request comment."""
    from opsync.report import renderer

    console = make_console(args.color, args.quiet, args.verbose)
    text = renderer(args.fmt)(report, color=console.color)
    console.report(text)
    if args.report_file:
        from opsync.fsutil import write_atomic

        write_atomic(args.report_file, text)
    env = os.environ
    if in_actions():
        from opsync.report.github_format import write_outputs, write_step_summary

        if env.get("GITHUB_STEP_SUMMARY"):
            write_step_summary(report, Path(env["GITHUB_STEP_SUMMARY"]))
        if env.get("GITHUB_OUTPUT"):
            write_outputs(
                report,
                Path(env["GITHUB_OUTPUT"]),
                str(args.report_file) if args.report_file else None,
            )
    if args.comment:
        _comment(report, actions, console)


def _comment(report: Report, actions: ActionsRun | None, console: Any) -> None:
    """Post or update the sticky comment; a failure is a warning, never the verdict."""
    if actions is not None and actions.number is None:
        console.info("no pull request comment: a merge queue run is not about one pull request")
        return
    if actions is None or actions.client is None or actions.number is None:
        console.error(
            "opsync: warning: no pull request comment: --comment needs the pull request "
            "event of a GitHub Actions run (no --base)"
        )
        return
    from opsync.github_comment import Posted, post_report

    posted: Posted | str
    try:
        client = actions.client()
    except OpsyncError as exc:
        posted = exc.message
    else:
        posted = post_report(client, actions.repo, actions.number, report)
    if isinstance(posted, str):
        console.error(f"opsync: warning: no pull request comment: {posted}")
        if in_actions():
            from opsync.report.github_format import escape_data

            click.echo(f"::warning title=opsync comment::{escape_data(posted)}", err=True)
    else:
        console.info(f"pull request comment {posted.action}: {posted.url}")


@click.command(
    "check",
    epilog="""\b
Examples:
  opsync check --base main                     this branch against main
  opsync check --base origin/main --head pr-42 --format sarif > opsync.sarif
  opsync check --base main --pr-body-file body.md   honour `Feature: <id>` lines
  (in GitHub Actions: `opsync check` reads the event payload and writes annotations,
   the job summary and the step outputs; add --comment for the one PR comment)

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
@click.option(
    "--comment",
    is_flag=True,
    help="In GitHub Actions: create or update the one pull request comment with the report.",
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
    comment: bool,
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
    from click.core import ParameterSource

    if in_actions() and click.get_current_context().get_parameter_source("fmt") in (
        ParameterSource.DEFAULT,
        None,
    ):
        fmt = "github"  # right by default in Actions: annotations, as well as the summary
    finish(
        run(
            CheckArgs(
                base,
                head,
                pr_body_file,
                author,
                report_file,
                repo,
                comment,
                fmt,
                color,
                quiet,
                verbose,
            )
        )
    )
