"""`opsync status`: the gate table for features on any branch, at HEAD.

On main there is no PR base: the policy and allowed_signers of the commit itself are
trusted (they were merged through the gate), and records are re-verified against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from opsync.errors import ConfigError
from opsync.findings import Finding, exit_code_for, sort_findings
from opsync.gate import gates
from opsync.gate.bundle import Bundle
from opsync.gate.engine import GateContext, feature_bundle, trusted_policy
from opsync.gate.evidence import Requirement, Tally
from opsync.gate.identity import lazy_identity
from opsync.gate.record_source import RecordEvidence
from opsync.git import open_repo
from opsync.report.model import FeatureResult, Report
from opsync.workspace import Workspace


def run_status(
    repo_path: Path, ref: str, feature_ids: Sequence[str], today: date | None = None
) -> Report:
    repo = open_repo(repo_path)
    head = repo.resolve(ref)
    tree = repo.tree(head, f"{ref} {head[:7]}")
    policy, signers = trusted_policy(tree, head)
    ws = Workspace(tree, policy)
    ctx = GateContext(repo, head, head, policy, signers, ws, None)
    roster = sorted({m for members in policy.roles.values() for m in members})
    identity = lazy_identity(repo, head, policy)
    ctx.sources.append(RecordEvidence(tree, policy.paths.approvals, signers, roster, identity))
    if feature_ids:
        paths = [policy.paths.feature_path(f) for f in feature_ids]
        missing = [f for f in feature_ids if not ws.feature_exists(f)]
        if missing:
            raise ConfigError(
                f"no such feature: {', '.join(missing)}",
                f"feature specs live in {policy.paths.features}/",
            )
    else:
        paths = list(ws.feature_paths())
    results: list[FeatureResult] = []
    findings: list[Finding] = []
    need = Requirement((("ops", policy.min_approvals),))
    for path in paths:
        feature = ws.feature_at(path)
        if feature is None:
            continue
        bundle = feature_bundle(feature, tree)

        def signoff(b: Bundle = bundle, fid: str = feature.file_id) -> Tally:
            return ctx.approve(b, need, f"feature {fid}")

        result, gate_findings = gates.evaluate(feature, ws, signoff, today or date.today())
        results.append(result)
        findings += gate_findings
    everything = sort_findings([*findings, *ws.findings])
    return Report(
        "status",
        tuple(everything),
        exit_code_for(everything),
        tuple(results),
        policy.enforcement,
        head,
        head,
    )
