"""`opsync status`: the gate table for features on any branch, at HEAD.

On main there is no PR base: the policy and allowed_signers of the commit itself are
trusted (they were merged through the gate), and records are re-verified against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from opsync.errors import ConfigError
from opsync.evidence.bundle import Bundle
from opsync.evidence.record_source import RecordEvidence
from opsync.evidence.roster import Roster
from opsync.evidence.tally import Requirement, Tally
from opsync.findings import Finding, exit_code_for, sort_findings
from opsync.gate import gates
from opsync.gate.context import GateContext, feature_bundle, trusted_policy
from opsync.gate.identity import lazy_identity
from opsync.git import Repo, open_repo
from opsync.results import FeatureResult, Report
from opsync.workspace.model import Workspace


def run_status(
    repo_path: Path, ref: str, feature_ids: Sequence[str], today: date | None = None
) -> Report:
    with open_repo(repo_path) as repo:
        return _status(head_context(repo, ref), feature_ids, today or date.today())


def head_context(repo: Repo, ref: str) -> GateContext:
    """A commit judged on its own: its policy and allowed_signers are trusted (they were
    merged through the gate), and its signed records re-verified against them."""
    head = repo.resolve(ref)
    tree = repo.tree(head, f"{ref} {head[:7]}")
    policy, signers = trusted_policy(tree, head)
    roster = Roster(policy)
    identity = lazy_identity(repo, head, policy)
    records = RecordEvidence(tree, policy.paths.approvals, signers, roster.logins, identity)
    return GateContext(
        repo=repo,
        base=head,
        head=head,
        merge_base=head,
        policy=policy,
        allowed_signers=signers,
        ws=Workspace(tree, policy),
        author=None,
        roster=roster,
        sources=(records,),
    )


def _status(ctx: GateContext, feature_ids: Sequence[str], today: date) -> Report:
    ws, policy = ctx.ws, ctx.policy
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
        bundle = feature_bundle(feature, ws.source)

        def signoff(b: Bundle = bundle, fid: str = feature.file_id) -> Tally:
            return ctx.approve(b, need, f"feature {fid}")

        result, gate_findings = gates.evaluate(feature, ws, signoff, today)
        results.append(result)
        findings += gate_findings
    everything = sort_findings([*findings, *ws.problems()])
    return Report(
        command="status",
        findings=tuple(everything),
        exit_code=exit_code_for(everything),
        features=tuple(results),
        enforcement=policy.enforcement,
        base=ctx.head,
        head=ctx.head,
        lang=policy.lang,
    )
