"""`opsync check`: judge a PR (base...head) under the BASE commit's policy.

Trust model (DESIGN §3.2): who may approve — roles and allowed_signers — is read from
the base commit only. Everything at the head is data: read from Git objects, never
executed, symlinks never followed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opsync.documents import markdown_doc
from opsync.documents.safe_yaml import YamlProblem
from opsync.errors import ConfigError, ExitCode
from opsync.findings import Finding, Severity, exit_code_for, sort_findings
from opsync.gate import gates
from opsync.gate.bundle import METRICS_BUNDLE, POLICY_BUNDLE, Bundle, make_bundle, material_paths
from opsync.gate.evidence import EvidenceSource, Requirement, Tally, tally
from opsync.gate.identity import lazy_identity
from opsync.gate.record_source import Baseline, RecordEvidence
from opsync.gate.touched import find_touched
from opsync.git import Repo, open_repo
from opsync.policy import POLICY_FILE, STATUSES, Paths, Policy
from opsync.report.model import FeatureResult, Report
from opsync.rules import registry as rules
from opsync.source import FileSource, Kind
from opsync.workspace import Feature, Workspace, load_policy

# Extra evidence sources (GitHub reviews) are built by the caller, which knows the PR.
SourceFactory = Callable[["GateContext"], EvidenceSource | None]


@dataclass(frozen=True)
class CheckOptions:
    repo: Path
    base: str
    head: str = "HEAD"
    pr_body: str = ""
    author: str | None = None  # the PR author may not approve their own PR
    today: date | None = None


@dataclass
class GateContext:
    repo: Repo
    base: str  # full shas
    head: str
    policy: Policy  # trusted: from the base commit
    allowed_signers: bytes  # trusted: from the base commit
    ws: Workspace  # the head, as data
    author: str | None
    sources: list[EvidenceSource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # `@org/team` roster entries are resolved by the forge (GitHub: team membership API).
    teams: Callable[[str, str], bool] | None = None
    _members: dict[tuple[str, str], bool] = field(default_factory=dict)

    def is_member(self, login: str, role: str) -> bool:
        """On the base roster by login; then through its teams, asked once each."""
        if self.policy.has_role(login, role):
            return True
        key = (login.casefold(), role)
        if key not in self._members:
            teams = [m for m in self.policy.members(role) if m.startswith("@") and "/" in m]
            resolve = self.teams
            self._members[key] = resolve is not None and any(resolve(t, login) for t in teams)
        return self._members[key]

    def bundle_at(self, bundle: Bundle) -> Callable[[str], Bundle | None]:
        def at(commit: str) -> Bundle | None:
            try:
                tree = self.repo.tree(self.repo.resolve(commit))
            except Exception:  # an unknown commit just means "cannot say what changed"
                return None
            # The spec then may have listed other materials: take its paths from then.
            then = None if bundle.id.startswith("@") else Workspace(tree, self.policy)
            feature = then.feature(bundle.id) if then is not None else None
            if feature is not None:
                return feature_bundle(feature, tree)
            return make_bundle(bundle.id, bundle.paths, tree)

        return at

    def approve(self, bundle: Bundle, requirement: Requirement, what: str) -> Tally:
        found = []
        for source in self.sources:
            found.extend(source.approvals(bundle, self.bundle_at(bundle)))
        return tally(found, requirement, self.is_member, self.author, what)


def trusted_policy(base_tree: FileSource, base: str) -> tuple[Policy, bytes]:
    policy, problems = load_policy(base_tree)
    if policy is None:
        first = problems[0] if problems else None
        detail = f"{first.path}:{first.line}: {first.message}" if first else "missing"
        raise ConfigError(
            f"the base commit {base[:7]} has no valid {POLICY_FILE} ({detail})",
            "merge opsync.yml into the base branch first (`opsync init`, then a PR "
            "reviewed by an admin)",
        )
    signers_path = policy.paths.allowed_signers
    signers = base_tree.read(signers_path) if base_tree.kind(signers_path) is Kind.FILE else b""
    return policy, signers


def policy_paths(base: Policy, head: FileSource) -> list[str]:
    """Every file that decides who may approve, at its base and at its head location: a
    PR that moves `allowed_signers` has the new file approved with the policy."""
    moved = _head_paths(head)
    signers = [moved.allowed_signers] if moved else []
    return sorted({POLICY_FILE, base.paths.allowed_signers, *signers})


def registry_paths(base: Policy, head: FileSource) -> list[str]:
    """The metric registry at its base and at its head location."""
    moved = _head_paths(head)
    return sorted({base.paths.metrics, *([moved.metrics] if moved else [])})


def _head_paths(head: FileSource) -> Paths | None:
    """`paths:` of the head's opsync.yml (untrusted data: only where files are)."""
    head_policy = load_policy(head)[0]
    return head_policy.paths if head_policy is not None else None


def make_baseline(repo: Repo, base: str, merge_base: str) -> Baseline:
    """What the PR changes from: records on `base` stand; new ones must approve the change
    from the merge base (the content the diff starts at)."""
    start = repo.at(merge_base)  # a few lookups, not a parse of 20,000-entry folders

    def digest_before(bundle: Bundle) -> str:
        return make_bundle(bundle.id, bundle.paths, start).digest

    return Baseline(
        repo.at(base),
        digest_before,
        lambda path, blob: repo.ever_committed(base, blob, path),
    )


