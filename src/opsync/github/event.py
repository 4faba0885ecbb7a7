"""Read the pull request a GitHub Actions run is about, from its event payload.

`load_event(os.environ)` returns None outside a pull-request-like event (push,
schedule, a local run): the caller then needs `--base`. Within one, a missing or
malformed payload is a ConfigError, never a guess.

How the gate should treat each event:

- `pull_request`, `pull_request_target`, `pull_request_review`: the payload's
  `pull_request` gives base, head, number, author and body. Reviews come from the REST
  API (the payload's own review may already be stale).
- `merge_group`: the queue's temporary branch (base plus the queued pull requests) is
  checked with `base_sha...head_sha`. There is no single PR: `number`, `author` and
  `body` are None, so there is no `Feature:` line and no review list to fetch. Every
  queued PR already passed the required gate on its own head; the merge group run
  re-checks everything Git can prove (metrics, materials, co-validation, signed records,
  digests) for the combined content. `merge_group_pr_number()` recovers the number of
  the PR that created the group from its ref, for a caller that wants its reviews.
- `workflow_run`: the PR is `workflow_run.pull_requests[0]` and the head is
  `workflow_run.head_sha`. The PR body is not in this payload: fetch it with
  `GitHubClient.get_pull` (body and author are None here; never skip the author
  check because of that). GitHub leaves `pull_requests` empty for
  runs from forks, which is a ConfigError that points at the pull_request_target gate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opsync.errors import ConfigError, VerifyError

PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})
SUPPORTED_EVENTS = PR_EVENTS | {"merge_group", "workflow_run"}
MAX_PAYLOAD = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB

_QUEUE_REF = re.compile(r"/pr-(\d+)-[0-9a-f]{40}$")


@dataclass(frozen=True)
class PullRequestEvent:
    """What the gate needs from the event. Refs are branch names (no `refs/heads/`)."""

    event_name: str
    repo_full_name: str  # the base repository, OWNER/NAME
    number: int | None  # None for merge_group
    base_sha: str
    base_ref: str
    head_sha: str
    head_ref: str
    author: str | None  # PR author login; None for merge_group
    body: str | None  # "" for an empty body; None when the payload does not carry it
    is_fork: bool  # the head lives in another repository (or a deleted one)


def load_event(env: Mapping[str, str]) -> PullRequestEvent | None:
    """The run's pull request, or None when the event is not about one."""
    name = env.get("GITHUB_EVENT_NAME", "")
    if name not in SUPPORTED_EVENTS:
        return None
    payload = _read_payload(env.get("GITHUB_EVENT_PATH", ""), name)
    try:
        if name in PR_EVENTS:
            return _from_pull_request(name, payload)
        if name == "merge_group":
            return _from_merge_group(payload)
        return _from_workflow_run(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"the {name} event payload is missing a field opsync needs ({exc!r})",
            "run opsync check from a workflow triggered by pull_request_target, "
            "pull_request_review or merge_group, or pass --base and --head",
        ) from None


def merge_group_pr_number(head_ref: str) -> int | None:
    """`gh-readonly-queue/main/pr-104-<sha>` -> 104: the PR that created the group."""
    match = _QUEUE_REF.search(head_ref)
    return int(match.group(1)) if match else None


def _read_payload(path: str, name: str) -> dict[str, Any]:
    hint = (
        "opsync reads the event from GITHUB_EVENT_PATH, which GitHub Actions sets; "
        "outside Actions unset GITHUB_EVENT_NAME and pass --base and --head"
    )
    if not path:
        raise ConfigError(f"GITHUB_EVENT_NAME is {name} but GITHUB_EVENT_PATH is not set", hint)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PAYLOAD + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read the event payload {path}: {exc.strerror}", hint) from None
    if len(raw) > MAX_PAYLOAD:
        raise ConfigError(f"the event payload {path} is larger than 25 MB", hint)
    from opsync.jsonload import TooDeep, loads

    try:
        data = loads(raw)
    except TooDeep as exc:  # not GitHub's: exit 3, the run could not be judged
        raise VerifyError(f"the event payload {path}: {exc}", hint) from None
    except ValueError as exc:
        raise ConfigError(f"the event payload {path} is not valid JSON: {exc}", hint) from None
    if not isinstance(data, dict):
        raise ConfigError(f"the event payload {path} is not a JSON object", hint)
    return data


def _from_pull_request(name: str, payload: Mapping[str, Any]) -> PullRequestEvent:
    pr = payload["pull_request"]
    base, head = pr["base"], pr["head"]
    body = pr.get("body")
    return PullRequestEvent(
        event_name=name,
        repo_full_name=_str(payload["repository"]["full_name"]),
        number=_int(pr["number"]),
        base_sha=_sha(base["sha"]),
        base_ref=_branch(base["ref"]),
        head_sha=_sha(head["sha"]),
        head_ref=_branch(head["ref"]),
        author=_str(pr["user"]["login"]),
        body=body if isinstance(body, str) else "",
        is_fork=_is_fork(head.get("repo"), base["repo"]),
    )


def _from_merge_group(payload: Mapping[str, Any]) -> PullRequestEvent:
    group = payload["merge_group"]
    return PullRequestEvent(
        event_name="merge_group",
        repo_full_name=_str(payload["repository"]["full_name"]),
        number=None,
        base_sha=_sha(group["base_sha"]),
        base_ref=_branch(group["base_ref"]),
        head_sha=_sha(group["head_sha"]),
        head_ref=_branch(group["head_ref"]),
        author=None,
        body=None,
        is_fork=False,  # GitHub builds the group branch inside the base repository
    )


def _from_workflow_run(payload: Mapping[str, Any]) -> PullRequestEvent:
    run = payload["workflow_run"]
    prs = run.get("pull_requests") or []
    if not prs:
        raise ConfigError(
            "the workflow_run event names no pull request (GitHub leaves "
            "workflow_run.pull_requests empty for runs from forks and for pushes)",
            "gate pull requests with the pull_request_target workflow from "
            "`opsync init --ci github` instead of a workflow_run bridge",
        )
    pr = prs[0]
    repo = payload["repository"]
    head_repo = run.get("head_repository")
    return PullRequestEvent(
        event_name="workflow_run",
        repo_full_name=_str(repo["full_name"]),
        number=_int(pr["number"]),
        base_sha=_sha(pr["base"]["sha"]),
        base_ref=_branch(pr["base"]["ref"]),
        head_sha=_sha(run["head_sha"]),
        head_ref=_branch(run.get("head_branch") or pr["head"]["ref"]),
        author=None,  # not in this payload (run.actor is not the author): fetch the PR
        body=None,
        is_fork=_is_fork(head_repo, repo),
    )


def _is_fork(head_repo: Any, base_repo: Mapping[str, Any]) -> bool:
    """A head in another repository, or in a deleted fork (`repo: null`), is a fork."""
    if not isinstance(head_repo, Mapping):
        return True
    if "id" in head_repo and "id" in base_repo:
        return bool(head_repo["id"] != base_repo["id"])
    return bool(str(head_repo.get("full_name", "")).lower() != str(base_repo["full_name"]).lower())


def _sha(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value):
        raise ValueError(f"not a commit id: {value!r}")
    return value


def _branch(value: Any) -> str:
    return _str(value).removeprefix("refs/heads/")


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a number, got {value!r}")
    return value
