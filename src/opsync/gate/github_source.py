"""Evidence from GitHub pull request reviews (`signoff.sources: [github]`).

A review counts when it is the reviewer's latest opinion, APPROVED, by a human `User`
who is not the PR author and is on the base roster — and only for content it saw: the
bundle digest at the review's `commit_id` must equal the digest at the live head.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from opsync.gate.bundle import Bundle, changed_paths
from opsync.gate.evidence import Approval, BundleAt, Verdict
from opsync.github_api import GitHubClient
from opsync.github_reviews import (
    CHANGES_REQUESTED,
    Review,
    latest_opinionated,
    review_is_evidence,
)

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
