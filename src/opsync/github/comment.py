"""The one sticky pull request comment: created once, then edited in place.

The comment is found by the marker on its first line, and only among comments written
by a bot (`user.type == "Bot"`), so a person who pastes the marker into their own
comment never gets it overwritten. Its body is the Markdown report (the gate table, what
blocks and who can unblock it, stale approvals with what changed) or, when the run could
not finish, that reason. Nothing here reads the pull request's files: the body is built
from the report the gate already made from Git objects.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsync.errors import OpsyncError, VerifyError

if TYPE_CHECKING:
    from opsync.github.client import GitHubClient
    from opsync.results import Report

MARKER = "<!-- opsync:gate -->"
_FOOTER_ROOM = 1024  # the marker and the footer, kept free below GitHub's comment limit
_WRITE_HINT = (
    "give the job `permissions: pull-requests: write` (the templates do); a review on a "
    "fork's pull request only gets a read-only token, so there the gate workflow's "
    "comment stays as it was"
)


@dataclass(frozen=True)
class Posted:
    action: str  # "created", "updated" or "unchanged"
    url: str


def comment_body(report: Report, env: Mapping[str, str] | None = None) -> str:
    """The marker, the Markdown report, and a footer naming the run that wrote it."""
    from opsync import __version__
    from opsync.report.markdown_format import COMMENT_LIMIT, escape, render_markdown

    env = os.environ if env is None else env
    body = render_markdown(report, limit=COMMENT_LIMIT - _FOOTER_ROOM)
    parts = [f"opsync {escape(__version__)}"]
    if report.head:
        parts.append(f"head `{report.head[:12]}`")
    run_url = _run_url(env)
    if run_url:
        parts.append(f"[workflow run]({run_url})")
    footer = "<sub>" + " · ".join(parts) + " · this comment is updated in place</sub>"
    return f"{MARKER}\n{body.rstrip()}\n\n{footer}\n"


def _run_url(env: Mapping[str, str]) -> str:
    """The Actions run's page, from the runner's own variables (never from the repo)."""
    server, repo, run_id = (
        env.get("GITHUB_SERVER_URL", ""),
        env.get("GITHUB_REPOSITORY", ""),
        env.get("GITHUB_RUN_ID", ""),
    )
    if not (server.startswith("https://") and repo.count("/") == 1 and run_id.isdigit()):
        return ""
    return f"{server}/{urllib.parse.quote(repo)}/actions/runs/{run_id}"


def find_comment(comments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The oldest bot comment that starts with the marker."""
    for comment in comments:
        body = comment.get("body") or ""
        user = comment.get("user") or {}
        if isinstance(body, str) and body.startswith(MARKER) and user.get("type") == "Bot":
            return comment
    return None


def upsert_comment(client: GitHubClient, repo: str, number: int, body: str) -> Posted:
    """Create the sticky comment, or edit it in place; never a second one."""
    from opsync.github.client import _split_repo

    owner, name = (urllib.parse.quote(part, safe="") for part in _split_repo(repo))
    issue = f"/repos/{owner}/{name}/issues/{int(number)}"
    try:
        existing = find_comment(client.get_pages(f"{issue}/comments"))
        if existing is None:
            made = client.send_json("POST", f"{issue}/comments", {"body": body})
            return Posted("created", str(made.get("html_url", "")))
        url = str(existing.get("html_url", ""))
        if existing.get("body") == body:
            return Posted("unchanged", url)
        comment_id = int(existing["id"])
        edited = client.send_json(
            "PATCH", f"/repos/{owner}/{name}/issues/comments/{comment_id}", {"body": body}
        )
        return Posted("updated", str(edited.get("html_url", url)))
    except (KeyError, TypeError, ValueError):
        raise VerifyError(
            f"the comments of {repo}#{number} do not have GitHub's shape",
            "check GITHUB_API_URL points at the GitHub REST API",
        ) from None
    except VerifyError as exc:
        raise VerifyError(f"cannot write the opsync comment: {exc.message}", _WRITE_HINT) from exc


def post_report(client: GitHubClient, repo: str, number: int, report: Report) -> Posted | str:
    """Post the report; a failure is returned as a warning, never raised: the comment
    is a courtesy, and the check's verdict must not depend on it."""
    try:
        return upsert_comment(client, repo, number, comment_body(report))
    except OpsyncError as exc:
        return f"{exc.message} — {exc.hint}" if exc.hint else exc.message
