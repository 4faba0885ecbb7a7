"""The ops sign-off of every feature at HEAD, for the dashboard: only that gate.

`opsync status` evaluates every gate at HEAD; the dashboard runs the other gates on the
working tree itself, so here only the sign-off is computed (records re-verified against
HEAD's allowed_signers, exactly as `status` does). A spec whose working-tree bytes are
HEAD's blob (git's own blob hash says so) is not parsed a second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from opsync.evidence.tally import Requirement, Tally
from opsync.workspace.model import Feature


def signoff_at_head(
    root: Path,
    parsed: Mapping[str, Feature] | None = None,
    paths: Sequence[str] | None = None,
) -> tuple[dict[str, Tally], str]:
    """Sign-off tallies by spec path at HEAD, and HEAD's sha; raises OpsyncError.
    `parsed`: specs already read from the working tree, by path, reused when unchanged;
    `paths`: only these specs (default: every spec at HEAD)."""
    from opsync.gate import gates
    from opsync.gate.context import feature_bundle
    from opsync.gate.status import head_context
    from opsync.git import open_repo
    from opsync.results import Gate
    from opsync.workspace.source import WorktreeSource

    worktree = WorktreeSource(root)
    with open_repo(root) as repo:
        ctx = head_context(repo, "HEAD")
        head, policy, ws, tree = ctx.head, ctx.policy, ctx.ws, ctx.ws.source
        need = Requirement((("ops", policy.min_approvals),))
        states: dict[str, Tally] = {}
        parsed = parsed or {}
        for path in ws.feature_paths() if paths is None else paths:
            if tree.blob_id(path) is None:
                continue  # not committed yet: no sign-off to verify
            feature = parsed.get(path)
            if feature is None or worktree.blob_id(path) != tree.blob_id(path):
                feature = ws.feature_at(path)
            if feature is None or not policy.gate_applies(Gate.OPS_SIGNOFF, feature.status):
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
