"""`opsync check` inside a GitLab merge request pipeline: base, head and description
from the predefined CI/CD variables; the author, approvals, versions and group rosters
from the REST API; the sticky note after the run.

Variables read: GITLAB_CI, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID,
CI_MERGE_REQUEST_DIFF_BASE_SHA (else origin/CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
CI_MERGE_REQUEST_SOURCE_BRANCH_SHA (merged-results pipelines) else CI_COMMIT_SHA,
CI_MERGE_REQUEST_DESCRIPTION(_IS_TRUNCATED); tokens from OPSYNC_GITLAB_TOKEN,
GITLAB_TOKEN or CI_JOB_TOKEN; OPSYNC_GITLAB_NOTE=true turns the note on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from opsync.errors import ConfigError, OpsyncError, VerifyError
from opsync.evidence.tally import EvidenceSource
from opsync.gate.context import Forge
from opsync.gate.engine import CheckOptions, ForgeRun
from opsync.gitlab.approvals import GroupRoster, MergeRequestApi
from opsync.gitlab.client import GitLabClient, token_from_env
from opsync.results import Report

Warn = Callable[[str], None]


def in_pipeline(env: Mapping[str, str]) -> bool:
    return env.get("GITLAB_CI") == "true"


def from_env(env: Mapping[str, str], repo: Path) -> ForgeRun:
    iid = _iid(env)
    if iid is None:
        raise ConfigError(
            "this GitLab pipeline is not a merge request pipeline (no CI_MERGE_REQUEST_IID)",
            'run the gate with `rules: [{if: $CI_PIPELINE_SOURCE == "merge_request_event"}]` '
            "(the template does), or pass --base",
        )
    target = env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or (f"origin/{target}" if target else "")
    if not base:
        raise ConfigError(
            "the merge request pipeline names no base (CI_MERGE_REQUEST_DIFF_BASE_SHA)",
            "pass --base with the branch the merge request targets",
        )
    # In a merged-results pipeline CI_COMMIT_SHA is a merge GitLab made; approvals and
    # versions are about the source branch's head.
    head = _head(env)
    mr = _lazy_api(env, iid)
    body = env.get("CI_MERGE_REQUEST_DESCRIPTION", "")
    if env.get("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED") == "true":
        body = str(mr().merge_request.get("description") or body)  # GitLab cuts it at 2700
    options = CheckOptions(repo, base, head, body, None)

    head = options.head
    groups = _lazy_groups(env)

    def reviews() -> EvidenceSource:
        api = mr()
        live = str(api.merge_request.get("sha") or "")
        if live and live != head:
            raise VerifyError(
                f"the merge request's head moved from {head[:7]} to {live[:7]} "
                "after this pipeline started",
                "nothing to do: the pipeline for the new head decides",
            )
        from opsync.gitlab.approvals import GitLabEvidence

        return GitLabEvidence(api, api.author)

    def author(consulted: bool) -> str | None:
        # The author rule holds for signed records too; a records-only policy asks the
        # API only when a token was set for it (CI_JOB_TOKEN cannot read the MR).
        if consulted or env.get("OPSYNC_GITLAB_TOKEN") or env.get("GITLAB_TOKEN"):
            return mr().author
        return None

    forge = Forge(
        name="gitlab",
        reviews=reviews,
        teams=lambda group, login: groups().is_member(group, login),
        author=author,
    )
    return ForgeRun(options, forge)


def after_report(report: Report, env: Mapping[str, str], warn: Warn) -> None:
    """Write the sticky note, when enabled; a failure warns but never changes the verdict."""
    from opsync.gitlab.note import report_body

    _note(env, lambda: report_body(report), warn)


def after_error(exc: OpsyncError, env: Mapping[str, str], warn: Warn) -> None:
    """A run that stopped (exit 2/3) says so in the note too."""
    from opsync.gitlab.note import error_body

    _note(env, lambda: error_body(str(exc)), warn)


def _note(env: Mapping[str, str], body: Callable[[], str], warn: Warn) -> None:
    iid = _iid(env)
    if env.get("OPSYNC_GITLAB_NOTE", "").lower() not in ("1", "true", "yes") or iid is None:
        return
    from opsync.gitlab.note import upsert

    project = env.get("CI_PROJECT_ID", "")
    try:
        client = _client(env)
        # A newer push has its own pipeline: an older run finishing late must not
        # overwrite that pipeline's note with a verdict about old content.
        live = str(MergeRequestApi(client, project, iid).merge_request.get("sha") or "")
        if live and live != _head(env):
            warn(f"opsync: merge request note left alone: the head moved to {live[:7]}")
            return
        done = upsert(client, project, iid, body())
    except OpsyncError as exc:
        warn(f"opsync: could not write the merge request note: {exc}")
    else:
        warn(f"opsync: merge request note {done}")


def _head(env: Mapping[str, str]) -> str:
    return env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or env.get("CI_COMMIT_SHA") or "HEAD"


def _iid(env: Mapping[str, str]) -> int | None:
    raw = env.get("CI_MERGE_REQUEST_IID", "")
    return int(raw) if raw.isdigit() else None


def _client(env: Mapping[str, str]) -> GitLabClient:
    if not env.get("CI_PROJECT_ID"):
        raise ConfigError("CI_PROJECT_ID is not set", "run inside GitLab CI, or set it")
    return GitLabClient(token_from_env(env), env.get("CI_API_V4_URL"))


def _lazy_api(env: Mapping[str, str], iid: int) -> Callable[[], MergeRequestApi]:
    """The merge request's API, built on first use (a records-only run needs no token)."""

    @cache
    def api() -> MergeRequestApi:
        return MergeRequestApi(_client(env), env.get("CI_PROJECT_ID", ""), iid)

    return api


def _lazy_groups(env: Mapping[str, str]) -> Callable[[], GroupRoster]:
    @cache
    def groups() -> GroupRoster:
        return GroupRoster(_client(env))

    return groups
