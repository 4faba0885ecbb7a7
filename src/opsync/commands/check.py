"""`opsync check`: the PR gate. Offline: `--base main [--head HEAD]`; in GitHub
Actions with no flags, base, head, author and body come from the event payload; in a
GitLab merge request pipeline, from the CI/CD variables and the API."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.commands.options import finish, make_console, output_options, repo_option
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
        env = os.environ
        if args.fmt == "gitlab":  # the code-quality artifact is never empty
            from opsync.report.gitlab_format import render_error

            click.echo(render_error(str(exc)), nl=False)
        if env.get("GITHUB_ACTIONS") == "true":
            from opsync.github.actions import publish_error

            publish_error(exc, env)
            if args.fmt == "github":
                from opsync.report.github_format import escape_data

                click.echo(f"::error title=opsync check::{escape_data(str(exc))}")
        if env.get("GITLAB_CI") == "true":
            from opsync.gitlab.ci import after_error

            after_error(exc, env, lambda text: click.echo(text, err=True))
        raise


def _run(args: CheckArgs) -> int:
    from opsync.errors import ConfigError
    from opsync.gate.engine import CheckOptions, run_check
    from opsync.report import renderer

    console = make_console(args.color, args.quiet, args.verbose)
    env = os.environ
    in_actions = env.get("GITHUB_ACTIONS") == "true"
    in_gitlab = env.get("GITLAB_CI") == "true"
    body = args.pr_body_file.read_text(encoding="utf-8") if args.pr_body_file else ""
    if args.base is not None:
        options = CheckOptions(args.repo, args.base, args.head or "HEAD", body, args.author)
        forge = None
    elif in_actions or in_gitlab:
        if in_actions:
            from opsync.github.actions import from_event

            planned = from_event(env, args.repo)
        else:
            from opsync.gitlab.ci import from_env

            planned = from_env(env, args.repo)
        event = planned.options
        options = CheckOptions(
            event.repo, event.base, event.head, body or event.pr_body, args.author or event.author
        )
        forge = planned.forge
    else:
        raise ConfigError(
            "no --base given", "pass the branch the PR targets: `opsync check --base main`"
        )
    console.debug(f"check: base {options.base}, head {options.head}")
    report = run_check(options, forge)
    text = renderer(args.fmt)(report, color=console.color)
    console.report(text)
    if args.report_file:
        from opsync.fsutil import write_atomic

        write_atomic(args.report_file, text)
    if in_gitlab:
        from opsync.gitlab.ci import after_report

        after_report(report, env, console.info)
    if in_actions:
        from opsync.github.actions import publish

        publish(report, env, str(args.report_file) if args.report_file else None)
    return int(report.exit_code)


@click.command(
    "check",
    epilog="""\b
Examples:
  opsync check --base main                     this branch against main
  opsync check --base origin/main --head pr-42 --format sarif > opsync.sarif
  opsync check --base main --pr-body-file body.md   honour `Feature: <id>` lines
  (in GitHub Actions: `opsync check` reads the event payload;
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
