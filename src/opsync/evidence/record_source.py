"""Evidence from SSH-signed approval records committed at the PR head.

The records themselves are head content (untrusted data); what makes one count is a
signature that verifies against the BASE branch's allowed_signers for its reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opsync.evidence import records
from opsync.evidence.bundle import Bundle, changed_paths
from opsync.evidence.tally import Approval, BundleAt, Verdict
from opsync.workspace.model import read_checked
from opsync.workspace.source import FileSource


@dataclass
class RecordEvidence:
    head: FileSource
    approvals_dir: str
    allowed_signers: bytes  # from the base commit
    roster: Sequence[str]  # every login on the base roster; roles are checked in the tally
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
                record, bundle.id, login, self.allowed_signers, self.roster
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
            else:
                found.append(Approval(record.reviewer, self.name, Verdict.VALID, "", path))
        return found


def then_commit(record: records.ApprovalRecord) -> str:
    return record.commit[:7] if record.commit else "an earlier commit"


def _what_changed(record: records.ApprovalRecord, bundle: Bundle, bundle_at: BundleAt) -> str:
    then = bundle_at(record.commit) if record.commit else None
    if then is not None and then.digest == record.digest:
        changed = changed_paths(then, bundle)
        if changed:
            return f"approved at {then_commit(record)}, then changed: {', '.join(changed)}"
    return "the spec or a launch material changed since it was signed"
