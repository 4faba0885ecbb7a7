"""Which features a PR touches (docs/gates.md): a changed spec, a changed local launch
material, a changed file under a feature's `code:` globs, or `Feature: <id>` in the PR
body. Cost is O(changed files): a material under `launch/<id>/` names its feature; only
code and materials elsewhere are searched for, with one `git grep` over the head's specs
(never by parsing every spec)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from opsync.evidence.bundle import material_paths
from opsync.findings import Finding
from opsync.git import Change, Repo
from opsync.globs import matches
from opsync.workspace.model import Workspace

FEATURE_LINE = re.compile(
    r"^[ \t>*-]*Feature:[ \t]*`?([a-z0-9][a-z0-9-]*)`?[ \t]*$", re.MULTILINE | re.IGNORECASE
)


@dataclass
class Touched:
    features: dict[str, str] = field(default_factory=dict)  # id -> why it is touched
    findings: list[Finding] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # every changed path (both rename ends)
    weeks: list[str] = field(default_factory=list)
    policy_changed: bool = False
    registry_changed: bool = False
    # id -> the spec's path at the merge base, for specs this PR changed (None: added)
    spec_before: dict[str, str | None] = field(default_factory=dict)

    def add(self, feature_id: str, why: str) -> None:
        self.features.setdefault(feature_id, why)


def _spec_id(path: str, folder: str) -> str | None:
    if (
        path.startswith(folder + "/")
        and path.endswith(".md")
        and "/" not in path[len(folder) + 1 :]
    ):
        return path[len(folder) + 1 : -3]
    return None


def find_touched(
    changes: Sequence[Change], ws: Workspace, repo: Repo, head: str, pr_body: str
) -> Touched:
    paths = ws.policy.paths
    out = Touched()
    others: list[str] = []
    for change in changes:
        ends = [change.path] + ([change.old_path] if change.old_path else [])
        out.changed.extend(ends)
        new_id = _spec_id(change.path, paths.features)
        old_id = _spec_id(change.old_path, paths.features) if change.old_path else None
        if change.status == "D" and new_id:
            out.findings.append(_deleted(change.path, new_id, "deleted"))
        elif old_id and not new_id:
            out.findings.append(
                _deleted(
                    change.old_path or "",
                    old_id,
                    f"moved out of {paths.features}/ to {change.path}",
                )
            )
        elif new_id:
            if old_id and old_id != new_id and not ws.feature_exists(old_id):
                # A rename deletes the old feature (git pairs a delete and an add as R<score>).
                out.findings.append(_deleted(change.old_path or "", old_id, f"renamed to {new_id}"))
            out.add(new_id, "spec renamed" if old_id and old_id != new_id else "spec changed")
            out.spec_before[new_id] = (
                None if change.status == "A" else (change.old_path or change.path)
            )
        for path in ends:
            if path in ("opsync.yml", paths.allowed_signers):
                out.policy_changed = True
            elif path == paths.metrics:
                out.registry_changed = True
            elif path.startswith(paths.approvals + "/"):
                parts = path[len(paths.approvals) + 1 :].split("/")
                if len(parts) == 2 and not parts[0].startswith("@"):
                    out.add(parts[0], "approval record changed")
            elif _spec_id(path, paths.weeks) and change.status != "D":
                out.weeks.append(path)
            elif not _spec_id(path, paths.features):
                others.append(path)
    _by_launch_folder(others, ws, out)
    elsewhere = [p for p in others if paths.launch_owner(p) is None and not paths.is_opsync_file(p)]
    if elsewhere:  # only code and stray materials need a search over the specs
        _by_grep(elsewhere, ws, repo, head, out)
    # A body edited in GitHub's web UI has CRLF line ends: `$` must still match.
    body = (pr_body or "").replace("\r\n", "\n").replace("\r", "\n")
    for named in FEATURE_LINE.findall(body):
        feature_id = named.lower()
        if ws.feature_exists(feature_id):
            out.add(feature_id, "named in the PR body")
        else:
            out.findings.append(
                Finding(
                    path="(PR body)",
                    line=0,
                    col=0,
                    rule="no-feature",
                    message=f"the PR body names feature '{feature_id}', "
                    "which does not exist at head",
                    hint=f"fix the `Feature:` line or create {paths.feature_path(feature_id)}",
                )
            )
    _require_feature(out, ws)
    return out


def _by_launch_folder(others: list[str], ws: Workspace, out: Touched) -> None:
    """`launch/<id>/...` belongs to feature <id> alone (a lint rule keeps it so): read that
    one spec instead of searching them all."""
    for path in others:
        owner = ws.policy.paths.launch_owner(path)
        feature = ws.feature(owner) if owner else None
        if feature is not None and path in material_paths(feature.materials):
            out.add(feature.file_id, f"launch material changed: {path}")


# The grep is a pre-filter, so it must find a superset of the specs that concern a
# change, however their YAML is spelled. A `code` key, quoted or not (`"code":`,
# `code :`, `!!str code`, an anchor later used as the key), holds the letters `code`
# unless a double-quoted escape spells it (`"\x63ode"`): hence `code` and a backslash.
# A material path is normalised (`./`, `//`), so what it always holds literally,
# escapes aside, is the changed file's last component.
_ALWAYS = ("code", "\\")


def _by_grep(changed: list[str], ws: Workspace, repo: Repo, head: str, out: Touched) -> None:
    """Specs that may list a changed file as a material or have `code:` globs, in one
    `git grep` over the head's specs; then exact checks (YAML parsed) on just those."""
    wanted = set(changed)
    names = sorted({p.rsplit("/", 1)[-1] for p in changed})
    for spec in repo.grep_files(head, [*names, *_ALWAYS], ws.policy.paths.features):
        if _spec_id(spec, ws.policy.paths.features) is None:
            continue
        feature = ws.feature_at(spec)
        if feature is None:
            continue
        hit = sorted(wanted.intersection(material_paths(feature.materials)))
        if hit:
            out.add(feature.file_id, f"launch material changed: {hit[0]}")
        code = next((p for p in changed if feature.code and matches(p, feature.code)), None)
        if code:
            out.add(feature.file_id, f"governs changed code: {code}")


def _require_feature(out: Touched, ws: Workspace) -> None:
    globs = ws.policy.require_feature_for
    if not globs or out.features:
        return
    needing = [p for p in out.changed if matches(p, globs)]
    if needing:
        more = f" and {len(needing) - 1} more" if len(needing) > 1 else ""
        out.findings.append(
            Finding(
                path=needing[0],
                line=0,
                col=0,
                rule="no-feature",
                message=f"no aligned metric: this PR changes {needing[0]}{more} "
                f"(require_feature_for) but touches no feature",
                hint="touch the feature's spec, add a `Feature: <id>` line to the PR body, or list "
                "this code under a feature's `code:` globs",
            )
        )


def _deleted(path: str, feature_id: str, how: str) -> Finding:
    return Finding(
        path=path,
        line=0,
        col=0,
        rule="feature-deleted",
        message=f"feature '{feature_id}' spec was {how}",
        hint="keep the spec and set `status: dropped`; history and approvals stay auditable",
    )
