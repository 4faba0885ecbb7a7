"""`opsync check`: judge a PR (base...head) under the BASE commit's policy.

Trust model (docs/gates.md): who may approve — roles and allowed_signers — is read from
the base commit only. Everything at the head is data: read from Git objects, never
executed, symlinks never followed.

The run is a few named steps: open the context (refs, trusted policy, evidence), find
what the PR touches, judge each touched feature and week, judge changes to the policy
and the registry, and put the report together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opsync.documents import markdown_doc
from opsync.documents.safe_yaml import YamlProblem
from opsync.errors import ExitCode
from opsync.evidence.bundle import METRICS_BUNDLE, POLICY_BUNDLE, make_bundle
from opsync.evidence.record_source import RecordEvidence
from opsync.evidence.roster import Roster
from opsync.evidence.tally import EvidenceSource, Requirement, Tally
from opsync.findings import Finding, Severity, exit_code_for, sort_findings
from opsync.gate import gates
from opsync.gate.context import (
    Forge,
    GateContext,
    feature_bundle,
    make_baseline,
    policy_paths,
    registry_paths,
    trusted_policy,
)
from opsync.gate.identity import lazy_identity
from opsync.gate.touched import Touched, find_touched
from opsync.git import Repo, open_repo
from opsync.results import FeatureResult, Report
from opsync.rules import registry as rules
from opsync.workspace.model import Feature, Workspace, load_policy
from opsync.workspace.policy import STATUSES


@dataclass(frozen=True)
class CheckOptions:
    repo: Path
    base: str
    head: str = "HEAD"
    pr_body: str = ""
    author: str | None = None  # the PR author may not approve their own PR
    today: date | None = None


@dataclass(frozen=True)
class ForgeRun:
    """What a forge's CI adapter (github/actions.py, gitlab/ci.py) makes of its
    environment: the options of this run and the forge's plan."""

    options: CheckOptions
    forge: Forge


