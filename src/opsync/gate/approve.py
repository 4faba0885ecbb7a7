"""Writing a signed approval record (the library behind `opsync approve`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from opsync.errors import ConfigError
from opsync.evidence import records, sshsig
from opsync.evidence.bundle import METRICS_BUNDLE, POLICY_BUNDLE, Bundle, make_bundle
from opsync.gate.context import feature_bundle, policy_paths, registry_paths, trusted_policy
from opsync.gate.identity import repo_identity
from opsync.git import Repo, open_repo
from opsync.workspace.model import Workspace
from opsync.workspace.policy import POLICY_FILE, Policy
from opsync.workspace.source import FileSource, Kind, WorktreeSource


@dataclass(frozen=True)
class Approved:
    path: str
    reviewer: str
    digest: str
    replaced: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)


# Where a PR usually merges into, when --base is not given.
DEFAULT_BASES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")


def approve(
    repo_path: Path,
    feature_id: str,
    key: Path,
    login: str | None,
    ref: str = "HEAD",
    base: str | None = None,
) -> Approved:
    if not key.is_file():  # before guessing a login from it, which would blame the login
        raise ConfigError(
            f"SSH key {key} does not exist or is not a file",
            "pass --key with your private key, or its .pub with the key loaded in ssh-agent",
        )
    with open_repo(repo_path) as repo:
        head = repo.resolve(ref)
        tree = repo.tree(head, f"HEAD {head[:7]}")
        policy, signers = trusted_policy(tree, head)
        reviewer = login or _login_for_key(key, signers, policy.paths.allowed_signers)
        start = repo.merge_base(_base_ref(repo, base), head)
        start_tree = repo.tree(start, f"merge base {start[:7]}")
        # What the gate trusts: the merge base's policy (HEAD's when the base has none yet).
        at_start = start_tree.kind(POLICY_FILE) is Kind.FILE
        base_policy = trusted_policy(start_tree, start)[0] if at_start else policy
        bundle = _bundle(feature_id, Workspace(tree, policy), tree, base_policy)
        warnings = [
            f"{p} has uncommitted changes; you approve the committed version"
            for p in bundle.paths
            if _dirty(WorktreeSource(repo.root).blob_id(p), tree.blob_id(p))
        ]
        if not feature_id.startswith("@") and not policy.has_role(reviewer, "ops"):
            warnings.append(f"{reviewer} is not in roles.ops; the gate will not count this")
        before = make_bundle(bundle.id, bundle.paths, repo.at(start))  # as the gate reads it
        record = records.create(
            feature_id,
            reviewer,
            bundle.digest,
            key,
            commit=head,
            base=before.digest,
            repo=repo_identity(repo, start, base_policy),
        )
        rel = records.record_path(policy.paths.approvals, feature_id, reviewer)
        from opsync.fsutil import inside, write_atomic

        try:
            target = inside(repo.root, rel)
        except OSError as exc:
            raise ConfigError(
                f"refusing to write {rel}: {exc.filename} is a symlink or not a folder",
                f"make {exc.filename} a real folder of the repository "
                "(records never go through links)",
            ) from None
        replaced = target.exists()
        write_atomic(target, records.dump(record))
        inside(repo.root, rel)  # still no link on the way (a folder swapped meanwhile)
        return Approved(rel, reviewer, bundle.digest, replaced, tuple(warnings))


def _base_ref(repo: Repo, base: str | None) -> str:
    """The branch the change merges into: the approval is for the change from there."""
    if base is not None:
        return repo.resolve(base)
    for name in DEFAULT_BASES:
        try:
            return repo.resolve(name)
        except ConfigError:
            continue
    raise ConfigError(
        "cannot tell which branch this change merges into",
        "pass --base with the pull request's target branch, e.g. `--base origin/main`",
    )


def _bundle(feature_id: str, ws: Workspace, tree: FileSource, base: Policy) -> Bundle:
    paths = ws.policy.paths
    if feature_id == POLICY_BUNDLE:
        return make_bundle(feature_id, policy_paths(base, ws.source), tree)
    if feature_id == METRICS_BUNDLE:
        return make_bundle(feature_id, registry_paths(base, ws.source), tree)
    loaded = ws.load_feature(paths.feature_path(feature_id))
    feature = loaded.value
    if feature is None:
        problems = "; ".join(f.message for f in loaded.problems) or "no spec at HEAD"
        raise ConfigError(
            f"cannot approve '{feature_id}': {problems}",
            f"commit {paths.feature_path(feature_id)} first (approvals cover committed content)",
        )
    return feature_bundle(feature, tree)


def _login_for_key(key: Path, signers: bytes, signers_path: str) -> str:
    public = key if key.suffix == ".pub" else key.with_name(key.name + ".pub")
    if public.is_file():
        parts = public.read_text(encoding="utf-8", errors="replace").split()
        blob = parts[1] if len(parts) > 1 else ""
        for line in signers.decode("utf-8", "replace").splitlines():
            if blob and blob in line.split() and not line.lstrip().startswith("#"):
                names = sshsig.principals(line.encode())
                if names:
                    return names[0]
    raise ConfigError(
        f"cannot tell your login from {key}",
        f"pass --as LOGIN, or add your public key to {signers_path} on the base branch",
    )


def _dirty(on_disk: str | None, committed: str | None) -> bool:
    """Does the working-tree file differ from the committed blob? The working-tree side
    is read only through real folders (WorktreeSource), never through a link."""
    return committed is not None and on_disk is not None and on_disk != committed
