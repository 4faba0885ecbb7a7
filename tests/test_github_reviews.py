"""Which reviews count, on the REST shape (upper-case states, oldest first)."""

from __future__ import annotations

from typing import Any

import pytest

from opsync.errors import VerifyError
from opsync.github.reviews import Review, latest_opinionated, review_is_evidence

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
OPS = {"alice", "bob", "renovate[bot]", "ops-bot"}


def rest(
    rid: int,
    login: str,
    state: str,
    at: str,
    *,
    user_type: str = "User",
    commit: str = HEAD,
) -> dict[str, Any]:
    """A review as GET /repos/{o}/{r}/pulls/{n}/reviews returns it."""
    return {
        "id": rid,
        "node_id": f"PRR_{rid}",
        "user": {"login": login, "id": 1000 + rid, "type": user_type},
        "body": "",
        "state": state,
        "html_url": f"https://github.com/o/r/pull/1#pullrequestreview-{rid}",
        "commit_id": commit,
        "submitted_at": at,
        "author_association": "MEMBER",
    }


def is_ops(login: str) -> bool:
    return login.lower() in OPS


def test_latest_opinion_wins_and_comments_do_not_count() -> None:
    reviews = [
        rest(1, "alice", "CHANGES_REQUESTED", "2024-05-01T10:00:00Z"),
        rest(2, "alice", "APPROVED", "2024-05-02T10:00:00Z", commit="a" * 40),
        rest(3, "alice", "COMMENTED", "2024-05-03T10:00:00Z"),
        rest(4, "bob", "COMMENTED", "2024-05-03T11:00:00Z"),
    ]
    standing = latest_opinionated(reviews)
    assert set(standing) == {"alice"}
    assert standing["alice"].state == "APPROVED"
    assert standing["alice"].id == 2
    assert standing["alice"].commit_id == "a" * 40


def test_changes_requested_after_approval_replaces_it() -> None:
    reviews = [
        rest(1, "alice", "APPROVED", "2024-05-01T10:00:00Z"),
        rest(2, "alice", "CHANGES_REQUESTED", "2024-05-02T10:00:00Z"),
    ]
    alice = latest_opinionated(reviews)["alice"]
    assert alice.state == "CHANGES_REQUESTED"
    verdict = review_is_evidence(alice, author="carol", is_ops=is_ops)
    assert not verdict.ok
    assert "requested changes" in verdict.reason


def test_order_is_by_time_not_list_position_and_ties_break_by_id() -> None:
    reviews = [
        rest(9, "alice", "APPROVED", "2024-05-02T10:00:00Z"),
        rest(5, "alice", "CHANGES_REQUESTED", "2024-05-01T10:00:00Z"),
        rest(12, "bob", "APPROVED", "2024-05-01T10:00:00+00:00"),
        rest(11, "bob", "CHANGES_REQUESTED", "2024-05-01T10:00:00Z"),
    ]
    standing = latest_opinionated(reviews)
    assert standing["alice"].state == "APPROVED"
    assert standing["bob"].state == "APPROVED"


def test_dismissed_latest_review_leaves_no_opinion() -> None:
    reviews = [
        rest(1, "alice", "APPROVED", "2024-05-01T10:00:00Z"),
        rest(2, "alice", "DISMISSED", "2024-05-02T10:00:00Z"),
        rest(3, "alice", "COMMENTED", "2024-05-03T10:00:00Z"),
    ]
    assert latest_opinionated(reviews) == {}


def test_dismissed_old_review_does_not_cancel_a_newer_approval() -> None:
    reviews = [
        rest(1, "alice", "DISMISSED", "2024-05-01T10:00:00Z"),
        rest(2, "alice", "APPROVED", "2024-05-02T10:00:00Z"),
    ]
    assert latest_opinionated(reviews)["alice"].id == 2


def test_logins_are_case_insensitive_and_pending_is_ignored() -> None:
    reviews = [
        rest(1, "Alice", "APPROVED", "2024-05-01T10:00:00Z"),
        rest(2, "alice", "CHANGES_REQUESTED", "2024-05-02T10:00:00Z"),
        {**rest(3, "ALICE", "PENDING", ""), "submitted_at": None},
    ]
    standing = latest_opinionated(reviews)
    assert list(standing) == ["alice"]
    assert standing["alice"].state == "CHANGES_REQUESTED"


def test_deleted_account_is_skipped() -> None:
    ghost = {**rest(1, "x", "APPROVED", "2024-05-01T10:00:00Z"), "user": None}
    assert latest_opinionated([ghost]) == {}


def test_malformed_review_cannot_be_verified() -> None:
    with pytest.raises(VerifyError):
        latest_opinionated([{"user": {"login": "alice"}, "state": "APPROVED"}])  # no id
    with pytest.raises(VerifyError):
        latest_opinionated([rest(1, "alice", "APPROVED", "yesterday")])


def approved(login: str, user_type: str = "User") -> Review:
    return Review(login, user_type, "APPROVED", HEAD, "2024-05-01T10:00:00Z", 1)


@pytest.mark.parametrize(
    ("review", "author", "ok", "reason"),
    [
        (approved("alice"), "carol", True, "alice approved at ec26c3e57ca3"),
        (approved("ops-bot", "Bot"), "carol", False, "bot"),
        (approved("renovate[bot]"), "carol", False, "bot"),
        (approved("Alice"), "alice", False, "author"),
        (approved("dave"), "carol", False, "not on the ops roster"),
    ],
)
def test_review_is_evidence(review: Review, author: str, ok: bool, reason: str) -> None:
    verdict = review_is_evidence(review, author, is_ops)
    assert verdict.ok is ok
    assert reason in verdict.reason
    assert verdict == (ok, verdict.reason)  # also usable as a plain (ok, reason) pair
