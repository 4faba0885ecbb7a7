"""Evidence of approval: a small interface with two implementations (signed records,
GitHub reviews), and the tally that turns approvals into the sign-off gate's verdict.

Never evidence: a name typed into YAML, a commit's author or committer, a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from opsync.gate.bundle import Bundle
from opsync.report.model import GateState

BundleAt = Callable[[str], Bundle | None]  # commit -> the same bundle at that commit
IsMember = Callable[[str, str], bool]  # (login, role) -> on the base roster?


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

    def describe(self) -> str:
        return " and ".join(f"{n} {role}" for role, n in self.needs)


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
) -> Tally:
    """Count distinct valid approvers per role; a person fills one role at most.

    A reviewer's standing request for changes (in any source) beats their approvals in
    every other source: the latest word wins, and an objection is never older than an
    approval it sits beside (GitHub keeps one standing opinion per reviewer)."""
    valid: dict[str, Approval] = {}
    notes: list[str] = []
    noted: list[Verdict] = []  # the verdict behind each note
    objecting = {a.login.casefold(): a for a in approvals if a.verdict is Verdict.OBJECTED}
    for item in approvals:
        key = item.login.casefold()
        if item.verdict is Verdict.VALID and key in objecting:
            why = objecting[key]
            notes.append(
                f"{item.login} ({item.source}): withdrawn — their latest word is "
                f"{why.reason} ({why.source}, {why.where})"
            )
            noted.append(Verdict.REJECTED)
        elif item.verdict is not Verdict.VALID:
            notes.append(f"{item.login} ({item.source}): {item.verdict.value} — {item.reason}")
            noted.append(item.verdict)
        elif author and key == author.casefold():
            notes.append(f"{item.login} ({item.source}): rejected — the PR author cannot approve")
            noted.append(Verdict.REJECTED)
        else:
            valid.setdefault(key, item)
    used: set[str] = set()
    missing: list[str] = []
    counted: list[str] = []
    for role, count in requirement.needs:
        found = [a for k, a in sorted(valid.items()) if k not in used and is_member(a.login, role)]
        for approval in found[:count]:
            used.add(approval.login.casefold())
            counted.append(f"{approval.login} ({role}, {approval.source})")
        if len(found) < count:
            missing.append(f"{count - len(found)} more {role}")
        for approval in valid.values():
            if approval.login.casefold() not in used and not any(
                is_member(approval.login, r) for r, _ in requirement.needs
            ):
                note = f"{approval.login} ({approval.source}): not on the roster for {what}"
                if note not in notes:
                    notes.append(note)
                    noted.append(Verdict.REJECTED)
    if not missing:
        return Tally(
            GateState.PASS, "approved by " + ", ".join(counted), "", tuple(counted), tuple(notes)
        )
    stale = [a for a in approvals if a.verdict is Verdict.STALE]
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
    ignored = [n for n, a in zip(notes, noted, strict=True) if a is not Verdict.STALE]
    if ignored:
        message += "; not counted: " + "; ".join(ignored)
    hint = (
        f"ask a reviewer ({requirement.describe()}) to approve the current content: "
        "`opsync approve` or an approving PR review"
    )
    return Tally(state, message, hint, tuple(counted), tuple(notes))