def feature_bundle(feature: Feature, source: FileSource) -> Bundle:
    paths = [feature.path, *material_paths(feature.materials)]
    return make_bundle(feature.file_id, paths, source)  # type: ignore[arg-type]


def run_check(options: CheckOptions, factories: Sequence[SourceFactory] = ()) -> Report:
    repo = open_repo(options.repo)
    base = repo.resolve(options.base)
    head = repo.resolve(options.head)
    merge_base = repo.merge_base(base, head)  # exit 3, `fetch-depth: 0` advice, if missing
    policy, signers = trusted_policy(repo.tree(base, f"base {base[:7]}"), base)
    head_tree = repo.tree(head, f"head {head[:7]}")
    ws = Workspace(head_tree, policy)
    ctx = GateContext(repo, base, head, policy, signers, ws, options.author)
    roster = sorted({m for members in policy.roles.values() for m in members})
    if "record" in policy.sources:
        baseline = make_baseline(repo, base, merge_base)
        ctx.sources.append(
            RecordEvidence(
                head_tree,
                policy.paths.approvals,
                signers,
                roster,
                lazy_identity(repo, base, policy),
                baseline,
            )
        )
    for factory in factories:
        source = factory(ctx)
        if source is not None:
            ctx.sources.append(source)
    if "github" in policy.sources and not any(s.name == "github" for s in ctx.sources):
        ctx.notes.append(
            "GitHub reviews not consulted (no pull request event): only "
            "signed records count in this run"
        )

    touched = find_touched(repo.diff(base, head), ws, repo, head, options.pr_body)
    guarded = policy_paths(policy, head_tree)
    metrics = registry_paths(policy, head_tree)
    touched.policy_changed |= any(p in guarded for p in touched.changed)
    touched.registry_changed |= any(p in metrics for p in touched.changed)
    findings: list[Finding] = list(touched.findings)
    results: list[FeatureResult] = []
    today = options.today or date.today()
    for feature_id in sorted(touched.features):
        feature = ws.feature(feature_id)
        if feature is None:  # load problems are already in ws.findings
            if not ws.feature_exists(feature_id):
                findings.append(
                    Finding(
                        policy.paths.feature_path(feature_id),
                        0,
                        0,
                        "feature-deleted",
                        f"feature '{feature_id}' has no spec at the head",
                        "restore the spec and set `status: dropped`",
                    )
                )
            continue
        findings += rules.run("feature", feature, ws)
        bundle = feature_bundle(feature, head_tree)
        need = Requirement((("ops", policy.min_approvals),))

        def signoff(b: Bundle = bundle, fid: str = feature_id, n: Requirement = need) -> Tally:
            return ctx.approve(b, n, f"feature {fid}")

        result, gate_findings = gates.evaluate(feature, ws, signoff, today)
        findings += gate_findings
        before = _base_status(feature, repo, merge_base, touched.spec_before)
        result, moved_back = _transition(result, feature, before)
        findings += moved_back
        results.append(result)
    for week_path in touched.weeks:
        week = ws.week_at(week_path)
        if week is not None:
            findings += rules.run("week", week, ws)
    notes: list[str] = ctx.notes
    if touched.policy_changed:
        findings += _special(
            ctx,
            POLICY_BUNDLE,
            guarded,
            Requirement((("admins", 1),)),
            "policy-approval",
            "opsync.yml / allowed_signers",
            notes,
        )
        _, head_policy_problems = load_policy(head_tree)
        findings += head_policy_problems
    if touched.registry_changed:
        findings += _special(
            ctx,
            METRICS_BUNDLE,
            metrics,
            Requirement((("product", 1), ("ops", 1))),
            "registry-approval",
            "the metric registry",
            notes,
        )
        if ws.registry is not None:
            findings += rules.run("registry", ws.registry, ws)
    if not touched.features and not findings:
        notes.append("this PR touches no feature")
    everything = sort_findings([*findings, *ws.findings])
    code = exit_code_for(everything)
    if code is ExitCode.FINDINGS and not policy.blocking:
        notes.append("enforcement: advisory — these findings do not block the merge")
        code = ExitCode.OK
    return Report(
        "check",
        tuple(everything),
        code,
        tuple(results),
        policy.enforcement,
        base,
        head,
        tuple(notes),
    )


def _special(
    ctx: GateContext,
    bundle_id: str,
    paths: list[str],
    need: Requirement,
    rule: str,
    what: str,
    notes: list[str],
) -> list[Finding]:
    bundle = make_bundle(bundle_id, paths, ctx.ws.source)  # type: ignore[arg-type]
    verdict = ctx.approve(bundle, need, what)
    notes.extend(verdict.notes)
    if verdict.state.value == "pass":
        notes.append(f"{what} changed: {verdict.message}")
        return []
    return [
        Finding(
            paths[0],
            0,
            0,
            rule,
            f"{what} changed; judged under the base policy and {verdict.message}",
            f"changes to {what} need approval by {need.describe()} from the base "
            f"roster: `opsync approve {bundle_id}` or an approving PR review",
        )
    ]


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
        from opsync.workspace import finding_at

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
