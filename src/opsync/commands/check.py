"""`opsync check`: the PR gate. Offline: `--base main [--head HEAD]`; in GitHub
Actions with no flags, base, head, author and body come from the event payload; in a
GitLab merge request pipeline, from the CI/CD variables and the API."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from opsync.commands.options import finish, make_console, output_options, repo_option
from opsync.errors import OpsyncError
from opsync.report import FORMATS

if TYPE_CHECKING:
    from opsync.gate.engine import ForgeRun
    from opsync.results import Report


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
    planned: list[ForgeRun] = []  # set by _run once the CI environment is read
    try:
        return _run(args, planned)
    except Exception as exc:
        # A run that stopped (exit 2/3; a bug or the unforeseen is exit 3, never a silent
        # 1) still writes its document, in every format, and says so wherever a workflow
        # or a person looks.
        from opsync.errors import internal_error
        from opsync.results import error_report

        error = exc if isinstance(exc, OpsyncError) else internal_error(exc)
        report = error_report("check", error.exit_code, error.message, error.hint)
        _publish(report, args, planned[0] if planned else None)
        if error is exc:
            raise
        raise error from exc


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def in_gitlab() -> bool:
    return os.environ.get("GITLAB_CI") == "true"


def _run(args: CheckArgs, planned_out: list[ForgeRun]) -> int:
    from opsync.errors import ConfigError
    from opsync.gate.engine import CheckOptions, run_check

    console = make_console(args.color, args.quiet, args.verbose)
    env = os.environ
    body = args.pr_body_file.read_text(encoding="utf-8") if args.pr_body_file else ""
    planned: ForgeRun | None = None
    if args.base is not None:
        options = CheckOptions(args.repo, args.base, args.head or "HEAD", body, args.author)
    elif in_actions() or in_gitlab():
        if in_actions():
            from opsync.github.actions import from_event

            planned = from_event(env, args.repo)
        else:
            from opsync.gitlab.ci import from_env

            planned = from_env(env, args.repo)
        planned_out.append(planned)
        event = planned.options
        options = CheckOptions(
            event.repo, event.base, event.head, body or event.pr_body, args.author or event.author
        )
    else:
        raise ConfigError(
            "no --base given", "pass the branch the PR targets: `opsync check --base main`"
        )
    console.debug(f"check: base {options.base}, head {options.head}")
    report = run_check(options, planned.forge if planned else None)
    _publish(report, args, planned)
    return int(report.exit_code)


def _publish(report: Report, args: CheckArgs, planned: ForgeRun | None) -> None:
    """The report on stdout (and --report-file); in Actions also the job summary, the
    step outputs and, with --comment, the one sticky pull request comment; in GitLab the
    merge request note when the pipeline turns it on."""
    from opsync.report import renderer

    console = make_console(args.color, args.quiet, args.verbose)
    text = renderer(args.fmt)(report, color=console.color)
    console.report(text)
    if args.report_file:
        from opsync.fsutil import write_atomic

        write_atomic(args.report_file, text)
    env = os.environ
    if in_actions():
        from opsync.github.actions import publish

        publish(report, env, str(args.report_file) if args.report_file else None)
        if args.comment:
            _comment(report, planned, console)
    elif args.comment:
        console.error(
            "opsync: warning: no pull request comment: --comment needs the pull request "
            "event of a GitHub Actions run (no --base)"
        )
    if in_gitlab():
        from opsync.gitlab.ci import after_report

        after_report(report, env, console.info)


def _comment(report: Report, planned: ForgeRun | None, console: Any) -> None:
    """Post or update the sticky comment; a failure is a warning, never the verdict."""
    from opsync.github.actions import comment_target

    target = comment_target(planned)
    if isinstance(target, str):
        console.info(f"no pull request comment: {target}")
        return
    from opsync.github.comment import Posted, post_report

    posted: Posted | str
    try:
        client = target.client()
    except OpsyncError as exc:
        posted = exc.message
    else:
        posted = post_report(client, target.repo, target.number, report)
    if isinstance(posted, str):
        console.error(f"opsync: warning: no pull request comment: {posted}")
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
   the job summary and the step outputs; add --comment for the one PR comment;
   in a GitLab merge request pipeline: the CI/CD variables)

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
