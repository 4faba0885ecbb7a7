"""GitHub pull request reviews as sign-off evidence (`signoff.sources: [github]`).

Which reviews count is pure logic over the REST review list (`latest_opinionated`,
`review_is_evidence`); `GitHubEvidence` asks the API and scopes each approval to content.

REST states are upper case (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING);
webhook payloads use lower case, so states are compared upper-cased.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, NamedTuple

from opsync.errors import VerifyError
from opsync.evidence.bundle import Bundle, changed_paths
from opsync.evidence.tally import Approval, BundleAt, Verdict
from opsync.github.client import GitHubClient

APPROVED = "APPROVED"
CHANGES_REQUESTED = "CHANGES_REQUESTED"
DISMISSED = "DISMISSED"
OPINIONATED = frozenset({APPROVED, CHANGES_REQUESTED})
_NEVER = datetime.max.replace(tzinfo=UTC)  # unsubmitted (PENDING) reviews sort last


@dataclass(frozen=True)
class Review:
    """A user's standing opinion on a pull request."""

    login: str
    user_type: str  # "User", "Bot", "Organization", ...
    state: str  # APPROVED or CHANGES_REQUESTED
    commit_id: str  # the head commit the reviewer saw: approvals are scoped to it
    submitted_at: str
    id: int


class ReviewVerdict(NamedTuple):
    """Whether a review is sign-off evidence, and if not, why (for the report)."""

    ok: bool
    reason: str


def latest_opinionated(reviews: Iterable[Mapping[str, Any]]) -> dict[str, Review]:
    """Per user (key: login lower-cased), their standing APPROVED/CHANGES_REQUESTED review.

    Reviews are replayed in `submitted_at`, then `id` order. COMMENTED and PENDING never
    change an opinion; a later opinion replaces an earlier one; a review that was
    dismissed (REST state DISMISSED) withdraws the opinion, so a user whose latest
    non-comment review is dismissed has none. Reviews by deleted accounts are skipped.
    """
    ordered = sorted(
        (_parse(r) for r in reviews),
        key=lambda item: (item[0], item[1].id),
    )
    standing: dict[str, Review] = {}
    for _, review in ordered:
        if not review.login:
            continue
        key = review.login.lower()
        if review.state in OPINIONATED:
            standing[key] = review
        elif review.state == DISMISSED:
            standing.pop(key, None)
    return standing


def review_is_evidence(
    review: Review, author: str | None, is_ops: Callable[[str], bool]
) -> ReviewVerdict:
    """A review counts as ops sign-off only from a human on the roster, not the author."""
    login = review.login
    if review.user_type != "User" or login.lower().endswith("[bot]"):
        return ReviewVerdict(False, f"{login} is a bot ({review.user_type}); bots cannot sign off")
    if author is not None and login.lower() == author.lower():
        return ReviewVerdict(
            False, f"{login} is the pull request's author; authors cannot sign off"
        )
    if not is_ops(login):
        return ReviewVerdict(False, f"{login} is not on the ops roster in opsync.yml (base branch)")
    if review.state != APPROVED:
        return ReviewVerdict(False, f"{login} requested changes")
    return ReviewVerdict(True, f"{login} approved at {review.commit_id[:12]}")


def _parse(raw: Mapping[str, Any]) -> tuple[datetime, Review]:
    """One REST review; a malformed one is an error, since skipping it could let an
    older approval outlive a newer request for changes."""
    try:
        user = raw.get("user")  # null for deleted accounts
        user = user if isinstance(user, Mapping) else {}
        submitted = raw.get("submitted_at")  # null while PENDING
        review = Review(
            login=str(user.get("login") or ""),
            user_type=str(user.get("type") or ""),
            state=str(raw["state"]).upper(),
            commit_id=str(raw.get("commit_id") or ""),
            submitted_at=str(submitted or ""),
            id=int(raw["id"]),
        )
        when = datetime.fromisoformat(str(submitted)) if submitted else _NEVER
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VerifyError(
            f"a GitHub review has an unexpected shape ({exc!r})",
            "check GITHUB_API_URL points at the GitHub REST API, then re-run the job",
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)), review


# A review's commit_id is a full sha; anything else (null for a commit GitHub no longer
# has) must not reach `git rev-parse`, where a name like `main` would resolve.
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass
class GitHubEvidence:
    client: GitHubClient
    repo: str  # OWNER/NAME
    number: int
    author: str | None
    name: str = "github"
    _cache: dict[str, list[Review]] = field(default_factory=dict)

    @cached_property
    def reviews(self) -> list[Review]:
        standing = latest_opinionated(self.client.list_reviews(self.repo, self.number))
        return sorted(standing.values(), key=lambda r: r.login.casefold())

    def approvals(self, bundle: Bundle, bundle_at: BundleAt) -> list[Approval]:
        found: list[Approval] = []
        for review in self.reviews:
            # Roles are decided by the tally (a review may count as product or ops).
            verdict = review_is_evidence(review, self.author, lambda _login: True)
            where = f"review {review.id}"
            if review.state == CHANGES_REQUESTED and review.user_type == "User":
                # An objection withdraws this reviewer's records too (see tally).
                found.append(
                    Approval(
                        review.login,
                        self.name,
                        Verdict.OBJECTED,
                        f"{review.login} requested changes at {review.commit_id[:7]}",
                        where,
                    )
                )
                continue
            if not verdict.ok:
                found.append(
                    Approval(review.login, self.name, Verdict.REJECTED, verdict.reason, where)
                )
                continue
            if not _SHA.fullmatch(review.commit_id):
                found.append(
                    Approval(
                        review.login,
                        self.name,
                        Verdict.STALE,
                        "the review names no commit, so what it approved is unknown "
                        "(ask for a new review)",
                        where,
                    )
                )
                continue
            then = bundle_at(review.commit_id)
            if then is None:
                found.append(
                    Approval(
                        review.login,
                        self.name,
                        Verdict.STALE,
                        f"approved commit {review.commit_id[:7]}, which is not "
                        "in this clone (fetch with `fetch-depth: 0`)",
                        where,
                    )
                )
            elif then.digest != bundle.digest:
                changed = ", ".join(changed_paths(then, bundle)) or "the bundle"
                found.append(
                    Approval(
                        review.login,
                        self.name,
                        Verdict.STALE,
                        f"approved at {review.commit_id[:7]}, then changed: {changed}",
                        where,
                    )
                )
            else:
                found.append(Approval(review.login, self.name, Verdict.VALID, "", where))
        return found
