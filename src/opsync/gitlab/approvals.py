"""Evidence from GitLab merge request approvals (`signoff.sources: [gitlab]`).

GitLab records who approved and, on current versions, when (`approved_at`), but not
which commit: an approval is scoped through the MR's diff versions (one per push, each
with its `head_commit_sha` and `created_at`).

- With `approved_at`: the approval is of the version current then (the latest version
  created at or before it). GitLab's approve button sends the head it shows and GitLab
  refuses an approval for a head that moved, so that version is what was approved. It
  counts while the feature's bundle digest there equals the digest at the head.
- Without `approved_at` (older GitLab): when it happened is unknown, only that the MR
  existed. It counts only if the feature's content is the same at every version, from
  the MR's first to the head — then whatever the approver saw was this content.

Not evidence: the MR author, bots (`bot: true`, project/group token users), users off
the roster (decided by the tally, from the base policy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from opsync.errors import VerifyError
from opsync.evidence.bundle import Bundle, changed_paths
from opsync.evidence.tally import Approval, BundleAt, Verdict
from opsync.gitlab.client import GitLabClient, shape_error
from opsync.http import segment

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# Users behind project and group access tokens: project_42_bot_<hex>, group_7_bot_<hex>.
_TOKEN_BOT = re.compile(r"(project|group)_\d+_bot(_[0-9a-f]+)?\d*", re.IGNORECASE)
SOURCE = "gitlab"


@dataclass(frozen=True)
class GitLabApproval:
    username: str
    user_id: int
    bot: bool | None  # None: the approvals API did not say (its users carry no `bot`)
    approved_at: datetime | None


@dataclass(frozen=True)
class Version:
    id: int
    head: str  # head_commit_sha
    created_at: datetime


def is_bot(user: Mapping[str, Any]) -> bool | None:
    """True for `bot: true` or a token user's name; None when the user object cannot
    tell (then `/users/:id` is asked)."""
    if user.get("bot") is True or _TOKEN_BOT.fullmatch(str(user.get("username", ""))):
        return True
    return False if user.get("bot") is False else None


def parse_time(value: object, what: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise shape_error(f"{what} (time {str(value)[:40]!r})") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_approvals(data: Mapping[str, Any], what: str) -> list[GitLabApproval]:
    """`approved_by: [{user: {...}, approved_at?}]`; entries without a user (deleted
    accounts) are skipped."""
    entries = data.get("approved_by")
    if not isinstance(entries, list):
        raise shape_error(what)
    found = []
    for entry in entries:
        user = entry.get("user") if isinstance(entry, Mapping) else None
        if not isinstance(user, Mapping) or not user.get("username"):
            continue
        if not isinstance(user.get("id"), int):
            raise shape_error(what)
        when = entry.get("approved_at")
        found.append(
            GitLabApproval(
                str(user["username"]),
                user["id"],
                is_bot(user),
                parse_time(when, what) if when else None,
            )
        )
    return found


def parse_versions(items: list[dict[str, Any]], what: str) -> list[Version]:
    """Oldest first (GitLab lists newest first)."""
    try:
        versions = [
            Version(
                int(v["id"]), str(v.get("head_commit_sha") or ""), parse_time(v["created_at"], what)
            )
            for v in items
        ]
    except (KeyError, TypeError, ValueError):
        raise shape_error(what) from None
    return sorted(versions, key=lambda v: (v.created_at, v.id))


@dataclass
class MergeRequestApi:
    """The merge request's reads, each asked once."""

    client: GitLabClient
    project: str  # CI_PROJECT_ID (a number, or a URL-encodable full path)
    iid: int

    @property
    def path(self) -> str:
        return f"/projects/{segment(self.project)}/merge_requests/{int(self.iid)}"

    @cached_property
    def merge_request(self) -> dict[str, Any]:
        return self.client.get_object(self.path)

    @property
    def author(self) -> str | None:
        author = self.merge_request.get("author")
        return (
            str(author["username"])
            if isinstance(author, Mapping) and author.get("username")
            else None
        )

    @cached_property
    def approvals(self) -> list[GitLabApproval]:
        """Each approver, with `bot` settled: the approvals API's user objects do not
        carry it, so a user it leaves open is read from `/users/:id`."""
        what = f"GET {self.path}/approvals"
        found = parse_approvals(self.client.get_object(f"{self.path}/approvals"), what)
        return [a if a.bot is not None else replace(a, bot=self._is_bot(a.user_id)) for a in found]

    def _is_bot(self, user_id: int) -> bool:
        return is_bot(self.client.get_object(f"/users/{int(user_id)}")) is True

    @cached_property
    def versions(self) -> list[Version]:
        what = f"GET {self.path}/versions"
        return parse_versions(self.client.get_pages(f"{self.path}/versions"), what)


