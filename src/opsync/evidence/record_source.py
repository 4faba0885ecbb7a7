"""Evidence from SSH-signed approval records committed at the PR head.

The records themselves are head content (untrusted data); what makes one count is a
signature that verifies against the BASE branch's allowed_signers for its reviewer, and
the change it approved: a record already on the base branch is a standing approval; one
this PR adds or changes must approve this very change (its signed `base` digest is the
bundle at the merge base) and must not be one the base branch withdrew or replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from opsync.evidence import records
from opsync.evidence.bundle import BlobSource, Bundle, changed_paths
from opsync.evidence.tally import Approval, BundleAt, Verdict
from opsync.workspace.model import read_checked
from opsync.workspace.source import FileSource


class Tree(FileSource, Protocol):
    """A commit's files, with git blob ids (GitTreeSource)."""


@dataclass(frozen=True)
class Baseline:
    """What a PR changes from (trusted: the base branch)."""

    tree: BlobSource  # the base tip: a record identical there is a standing approval
    digest_before: Callable[[Bundle], str]  # the bundle's digest at the merge base
    was_on_base: Callable[[str, str], bool]  # (path, blob id) ever committed on base?


@dataclass
class RecordEvidence:
    head: Tree
    approvals_dir: str
    allowed_signers: bytes  # from the base commit
    roster: Sequence[str]  # every login on the base roster; roles are checked in the tally
    # This repository's identity (opsync.gate.identity), from the base; asked only when a
    # record is actually checked (without `repo:` it walks the history for the root).
    repo_id: Callable[[], str]
    baseline: Baseline | None = None  # None: the head is itself trusted (status on main)
    name: str = "record"

    def approvals(self, bundle: Bundle, bundle_at: BundleAt) -> list[Approval]:
        found: list[Approval] = []
        folder = f"{self.approvals_dir}/{bundle.id}"
        for path in self.head.list_files(folder, ".yml"):
            login = path.rsplit("/", 1)[-1].removesuffix(".yml")
            raw, problems = read_checked(self.head, path)
            if raw is None:
                reason = problems[0].message if problems else "unreadable"
                found.append(Approval(login, self.name, Verdict.REJECTED, reason, path))
                continue
            try:
                record = records.parse(raw, path)
            except records.RecordProblem as problem:
                found.append(
                    Approval(
                        login,
                        self.name,
                        Verdict.REJECTED,
                        f"malformed record: {problem.message}",
                        path,
                    )
                )
                continue
            verdict = records.check_record(
                record, bundle.id, login, self.allowed_signers, self.roster, self.repo_id()
            )
            if not verdict.valid:
                found.append(
                    Approval(record.reviewer, self.name, Verdict.REJECTED, verdict.reason, path)
                )
            elif record.digest != bundle.digest:
                found.append(
                    Approval(
                        record.reviewer,
                        self.name,
                        Verdict.STALE,
                        _what_changed(record, bundle, bundle_at),
                        path,
                    )
                )
            elif (replayed := self._replayed(path, record, bundle)) is not None:
                found.append(Approval(record.reviewer, self.name, *replayed, path))
            else:
                found.append(Approval(record.reviewer, self.name, Verdict.VALID, "", path))
        return found

    def _replayed(
        self, path: str, record: records.ApprovalRecord, bundle: Bundle
    ) -> tuple[Verdict, str] | None:
        """Why a record this PR adds or changes does not approve this change, if so."""
        base = self.baseline
        if base is None:
            return None
        blob = self.head.blob_id(path)
        if blob is not None and base.tree.blob_id(path) == blob:
            return None  # standing: merged through the gate, still on the base branch
        before = base.digest_before(bundle)
        if record.base != before:
            return (
                Verdict.STALE,
                f"it approved a change from other content (signed against "
                f"{record.base[:15]}…, this PR changes {before[:15]}…); an approval counts "
                "only for the change it approved, never for a later return to that content "
                "(approve again, with `--base` naming the PR's target branch)",
            )
        if blob is not None and base.was_on_base(path, blob):
            return (
                Verdict.REJECTED,
                "this record was withdrawn or replaced on the base branch; restoring it "
                "does not approve again",
            )
        return None


def then_commit(record: records.ApprovalRecord) -> str:
    return record.commit[:7] if record.commit else "an earlier commit"


def _what_changed(record: records.ApprovalRecord, bundle: Bundle, bundle_at: BundleAt) -> str:
    then = bundle_at(record.commit) if record.commit else None
    if then is not None and then.digest == record.digest:
        changed = changed_paths(then, bundle)
        if changed:
            return f"approved at {then_commit(record)}, then changed: {', '.join(changed)}"
    return "the spec or a launch material changed since it was signed"
