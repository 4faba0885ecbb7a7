"""`opsync check` inside GitHub Actions: base, head, author and body from the event
payload; GitHub reviews as evidence; team rosters resolved through the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from opsync.errors import ConfigError, VerifyError
from opsync.gate.engine import CheckOptions, GateContext, SourceFactory
from opsync.gate.evidence import EvidenceSource

if TYPE_CHECKING:
    from opsync.github_api import GitHubClient


@dataclass(frozen=True)
class ActionsRun:
    options: CheckOptions
    factories: list[SourceFactory]
    repo: str = ""  # OWNER/NAME of the base repository
    number: int | None = None  # the pull request; None in a merge queue run
    client: Callable[[], GitHubClient] | None = None  # the REST client, made on first use


def from_event(env: Mapping[str, str], repo: Path) -> ActionsRun:
    """The check's options from the event; `repo` is the checkout (--repo, default the
    step's working directory, which the action's `working-directory` input sets)."""
    from opsync.github_event import load_event, merge_group_pr_number

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

    def github_reviews(ctx: GateContext) -> EvidenceSource | None:
        # Team roster entries need the API whichever source the approval comes from.
        ctx.teams = lambda team, login: _team_member(client(), team, login)
        if "github" not in ctx.policy.sources:
            return None
        if number is None:
            ctx.notes.append(
                "merge queue run: no single pull request, so GitHub reviews "
                "are not consulted; signed records still count"
            )
            return None
        if event.event_name != "merge_group":
            pull = client().get_pull(event.repo_full_name, number)
            live = (pull.get("head") or {}).get("sha")
            if live and live != event.head_sha:
                raise VerifyError(
                    f"the pull request's head moved from {event.head_sha[:7]} to {live[:7]} "
                    "after this run started",
                    "nothing to do: the run for the new head decides",
                )
        from opsync.gate.github_source import GitHubEvidence

        return GitHubEvidence(client(), event.repo_full_name, number, author)

    # The comment goes to the pull request of a pull request event only: a merge queue
    # run has no single one (the number above came from the queue's branch name).
    commented = event.number
    return ActionsRun(options, [github_reviews], event.repo_full_name, commented, client)


def _lazy_client(env: Mapping[str, str]) -> Callable[[], GitHubClient]:
    """The API client, built on first use (it refuses to exist without a token)."""

    @cache
    def client() -> GitHubClient:
        from opsync.github_api import GitHubClient

        return GitHubClient(env.get("GITHUB_TOKEN", ""), env.get("GITHUB_API_URL"))

    return client


def _team_member(client: GitHubClient, team: str, login: str) -> bool:
    org, _, slug = team.lstrip("@").partition("/")
    return client.team_membership(org, slug, login)
