"""Bundles: the content an approval is about, and its digest (docs/gates.md).

A feature's bundle is its spec plus its local launch materials; the digest is the sha256
over the sorted `path blob-id` lines. An approval made at commit C counts while the
digest at C equals the digest at the PR head, so unrelated pushes keep approvals and
any change to the spec or a material makes them stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from opsync.workspace.source import normalize

POLICY_BUNDLE = "@policy"  # opsync.yml + allowed_signers: admins approve
METRICS_BUNDLE = "@metrics"  # the registry: a product and an ops member approve


class BlobSource(Protocol):
    """Where blob ids come from: a FileSource, or a commit's lookups (Repo.at)."""

    def blob_id(self, path: str) -> str | None: ...


@dataclass(frozen=True)
class Bundle:
    id: str  # feature id, or @policy / @metrics
    paths: tuple[str, ...]
    lines: tuple[str, ...]  # sorted `path blob-id`, `-` for an absent file

    @property
    def digest(self) -> str:
        text = "".join(f"{line}\n" for line in self.lines)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def material_paths(materials: Sequence[dict[str, object]]) -> list[str]:
    """Local (in-repo, relative) material paths; unsafe ones are left to the gate."""
    paths = []
    for item in materials:
        raw = item.get("path")
        if isinstance(raw, str) and (clean := normalize(raw)):
            paths.append(clean)
    return paths


def make_bundle(bundle_id: str, paths: Sequence[str], source: BlobSource) -> Bundle:
    unique = sorted(set(paths))
    lines = tuple(f"{p} {source.blob_id(p) or '-'}" for p in unique)
    return Bundle(bundle_id, tuple(unique), lines)


def changed_paths(old: Bundle, new: Bundle) -> list[str]:
    """Paths whose content differs between two versions of a bundle."""
    before = dict(line.rsplit(" ", 1) for line in old.lines)
    after = dict(line.rsplit(" ", 1) for line in new.lines)
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
