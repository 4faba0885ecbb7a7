"""Writing a signed approval record (the library behind `opsync approve`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from opsync.errors import ConfigError
from opsync.evidence import records, sshsig
from opsync.evidence.bundle import METRICS_BUNDLE, POLICY_BUNDLE, Bundle, make_bundle
from opsync.gate.context import feature_bundle, trusted_policy
from opsync.git import open_repo
from opsync.workspace.model import Workspace
from opsync.workspace.policy import POLICY_FILE
from opsync.workspace.source import FileSource, WorktreeSource


@dataclass(frozen=True)
class Approved:
    path: str
    reviewer: str
    digest: str
    replaced: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)


def approve(
    repo_path: Path, feature_id: str, key: Path, login: str | None, ref: str = "HEAD"
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
        bundle = _bundle(feature_id, Workspace(tree, policy), tree)
        worktree = WorktreeSource(repo.root)
        warnings = [
            f"{p} has uncommitted changes; you approve the committed version"
            for p in bundle.paths
            if _dirty(worktree.blob_id(p), tree.blob_id(p))
        ]
    if not feature_id.startswith("@") and not policy.has_role(reviewer, "ops"):
        warnings.append(f"{reviewer} is not in roles.ops; the gate will not count this")
    record = records.create(feature_id, reviewer, bundle.digest, key, commit=head)
    rel = records.record_path(policy.paths.approvals, feature_id, reviewer)
    target = repo.root / rel
    replaced = target.exists()
    from opsync.fsutil import write_atomic

    write_atomic(target, records.dump(record))
    return Approved(rel, reviewer, bundle.digest, replaced, tuple(warnings))


def _bundle(feature_id: str, ws: Workspace, tree: FileSource) -> Bundle:
    paths = ws.policy.paths
    if feature_id == POLICY_BUNDLE:
        return make_bundle(feature_id, [POLICY_FILE, paths.allowed_signers], tree)
    if feature_id == METRICS_BUNDLE:
        return make_bundle(feature_id, [paths.metrics], tree)
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
    """Does the working-tree file differ from the committed blob? (a link never counts)"""
    return committed is not None and on_disk is not None and on_disk != committed
