"""The ops sign-off of every feature at HEAD, for the dashboard: only that gate.

`opsync status` evaluates every gate at HEAD; the dashboard runs the other gates on the
working tree itself, so here only the sign-off is computed (records re-verified against
HEAD's allowed_signers, exactly as `status` does). A spec whose working-tree bytes are
HEAD's blob (git's own blob hash says so) is not parsed a second time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from opsync.gate.evidence import Requirement, Tally
from opsync.workspace import Feature


def _blob_id(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def signoff_at_head(
    root: Path,
    parsed: Mapping[str, Feature] | None = None,
    paths: Sequence[str] | None = None,
) -> tuple[dict[str, Tally], str]:
    """Sign-off tallies by spec path at HEAD, and HEAD's sha; raises OpsyncError.
    `parsed`: specs already read from the working tree, by path, reused when unchanged;
    `paths`: only these specs (default: every spec at HEAD)."""
    from opsync.gate import gates
    from opsync.gate.engine import GateContext, feature_bundle, trusted_policy
    from opsync.gate.record_source import RecordEvidence
    from opsync.git import open_repo
    from opsync.workspace import Workspace

    with open_repo(root) as repo:
        head = repo.resolve("HEAD")
        tree = repo.tree(head, f"HEAD {head[:7]}")
        policy, signers = trusted_policy(tree, head)
        ws = Workspace(tree, policy)
        ctx = GateContext(repo, head, head, policy, signers, ws, None)
        roster = sorted({m for members in policy.roles.values() for m in members})
        ctx.sources.append(RecordEvidence(tree, policy.paths.approvals, signers, roster))
        need = Requirement((("ops", policy.min_approvals),))
        states: dict[str, Tally] = {}
        parsed = parsed or {}
        for path in ws.feature_paths() if paths is None else paths:
            if tree.blob_id(path) is None:
                continue  # not committed yet: no sign-off to verify
            feature = parsed.get(path)
            if feature is None or _blob_id(root / path) != tree.blob_id(path):
                feature = ws.feature_at(path)
            if feature is None or not policy.gate_applies("ops-signoff", feature.status):
                continue
            untracked = gates.untracked_materials(feature)
            if untracked is not None:
                result = untracked.result
                states[path] = Tally(result.state, result.message, result.hint)
            else:
                what = f"feature {feature.file_id}"
                states[path] = ctx.approve(feature_bundle(feature, tree), need, what)
            ws.release(path)
        return states, head
