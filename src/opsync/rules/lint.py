"""Whole-workspace lint: every file kind, schema then rules. Used by `validate`."""

from __future__ import annotations

import fnmatch
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from opsync.errors import ExitCode
from opsync.findings import Finding, exit_code_for, sort_findings
from opsync.results import Report
from opsync.rules import registry as rules
from opsync.workspace.model import Workspace, load_policy
from opsync.workspace.policy import POLICY_FILE
from opsync.workspace.source import FileSource, normalize

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Selection:
    """Which files to lint; None means all of that kind."""

    features: tuple[str, ...] | None = None
    weeks: tuple[str, ...] | None = None
    registry: bool = True
    data: tuple[str, ...] | None = None


def select(paths: Iterable[str], ws: Workspace) -> Selection:
    """Map paths given on the command line (e.g. by pre-commit) to file kinds."""
    p = ws.policy.paths
    features, weeks, data = [], [], []
    registry = False
    for raw in paths:
        path = normalize(raw.replace("\\", "/")) or raw
        if path == POLICY_FILE or path == p.metrics:
            registry = True
        elif fnmatch.fnmatch(path, f"{p.features}/*.md"):
            features.append(path)
        elif fnmatch.fnmatch(path, f"{p.weeks}/*.md"):
            weeks.append(path)
        elif fnmatch.fnmatch(path, f"{p.data}/*.csv"):
            data.append(path)
    return Selection(tuple(features), tuple(weeks), registry, tuple(data))


def lint(
    source: FileSource, selection: Selection | None = None, progress: Progress | None = None
) -> Report:
    policy, problems = load_policy(source)
    if policy is None:
        return Report(
            command="validate", findings=tuple(sort_findings(problems)), exit_code=ExitCode.USAGE
        )
    ws = Workspace(source, policy)
    explicit = selection is not None
    selection = selection or Selection()
    findings: list[Finding] = list(problems)  # a valid policy may still have findings
    registry = ws.registry  # loaded once: features and weeks check against it
    if registry is not None and selection.registry:
        findings += rules.run("registry", registry, ws)
    feature_paths = (
        list(ws.feature_paths()) if selection.features is None else list(selection.features)
    )
    week_paths = list(ws.week_paths()) if selection.weeks is None else list(selection.weeks)
    total = len(feature_paths) + len(week_paths)
    findings += _lint_features(ws, feature_paths, total, progress)
    for path in week_paths:
        week = ws.week_at(path)
        if week is not None:
            findings += rules.run("week", week, ws)
    findings += _lint_data(ws, selection)
    if progress:
        progress(total, total)
    everything = sort_findings([*findings, *ws.problems()])
    if explicit:  # `validate PATH...` (pre-commit) reports on the files it was given only
        wanted = _selected_paths(selection, ws)
        everything = [f for f in everything if f.path in wanted]
    code = exit_code_for(everything)
    if code is ExitCode.FINDINGS and not policy.blocking:
        code = ExitCode.OK  # advisory (a pilot): report everything, never fail, as the gate
    return Report(
        command="validate",
        findings=tuple(everything),
        exit_code=code,
        enforcement=policy.enforcement,
        lang=policy.lang,
    )


# Specs are independent of each other, so big workspaces are linted by forked workers
# over chunks; below this many specs a fork costs more than it saves.
PARALLEL_MIN = 400
CHUNK = 250
_SHARED: Workspace | None = None  # the parent's workspace, inherited by forked workers


def _lint_chunk(paths: list[str]) -> list[Finding]:
    ws = _SHARED
    assert ws is not None
    found: list[Finding] = []
    for path in paths:
        loaded = ws.load_feature(path)
        found += loaded.problems
        if loaded.value is not None:
            found += rules.run("feature", loaded.value, ws)
        ws.release(path)  # keeps memory flat however many specs there are
    return found


def _lint_features(
    ws: Workspace, paths: list[str], total: int, progress: Progress | None
) -> list[Finding]:
    global _SHARED
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    workers = min(os.cpu_count() or 1, 8)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    _SHARED = ws
    findings: list[Finding] = []
    try:
        if len(paths) < PARALLEL_MIN or workers < 2 or not can_fork:
            results: Iterable[list[Finding]] = map(_lint_chunk, chunks)
            pool = None
        else:
            rules.load_all()  # import once in the parent, not once per worker
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap(_lint_chunk, chunks)
        for done, found in enumerate(results, start=1):
            findings += found
            if progress:
                progress(min(done * CHUNK, len(paths)), total)
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        _SHARED = None
    return findings


def _selected_paths(selection: Selection, ws: Workspace) -> set[str]:
    paths = {*(selection.features or ()), *(selection.weeks or ()), *(selection.data or ())}
    if selection.registry:
        paths |= {POLICY_FILE, ws.policy.paths.metrics}
    return paths


def _lint_data(ws: Workspace, selection: Selection) -> list[Finding]:
    """All data files as one set, as the dashboard reads them: a duplicate across two
    files is found even when only one of them was named (`validate PATH...`)."""
    from opsync.workspace.data import load_values

    if selection.data is not None and not selection.data:
        return []
    return load_values(ws, last=selection.data or ()).findings
