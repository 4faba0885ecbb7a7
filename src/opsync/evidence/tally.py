"""Evidence of approval: a small interface with two implementations (signed records,
GitHub reviews), and the tally that turns approvals into the sign-off gate's verdict.

Never evidence: a name typed into YAML, a commit's author or committer, a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from opsync.evidence.bundle import Bundle
from opsync.results import GateState

BundleAt = Callable[[str], Bundle | None]  # commit -> the same bundle at that commit
IsMember = Callable[[str, str], bool]  # (login, role) -> on the base roster?
RoleMembers = Callable[[str], tuple[str, ...]]  # role -> its logins and teams (base policy)


class Verdict(StrEnum):
    VALID = "valid"
    STALE = "stale"  # approved other content
    REJECTED = "rejected"  # not evidence at all (bad signature, bot, author...)
    # The reviewer's standing word is "changes requested" (a GitHub review): it withdraws
    # that reviewer's approvals from every source, records included.
    OBJECTED = "changes requested"


@dataclass(frozen=True)
class Approval:
    login: str
    source: str  # "record" or "github"
    verdict: Verdict
    reason: str = ""  # for stale/rejected: why, naming what changed
    where: str = ""  # record path or review URL


class EvidenceSource(Protocol):
    name: str

    def approvals(self, bundle: Bundle, bundle_at: BundleAt) -> list[Approval]: ...


@dataclass(frozen=True)
class Requirement:
    """How many distinct approvers of each role a bundle needs."""

    needs: tuple[tuple[str, int], ...]

    def describe(self, roster: RoleMembers | None = None) -> str:
        """`1 ops`, or with the roster `1 ops: carol, dave`: who can unblock it."""
        parts = []
        for role, n in self.needs:
            who = ", ".join(roster(role)) if roster else ""
            parts.append(f"{n} {role}: {who}" if who else f"{n} {role}")
        return " and ".join(parts) if roster is None else "; ".join(parts)


@dataclass(frozen=True)
class Tally:
    state: GateState
    message: str
    hint: str
    counted: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # stale/rejected, for the report


def tally(
    approvals: Sequence[Approval],
    requirement: Requirement,
    is_member: IsMember,
    author: str | None,
    what: str,
    roster: RoleMembers | None = None,
) -> Tally:
    """Count distinct valid approvers per role; a person fills one role at most.

    A reviewer's standing request for changes (in any source) beats their approvals in
    every other source: the latest word wins, and an objection is never older than an
    approval it sits beside (GitHub keeps one standing opinion per reviewer)."""
    valid: dict[str, Approval] = {}
    notes: list[str] = []
    objecting = {a.login.casefold(): a for a in approvals if a.verdict is Verdict.OBJECTED}
    for item in approvals:
        key = item.login.casefold()
        if item.verdict is Verdict.VALID and key in objecting:
            why = objecting[key]
            notes.append(
                f"{item.login} ({item.source}): withdrawn — their latest word is "
                f"{why.reason} ({why.source}, {why.where})"
            )
        elif item.verdict is not Verdict.VALID:
            notes.append(f"{item.login} ({item.source}): {item.verdict.value} — {item.reason}")
        elif author and key == author.casefold():
            notes.append(f"{item.login} ({item.source}): rejected — the PR author cannot approve")
        else:
            valid.setdefault(key, item)
    seats = _assign(sorted(valid.items()), requirement, is_member)
    used = set(seats)
    missing: list[str] = []
    counted: list[str] = []
    for role, count in requirement.needs:
        filled = [approval for seat, approval in seats.values() if seat == role]
        counted += [f"{a.login} ({role}, {a.source})" for a in filled]
        if len(filled) < count:
            missing.append(f"{count - len(filled)} more {role}")
    for key, approval in valid.items():
        if key not in used and not any(is_member(approval.login, r) for r, _ in requirement.needs):
            notes.append(f"{approval.login} ({approval.source}): not on the roster for {what}")
    if not missing:
        return Tally(
            GateState.PASS, "approved by " + ", ".join(counted), "", tuple(counted), tuple(notes)
        )
    # Only a stale approval that would count once renewed makes the gate stale; one from
    # the author or from someone off the roster is named with the other rejections.
    stale = [
        a
        for a in approvals
        if a.verdict is Verdict.STALE
        and not (author and a.login.casefold() == author.casefold())
        and any(is_member(a.login, r) for r, _ in requirement.needs)
    ]
    state = GateState.STALE if stale else GateState.FAIL
    message = f"needs {', '.join(missing)} approval(s) of {what}"
    if counted:
        message += f" (has {', '.join(counted)})"
    if stale:
        message = (
            "; ".join(f"{a.login}'s approval ({a.source}) is stale: {a.reason}" for a in stale)
            + f" — {message}"
        )
    # Say why the other approvals did not count (stale ones are named above), so a
    # rejected signature or an off-roster signer is visible where the gate fails.
    renewable = {f"{a.login} ({a.source}): stale — {a.reason}" for a in stale}
    ignored = [n for n in notes if n not in renewable]
    if ignored:
        message += "; not counted: " + "; ".join(ignored)
    hint = (
        f"ask a reviewer ({requirement.describe(roster)}) to approve the current content: "
        "`opsync approve`, or an approval of the pull/merge request"
    )
    return Tally(state, message, hint, tuple(counted), tuple(notes))


def _assign(
    valid: list[tuple[str, Approval]], requirement: Requirement, is_member: IsMember
) -> dict[str, tuple[str, Approval]]:
    """The most seats filled, one role per person (a bipartite matching by augmenting
    paths): someone on two rosters takes the seat nobody else can fill."""
    seats = [(role, n) for role, count in requirement.needs for n in range(count)]
    holder: dict[tuple[str, int], str] = {}
    fits = {
        key: [seat for seat in seats if is_member(approval.login, seat[0])]
        for key, approval in valid
    }

    def place(key: str, tried: set[tuple[str, int]]) -> bool:
        for seat in fits[key]:
            if seat in tried:
                continue
            tried.add(seat)
            if seat not in holder or place(holder[seat], tried):
                holder[seat] = key
                return True
        return False

    for key, _ in valid:
        place(key, set())
    by_key = dict(valid)
    roles = [role for role, _ in requirement.needs]
    ordered = sorted(holder.items(), key=lambda item: (roles.index(item[0][0]), item[1]))
    return {key: (seat[0], by_key[key]) for seat, key in ordered}
