"""What a gate run knows, fixed once the refs are resolved: the trusted policy and
signers from the base, the head as data, and the evidence sources that may approve.

A forge's CI adapter (github/actions.py) hands the engine a `Forge` plan; the engine
never lets outside code reach into its state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from opsync.errors import ConfigError
from opsync.evidence.bundle import Bundle, make_bundle, material_paths
from opsync.evidence.record_source import Baseline
from opsync.evidence.roster import Roster, TeamLookup
from opsync.evidence.tally import EvidenceSource, Requirement, Tally, tally
from opsync.git import Repo
from opsync.workspace.model import Feature, Workspace, load_policy
from opsync.workspace.policy import POLICY_FILE, Paths, Policy
from opsync.workspace.source import FileSource, Kind


@dataclass(frozen=True)
class Forge:
    """What a forge adds to a run, decided by its CI adapter before the run starts."""

    name: str  # the `signoff.sources` entry its reviews answer to, e.g. "github"
    reviews: Callable[[], EvidenceSource] | None = None  # built only when the policy asks
    teams: TeamLookup | None = None  # resolves `@org/team` roster entries
    no_reviews: str = ""  # why `reviews` is None, for the report
    # Who opened the request, when the forge must be asked (GitLab: the API); the flag
    # says whether the policy consults this forge's approvals. None: not known.
    author: Callable[[bool], str | None] | None = None


@dataclass(frozen=True)
class GateContext:
    repo: Repo
    base: str  # full shas
    head: str
    merge_base: str
    policy: Policy  # trusted: from the base commit
    allowed_signers: bytes  # trusted: from the base commit
    ws: Workspace  # the head, as data
    author: str | None
    roster: Roster
    sources: tuple[EvidenceSource, ...] = ()
    notes: tuple[str, ...] = ()  # about the run itself (which evidence was consulted)
    _bundles: dict[tuple[str, str], Bundle | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def bundle_at(self, bundle: Bundle) -> Callable[[str], Bundle | None]:
        """The same bundle at another commit (an approval's), read once per commit."""

        def at(commit: str) -> Bundle | None:
            key = (bundle.id, commit)
            if key not in self._bundles:
                self._bundles[key] = self._bundle_then(bundle, commit)
            return self._bundles[key]

        return at

    def _bundle_then(self, bundle: Bundle, commit: str) -> Bundle | None:
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

    def approve(self, bundle: Bundle, requirement: Requirement, what: str) -> Tally:
        found = []
        for source in self.sources:
            found.extend(source.approvals(bundle, self.bundle_at(bundle)))
        return tally(
            found, requirement, self.roster.is_member, self.author, what, self.policy.members
        )


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
    return make_bundle(feature.file_id, paths, source)
