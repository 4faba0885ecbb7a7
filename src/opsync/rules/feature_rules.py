"""Rules on feature specs (docs/file-formats.md). Gates (§3) build on these in `opsync.gate`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from opsync.documents.located import finding_at
from opsync.findings import Finding, Severity
from opsync.globs import GLOB_HINT, glob_problem
from opsync.rules.registry import rule
from opsync.workspace.model import Feature, Workspace
from opsync.workspace.source import Kind, normalize

TARGET = "feature"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # NUL would crash the OS lookup; the rest hide


def _short(text: str, limit: int = 80) -> str:
    """Quoted, escaped and cut: a path from a hostile file must not flood the report."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 4] + "...'"


def _kind(source: Any, path: str) -> Kind | None:
    """The file's kind, or None when the OS refuses the name (ENAMETOOLONG and the like)."""
    try:
        kind: Kind = source.kind(path)
    except (OSError, ValueError):
        return None
    return kind


@rule("feature-id", TARGET, "A spec's `id` equals its file name.")
def feature_id(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    if feature.id != feature.file_id:
        yield finding_at(
            feature.doc,
            feature.path,
            ["id"],
            "feature-id",
            f"id '{feature.id}' differs from the file name '{feature.file_id}.md'",
            f"set `id: {feature.file_id}` or rename the file to {feature.id}.md",
        )


@rule("feature-owners", TARGET, "The product and ops owners are on the roster (ops from day one).")
def owners(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    for role in ("product", "ops"):
        login = feature.owners.get(role)
        if not login and feature.status != "dropped":
            yield finding_at(
                feature.doc,
                feature.path,
                ["owners", role],
                "feature-owners",
                f"the feature has no {role} owner",
                f"set owners.{role} to a login from roles.{role}: both sides own it from day one",
            )
        elif login and not ws.policy.has_role(login, role):
            yield finding_at(
                feature.doc,
                feature.path,
                ["owners", role],
                "feature-owners",
                f"{role} owner '{login}' is not in roles.{role}",
                f"use a login listed under roles.{role} in opsync.yml",
            )


@rule("feature-week", TARGET, "The `week` a spec names has a week doc.")
def week(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    from opsync.isoweek import parse_week

    value = feature.meta.get("week")
    try:
        if value:
            parse_week(value)
    except ValueError as exc:  # `2025-W53`, `0000-W01`: no such week in the calendar
        yield finding_at(
            feature.doc,
            feature.path,
            ["week"],
            "feature-week",
            str(exc),
            "name an existing ISO week, e.g. `week: 2026-W48`",
        )
        return
    if value and not ws.week_exists(value):
        yield finding_at(
            feature.doc,
            feature.path,
            ["week"],
            "feature-week",
            f"week doc {ws.policy.paths.week_path(value)} does not exist",
            f"create it with `opsync new week --week {value}`",
        )


@rule("feature-metric", TARGET, "The spec's metric is in the registry and aligned.")
def metric(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    registry = ws.registry
    name = feature.meta.get("metric")
    if registry is None:
        return
    if not name:
        yield finding_at(
            feature.doc,
            feature.path,
            ["metric"],
            "feature-metric",
            "the feature names no metric",
            "set `metric:` to a key metric, or one that feeds a key metric",
        )
        return
    if name not in registry.metrics:
        yield finding_at(
            feature.doc,
            feature.path,
            ["metric"],
            "feature-metric",
            f"metric '{name}' is not in the registry",
            "name a metric from opsync/metrics.yml",
        )
    elif name not in registry.aligned:
        yield finding_at(
            feature.doc,
            feature.path,
            ["metric"],
            "feature-metric",
            f"metric '{name}' is not aligned: it is not a key metric and feeds none",
            "pick a key metric, or one whose formula path leads to one",
        )


REQUIRED_SECTIONS = ("ops-insight", "functional-validation")


@rule(
    "feature-sections",
    TARGET,
    "Specs have ops-insight and functional-validation sections; user-facing ones a launch plan.",
)
def sections(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    needed = REQUIRED_SECTIONS + (("launch-plan",) if feature.user_facing else ())
    found = feature.doc.sections
    titles = ws.policy.section_titles
    for name in needed:
        if name not in found:
            title = titles.get(name, (name,))[0]
            yield Finding(
                path=feature.path,
                line=feature.doc.body_line,
                col=1,
                rule="feature-sections",
                message=f"section '{name}' is missing",
                hint=f"add `<!-- opsync:{name} -->` and a `## {title}` heading",
            )


@rule("feature-code-glob", TARGET, "Every `code:` glob can match a path (none silently never).")
def code_globs(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    for index, pattern in enumerate(feature.code):
        problem = glob_problem(pattern) if isinstance(pattern, str) else None
        if problem:
            yield finding_at(
                feature.doc,
                feature.path,
                ["code", index],
                "feature-code-glob",
                f"code glob {_short(pattern)} never matches: it {problem}",
                GLOB_HINT,
            )


@rule(
    "feature-material-path",
    TARGET,
    "Launch material paths are relative, inside the repo, and regular files when present.",
)
def material_paths(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    for index, item in enumerate(feature.materials):
        path = item.get("path")
        if path is None:
            continue
        keys: list[str | int] = ["launch_materials", index, "path"]
        clean = normalize(path)
        if clean is None or _CONTROL.search(clean):
            yield finding_at(
                feature.doc,
                feature.path,
                keys,
                "feature-material-path",
                f"material path {_short(path)} is absolute, leaves the repo or has "
                "control characters",
                "use a path relative to the repo root, e.g. launch/<id>/copy.md",
            )
            continue
        paths = ws.policy.paths
        owner = paths.launch_owner(clean)
        if paths.is_opsync_file(clean) or (owner is not None and owner != feature.file_id):
            # The gate finds a changed material's feature from its folder (O(changed files));
            # a material elsewhere in opsync/ or in another feature's folder would hide.
            where = (
                f"in the launch folder of feature '{owner}'"
                if owner
                else "one of opsync's own files"
            )
            yield finding_at(
                feature.doc,
                feature.path,
                keys,
                "feature-material-path",
                f"material {clean} is {where}",
                f"keep this feature's materials under {paths.launch}/{feature.file_id}/ "
                "(or anywhere outside opsync/ and other features' launch folders)",
            )
            continue
        kind = _kind(ws.source, clean)
        if kind is Kind.MISSING:
            yield finding_at(
                feature.doc,
                feature.path,
                keys,
                "feature-material-path",
                f"material {clean} does not exist yet",
                "add the file before the feature reaches validation",
                Severity.WARNING,
            )
        elif kind is None:
            yield finding_at(
                feature.doc,
                feature.path,
                keys,
                "feature-material-path",
                f"material path {_short(clean)} cannot be looked up (too long or not a file name)",
                "use a short path relative to the repo root, e.g. launch/<id>/copy.md",
            )
        elif kind is not Kind.FILE:
            yield finding_at(
                feature.doc,
                feature.path,
                keys,
                "feature-material-path",
                f"material {clean} is a {kind.value}, not a regular file",
                "commit the material itself; links are never followed",
            )