class GroupRoster:
    """`@group/sub` roster entries, read through `/groups/:id/members/all` (inherited
    members included). A 403/404 there is "cannot verify" (exit 3), never "not a member"."""

    def __init__(self, client: GitLabClient) -> None:
        self._client = client
        self._groups: dict[str, frozenset[str]] = {}

    def is_member(self, group: str, username: str) -> bool:
        key = group.lstrip("@").casefold()
        if key not in self._groups:
            path = f"/groups/{segment(group.lstrip('@'))}/members/all"
            try:
                members = self._client.get_pages(path)
            except VerifyError as exc:
                raise VerifyError(
                    f"cannot verify members of GitLab group {group.lstrip('@')}: {exc.message}",
                    "give the token read access to the group (a group access token, role "
                    "Reporter, scope `read_api`), or list the reviewers by username in "
                    "opsync.yml instead of by group",
                ) from exc
            self._groups[key] = frozenset(
                str(m.get("username", "")).casefold()
                for m in members
                if m.get("state", "active") == "active"
            )
        return username.casefold() in self._groups[key]


@dataclass
class GitLabEvidence:
    api: MergeRequestApi
    author: str | None
    name: str = SOURCE

    def approvals(self, bundle: Bundle, bundle_at: BundleAt) -> list[Approval]:
        found = []
        for approval in sorted(self.api.approvals, key=lambda a: a.username.casefold()):
            found.append(self._judge(approval, bundle, bundle_at))
        return found

    def _judge(self, approval: GitLabApproval, bundle: Bundle, bundle_at: BundleAt) -> Approval:
        who = approval.username
        where = f"merge request !{self.api.iid} approval"

        def out(verdict: Verdict, reason: str = "") -> Approval:
            return Approval(who, self.name, verdict, reason, where)

        if approval.bot:
            return out(Verdict.REJECTED, f"{who} is a bot; bots cannot sign off")
        if self.author is not None and who.casefold() == self.author.casefold():
            return out(Verdict.REJECTED, f"{who} is the merge request's author")
        versions = self.api.versions
        if not versions:
            return out(
                Verdict.STALE,
                "the merge request has no diff versions, so what was approved is unknown "
                "(ask for a new approval)",
            )
        if approval.approved_at is not None:
            seen = [v for v in versions if v.created_at <= approval.approved_at]
            if not seen:
                return out(
                    Verdict.STALE,
                    "approved before the merge request's first version (ask for a new approval)",
                )
            problem = _differs(seen[-1], bundle, bundle_at)
            if problem:
                return out(Verdict.STALE, f"approved at {seen[-1].head[:7]}, {problem}")
            return out(Verdict.VALID)
        # No time: every version it could have been given on must hold this content.
        for version in versions:
            problem = _differs(version, bundle, bundle_at)
            if problem:
                return out(
                    Verdict.STALE,
                    "GitLab gives no approval time, so it may be of any version since the "
                    f"first; version {version.head[:7]} differs from the head ({problem})",
                )
        return out(Verdict.VALID)


def _differs(version: Version, bundle: Bundle, bundle_at: BundleAt) -> str:
    """Why the feature at `version` is not the head's content; "" when it is."""
    sha = version.head
    if not _SHA.fullmatch(sha):
        return f"but version {version.id} names no commit (ask for a new approval)"
    then = bundle_at(sha)
    if then is None:
        return 'which is not in this clone (clone with `GIT_DEPTH: "0"`)'
    if then.digest != bundle.digest:
        return "then changed: " + (", ".join(changed_paths(then, bundle)) or "the bundle")
    return ""
