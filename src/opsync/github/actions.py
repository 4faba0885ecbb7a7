"""`opsync check` inside GitHub Actions: the plan from the event payload (base, head,
author, body; GitHub reviews as evidence; team rosters through the API), and what the
run leaves where a workflow looks (outputs, the job summary, an error annotation)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from opsync.errors import ConfigError, VerifyError
from opsync.gate.context import Forge
from opsync.gate.engine import CheckOptions, ForgeRun
from opsync.results import Report

if TYPE_CHECKING:
    from opsync.evidence.tally import EvidenceSource
    from opsync.github.client import GitHubClient


@dataclass(frozen=True)
class ActionsRun(ForgeRun):
    """A GitHub Actions run: the forge's plan, and where the sticky comment goes."""

    repo: str = ""  # OWNER/NAME of the base repository
    number: int | None = None  # the pull request; None in a merge queue run
    client: Callable[[], GitHubClient] | None = None  # the REST client, made on first use


@dataclass(frozen=True)
class CommentTarget:
    repo: str
    number: int
    client: Callable[[], GitHubClient]


def comment_target(planned: ForgeRun | None) -> CommentTarget | str:
    """Where the one pull request comment goes, or why there is none."""
    if not isinstance(planned, ActionsRun) or planned.client is None:
        return "--comment needs the pull request event of a GitHub Actions run (no --base)"
    if planned.number is None:
        return "a merge queue run is not about one pull request"
    return CommentTarget(planned.repo, planned.number, planned.client)


def from_event(env: Mapping[str, str], repo: Path) -> ActionsRun:
    """The check's options from the event; `repo` is the checkout (--repo, default the
    step's working directory, which the action's `working-directory` input sets)."""
    from opsync.github.event import load_event, merge_group_pr_number

    event = load_event(env)
    if event is None:
        raise ConfigError(
            f"the {env.get('GITHUB_EVENT_NAME', 'unknown')} event is not about a pull request",
            "run the gate on pull_request_target, pull_request_review or merge_group, "
            "or pass --base",
        )
    client = _lazy_client(env)  # a records-only policy needs no token for a PR event
    number = event.number
    if number is None and event.event_name == "merge_group":
        number = merge_group_pr_number(event.head_ref)
    author, body = event.author, event.body
    # merge_group and workflow_run payloads carry no author or body: without the author
    # their self-approval would count, without the body `Feature:` lines would be lost.
    if number is not None and (author is None or body is None):
        pull = client().get_pull(event.repo_full_name, number)
        author = author or (pull.get("user") or {}).get("login")
        body = body if body is not None else (pull.get("body") or "")
    options = CheckOptions(repo, event.base_sha, event.head_sha, body or "", author)

    def reviews() -> EvidenceSource:
        assert number is not None
        if event.event_name != "merge_group":
            pull = client().get_pull(event.repo_full_name, number)
            live = (pull.get("head") or {}).get("sha")
            if live and live != event.head_sha:
                raise VerifyError(
                    f"the pull request's head moved from {event.head_sha[:7]} to {live[:7]} "
                    "after this run started",
                    "nothing to do: the run for the new head decides",
                )
        from opsync.github.reviews import GitHubEvidence

        return GitHubEvidence(client(), event.repo_full_name, number, author)

    forge = Forge(
        name="github",
        reviews=reviews if number is not None else None,
        # Team roster entries need the API whichever source the approval comes from.
        teams=lambda team, login: _team_member(client(), team, login),
        no_reviews="merge queue run: no single pull request, so GitHub reviews "
        "are not consulted; signed records still count",
    )
    # The comment goes to the pull request of a pull request event only: a merge queue
    # run has no single one (the number above came from the queue's branch name).
    return ActionsRun(options, forge, event.repo_full_name, event.number, client)


def _lazy_client(env: Mapping[str, str]) -> Callable[[], GitHubClient]:
    """The API client, built on first use (it refuses to exist without a token)."""

    @cache
    def client() -> GitHubClient:
        from opsync.github.client import GitHubClient

        return GitHubClient(env.get("GITHUB_TOKEN", ""), env.get("GITHUB_API_URL"))

    return client


def _team_member(client: GitHubClient, team: str, login: str) -> bool:
    org, _, slug = team.lstrip("@").partition("/")
    return client.team_membership(org, slug, login)


# --- what the run leaves for the workflow ----------------------------------------------


def publish(report: Report, env: Mapping[str, str], report_path: str | None) -> None:
    """The job summary and the step outputs, where the environment names them."""
    if env.get("GITHUB_STEP_SUMMARY"):
        write_step_summary(report, Path(env["GITHUB_STEP_SUMMARY"]))
    if env.get("GITHUB_OUTPUT"):
        write_outputs(report, Path(env["GITHUB_OUTPUT"]), report_path)


def publish_error(exc: Exception, env: Mapping[str, str]) -> None:
    """A run that stopped (exit 2/3) still says so: `result=error` in GITHUB_OUTPUT and
    a line in the job summary."""
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write("result=error\n")
    if env.get("GITHUB_STEP_SUMMARY"):
        from opsync.report.markdown_format import escape

        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(f"## ❌ opsync check: could not complete\n\n{escape(str(exc))}\n")


def write_step_summary(report: Report, path: str | PathLike[str]) -> None:
    """Append the Markdown report to the job summary file (GITHUB_STEP_SUMMARY)."""
    from opsync.report.markdown_format import SUMMARY_LIMIT, render_markdown

    # Other steps' summaries are separate; this step's limit is the runner's 1 MiB.
    text = render_markdown(report, limit=SUMMARY_LIMIT - 1024)
    with open(path, "a", encoding="utf-8") as out:
        out.write(text if text.endswith("\n") else text + "\n")


def _output(name: str, value: str, *, heredoc: bool) -> str:
    """One GITHUB_OUTPUT entry; `name<<DELIM` with a random delimiter for free text."""
    if not heredoc:
        if "\n" in value or "\r" in value:
            raise ValueError(f"output {name} needs the heredoc form")
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    while delimiter in value:  # astronomically unlikely, but never ambiguous
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(report: Report, path: str | PathLike[str], report_path: str | None) -> None:
    """Append `result` (pass|fail|error) and `report-path` to GITHUB_OUTPUT."""
    text = _output("result", report.result, heredoc=False)
    # A path is free text (a newline is legal in a file name): always the heredoc form.
    text += _output("report-path", report_path or "", heredoc=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(text)