@dataclass
class Judged:
    """What the steps found, gathered for the report."""

    findings: list[Finding] = field(default_factory=list)
    results: list[FeatureResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_check(options: CheckOptions, forge: Forge | None = None) -> Report:
    with open_repo(options.repo) as repo:
        ctx = open_context(repo, options, forge)
        touched = find_touched(
            repo.diff(ctx.base, ctx.head), ctx.ws, repo, ctx.head, options.pr_body
        )
        judged = Judged(list(touched.findings), notes=list(ctx.notes))
        for feature_id in sorted(touched.features):
            judge_feature(ctx, feature_id, touched, options.today or date.today(), judged)
        judge_weeks(ctx, touched, judged)
        judge_policy_and_registry(ctx, touched, judged)
        return make_report(ctx, touched, judged)


def open_context(repo: Repo, options: CheckOptions, forge: Forge | None) -> GateContext:
    """Resolve the refs once, read the trusted policy at the base, gather the evidence."""
    base, head = repo.resolve(options.base), repo.resolve(options.head)
    merge_base = repo.merge_base(base, head)  # exit 3, `fetch-depth: 0` advice, if missing
    policy, signers = trusted_policy(repo.tree(base, f"base {base[:7]}"), base)
    head_tree = repo.tree(head, f"head {head[:7]}")
    roster = Roster(policy, forge.teams if forge else None)
    sources: list[EvidenceSource] = []
    notes: list[str] = []
    if "record" in policy.sources:
        sources.append(
            RecordEvidence(
                head_tree,
                policy.paths.approvals,
                signers,
                roster.logins,
                lazy_identity(repo, base, policy),
                make_baseline(repo, base, merge_base),
            )
        )
    consulted = forge is not None and forge.name in policy.sources
    if forge is not None and consulted:
        if forge.reviews is not None:
            sources.append(forge.reviews())
        elif forge.no_reviews:
            notes.append(forge.no_reviews)
    for name, what, why in (
        ("github", "GitHub reviews", "no pull request event"),
        ("gitlab", "GitLab approvals", "no merge request pipeline"),
    ):
        if name in policy.sources and not any(s.name == name for s in sources):
            notes.append(f"{what} not consulted ({why}): only signed records count in this run")
    # The forge's word on who opened the request beats an --author flag.
    author = (forge.author(consulted) if forge and forge.author else None) or options.author
    ws = Workspace(head_tree, policy)
    return GateContext(
        repo=repo,
        base=base,
        head=head,
        merge_base=merge_base,
        policy=policy,
        allowed_signers=signers,
        ws=ws,
        author=author,
        roster=roster,
        sources=tuple(sources),
        notes=tuple(notes),
    )


def judge_feature(
    ctx: GateContext, feature_id: str, touched: Touched, today: date, out: Judged
) -> None:
    """Lint rules and every gate for one touched feature, and its status move."""
    ws, policy = ctx.ws, ctx.policy
    feature = ws.feature(feature_id)
    if feature is None:  # its load problems are reported with the workspace's
        if not ws.feature_exists(feature_id):
            out.findings.append(
                Finding(
                    path=policy.paths.feature_path(feature_id),
                    line=0,
                    col=0,
                    rule="feature-deleted",
                    message=f"feature '{feature_id}' has no spec at the head",
                    hint="restore the spec and set `status: dropped`",
                )
            )
        return
    linted = rules.run("feature", feature, ws)
    out.findings.extend(linted)
    bundle = feature_bundle(feature, ws.source)
    need = Requirement((("ops", policy.min_approvals),))

    def signoff() -> Tally:
        return ctx.approve(bundle, need, f"feature {feature_id}")

    result, gate_findings = gates.evaluate(feature, ws, signoff, today, linted)
    out.findings.extend(gate_findings)
    before = _base_status(feature, ctx.repo, ctx.merge_base, touched.spec_before)
    result, moved_back = _transition(result, feature, before)
    out.findings.extend(moved_back)
    out.results.append(result)


def judge_weeks(ctx: GateContext, touched: Touched, out: Judged) -> None:
    for week_path in touched.weeks:
        week = ctx.ws.week_at(week_path)
        if week is not None:
            out.findings.extend(rules.run("week", week, ctx.ws))


def judge_policy_and_registry(ctx: GateContext, touched: Touched, out: Judged) -> None:
    """A policy change needs an admin; a registry change a product and an ops member."""
    policy, ws = ctx.policy, ctx.ws
    # Every file that decides who may approve, at its base and at its head location.
    guarded = policy_paths(policy, ws.source)
    metrics = registry_paths(policy, ws.source)
    if touched.policy_changed or any(p in guarded for p in touched.changed):
        _special(
            ctx,
            POLICY_BUNDLE,
            guarded,
            Requirement((("admins", 1),)),
            "policy-approval",
            "opsync.yml / allowed_signers",
            out,
        )
        _, head_policy_problems = load_policy(ws.source)
        out.findings.extend(head_policy_problems)
    if touched.registry_changed or any(p in metrics for p in touched.changed):
        _special(
            ctx,
            METRICS_BUNDLE,
            metrics,
            Requirement((("product", 1), ("ops", 1))),
            "registry-approval",
            "the metric registry",
            out,
        )
        if ws.registry is not None:
            out.findings.extend(rules.run("registry", ws.registry, ws))


def make_report(ctx: GateContext, touched: Touched, judged: Judged) -> Report:
    policy, notes = ctx.policy, judged.notes
    if not touched.features and not judged.findings:
        notes.append("this PR touches no feature")
    # A PR is judged on what it touches: a spec read only to see whether its `code:`
    # globs match (and found broken) is not this PR's problem.
    relevant = {*touched.changed, *(policy.paths.feature_path(f) for f in touched.features)}
    loaded = [f for f in ctx.ws.problems() if f.path in relevant]
    everything = sort_findings([*judged.findings, *loaded])
    code = exit_code_for(everything)
    if code is ExitCode.FINDINGS and not policy.blocking:
        notes.append("enforcement: advisory — these findings do not block the merge")
        code = ExitCode.OK
    return Report(
        command="check",
        findings=tuple(everything),
        exit_code=code,
        features=tuple(judged.results),
        enforcement=policy.enforcement,
        base=ctx.base,
        head=ctx.head,
        notes=tuple(notes),
        lang=policy.lang,
    )


def _special(
    ctx: GateContext,
    bundle_id: str,
    paths: list[str],
    need: Requirement,
    rule: str,
    what: str,
    out: Judged,
) -> None:
    bundle = make_bundle(bundle_id, paths, ctx.ws.source)
    verdict = ctx.approve(bundle, need, what)
    out.notes.extend(verdict.notes)
    if verdict.state.value == "pass":
        out.notes.append(f"{what} changed: {verdict.message}")
        return
    out.findings.append(
        Finding(
            path=paths[0],
            line=0,
            col=0,
            rule=rule,
            message=f"{what} changed; judged under the base policy and {verdict.message}",
            hint=f"changes to {what} need approval from the base roster "
            f"({need.describe(ctx.policy.members)}): `opsync approve {bundle_id}`, "
            "or an approval of the pull/merge request",
        )
    )


def _base_status(
    feature: Feature, repo: Repo, merge_base: str, before: dict[str, str | None]
) -> str | None:
    """The spec's status at the merge base; unchanged specs keep the head's."""
    if feature.file_id not in before:
        return feature.status
    path = before[feature.file_id]
    raw = repo.blob_at(merge_base, path) if path else None
    if raw is None:
        return None
    try:
        meta = markdown_doc.parse(raw).meta
    except YamlProblem:
        return None
    return str(meta.get("status")) if isinstance(meta, dict) else None


def _transition(
    result: FeatureResult, feature: Feature, before: str | None
) -> tuple[FeatureResult, list[Finding]]:
    """The status move base -> head, shown in the table; moving back is a warning."""
    after = feature.status
    if before is None or before == after:
        return result, []
    moved = FeatureResult(
        result.feature, result.title, f"{before} → {after}", result.path, result.gates
    )
    if before in STATUSES and after in STATUSES and STATUSES.index(after) < STATUSES.index(before):
        from opsync.documents.located import finding_at

        return moved, [
            finding_at(
                feature.doc,
                feature.path,
                ["status"],
                "status-transition",
                f"{feature.id}: status moves back from {before} to {after}",
                "moving back is allowed, but say why in the PR",
                Severity.WARNING,
            )
        ]
    return moved, []
